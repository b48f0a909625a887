"""Publication and modification time: full ISO 8601 from the most trusted source that gives one.

Order of trust for the publication time: JSON-LD `datePublished` ("jsonld"), publication meta
tags such as `article:published_time` ("meta"), a `<time>` marked as the publication date or the
first one in the article ("time"), a date in the URL path ("url"), a dateline in the article text
("text"), a date after a publication label anywhere in the page ("text", `labelled_day`),
htmldate's search of the page ("htmldate", run only when nothing cheaper answers),
and last a JSON-LD date written out rather than in ISO 8601 ("Jun 24, 2025": a template's).
A time later than the fetch time is no publication time and the next source is asked; an update
earlier than the publication is dropped. A day the article shows as its publication (beside its
headline, or in a <time> marked as such) earlier than the declared one wins over it, and so does
an earlier day a note gives as the original publication ("This article was originally published
on 26 Sep 2019 but has been updated"). A numeric <time> value whose day and month cannot be
told apart ("02-12-2025") is read in the page's order, never month first by default
(`time_value`). A page with no date gets None, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from dateutil import parser as date_parser
from htmldate import find_date
from lxml.html import HtmlElement

from cleaners.meta.evidence import INVISIBLE_TAGS, Evidence
from cleaners.timestamps import parse_date_text

# Publication meta keys (lower case), most specific first.
PUBLISHED_META_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "article.published", "published_time", "publish-date", "publish_date",
    "pubdate", "publishdate", "parsely-pub-date", "sailthru.date", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "citation_publication_date",
    "citation_date", "article:published", "date", "created", "originalpublicationdate",
)  # fmt: skip
MODIFIED_META_KEYS = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "modified", "article:modified",
)  # fmt: skip
# /2025/09/04/, /2025-09-04/, /20250904/ in a URL path (a year from 1995 on).
URL_DATE_RE = re.compile(
    r"/((?:199[5-9]|20\d\d))[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
EARLIEST_YEAR = 1995
# Sources the page declares in markup: a date it shows beside its headline that is earlier
# than theirs is the publication day (`shown_before`).
DECLARED_SOURCES = ("jsonld", "meta")
EARLIEST_ZONE = timezone(timedelta(hours=-12))
ONE_DAY = timedelta(days=1)
# How far from the start of the first <h1> a date shown as the page's own may stand, in
# characters of visible text: before it (a kicker line) and after it (the byline line).
BEFORE_HEADLINE, AFTER_HEADLINE = 60, 400
# Month names and abbreviations, English first, then those of the other supported languages
# that English does not share (Spanish, German, French), which a CMS prints in the site's locale
# even on an English page ("17-ago-2022").
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (("jan", "january", "ene", "janv"), ("feb", "february", "févr"),
         ("mar", "march", "mär", "mrz", "mars"), ("apr", "april", "abr", "avr"),
         ("may", "mai"), ("jun", "june", "juin"), ("jul", "july", "juil"),
         ("aug", "august", "ago", "août"), ("sep", "sept", "september"),
         ("oct", "october", "okt"), ("nov", "november"), ("dec", "december", "dic", "dez", "déc")),
        start=1)
    for name in names
}  # fmt: skip
_MONTH = (
    r"(?P<{}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|ene|janv|févr|mär|mrz|mars|abr|avr|mai|juin|juil|ago|août|okt|dic|dez|déc)\.?"
)
# A numeric date in either order, "3/4/2025", "04-12-2025", "12.12.2025" (see `numeric_day`).
NUMERIC_DATE = (
    r"(?<![\d./-])(?P<a4>\d{1,2})(?P<sep>[./-])(?P<b4>\d{1,2})(?P=sep)(?P<y4>(?:19|20)\d\d)"
    r"(?![\d./-]?\d)"
)
NUMERIC_DATE_RE = re.compile(NUMERIC_DATE)
# A <time> datetime value that opens with a numeric date ("02-12-2025", "4/24/2000 12:00 AM").
AMBIGUOUS_DATETIME_RE = re.compile(rf"\s*{NUMERIC_DATE}")
# Dates as pages show them: "Dec. 4, 2025", "December 4th 2025", "4 Dec 2025", "04-Dec-2025",
# "2025-12-04", and numeric ones.
SHOWN_DATE_RE = re.compile(
    rf"\b{_MONTH.format('m1')}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:(?:st|nd|rd|th)?\s+{_MONTH.format('m2')},?\s+"
    rf"|-{_MONTH.format('m5')}-)(?P<y2>(?:19|20)\d\d)\b"
    r"|\b(?P<y3>(?:19|20)\d\d)-(?P<m3>\d\d)-(?P<d3>\d\d)\b"
    rf"|{NUMERIC_DATE}",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Dates:
    """The page's publication time, where it came from, and its modification time."""

    published: str | None = None
    published_source: str | None = None
    updated: str | None = None


def as_datetime(iso: str) -> datetime | date | None:
    """A date or datetime from an ISO 8601 text (None if it is none)."""
    try:
        if len(iso) == 10:
            return date.fromisoformat(iso)
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def normalise_iso(value: str | None) -> str | None:
    """ISO 8601 of a declared date, keeping its time and UTC offset when it has them
    ("2014-04-14T22:21:00-04:00", "2014-04-14"); None when it is no date."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 80:
        return None
    if ISO_DATE_RE.match(value):
        text = value.replace(" ", "T", 1) if len(value) > 10 and value[10] == " " else value
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = date_parser.isoparse(text)
            except (ValueError, OverflowError):
                return value[:10] if as_datetime(value[:10]) else None
        if len(value) <= 10:
            return parsed.date().isoformat()
        return parsed.isoformat()
    parsed_text = parse_date_text(value)
    if parsed_text:
        return parsed_text
    try:
        parsed = date_parser.parse(value, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    has_time = bool(re.search(r"\d:\d\d", value))
    return parsed.isoformat() if has_time else parsed.date().isoformat()


def day_of(iso: str) -> date | None:
    """The calendar day of an ISO value."""
    found = as_datetime(iso[:10])
    return found if isinstance(found, date) else None


def plausible(iso: str | None, fetched: datetime) -> bool:
    """True for a date from 1995 on that is not later than the fetch time."""
    if not iso:
        return False
    parsed = as_datetime(iso)
    if parsed is None:
        day = day_of(iso)
        if day is None:
            return False
        parsed = day
    if isinstance(parsed, datetime):
        aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return aware.year >= EARLIEST_YEAR and aware <= fetched
    return parsed.year >= EARLIEST_YEAR and parsed <= fetched.date()


def json_ld_date(evidence: Evidence, key: str) -> str | None:
    """`key` ("datePublished") of the article's JSON-LD item, else of any item declaring it."""
    main = evidence.main_item()
    items = [main] if main else []
    items += [item for item in evidence.json_ld if item is not main]
    for item in items:
        value = item.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value.strip():
            return value
    return None


def meta_date(evidence: Evidence, keys: tuple[str, ...]) -> str | None:
    """The first of `keys` the page's meta tags declare."""
    return next((evidence.meta[key] for key in keys if key in evidence.meta), None)


def marked_time(evidence: Evidence) -> str | None:
    """The first <time> in the article marked as the publication date (pubdate, itemprop,
    class)."""
    marked = (
        time_value(value, evidence)
        for value, published, off in evidence.times
        if published and not off
    )
    return next((value for value in marked if value), None)


def time_element_date(evidence: Evidence) -> str | None:
    """A <time> marked as the publication date, else the first one in the article."""
    marked = marked_time(evidence)
    if marked:
        return marked
    if evidence.itemprop_dates.get("datepublished"):
        return evidence.itemprop_dates["datepublished"]
    in_article = (
        time_value(value, evidence) for value, _published, off in evidence.times if not off
    )
    return next((value for value in in_article if value), None)


def time_value(value: str, evidence: Evidence) -> str | None:
    """A <time>'s datetime value, or the day it gives when it is a numeric date whose day and
    month cannot be told apart ("02-12-2025"): a dotted one day first, else in the order of
    the page's declared region, else as another <time> of the page writes one of the two days
    in ISO 8601 (a list of recent posts dating the post "2025-12-02"), else None: never month
    first by default, as dateutil would read it (half the English web writes the day first)."""
    found = AMBIGUOUS_DATETIME_RE.match(value)
    if not found:
        return value
    first, second, year = int(found["a4"]), int(found["b4"]), int(found["y4"])
    if first > 12 or second > 12 or first == second:
        return value
    month_first, day_first = date(year, first, second), date(year, second, first)
    clock = value[found.end() :].rstrip()  # " 10:29": kept after the day
    if found["sep"] == ".":  # "12.03.2025": a dotted date is day first (see `numeric_day`)
        return f"{day_first.isoformat()}{clock}"
    locale = evidence.lang if "-" in evidence.lang else evidence.meta.get("og:locale", "")
    region = region_month_first(locale)
    if region is not None:
        return f"{(month_first if region else day_first).isoformat()}{clock}"
    others = {
        day_of(other) for other, _published, _off in evidence.times if ISO_DATE_RE.match(other)
    }
    readings = [day for day in (month_first, day_first) if day in others]
    return f"{readings[0].isoformat()}{clock}" if len(readings) == 1 else None


def url_date(url: str | None) -> str | None:
    """The date of a dated URL path ("/2025/09/04/slug"), as YYYY-MM-DD."""
    match = URL_DATE_RE.search(url or "")
    if not match:
        return None
    year, month, day = match.groups()
    candidate = f"{year}-{month}-{day}"
    return candidate if as_datetime(candidate) else None


def find_dates(
    evidence: Evidence,
    *,
    text_date: str | None = None,
    text_updated: str | None = None,
    fetched_at: datetime | None = None,
    search_page: Callable[[], str | None] | None = None,
    written_out: bool = True,
    shown_date: Callable[[], str | None] | None = None,
) -> Dates:
    """The page's publication time with its source, and its modification time.

    `text_date` is a dateline found in the article text, `search_page` the costly fallback
    (htmldate), called only when no other source gives a date; `written_out=False` leaves out a
    JSON-LD date that is not ISO 8601 (asked last of all). `shown_date` reads the date the
    page shows beside its headline: one earlier than the declared publication day wins (see
    `shown_before`), and so does a <time> in the article marked as the publication. A day a
    note gives as the original publication, earlier than any of these, wins over all of them.
    """
    fetched = fetched_at or datetime.now(UTC)
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=UTC)
    declared = json_ld_date(evidence, "datePublished")
    # schema.org dates are ISO 8601; one written out ("Jun 24, 2025") is a template's rendering
    # (on wcxb_dev as often the page's render day as its publication day), trusted last.
    iso_declared = declared if declared and ISO_DATE_RE.match(declared.strip()) else None
    sources: list[tuple[str, Callable[[], str | None]]] = [
        ("jsonld", lambda: iso_declared),
        ("meta", lambda: meta_date(evidence, PUBLISHED_META_KEYS)),
        ("time", lambda: time_element_date(evidence)),
        ("url", lambda: url_date(evidence.url)),
        ("text", lambda: text_date),
        ("text", lambda: original_day(evidence)),
        ("text", lambda: labelled_day(evidence)),
    ]
    if search_page is not None:
        sources.append(("htmldate", search_page))
    if written_out:
        sources.append(("jsonld", lambda: None if iso_declared else declared))
    published, source = first_plausible(sources, fetched)
    if source in DECLARED_SOURCES:
        shown = shown_date() if shown_date is not None else None
        published, source = as_shown(evidence, published, source, shown, fetched)
    original = original_day(evidence)
    if plausible(original, fetched) and shown_before(original, published):
        published, source = original, "text"
    published = in_local_time(published, evidence)
    updated = modified_date(evidence, text_updated, fetched)
    if updated and published and not_before(updated, published) is False:
        updated = None
    return Dates(published=published, published_source=source, updated=updated)


def as_shown(
    evidence: Evidence, published: str | None, source: str | None, shown: str | None,
    fetched: datetime,
) -> tuple[str | None, str | None]:
    """A declared publication time weighed against what the article shows: where the JSON-LD
    and the meta tags declare different days, the one shown beside the headline; a day the
    article shows as its own that is earlier (a <time> marked as the publication, else the day
    beside the headline) is the publication, the declared time a re-import's (`shown_before`)."""
    declared_meta = normalise_iso(meta_date(evidence, PUBLISHED_META_KEYS))
    if source == "jsonld" and plausible(declared_meta, fetched) and shown:
        if day_of(shown) == day_of(declared_meta) != day_of(published or ""):
            published, source = declared_meta, "meta"
    marked = normalise_iso(marked_time(evidence))
    if plausible(marked, fetched) and shown_before(marked, published):
        return marked, "time"
    if plausible(shown, fetched) and shown_before(shown, published):
        return shown, "text"
    return published, source


def original_day(evidence: Evidence) -> str | None:
    """The day a note says the story was originally published on ("This article was originally
    published on 26 Sep 2019 but has been updated"), as YYYY-MM-DD."""
    for note in evidence.original_notes:
        found = SHOWN_DATE_RE.match(note.removeprefix("on ").removeprefix("the "))
        day = shown_day(found) if found and not found["y4"] else None
        if day:
            return day.isoformat()
    return None


def labelled_day(evidence: Evidence) -> str | None:
    """The day a publication label gives ("Post time: 03-09-2024", "Published on 3 March
    2025" in a line the article text does not keep), as YYYY-MM-DD: asked after every
    declared and shown date, before the costly search of the page, which would take a
    declared modification time for want of a publication one. A numeric date is read in the
    order of the page's declared region (see `numeric_day`)."""
    locale = evidence.lang if "-" in evidence.lang else evidence.meta.get("og:locale", "")
    for note in evidence.labelled_notes:
        found = SHOWN_DATE_RE.match(note)
        day = shown_day(found, month_first=region_month_first(locale)) if found else None
        if day:
            return day.isoformat()
    return None


def shown_before(shown: str, published: str | None) -> bool:
    """Whether the day a page shows beside its headline is earlier than every local day of its
    declared publication time. A story is not published after the day it shows as its own; a
    declared time later than that is the day the page was imported, migrated or re-rendered
    (a CMS stamping datePublished and dateModified alike at build time). The declared instant
    is read at UTC-12, the earliest zone, so that a local day shown for a time declared in UTC
    ("2025-07-05T00:04:00+00:00" shown as July 4) is no conflict; a declared day without a
    time gets the same one day of grace."""
    shown_day = day_of(shown)
    stamp = as_datetime(published) if published else None
    if shown_day is None or stamp is None:
        return False
    if isinstance(stamp, datetime) and stamp.utcoffset() is not None:
        earliest = stamp.astimezone(EARLIEST_ZONE).date()
    else:
        earliest = (stamp if not isinstance(stamp, datetime) else stamp.date()) - ONE_DAY
    return shown_day < earliest


def first_plausible(
    sources: list[tuple[str, Callable[[], str | None]]], fetched: datetime
) -> tuple[str | None, str | None]:
    """The first source, in order of trust, whose date is plausible (not after the fetch), and
    its name; a source is read only when the ones before it gave nothing."""
    for name, read in sources:
        candidate = normalise_iso(read())
        if plausible(candidate, fetched):
            return candidate, name
    return None, None


def in_local_time(published: str | None, evidence: Evidence) -> str | None:
    """A publication time declared in UTC re-expressed in the page's own offset, the one every
    <time> of the page that gives a non-zero offset shares ("2025-12-19T03:05:00+00:00" with
    <time>s at -08:00 is "2025-12-18T19:05:00-08:00"), when the URL's date confirms the local
    day: the day the outlet files the story under. Without that witness the UTC day stays (on
    wcxb_dev the gold follows the UTC day as often as the local one on undated URLs)."""
    stamp = as_datetime(published) if published else None
    if not isinstance(stamp, datetime) or stamp.utcoffset() is None or stamp.utcoffset():
        return published
    offsets = set()
    for value, _published, _off in evidence.times:
        local = as_datetime(normalise_iso(value) or "")
        if isinstance(local, datetime) and local.utcoffset():
            offsets.add(local.tzinfo)
    if len(offsets) != 1:
        return published
    local = stamp.astimezone(offsets.pop())
    return local.isoformat() if local.date().isoformat() == url_date(evidence.url) else published


def modified_date(evidence: Evidence, text_updated: str | None, fetched: datetime) -> str | None:
    """The page's modification time: JSON-LD, then meta tags, itemprop, an "Updated:" line."""
    for value in (
        json_ld_date(evidence, "dateModified"),
        meta_date(evidence, MODIFIED_META_KEYS),
        evidence.itemprop_dates.get("datemodified"),
        text_updated,
    ):
        candidate = normalise_iso(value)
        if plausible(candidate, fetched):
            return candidate
    return None


def not_before(later: str, earlier: str) -> bool | None:
    """Whether `later` is not before `earlier` (by instant when both have one, else by day);
    None when they cannot be compared."""
    first, second = as_datetime(later), as_datetime(earlier)
    if isinstance(first, datetime) and isinstance(second, datetime):
        if (first.tzinfo is None) == (second.tzinfo is None):
            return first >= second
    day_first, day_second = day_of(later), day_of(earlier)
    if day_first is None or day_second is None:
        return None
    return day_first >= day_second


def page_date(
    tree: HtmlElement, url: str | None, fetched_at: datetime | None, *, extensive: bool
) -> str | None:
    """htmldate's search of the page for its original date, quick (markup and attributes) or
    extensive (free text handed to dateparser, ~100 ms on a news page). A bare year
    ("2025-01-01": what htmldate returns when it found only a year, mostly from a copyright
    line) is no publication date."""
    latest = (fetched_at or datetime.now(UTC)).date().isoformat()
    try:
        found = find_date(
            tree, url=url, extensive_search=extensive, original_date=True, max_date=latest
        )
    except Exception:  # htmldate raises on odd markup; a search that fails finds nothing
        return None
    if not found or found.endswith("-01-01"):
        return None
    return found


def headline_date(tree: HtmlElement) -> str | None:
    """The first date the page shows beside its headline (within `BEFORE_HEADLINE` characters
    before the first <h1> and `AFTER_HEADLINE` after it: a kicker or byline line; the
    headline's own words are no dateline), as YYYY-MM-DD: the dateline a reader sees. Read on
    the tree as served, before a cleaner takes the byline line out. Walks outwards from the
    heading and stops once it has the characters it needs (a whole-page text scan cost ~4 ms)."""
    heading = next(tree.iter("h1"), None)
    if heading is None or not any(visible_texts(heading)) or hidden_branch(heading):
        return None
    before = " ".join(reversed(enough(texts_before(heading), BEFORE_HEADLINE)))
    after = " ".join(enough(texts_after(heading), AFTER_HEADLINE))
    before, after = squash_space(before)[-BEFORE_HEADLINE:], squash_space(after)[:AFTER_HEADLINE]
    # In reading order: on wcxb_dev, preferring the line after the headline to a kicker before
    # it lost one page (0.873 -> 0.871).
    days = (
        shown_day(match, tree) for match in SHOWN_DATE_RE.finditer(f"{before} {after}")
    )
    found = next((day for day in days if day), None)
    return found.isoformat() if found else None


def squash_space(text: str) -> str:
    """`text` with its runs of whitespace as single spaces, stripped."""
    return " ".join(text.split())


def enough(texts: Iterator[str], limit: int) -> list[str]:
    """Texts from `texts` until they hold `limit` characters of words (whitespace squashed)."""
    taken: list[str] = []
    size = 0
    for text in texts:
        taken.append(text)
        size += len(squash_space(text))
        if size >= limit:
            break
    return taken


def invisible(element: Any) -> bool:
    """Whether an element's own text is no visible text (script, style, a comment...)."""
    return not isinstance(element.tag, str) or element.tag in INVISIBLE_TAGS


def hidden_branch(element: HtmlElement) -> bool:
    """Whether `element` stands inside an invisible element or outside the <body>."""
    ancestors = [element, *element.iterancestors()]
    return any(invisible(node) for node in ancestors) or not any(
        node.tag == "body" for node in ancestors[1:]
    )


def visible_texts(element: Any) -> Iterator[str]:
    """The visible texts inside `element` in reading order (its tail not included)."""
    if invisible(element):
        return
    if element.text:
        yield element.text
    for child in element:
        yield from visible_texts(child)
        if child.tail:
            yield child.tail


def visible_texts_reversed(element: Any) -> Iterator[str]:
    """`visible_texts(element)` from the last to the first."""
    if invisible(element):
        return
    for child in reversed(element):
        if child.tail:
            yield child.tail
        yield from visible_texts_reversed(child)
    if element.text:
        yield element.text


def texts_after(element: HtmlElement) -> Iterator[str]:
    """The visible texts of the body after `element`, in reading order."""
    node = element
    while node is not None and node.tag != "body":
        if node.tail:
            yield node.tail
        for sibling in node.itersiblings():
            yield from visible_texts(sibling)
            if sibling.tail:
                yield sibling.tail
        node = node.getparent()


def texts_before(element: HtmlElement) -> Iterator[str]:
    """The visible texts of the body before `element`, from the nearest backwards."""
    node = element
    while node is not None and node.tag != "body":
        for sibling in node.itersiblings(preceding=True):
            if sibling.tail:
                yield sibling.tail
            yield from visible_texts_reversed(sibling)
        node = node.getparent()
        if node is not None and node.text:
            yield node.text


def shown_day(
    match: re.Match, tree: HtmlElement | None = None, month_first: bool | None = None
) -> date | None:
    """The calendar day of a `SHOWN_DATE_RE` match (None for "Feb 30, 2025", and for a numeric
    date whose order neither the page nor `month_first` settles, see `numeric_day`)."""
    if match["y4"]:
        return numeric_day(match, tree, month_first)
    year = match["y1"] or match["y2"] or match["y3"]
    day = match["d1"] or match["d2"] or match["d3"]
    month_text = (match["m1"] or match["m2"] or match["m5"] or match["m3"]).lower()
    month = int(month_text) if month_text.isdigit() else MONTH_NUMBERS.get(month_text, 0)
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def numeric_day(
    match: re.Match, tree: HtmlElement | None, month_first: bool | None = None
) -> date | None:
    """The day of a numeric date ("3/4/2025", "12.12.2025"). A part above 12 is the day; a
    dotted date is day first; else the order of the page's other numeric dates that show it
    (one with a part above 12), else that of its declared region (US: month first). A page
    that settles nothing ("3/4/2025" on a page in plain "en") gets None: half the English web
    writes the day first."""
    first, second, year = int(match["a4"]), int(match["b4"]), int(match["y4"])
    if first > 12 or (second <= 12 and match["sep"] == "."):
        first, second = second, first
    elif second <= 12:
        if tree is not None:
            month_first = numeric_order(tree, match["sep"])
        if month_first is None:
            return None
        if not month_first:
            first, second = second, first
    try:
        return date(year, first, second)
    except ValueError:
        return None


def numeric_order(tree: HtmlElement, separator: str) -> bool | None:
    """Whether the page writes numeric dates month first (True), day first (False), or does not
    tell (None): by its other dates with `separator` that have a part above 12, else by the
    region of its declared language or locale ("en-US", "en_GB")."""
    body = tree.find("body")
    text = " ".join(visible_texts(body)) if body is not None else ""
    orders = set()
    for found in NUMERIC_DATE_RE.finditer(text):
        first, second = int(found["a4"]), int(found["b4"])
        if found["sep"] == separator and (first > 12) != (second > 12):
            orders.add(second > 12)
    if len(orders) == 1:
        return orders.pop()
    locale = tree.get("lang") or ""
    if "-" not in locale:
        meta = tree.find(".//meta[@property='og:locale']")
        locale = meta.get("content", "") if meta is not None else locale
    return region_month_first(locale)


def region_month_first(locale: str) -> bool | None:
    """Whether a declared language or locale ("en-US", "en_GB") writes numeric dates month
    first: True for the US, False for another region, None without a region."""
    region = locale.replace("_", "-").partition("-")[2].strip().lower()
    return region == "us" if region else None


def cheap_date_known(
    evidence: Evidence, fetched_at: datetime | None = None, shown: str | None = None
) -> bool:
    """True when JSON-LD, a meta tag, a <time>, the URL, a note or label, or the day `shown`
    beside the headline dates the page: no search needed. The shown day is the article's text
    date unless its body has a dateline of its own (read later, by the text stage); should
    that dateline be no plausible date, htmldate's extensive search of the cleaned page runs
    instead of the quick search of the page as served (on wcxb_dev the shown day settles 126
    of the 273 pages the quick search ran on, at ~9 ms a search)."""
    found = find_dates(evidence, text_date=shown, fetched_at=fetched_at, written_out=False)
    return found.published is not None


def as_fetch_time(value: datetime | str | None) -> datetime | None:
    """A fetch time given as ISO 8601 text or a datetime (None when absent or unreadable)."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
