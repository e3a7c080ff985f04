"""Benchmark: publishing the year with a section per insats, masked against 0, 2 and 5 earlier
publications of the example förbund (tests/data, 320 participations, 4 insatser).

    .venv/bin/python bench/publish_sections.py [--runs 3] [--no-record]

builds its own database (SQLite under a temporary directory unless DATABASE_URL is set), loads the
example förbund and publishes, one after the other, the earlier publications: the first half with
sections, the third quarter, then the year of three of the insatser alone. Before the first, after
the second and after the fifth it times what ``publish_report`` does for the year of the whole förbund
(``compute_report`` and ``mask_for_publication`` against the earlier ones; the insert is left out so
that every measurement sees the same earlier ones), with sections and, to compare, without.
Printed, and added to docs/performance.md.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

import common

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
D = datetime.date


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    common.setup_django()
    from finsam.interventions.association_file import apply_association_file
    from finsam.participants.importing import import_file
    from finsam.reports.publishing import publish_report
    from finsam.statistics.differencing import mask_for_publication
    from finsam.statistics.engine import compute_report
    from finsam.tenancy.models import User
    from finsam.tenancy.scope import Scope

    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    user = User.objects.create_user("bench@finsam.local")
    with Scope.of(association).activate():
        import_file((DATA / "exempel-deltagare.csv").read_bytes(), "exempel-deltagare.csv", association=association,
                    user=user, interventions=association.interventions.all(), today=D(2026, 11, 23))
        slugs = sorted(association.interventions.values_list("slug", flat=True))
        earlier = [("H1", D(2024, 1, 1), D(2024, 6, 30), [], True), ("Q3", D(2024, 7, 1), D(2024, 9, 30), [], False)]
        earlier += [(slug, D(2024, 1, 1), D(2024, 12, 31), [slug], False) for slug in slugs[:3]]

        def timed(sections):
            published = [p.report() for p in association.published_reports.all()]
            seconds = []
            for _ in range(args.runs):
                began = time.perf_counter()
                report = compute_report(association, D(2024, 1, 1), D(2024, 12, 31), [], sections=sections)
                mask_for_publication(report, association.masking_threshold, published)
                seconds.append(time.perf_counter() - began)
            hidden = sum(len(t.masked) for t in report.tables)
            return statistics.median(seconds), hidden, len(report.tables)

        rows, done = [], 0
        for n in (0, 2, 5):
            for title, start, end, scope, sections in earlier[done:n]:
                publish_report(association, date_from=start, date_to=end, interventions=scope, title=title,
                               user=user, sections=sections)
            done = n
            with_s, hidden_s, tables_s = timed(True)
            without, hidden, tables = timed(False)
            print(f"{n} earlier: with sections {with_s:6.2f} s ({hidden_s} hidden, {tables_s} tables), "
                  f"without {without:6.2f} s ({hidden} hidden, {tables} tables)")
            rows.append([os.environ["DATABASE_URL"].split(":", 1)[0], n, f"{with_s:.2f}", hidden_s,
                         f"{without:.2f}", hidden])
        if not args.no_record:
            common.record("Publishing with sections per insats", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
