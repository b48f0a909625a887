"""A page's text blocks and their fingerprints, read in one pass over the parsed tree.

A block is the normalised text of a block-level element; its fingerprint is what the counts and
the profile key on. Blocks that are part of the page's structured `articleBody` (JSON-LD, or
inside an `itemprop="articleBody"` element) are marked as the page's own.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lxml import etree
from lxml.html import HtmlElement

CLEANER_NAME = "learned_boilerplate"
# Bump when block reading or normalisation changes: fingerprints of different versions differ.
BLOCK_FORMAT_VERSION = "1"

# Elements whose whole text is one block. Inline elements (a, span, strong ...) are not blocks:
# dropping a link that repeats on every page ("Reuters", "Read more") would cut words out of
# sentences and change what trafilatura sees as link density.
BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "tr", "table",
    "blockquote", "pre", "figcaption", "figure", "caption", "div", "section", "article",
    "aside", "header", "footer", "nav", "ul", "ol", "dl", "form", "address", "center", "main",
})
# Text inside these is not page text (scripts, styles, templates).
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
# Never removed, whatever their text: they hold the whole page.
NEVER_REMOVED_TAGS = frozenset({"html", "body", "main"})
# A block of at most this many words is a "line", longer ones are "paragraphs".
SHORT_LINE_WORDS = 12
# Text longer than this many characters per allowed word is too long to be a block.
MAX_CHARS_PER_WORD = 20
# Stored sample text of a block, in characters (enough to recognise it in a listing).
SAMPLE_CHARS = 300
DIGITS_RE = re.compile(r"\d+")
# A word: letters and digits; white space, punctuation and "_" separate words.
WORD_RE = re.compile(r"[^\W_]+")
# For ASCII text: letters lower-cased, digits as "0", everything else a word separator.
ASCII_WORDS = str.maketrans({
    code: "0" if chr(code).isdigit() else chr(code).lower() if chr(code).isalpha() else " "
    for code in range(128)
})
ZERO_RUNS_RE = re.compile(r"00+")
NON_ASCII_SEPARATORS_RE = re.compile(r"[^\x00-\x7f\w]+")
JSON_LD_TYPE = "application/ld+json"
TEXT_NODES_XPATH = etree.XPath("text()")
# Attribute values (their elements are their parents): libxml2 finds these faster than elements.
ITEMPROPS_XPATH = etree.XPath("//@itemprop")


def normalise_block(text: str) -> str:
    """Compatibility-folded, case-folded words with digit runs as "0" and punctuation dropped.

    "© 2013 Example Media. All rights reserved." and "© 2014 Example Media - all rights
    reserved" give the same block, so a footer with the year in it is one template line.
    """
    if not text.isascii():
        folded = unicodedata.normalize("NFKC", text).casefold()
        # Characters that are not word characters only separate words: as spaces, most text
        # (curly quotes, dashes, no-break spaces) is ASCII and takes the path below.
        text = NON_ASCII_SEPARATORS_RE.sub(" ", folded)
        if not text.isascii():
            # Digits are word characters, so a digit run never spans two words: replacing
            # runs after splitting gives what it gives before.
            return DIGITS_RE.sub("0", " ".join(WORD_RE.findall(folded)))
    # NFKC leaves ASCII as it is, casefold is lower(), and a word is a run of ASCII letters and
    # digits: one translate and a split give the same words, digits already "0".
    words = " ".join(text.translate(ASCII_WORDS).split())
    return ZERO_RUNS_RE.sub("0", words) if "00" in words else words


def fingerprint(normalised: str) -> str:
    """A short stable hash of a normalised block (16 hex digits)."""
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).hexdigest()


class PageBlock(NamedTuple):
    """One distinct text block of a page: its fingerprint, normalised sample text and length.

    A named tuple: a page has ~200 blocks, which travel from a worker process to the crawl
    process with every page; tuples are built, pickled and read back several times faster than
    slotted dataclasses.
    """

    fingerprint: str
    text: str
    words: int


@dataclass(slots=True)
class PageBlocks:
    """The blocks of one parsed page, and what the removal stage needs to act on them.

    `blocks` are the distinct learnable blocks (fingerprint -> block); `elements` lists every
    block element in document order with its fingerprint and whether it belongs to the
    structured article body; `article_body` is the normalised JSON-LD `articleBody` text.
    """

    blocks: dict[str, PageBlock] = field(default_factory=dict)
    elements: list[tuple[HtmlElement, str, bool]] = field(default_factory=list)
    article_body: str = ""
    # Fingerprints of blocks inside an itemprop=articleBody element of this page, and of the
    # page's own headline (its <h1>s, og:title): a story's title also listed as a teaser on
    # every page of the outlet is still this page's headline.
    own_blocks: set[str] = field(default_factory=set)

    def belongs_to_page(self, normalised: str, print_: str | None = None) -> bool:
        """True when a block is this page's own: part of its structured article body (JSON-LD
        or microdata) or its headline."""
        if print_ is not None and print_ in self.own_blocks:
            return True
        return bool(self.article_body) and f" {normalised} " in self.article_body


def json_ld_article_body(scripts: Iterable[str]) -> str:
    """The normalised `articleBody` strings of JSON-LD scripts' texts, space-padded for lookups."""
    bodies: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "articleBody" and isinstance(value, str):
                    bodies.append(normalise_block(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for script in scripts:
        if "articleBody" not in script:
            continue
        try:
            walk(json.loads(script))
        except (ValueError, RecursionError):
            continue
    return f" {' | '.join(b for b in bodies if b)} " if any(bodies) else ""


def is_article_body_itemprop(value: str) -> bool:
    """True for the `itemprop` of a microdata article body ("articleBody")."""
    return "articlebody" in value.lower().split()


def read_page_blocks(tree: HtmlElement, max_words: int = 200) -> PageBlocks:
    """Every block element's text in one pass over the tree (no second parse, no re-walk).

    Inline children join without a space, block children with one, so a block reads the same
    as trafilatura's paragraph of it. Blocks longer than `max_words` can be neither learned nor
    removed (an article container is unique to its page), so their text is not even built.

    Each text is normalised once: white space separates words for `normalise_block` (NFKC
    neither composes nor reorders across it), so a block's normalised text is its own loose
    text, normalised, joined with its block children's normalised texts. Nested wrappers cost
    no more than their text; normalising each wrapper's whole text again made reading blocks
    half as costly again as it is.
    """
    page = PageBlocks()
    max_chars = max_words * MAX_CHARS_PER_WORD
    markers = article_body_elements(tree)
    block_tags, skipped_tags = BLOCK_TAGS, SKIPPED_TAGS
    # Per block or skipped element, an accumulator [segments or None once too long, length,
    # protected, slot]. Segments alternate runs of inline text (lists of raw pieces) and the
    # normalised texts of block children (which stand between spaces); the last segment is the
    # run being read. An inline element shares its parent's accumulator: its text continues
    # the parent's run, so it costs no lists of its own. The stack holds the accumulator of
    # every open element, under them the page's own. (iterwalk passes over comments and
    # processing instructions, their tails too: text after a comment is not read.)
    stack: list[list[Any]] = [[[[]], 0, False, -1]]
    elements: list[tuple[HtmlElement, str, bool] | None] = []
    prints: dict[str, str] = {}  # the normalised text of every block read -> its fingerprint
    blocks = page.blocks
    protected_depth = 0
    json_ld: list[str] = []  # the texts of JSON-LD scripts
    headlines: list[str] = []  # the page's declared headlines (og:title, twitter:title)
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if markers and element in markers:
                protected_depth += 1
                stack[-1][2] = True  # a container of the article body is protected too
            if tag in block_tags:
                text = element.text
                stack.append([[[text]] if text else [[]], len(text) if text else 0,
                              protected_depth > 0, len(elements)])
                elements.append(None)  # filled at the end event, kept in document order
            elif tag in skipped_tags:
                stack.append([[[]], 0, protected_depth > 0, -1])
                if tag == "script" and element.get("type") == JSON_LD_TYPE:
                    json_ld.extend(TEXT_NODES_XPATH(element))
            else:
                accumulator = stack[-1]
                stack.append(accumulator)
                if tag.__class__ is str:
                    text = element.text
                    if text and accumulator[0] is not None:
                        accumulator[0][-1].append(text)
                        accumulator[1] += len(text)
                    if tag == "meta" and is_headline_meta(element):
                        content = element.get("content")
                        if content is not None and content.strip():
                            headlines.append(content)
            continue
        accumulator = stack.pop()
        if markers and element in markers:
            protected_depth -= 1
        parent = stack[-1]
        if accumulator is not parent:  # a block or skipped element
            segments, length, protected, slot = accumulator
            too_long = segments is None or length > max_chars
            if protected:  # a container of the article body is protected too
                parent[2] = True
            if too_long:
                parent[0] = None
            elif slot >= 0:
                normalised = segments_text(segments)
                print_ = learnable_print(normalised, prints, blocks, max_words)
                if print_ is not None:
                    elements[slot] = (element, print_, protected)
                parent_segments = parent[0]
                if parent_segments is not None:  # " text ": a block child stands between spaces
                    parent_segments.append(normalised)
                    parent_segments.append([])
                    parent[1] += length + 2
        tail = element.tail
        if tail and parent[0] is not None:
            parent[0][-1].append(tail)
            parent[1] += len(tail)
    page.article_body = json_ld_article_body(json_ld)
    page.elements = [entry for entry in elements if entry is not None]
    page.own_blocks = own_blocks(tree, page.elements, headlines, prints)
    return page


def segments_text(segments: list[Any]) -> str:
    """A block's normalised text from its segments (see `read_page_blocks`)."""
    if len(segments) == 1:  # one run: a paragraph, a list item, a link
        text = "".join(segments[0])
        return normalise_block(text) if text and not text.isspace() else ""
    return join_segments(segments)


def learnable_print(
    normalised: str, prints: dict[str, str], blocks: dict[str, PageBlock], max_words: int
) -> str | None:
    """The fingerprint of a block that can be learned (some text, at most `max_words` words),
    its first reading kept in `blocks`; None for one that cannot. `prints` caches the
    fingerprint of every normalised text read, learnable or not."""
    print_ = prints.get(normalised)
    if print_ is None:
        print_ = prints[normalised] = fingerprint(normalised) if normalised else ""
    if not normalised:
        return None
    words = normalised.count(" ") + 1
    if words > max_words:
        return None
    if print_ not in blocks:
        blocks[print_] = PageBlock(print_, normalised[:SAMPLE_CHARS], words)
    return print_


def article_body_elements(tree: HtmlElement) -> set[HtmlElement]:
    """The elements marked itemprop="articleBody" (microdata), looked up once for the page
    instead of reading every element's attributes."""
    return {
        value.getparent() for value in ITEMPROPS_XPATH(tree) if is_article_body_itemprop(value)
    }


def join_segments(segments: list[Any]) -> str:
    """A block's normalised text from its segments: runs of inline text (lists of raw pieces,
    normalised here) and its block children's normalised texts, joined by single spaces."""
    pieces = []
    for segment in segments:
        if segment.__class__ is str:
            if segment:
                pieces.append(segment)
        elif segment:  # runs hold no empty pieces: the text is not empty
            text = "".join(segment)
            if not text.isspace() and (text := normalise_block(text)):
                pieces.append(text)
    return " ".join(pieces)


def own_blocks(
    tree: HtmlElement,
    elements: list[tuple[HtmlElement, str, bool]],
    headlines: list[str],
    prints: dict[str, str],
) -> set[str]:
    """Fingerprints of the page's own blocks, never removed from it: article-body blocks, the
    <h1>, the declared headlines, and headline-sized parts of <title>."""
    own = {print_ for element, print_, protected in elements if protected or element.tag == "h1"}
    own.update(fingerprint(normalise_block(title)) for title in headlines)
    # A block that is a headline-sized part of <title> ("Site: Next Up: Pumpkin Pie") is the
    # page's own headline on sites without <h1> or og:title (older blogs).
    title = f" {normalise_block(' '.join(TITLE_XPATH(tree)))} "
    for normalised, print_ in prints.items():
        if TITLE_PART_MIN_WORDS <= normalised.count(" ") + 1 and f" {normalised} " in title:
            own.add(print_)
    return own


# Meta elements declaring the page's headline in their `content` (og:title, twitter:title).
HEADLINE_META_ATTRIBUTES = (
    ("property", "og:title"), ("name", "twitter:title"), ("name", "og:title")
)
TITLE_XPATH = etree.XPath("/html/head/title//text()")
# Fewer words than this may be the site's name, which every <title> of the outlet carries.
TITLE_PART_MIN_WORDS = 4


def is_headline_meta(element: HtmlElement) -> bool:
    """True for a <meta> declaring the page's headline (og:title, twitter:title)."""
    return any(element.get(name) == value for name, value in HEADLINE_META_ATTRIBUTES)
