"""Insats goals for tests: written into the plan as the förbundsfil's ``goals`` list writes them
(plans/legacy.py), one indicator per insats, year and metric, row ``<insats>.<metric>`` of ``goals``."""

from finsam.interventions.models import goal_metric_label


def insats_goal(intervention, year, metric, target, manual_result=None, description=""):
    from finsam.plans.legacy import write_goal

    return write_goal(intervention, year, metric, target, manual_result=manual_result, description=description,
                      label=goal_metric_label(metric))
