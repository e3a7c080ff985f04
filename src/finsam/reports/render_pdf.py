"""The report as a tagged A4 PDF (landscape: the flow table has twelve number columns): the same HTML
as the page and the HTML file (reports/_tables.html, html.table_view: tables and SVG charts), laid
out for print by reports/print.html and written by core/pdf.py (WeasyPrint, PDF/UA-1)."""

from finsam.core import pdf
from finsam.statistics.tables import COUNTING_RULES

from .describe import describe
from .html import table_view

# Number columns per printed table; a wider table (flow) is split into blocks of columns, each with
# its row labels, so that no column is cut off or too narrow to read on A4 landscape.
BLOCK_COLUMNS = 12


def render(report):
    sections = [table_view(table, report.unit, block_columns=BLOCK_COLUMNS) for table in report.tables]
    for row in (row for section in sections for block in section["blocks"] for row in block["rows"]):
        row["label"] = pdf.breakable(row["label"])  # an insats's name may be one long word
    return pdf.render("reports/print.html", {
        "report": report, "description": describe(report), "counting_rules": COUNTING_RULES, "sections": sections,
    })
