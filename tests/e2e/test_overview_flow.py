"""The start page (Översikt) for each role, in both privacy models, and the user guide; axe on
every page. "Today" is 30 September 2024 (the example förbund's data ends in December 2024)."""

import datetime
from pathlib import Path

import pytest

from finsam.interventions.association_file import apply_association_file
from finsam.participants import quality
from finsam.participants.importing import import_file
from finsam.reports.publishing import publish_report
from finsam.tenancy.models import Association, PrivacyModel, Role, RoleAssignment, User
from finsam.tenancy.permissions import Access
from tests.conftest import PASSWORD

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.e2e
DATA = Path(__file__).parent.parent / "data"
TODAY = datetime.date(2024, 9, 30)


@pytest.fixture(params=[PrivacyModel.MEMBERS, PrivacyModel.ASSOCIATION])
def loaded(request, transactional_db, monkeypatch):
    monkeypatch.setattr(quality, "today", lambda: TODAY)
    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    association.privacy_model = request.param
    if request.param == PrivacyModel.ASSOCIATION:
        association.legal_basis = "Förbundets beslut om behandling för uppföljning"
        association.legal_basis_decided_on = datetime.date(2024, 1, 15)
    association.save()
    users = {}
    for role in (Role.ADMIN, Role.PARTICIPANT_MANAGER, Role.READER):
        users[role] = User.objects.create_user(f"{role}@exempelstad.se", password=PASSWORD)
        RoleAssignment.objects.create(user=users[role], association=association, role=role)
    association.interventions.get(slug="aktivitetsplatsen").assigned_users.add(users[Role.PARTICIPANT_MANAGER])
    import_file((DATA / "exempel-deltagare.csv").read_bytes(), "d.csv", association=association,
                user=users[Role.ADMIN], interventions=association.interventions.all(), today=datetime.date(2026, 11, 23))
    return association, users


def _year_table(page):
    return page.get_by_role("table", name="Deltagare i år och förra året")


def test_admin_overview(page, loaded):
    association, users = loaded
    log_in(page, f"{Role.ADMIN}@exempelstad.se")
    table = _year_table(page)
    assert table.get_by_role("row", name="Hela förbundet").is_visible()
    assert "162" in table.get_by_role("row", name="Hela förbundet").inner_text()  # ongoing on 30 Sep 2024
    goals = page.get_by_role("table", name="Måluppfyllelse per insats hittills i år")
    assert "Risk" in goals.inner_text() and "Ej i fas" in goals.inner_text()
    warnings = page.get_by_role("region", name="Att kontrollera")
    linked = Access.for_user(users[Role.ADMIN], association)
    may_see_rows = association.interventions.with_participant_access(linked).filter(slug="novum").exists()
    link = warnings.get_by_role("link", name="Avslutade utan försörjning vid avslut: 7")
    assert link.count() == (2 if may_see_rows else 0)  # IPS and Novum
    assert warnings.get_by_text("Avslutade utan försörjning vid avslut: 7").count() == 2
    assert_accessible(page)


def test_manager_overview_report_and_warning_rows(page, loaded):
    log_in(page, f"{Role.PARTICIPANT_MANAGER}@exempelstad.se")
    table = _year_table(page)
    assert "Aktivitetsplatsen" in table.inner_text() and "Novum" not in table.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Pågående i mer än 24 månader: 3").click()
    page.wait_for_url("**/deltagare/?status=ongoing&varning=lang-tid")
    assert page.get_by_role("table", name="Deltaganden (3)").is_visible()
    assert_accessible(page)
    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Rapporter", exact=True).click()
    assert page.get_by_role("checkbox", name="Aktivitetsplatsen").is_visible()
    assert page.get_by_role("checkbox", name="Novum").count() == 0
    page.get_by_label("Period").select_option("custom")
    page.get_by_label("Från och med").fill("2024-01-01")
    page.get_by_label("Till och med").fill("2024-12-31")
    page.get_by_role("button", name="Visa statistik").click()
    assert "Aktivitetsplatsen" in page.locator("#t-flow table").inner_text()
    assert "Novum" not in page.locator("#t-flow table").inner_text()
    assert_accessible(page)


def test_reader_overview_from_published_reports_only(page, loaded):
    association, users = loaded
    log_in(page, f"{Role.READER}@exempelstad.se")
    assert page.get_by_text("Ingen rapport för i år är publicerad ännu").is_visible()
    assert page.get_by_role("region", name="Att kontrollera").count() == 0
    assert_accessible(page)
    publish_report(Association.objects.get(pk=association.pk), date_from=datetime.date(2024, 1, 1),
                   date_to=datetime.date(2024, 6, 30), interventions=[], title="Delårsrapport 2024",
                   user=users[Role.ADMIN])
    page.reload()
    assert page.get_by_role("link", name="”Delårsrapport 2024”").is_visible()
    assert _year_table(page).get_by_role("row", name="Hela förbundet").is_visible()
    assert_accessible(page)


def test_user_guide_from_the_login_page(page, live_server):
    page.goto("/konto/logga-in/")
    page.get_by_role("link", name="användarguiden").click()
    page.wait_for_url("**/hjalp/")
    assert page.get_by_role("heading", name="Användarguide", level=1).is_visible()
    contents = page.get_by_role("navigation", name="Innehåll")
    contents.get_by_role("link", name="Översikt").click()
    assert page.url.endswith("#oversikt")
    assert_accessible(page)
    page.goto("/hjalp/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
