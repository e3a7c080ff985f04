"""Masking small numbers for publication (``variables.md``, issue 9).

Counts from 1 to threshold - 1 are hidden (primary suppression), unless they count no persons (a
table declaring ``counts_persons=False``: a listed seminar's occasions; rows its ``primary_rows``
leaves out: a total over seminars and SIP meetings), which are hidden only to protect other counts
and are never protected themselves (``counts_persons``). A reader also knows how the counts
of a report hang together: gender columns add up to the total column, rows to the total row,
``totalt`` + ``volym`` = ``totalt_inkl_volym``, the same population appears in several tables, a
plan indicator's numerator is a cell of another table, an insats's anonymous exits are its flow exits minus its
work-or-study exits. Secondary suppression hides more cells until **no hidden count is determined by
the visible ones**: every relation is a linear equation, the visible values are substituted, and the
system over the hidden cells is brought to reduced row echelon form (exact, in the integers modulo a
large prime; ``Elimination``). A hidden cell is determined exactly when its pivot row has no other
unknown: that row is the reader's computation, and one more visible cell of it is hidden (a
non-total, non-zero, small one first), until none is. Counts are not negative: hidden cells that
must make up a visible 0 are shown and the search runs again (``forced_zeros``); a count it then
finds given away through such a 0 makes it hide a visible cell that made the 0 known and search
again (``_zero_makers``). ``varav_anonyma`` <= its parent: a hidden parent hides a non-zero child
(the child would be a lower bound of it).

Shares computed from a hidden count (as numerator or denominator) are hidden too, and so are a
plan indicator's result, previous value and grade or status when a count behind it is small or
hidden (``_mask_plan_rows``; the previous value's numerator and denominator are count cells of the
row, ``previous_numerator`` and ``previous_denominator``, tied to the span a year earlier, and a gap
between women's and men's share has the counts of both shares: ``PLAN_GAP_COUNTS``), and a
mean or median over a hidden count (``Table.measure_of``). Other measures and amounts are never
masked as counts. A roll-up of plan rows then counts its rows as published (``Table.recount``).

The relations come from the tables (``Table.sums``) and the report (``Report.relations``,
``Report.bounds``), declared with the tables (statistics/tables/). ``suppress`` also takes
cells known from outside and further unknowns: earlier publications (``differencing.py``).
Bounds from inequalities beyond the forced zeros, and zeros that only a sum of several equations
forces, are not modelled here: a publication's last check asks an LP solver (inequalities.py).
A masked live report (``mask_report``) goes without that check.
"""

import functools
from decimal import Decimal

from finsam.tenancy.models import MINIMUM_MASKING_THRESHOLD

from .grading import GRADE_NONE, NOT_ASSESSED
from .tables import COUNT
from .tables.registry import UNPUBLISHED  # first letter of the "table" of a count in relations but in no table

TOTAL_PREFIX = "totalt"


def is_count(table, row, col, value):
    """Only a count is masked by count rules: never a measure, a share, an amount or text (the
    kinds the table's declaration gives its cells)."""
    return (table.kind(row, col) == COUNT and isinstance(value, int) and not isinstance(value, bool)
            and not _own_masking(table.id))


@functools.lru_cache(maxsize=None)  # asked for every cell; the declarations do not change
def _own_masking(table_id):
    """A table that masks its own small numbers (TableSpec.own_masking) is left alone."""
    from .tables.registry import get

    return getattr(get(table_id), "own_masking", False)


@functools.lru_cache(maxsize=None)
def _primary_rule(table_id):
    """(counts persons, primary_rows) of a table (TableSpec.counts_persons, .primary_rows)."""
    from .tables.registry import get

    spec = get(table_id)
    return getattr(spec, "counts_persons", True), getattr(spec, "primary_rows", None)


def counts_persons(item):
    """Whether a cell, an unpublished count, an atom or a virtual cell (differencing.py) counts
    persons, so that a small value of it must be neither shown nor worked out: every count but those
    of a table declaring ``counts_persons=False`` (the occasions of a listed seminar are no secret)
    and of the rows its ``primary_rows`` leaves out (a total over seminars and SIP meetings, an
    insats's row of its activities), which are hidden only to protect the counts of persons in them."""
    at = _column_at(item)
    if at is None:
        return True
    counts, rows = _primary_rule(item[at[0]])
    return counts and (rows is None or rows(item[at[0] + 1]))


def primary_cells(values, threshold):
    """The counts hidden for being small (1 to threshold - 1): ``counts_persons``, which others
    are hidden to protect. ``values``: {(table, row, col): value}, or with a publication's number
    first (differencing.py)."""
    if threshold <= 1:
        return set()
    return {cell for cell, value in values.items() if 0 < value < threshold and counts_persons(cell)}


def count_cells(report):
    """{(table id, row, col): value} of every count of the report."""
    return _cells(report, is_count)


def other_numbers(report):
    """{(table id, row, col): value} of every number of the report that is not a count (measures,
    amounts): never hidden as counts, but a reader uses them in the relations that name them."""
    return _cells(report, lambda table, row, col, value: isinstance(value, (int, float, Decimal))
                  and not isinstance(value, bool) and not is_count(table, row, col, value))


def _cells(report, keep):
    return {(table.id, row, col): value for table in report.tables for row, columns in table.cells.items()
            for col, value in columns.items() if keep(table, row, col, value)}


def equations(report):
    """Every relation as {cell: coefficient} whose weighted sum is 0, over report cells."""
    result = []
    for table in report.tables:
        for parts, total in table.sums:
            result.append(_equation([(table.id, *p) for p in parts], (table.id, *total)))
    for parts, total in report.relations:
        result.append(_equation(parts, total))
    return [e for e in result if e]


def _equation(parts, total):
    equation = {}
    for cell in parts:
        equation[cell] = equation.get(cell, 0) + 1
    equation[total] = equation.get(total, 0) - 1
    return {c: v for c, v in equation.items() if v}


def determined(equations, hidden):
    """The hidden cells whose value follows from the equations once every other cell is known."""
    return set(Elimination(equations, hidden).certificates())


# Elimination runs in the integers modulo a large prime instead of in fractions (ten times faster
# on a förbund's publications). Which cells are determined is the same as over the rationals unless
# the prime divides a minor of the small-integer relation matrix, which for coefficients of a few
# units and a 61-bit prime does not happen; a determined count, an integer far below P/2, is read
# back exactly from its residue (``value_of``).
P = 2**61 - 1


class Elimination:
    """Gauss-Jordan elimination of the equations, pivoting on hidden cells only (visible cells are
    constants and do not change which unknowns are fixed), kept up to date as more cells are hidden.

    Rows keep every cell, visible ones too, so a row whose only hidden cell is its pivot is at once
    the reader's computation of that cell. An index from cell to rows and a count of hidden cells
    per row make hiding a cell touch only the rows that hold it."""

    def __init__(self, equations, hidden):
        self.hidden = set(hidden)
        self.rows = {}  # row id -> {cell: weight mod P}
        self.holding = {}  # cell -> ids of the rows in which its weight is not 0
        self.unknowns = {}  # row id -> number of hidden cells in the row
        self.pivots = {}  # hidden cell -> id of its row (the only row that holds it)
        for index, equation in enumerate(equations):
            self.rows[index] = {}
            self.unknowns[index] = 0
            self._add(index, equation, -1)  # row = 0 - (-1) * equation
            for pivot in [c for c in self.rows[index] if c in self.pivots]:
                factor = self.rows[index].get(pivot)
                if factor:
                    self._add(index, self.rows[self.pivots[pivot]], factor)
            hidden_here = [c for c in self.rows[index] if c in self.hidden]
            if hidden_here:
                # the cell in fewest other rows: least fill-in (Markowitz); ties by name, for repeatability
                self._pivot_on(min(hidden_here, key=lambda c: (len(self.holding.get(c, ())), repr(c))), index)

    def _add(self, target, source, factor):
        """row ``target`` -= factor * ``source``, keeping the index and the counts."""
        row = self.rows[target]
        for cell, weight in list(source.items()):
            old = row.get(cell, 0)
            new = (old - factor * weight) % P
            if new == old:
                continue
            if new:
                row[cell] = new
                if not old:
                    self.holding.setdefault(cell, set()).add(target)
                    self.unknowns[target] += cell in self.hidden
            else:
                del row[cell]
                self.holding[cell].discard(target)
                self.unknowns[target] -= cell in self.hidden

    def _pivot_on(self, cell, row_id):
        row = self.rows[row_id]
        inverse = pow(row[cell], P - 2, P)
        for key in row:
            row[key] = row[key] * inverse % P
        for other in list(self.holding.get(cell, ())):
            if other != row_id:
                self._add(other, row, self.rows[other][cell])
        self.pivots[cell] = row_id

    def hide(self, cell):
        """The same elimination with ``cell`` hidden as well."""
        if cell in self.hidden:
            return
        self.hidden.add(cell)
        holders = self.holding.get(cell, set())
        for row_id in holders:
            self.unknowns[row_id] += 1
        # A row without any other unknown (it only checked visible cells) now says something about
        # the cell: it becomes the cell's pivot row.
        free = sorted(r for r in holders if self.unknowns[r] == 1)  # rows that held no unknown before
        if free:
            self._pivot_on(cell, free[0])

    def certificates(self):
        """{hidden cell: {cell: weight}} for every hidden cell the equations fix: a weighted sum of
        the equations in which that cell is the only unknown left (what a reader would compute)."""
        return {p: self.rows[r] for p, r in self.pivots.items() if self.unknowns[r] == 1}


def value_of(cell, combined, values):
    """The value a reader works out for ``cell`` from its certificate's sum and the visible values."""
    known = sum(w * values.get(c, 0) for c, w in combined.items() if c != cell)
    residue = -known * pow(combined[cell], P - 2, P) % P
    return residue if residue <= P // 2 else residue - P


def _is_total(cell):
    return any(str(key).startswith(TOTAL_PREFIX) for key in cell[1:])


def suppress(values, relations, bounds, primary, *, fixed=(), candidates=None, unknowns=(), sensitive=None,
             constants=None, persons=None):
    """The hidden cells (``suppress_revealing``'s first half)."""
    return suppress_revealing(values, relations, bounds, primary, fixed=fixed, candidates=candidates,
                              unknowns=unknowns, sensitive=sensitive, constants=constants, persons=persons)[0]


def suppress_revealing(values, relations, bounds, primary, *, fixed=(), candidates=None, unknowns=(),
                       sensitive=None, constants=None, persons=None):
    """(hidden cells, revealed): ``primary`` and as few more as the greedy search needs so that no
    hidden cell is determined; ``revealed`` are the primary cells and sensitive unknowns that no
    hidden cell could protect (determined by ``fixed`` cells and the relations alone). ``values``
    are every count's value; ``fixed`` cells are known to the reader whatever is hidden (never hidden
    here); only ``candidates`` (default: every non-fixed cell) may be hidden secondarily. ``unknowns`` are further unknowns of the equations that are no cell of the
    report (differencing.py): one of them being determined matters only if ``sensitive(the value it
    is determined to have)``.

    Counts are never negative, which a reader also knows: hidden cells and unknowns that make up a
    known 0 (``forced_zeros``) are as good as shown, so they are shown (unknowns: taken as known),
    and the search is run again with them known, until no more are found. A count the search then
    gives up through such a zero is not given up yet: a visible cell that made the zero known (a
    shown 0 that every insats's part must make up) is hidden from the start (``_zero_makers``), and
    the whole search is run again, until nothing given up owes anything to a zero that hiding a
    cell could make unknown.

    ``constants``: the values of the other visible numbers the relations name (measures: an activity
    row without SIP meetings), which are never hidden but count in what a reader works out.

    ``persons(cell)``: whether a hidden cell or unknown counts persons (default: every one;
    ``counts_persons``). One that does not (a listed seminar's occasions) is hidden only to protect
    others: worked out, it gives nothing away, so nothing more is hidden for it."""
    fixed, unknowns, primary = set(fixed), set(unknowns), set(primary)
    numbers = {**(constants or {}), **values}
    allowed = (set(values) if candidates is None else set(candidates)) - fixed
    makers = set()  # visible cells hidden because they told a reader a zero that gave a count away
    shown, why = set(), {}
    while True:
        hidden, revealed, shown, why, certificates = _suppress_with_zeros(
            values, relations, bounds, primary, makers, fixed, candidates, unknowns, sensitive, numbers, shown, why,
            persons)
        more = _zero_makers(revealed, certificates, why, shown, allowed - primary - makers, hidden, numbers, values)
        if not more:
            return hidden, revealed
        makers |= more
        # the next search starts from the zeros that owe nothing to the cells now hidden
        shown = _still_known(shown, why, makers)
        why = {cell: why[cell] for cell in shown}


def _still_known(shown, why, hidden):
    """The known zeros of ``shown`` that no equation behind them ties to a cell of ``hidden`` (or to a
    zero that is no longer known)."""
    needed_by = {}  # cell -> the zeros whose equation holds it
    for zero in shown:
        for cell in why.get(zero, ({}, None))[0]:
            if cell != zero:
                needed_by.setdefault(cell, []).append(zero)
    lost = set(shown) & set(hidden)
    todo = list(hidden)
    while todo:
        for zero in needed_by.get(todo.pop(), ()):
            if zero not in lost:
                lost.add(zero)
                todo.append(zero)
    return set(shown) - lost


def _suppress_with_zeros(values, relations, bounds, primary, makers, fixed, candidates, unknowns, sensitive,
                         numbers, shown, why, persons=None):
    """One greedy search with the forced zeros, hiding ``makers`` too and starting from the known
    zeros ``shown`` (and ``why`` each is one): (hidden, revealed, the cells and unknowns shown as
    zeros, why each is a known 0, the certificates of what was given up)."""
    shown, why = set(shown), dict(why)
    while True:
        # An unknown forced to 0 is known to the reader too (e.g. every insats's anonymous exits,
        # when the flow table shows 0 anonymous exits): no longer an unknown in the next round.
        hidden, public, revealed, certificates = _suppress(values, relations, bounds, primary, fixed | shown,
                                                           candidates, unknowns - shown, sensitive, numbers, makers,
                                                           persons)
        zeros = forced_zeros(relations, hidden | (unknowns - shown), numbers, why)
        # A hidden 0 that the shown cells determine (e.g. equal to a shown 0 of the same population
        # in another table) is as good as shown too: shown, so that the next round knows it.
        for cell in public:
            if values.get(cell, 0) == 0 and cell not in zeros:
                zeros.add(cell)
                why.setdefault(cell, (certificates[cell], None))
        # what a reader takes to be 0 with them (an activity's occasions and attendances), known
        # through the zero that implies it
        for source, cell in implied_zeros(zeros):
            zeros.add(cell)
            why.setdefault(cell, ({source: 1, cell: 1}, None))
        if not zeros - shown:
            return hidden, revealed, shown, why, certificates
        shown |= zeros


def _zero_makers(revealed, certificates, why, shown, hideable, hidden, numbers, values):
    """For each count given up (``revealed``) whose certificate uses a known 0 (``shown``), the
    visible cell to hide so that a reader no longer knows that 0: one of the ``hideable`` cells of
    the equation that forced it (or of those that forced the zeros it needed) whose hiding breaks
    it (a cell of another value than 0, or on the other side of the equation than the zeros). A
    cell already hidden by now is taken first (the zero was taken as known before it was hidden),
    then a shown 0 (it tells little else), then as the search ranks cells. Empty when no given-up
    count owes anything to such a zero."""
    chosen = set()
    for item in sorted(revealed, key=repr):
        options, seen = set(), set()
        todo = [c for c in certificates.get(item, ()) if c in shown and c != item]
        while todo:
            zero = todo.pop()
            if zero in seen or zero not in why:
                continue
            seen.add(zero)
            equation, positive = why[zero]
            for cell, weight in equation.items():
                if cell == zero:
                    continue
                if cell in shown:  # a zero it needed (or a cell shown since, for what this zero told)
                    todo.append(cell)
                if positive is not None and cell in hideable and \
                        (numbers.get(cell, 0) != 0 or (weight > 0) != positive):
                    options.add(cell)
        if options:
            chosen.add(min(options, key=lambda c: (c not in hidden, values.get(c, 0) != 0, _rank(c, values))))
    return chosen


def implied_zeros(zeros):
    """[(a zero of ``zeros`` or found so, what a reader takes to be 0 with it)] besides ``zeros``
    (TableSpec.zero_implies: an activity row's occasions and attendances are 0 together), for
    cells, unpublished counts, atoms and virtual cells alike."""
    found, todo, seen = [], list(zeros), set(zeros)
    while todo:
        item = todo.pop()
        at = _column_at(item)
        if at is None:
            continue
        table_at, col_at = at
        implies = _zero_implies(item[table_at])
        if implies is None:
            continue
        for col in implies(item[col_at]):
            other = (*item[:col_at], col, *item[col_at + 1:])
            if other not in seen:
                seen.add(other)
                found.append((item, other))
                todo.append(other)
    return found


def _column_at(item):
    """(index of the table id, index of the column) in a cell (table, row, col), a publication's
    cell (k, table, row, col), an atom ("atom", table, row, col, part, start, end) or a virtual
    cell ("virtual", key, table, row, col)."""
    if not isinstance(item, tuple) or len(item) < 3:
        return None
    if item[0] in ("atom", "run"):  # a run: a part's atoms over several stretches (inequalities._runs)
        return 1, 3
    if item[0] == "virtual":
        return 2, 4
    if isinstance(item[0], int):
        return 1, 3
    return 0, 2


@functools.lru_cache(maxsize=None)
def _zero_implies(table_id):
    from .tables.registry import get

    return getattr(get(table_id), "zero_implies", None) if isinstance(table_id, str) else None


def forced_zeros(relations, hidden, values, why=None):
    """The hidden cells a reader knows to be 0: every one in an equation whose hidden cells all count
    the same way (all parts, or all totals) while its visible cells leave 0 for them; repeated with
    those known, until no more are found. ``why`` (a dict) gets, for each, (the equation that forced
    it, whether the zeros stood with a positive weight in it)."""
    known_zero = set()
    changed = True
    while changed:
        changed = False
        for equation in relations:
            unknown = [c for c in equation if c in hidden and c not in known_zero]
            if not unknown or len({equation[c] > 0 for c in unknown}) != 1:
                continue
            if sum(w * values.get(c, 0) for c, w in equation.items() if c not in hidden or c in known_zero) == 0:
                known_zero.update(unknown)
                if why is not None:
                    for cell in unknown:
                        why.setdefault(cell, (equation, equation[unknown[0]] > 0))
                changed = True
    return known_zero


def _rank(cell, values):
    """Which visible cell to hide first: a non-total, non-zero, small one."""
    return (_is_total(cell), values.get(cell, 0) == 0, values.get(cell, 0), repr(cell))


def _suppress(values, relations, bounds, primary, fixed, candidates, unknowns, sensitive, numbers, extra=(),
              persons=None):
    """``extra``: cells hidden from the start though no small count (``_zero_makers``)."""
    fixed = set(fixed)
    unknowns = set(unknowns)
    hidden = ((set(primary) | set(extra)) - fixed) | unknowns
    allowed = (set(values) if candidates is None else set(candidates)) - fixed

    def rank(cell):
        return _rank(cell, values)

    given_up, public, certificates = set(), set(), {}  # public: determined by fixed cells alone
    elimination = Elimination(relations, hidden)
    while True:
        changed = False
        for part, whole in bounds:
            if whole in hidden and part not in hidden and part in allowed and values.get(part, 0) > 0:
                hidden.add(part)
                elimination.hide(part)
                changed = True
        exposed = elimination.certificates()
        for cell in sorted(set(exposed) - given_up, key=repr):
            # The reader's computation: the weighted sum of these equations. Hiding any visible
            # cell left in it breaks that computation.
            combined = exposed[cell]
            if persons is not None and not persons(cell):
                given_up.add(cell)
                continue
            if cell in unknowns:
                if not sensitive(value_of(cell, combined, numbers)):
                    given_up.add(cell)
                    continue
            choices = sorted((c for c in combined if c not in hidden and c in allowed), key=rank)
            if not choices:
                # Only fixed cells in it: its value is already public through them (an earlier
                # publication showing the same count), so there is nothing left to protect.
                given_up.add(cell)
                public.add(cell)
                certificates[cell] = dict(combined)
                continue
            hidden.add(choices[0])
            elimination.hide(choices[0])  # which changes the certificates: find them again
            changed = True
            break
        if not changed:
            # revealed: a sensitive unknown or a small count of the report that only fixed cells determine
            return (hidden - unknowns, public - unknowns, (public & unknowns) | (public & set(primary)),
                    certificates)


def mask_report(report, threshold):
    """Hide small counts and everything that would reveal them, in every table of ``report``."""
    threshold = max(threshold, MINIMUM_MASKING_THRESHOLD)
    hidden = protect(report, threshold)
    apply(report, hidden, threshold)


def protect(report, threshold):
    """The set of (table, row, col) cells to hide in ``report`` taken alone. A small count that counts
    no persons (``counts_persons``) is hidden only to protect others."""
    values = count_cells(report)
    primary = primary_cells(values, threshold)
    relations = equations(report)
    return suppress(values, relations, report.bounds, primary, unknowns=unpublished(relations, values),
                    sensitive=lambda value: 0 < value < threshold, constants=other_numbers(report),
                    persons=counts_persons)


def unpublished(relations, values):
    """Counts the relations speak of that no table shows (e.g. one insats's anonymous exits): they
    must not be worked out when small, like any hidden count."""
    return {c for e in relations for c in e if c not in values and str(c[0]).startswith(UNPUBLISHED)}


def apply(report, hidden, threshold):
    tables = {t.id: t for t in report.tables}
    for table in report.tables:
        table.masked = []
        table.masked_shares = set()
    for table_id, row, col in sorted(hidden):
        table = tables[table_id]
        table.cells[row][col] = None
        table.masked.append((row, col))
    for table in report.tables:
        masked = set(table.masked)
        for (row, col), (of, per) in table.share_refs.items():
            if of in masked or per in masked:
                table.shares[row][col] = None
                table.masked_shares.add((row, col))
        for (row, col), counts in table.measure_of.items():  # a mean over hidden counts could be one person's
            if set(counts) & masked and table.cell(row, col) is not None:
                table.cells[row][col] = None
                table.masked.append((row, col))
        _mask_plan_rows(table, masked, threshold)
        table.masked.sort()
    for table in report.tables:  # a roll-up counts its rows as published (plans/report_tables.py)
        if table.recount is not None:
            table.recount(table, tables, threshold)
    for table in report.tables:
        table.goal_masks = {}  # the counts behind the rows are no part of a publication
    report.published = True
    report.threshold = threshold


# The numerator and denominator are counts: masked by the count rules (primary and secondary), not
# with the row; hidden with it they were often a count shown elsewhere (an insats's exits in
# work_or_study), which made the masking claim to hide what anyone could read.
PLAN_RESULT_COLUMNS = ("result", "previous", "expected_to_date", "grade", "status")
PLAN_RESULT_TEXTS = ("result", "previous", "grade", "status", "expected_to_date", "note")  # the note names an opening
# The counts behind a gap between women's and men's share (plans/report_tables.py): the two shares'
# numerators and denominators, which its text shows as shares ("kvinnor 27,3 %, män 59,1 %": counts to
# a reader who knows a denominator); cells no column shows, hidden with the result, and a hidden one
# hides it.
PLAN_GAP_COUNTS = ("numerator_kvinna", "denominator_kvinna", "numerator_man", "denominator_man")
# The counts behind the previous value (plans/report_tables.py: cells no column shows, tied to the span a
# year earlier; a gap's four); hidden with the previous value, and a hidden one hides it.
PLAN_PREVIOUS_COUNTS = ("previous_numerator", "previous_denominator", *(f"previous_{c}" for c in PLAN_GAP_COUNTS))


def plan_row_hides(behind, counts_masked, threshold, previous_masked=False):
    """What publication hides of a plan indicator's row (activities-and-goals.md, "Masking"), given
    the counts ``behind`` it (``Table.goal_masks``) and whether the search hid its numerator or
    denominator (``counts_masked``) or a previous count cell (``previous_masked``,
    ``PLAN_PREVIOUS_COUNTS``): PLAN_RESULT_COLUMNS when a participant or SIP count behind its result
    (the value, numerator, denominator, an opening) is 1 to threshold - 1, or is hidden, or is a
    count of persons tied to nothing (``untied``: an activity goal by series or an evaluation share
    counting SIP meetings); ("previous",) when one behind its previous value is (a direction target
    then reads Ej bedömt); else ()."""
    def small(values):
        return any(isinstance(v, int) and not isinstance(v, bool) and 0 < v < threshold for v in values)

    if small(behind.get("counts", ())) or counts_masked or behind.get("untied"):
        return PLAN_RESULT_COLUMNS
    if small(behind.get("previous_counts", ())) or previous_masked or behind.get("previous_untied"):
        return ("previous",)
    return ()


def published_grades(behind, hide, grade, status):
    """(grade, status) of a plan indicator's row as published, given what ``plan_row_hides`` hides:
    a direction target whose previous value is hidden is not assessed (its grade compares the result
    with the hidden value). The one place of this rule: the row's masking and a roll-up counting a
    member table the report left out (plans/report_tables.Recount) both ask it."""
    if hide == ("previous",) and behind.get("direction"):
        return (NOT_ASSESSED if grade is not None else None, NOT_ASSESSED if status is not None else None)
    return grade, status


def _mask_plan_rows(table, masked, threshold):
    """Hide what ``plan_row_hides`` says of each plan indicator's row; a direction target whose
    previous value is hidden reads Ej bedömt. A hidden previous value hides its count cells too. A
    status the inequality check hid (what it tells: inequalities.py) hides its text."""
    for row, behind in table.goal_masks.items():
        cells, texts = table.cells[row], table.texts.get(row, {})
        for col in ("grade", "status"):
            if (row, col) in masked and col in texts:
                texts[col] = None
        hide = plan_row_hides(behind, bool({(row, c) for c in ("numerator", "denominator", *PLAN_GAP_COUNTS)} & masked),
                              threshold, bool({(row, c) for c in PLAN_PREVIOUS_COUNTS} & masked))
        published = published_grades(behind, hide, cells.get("grade"), cells.get("status"))
        for col, code in zip(("grade", "status"), published):
            if code != cells.get(col):
                cells[col] = code
                if col in texts:
                    texts[col] = GRADE_NONE
        # counts tied to nothing are hidden with the result (the search did not know what they count)
        untied = ("numerator", "denominator") if behind.get("untied") else ()
        unshown = PLAN_GAP_COUNTS if hide == PLAN_RESULT_COLUMNS else ()  # a gap's counts: no column shows them
        for col in (*hide, *PLAN_PREVIOUS_COUNTS, *untied, *unshown) if hide else ():
            if cells.get(col) is not None:  # hiding more than the search did reveals nothing more
                cells[col] = None
                table.masked.append((row, col))
        for key in PLAN_RESULT_TEXTS if hide == PLAN_RESULT_COLUMNS else hide:
            if texts.get(key) is not None:
                texts[key] = None
