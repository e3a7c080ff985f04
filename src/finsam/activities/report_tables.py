"""The activity and measure tables (shared/spec/activities-and-goals.md, part A, "Tables"), declared
in the table registry (family "activities", source "activities"); they count with figures.py, the
functions the metric sources use.

Masking: the counts of an individual kind (``sip_mote``) are persons, masked in publication like
participant counts; every other activity figure is no person count and is declared a measure (never
masked). A row is a count row when an activity of an individual kind *may* count in it (its total row
too), so the generic masking of statistics/masking.py hides what it must, and the parts-sum-to-total
relations let it hide a total that would give a hidden SIP count away.

Which rows a table has and which of its numbers are counts depend on the förbund's kinds, its
insatser and members, the scope and the period, never on the activities themselves (docs/decisions.md,
"A publication's structure says nothing"): every individual kind, every insats of the scope and every
organisation and role the förbund knows is a row, 0 included, and every row of a table an individual
kind may count in is a count row. A row left out, or a small number shown where a SIP meeting would
have made it hidden, told a reader that a part held no SIP meeting, and with earlier publications
how many the others held.
"""

import datetime
from functools import cached_property

from finsam.statistics.tables import (
    ADDITIVE, MEASURE, OWN, SHARE, TEXT, Atoms, Chart, Empty, Series, TableSpec, UnpublishedSpec, bar, get, over_scope,
    register,
)
from finsam.statistics.tables.data import COUNT, round_half_up
from finsam.statistics.tables.registry import UNPUBLISHED, year_earlier

from . import codes, figures
from .models import Activity, MeasureValue

FAMILY = "activities"
READS = ("activities.Activity", "activities.ActivityKind", "interventions.Intervention")
GENDER_LABELS = {"kvinna": "Kvinnor", "man": "Män", "annat_ej_angivet": "Annat/ej angivet", "totalt": "Totalt"}
ATTENDEE_COLUMNS = [(f"attendees_{g}", f"Deltagare, {label.lower()}") for g, label in GENDER_LABELS.items()]
TOTAL = ("totalt", "Totalt")


def has_data(association, date_from, date_to, interventions=None):
    """Does the förbund record activities or measures at all? (registry.register_presence) Not of the
    period nor of the insatser: a report without the activity tables told a reader that nobody held a
    SIP meeting in it; now a period without activities shows its zeros (masked like any count)."""
    return (Activity.objects.filter(association=association).exists()
            or MeasureValue.objects.filter(association=association).exists())


class _Reads:
    """What the activity tables and their relations read, once per report: the period's activities of
    the report's scope and the förbund's kinds. ``ctx`` (statistics.engine.Context) is made for one
    report's förbund, insatser and period, and a section or the previous period of a report gets a
    Context of its own (engine.compute_report), so nothing kept here outlives what it was read for."""

    def __init__(self, ctx):
        self.ctx = ctx

    @cached_property
    def activities(self):
        """Every activity of the period, whatever its status (a series counts its cancelled meetings)."""
        ctx = self.ctx
        return figures.activities(ctx.period.start, ctx.period.end, ctx.interventions if ctx.filtered else None,
                                  held_only=False)

    @cached_property
    def held(self):
        return figures.held(self.activities)

    @cached_property
    def kinds(self):
        return codes.kinds(self.ctx.association)

    @cached_property
    def individual(self):
        return figures.individual(self.kinds)


def _reads(ctx):
    reads = getattr(ctx, "_activity_reads", None)
    if reads is None:
        reads = ctx._activity_reads = _Reads(ctx)
    return reads


def _held(ctx):
    return _reads(ctx).held


def _kinds(ctx):
    return _reads(ctx).kinds


def _individual(ctx):
    return _reads(ctx).individual


def _kind_label(kinds, code):
    kind = kinds.get(code)
    return kind.label if kind else code


def _personal(ctx):
    """Whether the förbund has an individual kind (SIP meetings): then every row a meeting of that
    kind may count in is a count row, whether one does or not."""
    return bool(_individual(ctx))


def _kind_rows(ctx, acts):
    """The kinds of a table per kind: those of ``acts`` and every individual kind (its 0 a count)."""
    kinds, individual = _kinds(ctx), _individual(ctx)
    present = {a.kind for a in acts} | individual
    return [code for code in kinds if code in present] + sorted(present - set(kinds))


def _mark_rows(table, personal_rows, total=None):
    """Rows that may count persons (an individual kind) are counts; every other row's numbers are
    measures. The total row is a count when any row is (or ``total`` says). Columns declared with a
    kind of their own (shares, text, the mean) keep it."""
    total = bool(personal_rows) if total is None else total
    personal = set(personal_rows) | ({"totalt"} if total else set())
    for key, _ in table.rows:
        kind = COUNT if key in personal else MEASURE
        for col, _ in table.columns:
            if col not in table.column_kinds:
                table.cell_kinds[(key, col)] = kind


def _column_sums(table, columns):
    """Each count column: the rows add up to the total row (a reader knows it)."""
    body = [k for k, _ in table.rows if k != "totalt"]
    for col in columns:
        table.sums.append(([(k, col) for k in body], ("totalt", col)))


def _attendee_cells(acts):
    return {f"attendees_{g}": figures.attendees(acts, g) for g in GENDER_LABELS}


def _gender_sums(table, row):
    table.sums.append(([(row, f"attendees_{g}") for g in ("kvinna", "man", "annat_ej_angivet")],
                       (row, "attendees_totalt")))


def zero_together(*columns):
    """``zero_implies`` of an activity table: an occasion count of 0 means no activity (every other
    number of the row 0), an attendance of 0 is read as none held (a reader would assume it)."""
    def implies(col):
        if col == columns[0]:
            return columns[1:]
        if col == columns[1]:
            return (columns[0], *columns[2:])
        return ()
    return implies


ACTIVITY_ZEROS = zero_together("count", "attendees_totalt", "fysiskt", "digitalt", "hybrid",
                               "attendees_kvinna", "attendees_man", "attendees_annat_ej_angivet")


def kind_rows(row):
    """``primary_rows`` of a table per kind: its individual kinds' rows (its only count rows but the
    total, which counts seminars too and is hidden only to protect them)."""
    return row != "totalt"


def years_zeros(col):
    measure, _, year = col.rpartition("_")
    if measure == "count":
        return (f"attendees_{year}",)
    return (f"count_{year}",) if measure == "attendees" else ()


# --- differencing: a year minus its first half, the förbund minus one insats ----------------------
# Every count of these tables is a sum over activities, each of one insats (or the förbund's own) and
# one date: it adds up over insatser and stretches of time (statistics/differencing.py), so a hidden
# SIP count cannot be worked out from two publications. A report of the whole förbund also counts the
# förbund's own activities (no insats): a part of its own (``own_part``, OWN in the scope). The table
# per insats lists the insatser that held an activity, and the förbund's own row always: an insats of
# the scope absent from it, or the förbund's row at 0, held none, and a reader knows every count of
# that part in the period is 0 (``by_intervention_empty``) (docs/decisions.md).

ADDITIVE_CELLS = over_scope(ADDITIVE)
OWN_ROW = "forbundet"  # the förbund's own activities' row of activities_by_intervention


def by_intervention_atoms(table_id, row, col, scope, start, end):
    """An insats's row is that insats's part of the total row, the förbund's row its own part."""
    if row == OWN_ROW:
        return Atoms(table_id, "totalt", col, (OWN,), start, end, ADDITIVE) if OWN in scope else None
    return Atoms(table_id, "totalt", col, tuple(scope) if row == "totalt" else (row,), start, end, ADDITIVE)


def held_activities(table_id, row, col):
    """The cells that count held activities only: every count of the activity tables but the
    cancelled meetings of a series, and a part's meetings of an individual kind (INDIVIDUAL)."""
    if table_id in (INDIVIDUAL, SPLIT_INDIVIDUAL, SPLIT_OTHER):
        return True
    spec = get(table_id)
    return bool(isinstance(spec, TableSpec) and spec.family == FAMILY and spec.population == "activities"
                and not (table_id == "activity_series" and col == "cancelled"))


# A part's (an insats's or the förbund's own) held activities of an individual kind (SIP meetings), in
# no table: its row of activities_by_intervention minus its listed activities (list_relations). Keyed
# by the row of activities_by_intervention; per kind ("<row>|<kind>") they are that part's share of
# the kind's row of activities (its atoms: what a reader knows of the kind's row, such as a 0 read
# from the part's attendances, holds for the part's meetings of that kind: individual_relations).
# Publications made before the per-kind counts had a "totalt" row, the parts' sum.
INDIVIDUAL = f"{UNPUBLISHED}activities_individual"


def individual_atoms(table_id, row, col, scope, start, end):
    if row == "totalt":
        return Atoms(table_id, "totalt", col, tuple(scope), start, end, ADDITIVE)
    row, _, kind = row.partition("|")
    part = OWN if row == OWN_ROW else row
    if part not in scope:
        return None
    if kind:
        return Atoms("activities", kind, col, (part,), start, end, ADDITIVE)
    return Atoms(table_id, "totalt", col, (part,), start, end, ADDITIVE)


register(UnpublishedSpec(INDIVIDUAL, decompose=individual_atoms, own_part=True, refuses_when_revealed=True,
                         zero_implies=ACTIVITY_ZEROS))


def _nothing(table, row, col="count"):
    """Whether ``table`` shows that ``row`` counted nothing: no such row (publications made before
    every row was shown, a period without the table) or a 0 shown (not hidden: None)."""
    return table is None or row not in table.cells or table.cells[row].get(col) == 0


def by_intervention_empty(table, scope, names=None):
    """The parts of the scope that held no activity in the period: a row counting 0 occasions (an
    activity is at least one), or none (earlier publications listed only the insatser that held one).
    A reader knows every count of that part in the period is 0. (Taken as known for the new report
    even if the search hides the 0 later: that can only make a reader know less.)"""
    for part in scope:
        row = OWN_ROW if part == OWN else part
        if _nothing(table, row):
            yield Empty(part, held_activities)


def kinds_empty(table, scope, names=None):
    """A kind absent from the table per kind, or counting 0 occasions, was held by no part of the
    scope in the period (the table lists every kind held and every individual kind); with no
    individual kind held, no part held a SIP meeting. No table (None): the period had no activity."""
    rows = set(table.cells) if table is not None else set()
    held = {row for row in rows if not _nothing(table, row)}
    individual = any(table.kind(row, "count") == COUNT for row in held if row != "totalt")
    for part in scope:
        yield Empty(part, lambda table_id, row, col, held=held: table_id == "activities" and row not in held)
        if not individual:
            yield Empty(part, lambda table_id, row, col: table_id == INDIVIDUAL)


def rows_empty(table_id, always=("totalt",), col="count"):
    """``empty`` of a table of rows that count something or nothing (the organisations and roles
    that attended, the kinds evaluated): a row it leaves out, or whose ``col`` shows 0,
    is 0 for every part of the scope in the period (found by an attack: a half year without the row
    "fk" in Deltagare per organisation gave away an insats's small fk attendance at SIP meetings in
    the other half, 14 - 10 = 4). No table (None): the period had no activity at all."""
    def empty(table, scope, names=None):
        held = {row for row in (table.cells if table is not None else ()) if not _nothing(table, row, col)}

        def holds(t, row, c):
            if t in (SPLIT_INDIVIDUAL, SPLIT_OTHER):  # a row's attendances at SIP meetings and others
                of, _, row = row.partition("|")
                if of != table_id:
                    return False
            elif t != table_id:
                return False
            return row not in held and row not in always

        for part in scope:
            yield Empty(part, holds)
    return empty


def years_atoms(table_id, row, col, scope, start, end):
    """``count_<year>`` and ``attendees_<year>``: the activities table's cells in that year of the period."""
    measure, _, year = col.rpartition("_")
    year = int(year)
    return Atoms("activities", row, "count" if measure == "count" else "attendees_totalt", tuple(scope),
                 max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31)), ADDITIVE)


# --- relations: the same activities counted by kind, by insats, by year, by organisation and role ---
# A reader knows these totals are equal: without the relations, one table's total minus the shown
# other kinds of another would give a hidden SIP count away (masking.py hides what they determine).

GENDERS = ("kvinna", "man", "annat_ej_angivet", "totalt")


def by_intervention_relations(ctx, table, rel):
    for col in ("count", *[f"attendees_{g}" for g in GENDERS]):
        rel.add([("activities_by_intervention", "totalt", col)], ("activities", "totalt", col))
    individual_relations(ctx, rel)


def individual_relations(ctx, rel):
    """The parts' meetings of an individual kind add up to that kind's row of activities, and a
    part's meetings of every individual kind to its count: with a part's count known (an insats
    whose only activities are SIP meetings: its row), the others' are the rest. Every part and every
    individual kind, with a meeting or not."""
    parts, kinds = _parts_of(ctx), sorted(_individual(ctx))
    for col in ("count", *[f"attendees_{g}" for g in GENDERS]):
        for kind in kinds:
            rel.add([(INDIVIDUAL, f"{part}|{kind}", col) for part in parts], ("activities", kind, col))
        for part in parts:
            rel.add([(INDIVIDUAL, f"{part}|{kind}", col) for kind in kinds], (INDIVIDUAL, part, col))


def years_relations(ctx, table, rel):
    years = [col.rpartition("_")[2] for col, _ in table.columns if col.startswith("count_")]
    for row, _ in table.rows:
        rel.add([("activities_years", row, f"count_{y}") for y in years], ("activities", row, "count"))
        rel.add([("activities_years", row, f"attendees_{y}") for y in years], ("activities", row, "attendees_totalt"))
    rel.add([("activities_years", "totalt", f"attendees_{y}") for y in years],
            ("activities_by_intervention", "totalt", "attendees_totalt"))


# A row of attendees per organisation or role counts attendances at SIP meetings (persons: protected
# when small, SPLIT_INDIVIDUAL) and at other activities (no persons, SPLIT_OTHER), which no table
# shows apart: hidden only to protect the first, which add up to the individual kinds' attendances,
# as the others add up to the other kinds'. (Keyed "<table>|<row>".) A reader who knows there were no
# other attendances reads the SIP meetings' from the row (the forced zeros of masking.py). The two
# decompose into atoms of each part and stretch, the rows themselves into none: a row's atom would
# be the sum of the two of its part and stretch, which no equation can say.
SPLIT_INDIVIDUAL = f"{UNPUBLISHED}activities_split_individual"
SPLIT_OTHER = f"{UNPUBLISHED}activities_split_other"
register(UnpublishedSpec(SPLIT_INDIVIDUAL, decompose=ADDITIVE_CELLS, own_part=True, refuses_when_revealed=True))
register(UnpublishedSpec(SPLIT_OTHER, decompose=ADDITIVE_CELLS, own_part=True, counts_persons=False))


def split_relations(table_id):
    """attendees_by_organisation and _by_role: their total is every attendance of the period, and
    each row is its attendances at SIP meetings and at other activities."""
    def relations(ctx, table, rel):
        rel.add([(table_id, "totalt", "count")], ("activities", "totalt", "attendees_totalt"))
        rel.add([(table_id, "totalt", "count")], ("activities_by_intervention", "totalt", "attendees_totalt"))
        individual = _individual(ctx)
        if not individual:
            return
        rows = [key for key, _ in table.rows if key != "totalt"]
        others = sorted({a.kind for a in _held(ctx)} - individual)
        for unpublished, kinds in ((SPLIT_INDIVIDUAL, sorted(individual)), (SPLIT_OTHER, others)):
            rel.add([(unpublished, f"{table_id}|{row}", "count") for row in rows],
                    (unpublished, f"{table_id}|totalt", "count"))
            rel.add([("activities", kind, "attendees_totalt") for kind in kinds],
                    (unpublished, f"{table_id}|totalt", "count"))
        for row in rows:
            rel.add([(SPLIT_INDIVIDUAL, f"{table_id}|{row}", "count"), (SPLIT_OTHER, f"{table_id}|{row}", "count")],
                    (table_id, row, "count"))
    return relations


# --- plan goals on activities (metric source activities, metric_sources.py) -------------------------
# A goal on the occasions or the attendees of some kinds counts SIP meetings (persons) when its kinds
# include an individual kind (or it names none). Its count is tied like a participant goal's
# (plans/report_tables.py, ~goal_span): the SIP meetings of its insatser over its span are an
# unpublished count ACTIVITY_SPAN, decomposed into the atoms the activity tables' SIP counts are made
# of, so that a goal counted from 1 January beside a published year, a previous value a year earlier,
# or a goal over two insatser beside one of them, gives nothing away that a publication hides.
#
# The rest of the count (seminars and every other kind that is not individual) counts no persons: it
# is never a count to protect, and a reader is taken to know it (the activity tables show those kinds
# as measures and list them one by one; taking it as known can only make masking hide more). So the
# goal's count = its SIP meetings' ACTIVITY_SPAN + that known part, a number the plan row keeps in a
# cell no column shows (MetricValue.known, plans' ``numerator_known``). No atom of a kind that is not
# individual is ever an unknown: none can be judged a small count (an earlier attempt tied goals to
# every kind's atoms and refused the demo förbund's year and its first half over a kunskapsdialog's
# 2 occasions in 2023, a goal's previous value).
#
# ACTIVITY_SPAN cells are (ACTIVITY_SPAN, "<insatser>|<what>|<col>", "<first day>|<last day>"): the
# insatser's slugs joined by "+" ("" the whole förbund, its own part included), ``what`` "*" for every
# individual kind (the atoms of INDIVIDUAL, a part's SIP meetings, which the table per insats and the
# list tie to) or one individual kind's code (the atoms of its row of activities) when the goal counts
# only some of the förbund's individual kinds; ``col`` a column of activities (count, attendees_<g>).
# Within one report the span's count is tied to the report's cells (``_within_the_report``) as a
# participant goal's ~goal_span is (the report's own span: the sum of its parts' INDIVIDUAL counts;
# another span: the overlap plus the rest), and the genders of attendees add up.
#
# Goals filtered by ``series``, and the evaluation keys (share_recommend, share_rating_positive,
# mean_rating), count nothing a table counts as such (a series of some kinds, gender or not; the
# answers at some kinds' meetings per insats): when they count SIP meetings they are not tied, and
# publication hides their result and counts whatever their size (MetricValue.hidden_in_publication).

ACTIVITY_SPAN = f"{UNPUBLISHED}activity_span"
EVERY_INDIVIDUAL = "*"
DAY = datetime.timedelta(days=1)
GOAL_KEYS = {"count": "count", "attendees": "attendees_{gender}"}


def goal_individual_part(ref, individual):
    """What a goal on activities counts of persons, as ACTIVITY_SPAN's ``what``: [EVERY_INDIVIDUAL]
    when its kinds include every individual kind of the förbund (``individual``, their codes), or it
    names none, else the codes of the individual kinds it names; empty when it counts no individual
    kind, or is not tied (a series filter, an evaluation key)."""
    if ref.get("key") not in GOAL_KEYS or ref.get("series"):
        return []
    chosen = individual if ref.get("kinds") is None else individual & set(ref.get("kinds") or ())
    if not chosen:
        return []
    return [EVERY_INDIVIDUAL] if chosen == individual else sorted(chosen)


def _goal_span(scope, what, col, first, last):
    return (ACTIVITY_SPAN, f"{scope}|{what}|{col}", f"{first.isoformat()}|{last.isoformat()}")


def goal_span_atoms(table_id, row, col, scope, start, end):
    insatser, what, counted = row.split("|")
    first, last = (datetime.date.fromisoformat(day) for day in col.split("|"))
    parts = tuple(insatser.split("+")) if insatser else tuple(scope)
    if what == EVERY_INDIVIDUAL:
        return Atoms(INDIVIDUAL, "totalt", counted, parts, first, last, ADDITIVE)
    return Atoms("activities", what, counted, parts, first, last, ADDITIVE)


register(UnpublishedSpec(ACTIVITY_SPAN, decompose=goal_span_atoms, own_part=True))


def relate_goal(ctx, ref, interventions, first, last, count, known, rel):
    """MetricSource.relate of the source activities: ``count`` (a plan row's count of ``ref`` over
    ``first``-``last`` for ``interventions``) = the SIP meetings it counts + ``known``."""
    what = goal_individual_part(ref, _individual(ctx))
    if not what:
        return
    col = GOAL_KEYS[ref["key"]].format(gender=ref.get("gender") or "totalt")
    scope = "+".join(sorted(interventions))
    _add_once(rel, [*(_goal_span(scope, w, col, first, last) for w in what), known], count)
    # Every individual kind's meetings are also the sum of their kinds' (the atoms of their rows of
    # activities): a part's SIP meetings (INDIVIDUAL) and the SIP row are two ways of counting the
    # same meetings, which the equations tie per publication only (the year's SIP row minus a
    # previous value of its first half was the second half's).
    kinds = sorted(_individual(ctx)) if what == [EVERY_INDIVIDUAL] else []
    if kinds:
        _add_once(rel, [_goal_span(scope, k, col, first, last) for k in kinds],
                  _goal_span(scope, EVERY_INDIVIDUAL, col, first, last))
    for w in [*what, *kinds]:
        _within_the_report(ctx, scope, w, col, first, last, rel)


def _add_once(rel, parts, total):
    done = rel.__dict__.setdefault("activity_goal_relations", set())
    key = (tuple(parts), total)
    if key not in done:
        done.add(key)
        rel.add(parts, total)


def _within_the_report(ctx, scope, what, col, first, last, rel):
    """Tie the goal's span count (and the genders of attendees) to the report's own cells: its own
    span's is the sum of its parts' SIP meetings (INDIVIDUAL), another span's the overlap with the
    report's plus the rest (the report's count = the overlap plus the rest of the report's span)."""
    start, end = ctx.period.start, ctx.period.end
    spans = [(first, last)]
    if (first, last) != (start, end) and max(first, start) <= min(last, end):
        overlap = (max(first, start), min(last, end))
        outside = [(first, start - DAY)] if first < start else []
        outside += [(end + DAY, last)] if last > end else []
        rest = [(start, first - DAY)] if start < first else []
        rest += [(last + DAY, end)] if end > last else []
        for whole, pieces in (((first, last), [overlap, *outside]), ((start, end), [overlap, *rest])):
            if whole != overlap:
                _add_once(rel, [_goal_span(scope, what, col, *p) for p in pieces], _goal_span(scope, what, col, *whole))
        spans += [overlap, *outside, *rest, (start, end)]
    if (start, end) in spans:
        held = _report_cells(ctx, scope, what, col, rel)
        if held is not None:
            _add_once(rel, held, _goal_span(scope, what, col, start, end))
    if col.startswith("attendees_"):
        for span in set(spans):
            _add_once(rel, [_goal_span(scope, what, f"attendees_{g}", *span) for g in GENDERS[:-1]],
                      _goal_span(scope, what, "attendees_totalt", *span))


def _report_cells(ctx, scope, what, col, rel):
    """The report's cells that add up to the SIP meetings of ``scope`` (and kind ``what``) in its
    period, or None when none does: every part's SIP meetings (``INDIVIDUAL``, of every individual
    kind or per kind), held or not, as the report's relations have them (list_relations,
    individual_relations); the whole förbund's in a report of the whole förbund are its individual
    kinds' rows of activities."""
    if "activities_by_intervention" not in rel.present or "activity_list" not in rel.present:
        return None
    if not scope and ctx.filtered:
        return None  # the whole förbund's meetings in a report of some insatser: no cell counts them
    parts = [OWN_ROW if p == OWN else p for p in scope.split("+")] if scope else _parts_of(ctx)
    if not set(parts) <= set(_parts_of(ctx)):
        return None
    if what == EVERY_INDIVIDUAL:
        return [(INDIVIDUAL, part, col) for part in parts]
    return [(INDIVIDUAL, f"{part}|{what}", col) for part in parts]


# --- activities: per kind -------------------------------------------------------------------------

def activities_table(ctx):
    kinds, individual = _kinds(ctx), _individual(ctx)
    acts = _held(ctx)
    codes_held = _kind_rows(ctx, acts)
    columns = [("count", "Antal tillfällen"), *[(f, label) for f, label in codes.FORMAT.choices], *ATTENDEE_COLUMNS]
    table = ACTIVITIES.table([(c, _kind_label(kinds, c)) for c in codes_held] + [TOTAL], columns,
                             denominator="activities")
    for key in [*codes_held, "totalt"]:
        mine = acts if key == "totalt" else [a for a in acts if a.kind == key]
        table.cells[key] = {"count": figures.count(mine), **figures.formats(mine), **_attendee_cells(mine)}
        table.sums.append(([(key, f) for f in codes.FORMAT.codes], (key, "count")))
        _gender_sums(table, key)
    _mark_rows(table, {c for c in codes_held if c in individual}, total=bool(individual))
    _column_sums(table, [c for c, _ in columns])
    table.notes.append("Genomförda aktiviteter med datum i perioden; antal = tillfällen, deltagare räknas per "
                       "tillfälle. Utan könsuppdelning räknas deltagarna som annat/ej angivet.")
    return table


ACTIVITIES = register(TableSpec(
    id="activities", title="Aktiviteter per typ", family=FAMILY, order=400, population="activities",
    source="activities", build=activities_table, reads=READS,
    chart=Chart("bar", (Series("Tillfällen", "count"),)),
    decompose=ADDITIVE_CELLS, own_part=True, refuses_when_revealed=True, empty=kinds_empty, zero_implies=ACTIVITY_ZEROS,
    primary_rows=kind_rows,
))


# --- over time --------------------------------------------------------------------------------------

def _years(ctx):
    for year in range(ctx.period.start.year, ctx.period.end.year + 1):
        start = max(ctx.period.start, ctx.period.start.replace(year=year, month=1, day=1))
        end = min(ctx.period.end, ctx.period.end.replace(year=year, month=12, day=31))
        yield year, start, end


def activities_years_table(ctx):
    kinds, individual = _kinds(ctx), _individual(ctx)
    acts = _held(ctx)
    codes_held = _kind_rows(ctx, acts)
    years = list(_years(ctx))
    columns = []
    for year, _, _ in years:
        columns += [(f"count_{year}", f"Tillfällen {year}"), (f"attendees_{year}", f"Deltagare {year}")]
    table = ACTIVITIES_YEARS.table([(c, _kind_label(kinds, c)) for c in codes_held] + [TOTAL], columns,
                                   denominator="activities")
    for key in [*codes_held, "totalt"]:
        mine = acts if key == "totalt" else [a for a in acts if a.kind == key]
        table.cells[key] = {}
        for year, start, end in years:
            in_year = [a for a in mine if start <= a.date <= end]
            table.cells[key][f"count_{year}"] = figures.count(in_year)
            table.cells[key][f"attendees_{year}"] = figures.attendees(in_year)
    _mark_rows(table, {c for c in codes_held if c in individual}, total=bool(individual))
    _column_sums(table, [c for c, _ in columns])
    return table


ACTIVITIES_YEARS = register(TableSpec(
    id="activities_years", title="Aktiviteter över tid", family=FAMILY, order=401, population="activities",
    source="activities", build=activities_years_table, reads=READS,
    decompose=years_atoms, own_part=True, refuses_when_revealed=True, zero_implies=years_zeros, primary_rows=kind_rows,
    relations=years_relations,
))


# --- per insats -------------------------------------------------------------------------------------

def activities_by_intervention_table(ctx):
    acts = _held(ctx)
    rows = [(i.slug, i.name) for i in ctx.interventions]  # every insats of the scope, 0 included
    groups = {slug: [a for a in acts if a.intervention and a.intervention.slug == slug] for slug, _ in rows}
    if not ctx.filtered:
        rows.append((OWN_ROW, "Förbundet"))
        groups[OWN_ROW] = [a for a in acts if a.intervention_id is None]
    columns = [("count", "Antal tillfällen"), *ATTENDEE_COLUMNS]
    table = ACTIVITIES_BY_INTERVENTION.table(rows + [TOTAL], columns, denominator="activities")
    for key, mine in [*groups.items(), ("totalt", acts)]:
        table.cells[key] = {"count": figures.count(mine), **_attendee_cells(mine)}
        _gender_sums(table, key)
    _mark_rows(table, set(groups) if _personal(ctx) else set())
    _column_sums(table, [c for c, _ in columns])
    return table


ACTIVITIES_BY_INTERVENTION = register(TableSpec(
    id="activities_by_intervention", title="Aktiviteter per insats", family=FAMILY, order=402,
    population="activities", source="activities", build=activities_by_intervention_table, reads=READS,
    chart=bar("count", "Tillfällen"),
    decompose=by_intervention_atoms, own_part=True, refuses_when_revealed=True, empty=by_intervention_empty,
    relations=by_intervention_relations, zero_implies=ACTIVITY_ZEROS,
    # a part's row is its listed activities and its SIP meetings (an unpublished count, protected
    # when small): hidden only to protect those
    primary_rows=lambda row: False,
))


# --- series -------------------------------------------------------------------------------------------

def activity_series_table(ctx):
    individual = _individual(ctx)
    # SIP meetings (an individual kind) are persons, not meetings of a group: they count in the tables
    # per kind, insats, organisation and role, not per series (a series of SIP meetings would have
    # been a count row only when it held one, which a reader could tell).
    with_series = [a for a in _reads(ctx).activities if a.series]
    every = [a for a in with_series if a.kind not in individual]
    series = sorted({a.series for a in every})
    labels = {s: [a for a in every if a.series == s][-1].title for s in series}  # the latest title
    table = ACTIVITY_SERIES.table([(s, labels[s]) for s in series],
                                  [("count", "Antal tillfällen"), ("cancelled", "Inställda"),
                                   ("attendees_totalt", "Deltagare")], denominator="activities")
    for s in series:
        mine = [a for a in every if a.series == s]
        held = [a for a in mine if a.status == codes.HELD]
        table.cells[s] = {"count": figures.count(held),
                          "cancelled": figures.count([a for a in mine if a.status == codes.CANCELLED]),
                          "attendees_totalt": figures.attendees(held)}
    _mark_rows(table, set())
    if len(every) < len(with_series):
        table.notes.append("Individinriktade aktiviteter (SIP-möten) räknas inte här, även när de har en serie; de "
                           "räknas i Aktiviteter per typ.")
    return table


ACTIVITY_SERIES = register(TableSpec(
    id="activity_series", title="Återkommande möten", family=FAMILY, order=403, population="activities",
    source="activities", build=activity_series_table, reads=READS, chart=bar("count", "Tillfällen", ()),
    decompose=ADDITIVE_CELLS, own_part=True, refuses_when_revealed=True,
    # no ``empty``: its rows are measures (no SIP meeting counts here), none an atom a zero could remove
))


# --- attendees per organisation and per role ---------------------------------------------------------

def _split_table(spec, field, choices):
    def build(ctx):
        individual = _individual(ctx)
        acts = _held(ctx)
        split = [a for a in acts if getattr(a, field)]
        present = {code for a in split for code in getattr(a, field)}
        labels = choices(ctx)
        # every organisation or role the förbund knows, 0 included, and any other one attended
        keys = list(labels) + sorted(present - set(labels))
        rows = [(k, labels.get(k, k)) for k in keys] + [("ej_uppdelat", "Ej uppdelat")]
        table = spec().table(rows + [TOTAL], [("count", "Deltagare")], denominator="activities")
        for key in keys:
            table.cells[key] = {"count": sum(getattr(a, field).get(key, 0) for a in split)}
        table.cells["ej_uppdelat"] = {"count": figures.attendees([a for a in acts if not getattr(a, field)])}
        table.cells["totalt"] = {"count": figures.attendees(acts)}
        for key, _ in rows:
            table.set_share(key, "count", table.cells[key]["count"], table.cells["totalt"]["count"],
                            of=(key, "count"), per=("totalt", "count"))
        _mark_rows(table, {*keys, "ej_uppdelat"} if individual else set())
        _column_sums(table, ["count"])
        return table
    return build


def _organisations(ctx):
    """The förbund's members (as the report's Context read them; none nationally), then the other organisations."""
    return {**ctx.member_names, **dict(codes.ORGANISATIONS.choices)}


def _roles(ctx):
    return {**dict(codes.ROLES.choices), codes.UNKNOWN[0]: codes.UNKNOWN[1]}


ATTENDEES_BY_ORGANISATION = register(TableSpec(
    id="attendees_by_organisation", title="Deltagare per organisation", family=FAMILY, order=404,
    population="activities", source="activities", reads=READS + ("tenancy.Member",),
    build=_split_table(lambda: ATTENDEES_BY_ORGANISATION, "by_organisation", _organisations),
    chart=Chart("bar", (Series("Deltagare", "count"),), ("totalt", "ej_uppdelat")),
    decompose=None, own_part=True, refuses_when_revealed=True,  # its rows' parts decompose (SPLIT_INDIVIDUAL)
    empty=rows_empty("attendees_by_organisation", ("totalt", "ej_uppdelat")),
    relations=split_relations("attendees_by_organisation"), primary_rows=lambda row: False,
))
ATTENDEES_BY_ROLE = register(TableSpec(
    id="attendees_by_role", title="Deltagare per roll", family=FAMILY, order=405, population="activities",
    source="activities", reads=READS, build=_split_table(lambda: ATTENDEES_BY_ROLE, "by_role", _roles),
    chart=Chart("bar", (Series("Deltagare", "count"),), ("totalt", "ej_uppdelat")),
    decompose=None, own_part=True, refuses_when_revealed=True,  # its rows' parts decompose (SPLIT_INDIVIDUAL)
    empty=rows_empty("attendees_by_role", ("totalt", "ej_uppdelat")),
    relations=split_relations("attendees_by_role"), primary_rows=lambda row: False,
))


# --- evaluations ---------------------------------------------------------------------------------------

EVALUATION_COLUMNS = [
    ("evaluated", "Utvärderade tillfällen"), ("attendees", "Deltagare vid dem"), ("answers", "Svar"),
    ("recommend_yes", "Rekommenderar: ja"), ("recommend_no", "Rekommenderar: nej"),
    *[(f"rating_{n}", f"Betyg {n} {label.lower()}") for n, (_, label) in enumerate(codes.RATINGS.choices, 1)],
    ("mean_rating", "Medelbetyg"), ("response_rate", "Svarsfrekvens"), ("recommend", "Andel som rekommenderar"),
    ("rating_positive", "Andel betyg 4–5"),
]
RATINGS = [f"rating_{n}" for n in range(1, 6)]


def _evaluation_cells(table, key, evaluation):
    table.cells[key] = {
        "evaluated": evaluation.evaluated, "attendees": evaluation.attendees, "answers": evaluation.answers,
        "recommend_yes": evaluation.yes, "recommend_no": evaluation.no,
        **{f"rating_{n}": evaluation.ratings[n - 1] for n in range(1, 6)},
        "mean_rating": round_half_up(evaluation.mean_rating, 1),
        "response_rate": evaluation.response_rate, "recommend": evaluation.recommend,
        "rating_positive": evaluation.rating_positive,
    }
    ratings = [(key, r) for r in RATINGS]
    # Shares and the mean: null below five answers; hidden with the counts they come from.
    for col, value, of, per in (
        ("response_rate", evaluation.response_rate, [(key, "answers")], [(key, "attendees")]),
        ("recommend", evaluation.recommend, [(key, "recommend_yes")], [(key, "recommend_yes"), (key, "recommend_no")]),
        ("rating_positive", evaluation.rating_positive, [(key, "rating_4"), (key, "rating_5")], ratings),
    ):
        table.shares.setdefault(key, {})[col] = value
        table.share_refs[(key, col)] = (of[0], per[-1])
        table.measure_of[(key, col)] = [*of, *per]
    table.measure_of[(key, "mean_rating")] = ratings


def activity_evaluations_table(ctx):
    kinds, individual = _kinds(ctx), _individual(ctx)
    acts = [a for a in _held(ctx) if a.answers is not None]
    codes_held = _kind_rows(ctx, acts)
    table = ACTIVITY_EVALUATIONS.table([(c, _kind_label(kinds, c)) for c in codes_held] + [TOTAL],
                                       EVALUATION_COLUMNS, denominator="answers")
    for key in [*codes_held, "totalt"]:
        mine = acts if key == "totalt" else [a for a in acts if a.kind == key]
        _evaluation_cells(table, key, figures.evaluation(mine))
    _mark_rows(table, {c for c in codes_held if c in individual}, total=bool(individual))
    _column_sums(table, ["evaluated", "attendees", "answers", "recommend_yes", "recommend_no", *RATINGS])
    table.notes.append(f"{codes.RECOMMEND_QUESTION} Andel = ja av ja och nej. {codes.RATING_QUESTION} 1 Mycket dåligt "
                       "– 5 Mycket bra; andel positiva = betyg 4 och 5 av alla betyg. Svarsfrekvens = svar av deltagare "
                       f"vid utvärderade tillfällen. Med färre än {figures.MIN_ANSWERS} svar visas inga andelar.")
    return table


ACTIVITY_EVALUATIONS = register(TableSpec(
    id="activity_evaluations", title="Utvärderingar", family=FAMILY, order=406, population="activities",
    source="activities", build=activity_evaluations_table, reads=READS,
    column_kinds={"mean_rating": MEASURE, "response_rate": SHARE, "recommend": SHARE, "rating_positive": SHARE},
    chart=Chart("share", (Series("Andel som rekommenderar", "recommend", share=True),
                          Series("Andel betyg 4–5", "rating_positive", share=True))),
    decompose=ADDITIVE_CELLS, own_part=True, refuses_when_revealed=True, empty=rows_empty("activity_evaluations", col="evaluated"),
    primary_rows=kind_rows,
))


# --- the list of activities ------------------------------------------------------------------------------

LIST_COLUMNS = [("date", "Datum"), ("kind", "Typ"), ("title", "Titel"), ("intervention", "Insats"),
                ("count", "Antal tillfällen"), *ATTENDEE_COLUMNS, ("answers", "Svar"), ("mean_rating", "Medelbetyg"),
                ("recommend", "Andel som rekommenderar")]


def activity_list_table(ctx):
    kinds, individual = _kinds(ctx), _individual(ctx)
    every = _held(ctx)
    # An individual kind's activities (SIP meetings) are meetings about persons: listed one by one,
    # their number, dates and titles would give away the count that is masked in publication.
    acts = [a for a in every if a.kind not in individual]
    rows = [(a.reference or f"aktivitet-{a.pk}", a.title) for a in acts]
    table = ACTIVITY_LIST.table(rows, LIST_COLUMNS, denominator="activities")
    if len(acts) < len(every):
        table.notes.append("Individinriktade aktiviteter (SIP-möten) listas inte en och en; de räknas i "
                           "Aktiviteter per typ.")
    for (key, _), a in zip(rows, acts):
        evaluation = figures.evaluation([a])
        table.cells[key] = {
            "date": a.date.isoformat(), "kind": _kind_label(kinds, a.kind), "title": a.title,
            "intervention": a.intervention.name if a.intervention else "Förbundet", "count": a.occasions,
            **_attendee_cells([a]), "answers": a.answers, "mean_rating": round_half_up(evaluation.mean_rating, 1),
            "recommend": evaluation.recommend,
        }
        table.shares[key] = {"recommend": evaluation.recommend}
        _gender_sums(table, key)
    # The listed activities are measures, never hidden: an insats's row of activities_by_intervention
    # minus them is its SIP meetings' count (list_relations), and hiding one protected nothing: a
    # reader has it back as its kind's row of Aktiviteter per typ (a measure) minus the other listed
    # activities of that kind, or from another publication listing the same activity (found by an
    # attack, docs/decisions.md "What the attack on the structure found").
    _mark_rows(table, set(), total=False)
    return table


def _insats_key(activity):
    """The activity's row key in activities_by_intervention."""
    return activity.intervention.slug if activity.intervention_id else OWN_ROW


def _parts_of(ctx):
    """The rows of activities_by_intervention that are parts: every insats of the scope, and the
    förbund's own in a report of the whole förbund."""
    return [i.slug for i in ctx.interventions] + ([] if ctx.filtered else [OWN_ROW])


def list_relations(ctx, table, rel):
    """An insats's row of activities_by_intervention = its listed activities + its SIP meetings (a
    count no table shows), for every part of the scope (with no SIP meeting too: a reader does not
    know which had none)."""
    individual = _individual(ctx)
    if not individual:
        return
    parts = {part: [] for part in _parts_of(ctx)}
    for a in _held(ctx):
        if a.kind not in individual and _insats_key(a) in parts:
            parts[_insats_key(a)].append(a.reference or f"aktivitet-{a.pk}")
    for insats, keys in parts.items():
        for col in ("count", *[f"attendees_{g}" for g in GENDERS]):
            rel.add([("activity_list", key, col) for key in keys] + [(INDIVIDUAL, insats, col)],
                    ("activities_by_intervention", insats, col))


def list_empty(table, scope, names=None):
    """The list shows every held activity but SIP meetings, with its date and insats: in a stretch
    of the period without a listed activity of a part, that part's attendances at other activities
    than SIP meetings (SPLIT_OTHER, per organisation and role) are 0, and a row's attendances there
    its SIP meetings' (found by an attack: the year's medarbetare 2 and its second half's 0, the
    year listing nothing but a November seminar, were 2 SIP attendances in the first half). No
    table (None): the period had no activity at all."""
    by_name = {name: slug for slug, name in (names or {}).items()}
    days = {}
    for cells in (table.cells.values() if table is not None else ()):
        name = cells.get("intervention")
        part = OWN if name == "Förbundet" else by_name.get(name)  # None: a name the report does not know
        days.setdefault(part, set()).add(datetime.date.fromisoformat(cells["date"]))
    for part in scope:
        yield Empty(part, lambda table_id, row, col: table_id == SPLIT_OTHER,
                    besides=tuple(sorted(days.get(part, set()) | days.get(None, set()))))


ACTIVITY_LIST = register(TableSpec(
    id="activity_list", title="Aktivitetsförteckning", family=FAMILY, order=407, population="activities",
    source="activities", build=activity_list_table, reads=READS,
    column_kinds={"date": TEXT, "kind": TEXT, "title": TEXT, "intervention": TEXT, "mean_rating": MEASURE,
                  "recommend": SHARE},
    decompose=ADDITIVE_CELLS, own_part=True, refuses_when_revealed=True, empty=list_empty,
    relations=list_relations, counts_persons=False,  # SIP meetings are never listed
    zero_implies=ACTIVITY_ZEROS,
))


# --- measures --------------------------------------------------------------------------------------------

def measures_table(ctx):
    measures = codes.measures(ctx.association)
    interventions = ctx.interventions if ctx.filtered else None
    start, end = ctx.period.start, ctx.period.end
    rows, cells = [], {}
    for measure in measures.values():
        value = figures.measure_value(measure, start, end, interventions, ctx.association)
        if value is None:
            continue
        previous = None if start.year <= 1 else figures.measure_value(
            measure, year_earlier(start), year_earlier(end), interventions, ctx.association)
        rows.append((measure.code, measure.label))
        cells[measure.code] = {"value": value, "previous": previous,
                               "change": None if previous is None else _difference(value, previous)}
    table = MEASURES.table(rows, [("value", "Värde"), ("previous", "Samma period året före"),
                                  ("change", "Förändring")], denominator="")
    table.cells = cells
    for measure in measures.values():
        if measure.code in cells:
            table.notes.append(f"{measure.label}: {codes.AGGREGATION.label(measure.aggregation).lower()}.")
    return table


def _difference(value, previous):
    difference = value - previous
    return round(difference, 2) if isinstance(difference, float) else difference


MEASURES = register(TableSpec(
    id="measures", title="Räckvidd och mått", family=FAMILY, order=408, population="measures",
    source="activities", build=measures_table,
    reads=("activities.MeasureValue", "activities.MeasureDefinition", "interventions.Intervention"),
    column_kinds={"value": MEASURE, "previous": MEASURE, "change": MEASURE},
))
