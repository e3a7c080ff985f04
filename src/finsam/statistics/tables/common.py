"""What the table builders share: gender columns and buckets, code lists, grouped counts."""

from django.db.models import Case, CharField, Count, F, Q, Value, When

from finsam import codes

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


def summed(counts, keep=lambda key: True):
    """Column-wise sum of the flow counts whose (group, anonymous) key is kept."""
    total = {f"{m}_{g}": 0 for m, _ in MEASURES for g in GENDER_KEYS}
    for key, values in counts.items():
        if keep(key):
            for column, n in values.items():
                total[column] += n
    return total


def gender_table(spec, rows, grouped, denominator="", share_of_total=False, total_row=False):
    """A table of ``spec`` with gender columns from ``grouped`` (row key -> {gender: count}); with
    ``total_row``, a last row "Totalt" summing the others."""
    table = spec.table(rows, GENDER_COLUMNS, denominator=denominator)
    keys = [k for k, _ in rows]
    for key in keys:
        table.cells[key] = {g: grouped.get(key, {}).get(g, 0) for g in GENDER_KEYS}
        table.sums.append(([(key, g) for g in GENDERS], (key, "totalt")))
    body = [k for k in keys if k != "totalt"]
    if total_row:
        table.rows.append(("totalt", "Totalt"))
        table.cells["totalt"] = {g: sum(table.cells[k][g] for k in body) for g in GENDER_KEYS}
        for g in GENDER_KEYS:
            table.sums.append(([(k, g) for k in body], ("totalt", g)))
    if share_of_total:  # of the total row, which such a table always shows
        assert total_row, spec.id
        for key in body:
            for g in GENDER_KEYS:
                table.set_share(key, g, table.cells[key][g], table.cells["totalt"][g], of=(key, g), per=("totalt", g))
    return table


def grouped_by(queryset, key_expression, aggregates):
    rows = queryset.annotate(_key=key_expression).values("_key").annotate(**aggregates).order_by()
    return {row.pop("_key"): row for row in rows}


def coded(field, missing="uppgift_saknas"):
    return Case(When(**{field: ""}, then=Value(missing)), default=F(field), output_field=CharField())


GENDER_BUCKET = Case(When(gender="kvinna", then=Value("kvinna")), When(gender="man", then=Value("man")),
                     default=Value("annat_ej_angivet"), output_field=CharField())

