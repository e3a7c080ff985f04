"""Running jobs: claim, re-check rights, run, record the outcome; find jobs whose worker died.

A job is claimed with a conditional UPDATE (state queued -> running), so two workers never run
the same job (model: healthchecks' sendalerts). While it runs, progress and a heartbeat go to a
file in the job's directory (progress.py). A running job whose heartbeat is older than
FINSAM_JOB_LEASE_SECONDS lost its worker (killed, machine gone): it is marked failed, never re-run
(docs/decisions.md, "Background jobs").
"""

import datetime
import logging
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from finsam.tenancy.permissions import Access
from finsam.tenancy.scope import Scope

from .models import Job, State
from .progress import Progress, heartbeat, last_heartbeat, read_progress
from .registry import KINDS, JobFailed

logger = logging.getLogger(__name__)

STALE_MESSAGE = ("Jobbet avbröts innan det blev klart (bearbetningen stoppades). Ingenting av det har sparats. "
                 "Starta det igen.")
UNEXPECTED_MESSAGE = "Jobbet avbröts av ett oväntat fel. Ingenting av det har sparats. Försök igen."
NO_RIGHTS_MESSAGE = "Du har inte längre behörighet till det här jobbet, så det kördes inte."
UNKNOWN_KIND_MESSAGE = "Den här sortens jobb finns inte längre i programmet."


def _the_queue():
    """The worker serves every förbund: finding queued, stale and expired jobs looks across all of
    them (the one place it does). A job itself runs inside its förbund's scope (``run_job``)."""
    return scopes_disabled()


def worker_name():
    return f"{os.uname().nodename}:{os.getpid()}"[:100]


def claim_next(worker=""):
    """The oldest queued job, now running for this worker; None when the queue is empty."""
    while True:
        with _the_queue():
            candidate = (Job.objects.filter(state=State.QUEUED).order_by("created_at", "id")
                         .values_list("pk", flat=True).first())
        if candidate is None:
            return None
        job = _claim(candidate, worker)
        if job is not None:
            return job
        # Another worker got there first: look again.


def _claim(job_id, worker):
    now = timezone.now()
    with _the_queue():
        claimed = Job.objects.filter(pk=job_id, state=State.QUEUED).update(
            state=State.RUNNING, worker=worker or worker_name(), started_at=now, heartbeat_at=now)
        if claimed != 1:
            return None
        return Job.objects.select_related("association", "requested_by").get(pk=job_id)


def run_queued(job_id):
    """Claim one given job and run it in this process (FINSAM_JOBS_SYNC)."""
    job = _claim(job_id, worker_name())
    if job is not None:
        run_job(job)
    return job


def run_job(job):
    """Run a claimed job to its end, inside its förbund's scope, and record the outcome on its row.
    Rights are checked again now: the requester may have lost the role, or the förbund its privacy
    model, since queuing."""
    with Scope.of(job.association).activate():
        return _run_in_scope(job)


def _run_in_scope(job):
    progress = Progress(job)
    outcome = {}
    try:
        kind = KINDS.get(job.kind)
        if kind is None:
            raise JobFailed(UNKNOWN_KIND_MESSAGE)
        access = Access.for_user(job.requested_by, job.association)
        if not access.can(kind.capability):
            raise JobFailed(NO_RIGHTS_MESSAGE)
        job.access = access
        with heartbeat(progress):
            summary = kind.run(job, progress)
        outcome = {"state": State.DONE, "summary": summary or "", "warnings": job.warnings,
                   "result_name": job.result_name, "result_content_type": job.result_content_type,
                   "result_rows": job.result_rows, "parameters": job.parameters}
    except JobFailed as failed:
        outcome = {"state": State.FAILED, "error": failed.message, "errors": failed.errors, "warnings": failed.warnings}
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        outcome = {"state": State.FAILED, "error": UNEXPECTED_MESSAGE}
    finally:
        done, total, text = read_progress(job)
        failed = outcome.get("state") != State.DONE
        now = timezone.now()
        Job.objects.filter(pk=job.pk, state=State.RUNNING).update(
            **(outcome or {"state": State.FAILED, "error": UNEXPECTED_MESSAGE}),
            progress_done=total if not failed else done, progress_total=total, progress_text=text,
            finished_at=now, heartbeat_at=now)
        # Only now: without progress.json a running job's heartbeat is the row's, as old as the
        # claim, and a look at its page in between failed a job that had just committed.
        job.delete_files(keep_result=not failed)
    job.refresh_from_db()
    return job


def fail_stale_jobs(now=None):
    """Mark failed every running job whose worker stopped beating; returns how many. The data of
    such a job is untouched: what it wrote was in a transaction that died with the worker."""
    now = now or timezone.now()
    with _the_queue():
        return sum(fail_if_stale(job, now) for job in Job.objects.filter(state=State.RUNNING))


def fail_if_stale(job, now=None):
    """True when ``job`` was running without a heartbeat for longer than the lease and is now
    marked failed (by this call: the update is conditional, so two callers fail it once)."""
    now = now or timezone.now()
    if job.state != State.RUNNING:
        return False
    if now - last_heartbeat(job) <= datetime.timedelta(seconds=settings.FINSAM_JOB_LEASE_SECONDS):
        return False
    done, total, text = read_progress(job)
    if not Job.objects.filter(pk=job.pk, state=State.RUNNING, worker=job.worker).update(
            state=State.FAILED, error=STALE_MESSAGE, finished_at=now, progress_done=done,
            progress_total=total, progress_text=text):
        return False
    job.delete_files()
    logger.warning("Job %s (%s) lost its worker %s: marked failed", job.pk, job.kind, job.worker)
    job.refresh_from_db()
    return True


def delete_expired_jobs(now=None):
    """Retention: jobs older than FINSAM_JOB_RETENTION_DAYS go with their files (results hold
    participant data), and so do directories left without a row (a request rolled back after
    storing its upload). Returns how many jobs were deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.FINSAM_JOB_RETENTION_DAYS)
    with _the_queue():
        expired = list(Job.objects.filter(created_at__lt=cutoff).filter(~Q(state=State.RUNNING)))
        for job in expired:
            job.delete_files()
            job.delete()
        _delete_orphans(now)
    return len(expired)


def _delete_orphans(now):
    root = Path(settings.FINSAM_JOBS_DIR)
    if not root.is_dir():
        return
    known = set(Job.objects.values_list("association_id", "pk"))
    an_hour_ago = now.timestamp() - 3600
    for association_dir in root.iterdir():
        for job_dir in association_dir.iterdir() if association_dir.is_dir() else ():
            try:
                key = (int(association_dir.name), int(job_dir.name))
            except ValueError:
                continue
            if key not in known and job_dir.stat().st_mtime < an_hour_ago:
                shutil.rmtree(job_dir, ignore_errors=True)
