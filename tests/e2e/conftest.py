"""Browser tests: Debian's Chromium driven by Playwright, with axe-core on every page visited."""

import os
from pathlib import Path

import axe_playwright_python
import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run inside
# one unless told that this is deliberate. Only the test process sets this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
AXE_JS = Path(axe_playwright_python.__file__).parent / "axe.min.js"
AXE_URL_PATH = "/__test__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: bin/test installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, base_url, **context_options):
    """A page in a new browser context; close it with ``page.context.close()``."""
    context = browser.new_context(base_url=base_url, locale="sv-SE", **context_options)
    # axe-core is served as if from the app's own origin, so the page's real Content Security
    # Policy stays in force during the test.
    context.route(f"**{AXE_URL_PATH}", lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript"))
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return page


@pytest.fixture
def page(browser, live_server):
    page = open_page(browser, live_server.url)
    yield page
    page.context.close()


def assert_accessible(page):
    """Run axe-core against WCAG 2.1 A/AA on the current page; fail on any violation."""
    # A click that submits a form starts a navigation: check the page it lands on, not the one it
    # leaves (the script tag below would otherwise be lost with the old page, now and then).
    page.wait_for_load_state()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL_PATH)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert not problems, f"axe-core violations on {page.url}:\n" + "\n".join(problems)
    assert result["passes"], "axe-core ran no checks"
    assert not page.console_errors, f"console errors on {page.url}: {page.console_errors}"


def log_in(page, username, expected_path="**/exempelstad/"):
    from tests.conftest import PASSWORD

    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(expected_path)


@pytest.fixture
def manager(transactional_db):
    """A förbund with one insats and its assigned deltagaransvarig (the participant journeys)."""
    import datetime

    from finsam.interventions.models import Intervention
    from finsam.tenancy.models import Association, Role, RoleAssignment, User
    from tests.conftest import PASSWORD

    association = Association.objects.create(slug="exempelstad", name="Samordningsförbundet Exempelstad")
    intervention = Intervention.objects.create(
        association=association, slug="aktivitetsplatsen", name="Aktivitetsplatsen", start_date=datetime.date(2020, 1, 1)
    )
    user = User.objects.create_user("projektledare@exempelstad.se", password=PASSWORD)
    RoleAssignment.objects.create(user=user, association=association, role=Role.PARTICIPANT_MANAGER)
    intervention.assigned_users.add(user)
    return user
