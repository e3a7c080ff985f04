"""Amounts in every output (shared/spec/finance.md, "Exact money"): a table holds exact kronor
(Decimal); JSON and CSV give whole kronor, the page, Excel and PDF the report's unit (kr or tkr);
each shown figure is rounded once from its exact value, a half away from zero, and a total is
never the sum of rounded lines. Nothing here knows a table id: the table is declared as data."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from finsam.reports import formatting, render_csv, render_pdf, render_xlsx, units
from finsam.reports.charts import chart_for
from finsam.reports.exporters import render_html
from finsam.reports.html import table_view
from finsam.statistics import tables
from finsam.statistics.tables import AMOUNT_KR, FrozenAssociation, Report

NBSP = "\u00a0"
# Three lines whose rounded values do not add up to their rounded total (issue 13: "totals of
# rounded lines"): 1 499,50 + 1 499,50 + 1,25 = 3 000,25 kr, shown 3 000 kr, while the shown lines
# 1 500 + 1 500 + 1 make 3 001. In tkr the lines show 1 + 1 + 0 and the total 3.
LINES = {"a": Decimal("1499.50"), "b": Decimal("1499.50"), "c": Decimal("1.25")}
NEGATIVE = {"a": Decimal("-0.5"), "b": Decimal("12.5"), "c": Decimal("-1499.5")}  # sum -1 487,5

SPEC = tables.TableSpec(
    id="amount_test", title="Budget och utfall per insats (test)", family="amount_test", source="finance",
    order=2000, population="participations", build=lambda ctx: None, reads=(),
    column_kinds={"budget": AMOUNT_KR, "utfall": AMOUNT_KR},
    chart=tables.Chart("bar", (tables.Series("Budget", "budget"), tables.Series("Utfall", "utfall")),
                       summary_rows=("totalt",)),
)


def amount_table():
    rows = [("a", "Insats A"), ("b", "Insats B"), ("c", "Insats C"), ("totalt", "Totalt")]
    table = SPEC.table(rows, [("budget", "Budget"), ("utfall", "Utfall"), ("antal", "Antal")])
    table.unit = "kr"  # a table of amounts says so (finance/report_tables.py)
    for key in LINES:
        table.cells[key] = {"budget": LINES[key], "utfall": NEGATIVE[key], "antal": 1}
    table.cells["totalt"] = {"budget": sum(LINES.values()), "utfall": sum(NEGATIVE.values()), "antal": 3}
    return table


def report(unit="kr"):
    return Report(FrozenAssociation("exempel", "Samordningsförbundet Exempel"), datetime.date(2024, 1, 1),
                  datetime.date(2024, 12, 31), [], datetime.datetime(2025, 1, 10, 9, 0, tzinfo=datetime.timezone.utc),
                  [amount_table()], unit=unit)


def test_a_shown_amount_rounds_half_away_from_zero():
    assert [units.in_unit(Decimal(v)) for v in ("12.5", "-0.5", "-12.5", "0.49", "1499.5")] == [13, -1, -13, 0, 1500]
    assert units.in_unit(Decimal("12500"), "tkr") == 13 and units.in_unit(Decimal("-500"), "tkr") == -1
    assert units.in_unit(Decimal("12499.99"), "tkr") == 12


def test_json_gives_whole_kronor_from_the_exact_amounts_and_states_the_unit():
    data = json.loads(json.dumps(report("tkr").to_json()))  # the unit of the page never reaches JSON
    table = data["tables"][0]
    assert table["unit"] == "kr"
    assert table["cells"]["a"] == {"budget": 1500, "utfall": -1, "antal": 1}
    assert table["cells"]["c"]["budget"] == 1 and table["cells"]["b"]["utfall"] == 13
    assert table["cells"]["totalt"]["budget"] == 3000  # from 3 000,25, not 1 500 + 1 500 + 1
    assert table["cells"]["totalt"]["utfall"] == -1488  # -1 487,5 half away from zero


def test_csv_gives_whole_kronor():
    lines = render_csv.render(report("tkr")).decode("utf-8-sig").splitlines()
    assert "amount_test;Budget och utfall per insats (test);totalt;Totalt;budget;Budget;3000;" in lines
    assert "amount_test;Budget och utfall per insats (test);a;Insats A;utfall;Utfall;-1;" in lines


@pytest.mark.parametrize("unit, a, total, negative_total", [
    ("kr", f"1{NBSP}500{NBSP}kr", f"3{NBSP}000{NBSP}kr", f"−1{NBSP}488{NBSP}kr"),
    ("tkr", f"1{NBSP}tkr", f"3{NBSP}tkr", f"−1{NBSP}tkr"),
])
def test_screen_and_pdf_cells_are_in_the_unit_each_rounded_once(unit, a, total, negative_total):
    table = amount_table()
    assert formatting.cell(table, "a", "budget", unit) == a
    assert formatting.cell(table, "totalt", "budget", unit) == total  # 3 000,25 kr, not the sum of shown lines
    assert formatting.cell(table, "totalt", "utfall", unit) == negative_total
    assert formatting.cell(table, "a", "antal", unit) == "1"  # counts are no amounts
    view = table_view(table, unit)
    (block,) = view["blocks"]  # one block on the page
    assert block["rows"][3]["cells"][0] == total and block["rows"][3]["total"]


def test_html_file_shows_the_unit_and_says_how_amounts_are_rounded():
    page = render_html(report("tkr")).decode()
    assert f"3{NBSP}tkr" in page and "tusental kronor" in page
    page = render_html(report("kr")).decode()
    assert f"3{NBSP}000{NBSP}kr" in page and "I hela kronor" in page


@pytest.mark.parametrize("unit, number_format", [("kr", '#,##0 "kr"'), ("tkr", '#,##0, "tkr"')])
def test_excel_amounts_are_exact_numbers_with_a_native_number_format_and_a_native_chart(unit, number_format):
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx.render(report(unit))))
    sheet = workbook[SPEC.title[:31]]
    found = {sheet.cell(row=r, column=1).value: r for r in range(5, 9)}
    total = sheet.cell(row=found["Totalt"], column=2)
    assert isinstance(total.value, (int, float)) and Decimal(str(total.value)) == Decimal("3000.25")
    assert total.number_format == number_format
    assert sheet.cell(row=found["Insats A"], column=4).number_format == "# ##0"  # the count
    assert sheet.cell(row=found["Totalt"], column=1).font.b  # a summary row in bold
    charts = sheet._charts
    assert len(charts) == 1 and len(charts[0].series) == 2  # budget and utfall per insats


def test_pdf_shows_amounts_in_the_unit():
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf.render(report("tkr")))).pages)
    assert "tkr" in text and "3 000" not in text.replace(NBSP, " ")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf.render(report("kr")))).pages)
    assert "3 000 kr" in text.replace(NBSP, " ")


def test_the_chart_of_amount_columns_plots_exact_amounts_in_the_unit():
    chart = chart_for(amount_table(), "tkr")
    assert chart.amount and chart.categories == ["Insats A", "Insats B", "Insats C"]
    assert chart.series[0] == ("Budget", [LINES["a"], LINES["b"], LINES["c"]])
    assert chart.scaled(LINES["a"]) == pytest.approx(1.4995) and chart.text(LINES["a"]) == f"1{NBSP}tkr"


def test_a_frozen_publication_keeps_amounts_exact():
    again = tables.thaw(json.loads(json.dumps(tables.freeze(report()))))
    table = again.table("amount_test")
    assert table.cell("totalt", "budget") == Decimal("3000.25") and isinstance(table.cell("a", "utfall"), Decimal)
    assert table.amounts == amount_table().amounts and table.cell("a", "antal") == 1
    assert again.to_json()["tables"][0]["cells"] == report().to_json()["tables"][0]["cells"]


def test_with_unit_copies_a_cached_report():
    original = report()
    shown = units.with_unit(original, "tkr")
    assert shown.unit == "tkr" and original.unit == "kr" and shown.tables is original.tables
    assert units.with_unit(original, "nonsense") is original
