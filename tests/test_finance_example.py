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
