"""The report as display rows for the HTML page: formatted once here, so the template only loops."""

from . import formatting
from .charts import chart_for, svg_geometry


def share_columns(table):
    keys = set()
    for columns in table.shares.values():
        keys.update(columns)
    return [(k, label) for k, label in table.columns if k in keys]


def table_view(table, unit=formatting.KR):
    """``unit``: amounts in kr or tkr (Report.unit)."""
    shares = share_columns(table)
    chart = chart_for(table, unit)
    return {
        "table": table,
        "chart": svg_geometry(chart) if chart else None,
        "chart_title": chart.title if chart else "",
        "columns": [label for _, label in table.columns],
        "share_columns": [label for _, label in shares],
        "rows": [
            {
                "label": label,
                "total": formatting.is_total(key),
                "cells": [formatting.cell(table, key, c, unit) for c, _ in table.columns],
                "shares": [formatting.share_cell(table, key, c) for c, _ in shares],
            }
            for key, label in table.rows
        ],
    }
