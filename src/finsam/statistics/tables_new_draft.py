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
ENTRY_IDS = [spec[0] for spec in ENTRY_VARIABLES]


def builders():
    """{table id: build(ctx)} of the engine's tables and the new ones."""
    result = {}
    for build in engine.TABLES:
        result[build.__name__.removesuffix("_table")] = build
    for table_id, build in zip(ENTRY_IDS + ["referrer_intervention", "support_transition"], NEW_TABLES):
        result[table_id] = build
    return result


# --- sections per insats and the previous period ------------------------------------------------------

BACKGROUND = ["age", "education", "time_on_support", "referrer", "target_group", "municipality", *ENTRY_IDS]
OUTCOMES = ["exit_reason", "support_in_out", "support_transition", "duration"]
SECTION_IDS = ["unique", *BACKGROUND, *OUTCOMES]
PREVIOUS_IDS = ["flow", "unique", *BACKGROUND, "referrer_intervention", *OUTCOMES, "work_or_study"]
# Tables with a row (or column) per insats: in an insats's section, their "totalt" is that row.
PER_INSATS_ROWS, PER_INSATS_COLUMNS = ("flow", "work_or_study"), ("referrer_intervention",)
NOT_IN_SECTIONS = ("flow_years", "goals")  # relations with these are not a section's


def renamed(table, suffix, title):
    table.id, table.title = f"{table.id}.{suffix}", f"{table.title} – {title}"
    return table


def _with_new(ctx, tables):
    """Every table the relations speak of, by id: ``tables`` and an empty goals table."""
    result = {t.id: t for t in tables}
    result.setdefault("goals", Table("goals", "", "see_goal", [], []))
    return result


def _all_relations(ctx, tables):
    rel, bounds = engine.report_relations(ctx, list(tables.values()))
    more, more_bounds = relations(ctx, list(tables.values()))
    return rel + more, bounds + more_bounds


def _mapped(rel, bounds, cell_map):
    """Relations with every cell mapped (None: the relation is dropped); bounds on cells in no table too."""
    out = []
    for parts, total in rel:
        cells = [cell_map(c) for c in parts + [total]]
        if None not in cells:
            out.append((cells[:-1], cells[-1]))
    kept = []
    for part, whole in bounds:
        part, whole = cell_map(part), cell_map(whole)
        if part and whole and not str(part[0]).startswith(UNPUBLISHED) and not str(whole[0]).startswith(UNPUBLISHED):
            kept.append((part, whole))
    return out, kept


def section_tables(ctx):
    """{slug: {table id: table}}: every background and outcome table and ``unique`` for each insats
    alone (ids not yet suffixed: ``section_relations`` reads them by the whole report's ids)."""
    if ctx.association is None or len(ctx.groups) < 2:
        return {}
    build = builders()
    result = {}
    for slug, name in ctx.groups:
        section = engine.Context(ctx.association, ctx.period.start, ctx.period.end, [slug])
        result[slug] = {table_id: build[table_id](section) for table_id in SECTION_IDS}
    return result


def section_relations(ctx, whole, sections):
    """Each count of a section table adds up over the insatser to the whole report's cell (but
    ``unique``, persons); within a section, the whole report's relations with the insats's row of
    flow (work_or_study, the insats's column of referrer_intervention) in place of the total."""
    rel, bounds = [], []
    for table_id in SECTION_IDS:
        table = whole[table_id]
        for row, cols in table.cells.items():
            if table_id == "unique" and row != "varav_pseudonyma":  # a person may be in several insatser
                continue
            for col, value in cols.items():
                if (row, col) in table.measures or not isinstance(value, int) or isinstance(value, bool):
                    continue
                parts = [(f"{table_id}.{slug}", row, col) for slug, tables in sections.items()
                         if row in tables[table_id].cells]
                rel.append((parts, (table_id, row, col)))
    for slug, by_base in sections.items():
        section = engine.Context(ctx.association, ctx.period.start, ctx.period.end, [slug])
        known = _with_new(section, [*(whole[i] for i in whole if i not in by_base), *by_base.values()])
        for g in GENDER_KEYS:
            bounds.append(((f"unique.{slug}", "totalt", g), ("unique", "totalt", g)))

        def cell_map(cell, slug=slug, by_base=by_base):
            table_id, row, col = cell
            if table_id in NOT_IN_SECTIONS:
                return None
            if str(table_id).startswith(UNPUBLISHED):
                return cell if row == slug else (f"{table_id}.{slug}", row, col)
            if table_id in by_base:
                return (f"{table_id}.{slug}", row, col)
            if table_id == "flow" and row == "varav_anonyma":  # the insats's anonymous ones: in no table
                return (f"{UNPUBLISHED}anonymous", slug, col)
            if table_id in PER_INSATS_ROWS and row == "totalt":
                return (table_id, slug, col)
            if table_id in PER_INSATS_COLUMNS and col == "totalt":
                return (table_id, row, slug)
            return cell

        more, more_bounds = _mapped(*_all_relations(section, known), cell_map)
        rel += more
        bounds += more_bounds
    return rel, bounds


def previous_context(ctx):
    def year_earlier(day):
        return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)
    interventions = [i.slug for i in ctx.interventions] if ctx.filtered else None
    return engine.Context(ctx.association, year_earlier(ctx.period.start), year_earlier(ctx.period.end), interventions)


def previous_tables(ctx):
    """The same tables for the period a year earlier, with their own relations."""
    before = previous_context(ctx)
    build = builders()
    tables = {table_id: build[table_id](before) for table_id in PREVIOUS_IDS}
    known = _with_new(before, tables.values())
    known["flow_years"] = build["flow_years"](before)
    rel, bounds = _mapped(*_all_relations(before, known), lambda cell: (
        None if cell[0] in NOT_IN_SECTIONS else
        (f"{cell[0]}.previous", *cell[1:]) if cell[0] in tables or str(cell[0]).startswith(UNPUBLISHED) else None))
    label = f"föregående period ({before.period.start.isoformat()}–{before.period.end.isoformat()})"
    return [renamed(t, "previous", label) for t in tables.values()], rel, bounds


def change_table(now, before):
    """now − before for every count, and the change of every share (in percentage points, as a
    fraction: 0.05 = 5 procentenheter). Derived from the tables as shown: a change is hidden (None,
    listed in ``masked``) when a count or share of either period is; it is no count itself."""
    table = Table(f"{now.id}.change", f"{now.title} – förändring mot föregående period", now.population,
                  list(now.rows) + [r for r in before.rows if r[0] not in now.cells], list(now.columns),
                  denominator=now.denominator)
    masked_now, masked_before = set(now.masked), set(before.masked)
    for row, _ in table.rows:
        table.cells[row] = {}
        for col, _ in table.columns:
            a, b = now.cell(row, col), before.cell(row, col)
            counts = [(t, v) for t, v in ((now, a), (before, b)) if (row, col) not in t.measures]
            hidden = (row, col) in masked_now or (row, col) in masked_before
            if hidden:
                table.cells[row][col] = None
                table.masked.append((row, col))
            elif counts and all(v is None or isinstance(v, int) for _, v in counts) and (a is not None or b is not None):
                table.cells[row][col] = (a or 0) - (b or 0)
            else:
                table.cells[row][col] = None
            table.measures.add((row, col))
        for col in set(now.shares.get(row, {})) | set(before.shares.get(row, {})):
            a, b = now.share(row, col), before.share(row, col)
            table.shares.setdefault(row, {})[col] = None if a is None or b is None else a - b
            if (row, col) in now.masked_shares or (row, col) in before.masked_shares:
                table.masked_shares.add((row, col))
    table.notes.append("Förändring i antal mot samma period ett år tidigare; andelar som förändring i procentenheter.")
    return table


def compute_report_with_new_tables(association, date_from, date_to, interventions=None, *, publish=False,
                                   sections=False, previous=False):
    """compute_report plus the draft tables and cells (until the registry takes them)."""
    report = engine.compute_report(association, date_from, date_to, interventions)
    ctx = engine.Context(association, date_from, date_to, interventions)
    add_flow_gender_shares(report.table("flow"))
    add_support_shares(report.table("support_in_out"))
    add_goal_status(ctx, report.table("goals"))
    report.tables += [build(ctx) for build in NEW_TABLES]
    extra, bounds = relations(ctx, report.tables)
    report.relations += extra
    report.bounds += bounds
    if sections:
        per_insats = section_tables(ctx)
        extra, bounds = section_relations(ctx, {t.id: t for t in report.tables}, per_insats)
        names = dict(ctx.groups)
        report.tables += [renamed(t, slug, names[slug]) for slug, tables in per_insats.items() for t in tables.values()]
        report.relations += extra
        report.bounds += bounds
    if previous:
        earlier, extra, bounds = previous_tables(ctx)
        for table in earlier:
            if table.id == "flow.previous":
                add_flow_gender_shares(table)
            if table.id == "support_in_out.previous":
                add_support_shares(table)
        report.tables += earlier
        report.relations += extra
        report.bounds += bounds
    if publish:
        mask_report(report, association.masking_threshold)
    if previous:  # from the tables as shown
        tables = {t.id: t for t in report.tables}
        report.tables += [change_table(tables[i], tables[f"{i}.previous"]) for i in PREVIOUS_IDS]
    return report
