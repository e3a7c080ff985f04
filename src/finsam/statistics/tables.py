"""A table is data: rows, columns, cells, shares, denominator, notes. Renderers only format it."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


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
    # Cells that are measures (mean, median) rather than counts: never masked by count rules.
    measures: set = field(default_factory=set)
    # Rows whose target and result are shares (fractions), e.g. a goal measured as a share.
    share_rows: set = field(default_factory=set)
    # Columns whose cells are shares (fractions), e.g. an insats's target share.
    share_columns: set = field(default_factory=set)
    chart: str = ""  # "bar" or "" (rendered as a chart as well as the table)

    def cell(self, row, col):
        return self.cells.get(row, {}).get(col)

    def share(self, row, col):
        return self.shares.get(row, {}).get(col)

    def set_share(self, row, col, numerator, denominator):
        """Store numerator / denominator unrounded (None when the denominator is 0)."""
        value = None if not denominator else numerator / denominator
        self.shares.setdefault(row, {})[col] = value

    def to_json(self):
        def rnd(value):
            return None if value is None else round(value, 4)

        data = {
            "id": self.id,
            "title": self.title,
            "population": self.population,
            "rows": [{"key": k, "label": label} for k, label in self.rows],
            "columns": [{"key": k, "label": label} for k, label in self.columns],
            "cells": self.cells,
            "shares": {r: {c: rnd(v) for c, v in cols.items()} for r, cols in self.shares.items()},
            "denominator": self.denominator,
            "notes": self.notes,
        }
        if self.masked:
            data["masked"] = [{"row": r, "column": c} for r, c in self.masked]
            data["masked_shares"] = [{"row": r, "column": c} for r, c in sorted(self.masked_shares)]
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

    def table(self, table_id):
        return next(t for t in self.tables if t.id == table_id)

    def to_json(self):
        return {
            "format": "finsam-report/1",
            "association": {"slug": self.association.slug, "name": self.association.name},
            "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()},
            "filters": {"interventions": self.interventions},
            "publication": {"masked": self.published, "threshold": self.threshold if self.published else None},
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "counting_rules": COUNTING_RULES,
            "tables": [t.to_json() for t in self.tables],
        }


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
