"""Background of identified participants: age and municipality of the current ones; education,
time on support, referrer and target group of the new ones."""

from django.db.models import CharField, Count, Case, Value, When

from finsam import codes
from finsam.participants.models import TargetGroupRecord

from .common import AGE_GROUPS, GENDER_KEYS, coded, gender_aggregates, gender_q, gender_table, grouped_by
from .registry import ADDITIVE, CURRENT, HIDDEN_SHADOWS, TableSpec, bar, over_scope, register


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
    table.rows.append(("totalt", "Totalt"))
    return table


AGE = register(TableSpec(
    id="age", title="Ålder vid inskrivning", family="background", order=30, population="current",
    identified_only=True, build=age_table, reads=("participants.Participation",), chart=bar("totalt"),
    relations=identified_part_of_flow("age", "current"), decompose=over_scope(CURRENT), chain=HIDDEN_SHADOWS,
))


def code_table(ctx, spec, field, code_list):
    """A table of the new participations by a coded field, per gender, with shares of the total."""
    grouped = grouped_by(ctx.personal.filter(ctx.period.new), coded(field), gender_aggregates())
    table = gender_table(spec, code_list.choices, grouped, denominator="new", share_of_total=True, total_row=True)
    table.rows.append(("totalt", "Totalt"))
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
))

TIME_ON_SUPPORT = register(TableSpec(
    id="time_on_support", title="Tid i offentlig försörjning vid inskrivning", family="background", order=50,
    population="new", identified_only=True,
    build=time_on_support_table,
    reads=("participants.Participation",), chart=bar("totalt"),
    relations=identified_part_of_flow("time_on_support", "new"), decompose=over_scope(ADDITIVE),
))


def referrer_table(ctx):
    queryset = ctx.personal.filter(ctx.period.new)
    counts = {k: v["count"] for k, v in grouped_by(queryset, coded("referrer"), {"count": Count("id")}).items()}
    # A member is named as the förbund names it ("Region Exempel", "Exempelstads kommun"), issue 10.
    national = [(code, ctx.member_names.get(code, label)) for code, label in codes.REFERRER.choices[:3]]
    municipalities = sorted((k, v) for k, v in ctx.member_names.items() if k.startswith("kommun:"))
    rows = national + municipalities + codes.REFERRER.choices[3:]
    rows += sorted((k, k) for k in counts if k not in dict(rows))  # e.g. a former member
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
))


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
))
