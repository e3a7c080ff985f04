"""The attack on the publication's inequality check (statistics/inequalities.py, issue 9, class 1):
a board member holding the published reports works a small count out. Each test is one reader's
computation (tests/reader.py), on publications made the way the kansli makes them."""

import datetime
from pathlib import Path

from finsam.interventions.association_file import apply_association_file
from finsam.reports.publishing import publish_report
from finsam.statistics import inequalities
from finsam.tenancy.models import Role, RoleAssignment, User
from tests.reader import read

D = datetime.date
PLAN = Path(__file__).resolve().parents[1] / "src" / "finsam" / "demo" / "data" / "exempelstad-plan.json"


def _analyst(association):
    analyst = User.objects.create_user("analyst@exempelstad.se")
    RoleAssignment.objects.create(user=analyst, association=association, role=Role.ANALYST)
    return analyst


def test_two_quarters_and_a_goal_from_1_january_give_no_anonymous_exits_away(exempelstad):
    """The whole förbund's Q1 and Q2 2024. Q2's plan row "arbete eller studier" counts the
    identified exits from 1 January: its denominator is 44. Exits in all were 23 (Q1) and 24 (Q2),
    and an exit is identified (exit_reason, work_or_study) or anonymous (flow's varav anonyma), so
    the förbund's anonymous exits of January-June were 23 + 24 - 44 = 3: a small count of persons
    that no publication shows, over a span (the plan row's) that is no published period, for no
    single insats. Neither the linear search nor the inequality check (whose runs of stretches are
    a single part's) had it among its counts."""
    apply_association_file(PLAN.read_bytes())  # the demo's Verksamhetsplan 2024
    analyst = _analyst(exempelstad)
    reports = [publish_report(exempelstad, date_from=start, date_to=end, interventions=[], title=f"{start}",
                              user=analyst).report()
               for start, end in [(D(2024, 1, 1), D(2024, 3, 31)), (D(2024, 4, 1), D(2024, 6, 30))]]
    reader = read(reports)
    for col in ("exited_totalt", "exited_kvinna", "exited_man", "exited_annat_ej_angivet"):
        atoms = {a: 1 for a in reader.unknowns if a[0] == "atom" and a[1:4] == ("flow", "varav_anonyma", col)
                 and D(2024, 1, 1) <= a[5] and a[6] <= D(2024, 6, 30)}
        low, high = reader.bounds(atoms)
        assert not (low == high and 0 < low < 5), f"the förbund's anonymous {col} of January-June 2024: {low}"


def test_a_warm_start_that_does_not_finish_is_solved_again_from_scratch():
    """The demo förbund's Q1-Q4, H1, H2 2024 published, then 2024 (lp at 14a2500): a random
    objective's solve, warm-started from the last vertex, ended after 112 s with status Unknown (a
    primal infeasibility of 2e-5 left) and publishing crashed (now: refused with "kunde inte göras
    klart", and again on every retry, the program being the same); from scratch the same program
    took 1.2 s. Here the warm start is kept from finishing by an iteration limit of 0 (HiGHS skips
    presolve when it has a basis; from scratch presolve solves this small program alone)."""
    a, b, c = ("atom", "a"), ("atom", "b"), ("atom", "c")
    T, D_ = (1, "t", "r", "totalt"), (0, "t", "r", "d")
    program = inequalities.Program({T: 3, D_: 3}, [{a: 1, b: 1, T: -1}, {a: 1, c: -1, D_: -1}], [])
    assert program.bounds(a)[:2] == (3, 3)  # a basis to start from
    program._highs.setOptionValue("simplex_iteration_limit", 0)
    assert program.bounds(b)[:2] == (0, 0) and program.bounds(c)[:2] == (0, 0)
