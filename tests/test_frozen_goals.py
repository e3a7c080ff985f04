"""A publication frozen with the issue-9 ``goals`` table (rows ``<insats>:<year>:<metric>``, read from
interventions.Goal) before the plan became the only store of insats goals and ``goals`` its table
"Måluppfyllelse per insats". The stored content (tests/data/frozen-publication-old-goals.json) is a
publication of the example förbund for January-June 2024 made by that code (its flow,
work_or_study, exit_reason and goals tables, with the relations among them): it must render as it
did on every format and on the start page, and differencing must still tie its goal counts to the
cells they counted."""

import datetime
import io
import json

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from finsam.reports import exporters, overview
from finsam.reports.models import PublishedReport
from finsam.reports.publishing import publish_report
from finsam.statistics import differencing
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import Role, RoleAssignment, User
from tests.conftest import DATA
from tests.plan_goals import insats_goal
from tests.test_masking import assert_safe

D = datetime.date
H1 = (D(2024, 1, 1), D(2024, 6, 30))
ROWS = {  # the old table's rows: label, and the cells as the old code computed and masked them
    "aktivitetsplatsen:2024:new_count": "Aktivitetsplatsen 2024: Antal nya deltagare",
    "aktivitetsplatsen:2024:share_work_or_study": "Aktivitetsplatsen 2024: Andel till arbete eller studier",
    "novum:2024:current_count": "Novum 2024: Antal aktuella deltagare",
    "novum:2024:share_exit_reason:studier": "Novum 2024: Andel avslut med orsak studier",
}


@pytest.fixture
def old_publication(exempelstad):
    reader = User.objects.create_user("styrelse@exempelstad.se")
    RoleAssignment.objects.create(user=reader, association=exempelstad, role=Role.READER)
    analyst = User.objects.create_user("analytiker@exempelstad.se")
    RoleAssignment.objects.create(user=analyst, association=exempelstad, role=Role.ANALYST)
    content = json.loads((DATA / "frozen-publication-old-goals.json").read_text())
    published = PublishedReport.objects.create(
        association=exempelstad, title="Halvår 2024", date_from=H1[0], date_to=H1[1], interventions=[],
        threshold=content["threshold"], content=content, published_by=analyst)
    return published, reader, analyst


def test_the_old_goals_table_is_in_the_stored_content():
    content = json.loads((DATA / "frozen-publication-old-goals.json").read_text())
    goals = next(t for t in content["tables"] if t["id"] == "goals")
    assert [r[0] for r in goals["rows"]] == list(ROWS) and goals["goal_rows"] == list(ROWS)
    assert [c[0] for c in goals["columns"]] == ["target", "result", "numerator", "denominator", "basis", "grade",
                                                "opening", "expected", "status"]


def test_a_publication_frozen_with_the_old_goals_table_renders_on_every_format(old_publication, client):
    published, reader, _ = old_publication
    client.force_login(reader)
    url = reverse("reports:published_detail", args=["exempelstad", published.pk])
    page = client.get(url).content.decode()
    for label in ROWS.values():
        assert label in page
    assert "15 deltaganden" in page and "62 deltaganden" in page and "Ingående" in page and "Risk" in page

    data = json.loads(client.get(url + "?format=json").content)
    goals = next(t for t in data["tables"] if t["id"] == "goals")
    assert goals["title"] == "Måluppfyllelse" and [r["key"] for r in goals["rows"]] == list(ROWS)
    assert set(goals["cells"]) == set(ROWS)
    new = goals["cells"]["aktivitetsplatsen:2024:new_count"]
    assert (new["result"], new["basis"], new["status"], new["grade"]) == (15, "15 deltaganden", "Risk", None)
    current = goals["cells"]["novum:2024:current_count"]
    assert (current["opening"], current["result"], current["status"]) == (46, 62, "I fas")
    hidden = goals["cells"]["novum:2024:share_exit_reason:studier"]
    assert hidden["numerator"] is None and hidden["result"] is None and hidden["denominator"] == 19
    assert {"row": "novum:2024:share_exit_reason:studier", "column": "numerator"} in goals["masked"]

    csv = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert "Aktivitetsplatsen 2024: Antal nya deltagare" in csv and "15 deltaganden" in csv

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    values = {str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert set(ROWS.values()) <= values and "62 deltaganden" in values

    # PDF (a heavy format, made in the background for a big report): rendered as the download renders it
    pdf = exporters.registry.get("pdf").render(published.report())
    text = " ".join("".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Aktivitetsplatsen 2024: Antal nya deltagare" in text and "62 deltaganden" in text


def test_the_start_page_reads_the_old_goals_of_a_publication(old_publication):
    published, _, _ = old_publication
    shown = overview.published_overview(published.association, D(2024, 8, 15))
    goals = {(g.intervention, g.label): g for g in shown.this_year.goals}
    new = goals[("Aktivitetsplatsen", "Antal nya deltagare")]
    # 15 new against 40 × 182/366 = 19.9 expected: 75 %, Risk
    assert (new.target, new.result, new.basis, new.expected, new.assessment, new.complete) == (
        "40", "15", "15 deltaganden", "19,9", "Risk", False)
    current = goals[("Novum", "Antal aktuella deltagare")]
    assert (current.result, current.expected, current.assessment) == ("62", "38,0", "I fas")
    masked = goals[("Novum", "Andel avslut med orsak studier")]
    assert (masked.target, masked.result, masked.assessment) == ("20,0\u00a0%", "..", "..")


def test_differencing_still_ties_the_old_goal_counts_to_the_cells_they_counted(old_publication, exempelstad):
    published, _, analyst = old_publication
    old = published.report()
    bounds = differencing._bounds([old, compute_report(exempelstad, D(2024, 1, 1), D(2024, 12, 31))])
    # a goal's count from 1 January is the insats's flow cell of the same span, atom for atom
    for row, col, table_id, cell_col in [("aktivitetsplatsen:2024:new_count", "numerator", "flow", "new_totalt"),
                                         ("novum:2024:share_exit_reason:studier", "denominator", "work_or_study",
                                          "exited")]:
        slug = row.split(":")[0]
        goal = differencing._atoms(old, "goals", row, col, bounds)
        cell = differencing._atoms(old, table_id, slug, cell_col, bounds)
        assert goal and sorted(goal) == sorted(cell), row
    # the count of several exit reasons and a current count's opening: atoms of their own
    (opening,) = differencing._atoms(old, "goals", "novum:2024:current_count", "opening", bounds)
    assert opening[:4] == ("atom", "goals", "novum:2024:current_count", "opening")
    # a new publication, with the insats goals in the plan, is masked against the old one
    insats_goal(exempelstad.interventions.get(slug="novum"), 2024, "current_count", 30)
    year = publish_report(exempelstad, date_from=D(2024, 1, 1), date_to=D(2024, 12, 31), interventions=[],
                          title="År 2024", user=analyst)
    report = year.report()
    assert "novum.current_count" in report.table("goals").cells
    assert_safe(compute_report(exempelstad, D(2024, 1, 1), D(2024, 12, 31)), report, 5)
