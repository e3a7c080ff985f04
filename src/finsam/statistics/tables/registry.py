"""The table registry: every table of a report is declared once, as a ``TableSpec``, and everything
downstream (the engine's report, masking, differencing, charts, formatting, the cache's list of
models) reads the declarations instead of knowing table ids.

A family module declares its tables and registers them when imported::

    AGE = register(TableSpec(id="age", title="Ålder vid inskrivning", family="background", order=30,
                             population="current", identified_only=True, build=age_table,
                             reads=("participants.Participation",), chart=bar("totalt"), ...))

The modules are imported on first use (``specs``), from ``FAMILY_MODULES`` and whatever another app
adds with ``add_family_module`` in its ``AppConfig.ready``. The report's order is ``order``, then the
order of registration. See docs/architecture.md, "How to add a table".
"""

import dataclasses
import importlib
from dataclasses import dataclass, field
from typing import Callable, Optional

from .data import KINDS

SOURCES = ("participants", "surveys", "finance", "activities")
# What a table counts among; the report JSON states it (finsam-report/1). "see_goal": each row is a
# goal's indicator with its own population, scope and period (the plan's tables); "amounts": money, not people (the finance tables); "activities":
# occasions and attendances; "measures": reach figures.
POPULATIONS = ("current", "new", "exited", "participations", "persons", "see_goal", "amounts",
               "activities", "measures", "responses")  # responses: the survey tables

FAMILY_MODULES = [
    "finsam.statistics.tables.flow",
    "finsam.statistics.tables.background",
    "finsam.statistics.tables.outcomes",
]


# --- charts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """One series of a chart: the cells (or their shares, ``share``) of ``column`` in each plotted row."""

    name: str
    column: str
    share: bool = False


@dataclass(frozen=True)
class Chart:
    """What a table's chart plots: a bar per plotted row and series. ``name`` is what the frozen
    format stores ("bar", "flow", ...); ``summary_rows`` are rows that are not plotted (totals)."""

    name: str
    series: tuple
    summary_rows: tuple = ("totalt",)

    @property
    def percent(self):
        return all(s.share for s in self.series)


def bar(column, name="Antal", summary_rows=("totalt",)):
    """One series: the counts of ``column``."""
    return Chart("bar", (Series(name, column),), summary_rows)


# --- differencing: how a cell decomposes over insatser and time -------------------------------

ADDITIVE, CURRENT, PERIOD = "additive", "current", "period"


@dataclass(frozen=True)
class Atoms:
    """A cell is the sum of the atoms (table, row, col, insats, stretch of time) for each insats of
    ``insatser`` and, by ``time``: ADDITIVE, each stretch of time between ``start`` and ``end``
    (counts of new or exited); CURRENT, the first stretch plus the new ones of each later stretch
    (counts of current); PERIOD, the span ``start``-``end`` itself, as one atom (volumes, goals)."""

    table: str
    row: str
    col: str
    insatser: tuple
    start: object
    end: object
    time: str


@dataclass(frozen=True)
class Chain:
    """For CURRENT atoms: which atoms are current counts (``is_current(row, col)``) and the column
    of the new or exited ones of a current column (``shadow(col, measure)``), which ties one
    stretch's current count to the next: current = current before - exited before + new."""

    is_current: Callable
    shadow: Callable


# The förbund's own part of a report of the whole förbund (no insats filter): what it counts that
# belongs to no insats (the förbund's own activities). A part of the scope differencing.py passes to
# ``decompose`` of a table that declares ``own_part``, never to the others' (a participation always
# has an insats). Not a slug: slugs are lower-case letters, digits and hyphens.
OWN = "+own"


@dataclass(frozen=True)
class Empty:
    """A publication shows that ``part`` of its scope (an insats, or OWN) had nothing counted in its
    period: every atom of that part over a stretch of the period whose (table, row, col) ``holds`` is 0
    (e.g. an insats absent from the table of activities per insats held no activity)."""

    part: str
    holds: Callable
    # Days of the period on which the part did have something of what ``holds`` (a listed activity's
    # date): an atom over a stretch holding one of them is not known to be 0, the others are.
    besides: tuple = ()


# A current count whose new and exited are shown in no table: columns of their own ("col#new").
HIDDEN_SHADOWS = Chain(is_current=lambda row, col: "#" not in col, shadow=lambda col, measure: f"{col}#{measure}")


def over_scope(time):
    """The usual decomposition: every cell over the report's insatser and period."""
    def decompose(table_id, row, col, scope, start, end):
        return Atoms(table_id, row, col, tuple(scope), start, end, time)
    return decompose


# --- relations ------------------------------------------------------------------------------------

UNPUBLISHED = "~"  # first letter of the "table" of a count that is in relations but in no table (masking.py)


class Relations:
    """What a reader knows about how cells of different tables hang together, collected from every
    table's ``relations``: sums (parts add up to a total), bounds (a part is at most its whole) and
    what a shown text says (``at_most``). Relations naming a table that is not in the report
    (``present``) are left out."""

    def __init__(self, present):
        self.present = set(present)
        self.relations, self.bounds, self.inequalities = [], [], []

    def _known(self, cells):
        return all(c[0] in self.present or str(c[0]).startswith(UNPUBLISHED) for c in cells)

    def add(self, parts, total):
        if self._known([*parts, total]):
            self.relations.append(([tuple(p) for p in parts], tuple(total)))

    def bound(self, part, whole):
        if self._known([part, whole]):
            self.bounds.append((tuple(part), tuple(whole)))

    def at_most(self, terms, shown_by):
        """What the text of the cell ``shown_by`` tells while it is shown (a plan row's status): the
        weighted sum of ``terms`` [(cell or unpublished count, weight)] is at most 0."""
        if self._known([*(cell for cell, _ in terms), shown_by]):
            self.inequalities.append(([(tuple(cell), float(w)) for cell, w in terms], tuple(shown_by)))


# --- the declaration --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)  # a registry entry: the same spec only if it is the same object
class TableSpec:
    id: str
    title: str  # Swedish, as shown
    family: str  # "flow", "background", "outcomes", "goals", ...
    population: str  # POPULATIONS
    build: Callable  # build(ctx) -> Table
    order: int  # place in the report (then registration order)
    reads: tuple  # "app_label.ModelName" of every model the builder reads (cache invalidation)
    source: str = "participants"  # SOURCES
    identified_only: bool = False  # counts identified (non-anonymous) participations only
    # Kinds (data.KINDS) by column and by row; a cell's own kind can be set by the builder.
    column_kinds: dict = field(default_factory=dict)
    row_kinds: dict = field(default_factory=dict)
    chart: Optional[Chart] = None
    # relations(ctx, the built table, Relations): what ties its cells to other tables' (a relation
    # naming a table the report does not have is left out: Relations.add).
    relations: Optional[Callable] = None
    # decompose(table id, row, col, scope, start, end) -> Atoms or None (no such sum: persons,
    # measures). None: no cell of the table decomposes (differencing.py).
    decompose: Optional[Callable] = None
    chain: Optional[Chain] = None  # for tables with CURRENT atoms
    # A report of the whole förbund also counts the förbund's own part, in no insats: ``decompose``
    # gets OWN in the scope (differencing.py).
    own_part: bool = False
    # empty(the built table, scope, names) -> Empty for each part of the scope the table shows had
    # nothing to count in the period (differencing.py: those atoms are 0, as the reader knows);
    # ``names``: the report's insatser's names by slug (a table naming an insats in a cell). The
    # table is None when the report has no table of the spec's source because that source had no
    # data in the period (a source registered with register_presence: its tables are then missing,
    # which a reader reads as every part's 0).
    empty: Optional[Callable] = None
    # A small count of the table that a new publication gives away through what it shows beyond the
    # cells it may hide (a part or kind with nothing in the period) refuses that publication
    # (differencing.StructureReveals, reports/publishing.py): the activity tables. Participant counts
    # given away so, through forced zeros, do not (docs/decisions.md).
    refuses_when_revealed: bool = False
    # False: the table's counts are no persons (a listed seminar's occasions): they are masked only
    # to protect other counts, and one a reader can work out gives nothing away (differencing.py).
    counts_persons: bool = True
    # primary_rows(row) -> whether a small count of the row is hidden for being small (None: every
    # row). A total over measures and counts of persons (seminars and SIP meetings) is hidden only
    # to protect its counts of persons, which the relations do (masking.py).
    primary_rows: Optional[Callable] = None
    # zero_implies(col) -> the columns of the same row (and part and stretch) a reader takes to be 0
    # when ``col`` is: no activity held, no attendance; no attendance, no activity held (a reader
    # would assume so, a meeting without attendance being recorded rarely). masking.py.
    zero_implies: Optional[Callable] = None
    # Variants a report may ask for (variants.py): a section per insats, the previous period.
    in_sections: bool = False  # built again for each insats of the report alone
    additive_rows: Optional[tuple] = None  # in sections, the rows that add up over insatser (None: all)
    per_insats: str = ""  # "rows": a row per insats, its total in a section; "columns": a column per insats
    in_previous: bool = False  # compared with the period a year earlier (columns _previous, _change)
    # The table masks its small numbers itself, for every role and format (the surveys' min n):
    # publication masking (masking.py) and differencing treat none of its cells as counts.
    own_masking: bool = False
    # Several tables from one declaration: ``build`` returns a list of Tables whose ids are
    # "<id>.<part>" (plan_goals.<målområde>: one per målområde of the plan). ``get("<id>.<part>")``
    # answers with this spec; ``build_tables`` gives every spec's tables as a list.
    several: bool = False

    def __post_init__(self):
        assert self.source in SOURCES, self.source
        assert self.population in POPULATIONS, self.population
        assert all(k in KINDS for k in [*self.column_kinds.values(), *self.row_kinds.values()]), self.id
        assert all(isinstance(m, str) and m.count(".") == 1 for m in self.reads), self.id

    def table(self, rows, columns, **kwargs):
        """A new Table of this spec (its id, title, population, kinds and chart)."""
        from .data import Table

        return Table(self.id, self.title, self.population, list(rows), list(columns), chart=self.chart,
                     column_kinds=dict(self.column_kinds), row_kinds=dict(self.row_kinds), **kwargs)


@dataclass(frozen=True)
class UnpublishedSpec:
    """A count relations speak of that no table shows (its "table" id starts with
    masking.UNPUBLISHED), with how it decomposes for differencing."""

    id: str
    decompose: Callable
    chain: Optional[Chain] = None
    own_part: bool = False  # as TableSpec.own_part
    refuses_when_revealed: bool = False  # as TableSpec.refuses_when_revealed
    zero_implies: Optional[Callable] = None  # as TableSpec.zero_implies
    counts_persons: bool = True  # as TableSpec.counts_persons


_specs = {}  # id -> TableSpec, in registration order
_unpublished = {}
_loaded = False


def register(spec):
    """Add ``spec`` to the registry (once per id) and return it (as registered: its decomposition
    also decomposes the previous period's columns, ``with_previous``)."""
    registry = _unpublished if isinstance(spec, UnpublishedSpec) else _specs
    if spec.id in _specs or spec.id in _unpublished:
        raise ValueError(f"Table {spec.id!r} is registered twice")
    if spec.decompose:
        spec = dataclasses.replace(spec, decompose=with_previous(spec.decompose))
    registry[spec.id] = spec
    return spec


# --- variants (variants.py): the previous period's columns and the sections per insats -------------

PREVIOUS, CHANGE, PREVIOUS_POINTS = "_previous", "_change", "_change_pp"  # column suffixes


def year_earlier(day):
    """The same day a year earlier (29 February: the 28th)."""
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


def with_previous(decompose):
    """A column ``<col>_previous`` is ``<col>`` a year earlier; changes are no sums (measures)."""
    def decomposed(table_id, row, col, scope, start, end):
        if col.endswith(PREVIOUS):
            return decompose(table_id, row, col[:-len(PREVIOUS)], scope, year_earlier(start), year_earlier(end))
        if col.endswith(CHANGE) or col.endswith(PREVIOUS_POINTS):
            return None
        return decompose(table_id, row, col, scope, start, end)
    decomposed.previous_aware = True
    return decomposed


def _variant(table_id):
    """The spec of a section table ``<id>:<insats slug>`` (its atoms are of that insats only) or of an
    unpublished count of the previous period ``~<id>_previous``, from the registered one; or None."""
    if ":" in table_id:
        base, slug = table_id.split(":", 1)
        spec = _specs.get(base) or _unpublished.get(base)
        if spec is None:
            return None
        decompose = spec.decompose and (lambda t, row, col, scope, start, end, d=spec.decompose, base=base, slug=slug:
                                        d(base, row, col, (slug,), start, end))
        return dataclasses.replace(spec, id=table_id, decompose=decompose, **({} if isinstance(spec, UnpublishedSpec)
                                                                              else {"relations": None}))
    if table_id.startswith(UNPUBLISHED) and table_id.endswith(PREVIOUS):
        spec = _unpublished.get(table_id[:-len(PREVIOUS)])
        if spec is None or spec.decompose is None:
            return spec and dataclasses.replace(spec, id=table_id)
        return dataclasses.replace(spec, id=table_id, decompose=lambda t, row, col, scope, start, end, d=spec.decompose:
                                   d(t[:-len(PREVIOUS)], row, col, scope, year_earlier(start), year_earlier(end)))
    return None


def add_family_module(module):
    """Another app's module of tables (dotted path), imported with the others on first use."""
    if module not in FAMILY_MODULES:
        FAMILY_MODULES.append(module)
        if _loaded:
            importlib.import_module(module)


def _load():
    global _loaded
    if not _loaded:
        _loaded = True
        for module in FAMILY_MODULES:
            importlib.import_module(module)


def specs(tables=None):
    """The registered tables in report order; ``tables`` (ids, families, sources or "all") keeps
    only those."""
    _load()
    ordered = sorted(_specs.values(), key=lambda s: s.order)  # stable: registration order within an order
    if tables is None:
        return ordered
    wanted = set(tables)
    if "all" in wanted:
        return ordered
    several = {s.id for s in ordered if s.several}
    parts = {w for w in wanted if "." in w and w.split(".", 1)[0] in several}  # "plan_goals.<målområde>"
    unknown = wanted - parts - {s.id for s in ordered} - {s.family for s in ordered} - {s.source for s in ordered}
    if unknown:
        raise ValueError(f"Okända tabeller eller tabellfamiljer: {', '.join(sorted(unknown))}")
    asked = {p.split(".", 1)[0] for p in parts}  # a several spec builds its parts; keeps() picks
    return [s for s in ordered if _asked_whole(s, wanted) or s.id in asked]


def _asked_whole(spec, wanted):
    """Whether ``wanted`` (ids, families, sources, "all") names the whole of ``spec``."""
    return bool(wanted & {"all", spec.id, spec.family, spec.source})


def keeps(spec, table_id, tables):
    """Whether a table ``spec`` built belongs in a report asked for ``tables``: a part of a
    ``several`` spec asked for by its own id ("plan_goals.samverkan") leaves out the other parts."""
    if tables is None or not spec.several:
        return True
    return _asked_whole(spec, set(tables)) or table_id in tables


# A source (SOURCES) whose tables a report shows only when it has data in the period registers
# here: fn(association, date_from, date_to, interventions) -> bool. A source without one (the
# participant tables) is always shown. The rule is the same for the report page and every format
# (shared/spec/finance.md, "--tables ... default: every family with data in the period").
_presence = {}


# Hooks a source's tables need before a report is published against the förbund's earlier
# publications (differencing.mask_for_publication): fn(report, linked earlier reports, threshold).
# For tables that mask themselves (own_masking), whose cells the equations of differencing.py
# leave out: the survey tables (surveys/publication.py).
_publication_hooks = []


def register_publication_hook(fn):
    if fn not in _publication_hooks:
        _publication_hooks.append(fn)


def publication_hooks():
    _load()
    return list(_publication_hooks)


def register_presence(source, fn):
    assert source in SOURCES, source
    _presence[source] = fn


def sources_without_data(report):
    """The sources registered with a presence check of which ``report`` has no table and left none
    out (``omitted``): they had no data in its period and scope (a publication is always computed
    with the default selection, specs_with_data)."""
    _load()
    seen = {getattr(get(t["id"] if isinstance(t, dict) else t.id), "source", None)
            for t in [*report.tables, *report.omitted]}
    return set(_presence) - seen


def specs_with_data(association, date_from, date_to, interventions=None):
    """The default selection of a report: every table whose source has data in the period."""
    has = {}
    result = []
    for spec in specs():
        if spec.source not in has:
            present = _presence.get(spec.source)
            has[spec.source] = present is None or bool(present(association, date_from, date_to, interventions))
        if has[spec.source]:
            result.append(spec)
    return result


def get(table_id):
    """The spec of a table or an unpublished count (or of a variant of one, or of a part of a
    ``several`` spec), or None."""
    _load()
    found = _specs.get(table_id) or _unpublished.get(table_id) or _variant(table_id)
    if found is None and "." in table_id:
        spec = _specs.get(table_id.split(".", 1)[0])
        found = spec if spec is not None and spec.several else None
    return found


def build_tables(spec, ctx):
    """The tables ``spec`` builds for ``ctx``: one, or a list for a ``several`` spec."""
    built = spec.build(ctx)
    return list(built) if spec.several else [built]


def chart_of(table_id):
    return getattr(get(table_id), "chart", None)


def models_read():
    """Every model a report reads ("app_label.ModelName"): the context's and every table's."""
    from finsam.statistics.engine import Context

    return tuple(sorted(set(Context.reads).union(*(s.reads for s in specs()))))

