"""A real `finsam worker` process against the test database (issue 11): it runs a queued job,
stops cleanly on SIGTERM, and when killed (SIGKILL) half-way through writing an import, the
import's one transaction dies with it: no participation is written, and the job is marked failed
once its heartbeat is older than the lease."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from finsam.jobs import runner
from finsam.jobs.models import Job, State
from finsam.jobs.queue import enqueue
from finsam.participants.models import Participation

from tests.test_jobs import participant_file, upload

pytestmark = pytest.mark.django_db(transaction=True)
SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    settings.FINSAM_JOBS_SYNC = False
    return settings


def database_url():
    """The test database (a file on SQLite: tests/conftest.py; test_<name> on PostgreSQL)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    auth = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{auth}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


def worker_env(job_settings):
    return {**os.environ, "DATABASE_URL": database_url(), "FINSAM_JOBS_DIR": str(job_settings.FINSAM_JOBS_DIR),
            "FINSAM_JOBS_SYNC": "false", "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "finsam.settings"}


@pytest.fixture
def worker(job_settings):
    processes = []

    def start():
        process = subprocess.Popen([sys.executable, "-m", "finsam.cli", "worker", "--poll", "0.2"],
                                   env=worker_env(job_settings), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition, seconds=60, step=0.05):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def test_a_worker_process_runs_a_queued_job_and_stops_on_sigterm(world, worker):
    process = worker()
    job = enqueue("participant_import", association=world.alfa, user=world.users["manager"],
                  upload=upload(participant_file(50)))
    wait_for(lambda: Job.objects.get(pk=job.pk).finished)
    job.refresh_from_db()
    assert job.state == State.DONE, job.error
    assert job.worker.endswith(f":{process.pid}")
    assert Participation.objects.filter(reference__startswith="R-").count() == 50
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "stoppad efter 1 jobb" in output


def test_a_killed_worker_leaves_the_job_failed_and_the_data_untouched(world, worker, job_settings):
    rows = 20000
    before = Participation.objects.count()
    job = enqueue("participant_import", association=world.alfa, user=world.users["manager"],
                  upload=upload(participant_file(rows)))
    process = worker()
    progress_file = job.directory / "progress.json"

    def writing():
        try:
            progress = json.loads(progress_file.read_text())
        except (OSError, ValueError):
            return None
        # Past the first chunks of the write: rows are in the transaction, not yet committed.
        return progress if progress["text"].startswith("Steg 2") and 4000 <= progress["done"] < rows else None

    seen = wait_for(writing, seconds=120, step=0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert Participation.objects.count() == before  # the import's transaction died with the worker
    job.refresh_from_db()
    assert job.state == State.RUNNING  # nobody knows yet
    assert runner.fail_stale_jobs() == 0  # within the lease
    later = timezone.now() + datetime.timedelta(seconds=job_settings.FINSAM_JOB_LEASE_SECONDS + 1)
    assert runner.fail_stale_jobs(now=later) == 1
    job.refresh_from_db()
    assert job.state == State.FAILED and job.error == runner.STALE_MESSAGE
    assert job.progress_done >= seen["done"] and job.progress_total == rows
    assert not job.directory.exists()  # the uploaded file went with it
    assert Participation.objects.count() == before


def test_a_worker_given_its_parent_ends_when_the_parent_does(job_settings):
    """bin/serve's guarantee when the script itself is killed: the worker does not outlive it."""
    shell = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m finsam.cli worker --poll 0.2 --parent $$ >/dev/null 2>&1 & echo $!"],
        env=worker_env(job_settings), capture_output=True, text=True, timeout=30)
    pid = int(shell.stdout.strip())

    def gone():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"

    try:
        wait_for(gone, seconds=30, step=0.1)
    finally:
        if not gone():
            os.kill(pid, signal.SIGKILL)
