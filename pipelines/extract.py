"""Extract pipeline: a fetched `Page` becomes an `ArticleRecord`, or a `Failure` saying why not.

The only place the crawl calls the cleaners library. A page the cleaners reject, or that makes
them fail unexpectedly, becomes a `Failure` item, so the crawl goes on and the store records it.

Extraction runs in a pool of worker processes (`pipelines.workers`, `CLEANNEWS_EXTRACT_WORKERS`,
default one per CPU) so the reactor keeps downloading and storing while every core cleans; with
0 workers, or outside the asyncio reactor, it runs in the crawl process as before. A worker that
dies or runs past `CLEANNEWS_EXTRACT_TIMEOUT` on a page costs that page a `Failure`, nothing more.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.asyncio import is_asyncio_available

from core.items import Failure, Page
from core.outlets import Outlet, OutletRegistry, host_of
from core.records import ArticleRecord
from crawler.gc_tuning import gc_thresholds_from_settings
from pipelines.bounds import cut_oversized_jsonld
from pipelines.config import STATS_PREFIX, outlets_from_settings
from pipelines.learn import ProfileBook, learning_enabled
from pipelines.workers import (
    EXTRACTION_BUG,
    ExtractionJob,
    ExtractionOutcome,
    ExtractionPool,
    Runner,
    available_cpus,
    load_runner,
)

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Cleans each `Page` with `cleaners.extract_article` under its outlet's rules."""

    def __init__(
        self,
        outlets: OutletRegistry,
        *,
        keep_raw_html: bool = False,
        stats=None,
        workers: int = 0,
        timeout: float = 0,
        max_pending: int | None = None,
        max_pages_per_worker: int = 0,
        profiles: ProfileBook | None = None,
        runner: str = "",
        gc_thresholds: tuple[int, ...] | None = None,
        max_html_bytes: int = 0,
        max_jsonld_bytes: int = 0,
        worker_memory_mb: int = 0,
    ) -> None:
        self.outlets = outlets
        self.max_html_bytes = max_html_bytes
        self.max_jsonld_bytes = max_jsonld_bytes
        self.worker_memory_mb = worker_memory_mb
        self.gc_thresholds = gc_thresholds
        self.profiles = profiles
        self.runner_name = runner
        self.run_job: Runner = load_runner(runner)
        self.keep_raw_html = keep_raw_html
        self.stats = stats
        self.workers = workers
        self.timeout = timeout
        self.max_pending = max_pending
        self.max_pages_per_worker = max_pages_per_worker
        self.pool: ExtractionPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.get("CLEANNEWS_EXTRACT_WORKERS")
        max_pending = settings.get("CLEANNEWS_EXTRACT_MAX_PENDING")
        return cls(
            outlets_from_settings(settings),
            keep_raw_html=settings.getbool("CLEANNEWS_STORE_RAW_HTML"),
            stats=crawler.stats,
            workers=available_cpus() if workers in (None, "") else int(workers),
            timeout=settings.getfloat("CLEANNEWS_EXTRACT_TIMEOUT"),
            max_pending=None if max_pending in (None, "") else int(max_pending),
            max_pages_per_worker=settings.getint("CLEANNEWS_EXTRACT_WORKER_MAX_PAGES"),
            profiles=ProfileBook.for_crawler(crawler) if learning_enabled(settings) else None,
            runner=settings.get("CLEANNEWS_EXTRACT_FUNCTION") or "",
            gc_thresholds=gc_thresholds_from_settings(settings),
            max_html_bytes=settings.getint("CLEANNEWS_MAX_HTML_BYTES"),
            max_jsonld_bytes=settings.getint("CLEANNEWS_MAX_JSONLD_BYTES"),
            worker_memory_mb=settings.getint("CLEANNEWS_EXTRACT_WORKER_MEMORY_MB"),
        )

    # Lifecycle: the pool lives from open_spider to close_spider.

    async def open_spider(self) -> None:
        if self.workers <= 0:
            return
        if not is_asyncio_available():
            logger.warning("extraction workers need the asyncio reactor; extracting in-process")
            return
        self.pool = ExtractionPool(
            self.workers,
            timeout=self.timeout,
            max_pending=self.max_pending,
            max_pages_per_worker=self.max_pages_per_worker,
            runner=self.runner_name,
            gc_thresholds=self.gc_thresholds,
            memory_limit_mb=self.worker_memory_mb,
            on_event=lambda name: self._inc(f"extract_pool/{name}"),
        )
        self.pool.start()
        if self.stats is not None:
            self.stats.set_value(f"{STATS_PREFIX}/extract_pool/workers", self.workers)

    async def close_spider(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        await pool.close()
        if self.stats is not None:
            prefix = f"{STATS_PREFIX}/extract_pool"
            self.stats.set_value(f"{prefix}/workers_started", pool.stats.workers_started)
            self.stats.set_value(f"{prefix}/peak_pending", pool.stats.peak_pending)
            self.stats.set_value(f"{prefix}/peak_running", pool.stats.peak_running)

    # Items

    def process_item(self, item: Any) -> Any:
        """Pages are cleaned; anything else (a spider's `Failure` ...) passes through untouched.

        With a pool the result is a coroutine Scrapy awaits; without one, the record itself.
        """
        if not isinstance(item, Page):
            return item
        if self.pool is None:
            return self.extract(item)
        return self.extract_in_pool(item)

    def extract(self, page: Page) -> ArticleRecord | Failure:
        """The record of a page, or the Failure that explains why it yields no article."""
        if page.status >= 400:
            return self._failure(page, "fetch", "http_error", f"HTTP {page.status}", None)
        if (refused := self.too_large(page)) is not None:
            return refused
        outlet = self._outlet_for_page(page)
        outcome = self.run_job(self.job_for(page, outlet))
        if outcome.ok and outlet is None:
            outlet, rules_changed = self._outlet_after_cleaning(page, outcome)
            if rules_changed:
                outcome = self.run_job(self.job_for(page, outlet))
        return self._result(page, outlet, outcome)

    async def extract_in_pool(self, page: Page) -> ArticleRecord | Failure:
        """As `extract`, with the cleaning done by a worker process while the reactor runs on."""
        assert self.pool is not None
        if page.status >= 400:
            return self._failure(page, "fetch", "http_error", f"HTTP {page.status}", None)
        if (refused := self.too_large(page)) is not None:
            return refused
        outlet = self._outlet_for_page(page)
        outcome = await self.pool.extract(self.job_for(page, outlet))
        if outcome.ok and outlet is None:
            outlet, rules_changed = self._outlet_after_cleaning(page, outcome)
            if rules_changed:
                outcome = await self.pool.extract(self.job_for(page, outlet))
        return self._result(page, outlet, outcome)

    def job_for(self, page: Page, outlet: Outlet | None) -> ExtractionJob:
        """What a worker needs to clean `page`: bytes, URL, the outlet's rules, the charset.

        Extra `extract_article` keyword arguments for the outlet (a learned profile ...) go in
        the job's `options`; everything in a job must pickle. With learning on, the outlet's
        learned profile is applied and the page's blocks come back to be counted.
        """
        # The fetch time bounds the publication time (a later date is no publication date).
        options: dict[str, Any] = {"fetched_at": page.fetched_at}
        if self.profiles is not None:
            options["collect_blocks"] = True
            if outlet is not None:
                options["profile"] = self.profiles.profile_for(outlet.id)
        body, cut = cut_oversized_jsonld(bytes(page.body), self.max_jsonld_bytes)
        if cut:
            self._inc("jsonld_blocks_cut")
            logger.info("Cut %d JSON-LD block(s) over CLEANNEWS_MAX_JSONLD_BYTES from %s",
                        cut, page.final_url)
        return ExtractionJob(
            body=body,
            url=page.final_url,
            rules=outlet.rules if outlet else None,
            encoding=page.declared_encoding,
            options=options,
        )

    def too_large(self, page: Page) -> Failure | None:
        """A `too_large` failure for a page over CLEANNEWS_MAX_HTML_BYTES once its oversized
        JSON-LD is cut (pipelines/bounds.py); None for every other page."""
        limit = self.max_html_bytes
        if not limit or len(page.body) <= limit:
            return None
        body, _ = cut_oversized_jsonld(bytes(page.body), self.max_jsonld_bytes)
        if len(body) <= limit:
            return None
        logger.info("Not cleaned, %d bytes over CLEANNEWS_MAX_HTML_BYTES: %s", len(body),
                    page.final_url)
        return self._failure(
            page, "extract", "too_large",
            f"page of {len(body)} bytes, over CLEANNEWS_MAX_HTML_BYTES={limit}", None,
        )

    def _outlet_after_cleaning(
        self, page: Page, outcome: ExtractionOutcome
    ) -> tuple[Outlet, bool]:
        """The outlet by the canonical link, and whether its own rules call for a re-clean.

        Only the canonical link can tell (an AMP or print host, a CDN mirror ...).
        """
        assert outcome.article is not None
        outlet = self.outlets.resolve(page.final_url, outcome.article.canonical_url)
        return outlet, bool(outlet.drop_selectors or outlet.drop_patterns)

    def _result(
        self, page: Page, outlet: Outlet | None, outcome: ExtractionOutcome
    ) -> ArticleRecord | Failure:
        outlet_id = outlet.id if outlet else None
        if outcome.article is None:
            if outcome.reason == EXTRACTION_BUG:
                # A cleaner bug must not stop the crawl; it is recorded, with its traceback.
                logger.error(
                    "Unexpected error cleaning %s: %s\n%s",
                    page.final_url, outcome.detail, outcome.trace,
                )
            reason = outcome.reason or EXTRACTION_BUG
            return self._failure(page, "extract", reason, outcome.detail, outlet_id)
        assert outlet is not None
        self._inc("extracted")
        if self.profiles is not None and outcome.article.blocks:
            self.profiles.record(outlet.id, page.final_url, outcome.article.blocks)
            outcome.article.blocks = []
        return ArticleRecord.from_article(
            outcome.article, page, outlet.id, keep_raw_html=self.keep_raw_html
        )

    def _outlet_for_page(self, page: Page) -> Outlet | None:
        """The outlet known before cleaning: by the page's outlet id, else by its URLs."""
        if page.outlet_id:
            outlet = self.outlets.get(page.outlet_id)
            if outlet is not None:
                return outlet
            host = host_of(page.final_url or page.url)
            return Outlet(id=page.outlet_id, name=page.outlet_id, domains=(host,) if host else ())
        return self.outlets.for_url(page.final_url) or self.outlets.for_url(page.url)

    def _failure(
        self, page: Page, stage: str, reason: str, detail: str, outlet_id: str | None
    ) -> Failure:
        self._inc(f"extract_failures/{reason}")
        return Failure(
            url=page.final_url or page.url,
            stage=stage,
            reason=reason,
            detail=detail,
            status=page.status,
            outlet_id=outlet_id or page.outlet_id,
            fetched_at=page.fetched_at,
        )

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/{key}")
