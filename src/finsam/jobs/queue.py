"""Queuing a job. The row is written in the caller's transaction, so a worker sees it only once
that commits, and a request that fails leaves no job behind (pretix queues its tasks on commit for
the same reason). With FINSAM_JOBS_SYNC (tests, a development server without a worker) the job is
run in-process right after the commit instead of by ``finsam worker``."""

from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from finsam.tenancy.models import Association
from finsam.tenancy.permissions import Access

from . import registry, runner
from .models import Job, State, open_private

UPLOAD_CHUNK = 1024 * 1024


def enqueue(kind_id, *, association, user, parameters=None, upload=None):
    """Queue a job of a registered kind for ``user`` in ``association``. ``parameters`` must be
    JSON values (ids, codes, dates as ISO text), never model instances; ``upload`` (an uploaded
    file or any binary file) is copied into the job's private directory, since the request's
    temporary file disappears with the request."""
    kind = registry.kind(kind_id)
    if not Access.for_user(user, association).can(kind.capability):
        raise PermissionDenied
    # Atomic, so that a worker never claims the row before its file is stored in full.
    with transaction.atomic():
        job = Job.objects.create(association=association, kind=kind.id, requested_by=user,
                                 parameters=parameters or {}, input_name=(getattr(upload, "name", "") or "")[:200])
        if upload is not None:
            _store(upload, job.input_path)
        transaction.on_commit(partial(_committed, job.pk))
    return job


def enqueue_once(kind_id, *, association, user, parameters, reuse_done=False):
    """The user's own job of this kind with the very same ``parameters`` that is queued or running
    (a second click, a resent form), or with ``reuse_done`` one that is done and whose result file
    the retention has not deleted (a file that cannot change: a published report's), else a new
    one. Returns (job, whether it was queued now).

    The förbund's row is locked while looking and queuing (on SQLite the IMMEDIATE transaction is
    that lock), so two such requests at once take turns and the second finds the first's job."""
    states = (State.QUEUED, State.RUNNING, State.DONE) if reuse_done else (State.QUEUED, State.RUNNING)
    with transaction.atomic():
        Association.objects.select_for_update().filter(pk=association.pk).first()
        for job in association.jobs.filter(kind=kind_id, requested_by=user, state__in=states).order_by("-pk"):
            if job.parameters == parameters and (job.state != State.DONE or job.result_path.exists()):
                return job, False
        return enqueue(kind_id, association=association, user=user, parameters=parameters), True


def _store(upload, path):
    if hasattr(upload, "seek"):
        upload.seek(0)
    with open_private(path) as out:
        chunks = upload.chunks(UPLOAD_CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(UPLOAD_CHUNK), b"")
        for chunk in chunks:
            out.write(chunk)


def _committed(job_id):
    if settings.FINSAM_JOBS_SYNC:
        runner.run_queued(job_id)
