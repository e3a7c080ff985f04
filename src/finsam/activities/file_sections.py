"""The förbundsfil's keys ``measures`` (``[{"code", "label", "aggregation"}]``) and
``activity_kinds`` (``[{"code", "label", "individual"}]``): a förbund's own measures and kinds
(shared/spec/activities-and-goals.md, "Förbundsfil extension"). Upserted by code, idempotently;
what the file leaves out is untouched. A built-in code cannot be redefined."""

from finsam.interventions.association_file import Section

from . import codes
from .models import ActivityKind, MeasureDefinition

BUILTIN_KIND_CODES = {code for code, _, _ in codes.BUILTIN_KINDS}
BUILTIN_MEASURE_CODES = {code for code, _, _ in codes.BUILTIN_MEASURES}


def _entries(checker, value, key, fields, parse_entry):
    if not isinstance(value, list):
        checker.error(key, "ska vara en lista ([…]).")
        return []
    cleaned, seen = [], set()
    for index, item in enumerate(value):
        where = f"{key}[{index + 1}]"
        if not checker.keys(where, item, set(fields), required=("code", "label")):
            continue
        code = checker.slug(f"{where}.code", item.get("code")) if item.get("code") else None
        label = checker.text(f"{where}.label", item.get("label", ""), 200) if item.get("label") else None
        if code in seen:
            checker.error(f"{where}.code", f"\"{code}\" förekommer flera gånger.")
            continue
        entry = parse_entry(checker, where, item, code)
        if code and label and entry is not None:
            seen.add(code)
            cleaned.append({"code": code, "label": label, **entry})
    return cleaned


def parse_measures(checker, value, context):
    def entry(checker, where, item, code):
        if code in BUILTIN_MEASURE_CODES:
            checker.error(f"{where}.code", f"\"{code}\" är ett inbyggt mått och kan inte definieras om.")
            return None
        aggregation = item.get("aggregation")
        if aggregation not in codes.AGGREGATION:
            checker.error(f"{where}.aggregation", f"\"{aggregation}\" är ingen aggregering. Tillåtet: "
                                                  f"{', '.join(codes.AGGREGATION.codes)}.")
            return None
        return {"aggregation": aggregation}
    return _entries(checker, value, "measures", ("code", "label", "aggregation"), entry)


def parse_activity_kinds(checker, value, context):
    def entry(checker, where, item, code):
        if code in BUILTIN_KIND_CODES:
            checker.error(f"{where}.code", f"\"{code}\" är en inbyggd aktivitetstyp och kan inte definieras om.")
            return None
        individual = item.get("individual", False)
        if not isinstance(individual, bool):
            checker.error(f"{where}.individual", "ska vara true eller false.")
            return None
        return {"individual": individual}
    return _entries(checker, value, "activity_kinds", ("code", "label", "individual"), entry)


def _write(model, what):
    def write(association, cleaned, summary, context):
        for entry in cleaned:
            values = {k: v for k, v in entry.items() if k != "code"}
            stored = model.objects.filter(association=association, code=entry["code"]).first()
            if stored is None:
                model.objects.create(association=association, code=entry["code"], **values)
                summary.created.append(f"{what} {entry['code']}")
            elif any(getattr(stored, k) != v for k, v in values.items()):
                changed = [k for k, v in values.items() if getattr(stored, k) != v]
                for k, v in values.items():
                    setattr(stored, k, v)
                stored.save()
                summary.updated.append(f"{what} {entry['code']} ({', '.join(changed)})")
            else:
                summary.unchanged += 1
    return write


def export_measures(association):
    own = association.measure_definitions.order_by("code")
    return [{"code": m.code, "label": m.label, "aggregation": m.aggregation} for m in own] or None


def export_activity_kinds(association):
    own = association.activity_kinds.order_by("code")
    return [{"code": k.code, "label": k.label, "individual": k.individual} for k in own] or None


MEASURES = Section("measures", parse_measures, _write(MeasureDefinition, "mått"), export_measures, order=20)
ACTIVITY_KINDS = Section("activity_kinds", parse_activity_kinds, _write(ActivityKind, "aktivitetstyp"),
                         export_activity_kinds, order=10)
