"""The reports' background jobs (found by the jobs app at start-up): a big report's PDF or Excel
file, rendered by `finsam worker` from a ReportFile's parameters, ids only, after the requester's
rights are checked again (reports/report_files.py; the threshold is REPORT_JOB_CELLS there); and
every publication (`publish_report`), which masks the report against the förbund's earlier
publications, too long for a request."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from finsam.jobs.models import State
from finsam.jobs.queue import enqueue_once
from finsam.jobs.registry import JobFailed, register

from .exporters import registry
from .models import PublishedReport
from .report_files import ReportFile

LIVE_KIND = "report_file"
PUBLISHED_KIND = "published_report_file"


def kind_of(wanted):
    """The job kind that renders ``wanted`` (its capability is the page's)."""
    return PUBLISHED_KIND if wanted.published_id is not None else LIVE_KIND


def render_report_file(job, progress):
    try:
        wanted = ReportFile.from_params(job.parameters)
    except ValueError:
        raise JobFailed("Beställningen av rapportfilen är ogiltig. Beställ filen igen från rapportsidan.") from None
    try:
        wanted.check(job.access)  # the page's rules, now: a role or an insats may have been taken away
    except PermissionDenied:
        raise JobFailed("Du har inte längre behörighet till den här rapporten, så filen togs inte fram.") from None
    exporter = registry.get(wanted.exporter)
    progress(0, 2, "Räknar tabellerna")
    try:
        report = wanted.report(job.association)
    except PublishedReport.DoesNotExist:
        raise JobFailed("Den publicerade rapporten finns inte.") from None
    progress(1, 2, f"Skriver filen ({exporter.label}, {len(report.tables)} tabeller)")
    filename, content_type, content = wanted.render(job.association, report)
    job.save_result(filename, content_type, content)
    progress(2, 2, "Klart")
    return f"Rapporten som {exporter.label} är klar: {len(report.tables)} tabeller."


# A report file holds counts, never a participant (the report pages and their direct downloads are
# not access-logged either): personal_data=False.
register(LIVE_KIND, label="Rapport som fil", capability="view_reports", personal_data=False)(render_report_file)
register(PUBLISHED_KIND, label="Publicerad rapport som fil", capability="view_published_reports",
         personal_data=False)(render_report_file)


# --- publishing ------------------------------------------------------------------------------------

PUBLISH_KIND = "publish_report"


def publish_parameters(cleaned):
    """The publish form's cleaned data as job parameters (JSON values; the form checks them again)."""
    return {"title": cleaned["title"], "date_from": cleaned["date_from"].isoformat(),
            "date_to": cleaned["date_to"].isoformat(), "interventions": list(cleaned["interventions"]),
            "sections": bool(cleaned["sections"]), "replaces": cleaned["replaces"].pk if cleaned["replaces"] else "",
            "correction": cleaned["correction"]}


def queue_publication(association, user, cleaned):
    """The job that publishes the publish form's ``cleaned`` data: a new one, or the user's own
    queued or running job that publishes the very same (a second click on Publicera, a resent form),
    so that one form publishes once (``enqueue_once``). Returns (job, whether it was queued now)."""
    return enqueue_once(PUBLISH_KIND, association=association, user=user, parameters=publish_parameters(cleaned))


def run_publish(job, progress):
    """Every publication (masking it against the earlier ones takes seconds to minutes:
    docs/performance.md), with the form's checks made again now: the insatser or the report it
    replaces may have changed since the request."""
    from .forms import PublishForm
    from .publishing import PublishError, publish_report

    form = PublishForm(job.parameters, association=job.association)
    if not form.is_valid():
        problems = [f"{form.fields[name].label or 'Rapporten'}: {message}" if name in form.fields else message
                    for name, messages in form.errors.items() for message in messages]
        raise JobFailed("Rapporten publicerades inte. " + " ".join(problems))
    c = form.cleaned_data
    progress(0, 1, "Räknar tabellerna och maskerar dem mot förbundets tidigare publiceringar")
    try:
        published = publish_report(job.association, date_from=c["date_from"], date_to=c["date_to"],
                                   interventions=c["interventions"], title=c["title"], user=job.requested_by,
                                   replaces=c["replaces"], correction=c["correction"], sections=c["sections"])
    except PublishError as error:
        raise JobFailed(str(error)) from None
    job.parameters["published_id"] = published.pk
    progress(1, 1, "Klart")
    return f"Rapporten ”{published.title}” är publicerad. Du hittar den under Publicerade rapporter."


def publication_link(job):
    """The job page's way to the publication the job made (run_publish records its id)."""
    published_id = job.parameters.get("published_id")
    if published_id is None:
        return None
    return "Visa den publicerade rapporten", reverse("reports:published_detail",
                                                    args=[job.association.slug, published_id])


# No file: the publication itself is the result, and holds counts only.
register(PUBLISH_KIND, label="Publicering av rapport", capability="publish_reports",
         personal_data=False, link=publication_link)(run_publish)
