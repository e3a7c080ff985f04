"""Benchmark: how long each registered exporter takes to render a report, by the report's size.

    .venv/bin/python bench/report_files.py [--copies 1 5 10 20 40] [--runs 3] [--no-record]

Loads the example förbund (320 participations), computes its 2024 report once, and renders it with
every exporter of `reports.exporters.registry`; bigger reports are made by repeating its tables under
new ids (as the per-insats sections of issue 11 do: the same tables once per insats), so only the
rendering is timed, not the engine. Size is counted in cells (rows × columns over all tables), the
measure `reports.report_files.is_big` compares with REPORT_JOB_CELLS. Milliseconds, median of the
runs; printed, and added to docs/performance.md.
"""

import argparse
import copy
import datetime
import statistics
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5, 10, 20, 40])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    common.setup_django()

    from finsam.reports.exporters import registry
    from finsam.reports.report_files import cells_of
    from finsam.statistics.engine import compute_report

    from finsam.tenancy.scope import Scope

    association = load_example()
    with Scope.of(association).activate():
        rows = measure(args, association, compute_report, registry, cells_of)
    if not args.no_record:
        common.record("Report files by size", rows)


def measure(args, association, compute_report, registry, cells_of):
    base = compute_report(association, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    exporters = list(registry)
    print("copies  tables  cells  " + "  ".join(f"{e.identifier:>7}" for e in exporters) + "  (ms)")
    rows = []
    for copies in args.copies:
        report = enlarged(base, copies)
        times = []
        for exporter in exporters:
            runs = []
            for _ in range(args.runs):
                start = time.perf_counter()
                exporter.render(report)
                runs.append((time.perf_counter() - start) * 1000)
            times.append(round(statistics.median(runs)))
        cells = cells_of(report)
        print(f"{copies:6}  {len(report.tables):6}  {cells:5}  " + "  ".join(f"{t:7}" for t in times))
        rows.append([len(report.tables), cells, *times])
    return rows


def load_example():
    from django.contrib.auth import get_user_model

    from finsam.interventions.association_file import apply_association_file
    from finsam.participants.importing import import_file
    from finsam.tenancy.models import Role, RoleAssignment
    from finsam.tenancy.scope import Scope

    data = ROOT / "tests" / "data"
    association, _ = apply_association_file((data / "exempel-forbund.json").read_bytes())
    admin = get_user_model().objects.create_user("bench@finsam.local")
    RoleAssignment.objects.create(user=admin, association=association, role=Role.ADMIN)
    with Scope.of(association).activate():
        import_file((data / "exempel-deltagare.csv").read_bytes(), "exempel-deltagare.csv", association=association,
                    user=admin, interventions=association.interventions.all(), today=datetime.date(2026, 11, 23))
    return association


def enlarged(report, copies):
    """The report with its tables ``copies`` times (each copy under its own ids)."""
    big = copy.copy(report)
    big.tables = list(report.tables)
    for n in range(1, copies):
        for table in report.tables:
            clone = copy.deepcopy(table)
            clone.id, clone.title = f"{table.id}.kopia{n}", f"{table.title} ({n})"
            big.tables.append(clone)
    return big


if __name__ == "__main__":
    main()
