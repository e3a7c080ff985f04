import datetime
import json

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from finsam.participants.models import VolumeCount
from finsam.statistics.engine import compute_report
from finsam.statistics.grading import grade
from tests.plan_goals import insats_goal
from tests.conftest import DATA, make_participation

D = datetime.date


@pytest.mark.parametrize("name, start, end", [
    ("exempel-rapport-2024.json", D(2024, 1, 1), D(2024, 12, 31)),
    ("exempel-rapport-2024-h1.json", D(2024, 1, 1), D(2024, 6, 30)),
])
def test_example_reports_match_exactly(exempelstad, name, start, end):
    expected = json.loads((DATA / name).read_text())
    assert assert_expected_cells(expected, compute_report(exempelstad, start, end).to_json()) > 200


def assert_expected_cells(expected, report_json):
    """Every cell and share the expected file lists is the report's; returns how many were checked."""
    tables = {t["id"]: t for t in report_json["tables"]}
    checked = 0
    for table in expected["tables"]:
        for kind in ("cells", "shares"):
            for row, columns in table.get(kind, {}).items():
                for column, value in columns.items():
                    assert tables[table["id"]][kind][row][column] == value, (table["id"], kind, row, column)
                    checked += 1
    return checked


def test_referrer_rows_of_members_carry_their_own_names(exempelstad):
    """Issue 10: the referrer row of a member shows the member's own name, never a code or the
    national list's generic label; referrers that are no member keep the national label."""
    rows = dict(compute_report(exempelstad, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)).table("referrer").rows)
    names = {m.code: m.display_name for m in exempelstad.members.all()}
    assert rows["region"] == names["region"] == "Region Exempel"
    assert rows["kommun:0180"] == names["kommun:0180"]
    assert rows["egenanmalan"] == "Egen anmälan"
    assert len(rows) == len(set(rows))


def test_report_json_contract(exempelstad):
    report = compute_report(exempelstad, D(2024, 1, 1), D(2024, 12, 31)).to_json()
    assert report["format"] == "finsam-report/1"
    assert report["association"] == {"slug": "exempelstad", "name": "Samordningsförbundet Exempelstad"}
    assert report["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert [t["id"] for t in report["tables"]] == [
        "flow", "unique", "age", "education", "time_on_support", "referrer", "referrer_intervention", "target_group",
        "time_without_work", "referring_unit", "born_abroad", "impairment", "violence_questions", "exit_reason",
        "work_or_study", "support_in_out", "support_transition", "duration", "flow_years", "municipality",
        # the plan (issue 14): the example's two insats goals are indicators of Verksamhetsplan 2024
        "plan_goals.insatsmal", "plan_summary", "goals", "goals_by_intervention"]
    for table in report["tables"]:
        assert {"id", "title", "population", "rows", "columns", "cells", "shares", "denominator"} <= set(table)
    json.dumps(report)  # serialisable


def test_totals_add_up_everywhere(exempelstad):
    report = compute_report(exempelstad, D(2024, 1, 1), D(2024, 12, 31))
    for table in report.tables:
        for parts, total in table.sums:
            assert sum(table.cell(*p) for p in parts) == table.cell(*total), (table.id, total)


@pytest.fixture
def small(world):
    """world.assigned (aktivitet) and world.unassigned (team) in association alfa, emptied."""
    from finsam.participants.models import Participation

    Participation.objects.all().delete()
    return world


def counts(association, start=D(2024, 1, 1), end=D(2024, 12, 31), **kwargs):
    return compute_report(association, start, end, **kwargs)


def test_period_edges(small):
    a, i = small.alfa, small.assigned
    make_participation(i, "first-day", personnummer="19900101-0017", start_date=D(2024, 1, 1))
    make_participation(i, "last-day-exit", personnummer="19850314-1239", start_date=D(2023, 5, 1),
                       end_date=D(2024, 12, 31), exit_reason="arbete")
    make_participation(i, "exited-before", personnummer="19770707-7710", start_date=D(2023, 1, 1),
                       end_date=D(2023, 12, 31), exit_reason="arbete")
    make_participation(i, "starts-after", personnummer="19880808-8887", start_date=D(2025, 1, 1))
    make_participation(i, "exit-first-day", personnummer="19850314-1239", start_date=D(2023, 2, 1),
                       end_date=D(2024, 1, 1), exit_reason="studier")
    flow = counts(a).table("flow").cells["totalt"]
    assert flow["current_totalt"] == 3  # first-day, last-day-exit, exit-first-day
    assert flow["new_totalt"] == 1
    assert flow["exited_totalt"] == 2
    assert counts(a).table("unique").cells["totalt"]["totalt"] == 2  # one person twice


def test_anonymous_and_felregistrering(small):
    a, i = small.alfa, small.assigned
    make_participation(i, "anon", personnummer="19900101-0017", anonymous=True, person_key="", gender="annat",
                       start_date=D(2024, 3, 1), end_date=D(2024, 6, 1), exit_reason="", birth_year=None,
                       consent_date=None)
    make_participation(i, "fel", personnummer="19850314-1239", start_date=D(2024, 3, 1), end_date=D(2024, 4, 1),
                       exit_reason="felregistrering")
    make_participation(i, "ok", personnummer="19770707-7710", start_date=D(2024, 3, 1), end_date=D(2024, 4, 1),
                       exit_reason="arbete")
    report = counts(a)
    flow = report.table("flow").cells
    assert flow["totalt"]["exited_totalt"] == 2 and flow["varav_anonyma"]["exited_annat_ej_angivet"] == 1
    assert report.table("exit_reason").cells["totalt"]["totalt"] == 1  # anonymous and felregistrering out
    assert "felregistrering" not in report.table("exit_reason").cells
    assert report.table("unique").cells["totalt"]["totalt"] == 2
    assert report.table("work_or_study").cells["totalt"]["exited"] == 1


def test_person_in_two_interventions(small):
    a = small.alfa
    make_participation(small.assigned, "x1", personnummer="19900101-0017", start_date=D(2024, 2, 1))
    make_participation(small.unassigned, "x2", personnummer="19900101-0017", start_date=D(2024, 3, 1))
    report = counts(a)
    assert report.table("flow").cells["totalt"]["current_totalt"] == 2
    assert report.table("unique").cells["totalt"] == {"kvinna": 0, "man": 1, "annat_ej_angivet": 0, "totalt": 1}
    only_one = counts(a, interventions=[small.assigned.slug])
    assert only_one.table("flow").cells["totalt"]["current_totalt"] == 1
    assert [k for k, _ in only_one.table("flow").rows][:1] == [small.assigned.slug]


def test_shares_with_zero_denominators_are_none(small):
    report = counts(small.alfa)
    assert report.table("exit_reason").shares["arbete"]["totalt"] is None
    assert report.table("work_or_study").shares["totalt"]["work_or_study"] is None
    assert report.table("referrer").shares["af"]["count"] is None
    exit_reason = next(t for t in report.to_json()["tables"] if t["id"] == "exit_reason")
    assert exit_reason["shares"]["arbete"]["totalt"] is None
    assert report.table("duration").cells["mean_months"]["totalt"] is None


def test_age_uses_birth_month(small):
    i = small.assigned
    # Born 1990-01: 34 at a start in 2024-02. Born 2008-05 (16 in May 2024): 15 at a start in 2024-04.
    make_participation(i, "a", personnummer="19900101-0017", start_date=D(2024, 2, 1))
    make_participation(i, "b", personnummer="19850314-1239", birth_year=2008, birth_month=5, start_date=D(2024, 4, 1))
    make_participation(i, "c", personnummer="19770707-7710", birth_year=2008, birth_month=5, start_date=D(2024, 5, 1))
    cells = counts(small.alfa).table("age").cells
    assert cells["30-39"]["totalt"] == 1 and cells["utanfor_16_64"]["totalt"] == 1 and cells["16-19"]["totalt"] == 1


def test_duration_groups_are_half_open(small):
    i = small.assigned
    start = D(2024, 1, 1)
    # 91 days = 2.99 months (<3); 92 days = 3.02 months (3-6).
    make_participation(i, "a", personnummer="19900101-0017", start_date=start, end_date=start + datetime.timedelta(days=91), exit_reason="arbete")
    make_participation(i, "b", personnummer="19850314-1239", start_date=start, end_date=start + datetime.timedelta(days=92), exit_reason="arbete")
    cells = counts(small.alfa).table("duration").cells
    assert cells["<3"]["totalt"] == 1 and cells["3-6"]["totalt"] == 1
    assert cells["mean_months"]["totalt"] == 3.0  # 91.5 / 30.4375 = 3.006
    assert cells["median_months"]["totalt"] == 3.0


def test_volume_counts_only_in_flow(small):
    VolumeCount.objects.create(association=small.alfa, intervention=small.assigned, period_start=D(2023, 12, 1),
                               period_end=D(2024, 1, 31), women=7, men=3, other=1)
    VolumeCount.objects.create(association=small.alfa, intervention=small.assigned, period_start=D(2025, 1, 1),
                               period_end=D(2025, 1, 31), women=100)
    make_participation(small.assigned, "a", personnummer="19900101-0017", start_date=D(2024, 2, 1))
    report = counts(small.alfa)
    flow = report.table("flow").cells
    assert flow["volym"]["current_totalt"] == 11 and flow["volym"]["current_kvinna"] == 7
    assert flow["totalt_inkl_volym"]["current_totalt"] == 12
    assert report.table("unique").cells["totalt"]["totalt"] == 1
    assert report.table("flow_years").cells["2024"]["current_totalt"] == 1


def test_goals_and_grades(small):
    i = small.assigned
    for n, pnr in enumerate(["19900101-0017", "19850314-1239", "19770707-7710", "19880808-8887"]):
        make_participation(i, f"g{n}", personnummer=pnr, start_date=D(2024, 2, 1), end_date=D(2024, 5, 1),
                           exit_reason="arbete" if n == 0 else "sjukdom")
    insats_goal(i, 2024, "new_count", 4)
    insats_goal(i, 2024, "share_work_or_study", "0.4")
    insats_goal(i, 2024, "current_count", 10)
    goals = counts(small.alfa).table("goals")
    assert goals.title == "Måluppfyllelse per insats"
    cells = goals.cells
    assert cells["aktivitet.new_count"]["grade"] == "god"
    share = cells["aktivitet.share_work_or_study"]
    assert (share["result"], share["numerator"], share["denominator"], share["grade"]) == (0.25, 1, 4, "godtagbart")
    assert goals.texts["aktivitet.share_work_or_study"]["result"] == "25\xa0% (1 av 4)"
    assert goals.texts["aktivitet.share_work_or_study"]["grade"] == "Godtagbart"
    assert cells["aktivitet.current_count"]["grade"] == "ej_uppfyllt"
    assert counts(small.alfa).table("work_or_study").cells["aktivitet"]["target"] == 0.4


@pytest.mark.parametrize("result, target, expected", [
    (120, 100, "God"), (95, 100, "God"), (94.9, 100, "Godtagbart"), (50, 100, "Godtagbart"),
    (49.9, 100, "Ej uppfyllt"), (0.285, 0.3, "God"), (0.28, 0.3, "Godtagbart"), (None, 100, "Ej bedömt"), (0, 0, "God"),
])
def test_grade_boundaries(result, target, expected):
    assert grade(result, target, 50) == expected


def test_counting_happens_in_the_database(exempelstad, django_assert_max_num_queries):
    # 45 for the participant tables; the plan's tables read the plan (a few queries) and resolve
    # each indicator through the metric sources (a few per indicator: here the example's two)
    with django_assert_max_num_queries(60):
        compute_report(exempelstad, D(2024, 1, 1), D(2024, 12, 31))


def test_national_tables_add_up_the_associations(small):
    from finsam.statistics.engine import compute_national_tables
    from finsam.tenancy.scope import Scope

    make_participation(small.assigned, "a", personnummer="19900101-0017", start_date=D(2024, 2, 1))
    make_participation(small.beta_intervention, "b", personnummer="19850314-1239", start_date=D(2024, 3, 1),
                       end_date=D(2024, 9, 1), exit_reason="studier")
    scope = Scope.national([small.alfa, small.beta])
    national = {t.id: t for t in compute_national_tables(scope, D(2024, 1, 1), D(2024, 12, 31))}
    alfa = counts(small.alfa).table("flow").cells["totalt"]
    beta = counts(small.beta).table("flow").cells["totalt"]
    assert national["flow"].cells["totalt"] == {k: alfa[k] + beta[k] for k in alfa}
    assert national["flow"].cells["beta"]["exited_totalt"] == 1
    assert national["work_or_study"].cells["totalt"]["studies"] == 1
    assert national["goals"].rows == []


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4000), max_size=60))
def test_median_from_a_histogram_is_the_median_of_the_values(values):
    from collections import Counter
    import statistics

    from finsam.statistics.tables.outcomes import _median

    expected = statistics.median(values) if values else None
    assert _median(sorted(Counter(values).items())) == expected


def _reference_flow(participations, start, end):
    """The flow measures straight from their definitions (report-tables.md), row by row."""
    def bucket(p):
        return p.gender if p.gender in ("kvinna", "man") else "annat_ej_angivet"

    cells = {f"{m}_{g}": 0 for m in ("current", "new", "exited") for g in ("kvinna", "man", "annat_ej_angivet", "totalt")}
    for p in participations:
        measures = []
        if p.start_date <= end and (p.end_date is None or p.end_date >= start):
            measures.append("current")
        if start <= p.start_date <= end:
            measures.append("new")
        if p.end_date is not None and start <= p.end_date <= end:
            measures.append("exited")
        for m in measures:
            cells[f"{m}_{bucket(p)}"] += 1
            cells[f"{m}_totalt"] += 1
    return cells


def test_flow_tables_match_their_definitions(small):
    """The flow tables derive every measure from one grouped read (engine.Context.current_counts);
    checked here against the definitions for random participations and periods not aligned to years."""
    import random

    from finsam.participants.models import Participation

    rng = random.Random(5)
    genders = ["kvinna", "man", "annat", "ej_angivet"]
    taken = set()  # (insats, start): one person starts an insats at most once a day (a database constraint)
    for n in range(80):
        start = D(2019, 1, 1) + datetime.timedelta(days=rng.randint(0, 6 * 365))
        end = None if rng.random() < 0.3 else start + datetime.timedelta(days=rng.randint(0, 900))
        anonymous = rng.random() < 0.2
        extra = {"person_key": "", "legal_gender": "", "birth_year": None, "birth_month": None,
                 "consent_date": None, "consent_form": ""} if anonymous else {}
        intervention = rng.choice([small.assigned, small.unassigned])
        while not anonymous and (intervention.pk, start) in taken:
            start += datetime.timedelta(days=1)
            end = end and end + datetime.timedelta(days=1)
        if not anonymous:
            taken.add((intervention.pk, start))
        make_participation(intervention, f"R-{n}", personnummer="19900101-0017",
                           gender=rng.choice(genders), start_date=start, end_date=end,
                           exit_reason="arbete" if end else "", anonymous=anonymous, **extra)
    rows = list(Participation.objects.all())
    for start, end in [(D(2021, 3, 15), D(2023, 8, 2)), (D(2020, 1, 1), D(2020, 12, 31)), (D(2019, 6, 1), D(2025, 5, 31))]:
        report = counts(small.alfa, start, end)
        flow, years = report.table("flow").cells, report.table("flow_years").cells
        assert {k: flow["totalt"][k] for k in _reference_flow(rows, start, end)} == _reference_flow(rows, start, end)
        anonymous = [p for p in rows if p.anonymous]
        assert {k: flow["varav_anonyma"][k] for k in _reference_flow(rows, start, end)} == _reference_flow(anonymous, start, end)
        for year in range(start.year, end.year + 1):
            y_start, y_end = max(start, D(year, 1, 1)), min(end, D(year, 12, 31))
            assert years[str(year)] == _reference_flow(rows, y_start, y_end), year
