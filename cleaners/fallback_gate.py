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
import re
from collections.abc import Callable
from copy import copy
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
# Characters XML forbids in a text (lxml refuses to set one).
XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

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
    return cannot_win(page_text_bound(raw_tree), body, text, options)


def cannot_win(bound: int, body: Any, text: str, options: Any) -> bool:
    """`readability_cannot_win` for a page whose readable text is at most `bound` characters."""
    if bound > 2 * len(text):
        return False
    if bound <= 2 * options.min_extracted_size:
        return True
    paragraphs = len(body.findall(".//p"))
    return bool(body.xpath(".//p//text()")) and len(body.findall(".//table")) <= paragraphs


def unread_text_bound(tree: HtmlElement) -> int | None:
    """`page_text_bound` of a copy of `tree` after `drop_unread_elements`, read from the page
    itself: its <script> and <style> texts are emptied while the text is read, then put back.

    Dropping an element keeps its tail where it was, so the page's text is the same either way.
    None where that does not hold or the texts could not be put back: a <fencedframe> (it holds
    elements), a script or style holding elements, a text with a character XML forbids.
    """
    unread = []
    for element in tree.iter(*READABILITY_DROPPED_TAGS):
        if element.tag == "fencedframe" or len(element):
            return None
        if element.text:
            if XML_FORBIDDEN_RE.search(element.text):
                return None
            unread.append((element, element.text))
    for element, _text in unread:
        element.text = None
    try:
        return page_text_bound(tree)
    finally:
        for element, text in unread:
            element.text = text


def readability_page(tree: HtmlElement, body: Any, text: str, options: Any) -> HtmlElement:
    """The page trafilatura's comparison hands to readability in our calls: what the gate gives
    (an empty page where readability cannot win, else a copy of the page without its unread
    elements), with the copy made only when readability runs; outside balanced mode, or for an
    empty extraction, trafilatura's copy."""
    if options.focus != "balanced" or not text:
        return copy(tree)
    raw_tree = None
    bound = unread_text_bound(tree)
    if bound is None:
        raw_tree = copy(tree)
        drop_unread_elements(raw_tree)
        bound = page_text_bound(raw_tree)
    if cannot_win(bound, body, text, options):
        return HtmlElement()
    if raw_tree is None:
        raw_tree = copy(tree)
        drop_unread_elements(raw_tree)
    return raw_tree


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


def install_wrapper(module: Any, name: str, wrap: Callable[[Any], Any]) -> bool:
    """Put `wrap(function)` in place of a trafilatura module's function (once: a function that
    already carries `__wrapped__` is left); False where the module has no such function."""
    current = getattr(module, name, None)
    if current is None:
        return False
    if getattr(current, "__wrapped__", None) is None:
        setattr(module, name, wrap(current))
    return True


ESCALATION_RECORDED = install_wrapper(trafilatura_core, "_recall_retry", recorded)
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


READING_RECORDED = install_wrapper(trafilatura_external, "try_readability", recorded_reading)


# trafilatura keeps two copies of the page per extraction that our calls rarely read: the cleaned
# tree before its tag conversion (read only by justext, on 2 of 159 extractions of wcxb_dev) and
# the page for readability (an empty page where the gate turns readability away). Inside our
# calls each is made only when it is read; the trees and texts are the same.
class DeferredBackup:
    """trafilatura's copy of the cleaned tree before its tag conversion, made when first read.

    The cleaning is made again from the same page with the same options (the page is not changed
    between `_prepare_tree` and the comparison that reads the copy), which gives the same tree.
    """

    __slots__ = ("options", "tree")

    def __init__(self, tree: HtmlElement, options: Any) -> None:
        self.tree, self.options = tree, options

    def make(self) -> HtmlElement:
        """The cleaned tree, as `_prepare_tree` would have copied it."""
        return trafilatura_core.tree_cleaning(copy(self.tree), self.options)


def deferred(
    prepare: Callable[..., Any], extract_and_compare: Callable[..., Any]
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """trafilatura's `_prepare_tree` and `_extract_and_compare`, deferring both copies inside
    our calls (balanced or not) while the gate is in place; outside them, unchanged."""

    def _prepare_tree(tree: HtmlElement, options: Any, url: str | None) -> Any:
        gate_in_place = getattr(trafilatura_core.compare_extraction, "__wrapped__", None)
        if not _GATED.get() or options.comments or gate_in_place is None:
            return prepare(tree, options, url)
        cleaned = trafilatura_core.tree_cleaning(copy(tree), options)
        backup = DeferredBackup(tree, options)
        return trafilatura_core.convert_tags(cleaned, options, url), backup

    def _extract_and_compare(cleaned_tree: Any, backup: Any, tree: Any, options: Any) -> Any:
        if not isinstance(backup, DeferredBackup):
            return extract_and_compare(cleaned_tree, backup, tree, options)
        postbody, temp_text = trafilatura_core.extract_content(cleaned_tree, options)
        if not options.fast:
            compare = trafilatura_core.compare_extraction.__wrapped__
            raw_tree = readability_page(tree, postbody, temp_text, options)
            postbody, temp_text = compare(backup, raw_tree, postbody, temp_text, options)
        return postbody, temp_text

    _prepare_tree.__wrapped__ = prepare  # type: ignore[attr-defined]
    _extract_and_compare.__wrapped__ = extract_and_compare  # type: ignore[attr-defined]
    return _prepare_tree, _extract_and_compare


def made_backup(rescue: Callable[..., Any]) -> Callable[..., Any]:
    """trafilatura's `justext_rescue`, making a deferred copy of the cleaned tree first."""

    def justext_rescue(tree: Any, options: Any) -> Any:
        if isinstance(tree, DeferredBackup):
            tree = tree.make()
        return rescue(tree, options)

    justext_rescue.__wrapped__ = rescue  # type: ignore[attr-defined]
    return justext_rescue


def install_deferred_copies() -> bool:
    """Put the deferred copies in trafilatura (once); False where the gate is not installed."""
    if not INSTALLED:
        return False
    names = ("_prepare_tree", "_extract_and_compare")
    current = [getattr(trafilatura_core, name, None) for name in names]
    if any(function is None for function in current):
        return False
    if all(getattr(function, "__wrapped__", None) is None for function in current):
        for name, function in zip(names, deferred(*current), strict=True):
            setattr(trafilatura_core, name, function)
    rescue = trafilatura_external.justext_rescue
    if getattr(rescue, "__wrapped__", None) is None:
        trafilatura_external.justext_rescue = made_backup(rescue)
    return True


COPIES_DEFERRED = install_deferred_copies()


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
    prune_paths.end_density_runs()
    try:
        document = bare_extraction(tree, url=url, **options)
    finally:
        prune_paths.end_density_runs()
        _READINGS.reset(kept)
        _ESCALATIONS.reset(record)
        _GATED.reset(token)
    reading = readings[0] if readings and len(readings[0]) else None
    return Extraction(document, bool(calls), reading)
