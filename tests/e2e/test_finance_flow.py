"""Finance in the browser (issue 13): the budget entered by keyboard, a file with an error and its
Swedish message, the forecast, actuals and settings pages, an insats's own figures for its
deltagaransvarig, and the finance tables in the report; axe-core on every page."""

import datetime

import pytest

from .conftest import assert_accessible, log_in
from .test_report_flow import loaded  # noqa: F401 (the example förbund with its participants)

pytestmark = pytest.mark.e2e


@pytest.fixture
def finance(transactional_db):
    from finsam.interventions.models import Intervention
    from finsam.tenancy.models import Association, Member, Role, RoleAssignment, User
    from tests.conftest import PASSWORD

    association = Association.objects.create(slug="exempelstad", name="Samordningsförbundet Exempelstad")
    Member.objects.create(association=association, kind="fk")
    Member.objects.create(association=association, kind="kommun", municipality_code="0180", name="Exempelstads kommun")
    start = datetime.date(2020, 1, 1)
    own = Intervention.objects.create(association=association, slug="aktivitetsplatsen", name="Aktivitetsplatsen",
                                      start_date=start, kind="individual")
    Intervention.objects.create(association=association, slug="kunskapsdialoger", name="Kunskapsdialoger",
                                start_date=start, kind="structural")
    for name, role in (("analyst", Role.ANALYST), ("admin", Role.ADMIN), ("manager", Role.PARTICIPANT_MANAGER),
                       ("reader", Role.READER)):
        user = User.objects.create_user(f"{name}@exempelstad.se", password=PASSWORD)
        RoleAssignment.objects.create(user=user, association=association, role=role)
        if name == "manager":
            own.assigned_users.add(user)
    return association


def test_analyst_enters_the_budget_by_keyboard(page, finance):
    log_in(page, "analyst@exempelstad.se")
    page.get_by_role("link", name="Ekonomi").click()
    page.wait_for_url("**/exempelstad/ekonomi/")
    assert_accessible(page)
    page.get_by_role("link", name="Budget 2024 med plan för 2025–2026").click()
    page.wait_for_url("**/ekonomi/budget/2024/")
    assert_accessible(page)
    # Every input is reached by its label (post and column); typing and Tab move through the grid.
    page.get_by_label("Medlemsbidrag, Försäkringskassan, Budget 2024", exact=True).focus()
    page.keyboard.type("1 000 000")
    page.keyboard.press("Tab")
    page.keyboard.type("1 050 000")  # the next input in the row: Plan 2025
    assert page.get_by_label("Medlemsbidrag, Försäkringskassan, Plan 2025", exact=True).input_value() == "1 050 000"
    page.get_by_label("Aktivitetsplatsen, Budget 2024", exact=True).fill("400 000,50")
    page.get_by_label("Styrelse, Budget 2024", exact=True).fill("tolv")
    page.get_by_label("Styrelse, Budget 2024", exact=True).press("Enter")
    page.wait_for_load_state()
    assert "är inget belopp" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Styrelse, Budget 2024", exact=True).get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("Styrelse, Budget 2024", exact=True).fill("12 000")
    page.get_by_label("Styrelse, Budget 2024", exact=True).press("Enter")
    page.wait_for_url("**/ekonomi/budget/2024/")
    assert "Sparat: Budget 2024, Plan 2025" in page.locator(".messages").inner_text()
    totals = page.locator("tfoot").inner_text().replace("\u00a0", " ")
    assert "1 000 000 kr" in totals and "587 999,50 kr" in totals  # 1 000 000 − 400 000,50 − 12 000
    assert_accessible(page)


def test_analyst_uploads_a_file_with_an_error_and_reads_the_swedish_message(page, finance, tmp_path):
    bad = tmp_path / "utfall.csv"
    bad.write_text("period;post;belopp\n2024-03;styrelse;tolv\n2024-03;okand;5\n", encoding="utf-8")
    log_in(page, "analyst@exempelstad.se")
    page.goto("/exempelstad/ekonomi/las-in/utfall/")
    assert_accessible(page)
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary").inner_text()
    assert "har inte lästs in" in summary and "tolv" in summary and "är ingen post" in summary
    assert_accessible(page)
    good = tmp_path / "utfall2.csv"
    good.write_text("period;post;belopp\n2024-03;styrelse;1500\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_load_state()
    assert "Förhandsgranskning av utfall2.csv" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Läs in utfall2.csv").click()
    page.wait_for_load_state()
    assert "Utfallsfilen är inläst" in page.locator(".messages").inner_text()


@pytest.mark.parametrize("path", [
    "/exempelstad/ekonomi/prognos/2024/?prognosdatum=2024-06-30",
    "/exempelstad/ekonomi/utfall/2024/3/",
    "/exempelstad/ekonomi/las-in/budget/",
    "/exempelstad/ekonomi/installningar/",
    "/exempelstad/ekonomi/insatser/aktivitetsplatsen/",
])
@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_each_finance_page_is_accessible_to_each_role_that_reaches_it(page, finance, path, role):
    log_in(page, f"{role}@exempelstad.se")
    page.goto(path)
    assert page.locator("h1").is_visible()
    assert_accessible(page)


def test_admin_saves_the_settings(page, finance):
    log_in(page, "admin@exempelstad.se")
    page.goto("/exempelstad/ekonomi/installningar/")
    page.get_by_label("Belopp visas i").select_option("kr")
    page.get_by_label("Ett belopp").check()
    page.get_by_label("Tak, belopp i kronor").fill("2 500 000")
    page.get_by_label("Administration högst, procent av kostnaderna").fill("10")
    page.get_by_label("Fördelningsnyckel Exempelstads kommun").fill("100")
    page.get_by_role("button", name="Spara inställningarna").click()
    page.wait_for_load_state()
    assert "Ekonomiinställningarna är sparade" in page.locator(".messages").inner_text()
    assert page.get_by_label("Tak, belopp i kronor").input_value() == "2 500 000"
    assert_accessible(page)


def test_deltagaransvarig_sees_the_own_insats_only(page, finance):
    log_in(page, "manager@exempelstad.se")
    page.get_by_role("link", name="Ekonomi").click()
    page.wait_for_url("**/exempelstad/ekonomi/")
    main = page.locator("main").inner_text()
    assert "Aktivitetsplatsen" in main and "Kunskapsdialoger" not in main and "Budget 2024" not in main
    assert_accessible(page)
    page.get_by_role("link", name="Aktivitetsplatsen").click()
    page.wait_for_url("**/ekonomi/insatser/aktivitetsplatsen/")
    assert_accessible(page)


def test_laesare_has_no_finance_link(page, finance):
    log_in(page, "reader@exempelstad.se")
    assert page.get_by_role("link", name="Ekonomi").count() == 0


@pytest.fixture
def finance_loaded(loaded):  # noqa: F811
    from finsam.finance.services import import_actuals, import_budget
    from finsam.interventions.association_file import apply_association_file
    from finsam.tenancy.models import Association
    from finsam.tenancy.scope import Scope
    from tests.conftest import DATA

    apply_association_file((DATA / "exempel-forbund-ekonomi.json").read_bytes())
    association = Association.objects.get(slug="exempelstad")
    with Scope.of(association).activate():
        import_budget(association, (DATA / "exempel-budget.csv").read_bytes(), filename="exempel-budget.csv")
        import_actuals(association, (DATA / "exempel-utfall.csv").read_bytes(), filename="exempel-utfall.csv",
                       today=datetime.date(2026, 11, 23))
    return loaded


def test_analyst_reads_the_finance_tables_in_the_report_in_tkr_and_kr(page, finance_loaded):
    log_in(page, "analyst@exempelstad.se")
    page.goto("/exempelstad/rapporter/")
    page.get_by_label("Period").select_option("custom")
    page.get_by_label("Från och med").fill("2024-01-01")
    page.get_by_label("Till och med").fill("2024-12-31")
    page.get_by_role("button", name="Visa statistik").click()
    page.wait_for_load_state()
    for title in ("Budget och utfall per insats", "Resultaträkning", "Balansräkning", "Kassaflödesanalys",
                  "Kontroller"):
        assert page.get_by_role("heading", name=title, exact=True).is_visible()
    table = page.locator("#t-budget_actual_by_intervention table").inner_text()
    assert "tkr" in table and "Aktivitetsplatsen" in table
    assert page.get_by_role("img", name="Diagram: Budget och utfall per insats. Samma uppgifter finns i tabellen nedan.").is_visible()
    assert_accessible(page)
    page.get_by_label("Belopp i").select_option("kr")
    page.get_by_role("button", name="Visa statistik").click()
    page.wait_for_load_state()
    assert "\u00a0kr" in page.locator("#t-budget_actual_by_intervention table").inner_text()
    assert "tkr" not in page.locator("#t-budget_actual_by_intervention table").inner_text()
    assert_accessible(page)
