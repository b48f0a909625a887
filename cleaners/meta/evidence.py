"""What a page says about itself, read once from the parsed tree: the evidence the metadata
rules (headline, dates, authors) weigh against each other.

One walk over the few element kinds that carry metadata (`<meta>`, `<title>`, `<h1>`, `<time>`,
JSON-LD scripts, `itemprop`/`rel` author marks) instead of an XPath scan per field. The tree is
only read, so it can be given before any cleaner changes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

# JSON-LD types of the page's main item, the article itself.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "techarticle",
    "scholarlyarticle", "medicalwebpage", "review", "socialmediaposting", "liveblogposting",
    "posting", "report", "howto", "recipe", "discussionforumposting", "medicalscholarlyarticle",
    "advertisercontentarticle", "satiricalarticle", "creativework", "webpage", "qapage",
    "faqpage", "aboutpage", "itempage", "collectionpage", "videoobject", "podcastepisode",
})  # fmt: skip
# The types above that are the article itself rather than the page around it.
STORY_TYPES = ARTICLE_TYPES - {
    "webpage", "collectionpage", "itempage", "aboutpage", "faqpage", "qapage", "creativework",
}  # fmt: skip
# Elements whose <time> or author marks belong to other stories or to readers, not the article.
# Tested on each class or id token of an ancestor; "widget" only opening one ("widget_text", a
# sidebar's), not a page builder's "elementor-widget" that wraps the article itself.
OFF_ARTICLE_RE = re.compile(
    r"related|recommend|sidebar|(?<!\S)widget|comment|footer|more-stories|read-next|popular|trending"
    r"|teaser|promo|newsletter|menu|nav\b|breadcrumb|listing-grid|listing[_-]+item",
    re.IGNORECASE,
)
# Tokens that state what a container holds or how it lays out, not what it is: "has-sidebar",
# "with-comments", "no-promo", and utility classes ("lg:mr-[--sidebar-width]").
STATE_TOKEN_RE = re.compile(r"^(?:has|with|no|show|hide)-|[:\[(]", re.IGNORECASE)
OFF_ARTICLE_TAGS = frozenset({"footer", "nav"})
# The marks above of a container beside the article (an <aside> too), not off it.
BESIDE_ARTICLE_RE = re.compile(r"sidebar|widget", re.IGNORECASE)
# Elements read: metadata carriers, and those that hold author or date marks on real pages.
READ_TAGS = (
    "meta",
    "title",
    "h1",
    "time",
    "script",
    "a",
    "span",
    "div",
    "p",
    "li",
    "address",
    "strong",
    "b",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "small",
    "img",
    "footer",
)
# A visible byline's opening ("By Jane Doe", "Written by", "Von", "Par"), and its length limit.
# A byline: at most three words ("Posted on May 2", "Guest post") before the byline word, or a
# label opening the line ("Author: Jane Doe", "Contributors: ..."), or a credit sentence ("This
# post was written by Jane Doe"), and a capitalised name after it; "reduce costs by moving" is a
# sentence.
BY_WORDS = r"(?:by|von|par|por)"
AUTHOR_LABELS = (
    r"(?:authors?|author\(s\)|contributors?|writers?|autor(?:in|en)?|autoren|auteurs?|autore)"
)
BYLINE_LEAD = (
    rf"(?:(?:[^\s]+\s+){{0,3}}{BY_WORDS}|{AUTHOR_LABELS}"
    rf"|(?:[^\s]+\s+){{0,4}}(?:written|authored)\s+by)"
)
BYLINE_RE = re.compile(rf"^{BYLINE_LEAD}:?\s+[^\W\d_]", re.IGNORECASE)
BYLINE_NAME_RE = re.compile(rf"\b(?i:{BY_WORDS}|{AUTHOR_LABELS}):?\s+[A-ZÀ-ÖØ-ÞА-Я]")
# A line that is only its byline lead ("Written by", "By:", "Author"): the name is in the next
# element.
LEAD_ONLY_RE = re.compile(rf"^{BYLINE_LEAD}:?$", re.IGNORECASE)
LABEL_ONLY_RE = re.compile(rf"^{AUTHOR_LABELS}$", re.IGNORECASE)
# "Photo by", "Image by": a picture credit, not a byline.
CREDIT_BY_RE = re.compile(
    r"\b(?:photo(?:graph)?s?|images?|illustrations?|graphics?|video|foto|bild|cover|art"
    r"|website|site|design(?:ed)?|theme|powered|hosted|sponsored|presented|made|built"
    r"|reviewed|checked|edited|verified|approved|tested|translated)"
    r"\s+(?:by|von|par|por):?\s",
    re.IGNORECASE,
)
BYLINE_MAX_WORDS = 12
# A credit sentence ("This post was written by Jane Doe, Head of Research") may be longer.
CREDIT_SENTENCE_RE = re.compile(r"^(?:[^\s]+\s+){0,4}(?:written|authored)\s+by\s", re.I)
CREDIT_SENTENCE_MAX_WORDS = 20
# Text nodes that may hold a byline word: the body's text nodes, tested in Python (an `in`-style
# regex search over each). libxml2's own `contains()` predicates found the same nodes at about
# twice the cost, copying every text node once per word tested. (An element whose own text ends
# in its byline word, "Written by" with the name in the next element, is found by
# `read_evidence` instead.)
BODY_TEXT_NODES = etree.XPath("/descendant::body/descendant::text()")
BY_WORD_RE = re.compile(
    "|".join(("by ", "By ", "BY ", "By\n", "by:", "By:", "BY:", "von ", "Von ", "par ", "Par "))
)
BY_TEXT_NODES_MAX = 40
# An element's own text that ends in a byline word, and its length limit.
LEAD_ENDS = (" by", "\nby", "\tby")
BY_LEAD_ENDS = ("by", "by:", "von", "von:", "par", "par:", "por", "por:")
LEAD_MAX_CHARS = 40
# A copyright notice's length limit ("© 2025 Jane Doe. All rights reserved.").
NOTICE_MAX_CHARS = 120
# A link to an author's page: a path segment naming authors, then the author's slug.
AUTHOR_PATH_RE = re.compile(
    r"/(?:authors?|writers?|contributors?|columnists?|people|staff|profiles?|autor(?:en)?"
    r"|auteurs?|autores|redakteur(?:e|in)?|journalists?|byline)/[^/?#]*[a-z][^/?#]*/?(?:[?#]|$)",
    re.IGNORECASE,
)
# A class naming an element as an author's or a byline ("post-author", "byline", "c-author"),
# not as the author's picture, biography or other stories.
AUTHOR_CLASS_RE = re.compile(
    r"(?:author|byline)(?![\w-]*(?:avatar|image|img|photo|pic|desc|social|link|follow|more|list"
    r"|posts))",
    re.IGNORECASE,
)
AUTHOR_CLASSED_MAX_WORDS = 8
# Classes naming an element as the author's name itself: "author-name", a byline block's
# "byline__name", a post-author block's "post-author__name".
AUTHOR_NAME_CLASSES = ("author-name", "authorname", "byline__name", "author__name")
# An author-classed text opening with its byline word may name several people in this many.
BYLINE_LIST_MAX_WORDS = 20
LEAD_LIST_RE = re.compile(r"^(?:(?:written|posted|words|story|text)\s+)?by:?\s", re.IGNORECASE)
# The most words of the container around a byline's first author link (names, their titles).
BYLINE_BOX_MAX_WORDS = 40
# The end of another credit than the writer's, just before a link: "Reviewed by", "Fact-checked
# by", "Tested by", "Editor:" (not "Written by", "Story by").
CREDIT_END_RE = re.compile(
    r"(?:\b(?!(?:written|posted|reported|words|story|text|published|authored)\b)[^\W\d_]+"
    r"\s+by|\b(?:reviewers?|editors?|review))\s*:?\s*$",
    re.I,
)
# The meta line under a headline: at most this many words, and a date in it.
HEADLINE_LINE_MAX_WORDS = 15
HEADLINE_LINE_DATE_RE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\.?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b\d{4}-\d{2}-\d{2}\b",
    re.I,
)
# An image at most this many pixels wide or high is an icon, not a portrait.
ICON_MAX_PIXELS = 24
# Words of a class naming an image as the author's picture ("author__photo").
AUTHOR_PICTURE_WORDS = ("photo", "image", "img", "pic")
# Where a name shown after an author picture ends: "Jane Doe in Gardening", "Jane Doe | May 3".
PICTURE_NAME_END_RE = re.compile(r"\s+(?:in|on|at|is)(?:\s+|$)|\s*[|·•—–,:]\s*|\s+\d", re.I)
# Elements of an author box looked at for its name heading.
AUTHOR_BOX_MAX_ELEMENTS = 12
JSON_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
# Elements a browser renders on a line of their own: a heading's <br>, its block children.
LINE_BREAK_TAGS = frozenset({
    "br", "div", "p", "li", "ul", "ol", "section", "header", "hgroup", "blockquote", "figure",
    "figcaption", "table", "tr", "td", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
})  # fmt: skip
# A statement of the first publication ("This article was originally published on ..."), and
# how much of the text after it may hold its date.
ORIGINAL_NOTE_RE = re.compile(r"\boriginally\s+(?:published|posted)\b", re.IGNORECASE)
NOTE_MAX_CHARS = 40
# A publication label opening an element's own text ("Post time: 03-09-2024", "Published on
# March 3, 2025", "Publication date: 2025-03-03"): the words after it may be the page's date.
# Its lead words as a quick test before the regex; an update's label ("Updated", "Last
# published") is none.
PUBLISHED_LABEL_RE = re.compile(
    r"^\s*(?:post(?:ed)?\s+(?:time|date|on)|posted|published(?:\s+on)?|first\s+published"
    r"|publish(?:ed)?\s+date|publication\s+date|date\s+(?:published|posted))\s*:?\s*(?=\S)",
    re.IGNORECASE,
)
PUBLISHED_LABEL_LEADS = ("post", "publi", "date")
# A day set before its update in one element ("October 2, 2025. <i>Updated: October 14,
# 2025</i>"): the child's opening words that make the element's own text the original day.
UPDATE_CHILD_RE = re.compile(r"^\s*(?:last\s+)?updated\b", re.IGNORECASE)
# Images whose alt text may be a name read for an owner's card (an article's gallery may hold
# dozens before the card under it).
NAMED_IMAGES_MAX = 50
# What an alt text says of the picture besides the name ("Jane Doe Photo", "Headshot of ...").
PICTURE_WORD_RE = re.compile(
    r"^\s*(?:photo|picture|headshot|portrait|image)\s+of\s+"
    r"|\s+(?:photo|picture|headshot|portrait|image|avatar|profile)\s*$",
    re.IGNORECASE,
)
# A first-person introduction opening the text after a portrait ("Hi, I'm Jane!", "I am a
# ...").
INTRODUCTION_RE = re.compile(
    r"^(?:(?:hi|hello|hey)(?:\s+there)?\s*[,!.]?\s*)?i(?:'|’|\s+a)m\b", re.IGNORECASE
)
# Elements whose text no reader sees (cleaners.meta.dates reads the text beside the headline
# without them); in a headline an inline <svg>'s label is no word of it either.
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
UNSEEN_TAGS = INVISIBLE_TAGS | {"svg"}
# Two pieces of text that meet at an element's edge with no space and read as two lines (a
# word's end or a closing mark, then a capital: "Alternatives<span>Top Tools"): a styled
# second line, as a reader sees it.
LINE_END_RE = re.compile(r"(?:[a-z0-9]{2}|[)\]?!.:])$")
LINE_START_RE = re.compile(r"^[A-Z]")
SPACE_RE = re.compile(r"\s+")


def squash(text: str | None) -> str:
    """Text with runs of white space as single spaces, stripped."""
    return SPACE_RE.sub(" ", text or "").strip()


@dataclass(slots=True)
class Evidence:
    """What the page declares: meta values, JSON-LD items, <title>, <h1>s, <time>s, author marks."""

    url: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    # Every value of a repeated key (article:author, author) in page order.
    meta_all: dict[str, list[str]] = field(default_factory=dict)
    title: str = ""
    h1s: list[str] = field(default_factory=list)
    # The lines each <h1> shows (parted by <br>, block children or a styled second line).
    h1_lines: list[tuple[str, ...]] = field(default_factory=list)
    # JSON-LD objects with an @type, flattened from @graph and lists, in page order.
    json_ld: list[dict[str, Any]] = field(default_factory=list)
    # (datetime attribute, is marked as the publication date, is off the article) per <time>.
    times: list[tuple[str, bool, bool]] = field(default_factory=list)
    # Texts of elements marked itemprop=author / rel=author / class *author-name* (page order).
    author_marks: list[str] = field(default_factory=list)
    # Texts of links to author pages ("/author/jane-doe", "/autoren/hans-meier").
    author_links: list[str] = field(default_factory=list)
    # Short texts of elements whose class names an author or a byline ("post-author",
    # "byline"), not marked as the name itself: an author box, a meta line (page order).
    author_classed: list[str] = field(default_factory=list)
    # Short texts at the places where the outlet's other pages show their bylines (learned).
    learned_bylines: list[str] = field(default_factory=list)
    # Short visible lines that open with a byline word ("By Jane Doe", "Written by ...").
    bylines: list[str] = field(default_factory=list)
    # Elements whose own text ends in a byline word ("<span>Written by</span>"): the name
    # follows in the next element, where the text-node search does not look.
    by_leads: list[HtmlElement] = field(default_factory=list, repr=False)
    # Author pictures in the article (an avatar, "author__photo"), and the names shown right
    # after them (read with the bylines): a card's "<img class=avatar> Jane Doe".
    author_pictures: list[HtmlElement] = field(default_factory=list, repr=False)
    picture_names: list[str] = field(default_factory=list)
    # The short dated line right under the headline ("Jane Doe | Senior Writer | May 2, 2025"),
    # read with the bylines.
    headline_line: str = ""
    # Images in the article whose alt text may be a person's name (a portrait).
    portraits: list[HtmlElement] = field(default_factory=list, repr=False)
    # Such images anywhere on the page (the first `NAMED_IMAGES_MAX`): a personal site's
    # "about me" card may stand in a sidebar or under the post (see `introduced_person`).
    named_images: list[HtmlElement] = field(default_factory=list, repr=False)
    # The page's last short copyright notice ("© 2025 Jane Doe. All rights reserved.").
    copyright: str = ""
    # itemprop=datePublished / dateModified values outside <meta>.
    itemprop_dates: dict[str, str] = field(default_factory=dict)
    # What follows "originally published" in an element's own text ("... on 26 Sep 2019 at
    # 4:12pm but has been updated"): a statement of the first publication day.
    original_notes: list[str] = field(default_factory=list)
    # What follows a publication label opening an element's own text ("Post time: 03-09-2024").
    labelled_notes: list[str] = field(default_factory=list)
    # The <html lang> ("en-US"): with og:locale, the region that orders a numeric date.
    lang: str = ""
    # The containers of the page's first <h1>: never a sidebar, whatever their class.
    headline_holders: frozenset = field(default_factory=frozenset, repr=False)
    # The first author link's text and those of the author links sharing its byline (a short
    # container around it): "By <a>Jane Doe</a> and <a>John Roe</a>".
    byline_links: list[str] = field(default_factory=list)
    byline_box: HtmlElement | None = field(default=None, repr=False)
    # Author marks, links, author-classed texts and bylines beside the article (a sidebar, an
    # <aside>), in page order: the article's own author panel, or other stories' writers.
    beside_authors: list[str] = field(default_factory=list)

    # `place` of the containers asked about so far (each with the containers above it).
    places: dict[HtmlElement, int] = field(default_factory=dict, repr=False, compare=False)

    def place(self, element: HtmlElement) -> int:
        """`article_place(element, self.headline_holders)`, reading each container's marks
        once per page: the author marks, dates and pictures of a page share most of theirs."""
        above: list[HtmlElement] = []
        found = IN_ARTICLE
        node = element.getparent()
        while node is not None and node.tag not in ("body", "html"):
            known = self.places.get(node)
            if known is not None:
                found = known
                break
            above.append(node)
            node = node.getparent()
        for container in reversed(above):
            found = max(found, container_place(container, self.headline_holders))
            self.places[container] = found
        return found

    def keep_author_text(self, element: HtmlElement, text: str, kept: list[str]) -> None:
        """An author text in `kept` when the element is in the article, in `beside_authors`
        when it is beside it, nowhere when it is off it."""
        place = self.place(element)
        if place == IN_ARTICLE:
            kept.append(text)
        elif place == BESIDE_ARTICLE and len(self.beside_authors) < 10:
            self.beside_authors.append(text)

    @property
    def host(self) -> str:
        """The page's host without "www." ("example.com"), or ""."""
        host = urlsplit(self.url or "").hostname or ""
        return host.removeprefix("www.")

    def main_item(self) -> dict[str, Any] | None:
        """The JSON-LD item of the article: a story type first, else a page type, else None."""
        stories = [item for item in self.json_ld if types_of(item) & STORY_TYPES]
        if stories:
            return next((item for item in stories if item.get("headline")), stories[0])
        pages = [item for item in self.json_ld if types_of(item) & ARTICLE_TYPES]
        return pages[0] if pages else None


def types_of(item: dict[str, Any]) -> set[str]:
    """The lower-case @type names of a JSON-LD item ("NewsArticle" -> {"newsarticle"})."""
    declared = item.get("@type")
    values = declared if isinstance(declared, list) else [declared]
    return {str(value).lower().rsplit("/", 1)[-1] for value in values if value}


def json_items(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Typed objects of a parsed JSON-LD document: the top level, lists and @graph members."""
    if depth > 3:
        return
    if isinstance(value, list):
        for member in value:
            yield from json_items(member, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        if "@graph" in value:
            yield from json_items(value["@graph"], depth + 1)
        main = value.get("mainEntity")
        if isinstance(main, dict) and "@type" in main:
            yield from json_items(main, depth + 1)


def parse_json_ld(text: str) -> Any:
    """A JSON-LD script's content, forgiving trailing commas and raw control characters."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(JSON_TRAILING_COMMA_RE.sub(r"\1", text), strict=False)
    except ValueError:
        return None


IN_ARTICLE, BESIDE_ARTICLE, OFF_ARTICLE = 0, 1, 2


def off_article(element: HtmlElement, headline_holders: frozenset = frozenset()) -> bool:
    """True when the element sits in a sidebar, footer, comment or related-stories container."""
    return article_place(element, headline_holders) != IN_ARTICLE


def article_place(element: HtmlElement, headline_holders: frozenset = frozenset()) -> int:
    """Where the element sits: in the article, beside it (a sidebar, an <aside>: where a page
    may show the article's own author and date panel, or other stories), or off it (a footer,
    comments, related stories, navigation).

    <body> and <html> are never such a container (their classes describe the page: "has-subnav",
    "sidebar-left"), nor is an element that holds the headline (`headline_holders`): an unclosed
    <aside> or <nav> that wraps the whole article is no sidebar."""
    place = IN_ARTICLE
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        place = max(place, container_place(ancestor, headline_holders))
        if place == OFF_ARTICLE:
            return place
    return place


def container_place(container: HtmlElement, headline_holders: frozenset) -> int:
    """What one container below <body> makes of the elements inside it (`article_place`)."""
    if container in headline_holders:
        return IN_ARTICLE
    if container.tag in OFF_ARTICLE_TAGS:
        return OFF_ARTICLE
    if container.tag == "aside":
        return BESIDE_ARTICLE
    marks = f"{container.get('class', '')} {container.get('id', '')}"
    return marks_place(marks) if marks.strip() else IN_ARTICLE


def marks_place(marks: str) -> int:
    """OFF_ARTICLE when a class or id token names a footer, comment or related container,
    BESIDE_ARTICLE when one names a sidebar or a widget, else IN_ARTICLE."""
    if not OFF_ARTICLE_RE.search(marks):
        return IN_ARTICLE  # most containers: one search over the whole value
    place = IN_ARTICLE
    for token in marks.split():
        found = OFF_ARTICLE_RE.search(token)
        if found and not STATE_TOKEN_RE.search(token):
            if not BESIDE_ARTICLE_RE.fullmatch(found.group()):
                return OFF_ARTICLE
            place = BESIDE_ARTICLE
    return place


def is_published_time(element: HtmlElement) -> bool:
    """True for a <time> marked as the publication date (itemprop, pubdate, class)."""
    marks = " ".join(
        (element.get("itemprop", ""), element.get("class", ""), element.get("id", ""))
    ).lower()
    return (
        element.get("pubdate") is not None
        or "datepublished" in marks
        or "publish" in marks
        or "entry-date" in marks
        or "post-date" in marks
    )


def is_author_mark(element: HtmlElement) -> bool:
    """True for an element marked up as the author's name (itemprop/rel author, class)."""
    if "author" in (element.get("itemprop") or "").lower().split():
        return True
    if "author" in (element.get("rel") or "").lower().split():
        return True
    classes = (element.get("class") or "").lower()
    return any(mark in classes for mark in AUTHOR_NAME_CLASSES)


def in_listed_item(element: HtmlElement) -> bool:
    """True when the element belongs to a microdata item with a sibling of the same type: one
    of a grid of postings (each with its author), not the article itself."""
    for ancestor in element.iterancestors():
        kind = ancestor.get("itemtype")
        if kind and ancestor.get("itemscope") is not None:
            return any(
                sibling.get("itemtype") == kind
                for sibling in (ancestor.getprevious(), ancestor.getnext())
                if sibling is not None
            )
    return False


def author_mark_text(element: HtmlElement) -> str:
    """The name inside an author mark: its itemprop=name child, its content, or its text."""
    for child in element.iter():
        if child is not element and (child.get("itemprop") or "").lower() == "name":
            return squash(child.get("content") or " ".join(child.itertext()))
    return squash(element.get("content") or " ".join(element.itertext()))


def read_evidence(tree: HtmlElement, url: str | None, *, bylines: bool = True) -> Evidence:
    """The page's metadata evidence in one pass over the elements that can carry it; the
    visible "By ..." lines (a search of the page's text nodes) only with `bylines`."""
    found = Evidence(url=url, headline_holders=headline_holders(tree), lang=tree.get("lang") or "")
    for element in tree.iter(*READ_TAGS):
        tag = element.tag
        if tag == "meta":
            read_meta_tag(element, found)
        elif tag == "title":
            if not found.title and element.getparent() is not None:
                if element.getparent().tag in ("head", "html"):
                    found.title = squash(element.text_content())
        elif tag == "h1":
            if len(found.h1s) < 5:
                lines = rendered_lines(element)
                if lines:
                    found.h1s.append(" ".join(lines))
                    found.h1_lines.append(lines)
        elif tag == "time":
            read_time_tag(element, found)
        elif tag == "img":
            read_picture(element, found)
        elif tag == "script":
            if (element.get("type") or "").lower() == "application/ld+json" and element.text:
                for item in json_items(parse_json_ld(element.text)):
                    found.json_ld.append(item)
        else:
            read_marked_element(element, tag, found, url)
            lead = element.text
            if lead and "riginally p" in lead:
                read_original_note(lead, found)
            if lead and lead.lstrip()[:5].lower().startswith(PUBLISHED_LABEL_LEADS):
                read_labelled_note(lead, found)
            elif lead and len(lead) <= NOTE_MAX_CHARS and day_before_update(element):
                found.labelled_notes.append(squash(lead))
            if lead and ("©" in lead or "opyright" in lead) and len(lead) <= NOTICE_MAX_CHARS:
                found.copyright = squash(lead)  # the last one: the page's footer
            if lead and len(lead) <= LEAD_MAX_CHARS and len(found.by_leads) < 5:
                tail = lead.rstrip(" :\n\t").lower()
                if tail == "by" or tail.endswith(LEAD_ENDS) or LABEL_ONLY_RE.match(tail):
                    found.by_leads.append(element)
    if bylines:
        found.bylines = find_bylines(
            tree, found.by_leads, found.headline_holders, found.beside_authors, found.place
        )
        read_last_author_sources(tree, found)
    return found


def read_last_author_sources(tree: HtmlElement, found: Evidence) -> None:
    """The author sources read only for a page that names no person otherwise: the names shown
    after author pictures and under captioned portraits, and the dated line under the headline."""
    found.picture_names = names_after(found.author_pictures) + captioned_portraits(found.portraits)
    found.picture_names += introduced_person(found.named_images)
    found.headline_line = line_under_headline(tree)


def line_under_headline(tree: HtmlElement) -> str:
    """The text of the element right after the page's first <h1> (or after its container)
    when it is a short line holding a date: the meta line of the headline."""
    headline = next(tree.iter("h1"), None)
    node = headline
    for _ in range(2):
        if node is None:
            return ""
        following = node.getnext()
        while following is not None and not isinstance(following.tag, str):
            following = following.getnext()
        if following is not None:
            if not short_enough(following, HEADLINE_LINE_MAX_WORDS):
                return ""
            text = spaced_text(following)
            return text if HEADLINE_LINE_DATE_RE.search(text) else ""
        node = node.getparent()
    return ""


def read_picture(element: HtmlElement, found: Evidence) -> None:
    """An author's picture in the article, or a portrait whose alt text is a name (2-4
    words), in the article or outside it."""
    if len(found.author_pictures) < 3 and is_author_picture(element):
        if found.place(element) == IN_ARTICLE:
            found.author_pictures.append(element)
        return
    alt = element.get("alt")
    if alt and 1 < len(alt.split()) <= 4 and alt[0].isupper() and not is_icon(element):
        if len(found.named_images) < NAMED_IMAGES_MAX:
            found.named_images.append(element)
        if len(found.portraits) < 5:
            if found.place(element) == IN_ARTICLE:
                found.portraits.append(element)


def is_icon(element: HtmlElement) -> bool:
    """True for an image declared a few pixels wide or high: an icon or a badge."""
    for attribute in ("width", "height"):
        value = (element.get(attribute) or "").removesuffix("px")
        if value.isdigit() and int(value) <= ICON_MAX_PIXELS:
            return True
    return False


def captioned_portraits(portraits: Sequence[HtmlElement]) -> list[str]:
    """The name of the one person whose portrait is captioned by the text after it opening
    with its alt text ("<img alt='Jane Doe'><p>Jane Doe is a travel writer ..."): an author
    card. Several such people are a list of people the article is about."""
    names = set()
    for portrait in portraits:
        alt = squash(portrait.get("alt"))
        if text_after(portrait).startswith(alt):
            names.add(alt)
    return list(names) if len(names) == 1 else []


def introduced_person(images: Sequence[HtmlElement]) -> list[str]:
    """The one person whose portrait a first-person introduction follows ("<img alt='Jane
    Doe'> <h3>Hi, I'm Jane!</h3>", "<img alt='Jane Doe'> I'm a data scientist ..."): the
    owner's card of a personal site, asked only for a page that names no one else. Several
    such people are a team page, not an owner."""
    names = {
        squash(PICTURE_WORD_RE.sub(" ", image.get("alt")))
        for image in images
        if INTRODUCTION_RE.match(text_after(image, past_images=False))
    }
    return list(names) if len(names) == 1 else []


def is_author_picture(element: HtmlElement) -> bool:
    """True for an author's picture: an avatar ("avatar", a gravatar) or an image classed as
    the author's ("author__photo", "author-image")."""
    classes = (element.get("class") or "").lower()
    if "avatar" in classes or "gravatar.com/" in (element.get("src") or ""):
        return True
    return "author" in classes and any(word in classes for word in AUTHOR_PICTURE_WORDS)


def names_after(pictures: Sequence[HtmlElement]) -> list[str]:
    """The text a reader sees right after each picture (its tail, else the first text of the
    elements that follow it in its card), up to a separator or an "in"/"on" continuation:
    "<img class=avatar> Jane Doe in Gardening" -> "Jane Doe"."""
    names = []
    for picture in pictures:
        text = text_after(picture)
        if text:
            names.append(PICTURE_NAME_END_RE.split(text, maxsplit=1)[0])
    return names


def text_after(element: HtmlElement, *, past_images: bool = True) -> str:
    """The first visible text after an element, looked for in its next siblings and in those
    of its three nearest containers; with `past_images=False`, nothing when another image
    comes first (the text then captions that one: a gallery's last picture)."""
    node = element
    for _ in range(4):
        tail = squash(node.tail)
        if tail:
            return tail
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str) and sibling.tag not in UNSEEN_TAGS:
                if not past_images and (sibling.tag == "img" or sibling.find(".//img") is not None):
                    return ""
                for piece in sibling.itertext():
                    if piece.strip():
                        return squash(piece)
            tail = squash(sibling.tail)
            if tail:
                return tail
        parent = node.getparent()
        if parent is None or parent.tag == "body":
            break
        node = parent
    return ""


def rendered_lines(element: HtmlElement) -> tuple[str, ...]:
    """An element's text in the lines a browser shows: parted at `<br>` and block children,
    and where an inline child starts a capitalised word right after a word with no space
    ("WEEKEND<br>CODING" is "WEEKEND" and "CODING", not "WEEKENDCODING")."""
    lines: list[list[str]] = [[]]

    def add(text: str | None, at_edge: bool) -> None:
        if not text:
            return
        current = lines[-1]
        if at_edge and current and LINE_END_RE.search(current[-1]) and LINE_START_RE.match(text):
            lines.append(current := [])
        current.append(text)

    def walk(node: HtmlElement) -> None:
        add(node.text, True)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in UNSEEN_TAGS:
                if child.tag in LINE_BREAK_TAGS:
                    lines.append([])
                walk(child)
                if child.tag in LINE_BREAK_TAGS:
                    lines.append([])
            add(child.tail, True)

    walk(element)
    return tuple(text for line in lines if (text := squash("".join(line))))


def headline_holders(tree: HtmlElement) -> frozenset:
    """The elements holding the page's first <h1>, the headline as a rule."""
    headline = next(tree.iter("h1"), None)
    return frozenset(headline.iterancestors()) if headline is not None else frozenset()


def read_meta_tag(element: HtmlElement, found: Evidence) -> None:
    """A `<meta>`'s content under each of its keys (property, name, itemprop, http-equiv)."""
    content = squash(element.get("content"))
    if not content:
        return
    for attribute in ("property", "name", "itemprop", "http-equiv"):
        key = (element.get(attribute) or "").strip().lower()
        if key:
            found.meta.setdefault(key, content)
            found.meta_all.setdefault(key, []).append(content)


def read_time_tag(element: HtmlElement, found: Evidence) -> None:
    """A `<time datetime>`: kept with whether it is marked published and lies off the article
    (in a footer, comments or related stories, or in a link to another page)."""
    value = (element.get("datetime") or "").strip()
    if value and len(found.times) < 20:
        off = found.place(element) != IN_ARTICLE or links_elsewhere(element, found.url)
        found.times.append((value, is_published_time(element), off))
    prop = (element.get("itemprop") or "").lower()
    if prop in ("datepublished", "datemodified") and value:
        found.itemprop_dates.setdefault(prop, value)


def links_elsewhere(element: HtmlElement, url: str | None) -> bool:
    """True when `element` stands inside a link to another page than `url`: a story card's
    date ("<a href="/guides/other"><time>...</time> Other guide</a>"), not this page's. A date
    linked to the page itself (a permalink) or to an anchor stays; without the page's URL no
    link can be told apart."""
    link = next(element.iterancestors("a"), None)
    href = (link.get("href") or "").strip() if link is not None else ""
    if not url or not href or href.startswith("#"):
        return False
    return page_key(urljoin(url, href)) != page_key(url)


def page_key(url: str) -> tuple[str, str]:
    """A URL's host (without "www.") and path (without a closing slash): the page it names."""
    parts = urlsplit(url)
    return (parts.netloc.lower().removeprefix("www."), parts.path.rstrip("/"))


def read_original_note(text: str, found: Evidence) -> None:
    """The words after "originally published" / "originally posted" in an element's own text
    (a note under a story that has been updated since), for the date they give."""
    if len(found.original_notes) >= 3:
        return
    note = ORIGINAL_NOTE_RE.search(text)
    if note:
        found.original_notes.append(squash(text[note.end() : note.end() + NOTE_MAX_CHARS]))


def read_labelled_note(text: str, found: Evidence) -> None:
    """The words after a publication label that opens an element's own text ("Post time:
    03-09-2024" in a page's footer line), for the date they give."""
    label = PUBLISHED_LABEL_RE.match(text) if len(found.labelled_notes) < 3 else None
    if label:
        found.labelled_notes.append(squash(text[label.end() : label.end() + NOTE_MAX_CHARS]))


def day_before_update(element: HtmlElement) -> bool:
    """Whether the element's first child opens with an update's label ("<p>October 2, 2025.
    <i>Updated: October 14, 2025</i></p>"): its own text before it is then the day the story
    first ran (`cleaners.meta.dates.labelled_day` reads a date there, or nothing)."""
    first = element[0] if len(element) else None
    return first is not None and bool(UPDATE_CHILD_RE.match(first.text or ""))


def read_marked_element(element: HtmlElement, tag: str, found: Evidence, url: str | None) -> None:
    """Another element: an itemprop date, a link to an author page, an author mark."""
    prop = (element.get("itemprop") or "").lower()
    if prop in ("datepublished", "datemodified"):
        value = element.get("content") or element.get("datetime") or ""
        value = value or squash(element.text_content())
        if value:
            found.itemprop_dates.setdefault(prop, value)
    if tag == "a" and len(found.author_links) < 10:
        href = element.get("href") or ""
        if AUTHOR_PATH_RE.search(href) and local_link(href, url):
            text = spaced_text(element)
            if text and len(text.split()) <= BYLINE_MAX_WORDS:
                found.keep_author_text(element, text, found.author_links)
                read_byline_link(element, text, found)
    classes = element.get("class") or ""
    # Most elements name no author at all: one substring test before the finer ones.
    marks = f"{prop} {element.get('rel') or ''} {classes}".lower()
    if "author" not in marks and "byline" not in marks:
        return
    if is_author_mark(element):
        if len(found.author_marks) < 10 and not in_listed_item(element):
            text = author_mark_text(element)
            if text:
                found.keep_author_text(element, text, found.author_marks)
    elif AUTHOR_CLASS_RE.search(classes) and len(found.author_classed) < 10:
        text = short_text(element)
        if text:
            found.keep_author_text(element, text, found.author_classed)


def read_byline_link(element: HtmlElement, text: str, found: Evidence) -> None:
    """The first author link in the article opens the byline: the short container around it
    is its box, and later author links inside that box are co-authors, unless the text before
    them credits a reviewer or an editor ("Reviewed by <a>...</a>")."""
    if not found.author_links or found.author_links[-1] != text:
        return  # kept beside or off the article
    if found.byline_box is None:
        found.byline_box = byline_box(element)
        found.byline_links.append(text)
    elif found.byline_box in element.iterancestors():
        if CREDIT_END_RE.search(text_before(element, found.byline_box)):
            # "Tested by <a>Kim Lee</a> and <a>Ann Poe</a>": the writers' links come first.
            found.byline_box = element
        else:
            found.byline_links.append(text)


def byline_box(element: HtmlElement) -> HtmlElement:
    """The highest of the link's three nearest containers whose text stays short."""
    box = element
    for _, ancestor in zip(range(3), element.iterancestors(), strict=False):
        if ancestor.tag in ("body", "html") or not short_enough(ancestor, BYLINE_BOX_MAX_WORDS):
            break
        box = ancestor
    return box


def text_before(element: HtmlElement, box: HtmlElement) -> str:
    """The text just before an element inside its box (about 40 characters, or more)."""
    pieces: list[str] = []
    node = element
    while node is not box and sum(len(piece) for piece in pieces) < 40:
        for sibling in node.itersiblings(preceding=True):
            pieces += [sibling.tail or "", spaced_text(sibling)]
        parent = node.getparent()
        if parent is None:
            break
        pieces.append(parent.text or "")
        node = parent
    return squash(" ".join(reversed(pieces)))


def short_text(element: HtmlElement) -> str | None:
    """An author-classed element's text when short ("Jane Doe Staff Writer"), else that of its
    first short element (an author box's name heading above the biography), else None."""
    if short_enough(element):
        return spaced_text(element)
    if short_enough(element, BYLINE_LIST_MAX_WORDS):
        text = spaced_text(element)
        if LEAD_LIST_RE.match(text):  # "Written by Jane Doe, John Roe and Kim Lee"
            return text
        if len(text.split()) <= HEADLINE_LINE_MAX_WORDS and HEADLINE_LINE_DATE_RE.search(text):
            return text  # "Dec 19, 2025 · Jane Doe on behalf of the Docs Team": a meta line
    for index, child in enumerate(element.iterdescendants()):
        if index >= AUTHOR_BOX_MAX_ELEMENTS:
            break
        if isinstance(child.tag, str) and child.tag not in ("script", "style", "img"):
            if short_enough(child):
                inner = spaced_text(child)
                if len(inner.split()) >= 2:
                    return inner
    return None


def short_enough(element: HtmlElement, limit: int = AUTHOR_CLASSED_MAX_WORDS) -> bool:
    """True when the element's text has at most `limit` words, read only until it has more
    (an author-classed wrapper may hold a whole article)."""
    words = 0
    for piece in element.itertext():
        words += len(piece.split())
        if words > limit:
            return False
    return True


def spaced_text(element: HtmlElement) -> str:
    """An element's text with its pieces apart ("Matt Check<span>Head Winemaker</span>" reads
    "Matt Check Head Winemaker", not "Matt CheckHead Winemaker")."""
    return squash(" ".join(element.itertext()))


def local_link(href: str, url: str | None) -> bool:
    """True for a link on the page's own site (a relative one, or one to its host)."""
    host = urlsplit(href).hostname
    if not host:
        return True
    own = (urlsplit(url or "").hostname or "").removeprefix("www.")
    return bool(own) and host.removeprefix("www.").endswith(own.split(".", 1)[-1])


def find_bylines(
    tree: HtmlElement,
    leads: Sequence[HtmlElement] = (),
    holders: frozenset = frozenset(),
    beside: list[str] | None = None,
    place: Callable[[HtmlElement], int] | None = None,
) -> list[str]:
    """Short visible lines holding a byline ("By Jane Doe", "Posted on May 2 by John Roe"):
    the lone leads first ("Written by", read by `read_evidence`), then the text nodes. Those
    beside the article (`article_place`, or `place` when given) go to `beside` when it is
    given."""
    bylines: list[str] = []
    seen: set[HtmlElement] = set()
    for node in [*leads, *by_text_nodes(tree)]:
        holder = node if isinstance(node, HtmlElement) else node.getparent()
        if holder is None:
            continue
        if getattr(node, "is_tail", False):
            holder = holder.getparent()
        if holder is None or holder in seen or holder.tag in ("script", "style", "title"):
            continue
        seen.add(holder)
        holder, text = byline_holder(holder)
        if not BYLINE_RE.search(text) or not short_byline(text):
            continue
        if not BYLINE_NAME_RE.search(text):
            continue
        if CREDIT_BY_RE.search(text):
            continue
        where = place(holder) if place is not None else article_place(holder, holders)
        if where != IN_ARTICLE:
            if where == BESIDE_ARTICLE and beside is not None and len(beside) < 10:
                beside.append(text)
            continue
        bylines.append(text)
        if len(bylines) >= 5:
            break
    return bylines


def short_byline(text: str) -> bool:
    """True for a line short enough to be a byline: BYLINE_MAX_WORDS, or
    CREDIT_SENTENCE_MAX_WORDS for a credit sentence that names the writer and a title."""
    words = len(text.split())
    if words <= BYLINE_MAX_WORDS:
        return True
    return words <= CREDIT_SENTENCE_MAX_WORDS and bool(CREDIT_SENTENCE_RE.match(text))


def by_text_nodes(tree: HtmlElement) -> list:
    """The first BY_TEXT_NODES_MAX text nodes of the body holding a byline word, in order."""
    search = BY_WORD_RE.search
    return [node for node in BODY_TEXT_NODES(tree) if search(node)][:BY_TEXT_NODES_MAX]


def listed_text(element: HtmlElement) -> str:
    """An element's text, a list's items apart ("<ul><li>Jane Doe</li><li>John Roe</li>" reads
    "Jane Doe, John Roe")."""
    if element.tag in ("ul", "ol"):
        return ", ".join(spaced_text(item) for item in element if isinstance(item.tag, str))
    return spaced_text(element)


def byline_holder(holder: HtmlElement) -> tuple[HtmlElement, str]:
    """The element holding a whole byline and its text: the given one, or for a lone lead
    ("<span>Written by</span><a>Jane Doe</a>") the lead with the element after it, else the
    nearest ancestor that adds the name."""
    text = spaced_text(holder)
    if not LEAD_ONLY_RE.match(text):
        return holder, text
    following = holder.getnext()
    if following is not None and isinstance(following.tag, str):
        name = listed_text(following)
        if 0 < len(name.split()) <= BYLINE_MAX_WORDS:
            # "Author" over "Jane Doe" reads "Author: Jane Doe", as a label line is written.
            lead = text if text.lower().endswith(BY_LEAD_ENDS) else text.rstrip(":") + ":"
            return holder, f"{lead} {name}"
    for _ in range(2):
        parent = holder.getparent()
        if not LEAD_ONLY_RE.match(text) or parent is None or parent.tag == "body":
            break
        holder, text = parent, spaced_text(parent)
    return holder, text
