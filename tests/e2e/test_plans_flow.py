"""The plan pages (issue 14) for administratör and analytiker: the tree, creating a plan, a
målområde, a goal, an indicator with the metric picker, a manual result and an assessment; axe on
every page; the start page's plan section; a läsare is refused."""

import datetime
from pathlib import Path

import pytest

from finsam.interventions.association_file import apply_association_file
from finsam.participants.importing import import_file
from finsam.plans.models import Indicator, Plan
from finsam.tenancy.models import Role, RoleAssignment, User
from tests.conftest import PASSWORD

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.e2e
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def loaded(transactional_db):
    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    apply_association_file((DATA / "exempel-plan-2024.json").read_bytes())
    users = {}
    for role in (Role.ADMIN, Role.ANALYST, Role.READER):
        users[role] = User.objects.create_user(f"{role}@exempelstad.se", password=PASSWORD)
        RoleAssignment.objects.create(user=users[role], association=association, role=role)
    import_file((DATA / "exempel-deltagare.csv").read_bytes(), "d.csv", association=association,
                user=users[Role.ADMIN], interventions=association.interventions.all(), today=datetime.date(2026, 11, 23))
    return association, users


def test_analyst_builds_a_plan_through_the_pages(page, loaded):
    association, _ = loaded
    log_in(page, f"{Role.ANALYST}@exempelstad.se")
    page.get_by_role("link", name="Verksamhetsplan", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Verksamhetsplan 2024").click()
    assert page.get_by_role("heading", name="Målområde: Insatsernas mål").is_visible()
    assert "Minst 40" in page.get_by_role("table", name="Indikatorer för målet Aktivitetsplatsen").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Resultat (1) för Minst 80 % av personal, chefer och styrelse upplever att det finns strukturer för samverkan").click()
    assert_accessible(page)
    # the insats page lists its goals from the plan and leads to the plan's form to change one
    page.goto(f"/{association.slug}/insatser/aktivitetsplatsen/")
    goals = page.get_by_role("table", name="Mål för Aktivitetsplatsen")
    assert "Minst 40" in goals.inner_text() and "Verksamhetsplan 2024" in goals.inner_text()
    assert_accessible(page)
    goals.get_by_role("link", name="Ändra 40 nya deltagare, Verksamhetsplan 2024").click()
    assert page.get_by_role("heading", name="Ändra indikatorn 40 nya deltagare").is_visible()
    assert page.get_by_label("Kortnamn").input_value() == "new_count"
    assert_accessible(page)
    page.goto(f"/{association.slug}/verksamhetsplan/")
    page.get_by_role("link", name="Ny verksamhetsplan").click()
    assert_accessible(page)
    page.get_by_label("Nyckel").fill("vp-2025")
    page.get_by_label("Namn").fill("Verksamhetsplan 2025")
    page.get_by_label("Från år").fill("2025")
    page.get_by_label("Till år").fill("2025")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("heading", name="Verksamhetsplan 2025").is_visible()
    page.get_by_role("link", name="Nytt målområde").click()
    assert_accessible(page)
    page.get_by_label("Nyckel").fill("individ")
    page.get_by_label("Namn").fill("Individ")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Förbundets bedömning av Individ").click()
    assert_accessible(page)
    page.get_by_label("Förbundets bedömning").select_option(label="God")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Nytt mål i Individ").click()
    assert_accessible(page)
    page.get_by_label("Nyckel").fill("stod")
    page.get_by_label("Namn").fill("Fler får stöd")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Ny indikator för Fler får stöd").click()
    assert_accessible(page)
    page.get_by_label("Kortnamn").fill("arbete")
    page.get_by_label("Indikator (obligatoriskt)", exact=True).fill("Minst 30 % till arbete eller studier")
    page.get_by_label("Mått").select_option(label="Andel avslutade till arbete eller studier")
    page.get_by_label("Mål", exact=True).fill("300")  # a share over 100 %: refused with the file's rule
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_text("mellan 0 och 1").is_visible()
    assert_accessible(page)
    page.get_by_label("Mål", exact=True).fill("30")
    page.get_by_role("button", name="Spara").click()
    assert "Minst 30" in page.get_by_role("table", name="Indikatorer för målet Fler får stöd").inner_text()
    assert_accessible(page)
    indicator = Indicator.objects.get(goal__focus_area__plan__key="vp-2025", key="arbete")
    assert indicator.target == {"type": "at_least", "value": 0.3}
    assert indicator.metric == {"source": "participants", "key": "share_work_or_study"}
    assert Plan.objects.filter(association=association).count() == 2


def test_admin_sees_the_plan_on_the_start_page_and_a_reader_is_refused(page, loaded):
    association, _ = loaded
    log_in(page, f"{Role.ADMIN}@exempelstad.se")
    page.goto(f"/{association.slug}/")  # today's year has no plan: the section is left out
    assert page.get_by_role("table", name="Måluppfyllelse per målområde hittills i år").count() == 0
    assert_accessible(page)
    page.goto(f"/{association.slug}/verksamhetsplan/")
    assert_accessible(page)
    page.context.clear_cookies()
    log_in(page, f"{Role.READER}@exempelstad.se")
    response = page.goto(f"/{association.slug}/verksamhetsplan/")
    assert response.status == 403
    assert page.get_by_role("link", name="Verksamhetsplan", exact=True).count() == 0


def test_the_report_shows_the_plan_with_labels_and_a_published_one_masks_it(page, loaded):
    from finsam.reports.publishing import publish_report

    association, users = loaded
    log_in(page, f"{Role.ANALYST}@exempelstad.se")
    page.goto(f"/{association.slug}/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31")
    area = page.get_by_role("table", name="Målområde: Insatsernas mål")
    text = area.inner_text()
    assert "Minst 40" in text and "Godtagbart" in text and "godtagbart" not in text
    assert "I fas" in text  # Novum's project goal before 2025-12-31
    assert "Ej uppfyllt" in page.get_by_role("table", name="Måluppfyllelse per målområde").inner_text()
    assert_accessible(page)
    published = publish_report(association, date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 12, 31),
                               interventions=[], title="Årsrapport 2024", user=users[Role.ANALYST])
    page.context.clear_cookies()
    log_in(page, f"{Role.READER}@exempelstad.se")
    page.goto(f"/{association.slug}/rapporter/publicerade/{published.pk}/")
    assert page.get_by_role("table", name="Måluppfyllelse per målområde").is_visible()
    assert_accessible(page)
