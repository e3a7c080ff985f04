"""A deltagaransvarig registers a participant without personnummer (pseudonymous, issue 10)."""

import pytest

from finsam.participants.models import Participation

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_register_a_pseudonymous_participant(page, manager):
    log_in(page, "projektledare@exempelstad.se")
    page.get_by_role("link", name="Visa insatser").click()
    page.get_by_role("link", name="Aktivitetsplatsen").click()
    page.get_by_role("link", name="Deltagare", exact=True).click()
    page.get_by_role("link", name="Registrera deltagare").click()
    assert_accessible(page)
    assert page.get_by_label("Med personnummer").is_checked()
    page.get_by_label("Pseudonym (utan personnummer)").check()
    page.get_by_label("Egen referens").fill("PS-0100")
    page.get_by_label("Startdatum").fill("2025-02-03")
    page.get_by_label("Utbildning (högsta avslutade)").select_option("gymnasial")
    # Gender and birth year forgotten: refused with the reasons, input kept.
    page.locator("summary", has_text="Samtyckestext").click()
    page.get_by_label("Deltagaren har läst samtyckestexten och bekräftar den").check()
    page.get_by_role("button", name="Spara deltagandet").click()
    assert page.get_by_text("Kön måste anges för en deltagare utan personnummer.").is_visible()
    assert page.get_by_label("Pseudonym (utan personnummer)").is_checked()
    assert_accessible(page)
    page.get_by_label("Kön", exact=True).select_option("kvinna")
    page.get_by_label("Födelseår").fill("1988")
    page.get_by_label("Deltagaren har läst samtyckestexten och bekräftar den").check()
    page.get_by_role("button", name="Spara deltagandet").click()
    assert page.get_by_text("Deltagandet är sparat.").is_visible()
    assert page.get_by_text("Pseudonym (utan personnummer)").is_visible()
    assert_accessible(page)
    p = Participation.objects.get(reference="PS-0100")
    assert (p.kind, p.person_key, p.gender, p.birth_year, p.education) == ("pseudonymous", "", "kvinna", 1988, "gymnasial")
