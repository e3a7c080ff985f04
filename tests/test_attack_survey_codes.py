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


def _survey_file(round, **fields):
    """The survey file that describes ``round`` as it is (``fields`` added or changed)."""
    import json

    described = {"key": round.key, "title": round.title, "question_set": round.question_set.key,
                 "version": round.question_set.version, "respondent_group": round.respondent_group,
                 "intervention": round.intervention.slug if round.intervention else None,
                 "from": round.date_from.isoformat(), "to": round.date_to.isoformat(), "status": round.status}
    described.update(fields)
    return json.dumps({"format": "finsam-surveys/1", "rounds": [described]}).encode()


def test_the_survey_file_never_stops_a_round_with_codes_from_asking_for_one(surveys):  # noqa: F811
    """Before: a round that had codes handed out (issue_codes makes it require one) went back to no
    code when its survey file was loaded again to fix, say, its last day: the file's codes_required
    is false when left out. Anyone with the poster's link could then answer, as often as they liked."""
    from finsam.surveys.errors import SurveyFileError
    from finsam.surveys.setup import apply_survey_file

    rnd = surveys.round
    apply_survey_file(_survey_file(rnd), surveys.alfa)  # the file as it was loaded
    services.issue_codes(rnd, 3)
    summary = apply_survey_file(_survey_file(rnd, to="2026-12-30"), surveys.alfa)
    rnd.refresh_from_db()
    assert rnd.codes_required and summary.updated == ["deltagare (date_to)"]
    with pytest.raises(SurveyFileError) as refused:
        apply_survey_file(_survey_file(rnd, to="2026-12-29", codes_required=False), surveys.alfa)
    assert refused.value.errors == ['rounds[0].codes_required: omgången "deltagare" har 3 utdelade engångskoder '
                                    "och kräver därför en kod."]
    rnd.refresh_from_db()
    assert rnd.codes_required and str(rnd.date_to) == "2026-12-30"
    # A round without codes may still be switched either way by the file.
    other = surveys.other
    apply_survey_file(_survey_file(other, codes_required=True), surveys.alfa)
    apply_survey_file(_survey_file(other, codes_required=False), surveys.alfa)
    other.refresh_from_db()
    assert not other.codes_required


def test_a_survey_file_without_status_keeps_an_open_round_open(surveys):  # noqa: F811
    """Before: ``status`` left out meant "utkast", so loading the file again to fix a last day sent an
    open round back to draft and its respondents' link answered 404 mid-collection. Left out, a
    stored round keeps its status; a new round is a draft; a stated status still applies."""
    import json

    from finsam.surveys.setup import apply_survey_file

    rnd = surveys.round
    apply_survey_file(_survey_file(rnd, status="oppen"), surveys.alfa)
    without_status = json.loads(_survey_file(rnd, to="2026-12-30"))
    del without_status["rounds"][0]["status"]
    new_round = dict(without_status["rounds"][0], key="ny-omgang")
    without_status["rounds"].append(new_round)
    summary = apply_survey_file(json.dumps(without_status).encode(), surveys.alfa)
    rnd.refresh_from_db()
    assert rnd.status == "oppen" and str(rnd.date_to) == "2026-12-30"
    assert summary.updated == ["deltagare (date_to)"] and summary.created == ["ny-omgang"]
    assert type(rnd).objects.get(key="ny-omgang").status == "utkast"
    apply_survey_file(_survey_file(rnd, status="stangd"), surveys.alfa)
    rnd.refresh_from_db()
    assert rnd.status == "stangd"


def _round_form(round, **changes):
    data = {"key": round.key, "title": round.title, "question_set": round.question_set_id,
            "respondent_group": round.respondent_group, "intervention": round.intervention_id or "",
            "date_from": round.date_from.isoformat(), "date_to": round.date_to.isoformat(),
            "population_kind": "unknown", "population_number": ""}
    if round.codes_required:
        data["codes_required"] = "on"
    data.update(changes)
    return data


def test_the_round_form_never_stops_a_round_with_codes_from_asking_for_one(surveys, client):  # noqa: F811
    """A draft can have codes handed out; its form, read before that, sent no codes_required."""
    draft = surveys.draft
    data = _round_form(draft)  # the form as it was shown
    services.issue_codes(draft, 2)
    client.force_login(surveys.users["admin"])
    refused = client.post(staff_url(surveys, "round_edit", draft), {**data, "title": "Nytt namn"})
    assert refused.status_code == 200
    assert "Omgången har 2 utdelade engångskoder och kräver därför en kod." in refused.content.decode()
    draft.refresh_from_db()
    assert draft.codes_required and draft.title != "Nytt namn"


def test_the_round_form_keeps_what_a_round_with_responses_was_answered_against(surveys, client):  # noqa: F811
    """Before: the survey file refused to change a round's set, group or insats once it had responses,
    but the form of a draft did not, and a draft can have responses (paper entry takes a draft's forms;
    the survey file may set an answered round back to utkast). The answers then belonged to questions
    of another set or group than the round's, and its tables counted them wrongly."""
    draft = surveys.draft
    services.record_response(draft, channel="papper", language="sv", answers={"d01": "stor"})
    client.force_login(surveys.users["admin"])
    refused = client.post(staff_url(surveys, "round_edit", draft),
                          _round_form(draft, respondent_group="deltagare_pagaende", intervention=surveys.unassigned.pk))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Omgången har svar, så dess respondentgrupp kan inte ändras." in page
    assert "Omgången har svar, så dess insats kan inte ändras." in page
    draft.refresh_from_db()
    assert draft.respondent_group == "deltagare_avslut" and draft.intervention == surveys.assigned
    saved = client.post(staff_url(surveys, "round_edit", draft), _round_form(draft, title="Nytt namn"))
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Nytt namn"
