"""Page kinds: tell a section front, tag page or archive (a list of teasers) from an article.

A news crawl fetches index pages as well as articles. trafilatura takes the largest run of text
on an index page, which is its teasers: linked headlines with a one-line summary each. Stored as
a body they are not an article, so `extract_article` refuses such a page (`NotAnArticle`).
The evidence is the page's structure: the body's text lies in "cards" (the small containers
around one headline link to another page of the site, with its summary, date and thumbnail), many
of them, and no more than one paragraph of prose lies outside them. A page that declares itself
an article (og:type, JSON-LD) or names an author of its own is never refused: a false refusal
costs a whole article, a missed index page only a stored list of teasers.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, islice
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from cleaners.candidates import word_text
from cleaners.context import Block, CleaningContext, is_internal_link, last_two_host_labels
from cleaners.errors import NotAnArticle
from cleaners.meta.evidence import types_of

WORD_RE = re.compile(r"\w+")
# A body of text lines reads like a list of headlines (see reads_like_a_list).
LIST_MIN_LINES = 5
LIST_MAX_LINE_CHARS = 80
LIST_MAX_SENTENCE_SHARE = 0.2
SENTENCE_END_RE = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
# A link whose text has this many words is a headline (a teaser's title), not a label.
HEADLINE_LINK_WORDS = 2
# A headline link fills at least this share of its line's characters (block-level ancestor).
LINE_LINK_SHARE = 0.8
INLINE_TAGS = frozenset(
    {"a", "b", "i", "em", "strong", "span", "font", "u", "small", "big", "sup", "sub", "time"}
)
# A card lies at most this many levels above its headline link (li > div > h3 > a).
CARD_MAX_DEPTH = 6
# A card holds one headline link, its summary, date and byline: at most this many words.
CARD_MAX_WORDS = 120
# A card with two <p>s of this many words holds an article's text, not a teaser's summary.
CARD_PARAGRAPH_WORDS = 10
# The body is a list of teasers when its text lies in at least this many distinct cards, ...
MIN_CARDS = 5
# ... those cards hold at least this share of its words and of its blocks (headings aside:
# the section labels between runs of teasers), ...
MIN_CARD_WORD_SHARE = 0.6
MIN_CARD_BLOCK_SHARE = 0.66
# ... and outside them lies at most this many paragraphs of prose (a footer notice; an
# article's own paragraphs are more).
MAX_PROSE_OUTSIDE = 1
# A block of this many words is a paragraph of prose.
PROSE_WORDS = 20
# An article's body that ends in this many teasers (in distinct cards) for other stories ends in
# a "more stories" list: drop_trailing_teasers cuts it.
MIN_TRAILING_TEASERS = 3
# A teaser (headline and summary, or either alone) has at most this many words.
TEASER_MAX_WORDS = 60
# A card with this many words besides its headline link holds a summary: a teaser.
SUMMARY_WORDS = 5
TRAILING_TEASERS_CLEANER = "drop_trailing_teasers"
# og:type and JSON-LD @type values by which a page declares itself an article.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "liveblogposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "review",
        "recipe",
        "howto",
        "qapage",
        "posting",
        "socialmediaposting",
    }
)
# JSON-LD @type values by which a page declares itself a collection (a section front).
COLLECTION_TYPES = frozenset({"collectionpage", "searchresultspage"})
# Links with a space inside their text: one-word links (sections, "Home", icons) and in-page
# anchors are never headlines, and libxml2 leaves them out before any Python runs.
HEADLINE_LINK_XPATH = etree.XPath(
    "/descendant::a[@href][not(starts-with(@href, '#'))][contains(normalize-space(.), ' ')]"
)
ID_XPATH = etree.XPath("/descendant::*/@id")
JSON_LD = etree.XPath("/descendant::script[@type='application/ld+json']/text()")
JSON_LD_TYPE_RE = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')


def declared_types(tree: HtmlElement) -> set[str]:
    """Lower-case og:type and JSON-LD @type values the page declares ("article", "website")."""
    types: set[str] = set()
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:type":
            types.add((meta.get("content") or "").strip().lower().rsplit(".", 1)[-1])
    for script in JSON_LD(tree):
        for match in JSON_LD_TYPE_RE.finditer(script):
            try:
                value = json.loads(match.group(1))
            except ValueError:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    types.add(item.strip().lower().rsplit("/", 1)[-1])
    return types


def page_site(tree: HtmlElement, url: str | None) -> str | None:
    """The site the page belongs to: from its URL, else its canonical or og:url link."""
    if site := last_two_host_labels(url):
        return site
    for element in tree.iter("link", "meta"):
        if element.tag == "link" and "canonical" in (element.get("rel") or "").lower():
            if site := last_two_host_labels(element.get("href")):
                return site
        elif (element.get("property") or "").lower() == "og:url":
            if site := last_two_host_labels(element.get("content")):
                return site
    return None


def headline_links(
    tree: HtmlElement, site: str | None, titles: Sequence[str] = (), url: str | None = None
) -> list[HtmlElement]:
    """Links to another page of the site whose text reads like a headline (two words or more).

    A link titled like the page itself is the article's own permalink ("Yard Sign Fenders" over
    a blog post), and a link to the page's own address or to an id on it is an entry's
    permalink: neither is a teaser for another story.
    """
    own = [f" {word_text(title).casefold()} " for title in titles if title.strip()]
    page = same_document(url, url) if url else None
    ids: list[set[str]] = []  # the page's element ids, read at the first link with a fragment
    line_chars: dict[HtmlElement, int] = {}
    links = []
    for anchor in HEADLINE_LINK_XPATH(tree):
        href = anchor.get("href").strip()
        if not href or href.startswith("#") or not is_internal_link(href, site):
            continue
        text = anchor.text_content()
        words = WORD_RE.findall(text)
        if len(words) < HEADLINE_LINK_WORDS or not fills_its_line(anchor, text, line_chars):
            continue
        # After the text tests: resolving the address (urljoin) costs more than they do.
        if is_permalink(tree, href, url, page, ids):
            continue
        folded = f" {' '.join(words).casefold()} "
        if not any(folded in title for title in own):
            links.append(anchor)
    return links


def is_permalink(
    tree: HtmlElement, href: str, url: str | None, page: str | None, ids: list[set[str]]
) -> bool:
    """A link to the page's own address (`page`, its document URL) or to an id on it.

    A live blog's entry permalinks ("/live/storm#entry-3") point back to the page itself.
    `ids` caches the page's element ids: empty until a link with a fragment needs them.
    """
    if page is not None and same_document(url, href) == page:
        return True
    if "#" not in href:
        return False
    if not ids:
        ids.append(set(ID_XPATH(tree)))
    return href.split("#", 1)[1] in ids[0]


def fills_its_line(anchor: HtmlElement, text: str, line_chars: dict[HtmlElement, int]) -> bool:
    """Whether the link's text is most of its line, its nearest block-level ancestor (an <h3>,
    <li>, <div>, <p>): a teaser's title fills it, a link inside a sentence is a small part of
    it. `line_chars` caches each line's visible length."""
    line = anchor.getparent()
    while line is not None and line.tag in INLINE_TAGS:
        line = line.getparent()
    if line is None:
        return True
    if line not in line_chars:
        line_chars[line] = visible_chars(line.text_content())
    return visible_chars(text) >= LINE_LINK_SHARE * line_chars[line]


def same_document(base: str | None, href: str) -> str:
    """The link's address without its fragment, made absolute against the page's URL."""
    try:
        return urljoin(base or "", href).split("#", 1)[0].rstrip("/")
    except ValueError:
        return href


def visible_chars(text: str) -> int:
    """Characters of the text other than whitespace."""
    return len("".join(text.split()))


def teaser_cards(tree: HtmlElement, url: str | None, titles: Sequence[str] = ()) -> list[str]:
    """Word texts of the page's cards: the largest small container around one headline link."""
    return [text for text, _summary in find_cards(tree, url, titles)]


def find_cards(
    tree: HtmlElement, url: str | None, titles: Sequence[str] = ()
) -> list[tuple[str, bool]]:
    """The page's cards: word text, and whether it holds a summary besides its headline.

    A card grows from its link up to the last ancestor (at most CARD_MAX_DEPTH levels up) that
    holds no other headline link and at most CARD_MAX_WORDS words; in an article the
    paragraphs' container holds many links or many words, so its prose is never in a card.
    """
    links = headline_links(tree, page_site(tree, url), titles, url)
    # Distinct targets under each element: a teaser's image, title and "Read more" links all
    # point to the one story.
    targets: dict[HtmlElement, set[str]] = {}
    for link in links:
        href = link.get("href", "").strip()
        for ancestor in islice(link.iterancestors(), CARD_MAX_DEPTH):
            targets.setdefault(ancestor, set()).add(href)
    cards: dict[HtmlElement, int] = {}
    for link in links:
        card = link
        for ancestor in islice(link.iterancestors(), CARD_MAX_DEPTH):
            if len(targets[ancestor]) > 1 or ancestor.tag in ("body", "html"):
                break
            if len(ancestor.text_content().split()) > CARD_MAX_WORDS:
                break
            card = ancestor
        cards[card] = max(cards.get(card, 0), len(WORD_RE.findall(link.text_content())))
    found = []
    for card, headline_words in cards.items():
        # A card with paragraphs of its own is a post or an excerpt, not a teaser.
        if not holds_paragraphs(card):
            text = word_text(card.text_content())
            found.append((text, text.count(" ") + 1 - headline_words >= SUMMARY_WORDS))
    return found


def holds_paragraphs(card: HtmlElement) -> bool:
    """True when the card holds two <p>s of prose (an article's text, not a teaser's summary)."""
    prose = (p for p in card.iter("p") if len(p.text_content().split()) >= CARD_PARAGRAPH_WORDS)
    return next(prose, None) is not None and next(prose, None) is not None


@dataclass(frozen=True, slots=True)
class TeaserEvidence:
    """How much of an extracted body lies in teaser cards, and what prose lies outside them."""

    cards: int
    card_word_share: float
    block_share: float
    prose_outside: int
    declared: frozenset[str]
    # The page's cards (cleaners.pages.find_cards) when they were searched, for the other checks.
    found: list[tuple[str, bool]] | None = None

    @property
    def is_index(self) -> bool:
        """True when the body is a list of teasers and the page does not declare an article.

        A page that declares itself an article is one even when its body looks like a list (a
        list article of linked items), unless its structured data calls it a collection.
        """
        if self.declared & ARTICLE_TYPES and not self.declared & COLLECTION_TYPES:
            return False
        return (
            self.cards >= MIN_CARDS
            and self.card_word_share >= MIN_CARD_WORD_SHARE
            and self.block_share >= MIN_CARD_BLOCK_SHARE
            and self.prose_outside <= MAX_PROSE_OUTSIDE
        )


def card_of_blocks(blocks: Sequence[Block], cards: Sequence[str]) -> list[int | None]:
    """For each block, the index of the card that holds all its words, or None."""
    joined = "|".join(cards)
    starts = list(accumulate((len(card) + 1 for card in cards[:-1]), initial=0))
    found: list[int | None] = []
    for block in blocks:
        words = " ".join(WORD_RE.findall(block.text))
        position = joined.find(words) if words else -1
        found.append(bisect_right(starts, position) - 1 if position >= 0 else None)
    return found


def teaser_evidence(
    tree: HtmlElement,
    blocks: Sequence[Block],
    url: str | None,
    titles: Sequence[str] = (),
) -> TeaserEvidence:
    """Where the body's blocks lie on the page: in which teaser cards, and how much outside.

    Pages that declare an article, and bodies of too few or too long blocks to be a list, are
    not searched for cards (most pages: the search walks every link).
    """
    counted = [block for block in blocks if block.kind != "heading"]
    if not could_be_teasers(blocks, counted):
        return TeaserEvidence(0, 0.0, 0.0, 0, frozenset())
    declared = frozenset(declared_types(tree))
    if declared & ARTICLE_TYPES and not declared & COLLECTION_TYPES:
        return TeaserEvidence(0, 0.0, 0.0, 0, declared)
    found = find_cards(tree, url, titles)
    used: set[int] = set()
    inside = total = blocks_inside = prose_outside = 0
    cards = card_of_blocks(blocks, [text for text, _summary in found])
    for block, card in zip(blocks, cards, strict=True):
        words = len(WORD_RE.findall(block.text))
        total += words
        if card is not None:
            inside += words
            blocks_inside += block.kind != "heading"
            used.add(card)
        else:
            prose_outside += words >= PROSE_WORDS
    return TeaserEvidence(
        cards=len(used),
        card_word_share=inside / total if total else 0.0,
        block_share=blocks_inside / len(counted),
        prose_outside=prose_outside,
        declared=declared,
        found=found,
    )


def could_be_teasers(blocks: Sequence[Block], counted: Sequence[Block]) -> bool:
    """Whether the body has enough blocks (`counted`: its non-heading ones) and enough words in
    short ones to be a list of teasers: a body whose words lie mostly in long paragraphs is no
    list of them."""
    lengths = [len(block.text.split()) for block in blocks]
    short = sum(length for length in lengths if length <= TEASER_MAX_WORDS)
    return len(counted) >= MIN_CARDS and short >= MIN_CARD_WORD_SHARE * sum(lengths)


def names_own_author(author: str | None, found: Sequence[tuple[str, bool]]) -> bool:
    """True when the page's author is its own, not the byline of one of its teasers."""
    names = [f" {word_text(name).casefold()} " for name in (author or "").split(";")]
    cards = [f" {text.casefold()} " for text, _summary in found]
    return any(name.strip() and not any(name in card for card in cards) for name in names)


def refuse_index_page(
    tree: HtmlElement,
    blocks: Sequence[Block],
    url: str | None,
    titles: Sequence[str] = (),
    author: str | None = None,
) -> list[tuple[str, bool]] | None:
    """Raise NotAnArticle when the extracted body is a section front's list of teasers.

    A page whose metadata names its own author is an article (a list article's byline); a
    section front has none (a name it shows is a teaser's byline). Returns the page's cards
    when they were searched, for drop_trailing_teasers.
    """
    evidence = teaser_evidence(tree, blocks, url, titles)
    if evidence.is_index and not names_own_author(author, evidence.found or ()):
        raise NotAnArticle(
            f"looks like an index page: {evidence.card_word_share:.0%} of the text in "
            f"{evidence.cards} teasers (linked headline, summary), no article prose"
        )
    return evidence.found


def drop_trailing_teasers(
    blocks: list[Block],
    tree: HtmlElement,
    ctx: CleaningContext,
    titles: Sequence[str] = (),
    found: list[tuple[str, bool]] | None = None,
) -> list[Block]:
    """Drop the run of teasers for other stories that closes an article's body.

    Removes e.g. "Actor dies at 69 / A publicist said the actor suffered a heart attack ..." and
    two more linked headlines with their summaries after a story about something else; keeps the
    body when no paragraph of prose outside the teasers comes before them, and when the cards
    are the items of the list the page declares as its content (`is_declared_list`).
    """
    tail = [block for block in blocks if block.kind != "heading"][-MIN_TRAILING_TEASERS:]
    if len(tail) < MIN_TRAILING_TEASERS or len(blocks) <= MIN_TRAILING_TEASERS:
        return blocks
    if any(len(block.text.split()) > TEASER_MAX_WORDS for block in tail):
        return blocks
    if found is None:
        found = find_cards(tree, ctx.url, titles)
    cards = card_of_blocks(blocks, [text for text, _summary in found])
    end, teasers = trailing_teaser_run(blocks, cards, found)
    prose_before = any(
        card is None and len(WORD_RE.findall(block.text)) >= PROSE_WORDS
        for block, card in zip(blocks[:end], cards[:end], strict=True)
    )
    if len(teasers) < MIN_TRAILING_TEASERS or not prose_before:
        return blocks
    if is_declared_list(tree, [found[card][0] for card in teasers]):
        return blocks
    for block in blocks[end:]:
        ctx.remove(TRAILING_TEASERS_CLEANER, block.text)
    return blocks[:end]


def is_declared_list(tree: HtmlElement, cards: Sequence[str]) -> bool:
    """True when the cards are the items of the list the page declares as its content.

    A page whose structured data is a schema.org ItemList (a "best tools for ..." list, a list of
    courses) and no article shows its items as cards, each a linked name and a summary: they are
    its text, not teasers for other stories. At least MIN_TRAILING_TEASERS of the cards must
    hold an item's name. Asked only when a run of cards is about to be dropped.
    """
    declared = declared_types(tree)
    if "itemlist" not in declared or declared & ARTICLE_TYPES:
        return False
    names = [f" {word_text(name).casefold()} " for name in declared_list_items(tree)]
    texts = [f" {card.casefold()} " for card in cards]
    named = sum(1 for text in texts if any(name.strip() and name in text for name in names))
    return named >= MIN_TRAILING_TEASERS


def declared_list_items(tree: HtmlElement) -> list[str]:
    """Names of the items of the page's top-level JSON-LD ItemLists (in a @graph too)."""
    names: list[str] = []
    for script in JSON_LD(tree):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        tops = data if isinstance(data, list) else [data]
        tops = [g for top in tops if isinstance(top, dict) for g in top.get("@graph", [top])]
        for top in tops:
            if isinstance(top, dict) and "itemlist" in types_of(top):
                names += list_item_names(top.get("itemListElement"))
    return names


def list_item_names(elements: object) -> list[str]:
    """The names of an itemListElement array's items (the ListItem's name or its item's)."""
    names = []
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        item = element.get("item")
        name = element.get("name") or (item.get("name") if isinstance(item, dict) else None)
        if isinstance(name, str):
            names.append(name)
    return names


def trailing_teaser_run(
    blocks: Sequence[Block], cards: Sequence[int | None], found: Sequence[tuple[str, bool]]
) -> tuple[int, set[int]]:
    """Where the run of teaser blocks that closes the body starts, and the cards with a
    summary in it.

    Headings between the teasers, and the one just before them ("More from the news desk"),
    are the list's labels and go with it. Only teasers with a summary count: a closing list of
    bare headline links is drop_trailing_link_lists' to judge (a numbered list of links may be
    the article's).
    """
    end = len(blocks)
    teasers: set[int] = set()
    while end > 0 and (blocks[end - 1].kind == "heading" or cards[end - 1] is not None):
        card = cards[end - 1]
        if card is not None and found[card][1]:
            teasers.add(card)
        end -= 1
    return end, teasers


def reads_like_a_list(body: str) -> bool:
    """True when every line is short and hardly any ends like a sentence (headlines + dates).

    A check on the text alone, for bodies from any source (the pipeline's validate step): a
    body of at least LIST_MIN_LINES lines, none as long as LIST_MAX_LINE_CHARS, of which fewer
    than LIST_MAX_SENTENCE_SHARE end like a sentence. On ~1,200 article pages of public
    extraction test sets this flagged 4 (a photo-gallery index, song lyrics, two <br>-broken
    blog posts), too many to refuse pages in extraction.
    """
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if len(lines) < LIST_MIN_LINES or max(len(line) for line in lines) >= LIST_MAX_LINE_CHARS:
        return False
    sentences = sum(1 for line in lines if SENTENCE_END_RE.search(line))
    return sentences < LIST_MAX_SENTENCE_SHARE * len(lines)
