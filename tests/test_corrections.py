"""Issue 10, corrections and duplicates, search, and words instead of codes: a duplicate is caught
before saving, a mistaken registration is marked or deleted, a mistaken exit reopened, a referens
found by its beginning in every status, and users read labels, never the codes of the file."""

import datetime
import io
import re

import openpyxl
from django.urls import reverse

from finsam.audit.models import AccessLog
from finsam.participants import services
from finsam.participants.importing import COLUMNS, import_file
from finsam.participants.models import Participation, ParticipationChange, SupportRecord, TargetGroupRecord
from finsam.tenancy.models import Member, data_version
from tests.conftest import make_participation
from tests.test_participants import register_data, url

D = datetime.date
SAME_PERSON = "19900101-0017"  # world.participation, A-1, ongoing in the assigned insats since 2024-02-01


def _text(html):
    """The visible text of a page, without tags (codes may hide in attributes such as option values)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _anonymous(world, reference="AN-1", **fields):
    return Participation.objects.create(association=world.alfa, intervention=world.assigned, reference=reference,
                                        anonymous=True, gender="kvinna", start_date=D(2024, 3, 1), **fields)


def _pseudonymous(world, reference="PS-1", **fields):
    return Participation.objects.create(association=world.alfa, intervention=world.assigned, reference=reference,
                                        pseudonymous=True, gender="man", birth_year=1980, start_date=D(2024, 3, 1),
                                        education="gymnasial", **fields)


# --- Duplicates, before saving -------------------------------------------------------------------

def test_a_person_already_ongoing_is_not_saved_until_confirmed(world, login):
    client = login(world.users["manager"])
    data = register_data(personnummer=SAME_PERSON, referens="A-2", startdatum="2025-01-15")
    response = client.post(url("create", world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Participation.objects.filter(reference="A-2").exists()
    assert "Samma person har redan ett pågående deltagande i insatsen" in html
    # Names the existing participation, with a link, its start date and status.
    assert url("detail", world, world.participation.pk) in html
    assert "start 2024-02-01, pågående" in html
    assert 'name="spara_anda"' in html
    # The answer tells whether the person is registered: logged.
    assert AccessLog.objects.filter(action="register_attempt", user=world.users["manager"]).count() == 1

    response = client.post(url("create", world), {**data, "spara_anda": "1"})
    assert response.status_code == 302
    assert Participation.objects.filter(reference="A-2", end_date__isnull=True).exists()


def test_same_referens_or_same_start_is_an_error_with_a_link_and_no_confirmation(world, login):
    client = login(world.users["manager"])
    for data in (register_data(referens="A-1", personnummer="19850314-1239"),
                 register_data(referens="A-9", personnummer=SAME_PERSON, startdatum="2024-02-01", spara_anda="1")):
        html = client.post(url("create", world), data).content.decode()
        assert url("detail", world, world.participation.pk) in html
        assert 'name="spara_anda"' not in html
    assert Participation.objects.filter(intervention=world.assigned).count() == 1


def test_an_exited_participation_of_the_same_person_needs_no_confirmation(world, login):
    world.participation.end_date, world.participation.exit_reason = D(2024, 6, 1), "arbete"
    world.participation.save()
    response = login(world.users["manager"]).post(
        url("create", world), register_data(personnummer=SAME_PERSON, referens="A-2", startdatum="2025-01-15"))
    assert response.status_code == 302


# --- Felregistrering, deletion, reopening --------------------------------------------------------

def test_an_anonymous_registration_can_be_marked_felregistrering(world, login):
    p = _anonymous(world)
    client = login(world.users["manager"])
    page = client.get(url("mark_mistaken", world, p.pk))
    assert page.status_code == 200 and "räknas då inte i någon tabell" in page.content.decode()
    before = data_version(world.alfa.pk).key()
    response = client.post(url("mark_mistaken", world, p.pk), {"version": p.version, "bekrafta": "on"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.exit_reason, p.end_date, p.anonymous) == ("felregistrering", D(2024, 3, 1), True)
    assert ParticipationChange.objects.filter(participation=p, action="marked_mistaken").exists()
    assert AccessLog.objects.filter(action="mark_mistaken", subject=f"deltagande {p.pk}").exists()
    assert data_version(world.alfa.pk).key() != before
    detail = _text(client.get(url("detail", world, p.pk)).content.decode())
    assert "Markerad som felregistrering" in detail and "Avslutsorsak: – → Felregistrering" in detail


def test_an_identified_registration_can_be_marked_but_not_deleted(world, login):
    client = login(world.users["manager"])
    p = world.participation
    page = client.get(url("delete", world, p.pk)).content.decode()
    assert "Ett deltagande med personnummer tas inte bort här" in page
    response = client.post(url("delete", world, p.pk), {"version": p.version, "bekrafta": "on", "motivering": "fel"})
    assert response.status_code == 200 and Participation.objects.filter(pk=p.pk).exists()
    assert not AccessLog.objects.filter(action="delete").exists()
    client.post(url("mark_mistaken", world, p.pk), {"version": p.version, "bekrafta": "on"})
    p.refresh_from_db()
    assert p.exit_reason == "felregistrering"


def test_anonymous_and_pseudonymous_rows_are_deleted_with_a_reason_in_the_log(world, login):
    client = login(world.users["manager"])
    for p in (_anonymous(world), _pseudonymous(world)):
        if p.pseudonymous:
            SupportRecord.objects.create(participation=p, phase="entry", code="sjukpenning")
        response = client.post(url("delete", world, p.pk), {"version": p.version, "bekrafta": "on"})
        assert response.status_code == 200 and "Skriv varför deltagandet tas bort" in response.content.decode()
        assert Participation.objects.filter(pk=p.pk).exists()
        before = data_version(world.alfa.pk).key()
        response = client.post(url("delete", world, p.pk),
                               {"version": p.version, "bekrafta": "on", "motivering": "Registrerad två gånger"})
        assert response.status_code == 302 and response.url == url("list", world)
        assert not Participation.objects.filter(pk=p.pk).exists()
        assert not ParticipationChange.objects.filter(participation_id=p.pk).exists()
        assert not SupportRecord.objects.filter(participation_id=p.pk).exists()
        entry = AccessLog.objects.get(action="delete", subject__startswith=f"deltagande {p.pk} ")
        assert entry.subject.endswith("borttaget: Registrerad två gånger") and p.reference not in entry.subject
        assert (entry.user, entry.intervention_slug, entry.row_count) == (world.users["manager"], "aktivitet", 1)
        assert data_version(world.alfa.pk).key() != before


def test_a_deletion_reason_may_not_hold_an_identity_number(world, login):
    p = _anonymous(world)
    response = login(world.users["manager"]).post(
        url("delete", world, p.pk), {"version": p.version, "bekrafta": "on", "motivering": "fel, 19850314-1239"})
    assert response.status_code == 200 and Participation.objects.filter(pk=p.pk).exists()


def test_a_mistaken_exit_is_reopened_and_logged_with_the_old_values(world, login):
    p = make_participation(world.assigned, "A-2", personnummer="19850314-1239", end_date=D(2024, 6, 30),
                           exit_reason="arbete", support_at_entry_and_exit=True)
    SupportRecord.objects.create(participation=p, phase="entry", code="sjukpenning")
    SupportRecord.objects.create(participation=p, phase="exit", code="lon")
    client = login(world.users["manager"])
    assert "blir pågående igen" in client.get(url("reopen", world, p.pk)).content.decode()
    response = client.post(url("reopen", world, p.pk), {"version": p.version, "bekrafta": "on"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.end_date, p.exit_reason, p.support_at_entry_and_exit) == (None, "", False)
    assert list(p.support.values_list("phase", "code")) == [("entry", "sjukpenning")]
    change = ParticipationChange.objects.get(participation=p, action="reopened")
    assert change.changes["exit_reason"] == ["arbete", ""] and change.changes["support_exit"] == [["lon"], []]
    assert change.changes["end_date"] == ["2024-06-30", None]
    assert AccessLog.objects.filter(action="reopen", subject=f"deltagande {p.pk}").exists()
    detail = _text(client.get(url("detail", world, p.pk)).content.decode())
    assert "Återöppnad" in detail and "Avslutsorsak: Arbete (osubventionerat) → –" in detail
    assert "Försörjning efter avslut: Lön (även subventionerad anställning) → –" in detail


def test_two_reopenings_of_the_same_reading_do_not_both_act(world, login):
    p = make_participation(world.assigned, "A-2", personnummer="19850314-1239", end_date=D(2024, 6, 30),
                           exit_reason="arbete")
    read_at = p.version
    client = login(world.users["manager"])
    assert client.post(url("reopen", world, p.pk), {"version": read_at, "bekrafta": "on"}).status_code == 302
    # Someone exits it again; then the second reopening, read at the first version, arrives.
    p.refresh_from_db()
    services.save_participation(p, {**services.current_values(p), "intervention": world.assigned,
                                     "end_date": D(2024, 7, 31), "exit_reason": "studier"},
                                user=None, expected_version=p.version, action="exited")
    response = client.post(url("reopen", world, p.pk), {"version": read_at, "bekrafta": "on"})
    assert response.status_code == 200
    assert "Någon annan har ändrat deltagandet sedan du öppnade sidan. Ingenting har ändrats." in response.content.decode()
    p.refresh_from_db()
    assert (p.end_date, p.exit_reason) == (D(2024, 7, 31), "studier")
    assert ParticipationChange.objects.filter(participation=p, action="reopened").count() == 1


def test_corrections_need_a_confirmation_and_a_version(world, login):
    p = make_participation(world.assigned, "A-2", personnummer="19850314-1239", end_date=D(2024, 6, 30),
                           exit_reason="arbete")
    client = login(world.users["manager"])
    for data in ({"version": p.version}, {"bekrafta": "on"}, {"bekrafta": "on", "version": "x"}):
        response = client.post(url("reopen", world, p.pk), data)
        assert response.status_code == 200
    p.refresh_from_db()
    assert p.end_date == D(2024, 6, 30)


def test_corrections_are_not_for_other_associations_or_readers(foerbund_responsible, login):
    world = foerbund_responsible
    beta = world.beta_participation
    for name in ("mark_mistaken", "reopen", "delete"):
        page = reverse(f"participants:{name}", args=["alfa", world.assigned.slug, beta.pk])
        assert login(world.users["admin"]).post(page, {"version": 1, "bekrafta": "on"}).status_code == 404
        page = url(name, world, world.participation.pk)
        assert login(world.users["reader"]).post(page, {"version": 1, "bekrafta": "on"}).status_code == 403


# --- Search ----------------------------------------------------------------------------------------

def test_search_finds_a_referens_by_its_beginning_in_every_status_and_says_where(foerbund_responsible, login):
    world = foerbund_responsible
    make_participation(world.assigned, "A-20", personnummer="19850314-1239", end_date=D(2024, 6, 30),
                       exit_reason="arbete")
    make_participation(world.unassigned, "A-30", personnummer="19850314-1239")
    admin = login(world.users["admin"])
    html = _text(admin.post(url("list", world) + "?status=ongoing", {"q": "a-"}).content.decode())
    assert "A-1 " in html and "A-20" in html and "A-30" in html
    assert "FINSAM-team Pågående" in html and "Aktivitetsplatsen Avslutad" in html
    assert set(AccessLog.objects.filter(action="search").values_list("intervention_slug", flat=True)) == {
        "aktivitet", "team"}
    # A deltagaransvarig searches only the insatser assigned to them.
    manager = login(world.users["manager"])
    html = _text(manager.post(url("list", world) + "?status=exited", {"q": "A-"}).content.decode())
    assert "A-1 " in html and "A-20" in html and "A-30" not in html
    # The beginning, not any part; and LIKE wildcards are plain characters.
    assert "A-20" not in _text(manager.post(url("list", world), {"q": "20"}).content.decode())
    assert "A-20" not in _text(manager.post(url("list", world), {"q": "A_2"}).content.decode())


# --- Words, not codes --------------------------------------------------------------------------------

CODES = ["fk", "kommun:0180", "socialtjanst", "forgymnasial_kortare_an_9_ar", "2_5_ar", "5_ar_eller_mer",
         "sjukpenning", "ingen_offentlig", "uppgift_saknas", "stallda", "arbete_subventionerat", "unga_vuxna", "egen_grupp"]


def test_the_participant_page_shows_every_field_as_a_label(world, login):
    from finsam.interventions.models import TargetGroup

    Member.objects.create(association=world.alfa, kind="kommun", municipality_code="0180", name="Stockholms stad")
    world.alfa_member.name = "Försäkringskassan Mälardalen"
    world.alfa_member.save()
    TargetGroup.objects.create(association=world.alfa, code="egen_grupp", label="Förbundets egen grupp")
    p = make_participation(world.assigned, "A-2", personnummer="19850314-1239", referrer="kommun:0180",
                           referring_unit="socialtjanst", education="forgymnasial_kortare_an_9_ar",
                           time_on_support="2_5_ar", time_without_work="5_ar_eller_mer", municipality="0180",
                           born_abroad="uppgift_saknas", impairment="nej", violence_questions="stallda",
                           end_date=D(2024, 6, 30), exit_reason="arbete_subventionerat")
    for phase, code in (("entry", "sjukpenning"), ("exit", "ingen_offentlig")):
        SupportRecord.objects.create(participation=p, phase=phase, code=code)
    for code in ("unga_vuxna", "egen_grupp"):
        TargetGroupRecord.objects.create(participation=p, code=code)
    client = login(world.users["manager"])
    html = _text(client.get(url("detail", world, p.pk)).content.decode())
    for label in ("Med personnummer", "Stockholms stad", "Socialtjänst / ekonomiskt bistånd",
                  "Förgymnasial kortare än 9 år", "2 år till mindre än 5 år", "5 år eller mer",
                  "Stockholms stad (0180)", "Uppgift saknas", "Ställda", "Sjuk- eller rehabiliteringspenning",
                  "Ingen offentlig försörjning", "Unga vuxna 16–29 år", "Förbundets egen grupp",
                  "Arbete med stöd (subventionerad anställning)", "Ålder vid start 38 år"):
        assert label in html, label
    for code in CODES:
        assert not re.search(rf"(?<![\w:]){re.escape(code)}(?![\w:])", html), code
    # A member as referrer is named by the member's own name.
    p.referrer = "fk"
    p.save()
    assert "Anmälande part Försäkringskassan Mälardalen" in _text(client.get(url("detail", world, p.pk)).content.decode())


def test_history_lines_show_field_names_and_values_as_labels(world, login):
    client = login(world.users["manager"])
    p = world.participation
    client.post(url("exit", world, p.pk), {"version": p.version, "slutdatum": "2024-05-01", "avslutsorsak": "arbete",
                                           "forsorjning_efter": ["ingen_offentlig"]})
    p.refresh_from_db()
    client.post(url("exit", world, p.pk), {"version": p.version, "slutdatum": "2024-05-01", "avslutsorsak": "studier",
                                           "forsorjning_efter": ["studiestod"]})
    html = _text(client.get(url("detail", world, p.pk)).content.decode())
    assert "Avslutad" in html
    assert "Avslutsorsak: Arbete (osubventionerat) → Studier" in html
    assert "Försörjning efter avslut: Ingen offentlig försörjning → Studiestöd" in html
    assert "Slutdatum: – → 2024-05-01" in html
    for code in ("exited", "exit_reason", "support_exit", "end_date", "ingen_offentlig", "studiestod"):
        assert code not in html, code


def test_the_template_offers_labels_and_a_row_filled_from_them_imports(world, login):
    Member.objects.create(association=world.alfa, kind="kommun", municipality_code="0180", name="Stockholms stad")
    response = login(world.users["manager"]).get(reverse("participants:template", args=["alfa"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    lists = {}
    for column in workbook["Koder"].iter_cols(values_only=True):
        if column[0]:
            lists[column[0]] = [v for v in column[1:] if v is not None]
    assert "Förgymnasial kortare än 9 år" in lists["utbildning"] and "forgymnasial_kortare_an_9_ar" not in lists["utbildning"]
    assert "2 år till mindre än 5 år" in lists["tid_utan_arbete"] and "Felregistrering" in lists["avslutsorsak"]
    assert "Stockholms stad" in lists["anmalande_part"] and "kommun:0180" not in lists["anmalande_part"]
    assert "Aktivitetsplatsen" in lists["insats"]
    for values in lists.values():
        for code in CODES:
            assert code not in values
    instructions = " ".join(str(c) for row in workbook["Instruktioner"].iter_rows(values_only=True) for c in row if c)
    assert "Sjuk- eller rehabiliteringspenning" in instructions and "sjukpenning," not in instructions
    # A row filled from the dropdowns, as a user of the template fills it.
    row = {"insats": "Aktivitetsplatsen", "referens": "MALL-1", "personnummer": "19850314-1239", "anonym": "nej",
           "kon": "Man", "samtycke_datum": "2024-03-01", "samtycke_form": "Papper", "startdatum": "2024-03-01",
           "anmalande_part": "Stockholms stad", "anmalande_enhet": "Socialtjänst / ekonomiskt bistånd",
           "malgrupp": "Unga vuxna 16–29 år i behov av samordnat stöd",
           "utbildning": "Förgymnasial kortare än 9 år", "tid_offentlig_forsorjning": "2 år till mindre än 5 år",
           "tid_utan_arbete": "5 år eller mer", "forsorjning_fore": "Sjuk- eller rehabiliteringspenning;Studiestöd",
           "fodd_utomlands": "Uppgift saknas", "funktionsnedsattning": "Nej", "vald_fragor": "Ställda",
           "slutdatum": "2024-09-01", "avslutsorsak": "Arbete med stöd (subventionerad anställning)",
           "forsorjning_efter": "Lön (även subventionerad anställning)"}
    for column, value in row.items():
        if column in lists:
            assert value in lists[column], column
    sheet = workbook["Deltagare"]
    sheet.append([row.get(column) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = import_file(buffer.getvalue(), "mall.xlsx", association=world.alfa, user=world.users["manager"],
                          interventions=[world.assigned], today=D(2026, 11, 23))
    assert summary.created == 1
    p = Participation.objects.get(reference="MALL-1")
    assert (p.referrer, p.education, p.time_on_support, p.exit_reason) == (
        "kommun:0180", "forgymnasial_kortare_an_9_ar", "2_5_ar", "arbete_subventionerat")
    assert sorted(p.support.filter(phase="entry").values_list("code", flat=True)) == ["sjukpenning", "studiestod"]


# --- The registration form ------------------------------------------------------------------------

def test_anonymous_registration_refuses_what_it_does_not_keep_and_the_page_hides_it(world, login):
    client = login(world.users["manager"])
    page = client.get(url("create", world)).content.decode()
    assert "data-anonymous-form" in page and "finsam/anonym.js" in page and 'id="anonym-status"' in page
    response = client.post(url("create", world), {"anonym": "on", "kon": "kvinna", "referens": "AN-1",
                                                  "startdatum": "2025-01-15", "utbildning": "gymnasial",
                                                  "folkbokforingskommun": "0180"})
    html = response.content.decode()
    assert response.status_code == 200 and not Participation.objects.filter(reference="AN-1").exists()
    assert html.count("En anonym registrering sparar inte den här uppgiften.") == 2


def test_save_and_register_next_keeps_the_insats_and_the_start_date(world, login):
    client = login(world.users["manager"])
    response = client.post(url("create", world), register_data(startdatum="2025-01-15", nasta="1"))
    assert response.status_code == 302
    assert response.url == url("create", world) + "?startdatum=2025-01-15"
    assert Participation.objects.filter(reference="AP-9").exists()
    page = client.get(response.url).content.decode()
    assert "Deltagandet är sparat. Registrera nästa deltagare" in page
    assert 'value="2025-01-15"' in page and 'value="AP-9"' not in page
    # Only a date is taken from the address.
    assert client.get(url("create", world) + "?startdatum=<script>").status_code == 200
    # An edit has no such button.
    assert 'name="nasta"' not in client.get(url("edit", world, world.participation.pk)).content.decode()
