"""The exclusive run lock: one crawl at a time per SQLite database, safe to start from cron.

`RunLock` is a Scrapy extension that takes an OS file lock (`fcntl.flock`, exclusive, non-blocking)
on `<database>.lock` while the crawler is being built, before any pipeline opens the database.
When another process holds it, `from_crawler` raises `AlreadyRunning`: Scrapy's bootstrap fails,
the message is logged and `scrapy crawl` exits with status 1, having written nothing (no database,
no crawl row, no JOBDIR state). The kernel drops the lock when its process ends, however it ends
(SIGKILL, power cut of the process), so a stale lock file never blocks the next run.

The lock file names the database it guards: `SQLITE_PATH` (or a `sqlite:///` `DATABASE_URL`) plus
`.lock`, or `CLEANNEWS_LOCK_FILE` when set. A PostgreSQL store is meant to be shared by several
crawler processes (see docs/scale-out.md), so it takes no lock unless `CLEANNEWS_LOCK_FILE` names
one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from storage.lock import AlreadyRunning, FileLock

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def lock_path_for(settings: BaseSettings) -> Path | None:
    """The lock file of the configured store, or None when there is nothing to lock."""
    explicit = settings.get("CLEANNEWS_LOCK_FILE") or ""
    if explicit:
        return Path(explicit)
    database_url = settings.get("DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if database_url:
        if not database_url.startswith("sqlite:///"):
            return None  # a shared server database: several processes are welcome
        path = database_url.removeprefix("sqlite:///")
    else:
        path = settings.get("SQLITE_PATH") or ""
    if not path or path == ":memory:":
        return None
    return Path(f"{path}.lock")


class RunLock:
    """Extension: the crawl holds `<database>.lock` from start-up until the engine stops.

    Enabled in settings.py with a low order number, so it is built before the other extensions
    (and before the engine and its pipelines); `CLEANNEWS_RUN_LOCK = False` turns it off.
    """

    def __init__(self, lock: FileLock) -> None:
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLock:
        settings = crawler.settings
        if not settings.getbool("CLEANNEWS_RUN_LOCK"):
            raise NotConfigured  # switched off
        path = lock_path_for(settings)
        if path is None:
            raise NotConfigured  # no SQLite database to lock
        lock = FileLock.held_or_new(path)
        if not lock.held:
            try:
                lock.acquire()
            except AlreadyRunning as exc:
                # Logged here as one clear line; Scrapy then logs the traceback and exits with 1.
                # (`scrapy crawl` checks first and stops with the line alone.)
                logger.error("Not crawling: %s", exc)
                raise
        logger.info("Run lock taken: %s", path)
        extension = cls(lock)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        self.lock.release()
