"""Masking for publication: no hidden count can be worked out from what a report shows.

What a reader knows about how the counts hang together is written out here (``reader_relations``),
independently of the relations the engine declares, and checked to be true on the unmasked report.
A hidden cell is *determined* when every solution of those relations, with the visible cells fixed,
gives it the same value; ``determined_by`` finds that with its own elimination (reduced echelon form
over the hidden cells), not with ``masking.determined``.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings as hsettings
from hypothesis import strategies as st

from finsam.participants.models import Participation, VolumeCount
from finsam.statistics import masking
from finsam.statistics.engine import compute_report
from tests.plan_goals import insats_goal

D = datetime.date
G = ["kvinna", "man", "annat_ej_angivet"]
GT = G + ["totalt"]
WORK = ["arbete", "arbete_subventionerat"]


# --- what a reader knows ------------------------------------------------------------------------

def reader_relations(report):
    """[(parts, total)] over (table, row, col) cells, and [(part, whole)] bounds: what anyone reading
    the tables can write down from their titles, rows, columns and notes."""
    t = {table.id: table for table in report.tables}
    rel, bounds = [], []

    def rows(table_id):
        return [k for k, _ in t[table_id].rows]

    def genders(table_id, row, fmt="{g}", total="totalt"):
        rel.append(([(table_id, row, fmt.format(g=g)) for g in G], (table_id, row, fmt.format(g=total))))

    def column_total(table_id, col, body=None):
        body = body if body is not None else [r for r in rows(table_id) if r != "totalt"]
        rel.append(([(table_id, r, col) for r in body], (table_id, "totalt", col)))

    groups = [r for r in rows("flow") if r not in ("totalt", "varav_anonyma", "volym", "totalt_inkl_volym")]
    for m in ("current", "new", "exited"):
        for row in groups + ["totalt", "varav_anonyma", "totalt_inkl_volym"] + (["volym"] if m == "current" else []):
            genders("flow", row, f"{m}_{{g}}")
        for g in GT:
            c = f"{m}_{g}"
            column_total("flow", c, groups)
            rel.append(([("flow", "totalt", c)] + ([("flow", "volym", c)] if m == "current" else []),
                        ("flow", "totalt_inkl_volym", c)))
            bounds.append((("flow", "varav_anonyma", c), ("flow", "totalt", c)))
            # the years of the period: new and exited add up; one year is the whole period
            years = rows("flow_years")
            if m != "current" or len(years) == 1:
                rel.append(([("flow_years", y, c) for y in years], ("flow", "totalt", c)))
    for y in rows("flow_years"):
        for m in ("current", "new", "exited"):
            genders("flow_years", y, f"{m}_{{g}}")
    genders("unique", "totalt")
    genders("unique", "varav_pseudonyma")
    for g in GT:  # the pseudonymous individuals and the others (in no table) are all the individuals
        rel.append(([("unique", "varav_pseudonyma", g), ("~other", "totalt", g)], ("unique", "totalt", g)))
    for table_id in ("age", "education", "time_on_support", "exit_reason", "duration", "target_group"):
        for r in rows(table_id):
            if r not in ("mean_months", "median_months"):
                genders(table_id, r)
    for table_id in ("age", "education", "time_on_support", "exit_reason"):
        for g in GT:
            column_total(table_id, g)
    for table_id in ("referrer", "municipality"):
        column_total(table_id, "count")
    for r in rows("support_in_out"):
        for phase in ("entry", "exit"):
            genders("support_in_out", r, f"{{g}}_{phase}")
    for g in GT:
        rel.append(([("support_in_out", "underlag", f"{g}_entry")], ("support_in_out", "underlag", f"{g}_exit")))
    wos_rows = [r for r in rows("work_or_study") if r != "totalt"]
    for k in ("exited", "work", "studies", "work_or_study"):
        for r in wos_rows + ["totalt"]:
            rel.append(([("work_or_study", r, f"{k}_{g}") for g in G], ("work_or_study", r, k)))
        for c in [k] + [f"{k}_{g}" for g in G]:
            column_total("work_or_study", c, wos_rows)
    for r in wos_rows + ["totalt"]:
        for s in [""] + [f"_{g}" for g in G]:
            rel.append(([("work_or_study", r, f"work{s}"), ("work_or_study", r, f"studies{s}")],
                        ("work_or_study", r, f"work_or_study{s}")))
    # the same populations in several tables
    for g in GT:
        s = "" if g == "totalt" else f"_{g}"
        anonymous = lambda m: ("flow", "varav_anonyma", f"{m}_{g}")  # noqa: E731
        rel.append(([("age", "totalt", g), anonymous("current")], ("flow", "totalt", f"current_{g}")))
        for table_id in ("education", "time_on_support"):
            rel.append(([(table_id, "totalt", g), anonymous("new")], ("flow", "totalt", f"new_{g}")))
        rel.append(([("exit_reason", "totalt", g), anonymous("exited")], ("flow", "totalt", f"exited_{g}")))
        rel.append(([("exit_reason", "totalt", g)], ("work_or_study", "totalt", f"exited{s}")))
        rel.append(([("duration", r, g) for r in ("<3", "3-6", "6-12", "12-24", ">24")], ("exit_reason", "totalt", g)))
        rel.append(([("exit_reason", c, g) for c in WORK], ("work_or_study", "totalt", f"work{s}")))
        rel.append(([("exit_reason", "studier", g)], ("work_or_study", "totalt", f"studies{s}")))
        bounds.append((("unique", "totalt", g), ("flow", "totalt", f"current_{g}")))
    # an insats's anonymous exits: its exits in flow minus its (identified) exits in work_or_study
    for g in GT:
        s = "" if g == "totalt" else f"_{g}"
        for slug in groups:
            rel.append(([("work_or_study", slug, f"exited{s}"), ("~anon", slug, g)], ("flow", slug, f"exited_{g}")))
        if groups:
            rel.append(([("~anon", slug, g) for slug in groups], ("flow", "varav_anonyma", f"exited_{g}")))
    rel.append(([("referrer", "totalt", "count"), ("flow", "varav_anonyma", "new_totalt")],
                ("flow", "totalt", "new_totalt")))
    rel.append(([("municipality", "totalt", "count")], ("age", "totalt", "totalt")))
    # an insats goal of the report's own year (the plan's goals table, rows "<insats>.<metric>"): its
    # "n av d" are cells of flow or work_or_study
    year = report.date_to.year
    for key, _ in t["goals"].rows if "goals" in t else []:
        slug, metric = key.split(".", 1)
        num, den = ("goals", key, "numerator"), ("goals", key, "denominator")
        if metric.startswith("share_"):
            bounds.append((num, den))
        if report.date_from != D(year, 1, 1) or slug not in groups:
            continue
        same = {"new_count": [(num, ("flow", slug, "new_totalt"))],
                "current_count": [(num, ("flow", slug, "current_totalt"))],
                "share_women_new": [(num, ("flow", slug, "new_kvinna")), (den, ("flow", slug, "new_totalt"))],
                "share_men_new": [(num, ("flow", slug, "new_man")), (den, ("flow", slug, "new_totalt"))],
                "share_work_or_study": [(num, ("work_or_study", slug, "work_or_study")),
                                        (den, ("work_or_study", slug, "exited"))]}
        for a, b in same.get(metric, [(den, ("work_or_study", slug, "exited"))]):
            rel.append(([a], b))
        if metric.startswith("share_exit_reason:") and len(groups) == 1:
            rel.append(([("exit_reason", metric.split(":", 1)[1], "totalt")], num))
    return rel, bounds


def value(unmasked, cell):
    table_id, row, col = cell
    if table_id == "~anon":  # in no table: worked out from the unmasked report
        s = "" if col == "totalt" else f"_{col}"
        return value(unmasked, ("flow", row, f"exited_{col}")) - value(unmasked, ("work_or_study", row, f"exited{s}"))
    if table_id == "~other":  # individuals not pseudonymous: in no table either
        return value(unmasked, ("unique", "totalt", col)) - value(unmasked, ("unique", "varav_pseudonyma", col))
    v = unmasked.table(table_id).cell(row, col)
    return 0 if v is None else v


P = 2**61 - 1  # arithmetic modulo a large prime: exact for these small-integer systems, and fast


def determined_by(relations, hidden):
    """Hidden cells fixed by the relations: the unknowns whose row in the fully reduced echelon form
    of the relations (restricted to the hidden cells) has no free unknown, i.e. that are zero in
    every null-space vector. Forward elimination, then back substitution, over sparse rows."""
    rows = []
    for parts, total in relations:
        row = {}
        for cell, coef in [(p, 1) for p in parts] + [(total, -1)]:
            if cell in hidden:
                row[cell] = (row.get(cell, 0) + coef) % P
        row = {c: v for c, v in row.items() if v}
        if row:
            rows.append(row)
    echelon = []  # (pivot, row) with the pivot's coefficient 1; later rows have no earlier pivot
    lead = {}
    for row in rows:
        row = dict(row)
        while True:
            common = [c for c in row if c in lead]
            if not common:
                break
            c = common[0]
            f = row[c]
            for k, v in lead[c].items():
                row[k] = (row.get(k, 0) - f * v) % P
            row = {k: v for k, v in row.items() if v}
        if row:
            pivot = max(row, key=repr)
            inv = pow(row[pivot], P - 2, P)
            row = {k: v * inv % P for k, v in row.items()}
            lead[pivot] = row
            echelon.append(pivot)
    for pivot in reversed(echelon):  # back substitution: clear every other pivot from each row
        row = lead[pivot]
        changed = True
        while changed:
            changed = False
            for c in [k for k in row if k != pivot and k in lead]:
                f = row[c]
                for k, v in lead[c].items():
                    row[k] = (row.get(k, 0) - f * v) % P
                row = {k: v for k, v in row.items() if v}
                changed = True
        lead[pivot] = row
    return {pivot for pivot, row in lead.items() if len(row) == 1}


def zeros_known(relations, unknown, true_value):
    """Unknown cells that a relation forces to 0: all its unknown cells are parts (or the total) and
    its known cells leave nothing for them. Repeated until nothing changes."""
    zeros = set()
    while True:
        found = set()
        for parts, total in relations:
            rest = [c for c in parts if c in unknown and c not in zeros]
            total_unknown = total in unknown and total not in zeros
            known = sum(true_value(c) for c in parts if c not in unknown or c in zeros)
            if rest and not total_unknown and true_value(total) - known == 0:
                found |= set(rest)
            if total_unknown and not rest and known == 0:
                found.add(total)
        if not found - zeros:
            return zeros
        zeros |= found


def assert_safe(unmasked, masked, threshold):
    relations, bounds = reader_relations(unmasked)
    for parts, total in relations:  # what the reader "knows" is true
        assert sum(value(unmasked, p) for p in parts) == value(unmasked, total), (parts, total)
    for part, whole in bounds:
        assert value(unmasked, part) <= value(unmasked, whole), (part, whole)
    hidden = set()
    for table in masked.tables:
        original = unmasked.table(table.id)
        for row, cols in table.cells.items():
            for col, v in cols.items():
                before = original.cell(row, col)
                if (row, col) in table.masked:
                    assert v is None
                    hidden.add((table.id, row, col))
                elif (row, col) not in table.measures and isinstance(before, int):
                    assert v == before and not 0 < v < threshold, (table.id, row, col, v)
        for (row, col), (of, per) in table.share_refs.items():
            if of in table.masked or per in table.masked:
                assert table.share(row, col) is None and (row, col) in table.masked_shares
        if table.id == "goals" or table.id.startswith("plan_goals."):  # an indicator's row follows its counts
            for row in table.cells:
                if {(row, "numerator"), (row, "denominator")} & set(table.masked):
                    cells, texts = table.cells[row], table.texts[row]
                    assert cells["result"] is None and texts["result"] is None
                    # "Ej uppfyllt" or "Risk" would bound the hidden count
                    assert cells["grade"] is None and cells["status"] is None and texts["grade"] is None
        if table.id == "duration":  # a mean or median over one person is that person's duration
            for g in GT:
                if any((r, g) in table.masked for r in ("<3", "3-6", "6-12", "12-24", ">24")):
                    assert table.cells["mean_months"][g] is None and table.cells["median_months"][g] is None
    assert_roll_ups_count_what_is_shown(masked)
    unpublished = {c for parts, total in relations for c in parts + [total] if c[0] in ("~anon", "~other")}
    # Counts are not negative: hidden cells that must make up a visible 0 are known to be 0.
    zeros = zeros_known(relations, hidden | unpublished, lambda c: value(unmasked, c))
    worked_out = determined_by(relations, (hidden | unpublished) - zeros)
    assert not worked_out & hidden, "a hidden count can be worked out"
    assert not [c for c in worked_out if 0 < value(unmasked, c) < threshold], "an unpublished small count too"
    for part, whole in bounds:
        if whole in hidden and part not in hidden:
            assert value(unmasked, part) == 0, (part, whole)


def assert_roll_ups_count_what_is_shown(masked):
    """A roll-up's counts per grade or status are those of its rows as published: a hidden row's
    grade is not the roll-up minus the visible rows (plans/report_tables.py, Recount)."""
    from collections import Counter

    from finsam.plans.report_tables import SUMMARY_CODES

    def members(roll_up, row):
        if roll_up == "plan_summary":
            ids = [t.id for t in masked.tables if t.id.startswith("plan_goals.")
                   and (row == "totalt" or t.id == f"plan_goals.{row}")]
            return [(masked.table(i), key) for i in ids for key, _ in masked.table(i).rows]
        goals = masked.table("goals")
        return [(goals, key) for key, _ in goals.rows if row == "totalt" or key.startswith(f"{row}.")]

    for roll_up in ("plan_summary", "goals_by_intervention"):
        table = next((t for t in masked.tables if t.id == roll_up), None)
        if table is None:
            continue
        for row, _ in table.rows:
            shown = Counter()
            for member, key in members(roll_up, row):
                if not any((key, col) in member.masked for col in ("result", "grade", "status")):
                    cells = member.cells[key]
                    shown[cells["grade"] if cells["grade"] is not None else cells["status"] or "ej_bedomt"] += 1
            assert {c: table.cells[row][c] for c in SUMMARY_CODES if table.cells[row][c]} == dict(shown), (roll_up, row)
            assert table.cells[row]["indicators"] == sum(shown.values())


# --- the example and random subsets of it --------------------------------------------------------

@pytest.fixture
def example_with_goals(exempelstad):
    novum = exempelstad.interventions.get(slug="novum")
    for metric, target in [("new_count", 40), ("share_work_or_study", "0.3"), ("share_women_new", "0.5"),
                           ("share_exit_reason:studier", "0.1"), ("current_count", 10)]:
        insats_goal(novum, 2024, metric, target)
    VolumeCount.objects.create(association=exempelstad, intervention=novum, period_start=D(2024, 1, 1),
                               period_end=D(2024, 3, 31), women=2, men=1, other=0)
    return exempelstad


def test_published_example_hides_every_small_count_and_nothing_can_be_worked_out(example_with_goals):
    year = (D(2024, 1, 1), D(2024, 12, 31))
    unmasked = compute_report(example_with_goals, *year)
    masked = compute_report(example_with_goals, *year, publish=True)
    assert masked.published and masked.threshold == 5
    assert_safe(unmasked, masked, 5)
    exit_reason = masked.table("exit_reason")
    assert exit_reason.cells["arbete"]["man"] is None and exit_reason.shares["arbete"]["man"] is None
    # the example: flow's "totalt inklusive volymer" no longer shows what "totalt" hides
    flow = masked.table("flow")
    for col in flow.cells["totalt"]:
        if flow.cells["totalt"][col] is None and not col.startswith("current"):
            assert flow.cells["totalt_inkl_volym"][col] is None


def test_goals_counts_are_masked(example_with_goals):
    masked = compute_report(example_with_goals, D(2024, 1, 1), D(2024, 12, 31), publish=True)
    goals = masked.table("goals")
    key = "novum.share_exit_reason:studier"
    unmasked = compute_report(example_with_goals, D(2024, 1, 1), D(2024, 12, 31)).table("goals").cells[key]
    assert 0 < unmasked["numerator"] < 5  # the example has few exits to studies in novum
    assert goals.cells[key]["numerator"] is None and goals.texts[key]["result"] is None
    assert goals.cells[key]["result"] is None and (key, "numerator") in goals.masked
    assert goals.cells[key]["grade"] is None and goals.texts[key]["grade"] is None
    assert goals.cells[key]["target"] is not None  # the target is not a count


periods = st.tuples(st.integers(2022, 2025), st.integers(1, 12), st.integers(0, 30)).map(
    lambda t: (D(t[0], t[1], 1), min(D(t[0], t[1], 1) + datetime.timedelta(days=31 * t[2] + 30), D(2026, 6, 30))))


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(period=periods, keep=st.floats(0.02, 1.0), seed=st.integers(0, 10 ** 6), threshold=st.integers(3, 7),
       subset=st.lists(st.integers(0, 5), max_size=3), year_goal=st.booleans())
# Found by Hypothesis: education's men's total (0) hidden, though the same population's total in
# time_on_support is a shown 0 (a hidden 0 determined by shown cells must be shown: masking.suppress).
@example(period=(D(2024, 9, 1), D(2024, 10, 1)), keep=1.0, seed=0, threshold=3, subset=[], year_goal=False)
# Found by Hypothesis in the attack on issue 10: half the example's participations, threshold 5;
# no anonymous exits in 2024, so the flow table's shown 0 tells the reader that every insats's
# (unpublished) anonymous exits are 0, and novum's hidden exits equalled its work_or_study row.
@example(period=(D(2024, 1, 1), D(2024, 12, 31)), keep=0.5, seed=680, threshold=5, subset=[], year_goal=True)
# Found by Hypothesis after the plan's goals table took the id goals (fresh-clone CI, 2026-11-24):
# two insatser, half the participations, threshold 5.
@example(period=(D(2024, 1, 1), D(2024, 12, 31)), keep=0.5, seed=0, threshold=5, subset=[0, 3], year_goal=True)
def test_random_reports_reveal_no_hidden_count(example_with_goals, period, keep, seed, threshold, subset, year_goal):
    """For random data (a random share of the example's participations), random periods, thresholds
    and scopes (one insats, some, the whole förbund): no masked count is determined."""
    import random

    association = example_with_goals
    slugs = sorted(association.interventions.values_list("slug", flat=True))
    scope = sorted({slugs[i % len(slugs)] for i in subset})
    if year_goal:
        period = (D(2024, 1, 1), D(2024, 12, 31))
    with transaction.atomic():
        ids = list(Participation.objects.filter(association=association).values_list("pk", flat=True))
        rng = random.Random(seed)
        Participation.objects.filter(pk__in=[i for i in ids if rng.random() > keep]).delete()
        # some identified participations as pseudonymous ones (issue 10): their own row in unique
        Participation.objects.filter(pk__in=[i for i in ids if rng.random() < 0.3], anonymous=False).update(
            person_key="", pseudonymous=True)
        association.masking_threshold = threshold
        unmasked = compute_report(association, *period, scope)
        masked = compute_report(association, *period, scope, publish=True)
        transaction.set_rollback(True)
    assert_safe(unmasked, masked, threshold)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=1, max_size=6), st.integers(2, 6))
def test_suppress_on_random_grids(body, threshold):
    """A grid with row and column totals: small cells hidden, none determined, nothing else changed."""
    values, relations = {}, []
    for r, row in enumerate(body):
        for c, v in enumerate(row):
            values[(r, c)] = v
        values[(r, "t")] = sum(row)
    for c in list(range(3)) + ["t"]:
        values[("t", c)] = sum(values[(r, c)] for r in range(len(body)))
    for r in list(range(len(body))) + ["t"]:
        relations.append(([(r, c) for c in range(3)], (r, "t")))
    for c in list(range(3)) + ["t"]:
        relations.append(([(r, c) for r in range(len(body))], ("t", c)))
    equations = [masking._equation(parts, total) for parts, total in relations]
    primary = {c for c, v in values.items() if 0 < v < threshold}
    hidden = masking.suppress(values, equations, [], primary)
    assert primary <= hidden
    assert not determined_by(relations, hidden)


def test_determined_agrees_with_the_independent_solver():
    # a + b = t, t visible, b hidden only: b follows; with a hidden too, neither does
    relations = [(["a", "b"], "t"), (["b", "c"], "u")]
    equations = [masking._equation(p, t) for p, t in relations]
    for hidden in [{"b"}, {"a", "b"}, {"a", "b", "c"}, {"a", "b", "c", "u"}, {"b", "c", "t"}]:
        assert masking.determined(equations, hidden) == determined_by(relations, hidden), hidden


def test_threshold_cannot_be_set_below_three(world, login):
    from django.core.exceptions import ValidationError

    world.alfa.masking_threshold = 2
    with pytest.raises(ValidationError):
        world.alfa.full_clean()


def test_a_threshold_below_three_is_raised_to_three(exempelstad):
    from finsam.statistics.engine import compute_report as compute

    exempelstad.masking_threshold = 1  # stored before the rule, or written past the form
    report = compute(exempelstad, D(2024, 1, 1), D(2024, 12, 31), publish=True)
    assert report.threshold == 3
    for table in report.tables:
        for row, cols in table.cells.items():
            for col, v in cols.items():
                if (row, col) not in table.measures and isinstance(v, int) and not isinstance(v, bool):
                    assert v not in (1, 2), (table.id, row, col)


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=4, unique=True), min_size=1,
                max_size=8), st.lists(st.sampled_from("abcdefghij"), unique=True, max_size=10))
def test_hiding_cells_one_by_one_gives_what_a_fresh_elimination_gives(sums, order):
    relations = [(parts[:-1], parts[-1]) for parts in sums if len(parts) > 1]
    equations = [masking._equation(p, t) for p, t in relations]
    elimination = masking.Elimination(equations, set())
    hidden = set()
    for cell in order:
        hidden.add(cell)
        elimination.hide(cell)
        certificates = elimination.certificates()
        assert set(certificates) == determined_by(relations, hidden), hidden
        for fixed, combined in certificates.items():  # the reader's sum leaves only that cell unknown
            assert {c for c in combined if c in hidden} == {fixed}



def test_a_measure_in_a_relation_counts_in_the_value_a_reader_works_out():
    """An activity row without SIP meetings is a measure (never hidden) but stands in the sums: the
    total 7 minus the seminars' 5 is the unpublished SIP count 2. Taking the measure for 0 judged
    the unknown to be 7, not a small count, and left the total visible."""
    total, seminars, sip = ("activities", "totalt", "count"), ("activities", "seminarium", "count"), ("~sip", "x", "count")
    relations = [{seminars: 1, sip: 1, total: -1}]
    small = lambda value: 0 < value < 5  # noqa: E731
    hidden = masking.suppress({total: 7}, relations, [], set(), unknowns={sip}, sensitive=small,
                              constants={seminars: 5})
    assert hidden == {total}
    # the same seminars' count as a larger number: 7 - 1 = 6 is no small count, the total stays
    assert masking.suppress({total: 7}, relations, [], set(), unknowns={sip}, sensitive=small,
                            constants={seminars: 1}) == set()


def test_what_only_fixed_cells_determine_is_reported_as_revealed():
    """A small unknown that no hideable cell protects (the earlier publications show all it takes) is
    given up by the search and reported, so that publishing can see the new report completed it."""
    year, half, rest = (1, "a", "r", "c"), (2, "a", "r", "c"), ("atom", "second half")
    relations = [{half: 1, rest: 1, year: -1}]
    hidden, revealed = masking.suppress_revealing({year: 7, half: 5}, relations, [], set(), fixed={year, half},
                                                  candidates=set(), unknowns={rest},
                                                  sensitive=lambda value: 0 < value < 5)
    assert hidden == set() and revealed == {rest}
