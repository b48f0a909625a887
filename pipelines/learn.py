"""Learn pipeline: per-outlet block counts of the cleaned pages, and the profiles learned from them.

`ProfileBook` holds per-outlet block counts (loaded from, and written to, the SQLite database's
`boilerplate_*` tables) and the profiles learned from them with the `CLEANNEWS_PROFILE_*`
thresholds. The extract step, which parses each page, asks it for the outlet's profile, cleans
with it, and counts the page's blocks in it; this component writes the counts to the database.
The first pages of an outlet are cleaned before anything is learned: `python -m cleaners
reclean` fixes them.

Block counts go through their own `sqlite3` connection. The store pipeline holds the write lock
while a batch is open, so pending pages are written when the lock is free (between batches,
never waiting) and at the end of the crawl, after the store has committed and closed.
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from cleaners.profile import (
    DEFAULT_THRESHOLDS,
    DEFAULT_WINDOW_PAGES,
    BlockStats,
    BoilerplateProfile,
    PageBlock,
    ProfileThresholds,
    learn_profile,
)
from core.records import ArticleRecord
from pipelines.config import STATS_PREFIX
from storage.boilerplate import (
    create_tables,
    evict_oldest_pages,
    has_tables,
    load_stats,
    record_pages,
    stored_fingerprints,
)

logger = logging.getLogger(__name__)

# Pending pages are written once this many have queued up (or at the end of the crawl). A block
# on many pages of a batch is one write for the batch: 100 pages a batch write learning counts
# for about two thirds of the CPU that 20 did; a crawl killed outright loses the counts of the
# pages still pending (their articles are stored; `reclean` rebuilds counts from raw HTML).
FLUSH_EVERY_PAGES = 100
# Seconds the final write waits for another writer (another crawler process) to finish.
CLOSE_BUSY_TIMEOUT = 30.0


def thresholds_from_settings(settings: BaseSettings) -> ProfileThresholds:
    """The `CLEANNEWS_PROFILE_*` thresholds (crawler/settings.py documents each)."""
    default = DEFAULT_THRESHOLDS
    return ProfileThresholds(
        min_pages=settings.getint("CLEANNEWS_PROFILE_MIN_PAGES", default.min_pages),
        short_max_words=settings.getint(
            "CLEANNEWS_PROFILE_SHORT_MAX_WORDS", default.short_max_words
        ),
        short_share=settings.getfloat("CLEANNEWS_PROFILE_SHORT_SHARE", default.short_share),
        long_share=settings.getfloat("CLEANNEWS_PROFILE_LONG_SHARE", default.long_share),
        min_block_pages=settings.getint(
            "CLEANNEWS_PROFILE_MIN_BLOCK_PAGES", default.min_block_pages
        ),
        min_paragraph_pages=settings.getint(
            "CLEANNEWS_PROFILE_MIN_PARAGRAPH_PAGES", default.min_paragraph_pages
        ),
    )


def window_from_settings(settings: BaseSettings) -> int:
    """`CLEANNEWS_PROFILE_WINDOW_PAGES`: how many recent pages of an outlet are counted (0: all)."""
    window = settings.getint("CLEANNEWS_PROFILE_WINDOW_PAGES", DEFAULT_WINDOW_PAGES)
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


class FrequentBlocks:
    """An outlet's fingerprints grouped by how many pages they were seen on, from `floor` up.

    Relearning a profile used to walk every block an outlet ever had, nearly all of them seen on
    one page (the stories' own text), and did so each time the outlet grew by a twentieth:
    most of the crawl process's time in a long crawl of a big outlet. No block under the
    thresholds' floor can be learned, so only the few above it are kept here, by count.
    """

    def __init__(self, floor: int, counts: Counter[str]) -> None:
        self.floor = max(1, floor)
        self.by_pages: dict[int, set[str]] = {}
        for print_, pages in counts.items():
            if pages >= self.floor:
                self.by_pages.setdefault(pages, set()).add(print_)

    def moved(self, print_: str, before: int, after: int) -> None:
        """Note that a block went from `before` pages to `after` pages."""
        if before == after:
            return
        if before >= self.floor:
            group = self.by_pages[before]
            group.discard(print_)
            if not group:
                del self.by_pages[before]
        if after >= self.floor:
            self.by_pages.setdefault(after, set()).add(print_)

    def at_least(self, pages: int) -> Counter[str]:
        """Blocks seen on at least `pages` pages (and the floor), with their counts."""
        least = max(pages, self.floor)
        return Counter({
            print_: count
            for count, group in self.by_pages.items() if count >= least
            for print_ in group
        })


class ProfileBook:
    """Per-outlet block counts and learned profiles for one crawl, backed by the database.

    The counts of an outlet describe its `window_pages` most recently recorded pages (0: all of
    them): each write uncounts the pages that fell out of the window, in the database and here,
    so the book's memory and the tables stay bounded however long the outlet is crawled.
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
        self.conn: sqlite3.Connection | None = None
        self.stats: dict[str, BlockStats] = {}
        self._frequent: dict[str, FrequentBlocks] = {}
        self._profiles: dict[str, BoilerplateProfile] = {}
        self._pending: dict[tuple[str, str], list[PageBlock]] = {}
        # Pages recorded per outlet by this book, and how many it had when last relearned: the
        # window keeps `stats.pages` from growing, so growth in pages cannot time relearning.
        self._recorded: Counter[str] = Counter()
        self._learned_at: dict[str, int] = {}

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

    def open(self) -> None:
        if self.conn is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit, so a failed lock attempt leaves none open.
        self.conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        if not has_tables(self.conn):  # the store's migration makes them; a bare file may not
            self._try_write(create_tables, wait=True)

    def close(self) -> None:
        if self.conn is None:
            return
        self.flush(wait=True)
        self.conn.close()
        self.conn = None

    # Learning

    def outlet_stats(self, outlet_id: str) -> BlockStats:
        """An outlet's counts, loaded from the database the first time they are needed."""
        stats = self.stats.get(outlet_id)
        if stats is None:
            self.open()
            assert self.conn is not None
            stats = self.stats[outlet_id] = load_stats(self.conn, outlet_id)
            floor = self.thresholds.min_block_pages
            self._frequent[outlet_id] = FrequentBlocks(floor, stats.counts)
        return stats

    def profile_for(self, outlet_id: str) -> BoilerplateProfile:
        """The outlet's profile from its current counts (relearned as pages come in).

        Relearning walks the outlet's frequent blocks, so past 20 pages it waits until a
        twentieth of the outlet's pages has been recorded since the last time.
        """
        stats = self.outlet_stats(outlet_id)
        profile = self._profiles.get(outlet_id)
        since = self._recorded[outlet_id] - self._learned_at.get(outlet_id, 0)
        if profile is None or since >= max(1, profile.pages // 20):
            profile = self._profiles[outlet_id] = self._learn(stats)
            self._learned_at[outlet_id] = self._recorded[outlet_id]
        return profile

    def _learn(self, stats: BlockStats) -> BoilerplateProfile:
        """`learn_profile(stats)`, looking only at blocks seen on enough pages to qualify."""
        thresholds = self.thresholds
        # A block's required pages depend on its words only through short line or paragraph.
        least = min(
            thresholds.required_pages(words, stats.pages)
            for words in (thresholds.short_max_words, thresholds.short_max_words + 1)
        )
        candidates = BlockStats(stats.outlet_id, stats.pages, samples=stats.samples)
        candidates.counts = self._frequent[stats.outlet_id].at_least(least)
        return learn_profile(candidates, thresholds)

    def record(self, outlet_id: str, url: str, blocks: Iterable[PageBlock]) -> bool:
        """Count one page's blocks for its outlet (a page already counted replaces its old
        contribution); False when nothing changed."""
        blocks = list({b.fingerprint: b for b in blocks}.values())
        stats = self.outlet_stats(outlet_id)
        key = (outlet_id, url)
        if key in self._pending:
            old: list[str] | None = [b.fingerprint for b in self._pending[key]]
        else:
            assert self.conn is not None
            old = stored_fingerprints(self.conn, outlet_id, url)
        if old is not None and sorted(old) == sorted(b.fingerprint for b in blocks):
            return False
        self._recorded[outlet_id] += 1
        counts = stats.counts
        frequent = self._frequent[outlet_id]
        floor = frequent.floor
        if old is None:  # a page counted for the first time: the common case, in one pass
            stats.pages += 1
            samples = stats.samples
            # Most blocks are on one page for ever (the story's own text); their samples are
            # kept once they are on a second page (what no profile can take needs none).
            sampled = min(floor, 2)
            for print_, text, words in blocks:
                before = counts.get(print_, 0)
                counts[print_] = before + 1
                if before + 1 >= sampled:
                    samples.setdefault(print_, (text, words))
                    if before + 1 >= floor:
                        frequent.moved(print_, before, before + 1)
            self._pending[key] = blocks
            return True
        touched = {b.fingerprint: counts.get(b.fingerprint, 0) for b in blocks}
        touched.update((print_, counts.get(print_, 0)) for print_ in old)
        stats.remove_page(old)
        stats.add_page(blocks)
        for print_, before in touched.items():
            after = counts.get(print_, 0)
            if before >= floor or after >= floor:
                frequent.moved(print_, before, after)
        self._pending[key] = blocks
        return True

    def _uncount(self, outlet_id: str, evicted: list[list[str]]) -> None:
        """Take pages that fell out of the window out of the counts held here.

        The count changes are summed per block first: a window full of pages evicts one page
        for every page recorded, and the site's furniture, on nearly every page, then moves
        once a write instead of once a page.
        """
        stats = self.stats.get(outlet_id)
        if stats is None or not evicted:
            return
        stats.pages = max(0, stats.pages - len(evicted))
        deltas = Counter(print_ for fingerprints in evicted for print_ in set(fingerprints))
        counts, samples = stats.counts, stats.samples
        frequent = self._frequent[outlet_id]
        floor = frequent.floor
        for print_, delta in deltas.items():
            was = counts.get(print_, 0)
            now = max(0, was - delta)
            if now:
                counts[print_] = now
            else:
                counts.pop(print_, None)
                samples.pop(print_, None)
            if was >= floor:
                frequent.moved(print_, was, now)

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
            {outlet_id: stats.counts for outlet_id, stats in self.stats.items()}
            if self.thresholds.min_block_pages >= 2 else None
        )

        evicted: dict[str, list[list[str]]] = {}

        def write(conn: sqlite3.Connection) -> None:
            pages = [(*key, blocks) for key, blocks in self._pending.items()]
            record_pages(conn, pages, counts)
            for outlet_id in sorted({outlet_id for outlet_id, _url in self._pending}):
                evicted[outlet_id] = evict_oldest_pages(conn, outlet_id, self.window_pages)

        if self._try_write(write, wait=wait):
            self._pending.clear()
            # Only once the write is committed do the counts held here follow it.
            for outlet_id, pages in evicted.items():
                self._uncount(outlet_id, pages)
            return True
        return False

    def _try_write(self, write: Any, *, wait: bool) -> bool:
        assert self.conn is not None
        self.conn.execute(f"PRAGMA busy_timeout = {int(CLOSE_BUSY_TIMEOUT * 1000) if wait else 0}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if wait or "locked" not in str(exc):
                raise
            return False
        try:
            write(self.conn)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
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
