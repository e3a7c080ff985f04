"""Grade and status of a survey goal: the rules of statistics/grading.py (God at 95 % of the target,
Godtagbart at the förbund's threshold, else Ej uppfyllt; a status before the year has ended, a
share being expected at its full target all year), applied to exact fractions and written as the
codes of shared/spec/surveys.md. Small functions so that a change of the shared grading rules (the
plans work) is one switch here (docs/decisions.md, "Survey goals: grading")."""

from fractions import Fraction

from finsam.statistics import grading

GRADE_CODES = {grading.GRADE_GOOD: "god", grading.GRADE_ACCEPTABLE: "godtagbart", grading.GRADE_FAILED: "ej_uppfyllt",
               grading.GRADE_NONE: "ej_bedomt"}
STATUS_CODES = {grading.STATUS_ON_TRACK: "i_fas", grading.STATUS_RISK: "risk", grading.STATUS_OFF_TRACK: "ej_i_fas",
                grading.GRADE_NONE: "ej_bedomt"}
LABELS = {**{v: k for k, v in GRADE_CODES.items()}, **{v: k for k, v in STATUS_CODES.items()}}


def _label(result, target, acceptable_percent):
    """grading.grade's rule on exact fractions (its floats could put a result exactly at a boundary
    on the wrong side)."""
    if result is None:
        return grading.GRADE_NONE
    if target <= 0 or result >= Fraction(target) * Fraction(95, 100):
        return grading.GRADE_GOOD
    if result >= Fraction(target) * Fraction(acceptable_percent, 100):
        return grading.GRADE_ACCEPTABLE
    return grading.GRADE_FAILED


def goal_grade(result, target, acceptable_percent):
    return GRADE_CODES[_label(result, target, acceptable_percent)]


def goal_status(result, target, acceptable_percent):
    """Before 31 December: the share is expected at its target to date (grading.expected_to_date)."""
    return STATUS_CODES[grading.STATUS_OF_GRADE[_label(result, target, acceptable_percent)]]


def _percent(fraction):
    from finsam.statistics.tables import round_half_up

    return f"{int(round_half_up(float(fraction) * 100, 0))}\u00a0%"


def shown_goal(result, positive, n, target, code):
    """"80 % (20 av 25), mål 60 %: God" (Swedish, for the table's readers)."""
    label = LABELS.get(code, code)
    if result is None:
        return f"mål {_percent(target)}: {label}" + (" (för få svar)" if n is None else " (inga svar)")
    return f"{_percent(result)} ({positive} av {n}), mål {_percent(target)}: {label}"
