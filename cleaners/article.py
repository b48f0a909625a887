"""The result of cleaning one page: article text plus metadata and an audit trail."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Removal:
    """One piece of text a cleaner took out, kept so a user can audit why a line is missing.

    `reason` says why when the cleaner's name does not (learned boilerplate: "seen on 11 of 12
    pages of outlet example").
    """

    cleaner: str
    text: str
    reason: str = ""

    def __reduce__(self) -> tuple[type[Removal], tuple[str, str, str]]:
        # A page has dozens of removals and every one crosses from a worker to the crawl
        # process: the frozen dataclass's own state functions run Python code per field.
        return Removal, (self.cleaner, self.text, self.reason)


@dataclass(slots=True)
class Article:
    """Clean article text and its metadata, as `extract_article` returns it.

    Dates are ISO 8601 strings (date, or date-time with the UTC offset the page gives), `body`
    is the clean paragraphs joined by newlines without the title, and `removed` lists what
    every cleaner stage took out.
    """

    body: str
    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    # Organisations named as the author ("Reuters", "The Example Team") when no person is.
    author_organisations: list[str] = field(default_factory=list)
    published: str | None = None
    # Where `published` came from: "jsonld", "meta", "time", "url", "text", "htmldate".
    published_source: str | None = None
    updated: str | None = None
    # The language to use, and apart what the page declares and what its body reads as.
    language: str | None = None
    language_declared: str | None = None
    language_detected: str | None = None
    description: str | None = None
    site_name: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    word_count: int = 0
    removed: list[Removal] = field(default_factory=list)
    cleaner_version: str = ""
    # The page's distinct text blocks (cleaners.profile.PageBlock), only when extraction was
    # asked to collect them for learning an outlet's boilerplate; not part of `to_dict()`.
    blocks: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every article field (`removed` as a list of {cleaner, text})."""
        data = asdict(replace(self, blocks=[], removed=[]))
        del data["blocks"]
        data["removed"] = [removal_dict(removal) for removal in self.removed]
        return data


def removal_dict(removal: Removal, *, empty_reason: bool = True) -> dict[str, str]:
    """A removal as a JSON-ready dict: {cleaner, text, reason}, as `Article.to_dict` gives it.

    `empty_reason=False` leaves the reason out when there is none, as the store writes
    `articles.removed` (most removals have none: the cleaner's name says why).
    """
    data = {"cleaner": removal.cleaner, "text": removal.text}
    if removal.reason or empty_reason:
        data["reason"] = removal.reason
    return data
