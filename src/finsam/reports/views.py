from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from finsam.jobs.queue import enqueue_once
from finsam.participants import quality
from finsam.statistics.cache import cached_for_data_version, cached_report
from finsam.statistics.tables import COUNTING_RULES
from finsam.tenancy.models import User
from finsam.tenancy.permissions import association_view

from . import overview, units
from .describe import describe
from .exporters import registry as exporters
from .forms import PublishForm, ReportForm, check_scope, report_scope
from .html import table_view
from .jobs import kind_of, queue_publication
from .report_files import ReportFile, in_background, is_big


def _download(request, wanted, report):
    """The file now, or for a big report in a heavy format (PDF, Excel) a background job and its
    page (docs/decisions.md, issue 11: REPORT_JOB_CELLS): the user's own job for the same file while
    it runs, and for a published report's file (frozen: it cannot change) also once it is done."""
    if is_big(report, exporters.get(wanted.exporter)):
        job, _ = enqueue_once(kind_of(wanted), association=request.association, user=request.user,
                              parameters=wanted.params(), reuse_done=wanted.published_id is not None)
        return redirect("jobs:detail", request.association.slug, job.pk)
    filename, content_type, content = wanted.render(request.association, report)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@association_view("view_reports")
def report_page(request):
    """The live report for the roles that may see small counts, with a preview of its masking."""
    association = request.association
    data = request.GET if "period" in request.GET else None
    scope = report_scope(request.access)  # a deltagaransvarig: their own insatser only
    form = ReportForm(data, association=association, scope=scope)
    report = None
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        check_scope(scope, c["interventions"])  # the form refuses this already; never widen it
        report = cached_report(association, c["date_from"], c["date_to"], c["interventions"], publish=c["publish"],
                               sections=c["sections"], previous=c["previous"])
        report = units.with_unit(report, c["unit"])
        file_format = request.GET.get("format")
        if file_format and file_format not in exporters:
            raise Http404  # as on a publication's page: a file format that does not exist
        if file_format:
            wanted = ReportFile(association.pk, file_format, c["date_from"], c["date_to"], tuple(c["interventions"]),
                                publish=c["publish"], sections=c["sections"], previous=c["previous"], unit=c["unit"])
            return _download(request, wanted, report)
    # Formatted only when the template's cached fragment of this report is missing.
    sections = (lambda: [table_view(table, report.unit) for table in report.tables]) if report is not None else []
    query = request.GET.copy()
    query.pop("format", None)
    publish_form = None
    if report is not None and request.access.can("publish_reports"):
        # Its own ids: the report form above has fields of the same names (one id per page).
        publish_form = PublishForm(association=association, auto_id="id_publish_%s", initial={
            "date_from": report.date_from, "date_to": report.date_to, "interventions": report.interventions,
            "sections": form.cleaned_data["sections"]})
    return render(request, "reports/report.html", {
        "nav": "reports", "form": form, "report": report, "sections": sections,
        "description": describe(report) if report else [], "query": query.urlencode(),
        "counting_rules": COUNTING_RULES, "publish_form": publish_form, "formats": exporters.links(),
        "in_background": in_background(report) if report is not None else [],
    })


@require_POST
@association_view("publish_reports")
def publish(request):
    """Checks the form here, so that its errors come at once, and publishes in the background:
    masking against the earlier publications takes seconds to minutes (docs/performance.md). The
    job page links to the publication when it is done, or says why it was refused."""
    association = request.association
    form = PublishForm(request.POST, association=association)
    if not form.is_valid():
        return render(request, "reports/publish.html", {"nav": "reports", "form": form}, status=400)
    job, queued = queue_publication(association, request.user, form.cleaned_data)
    if not queued:
        messages.info(request, "Den här publiceringen är redan beställd: här är jobbet som gör den.")
    return redirect("jobs:detail", association.slug, job.pk)


@association_view("view_published_reports")
def published_list(request):
    reports = request.association.published_reports.select_related("published_by", "replaces", "replaced_by")
    return render(request, "reports/published_list.html", {"nav": "published", "publications": reports})


@association_view("view_published_reports")
def published_detail(request, report_id):
    published = get_object_or_404(request.association.published_reports.select_related("published_by", "replaces"),
                                  pk=report_id)
    report = units.with_unit(published.report(), units.default_unit(request.association))
    file_format = request.GET.get("format")
    if file_format:
        if file_format not in exporters:
            raise Http404
        return _download(request, ReportFile(request.association.pk, file_format, published_id=published.pk), report)
    return render(request, "reports/published_detail.html", {
        "nav": "published", "published": published, "report": report,
        "sections": [table_view(table, report.unit) for table in report.tables],
        "description": describe(report), "counting_rules": COUNTING_RULES,
        "formats": exporters.links(), "in_background": in_background(report),
    })


@association_view("view_association")
def overview_page(request):
    """Översikt: "how are we doing this year?" for every role (reports/overview.py)."""
    association, access = request.association, request.access
    interventions = association.interventions.visible_to(access)
    day = quality.today()  # one "today" for the figures, the warnings and the warnings' lists
    figures, warnings = None, []
    if access.can("view_reports"):
        scope = report_scope(access)
        # A deltagaransvarig without insatser has no figures (an empty scope is not the whole förbund).
        figures = overview.live_overview(association, scope, day) if scope != [] else overview.Overview(live=True)
        # Live counts: only of the insatser the live report covers (a deltagaransvarig who is also
        # läsare sees every insats listed, but live figures of the assigned ones only).
        warned = interventions if scope is None else interventions.filter(slug__in=scope)
        warnings = _quality_warnings(association, access, warned.order_by("name"), day)
    else:  # a läsare: published figures only, never live ones (issue 9)
        figures = overview.published_overview(association, day)
    return render(
        request,
        "reports/overview.html",
        {
            "nav": "dashboard",
            "today": day,
            "overview": figures,
            "warnings": warnings,
            "intervention_count": interventions.count(),
            "active_count": interventions.filter(status="active").count(),
            "member_count": association.members.count(),
            "user_count": User.objects.filter(role_assignments__association=association).distinct().count(),
        },
    )


def _quality_warnings(association, access, interventions, day):
    """[(insats, [(label, count, link or None)])] of the insatser with a warning. Links to the
    rows only where ``access`` may see the insats's participants; otherwise counts alone."""
    interventions = list(interventions)
    ids = [i.pk for i in interventions]
    counts = cached_for_data_version(association, f"quality:{day}:{','.join(map(str, ids))}",
                                     lambda: quality.counts(association, ids, day))
    linked = set(association.interventions.with_participant_access(access).values_list("pk", flat=True))
    result = []
    for intervention in interventions:
        found = counts.get(intervention.pk, {})
        items = []
        for kind, label in quality.WARNINGS.items():
            if found.get(kind):
                link = None
                if intervention.pk in linked:
                    link = reverse("participants:list", args=[association.slug, intervention.slug])
                    link += "?" + urlencode({"status": quality.STATUS[kind], "varning": kind})
                items.append((label, found[kind], link))
        if items:
            result.append((intervention, items))
    return result
