"""Tree stage: cleaners that drop boilerplate elements from the parsed page before extraction.

Each cleaner is `(tree, ctx) -> None`: it removes elements in place and records their text on
`ctx`. They run in the order of `TREE_CLEANERS`, before trafilatura sees the tree.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement
from trafilatura.xpaths import REMOVE_COMMENTS_XPATH

from cleaners import vocabulary as vocab
from cleaners.context import CleaningContext
from cleaners.embeds import free_content_embeds
from cleaners.pruning import (
    MAX_HEADING_WORDS,
    MAX_SIGNATURE_WORDS,
    MIN_THREAD_SIGNATURES,
    has_date,
)
from cleaners.text import normalise

TreeCleaner = Callable[[HtmlElement, CleaningContext], None]

# Never drop these, whatever their class says: they hold the whole page.
PROTECTED_TAGS = frozenset({"html", "body", "head", "main"})
# A container holding more than this share of the page's words is the article, not a promo box.
MAX_CONTAINER_WORD_SHARE = 0.4
# A hidden element with this many substantial paragraphs is collapsed article text, kept.
HIDDEN_ARTICLE_PARAGRAPHS = 3
SUBSTANTIAL_PARAGRAPH_WORDS = 20
# ... and one with a single substantial paragraph is too (a collapsed section, an FAQ answer, a
# streamed part of the article) when little of its text is link text and no class/id marks it as
# boilerplate: menus, drawers and sign-up boxes are link lists, forms or labelled so.
HIDDEN_PROSE_MAX_LINK_DENSITY = 0.3
# Class/id tokens with more parts than this are slugs ("related-work-on-tidal-barriers").
MAX_TOKEN_PARTS = 4
TOKEN_PART_RE = re.compile(r"[-_]+")
# A "more reads" box is a list of teaser links; a longer box with little linked text is content.
PROMO_MIN_LINK_DENSITY = 0.3
PROMO_MAX_UNLINKED_WORDS = 30
# React's streamed segments and their placeholders: <div hidden id="S:1a">, <template id="B:1a">.
STREAMED_SEGMENT_ID_RE = re.compile(r"^S:[0-9a-z]+$")
STREAM_PLACEHOLDER_XPATH = etree.XPath(
    "//template[starts-with(@id, 'B:') or starts-with(@id, 'P:')]"
    " | //*[starts-with(@id, 'P:')]"
)
# Classes that hide text from sight and leave it to screen readers: icon and button labels
# ("Share on Facebook", "(opens in a new tab)", "Skip to content"), never the article's text.
VISUALLY_HIDDEN_CLASSES = frozenset(vocab.VISUALLY_HIDDEN_CLASSES)
# Longer text under such a class is not a label: it stays.
MAX_VISUALLY_HIDDEN_WORDS = 20
VISIBILITY_HIDDEN_RE = re.compile(r"visibility\s*:\s*hidden", re.IGNORECASE)
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Taxonomy classes name the post's topics, not the element's role: "tag-share", "category-social".
TAXONOMY_CLASS_RE = re.compile(r"^(?:tag|tags|category|categories|cat|term|topic|taxonomy)[-_]")
# An element holding more than this share of the page's paragraph text holds the article.
MAX_PARAGRAPH_TEXT_SHARE = 0.5


def token_pattern(tokens: Iterable[str]) -> re.Pattern[str]:
    """A regex finding any token as a whole `-`/`_`-delimited part of a class or id string."""
    alternatives = "|".join(sorted((re.escape(t) for t in tokens), key=len, reverse=True))
    return re.compile(rf"(?:^|[\s_-])(?:{alternatives})(?:$|[\s_-])")


SHARE_RE = token_pattern(vocab.SHARE_TOKENS)
COMMENT_RE = token_pattern(vocab.COMMENT_TOKENS)
PROMO_RE = token_pattern(vocab.PROMO_TOKENS)
NEWSLETTER_RE = token_pattern(vocab.NEWSLETTER_TOKENS)
ARTICLE_RE = token_pattern(vocab.ARTICLE_CONTAINER_TOKENS)


ANY_MARK_TOKENS = (
    vocab.SHARE_TOKENS + vocab.COMMENT_TOKENS + vocab.PROMO_TOKENS + vocab.NEWSLETTER_TOKENS
)
ANY_MARK_RE = token_pattern(ANY_MARK_TOKENS)
# A token matches only where its first `-`/`_`-part is a whole part of the class/id string: a
# string without any such part is told apart by a set lookup, before the regex runs.
MARK_FIRST_PARTS = frozenset(TOKEN_PART_RE.split(token)[0] for token in ANY_MARK_TOKENS)


@dataclass(slots=True)
class TreeIndex:
    """One pass over the page: elements whose class/id holds a boilerplate token, hidden ones.

    Built once per page so the container cleaners do not each walk the whole tree.
    """

    marked: list[tuple[HtmlElement, str]] = field(default_factory=list)
    hidden: list[HtmlElement] = field(default_factory=list)
    # Elements whose class hides them from sight but not from screen readers ("sr-only").
    visually_hidden: list[HtmlElement] = field(default_factory=list)
    page_words: int = 0
    # The article's containers: the element with the most paragraph text, the articleBody, and
    # every ancestor of them. A cleaner never drops one of these.
    main_chain: set[HtmlElement] = field(default_factory=set)
    # Only the declared containers (articleBody, <main>) and their ancestors: a hidden element
    # may hold the most paragraph text (a hidden copy of the article) and still be hidden.
    declared_chain: set[HtmlElement] = field(default_factory=set)
    paragraph_chars: int = 0
    # The richest parent is found on the first container check (pages without one never pay).
    tree: HtmlElement | None = None
    chain_ready: bool = False


# The elements any tree cleaner may look at (class/id marks, hidden ones, declared article
# containers): what `build_index` reads, in one walk of the body rather than by this XPath.
INDEX_XPATH = etree.XPath(
    "body/descendant::*[@class or @id or @hidden or @aria-hidden or @style or @itemprop"
    " or @role or self::main]"
)
DECLARED_ITEMPROPS = frozenset({"articlebody"})
# Judgements of class/id pairs (judge_class_id), kept across pages; cleared past this many.
MAX_JUDGED_CLASS_IDS = 50_000
JUDGED_CLASS_IDS: dict[tuple[str | None, str | None], tuple[bool, str | None]] = {}
# The index's attributes besides class and id: declared containers and hidden elements.
RARE_INDEX_ATTRIBUTES = frozenset({"role", "itemprop", "hidden", "aria-hidden", "style"})
PARAGRAPH_XPATH = etree.XPath("body/descendant::p")


def class_id_marks(element: HtmlElement) -> str:
    """The element's lower-case class and id tokens, without heading-slug ids.

    An id such as "sharing-with-a-single-developer" is a section heading's slug, not a share bar:
    tokens of more than MAX_TOKEN_PARTS hyphen/underscore parts are left out.
    """
    return marks_of(f"{element.get('class', '')} {element.get('id', '')}".lower())


def marks_of(class_id: str) -> str:
    """`class_id_marks` of the lower-case "class id" string of an element."""
    return " ".join(
        t
        for t in class_id.split()
        if len(TOKEN_PART_RE.split(t)) <= MAX_TOKEN_PARTS and not TAXONOMY_CLASS_RE.match(t)
    )


@lru_cache(maxsize=8192)
def boilerplate_marks(class_id: str) -> str | None:
    """The marks of a lower-case "class id" string naming boilerplate, else None.

    A page repeats its class names many times over, so the regexes run once per distinct string.
    """
    if len(class_id) < 4:
        return None
    parts = class_id.replace("-", " ").replace("_", " ").split()
    if MARK_FIRST_PARTS.isdisjoint(parts) or not ANY_MARK_RE.search(class_id):
        return None
    marks = marks_of(class_id)
    if marks and ANY_MARK_RE.search(marks) and not ARTICLE_RE.search(marks):
        return marks
    return None


@lru_cache(maxsize=8192)
def is_visually_hidden_class(class_names: str) -> bool:
    """True for a class attribute naming a visually-hidden helper: "sr-only", "visually-hidden"."""
    lowered = class_names.lower()
    return any(token in VISUALLY_HIDDEN_CLASSES for token in lowered.split())


def link_density(element: HtmlElement) -> float:
    """Share of the element's text characters inside links."""
    text = len("".join(element.text_content().split()))
    linked = sum(len("".join(a.text_content().split())) for a in element.iter("a"))
    return linked / text if text else 1.0


def main_text_chain(index: TreeIndex) -> None:
    """Fill the index's article containers: the paragraphs' richest parent and its ancestors.

    The parent whose <p> children hold the most text is where the article's text sits; it and
    its ancestors (and those of an itemprop="articleBody" or <main> container) are protected from
    the container cleaners, whatever their class says ("post tag-share", id="comments-wrapper").
    """
    index.chain_ready = True
    index.main_chain.update(index.declared_chain)
    if index.tree is None:
        return
    text_by_parent: dict[HtmlElement, int] = {}
    total = 0
    for paragraph in PARAGRAPH_XPATH(index.tree):
        count = len(paragraph.text_content())
        total += count
        parent = paragraph.getparent()
        if parent is not None:
            text_by_parent[parent] = text_by_parent.get(parent, 0) + count
    index.paragraph_chars = total
    if text_by_parent:
        richest = max(text_by_parent, key=text_by_parent.__getitem__)
        index.main_chain.add(richest)
        index.main_chain.update(richest.iterancestors())


def holds_article(element: HtmlElement, index: TreeIndex) -> bool:
    """True for an article container or an element with most of the page's paragraph text."""
    if not index.chain_ready:
        main_text_chain(index)
    if element in index.main_chain:
        return True
    if not index.paragraph_chars:
        return False
    chars = sum(len(p.text_content()) for p in element.iter("p"))
    return chars > MAX_PARAGRAPH_TEXT_SHARE * index.paragraph_chars


def build_index(tree: HtmlElement) -> TreeIndex:
    """Collect marked, hidden and declared article elements of the page once (document order):
    the elements of INDEX_XPATH, read in one walk of the body.

    lxml hands each element of a walk over quicker than libxml2 evaluates INDEX_XPATH's six
    attribute tests on it; elements without attributes (about a third) are passed over after one
    read, and each distinct class/id pair is judged once (an outlet's pages repeat theirs).
    """
    index = TreeIndex(tree=tree)
    declared, hidden = index.declared_chain, index.hidden
    judged = JUDGED_CLASS_IDS
    if len(judged) > MAX_JUDGED_CLASS_IDS:
        judged.clear()
    for body in tree.iterchildren("body"):
        for main in body.iterdescendants("main"):
            declared.add(main)
            declared.update(main.iterancestors())
        for element in body.iterdescendants(etree.Element):
            names = element.keys()
            if not names:
                continue
            get = element.get
            # Most elements carry only a class or an id: the rarer attributes are read when present.
            if not RARE_INDEX_ATTRIBUTES.isdisjoint(names):
                if get("role") == "main" or get("itemprop", "").lower() in DECLARED_ITEMPROPS:
                    declared.add(element)
                    declared.update(element.iterancestors())
                style = get("style")
                if (
                    get("hidden") is not None
                    or get("aria-hidden", "").strip().lower() == "true"
                    or (style is not None and HIDDEN_STYLE_RE.search(style))
                ):
                    hidden.append(element)
            pair = (get("class"), get("id"))
            if pair == (None, None):
                continue
            judgement = judged.get(pair)
            if judgement is None:
                judgement = judged[pair] = judge_class_id(*pair)
            if judgement[0]:
                index.visually_hidden.append(element)
            if judgement[1] is not None:
                index.marked.append((element, judgement[1]))
    return index


def judge_class_id(class_names: str | None, element_id: str | None) -> tuple[bool, str | None]:
    """Whether a class attribute names a visually-hidden helper, and the boilerplate marks of the
    class and id (None when they name no boilerplate)."""
    hidden = bool(class_names) and is_visually_hidden_class(class_names)
    return hidden, boilerplate_marks(f"{class_names or ''} {element_id or ''}".lower())


def page_words(tree: HtmlElement, ctx: CleaningContext) -> int:
    """Words of the page body, counted once per page (only pages with candidates pay for it)."""
    index = tree_index(tree, ctx)
    if not index.page_words:
        body = tree.find("body")
        index.page_words = len((body if body is not None else tree).text_content().split()) or 1
    return index.page_words


def tree_index(tree: HtmlElement, ctx: CleaningContext) -> TreeIndex:
    """The page's TreeIndex, built on first use and kept on the context."""
    if ctx.tree_index is None:
        ctx.tree_index = build_index(tree)
    return ctx.tree_index


def word_count(element: HtmlElement) -> int:
    """Words of text inside the element."""
    return len(element.text_content().split())


def drop_element(element: HtmlElement, cleaner: str, ctx: CleaningContext) -> None:
    """Remove an element (keeping its tail text in place) and record its text."""
    ctx.remove(cleaner, element.text_content())
    if element.getparent() is not None:
        element.drop_tree()


def drop_marked_containers(
    tree: HtmlElement,
    pattern: re.Pattern[str],
    cleaner: str,
    ctx: CleaningContext,
    min_link_density: float = 0.0,
) -> None:
    """Drop outermost elements whose class/id matches `pattern`, unless they hold the article.

    With `min_link_density`, a container of more than PROMO_MAX_UNLINKED_WORDS words must be at
    least that link-dense (a teaser list), so a mislabelled block of prose stays.
    """
    index = tree_index(tree, ctx)
    for element, marks in index.marked:
        if not pattern.search(marks) or not is_attached(element, tree):
            continue
        if element.find(".//h1") is not None or holds_article(element, index):
            continue
        if holds_headline(element, ctx):
            continue
        words = word_count(element)
        if words > MAX_CONTAINER_WORD_SHARE * page_words(tree, ctx):
            continue
        if min_link_density and words > PROMO_MAX_UNLINKED_WORDS:
            if link_density(element) < min_link_density:
                continue
        drop_element(element, cleaner, ctx)


def holds_headline(element: HtmlElement, ctx: CleaningContext) -> bool:
    """True when a heading inside the element is the page's headline (its og:title).

    A share bar or promo class on a header wrapper that holds the headline, standfirst and
    byline beside the buttons names the buttons, not the block: the block stays.
    """
    headlines = {normalise(h) for h in ctx.headlines if h}
    if not headlines:
        return False
    return any(
        normalise(heading.text_content()) in headlines
        for heading in element.iter("h2", "h3")
    )


def is_attached(element: HtmlElement, tree: HtmlElement) -> bool:
    """True while the element is still in the tree (an ancestor may have been dropped already)."""
    if element is tree:
        return True
    return any(ancestor is tree for ancestor in element.iterancestors())


def strip_svg_sprites(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop inline SVG (sprites, icons) whose <title>/<desc> labels leak into the text.

    Removes e.g. the sprite whose symbol titles read "icon bookmark-bicon bookmarkicon cameraicon".
    """
    for svg in list(tree.iter("svg", "{http://www.w3.org/2000/svg}svg")):
        if svg.getparent() is not None and is_attached(svg, tree):
            labels = " ".join(t.text_content() for t in svg.iter("title", "desc"))
            ctx.remove("strip_svg_sprites", labels)
            svg.drop_tree()


def strip_hidden_elements(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop elements a reader never sees: `hidden`, `aria-hidden="true"`, `display:none`, and
    the labels of visually-hidden classes (<span class="sr-only">Share on Facebook</span>).

    Removes e.g. <div hidden>Subscribe to read more</div>; keeps article text that waits for a
    script or a click: a collapsed "continue reading" block, an accordion's section, a part of
    the article streamed into a hidden <div> and moved into place by a script.
    """
    index = tree_index(tree, ctx)
    place_streamed_segments(tree, index)
    for element in index.hidden:
        if not is_attached(element, tree) or element in index.declared_chain:
            continue
        if holds_hidden_prose(element):
            reveal(element)
        else:
            drop_element(element, "strip_hidden_elements", ctx)
    for element in index.visually_hidden:
        if element.tag in PROTECTED_TAGS or not is_attached(element, tree):
            continue
        if word_count(element) <= MAX_VISUALLY_HIDDEN_WORDS and element.find(".//p") is None:
            drop_element(element, "strip_hidden_elements", ctx)


def reveal(element: HtmlElement) -> None:
    """Show a hidden element as the page's script or the reader's click would.

    trafilatura drops hidden elements too (`hidden`, `aria-hidden`, a style that hides): the
    article text kept here must reach it visible.
    """
    for attribute in ("hidden", "aria-hidden", "style"):
        element.attrib.pop(attribute, None)


def place_streamed_segments(tree: HtmlElement, index: TreeIndex) -> None:
    """Move streamed parts of the page to where the page's script puts them.

    A server that streams its page (React's streaming rendering, used by many frameworks) sends
    the later parts of the article as <div hidden id="S:1"> at the end of <body> and a script
    that moves each into its placeholder, <template id="B:1"> or <template id="P:1">, inside the
    article. Moved there, the parts are article text in the article's place, not hidden blocks
    after the page's footer.
    """
    segments = {
        element.get("id", "")[2:]: element
        for element in index.hidden
        if STREAMED_SEGMENT_ID_RE.match(element.get("id", ""))
    }
    if not segments:
        return
    placeholders = {
        element.get("id", "")[2:]: element for element in STREAM_PLACEHOLDER_XPATH(tree)
    }
    # trafilatura drops a container whose class starts with "comment" ("commentOnSelection"
    # around a post): a part moved into one would be lost, so it stays where it was sent, shown.
    pruned = {element for xpath in REMOVE_COMMENTS_XPATH for element in xpath(tree)}
    # A segment may hold the placeholder of another: move each once, in document order.
    for key, segment in segments.items():
        placeholder = placeholders.get(key)
        if placeholder is None or placeholder.getparent() is None or segment.getparent() is None:
            continue
        if any(a is segment or a in pruned for a in placeholder.iterancestors()):
            continue
        for child in list(segment):
            placeholder.addprevious(child)
        placeholder.drop_tree()
        segment.drop_tree()


def is_placeholder_text(text: str) -> bool:
    """True for a template's dummy text ("Lorem ipsum dolor sit amet, ...")."""
    return text.lstrip()[:11].lower() == "lorem ipsum"


def holds_hidden_prose(element: HtmlElement) -> bool:
    """True for a hidden element that holds article prose rather than page furniture.

    A dialog (a "republish this article" box, a sign-up window) and a form are furniture
    whatever their text; a template's dummy paragraphs are no prose.
    """
    if element.get("role") in ("dialog", "alertdialog") or element.get("aria-modal") == "true":
        return False
    texts = (p.text_content() for p in element.iter("p"))
    substantial = sum(
        1
        for text in texts
        if len(text.split()) >= SUBSTANTIAL_PARAGRAPH_WORDS and not is_placeholder_text(text)
    )
    if substantial >= HIDDEN_ARTICLE_PARAGRAPHS:
        return True
    if not substantial or element.find(".//form") is not None:
        return False
    # "visibility: hidden" keeps the element's place on screen: it is faded out, not collapsed.
    if VISIBILITY_HIDDEN_RE.search(element.get("style", "")):
        return False
    if element.find(".//textarea") is not None:
        return False
    if link_density(element) >= HIDDEN_PROSE_MAX_LINK_DENSITY:
        return False
    return not any(
        boilerplate_marks(f"{e.get('class', '')} {e.get('id', '')}".lower())
        for e in element.iter()
        if isinstance(e.tag, str) and (e.get("class") or e.get("id"))
    )


def strip_share_bars(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop share bars and social buttons: <div class="share-bar">Share on Facebook Tweet</div>."""
    drop_marked_containers(tree, SHARE_RE, "strip_share_bars", ctx)


def strip_comment_sections(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop comment sections and comment-system notices: <section id="comments">...</section>."""
    drop_marked_containers(tree, COMMENT_RE, "strip_comment_sections", ctx)


HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A comment heading opens a thread among its siblings only below this much article text.
MIN_WORDS_BEFORE_THREAD = 50
# A comment's signature sits near its top or bottom: nodes of one sibling looked at for it.
SIGNATURE_SCAN_NODES = 40
# Siblings of a comment heading that hold most of the page's prose are a thread only with a
# signature at least every this many words (a comment's length).
MAX_WORDS_PER_SIGNATURE = 200


def is_thread_heading(heading: HtmlElement) -> bool:
    """True for a short heading that names a comment thread: <h2 id="comments">Comments</h2>."""
    text = " ".join(heading.text_content().split())
    if not text or len(text.split()) > MAX_HEADING_WORDS:
        return False
    if COMMENT_RE.search(class_id_marks(heading)):
        return True
    return bool(vocab.COMMENT_HEADING_RE.match(text)) and not vocab.BARE_COMMENT_RE.match(text)


def dated_signatures(elements: list[HtmlElement], limit: int = MIN_THREAD_SIGNATURES) -> int:
    """How many of `elements` hold a short dated element (a comment signature), up to `limit`;
    each element's first SIGNATURE_SCAN_NODES nodes are looked at."""
    count = 0
    for element in elements:
        for node in itertools.islice(element.iter(), SIGNATURE_SCAN_NODES):
            if not isinstance(node.tag, str):
                continue
            text = node.text_content()
            if len(text.split()) <= MAX_SIGNATURE_WORDS and text.strip() and has_date(text):
                count += 1
                break
        if count >= limit:
            break
    return count


def is_article_tail(following: list[HtmlElement], index: TreeIndex) -> bool:
    """True when what follows a comment heading is the rest of the article, not a thread.

    A long reference article may have a "Comments" section heading with a few dated lines
    under it (a changelog, a list of sources): when the siblings together hold most of the
    page's paragraph text and a dated line comes only every MAX_WORDS_PER_SIGNATURE words or
    more, they are prose, not comments (a thread signs every comment, a few lines apart).
    """
    if not index.chain_ready:
        main_text_chain(index)
    chars = sum(len(p.text_content()) for s in following for p in s.iter("p"))
    if chars <= MAX_PARAGRAPH_TEXT_SHARE * index.paragraph_chars:
        return False
    words = sum(word_count(s) for s in following)
    signatures = dated_signatures(following, limit=len(following))
    return words > MAX_WORDS_PER_SIGNATURE * signatures


def strip_comment_threads(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop a comment thread set beside the article's paragraphs, from its heading on.

    Removes <h2 id="comments">Comments</h2> and the <div>comment</div><p class="posted">Posted
    by: Ellen at September 10, 2012 11:40 AM</p> pairs after it, which share the post's container.
    """
    index = tree_index(tree, ctx)
    for heading in list(tree.iter(*HEADING_TAGS)):
        if not is_attached(heading, tree) or not is_thread_heading(heading):
            continue
        following = list(heading.itersiblings())
        if not following or any(holds_article(s, index) for s in following):
            continue
        before = sum(word_count(s) for s in heading.itersiblings(preceding=True))
        if before < MIN_WORDS_BEFORE_THREAD:
            continue
        if dated_signatures(following) < MIN_THREAD_SIGNATURES:
            continue
        if is_article_tail(following, index):
            continue
        thread = [heading, *following]
        ctx.remove("strip_comment_threads", " ".join(e.text_content() for e in thread))
        for element in thread:
            element.drop_tree()


def strip_promo_containers(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop "more reads", "most read", "related", "recommended" boxes, after or inside the article.

    Removes e.g. <aside class="related-stories"><h3>Related</h3><ul><li><a>...</a></li></ul>.
    """
    drop_marked_containers(
        tree, PROMO_RE, "strip_promo_containers", ctx, min_link_density=PROMO_MIN_LINK_DENSITY
    )


def strip_newsletter_boxes(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Drop newsletter and subscribe boxes: <div class="newsletter-signup">Get our ...</div>."""
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
    strip_comment_threads,
    strip_comment_sections,
    strip_promo_containers,
    strip_newsletter_boxes,
)


def run_tree_stage(tree: HtmlElement, ctx: CleaningContext) -> None:
    """Run every tree cleaner in order on the parsed page (its content embeds freed first)."""
    free_content_embeds(tree)
    for cleaner in TREE_CLEANERS:
        cleaner(tree, ctx)
    ctx.tree_index = None


# Page furniture that cannot hold the article: where an unclosed <header>, <aside> or <nav>
# (a newsletter pop-up, a site header left open) makes libxml2 nest the rest of the page inside
# it, the article comes out inside the furniture, which trafilatura drops whole.
FURNITURE_BOX_TAGS = frozenset({"header", "aside", "nav", "footer"})
# An <article> or <main> holds the article when it has this many words in paragraphs of
# SUBSTANTIAL_PARAGRAPH_WORDS or more.
BOXED_ARTICLE_WORDS = 150


def prose_paragraph_words(element: HtmlElement) -> int:
    """Words in the element's paragraphs of SUBSTANTIAL_PARAGRAPH_WORDS or more."""
    counts = (len(p.text_content().split()) for p in element.iter("p"))
    return sum(count for count in counts if count >= SUBSTANTIAL_PARAGRAPH_WORDS)


def unbox_misnested_article(tree: HtmlElement) -> bool:
    """Make the furniture around a misnested article plain <div>s; True when any was.

    Asked only once trafilatura found no main text: e.g. "<aside class=popup> ... <article>" with
    the pop-up never closed. The first <article> or <main> holding the article's prose inside a
    <header>, <aside>, <nav> or <footer> gets its furniture ancestors retagged as <div>.
    """
    for candidate in tree.iter("article", "main"):
        boxes = [a for a in candidate.iterancestors() if a.tag in FURNITURE_BOX_TAGS]
        if boxes and prose_paragraph_words(candidate) >= BOXED_ARTICLE_WORDS:
            for box in boxes:
                box.tag = "div"
            return True
    return False
