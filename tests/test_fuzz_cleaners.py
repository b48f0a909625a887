"""Property tests: whatever the input, extract_article returns an Article or raises ExtractionError.

Arbitrary text, arbitrary bytes, and fixture pages mutated by truncation, byte flips and tag soup.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import Article, ExtractionError, NotHTML, extract_article

ROOT = Path(__file__).resolve().parent.parent
PAGES = [p.read_bytes() for p in sorted((ROOT / "fixtures").glob("*/*.html"))[:12]]
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAGS = [
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<svg><title>x</title>",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "<table><tr><td>",
    "&amp;",
    "&#x0;",
    "<![CDATA[",
    "<?xml version='1.0'?>",
    "<meta charset='utf-16'>",
    "\x00",
    "<a href='javascript:'>",
    "<li>",
    "<h1>",
    "</body>",
]


def extract_or_refuse(html: str | bytes, url: str | None = None) -> None:
    """Call extract_article; only an Article or an ExtractionError may come back."""
    try:
        result = extract_article(html, url=url)
    except ExtractionError:
        return
    assert isinstance(result, Article)
    assert result.body.strip()


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    extract_or_refuse(text)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([None, "utf-8", "utf-16", "bogus-charset"]))
def test_arbitrary_bytes(data: bytes, encoding: str | None) -> None:
    try:
        result = extract_article(data, encoding=encoding)
    except ExtractionError:
        return
    assert isinstance(result, Article)


@FUZZ
@given(st.sampled_from(PAGES), st.floats(min_value=0.0, max_value=1.0))
def test_truncated_fixture_pages(page: bytes, share: float) -> None:
    extract_or_refuse(page[: int(len(page) * share)], url="https://news.example/a")


@FUZZ
@given(
    st.sampled_from(PAGES),
    st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), min_size=1, max_size=30),
)
def test_byte_flipped_fixture_pages(page: bytes, flips: list[tuple[float, int]]) -> None:
    mutated = bytearray(page)
    for where, value in flips:
        mutated[min(len(mutated) - 1, int(where * len(mutated)))] = value
    extract_or_refuse(bytes(mutated))


@FUZZ
@given(
    st.sampled_from(PAGES),
    st.lists(st.tuples(st.floats(0.0, 1.0), st.sampled_from(TAGS)), min_size=1, max_size=20),
)
def test_tag_soup_fixture_pages(page: bytes, insertions: list[tuple[float, str]]) -> None:
    text = page.decode("utf-8")
    for where, tag in insertions:
        cut = int(where * len(text))
        text = text[:cut] + tag + text[cut:]
    extract_or_refuse(text)


def test_deeply_nested_page_is_refused_or_extracted() -> None:
    nested = "<html><body>" + "<div>" * 5000 + "<p>" + "word " * 300 + "</p>" + "</div>" * 5000
    extract_or_refuse(nested + "</body></html>")


def test_non_string_input_is_refused() -> None:
    with pytest.raises(NotHTML):
        extract_article(12345)  # type: ignore[arg-type]
