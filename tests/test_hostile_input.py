"""Files and input from a hostile or careless user (issue 9, class 2): nothing a user sends may
crash a process or give a 500, formula-like text never becomes a formula in an export, and an
identity number is refused wherever it would be stored in clear."""

import csv
import datetime
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings as hypothesis_settings, strategies as st

from finsam.core.exports import FORMULA_TRIGGERS, neutralise
from finsam.core.identifiers import contains_identity_number, redact_identity_numbers
from finsam.interventions.association_file import AssociationFileError, parse_association_file
from finsam.interventions.models import Intervention, TargetGroup
from finsam.participants.files import FileRefused, read_table
from finsam.participants.importing import validate_file
from finsam.participants.models import Participation, VolumeCount
from finsam.plans.models import Indicator
from finsam.tenancy.models import Association, Member, User

from tests.conftest import DATA, make_participation
from tests.test_access_matrix import MEMBERS, ROUTES, _url

TODAY = datetime.date(2026, 11, 23)
PNR = "19900101-0017"
HOSTILE_TEXT = ['=HYPERLINK("http://evil.example","klicka")', "+1", "-1", "@SUM(1)", "\t=1+1", "\r=1+1",
                " =1+1", "\uff1d1+1"]


# --- workbooks built byte by byte ----------------------------------------------------------

def workbook_bytes(sheet_xml, extra=None, sheet_path="xl/worksheets/sheet1.xml"):
    """A minimal valid xlsx whose only sheet, "Deltagare", is ``sheet_xml`` (bytes)."""
    members = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/' + sheet_path.encode() + b'" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Deltagare" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="' + sheet_path[3:].encode() + b'"/></Relationships>',
        sheet_path: sheet_xml,
    }
    members.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sheet(rows_xml, dimension=b"A1:E2"):
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (b'<dimension ref="' + dimension + b'"/>' if dimension else b"")
            + b"<sheetData>" + rows_xml + b"</sheetData></worksheet>")


def text_cell(ref, text):
    position = b' r="' + ref + b'"' if ref else b""
    return b"<c" + position + b' t="inlineStr"><is><t>' + text + b"</t></is></c>"


GOOD_ROWS = (b'<row r="1">' + b"".join(text_cell(r, t) for r, t in [(b"A1", b"insats"), (b"B1", b"referens"), (b"C1", b"anonym"), (b"D1", b"kon"), (b"E1", b"startdatum")])
             + b'</row><row r="2">' + b"".join(text_cell(r, t) for r, t in [(b"A2", b"aktivitetsplatsen"), (b"B2", b"X-1"), (b"C2", b"ja"), (b"D2", b"man"), (b"E2", b"2024-02-01")]) + b"</row>")


def far_cell_workbook():
    """The 1.5 KB file of the issue: cells at A1 and XFD1048576 (openpyxl writes it sparsely)."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Deltagare"
    workbook.active["A1"] = "insats"
    workbook.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Files that made calamine allocate without bound (the process was killed) or that it would read
# beyond the limits. Each is read in a child process with 2 GB of address space: a regression
# fails this test instead of killing the test run.
DANGEROUS = {
    "far_cell": far_cell_workbook(),
    "shared_string_count": workbook_bytes(sheet(GOOD_ROWS), {
        "xl/sharedStrings.xml": b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="90000000000"><si><t>a</t></si></sst>'}),
    "prefixed_far_cell": workbook_bytes(sheet(GOOD_ROWS.replace(b"</row><row", b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></row><row', 1))),
    "far_row_without_cell_positions": workbook_bytes(sheet(GOOD_ROWS + b'<row r="1048576">' + text_cell(b"", b"a") + b"</row>")),
    "cells_without_positions_past_the_columns": workbook_bytes(sheet(GOOD_ROWS + b'<row r="3">' + text_cell(b"AN3", b"a") + text_cell(b"", b"b") * 5 + b"</row>")),
    "second_position_attribute": workbook_bytes(sheet(GOOD_ROWS.replace(b'<c r="B2"', b'<c r="B2" r="XFD1048576"', 1))),
    "position_with_gt_in_an_attribute": workbook_bytes(sheet(GOOD_ROWS.replace(b'<c r="B2"', b'<c a=">" r="XFD1048576"', 1))),
    "tag_longer_than_a_chunk": workbook_bytes(sheet(GOOD_ROWS + b'<row r="3"><c r="XFD1048576" a="' + b"x" * (2 * 1024 * 1024) + b'" t="inlineStr"><is><t>a</t></is></c></row>')),
    "declared_dimension": workbook_bytes(sheet(GOOD_ROWS, dimension=b"A1:XFD1048576")),
    "lying_member_size": None,  # built below
}


def _lying_member_size():
    """The sheet with its unpacked size given as 100 bytes, in the central directory and in its
    local header: a zip bomb that lies about its size must still be refused."""
    data = bytearray(workbook_bytes(sheet(GOOD_ROWS + b'<row r="3">' + text_cell(b"B3", b"y" * 50_000) + b"</row>")))
    name = b"xl/worksheets/sheet1.xml"
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode()).header_offset
    data[local + 22:local + 26] = (100).to_bytes(4, "little")
    return bytes(data)


DANGEROUS["lying_member_size"] = _lying_member_size()

CHILD = """
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
import django
django.setup()
from finsam.participants.files import FileRefused, read_table
results = {}
for name in sys.argv[1:]:
    try:
        header, rows, warnings = read_table(open(os.path.join(os.environ["HOSTILE_DIR"], name), "rb").read(), "fil.xlsx")
        results[name] = "read %d rows" % len(rows)
    except FileRefused as refused:
        results[name] = "refused: " + str(refused)
print(json.dumps(results))
"""


def test_workbooks_that_exhausted_memory_are_refused_in_a_bounded_process(tmp_path):
    for name, data in DANGEROUS.items():
        (tmp_path / name).write_bytes(data)
    assert len(DANGEROUS["far_cell"]) < 6000
    env = {**os.environ, "HOSTILE_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "finsam.settings"}
    result = subprocess.run([sys.executable, "-c", CHILD, *DANGEROUS], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, f"the reader crashed (exit {result.returncode}): {result.stderr[-2000:]}"
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    for name in DANGEROUS:
        assert outcome[name].startswith("refused: "), (name, outcome[name])
    assert "sträcker sig till rad 1048576 och kolumn XFD" in outcome["far_cell"]
    assert "Ta bort tomma rader och kolumner" in outcome["far_cell"]
    assert "Högst 200001 rader" in outcome["declared_dimension"]
    assert "för många texter" in outcome["shared_string_count"]
    assert "kolumn AO" in outcome["cells_without_positions_past_the_columns"]
    # The same sheets within the limits are read, with and without positions.
    header, rows, _ = read_table(workbook_bytes(sheet(GOOD_ROWS)), "fil.xlsx")
    assert header == ["insats", "referens", "anonym", "kon", "startdatum"]
    assert rows == [["aktivitetsplatsen", "X-1", "ja", "man", "2024-02-01"]]
    # The same without any positions: placed in order, like calamine does.
    unplaced = GOOD_ROWS.replace(b' r="', b' data-r="')
    assert read_table(workbook_bytes(sheet(unplaced, dimension=None)), "fil.xlsx")[1] == rows


# --- the importer never crashes ------------------------------------------------------------

@pytest.fixture
def importer(example_association):
    association, _ = example_association

    def validate(data, filename):
        validation = validate_file(data, filename, association=association,
                                   interventions=association.interventions.all(), today=TODAY)
        assert validation.errors or validation.rows
        for error in validation.errors:
            assert error.message and len(error.value) <= 61 and len(error.column) <= 61
        return [str(e) for e in validation.errors]

    return validate


CSV_HEADER = "insats;referens;anonym;kon;startdatum\n"


@pytest.mark.parametrize("content, expected", [
    (CSV_HEADER + "aktivitetsplatsen;A\x00B;ja;man;2024-02-01\n", "nolltecken (NUL)"),
    (CSV_HEADER + "aktivitetsplatsen;" + "x" * 200_000 + ";ja;man;2024-02-01\n", "Rad 2"),
    (CSV_HEADER + "aktivitetsplatsen;" + "x" * 2000 + ";ja;man;2024-02-01\n", "cellen har 2000 tecken"),
    (CSV_HEADER + "aktivitetsplatsen;" + ";" * 500 + "\n", "kolumner"),
])
def test_malformed_csv_is_refused_with_a_message(importer, content, expected):
    errors = importer(content.encode("utf-8"), "fil.csv")
    assert len(errors) == 1 and expected in errors[0], errors


def test_utf16_csv_is_refused_with_advice(importer):
    errors = importer(CSV_HEADER.encode("utf-16"), "fil.csv")
    assert "UTF-16" in errors[0] and "CSV UTF-8" in errors[0]


def test_over_long_cell_in_a_workbook_is_refused_where_it_is(importer):
    rows = GOOD_ROWS.replace(b"<t>X-1</t>", b"<t>" + b"x" * 5000 + b"</t>")
    errors = importer(workbook_bytes(sheet(rows)), "fil.xlsx")
    assert errors == ["Rad 1: Rad 2, kolumn B: cellen har 5000 tecken. Högst 1000 tecken går att läsa in."]


def test_a_shown_value_is_shortened_and_never_holds_an_identity_number(importer):
    errors = importer((CSV_HEADER.replace("kon", "utbildning") + f"aktivitetsplatsen;X-1;ja;{PNR} och {'y' * 300};2024-02-01\n").encode(), "f.csv")
    assert not any("19900101" in e or "9001010017" in e for e in errors)
    assert any("(nummer dolt)" in e for e in errors)


def _mutations():
    base = workbook_bytes(sheet(GOOD_ROWS))
    return st.one_of(
        st.binary(max_size=2000).map(lambda b: (b"PK\x03\x04" + b, "fil.xlsx")),
        st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)).map(
            lambda m: (base[:m[0]] + bytes([m[1]]) + base[m[0] + 1:], "fil.xlsx")),
        st.integers(0, len(base)).map(lambda n: (base[:n], "fil.xlsx")),
        st.binary(max_size=3000).map(lambda b: (b, "fil.csv")),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=500).map(lambda t: ((CSV_HEADER + t).encode(), "fil.csv")),
    )


def _random_sheets():
    reference = st.tuples(st.integers(0, 20_000), st.integers(1, 2_000_000)).map(
        lambda rc: openpyxl.utils.get_column_letter(rc[0] % 16384 + 1).encode() + str(rc[1]).encode())
    cell = st.tuples(st.one_of(st.none(), reference), st.sampled_from([b"a", b"", b"1"]), st.booleans()).map(
        lambda c: (b"<c" + (b' r="' + c[0] + b'"' if c[0] else b"") + (b"/>" if c[2] else b'><v>1</v></c>')))
    row = st.tuples(st.one_of(st.none(), st.integers(1, 2_000_000)), st.lists(cell, max_size=5)).map(
        lambda r: b"<row" + (b' r="%d"' % r[0] if r[0] else b"") + b">" + b"".join(r[1]) + b"</row>")
    return st.tuples(st.lists(row, max_size=6), st.one_of(st.none(), reference), st.sampled_from(
        ["xl/worksheets/sheet1.xml", "xl/worksheets/../sheet1.xml", "xl/worksheets/Sheet1.XML", "xl/blad.xml"])).map(
        lambda s: workbook_bytes(sheet(GOOD_ROWS + b"".join(s[0]), dimension=(b"A1:" + s[1]) if s[1] else None), sheet_path=s[2]))


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(((CSV_HEADER + "\r").encode(), "fil.csv"))  # only an empty line: once neither rows nor errors
@given(st.one_of(_mutations(), _random_sheets().map(lambda data: (data, "fil.xlsx"))))
def test_random_malformed_and_sparse_files_are_refused_cleanly(importer, case):
    """Random bytes, a valid workbook with a byte changed or cut short, random CSV text, and
    sheets with random (often enormous) cell positions, dimensions and part names: each is read
    or refused with a message, and the process survives (the old reader was killed)."""
    importer(*case)


def test_not_a_workbook_is_refused_with_advice(importer):
    errors = importer(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "fil.xlsx")
    assert "lösenordsskyddad" in errors[0] and ".xls" in errors[0]
    # Zip tricks: a workbook inside a workbook, too many members, cut short, lying sizes.
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as archive:
        archive.writestr("xl/workbook.xml", workbook_bytes(sheet(GOOD_ROWS)))
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(1200):
            archive.writestr(f"m{i}.xml", b"")
    truncated = workbook_bytes(sheet(GOOD_ROWS))[:-30]
    for data in (nested.getvalue(), many.getvalue(), truncated, DANGEROUS["lying_member_size"]):
        errors = importer(data, "fil.xlsx")
        assert len(errors) == 1 and "Excel" in errors[0], errors


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(["slug", "name", "organisationsnummer", "members", "target_groups", "interventions", "goals",
                        "settings", "code", "label", "intervention", "year", "metric", "target", "owner", "kind",
                        "start", "end", "status", "description", "external_provider", "manual_result"])
DOCUMENTS = st.recursive(
    JSON_VALUES, lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=6), max_leaves=30,
)


@pytest.mark.django_db  # parsing looks up whether the förbund exists (what it may leave out)
@hypothesis_settings(max_examples=300, deadline=None)
@example(b"[" * 100_000)
@example(b'{"slug": ' + b"1" * 5000 + b"}")
@example(b"\xff\xfe{}")
@example({"slug": "a", "name": "b", "target_groups": [{"code": None, "label": "x"}]})
@example({"slug": "a", "name": "b", "interventions": [{"slug": "i", "name": "n", "start": "2024-01-01", "kind": []}]})
@example({"slug": "a", "name": "b", "goals": [{"intervention": {}, "year": [], "metric": 1, "target": 1}]})
@given(DOCUMENTS)
def test_random_and_malformed_association_files_are_refused_cleanly(document):
    try:
        parse_association_file(document)
    except AssociationFileError as error:
        assert all(isinstance(e, str) and e for e in error.errors)


def test_out_of_range_numbers_in_an_association_file_are_refused(db):
    document = json.loads((DATA / "exempel-forbund.json").read_text())
    document["goals"][0]["target"] = 1e30
    document["goals"][1]["manual_result"] = float("inf")
    document["interventions"][0]["slug"] = "s" * 500
    with pytest.raises(AssociationFileError) as raised:
        parse_association_file(document)
    text = "\n".join(raised.value.errors)
    assert "goals[1].target" in text and "goals[2].manual_result" in text and "interventions[1].slug" in text


# --- uploads are limited while they are received -------------------------------------------

def _post_file(client, url, size, name="fil.csv"):
    upload = io.BytesIO(b"x" * size)
    upload.name = name
    return client.post(url, {"file": upload})


def test_an_upload_over_the_limit_is_refused_before_it_is_read(world, login, settings):
    settings.FINSAM_UPLOAD_MAX_BYTES = 50_000
    client = login(world.users["admin"])
    for url in (reverse("participants:import", args=["alfa"]), reverse("interventions:association_file", args=["alfa"])):
        response = _post_file(client, url, 60_000)
        assert response.status_code == 413
        page = response.content.decode()
        assert "Filen är för stor och har inte tagits emot. En fil får vara högst 48 kB." in page


def test_the_upload_handler_stops_without_a_declared_length(settings):
    from finsam.core.uploads import LimitedUploadHandler, UploadTooLarge

    settings.FINSAM_UPLOAD_MAX_BYTES = 1000
    handler = LimitedUploadHandler()
    assert handler.handle_raw_input(None, {}, None, b"x") is None
    assert handler.receive_data_chunk(b"x" * 600, 0) == b"x" * 600
    with pytest.raises(UploadTooLarge):
        handler.receive_data_chunk(b"x" * 600, 600)


def test_too_large_or_too_many_form_fields_get_a_swedish_page(world, login):
    client = login(world.users["admin"])
    url = reverse("tenancy:settings", args=["alfa"])
    big = client.post(url, {"name": "x" * (2 * 1024 * 1024)})
    assert big.status_code == 413 and "högst 1 MB" in big.content.decode()
    many = client.post(url, {f"f{i}": "x" for i in range(1100)})
    assert many.status_code == 400 and "för många fält" in many.content.decode()


def test_a_nul_character_in_a_form_gets_a_swedish_page(world, login):
    response = login(world.users["admin"]).post(reverse("tenancy:settings", args=["alfa"]), {"name": "Alfa\x00"})
    assert response.status_code == 400 and "nolltecken" in response.content.decode()
    assert Association.objects.get(slug="alfa").name == "Samordningsförbundet Alfa"


# --- no parameter of any route can give a 500 ----------------------------------------------

HOSTILE_VALUES = ["\x00", "9" * 30, "-99999999999999999999", "²", "١٢", "x" * 5000, "1e999", "%", "'\"<>",
                  "2024-02-30", "0"]
# Every parameter a view reads (request.GET/POST by name) and every form field of the pages.
PARAMETERS = ["sida", "status", "samtycke", "anonym", "format", "insats", "user", "action", "from", "to", "period",
              "date_from", "date_to", "interventions", "publish", "year", "page", "q", "svar", "bekrafta", "version"]


def _role_for(name):
    allowed = ROUTES[name][2]
    if isinstance(allowed, dict):  # per privacy model: the world's förbund has the default one
        allowed = allowed[MEMBERS]
    if isinstance(allowed, str):  # system, public, or any signed-in user
        return "sysadmin" if allowed in ("system", "public") else "admin"
    return "admin" if "admin" in allowed else sorted(allowed)[0]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_no_route_gives_a_500_for_hostile_parameters(world, client, name):
    builder, method, _ = ROUTES[name]
    client.force_login(world.users[_role_for(name)])
    client.raise_request_exception = True
    url = _url(world, name, builder(world))
    page = client.get(url)
    fields = set(PARAMETERS)
    if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
        import re

        fields |= set(re.findall(r'name="([^"]+)"', page.content.decode()))
    fields.discard("csrfmiddlewaretoken")
    for value in HOSTILE_VALUES:
        query = {field: value for field in fields}
        response = client.get(url, query)
        assert response.status_code < 500, (url, value)
        if "\x00" in value:
            assert response.status_code == 400 and "nolltecken" in response.content.decode()
        if method == "post" or page.status_code == 200:
            response = client.post(url, query)
            assert response.status_code < 500, (url, "POST", value)


# --- exports: formula-like text stays text -------------------------------------------------

def assert_no_formula_cells(workbook):
    for sheet_ in workbook.worksheets:
        for row in sheet_.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet_.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in FORMULA_TRIGGERS and cell.value.lstrip()[:1] not in FORMULA_TRIGGERS, cell.value


def assert_no_formula_text(rows):
    for row in rows:
        for value in row:
            assert value[:1] not in FORMULA_TRIGGERS and value.lstrip()[:1] not in FORMULA_TRIGGERS, value


def test_neutralise():
    for value in HOSTILE_TEXT:
        assert neutralise(value) == "'" + value
    assert neutralise("Aktivitetsplatsen\x1b") == "Aktivitetsplatsen"
    assert neutralise("Vanligt namn") == "Vanligt namn" and neutralise(12) == 12


def test_user_text_is_never_a_formula_in_the_report_files(exempelstad):
    from finsam.reports import render_csv, render_xlsx
    from finsam.statistics.engine import compute_report

    names = iter(HOSTILE_TEXT * 10)
    for intervention in Intervention.objects.filter(association=exempelstad):
        intervention.name = next(names)
        intervention.save()
    for member in Member.objects.filter(association=exempelstad):
        member.name = next(names)
        member.save()
    for group in TargetGroup.objects.filter(association=exempelstad):
        group.label = next(names)
        group.save()
    Indicator.objects.filter(goal__focus_area__plan__association=exempelstad).update(text='=HYPERLINK("x")')
    Association.objects.filter(pk=exempelstad.pk).update(name='=HYPERLINK("x","förbund")')
    exempelstad.refresh_from_db()
    report = compute_report(exempelstad, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx.render(report)))
    assert_no_formula_cells(workbook)
    texts = [c.value for s in workbook.worksheets for r in s.iter_rows() for c in r if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://evil.example\",\"klicka\")" in texts
    rows = list(csv.reader(io.StringIO(render_csv.render(report).decode("utf-8-sig")), delimiter=";"))
    assert_no_formula_text(rows)
    assert any("'=HYPERLINK(\"http://evil.example\",\"klicka\")" in row for row in rows)


def test_participant_export_neutralises_every_hostile_reference(world, foerbund_responsible, login):
    for n, text in enumerate(HOSTILE_TEXT + ["kontroll\x1btecken"]):
        make_participation(world.assigned, text, personnummer=["19850314-1239", "19770707-7710", "19880808-8887"][n % 3],
                           start_date=datetime.date(2024, 2, 1) + datetime.timedelta(days=n))
    client = login(world.users["admin"])
    url = reverse("participants:export", args=["alfa"])
    content = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    assert_no_formula_text(rows)
    assert "' =1+1" in [row[1] for row in rows]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(url + "?format=xlsx").streaming_content)))
    assert_no_formula_cells(workbook)
    assert "kontrolltecken" in [c.value for c in workbook.active["B"]]


def test_participant_export_streams_past_sqlites_limit_on_variables(world, foerbund_responsible, login):
    rows = [Participation(association=world.alfa, intervention=world.assigned, reference=f"R-{n}", gender="kvinna",
                          anonymous=True, start_date=datetime.date(2024, 1, 1)) for n in range(1200)]
    Participation.objects.bulk_create(rows, batch_size=200)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        # The smallest limit SQLite is built with (999 before 3.32): one query for every row
        # and its prefetches went past it.
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        response = login(world.users["analyst"]).get(reverse("participants:export", args=["alfa"]))
        assert response.streaming
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    finally:
        if connection.vendor == "sqlite":
            connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
    count = Participation.objects.filter(association=world.alfa).count()
    assert count > 1200 and len(lines) == 1 + count
    from finsam.audit.models import AccessLog

    assert AccessLog.objects.get(action="export").row_count == count


# --- identity numbers are refused wherever they would be stored in clear ------------------

def test_identity_numbers_are_detected_and_other_numbers_are_not():
    for text in ["19900101-0017", "9001010017", "ref 900101+0017 x", "19900101 0017", "19900101\u20130017",
                 "AP19900161-0017", "\uff11\uff19\uff19\uff10\uff10\uff11\uff10\uff11\uff10\uff10\uff11\uff17",
                 "19900101-0018"]:
        assert contains_identity_number(text), text
        assert "(nummer dolt)" in redact_identity_numbers(text), text
    for text in ["AP-0001", "222000-0000", "070-123 45 67", "2024-01-15", "12345678901234", "Projekt 2024",
                 "199013010017", "0180"]:
        assert not contains_identity_number(text), text


def test_every_form_with_text_fields_refuses_identity_numbers():
    """A new form cannot forget the check: every form of the project with a text input inherits it."""
    import importlib
    import pkgutil

    from django import forms

    import finsam
    from finsam.core.forms import NoIdentityNumbersMixin

    for module in pkgutil.walk_packages(finsam.__path__, "finsam."):
        if module.name.endswith(("migrations", "settings", "wsgi", "cli")) or ".migrations." in module.name:
            continue
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    allowed = {"SearchForm"}  # searching by identity number is its purpose; the number is never stored
    for form in set(subclasses(forms.BaseForm)):
        if not form.__module__.startswith("finsam.") or form.__name__ in allowed:
            continue
        texts = [n for n, f in form.base_fields.items() if isinstance(f, forms.CharField)
                 and not isinstance(f.widget, forms.PasswordInput)]
        if texts:
            assert issubclass(form, NoIdentityNumbersMixin), f"{form.__module__}.{form.__name__} ({texts})"


def test_identity_numbers_are_refused_in_every_free_text_form(world, foerbund_responsible, login):
    client = login(world.users["admin"])
    a = "alfa"
    posts = [
        (reverse("interventions:create", args=[a]), {"name": f"Insats {PNR}", "slug": "ny-insats", "kind": "individual",
                                                     "status": "active", "start_date": "2024-01-01"}),
        (reverse("interventions:create", args=[a]), {"name": "Insats", "slug": "x9001010017", "kind": "individual",
                                                     "status": "active", "start_date": "2024-01-01",
                                                     "description": f"Kontakt {PNR}"}),
        (reverse("interventions:target_groups", args=[a]), {"code": "egen", "label": f"Grupp {PNR}"}),
        (reverse("tenancy:member_create", args=[a]), {"kind": "kommun", "municipality_code": "0180", "name": f"Kommun {PNR}"}),
        (reverse("tenancy:settings", args=[a]), {"name": f"Alfa {PNR}", "masking_threshold": 5, "retention_years": 5,
                                                 "grade_acceptable_percent": 50}),
        (reverse("participants:volumes", args=[a, "aktivitet"]), {"period_start": "2024-01-01", "period_end": "2024-01-31",
                                                                   "women": 1, "men": 0, "other": 0, "note": f"Not {PNR}"}),
        (reverse("participants:create", args=[a, "aktivitet"]), {"referens": PNR, "anonym": "on", "kon": "kvinna",
                                                                 "startdatum": "2024-02-01"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode().lower()
        assert "får inte innehålla ett personnummer eller samordningsnummer" in page, url
    for model, field in [(Intervention, "name"), (Intervention, "description"), (TargetGroup, "label"), (Member, "name"),
                         (Association, "name"), (Indicator, "text"), (VolumeCount, "note"), (Participation, "reference"),
                         (Intervention, "slug")]:
        assert not model.objects.filter(**{f"{field}__contains": "0017"}).exists(), (model, field)


def test_identity_numbers_are_refused_in_the_import(importer):
    errors = importer((CSV_HEADER + f"aktivitetsplatsen;Anna {PNR};ja;kvinna;2024-02-01\n").encode(), "f.csv")
    assert len(errors) == 1 and "kolumn referens" in errors[0] and "personnummer" in errors[0]
    assert "0017" not in errors[0]


@pytest.mark.parametrize("path, value", [
    (("name",), f"Förbund {PNR}"),
    (("members", 2, "name"), f"Kommun {PNR}"),
    (("target_groups", None, "label"), f"Grupp {PNR}"),
    (("interventions", 0, "name"), f"Insats {PNR}"),
    (("interventions", 0, "description"), f"Ring {PNR}"),
    (("interventions", 0, "external_provider"), PNR),
    (("goals", 0, "description"), PNR),
])
def test_identity_numbers_are_refused_in_the_association_file(db, path, value):
    document = json.loads((DATA / "exempel-forbund.json").read_text())
    document["target_groups"] = [{"code": "egen", "label": "Egen"}]
    target = document
    for key in path[:-1]:
        target = target[key if key is not None else 0]
    target[path[-1]] = value
    with pytest.raises(AssociationFileError) as raised:
        parse_association_file(document)
    assert any("personnummer" in e for e in raised.value.errors)
    assert not any("0017" in e for e in raised.value.errors)


def test_identity_numbers_are_not_echoed_by_association_file_errors(db):
    with pytest.raises(AssociationFileError) as raised:
        parse_association_file({"slug": PNR, "name": "x", "members": [{"code": f"kommun:{PNR}"}]})
    assert not any("0017" in e for e in raised.value.errors)
