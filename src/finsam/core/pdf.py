"""Every PDF of the app: HTML (a Django template) to a tagged PDF/UA-1 file with WeasyPrint.

Tagged: a structure tree (/StructTreeRoot, /MarkInfo Marked) from the HTML's elements (h1–h3, p,
lists, table/thead/tbody/tr/th/td with their headers, an inline SVG as /Figure with its <title> as
/Alt), the document language from ``<html lang>``, the title from ``<title>`` shown as the window's
title (DisplayDocTitle). Fonts come from fontconfig by name (``core/pdf.css``: DejaVu Sans, whose
glyphs cover Latin, Greek, Cyrillic, Arabic and more; Pango falls back to any installed font for
other scripts) and are embedded as subsets.

The HTML holds user text (insats names, notes, question texts). Templates autoescape it, and as a
second wall WeasyPrint gets a URL fetcher that refuses every URL: no ``file://``, ``http(s)://`` or
``data:`` is ever read, whatever an ``<img>``, ``<link>``, ``url()`` or SVG ``<image>`` asks for.
The app's PDFs need nothing outside their HTML (style inline, fonts from the system, charts and QR
codes inline SVG)."""

import logging
import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeData

logger = logging.getLogger(__name__)

VARIANT = "pdf/ua-1"


class FetchRefused(ValueError):
    """WeasyPrint catches it, logs a warning and leaves the resource out; the PDF is still made."""


def refusing_fetcher():
    """WeasyPrint's url_fetcher: nothing is fetched, ever (see the module's docstring). A subclass of
    its URLFetcher (WeasyPrint reads the fetcher's attributes), with no protocol allowed and a
    ``fetch`` that opens nothing."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            logger.warning("PDF: refused to fetch %s", url[:80])
            raise FetchRefused(f"Finsam fetches no URL while making a PDF: {url[:80]}")

    return RefusingFetcher()


# A word longer than this gets a zero-width space after every BREAK_EVERY characters (breakable).
BREAK_EVERY = 25
_LONG_WORD = re.compile(r"\S{%d}(?=\S)" % BREAK_EVERY)


def breakable(text):
    """``text`` for a table cell of a PDF: a word longer than BREAK_EVERY characters (an insats's
    name may be 200 characters without a space) gets a zero-width space, a break opportunity, after
    every BREAK_EVERY characters. Without one the word is the column's narrowest width, and the
    number columns beside it are pushed off the page (printed nowhere). Ordinary words are left as
    they are, so the table's layout is the same; HTML that is already safe is left alone."""
    if isinstance(text, SafeData):
        return text
    return _LONG_WORD.sub(lambda match: match.group(0) + "\u200b", str(text))


def html_to_pdf(html):
    """``html``: a whole document (``<html lang>`` and ``<title>`` set). Returns the PDF's bytes."""
    from weasyprint import HTML

    # base_url=None: a relative URL resolves to nothing, an absolute one reaches the fetcher and stops.
    return HTML(string=html, base_url=None, url_fetcher=refusing_fetcher()).write_pdf(pdf_variant=VARIANT)


def render(template, context):
    """A template (extending ``core/pdf_base.html``) as a tagged PDF."""
    return html_to_pdf(render_to_string(template, context))
