"""Benchmark: the start page (Översikt), every user's first page, for each role.

    .venv/bin/python bench/dashboard.py [--participations 2000] [--runs 15] [--today 2024-09-30]
        the example förbund multiplied to the size asked for (SQLite in a temporary directory
        unless DATABASE_URL is set), as bench/report_one_association.py builds it;

    DATABASE_URL=… .venv/bin/python bench/dashboard.py --association gen-001 --today 2025-09-30
        one förbund of an existing database (e.g. `finsam generate-data`).

HTTP GET through Django's test client, milliseconds, median / p95. "Cold" empties the report cache
before every request (the first view after any change of the förbund's data): two reports (this
year and last year to date) computed, the data-quality counts queried; "warm" repeats the request.
A läsare's page reads a published report (publishing one first). Printed, and added to
docs/performance.md.
"""

import argparse
import datetime
import os
import statistics
import sys
import time

import common
from report_one_association import build_association


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participations", type=int, default=2000)
    parser.add_argument("--association", help="slug of a förbund in the existing database in DATABASE_URL")
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date(2024, 9, 30))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.association and "DATABASE_URL" not in os.environ:
        raise SystemExit("--association needs DATABASE_URL (the database that holds the förbund).")
    common.setup_django()
    from django.core.cache import cache
    from django.test import Client

    from finsam.participants import quality
    from finsam.reports import overview
    from finsam.reports.publishing import publish_report
    from finsam.tenancy.models import Association, Role, RoleAssignment, User
    from finsam.tenancy.scope import Scope

    overview.today = quality.today = lambda: args.today
    association = (Association.objects.get(slug=args.association) if args.association
                   else build_association(args.participations))
    users = {}
    with Scope.of(association).activate():  # the setup reads and writes the förbund's rows
        for role in (Role.ADMIN, Role.PARTICIPANT_MANAGER, Role.READER):
            users[role], _ = User.objects.get_or_create(username=f"bench-{role}@finsam.local")
            RoleAssignment.objects.get_or_create(user=users[role], association=association, role=role)
        largest = max(association.interventions.all(), key=lambda i: i.participations.count())
        largest.assigned_users.add(users[Role.PARTICIPANT_MANAGER])
        if not association.published_reports.filter(date_from__year=args.today.year).exists():
            publish_report(association, date_from=datetime.date(args.today.year, 1, 1), date_to=args.today,
                           interventions=[], title="Bench", user=users[Role.ADMIN])
        total = association.participations.count()
    url = f"/{association.slug}/"

    def timed(role, runs, cold=True):
        client = Client()
        client.force_login(users[role])
        client.get(url)  # warm up
        times = []
        for _ in range(runs):
            if cold:
                cache.clear()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]

    results = {}
    for role in (Role.ADMIN, Role.PARTICIPANT_MANAGER, Role.READER):
        results[role] = (timed(role, args.runs), timed(role, args.runs, cold=False))
    engine = os.environ["DATABASE_URL"].split(":", 1)[0]
    row = [engine, f"{association.slug}: {total}", str(args.today)]
    for role in (Role.ADMIN, Role.PARTICIPANT_MANAGER, Role.READER):
        (cold, warm) = results[role]
        row += [f"{cold[0]:.0f} / {cold[1]:.0f}", f"{warm[0]:.0f} / {warm[1]:.0f}"]
        print(f"{role:20} cold median {cold[0]:.0f} ms, p95 {cold[1]:.0f} ms; warm {warm[0]:.0f} / {warm[1]:.0f} ms")
    if not args.no_record:
        common.record("Start page (Översikt)", [row])
    return 0


if __name__ == "__main__":
    sys.exit(main())
