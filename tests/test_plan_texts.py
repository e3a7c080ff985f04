"""What a plan row's grade and status texts tell a reader (issue 9, class 1 residual): the
inequalities between counts that the texts imply, added to the independent LP reader
(tests/reader.py) as extra constraints."""

import datetime

import pytest

from finsam.plans.models import Indicator
from finsam.reports.publishing import publish_report
from tests.plan_goals import insats_goal
from tests.reader import findings, read, true_values

D = datetime.date
# the cells of a publication of the whole previous year (row: the insats) that a share's numerator
# and denominator count
WHOLE = {"share_women_new": (("flow", "new_kvinna"), ("flow", "new_totalt")),
         "share_men_new": (("flow", "new_man"), ("flow", "new_totalt")),
         "share_work_or_study": (("work_or_study", "work_or_study"), ("work_or_study", "exited")),
         "share_work": (("work_or_study", "work"), ("work_or_study", "exited"))}


def status_inequalities(reports, whole_year, kind):
    """[{cell: weight}] (weighted sum <= 0): what each direction status of a rate before the period's
    end says (evaluate.py: the result to date against the whole previous year), over the cells of
    publication ``whole_year`` (that year, every insats): "I fas" for higher_than_previous is
    result > numerator / denominator, i.e. numerator - result x denominator < 0, relaxed to <= 0."""
    found = []
    for k, report in enumerate(reports):
        goals = next((t for t in report.tables if t.id == "goals"), None)
        if goals is None:
            continue
        for key, _ in goals.rows:
            slug, metric = key.split(".", 1)
            cells, status = goals.cells[key], goals.cells[key].get("status")
            if metric not in WHOLE or status not in ("i_fas", "ej_i_fas") or cells.get("result") is None:
                continue
            result = cells["numerator"] / cells["denominator"]
            (num_table, num_col), (den_table, den_col) = WHOLE[metric]
            n, d = (whole_year, num_table, slug, num_col), (whole_year, den_table, slug, den_col)
            higher = kind == "higher_than_previous"
            better = status == "i_fas"
            # higher and better, or lower and not better: n/d < result
            if better == higher:
                found.append({n: 1, d: -result})
            else:
                found.append({d: result, n: -1})
    return found


def _number(birth_day, serial, gender):
    """A valid personnummer born 1990-01-``birth_day``: ``serial`` (0-99) and legal gender."""
    digits = "9001" + f"{birth_day:02d}" + f"{serial:02d}" + ("1" if gender == "man" else "2")
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return f"19{digits[:6]}-{digits[6:]}{(10 - total % 10) % 10}"


def _people(intervention, start, end=None, reason="", **genders):
    """Participations of ``intervention`` from ``start`` (to ``end``, exited for ``reason``):
    {gender: how many}."""
    from tests.conftest import make_participation

    for gender, count in genders.items():
        for _ in range(count):
            n = _people.made = getattr(_people, "made", 0) + 1
            legal = "man" if gender == "man" else "kvinna"
            make_participation(intervention, f"P-{n}", personnummer=_number(1 + n // 40, n % 40, legal),
                               start_date=start, consent_date=start, end_date=end, gender=gender,
                               legal_gender=legal, exit_reason=reason)


Q1, H1 = (D(2024, 1, 1), D(2024, 3, 31)), (D(2024, 1, 1), D(2024, 6, 30))


@pytest.mark.parametrize("periods", [(Q1, H1), (H1, Q1)])
def test_a_direction_status_before_the_periods_end_gives_no_count_of_the_whole_previous_year_away(world, periods):
    """Aktivitetsplatsen's exits: 2023 3 to work, 6 to studies, 13 moved away (2023 hides the 3
    and, to protect it, the 6); 2024 Q1 5 to work of 40, H1 10 of 60. Its share of exits to work,
    goal "higher than the previous year", reads before the year's end against the whole of 2023
    (evaluate.py): Q1's "Ej i fas" says 2023's share is at least 0.125, so 2023's hidden exits to
    work are at least 0.125 x 22 = 2.75; H1's "I fas" says it is below 0.167, at most 3.67: 3.
    Either of Q1 and H1 may be published first: the later one hides its status."""
    alfa, intervention = world.alfa, world.assigned
    world.participation.delete()
    world.unassigned_participation.delete()
    type(intervention).objects.filter(pk=intervention.pk).update(start_date=D(2022, 1, 1))
    for count, reason in [(3, "arbete"), (6, "studier"), (13, "flyttat")]:
        _people(intervention, D(2023, 3, 1), D(2023, 11, 15), reason, man=count)
    for count, reason in [(5, "arbete"), (35, "flyttat")]:
        _people(intervention, D(2024, 1, 8), D(2024, 3, 15), reason, man=count)
    for count, reason in [(5, "arbete"), (15, "flyttat")]:
        _people(intervention, D(2024, 4, 2), D(2024, 5, 20), reason, man=count)
    indicator, _ = insats_goal(intervention, 2024, "share_work", "0.5")
    Indicator.objects.filter(pk=indicator.pk).update(target={"type": "higher_than_previous"})
    analyst = world.users["analyst"]
    reports = [publish_report(alfa, date_from=a, date_to=b, interventions=[], title=f"{a}-{b}", user=analyst).report()
               for a, b in [(D(2023, 1, 1), D(2023, 12, 31)), *periods]]
    work = (0, "work_or_study", "aktivitet", "work")
    reader = read(reports)
    assert work in reader.hidden
    reader.inequalities += status_inequalities(reports, 0, "higher_than_previous")
    truth = true_values(alfa, reports, reader)
    assert truth[work] == 3 and reader.feasible_with(truth)
    exact = {cell: low for cell, (low, high) in findings(reader, 5, truth).items() if low == high}
    assert exact == {}
    # one status alone bounds the 3 from one side only; the later publication hides its status (the
    # inequality check, statistics/inequalities.py, sees what the status tells), and its result stays
    first, later = (r.table("goals") for r in reports[1:])
    key = "aktivitet.share_work"
    assert first.cells[key]["status"] in ("i_fas", "ej_i_fas") and first.texts[key]["status"] is not None
    assert later.cells[key]["status"] is None and later.texts[key]["status"] is None and (key, "status") in later.masked
    assert later.texts[key]["result"] is not None

