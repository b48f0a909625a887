"""Re-clean stored pages with the current cleaners and learned profiles; list learned profiles.

    python -m cleaners reclean --db data/articles.db [--outlet ID ...] [--keep-counts]
                               [--window-pages N]
    python -m cleaners profile --db data/articles.db [OUTLET ...] [--json]
    python -m cleaners extract --jsonl --learn < pages.jsonl

`reclean` reads the raw HTML kept in the `pages` table (crawl with CLEANNEWS_STORE_RAW_HTML on),
rebuilds each outlet's block counts from it (unless `--keep-counts`), learns the profiles, and
cleans every page again, updating its `articles` row (body, metadata, `removed` audit, body hash,
`cleaner_version`). So the first pages of an outlet, cleaned before anything was learned, are
fixed later, and so is every page after a cleaner improves.

The database is read and written with the standard library's `sqlite3` against the schema the
storage module creates (the cleaners import neither sqlite-utils nor the pipelines).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tomllib
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from cleaners.article import Article
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
    learn_from_pages,
    learn_profile,
    read_page_blocks,
)
from cleaners.profile_store import (
    forget_outlet,
    has_tables,
    load_stats,
    outlets_with_stats,
    record_page,
)
from cleaners.rules import OutletRules
from cleaners.version import CLEANER_VERSION

PROG = "python -m cleaners"
# Article rows updated per transaction by `reclean`.
UPDATE_BATCH = 100


def body_hash(body: str) -> str:
    """SHA-256 of the body with Unicode form, case and whitespace normalised.

    The same key the dedupe pipeline stores (`pipelines.dedupe.body_hash`; a test keeps the two
    equal), so a re-cleaned article is still found as the original of later copies.
    """
    normalised = " ".join(unicodedata.normalize("NFKC", body).casefold().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def rules_from_outlets_file(path: str | Path | None) -> dict[str, OutletRules]:
    """Cleaning rules per outlet id from an outlets TOML file (none when no file is given)."""
    if not path:
        return {}
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    rules: dict[str, OutletRules] = {}
    for entry in data.get("outlet", []):
        selectors, patterns = entry.get("drop_selectors", []), entry.get("drop_patterns", [])
        rules[str(entry["id"])] = OutletRules(
            id=str(entry["id"]),
            name=entry.get("name"),
            drop_selectors=tuple([selectors] if isinstance(selectors, str) else selectors),
            drop_patterns=tuple([patterns] if isinstance(patterns, str) else patterns),
        )
    return rules


# --- Stored pages ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A page whose raw HTML is kept, and the article row it produced."""

    url: str
    article_id: int
    outlet_id: str
    encoding: str | None


def open_database(path: str | Path) -> sqlite3.Connection:
    """An existing cleannews database (FileNotFoundError when there is none)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no database at {path}")
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def stored_pages(conn: sqlite3.Connection, outlets: Iterable[str] = ()) -> list[StoredPage]:
    """Pages with raw HTML and their articles, by outlet then URL (only `outlets` if given)."""
    wanted = list(outlets)
    where = f"WHERE a.outlet_id IN ({', '.join('?' * len(wanted))})" if wanted else ""
    rows = conn.execute(
        f"""
        SELECT p.url, a.id, a.outlet_id, p.encoding FROM pages p
        JOIN articles a ON a.id = p.article_id
        {where}
        ORDER BY a.outlet_id, p.url
        """,
        wanted,
    )
    return [StoredPage(*row) for row in rows]


def page_html(conn: sqlite3.Connection, url: str) -> bytes | None:
    row = conn.execute("SELECT html_zlib FROM pages WHERE url = ?", [url]).fetchone()
    return zlib.decompress(row[0]) if row and row[0] is not None else None


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
    conn: sqlite3.Connection, pages: list[StoredPage], window_pages: int = DEFAULT_WINDOW_PAGES
) -> None:
    """Rebuild the block counts of the pages' outlets from their raw HTML.

    As in a crawl, an outlet's counts describe its `window_pages` most recent pages (by fetch
    time; 0: all), recorded oldest first.
    """
    fetched = dict(conn.execute("SELECT url, fetched_at FROM pages"))
    by_outlet: dict[str, list[StoredPage]] = defaultdict(list)
    for page in pages:
        by_outlet[page.outlet_id].append(page)
    for outlet_id, all_pages in by_outlet.items():
        outlet_pages = sorted(all_pages, key=lambda page: (fetched.get(page.url) or "", page.url))
        if window_pages > 0:
            outlet_pages = outlet_pages[-window_pages:]
        counted: list[tuple[str, list[PageBlock]]] = []
        for page in outlet_pages:
            html = page_html(conn, page.url)
            if html is None:
                continue
            try:  # counted under the fetched URL, as the crawl's extract step counts it
                counted.append((page.url, page_blocks_of(html, page.encoding)))
            except ExtractionError:
                continue
        conn.execute("BEGIN IMMEDIATE")
        forget_outlet(conn, outlet_id)
        for key, blocks in counted:
            record_page(conn, outlet_id, key, blocks)
        conn.execute("COMMIT")


def article_columns(article: Article) -> dict[str, Any]:
    """The `articles` columns the cleaners decide, as the storage module writes them."""
    return {
        "title": article.title,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "author_organisations": json.dumps(article.author_organisations, ensure_ascii=False),
        "published": article.published,
        "published_source": article.published_source,
        "updated": article.updated,
        "language": article.language,
        "language_declared": article.language_declared,
        "language_detected": article.language_detected,
        "description": article.description,
        "site_name": article.site_name,
        "tags": json.dumps(article.tags, ensure_ascii=False),
        "image": article.image,
        "body": article.body,
        "word_count": article.word_count,
        "body_hash": body_hash(article.body),
        "cleaner_version": article.cleaner_version,
        "removed": json.dumps(
            [
                {"cleaner": r.cleaner, "text": r.text, **({"reason": r.reason} if r.reason else {})}
                for r in article.removed
            ],
            ensure_ascii=False,
        ),
    }


def reclean(
    conn: sqlite3.Connection,
    *,
    outlets: Iterable[str] = (),
    thresholds: ProfileThresholds = DEFAULT_THRESHOLDS,
    rules: dict[str, OutletRules] | None = None,
    relearn: bool = True,
    window_pages: int = DEFAULT_WINDOW_PAGES,
) -> RecleanReport:
    """Clean every stored page again with the current cleaners and its outlet's profile."""
    if not has_tables(conn):
        raise RuntimeError("the database has no block statistics tables (open it with a crawl)")
    pages = stored_pages(conn, outlets)
    if relearn:
        relearn_counts(conn, pages, window_pages)
    report = RecleanReport()
    for outlet_id in sorted({page.outlet_id for page in pages}):
        report.profiles[outlet_id] = learn_profile(load_stats(conn, outlet_id), thresholds)
    rules = rules or {}
    conn.execute("BEGIN IMMEDIATE")
    try:
        for count, page in enumerate(pages, 1):
            if count % UPDATE_BATCH == 0:  # commit in batches: a crawl may be writing too
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
            reclean_page(conn, page, rules.get(page.outlet_id), report)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return report


def reclean_page(
    conn: sqlite3.Connection, page: StoredPage, rules: OutletRules | None, report: RecleanReport
) -> None:
    """Clean one stored page with its outlet's profile and update its article row."""
    html = page_html(conn, page.url)
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
    if update_article(conn, page.article_id, article_columns(article)):
        report.updated += 1
    else:
        report.unchanged += 1


def update_article(conn: sqlite3.Connection, article_id: int, columns: dict[str, Any]) -> bool:
    """Write the cleaned columns of an article row; False when nothing differs."""
    names = ", ".join(columns)
    current = conn.execute(f"SELECT {names} FROM articles WHERE id = ?", [article_id]).fetchone()
    if current is not None and tuple(current) == tuple(columns.values()):
        return False
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.execute(
        f"UPDATE articles SET {assignments} WHERE id = ?", [*columns.values(), article_id]
    )
    return True


# --- extract --jsonl --learn -----------------------------------------------------------------


def outlet_of_record(record: dict, default: str | None) -> str | None:
    """A JSON Lines record's outlet: its `outlet`, the command's --outlet, else its URL's host."""
    outlet = record.get("outlet") if isinstance(record.get("outlet"), str) else default
    if outlet:
        return outlet
    url = record.get("url")
    host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
    return host.removeprefix("www.") or None


@dataclass(slots=True)
class JsonlPage:
    """One input record of `extract --jsonl --learn` and its first cleaning (or why it failed)."""

    id: Any
    html: str | None = None
    url: str | None = None
    outlet: str | None = None
    result: Article | ExtractionError | str = ""


def read_jsonl_page(line: str, url: str | None, outlet: str | None) -> JsonlPage:
    """Parse one input line and clean it without a profile, collecting its blocks."""
    try:
        record = json.loads(line)
    except ValueError as error:
        return JsonlPage(None, result=f"not a JSON line: {error}")
    if not isinstance(record, dict) or not isinstance(record.get("html"), str):
        record_id = record.get("id") if isinstance(record, dict) else None
        return JsonlPage(record_id, result='a line must be a JSON object with an "html" string')
    page = JsonlPage(
        record.get("id"),
        html=record["html"],
        url=record.get("url") if isinstance(record.get("url"), str) else url,
        outlet=outlet_of_record(record, outlet),
    )
    try:
        page.result = extract_article(
            page.html, url=page.url, outlet=page.outlet, collect_blocks=True
        )
    except ExtractionError as error:
        page.result = error
    return page


def learn_and_extract_jsonl(
    lines: Iterable[str],
    out: IO[str],
    *,
    url: str | None = None,
    outlet: str | None = None,
    thresholds: ProfileThresholds = DEFAULT_THRESHOLDS,
) -> int:
    """Read all records, learn a profile per outlet, then write every page cleaned with it.

    Output lines are in input order and have the same form as `extract --jsonl`'s.
    """
    pages = [read_jsonl_page(line, url, outlet) for line in lines if line.strip()]
    by_outlet: dict[str, list[list[PageBlock]]] = defaultdict(list)
    for page in pages:
        if page.outlet and isinstance(page.result, Article):
            by_outlet[page.outlet].append(page.result.blocks)
    profiles = {o: learn_from_pages(o, blocks, thresholds) for o, blocks in by_outlet.items()}
    for page in pages:
        profile = profiles.get(page.outlet or "")
        if isinstance(page.result, Article) and profile and page.html is not None:
            try:
                page.result = extract_article(
                    page.html, url=page.url, outlet=page.outlet, profile=profile
                )
            except ExtractionError as error:
                page.result = error
        out.write(jsonl_line(page.id, page.result) + "\n")
        out.flush()
    return 0


def jsonl_line(record_id: Any, result: Article | ExtractionError | str) -> str:
    if isinstance(result, Article):
        return json.dumps({"id": record_id, **result.to_dict()}, ensure_ascii=False)
    if isinstance(result, ExtractionError):
        error = {"reason": result.reason, "detail": result.detail}
    else:
        error = {"reason": "bad_input", "detail": result}
    return json.dumps({"id": record_id, "error": error}, ensure_ascii=False)


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
    try:
        conn = open_database(args.db)
    except FileNotFoundError as error:
        sys.stderr.write(f"{PROG} reclean: {error}\n")
        return 2
    try:
        report = reclean(
            conn,
            outlets=args.outlet or (),
            thresholds=thresholds_from_args(args),
            rules=rules_from_outlets_file(args.outlets),
            relearn=not args.keep_counts,
            window_pages=args.window_pages,
        )
    finally:
        conn.close()
    print("\n".join(report.lines()))
    print(f"cleaner version {CLEANER_VERSION}")
    return 0


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
    try:
        conn = open_database(args.db)
    except FileNotFoundError as error:
        sys.stderr.write(f"{PROG} profile: {error}\n")
        return 2
    thresholds = thresholds_from_args(args)
    try:
        if not has_tables(conn):
            sys.stderr.write(f"{PROG} profile: {args.db} has no block statistics\n")
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
    parser.set_defaults(handler=run_reclean)


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
    parser.set_defaults(handler=run_profile)
