"""The participant file as a workbook: the import template and the export. Columns, their help
and their codes come from the declaration of the variables (``variables.py``, codes from
``finsam.codes``), which the import reads too, so the three can never drift apart."""

import csv
import io
import tempfile

import openpyxl
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from finsam.core.exports import neutralise
from finsam.interventions.models import target_group_choices

from . import variables
from .importing import COLUMNS, SINGLE_CODE_COLUMNS, RowContext, participation_row
from .labels import Labeller
from .models import Participation

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
EXPORT_COLUMNS = [v.code for v in variables.VARIABLES if v.exported]
# Participations read per query while exporting: the prefetches of a chunk stay under SQLite's
# smallest limit on variables in one statement (999), and memory stays flat however many there are.
EXPORT_CHUNK = 500

def _label_lists(association, interventions=None):
    """The values offered by the template's dropdowns: labels, never codes (issue 10). The import
    takes a label wherever it takes a code (codes.CodeList.lookup, RowContext)."""
    lists = {column: [label for _, label in code_list.choices] for column, code_list in SINGLE_CODE_COLUMNS.items()}
    lists["anonym"] = ["ja", "nej"]
    context = RowContext(association, [], None)
    lists["anmalande_part"] = [label for _, label in context.referrer_choices()]
    lists["insats"] = [
        # The exact name, which the import takes; the short name if a spreadsheet would read the name as a formula.
        name if neutralise(name) == name else slug
        for slug, name in (association.interventions if interventions is None else interventions)
        .filter(kind="individual").order_by("name").values_list("slug", "name")
    ]
    return lists


def template(association, interventions=None):
    """The Excel template; ``interventions``: the insatser offered (the ones the user may import
    into; every insats of the förbund when None)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Deltagare"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    code_sheet = workbook.create_sheet("Koder")
    lists = _label_lists(association, interventions)
    for index, column in enumerate(COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column) + 2)
        values = lists.get(column)
        if not values:
            continue
        code_sheet.cell(row=1, column=index, value=column).font = Font(bold=True)
        # Labels of the code lists (fixed text, none a formula) and names checked in _label_lists:
        # the list must offer them exactly as the import expects them, so no neutralise() here.
        for row, value in enumerate(values, start=2):
            code_sheet.cell(row=row, column=index, value=value)
        validation = DataValidation(
            type="list", formula1=f"=Koder!${letter}$2:${letter}${len(values) + 1}", allow_blank=True,
            showErrorMessage=True, errorTitle="Okänt värde", error=f"Välj ett värde för {column} ur listan.",
        )
        validation.add(f"{letter}2:{letter}5001")
        sheet.add_data_validation(validation)
    instructions = workbook.create_sheet("Instruktioner")
    instructions.append(["Deltagarfil för Finsam Uppföljning"])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.append(["En rad per deltagande. Rad 1 innehåller kolumnernas koder och får inte ändras."])
    instructions.append(["Skriv aldrig namn. Filen läses in helt eller inte alls; alla fel visas på en gång."])
    instructions.append(["Att läsa in samma fil igen ändrar ingenting."])
    instructions.append(["Utan personnummer (pseudonym): anonym = nej, tomt personnummer, egen referens, kön och "
                         "helst födelseår. Referensen identifierar deltagandet; varje sådant räknas som en individ."])
    instructions.append([])
    instructions.append(["Kolumn", "Beskrivning", "Tillåtna värden"])
    for cell in instructions[instructions.max_row]:  # the header just added
        cell.font = Font(bold=True)
    target_groups = [label for _, label in target_group_choices(association)]
    for column, variable in COLUMNS.items():
        allowed = lists.get(column) or []
        if variable.kind == variables.CODES:  # without a code list: the förbund's target groups
            allowed = [label for _, label in variable.code_list.choices] if variable.code_list else target_groups
        instructions.append([column, variable.template_help, neutralise("; ".join(allowed))])
    instructions.column_dimensions["A"].width = 28
    instructions.column_dimensions["B"].width = 70
    instructions.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_row(participation, labeller):
    """One row of the export: what a re-import needs to change nothing (the birth year and gender
    of a pseudonymous row; an identified row is found again by its referens and keeps its identity),
    with labels where the stored value is a code."""
    row = participation_row(participation)
    return [neutralise(_export_text(column, row.get(column), labeller)) for column in EXPORT_COLUMNS]


def _export_text(column, value, labeller):
    """A cell of the export: codes written as labels (issue 10: files show words, not codes). The
    import reads a label as its code (CodeList.lookup, RowContext), so the export re-imports
    unchanged."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    variable = COLUMNS[column]
    if variable.kind == variables.CODE:
        return variable.code_list.label(value)
    if variable.kind == variables.REFERRER:
        return labeller.referrer(value)
    if variable.kind == variables.CODES and variable.code_list:
        return "; ".join(variable.code_list.label(code) for code in value.split(";"))
    if variable.kind == variables.CODES:  # the förbund's target groups
        labels = [labeller.target_group(code) for code in value.split(";")]
        # A förbund's own label holding ";" would split on re-import: its code then.
        return "; ".join(label if ";" not in label else code for label, code in zip(labels, value.split(";")))
    return value


def export_participations(association, access, intervention_slug=""):
    """The rows a user exports: those of the insatser whose participants they see (every insats
    for the förbund's administratörer and analytiker when the förbund is responsible, the
    assigned ones otherwise), optionally of one insats. The page and the background job share it."""
    reachable = association.interventions.with_participant_access(access)
    participations = (
        Participation.objects.filter(association=association, intervention__in=reachable)
        .select_related("intervention").prefetch_related("support", "target_group_records")
        .order_by("intervention__slug", "start_date", "id")
    )
    if intervention_slug:
        participations = participations.filter(intervention__slug=intervention_slug)
    return participations


def _reporting(rows, total, progress):
    for count, row in enumerate(rows, start=1):
        if count % EXPORT_CHUNK == 0:
            progress(count, total, "Skriver raderna")
        yield row
    progress(total, total, "Skriver raderna")


def export(participations, file_format, association, progress=None):
    """The participant export as (content, content type): semicolon CSV with BOM, or xlsx.
    ``participations`` is a queryset, read EXPORT_CHUNK rows at a time with their prefetches.
    The CSV content is an iterator of bytes, produced while it is sent; the xlsx content is a
    temporary file (openpyxl's write-only mode keeps rows on disk too), open at its start. Memory
    does not grow with the number of participations."""
    labeller = Labeller(association)
    rows = (export_row(p, labeller) for p in participations.iterator(chunk_size=EXPORT_CHUNK))
    if progress:
        rows = _reporting(rows, participations.count(), progress)
    if file_format == "xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Deltagare")
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            sheet.append(row)
        content = tempfile.TemporaryFile()
        workbook.save(content)
        content.seek(0)
        return content, XLSX_TYPE
    return _csv_lines(rows), CSV_TYPE


def _csv_lines(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(EXPORT_COLUMNS)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % EXPORT_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
