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


def test_consent_of_another_intervention_cannot_be_used(world, login, client):
    request, token = create_request(world.unassigned, world.users["admin"])
    client.post(reverse("participants:consent_answer", args=[token]), {"svar": "ja"})
    html = login(world.users["admin"]).post(
        url("create", world), register_data(samtycke_bekraftat=None, samtycke_begaran=request.pk)
    ).content.decode()
    assert "Samtycket från deltagarens telefon saknas" in html
    assert not Participation.objects.filter(reference="AP-9").exists()
