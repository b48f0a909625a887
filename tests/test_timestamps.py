"""The word check that spares dateutil: it only refuses lines dateutil's path would refuse too."""

from __future__ import annotations

import re
from datetime import datetime

from dateutil import parser as date_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.timestamps import FILLER_RE, has_non_date_word, parse_timestamp, prepare

DATE_PIECES = [
    "April", "14", "2014", "10:21", "p.m.", "E.T.", "Monday", "3rd", "of", "at", "on", "the",
    "GMT", "März", "um", "Uhr", "le", "à", "10h21", "года", "5", "-", ",", "/", "IST", "Sept",
]  # fmt: skip
OTHER_WORDS = ["Retrieved", "by", "Jane", "Doe", "views", "Photo", "minutes", "ago", "NEWS", "Ésta"]


def dateutil_accepts(prepared: str) -> bool:
    """What parse_date_text asks of dateutil: a date, with only fillers skipped."""
    try:
        _parsed, skipped = date_parser.parse(
            prepared, fuzzy_with_tokens=True, default=datetime(1900, 1, 1), ignoretz=True
        )
    except (ValueError, OverflowError, TypeError):
        return False
    return all(FILLER_RE.match(token) for token in skipped)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(DATE_PIECES + OTHER_WORDS), min_size=1, max_size=9))
def test_a_line_refused_by_the_word_check_is_refused_by_dateutil(words: list[str]) -> None:
    prepared, _zone = prepare(" ".join(words))
    if has_non_date_word(prepared) and not swallowed_after_month_of(prepared):
        assert not dateutil_accepts(prepared)


def swallowed_after_month_of(prepared: str) -> bool:
    """True where dateutil drops a word silently: a month name, "of", then a word that is no
    year ("April of Retrieved 2014" is April 2014 with nothing skipped). The word check refuses
    such a line, which is no date; everywhere else it must refuse only what dateutil refuses."""
    return bool(SWALLOWED_RE.search(prepared))


SWALLOWED_RE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Sept)\s+of\s+(?!\d)\w", re.IGNORECASE
)


def test_dateutil_still_swallows_the_word_after_month_of() -> None:
    """The quirk the property above allows for; when dateutil fixes it, drop the allowance."""
    assert swallowed_after_month_of("April of Retrieved 2014")
    assert dateutil_accepts("April of Retrieved 2014")
    assert parse_timestamp("April of Retrieved 2014") is None


def test_datelines_in_several_languages_still_parse() -> None:
    updated = parse_timestamp("Updated: April 14, 2014, 10:21 p.m. E.T.")
    assert updated.iso == "2014-04-14T22:21-04:00"
    assert parse_timestamp("Aktualisiert am 3. März 2014 um 10:21 Uhr").iso == "2014-03-03T10:21"
    assert parse_timestamp("Mis à jour le 12 mars 2014 à 10h21").iso == "2014-03-12T10:21"
    assert parse_timestamp("5 апреля 2013 года").iso == "2013-04-05"
    assert parse_timestamp("Retrieved 5 March 2013") is None
    assert parse_timestamp("Photo by Jane Doe, April 14, 2014") is None
