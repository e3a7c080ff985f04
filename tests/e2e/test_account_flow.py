"""An administrator creates a colleague, who must choose their own password at first login."""

import pytest

from finsam.tenancy.models import Association, Role, RoleAssignment, User
from tests.conftest import PASSWORD

from .conftest import assert_accessible, log_in, open_page

pytestmark = pytest.mark.e2e

START_PASSWORD = "Ett-startlösenord-från-Alva"
OWN_PASSWORD = "Petras-egen-fras-om-kaffe-och-hav"


@pytest.fixture
def admin(transactional_db):
    association = Association.objects.create(slug="exempelstad", name="Samordningsförbundet Exempelstad")
    user = User.objects.create_user("admin@exempelstad.se", password=PASSWORD, first_name="Alva")
    RoleAssignment.objects.create(user=user, association=association, role=Role.ADMIN)
    return user


def test_new_user_chooses_own_password_at_first_login(page, admin, browser, live_server):
    log_in(page, "admin@exempelstad.se")
    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Användare").click()
    page.get_by_role("link", name="Lägg till användare").click()
    page.get_by_label("Användarnamn").fill("admin@exempelstad.se")
    page.get_by_label("Startlösenord").fill(START_PASSWORD)
    page.get_by_label("Analytiker").check()
    page.get_by_role("button", name="Spara").click()
    # A name in use: one message, whoever holds it.
    assert page.get_by_text("Användarnamnet går inte att använda.").is_visible()
    assert page.get_by_label("Användarnamn").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("Användarnamn").fill("petra@exempelstad.se")
    page.get_by_label("Startlösenord").fill(START_PASSWORD)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/exempelstad/anvandare/")
    assert User.objects.get(username="petra@exempelstad.se").must_change_password

    petra = open_page(browser, live_server.url)
    try:
        petra.goto("/konto/logga-in/")
        petra.get_by_label("Användarnamn").fill("petra@exempelstad.se")
        petra.get_by_label("Lösenord").fill(START_PASSWORD)
        petra.get_by_role("button", name="Logga in").click()
        petra.wait_for_url("**/konto/losenord/")
        assert petra.get_by_text("Ditt lösenord har valts av en administratör").is_visible()
        assert_accessible(petra)

        petra.get_by_label("Gammalt lösenord").fill(START_PASSWORD)
        petra.get_by_label("Nytt lösenord (obligatoriskt)", exact=True).fill(OWN_PASSWORD)
        petra.get_by_label("Bekräfta nytt lösenord").fill(OWN_PASSWORD + "!")
        petra.get_by_role("button", name="Byt lösenord").click()
        assert petra.get_by_text("De två lösenordsfälten stämmer inte överens.").is_visible()
        assert petra.get_by_label("Bekräfta nytt lösenord").get_attribute("aria-invalid") == "true"
        assert_accessible(petra)
        # Every other page waits for the change.
        petra.goto("/exempelstad/")
        petra.wait_for_url("**/konto/losenord/")

        petra.get_by_label("Gammalt lösenord").fill(START_PASSWORD)
        petra.get_by_label("Nytt lösenord (obligatoriskt)", exact=True).fill(OWN_PASSWORD)
        petra.get_by_label("Bekräfta nytt lösenord").fill(OWN_PASSWORD)
        petra.get_by_role("button", name="Byt lösenord").click()
        petra.wait_for_url("**/exempelstad/")
        assert petra.get_by_text("Ditt lösenord är bytt.").is_visible()
        assert_accessible(petra)
        petra.get_by_role("navigation", name="Konto").get_by_role("link", name="Byt lösenord").click()
        petra.wait_for_url("**/konto/losenord/")
        assert_accessible(petra)
    finally:
        petra.context.close()
    assert not User.objects.get(username="petra@exempelstad.se").must_change_password
