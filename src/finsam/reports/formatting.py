"""Swedish number formats, used by every renderer: ``1 233``, ``22,9 %``, ``–`` for a share with a
zero denominator, ``..`` for a cell hidden for publication."""

from finsam.statistics.tables import AMOUNT_KR, SHARE, round_half_up

NBSP = "\u00a0"
DENOMINATORS = {
    "current": "aktuella deltagare",
    "new": "nya deltagare",
    "exited": "avslutade deltagare",
    "exited_with_support": "avslutade med försörjning registrerad vid inskrivning och avslut",
}
MASKED = ".."
NOT_APPLICABLE = "–"


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


def share(value):
    if value is None:
        return NOT_APPLICABLE
    return f"{number(round_half_up(value * 100, 1), 1)}{NBSP}%"


def cell(table, row, col):
    """How a cell reads on screen and on paper."""
    value = table.cell(row, col)
    if (row, col) in table.masked:
        return MASKED
    if value is None:
        return NOT_APPLICABLE
    text = getattr(table, "texts", {}).get(row, {}).get(col)
    if text:  # the engine's own text of the cell (a plan row's "Minst 35 %", "30,2 % (26 av 86)", "God")
        return text
    kind = table.kind(row, col)
    if kind == SHARE:
        return share(value)
    if kind == AMOUNT_KR:
        return amount_kr(value)
    if isinstance(value, float):
        return number(value, 1)
    return number(value)


def amount_kr(value):
    """An amount in kronor, whole kronor: ``12 500 kr``."""
    return f"{number(round_half_up(value, 0))}{NBSP}kr"


def share_cell(table, row, col):
    if (row, col) in table.masked_shares:
        return MASKED
    if col not in table.shares.get(row, {}):
        return ""  # no share for this cell (e.g. the total row)
    return share(table.share(row, col))
