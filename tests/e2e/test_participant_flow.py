"""A deltagaransvarig registers a participant with digital consent, exits them, and imports a file."""

import datetime

import pytest
from playwright.sync_api import expect

from finsam.audit.models import AccessLog
from finsam.participants.models import Participation

from .conftest import assert_accessible, log_in, open_page

pytestmark = pytest.mark.e2e


def test_register_exit_and_import(page, manager, tmp_path):
    log_in(page, "projektledare@exempelstad.se")
    page.get_by_role("link", name="Visa insatser").click()
    page.get_by_role("link", name="Aktivitetsplatsen").click()
    page.get_by_role("link", name="Deltagare", exact=True).click()
    assert_accessible(page)

    page.get_by_role("link", name="Registrera deltagare").click()
    assert_accessible(page)
    page.get_by_label("Egen referens").fill("AP-0100")
    page.get_by_label("Personnummer eller samordningsnummer").fill("19850314-1239")
    page.get_by_label("Startdatum").fill("2025-02-03")
    page.get_by_label("Anmälande part").select_option("af")
    page.get_by_label("Utbildning (högsta avslutade)").select_option("gymnasial")
    page.get_by_label("Försörjningsstöd (ekonomiskt bistånd)").first.check()
    # Consent forgotten first: refused, input kept.
    page.get_by_role("button", name="Spara deltagandet").click()
    expect(page.get_by_text("Deltagaren måste bekräfta samtycket")).to_be_visible()
    assert page.get_by_label("Egen referens").input_value() == "AP-0100"
    assert_accessible(page)
    page.locator("summary", has_text="Samtyckestext").click()
    page.get_by_label("Deltagaren har läst samtyckestexten och bekräftar den").check()
    page.get_by_role("button", name="Spara deltagandet").click()
    expect(page.get_by_text("Deltagandet är sparat.")).to_be_visible()
    assert "19850314" not in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Registrera avslut").click()
    assert_accessible(page)
    page.get_by_label("Slutdatum").fill("2025-09-30")
    page.get_by_label("Avslutsorsak").select_option("studier")
    page.get_by_label("Studiestöd").check()
    page.get_by_role("button", name="Spara avslutet").click()
    expect(page.get_by_text("Avslutet är registrerat.")).to_be_visible()
    assert_accessible(page)
    p = Participation.objects.get(reference="AP-0100")
    assert (p.end_date, p.exit_reason) == (datetime.date(2025, 9, 30), "studier")

    # The consent is shown read-only on the edit form; withdrawing it asks for confirmation.
    page.get_by_role("link", name="Ändra", exact=True).click()
    expect(page.get_by_text("Samtycket ändras inte här")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Avbryt").click()
    page.get_by_role("link", name="Återkalla samtycke …").click()
    assert_accessible(page)
    page.get_by_role("button", name="Återkalla samtycke och avidentifiera").click()
    expect(page.get_by_text("Kryssa i att deltagaren har återkallat sitt samtycke")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Deltagaren har återkallat sitt samtycke. Gör alla deltagarens deltaganden anonyma.").check()
    page.get_by_role("button", name="Återkalla samtycke och avidentifiera").click()
    expect(page.get_by_text("1 deltagande i insatser du har tillgång till är nu anonyma")).to_be_visible()
    assert Participation.objects.get(reference="AP-0100").anonymous

    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Läs in deltagare").click()
    assert_accessible(page)
    bad = tmp_path / "deltagare.csv"
    bad.write_text("insats;referens;anonym;kon;startdatum\naktivitetsplatsen;AN-1;ja;kvinna;2025-02-30\n")
    page.get_by_label("Deltagarfil (.xlsx eller .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Läs in filen").click()
    expect(page.get_by_text("Filen har 1 fel och har inte lästs in")).to_be_visible()
    assert_accessible(page)
    bad.write_text("insats;referens;anonym;kon;startdatum\naktivitetsplatsen;AN-1;ja;kvinna;2025-02-28\n")
    page.get_by_label("Deltagarfil (.xlsx eller .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Läs in filen").click()
    expect(page.get_by_text("1 skapade, 0 uppdaterade, 0 oförändrade")).to_be_visible()
    assert_accessible(page)
    assert Participation.objects.filter(reference="AN-1", anonymous=True).exists()
    assert set(AccessLog.objects.values_list("action", flat=True)) >= {"list", "register", "view", "exit", "import"}


def test_consent_on_the_participants_phone(page, browser, live_server, manager):
    log_in(page, "projektledare@exempelstad.se")
    page.goto("/exempelstad/insatser/aktivitetsplatsen/deltagare/ny/")
    page.get_by_role("button", name="Låt deltagaren samtycka i sin egen telefon").click()
    expect(page.get_by_role("img", name="QR-kod till samtyckessidan")).to_be_visible()
    assert_accessible(page)
    link = page.locator("code").inner_text()

    phone = open_page(browser, live_server.url, viewport={"width": 360, "height": 740})
    phone.goto(link)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)
    phone.get_by_role("button", name="Jag samtycker", exact=True).click()
    expect(phone.get_by_role("heading", name="Tack för ditt svar")).to_be_visible()
    assert_accessible(phone)
    phone.context.close()

    page.get_by_role("link", name="Uppdatera: har deltagaren svarat?").click()
    page.get_by_role("link", name="Registrera deltagaren").click()
    expect(page.get_by_text("Deltagaren samtyckte i sin telefon")).to_be_visible()
    page.get_by_label("Egen referens").fill("AP-0200")
    page.get_by_label("Personnummer eller samordningsnummer").fill("19850314-1239")
    page.get_by_label("Startdatum").fill("2025-02-03")
    page.get_by_role("button", name="Spara deltagandet").click()
    expect(page.get_by_text("Deltagandet är sparat.")).to_be_visible()
    from finsam.participants.models import ConsentRequest

    version = Participation.objects.get(reference="AP-0200").consent_text_version
    assert version == ConsentRequest.objects.get().text_version and version.startswith("2026-2.")
    expect(page.get_by_text(f"samtyckestextens version {version}")).to_be_visible()
