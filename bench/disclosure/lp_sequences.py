"""Publish a sequence of reports on a copy of a demo database and let the LP reader of
tests/reader.py judge what a board member holding them works out (docs/decisions.md, "What a new
publication's structure completes"). Prints every hidden small count it pins down (EXACT) or narrows
(interval: part of 0 .. threshold - 1 excluded), with the true value.

    export FINSAM_VAR_DIR=$(mktemp -d)
    DATABASE_URL=sqlite:///$FINSAM_VAR_DIR/base.sqlite3 .venv/bin/finsam migrate -v0
    DATABASE_URL=sqlite:///$FINSAM_VAR_DIR/base.sqlite3 .venv/bin/finsam demo --quiet
    .venv/bin/python bench/disclosure/lp_sequences.py $FINSAM_VAR_DIR/base.sqlite3 "finsam-team:H2,:Y,:H2"

A step is "<insats slug or empty for the whole förbund>:<Y|H1|H2>" (2024). The database is copied
first (publications cannot be deleted). Needs scipy (the test extra). Takes minutes: two LPs per
candidate unknown.
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
base, spec = sys.argv[1], sys.argv[2]
copy = Path(tempfile.mkdtemp()) / "sequence.sqlite3"
shutil.copy(base, copy)
os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")

import django  # noqa: E402

django.setup()
from django_scopes import scopes_disabled  # noqa: E402

from finsam.reports.publishing import PublishError, publish_report  # noqa: E402
from finsam.tenancy.models import Association, User  # noqa: E402
from tests.reader import findings, read, true_values  # noqa: E402

D = datetime.date
PERIODS = {"Y": (D(2024, 1, 1), D(2024, 12, 31)), "H1": (D(2024, 1, 1), D(2024, 6, 30)),
           "H2": (D(2024, 7, 1), D(2024, 12, 31))}

with scopes_disabled():
    association = Association.objects.get(slug="exempelstad")
    analyst = User.objects.get(username="analytiker@exempelstad.se")
    published = []
    for step in spec.split(","):
        scope, period = step.split(":")
        start = time.time()
        try:
            publication = publish_report(association, date_from=PERIODS[period][0], date_to=PERIODS[period][1],
                                         interventions=[scope] if scope else [], title=step, user=analyst)
            published.append(publication)
            print(f"published {step} ({time.time() - start:.1f} s)")
        except PublishError as refused:
            print(f"refused {step}: {refused}")
    reports = [p.report() for p in published]
    reader = read(reports)
    truth = true_values(association, reports, reader)
    print(f"{len(reader.unknowns)} unknowns; the true values satisfy the reader's system:",
          reader.feasible_with(truth))
    for cell, (low, high) in sorted(findings(reader, max(p.threshold for p in published), truth).items(), key=repr):
        print("EXACT   " if low == high else "interval", cell, (low, high), "true", truth.get(cell))
