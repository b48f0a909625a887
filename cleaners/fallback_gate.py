"""trafilatura's extraction without its readability fallback where that fallback cannot win.

On every page trafilatura runs readability (its fork of readability-lxml) on a copy of the page
and then decides whether that text replaces its own (`trafilatura.external.compare_extraction`,
`_prefer_readability`). Readability costs about a third of the extraction, and on most of our
cleaned pages its text cannot be chosen whatever it is: outside recall mode it replaces a
non-empty extraction only when it is more than twice as long, or when it is longer than
2 x MIN_EXTRACTED_SIZE and the extraction has no paragraph text or more tables than paragraphs.
Readability's text is a part of the page's own text (it drops and moves elements, never copies
text; the only text it adds is "VIDEO" in a kept video <iframe>), so its length is at most the
length of the page's text outside <script>, <style> and <fencedframe> (which it drops first),
whitespace collapsed as trafilatura's `trim` does, plus one label per <iframe>. When that bound
rules both cases out, readability gets an empty page instead: its text is empty, which
`_prefer_readability` rejects first, and the rest of the comparison (justext's check) runs on
the same extraction as before. The output is the same; only the work that could not change it
is skipped.

`extract_body_escalated` also says whether trafilatura's recall escalation (its `_recall_retry`
of a short balanced reading) ran on the page, for cleaners.second_look; the record only counts
the calls and changes nothing.

The gate acts only inside `extract_body` (a context variable marks our calls), so any other
trafilatura call in the process (the benchmarks' baseline, a user's) runs unchanged. The same
variable opens cleaners.prune_paths, which answers trafilatura's pruning XPath expressions in
Python (the same elements, at a fraction of EXSLT's per-element callbacks). It is
installed only for the trafilatura versions whose comparison it was checked against.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, NamedTuple

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura import core as trafilatura_core
from trafilatura import external as trafilatura_external

from cleaners import prune_paths

# trafilatura versions whose compare_extraction / _prefer_readability this gate was read against.
CHECKED_VERSIONS = frozenset({"2.3.1"})
# What readability drops before anything else: their text never reaches its output.
READABILITY_DROPPED_TAGS = ("script", "style", "fencedframe")
# readability writes "VIDEO" into each video <iframe> it keeps: five characters and, at most,
# one more whitespace run.
IFRAME_LABEL_CHARS = len("VIDEO") + 1

_GATED = contextvars.ContextVar("cleaners_fallback_gate", default=False)


def drop_unread_elements(raw_tree: HtmlElement) -> None:
    """readability's first step, done before it runs: its <script>, <style> and <fencedframe>
    elements out, in its own order and way (`drop_tree`), so that it finds none left."""
    for element in list(raw_tree.iter(*READABILITY_DROPPED_TAGS)):
        element.drop_tree()


def page_text_bound(raw_tree: HtmlElement) -> int:
    """An upper bound of the length of readability's text on `raw_tree` (its unread elements
    dropped), whitespace collapsed as trafilatura's `trim` does."""
    text = etree.tostring(raw_tree, method="text", encoding=str)
    iframes = sum(1 for _iframe in raw_tree.iter("iframe"))
    return len(" ".join(text.split())) + IFRAME_LABEL_CHARS * iframes


def readability_cannot_win(raw_tree: HtmlElement, body: Any, text: str, options: Any) -> bool:
    """True when `_prefer_readability` rejects readability's text whatever it is (see above).

    `raw_tree` is readability's page, after `drop_unread_elements`.
    """
    bound = page_text_bound(raw_tree)
    if bound > 2 * len(text):
        return False
    if bound <= 2 * options.min_extracted_size:
        return True
    paragraphs = len(body.findall(".//p"))
    return bool(body.xpath(".//p//text()")) and len(body.findall(".//table")) <= paragraphs


def gated(compare: Callable[..., Any]) -> Callable[..., Any]:
    """trafilatura's compare_extraction, given an empty page for readability when it cannot win."""

    def compare_extraction(
        cleaned_tree: HtmlElement, raw_tree: HtmlElement, body: Any, text: str, options: Any
    ) -> Any:
        # Balanced mode only: precision mode prunes readability's page first, and recall mode
        # takes readability's text on other conditions.
        if _GATED.get() and options.focus == "balanced" and text:
            drop_unread_elements(raw_tree)
            if readability_cannot_win(raw_tree, body, text, options):
                raw_tree = HtmlElement()
        return compare(cleaned_tree, raw_tree, body, text, options)

    compare_extraction.__wrapped__ = compare  # type: ignore[attr-defined]
    return compare_extraction


def install() -> bool:
    """Put the gate in front of trafilatura's comparison (once); False on an unchecked version."""
    current = trafilatura_core.compare_extraction
    if getattr(current, "__wrapped__", None) is not None:
        return True
    if trafilatura.__version__ not in CHECKED_VERSIONS:
        return False
    trafilatura_core.compare_extraction = gated(current)
    return True


INSTALLED = install()


# trafilatura's recall escalation: a balanced extraction shorter than a fifth of the page's text
# is extracted again in recall mode (and by justext), and the longer reading may replace it. The
# retry sees the whole page, sidebars and other posts' excerpts included; our calls record that
# it ran (cleaners.second_look decides what the page's evidence says of the reading).
_ESCALATIONS: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "cleaners_escalations", default=None
)


def recorded(retry: Callable[..., Any]) -> Callable[..., Any]:
    """trafilatura's `_recall_retry`, noting each run inside `extract_body_escalated`."""

    def _recall_retry(esc_tree: HtmlElement, r_options: Any, url: str | None) -> Any:
        calls = _ESCALATIONS.get()
        if calls is not None:
            calls.append(1)
        return retry(esc_tree, r_options, url)

    _recall_retry.__wrapped__ = retry  # type: ignore[attr-defined]
    return _recall_retry


def install_escalation_record() -> bool:
    """Put the record in front of trafilatura's recall retry (once); False where it has none."""
    current = getattr(trafilatura_core, "_recall_retry", None)
    if current is None:
        return False
    if getattr(current, "__wrapped__", None) is None:
        trafilatura_core._recall_retry = recorded(current)
    return True


ESCALATION_RECORDED = install_escalation_record()
# trafilatura's pruning expressions answered in Python inside our calls (cleaners.prune_paths).
PRUNING_TRANSLATED = prune_paths.install(_GATED.get, CHECKED_VERSIONS)


# readability's reading of the page as trafilatura's comparison computed it, kept whether it was
# chosen or not: cleaners.fuller_reading takes it where it holds far more of the article than
# the body, at no cost of a second extraction. The first reading is the balanced one (a recall
# escalation may read the page again).
_READINGS: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "cleaners_readings", default=None
)


def recorded_reading(read: Callable[..., Any]) -> Callable[..., Any]:
    """trafilatura's `try_readability`, keeping each reading inside `extract_body_escalated`."""

    def try_readability(htmlinput: Any) -> Any:
        reading = read(htmlinput)
        readings = _READINGS.get()
        if readings is not None:
            readings.append(reading)
        return reading

    try_readability.__wrapped__ = read  # type: ignore[attr-defined]
    return try_readability


def install_reading_record() -> bool:
    """Put the record in front of trafilatura's readability call (once); False where it has none."""
    current = getattr(trafilatura_external, "try_readability", None)
    if current is None:
        return False
    if getattr(current, "__wrapped__", None) is None:
        trafilatura_external.try_readability = recorded_reading(current)
    return True


READING_RECORDED = install_reading_record()


class Extraction(NamedTuple):
    """trafilatura's document, whether its recall escalation ran, and readability's first
    reading of the page (None when readability did not run or read nothing)."""

    document: Any
    escalated: bool
    reading: Any


def extract_body(tree: HtmlElement, url: str | None, **options: Any) -> Any:
    """`trafilatura.bare_extraction` of the tree, with the readability gate open for this call."""
    return extract_body_escalated(tree, url, **options).document


def extract_body_escalated(tree: HtmlElement, url: str | None, **options: Any) -> Extraction:
    """`extract_body`, whether trafilatura's recall escalation ran, and readability's reading."""
    token = _GATED.set(True)
    calls: list[int] = []
    readings: list[Any] = []
    record = _ESCALATIONS.set(calls)
    kept = _READINGS.set(readings)
    try:
        document = bare_extraction(tree, url=url, **options)
    finally:
        _READINGS.reset(kept)
        _ESCALATIONS.reset(record)
        _GATED.reset(token)
    reading = readings[0] if readings and len(readings[0]) else None
    return Extraction(document, bool(calls), reading)
