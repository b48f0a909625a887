"""Timestamp lines in article text ("Updated: April 14, 2014, 10:21 p.m. E.T.") as ISO 8601.

A line qualifies when, after an optional "Updated"/"Published" lead, it is a date and nothing
else: a long paragraph that happens to mention a date is never one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

from cleaners import vocabulary as vocab

MAX_TIMESTAMP_WORDS = 16
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
TIME_RE = re.compile(
    r"\b\d{1,2}\s*[:.h]\s*\d{2}\b(?![./-]\d)|\b\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE
)
# "Updated"/"Published" lead words of every language, longest first, as a regex alternation.
LEAD_ALTERNATION = "|".join(
    re.escape(lead)
    for lead in sorted(vocab.UPDATED_LEADS + vocab.PUBLISHED_LEADS, key=len, reverse=True)
)
LEAD_RE = re.compile(
    rf"^\s*(?P<lead>{LEAD_ALTERNATION})\b(?:\s+(?:on|at|am|le|el|le|am))?\s*:?\s*",
    re.IGNORECASE,
)
MERIDIEM_RE = re.compile(r"\b([ap])\.\s?m\.?", re.IGNORECASE)
DOTTED_ZONE_RE = re.compile(r"\b([ECMP])\.\s?T\.?(?=\W|$)")
FILLER_RE = re.compile(
    r"^[\s,.;:|/()\-–—]*(?:at|on|the|um|am|à|le|de|del|a las|uhr|в|г\.?|года|t)?"
    r"[\s,.;:|/()\-–—]*$",
    re.IGNORECASE,
)
# Month names of the supported languages, mapped to English so dateutil can read them.
MONTHS = {
    "januar": "january", "februar": "february", "märz": "march", "mai": "may", "juni": "june",
    "juli": "july", "oktober": "october", "dezember": "december",
    "janvier": "january", "février": "february", "mars": "march", "avril": "april",
    "juin": "june", "juillet": "july", "août": "august", "septembre": "september",
    "octobre": "october", "novembre": "november", "décembre": "december",
    "enero": "january", "febrero": "february", "marzo": "march", "abril": "april", "mayo": "may",
    "junio": "june", "julio": "july", "agosto": "august", "septiembre": "september",
    "octubre": "october", "noviembre": "november", "diciembre": "december",
    "января": "january", "февраля": "february", "марта": "march", "апреля": "april",
    "мая": "may", "июня": "june", "июля": "july", "августа": "august", "сентября": "september",
    "октября": "october", "ноября": "november", "декабря": "december",
}  # fmt: skip
# A date needs a day and month besides the year: a month name or a numeric d/m/y or y-m-d form.
DAY_MONTH_RE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b"
    r"|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
MONTH_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")\b", re.IGNORECASE)
ZONES = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "GMT": "UTC", "UTC": "UTC", "BST": "Europe/London", "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin", "MEZ": "Europe/Berlin", "MESZ": "Europe/Berlin",
    "MSK": "Europe/Moscow",
}  # fmt: skip
ZONE_RE = re.compile(r"\b(" + "|".join(ZONES) + r")\b")
ZONE_NAME_RES = {zone: re.compile(rf"\b{zone}\b") for zone in ZONES}
# Every word dateutil can read as part of a date (month and weekday names, "at", "of", "h",
# "am", "UTC" ...) and the fillers FILLER_RE lets it skip. A word outside this set would be
# skipped by dateutil's fuzzy parse and then refused by FILLER_RE, so a line holding one is not
# a timestamp, and dateutil (the costly part) is not asked.
DATE_WORDS = frozenset(
    word.lower()
    for group in (
        date_parser.parserinfo.JUMP, date_parser.parserinfo.UTCZONE,
        date_parser.parserinfo.PERTAIN, *date_parser.parserinfo.WEEKDAYS,
        *date_parser.parserinfo.MONTHS, *date_parser.parserinfo.HMS,
        *date_parser.parserinfo.AMPM,
        ("at", "on", "the", "um", "am", "à", "le", "de", "del", "a", "las", "uhr"),
        ("в", "г", "года", "t"),
    )
    for word in group
)  # fmt: skip
WORD_RE = re.compile(r"[^\W\d_]+")
# dateutil takes an upper-case word of up to this many letters after a time as a zone name.
ZONE_NAME_MAX_LETTERS = 5


@dataclass(frozen=True, slots=True)
class Timestamp:
    """A parsed timestamp line: `kind` is "updated", "published" or "date"; `iso` is ISO 8601."""

    kind: str
    iso: str


def lead_kind(lead: str) -> str:
    """ "updated" or "published" for a lead word such as "Last updated" or "Veröffentlicht"."""
    return "updated" if lead.lower() in vocab.UPDATED_LEADS else "published"


def prepare(text: str) -> tuple[str, str | None]:
    """English-month, dateutil-readable text and the time-zone name it ends with, if any."""
    text = MONTH_RE.sub(lambda m: MONTHS[m.group(1).lower()], text)
    text = MERIDIEM_RE.sub(lambda m: f" {m.group(1).upper()}M", text)
    text = DOTTED_ZONE_RE.sub(lambda m: f"{m.group(1)}T", text)
    found = set(ZONE_RE.findall(text))
    zone = next((z for z in ZONES if z in found), None)
    if zone:
        text = ZONE_NAME_RES[zone].sub(" ", text)
    return text, zone


def has_non_date_word(text: str) -> bool:
    """True when a word of `text` cannot be part of a date for dateutil nor a filler."""
    for word in WORD_RE.findall(text):
        if word.isupper() and len(word) <= ZONE_NAME_MAX_LETTERS:
            continue  # possibly a time-zone name
        if word.lower() not in DATE_WORDS:
            return True
    return False


def parse_date_text(text: str) -> str | None:
    """ISO 8601 for text that is only a date (and time), or None."""
    if not YEAR_RE.search(text):
        return None
    prepared, zone = prepare(text)
    if not DAY_MONTH_RE.search(prepared) or has_non_date_word(prepared):
        return None
    try:
        parsed, skipped = date_parser.parse(
            prepared, fuzzy_with_tokens=True, default=datetime(1900, 1, 1), ignoretz=True
        )
    except (ValueError, OverflowError, TypeError):
        return None
    if any(not FILLER_RE.match(token) for token in skipped):
        return None
    if not TIME_RE.search(text):
        return parsed.date().isoformat()
    if zone:
        parsed = parsed.replace(tzinfo=ZoneInfo(ZONES[zone]))
    return parsed.isoformat(timespec="minutes")


def parse_timestamp(line: str) -> Timestamp | None:
    """The timestamp of a short dateline ("Updated: April 14, 2014, 10:21 p.m. E.T."), or None."""
    if len(line.split()) > MAX_TIMESTAMP_WORDS:
        return None
    lead = LEAD_RE.match(line)
    rest = line[lead.end() :] if lead else line
    iso = parse_date_text(rest)
    if iso is None:
        return None
    return Timestamp(kind=lead_kind(lead.group("lead")) if lead else "date", iso=iso)
