"""The readability gate (cleaners/fallback_gate.py) skips work, never changes trafilatura's body.

Each extraction through `extract_body` is compared with trafilatura's own `bare_extraction` on a
copy of the same tree, on crafted pages and on every page written for the project's fixtures.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pytest
import trafilatura.core
import trafilatura.external
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import Extractor

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


# Script and style texts between texts of the page, a tail after each, an iframe's label.
UNREAD_PAGE = (
    "<html><head><style>p { color: red }</style></head><body><p>Before<script>var a = 1;"
    "</script>after the script</p>  <style>.b {}</style>tail <b>bold</b><script></script>"
    "<iframe src='/v'></iframe><p>Last words.</p></body></html>"
)


def copied_bound(tree: HtmlElement) -> int:
    """The bound as the gate read it before: on a copy without its unread elements."""
    raw_tree = deepcopy(tree)
    fallback_gate.drop_unread_elements(raw_tree)
    return fallback_gate.page_text_bound(raw_tree)


@pytest.mark.parametrize("html", [UNREAD_PAGE, ARTICLE_PAGE, SIDEBAR_PAGE])
def test_the_bound_is_read_from_the_page_itself(html: str) -> None:
    tree = parse_html(html)
    before = etree.tostring(tree)
    assert fallback_gate.unread_text_bound(tree) == copied_bound(tree)
    assert etree.tostring(tree) == before  # the unread texts are back in place


def test_a_fencedframe_leaves_the_bound_to_the_copy() -> None:
    tree = parse_html(UNREAD_PAGE.replace("<p>Last", "<fencedframe><p>x</p></fencedframe><p>Last"))
    assert fallback_gate.unread_text_bound(tree) is None


def test_copies_are_made_only_where_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fallback_gate.COPIES_DEFERRED
    made: list[str] = []
    real_copy, real_make = fallback_gate.copy, fallback_gate.DeferredBackup.make
    monkeypatch.setattr(fallback_gate, "copy", lambda t: made.append(t.tag) or real_copy(t))
    monkeypatch.setattr(
        fallback_gate.DeferredBackup, "make", lambda self: made.append("backup") or real_make(self)
    )
    # readability turned away, justext not asked: only the copy trafilatura cleans.
    tree = parse_html(ARTICLE_PAGE)
    assert gated_body(tree) == ungated_body(tree)
    assert made == ["html"]
    # readability runs: its copy of the page too.
    made.clear()
    tree = parse_html(SIDEBAR_PAGE)
    assert gated_body(tree) == ungated_body(tree)
    assert made == ["html", "html"]


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_deferred_backup_is_trafilaturas_copy(page_path: Path) -> None:
    tree = parse_html(decode_html(page_path.read_bytes(), None))
    assert fallback_gate.unread_text_bound(tree) == copied_bound(tree)
    options = Extractor(output_format="xml")
    _cleaned, backup = trafilatura.core._prepare_tree.__wrapped__(tree, options, None)
    made = fallback_gate.DeferredBackup(tree, options).make()
    assert etree.tostring(made) == etree.tostring(backup)


def test_justext_reads_the_deferred_backup(monkeypatch: pytest.MonkeyPatch) -> None:
    # A short post: trafilatura's comparison asks justext for its reading of the cleaned tree.
    page = f"<html><body><div><p>{SENTENCE}</p><p>{SENTENCE}</p></div></body></html>"
    rescue = trafilatura.external.justext_rescue
    read: list[str] = []

    def spy(tree: object, options: Extractor) -> object:
        read.append(type(tree).__name__)
        return rescue(tree, options)

    monkeypatch.setattr(trafilatura.external, "justext_rescue", spy)
    tree = parse_html(page)
    assert gated_body(tree) == ungated_body(tree)
    assert read == ["DeferredBackup", "HtmlElement"]
    backup = fallback_gate.DeferredBackup(tree, Extractor(output_format="xml"))
    body, text = rescue(backup, backup.options)
    made_body, made_text = rescue.__wrapped__(backup.make(), backup.options)
    assert text
    assert (etree.tostring(body), text) == (etree.tostring(made_body), made_text)
