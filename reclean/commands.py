"""Re-clean stored pages with the current cleaners and learned profiles; list learned profiles.

    python -m cleaners reclean --db data/articles.db [--outlet ID ...] [--keep-counts]
                               [--window-pages N]
    python -m cleaners profile --db data/articles.db [OUTLET ...] [--json]

`reclean` reads the raw HTML kept in the `pages` table (crawl with CLEANNEWS_STORE_RAW_HTML on),
rebuilds each outlet's block counts from it (unless `--keep-counts`), learns the profiles, and
cleans every page again, updating its `articles` row (body, metadata, `removed` audit, body hash,
`cleaner_version`) through the store, which keeps the replaced text in `article_versions`. So
the first pages of an outlet, cleaned before anything was learned, are fixed later, and so is
every page after a cleaner improves.

Articles and pages are read and written through the store's interface (`storage.Storage`); the
block counts through `storage.boilerplate`, which keeps them in the SQLite file.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cleaners.decode import decode_html
from cleaners.errors import ExtractionError
from cleaners.extract import extract_article, parse_html
from cleaners.meta.learned import title_affix_blocks
from cleaners.profile import (
    DEFAULT_THRESHOLDS,
    DEFAULT_WINDOW_PAGES,
    BoilerplateProfile,
    PageBlock,
    ProfileThresholds,
    learn_profile,
    read_page_blocks,
)
from cleaners.rules import OutletRules
from cleaners.version import CLEANER_VERSION
from core.keys import body_hash
from core.outlets import load_outlets
from core.records import ArticleRecord, article_values
from storage.base import Storage, StoredPage
from storage.boilerplate import (
    forget_outlet,
    has_tables,
    load_stats,
    outlets_with_stats,
    record_page,
)
from storage.lock import AlreadyRunning, FileLock
from storage.sqlite import SQLiteStorage

PROG = "python -m cleaners"


def command_name(args: argparse.Namespace, command: str) -> str:
    """How the user called the command ("cleannews reclean", "python -m cleaners reclean"), for
    the first word of an error line."""
    return getattr(args, "command_name", None) or f"{PROG} {command}"


# Article rows updated per transaction by `reclean`.
UPDATE_BATCH = 100


def rules_from_outlets_file(path: str | Path | None) -> dict[str, OutletRules]:
    """Cleaning rules per outlet id from an outlets TOML file (none when no file is given)."""
    return {outlet.id: outlet.rules for outlet in load_outlets(path)} if path else {}


# --- Stored pages ----------------------------------------------------------------------------


def open_store(path: str | Path) -> SQLiteStorage:
    """The store of an existing cleannews database (FileNotFoundError when there is none)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no database at {path}")
    store = SQLiteStorage(path, batch_size=UPDATE_BATCH, flush_interval=float("inf"))
    store.open()
    return store


def page_blocks_of(html: bytes, encoding: str | None) -> list[PageBlock]:
    """A stored page's blocks (and its title's affixes), from one parse; learning needs no
    extraction."""
    tree = parse_html(decode_html(html, encoding))
    title = " ".join(" ".join(tree.xpath("/html/head/title//text()")).split())
    return [*read_page_blocks(tree).blocks.values(), *title_affix_blocks(title)]


# --- reclean ---------------------------------------------------------------------------------


@dataclass(slots=True)
class RecleanReport:
    """What a reclean did: pages read, rows updated or unchanged, pages the cleaners refused."""

    pages: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, BoilerplateProfile] = field(default_factory=dict)

    def lines(self) -> list[str]:
        refused = sum(self.refused.values())
        out = [
            f"reclean: {self.pages} pages, {self.updated} articles updated, "
            f"{self.unchanged} unchanged, {refused} refused by the cleaners (rows kept)"
        ]
        for outlet_id, profile in sorted(self.profiles.items()):
            out.append(f"  {outlet_id}: {profile.pages} pages, {len(profile)} learned blocks")
        return out


def relearn_counts(
    store: Storage,
    counts: sqlite3.Connection,
    pages: list[StoredPage],
    window_pages: int = DEFAULT_WINDOW_PAGES,
) -> None:
    """Rebuild the block counts of the pages' outlets from their raw HTML.

    As in a crawl, an outlet's counts describe its `window_pages` most recent pages (by fetch
    time; 0: all), recorded oldest first.
    """
    by_outlet: dict[str, list[StoredPage]] = defaultdict(list)
    for page in pages:
        by_outlet[page.outlet_id].append(page)
    for outlet_id, all_pages in by_outlet.items():
        outlet_pages = sorted(all_pages, key=lambda page: (page.fetched_at or "", page.url))
        if window_pages > 0:
            outlet_pages = outlet_pages[-window_pages:]
        counted: list[tuple[str, list[PageBlock]]] = []
        for page in outlet_pages:
            html = store.page_html(page.url)
            if html is None:
                continue
            try:  # counted under the fetched URL, as the crawl's extract step counts it
                counted.append((page.url, page_blocks_of(html, page.encoding)))
            except ExtractionError:
                continue
        counts.execute("BEGIN IMMEDIATE")
        forget_outlet(counts, outlet_id)
        for key, blocks in counted:
            record_page(counts, outlet_id, key, blocks)
        counts.execute("COMMIT")


def reclean(
    store: Storage,
    counts: sqlite3.Connection,
    *,
    outlets: Iterable[str] = (),
    thresholds: ProfileThresholds = DEFAULT_THRESHOLDS,
    rules: dict[str, OutletRules] | None = None,
    relearn: bool = True,
    window_pages: int = DEFAULT_WINDOW_PAGES,
) -> RecleanReport:
    """Clean every stored page again with the current cleaners and its outlet's profile.

    `counts` is a connection to the block-count tables (the store's SQLite file).
    """
    if not has_tables(counts):
        raise RuntimeError("the database has no block statistics tables (open it with a crawl)")
    pages = store.stored_pages(outlets)
    if relearn:
        relearn_counts(store, counts, pages, window_pages)
    report = RecleanReport()
    for outlet_id in sorted({page.outlet_id for page in pages}):
        report.profiles[outlet_id] = learn_profile(load_stats(counts, outlet_id), thresholds)
    rules = rules or {}
    for page in pages:
        reclean_page(store, page, rules.get(page.outlet_id), report)
    store.flush()
    return report


def reclean_page(
    store: Storage, page: StoredPage, rules: OutletRules | None, report: RecleanReport
) -> None:
    """Clean one stored page with its outlet's profile and write its article again."""
    html = store.page_html(page.url)
    if html is None:
        return
    report.pages += 1
    try:
        article = extract_article(
            html,
            url=page.url,  # the fetched URL, as the crawl cleaned it
            outlet=rules or page.outlet_id,
            encoding=page.encoding,
            profile=report.profiles.get(page.outlet_id),
        )
    except ExtractionError as error:
        report.refused[error.reason] = report.refused.get(error.reason, 0) + 1
        return
    record = ArticleRecord(
        url=page.url, final_url=page.url, outlet_id=page.outlet_id,
        fetched_at=page.fetched_at or "", **article_values(article),
    )
    record.body_hash = body_hash(record.body)
    if store.replace_content(page.article_id, record):
        report.updated += 1
    else:
        report.unchanged += 1


# --- Command line ----------------------------------------------------------------------------


def add_threshold_arguments(parser: argparse.ArgumentParser) -> None:
    """--min-pages, --short-share ...: the profile thresholds (defaults as in the crawler)."""
    defaults = ProfileThresholds()
    group = parser.add_argument_group("learning thresholds")
    group.add_argument("--min-pages", type=int, default=defaults.min_pages,
                       help=f"pages of an outlet before anything is learned ({defaults.min_pages})")
    group.add_argument("--short-share", type=float, default=defaults.short_share,
                       help=f"share of pages a short line must be on ({defaults.short_share})")
    group.add_argument("--long-share", type=float, default=defaults.long_share,
                       help=f"share of pages a longer paragraph must be on ({defaults.long_share})")
    group.add_argument("--short-max-words", type=int, default=defaults.short_max_words,
                       help=f"words of a short line at most ({defaults.short_max_words})")
    group.add_argument("--min-block-pages", type=int, default=defaults.min_block_pages,
                       help=f"pages a block must be on at least ({defaults.min_block_pages})")
    group.add_argument("--min-paragraph-pages", type=int, default=defaults.min_paragraph_pages,
                       help="pages a paragraph must be on at least "
                       f"({defaults.min_paragraph_pages})")


def thresholds_from_args(args: argparse.Namespace) -> ProfileThresholds:
    return ProfileThresholds(
        min_pages=args.min_pages,
        short_max_words=args.short_max_words,
        short_share=args.short_share,
        long_share=args.long_share,
        min_block_pages=args.min_block_pages,
        min_paragraph_pages=args.min_paragraph_pages,
    )


def run_reclean(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():
        sys.stderr.write(f"{command_name(args, 'reclean')}: no database at {args.db}\n")
        return 2
    # One writer at a time: re-cleaning beside a crawl would rebuild the block counts while the
    # crawl adds to them. The lock is the crawl's own, taken before anything is opened.
    lock = FileLock(Path(f"{args.db}.lock"))
    try:
        lock.acquire()
    except AlreadyRunning as refused:
        sys.stderr.write(
            f"{command_name(args, 'reclean')}: another crawl or reclean "
            f"(pid {refused.holder}) holds "
            f"{refused.path}; nothing was changed\n"
        )
        return 1
    try:
        report = reclean_database(args)
    finally:
        lock.release()
    print("\n".join(report.lines()))
    print(f"cleaner version {CLEANER_VERSION}")
    return 0


def reclean_database(args: argparse.Namespace) -> RecleanReport:
    """Re-clean the database `args.db` names as the command line asks (the caller holds the
    run lock); the store and the block counts' connection are closed after."""
    store = open_store(args.db)
    counts = sqlite3.connect(args.db, timeout=30, isolation_level=None)
    try:
        return reclean(
            store,
            counts,
            outlets=args.outlet or (),
            thresholds=thresholds_from_args(args),
            rules=rules_from_outlets_file(args.outlets),
            relearn=not args.keep_counts,
            window_pages=args.window_pages,
        )
    finally:
        counts.close()
        store.close()


def profile_listing(profile: BoilerplateProfile, thresholds: ProfileThresholds) -> Iterator[str]:
    yield (
        f"outlet {profile.outlet_id}: {profile.pages} pages, {len(profile)} learned blocks "
        f"(lines <= {thresholds.short_max_words} words on >= {thresholds.short_share:.0%} of "
        f"pages, paragraphs on >= {thresholds.long_share:.0%}, from {thresholds.min_pages} pages)"
    )
    if profile.pages < thresholds.min_pages:
        yield f"  nothing learned yet: fewer than {thresholds.min_pages} pages"
    for block in profile.listing():
        yield f"  {block.pages:>5}/{profile.pages:<5} {block.kind:<9} {block.text}"


def run_profile(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():
        sys.stderr.write(f"{command_name(args, 'profile')}: no database at {args.db}\n")
        return 2
    conn = sqlite3.connect(args.db, timeout=30, isolation_level=None)
    thresholds = thresholds_from_args(args)
    try:
        if not has_tables(conn):
            name = command_name(args, "profile")
            sys.stderr.write(f"{name}: {args.db} has no block statistics\n")
            return 2
        outlets = args.outlets or [outlet for outlet, _ in outlets_with_stats(conn)]
        profiles = [learn_profile(load_stats(conn, o), thresholds) for o in outlets]
    finally:
        conn.close()
    for profile in profiles:
        if args.json:
            print(json.dumps(profile.to_dict(), ensure_ascii=False))
        else:
            print("\n".join(profile_listing(profile, thresholds)))
    return 0


def add_reclean_command(subparsers: argparse._SubParsersAction) -> None:
    """Register `reclean`."""
    parser = subparsers.add_parser(
        "reclean",
        help="clean stored raw HTML again with the current cleaners and learned profiles",
        description="Rebuild each outlet's block counts from the raw HTML in the database, "
        "learn its boilerplate, and re-clean every stored page (rows keep the cleaner version "
        "that produced them).",
    )
    parser.add_argument("--db", required=True, help="the SQLite database (SQLITE_PATH)")
    parser.add_argument("--outlet", action="append", help="only this outlet (repeatable)")
    parser.add_argument("--outlets", help="outlets TOML file whose cleaning rules to apply")
    parser.add_argument(
        "--keep-counts", action="store_true",
        help="learn from the stored block counts instead of rebuilding them from raw HTML",
    )
    parser.add_argument(
        "--window-pages", type=int, default=DEFAULT_WINDOW_PAGES,
        help="count each outlet's this many most recently fetched pages, as the crawl's "
        f"CLEANNEWS_PROFILE_WINDOW_PAGES does; 0 counts all ({DEFAULT_WINDOW_PAGES})",
    )
    add_threshold_arguments(parser)
    parser.set_defaults(handler=run_reclean, command_name=parser.prog)


def add_profile_command(subparsers: argparse._SubParsersAction) -> None:
    """Register `profile`."""
    parser = subparsers.add_parser(
        "profile",
        help="list an outlet's learned boilerplate with its counts",
        description="List the blocks learned as boilerplate for each outlet, with on how many "
        "of the outlet's pages each was seen.",
    )
    parser.add_argument("outlets", nargs="*", metavar="OUTLET", help="outlet ids (default all)")
    parser.add_argument("--db", required=True, help="the SQLite database (SQLITE_PATH)")
    parser.add_argument("--json", action="store_true", help="one JSON object per outlet")
    add_threshold_arguments(parser)
    parser.set_defaults(handler=run_profile, command_name=parser.prog)
