"""Garbage-collector tuning for the crawl process and its extraction workers.

Python's cyclic collector runs a young-generation pass every 700 net allocations of container
objects and, now and then, a full pass over every tracked object. A crawl allocates a great many
short-lived containers (requests, deferreds, items, a page's blocks for learning) while holding a
large, long-lived heap (the scheduler's queue, the outlets' block counts), so the full passes walk
the same objects again and again: in a 2,000-page crawl of the benchmark site they took 1.9 s of
the crawl process's 12.4 s of CPU. Almost nothing a crawl allocates is cyclic garbage (reference
counting frees it), so the crawl process freezes what start-up made (`gc.freeze`, out of every
pass) and collects less often; the workers do the same (`pipelines.workers.serve`).

`CLEANNEWS_GC_THRESHOLDS` is the three `gc.set_threshold` values; empty keeps Python's own.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

def parse_thresholds(value: object) -> tuple[int, ...] | None:
    """`gc.set_threshold` arguments from a setting ("50000,20,10" or a list); None when empty."""
    if value is None or value == "" or value == [] or value == ():
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[arg-type]
    try:
        numbers = tuple(int(str(part).strip()) for part in parts)
    except ValueError:
        numbers = ()
    if not 1 <= len(numbers) <= 3 or any(number < 0 for number in numbers):
        raise ValueError(
            f"CLEANNEWS_GC_THRESHOLDS must be one to three non-negative integers, got {value!r}"
        )
    return numbers


def gc_thresholds_from_settings(settings: BaseSettings) -> tuple[int, ...] | None:
    return parse_thresholds(settings.get("CLEANNEWS_GC_THRESHOLDS"))


def tune_collector(thresholds: tuple[int, ...] | None) -> None:
    """Freeze what exists now and set the collector's thresholds (None: leave them)."""
    if thresholds is None:
        return
    gc.freeze()
    gc.set_threshold(*thresholds)


class CollectorTuning:
    """A Scrapy extension: tunes the collector once the engine has started, restores it after."""

    def __init__(self, thresholds: tuple[int, ...]) -> None:
        self.thresholds = thresholds
        self.previous: tuple[int, ...] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectorTuning:
        thresholds = gc_thresholds_from_settings(crawler.settings)
        if thresholds is None:
            raise NotConfigured("CLEANNEWS_GC_THRESHOLDS is empty: Python's own collector settings")
        extension = cls(thresholds)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        self.previous = gc.get_threshold()
        tune_collector(self.thresholds)
        logger.debug("garbage collector: %d objects frozen, thresholds %s",
                     gc.get_freeze_count(), self.thresholds)

    def engine_stopped(self) -> None:
        # A crawl run inside a longer-lived process (tests, scripts) leaves it as it found it.
        if self.previous is not None:
            gc.set_threshold(*self.previous)
            gc.unfreeze()
            self.previous = None
