"""Print the equations/inequalities (with the visible values) that the LP uses to pin a hidden cell:
the non-zero duals of the min and max problems. python3 certificate.py system.json '<cell json>'"""
import json, sys, numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix, csr_matrix
S = json.load(open(sys.argv[1])); target = sys.argv[2]
known = S["known"]; var = {}
def v(c):
    return var.setdefault(c, len(var))
for h in S["hidden"]: v(h)
E = [(e, "=") for e in S["eqs"]] + [(e, "<=") for e in S["ineqs"]]
rows = []
for e, kind in E:
    co, const = {}, 0
    for c, w in e.items():
        if c in known: const += w * known[c]
        else: co[v(c)] = co.get(v(c), 0) + w
    co = {i: w for i, w in co.items() if w}
    if co: rows.append((co, -const, kind, e))
n = len(var)
def mat(rs):
    M = lil_matrix((len(rs), n))
    for i, (co, *_ ) in enumerate(rs):
        for j, w in co.items(): M[i, j] = w
    return csr_matrix(M)
eq = [r for r in rows if r[2] == "="]; ub = [r for r in rows if r[2] == "<="]
for sense in (1, -1):
    c = np.zeros(n); c[var[target]] = sense
    res = linprog(c, A_eq=mat(eq), b_eq=[r[1] for r in eq], A_ub=mat(ub), b_ub=[r[1] for r in ub], bounds=(0, None), method="highs")
    print(("min" if sense == 1 else "max"), "=", sense * res.fun)
    used = [(eq[i], y) for i, y in enumerate(res.eqlin.marginals) if abs(y) > 1e-9] + \
           [(ub[i], y) for i, y in enumerate(res.ineqlin.marginals) if abs(y) > 1e-9]
    for (co, b, kind, e), y in used:
        terms = " + ".join(f"{w}*{c}" + (f"[={known[c]}]" if c in known else "") for c, w in e.items())
        print(f"   dual {y:+.2f}: {terms} {kind} 0")
    # non-negativity used: reduced costs
    rc = {names: val for names, val in []}
    lb_used = [c for c, i in var.items() if abs(res.lower.marginals[i]) > 1e-9]
    print("   non-negativity used (cell >= 0 binding):", lb_used)
