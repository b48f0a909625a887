"""Do no harm: when a trim would take most of the body, look again and keep the better reading.

A region trim (cleaners.candidates: trafilatura's trailing blocks outside the article region)
that would remove more than SUSPECT_TRIM_SHARE of the body's words is checked: the body is
cleaned with and without it, and the untrimmed reading is kept when the page's evidence favours
it (`prefer_second`): the article body the page declares (JSON-LD `articleBody` or an
`itemprop="articleBody"` element) when there is one, or else when it holds the trimmed reading's
prose and adds more prose (long lines with little link text) than that one has, with no more
link text than the article it continues. A training
plan's tables or the second half of a long article cut off by a wrong region edge are what such
a trim took away. The check runs only when a trim is that large, so other pages cost nothing.

A body that leaves out the page's own description (the `og:description` or meta description,
most often the article's lead, sometimes its whole text) while the page shows it as text is
suspect as well (it holds less than MISSES_DESCRIPTION_SHARE of it): trafilatura's default
mode took another part of the page, a photo gallery below the article, a sidebar. The precision
reading is taken when it holds the description and is more than a summary of the first
(`holds_description`). A description is evidence only when the page shows its opening words as
text: a summary written for search engines alone is on no page, and the check costs a second
extraction only where the page holds the text that the body lacks (1.5-2.3% of dragnet's and
wcxb_dev's pages, 7% of trafilatura_eval's).

A page on which trafilatura's recall escalation ran (its balanced reading was short beside the
page's text, so it read the page again in recall mode and by justext, and may have kept the
longer reading: cleaners.fallback_gate records that it ran) is suspect too: the longer reading
takes in what surrounds a short article, other posts' excerpts, an about-me box, a sidebar.
trafilatura's precision reading, which never escalates, is kept when it is the first reading's
core (`is_escalation_core`): the first holds it and has its other blocks before or after it, not
between its paragraphs; it is a quarter to three fifths of the first; it lies in the article
region; and it keeps the page's description as well as the first does. When the precision
reading left out the lead that the description repeats (a standfirst in the article's <header>,
which precision mode drops), the core is looked for again with the first reading's lead put back
(`escalation_core`); when it cut the same text into other blocks (a paragraph as list items), the
two readings are compared by word bigrams instead of block texts (`core_blocks`). The second
extraction runs only on the pages the escalation ran on (about a tenth of dragnet's, 2% of
wcxb_dev's).

A body that holds blocks from a furniture box of the page (a sidebar, a profile, an author box,
by the class or id of an element around them) and blocks from elsewhere gets trafilatura's
precision reading as well, kept when it leaves out the boxes' blocks and nothing else
(`leaves_out_boxes`): trafilatura's own rules drop such boxes, its readability and justext
fallbacks do not, and the box's marks say which part is the article where the word-level checks
cannot (about 7% of dragnet's and wcxb_dev's pages ask for it).

Measured and not kept (bench/README.md): the same check on the closing-teasers trim (it put a
news site's teasers back), a second extraction without a tree cleaner whose removals hold more
prose than the body (on old pages the hidden text it brought back was comments and dialogs),
trafilatura's precision mode for bodies mostly outside the article region (the region is
too often wrong on modern pages), the same chosen by the article region, the headline's
position or the share of prose, and a second extraction without `strip_hidden_elements` when
its removals hold the description (both pages it changed got worse).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence

from lxml import etree
from lxml.html import HtmlElement

from cleaners.candidates import ArticleRegion
from cleaners.context import Block

# A trim is suspect when it removes more than this share of the body's words.
SUSPECT_TRIM_SHARE = 0.5
# A line of prose: this many words or more, and at most this share of link text.
PROSE_LINE_WORDS = 15
PROSE_MAX_LINK_SHARE = 0.5
# Without a declared body, the second reading may lose at most this share of the first's prose.
KEEPS_FIRST_LOSS = 0.2
# ... and what it adds may hold this share of link text, or as much as the first reading has.
ADDED_MAX_LINK_SHARE = 0.05
# A declared article body shorter than this many words is a summary, not evidence.
MIN_DECLARED_WORDS = 50
# The second reading must match the declared body by this much more to be kept.
DECLARED_MARGIN = 0.05
# A description shorter than this many words is a slogan or a title, not evidence.
MIN_DESCRIPTION_WORDS = 8
# A body with less than this share of the description's word bigrams leaves it out ...
MISSES_DESCRIPTION_SHARE = 0.2
# ... and a reading with at least this share holds it.
HOLDS_DESCRIPTION_SHARE = 0.5
# Blocks at the start of the body looked at first for the description (see misses_description).
OPENING_BLOCKS = 5
# A second reading smaller than this share of the first's words is its summary, not its article.
MIN_SECOND_WORDS_SHARE = 0.1
# trafilatura's recall escalation replaced a short balanced reading by a longer one (sidebars,
# other posts' excerpts, comments): the precision reading, which never escalates, is kept when
# it is the core of the first (`is_escalation_core`): at least this many words, ...
CORE_MIN_WORDS = 20
# ... this share of the first reading's words or more, and less than this one (a reading that
# keeps most of the first changes little; one that keeps a fraction is a standfirst or a box) ...
CORE_MIN_SHARE = 0.25
CORE_MAX_SHARE = 0.6
# ... at most this share of its words new (the first holds it), the first's other blocks at its
# edges (at most this share of the first's words between its first and last block) ...
CORE_MAX_NEW_SHARE = 0.05
CORE_MAX_INNER_SHARE = 0.2
# ... at least this share of its words in the article region, and the description the first holds
# kept (its share may drop by this much at most; the second is more than the description).
CORE_MIN_REGION_SHARE = 0.5
CORE_DESCRIPTION_LOSS = 0.15
# When the precision reading shares no block with the first (it cut the same text otherwise: a
# paragraph as list items, a line as a heading of its own), the two are compared word by word:
# at most this share of its word bigrams new, and a block of the first is part of it when this
# share of the block's bigrams (CORE_BLOCK_MIN_BIGRAMS at least) is in it.
CORE_MAX_NEW_BIGRAMS = 0.2
CORE_BLOCK_BIGRAMS = 0.8
CORE_BLOCK_MIN_BIGRAMS = 8
# A box of page furniture beside the article: an element whose class or id has a token starting
# with one of these words (a sidebar, a writer's profile or author box; "entry-author-jane", a
# post's own taxonomy class, does not start with one).
FURNITURE_BOX_RE = re.compile(r"(?:^|\s)(?:sidebar|profile|author)")
# A block is found in the page by the opening characters of its text.
PLACE_KEY_CHARS = 25
WORD_RE = re.compile(r"\w+")
JSON_LD_XPATH = etree.XPath("//script[@type='application/ld+json']")
ARTICLE_BODY_XPATH = etree.XPath("//*[@itemprop='articleBody']")
# The elements of the page's <body> that have a class or an id (furniture boxes are among them).
MARKED_XPATH = etree.XPath("body/descendant::*[@class or @id]")
# Elements whose text the page does not show (their tails it does).
HIDDEN_TEXT_TAGS = frozenset({"script", "style", "template"})


def words(blocks: Sequence[Block]) -> int:
    """Words in the blocks."""
    return sum(len(block.text.split()) for block in blocks)


def prose(blocks: Sequence[Block]) -> int:
    """Words in lines of prose: long lines with little link text."""
    total = 0
    for block in blocks:
        count = len(block.text.split())
        if count >= PROSE_LINE_WORDS and block.link_share <= PROSE_MAX_LINK_SHARE:
            total += count
    return total


def declared_body(tree: HtmlElement | None) -> str | None:
    """The article text the page declares: JSON-LD `articleBody`, or the microdata element's."""
    if tree is None:
        return None
    found: list[str] = []
    for script in JSON_LD_XPATH(tree):
        text = script.text or ""
        if "articleBody" not in text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        found += list(article_bodies(data))
    if not found:
        found = [element.text_content() for element in ARTICLE_BODY_XPATH(tree)]
    best = max(found, key=len, default="")
    return best if len(best.split()) >= MIN_DECLARED_WORDS else None


def article_bodies(data: object, depth: int = 0) -> list[str]:
    """Every `articleBody` string in a JSON-LD document (graphs and lists walked, 6 levels)."""
    if depth > 6:
        return []
    if isinstance(data, dict):
        found = [v for k, v in data.items() if k == "articleBody" and isinstance(v, str)]
        for value in data.values():
            if isinstance(value, dict | list):
                found += article_bodies(value, depth + 1)
        return found
    if isinstance(data, list):
        return [text for item in data for text in article_bodies(item, depth + 1)]
    return []


def overlap_f1(text: str, reference: Counter[str]) -> float:
    """F1 of the text's word bigrams against a reference's (multisets)."""
    tokens = WORD_RE.findall(text.lower())
    grams = Counter(zip(tokens, tokens[1:], strict=False))
    common = sum((grams & reference).values())
    if not common:
        return 0.0
    precision = common / sum(grams.values())
    recall = common / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def prefer_second(
    first: Sequence[Block], second: Sequence[Block], page: HtmlElement | None
) -> bool:
    """True when the second reading is the better article by the page's evidence.

    A declared article body decides when there is one; otherwise the second reading is kept
    when it holds the first one's prose (but KEEPS_FIRST_LOSS of it), the prose it adds
    outweighs the prose of the first, and what it adds has no more link text than the first
    (or ADDED_MAX_LINK_SHARE): a sidebar of linked blurbs is not the article's continuation.
    """
    if not second:
        return False
    declared = declared_body(page)
    if declared is not None:
        tokens = WORD_RE.findall(declared.lower())
        reference = Counter(zip(tokens, tokens[1:], strict=False))
        first_f1 = overlap_f1("\n".join(b.text for b in first), reference)
        second_f1 = overlap_f1("\n".join(b.text for b in second), reference)
        return second_f1 > first_f1 + DECLARED_MARGIN
    texts = {block.text for block in first}
    added = [block for block in second if block.text not in texts]
    kept = {block.text for block in second}
    lost = [block for block in first if block.text not in kept]
    # The second reading is the first one's article and more, not another part of the page,
    # and what it adds reads like the article: no more link text than the article has.
    return (
        prose(lost) <= KEEPS_FIRST_LOSS * prose(first)
        and prose(added) > prose(first)
        and link_share(added) <= max(link_share(first), ADDED_MAX_LINK_SHARE)
    )


def link_share(blocks: Sequence[Block]) -> float:
    """The share of the blocks' words that are link text (each block's share, word-weighted)."""
    total = linked = 0.0
    for block in blocks:
        count = len(block.text.split())
        total += count
        linked += count * block.link_share
    return linked / total if total else 0.0



def bigrams(text: str) -> Counter[tuple[str, str]]:
    """The text's word bigrams, lower-cased (a multiset)."""
    tokens = WORD_RE.findall(text.lower())
    return Counter(zip(tokens, tokens[1:], strict=False))


def description_share(text: str, description: str | None) -> float | None:
    """The share of the description's word bigrams that the text holds; None for a description
    too short to be evidence."""
    if not description or len(description.split()) < MIN_DESCRIPTION_WORDS:
        return None
    wanted = bigrams(description)
    # The intersection walks its left operand: the description's few bigrams, not the body's.
    return sum((wanted & bigrams(text)).values()) / sum(wanted.values())


def misses_description(
    blocks: Sequence[Block], description: str | None, page: HtmlElement | None
) -> bool:
    """True when the body leaves out the description that the page shows as text: the body is
    suspect, and a second reading that holds the description is the better one.

    The description is most often the article's lead: the opening blocks are read first, and
    when they hold enough of it the rest of the body is not tokenised (the share held by the
    opening is at most the whole body's, so the answer is the same).
    """
    opening = description_share(
        "\n".join(block.text for block in blocks[:OPENING_BLOCKS]), description
    )
    if opening is None or opening >= MISSES_DESCRIPTION_SHARE:
        return False
    share = description_share("\n".join(block.text for block in blocks), description)
    if share is None or share >= MISSES_DESCRIPTION_SHARE or page is None:
        return False
    return shows_text(page, description or "")


def shows_text(page: HtmlElement, text: str) -> bool:
    """True when the page's visible text (no script, style or template) holds the text's
    opening words (MIN_DESCRIPTION_WORDS of them, case and spacing aside): a plain search, as
    the page's text may be long."""
    opening = " ".join(WORD_RE.findall(text.lower())[:MIN_DESCRIPTION_WORDS])
    shown = " ".join(WORD_RE.findall(" ".join(visible_text(page)).lower()))
    return bool(opening) and opening in shown


def visible_text(page: HtmlElement) -> list[str]:
    """The text pieces of the page's <body> in document order, without those inside a
    <script>, <style> or <template>: what the XPath `//body//text()[not(ancestor::script or
    ancestor::style or ancestor::template)]` returns, at about half its cost (one walk that
    skips those subtrees, instead of an ancestor test on every text node)."""
    pieces: list[str] = []
    for body in page.getroottree().getroot().iter("body"):
        if any(ancestor.tag == "body" for ancestor in body.iterancestors()):
            continue  # a <body> inside another: its text is read with the outer one
        walker = etree.iterwalk(body, events=("start", "end"))
        for event, element in walker:
            if event == "start":
                if element.tag in HIDDEN_TEXT_TAGS:
                    walker.skip_subtree()
                elif isinstance(element.tag, str) and element.text:
                    pieces.append(element.text)
            elif element is not body and element.tail:
                pieces.append(element.tail)
    return pieces


def holds_description(
    second: Sequence[Block], first: Sequence[Block], description: str | None
) -> bool:
    """True when the second reading holds the page's description (HOLDS_DESCRIPTION_SHARE of
    it) and is no mere summary of the first: a standfirst that repeats the description, taken
    alone, is no better than the article it stands above (MIN_SECOND_WORDS_SHARE)."""
    share = description_share("\n".join(block.text for block in second), description)
    return (
        share is not None
        and share >= HOLDS_DESCRIPTION_SHARE
        and words(second) >= MIN_SECOND_WORDS_SHARE * words(first)
    )


def escalation_core(
    second: Sequence[Block],
    first: Sequence[Block],
    description: str | None,
    region: ArticleRegion | None,
) -> list[Block] | None:
    """The article at the core of an escalated reading (`is_escalation_core`), or None.

    The precision reading is that core when the test says so. When it is not, because precision
    mode left out the lead that the page's description repeats (a standfirst set apart from the
    story), the core is looked for once more with the first reading's description blocks put
    back (`with_lead`): the lead is the article's by the page's own summary, not by position.
    """
    if is_escalation_core(second, first, description, region):
        return list(second)
    restored = with_lead(second, first, description)
    if restored is not None and is_escalation_core(restored, first, description, region):
        return restored
    return None


def with_lead(
    second: Sequence[Block], first: Sequence[Block], description: str | None
) -> list[Block] | None:
    """The first reading's blocks that the second holds, with those of the first that hold the
    page's description (HOLDS_DESCRIPTION_SHARE of it), in the first's order; None when the
    second leaves out no such block."""
    kept = {block.text for block in second}
    leads = {
        block.text
        for block in first
        if block.text not in kept
        and (description_share(block.text, description) or 0.0) >= HOLDS_DESCRIPTION_SHARE
    }
    if not leads:
        return None
    return [block for block in first if block.text in kept or block.text in leads]


def is_escalation_core(
    second: Sequence[Block],
    first: Sequence[Block],
    description: str | None,
    region: ArticleRegion | None,
) -> bool:
    """True when the second reading is the article at the core of the first: the first holds it,
    what else the first has lies before or after it (a run of other posts' excerpts, an about-me
    box, a sidebar), it is a good part of the first, it lies in the article region, and it keeps
    the page's description as well as the first does without being the description alone.

    Asked when trafilatura's recall escalation ran on the page (cleaners.fallback_gate): its
    retry reads the whole page, and the longer reading it returns takes in what surrounds a
    short article.
    """
    size, total = words(second), words(first)
    if size < CORE_MIN_WORDS or not CORE_MIN_SHARE * total <= size < CORE_MAX_SHARE * total:
        return False
    inside = core_blocks(second, first)
    if inside is None or not any(inside):
        return False
    start, end = inside.index(True), len(inside) - inside[::-1].index(True)
    inner = [block for block, held in zip(first[start:end], inside[start:end], strict=True)
             if not held]
    if words(inner) >= CORE_MAX_INNER_SHARE * total:
        return False
    if region is None:
        return False
    held = [block for block in second if region.holds(block.text)]
    if words(held) < CORE_MIN_REGION_SHARE * size:
        return False
    return keeps_description(second, first, description)


def core_blocks(second: Sequence[Block], first: Sequence[Block]) -> list[bool] | None:
    """For each block of the first reading, whether it is part of the second; None when the
    second is not a part of the first (more than CORE_MAX_NEW_SHARE of its words new).

    Blocks are compared as texts; when no block of the second is a block of the first (the same
    text cut otherwise), by their word bigrams (CORE_MAX_NEW_BIGRAMS, CORE_BLOCK_BIGRAMS).
    """
    texts = {block.text for block in first}
    if any(block.text in texts for block in second):
        added = [block for block in second if block.text not in texts]
        if words(added) > CORE_MAX_NEW_SHARE * words(second):
            return None
        kept = {block.text for block in second}
        return [block.text in kept for block in first]
    held = bigrams("\n".join(block.text for block in second))
    whole = bigrams("\n".join(block.text for block in first))
    if sum((held - whole).values()) > CORE_MAX_NEW_BIGRAMS * max(1, sum(held.values())):
        return None
    return [held_as_bigrams(block.text, held) for block in first]


def held_as_bigrams(text: str, held: Counter[tuple[str, str]]) -> bool:
    """True when CORE_BLOCK_BIGRAMS of the text's word bigrams (CORE_BLOCK_MIN_BIGRAMS or more)
    are among `held`: the same text cut into other blocks."""
    own = bigrams(text)
    count = sum(own.values())
    shared = sum((own & held).values())
    return count >= CORE_BLOCK_MIN_BIGRAMS and shared >= CORE_BLOCK_BIGRAMS * count


def keeps_description(
    second: Sequence[Block], first: Sequence[Block], description: str | None
) -> bool:
    """True when the second reading holds the page's description about as well as the first
    (CORE_DESCRIPTION_LOSS) and has CORE_MIN_WORDS words besides the blocks that repeat it."""
    first_share = description_share("\n".join(block.text for block in first), description)
    if first_share is None:
        return True
    second_share = description_share("\n".join(block.text for block in second), description)
    if (second_share or 0.0) < first_share - CORE_DESCRIPTION_LOSS:
        return False
    rest = [
        block
        for block in second
        if (description_share(block.text, description) or 0.0) < HOLDS_DESCRIPTION_SHARE
    ]
    return words(rest) >= CORE_MIN_WORDS


def furniture_box_openings(page: HtmlElement | None) -> tuple[set[str], list[str]]:
    """The openings (PLACE_KEY_CHARS characters, spacing collapsed) of the text pieces inside the
    page's furniture boxes (FURNITURE_BOX_RE), and the shorter pieces among them, which may open
    a block that goes on in other elements ("Disclaimer:" in bold before the sentence)."""
    keys: set[str] = set()
    short: list[str] = []
    if page is None:
        return keys, short
    boxes = [box for box in MARKED_XPATH(page.getroottree().getroot()) if is_furniture_box(box)]
    found = set(boxes)
    for box in boxes:
        # A box inside another is read with the outer one.
        if not any(ancestor in found for ancestor in box.iterancestors()):
            for piece in box.itertext():
                text = " ".join(piece.split())
                if text:
                    keys.add(text[:PLACE_KEY_CHARS])
                    if len(text) < PLACE_KEY_CHARS:
                        short.append(text)
    return keys, short


def is_furniture_box(element: HtmlElement) -> bool:
    """True for an element marked as a sidebar, a profile or an author box by its class or id."""
    marks = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return bool(FURNITURE_BOX_RE.search(marks))


def in_boxes(blocks: Sequence[Block], openings: tuple[set[str], list[str]]) -> list[bool]:
    """For each block, whether its text opens with a text piece of a furniture box."""
    keys, short = openings
    return [
        block.text[:PLACE_KEY_CHARS] in keys
        or any(block.text.startswith(piece) for piece in short)
        for block in blocks
    ]


def has_boxed_blocks(blocks: Sequence[Block], page: HtmlElement | None) -> bool:
    """True when some of the body's blocks, not all, come from a sidebar, profile or author box of
    the page: a reading that took in a box beside the article (cleaners.extract asks for
    trafilatura's precision reading then, `leaves_out_boxes`)."""
    openings = furniture_box_openings(page)
    if not openings[0]:
        return False
    boxed = in_boxes(blocks, openings)
    return any(boxed) and not all(boxed)


def leaves_out_boxes(
    second: Sequence[Block], first: Sequence[Block], page: HtmlElement | None
) -> bool:
    """True when the second reading is the first without its blocks from furniture boxes: every
    block of the first it leaves out comes from a sidebar, profile or author box, none it keeps
    does, and it is more than a summary of the first (MIN_SECOND_WORDS_SHARE of its words).

    trafilatura's precision mode drops an author box or a sidebar widget that its default mode
    (or its recall escalation) took in with a short post; the box's own marks confirm that what it
    dropped is furniture, where the precision reading's cuts of article paragraphs are not.
    """
    if words(second) < MIN_SECOND_WORDS_SHARE * words(first):
        return False
    held = held_blocks(second, first)
    if all(held) or not any(held):
        return False
    boxed = in_boxes(first, furniture_box_openings(page))
    return all(box != kept for box, kept in zip(boxed, held, strict=True))


def held_blocks(second: Sequence[Block], first: Sequence[Block]) -> list[bool]:
    """For each block of the first reading, whether the second holds it: as a block, or as
    CORE_BLOCK_BIGRAMS of its word bigrams (the same text cut into other blocks)."""
    texts = {block.text for block in second}
    held = bigrams("\n".join(block.text for block in second))
    return [block.text in texts or held_as_bigrams(block.text, held) for block in first]
