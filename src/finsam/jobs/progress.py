"""A running job's progress and heartbeat: a small file in the job's directory, not the job row.
An import writes in one long transaction, and on SQLite no other connection can write while it
does, so the worker could not update the row; the web reads the file (``read_progress``) and the
runner judges a worker dead by the file's age (``last_heartbeat``)."""

import datetime
import json
import os
import threading
from contextlib import contextmanager

from django.utils import timezone

from .models import State

HEARTBEAT_SECONDS = 5
PROGRESS_WRITE_SECONDS = 0.25


class Progress:
    """``progress(done, total, text)``: what a job calls as it goes. Writes are throttled (a
    change of text is always written), each replacing the file whole so that a reader never
    sees half of it."""

    def __init__(self, job):
        self.path = job.directory / "progress.json"
        self._last_write = 0.0
        self._last_text = None

    def __call__(self, done, total, text=""):
        now = timezone.now().timestamp()
        if text == self._last_text and done < total and now - self._last_write < PROGRESS_WRITE_SECONDS:
            return
        self._last_write, self._last_text = now, text
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = self.path.with_suffix(".part")
        partial.write_text(json.dumps({"done": int(done), "total": int(total), "text": str(text)[:200]}))
        os.replace(partial, self.path)

    def beat(self):
        try:
            os.utime(self.path)
        except FileNotFoundError:
            self(0, 0, "")


def read_progress(job):
    """(done, total, text) of a job: from its progress file while it runs, else from the row."""
    if job.state == State.RUNNING:
        try:
            data = json.loads((job.directory / "progress.json").read_text())
            return data["done"], data["total"], data["text"]
        except (OSError, ValueError, KeyError):
            pass
    return job.progress_done, job.progress_total, job.progress_text


def last_heartbeat(job):
    beats = [job.heartbeat_at or job.started_at or job.created_at]
    try:
        mtime = (job.directory / "progress.json").stat().st_mtime
        beats.append(datetime.datetime.fromtimestamp(mtime, tz=datetime.timezone.utc))
    except OSError:
        pass
    return max(beats)


@contextmanager
def heartbeat(progress):
    """Beat from a thread, so that a step that reports no progress for a while (reading a large
    workbook) is not taken for a dead worker. It dies with the process."""
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            progress.beat()

    thread = threading.Thread(target=beat, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
