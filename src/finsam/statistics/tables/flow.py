"""Participant flows: participations current, new and exited per insats (flow) and per year of the
period (flow_years), and the unique persons among the current ones (unique)."""

import datetime

from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, Max, Min, Sum, Value, When
from django.db.models.functions import Cast, Concat

from finsam.participants.models import VolumeCount

from .common import GENDER_BUCKET, GENDER_COLUMNS, GENDER_KEYS, GENDERS, MEASURES, gender_table, summed
from .registry import (
    ADDITIVE, CURRENT, OWN, PERIOD, UNPUBLISHED, Atoms, Chain, Chart, Series, TableSpec,
    UnpublishedSpec, register,
)

FLOW_SUMMARY_ROWS = ("totalt", "varav_anonyma", "volym", "totalt_inkl_volym")
OTHER_INDIVIDUALS = f"{UNPUBLISHED}other_individuals"
PSEUDONYMOUS_ROW = "varav pseudonyma (utan personnummer)"
FLOW_COLUMNS = [(f"{m}_{g}", f"{label}, {glabel.lower()}") for m, label in MEASURES for g, glabel in GENDER_COLUMNS]
FLOW_SERIES = tuple(Series(name, f"{m}_totalt") for m, name in MEASURES)


def flow_table(ctx):
    p = ctx.period
    columns = FLOW_COLUMNS
    rows = ctx.groups
    table = FLOW.table([], columns, denominator="")
    counts = ctx.flow_counts()
    for slug, _ in rows:
        table.cells[slug] = summed(counts, lambda key, slug=slug: key[0] == slug)
    table.cells["totalt"] = summed(counts)
    table.cells["varav_anonyma"] = summed(counts, lambda key: key[1])
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
    for row in body + ["totalt"]:  # share of women and of men among the current and among the new
        for m in ("current", "new"):
            for g in ("kvinna", "man"):
                table.set_share(row, f"{m}_{g}", table.cells[row][f"{m}_{g}"], table.cells[row][f"{m}_totalt"],
                                of=(row, f"{m}_{g}"), per=(row, f"{m}_totalt"))
    table.notes.append("Volymregistreringar räknas som aktuella deltagare under perioden; de har inga nya eller avslutade.")
    return table


def flow_relations(ctx, table, rel):
    for col in table.cells["totalt"]:
        rel.bound(("flow", "varav_anonyma", col), ("flow", "totalt", col))


def flow_cell_atoms(row, col, insatser, start, end):
    """A cell of flow's totalt or varav_anonyma row, for ``insatser`` and the span start-end."""
    if col.split("_", 1)[0] in ("new", "exited"):
        time = ADDITIVE
    elif row not in ("totalt", "varav_anonyma"):
        time = PERIOD  # volumes: the period's own
    else:
        time = CURRENT
    return Atoms("flow", row, col, tuple(insatser), start, end, time)


def flow_atoms(table_id, row, col, scope, start, end):
    if row in FLOW_SUMMARY_ROWS:
        return flow_cell_atoms(row, col, scope, start, end)
    return flow_cell_atoms("totalt", col, [row], start, end)  # an insats's row: its totalt


# Flow shows the new and exited of its own current columns.
FLOW_CHAIN = Chain(is_current=lambda row, col: col.startswith("current_") and row in ("totalt", "varav_anonyma"),
                   shadow=lambda col, measure: col.replace("current_", f"{measure}_", 1))

FLOW = register(TableSpec(
    id="flow", title="Deltagarflöden", family="flow", order=10, population="participations", build=flow_table,
    reads=("participants.Participation", "participants.VolumeCount", "interventions.Intervention",
           "tenancy.Association"),
    chart=Chart("flow", FLOW_SERIES, summary_rows=FLOW_SUMMARY_ROWS),
    relations=flow_relations, decompose=flow_atoms, chain=FLOW_CHAIN,
    per_insats="rows", in_previous=True,
))


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
    table = gender_table(UNIQUE, [("totalt", "Unika individer"), ("varav_pseudonyma", PSEUDONYMOUS_ROW)], grouped)
    table.notes.append("Varje anonymt deltagande räknas som en individ. En person som registrerats med olika kön "
                       "räknas en gång.")
    # How many were counted that way is the row's count, not a number in the note: a note is text,
    # which masking and the comparison with earlier publications do not see (docs/decisions.md).
    table.notes.append(f"Varje pseudonymt deltagande (utan personnummer) räknas som en individ; raden "
                       f"”{PSEUDONYMOUS_ROW}” visar hur många individer som räknats så.")
    return table


def unique_relations(ctx, table, rel):
    for g in GENDER_KEYS:
        rel.bound(("unique", "totalt", g), ("flow", "totalt", f"current_{g}"))
        # The pseudonymous individuals are some of the individuals; the others (identified persons
        # and anonymous participations) are a count no table shows, protected like any other.
        rel.add([("unique", "varav_pseudonyma", g), (OTHER_INDIVIDUALS, "totalt", g)], ("unique", "totalt", g))
    rel.add([(OTHER_INDIVIDUALS, "totalt", g) for g in GENDERS], (OTHER_INDIVIDUALS, "totalt", "totalt"))
    if ctx.filtered and len(ctx.groups) == 1:
        # one insats's unique (its section in a report of several, or a report of it alone) counts
        # what a plan row of that insats over the same span counts (PERSONS, below)
        rel.add([("unique", "totalt", "totalt")], persons([ctx.groups[0][0]], ctx.period.start, ctx.period.end))
    if ctx.filtered and ctx.association is not None and {s for s, _ in ctx.groups} == set(ctx.group_slugs.values()):
        # filtered to every insats of the förbund: the same participations, so the same persons, as
        # the whole förbund's report of the span (every participation has an insats): its cells are
        # the whole förbund's (WHOLE_PERSONS), not an unknown of their own besides them
        span = f"{ctx.period.start.isoformat()}|{ctx.period.end.isoformat()}"
        for row, columns in table.cells.items():
            for col in columns:
                rel.add([("unique", row, col)], (WHOLE_PERSONS, f"{row}|{col}", span))


# Persons are no sum over insatser or stretches of time: a cell of unique is one atom of its own,
# the count of its row and column over the report's scope and span (PERIOD), so that every
# publication showing or hiding the persons of the same scope and span speaks of the same unknown
# (and a plan row's unique individuals, plans/report_tables.py GOAL_PERSONS, of that unknown too).
# The scope is the part of the atom: PERSONS_ALL for the whole förbund (a report without insats
# filter: OWN in its scope, which unique declares for that only), else its insatser's slugs,
# sorted, joined by "+" (a section's: its insats).
PERSONS_ALL = "*"


def persons_of(slugs):
    """The part of a unique atom counting the persons of ``slugs`` (none: the whole förbund)."""
    return "+".join(sorted(slugs)) if slugs else PERSONS_ALL


def unique_atoms(table_id, row, col, scope, start, end):
    slugs = [s for s in scope if s != OWN]
    if not slugs:
        return None  # the förbund's own part alone (a virtual report): no persons of its own
    return Atoms("unique", row, col, (PERSONS_ALL if OWN in scope else persons_of(slugs),), start, end, PERIOD)


# The persons of a scope over a span, a count no table shows unless a unique table of that scope and
# span does (a plan row's unique individuals, plans/report_tables.py: the row's result over a span
# of its own, or its previous value): (PERSONS, persons_of(slugs), "<first day>|<last day>"), the
# same atom as unique's totalt of that scope and span.
PERSONS = f"{UNPUBLISHED}persons"


def persons(slugs, first, last):
    return (PERSONS, persons_of(slugs), f"{first.isoformat()}|{last.isoformat()}")


def persons_atoms(table_id, row, col, scope, start, end):
    first, last = (datetime.date.fromisoformat(day) for day in col.split("|"))
    return Atoms("unique", "totalt", "totalt", (row,), first, last, PERIOD)


register(UnpublishedSpec(PERSONS, decompose=persons_atoms))

# A unique cell of the whole förbund over a span, (WHOLE_PERSONS, "<row>|<col>", "<first day>|<last
# day>"): what a report filtered to every insats of the förbund counts too (unique_relations).
WHOLE_PERSONS = f"{UNPUBLISHED}whole_persons"


def whole_persons_atoms(table_id, row, col, scope, start, end):
    cell_row, cell_col = row.split("|")
    first, last = (datetime.date.fromisoformat(day) for day in col.split("|"))
    return Atoms("unique", cell_row, cell_col, (PERSONS_ALL,), first, last, PERIOD)


register(UnpublishedSpec(WHOLE_PERSONS, decompose=whole_persons_atoms))

UNIQUE = register(TableSpec(
    id="unique", title="Unika individer", family="flow", order=20, population="current", build=unique_table,
    reads=("participants.Participation",), relations=unique_relations,
    in_sections=True, additive_rows=("varav_pseudonyma",), in_previous=True,
    decompose=unique_atoms, own_part=True,  # own_part: tells a report of the whole förbund (OWN) apart
))


def flow_years_table(ctx):
    years = range(ctx.period.start.year, ctx.period.end.year + 1)
    rows = [(str(year), str(year)) for year in years]
    table = FLOW_YEARS.table(rows, FLOW_COLUMNS)
    for year in years:
        table.cells[str(year)] = summed(ctx.flow_counts(year))
    for year, _ in rows:
        for m, _ in MEASURES:
            table.sums.append(([(year, f"{m}_{g}") for g in GENDERS], (year, f"{m}_totalt")))
    table.notes.append("Varje år räknas för sig, avgränsat till rapportperioden.")
    return table


def flow_years_relations(ctx, table, rel):
    # New and exited add up over the years of the period; a one-year period is the whole period.
    years = [key for key, _ in table.rows]
    for g in GENDER_KEYS:
        for m, _ in MEASURES:
            if m != "current" or len(years) == 1:
                rel.add([("flow_years", year, f"{m}_{g}") for year in years], ("flow", "totalt", f"{m}_{g}"))


def flow_years_atoms(table_id, row, col, scope, start, end):
    year = int(row)  # the year's part of the period, for the whole scope: flow's totalt then
    return flow_cell_atoms("totalt", col, scope, max(start, datetime.date(year, 1, 1)),
                           min(end, datetime.date(year, 12, 31)))


FLOW_YEARS = register(TableSpec(
    id="flow_years", title="Deltagarflöden över tid", family="flow", order=120, population="participations",
    build=flow_years_table, reads=("participants.Participation",),
    chart=Chart("years", FLOW_SERIES), relations=flow_years_relations, decompose=flow_years_atoms,
))
