"""Metadata a researcher can trust: headline, publication time, authors and language.

`read_evidence` reads what the page declares about itself once, from the untouched tree;
`resolve_metadata` weighs it (with trafilatura's own findings and the article text's datelines)
into the fields of an `Article`. Each rule lives in its own module: `title`, `dates`,
`authors`, `language`; `learned_title_affixes` and `learned_byline_places` read an outlet's
title affixes and byline places from its learned profile (`learned`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml.html import HtmlElement

from cleaners.meta.authors import find_authors, shown_among_author_texts
from cleaners.meta.dates import find_dates
from cleaners.meta.evidence import Evidence, find_bylines, read_last_author_sources
from cleaners.meta.evidence import read_evidence as read_declared_evidence
from cleaners.meta.language import choose_language
from cleaners.meta.learned import (
    byline_place_blocks,
    learned_byline_places,
    read_byline_places,
)
from cleaners.meta.title import choose_title, learned_title_affixes

__all__ = [
    "Evidence", "PageMetadata", "byline_place_blocks", "learned_byline_places",
    "learned_title_affixes", "read_evidence", "resolve_metadata",
]  # fmt: skip


def read_evidence(
    tree: HtmlElement, url: str | None, byline_places: Sequence[str] = ()
) -> Evidence:
    """What the page declares about itself; its visible "By ..." lines, and the texts at the
    places the outlet's other pages show their bylines (`learned_byline_places`), are read
    only when its structured data, author marks and author links name no person; the
    bylines also when the person they name is shown among no author texts."""
    evidence = read_declared_evidence(tree, url, bylines=False)
    people = find_authors(evidence, beside=False).people
    if people and not shown_among_author_texts(people, evidence):
        # A declared author the page shows nowhere may be the posting account: its visible
        # byline names the writer.
        evidence.bylines = find_bylines(
            tree, evidence.by_leads, evidence.headline_holders, place=evidence.place
        )
    elif not people:
        evidence.bylines = find_bylines(
            tree, evidence.by_leads, evidence.headline_holders, evidence.beside_authors,
            evidence.place,
        )
        read_last_author_sources(tree, evidence)
        if byline_places:
            evidence.learned_bylines = read_byline_places(tree, byline_places)
    return evidence


@dataclass(slots=True)
class PageMetadata:
    """The resolved metadata fields of one page."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    author_organisations: list[str] = field(default_factory=list)
    published: str | None = None
    published_source: str | None = None
    updated: str | None = None
    language: str | None = None
    language_declared: str | None = None
    language_detected: str | None = None


def resolve_metadata(
    evidence: Evidence,
    *,
    body: str,
    title_fallback: str | None = None,
    author_fallback: str | None = None,
    declared_language: str | None = None,
    text_published: str | None = None,
    text_updated: str | None = None,
    fetched_at: datetime | None = None,
    search_date: Callable[[], str | None] | None = None,
    shown_date: Callable[[], str | None] | None = None,
    title_affixes: Sequence[str] = (),
) -> PageMetadata:
    """Every metadata field of a page from its evidence, its clean body and the fallbacks."""
    dates = find_dates(
        evidence,
        text_date=text_published,
        text_updated=text_updated,
        fetched_at=fetched_at,
        search_page=search_date,
        shown_date=shown_date,
    )
    authors = find_authors(evidence, author_fallback)
    language = choose_language(declared_language, body)
    return PageMetadata(
        title=choose_title(evidence, title_fallback, title_affixes),
        authors=authors.people,
        author_organisations=authors.organisations,
        published=dates.published,
        published_source=dates.published_source,
        updated=dates.updated,
        language=language.language,
        language_declared=language.declared,
        language_detected=language.detected,
    )
