"""DRAFT (issue 11, "Prove it"): the tables of docs/report-tables-extra.md, written against the
current ``Table`` class until the table registry (statistics/tables/) lands; then each builder
moves into its family module as a declared table and this module is deleted.

Builders take the engine's ``Context``; the post-processing functions add cells and shares to a
table the engine already built (flow, support_in_out, goals); ``relations`` gives the cross-table
relations a reader knows, in the form of ``engine.report_relations``.
"""

import datetime

from django.db.models import Count, F, Q

from finsam import codes
from finsam.interventions.models import Goal

from . import engine
from .engine import GENDER_KEYS, _coded, _gender_table, _grouped, gender_aggregates
from .masking import UNPUBLISHED, mask_report
from .tables import Table

MISSING = ("uppgift_saknas", "Uppgift saknas")

# (id, title, field, code list, shares shown): the variables registered at entry that no table showed.
ENTRY_VARIABLES = [
    ("time_without_work", "Tid utan arbete vid inskrivning", "time_without_work", codes.TIME_BAND, True),
    ("referring_unit", "Anmälande enhet", "referring_unit", codes.REFERRING_UNIT, True),
    ("born_abroad", "Född utomlands", "born_abroad", codes.YES_NO_UNKNOWN, True),
    ("impairment", "Funktionsnedsättning som påverkar arbets- eller studieförmågan", "impairment",
     codes.YES_NO_UNKNOWN, True),
    # Whether the questions were asked, never the answers; counts only (the brief of issue 11).
    ("violence_questions", "Frågor om våld", "violence_questions", codes.VIOLENCE_QUESTIONS, False),
]


def entry_variable_table(ctx, table_id, title, field, code_list, shares):
    """New identified participations by the code registered at entry and gender; an empty value
    counts as ``uppgift_saknas`` (a row every such table has, whether the code list has it or not)."""
    grouped = _grouped(ctx.personal.filter(ctx.period.new), _coded(field), gender_aggregates())
    rows = list(code_list.choices)
    if MISSING[0] not in dict(rows):
        rows.append(MISSING)
    table = _gender_table(table_id, title, "new", rows, grouped, denominator="new", share_of_total=shares,
                          total_row=True)
    table.rows.append(("totalt", "Totalt"))
    table.chart = "bar" if shares else ""
    if table_id == "violence_questions":
        table.notes.append("Tabellen visar bara om frågorna ställdes, aldrig svaren.")
    return table


def referrer_intervention_table(ctx):
    """New identified participations by referrer (rows as in ``referrer``) and insats (columns)."""
    new = ctx.personal.filter(ctx.period.new)
    per = {}
    for row in (new.annotate(_ref=_coded("referrer")).values("_ref", ctx.group_field)
                .annotate(n=Count("id")).order_by()):
        per.setdefault(row["_ref"], {})[ctx.group_slugs.get(row[ctx.group_field])] = row["n"]
    referrer_rows = [r for r in engine.referrer_table(ctx).rows if r[0] != "totalt"]
    referrer_rows += sorted((k, k) for k in per if k not in dict(referrer_rows))
    slugs = [slug for slug, _ in ctx.groups]
    columns = list(ctx.groups) + [("totalt", "Totalt")]
    table = Table("referrer_intervention", "Anmälande part per insats", "new", referrer_rows + [("totalt", "Totalt")],
                  columns, denominator="new")
    for key, _ in referrer_rows:
        table.cells[key] = {slug: per.get(key, {}).get(slug, 0) for slug in slugs}
        table.cells[key]["totalt"] = sum(table.cells[key].values())
        table.sums.append(([(key, slug) for slug in slugs], (key, "totalt")))
    table.cells["totalt"] = {c: sum(table.cells[k][c] for k, _ in referrer_rows) for c, _ in columns}
    for c, _ in columns:
        table.sums.append(([(k, c) for k, _ in referrer_rows], ("totalt", c)))
    for key, _ in referrer_rows + [("totalt", "")]:  # share of the insats's new participations
        for c, _ in columns:
            table.set_share(key, c, table.cells[key][c], table.cells["totalt"][c], of=(key, c), per=("totalt", c))
    return table


def support_transition_table(ctx):
    """For each support at entry, the support at exit: exited identified participations with both
    recorded (support_in_out's population), counted per pair of codes. A participation with several
    codes counts in every pair, so rows and columns do not add up; ``antal`` (column and row) counts
    participations with the code at entry (column) or at exit (row), as support_in_out does."""
    population = ctx.personal.filter(ctx.period.exited, support_at_entry_and_exit=True)
    from finsam.participants.models import SupportRecord

    records = SupportRecord.objects.filter(participation__in=population)
    entry = records.filter(phase="entry")
    pairs = {}
    for r in (entry.filter(participation__support__phase="exit")
              .values("code", exit_code=F("participation__support__code")).annotate(n=Count("id")).order_by()):
        pairs[(r["code"], r["exit_code"])] = r["n"]
    at_entry = {r["code"]: r["n"] for r in entry.values("code").annotate(n=Count("id")).order_by()}
    at_exit = {r["code"]: r["n"] for r in records.filter(phase="exit").values("code").annotate(n=Count("id")).order_by()}
    support = codes.SUPPORT.choices
    columns = [(c, f"Vid avslut: {label}") for c, label in support] + [("antal", "Antal med försörjningen vid inskrivning")]
    rows = list(support) + [("antal", "Antal med försörjningen vid avslut")]
    table = Table("support_transition", "Försörjning vid inskrivning och vid avslut, övergångar", "exited", rows,
                  columns, denominator="exited_with_support")
    bounds = []
    for entry_code, _ in support:
        table.cells[entry_code] = {c: pairs.get((entry_code, c), 0) for c, _ in support}
        table.cells[entry_code]["antal"] = at_entry.get(entry_code, 0)
        for exit_code, _ in support:  # of those with the entry code, the share with the exit code
            table.set_share(entry_code, exit_code, table.cells[entry_code][exit_code], at_entry.get(entry_code, 0),
                            of=(entry_code, exit_code), per=(entry_code, "antal"))
            bounds += [((entry_code, exit_code), (entry_code, "antal")), ((entry_code, exit_code), ("antal", exit_code))]
    table.cells["antal"] = {c: at_exit.get(c, 0) for c, _ in support}
    table.cells["antal"]["antal"] = None  # no count of its own: population size is support_in_out's underlag
    table.measures.add(("antal", "antal"))
    table.bounds = bounds  # part <= whole within the table; read by relations() below
    table.notes.append("Raderna är försörjning vid inskrivning, kolumnerna försörjning vid avslut. Ett deltagande "
                       "med flera försörjningskällor räknas i varje par; raderna summeras därför inte till antalet.")
    return table


# --- cells added to tables the engine builds ------------------------------------------------------

def add_flow_gender_shares(table):
    """Share of women and of men among current and among new participations, per insats and total."""
    for row in [k for k, _ in table.rows if k not in ("varav_anonyma", "volym", "totalt_inkl_volym")]:
        for m in ("current", "new"):
            for g in ("kvinna", "man"):
                table.set_share(row, f"{m}_{g}", table.cells[row][f"{m}_{g}"], table.cells[row][f"{m}_totalt"],
                                of=(row, f"{m}_{g}"), per=(row, f"{m}_totalt"))


def add_support_shares(table):
    """Share of the population (``underlag``) on each support at entry and at exit, per gender."""
    for code, _ in codes.SUPPORT.choices:
        for g in GENDER_KEYS:
            for phase in ("entry", "exit"):
                col = f"{g}_{phase}"
                table.set_share(code, col, table.cells[code][col], table.cells["underlag"][col],
                                of=(code, col), per=("underlag", col))


def goal_opening(ctx, goal):
    """current_count's opening: the insats's participations ongoing on 1 January of the goal's year."""
    first = datetime.date(goal.year, 1, 1)
    return ctx.base.filter(intervention=goal.intervention, start_date__lt=first).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)).count()


def add_goal_status(ctx, table):
    """A goal whose year has not ended by the report's last day gets ``expected`` and ``status``
    (I fas / Risk / Ej i fas) and no grade (activities-and-goals.md, "Before the period ends").
    A current count's expectation starts from its ``opening``, a count of its own (shown, and masked
    like any count: the expected value would otherwise give it away)."""
    if ctx.association is None:
        return
    table.columns = table.columns + [("opening", "Ingående"), ("expected", "Förväntat hittills"), ("status", "Status")]
    goals = {f"{g.intervention.slug}:{g.year}:{g.metric}": g for g in
             Goal.objects.filter(intervention__in=ctx.interventions).select_related("intervention")}
    for key in table.goal_rows:
        cells, goal = table.cells[key], goals[key]
        cells["opening"] = cells["expected"] = cells["status"] = None
        table.measures |= {(key, "expected"), (key, "status")}
        if ctx.period.end >= datetime.date(goal.year, 12, 31):
            continue
        opening = None
        if goal.metric == "current_count":
            opening = cells["opening"] = goal_opening(ctx, goal)
        expected = engine.expected_to_date(goal.metric, cells["target"], goal.year, ctx.period.end, opening)
        cells["expected"] = expected
        cells["status"] = engine.goal_status(cells["result"], expected, ctx.association.grade_acceptable_percent)
        cells["grade"] = None
        # The expectation follows from the opening; the status from it and from the result's counts.
        table.measure_of[(key, "expected")] = [(key, "opening")]
        table.measure_of[(key, "status")] = [(key, c) for c in ("numerator", "denominator", "opening")]
    table.notes.append("Före årets slut visas status mot det förväntade värdet hittills (I fas, Risk, Ej i fas), "
                       "inget betyg.")


def goal_relations(ctx, table, add):
    """A current count's opening is the insats's current participations that are not new, when the
    report's period begins on 1 January of the goal's year."""
    groups = {slug for slug, _ in ctx.groups}
    for key in table.goal_rows:
        slug, year, metric = key.split(":", 2)
        if (metric == "current_count" and table.cells[key].get("opening") is not None and slug in groups
                and ctx.period.start == datetime.date(int(year), 1, 1)):
            add([("goals", key, "opening"), ("flow", slug, "new_totalt")], ("flow", slug, "current_totalt"))


# --- what a reader knows about how the new tables hang together -----------------------------------

def relations(ctx, tables):
    """([(parts, total)], bounds) over (table id, row, col) cells, like engine.report_relations."""
    t = {table.id: table for table in tables}
    result, bounds = [], []

    def add(parts, total):
        result.append(([tuple(p) for p in parts], tuple(total)))

    for table_id, *_ in ENTRY_VARIABLES:
        for g in GENDER_KEYS:  # the same new identified participations as education
            add([(table_id, "totalt", g), ("flow", "varav_anonyma", f"new_{g}")], ("flow", "totalt", f"new_{g}"))
    for key, _ in t["referrer"].rows:
        add([("referrer_intervention", key, "totalt")], ("referrer", key, "count"))
    anonymous_new = f"{UNPUBLISHED}anonymous_new"
    slugs = [slug for slug, _ in ctx.groups]
    for slug in slugs:  # an insats's anonymous new ones: flow's new minus this table's column total
        add([("referrer_intervention", "totalt", slug), (anonymous_new, slug, "totalt")], ("flow", slug, "new_totalt"))
    if slugs:
        add([(anonymous_new, slug, "totalt") for slug in slugs], ("flow", "varav_anonyma", "new_totalt"))
    st = t["support_transition"]
    for code, _ in codes.SUPPORT.choices:
        add([("support_transition", code, "antal")], ("support_in_out", code, "totalt_entry"))
        add([("support_transition", "antal", code)], ("support_in_out", code, "totalt_exit"))
    bounds += [(("support_transition", *part), ("support_transition", *whole)) for part, whole in st.bounds]
    goal_relations(ctx, t["goals"], add)
    return result, bounds


NEW_TABLES = [lambda ctx, spec=spec: entry_variable_table(ctx, *spec) for spec in ENTRY_VARIABLES] + [
    referrer_intervention_table, support_transition_table]


def compute_report_with_new_tables(association, date_from, date_to, interventions=None, *, publish=False):
    """compute_report plus the draft tables and cells (until the registry takes them)."""
    report = engine.compute_report(association, date_from, date_to, interventions)
    ctx = engine.Context(association, date_from, date_to, interventions)
    add_flow_gender_shares(report.table("flow"))
    add_support_shares(report.table("support_in_out"))
    add_goal_status(ctx, report.table("goals"))
    new = [build(ctx) for build in NEW_TABLES]
    report.tables += new
    extra, bounds = relations(ctx, report.tables)
    report.relations += extra
    report.bounds += bounds
    if publish:
        mask_report(report, association.masking_threshold)
    return report

