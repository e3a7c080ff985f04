"""The job page, its status for the progress bar, and the result file.

A job is reached only through the förbund in the URL and only by the user who asked for it: any
other job is a 404 (another förbund's, or a colleague's, whose result holds what that colleague
may see). The requester must still hold the kind's capability (403 otherwise)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from finsam.audit.log import log_access
from finsam.core.middleware import not_user_activity
from finsam.tenancy.permissions import association_view

from .models import State
from .progress import read_progress
from .registry import KINDS
from .runner import fail_if_stale


def _job(request, job_id):
    job = get_object_or_404(request.association.jobs.select_related("requested_by"), pk=job_id,
                            requested_by=request.user)
    kind = KINDS.get(job.kind)
    if kind is None or not request.access.can(kind.capability):
        raise PermissionDenied
    fail_if_stale(job)  # a worker that died is noticed even if no other worker runs
    return job, kind


def _may_download(request, job, kind):
    return kind.may_download is None or kind.may_download(job, request.access)


def _link(job, kind):
    """(text, url) of what a finished job made, when its kind says where that is."""
    return kind.link(job) if job.state == State.DONE and kind.link is not None else None


WAITING_TOO_LONG = datetime.timedelta(minutes=2)


def status_of(job):
    done, total, text = read_progress(job)
    percent = min(100, done * 100 // total) if total else (100 if job.state == State.DONE else 0)
    if job.state == State.RUNNING:
        # Rounded to tens, so that a screen reader hears a change every tenth, not every second.
        words = f"{job.get_state_display()}: {text or 'startar'}" + (f", omkring {percent // 10 * 10} %" if total else "")
    elif job.state == State.QUEUED and timezone.now() - job.created_at > WAITING_TOO_LONG:
        # A worker takes a queued job within seconds: this long means none is running.
        words = ("I kö: jobbet har inte startat än. Det körs när bearbetningen av bakgrundsjobb är igång; "
                 "kontakta förbundets administratör om det dröjer.")
    elif job.state == State.QUEUED:
        words = "I kö: jobbet startar snart."
    else:
        words = f"{job.get_state_display()}."
    return {"state": job.state, "finished": job.finished, "done": done, "total": total, "percent": percent,
            "text": text, "status_text": words}


LIST_SIZE = 50


@association_view()
def job_list(request):
    """The user's own jobs in this förbund, newest first (the rows name no participant)."""
    jobs = request.association.jobs.filter(requested_by=request.user)[:LIST_SIZE]
    return render(request, "jobs/job_list.html", {"jobs": jobs, "retention_days": settings.FINSAM_JOB_RETENTION_DAYS})


@association_view()
def job_detail(request, job_id):
    job, kind = _job(request, job_id)
    return render(request, "jobs/job_detail.html", {
        "job": job, "kind": kind, "status": status_of(job), "retention_days": settings.FINSAM_JOB_RETENTION_DAYS,
        "may_download": _may_download(request, job, kind), "link": _link(job, kind),
    })


@not_user_activity
@association_view()
def job_status(request, job_id):
    job, _ = _job(request, job_id)
    return JsonResponse(status_of(job))


@association_view()
def job_download(request, job_id):
    job, kind = _job(request, job_id)
    if job.state != State.DONE or not job.result_name:
        raise Http404
    if not _may_download(request, job, kind):
        raise PermissionDenied  # the rights no longer cover what the file holds
    try:
        handle = open(job.result_path, "rb")
    except FileNotFoundError:
        raise Http404 from None  # deleted by the retention
    if kind.personal_data:
        log_access(request, request.association, "job_download", subject=f"{kind.label}: {job.result_name}",
                   row_count=job.result_rows)
    return FileResponse(handle, as_attachment=True, filename=job.result_name, content_type=job.result_content_type)
