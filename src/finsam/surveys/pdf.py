"""PDFs of a round (reportlab, A4, like reports/render_pdf.py: title, author and language set in the
document's metadata): the poster with its QR code, the code slips and the paper questionnaire.

Fonts are the PDF standard ones (Helvetica: Latin-1), which cover Swedish, Lättläst and English;
a set's language in another script prints with missing glyphs (docs/decisions.md).
"""

import io

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import codes, respondent

STYLES = getSampleStyleSheet()
BIG = STYLES["Title"].clone("big", fontSize=26, leading=31)
LARGE = STYLES["BodyText"].clone("large", fontSize=15, leading=20)
BODY = STYLES["BodyText"].clone("body", fontSize=11, leading=15)
QUESTION = STYLES["BodyText"].clone("question", fontSize=12, leading=16, fontName="Helvetica-Bold", spaceBefore=8)
LINK = STYLES["BodyText"].clone("link", fontSize=13, leading=17, fontName="Courier-Bold")
SLIP = STYLES["BodyText"].clone("slip", fontSize=9, leading=12)
SLIP_CODE = STYLES["BodyText"].clone("slipcode", fontSize=20, leading=26, fontName="Courier-Bold")


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _document(buffer, title, round, lang="sv"):
    return SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                             bottomMargin=18 * mm, title=title, author=round.association.name, lang=lang)


class QrCode(Flowable):
    """A QR code drawn as vector squares (segno's matrix), ``size`` wide including its quiet zone."""

    def __init__(self, data, size):
        super().__init__()
        self.qr = segno.make(data, error="m")
        self.size = size

    def wrap(self, *args):
        return self.size, self.size

    def draw(self):
        matrix = [list(row) for row in self.qr.matrix]
        count = len(matrix) + 8  # four modules of quiet zone on each side
        module = self.size / count
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    canvas.rect((x + 4) * module, self.size - (y + 5) * module, module, module, stroke=0, fill=1)


def _statements(round):
    texts = []
    for language in ("sv", "sv-lattlast"):
        texts.append(respondent.PageTexts(round, language).get("statement") if language in _languages(round)
                     else codes.SYSTEM_UI[language]["statement"])
    return texts


def _languages(round):
    return respondent.offered(round)


def poster(round, link):
    """An A4 poster: title, QR code, the link, the last day and the anonymity statement in Swedish
    and in Lättläst."""
    buffer = io.BytesIO()
    document = _document(buffer, f"Affisch: {round.title}", round)
    statement, easy = _statements(round)
    last_day = f"{round.date_to.day}/{round.date_to.month} {round.date_to.year}"
    story = [
        Paragraph(_escape(round.association.name), LARGE),
        Paragraph(_escape(round.title), BIG),
        Paragraph("Svara på enkäten med mobilen: skanna koden med kameran.", LARGE),
        Spacer(1, 4 * mm),
        QrCode(link, 95 * mm),
        Spacer(1, 4 * mm),
        Paragraph("Eller skriv in länken:", BODY),
        Paragraph(_escape(link), LINK),
        Spacer(1, 4 * mm),
        Paragraph(f"<b>Sista dag att svara:</b> {_escape(last_day)}", LARGE),
        Spacer(1, 4 * mm),
        Paragraph(_escape(statement), LARGE),
        Paragraph(f"<b>Lättläst:</b> {_escape(easy)}", LARGE),
    ]
    if round.codes_required:
        story.append(Paragraph("Du behöver koden på lappen du fick. Koden visar inte vem du är.", LARGE))
    document.build(story)
    return buffer.getvalue()


def code_slips(round, link, issued):
    """One slip per code, ten to a page, to cut apart: the link, the code, the anonymity statement.
    The codes exist only in this file (the database keeps keyed hashes)."""
    buffer = io.BytesIO()
    document = _document(buffer, f"Kodlappar: {round.title}", round)
    statement = _statements(round)[0]
    cells = []
    for code in issued:
        cells.append([
            Paragraph(f"<b>{_escape(round.title)}</b>", SLIP),
            Paragraph(_escape(link), SLIP),
            Paragraph(f"Din kod: <font name='Courier-Bold' size='18'>{_escape(code)}</font>", SLIP_CODE),
            Paragraph(_escape(statement), SLIP),
        ])
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    if rows and len(rows[-1]) == 1:
        rows[-1].append("")
    table = Table(rows, colWidths=[87 * mm, 87 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
    ]))
    document.build([table])
    return buffer.getvalue()


def paper_questionnaire(round, language):
    """The questionnaire on paper in ``language``: each question with its options as boxes to tick,
    one below the other (never a grid), free text with lines to write on."""
    buffer = io.BytesIO()
    texts = respondent.PageTexts(round, language)
    document = _document(buffer, round.title, round, lang="sv" if language == "sv-lattlast" else language)
    story = [Paragraph(_escape(round.association.name), BODY), Paragraph(_escape(round.title), STYLES["Title"]),
             Paragraph(_escape(texts.get("statement")), BODY), Spacer(1, 4 * mm)]
    questions = respondent.shown(round, language)
    for q in questions:
        block = [Paragraph(f"{q.number}. {_escape(q.text)}", QUESTION)]
        if q.free_text:
            lines = Table([[""]] * 4, colWidths=[170 * mm], rowHeights=[9 * mm] * 4)
            lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.grey)]))
            block.append(lines)
        else:
            for option in q.options:
                block.append(Paragraph(f"<font name='ZapfDingbats'>o</font>&nbsp;&nbsp;{_escape(option.label)}", BODY))
        story.append(KeepTogether(block))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(_escape(texts.get("thanks")), LARGE))
    document.build(story)
    return buffer.getvalue()
