"""Activities and measures (shared/spec/activities-and-goals.md, part A): the example files give
the values shared/examples/README.md lists for 2024 and its first half, through the tables and the
metric sources alike; the files' rules; rights per insats; the förbundsfil sections."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from finsam.activities import figures
from finsam.activities.access import row_context
from finsam.activities.importing import import_activities, import_measures
from finsam.activities.models import Activity, ActivityKind, MeasureDefinition, MeasureValue
from finsam.interventions import association_file
from finsam.interventions.association_file import apply_association_file, export_association_file
from finsam.participants.importing import ImportRefused
from finsam.statistics import metrics
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import DataVersion, Role, RoleAssignment
from finsam.tenancy.permissions import Access
from tests.conftest import DATA, make_user

D = datetime.date
YEAR, H1 = (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 1, 1), D(2024, 6, 30))
EXPECTED = json.loads((DATA / "exempel-aktiviteter-forvantat.json").read_text())


def plan_file_without_plans():
    """exempel-plan-2024.json's insats (kunskapsdialoger); its plans are the plans app's (part B)."""
    document = json.loads((DATA / "exempel-plan-2024.json").read_text())
    if "plans" not in association_file._sections:
        document.pop("plans")
    return document


@pytest.fixture
def activities_example(example_association):
    association, admin = example_association
    apply_association_file(json.dumps(plan_file_without_plans()).encode())
    for command, name in (("import_activities", "exempel-aktiviteter.csv"), ("import_measures", "exempel-matt.csv")):
        call_command(command, "--association", association.slug, str(DATA / name), stdout=StringIO())
    return association


def report_tables(association, period):
    report = compute_report(association, *period, tables=["activities"])
    return {t["id"]: t for t in report.to_json()["tables"]}


@pytest.mark.parametrize("name, period", [("2024", YEAR), ("2024-h1", H1)])
def test_the_example_gives_the_expected_tables(activities_example, name, period):
    tables = report_tables(activities_example, period)
    checked = 0
    for table_id, kinds in EXPECTED[name]["tables"].items():
        for kind, expected_rows in kinds.items():
            for row, columns in expected_rows.items():
                for column, value in columns.items():
                    actual = tables[table_id][kind][row][column]
                    assert (round(actual, 4) if kind == "shares" else actual) == value, (table_id, kind, row, column)
                    checked += 1
    assert checked >= EXPECTED[name]["checked_at_least"]


@pytest.mark.parametrize("name, period", [("2024", YEAR), ("2024-h1", H1)])
def test_the_metric_sources_give_the_expected_goal_results(activities_example, name, period):
    for expected in EXPECTED[name]["metrics"]:
        start, end = (D.fromisoformat(d) for d in expected.get("span", [period[0].isoformat(), period[1].isoformat()]))
        query = metrics.MetricQuery(activities_example, start, end, tuple(expected.get("interventions", ())))
        assert metrics.validate(expected["ref"], activities_example) == []
        value = metrics.resolve(expected["ref"], query)
        assert value.accrual == expected["accrual"], expected
        for field in ("value", "numerator", "denominator"):
            if field in expected:
                got = getattr(value, field)
                assert (round(got, 4) if isinstance(got, float) else got) == expected[field], (expected, field)
