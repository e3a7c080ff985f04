"""Counts a reader works out through zeros the new publication forces (issue 9, class 1), judged by an
independent reader (tests/reader.py: the publications' equations, counts not negative, an LP solver).

On the demo förbund (finsam demo), FINSAM-team's second half of 2024, then the whole förbund's 2024, then the
whole förbund's second half: the last showed 0 volume participants (flow's ``volym`` row), so every
insats had none, so FINSAM-team's second half had 31 current women (its ``totalt_inkl_volym``),
of whom 31 - (37 - 11) = 5 exited (the year's 37 current and 11 exited women), and its 7 exits
held 7 - 5 = 2 men: a count its own publication hid. The search took the forced zeros as known and
gave the count up (no cell of the new report in its computation); now it hides the visible cells
that made the zero known.
"""

import datetime

from finsam.reports.publishing import publish_report
from finsam.statistics import masking
from tests.reader import Reader, read, true_values

D = datetime.date
H2 = (D(2024, 7, 1), D(2024, 12, 31))
YEAR = (D(2024, 1, 1), D(2024, 12, 31))
SMALL = lambda value: 0 < value < 5  # noqa: E731


def _zero_and_count():
    """y (a small count, 2) + v = T (an earlier publication's 2); v + w = N (the new report's 0, every
    insats's part of it: v and w counts, so both 0 once N is shown)."""
    y, v, w = ("atom", "y"), ("atom", "v"), ("atom", "w")
    T, N = (1, "t", "r", "c"), (0, "t", "r", "c")
    return y, v, w, T, N, [{y: 1, v: 1, T: -1}, {v: 1, w: 1, N: -1}]


def test_the_reader_pins_down_what_a_forced_zero_gives_away():
    y, v, w, T, N, equations = _zero_and_count()
    reader = Reader({T: 2, N: 0}, [v, w, y], equations, [], {v, w, y}, set())
    assert reader.bounds(y) == (2, 2)
    assert reader.bounds({v: 1, y: 1}) == (2, 2)
    unknown_n = Reader({T: 2}, [N, v, w, y], equations, [], {N, v, w, y}, {N})
    assert unknown_n.bounds(y) == (0, 2) and unknown_n.bounds(N) == (0, float("inf"))


def test_the_search_hides_the_visible_cell_that_forces_a_zero_instead_of_giving_a_count_up():
    y, v, w, T, N, equations = _zero_and_count()
    hidden, revealed = masking.suppress_revealing({T: 2, N: 0}, equations, [], set(), fixed={T}, candidates={N},
                                                  unknowns={y, v, w}, sensitive=SMALL)
    assert hidden == {N} and revealed == set()
    reader = Reader({T: 2}, [N, v, w, y], equations, [], {N, v, w, y}, hidden)
    low, high = reader.bounds(y)
    assert low < high


def test_a_zero_no_hideable_cell_forces_still_gives_the_count_up():
    """The same 0 shown by an earlier publication: nothing the new report hides helps."""
    y, v, w, T, N, equations = _zero_and_count()
    hidden, revealed = masking.suppress_revealing({T: 2, N: 0}, equations, [], set(), fixed={T, N}, candidates=set(),
                                                  unknowns={y, v, w}, sensitive=SMALL)
    assert hidden == set() and revealed == {y}


def test_a_zero_forced_through_other_zeros_is_traced_to_the_visible_cell():
    """v is 0 because u is, and u because the new report's M is 0: M is hidden."""
    y, v, w, T, N, equations = _zero_and_count()
    u, M = ("atom", "u"), (0, "t", "r", "m")
    equations = [{y: 1, v: 1, T: -1}, {v: 1, w: 1, u: -1}, {u: 1, M: -1}]
    hidden, revealed = masking.suppress_revealing({T: 2, M: 0}, equations, [], set(), fixed={T}, candidates={M},
                                                  unknowns={y, v, w, u}, sensitive=SMALL)
    assert hidden == {M} and revealed == set()


def test_the_whole_second_half_does_not_give_finsam_teams_exited_men_away(demo):
    association, analyst = demo
    published = [publish_report(association, date_from=start, date_to=end, interventions=scope, title=title,
                                user=analyst).report()
                 for scope, (start, end), title in [(["finsam-team"], H2, "FINSAM-team H2"), ([], YEAR, "2024"),
                                                    ([], H2, "H2 2024")]]
    reader = read(published)
    exited_men = ("atom", "flow", "totalt", "exited_man", "finsam-team", *H2)
    truth = true_values(association, published, reader)
    assert truth[exited_men] == 2 and reader.feasible_with(truth)  # the reader's equations hold for the data
    # FINSAM-team's exited men of the second half, as its own publication hid them and as the last
    # one does (each was worked out to be 2 through the new report's 0 volume participants)
    for cell in [exited_men, (0, "flow", "totalt", "exited_man"), (2, "flow", "finsam-team", "exited_man")]:
        low, high = reader.bounds(cell)
        assert low < high, f"{cell}: worked out to be {low}"
