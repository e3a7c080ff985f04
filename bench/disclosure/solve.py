"""Reader's attack: min/max of every hidden count subject to all known relations, non-negativity and
integrality (LP relaxation, bounds rounded inward; MILP where asked). python3 (scipy)."""
import json, sys, time, math
import numpy as np
from scipy.optimize import linprog, milp, LinearConstraint, Bounds
from scipy.sparse import lil_matrix, csr_matrix

name = sys.argv[1] if len(sys.argv) > 1 else "system-exempelstad.json"
S = json.load(open(name))
known, hidden, truth = S["known"], S["hidden"], S["truth"]
var = {}
def v(c):
    if c not in var: var[c] = len(var)
    return var[c]
for h in hidden: v(h)
rowsA, bA = [], []
for e in S["eqs"]:
    coeffs, const = {}, 0
    for c, w in e.items():
        if c in known: const += w * known[c]
        else: coeffs[v(c)] = coeffs.get(v(c), 0) + w
    coeffs = {i: w for i, w in coeffs.items() if w}
    if not coeffs:
        if const != 0: print("INCONSISTENT eq", e)
        continue
    rowsA.append(coeffs); bA.append(-const)
rowsU, bU = [], []
for e in S["ineqs"]:
    coeffs, const = {}, 0
    for c, w in e.items():
        if c in known: const += w * known[c]
        else: coeffs[v(c)] = coeffs.get(v(c), 0) + w
    if coeffs: rowsU.append(coeffs); bU.append(-const)
n = len(var)
def mat(rows):
    M = lil_matrix((len(rows), n))
    for i, r in enumerate(rows):
        for j, w in r.items(): M[i, j] = w
    return csr_matrix(M)
A, U = mat(rowsA), mat(rowsU)
print(n, "unknowns", len(rowsA), "eqs", len(rowsU), "ineqs", file=sys.stderr)
names = {i: c for c, i in var.items()}
use_milp = "--milp" in sys.argv
only = None
if "--small" in sys.argv:  # only the cells whose true value is a small count
    only = [h for h in hidden if isinstance(truth.get(h), int) and 0 < truth[h] < 5]
targets = only if only is not None else hidden

def bound(j, sense):
    c = np.zeros(n); c[j] = sense
    if use_milp:
        cons = [LinearConstraint(A, bA, bA)]
        if len(rowsU): cons.append(LinearConstraint(U, -np.inf, bU))
        r = milp(c, constraints=cons, integrality=np.ones(n), bounds=Bounds(0, np.inf))
        return None if r.status != 0 else sense * r.fun
    r = linprog(c, A_ub=U if len(rowsU) else None, b_ub=bU if len(rowsU) else None, A_eq=A, b_eq=bA,
                bounds=(0, None), method="highs")
    if r.status == 3: return math.inf
    return None if r.status != 0 else sense * r.fun

t0 = time.time()
results = {}
for h in targets:
    j = var[h]
    lo, hi = bound(j, 1), bound(j, -1)
    if lo is None or hi is None:
        print("infeasible?", h); continue
    lo_i = math.ceil(lo - 1e-6); hi_i = math.floor(hi + 1e-6) if hi != math.inf else math.inf
    results[h] = (lo_i, hi_i)
print("time", round(time.time() - t0, 1), file=sys.stderr)
json.dump({h: [a, (b if b != math.inf else None)] for h, (a, b) in results.items()}, open(name.replace("system", "bounds"), "w"))
exact = {h: b for h, b in results.items() if b[0] == b[1]}
bad = [h for h, (lo, hi) in results.items() if isinstance(truth.get(h), (int,)) and not lo <= truth[h] <= hi]
print("solver claims inconsistent with truth (bug in my relations):", len(bad), bad[:5])
print("hidden cells determined exactly:", len(exact), "of", len(results))
small_exact = [h for h in exact if 0 < exact[h][0] < 5]
print("  of which a small count (1..4):", len(small_exact))
for h in sorted(small_exact)[:60]: print("   ", h, "=", exact[h][0], "(truth", truth.get(h), ")")
narrow = [h for h, (lo, hi) in results.items() if hi != math.inf and hi < 5 and lo < hi and isinstance(truth.get(h), int) and truth[h] > 0]
print("hidden non-zero cells proven <= 4 (interval):", len(narrow))
for h in sorted(narrow)[:40]: print("   ", h, results[h], "truth", truth.get(h))
