"""Attacks on single-use survey codes (surveys/services.py, views.py, setup.py, forms.py): codes
counted as issued that nobody ever saw, and a round with codes handed out that stops asking for
them."""

import pytest

from finsam.surveys import services
from finsam.surveys.forms import MAX_CODES
from finsam.surveys.models import SurveyCode

from tests.test_surveys_web import staff_url, surveys  # noqa: F401  (fixture)


def test_codes_whose_pdf_was_never_made_are_not_issued(surveys, client, monkeypatch):  # noqa: F811
    """Before: the codes' hashes were stored and counted first, then the PDF made. A PDF that failed,
    or took longer than the server's time limit (2 000 slips with long texts took 81 s), left codes
    counted as issued that no one could ever hand out: used/issued understated for good."""
    from finsam.surveys import views

    def broken(*args, **kwargs):
        raise RuntimeError("the PDF writer died")

    monkeypatch.setattr(views.pdf, "code_slips", broken)
    client.force_login(surveys.users["manager"])
    with pytest.raises(RuntimeError):
        client.post(staff_url(surveys, "code_slips", surveys.round), {"count": "3"})
    assert not SurveyCode.objects.filter(round=surveys.round).exists()
    assert services.code_counts([surveys.round]) == {surveys.round.pk: (0, 0)}
    surveys.round.refresh_from_db()
    assert not surveys.round.codes_required
    monkeypatch.undo()
    made = client.post(staff_url(surveys, "code_slips", surveys.round), {"count": "3"})
    assert made["Content-Type"] == "application/pdf"
    assert services.code_counts([surveys.round]) == {surveys.round.pk: (3, 0)}


def test_a_code_slip_pdf_is_bounded(surveys, client):  # noqa: F811
    """The slips are made in the request: at most MAX_CODES of them (about 17 s with the longest
    texts the files allow), refused in Swedish above it, nothing issued."""
    client.force_login(surveys.users["manager"])
    refused = client.post(staff_url(surveys, "code_slips", surveys.round), {"count": str(MAX_CODES + 1)})
    assert refused.status_code == 200 and refused["Content-Type"].startswith("text/html")
    assert f"mindre än eller lika med {MAX_CODES}" in refused.content.decode()
    assert MAX_CODES <= 500
    assert services.code_counts([surveys.round]) == {surveys.round.pk: (0, 0)}


def test_store_codes_refuses_codes_stored_meanwhile(surveys):  # noqa: F811
    issued = services.new_codes(surveys.round, 2)
    assert not SurveyCode.objects.filter(round=surveys.round).exists()  # nothing stored yet
    services.store_codes(surveys.round, issued)
    with pytest.raises(services.SurveyError):
        services.store_codes(surveys.round, issued)
    assert services.code_counts([surveys.round]) == {surveys.round.pk: (2, 0)}
