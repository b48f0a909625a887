"""`extract_article`: decode, parse once, tree stage, metadata, trafilatura, text stage.

The page is parsed once with lxml: the tree stage cleans that tree, the metadata, the page's
links and the article region are read from it, and then trafilatura extracts the main text from
the tree itself rather than from a copy (its extraction prunes the tree it works on).
Every failure surfaces as an `ExtractionError` subclass, never as an lxml or trafilatura error.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from copy import deepcopy
from dataclasses import replace
from datetime import datetime
from typing import Any

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
)
from trafilatura.settings import Document
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS, repair_faulty_html

from cleaners import fuller_reading, region_hint, second_look
from cleaners.article import Article, Removal
from cleaners.block_model import drop_model_blocks
from cleaners.candidates import (
    ArticleRegion,
    blocks_after_article,
    drop_blocks_after_article,
    find_article_region,
)
from cleaners.context import Block, CleaningContext
from cleaners.decode import decode_html
from cleaners.errors import EmptyDocument, ExtractionError, NotAnArticle, NotHTML
from cleaners.fallback_gate import extract_body, extract_body_escalated
from cleaners.meta import (
    PageMetadata,
    byline_place_blocks,
    learned_byline_places,
    read_evidence,
    resolve_metadata,
)
from cleaners.meta.dates import as_fetch_time, cheap_date_known, headline_date, page_date
from cleaners.meta.learned import title_affix_blocks
from cleaners.meta.title import learned_title_affixes
from cleaners.metadata import page_facts
from cleaners.page_metadata import page_metadata
from cleaners.pages import drop_trailing_teasers, refuse_index_page
from cleaners.profile import (
    BoilerplateProfile,
    PageBlock,
    PageBlocks,
    drop_learned_paragraphs,
    read_page_blocks,
    remove_learned_blocks,
)
from cleaners.pruning import run_pruning
from cleaners.rules import OutletRules
from cleaners.text import run_text_stage
from cleaners.tree import run_tree_stage, unbox_misnested_article
from cleaners.version import CLEANER_VERSION

# Guard against pathological input: a page larger than this is refused rather than risking
# minutes of parsing (trafilatura's own file limit is 20 MB); libxml2 itself caps nesting depth.
MAX_HTML_CHARS = 20_000_000
# A body with fewer than RESCUE_MIN_PROSE_WORDS words in lines of PROSE_LINE_WORDS words or more
# has no article prose: trafilatura's precision mode gets a second look (`has_little_prose`).
PROSE_LINE_WORDS = 15
RESCUE_MIN_PROSE_WORDS = 30
# How trafilatura is run: its XML body only (metadata comes from cleaners.page_metadata).
TRAFILATURA_OPTIONS = {
    "output_format": "xml", "with_metadata": False, "include_comments": False,
    "include_links": False, "include_tables": True,
}
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
HTML_PARSER = HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
# lxml.html picks each element's Python class in a Python callback (form and input elements get
# their own classes), called for every element the tree stage, trafilatura and htmldate touch:
# about a tenth of the extraction time. Nothing here uses the form classes, so every element is a
# plain HtmlElement chosen inside lxml.
HTML_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
# htmldate's extensive search hands free text to dateparser, which costs ~80% of the extraction
# time on news pages; markup, URL and JSON-LD dates are still found, and timestamp lines in the
# text stage fill in the rest.
SOFT_HYPHEN = "\u00ad"
# Loose text in trafilatura's body must be this long to be a paragraph (see is_loose_paragraph).
LOOSE_PARAGRAPH_WORDS = 5
# Marks that may open a loose paragraph before its first word.
LOOSE_OPENING_MARKS = "'\"‘“«„([]*•-–— "
# Blocks trafilatura may nest inside an item, cell or quote; their texts are separate words.
NESTED_BLOCK_TAGS = frozenset(
    {"p", "head", "list", "item", "quote", "table", "row", "cell", "code"}
)
NESTED_LIST_TAGS = frozenset({"list"})
BLOCK_KINDS = {"p": "p", "head": "heading", "quote": "quote", "item": "item", "row": "row"}
# Tags of plain HTML that trafilatura's XML never uses: its fallback extractors' output.
HTML_CONTAINER_TAGS = frozenset({"div", "section", "article", "main", "span", "font", "center"})
# HTML elements that start a block of their own, and the block kind they give.
HTML_BLOCK_KINDS = {
    **{tag: "p" for tag in ("p", "div", "section", "article", "main", "pre", "dd", "dt", "td")},
    **{tag: "p" for tag in ("figure", "figcaption", "header", "footer", "aside", "nav", "form")},
    **{f"h{level}": "heading" for level in range(1, 7)},
    "li": "item",
    "blockquote": "quote",
    "tr": "row",
    "ul": "p",
    "ol": "p",
    "table": "p",
}

# The characters trafilatura's INVALID_XML_CHARS removes, each looked for on its own: a substring
# test per character runs at memchr speed, its character-class regex at a few ns per character.
INVALID_XML_CHARACTERS = tuple(
    chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)
)
# Should a later trafilatura remove other characters, its own repair runs on every page.
FAST_REPAIR = INVALID_XML_CHARS.pattern == r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"

# trafilatura logs every discarded page at WARNING; a failure here is our NotAnArticle instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def repair_html(text: str) -> str:
    """trafilatura's `repair_faulty_html(text, text[:50].lower())`, at a fraction of its cost.

    Its first step, a regex substitution over the whole document (a third of the parse time of a
    large page), has nothing to remove on nearly every page; the other two look at the first
    lines only. A page holding a character to remove goes through trafilatura's own function.
    """
    beginning = text[:50].lower()
    if not FAST_REPAIR or any(character in text for character in INVALID_XML_CHARACTERS):
        return repair_faulty_html(text, beginning)
    # The same steps as trafilatura's, after its no-op character removal.
    if "doctype" in beginning:
        firstline, _, rest = text.partition("\n")
        text = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in text[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            text = FAULTY_HTML.sub(r"\1>", text, count=1)
            break
    return text


def parse_html(text: str) -> HtmlElement:
    """The lxml tree of a page, once; EmptyDocument/NotHTML instead of lxml's errors."""
    if len(text) > MAX_HTML_CHARS:
        raise NotAnArticle(f"document larger than {MAX_HTML_CHARS} characters")
    text = XML_DECLARATION_RE.sub("", text, count=1)
    # trafilatura's repairs before libxml2: characters XML forbids, and a doctype on the first line
    # that can make libxml2 lose the page's structure (trafilatura then finds no main text).
    text = repair_html(text)
    try:
        tree = document_fromstring(text, parser=HTML_PARSER)
    except etree.ParserError as err:
        raise EmptyDocument(f"no HTML element in the document ({err})") from err
    except (ValueError, etree.LxmlError, UnicodeError) as err:
        raise NotHTML(f"the document cannot be parsed as HTML ({err})") from err
    if tree is None or not isinstance(tree, HtmlElement):
        raise EmptyDocument("no HTML element in the document")
    return tree


def element_blocks(
    element: etree._Element, kind: str, skip: frozenset[str] = frozenset()
) -> list[Block]:
    """Blocks of one trafilatura output element, split at its line breaks (<lb/>).

    Children tagged in `skip` are left out (a list item's sub-list, whose items are blocks of
    their own), their tail text kept.
    """
    if not len(element) and element.tag != "lb":  # most paragraphs: one text, nothing to split
        text = " ".join((element.text or "").split())
        return [Block(text=text, kind=kind)] if text else []
    segments: list[list[str]] = [[]]

    def walk(node: etree._Element) -> None:
        if node.tag == "lb":
            segments.append([])
        elif node.text:
            segments[-1].append(node.text)
        for child in node:
            if child.tag in skip:
                if child.tail:
                    segments[-1].append(child.tail)
                continue
            # A heading and a paragraph inside one list item are two words apart, not glued.
            if child.tag in NESTED_BLOCK_TAGS:
                segments[-1].append(" ")
            walk(child)
            if child.tag in NESTED_BLOCK_TAGS:
                segments[-1].append(" ")
            if child.tail:
                segments[-1].append(child.tail)

    walk(element)
    texts = (" ".join("".join(parts).split()) for parts in segments)
    return [Block(text=text, kind=kind) for text in texts if text]


def html_blocks(element: etree._Element) -> list[Block]:
    """Blocks of plain HTML in trafilatura's body (its fallback extractors' output), one a block.

    When trafilatura falls back to its baseline extractors, the body holds the page's own
    <div>/<p>/<h2>/<li> markup; reading it as one element would glue the whole article into
    one block that no line cleaner could judge.
    """
    segments: list[tuple[str, list[str]]] = [("p", [])]

    def walk(node: etree._Element, kind: str) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            segments.append((kind, []))
        elif tag in HTML_BLOCK_KINDS:
            kind = HTML_BLOCK_KINDS[tag]
            segments.append((kind, []))
        if node.text and tag != "br":
            segments[-1][1].append(node.text)
        for child in node:
            walk(child, kind)
            if child.tail:
                if child.tag in HTML_BLOCK_KINDS:
                    segments.append((kind, []))
                segments[-1][1].append(child.tail)

    walk(element, "p")
    blocks = []
    for kind, parts in segments:
        text = " ".join("".join(parts).split())
        if text:
            blocks.append(Block(text=text, kind=kind))
    return blocks


def body_blocks(body: etree._Element) -> list[Block]:
    """Paragraph-level blocks of trafilatura's XML body: list items and table rows kept apart."""
    blocks: list[Block] = []
    # A body of bare text and no elements (trafilatura's fallback on a page without markup) is
    # the whole extraction, however short.
    if body.text and (is_loose_paragraph(body.text) or (not len(body) and body.text.strip())):
        blocks.append(Block(text=" ".join(body.text.split()), kind="p"))
    for element in body:
        if element.tag == "lb":
            pass
        elif element.tag == "list":
            # A nested list's items are blocks of their own, not also part of their parent's.
            for item in element.iter("item"):
                blocks += element_blocks(item, "item", skip=NESTED_LIST_TAGS)
        elif element.tag in HTML_CONTAINER_TAGS:
            blocks += html_blocks(element)
        elif element.tag == "table":
            for row in element.iter("row"):
                cells = [" ".join(c.itertext()).strip() for c in row.iter("cell")]
                text = " | ".join(" ".join(c.split()) for c in cells if c.strip())
                if text:
                    blocks.append(Block(text=text, kind="row"))
        else:
            blocks += element_blocks(element, BLOCK_KINDS.get(element.tag, "p"))
        # Text trafilatura left loose in the body, e.g. a section's prose after its <head>, or a
        # cross-head between two paragraphs ("'Two-person newspaper'" in a <span> of its own).
        if element.tail and is_loose_paragraph(element.tail):
            blocks.append(Block(text=" ".join(element.tail.split()), kind="p"))
        elif element.tail and is_loose_crosshead(element):
            blocks.append(Block(text=" ".join(element.tail.split()), kind="heading"))
    return blocks


def is_loose_paragraph(text: str) -> bool:
    """True for loose text that reads as a paragraph of its own, not a sentence's remnant.

    Around an inline element trafilatura dropped (a formula, a script) the loose text is a
    fragment: ", there are two solutions to", "and they are", a lone word; a paragraph whose
    container trafilatura did not keep starts like a sentence and runs on.
    """
    text = text.strip()
    # An opening quote, bracket or bullet may come first: "[*] If you are trying to ...".
    opening = text.lstrip(LOOSE_OPENING_MARKS) or text
    return len(text.split()) >= LOOSE_PARAGRAPH_WORDS and (
        opening[0].isupper() or opening[0].isdigit()
    )


def is_loose_crosshead(element: etree._Element) -> bool:
    """True when the loose text after `element` is a short cross-head between two paragraphs.

    News pages set section titles ("Skill shortage", "'Chicken and egg'") in a <span> or <b>
    line trafilatura leaves loose between its <p>s; a sentence's remnant around a dropped inline
    element starts with punctuation or a lower-case word instead.
    """
    following = element.getnext()
    if element.tag != "p" or following is None or following.tag != "p":
        return False
    text = (element.tail or "").strip().lstrip("'\"‘“«„-–—")
    return bool(text) and (text[0].isupper() or text[0].isdigit())


def run_trafilatura(
    tree: HtmlElement, url: str | None, metadata: Document
) -> tuple[Document, bool, Any]:
    """trafilatura's main text of the cleaned tree, into `metadata`, whether its recall
    escalation ran, and readability's reading of the page (cleaners.fallback_gate); NotAnArticle
    when there is no main text.

    The metadata comes from `page_metadata` (trafilatura's own steps without its costly tree
    copies and scans, read before the tree stage) rather than `with_metadata=True`, which cost a
    third of the extraction. bare_extraction works on a copy of the tree: the precision-mode
    second look and the index-page check read the cleaned page after it.
    """
    try:
        document, escalated, reading = extract_body_escalated(tree, url, **TRAFILATURA_OPTIONS)
    except ExtractionError:
        raise
    except Exception as err:  # trafilatura and its fallbacks raise many error types
        raise NotAnArticle(f"main-text extraction failed ({type(err).__name__}: {err})") from err
    if document is None or document.body is None or not (
        len(document.body) or (document.body.text or "").strip()
    ):
        raise NotAnArticle("no main text found")
    metadata.body, metadata.raw_text = document.body, document.raw_text
    return metadata, escalated, reading


def run_trafilatura_hinted(
    tree: HtmlElement, url: str | None, metadata: Document, region: ArticleRegion | None
) -> tuple[Document, bool, Any, Any]:
    """`run_trafilatura`, read again with the article region declared when trafilatura could
    only gather the page's text wild (cleaners.region_hint), the better-founded reading kept
    (the region's with the wild reading's lead lines just before the container); last, the wild
    reading's body when the region's reading replaced it (for the audit)."""
    with region_hint.wild_record() as wild:
        first = run_trafilatura(tree, url, metadata)
    if not wild or region is None:
        return (*first, None)
    body, raw_text = metadata.body, metadata.raw_text
    try:
        with region_hint.declared_article(region.container):
            hinted = run_trafilatura(tree, url, metadata)
    except NotAnArticle:
        hinted = None
    if hinted is not None and region_hint.keeps_enough(body, metadata.body):
        region_hint.put_lead(body, metadata.body, region.container)
        return (*hinted, body)
    metadata.body, metadata.raw_text = body, raw_text
    return (*first, None)


def audit_left_reading(
    body: Any,
    blocks: list[Block],
    region: ArticleRegion | None,
    ctx: CleaningContext,
    tree_removals: int,
    page_blocks: PageBlocks | None,
    profile: BoilerplateProfile | None,
) -> None:
    """Put in the audit what the reading left for the region's reading held and the body lacks:
    through the text stage, so a line a cleaner would have taken is named by that cleaner, and
    any other line under `region_hint.CLEANER_NAME` (no line is lost without a record)."""
    scratch = replace(ctx, removed=ctx.removed[:tree_removals])
    left = clean_main_text(body, region, scratch, page_blocks, profile)
    kept = {block.text for block in blocks}
    known = {(removal.cleaner, removal.text) for removal in ctx.removed}
    for removal in scratch.removed[tree_removals:]:
        if removal.text not in kept and (removal.cleaner, removal.text) not in known:
            ctx.removed.append(removal)
    ctx.removed.extend(
        Removal(cleaner=region_hint.CLEANER_NAME, text=block.text)
        for block in left
        if block.text not in kept
    )


def run_trafilatura_body(
    tree: HtmlElement, url: str | None, *, favor_precision: bool = False
) -> Any:
    """trafilatura's main text alone (its XML body), or None when it finds none or fails."""
    try:
        document = extract_body(tree, url, favor_precision=favor_precision, **TRAFILATURA_OPTIONS)
    except Exception:  # trafilatura and its fallbacks raise many error types
        return None
    if document is None or document.body is None:
        return None
    return document.body


def clean_main_text(
    body: Any,
    region: ArticleRegion | None,
    ctx: CleaningContext,
    page_blocks: PageBlocks | None,
    profile: BoilerplateProfile | None,
) -> list[Block]:
    """trafilatura's body through the region trim, the text stage, pruning and learned lines.

    A region trim that would take most of the body's words is checked (cleaners.second_look):
    the body without it is cleaned too, and the reading the page's evidence favours is kept.
    """
    # trafilatura's copy of the page ends where the article's container does (cleaners.candidates).
    trailing = blocks_after_article(body, region)
    untrimmed = None
    if trailing:
        dropped = sum(text.count(" ") + 1 for _unit, text in trailing)
        total = sum(len(" ".join(unit.itertext()).split()) for unit in body)
        if dropped > second_look.SUSPECT_TRIM_SHARE * total:
            untrimmed, untrimmed_ctx = deepcopy(body), replace(ctx, removed=list(ctx.removed))
    drop_blocks_after_article(body, region, ctx, trailing)
    blocks = run_pruning(run_text_stage(body_blocks(body), ctx), ctx)
    blocks = drop_learned_paragraphs(blocks, page_blocks, profile, ctx)
    if untrimmed is not None:
        whole = run_pruning(run_text_stage(body_blocks(untrimmed), untrimmed_ctx), untrimmed_ctx)
        whole = drop_learned_paragraphs(whole, page_blocks, profile, untrimmed_ctx)
        if second_look.prefer_second(blocks, whole, ctx.page):
            ctx.removed[:] = untrimmed_ctx.removed
            ctx.updated, ctx.published = untrimmed_ctx.updated, untrimmed_ctx.published
            return whole
    return blocks


def prose_words(blocks: list[Block]) -> int:
    """Words in lines of PROSE_LINE_WORDS or more: sentences of an article, not link lists."""
    counts = (len(block.text.split()) for block in blocks)
    return sum(count for count in counts if count >= PROSE_LINE_WORDS)


def body_outside_region(region: ArticleRegion | None, blocks: list[Block]) -> bool:
    """True when most of the body lies outside the article region: the extraction took another
    part of the page (a link roundup, a pager), so a second one may find the article. A body
    inside the region is the region's own short lines, and a second extraction finds no more."""
    if region is None:
        return False
    held = sum(1 for block in blocks if region.holds(block.text))
    return held * 2 < len(blocks)


def has_little_prose(blocks: list[Block]) -> bool:
    """True when the body is mostly short lines: a sidebar, a link list, a page's furniture."""
    return bool(blocks) and prose_words(blocks) < RESCUE_MIN_PROSE_WORDS


def extends(longer: list[Block], shorter: list[Block]) -> bool:
    """True when `longer` holds every block of `shorter` and more words besides.

    A short post that precision mode returns with its byline or a second line around the same
    text is the fuller article, though neither body reads as prose.
    """
    texts = {block.text for block in longer}
    return (
        bool(shorter)
        and all(block.text in texts for block in shorter)
        and sum(words_of(longer)) > sum(words_of(shorter))
    )


def takes_short_reading(second: list[Block], first: list[Block], page: HtmlElement) -> bool:
    """True when the precision reading of a body without prose outside the article region is
    the better one: it reads as prose; it extends the first (a short post with its credit line);
    the first extends it, so it is the first's own part without what the first added around it
    (a video page's notes without the "Popular tutorials" list beside them); or it is the first
    without its blocks from a profile or sidebar box (cleaners.second_look)."""
    return (
        not has_little_prose(second)
        or extends(second, first)
        or extends(first, second)
        or second_look.leaves_out_boxes(second, first, page)
    )


def words_of(blocks: list[Block]) -> list[int]:
    """Word counts of the blocks."""
    return [len(block.text.split()) for block in blocks]


def readable_text(text: str) -> str:
    """The body as a reader sees it: soft hyphens out, composed Unicode (NFC).

    A soft hyphen is a line-break hint inside a word ("die\u00adsem"): left in, it splits the
    word for every search and word count. Decomposed letters (Bengali, Vietnamese, some German
    pages) are composed, as trafilatura's text output does, so that a combining mark does not
    end a word.
    """
    if SOFT_HYPHEN in text:
        text = text.replace(SOFT_HYPHEN, "")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def as_rules(outlet: OutletRules | str | None) -> OutletRules:
    """Outlet rules from rules, an outlet id (no extra rules) or None."""
    if isinstance(outlet, OutletRules):
        return outlet
    return OutletRules(id=outlet or "")


def extract_article(
    html: str | bytes,
    url: str | None = None,
    outlet: OutletRules | str | None = None,
    *,
    encoding: str | None = None,
    profile: BoilerplateProfile | None = None,
    collect_blocks: bool = False,
    fetched_at: datetime | str | None = None,
) -> Article:
    """Clean article text and metadata of one page.

    `encoding` is the charset of the HTTP Content-Type header, if any. `profile` is the
    outlet's learned boilerplate (cleaners.profile) to remove; `collect_blocks` fills
    `Article.blocks` with the page's text blocks, to learn from. `fetched_at` (ISO 8601 or a
    datetime; default now) bounds the publication time. Raises only `ExtractionError`
    subclasses (NotHTML, BadEncoding, EmptyDocument, NotAnArticle).
    """
    try:
        return _extract_article(
            html, url, as_rules(outlet), encoding, profile, collect_blocks, fetched_at
        )
    except ExtractionError:
        raise
    except RecursionError as err:
        raise NotAnArticle("document nested too deeply to extract") from err
    except Exception as err:  # a last guard: the contract is ExtractionError only
        raise NotAnArticle(f"extraction failed ({type(err).__name__}: {err})") from err


def clean_tree(
    tree: HtmlElement,
    ctx: CleaningContext,
    page_blocks: PageBlocks | None,
    profile: BoilerplateProfile | None,
) -> None:
    """The tree stage, then the outlet's learned blocks (removed after the generic cleaners, so
    the audit names them last)."""
    run_tree_stage(tree, ctx)
    if profile and page_blocks is not None:
        ctx.removed += remove_learned_blocks(tree, page_blocks, profile)
    if page_blocks is not None:
        # Only the removal pass above acts on the elements: let them go before trafilatura
        # works on the tree (lxml keeps every referenced element's proxy up to date).
        page_blocks.elements = []


def precision_rescue(
    tree: HtmlElement,
    url: str | None,
    region: ArticleRegion | None,
    blocks: list[Block],
    ctx: CleaningContext,
    tree_removals: int,
    page_blocks: PageBlocks | None,
    profile: BoilerplateProfile | None,
    choose: Callable[[list[Block]], list[Block] | None],
) -> tuple[list[Block], CleaningContext]:
    """trafilatura's precision-mode reading of the cleaned tree, through the text stage with an
    audit of its own (the tree stage's removals, then the text stage's); `choose` gives the blocks
    to keep from it when the evidence favours it (the reading itself, or its core with the lead
    the first reading holds: cleaners.second_look), taken with that audit; else (None) the first
    reading stays.

    Asked on two kinds of suspect body: one with little prose outside the article's region
    (trafilatura's default mode took a link list, a teaser or the page's furniture), and one
    that leaves out the description the page shows (cleaners.second_look).
    """
    precise = run_trafilatura_body(tree, url, favor_precision=True)
    if precise is None:
        return blocks, ctx
    return take_reading(precise, region, blocks, ctx, tree_removals, page_blocks, profile, choose)


def take_reading(
    reading: Any,
    region: ArticleRegion | None,
    blocks: list[Block],
    ctx: CleaningContext,
    tree_removals: int,
    page_blocks: PageBlocks | None,
    profile: BoilerplateProfile | None,
    choose: Callable[[list[Block]], list[Block] | None],
) -> tuple[list[Block], CleaningContext]:
    """Another reading of the page (trafilatura's precision mode, readability's, the declared
    text) through the text stage with an audit of its own (the tree stage's removals, then the
    text stage's); what `choose` keeps of it is taken with that audit, else (None) the body and
    its audit stay."""
    rescue_ctx = replace(ctx, removed=ctx.removed[:tree_removals])
    rescued = clean_main_text(reading, region, rescue_ctx, page_blocks, profile)
    chosen = choose(rescued) if rescued else None
    if chosen:
        return chosen, rescue_ctx
    return blocks, ctx


def fuller_rescue(
    reading: Any,
    region: ArticleRegion | None,
    blocks: list[Block],
    ctx: CleaningContext,
    tree_removals: int,
    page_blocks: PageBlocks | None,
    profile: BoilerplateProfile | None,
) -> tuple[list[Block], CleaningContext]:
    """A fuller reading (cleaners.fuller_reading) taken when it adds the article to the body."""
    return take_reading(
        reading, region, blocks, ctx, tree_removals, page_blocks, profile,
        lambda rescued: rescued if fuller_reading.adds_article(blocks, rescued) else None,
    )


def assemble_article(
    body: str,
    url: str | None,
    canonical_url: str | None,
    meta: PageMetadata,
    document: Document,
    ctx: CleaningContext,
    blocks: list[PageBlock],
) -> Article:
    """The Article: the clean body, the metadata decided by cleaners.meta, trafilatura's other
    fields, the removal audit."""
    return Article(
        body=body,
        url=url,
        canonical_url=canonical_url,
        title=meta.title,
        authors=meta.authors,
        author_organisations=meta.author_organisations,
        published=meta.published,
        published_source=meta.published_source,
        updated=meta.updated,
        language=meta.language,
        language_declared=meta.language_declared,
        language_detected=meta.language_detected,
        description=document.description,
        site_name=document.sitename,
        tags=list(dict.fromkeys([*(document.categories or []), *(document.tags or [])])),
        image=document.image,
        word_count=len(body.split()),
        removed=ctx.removed,
        cleaner_version=CLEANER_VERSION,
        blocks=blocks,
    )


def _extract_article(
    html: str | bytes,
    url: str | None,
    rules: OutletRules,
    encoding: str | None,
    profile: BoilerplateProfile | None = None,
    collect_blocks: bool = False,
    fetched_at: datetime | str | None = None,
) -> Article:
    """The body of `extract_article`, free to raise anything the wrapper converts."""
    if not isinstance(html, str | bytes):
        raise NotHTML(f"expected str or bytes, got {type(html).__name__}")
    tree = parse_html(decode_html(html, encoding))
    facts = page_facts(tree, url)
    # Metadata is read from the page as served, before any cleaner or learned profile takes a
    # byline or a tag list out of the tree (cleaners.meta); the date search waits (see below).
    evidence = read_evidence(tree, url, learned_byline_places(profile))
    byline_place = byline_place_blocks(tree, evidence) if collect_blocks else []
    document = page_metadata(tree, url, search_date=False)
    fetched = as_fetch_time(fetched_at)
    # htmldate's quick search only for a page no cheaper evidence dates, on the tree as served
    # (the tree stage may drop the dated element); its extensive one later, if still needed.
    # The date shown beside the headline is read here too, before a cleaner takes it out.
    quick_date = None
    shown_date = headline_date(tree)
    if not cheap_date_known(evidence, fetched, shown_date):
        quick_date = page_date(tree, url, fetched, extensive=False)
    ctx = CleaningContext(
        rules=rules,
        url=url,
        canonical_url=facts.canonical_url,
        headlines=facts.headlines,
        page=tree,
    )
    # Learned boilerplate: blocks read before any cleaner changes the tree, removed after the
    # generic tree stage (and as paragraphs after the text stage) so the audit names it last.
    page_blocks = read_page_blocks(tree) if profile or collect_blocks else None
    clean_tree(tree, ctx, page_blocks, profile)
    tree_removals = len(ctx.removed)
    region = find_article_region(tree)
    try:
        document, escalated, reading, left = run_trafilatura_hinted(tree, url, document, region)
    except NotAnArticle:
        # An article misnested inside page furniture by unclosed tags: once more without it.
        if not unbox_misnested_article(tree):
            raise
        document, escalated, reading = run_trafilatura(tree, url, document)
        left = None
    ctx.title = document.title
    blocks = clean_main_text(document.body, region, ctx, page_blocks, profile)
    if left is not None:
        audit_left_reading(left, blocks, region, ctx, tree_removals, page_blocks, profile)
    first = blocks
    if not blocks:
        # Nothing of the reading survived the text stage (a plugin's error messages, furniture):
        # the precision reading is the body when anything of it does.
        blocks, ctx = precision_rescue(
            tree, url, region, blocks, ctx, tree_removals, page_blocks, profile,
            lambda rescued: rescued,
        )
    elif has_little_prose(blocks) and body_outside_region(region, blocks):
        blocks, ctx = precision_rescue(
            tree, url, region, blocks, ctx, tree_removals, page_blocks, profile,
            lambda rescued: rescued if takes_short_reading(rescued, first, tree) else None,
        )
    elif second_look.misses_description(blocks, document.description, tree):
        blocks, ctx = precision_rescue(
            tree, url, region, blocks, ctx, tree_removals, page_blocks, profile,
            lambda rescued: rescued
            if second_look.holds_description(rescued, first, document.description) else None,
        )
    elif escalated:
        # trafilatura's recall escalation read the whole page: the article may be its core, or
        # the reading without the furniture boxes it took in.
        blocks, ctx = precision_rescue(
            tree, url, region, blocks, ctx, tree_removals, page_blocks, profile,
            lambda rescued: second_look.escalation_core(
                rescued, first, document.description, region
            )
            or (rescued if second_look.leaves_out_boxes(rescued, first, tree) else None),
        )
    elif second_look.has_boxed_blocks(blocks, tree):
        # A sidebar, profile or author box read with the article: the precision reading is kept
        # when it leaves out the boxes' blocks and nothing else.
        blocks, ctx = precision_rescue(
            tree, url, region, blocks, ctx, tree_removals, page_blocks, profile,
            lambda rescued: rescued if second_look.leaves_out_boxes(rescued, first, tree) else None,
        )
    if fuller_reading.may_add_article(reading, blocks):
        # readability's reading, computed and turned down by length alone, holds the article
        # column the body missed (cleaners.fuller_reading).
        blocks, ctx = fuller_rescue(
            reading, region, blocks, ctx, tree_removals, page_blocks, profile
        )
    declared = fuller_reading.declared_reading(evidence.json_ld)
    if fuller_reading.may_add_article(declared, blocks):
        # The article text the page declares holds what the page draws with scripts.
        blocks, ctx = fuller_rescue(
            declared, region, blocks, ctx, tree_removals, page_blocks, profile
        )
    if not blocks:
        raise NotAnArticle("no main text left after cleaning")
    # A section front's teasers are no article; an article's closing teasers go (cleaners.pages).
    titles = (document.title or "", *facts.headlines)
    cards = refuse_index_page(tree, blocks, url, titles, document.author)
    blocks = drop_trailing_teasers(blocks, tree, ctx, titles, cards)
    # What the rules left and a model trained on gold calls boilerplate (cleaners.block_model).
    blocks = drop_model_blocks(blocks, ctx, region)
    body = readable_text("\n".join(block.text for block in blocks))
    meta = resolve_metadata(
        evidence,
        body=body,
        title_fallback=document.title,
        author_fallback=document.author,
        declared_language=facts.language or document.language,
        text_published=ctx.published or shown_date,
        text_updated=facts.modified or ctx.updated,
        fetched_at=fetched,
        search_date=lambda: quick_date or page_date(tree, url, fetched, extensive=True),
        shown_date=lambda: shown_date,
        title_affixes=learned_title_affixes(profile),
    )
    blocks_out = (
        [*page_blocks.blocks.values(), *title_affix_blocks(evidence.title), *byline_place]
        if collect_blocks and page_blocks
        else []
    )
    return assemble_article(body, url, facts.canonical_url, meta, document, ctx, blocks_out)
