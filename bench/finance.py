"""Benchmark: a förbund-year of 50 000 ledger lines read in, and its finance report (issue 13).

Run from the checkout:  .venv/bin/python bench/finance.py [--lines 50000] [--runs 30] [--record]
On SQLite (a new database in a temporary directory) or, with DATABASE_URL=postgres://…, on PostgreSQL
(a fresh database: the script migrates it).

The ledger is the example förbund's 2024 actuals (tests/data/exempel-utfall.csv: accounts and
objects mapped through its `finance` settings) with every line split into as many verifications as
make --lines lines in all, amounts split so that every sum stays the same. Measured:
- the import of that file (`services.import_actuals`: read, validate every line, map accounts and
  objects, replace the periods, in one transaction), the same file again (unchanged), and a dry run;
- the finance report of 2024 (`compute_report(..., tables=["finance"])`, every finance table, no
  cache) and rendering it as JSON, Excel and PDF: --runs times each, median and p95.
Targets: import under 10 s, report under 300 ms (p95). Results go to bench/finance-results.json and,
with --record, to docs/performance.md.
"""

import argparse
import datetime
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RESULTS = Path(__file__).resolve().parent / "finance-results.json"


def ledger(lines):
    """The example's 2024 ledger lines split into ``lines`` lines in all (CSV bytes)."""
    text = (DATA / "exempel-utfall.csv").read_text(encoding="utf-8").splitlines()
    header, rows = text[0], [r.split(";") for r in text[1:] if r.startswith("2024-")]
    pieces = max(1, -(-lines // len(rows)))
    out = [header]
    for row in rows:
        amount = Decimal(row[6].replace(" ", "").replace(",", "."))
        share = (amount / pieces).quantize(Decimal("0.01"))
        for n in range(pieces):
            part = share if n < pieces - 1 else amount - share * (pieces - 1)
            out.append(";".join([*row[:6], str(part).replace(".", ","), f"ver {n + 1}"]))
            if len(out) > lines:
                break
        if len(out) > lines:
            break
    return ("\n".join(out) + "\n").encode("utf-8"), len(out) - 1


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--record", action="store_true", help="append the results to docs/performance.md")
    args = parser.parse_args()
    common.setup_django()

    from django.db import connection

    from finsam.finance.services import import_actuals, import_budget
    from finsam.interventions.association_file import apply_association_file
    from finsam.reports import json_output, render_pdf, render_xlsx, units
    from finsam.statistics.engine import compute_report
    from finsam.tenancy.scope import Scope

    today = datetime.date(2026, 11, 23)
    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    apply_association_file((DATA / "exempel-forbund-ekonomi.json").read_bytes())
    content, count = ledger(args.lines)
    results = {"database": connection.vendor, "lines": count, "bytes": len(content)}
    with Scope.of(association).activate():
        import_budget(association, (DATA / "exempel-budget.csv").read_bytes(), filename="exempel-budget.csv")
        started = time.perf_counter()
        summary = import_actuals(association, content, filename="utfall-2024.csv", today=today)
        results["import_s"] = round(time.perf_counter() - started, 2)
        assert summary.created == 12, summary
        started = time.perf_counter()
        again = import_actuals(association, content, filename="utfall-2024.csv", today=today)
        results["import_again_s"] = round(time.perf_counter() - started, 2)
        assert again.unchanged == 12, again
        started = time.perf_counter()
        import_actuals(association, content, filename="utfall-2024.csv", today=today, dry_run=True)
        results["dry_run_s"] = round(time.perf_counter() - started, 2)

        start, end = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
        timings = {"report": [], "json": [], "xlsx": [], "pdf": [], "report_cpu": []}
        for _ in range(args.runs):
            c0, t0 = time.process_time(), time.perf_counter()
            report = compute_report(association, start, end, tables=["finance"])
            c1, t1 = time.process_time(), time.perf_counter()
            timings["report_cpu"].append(c1 - c0)  # this process's CPU: what other sessions' load leaves out
            json_output.render(report)
            t2 = time.perf_counter()
            shown = units.with_unit(report, "tkr")
            render_xlsx.render(shown)
            t3 = time.perf_counter()
            render_pdf.render(shown)
            t4 = time.perf_counter()
            timings["report"].append(t1 - t0)
            timings["json"].append(t2 - t1)
            timings["xlsx"].append(t3 - t2)
            timings["pdf"].append(t4 - t3)
        for name, values in timings.items():
            results[f"{name}_median_ms"] = round(statistics.median(values) * 1000, 1)
            results[f"{name}_p95_ms"] = round(percentile(values, 95) * 1000, 1)
        results["tables"] = len(report.tables)
    results["ok_import"] = results["import_s"] < 10
    results["ok_report"] = results["report_p95_ms"] + results["json_p95_ms"] < 300

    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    stored.append({"date": str(datetime.date.today()), "machine": common.machine(), **results})
    RESULTS.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=1))
    if args.record:
        common.record("Finance: a förbund-year of ledger lines", [[
            results["database"], f"{count:,}".replace(",", " "), results["import_s"], results["import_again_s"],
            results["dry_run_s"], f"{results['report_median_ms']} / {results['report_p95_ms']}",
            f"{results['json_p95_ms']}", f"{results['xlsx_p95_ms']}", f"{results['pdf_p95_ms']}"]])
    return 0 if results["ok_import"] and results["ok_report"] else 1


if __name__ == "__main__":
    sys.exit(main())
