"""`cleannews crawl outlets|urls`: the project's `scrapy crawl`, from any directory.

The settings are the project's (`crawler/settings.py`, found as a module, so no `scrapy.cfg` is
needed and the current directory does not matter); `-a` and `-s` are Scrapy's. The settings and
arguments are checked first (`cleannews.checks.preflight`): a mistake is one line on stderr and
exit status 2, another crawl holding the lock exit status 1, before anything is written. Then
Scrapy's own command line runs the crawl, so `cleannews crawl` and `scrapy crawl` are one crawl.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from cleannews.checks import UserError, did_you_mean, preflight

SETTINGS_MODULE = "crawler.settings"

EPILOG = """\
spider arguments (-a NAME=VALUE):
  outlets:  outlets=ID,ID   only these outlets of the outlets file (default all)
            depth=N         listing-page hops followed from start pages (default 0)
            since=ISO       skip sitemap entries last modified before this date
  urls:     url=URL         one article URL
            file=PATH       a file of URLs, one a line ('#' comments)

settings (-s NAME=VALUE): every setting of crawler/settings.py, e.g. SQLITE_PATH=news.db,
OUTLETS_FILE=outlets.toml, CLEANNEWS_LANGUAGES=en,de, CLEANNEWS_STORE_RAW_HTML=true.

exit status: 0 finished; 1 stopped by a storage fault, or another crawl holds the lock;
2 usage error (the line says which setting, argument, key or file).
"""


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl the configured outlets (or given URLs) into the database",
        description="Crawl with the project's settings: the same crawl as `scrapy crawl`.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spider", metavar="SPIDER", help="outlets or urls")
    parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument (repeatable)")
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE", help="setting (repeatable)")
    parser.add_argument("--logfile", metavar="FILE", help="log to FILE instead of stderr")
    parser.add_argument("-L", "--loglevel", metavar="LEVEL",
                        help="log level (default INFO)")
    parser.add_argument("--nolog", action="store_true", help="no log at all")
    parser.set_defaults(handler=run)


def pairs(values: list[str], option: str) -> dict[str, str]:
    """["NAME=VALUE", ...] -> {NAME: VALUE}; a pair without '=' is a usage error."""
    result: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise UserError(f"{option} {value}: expected NAME=VALUE")
        result[name.strip()] = rest
    return result


def spider_class(settings: Any, name: str) -> type:
    from scrapy.spiderloader import get_spider_loader

    loader = get_spider_loader(settings)
    names = loader.list()
    if name not in names:
        raise UserError(
            f"unknown spider {name!r}{did_you_mean(name, names)}; spiders: {', '.join(names)}"
        )
    return loader.load(name)


def run(args: argparse.Namespace) -> int:
    os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    overrides = pairs(args.settings, "-s")
    spider_arguments = pairs(args.spargs, "-a")
    settings.setdict(overrides, priority="cmdline")
    preflight(settings, spider_class(settings, args.spider), spider_arguments)

    argv = ["scrapy", "crawl", args.spider]
    for name, value in spider_arguments.items():
        argv += ["-a", f"{name}={value}"]
    for name, value in overrides.items():
        argv += ["-s", f"{name}={value}"]
    if args.logfile:
        argv += ["--logfile", args.logfile]
    if args.loglevel:
        argv += ["--loglevel", args.loglevel]
    if args.nolog:
        argv.append("--nolog")
    from scrapy.cmdline import execute

    try:
        execute(argv)
    except SystemExit as exc:  # Scrapy's command line ends with sys.exit(status)
        return exc.code if isinstance(exc.code, int) else 1
    return 0
