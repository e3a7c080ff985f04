"""The user guide (docs/anvandarguide.md) as an HTML page of the app, with a table of contents.

The guide is written in the small part of Markdown it uses: headings, paragraphs, lists whose
items continue on indented lines, pipe tables, **fet**, *kursiv*, `kod` and links. That part is
rendered here, in about a hundred lines, rather than with a Markdown library (none is installed,
and a general renderer would pass raw HTML through unless configured not to): every piece of text
is escaped first, so the page shows the guide's text and nothing else; only http(s) and in-page
links become links.

The file is docs/anvandarguide.md, where the developers keep it; ``finsam/core/guide/`` holds a
symbolic link to it, which the package data of pyproject.toml turns into a copy in a wheel, so an
installed app serves the same guide (tests/test_help.py).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from django.utils.html import escape
from django.utils.safestring import mark_safe

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


_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*|\[([^\]]+)\]\(([^)\s]+)\)")


def inline(text):
    """Escaped text with code, strong, emphasis and (http(s) or #) links."""
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        code, strong, em, label, href = m.groups()
        if code is not None:
            out.append(f"<code>{escape(code)}</code>")
        elif strong is not None:
            out.append(f"<strong>{inline(strong)}</strong>")
        elif em is not None:
            out.append(f"<em>{inline(em)}</em>")
        elif href.startswith(("https://", "http://", "#")):
            out.append(f'<a href="{escape(href)}">{inline(label)}</a>')
        else:
            out.append(inline(label))
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def render(text):
    lines = text.splitlines()
    html, toc, taken, title = [], [], set(), "Användarguide"
    paragraph, items = [], []

    def flush():
        if paragraph:
            html.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{inline(' '.join(item))}</li>" for item in items) + "</ul>")
            items.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level, words = len(heading.group(1)), heading.group(2).strip()
            if level == 1:
                title = words
            else:
                name = anchor(words, taken)
                if level == 2:
                    toc.append((name, words))
                html.append(f'<h{level} id="{name}">{inline(words)}</h{level}>')
        elif stripped.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            i -= 1
            header, body = rows[0], [r for r in rows[1:] if not all(re.fullmatch(r":?-+:?", c) for c in r)]
            html.append('<div class="table-scroll"><table><thead><tr>'
                        + "".join(f'<th scope="col">{inline(c)}</th>' for c in header) + "</tr></thead><tbody>"
                        + "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in body)
                        + "</tbody></table></div>")
        elif re.match(r"^[-*]\s+", stripped) and not line.startswith("  "):
            if paragraph:
                flush()
            items.append([re.sub(r"^[-*]\s+", "", stripped)])
        elif items and line.startswith(" "):
            items[-1].append(stripped)
        else:
            if items:
                flush()
            paragraph.append(stripped)
        i += 1
    flush()
    return Guide(title, tuple(toc), "\n".join(html))


@lru_cache(maxsize=4)
def _rendered(text):
    return render(text)


def guide():
    """The guide, rendered once per content of the file."""
    rendered = _rendered(guide_text())
    return rendered.title, rendered.toc, mark_safe(rendered.body)  # noqa: S308 - every text escaped in render()
