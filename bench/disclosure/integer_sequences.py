"""Publish a sequence of reports on a copy of a demo database and let the integer reader of
tests/reader.py (``integer_findings``: counts integer, scipy's milp) look for a small count that
whole numbers pin and the LP (the publication's check, statistics/inequalities.py) does not
(docs/decisions.md, "What a reader proves with inequalities"). Prints, per sequence, the reader's
size, the candidates, the counts the integer program pins that the LP leaves open, and the time.

    export FINSAM_VAR_DIR=$(mktemp -d)
    DATABASE_URL=sqlite:///$FINSAM_VAR_DIR/base.sqlite3 .venv/bin/finsam migrate -v0
    DATABASE_URL=sqlite:///$FINSAM_VAR_DIR/base.sqlite3 .venv/bin/finsam demo --quiet
    .venv/bin/python bench/disclosure/integer_sequences.py $FINSAM_VAR_DIR/base.sqlite3 ":H1,:Y,:H2"

A step is "<insats slugs joined by + or empty for the whole förbund>:<Y|H1|H2|Q1..Q4>" (2024); several sequences
may be given, each on its own copy of the database.
"""

import datetime
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
base, specs = sys.argv[1], sys.argv[2:]
copy = Path(tempfile.mkdtemp()) / "sequence.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")

import django  # noqa: E402

django.setup()
from django.db import connection  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from finsam.reports.publishing import PublishError, publish_report  # noqa: E402
from finsam.statistics import inequalities  # noqa: E402
from finsam.tenancy.models import Association, User  # noqa: E402
from tests.reader import integer_findings, read, true_values  # noqa: E402

D = datetime.date
PERIODS = {"Y": (D(2024, 1, 1), D(2024, 12, 31)), "H1": (D(2024, 1, 1), D(2024, 6, 30)),
           "H2": (D(2024, 7, 1), D(2024, 12, 31)), "Q1": (D(2024, 1, 1), D(2024, 3, 31)),
           "Q2": (D(2024, 4, 1), D(2024, 6, 30)), "Q3": (D(2024, 7, 1), D(2024, 9, 30)),
           "Q4": (D(2024, 10, 1), D(2024, 12, 31))}

integer = {"programs": 0, "cpu": 0.0}  # the check's integer programs (statistics/inequalities.py)
solve = inequalities.Program._integer


def counted(self, c, boxed):
    cpu = time.process_time()
    try:
        return solve(self, c, boxed)
    finally:
        integer["programs"] += 1
        integer["cpu"] += time.process_time() - cpu


inequalities.Program._integer = counted

for spec in specs:
    connection.close()
    shutil.copy(base, copy)
    with scopes_disabled():
        association = Association.objects.get(slug="exempelstad")
        analyst = User.objects.get(username="analytiker@exempelstad.se")
        published = []
        for step in spec.split(","):
            scope, period = step.split(":")
            integer.update(programs=0, cpu=0.0)
            cpu = time.process_time()
            try:
                published.append(publish_report(association, date_from=PERIODS[period][0],
                                                date_to=PERIODS[period][1],
                                                interventions=scope.split("+") if scope else [],
                                                title=step, user=analyst))
                print(f"  published {step}: {time.process_time() - cpu:.1f} s CPU, of it {integer['programs']} "
                      f"integer programs of the check {integer['cpu']:.1f} s", flush=True)
            except PublishError as refused:
                print(f"  refused {step}: {refused}")
        reports = [p.report() for p in published]
        threshold = max(p.threshold for p in published)
        start, cpu = time.time(), time.process_time()
        reader = read(reports)
        found, stats = integer_findings(reader, threshold, reader.runs)
        stats.update(runs=len(reader.runs), cpu=round(time.process_time() - cpu, 1),
                     wall=round(time.time() - start, 1))
        print(spec, stats, flush=True)
        truth = true_values(association, reports, reader) if found else {}
        for name, (low, high, value) in sorted(found.items(), key=repr):
            print("  INTEGER ONLY", name, "LP", (low, high), "integer", value, "true", truth.get(name))
