"""Indicator surveys in Chromium (issue 12): a respondent answers on a phone by keyboard only, in
Swedish, Lättläst and English, with back and review; the pages reflow at 320 px; staff type in a
paper form; every survey staff page is visited by each role that reaches it. axe on every page."""

import datetime

import pytest

from .conftest import assert_accessible, log_in, open_page

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def surveyed(transactional_db):
    from finsam.interventions.models import Intervention
    from finsam.surveys.models import Round
    from finsam.surveys.questions import load_question_set
    from finsam.tenancy.models import Association, Role, RoleAssignment, User
    from finsam.tenancy.scope import Scope
    from tests.conftest import DATA, PASSWORD

    association = Association.objects.create(slug="exempelstad", name="Samordningsförbundet Exempelstad")
    with Scope.of(association).activate():
        insats = Intervention.objects.create(association=association, slug="aktivitetsplatsen", name="Aktivitetsplatsen",
                                             start_date=datetime.date(2020, 1, 1))
        for username, role in (("admin", Role.ADMIN), ("analyst", Role.ANALYST), ("manager", Role.PARTICIPANT_MANAGER)):
            user = User.objects.create_user(f"{username}@exempelstad.se", password=PASSWORD)
            RoleAssignment.objects.create(user=user, association=association, role=role)
            if username == "manager":
                insats.assigned_users.add(user)
        load_question_set((DATA / "exempel-fragor-v2.json").read_bytes(), association)
        User.objects.create_user("system@finsam.local", password=PASSWORD, is_superuser=True)
        question_set = association.question_sets.get()
        common = dict(association=association, question_set=question_set, date_from=datetime.date(2026, 1, 1),
                      date_to=datetime.date(2026, 12, 31))
        rounds = {
            "deltagare": Round.objects.create(key="deltagare", title="Deltagare vid avslut 2026", status="oppen",
                                              respondent_group="deltagare_avslut", intervention=insats, **common),
            "utkast": Round.objects.create(key="utkast", title="Utkast 2026", status="utkast",
                                           respondent_group="insatspersonal", intervention=insats, **common),
            "styrelse": Round.objects.create(key="styrelse", title="Styrelsen 2026", status="oppen",
                                             respondent_group="styrelse", codes_required=True, **common),
            "stangd": Round.objects.create(key="stangd", title="Stängd 2026", status="stangd",
                                           respondent_group="deltagare_pagaende", intervention=insats, **common),
        }
    return association, rounds


def tab_to(page, selector, limit=40):
    """Press Tab until the focused element matches ``selector`` (keyboard only, as a user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def enter(page):
    """Press Enter on the focused control and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("language, lang, first_question, next_label, submit_label, thanks", [
    ("sv", "sv", "Passar stödet du får det du själv behöver?", "Nästa", "Skicka", "Tack för dina svar!"),
    ("sv-lattlast", "sv", "Får du den hjälp du behöver?", "Nästa", "Skicka", "Tack!"),
    ("en", "en", "Does the support you get fit what you need?", "Next", "Submit", "Thank you for your answers!"),
])
def test_a_respondent_answers_on_a_phone_by_keyboard(browser, live_server, surveyed, language, lang, first_question,
                                                     next_label, submit_label, thanks):
    association, rounds = surveyed
    round = rounds["deltagare"]
    page = open_page(browser, live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page.goto(f"/exempelstad/enkat/{round.token}/")
        assert_accessible(page)
        if language != "sv":
            # The language chooser, by keyboard: Tab to the link and press Enter.
            name = {"sv-lattlast": "Lättläst svenska", "en": "English"}[language]
            tab_to(page, f'.enkat-languages a[href="?sprak={language}"]')
            enter(page)
            assert page.locator("html").get_attribute("lang") == lang
            assert page.get_by_role("link", name=name).get_attribute("aria-current") == "true"
            assert_accessible(page)
        tab_to(page, "button.enkat-next")
        enter(page)
        page.wait_for_url("**/fraga/1/")
        assert page.locator("legend").inner_text() == first_question
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("table").count() == 0
        # Every answer option is a target of at least 44 px.
        heights = page.eval_on_selector_all(".enkat-options label", "ls => ls.map(l => l.getBoundingClientRect().height)")
        assert heights and min(heights) >= 44
        assert no_horizontal_scroll(page)
        assert_accessible(page)
        # Question 1: Tab into the radio group, Space picks the focused (first) option; Enter sends.
        tab_to(page, 'input[type="radio"]')
        page.keyboard.press("Space")
        tab_to(page, "button.enkat-next")
        enter(page)
        page.wait_for_url("**/fraga/2/")
        assert_accessible(page)
        # Question 2: the arrow key moves to the second option; then back to question 1 (Föregående).
        tab_to(page, 'input[type="radio"]')
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        tab_to(page, "button.enkat-previous")
        enter(page)
        page.wait_for_url("**/fraga/1/")
        assert page.locator('input[type="radio"]').first.is_checked()
        # Forward through the rest without answering (all optional).
        for number in range(1, 7):
            tab_to(page, "button.enkat-next")
            enter(page)
        page.wait_for_url("**/granska/")
        assert_accessible(page)
        main = page.locator("main").inner_text()
        assert first_question in main
        # Change question 2 from the review, by keyboard, and come back to the review.
        tab_to(page, 'a[href*="fraga/2/"]')
        enter(page)
        page.wait_for_url("**/fraga/2/**")
        assert page.locator('input[type="radio"]').nth(1).is_checked()
        tab_to(page, 'input[type="radio"]')
        page.keyboard.press("ArrowDown")  # the third option
        tab_to(page, "button.enkat-next")
        enter(page)
        page.wait_for_url("**/granska/")
        tab_to(page, "button.enkat-next")
        assert page.evaluate("document.activeElement.textContent.trim()") == submit_label
        enter(page)
        page.wait_for_url("**/tack/**")
        assert page.get_by_role("heading", level=1).inner_text() == thanks
        assert_accessible(page)
        assert next_label
    finally:
        page.context.close()
    from finsam.surveys.models import Answer, Response

    response = Response.objects.get()
    assert (response.language, response.channel) == (language, "webb")
    assert dict(Answer.objects.values_list("question__key", "step")) == {"d01": "mycket_stor", "d02": "liten"}


def test_code_board_page_and_closed_round_are_accessible(page, surveyed):
    from finsam.surveys import services
    from finsam.tenancy.scope import Scope

    association, rounds = surveyed
    with Scope.of(association).activate():
        code = services.issue_codes(rounds["styrelse"], 1)[0]
    page.goto(f"/exempelstad/enkat/{rounds['stangd'].token}/")
    assert "Enkäten är stängd." in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"/exempelstad/enkat/{rounds['styrelse'].token}/")
    assert_accessible(page)
    page.get_by_label("Din kod").fill("FELKOD99")
    with page.expect_navigation():
        page.get_by_role("button", name="Börja").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Din kod").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("Din kod").fill(code.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Börja").click()
    assert page.locator("fieldset").count() >= 2 and page.locator("table").count() == 0  # all on one page
    assert_accessible(page)
    page.locator("fieldset").first.get_by_role("radio").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Granska dina svar").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tack för dina svar!"


@pytest.mark.parametrize("width", [320, 640])
def test_respondent_pages_reflow_at_320_px_and_200_percent_zoom(browser, live_server, surveyed, width):
    """320 CSS px is 1280 px at 400 %; 640 CSS px is 1280 px at 200 % (WCAG 1.4.10, 1.4.4)."""
    association, rounds = surveyed
    page = open_page(browser, live_server.url, viewport={"width": width, "height": 700})
    try:
        page.goto(f"/exempelstad/enkat/{rounds['deltagare'].token}/?sprak=sv-lattlast")
        assert no_horizontal_scroll(page)
        page.get_by_role("button", name="Börja").click()
        page.wait_for_url("**/fraga/1/")
        assert no_horizontal_scroll(page)
        assert_accessible(page)
        page.goto(f"/exempelstad/enkat/{rounds['deltagare'].token}/granska/")
        assert no_horizontal_scroll(page)
        assert_accessible(page)
    finally:
        page.context.close()


def test_staff_enter_a_paper_form(page, surveyed):
    association, rounds = surveyed
    log_in(page, "manager@exempelstad.se")
    page.goto(f"/exempelstad/enkater/omgang/{rounds['deltagare'].pk}/pappersinmatning/")
    assert_accessible(page)
    page.get_by_role("group", name="1. Passar stödet du får det du själv behöver?").get_by_label("Till stor del").check()
    page.get_by_label("6. Vill du säga något mer om stödet?").fill("Bra bemötande")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara formuläret").click()
    assert "Formuläret är sparat" in page.locator("main").inner_text()
    assert_accessible(page)
    # An invalid form shows its error accessibly.
    page.get_by_label("6. Vill du säga något mer om stödet?").fill("Mitt nummer 19900101-0017")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara formuläret").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Avsluta inmatningen").click()
    page.wait_for_url("**/omgang/*/")
    from finsam.surveys.models import Response

    assert list(Response.objects.values_list("channel", flat=True)) == ["papper"]


STAFF_PAGES = {
    "admin": ["", "ny/", "omgang/{d}/", "omgang/{u}/andra/", "omgang/{d}/koder/", "omgang/{d}/pappersinmatning/",
              "omgang/{d}/fritext/", "fragor/", "enkatfil/", "svar/", "svar/export/"],
    "analyst": ["", "omgang/{d}/", "omgang/{d}/fritext/"],
    "manager": ["", "omgang/{d}/", "omgang/{d}/koder/", "omgang/{d}/pappersinmatning/"],
}


def test_the_systemadministrator_loads_the_national_file(page, surveyed):
    from tests.conftest import DATA

    log_in(page, "system@finsam.local", expected_path="**/")
    page.goto("/system/enkater/riket/")
    assert_accessible(page)
    page.get_by_label("Fil").set_input_files(str(DATA / "exempel-riket-2024.csv"))
    with page.expect_navigation():
        page.get_by_role("button", name="Läs in filen").click()
    assert "Filen är inläst" in page.locator("main").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize("role", sorted(STAFF_PAGES))
def test_every_survey_staff_page_as_each_role_that_reaches_it(page, surveyed, role):
    association, rounds = surveyed
    log_in(page, f"{role}@exempelstad.se")
    for path in STAFF_PAGES[role]:
        url = "/exempelstad/enkater/" + path.format(d=rounds["deltagare"].pk, u=rounds["utkast"].pk)
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page)
    if role == "admin":
        # A form with errors, and the round's page after opening the draft.
        page.goto("/exempelstad/enkater/ny/")
        page.get_by_role("button", name="Spara").click()
        assert page.locator(".error-text").count() > 0
        assert_accessible(page)
        page.goto(f"/exempelstad/enkater/omgang/{rounds['utkast'].pk}/")
        page.get_by_role("button", name="Öppna omgången").click()
        assert "Omgången är öppen" in page.locator("main").inner_text()
        assert_accessible(page)
