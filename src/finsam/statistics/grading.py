"""Grading a goal: its grade once its year has ended, before that its status against the value
expected to date. Plain rules over numbers: the goal table (tables/goals.py) puts them into a
report, the start page (reports/overview.py) applies them to a report's cells."""

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
