"""Reading a participant file (.xlsx or .csv) into header + rows, safely.

Limits are checked before parsing: the file size, and for .xlsx (a zip) the unpacked size, so that
a zip bomb is refused before anything is decompressed. Workbooks are read with calamine, whose XML
parser does not expand DTD entities (tested).
"""

import csv
import datetime
import io
import zipfile

from django.conf import settings

MAX_ROWS = 200_000
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The file cannot be read at all; the message is for the user (Swedish)."""


def read_table(data: bytes, filename: str):
    """Return (header, rows, warnings): header a list of strings, rows lists of cell values
    (str, date or None), in file order; row i of ``rows`` is line i + 2 of the file."""
    limit = settings.FINSAM_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise FileRefused(f"Filen är för stor ({len(data) // 1024 // 1024} MB). Högsta tillåtna storlek är {limit // 1024 // 1024} MB.")
    name = filename.lower()
    if name.endswith(".xlsx"):
        return (*_read_xlsx(data), [])
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(data)
    raise FileRefused("Filtypen stöds inte. Använd .xlsx eller .csv.")


def _read_csv(data):
    warnings = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warnings.append("Filen var inte i UTF-8 och har lästs som Windows-1252. Kontrollera å, ä och ö.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileRefused("Filen är tom.") from None
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise FileRefused(f"Filen har fler än {MAX_ROWS} rader. Dela upp den.")
        rows.append([cell if cell.strip() else None for cell in row])
    return header, rows, warnings


def _read_xlsx(data):
    if not data.startswith(XLSX_MAGIC):
        raise FileRefused("Filen är ingen riktig Excel-fil (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused("Filen är ingen riktig Excel-fil (.xlsx).") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused("Excel-filen är för stor uppackad. Dela upp den.")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = "Deltagare" if "Deltagare" in workbook.sheet_names else workbook.sheet_names[0]
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several kinds for broken files
        raise FileRefused("Excel-filen kunde inte läsas. Spara om den i Excel och försök igen.") from None
    if not values:
        raise FileRefused("Filen är tom.")
    header = [str(c).strip() if c not in (None, "") else "" for c in values[0]]
    while header and header[-1] == "":
        header.pop()
    if len(values) - 1 > MAX_ROWS:
        raise FileRefused(f"Filen har fler än {MAX_ROWS} rader. Dela upp den.")
    rows = [[_cell(v) for v in row[: len(header)]] for row in values[1:]]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return header, rows


def _cell(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (datetime.time, datetime.timedelta)):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None
