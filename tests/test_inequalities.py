"""What a reader proves with inequalities (statistics/inequalities.py, issue 9, class 1): counts are
not negative and a part is at most its whole, which pins counts that no equation alone determines
and no single equation forces to 0."""

import datetime
import os

import highspy
import numpy as np
import pytest

from finsam.participants.models import Participation
from finsam.reports.publishing import publish_report
from finsam.statistics import differencing, inequalities, masking
from finsam.tenancy.models import Role, RoleAssignment, User
from tests.reader import Reader, findings, integer_findings, read, true_values
from tests.test_attack_structure import _import, _publish

D = datetime.date
YEAR, H2 = (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 7, 1), D(2024, 12, 31))

SMALL = lambda value: 0 < value < 5  # noqa: E731


def _bound_pins():
    """T = a + b (T shown: 3) and a = c + D (D shown: 3): a is at least 3 (c is not negative) and at
    most 3 (b is not negative), so a = 3, b = c = 0. Two equations, three unknowns: linear algebra
    determines none, and no single equation forces a zero."""
    a, b, c = ("atom", "a"), ("atom", "b"), ("atom", "c")
    T, D = (1, "t", "r", "totalt"), (0, "t", "r", "d")
    return a, b, c, T, D, [{a: 1, b: 1, T: -1}, {a: 1, c: -1, D: -1}]


def test_a_bound_pins_a_count_that_no_equation_determines():
    a, b, c, T, D, equations = _bound_pins()
    assert masking.determined(equations, {a, b, c}) == set()
    assert masking.forced_zeros(equations, {a, b, c}, {T: 3, D: 3}) == set()
    program = inequalities.Program({T: 3, D: 3}, equations, [])
    assert program.bounds(a)[:2] == (3, 3)
    assert set(inequalities.pinned(program, [a, b, c], SMALL)) == {a}  # b and c are pinned too, to 0


def test_the_proof_names_the_visible_cell_to_hide():
    a, b, c, T, D, equations = _bound_pins()
    program = inequalities.Program({T: 3, D: 3}, equations, [])
    (value, proofs), = inequalities.pinned(program, [a], SMALL).values()
    assert value == 3
    assert any(D in relation for proof in proofs for relation in proof)
    program.reveal(D)  # the new report hides D: a is anything from 0 to 3
    assert program.bounds(a)[:2] == (0, 3)
    assert inequalities.pinned(program, [a], SMALL) == {}


def test_a_part_at_most_its_whole_pins_it():
    """p <= w (varav_anonyma <= its parent) with w + r = 2 and p - s = 2 (r, s counts): w is at most
    2 and p at least 2, so both are 2, which the equations alone never tell."""
    p, w, r, s = (0, "t", "varav", "c"), (0, "t", "totalt", "c"), ("atom", "r"), ("atom", "s")
    W, P = (1, "t", "x", "c"), (1, "t", "y", "c")
    equations = [{w: 1, r: 1, W: -1}, {p: 1, s: -1, P: -1}]  # w + r = 2, p - s = 2
    free = inequalities.Program({W: 2, P: 2}, equations, [])
    assert free.bounds(p)[:2] == (2, float("inf")) and free.bounds(w)[:2] == (0, 2)
    bounded = inequalities.Program({W: 2, P: 2}, equations, [{p: 1, w: -1}])
    assert bounded.bounds(p)[:2] == (2, 2) and bounded.bounds(w)[:2] == (2, 2)
    assert set(inequalities.pinned(bounded, [p, w, r, s], SMALL)) == {p, w}


def test_points_only_select_the_lps_decide():
    """A count that every point shows at one small value but that is not pinned is not reported (the
    points may all be vertices with the same value); one that points show at two values is never
    solved for."""
    a, b, T = ("atom", "a"), ("atom", "b"), (1, "t", "r", "totalt")
    program = inequalities.Program({T: 4}, [{a: 1, b: 1, T: -1}], [])
    same = [[1.0, 3.0], [1.0, 3.0]]  # points that happen to agree: a = 1 in both
    assert inequalities.pinned(program, [a], SMALL, points=[np.array(p) for p in same]) == {}
    solved = []
    original = program.bounds
    program.bounds = lambda item: solved.append(item) or original(item)
    inequalities.pinned(program, [a, b], SMALL, points=[np.array(p) for p in ([0, 4], [4, 0])])
    assert solved == []


def _odd_cycle():
    """Three publications of one period with overlapping scopes: Novum + IPS 5 (a + b), IPS +
    FINSAM-team 10 (b + c), Novum + FINSAM-team + Aktivitetsplatsen 6 (a + c + u), every shown count
    5 or more. Over the real numbers b is 4.5 to 5 and u is 0 to 1 (a = c - 5 = 0.5, u = 0 is a
    solution); in whole numbers b = 5, so a = 0, c = 5 and u = 1."""
    a, b, c, u = (("atom", slug) for slug in ("novum", "ips-psykos", "finsam-team", "aktivitetsplatsen"))
    P1, P2, P0 = ((k, "flow", "totalt", "new_totalt") for k in (1, 2, 0))
    return a, b, c, u, P0, {P1: 5, P2: 10, P0: 6}, [{a: 1, b: 1, P1: -1}, {b: 1, c: 1, P2: -1},
                                                   {a: 1, c: 1, u: 1, P0: -1}]


def test_a_count_only_whole_numbers_pin_is_given_away():
    """The LP alone leaves u anything from 0 to 1 (rounded inward); a reader who knows that counts
    are whole numbers (an integer program, or the LP's bound of b rounded and put back) has u = 1.
    The check used to miss it; the independent reader's integer mode (tests/reader.py) finds it."""
    a, b, c, u, _, known, equations = _odd_cycle()
    program = inequalities.Program(known, equations, [])
    assert program.bounds(u)[:2] == (0, 1) and program.bounds(b)[:2] == (5, 5)
    assert inequalities.pinned(program, [a, b, c, u], SMALL).keys() == {u}
    reader = Reader(known, [a, b, c, u], equations, [], {a, b, c, u}, set())
    assert integer_findings(reader, 5)[0] == {u: (0, 1, 1)}


def test_protect_hides_a_cell_of_what_pins_a_count_in_whole_numbers():
    a, b, c, u, P0, known, equations = _odd_cycle()
    program = inequalities.Program(known, equations, [])
    assert inequalities.protect(program, [a, b, c, u], {P0}, known, SMALL, _nothing_before) == {P0}
    assert inequalities.pinned(program, [a, b, c, u], SMALL) == {}


def test_an_integer_program_that_does_not_finish_fails_the_check(monkeypatch):
    """Branch and bound past its time limit proves nothing: the check fails (the publication is
    refused, as for an LP that does not finish), it does not pass the count."""
    a, b, c, u, _, known, equations = _odd_cycle()
    program = inequalities.Program(known, equations, [])
    solve = inequalities.Program._integer

    def stops(self, objective, boxed):
        status, mip = solve(self, objective, boxed)
        return (status if boxed else highspy.HighsModelStatus.kTimeLimit), mip

    monkeypatch.setattr(inequalities.Program, "_integer", stops)
    with pytest.raises(inequalities.CheckFailed):
        inequalities.pinned(program, [a, b, c, u], SMALL)


@pytest.mark.parametrize("threshold", [3, 5])
def test_only_small_counts_are_given_away(threshold):
    a, b, c, T, D, equations = _bound_pins()
    program = inequalities.Program({T: 3, D: 3}, equations, [])
    found = inequalities.pinned(program, [a, b, c], lambda value: 0 < value < threshold)
    assert set(found) == ({a} if threshold > 3 else set())


def test_a_virtual_cell_in_one_equation_alone_is_the_sum_of_its_atoms():
    """A virtual cell (differencing.py) named by its own equation only is no column of the program:
    its bounds are its atoms' sum's (2 here, pinned by T = a + b + c with c = 0 through E)."""
    a, b, c = ("atom", "a"), ("atom", "b"), ("atom", "c")
    v, T, E = ("virtual", "k", "t", "r", "c"), (1, "t", "r", "totalt"), (1, "t", "r", "e")
    program = inequalities.Program({T: 2, E: 0}, [{v: -1, a: 1, b: 1}, {a: 1, b: 1, c: 1, T: -1}, {c: 1, E: -1}], [])
    assert v not in program.unknowns and v in program
    assert program.bounds(v)[:2] == (2, 2)
    assert set(inequalities.pinned(program, [v, a, b], SMALL)) == {v}


def test_a_cell_hidden_after_the_model_is_built_is_where_a_new_model_has_it():
    """``reveal`` on a built model: the rows naming the cell, and a relation of known numbers only
    until then (D = E), bound it as in a model built with it unknown."""
    a, b = ("atom", "a"), ("atom", "b")
    T, D, E = (1, "t", "r", "totalt"), (0, "t", "r", "d"), (1, "t", "r", "e")
    equations = [{a: 1, b: 1, T: -1}, {a: 1, D: -1}, {D: 1, E: -1}]
    built = inequalities.Program({T: 3, D: 2, E: 2}, equations, [])
    assert built.bounds(a)[:2] == (2, 2)
    built.reveal(D)
    fresh = inequalities.Program({T: 3, E: 2}, equations, [])
    for item, value in ((a, 2), (b, 1), (D, 2)):
        assert built.bounds(item)[:2] == fresh.bounds(item)[:2] == (value, value)


def _nothing_before():
    return inequalities.Program({}, [], [])


def test_protect_hides_a_visible_cell_of_the_proof():
    a, b, c, T, D, equations = _bound_pins()
    program = inequalities.Program({T: 3, D: 3}, equations, [])
    assert inequalities.protect(program, [a, b, c], {D}, {T: 3, D: 3}, SMALL, _nothing_before) == {D}
    assert inequalities.pinned(program, [a, b, c], SMALL) == {}


def test_a_count_only_earlier_publications_and_structure_pin_refuses(caplog):
    """T and D both shown by earlier publications (nothing of the new report to hide): refused,
    unless the earlier publications alone pinned it already (then logged: a gap of their checks)."""
    a, b, c, T, D, equations = _bound_pins()
    with pytest.raises(differencing.StructureReveals) as refused:
        inequalities.protect(inequalities.Program({T: 3, D: 3}, equations, []), [a, b, c], set(), {T: 3, D: 3},
                             SMALL, _nothing_before)
    assert refused.value.revealed == {a}
    public = lambda: inequalities.Program({T: 3, D: 3}, equations, [])  # noqa: E731
    program = inequalities.Program({T: 3, D: 3}, equations, [])
    assert inequalities.protect(program, [a, b, c], {D}, {T: 3, D: 3}, SMALL, public) == set()
    assert "1 counts were already pinned by earlier publications" in caplog.text


def test_half_years_and_the_year_pin_nothing_for_a_reader_with_inequalities(exempelstad):
    """H1, the year and H2 of the test förbund: linear algebra determined nothing, but the
    independent LP reader (tests/reader.py) pinned IPS psykos's exited of other legal gender in H1
    at 1 (its H1 publication hid it) with bounds. Now no hidden small count is pinned."""
    analyst = User.objects.create_user("analyst@exempelstad.se")
    RoleAssignment.objects.create(user=analyst, association=exempelstad, role=Role.ANALYST)
    reports = [publish_report(exempelstad, date_from=start, date_to=end, interventions=[], title=f"{start}–{end}",
                              user=analyst).report()
               for start, end in [(D(2024, 1, 1), D(2024, 6, 30)), (D(2024, 1, 1), D(2024, 12, 31)),
                                  (D(2024, 7, 1), D(2024, 12, 31))]]
    reader = read(reports)
    truth = true_values(exempelstad, reports, reader)
    assert truth[(0, "flow", "ips-psykos", "exited_annat_ej_angivet")] == 1 and reader.feasible_with(truth)
    exact = {cell: low for cell, (low, high) in findings(reader, 5, truth).items() if low == high}
    assert exact == {}


def _reader_bounds(reader, objective):
    """The least and greatest value of a weighted sum of cells, the visible ones known."""
    constant = sum(w * reader.known[c] for c, w in objective.items() if c in reader.known)
    unknown = {c: w for c, w in objective.items() if c not in reader.known}
    if not unknown:
        return constant, constant
    low, high = reader.bounds(unknown)
    return low + constant, high + constant


def test_a_run_of_stretches_nobody_published_gives_no_sip_meeting_away(example_association):
    """Novum: 1 SIP meeting in June 2023, 5 in November-December. 2023 published (6), then November
    2023 to February 2024 (5, none in 2024): 2023 minus the winter is January-October 2023, 1 SIP
    meeting. The winter's plan spans a year earlier cut 2023 on 1 March, so January-October is two
    stretches (January-February, March-October) of a period nobody published, no virtual report:
    the search let both publications show their SIP meetings. The check over runs of stretches
    (inequalities._runs) finds the 1 and hides cells of the winter."""
    association, admin = example_association
    _import(association, admin, [("S1", "novum", "sip_mote", "2023-06-12", 3),
                                 ("S2", "novum", "sip_mote", "2023-11-07", 2),
                                 ("S3", "novum", "sip_mote", "2023-11-20", 3),
                                 ("S4", "novum", "sip_mote", "2023-12-13", 3),
                                 ("S5", "novum", "sip_mote", "2023-12-14", 3),
                                 ("S6", "novum", "sip_mote", "2023-12-21", 3)])
    year = _publish(association, admin, (D(2023, 1, 1), D(2023, 12, 31)))
    winter = _publish(association, admin, (D(2023, 11, 1), D(2024, 2, 29)))
    assert year is not None and winter is not None  # (a refusal would be safe too; here cells can be hidden)
    assert D(2023, 3, 1) in differencing._bounds([year, winter])  # the cut that makes two stretches
    reader = read([year, winter])
    for table, row, col in [("activities_by_intervention", "novum", "count"),
                            ("activities_by_intervention", "novum", "attendees_totalt"),
                            ("activities", "sip_mote", "count"), ("activities", "sip_mote", "attendees_totalt")]:
        low, high = _reader_bounds(reader, {(0, table, row, col): 1, (1, table, row, col): -1})
        assert not (low == high and 0 < low < 5), f"January-October 2023's {table} {row} {col}: {low}"


def test_an_earlier_publication_the_data_no_longer_give_is_left_out_of_the_check(exempelstad, caplog):
    """H1 published, then participations starting in February and March removed (a correction),
    then the year: H1's numbers and the year's data contradict each other (the program has no
    solution; the check raised an error and the publication failed). Now H1 is left out of the
    inequality check, which is logged, and the year is published."""
    analyst = User.objects.create_user("analyst@exempelstad.se")
    RoleAssignment.objects.create(user=analyst, association=exempelstad, role=Role.ANALYST)
    publish_report(exempelstad, date_from=D(2024, 1, 1), date_to=D(2024, 6, 30), interventions=[], title="H1",
                   user=analyst)
    removed, _ = Participation.objects.filter(association=exempelstad, start_date__gte=D(2024, 2, 1),
                                              start_date__lte=D(2024, 3, 31)).delete()
    assert removed > 0
    with caplog.at_level("INFO", logger="finsam.statistics.inequalities"):
        year = publish_report(exempelstad, date_from=D(2024, 1, 1), date_to=D(2024, 12, 31), interventions=[],
                              title="2024", user=analyst)
    assert year.report().tables
    assert "1 earlier publications no longer agree with the data" in caplog.text


def test_a_program_whose_known_numbers_contradict_it_is_infeasible():
    a, b, c, T, D_, equations = _bound_pins()
    assert inequalities.Program({T: 3, D_: 3}, equations, []).feasible()
    assert not inequalities.Program({T: 3, D_: 5}, equations + [{a: 1, T: -1}], []).feasible()


def test_a_groups_exits_by_age_are_not_the_year_minus_the_second_half(demo):
    """FINSAM-team's H2, the whole 2024, the whole H2 on the demo förbund: the age table shows current
    participants; current in the year minus current in H2 is the whole förbund's exits of the first
    half (current over time: the year's = H1's current + H2's new; H2's = H1's current - H1's
    exited + H2's new). For ages 20-24 that was 2 (pinned by the independent reader), a group's
    count over a stretch that no virtual report names. The check over groups' runs
    (inequalities._runs) hides a cell of the second half."""
    association, analyst = demo
    reports = [publish_report(association, date_from=start, date_to=end, interventions=scope, title=title,
                              user=analyst).report()
               for scope, (start, end), title in [(["finsam-team"], H2, "FINSAM-team H2"), ([], YEAR, "2024"),
                                                  ([], H2, "H2 2024")]]
    reader = read(reports)
    for age in ("20-24", "25-29", "60-64"):
        exits = {a: 1 for a in reader.unknowns
                 if a[:4] == ("atom", "age", age, "totalt#exited") and (a[5], a[6]) == (YEAR[0], D(2024, 6, 30))}
        assert len(exits) > 1  # every insats's part
        low, high = reader.bounds(exits)
        assert not (low == high and 0 < low < 5), f"the förbund's exits aged {age} in H1: {low}"


def test_a_solver_that_does_not_finish_refuses_the_publication(exempelstad, monkeypatch, caplog):
    """A numerical failure of the solver is no leave to publish unchecked: the publication is refused
    with a Swedish message (and logged), nothing is stored."""
    from finsam.reports.models import PublishedReport
    from finsam.reports.publishing import PublishError

    analyst = User.objects.create_user("analyst@exempelstad.se")
    RoleAssignment.objects.create(user=analyst, association=exempelstad, role=Role.ANALYST)

    def fails(self, c, boxed):
        raise inequalities.CheckFailed("the solver ended with a numerical error")

    monkeypatch.setattr(inequalities.Program, "_run", fails)
    with pytest.raises(PublishError, match="kontrollen av att inga små antal kan räknas fram"):
        publish_report(exempelstad, date_from=D(2024, 1, 1), date_to=D(2024, 6, 30), interventions=[], title="H1",
                       user=analyst)
    assert not PublishedReport.objects.filter(association=exempelstad).exists()
    assert "the inequality check of a publication" in caplog.text


def test_the_solvers_banner_is_not_written_to_standard_output():
    """HiGHS writes "Running HiGHS ..." to stdout at a process's first solver: into the worker's and
    the server's output, and into what a `finsam` command prints."""
    import subprocess
    import sys

    child = ("import django; django.setup(); from finsam.statistics.inequalities import Program; "
             "print(Program({'a': 3}, [{'a': 1, 'b': -1}], []).bounds('b')[:2])")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "finsam.settings"}
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "(3, 3)\n"
