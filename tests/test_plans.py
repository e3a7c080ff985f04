"""The förbund's plan (issue 14, part B): the example plan's expected goals and plan_summary of
shared/examples/README.md ("Goals 2024", "First half of 2024"), the förbundsfil's plans section,
the insats goals as part of the plan, grading and status."""

import datetime
import json
from pathlib import Path

import pytest

from finsam.interventions.association_file import AssociationFileError, apply_association_file, export_association_file
from finsam.interventions.models import Goal
from finsam.plans.models import Indicator, Plan
from finsam.statistics import metrics
from finsam.statistics.engine import compute_report

DATA = Path(__file__).resolve().parent / "data"
D = datetime.date
YEAR, H1 = (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 1, 1), D(2024, 6, 30))
HAS_ACTIVITIES = metrics.get_source("activities") is not None


@pytest.fixture
def example_plan(exempelstad):
    apply_association_file((DATA / "exempel-plan-2024.json").read_bytes())
    return exempelstad


def report(association, period, **kwargs):
    return compute_report(association, *period, tables=["goals"], **kwargs)


def indicator_cells(rep):
    """{"<goal>.<indicator>": cells} over every plan_goals table."""
    rows = {}
    for table in rep.tables:
        if table.id.startswith("plan_goals."):
            rows.update({key: (table.cells[key], table.texts[key]) for key, _ in table.rows})
    return rows


def test_the_example_plan_and_the_insats_goals_give_one_indicator_each(example_plan):
    plan = Plan.objects.get(association=example_plan)
    assert (plan.key, plan.name) == ("vp-2024", "Verksamhetsplan 2024")
    assert Indicator.objects.filter(goal__focus_area__plan=plan).count() == 21
    apply_association_file((DATA / "exempel-forbund.json").read_bytes())  # both forms again, either order
    assert Indicator.objects.filter(goal__focus_area__plan=plan).count() == 21
    new_count = Indicator.objects.get(goal__key="aktivitetsplatsen", key="new_count")
    assert new_count.target == {"type": "at_least", "value": 40} and new_count.text == "40 nya deltagare"


def test_goals_2024_participants_and_manual(example_plan):
    rows = indicator_cells(report(example_plan, YEAR))
    expected = {  # README "Goals 2024": result, numerator, denominator, previous, grade
        "stod.individer": (235, None, None, 178, "godtagbart"),
        "stod.arbete-studier": (14 / 76, 14, 76, 0.24, "godtagbart"),
        "strukturer.strukturer-enkat": (37 / 43, 37, 43, None, "god"),
        "stod.tolv-manader": (None, None, None, None, "ej_bedomt"),
        "administration.admin-andel": (0.112, None, None, None, "godtagbart"),
        "aktivitetsplatsen.new_count": (27, 27, None, 22, "godtagbart"),
        "aktivitetsplatsen.share_work_or_study": (0, 0, 11, None, "ej_uppfyllt"),
        "finsam-team.new_count": (35, 35, None, None, "god"),
        "finsam-team.share_women_new": (20 / 35, 20, 35, None, "god"),
        "ips-psykos.current_count": (64, 64, None, None, "god"),
        "ips-psykos.share_work_or_study": (0.25, 5, 20, None, "god"),
        "novum.new_count": (27, 27, None, None, "godtagbart"),
    }
    for key, (result, numerator, denominator, previous, grade) in expected.items():
        cells, _ = rows[key]
        assert cells["result"] == pytest.approx(result) if result is not None else cells["result"] is None, key
        if numerator is not None:
            assert (cells["numerator"], cells["denominator"]) == (numerator, denominator), key
        if previous is not None:
            assert cells["previous"] == pytest.approx(previous), key
        assert cells["grade"] == grade and cells["status"] is None, key
    gap, texts = rows["stod.konsskillnad"]
    assert round(gap["result"], 4) == 0.0637 and gap["previous"] == 0.0 and gap["grade"] == "ej_uppfyllt"
    assert texts["result"] == "6,4 procentenheter (kvinnor 22,5\u00a0%, män 16,1\u00a0%)"
    assert rows["stod.arbete-studier"][1]["result"] == "18,4\u00a0% (14 av 76)"
    assert rows["finsam-team.share_women_new"][1]["target"] == "45–55\u00a0%"
    assert rows["stod.arbete-studier"][1]["target"] == "Minst 30\u00a0%"
    project, texts = rows["novum.nya-projektperioden"]  # no grade before 2025-12-31
    assert project["result"] == 66 and round(project["expected_to_date"], 2) == 67.54
    assert project["status"] == "i_fas" and project["grade"] is None
    assert texts["status"] == "I fas"


def test_first_half_of_2024_statuses(example_plan):
    rows = indicator_cells(report(example_plan, H1))
    expected = {  # README "First half of 2024": result, expected to date, status
        "stod.individer": (176, 186.66, "risk"),
        "stod.arbete-studier": (7 / 44, 0.30, "risk"),
        "aktivitetsplatsen.new_count": (15, 19.89, "risk"),
        "ips-psykos.current_count": (46, 46.43, "i_fas"),
        "novum.nya-projektperioden": (55, 51.18, "i_fas"),
    }
    for key, (result, expected_value, status) in expected.items():
        cells, _ = rows[key]
        assert cells["result"] == pytest.approx(result), key
        assert round(cells["expected_to_date"], 2) == pytest.approx(expected_value), key
        assert cells["status"] == status and cells["grade"] is None, key
    gap, _ = rows["stod.konsskillnad"]
    assert round(gap["result"], 4) == 0.1641 and gap["status"] == "ej_i_fas"
    for key in ("strukturer.strukturer-enkat", "stod.tolv-manader", "administration.admin-andel"):
        assert rows[key][0]["status"] == "ej_bedomt", key


def summary(rep):
    table = rep.table("plan_summary")
    return {row: table.cells[row] for row, _ in table.rows}


@pytest.mark.skipif(not HAS_ACTIVITIES, reason="needs the activities and measures sources (branch activities)")
def test_plan_summary_2024(example_plan):
    rows = summary(report(example_plan, YEAR))
    assert rows["samverkan"]["grade"] == "god" and rows["samverkan"]["god"] == 6
    assert rows["individ"]["grade"] == "ej_uppfyllt"
    assert rows["ekonomi"]["grade"] == "godtagbart"
    insatsmal = rows["insatsmal"]
    assert (insatsmal["god"], insatsmal["godtagbart"], insatsmal["ej_uppfyllt"], insatsmal["i_fas"]) == (5, 3, 1, 1)
    assert insatsmal["grade"] == "ej_uppfyllt"
    total = rows["totalt"]
    assert (total["god"], total["godtagbart"], total["ej_uppfyllt"], total["ej_bedomt"], total["i_fas"]) == (11, 6, 2, 1, 1)
    assert total["indicators"] == 21
