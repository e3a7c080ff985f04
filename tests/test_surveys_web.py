"""The survey pages (issue 12, part 2): respondents' pages without login, staff pages, PDFs.

The respondent's flow is driven with Django's test client as a phone without JavaScript would:
GET a screen, POST its form, follow the redirect. Browser tests (tests/e2e/test_survey_flow.py)
drive the same pages by keyboard in Chromium with axe.
"""

import datetime
import io
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from finsam.audit.models import AccessLog
from finsam.surveys import services
from finsam.surveys.models import Answer, Response, Round, SurveyCode
from finsam.surveys.questions import load_question_set

from tests.conftest import DATA
from tests.test_concurrency import run_together

D = datetime.date


def make_round(association, key, group, intervention=None, status="oppen", **fields):
    question_set = association.question_sets.get(key="exempel-indikatorer", version=2)
    return Round.objects.create(association=association, key=key, title=f"Enkät {key}", question_set=question_set,
                                respondent_group=group, intervention=intervention, date_from=D(2026, 1, 1),
                                date_to=D(2026, 12, 31), status=status, **fields)


@pytest.fixture
def surveys(world):
    for association in (world.alfa, world.beta):
        load_question_set((DATA / "exempel-fragor-v2.json").read_bytes(), association)
    world.round = make_round(world.alfa, "deltagare", "deltagare_avslut", world.assigned)
    world.board = make_round(world.alfa, "styrelse", "styrelse")
    world.other = make_round(world.alfa, "team", "deltagare_pagaende", world.unassigned)
    world.draft = make_round(world.alfa, "utkast", "deltagare_avslut", world.assigned, status="utkast")
    world.beta_round = make_round(world.beta, "beta", "deltagare_avslut", world.beta_intervention)
    return world


def start_url(round, association=None):
    return reverse("surveys:start", args=[(association or round.association).slug, round.token])


def page(round, name, *args):
    return reverse(f"surveys:{name}", args=[round.association.slug, round.token, *args])


def form_token(response):
    return re.search(r'name="t" value="([^"]+)"', response.content.decode()).group(1)


def answer_all(client, round, answers, language=None, code=None):
    """Start, answer every question (answers: {number: value}), review; returns the review page."""
    data = {"sprak": language} if language else {}
    if code is not None:
        data["kod"] = code
    response = client.post(start_url(round), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    count = len(services.shown_questions(round))
    for number in range(1, count + 1):
        shown = client.get(page(round, "question", number))
        assert shown.status_code == 200
        response = client.post(page(round, "question", number),
                               {"t": form_token(shown), "svar": answers.get(number, ""), "gor": "next"})
        assert response.status_code == 302
    assert response.url == page(round, "review")
    return client.get(page(round, "review"))


def submit(client, round, review):
    return client.post(page(round, "review"), {"t": form_token(review)})


# --- the respondent's flow ----------------------------------------------------------------------------

def test_a_respondent_answers_one_question_per_screen_and_one_response_is_stored(surveys):
    client = Client()
    first = client.get(start_url(surveys.round))
    assert first.status_code == 200 and '<html lang="sv" dir="ltr">' in first.content.decode()
    review = answer_all(client, surveys.round, {1: "mycket_stor", 2: "vet_ej", 6: "Bra stöd"})
    shown = client.get(page(surveys.round, "question", 1)).content.decode()
    assert "<fieldset" in shown and "<legend" in shown and "Fråga 1 av 6" in shown
    assert shown.count('type="radio"') == 5 and "<table" not in shown  # four steps and vet inte, no grid
    text = review.content.decode()
    assert "Till mycket stor del" in text and "Inte besvarad" in text and "Bra stöd" in text
    response = submit(client, surveys.round, review)
    assert response.status_code == 302 and "/tack/" in response.url
    stored = Response.objects.get(round=surveys.round)
    assert (stored.channel, stored.language, stored.date) == ("webb", "sv", datetime.date.today())
    assert dict(Answer.objects.filter(response=stored).values_list("question__key", "step")) == {
        "d01": "mycket_stor", "d02": "vet_ej", "d06": ""}
    assert Answer.objects.get(response=stored, question__key="d06").text == "Bra stöd"
    assert client.get(response.url).status_code == 200


def test_back_and_change_from_the_review_keep_the_answers(surveys):
    client = Client()
    review = answer_all(client, surveys.round, {1: "stor", 3: "liten"})
    change = re.search(r'href="([^"]*fraga/3/\?granska=1)"', review.content.decode()).group(1)
    shown = client.get(change.replace("&amp;", "&"))
    assert 'value="liten" checked' in shown.content.decode()
    response = client.post(page(surveys.round, "question", 3), {"t": form_token(shown), "svar": "inte_alls",
                                                                "granska": "1", "gor": "next"})
    assert response.url == page(surveys.round, "review")
    previous = client.get(page(surveys.round, "question", 2))
    back = client.post(page(surveys.round, "question", 2), {"t": form_token(previous), "svar": "", "gor": "previous"})
    assert back.url == page(surveys.round, "question", 1)
    assert 'value="stor" checked' in client.get(back.url).content.decode()
    submit(client, surveys.round, client.get(page(surveys.round, "review")))
    assert dict(Answer.objects.values_list("question__key", "step")) == {"d01": "stor", "d03": "inte_alls"}


@pytest.mark.parametrize("language, lang, word", [("en", "en", "Question 1 of 6"),
                                                  ("sv-lattlast", "sv", "Får du den hjälp du behöver?")])
def test_the_language_is_chosen_on_every_screen_and_stored(surveys, language, lang, word):
    client = Client()
    start = client.get(start_url(surveys.round) + f"?sprak={language}").content.decode()
    assert f'<html lang="{lang}"' in start and 'lang="en" dir="ltr"' in start
    review = answer_all(client, surveys.round, {1: "stor"}, language=language)
    assert word in client.get(page(surveys.round, "question", 1)).content.decode()
    # Change the language on a screen: the questionnaire keeps its answers.
    assert client.get(page(surveys.round, "question", 1) + "?sprak=sv").status_code == 302
    assert "Fråga 1 av 6" in client.get(page(surveys.round, "question", 1)).content.decode()
    client.get(page(surveys.round, "review") + f"?sprak={language}")
    submit(client, surveys.round, client.get(page(surveys.round, "review")))
    assert Response.objects.get().language == language
    assert review.status_code == 200


def test_an_unoffered_language_falls_back_to_swedish(surveys):
    text = Client().get(start_url(surveys.board) + "?sprak=en").content.decode()
    assert '<html lang="sv"' in text  # board questions are in Swedish only
    assert 'hreflang="en"' not in text


def test_board_rounds_show_every_question_on_one_page_each_its_own_fieldset(surveys):
    client = Client()
    response = client.post(start_url(surveys.board), {})
    assert response.url == page(surveys.board, "respond_all")
    shown = client.get(response.url)
    text = shown.content.decode()
    count = len(services.shown_questions(surveys.board))
    assert text.count("<fieldset") == count and text.count("<legend") == count and "<table" not in text
    response = client.post(page(surveys.board, "respond_all"), {"t": form_token(shown), "svar-p02": "helt"})
    assert response.url == page(surveys.board, "review")
    submit(client, surveys.board, client.get(response.url))
    assert list(Answer.objects.values_list("question__key", "step")) == [("p02", "helt")]


def test_unknown_draft_and_other_forbund_rounds_are_404(surveys):
    client = Client()
    assert client.get(start_url(surveys.draft)).status_code == 404
    assert client.get(reverse("surveys:start", args=["alfa", "okand-token"])).status_code == 404
    assert client.get(start_url(surveys.beta_round, association=surveys.alfa)).status_code == 404
    assert client.get(reverse("surveys:start", args=["alfa", "x" * 500])).status_code == 404
    assert client.get(page(surveys.round, "question", 99)).status_code == 302  # no questionnaire: to the start


def test_a_closed_round_shows_the_closed_text_and_refuses_the_submit(surveys):
    client = Client()
    review = answer_all(client, surveys.round, {1: "stor"})
    services.close_round(surveys.round)
    response = submit(client, surveys.round, review)
    assert "Enkäten är stängd." in response.content.decode()
    assert "Enkäten är stängd." in Client().get(start_url(surveys.round)).content.decode()
    assert Response.objects.count() == 0


def test_forged_values_are_skipped_and_never_a_500(surveys):
    client = Client()
    client.post(start_url(surveys.round), {})
    shown = client.get(page(surveys.round, "question", 1))
    for value in ("<script>", "x" * 5000, "vet_ej\x01", ""):
        response = client.post(page(surveys.round, "question", 1), {"t": form_token(shown), "svar": value})
        assert response.status_code == 302
    for token in ("fel", "åäö€", "x" * 10_000):
        assert client.post(page(surveys.round, "question", 1), {"t": token, "svar": "stor"}).status_code == 302
        assert client.post(page(surveys.round, "review"), {"t": token}).status_code == 302
    for language in ("xx", "<b>", "e" * 3000):
        assert client.get(page(surveys.round, "question", 1) + f"?sprak={language}").status_code == 302
    assert client.post(start_url(surveys.round), {"sprak": "ääh", "kod": "ö" * 100}).status_code == 302
    assert client.get(page(surveys.round, "question", 10**30)).status_code == 404
    assert Response.objects.count() == 0


def test_a_free_text_with_an_identity_number_is_refused_on_its_screen(surveys):
    client = Client()
    client.post(start_url(surveys.round), {})
    shown = client.get(page(surveys.round, "question", 6))
    response = client.post(page(surveys.round, "question", 6), {"t": form_token(shown), "svar": "Jag är 19900101-0017"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


# --- privacy -----------------------------------------------------------------------------------------

def test_nothing_identifying_is_stored_and_the_session_is_gone_after_submit(surveys, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(HTTP_USER_AGENT="Telefon/1.0 hemlig", REMOTE_ADDR="203.0.113.77", HTTP_REFERER="https://ref.example/")
    review = answer_all(client, surveys.round, {1: "stor", 6: "Mitt hemliga svar"})
    session = Session.objects.get()
    # A respondent's session lasts 24 hours from the start, not a staff session's 30 minutes.
    lifetime = (session.expire_date - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 23 * 3600 < lifetime <= 24 * 3600
    assert set(client.cookies) == {"sessionid"}  # no CSRF cookie, nothing else
    response = submit(client, surveys.round, review)
    assert Session.objects.count() == 0 and client.cookies["sessionid"].value == ""
    assert response.cookies["sessionid"]["max-age"] == 0
    stored = Response.objects.get()
    fields = {f.name for f in Response._meta.concrete_fields}
    assert fields == {"id", "association", "round", "channel", "language", "date"}
    assert not AccessLog.objects.exists()
    dump = " ".join(str(v) for r in Response.objects.values() for v in r.values())
    dump += " ".join(str(v) for r in Answer.objects.values() for v in r.values())
    for secret in ("203.0.113.77", "Telefon", "ref.example"):
        assert secret not in dump
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Mitt hemliga svar" not in logged and "stor" not in re.sub(r"\bstor\w", "", logged)
    assert stored.round == surveys.round


def test_an_unfinished_questionnaire_is_gone_after_24_hours(surveys):
    from django.utils import timezone

    abandoned = Client()
    answer_all(abandoned, surveys.round, {6: "Ett påbörjat svar"})
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))  # 24 hours later
    assert abandoned.get(page(surveys.round, "review")).status_code == 302  # back to the start
    Client().post(start_url(surveys.round), {})  # the next respondent begins
    assert Session.objects.count() == 1
    assert "Ett påbörjat svar" not in str(Session.objects.get().get_decoded())


def test_a_signed_in_staff_member_answering_keeps_their_own_session(surveys, client):
    client.force_login(surveys.users["analyst"])
    before = client.session.get_expiry_age()
    review = answer_all(client, surveys.round, {1: "stor"})
    assert client.session.get_expiry_age() <= before  # not given the respondent's 24 hours
    submit(client, surveys.round, review)
    assert Response.objects.count() == 1
    assert client.get(reverse("surveys:round_list", args=["alfa"])).status_code == 200  # still signed in


def test_the_same_session_posting_twice_stores_once(surveys):
    client = Client()
    review = answer_all(client, surveys.round, {1: "stor"})
    stale = Client()
    stale.cookies = client.cookies.__class__(client.cookies)  # the same session in a second "tab"
    first = submit(client, surveys.round, review)
    second = submit(stale, surveys.round, review)
    assert "/tack/" in first.url and second.status_code == 302
    assert Response.objects.count() == 1


def test_the_same_session_posting_twice_at_once_stores_once(surveys, transactional_db):
    """Both requests have read the questionnaire before either sends (PostgreSQL: really at once;
    SQLite: one after the other): the session row's lock lets one of them send."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from finsam.surveys import respondent
    from finsam.tenancy.scope import Scope

    client = Client()
    answer_all(client, surveys.round, {1: "stor"})
    key = client.cookies["sessionid"].value

    class Request:
        def __init__(self):
            self.session = SessionStore(key)
            self.session.load()
            self.user = AnonymousUser()

    requests = [Request(), Request()]

    def send(request):
        with Scope.of(surveys.alfa).activate():
            try:
                return respondent.submit(request, surveys.round)
            except respondent.AlreadySent:
                return "already sent"

    results = run_together([lambda r=r: send(r) for r in requests])
    assert sorted(str(value) for _, value in results) == ["already sent", "sv"], results
    assert Response.objects.count() == 1


# --- codes -----------------------------------------------------------------------------------------

def test_a_round_with_codes_asks_for_one_and_consumes_it_only_when_sent(surveys):
    issued = services.issue_codes(surveys.round, 2)
    client = Client()
    start = client.get(start_url(surveys.round)).content.decode()
    assert 'name="kod"' in start
    assert 'aria-invalid="true"' in client.post(start_url(surveys.round), {"kod": ""}).content.decode()
    unknown = client.post(start_url(surveys.round), {"kod": "AAAAAAAA"})
    assert unknown.status_code == 200 and "Koden gäller inte" in unknown.content.decode()
    review = answer_all(client, surveys.round, {1: "stor"}, code=issued[0].lower())  # case-insensitive
    assert SurveyCode.objects.count() == 2
    submit(client, surveys.round, review)
    assert SurveyCode.objects.count() == 1 and Response.objects.count() == 1
    assert services.code_counts([surveys.round]) == {surveys.round.pk: (2, 1)}
    # A used code is refused with the same words as an unknown one: its row is gone.
    used = Client().post(start_url(surveys.round), {"kod": issued[0]})
    assert used.status_code == 200 and "Koden gäller inte" in used.content.decode()
    assert used.content == Client().post(start_url(surveys.round), {"kod": "AAAAAAAA"}).content
    # No row links a code to a response: the code row holds a hash, and only while unused.
    assert {f.name for f in SurveyCode._meta.concrete_fields} == {"id", "association", "round", "code_hash"}


def test_two_sessions_sending_with_the_same_code_store_one_response(surveys, transactional_db):
    issued = services.issue_codes(surveys.round, 1)
    clients = [Client(), Client()]
    reviews = [answer_all(c, surveys.round, {1: "stor"}, code=issued[0]) for c in clients]
    results = run_together([lambda c=c, r=r: submit(c, surveys.round, r) for c, r in zip(clients, reviews)])
    assert all(kind == "ok" for kind, _ in results), results
    statuses = sorted(response.status_code for _, response in results)
    assert statuses == [200, 302]  # the other sees the review again with the refusal
    assert Response.objects.count() == 1 and not SurveyCode.objects.exists()
    assert services.code_counts([surveys.round]) == {surveys.round.pk: (1, 1)}
    refused = next(response for _, response in results if response.status_code == 200).content.decode()
    assert "Koden gäller inte" in refused  # the review page, in the page's language


# --- staff pages ----------------------------------------------------------------------------------------

def staff_url(world, name, round=None):
    args = [world.alfa.slug] + ([round.pk] if round is not None else [])
    return reverse(f"surveys:{name}", args=args)


def test_another_forbunds_round_is_404_and_a_reader_reaches_no_round(surveys, client):
    client.force_login(surveys.users["admin"])
    assert client.get(reverse("surveys:round_detail", args=["alfa", surveys.beta_round.pk])).status_code == 404
    assert client.get(reverse("surveys:round_detail", args=["alfa", "9" * 40])).status_code == 404
    client.force_login(surveys.users["reader"])
    assert client.get(staff_url(surveys, "round_list")).status_code == 403
    assert client.get(staff_url(surveys, "free_text", surveys.round)).status_code == 403
    client.force_login(surveys.users["manager"])
    listed = client.get(staff_url(surveys, "round_list")).content.decode()
    assert surveys.round.title in listed and surveys.other.title not in listed and surveys.board.title not in listed
    assert client.get(staff_url(surveys, "round_detail", surveys.other)).status_code == 404
    assert client.get(staff_url(surveys, "free_text", surveys.round)).status_code == 403


def test_open_close_and_reopen(surveys, client):
    client.force_login(surveys.users["manager"])
    url = staff_url(surveys, "round_status", surveys.draft)
    client.post(url, {"action": "open"})
    surveys.draft.refresh_from_db()
    assert surveys.draft.status == "oppen"
    client.post(url, {"action": "close"})
    client.post(url, {"action": "reopen"})
    surveys.draft.refresh_from_db()
    assert surveys.draft.status == "oppen"
    assert client.post(url, {"action": "nonsense"}).status_code == 302


def test_paper_entry_stores_a_paper_response_and_logs_only_the_number_of_forms(surveys, client):
    client.force_login(surveys.users["manager"])
    url = staff_url(surveys, "paper_entry", surveys.round)
    shown = client.get(url).content.decode()
    assert shown.count("<fieldset") == 5 and "<table" not in shown  # five scale questions, one free text
    for answer in ("stor", "liten"):
        assert client.post(url, {"sprak": "sv", "svar-d01": answer, "action": "save"}).status_code == 302
    assert not AccessLog.objects.exists()
    bad = client.post(url, {"sprak": "sv", "svar-d01": "hittepa", "action": "save"})
    assert "inget svarsalternativ" in bad.content.decode() and Response.objects.count() == 2
    client.post(url, {"action": "done"})
    assert list(Response.objects.values_list("channel", flat=True)) == ["papper", "papper"]
    log = AccessLog.objects.get()
    assert (log.action, log.row_count, log.user) == ("survey_paper_entry", 2, surveys.users["manager"])


def test_round_form_creates_a_draft(surveys, client):
    client.force_login(surveys.users["admin"])
    data = {"key": "ny-omgang", "title": "Ny omgång", "question_set": surveys.round.question_set.pk,
            "respondent_group": "insatspersonal", "intervention": surveys.assigned.pk, "date_from": "2026-03-01",
            "date_to": "2026-03-31", "population_kind": "number", "population_number": "12"}
    response = client.post(staff_url(surveys, "round_create"), data)
    assert response.status_code == 302
    created = Round.objects.get(key="ny-omgang")
    assert (created.status, created.population_number) == ("utkast", 12)
    bad = client.post(staff_url(surveys, "round_create"), {**data, "date_to": "2026-01-01", "key": "annan"})
    assert bad.status_code == 200 and "aria-invalid" in bad.content.decode()


def _pdf_text(content):
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_poster_and_code_slips(surveys, client):
    client.force_login(surveys.users["manager"])
    poster = client.get(staff_url(surveys, "poster", surveys.round))
    text = _pdf_text(poster.content)
    assert surveys.round.token in text.replace("\n", "") and "Sista dag att svara" in text and "Lättläst" in text
    slips = client.post(staff_url(surveys, "code_slips", surveys.round), {"count": "3"})
    assert slips["Content-Type"] == "application/pdf"
    printed = re.findall(r"\b[A-HJKMNP-Z2-9]{8}\b", _pdf_text(slips.content))
    assert len(set(printed)) == 3
    # Only hashes are stored, and each printed code works.
    assert SurveyCode.objects.filter(round=surveys.round).count() == 3
    assert not SurveyCode.objects.filter(code_hash__in=printed).exists()
    for code in printed:
        assert Client().post(start_url(surveys.round), {"kod": code}).status_code == 302
    assert Client().post(start_url(surveys.round), {"kod": "ABCDEFGH"}).status_code == 200
    paper = client.get(staff_url(surveys, "paper_pdf", surveys.round) + "?sprak=en")
    assert "Does the support you get fit what you need?" in _pdf_text(paper.content)
    assert client.get(staff_url(surveys, "paper_pdf", surveys.round) + "?sprak=xx").status_code == 404


def test_free_text_only_from_min_n_responses_and_access_logged(surveys, client):
    client.force_login(surveys.users["analyst"])
    for i in range(4):
        services.record_response(surveys.round, channel="papper", language="sv", answers={"d06": f"Text {i}"})
    page_before = client.get(staff_url(surveys, "free_text", surveys.round)).content.decode()
    assert "Text 0" not in page_before and not AccessLog.objects.exists()
    services.record_response(surveys.round, channel="papper", language="sv", answers={"d01": "stor"})
    shown = client.get(staff_url(surveys, "free_text", surveys.round)).content.decode()
    assert all(f"Text {i}" in shown for i in range(4))
    assert AccessLog.objects.get().action == "survey_free_text"


def test_answers_export_is_neutralised_and_logged(surveys, client):
    services.record_response(surveys.round, channel="papper", language="sv", answers={"d01": "stor", "d06": "=1+1"})
    client.force_login(surveys.users["admin"])
    response = client.get(staff_url(surveys, "answers_export") + "?format=csv")
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("omgang;svar_id;kanal;sprak;d01")
    assert row.startswith(f"deltagare;{Response.objects.get().pk};papper;sv;stor") and "'=1+1" in row
    assert AccessLog.objects.get().action == "survey_answers_export"
    xlsx = client.get(staff_url(surveys, "answers_export") + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_question_set_upload_needs_the_nns_confirmation(surveys, client):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    document = json.loads((DATA / "exempel-fragor-v2.json").read_text())
    document.update(key="nns-set", source="nns")
    for q in document["questions"]:
        q["key"] = "n" + q["key"]
    for indicator in document["indicators"]:
        indicator["code"] = "N" + indicator["code"]
    for q in document["questions"]:
        q["indicator"] = "N" + q["indicator"] if q.get("indicator") else q.get("indicator")
    client.force_login(surveys.users["admin"])
    url = staff_url(surveys, "question_sets")
    refused = client.post(url, {"file": SimpleUploadedFile("nns.json", json.dumps(document).encode())})
    assert refused.context["errors"] and "NNS" in refused.content.decode()
    loaded = client.post(url, {"file": SimpleUploadedFile("nns.json", json.dumps(document).encode()),
                               "nns_agreement": "on"})
    assert loaded.status_code == 200, loaded.content.decode()[:3000]
    assert surveys.alfa.question_sets.get(key="nns-set").nns_confirmed_by == surveys.users["admin"]


def test_web_and_paper_answers_reach_the_report_page(surveys, client):
    """The survey tables (the core's, through the registry) count what the pages stored."""
    respondent_client = Client()
    submit(respondent_client, surveys.round, answer_all(respondent_client, surveys.round, {1: "stor"}))
    client.force_login(surveys.users["admin"])
    client.post(staff_url(surveys, "paper_entry", surveys.round), {"sprak": "sv", "svar-d01": "liten", "action": "save"})
    url = reverse("reports:report", args=["alfa"]) + "?period=custom&date_from=2026-01-01&date_to=2026-12-31"
    page = client.get(url).content.decode()
    assert "Svarsfrekvens" in page and "Resultat per fråga" in page
    from finsam.statistics.engine import compute_report
    from finsam.tenancy.scope import Scope

    with Scope.of(surveys.alfa).activate():
        report = compute_report(surveys.alfa, D(2026, 1, 1), D(2026, 12, 31), tables=["survey_response_rate"])
    table = report.tables[0]
    assert table.cells["deltagare"]["web"] == 1 and table.cells["deltagare"]["paper"] == 1


def test_a_sets_own_right_to_left_language_sets_dir_and_marks_missing_texts(world):
    """A set adding Arabic for the participants' questions: offered, <html lang="ar" dir="rtl">; the
    pages' extra texts it lacks are the Swedish ones marked lang="sv"."""
    import json

    document = json.loads((DATA / "exempel-fragor-v2.json").read_text())
    document["languages"].append("ar")
    for scale in document["scales"]:
        for step in scale["steps"]:
            step["label"]["ar"] = "خيار " + step["code"]
        if scale.get("dont_know"):
            scale["dont_know"]["ar"] = "لا أعرف"
    for question in document["questions"]:
        question["text"]["ar"] = "سؤال " + question["key"]
    document["ui"] = {"ar": {"next": "التالي", "previous": "السابق", "review": "مراجعة", "submit": "إرسال",
                             "thanks": "شكرا", "closed": "مغلق", "language": "اللغة", "progress": "سؤال {i} من {n}",
                             "statement": "الاستبيان مجهول"}}
    load_question_set(json.dumps(document).encode(), world.alfa)
    round = make_round(world.alfa, "arabiska", "deltagare_avslut", world.assigned)
    client = Client()
    start = client.get(start_url(round) + "?sprak=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in start and '<span lang="sv">Börja</span>' in start
    client.post(start_url(round), {"sprak": "ar"})
    assert "سؤال 1 من 6" in client.get(page(round, "question", 1)).content.decode()


def test_answers_page_lists_every_error_with_row_column_and_value(surveys, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(surveys.users["admin"])
    url = staff_url(surveys, "answers_import")
    bad = "omgang;svar_id;kanal;sprak;d01\r\ndeltagare;1;papper;sv;hittepa\r\nokand;2;webb;sv;stor\r\n"
    page_text = client.post(url, {"file": SimpleUploadedFile("svar.csv", bad.encode())}).content.decode()
    assert "Filen har 2 fel och har inte lästs in" in page_text
    assert "Rad 2, kolumn d01" in page_text and "hittepa" in page_text and "Rad 3, kolumn omgang" in page_text
    assert Response.objects.count() == 0
    good = "omgang;svar_id;kanal;sprak;d01\r\ndeltagare;1;papper;sv;Till stor del\r\n"
    for _ in range(2):  # the same file twice: one response
        done = client.post(url, {"file": SimpleUploadedFile("svar.csv", good.encode())})
        assert "Filen är inläst" in done.content.decode()
    assert Answer.objects.get().step == "stor"


@pytest.mark.parametrize("language, wanted", [
    ("sv", "Skriv inget personnummer"), ("sv-lattlast", "Skriv inte ditt personnummer"),
    ("en", "Do not write a personal identity number")])
def test_a_refused_free_text_is_explained_to_the_respondent_in_their_language(surveys, language, wanted):
    """The respondent reads why an answer was refused in the page's language, without the question's
    code or the staff's wording about fields and columns."""
    client = Client()
    client.post(start_url(surveys.round), {"sprak": language})
    shown = client.get(page(surveys.round, "question", 6))
    body = client.post(page(surveys.round, "question", 6),
                       {"t": form_token(shown), "svar": "Jag är 19900101-0017"}).content.decode()
    assert wanted in body
    assert "fråga d06" not in body and "kolumnen" not in body
    assert f"lang=\"sv\">{wanted}" not in body  # in the page's language, not marked Swedish
    long = client.post(page(surveys.round, "question", 6), {"t": form_token(shown), "svar": "x" * 2001}).content.decode()
    assert "fråga d06" not in long and "2000" in long


def test_a_reload_of_the_set_while_a_response_is_written_never_breaks_it(surveys, transactional_db, monkeypatch):
    """The set's version (no response yet) is loaded again, with new question rows, just after the
    respondent's questions were read: the response must not be written against deleted questions
    (an IntegrityError, a 500). The questions are read under the set version's lock, so the load
    waits and then finds the version locked."""
    from finsam.surveys.errors import SurveyError

    raw = (DATA / "exempel-fragor-v2.json").read_bytes().replace(b"Passar st\xc3\xb6det", b"Passar hj\xc3\xa4lpen")
    original = services.shown_questions
    outcome = {}

    def read_then_reload(round, language=None):
        questions = original(round, language)
        if "load" not in outcome:
            try:
                outcome["load"] = load_question_set(raw, surveys.alfa)
            except SurveyError as refused:
                outcome["load"] = refused
        return questions

    monkeypatch.setattr(services, "shown_questions", read_then_reload)
    response = services.record_response(surveys.round, channel="papper", language="sv", answers={"d01": "stor"})
    assert isinstance(outcome["load"], SurveyError)  # the version is locked by the response
    assert Answer.objects.get(response=response).question.key == "d01"


def test_a_reload_of_the_set_while_answers_are_imported_is_an_error_not_a_500(surveys, transactional_db, monkeypatch):
    """The same race for the answers file: the file was checked against questions that a load of
    the (unlocked) version replaced before the import wrote. The import refuses in Swedish, writes
    nothing, and may simply be run again."""
    from finsam.surveys import answers as answers_module
    from finsam.surveys.answers import import_answers
    from finsam.surveys.errors import SurveyFileError

    raw = (DATA / "exempel-fragor-v2.json").read_bytes().replace(b"Passar st\xc3\xb6det", b"Passar hj\xc3\xa4lpen")
    original = answers_module.shown_questions
    reloaded = []

    def read_then_reload(round, language=None):
        questions = original(round, language)
        if not reloaded:
            reloaded.append(load_question_set(raw, surveys.alfa))
        return questions

    monkeypatch.setattr(answers_module, "shown_questions", read_then_reload)
    content = "omgang;svar_id;d01\ndeltagare;a1;stor\n".encode()
    with pytest.raises(SurveyFileError) as refused:
        import_answers(content, "svar.csv", surveys.alfa)
    assert "försök igen" in refused.value.errors[0]
    assert not Response.objects.exists()
    monkeypatch.setattr(answers_module, "shown_questions", original)
    assert import_answers(content, "svar.csv", surveys.alfa).created == 1
