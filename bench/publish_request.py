"""Benchmark: what the analyst waits for when they press Publicera, on the demo förbund.

    .venv/bin/python bench/publish_request.py [--runs 3] [--no-record]

builds its own database (SQLite under a temporary directory unless DATABASE_URL is set), loads the
demo (`finsam demo`: Exempelstad with plan, finance, surveys and activities), publishes three
earlier reports (the first half of 2024, its third quarter, the year of one insats) and then times
the POST of the publish form for the year 2024 of the whole förbund through Django's test client,
logged in as the demo's analyst. When the POST answers with a job page (the publication runs as the
background job `publish_report`), the job is then run here as the worker would, and timed too.
Each run is rolled back, so every run publishes against the same three earlier publications.

Run it from a checkout's root: the code measured is that checkout's `src/` (so the same script
measures the code before a change from another worktree). Printed, and added to docs/performance.md.
"""

import argparse
import io
import datetime
import os
import statistics
import sys
import time

import common

D = datetime.date


class Rollback(Exception):
    pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    common.setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from finsam.reports.publishing import publish_report
    from finsam.tenancy.models import Association, User
    from finsam.tenancy.scope import Scope

    settings.FINSAM_JOBS_SYNC = False  # this script plays the worker, and times it apart
    settings.ALLOWED_HOSTS = ["*"]
    call_command("demo", verbosity=0, stdout=io.StringIO())
    association = Association.objects.get(slug="exempelstad")
    analyst = User.objects.get(username="analytiker@exempelstad.se")
    with Scope.of(association).activate():
        slug = association.interventions.order_by("slug").values_list("slug", flat=True).first()
        for title, start, end, scope in [("H1", D(2024, 1, 1), D(2024, 6, 30), []),
                                         ("Q3", D(2024, 7, 1), D(2024, 9, 30), []),
                                         (slug, D(2024, 1, 1), D(2024, 12, 31), [slug])]:
            publish_report(association, date_from=start, date_to=end, interventions=scope, title=title, user=analyst)

    client = Client()
    client.force_login(analyst)
    url = reverse("reports:publish", args=[association.slug])
    form = {"title": "Årsredovisning 2024", "date_from": "2024-01-01", "date_to": "2024-12-31"}
    requests, jobs = [], []
    for _ in range(args.runs):
        try:
            with transaction.atomic():  # rolled back: the next run sees the same three publications
                began = time.perf_counter()
                response = client.post(url, form)
                requests.append(time.perf_counter() - began)
                assert response.status_code == 302, response.status_code
                if "/jobb/" in response.url:
                    from finsam.jobs.models import Job, State
                    from finsam.jobs.runner import run_queued

                    began = time.perf_counter()
                    with Scope.of(association).activate():
                        job_id = Job.objects.filter(kind="publish_report").latest("pk").pk
                    job = run_queued(job_id)
                    jobs.append(time.perf_counter() - began)
                    assert job.state == State.DONE, job.error
                raise Rollback
        except Rollback:
            pass
    request_s = statistics.median(requests)
    job_s = f"{statistics.median(jobs):.2f}" if jobs else "–"
    print(f"POST {request_s:.3f} s (runs: {', '.join(f'{s:.3f}' for s in requests)}); "
          f"job {job_s} s (runs: {', '.join(f'{s:.2f}' for s in jobs)})")
    if not args.no_record:
        engine = os.environ["DATABASE_URL"].split(":", 1)[0]
        common.record("Publishing: the request", [[engine, "job" if jobs else "in the request", len(requests),
                                                  f"{request_s:.3f}", job_s]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
