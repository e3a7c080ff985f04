import json

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from finsam.audit.log import log_access
from finsam.core.forms import bound
from finsam.tenancy.permissions import association_view, system_admin_view

from finsam.plans.views import insats_goals

from .association_file import AssociationFileError, apply_association_file, export_association_file
from .forms import AssociationFileForm, InterventionForm, TargetGroupForm


def _interventions(request):
    return request.association.interventions.visible_to(request.access)


@association_view("view_association")
def intervention_list(request):
    interventions = _interventions(request).select_related("owner_member")
    status = request.GET.get("status", "")
    if status in ("planned", "active", "ended"):
        interventions = interventions.filter(status=status)
    return render(
        request,
        "interventions/intervention_list.html",
        {"nav": "interventions", "interventions": interventions, "status": status},
    )


@association_view("view_association")
def intervention_detail(request, intervention_slug):
    intervention = get_object_or_404(_interventions(request), slug=intervention_slug)
    return render(
        request,
        "interventions/intervention_detail.html",
        {
            "nav": "interventions",
            "intervention": intervention,
            # the insats's goals live in the plan (plans/legacy.py, the förbundsfil's "goals")
            "goals": insats_goals(intervention),
            "participant_access": request.association.interventions.with_participant_access(request.access)
            .filter(pk=intervention.pk)
            .exists(),
            "volume_access": request.association.interventions.with_volume_access(request.access)
            .filter(pk=intervention.pk)
            .exists(),
        },
    )


@association_view("manage_interventions")
def intervention_edit(request, intervention_slug=None):
    intervention = (
        get_object_or_404(request.association.interventions, slug=intervention_slug) if intervention_slug else None
    )
    form = InterventionForm(**bound(request), instance=intervention, association=request.association)
    before = sorted(intervention.assigned_users.values_list("username", flat=True)) if intervention else []
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the insats, its deltagaransvariga and the log entry: one commit
            saved = form.save()
            after = sorted(saved.assigned_users.values_list("username", flat=True))
            if after != before:
                # Who may see the insats's participants changes (under "Parterna ansvarar" the
                # deltagaransvariga alone): kept in the access log, where the förbund's auditors look.
                log_access(request, request.association, "access_changed", intervention_slug=saved.slug,
                           subject=f"deltagaransvariga: {', '.join(before) or 'inga'} → {', '.join(after) or 'inga'}")
        messages.success(request, f"Insatsen {saved.name} är sparad.")
        return redirect("interventions:detail", association_slug=request.association.slug, intervention_slug=saved.slug)
    return render(
        request, "interventions/intervention_form.html", {"nav": "interventions", "form": form, "intervention": intervention}
    )


@association_view("manage_interventions")
def target_groups(request):
    form = TargetGroupForm(**bound(request), association=request.association)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Målgruppen {form.instance.label} är tillagd.")
        return redirect("interventions:target_groups", association_slug=request.association.slug)
    return render(
        request,
        "interventions/target_groups.html",
        {"nav": "interventions", "form": form, "groups": request.association.target_groups.all()},
    )


def _read_upload(request, form, expected_slug=None):
    """Apply an uploaded förbundsfil; returns (association, summary, errors)."""
    try:
        association, summary = apply_association_file(form.cleaned_data["file"].read(), expected_slug=expected_slug)
    except AssociationFileError as error:
        return None, None, error.errors
    return association, summary, []


@association_view("manage_association")
def association_file(request):
    form = AssociationFileForm(**bound(request))
    errors, summary = [], None
    if request.method == "POST" and form.is_valid():
        _, summary, errors = _read_upload(request, form, expected_slug=request.association.slug)
    return render(
        request,
        "interventions/association_file.html",
        {"nav": "settings", "form": form, "errors": errors, "summary": summary},
    )


@association_view("manage_association")
def association_file_download(request):
    data = export_association_file(request.association)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="forbundsfil-{request.association.slug}.json"'
    return response


@system_admin_view
def system_association_file(request):
    form = AssociationFileForm(**bound(request))
    errors, summary, association = [], None, None
    if request.method == "POST" and form.is_valid():
        association, summary, errors = _read_upload(request, form)
    return render(
        request,
        "interventions/system_association_file.html",
        {"form": form, "errors": errors, "summary": summary, "created_association": association},
    )


