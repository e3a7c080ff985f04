"""The report as an A4 PDF: front page, then each table with its chart, in Swedish number formats."""

import io

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import formatting, html
from .charts import PALETTE, chart_for
from .describe import describe

STYLES = getSampleStyleSheet()
SMALL = STYLES["BodyText"].clone("small", fontSize=7.5, leading=9)
CELL = STYLES["BodyText"].clone("cell", fontSize=7.5, leading=9)


def render(report):
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=f"Statistik {report.association.name} {report.date_from}–{report.date_to}",
        author=report.association.name, lang="sv",
    )
    story = [Paragraph("Statistik för uppföljning", STYLES["Title"])]
    for label, value in describe(report):
        story.append(Paragraph(f"<b>{_escape(label)}:</b> {_escape(value)}", STYLES["BodyText"]))
    story.append(PageBreak())
    for table in report.tables:
        story.extend(_table(table, report))
    document.build(story, onFirstPage=_footer(report), onLaterPages=_footer(report))
    return buffer.getvalue()


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _footer(report):
    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(15 * mm, 8 * mm, f"{report.association.name} · {report.date_from} – {report.date_to}")
        canvas.drawRightString(landscape(A4)[0] - 15 * mm, 8 * mm, f"Sida {document.page}")
        canvas.restoreState()
    return draw


def _table(table, report):
    share_columns = html.share_columns(table)
    # Wide tables (flow) are split into blocks of columns so that A4 stays readable.
    blocks = [table.columns[i:i + 12] for i in range(0, len(table.columns), 12)] or [[]]
    parts = [Paragraph(_escape(table.title), STYLES["Heading2"])]
    for block in blocks:
        header = [""] + [Paragraph(_escape(label), CELL) for _, label in block]
        shares = [(k, label) for k, label in share_columns if (k, label) in block]
        header += [Paragraph(_escape(f"Andel: {label}"), CELL) for _, label in shares]
        rows = [header]
        for row_key, row_label in table.rows:
            line = [Paragraph(_escape(row_label), CELL)]
            line += [formatting.cell(table, row_key, col, report.unit) for col, _ in block]
            line += [formatting.share_cell(table, row_key, col) for col, _ in shares]
            rows.append(line)
        width = 60 * mm
        other = (landscape(A4)[0] - 30 * mm - width) / max(1, len(header) - 1)
        pdf_table = Table(rows, colWidths=[width] + [min(other, 28 * mm)] * (len(header) - 1), repeatRows=1)
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for i, (row_key, _) in enumerate(table.rows, start=1):
            if formatting.is_total(row_key):
                style.append(("FONTNAME", (0, i), (-1, i), "Helvetica-Bold"))
        pdf_table.setStyle(TableStyle(style))
        parts += [pdf_table, Spacer(1, 3 * mm)]
    notes = list(table.notes)
    if report.published:
        notes.append(f"'{formatting.MASKED}' = dolt för att skydda enskilda (antal under {report.threshold}).")
    parts += [Paragraph(_escape(n), SMALL) for n in notes]
    drawing = _drawing(table, report.unit)
    if drawing is not None:
        parts += [Spacer(1, 3 * mm), drawing]
    return [KeepTogether(parts[:3])] + parts[3:] + [Spacer(1, 8 * mm)]


MAX_CHART_HEIGHT = 400  # points, with the legend and the margins still inside the page's frame


def _drawing(table, unit):
    chart = chart_for(table, unit)
    if chart is None:
        return None
    # At most what a landscape A4 page holds (a chart taller than the page cannot be laid out: a
    # 30-year period has 30 rows of three bars); more bars are drawn thinner.
    height = min(30 + 12 * len(chart.categories) * max(1, len(chart.series)), MAX_CHART_HEIGHT)
    drawing = Drawing(250 * mm, height + 30)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 70 * mm, 20, 150 * mm, height
    scale = 100 if chart.percent else 1
    bars.data = [[(chart.scaled(v) or 0) * scale for v in values] for _, values in chart.series]
    bars.categoryAxis.categoryNames = [c[:45] for c in chart.categories]
    bars.categoryAxis.labels.fontSize = 7
    bars.categoryAxis.reverseDirection = True
    bars.valueAxis.valueMin = min([0, *(v for row in bars.data for v in row)])  # an amount may be negative
    bars.valueAxis.labels.fontSize = 7
    if chart.percent:
        bars.valueAxis.labelTextFormat = lambda v: f"{formatting.number(v)} %"
    elif chart.amount:
        bars.valueAxis.labelTextFormat = lambda v: f"{formatting.number(v)} {unit}"
    for i, _ in enumerate(chart.series):
        bars.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = 70 * mm, height + 28
    legend.fontSize = 7
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.alignment = "right"
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), name) for i, (name, _) in enumerate(chart.series)]
    drawing.add(legend)
    return drawing
