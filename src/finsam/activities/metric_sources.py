"""The metric sources ``activities`` and ``measures`` of plan goals (statistics/metrics.py;
shared/spec/activities-and-goals.md, "Metric reference"). They compute with figures.py, the
functions the activity and measure tables use (one path).

``{"source": "activities", "key": K, "kinds": [...], "series": [...], "gender": G}``: ``count``
(occasions) and ``attendees`` (attendances; ``gender`` one of kvinna, man, annat_ej_angivet) are
flows; ``share_recommend``, ``share_rating_positive`` (shares) and ``mean_rating`` (a mean) are
rates, null below five answers.
``{"source": "measures", "key": <measure code>, "per_day": true}``: a summa measure is a flow (with
``per_day``, ÷ the days of the span: a rate), a senaste measure a level, a helperiod measure whole.
"""

from finsam.statistics.metrics import MetricSource, MetricValue

from . import codes, figures, report_tables

ACTIVITY_KEYS = ("count", "attendees", "share_recommend", "share_rating_positive", "mean_rating")
ACTIVITY_PARAMETERS = {"source", "key", "kinds", "series", "gender"}
GENDER_KEYS = ("kvinna", "man", "annat_ej_angivet")


def _list_of_codes(ref, name, errors, allowed=None):
    value = ref.get(name)
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        errors.append(f"\"{name}\" ska vara en lista med koder.")
        return
    if allowed is not None:
        unknown = [v for v in value if v not in allowed]
        if unknown:
            errors.append(f"okänd kod i \"{name}\": {', '.join(unknown)} (tillåtna: {', '.join(allowed)}).")


def validate_activities(ref, association):
    errors = []
    extra = sorted(set(ref) - ACTIVITY_PARAMETERS)
    if extra:
        errors.append(f"okänd parameter {', '.join(extra)} för källan aktiviteter "
                      f"(tillåtna: kinds, series, gender).")
    _list_of_codes(ref, "kinds", errors, list(codes.kinds(association)))
    _list_of_codes(ref, "series", errors)
    gender = ref.get("gender")
    if gender is not None:
        if ref.get("key") != "attendees":
            errors.append("\"gender\" gäller bara nyckeln attendees.")
        elif gender not in GENDER_KEYS:
            errors.append(f"okänt kön {gender!r} (tillåtna: {', '.join(GENDER_KEYS)}).")
    return errors


def accrual_of_activities(ref):
    return "flow" if ref.get("key") in ("count", "attendees") else "rate"


def unit_of_activities(ref):
    key = ref.get("key")
    return "count" if key in ("count", "attendees") else "mean" if key == "mean_rating" else "share"


def resolve_activities(ref, query):
    """SIP meetings (an individual kind) count persons: their counts are masked like participant
    counts. A count or attendees goal over individual kinds is tied to them for differencing
    (report_tables.relate_goal): its numerator is the count, ``known`` its part of other kinds.
    Filtered by series, or an evaluation key, it is not tied: hidden in publication when it counts
    SIP meetings (report_tables.py, "plan goals on activities")."""
    acts = figures.activities(query.start, query.end, query.interventions, kinds=ref.get("kinds"),
                              series=ref.get("series"), association=query.association)
    key = ref.get("key")
    accrual, unit = accrual_of_activities(ref), unit_of_activities(ref)
    individual = figures.individual_kinds(query.association)
    personal = any(a.kind in individual for a in acts)
    if key in ("count", "attendees"):
        gender = ref.get("gender") or "totalt"

        def counted(some):
            return figures.count(some) if key == "count" else figures.attendees(some, gender)

        value = counted(acts)
        tied = bool(report_tables.goal_individual_part(ref, individual))
        return MetricValue(value, unit, accrual, numerator=value, counts=(value,) if personal else (),
                           known=counted([a for a in acts if a.kind not in individual]) if tied else None,
                           hidden_in_publication=personal and not tied)
    evaluation = figures.evaluation(acts)
    # the evaluations' counts are persons' when an evaluated activity is a SIP meeting
    personal = any(a.kind in individual and a.answers is not None for a in acts)
    if key == "share_recommend":
        return MetricValue(evaluation.recommend, unit, accrual, numerator=evaluation.yes,
                           denominator=evaluation.yes + evaluation.no,
                           counts=(evaluation.yes, evaluation.yes + evaluation.no) if personal else (),
                           hidden_in_publication=personal)
    if key == "share_rating_positive":
        positive = evaluation.ratings[3] + evaluation.ratings[4]
        return MetricValue(evaluation.rating_positive, unit, accrual, numerator=positive,
                           denominator=evaluation.rated,
                           counts=(positive, evaluation.rated) if personal else (), hidden_in_publication=personal)
    return MetricValue(evaluation.mean_rating, unit, accrual, denominator=evaluation.rated,
                       counts=(evaluation.rated,) if personal else (), detail={"answers": evaluation.answers},
                       hidden_in_publication=personal)


ACTIVITIES = MetricSource(
    name="activities", label="Aktiviteter", keys=ACTIVITY_KEYS, validate=validate_activities,
    resolve=resolve_activities, accrual=accrual_of_activities, unit=unit_of_activities,
    relate=report_tables.relate_goal)


# --- measures -----------------------------------------------------------------------------------------

def _measure(ref, association):
    return codes.measures(association).get(ref.get("key"))


def validate_measures(ref, association):
    errors = []
    extra = sorted(set(ref) - {"source", "key", "per_day"})
    if extra:
        errors.append(f"okänd parameter {', '.join(extra)} för källan mått (tillåten: per_day).")
    measure = _measure(ref, association)
    if measure is None:
        known = ", ".join(codes.measures(association))
        errors.append(f"okänt mått {ref.get('key')!r} (tillåtna: {known}).")
    per_day = ref.get("per_day")
    if per_day is not None:
        if not isinstance(per_day, bool):
            errors.append("\"per_day\" ska vara true eller false.")
        elif per_day and measure is not None and measure.aggregation != codes.SUMMA:
            errors.append("\"per_day\" gäller bara ett mått som summeras över perioden (summa).")
    return errors


def _aggregation(ref):
    # Accrual without the förbund: a built-in measure's, else (an own measure) looked up when resolved.
    builtin = {code: aggregation for code, _, aggregation in codes.BUILTIN_MEASURES}
    return builtin.get(ref.get("key"))


def _accrual(aggregation, ref):
    if aggregation == codes.SUMMA:
        return "rate" if ref.get("per_day") else "flow"
    return "level" if aggregation == codes.SENASTE else "whole"


def accrual_of_measures(ref):
    return _accrual(_aggregation(ref), ref)


def unit_of_measures(ref):
    return "mean" if ref.get("per_day") else "count"


def resolve_measures(ref, query):
    measure = _measure(ref, query.association)
    if measure is None:
        return MetricValue.none(accrual=accrual_of_measures(ref))
    accrual = _accrual(measure.aggregation, ref)
    value = figures.measure_value(measure, query.start, query.end, query.interventions, query.association)
    if value is not None and ref.get("per_day") and measure.aggregation == codes.SUMMA:
        total, span = value, figures.days(query.start, query.end)
        return MetricValue(total / span, "mean", accrual, numerator=total, denominator=span)
    return MetricValue(value, "count", accrual)


MEASURES = MetricSource(
    name="measures", label="Mått", keys=(), validate=validate_measures, resolve=resolve_measures,
    accrual=accrual_of_measures, unit=unit_of_measures)
