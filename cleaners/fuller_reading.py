"""Recall: another reading of the page where it holds far more of the article than the body.

Two readings are asked, neither an extraction of our own: readability's, as trafilatura's
comparison computed it, and the article text the page declares in its JSON-LD (`articleBody`),
which on pages that draw their article with scripts (a slide gallery whose captions are the
article) is the only whole copy of it.

trafilatura runs readability on nearly every page (cleaners.fallback_gate skips it only where a
length bound proves it cannot win) and replaces its own reading with readability's only by
length: when readability's text is more than twice as long. On a page whose own reading is
padded (a breadcrumb, a hero block, promotional lines, whitespace) but misses the article column,
readability's reading of that column is longer by less than twice and is thrown away, although
it holds several hundred words of prose the body does not have.

Such a reading is taken, through the same text stage as any body, when it adds the article by
prose evidence (`adds_article`): it holds at least MORE_PROSE_RATIO times the body's prose plus
MORE_PROSE_WORDS words of it (lines of PROSE_LINE_WORDS words or more, a line that nearly repeats
an earlier one counted once), and at least
NEW_TEXT_SHARE of its word sequences are not in the body, so it is another part of the page and
not the body with a sidebar. Comments and teaser runs rarely pass: readability weighs them down
by their class names, and a teaser's lines are short.

Nothing is extracted twice: readability's reading is the one trafilatura's own comparison
computed, the declared text the JSON-LD cleaners.meta has already parsed. The check of a raw
reading's words (`may_add_article`) runs first and costs one text serialisation on most pages;
the text stage runs on a reading only when that passes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import lxml.html
from lxml import etree

from cleaners.context import Block
from cleaners.second_look import PROSE_LINE_WORDS

# The reading must hold this many times the body's prose words, plus this many more.
MORE_PROSE_RATIO = 1.5
MORE_PROSE_WORDS = 100
# At least this share of the reading's 4-word sequences must be missing from the body.
NEW_TEXT_SHARE = 0.5
# HTML elements whose text is one line of the reading.
LINE_TAGS = ("p", "li", "pre", "blockquote", "td", "dd", "h2", "h3", "h4")
WORD_RE = re.compile(r"\w+")


def prose_words(lines: Sequence[str]) -> int:
    """Words in lines of PROSE_LINE_WORDS or more, each line counted once however often it comes
    back nearly the same (a gallery's captions that differ by a number are one line's prose):
    a line counts when at least half of its 4-word sequences are new."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for line in lines:
        count = len(line.split())
        if count < PROSE_LINE_WORDS:
            continue
        sequences = shingles(line)
        if len(sequences - seen) * 2 >= len(sequences):
            total += count
        seen |= sequences
    return total


def reading_lines(reading: etree._Element) -> list[str]:
    """The text of each paragraph-level element of readability's reading (an outer element's
    text includes its inner ones; the prose count is a bound, not an exact figure)."""
    return [" ".join("".join(e.itertext()).split()) for e in reading.iter(*LINE_TAGS)]


def may_add_article(reading: etree._Element | None, blocks: Sequence[Block]) -> bool:
    """True when a raw reading holds enough prose to be worth cleaning (its whole text's word
    count, one call, rules most pages out before its lines are read)."""
    if reading is None:
        return False
    needed = MORE_PROSE_RATIO * prose_words([b.text for b in blocks]) + MORE_PROSE_WORDS
    if len(etree.tostring(reading, method="text", encoding=str).split()) < needed:
        return False
    return prose_words(reading_lines(reading)) >= needed


def shingles(text: str) -> set[tuple[str, ...]]:
    """The text's lower-cased 4-word sequences."""
    tokens = WORD_RE.findall(text.lower())
    return {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}


def adds_article(blocks: Sequence[Block], reading: Sequence[Block]) -> bool:
    """True when the cleaned reading holds far more prose than the body, mostly text the body
    does not have (see the module's docstring)."""
    first = prose_words([b.text for b in blocks])
    if prose_words([b.text for b in reading]) < MORE_PROSE_RATIO * first + MORE_PROSE_WORDS:
        return False
    theirs = shingles("\n".join(b.text for b in reading))
    ours = shingles("\n".join(b.text for b in blocks))
    return bool(theirs) and len(theirs - ours) >= NEW_TEXT_SHARE * len(theirs)


def declared_reading(json_ld: Sequence[dict[str, Any]]) -> etree._Element | None:
    """The longest `articleBody` of the page's JSON-LD objects (cleaners.meta's Evidence, already
    parsed) as an element: its own markup when the text is HTML, else a <p> per line (entities
    decoded: JSON-LD often carries them escaped)."""
    bodies = [item["articleBody"] for item in json_ld if isinstance(item.get("articleBody"), str)]
    text = html.unescape(max(bodies, key=len, default=""))
    if not text.strip():
        return None
    if "<" in text and ">" in text:
        try:
            return lxml.html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            pass
    reading = etree.Element("div")
    for line in text.splitlines():
        if line.strip():
            etree.SubElement(reading, "p").text = line.strip()
    return reading
