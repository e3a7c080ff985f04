"""Build the reader's equation system from the published reports (frozen content == what the reader
gets, plus the relations the open-source code declares). Output: system.json for solve.py (scipy)."""
import logging, json, datetime, sys, os
from common import *  # noqa: F403
logging.disable(logging.CRITICAL)
from finsam.reports.models import PublishedReport
from finsam.statistics import masking, differencing
from finsam.statistics.engine import compute_report, GENDER_KEYS

slug = sys.argv[1] if len(sys.argv) > 1 else "exempelstad"
pubs = list(PublishedReport.objects.filter(association__slug=slug).order_by("pk"))
ids = [int(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else None
if ids: pubs = [p for p in pubs if p.pk in ids]
reports = [(p.pk, p.report()) for p in pubs]
bounds_days = differencing._bounds([r for _, r in reports])

def key(c):
    return json.dumps([x.isoformat() if isinstance(x, datetime.date) else x for x in c], ensure_ascii=False)

known, hidden, eqs, ineqs, truth = {}, set(), [], [], {}
for k, r in reports:
    for t in r.tables:
        masked = set(t.masked)
        for row, cols in t.cells.items():
            for col, v in cols.items():
                cell = (k, t.id, row, col)
                if (row, col) in masked:
                    if col in ("result", "basis"):
                        continue
                    hidden.add(key(cell))
                elif masking.is_count(t, row, col, v):
                    known[key(cell)] = v
    for e in masking.equations(r):
        eqs.append({key((k, *c)): w for c, w in e.items()})
    for a, b in r.bounds:
        ineqs.append({key((k, *a)): 1, key((k, *b)): -1})  # a - b <= 0
    # extra true inequalities: new <= current, exited <= current in flow (same row, gender)
    flow = r.table("flow")
    for row in ([] if os.environ.get("NO_EXTRA_INEQ") else flow.cells):
        if row == "volym": continue
        for g in GENDER_KEYS:
            for m in ("new", "exited"):
                ineqs.append({key((k, "flow", row, f"{m}_{g}")): 1, key((k, "flow", row, f"current_{g}")): -1})
    # atoms
    for t in r.tables:
        for row, cols in t.cells.items():
            for col in cols:
                cell = key((k, t.id, row, col))
                if cell not in known and cell not in hidden:
                    continue
                atoms = differencing._atoms(r, t.id, row, col, bounds_days)
                if atoms:
                    e = {cell: -1}
                    for a in atoms:
                        e[key(a)] = e.get(key(a), 0) + 1
                    eqs.append(e)

# the chain relations differencing declares (current counts over time)
_atoms_now = set()
for e in eqs:
    for c in e:
        x = json.loads(c)
        if x[0] == "atom":
            _atoms_now.add(tuple(datetime.date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v for v in x))
for e in differencing._chain(_atoms_now, bounds_days):
    eqs.append({key(c): w for c, w in e.items()})
# extra relation not in differencing: current(a,b) = current(a,m) + new(m+1,b) ; current(a,b) = current(m,b) + exited(a,m-1)
atoms_all = {tuple(json.loads(c)) for e in eqs for c in e if json.loads(c)[0] == "atom"}
cur = [a for a in atoms_all if a[1] == "flow" and a[3].startswith("current_") and a[2] in ("totalt", "varav_anonyma")]
d = datetime.date.fromisoformat
extra = 0
def new_atoms(row, g, s, a, b, m):
    out = []
    for x, y in differencing._stretches(d(a), d(b), bounds_days):
        out.append(("atom", "flow", row, f"{m}_{g}", s, x.isoformat(), y.isoformat()))
    return out
for A in (cur if not os.environ.get("NO_EXTRA_CUR") else []):
    _, _, row, col, s, a, b = A
    g = col.split("_", 1)[1]
    for B in cur:
        if B == A or B[2:5] != A[2:5]: continue
        if B[5] == a and B[6] < b:  # same start, shorter
            m_start = (d(B[6]) + datetime.timedelta(days=1))
            e = {key(A): -1, key(B): 1}
            for n in new_atoms(row, g, s, m_start.isoformat(), b, "new"):
                e[key(n)] = e.get(key(n), 0) + 1
            eqs.append(e); extra += 1
        if B[6] == b and B[5] > a:  # same end, later start
            m_end = (d(B[5]) - datetime.timedelta(days=1))
            e = {key(A): -1, key(B): 1}
            for n in new_atoms(row, g, s, a, m_end.isoformat(), "exited"):
                e[key(n)] = e.get(key(n), 0) + 1
            eqs.append(e); extra += 1
print("extra current relations", extra, file=sys.stderr)

# truth (tester only: to check the solver's claims)
assoc = Association.objects.get(slug=slug)
for p in pubs:
    r = compute_report(assoc, p.date_from, p.date_to, p.interventions)
    for t in r.tables:
        for row, cols in t.cells.items():
            for col, v in cols.items():
                kk = key((p.pk, t.id, row, col))
                if kk in hidden:
                    truth[kk] = v
json.dump({"known": known, "hidden": sorted(hidden), "eqs": eqs, "ineqs": ineqs, "truth": truth,
           "threshold": {p.pk: p.threshold for p in pubs}}, open(f"system-{slug}{os.environ.get('TAG','')}.json", "w"), ensure_ascii=False)
print(len(known), "known", len(hidden), "hidden", len(eqs), "eqs", len(ineqs), "ineqs", file=sys.stderr)
