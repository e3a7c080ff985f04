"""Benchmark: one förbund's annual report (~2 000 participations): the page and the Excel file.

Run from the checkout:  .venv/bin/python bench/report_one_association.py [--participations 2000] [--runs 15]
It builds its own database (SQLite under a temporary directory unless DATABASE_URL is set), loads the
example förbund and multiplies the example participants to the size asked for, then times the
report page (HTTP GET through Django's test client, including rendering) and the Excel download.
The figures are printed and appended to docs/performance.md.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participations", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--profile", action="store_true", help="also print the time of each table")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="finsam-bench-")
    os.environ.setdefault("FINSAM_VAR_DIR", tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "finsam.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from finsam.interventions.association_file import apply_association_file
    from finsam.participants.importing import import_file
    from finsam.tenancy.models import Role, RoleAssignment, User

    call_command("migrate", verbosity=0)
    association, _ = apply_association_file((ROOT / "src/finsam/demo/data/exempelstad.json").read_bytes())
    user, _ = User.objects.get_or_create(username="bench@exempelstad.se")
    RoleAssignment.objects.get_or_create(user=user, association=association, role=Role.ANALYST)
    RoleAssignment.objects.get_or_create(user=user, association=association, role=Role.ADMIN)
    lines = (ROOT / "src/finsam/demo/data/exempelstad-deltagare.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    copies = max(1, args.participations // len(rows))
    data = [header]
    for n in range(copies):
        for row in rows:
            cells = row.split(";")
            cells[1] = f"{cells[1]}-{n}"  # a distinct reference per copy
            data.append(";".join(cells))
    import_file(("\n".join(data) + "\n").encode(), "bench.csv", association=association, user=user,
                interventions=association.interventions.all(), today=datetime.date(2026, 11, 23))
    total = association.participations.count()

    if args.profile:
        from finsam.statistics import engine

        ctx = engine.Context(association, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
        for build in engine.TABLES:
            start = time.perf_counter()
            build(ctx)
            print(f"  {build.__name__:24} {(time.perf_counter() - start) * 1000:7.1f} ms")

    client = Client()
    client.force_login(user)
    url = "/exempelstad/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31"

    def timed(path, runs):
        client.get(path)  # warm up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]

    page = timed(url, args.runs)
    xlsx = timed(url + "&format=xlsx", max(3, args.runs // 3))
    pdf = timed(url + "&format=pdf", max(3, args.runs // 3))
    engine = os.environ["DATABASE_URL"].split(":", 1)[0]
    machine = common.machine()
    result = (
        f"| {datetime.date.today()} | {engine} | {total} | {page[0]:.0f} / {page[1]:.0f} | "
        f"{xlsx[0]:.0f} / {xlsx[1]:.0f} | {pdf[0]:.0f} / {pdf[1]:.0f} | {machine} |"
    )
    print(f"participations: {total}")
    print(f"report page   median {page[0]:.0f} ms, p95 {page[1]:.0f} ms (target < 300 ms)")
    print(f"excel file    median {xlsx[0]:.0f} ms, p95 {xlsx[1]:.0f} ms (target < 2000 ms)")
    print(f"pdf file      median {pdf[0]:.0f} ms, p95 {pdf[1]:.0f} ms")
    if not args.no_record:
        common.record("One förbund", [result])
    return 0


if __name__ == "__main__":
    sys.exit(main())
