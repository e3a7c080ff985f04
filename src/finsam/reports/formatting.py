"""Swedish number formats, used by every renderer: ``1 233``, ``22,9 %``, ``–`` for a share with a
zero denominator, ``..`` for a cell hidden for publication."""

from finsam.statistics.tables import AMOUNT_KR, SHARE, round_half_up

from .units import KR, in_unit

NBSP = "\u00a0"
DENOMINATORS = {
    "current": "aktuella deltagare",
    "new": "nya deltagare",
    "exited": "avslutade deltagare",
    "exited_with_support": "avslutade med försörjning registrerad vid inskrivning och avslut",
    # the other tables' denominators, named in Swedish in their captions (a code was shown)
    "activities": "tillfällen eller deltagartillfällen",
    "answers": "svar",
    "n": "svarande",
    "population": "tillfrågade",
}
MASKED = ".."
NOT_APPLICABLE = "–"
# A row a table masked itself (its ``masked_rows``: the survey tables' min n), in each hidden cell.
FEW_ANSWERS = "för få svar"


def number(value, decimals=0):
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, str):
        return value
    if decimals == 0 and float(value).is_integer():
        text = f"{int(value):,}".replace(",", NBSP)
    else:
        text = f"{round_half_up(value, decimals):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return text.replace("-", "−")


def is_total(row_key):
    """A summary row, shown in bold: ``totalt…`` and the finance tables' ``summa_…``."""
    return row_key.startswith(("totalt", "summa_"))


def share(value):
    if value is None:
        return NOT_APPLICABLE
    return f"{number(round_half_up(value * 100, 1), 1)}{NBSP}%"


def cell(table, row, col, unit=KR):
    """How a cell reads on screen and on paper (amounts in ``unit``: reports/units.py)."""
    value = table.cell(row, col)
    if (row, col) in table.masked:
        return MASKED
    if value is None:
        return FEW_ANSWERS if row in table.extra.get("masked_rows", {}) else NOT_APPLICABLE
    text = getattr(table, "texts", {}).get(row, {}).get(col)
    if text:  # the engine's own text of the cell (a plan row's "Minst 35 %", "30,2 % (26 av 86)", "God")
        return text
    kind = table.kind(row, col)
    if kind == SHARE:
        return share(value)
    if kind == AMOUNT_KR:
        return amount(value, unit)
    if isinstance(value, float):
        return number(value, 1)
    return number(value)


def amount_kr(value):
    """An amount in kronor, whole kronor: ``12 500 kr``."""
    return amount(value, KR)


def amount(value, unit=KR):
    """An amount in ``unit``, rounded once from the exact kronor: ``12 500 kr``, ``13 tkr``."""
    if value is None:
        return NOT_APPLICABLE
    return f"{number(int(in_unit(value, unit)))}{NBSP}{unit}"


def share_cell(table, row, col):
    if (row, col) in table.masked_shares:
        return MASKED
    if col not in table.shares.get(row, {}):
        return ""  # no share for this cell (e.g. the total row)
    if table.share(row, col) is None and row in table.extra.get("masked_rows", {}):
        return FEW_ANSWERS
    return share(table.share(row, col))
