"""The item the pipelines pass on after extraction: one cleaned article and where it came from.

`ExtractPipeline` builds it from a `core.items.Page` and the cleaners' `Article`;
`DedupePipeline` fills the dedupe keys; the storage backend turns it into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from cleaners.article import Article, removal_dict
from core.items import Page

# Article fields copied onto the record: all of them but `url` (the record names its own URLs)
# and `blocks` (learning's, never stored). ArticleRecord declares each with the same default.
ARTICLE_FIELDS = tuple(f.name for f in fields(Article) if f.name not in ("url", "blocks"))


@dataclass(slots=True)
class ArticleRecord:
    """A clean article with its page's identity, ready for validation, dedupe and storage.

    `url` is the requested URL and `final_url` the one after redirects; `canonical_url` is the
    page's own canonical link as the cleaners read it. `normalized_url` (the `articles.url` key)
    and `body_hash` are set by the dedupe pipeline; `alias_urls` are other addresses of the page.
    `raw_html` is kept only when raw storage is on.
    """

    url: str
    final_url: str
    outlet_id: str
    body: str
    fetched_at: str
    status: int | None = None
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    author_organisations: list[str] = field(default_factory=list)
    published: str | None = None
    published_source: str | None = None
    updated: str | None = None
    language: str | None = None
    language_declared: str | None = None
    language_detected: str | None = None
    description: str | None = None
    site_name: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    word_count: int = 0
    removed: list[dict[str, str]] = field(default_factory=list)
    cleaner_version: str = ""
    discovered_via: str | None = None
    normalized_url: str | None = None
    body_hash: str | None = None
    alias_urls: list[str] = field(default_factory=list)
    raw_html: bytes | None = None
    declared_encoding: str | None = None
    # The response's validators, sent back on a conditional re-visit (If-None-Match ...).
    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def from_article(
        cls, article: Article, page: Page, outlet_id: str, *, keep_raw_html: bool = False
    ) -> ArticleRecord:
        """The record for `page` cleaned into `article`; raw bytes kept only on request."""
        values = article_values(article)
        return cls(
            url=page.url,
            final_url=page.final_url or page.url,
            outlet_id=outlet_id,
            fetched_at=page.fetched_at,
            status=page.status,
            discovered_via=page.discovered_via,
            raw_html=bytes(page.body) if keep_raw_html else None,
            declared_encoding=page.declared_encoding,
            etag=header_value(page.headers, "ETag"),
            last_modified=header_value(page.headers, "Last-Modified"),
            **values,
        )


def article_values(article: Article) -> dict[str, Any]:
    """The record's fields an `Article` gives (all of `ARTICLE_FIELDS`), removals as dicts."""
    values: dict[str, Any] = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    values["authors"] = list(values["authors"] or [])
    values["author_organisations"] = list(values["author_organisations"] or [])
    values["tags"] = list(values["tags"] or [])
    values["removed"] = [removal_dict(removal, empty_reason=False) for removal in article.removed]
    return values


def header_value(headers: dict[str, str], name: str) -> str | None:
    """A header of a Page by case-insensitive name (Scrapy writes `Etag`), or None."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)
