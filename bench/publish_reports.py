"""Benchmark: publishing reports, each masked against every earlier publication of the förbund.

    .venv/bin/python bench/publish_reports.py [--associations 4] [--participations 80000] [--year 2024]

builds its own database (SQLite under a temporary directory unless DATABASE_URL is set) with
synthetic förbund from `finsam generate-data` and takes the one with the most insatser, then publishes what a förbund publishes in a year and
more: the first half, the whole year and the second half for the whole förbund, then the year for
each insats. Each publication is masked against all the earlier ones (statistics/differencing.py),
so the last ones are the slowest. Printed, and added to docs/performance.md.
"""

import argparse
import datetime
import os
import sys
import time

import common


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--associations", type=int, default=4)
    parser.add_argument("--participations", type=int, default=80000)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    common.setup_django()
    from django.core.management import call_command

    from finsam.reports.publishing import publish_report
    from finsam.statistics import masking
    from finsam.tenancy.models import Association, User
    from finsam.tenancy.scope import Scope

    call_command("generate_data", associations=args.associations, participations=args.participations, seed=2026,
                 verbosity=0)

    def insats_count(association):
        with Scope.of(association).activate():
            return association.interventions.count()

    association = max(Association.objects.order_by("slug"), key=insats_count)
    with Scope.of(association).activate():  # publishing reads and writes the förbund's rows
        user, _ = User.objects.get_or_create(username="bench@finsam.local")
        year = args.year
        whole = [("H1", datetime.date(year, 1, 1), datetime.date(year, 6, 30), []),
                 ("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31), []),
                 ("H2", datetime.date(year, 7, 1), datetime.date(year, 12, 31), [])]
        insatser = [(slug, datetime.date(year, 1, 1), datetime.date(year, 12, 31), [slug])
                    for slug in association.interventions.order_by("slug").values_list("slug", flat=True)]
        times, rows = [], []
        for n, (title, start, end, scope) in enumerate(whole + insatser, start=1):
            began = time.perf_counter()
            published = publish_report(association, date_from=start, date_to=end, interventions=scope, title=title,
                                       user=user)
            seconds = time.perf_counter() - began
            report = published.report()
            counts = sum(1 for t in report.tables for r, cols in t.cells.items() for c, v in cols.items()
                         if (r, c) in t.masked or masking.is_count(t, r, c, v))
            hidden = sum(len(t.masked) for t in report.tables)
            times.append(seconds)
            print(f"{n:2} {title:24} {seconds:6.2f} s  {hidden}/{counts} cells hidden")
            rows.append((title, seconds, hidden, counts))
        engine = os.environ["DATABASE_URL"].split(":", 1)[0]
        participations = association.participations.count()
        result = [engine, participations, association.interventions.count(), len(times),
                  f"{times[0]:.2f}", f"{max(times):.2f}", f"{sum(times):.1f}"]
        print(f"{participations} participations, {association.interventions.count()} insatser: "
              f"first {times[0]:.2f} s, slowest {max(times):.2f} s, all {sum(times):.1f} s")
        if not args.no_record:
            common.record("Publishing reports", [result])
    return 0


if __name__ == "__main__":
    sys.exit(main())
