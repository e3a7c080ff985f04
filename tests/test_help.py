"""The user guide served by the app at /hjalp/: reachable from every page and without login,
rendered with every text escaped, and part of the installed package."""

from importlib import resources
from pathlib import Path

import pytest
from django.urls import reverse

from finsam.core import guide
from finsam.tenancy.models import RESERVED_SLUGS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "anvandarguide.md"


@pytest.mark.django_db
def test_guide_is_served_without_login(client):
    response = client.get(reverse("help"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Användarguide</h1>" in html
    assert '<a class="help-link" href="/hjalp/" aria-current="page">Hjälp</a>' in html
    assert '<a href="#logga-in">Logga in</a>' in html and '<h2 id="logga-in">' in html
    assert '<a href="#oversikt">Översikt</a>' in html  # the start page's section
    assert '<th scope="col">roll</th>' in html  # a table of the guide


@pytest.mark.django_db
def test_every_page_links_the_guide(client, world, login):
    assert 'href="/hjalp/"' in client.get(reverse("login")).content.decode()
    for role in ("admin", "reader"):
        html = login(world.users[role]).get(reverse("reports:overview", args=["alfa"])).content.decode()
        assert 'href="/hjalp/"' in html


def test_guide_text_is_the_docs_file():
    """The package's copy (a symlink in the source tree, a file in a wheel) is docs/anvandarguide.md."""
    assert guide.guide_text() == DOCS.read_text(encoding="utf-8")
    assert resources.files("finsam.core").joinpath(guide.GUIDE).is_file()


def test_package_data_includes_the_guide():
    pyproject = (DOCS.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"guide/*"' in pyproject


def test_hjalp_is_not_an_association_slug():
    assert "hjalp" in RESERVED_SLUGS


def test_html_in_the_guide_is_escaped():
    g = guide.render("# T\n\n## A <b>\n\nText <script>alert(1)</script> **fet** `<kod>` [x](javascript:alert(1)) "
                     "[y](https://example.org/?a=1&b=2)\n\n| a | b |\n|---|---|\n| <i> | 2 |\n\n- en\n  två\n- tre\n")
    assert "<script>" not in g.body and "&lt;script&gt;" in g.body
    assert "<b>" not in g.body and "<i>" not in g.body
    assert "javascript:" not in g.body.replace("javascript:alert(1)", "")  # shown as text only
    assert '<a href="javascript' not in g.body
    assert '<a href="https://example.org/?a=1&amp;b=2">y</a>' in g.body
    assert "<strong>fet</strong>" in g.body and "<code>&lt;kod&gt;</code>" in g.body
    assert "<ul>\n<li>en\ntvå</li>\n<li>tre</li>\n</ul>" in g.body  # a list item continued on an indented line
    assert g.toc == (("a-b", "A <b>"),)
    assert g.title == "T"


def test_anchors_are_unique_ascii():
    taken = set()
    assert [guide.anchor(t, taken) for t in ("Översikt", "Översikt", "Läsa in deltagarfil", "!!")] == [
        "oversikt", "oversikt-2", "lasa-in-deltagarfil", "avsnitt"]
