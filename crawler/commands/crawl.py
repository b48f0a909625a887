"""`scrapy crawl` whose exit status also reports a crawl that stopped on a fatal error.

Scrapy's own command exits with 1 only when the crawl could not start (a bad argument, the run
lock held by another process, a database that cannot be opened). A crawl that starts and is then
stopped, for instance by a full disk, closes with a finish reason and would still exit with 0;
cron and shell scripts would never know. This command exits with 1 when the finish reason is one
of `CLEANNEWS_FAILING_FINISH_REASONS` (default: `storage_error`), or when the store met a fault
at any point (the `cleannews/storage_errors` stat; a fault while closing cannot change the finish
reason any more).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.lock import AlreadyRunning, FileLock, lock_path_for

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    """Scrapy's `crawl`, plus a non-zero exit status for a crawl closed by a fatal error."""

    crawler: Crawler | None = None
    spider_arguments: dict[str, Any] | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        # Arguments a spider can check before the reactor starts (unknown outlet ids) end the
        # command here with Scrapy's usage error and exit status 2, not a traceback in the log.
        check = getattr(self.crawler.spidercls, "check_arguments", None)
        if check is not None:
            check(self.crawler.settings, **(self.spider_arguments or {}))
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self.spider_arguments = dict(opts.spargs)
        if not self.take_run_lock():
            self.exitcode = 1
            return
        super().run(args, opts)
        if self.exitcode or self.crawler is None or self.crawler.stats is None:
            return
        reason = self.crawler.stats.get_value("finish_reason")
        storage_errors = self.crawler.stats.get_value("cleannews/storage_errors", 0)
        failing = self.crawler.settings.getlist("CLEANNEWS_FAILING_FINISH_REASONS")
        if reason in failing or storage_errors:
            logger.error(
                "Crawl did not end cleanly (finish reason %s, %d storage error(s)): exit status 1",
                reason, storage_errors,
            )
            self.exitcode = 1

    def take_run_lock(self) -> bool:
        """Take the database's run lock before Scrapy starts; False (one ERROR line) if held.

        The RunLock extension adopts the lock taken here; taken this early, a refusal is one
        line instead of Scrapy's bootstrap traceback.
        """
        assert self.settings is not None
        if not self.settings.getbool("CLEANNEWS_RUN_LOCK"):
            return True
        path = lock_path_for(self.settings)
        if path is None:
            return True
        try:
            FileLock.held_or_new(path).acquire()
        except AlreadyRunning as exc:
            logger.error("Not crawling: %s", exc)
            return False
        return True
