"""Benchmark: how long a register extract's PDF takes by the rows of history and access log it lists.

    .venv/bin/python bench/extract_pdf.py [--rows 0 50 150 500] [--runs 3] [--no-record]

The extract is plain data (participants/extract.build's shape): one participation with its 30-odd
stored values and ``rows`` access-log rows, rendered by participants/extract.as_pdf (WeasyPrint,
tagged). Seconds, median of the runs; printed, and added to docs/performance.md. Above
extract.EXTRACT_JOB_ROWS rows the PDF is made by the worker instead of in the request.
"""

import argparse
import datetime
import statistics
import time

import common


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[0, 50, 150, 500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    common.setup_django()
    from finsam.participants import extract

    results = []
    for rows in args.rows:
        data = {"rubrik": "Registerutdrag", "förbund": "Samordningsförbundet Exempelstad",
                "framtaget": "2026-11-24 10:00", "framtaget_av": "analytiker@exempelstad.se", "sökt_på": "referens",
                "antal_deltaganden": 1, "avgränsning": extract.LIMITATION,
                "deltaganden": [{"deltagande": 1, "insats": "Novum", "personuppgiftsansvarig": "Exempelstads kommun",
                                 "uppgifter": [{"fält": f"Fält {i}", "värde": "Ett värde"} for i in range(32)],
                                 "historik": [],
                                 "åtkomstlogg": [{"tid": "2026-11-24 10:00", "användare": "projektledare@exempelstad.se",
                                                  "åtgärd": "Visade deltagande", "vad": "deltagande 1"}] * rows}]}
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            extract.as_pdf(data)
            times.append(time.perf_counter() - start)
        results.append((rows, statistics.median(times)))
        print(f"{rows} rows: {statistics.median(times):.2f} s")
    if not args.no_record:
        with common.PERFORMANCE.open("a") as out:
            out.write(f"\n| {datetime.date.today()} | " + ", ".join(f"{rows}: {s:.1f}" for rows, s in results)
                      + f" | {extract.EXTRACT_JOB_ROWS} | {common.machine()} |\n")


if __name__ == "__main__":
    main()
