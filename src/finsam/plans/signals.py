"""Keep the plan's insats goals in step with interventions.Goal (the insats pages and the
förbundsfil's ``goals`` list write Goal rows; plans/legacy.py says how one becomes an indicator)."""

from django.db.models.signals import post_delete, post_save, pre_save


def _models():
    from .models import FocusArea, Indicator, Plan, PlanGoal

    return Plan, FocusArea, PlanGoal, Indicator


def _saving(sender, instance, raw=False, **kwargs):
    # the year and metric the goal had: a goal moved to another year or metric leaves no
    # indicator behind (one indicator per goal)
    instance._plans_before = None
    if not raw and instance.pk is not None:
        instance._plans_before = sender._default_manager.filter(pk=instance.pk).values("year", "metric").first()


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from types import SimpleNamespace

    from .legacy import forget_goal, mirror_goal

    before = getattr(instance, "_plans_before", None)
    if before and (before["year"], before["metric"]) != (instance.year, instance.metric):
        forget_goal(SimpleNamespace(**before), instance.intervention, _models())
    mirror_goal(instance, instance.intervention, _models(), label=instance.metric_label)


def _deleted(sender, instance, **kwargs):
    from .legacy import forget_goal

    forget_goal(instance, instance.intervention, _models())


def connect():
    from finsam.interventions.models import Goal

    pre_save.connect(_saving, sender=Goal, dispatch_uid="plans_goal_saving")
    post_save.connect(_saved, sender=Goal, dispatch_uid="plans_goal_saved")
    post_delete.connect(_deleted, sender=Goal, dispatch_uid="plans_goal_deleted")
