"""Incremental crawling: each run fetches only article URLs that earlier runs did not settle.

`IncrementalMiddleware` (a spider middleware) looks at every article request a spider yields
(`meta["cleannews_stage"] == "fetch"`) before it is scheduled, so before any download:

- a URL stored as an article (or as an alias of one) is dropped, unless it is younger than
  `CLEANNEWS_REVISIT_HOURS`: then it is re-visited with a conditional request carrying the stored
  validators (`If-None-Match: <ETag>`, `If-Modified-Since: <Last-Modified>`);
- a URL whose latest failure is permanent (`CLEANNEWS_PERMANENT_FAILURES`: a 404, not HTML, too
  short ...) is dropped; one that failed for a passing reason (timeout, 5xx ...) is fetched again;
- discovery requests (feeds, sitemaps, start pages) always pass: they are how new URLs are found.

A 304 answer to a re-visit becomes a `NotModified` item (the store moves `last_seen` only); a 200
goes through the pipelines as usual and updates the article, keeping the replaced text in
`article_versions`. Lookups read the store through its own connection, so they see what earlier
runs (and this run's committed batches) wrote; within one run Scrapy's duplicate filter already
stops a URL from being fetched twice.

`JobStateGuard` makes one JOBDIR usable by every cron run: Scrapy keeps the seen-requests file of
a job forever, so a second run with the same JOBDIR would not even fetch its feeds again, and a
killed run leaves a queue that cannot be resumed. See the class for what it does.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from core.items import NotModified, Page
from storage import KnownUrl, Storage, storage_from_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STATS_PREFIX = "cleannews/incremental"


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive = UTC); None if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def publication_time(published: str | None, first_seen: str | None) -> datetime | None:
    """When an article came out, as closely as its record tells; None if it tells nothing.

    A date without a time ("2026-12-06", as many pages give it) is a whole day: the article
    came out before the end of that day and before it was first seen. Taking the day's start
    would make a story published at 23:00 a day old an hour later, and never re-visited.
    """
    seen = parse_time(first_seen)
    born = parse_time(published)
    if born is None:
        return seen
    if published is not None and "T" not in published.strip() and " " not in published.strip():
        day_end = born + timedelta(days=1)
        return min(day_end, seen) if seen is not None else day_end
    return born


def is_permanent(known: KnownUrl, permanent: Iterable[str]) -> bool:
    """Whether a recorded failure is one that later runs should not retry.

    `permanent` holds reason codes (`not_html`) or reason:status pairs (`http_error:404`).
    """
    codes = set(permanent)
    return known.reason in codes or f"{known.reason}:{known.status}" in codes


class IncrementalMiddleware:
    """Drops article requests settled by earlier runs; re-visits recent ones conditionally."""

    def __init__(
        self,
        crawler: Crawler,
        storage: Storage,
        *,
        revisit_hours: float,
        permanent_failures: list[str],
    ) -> None:
        self.crawler = crawler
        self.storage = storage
        self.revisit_age = timedelta(hours=revisit_hours) if revisit_hours > 0 else None
        self.permanent_failures = permanent_failures
        self._opened = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        settings = crawler.settings
        if not settings.getbool("CLEANNEWS_INCREMENTAL"):
            raise NotConfigured  # switched off: every URL is fetched
        if not settings.getdict("ITEM_PIPELINES"):
            raise NotConfigured  # no pipelines: nothing is stored, so nothing is known
        storage = storage_from_settings(settings)
        if storage is None:
            raise NotConfigured  # no store to read known URLs from
        middleware = cls(
            crawler,
            storage,
            revisit_hours=settings.getfloat("CLEANNEWS_REVISIT_HOURS"),
            permanent_failures=settings.getlist("CLEANNEWS_PERMANENT_FAILURES"),
        )
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # Spider middleware hooks (both the sync and the async forms, as Scrapy recommends)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item_or_request in start:
            result = self.filter(item_or_request)
            if result is not None:
                yield result

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        for item_or_request in result:
            converted = self.convert(response, item_or_request)
            if converted is not None:
                yield converted

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        async for item_or_request in result:
            converted = self.convert(response, item_or_request)
            if converted is not None:
                yield converted

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        skipped = sum(
            value for key, value in (stats.get_stats() if stats is not None else {}).items()
            if key.startswith((f"{STATS_PREFIX}/skipped_known", f"{STATS_PREFIX}/skipped_failure"))
        )
        if skipped:
            logger.info(
                "Skipped %d article request(s) settled by earlier runs "
                "(-s CLEANNEWS_INCREMENTAL=false fetches them again)", skipped,
            )
        if self._opened:
            self._opened = False
            self.storage.close()

    # The decisions

    def convert(self, response: Response, item_or_request: Any) -> Any:
        """A spider output: requests filtered, a 304 re-visit's Page replaced by NotModified."""
        if isinstance(item_or_request, Page) and item_or_request.status == 304:
            if response.meta.get("cleannews_revisit"):
                self._inc("not_modified")
                return NotModified(
                    url=item_or_request.url,
                    final_url=item_or_request.final_url,
                    outlet_id=item_or_request.outlet_id,
                    fetched_at=item_or_request.fetched_at,
                )
        return self.filter(item_or_request)

    def filter(self, item_or_request: Any) -> Any:
        """The request as it should go out (maybe made conditional), or None to skip it."""
        if not isinstance(item_or_request, Request):
            return item_or_request
        request = item_or_request
        if request.meta.get("cleannews_stage") != "fetch" or request.meta.get("cleannews_revisit"):
            return request  # discovery pages are always fetched
        known = self._lookup(request.url)
        if known is None:
            return request
        if known.kind == "failure":
            if is_permanent(known, self.permanent_failures):
                self._inc(f"skipped_failure/{known.reason}")
                logger.debug("Skipped (failed before: %s): %s", known.reason, request.url)
                return None
            self._inc("retried_failure")
            return request
        if self._due_for_revisit(known):
            self._inc("revisited")
            return self.revisit_request(request, known)
        self._inc("skipped_known")
        logger.debug("Skipped (stored before): %s", request.url)
        return None

    def _lookup(self, url: str) -> KnownUrl | None:
        if not self._opened:
            self.storage.open()
            self._opened = True
        return self.storage.lookup_url(url)

    def _due_for_revisit(self, known: KnownUrl) -> bool:
        if self.revisit_age is None:
            return False
        born = publication_time(known.published, known.first_seen)
        return born is not None and datetime.now(UTC) - born < self.revisit_age

    @staticmethod
    def revisit_request(request: Request, known: KnownUrl) -> Request:
        """The request made conditional on the stored validators; a 304 reaches the callback."""
        headers = request.headers.copy()
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        allowed = list(request.meta.get("handle_httpstatus_list", []))
        return request.replace(
            headers=headers,
            meta={
                **request.meta,
                "cleannews_revisit": True,
                "handle_httpstatus_list": [*allowed, 304],
            },
        )

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"{STATS_PREFIX}/{key}")


class JobStateGuard:
    """Extension: keeps a JOBDIR trustworthy across cron runs, paused runs and killed runs.

    - A run that finishes normally forgets the job's seen requests, so the next run with the same
      JOBDIR starts afresh (its feeds and sitemaps are fetched again).
    - A run that is paused (one Ctrl-C / SIGTERM) keeps the queue; the next run resumes it.
    - A run that was killed (SIGKILL, OOM, power cut) cannot have saved its queue: Scrapy writes
      the queue's index only on close, while the seen-requests file already lists the feeds, so a
      resumed job would find nothing left to do. A marker file, present while a run is open,
      tells; the next run then discards the job's queue and seen requests and starts afresh
      (articles stored before the kill are still skipped, see IncrementalMiddleware).

    Scrapy closes the scheduler (and so the duplicate filter's file) before `spider_closed`; the
    check runs while the crawler is built, before the scheduler opens the JOBDIR.
    """

    MARKER = "cleannews-running"

    def __init__(self, jobdir: Path) -> None:
        self.jobdir = jobdir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobStateGuard:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured  # no JOBDIR: nothing to guard
        extension = cls(Path(jobdir))
        extension.discard_if_killed()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    @property
    def marker(self) -> Path:
        return self.jobdir / self.MARKER

    def discard_if_killed(self) -> None:
        """Start the job afresh if its last run never closed."""
        if not self.marker.exists():
            return
        logger.warning(
            "The last run with JOBDIR %s was killed before it could save its queue; "
            "starting the job afresh (stored articles are still skipped)", self.jobdir,
        )
        shutil.rmtree(self.jobdir / "requests.queue", ignore_errors=True)
        (self.jobdir / "requests.seen").unlink(missing_ok=True)
        self.marker.unlink()

    def spider_opened(self, spider: Any) -> None:
        self.jobdir.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(f"{os.getpid()}\n", encoding="utf-8")

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.marker.unlink(missing_ok=True)
        if reason != "finished":
            return  # paused or stopped: the next run resumes the job
        seen = self.jobdir / "requests.seen"
        if seen.exists():
            seen.unlink()
            logger.info("Job finished: forgot its seen requests (%s)", seen)
