"""The activity tables read a report's activities and the förbund's activity kinds once per report
(activities/report_tables.py, ``_Reads``), whatever the number of tables and relations that use them,
and never keep them from one report to the next."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finsam.activities.importing import import_activities
from finsam.interventions.association_file import apply_association_file
from finsam.statistics import tables as registry
from finsam.statistics.engine import compute_report
from tests.test_activities import H1, YEAR, _ctx, activities_example  # noqa: F401 (a fixture)

ACTIVITY_TABLES = ["activities"]  # the family (the table "activities" too)


def _reads(queries, table):
    return sum(1 for q in queries.captured_queries if f'FROM "{table}"' in q["sql"])


@pytest.mark.parametrize("interventions", [[], ["finsam-team"]], ids=["förbund", "insats"])
def test_a_report_reads_its_activities_and_the_kinds_once(activities_example, interventions):
    with CaptureQueriesContext(connection) as queries:
        report = compute_report(activities_example, *YEAR, interventions, tables=ACTIVITY_TABLES)
    assert {t.id for t in report.tables} == {spec.id for spec in registry.specs(ACTIVITY_TABLES)}
    assert _reads(queries, "activities_activity") == 1
    assert _reads(queries, "activities_activitykind") == 1
    # The other tables add nothing to what a report of the measures alone reads (its Context, and the
    # measures' definitions and values, read per measure by figures.measure_value, as a goal's are).
    with CaptureQueriesContext(connection) as measures_alone:
        compute_report(activities_example, *YEAR, interventions, tables=["measures"])
    assert len(queries) <= len(measures_alone) + 2, [q["sql"][:100] for q in queries.captured_queries]


def test_each_report_counts_the_activities_and_kinds_as_they_are_then(activities_example):
    """Read once per report, not once per process or förbund: a second report, of the same förbund
    and period or of another period, counts what was added between them."""
    association = activities_example

    def cells(period):
        return compute_report(association, *period, tables=ACTIVITY_TABLES).table("activities").cells

    year, h1 = cells(YEAR), cells(H1)
    assert "hembesok" not in year and year["totalt"]["count"] > h1["totalt"]["count"]
    apply_association_file(b'{"slug": "exempelstad", "activity_kinds": '
                           b'[{"code": "hembesok", "label": "Hembes\\u00f6k", "individual": true}]}')
    import_activities(b"typ;titel;datum;format;deltagare_totalt\nhembesok;Hembesok;2024-03-01;fysiskt;3\n", "a.csv",
                      _ctx(association))
    again, h1_again = cells(YEAR), cells(H1)
    assert again["hembesok"]["count"] == h1_again["hembesok"]["count"] == 1
    assert again["totalt"]["count"] == year["totalt"]["count"] + 1
    assert h1_again["totalt"]["count"] == h1["totalt"]["count"] + 1
    h2 = compute_report(association, datetime.date(2024, 7, 1), YEAR[1], tables=ACTIVITY_TABLES).table("activities")
    assert h2.cells["hembesok"]["count"] == 0
