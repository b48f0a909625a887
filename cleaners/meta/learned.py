"""What an outlet's learned profile carries for the metadata: its title affixes and where it
shows its bylines.

Each page's <title> segments, and the place of its byline when its author is known, are counted
with its text blocks (cleaners.profile), over the same window of recent pages;
`cleaners.meta.title.learned_title_affixes` and `learned_byline_places` read them back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from cleaners.meta.authors import find_authors
from cleaners.meta.evidence import Evidence, off_article, spaced_text
from cleaners.meta.title import TITLE_AFFIX_LABEL, title_affix_candidates
from cleaners.profile import PageBlock, fingerprint


def title_affix_blocks(title: str) -> list[PageBlock]:
    """The <title>'s first and last segments as blocks to count with the page's, so the outlet's
    profile learns the affixes its titles share ("... – Lakeside Tribune"; cleaners.meta.title).

    Their fingerprints are taken over text no page block can have (normalised block text has no
    control character), so no element or paragraph is ever removed for them.
    """
    blocks = []
    for segment in title_affix_candidates(title):
        text = TITLE_AFFIX_LABEL + segment
        blocks.append(PageBlock(fingerprint("\x00" + text), text, len(segment.split())))
    return blocks


# --- Where an outlet shows its byline ---------------------------------------------------------

# The text of the block that stands for a byline's place in an outlet's learned profile.
BYLINE_PLACE_LABEL = "byline place: "
# A place is learned when this share of the outlet's pages (and at least this many) show it.
LEARNED_PLACE_SHARE = 0.5
LEARNED_PLACE_MIN_PAGES = 3
# Class tokens that name a part of a template ("byline", "story-top"); others ("css-1x2y",
# "md:flex", "mt-4") name its layout or change from build to build.
PART_TOKEN_RE = re.compile(r"^[a-z][a-z_-]{2,}$")
LAYOUT_TOKENS = frozenset({"col", "row", "flex", "grid", "hidden", "block", "inline", "clearfix"})
NAME_TEXT_NODES = etree.XPath("/descendant::body/descendant::text()[contains(., $name)]")
PLACE_MAX_WORDS = 8


def element_mark(element: HtmlElement) -> str:
    """An element as "tag.class.tokens" (its class tokens that name a part, sorted)."""
    tokens = sorted({
        t
        for t in (element.get("class") or "").lower().split()
        if PART_TOKEN_RE.match(t) and t not in LAYOUT_TOKENS
    })
    return ".".join([str(element.tag), *tokens])


def byline_place(tree: HtmlElement, name: str) -> str | None:
    """Where the page shows its author's name: "parent-mark > holder-mark" of the first short
    element holding it, or None when neither element carries a class to know it by."""
    for node in NAME_TEXT_NODES(tree, name=name)[:5]:
        holder = node.getparent()
        if getattr(node, "is_tail", False) and holder is not None:
            holder = holder.getparent()
        parent = holder.getparent() if holder is not None else None
        if parent is None or holder.tag in ("script", "style", "title", "a"):
            continue
        if len(spaced_text(holder).split()) > PLACE_MAX_WORDS or off_article(holder):
            continue
        marks = (element_mark(parent), element_mark(holder))
        if "." in marks[0] or "." in marks[1]:
            return " > ".join(marks)
    return None


def byline_place_blocks(tree: HtmlElement, evidence: Evidence) -> list[PageBlock]:
    """The place of the byline of a page whose author is known, as a block to count with the
    page's (like the title affixes): an outlet shows its bylines in one place, so the pages
    whose structured data names the author teach where to read it on those whose does not."""
    people = find_authors(evidence).people
    place = byline_place(tree, people[0]) if people else None
    if not place:
        return []
    text = BYLINE_PLACE_LABEL + place
    return [PageBlock(fingerprint("\x00" + text), text, 1)]


def learned_byline_places(profile: object | None) -> tuple[str, ...]:
    """The byline places an outlet's learned profile holds (on at least half of its pages)."""
    blocks = getattr(profile, "blocks", None) or {}
    needed = max(LEARNED_PLACE_MIN_PAGES, LEARNED_PLACE_SHARE * getattr(profile, "pages", 0))
    return tuple(
        sorted(
            block.text.removeprefix(BYLINE_PLACE_LABEL)
            for block in blocks.values()
            if block.text.startswith(BYLINE_PLACE_LABEL) and block.pages >= needed
        )
    )


@lru_cache(maxsize=256)
def place_xpath(place: str) -> etree.XPath:
    """The XPath of the elements at a learned place ("div.story-top > span.credit")."""

    def step(mark: str) -> str:
        tag, *tokens = mark.split(".")
        tests = "".join(
            f"[contains(concat(' ', normalize-space(@class), ' '), ' {token} ')]"
            for token in tokens
        )
        return f"{tag}{tests}"

    parent, holder = place.split(" > ")
    return etree.XPath(f"/descendant::{step(holder)}[parent::{step(parent)}]")


def read_byline_places(tree: HtmlElement, places: Sequence[str]) -> list[str]:
    """The short texts at an outlet's learned byline places, in page order."""
    texts = []
    for place in places:
        for element in place_xpath(place)(tree)[:3]:
            text = spaced_text(element)
            if 0 < len(text.split()) <= PLACE_MAX_WORDS:
                texts.append(text)
    return texts
