"""Structural pruning of the extracted body: comment threads, edge navigation, linked headings.

These cleaners look at the shape of the body rather than at one line's words: where a comment
thread starts (a comment heading, or repeated "Posted by: Name at date" signatures), which blocks
at the very edges are navigation (short, link-dense, "« Previous post"), and which blocks repeat.
Each is `(blocks, ctx) -> blocks` like the text stage, and records what it dropped on `ctx`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cleaners.context import Block, CleaningContext
from cleaners.text import NUMBERED_LINE_RE, drop, drop_footer_lines, normalise, words
from cleaners.timestamps import DAY_MONTH_RE, MONTH_RE, TIME_RE, YEAR_RE
from cleaners.vocabulary import (
    BARE_COMMENT_RE,
    COMMENT_FORM_RE,
    COMMENT_HEADING_RE,
    ENTRY_FOOTER_RE,
    NAV_RE,
    PREV_NEXT_RE,
    SAYS_RE,
    SIGNATURE_LEAD_RE,
    TAXONOMY_RE,
)

Pruner = Callable[[list[Block], CleaningContext], list[Block]]

# A comment thread is only cut after this share of the body's words: a "Comments" heading or a
# signature near the top is a byline or a teaser, and the article below it must stay.
MIN_ARTICLE_SHARE = 0.3
MAX_HEADING_WORDS = 10
# ... or, when a comment-form line or a run of signatures follows its heading, after this many
# words of the post; the first signature then comes within a comment's length of the heading.
MIN_PROSE_BEFORE_THREAD = 30
MIN_THREAD_SIGNATURES = 2
MAX_FIRST_COMMENT_WORDS = 200
MAX_SIGNATURE_WORDS = 25
# Navigation at the edges: short blocks, mostly link text, at most this many from each end.
EDGE_SCAN = 3
MAX_NAV_WORDS = 25
MAX_NAV_LINK_WORDS = 6
# A taxonomy line lists many tags: "Published: May 1 | Tags: a, b, c, ..." may run this long.
MAX_TAXONOMY_WORDS = 60
NAV_LINK_SHARE = 0.6
LINKED_HEADING_SHARE = 0.5
# ... and one link must cover this much of it: a section heading may hold a tag's words
# ("Overview of Compensating Differentials"), a teaser heading is the link ("Re: Title").
ONE_LINK_HEADING_SHARE = 0.7
PROSE_WORDS = 15
# A post's footer line naming its writer and nothing else: "Posted by Jane Doe".
POSTED_BY_RE = re.compile(r"^(?:posted|written|published) by\s+[^.!?:|]{1,40}$", re.IGNORECASE)
# A source credit line: "via example.com", "(via Jane Doe)", "h/t @someone".
VIA_CREDIT_RE = re.compile(r"^[(\[]?\s*(?:via|h/t|hat tip)\b\s*:?\s*\S", re.IGNORECASE)
# A linked heading over a section of its own (this many words in at least SECTION_BLOCKS blocks
# before the next heading) is the article's: a listicle's item linked to its shop, a chapter
# linked to its page. A teaser's excerpt is one paragraph.
SECTION_WORDS = 40
SECTION_BLOCKS = 2
MIN_REPEAT_WORDS = 4
# A copy of the article repeats at least this many different blocks of MIN_REPEAT_WORDS, and
# starts with one of the body's first COPY_START_BLOCKS paragraphs of PROSE_WORDS.
MIN_COPY_BLOCKS = 2
COPY_START_BLOCKS = 2

def has_date(text: str) -> bool:
    """True when the text holds a date or a clock time: "Sept 10, 2012", "2:38 PM", "10/29/2012"."""
    return bool(
        TIME_RE.search(text)
        or (YEAR_RE.search(text) and (DAY_MONTH_RE.search(text) or MONTH_RE.search(text)))
        or DAY_MONTH_RE.search(text)
        and re.search(r"\d", text)
    )


def is_comment_heading(block: Block) -> bool:
    """True for a short "Comments"/"3 Responses"/"Leave a Reply" heading or a comment-form line."""
    text = block.text.strip()
    if words(text) > MAX_HEADING_WORDS:
        return False
    return bool(COMMENT_HEADING_RE.match(text) or COMMENT_FORM_RE.match(text))


def is_comment_form_line(block: Block) -> bool:
    """True for a short comment-form line: "No comments yet.", "Name (required)"."""
    text = block.text.strip()
    return words(text) <= MAX_HEADING_WORDS and bool(COMMENT_FORM_RE.match(text))


def is_signature(block: Block) -> bool:
    """True for a comment or post signature: "Posted by: Gina at September 10, 2012 12:12 PM"."""
    text = block.text.strip()
    if words(text) > MAX_SIGNATURE_WORDS:
        return False
    # "Colon writes:" before a quotation is article text; a comment header also carries a date.
    if SIGNATURE_LEAD_RE.match(text) or SAYS_RE.search(text):
        return has_date(text)
    return False


def opens_thread(
    blocks: list[Block], index: int, offsets: list[int], signatures: list[int]
) -> bool:
    """True for a comment heading that the blocks under it show to open a thread.

    "TrackBack" over "TrackBack URL for this entry: ...", or "Trackback Pings" with the first of
    several "Posted by: tj at October 29, 2012 06:10 PM" one comment's length below it: a short
    post whose thread outweighs it ends there. Above the post's first words the heading is a
    teaser or a comment count.
    """
    if offsets[index] < MIN_PROSE_BEFORE_THREAD:
        return False
    if index + 1 < len(blocks) and is_comment_form_line(blocks[index + 1]):
        return True
    below = [i for i in signatures if i > index]
    return (
        len(below) >= MIN_THREAD_SIGNATURES
        and offsets[below[0]] - offsets[index] <= MAX_FIRST_COMMENT_WORDS
    )


def word_offsets(blocks: list[Block]) -> list[int]:
    """Words of the body before each block (and the total as the last entry)."""
    offsets = [0]
    for block in blocks:
        offsets.append(offsets[-1] + words(block.text))
    return offsets


def thread_heading(
    blocks: list[Block], offsets: list[int], signatures: list[int], floor: float
) -> int | None:
    """The index of the comment heading that opens a thread: past `floor` words of the body, or
    with a thread under it; a bare "Comment" only when two signatures or a form line follow."""
    start = next(
        (
            i
            for i, b in enumerate(blocks)
            if is_comment_heading(b)
            and (offsets[i] >= floor or opens_thread(blocks, i, offsets, signatures))
        ),
        None,
    )
    if start is None or not BARE_COMMENT_RE.match(blocks[start].text.strip()):
        return start
    later_signatures = sum(1 for i in signatures if i > start)
    corroborated = later_signatures >= 2 or any(
        COMMENT_FORM_RE.match(b.text.strip()) for b in blocks[start + 1 :]
    )
    if corroborated:
        return start
    return next(
        (
            i
            for i, b in enumerate(blocks)
            if i > start and is_comment_heading(b) and not BARE_COMMENT_RE.match(b.text.strip())
        ),
        None,
    )


def drop_comment_thread(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a comment thread that survived extraction, from its start to the end of the body.

    The thread starts at a comment heading ("Comments", "3 Responses to ...") or, without one, at
    the first of two or more signatures ("Posted by: Ellen at September 10, 2012 11:40 AM"); a
    single closing "Posted by laurie at September 10, 2012 9:01 AM" line goes on its own.
    """
    offsets = word_offsets(blocks)
    floor = MIN_ARTICLE_SHARE * offsets[-1]
    signatures = [i for i, b in enumerate(blocks) if is_signature(b)]
    start = thread_heading(blocks, offsets, signatures, floor)
    late_signatures = [i for i in signatures if offsets[i] >= floor]
    if len(late_signatures) >= 2 and (start is None or late_signatures[0] < start):
        start = late_signatures[0]
    # Comment-form lines right above the thread's start belong to it, however short the post
    # ("No comments yet." above "RSS feed for comments on this post."): no article text between.
    while start and is_comment_form_line(blocks[start - 1]):
        start -= 1
    doomed = set(range(start, len(blocks))) if start is not None else set()
    # A lone signature in the body's first part is the post's own byline ("Posted on May 4, 2012
    # at 2:15 am as Theme"), article text; further down it closes the post or a comment.
    if len(signatures) == 1 and offsets[signatures[0]] < floor:
        signatures = []
    doomed.update(signatures)
    return drop(blocks, doomed, "drop_comment_thread", ctx)


def is_navigation(block: Block) -> bool:
    """True for "« Previous post", "Tags: a, b, c", "This entry was posted in News.", or a few
    words that are all link."""
    text = block.text.strip()
    if words(text) <= MAX_TAXONOMY_WORDS and (
        TAXONOMY_RE.match(text) or PREV_NEXT_RE.match(text) or ENTRY_FOOTER_RE.match(text)
    ):
        return True
    if words(text) > MAX_NAV_WORDS:
        return False
    if NAV_RE.search(text):
        return True
    # "via example.com": the post's credit of the source it found the item on, not navigation.
    if VIA_CREDIT_RE.match(text) and words(text) <= MAX_NAV_LINK_WORDS:
        return False
    # "8. Pompom Wallpaper": the last entry of the article's own numbered list of links.
    if NUMBERED_LINE_RE.match(text):
        return False
    return words(text) <= MAX_NAV_LINK_WORDS and block.link_share >= NAV_LINK_SHARE


def drop_edge_navigation(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop navigation blocks at the very start and end of the body.

    Removes "« A year from now you'll wish you had started today" (a link to the previous post)
    above the article and "Next post: Title" below it; stops at the first block of prose.
    """
    doomed: set[int] = set()
    for index in range(min(EDGE_SCAN, len(blocks))):
        if not is_navigation(blocks[index]):
            break
        doomed.add(index)
    for index in range(len(blocks) - 1, max(-1, len(blocks) - 1 - EDGE_SCAN), -1):
        closing = is_navigation(blocks[index]) or is_posted_by(blocks[index])
        if not closing or is_announced(blocks, index):
            break
        doomed.add(index)
    # A body of navigation alone is kept as it is, unless it is nothing but links (a menu page).
    if len(doomed) == len(blocks) and any(b.link_share < 1.0 for b in blocks):
        return blocks
    return drop(blocks, doomed, "drop_edge_navigation", ctx)


def is_posted_by(block: Block) -> bool:
    """True for "Posted by Jane Doe" alone on a line: under the post, the blog's entry footer
    (over it, the same line is the byline, which stays)."""
    text = block.text.strip()
    return words(text) <= MAX_NAV_LINK_WORDS and bool(POSTED_BY_RE.match(text))


def is_announced(blocks: list[Block], index: int) -> bool:
    """True when the block at `index` is the link an article sentence announces with a colon
    ("... please sign the petition:" above its address): the article's own, not navigation.

    A label such as "Related posts:" is no sentence (fewer than PROSE_WORDS words).
    """
    if index == 0:
        return False
    before = blocks[index - 1].text.rstrip()
    return before.endswith(":") and words(before) >= PROSE_WORDS


def opens_section(blocks: list[Block], index: int) -> bool:
    """True when the heading at `index` stands over a section of several blocks of text.

    "2. Desert parks" above three paragraphs on the tour is the article's item; "Other story"
    above its one-paragraph excerpt is a teaser.
    """
    section: list[Block] = []
    for block in blocks[index + 1 :]:
        if block.kind == "heading":
            break
        section.append(block)
    total = sum(words(b.text) for b in section)
    return len(section) >= SECTION_BLOCKS and total >= SECTION_WORDS


def drop_linked_headings(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop headings that are mostly a link: teasers of other posts, "Re: Title" comment titles.

    An article's own section headings are plain text; "<h3><a href=...>Other story</a></h3>" is not,
    unless a section of its own follows it (opens_section).
    """
    # A linked heading above the first paragraph is the post's own title, linked to itself.
    first_prose = next(
        (i for i, b in enumerate(blocks) if b.kind == "p" and words(b.text) >= PROSE_WORDS), None
    )
    if first_prose is None:
        return blocks
    doomed = {
        i
        for i, b in enumerate(blocks)
        if i > first_prose
        and b.kind == "heading"
        and b.link_share >= LINKED_HEADING_SHARE
        and ctx.single_link_share(b.text) >= ONE_LINK_HEADING_SHARE
        and not opens_section(blocks, i)
    }
    return drop(blocks, doomed, "drop_linked_headings", ctx)


def drop_repeated_article_copy(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a second copy of the article: a run of repeated blocks that restarts the body.

    Removes the print-view copy of a story carried on the same page: "Home prices in the second
    quarter rose ...", "The report, which is scheduled ..." again after the first copy. A
    paragraph repeated on its own, one text repeated over and over, or a run repeating the middle
    of the body stays.
    """
    keys = [normalise(block.text) for block in blocks]
    prose = [i for i, b in enumerate(blocks) if words(b.text) >= PROSE_WORDS]
    opening = {keys[i] for i in prose[:COPY_START_BLOCKS]}
    doomed: set[int] = set()
    seen: set[str] = set()
    index = 0
    while index < len(blocks):
        if not keys[index] or keys[index] not in seen:
            seen.add(keys[index])
            index += 1
            continue
        end = index
        while end < len(blocks) and keys[end] and keys[end] in seen:
            end += 1
        run = [i for i in range(index, end) if words(blocks[i].text) >= MIN_REPEAT_WORDS]
        if run and keys[run[0]] in opening and len({keys[i] for i in run}) >= MIN_COPY_BLOCKS:
            doomed.update(range(index, end))
        index = end
    return drop(blocks, doomed, "drop_repeated_article_copy", ctx)


def drop_after_entry_footer(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a blog entry's footer line and the short lines after it: "This page contains a
    single entry by Jane published on May 3, 2012", then "More feeds »", "Find us on Instagram".

    The footer closes the post; the lines after it are the blog's sidebar read with it, unless
    one of them is prose (a paragraph of the post set below the footer stays, and all with it).
    """
    for index, block in enumerate(blocks):
        text = block.text.strip()
        if not ENTRY_FOOTER_RE.match(text) or words(text) > MAX_TAXONOMY_WORDS:
            continue
        before = any(words(b.text) >= PROSE_WORDS for b in blocks[:index])
        if before and all(words(b.text) < PROSE_WORDS for b in blocks[index + 1 :]):
            return drop(blocks, set(range(index, len(blocks))), "drop_after_entry_footer", ctx)
        break
    return blocks


PRUNERS: tuple[Pruner, ...] = (
    drop_comment_thread,
    drop_linked_headings,
    drop_edge_navigation,
    # After it: a footer at the very end is navigation; one with the sidebar after it is this.
    drop_after_entry_footer,
    drop_repeated_article_copy,
    # Again once a copy is gone: the reprint notice between the copies is now the last block.
    drop_footer_lines,
)


def run_pruning(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Run every pruner in order over the body blocks."""
    for pruner in PRUNERS:
        blocks = pruner(blocks, ctx)
    return blocks
