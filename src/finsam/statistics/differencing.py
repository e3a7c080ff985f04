"""Masking a report for publication against every earlier publication of the förbund (issue 9).

A reader holding several published reports can subtract one from another: the whole förbund minus
one insats is the other insatser; a year minus its first half is the second. Each count is
therefore written as a sum of *atoms*, the same count for one insats and one stretch of time:

- counts of participations add up over insatser (not ``unique``, which counts persons: each of its
  cells is one atom of its own scope and span, the same in every publication counting that scope
  and span, and so is a plan row's count of unique individuals);
- counts of *new* and *exited* participations (flow's new/exited columns and every table of those
  populations) also add up over the stretches of time between the publications' period bounds;
- a count of *current* participations (flow's current columns, age, municipality) is the current
  ones of the period's first stretch plus the new ones of each later stretch, and from one stretch
  to the next, current = current before - exited before + new (``_chain``; the new and exited of
  age and municipality are counts no table shows);
- a plan indicator's counts over another span than the report's (a year's goal in a half-year
  report counts from 1 January) are tied by relations to the report's cells through unpublished
  counts of the spans between (plans/report_tables.py, GOAL_SPAN), which decompose into the atoms
  of their span; so are the counts behind a plan indicator's previous value (the same span a year
  earlier); a publication frozen with the issue-9 goals table decomposes its goal counts into
  the atoms of the flow, work_or_study or exit_reason counts of the insats from 1 January;
- a plan goal on activities that counts SIP meetings is its insatser's SIP meetings over its span
  (activities/report_tables.py, ACTIVITY_SPAN: the atoms of a part's SIP meetings) plus the part
  that counts no persons, a number the row keeps and a reader is taken to know.

The earlier publications taken into account are those linked to the new one (``_linked``): a
publication is linked when one of its spans (its period, and every span its cells and unpublished
counts count over: ``_spans``) overlaps or adjoins one of the new report's or of a publication
linked before it. A previous value of 2023 in a report of H2 2024 links 2023's publications.

Which of these a table's cells are is declared with the table (``TableSpec.decompose`` and
``chain``, statistics/tables/); this module only knows the three kinds of time (``Atoms``).

A report of the whole förbund (no insats filter) has one more part than its insatser: the förbund's
own (``tables.OWN``), which a table declaring ``own_part`` counts (the förbund's own activities); the
other tables never get it (a participation always has an insats). And a publication may show that a
part of its scope had nothing to count in its period (``TableSpec.empty``: an insats absent from the
table of activities per insats): the atoms of that part over the period's stretches are 0, which the
reader knows, so they are taken out of the equations.

Every publication's relations (masking.py) stay in force, its visible cells are known, its hidden
ones unknown. So are the *virtual reports* a reader can work out: one insats's part of a published
period (the whole minus the other insatser), a published scope's part of a stretch of time (the year
minus its first half), with the cells of the new report's tables and of the tables of the linked
publications that the new report leaves out (``_virtual_cells``). The new report is masked with the
usual greedy search (``masking.suppress``) until no hidden cell of any publication is determined,
and no atom whose value is a small count (1 to threshold - 1) is: an insats's small count worked
out from two reports is as revealing as one shown. An equation with two or more atoms that occur
nowhere else can give nothing away and is dropped first.

What the search gives up (a small count determined by earlier publications' cells alone, with no cell
of the new report to hide) is checked against what a reader knew before: if only the new report's
structure (the parts and kinds it shows held nothing, its own relations, a 0 it cannot hide) completes
it, ``StructureReveals`` refuses the publication (reports/publishing.py): leaving tables out told a
reader as much (docs/decisions.md, "A publication's structure says nothing").

Last, what a reader proves with inequalities too (counts are not negative, a part is at most its
whole) over every equation unpruned: ``inequalities.hold`` hides more cells of the new report, or
refuses it in the same way. A first publication gets that check too.
"""

import datetime

from . import inequalities, masking, tables

DAY = datetime.timedelta(days=1)


class StructureReveals(Exception):
    """The new report, with no cell of it shown, tells a reader enough to work out a small count of
    earlier publications: e.g. which parts and kinds held nothing in its period (``TableSpec.empty``),
    or a 0 that no cell it may hide makes known. No masking of its cells helps. ``revealed``: those
    counts; ``refusing``: those of tables declaring ``refuses_when_revealed`` (the activity tables).
    The publication is refused (reports/publishing.py)."""

    def __init__(self, revealed):
        super().__init__(sorted(revealed, key=repr))
        self.revealed = frozenset(revealed)
        self.refusing = frozenset(c for c in self.revealed if _spec_of(c, "refuses_when_revealed"))


def mask_for_publication(report, threshold, earlier):
    """Mask ``report`` (unmasked) for publication, given the earlier publications (thawed Reports).
    Raises StructureReveals (and masks nothing yet) when what the report shows beyond the cells it
    may hide gives a small count away together with them."""
    threshold = max(threshold, masking.MINIMUM_MASKING_THRESHOLD)
    linked = _linked(report, earlier)
    for hook in tables.publication_hooks():  # tables that mask themselves (registry.register_publication_hook)
        hook(report, linked, threshold)
    bounds = _bounds([report] + linked)
    if not linked:
        hidden = masking.protect(report, threshold)
        system = _system(report, [], bounds)
        masking.apply(report, inequalities.hold(report, [], bounds, hidden, threshold, system), threshold)
        return
    system = _system(report, linked, bounds)
    values, relations = system["values"], system["relations"]
    # a small count that counts no persons (a listed seminar's occasions, a total over seminars and
    # SIP meetings) is hidden only to protect others
    primary = masking.primary_cells({c: v for c, v in values.items() if c[0] == 0}, threshold)
    own_bounds = [((0, *a), (0, *b)) for a, b in report.bounds]
    # The new report's hidden cells must stay unknown; earlier hidden cells, unpublished counts and
    # atoms must not be worked out when their value is a small count (a larger one reveals nothing:
    # if it helped to work out a small one, that one would be determined too).
    hidden, revealed = masking.suppress_revealing(
        values, relations, own_bounds, primary, fixed=system["fixed"], candidates={c for c in values if c[0] == 0},
        unknowns=system["unknowns"], sensitive=lambda value: 0 < value < threshold, constants=system["constants"],
        persons=masking.counts_persons)
    hidden = {c[1:] for c in hidden if c[0] == 0}
    revealed = {c for c in revealed if masking.counts_persons(c)}
    if revealed:
        # Worked out from the earlier publications alone (by the same reasoning, the forced zeros
        # too), or only with what the new report tells besides the cells it can hide?
        before = _system(report, linked, bounds, with_new=False)
        _, known_before = masking.suppress_revealing(
            before["values"], before["relations"], [], set(), fixed=before["fixed"], candidates=set(),
            unknowns={c for e in before["relations"] for c in e} - before["fixed"] - set(before["constants"]),
            sensitive=lambda value: 0 < value < threshold, constants=before["constants"],
            persons=masking.counts_persons)
        if revealed - known_before:
            raise StructureReveals(revealed - known_before)
    # what a reader proves with inequalities too (counts are not negative): more hidden, or refused
    masking.apply(report, inequalities.hold(report, linked, bounds, hidden, threshold, system), threshold)


def _system(report, linked, bounds, with_new=True):
    """The equations a reader of the new report (number 0) and of the linked publications (1, ...)
    writes down, over cells (k, table, row, col), unpublished counts and atoms: {"values" of the
    counts shown or to show, "fixed" (shown by earlier publications), "unknowns", "relations",
    "constants" (the other numbers shown, never hidden: masking.other_numbers)}.
    ``with_new=False``: what the reader knows before the new report is published; its cells are
    only named sums of their atoms (its relations and the parts it shows to be empty left out).
    ``every_relation``: the relations before ``_prune``, also those that tell linear algebra nothing
    but may bound a count that is not negative, ``additive``: the atoms that add up over time, and
    ``virtual_scopes``: the scopes of the virtual reports (inequalities.py)."""
    reports = [report] + linked
    values, fixed, unknown_cells, constants, additive = {}, set(), set(), {}, set()
    relations, atom_equations = [], []
    for k, r in enumerate(reports):
        if k or with_new:
            constants.update({(k, *c): v for c, v in masking.other_numbers(r).items()})
        for table in r.tables:
            masked = set(table.masked)
            for row, columns in table.cells.items():
                for col, value in columns.items():
                    cell = (k, table.id, row, col)
                    if k and (row, col) in masked:
                        unknown_cells.add(cell)
                    elif masking.is_count(table, row, col, value):
                        values[cell] = value
                        if k:
                            fixed.add(cell)
                    else:
                        continue
                    atoms = _atoms(r, table.id, row, col, bounds, additive)
                    if atoms:
                        atom_equations.append(_sum_of(cell, atoms))
        if not (k or with_new):
            continue
        own = masking.equations(r)
        relations += [{(k, *c): v for c, v in e.items()} for e in own]
        # (and the unpublished counts of what its texts tell: inequalities._inequalities)
        named = [c for e in own for c in e] + [c for terms, _ in r.inequalities for c, _ in terms]
        for cell in sorted({c for c in named if str(c[0]).startswith(masking.UNPUBLISHED)}, key=repr):
            atoms = _atoms(r, *cell, bounds, additive)
            if atoms:
                atom_equations.append(_sum_of((k, *cell), atoms))
    # the new report's unpublished counts (a row's SIP attendances per organisation and role, a
    # part's SIP meetings), which virtual reports have too: the attendee tables' rows decompose into
    # none, so without them the year's ej_uppdelat 6 minus its first half's 5 was the whole
    # förbund's 1 SIP attendance without organisation in the second half (found by an attack)
    unpublished_cells = sorted({c for e in masking.equations(report) for c in e
                                if str(c[0]).startswith(masking.UNPUBLISHED)}, key=repr)
    virtual_cells = _virtual_cells(reports)
    pseudos = _virtual_reports(reports, bounds)
    for pseudo in pseudos:
        for cell in unpublished_cells:
            spec = tables.get(cell[0])
            if not (spec and _parts(spec, _scope(pseudo))):
                continue
            atoms = _atoms(pseudo, *cell, bounds, additive)
            if atoms:
                atom_equations.append(_sum_of(("virtual", pseudo.key, *cell), atoms))
        for table_id, row, col in virtual_cells:
            spec = tables.get(table_id)
            if not (spec and _parts(spec, _scope(pseudo))):
                continue  # the förbund's own part, of a table that has none
            atoms = _atoms(pseudo, table_id, row, col, bounds, additive)
            if atoms:
                atom_equations.append(_sum_of(("virtual", pseudo.key, table_id, row, col), atoms))
    chained = _chain({a for e in atom_equations for a in e if a[0] == "atom"}, bounds)
    additive.update(a for e in chained for a in e if not _is_current(*a[1:4]))  # its new and exited
    atom_equations += chained
    atom_equations = _without_known_zeros(atom_equations, _empty_parts(reports if with_new else linked))
    every_relation = relations + atom_equations
    atom_equations = _prune(atom_equations)
    atoms = {c for e in atom_equations for c in e if c[0] in ("atom", "virtual")}
    relations += atom_equations
    unpublished = {c for e in relations for c in e
                   if isinstance(c[0], int) and str(c[1]).startswith(masking.UNPUBLISHED)}
    return {"values": values, "fixed": fixed, "unknowns": atoms | unknown_cells | unpublished,
            "relations": relations, "constants": constants, "every_relation": every_relation,
            "additive": additive, "virtual_scopes": {tuple(sorted(p.interventions)) for p in pseudos}}


def _virtual_cells(reports):
    """The count cells (table, row, col) of the virtual reports: the new report's, and those of the
    linked publications' tables that the new report does not have (such a table still has a virtual
    report a reader may work out). An insats's own row is left out: a virtual report of that insats
    has it as "totalt"."""
    report, names = reports[0], set().union(*(r.intervention_names for r in reports))
    shown = {t.id for t in report.tables}
    cells = []
    for k, r in enumerate(reports):
        for table in r.tables:
            if k and table.id in shown:
                continue
            for row, columns in table.cells.items():
                if row in names:
                    continue
                for col, value in columns.items():
                    # an earlier publication's hidden count is None: a count by its kind
                    if masking.is_count(table, row, col, 0 if k and value is None else value):
                        cells.append((table.id, row, col))
    return list(dict.fromkeys(cells))


def _spec_of(item, attribute, default=False):
    """The declaration ``attribute`` of the table (or unpublished count) of a cell, atom or virtual cell."""
    return getattr(tables.get(item[2] if item[0] == "virtual" else item[1]), attribute, default)


def _sum_of(cell, atoms):
    """The equation cell = the sum of its atoms."""
    equation = {cell: -1}
    for atom in atoms:
        equation[atom] = equation.get(atom, 0) + 1
    return equation


class _Pseudo:
    """A report nobody published but a reader can work out by subtraction: one insats's part of a
    published period, or a published scope's part of a stretch of time (a year minus its first half)."""

    def __init__(self, scope, start, end):
        self.interventions, self.intervention_names = list(scope), {s: s for s in scope}
        self.date_from, self.date_to = start, end
        self.key = (tuple(scope), start, end)


def _empty_parts(reports):
    """{part: [(first day, last day, holds, besides)]}: what the publications (and the new report)
    show was 0 (``TableSpec.empty``): the atoms of that part over stretches of that period whose
    (table, row, col) ``holds``, but for a stretch holding a day of ``besides``. The new report's are
    taken as the reader will see them (a count hidden later would only make the reader know less)."""
    empty = {}
    for r in reports:
        shown = [(tables.get(table.id), table) for table in r.tables]
        # a source with no data in the period has no table at all: every part's 0 (spec.empty(None, ...))
        missing = tables.sources_without_data(r)
        shown += [(spec, None) for spec in tables.specs() if spec.source in missing]
        for spec, table in shown:
            if spec and getattr(spec, "empty", None):
                for known in spec.empty(table, _parts(spec, _scope(r)), r.intervention_names):
                    empty.setdefault(known.part, []).append((r.date_from, r.date_to, known.holds, known.besides))
    return empty


def _without_known_zeros(equations, empty):
    """The equations with every atom known to be 0 left out (an equation left with nothing is dropped)."""
    if not empty:
        return equations

    known = {}  # atom -> whether it is a known 0: an atom is in many equations, asked once

    def zero(cell):
        if cell[0] != "atom":
            return False
        if cell not in known:
            known[cell] = any(start <= cell[5] and cell[6] <= end and holds(*cell[1:4])
                              and not any(cell[5] <= day <= cell[6] for day in besides)
                              for start, end, holds, besides in empty.get(cell[4], ()))
        return known[cell]

    result = []
    for equation in equations:
        kept = {c: w for c, w in equation.items() if not zero(c)}
        if kept:
            result.append(kept)
    return result


def _virtual_reports(reports, bounds):
    real = {(tuple(sorted(_scope(r))), r.date_from, r.date_to) for r in reports}
    scopes = {tuple(sorted(_scope(r))) for r in reports}
    periods = {(r.date_from, r.date_to) for r in reports}
    # the rest of a period besides a shorter one published with the same first or last day (the year
    # minus its first quarter: April-December, two stretches once the first half is published too), a
    # period whose small count is as revealing as a stretch's (found by an attack)
    periods |= {(b + DAY, d) if a == c else (c, a - DAY) for a, b in periods for c, d in periods
                if (a, b) != (c, d) and c <= a and b <= d and (a == c or b == d)}
    wanted = set()
    for scope in scopes:
        for start, end in {(r.date_from, r.date_to) for r in reports if tuple(sorted(_scope(r))) == scope}:
            for a, b in _stretches(start, end, bounds):
                wanted.add((scope, a, b))
            for a, b in periods:
                if start <= a and b <= end and (a, b) != (start, end):
                    wanted.add((scope, a, b))  # a rest within the scope's own period
    if len(scopes) > 1:
        for slug in {s for scope in scopes for s in scope}:
            for start, end in periods:
                wanted.add(((slug,), start, end))
        # the rest of a scope besides a smaller one (the förbund but Novum: the whole minus Novum's
        # report), a group whose small count is as revealing as one insats's
        for wide in scopes:
            for narrow in scopes:
                rest = tuple(sorted(set(wide) - set(narrow)))
                if set(narrow) < set(wide) and len(rest) > 1:
                    for start, end in periods:
                        wanted.add((rest, start, end))
    return [_Pseudo(scope, a, b) for scope, a, b in sorted(wanted - real)]


def _linked(report, earlier):
    """The earlier publications whose spans overlap or adjoin the new one's, directly or through
    others: no count of the rest shares an atom with it. A report's spans are its period and every
    other span its cells and unpublished counts count over (``_spans``: a plan row's previous value
    counts the same span a year earlier, so H2 2024 is linked to 2023's publication)."""
    linked, rest = [], list(earlier)
    spans, theirs_of = _spans(report), {id(r): _spans(r) for r in earlier}
    grew = True
    while grew:
        grew = False
        for r in list(rest):
            theirs = theirs_of[id(r)]
            # overlapping or next to each other: current counts are tied from one stretch to the next
            if any(a <= end + DAY and start <= b + DAY for start, end in spans for a, b in theirs):
                linked.append(r)
                rest.remove(r)
                spans |= theirs
                grew = True
    return linked


def _spans(report):
    """{(first day, last day)}: the report's period and every span a cell or an unpublished count of
    its relations (or inequalities) counts over that is not the period (a plan indicator's counts run from 1 January,
    its previous value's a year earlier)."""
    spans = {(report.date_from, report.date_to)}
    scope = _scope(report)
    named = [c for parts, total in report.relations for c in (*parts, total)]
    named += [c for terms, _ in report.inequalities for c, _ in terms]  # what its texts tell
    for cell in {c for c in named if str(c[0]).startswith(masking.UNPUBLISHED)}:
        spec = tables.get(cell[0])
        decomposed = spec.decompose(*cell, _parts(spec, scope), report.date_from, report.date_to) \
            if spec and spec.decompose else None
        if decomposed is not None:
            spans.add((decomposed.start, decomposed.end))
    for table in report.tables:
        spec = tables.get(table.id)
        if not (spec and spec.decompose):
            continue
        for row, columns in table.cells.items():
            for col in columns:
                decomposed = spec.decompose(table.id, row, col, _parts(spec, scope), report.date_from, report.date_to)
                if decomposed is not None:
                    spans.add((decomposed.start, decomposed.end))
    return spans


def _bounds(reports):
    """The dates where a stretch of time starts: the first day and the day after the last of every
    span of every report (``_spans``: its period, and every span a cell or an unpublished count of
    the relations counts over, such as a plan indicator's from 1 January, the span it shares with
    the report's cell), so that the atoms of every report cut time at the same days."""
    days = set()
    for r in reports:
        for start, end in _spans(r):
            days.add(start)
            days.add(end + DAY)
    return sorted(days)


def _stretches(start, end, bounds):
    inner = [d for d in bounds if start < d <= end]
    starts = [start] + inner
    ends = [d - DAY for d in inner] + [end]
    return list(zip(starts, ends))


def _scope(report):
    """The parts a report counts: its insatser, and in a report of the whole förbund (no insats
    filter) the förbund's own part as well (``tables.OWN``)."""
    if report.interventions:
        return list(report.interventions)
    return list(report.intervention_names) + [tables.OWN]


def _parts(spec, scope):
    """The parts of ``scope`` a table counts: the förbund's own only if it declares ``own_part``."""
    return list(scope) if getattr(spec, "own_part", False) else [s for s in scope if s != tables.OWN]


def _atoms(report, table_id, row, col, bounds, additive=None):
    """The atoms ("atom", table, row, col, insats, first day, last day) a cell is the sum of, or None
    for a cell that is no such sum (persons, measures): as the table's declaration decomposes it
    (``TableSpec.decompose``). ``additive`` (a set) gets those that add up over time (new and
    exited, not current counts nor a span's own count), whose sums over several stretches are
    counts too (inequalities.py)."""
    spec = tables.get(table_id)
    parts = _parts(spec, _scope(report)) if spec else []
    if not parts:
        return None  # a virtual report of the förbund's own part, of a table that has none
    decomposed = spec.decompose(table_id, row, col, parts, report.date_from, report.date_to) \
        if spec.decompose else None
    if decomposed is None:
        return None
    table_id, row, col = decomposed.table, decomposed.row, decomposed.col
    stretches = _stretches(decomposed.start, decomposed.end, bounds)
    if decomposed.time == tables.ADDITIVE:
        atoms = [("atom", table_id, row, col, slug, a, b) for slug in decomposed.insatser for a, b in stretches]
        if additive is not None:
            additive.update(atoms)
        return atoms
    if decomposed.time == tables.PERIOD:
        return [("atom", table_id, row, col, slug, decomposed.start, decomposed.end) for slug in decomposed.insatser]
    # Current in a period = current in its first stretch + new in each later one (CHAIN).
    (a, b), later = stretches[0], stretches[1:]
    new = tables.get(table_id).chain.shadow(col, "new")
    if additive is not None:
        additive.update(("atom", table_id, row, new, slug, x, y) for slug in decomposed.insatser for x, y in later)
    return [atom for slug in decomposed.insatser for atom in
            [("atom", table_id, row, col, slug, a, b)] + [("atom", table_id, row, new, slug, x, y) for x, y in later]]


def _chain(atoms, bounds):
    """For each current atom, the equations that tie it to the next stretch: current in a stretch =
    current in the one before - exited in the one before + new in it."""
    stretches = list(zip(bounds[:-1], [d - DAY for d in bounds[1:]]))
    keys = {(a[1], a[2], a[3], a[4]) for a in atoms if a[0] == "atom" and _is_current(a[1], a[2], a[3])}
    equations = []
    for table_id, row, col, slug in sorted(keys, key=repr):  # sorted: the same masking in every process
        shadow = tables.get(table_id).chain.shadow
        for (a, b), (c, d) in zip(stretches, stretches[1:]):
            equation = {("atom", table_id, row, col, slug, c, d): -1, ("atom", table_id, row, col, slug, a, b): 1,
                        ("atom", table_id, row, shadow(col, "exited"), slug, a, b): -1,
                        ("atom", table_id, row, shadow(col, "new"), slug, c, d): 1}
            equations.append(equation)
    return equations


def _is_current(table_id, row, col):
    spec = tables.get(table_id)
    return bool(spec and spec.chain and spec.chain.is_current(row, col))


def _prune(equations):
    """Drop the equations with two or more atoms found nowhere else (nothing can be worked out from
    them), until none is left. One with a single such atom stays: it may give that atom away. A
    virtual report's cell is an atom here (it occurs in its own equation only)."""
    equations = [dict(e) for e in equations]
    alive = set(range(len(equations)))
    while True:
        where = {}
        for i in alive:
            for c in equations[i]:
                if c[0] in ("atom", "virtual"):
                    where.setdefault(c, []).append(i)
        lonely = {}
        for places in where.values():
            if len(places) == 1:
                lonely[places[0]] = lonely.get(places[0], 0) + 1
        useless = {i for i, n in lonely.items() if n >= 2}
        if not useless:
            return [equations[i] for i in sorted(alive)]
        alive -= useless
