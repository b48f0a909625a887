"""trafilatura's page metadata (title, author, date, site name, tags) at a fraction of its cost.

`page_metadata` follows `trafilatura.metadata.extract_metadata` step for step with trafilatura's
and htmldate's own functions (meta tags, JSON-LD, title, canonical URL, `htmldate.find_date`), and
changes only how its costly fallbacks run, not what they find:

- the author fallback (`extract_author`) deep-copies the whole tree, deletes every comment,
  sidebar, date or figure element from the copy, then runs three `//*[...]` XPath scans that test
  a dozen attributes of every element. Here one pass reads the attribute values, only elements
  that carry an author word ("author", "byline", "writer" ...) are tested with trafilatura's own
  XPath predicates, and the deleted elements are skipped while reading the text instead of being
  cut from a copy;
- the category and tag fallbacks (`extract_catstags`) run six whole-page XPath scans for links
  inside meta/footer/tag containers, then keep only links whose href has a "/category/" or
  "/tag/" path segment. Here those links are found first and only their ancestors are tested;
- meta tags, canonical URL and site name are read from a copy of the <head> alone and JSON-LD
  from copies of its scripts alone, where trafilatura's `//` searches walk the whole page;
- the licence (`extract_license`, a scan of every link and footer) is not read: no field uses it.

The tree is only read, never changed, so the caller's tree can be given as it is.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from itertools import chain

from htmldate import find_date
from lxml.etree import Element, XPath, _Element
from lxml.html import Element as HtmlRoot
from lxml.html import HtmlElement
from trafilatura.baseline import block_text
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import line_processing, trim
from trafilatura.xpaths import (
    AUTHOR_DISCARD_XPATHS,
    AUTHOR_XPATHS,
    CATEGORIES_XPATHS,
    REGEXP_NS,
    TAGS_XPATHS,
)

LOGGER = logging.getLogger(__name__)

# Words one of an element's attribute values must contain for any of trafilatura's AUTHOR_XPATHS
# to select it (case-sensitive, as its predicates are): "uthor" covers author, Author,
# authorName, AuthorCard; "byl" covers byline and byl; the rest are its other class/id values.
AUTHOR_HINT_RE = re.compile(
    r"uthor|byl|yline|BBL|username|screenname|writer|channel-name|submitted-by|posted-by"
    r"|journalist-name|zuozhe|bianji|xiaobian"
)
AUTHOR_TAG = "author"  # trafilatura's `//author`, an element without any attribute
# Tags trafilatura's AUTHOR_DISCARD_XPATHS can select: only these are tested while reading text.
DISCARD_TAGS = frozenset({"a", "div", "section", "span", "time", "figure"})
# Author text trafilatura accepts: more than 2 and fewer than 120 characters (extract_author).
AUTHOR_MIN_CHARS, AUTHOR_MAX_CHARS = 2, 120
# `/descendant::x` rather than trafilatura's `//x`: same nodes, but libxml2 walks every node of
# the page for each `//` step, which made these lookups cost several times more.
CATEGORY_META = XPath(
    '/descendant::head/descendant::meta[@property="article:section" or contains(@name, "subject")]'
    "[@content]"
)
HEADS = XPath("/descendant::head")
JSON_SCRIPTS = XPath(
    '/descendant::script[@type="application/ld+json" or @type="application/settings+json"]'
)
BRANCH_START_RE = re.compile(r"(^|\|)\s*\.?//")


def as_self_test(expression: XPath) -> XPath | None:
    """trafilatura's `//x[...]` XPath as `self::x[...]`, to test one element; None if not so."""
    path = " ".join(expression.path.split())
    test = BRANCH_START_RE.sub(r"\1self::", path)
    if "//" in test or not test.startswith("self::"):
        return None
    return XPath(test, namespaces={"re": REGEXP_NS})


AUTHOR_TESTS = [as_self_test(expression) for expression in AUTHOR_XPATHS]
DISCARD_TESTS = [as_self_test(expression) for expression in AUTHOR_DISCARD_XPATHS]
# Should a later trafilatura change its XPaths' shape, its own extract_author runs instead.
FAST_AUTHOR = all(AUTHOR_TESTS) and all(DISCARD_TESTS)


def is_author_discard(element: _Element) -> bool:
    """True for an element trafilatura deletes before looking for the author (comments, dates)."""
    return element.tag in DISCARD_TAGS and any(test(element) for test in DISCARD_TESTS)


def text_without_discards(element: _Element) -> str:
    """`" ".join(element.itertext())` as it reads once the discard elements are deleted.

    trafilatura's `delete_element` keeps a deleted element's tail, appended to the text before it
    (the previous sibling's tail or the parent's text), so the tail is glued on the same way.
    """
    pieces: list[str] = []

    def walk(node: _Element) -> None:
        pieces.append(node.text or "")
        for child in node:
            if not isinstance(child.tag, str):  # a comment: itertext skips it, not its tail
                pieces.append(child.tail or "")
                continue
            if is_author_discard(child):
                pieces[-1] += child.tail or ""
                continue
            walk(child)
            pieces.append(child.tail or "")

    walk(element)
    return " ".join(pieces)


def extract_author_fast(tree: HtmlElement) -> str | None:
    """trafilatura's `extract_author` result without its tree copy and whole-tree scans."""
    if not FAST_AUTHOR:
        return extract_author(tree)
    candidates = [
        element
        for element in tree.iter(Element)
        if element.tag == AUTHOR_TAG or AUTHOR_HINT_RE.search(" ".join(element.values()))
    ]
    if not candidates:
        return None
    for test in AUTHOR_TESTS:
        for element in candidates:
            if not test(element):
                continue
            if any(is_author_discard(e) for e in chain((element,), element.iterancestors())):
                continue
            content = trim(text_without_discards(element))
            if content and AUTHOR_MIN_CHARS < len(content) < AUTHOR_MAX_CHARS:
                return normalize_authors(None, content)
    return None


LINK_STEP = "//a[@href]"  # how every category and tag XPath of trafilatura ends


def as_ancestor_test(expression: XPath) -> XPath | None:
    """trafilatura's `//x[...]//a[@href]` XPath as `ancestor::x[...]`, to test one link."""
    path = " ".join(expression.path.split())
    if not path.startswith("//") or not path.endswith(LINK_STEP):
        return None
    test = "ancestor::" + path[2 : -len(LINK_STEP)]
    return None if "//" in test else XPath(test, namespaces={"re": REGEXP_NS})


CATSTAGS_TESTS = {
    "category": [as_ancestor_test(expression) for expression in CATEGORIES_XPATHS],
    "tag": [as_ancestor_test(expression) for expression in TAGS_XPATHS],
}


def extract_catstags_fast(metatype: str, tree: HtmlElement, links: list[_Element]) -> list[str]:
    """trafilatura's `extract_catstags` by testing only the links that can qualify.

    Each of its category (tag) XPaths selects the links inside some container and keeps those
    whose href has a "/category/" ("/tag/") path segment; the first XPath keeping any wins. Here
    the links with such a href are found first, and each XPath's container test runs on their
    ancestors only, instead of scanning the whole page six times.
    """
    segment = re.compile("/" + metatype.rstrip("y") + "(?:y|ies|s)?/")
    tests = CATSTAGS_TESTS[metatype]
    if not all(tests):  # a trafilatura whose XPaths have another shape: its own function
        return extract_catstags(metatype, tree)
    qualifying = [link for link in links if segment.search(link.get("href", ""))]
    results: list[str] = []
    for test in tests if qualifying else ():
        results = [block_text(link) for link in qualifying if test(link)]
        if results:
            break
    if metatype == "category" and not results:
        # trafilatura's fallback for categories: <meta property="article:section"> and the like.
        results = [element.attrib["content"] for element in CATEGORY_META(tree)]
    return [r for r in dict.fromkeys(line_processing(x) for x in results if x) if r]


def catstags_links(tree: HtmlElement) -> list[_Element]:
    """The links whose href can hold a category or tag segment ("/categor...", "/tag..."): the
    only ones `extract_catstags_fast` keeps, found in one pass instead of one regex search of
    every link per kind."""
    return [
        link
        for link in tree.getroottree().getroot().iter("a")
        if (href := link.get("href")) and ("/categor" in href or "/tag" in href)
    ]


def copies_under_root(elements: list[HtmlElement]) -> HtmlElement:
    """A new <html> element holding copies of `elements` (without their tails), in order.

    trafilatura's meta-tag, canonical-URL and JSON-LD readers look only at `.//head/...` or at
    `.//script[...]`, but their `//` searches walk the whole page; on the page's <head> alone, or
    on its JSON-LD scripts alone, they find the same elements in a fraction of the time.
    """
    root = HtmlRoot("html")
    for element in elements:
        copied = deepcopy(element)
        copied.tail = None
        root.append(copied)
    return root


def page_metadata(
    tree: HtmlElement,
    url: str | None,
    date_params: dict | None = None,
    *,
    search_date: bool = True,
) -> Document:
    """trafilatura's metadata of the page, as `extract_metadata(tree, url, date_params)` finds it.

    Same steps, same order, same sources; the licence is left out (see the module docstring).
    `search_date=False` leaves htmldate's date search out (`cleaners.meta.dates` runs it only
    when the page gives no cheaper date).
    """
    date_config = {**(date_params or set_date_params(extensive=False))}
    head = copies_under_root(HEADS(tree))
    metadata = examine_meta(head)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(copies_under_root(JSON_SCRIPTS(tree)), metadata)
    except Exception as err:  # trafilatura guards its JSON-LD reader the same way
        LOGGER.debug("error in JSON metadata extraction: %s", err)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author_fast(tree)
    if not metadata.url:
        metadata.url = extract_url(head, url)
    date_config["url"] = metadata.url
    metadata.date = find_date(tree, **date_config) if search_date else None
    metadata.sitename = site_name(metadata, head)
    links = catstags_links(tree) if not (metadata.categories and metadata.tags) else []
    if not metadata.categories:
        metadata.categories = extract_catstags_fast("category", tree, links)
    if not metadata.tags:
        metadata.tags = extract_catstags_fast("tag", tree, links)
    metadata.clean_and_trim()
    return metadata


def site_name(metadata: Document, head: list) -> str | None:
    """The site name as trafilatura settles it: declared, else from the head, "@" dropped, a
    lower-case name title-cased; else the URL's host."""
    sitename = metadata.sitename or extract_sitename(head)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
        return sitename
    if metadata.url and (match := META_URL.match(metadata.url)):
        return match[1]
    return sitename
