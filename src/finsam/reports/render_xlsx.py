"""The report as an Excel workbook: a front sheet, one formatted sheet per table with a native
Excel chart where the table has one. Counts are numbers and shares are fractions formatted as
percentages, so the numbers stay usable in Excel."""

import io

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from finsam.core.exports import neutralise
from finsam.statistics.tables import AMOUNT_KR, SHARE

from . import formatting, html
from .charts import PALETTE, chart_for
from .describe import describe

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="999999")
PERCENT = "0.0 %"
INTEGER = "# ##0"
# Amounts are the exact kronor as numbers; the format shows them in the report's unit, rounded by
# Excel from the exact value (a half away from zero), with the locale's thousands separator (","
# in the file; Swedish Excel shows a space). A trailing "," scales by a thousand (tkr).
AMOUNT_FORMATS = {"kr": '#,##0 "kr"', "tkr": '#,##0, "tkr"'}
AMOUNT = AMOUNT_FORMATS["kr"]


def render(report):
    workbook = openpyxl.Workbook()
    front = workbook.active
    front.title = "Om rapporten"
    _front_sheet(front, report)
    used = {"Om rapporten"}
    for table in report.tables:
        name = _sheet_name(table.title, used)
        sheet = workbook.create_sheet(name)
        _table_sheet(sheet, table, report)
    _neutralise_text_cells(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _neutralise_text_cells(workbook):
    """Every text cell of the workbook, whoever wrote it, through the one neutralise(): names
    and labels come from users, and openpyxl stores any text starting with "=" as a formula."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)


def _sheet_name(title, used):
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def _front_sheet(sheet, report):
    sheet["A1"] = "Statistik för uppföljning"
    sheet["A1"].font = Font(bold=True, size=16)
    for i, (label, value) in enumerate(describe(report), start=3):
        sheet.cell(row=i, column=1, value=label).font = TOTAL_FONT
        sheet.cell(row=i, column=2, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 110


def _table_sheet(sheet, table, report):
    sheet["A1"] = table.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{report.association.name}, {report.date_from.isoformat()} – {report.date_to.isoformat()}"
    header_row = 4
    share_columns = html.share_columns(table)
    headers = [""] + [label for _, label in table.columns] + [f"Andel: {label}" for _, label in share_columns]
    for c, text in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=c, value=text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    r = header_row
    for r, (row_key, row_label) in enumerate(table.rows, start=header_row + 1):
        sheet.cell(row=r, column=1, value=row_label)
        for c, (col_key, _) in enumerate(table.columns, start=2):
            cell = sheet.cell(row=r, column=c)
            value = table.cell(row_key, col_key)
            if (row_key, col_key) in table.masked:
                cell.value = formatting.MASKED
                cell.alignment = Alignment(horizontal="right")
            elif isinstance(value, str):
                cell.value = value
            elif value is not None:
                cell.value = value
                kind = table.kind(row_key, col_key)
                cell.number_format = (PERCENT if kind == SHARE else AMOUNT_FORMATS[report.unit] if kind == AMOUNT_KR
                                      else INTEGER if isinstance(value, int) else "0.0")
            cell.border = Border(bottom=THIN)
        for c, (col_key, _) in enumerate(share_columns, start=2 + len(table.columns)):
            cell = sheet.cell(row=r, column=c)
            if (row_key, col_key) in table.masked_shares:
                cell.value = formatting.MASKED
            else:
                cell.value = table.share(row_key, col_key)
                cell.number_format = PERCENT
        if formatting.is_total(row_key):
            for c in range(1, len(headers) + 1):
                sheet.cell(row=r, column=c).font = TOTAL_FONT
    last_row = r
    notes_row = last_row + 2
    for note in table.notes + ([f"'{formatting.MASKED}' = dolt för att skydda enskilda (antal under {report.threshold})."]
                                if report.published else []):
        sheet.cell(row=notes_row, column=1, value=note)
        notes_row += 1
    sheet.column_dimensions["A"].width = 42
    for c in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 14
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    _chart(sheet, table, header_row, notes_row + 1, report.unit)


def _chart(sheet, table, header_row, anchor_row, unit):
    chart = chart_for(table, unit)
    if chart is None:
        return
    # The chart data: a small block under the table, referenced by the native chart.
    start = anchor_row
    sheet.cell(row=start, column=1, value="Diagramdata").font = TOTAL_FONT
    for s, (name, _) in enumerate(chart.series, start=2):
        sheet.cell(row=start, column=s, value=name)
    for i, label in enumerate(chart.categories, start=1):
        sheet.cell(row=start + i, column=1, value=label)
        for s, (_, values) in enumerate(chart.series, start=2):
            cell = sheet.cell(row=start + i, column=s, value=values[i - 1])
            if chart.percent:
                cell.number_format = PERCENT
            elif chart.amount:
                cell.number_format = AMOUNT_FORMATS[unit]
    bar = BarChart()
    bar.type = "bar"
    bar.title = chart.title
    bar.style = 10
    bar.height = max(7, 0.6 * len(chart.categories) * max(1, len(chart.series)))
    bar.width = 22
    data = Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=start, max_row=start + len(chart.categories))
    categories = Reference(sheet, min_col=1, min_row=start + 1, max_row=start + len(chart.categories))
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(categories)
    for series, colour in zip(bar.series, PALETTE):
        series.graphicalProperties.solidFill = colour[1:]
    if chart.percent:
        bar.y_axis.numFmt = "0%"
    elif chart.amount:
        bar.y_axis.numFmt = AMOUNT_FORMATS[unit]
        bar.y_axis.title = unit
    sheet.add_chart(bar, f"{get_column_letter(len(table.columns) + 4)}{header_row}")
