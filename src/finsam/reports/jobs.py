"""Report files as background jobs (found by the jobs app at start-up): a big report's PDF or Excel
file is rendered by `finsam worker` from a ReportFile's parameters, ids only, after the requester's
rights are checked again (reports/report_files.py; the threshold is REPORT_JOB_CELLS there)."""

from django.core.exceptions import PermissionDenied

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
