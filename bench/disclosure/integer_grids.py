"""Small random programs of the publications' shape for the integer reader of tests/reader.py: a
count per part (insats), gender and stretch of time (atoms, 0 to 4 each, most 0), publications that
show, for a scope (a set of parts) and a period (consecutive stretches), the sum per gender and the
total (gender columns add up to the total), some of those cells hidden at random. Counts how
often the reader pins an atom or a hidden cell to a small value (1 .. 4) with the LP, and how often
only with whole numbers (``integer_findings``), and the time.

    .venv/bin/python bench/disclosure/integer_grids.py [CASES] [FIRST SEED]
"""

import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import os  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
import django  # noqa: E402

django.setup()
from tests.reader import Reader, integer_findings  # noqa: E402

GENDERS = ("kvinna", "man", "annat")
cases = int(sys.argv[1]) if len(sys.argv) > 1 else 200
first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
totals = {"cases": 0, "lp_pins": 0, "integer_only": 0, "candidates": 0}
cpu = time.process_time()
for seed in range(first, first + cases):
    rng = random.Random(seed)
    parts, stretches = rng.randint(2, 4), rng.randint(2, 4)
    atoms = {("atom", "t", "r", g, p, s): rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 6])
             for p in range(parts) for g in GENDERS for s in range(stretches)}
    known, equations, hidden = {}, [], set()
    for k in range(rng.randint(2, 5)):
        scope = rng.sample(range(parts), rng.randint(1, parts))
        a = rng.randrange(stretches)
        b = rng.randrange(a, stretches)
        cells = {}
        for g in GENDERS + ("totalt",):
            cell = (k, "t", "r", g)
            genders = GENDERS if g == "totalt" else (g,)
            terms = {("atom", "t", "r", x, p, s): 1 for x in genders for p in scope for s in range(a, b + 1)}
            equations.append({**terms, cell: -1})
            cells[cell] = sum(atoms[t] for t in terms)
        equations.append({**{(k, "t", "r", g): 1 for g in GENDERS}, (k, "t", "r", "totalt"): -1})
        for cell, value in cells.items():
            if 0 < value < 5 or rng.random() < 0.3:
                hidden.add(cell)
            else:
                known[cell] = value
    unknowns = sorted(set(atoms) | hidden, key=repr)
    reader = Reader(known, unknowns, equations, [], set(unknowns), hidden)
    lp_pins = sum(1 for c in unknowns if (lambda b: b[0] == b[1] and 0 < b[0] < 5)(reader.bounds(c)))
    found, stats = integer_findings(reader, 5, samples=6, seed=seed)
    for name, (low, high, value) in found.items():
        truth = atoms.get(name, None)
        print("  INTEGER ONLY", seed, name, "LP", (low, high), "integer", value, "true", truth)
    totals["cases"] += 1
    totals["lp_pins"] += lp_pins
    totals["integer_only"] += len(found)
    totals["candidates"] += stats["candidates"]
totals["cpu"] = round(time.process_time() - cpu, 1)
print("total", totals)
