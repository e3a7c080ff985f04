"""The participant work that runs in the background (finsam.jobs.registry): reading in a large
participant file, the participant export and a long register extract's PDF. Each derives the
insatser from the requester's rights as they are when the job runs, and writes the access log where
it reads participant data."""

from dataclasses import asdict

from finsam.audit.log import log_access
from finsam.jobs.registry import JobFailed, register

from . import extract, workbook
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


# --- a register extract's PDF -------------------------------------------------------------------
# Parameters: the participations found (ids: the identity number is never stored, not even hashed,
# outside the participations themselves) and how they were sought.

def _extract_participations(job, access):
    """The extract's participations, if ``access`` still reaches every one of them; else None."""
    wanted = {int(pk) for pk in job.parameters.get("participations", []) if str(pk).isdigit()}
    reachable = job.association.interventions.with_participant_access(access)
    found = list(job.association.participations.filter(pk__in=wanted, intervention__in=reachable)
                 .select_related("intervention", "intervention__association")
                 .prefetch_related("support", "target_group_records", "changes__user").order_by("start_date", "id"))
    return found if wanted and {p.pk for p in found} == wanted else None


def may_download_extract(job, access):
    return _extract_participations(job, access) is not None


@register("register_extract", label="Registerutdrag som PDF", capability="view_participants",
          may_download=may_download_extract)
def run_extract(job, progress):
    participations = _extract_participations(job, job.access)
    if participations is None:
        raise JobFailed("Du når inte längre alla deltaganden i utdraget (eller så har något tagits bort), så "
                        "utdraget togs inte fram. Sök fram personen igen.")
    progress(0, 2, "Hämtar uppgifterna")
    data = extract.build(job.association, participations, user=job.requested_by,
                         how="personnummer" if job.parameters.get("how") == "personnummer" else "referens")
    log_access(job.requested_by, job.association, "register_extract",
               subject=extract.log_subject("pdf", participations, job=job.pk), row_count=len(participations))
    progress(1, 2, "Skriver PDF-filen")
    job.save_result(f"registerutdrag-{job.association.slug}.pdf", "application/pdf", extract.as_pdf(data),
                    rows=len(participations))
    return f"Registerutdraget är klart: {len(participations)} deltaganden."
