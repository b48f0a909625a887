"""The article's own headline, without the site's name, section or outlet affixes.

Evidence weighed: the visible `<h1>`s, `og:title`/`twitter:title`, the JSON-LD headline and the
`<title>`. Site-name affixes (" - Site", " | Site", "Site: ") are recognised from `og:site_name`,
`application-name`, the JSON-LD publisher's and website's names, the host name and what the
outlet's other pages share (`learned_title_affixes`), never from a fixed list; an `<h1>` that
is a title's leading name ("Name: Headline") is the blog's banner. Where the sources disagree,
the headline is the one most of the others agree with; the visible `<h1>` wins ties, being what
a reader sees as the headline, read in the lines it shows (a line the declared titles agree with
better than the whole is the headline, the others a subtitle or a kicker). A sentence set as a
title (a dek or a description, ending in a full stop) gives way to a declared headline that is
not the same text (`without_sentences`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from cleaners.meta.evidence import Evidence, squash, types_of

# Separators between a headline and its affixes: spaced dashes, bars, bullets, guillemets.
SEPARATOR_RE = re.compile(r"\s+(?:[-–—|·•»:/~]|::|\|\|)\s+|\s*\|\s*")
# A "Site: Headline" prefix (a colon without a space before it).
COLON_PREFIX_RE = re.compile(r"^([^:]{2,40}):\s+(?=\S)")
# A host name before the headline with no separator ("example.com Vibe coding").
HOST_PREFIX_RE = re.compile(r"^((?:[\w-]+\.)+[a-z]{2,})\s+(?=\S)", re.IGNORECASE)
WORD_RE = re.compile(r"\w+")
BAR_RE = re.compile(r"\s*\|\s*")
# The part before a bar is the headline when it has at least this many words.
BAR_HEAD_MIN_WORDS = 4
# A label before a bar ("Opinion | ...", "Local News | ...") has at most this many words.
LABEL_MAX_WORDS = 2
# UTF-8 bytes read as Latin-1 ("Investorâ\x80\x99s", "JOHNSONÂ®").
MOJIBAKE_RE = re.compile("[ÂÃâ][\x80-\xbf]")
# What a heading may carry besides the headline, in normalised words: a whole dateline ("dec 18
# 2025", "posted on july 1 2024 by jane"), or a byline ("by jane doe"). A year alone ("2025
# Price Guide") or "by" inside the headline ("Room-by-Room", "Reviewed by a Student") is none.
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
DAY_DATE = (
    rf"(?:{MONTH} \d{{1,2}}(?:st|nd|rd|th)? |\d{{1,2}} {MONTH} |\d{{1,2}} \d{{1,2}} )(?:19|20)\d\d"
    r"|(?:19|20)\d\d \d{1,2} \d{1,2}"
)
BYLINE_WORDS = r"(?:(?:posted|written) )?by(?: \w+){1,4}"
# A clock time after a date ("at 02 56am ist").
CLOCK = r"(?: at)? \d{1,2} \d{2}(?:am|pm)?(?: (?:am|pm))?(?: [a-z]{2,4})?"
# Up to three words (a section: "world", "politics news") may lead "updated"/"posted".
DATELINE_RE = re.compile(
    rf"(?:(?:\w+ ){{0,3}}(?:posted|published|updated)(?: on)? )?(?:{DAY_DATE})(?:{CLOCK})?"
    rf"(?: {BYLINE_WORDS})?|{BYLINE_WORDS}(?: on (?:{DAY_DATE})(?:{CLOCK})?)?"
)
# Host labels that name no site ("www", the top-level domains of common hosts).
HOST_NOISE = frozenset({
    "www", "com", "org", "net", "co", "uk", "de", "fr", "es", "ru", "io", "info", "blog", "news",
    "edu", "gov", "ai", "us", "au", "ca", "in", "it", "nl", "me", "app", "dev", "tv", "eu",
})  # fmt: skip
# A site segment holds at most this many words (a longer one is a headline part).
SITE_SEGMENT_MAX_WORDS = 8
# A segment holding a site name is the site's when the name is this share of it ("The Times of
# India" holds "timesofindia").
SITE_SHARE = 0.7
# Two texts agree when this share of the shorter one's words is in the longer one.
AGREEMENT_SHARE = 0.6
# An outlet's title affix is learned when it ends (or starts) this share of its titles.
LEARNED_AFFIX_SHARE = 0.5
LEARNED_AFFIX_MIN_TITLES = 3
# An <h1> of this many words or fewer that no other source agrees with is page furniture
# ("Menu", "Our Blog") rather than the headline.
FURNITURE_MAX_WORDS = 3
# An <h1> is the headline when it shares at least this agreement with a declared title.
H1_MIN_AGREEMENT = 0.3
# ... and a heading of FURNITURE_MAX_WORDS words or fewer ("Homeowners insurance tips" over
# "Finding the right home insurance policy") needs this much.
SHORT_H1_MIN_AGREEMENT = 0.5
# A heading of more words is a paragraph set large (an introduction), not a headline.
HEADLINE_MAX_WORDS = 30
# A question mark inside a heading, before a word: a character the page's encoding lost
# ("Beginner? Guide" for "Beginner's Guide"), when no declared title asks a question.
LOST_CHARACTER_RE = re.compile(r"\w\?\s*\w")
# A title cut short: an unclosed bracket, or an ellipsis at its end.
TRUNCATED_RE = re.compile(r"[(\[][^)\]]*$|(?:…|\.\.\.)$")
# A line of a two-line <h1> is its headline when a declared title agrees with it at least this
# much, and more than with the whole <h1> (the other line is a subtitle or a kicker).
LINE_MIN_AGREEMENT = 0.6
# A text that ends in a full stop after a lower-case word ("Here are the six types of HR
# outsourcing.", "... these 10 travel hacks ."): a sentence, a description set as a title.
SENTENCE_END_RE = re.compile(r"\b[a-z]{2,}\s*\.$")
# A declared title gives an all-capital <h1> its casing when their words match in this order
# (difflib's ratio: "BEST MAKERS IN 2026" and "Best Makers 2026", not a reordered title).
CASING_MIN_AGREEMENT = 0.8


def normalised_words(text: str) -> list[str]:
    """NFKC, lower-cased `\\w+` runs of a text."""
    return WORD_RE.findall(unicodedata.normalize("NFKC", text).lower())


def compact(text: str) -> str:
    """A text's words run together ("Move.org" -> "moveorg"), to compare site names."""
    return "".join(normalised_words(text))


def host_names(host: str) -> list[str]:
    """The labels of a host name that can name its site ("blog.example-news.co.uk" ->
    ["examplenews"])."""
    labels = [compact(label) for label in host.lower().split(".")]
    named = [label for label in labels if len(label) >= 3 and label not in HOST_NOISE]
    return [*named, compact(host.removeprefix("www."))] if named else []


def site_names(evidence: Evidence, extra: Iterable[str] = ()) -> list[str]:
    """Compact forms of every name the page gives its site (og:site_name, application-name,
    JSON-LD publisher and website names, the host's labels) and of `extra` names."""
    meta = evidence.meta
    names = [
        meta.get(key, "")
        for key in ("og:site_name", "application-name", "apple-mobile-web-app-title",
                    "twitter:site", "publisher", "copyright")
    ]  # fmt: skip
    for item in evidence.json_ld:
        kinds = types_of(item)
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(publisher["name"])
        if kinds & {"website", "organization", "newsmediaorganization", "corporation"}:
            if isinstance(item.get("name"), str):
                names.append(item["name"])
    names.extend(extra)
    found = [compact(html.unescape(name).lstrip("@")) for name in names if name]
    found.extend(host_names(evidence.host))
    return [name for name in dict.fromkeys(found) if len(name) >= 3]


def affixes_declared_apart(titles: Sequence[str]) -> list[str]:
    """Leading or trailing title parts another declared title goes without ("Harbour Notes:
    Dredging starts" beside an og:title "Dredging starts"): the site's or the blog's name."""
    wholes = {compact(title) for title in titles}
    found = []
    for title in titles:
        segments = split_segments(title)
        pieces = [(segments[0], segments[1:]), (segments[-1], segments[:-1])]
        match = COLON_PREFIX_RE.match(title)
        if match:
            pieces.append((match.group(1), [title[match.end() :]]))
        for affix, rest in pieces:
            if rest and compact("".join(rest)) in wholes:
                found.append(affix)
    return found


def colon_prefixes(titles: Sequence[str]) -> list[str]:
    """The "Name" of declared titles "Name: a longer headline" (in words of letters: a date
    after the colon is no headline)."""
    found = []
    for title in titles:
        match = COLON_PREFIX_RE.match(title)
        if match and letter_words(title[match.end() :]) > letter_words(match.group(1)):
            found.append(match.group(1))
    return found


def letter_words(text: str) -> int:
    """How many of a text's words hold a letter."""
    return sum(1 for word in normalised_words(text) if not word.isdigit())


def heading_site_names(found: Sequence[tuple[str, str]]) -> list[str]:
    """<h1> texts that are a part one declared title has and another goes without ("Harbour
    Notes" over a <title> "Harbour Notes - Dredging starts" and an og:title "Dredging starts"),
    or the name before a colon and a longer headline ("Harbour Notes: Dredging starts in May"):
    the blog's or the site's name set as a heading (its banner), not the headline."""
    headings = {compact(text) for source, text in found if source == "h1"}
    declared = [text for source, text in found if source != "h1"]
    apart = affixes_declared_apart(declared) + colon_prefixes(declared)
    return [affix for affix in apart if compact(affix) in headings]


def is_site_segment(segment: str, sites: Sequence[str]) -> bool:
    """True when a title segment names the site ("Move.org", "The Motley Fool", "Splunk")."""
    words = normalised_words(segment)
    if not words or len(words) > SITE_SEGMENT_MAX_WORDS:
        return False
    text = "".join(words)
    for site in sites:
        if text == site:
            return True
        if len(text) >= 4 and text in site:
            return True
        if site in text and len(site) >= SITE_SHARE * len(text):
            return True
    return False


def split_segments(title: str) -> list[str]:
    """A title cut at its separators ("Headline | Section | Site" -> three segments)."""
    return [part for part in SEPARATOR_RE.split(title) if part.strip()]


def strip_site_affixes(title: str, sites: Sequence[str], affixes: Sequence[str] = ()) -> str:
    """The title without leading and trailing segments that name the site or that the outlet's
    other titles share ("Machine learning, explained | MIT Sloan" -> "Machine learning,
    explained")."""
    title = squash(title)
    learned = {compact(affix) for affix in affixes}
    segments = split_segments(title)

    def is_affix(segment: str) -> bool:
        return compact(segment) in learned or is_site_segment(segment, sites)

    while len(segments) > 1 and is_affix(segments[-1]):
        segments.pop()
    while len(segments) > 1 and is_affix(segments[0]):
        segments.pop(0)
    if len(segments) == len(split_segments(title)):
        for prefix_re in (COLON_PREFIX_RE, HOST_PREFIX_RE):
            match = prefix_re.match(title)
            if match and (compact(match.group(1)) in learned or compact(match.group(1)) in sites):
                return title[match.end() :].strip()
        return title
    # Keep the page's own wording between the kept segments (their separators).
    start = title.find(segments[0])
    end = title.rfind(segments[-1]) + len(segments[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(segments)


def agreement(first: str, second: str) -> float:
    """How far two titles agree: 1.0 equal, else the share of the shorter's words in the
    longer."""
    a, b = normalised_words(first), normalised_words(second)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    shorter, longer = sorted((a, b), key=len)
    pool = Counter(longer)
    shared = sum(min(count, pool[word]) for word, count in Counter(shorter).items())
    return shared / len(shorter) * min(1.0, 2 * len(shorter) / len(longer))


def readable(text: str) -> str:
    """A title as the page meant it: entities escaped twice resolved ("SQL &#x26; AI"), and
    UTF-8 bytes that were read as Latin-1 read again ("Investorâ\x80\x99s" -> "Investor’s")."""
    text = html.unescape(text)
    if MOJIBAKE_RE.search(text):
        try:
            return text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return text
    return text


def candidate_titles(evidence: Evidence) -> list[tuple[str, str]]:
    """(source, text) of every headline the page declares, in order of trust for ties."""
    found: list[tuple[str, str]] = []
    found.extend(("h1", readable(text)) for text in evidence.h1s)
    main = evidence.main_item() or {}
    for key in ("headline", "name"):
        value = main.get(key)
        if isinstance(value, str) and value.strip():
            found.append(("jsonld", squash(readable(value))))
            break
    for key in ("og:title", "twitter:title"):
        if evidence.meta.get(key):
            found.append(("meta", squash(readable(evidence.meta[key]))))
    if evidence.title:
        found.append(("title", readable(evidence.title)))
    return [(source, text) for source, text in found if text]


def choose_title(
    evidence: Evidence, fallback: str | None = None, affixes: Sequence[str] = ()
) -> str | None:
    """The article's headline by agreement of its sources, without site affixes and without
    what follows a bar."""
    title = agreed_title(evidence, fallback, affixes)
    return headline_before_bar(title) if title else title


def headline_before_bar(title: str) -> str:
    """The headline before a vertical bar ("Best movers in 2025 | Top 19 Companies"): a bar
    parts a headline from a section, a tagline or a site that was not recognised, and is
    seldom part of a headline. A short first part before a headline ("Opinion | Why the ferry
    must stay") is a section's or a site's label, and goes."""
    parts = BAR_RE.split(title, maxsplit=1)
    head = parts[0].strip()
    if head != title and len(normalised_words(head)) >= BAR_HEAD_MIN_WORDS:
        return head
    if len(parts) == 2 and is_label(head) and len(normalised_words(parts[1])) >= BAR_HEAD_MIN_WORDS:
        return headline_before_bar(parts[1].strip())
    return title


def is_label(text: str) -> bool:
    """True for a section's or a site's label: one or two words, no separator of its own."""
    return len(normalised_words(text)) <= LABEL_MAX_WORDS and len(split_segments(text)) == 1


def agreed_title(
    evidence: Evidence, fallback: str | None = None, affixes: Sequence[str] = ()
) -> str | None:
    """The article's headline by agreement of its sources, without site affixes."""
    found = candidate_titles(evidence)
    sites = site_names(evidence, heading_site_names(found))
    candidates = []
    for source, text in found:
        clean = strip_site_affixes(text, sites, affixes)
        if clean and not is_site_segment(clean, sites):
            candidates.append((source, clean))
    if not candidates:
        if fallback:
            return strip_site_affixes(fallback, sites, affixes) or fallback
        return None
    candidates = without_sentences(candidates)
    # The visible headline: the <h1> that agrees best with the declared titles, taken when it
    # shares enough of their words (a rewritten SEO title still does; a logo, a section label
    # or "Menu" does not), or when the page declares no other title.
    declared = [text for source, text in candidates if source != "h1"]
    headings = [text for source, text in candidates if source == "h1"]
    if headings:
        scored = [
            (max((agreement(text, other) for other in declared), default=0.0), -index, text)
            for index, text in enumerate(headings)
        ]
        support, _, heading = max(scored)
        if is_headline(heading, support, bool(declared)):
            lines = heading_lines(evidence, heading)
            return as_declared(
                shortest_agreeing(headline_line(heading, lines, declared), declared), declared
            )
    if not declared:  # only short headings no other title backs: the best guess there is
        return strip_site_affixes(fallback, sites, affixes) if fallback else headings[0]
    best: tuple[float, int, str] | None = None
    for index, text in enumerate(declared):
        support = sum(
            agreement(text, other)
            for other_index, other in enumerate(declared)
            if other_index != index
        )
        rank = (support, -index, text)
        if best is None or rank > best:
            best = rank
    return untruncated(best[2] if best else declared[0], declared)


def without_sentences(candidates: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The candidates without those that are sentences (`SENTENCE_END_RE`: a headline ends in
    no full stop, a dek or a description set as a title does), when a declared title longer
    than furniture remains to be the headline and none of the rest is the sentence itself
    with an affix ("Gone fishing. Back soon. « Site": a blog's headline that is a sentence);
    else all of them."""
    sentences = [text for _source, text in candidates if SENTENCE_END_RE.search(text)]
    kept = [(source, text) for source, text in candidates if text not in sentences]
    if any(agreement(text, other) >= AGREEMENT_SHARE for text in sentences for _, other in kept):
        return candidates
    if any(
        source != "h1" and len(normalised_words(text)) > FURNITURE_MAX_WORDS
        for source, text in kept
    ):
        return kept
    return candidates


def is_headline(heading: str, support: float, declared: bool) -> bool:
    """True when an <h1> backed by `support` (its agreement with the best declared title) is
    the headline: a short one ("Menu", "Our blog", "Homeowners insurance tips") needs more
    backing than a longer one, a paragraph set as a heading is none, and without declared
    titles any heading longer than furniture is the best there is."""
    words = len(normalised_words(heading))
    if not declared:
        return words > FURNITURE_MAX_WORDS
    if words > HEADLINE_MAX_WORDS:
        return False
    return support >= (SHORT_H1_MIN_AGREEMENT if words <= FURNITURE_MAX_WORDS else H1_MIN_AGREEMENT)


def untruncated(title: str, declared: Sequence[str]) -> str:
    """The whole of a declared title cut short ("... Solutions (Including", "... and…"): the
    longest other declared title that begins with its words."""
    if not TRUNCATED_RE.search(title):
        return title
    words = " ".join(normalised_words(title))
    longer = [
        other
        for other in declared
        if " ".join(normalised_words(other)).startswith(words) and len(other) > len(title)
    ]
    return max(longer, key=len) if longer else title


def heading_lines(evidence: Evidence, heading: str) -> tuple[str, ...]:
    """The lines the page shows of an <h1> (`Evidence.h1_lines`), or the heading as one."""
    for text, lines in zip(evidence.h1s, evidence.h1_lines, strict=False):
        if readable(text) == heading or heading in readable(text):
            return tuple(readable(line) for line in lines)
    return (heading,)


def headline_line(heading: str, lines: Sequence[str], declared: Sequence[str]) -> str:
    """The headline of an <h1> shown on two or more lines: where a declared title agrees with
    one line more than with the whole ("Top Schools of 2025<br>Your guide to ..."), the other
    lines are a subtitle or a kicker, and the headline is that line when it is a part of the
    declared title (its other parts are affixes), else the declared title, the outlet's own
    wording of it. A heading set on several lines for display agrees best as a whole."""
    if len(lines) < 2 or not declared:
        return heading
    whole = max(agreement(heading, other) for other in declared)
    support, line, other = max(
        ((agreement(line, other), line, other) for line in lines for other in declared),
        key=lambda found: found[0],
    )
    if support < LINE_MIN_AGREEMENT or support <= whole:
        return heading
    if compact(line) in {compact(part) for part in split_segments(other)}:
        return line
    return other


def as_declared(heading: str, declared: Sequence[str]) -> str:
    """An <h1> set in capitals for display ("BEST COFFEE MAKERS OF 2026"), or with question
    marks standing for characters its encoding lost ("Beginner? Guide"), as the declared title
    that has its words in order writes it: the headline as written."""
    lost = LOST_CHARACTER_RE.search(heading) and not any("?" in other for other in declared)
    if not (heading.isupper() or lost) or not declared:
        return heading
    words = normalised_words(heading)
    support, other = max(
        (SequenceMatcher(None, words, normalised_words(other)).ratio(), other) for other in declared
    )
    return other if support >= CASING_MIN_AGREEMENT else heading


def shortest_agreeing(chosen: str, others: Sequence[str]) -> str:
    """A declared title that `chosen` extends only by a dateline or a byline ("Dec 18 2025
    Preparing a transition" -> "Preparing a transition"), else `chosen`."""
    words = " ".join(normalised_words(chosen))
    for other in others:
        other_words = " ".join(normalised_words(other))
        if not other_words or other_words == words or other_words not in words:
            continue
        before, after = (part.strip() for part in words.split(other_words, 1))
        if all(DATELINE_RE.fullmatch(part) for part in (before, after) if part):
            return other
    return chosen


# The text of the block that stands for a title affix in an outlet's learned profile.
TITLE_AFFIX_LABEL = "title affix: "


def title_affix_candidates(title: str) -> list[str]:
    """The first and last segments of a page title: what an outlet's titles may share."""
    segments = split_segments(squash(title))
    if len(segments) < 2:
        return []
    return list(dict.fromkeys((segments[0], segments[-1])))


def learned_title_affixes(profile: object | None) -> tuple[str, ...]:
    """The title affixes an outlet's learned profile holds: the leading or trailing title
    segments counted on at least half of its recent pages (and three), which no headline is.

    Each page's candidates (`title_affix_candidates`) are counted with its blocks, over the
    same window of recent pages as the rest of the profile (cleaners.profile).
    """
    blocks = getattr(profile, "blocks", None) or {}
    pages = getattr(profile, "pages", 0)
    needed = max(LEARNED_AFFIX_MIN_TITLES, LEARNED_AFFIX_SHARE * pages)
    return tuple(
        sorted(
            block.text.removeprefix(TITLE_AFFIX_LABEL)
            for block in blocks.values()
            if block.text.startswith(TITLE_AFFIX_LABEL) and block.pages >= needed
        )
    )
