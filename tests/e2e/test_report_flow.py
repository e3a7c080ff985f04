"""An analyst and a board member read the statistics."""

import datetime
from pathlib import Path

import pytest

from finsam.interventions.association_file import apply_association_file
from finsam.participants.importing import import_file
from finsam.tenancy.models import Role, RoleAssignment, User
from tests.conftest import PASSWORD

from .conftest import assert_accessible, log_in, open_page

pytestmark = pytest.mark.e2e
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def loaded(transactional_db):
    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    users = {}
    for role in (Role.ADMIN, Role.ANALYST, Role.READER):
        users[role] = User.objects.create_user(f"{role}@exempelstad.se", password=PASSWORD)
        RoleAssignment.objects.create(user=users[role], association=association, role=role)
    import_file((DATA / "exempel-deltagare.csv").read_bytes(), "d.csv", association=association,
                user=users[Role.ADMIN], interventions=association.interventions.all(), today=datetime.date(2026, 11, 23))
    return users


def test_analyst_reads_and_downloads_the_report(page, loaded):
    log_in(page, "analyst@exempelstad.se")
    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Rapporter", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Period").select_option("custom")
    page.get_by_label("Från och med").fill("2024-01-01")
    page.get_by_label("Till och med").fill("2024-12-31")
    page.get_by_role("button", name="Visa statistik").click()
    exit_table = page.locator("#t-exit_reason table")
    assert "Sjukdom" in exit_table.inner_text() and "21,1" in exit_table.inner_text()
    assert page.get_by_role("img", name="Diagram: Avslutsorsak. Samma uppgifter finns i tabellen nedan.").is_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename == "statistik-exempelstad-2024-01-01-2024-12-31.xlsx"
    # An invalid custom period is explained and the choices are kept.
    page.get_by_label("Till och med").fill("2023-01-01")
    page.get_by_role("button", name="Visa statistik").click()
    assert page.get_by_text("Periodens slut kan inte vara före dess början.").is_visible()
    assert page.get_by_label("Från och med").input_value() == "2024-01-01"
    assert_accessible(page)


def run_the_publish_job(page, title):
    """The analyst is on the publish job's page: the test plays the worker; the page's poll reloads
    it once the job is done, and its link leads to the publication."""
    from finsam.jobs import runner

    page.wait_for_url("**/jobb/*/")
    assert page.get_by_role("heading", name="Publicering av rapport").is_visible()
    assert page.get_by_role("status").inner_text() == "I kö: jobbet startar snart."
    assert_accessible(page)
    runner.run_job(runner.claim_next("e2e"))
    page.get_by_text(f"Rapporten ”{title}” är publicerad.").wait_for(timeout=10000)
    assert_accessible(page)
    page.get_by_role("link", name="Visa den publicerade rapporten").click()
    page.wait_for_url("**/rapporter/publicerade/*/")
    assert page.get_by_role("heading", name=title).is_visible()


def test_analyst_publishes_and_the_board_member_reads_only_the_publication(page, loaded, browser, live_server, settings,
                                                                          tmp_path):
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    settings.FINSAM_JOBS_SYNC = False  # the test plays the worker
    log_in(page, "analyst@exempelstad.se")
    page.goto("/exempelstad/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31")
    page.get_by_text("Publicera den här rapporten för styrelsen").click()
    assert_accessible(page)
    page.get_by_label("Rubrik").fill("Årsredovisning 2024")
    page.get_by_role("button", name="Publicera", exact=True).click()
    run_the_publish_job(page, "Årsredovisning 2024")
    assert "dolt för att skydda enskilda" in page.content()
    assert_accessible(page)

    board = open_page(browser, live_server.url)
    try:
        log_in(board, "reader@exempelstad.se")
        nav = board.get_by_role("navigation", name="Förbundets meny")
        assert nav.get_by_role("link", name="Läs in deltagare").count() == 0
        assert nav.get_by_role("link", name="Rapporter", exact=True).count() == 0
        nav.get_by_role("link", name="Publicerade rapporter").click()
        assert_accessible(board)
        board.get_by_role("link", name="Årsredovisning 2024").click()
        exit_table = board.locator("#t-exit_reason table")
        assert ".." in exit_table.inner_text()
        assert_accessible(board)
        with board.expect_download() as download:
            board.get_by_role("link", name="PDF").click()
        assert download.value.suggested_filename.endswith(".pdf")
        # A report of their own choosing is not for a board member.
        board.goto("/exempelstad/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31")
        assert "Du har inte behörighet" in board.content()
        board.goto("/exempelstad/insatser/novum/deltagare/")
        assert "Du har inte behörighet" in board.content()
    finally:
        board.context.close()


def test_analyst_publishes_with_sections_and_the_board_member_reads_them(page, loaded, browser, live_server, settings,
                                                                         tmp_path):
    """Issue 11: a section per insats, as the annual reports show them, published in the background
    and read by the board."""
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    settings.FINSAM_JOBS_SYNC = False  # the test plays the worker
    log_in(page, "analyst@exempelstad.se")
    page.goto("/exempelstad/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31&sections=on")
    page.get_by_text("Publicera den här rapporten för styrelsen").click()
    publish_form = page.locator("details.publish")
    assert publish_form.get_by_label("Ett avsnitt per insats med tabellerna om bakgrund och resultat").is_checked()
    assert_accessible(page)
    publish_form.get_by_label("Rubrik").fill("Årsredovisning 2024 med insatser")
    publish_form.get_by_role("button", name="Publicera", exact=True).click()
    run_the_publish_job(page, "Årsredovisning 2024 med insatser")
    assert page.get_by_text("Ett avsnitt per insats med tabellerna om bakgrund och resultat").is_visible()

    board = open_page(browser, live_server.url)
    try:
        log_in(board, "reader@exempelstad.se")
        board.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Publicerade rapporter").click()
        assert "Ett avsnitt per insats" in board.get_by_role("row", name="Årsredovisning 2024 med insatser").inner_text()
        assert_accessible(board)
        board.get_by_role("link", name="Årsredovisning 2024 med insatser").click()
        assert board.get_by_text("Ett avsnitt per insats med tabellerna om bakgrund och resultat").is_visible()
        board.get_by_role("link", name="Ålder vid inskrivning – Novum").click()
        section = board.locator('[id="t-age:novum"]')
        assert "Ålder vid inskrivning – Novum" in section.inner_text()
        assert_accessible(board)
    finally:
        board.context.close()
