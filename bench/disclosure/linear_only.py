"""Purely linear attack (no non-negativity): which hidden cells are determined by the equations,
using the project's own elimination. Run on a system-*.json."""
import json, sys
sys.argv += []
from common import *  # noqa: F403
from finsam.statistics.masking import Elimination, value_of
S = json.load(open(sys.argv[1]))
known, truth = S["known"], S["truth"]
unknown = set(S["hidden"]) | {c for e in S["eqs"] for c in e if c not in known}
el = Elimination(S["eqs"], unknown)
certs = el.certificates()
found = {c: value_of(c, comb, known) for c, comb in certs.items() if c in S["hidden"]}
small = {c: v for c, v in found.items() if 0 < v < 5}
print(len(found), "hidden cells determined linearly;", len(small), "small:")
for c in sorted(small)[:40]: print("  ", c, "=", small[c], "truth", truth.get(c))
