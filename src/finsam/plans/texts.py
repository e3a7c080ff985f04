"""The Swedish texts of an indicator's row (JSON ``texts[row]``): target, result and previous with
their basis, grade or status label, note. Rendered once here, by the engine's table builder."""

from decimal import ROUND_HALF_UP, Decimal

from finsam.statistics import grading

NBSP = "\u00a0"


def number(value, places=None):
    """Swedish number: thousands with a space, decimal comma, half-up; whole numbers without
    decimals unless ``places`` is given."""
    if value is None:
        return "–"
    if places is None:
        places = 0 if float(value).is_integer() else 2
    quantized = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, decimals = f"{quantized:f}".partition(".")
    sign = "−" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = sign + NBSP.join(groups or ["0"])
    return f"{text},{decimals}" if decimals else text


def percent(share):
    if share is None:
        return None
    value = share * 100
    whole = float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).is_integer()
    return f"{number(value, 0 if whole else 1)}{NBSP}%"


def figure(value, unit):
    if value is None:
        return "–"
    if unit == "share":
        return percent(value)
    if unit == "points":
        return f"{number(value * 100, 1)} procentenheter"
    if unit == "mean":
        return number(value, 1)
    if unit == "amount":
        return f"{number(value, 0)}{NBSP}kr"
    return number(value)


def with_basis(metric_value, unit, ref=None):
    """"30,2 % (26 av 86)", "6,4 procentenheter (kvinnor 22,5 %, män 16,1 %)", "27", a value per
    day with two decimals: "66,97 (24 510 på 366 dagar)"."""
    if metric_value is None or metric_value.value is None:
        return None
    if (ref or {}).get("per_day") and metric_value.denominator:
        return (f"{number(metric_value.value, 2)} ({number(metric_value.numerator)} på "
                f"{number(metric_value.denominator)} dagar)")
    text = figure(metric_value.value, unit)
    if unit == "points" and "women" in metric_value.detail:
        women, men = metric_value.detail["women"], metric_value.detail["men"]
        return f"{text} (kvinnor {figure(women.value, women.unit)}, män {figure(men.value, men.unit)})"
    if metric_value.numerator is not None and metric_value.denominator is not None:
        return f"{text} ({number(metric_value.numerator)} av {number(metric_value.denominator)})"
    return text


def target_text(target, unit):
    kind = target.get("type")
    share = unit in ("share", "points")

    def shown(value):
        return percent(value) if share else number(value)

    if kind == "at_least":
        return f"Minst {shown(target['value'])}"
    if kind == "at_most":
        return f"Högst {shown(target['value'])}"
    if kind == "between":
        if share:
            return f"{percent(target['from'])[:-2]}–{percent(target['to'])}"
        return f"{number(target['from'])}–{number(target['to'])}"
    if kind == "higher_than_previous":
        return "Fler än föregående år" if unit == "count" else "Högre än föregående år"
    if kind == "lower_than_previous":
        return "Färre än föregående år" if unit == "count" else "Lägre än föregående år"
    return "Inget mål (bedöms manuellt)"


def label(code):
    return grading.LABELS.get(code) if code else None
