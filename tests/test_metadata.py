"""Page metadata: `page_metadata` finds what trafilatura's own `extract_metadata` finds.

fixtures/metadata/<case>.html sits beside <case>.json, the metadata `extract_article` must give
({"url", "title", "authors", "published", "site_name", "tags", ...}). Every page the project's
fixtures hold is also compared field by field with trafilatura's slower metadata pass.
"""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path

import lxml.html
import pytest
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import extract_metadata
from trafilatura.settings import set_date_params
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

from cleaners import extract_article
from cleaners.decode import decode_html
from cleaners.extract import parse_html
from cleaners.page_metadata import page_metadata, text_without_discards

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted((FIXTURES / "metadata").glob("*.json"))
# Every page written for the project's tests: metadata cases, cleaner cases, quality pages.
PAGES = sorted(
    path
    for folder in ("metadata", "cleaners", "quality", "outlet_profile")
    for path in (FIXTURES / folder).rglob("*.html")
)
FIELDS = (
    "title",
    "author",
    "url",
    "date",
    "description",
    "sitename",
    "categories",
    "tags",
    "image",
)


@pytest.mark.parametrize("spec_path", CASES, ids=lambda p: p.stem)
def test_article_metadata_of_fixture_pages(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    page = spec_path.with_suffix(".html").read_bytes()
    article = extract_article(page, spec["url"]).to_dict()
    for field, expected in spec["metadata"].items():
        assert article[field] == expected, field


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_page_metadata_agrees_with_trafilatura(page_path: Path) -> None:
    tree = parse_html(decode_html(page_path.read_bytes(), None))
    url = "https://news.example/2024/03/story"
    params = set_date_params(extensive=False)
    reference = extract_metadata(deepcopy(tree), url, params)
    found = page_metadata(tree, url, params)
    assert {f: getattr(found, f) for f in FIELDS} == {f: getattr(reference, f) for f in FIELDS}


def test_page_metadata_leaves_the_tree_unchanged() -> None:
    page = (FIXTURES / "metadata" / "byline-and-comments.html").read_bytes()
    tree = parse_html(decode_html(page, None))
    before = lxml.html.tostring(tree)
    assert page_metadata(tree, None).author == "Maria Keller"
    assert lxml.html.tostring(tree) == before


@pytest.mark.parametrize(
    "html",
    [
        # a date element inside a byline: its tail joins the text before it, as when deleted
        '<p class="byline">By Ana Ruiz<time>Monday</time>, Seville<span>, staff</span></p>',
        '<div class="author"><span class="date">May 2</span>Ian Moss<figure>x</figure> '
        '<b>and <span class="print">Print</span>Eve Dale</b></div>',
        '<div class="author">Kim Lee<span class="date">today</span></div>',
    ],
)
def test_text_without_discards_reads_like_trafilatura_pruned_copy(html: str) -> None:
    tree = lxml.html.fromstring(f"<html><body>{html}</body></html>")
    element = tree.find("body")[0]
    pruned = prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS).find("body")[0]
    assert " ".join(text_without_discards(element).split()) == " ".join(
        " ".join(pruned.itertext()).split()
    )


def test_categories_and_tags_agree_with_trafilatura() -> None:
    """Only links whose href holds "/categor" or "/tag" are tested; the segment rule and the
    containers stay trafilatura's ("/tagesschau/" and links outside them are no tags)."""
    page = """<html><head><title>Ferry times</title></head><body><article>
    <div class="entry-meta">Filed under <a href="/category/travel/">Travel</a>,
    <a href="https://news.example/categories/harbours/">Harbours</a>,
    <a href="/tagesschau/">Daily news</a></div>
    <p>The ferry to the island runs twice a day from the old harbour wall.</p>
    <div class="tags"><a href="/tag/ferries/">Ferries</a> <a href="/tags/islands/">Islands</a>
    <a href="/about/">About</a></div></article>
    <footer><a href="/tag/footer-tag/">Footer tag</a></footer></body></html>"""
    tree = parse_html(page)
    url = "https://news.example/2024/03/ferry-times"
    params = set_date_params(extensive=False)
    reference = extract_metadata(deepcopy(tree), url, params)
    found = page_metadata(tree, url, params)
    assert found.categories == reference.categories == ["Travel", "Harbours"]
    assert found.tags == reference.tags
    assert "Ferries" in found.tags
    assert "Daily news" not in found.tags
