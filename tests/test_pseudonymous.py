"""Pseudonymous participations (issue 10): rows without personnummer, identified by their referens,
every variable kept; each one an individual of its own in ``unique``."""

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse

from finsam.participants import services
from finsam.participants.importing import ImportRefused, import_file, validate_file
from finsam.participants.models import Participation
from finsam.participants.retention import run_retention
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import Role, RoleAssignment, User

from tests.conftest import DATA, make_participation

D = datetime.date
TODAY = D(2026, 11, 23)
YEAR = (D(2024, 1, 1), D(2024, 12, 31))
HEADER = "insats;referens;personnummer;anonym;kon;fodelsear;startdatum;samtycke_datum;utbildning;slutdatum;avslutsorsak"
IDENTIFIED = "novum;ID-1;19900101-0017;nej;;;2024-02-01;2024-02-01;gymnasial;;"
PSEUDONYMOUS = "novum;PS-1;;nej;kvinna;1985;2024-03-01;2024-03-01;eftergymnasial_3_ar_eller_mer;2024-09-30;studier"
ANONYMOUS = "novum;AN-1;;ja;man;;2024-04-01;;;;"


def run(association, admin, text, filename="fil.csv"):
    data = text.encode() if isinstance(text, str) else text
    return import_file(data, filename, association=association, user=admin,
                       interventions=association.interventions.all(), today=TODAY)


def errors_of(association, admin, text):
    with pytest.raises(ImportRefused) as raised:
        run(association, admin, text)
    return [str(e) for e in raised.value.errors]


# --- the example file ----------------------------------------------------------------------------

GENDERS = {"kvinna", "man", "annat"}


def by_gender(column):
    return bool(set(column.split("_")) & GENDERS)


def import_and_report(association, admin, data):
    Participation.objects.all().delete()
    summary = run(association, admin, data)
    return summary, {t["id"]: t for t in compute_report(association, *YEAR).to_json()["tables"]}


def with_genders_of_the_pseudonymous_file():
    """The identified example file with the gender the pseudonymous file states: that file gives
    the legal gender for 22 persons the identified file records as annat or ej_angivet."""
    identified = (DATA / "exempel-deltagare.csv").read_text().splitlines()
    pseudonymous = (DATA / "exempel-deltagare-pseudonym.csv").read_text().splitlines()
    lines = [identified[0]]
    for mine, theirs in zip(identified[1:], pseudonymous[1:]):
        mine, theirs = mine.split(";"), theirs.split(";")
        assert mine[1] == theirs[1]
        mine[4] = theirs[3]
        lines.append(";".join(mine))
    return "\n".join(lines) + "\n"


def test_example_file_imports_as_pseudonymous_rows_with_the_identified_files_tables(example_association):
    association, admin = example_association
    _, identified = import_and_report(association, admin, (DATA / "exempel-deltagare.csv").read_bytes())
    _, same_genders = import_and_report(association, admin, with_genders_of_the_pseudonymous_file())
    summary, tables = import_and_report(association, admin, (DATA / "exempel-deltagare-pseudonym.csv").read_bytes())

    rows = Participation.objects.filter(anonymous=False)
    assert (summary.created, summary.pseudonymous) == (320, rows.count())
    assert any("saknar personnummer" in w and "pseudonyma" in w for w in summary.warnings)
    assert rows.count() > 250 and not rows.filter(pseudonymous=False).exists()
    assert not rows.exclude(person_key="").exists() and not rows.filter(birth_year__isnull=True).exists()
    assert not rows.filter(birth_month__isnull=False).exists()
    assert not Participation.objects.filter(anonymous=True, pseudonymous=True).exists()

    # Every table but unique and age is, cell by cell and share by share, the identified import's
    # with the same genders; against the identified file as it is, every cell not split by gender.
    assert set(tables) == set(identified)
    compared = 0
    for table_id, table in tables.items():
        if table_id in ("unique", "age"):
            continue
        for kind in ("cells", "shares"):
            assert table[kind] == same_genders[table_id][kind], (table_id, kind)
            for row, columns in table[kind].items():
                for column, value in columns.items():
                    if not by_gender(column):
                        assert value == identified[table_id][kind][row][column], (table_id, kind, row, column)
                        compared += 1
    assert compared > 150
    # ... and so the expected file's cells of those tables (those not split by gender) hold.
    expected = json.loads((DATA / "exempel-rapport-2024.json").read_text())
    checked = 0
    for table in expected["tables"]:
        if table["id"] in ("unique", "age"):
            continue
        for kind in ("cells", "shares"):
            for row, columns in table.get(kind, {}).items():
                for column, value in columns.items():
                    if not by_gender(column):
                        assert tables[table["id"]][kind][row][column] == value, (table["id"], kind, row, column)
                        checked += 1
    assert checked > 50

    # unique: each pseudonymous participation is an individual; its own row says how many.
    unique, flow = tables["unique"]["cells"], tables["flow"]["cells"]
    for g in ("kvinna", "man", "annat_ej_angivet", "totalt"):
        current, anonymous = flow["totalt"][f"current_{g}"], flow["varav_anonyma"][f"current_{g}"]
        assert unique["varav_pseudonyma"][g] == current - anonymous
        assert unique["totalt"][g] == current  # nobody is known to be the same person
    assert unique["totalt"]["totalt"] > identified["unique"]["cells"]["totalt"]["totalt"]
    assert identified["unique"]["cells"]["varav_pseudonyma"]["totalt"] == 0
    assert any("pseudonymt deltagande" in note for note in tables["unique"]["notes"])
    # age: the same participations, by birth year only (the month is unknown).
    assert tables["age"]["cells"]["totalt"] == same_genders["age"]["cells"]["totalt"]
    assert tables["age"]["cells"]["uppgift_saknas"] == same_genders["age"]["cells"]["uppgift_saknas"]


def test_published_report_masks_a_small_pseudonymous_count(example_association):
    association, admin = example_association
    run(association, admin, (DATA / "exempel-deltagare.csv").read_bytes())
    run(association, admin, f"{HEADER}\n{PSEUDONYMOUS}\n")  # one pseudonymous individual
    unmasked = compute_report(association, *YEAR).table("unique")
    assert unmasked.cells["varav_pseudonyma"]["totalt"] == 1
    masked = compute_report(association, *YEAR, publish=True).table("unique")
    assert masked.cells["varav_pseudonyma"]["totalt"] is None and masked.cells["varav_pseudonyma"]["kvinna"] is None
    # The note states no number, so it discloses nothing the masked row hides.
    assert not any(ch.isdigit() for note in masked.notes for ch in note)


def test_few_identified_persons_among_pseudonymous_ones_are_not_disclosed(example_association):
    """``unique`` minus its pseudonymous row is the number of other individuals: a count in no
    table, which must not be worked out when it is small."""
    association, admin = example_association
    lines = [HEADER] + [f"novum;PS-{i};;nej;kvinna;1980;2024-03-01;2024-03-01;;;" for i in range(10)]
    lines += ["novum;ID-1;19900101-0017;nej;;;2024-02-01;2024-02-01;;;",
              "novum;ID-2;19850314-1239;nej;;;2024-02-01;2024-02-01;;;"]
    run(association, admin, "\n".join(lines) + "\n")
    unmasked = compute_report(association, *YEAR).table("unique").cells
    assert (unmasked["totalt"]["totalt"], unmasked["varav_pseudonyma"]["totalt"]) == (12, 10)
    masked = compute_report(association, *YEAR, publish=True).table("unique").cells
    for g in ("kvinna", "man", "annat_ej_angivet", "totalt"):
        shown = (masked["totalt"][g], masked["varav_pseudonyma"][g])
        if None not in shown:
            assert not 0 < shown[0] - shown[1] < association.masking_threshold, (g, shown)


# --- import rules --------------------------------------------------------------------------------

def test_a_row_without_personnummer_is_pseudonymous_and_a_warning_counts_them(example_association):
    association, admin = example_association
    summary = run(association, admin, f"{HEADER}\n{IDENTIFIED}\n{PSEUDONYMOUS}\n{ANONYMOUS}\n")
    kinds = dict(Participation.objects.values_list("reference", "pseudonymous"))
    assert kinds == {"ID-1": False, "PS-1": True, "AN-1": False}
    p = Participation.objects.get(reference="PS-1")
    assert p.kind == "pseudonymous" and p.kind_label == "Pseudonym (utan personnummer)"
    assert (p.gender, p.birth_year, p.birth_month, p.age_at_start, p.education) == (
        "kvinna", 1985, None, 39, "eftergymnasial_3_ar_eller_mer")
    assert summary.pseudonymous == 1 and "1 av de skapade är pseudonyma" in str(summary)
    assert ["1 ny rad har tomt personnummer" in w for w in summary.warnings].count(True) == 1
    # Imported again: nothing new, so no warning about new pseudonymous rows.
    again = run(association, admin, f"{HEADER}\n{IDENTIFIED}\n{PSEUDONYMOUS}\n{ANONYMOUS}\n")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert not any("pseudonyma" in w for w in again.warnings)


def test_pseudonymous_rows_need_referens_gender_and_a_valid_birth_year(example_association):
    association, admin = example_association
    errors = errors_of(association, admin, "\n".join([
        HEADER,
        "novum;;;nej;kvinna;1985;2024-03-01;2024-03-01;;;",
        "novum;PS-2;;nej;;1985;2024-03-01;2024-03-01;;;",
        "novum;PS-3;;nej;man;85;2024-03-01;2024-03-01;;;",
        "novum;PS-4;;nej;man;1700;2024-03-01;2024-03-01;;;",
    ]))
    assert any(e.startswith("Rad 2, kolumn referens") and "behöver en egen referens" in e for e in errors)
    assert any(e.startswith("Rad 3, kolumn kon") and "kön måste anges för en deltagare utan personnummer" in e
               for e in errors)
    assert any(e.startswith("Rad 4, kolumn fodelsear") and "fyra siffror" in e for e in errors)
    assert any(e.startswith("Rad 5, kolumn fodelsear") for e in errors)
    assert Participation.objects.count() == 0


def test_consent_date_of_pseudonymous_rows_follows_the_setting(example_association):
    association, admin = example_association
    row = "novum;PS-5;;nej;kvinna;1985;2024-03-01;;;;"
    assert association.pseudonymous_consent_required  # the default
    errors = errors_of(association, admin, f"{HEADER}\n{row}\n")
    assert any("kolumn samtycke_datum" in e and "pseudonym" in e for e in errors)
    association.pseudonymous_consent_required = False
    association.save()
    run(association, admin, f"{HEADER}\n{row}\n")
    p = Participation.objects.get(reference="PS-5")
    assert p.pseudonymous and p.consent_date is None and p.consent_form == ""
    # An identified row still needs consent whatever the setting.
    errors = errors_of(association, admin, f"{HEADER}\nnovum;ID-9;19900101-0017;nej;;;2024-02-01;;;;\n")
    assert any("kolumn samtycke_datum" in e for e in errors)


def test_an_identified_participation_stays_identified_and_a_pseudonymous_one_can_be_upgraded(example_association):
    association, admin = example_association
    run(association, admin, f"{HEADER}\n{IDENTIFIED}\n{PSEUDONYMOUS}\n")
    identified = Participation.objects.get(reference="ID-1")
    # Without personnummer, with another education: updated, identity kept, no new individual.
    summary = run(association, admin, f"{HEADER}\nnovum;ID-1;;nej;man;;2024-02-01;2024-02-01;forgymnasial;;\n")
    assert (summary.created, summary.updated, summary.pseudonymous) == (0, 1, 0)
    assert not any("pseudonyma" in w for w in summary.warnings)
    after = Participation.objects.get(reference="ID-1")
    assert (after.person_key, after.pseudonymous, after.birth_month, after.education) == (
        identified.person_key, False, 1, "forgymnasial")
    # A stated birth year must agree with the stored identity.
    errors = errors_of_update(association, admin, f"{HEADER}\nnovum;ID-1;;nej;man;1991;2024-02-01;2024-02-01;;;\n")
    assert any("kolumn fodelsear" in e and "personnumret" in e for e in errors)
    # The write path keeps the identity even for a row that reached it without (a race).
    row = validate_file(f"{HEADER}\nnovum;NEW-1;;nej;man;1990;2024-02-01;2024-02-01;;;\n".encode(), "f.csv",
                        association=association, interventions=association.interventions.all(), today=TODAY).rows[0]
    row.update(reference="ID-1", identity=(row["intervention"].pk, "ref", "ID-1"))
    services.upsert_participations(association, [row], user=admin)
    after = Participation.objects.get(reference="ID-1")
    assert (after.person_key, after.pseudonymous, after.birth_month) == (identified.person_key, False, 1)
    # Adding a personnummer to a pseudonymous row (same referens) makes it identified.
    run(association, admin, f"{HEADER}\nnovum;PS-1;19850314-1239;nej;;;2024-03-01;2024-03-01;;2024-09-30;studier\n")
    upgraded = Participation.objects.get(reference="PS-1")
    assert upgraded.kind == "identified" and upgraded.person_key and (upgraded.birth_year, upgraded.birth_month) == (
        1985, 3)


def errors_of_update(association, admin, text):
    before = list(Participation.objects.order_by("pk").values())
    with pytest.raises(ImportRefused) as raised:
        run(association, admin, text)
    assert list(Participation.objects.order_by("pk").values()) == before
    return [str(e) for e in raised.value.errors]


# --- export and re-import ------------------------------------------------------------------------

@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_reimports_unchanged(example_association, client, file_format):
    association, admin = example_association
    # Whoever may export under the privacy model: the förbund's own legal basis lets its admin.
    association.privacy_model = "association"
    association.legal_basis = "Förbundets beslut om behandling för uppföljning"
    association.legal_basis_decided_on = D(2024, 1, 1)
    association.save()
    run(association, admin, f"{HEADER}\n{IDENTIFIED}\n{PSEUDONYMOUS}\n{ANONYMOUS}\n")
    snapshot = list(Participation.objects.order_by("pk").values())
    client.force_login(admin)
    response = client.get(reverse("participants:export", args=[association.slug]) + f"?format={file_format}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        header = [c.value for c in sheet[1]]
        row = dict(zip(header, [c.value for c in next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "PS-1")]))
        assert (row["kon"], row["fodelsear"]) == ("Kvinna", 1985)
        # Words, not codes (issue 10): the import reads the labels back as the codes.
        assert (row["utbildning"], row["avslutsorsak"]) == ("Eftergymnasial 3 år eller mer", "Studier")
    else:
        text = content.decode("utf-8-sig")
        assert ";Kvinna;1985;" in text and ";Eftergymnasial 3 år eller mer;" in text and ";Studier;" in text
        assert "eftergymnasial_3_ar_eller_mer" not in text and ";studier" not in text
    summary = run(association, admin, content, f"deltagare.{file_format}")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert list(Participation.objects.order_by("pk").values()) == snapshot


# --- registration on screen ----------------------------------------------------------------------

@pytest.fixture
def manager(example_association):
    association, _ = example_association
    user = User.objects.create_user("projektledare@exempelstad.se")
    RoleAssignment.objects.create(user=user, association=association, role=Role.PARTICIPANT_MANAGER)
    novum = association.interventions.get(slug="novum")
    novum.assigned_users.add(user)
    return association, novum, user


def form_data(**overrides):
    data = {"registreringssatt": "pseudonymous", "referens": "PS-10", "kon": "man", "fodelsear": "1979",
            "samtycke_form": "papper", "samtycke_datum": "2025-01-10", "startdatum": "2025-01-15",
            "utbildning": "gymnasial"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_register_a_pseudonymous_participant_on_the_form(manager, client):
    association, novum, user = manager
    client.force_login(user)
    create = reverse("participants:create", args=[association.slug, novum.slug])
    page = client.get(create).content.decode()
    assert "Registreringssätt" in page and "Pseudonym (utan personnummer)" in page and 'name="anonym"' not in page
    # Without referens and gender: refused, with the reasons.
    html = client.post(create, form_data(referens="", kon="")).content.decode()
    assert "behöver en egen referens" in html and "Kön måste anges för en deltagare utan personnummer" in html
    assert not Participation.objects.exists()
    response = client.post(create, form_data())
    assert response.status_code == 302
    p = Participation.objects.get(reference="PS-10")
    assert (p.kind, p.person_key, p.birth_year, p.gender, p.education) == ("pseudonymous", "", 1979, "man", "gymnasial")
    detail = client.get(response["Location"]).content.decode()
    assert "Registreringssätt" in detail and "Pseudonym (utan personnummer)" in detail
    # A personnummer with the pseudonymous kind is refused rather than silently used or dropped.
    html = client.post(create, form_data(referens="PS-11", personnummer="19850314-1239")).content.decode()
    assert "en pseudonym registrering har inget personnummer" in html.lower()
    assert not Participation.objects.filter(reference="PS-11").exists()


def test_an_identified_participation_cannot_be_made_pseudonymous_on_the_form(manager, client):
    association, novum, user = manager
    p = make_participation(novum, "ID-20")
    client.force_login(user)
    edit = reverse("participants:edit", args=[association.slug, novum.slug, p.pk])
    chosen = re.search(r'<input[^>]*name="registreringssatt"[^>]*checked[^>]*>', client.get(edit).content.decode())
    assert chosen and 'value="identified"' in chosen.group(0)
    html = client.post(edit, form_data(referens="ID-20", version=str(p.version))).content.decode()
    assert "kan inte göras pseudonymt" in html
    p.refresh_from_db()
    assert p.kind == "identified" and p.person_key


def test_editing_a_pseudonymous_participation_keeps_it_pseudonymous(manager, client):
    association, novum, user = manager
    client.force_login(user)
    client.post(reverse("participants:create", args=[association.slug, novum.slug]), form_data())
    p = Participation.objects.get(reference="PS-10")
    edit = reverse("participants:edit", args=[association.slug, novum.slug, p.pk])
    # Also when a client posts no kind at all (the form always does): the stored kind holds.
    data = form_data(registreringssatt=None, utbildning="eftergymnasial_3_ar_eller_mer", version=str(p.version))
    assert client.post(edit, data).status_code == 302
    p.refresh_from_db()
    assert (p.kind, p.birth_year, p.education) == ("pseudonymous", 1979, "eftergymnasial_3_ar_eller_mer")


def test_without_required_consent_a_pseudonymous_row_is_registered_without(manager, client):
    association, novum, user = manager
    association.pseudonymous_consent_required = False
    association.save()
    client.force_login(user)
    create = reverse("participants:create", args=[association.slug, novum.slug])
    response = client.post(create, form_data(samtycke_form="digitalt", samtycke_datum=None))
    assert response.status_code == 302
    p = Participation.objects.get(reference="PS-10")
    assert p.pseudonymous and p.consent_date is None and p.consent_form == ""


# --- withdrawal and retention --------------------------------------------------------------------

def test_withdrawal_anonymises_only_that_pseudonymous_participation(manager, client):
    association, novum, user = manager
    admin = User.objects.get(username="admin@exempelstad.se")
    run(association, admin, f"{HEADER}\n{PSEUDONYMOUS}\nnovum;PS-2;;nej;man;1970;2024-03-01;2024-03-01;;;\n{ANONYMOUS}\n")
    p = Participation.objects.get(reference="PS-1")
    client.force_login(user)
    url = reverse("participants:withdraw_consent", args=[association.slug, novum.slug, p.pk])
    assert "Det här deltagandet görs anonymt" in client.get(url).content.decode()
    client.post(url, {"bekrafta": "on"})
    p.refresh_from_db()
    assert p.anonymous and not p.pseudonymous and p.birth_year is None and p.education == ""
    other = Participation.objects.get(reference="PS-2")
    assert other.pseudonymous and not other.anonymous and other.birth_year == 1970


def test_retention_clears_the_referens_and_keeps_the_counts(example_association):
    association, admin = example_association
    run(association, admin, f"{HEADER}\n{IDENTIFIED}\n{PSEUDONYMOUS}\n{ANONYMOUS}\n")
    before = compute_report(association, *YEAR).to_json()["tables"]
    later = D(2024, 9, 30).replace(year=2024 + association.retention_years + 1)
    assert run_retention(association, today=later) == 1  # PS-1 ended; the others are ongoing
    p = Participation.objects.get(pseudonymous=True)
    assert (p.reference, p.consent_date, p.person_key) == ("", None, "") and p.deidentified_at is not None
    assert compute_report(association, *YEAR).to_json()["tables"] == before


def test_a_members_own_name_is_read_as_its_referrer_code(example_association):
    """The export and the pages name a member referrer as the förbund names it ("Region Exempel"):
    the import reads that name back as the member's code, so the export re-imports unchanged."""
    association, admin = example_association
    header = "insats;referens;anonym;kon;fodelsear;startdatum;samtycke_datum;anmalande_part"
    run(association, admin, f"{header}\nnovum;PS-9;nej;man;1980;2024-03-01;2024-03-01;Region Exempel\n"
                            f"novum;PS-10;nej;man;1980;2024-03-01;2024-03-01;Exempelstads kommun\n")
    assert dict(Participation.objects.values_list("reference", "referrer")) == {"PS-9": "region",
                                                                               "PS-10": "kommun:0180"}
    errors = errors_of(association, admin, f"{header}\nnovum;PS-11;nej;man;1980;2024-03-01;2024-03-01;Region Annan\n")
    assert any("anmalande_part" in e or "anmälande part" in e for e in errors)
