"""The förbund's privacy model in the browser (issue 10), one journey per model:

- Parterna ansvarar (default): the förbundsadministratör sees reports but no participant list and no
  import link; the deltagaransvarig registers, exports the rows of own insatser and makes a register
  extract (JSON downloaded and read).
- Förbundet ansvarar: the analytiker exports every insats's rows.
"""

import datetime
import json
from pathlib import Path

import pytest

from finsam.interventions.models import Intervention
from finsam.tenancy.models import Association, PrivacyModel, Role, RoleAssignment, User
from tests.conftest import PASSWORD, make_participation

from .conftest import assert_accessible, log_in, open_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def exempelstad(transactional_db):
    association = Association.objects.create(slug="exempelstad", name="Samordningsförbundet Exempelstad")
    start = datetime.date(2020, 1, 1)
    own = Intervention.objects.create(association=association, slug="aktivitetsplatsen", name="Aktivitetsplatsen",
                                      start_date=start)
    other = Intervention.objects.create(association=association, slug="novum", name="Novum", start_date=start)
    users = {}
    for username, role in [("admin@exempelstad.se", Role.ADMIN), ("analytiker@exempelstad.se", Role.ANALYST),
                           ("projektledare@exempelstad.se", Role.PARTICIPANT_MANAGER)]:
        users[role] = User.objects.create_user(username, password=PASSWORD)
        RoleAssignment.objects.create(user=users[role], association=association, role=role)
    own.assigned_users.add(users[Role.PARTICIPANT_MANAGER])
    make_participation(other, "NO-1", personnummer="19770707-7710")
    return association


def _download(page, button_or_link):
    with page.expect_download() as download:
        button_or_link.click()
    return Path(download.value.path()).read_bytes(), download.value.suggested_filename


def test_parterna_ansvarar(browser, live_server, exempelstad):
    admin = open_page(browser, live_server.url, accept_downloads=True)
    log_in(admin, "admin@exempelstad.se")
    menu = admin.get_by_role("navigation", name="Förbundets meny")
    assert menu.get_by_role("link", name="Rapporter", exact=True).is_visible()
    assert menu.get_by_role("link", name="Läs in deltagare").count() == 0
    assert menu.get_by_role("link", name="Registerutdrag").count() == 0
    menu.get_by_role("link", name="Rapporter", exact=True).click()
    assert_accessible(admin)
    menu.get_by_role("link", name="Insatser", exact=True).click()
    assert admin.get_by_text("Exportera").count() == 0
    admin.get_by_role("link", name="Aktivitetsplatsen").click()
    assert admin.get_by_role("link", name="Deltagare", exact=True).count() == 0
    assert admin.get_by_text("Personuppgiftsansvarig för deltagaruppgifterna").is_visible()
    assert_accessible(admin)
    admin.context.close()

    page = open_page(browser, live_server.url, accept_downloads=True)
    log_in(page, "projektledare@exempelstad.se")
    page.get_by_role("link", name="Visa insatser").click()
    page.get_by_role("link", name="Aktivitetsplatsen").click()
    page.get_by_role("link", name="Deltagare", exact=True).click()
    page.get_by_role("link", name="Registrera deltagare").click()
    page.get_by_label("Egen referens").fill("AP-0200")
    page.get_by_label("Personnummer eller samordningsnummer").fill("19850314-1239")
    page.get_by_label("Startdatum").fill("2025-02-03")
    page.get_by_label("Anmälande part").select_option("af")
    page.get_by_label("Utbildning (högsta avslutade)").select_option("gymnasial")
    page.get_by_label("Försörjningsstöd (ekonomiskt bistånd)").first.check()
    page.locator("summary", has_text="Samtyckestext").click()
    page.get_by_label("Deltagaren har läst samtyckestexten och bekräftar den").check()
    page.get_by_role("button", name="Spara deltagandet").click()
    assert page.get_by_text("Deltagandet är sparat.").is_visible()

    # Export: the rows of own insatser only.
    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Insatser", exact=True).click()
    assert page.get_by_text("Exportera deltagandena i dina insatser").is_visible()
    assert_accessible(page)
    content, name = _download(page, page.get_by_role("link", name="CSV"))
    assert name == "deltagare-exempelstad.csv"
    text = content.decode("utf-8-sig")
    assert "AP-0200" in text and "NO-1" not in text

    # The register extract: POST, shown on the page and downloaded as JSON.
    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Registerutdrag").click()
    assert_accessible(page)
    page.get_by_label("Personnummer, samordningsnummer eller referens").fill("19850314-1239")
    page.get_by_role("button", name="Visa utdraget").click()
    assert page.get_by_text("Utdrag: 1 deltagande").is_visible()
    assert "19850314" not in page.url
    assert_accessible(page)
    page.get_by_label("Personnummer, samordningsnummer eller referens").fill("19850314-1239")
    content, name = _download(page, page.get_by_role("button", name="Ladda ned som JSON"))
    assert name == "registerutdrag-exempelstad.json"
    extract = json.loads(content)
    assert [item["insats"] for item in extract["deltaganden"]] == ["Aktivitetsplatsen"]
    values = {v["fält"]: v["värde"] for v in extract["deltaganden"][0]["uppgifter"]}
    assert values["Egen referens"] == "AP-0200" and values["Utbildning"] == "Gymnasial"
    assert extract["deltaganden"][0]["historik"] and extract["deltaganden"][0]["åtkomstlogg"]
    assert "19850314" not in content.decode()
    page.context.close()


def test_foerbundet_ansvarar(browser, live_server, exempelstad):
    # The administratör records the förbund's decision on the settings page.
    admin = open_page(browser, live_server.url)
    log_in(admin, "admin@exempelstad.se")
    admin.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Inställningar").click()
    assert admin.get_by_role("heading", name="Personuppgiftsansvar: vem får se uppgifter om enskilda deltagare").is_visible()
    assert admin.get_by_label("Parterna ansvarar").is_checked()
    assert_accessible(admin)
    admin.get_by_label("Förbundet ansvarar").check()
    admin.get_by_role("button", name="Spara").click()
    assert admin.get_by_text("Ange förbundets rättsliga grund och beslutsdatum").first.is_visible()
    assert_accessible(admin)
    admin.get_by_label("Förbundets rättsliga grund").fill("Styrelsebeslut 2026-01-15 §4: uppgift av allmänt intresse")
    admin.get_by_label("Beslutsdatum för den rättsliga grunden").fill("2026-01-15")
    admin.get_by_role("button", name="Spara").click()
    assert admin.get_by_text("Förbundets uppgifter är sparade.").is_visible()
    exempelstad.refresh_from_db()
    assert exempelstad.privacy_model == PrivacyModel.ASSOCIATION
    assert admin.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Läs in deltagare").is_visible()
    admin.context.close()

    page = open_page(browser, live_server.url, accept_downloads=True)
    log_in(page, "analytiker@exempelstad.se")
    menu = page.get_by_role("navigation", name="Förbundets meny")
    assert menu.get_by_role("link", name="Läs in deltagare").is_visible()
    menu.get_by_role("link", name="Insatser", exact=True).click()
    assert page.get_by_text("Exportera alla deltaganden").is_visible()
    assert_accessible(page)
    content, _ = _download(page, page.get_by_role("link", name="CSV"))
    assert "NO-1" in content.decode("utf-8-sig")
    page.get_by_role("link", name="Novum").click()
    page.get_by_role("link", name="Deltagare", exact=True).click()
    assert page.get_by_text("NO-1").is_visible()
    assert_accessible(page)
    page.context.close()
