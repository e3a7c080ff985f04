"""The page, the files and the command show the same numbers, in Swedish formats."""

import csv
import datetime
import io
import json

import openpyxl
import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from finsam.reports import formatting
from finsam.reports.forms import ReportForm
from finsam.reports.periods import resolve
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import Role, RoleAssignment, User

D = datetime.date
QUERY = "?period=custom&date_from=2024-01-01&date_to=2024-12-31"


@pytest.fixture
def users(exempelstad):
    made = {}
    for role in (Role.ANALYST, Role.READER):
        user = User.objects.create_user(f"{role}@exempelstad.se")
        RoleAssignment.objects.create(user=user, association=exempelstad, role=role)
        made[role] = user
    return made


def download(client, fmt, extra=""):
    response = client.get(reverse("reports:report", args=["exempelstad"]) + QUERY + extra + f"&format={fmt}")
    assert response.status_code == 200
    return response


def counts(table):
    for row_key, _ in table.rows:
        for col_key, _ in table.columns:
            value = table.cell(row_key, col_key)
            if isinstance(value, int) and not isinstance(value, bool):
                yield row_key, col_key, value


def test_every_format_holds_the_same_numbers(exempelstad, users, client):
    client.force_login(users[Role.ANALYST])
    report = compute_report(exempelstad, D(2024, 1, 1), D(2024, 12, 31))
    page = client.get(reverse("reports:report", args=["exempelstad"]) + QUERY).content.decode()
    data = json.loads(download(client, "json").content)
    rows = list(csv.reader(io.StringIO(download(client, "csv").content.decode("utf-8-sig")), delimiter=";"))
    csv_cells = {(r[0], r[2], r[4]): (r[6], r[7]) for r in rows[1:]}
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, "xlsx").content))
    assert workbook.sheetnames[0] == "Om rapporten"
    checked = 0
    for table, json_table in zip(report.tables, data["tables"]):
        # Excel's sheet names leave out []:*?/\ (render_xlsx._sheet_name): "Målområde: …" of the plan
        sheet = workbook[next(n for n in workbook.sheetnames
                              if n == "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31])]
        labels = {sheet.cell(row=r, column=1).value: r for r in range(5, 5 + len(table.rows))}
        headers = {sheet.cell(row=4, column=c).value: c for c in range(2, 2 + len(table.columns))}
        for row_key, col_key, value in counts(table):
            assert json_table["cells"][row_key][col_key] == value
            assert csv_cells[(table.id, row_key, col_key)][0] == str(value)
            row_label = dict(table.rows)[row_key]
            col_label = dict(table.columns)[col_key]
            assert sheet.cell(row=labels[row_label], column=headers[col_label]).value == value
            checked += 1
        for row_key, shares in table.shares.items():
            for col_key, share in shares.items():
                if share is not None:
                    assert csv_cells[(table.id, row_key, col_key)][1] == f"{share:.4f}".replace(".", ",")
    assert checked > 400  # the loop really compared the tables
    # The page shows the exit-reason shares as Swedish percentages.
    assert "21,1\u00a0%" in page and "14,5\u00a0%" in page
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(download(client, "pdf").content)).pages)
    words = " ".join(pdf_text.split())  # the PDF's text puts each cell on a line of its own
    exit_reason = report.table("exit_reason")
    for row_key, label in exit_reason.rows:
        line = " ".join([label] + [formatting.cell(exit_reason, row_key, c) for c, _ in exit_reason.columns]
                        + [formatting.share_cell(exit_reason, row_key, c) for c, _ in exit_reason.columns])
        assert " ".join(line.split()) in words, line
    assert "Samordningsförbundet Exempelstad" in pdf_text


def test_reader_cannot_request_reports_of_their_choosing(exempelstad, users, client):
    """Läsare read published reports only: any period and subset on request could be subtracted."""
    client.force_login(users[Role.READER])
    for extra in ("", "&format=json", "&publish=on&format=csv"):
        assert client.get(reverse("reports:report", args=["exempelstad"]) + QUERY + extra).status_code == 403
    page = client.get(reverse("reports:published_list", args=["exempelstad"])).content.decode()
    assert "Inga rapporter är publicerade ännu" in page


def test_analyst_chooses_publication_mode(exempelstad, users, client):
    client.force_login(users[Role.ANALYST])
    assert json.loads(download(client, "json").content)["publication"]["masked"] is False
    assert json.loads(download(client, "json", "&publish=on").content)["publication"]["masked"] is True


def test_page_without_a_period_shows_only_the_form(exempelstad, users, client):
    client.force_login(users[Role.ANALYST])
    html = client.get(reverse("reports:report", args=["exempelstad"])).content.decode()
    assert "Visa statistik" in html and "Om rapporten" not in html


def test_custom_period_needs_both_dates(exempelstad):
    form = ReportForm({"period": "custom", "date_from": "2024-05-01"}, association=exempelstad)
    assert not form.is_valid() and "Ange periodens sista dag." in form.errors["date_to"]
    form = ReportForm({"period": "custom", "date_from": "2024-05-01", "date_to": "2024-01-01"}, association=exempelstad)
    assert not form.is_valid()


@pytest.mark.parametrize("preset, today, expected", [
    ("this_year", D(2026, 11, 23), (D(2026, 1, 1), D(2026, 12, 31))),
    ("last_year", D(2026, 1, 1), (D(2025, 1, 1), D(2025, 12, 31))),
    ("this_half", D(2026, 6, 30), (D(2026, 1, 1), D(2026, 6, 30))),
    ("this_half", D(2026, 7, 1), (D(2026, 7, 1), D(2026, 12, 31))),
    ("last_half", D(2026, 3, 1), (D(2025, 7, 1), D(2025, 12, 31))),
    ("last_half", D(2026, 11, 23), (D(2026, 1, 1), D(2026, 6, 30))),
    ("year_to_date", D(2026, 11, 23), (D(2026, 1, 1), D(2026, 11, 23))),
    ("this_quarter", D(2026, 11, 23), (D(2026, 10, 1), D(2026, 12, 31))),
    ("last_quarter", D(2026, 2, 10), (D(2025, 10, 1), D(2025, 12, 31))),
    ("last_quarter", D(2026, 5, 10), (D(2026, 1, 1), D(2026, 3, 31))),
    ("custom", D(2026, 5, 10), None),
])
def test_period_presets(preset, today, expected):
    assert resolve(preset, today) == expected


@pytest.mark.parametrize("value, text", [
    (1233, "1\u00a0233"), (0, "0"), (12.75, "12,8"), (None, "–"),
])
def test_swedish_numbers(value, text):
    assert formatting.number(value, 1 if isinstance(value, float) else 0) == text


def test_swedish_shares():
    assert formatting.share(64 / 280) == "22,9\u00a0%"
    assert formatting.share(0.1845) == "18,5\u00a0%"  # half-up, not banker's rounding
    assert formatting.share(None) == "–"


def test_report_command_json_matches_the_engine(exempelstad, capsys):
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-06-30")
    data = json.loads(capsys.readouterr().out)
    expected = compute_report(exempelstad, D(2024, 1, 1), D(2024, 6, 30)).to_json()
    assert data["tables"] == json.loads(json.dumps(expected["tables"]))


def test_report_command_files_and_refusals(exempelstad, tmp_path):
    out = tmp_path / "r.xlsx"
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--intervention", "novum", "--publish", "--format", "xlsx", "--output", str(out))
    assert openpyxl.load_workbook(out).sheetnames[0] == "Om rapporten"
    for args, message in [
        (["--format", "pdf"], "--output behövs"),
        (["--intervention", "finns-inte"], "Okända insatser"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31", *args)
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        call_command("report", "--association", "exempelstad", "--from", "2024-13-01", "--to", "2024-12-31")
    with pytest.raises(CommandError, match="före"):
        call_command("report", "--association", "exempelstad", "--from", "2024-12-01", "--to", "2024-01-31")


def test_goal_figures_read_as_counts_or_percentages(exempelstad):
    report = compute_report(exempelstad, D(2024, 1, 1), D(2024, 12, 31))
    goals = report.table("goals")
    count_goal, share_goal = "aktivitetsplatsen.new_count", "aktivitetsplatsen.share_work_or_study"
    # the plan's rows read as the engine's texts: the target with its kind, the result with its basis
    assert (formatting.cell(goals, count_goal, "target"), formatting.cell(goals, count_goal, "result")) == (
        "Minst 40", "27")
    assert formatting.cell(goals, share_goal, "target") == "Minst 30\u00a0%"
    assert formatting.cell(goals, share_goal, "result") == "0\u00a0% (0 av 11)"
    assert formatting.cell(goals, count_goal, "grade") == "Godtagbart"
    assert formatting.cell(report.table("work_or_study"), "aktivitetsplatsen", "target") == "30,0\u00a0%"


def test_page_lists_the_counting_rules(exempelstad, users, client):
    from finsam.statistics.tables import COUNTING_RULES

    client.force_login(users[Role.ANALYST])
    page = client.get(reverse("reports:report", args=["exempelstad"]) + QUERY).content.decode()
    assert "Räkneregler" in page and all(rule.split(":")[0] in page for rule in COUNTING_RULES)


def test_a_thirty_year_report_is_a_pdf(exempelstad, users, client):
    """Found by an attack: from 13 years on, the chart of flows over the years was taller than the
    page and the PDF was a 500 (for a publication too, which cannot be changed afterwards)."""
    client.force_login(users[Role.ANALYST])
    url = reverse("reports:report", args=["exempelstad"]) + "?period=custom&date_from=1995-01-01&date_to=2024-12-31"
    response = client.get(url + "&format=pdf")
    assert response.status_code == 200
    assert "2024" in "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
