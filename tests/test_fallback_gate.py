"""The readability gate (cleaners/fallback_gate.py) skips work, never changes trafilatura's body.

Each extraction through `extract_body` is compared with trafilatura's own `bare_extraction` on a
copy of the same tree, on crafted pages and on every page written for the project's fixtures.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pytest
import trafilatura.external
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction

from cleaners import fallback_gate
from cleaners.decode import decode_html
from cleaners.extract import TRAFILATURA_OPTIONS, parse_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = sorted(
    path
    for folder in ("metadata", "cleaners", "quality", "extract")
    for path in (FIXTURES / folder).rglob("*.html")
)
SENTENCE = (
    "The harbour office said on Monday that the ferry timetable changes from next week, "
    "with the early crossing moved to half past six and a late one added on Fridays."
)
ARTICLE_PAGE = (
    "<html><head><title>Ferry timetable</title><style>p { color: red }</style></head><body>"
    "<script>var tracking = 'a long script text that readability drops first';</script>"
    f"<article><h1>Ferry timetable changes</h1>{f'<p>{SENTENCE}</p>' * 6}</article>"
    "</body></html>"
)
# trafilatura's own extraction takes the short post; the page's long sidebar of loose text, which
# readability may read, is far longer than twice the post.
SIDEBAR_PAGE = (
    "<html><body><article><p>" + SENTENCE + "</p></article>"
    "<div class='column'>" + ("Loose text of the page's second column runs on. " * 60) + "</div>"
    "</body></html>"
)


def ungated_body(tree: HtmlElement, url: str | None = None) -> bytes:
    """trafilatura's body of a copy of the tree, without the gate."""
    document = bare_extraction(deepcopy(tree), url=url, **TRAFILATURA_OPTIONS)
    return etree.tostring(document.body) if document is not None else b""


def gated_body(tree: HtmlElement, url: str | None = None) -> bytes:
    """The body `extract_body` gives for a copy of the tree."""
    document = fallback_gate.extract_body(deepcopy(tree), url, **TRAFILATURA_OPTIONS)
    return etree.tostring(document.body) if document is not None else b""


@pytest.fixture
def readability_pages(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Element counts of the pages trafilatura hands to readability (1: the gate's empty one)."""
    seen: list[int] = []
    real = trafilatura.external.try_readability

    def spy(page: HtmlElement) -> HtmlElement:
        seen.append(sum(1 for _element in page.iter()))
        return real(page)

    monkeypatch.setattr(trafilatura.external, "try_readability", spy)
    return seen


def test_the_gate_is_installed_on_the_checked_trafilatura() -> None:
    assert fallback_gate.INSTALLED


def test_readability_is_skipped_where_it_cannot_win(readability_pages: list[int]) -> None:
    tree = parse_html(ARTICLE_PAGE)
    assert gated_body(tree) == ungated_body(tree)
    gated, ungated = readability_pages
    assert gated == 1
    assert ungated > 1


def test_readability_runs_where_it_can_win(readability_pages: list[int]) -> None:
    tree = parse_html(SIDEBAR_PAGE)
    assert gated_body(tree) == ungated_body(tree)
    assert min(readability_pages) > 1


def test_the_gate_is_closed_outside_extract_body(readability_pages: list[int]) -> None:
    bare_extraction(parse_html(ARTICLE_PAGE), **TRAFILATURA_OPTIONS)
    assert min(readability_pages) > 1


def test_the_bound_holds_what_readability_reads() -> None:
    tree = parse_html(ARTICLE_PAGE)
    fallback_gate.drop_unread_elements(tree)
    page_text = " ".join(etree.tostring(tree, method="text", encoding=str).split())
    assert "tracking" not in page_text
    assert "color" not in page_text
    assert fallback_gate.page_text_bound(tree) == len(page_text)


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_gate_changes_nothing_on_fixture_pages(page_path: Path) -> None:
    tree = parse_html(decode_html(page_path.read_bytes(), None))
    assert gated_body(tree) == ungated_body(tree)
