"""The report as one CSV in long form (one line per cell), semicolon-separated with a UTF-8 BOM and
decimal commas, as Swedish Excel expects. Amounts are whole kronor (rounded from the exact amount),
whatever unit the page shows."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from finsam.core.exports import neutralise

from . import formatting

HEADER = ["tabell", "tabellnamn", "rad", "radnamn", "kolumn", "kolumnnamn", "antal", "andel"]


def _decimal(value, places):
    return "" if value is None else f"{value:.{places}f}".replace(".", ",")


def render(report):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for table in report.tables:
        for row_key, row_label in table.rows:
            for col_key, col_label in table.columns:
                value = table.cell(row_key, col_key)
                if (row_key, col_key) in table.masked:
                    shown = formatting.MASKED
                elif isinstance(value, Decimal):  # an exact amount: whole kronor, a half away from zero
                    shown = str(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
                elif isinstance(value, float):
                    shown = _decimal(value, 4)
                else:
                    shown = "" if value is None else neutralise(str(value))
                share = table.share(row_key, col_key)
                if (row_key, col_key) in table.masked_shares:
                    shown_share = formatting.MASKED
                else:
                    shown_share = _decimal(share, 4)
                writer.writerow([*map(neutralise, (table.id, table.title, row_key, row_label, col_key, col_label)),
                                 shown, shown_share])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
