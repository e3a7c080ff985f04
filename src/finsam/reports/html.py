"""The report as display rows for the HTML page, the HTML file and the PDF: formatted once here, so
the templates only loop."""

from . import formatting
from .charts import chart_for, svg_geometry


def share_columns(table):
    keys = set()
    for columns in table.shares.values():
        keys.update(columns)
    return [(k, label) for k, label in table.columns if k in keys]


def table_view(table, unit=formatting.KR, block_columns=None):
    """``unit``: amounts in kr or tkr (Report.unit). ``block_columns``: at most that many columns
    (numbers and shares) per printed table (the PDF splits a wide table such as flow into blocks of columns, each
    with its own header row and row labels, so A4 stays readable); None: one block, as on the page."""
    shares = share_columns(table)
    chart = chart_for(table, unit)
    rows = [
        {
            "label": label,
            "total": formatting.is_total(key),
            "cells": [formatting.cell(table, key, c, unit) for c, _ in table.columns],
            "shares": [formatting.share_cell(table, key, c) for c, _ in shares],
        }
        for key, label in table.rows
    ]
    return {
        "table": table,
        "chart": svg_geometry(chart) if chart else None,
        "chart_title": chart.title if chart else "",
        # what _tables.html prints: one block on the page and in the HTML file, several in the PDF
        "blocks": _blocks(table.columns, shares, rows, block_columns),
    }


def _blocks(columns, shares, rows, size):
    """The table's columns in blocks of at most ``size`` printed columns, a number column and its share
    column counted as two and kept in one block (each block's share columns follow its own columns)."""
    share_index = {column: i for i, column in enumerate(shares)}
    spans, current, width = [], [], 0
    for index, column in enumerate(columns):
        cost = 2 if column in share_index else 1
        if size and current and width + cost > size:
            spans.append(current)
            current, width = [], 0
        current.append(index)
        width += cost
    spans.append(current)
    blocks = []
    for span in spans:
        picked = [share_index[columns[i]] for i in span if columns[i] in share_index]
        blocks.append({
            "columns": [columns[i][1] for i in span],
            "share_columns": [shares[i][1] for i in picked],
            "rows": [{"label": r["label"], "total": r["total"], "cells": [r["cells"][i] for i in span],
                      "shares": [r["shares"][i] for i in picked]} for r in rows],
        })
    return blocks
