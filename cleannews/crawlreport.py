"""What a crawl tells a person while it runs and when it ends (a Scrapy extension).

- Every refused page (cleaned but not stored: not an article, too short, wrong language ...) is
  logged at INFO with its reason; fetch failures are logged by the spider already.
- Every `LOGSTATS_INTERVAL` seconds (Scrapy's setting, default 60) one progress line counts
  pages fetched (and pages per second), articles stored, failures and requests skipped as known
  from earlier runs. It replaces Scrapy's LogStats line, which counts items without telling an
  article from a failure.
- At the end, after Scrapy's stats dump (the stats are also kept in `crawls.stats`), a short
  summary: how the crawl ended and how long it took, articles stored,
  skipped as known, failed by reason, and the same per outlet.

Counts come from the items that leave the last pipeline (an ArticleRecord is an article stored
or refreshed, a Failure a failure row, a NotModified an unchanged article) and from the
incremental middleware's stats.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

from core.items import Failure, NotModified
from core.records import ArticleRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Stages whose failures the spider has not logged already.
REFUSED_STAGES = ("extract", "validate", "dedupe", "store")
INCREMENTAL = "cleannews/incremental/"


def reasons_text(reasons: Counter[str]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in sorted(
        reasons.items(), key=lambda item: (-item[1], item[0])))


class CrawlReport:
    """Extension: refused pages at INFO, a progress line, a summary at the end."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.articles: Counter[str] = Counter()
        self.unchanged: Counter[str] = Counter()
        self.failures: dict[str, Counter[str]] = defaultdict(Counter)
        self._timer: Any = None
        self._last: tuple[float, int] = (self.started, 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        extension = cls(crawler, crawler.settings.getfloat("LOGSTATS_INTERVAL"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    # Signals

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self._last = (self.started, 0)
        if self.interval > 0:
            self._timer = create_looping_call(self.log_progress)
            self._timer.start(self.interval, now=False)

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if isinstance(item, Failure):
            self.failures[item.outlet_id or "(none)"][item.reason] += 1
            if item.stage in REFUSED_STAGES:
                logger.info("Refused %s: %s (%s)", item.url, item.reason, item.detail)
        elif isinstance(item, NotModified):
            self.unchanged[item.outlet_id or "(none)"] += 1
        elif isinstance(item, ArticleRecord):
            self.articles[item.outlet_id or "(none)"] += 1

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self._summary = self.summary(reason)

    def engine_stopped(self) -> None:
        """The summary is the log's last word, after Scrapy's stats dump."""
        for line in getattr(self, "_summary", []):
            logger.info("%s", line)

    # What is printed

    def _stat(self, name: str) -> int:
        stats = self.crawler.stats
        return int(stats.get_value(name, 0) or 0) if stats is not None else 0

    def skipped_known(self) -> int:
        stats = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
        return sum(
            int(value) for key, value in stats.items()
            if key.startswith((f"{INCREMENTAL}skipped_known", f"{INCREMENTAL}skipped_failure"))
        )

    def log_progress(self) -> None:
        now = time.monotonic()
        pages = self._stat("response_received_count")
        last_time, last_pages = self._last
        rate = (pages - last_pages) / (now - last_time) if now > last_time else 0.0
        self._last = (now, pages)
        logger.info(
            "Progress: %d pages fetched (%.1f pages/s), %d articles stored, %d failures, "
            "%d skipped as known",
            pages, rate, sum(self.articles.values()) + sum(self.unchanged.values()),
            sum(sum(c.values()) for c in self.failures.values()), self.skipped_known(),
        )

    def summary(self, reason: str) -> list[str]:
        elapsed = time.monotonic() - self.started
        pages = self._stat("response_received_count")
        failed: Counter[str] = Counter()
        for counts in self.failures.values():
            failed.update(counts)
        stored = sum(self.articles.values())
        unchanged = sum(self.unchanged.values())
        head = (
            f"Crawl {reason} in {elapsed:.1f} s: {pages} pages fetched, {stored} articles stored"
            + (f", {unchanged} unchanged (304)" if unchanged else "")
            + f", {self.skipped_known()} skipped as known, {sum(failed.values())} failed"
            + (f" ({reasons_text(failed)})" if failed else "")
        )
        lines = [head]
        outlets = sorted(set(self.articles) | set(self.unchanged) | set(self.failures))
        width = max((len(outlet) for outlet in outlets), default=0)
        for outlet in outlets:
            counts = self.failures.get(outlet, Counter())
            line = f"  {outlet:<{width}}  {self.articles[outlet]} articles"
            if self.unchanged[outlet]:
                line += f", {self.unchanged[outlet]} unchanged"
            if counts:
                line += f", {sum(counts.values())} failed ({reasons_text(counts)})"
            lines.append(line)
        return lines
