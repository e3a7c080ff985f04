"""The förbund's privacy model (issue 10, docs/privacy.md): the settings page, the controller of an
insats, the import command and the register extract. Who reaches which page in each model is in
tests/test_access_matrix.py."""

import datetime
import io
import json

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from finsam.audit.log import log_access
from finsam.audit.models import AccessLog
from finsam.jobs.models import Job, State
from finsam.jobs.runner import run_queued
from finsam.participants import consent, extract
from finsam.participants.models import ParticipationChange
from finsam.tenancy.models import PrivacyModel, Role, RoleAssignment

from tests.conftest import make_participation, set_privacy_model

MEMBERS, ASSOCIATION = PrivacyModel.MEMBERS, PrivacyModel.ASSOCIATION
SETTINGS = {"name": "Samordningsförbundet Alfa", "organisationsnummer": "2220000000", "masking_threshold": 5,
            "retention_years": 5, "grade_acceptable_percent": 50, "privacy_model": "members",
            "pseudonymous_consent_required": "on"}


def set_model(association, model):
    set_privacy_model(association, model)


# --- settings ----------------------------------------------------------------------------------

def test_the_settings_page_explains_both_models_and_sets_one(world, login):
    client = login(world.users["admin"])
    page = client.get(reverse("tenancy:settings", args=["alfa"])).content.decode()
    assert "Parterna ansvarar" in page and "Förbundet ansvarar" in page
    assert 'type="radio" name="privacy_model"' in page
    assert 'name="legal_basis_decided_on"' in page and 'name="pseudonymous_consent_required"' in page
    response = client.post(reverse("tenancy:settings", args=["alfa"]), {
        **SETTINGS, "privacy_model": "association", "legal_basis": "Styrelsebeslut om allmänt intresse",
        "legal_basis_decided_on": "2026-01-15",
    })
    assert response.status_code == 302
    world.alfa.refresh_from_db()
    assert (world.alfa.privacy_model, world.alfa.legal_basis_decided_on) == (ASSOCIATION, datetime.date(2026, 1, 15))
    logged = AccessLog.objects.get(action="privacy_model_changed")
    assert logged.subject == "personuppgiftsansvar: Parterna ansvarar → Förbundet ansvarar"
    assert logged.user == world.users["admin"]


def test_the_foerbund_model_needs_a_legal_basis_and_a_date(world, login):
    client = login(world.users["admin"])
    response = client.post(reverse("tenancy:settings", args=["alfa"]), {**SETTINGS, "privacy_model": "association"})
    assert response.status_code == 200
    assert "Ange förbundets rättsliga grund och beslutsdatum" in response.content.decode()
    world.alfa.refresh_from_db()
    assert world.alfa.privacy_model == MEMBERS
    # The refused choice gives the page no participant menu meanwhile.
    assert reverse("participants:extract", args=["alfa"]) not in response.content.decode()
    assert not AccessLog.objects.filter(action="privacy_model_changed").exists()


def test_the_pseudonymous_consent_setting_is_on_the_page(world, login):
    client = login(world.users["admin"])
    client.post(reverse("tenancy:settings", args=["alfa"]),
                {k: v for k, v in SETTINGS.items() if k != "pseudonymous_consent_required"})
    world.alfa.refresh_from_db()
    assert world.alfa.pseudonymous_consent_required is False


# --- the controller of an insats -------------------------------------------------------------

def test_under_members_the_insats_owner_is_the_controller_in_the_consent_text(world, login):
    world.alfa.controller_name = "Samordningsförbundet Alfa, styrelsen"
    world.alfa.save()
    world.assigned.owner_member = world.alfa_member  # Försäkringskassan
    world.assigned.save()
    text = consent.current_text(world.assigned)
    assert "Personuppgiftsansvarig är Försäkringskassan." in text.plain()
    world.assigned.owner_member, world.assigned.external_provider = None, "Idéföreningen Steget"
    world.assigned.save()
    assert "Personuppgiftsansvarig är Idéföreningen Steget." in consent.current_text(world.assigned).plain()
    # Named on the insats: that one.
    world.assigned.controller_name = "Region Alfa"
    world.assigned.save()
    assert "Personuppgiftsansvarig är Region Alfa." in consent.current_text(world.assigned).plain()
    # The insats page shows it.
    page = login(world.users["reader"]).get(reverse("interventions:detail", args=["alfa", "aktivitet"])).content.decode()
    assert "Region Alfa" in page


def test_under_the_foerbund_model_the_foerbund_is_the_controller_and_the_version_changes(world):
    world.alfa.controller_name = "Samordningsförbundet Alfa, styrelsen"
    world.alfa.save()
    world.assigned.owner_member = world.alfa_member
    world.assigned.controller_name = "Region Alfa"
    world.assigned.save()
    before = consent.current_text(world.assigned)
    set_model(world.alfa, ASSOCIATION)
    after = consent.current_text(world.assigned)
    assert "Personuppgiftsansvarig är Samordningsförbundet Alfa, styrelsen." in after.plain()
    assert "Region Alfa" not in after.plain()
    assert before.version != after.version


# --- the import command ------------------------------------------------------------------------

HEADER = "insats;referens;personnummer;anonym;kon;startdatum;samtycke_datum"


def _file(tmp_path, slug):
    path = tmp_path / "deltagare.csv"
    path.write_text(f"{HEADER}\n{slug};X-1;19121212-1212;nej;;2024-02-01;2024-02-01\n")
    return str(path)


@pytest.mark.parametrize("role", ["admin", "analyst", "reader"])
def test_the_command_refuses_a_user_who_may_not_import_under_members(world, tmp_path, role):
    with pytest.raises(CommandError) as refused:
        call_command("import_participants", "--association", "alfa", "--user", world.users[role].username,
                     _file(tmp_path, "aktivitet"))
    assert "får inte läsa in deltagare" in str(refused.value) and "deltagaransvariga" in str(refused.value)
    with pytest.raises(CommandError) as no_user:
        call_command("import_participants", "--association", "alfa", _file(tmp_path, "aktivitet"))
    assert "Ange en av dem med --user" in str(no_user.value)
    assert not world.assigned.participations.filter(reference="X-1").exists()


def test_the_command_imports_for_a_deltagaransvarig_into_own_insatser_only(world, tmp_path, capsys):
    manager = world.users["manager"].username
    call_command("import_participants", "--association", "alfa", "--user", manager, _file(tmp_path, "aktivitet"))
    assert world.assigned.participations.filter(reference="X-1").exists()
    with pytest.raises(CommandError) as refused:
        call_command("import_participants", "--association", "alfa", "--user", manager, _file(tmp_path, "team"))
    assert "behörighet" in str(refused.value)


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_the_command_lets_the_foerbund_staff_import_when_the_foerbund_is_responsible(world, tmp_path, role):
    set_model(world.alfa, ASSOCIATION)
    call_command("import_participants", "--association", "alfa", "--user", world.users[role].username,
                 _file(tmp_path, "team"))
    assert world.unassigned.participations.filter(reference="X-1").exists()


# --- the register extract ----------------------------------------------------------------------

def _extract(client, identity, file_format="html"):
    return client.post(reverse("participants:extract", args=["alfa"]), {"identitet": identity, "format": file_format})


@pytest.fixture
def same_person(world):
    """The fixture's person (19900101-0017) in both alfa insatser and in beta."""
    return make_participation(world.unassigned, "T-2", exit_reason="arbete", end_date=datetime.date(2024, 9, 1))


def test_the_extract_gives_every_participation_the_user_may_see_with_history_and_log(world, login, same_person):
    client = login(world.users["manager"])
    client.get(reverse("participants:detail", args=["alfa", "aktivitet", world.participation.pk]))
    ParticipationChange.objects.create(participation=world.participation, user=world.users["manager"],
                                       action="updated", changes={"education": ["", "gymnasial"]})
    response = _extract(client, "19900101-0017", "json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="registerutdrag-alfa.json"'
    data = json.loads(response.content)
    # Only the insats the deltagaransvarig works in; the page says that others may hold more.
    assert [item["deltagande"] for item in data["deltaganden"]] == [world.participation.pk]
    assert "andra insatser" in data["avgränsning"]
    item = data["deltaganden"][0]
    values = {v["fält"]: v["värde"] for v in item["uppgifter"]}
    assert values["Insats"] == "Aktivitetsplatsen" and values["Kön"] == "Man"
    assert values["Samtycke, form"] == "Digitalt" and values["Typ av registrering"] == "Med personnummer"
    assert item["historik"][0]["händelse"] == "Ändrad"  # the participant page's history words (labels.ACTION_LABELS)
    assert item["historik"][0]["ändringar"] == [{"fält": "Utbildning", "före": "–", "efter": "Gymnasial"}]
    assert [row["åtgärd"] for row in item["åtkomstlogg"]] == ["Visade deltagande"]
    # Never the number itself, never a code where a label belongs.
    assert "19900101" not in response.content.decode() and "0017" not in response.content.decode()
    logged = AccessLog.objects.filter(action="register_extract").get()
    assert (logged.user, logged.row_count) == (world.users["manager"], 1)
    assert "19900101" not in logged.subject


def test_the_extract_covers_every_insats_when_the_foerbund_is_responsible(world, login, same_person):
    set_model(world.alfa, ASSOCIATION)
    data = json.loads(_extract(login(world.users["analyst"]), "199001010017", "json").content)
    assert sorted(item["insats"] for item in data["deltaganden"]) == ["Aktivitetsplatsen", "FINSAM-team"]
    values = {v["fält"]: v["värde"] for v in data["deltaganden"][1]["uppgifter"]}
    assert values["Avslutsorsak"] == "Arbete (osubventionerat)"


def test_the_extract_by_referens_finds_a_pseudonymous_participation(world, login):
    pseudonymous = make_participation(world.assigned, "PS-7", person_key="", pseudonymous=True, legal_gender="",
                                      birth_month=None)
    client = login(world.users["manager"])
    data = json.loads(_extract(client, "ps-7", "json").content)
    assert [item["deltagande"] for item in data["deltaganden"]] == [pseudonymous.pk]
    assert data["sökt_på"] == "referens"
    # A prefix is not the referens.
    assert json.loads(_extract(client, "PS", "json").content)["deltaganden"] == []
    # Another insats's referens is not found.
    assert json.loads(_extract(client, "T-1", "json").content)["deltaganden"] == []


def test_the_extract_as_pdf_and_on_the_page(world, login):
    client = login(world.users["manager"])
    pdf = _extract(client, "19900101-0017", "pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    page = _extract(client, "19900101-0017").content.decode()
    assert "Deltagande" in page and "Aktivitetsplatsen" in page and "andra insatser" in page
    assert AccessLog.objects.filter(action="register_extract").count() == 2


def test_a_long_extracts_pdf_is_made_in_the_background_and_logged_there(world, login, monkeypatch):
    """A person viewed often has a long access log: their extract's PDF (about 25 ms a row) is made by
    the worker, which logs the reading; the download is logged by the jobs app; a requester who no
    longer reaches the participation gets no file."""
    monkeypatch.setattr(extract, "EXTRACT_JOB_ROWS", 5)
    client = login(world.users["manager"])
    for _ in range(6):
        log_access(world.users["manager"], world.alfa, "view", subject=f"deltagande {world.participation.pk}")
    response = _extract(client, "19900101-0017", "pdf")
    job = Job.objects.get(kind="register_extract")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=["alfa", job.pk])
    assert job.parameters == {"participations": [world.participation.pk], "how": "personnummer"}
    assert not AccessLog.objects.filter(action="register_extract").exists()  # nothing read yet
    job = run_queued(job.pk)
    assert job.state == State.DONE, job.error
    logged = AccessLog.objects.get(action="register_extract")
    assert logged.subject == f"registerutdrag pdf (jobb {job.pk}): deltagande {world.participation.pk}"
    pdf = client.get(reverse("jobs:download", args=["alfa", job.pk]))
    content = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert pdf.status_code == 200 and content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert text.count("Visade deltagande") >= 6 and "19900101" not in text
    # the same extract, short enough, is made in the request as before
    monkeypatch.setattr(extract, "EXTRACT_JOB_ROWS", 1000)
    assert _extract(client, "19900101-0017", "pdf")["Content-Type"] == "application/pdf"
    # unassigned meanwhile: the next job fails, and the file made before is no longer handed out
    monkeypatch.setattr(extract, "EXTRACT_JOB_ROWS", 5)
    _extract(client, "19900101-0017", "pdf")
    second = Job.objects.filter(kind="register_extract").exclude(pk=job.pk).get()
    world.assigned.assigned_users.clear()
    assert run_queued(second.pk).state == State.FAILED
    assert client.get(reverse("jobs:download", args=["alfa", job.pk])).status_code in (403, 404)


def test_the_extract_refuses_a_mistyped_number_and_is_post_only(world, login):
    client = login(world.users["manager"])
    response = _extract(client, "19900101-0018")
    assert response.status_code == 200 and "kontrollsiffran stämmer inte" in response.content.decode()
    assert not AccessLog.objects.filter(action="register_extract").exists()
    # A number in the URL is ignored: nothing is searched by GET.
    page = client.get(reverse("participants:extract", args=["alfa"]) + "?identitet=19900101-0017")
    assert "Aktivitetsplatsen" not in page.content.decode().rsplit("</form>", 1)[1]  # the form lists the insatser


def test_an_admin_under_members_gets_no_extract(world, login):
    assert _extract(login(world.users["admin"]), "19900101-0017").status_code == 403
    RoleAssignment.objects.create(user=world.users["admin"], association=world.alfa, role=Role.PARTICIPANT_MANAGER)
    world.unassigned.assigned_users.add(world.users["admin"])
    data = json.loads(_extract(login(world.users["admin"]), "19900101-0017", "json").content)
    assert data["deltaganden"] == []  # the person is in an insats the admin is not deltagaransvarig of


def test_who_may_see_participants_changing_is_in_the_access_log(world, login):
    """Under "Parterna ansvarar" an administratör could otherwise make themselves deltagaransvarig
    of an insats, see its participants, and undo it, leaving only the views in the log."""
    admin = world.users["admin"]
    client = login(admin)
    response = client.post(reverse("tenancy:user_edit", args=["alfa", admin.pk]),
                           {"roles": ["admin", "participant_manager"]})
    assert response.status_code == 302
    response = client.post(reverse("interventions:edit", args=["alfa", world.assigned.slug]), {
        "name": world.assigned.name, "slug": world.assigned.slug, "kind": "individual", "status": "active",
        "start_date": "2024-01-01", "assigned_users": [world.users["manager"].pk, admin.pk]})
    assert response.status_code == 302
    rows = list(AccessLog.objects.filter(action="access_changed").order_by("pk").values_list("user", "intervention_slug",
                                                                                             "subject"))
    assert rows == [
        (admin.pk, "", f"roller för {admin.username}: Förbundsadministratör → Förbundsadministratör, Deltagaransvarig"),
        (admin.pk, world.assigned.slug,
         f"deltagaransvariga: {world.users['manager'].username} → "
         f"{', '.join(sorted([admin.username, world.users['manager'].username]))}"),
    ]
    # Saving without a change writes nothing more.
    client.post(reverse("tenancy:user_edit", args=["alfa", admin.pk]), {"roles": ["admin", "participant_manager"]})
    assert AccessLog.objects.filter(action="access_changed").count() == 2
