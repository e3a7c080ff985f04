"""A background job: one row per piece of long work a user asked for (docs/architecture.md,
"Background jobs"). Parameters hold ids and plain values only, so that the job can run in another
process; files (the uploaded input, the result) live in the job's directory under
FINSAM_JOBS_DIR, never in the database."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import models

from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped


class State(models.TextChoices):
    QUEUED = "queued", "I kö"
    RUNNING = "running", "Pågår"
    DONE = "done", "Klart"
    FAILED = "failed", "Misslyckades"


FINISHED = (State.DONE, State.FAILED)


class Job(models.Model):
    association = models.ForeignKey(Association, verbose_name="förbund", on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField("typ", max_length=40)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="beställt av", on_delete=models.CASCADE,
                                     related_name="+")
    parameters = models.JSONField("parametrar", default=dict, blank=True)
    input_name = models.CharField("indatafil", max_length=200, blank=True)  # the uploaded file's name, shown
    state = models.CharField("läge", max_length=10, choices=State.choices, default=State.QUEUED)
    # Progress as the job last reported it when it could write the row (start and end); while it
    # runs, progress.read_progress() has the current figures.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    summary = models.TextField("resultat", blank=True)
    error = models.TextField("fel", blank=True)
    errors = models.JSONField(default=list, blank=True)  # row errors (row, column, value, message)
    warnings = models.JSONField(default=list, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    result_rows = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the worker that claimed it
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = scoped()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="job_state_created")]
        verbose_name = "bakgrundsjobb"
        verbose_name_plural = "bakgrundsjobb"

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.state})"

    @property
    def finished(self):
        return self.state in FINISHED

    @property
    def kind_label(self):
        from .registry import KINDS

        registered = KINDS.get(self.kind)
        return registered.label if registered else self.kind

    # --- files -----------------------------------------------------------------------------------
    @property
    def directory(self):
        return directory_of(self.association_id, self.pk)

    @property
    def input_path(self):
        return self.directory / "input"

    @property
    def result_path(self):
        return self.directory / "result"

    def save_result(self, filename, content_type, content, *, rows=0):
        """Store the result file: ``content`` is bytes, an iterable of bytes or a binary file."""
        path = self.result_path
        with open_private(path) as out:
            if isinstance(content, bytes):
                out.write(content)
            elif hasattr(content, "read"):
                shutil.copyfileobj(content, out)
            else:
                for chunk in content:
                    out.write(chunk)
        self.result_name, self.result_content_type, self.result_rows = filename[:200], content_type, rows

    def delete_files(self, *, keep_result=False):
        """Everything of the job's directory, or everything but its result file."""
        if keep_result and self.result_path.exists():
            for path in self.directory.iterdir():
                if path != self.result_path:
                    path.unlink(missing_ok=True)
        else:
            shutil.rmtree(self.directory, ignore_errors=True)


def directory_of(association_id, job_id):
    """One directory per förbund and job, created private (0700): another förbund's files are
    only ever reached through its own job rows, which the views scope by förbund and user."""
    return Path(settings.FINSAM_JOBS_DIR) / str(association_id) / str(job_id)


def open_private(path):
    """A new file only its owner may read (results and uploads hold participant data)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(descriptor, "wb")
