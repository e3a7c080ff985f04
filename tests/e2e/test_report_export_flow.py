"""The report as a downloaded HTML file: one self-contained document a board member can open
offline, as accessible as the page it comes from."""

import pytest

from .conftest import assert_accessible, log_in
from .test_report_flow import loaded  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def test_the_html_file_of_the_report_is_accessible_on_its_own(page, loaded):  # noqa: F811
    log_in(page, "analyst@exempelstad.se")
    page.goto("/exempelstad/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31")
    with page.expect_download() as download:
        page.get_by_role("link", name="Webbsida (HTML)").click()
    assert download.value.suggested_filename == "statistik-exempelstad-2024-01-01-2024-12-31.html"
    content = open(download.value.path(), "rb").read()
    # Opened as a file would be: no session, no app style or script, nothing fetched.
    requests = []
    page.context.route("**/__test__/rapport.html",
                       lambda route: route.fulfill(body=content, content_type="text/html; charset=utf-8"))
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/__test__/rapport.html")
    assert page.title() == "Statistik Samordningsförbundet Exempelstad 2024-01-01 – 2024-12-31"
    exit_table = page.locator("#t-exit_reason table")
    assert "Sjukdom" in exit_table.inner_text() and "21,1" in exit_table.inner_text()
    assert page.get_by_role("img", name="Diagram: Avslutsorsak. Samma uppgifter finns i tabellen nedan.").is_visible()
    assert requests == [page.url]
    assert_accessible(page)
