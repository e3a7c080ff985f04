"""An administrator logs in, looks around, creates an insats (with a mistake first)."""

import pytest

from finsam.interventions.models import Intervention
from finsam.tenancy.models import Association, Member, Role, RoleAssignment, User
from tests.conftest import PASSWORD

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin(transactional_db):
    association = Association.objects.create(slug="exempelstad", name="Samordningsförbundet Exempelstad")
    Member.objects.create(association=association, kind="fk")
    user = User.objects.create_user("admin@exempelstad.se", password=PASSWORD, first_name="Alva")
    RoleAssignment.objects.create(user=user, association=association, role=Role.ADMIN)
    return user


def test_admin_creates_an_intervention(page, admin):
    page.goto("/")
    assert page.url.endswith("/konto/logga-in/?next=/")
    assert_accessible(page)

    page.get_by_label("Användarnamn").fill("admin@exempelstad.se")
    page.get_by_label("Lösenord").fill("fel lösenord")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_text("Fel användarnamn eller lösenord").is_visible()
    assert_accessible(page)

    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/exempelstad/")
    assert page.get_by_role("heading", level=1).inner_text() == "Samordningsförbundet Exempelstad"
    assert_accessible(page)

    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Insatser").click()
    page.wait_for_url("**/exempelstad/insatser/")
    assert_accessible(page)

    page.get_by_role("link", name="Ny insats").click()
    assert_accessible(page)
    page.get_by_label("Namn (obligatoriskt)", exact=True).fill("Unga till arbete")
    page.get_by_label("Kortnamn").fill("unga-till-arbete")
    page.get_by_label("Individinriktad").check()
    page.get_by_label("Startdatum").fill("2025-03-01")
    page.get_by_label("Slutdatum").fill("2025-01-01")
    page.get_by_label("Unga vuxna 16–29 år i behov av samordnat stöd").check()
    page.get_by_role("button", name="Spara insatsen").click()

    # The mistake is explained next to the field, and everything typed is still there.
    assert page.get_by_text("Slutdatum kan inte vara före startdatum.").is_visible()
    assert page.get_by_label("Namn (obligatoriskt)", exact=True).input_value() == "Unga till arbete"
    assert page.get_by_label("Unga vuxna 16–29 år i behov av samordnat stöd").is_checked()
    assert page.get_by_label("Slutdatum").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.get_by_label("Slutdatum").fill("2026-12-31")
    page.get_by_role("button", name="Spara insatsen").click()
    page.wait_for_url("**/exempelstad/insatser/unga-till-arbete/")
    assert page.get_by_text("Insatsen Unga till arbete är sparad.").is_visible()
    assert_accessible(page)
    assert Intervention.objects.get(slug="unga-till-arbete").target_groups == ["unga_vuxna"]

    for url in ["/exempelstad/medlemmar/", "/exempelstad/anvandare/", "/exempelstad/installningar/",
                "/exempelstad/anvandare/ny/", "/exempelstad/forbundsfil/", "/tillganglighet/"]:
        page.goto(url)
        assert_accessible(page)


def test_keyboard_and_small_screens(page, admin):
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("admin@exempelstad.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/exempelstad/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Reflow (WCAG 1.4.10): no horizontal scrolling at 320 CSS pixels.
    page.set_viewport_size({"width": 320, "height": 640})
    for url in ["/exempelstad/", "/exempelstad/insatser/ny/"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
