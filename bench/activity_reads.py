"""Benchmark: the queries and time of one report of the demo förbund, and of publishing three.

    .venv/bin/python bench/activity_reads.py [--repeat 7] [--year 2024] [--insats finsam-team] [--no-record]

builds its own demo database (`finsam demo`; SQLite in a temporary directory unless DATABASE_URL names
an empty database), then for the year of the whole förbund and of one insats counts the queries of
`compute_report` (all of them, and those reading the activity tables) and times it (median of
``--repeat`` runs after one to warm up), then times publishing the insats's second half, the whole
year and the whole second half, in that order (each masked against the ones before). Printed, and
added to docs/performance.md ("Reading a report's activities once").
"""

import argparse
import datetime
import statistics
import time

import common


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--insats", default="finsam-team")
    parser.add_argument("--label", default="", help="what the run measures, e.g. before or after a change")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finsam.reports.publishing import publish_report
    from finsam.statistics.engine import compute_report
    from finsam.tenancy.models import Association, User
    from finsam.tenancy.scope import Scope

    call_command("demo", quiet=True)
    association = Association.objects.get(slug="exempelstad")
    year = args.year
    start, end, half = datetime.date(year, 1, 1), datetime.date(year, 12, 31), datetime.date(year, 7, 1)
    database = connection.vendor
    rows = []
    with Scope.of(association).activate():
        for name, scope in (("förbund", []), (args.insats, [args.insats])):
            with CaptureQueriesContext(connection) as queries:
                compute_report(association, start, end, scope)
            activity = sum(1 for q in queries.captured_queries if '"activities_' in q["sql"])
            seconds = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                compute_report(association, start, end, scope)
                seconds.append(time.perf_counter() - began)
            ms = round(statistics.median(seconds) * 1000)
            print(f"{database} {year} {name}: {len(queries)} queries ({activity} of activities_*), "
                  f"compute_report median {ms} ms of {args.repeat}")
            rows.append([f"{database}{', ' + args.label if args.label else ''}", f"compute_report {year} {name}",
                         len(queries), activity, ms])
        user = User.objects.get(username="analytiker@exempelstad.se")
        for title, date_from, scope in ((f"{args.insats} H2", half, [args.insats]), ("förbund year", start, []),
                                        ("förbund H2", half, [])):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                publish_report(association, date_from=date_from, date_to=end, interventions=scope, title=title,
                               user=user)
                ms = round((time.perf_counter() - began) * 1000)
            print(f"{database} publish {title} {year}: {ms} ms, {len(queries)} queries")
            rows.append([f"{database}{', ' + args.label if args.label else ''}", f"publish {title} {year}",
                         len(queries), "", ms])
    if not args.no_record:
        common.record("Reading a report's activities once", rows)


if __name__ == "__main__":
    main()
