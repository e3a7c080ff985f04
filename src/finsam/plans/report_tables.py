"""The plan's tables (shared/spec/activities-and-goals.md, part B, "Tables"), family ``goals``:
``plan_goals.<målområde>`` (one table per målområde of the plan covering the report's end: one
``several`` declaration), ``plan_summary``, ``goals`` (Måluppfyllelse per insats: the indicators
of goals about an insats) and ``goals_by_intervention``. Every value comes from plans/evaluate.py,
computed once per report context.

An indicator row's numerator and denominator are counts; so are the two counts behind its previous
value (the same metric a year earlier, shown in its text "30,2 % (26 av 86)"): cells
``previous_numerator`` and ``previous_denominator`` that no column shows (the JSON leaves them out,
the frozen format keeps them). ``plan_relations`` ties the row's counts to the cells they count over
the report's own span, or through the unpublished counts ``~goal_span`` to the atoms of another span
(from 1 January, a year earlier), with the sums of such a span's row (genders, work + studies:
``SPAN_FAMILIES``), so that masking and differencing protect them like any count. A row over
several insatser counts their sum: the report's cells of each, or one ``~goal_span`` count of them
all ("a+b"). A unique_individuals row counts persons, no sum: its counts are the persons of its
scope and span (``flow.PERSONS``), one atom with every unique cell of that scope and span. A count
including volumes adds the volumes of its scope and span (a ~goal_span of flow's volym row); a gap
between women and men shows two shares, whose four counts are cells of the row (GAP_COUNT_COLUMNS)
tied as those shares' rows are.

The id ``goals`` was the issue-9 table of ``interventions.Goal`` (rows ``<insats>:<year>:<metric>``)
before the plan became the only store of insats goals. Publications frozen with that table still
render (they carry their own rows, columns and kinds) and are still decomposed for differencing
(``_legacy_atoms`` below), so that a new publication cannot be subtracted from them."""

import datetime
import re

from finsam.statistics import grading, masking, metrics
from finsam.statistics.masking import PLAN_GAP_COUNTS
from finsam.statistics.participant_metrics import EXIT_SHARES, GENDER_SHARES
from finsam.statistics.tables.data import COUNT, MEASURE, SHARE, TEXT
from finsam.statistics.tables.flow import persons
from finsam.statistics.tables.registry import (
    ADDITIVE, CURRENT, PERIOD, UNPUBLISHED, Atoms, TableSpec, UnpublishedSpec, register, year_earlier,
)

from . import texts
from .evaluate import evaluate_plan, plan_covering
from .models import Assessment, FocusArea

READS = ("plans.Plan", "plans.FocusArea", "plans.Assessment", "plans.PlanGoal", "plans.Indicator",
         "participants.Participation", "participants.VolumeCount", "interventions.Intervention", "tenancy.Association")
INDICATOR_COLUMNS = [
    ("target", "Mål"), ("target_from", "Mål från"), ("target_to", "Mål till"), ("result", "Resultat"),
    ("numerator", "Antal"), ("denominator", "Av"), ("previous", "Föregående år"),
    ("expected_to_date", "Förväntat hittills"), ("grade", "Bedömning"), ("status", "Status"),
]
INDICATOR_KINDS = {"target": MEASURE, "target_from": MEASURE, "target_to": MEASURE, "result": MEASURE,
                   "numerator": MEASURE, "denominator": MEASURE, "previous": MEASURE, "expected_to_date": MEASURE,
                   "grade": TEXT, "status": TEXT}
GRADE_ORDER = [grading.GOOD, grading.ACCEPTABLE, grading.FAILED]
STATUS_ORDER = [grading.ON_TRACK, grading.RISK, grading.OFF_TRACK]
SUMMARY_CODES = [grading.GOOD, grading.ACCEPTABLE, grading.FAILED, grading.NOT_ASSESSED, grading.ON_TRACK,
                 grading.RISK, grading.OFF_TRACK]
SUMMARY_COLUMNS = [("indicators", "Indikatorer")] + [(c, grading.LABELS[c]) for c in SUMMARY_CODES] + [
    ("grade", "Bedömning"), ("status", "Status")]
SUMMARY_KINDS = {"indicators": MEASURE, **{c: MEASURE for c in SUMMARY_CODES}, "grade": TEXT, "status": TEXT,
                 "assessment": TEXT}
# The counts behind the previous value (its numerator and denominator): cells of the row that no column
# shows (the previous value's text does), so that masking and differencing treat them as counts.
PREVIOUS_COUNT_COLUMNS = ("previous_numerator", "previous_denominator")
# The part of the numerator, and of the previous value's, that counts no persons (MetricValue.known: a
# goal on SIP meetings and seminars, its seminars), a measure no column shows, which the relations
# that tie the rest to the counts of persons name (MetricSource.relate).
KNOWN_COLUMNS = ("numerator_known", "previous_numerator_known")
# A gap between women's and men's share shows both shares ("kvinnor 27,3 %, män 59,1 %"), which are
# counts to a reader who knows a denominator: their numerators and denominators are count cells no
# column shows (masking.PLAN_GAP_COUNTS), for its result and, "previous_" before them, its previous value.
GAP_COUNT_COLUMNS = {"kvinna": PLAN_GAP_COUNTS[:2], "man": PLAN_GAP_COUNTS[2:]}
SMALL_N = 10  # a share of fewer than this many reads as uncertain (the note says so)
NOTE = ("Resultatet räknas från periodens början till rapportens slut. God: minst målet eller inom 5 procent av det. "
        "Före periodens slut visas status mot det förväntade värdet hittills (I fas, Risk, Ej i fas), inget betyg.")


def _outcomes(ctx):
    """The evaluated indicators of the plan covering the report's end, once per context."""
    cached = getattr(ctx, "_plan_outcomes", None)
    if cached is None:
        plan = plan_covering(ctx.association, ctx.period.end) if ctx.association is not None else None
        outcomes = evaluate_plan(plan, ctx.association, ctx.period.end) if plan else []
        if ctx.filtered:  # an insats filter keeps the indicators about those insatser
            slugs = {i.slug for i in ctx.interventions}
            outcomes = [o for o in outcomes if o.indicator.interventions and set(o.indicator.interventions) <= slugs]
        cached = ctx._plan_outcomes = (plan, outcomes)
    return cached


def _row(table, key, outcome, percent):
    indicator = outcome.indicator
    target, value, unit = outcome.target, outcome.value, outcome.unit
    previous = outcome.previous_value
    cells = {
        "target": target.get("value"), "target_from": target.get("from"), "target_to": target.get("to"),
        "result": value.value, "numerator": value.numerator, "denominator": value.denominator, "previous": previous,
        "expected_to_date": _expected(outcome), "grade": outcome.grade, "status": outcome.status,
    }
    table.cells[key] = cells
    if value.counts:  # participant (or SIP) counts: masked as counts, tied to the cells they count
        table.cell_kinds.update({(key, "numerator"): COUNT, (key, "denominator"): COUNT})
        _gap_counts(table, key, value)
    if value.counts or value.known is not None:
        table.plan_rows[key] = outcome
    if value.known is not None and value.numerator is not None:
        # the part of the count that counts no persons (seminars beside SIP meetings): a measure,
        # known to the reader, in the relation that ties the rest (MetricSource.relate)
        cells[KNOWN_COLUMNS[0]] = value.known
        table.cell_kinds[(key, KNOWN_COLUMNS[0])] = MEASURE
    if unit in ("share", "points"):
        table.cell_kinds.update({(key, "target"): SHARE, (key, "result"): SHARE})
    prev_value = outcome.previous
    if prev_value is not None and (prev_value.counts or prev_value.known is not None):
        # The previous value's basis ("30,2 % (26 av 86)") shows two counts of the span a year
        # earlier: count cells that no column shows, masked and differenced like any count (tied to
        # that span's atoms by plan_relations); a hidden one hides the previous value. (A count tied
        # by its source that counts no persons this time: a measure, still tied.)
        for col, count in zip(PREVIOUS_COUNT_COLUMNS, (prev_value.numerator, prev_value.denominator)):
            if count is not None:
                cells[col] = count
                table.cell_kinds[(key, col)] = COUNT if prev_value.counts else MEASURE
        if prev_value.known is not None and prev_value.numerator is not None:
            cells[KNOWN_COLUMNS[1]] = prev_value.known
            table.cell_kinds[(key, KNOWN_COLUMNS[1])] = MEASURE
        if prev_value.counts:
            _gap_counts(table, key, prev_value, "previous_")
    table.goal_masks[key] = _behind(outcome)
    notes = []
    if value.detail.get("manual"):
        notes.append(f"Manuellt angivet: {value.detail.get('text')}")
    if outcome.baseline is not None:
        notes.append(f"Föregående år manuellt angivet{': ' + outcome.baseline['text'] if outcome.baseline.get('text') else ''}")
    if outcome.opening is not None:
        notes.append(f"Ingående {texts.number(outcome.opening)}")
    if value.denominator is not None and 0 < value.denominator < SMALL_N and not outcome.ref.get("per_day"):
        notes.append(f"Litet underlag ({texts.number(value.denominator)})")
    if not outcome.complete and outcome.expected is not None and target.get("type") not in grading.DIRECTIONS:
        notes.append(f"Förväntat hittills {texts.number(cells['expected_to_date'], 2)}")
    previous_text = None
    if outcome.baseline is not None:
        previous_text = texts.figure(previous, unit)
    elif prev_value is not None:
        previous_text = texts.with_basis(prev_value, unit, outcome.ref)
    table.texts[key] = {
        "goal": indicator.goal.name, "indicator": indicator.text, "target": texts.target_text(target, unit),
        "result": texts.with_basis(value, unit, outcome.ref), "previous": previous_text,
        "grade": texts.label(outcome.grade), "status": texts.label(outcome.status), "note": "; ".join(notes),
        "expected_to_date": (None if cells["expected_to_date"] is None
                             else texts.number(cells["expected_to_date"], 2)),
    }


def _gap_counts(table, key, value, prefix=""):
    """A gap's counts (GAP_COUNT_COLUMNS): the numerator and denominator of the women's and of the
    men's share its text shows."""
    for gender, word in (("kvinna", "women"), ("man", "men")):
        part = value.detail.get(word)
        if part is None:
            continue
        for col, count in zip(GAP_COUNT_COLUMNS[gender], (part.numerator, part.denominator)):
            if count is not None:
                table.cells[key][prefix + col] = count
                table.cell_kinds[(key, prefix + col)] = COUNT


def _behind(outcome):
    """The counts behind an indicator's result and previous value (``Table.goal_masks``)."""
    value, previous = outcome.value, outcome.previous
    return {
        "counts": [*value.counts, *([outcome.opening] if outcome.opening is not None and value.counts else [])],
        "previous_counts": list(previous.counts) if previous is not None else [],
        "direction": outcome.target.get("type") in grading.DIRECTIONS,
        # counts of persons tied to nothing: hidden in publication whatever their size
        "untied": value.hidden_in_publication,
        "previous_untied": previous is not None and previous.hidden_in_publication,
    }


def _expected(outcome):
    expected = outcome.expected
    if outcome.complete or not expected or outcome.target.get("type") in grading.DIRECTIONS:
        return None
    return expected.get("value", expected.get("from"))


def plan_goals_tables(ctx):
    plan, outcomes = _outcomes(ctx)
    if plan is None:
        return []
    tables = []
    for area in FocusArea.objects.filter(plan=plan).order_by("order", "pk"):
        mine = [o for o in outcomes if o.indicator.goal.focus_area_id == area.pk]
        if not mine:
            continue
        table = PLAN_GOALS.table([], INDICATOR_COLUMNS)
        table.id, table.title = f"plan_goals.{area.key}", f"Målområde: {area.name}"
        table.plan_rows = {}
        for outcome in mine:
            key = _plan_key(outcome)
            table.rows.append((key, outcome.indicator.text))
            _row(table, key, outcome, ctx.association.grade_acceptable_percent)
        table.notes.append(NOTE)
        tables.append(table)
    return tables


def _rollup(table, key, members):
    """A roll-up row from its members' (code, complete, grade, status): how many have each code,
    the lowest grade of those whose period has ended and the lowest status of the others."""
    counts = {code: 0 for code in SUMMARY_CODES}
    for code, _, _, _ in members:
        counts[code or grading.NOT_ASSESSED] += 1
    table.cells[key].update({
        "indicators": len(members), **counts,
        "grade": grading.lowest([grade for _, complete, grade, _ in members if complete], GRADE_ORDER),
        "status": grading.lowest([status for _, complete, _, status in members if not complete], STATUS_ORDER)})
    row_texts = table.texts.setdefault(key, {"assessment": None, "note": None})
    row_texts.update(grade=texts.label(table.cells[key]["grade"]), status=texts.label(table.cells[key]["status"]))


def _roll_up_outcomes(table, key, outcomes):
    table.cells.setdefault(key, {})
    _rollup(table, key, [(o.code, o.complete, o.grade, o.status) for o in outcomes])


# A published roll-up counts the rows as published (activities-and-goals.md, "Masking": "roll-ups use
# the unmasked rows"): a row whose result publication hid is left out, and a row whose grade it changed
# (a direction target whose previous value was hidden reads Ej bedömt) counts as shown. Counting the
# computed grades gave a lone hidden row's grade away: the roll-up's count minus the visible rows.
RESULT_HIDDEN_BY = ("result", "grade", "status")


class Recount:
    """``Table.recount`` of a roll-up, called by publication masking once the member tables are
    masked (a class, not a closure: reports are pickled into the cache). ``members`` = {roll-up row:
    [(member table id, row, complete, grade, status, counts behind it)]}. A member table left out of
    the report (``--tables plan_summary``) was masked nowhere: its rows count as masking would
    publish them (``masking.plan_row_hides``)."""

    def __init__(self, members):
        self.members = {key: [(table_id, row, o.complete, o.grade, o.status, _behind(o))
                              for table_id, row, o in rows] for key, rows in members.items()}

    def __call__(self, table, tables, threshold):
        for key, rows in self.members.items():
            shown, hidden = [], 0
            for table_id, row, complete, grade, status, behind in rows:
                member = tables.get(table_id)
                if member is not None:
                    gone = any((row, col) in member.masked for col in RESULT_HIDDEN_BY)
                    grade, status = member.cells[row].get("grade"), member.cells[row].get("status")
                else:
                    hides = masking.plan_row_hides(behind, False, threshold)
                    gone = "result" in hides
                    grade, status = masking.published_grades(behind, hides, grade, status)
                if gone:
                    hidden += 1
                    continue
                shown.append((grade if complete else status, complete, grade, status))
            _rollup(table, key, shown)
            if hidden:
                note = f"{hidden} {'indikator' if hidden == 1 else 'indikatorer'} med dolt resultat räknas inte"
                old = table.texts[key].get("note")
                table.texts[key]["note"] = f"{old}; {note}" if old else note
                table.partial = True
                table.extra.setdefault("hidden_rows", {})[key] = hidden
        left_out = table.extra.get("hidden_rows", {}).get("totalt")
        if left_out:  # the note every format prints (the row texts are the JSON's)
            table.notes.append(f"{left_out} {'indikator' if left_out == 1 else 'indikatorer'} med dolt resultat (..) "
                               "räknas inte i sammanställningen.")


def plan_summary_table(ctx):
    plan, outcomes = _outcomes(ctx)
    table = PLAN_SUMMARY.table([], SUMMARY_COLUMNS + [("assessment", "Förbundets bedömning")])
    if plan is None:
        table.notes.append("Ingen verksamhetsplan täcker rapportens slutdatum.")
        return table
    year, members = ctx.period.end.year, {}
    assessments = {a.focus_area_id: a for a in Assessment.objects.filter(focus_area__plan=plan, year=year)}
    for area in FocusArea.objects.filter(plan=plan).order_by("order", "pk"):
        mine = [o for o in outcomes if o.indicator.goal.focus_area_id == area.pk]
        if not mine:
            continue
        table.rows.append((area.key, area.name))
        members[area.key] = [(f"plan_goals.{area.key}", _plan_key(o), o) for o in mine]
        _roll_up_outcomes(table, area.key, mine)
        assessment = assessments.get(area.pk)
        table.cells[area.key]["assessment"] = assessment.grade if assessment else None
        if assessment:
            table.texts[area.key].update(assessment=texts.label(assessment.grade), note=assessment.text)
    table.rows.append(("totalt", "Totalt"))
    members["totalt"] = [m for area_members in members.values() for m in area_members]
    _roll_up_outcomes(table, "totalt", outcomes)
    table.recount = Recount(members)
    table.cells["totalt"]["assessment"] = None
    table.notes.append("Ett målområde får den lägsta bedömningen bland sina bedömda indikatorer.")
    return table


def _by_insats(outcomes):
    groups = {}
    for outcome in outcomes:
        intervention = outcome.indicator.goal.intervention
        if intervention is not None:
            groups.setdefault((intervention.slug, intervention.name), []).append(outcome)
    return groups


def _plan_key(outcome):
    """An indicator's row in its målområde's table plan_goals.<målområde>."""
    return f"{outcome.indicator.goal.key}.{outcome.indicator.key}"


def _goals_keys(groups):
    """{(insats slug, name): [(row of the goals table, outcome)]}: ``<insats>.<indicator>``, with the
    goal's key between when two goals of an insats have indicators of one key."""
    keyed, taken = {}, set()
    for (slug, name), mine in groups.items():
        for outcome in mine:
            key = f"{slug}.{outcome.indicator.key}"
            if key in taken:
                key = f"{slug}.{outcome.indicator.goal.key}.{outcome.indicator.key}"
            taken.add(key)
            keyed.setdefault((slug, name), []).append((key, outcome))
    return keyed


def goals_table(ctx):
    plan, outcomes = _outcomes(ctx)
    table = GOALS.table([], INDICATOR_COLUMNS)
    table.plan_rows = {}
    for (slug, name), mine in _goals_keys(_by_insats(outcomes)).items():
        for key, outcome in mine:
            table.rows.append((key, f"{name}: {outcome.indicator.text}"))
            _row(table, key, outcome, ctx.association.grade_acceptable_percent)
    if table.rows:
        table.notes.append(NOTE)
    return table


def goals_by_intervention_table(ctx):
    plan, outcomes = _outcomes(ctx)
    table = GOALS_BY_INTERVENTION.table([], SUMMARY_COLUMNS)
    groups, members = _goals_keys(_by_insats(outcomes)), {}
    for (slug, name), mine in groups.items():
        table.rows.append((slug, name))
        members[slug] = [(GOALS.id, key, outcome) for key, outcome in mine]
        _roll_up_outcomes(table, slug, [outcome for _, outcome in mine])
    if groups:
        table.rows.append(("totalt", "Totalt"))
        members["totalt"] = [m for slug_members in members.values() for m in slug_members]
        _roll_up_outcomes(table, "totalt", [outcome for mine in groups.values() for _, outcome in mine])
        table.recount = Recount(members)
    return table


# The cells of the report's participant tables a participants indicator counts (numerator,
# denominator), when it counts the report's own span and scope: declared as relations, so that
# masking hides a plan row with the cell it equals (and the cell with the row).
SAME_CELLS = {
    "new_count": (("flow", "new_totalt"), None),
    "exited_count": (("flow", "exited_totalt"), None),
    "current_count": (("flow", "current_totalt"), None),
    "share_women_new": (("flow", "new_kvinna"), ("flow", "new_totalt")),
    "share_men_new": (("flow", "new_man"), ("flow", "new_totalt")),
    "share_women_current": (("flow", "current_kvinna"), ("flow", "current_totalt")),
    "share_men_current": (("flow", "current_man"), ("flow", "current_totalt")),
    "share_work": (("work_or_study", "work"), ("work_or_study", "exited")),
    "share_work_or_study": (("work_or_study", "work_or_study"), ("work_or_study", "exited")),
}


def plan_relations(ctx, table, rel):
    """A plan row over the report's own span and scope counts what a cell of flow, unique,
    work_or_study or exit_reason shows, or the sum of its insatser's cells (a row over several
    insatser); over another span, ~goal_span counts of its insatser together (the whole förbund's
    for a row of no insats) tie it to those cells, and its previous value to the span a year
    earlier. A unique_individuals row counts persons, which add up over nothing: its counts are
    flow.PERSONS of its scope and span (docs/decisions.md)."""
    groups = {slug for slug, _ in ctx.groups}
    for key, outcome in getattr(table, "plan_rows", {}).items():
        ref, scope = outcome.ref, outcome.indicator.interventions or []
        if ref.get("source") != "participants":
            _related_by_source(ctx, table, key, outcome, rel)
            continue
        if ref.get("key") == "unique_individuals":
            _persons(ctx, table, key, outcome, rel)
            continue
        if not scope and not ctx.filtered:
            rows = ["totalt"]
        elif scope and set(scope) <= groups:
            rows = sorted(set(scope))
        else:
            continue
        if outcome.opening is not None and ref.get("key") == "current_count" and outcome.start == ctx.period.start \
                and len(rows) == 1:
            # the expected value to date shows the opening (opening + (target - opening) x fraction):
            # the row's current ones that are not new, a count no table shows, protected like one
            row = rows[0]
            rel.add([(GOAL_OPENING, row, outcome.start.isoformat()), ("flow", row, "new_totalt")],
                    ("flow", row, "current_totalt"))
        for metric, gender, cols in _count_parts(ref):
            _tie_counts(ctx, table, key, outcome, rows, rel, metric, gender, cols)
        if ref.get("key") != "gap_women_men":  # (a gap's against the whole year is no linear inequality)
            _status_bound(table, key, outcome, rows, rel, ref.get("key", ""), ref.get("gender"))
    _span_families(rel)


def _count_parts(ref):
    """[(metric, gender, (numerator column, denominator column))]: what a participants row's counts
    count. A gap between women and men (its result is no count) shows the counts of two shares:
    the women's and the men's of its ``of`` (GAP_COUNT_COLUMNS)."""
    metric = ref.get("key", "")
    if metric != "gap_women_men":
        return [(metric, ref.get("gender"), ("numerator", "denominator"))]
    of = ref.get("of", "")
    if of in GENDER_SHARES:  # the women's share of a population beside the men's (participant_metrics._gap_part)
        measure = GENDER_SHARES[of][0]
        return [(f"share_women_{measure}", None, GAP_COUNT_COLUMNS["kvinna"]),
                (f"share_men_{measure}", None, GAP_COUNT_COLUMNS["man"])]
    return [(of, gender, GAP_COUNT_COLUMNS[gender]) for gender in ("kvinna", "man")]


def _tie_counts(ctx, table, key, outcome, rows, rel, metric, gender, cols):
    """Tie the row's counts ``cols`` (numerator and denominator columns) of ``metric`` (of
    ``gender``) over ``rows`` (flow rows of its insatser, or ["totalt"]) to the report's cells, or
    to the ~goal_span counts of another span, and its previous value's to those of the span a year
    earlier."""
    groups = {slug for slug, _ in ctx.groups}
    _previous_span(table, key, outcome, rows, rel, metric, gender, tuple(f"previous_{c}" for c in cols))
    numerator, denominator = ((table.id, key, c) for c in cols)
    if table.cells[key].get(cols[1]) is not None:
        # a share's numerator is at most its denominator, over any span (a hidden denominator
        # hides a non-zero numerator: masking.py)
        rel.bound(numerator, denominator)
    if (outcome.start, outcome.counted_end) != (ctx.period.start, ctx.period.end):
        _outside_the_period(ctx, table, key, outcome, rows, rel, metric, gender, cols)
        return
    # the report's totals are the row's own when it is the förbund's or the report's only insatser
    whole = rows == ["totalt"] or groups == set(rows)
    if metric == "current_count_incl_volume":
        # the indicator's own flow's totalt_inkl_volym: the report's, when its scope is the row's;
        # else its current participations (the rows' cells) + the volumes of its insatser, a count
        # no table of the report shows (the atoms of their volym rows)
        if whole:
            rel.add([numerator], ("flow", "totalt_inkl_volym", "current_totalt"))
        volumes = _span(_scope_key(rows), "flow", "current_totalt", ctx.period.start, ctx.period.end,
                        table_row=VOLUMES)
        rel.add([*(("flow", row, "current_totalt") for row in rows), volumes], numerator)
        if whole:
            rel.add([("flow", VOLUMES, "current_totalt")], volumes)
    elif metric.startswith("share_exit_reason:") or metric == "share_work_study_or_further_measures":
        g = gender or "totalt"
        # the exits of an exit share are the row's identified exits: its rows of work_or_study
        # (found by Hypothesis: a share_exit_reason row's visible denominator gave away the
        # insats's exits that work_or_study and share_work_or_study hid)
        exited = "exited" + ("" if g == "totalt" else f"_{g}")
        _same(rel, denominator, [("work_or_study", row, exited) for row in rows])
        if whole and metric.startswith("share_exit_reason:"):
            rel.add([numerator], ("exit_reason", metric.split(":", 1)[1], g))
            rel.add([denominator], ("exit_reason", "totalt", g))
    elif metric in SAME_CELLS:
        suffix = f"_{gender}" if gender and SAME_CELLS[metric][0][0] == "work_or_study" else ""
        for cell, counted in zip((numerator, denominator), SAME_CELLS[metric]):
            if counted is not None:
                _same(rel, cell, [(counted[0], row, counted[1] + suffix) for row in rows])


def _related_by_source(ctx, table, key, outcome, rel):
    """A row of another source than participants whose source ties its counts (MetricSource.relate:
    the activities' SIP meetings): its numerator over its span, and its previous value's over the
    same span a year earlier, each with the part a reader knows (KNOWN_COLUMNS)."""
    source = metrics.get_source(outcome.ref.get("source"))
    scope = sorted(set(outcome.indicator.interventions or []))
    if source is None or source.relate is None or not set(scope) <= {slug for slug, _ in ctx.groups} \
            or not scope and ctx.filtered:
        return
    cells = table.cells[key]
    for count, known, (first, last) in (
            ("numerator", KNOWN_COLUMNS[0], (outcome.start, outcome.counted_end)),
            ("previous_numerator", KNOWN_COLUMNS[1], (year_earlier(outcome.start), year_earlier(outcome.counted_end)))):
        if cells.get(count) is not None and cells.get(known) is not None:
            source.relate(ctx, outcome.ref, scope, first, last, (table.id, key, count), (table.id, key, known), rel)


def _same(rel, plan, cells):
    """A plan row's count is the report's cell it counts (as ever: [plan] = cell), or the sum of the
    cells of its insatser."""
    if len(cells) == 1:
        rel.add([plan], cells[0])
    else:
        rel.add(cells, plan)


# How the counts of one table's row hang together, as a reader of that table knows: the genders add
# up to the total, work + studies = work or study. A plan row's counts of one span (the women and the
# men among the new ones a year earlier, and all new ones) determine the span's count of the third
# gender, which no table shows: these relations over the span's ~goal_span counts make it an unknown
# to protect like the others (found by tests/test_plan_previous.py: 22 - 6 - 13 = 3).
GENDER_PARTS = ("kvinna", "man", "annat_ej_angivet")
SPAN_FAMILIES = {
    "flow": lambda col: [([f"{m}_{g}" for g in GENDER_PARTS], f"{m}_totalt") for m in ("new", "exited", "current")
                         if col.startswith(f"{m}_")],
    "work_or_study": lambda col: [([f"{k}_{g}" for g in GENDER_PARTS], k)
                                  for k in ("exited", "work", "studies", "work_or_study")] + [
        ([f"work{s}", f"studies{s}"], f"work_or_study{s}") for s in ("", *(f"_{g}" for g in GENDER_PARTS))],
}


def _span_families(rel):
    """For every ~goal_span count the relations (and what texts tell) name, the relations of its
    table's row over the same insats and span (SPAN_FAMILIES), once per report."""
    done = rel.__dict__.setdefault("goal_span_families", set())
    named = [cell for parts, total in rel.relations for cell in (*parts, total)]
    for cell in named + [cell for terms, _ in rel.inequalities for cell, _ in terms]:
        if cell[0] != GOAL_SPAN:
            continue
        slug, table_id, col, *of_row = cell[1].split("|")
        if of_row:  # a count of another row than the total (an exit reason's): no family
            continue
        for cols, whole in SPAN_FAMILIES.get(table_id, lambda col: [])(col):
            family = (slug, table_id, tuple(cols), whole, cell[2])
            if family in done:
                continue
            done.add(family)
            first, last = (datetime.date.fromisoformat(day) for day in cell[2].split("|"))
            rel.add([_span(slug, table_id, c, first, last) for c in cols], _span(slug, table_id, whole, first, last))


# A row counted over another span than the report's (a year's indicator in a report of the second
# half or a quarter, a project period) differs from the report's own cell by counts no table shows:
# the plan row minus the cell gave away, e.g., one insats's new participations of the first quarter.
# Declared here, they are protected like any unpublished count: the insats's count over a span of
# time (GOAL_SPAN: keyed by insats, count and span, so that two rows speaking of the same span speak
# of the same unknown; the whole förbund's by an empty insats), decomposed into the atoms of that
# span, so that masking and differencing protect them like any hidden count.
# (table, column, time) of a participants indicator's numerator and denominator (current counts add up
# over no time: CURRENT)
SPAN_COUNTS = {
    "new_count": (("flow", "new_totalt", ADDITIVE), None),
    "exited_count": (("flow", "exited_totalt", ADDITIVE), None),
    "current_count": (("flow", "current_totalt", CURRENT), None),
    "share_women_new": (("flow", "new_kvinna", ADDITIVE), ("flow", "new_totalt", ADDITIVE)),
    "share_men_new": (("flow", "new_man", ADDITIVE), ("flow", "new_totalt", ADDITIVE)),
    "share_women_current": (("flow", "current_kvinna", CURRENT), ("flow", "current_totalt", CURRENT)),
    "share_men_current": (("flow", "current_man", CURRENT), ("flow", "current_totalt", CURRENT)),
    "share_work": (("work_or_study", "work", ADDITIVE), ("work_or_study", "exited", ADDITIVE)),
    "share_work_or_study": (("work_or_study", "work_or_study", ADDITIVE), ("work_or_study", "exited", ADDITIVE)),
}
DAY = datetime.timedelta(days=1)
GOAL_SPAN = f"{UNPUBLISHED}goal_span"  # the id earlier publications' relations use too: keep it
GOAL_OPENING = f"{UNPUBLISHED}goal_opening"  # (id, row of flow, first day): a current count's opening
VOLUMES = "volym"  # flow's row of volume counts: a ~goal_span of it counts the volumes of a scope and span


def _span(slug, table_id, col, first, last, table_row="totalt"):
    """The count of ``table_id``'s cell (``table_row``, ``col``) for the insats ``slug`` (empty: the
    whole förbund; "a+b": the insatser a and b together) over ``first``-``last``:
    "<slug>|<table>|<col>", "|<row>" after it when the row is not the total (an exit reason of
    exit_reason)."""
    of_row = "" if table_row == "totalt" else f"|{table_row}"
    return (GOAL_SPAN, f"{slug}|{table_id}|{col}{of_row}", f"{first.isoformat()}|{last.isoformat()}")


def _span_atoms(table_id, row, col, scope, start, end):
    slug, table, cell_col, *of_row = row.split("|")
    first, last = (datetime.date.fromisoformat(day) for day in col.split("|"))
    # volumes are counted whole when they overlap the span: one atom of the span (flow.flow_atoms)
    time = PERIOD if of_row == [VOLUMES] else CURRENT if cell_col.startswith("current_") else ADDITIVE
    # an empty insats: the whole förbund, the report's insatser; "a+b": a plan row's insatser a and b
    # (earlier publications' counts name one insats or none)
    return Atoms(table, of_row[0] if of_row else "totalt", cell_col, tuple(slug.split("+")) if slug else tuple(scope),
                 first, last, time)


register(UnpublishedSpec(GOAL_SPAN, decompose=_span_atoms))


def _scope_key(rows):
    """The insats part of a ~goal_span count of a plan row over ``rows`` (flow rows): "" for the whole
    förbund ("totalt"), else its insatser's slugs joined by "+" (no slug holds one)."""
    return "" if rows == ["totalt"] else "+".join(sorted(rows))


def _outside_the_period(ctx, table, key, outcome, rows, rel, metric, gender, cols):
    """``rows``: the flow rows of the plan row's insatser (or ["totalt"]); ``cols``: the row's
    numerator and denominator columns counting ``metric`` (of ``gender``). A row over several
    insatser counts the sum of their cells: a ~goal_span count of all of them over the report's span
    stands for that sum, so that its spans' counts are those of its whole scope (their genders and
    work + studies add up there: _span_families). A count including volumes is the current
    participations of its span (tied as a current count's) + the volumes of its span."""
    slug = _scope_key(rows)
    first, last = outcome.start, outcome.end
    start, end = ctx.period.start, ctx.period.end
    counted_cols = SPAN_COUNTS.get(metric, (None, None))
    planned = [(table.id, key, col) for col in cols]
    if metric == "current_count_incl_volume" and table.cells[key].get(cols[0]) is not None:
        current = _span(slug, "flow", "current_totalt", first, outcome.counted_end)
        rel.add([current, _span(slug, "flow", "current_totalt", first, outcome.counted_end, table_row=VOLUMES)],
                planned[0])
        counted_cols, planned = SPAN_COUNTS["current_count"], [current, None]
    for plan, counted in zip(planned, counted_cols):
        if counted is None or plan is None or (plan[0] == table.id and table.cells[key].get(plan[2]) is None):
            continue
        table_id, cell_col, time = counted
        if gender and table_id == "work_or_study":
            cell_col = f"{cell_col}_{gender}"
        if len(rows) == 1:
            cell = (table_id, rows[0], cell_col)
        else:  # the report's cells of the row's insatser add up to their count of the report's span
            cell = _span(slug, table_id, cell_col, start, end)
            rel.add([(table_id, row, cell_col) for row in rows], cell)
        before = [_span(slug, table_id, cell_col, first, start - DAY)] if start > first else []
        if time == CURRENT:
            # Current counts add up over no stretches of time: the row's count is one ~goal_span count
            # of its whole span (so that the span's genders add up there, _span_families: the year's
            # current women, men and all gave its others away), = the current ones before the report
            # + the report's new ones of the same gender when its span runs from before the report's
            # start to its end; any other span is tied through the atoms of that count alone.
            whole = _span(slug, table_id, cell_col, first, outcome.counted_end)
            if plan != whole:
                rel.add([whole], plan)
            if before and end <= last:
                new = cell_col.replace("current_", "new_", 1)
                rel.add([*((table_id, row, new) for row in rows), *before], whole)
            continue
        outside = ([_span(slug, table_id, cell_col, start, first - DAY)] if start < first else []) + (
            [_span(slug, table_id, cell_col, last + DAY, end)] if end > last else [])
        if not outside:
            rel.add([cell, *before], plan)
        else:
            overlap = _span(slug, table_id, cell_col, max(start, first), min(end, last))
            rel.add([overlap, *before], plan)
            rel.add([overlap, *outside], cell)


# The previous value counts the same metric over the same span a year earlier: its numerator and
# denominator (PREVIOUS_COUNT_COLUMNS) are the insats's (or the whole förbund's) counts of that span,
# the same unpublished counts GOAL_SPAN as above, so that differencing ties them to the atoms of the
# publications overlapping that span (a count 2023's publication hid secondarily, shown as 2024's
# previous value, gave a small one away) and two rows showing the same count share one unknown.
EXITS = ("work_or_study", "exited", ADDITIVE)  # an exit share's denominator: the identified exits


def _previous_span(table, key, outcome, rows, rel, metric, gender, cols=PREVIOUS_COUNT_COLUMNS):
    """``rows``: the flow rows of the plan row's insatser (or ["totalt"]); its previous counts
    (``cols``: numerator and denominator, counting ``metric`` of ``gender``) are their ~goal_span
    counts a year earlier (of them all: ``_scope_key``)."""
    cells = table.cells[key]
    if outcome.previous is None or not any(cells.get(c) is not None for c in cols):
        return
    slug = _scope_key(rows)  # several insatser: one count of them all (their sums hang together there)
    first, last = year_earlier(outcome.start), year_earlier(outcome.counted_end)
    for col, terms in zip(cols, _span_terms(slug, metric, gender, first, last)):
        if terms and cells.get(col) is not None:
            rel.add(terms, (table.id, key, col))


def _span_terms(slug, metric, gender, first, last):
    """(numerator, denominator) of ``metric`` (of ``gender``) for the insatser ``slug`` over
    ``first``-``last``, each the ~goal_span counts that add up to it (None: not tied)."""
    counted = SPAN_COUNTS.get(metric)
    numerator = None
    if metric == "current_count_incl_volume":
        # the current participations of that span + its volumes (counted whole where they overlap it)
        numerator = [_span(slug, "flow", "current_totalt", first, last),
                     _span(slug, "flow", "current_totalt", first, last, table_row=VOLUMES)]
    if counted is None and (metric.startswith("share_exit_reason:") or metric == "share_work_study_or_further_measures"):
        counted = (None, EXITS)
        # the numerator is exit_reason's cells of its reasons (of its gender) over that span
        reasons = [metric.split(":", 1)[1]] if metric.startswith("share_exit_reason:") else EXIT_SHARES[metric]
        numerator = [_span(slug, "exit_reason", gender or "totalt", first, last, table_row=code) for code in reasons]
    terms = [numerator, None]
    for i, what in enumerate(counted or (None, None)):
        if what is None:
            continue
        table_id, cell_col, _ = what
        if gender and table_id == "work_or_study":
            cell_col = f"{cell_col}_{gender}"
        terms[i] = [_span(slug, table_id, cell_col, first, last)]
    return terms


# Before the period's end a direction target of a rate (a share) reads its status against the whole
# previous year (evaluate.py), a value no table shows: "I fas" for "higher than the previous year"
# says that year's numerator < result x its denominator. With the result's counts shown and those of
# the previous year published hidden, statuses of two reports (Q1 "Ej i fas" at 12,5 %, H1 "I fas" at
# 16,7 %) pinned 2023's 3 exits to work of 22 (tests/test_plan_texts.py). Declared as what the status
# says while shown (Relations.at_most, over that year's ~goal_span counts), so that the inequality
# check (statistics/inequalities.py) hides the status when it would pin a small count.
def _status_bound(table, key, outcome, rows, rel, metric, gender):
    status, kind = table.cells[key].get("status"), outcome.target.get("type")
    if outcome.complete or kind not in grading.DIRECTIONS or outcome.accrual not in ("rate", "level") \
            or outcome.baseline is not None or status not in (grading.ON_TRACK, grading.OFF_TRACK) \
            or outcome.value.value is None:
        return
    numerator, denominator = _span_terms(_scope_key(rows), metric, gender, year_earlier(outcome.start),
                                         year_earlier(outcome.end))
    if not numerator or not denominator:
        return
    result = float(outcome.value.value)
    if (status == grading.ON_TRACK) == (kind == "higher_than_previous"):  # the previous year's share < result
        terms = [(c, 1) for c in numerator] + [(c, -result) for c in denominator]
    else:  # at least the result
        terms = [(c, -1) for c in numerator] + [(c, result) for c in denominator]
    rel.at_most(terms, (table.id, key, "status"))


# A unique_individuals row counts persons: no sum over insatser or stretches of time. Its numerator
# (over another span or scope than the report's unique table counts) and its previous value's are
# the persons of its scope over its span, the unpublished count flow.PERSONS, which decomposes into
# the same atom as every publication's unique cell of that scope and span, so that a count one
# publication hid and another shows as a plan row's is one unknown.
def _persons(ctx, table, key, outcome, rel):
    scope = sorted(set(outcome.indicator.interventions or []))
    cells, (first, last) = table.cells[key], (outcome.start, outcome.counted_end)
    if cells.get("previous_numerator") is not None and outcome.previous is not None:
        rel.add([persons(scope, year_earlier(first), year_earlier(last))], (table.id, key, "previous_numerator"))
    if cells.get("numerator") is None:
        return
    numerator = (table.id, key, "numerator")
    if (first, last) == (ctx.period.start, ctx.period.end) and \
            scope == (sorted({slug for slug, _ in ctx.groups}) if ctx.filtered else []):
        rel.add([numerator], ("unique", "totalt", "totalt"))  # the report's own unique table counts the row's scope
    else:  # (an insats's section says it is that insats's PERSONS: flow.unique_relations)
        rel.add([persons(scope, first, last)], numerator)


# --- publications frozen with the issue-9 goals table ---------------------------------------------
# Their rows are ``<insats>:<year>:<metric>`` (a slug holds no ":" or ".", a row of today's table is
# ``<insats>.<indicator>``), their counts those of the insats from 1 January of the year to the
# report's end: the atoms of the flow, work_or_study or exit_reason cell they count (or, for a count
# no single cell shows, and for a current count's opening, one atom of their own), exactly as that
# table declared them, so that differencing against such a publication protects what it did.

LEGACY_ROW = re.compile(r"^[^.:]+:(\d{4}):(.+)$")
LEGACY_COUNTS = {
    "new_count": (("flow", "totalt", "new_totalt", ADDITIVE), None),
    "current_count": (("flow", "totalt", "current_totalt", CURRENT), None),
    "share_women_new": (("flow", "totalt", "new_kvinna", ADDITIVE), ("flow", "totalt", "new_totalt", ADDITIVE)),
    "share_men_new": (("flow", "totalt", "new_man", ADDITIVE), ("flow", "totalt", "new_totalt", ADDITIVE)),
    "share_work_or_study": (("work_or_study", "totalt", "work_or_study", ADDITIVE),
                            ("work_or_study", "totalt", "exited", ADDITIVE)),
}
LEGACY_EXITS = ("work_or_study", "totalt", "exited", ADDITIVE)


def _legacy_count(metric, col):
    if metric in LEGACY_COUNTS:
        return LEGACY_COUNTS[metric][0 if col == "numerator" else 1]
    if col == "denominator":
        return LEGACY_EXITS
    if metric.startswith("share_exit_reason:"):
        return ("exit_reason", metric.split(":", 1)[1], "totalt", ADDITIVE)
    return None


def _legacy_atoms(table_id, row, col, scope, start, end):
    """The atoms of a count of a frozen issue-9 goals row; None for any other cell (today's rows are
    tied to the cells they count by relations, plan_relations)."""
    match = LEGACY_ROW.match(row)
    if match is None:
        return None
    slug, year, metric = row.split(":")[0], int(match.group(1)), match.group(2)
    first = datetime.date(year, 1, 1)
    if col == "opening":
        return Atoms(table_id, row, col, ("",), first, first, PERIOD)
    if col not in ("numerator", "denominator"):
        return None
    last = min(datetime.date(year, 12, 31), end)
    counted = _legacy_count(metric, col)
    if counted is None:
        return Atoms(table_id, row, col, ("",), first, last, PERIOD)
    cell_table, cell_row, cell_col, time = counted
    return Atoms(cell_table, cell_row, cell_col, (slug,), first, last, time)


PLAN_GOALS = register(TableSpec(
    id="plan_goals", title="Målområde", family="goals", order=141, population="see_goal", build=plan_goals_tables,
    reads=READS, column_kinds=INDICATOR_KINDS, several=True, relations=plan_relations,
))
PLAN_SUMMARY = register(TableSpec(
    id="plan_summary", title="Måluppfyllelse per målområde", family="goals", order=142, population="see_goal",
    build=plan_summary_table, reads=READS, column_kinds=SUMMARY_KINDS,
))
GOALS = register(TableSpec(
    id="goals", title="Måluppfyllelse per insats", family="goals", order=143, population="see_goal",
    build=goals_table, reads=READS, column_kinds=INDICATOR_KINDS, relations=plan_relations,
    decompose=_legacy_atoms,
))
GOALS_BY_INTERVENTION = register(TableSpec(
    id="goals_by_intervention", title="Måluppfyllelse, insatser", family="goals", order=144,
    population="see_goal", build=goals_by_intervention_table, reads=READS, column_kinds=SUMMARY_KINDS,
))

