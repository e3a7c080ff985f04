"""Each indicator of the plan covering a report's end: its result through the metric reference
(statistics/metrics.py, the only path), its previous value, and its grade (the period has ended)
or status against the value expected to date (shared/spec/activities-and-goals.md, part B). The
rules over numbers are statistics/grading.py's; this module only decides spans and inputs."""

import datetime
from dataclasses import dataclass, field
from typing import Optional

from finsam.statistics import grading, metrics
from finsam.statistics.tables.registry import year_earlier

from .models import Indicator, Plan

DAY = datetime.timedelta(days=1)


def plan_covering(association, day):
    """The plan whose years hold ``day`` (plans do not overlap), or None."""
    return Plan.objects.filter(association=association, from_year__lte=day.year, to_year__gte=day.year).first()


def insats_targets(association, metric_key, day):
    """{insats slug: the target (a number) of the insats's goal for the participants metric
    ``metric_key``} in the plan covering ``day``: per insats, the first indicator, in plan order, of
    a goal about the insats that counts that metric (no parameters) for that insats alone with an
    ``at_least`` target. What the work_or_study table shows as an insats's "Mål (andel)"."""
    plan = plan_covering(association, day) if association is not None else None
    if plan is None:
        return {}
    indicators = (Indicator.objects.filter(goal__focus_area__plan=plan, goal__intervention__isnull=False)
                  .select_related("goal__intervention")
                  .order_by("goal__focus_area__order", "goal__focus_area__pk", "goal__order", "goal__pk", "order", "pk"))
    targets = {}
    for indicator in indicators:
        slug = indicator.goal.intervention.slug
        if slug in targets or indicator.metric != {"source": "participants", "key": metric_key} or \
                list(indicator.interventions or []) != [slug]:
            continue
        target = target_for(indicator.target, day.year)
        if target.get("type") == "at_least":
            targets[slug] = float(target["value"])
    return targets


def reference(indicator):
    """The indicator's metric reference as resolved: a manual one carries its results."""
    ref = dict(indicator.metric or {})
    if ref.get("source") == "manual":
        ref["results"] = list(indicator.results or [])
    return ref


def target_for(target, year):
    """The target of ``year``: ``by_year`` replaces ``value`` (or ``from``/``to``) when it names the year."""
    target = dict(target or {"type": "none"})
    by_year = target.pop("by_year", None) or {}
    chosen = by_year.get(str(year))
    if chosen is not None:
        if isinstance(chosen, dict):
            target.update(chosen)
        else:
            target["value"] = chosen
    needed = {"at_least": ("value",), "at_most": ("value",), "between": ("from", "to")}.get(target.get("type"), ())
    if any(target.get(k) is None for k in needed):
        return {"type": "none"}
    return target


def period_of(indicator, day):
    """(start, end) of the indicator's period for a report ending ``day``: the calendar year of
    ``day``, or the span's own dates."""
    period = indicator.period or {"type": "year"}
    if period.get("type") == "span":
        return datetime.date.fromisoformat(period["from"]), datetime.date.fromisoformat(period["to"])
    return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)


@dataclass
class Outcome:
    indicator: Indicator
    ref: dict
    unit: str
    accrual: str
    target: dict
    start: datetime.date
    end: datetime.date
    counted_end: datetime.date  # min(report end, period end)
    complete: bool  # the period has ended by the report's end: a grade, else a status
    value: metrics.MetricValue
    previous: Optional[metrics.MetricValue] = None
    baseline: Optional[dict] = None  # a baselines entry standing in for the previous value
    expected: Optional[dict] = None  # the target's shape with the values expected to date
    opening: Optional[float] = None
    grade: Optional[str] = None
    status: Optional[str] = None
    notes: list = field(default_factory=list)

    @property
    def code(self):
        return self.grade if self.complete else self.status

    @property
    def previous_value(self):
        if self.baseline is not None:
            return self.baseline.get("value")
        return None if self.previous is None else self.previous.value


def _resolve(ref, association, start, end, interventions):
    return metrics.resolve(ref, metrics.MetricQuery(association, start, end, tuple(interventions)))


def _baseline(indicator, year):
    for entry in indicator.baselines or ():
        if entry.get("year") == year:
            return entry
    return None


def evaluate(indicator, association, day, *, plan=None):
    """The Outcome of ``indicator`` for a report ending ``day``."""
    ref = reference(indicator)
    source = metrics.get_source(ref.get("source"))
    accrual = metrics.accrual(ref)
    start, end = period_of(indicator, day)
    counted_end = min(day, end)
    scope = list(indicator.interventions or [])
    target = target_for(indicator.target, day.year)
    if day < start:
        value = metrics.MetricValue.none()
    else:
        value = _resolve(ref, association, start, counted_end, scope)
    unit = (source.unit(ref) if source and source.unit else value.unit)
    outcome = Outcome(indicator, ref, unit, accrual, target, start, end, counted_end, day >= end, value)
    spans = (indicator.period or {}).get("type") == "span"
    if not spans and day >= start:
        outcome.baseline = _baseline(indicator, start.year - 1)
        if outcome.baseline is None:
            outcome.previous = _resolve(ref, association, year_earlier(start), year_earlier(counted_end), scope)
    percent = association.grade_acceptable_percent
    if outcome.complete:
        outcome.grade = grading.grade_indicator(value.value, target, percent, outcome.previous_value,
                                                value.detail.get("grade"))
        return outcome
    # Before the period ends: a status against the value expected to date.
    milestones = [(datetime.date.fromisoformat(m["date"]), m["value"]) for m in indicator.milestones or ()]
    if accrual == "current" and day >= start:
        opening = _resolve(ref, association, start, start - DAY, scope).value
        outcome.opening = opening
    outcome.expected = grading.expected_target(target, accrual, start, end, counted_end, outcome.opening, milestones)
    compared = outcome.previous_value
    if target.get("type") in grading.DIRECTIONS and accrual in ("rate", "level"):
        if outcome.baseline is None:  # rates and levels compare with the whole previous year
            whole = _resolve(ref, association, year_earlier(start), year_earlier(end), scope)
            compared = whole.value
    outcome.status = grading.status_indicator(value.value, outcome.expected, percent, compared)
    return outcome


def evaluate_plan(plan, association, day):
    """Every indicator of ``plan`` in plan order (målområde, goal, indicator)."""
    indicators = (Indicator.objects.filter(goal__focus_area__plan=plan)
                  .select_related("goal__focus_area", "goal__intervention")
                  .order_by("goal__focus_area__order", "goal__focus_area__pk", "goal__order", "goal__pk", "order", "pk"))
    return [evaluate(indicator, association, day, plan=plan) for indicator in indicators]
