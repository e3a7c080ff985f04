"""Goals: each goal of the report's insatser and years, its result, and its grade (or, before the
goal's year ends, its status against the value expected to date; the rules are in grading.py)."""

import datetime

from django.db.models import Count, Q

from finsam.interventions.models import Goal, goal_metric_label, is_share_metric
from finsam.statistics.engine import Period

from ..grading import expected_to_date, goal_status, grade
from .common import FURTHER, STUDIES, WORK, gender_aggregates
from .data import MEASURE, SHARE, TEXT
from .registry import ADDITIVE, CURRENT, PERIOD, UNPUBLISHED, Atoms, TableSpec, UnpublishedSpec, register


# --- goals ----------------------------------------------------------------------------------------

def goal_result(ctx, goal, period):
    """(result, numerator, denominator) for a goal; shares as fractions."""
    base = ctx.base.filter(intervention=goal.intervention)
    personal = base.filter(anonymous=False)
    metric = goal.metric
    if metric == "manual":
        return (None if goal.manual_result is None else float(goal.manual_result)), None, None
    if metric == "new_count":
        n = base.filter(period.new).count()
        return n, n, None
    if metric == "current_count":
        n = base.filter(period.current).count()
        return n, n, None
    if metric in ("share_women_new", "share_men_new"):
        counts = base.filter(period.new).aggregate(**gender_aggregates())
        numerator = counts["kvinna" if metric == "share_women_new" else "man"]
        return _share(numerator, counts["totalt"])
    exited = personal.filter(period.exited)
    if metric == "share_work_or_study":
        reasons = WORK + STUDIES
    elif metric == "share_work_study_or_further_measures":
        reasons = WORK + STUDIES + FURTHER
    else:
        reasons = [metric.split(":", 1)[1]]
    counts = exited.aggregate(n=Count("id", filter=Q(exit_reason__in=reasons)), d=Count("id"))
    return _share(counts["n"], counts["d"])


def _share(numerator, denominator):
    return (numerator / denominator if denominator else None), numerator, denominator


def goals_table(ctx):
    if ctx.association is None:
        return GOALS.table([], [], notes=["Mål sätts per förbund och insats."])
    years = range(ctx.period.start.year, ctx.period.end.year + 1)
    goals = Goal.objects.filter(intervention__in=ctx.interventions, year__in=years).select_related("intervention")
    goals = sorted(goals, key=lambda g: (g.year, g.intervention.name, g.metric))
    columns = [("target", "Mål"), ("result", "Resultat"), ("numerator", "Antal"), ("denominator", "Av"),
               ("basis", "Underlag"), ("grade", "Bedömning"), ("opening", "Ingående"),
               ("expected", "Förväntat hittills"), ("status", "Status")]
    rows = [(f"{g.intervention.slug}:{g.year}:{g.metric}", f"{g.intervention.name} {g.year}: {goal_metric_label(g.metric)}")
            for g in goals]
    table = GOALS.table(rows, columns)
    for (key, _), goal in zip(rows, goals):
        period = Period(datetime.date(goal.year, 1, 1), min(datetime.date(goal.year, 12, 31), ctx.period.end))
        result, numerator, denominator = goal_result(ctx, goal, period)
        target = float(goal.target)
        if not is_share_metric(goal.metric) and target.is_integer():
            target = int(target)  # "40 nya deltagare", not 40,0
        if denominator is not None:
            basis = f"{numerator} av {denominator}"
        elif numerator is not None:
            basis = f"{numerator} deltagande{'n' if numerator != 1 else ''}"
        else:
            basis = "manuellt angivet"
        table.cells[key] = {
            "target": target, "result": result, "numerator": numerator, "denominator": denominator,
            "basis": basis, "grade": grade(result, target, ctx.association.grade_acceptable_percent),
            "opening": None, "expected": None, "status": None,
        }
        if ctx.period.end < datetime.date(goal.year, 12, 31):
            _status_before_year_end(ctx, table, key, goal)
        # The counts behind the result are masked like every count; result, basis and grade with them.
        table.goal_rows.append(key)
        if is_share_metric(goal.metric):
            table.cell_kinds.update({(key, "target"): SHARE, (key, "result"): SHARE})
    table.notes.append(
        "Resultatet räknas för insatsen och året (till och med periodens slut). God: minst målet eller inom 5 procent "
        f"av det. Godtagbart: minst {ctx.association.grade_acceptable_percent} procent av målet."
    )
    if any(table.cells[key]["status"] for key in table.goal_rows):
        table.notes.append("Före årets slut visas status mot det förväntade värdet hittills (I fas, Risk, Ej i fas), "
                           "inget betyg: Förväntat hittills är målet fördelat jämnt över året (för aktuella deltagare "
                           "från det ingående antalet den 1 januari; för andelar hela målet).")
    return table


def goal_opening(ctx, goal):
    """current_count's opening: the insats's participations ongoing on 1 January of the goal's year."""
    first = datetime.date(goal.year, 1, 1)
    return ctx.base.filter(intervention=goal.intervention, start_date__lt=first).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)).count()


def _status_before_year_end(ctx, table, key, goal):
    """A goal whose year has not ended by the report's last day gets the value expected to date and
    a status (I fas / Risk / Ej i fas), never a grade (activities-and-goals.md, "Before the period
    ends"). A current count's expectation starts from its opening, a count of its own: shown, masked
    like any count (the expected value would otherwise give it away)."""
    cells = table.cells[key]
    opening = None
    if goal.metric == "current_count":
        opening = cells["opening"] = goal_opening(ctx, goal)
    cells["expected"] = expected_to_date(goal.metric, cells["target"], goal.year, ctx.period.end, opening)
    cells["status"] = goal_status(cells["result"], cells["expected"], ctx.association.grade_acceptable_percent)
    cells["grade"] = None
    # Hidden with the counts they follow from (masking.py, Table.measure_of).
    table.measure_of[(key, "expected")] = [(key, "opening")]
    table.measure_of[(key, "status")] = [(key, "numerator"), (key, "denominator"), (key, "opening")]


def goals_relations(ctx, table, rel):
    """A goal of the report's own period counts what a row of flow or work_or_study shows."""
    add = rel.add
    groups = {slug for slug, _ in ctx.groups}
    single = len(groups) == 1
    for key in table.goal_rows:
        slug, year, metric = key.split(":", 2)
        year = int(year)
        numerator, denominator = ("goals", key, "numerator"), ("goals", key, "denominator")
        if table.cells[key]["numerator"] is None:
            continue  # a manual goal
        if table.cells[key]["denominator"] is not None:
            rel.bound(numerator, denominator)
        if table.cells[key]["opening"] is not None and slug in groups and ctx.period.start == datetime.date(year, 1, 1):
            # the opening: the insats's current participations that are not new
            add([("goals", key, "opening"), ("flow", slug, "new_totalt")], ("flow", slug, "current_totalt"))
        if slug in groups and (ctx.period.start, ctx.period.end.year) != (datetime.date(year, 1, 1), year):
            _outside_the_period(ctx, key, metric, table, rel)
        if slug not in groups or (ctx.period.start, ctx.period.end.year) != (datetime.date(year, 1, 1), year):
            continue
        if metric in GOAL_COUNTS:
            same_numerator, same_denominator = (_insats_cell(counted, slug) for counted in GOAL_COUNTS[metric])
        else:  # share of exits with given reasons: the insats's exits are a row of work_or_study
            same_numerator, same_denominator = None, _insats_cell(EXITS, slug)
            if single:  # and with one insats in the report, the exit reasons are its own
                reasons = (WORK + STUDIES + FURTHER if metric == "share_work_study_or_further_measures"
                           else [metric.split(":", 1)[1]])
                add([("exit_reason", code, "totalt") for code in reasons], numerator)
        if same_numerator:
            add([numerator], same_numerator)
        if same_denominator:
            add([denominator], same_denominator)


# A goal's counts are counts of flow, work_or_study or exit_reason for its insats from 1 January to
# the report's end (the note says so): their atoms, so that a half-year report's goal (counted over
# the whole year so far) minus the first half's published cell is seen to give the second half's.
# (table, row, column, time) of the numerator and of the denominator, per metric.
GOAL_COUNTS = {
    "new_count": (("flow", "totalt", "new_totalt", ADDITIVE), None),
    "current_count": (("flow", "totalt", "current_totalt", CURRENT), None),
    "share_women_new": (("flow", "totalt", "new_kvinna", ADDITIVE), ("flow", "totalt", "new_totalt", ADDITIVE)),
    "share_men_new": (("flow", "totalt", "new_man", ADDITIVE), ("flow", "totalt", "new_totalt", ADDITIVE)),
    "share_work_or_study": (("work_or_study", "totalt", "work_or_study", ADDITIVE),
                            ("work_or_study", "totalt", "exited", ADDITIVE)),
}
EXITS = ("work_or_study", "totalt", "exited", ADDITIVE)


def _insats_cell(counted, slug):
    """The cell of ``counted`` (a GOAL_COUNTS entry, or None) in the insats's own row."""
    return counted and (counted[0], slug, counted[2])


def _goal_count(metric, col):
    """(table, row, column, time) of a goal's numerator or denominator, or None for a count that is
    no single cell of another table (several exit reasons: a goal's atom of its own)."""
    if metric in GOAL_COUNTS:
        return GOAL_COUNTS[metric][0 if col == "numerator" else 1]
    if col == "denominator":
        return EXITS
    if metric.startswith("share_exit_reason:"):
        return ("exit_reason", metric.split(":", 1)[1], "totalt", ADDITIVE)
    return None


def goals_atoms(table_id, row, col, scope, start, end):
    """A goal's counts: the atoms of the cell of another table they count, for the goal's insats from
    1 January to the report's end (else the same in every report that shows that goal for the same
    period); its opening is the same in every report that shows it before the year ends."""
    slug, year, metric = row.split(":", 2)
    first = datetime.date(int(year), 1, 1)
    if col == "opening":
        return Atoms("goals", row, col, ("",), first, first, PERIOD)
    if col not in ("numerator", "denominator"):
        return None
    last = min(datetime.date(int(year), 12, 31), end)
    counted = _goal_count(metric, col)
    if counted is None:
        return Atoms("goals", row, col, ("",), first, last, PERIOD)
    table, cell_row, cell_col, time = counted
    return Atoms(table, cell_row, cell_col, (slug,), first, last, time)


# A goal's span (1 January to the report's end, in its year) and the report's period differ when
# the report does not start on 1 January of the goal's year (a second half-year, a quarter, a period
# across new year): the goal's count and the insats's cell of the report then differ by counts no
# table shows, which a reader works out by subtracting one from the other. Declared here, they are
# protected like any unpublished count: the insats's count over a span of time, keyed by the count
# and the span (so that two goals speaking of the same span speak of the same unknown), decomposed
# into the atoms of that span.
GOAL_SPAN = f"{UNPUBLISHED}goal_span"
DAY = datetime.timedelta(days=1)


def _span(slug, table_id, col, first, last):
    return (GOAL_SPAN, f"{slug}|{table_id}|{col}", f"{first.isoformat()}|{last.isoformat()}")


def _outside_the_period(ctx, key, metric, table, rel):
    slug, year = key.split(":")[0], int(key.split(":")[1])
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start, end = ctx.period.start, ctx.period.end
    for col in ("numerator", "denominator"):
        counted = _goal_count(metric, col)
        if table.cells[key][col] is None or counted is None or counted[0] not in ("flow", "work_or_study"):
            continue
        table_id, _, cell_col, time = counted
        goal, cell = ("goals", key, col), (table_id, slug, cell_col)
        before = [_span(slug, table_id, cell_col, first, start - DAY)] if start > first else []
        if time == CURRENT:  # current since 1 January = current before the period + the period's new
            if before and end <= last:
                rel.add([(table_id, slug, "new_totalt"), *before], goal)
            continue
        outside = ([_span(slug, table_id, cell_col, start, first - DAY)] if start < first else []) + (
            [_span(slug, table_id, cell_col, last + DAY, end)] if end > last else [])
        if not outside:
            rel.add([cell, *before], goal)
        else:
            overlap = _span(slug, table_id, cell_col, max(start, first), min(end, last))
            rel.add([overlap, *before], goal)
            rel.add([overlap, *outside], cell)


def _span_atoms(table_id, row, col, scope, start, end):
    slug, table, cell_col = row.split("|")
    first, last = (datetime.date.fromisoformat(day) for day in col.split("|"))
    time = CURRENT if cell_col.startswith("current_") else ADDITIVE
    # an empty insats: the whole förbund (a plan row, plans/report_tables.py), the report's insatser
    return Atoms(table, "totalt", cell_col, (slug,) if slug else tuple(scope), first, last, time)


register(UnpublishedSpec(GOAL_SPAN, decompose=_span_atoms))

GOALS = register(TableSpec(
    id="goals", title="Måluppfyllelse", family="goals", order=140, population="see_goal", build=goals_table,
    reads=("participants.Participation", "interventions.Goal", "interventions.Intervention", "tenancy.Association"),
    column_kinds={"target": MEASURE, "result": MEASURE, "basis": TEXT, "grade": TEXT, "expected": MEASURE,
                  "status": TEXT},
    relations=goals_relations, decompose=goals_atoms,
))
