"""Issue 10 in the browser: a deltagaransvarig is warned of a duplicate and confirms it, registers
the next participant with the insats and date kept, reopens a mistaken exit, sees the fields an
anonymous registration does not keep hidden, and marks and deletes a mistaken anonymous row."""

import datetime

import pytest

from finsam.audit.models import AccessLog
from finsam.participants.models import Participation
from tests.conftest import make_participation

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def _fill_identified(page, referens, personnummer, start):
    page.get_by_label("Egen referens").fill(referens)
    page.get_by_label("Personnummer eller samordningsnummer").fill(personnummer)
    page.get_by_label("Startdatum").fill(start)
    page.locator("summary", has_text="Samtyckestext").click()
    page.get_by_label("Deltagaren har läst samtyckestexten och bekräftar den").check()


def test_duplicate_warning_next_registration_and_reopening(page, manager):  # noqa: F811
    intervention = manager.assigned_interventions.get()
    make_participation(intervention, "AP-0001", personnummer="19850314-1239", start_date=datetime.date(2025, 1, 10))
    log_in(page, "projektledare@exempelstad.se")
    page.goto("/exempelstad/insatser/aktivitetsplatsen/deltagare/ny/")

    # The same person is ongoing: not saved, the existing participation is named, then confirmed.
    _fill_identified(page, "AP-0002", "19850314-1239", "2025-03-03")
    page.get_by_role("button", name="Spara deltagandet").click()
    assert page.get_by_role("heading", name="Deltagandet kan redan vara registrerat").is_visible()
    assert page.get_by_role("link", name="Deltagande AP-0001").is_visible()
    assert not Participation.objects.filter(reference="AP-0002").exists()
    assert_accessible(page)
    page.locator("summary", has_text="Samtyckestext").click()
    page.get_by_label("Deltagaren har läst samtyckestexten och bekräftar den").check()
    page.get_by_label("Spara ändå: det är ett nytt deltagande för samma person").check()
    # "Spara och registrera nästa": a new empty form in the same insats, the start date kept.
    page.get_by_role("button", name="Spara och registrera nästa").click()
    assert page.get_by_text("Deltagandet är sparat. Registrera nästa deltagare").is_visible()
    assert page.get_by_label("Startdatum").input_value() == "2025-03-03"
    assert page.get_by_label("Egen referens").input_value() == ""
    assert page.get_by_role("heading", name="Registrera deltagare i Aktivitetsplatsen").is_visible()
    assert_accessible(page)
    assert Participation.objects.filter(reference="AP-0002", end_date__isnull=True).exists()

    # An exit registered by mistake is reopened.
    page.goto(f"/exempelstad/insatser/aktivitetsplatsen/deltagare/{Participation.objects.get(reference='AP-0001').pk}/")
    page.get_by_role("link", name="Registrera avslut").click()
    page.get_by_label("Slutdatum").fill("2025-04-30")
    page.get_by_label("Avslutsorsak").select_option(label="Studier")
    page.get_by_label("Studiestöd").check()
    page.get_by_role("button", name="Spara avslutet").click()
    page.get_by_role("link", name="Återöppna deltagandet").click()
    assert_accessible(page)
    page.get_by_role("button", name="Återöppna deltagandet").click()
    assert page.get_by_text("Kryssa i att du bekräftar ändringen").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Jag bekräftar ändringen").check()
    page.get_by_role("button", name="Återöppna deltagandet").click()
    assert page.get_by_text("Deltagandet är återöppnat").is_visible()
    assert page.get_by_role("cell", name="Återöppnad").is_visible()
    assert page.get_by_text("Avslutsorsak: Studier → –").is_visible()
    assert_accessible(page)
    p = Participation.objects.get(reference="AP-0001")
    assert (p.end_date, p.exit_reason) == (None, "")
    assert AccessLog.objects.filter(action="reopen").exists()


def test_anonymous_hides_fields_then_mistake_marked_and_deleted(page, manager):  # noqa: F811
    log_in(page, "projektledare@exempelstad.se")
    page.goto("/exempelstad/insatser/aktivitetsplatsen/deltagare/ny/")
    education = page.get_by_label("Utbildning (högsta avslutade)")
    assert education.is_visible()
    page.get_by_label("Anonym", exact=True).check()
    assert education.is_hidden() and page.get_by_label("Personnummer eller samordningsnummer").is_hidden()
    assert page.get_by_role("status").filter(has_text="Fält som en anonym registrering inte sparar är dolda").count() == 1
    assert_accessible(page)
    page.get_by_label("Pseudonym (utan personnummer)").check()
    assert education.is_visible() and page.get_by_label("Personnummer eller samordningsnummer").is_hidden()
    assert page.get_by_role("status").filter(has_text="en pseudonym registrering har inget personnummer").count() == 1
    page.get_by_label("Med personnummer").check()
    assert education.is_visible() and page.get_by_label("Personnummer eller samordningsnummer").is_visible()
    education.select_option(label="Gymnasial")
    page.get_by_label("Anonym", exact=True).check()
    page.get_by_label("Egen referens").fill("AN-7")
    page.get_by_label("Kön").select_option(label="Kvinna")
    page.get_by_label("Startdatum").fill("2025-02-03")
    page.get_by_role("button", name="Spara deltagandet").click()
    assert page.get_by_text("Deltagandet är sparat.").is_visible()
    p = Participation.objects.get(reference="AN-7")
    assert p.anonymous and p.education == ""

    page.get_by_role("link", name="Markera som felregistrering").click()
    page.get_by_label("Jag bekräftar ändringen").check()
    page.get_by_role("button", name="Markera som felregistrering").click()
    assert page.get_by_text("Deltagandet är markerat som felregistrering").is_visible()
    assert_accessible(page)
    assert Participation.objects.get(reference="AN-7").exit_reason == "felregistrering"

    page.get_by_role("link", name="Ta bort deltagandet").click()
    assert_accessible(page)
    page.get_by_label("Varför tas deltagandet bort?").fill("Registrerad i fel insats")
    page.get_by_label("Ta bort deltagandet och dess historik. Det går inte att ångra.").check()
    page.get_by_role("button", name="Ta bort deltagandet").click()
    assert page.get_by_text("Deltagandet är borttaget.").is_visible()
    assert_accessible(page)
    assert not Participation.objects.filter(reference="AN-7").exists()
    assert AccessLog.objects.get(action="delete").subject.endswith("borttaget: Registrerad i fel insats")
