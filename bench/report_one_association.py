"""Benchmark: one förbund's annual report (~2 000 participations): the page, Excel and PDF.

Two ways to run it from the checkout:

    .venv/bin/python bench/report_one_association.py [--participations 2000] [--runs 15]
        builds its own database (SQLite under a temporary directory unless DATABASE_URL is set),
        loads the example förbund and multiplies its participants to the size asked for;

    DATABASE_URL=… .venv/bin/python bench/report_one_association.py --association gen-001 [--year 2025]
        one förbund of an existing database, e.g. the national one of 2 000 000 participations
        made by `finsam generate-data` (see bench/report_national.py), on SQLite or PostgreSQL.

Each download is an HTTP GET through Django's test client (query, engine, rendering). "Cold" clears
the report cache before every request (the first view after a change); "warm" repeats the request
(every later view until the förbund's data change). Printed, and added to docs/performance.md.
"""

import argparse
import csv
import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participations", type=int, default=2000)
    parser.add_argument("--association", help="slug of a förbund in the existing database in DATABASE_URL")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--profile", action="store_true", help="also print the time of each table")
    args = parser.parse_args()

    if args.association and "DATABASE_URL" not in os.environ:
        raise SystemExit("--association needs DATABASE_URL (the database that holds the förbund).")
    common.setup_django()
    from django.core.cache import cache
    from django.test import Client

    from finsam.participants.models import Participation
    from finsam.tenancy.models import Association, Role, RoleAssignment, User
    from finsam.tenancy.scope import Scope

    if args.association:
        association = Association.objects.get(slug=args.association)
    else:
        association = build_association(args.participations)
    with Scope.national(Association.objects.all()).activate():
        in_database = Participation.objects.count()
    scope = Scope.of(association)
    date_from, date_to = datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)
    with scope.activate():
        user, _ = User.objects.get_or_create(username="bench@finsam.local")
        RoleAssignment.objects.get_or_create(user=user, association=association, role=Role.ANALYST)
        total = association.participations.count()
        current = association.participations.filter(start_date__lte=date_to).exclude(end_date__lt=date_from).count()

        if args.profile:
            from finsam.statistics import engine, tables

            ctx = engine.Context(scope, date_from, date_to)
            for spec in tables.specs():
                start = time.perf_counter()
                spec.build(ctx)
                print(f"  {spec.id:24} {(time.perf_counter() - start) * 1000:7.1f} ms")

    client = Client()
    client.force_login(user)
    url = f"/{association.slug}/rapporter/?period=custom&date_from={date_from}&date_to={date_to}"

    def timed(path, runs, cold=True):
        client.get(path)  # warm up
        times = []
        for _ in range(runs):
            if cold:
                cache.clear()
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]

    page = timed(url, args.runs)
    warm = timed(url, args.runs, cold=False)
    xlsx = timed(url + "&format=xlsx", max(3, args.runs // 3))
    pdf = timed(url + "&format=pdf", max(3, args.runs // 3))
    engine = os.environ["DATABASE_URL"].split(":", 1)[0]
    result = [engine, in_database, f"{association.slug} {args.year}: {current} current",
              *(f"{median:.0f} / {p95:.0f}" for median, p95 in (page, warm, xlsx, pdf))]
    print(f"participations: {in_database} in the database, {total} in {association.slug}, "
          f"{current} current in {args.year}")
    print(f"report page   cold median {page[0]:.0f} ms, p95 {page[1]:.0f} ms (target < 300 ms)")
    print(f"report page   warm median {warm[0]:.0f} ms, p95 {warm[1]:.0f} ms")
    print(f"excel file    median {xlsx[0]:.0f} ms, p95 {xlsx[1]:.0f} ms (target < 2000 ms)")
    print(f"pdf file      median {pdf[0]:.0f} ms, p95 {pdf[1]:.0f} ms")
    if not args.no_record:
        common.record("One förbund's annual report inside", [result])
    return 0


def build_association(participations):
    """The example förbund with its participants copied up to about ``participations``."""
    from finsam.interventions.association_file import apply_association_file
    from finsam.participants.importing import import_file
    from finsam.tenancy.models import Role, RoleAssignment, User
    from finsam.tenancy.scope import Scope

    association, _ = apply_association_file((ROOT / "src/finsam/demo/data/exempelstad.json").read_bytes())
    with Scope.of(association).activate():
        admin, _ = User.objects.get_or_create(username="bench-admin@exempelstad.se")
        RoleAssignment.objects.get_or_create(user=admin, association=association, role=Role.ADMIN)
    with open(ROOT / "src/finsam/demo/data/exempelstad-deltagare.csv", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=";")
        header, rows = next(reader), list(reader)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for n in range(max(1, participations // len(rows))):
        writer.writerows(common.copy_of(header, row, n) for row in rows)
    with Scope.of(association).activate():
        import_file(buffer.getvalue().encode(), "bench.csv", association=association, user=admin,
                    interventions=association.interventions.all(), today=datetime.date(2026, 11, 23))
    return association


if __name__ == "__main__":
    sys.exit(main())
