"""The user guide (docs/anvandarguide.md) as an HTML page of the app, with a table of contents.

Rendered with markdown-it-py (CommonMark and tables) with raw HTML turned off, so the page shows
the guide's text and nothing else; headings get ASCII anchors and the level-2 ones make the table
of contents.

The file is docs/anvandarguide.md, where the developers keep it; ``finsam/core/guide/`` holds a
symbolic link to it, which the package data of pyproject.toml turns into a copy in a wheel, so an
installed app serves the same guide (tests/test_help.py).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

GUIDE = "guide/anvandarguide.md"


def guide_text():
    return resources.files("finsam.core").joinpath(GUIDE).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Guide:
    title: str
    toc: tuple  # ((anchor, heading), ...) of the level-2 headings
    body: str  # HTML, everything in it escaped


def anchor(text, taken):
    """An ASCII id for a heading (å, ä, ö → a, a, o), unique on the page."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "avsnitt"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


# CommonMark with tables; raw HTML is escaped (html=False), and links to javascript:, vbscript:,
# file: and data: are not made (markdown-it's validateLink).
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def render(text):
    tokens = _MARKDOWN.parse(text)
    toc, taken, title, drop = [], set(), "Användarguide", set()
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            words = tokens[i + 1].content
            if token.tag == "h1":  # the page's own heading
                title = words
                drop |= {i, i + 1, i + 2}
                continue
            name = anchor(words, taken)
            token.attrSet("id", name)
            if token.tag == "h2":
                toc.append((name, words))
        elif token.type == "th_open":
            token.attrSet("scope", "col")
    body = _MARKDOWN.renderer.render([t for i, t in enumerate(tokens) if i not in drop], _MARKDOWN.options, {})
    # Wide tables scroll on a phone rather than the page (raw HTML is escaped, so only the
    # renderer's own tags match).
    body = body.replace("<table>", '<div class="table-scroll"><table>').replace("</table>", "</table></div>")
    return Guide(title, tuple(toc), body)


@lru_cache(maxsize=4)
def _rendered(text):
    return render(text)


def guide():
    """The guide, rendered once per content of the file."""
    rendered = _rendered(guide_text())
    return rendered.title, rendered.toc, mark_safe(rendered.body)  # noqa: S308 - every text escaped in render()
