"""``finsam worker``: runs queued background jobs until stopped (model: healthchecks' sendalerts).

SIGTERM or Ctrl-C lets the job under way finish (an import is one transaction: stopping half-way
would only throw its work away), then the worker exits. Each round also marks failed the jobs of
workers that died (runner.fail_stale_jobs) and, once an hour, deletes expired jobs and files.
"""

import os
import signal
import time

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections

from finsam.jobs import runner

RETENTION_EVERY_SECONDS = 3600


class Command(BaseCommand):
    help = "Kör bakgrundsjobb (stora inläsningar, exporter, rapportfiler) tills den stoppas med SIGTERM eller Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="kör de jobb som står i kö och avsluta sedan")
        parser.add_argument("--poll", type=float, default=1.0, help="sekunder mellan titten i kön när den är tom")
        parser.add_argument("--parent", type=int, metavar="PID",
                            help="avsluta när processen PID har avslutats (bin/serve ger sitt eget process-id)")

    def handle(self, *args, once=False, poll=1.0, parent=None, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        name = runner.worker_name()
        self.stdout.write(f"Worker {name} väntar på jobb.")
        ran, next_retention = 0, 0.0
        while not self.stopping:
            if parent and not _alive(parent):
                break
            close_old_connections()
            try:
                runner.fail_stale_jobs()
                if time.monotonic() >= next_retention:
                    runner.delete_expired_jobs()
                    next_retention = time.monotonic() + RETENTION_EVERY_SECONDS
                job = runner.claim_next(name)
            except OperationalError as error:  # SQLite busy with another writer: try again
                self.stderr.write(f"Databasen svarade inte ({error}); försöker igen.")
                job = None
            if job is not None:
                self.stdout.write(f"Kör jobb {job.pk} ({job.kind}).")
                job = runner.run_job(job)
                self.stdout.write(f"Jobb {job.pk}: {job.get_state_display()}.")
                ran += 1
                continue
            if once:
                break
            self._sleep(poll)
        self.stdout.write(f"Worker {name} stoppad efter {ran} jobb.")

    def _stop(self, signum, frame):
        self.stopping = True

    def _sleep(self, seconds):
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.1, seconds))


def _alive(pid):
    """Whether process ``pid`` still runs (given by the parent, since the worker may start after a
    parent that is already gone, when os.getppid() would be 1 from the start)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
