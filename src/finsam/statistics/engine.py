"""The one statistics engine: every table of ``shared/spec/report-tables.md``, computed from the
registrations with conditional aggregates in the database, returned as plain Table objects.

Counting rules live here and only here; renderers never compute.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from django.db import connection, transaction
from django.db.models import (
    BooleanField, Case, CharField, Count, DateField, DurationField, ExpressionWrapper, F, Func, IntegerField, Max, Min, Q,
    Sum, Value, When,
)
from django.db.models.functions import Cast, Concat, ExtractYear, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from finsam import codes
from finsam.interventions.models import Goal, goal_metric_label, is_share_metric
from finsam.interventions.models import target_group_choices
from finsam.participants.models import Participation, TargetGroupRecord, VolumeCount, period_end
from finsam.tenancy.scope import Scope

from .masking import UNPUBLISHED, mask_report
from .tables import Report, Table, round_half_up

GENDERS = ["kvinna", "man", "annat_ej_angivet"]
GENDER_KEYS = GENDERS + ["totalt"]
GENDER_COLUMNS = codes.GENDER_COLUMNS.choices
MONTH_DAYS = 30.4375
WORK = [c.code for c in codes.EXIT_REASON if c.group == "work"]
STUDIES = [c.code for c in codes.EXIT_REASON if c.group == "studies"]
FURTHER = [c.code for c in codes.EXIT_REASON if c.group == "further_measures"]
MEASURES = [("current", "Aktuella"), ("new", "Nya"), ("exited", "Avslutade")]
AGE_GROUPS = [("16-19", 16, 19), ("20-24", 20, 24), ("25-29", 25, 29), ("30-39", 30, 39), ("40-49", 40, 49),
              ("50-59", 50, 59), ("60-64", 60, 64)]
DURATION_GROUPS = [("<3", None, 3), ("3-6", 3, 6), ("6-12", 6, 12), ("12-24", 12, 24), (">24", 24, None)]


def gender_q(gender, prefix=""):
    field = f"{prefix}gender"
    if gender == "annat_ej_angivet":
        return ~Q(**{f"{field}__in": ["kvinna", "man"]})
    if gender == "totalt":
        return Q()
    return Q(**{field: gender})


def gender_aggregates(condition=None, prefix="", name="{g}"):
    """Count per gender column (and totalt) of rows matching ``condition``."""
    condition = condition if condition is not None else Q()
    return {name.format(g=g): Count("id", filter=condition & gender_q(g, prefix)) for g in GENDER_KEYS}


class _NotAnIndexChoice(Func):
    """The expression itself; on SQLite written ``+expr``, SQLite's documented way to keep a term
    from choosing the index. Without it SQLite, which cannot tell how selective a range is, reads
    a period's current participations through (association, start_date), every row started before
    the period's end, instead of the (association, period end) index: 37 ms instead of 6 ms for one
    förbund-year in the national dataset."""

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", params


@dataclass
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def current(self):
        # "Not ended before the period" as one range on period_end() (the indexes *_current), not
        # "end_date IS NULL OR end_date >= start", which makes PostgreSQL read the whole table; the
        # start-date term is kept from choosing the index on SQLite (_NotAnIndexChoice).
        started = LessThanOrEqual(_NotAnIndexChoice(F("start_date"), output_field=DateField()), self.end)
        return Q(started) & Q(GreaterThanOrEqual(period_end(in_query=True), self.start))

    @property
    def new(self):
        return Q(start_date__gte=self.start, start_date__lte=self.end)

    @property
    def exited(self):
        return Q(end_date__gte=self.start, end_date__lte=self.end)

    def measure(self, name):
        return getattr(self, name)


class Context:
    """What a report counts: the förbund of ``scope`` (tenancy/scope.py), which must be active. A
    national scope counts its förbund with one row per förbund where a förbund's report has one per
    insats; ``association`` is then None."""

    def __init__(self, scope, date_from, date_to, interventions=None):
        scope.require_active()  # a scope that is not active would count nothing
        self.scope = scope
        association = None if scope.is_national else scope.association
        self.association = association
        self.period = Period(date_from, date_to)
        self.filtered = bool(interventions)
        base = Participation.objects.exclude(exit_reason=codes.EXIT_REASON_EXCLUDED)
        if association is None:
            from finsam.tenancy.models import Association

            self.interventions = []
            self.group_field = "association_id"  # grouped by id (no join), shown by slug
            associations = list(Association.objects.filter(pk__in=scope.association_ids).order_by("slug")
                                .values_list("pk", "slug", "name"))
            self.group_slugs = {pk: slug for pk, slug, _ in associations}
            self.groups = [(slug, name) for _, slug, name in associations]
            self.members, self.member_names = [], {}
        else:
            all_interventions = association.interventions.all().order_by("name")
            self.interventions = (list(all_interventions.filter(slug__in=interventions)) if interventions
                                  else list(all_interventions))
            self.group_field = "intervention_id"
            self.group_slugs = {i.pk: i.slug for i in all_interventions}
            self.groups = [(i.slug, i.name) for i in self.interventions]
            members = list(association.members.all())
            self.members = [m for m in members if m.kind == "kommun"]
            self.member_names = {m.code: m.display_name for m in members}  # fk, af, region, kommun:<kod>
            base = base.filter(association=association)
            if self.filtered:
                base = base.filter(intervention__in=self.interventions)
        self.base = base
        self.personal = base.filter(anonymous=False)  # background and outcome tables

    def target_groups(self):
        return target_group_choices(self.association) if self.association else codes.TARGET_GROUP.choices

    @cached_property
    def current_counts(self):
        """The period's current participations counted by group (insats or förbund), anonymous,
        gender, first and last year in the period, and whether they start and end in it: one read
        shared by the two flow tables, which derive every measure from it (a few hundred rows)."""
        p = self.period
        if p.start.year == p.end.year:  # every row's first and last year is the period's
            first = last = Value(p.start.year)
        else:
            first = Greatest(Cast(ExtractYear("start_date"), IntegerField()), Value(p.start.year))
            last = Least(Cast(ExtractYear(period_end(in_query=True)), IntegerField()), Value(p.end.year))
        starts = Case(When(start_date__gte=p.start, then=Value(True)), default=Value(False), output_field=BooleanField())
        ends = Case(When(end_date__lte=p.end, then=Value(True)), default=Value(False), output_field=BooleanField())
        # Grouped by plain columns where possible (gender bucketed below): PostgreSQL then
        # estimates few groups and hashes them instead of sorting every row (performance.md).
        rows = (self.base.filter(p.current)
                .values(self.group_field, "anonymous", "gender", _first=first, _last=last, _new=starts, _exited=ends)
                .annotate(n=Count("id")).order_by())
        return [(self.group_slugs.get(r[self.group_field]), r["anonymous"],
                 r["gender"] if r["gender"] in ("kvinna", "man") else "annat_ej_angivet",
                 r["_first"], r["_last"], r["_new"], r["_exited"], r["n"]) for r in rows]

    def flow_counts(self, year=None):
        """{(group, anonymous): {measure_gender: count}} for the whole period or, with ``year``,
        for that calendar year of it. A current participation is current in each year from its
        first to its last; new in its first if it starts in the period, exited in its last if it
        ends in it."""
        result = {}
        for group, anonymous, gender, first, last, new, exited, n in self.current_counts:
            if year is not None and not first <= year <= last:
                continue
            counts = result.setdefault((group, anonymous), {f"{m}_{g}": 0 for m, _ in MEASURES for g in GENDER_KEYS})
            measures = ["current"]
            if new and (year is None or first == year):
                measures.append("new")
            if exited and (year is None or last == year):
                measures.append("exited")
            for measure in measures:
                counts[f"{measure}_{gender}"] += n
                counts[f"{measure}_totalt"] += n
        return result


def _summed(counts, keep=lambda key: True):
    """Column-wise sum of the flow counts whose (group, anonymous) key is kept."""
    total = {f"{m}_{g}": 0 for m, _ in MEASURES for g in GENDER_KEYS}
    for key, values in counts.items():
        if keep(key):
            for column, n in values.items():
                total[column] += n
    return total


def _gender_table(table_id, title, population, rows, grouped, denominator="", share_of_total=False, total_row=False):
    """A table with gender columns from ``grouped`` (row key -> {gender: count})."""
    table = Table(table_id, title, population, list(rows), GENDER_COLUMNS, denominator=denominator)
    keys = [k for k, _ in rows]
    for key in keys:
        table.cells[key] = {g: grouped.get(key, {}).get(g, 0) for g in GENDER_KEYS}
        table.sums.append(([(key, g) for g in GENDERS], (key, "totalt")))
    body = [k for k in keys if k != "totalt"]
    if total_row:
        table.cells["totalt"] = {g: sum(table.cells[k][g] for k in body) for g in GENDER_KEYS}
        for g in GENDER_KEYS:
            table.sums.append(([(k, g) for k in body], ("totalt", g)))
    if share_of_total:  # of the total row, which such a table always shows
        assert total_row, table_id
        for key in body:
            for g in GENDER_KEYS:
                table.set_share(key, g, table.cells[key][g], table.cells["totalt"][g], of=(key, g), per=("totalt", g))
    return table


def _grouped(queryset, key_expression, aggregates):
    rows = queryset.annotate(_key=key_expression).values("_key").annotate(**aggregates).order_by()
    return {row.pop("_key"): row for row in rows}


def _coded(field, missing="uppgift_saknas"):
    return Case(When(**{field: ""}, then=Value(missing)), default=F(field), output_field=CharField())


# --- the tables -----------------------------------------------------------------------------------

def flow_table(ctx):
    p = ctx.period
    columns = [(f"{m}_{g}", f"{label}, {glabel.lower()}") for m, label in MEASURES for g, glabel in GENDER_COLUMNS]
    rows = ctx.groups
    table = Table("flow", "Deltagarflöden", "participations", [], columns, denominator="")
    counts = ctx.flow_counts()
    for slug, _ in rows:
        table.cells[slug] = _summed(counts, lambda key, slug=slug: key[0] == slug)
    table.cells["totalt"] = _summed(counts)
    table.cells["varav_anonyma"] = _summed(counts, lambda key: key[1])
    volumes = VolumeCount.objects.filter(period_start__lte=p.end, period_end__gte=p.start)
    if ctx.association is not None:
        volumes = volumes.filter(association=ctx.association)
    if ctx.filtered:
        volumes = volumes.filter(intervention__in=ctx.interventions)
    v = volumes.aggregate(kvinna=Sum("women"), man=Sum("men"), annat_ej_angivet=Sum("other"))
    v = {g: v[g] or 0 for g in GENDERS}
    v["totalt"] = sum(v.values())
    table.cells["volym"] = {c: (v[c.split("_", 1)[1]] if c.startswith("current_") else None) for c, _ in columns}
    table.cells["totalt_inkl_volym"] = {
        c: table.cells["totalt"][c] + (table.cells["volym"][c] or 0) for c, _ in columns
    }
    table.rows = rows + [("totalt", "Totalt"), ("varav_anonyma", "varav anonyma"), ("volym", "Volymregistreringar"),
                         ("totalt_inkl_volym", "Totalt inklusive volymer")]
    body = [slug for slug, _ in rows]
    for m, _ in MEASURES:
        for row in body + ["totalt", "varav_anonyma", "totalt_inkl_volym"] + (["volym"] if m == "current" else []):
            table.sums.append(([(row, f"{m}_{g}") for g in GENDERS], (row, f"{m}_totalt")))
        for g in GENDER_KEYS:
            if body:
                table.sums.append(([(row, f"{m}_{g}") for row in body], ("totalt", f"{m}_{g}")))
            # Volumes are current participants only: with them, "current" grows; new and exited do not.
            parts = [("totalt", f"{m}_{g}")] + ([("volym", f"{m}_{g}")] if m == "current" else [])
            table.sums.append((parts, ("totalt_inkl_volym", f"{m}_{g}")))
    table.notes.append("Volymregistreringar räknas som aktuella deltagare under perioden; de har inga nya eller avslutade.")
    table.chart = "flow"
    return table


GENDER_BUCKET = Case(When(gender="kvinna", then=Value("kvinna")), When(gender="man", then=Value("man")),
                     default=Value("annat_ej_angivet"), output_field=CharField())


def unique_table(ctx):
    current = ctx.base.filter(ctx.period.current)
    # One row per person (the ORM builds it), counted per gender in an outer query. A person
    # registered with different genders counts once, under the first of annat/ej angivet, kvinna,
    # man. (Joining back by id, or a correlated subquery, was 1-18 s nationally: performance.md.)
    # A participation without a person key (anonymous, pseudonymous) is a person of its own: keyed
    # by its id. The pseudonymous ones (no key, not anonymous: both columns of the covering index,
    # so no table read) are counted again in their own row, a count masked like any other.
    person = Case(When(person_key="", then=Concat(Value("#"), Cast("id", CharField()))), default=F("person_key"),
                  output_field=CharField())
    pseudonymous = Case(When(person_key="", anonymous=False, then=Value(1)), default=Value(0),
                        output_field=IntegerField())
    per_person = current.values(_person=person).annotate(g=Min(GENDER_BUCKET), ps=Max(pseudonymous)).values("g", "ps")
    sql, params = per_person.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT g, ps, COUNT(*) FROM ({sql}) per_person GROUP BY g, ps", params)
        counted = cursor.fetchall()
    grouped = {key: {g: 0 for g in GENDERS} for key in ("totalt", "varav_pseudonyma")}
    for g, ps, n in counted:
        grouped["totalt"][g] += n
        if ps:
            grouped["varav_pseudonyma"][g] += n
    for row in grouped.values():
        row["totalt"] = sum(row.values())
    table = _gender_table("unique", "Unika individer", "current",
                          [("totalt", "Unika individer"), ("varav_pseudonyma", PSEUDONYMOUS_ROW)], grouped)
    table.notes.append("Varje anonymt deltagande räknas som en individ. En person som registrerats med olika kön "
                       "räknas en gång.")
    # How many were counted that way is the row's count, not a number in the note: a note is text,
    # which masking and the comparison with earlier publications do not see (docs/decisions.md).
    table.notes.append(f"Varje pseudonymt deltagande (utan personnummer) räknas som en individ; raden "
                       f"”{PSEUDONYMOUS_ROW}” visar hur många individer som räknats så.")
    return table


PSEUDONYMOUS_ROW = "varav pseudonyma (utan personnummer)"


def age_table(ctx):
    bucket = Case(
        When(age_at_start__isnull=True, then=Value("uppgift_saknas")),
        *[When(age_at_start__gte=low, age_at_start__lte=high, then=Value(key)) for key, low, high in AGE_GROUPS],
        default=Value("utanfor_16_64"), output_field=CharField(),
    )
    grouped = _grouped(ctx.personal.filter(ctx.period.current), bucket, gender_aggregates())
    rows = [(k, f"{k} år") for k, _, _ in AGE_GROUPS] + [("utanfor_16_64", "Utanför 16–64 år"), ("uppgift_saknas", "Uppgift saknas")]
    table = _gender_table("age", "Ålder vid inskrivning", "current", rows, grouped, denominator="current",
                          share_of_total=True, total_row=True)
    table.rows.append(("totalt", "Totalt"))
    table.chart = "bar"
    return table


def _code_table(ctx, table_id, title, field, code_list):
    queryset = ctx.personal.filter(ctx.period.new)
    grouped = _grouped(queryset, _coded(field), gender_aggregates())
    rows = code_list.choices
    table = _gender_table(table_id, title, "new", rows, grouped, denominator="new", share_of_total=True, total_row=True)
    table.rows.append(("totalt", "Totalt"))
    table.chart = "bar"
    return table


def education_table(ctx):
    return _code_table(ctx, "education", "Utbildningsnivå vid inskrivning", "education", codes.EDUCATION)


def time_on_support_table(ctx):
    return _code_table(ctx, "time_on_support", "Tid i offentlig försörjning vid inskrivning", "time_on_support",
                       codes.TIME_BAND)


def referrer_table(ctx):
    queryset = ctx.personal.filter(ctx.period.new)
    counts = {k: v["count"] for k, v in _grouped(queryset, _coded("referrer"), {"count": Count("id")}).items()}
    # A member is named as the förbund names it ("Region Exempel", "Exempelstads kommun"), issue 10.
    national = [(code, ctx.member_names.get(code, label)) for code, label in codes.REFERRER.choices[:3]]
    municipalities = sorted((k, v) for k, v in ctx.member_names.items() if k.startswith("kommun:"))
    rows = national + municipalities + codes.REFERRER.choices[3:]
    rows += sorted((k, k) for k in counts if k not in dict(rows))  # e.g. a former member
    table = Table("referrer", "Anmälande part", "new", rows + [("totalt", "Totalt")], [("count", "Antal")],
                  denominator="new")
    total = sum(counts.values())
    for key, _ in rows:
        table.cells[key] = {"count": counts.get(key, 0)}
        table.set_share(key, "count", counts.get(key, 0), total, of=(key, "count"), per=("totalt", "count"))
    table.cells["totalt"] = {"count": total}
    table.sums.append(([(k, "count") for k, _ in rows], ("totalt", "count")))
    table.chart = "bar"
    return table


def target_group_table(ctx):
    new = ctx.personal.filter(ctx.period.new)
    records = TargetGroupRecord.objects.filter(participation__in=new)
    grouped = {r.pop("code"): r for r in records.values("code").annotate(
        **{g: Count("id", filter=gender_q(g, "participation__")) for g in GENDER_KEYS}).order_by()}
    table = _gender_table("target_group", "Målgrupp", "new", ctx.target_groups(), grouped,
                          denominator="new")
    table.notes.append("En deltagare kan tillhöra flera målgrupper; kolumnerna summeras därför inte till antalet nya.")
    return table


def exit_reason_table(ctx):
    exited = ctx.personal.filter(ctx.period.exited)
    grouped = _grouped(exited, F("exit_reason"), gender_aggregates())
    rows = [(c.code, c.label) for c in codes.EXIT_REASON if c.code != codes.EXIT_REASON_EXCLUDED]
    table = _gender_table("exit_reason", "Avslutsorsak", "exited", rows, grouped, denominator="exited",
                          share_of_total=True, total_row=True)
    table.rows.append(("totalt", "Totalt"))
    table.chart = "bar"
    return table


def _goal_target(ctx, intervention, metric):
    goal = Goal.objects.filter(intervention=intervention, year=ctx.period.end.year, metric=metric).first()
    return None if goal is None else float(goal.target)


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
    per = {ctx.group_slugs.get(k): v for k, v in _grouped(exited, F(ctx.group_field), aggregates).items()}
    labels = {"exited": "Avslutade", "work": "Till arbete", "studies": "Till studier", "work_or_study": "Till arbete eller studier"}
    columns = [(k, labels[k]) for k in labels]
    for g, glabel in GENDER_COLUMNS[:3]:
        columns += [(f"{k}_{g}", f"{labels[k]}, {glabel.lower()}") for k in labels]
    columns.append(("target", "Mål (andel)"))
    rows = ctx.groups
    table = Table("work_or_study", "Till arbete eller studier", "exited", rows + [("totalt", "Totalt")], columns,
                  denominator="exited")
    keys = [c for c, _ in columns if c != "target"]
    interventions = {i.slug: i for i in ctx.interventions}
    for slug, _ in rows:
        table.cells[slug] = {k: per.get(slug, {}).get(k, 0) for k in keys}
        intervention = interventions.get(slug)
        table.cells[slug]["target"] = _goal_target(ctx, intervention, "share_work_or_study") if intervention else None
        table.measures.add((slug, "target"))
    table.share_columns.add("target")
    # Every exited participation is in exactly one group, so the total is the sum of the groups.
    table.cells["totalt"] = {k: sum(group.get(k, 0) for group in per.values()) for k in keys}
    table.cells["totalt"]["target"] = None
    table.measures.add(("totalt", "target"))
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
    table.chart = "share"
    return table


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
    table = Table("support_in_out", "Försörjning vid inskrivning och avslut", "exited", codes.SUPPORT.choices, columns,
                  denominator="exited_with_support")
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
    table.notes.append("Underlaget är avslutade deltaganden med försörjning registrerad både vid inskrivning och "
                       "avslut. En deltagare kan ha flera försörjningskällor.")
    table.chart = "support"
    return table


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
    table = _gender_table("duration", "Tid i insats", "exited", rows, grouped, denominator="exited")
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
    table.measures |= {(r, g) for r in ("mean_months", "median_months") for g in GENDER_KEYS}
    for g in GENDER_KEYS:
        table.measure_of[("mean_months", g)] = table.measure_of[("median_months", g)] = [
            (key, g) for key, _, _ in DURATION_GROUPS]
    table.notes.append("Månader = dagar från start till slut / 30,4375. Grupperna är halvöppna (3–6 = minst 3, mindre än 6).")
    table.chart = "bar"
    return table


def flow_years_table(ctx):
    years = range(ctx.period.start.year, ctx.period.end.year + 1)
    rows = [(str(year), str(year)) for year in years]
    columns = [(f"{m}_{g}", f"{label}, {glabel.lower()}") for m, label in MEASURES for g, glabel in GENDER_COLUMNS]
    table = Table("flow_years", "Deltagarflöden över tid", "participations", rows, columns)
    for year in years:
        table.cells[str(year)] = _summed(ctx.flow_counts(year))
    for year, _ in rows:
        for m, _ in MEASURES:
            table.sums.append(([(year, f"{m}_{g}") for g in GENDERS], (year, f"{m}_totalt")))
    table.notes.append("Varje år räknas för sig, avgränsat till rapportperioden.")
    table.chart = "years"
    return table


def municipality_table(ctx):
    current = ctx.personal.filter(ctx.period.current)
    counts = {k: v["count"] for k, v in _grouped(current, _coded("municipality"), {"count": Count("id")}).items()}
    names = {m.municipality_code: m.display_name for m in ctx.members}
    keys = sorted(k for k in counts if k != "uppgift_saknas") + ["uppgift_saknas"]
    rows = [(k, names.get(k, k) if k != "uppgift_saknas" else "Uppgift saknas") for k in keys]
    table = Table("municipality", "Folkbokföringskommun", "current", rows + [("totalt", "Totalt")], [("count", "Antal")],
                  denominator="current")
    total = sum(counts.values())
    for key in keys:
        table.cells[key] = {"count": counts.get(key, 0)}
        table.set_share(key, "count", counts.get(key, 0), total, of=(key, "count"), per=("totalt", "count"))
    table.cells["totalt"] = {"count": total}
    table.sums.append(([(k, "count") for k in keys], ("totalt", "count")))
    return table


# --- goals ----------------------------------------------------------------------------------------

GRADE_GOOD, GRADE_ACCEPTABLE, GRADE_FAILED, GRADE_NONE = "God", "Godtagbart", "Ej uppfyllt", "Ej bedömt"


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


def grade(result, target, acceptable_percent):
    if result is None:
        return GRADE_NONE
    if target <= 0 or result >= target * 0.95:
        return GRADE_GOOD
    if result >= target * acceptable_percent / 100:
        return GRADE_ACCEPTABLE
    return GRADE_FAILED


# Before a goal's year ends: a status against the value expected to date, not a grade
# (shared/spec/activities-and-goals.md "Before the period ends"; docs/decisions.md "Goal status").
STATUS_ON_TRACK, STATUS_RISK, STATUS_OFF_TRACK = "I fas", "Risk", "Ej i fas"
STATUS_OF_GRADE = {GRADE_GOOD: STATUS_ON_TRACK, GRADE_ACCEPTABLE: STATUS_RISK, GRADE_FAILED: STATUS_OFF_TRACK,
                   GRADE_NONE: GRADE_NONE}


def expected_to_date(metric, target, year, day, opening=None):
    """The value a goal of ``year`` is expected to have reached on ``day`` (the end of the counted
    span, 1 January to ``day``). Counts of new participations grow along a line from 0 on the day
    before the year to the target on 31 December; counts of current participations along the same
    line from ``opening`` (those ongoing on 1 January); a share is expected at its full target all
    year. None where there is no expectation: a manual goal, or a current count without its opening."""
    if metric == "manual":
        return None
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    fraction = min(max(((day - first).days + 1) / ((last - first).days + 1), 0.0), 1.0)
    if metric == "new_count":
        return target * fraction
    if metric == "current_count":
        return None if opening is None else opening + (target - opening) * fraction
    return target


def goal_status(result, expected, acceptable_percent):
    """I fas / Risk / Ej i fas: the grading thresholds (5 % rule, the förbund's Godtagbart limit)
    applied to the expected value to date instead of the target; Ej bedömt without a result or an
    expectation."""
    if expected is None:
        return GRADE_NONE
    return STATUS_OF_GRADE[grade(result, expected, acceptable_percent)]


def goals_table(ctx):
    if ctx.association is None:
        return Table("goals", "Måluppfyllelse", "see_goal", [], [], notes=["Mål sätts per förbund och insats."])
    years = range(ctx.period.start.year, ctx.period.end.year + 1)
    goals = Goal.objects.filter(intervention__in=ctx.interventions, year__in=years).select_related("intervention")
    goals = sorted(goals, key=lambda g: (g.year, g.intervention.name, g.metric))
    columns = [("target", "Mål"), ("result", "Resultat"), ("numerator", "Antal"), ("denominator", "Av"),
               ("basis", "Underlag"), ("grade", "Bedömning")]
    rows = [(f"{g.intervention.slug}:{g.year}:{g.metric}", f"{g.intervention.name} {g.year}: {goal_metric_label(g.metric)}")
            for g in goals]
    table = Table("goals", "Måluppfyllelse", "see_goal", rows, columns)
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
        }
        # The counts behind the result are masked like every count; result, basis and grade with them.
        table.measures |= {(key, c) for c in ("target", "result", "basis", "grade")}
        table.goal_rows.append(key)
        if is_share_metric(goal.metric):
            table.share_rows.add(key)
    table.notes.append(
        "Resultatet räknas för insatsen och året (till och med periodens slut). God: minst målet eller inom 5 procent "
        f"av det. Godtagbart: minst {ctx.association.grade_acceptable_percent} procent av målet."
    )
    return table


TABLES = [
    flow_table, unique_table, age_table, education_table, time_on_support_table, referrer_table, target_group_table,
    exit_reason_table, work_or_study_table, support_in_out_table, duration_table, flow_years_table,
    municipality_table, goals_table,
]
PERSONAL_TABLES = {"age", "education", "time_on_support", "referrer", "target_group", "exit_reason", "work_or_study",
                   "support_in_out", "duration", "municipality"}


@contextmanager
def consistent_read():
    """Every query of a report in one snapshot on PostgreSQL (REPEATABLE READ), so that tables
    agree with each other while others write, with more memory for its hash aggregates than the
    server's default 4 MB (which made the unique-person count spill to disk nationally). Inside
    a transaction already begun, only the memory is set. SQLite reads as it is."""
    if connection.vendor != "postgresql":
        yield
        return
    begin = not connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            if begin:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        yield


REPORT_WORK_MEM = "64MB"


def compute_national_tables(scope, date_from, date_to):
    """Every table across the förbund of a national ``scope`` (for the national level and the
    benchmarks), counted inside it."""
    with consistent_read(), scope.activate():
        ctx = Context(scope, date_from, date_to)
        return [build(ctx) for build in TABLES]


# --- what a reader knows about how the tables hang together (masking.py) -------------------------

def report_relations(ctx, tables):
    """The relations between cells of different tables of one report: the same population counted
    in two tables, and a goal's counts that are cells of another table. ([(parts, total)], bounds)."""
    t = {table.id: table for table in tables}
    relations, bounds = [], []

    def add(parts, total):
        relations.append(([tuple(p) for p in parts], tuple(total)))

    for col in t["flow"].cells["totalt"]:
        bounds.append((("flow", "varav_anonyma", col), ("flow", "totalt", col)))
    for g in GENDER_KEYS:
        # Background and outcome tables count flow's identified (non-anonymous) participations.
        for measure, table_ids in (("current", ["age"]), ("new", ["education", "time_on_support"]),
                                   ("exited", ["exit_reason"])):
            for table_id in table_ids:
                add([(table_id, "totalt", g), ("flow", "varav_anonyma", f"{measure}_{g}")],
                    ("flow", "totalt", f"{measure}_{g}"))
        add([("duration", key, g) for key, _, _ in DURATION_GROUPS], ("exit_reason", "totalt", g))
        suffix = "" if g == "totalt" else f"_{g}"
        add([("exit_reason", "totalt", g)], ("work_or_study", "totalt", f"exited{suffix}"))
        add([("exit_reason", code, g) for code in WORK], ("work_or_study", "totalt", f"work{suffix}"))
        add([("exit_reason", code, g) for code in STUDIES], ("work_or_study", "totalt", f"studies{suffix}"))
        bounds.append((("unique", "totalt", g), ("flow", "totalt", f"current_{g}")))
        # The pseudonymous individuals are some of the individuals; the others (identified persons
        # and anonymous participations) are a count no table shows, protected like any other.
        add([("unique", "varav_pseudonyma", g), (f"{UNPUBLISHED}other_individuals", "totalt", g)],
            ("unique", "totalt", g))
        # New and exited add up over the years of the period; a one-year period is the whole period.
        years = [key for key, _ in t["flow_years"].rows]
        for m, _ in MEASURES:
            if m != "current" or len(years) == 1:
                add([("flow_years", year, f"{m}_{g}") for year in years], ("flow", "totalt", f"{m}_{g}"))
    add([("referrer", "totalt", "count"), ("flow", "varav_anonyma", "new_totalt")], ("flow", "totalt", "new_totalt"))
    add([("municipality", "totalt", "count")], ("age", "totalt", "totalt"))
    # One insats's anonymous exits are in no table, but follow from flow's exits minus its row in
    # work_or_study (which counts identified participations only): a count to protect like any other.
    slugs = [slug for slug, _ in ctx.groups]
    unpublished = f"{UNPUBLISHED}anonymous_exits"
    for g in GENDER_KEYS:
        suffix = "" if g == "totalt" else f"_{g}"
        anonymous = {slug: (unpublished, slug, g) for slug in slugs}
        for slug in slugs:
            add([("work_or_study", slug, f"exited{suffix}"), anonymous[slug]], ("flow", slug, f"exited_{g}"))
        if slugs:
            add(list(anonymous.values()), ("flow", "varav_anonyma", f"exited_{g}"))
    for slug in slugs:
        add([(unpublished, slug, g) for g in GENDERS], (unpublished, slug, "totalt"))
    add([(f"{UNPUBLISHED}other_individuals", "totalt", g) for g in GENDERS],
        (f"{UNPUBLISHED}other_individuals", "totalt", "totalt"))
    relations_of_goals(ctx, t, add, bounds)
    return relations, bounds


def relations_of_goals(ctx, t, add, bounds):
    """A goal of the report's own period counts what a row of flow or work_or_study shows."""
    groups = {slug for slug, _ in ctx.groups}
    single = len(groups) == 1
    for key in t["goals"].goal_rows:
        slug, year, metric = key.split(":", 2)
        year = int(year)
        numerator, denominator = ("goals", key, "numerator"), ("goals", key, "denominator")
        if t["goals"].cells[key]["numerator"] is None:
            continue  # a manual goal
        if t["goals"].cells[key]["denominator"] is not None:
            bounds.append((numerator, denominator))
        if slug not in groups or (ctx.period.start, ctx.period.end.year) != (datetime.date(year, 1, 1), year):
            continue
        counts = {"new_count": (("flow", slug, "new_totalt"), None),
                  "current_count": (("flow", slug, "current_totalt"), None),
                  "share_women_new": (("flow", slug, "new_kvinna"), ("flow", slug, "new_totalt")),
                  "share_men_new": (("flow", slug, "new_man"), ("flow", slug, "new_totalt")),
                  "share_work_or_study": (("work_or_study", slug, "work_or_study"), ("work_or_study", slug, "exited"))}
        if metric in counts:
            same_numerator, same_denominator = counts[metric]
        else:  # share of exits with given reasons: the insats's exits are a row of work_or_study
            same_numerator, same_denominator = None, ("work_or_study", slug, "exited")
            if single:  # and with one insats in the report, the exit reasons are its own
                reasons = (WORK + STUDIES + FURTHER if metric == "share_work_study_or_further_measures"
                           else [metric.split(":", 1)[1]])
                add([("exit_reason", code, "totalt") for code in reasons], numerator)
        if same_numerator:
            add([numerator], same_numerator)
        if same_denominator:
            add([denominator], same_denominator)


def compute_report(association, date_from, date_to, interventions=None, *, publish=False, now=None):
    """Every table for the period; with ``publish``, small numbers are masked (see masking.py)."""
    with consistent_read():
        ctx = Context(Scope.of(association), date_from, date_to, interventions)
        tables = [build(ctx) for build in TABLES]
    report = Report(association, date_from, date_to, [i.slug for i in ctx.interventions] if ctx.filtered else [],
                    now or timezone.now(), tables)
    report.relations, report.bounds = report_relations(ctx, tables)
    report.intervention_names = dict(ctx.groups)
    if publish:
        mask_report(report, association.masking_threshold)
    return report
