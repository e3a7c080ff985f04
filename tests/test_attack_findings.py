"""Findings of the attack on issue 10 (privacy model, register extract, pseudonymous rows,
corrections, start page): each test failed on the merged code before its fix."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finsam.audit.models import AccessLog

D = datetime.date
HEADER = "insats;referens;anonym;kon;fodelsear;startdatum;samtycke_datum;personnummer\n"


# --- An identity number in an uploaded file's name ------------------------------------------------

def test_an_identity_number_in_an_import_file_name_is_not_written_to_the_access_log(world, login):
    """A deltagaransvarig names the file after the person ("Anna 19900101-0017.csv"). The access
    log keeps the file name as its subject and the administratör reads it under "Parterna
    ansvarar", where they may see no participant data: the number must not be there in clear."""
    client = login(world.users["manager"])
    rows = HEADER + "aktivitet;PZ-1;nej;man;1980;2024-03-01;2024-03-01;\n"
    for name in ("Anna 19900101-0017.csv", "Anna 199001010017.csv"):
        response = client.post(reverse("participants:import", args=["alfa"]),
                               {"file": SimpleUploadedFile(name, rows.encode())})
        assert response.status_code == 200
    subjects = list(AccessLog.objects.filter(action="import").values_list("subject", flat=True))
    assert len(subjects) == 2
    assert not any("0017" in s for s in subjects), subjects
    assert all(s.startswith("Anna ") and s.endswith(".csv") for s in subjects)
    page = login(world.users["admin"]).get(reverse("audit:access_log", args=["alfa"])).content.decode()
    assert "0017" not in page



# --- A deltagaransvarig who is also läsare ---------------------------------------------------------

def test_a_deltagaransvarig_who_is_also_laesare_gets_no_live_warning_counts_of_other_insatser(world, login):
    """Läsare see every insats, but only published figures; a deltagaransvarig sees live figures of
    their own insatser. Holding both roles, the start page's data-quality warnings (live counts,
    e.g. "Samtyckesdatum saknas: 1") must not cover the insatser the user is not assigned to."""
    from finsam.tenancy.models import Role, RoleAssignment
    from tests.conftest import make_participation

    manager = world.users["manager"]
    RoleAssignment.objects.create(user=manager, association=world.alfa, role=Role.READER)
    make_participation(world.unassigned, "T-2", personnummer="19850314-1239", consent_date=None)
    page = login(manager).get(reverse("reports:overview", args=["alfa"])).content.decode()
    assert "Aktivitetsplatsen" in page  # the assigned insats is there, with its own warning
    assert "FINSAM-team" not in page.split("Att kontrollera", 1)[1].split("Mer", 1)[0]
    assert "Samtyckesdatum saknas" not in page


def test_a_deltagaransvarig_who_is_also_laesare_neither_sees_nor_registers_volume_counts_of_other_insatser(
        world, login):
    """Volume counts: administratör and analytiker every insats, a deltagaransvarig the assigned
    ones (tenancy/permissions.py). The läsare role lists every insats, but must not widen that."""
    from finsam.participants.models import VolumeCount
    from finsam.tenancy.models import Role, RoleAssignment

    manager = world.users["manager"]
    RoleAssignment.objects.create(user=manager, association=world.alfa, role=Role.READER)
    VolumeCount.objects.create(association=world.alfa, intervention=world.unassigned, period_start=D(2024, 1, 1),
                               period_end=D(2024, 1, 31), women=3, men=1)
    client = login(manager)
    volumes = reverse("participants:volumes", args=["alfa", world.unassigned.slug])
    # Not offered on the insats's page either (it was, and then refused).
    assert volumes not in client.get(reverse("interventions:detail", args=["alfa", world.unassigned.slug])
                                     ).content.decode()
    assert client.get(volumes).status_code == 404
    response = client.post(volumes, {"period_start": "2024-02-01", "period_end": "2024-02-29", "women": "7"})
    assert response.status_code == 404
    assert VolumeCount.objects.filter(intervention=world.unassigned).count() == 1
    # Their own insats still works, and the administratör still sees every insats.
    assert client.get(reverse("participants:volumes", args=["alfa", world.assigned.slug])).status_code == 200
    assert login(world.users["admin"]).get(volumes).status_code == 200


# --- Reopening what retention de-identified --------------------------------------------------------

def test_a_participation_that_retention_deidentified_cannot_be_reopened(world, login):
    """Retention (gallring) de-identifies a person's participations long after the last one ended,
    and never looks at them again. Reopened, such a row would count as ongoing for ever (and warn
    as ongoing for more than 24 months) with nothing left to tell whose it was."""
    from django.utils import timezone

    from finsam.participants import services
    from finsam.participants.models import Participation
    from tests.conftest import make_participation
    from tests.test_participants import url

    p = make_participation(world.assigned, "A-2", personnummer="19850314-1239", start_date=D(2010, 1, 1),
                           end_date=D(2012, 6, 30), exit_reason="arbete")
    services.deidentify(Participation.objects.filter(pk=p.pk), now=timezone.now())
    p.refresh_from_db()
    client = login(world.users["manager"])
    assert url("reopen", world, p.pk) not in client.get(url("detail", world, p.pk)).content.decode()  # not offered
    page = client.get(url("reopen", world, p.pk)).content.decode()
    assert "gallrat" in page
    response = client.post(url("reopen", world, p.pk), {"version": p.version, "bekrafta": "on"})
    assert response.status_code == 200
    p.refresh_from_db()
    assert p.end_date == D(2012, 6, 30)
    assert not AccessLog.objects.filter(action="reopen").exists()


# --- The identity number typed to find someone is not sent back ------------------------------------

def test_the_register_extract_and_the_search_do_not_send_the_typed_identity_number_back(world, login):
    """The extract promises that the number is never shown; the page came back with the number in
    its input (also a mistyped one), where the browser keeps it with the page. A referens typed into
    the search is still shown back: it is what the user searches for."""
    from tests.test_participants import url

    client = login(world.users["manager"])
    extract = reverse("participants:extract", args=["alfa"])
    for typed in ("19900101-0017", "199001010017", "19900101-0018"):  # the last one mistyped
        page = client.post(extract, {"identitet": typed, "format": "html"}).content.decode()
        assert "0017" not in page and "0018" not in page, typed
    assert "Deltagande " in client.post(extract, {"identitet": "19900101-0017", "format": "html"}).content.decode()
    page = client.post(url("list", world) + "?status=all", {"q": "19900101-0017"}).content.decode()
    assert "A-1" in page and "0017" not in page
    page = client.post(url("list", world) + "?status=all", {"q": "a-"}).content.decode()
    assert 'value="a-"' in page


# --- A referens is unique in its insats only ---------------------------------------------------------

def test_a_register_extract_by_referens_does_not_mix_people_of_two_insatser(world, foerbund_responsible, login):
    """Referenser are unique within an insats; förbund number each insats's participants from 1.
    An extract by referens "1" gave one person the participations (and everything else) of two
    people. When the referens is in more than one insats, the user chooses the insats."""
    from finsam.participants.models import Participation
    from tests.conftest import make_participation

    make_participation(world.assigned, "1", personnummer="19850314-1239")
    Participation.objects.create(association=world.alfa, intervention=world.unassigned, reference="1",
                                 pseudonymous=True, gender="kvinna", birth_year=1970, start_date=D(2024, 3, 1))
    client = login(world.users["admin"])
    extract = reverse("participants:extract", args=["alfa"])
    response = client.post(extract, {"identitet": "1", "format": "json"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")  # no file
    page = response.content.decode()
    assert "Referensen finns i flera insatser" in page and "Deltagande " not in page
    # Where the referens is was said: logged, with no row shown.
    assert AccessLog.objects.get(action="register_extract").row_count == 0
    response = client.post(extract, {"identitet": "1", "insats": world.unassigned.slug, "format": "json"})
    data = response.json()
    assert [d["insats"] for d in data["deltaganden"]] == ["FINSAM-team"]
    # By identity number, or with a referens found once, no insats is needed.
    assert client.post(extract, {"identitet": "T-1", "format": "json"}).json()["antal_deltaganden"] == 1
    assert client.post(extract, {"identitet": "19850314-1239", "format": "json"}).json()["antal_deltaganden"] == 1


def test_the_insats_of_a_register_extract_is_one_the_user_may_see(world, login):
    from finsam.participants.models import Participation

    Participation.objects.create(association=world.alfa, intervention=world.unassigned, reference="A-1",
                                 pseudonymous=True, gender="kvinna", birth_year=1970, start_date=D(2024, 3, 1))
    client = login(world.users["manager"])
    extract = reverse("participants:extract", args=["alfa"])
    page = client.post(extract, {"identitet": "A-1", "insats": world.unassigned.slug, "format": "html"})
    assert page.status_code == 200 and "FINSAM-team" not in page.content.decode()
    assert client.post(extract, {"identitet": "A-1", "format": "json"}).json()["antal_deltaganden"] == 1


# --- Förbundet ansvarar only on a decided legal basis ------------------------------------------------

def test_foerbundet_ansvarar_needs_a_legal_basis_that_is_visible_and_already_decided(world, login):
    """"Förbundet ansvarar" lets administratörer and analytiker see every participant. It needs a
    legal basis the förbund has decided: a text of invisible characters only, or a decision dated
    in the future (not decided yet), must not switch it on."""
    from finsam.tenancy.models import Association, PrivacyModel

    client = login(world.users["admin"])
    settings_url = reverse("tenancy:settings", args=["alfa"])
    base = {"name": "Samordningsförbundet Alfa", "organisationsnummer": "2220000000", "masking_threshold": 5,
            "retention_years": 5, "grade_acceptable_percent": 50, "privacy_model": "association",
            "pseudonymous_consent_required": "on"}
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    for legal_basis, decided_on in (("\u200b\u200b", "2026-01-15"), ("Styrelsebeslut om allmänt intresse",
                                                                     tomorrow.isoformat())):
        response = client.post(settings_url, {**base, "legal_basis": legal_basis, "legal_basis_decided_on": decided_on})
        assert response.status_code == 200, legal_basis
        assert Association.objects.get(slug="alfa").privacy_model == PrivacyModel.MEMBERS
    response = client.post(settings_url, {**base, "legal_basis": "Styrelsebeslut om allmänt intresse",
                                          "legal_basis_decided_on": datetime.date.today().isoformat()})
    assert response.status_code == 302
    assert Association.objects.get(slug="alfa").privacy_model == PrivacyModel.ASSOCIATION


# --- The Excel template offers what the import accepts -------------------------------------------------

def test_the_template_offers_a_deltagaransvarig_only_the_insatser_they_may_import_into(world, login):
    """The template's insats dropdown listed every insats of the förbund, also those the
    deltagaransvarig is not assigned to (and does not see in the app); the import then refused
    each such row. The administratör under Förbundet ansvarar is offered every insats."""
    import io

    import openpyxl

    from tests.conftest import set_privacy_model
    from finsam.tenancy.models import PrivacyModel

    def offered(user):
        response = login(user).get(reverse("participants:template", args=["alfa"]))
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        column = next(c for c in workbook["Koder"].iter_cols(values_only=True) if c[0] == "insats")
        return [v for v in column[1:] if v is not None]

    assert offered(world.users["manager"]) == ["Aktivitetsplatsen"]
    set_privacy_model(world.alfa, PrivacyModel.ASSOCIATION)
    assert sorted(offered(world.users["admin"])) == ["Aktivitetsplatsen", "FINSAM-team"]


def test_the_error_page_links_to_the_help_too():
    """"A help link on every page": the 500 page is plain HTML (nothing that could fail again)."""
    from django.template.loader import render_to_string

    assert 'href="/hjalp/"' in render_to_string("500.html")


# --- The läsare's start page names what the published figures cover -----------------------------------

def test_a_published_report_of_some_insatser_is_not_called_the_whole_foerbund_on_the_start_page(world):
    """A läsare's start page shows the latest publication of the year. When that report covers
    only some insatser, its total row said "Hela förbundet"."""
    from finsam.reports import overview
    from finsam.reports.publishing import publish_report

    publish_report(world.alfa, date_from=D(2026, 1, 1), date_to=D(2026, 6, 30), interventions=["aktivitet"],
                   title="Aktivitetsplatsen halvår", user=world.users["admin"])
    o = overview.published_overview(world.alfa, D(2026, 11, 24))
    assert [r.name for r in o.this_year.rows] == ["Aktivitetsplatsen", "Rapportens insatser"]
    publish_report(world.alfa, date_from=D(2026, 1, 1), date_to=D(2026, 6, 30), interventions=[],
                   title="Halvår", user=world.users["admin"])
    o = overview.published_overview(world.alfa, D(2026, 11, 24))
    assert o.this_year.rows[-1].name == "Hela förbundet"
