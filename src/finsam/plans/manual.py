"""The metric source ``manual``: a figure the system cannot compute, entered with its source text.
The indicator's ``results`` travel in the reference (``evaluate.reference``): a result applies only
when its ``to`` is the end of the reported span, min(report end, period end)."""

from finsam.statistics import metrics

KEYS = ()  # no key: the figure is the result entered


def validate(ref, association=None):
    errors = []
    for extra in sorted(set(ref) - {"source", "key", "unit", "results"}):
        errors.append(f"Okänd parameter {extra!r} för manuellt mått.")
    if ref.get("key") is not None and not isinstance(ref.get("key"), str):
        errors.append("\"key\" ska vara text för manuellt mått.")
    if ref.get("unit") not in (None, "count", "share", "points", "mean", "amount"):
        errors.append("\"unit\" ska vara count, share, points, mean eller amount.")
    return errors


def accrual(ref):
    # A manual figure is entered for the span it covers: compared with the full target (like a
    # rate); target none takes the grade entered with it (whole).
    return "rate"


def unit(ref):
    return ref.get("unit") or "count"


def result_for(results, end):
    for result in results or ():
        if result.get("to") == end.isoformat():
            return result
    return None


def resolve(ref, query):
    result = result_for(ref.get("results"), query.end)
    kind = unit(ref)
    if result is None:
        return metrics.MetricValue.none(kind, "rate")
    numerator, denominator = result.get("numerator"), result.get("denominator")
    if numerator is not None and denominator is not None:
        value = numerator / denominator if denominator else None
        kind = ref.get("unit") or "share"
    else:
        value = result.get("value")
        if ref.get("unit") is None and value is not None and 0 <= value <= 1 and not float(value).is_integer():
            kind = "share"
    return metrics.MetricValue(value, kind, "rate", numerator=numerator, denominator=denominator,
                               detail={"text": result.get("text", ""), "grade": result.get("grade"), "manual": True})


MANUAL = metrics.MetricSource(name="manual", label="Manuellt", keys=KEYS, validate=validate, resolve=resolve,
                              accrual=accrual, unit=unit)
