"""Random small data sets for the integer reader of tests/reader.py (``integer_findings``): the example
förbund of tests/data with a random share of its participations (as tests/test_masking.py's property
test), a random threshold, and a random sequence of 2-4 publications (the whole förbund or one or
two insatser; a year, a half, a quarter or a month of 2024). Each case is published on a fresh
database state (rolled back after), then the integer reader looks for a small count that only whole
numbers pin. Prints one line per case and a summary.

    .venv/bin/python bench/disclosure/integer_random.py [CASES] [FIRST SEED]
"""

import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import setup_django  # noqa: E402

setup_django()
from django.db import transaction  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from finsam.interventions.association_file import apply_association_file  # noqa: E402
from finsam.participants.importing import import_file  # noqa: E402
from finsam.participants.models import Participation  # noqa: E402
from finsam.reports.publishing import PublishError, publish_report  # noqa: E402
from finsam.tenancy.models import Role, RoleAssignment, User  # noqa: E402
from tests.reader import integer_findings, read, true_values  # noqa: E402

D = datetime.date
DATA = ROOT / "tests" / "data"
PERIODS = [(D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 1, 1), D(2024, 6, 30)), (D(2024, 7, 1), D(2024, 12, 31))]
PERIODS += [(D(2024, m, 1), D(2024, m + 2, [31, 30, 30, 31][m // 3])) for m in (1, 4, 7, 10)]
PERIODS += [(D(2024, m, 1), D(2024, m + 1, 1) - datetime.timedelta(days=1)) for m in (2, 5, 9)]
cases, first = (int(sys.argv[1]) if len(sys.argv) > 1 else 20), (int(sys.argv[2]) if len(sys.argv) > 2 else 0)

with scopes_disabled():
    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    admin = User.objects.create_user("admin@exempelstad.se")
    RoleAssignment.objects.create(user=admin, association=association, role=Role.ADMIN)
    import_file((DATA / "exempel-deltagare.csv").read_bytes(), "exempel-deltagare.csv", association=association,
                user=admin, interventions=association.interventions.all(), today=D(2026, 11, 23))
    slugs = sorted(association.interventions.values_list("slug", flat=True))
    totals = {"cases": 0, "unknowns": 0, "targets": 0, "candidates": 0, "lp_pinned": 0, "integer_narrower": 0,
              "integer_only": 0, "cpu": 0.0}
    for seed in range(first, first + cases):
        rng = random.Random(seed)
        keep, threshold = rng.uniform(0.05, 1.0), rng.randint(3, 7)
        steps = [(rng.choice([[], [rng.choice(slugs)], rng.sample(slugs, 2)]), rng.choice(PERIODS))
                 for _ in range(rng.randint(2, 4))]
        with transaction.atomic():
            ids = list(Participation.objects.filter(association=association).values_list("pk", flat=True))
            Participation.objects.filter(pk__in=[i for i in ids if rng.random() > keep]).delete()
            association.masking_threshold = threshold
            association.save()
            published, refused = [], 0
            for scope, (start, end) in steps:
                try:
                    published.append(publish_report(association, date_from=start, date_to=end, interventions=scope,
                                                     title=f"{scope} {start}", user=admin))
                except PublishError:
                    refused += 1
            if published:
                reports = [p.report() for p in published]
                cpu = time.process_time()
                reader = read(reports)
                found, stats = integer_findings(reader, threshold, reader.runs)
                stats["cpu"] = time.process_time() - cpu
                truth = true_values(association, reports, reader) if found or stats["lp_pinned"] else {}
                shown = [(s, str(a), str(b)) for s, (a, b) in steps]
                print(seed, f"keep {keep:.2f} threshold {threshold} steps {shown}"
                      f" refused {refused}", {k: round(v, 1) if isinstance(v, float) else v for k, v in stats.items()},
                      flush=True)
                for name, value in stats.pop("lp_pinned_names", []):
                    print("  LP PINNED", name, value, "true", truth.get(name))
                for name, (low, high, value) in sorted(found.items(), key=repr):
                    print("  INTEGER ONLY", name, "LP", (low, high), "integer", value, "true", truth.get(name))
                totals["cases"] += 1
                for key in totals:
                    if key in stats:
                        totals[key] += stats[key]
            transaction.set_rollback(True)
    print("total", {k: round(v, 1) if isinstance(v, float) else v for k, v in totals.items()})
