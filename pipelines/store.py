"""Store pipeline: articles and failures into the storage backend, one crawl row per run.

`open_spider` opens (and migrates) the store, starts a crawl row and upserts every configured
outlet; `close_spider` commits the last batch and records the run with Scrapy's stats. A timer
commits a half-full batch every `CLEANNEWS_FLUSH_INTERVAL` seconds while the crawl is idle.

A bad row fails alone (a `store_error` failure row). A `StorageFault` (disk full, read-only file,
database locked beyond the timeout) stops the crawl instead, with the finish reason
`storage_error` (so `scrapy crawl` exits with 1): committed batches stay, the open batch is rolled
back, and every item not stored is logged; their URLs are unknown to the store, so the next run
fetches them again.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro

from core.items import Failure, NotModified
from core.keys import fill_dedupe_keys
from core.outlets import Outlet, OutletRegistry, host_of
from core.records import ArticleRecord
from crawler.signals import batch_committed
from pipelines.config import STATS_PREFIX, outlets_from_settings
from storage import SaveResult, Storage, StorageFault, storage_from_settings

logger = logging.getLogger(__name__)

# Results that leave the article row written or refreshed by this crawl.
STORED_RESULTS = (SaveResult.INSERTED, SaveResult.UPDATED, SaveResult.UNCHANGED)


class StorePipeline:
    """Writes `ArticleRecord` and `Failure` items; other items pass through untouched."""

    def __init__(self, storage: Storage, outlets: OutletRegistry, crawler: Crawler) -> None:
        self.storage = storage
        self.outlets = outlets
        self.crawler = crawler
        self.stats = crawler.stats
        self.crawl_id: int | None = None
        self.counts: Counter[str] = Counter()
        self._known_outlets: set[str] = set()
        self._flush_timer: Any = None
        self.fault: StorageFault | None = None
        self._open_batch: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        storage = storage_from_settings(crawler.settings)
        if storage is None:
            raise NotConfigured("no SQLITE_PATH or DATABASE_URL: storage is off")
        pipeline = cls(storage, outlets_from_settings(crawler.settings), crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # Lifecycle

    def open_spider(self) -> None:
        try:
            self.storage.open()
            self.crawl_id = self.storage.start_crawl(self._spider_name())
            # A spider that fetches given URLs (`urls`) adds only the outlets it stores for.
            if getattr(self.crawler.spider, "registers_outlets", True):
                for outlet in self.outlets:
                    self._ensure_outlet(outlet)
            self.storage.flush()
            # After each commit: items that left the pipelines so far are durable.
            listeners = getattr(self.storage, "commit_listeners", None)
            if listeners is not None:
                listeners.append(self._open_batch.clear)
                if self.crawler.signals is not None:
                    listeners.append(
                        lambda: self.crawler.signals.send_catch_log(signal=batch_committed)
                    )
        except StorageFault as exc:
            # The crawl does not start: Scrapy logs this and `scrapy crawl` exits with 1.
            logger.error("Storage error, not crawling: %s", exc)
            raise

    def close_spider(self) -> None:
        self._stop_timer()
        if self.fault is not None:
            self._close_after_fault()
            return
        try:
            self.storage.flush()
            self._finish_crawl(finish_reason=None)
        except StorageFault as exc:
            self._on_fault(exc)
            self._close_after_fault()
            return
        finally:
            if self.fault is None:
                self.storage.close()

    def spider_opened(self, spider: Any) -> None:
        """Start the timer that commits a half-full batch while pages trickle in."""
        interval = getattr(self.storage, "flush_interval", 0)
        if interval and interval > 0:
            self._flush_timer = create_looping_call(self._flush_if_due)
            self._flush_timer.start(interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Add the finish reason (known only now, after the pipelines closed) to the crawl row."""
        self._stop_timer()
        if self.crawl_id is None:
            return
        try:
            self.storage.open()
            try:
                self._finish_crawl(finish_reason=reason)
            finally:
                self.storage.close()
        except StorageFault as exc:
            logger.error("Could not record the end of crawl %s: %s", self.crawl_id, exc)

    # Items

    def process_item(self, item: Any) -> Any:
        if self.fault is not None:
            if isinstance(item, ArticleRecord | Failure | NotModified):
                self._not_stored(item)
            return item
        if isinstance(item, ArticleRecord | Failure | NotModified):
            # URLs written since the last commit: a fault rolls them back, and each is logged.
            self._open_batch.append(self._url_of(item))
        try:
            if isinstance(item, ArticleRecord):
                self._store_article(item)
            elif isinstance(item, Failure):
                self._store_failure(item)
            elif isinstance(item, NotModified):
                self._store_not_modified(item)
        except StorageFault as exc:
            if self._open_batch:
                self._open_batch.pop()  # this item is logged as not stored below
            self._on_fault(exc)
            self._not_stored(item)
        return item

    @staticmethod
    def _url_of(item: Any) -> str:
        return getattr(item, "final_url", None) or getattr(item, "url", "?")

    # Storage faults

    def _on_fault(self, exc: StorageFault) -> None:
        """Stop storing and close the crawl: every later write would fail the same way."""
        if self.fault is not None:
            return
        self.fault = exc
        self._stop_timer()
        logger.error(
            "Storage error, stopping the crawl: %s. Committed rows are kept; %d item(s) of the "
            "open batch were rolled back and will be fetched again by the next run.",
            exc, exc.lost,
        )
        self._inc("storage_errors")
        self._inc_by("not_stored", exc.lost)
        rolled_back = list(self._open_batch)
        self._open_batch.clear()
        for url in rolled_back:
            logger.warning("Not stored (rolled back by the storage error): %s", url)
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling: the pipeline is used on its own
            engine = None
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="storage_error"))

    def _not_stored(self, item: Any) -> None:
        logger.warning("Not stored (storage error): %s", self._url_of(item))
        self._inc("not_stored")

    def _close_after_fault(self) -> None:
        """Close the store without writing: the open batch was already rolled back."""
        try:
            self.storage.close()
        except Exception:  # the same fault again; nothing more can be written
            logger.exception("Could not close the store cleanly after a storage error")

    def _store_article(self, record: ArticleRecord) -> None:
        if record.normalized_url is None or record.body_hash is None:
            fill_dedupe_keys(record)  # the dedupe pipeline is off; the keys are still needed
        try:
            self._ensure_outlet(self._outlet_of(record))
            result = self.storage.save_article(record, self.crawl_id)
        except StorageFault:
            raise
        except Exception as exc:  # a bad row must not end the crawl; it becomes a failure row
            logger.exception("Could not store %s", record.final_url)
            self._store_failure(
                Failure(
                    url=record.final_url,
                    stage="store",
                    reason="store_error",
                    detail=repr(exc),
                    status=record.status,
                    outlet_id=record.outlet_id,
                    fetched_at=record.fetched_at,
                )
            )
            return
        self.counts[result.value] += 1
        self._inc(f"articles/{result.value}")
        if result in STORED_RESULTS:
            self._inc("articles_stored")

    def _store_not_modified(self, item: NotModified) -> None:
        """A conditional re-visit answered 304: the article is unchanged, only seen again."""
        if self.storage.mark_not_modified(item.url, self.crawl_id):
            result = SaveResult.UNCHANGED
            self.counts[result.value] += 1
            self._inc(f"articles/{result.value}")
            self._inc("articles/not_modified")
            self._inc("articles_stored")

    def _store_failure(self, failure: Failure) -> None:
        try:
            self.storage.save_failure(failure, self.crawl_id)
        except StorageFault:
            raise
        except Exception:
            logger.exception("Could not record failure of %s", failure.url)
            return
        self.counts["failures"] += 1
        self._inc("failures")
        self._inc(f"failures/{failure.reason}")

    # Helpers

    def _outlet_of(self, record: ArticleRecord) -> Outlet:
        """The configured outlet of a record, or the ad-hoc one the extract step made for it."""
        outlet = self.outlets.get(record.outlet_id)
        if outlet is not None:
            return outlet
        host = host_of(record.final_url)
        return Outlet(
            id=record.outlet_id,
            name=record.site_name or record.outlet_id,  # the page's declared site name
            domains=(host,) if host else (),
        )

    def _ensure_outlet(self, outlet: Outlet) -> None:
        if outlet.id not in self._known_outlets:
            self.storage.ensure_outlet(outlet)
            self._known_outlets.add(outlet.id)

    def _finish_crawl(self, finish_reason: str | None) -> None:
        if self.crawl_id is None:
            return
        stored = sum(self.counts[result.value] for result in STORED_RESULTS)
        self.storage.finish_crawl(
            self.crawl_id,
            finish_reason=finish_reason,
            stats=self.stats.get_stats() if self.stats is not None else {},
            items_stored=stored,
            failures=self.counts["failures"],
        )

    def _flush_if_due(self) -> None:
        self.storage.flush_if_due()

    def _stop_timer(self) -> None:
        if self._flush_timer is not None and self._flush_timer.running:
            self._flush_timer.stop()
        self._flush_timer = None

    def _spider_name(self) -> str:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "name", None) or getattr(self.crawler.spidercls, "name", "") or ""

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/{key}")

    def _inc_by(self, key: str, count: int) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"{STATS_PREFIX}/{key}", count)
