"""The plan's pages (administratör and analytiker): the tree plan -> målområden -> mål ->
indikatorer with forms for each, the metric picker, targets, manual results and assessments.
Every write marks the förbund's data changed (the reports count the plan)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from finsam.core.forms import bound
from finsam.statistics import grading, metrics
from finsam.tenancy.changes import delete_and_mark, mark_changed
from finsam.tenancy.permissions import association_view

from .forms import AssessmentForm, FocusAreaForm, IndicatorForm, PlanForm, PlanGoalForm, ResultForm
from .models import Assessment, Indicator, Plan
from .texts import target_text

CAPABILITY = "manage_plans"


def _plan(request, plan_id):
    return get_object_or_404(Plan.objects.filter(association=request.association), pk=plan_id)


def _to_plan(request, plan):
    return redirect("plans:plan_detail", association_slug=request.association.slug, plan_id=plan.pk)


def _render(request, template, **context):
    return render(request, f"plans/{template}", {"nav": "plans", **context})


@association_view(CAPABILITY)
def plan_list(request):
    return _render(request, "plan_list.html", plans=Plan.objects.filter(association=request.association))


@association_view(CAPABILITY)
def plan_detail(request, plan_id):
    plan = _plan(request, plan_id)
    areas = []
    for area in plan.focus_areas.prefetch_related("assessments", "goals__indicators", "goals__intervention"):
        goals = []
        for goal in area.goals.all():
            goals.append((goal, [(i, _describe(i)) for i in goal.indicators.all()]))
        areas.append((area, list(area.assessments.all()), goals))
    return _render(request, "plan_detail.html", plan=plan, areas=areas)


def insats_goals(intervention):
    """The goals of the plans about ``intervention`` (a goal with that insats, as the report's table
    "Måluppfyllelse per insats" takes them): [(indicator, its description)], newest plan first. For
    the insats page, which lists them and links to the plan's pages to change them."""
    indicators = (Indicator.objects.filter(goal__intervention=intervention)
                  .select_related("goal__focus_area__plan")
                  .order_by("-goal__focus_area__plan__from_year", "goal__focus_area__plan__key",
                            "goal__focus_area__order", "goal__order", "order", "pk"))
    return [(indicator, _describe(indicator)) for indicator in indicators]


def _describe(indicator):
    """The indicator's metric, target and period in Swedish (the tree's columns)."""
    from .forms import _unit, metric_choices

    ref = indicator.metric or {}
    wanted = f"{ref.get('source', '')}|{ref.get('key', '')}"
    metric = next((shown for _, options in metric_choices() for value, shown in options if value == wanted), None)
    if metric is None:
        source = metrics.get_source(ref.get("source"))
        metric = (f"{source.label}: {ref.get('key')}" if source is not None
                  else "Mått som ännu inte finns i systemet (bedöms inte)")
    period = indicator.period or {}
    return {"metric": metric, "target": target_text(indicator.target or {"type": "none"}, _unit(ref)),
            "period": (f"Projektperiod {period.get('from')} – {period.get('to')}" if period.get("type") == "span"
                       else "Kalenderår"),
            "results": len(indicator.results or [])}


@association_view(CAPABILITY)
def plan_edit(request, plan_id=None):
    plan = _plan(request, plan_id) if plan_id else None
    form = PlanForm(**bound(request), instance=plan, association=request.association)
    if request.method == "POST" and form.is_valid():
        plan = form.save()
        messages.success(request, "Planen är sparad.")
        return _to_plan(request, plan)
    return _render(request, "form.html", form=form, plan=plan,
                   heading="Ändra verksamhetsplan" if plan else "Ny verksamhetsplan")


@require_POST
@association_view(CAPABILITY)
def plan_delete(request, plan_id):
    delete_and_mark(_plan(request, plan_id))
    messages.success(request, "Planen är borttagen.")
    return redirect("plans:list", association_slug=request.association.slug)


@association_view(CAPABILITY)
def area_edit(request, plan_id, area_id=None):
    plan = _plan(request, plan_id)
    area = get_object_or_404(plan.focus_areas, pk=area_id) if area_id else None
    form = FocusAreaForm(**bound(request), instance=area, plan=plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Målområdet är sparat.")
        return _to_plan(request, plan)
    return _render(request, "form.html", form=form, plan=plan,
                   heading=f"Ändra målområdet {area.name}" if area else "Nytt målområde")


def _delete(request, plan, rows, pk, message):
    """Delete one row of ``rows`` (the plan's own: another plan's is a 404), mark the data changed."""
    delete_and_mark(get_object_or_404(rows, pk=pk))
    messages.success(request, message)
    return _to_plan(request, plan)


@require_POST
@association_view(CAPABILITY)
def area_delete(request, plan_id, area_id):
    plan = _plan(request, plan_id)
    return _delete(request, plan, plan.focus_areas.all(), area_id, "Målområdet är borttaget.")


@association_view(CAPABILITY)
def assessment_edit(request, plan_id, area_id):
    """The förbund's own verdict on a målområde for a year (one per year: saving a year again replaces it)."""
    plan = _plan(request, plan_id)
    area = get_object_or_404(plan.focus_areas, pk=area_id)
    form = AssessmentForm(**bound(request), initial={"year": plan.to_year})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            assessment, _ = Assessment.objects.update_or_create(
                focus_area=area, year=form.cleaned_data["year"],
                defaults={"grade": form.cleaned_data["grade"], "text": form.cleaned_data["text"]})
            mark_changed(assessment)
        messages.success(request, "Bedömningen är sparad.")
        return _to_plan(request, plan)
    return _render(request, "form.html", form=form, plan=plan, heading=f"Bedömning av målområdet {area.name}")


@association_view(CAPABILITY)
def goal_edit(request, plan_id, area_id=None, goal_id=None):
    plan = _plan(request, plan_id)
    goal = get_object_or_404(_goals(plan), pk=goal_id) if goal_id else None
    area = goal.focus_area if goal else get_object_or_404(plan.focus_areas, pk=area_id)
    form = PlanGoalForm(**bound(request), instance=goal, area=area)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Målet är sparat.")
        return _to_plan(request, plan)
    return _render(request, "form.html", form=form, plan=plan,
                   heading=f"Ändra målet {goal.name}" if goal else f"Nytt mål i {area.name}")


def _goals(plan):
    from .models import PlanGoal

    return PlanGoal.objects.filter(focus_area__plan=plan)


def _indicators(plan):
    return Indicator.objects.filter(goal__focus_area__plan=plan).select_related("goal__focus_area__plan__association")


@require_POST
@association_view(CAPABILITY)
def goal_delete(request, plan_id, goal_id):
    plan = _plan(request, plan_id)
    return _delete(request, plan, _goals(plan), goal_id, "Målet är borttaget.")


@association_view(CAPABILITY)
def indicator_edit(request, plan_id, goal_id=None, indicator_id=None):
    plan = _plan(request, plan_id)
    indicator = get_object_or_404(_indicators(plan), pk=indicator_id) if indicator_id else None
    goal = indicator.goal if indicator else get_object_or_404(_goals(plan), pk=goal_id)
    form = IndicatorForm(**bound(request), goal=goal, indicator=indicator)
    if request.method == "POST" and form.is_valid() and form.item is not None:
        item, data = form.item, form.cleaned_data
        with transaction.atomic():
            target = indicator or Indicator(goal=goal)
            target.key, target.order = data["key"], data["order"]
            for field in ("text", "metric", "interventions", "target", "period"):
                setattr(target, field, item[field])
            target.save()
            mark_changed(target)
        messages.success(request, "Indikatorn är sparad.")
        return _to_plan(request, plan)
    return _render(request, "form.html", form=form, plan=plan,
                   heading=f"Ändra indikatorn {indicator.text}" if indicator else f"Ny indikator för {goal.name}",
                   note="Resultat för andelar räknas med samma regler som rapportens tabeller. "
                        f"God: minst målet eller inom 5 procent av det; Godtagbart från "
                        f"{request.association.grade_acceptable_percent} procent av målet.")


@require_POST
@association_view(CAPABILITY)
def indicator_delete(request, plan_id, indicator_id):
    plan = _plan(request, plan_id)
    return _delete(request, plan, _indicators(plan), indicator_id, "Indikatorn är borttagen.")


@association_view(CAPABILITY)
def result_edit(request, plan_id, indicator_id):
    """A manual result for an indicator whose figure the system cannot compute (one per end date)."""
    plan = _plan(request, plan_id)
    indicator = get_object_or_404(_indicators(plan), pk=indicator_id)
    form = ResultForm(**bound(request), indicator=indicator, initial={"to": f"{plan.to_year}-12-31"})
    if request.method == "POST" and form.is_valid() and form.results is not None:
        with transaction.atomic():
            indicator.results = form.results
            indicator.save(update_fields=["results"])
            mark_changed(indicator)
        messages.success(request, "Resultatet är sparat.")
        return _to_plan(request, plan)
    return _render(request, "result_form.html", form=form, plan=plan, indicator=indicator,
                   heading=f"Manuellt resultat: {indicator.text}", labels=grading.LABELS)
