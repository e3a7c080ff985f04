"""The example förbund's finance tables (shared/examples, exempel-ekonomi-2024*.json) reproduced cell
by cell from its budget and actuals files and participants, as finsam report --tables finance gives them."""

import datetime
import json

import pytest

from finsam.statistics.engine import compute_report

from .conftest import DATA


def _differences(expected, document):
    got = {t["id"]: t for t in document["tables"]}
    wrong = []
    for table in expected["tables"]:
        mine = got.get(table["id"])
        if mine is None:
            wrong.append(f"{table['id']}: missing")
            continue
        for what in ("title", "unit"):
            if mine.get(what) != table[what]:
                wrong.append(f"{table['id']}: {what} {mine.get(what)!r} != {table[what]!r}")
        for what in ("rows", "columns"):
            if mine[what] != table[what]:
                wrong.append(f"{table['id']}: {what} {mine[what]} != {table[what]}")
        for row, cells in table["cells"].items():
            for col, value in cells.items():
                value_got = mine["cells"].get(row, {}).get(col, "absent")
                if value_got != value or type(value_got) is not type(value):
                    wrong.append(f"{table['id']}[{row}][{col}]: {value_got!r} != {value!r}")
        for row, shares in table.get("shares", {}).items():
            for col, value in shares.items():
                value_got = mine["shares"].get(row, {}).get(col)
                if value_got != value:
                    wrong.append(f"{table['id']} share [{row}][{col}]: {value_got!r} != {value!r}")
    return wrong


@pytest.mark.parametrize("name, start, end", [
    ("exempel-ekonomi-2024.json", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
    ("exempel-ekonomi-2024-h1.json", datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)),
])
def test_every_cell_of_the_expected_finance_tables(finance_example, name, start, end):
    expected = json.loads((DATA / name).read_text(encoding="utf-8"))
    report = compute_report(finance_example, start, end, tables=["finance"])
    document = json.loads(json.dumps(report.to_json()))  # through JSON, as the exporter writes it
    assert _differences(expected, document) == []
    assert [t["id"] for t in document["tables"]] == [t["id"] for t in expected["tables"]]
    assert document["omitted"] == expected["omitted"]
    assert document["unit"] == "kr"


def test_published_finance_hides_small_participant_counts_but_never_amounts(finance_example):
    report = compute_report(finance_example, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31),
                            tables=["flow", "work_or_study", "cost_per_participant", "budget_actual"], publish=True)
    cost = report.table("cost_per_participant")
    # FINSAM-team: 4 exits to work or studies, below the threshold 5: hidden, and the cost per such
    # exit with it; its amounts stay.
    assert cost.cell("finsam-team", "arbete_studier") is None
    assert cost.cell("finsam-team", "per_arbete_studier") is None
    assert cost.cell("finsam-team", "kostnad") == 2089500
    # The same counts as the participant tables, hidden alike (secondary suppression included).
    outcomes = report.table("work_or_study")
    for slug in ("aktivitetsplatsen", "finsam-team", "ips-psykos", "novum"):
        assert (cost.cell(slug, "arbete_studier") is None) == (outcomes.cell(slug, "work_or_study") is None)
    budget = report.table("budget_actual")
    assert not budget.masked and budget.cell("summa_kostnader", "utfall") is not None


def test_a_frozen_finance_report_thaws_to_the_same_exact_amounts(finance_example):
    from decimal import Decimal

    from finsam.statistics.tables import freeze, thaw

    report = compute_report(finance_example, datetime.date(2024, 1, 1), datetime.date(2024, 6, 30),
                            tables=["finance"], publish=True)
    stored = json.loads(json.dumps(freeze(report)))  # as a PublishedReport keeps it (JSON, no floats of money)
    again = thaw(stored)
    assert again.omitted == report.omitted
    for table, thawed in zip(report.tables, again.tables):
        assert thawed.cells == table.cells and thawed.unit == "kr"
        assert {(r, c): thawed.kind(r, c) for r in table.cells for c in table.cells[r]} == {
            (r, c): table.kind(r, c) for r in table.cells for c in table.cells[r]}
    assert isinstance(again.table("budget_actual").cell("projektbidrag", "budget"), Decimal)
    assert [t.to_json() for t in again.tables] == [t.to_json() for t in report.tables]


def test_a_report_for_some_insatser_keeps_the_per_insats_finance_tables(finance_example):
    report = compute_report(finance_example, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31),
                            ["novum"], tables=["finance"])
    assert [t.id for t in report.tables] == ["budget_by_intervention", "budget_actual_by_intervention",
                                             "cost_per_participant"]
    by_intervention = report.table("budget_actual_by_intervention")
    assert [k for k, _ in by_intervention.rows] == ["novum", "totalt"]
    assert by_intervention.to_json()["cells"]["totalt"] == {"budget": 3400000, "utfall": 3363163, "avvikelse": 36837,
                                                            "extern_finansiering": 1140000, "nettokostnad": 2223163}
    assert {o["reason"] for o in report.omitted} == {"gäller hela förbundet, inte ett urval av insatser"}
