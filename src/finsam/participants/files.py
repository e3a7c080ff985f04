"""Reading a participant file (.xlsx or .csv) into header + rows, safely.

Nothing in a file may crash the process or make it allocate without bound (issue 9), so every
limit is checked before the part that would be expensive:

1. the size of the upload, before it is read;
2. for .xlsx (a zip): the number of members and their unpacked size, before anything is
   decompressed (zip bombs), then every member streamed through :func:`_scan_member`, which
   finds the declared dimension, the real extent and the number of filled cells of every sheet
   and the number of shared strings. calamine, which reads the workbook, allocates one cell for
   every position between the first and the last filled cell and reserves what the file
   declares: a 1.5 KB file with cells at A1 and XFD1048576 asked it for hundreds of GiB. It is
   only called once those numbers are within the limits below. Reading every member also
   verifies every checksum and local header, so a member that lies about its size or name is
   refused here. calamine's XML parser does not expand DTD entities (tested);
3. for .csv: NUL bytes, UTF-16, malformed quoting, over-long cells and rows.

Every refusal is a :class:`FileRefused` with a Swedish message that says what to do.
"""

import csv
import datetime
import html
import io
import re
import zipfile
from operator import itemgetter

from django.conf import settings

MAX_ROWS = 200_000  # participant rows, after the header
MAX_COLUMNS = 40  # the file has 23 columns; room for a few unknown ones to be reported
MAX_CELLS = 5_000_000  # filled cells in one sheet, or shared strings in the workbook
MAX_CELL_CHARS = 1000  # no column of the format holds more than a few dozen characters
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_TAG_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected Excel file

NOT_XLSX = "Filen är ingen riktig Excel-fil (.xlsx). Spara den i Excel som Excel-arbetsbok (.xlsx) och försök igen."
UNREADABLE = "Excel-filen kunde inte läsas: den är skadad eller inte sparad av ett kalkylprogram. Spara om den i Excel och försök igen."


class FileRefused(Exception):
    """The file cannot be read at all; the message is for the user (Swedish)."""


def read_table(source, filename: str, sheet="Deltagare"):
    """Return (header, rows, warnings): header a list of strings, rows lists of cell values
    (str, date or None), in file order; row i of ``rows`` is line i + 2 of the file. An .xlsx is
    read from its sheet named ``sheet``, else its first sheet.
    ``source`` is the file's bytes or a binary file object (an upload, an open file): its size
    is checked before anything is read."""
    limit = settings.FINSAM_UPLOAD_MAX_BYTES
    size = _size(source)
    if size > limit:
        raise FileRefused(f"Filen är för stor ({_megabytes(size)} MB). Högsta tillåtna storlek är {_megabytes(limit)} MB. "
                          "Dela upp den i flera filer.")
    data = source if isinstance(source, bytes) else source.read()
    name = filename.lower()
    if name.endswith(".xlsx"):
        return (*_read_xlsx(data, sheet), [])
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(data)
    raise FileRefused("Filtypen stöds inte. Använd .xlsx eller .csv.")


def _size(source):
    if isinstance(source, bytes):
        return len(source)
    size = getattr(source, "size", None)
    if size is None:
        position = source.tell()
        size = source.seek(0, io.SEEK_END) - position
        source.seek(position)
    return size


def _megabytes(size):
    return max(1, round(size / 1024 / 1024))


# --- CSV ---------------------------------------------------------------------------------

def _read_csv(data):
    warnings = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused("Filen är sparad som UTF-16 (Unicode-text). Spara den i Excel som "
                          "\"CSV UTF-8 (kommaavgränsad)\" eller som .xlsx och försök igen.")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise FileRefused(f"Rad {line} innehåller ett nolltecken (NUL), som inte hör hemma i en textfil. Filen är "
                          "troligen ingen CSV-fil eller är skadad. Spara den som CSV UTF-8 igen.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warnings.append("Filen var inte i UTF-8 och har lästs som Windows-1252. Kontrollera å, ä och ö.")
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows = None, []
    try:
        for row in reader:
            line = reader.line_num
            if len(row) > MAX_COLUMNS:
                raise FileRefused(f"Rad {line} har {len(row)} kolumner; högst {MAX_COLUMNS} kan läsas in. "
                                  f"Kontrollera att kolumnerna skiljs åt med semikolon.")
            for index, cell in enumerate(row):
                _check_cell(cell, line, index)
            if header is None:
                header = row
                continue
            if len(rows) >= MAX_ROWS:
                raise FileRefused(f"Filen har fler än {MAX_ROWS} rader. Dela upp den.")
            rows.append([cell if cell.strip() else None for cell in row])
    except csv.Error:
        # The csv module's own limit on a cell (131 072 characters), or broken quoting.
        raise FileRefused(f"Rad {reader.line_num} kunde inte läsas: en cell är för lång eller har ett citattecken (\") "
                          "som inte avslutas. Rätta raden och försök igen.") from None
    if header is None:
        raise FileRefused("Filen är tom.")
    return header, rows, warnings


def _check_cell(text, line, index):
    if len(text) > MAX_CELL_CHARS:
        raise FileRefused(f"Rad {line}, kolumn {_column_letters(index)}: cellen har {len(text)} tecken. "
                          f"Högst {MAX_CELL_CHARS} tecken går att läsa in.")
    if "\x00" in text:
        raise FileRefused(f"Rad {line}, kolumn {_column_letters(index)}: cellen innehåller ett nolltecken (NUL), "
                          "som inte kan sparas. Skriv om värdet.")


# --- XLSX --------------------------------------------------------------------------------

def _read_xlsx(data, sheet="Deltagare"):
    if data.startswith(OLE_MAGIC):
        raise FileRefused("Filen är lösenordsskyddad eller sparad i det gamla formatet .xls. Spara den i Excel som "
                          "Excel-arbetsbok (.xlsx) utan lösenord och försök igen.")
    if not data.startswith(XLSX_MAGIC):
        raise FileRefused(NOT_XLSX)
    _check_workbook(data)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = sheet if sheet in workbook.sheet_names else workbook.sheet_names[0]
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine raises several kinds for broken files, and a Rust panic is a BaseException
        raise FileRefused(UNREADABLE) from None
    if not values:
        raise FileRefused("Filen är tom.")
    if len(values) - 1 > MAX_ROWS:
        raise FileRefused(f"Filen har fler än {MAX_ROWS} rader. Dela upp den.")
    header = [_cell(c, 1, i) or "" for i, c in enumerate(values[0])]
    while header and header[-1] == "":
        header.pop()
    rows = [[_cell(v, line, i) for i, v in enumerate(row[: len(header)])] for line, row in enumerate(values[1:], start=2)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return header, rows


def _cell(value, line, index):
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
    text = str(value)
    _check_cell(text, line, index)
    return text.strip() or None


def _check_workbook(data):
    """Refuse, before calamine sees it, a workbook whose reading would cost more than the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise FileRefused(NOT_XLSX)
            if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
                raise FileRefused("Excel-filen är för stor uppackad. Dela upp den.")
            sheet_names = _sheet_names(archive)
            for info in members:
                _scan_member(archive, info, sheet_names.get(info.filename))
    except FileRefused:
        raise
    except Exception:  # BadZipFile, bad CRC, encrypted or unsupported members, broken streams
        raise FileRefused(UNREADABLE) from None


# A tag that calamine reads: rows, cells, the declared dimension, shared strings. Attribute
# values may hold ">" inside quotes.
_START = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c|dimension|sst|si)(?=[\s/>])")
# Possessive quantifiers: a long tag without an end must fail in linear time, not backtrack.
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*+:)?(row|c|dimension|sst|si)(?=[\s/>])((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>")
_ATTRIBUTE = re.compile(rb"""(?:^|\s)(?:[A-Za-z_][\w.\-]*:)?([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Any attribute that calamine could take for a position, also one not separated by a space.
_POSITION = re.compile(rb"""(?<![\w.\-])(?:[A-Za-z_][\w.\-]*:)?r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def _attributes(raw):
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTRIBUTE.finditer(raw)}


def _position(raw, where):
    found = _POSITION.findall(raw)
    if not found:
        return None
    if len(found) > 1:  # which one calamine takes depends on its version
        raise FileRefused(f"{where} har en cell med två positioner. {UNREADABLE}")
    return found[0][0] or found[0][1]


def _reference(value, where):
    match = _REFERENCE.match(value)
    if not match:
        raise FileRefused(f"{where} har en ogiltig cellreferens. {UNREADABLE}")
    return int(match.group(2)) - 1, _column_number(match.group(1)) - 1


class _SheetScan:
    """Rows and cells of one zip member, placed the way calamine places them: at an explicit
    ``r``, else at the next position."""

    def __init__(self, where):
        self.where = where
        self.row_index = self.column_index = self.cells = self.strings = 0
        self.last_row = self.last_column = -1

    def too_large(self, rows, columns):
        if rows > MAX_ROWS + 1 or columns > MAX_COLUMNS:
            raise FileRefused(
                f"{self.where} sträcker sig till rad {rows} och kolumn {_column_letters(columns - 1)}. Högst "
                f"{MAX_ROWS + 1} rader (rubrikraden och {MAX_ROWS} deltagare) och {MAX_COLUMNS} kolumner kan läsas "
                "in. Ta bort tomma rader och kolumner nedanför och till höger om tabellen (markera dem och välj Ta "
                "bort) och spara om filen."
            )

    def tag(self, closing, name, raw):
        empty = raw.endswith(b"/")
        if name == b"c":
            if closing:
                return
            position = _position(raw, self.where)
            if position is not None:
                row, column = _reference(position, self.where)
                self.column_index = column
            else:
                row, column = self.row_index, self.column_index
            self.column_index += 1
            # Empty cells (formatting) count too: a sheet that declares its extent counts them as well.
            self.cells += 1
            if row > self.last_row or column > self.last_column:
                self.last_row, self.last_column = max(row, self.last_row), max(column, self.last_column)
                self.too_large(self.last_row + 1, self.last_column + 1)
        elif name == b"row":
            if not closing:
                position = _position(raw, self.where)
                if position is not None:
                    if not position.isdigit() or len(position) > 7:
                        raise FileRefused(f"{self.where} har ett ogiltigt radnummer. {UNREADABLE}")
                    self.row_index = int(position) - 1
            if closing or empty:
                self.row_index += 1
                self.column_index = 0
        elif closing:
            return
        elif name == b"dimension":
            declared = _attributes(raw).get(b"ref") or b""
            corners = [_reference(part, self.where) for part in declared.split(b":") if part]
            if corners:
                self.too_large(max(r for r, _ in corners) + 1, max(c for _, c in corners) + 1)
        elif name == b"sst":
            for key in (b"count", b"uniqueCount"):
                value = _attributes(raw).get(key)
                if value is not None and (not value.isdigit() or len(value) > 9 or int(value) > MAX_CELLS):
                    raise FileRefused(f"Excel-filen har för många texter (högst {MAX_CELLS}). Dela upp den.")
        elif name == b"si":
            self.strings += 1
        self.check_counts()

    def check_counts(self):
        if self.cells > MAX_CELLS or self.strings > MAX_CELLS:
            raise FileRefused(f"{self.where} har fler än {MAX_CELLS} ifyllda celler. Dela upp filen.")


# The fast path: the form every spreadsheet program writes, a cell's position first and no other
# attribute that could be read as one.
_CELL = re.compile(
    rb"<c r=\"([A-Z]{1,3})([0-9]{1,7})\"(?:\s++(?![A-Za-z_.:\-]*r\s*+=)[A-Za-z_][\w.:\-]*+\s*+=\s*+\"[^\"<]*+\")*+\s*+/?>"
)
# Any other way to write a cell's start tag (with a namespace prefix: ":c") leaves the fast path.
_OTHER_CELL_START = re.compile(rb"<c[>/\t\n\r]|:c[\s/>]")
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.\-]*+:)?si(?=[\s/>])")


class _Irregular(Exception):
    """The member is not in the usual form: read it again, exactly."""


def _scan_member(archive, info, sheet_name):
    scan = _SheetScan(f"Kalkylbladet \"{sheet_name}\"" if sheet_name else "Ett kalkylblad i filen")
    try:
        _scan_usual(archive, info, scan)
    except _Irregular:
        _scan_exact(archive, info, _SheetScan(scan.where))


def _scan_usual(archive, info, scan):
    """Whole chunks at C speed, when every cell names its own position (``<c r="B7"``): then no
    cell's place depends on the ones before it, and only the extremes matter."""
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            text = tail + chunk
            # Cut before the last tag start (a whole tag of well-formed XML holds no "<").
            cut = len(text) if not chunk else text.rfind(b"<")
            if cut <= 0 and chunk:
                raise _Irregular
            region, tail = text[:cut], text[cut:]
            cells = _CELL.findall(region)
            plain = region.count(b"<c ")
            if (len(cells) != plain or (region.count(b"<c") != plain and _OTHER_CELL_START.search(region))
                    or (b":c" in region and _OTHER_CELL_START.search(region))):
                raise _Irregular
            if cells:
                scan.cells += len(cells)
                rows = max(map(int, map(itemgetter(1), cells)))
                columns = max(_column_number(letter) for letter in set(map(itemgetter(0), cells)))
                scan.last_row, scan.last_column = max(rows - 1, scan.last_row), max(columns - 1, scan.last_column)
                scan.too_large(scan.last_row + 1, scan.last_column + 1)
            for keyword in (b"dimension", b"sst"):
                # Rare (once, at the top of a member): each occurrence, from the "<" before it.
                found = region.find(keyword)
                while found >= 0:
                    match = _TAG.match(region, region.rfind(b"<", 0, found))
                    if match is not None and match.group(2) == keyword:
                        scan.tag(*match.groups())
                    found = region.find(keyword, found + 1)
            if b"si" in region:
                scan.strings += len(_SHARED_STRING.findall(region))
            scan.check_counts()
            if not chunk:
                return


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _scan_exact(archive, info, scan):
    """Every tag in order. Each chunk is read with the last MAX_TAG_BYTES of the one before, and
    a tag is taken only where it starts at least that far from the end (or at the end of the
    member), so a tag split by a chunk boundary is read whole; a tag start without a whole tag
    (longer than that, or malformed) refuses the file, since calamine might read it differently."""
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            text = tail + chunk
            limit = len(text) if not chunk else len(text) - MAX_TAG_BYTES
            for start in _START.finditer(text):
                if start.start() >= limit:
                    break
                match = _TAG.match(text, start.start())
                if match is None:
                    raise FileRefused(UNREADABLE)
                scan.tag(*match.groups())
            if not chunk:
                return
            tail = text[max(limit, 0):]


def _sheet_names(archive):
    """Zip member -> sheet name, best effort and only for the messages (xl/workbook.xml and its
    relationships, both small)."""
    try:
        workbook = _small_member(archive, "xl/workbook.xml")
        relationships = _small_member(archive, "xl/_rels/workbook.xml.rels")
    except (KeyError, FileRefused):
        return {}
    targets = {}
    for match in re.finditer(rb"<(?:\w+:)?Relationship\b([^>]*)>", relationships):
        attributes = _attributes(match.group(1))
        target = (attributes.get(b"Target") or b"").decode("utf-8", "replace")
        targets[attributes.get(b"Id")] = target[1:] if target.startswith("/") else "xl/" + target
    names = {}
    for match in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)>", workbook):
        attributes = _attributes(match.group(1))
        path = targets.get(attributes.get(b"id"))
        if path and attributes.get(b"name"):
            names[path] = html.unescape(attributes[b"name"].decode("utf-8", "replace"))[:100]
    return names


def _small_member(archive, name):
    info = archive.getinfo(name)
    if info.file_size > 5 * 1024 * 1024:
        raise FileRefused(UNREADABLE)
    return archive.read(info)


def _column_letters(index):
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
