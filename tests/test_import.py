import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from finsam.audit.models import AccessLog
from finsam.participants.importing import ImportRefused, import_file, validate_file
from finsam.participants.models import Participation, ParticipationChange, SupportRecord

from finsam.tenancy.models import PrivacyModel
from tests.conftest import DATA, set_privacy_model

TODAY = datetime.date(2026, 11, 23)
HEADER = "insats;referens;personnummer;anonym;kon;startdatum;samtycke_datum;anmalande_part;utbildning;forsorjning_fore;slutdatum;avslutsorsak;forsorjning_efter"
GOOD_ROW = "aktivitetsplatsen;AP-0001;19900101-0017;nej;;2024-02-01;2024-02-01;fk;gymnasial;sjukpenning;2024-09-30;studier;studiestod"
ANON_ROW = "aktivitetsplatsen;AP-0002;;ja;kvinna;2024-03-15;;;;;;;"


@pytest.fixture
def exempelstad(example_association):
    return example_association


def run(exempelstad, text, filename="fil.csv", encoding="utf-8"):
    association, admin = exempelstad
    data = text.encode(encoding) if isinstance(text, str) else text
    return import_file(data, filename, association=association, user=admin,
                       interventions=association.interventions.all(), today=TODAY)


def refused(exempelstad, text, filename="fil.csv", encoding="utf-8"):
    with pytest.raises(ImportRefused) as raised:
        run(exempelstad, text, filename, encoding)
    assert Participation.objects.count() == 0
    return [str(e) for e in raised.value.errors]


def test_example_file_imports_and_reimport_changes_nothing(exempelstad):
    data = (DATA / "exempel-deltagare.csv").read_text()
    summary = run(exempelstad, data)
    assert (summary.created, summary.updated, summary.unchanged) == (320, 0, 0)
    snapshot = list(Participation.objects.order_by("pk").values())
    supports = SupportRecord.objects.count()
    summary = run(exempelstad, data)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 320)
    assert list(Participation.objects.order_by("pk").values()) == snapshot
    assert SupportRecord.objects.count() == supports
    assert AccessLog.objects.filter(action="import", row_count=320).count() == 2


def test_values_are_derived_and_the_number_is_not_stored(exempelstad):
    run(exempelstad, f"{HEADER}\n{GOOD_ROW}\n{ANON_ROW}\n")
    p = Participation.objects.get(reference="AP-0001")
    assert (p.gender, p.legal_gender, p.birth_year, p.birth_month) == ("man", "man", 1990, 1)
    assert p.consent_form == "digitalt"
    assert sorted(p.support.values_list("phase", "code")) == [("entry", "sjukpenning"), ("exit", "studiestod")]
    for value in Participation.objects.values_list(flat=False).values():
        assert "19900101" not in str(value) and "9001010017" not in str(value)
    anonymous = Participation.objects.get(reference="AP-0002")
    assert anonymous.anonymous and anonymous.person_key == "" and anonymous.gender == "kvinna"


def test_a_changed_row_is_an_update_with_history(exempelstad):
    run(exempelstad, f"{HEADER}\n{GOOD_ROW}\n")
    summary = run(exempelstad, f"{HEADER}\n{GOOD_ROW.replace('gymnasial', 'forgymnasial')}\n")
    assert (summary.created, summary.updated) == (0, 1)
    change = ParticipationChange.objects.get(action="updated")
    assert change.changes == {"education": ["gymnasial", "forgymnasial"]}


def test_labels_and_header_variants_are_accepted(exempelstad):
    header = "Insats ; Referens;PERSONNUMMER;Kön;Startdatum;Samtycke_datum;Utbildning"
    row = "Aktivitetsplatsen;X-1;199001010017;Man;2024-02-01;2024-02-01;Gymnasial"
    summary = run(exempelstad, f"{header}\n{row}\n")
    assert summary.created == 1
    assert Participation.objects.get().education == "gymnasial"


def test_wrong_headers_are_all_reported(exempelstad):
    errors = refused(exempelstad, "insats;referns;startdatum;kon;kon\naktivitetsplatsen;A;2024-01-01;man;man\n")
    assert any("kolumn referns" in e and "okänd kolumn" in e for e in errors)
    assert any("kolumn kon" in e and "flera gånger" in e for e in errors)


def test_missing_required_column(exempelstad):
    errors = refused(exempelstad, "insats;referens\naktivitetsplatsen;A\n")
    assert errors == ["Rad 1, kolumn startdatum: kolumnen saknas men är obligatorisk."]


def test_every_bad_row_and_column_is_reported(exempelstad):
    rows = [
        GOOD_ROW,
        "aktivitetsplatsen;AP-0003;19900101-0018;nej;;2024-02-01;2024-02-01;fk;gymnasial;;;;",  # Luhn
        "aktivitetsplatsen;AP-0004;19900101-0017;nej;;2024-13-01;2024-02-01;xx;doktor;;;;",  # date, referrer, education
        "okänd;AP-0005;;ja;kvinna;2024-02-01;;;;;;;",  # insats
        "aktivitetsplatsen;AP-0006;19900101-0017;nej;;2024-02-01;2024-02-01;;;;2024-01-01;;",  # exit before start, no reason
        "aktivitetsplatsen;AP-0007;;ja;;2024-02-01;;fk;;;;;",  # anonymous with referrer, without gender
        "aktivitetsplatsen;AP-0008;19900101-0017;nej;;2027-01-01;2024-02-01;;;lon;;;",  # future start
        'aktivitetsplatsen;AP-0009;19900101-0017;nej;;2024-02-01;;;;"ingen_offentlig;sjukpenning";;;',  # consent, support
    ]
    errors = refused(exempelstad, HEADER + "\n" + "\n".join(rows) + "\n")
    expected = [
        ("Rad 3, kolumn personnummer", "kontrollsiffran"),
        ("Rad 4, kolumn startdatum (värde: \"2024-13-01\")", "inget giltigt datum"),
        ("Rad 4, kolumn anmalande_part", "okänd anmälande part"),
        ("Rad 4, kolumn utbildning (värde: \"doktor\")", "okänd kod"),
        ("Rad 5, kolumn insats", "okänd insats"),
        ("Rad 6, kolumn slutdatum", "före startdatum"),
        ("Rad 6, kolumn avslutsorsak", "avslutsorsak måste anges"),
        ("Rad 7, kolumn anmalande_part", "anonym deltagare får bara ha"),
        ("Rad 7, kolumn kon", "kön måste anges"),
        ("Rad 8, kolumn startdatum", "framtiden"),
        ("Rad 9, kolumn samtycke_datum", "samtycke måste finnas"),
        ("Rad 9, kolumn forsorjning_fore", "kan inte kombineras"),
    ]
    for where, what in expected:
        assert any(e.startswith(where) and what in e for e in errors), (where, what, errors)
    assert len(errors) == len(expected)
    assert not any("19900101" in e for e in errors), "an identity number was echoed"


def test_a_bad_last_row_writes_nothing(exempelstad):
    data = (DATA / "exempel-deltagare.csv").read_text()
    errors = refused(exempelstad, data + "novum;EX-9999;;ja;kvinna;;igår;;;;;;;;\n")
    assert errors == ['Rad 322, kolumn startdatum (värde: "igår"): inget giltigt datum. Skriv ÅÅÅÅ-MM-DD, t.ex. 2024-03-15.']


def test_duplicate_rows_in_one_file(exempelstad):
    errors = refused(exempelstad, f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n")
    assert errors == ["Rad 3, kolumn referens: samma deltagande som på rad 2 (samma insats och referens)."]


def test_windows_1252_csv_is_converted_with_a_warning(exempelstad):
    text = "insats;referens;anonym;kön;startdatum\nAktivitetsplatsen;Å-1;ja;kvinna;2024-02-01\n"
    summary = run(exempelstad, text, encoding="cp1252")
    assert summary.created == 1
    assert Participation.objects.get().reference == "Å-1"
    assert any("Windows-1252" in w for w in summary.warnings)


def test_comma_separated_csv_with_bom(exempelstad):
    text = "\ufeffinsats,referens,anonym,kon,startdatum\naktivitetsplatsen,R-1,ja,man,2024-02-01\n"
    assert run(exempelstad, text).created == 1


def test_formula_like_cells_are_plain_data(exempelstad):
    summary = run(exempelstad, "insats;referens;anonym;kon;startdatum\naktivitetsplatsen;=HYPERLINK(\"x\");ja;man;2024-02-01\n")
    assert summary.created == 1
    assert Participation.objects.get().reference == '=HYPERLINK("x")'


def test_xlsx_with_date_cells(exempelstad):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Deltagare"
    sheet.append(["insats", "referens", "personnummer", "startdatum", "samtycke_datum", "folkbokforingskommun"])
    sheet.append(["aktivitetsplatsen", "X-1", "199001010017", datetime.datetime(2024, 2, 1), datetime.date(2024, 2, 1), 180])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(exempelstad, buffer.getvalue(), "fil.xlsx").created == 1
    p = Participation.objects.get()
    assert p.start_date == datetime.date(2024, 2, 1) and p.municipality == "0180"


def test_a_huge_file_is_refused_before_parsing(exempelstad, settings):
    settings.FINSAM_UPLOAD_MAX_BYTES = 1024 * 1024
    huge = (HEADER + "\n" + (GOOD_ROW + "\n") * 20000).encode()
    assert len(huge) > settings.FINSAM_UPLOAD_MAX_BYTES
    errors = refused(exempelstad, huge)
    assert len(errors) == 1 and "för stor" in errors[0]


def test_zip_bomb_is_refused(exempelstad):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (400 * 1024 * 1024))
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    errors = refused(exempelstad, buffer.getvalue(), "bomb.xlsx")
    assert "för stor uppackad" in errors[0]


def test_renamed_file_is_not_an_xlsx(exempelstad):
    errors = refused(exempelstad, b"MZ\x90\x00 not a workbook", "program.xlsx")
    assert "ingen riktig Excel-fil" in errors[0]


def test_only_permitted_interventions(exempelstad):
    association, admin = exempelstad
    allowed = association.interventions.filter(slug="novum")
    validation = validate_file(f"{HEADER}\n{GOOD_ROW}\n".encode(), "f.csv", association=association,
                               interventions=allowed, today=TODAY)
    assert [str(e) for e in validation.errors] == [
        'Rad 2, kolumn insats (värde: "aktivitetsplatsen"): du har inte behörighet att registrera deltagare i den insatsen.'
    ]


def test_command_prints_summary_and_refuses_with_errors(exempelstad, tmp_path, capsys):
    # The förbund is responsible, so its administrator (the default --user) may import (docs/privacy.md).
    set_privacy_model(exempelstad[0], PrivacyModel.ASSOCIATION)
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\n{GOOD_ROW}\n")
    call_command("import_participants", "--association", "exempelstad", str(good))
    assert "1 skapade, 0 uppdaterade, 0 oförändrade" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n{GOOD_ROW.replace('2024-02-01;2024-02-01', 'x;2024-02-01')}\n")
    with pytest.raises(CommandError) as raised:
        call_command("import_participants", "--association", "exempelstad", str(bad))
    assert "1 fel" in str(raised.value) and "Rad 2, kolumn startdatum" in str(raised.value)
    with pytest.raises(CommandError):
        call_command("import_participants", "--association", "finns-inte", str(good))


def test_key_rotation_finds_and_rekeys_people(exempelstad, settings):
    run(exempelstad, f"{HEADER}\n{GOOD_ROW.replace('AP-0001', '')}\n")
    old_key = Participation.objects.get().person_key
    settings.FINSAM_PERSON_KEY_PREVIOUS = settings.FINSAM_PERSON_KEY
    settings.FINSAM_PERSON_KEY = "a new installation key after rotation"
    summary = run(exempelstad, f"{HEADER}\n{GOOD_ROW.replace('AP-0001', '')}\n")
    assert (summary.created, summary.updated) == (0, 1)
    new_key = Participation.objects.get().person_key
    assert new_key != old_key
    change = ParticipationChange.objects.get(action="updated")
    assert change.changes == {"person_key": ["(dolt)", "(dolt)"]}


def test_a_referens_row_never_takes_over_another_referens(exempelstad):
    run(exempelstad, f"{HEADER}\n{GOOD_ROW}\n")
    # Same person and start under another referens: the database holds one participation per
    # person, insats and start date, so the row is refused with the stored referens named.
    with pytest.raises(ImportRefused) as raised:
        run(exempelstad, f"{HEADER}\n{GOOD_ROW.replace('AP-0001', 'AP-0002')}\n")
    assert [str(e) for e in raised.value.errors] == [
        "Rad 2, kolumn referens: personen har redan ett deltagande i insatsen med samma startdatum, med referensen "
        "AP-0001. Använd den referensen, eller lämna referens tom."
    ]
    assert list(Participation.objects.values_list("reference", flat=True)) == ["AP-0001"]
    assert AccessLog.objects.filter(action="import_refused").count() == 1


def test_a_referens_row_gives_its_referens_to_the_same_participation_stored_without(exempelstad):
    run(exempelstad, f"{HEADER}\n{GOOD_ROW.replace('AP-0001', '')}\n")
    summary = run(exempelstad, f"{HEADER}\n{GOOD_ROW}\n")
    assert (summary.created, summary.updated) == (0, 1)
    assert list(Participation.objects.values_list("reference", flat=True)) == ["AP-0001"]


def test_two_rows_for_one_stored_participation_are_refused(exempelstad):
    run(exempelstad, f"{HEADER}\n{GOOD_ROW}\n")
    without_reference = GOOD_ROW.replace("AP-0001", "")
    with pytest.raises(ImportRefused) as raised:
        run(exempelstad, f"{HEADER}\n{GOOD_ROW}\n{without_reference}\n")
    assert [str(e) for e in raised.value.errors] == [
        "Rad 3, kolumn personnummer: samma deltagande som på rad 2 (samma insats och personnummer och startdatum)."
    ]
    assert Participation.objects.count() == 1


@pytest.mark.parametrize("second", [GOOD_ROW.replace("AP-0001", ""), GOOD_ROW.replace("AP-0001", "AP-0003")])
def test_one_person_and_start_twice_in_a_new_file_is_refused_on_the_first_import(exempelstad, second):
    """Issue 9: written twice on the first import, then refused on the second. Refused at once,
    naming both rows, whichever of the two rows has a referens."""
    errors = refused(exempelstad, f"{HEADER}\n{GOOD_ROW}\n{second}\n")
    assert errors == [
        "Rad 3, kolumn personnummer: samma deltagande som på rad 2 (samma insats och personnummer och startdatum)."
    ]
    errors = refused(exempelstad, f"{HEADER}\n{second}\n{GOOD_ROW}\n")
    assert errors == [
        "Rad 3, kolumn personnummer: samma deltagande som på rad 2 (samma insats och personnummer och startdatum)."
    ]


def billion_laughs_workbook():
    """A workbook whose worksheet declares nested entities and uses the biggest in a cell."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Deltagare"
    workbook.active.append(["insats", "referens", "anonym", "kon", "startdatum"])
    workbook.active.append(["aktivitetsplatsen", "LOL", "ja", "man", "2024-02-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    doctype = ('<!DOCTYPE worksheet [<!ENTITY lol "lol">'
               + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
               + "]>")
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<t>LOL</t>" in content
                content = doctype.encode() + content  # openpyxl writes no XML declaration
                content = content.replace(b"<t>LOL</t>", b"<t>&lol9;</t>")
            target.writestr(item, content)
    return crafted.getvalue()


def test_entity_expansion_in_a_workbook_is_not_performed(exempelstad):
    association, admin = exempelstad
    validation = validate_file(billion_laughs_workbook(), "lol.xlsx", association=association,
                               interventions=association.interventions.all(), today=TODAY)
    # Refused, or read with the entity left unexpanded: never 10^9 "lol"s in memory.
    assert validation.errors or validation.rows
    for error in validation.errors:
        assert len(error.value) < 10_000
    for row in validation.rows:
        assert all(len(str(v)) < 10_000 for v in row.values())
