"""Text stage: cleaners over the extracted paragraphs, after trafilatura.

Each cleaner is `(blocks, ctx) -> blocks`: it returns the blocks it keeps and records what it
dropped on `ctx`. Promo and newsletter vocabulary only acts on short lines or near the edges of
the body, so a long article paragraph that merely says "subscribe" stays.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from cleaners import vocabulary as vocab
from cleaners.context import Block, CleaningContext
from cleaners.timestamps import LEAD_ALTERNATION, MAX_TIMESTAMP_WORDS, Timestamp, parse_timestamp

TextCleaner = Callable[[list[Block], CleaningContext], list[Block]]

# An "Updated"/"Published" lead inside a line, after its date: "5 April 2013 Last updated at".
INNER_LEAD_RE = re.compile(rf"(?<=\s)(?:{LEAD_ALTERNATION})\b", re.IGNORECASE)
# Punctuation, symbols and combining accents (after NFKD): what headline comparison ignores.
NOT_WORD_RE = re.compile(r"[^\w\s]|_")
# The ASCII characters NOT_WORD_RE matches, as a str.translate table deleting them.
ASCII_NOT_WORD = {c: None for c in range(128) if NOT_WORD_RE.fullmatch(chr(c))}

# A short line: boilerplate vocabulary may act on it anywhere in the body.
SHORT_LINE_WORDS = 12
# A prompt-length line: vocabulary acts on it only at the edges of the body.
PROMPT_LINE_WORDS = 25
# A reprint notice may run to this many words (at the edges of the body).
NOTICE_LINE_WORDS = 60
# A note about the writer is looked for in this many blocks at the end of the body.
AUTHOR_NOTE_BLOCKS = 2
# How many blocks at the start (and, plus one, at the end) count as the body's edges.
EDGE_BLOCKS = 2
# A comment notice runs from its salutation to its sign-off within this many blocks.
MAX_NOTICE_BLOCKS = 8
# List items under a promo heading needed to call it a promo list (when not at the body's end).
MIN_PROMO_LIST_ITEMS = 2
# Longer lines are not headline teasers.
MAX_HEADLINE_WORDS = 20
# An <h1> or og:title longer than this is not a headline (a photo caption set in an <h1>): the
# body's copy of it is article text.
MAX_REPEATED_HEADLINE_WORDS = 30
# A paragraph this long is prose: a headline repeated below it, away from the edges, is text.
HEADLINE_PROSE_WORDS = 15
# "1. ", "12) ": a line of the article's own numbered list.
NUMBERED_LINE_RE = re.compile(r"^\s*\d{1,3}\s*[.)]\s")
# A line this much covered by one link is a headline teaser ("Headline text 3 min read").
HEADLINE_LINK_SHARE = 0.6
# A "see also" lead without its colon counts on a line at least this much link text.
INLINE_LEAD_LINK_SHARE = 0.5


# A body's blocks are counted by nearly every text cleaner and pruning step (about 900 calls a
# page, a few dozen distinct texts each asked ten times or more): each text is split once.
@lru_cache(maxsize=4096)
def words(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def normalise(text: str) -> str:
    """Lower-case, accents and quotes folded, punctuation dropped: for comparing headlines."""
    if text.isascii():  # NFKD and case folding change no ASCII text beyond lower-casing it
        return " ".join(text.lower().translate(ASCII_NOT_WORD).split())
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(NOT_WORD_RE.sub("", folded).split())


def drop(blocks: list[Block], doomed: set[int], cleaner: str, ctx: CleaningContext) -> list[Block]:
    """The blocks whose index is not in `doomed`, recording the doomed ones under `cleaner`."""
    for index in sorted(doomed):
        ctx.remove(cleaner, blocks[index].text)
    return [block for index, block in enumerate(blocks) if index not in doomed]


def near_edge(index: int, count: int) -> bool:
    """True for the first or last few blocks of the body."""
    return index < EDGE_BLOCKS or index >= count - EDGE_BLOCKS - 1


def drop_server_errors(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop lines that are only error messages of the page's server script: "Warning: Use of
    undefined constant x in /var/www/plugin.php on line 12".

    An old blog's plugin prints them into the post's container, where trafilatura's escalation
    takes them for the article; the body without them may be empty, and then the precision
    reading is looked at (cleaners.extract).
    """
    doomed = {i for i, b in enumerate(blocks) if vocab.SERVER_ERROR_RE.fullmatch(b.text)}
    return drop(blocks, doomed, "drop_server_errors", ctx)


def drop_outlet_patterns(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop paragraphs matching the outlet's `drop_patterns`, e.g. r"^Follow Example on X"."""
    patterns = ctx.rules.compiled_patterns
    doomed = {i for i, b in enumerate(blocks) if any(p.search(b.text) for p in patterns)}
    return drop(blocks, doomed, "drop_outlet_patterns", ctx)


def mentions_comments(text: str) -> bool:
    """True when the text talks about comments or a comment system."""
    lowered = text.lower()
    return any(w in lowered for w in vocab.COMMENT_NOTICE_WORDS) or any(
        name in lowered for name in vocab.COMMENT_SYSTEM_NAMES
    )


def drop_comment_notices(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a comment-system notice, from its salutation through its sign-off, as one block.

    Removes "Dear readers and commenters, / We have implemented a new engine for our comment
    section. ... / Sorry for the inconvenience, ... / RT Team."
    """
    doomed: set[int] = set()
    for start, block in enumerate(blocks):
        if not block.text.lower().startswith(vocab.COMMENT_NOTICE_OPENINGS):
            continue
        end = min(len(blocks), start + MAX_NOTICE_BLOCKS)
        run = range(start, end)
        sign_off = next((i for i in run if vocab.SIGN_OFF_RE.match(blocks[i].text.strip())), None)
        last = sign_off if sign_off is not None else start
        if sign_off is None:
            # No sign-off: the notice runs while its paragraphs keep talking about comments.
            for i in range(start + 1, end):
                if not mentions_comments(blocks[i].text):
                    break
                last = i
        if any(mentions_comments(blocks[i].text) for i in range(start, last + 1)):
            doomed.update(range(start, last + 1))
    return drop(blocks, doomed, "drop_comment_notices", ctx)


# A promo heading is one of vocab.PROMO_HEADINGS, or starts with one and a space.
PROMO_HEADING_SET = frozenset(vocab.PROMO_HEADINGS)
PROMO_HEADING_PREFIXES = tuple(f"{heading} " for heading in vocab.PROMO_HEADINGS)


def is_promo_heading(block: Block) -> bool:
    """True for a short heading such as "More Must-Reads from TIME" or "Lesen Sie auch"."""
    if words(block.text) > SHORT_LINE_WORDS:
        return False
    text = normalise_heading(block.text)
    return text in PROMO_HEADING_SET or text.startswith(PROMO_HEADING_PREFIXES)


def normalise_heading(text: str) -> str:
    """Lower-case heading text without trailing colon, dots or arrows."""
    return " ".join(text.lower().split()).rstrip(" :.»>→…")


def is_headline_link(block: Block, ctx: CleaningContext) -> bool:
    """True for a short list item or line that is a link of the page: a headline teaser.

    A list item of plain text ("Moving a studio costs about $465.") under a heading that reads
    like a promo one is the article's own list: teasers are links.
    """
    if words(block.text) > MAX_HEADLINE_WORDS:
        return False
    if ctx.link_share(block.text) >= HEADLINE_LINK_SHARE:
        return True
    return block.kind == "item" and block.link_share >= HEADLINE_LINK_SHARE


def drop_promo_lists(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a "more reads" heading together with the headline links listed under it.

    Removes "More Must-Reads from TIME" and the eight headline links under it, wherever they sit.
    """
    doomed: set[int] = set()
    for start, block in enumerate(blocks):
        if not is_promo_heading(block):
            continue
        end = start + 1
        while end < len(blocks) and is_headline_link(blocks[end], ctx):
            end += 1
        has_list = end - start - 1 >= MIN_PROMO_LIST_ITEMS
        at_end = end == len(blocks)
        # A heading over list items of plain text heads the article's own list ("Related costs
        # to plan for" over the costs): not a promo block.
        if end == start + 1 and not at_end and blocks[end].kind == "item":
            continue
        # trafilatura often drops the link list as link-dense but keeps its heading: a heading of
        # the promo vocabulary on its own is still the promo block's remains.
        if has_list or at_end or block.kind == "heading" or ctx.link_share(block.text) == 1.0:
            doomed.update(range(start, end))
    return drop(blocks, doomed, "drop_promo_lists", ctx)


def is_inline_link_lead(block: Block) -> bool:
    """True for a short line opening with a "see also" lead: "READ MORE: Headline".

    A lead without its colon ("Also on ...", "Read more at ...") also opens sentences ("Also on
    Tuesday, a judge ordered ..."): it counts only before a site name or a mostly linked line.
    """
    # "Lire aussi : ..." (French spacing) reads as "lire aussi: ...".
    lowered = block.text.lower().replace(" :", ":", 1)
    if words(block.text) > PROMPT_LINE_WORDS or not lowered.startswith(vocab.INLINE_LINK_LEADS):
        return False
    lead = next(lead for lead in vocab.INLINE_LINK_LEADS if lowered.startswith(lead))
    if lead.rstrip().endswith(":"):
        return True
    site = lowered[len(lead) :].split()[:1]
    return block.link_share >= INLINE_LEAD_LINK_SHARE or any("." in w.strip(".,") for w in site)


def drop_inline_link_leads(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop inline teaser links: "Also on rt.com Some other story", "READ MORE: Headline".

    A bare lead over a list of headline links ("Zum Weiterlesen:") is a promo heading: it is left
    to drop_promo_lists, which takes the links under it too.
    """
    doomed = {
        i
        for i, b in enumerate(blocks)
        if is_inline_link_lead(b)
        and not (
            is_promo_heading(b) and i + 1 < len(blocks) and is_headline_link(blocks[i + 1], ctx)
        )
    }
    return drop(blocks, doomed, "drop_inline_link_leads", ctx)


FURNITURE_LABEL_SET = frozenset(vocab.FURNITURE_LABELS)
# Around a label: punctuation, arrows and bullets ("Print »", "“Start Quote", "Loading...").
LABEL_TRIM = " \t.:;,!?…»«›‹→←>|•·*-–—\"'“”‘’()[]"


def is_furniture_label(text: str) -> bool:
    """True for a line that is only a label of page furniture: "ADVERTISEMENT", "Font:", or a
    page header's read time ("4 min read")."""
    if len(text) > 40:
        return False
    label = " ".join(text.lower().strip(LABEL_TRIM).split())
    return label in FURNITURE_LABEL_SET or bool(vocab.READ_TIME_RE.match(label))


# A table of contents lists at least this many of the body's own headings.
MIN_TOC_ITEMS = 2


def drop_table_of_contents(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a table of contents: a run of list items that repeat the body's later headings.

    Removes the "1. Shelter and sleeping", "2. Cooking and water" items above the article
    whose headings they name; a list whose items are not all headings of the body stays.
    """
    doomed: set[int] = set()
    # The headings' keys with their positions, read at the first list (not again for each).
    headings: list[tuple[int, str]] | None = None
    index = 0
    while index < len(blocks):
        if blocks[index].kind != "item":
            index += 1
            continue
        end = index
        while end < len(blocks) and blocks[end].kind == "item":
            end += 1
        if headings is None:
            headings = [(i, toc_key(b.text)) for i, b in enumerate(blocks) if b.kind == "heading"]
        later = {key for position, key in headings if position >= end}
        run = range(index, end)
        if len(run) >= MIN_TOC_ITEMS and all(toc_key(blocks[i].text) in later for i in run):
            doomed.update(run)
        index = end
    return drop(blocks, doomed, "drop_table_of_contents", ctx)


def toc_key(text: str) -> str:
    """A heading's or contents entry's words without a leading section number ("2.1 ")."""
    return normalise(TOC_NUMBER_RE.sub("", text))


TOC_NUMBER_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[ivx]+\.)\s+", re.IGNORECASE)


# A picture credit is a short line: longer ones are captions that tell part of the story.
MAX_CREDIT_WORDS = 12


def drop_credit_lines(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop picture credits standing as lines of their own: "Photo: Jane Doe/AFP", "Foto: dpa".

    A longer line opening the same way ("Photo: firefighters ... on Tuesday, as the ...") is a
    caption and stays.
    """
    doomed = {
        i
        for i, b in enumerate(blocks)
        if words(b.text) <= MAX_CREDIT_WORDS and vocab.CREDIT_LINE_RE.match(b.text)
    }
    return drop(blocks, doomed, "drop_credit_lines", ctx)


def drop_furniture_labels(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop lines that are only a label of page furniture: "Advertisement", "Loading Slideshow".

    Ad slots, slideshow widgets, font-size and print buttons leave their label behind as a line
    of its own; the same word inside a sentence stays.
    """
    doomed = {i for i, b in enumerate(blocks) if is_furniture_label(b.text)}
    return drop(blocks, doomed, "drop_furniture_labels", ctx)


def drop_share_prompts(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop share prompts: "Like this story? Share it with a friend!"."""
    doomed = {
        i
        for i, b in enumerate(blocks)
        if words(b.text) <= SHORT_LINE_WORDS
        and any(p in b.text.lower() for p in vocab.SHARE_PROMPTS)
    }
    return drop(blocks, doomed, "drop_share_prompts", ctx)


def is_newsletter_prompt(text: str) -> bool:
    """True for a line that starts with a subscribe/follow call or holds a clear prompt."""
    lowered = text.lower().lstrip(" \t*•►▶→>-–—")
    return (
        lowered.startswith(vocab.NEWSLETTER_LEADS)
        or any(prompt in lowered for prompt in vocab.NEWSLETTER_PROMPTS)
        or bool(vocab.FOLLOW_ON_RE.search(lowered))
    )


def drop_newsletter_lines(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop newsletter, subscribe and follow-us lines: "Sign up for our newsletter".

    Only short lines qualify, or lines of a prompt's length at the edges of the body.
    """
    doomed = set()
    for i, b in enumerate(blocks):
        count = words(b.text)
        if count > PROMPT_LINE_WORDS or (
            count > SHORT_LINE_WORDS and not near_edge(i, len(blocks))
        ):
            continue
        if is_newsletter_prompt(b.text):
            doomed.add(i)
    return drop(blocks, doomed, "drop_newsletter_lines", ctx)


def drop_footer_lines(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop contact, copyright and reprint lines: "Contact us at letters@time.com", "© 2024 ...".

    A reprint or print-edition notice ("This copy is for your personal, non-commercial use only.
    ...") may run longer, but only at the edges of the body.
    """
    doomed = set()
    for i, b in enumerate(blocks):
        count = words(b.text)
        lowered = b.text.lower().strip()
        if count <= NOTICE_LINE_WORDS and near_edge(i, len(blocks)):
            if any(notice in lowered for notice in vocab.REPRINT_NOTICES):
                doomed.add(i)
                continue
        if count > PROMPT_LINE_WORDS:
            continue
        if (
            lowered.startswith(vocab.CONTACT_LEADS)
            or vocab.COPYRIGHT_RE.match(lowered)
            or any(p in lowered for p in vocab.ALL_RIGHTS_RESERVED)
        ):
            doomed.add(i)
    return drop(blocks, doomed, "drop_footer_lines", ctx)


def drop_disclosure_lines(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop affiliate and sponsorship disclosures: "This post contains affiliate links, which means
    we may earn a small commission if you buy through them."

    Anywhere in the body (outlets set them above the article, under it, or before a product
    list), but only a notice's length; a paragraph that names the model in passing stays.
    """
    doomed = {
        i
        for i, b in enumerate(blocks)
        if words(b.text) <= NOTICE_LINE_WORDS and is_disclosure(b.text)
    }
    return drop(blocks, doomed, "drop_disclosure_lines", ctx)


# Every alternative of vocab.DISCLOSURE_RE holds one of these words (lower case): a line holding
# none of them, lower-cased, cannot match it, and the long alternation is not run on it.
DISCLOSURE_WORDS = (
    "affiliat", "commission", "sponsored", "amazon", "qualifying", "compensated", "provision",
    "liens", "enlaces", "comisi", "партн",
)
# Characters the regex's case-insensitive matching takes for a letter of those words that
# lower-casing does not turn into it (dotless i, long s, old Cyrillic letter forms), and the dot
# that "İ" leaves after its "i" once lower-cased: a line holding one gets the regex itself.
DISCLOSURE_CASE_ODDITIES = (
    "\u0307", "\u0131", "\u017f", "\u1c81", "\u1c82", "\u1c83", "\u1c84", "\u1c85",
)


def is_disclosure(text: str) -> bool:
    """`vocab.DISCLOSURE_RE.search(text)`, the regex run only on lines holding one of its words."""
    lowered = text.lower()
    if not any(word in lowered for word in DISCLOSURE_WORDS) and not any(
        odd in lowered for odd in DISCLOSURE_CASE_ODDITIES
    ):
        return False
    return vocab.DISCLOSURE_RE.search(text) is not None


def drop_repeated_headline(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop the headline where it repeats in the body: "Putin to Obama: Use your influence ..."."""
    headlines = {
        normalise(h)
        for h in (ctx.title, *ctx.headlines)
        if h and words(h) <= MAX_REPEATED_HEADLINE_WORDS
    }
    headlines.discard("")
    if not headlines:
        return blocks
    # Normalising drops only punctuation and spacing: a block much longer than every headline
    # cannot be one, and skipping it keeps this cheap on long bodies.
    longest = 2 * max(len(h) for h in headlines) + 10
    # Above the first paragraph of prose or at the body's edges a matching line is the headline;
    # between paragraphs it is the article's own line ("New York Times Magazine" in a list of
    # credits) that a page heading happens to repeat.
    first_prose = next(
        (i for i, b in enumerate(blocks) if words(b.text) >= HEADLINE_PROSE_WORDS), len(blocks)
    )
    doomed = {
        i
        for i, b in enumerate(blocks)
        if len(b.text) <= longest
        and (i <= first_prose or near_edge(i, len(blocks)))
        and normalise(b.text) in headlines
    }
    return drop(blocks, doomed, "drop_repeated_headline", ctx)


def line_timestamp(text: str) -> Timestamp | None:
    """The timestamp of a dateline, also when its date comes before the lead word.

    "5 April 2013 Last updated at 10:08 GMT" is read as "Last updated 5 April 2013 at 10:08 GMT".
    """
    # Too long for a dateline, also once reordered (which never takes words away): no need to
    # scan a long paragraph for an inner lead word.
    if len(text.split()) > MAX_TIMESTAMP_WORDS:
        return None
    stamp = parse_timestamp(text)
    if stamp is not None:
        return stamp
    inner = INNER_LEAD_RE.search(text)
    if inner is None or not inner.start():
        return None
    before, lead, after = text[: inner.start()], inner.group(0), text[inner.end() :]
    return parse_timestamp(f"{lead} {before} {after}")


def drop_timestamp_lines(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop dateline/timestamp lines, keeping their date as metadata when the page had none.

    Removes "Updated: April 14, 2014, 10:21 p.m. E.T." and sets `updated` to 2014-04-14T22:21.
    """
    doomed = set()
    for i, b in enumerate(blocks):
        stamp = line_timestamp(b.text)
        if stamp is None:
            continue
        doomed.add(i)
        if stamp.kind == "updated" and ctx.updated is None:
            ctx.updated = stamp.iso
        elif stamp.kind == "published" and ctx.published is None:
            ctx.published = stamp.iso
    return drop(blocks, doomed, "drop_timestamp_lines", ctx)


def is_teaser_line(block: Block, ctx: CleaningContext) -> bool:
    """True for a list item or a line that is one of the site's headline links, unnumbered.

    A numbered line ("1. Owls of the British Isles wallpaper") belongs to the article's own list.
    """
    if block.kind not in ("item", "p") or words(block.text) > MAX_HEADLINE_WORDS:
        return False
    if block.kind == "p" and NUMBERED_LINE_RE.match(block.text):
        return False
    return ctx.link_share(block.text) >= HEADLINE_LINK_SHARE


def drop_trailing_link_lists(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a run of headline links closing the body with no heading left above it.

    Removes e.g. three or more "<li><a>Other headline</a></li>" teasers, or the same links set as
    lines of their own ("<p><a>Hurricane Sandy Is Here</a></p>"), after the last paragraph.
    """
    start = len(blocks)
    while start > 0 and is_teaser_line(blocks[start - 1], ctx):
        start -= 1
    if len(blocks) - start < 3 or start == 0:
        return blocks
    return drop(blocks, set(range(start, len(blocks))), "drop_trailing_link_lists", ctx)


def is_author_note(text: str) -> bool:
    """True for a note about the writer: "Jane Doe is a senior staff writer for Example News."."""
    if words(text) > NOTICE_LINE_WORDS:
        return False
    return text.lower().startswith(vocab.AUTHOR_NOTE_LEADS) or bool(
        vocab.AUTHOR_NOTE_RE.match(text.strip())
    )


def drop_author_notes(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Drop a note about the writer closing the body.

    Removes "Robert Doe is a writer based in Austin, Texas, where he covers Latin America." and
    "About the Author: ..." in the last two blocks; the same sentence higher up is article text.
    """
    doomed = {
        i
        for i in range(max(1, len(blocks) - AUTHOR_NOTE_BLOCKS), len(blocks))
        if is_author_note(blocks[i].text)
    }
    return drop(blocks, doomed, "drop_author_notes", ctx)


TEXT_CLEANERS: tuple[TextCleaner, ...] = (
    drop_server_errors,
    drop_outlet_patterns,
    drop_comment_notices,
    drop_footer_lines,
    drop_disclosure_lines,
    drop_share_prompts,
    drop_furniture_labels,
    drop_credit_lines,
    drop_newsletter_lines,
    drop_inline_link_leads,
    drop_timestamp_lines,
    drop_author_notes,
    drop_table_of_contents,
    # After the line cleaners, so a promo heading left alone at the end of the body is seen there.
    drop_promo_lists,
    drop_trailing_link_lists,
    drop_repeated_headline,
)


def with_link_shares(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """The blocks with `link_share` filled from the page's links."""
    # Block's constructor, not dataclasses.replace: a few times faster on every block of the body.
    return [Block(b.text, b.kind, ctx.block_link_share(b.text)) for b in blocks]


def run_text_stage(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """Run every text cleaner in order over the extracted blocks (link shares filled first)."""
    blocks = with_link_shares(blocks, ctx)
    for cleaner in TEXT_CLEANERS:
        blocks = cleaner(blocks, ctx)
    return blocks
