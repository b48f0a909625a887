"""The storage interface the store pipeline writes through.

One small abstract class, so a second backend (PostgreSQL for several crawler machines) is a new
module beside `sqlite.py`; both build on `common.BatchedStorage`, which holds the shared flow.
Backends batch their writes: `save_*` may leave rows in an open batch until `flush()` (or the
batch size or flush interval) commits them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.items import Failure
from core.outlets import Outlet
from core.records import ArticleRecord


class SaveResult(StrEnum):
    """What saving one article did to the store."""

    INSERTED = "inserted"  # a new article row
    UPDATED = "updated"  # a known URL whose content changed, updated in place
    UNCHANGED = "unchanged"  # a known URL, same content: only last_seen/crawl moved
    DUPLICATE = "duplicate"  # same body as an article under another URL: URL recorded only


class StorageFault(RuntimeError):
    """The store cannot write at all (disk full, read-only file, lock not granted in time ...).

    Unlike a bad row, which fails alone, a fault stops the crawl: every later write would fail
    too. `lost` is how many items of the open, uncommitted batch were rolled back with it.
    """

    def __init__(self, message: str, *, lost: int = 0) -> None:
        super().__init__(message)
        self.lost = lost


@dataclass(frozen=True, slots=True)
class KnownUrl:
    """What an earlier run left about a URL: a stored article, or the last failure to get one.

    For an article: the validators of its last fetch (`etag`, `last_modified`) and its age
    (`published`, `first_seen`); for a failure: its `reason` and HTTP `status`.
    """

    kind: str  # "article" or "failure"
    etag: str | None = None
    last_modified: str | None = None
    published: str | None = None
    first_seen: str | None = None
    reason: str | None = None
    status: int | None = None


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A page whose raw HTML is kept, and the article it produced."""

    url: str
    article_id: int
    outlet_id: str
    encoding: str | None
    fetched_at: str | None


class Storage(ABC):
    """Where articles, failures, outlets and crawl runs are kept."""

    @abstractmethod
    def open(self) -> None:
        """Connect, and create or migrate the schema."""

    @abstractmethod
    def close(self) -> None:
        """Commit the open batch and disconnect."""

    @abstractmethod
    def flush(self) -> None:
        """Commit the open batch now."""

    def flush_if_due(self) -> None:
        """Commit the open batch if it is older than the flush interval (timer hook)."""
        self.flush()

    @abstractmethod
    def ensure_outlet(self, outlet: Outlet) -> None:
        """Insert or refresh an outlet row (first_seen kept, last_seen moved)."""

    @abstractmethod
    def save_article(self, record: ArticleRecord, crawl_id: int | None = None) -> SaveResult:
        """Store one article; its dedupe keys (`normalized_url`, `body_hash`) must be set."""

    @abstractmethod
    def save_failure(self, failure: Failure, crawl_id: int | None = None) -> None:
        """Record a page that will not be stored, and why."""

    @abstractmethod
    def start_crawl(self, spider: str) -> int:
        """Open a crawl run row; returns its id."""

    @abstractmethod
    def finish_crawl(
        self,
        crawl_id: int,
        *,
        finish_reason: str | None,
        stats: Mapping[str, Any],
        items_stored: int,
        failures: int,
    ) -> None:
        """Close a crawl run row with Scrapy's stats and the run's counts."""

    @abstractmethod
    def url_known(self, url: str) -> bool:
        """True if `url` (normalised) is an article URL or one of its recorded aliases."""

    def lookup_url(self, url: str) -> KnownUrl | None:
        """What is known about `url` (an article's address first, else its latest failure).

        Reads committed rows only. This default knows articles, without their validators.
        """
        return KnownUrl(kind="article") if self.url_known(url) else None

    def mark_not_modified(self, url: str, crawl_id: int | None = None) -> bool:
        """A conditional re-visit answered 304: move the article's last_seen; False if unknown."""
        raise NotImplementedError

    # Re-cleaning: the raw HTML kept with articles, and their content written again

    def stored_pages(self, outlets: Iterable[str] = ()) -> list[StoredPage]:
        """Pages whose raw HTML is kept, with their articles, by outlet then URL (only
        `outlets` if given)."""
        raise NotImplementedError

    def page_html(self, url: str) -> bytes | None:
        """The raw HTML kept for a fetched URL, or None."""
        raise NotImplementedError

    def replace_content(self, article_id: int, record: ArticleRecord) -> bool:
        """Write a stored article's content again from `record` (cleaned anew), keeping the
        replaced text in `article_versions`; False when nothing differs."""
        raise NotImplementedError
