"""Items that leave the spiders: a fetched page, or a fetch that failed.

Spiders only discover and fetch; cleaning happens in `pipelines.extract`, storage in
`pipelines.store`. Items are dataclasses, read through `itemadapter` by the pipelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> str:
    """The current time as an ISO 8601 string in UTC, second precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(slots=True)
class Page:
    """A fetched response, before any cleaning.

    `body` is the raw bytes; `declared_encoding` is the charset of the Content-Type header only
    (None when absent), so the cleaners can decide between header, BOM, <meta> and detection.
    """

    url: str
    final_url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    declared_encoding: str | None = None
    outlet_id: str | None = None
    discovered_via: str | None = None
    fetched_at: str = field(default_factory=utc_now)


@dataclass(slots=True)
class Failure:
    """A page that was (or should have been) fetched but will not be stored, and why.

    `stage` is where it failed (fetch, extract, validate, store); `reason` is a stable code
    (http_error, timeout, dns_error, not_html, too_short, not_article, ...).
    """

    url: str
    stage: str
    reason: str
    detail: str = ""
    status: int | None = None
    outlet_id: str | None = None
    fetched_at: str = field(default_factory=utc_now)


@dataclass(slots=True)
class NotModified:
    """A stored article re-visited with a conditional request, answered 304 Not Modified.

    Made by `crawler.incremental` in place of the empty Page; the store only moves the article's
    `last_seen` (and `crawl_id`), since the server says nothing changed.
    """

    url: str
    final_url: str
    outlet_id: str | None = None
    fetched_at: str = field(default_factory=utc_now)
