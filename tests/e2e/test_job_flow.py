"""A large participant file is read in by a background job: the job page shows a progress bar and
a polite status that follow the job, then the outcome; without JavaScript, a reload link."""

import pytest

from finsam.jobs import runner
from finsam.jobs.models import Job
from finsam.participants.models import Participation

from .conftest import assert_accessible, log_in, open_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def job_settings(settings, tmp_path):
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    settings.FINSAM_JOB_IMPORT_BYTES = 100
    settings.FINSAM_JOBS_SYNC = False  # the test plays the worker, step by step


def test_import_job_page_follows_the_job(page, manager, job_settings, tmp_path, browser, live_server):
    rows = ["insats;referens;anonym;kon;startdatum"] + [f"aktivitetsplatsen;J-{n};ja;kvinna;2025-03-01" for n in range(20)]
    big = tmp_path / "stor-fil.csv"
    big.write_text("\n".join(rows) + "\n", encoding="utf-8")
    log_in(page, "projektledare@exempelstad.se")
    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Läs in deltagare").click()
    page.get_by_label("Deltagarfil (.xlsx eller .csv)").set_input_files(str(big))
    page.get_by_role("button", name="Läs in filen").click()
    page.wait_for_url("**/jobb/*/")
    assert page.get_by_role("heading", name="Inläsning av deltagarfil").is_visible()
    assert page.get_by_role("status").inner_text() == "I kö: jobbet startar snart."
    assert page.get_by_label("Förlopp").is_visible()
    assert not page.get_by_role("link", name="Uppdatera sidan").is_visible()  # the script updates the page
    assert_accessible(page)

    job = runner.claim_next("e2e")
    runner.Progress(job)(5, 20, "Steg 1 av 2: kontrollerar raderna")
    status = page.get_by_role("status")
    status.filter(has_text="Pågår: Steg 1 av 2: kontrollerar raderna, omkring 20 %").wait_for(timeout=10000)
    assert page.get_by_label("Förlopp").evaluate("bar => [bar.value, bar.max]") == [5, 20]
    assert_accessible(page)

    # Without JavaScript the page says the same and offers a reload link.
    still = open_page(browser, live_server.url, java_script_enabled=False)
    still.context.add_cookies(page.context.cookies())
    still.goto(page.url)
    assert still.get_by_role("status").inner_text().startswith("Pågår: Steg 1 av 2")
    assert still.get_by_role("link", name="Uppdatera sidan").is_visible()
    still.context.close()

    runner.run_job(job)
    page.get_by_text("Filen är inläst: 20 skapade, 0 uppdaterade, 0 oförändrade.").wait_for(timeout=10000)
    assert Participation.objects.filter(reference__startswith="J-").count() == 20
    assert page.get_by_role("status").inner_text() == "Klart."
    assert Job.objects.get().state == "done"
    assert_accessible(page)

    page.get_by_role("link", name="Alla dina bakgrundsjobb").click()
    assert page.get_by_role("link", name="Inläsning av deltagarfil (stor-fil.csv)").is_visible()
    assert page.get_by_role("cell", name="Klart").is_visible()
    assert_accessible(page)
