"""The learned-boilerplate stage: what an outlet's profile holds, taken out of one page.

`remove_learned_blocks` drops elements before trafilatura; `drop_learned_paragraphs` drops
extracted paragraphs whose text is a learned block. Each removal is audited with its reason.
"""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement

from cleaners.article import Removal
from cleaners.context import Block
from cleaners.profile.blocks import (
    CLEANER_NAME,
    NEVER_REMOVED_TAGS,
    SKIPPED_TAGS,
    PageBlocks,
    fingerprint,
    normalise_block,
)
from cleaners.profile.learn import BoilerplateProfile
from cleaners.timestamps import parse_timestamp


def visible_text(element: HtmlElement) -> list[str]:
    """An element's text pieces without script and style contents, for the audit trail."""
    pieces: list[str] = []
    for node in element.iter():
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag and tag not in SKIPPED_TAGS and node.text:
            pieces.append(node.text)
        if node is not element and node.tail:
            pieces.append(node.tail)
    return pieces


HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# A paragraph of at least this many words after a heading is the article's own text.
SECTION_PARAGRAPH_WORDS = 20


def is_heading_like(element: HtmlElement) -> bool:
    """An <h2>-<h6>, or a paragraph that is all bold (<p><strong>What's the Big Idea?</strong>)."""
    if element.tag in HEADING_TAGS:
        return True
    if element.tag != "p" or len(element) != 1 or element[0].tag not in ("strong", "b"):
        return False
    return not (element.text or "").strip() and not (element[0].tail or "").strip()


def introduces_own_text(element: HtmlElement, profile: BoilerplateProfile) -> bool:
    """True for a heading followed by a long paragraph that is not boilerplate.

    A series' fixed section headings ("What's the Big Idea?", then the story's own paragraph)
    recur on many pages but are the article's structure; a promo heading is followed by
    teaser links, or by boilerplate. Marks the heading as the page's own for the paragraph pass.
    """
    if not is_heading_like(element):
        return False
    following = element.getnext()
    if following is None or following.tag != "p":
        return False
    normalised = normalise_block(" ".join(visible_text(following)))
    return (
        normalised.count(" ") + 1 >= SECTION_PARAGRAPH_WORDS
        and fingerprint(normalised) not in profile
    )


def _attached(element: HtmlElement, known: dict[HtmlElement, bool]) -> bool:
    """True when `element` is still in the tree: `known` holds the root (True) and what earlier
    calls found, so each ancestor chain is walked once."""
    path: list[HtmlElement] = []
    while element is not None and element not in known:
        path.append(element)
        element = element.getparent()
    attached = element is not None and known[element]
    for walked in path:
        known[walked] = attached
    return attached


def remove_learned_blocks(
    tree: HtmlElement, page: PageBlocks, profile: BoilerplateProfile | None
) -> list[Removal]:
    """Drop the page's elements whose block the outlet's profile holds; the removals, audited.

    Runs on the tree before trafilatura. Elements inside (or around) an itemprop=articleBody
    element, or whose text is part of the JSON-LD articleBody, stay.
    """
    removals: list[Removal] = []
    if not profile:
        return removals
    learned, own_blocks = profile.blocks, page.own_blocks
    # Whether elements are still in the tree (earlier cleaners and this loop drop some).
    attached: dict[HtmlElement, bool] = {tree: True}
    for element, print_, protected in page.elements:
        if print_ not in learned or protected or print_ in own_blocks:
            continue
        if element.tag in NEVER_REMOVED_TAGS or not _attached(element, attached):
            continue
        if introduces_own_text(element, profile):
            page.own_blocks.add(print_)  # and kept by the paragraph pass too
            continue
        text = " ".join(" ".join(visible_text(element)).split())
        if page.article_body and page.belongs_to_page(normalise_block(text)):
            continue
        if parse_timestamp(text) is not None:
            # A dateline ("21 Nov, 2026 10:30") stays for the date readers; the text stage's
            # timestamp cleaner (or the paragraph pass below) takes it out of the body.
            continue
        removals.append(Removal(CLEANER_NAME, text, profile.reason(print_)))
        element.drop_tree()
        attached[element] = False  # and so is what it holds, found through it
    return removals


def drop_learned_paragraphs(
    blocks: list[Block], page: PageBlocks | None, profile: BoilerplateProfile | None, ctx: Any
) -> list[Block]:
    """Drop extracted paragraphs whose text is a learned block; the removals go on `ctx`.

    Catches what the tree pass cannot: a paragraph trafilatura assembled whose text is a learned
    block (a line of a `<br>`-separated box). JSON-LD articleBody text stays.
    """
    if not profile:
        return blocks
    kept: list[Block] = []
    for block in blocks:
        normalised = normalise_block(block.text)
        print_ = fingerprint(normalised)
        if print_ in profile and not (page and page.belongs_to_page(normalised, print_)):
            ctx.removed.append(Removal(CLEANER_NAME, block.text, profile.reason(print_)))
        else:
            kept.append(block)
    return kept
