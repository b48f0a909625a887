"""Authors: people's names only, split, without "By" and titles; organisations apart.

Sources, most structured first: the article's JSON-LD `author` (typed Person or Organization),
author meta tags (`author`, `article:author`, `parsely-author`, `dc.creator` ...), elements marked
as the author's name (`itemprop="author"`, `rel="author"`), and trafilatura's byline search. A
name list is split ("Jane Doe and John Roe", "Jane Doe, John Roe"), "By"/"Von"/"Par" and titles
("Dr.", "Staff Writer") are removed; labels and navigation ("View more posts", "About the
Author") and the site's own names are never authors. An organisation (a name that is the site's,
or holds "Team", "Staff", "Inc." ...) is kept apart, for pages that name no person.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cleaners.meta.evidence import CREDIT_BY_RE, Evidence, squash, types_of
from cleaners.meta.title import (
    SITE_SEGMENT_MAX_WORDS,
    compact,
    host_names,
    is_site_segment,
    site_names,
    split_segments,
)

AUTHOR_META_KEYS = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
    "dcterms.creator", "byl", "citation_author", "og:article:author", "article:author_name",
)  # fmt: skip
# A leading byline word, in the supported languages.
BY_LEAD_RE = re.compile(
    r"^\s*(?:(?:view|see|more)\s+(?:all\s+)?(?:posts|articles|stories)\s+)?"
    r"(?:(?:written|posted|reviewed|edited|published|reported|words|story|text|articles?|posts?)"
    r"\s+)?"
    r"(?:by|von|par|por|di|door|av|af|автор|от)\s*:?\s+"
    r"|^\s*(?:[^\s]+\s+){0,4}(?:written|authored)\s+by\s+",  # "This post was written by"
    re.IGNORECASE,
)
# A card data label naming its value as the author ("Written by", "Author", "Interview by").
AUTHOR_LABEL_RE = re.compile(
    r"^\s*(?:(?:written|posted|words|story|text|interview|reported)\s+by|by|authors?|"
    r"verfasst\s+von|von|écrit\s+par|par|autor(?:in|en)?|auteur)\s*:?\s*$",
    re.IGNORECASE,
)
LABEL_LEAD_RE = re.compile(
    r"^\s*(?:authors?|author\(s\)|contributors?|writers?|autor(?:in|en)?|autoren|auteurs?"
    r"|autore|byline)\s*[:|]\s*",
    re.I,
)
# A job title's phrase after a name ("Head of Marketing", "Editor at Large", "Director for").
TITLE_PHRASE_RE = re.compile(r"\s(?:of|at|for|bei)\s")
# Separators between names of one byline.
NAME_SPLIT_RE = re.compile(r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bи\b)\s*", re.I)
# Honorifics and degrees around a name ("Dr.", "Prof.", "PhD", "MD").
HONORIFIC_RE = re.compile(
    r"^(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame|rev|hon)\.?\s+|"
    r"\s*,?\s+(?:ph\.?d|m\.?d|mba|msc|rdn?|cpa|esq|jr|sr)\.?$",
    re.IGNORECASE,
)
# Job titles and roles that follow a name in a byline ("Jane Doe, Staff Writer").
ROLE_WORDS = frozenset({
    "writer", "editor", "reporter", "correspondent", "contributor", "columnist", "journalist",
    "author", "staff", "senior", "editorial", "associate", "managing", "chief", "contributing",
    "freelance", "photographer", "producer", "analyst", "expert", "intern", "guest", "director",
    "manager", "founder", "ceo", "redakteur", "redakteurin", "autor", "autorin", "rédacteur",
    "journaliste", "redactor", "periodista", "корреспондент", "head", "lead", "specialist",
    "strategist", "consultant", "marketing", "content", "team", "officer", "president",
    "coordinator", "tech", "review", "reviewer", "technology", "science", "health", "travel",
})  # fmt: skip
# Words that make a name an organisation's.
ORGANISATION_WORDS = frozenset({
    "team", "staff", "desk", "editors", "editorial", "newsroom", "inc", "ltd", "llc", "gmbh",
    "corp", "corporation", "company", "media", "press", "news", "agency", "group", "redaktion",
    "rédaction", "redacción", "редакция", "foundation", "institute", "university", "association",
    "society", "council", "department", "magazine", "journal", "blog", "online", "services",
    "contributor", "contributors", "admin", "administrator", "webmaster", "guest",
})  # fmt: skip
# Page furniture that lands in author marks: never a name.
LABEL_WORDS = frozenset({
    "view", "more", "posts", "post", "about", "the", "author", "authors", "read", "follow",
    "profile", "bio", "written", "share", "comments", "comment", "email", "contact", "articles",
    "all", "by", "see", "latest", "from", "unknown", "anonymous", "facebook", "twitter",
    "linkedin", "instagram", "menu", "home", "search", "subscribe", "login", "updated",
    "published", "reviewed", "fact", "checked", "medically", "sources", "www", "com", "page",
    "head", "extra", "posted", "edited", "last", "on", "at", "in",
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "january", "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "today", "yesterday", "learn", "team", "meet", "our", "staff", "writers",
    "member", "members", "full",
})  # fmt: skip
# A credential standing alone after a comma ("BSN", "RN", "MD", "PhD"): short and upper-case.
CREDENTIAL_RE = re.compile(r"^(?:[A-Z]{2,5}|[A-Z][a-z]?[A-Z]{1,4}|Ph\.?D\.?|M\.D\.?)$")
# "Roy, Aniruddha": a name written surname first, in a tag that holds one name.
LAST_FIRST_RE = re.compile(r"^\s*([^\s,]+(?:\s[^\s,]+)?),\s*([^\s,]+(?:\s[^\s,]+)?)\s*$")
# The byline word of a visible line ("... by Jane Doe").
BY_WORD_RE = re.compile(r"(?:^|[\s,|·•])(?:by|von|par|por):?\s+", re.IGNORECASE)
# Where a byline's names end: a date, "on", "at", "in", "|", "·", "—", "updated", "published".
BYLINE_END_RE = re.compile(
    r"\s+(?:on|at|in|am|le|el|updated|published|posted|last|-)\s+|\s*[|·•—–]\s*|\s+\(|\s+\d", re.I
)
# A date written beside a name in a meta line ("Dec 17, 2025", "17 December 2025", "2025-12-17").
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DATE_TEXT_RE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})\b\s*[|·•,-]?",
    re.IGNORECASE,
)
# Where the name of an author-classed text without "by" ends: a label or a separator.
CLASSED_END_RE = re.compile(
    r"\s+(?:last\s+)?(?:updated|published|posted|modified)\b|\s+(?:last|on)\s+|\s*[|·•—–]\s*",
    re.I,
)
# A copyright notice, its years and "by" left out, and where its holder's name ends.
COPYRIGHT_RE = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:(?:©|copyright)\s*)?"
    r"(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s*)?(?:by\s+)?(.*)",
    re.I,
)
COPYRIGHT_END_RE = re.compile(
    r"\s*[.|/•·–—,;:]|\s+-|\s+\d|\s+(?:all\s+rights|alle\s+rechte|tous\s+droits|powered)\b", re.I
)
# A name of letters, hyphens, apostrophes and initials' dots only ("Jane O'Neil-Doe").
PLAIN_NAME_RE = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*)+$")
# The separators of a headline's meta line.
HEADLINE_LINE_SPLIT_RE = re.compile(r"\s*[|·•—–]\s*")
# A user handle or a template's placeholder ("andrew.keaveney", "page.head.extra.author").
DOTTED_HANDLE_RE = re.compile(r"^\w+(?:\.\w+)+$")
# JSON-LD and author meta tags: the sources a page declares rather than shows.
DECLARED_SOURCES = 2
# The most co-authors' links one byline holds; more are a list of the outlet's writers.
BYLINE_MAX_LINKS = 4
NAME_MAX_WORDS = 5
NAME_MAX_CHARS = 60
DIGIT_RE = re.compile(r"\d")
URL_LIKE_RE = re.compile(r"^(?:https?:|www\.)|\.(?:com|org|net|html?)\b|@\w+\.", re.IGNORECASE)
ARTICLE_WORDS = frozenset({"the", "a", "an"})
LOWER_PARTICLES = frozenset({
    "de", "da", "del", "der", "den", "van", "von", "la", "le", "du", "dos", "das", "di", "bin",
    "al", "ter", "ten", "zu", "y", "e",
})  # fmt: skip


@dataclass(slots=True)
class Authors:
    """The page's people and, apart, the organisations it names as authors."""

    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


def strip_name(text: str) -> str:
    """A name without "By", a label lead, honorifics and surrounding punctuation."""
    text = squash(html.unescape(text))
    text = LABEL_LEAD_RE.sub("", text)
    text = BY_LEAD_RE.sub("", text)
    for _ in range(2):
        text = HONORIFIC_RE.sub("", text).strip()
    words = text.split()
    if len(words) > 2 and words[0] == "".join(word[0] for word in words[1:]).upper():
        words.pop(0)  # "JD Jane Doe": the initials an avatar placeholder shows
    while len(words) > 2 and words[-1].lower().strip(".,") in ROLE_WORDS:
        words.pop()  # "Jane Doe Senior Editor": the job title after the name
    return " ".join(words).strip(" .,;:|-–—·•()[]\"'“”")


def split_names(text: str) -> list[str]:
    """The names of one byline ("Jane Doe and John Roe, Staff Writer" -> two names, the role
    dropped; so is a later part ending in a role word, "Home Security Expert")."""
    text = BY_LEAD_RE.sub("", LABEL_LEAD_RE.sub("", squash(html.unescape(text))))
    names = []
    for index, part in enumerate(NAME_SPLIT_RE.split(without_title_phrases(text))):
        if part.endswith("-"):
            continue  # "Home- and Garden Editor": a compound's first half
        words = part.split()
        if index and words and words[-1].lower().strip(".") in ROLE_WORDS:
            continue  # "Jane Doe, Home Security Expert": her job title
        name = strip_name(part)
        if name:
            names.append(name)
    return names


def without_title_phrases(text: str) -> str:
    """A byline without the parts after its first comma that hold "of", "at" or "for": "Jane
    Doe, Head of Research and Data" is one person and her title, not two names."""
    first, *later = text.split(",")
    return ",".join([first, *(chunk for chunk in later if not TITLE_PHRASE_RE.search(chunk))])


def is_role(name: str) -> bool:
    """True for a job title standing alone ("Staff Writer", "Senior Editor")."""
    words = name.lower().split()
    return bool(words) and all(word.strip(".") in ROLE_WORDS for word in words)


def is_label(name: str) -> bool:
    """True for page furniture taken for a name ("View more posts", "About the Author")."""
    words = [
        word.strip(".:!").removesuffix("’s").removesuffix("'s")
        for word in name.lower().split()
    ]
    return not words or all(word in LABEL_WORDS for word in words)


def has_label(text: str) -> bool:
    """True when a word of the text is page furniture ("Follow Sarah", "About Jane")."""
    return any(is_label(word) for word in text.split())


def looks_like_person(name: str) -> bool:
    """True for a plausible person's name: 1-5 words, capitalised, no digits, no URL, no lone
    credential."""
    words = name.split()
    if not words or len(words) > NAME_MAX_WORDS or len(name) > NAME_MAX_CHARS:
        return False
    if CREDENTIAL_RE.match(name):
        return False
    if DIGIT_RE.search(name) or URL_LIKE_RE.search(name):
        return False
    capitals = [w for w in words if w.lower() not in LOWER_PARTICLES]
    return bool(capitals) and all(w[0].isupper() or not w[0].isalpha() for w in capitals)


def is_organisation(name: str, sites: Sequence[str], hosts: Sequence[str] = ()) -> bool:
    """True for a name that is the site's own or names a body rather than a person; a single
    word is the site's too when it names the host ("CDC" on cdc.gov)."""
    words = {word.strip(".,").lower() for word in name.split()}
    if words & ORGANISATION_WORDS or is_site_segment(name, sites):
        return True
    return len(words) == 1 and is_site_segment(name, hosts)


def json_ld_authors(evidence: Evidence) -> list[tuple[str, bool]]:
    """(name, declared an organisation) of the article's JSON-LD authors."""
    main = evidence.main_item()
    if not main:
        return []
    declared: Any = main.get("author") or main.get("creator")
    values = declared if isinstance(declared, list) else [declared]
    found: list[tuple[str, bool]] = []
    for value in values:
        if isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, list):
                name = " ".join(str(part) for part in name)
            if isinstance(name, str) and name.strip():
                organisation = bool(
                    types_of(value)
                    & {"organization", "newsmediaorganization", "corporation", "organisation"}
                )
                found.append((name, organisation))
        elif isinstance(value, str) and value.strip() and not URL_LIKE_RE.search(value):
            found.append((value, False))
    return found


def source_bylines(evidence: Evidence) -> Iterable[list[tuple[str, bool]]]:
    """Bylines of each source in order of trust, as (text, declared an organisation); the
    first DECLARED_SOURCES are the declared ones (JSON-LD, author meta tags)."""
    yield json_ld_authors(evidence)
    yield meta_authors(evidence)
    yield [(text, False) for text in dict.fromkeys(evidence.author_marks)]
    # The first link to an author page is the byline's, with the links sharing its byline;
    # later ones are reviewers, related stories' writers or a staff list (so is a "byline" of
    # more than BYLINE_MAX_LINKS links).
    links = evidence.byline_links
    yield [(text, False) for text in (links if len(links) <= BYLINE_MAX_LINKS else links[:1])]
    # A card's "Written by" value: the posting account, which a visible mark or link corrects.
    yield labelled_meta_authors(evidence)
    yield from first_named(evidence.bylines)
    yield first_classed(evidence.author_classed)
    yield first_classed(evidence.learned_bylines)
    # The name beside an author's picture: a card with no other mark.
    yield first_classed(picture_people(evidence))
    yield headline_line_people(evidence)


def headline_line_people(evidence: Evidence) -> list[tuple[str, bool]]:
    """The one full name among the parts of the dated line under the headline ("Jane Doe |
    Senior Writer | May 2, 2025"); none when several parts could be names (sections)."""
    text = squash(DATE_TEXT_RE.sub(" | ", evidence.headline_line))
    names = [
        strip_name(CLASSED_END_RE.split(part.split(",")[0], maxsplit=1)[0])
        for part in HEADLINE_LINE_SPLIT_RE.split(text)
        if not CREDIT_BY_RE.search(part)  # "Edited by Jane Doe": not the writer
    ]
    parts = [
        name
        for name in names
        if " " in name
        and looks_like_person(name)
        and PLAIN_NAME_RE.match(name)
        and not has_label(name)
        and not is_role(name)
    ]
    return [(parts[0], False)] if len(parts) == 1 else []


def picture_people(evidence: Evidence) -> list[str]:
    """The names shown with author pictures and portraits that name neither page furniture
    ("Follow Jane"), nor the site (its logo's alt text), nor what the headline is about (a
    product's or a subject's picture)."""
    sites = site_names(evidence)
    headline = compact(" ".join([evidence.title, *evidence.h1s[:1]]))
    return [
        text
        for text in evidence.picture_names
        if not has_label(text)
        and not is_organisation(text, sites)
        and compact(text) not in headline
    ]


def meta_authors(evidence: Evidence) -> list[tuple[str, bool]]:
    """The names of the first author meta tag the page has."""
    for key in AUTHOR_META_KEYS:
        values = [
            v
            for v in evidence.meta_all.get(key, [])
            if not URL_LIKE_RE.search(v) and not DOTTED_HANDLE_RE.match(v)
        ]
        if len(values) > 1:
            # One name a tag ("citation_author": "Roy, Aniruddha"): never split, "Last, First"
            # turned round.
            return [(LAST_FIRST_RE.sub(r"\2 \1", value), False) for value in values]
        if values:
            return [(value, False) for value in values]
    return []


def shown_instead(people: list[str], evidence: Evidence, sites: Sequence[str]) -> list[str]:
    """Declared authors, or the person the visible "By ..." lines of author-classed elements
    name (all the same one) when the page shows the declared ones nowhere among its author
    texts: the declared one is then the account that posted the story. The visible bylines
    (read for such a page) count as author-classed lines."""
    if shown_among_author_texts(people, evidence):
        return people
    lines = {
        tuple(source_people([(undated_names(text), False)], sites, []))
        for text in [*evidence.author_classed, *evidence.bylines[:1]]
        if BY_LEAD_RE.match(text) and not CREDIT_BY_RE.search(text)
    }
    if len(lines) != 1:  # none, or teasers' "By ..." lines naming several people
        return people
    named = list(lines.pop())
    return named if named and all(" " in name for name in named) else people


def shown_among_author_texts(people: list[str], evidence: Evidence) -> bool:
    """True when an author mark, link or author-classed text shows one of the people."""
    shown = compact(
        " ".join([*evidence.author_marks, *evidence.author_links, *evidence.author_classed])
    )
    return any(compact(name) in shown for name in people)


def labelled_meta_authors(evidence: Evidence) -> list[tuple[str, bool]]:
    """The name a page's card data gives under an author label: `twitter:label1` "Written by"
    with `twitter:data1` "Jane Doe" (SEO plugins write it beside the reading time)."""
    found = []
    for index in range(1, 5):
        label = evidence.meta.get(f"twitter:label{index}", "")
        value = evidence.meta.get(f"twitter:data{index}", "")
        if value and AUTHOR_LABEL_RE.match(label):
            found.append((value, False))
    return found


def first_named(bylines: list[str]) -> Iterable[list[tuple[str, bool]]]:
    """The first visible byline that names someone; later "by" lines are other stories'."""
    for text in dict.fromkeys(bylines):
        names = byline_names(text)
        parts = split_names(names)
        found = [name for name in parts if looks_like_person(name)]
        # "Zero Waste Room by Room", "Southside By Ovolo, Hong Kong": inside a line, the "by"
        # must be followed by a full name.
        if found and (BY_LEAD_RE.match(text) or (" " in parts[0] and parts[0] in found)):
            yield [(names, False)]
            break


def first_classed(texts: list[str]) -> list[tuple[str, bool]]:
    """The first text of an author-classed element that is a full name (two words or more):
    "Jane Doe", "Jane Doe Senior Writer"; a lone word there is as often a label."""
    for text in dict.fromkeys(texts):
        # "Dec 17, 2025 Jane Doe", "Dec 17, 2025 · Jane Doe": the date beside, and its separator
        text = squash(DATE_TEXT_RE.sub(" ", text)).lstrip("|·•—–-, ")
        if CREDIT_BY_RE.search(text):
            continue  # "Reviewed by Jane Doe": a reviewer's line, not the byline
        if BY_WORD_RE.search(text):
            names = byline_names(text)
        else:  # "Jane Doe Last updated on ...", "Jane Doe | Editor"
            names = CLASSED_END_RE.split(text, maxsplit=1)[0]
        found = [
            name for name in split_names(names) if looks_like_person(name) and not is_label(name)
        ]
        # "The Best Ramen & Drinks": a teaser's headline in an author-classed card.
        if found and all(" " in name and not headline_like(name) for name in found):
            return [(names, False)]
    return []


def opening_bylines(texts: list[str]) -> list[str]:
    """The texts without a byline word, or opening with one ("By Jane Doe", "Author: Jane
    Doe"): beside an article, "Dark Places, by Gillian Flynn" is a book list, "Veneers by
    Pearl Dental" an advertisement."""
    return [
        text
        for text in texts
        if not BY_WORD_RE.search(text) or BY_LEAD_RE.match(text) or LABEL_LEAD_RE.match(text)
    ]


def undated_names(text: str) -> str:
    """The names of an author-classed byline line, a date in it left out ("By Jane Doe, Harbour
    Post October 3, 2025" -> "Jane Doe, Harbour Post")."""
    return byline_names(squash(DATE_TEXT_RE.sub(" | ", text)))


def byline_names(text: str) -> str:
    """The names of a visible byline line: after its "by", cut before a date or an "on"/"|"
    continuation ("Posted May 2 by Jane Doe on March 3, 2025" -> "Jane Doe")."""
    text = squash(text)
    lead = BY_WORD_RE.search(text)
    if lead:
        text = text[lead.end() :]
    return BYLINE_END_RE.split(text, maxsplit=1)[0]


def find_authors(
    evidence: Evidence, fallback: str | None = None, *, beside: bool = True
) -> Authors:
    """The page's authors: the first source that names a person gives the people; the
    organisations seen before that are kept apart. Two last resorts follow the page's own
    sources, asked while no user name was found: trafilatura's byline search (`fallback`), only
    while the page named no organisation either (its guesses, "HR Strategy" or a month, are
    worth less than one the page declares); then the first full name beside the article (a
    sidebar's author panel, only with `beside`)."""
    sites = owned_site_names(evidence)
    hosts = host_names(evidence.host)
    organisations: list[str] = []
    handles: list[str] = []
    sources = [(bylines, "page") for bylines in source_bylines(evidence)]
    if fallback:
        sources.append(([(part, False) for part in fallback.split(";")], "fallback"))
    if beside:
        sources.append((first_classed(opening_bylines(evidence.beside_authors)), "beside"))
    for index, (bylines, kind) in enumerate(sources):
        if kind != "page" and handles:
            break
        if kind == "fallback" and organisations:
            continue
        people = source_people(bylines, sites, organisations, hosts)
        if people and all(" " in name for name in people):
            if index < DECLARED_SOURCES:
                people = shown_instead(people, evidence, sites)
            people = with_co_authors(people, evidence, sites)
            return Authors(people=unique(people), organisations=[])
        if people and not handles:
            handles = people  # "KatieS": a user name; a later source may give the full name
    if handles:
        return Authors(people=unique(handles), organisations=[])
    if not organisations:
        organisations = publisher_names(evidence)
    return Authors(people=[], organisations=unique(organisations)[:3])


def with_co_authors(people: list[str], evidence: Evidence, sites: Sequence[str]) -> list[str]:
    """The people, or the visible byline that names them with co-authors: a JSON-LD or meta
    author is often only the first of "By Jane Doe and John Roe"."""
    known = {compact(name) for name in people}
    links = evidence.byline_links
    bylines = [links] if 1 < len(links) <= BYLINE_MAX_LINKS else []
    bylines += [
        [undated_names(text)]
        for text in evidence.author_classed
        if BY_LEAD_RE.match(text) or LABEL_LEAD_RE.match(text)
    ]
    for texts in bylines:
        named = source_people([(text, False) for text in texts], sites, [])
        full = all(" " in name for name in named)  # "Contributor, TechHive": no co-author
        if full and len(named) > len(people) and known <= {compact(name) for name in named}:
            return named
    return people


def source_people(
    bylines: list[tuple[str, bool]],
    sites: Sequence[str],
    organisations: list[str],
    hosts: Sequence[str] = (),
) -> list[str]:
    """The people one source names; the organisations it names are added to `organisations`."""
    people: list[str] = []
    for text, declared_organisation in bylines:
        if declared_organisation:
            name = strip_name(text)
            if name and not is_label(name):
                organisations.append(name)
            continue
        for name in split_names(text):
            if is_role(name) or is_label(name):
                continue
            name = without_site_suffix(name, sites)
            if is_organisation(name, sites, hosts):
                organisations.append(name)
            elif looks_like_person(name):
                people.append(name)
    return people


def owned_site_names(evidence: Evidence) -> list[str]:
    """The site's names an author's full name is compared with: those the page declares
    (og:site_name, JSON-LD publisher ...), without its host's labels when it declares any: on
    janedoe.com, a site called "Kettle Notes", "Jane Doe" is the owner who writes it, not the
    outlet. A `twitter:site` handle is the owner's account as often as the outlet's."""
    meta = {key: value for key, value in evidence.meta.items() if key != "twitter:site"}
    declared = site_names(replace(evidence, url=None, meta=meta))
    return declared or site_names(evidence)


def publisher_names(evidence: Evidence) -> list[str]:
    """The outlet's name, for a page that names no author at all (such a page is the outlet's
    own): the declared one (og:site_name, the JSON-LD publisher, application-name), else the
    part of the <title> that names the page's host ("... | Pierce Freeman" on pierce.dev)."""
    main = evidence.main_item() or {}
    publisher = main.get("publisher")
    declared = [evidence.meta.get("og:site_name", "")]
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        declared.append(publisher["name"])
    declared.append(evidence.meta.get("application-name", ""))
    for name in declared:
        segments = split_segments(squash(html.unescape(name)))
        if segments and len(segments[0].split()) <= SITE_SEGMENT_MAX_WORDS:
            if not URL_LIKE_RE.search(segments[0]):
                return [segments[0].strip()]
    labels = host_names(evidence.host)[:-1]
    segments = split_segments(evidence.title)
    for segment in (segments[-1], segments[0]) if len(segments) > 1 else ():
        if len(segment.split()) <= NAME_MAX_WORDS and names_host(segment, labels):
            return [segment]
    holder = copyright_holder(evidence.copyright)
    return [holder] if holder else []


def copyright_holder(notice: str) -> str | None:
    """The holder a copyright notice names ("© 2025 Jane Doe. All rights reserved." -> "Jane
    Doe"), the site's owner on a page that declares no name of its own; None when the notice
    names none ("© 2025", "Copyright of logos belongs to ...")."""
    found = COPYRIGHT_RE.search(notice)
    if not found or not ("©" in notice or DIGIT_RE.search(notice)):
        return None  # "Copyright Guidelines": a link to a policy, no notice
    holder = COPYRIGHT_END_RE.split(found.group(1), maxsplit=1)[0].strip()
    words = holder.split()
    if not words or len(words) > NAME_MAX_WORDS or not words[0][0].isupper():
        return None
    return None if is_label(holder) or URL_LIKE_RE.search(holder) else holder


def names_host(segment: str, labels: Sequence[str]) -> bool:
    """True when a title segment names a label of the page's host: it holds the label or is
    held in it ("DianaHR" on getdianahr.com), or its initials are the label ("Farm Bureau
    Financial Services" on fbfs.com)."""
    text = compact(segment)
    words = segment.split()
    initials = "".join(word[0] for word in words if word[0].isalnum()).lower()
    return any(
        (len(text) >= 4 and text in label)
        or (len(label) >= 4 and label in text)
        or (len(words) >= 3 and initials == label)
        for label in labels
    )


def headline_like(name: str) -> bool:
    """True for a capitalised phrase opening with an article ("The Best Ramen")."""
    return name.split()[0].lower() in ARTICLE_WORDS


def without_site_suffix(name: str, sites: Sequence[str]) -> str:
    """A name without the site's name run on after it ("Jane Doe USA Today" -> "Jane Doe")."""
    words = name.split()
    for cut in range(len(words) - 2, 1, -1):
        if is_site_segment(" ".join(words[cut:]), sites):
            return " ".join(words[:cut])
    return name


def unique(names: list[str]) -> list[str]:
    """Names once each (compared without case and punctuation), in order."""
    seen: set[str] = set()
    kept = []
    for name in names:
        key = compact(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return kept
