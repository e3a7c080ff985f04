"""The unit amounts are shown in: kronor or thousands of kronor (shared/spec/finance.md, "Exact money").

The tables hold exact amounts (Decimal kronor); the unit is a choice of rendering only. The screen,
Excel and PDF show the report's ``unit`` (``Report.unit``: the förbund's setting, or the report page's
and ``finsam report --unit``'s choice); JSON and CSV always give whole kronor. Every shown amount is
rounded once, from the exact value, half away from zero: totals are never sums of rounded lines.

Which unit a förbund shows by default belongs to the app that keeps its finance settings: it
registers ``register_default(fn)`` (``fn(association) -> "kr" | "tkr" | None``), so that this app
imports none of it.
"""

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

KR, TKR = "kr", "tkr"
UNITS = {KR: 1, TKR: 1000}  # unit -> kronor per unit
CHOICES = [(KR, "kronor (kr)"), (TKR, "tusental kronor (tkr)")]

_defaults = []


def register_default(fn):
    """``fn(association)`` gives the förbund's display unit, or None when it has no setting."""
    if fn not in _defaults:
        _defaults.append(fn)


def default_unit(association):
    for fn in _defaults:
        unit = fn(association)
        if unit in UNITS:
            return unit
    return KR


def in_unit(value, unit=KR):
    """``value`` kronor in ``unit``, rounded to whole units (a half away from zero), as Decimal."""
    if value is None:
        return None
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return (exact / UNITS[unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def with_unit(report, unit):
    """The report shown in ``unit``: a shallow copy (a cached Report is shared, never changed)."""
    if unit not in UNITS or unit == report.unit:
        return report
    return dataclasses.replace(report, unit=unit)
