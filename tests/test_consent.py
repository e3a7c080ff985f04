"""Consent given on the participant's own phone."""

import datetime

from django.urls import reverse
from django.utils import timezone

from finsam.participants.consent import create_request
from finsam.participants.models import ConsentRequest, Participation
from tests.test_participants import register_data, url


def test_phone_consent_flow(world, login, client):
    staff = login(world.users["manager"])
    response = staff.post(url("consent_create", world))
    assert response.status_code == 302
    status_page = staff.get(response.url).content.decode()
    assert 'alt="QR-kod till samtyckessidan"' in status_page and "data:image/svg+xml" in status_page
    link = status_page.split("Länk: <code>")[1].split("</code>")[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    request = ConsentRequest.objects.get()
    assert request.token_hash != token and token not in str(ConsentRequest.objects.values().get())

    from django.test import Client

    phone = Client()
    page = phone.get(reverse("participants:consent_answer", args=[token]))
    assert page.status_code == 200 and "Jag samtycker" in page.content.decode()
    assert "Tack för ditt svar" in phone.post(reverse("participants:consent_answer", args=[token]), {"svar": "ja"}).content.decode()
    assert phone.get(reverse("participants:consent_answer", args=[token])).status_code == 404  # one use only

    status_page = staff.get(url("consent_status", world, request.pk)).content.decode()
    assert f"?samtycke={request.pk}" in status_page
    form_page = staff.get(url("create", world) + f"?samtycke={request.pk}").content.decode()
    assert "Deltagaren samtyckte i sin telefon" in form_page
    response = staff.post(url("create", world), register_data(samtycke_bekraftat=None, samtycke_begaran=request.pk))
    assert response.status_code == 302
    p = Participation.objects.get(reference="AP-9")
    request.refresh_from_db()
    assert request.participation == p
    assert p.consent_form == "digitalt" and p.consent_date == timezone.localdate(request.answered_at)
    assert p.consent_text_version == request.text_version

    again = staff.post(url("create", world), register_data(referens="AP-10", samtycke_bekraftat=None,
                                                           samtycke_begaran=request.pk))
    assert "Samtycket från deltagarens telefon saknas, har redan använts" in again.content.decode()


def test_declined_consent_suggests_anonymous(world, login, client):
    request, token = create_request(world.assigned, world.users["manager"])
    client.post(reverse("participants:consent_answer", args=[token]), {"svar": "nej"})
    request.refresh_from_db()
    assert request.consented is False
    staff = login(world.users["manager"])
    page = staff.get(url("consent_status", world, request.pk)).content.decode()
    assert "?anonym=1" in page
    html = staff.post(url("create", world), register_data(samtycke_bekraftat=None, samtycke_begaran=request.pk)).content.decode()
    assert "Samtycket från deltagarens telefon saknas" in html


def test_expired_link_is_closed(world, client):
    request, token = create_request(world.assigned, world.users["manager"])
    ConsentRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("participants:consent_answer", args=[token]))
    assert response.status_code == 404 and "Länken gäller inte längre" in response.content.decode()


def test_consent_of_another_intervention_cannot_be_used(world, foerbund_responsible, login, client):
    request, token = create_request(world.unassigned, world.users["admin"])
    client.post(reverse("participants:consent_answer", args=[token]), {"svar": "ja"})
    html = login(world.users["admin"]).post(
        url("create", world), register_data(samtycke_bekraftat=None, samtycke_begaran=request.pk)
    ).content.decode()
    assert "Samtycket från deltagarens telefon saknas" in html
    assert not Participation.objects.filter(reference="AP-9").exists()


# --- What the consent text says (issue 9, class 4) ---

from finsam.audit.models import AccessLog  # noqa: E402
from finsam.participants import consent  # noqa: E402
from finsam.participants.importing import import_file  # noqa: E402


def test_the_consent_text_names_everything_stored(world):
    """Derived from the model: a field added to Participation (or a child table) fails here until
    the consent text describes it or it is declared to say nothing about the person."""
    assert consent.NOT_ABOUT_THE_PERSON == {"id", "association", "anonymous", "pseudonymous", "deidentified_at", "version",
                                            "created_at", "updated_at"}
    text = consent.current_text(world.assigned)
    for field in Participation._meta.get_fields():
        if field.name in consent.NOT_ABOUT_THE_PERSON:
            continue
        assert field.name in consent.STORED_DATA, f"{field.name} is stored but the consent text does not name it"
        assert consent.STORED_DATA[field.name] in text.items


def test_the_consent_shown_to_the_participant_names_the_sensitive_variables(world, client):
    """Issue 9: the text named kön, födelseår, utbildning, försörjning and avslut only."""
    request, token = create_request(world.assigned, world.users["manager"])
    page = client.get(reverse("participants:consent_answer", args=[token])).content.decode()
    for words in ("funktionsnedsättning som påverkar", "född utomlands", "kommun jag är folkbokförd i",
                  "målgrupper", "vilken enhet som anmälde mig", "utan arbete", "våld i nära relationer",
                  "offentlig försörjning", "utbildning", "juridiskt kön", "födelseår"):
        assert words in page, words


def test_the_text_names_the_controller_purpose_retention_and_withdrawal(world):
    world.alfa.controller_name = "Samordningsförbundet Alfa, styrelsen"
    world.alfa.controller_contact = "dataskydd@alfa.se"
    world.alfa.retention_years = 7
    world.alfa.save()
    text = consent.current_text(world.assigned).plain()
    assert "Personuppgiftsansvarig är Samordningsförbundet Alfa, styrelsen. Kontakt: dataskydd@alfa.se." in text
    assert "Syftet är statistik om insatsen Aktivitetsplatsen" in text
    assert "tas bort 7 år efter" in text
    assert "Jag kan när som helst återkalla mitt samtycke" in text
    # An insats may name its own controller; the förbund's contact is then not given for it.
    world.assigned.controller_name = "Exempelstads kommun, socialnämnden"
    world.assigned.controller_contact = "registrator@exempelstad.se"
    world.assigned.save()
    own = consent.current_text(world.assigned).plain()
    assert "Personuppgiftsansvarig är Exempelstads kommun, socialnämnden. Kontakt: registrator@exempelstad.se." in own
    assert "dataskydd@alfa.se" not in own
    # Without a setting the förbund itself is named.
    assert "Personuppgiftsansvarig är Samordningsförbundet Alfa, styrelsen." in consent.current_text(world.unassigned).plain()


def test_the_version_follows_the_text_and_each_version_is_kept(world):
    first = consent.record(world.assigned)
    world.alfa.retention_years = 3
    world.alfa.save()
    second = consent.record(world.assigned)
    assert first.version != second.version
    assert consent.stored_text(world.alfa, first.version).plain() == first.plain()
    assert "tas bort 5 år efter" in first.plain() and "tas bort 3 år efter" in second.plain()
    assert consent.stored_text(world.beta, first.version) is None  # kept per förbund


def test_the_controller_is_set_on_the_settings_pages(world, login):
    client = login(world.users["admin"])
    response = client.post(reverse("tenancy:settings", args=["alfa"]), {
        "name": "Alfa förbund", "organisationsnummer": "2220000000", "masking_threshold": 5, "retention_years": 5,
        "grade_acceptable_percent": 50, "controller_name": "Alfa förbund", "controller_contact": "dpo@alfa.se",
        "privacy_model": "members",
    })
    assert response.status_code == 302
    world.alfa.refresh_from_db()
    assert (world.alfa.controller_name, world.alfa.controller_contact) == ("Alfa förbund", "dpo@alfa.se")
    response = client.post(reverse("interventions:edit", args=["alfa", "aktivitet"]), {
        "name": "Aktivitetsplatsen", "slug": "aktivitet", "kind": "individual", "status": "active",
        "start_date": "2024-01-01", "controller_name": "Region Alfa", "controller_contact": "pua@region.se",
        "assigned_users": [world.users["manager"].pk],
    })
    assert response.status_code == 302
    world.assigned.refresh_from_db()
    assert (world.assigned.controller_name, world.assigned.controller_contact) == ("Region Alfa", "pua@region.se")
    # Parterna ansvarar: the insats's own controller; its deltagaransvarig registers.
    registering = login(world.users["manager"])
    assert "Personuppgiftsansvarig är Region Alfa." in registering.get(url("create", world)).content.decode()


def test_the_version_is_shown_wherever_consent_is_shown(world, login, client):
    request, token = create_request(world.assigned, world.users["manager"])
    phone = client.get(reverse("participants:consent_answer", args=[token])).content.decode()
    assert f"Samtyckestextens version: {request.text_version}." in phone
    # The phone shows the text of the request's version even when the settings change meanwhile.
    world.alfa.controller_name = "Ett nytt namn"
    world.alfa.save()
    phone = client.get(reverse("participants:consent_answer", args=[token])).content.decode()
    assert "Ett nytt namn" not in phone and f"Samtyckestextens version: {request.text_version}." in phone
    client.post(reverse("participants:consent_answer", args=[token]), {"svar": "ja"})

    staff = login(world.users["manager"])
    form_page = staff.get(url("create", world) + f"?samtycke={request.pk}").content.decode()
    current = consent.current_text(world.assigned).version
    assert f"Samtyckestext (version {current})" in form_page and "Ett nytt namn" in form_page
    assert f"samtyckestextens version {request.text_version}" in form_page  # the phone's answer
    staff.post(url("create", world), register_data(samtycke_bekraftat=None, samtycke_begaran=request.pk))
    p = Participation.objects.get(reference="AP-9")
    assert p.consent_text_version == request.text_version
    detail = staff.get(url("detail", world, p.pk)).content.decode()
    assert f"samtyckestextens version {request.text_version}" in detail
    assert f"Samtyckestexten som deltagaren fick (version {request.text_version})" in detail
    assert "Ett nytt namn" not in detail  # the text the participant read, not today's


def _consent_of(p):
    p.refresh_from_db()
    return p.consent_date, p.consent_form, p.consent_text_version


def test_nothing_but_a_withdrawal_touches_consent(world, login):
    """Issue 9: registering an exit wiped consent_text_version; an import update overwrote the
    consent with the file's. Every write path keeps it."""
    p = world.participation
    Participation.objects.filter(pk=p.pk).update(consent_text_version="2026-1")
    given = _consent_of(p)
    assert given == (datetime.date(2024, 2, 1), "digitalt", "2026-1")
    client = login(world.users["manager"])

    edit = client.post(url("edit", world, p.pk), register_data(
        personnummer="", referens="A-1", version=p.version, startdatum="2024-02-01", utbildning="forgymnasial",
        samtycke_form="papper", samtycke_datum="2024-06-01"))
    assert edit.status_code == 302
    assert _consent_of(p) == given and p.education == "forgymnasial"

    exit_ = client.post(url("exit", world, p.pk), {"slutdatum": "2024-06-30", "avslutsorsak": "arbete",
                                                   "version": p.version})
    assert exit_.status_code == 302
    assert _consent_of(p) == given and p.end_date == datetime.date(2024, 6, 30)

    data = ("insats;referens;personnummer;startdatum;samtycke_datum;samtycke_form;utbildning;slutdatum;avslutsorsak\n"
            "aktivitet;A-1;19900101-0017;2024-02-01;2024-05-05;papper;gymnasial;2024-06-30;arbete\n").encode()
    summary = import_file(data, "fil.csv", association=world.alfa, user=world.users["manager"],
                          interventions=world.alfa.interventions.all())
    assert summary.updated == 1
    assert _consent_of(p) == given and p.education == "gymnasial"
    assert AccessLog.objects.filter(action="import").exists()
