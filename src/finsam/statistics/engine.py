"""The one statistics engine: what a report counts (``Context``, ``Period``) and the report itself,
built from every table of the registry (``tables/``: one module per family declares its tables),
counted from the registrations with conditional aggregates in the database.

Counting rules live in the table builders and only there; renderers never compute.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, DateField, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Cast, ExtractYear, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from finsam import codes
from finsam.interventions.models import target_group_choices
from finsam.participants.models import Participation, period_end
from finsam.tenancy.scope import Scope

from . import tables as registry
from .tables import variants
from .masking import mask_report
from .tables import Omitted, Report
from .tables.common import GENDER_KEYS, MEASURES


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

    # The models read here, whatever the tables (registry.models_read adds the tables' own).
    reads = ("participants.Participation", "interventions.Intervention", "tenancy.Association", "tenancy.Member",
             "interventions.TargetGroup")

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


def build_tables(ctx, specs, tables=None):
    """(a spec per table built, the tables, [{"id", "reason"}] of the specs whose builder raised
    Omitted). A ``several`` spec gives several tables (its spec repeated in the first list); a
    part of one asked for by its own id in ``tables`` leaves out the other parts (registry.keeps)."""
    kept, built, omitted = [], [], []
    for spec in specs:
        try:
            tables_of_spec = registry.build_tables(spec, ctx)
        except Omitted as skipped:
            omitted.append({"id": spec.id, "reason": skipped.reason})
            continue
        for table in tables_of_spec:
            if registry.keeps(spec, table.id, tables):
                kept.append(spec)
                built.append(table)
    return kept, built, omitted


def compute_national_tables(scope, date_from, date_to, tables=None):
    """Every table (or those of ``tables``: ids or families) across the förbund of a national
    ``scope`` (for the national level and the benchmarks), counted inside it."""
    with consistent_read(), scope.activate():
        ctx = Context(scope, date_from, date_to)
        return build_tables(ctx, registry.specs(tables), tables)[1]


def compute_report(association, date_from, date_to, interventions=None, *, publish=False, now=None, tables=None,
                   sections=False, previous=False, respondent_groups=None):
    """Every registered table for the period (or those of ``tables``: ids or families); with
    ``publish``, small numbers are masked (see masking.py). ``sections``: the tables declared so
    again for each insats; ``previous``: their columns for the period a year earlier and the change
    (tables/variants.py)."""
    with consistent_read():
        specs = (registry.specs(tables) if tables is not None
                 else registry.specs_with_data(association, date_from, date_to, interventions))
        ctx = Context(Scope.of(association), date_from, date_to, interventions)
        ctx.respondent_groups = list(respondent_groups or [])  # the survey tables' filter
        specs, built, omitted = build_tables(ctx, specs, tables)
        relations = registry.Relations(t.id for t in built)
        for spec, table in zip(specs, built):
            if spec.relations:
                spec.relations(ctx, table, relations)

        def context_for(start, end, only=None):
            return Context(ctx.scope, start, end, only or interventions)

        if sections:  # before the previous period's columns join the whole report's tables
            variants.add_sections(ctx, specs, built, relations, context_for)
        if previous:
            variants.add_previous(ctx, specs, built, relations, context_for)
    report = Report(association, date_from, date_to, [i.slug for i in ctx.interventions] if ctx.filtered else [],
                    now or timezone.now(), built)
    report.relations, report.bounds = relations.relations, relations.bounds
    report.inequalities = relations.inequalities
    report.intervention_names = dict(ctx.groups)
    report.respondent_groups = list(ctx.respondent_groups)
    report.omitted = omitted
    if publish:
        mask_report(report, association.masking_threshold)
    return report
