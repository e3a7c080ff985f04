"""Report periods: presets resolved to inclusive date ranges."""

import datetime

PRESETS = [
    ("this_year", "I år"),
    ("last_year", "Förra året"),
    ("this_half", "Detta halvår"),
    ("last_half", "Förra halvåret"),
    ("year_to_date", "Hittills i år"),
    ("this_quarter", "Detta kvartal"),
    ("last_quarter", "Förra kvartalet"),
    ("custom", "Valfri period"),
]


def _half(year, half):
    return (datetime.date(year, 1, 1), datetime.date(year, 6, 30)) if half == 1 else (
        datetime.date(year, 7, 1), datetime.date(year, 12, 31))


def _quarter(year, quarter):
    start = datetime.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = (datetime.date(year + 1, 1, 1) if end_month == 12 else datetime.date(year, end_month + 1, 1)) - datetime.timedelta(days=1)
    return start, end


def resolve(preset, today):
    """(from, to) for a preset; None for 'custom' or an unknown preset."""
    year = today.year
    half = 1 if today.month <= 6 else 2
    quarter = (today.month - 1) // 3 + 1
    if preset == "this_year":
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if preset == "last_year":
        return datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31)
    if preset == "this_half":
        return _half(year, half)
    if preset == "last_half":
        return _half(year - 1, 2) if half == 1 else _half(year, 1)
    if preset == "year_to_date":
        return datetime.date(year, 1, 1), today
    if preset == "this_quarter":
        return _quarter(year, quarter)
    if preset == "last_quarter":
        return _quarter(year - 1, 4) if quarter == 1 else _quarter(year, quarter - 1)
    return None


NO_YEAR_EARLIER = "Det finns ingen period ett år tidigare att jämföra med: välj en period som börjar år 2 eller senare."


def has_year_earlier(start):
    """Whether the period starting ``start`` has one a year earlier (the calendar starts in year 1)."""
    return start.year > datetime.MINYEAR
