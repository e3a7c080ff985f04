"""An analyst asks for a section per insats and a comparison with the previous year (issue 11)."""

import pytest

from .conftest import assert_accessible, log_in
from .test_report_flow import loaded  # noqa: F401 (the example förbund with its participants)

pytestmark = pytest.mark.e2e


def test_analyst_reads_sections_per_insats_and_the_previous_period(page, loaded):  # noqa: F811
    log_in(page, "analyst@exempelstad.se")
    page.goto("/exempelstad/rapporter/")
    page.get_by_label("Period").select_option("custom")
    page.get_by_label("Från och med").fill("2024-01-01")
    page.get_by_label("Till och med").fill("2024-06-30")
    page.get_by_label("Ett avsnitt per insats med tabellerna om bakgrund och resultat").check()
    page.get_by_label("Jämför med samma datum ett år tidigare").check()
    page.get_by_role("button", name="Visa statistik").click()
    # the click returns once the navigation commits; wait for the report (sections and the previous
    # period take a while on a loaded machine: CI found is_visible() checked before it had loaded)
    page.wait_for_load_state()
    page.get_by_role("heading", name="Ålder vid inskrivning – Novum").wait_for()
    assert page.get_by_role("heading", name="Ålder vid inskrivning – Novum").is_visible()
    assert "2023-01-01–2023-06-30" in page.locator("main").inner_text()
    assert page.get_by_label("Jämför med samma datum ett år tidigare").is_checked()  # the choice is kept
    assert_accessible(page)
