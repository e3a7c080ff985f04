"""Attacks on the tagged PDFs (core/pdf.py and its templates): user text that is one long word, or
long enough to fill a code slip, must never hide what the PDF is for (a report's numbers, a code,
a question). The PDFs are laid out again here with WeasyPrint and every text box is checked to lie
on its page and inside every box that clips its content (overflow other than visible)."""

import datetime
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from finsam.core import pdf
from finsam.reports import render_pdf
from finsam.statistics.engine import compute_report
from finsam.surveys import pdf as survey_pdf
from finsam.surveys.models import Round
from finsam.surveys.questions import load_question_set

from tests.conftest import DATA

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
LINK = "https://finsam-uppfoljning.samordningsforbundet-exempelstad.se/alfa/e/"


def hidden_text(html):
    """The text boxes of ``html`` laid out as core/pdf.py lays it out that nobody can see: beyond
    the page's edges, or outside an ancestor that clips its overflow. [(page, text)]. The visually
    hidden headings (for a screen reader, by design) are left out."""
    document = HTML(string=html, base_url=None, url_fetcher=pdf.refusing_fetcher()).render()
    found = []

    def walk(box, clip, number):
        element = getattr(box, "element", None)
        if element is not None and "visually-hidden" in (element.get("class") or "").split():
            return
        if isinstance(box, boxes.TextBox):
            x0, y0, x1, y1 = clip
            if (box.position_x < x0 - 0.5 or box.position_x + box.width > x1 + 0.5
                    or box.position_y < y0 - 0.5 or box.position_y + box.height > y1 + 0.5):
                found.append((number, box.text[:40]))
            return
        if box.style["overflow"] != "visible" and not isinstance(box, boxes.PageBox):
            x, y = box.padding_box_x(), box.padding_box_y()
            clip = (max(clip[0], x), max(clip[1], y), min(clip[2], x + box.padding_width()),
                    min(clip[3], y + box.padding_height()))
        for child in getattr(box, "children", ()):
            walk(child, clip, number)

    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        walk(page_box, (0, 0, page_box.margin_width(), page_box.margin_height()), number)
    return found


@pytest.fixture
def written(monkeypatch):
    """The HTML of every PDF made while the test runs (core/pdf.html_to_pdf still makes the PDF)."""
    documents = []
    real = pdf.html_to_pdf

    def spy(html):
        documents.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", spy)
    return documents


def text_of(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_checker_sees_text_off_the_page_and_clipped():
    """hidden_text can fail: a long word beyond the page, a line cut off by overflow: hidden."""
    page = '<html lang="sv"><head><title>T</title></head><body>{}</body></html>'
    assert hidden_text(page.format("<p>" + "X" * 500 + "</p>"))
    assert hidden_text(page.format('<div style="height: 5mm; overflow: hidden"><p>a</p><p>b</p><p>c</p></div>'))
    assert hidden_text(page.format("<p>ord " * 50 + "</p>")) == []


def test_a_long_insats_name_never_pushes_a_reports_numbers_off_the_page(finance_example, written):
    """Before: one 200-character word as an insats name widened the row labels' column so that the
    flow table's number columns lay beyond the page's edge (printed nowhere)."""
    intervention = finance_example.interventions.get(slug="novum")
    intervention.name = "Novum" + "X" * 195  # the longest name the field takes, no space to break at
    intervention.save()
    report = compute_report(finance_example, *YEAR, tables=["flow", "finance", "exit_reason"])
    render_pdf.render(report)
    assert hidden_text(written[-1]) == []


@pytest.fixture
def long_texts(world):
    """A round whose every user text is as long as its file or form allows, one word where it can be."""
    document = json.loads((DATA / "exempel-fragor-v2.json").read_bytes())
    document["questions"][0]["text"]["sv"] = "Fråga" + "Q" * 995
    document["scales"][0]["steps"][0]["label"]["sv"] = "Steg" + "S" * 196
    document["ui"] = {"sv": {"statement": ("Enkäten är anonym och ingen kan se vem som svarat. " * 20)[:1000]}}
    load_question_set(json.dumps(document).encode(), world.alfa)
    world.alfa.name = "Samordningsförbundet" + "A" * 180
    world.alfa.save()
    world.round = Round.objects.create(
        association=world.alfa, key="lang", title="Omgång" + "T" * 294,
        question_set=world.alfa.question_sets.get(key="exempel-indikatorer", version=2),
        respondent_group="deltagare_avslut", intervention=world.assigned,
        date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 12, 31), status="oppen")
    return world


def test_long_texts_are_seen_whole_on_the_survey_pdfs(long_texts, written):
    """Before: the title and the statement filled a code slip (fixed height, overflow hidden), so its
    code was clipped away: issued, counted and printed nowhere. A 1 000-character question was cut
    at the page's edge, and the footer pressed "Sida 1 av 1" into a column of syllables."""
    round = long_texts.round
    issued = ["ABCDEFGH", "KMNPQRST", "ZXCVBNMQ"]
    slips = survey_pdf.code_slips(round, LINK + round.token, issued)
    assert hidden_text(written[-1]) == []
    text = text_of(slips)
    assert all(code in text for code in issued)
    assert "Sida 1 av" in text
    survey_pdf.paper_questionnaire(round, "sv")
    assert hidden_text(written[-1]) == []
    survey_pdf.poster(round, LINK + round.token)
    assert hidden_text(written[-1]) == []


def test_a_long_insats_name_fits_the_register_extract(world, login, written):
    world.assigned.name = "Aktivitetsplatsen" + "X" * 183
    world.assigned.save()
    client = login(world.users["manager"])
    response = client.post(reverse("participants:extract", args=["alfa"]),
                           {"identitet": "19900101-0017", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hidden_text(written[-1]) == []



def _question_set(questions, steps=4):
    """The example question set in Swedish only with ``questions`` questions of the longest text and a
    scale ``grad4`` of ``steps`` steps."""
    document = json.loads((DATA / "exempel-fragor-v2.json").read_bytes())
    document.update(key="stor", languages=["sv"], indicators=[])
    document.pop("ui", None)
    for scale in document["scales"]:
        scale["steps"] = [{**step, "label": {"sv": step["label"]["sv"]}} for step in scale["steps"]]
        if scale.get("dont_know"):
            scale["dont_know"] = {"sv": scale["dont_know"]["sv"]}
    grad4 = next(s for s in document["scales"] if s["key"] == "grad4")
    grad4["steps"] = [{"code": f"s{i}", "bucket": "positiv" if i < steps // 2 else "negativ", "label": {"sv": f"Steg {i}"}}
                      for i in range(steps)]
    document["questions"] = [{"key": f"q{i}", "groups": ["deltagare_avslut"], "scale": "grad4",
                              "text": {"sv": (f"Fråga {i} " + "ord " * 250)[:1000]}} for i in range(questions)]
    return json.dumps(document).encode()


def test_a_question_set_is_bounded_so_its_paper_form_is(world):
    """The paper questionnaire is made in the request, one question after the other. Before: no limit
    on questions or steps, so a set of 1 000 questions (a 1 MB file) held the request 18 s, and the
    20 MB a file may be could hold 18 000 (about 6 minutes); a scale could have thousands of steps,
    each printed under every question. Now at most MAX_QUESTIONS questions and MAX_STEPS steps, each
    refused with one Swedish line and nothing stored."""
    from finsam.surveys.errors import SurveyFileError
    from finsam.surveys.questions import MAX_QUESTIONS, MAX_STEPS

    with pytest.raises(SurveyFileError) as refused:
        load_question_set(_question_set(MAX_QUESTIONS + 1), world.alfa)
    assert refused.value.errors == [f"questions: en frågeuppsättning får ha högst {MAX_QUESTIONS} frågor "
                                    f"(filen har {MAX_QUESTIONS + 1})."]
    with pytest.raises(SurveyFileError) as refused:
        load_question_set(_question_set(3, steps=MAX_STEPS + 1), world.alfa)
    [error] = refused.value.errors
    assert error.endswith(f"steps: en skala får ha högst {MAX_STEPS} steg (den har {MAX_STEPS + 1}).")
    assert not world.alfa.question_sets.filter(key="stor").exists()
    load_question_set(_question_set(MAX_QUESTIONS, steps=MAX_STEPS), world.alfa)
    assert world.alfa.question_sets.get(key="stor").questions.count() == MAX_QUESTIONS
