"""A table is data: rows, columns, cells, shares, denominator, notes. Renderers only format it.

What each table is (its title, population, kinds of values, chart, relations) is declared once in
its family module (``registry.py``); a built Table carries the parts renderers and masking read."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional


COUNT, SHARE, MEASURE, AMOUNT_KR, TEXT = "count", "share", "measure", "amount_kr", "text"
KINDS = (COUNT, SHARE, MEASURE, AMOUNT_KR, TEXT)
# In the frozen format a share row's share cells are these (a goal measured as a share).
_SHARE_ROW_COLUMNS = ("target", "result")


class Omitted(Exception):
    """Raised by a table's builder when the data or the period do not allow the table; the report
    lists it under ``omitted`` with this Swedish reason instead (shared/spec/finance.md)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _json_value(value, places=None):
    """A cell for JSON: an exact Decimal amount as whole kronor (half-up, a half away from zero);
    a Decimal share to ``places`` decimals."""
    if isinstance(value, Decimal):
        if places is None:
            return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    if places is not None and value is not None:
        return round(value, places)
    return value


@dataclass
class Table:
    id: str
    title: str
    population: str
    rows: list  # [(key, label)]
    columns: list  # [(key, label)]
    cells: dict = field(default_factory=dict)  # row -> col -> int | float | None (None = masked or not applicable)
    shares: dict = field(default_factory=dict)  # row -> col -> float | None
    denominator: str = ""
    notes: list = field(default_factory=list)
    # Additive relations used by secondary suppression: [(parts [(row, col)], total (row, col))].
    sums: list = field(default_factory=list)
    masked: list = field(default_factory=list)  # [(row, col)]
    masked_shares: set = field(default_factory=set)  # shares hidden because a count behind them is
    chart: object = None  # a registry.Chart (what the chart plots) or None: no chart
    # Which count cells each share is computed from: (row, col) -> ((row, col) numerator,
    # (row, col) denominator). A share is hidden when either is (masking.py).
    share_refs: dict = field(default_factory=dict)
    # Rows of the issue-9 goals table (rows "<insats>:<year>:<metric>"), whose result, basis and grade
    # followed from their counts: kept by freeze/thaw for the publications frozen with it; no table
    # builds them any more (the plan's rows are masked by goal_masks).
    goal_rows: list = field(default_factory=list)
    # Measures computed over counts of the table: (row, col) -> [(row, col) counts]. A measure is
    # hidden when a count behind it is (a mean over one person is that person's value).
    measure_of: dict = field(default_factory=dict)
    # The kind of each value (KINDS): a cell's own, else its row's, else its column's, else a count.
    # Only counts are masked by count rules; shares and amounts are formatted as such.
    column_kinds: dict = field(default_factory=dict)  # col -> kind
    row_kinds: dict = field(default_factory=dict)  # row -> kind
    cell_kinds: dict = field(default_factory=dict)  # (row, col) -> kind
    unit: str = ""  # "kr" for tables of amounts (JSON in whole kronor); "" for counts
    # Further top-level fields of the table's JSON that its declaration adds (the survey tables'
    # min_n, masked_rows, previous_period, year); kept by freeze/thaw.
    extra: dict = field(default_factory=dict)
    # Plan indicator rows (plans/report_tables.py): row -> {"counts": [...], "previous_counts": [...],
    # "direction": bool}, the participant or SIP counts behind the row's result and previous value,
    # which publication masking checks (masking.apply); never frozen. (The previous value's numerator
    # and denominator are also count cells of the row that no column shows, "previous_numerator" and
    # "previous_denominator": frozen like any cell, left out of to_json.)
    goal_masks: dict = field(default_factory=dict)
    # Texts rendered by the engine per row (JSON "texts"): {row: {"goal": ..., "result": ...}}.
    texts: dict = field(default_factory=dict)
    # A roll-up (plan_summary, goals_by_intervention): recount(table, tables by id, threshold), called
    # by publication masking once every table is masked, counts the rows as published, leaves out the
    # hidden ones and sets "partial" (plans/report_tables.py); never frozen. Publications frozen before
    # it counted their hidden rows too: "partial" without "hidden_rows" (docs/report-json.md).
    recount: Optional[Callable] = None
    partial: bool = False

    def kind(self, row, col):
        return self.cell_kinds.get((row, col)) or self.row_kinds.get(row) or self.column_kinds.get(col) or COUNT

    # The sets the frozen format (finsam-frozen-report/1) stores, derived from the kinds.
    @property
    def measures(self):
        """Cells that are no counts (measures, shares, amounts, text): never masked by count rules."""
        return {(r, c) for r, columns in self.cells.items() for c in columns if self.kind(r, c) != COUNT}

    @property
    def share_rows(self):
        return {r for (r, _), kind in self.cell_kinds.items() if kind == SHARE}

    @property
    def share_columns(self):
        return {c for c, kind in self.column_kinds.items() if kind == SHARE}

    def cell(self, row, col):
        return self.cells.get(row, {}).get(col)

    def share(self, row, col):
        return self.shares.get(row, {}).get(col)

    def set_share(self, row, col, numerator, denominator, *, of, per):
        """Store numerator / denominator unrounded (None when the denominator is 0); ``of`` and
        ``per`` are the cells (row, col) the two values are shown in."""
        value = None if not denominator else numerator / denominator
        self.shares.setdefault(row, {})[col] = value
        self.share_refs[(row, col)] = (tuple(of), tuple(per))

    @property
    def amounts(self):
        """Cells holding an amount in kronor (exact Decimals; only the shown value is rounded)."""
        return {(r, c) for r, columns in self.cells.items() for c in columns if self.kind(r, c) == AMOUNT_KR}

    def to_json(self):
        def rnd(value):
            return None if value is None else _json_value(value, 4)

        # A cell of a column the table does not list (a plan row's previous_numerator and
        # previous_denominator: counts its texts show, plans/report_tables.py) is for masking and the
        # frozen format only: the JSON has every row × every column, nothing else (docs/report-json.md).
        shown = {k for k, _ in self.columns}
        data = {
            "id": self.id,
            "title": self.title,
            "population": self.population,
            "rows": [{"key": k, "label": label} for k, label in self.rows],
            "columns": [{"key": k, "label": label} for k, label in self.columns],
            "cells": {r: {c: _json_value(v) for c, v in cols.items() if c in shown} for r, cols in self.cells.items()},
            "shares": {r: {c: rnd(v) for c, v in cols.items()} for r, cols in self.shares.items()},
            "denominator": self.denominator,
            "notes": self.notes,
        }
        if self.unit:
            data["unit"] = self.unit
        if self.texts:
            data["texts"] = self.texts
        if self.partial:
            data["partial"] = True
        if self.masked:
            data["masked"] = [{"row": r, "column": c} for r, c in self.masked if c in shown]
            data["masked_shares"] = [{"row": r, "column": c} for r, c in sorted(self.masked_shares)]
        data.update(self.extra)
        return data


@dataclass
class Report:
    association: object
    date_from: datetime.date
    date_to: datetime.date
    interventions: list  # slugs in the filter; empty = the whole association
    generated_at: datetime.datetime
    tables: list
    published: bool = False
    threshold: int = 0
    cache_key: str = ""  # set when the report comes through statistics/cache.py
    title: str = ""  # a published report's title (reports/models.py; not frozen: the row holds it)
    # Relations between cells of different tables that a reader knows (the same population in two
    # tables): [(parts [(table id, row, col)], total (table id, row, col))], parts summing to total.
    relations: list = field(default_factory=list)
    # part <= whole, e.g. varav_anonyma <= totalt: [((table id, row, col), (table id, row, col))]
    bounds: list = field(default_factory=list)
    # What a shown text tells (a plan row's status against counts no table shows): [([(cell or
    # unpublished count, weight)], the text's cell (table id, row, col))], the weighted sum at most 0
    # while that cell is shown (registry.Relations.at_most; statistics/inequalities.py)
    inequalities: list = field(default_factory=list)
    # slug -> name of every insats the report counts, as they were when it was computed
    intervention_names: dict = field(default_factory=dict)
    # The unit amounts are shown in on screen, in Excel and PDF ("kr" or "tkr": reports/units.py);
    # JSON and CSV always give whole kronor. A choice of rendering, never of computing.
    unit: str = "kr"
    # Tables asked for that the data or the period do not allow: [{"id", "reason"}] (Omitted).
    omitted: list = field(default_factory=list)
    # respondent groups of the survey tables' filter (empty = all)
    respondent_groups: list = field(default_factory=list)

    def table(self, table_id):
        return next(t for t in self.tables if t.id == table_id)

    def to_json(self):
        return {
            "format": "finsam-report/1",
            "association": {"slug": self.association.slug, "name": self.association.name},
            "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()},
            "filters": {"interventions": self.interventions, "respondent_groups": list(self.respondent_groups)},
            "publication": {"masked": self.published, "threshold": self.threshold if self.published else None},
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "counting_rules": COUNTING_RULES,
            "unit": "kr",
            "tables": [t.to_json() for t in self.tables],
            "omitted": [dict(o) for o in self.omitted],
        }


# --- freezing a report (a publication stores it once and renders it ever after) --------------------

FROZEN_FORMAT = "finsam-frozen-report/1"


def freeze(report):
    """Everything needed to render ``report`` again, as JSON-ready data, exactly (shares unrounded).
    Hidden cells are already None in a masked report: a frozen publication holds no hidden value."""
    return {
        "format": FROZEN_FORMAT,
        "association": {"slug": report.association.slug, "name": report.association.name},
        "date_from": report.date_from.isoformat(), "date_to": report.date_to.isoformat(),
        "interventions": list(report.interventions), "intervention_names": dict(report.intervention_names),
        "respondent_groups": list(report.respondent_groups),
        "generated_at": report.generated_at.isoformat(), "published": report.published,
        "threshold": report.threshold,
        "relations": [[[list(p) for p in parts], list(total)] for parts, total in report.relations],
        "bounds": [[list(a), list(b)] for a, b in report.bounds],
        "inequalities": [[[[list(c), w] for c, w in terms], list(shown_by)] for terms, shown_by in report.inequalities],
        "tables": [{
            "id": t.id, "title": t.title, "population": t.population,
            "rows": [list(r) for r in t.rows], "columns": [list(c) for c in t.columns],
            "cells": _frozen(t.cells), "shares": _frozen(t.shares), "denominator": t.denominator,
            "notes": list(t.notes), "unit": t.unit,
            # Exact amounts are stored as decimal strings (never floats) and listed to be thawed back.
            "decimals": sorted([r, c] for r, cols in t.cells.items() for c, v in cols.items() if isinstance(v, Decimal)),
            "decimal_shares": sorted([r, c] for r, cols in t.shares.items() for c, v in cols.items()
                                     if isinstance(v, Decimal)),
            "cell_kinds": sorted([r, c, k] for (r, c), k in t.cell_kinds.items()),
            "column_kinds": dict(t.column_kinds), "row_kinds": dict(t.row_kinds),
            "sums": [[[list(p) for p in parts], list(total)] for parts, total in t.sums],
            "masked": [list(c) for c in t.masked], "measures": sorted(list(c) for c in t.measures),
            "masked_shares": sorted(list(c) for c in t.masked_shares), "share_rows": sorted(t.share_rows),
            "share_columns": sorted(t.share_columns), "chart": t.chart.name if t.chart else "",
            "share_refs": [[list(k), list(of), list(per)] for k, (of, per) in t.share_refs.items()],
            "goal_rows": list(t.goal_rows),
            "measure_of": [[list(k), [list(c) for c in cells]] for k, cells in t.measure_of.items()],
            "extra": t.extra,
            **({"texts": t.texts} if t.texts else {}), **({"partial": True} if t.partial else {}),
        } for t in report.tables],
        "omitted": [dict(o) for o in report.omitted],
    }


def _frozen(cells):
    return {r: {c: (str(v) if isinstance(v, Decimal) else v) for c, v in cols.items()} for r, cols in cells.items()}


@dataclass(frozen=True)
class FrozenAssociation:
    """What a frozen report says about its förbund: as it was when the report was made."""

    slug: str
    name: str


def thaw(data):
    """The Report that ``freeze`` stored."""
    from . import registry

    if data.get("format") != FROZEN_FORMAT:
        raise ValueError(f"Unknown frozen report format {data.get('format')!r}")
    tables = []
    for t in data["tables"]:
        table = Table(t["id"], t["title"], t["population"], [tuple(r) for r in t["rows"]],
                      [tuple(c) for c in t["columns"]], cells=t["cells"], shares=t["shares"],
                      denominator=t["denominator"], notes=t["notes"])
        # The chart is the table's declared one (the frozen format names only whether it has one).
        table.chart = registry.chart_of(t["id"]) if t["chart"] else None
        table.sums = [([tuple(p) for p in parts], tuple(total)) for parts, total in t["sums"]]
        table.masked = [tuple(c) for c in t["masked"]]
        table.masked_shares = {tuple(c) for c in t["masked_shares"]}
        # Kinds from the stored sets: shares by column, a share row's target and result; the other
        # cells stored as no counts are what the table's declaration calls them (an amount, text),
        # else measures. Which cells are counts is as stored, whatever the declaration says now.
        table.column_kinds = {**t.get("column_kinds", {}), **{c: SHARE for c in t["share_columns"]}}
        table.row_kinds = dict(t.get("row_kinds", {}))
        table.cell_kinds = {(r, c): SHARE for r in t["share_rows"] for c in _SHARE_ROW_COLUMNS}
        declared = registry.get(t["id"])
        for r, c in t["measures"]:
            if table.kind(r, c) == COUNT:
                kind = declared and (declared.row_kinds.get(r) or declared.column_kinds.get(c))
                table.cell_kinds[(r, c)] = kind if kind and kind != COUNT else MEASURE
        table.share_refs = {tuple(k): (tuple(of), tuple(per)) for k, of, per in t["share_refs"]}
        table.goal_rows = list(t["goal_rows"])
        table.measure_of = {tuple(k): [tuple(c) for c in cells] for k, cells in t.get("measure_of", [])}
        table.unit = t.get("unit", "")
        for r, c in t.get("decimals", []):
            table.cells[r][c] = Decimal(table.cells[r][c])
        for r, c in t.get("decimal_shares", []):
            table.shares[r][c] = Decimal(table.shares[r][c])
        table.cell_kinds.update({(r, c): k for r, c, k in t.get("cell_kinds", [])})
        table.extra = t.get("extra", {})
        table.texts = t.get("texts", {})
        table.partial = t.get("partial", False)
        tables.append(table)
    report = Report(
        FrozenAssociation(**data["association"]), datetime.date.fromisoformat(data["date_from"]),
        datetime.date.fromisoformat(data["date_to"]), data["interventions"],
        datetime.datetime.fromisoformat(data["generated_at"]), tables, published=data["published"],
        threshold=data["threshold"],
    )
    report.intervention_names = data["intervention_names"]
    report.respondent_groups = data.get("respondent_groups", [])
    report.relations = [([tuple(p) for p in parts], tuple(total)) for parts, total in data["relations"]]
    report.bounds = [(tuple(a), tuple(b)) for a, b in data["bounds"]]
    report.inequalities = [([(tuple(c), w) for c, w in terms], tuple(shown_by))
                           for terms, shown_by in data.get("inequalities", [])]
    report.omitted = list(data.get("omitted", []))
    return report


COUNTING_RULES = [
    "Aktuella: startdatum <= periodens slut och (inget slutdatum eller slutdatum >= periodens början).",
    "Nya: startdatum inom perioden. Avslutade: slutdatum inom perioden.",
    "Deltaganden med avslutsorsak felregistrering räknas aldrig.",
    "Anonyma deltaganden räknas i deltagarflöden och unika individer, inte i tabeller om bakgrund och resultat.",
    "Unika individer: olika personer bland aktuella deltaganden; varje anonymt deltagande räknas som en.",
    "Andelar beräknas av de visade antalen och avrundas till en decimal först vid visning.",
    "Ålder i hela år vid startdatum, från födelseår och födelsemånad.",
    "Tid i insats i månader = dagar från start till slut / 30,4375.",
]


def round_half_up(value, places=1):
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
