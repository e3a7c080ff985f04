"""Keep the plan's insats goals in step with interventions.Goal (the insats pages and the
förbundsfil's ``goals`` list write Goal rows; plans/legacy.py says how one becomes an indicator)."""

from django.db.models.signals import post_delete, post_save


def _models():
    from .models import FocusArea, Indicator, Plan, PlanGoal

    return Plan, FocusArea, PlanGoal, Indicator


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .legacy import mirror_goal

    mirror_goal(instance, instance.intervention, _models(), label=instance.metric_label)


def _deleted(sender, instance, **kwargs):
    from .legacy import forget_goal

    forget_goal(instance, instance.intervention, _models())


def connect():
    from finsam.interventions.models import Goal

    post_save.connect(_saved, sender=Goal, dispatch_uid="plans_goal_saved")
    post_delete.connect(_deleted, sender=Goal, dispatch_uid="plans_goal_deleted")
