"""A second reading of a page whose main text trafilatura could only gather "wild".

trafilatura looks for the article's container with a list of XPath expressions (class and id
words such as "entry-content", `<article>`, `itemprop=articleBody`, "main"). On a page built
without those words (a site builder's "w-richtext" columns, utility-class layouts, page-builder
widgets) none of them yields text, and trafilatura falls back to `recover_wild_text`: every
`<p>`, table and code block of the whole page, pruned. That reading loses the article's
headings and lists (only paragraphs are gathered) and takes in paragraphs from the page's
other parts (promotions, footers, author boxes).

The candidate stage has already scored the page's containers readability-style
(`cleaners.candidates.find_article_region`). When trafilatura's reading was gathered wild, the
tree is read once more with that container declared as the article body (`itemprop=articleBody`,
the first thing trafilatura looks for), and the second reading replaces the first when it keeps
at least MIN_WORD_RATIO of its words: a container that holds most of the wild reading's text is
the article with its headings and lists; one that holds less is a part of it (a single
section, an introduction, the story's first part above a pull quote) and the wild reading stays.

A page may set its standfirst or first step above the article's column, between the headline and
the container: the wild reading has it, the declared container leaves it out. The wild reading's
lines before the first line the two readings share are put back in front of the region's reading
when they lie among the last words of the page before the container (`lead_before`); lines
farther up (a promotion banner, the navigation's paragraphs) stay out.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any

from lxml.html import HtmlElement
from trafilatura import main_extractor

from cleaners.candidates import word_text
from cleaners.fallback_gate import install_wrapper

# The audit's name for a line of the wild reading that the region's reading left out and no
# cleaner would have taken.
CLEANER_NAME = "read_article_region"
# The second reading replaces the wild one when it has at least this share of its words.
MIN_WORD_RATIO = 0.75
DECLARED_ATTRIBUTE = ("itemprop", "articleBody")
# A lead line of the wild reading is kept when it lies among the last words of the page before
# the container: its own words and at most this many more (a byline, a date, a share bar).
LEAD_SLACK_WORDS = 40
# How many of the container's ancestors the search for the words before it climbs.
LEAD_LEVELS = 4

_WILD: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "cleaners_wild_readings", default=None
)


def recorded(recover: Callable[..., Any]) -> Callable[..., Any]:
    """trafilatura's `recover_wild_text`, noting each run inside `wild_record`."""

    def recover_wild_text(*args: Any, **kwargs: Any) -> Any:
        calls = _WILD.get()
        if calls is not None:
            calls.append(1)
        return recover(*args, **kwargs)

    recover_wild_text.__wrapped__ = recover  # type: ignore[attr-defined]
    return recover_wild_text


INSTALLED = install_wrapper(main_extractor, "recover_wild_text", recorded)


@contextmanager
def wild_record() -> Iterator[list[int]]:
    """A list that gets one entry per wild-text recovery trafilatura runs inside the block."""
    calls: list[int] = []
    token = _WILD.set(calls)
    try:
        yield calls
    finally:
        _WILD.reset(token)


@contextmanager
def declared_article(container: HtmlElement) -> Iterator[None]:
    """The container marked as the article body for the length of the block."""
    name, value = DECLARED_ATTRIBUTE
    before = container.get(name)
    container.set(name, value)
    try:
        yield
    finally:
        if before is None:
            del container.attrib[name]
        else:
            container.set(name, before)


def body_words(body: Any) -> int:
    """Words of a trafilatura XML body (0 for none)."""
    if body is None:
        return 0
    return len(" ".join(body.itertext()).split())


def keeps_enough(wild_body: Any, hinted_body: Any) -> bool:
    """True when the hinted reading has at least MIN_WORD_RATIO of the wild reading's words."""
    wild = body_words(wild_body)
    return wild > 0 and body_words(hinted_body) >= MIN_WORD_RATIO * wild


def element_words(element: Any) -> str:
    """An element's words (cleaners.candidates.word_text) of all its text."""
    return word_text(" ".join(element.itertext()))


def words_before(container: HtmlElement, budget: int) -> str:
    """The last `budget` words of the page before the container, in document order: its
    preceding siblings', then its ancestors' preceding siblings', nearest first."""
    pieces: list[str] = []
    count = 0
    node: HtmlElement | None = container
    for _level in range(LEAD_LEVELS):
        if node is None or count >= budget:
            break
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str):
                continue
            text = element_words(sibling)
            pieces.append(text)
            count += len(text.split())
            if count >= budget:
                break
        node = node.getparent()
    words = " ".join(reversed(pieces)).split()
    return " ".join(words[-budget:])


def lead_before(wild_body: Any, hinted_body: Any, container: HtmlElement) -> list[Any]:
    """The wild reading's lines before the first it shares with the hinted reading that lie just
    before the container: a standfirst or a first step the page sets above the article's
    column, which the declared container leaves out."""
    shared = {element_words(element) for element in hinted_body}
    prefix: list[Any] = []
    for element in wild_body:
        if element_words(element) in shared:
            break
        prefix.append(element)
    else:
        return []
    words = [element_words(element) for element in prefix]
    budget = sum(len(text.split()) for text in words) + LEAD_SLACK_WORDS
    window = " " + words_before(container, budget) + " "
    kept: list[Any] = []
    for element, text in zip(reversed(prefix), reversed(words), strict=True):
        if not text or f" {text} " not in window:
            break
        kept.append(element)
    return kept[::-1]


def put_lead(wild_body: Any, hinted_body: Any, container: HtmlElement) -> None:
    """The wild reading's lead lines (`lead_before`) copied in front of the hinted reading."""
    for place, line in enumerate(lead_before(wild_body, hinted_body, container)):
        hinted_body.insert(place, deepcopy(line))
