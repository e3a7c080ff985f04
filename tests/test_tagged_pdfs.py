"""Every PDF is tagged (PDF/UA-1, WCAG 2.1 AA): read back with pikepdf, a real report (finance tables,
charts, published and masked), the paper questionnaire, the poster and the register extract carry a
structure tree with headings, tables with header cells and figures with a text alternative; the
language, the title shown as the window's title, embedded fonts and A4. And the PDF writer fetches no
URL whatever the HTML asks for (core/pdf.py)."""

import datetime
import io
import logging

import pikepdf
import pytest
from django.urls import reverse
from pypdf import PdfReader

from finsam.core import pdf
from finsam.reports import formatting, render_pdf
from finsam.reports.html import table_view
from finsam.statistics.engine import compute_report
from finsam.surveys.questions import load_question_set

from tests.conftest import DATA
from tests.test_surveys_web import make_round

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
A4_LANDSCAPE, A4_PORTRAIT = (842, 595), (595, 842)
FINANCE_STATEMENTS = ("income_statement", "balance_sheet", "cash_flow")


class Tagged:
    """What a PDF's catalogue and structure tree say, collected once."""

    def __init__(self, content):
        self.pdf = pikepdf.open(io.BytesIO(content))
        root = self.pdf.Root
        self.marked = bool(root.get("/MarkInfo", {}).get("/Marked", False))
        self.lang = str(root.get("/Lang", ""))
        self.display_title = bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False))
        self.title = str(self.pdf.docinfo.get("/Title", ""))
        self.sizes = {(round(float(p.mediabox[2] - p.mediabox[0])), round(float(p.mediabox[3] - p.mediabox[1])))
                      for p in self.pdf.pages}
        self.elements = []  # (tag, element, [tags of ancestors])
        tree = root.get("/StructTreeRoot")
        if tree is not None:
            self._walk(tree.get("/K"), [])
        self.text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)

    def _walk(self, kids, ancestors):
        if kids is None:
            return
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                self._walk(kid, ancestors)
            return
        if not isinstance(kids, pikepdf.Dictionary) or "/S" not in kids:
            return  # a marked-content id or an annotation's reference
        tag = str(kids.S)[1:]
        self.elements.append((tag, kids, ancestors))
        self._walk(kids.get("/K"), ancestors + [tag])

    def tags(self, tag):
        return [element for t, element, _ in self.elements if t == tag]

    def inside(self, element, tag):
        """The elements of ``tag`` under ``element``."""
        found = []

        def walk(kids):
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid)
            elif isinstance(kids, pikepdf.Dictionary) and "/S" in kids:
                if str(kids.S)[1:] == tag:
                    found.append(kids)
                walk(kids.get("/K"))

        walk(element.get("/K"))
        return found

    def fonts(self):
        """(name, embedded) of every font the pages use."""
        result = []
        for page in self.pdf.pages:
            for _, font in (page.Resources.get("/Font") or {}).items():
                fonts = list(font.get("/DescendantFonts", [])) or [font]
                for f in fonts:
                    descriptor = f.get("/FontDescriptor", {})
                    embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                    result.append((str(f.get("/BaseFont", "")), embedded))
        return result

    def assert_document(self, lang, size, title_contains):
        assert self.marked, "MarkInfo /Marked"
        assert self.lang == lang
        assert self.display_title and title_contains in self.title
        assert self.sizes == {size}
        fonts = self.fonts()
        assert fonts and all(embedded for _, embedded in fonts), fonts
        assert any("DejaVu-Sans" in name for name, _ in fonts), fonts
        assert len(self.tags("H1")) == 1
        assert not [a for t, _, a in self.elements if t == "Table" and "Table" in a], "a table inside a table"


@pytest.fixture
def surveys_world(world):
    load_question_set((DATA / "exempel-fragor-v2.json").read_bytes(), world.alfa)
    world.round = make_round(world.alfa, "deltagare", "deltagare_avslut", world.assigned)
    return world


def words(text):
    return " ".join(text.replace(formatting.NBSP, " ").split())


@pytest.fixture
def finance_year(finance_example):
    return compute_report(finance_example, *YEAR)


def test_a_report_pdf_is_tagged_with_its_tables_and_charts(finance_year):
    report = finance_year
    assert {t.id for t in report.tables} >= set(FINANCE_STATEMENTS)
    doc = Tagged(render_pdf.render(report))
    doc.assert_document("sv", A4_LANDSCAPE, report.association.name)
    # Each table's heading, and the front page's (Räkneregler, Tabeller i rapporten).
    headings = [str(h.get("/T", "")) for h in doc.tags("H2")]
    assert len(doc.tags("H2")) == len(report.tables) + 2, headings
    views = [table_view(t, report.unit, block_columns=render_pdf.BLOCK_COLUMNS) for t in report.tables]
    # Every printed table (a wide one in blocks of columns) is a /Table with a header row of /TH and a
    # /TD per cell, each row led by its label as a /TH. (WeasyPrint tags a table running over pages as
    # one /Table per page, each with the repeated header row; the example's tables each fit a page.)
    tables = doc.tags("Table")
    blocks = [b for v in views for b in v["blocks"]]
    assert len(tables) == len(blocks)
    for table, block in zip(tables, blocks):
        rows = doc.inside(table, "TR")
        assert len(rows) == 1 + max(1, len(block["rows"]))
        assert len(doc.inside(table, "THead")) == 1 and len(doc.inside(table, "TBody")) == 1
        header_cells = len(block["columns"]) + len(block["share_columns"]) + 1
        assert len(doc.inside(table, "TH")) == header_cells + len(block["rows"])
        assert len(doc.inside(table, "TD")) == len(block["rows"]) * (header_cells - 1)
    assert any(len(v["blocks"]) > 1 for v in views)  # the flow table, split so that nothing is cut off
    # Every chart is a /Figure with its text alternative.
    charts = [v for v in views if v["chart"]]
    figures = doc.tags("Figure")
    assert charts and len(figures) == len(charts)
    for figure, view in zip(figures, charts):
        assert str(figure.Alt) == f"Diagram: {view['chart_title']}. Samma uppgifter finns i tabellen nedan."
    # The statements print whole (every cell of each on one page) with every amount as on the page.
    text = words(doc.text)
    for table_id in FINANCE_STATEMENTS:
        table = report.table(table_id)
        [printed] = [t for t, v in zip(tables, blocks) if v is views[report.tables.index(table)]["blocks"][0]]
        assert len({doc.pdf.get_object(c.Pg.objgen).objgen for c in doc.inside(printed, "TD")}) == 1, table_id
        for key, label in table.rows:
            line = " ".join([label] + [formatting.cell(table, key, c, report.unit) for c, _ in table.columns])
            assert words(line) in text, line
    assert f"Sida 1 av {len(doc.pdf.pages)}" in doc.text
    assert f"{report.association.name} · 2024-01-01 – 2024-12-31" in doc.text


def test_a_published_report_pdf_is_tagged_and_says_what_is_masked(finance_example):
    report = compute_report(finance_example, *YEAR, publish=True, tables=["flow", "exit_reason", "finance"])
    assert any(t.masked for t in report.tables)  # the example has small numbers to hide
    doc = Tagged(render_pdf.render(report))
    doc.assert_document("sv", A4_LANDSCAPE, report.association.name)
    assert doc.tags("Table") and doc.tags("TH") and doc.tags("TD") and doc.tags("Figure")
    assert all(str(f.get("/Alt", "")).strip() for f in doc.tags("Figure"))
    text = words(doc.text)
    assert f"dolt för att skydda enskilda: antal under {report.threshold}" in text
    masked = next(t for t in report.tables if t.masked)
    lines = [" ".join([r["label"], *r["cells"], *r["shares"]])
             for b in table_view(masked, report.unit, block_columns=render_pdf.BLOCK_COLUMNS)["blocks"] for r in b["rows"]]
    assert any(formatting.MASKED in line.split() for line in lines)
    for line in lines:
        assert words(line) in text, line


def test_a_publications_pdf_carries_its_title(finance_example):
    """The front page and the window title name the publication, as the board knows it."""
    from finsam.reports.publishing import publish_report

    admin = finance_example.role_assignments.first().user
    published = publish_report(finance_example, date_from=YEAR[0], date_to=YEAR[1], interventions=["novum"],
                               title="Årsrapport 2024 <b>till styrelsen</b>", user=admin)
    doc = Tagged(render_pdf.render(published.report()))
    doc.assert_document("sv", A4_LANDSCAPE, "Årsrapport 2024 <b>till styrelsen</b> – Statistik")
    assert words(doc.text).startswith("Årsrapport 2024 <b>till styrelsen</b> Publicerad rapport Årsrapport 2024")


def test_the_paper_questionnaire_and_the_poster_are_tagged(surveys_world):
    from finsam.surveys import pdf as survey_pdf
    from finsam.surveys import respondent

    round = surveys_world.round
    for language, lang in (("sv", "sv"), ("en", "en"), ("sv-lattlast", "sv")):
        doc = Tagged(survey_pdf.paper_questionnaire(round, language))
        doc.assert_document(lang, A4_PORTRAIT, round.title)
        questions = respondent.shown(round, language)
        assert len(doc.tags("H2")) == len(questions)
        for q in questions:
            assert words(f"{q.number}. {q.text}") in words(doc.text)
    link = f"https://finsam.example/e/{round.token}"
    doc = Tagged(survey_pdf.poster(round, link))
    doc.assert_document("sv", A4_PORTRAIT, round.title)
    [qr] = doc.tags("Figure")
    assert str(qr.Alt) == f"QR-kod med länken till enkäten: {link}"
    assert round.token in doc.text.replace("\n", "")
    doc = Tagged(survey_pdf.code_slips(round, link, ["ABCDEFGH", "KMNPQRST"]))
    doc.assert_document("sv", A4_PORTRAIT, round.title)
    assert "ABCDEFGH" in doc.text and "KMNPQRST" in doc.text


def test_any_script_prints_with_an_embedded_font(surveys_world):
    """A question set's language in another script prints its own glyphs (not Latin-1 only)."""
    from finsam.surveys import pdf as survey_pdf

    round = surveys_world.round
    round.title = "Enkät 2024: Ελληνικά, Русский, العربية"
    doc = Tagged(survey_pdf.poster(round, "https://finsam.example/e/x"))
    assert "Ελληνικά" in doc.text and "Русский" in doc.text
    assert all(embedded for _, embedded in doc.fonts())


def test_the_register_extract_is_tagged(world, login):
    from finsam.participants.models import ParticipationChange

    ParticipationChange.objects.create(participation=world.participation, user=world.users["manager"],
                                       action="updated", changes={"education": ["", "gymnasial"]})
    client = login(world.users["manager"])
    response = client.post(reverse("participants:extract", args=["alfa"]),
                           {"identitet": "19900101-0017", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    doc = Tagged(response.content)
    doc.assert_document("sv", A4_PORTRAIT, world.alfa.name)
    # Uppgifter, historik, åtkomstlogg (a table running over a page break is one /Table per page).
    assert len(doc.tags("Table")) >= 3
    for table in doc.tags("Table"):
        assert doc.inside(table, "THead") and doc.inside(table, "TH") and doc.inside(table, "TD")
    text = words(doc.text)
    assert f"Deltagande {world.participation.pk} i Aktivitetsplatsen" in text
    assert "Utbildning: – → Gymnasial" in text and "19900101" not in text


HOSTILE = {
    "file:///etc/passwd": '<img src="file:///etc/passwd" alt="x">',
    "file:///etc/hostname": '<link rel="stylesheet" href="file:///etc/hostname">',
    "http://127.0.0.1:9/bakgrund.png": '<div style="background: url(http://127.0.0.1:9/bakgrund.png)">text</div>',
    "http://127.0.0.1:9/import.css": "<style>@import url(http://127.0.0.1:9/import.css);</style>",
    "file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf":
        "<style>@font-face { font-family: X; src: url(file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf); }"
        " p { font-family: X; }</style>",
    "file:///etc/os-release": '<svg width="10" height="10"><image href="file:///etc/os-release" width="10" height="10"/></svg>',
    "data:image/png;base64,iVBORw0KGgo=": '<img src="data:image/png;base64,iVBORw0KGgo=" alt="y">',
}


@pytest.fixture
def opened(monkeypatch):
    """Every URL urllib is asked to open (WeasyPrint's own fetcher opens file, http and data URLs
    through it)."""
    import urllib.request

    calls = []
    real = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        calls.append(getattr(url, "full_url", url))
        return real(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    return calls


def test_the_pdf_writer_fetches_no_url(opened, caplog):
    from weasyprint import HTML

    html = f'<html lang="sv"><head><title>T</title></head><body><h1>T</h1><p>p</p>{"".join(HOSTILE.values())}</body></html>'
    # The test can fail: WeasyPrint's default fetcher opens these URLs.
    HTML(string=html).write_pdf()
    assert set(opened) >= {"file:///etc/passwd", "file:///etc/hostname"}
    opened.clear()
    caplog.set_level(logging.WARNING, logger="finsam.core.pdf")
    content = pdf.html_to_pdf(html)
    assert content.startswith(b"%PDF") and opened == []
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "finsam.core.pdf")
    for url in HOSTILE:
        assert f"refused to fetch {url[:80]}" in refused, url
    assert "root:" not in PdfReader(io.BytesIO(content)).pages[0].extract_text()


def test_user_text_that_looks_like_html_or_css_prints_as_text(finance_example, opened, caplog):
    """Autoescaping is the first wall: an insats's name is text, nothing in it is fetched."""
    name = '<img src=file:///etc/passwd> url(http://127.0.0.1:9/x) <style>@import "file:///etc/hostname";</style>'
    intervention = finance_example.interventions.get(slug="novum")
    intervention.name = name
    intervention.save()
    caplog.set_level(logging.WARNING, logger="finsam.core.pdf")
    report = compute_report(finance_example, *YEAR, tables=["flow", "finance"])
    assert name in [label for t in report.tables for _, label in t.rows]
    text = words(Tagged(render_pdf.render(report)).text)
    assert words(name) in text
    assert opened == [] and not [r for r in caplog.records if r.name == "finsam.core.pdf"]
