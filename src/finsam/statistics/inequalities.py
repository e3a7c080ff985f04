"""What a reader proves with inequalities: counts are never negative, a part is at most its whole
(issue 9, class 1).

The masking search (masking.py, differencing.py) hides cells until no hidden count follows from the
equations by linear algebra, with the zeros a single equation forces. A reader who also uses that
no count is negative can do more: a shown total of 7 whose parts elsewhere leave room for at most 7
pins a hidden part down, a sum of several equations can force a zero, a bound can meet a bound. This
module is the last check of a publication: over the same equations (unpruned: ``_prune`` drops
equations that say nothing to linear algebra, but they may bound a count), with every publication's
bounds and every unknown count at least 0, it asks a linear-programming solver (HiGHS) for
the least and greatest value of each hidden count, unpublished count, atom and virtual cell that
counts persons, and of a part's or a group's sum over runs of stretches of time (``_runs``). One
whose least and greatest whole values meet in a small count (1 to threshold - 1) is given away. Then a visible cell of the new report that the solver's proof uses (its dual: the
equations and bounds with a non-zero multiplier) is hidden too, and so on until nothing is pinned.

A count pinned only by what the new report cannot hide (earlier publications and the new report's
structure) refuses the publication (``StructureReveals``), unless it was pinned before the new
report (already public through earlier publications alone).

Two LPs per count would be slow over thousands of atoms, so feasible points come first: the vertices
where random objectives are least, then where the sum of the counts still in question is least and
greatest. A count pinned to v has the value v in every feasible point, so one that takes values two
whole numbers apart in them, or no small value in any of them, needs no LP of its own. The points
only select; the LPs decide.

Earlier publications that the data no longer give (a participation registered or removed since)
contradict the rest: they are left out of this check (``_consistent``, logged). Hiding more cells only widens what is feasible,
so a count once found free stays free: only the pinned ones are solved again.

The LP works over real numbers and rounds its bounds inward; counts are whole numbers, and an odd
cycle of scopes can pin a count in whole numbers that the LP leaves open (docs/decisions.md,
"Counts only whole numbers pin"). So an integer step follows (``_whole``): the points in whole
numbers select again, branch and bound decides, and an integer program that does not finish fails
the check. tests/reader.py is an independent reader with the same solver, written apart from this
code.
"""

import logging
import math
import os
import sys

import highspy
import numpy as np

from . import masking, tables
from .tables import COUNT

EPS = 1e-6
SAMPLES = 4  # random objectives besides the sum of the unknowns, each way
BOX = 1e7  # the points' box only keeps them finite; no count comes near it
MIP_TIME_LIMIT = 60.0  # seconds per integer program (``Program.whole_bound``); past it the check fails
INF = highspy.kHighsInf
_FINISHED = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded,
             highspy.HighsModelStatus.kUnboundedOrInfeasible)

logger = logging.getLogger(__name__)


def silence_banner():
    """HiGHS writes a two-line banner to standard output when a process makes its first solver (once
    per process, in C++). Make that first solver here with file descriptor 1 pointed at /dev/null;
    called from StatisticsConfig.ready, at start-up before any request or job thread runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class CheckFailed(Exception):
    """The solver did not finish a program that has a solution (a numerical failure): the check
    could not be made, so the publication is refused (reports/publishing.py), not made unchecked."""


class Program:
    """The reader's linear program: ``known`` values, the ``equations`` (each {item: weight}, weighted
    sum 0) and ``inequalities`` (weighted sum at most 0) over them and the unknowns, and which
    unknowns are counts (at least 0; ``free``: those that are not).

    Solved with HiGHS through highspy, one model for every objective: each solve starts from the
    last one's basis (a warm start), ten times faster here than a fresh solve per objective."""

    def __init__(self, known, equations, inequalities, free=()):
        self.known = dict(known)
        self.equations = equations
        self.inequalities = inequalities
        self.free = set(free)
        self._highs = None
        # a virtual cell in one equation alone, the sum of counts: not a column of its own (``_definitions``)
        self.defined, self._defining = _definitions(equations, inequalities, self.known, self.free)

    def reveal(self, item):
        """Make ``item`` (known) an unknown: the new report hides it. A model already built gets a
        column for it, and the rows that name it their bounds without its value, so that the next
        solve starts from the last one's basis (rebuilt, each round of hiding began cold: on a long
        sequence of publications the rounds were most of the check)."""
        value = float(self.known.pop(item))
        self._mip = None  # the integer model is made anew from the changed one when next needed
        if self._highs is None:
            return
        highs, j = self._highs, len(self._unknowns)
        entries = {}
        for row, weight in self._known_rows.pop(item, ()):
            entries[row] = entries.get(row, 0) + weight
            # its value moves from the row's constant to the column
            lower, upper = self._row_bounds[row]
            lower = lower if lower == -INF else lower + weight * value
            upper = upper + weight * value
            self._row_bounds[row] = (lower, upper)
            highs.changeRowBounds(row, lower, upper)
        low = -INF if item in self.free else 0.0
        entries = {r: w for r, w in entries.items() if w}
        rows, weights = np.array(list(entries), dtype=np.int32), np.array(list(entries.values()), dtype=float)
        highs.addCol(0.0, (-BOX if low == -INF else low) if self._boxed else low, BOX if self._boxed else INF,
                     len(entries), rows, weights)
        self._unknowns.append(item)
        self._index[item] = j
        self._lower = np.append(self._lower, low)
        self._all = np.arange(j + 1, dtype=np.int32)
        for relation, equal in self._skipped.pop(item, ()):  # only known numbers in it until now
            self._add_row(relation, equal)
        # from scratch all the same: warm from the last basis, a round's solves took longer than cold
        # ones with presolve (H1 2024 after 2023's publications: 30.2 s in the solver against 24.1 s)
        highs.clearSolver()

    def __contains__(self, item):
        self._build()
        return item in self._index or item in self.defined

    def expand(self, terms):
        """{unknown: weight} of the model for {item: weight} over unknowns and ``defined`` items."""
        result = {}
        for item, weight in terms.items():
            for unknown, w in self.defined.get(item, {item: 1}).items():
                result[unknown] = result.get(unknown, 0) + weight * w
        return result

    @property
    def unknowns(self):
        self._build()
        return self._unknowns

    def _build(self):
        if self._highs is not None:
            return
        every = {c for e in self.equations for c in e} | {c for e in self.inequalities for c in e}
        self._unknowns = sorted(every - set(self.known) - set(self.defined), key=repr)
        self._index = {c: i for i, c in enumerate(self._unknowns)}
        rows, cols, data, lower, upper, self._sources = [], [], [], [], [], []
        # for ``reveal``: the rows that name each known item, and the relations of known numbers only
        self._known_rows, self._skipped, self._row_bounds = {}, {}, []
        for relations, equal in ((self.equations, True), (self.inequalities, False)):
            for number, relation in enumerate(relations):
                if equal and number in self._defining:
                    continue
                row = self._row(relation, equal)
                if row is None:
                    continue  # only known numbers: it holds (they are the data's)
                for j, w in row[0].items():
                    rows.append(len(self._sources))
                    cols.append(j)
                    data.append(w)
                lower.append(row[1])
                upper.append(row[2])
                self._sources.append(relation)
        n = len(self._unknowns)
        order = np.lexsort((rows, cols))  # column-wise, as HiGHS takes the matrix
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(self._sources)
        lp.col_cost_ = np.zeros(n)
        self._lower = np.array([-INF if c in self.free else 0.0 for c in self._unknowns])
        lp.col_lower_, lp.col_upper_ = self._lower, np.full(n, INF)
        lp.row_lower_, lp.row_upper_ = np.array(lower, dtype=float), np.array(upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(np.array(cols, dtype=np.int64)[order], np.arange(n + 1)).astype(np.int32)
        lp.a_matrix_.index_ = np.array(rows, dtype=np.int32)[order]
        lp.a_matrix_.value_ = np.array(data, dtype=float)[order]
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.passModel(lp)
        self._highs, self._boxed, self._mip = highs, False, None
        self._all = np.arange(n, dtype=np.int32)

    def _row(self, relation, equal):
        """({column: weight}, lower, upper) of ``relation`` as a row (the known numbers moved to its
        bounds), or None when it names no unknown (kept in ``_skipped`` for ``reveal``)."""
        constant, coefficients, known = 0, {}, []
        for item, weight in relation.items():
            if item in self._index:
                j = self._index[item]
                coefficients[j] = coefficients.get(j, 0) + weight
            else:
                constant += weight * float(self.known[item])  # counts, measures, Decimal amounts
                known.append((item, weight))
        coefficients = {j: w for j, w in coefficients.items() if w}
        if not coefficients:
            for item, _ in known:
                self._skipped.setdefault(item, []).append((relation, equal))
            return None
        number = len(self._row_bounds)
        for item, weight in known:
            self._known_rows.setdefault(item, []).append((number, weight))
        bounds = (-float(constant) if equal else -INF, -float(constant))
        self._row_bounds.append(bounds)
        return coefficients, *bounds

    def _add_row(self, relation, equal):
        """A relation of known numbers only, one of them now unknown, added to the built model."""
        for item in relation:  # no longer skipped for the other known numbers in it
            if item in self._skipped:
                self._skipped[item] = [(r, e) for r, e in self._skipped[item] if r is not relation]
        row = self._row(relation, equal)
        if row is None:
            return
        coefficients, lower, upper = row
        self._highs.addRow(lower, upper, len(coefficients), np.array(list(coefficients), dtype=np.int32),
                           np.array(list(coefficients.values()), dtype=float))
        self._sources.append(relation)

    def _aim(self, model, c, boxed, was_boxed):
        """Give ``model`` (the LP's or the integer program's) the objective c and its columns' bounds
        (every unknown at most BOX when ``boxed``; ``was_boxed``: whether they are now): ``boxed``."""
        if boxed != was_boxed:
            upper = np.full(len(self._unknowns), BOX if boxed else INF)
            lower = np.where(self._lower == -INF, -BOX, self._lower) if boxed else self._lower
            model.changeColsBounds(len(self._all), self._all, lower, upper)
        model.changeColsCost(len(self._all), self._all, np.asarray(c, dtype=float))
        return boxed

    def _run(self, c, boxed):
        """Minimise c . x over the program (every unknown at most BOX when ``boxed``): (status, the solver)."""
        highs = self._highs
        self._boxed = self._aim(highs, c, boxed, self._boxed)
        highs.run()
        status = highs.getModelStatus()
        if status not in _FINISHED:
            # A warm start can end in numerical trouble (status Unknown, a small primal infeasibility
            # left) where a cold start solves the same program at once: the demo's 2024 after its
            # quarters and halves (docs/decisions.md). Once more from scratch before giving up.
            highs.clearSolver()
            highs.run()
            status = highs.getModelStatus()
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return "unbounded", highs  # the data satisfy the program: it is feasible
        if status != highspy.HighsModelStatus.kOptimal:
            raise CheckFailed(f"the solver ended with {highs.modelStatusToString(status)}")
        return "optimal", highs

    def points(self, samples=SAMPLES, seed=0):
        """Feasible points (arrays over ``unknowns``): vertices of random objectives."""
        self._build()
        n = len(self._unknowns)
        if not n:
            return []
        rng = np.random.default_rng(seed)
        found = []
        for c in [np.ones(n), -np.ones(n)] + [rng.uniform(-1, 1, n) for _ in range(samples)]:
            # each from scratch: the last random vertex is no start for the next (warm, one took
            # 112 s and ended Unknown where a cold start took 1.2 s; docs/decisions.md)
            self._highs.clearSolver()
            found.append(self.point(c))
        return found

    def feasible(self):
        """Whether the program has a solution: it has unless the known numbers contradict the
        equations (an earlier publication the data no longer give)."""
        self._build()
        if not self._unknowns:
            return True  # every relation is only known numbers, left out of the program
        self._highs.changeColsCost(len(self._all), self._all, np.zeros(len(self._all)))
        self._highs.run()
        status = self._highs.getModelStatus()
        # with no objective "infeasible or unbounded" (presolve's answer) is infeasible
        no = (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible)
        if status != highspy.HighsModelStatus.kOptimal and status not in no:
            raise CheckFailed(f"the solver ended with {self._highs.modelStatusToString(status)}")
        return status == highspy.HighsModelStatus.kOptimal

    def point(self, c):
        """A feasible point where c . x is least (every unknown at most BOX)."""
        self._build()
        _, highs = self._run(c, boxed=True)
        return np.array(highs.getSolution().col_value)

    def _objective(self, target):
        c = np.zeros(len(self._unknowns))
        for item, weight in self.expand(target if isinstance(target, dict) else {target: 1}).items():
            c[self._index[item]] += weight
        return c

    def _integer(self, c, boxed):
        """Minimise c . x over the program in whole numbers (every count an integer; the unknowns
        that are no counts real): (HiGHS's model status, the solver). A second model, built when
        first needed, so that the LP's warm starts stay as they are."""
        if self._mip is None:
            mip = highspy.Highs()
            mip.setOptionValue("output_flag", False)
            mip.setOptionValue("mip_rel_gap", 0.0)
            mip.setOptionValue("mip_abs_gap", 0.0)
            mip.setOptionValue("time_limit", MIP_TIME_LIMIT)
            mip.passModel(self._highs.getLp())  # the model as it is now (``reveal`` adds columns and rows)
            counts = np.array([i for i, low in enumerate(self._lower) if low == 0.0], dtype=np.int32)
            if len(counts):
                mip.changeColsIntegrality(len(counts), counts,
                                          np.array([highspy.HighsVarType.kInteger] * len(counts)))
            self._mip, self._mip_boxed = mip, self._boxed  # (its bounds as the model's now)
        mip = self._mip
        self._mip_boxed = self._aim(mip, c, boxed, self._mip_boxed)
        mip.run()
        return mip.getModelStatus(), mip

    def whole_point(self, c):
        """A feasible point in whole numbers where c . x is least (every unknown at most BOX), or
        None when the solver finds none within its time limit."""
        self._build()
        _, mip = self._integer(c, boxed=True)
        solution = mip.getSolution()
        if not solution.value_valid:
            return None
        values = np.array(solution.col_value)
        return np.where(self._lower == 0.0, np.round(values), values)  # counts within the solver's tolerance

    def whole_bound(self, target, sense):
        """The least (sense 1) or greatest (-1) whole value of ``target`` in whole numbers, proved by
        branch and bound (±math.inf when unbounded). Raises CheckFailed when the solver proves
        nothing within MIP_TIME_LIMIT: a count it cannot clear is no leave to publish."""
        self._build()
        status, mip = self._integer(sense * self._objective(target), boxed=False)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return -sense * math.inf
        if status != highspy.HighsModelStatus.kOptimal:
            raise CheckFailed(f"the integer program ended with {mip.modelStatusToString(status)}")
        value = sense * mip.getInfo().mip_dual_bound  # what is proved, not only what was found
        if not math.isfinite(value):
            raise CheckFailed("the integer program ended without a bound")
        return math.ceil(value - EPS) if sense == 1 else math.floor(value + EPS)

    def bounds(self, target):
        """(least, greatest) whole value of ``target`` (an unknown, or {unknown: weight} for a sum;
        math.inf when nothing bounds it above), and for each end the relations the solver's proof
        uses (its dual: non-zero multipliers)."""
        self._build()
        c = self._objective(target)
        ends, proofs = [], []
        for sense in (1, -1):
            status, highs = self._run(sense * c, boxed=False)
            if status == "unbounded":
                ends.append(-sense * math.inf)
                proofs.append([])
                continue
            ends.append(sense * highs.getInfo().objective_function_value)
            duals = highs.getSolution().row_dual
            proofs.append([self._sources[i] for i, y in enumerate(duals) if abs(y) > EPS])
        low, high = ends
        low = math.ceil(low - EPS) if low != -math.inf else low
        high = math.floor(high + EPS) if high != math.inf else high
        return low, high, proofs


def pinned(program, targets, small, points=None):
    """{target: (value, proofs)} of the ``targets`` that the reader works out exactly to a value for
    which ``small(value)``: targets are unknowns of ``program``, or {name: {unknown: weight}} for
    sums (a part's count over several stretches).

    Each target is solved for (two LPs) only if the feasible points leave it a candidate: every
    point in one whole value or less apart, and a small value among them. Points come from random
    objectives (``Program.points``; ``points=()``: none, every target a candidate to start with),
    then from the sum of the candidates left, least and greatest, which moves many at once, while
    that rules any out."""
    index = {c: i for i, c in enumerate(program.unknowns)}
    sums = dict(targets) if isinstance(targets, dict) else {t: {t: 1} for t in targets}
    sums = {name: program.expand(terms) for name, terms in sums.items()}
    names = [name for name, terms in sums.items() if terms and all(t in index for t in terms)]
    if not names:
        return {}
    if points is None:
        points = program.points()
    # every target's value at a point at once: its terms' values, weighted, summed per target
    columns = np.array([index[t] for name in names for t in sums[name]], dtype=np.int64)
    weights = np.array([w for name in names for w in sums[name].values()], dtype=float)
    lengths = [len(sums[name]) for name in names]
    starts = np.cumsum([0] + lengths[:-1])
    owner = np.repeat(np.arange(len(names)), lengths)  # the target of each term
    low, high = np.full(len(names), np.inf), np.full(len(names), -np.inf)
    whole_low, whole_high = np.full(len(names), np.inf), np.full(len(names), -np.inf)  # at whole points
    counts = np.array([c not in program.free for c in program.unknowns])

    def see(point):
        values = np.add.reduceat(point[columns] * weights, starts)
        np.minimum(low, values, out=low)
        np.maximum(high, values, out=high)
        if np.all(np.abs(point[counts] - np.round(point[counts])) <= EPS):  # a point in whole numbers too
            np.minimum(whole_low, values, out=whole_low)
            np.maximum(whole_high, values, out=whole_high)

    def left(among):
        return [i for i in among if _candidate((low[i], high[i]), small)]

    def narrow(candidates, left, point):
        """``candidates`` less those ruled out (``left``) by the points (``point(c)``) where the sum of
        the candidates still left is least and greatest, for as long as that rules any out."""
        while candidates:
            c, terms = np.zeros(len(index)), np.isin(owner, candidates)
            np.add.at(c, columns[terms], weights[terms])
            for sense in (1, -1):
                see(point(sense * c))
            still = left(candidates)
            if len(still) == len(candidates):
                break
            candidates = still
        return candidates

    for point in points:
        see(point)
    candidates = narrow(left(range(len(names))) if len(points) else list(range(len(names))), left, program.point)
    found, solved = {}, {}
    for i in candidates:
        least, greatest, proofs = program.bounds(sums[names[i]])
        solved[i] = (least, greatest, proofs)
        if least == greatest and small(least):
            found[names[i]] = (least, proofs)
    found.update(_whole(program, sums, names, small, solved, narrow, whole_low, whole_high))
    return found


def _whole(program, sums, names, small, solved, narrow, whole_low, whole_high):
    """The targets that only whole numbers pin to a small value (the LP leaves two or more whole
    values open): {name: (value, proofs)}. A count pinned in whole numbers has its value in every
    feasible point in whole numbers, so those select again: the LP's points that are whole numbers
    (most are), then the points of the integer program where the sum of the targets still in
    question is least and greatest (``narrow``, as ``pinned`` selects with the LP's). Those left get
    their LP bounds (whose proofs name the cells to hide) and, for each end the LP leaves apart from
    the value seen, a proof by branch and bound."""

    def left(among):
        return [i for i in among if whole_low[i] == np.inf
                or (round(whole_low[i]) == round(whole_high[i]) and small(round(whole_low[i])))]

    def whole_point(c):
        point = program.whole_point(c)
        if point is None:
            raise CheckFailed("the integer program found no point in its time limit")
        return point

    candidates = narrow(left([i for i in range(len(names)) if not (i in solved and solved[i][0] == solved[i][1])]),
                        left, whole_point)
    found = {}
    for i in candidates:
        value = round(whole_low[i])
        least, greatest, proofs = solved[i] if i in solved else program.bounds(sums[names[i]])
        if least == greatest:
            continue  # the LP's own
        if least != value and program.whole_bound(sums[names[i]], 1) != value:
            continue
        if greatest != value and program.whole_bound(sums[names[i]], -1) != value:
            continue
        found[names[i]] = (value, proofs)
    return found


def _definitions(equations, inequalities, known, free):
    """({item: {unknown: weight}}, numbers of their equations): the virtual cells (differencing.py)
    named in one equation alone, of no inequality, that equation the sum of unknown counts with
    positive weights: the item is that sum, whose least and greatest value are its own, and which is
    at least 0 as the item must be. The program keeps the sum instead of a column and an equation of
    its own (on a long sequence of publications most columns of the program were such cells)."""
    seen = {}
    for relation in (*equations, *inequalities):
        for item in relation:
            seen[item] = seen.get(item, 0) + 1
    defined, defining = {}, set()
    for number, equation in enumerate(equations):
        for item, weight in equation.items():
            if not (isinstance(item, tuple) and item and item[0] == "virtual") or seen[item] != 1 or item in known \
                    or item in free:
                continue
            terms = {c: -w / weight for c, w in equation.items() if c != item}
            if terms and all(w > 0 and c not in known and c not in free and c not in defined
                             for c, w in terms.items()):
                defined[item] = {c: int(w) if float(w).is_integer() else w for c, w in terms.items()}
                defining.add(number)
                break
    return defined, defining


def _candidate(values, small):
    """Whether a target seen at ``values`` may be pinned to a small value: no two whole values
    among them, and a small one within one of them."""
    low, high = min(values), max(values)
    if math.ceil(low - EPS) < math.floor(high + EPS):
        return False
    return any(small(v) for v in range(math.floor(low + EPS), math.ceil(high - EPS) + 1))


def hold(report, linked, bounds, hidden, threshold, system):
    """The new report's hidden cells (table, row, col), with more hidden until no count that counts
    persons is pinned to a small value by a reader using inequalities too. ``system``: the reader's
    equations (``differencing._system``). Raises differencing.StructureReveals for counts only
    what the new report cannot hide pins down.

    An earlier publication whose numbers the data no longer give (a participation registered or
    removed since) makes the equations contradict each other: the publications that do are left
    out of this check (``_consistent``; the linear search still counts them), and if the new report
    contradicts itself (a declaration that is wrong) the check is skipped and logged."""
    from . import differencing

    reports = [report] + list(linked)
    hidden = {(0, *c) for c in hidden}
    program = _program(system, reports, hidden, set())
    left_out = set()
    if not program.feasible():
        left_out = _consistent(system, reports, hidden)
        program = _program(system, reports, hidden, left_out)
        if left_out:
            logger.info("inequality check of a publication of %s: %d earlier publications no longer agree with "
                        "the data and are left out of it", report.association, len(left_out))
        if not program.feasible():
            logger.error("inequality check of a publication of %s skipped: the report's own relations contradict "
                         "each other", report.association)
            return {c[1:] for c in hidden}
    targets = {c: {c: 1} for c in [*program.unknowns, *program.defined]
               if c not in program.free and masking.counts_persons(c)}
    groups = {tuple(sorted(differencing._scope(r))) for r in reports} | system["virtual_scopes"]
    targets.update({run: terms for run, terms in _runs(system["additive"], bounds, program, groups).items()
                    if masking.counts_persons(run)})
    # the new report's cells: its counts, and the texts that tell an inequality (hidden: it no longer holds)
    hideable = {c for c in [*system["values"], *_texts([report])] if c[0] == 0 and c not in hidden}
    more = protect(program, targets, hideable, system["values"], lambda value: 0 < value < threshold,
                   lambda: _before(report, linked, bounds, left_out))
    return {c[1:] for c in hidden | more}


def _program(system, reports, hidden, left_out):
    """The reader's program over ``system`` with the new report's ``hidden`` cells unknown, without
    the relations that name a cell of a publication in ``left_out`` (their numbers, 1, 2, ...)."""
    known = {**system["constants"], **{c: v for c, v in system["values"].items() if c not in hidden}}
    texts = _texts(reports)
    known.update({c: 0 for c in texts if c not in hidden})
    relations = [e for e in system["every_relation"] if not _names(e, left_out)]
    inequalities = [e for e in _inequalities(reports) if not _names(e, left_out)]
    return Program(known, relations, inequalities, free=_not_counts(reports) | texts)


def _names(relation, publications):
    return bool(publications) and any(isinstance(c[0], int) and c[0] in publications for c in relation)


def _consistent(system, reports, hidden):
    """The earlier publications (numbers) to leave out so that the rest agree with the data: each
    in turn is kept if the program with it and those kept before still has a solution."""
    every = set(range(1, len(reports)))
    kept = set()
    for k in sorted(every):
        if _program(system, reports, hidden, every - kept - {k}).feasible():
            kept.add(k)
    return every - kept


def protect(program, targets, hideable, values, small, before):
    """The cells of ``hideable`` (known to ``program``) to hide so that no count of ``targets`` is
    pinned to a small value, one per pinned count and round (the first by ``masking._rank``: a
    non-total, non-zero, small one) among those the solver's proof of either end uses. A count
    already pinned by ``before()`` (the program of the earlier publications) is public and left
    alone. Raises differencing.StructureReveals for counts whose proofs use no hideable cell."""
    from .differencing import StructureReveals

    targets = dict(targets) if isinstance(targets, dict) else {t: {t: 1} for t in targets}
    found = pinned(program, targets, small)
    if found:
        earlier = before()
        if earlier.feasible():  # (it is, the data satisfying it, unless a declaration is wrong)
            public = pinned(earlier, {item: targets[item] for item in found}, lambda value: True, points=())
            found = {item: f for item, f in found.items() if item not in public}
            if public:  # a gap of the checks that made those publications (docs/decisions.md)
                logger.warning("inequality check of a publication: %d counts were already pinned by earlier "
                               "publications alone and are left as they are", len(public))
    hideable, more = set(hideable), set()
    while found:
        chosen, stuck = set(), set()
        for item, (_, proofs) in sorted(found.items(), key=repr):
            options = {c for proof in proofs for relation in proof for c in relation if c in hideable}
            if options:  # hiding one breaks that proof
                chosen.add(min(options, key=lambda c: masking._rank(c, values)))
            else:
                stuck.add(item)
        if stuck:
            raise StructureReveals(stuck)
        for cell in chosen:
            program.reveal(cell)
        hideable -= chosen
        more |= chosen
        # hiding more only widens what is feasible: only the counts pinned so far can still be
        found = pinned(program, {item: targets[item] for item in found}, small, points=())
    return more


def _runs(additive, bounds, program, groups=()):
    """{("run", table, row, col, part, first day, last day): {atom: 1}}: a part's count over two or
    more consecutive stretches of time, for the atoms that add up over time (``additive``), and a
    group's (``groups``: the scopes of the publications and of their virtual reports; the part is
    "a+b") over one or more. A reader sums them as readily as he subtracts a published period from
    another (November 2023 to February 2024 published after 2023 made January to October 2023 two
    stretches of a period nobody published). An additive atom the program does not hold is a known
    0 (``_without_known_zeros``); a run needs an atom of every part in every stretch of it (one
    that no count names is anything: the sum is not known)."""
    from .differencing import DAY, _parts

    stretches = list(zip(bounds[:-1], [d - DAY for d in bounds[1:]]))
    position = {s: i for i, s in enumerate(stretches)}
    series = {}  # (table, row, col) -> {part: {stretch number: atom}}
    for atom in additive:
        i = position.get((atom[5], atom[6]))
        if i is not None:
            series.setdefault(atom[1:4], {}).setdefault(atom[4], {})[i] = atom
    runs = {}
    for cell, by_part in sorted(series.items(), key=repr):
        spec = tables.get(cell[0])
        members = [(part,) for part in sorted(by_part)]
        members += [tuple(m) for m in {tuple(_parts(spec, list(g))) for g in groups} if len(m) > 1] if spec else []
        for parts in sorted(set(members)):
            if any(p not in by_part for p in parts):
                continue
            held = set.intersection(*(set(by_part[p]) for p in parts))
            for i in sorted(held):
                terms, j = {}, i
                while j in held:
                    terms.update({by_part[p][j]: 1 for p in parts if by_part[p][j] in program})
                    if terms and (j > i or len(parts) > 1):
                        runs[("run", *cell, "+".join(parts), stretches[i][0], stretches[j][1])] = dict(terms)
                    j += 1
    return runs


def _before(report, linked, bounds, left_out):
    """The reader's program before the new report: earlier publications only (but those
    ``left_out``), the new report's cells as named sums of their atoms."""
    from . import differencing

    system = differencing._system(report, linked, bounds, with_new=False)
    known = {**system["constants"], **{c: v for c, v in system["values"].items() if c[0] != 0}}
    texts = _texts(linked, first=1)
    known.update({c: 0 for c in texts})
    relations = [e for e in system["every_relation"] if not _names(e, left_out)]
    inequalities = [e for e in _inequalities(linked, first=1) if not _names(e, left_out)]
    return Program(known, relations, inequalities, free=_not_counts(linked, first=1) | texts)


def _inequalities(reports, first=0):
    """Every publication's bounds (a part at most its whole: ``varav_anonyma``), as weighted sums <= 0,
    and what its shown texts tell (``Report.inequalities``: a plan row's status against the whole
    previous year, plans/report_tables.py), each with its text's cell, weight 1: a number known to
    be 0 while the text is shown (``_texts``), anything once it is hidden (free), which frees the
    inequality. An earlier publication's hidden text tells nothing."""
    found = [{(k, *part): 1, (k, *whole): -1} for k, r in enumerate(reports, first) for part, whole in r.bounds]
    for k, r in enumerate(reports, first):
        shown = _texts([r], k)
        for terms, text in r.inequalities:
            if (k, *text) in shown:
                relation = {}
                for item, weight in [*terms, (text, 1)]:
                    relation[(k, *item)] = relation.get((k, *item), 0) + weight
                found.append(relation)
    return found


def _texts(reports, first=0):
    """The cells (k, table, row, col) of the texts that tell an inequality (``Report.inequalities``),
    but those an earlier publication hid (the new report, number 0 of ``first=0``, is not masked yet)."""
    cells = set()
    for k, r in enumerate(reports, first):
        masked = {(table.id, *cell) for table in r.tables for cell in table.masked} if k else set()
        cells |= {(k, *text) for _, text in r.inequalities if tuple(text) not in masked}
    return cells


def _not_counts(reports, first=0):
    """The hidden cells of earlier publications that are no counts (nothing keeps them from being
    negative): the masked cells of a kind other than a count, or of a table that masks itself."""
    return {(k, table.id, row, col) for k, r in enumerate(reports, first) if k for table in r.tables
            for row, col in table.masked
            if table.kind(row, col) != COUNT or masking._own_masking(table.id)}
