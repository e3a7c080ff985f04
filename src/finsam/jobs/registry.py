"""The job kinds: each app registers what may run in the background (model: healthchecks'
TRANSPORTS, pretix's exporters). Nothing in the jobs app branches on a kind id.

An app declares its kinds in its own ``<app>/jobs.py``, imported at start-up by ``JobsConfig``::

    @register("participant_export", label="Export av deltagare", capability="export_participants")
    def run(job, progress):
        ...
        progress(done, total, "Skriver raderna")
        job.warnings = ["..."]      # optional: Swedish warnings shown with the summary
        job.parameters["..."] = ...  # optional: what the result covers, kept with the outcome
        job.save_result("deltagare.csv", "text/csv", file_or_bytes, rows=count)
        return "1 200 deltaganden"   # the summary shown when the job is done (Swedish)

A kind whose result is a page, not a file, registers ``link=lambda job: (text, url)`` (or None):
the job page shows that link once the job is done (reports/jobs.py: the publication).

``job.access`` is the requester's ``tenancy.permissions.Access`` computed when the job starts; the
runner has already refused the job if the requester no longer holds ``capability``. Raise
:class:`JobFailed` with a Swedish message (and row errors) to fail the job with an explanation.
"""

from dataclasses import dataclass
from typing import Callable

from finsam.tenancy.permissions import CAPABILITIES


@dataclass(frozen=True)
class JobKind:
    id: str
    label: str  # Swedish, shown on the job page
    capability: str  # tenancy.permissions capability the requester must hold to queue, run and download
    run: Callable  # run(job, progress) -> summary text (Swedish) or None
    # Whether the result file holds participant-level data: then each download is access-logged.
    personal_data: bool = True
    # may_download(job, access) -> bool: whether the requester's rights *now* still cover what the
    # result holds (e.g. a deltagaransvarig unassigned from an insats since its export ran); the
    # capability alone says nothing about which insatser. None: the capability suffices.
    may_download: Callable | None = None
    # link(job) -> (Swedish link text, URL) or None: where a job that is done leads, when what it
    # made is a page rather than a file (a publication). The job page shows it as a plain link:
    # never a redirect, so that the status a screen reader heard stays where it was.
    link: Callable | None = None


class JobFailed(Exception):
    """A failure to explain to the user: ``message`` in Swedish; ``errors`` a list of dicts with
    row, column, value and message (an import's row errors), shown as a table."""

    def __init__(self, message, errors=(), warnings=()):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        self.warnings = list(warnings)


KINDS = {}


def register(kind_id, *, label, capability, personal_data=True, may_download=None, link=None):
    if capability not in CAPABILITIES:
        raise ValueError(f"Unknown capability {capability!r}")
    if kind_id in KINDS:
        raise ValueError(f"Job kind {kind_id!r} is registered twice")

    def decorator(run):
        KINDS[kind_id] = JobKind(kind_id, label, capability, run, personal_data, may_download, link)
        return run

    return decorator


def kind(kind_id):
    """The registered kind; KeyError for an unknown id (a job queued by a removed app)."""
    return KINDS[kind_id]
