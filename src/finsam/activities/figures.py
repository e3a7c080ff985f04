"""What the activity and measure tables count, written once: the report tables (report_tables.py)
and the metric sources of plan goals (metric_sources.py) both call these functions, so a goal's
result is the table's figure (shared/spec/activities-and-goals.md, part A, "Tables").

An activity counts in a period when its ``datum`` lies in it and it is held (genomförd); its
``count`` is its occasions (``antal``), its attendances are counted per occasion, and without a
gender split its total counts as annat_ej_angivet.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from . import codes
from .models import Activity, MeasureValue

GENDERS = ("kvinna", "man", "annat_ej_angivet", "totalt")
MIN_ANSWERS = 5  # shares and the mean of evaluations below this many answers are null


def activities(start, end, interventions=None, *, kinds=None, series=None, held_only=True, association=None):
    """The activities dated in [start, end] (held ones only unless ``held_only`` is False), of the
    insatser ``interventions`` (slugs, Intervention objects or ids; empty: every activity of the förbund,
    its own included), of ``kinds`` and ``series`` when given; in the active scope."""
    queryset = Activity.objects.filter(date__gte=start, date__lte=end).select_related("intervention")
    if association is not None:
        queryset = queryset.filter(association=association)
    if held_only:
        queryset = queryset.filter(status=codes.HELD)
    if interventions:
        slugs = [getattr(i, "slug", i) for i in interventions]
        queryset = queryset.filter(intervention__slug__in=slugs)
    if kinds:
        queryset = queryset.filter(kind__in=list(kinds))
    if series:
        queryset = queryset.filter(series__in=list(series))
    return list(queryset.order_by("date", "title", "pk"))


def held(acts):
    """Those of ``acts`` that count as held (what ``activities`` keeps unless ``held_only`` is False)."""
    return [a for a in acts if a.status == codes.HELD]


def count(acts):
    return sum(a.occasions for a in acts)


def attendees(acts, gender="totalt"):
    return sum(a.gender_counts[gender] for a in acts)


def formats(acts):
    return {f: sum(a.occasions for a in acts if a.format == f) for f in codes.FORMAT.codes}


@dataclass
class Evaluation:
    """The evaluations of some activities: the occasions evaluated (those with answers) and their
    attendances, the answers, recommend yes/no and the ratings 1-5."""

    evaluated: int = 0
    attendees: int = 0
    answers: int = 0
    yes: int = 0
    no: int = 0
    ratings: list = field(default_factory=lambda: [0] * 5)

    @property
    def rated(self):
        return sum(self.ratings)

    def _enough(self):
        return self.answers >= MIN_ANSWERS

    @property
    def recommend(self):
        """ja / (ja + nej); None below five answers or without any ja or nej."""
        return self.yes / (self.yes + self.no) if self._enough() and self.yes + self.no else None

    @property
    def rating_positive(self):
        """(4 + 5) / every rating."""
        return (self.ratings[3] + self.ratings[4]) / self.rated if self._enough() and self.rated else None

    @property
    def mean_rating(self):
        """The mean rating, unrounded (tables round it to one decimal)."""
        if not self._enough() or not self.rated:
            return None
        return sum((i + 1) * n for i, n in enumerate(self.ratings)) / self.rated

    @property
    def response_rate(self):
        return self.answers / self.attendees if self._enough() and self.attendees else None


def evaluation(acts):
    result = Evaluation()
    for a in acts:
        if a.answers is None:
            continue
        result.evaluated += a.occasions
        result.attendees += a.attendees or 0
        result.answers += a.answers
        result.yes += a.recommend_yes or 0
        result.no += a.recommend_no or 0
        result.ratings = [r + n for r, n in zip(result.ratings, a.ratings)]
    return result


def individual_kinds(association):
    return individual(codes.kinds(association))


def individual(kinds):
    """The codes of the individual kinds (SIP meetings) among ``kinds`` ({code: codes.Kind})."""
    return {code for code, kind in kinds.items() if kind.individual}


# --- measures ----------------------------------------------------------------------------------------

def measure_value(measure, start, end, interventions=None, association=None):
    """The value of ``measure`` (a codes.Measure) for [start, end] by its aggregation, or None:
    summa, the sum of the values whose [från, till] lies inside; senaste, the latest level dated
    inside; helperiod, the value for exactly that period. Without insatser the förbund's own values
    (no insats); with them, theirs (summed over the insatser)."""
    queryset = MeasureValue.objects.filter(measure=measure.code)
    if association is not None:
        queryset = queryset.filter(association=association)
    if interventions:
        slugs = [getattr(i, "slug", i) for i in interventions]
        queryset = queryset.filter(intervention__slug__in=slugs)
    else:
        queryset = queryset.filter(intervention__isnull=True)
    if measure.aggregation == codes.SUMMA:
        values = [v.value for v in queryset.filter(start__gte=start, end__lte=end)]
        return as_number(sum(values)) if values else None
    if measure.aggregation == codes.SENASTE:
        latest = {}
        for v in queryset.filter(end__gte=start, end__lte=end).order_by("end"):
            latest[v.intervention_id] = v.value  # the latest of each insats
        return as_number(sum(latest.values())) if latest else None
    values = [v.value for v in queryset.filter(start=start, end=end)]
    return as_number(sum(values)) if values else None


def as_number(value):
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def days(start, end):
    return (end - start).days + 1
