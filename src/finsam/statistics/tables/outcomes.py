"""Outcomes of identified participants who exited: exit reason, to work or studies per insats,
support at entry and exit, and time in the insats."""

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from finsam import codes
from finsam.participants.models import SupportRecord

from .background import identified_part_of_flow
from .common import (
    DURATION_GROUPS, GENDER_BUCKET, GENDER_COLUMNS, GENDER_KEYS, GENDERS, MONTH_DAYS, STUDIES, WORK, gender_aggregates,
    gender_q, gender_table, grouped_by,
)
from .data import MEASURE, SHARE, round_half_up
from .registry import (
    ADDITIVE, UNPUBLISHED, Atoms, Chart, Series, TableSpec, UnpublishedSpec, bar, over_scope, register,
)


def exit_reason_table(ctx):
    exited = ctx.personal.filter(ctx.period.exited)
    grouped = grouped_by(exited, F("exit_reason"), gender_aggregates())
    rows = [(c.code, c.label) for c in codes.EXIT_REASON if c.code != codes.EXIT_REASON_EXCLUDED]
    table = gender_table(EXIT_REASON, rows, grouped, denominator="exited", share_of_total=True, total_row=True)
    return table


EXIT_REASON = register(TableSpec(
    id="exit_reason", title="Avslutsorsak", family="outcomes", order=80, population="exited", identified_only=True,
    build=exit_reason_table, reads=("participants.Participation",), chart=bar("totalt"),
    relations=identified_part_of_flow("exit_reason", "exited"), decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))


def _goal_targets(ctx, metric):
    """{insats slug: its goal for ``metric``} in the plan covering the report's end (plans/evaluate.py)."""
    from finsam.plans.evaluate import insats_targets

    return insats_targets(ctx.association, metric, ctx.period.end)


def work_or_study_table(ctx):
    exited = ctx.personal.filter(ctx.period.exited)
    aggregates = {}
    for g in GENDER_KEYS:
        suffix = "" if g == "totalt" else f"_{g}"
        gq = gender_q(g)
        aggregates[f"exited{suffix}"] = Count("id", filter=gq)
        aggregates[f"work{suffix}"] = Count("id", filter=gq & Q(exit_reason__in=WORK))
        aggregates[f"studies{suffix}"] = Count("id", filter=gq & Q(exit_reason__in=STUDIES))
        aggregates[f"work_or_study{suffix}"] = Count("id", filter=gq & Q(exit_reason__in=WORK + STUDIES))
    per = {ctx.group_slugs.get(k): v for k, v in grouped_by(exited, F(ctx.group_field), aggregates).items()}
    labels = {"exited": "Avslutade", "work": "Till arbete", "studies": "Till studier", "work_or_study": "Till arbete eller studier"}
    columns = [(k, labels[k]) for k in labels]
    for g, glabel in GENDER_COLUMNS[:3]:
        columns += [(f"{k}_{g}", f"{labels[k]}, {glabel.lower()}") for k in labels]
    columns.append(("target", "Mål (andel)"))
    rows = ctx.groups
    table = WORK_OR_STUDY.table(rows + [("totalt", "Totalt")], columns, denominator="exited")
    keys = [c for c, _ in columns if c != "target"]
    targets = _goal_targets(ctx, "share_work_or_study")
    for slug, _ in rows:
        table.cells[slug] = {k: per.get(slug, {}).get(k, 0) for k in keys}
        table.cells[slug]["target"] = targets.get(slug)
    # Every exited participation is in exactly one group, so the total is the sum of the groups.
    table.cells["totalt"] = {k: sum(group.get(k, 0) for group in per.values()) for k in keys}
    table.cells["totalt"]["target"] = None
    for row in [slug for slug, _ in rows] + ["totalt"]:
        for g in GENDER_KEYS:
            suffix = "" if g == "totalt" else f"_{g}"
            table.set_share(row, f"work_or_study{suffix}", table.cells[row][f"work_or_study{suffix}"],
                            table.cells[row][f"exited{suffix}"], of=(row, f"work_or_study{suffix}"),
                            per=(row, f"exited{suffix}"))
    for k in labels:
        for row in [slug for slug, _ in rows] + ["totalt"]:
            table.sums.append(([(row, f"{k}_{g}") for g in GENDERS], (row, k)))
        for c in [k] + [f"{k}_{g}" for g in GENDERS]:
            table.sums.append(([(slug, c) for slug, _ in rows], ("totalt", c)))
    for row in [slug for slug, _ in rows] + ["totalt"]:  # work and studies are disjoint exit reasons
        for suffix in [""] + [f"_{g}" for g in GENDERS]:
            table.sums.append(([(row, f"work{suffix}"), (row, f"studies{suffix}")], (row, f"work_or_study{suffix}")))
    table.notes.append("Arbete = arbete och arbete med stöd; studier = studier.")
    return table


ANONYMOUS_EXITS = f"{UNPUBLISHED}anonymous_exits"


def work_or_study_relations(ctx, table, rel):
    for g in GENDER_KEYS:
        suffix = "" if g == "totalt" else f"_{g}"
        rel.add([("exit_reason", "totalt", g)], ("work_or_study", "totalt", f"exited{suffix}"))
        rel.add([("exit_reason", code, g) for code in WORK], ("work_or_study", "totalt", f"work{suffix}"))
        rel.add([("exit_reason", code, g) for code in STUDIES], ("work_or_study", "totalt", f"studies{suffix}"))
    # One insats's anonymous exits are in no table, but follow from flow's exits minus its row in
    # work_or_study (which counts identified participations only): a count to protect like any other.
    slugs = [slug for slug, _ in ctx.groups]
    for g in GENDER_KEYS:
        suffix = "" if g == "totalt" else f"_{g}"
        anonymous = {slug: (ANONYMOUS_EXITS, slug, g) for slug in slugs}
        for slug in slugs:
            rel.add([("work_or_study", slug, f"exited{suffix}"), anonymous[slug]], ("flow", slug, f"exited_{g}"))
        if slugs:
            rel.add(list(anonymous.values()), ("flow", "varav_anonyma", f"exited_{g}"))
    for slug in slugs:
        rel.add([(ANONYMOUS_EXITS, slug, g) for g in GENDERS], (ANONYMOUS_EXITS, slug, "totalt"))


def work_or_study_atoms(table_id, row, col, scope, start, end):
    if row == "totalt":
        return Atoms(table_id, row, col, tuple(scope), start, end, ADDITIVE)
    return Atoms(table_id, "totalt", col, (row,), start, end, ADDITIVE)  # an insats's row: its totalt


WORK_OR_STUDY = register(TableSpec(
    id="work_or_study", title="Till arbete eller studier", family="outcomes", order=90, population="exited",
    identified_only=True, build=work_or_study_table,
    reads=("participants.Participation", "interventions.Intervention", "plans.Plan", "plans.FocusArea", "plans.PlanGoal",
           "plans.Indicator"),
    column_kinds={"target": SHARE},  # an insats's goal, a share: not a count
    chart=Chart("share", (Series("Andel till arbete eller studier", "work_or_study", share=True),)),
    relations=work_or_study_relations, decompose=work_or_study_atoms,
    per_insats="rows", in_previous=True,
))

# The anonymous exits of one insats (row: insats, column: gender) are flow's anonymous exits of it.
register(UnpublishedSpec(ANONYMOUS_EXITS, decompose=lambda table_id, row, col, scope, start, end: Atoms(
    "flow", "varav_anonyma", f"exited_{col}", (row,), start, end, ADDITIVE)))


def support_in_out_table(ctx):
    # The population: exited participations with support recorded both at entry and at exit (a
    # flag the write path keeps, services._row_values); their support rows counted by code, phase
    # and gender. (Finding the population among the support rows was 2.5-3 s nationally.)
    population = ctx.personal.filter(ctx.period.exited, support_at_entry_and_exit=True)
    aggregates = {}
    for g in GENDER_KEYS:
        for phase in ("entry", "exit"):
            aggregates[f"{g}_{phase}"] = Count("id", filter=Q(support__phase=phase) & gender_q(g))
    rows = population.values(_code=F("support__code")).annotate(**aggregates).order_by()
    grouped = {r.pop("_code"): r for r in rows}
    columns = [(f"{g}_{phase}", f"{glabel}, {'vid inskrivning' if phase == 'entry' else 'vid avslut'}")
               for g, glabel in GENDER_COLUMNS for phase in ("entry", "exit")]
    table = SUPPORT_IN_OUT.table(codes.SUPPORT.choices, columns, denominator="exited_with_support")
    for code, _ in codes.SUPPORT.choices:
        table.cells[code] = {c: grouped.get(code, {}).get(c, 0) for c, _ in columns}
    # The population itself is a row (not a number in a note), so that it is masked like any count.
    size = population.aggregate(**gender_aggregates())
    table.rows = table.rows + [("underlag", "Antal avslutade deltaganden i underlaget")]
    table.cells["underlag"] = {f"{g}_{phase}": size[g] for g in GENDER_KEYS for phase in ("entry", "exit")}
    for code in [code for code, _ in codes.SUPPORT.choices] + ["underlag"]:
        for phase in ("entry", "exit"):
            table.sums.append(([(code, f"{g}_{phase}") for g in GENDERS], (code, f"totalt_{phase}")))
    for g in GENDER_KEYS:  # the same participations at entry and at exit
        table.sums.append(([("underlag", f"{g}_entry")], ("underlag", f"{g}_exit")))
    for code, _ in codes.SUPPORT.choices:  # the share of the population on each support, at entry and exit
        for col, _ in columns:
            table.set_share(code, col, table.cells[code][col], table.cells["underlag"][col], of=(code, col),
                            per=("underlag", col))
    table.notes.append("Underlaget är avslutade deltaganden med försörjning registrerad både vid inskrivning och "
                       "avslut. En deltagare kan ha flera försörjningskällor; andelarna summeras därför till "
                       "100 procent eller mer.")
    return table


SUPPORT_IN_OUT = register(TableSpec(
    id="support_in_out", title="Försörjning vid inskrivning och avslut", family="outcomes", order=100,
    population="exited", identified_only=True, build=support_in_out_table,
    reads=("participants.Participation", "participants.SupportRecord"),
    chart=Chart("support", (Series("Vid inskrivning", "totalt_entry"), Series("Vid avslut", "totalt_exit")),
                summary_rows=("underlag",)),
    decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))


def support_transition_table(ctx):
    """For each support at entry, the support at exit: support_in_out's population counted per
    pair of codes. A participation with several codes counts in every pair of them, so rows and
    columns do not add up; ``antal`` counts participations with the code at entry (the column) or
    at exit (the row), as support_in_out does."""
    population = ctx.personal.filter(ctx.period.exited, support_at_entry_and_exit=True)
    records = SupportRecord.objects.filter(participation__in=population)
    entry = records.filter(phase=SupportRecord.ENTRY)
    # One filter() on the second join, so that the pair is (an entry record, an exit record of the
    # same participation).
    pairs = {(r["code"], r["exit_code"]): r["n"] for r in
             entry.filter(participation__support__phase=SupportRecord.EXIT)
             .values("code", exit_code=F("participation__support__code")).annotate(n=Count("id")).order_by()}
    at_entry = {r["code"]: r["n"] for r in entry.values("code").annotate(n=Count("id")).order_by()}
    at_exit = {r["code"]: r["n"] for r in records.filter(phase=SupportRecord.EXIT).values("code")
               .annotate(n=Count("id")).order_by()}
    support = codes.SUPPORT.choices
    columns = [(c, f"Vid avslut: {label}") for c, label in support] + [("antal", "Antal med försörjningen vid inskrivning")]
    table = SUPPORT_TRANSITION.table(list(support) + [("antal", "Antal med försörjningen vid avslut")], columns,
                                     denominator="exited_with_support")
    for a, _ in support:
        table.cells[a] = {b: pairs.get((a, b), 0) for b, _ in support}
        table.cells[a]["antal"] = at_entry.get(a, 0)
        for b, _ in support:  # of those with ``a`` at entry, the share with ``b`` at exit
            table.set_share(a, b, table.cells[a][b], table.cells[a]["antal"], of=(a, b), per=(a, "antal"))
    table.cells["antal"] = {b: at_exit.get(b, 0) for b, _ in support}
    table.cells["antal"]["antal"] = None  # the population's size is support_in_out's underlag
    table.cell_kinds[("antal", "antal")] = MEASURE
    table.notes.append("Raderna är försörjning vid inskrivning, kolumnerna försörjning vid avslut. Ett deltagande "
                       "med flera försörjningskällor räknas i varje par; raderna summeras därför inte till antalet.")
    return table


def support_transition_relations(ctx, table, rel):
    for code, _ in codes.SUPPORT.choices:
        rel.add([("support_transition", code, "antal")], ("support_in_out", code, "totalt_entry"))
        rel.add([("support_transition", "antal", code)], ("support_in_out", code, "totalt_exit"))
        for other, _ in codes.SUPPORT.choices:  # a pair is some of the row's and of the column's
            rel.bound(("support_transition", code, other), ("support_transition", code, "antal"))
            rel.bound(("support_transition", code, other), ("support_transition", "antal", other))


SUPPORT_TRANSITION = register(TableSpec(
    id="support_transition", title="Övergångar i försörjning från inskrivning till avslut", family="outcomes",
    order=105, population="exited", identified_only=True, build=support_transition_table,
    reads=("participants.Participation", "participants.SupportRecord"),
    relations=support_transition_relations, decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))


def _median(counts):
    """The median of values given as sorted (value, count) pairs (as statistics.median would give)."""
    n = sum(c for _, c in counts)
    if not n:
        return None
    middle = [(n - 1) // 2, n // 2]  # positions of the one or two middle values
    found, seen = [], 0
    for value, count in counts:
        while middle and middle[0] < seen + count:
            found.append(value)
            middle.pop(0)
        seen += count
    return sum(found) / 2


def duration_table(ctx):
    exited = ctx.personal.filter(ctx.period.exited)
    # One grouped query: how many exited participations lasted each number of days, per gender.
    # Groups, mean and median all follow from that histogram (a few hundred rows however many
    # participations; fetching every duration was 2 s nationally, performance.md).
    days = ExpressionWrapper(F("end_date") - F("start_date"), output_field=DurationField())
    histogram = {g: {} for g in GENDER_KEYS}
    for gender, duration, count in (exited.values(_g=GENDER_BUCKET, _days=days).annotate(n=Count("id"))
                                    .values_list("_g", "_days", "n").order_by()):
        for key in (gender, "totalt"):
            histogram[key][duration.days] = histogram[key].get(duration.days, 0) + count

    def in_group(d, low, high):
        return (low is None or d >= low * MONTH_DAYS) and (high is None or d < high * MONTH_DAYS)

    grouped = {key: {g: sum(n for d, n in histogram[g].items() if in_group(d, low, high)) for g in GENDER_KEYS}
               for key, low, high in DURATION_GROUPS}
    rows = [(k, f"{k} månader") for k, _, _ in DURATION_GROUPS]
    table = gender_table(DURATION, rows, grouped, denominator="exited")
    table.cells["mean_months"] = {}
    table.cells["median_months"] = {}
    for g in GENDER_KEYS:
        counts = sorted(histogram[g].items())
        n = sum(c for _, c in counts)
        mean = sum(d * c for d, c in counts) / n if n else None
        median = _median(counts)
        table.cells["mean_months"][g] = None if mean is None else round_half_up(mean / MONTH_DAYS)
        table.cells["median_months"][g] = None if median is None else round_half_up(median / MONTH_DAYS)
    table.rows += [("mean_months", "Medelvärde (månader)"), ("median_months", "Median (månader)")]
    for g in GENDER_KEYS:
        table.measure_of[("mean_months", g)] = table.measure_of[("median_months", g)] = [
            (key, g) for key, _, _ in DURATION_GROUPS]
    table.notes.append("Månader = dagar från start till slut / 30,4375. Grupperna är halvöppna (3–6 = minst 3, mindre än 6).")
    return table


def duration_relations(ctx, table, rel):
    for g in GENDER_KEYS:
        rel.add([("duration", key, g) for key, _, _ in DURATION_GROUPS], ("exit_reason", "totalt", g))


DURATION = register(TableSpec(
    id="duration", title="Tid i insats", family="outcomes", order=110, population="exited", identified_only=True,
    build=duration_table, reads=("participants.Participation",),
    row_kinds={"mean_months": MEASURE, "median_months": MEASURE},
    chart=bar("totalt", summary_rows=("mean_months", "median_months")),
    relations=duration_relations, decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))


