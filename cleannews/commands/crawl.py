"""`scrapy crawl` that checks the settings and spider arguments before the crawler is built.

The project's crawl command (crawler/commands/crawl.py: an exit status cron can trust) plus
`cleannews.checks.preflight`: a mistake (an unknown or misspelled setting, a value of the wrong
type, an unknown spider argument or outlet id, a missing URL file, a path that is not a
database ...) ends the command with one line on stderr and exit status 2 before anything is
written; another crawl holding the database's lock ends it with status 1 (logged as before),
also before anything is written. `cleannews crawl` runs the same checks first.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from cleannews.checks import EXIT_USAGE, UserError, preflight
from crawler.commands.crawl import Command as ProjectCrawlCommand

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)


class Command(ProjectCrawlCommand):
    """The project's `crawl`, refusing a run that cannot work before it starts."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spidercls = None  # Scrapy's own message names the unknown spider
            try:
                preflight(self.settings, spidercls, dict(opts.spargs))
            except UserError as exc:
                if exc.status == EXIT_USAGE:
                    # One line on stderr, as `cleannews crawl` prints it (also with --logfile).
                    sys.stderr.write(f"scrapy crawl: {exc}\n")
                else:
                    logger.error("Not crawling: %s", exc)
                self.exitcode = exc.status
                return
        super().run(args, opts)
