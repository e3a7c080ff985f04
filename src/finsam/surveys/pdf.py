"""PDFs of a round, tagged A4 portrait (core/pdf.py, templates surveys/pdf/*.html): the poster with its
QR code, the code slips and the paper questionnaire.

The font is DejaVu Sans (Unicode): Swedish, Lättläst, English and a set's languages in other scripts
print; right-to-left languages are laid out right to left (``dir``)."""

import segno
from django.utils.safestring import mark_safe

from finsam.core import pdf

from . import codes, respondent, texts


def _statements(round):
    result = []
    for language in ("sv", "sv-lattlast"):
        result.append(respondent.PageTexts(round, language).get("statement") if language in _languages(round)
                      else codes.SYSTEM_UI[language]["statement"])
    return result


def _languages(round):
    return respondent.offered(round)


def qr_svg(link):
    """The QR code of ``link`` as inline SVG (vector squares, four modules of quiet zone), its <title>
    the text alternative (the tagged PDF's /Alt of the figure)."""
    qr = segno.make(link, error="m")
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code",
                        title=f"QR-kod med länken till enkäten: {link}")  # segno escapes it
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


def poster(round, link):
    """An A4 poster: title, QR code, the link, the last day and the anonymity statement in Swedish
    and in Lättläst."""
    statement, easy = _statements(round)
    return pdf.render("surveys/pdf/poster.html", {
        "round": round, "link": link, "qr": qr_svg(link), "statement": statement, "easy": easy,
        "last_day": f"{round.date_to.day}/{round.date_to.month} {round.date_to.year}",
    })


def code_slips(round, link, issued):
    """One slip per code, ten to a page, to cut apart: the link, the code, the anonymity statement.
    The codes exist only in this file (the database keeps keyed hashes)."""
    return pdf.render("surveys/pdf/code_slips.html", {
        "round": round, "link": link, "issued": issued, "statement": _statements(round)[0],
    })


def paper_questionnaire(round, language):
    """The questionnaire on paper in ``language``: each question with its options as boxes to tick,
    one below the other (never a grid), free text with lines to write on."""
    page_texts = respondent.PageTexts(round, language)
    return pdf.render("surveys/pdf/paper.html", {
        "round": round, "lang": texts.html_lang(language), "dir": texts.direction(language),
        "statement": page_texts.get("statement"), "thanks": page_texts.get("thanks"),
        "questions": respondent.shown(round, language),
    })
