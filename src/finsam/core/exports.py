"""The one place where a value becomes a cell of a file the product writes for a spreadsheet
(every xlsx and csv: reports, the participant export, the template). Every writer passes each
text cell through :func:`neutralise` (issue 9)."""

import re

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"):
# =HYPERLINK(...) in an insats name would become a live link in the board's report. Full-width
# forms are included (some Excel locales convert them), and so is whitespace in front of one.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
LEADING_WHITESPACE = " \t\r\n\u00a0\u3000"
# Control characters that XML 1.0, and so xlsx, cannot hold (openpyxl refuses the whole file).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value):
    """A text cell as it is safe to write: characters a workbook cannot hold removed, and a value
    that a spreadsheet would run as a formula prefixed with ``'`` so that it stays text. Values
    that are not text (numbers, dates, None) are returned unchanged."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value[:1] in FORMULA_TRIGGERS or value.lstrip(LEADING_WHITESPACE)[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value
