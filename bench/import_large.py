"""Benchmark: importing a 50 000-row participant file, as .csv and as .xlsx.

Run from the checkout:  .venv/bin/python bench/import_large.py [--rows 50000] [--postgres]
Each import runs `finsam import-participants` in a child process against a fresh database (SQLite in
a temporary directory, or a fresh PostgreSQL database with --postgres); wall time and the child's
peak resident memory (ru_maxrss) are printed and appended to docs/performance.md.
Targets (issue 5): under 60 s and under 500 MB.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
import openpyxl

ROOT = Path(__file__).resolve().parent.parent
FINSAM = str(ROOT / ".venv/bin/finsam")
EXAMPLE = ROOT / "src/finsam/demo/data/exempelstad-deltagare.csv"
ASSOCIATION = ROOT / "src/finsam/demo/data/exempelstad.json"


def build_rows(count):
    with open(EXAMPLE, encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        template = list(reader)
    rows = []
    for n in range(count):
        rows.append(common.copy_of(header, template[n % len(template)], n // len(template)))
    return header, rows


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path, header, rows):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Deltagare")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


# Runs the finsam command in a child Python that reports its own peak memory when it ends
# (RUSAGE_CHILDREN in this process would give the maximum over all children so far).
CHILD = """
import resource, sys
from finsam.cli import main
try:
    main(["finsam", *sys.argv[1:]])
finally:
    print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run(env, *args):
    start = time.perf_counter()
    result = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", CHILD, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(result.stdout + result.stderr)
    peak_kb = int(result.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return seconds, peak_kb / 1024, result.stdout.strip().splitlines()[-1]


def fresh_env(postgres, tmp, name):
    env = dict(os.environ, FINSAM_VAR_DIR=tmp)
    if postgres:
        database = f"finsam_bench_{name}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {database}", "-c", f"CREATE DATABASE {database}"], check=True,
                       capture_output=True)
        env["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{database}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/{name}.sqlite3"
    subprocess.run([FINSAM, "migrate", "-v0"], env=env, check=True)
    subprocess.run([FINSAM, "setup-association", str(ASSOCIATION)], env=env, check=True, capture_output=True)
    subprocess.run([FINSAM, "demo", "--quiet"], env=env, check=True, capture_output=True)
    # The benchmark's rows are in every insats: the förbund is responsible, so its administrator
    # (the command's default user) may import into all of them (docs/privacy.md).
    subprocess.run([FINSAM, "shell", "-c", "from finsam.tenancy.models import Association; "
                    "Association.objects.filter(slug='exempelstad').update(privacy_model='association', "
                    "legal_basis='Benchmark', legal_basis_decided_on='2026-01-01')"], env=env, check=True)
    return env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="finsam-import-")
    header, rows = build_rows(args.rows)
    files = {"csv": Path(tmp) / "deltagare.csv", "xlsx": Path(tmp) / "deltagare.xlsx"}
    write_csv(files["csv"], header, rows)
    write_xlsx(files["xlsx"], header, rows)
    lines = []
    for kind, path in files.items():
        env = fresh_env(args.postgres, tmp, kind)
        seconds, peak_mb, summary = run(env, "import-participants", "--association", "exempelstad", str(path))
        again, again_mb, again_summary = run(env, "import-participants", "--association", "exempelstad", str(path))
        size = path.stat().st_size / 1024 / 1024
        print(f"{kind}: {args.rows} rows ({size:.1f} MB): {seconds:.1f} s, peak {peak_mb:.0f} MB -> {summary}")
        print(f"{kind} again (nothing changes): {again:.1f} s, peak {again_mb:.0f} MB -> {again_summary}")
        database = "postgres" if args.postgres else "sqlite"
        lines.append([database, kind, args.rows, f"{seconds:.1f}", f"{peak_mb:.0f}", f"{again:.1f}"])
    if not args.no_record:
        common.record("Import", lines)


if __name__ == "__main__":
    sys.exit(main())
