"""Grading a goal: its grade once its period has ended, before that its status against the value
expected to date. Plain rules over numbers: the plan's indicators (plans/evaluate.py) and the
survey goals use them. The first rules (grade, expected_to_date, goal_status) are those of the
issue-9 insats goals table, which the start page still applies to a publication frozen with that
table (reports/overview.py, ``_legacy_goals``)."""

import datetime

GRADE_GOOD, GRADE_ACCEPTABLE, GRADE_FAILED, GRADE_NONE = "God", "Godtagbart", "Ej uppfyllt", "Ej bedömt"


def grade(result, target, acceptable_percent):
    if result is None:
        return GRADE_NONE
    if target <= 0 or result >= target * 0.95:
        return GRADE_GOOD
    if result >= target * acceptable_percent / 100:
        return GRADE_ACCEPTABLE
    return GRADE_FAILED


# Before a goal's year ends: a status against the value expected to date, not a grade
# (shared/spec/activities-and-goals.md "Before the period ends"; docs/decisions.md "Goal status").
STATUS_ON_TRACK, STATUS_RISK, STATUS_OFF_TRACK = "I fas", "Risk", "Ej i fas"
STATUS_OF_GRADE = {GRADE_GOOD: STATUS_ON_TRACK, GRADE_ACCEPTABLE: STATUS_RISK, GRADE_FAILED: STATUS_OFF_TRACK,
                   GRADE_NONE: GRADE_NONE}


def expected_to_date(metric, target, year, day, opening=None):
    """The value a goal of ``year`` is expected to have reached on ``day`` (the end of the counted
    span, 1 January to ``day``). Counts of new participations grow along a line from 0 on the day
    before the year to the target on 31 December; counts of current participations along the same
    line from ``opening`` (those ongoing on 1 January); a share is expected at its full target all
    year. None where there is no expectation: a manual goal, or a current count without its opening."""
    if metric == "manual":
        return None
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    fraction = min(max(((day - first).days + 1) / ((last - first).days + 1), 0.0), 1.0)
    if metric == "new_count":
        return target * fraction
    if metric == "current_count":
        return None if opening is None else opening + (target - opening) * fraction
    return target


def goal_status(result, expected, acceptable_percent):
    """I fas / Risk / Ej i fas: the grading thresholds (5 % rule, the förbund's Godtagbart limit)
    applied to the expected value to date instead of the target; Ej bedömt without a result or an
    expectation."""
    if expected is None:
        return GRADE_NONE
    return STATUS_OF_GRADE[grade(result, expected, acceptable_percent)]


# --- plan indicators (shared/spec/activities-and-goals.md, part B: "Grading", "Before the period ends") ---
# Codes, as the report JSON gives them; labels for pages and texts. The rules above (grade, goal_status)
# served the issue-9 insats goals table; the ones below take any target of a plan indicator. One module:
# surveys may call grade_indicator / status_indicator for its own goals.

GOOD, ACCEPTABLE, FAILED, NOT_ASSESSED = "god", "godtagbart", "ej_uppfyllt", "ej_bedomt"
ON_TRACK, RISK, OFF_TRACK = "i_fas", "risk", "ej_i_fas"
GRADES = (GOOD, ACCEPTABLE, FAILED, NOT_ASSESSED)
STATUSES = (ON_TRACK, RISK, OFF_TRACK, NOT_ASSESSED)
LABELS = {GOOD: GRADE_GOOD, ACCEPTABLE: GRADE_ACCEPTABLE, FAILED: GRADE_FAILED, NOT_ASSESSED: GRADE_NONE,
          ON_TRACK: STATUS_ON_TRACK, RISK: STATUS_RISK, OFF_TRACK: STATUS_OFF_TRACK}
STATUS_OF_CODE = {GOOD: ON_TRACK, ACCEPTABLE: RISK, FAILED: OFF_TRACK, NOT_ASSESSED: NOT_ASSESSED}
DIRECTIONS = ("higher_than_previous", "lower_than_previous")
GOOD_RATIO = 0.95  # the 5 % rule


def _by_ratio(ratio, acceptable_percent):
    if ratio >= GOOD_RATIO:
        return GOOD
    if ratio >= acceptable_percent / 100:
        return ACCEPTABLE
    return FAILED


def _at_least(result, value, acceptable_percent):
    return GOOD if value <= 0 else _by_ratio(result / value, acceptable_percent)


def _at_most(result, value, acceptable_percent):
    if result <= value or result == 0:
        return GOOD  # at or below the ceiling (result 0: met)
    return _by_ratio(value / result, acceptable_percent)


def grade_indicator(result, target, acceptable_percent, previous=None, manual_grade=None):
    """The grade code of a result against ``target`` (``{"type", "value" | "from", "to"}``, values
    already for the year): r = result/target (at_least), target/result (at_most), between 1 inside
    else as at_least against ``from`` or at_most against ``to``; God r >= 0.95, Godtagbart r >= the
    förbund's threshold, else Ej uppfyllt; unrounded. Direction targets: God when strictly better
    than ``previous``, else Ej uppfyllt. Ej bedömt without a result (or previous, or a manual grade
    for target none)."""
    kind = target.get("type")
    if kind == "none":
        return manual_grade if manual_grade in (GOOD, ACCEPTABLE, FAILED) else NOT_ASSESSED
    if result is None:
        return NOT_ASSESSED
    result = float(result)
    if kind in DIRECTIONS:
        if previous is None:
            return NOT_ASSESSED
        better = result > float(previous) if kind == "higher_than_previous" else result < float(previous)
        return GOOD if better else FAILED
    if kind == "at_least":
        return _at_least(result, float(target["value"]), acceptable_percent)
    if kind == "at_most":
        return _at_most(result, float(target["value"]), acceptable_percent)
    if kind == "between":
        low, high = float(target["from"]), float(target["to"])
        if low <= result <= high:
            return GOOD
        return _at_least(result, low, acceptable_percent) if result < low else _at_most(result, high, acceptable_percent)
    return NOT_ASSESSED


def status_indicator(result, expected, acceptable_percent, previous=None):
    """The status code before the period ends: the grading thresholds against ``expected`` (a target
    of the same shape with the values expected to date; direction targets against ``previous``,
    two steps); Ej bedömt without a result or an expectation."""
    if expected is None or result is None:
        return NOT_ASSESSED
    return STATUS_OF_CODE[grade_indicator(result, expected, acceptable_percent, previous)]


def _line(points, day):
    """The value on ``day`` of the broken line through ``points`` [(date, value)], sorted by date;
    constant beyond its ends."""
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if day == d1:
            return v1  # a point itself, exactly (the period's last day: the target)
        if day < d1:
            return v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
    return points[-1][1]


def expected_value(accrual, value, start, end, day, opening=None, milestones=()):
    """What a target ``value`` for the period ``start``-``end`` expects on ``day``. flow: a line from
    0 on the day before the period to the target on its last day (1 Jan-30 Jun 2025: target x
    181/365), through the ``milestones`` [(date, value)]; current: the same line from ``opening``
    (None: no expectation); rate, level: the full target; whole: None (no status)."""
    if accrual == "whole":
        return None
    if accrual in ("rate", "level"):
        return float(value)
    if accrual == "current" and opening is None:
        return None
    first = (start - datetime.timedelta(days=1), float(opening or 0) if accrual == "current" else 0.0)
    points = [first] + sorted((d, float(v)) for d, v in milestones if first[0] < d < end) + [(end, float(value))]
    return _line(points, day)


def expected_target(target, accrual, start, end, day, opening=None, milestones=()):
    """The target of the same shape with the values expected on ``day`` (None: no expectation).
    A direction target is returned as it is: its comparison is with the previous value."""
    kind = target.get("type")
    if kind in DIRECTIONS:
        return None if accrual == "whole" else dict(target)
    if kind not in ("at_least", "at_most", "between"):
        return None
    keys = ("from", "to") if kind == "between" else ("value",)
    expected = {"type": kind}
    for key in keys:
        expected[key] = expected_value(accrual, target[key], start, end, day, opening, milestones)
        if expected[key] is None:
            return None
    return expected


def lowest(codes_, order):
    """The lowest of ``codes_`` in ``order`` (best first) leaving out Ej bedömt; Ej bedömt when
    nothing was assessed (a goal, insats or målområde takes the lowest of its assessed indicators)."""
    assessed = [c for c in codes_ if c != NOT_ASSESSED]
    return max(assessed, key=order.index) if assessed else NOT_ASSESSED
