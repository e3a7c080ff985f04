"""Background of identified participants: age and municipality of the current ones; education,
time on support, referrer (also per insats), target group and the other variables registered at
entry (time without work, referring unit, born abroad, impairment, violence questions asked) of the
new ones."""

from django.db.models import CharField, Count, Case, Value, When

from finsam import codes
from finsam.participants import variables
from finsam.participants.models import TargetGroupRecord

from .common import (
    AGE_GROUPS, GENDER_BUCKET, GENDER_KEYS, coded, gender_aggregates, gender_q, gender_table, grouped_by,
)
from .registry import (
    ADDITIVE, CURRENT, HIDDEN_SHADOWS, UNPUBLISHED, Atoms, TableSpec, UnpublishedSpec, bar, over_scope, register,
)


def identified_part_of_flow(table_id, measure):
    """Relations of a table counting flow's identified participations of ``measure``: its total
    plus flow's anonymous ones is flow's total, per gender."""
    def relations(ctx, table, rel):
        for g in GENDER_KEYS:
            rel.add([(table_id, "totalt", g), ("flow", "varav_anonyma", f"{measure}_{g}")],
                    ("flow", "totalt", f"{measure}_{g}"))
    return relations


def age_table(ctx):
    bucket = Case(
        When(age_at_start__isnull=True, then=Value("uppgift_saknas")),
        *[When(age_at_start__gte=low, age_at_start__lte=high, then=Value(key)) for key, low, high in AGE_GROUPS],
        default=Value("utanfor_16_64"), output_field=CharField(),
    )
    grouped = grouped_by(ctx.personal.filter(ctx.period.current), bucket, gender_aggregates())
    rows = [(k, f"{k} år") for k, _, _ in AGE_GROUPS] + [("utanfor_16_64", "Utanför 16–64 år"), ("uppgift_saknas", "Uppgift saknas")]
    table = gender_table(AGE, rows, grouped, denominator="current", share_of_total=True, total_row=True)
    return table


AGE = register(TableSpec(
    id="age", title="Ålder vid inskrivning", family="background", order=30, population="current",
    identified_only=True, build=age_table, reads=("participants.Participation",), chart=bar("totalt"),
    relations=identified_part_of_flow("age", "current"), decompose=over_scope(CURRENT), chain=HIDDEN_SHADOWS,
    in_sections=True, in_previous=True,
))


def code_table(ctx, spec, field, code_list):
    """A table of the new participations by a coded field, per gender, with shares of the total."""
    grouped = grouped_by(ctx.personal.filter(ctx.period.new), coded(field), gender_aggregates())
    table = gender_table(spec, code_list.choices, grouped, denominator="new", share_of_total=True, total_row=True)
    return table


def education_table(ctx):
    return code_table(ctx, EDUCATION, "education", codes.EDUCATION)


def time_on_support_table(ctx):
    return code_table(ctx, TIME_ON_SUPPORT, "time_on_support", codes.TIME_BAND)


EDUCATION = register(TableSpec(
    id="education", title="Utbildningsnivå vid inskrivning", family="background", order=40, population="new",
    identified_only=True, build=education_table,
    reads=("participants.Participation",), chart=bar("totalt"),
    relations=identified_part_of_flow("education", "new"), decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))

TIME_ON_SUPPORT = register(TableSpec(
    id="time_on_support", title="Tid i offentlig försörjning vid inskrivning", family="background", order=50,
    population="new", identified_only=True,
    build=time_on_support_table,
    reads=("participants.Participation",), chart=bar("totalt"),
    relations=identified_part_of_flow("time_on_support", "new"), decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))


def referrer_rows(ctx, codes_found):
    """The referrer rows: national parties and members (a member named as the förbund names it,
    "Region Exempel", issue 10), then any other code found, e.g. a former member."""
    national = [(code, ctx.member_names.get(code, label)) for code, label in codes.REFERRER.choices[:3]]
    municipalities = sorted((k, v) for k, v in ctx.member_names.items() if k.startswith("kommun:"))
    rows = national + municipalities + codes.REFERRER.choices[3:]
    return rows + sorted((k, k) for k in codes_found if k not in dict(rows))


def referrer_table(ctx):
    queryset = ctx.personal.filter(ctx.period.new)
    counts = {k: v["count"] for k, v in grouped_by(queryset, coded("referrer"), {"count": Count("id")}).items()}
    rows = referrer_rows(ctx, counts)
    table = REFERRER.table(rows + [("totalt", "Totalt")], [("count", "Antal")], denominator="new")
    total = sum(counts.values())
    for key, _ in rows:
        table.cells[key] = {"count": counts.get(key, 0)}
        table.set_share(key, "count", counts.get(key, 0), total, of=(key, "count"), per=("totalt", "count"))
    table.cells["totalt"] = {"count": total}
    table.sums.append(([(k, "count") for k, _ in rows], ("totalt", "count")))
    return table


def referrer_relations(ctx, table, rel):
    rel.add([("referrer", "totalt", "count"), ("flow", "varav_anonyma", "new_totalt")], ("flow", "totalt", "new_totalt"))


REFERRER = register(TableSpec(
    id="referrer", title="Anmälande part", family="background", order=60, population="new", identified_only=True,
    build=referrer_table, reads=("participants.Participation", "tenancy.Member"), chart=bar("count"),
    relations=referrer_relations, decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))


def referrer_intervention_table(ctx):
    """New identified participations by referrer (rows as in ``referrer``) and insats (columns)."""
    new = ctx.personal.filter(ctx.period.new)
    per = {}
    for row in (new.annotate(_ref=coded("referrer")).values("_ref", ctx.group_field).annotate(n=Count("id"))
                .order_by()):
        per.setdefault(row["_ref"], {})[ctx.group_slugs.get(row[ctx.group_field])] = row["n"]
    rows = referrer_rows(ctx, per)
    slugs = [slug for slug, _ in ctx.groups]
    # No total row: an insats's identified new participations would, next to flow's new ones, give
    # away its anonymous new ones, and a published report would hide flow's counts to protect them.
    # No total column either: it would repeat the referrer table's counts, and when a cell of a row
    # is hidden, masking hides a visible count of its computation, preferring any cell to a total,
    # so it hid the referrer table's counts (every one of them in the example's published 2024
    # report) instead of a second small cell of this table.
    table = REFERRER_INTERVENTION.table(rows, list(ctx.groups), denominator="new")
    for key, _ in rows:
        table.cells[key] = {slug: per.get(key, {}).get(slug, 0) for slug in slugs}
    table.notes.append("Nya deltagare med personuppgifter per anmälande part och insats; andelar per insats finns i "
                       "avsnitten per insats (tabellen Anmälande part).")
    return table


ANONYMOUS_NEW = f"{UNPUBLISHED}anonymous_new"


def referrer_intervention_relations(ctx, table, rel):
    slugs = [slug for slug, _ in ctx.groups]
    for key, _ in table.rows:  # a row's insatser add up to the referrer table's count
        rel.add([("referrer_intervention", key, slug) for slug in slugs], ("referrer", key, "count"))
    # One insats's anonymous new ones are in no table, but follow from flow's new minus the sum of
    # this table's column: a count to protect like any other.
    for slug in slugs:
        rel.add([*(("referrer_intervention", key, slug) for key, _ in table.rows), (ANONYMOUS_NEW, slug, "totalt")],
                ("flow", slug, "new_totalt"))
    if slugs:
        rel.add([(ANONYMOUS_NEW, slug, "totalt") for slug in slugs], ("flow", "varav_anonyma", "new_totalt"))


def referrer_intervention_atoms(table_id, row, col, scope, start, end):
    """A cell is the referrer table's count of the row, for the column's insats."""
    return Atoms("referrer", row, "count", (col,), start, end, ADDITIVE)


REFERRER_INTERVENTION = register(TableSpec(
    id="referrer_intervention", title="Anmälande part per insats", family="background", order=65, population="new",
    identified_only=True, build=referrer_intervention_table,
    reads=("participants.Participation", "tenancy.Member", "interventions.Intervention"),
    relations=referrer_intervention_relations, decompose=referrer_intervention_atoms,
    per_insats="columns", in_previous=True,
))

# The anonymous new participations of one insats (row: insats) are flow's anonymous new ones of it.
register(UnpublishedSpec(ANONYMOUS_NEW, decompose=lambda table_id, row, col, scope, start, end: Atoms(
    "flow", "varav_anonyma", "new_totalt", (row,), start, end, ADDITIVE)))


def target_group_table(ctx):
    new = ctx.personal.filter(ctx.period.new)
    records = TargetGroupRecord.objects.filter(participation__in=new)
    grouped = {r.pop("code"): r for r in records.values("code").annotate(
        **{g: Count("id", filter=gender_q(g, "participation__")) for g in GENDER_KEYS}).order_by()}
    table = gender_table(TARGET_GROUP, ctx.target_groups(), grouped, denominator="new")
    table.notes.append("En deltagare kan tillhöra flera målgrupper; kolumnerna summeras därför inte till antalet nya.")
    return table


TARGET_GROUP = register(TableSpec(
    id="target_group", title="Målgrupp", family="background", order=70, population="new", identified_only=True,
    build=target_group_table,
    reads=("participants.Participation", "participants.TargetGroupRecord", "interventions.TargetGroup"),
    decompose=over_scope(ADDITIVE),
    in_sections=True, in_previous=True,
))


def municipality_table(ctx):
    current = ctx.personal.filter(ctx.period.current)
    counts = {k: v["count"] for k, v in grouped_by(current, coded("municipality"), {"count": Count("id")}).items()}
    names = {m.municipality_code: m.display_name for m in ctx.members}
    keys = sorted(k for k in counts if k != "uppgift_saknas") + ["uppgift_saknas"]
    rows = [(k, names.get(k, k) if k != "uppgift_saknas" else "Uppgift saknas") for k in keys]
    table = MUNICIPALITY.table(rows + [("totalt", "Totalt")], [("count", "Antal")], denominator="current")
    total = sum(counts.values())
    for key in keys:
        table.cells[key] = {"count": counts.get(key, 0)}
        table.set_share(key, "count", counts.get(key, 0), total, of=(key, "count"), per=("totalt", "count"))
    table.cells["totalt"] = {"count": total}
    table.sums.append(([(k, "count") for k in keys], ("totalt", "count")))
    return table


def municipality_relations(ctx, table, rel):
    rel.add([("municipality", "totalt", "count")], ("age", "totalt", "totalt"))


MUNICIPALITY = register(TableSpec(
    id="municipality", title="Folkbokföringskommun", family="background", order=130, population="current",
    identified_only=True, build=municipality_table, reads=("participants.Participation", "tenancy.Member"),
    relations=municipality_relations, decompose=over_scope(CURRENT), chain=HIDDEN_SHADOWS,
    in_sections=True, in_previous=True,
))


# --- variables registered at entry that no other table shows -----------------------------------------

ENTRY_FIELDS = []  # the fields of the tables below (_entry_variable adds each), counted by entry_counts


def entry_counts(ctx):
    """The new identified participations counted by every entry variable and gender in one grouped
    query, shared by the five tables below (five queries were 7 ms of a 75 ms report page)."""
    counts = getattr(ctx, "_entry_counts", None)
    if counts is None:
        rows = (ctx.personal.filter(ctx.period.new).values(*ENTRY_FIELDS, _g=GENDER_BUCKET).annotate(n=Count("id"))
                .order_by())
        counts = {field: {} for field in ENTRY_FIELDS}
        for row in rows:
            for field in ENTRY_FIELDS:
                grouped = counts[field].setdefault(row[field] or "uppgift_saknas", {g: 0 for g in GENDER_KEYS})
                grouped[row["_g"]] += row["n"]
                grouped["totalt"] += row["n"]
        ctx._entry_counts = counts
    return counts


def _entry_variable(table_id, title, order, field, shares=True, note=None):
    """A table of the new participations by an entry variable, per gender (with shares of the total
    unless ``shares`` is false), its rows the variable's code list (participants/variables.py); an
    empty value is ``uppgift_saknas``, a row every such table has."""
    code_list = variables.field_code_lists()[field]
    ENTRY_FIELDS.append(field)

    def build(ctx):
        rows = list(code_list.choices)
        if "uppgift_saknas" not in dict(rows):
            rows.append(("uppgift_saknas", "Uppgift saknas"))
        table = gender_table(spec, rows, entry_counts(ctx)[field], denominator="new", share_of_total=shares,
                             total_row=True)
        if note:
            table.notes.append(note)
        return table

    spec = register(TableSpec(
        id=table_id, title=title, family="background", order=order, population="new", identified_only=True,
        build=build, reads=("participants.Participation",), chart=bar("totalt") if shares else None,
        relations=identified_part_of_flow(table_id, "new"), decompose=over_scope(ADDITIVE),
        in_sections=True, in_previous=True,
    ))
    return spec


TIME_WITHOUT_WORK = _entry_variable("time_without_work", "Tid utan arbete vid inskrivning", 71, "time_without_work")
REFERRING_UNIT = _entry_variable("referring_unit", "Anmälande enhet", 72, "referring_unit")
BORN_ABROAD = _entry_variable("born_abroad", "Född utomlands", 73, "born_abroad")
IMPAIRMENT = _entry_variable("impairment", "Funktionsnedsättning som påverkar arbets- eller studieförmågan", 74,
                             "impairment")
# Whether the questions were asked, never the answers; counts only (issue 11).
VIOLENCE_QUESTIONS = _entry_variable("violence_questions", "Frågor om våld", 75, "violence_questions", shares=False,
                                     note="Tabellen visar bara om frågorna ställdes, aldrig svaren.")
