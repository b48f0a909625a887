"""`extract_article`: decode, parse once, tree stage, trafilatura, metadata, text stage.

The page is parsed once with lxml; the tree stage cleans that tree, and trafilatura extracts the
main text and metadata from it (trafilatura copies a tree it is given, so our tree stays ours).
Every failure surfaces as an `ExtractionError` subclass, never as an lxml or trafilatura error.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring
from trafilatura import bare_extraction
from trafilatura.settings import Document, set_date_params

from cleaners.article import Article
from cleaners.context import Block, CleaningContext
from cleaners.decode import decode_html
from cleaners.errors import EmptyDocument, ExtractionError, NotAnArticle, NotHTML
from cleaners.rules import OutletRules
from cleaners.text import run_text_stage
from cleaners.tree import run_tree_stage
from cleaners.version import CLEANER_VERSION

# Guards against pathological input: a page larger than this many characters or elements is
# refused rather than risking minutes of parsing (trafilatura's own file limit is 20 MB).
MAX_HTML_CHARS = 20_000_000
MAX_ELEMENTS = 300_000
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
HTML_PARSER = HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
# htmldate's extensive search hands free text to dateparser, which costs ~80% of the extraction
# time on news pages; markup, URL and JSON-LD dates are still found, and timestamp lines in the
# text stage fill in the rest.
BLOCK_KINDS = {"p": "p", "head": "heading", "quote": "quote", "item": "item", "row": "row"}

# trafilatura logs every discarded page at WARNING; a failure here is our NotAnArticle instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def parse_html(text: str) -> HtmlElement:
    """The lxml tree of a page, once; EmptyDocument/NotHTML instead of lxml's errors."""
    if len(text) > MAX_HTML_CHARS:
        raise NotAnArticle(f"document larger than {MAX_HTML_CHARS} characters")
    text = XML_DECLARATION_RE.sub("", text, count=1)
    try:
        tree = document_fromstring(text, parser=HTML_PARSER)
    except etree.ParserError as err:
        raise EmptyDocument(f"no HTML element in the document ({err})") from err
    except (ValueError, etree.LxmlError, UnicodeError) as err:
        raise NotHTML(f"the document cannot be parsed as HTML ({err})") from err
    if tree is None or not isinstance(tree, HtmlElement):
        raise EmptyDocument("no HTML element in the document")
    size = sum(1 for _ in tree.iter())
    if size > MAX_ELEMENTS:
        raise NotAnArticle(f"document has {size} elements, more than {MAX_ELEMENTS}")
    return tree


def first_attribute(tree: HtmlElement, xpaths: tuple[str, ...]) -> str | None:
    """The first non-empty attribute value any of the XPath expressions selects."""
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            value = str(value).strip()
            if value:
                return value
    return None


def find_canonical_url(tree: HtmlElement, url: str | None) -> str | None:
    """<link rel=canonical> or og:url, made absolute against the page URL."""
    found = first_attribute(
        tree,
        (
            "//head/link[@rel='canonical']/@href",
            "//link[@rel='canonical']/@href",
            "//meta[@property='og:url']/@content",
        ),
    )
    if not found:
        return None
    return urljoin(url, found) if url else found


def find_modified_date(tree: HtmlElement) -> str | None:
    """The page's declared modification date: meta tags, itemprop, or JSON-LD dateModified."""
    found = first_attribute(
        tree,
        (
            "//meta[@property='article:modified_time']/@content",
            "//meta[@property='og:updated_time']/@content",
            "//meta[@itemprop='dateModified']/@content",
            "//meta[@name='last-modified' or @name='dcterms.modified']/@content",
            "//*[@itemprop='dateModified']/@datetime",
            "//*[@itemprop='dateModified']/@content",
        ),
    )
    if found:
        return found
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        if "dateModified" not in script:
            continue
        match = re.search(r'"dateModified"\s*:\s*"([^"]+)"', script)
        if match:
            return match.group(1)
    return None


def find_language(tree: HtmlElement) -> str | None:
    """The page language from <html lang>, Content-Language or og:locale ("en", "de-AT")."""
    found = first_attribute(
        tree,
        (
            "/html/@lang",
            "/html/@xml:lang",
            "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content",
            "//meta[@property='og:locale']/@content",
        ),
    )
    if not found:
        return None
    return found.split(",")[0].strip().replace("_", "-") or None


def headline_texts(tree: HtmlElement) -> tuple[str, ...]:
    """Texts of the page's <h1> elements and og:title, to find the headline repeated in the body."""
    texts = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    texts += [str(v) for v in tree.xpath("//meta[@property='og:title']/@content")]
    return tuple(t for t in texts if t)


def element_blocks(element: etree._Element, kind: str) -> list[Block]:
    """Blocks of one trafilatura output element, split at its line breaks (<lb/>)."""
    segments: list[list[str]] = [[]]
    linked: list[int] = [0]

    def walk(node: etree._Element, in_link: bool) -> None:
        if node.tag == "lb":
            segments.append([])
            linked.append(0)
        elif node.text:
            segments[-1].append(node.text)
            if in_link:
                linked[-1] += len(node.text.strip())
        for child in node:
            walk(child, in_link or child.tag == "ref")
            if child.tail:
                segments[-1].append(child.tail)
                if in_link:
                    linked[-1] += len(child.tail.strip())

    walk(element, element.tag == "ref")
    blocks = []
    for parts, link_chars in zip(segments, linked, strict=True):
        text = " ".join("".join(parts).split())
        if text:
            share = min(1.0, link_chars / max(1, len(text.replace(" ", ""))))
            blocks.append(Block(text=text, kind=kind, link_share=share))
    return blocks


def body_blocks(body: etree._Element) -> list[Block]:
    """Paragraph-level blocks of trafilatura's XML body: list items and table rows kept apart."""
    blocks: list[Block] = []
    for element in body:
        if element.tag == "list":
            for item in element.iter("item"):
                blocks += element_blocks(item, "item")
        elif element.tag == "table":
            for row in element.iter("row"):
                cells = [" ".join(c.itertext()).strip() for c in row.iter("cell")]
                text = " | ".join(" ".join(c.split()) for c in cells if c.strip())
                if text:
                    blocks.append(Block(text=text, kind="row"))
        else:
            blocks += element_blocks(element, BLOCK_KINDS.get(element.tag, "p"))
    return blocks


def run_trafilatura(tree: HtmlElement, url: str | None) -> Document:
    """trafilatura's main text and metadata for the cleaned tree; NotAnArticle when it finds none."""
    try:
        document = bare_extraction(
            tree,
            url=url,
            output_format="xml",
            with_metadata=True,
            include_comments=False,
            include_links=True,
            include_tables=True,
            date_extraction_params=set_date_params(extensive=False),
        )
    except ExtractionError:
        raise
    except Exception as err:  # trafilatura and its fallbacks raise many error types
        raise NotAnArticle(f"main-text extraction failed ({type(err).__name__}: {err})") from err
    if document is None or document.body is None or not len(document.body):
        raise NotAnArticle("no main text found")
    return document


def split_authors(author: str | None) -> list[str]:
    """trafilatura's "; "-joined author string as a list."""
    return [a.strip() for a in (author or "").split(";") if a.strip()]


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
) -> Article:
    """Clean article text and metadata of one page.

    `encoding` is the charset of the HTTP Content-Type header, if any. Raises only
    `ExtractionError` subclasses (NotHTML, BadEncoding, EmptyDocument, NotAnArticle).
    """
    try:
        return _extract_article(html, url, as_rules(outlet), encoding)
    except ExtractionError:
        raise
    except RecursionError as err:
        raise NotAnArticle("document nested too deeply to extract") from err
    except Exception as err:  # a last guard: the contract is ExtractionError only
        raise NotAnArticle(f"extraction failed ({type(err).__name__}: {err})") from err


def _extract_article(
    html: str | bytes, url: str | None, rules: OutletRules, encoding: str | None
) -> Article:
    """The body of `extract_article`, free to raise anything the wrapper converts."""
    if not isinstance(html, str | bytes):
        raise NotHTML(f"expected str or bytes, got {type(html).__name__}")
    tree = parse_html(decode_html(html, encoding))
    canonical_url = find_canonical_url(tree, url)
    modified = find_modified_date(tree)
    language = find_language(tree)
    ctx = CleaningContext(rules=rules, url=url, headlines=headline_texts(tree))
    run_tree_stage(tree, ctx)
    document = run_trafilatura(tree, url)
    ctx.title = document.title
    blocks = run_text_stage(body_blocks(document.body), ctx)
    if not blocks:
        raise NotAnArticle("no main text left after cleaning")
    body = "\n".join(block.text for block in blocks)
    return Article(
        body=body,
        url=url,
        canonical_url=canonical_url,
        title=document.title,
        authors=split_authors(document.author),
        published=document.date or ctx.published,
        updated=modified or ctx.updated,
        language=language or document.language,
        description=document.description,
        site_name=document.sitename,
        tags=list(dict.fromkeys([*(document.categories or []), *(document.tags or [])])),
        image=document.image,
        word_count=len(body.split()),
        removed=ctx.removed,
        cleaner_version=CLEANER_VERSION,
    )

