"""The page a user gets while a large import holds the database's write lock (core/busy.py): Swedish,
accessible, and saying that nothing was saved."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from finsam.audit.models import AccessLog

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_the_busy_page_is_accessible(page, manager, monkeypatch):
    log_in(page, "projektledare@exempelstad.se")

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")  # as after SQLite's busy timeout

    monkeypatch.setattr(AccessLog, "save", busy)  # the participant list must log its reading
    response = page.goto(reverse("participants:list", args=["exempelstad", "aktivitetsplatsen"]))
    assert response.status == 503 and response.headers["retry-after"] == "60"
    assert page.get_by_role("heading", name="Systemet är upptaget – försök igen om en minut").is_visible()
    assert page.get_by_text("Ingenting har ändrats.").is_visible()
    # Chromium reports the document's own 503 on the console; nothing else may be there.
    assert [error for error in page.console_errors if "503" not in error] == []
    page.console_errors.clear()
    assert_accessible(page)
