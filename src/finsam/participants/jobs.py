"""The participant work that runs in the background (finsam.jobs.registry): reading in a large
participant file, and the participant export. Both derive the insatser from the requester's rights
as they are when the job runs, and write the access log where they read participant data."""

from dataclasses import asdict

from finsam.audit.log import log_access
from finsam.jobs.registry import JobFailed, register

from . import workbook
from .importing import ImportRefused, import_file


@register("participant_import", label="Inläsning av deltagarfil", capability="import_participants",
          personal_data=False)
def run_import(job, progress):
    """The import of the page (importing.import_file): validated whole, then written in one
    transaction; the access log row is written by import_file."""
    interventions = job.association.interventions.with_participant_access(job.access)
    try:
        with open(job.input_path, "rb") as data:
            summary = import_file(data, job.input_name or "deltagarfil", association=job.association,
                                  user=job.requested_by, interventions=interventions, progress=progress)
    except ImportRefused as refused:
        count = len(refused.errors)
        raise JobFailed(f"Filen har {'1 fel' if count == 1 else f'{count} fel'} och har inte lästs in. Ingenting har "
                        "ändrats. Rätta felen i filen och läs in den igen.",
                        errors=[asdict(e) for e in refused.errors], warnings=refused.warnings) from None
    job.warnings = summary.warnings
    return f"Filen är inläst: {summary}."


def _export_insatser(association, access, slug):
    """Every insats whose rows the export may hold (not only those with rows now: a row written
    while the file is made must not escape the check at download)."""
    reachable = association.interventions.with_participant_access(access)
    if slug:
        reachable = reachable.filter(slug=slug)
    return set(reachable.values_list("pk", flat=True))


def may_download_export(job, access):
    """The file holds the rows of the insatser recorded when it was made: the requester must still
    reach every one of them (unassigned since, or the förbund's privacy model changed: refused)."""
    covered = job.parameters.get("exported_insatser")
    if covered is None:
        return False
    return set(covered) <= _export_insatser(job.association, access, "")


@register("participant_export", label="Export av deltagare", capability="export_participants",
          may_download=may_download_export)
def run_export(job, progress):
    file_format = "xlsx" if job.parameters.get("format") == "xlsx" else "csv"
    slug = str(job.parameters.get("insats", ""))[:60]
    participations = workbook.export_participations(job.association, job.access, slug)
    job.parameters["exported_insatser"] = sorted(_export_insatser(job.association, job.access, slug))
    count = participations.count()
    log_access(job.requested_by, job.association, "export",
               subject=f"deltagarexport {file_format}" + (f" {slug}" if slug else "") + f" (jobb {job.pk})",
               row_count=count)
    content, content_type = workbook.export(participations, file_format, job.association, progress=progress)
    job.save_result(f"deltagare-{job.association.slug}.{file_format}", content_type, content, rows=count)
    return f"Exportfilen är klar: {count} deltaganden."
