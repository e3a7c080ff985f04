"""Pages of activities and measures: the list (filtered by year, insats and kind), the form to
register, edit or cancel an activity, the measures page (a value per period) and the uploads of
both files. Administratör and analytiker: everything; a deltagaransvarig: the activities and
measures of the insatser assigned to them (access.py). Another förbund's or insats's row is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from finsam.core.forms import bound, parse_key
from finsam.participants.importing import ImportRefused
from finsam.reports import formatting
from finsam.tenancy.permissions import association_view

from . import codes, figures, importing, rows, services
from .access import row_context
from .forms import ActivityForm, MeasureValueForm, UploadForm


def _visible(queryset, ctx):
    """The rows ``ctx`` may write: every one for a förbund role, else those of the assigned insatser."""
    if ctx.association_rows:
        return queryset
    return queryset.filter(intervention__in=list(ctx.allowed.values()))


def _object(queryset, ctx, pk):
    key = parse_key(pk)
    found = _visible(queryset, ctx).filter(pk=key).first() if key else None
    if found is None:
        raise Http404
    return found


@association_view("register_activities")
def activity_list(request):
    ctx = row_context(request.access)
    activities = _visible(request.association.activities.select_related("intervention"), ctx)
    years = sorted({d.year for d in activities.dates("date", "year")}, reverse=True)
    year = parse_key(request.GET.get("ar"))
    slug = request.GET.get("insats", "")[:60]
    kind = request.GET.get("typ", "")[:50]
    if year and 1900 < year < 3000:
        activities = activities.filter(date__year=year)
    else:
        year = None
    if slug == "forbundet":
        activities = activities.filter(intervention__isnull=True)
    elif slug:
        activities = activities.filter(intervention__slug=slug)
    if kind:
        activities = activities.filter(kind=kind)
    activities = list(activities.order_by("-date", "title"))
    for activity in activities:
        activity.kind_label = ctx.kinds[activity.kind].label if activity.kind in ctx.kinds else activity.kind
    return render(request, "activities/activity_list.html", {
        "nav": "activities", "activities": activities, "years": years, "year": year, "slug": slug, "kind": kind,
        "interventions": sorted(ctx.allowed.values(), key=lambda i: i.name), "association_rows": ctx.association_rows,
        "kinds": list(ctx.kinds.values()), "statuses": dict(codes.STATUS.choices),
        "formats": dict(codes.FORMAT.choices),
    })


@association_view("register_activities")
def activity_edit(request, pk=None):
    ctx = row_context(request.access)
    activity = _object(request.association.activities, ctx, pk) if pk is not None else None
    initial = ActivityForm.initial_of(activity, ctx) if activity else {}
    form = ActivityForm(**bound(request), ctx=ctx, initial=initial)
    if request.method == "POST" and form.is_valid() and form.cleaned_data.get("row"):
        try:
            services.save_activity(ctx, form.cleaned_data["row"], activity)
        except services.Clash as clash:
            form.add_error(None, str(clash))
        else:
            messages.success(request, "Aktiviteten är sparad.")
            return redirect("activities:list", request.association.slug)
    return render(request, "activities/activity_form.html", {
        "nav": "activities", "form": form, "activity": activity,
    })


@require_POST
@association_view("register_activities")
def activity_delete(request, pk):
    ctx = row_context(request.access)
    activity = _object(request.association.activities, ctx, pk)
    services.delete_activity(activity)
    messages.success(request, f"Aktiviteten {activity.title} är borttagen.")
    return redirect("activities:list", request.association.slug)


@association_view("register_activities")
def measures(request):
    ctx = row_context(request.access)
    form = MeasureValueForm(**bound(request), ctx=ctx)
    if request.method == "POST" and form.is_valid() and form.cleaned_data.get("row"):
        try:
            services.save_measure_value(ctx, form.cleaned_data["row"])
        except services.Clash as clash:
            form.add_error(None, str(clash))
        else:
            messages.success(request, "Värdet är sparat.")
            return redirect("activities:measures", request.association.slug)
    values = list(_visible(request.association.measure_values.select_related("intervention"), ctx)
                  .order_by("measure", "intervention__name", "-end"))
    for value in values:
        measure = ctx.measures.get(value.measure)
        value.label = measure.label if measure else value.measure
        number = figures.as_number(value.value)
        value.shown = formatting.number(number, 0 if isinstance(number, int) else 2)
    return render(request, "activities/measures.html", {
        "nav": "measures", "form": form, "values": values,
        "aggregations": [(m, codes.AGGREGATION.label(m.aggregation)) for m in ctx.measures.values()],
    })


@require_POST
@association_view("register_activities")
def measure_delete(request, pk):
    ctx = row_context(request.access)
    value = _object(request.association.measure_values, ctx, pk)
    services.delete_measure_value(value)
    messages.success(request, "Värdet är borttaget.")
    return redirect("activities:measures", request.association.slug)


def _upload(request, importer, template_context):
    form = UploadForm(**bound(request))
    errors, summary, warnings = [], None, []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = importer(upload, upload.name, row_context(request.access), request.user)
            warnings = summary.warnings
        except ImportRefused as refused:
            errors, warnings = refused.errors, refused.warnings
    return render(request, "activities/import.html", {
        "form": form, "errors": errors, "summary": summary, "warnings": warnings, **template_context,
    })


@association_view("register_activities")
def import_activities(request):
    return _upload(request, importing.import_activities, {
        "nav": "activities", "title": "Läs in aktiviteter", "sheet": "Aktiviteter",
        "columns": rows.ACTIVITY_COLUMNS, "back": "activities:list"})


@association_view("register_activities")
def import_measures(request):
    return _upload(request, importing.import_measures, {
        "nav": "measures", "title": "Läs in mått", "sheet": "Matt",
        "columns": rows.MEASURE_COLUMNS, "back": "activities:measures"})

