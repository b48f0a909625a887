"""Learn pipeline: per-outlet block counts of the cleaned pages, and the profiles learned from them.

`ProfileBook` holds per-outlet block counts (loaded from, and written to, the SQLite database's
`boilerplate_*` tables) and the profiles learned from them with the `CLEANNEWS_PROFILE_*`
thresholds. The extract step, which parses each page, asks it for the outlet's profile, cleans
with it, and counts the page's blocks in it; this component writes the counts to the database.
The first pages of an outlet are cleaned before anything is learned: `python -m cleaners
reclean` fixes them.

Block counts go through their own connection (`storage.boilerplate.BlockCountStore`). The store
pipeline holds the write lock while a batch is open, so pending pages are written when the lock
is free (between batches, never waiting) and at the end of the crawl, after the store has
committed and closed.
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from cleaners.profile import (
    DEFAULT_WINDOW_PAGES,
    BlockStats,
    BoilerplateProfile,
    OutletCounts,
    PageBlock,
    ProfileThresholds,
)
from core.records import ArticleRecord
from pipelines.config import STATS_PREFIX
from storage.boilerplate import BlockCountStore

logger = logging.getLogger(__name__)

# Pending pages are written once this many have queued up (or at the end of the crawl). A block
# on many pages of a batch is one write for the batch: 100 pages a batch write learning counts
# for about two thirds of the CPU that 20 did; a crawl killed outright loses the counts of the
# pages still pending (their articles are stored; `reclean` rebuilds counts from raw HTML).
FLUSH_EVERY_PAGES = 100


def thresholds_from_settings(settings: BaseSettings) -> ProfileThresholds:
    """The `CLEANNEWS_PROFILE_*` thresholds (crawler/settings.py documents each)."""
    return ProfileThresholds(
        min_pages=settings.getint("CLEANNEWS_PROFILE_MIN_PAGES"),
        short_max_words=settings.getint("CLEANNEWS_PROFILE_SHORT_MAX_WORDS"),
        short_share=settings.getfloat("CLEANNEWS_PROFILE_SHORT_SHARE"),
        long_share=settings.getfloat("CLEANNEWS_PROFILE_LONG_SHARE"),
        min_block_pages=settings.getint("CLEANNEWS_PROFILE_MIN_BLOCK_PAGES"),
        min_paragraph_pages=settings.getint("CLEANNEWS_PROFILE_MIN_PARAGRAPH_PAGES"),
    )


def window_from_settings(settings: BaseSettings) -> int:
    """`CLEANNEWS_PROFILE_WINDOW_PAGES`: how many recent pages of an outlet are counted (0: all)."""
    window = settings.getint("CLEANNEWS_PROFILE_WINDOW_PAGES")
    if window < 0:
        raise ValueError(f"CLEANNEWS_PROFILE_WINDOW_PAGES must be 0 or more, got {window}")
    return window


def learning_database(settings: BaseSettings) -> str | None:
    """The SQLite file the counts are kept in: the store's own, or None when it has none.

    The counts live beside the articles; with a PostgreSQL store (`DATABASE_URL`) there is no
    SQLite file of the crawl's, and several crawler processes must not share a stray one.
    """
    database_url = settings.get("DATABASE_URL") or ""
    if database_url:
        if database_url.startswith("sqlite:///"):
            return database_url.removeprefix("sqlite:///") or None
        return None
    return settings.get("SQLITE_PATH") or None


def learning_enabled(settings: BaseSettings) -> bool:
    """Learning needs the switch on and an SQLite store to keep the counts in."""
    return settings.getbool("CLEANNEWS_LEARN_BOILERPLATE") and bool(learning_database(settings))


class ProfileBook:
    """Per-outlet block counts and learned profiles for one crawl, backed by the database.

    The counting and learning are `cleaners.profile.OutletCounts`'s; the tables are
    `storage.boilerplate.BlockCountStore`'s. The counts of an outlet describe its `window_pages`
    most recently recorded pages (0: all of them): each write uncounts the pages that fell out
    of the window, in the database and here, so the book's memory and the tables stay bounded
    however long the outlet is crawled.
    """

    _by_crawler: weakref.WeakKeyDictionary[Crawler, ProfileBook] = weakref.WeakKeyDictionary()

    def __init__(
        self,
        path: str | Path,
        thresholds: ProfileThresholds,
        window_pages: int = DEFAULT_WINDOW_PAGES,
    ) -> None:
        self.path = str(path)
        self.thresholds = thresholds
        self.window_pages = window_pages
        self.store = BlockCountStore(path)
        self.counts = OutletCounts(thresholds)
        self._pending: dict[tuple[str, str], list[PageBlock]] = {}

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> ProfileBook:
        """The one book of a crawler, shared by the extract and learn components."""
        book = cls._by_crawler.get(crawler)
        if book is None:
            settings = crawler.settings
            book = cls(
                learning_database(settings),
                thresholds_from_settings(settings),
                window_from_settings(settings),
            )
            cls._by_crawler[crawler] = book
            # Counts still pending are written at the end even without the learn component.
            crawler.signals.connect(book.spider_closed, signal=signals.spider_closed)
        return book

    def spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        """Write what is pending and close (a no-op when the learn component closed it)."""
        self.close()

    # Connection

    @property
    def conn(self) -> sqlite3.Connection | None:
        """The block-count tables' connection (None while closed)."""
        return self.store.conn

    def open(self) -> None:
        self.store.open()

    def close(self) -> None:
        if self.store.conn is None:
            return
        self.flush(wait=True)
        self.store.close()

    # Learning

    @property
    def stats(self) -> dict[str, BlockStats]:
        """The counts loaded so far, by outlet."""
        return self.counts.stats

    def outlet_stats(self, outlet_id: str) -> BlockStats:
        """An outlet's counts, loaded from the database the first time they are needed."""
        stats = self.counts.stats.get(outlet_id)
        if stats is None:
            stats = self.counts.add_outlet(self.store.load_stats(outlet_id))
        return stats

    def profile_for(self, outlet_id: str) -> BoilerplateProfile:
        """The outlet's profile from its current counts (relearned as pages come in)."""
        self.outlet_stats(outlet_id)
        return self.counts.profile_for(outlet_id)

    def _learn(self, stats: BlockStats) -> BoilerplateProfile:
        return self.counts.learn(stats)

    def record(self, outlet_id: str, url: str, blocks: Iterable[PageBlock]) -> bool:
        """Count one page's blocks for its outlet (a page already counted replaces its old
        contribution); False when nothing changed."""
        blocks = list({b.fingerprint: b for b in blocks}.values())
        self.outlet_stats(outlet_id)
        key = (outlet_id, url)
        if key in self._pending:
            old: list[str] | None = [b.fingerprint for b in self._pending[key]]
        else:
            old = self.store.stored_fingerprints(outlet_id, url)
        if not self.counts.count_page(outlet_id, blocks, old):
            return False
        self._pending[key] = blocks
        return True

    # Writing

    @property
    def pending(self) -> int:
        """Pages counted in memory but not yet written to the database."""
        return len(self._pending)

    def flush(self, *, wait: bool = False) -> bool:
        """Write pending pages; without `wait`, only if no other writer holds the lock now."""
        if not self._pending:
            return True
        # With blocks learnable from two pages up, a block on one page gets no row (its page's
        # fingerprints record it): the counts held here say which those are.
        counts = (
            {outlet_id: stats.counts for outlet_id, stats in self.counts.stats.items()}
            if self.thresholds.min_block_pages >= 2 else None
        )
        pages = [(*key, blocks) for key, blocks in self._pending.items()]
        evicted = self.store.write_pages(pages, counts, self.window_pages, wait=wait)
        if evicted is None:
            return False
        self._pending.clear()
        # Only once the write is committed do the counts held here follow it.
        for outlet_id, fingerprints in evicted.items():
            self.counts.uncount(outlet_id, fingerprints)
        return True


class LearnPipeline:
    """Opens the book, writes the block counts the extract step makes, closes it at the end.

    Off unless `CLEANNEWS_LEARN_BOILERPLATE` is on and the store is SQLite.
    """

    def __init__(self, book: ProfileBook, stats: Any = None) -> None:
        self.book = book
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LearnPipeline:
        settings = crawler.settings
        if not settings.getbool("CLEANNEWS_LEARN_BOILERPLATE"):
            raise NotConfigured("learning boilerplate is off (CLEANNEWS_LEARN_BOILERPLATE)")
        if not learning_enabled(settings):
            raise NotConfigured(
                "learning boilerplate needs an SQLite store; the configured store has none "
                "(DATABASE_URL), so pages are cleaned without learned profiles"
            )
        return cls(ProfileBook.for_crawler(crawler), crawler.stats)

    def open_spider(self) -> None:
        self.book.open()

    def close_spider(self) -> None:
        # Runs after the store pipeline closed (Scrapy closes components in reverse order).
        self.book.close()

    def process_item(self, item: Any) -> Any:
        """Write counted pages once enough are pending and the store's lock is free."""
        if isinstance(item, ArticleRecord) and self.book.pending >= FLUSH_EVERY_PAGES:
            written = self.book.pending
            if self.book.flush() and self.stats is not None:
                self.stats.inc_value(f"{STATS_PREFIX}/learn/pages_written", written)
        return item
