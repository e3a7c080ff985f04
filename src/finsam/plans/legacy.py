"""The insats goals of the förbundsfil's ``goals`` list (and of the retired interventions.Goal)
as indicators of the plan (shared/spec/activities-and-goals.md, "Förbundsfil extension"): each goal
becomes, in the plan covering its year (created as ``vp-<year>`` "Verksamhetsplan <year>" when
missing), målområde ``insatsmal`` "Insatsernas mål", goal ``<insats slug>`` (the insats's name,
``intervention`` set), indicator key = the metric, source ``participants`` (a manual goal:
``manual`` with its result), target at_least, period year. It sets only metric, target and period
(and a manual goal's result): both forms of one goal give one indicator.

The plan is the only store: the förbundsfil writes the indicators directly (``write_goal``) and
exports them back (``exported_goals``). Written with the model classes it is given, so that the data
migrations (plans.0002, interventions.0004: historical models, every Goal row) run the same code."""

import datetime

FOCUS_AREA_KEY, FOCUS_AREA_NAME = "insatsmal", "Insatsernas mål"
MANUAL_TEXT = "Manuellt resultat från insatsens mål"


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else value


def metric_of(metric):
    return {"source": "manual"} if metric == "manual" else {"source": "participants", "key": metric}


def mirror_goal(goal, intervention, models, label=None):
    """Upsert the indicator standing for one insats goal (``goal``: an object with year, metric,
    target, manual_result, description; ``intervention``: its insats). ``models``: (Plan, FocusArea,
    PlanGoal, Indicator). Returns the indicator."""
    return upsert_goal(goal, intervention, models, label)[0]


def upsert_goal(goal, intervention, models, label=None):
    """``mirror_goal``, and what it did: (indicator, None when it was created, else the names of the
    fields it changed)."""
    Plan, FocusArea, PlanGoal, Indicator = models
    association_id = intervention.association_id
    year = goal.year
    plan = Plan._default_manager.filter(association_id=association_id, from_year__lte=year, to_year__gte=year).first()
    if plan is None:
        key, n = f"vp-{year}", 1
        while Plan._default_manager.filter(association_id=association_id, key=key).exists():  # a plan of other years
            n += 1
            key = f"vp-{year}-{n}"
        plan = Plan._default_manager.create(association_id=association_id, key=key,
                                            name=f"Verksamhetsplan {year}", from_year=year, to_year=year)
    area = FocusArea._default_manager.filter(plan=plan, key=FOCUS_AREA_KEY).first()
    if area is None:
        last = FocusArea._default_manager.filter(plan=plan).order_by("-order").first()
        area = FocusArea._default_manager.create(plan=plan, key=FOCUS_AREA_KEY, name=FOCUS_AREA_NAME,
                                                 order=(last.order + 1) if last else 0)
    # found by its insats first: an insats whose slug changed keeps its goal (no second one)
    plan_goal = (PlanGoal._default_manager.filter(focus_area=area, intervention_id=intervention.pk).first()
                 or PlanGoal._default_manager.filter(focus_area=area, key=intervention.slug).first())
    if plan_goal is None:
        last = PlanGoal._default_manager.filter(focus_area=area).order_by("-order").first()
        plan_goal = PlanGoal._default_manager.create(focus_area=area, key=intervention.slug, name=intervention.name,
                                                     intervention_id=intervention.pk,
                                                     order=(last.order + 1) if last else 0)
    values = {"metric": metric_of(goal.metric), "target": {"type": "at_least", "value": _number(goal.target)},
              "period": {"type": "year"}, "interventions": [intervention.slug]}
    if goal.metric == "manual":
        values["results"] = ([] if goal.manual_result is None else
                             [{"to": datetime.date(year, 12, 31).isoformat(), "value": _number(goal.manual_result),
                               "text": goal.description or MANUAL_TEXT}])
    indicator = Indicator._default_manager.filter(goal=plan_goal, key=goal.metric).first()
    if indicator is None:
        last = Indicator._default_manager.filter(goal=plan_goal).order_by("-order").first()
        return Indicator._default_manager.create(goal=plan_goal, key=goal.metric, order=(last.order + 1) if last else 0,
                                                 text=goal.description or label or goal.metric, **values), None
    changed = [k for k, v in values.items() if getattr(indicator, k) != v]
    if changed:
        for k in changed:
            setattr(indicator, k, values[k])
        indicator.save(update_fields=changed)
    return indicator, changed


def real_models():
    from .models import FocusArea, Indicator, Plan, PlanGoal

    return Plan, FocusArea, PlanGoal, Indicator


def write_goal(intervention, year, metric, target, manual_result=None, description="", label=None):
    """Upsert one insats goal as its plan indicator (the förbundsfil's ``goals`` shorthand, tests):
    what ``upsert_goal`` does with the current models. Returns (indicator, None if created, else the
    fields changed)."""
    from types import SimpleNamespace

    goal = SimpleNamespace(year=year, metric=metric, target=target, manual_result=manual_result,
                           description=description)
    return upsert_goal(goal, intervention, real_models(), label=label)


def exported_goals(association):
    """The förbundsfil's ``goals`` list read back from the plan: every indicator of målområde
    ``insatsmal`` of a one-year plan that the shorthand can say (a goal about one insats, key = its
    metric, target at_least, period year, the insats alone), so that an exported file applied again
    writes what it read. Anything else is in the file's ``plans`` only."""
    from django.core.exceptions import ValidationError

    from finsam.interventions.models import goal_metric_label, validate_goal_metric

    Plan, FocusArea, PlanGoal, Indicator = real_models()
    rows = (Indicator.objects.filter(goal__focus_area__plan__association=association,
                                     goal__focus_area__key=FOCUS_AREA_KEY, goal__intervention__isnull=False)
            .select_related("goal__focus_area__plan", "goal__intervention"))
    goals = []
    for indicator in rows:
        plan, intervention = indicator.goal.focus_area.plan, indicator.goal.intervention
        target, year = indicator.target or {}, plan.from_year
        try:
            validate_goal_metric(indicator.key)
        except ValidationError:
            continue
        if (plan.from_year != plan.to_year or indicator.metric != metric_of(indicator.key)
                or set(target) != {"type", "value"} or target.get("type") != "at_least"
                or indicator.period != {"type": "year"} or indicator.interventions != [intervention.slug]
                or indicator.milestones or indicator.baselines):
            continue
        manual_result, description = None, ""
        if indicator.key == "manual":
            results = indicator.results or []
            wanted = [{"to": datetime.date(year, 12, 31).isoformat(), "value": r.get("value"), "text": r.get("text")}
                      for r in results]
            if len(results) > 1 or results != wanted[:len(results)]:
                continue
            if results:
                manual_result = results[0]["value"]
                description = "" if results[0]["text"] == MANUAL_TEXT else results[0]["text"]
        elif indicator.results:
            continue
        if not description and indicator.text != goal_metric_label(indicator.key) and len(indicator.text) <= 300:
            description = indicator.text  # the file's limit; a longer text stays in the plan
        goals.append({"intervention": intervention.slug, "year": year, "metric": indicator.key,
                      "target": target["value"], "manual_result": manual_result, "description": description})
    return sorted(goals, key=lambda g: (g["intervention"], g["year"], g["metric"]))


def forget_goal(goal, intervention, models):
    """Delete the indicator standing for a deleted insats goal (the plan keeps the rest); ``goal``
    may be the (year, metric) a goal had before it was changed."""
    from django.db.models import Q

    Plan, FocusArea, PlanGoal, Indicator = models
    Indicator._default_manager.filter(
        Q(goal__intervention_id=intervention.pk) | Q(goal__key=intervention.slug),
        goal__focus_area__plan__association_id=intervention.association_id,
        goal__focus_area__plan__from_year__lte=goal.year, goal__focus_area__plan__to_year__gte=goal.year,
        goal__focus_area__key=FOCUS_AREA_KEY, key=goal.metric).delete()


def migrate_goals(apps, schema_editor=None):
    """The data migration: every existing insats goal into the plan (historical models)."""
    models = tuple(apps.get_model("plans", name) for name in ("Plan", "FocusArea", "PlanGoal", "Indicator"))
    Goal = apps.get_model("interventions", "Goal")
    for goal in Goal._default_manager.select_related("intervention").order_by("year", "intervention_id", "metric"):
        mirror_goal(goal, goal.intervention, models)
