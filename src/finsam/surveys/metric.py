"""The metric source ``surveys`` (statistics/metrics.py): a plan indicator's figure from survey
answers, computed by ``results.figure``, the path of the survey goals and tables.

Reference: ``{"source": "surveys", "key": K, "question": Q | "indicator": I, "respondent_group": G}``
with K one of ``share_positive``, ``share_top``, ``share_negative`` (shares of n of the row
``<G>/<Q or I>``, or ``totalt/...``/the only group's row without G) or ``response_rate`` (responses /
population of the rounds, G's only when given). Unit share, accrual rate; the scope is the
indicator's insatser (the query's), or the whole förbund.
"""

from fractions import Fraction

from finsam.statistics import metrics

from .models import Indicator, Question
from .results import figure, select_rounds
from .services import group_codes, population

KEYS = ("share_positive", "share_top", "share_negative", "response_rate")
PARTS = {"share_positive": "positive", "share_top": "top", "share_negative": "negative"}


def validate(ref, association):
    errors = []
    question, indicator, group = ref.get("question"), ref.get("indicator"), ref.get("respondent_group")
    unknown = set(ref) - {"source", "key", "question", "indicator", "respondent_group", "interventions"}
    if unknown:
        errors.append(f"Okända fält för enkätmåttet: {', '.join(sorted(unknown))}.")
    if ref.get("key") in PARTS and (question is None) == (indicator is None):
        errors.append("Ett enkätmått anger antingen \"question\" (en fråga) eller \"indicator\" (en indikator).")
    if association is not None:
        if question is not None and not Question.objects.filter(association=association, key=question).exists():
            errors.append(f"Frågan \"{question}\" finns inte i förbundets frågeuppsättningar.")
        if indicator is not None and not Indicator.objects.filter(association=association, code=indicator).exists():
            errors.append(f"Indikatorn \"{indicator}\" finns inte i förbundets frågeuppsättningar.")
        if group is not None and group not in group_codes(association):
            errors.append(f"\"{group}\" är ingen respondentgrupp.")
    return errors


def _interventions(query):
    if not query.interventions:
        return None
    return list(query.association.interventions.filter(slug__in=query.interventions))


def resolve(ref, query):
    key = ref.get("key")
    group = ref.get("respondent_group")
    interventions = _interventions(query)
    if key == "response_rate":
        rounds = list(select_rounds(query.association, query.start, query.end, interventions,
                                    [group] if group else None))
        populations = [population(r) for r in rounds]
        responses = sum(r.responses.count() for r in rounds)
        total = sum(populations) if populations and None not in populations else None
        if not total:
            return metrics.MetricValue.none("share", "rate")
        return metrics.MetricValue(float(Fraction(responses, total)), "share", "rate", numerator=responses,
                                   denominator=total)
    row, _ = figure(query.association, query.start, query.end, interventions, group,
                    ref.get("question") or ref.get("indicator"))
    if row is None or not row.n and not row.masked:
        return metrics.MetricValue.none("share", "rate")
    if row.masked:
        return metrics.MetricValue.none("share", "rate", masked=True, detail={"reason": row.masked})
    part = getattr(row, PARTS[key])
    return metrics.MetricValue(float(Fraction(part, row.n)), "share", "rate", numerator=part, denominator=row.n)


SOURCE = metrics.MetricSource(name="surveys", label="Enkäter", keys=KEYS, validate=validate, resolve=resolve,
                              accrual=lambda ref: "rate", unit=lambda ref: "share")
