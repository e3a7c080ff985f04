"""The example förbund's finance report in every format (issue 13): the Excel sheets with native
number formats in the förbund's unit and a native chart of budget against actual per insats, the PDF
statements on A4, the page's unit choice, ``finsam report --unit``; nothing of this knows a table id
except where a test reads a sheet."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from finsam.reports import render_pdf, render_xlsx, units
from finsam.statistics.engine import compute_report

from tests.conftest import DATA

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


@pytest.fixture
def finance_report(finance_example):
    return compute_report(finance_example, *YEAR, tables=["finance"])


def _sheet_rows(sheet):
    return {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1) if sheet.cell(row=r, column=1).value}


def test_the_example_unit_is_the_foerbunds_setting(finance_example):
    assert units.default_unit(finance_example) == json.loads(
        (DATA / "exempel-forbund-ekonomi.json").read_text())["finance"].get("display_unit", "tkr")


@pytest.mark.parametrize("unit, number_format", [("tkr", '#,##0, "tkr"'), ("kr", '#,##0 "kr"')])
def test_excel_finance_sheets_hold_exact_numbers_in_the_unit_and_a_chart_per_insats(finance_report, unit, number_format):
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx.render(units.with_unit(finance_report, unit))))
    table = finance_report.table("budget_actual_by_intervention")
    sheet = workbook[table.title[:31]]
    for r, (key, label) in enumerate(table.rows, start=5):  # the table's rows under the header (row 4)
        assert sheet.cell(row=r, column=1).value == label
        for c, (col, _) in enumerate(table.columns, start=2):
            cell = sheet.cell(row=r, column=c)
            value = table.cell(key, col)
            if value is None:
                assert cell.value is None
                continue
            assert Decimal(str(cell.value)) == value and cell.number_format == number_format  # a number, not text
    charts = sheet._charts
    assert len(charts) == 1
    assert [s.tx.strRef.f for s in charts[0].series] and len(charts[0].series) == 2  # budget and utfall
    insatser = [label for key, label in table.rows if not key.startswith(("summa_", "ej_fordelat_", "totalt"))]
    start = _sheet_rows(sheet)["Diagramdata"]
    data_rows = [sheet.cell(row=r, column=1).value for r in range(start + 1, sheet.max_row + 1)]
    assert data_rows == insatser
    # Every finance sheet: amounts are numbers with the unit's format.
    for t in finance_report.tables:
        sheet = workbook[[name for name in workbook.sheetnames if name == t.title[:31]][0]]
        formats = {sheet.cell(row=r, column=c).number_format for r in range(5, 5 + len(t.rows))
                   for c in range(2, 2 + len(t.columns)) if isinstance(sheet.cell(row=r, column=c).value, (int, float))}
        if t.amounts:
            assert number_format in formats, t.id


def test_the_pdf_prints_the_statements_on_a4(finance_report):
    reader = PdfReader(io.BytesIO(render_pdf.render(units.with_unit(finance_report, "tkr"))))
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(842, 595)}  # A4 landscape
    text = "\n".join(p.extract_text() for p in reader.pages)
    for title in ("Resultaträkning", "Balansräkning", "Kassaflödesanalys"):
        assert title in text
    assert "tkr" in text


def test_the_report_page_shows_amounts_in_the_chosen_unit(finance_example, client):
    from finsam.tenancy.models import User

    admin = User.objects.get(username="admin@exempelstad.se")
    client.force_login(admin)
    query = {"period": "custom", "date_from": "2024-01-01", "date_to": "2024-12-31"}
    page = client.get(reverse("reports:report", args=["exempelstad"]), {**query, "unit": "kr"})
    table = page.context["report"].table("budget_actual_by_intervention")
    shown = page.content.decode()
    total = table.cell("totalt", "budget")
    as_kr = f"{int(units.in_unit(total, 'kr')):,}".replace(",", "\u00a0") + "\u00a0kr"
    assert as_kr in shown
    page = client.get(reverse("reports:report", args=["exempelstad"]), {**query, "unit": "tkr"})
    assert f"{int(units.in_unit(total, 'tkr')):,}".replace(",", "\u00a0") + "\u00a0tkr" in page.content.decode()
    assert as_kr not in page.content.decode()
    # The download keeps the choice.
    download = client.get(reverse("reports:report", args=["exempelstad"]), {**query, "unit": "kr", "format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    assert workbook[table.title[:31]].cell(row=5, column=2).number_format == '#,##0 "kr"'


def test_the_command_takes_the_unit(finance_example, tmp_path):
    out = tmp_path / "rapport.xlsx"
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--tables", "finance", "--format", "xlsx", "--unit", "kr", "--output", str(out))
    workbook = openpyxl.load_workbook(out)
    assert workbook["Budget och plan"].cell(row=5, column=2).number_format == '#,##0 "kr"'
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--tables", "finance", "--format", "xlsx", "--output", str(out))  # the förbund's own: tkr
    assert openpyxl.load_workbook(out)["Budget och plan"].cell(row=5, column=2).number_format == '#,##0, "tkr"'


def test_a_deltagaransvarig_sees_the_own_insats_budget_and_outcome_only(finance_example, client, monkeypatch):
    import finsam.finance.views as views
    from finsam.tenancy.models import Role, RoleAssignment, User

    manager = User.objects.create_user("projektledare@exempelstad.se")
    RoleAssignment.objects.create(user=manager, association=finance_example, role=Role.PARTICIPANT_MANAGER)
    own = finance_example.interventions.get(slug="novum")
    own.assigned_users.add(manager)
    client.force_login(manager)
    monkeypatch.setattr(views, "_today", lambda: datetime.date(2024, 12, 31))  # the page shows this year
    page = client.get(reverse("finance:intervention", args=["exempelstad", "novum"]))
    other = client.get(reverse("finance:intervention", args=["exempelstad", "aktivitetsplatsen"]))
    assert page.status_code == 200 and other.status_code == 404
    shown = page.content.decode()
    assert "Budget och utfall per insats" in shown and "Novum" in shown
    others = [i.name for i in finance_example.interventions.exclude(slug="novum")]
    assert not [name for name in others if name in shown.split("<main", 1)[1]]
    expected = compute_report(finance_example, *YEAR, ["novum"], tables=["budget_actual_by_intervention"])
    budget = expected.table("budget_actual_by_intervention").cell("novum", "budget")
    assert f"{int(units.in_unit(budget, 'tkr')):,}".replace(",", "\u00a0") + "\u00a0tkr" in shown


def test_a_published_finance_report_shows_the_foerbunds_unit(finance_example, client):
    from finsam.reports.publishing import publish_report
    from finsam.tenancy.models import User

    admin = User.objects.get(username="admin@exempelstad.se")
    published = publish_report(finance_example, date_from=YEAR[0], date_to=YEAR[1], interventions=[],
                               title="Årsredovisning 2024", user=admin)
    client.force_login(admin)
    page = client.get(reverse("reports:published_detail", args=["exempelstad", published.pk]))
    table = published.report().table("income_statement")
    result = table.cell("arets_resultat", "2024")
    assert isinstance(result, Decimal)
    assert f"{int(units.in_unit(result, 'tkr')):,}".replace(",", "\u00a0") + "\u00a0tkr" in page.content.decode()
