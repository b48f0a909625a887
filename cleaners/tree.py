"""Tree stage: cleaners that drop boilerplate elements from the parsed page before extraction.

Each cleaner is `(tree, ctx) -> None`: it removes elements in place and records their text on
`ctx`. They run in the order of `TREE_CLEANERS`, before trafilatura sees the tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from cleaners import vocabulary as vocab
from cleaners.context import CleaningContext

TreeCleaner = Callable[[HtmlElement, CleaningContext], None]

# Never drop these, whatever their class says: they hold the whole page.
PROTECTED_TAGS = frozenset({"html", "body", "head", "main"})
# A container holding more than this share of the page's words is the article, not a promo box.
MAX_CONTAINER_WORD_SHARE = 0.4
# A hidden element with this many substantial paragraphs is collapsed article text, kept.
HIDDEN_ARTICLE_PARAGRAPHS = 3
SUBSTANTIAL_PARAGRAPH_WORDS = 20
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def token_pattern(tokens: Iterable[str]) -> re.Pattern[str]:
    """A regex finding any token as a whole `-`/`_`-delimited part of a class or id string."""
    alternatives = "|".join(sorted((re.escape(t) for t in tokens), key=len, reverse=True))
    return re.compile(rf"(?:^|[\s_-])(?:{alternatives})(?:$|[\s_-])")


SHARE_RE = token_pattern(vocab.SHARE_TOKENS)
COMMENT_RE = token_pattern(vocab.COMMENT_TOKENS)
PROMO_RE = token_pattern(vocab.PROMO_TOKENS)
NEWSLETTER_RE = token_pattern(vocab.NEWSLETTER_TOKENS)
ARTICLE_RE = token_pattern(vocab.ARTICLE_CONTAINER_TOKENS)


def class_and_id(element: HtmlElement) -> str:
    """The element's class and id attributes as one lower-case string."""
    return f"{element.get('class', '')} {element.get('id', '')}".lower().strip()


def word_count(element: HtmlElement) -> int:
    """Words of text inside the element."""
    return len(element.text_content().split())


def drop_element(element: HtmlElement, cleaner: str, ctx: CleaningContext) -> None:
    """Remove an element (keeping its tail text in place) and record its text."""
    ctx.remove(cleaner, element.text_content())
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()


def drop_marked_containers(
    tree: HtmlElement, pattern: re.Pattern[str], cleaner: str, ctx: CleaningContext
) -> None:
    """Drop outermost elements whose class/id matches `pattern`, unless they hold the article."""
    body = tree.find("body")
    page_words = word_count(body if body is not None else tree) or 1
    for element in list(tree.iter(etree.Element)):
        if element.tag in PROTECTED_TAGS or element.getparent() is None:
            continue
        marks = class_and_id(element)
        if not marks or not pattern.search(marks) or ARTICLE_RE.search(marks):
            continue
        if not is_attached(element, tree):
            continue
        if element.find(".//h1") is not None:
            continue
        if word_count(element) > MAX_CONTAINER_WORD_SHARE * page_words:
            continue
        drop_element(element, cleaner, ctx)


def is_attached(element: HtmlElement, tree: HtmlElement) -> bool:
    """True while the element is still in the tree (an ancestor may have been dropped already)."""
    for ancestor in element.iterancestors():
        if ancestor is tree:
            return True
    return element is tree


def strip_svg_sprites(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop inline SVG (sprites, icons) whose <title>/<desc> labels leak into the text.

    Removes e.g. the sprite whose symbol titles read "icon bookmark-bicon bookmarkicon cameraicon".
    """
    for svg in list(tree.iter("svg", "{http://www.w3.org/2000/svg}svg")):
        if svg.getparent() is not None and is_attached(svg, tree):
            labels = " ".join(t.text_content() for t in svg.iter("title", "desc"))
            ctx.remove("strip_svg_sprites", labels or "<svg>")
            svg.drop_tree()


def strip_hidden_elements(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop elements a reader never sees: `hidden`, `aria-hidden="true"`, `display:none`.

    Removes e.g. <div hidden>Subscribe to read more</div>; keeps a collapsed block of article text.
    """
    for element in list(tree.iter(etree.Element)):
        if element.tag in PROTECTED_TAGS or element.getparent() is None:
            continue
        hidden = (
            element.get("hidden") is not None
            or element.get("aria-hidden", "").strip().lower() == "true"
            or bool(HIDDEN_STYLE_RE.search(element.get("style", "")))
        )
        if not hidden or not is_attached(element, tree):
            continue
        substantial = sum(
            1 for p in element.iter("p") if len(p.text_content().split()) >= SUBSTANTIAL_PARAGRAPH_WORDS
        )
        if substantial >= HIDDEN_ARTICLE_PARAGRAPHS:
            continue
        drop_element(element, "strip_hidden_elements", ctx)


def strip_share_bars(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop share bars and social buttons: <div class="share-bar">Share on Facebook Tweet</div>."""
    drop_marked_containers(tree, SHARE_RE, "strip_share_bars", ctx)


def strip_comment_sections(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop comment sections and comment-system notices: <section id="comments">...</section>."""
    drop_marked_containers(tree, COMMENT_RE, "strip_comment_sections", ctx)


def strip_promo_containers(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop "more reads", "most read", "related", "recommended" boxes, after or inside the article.

    Removes e.g. <aside class="related-stories"><h3>Related</h3><ul><li><a>...</a></li></ul>.
    """
    drop_marked_containers(tree, PROMO_RE, "strip_promo_containers", ctx)


def strip_newsletter_boxes(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop newsletter and subscribe boxes: <div class="newsletter-signup">Get our newsletter</div>."""
    drop_marked_containers(tree, NEWSLETTER_RE, "strip_newsletter_boxes", ctx)


@lru_cache(maxsize=256)
def compiled_selector(selector: str) -> CSSSelector | None:
    """A compiled CSS selector, or None when the outlet configured an invalid one."""
    try:
        return CSSSelector(selector)
    except Exception:  # cssselect raises several parse error types
        return None


def drop_outlet_selectors(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop elements matched by the outlet's `drop_selectors`, e.g. "div.promo-slot"."""
    for selector in ctx.rules.drop_selectors:
        match = compiled_selector(selector)
        if match is None:
            continue
        for element in match(tree):
            if element.tag not in PROTECTED_TAGS and is_attached(element, tree):
                drop_element(element, "drop_outlet_selectors", ctx)


TREE_CLEANERS: tuple[TreeCleaner, ...] = (
    strip_svg_sprites,
    strip_hidden_elements,
    drop_outlet_selectors,
    strip_share_bars,
    strip_comment_sections,
    strip_promo_containers,
    strip_newsletter_boxes,
)


def run_tree_stage(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Run every tree cleaner in order on the parsed page."""
    for cleaner in TREE_CLEANERS:
        cleaner(tree, ctx)
