"""Content that a site builder wraps in an "embed" box, freed from trafilatura's embed discard.

trafilatura discards every `div`/`section`/`span`/`p` whose class contains "embed", meant for
third-party players and social posts. Site builders use the same word for their own custom-HTML
blocks (a "custom code" or "HTML embed" element), where authors paste what the editor cannot
make: a data table, a formula, an FAQ, a styled paragraph. That text is the article's, and
trafilatura (and so our body) loses it. An embed box that holds nothing of a third party (no
frame, player, form, object, quoted post or picture) and holds a data table or a paragraph of prose
has the "embed" parts of its class removed before trafilatura reads the tree, so it is judged
like any other container (our own tree cleaners still see it first).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

# trafilatura's test: "embed" anywhere in the class of these tags (its "embedded" too).
EMBED_BOX_XPATH = etree.XPath(
    "//*[self::div or self::section or self::span or self::p][contains(@class, 'embed')]"
)
# What a third party's embed holds: a frame, a player, a form, an object, a quoted post; and
# pictures, which a product card (a table of prices and links) carries and a data table does not.
THIRD_PARTY_XPATH = etree.XPath(
    ".//iframe | .//video | .//audio | .//form | .//object | .//embed | .//blockquote"
    " | .//input | .//button | .//img | .//picture"
)
# Class words of the players and posts that are embeds in trafilatura's sense.
THIRD_PARTY_CLASS_RE = re.compile(
    r"instagram|twitter|tweet|tiktok|facebook|youtube|vimeo|video|audio|podcast|spotify"
    r"|soundcloud|player|social|form|subscribe|newsletter|signup|map|post|entity|hidden",
    re.IGNORECASE,
)
# A data table: this many rows, little of its text in links.
MIN_TABLE_ROWS = 3
# A paragraph of prose: this many words, little of them in links.
MIN_PROSE_WORDS = 15
MAX_LINK_SHARE = 0.2


def link_share(element: HtmlElement) -> float:
    """Share of the element's characters that are link text."""
    text = len(element.text_content())
    linked = sum(len(a.text_content()) for a in element.iter("a"))
    return linked / text if text else 1.0


def holds_data_table(box: HtmlElement) -> bool:
    """A table of MIN_TABLE_ROWS rows or more with little linked text."""
    return any(
        sum(1 for _ in table.iter("tr")) >= MIN_TABLE_ROWS and link_share(table) <= MAX_LINK_SHARE
        for table in box.iter("table")
    )


def holds_prose(box: HtmlElement) -> bool:
    """A paragraph of MIN_PROSE_WORDS words or more, little of it linked."""
    return any(
        len(p.text_content().split()) >= MIN_PROSE_WORDS and link_share(p) <= MAX_LINK_SHARE
        for p in box.iter("p")
    )


def is_content_embed(box: HtmlElement) -> bool:
    """An embed box with nothing of a third party in it and a data table or prose."""
    if THIRD_PARTY_CLASS_RE.search(box.get("class", "")):
        return False
    if THIRD_PARTY_XPATH(box):
        return False
    return holds_data_table(box) or holds_prose(box)


def free_content_embeds(tree: HtmlElement) -> None:
    """Remove the "embed" parts of the class of embed boxes that hold the site's own content."""
    for box in EMBED_BOX_XPATH(tree):
        if is_content_embed(box):
            kept = [part for part in box.get("class", "").split() if "embed" not in part]
            box.set("class", " ".join(kept))
