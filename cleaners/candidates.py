"""Candidate stage: find the article's container on the cleaned page, and trim what follows it.

trafilatura sometimes runs on past the article into what comes after it on the page: an author
box, a "more from this blog" teaser, a sign-up line, a reprint notice, a second short post. The
stage scores containers readability-style on the tree the tree stage already cleaned (one pass:
paragraph text, commas, class/id hints, link density), takes the best container with its
article-like siblings as the article region, and drops the trailing run of trafilatura's blocks
whose text lies outside that region. It acts only when the region holds most of trafilatura's
text: when the two disagree, the evidence is weak and trafilatura's choice stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from cleaners.context import CleaningContext
from cleaners.tree import link_density

# The name under which the stage's removals appear in the audit (Article.removed).
CLEANER_NAME = "drop_blocks_after_article"

WORD_RE = re.compile(r"\w+")
# Elements whose text is never article prose.
SKIPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "form",
        "select",
        "option",
        "button",
        "textarea",
        "nav",
        "svg",
        "iframe",
    }
)
# Inline elements: their text is part of the block around them.
INLINE_TAGS = frozenset(
    {
        "a",
        "b",
        "i",
        "em",
        "strong",
        "span",
        "font",
        "u",
        "small",
        "big",
        "sup",
        "sub",
        "img",
        "abbr",
        "cite",
        "code",
        "q",
        "mark",
        "time",
        "s",
        "strike",
        "tt",
        "kbd",
        "var",
        "label",
    }
)
# A container is a block element that can hold an article; these never are one on their own.
NON_CONTAINER_TAGS = INLINE_TAGS | frozenset(
    {
        "p",
        "br",
        "blockquote",
        "ul",
        "ol",
        "li",
        "dl",
        "dd",
        "dt",
        "table",
        "tbody",
        "thead",
        "tr",
        "pre",
        "center",
        "figure",
        "figcaption",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
PAGE_TAGS = frozenset({"body", "html"})
# Containers whose own loose text (not in a <p>) counts as a paragraph: readability's "a <div>
# without block children is a paragraph", and the table cells of old layouts. List items are left
# out: a reference list or a link list is long and comma-rich without being prose.
LOOSE_TEXT_TAGS = ("div", "td")
# libxml2 finds the pieces: a name test per tag, no union (its document-order sort costs more
# than the scoring, which needs no order), and only containers with text of their own.
PARAGRAPH_XPATH = etree.XPath("descendant::p")
LOOSE_TEXT_XPATH = etree.XPath(
    " | ".join(f"descendant::{tag}[text()[normalize-space()]]" for tag in LOOSE_TEXT_TAGS)
)
# A paragraph shorter than this is a label or a caption, not prose (readability's 25 characters).
MIN_PIECE_CHARS = 25
# Text written straight into a <div> or <td> (old blog layouts, <br>-separated) counts as a
# paragraph from this length.
MIN_LOOSE_TEXT_CHARS = 80
# readability's scores: one point a paragraph, one a comma, one per 100 characters up to three;
# the grandparent gets half of what the parent gets.
MAX_LENGTH_POINTS = 3
# Class/id hints (readability's): a container named like page furniture scores half, one named
# like an article half again as much.
NEGATIVE_HINT_RE = re.compile(
    r"comment|caption|profile|sidebar|widget|footer|masthead|menu|banner|sponsor|advert"
    r"|\bads?\b|related|share|social|promo|byline|author|popup|modal|breadcrumb|disqus|marquee"
)
POSITIVE_HINT_RE = re.compile(r"article|body|content|entry|main|post|story|text|blog")
NEGATIVE_HINT_WEIGHT = 0.5
POSITIVE_HINT_WEIGHT = 1.5
# Siblings of the container (and of its ancestors, up to this many levels) join the region when
# they are article-like: the same tag and class (the sections of one article), a prose paragraph,
# or prose of their own worth a fifth of the container's and little link text.
REGION_LEVELS = 5
SIBLING_SCORE_SHARE = 0.2
SIBLING_MAX_LINK_DENSITY = 0.33
PROSE_SIBLING_CHARS = 80
PROSE_SIBLING_MAX_LINK_DENSITY = 0.25
# The region must hold this share of trafilatura's text for its edge to be trusted.
MIN_INSIDE_SHARE = 0.4
# A table with a row longer than this is the page's layout, not a table of the article's data.
MAX_DATA_ROW_WORDS = 60
MIN_DATA_ROWS = 3
# A block is checked in runs of this many words when it is not in the region as a whole.
WINDOW_WORDS = 6
# Never trim a body down to fewer blocks than this.
MIN_KEPT_BLOCKS = 3
# trafilatura's XML vocabulary; any other tag in its body is HTML from a fallback extractor.
TRAFILATURA_TAGS = frozenset(
    {
        "p",
        "head",
        "list",
        "item",
        "table",
        "row",
        "cell",
        "quote",
        "code",
        "lb",
        "hi",
        "ref",
        "graphic",
        "del",
        "label",
    }
)


def word_text(text: str) -> str:
    """The text's words joined by single spaces: punctuation and spacing never decide a match."""
    return " ".join(WORD_RE.findall(text))


@dataclass(slots=True)
class ArticleRegion:
    """The article's container and the siblings that continue it, with their words."""

    container: HtmlElement
    members: list[HtmlElement]
    # The members' texts as they were when the region was found (the page may change after).
    texts: list[str]
    _words: str | None = None
    _glued: str | None = None

    @property
    def words(self) -> str:
        """The members' words, "|" between them, tokenised on first use (short bodies never ask)."""
        if self._words is None:
            self._words = "|".join(word_text(text) for text in self.texts)
        return self._words

    @property
    def glued_words(self) -> str:
        """The members' words with every word boundary dropped: text the page runs together."""
        if self._glued is None:
            self._glued = self.words.replace(" ", "")
        return self._glued

    def holds_glued(self, text: str) -> bool:
        """True when the text's words occur in the region in order, spacing aside."""
        glued = "".join(WORD_RE.findall(text))
        return bool(glued) and glued in self.glued_words

    def holds(self, text: str) -> bool:
        """True when the text's words occur in the region: all in order, or most of its runs.

        trafilatura leaves out bits of a block (a footnote mark, a hidden span, a <style> inside
        a reference list), so a block from the region need not be one run of its words; half of
        its WINDOW_WORDS-word runs found in the region is enough.
        """
        words = WORD_RE.findall(text)
        if not words:
            return False
        if " ".join(words) in self.words:
            return True
        runs = [" ".join(words[i : i + WINDOW_WORDS]) for i in range(0, len(words), WINDOW_WORDS)]
        return sum(run in self.words for run in runs) * 2 >= len(runs)


def text_pieces(body: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """Paragraph-like pieces of the page, each with its element: <p>s and loose text blocks."""
    for paragraph in PARAGRAPH_XPATH(body):
        yield paragraph, paragraph.text_content()
    for element in LOOSE_TEXT_XPATH(body):
        parts = [element.text or ""]
        for child in element:
            if child.tag in INLINE_TAGS:
                parts.append(child.text_content())
            parts.append(child.tail or "")
        text = "".join(parts)
        if len(text.strip()) >= MIN_LOOSE_TEXT_CHARS:
            yield element, text


def piece_score(text: str) -> float:
    """readability's score of one paragraph: 1, plus its commas, plus a point per 100 chars."""
    return 1 + text.count(",") + min(len(text) // 100, MAX_LENGTH_POINTS)


def hint_weight(element: HtmlElement) -> float:
    """The class/id hint factor of a container: furniture scores less, an article more."""
    marks = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if NEGATIVE_HINT_RE.search(marks):
        return NEGATIVE_HINT_WEIGHT
    if POSITIVE_HINT_RE.search(marks):
        return POSITIVE_HINT_WEIGHT
    return 1.0


def score_containers(
    body: HtmlElement,
) -> tuple[dict[HtmlElement, float], dict[HtmlElement, float]]:
    """One pass: readability scores of the pieces' parents, and every element's prose inside.

    The score goes to a paragraph's parent (half to the grandparent; loose text to its own
    element); the prose mass of an element sums the scores of all pieces inside it.
    """
    scores: dict[HtmlElement, float] = {}
    mass: dict[HtmlElement, float] = {}
    for element, text in text_pieces(body):
        text = text.strip()
        if len(text) < MIN_PIECE_CHARS:
            continue
        score = piece_score(text)
        parent = element if element.tag != "p" else element.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
        mass[element] = mass.get(element, 0.0) + score
        for holder in element.iterancestors():
            mass[holder] = mass.get(holder, 0.0) + score
    return scores, mass


def section_kind(element: HtmlElement) -> tuple[str, str]:
    """Tag and first class of an element: the sections of one article share them.

    The first class names the kind ("articleBodyText"); later ones vary by section
    ("articleBodyText version-2 section" beside "articleBodyText section").
    """
    classes = element.get("class", "").split()
    return element.tag, classes[0] if classes else ""


def is_article_sibling(
    sibling: HtmlElement, member: HtmlElement, mass: dict[HtmlElement, float], base: float
) -> bool:
    """True for a sibling that continues the article: same kind of section, or prose of its own."""
    if not isinstance(sibling.tag, str) or sibling.tag in SKIPPED_TAGS:
        return False
    own = mass.get(sibling, 0.0)
    if own and section_kind(sibling) == section_kind(member):
        return True
    if sibling.tag == "p":
        if len(sibling.text_content()) >= PROSE_SIBLING_CHARS:
            return link_density(sibling) < PROSE_SIBLING_MAX_LINK_DENSITY
        return False
    return own >= SIBLING_SCORE_SHARE * base and link_density(sibling) < SIBLING_MAX_LINK_DENSITY


def find_article_region(tree: HtmlElement) -> ArticleRegion | None:
    """The best-scoring container and its article-like siblings, or None when there is none."""
    body = tree.find("body")
    scores, mass = score_containers(body if body is not None else tree)
    if not scores:
        return None
    best = max(scores, key=lambda element: scores[element] * hint_weight(element))
    container: HtmlElement | None = best
    while container is not None and container.tag in NON_CONTAINER_TAGS:
        container = container.getparent()
    if container is None or container.tag in PAGE_TAGS:
        return None
    members = [container]
    base = mass.get(container, 0.0)
    member = container
    for _level in range(REGION_LEVELS):
        parent = member.getparent()
        if parent is None or parent.tag in PAGE_TAGS:
            break
        members += [
            sibling
            for sibling in parent
            if sibling is not member and is_article_sibling(sibling, member, mass, base)
        ]
        member = parent
    texts = [element.text_content() for element in members]
    return ArticleRegion(container=container, members=members, texts=texts)


def body_units(body: etree._Element) -> list[etree._Element]:
    """trafilatura's blocks in order; HTML a fallback extractor left is opened to its children."""
    units: list[etree._Element] = []
    for child in body:
        if not isinstance(child.tag, str):
            continue
        if child.tag not in TRAFILATURA_TAGS and len(child):
            units += body_units(child)
        else:
            units.append(child)
    return units


def unit_text(unit: etree._Element) -> str:
    """A block's own text, whitespace collapsed."""
    if not len(unit):  # one text node: what itertext() would give
        return " ".join((unit.text or "").split())
    return " ".join(" ".join(unit.itertext()).split())


def unit_tail(unit: etree._Element) -> str:
    """The loose text trafilatura left after a block, whitespace collapsed."""
    return " ".join((unit.tail or "").split())


def unit_held(region: ArticleRegion, unit: etree._Element, text: str) -> bool:
    """True when a block lies in the region; a list when most of its items do.

    trafilatura drops what sits between a list's items (a photo caption under each numbered
    line), so the list's text as one run of words is not in the page, while each item is.
    """
    if region.holds(text):
        return True
    if unit.tag == "table":
        # The page's text of a table runs its cells together ("WeekMondayTuesday"): each row
        # is looked for with the spacing between its words dropped.
        # A layout table (the page's columns, a row holding the whole post) or a box of a
        # heading and a line is not a table of the article's data.
        rows = [row_text for row in unit.iter("row") if (row_text := unit_text(row))]
        if len(rows) < MIN_DATA_ROWS or max(len(row.split()) for row in rows) > MAX_DATA_ROW_WORDS:
            return False
        return sum(region.holds_glued(row) for row in rows) * 2 >= len(rows)
    if unit.tag != "list":
        return False
    items = [item_text for item in unit.iter("item") if (item_text := unit_text(item))]
    return bool(items) and sum(region.holds(item) for item in items) * 2 >= len(items)


def blocks_after_article(
    body: etree._Element, region: ArticleRegion | None
) -> list[tuple[etree._Element, str]]:
    """trafilatura's trailing blocks that lie outside the article region, with their texts.

    Empty when there is no region, when the region holds too little of the text for its edge to
    be trusted, or when the trim would leave fewer than MIN_KEPT_BLOCKS blocks.
    """
    if region is None:
        return []
    candidates = body_units(body)
    # A last block inside the region leaves nothing to trim, whatever the other blocks are: it
    # is looked at before the other blocks' texts are read (most bodies end inside the region).
    last = next(((unit, text) for unit in reversed(candidates) if (text := unit_text(unit))), None)
    if last is None or unit_held(region, *last):
        return []
    units: list[etree._Element] = []
    texts: list[str] = []
    for unit in candidates:
        if text := unit_text(unit):
            units.append(unit)
            texts.append(text)
    if len(units) <= MIN_KEPT_BLOCKS:
        return []
    inside = [unit_held(region, unit, text) for unit, text in zip(units, texts, strict=True)]
    total = sum(len(text) for text in texts)
    held = sum(len(text) for text, held in zip(texts, inside, strict=True) if held)
    if held < MIN_INSIDE_SHARE * total:
        return []
    end = len(units)
    while end > 0 and not inside[end - 1]:
        end -= 1
    if end < MIN_KEPT_BLOCKS or end == len(units):
        return []
    return list(zip(units[end:], texts[end:], strict=True))


def drop_blocks_after_article(
    body: etree._Element,
    page: HtmlElement | ArticleRegion | None,
    ctx: CleaningContext,
    trailing: list[tuple[etree._Element, str]] | None = None,
) -> None:
    """Drop trafilatura's trailing blocks that lie outside the article's container on the page.

    Removes e.g. the "About the author: Jane writes about gardens ..." box after the article's
    <div class="entry">; keeps everything when the container holds too little of the text.
    `page` is the cleaned page, or its `find_article_region` found beforehand (None: no region);
    `trailing` the blocks `blocks_after_article` found, when the caller looked already.
    """
    if trailing is None:
        region = find_article_region(page) if isinstance(page, HtmlElement) else page
        trailing = blocks_after_article(body, region)
    for unit, text in trailing:
        ctx.remove(CLEANER_NAME, f"{text} {unit_tail(unit)}")
        parent = unit.getparent()
        if parent is not None:
            parent.remove(unit)
