"""`cleannews stats`: per outlet, what the database holds and whether an outlet's pages changed.

    cleannews stats [--db PATH] [--since ISO] [--recent-days N]

For each outlet: articles stored, failures by reason (each URL's latest failure; URLs stored
since are not counted), the share of articles without a publication date and without authors,
the median body length in words, and the last successful crawl that stored one of its articles.

An outlet's own history is the yardstick: the articles first seen in the last `--recent-days`
days (default 7) are compared with the ones before, and a line is flagged (`!`) when a rate moved
sharply the wrong way: the share without a date or without authors up by `JUMP` or more
(0.25, i.e. 25 points), the median body down by `SHRINK` or more (40%), or the share of fetched
pages that failed up by `JUMP`. A changed page layout shows up so: dates no longer found,
bodies cut short, pages refused.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cleannews.checks import check_iso_date
from cleannews.dbfile import add_db_argument, check_db, connect

# Rise of a share (0-1) against the outlet's history that is flagged.
JUMP = 0.25
# Fall of the median body length, as a fraction of the history's, that is flagged.
SHRINK = 0.4
# Fewest articles (or fetched pages) on each side before a comparison is made.
MIN_RECENT = 5
MIN_HISTORY = 10
# Reasons that are not failures of a page but notes (a retry asked for).
NOTE_REASONS = ("retry_requested",)


@dataclass
class Sample:
    """Rates of a set of articles (and the outlet's failures in the same period)."""

    articles: int = 0
    no_date: int = 0
    no_authors: int = 0
    words: list[int] = field(default_factory=list)
    failures: int = 0

    def share(self, count: int) -> float:
        return count / self.articles if self.articles else 0.0

    @property
    def median_words(self) -> float | None:
        return statistics.median(self.words) if self.words else None

    @property
    def failure_share(self) -> float:
        total = self.articles + self.failures
        return self.failures / total if total else 0.0


@dataclass
class OutletStats:
    outlet_id: str
    name: str = ""
    all: Sample = field(default_factory=Sample)
    recent: Sample = field(default_factory=Sample)
    history: Sample = field(default_factory=Sample)
    reasons: dict[str, int] = field(default_factory=dict)
    last_crawl: str | None = None
    flags: list[str] = field(default_factory=list)


def no_authors(value: Any) -> bool:
    return value is None or str(value).strip() in ("", "[]", "null")


def collect(conn: sqlite3.Connection, since: str | None, recent_days: float) -> list[OutletStats]:
    names = dict(conn.execute("SELECT id, name FROM outlets"))
    latest = conn.execute(
        "SELECT max(first_seen) FROM articles"
    ).fetchone()[0] or datetime.now(UTC).isoformat()
    cut = (datetime.fromisoformat(latest) - timedelta(days=recent_days)).isoformat()
    outlets: dict[str, OutletStats] = {}

    def of(outlet_id: str | None) -> OutletStats:
        key = outlet_id or "(none)"
        if key not in outlets:
            outlets[key] = OutletStats(key, names.get(key, key))
        return outlets[key]

    count_articles(conn, of, since, cut)
    count_failures(conn, of, since, cut)
    crawls = last_crawls(conn)
    for entry in outlets.values():
        entry.last_crawl = crawls.get(entry.outlet_id) or None
        entry.flags = flags_of(entry, recent_days)
    return sorted(outlets.values(), key=lambda e: e.outlet_id)


def count_articles(
    conn: sqlite3.Connection, of: Callable[[str | None], OutletStats], since: str | None, cut: str
) -> None:
    """Each stored article counted in its outlet's window (recent or history) and, since
    `since`, in its whole-period sample."""
    for row in conn.execute(
        "SELECT outlet_id, published, authors, word_count, first_seen FROM articles"
    ):
        entry = of(row["outlet_id"])
        samples = [entry.recent if (row["first_seen"] or "") >= cut else entry.history]
        if not since or (row["first_seen"] or "")[: len(since)] >= since:
            samples.append(entry.all)
        for sample in samples:
            sample.articles += 1
            sample.no_date += row["published"] is None
            sample.no_authors += no_authors(row["authors"])
            if row["word_count"] is not None:
                sample.words.append(row["word_count"])


def count_failures(
    conn: sqlite3.Connection, of: Callable[[str | None], OutletStats], since: str | None, cut: str
) -> None:
    """Each URL's latest failure, unless the URL is stored as an article since."""
    for row in conn.execute(
        f"""
        SELECT f.outlet_id, f.reason, f.failed_at FROM failures f
        JOIN (SELECT url, max(id) AS id FROM failures GROUP BY url) last ON last.id = f.id
        WHERE f.url NOT IN (SELECT url FROM article_urls)
          AND f.reason NOT IN ({', '.join('?' * len(NOTE_REASONS))})
        """,
        NOTE_REASONS,
    ):
        entry = of(row["outlet_id"])
        failed_at = row["failed_at"] or ""
        (entry.recent if failed_at >= cut else entry.history).failures += 1
        if not since or failed_at[: len(since)] >= since:
            entry.all.failures += 1
            entry.reasons[row["reason"]] = entry.reasons.get(row["reason"], 0) + 1


def last_crawls(conn: sqlite3.Connection) -> dict[str, str]:
    """Per outlet, when the last crawl that finished and stored one of its articles ended."""
    crawls: dict[str, str] = {}
    for row in conn.execute(
        """
        SELECT a.outlet_id, max(c.finished_at) AS finished FROM crawls c
        JOIN articles a ON a.crawl_id = c.id
        WHERE c.finish_reason = 'finished' GROUP BY a.outlet_id
        """
    ):
        crawls[row["outlet_id"]] = row["finished"]
    return crawls


def flags_of(entry: OutletStats, recent_days: float) -> list[str]:
    """What moved sharply the wrong way in the recent window against the outlet's history."""
    recent, history = entry.recent, entry.history
    flags: list[str] = []
    window = f"last {recent_days:g} days"
    if recent.articles >= MIN_RECENT and history.articles >= MIN_HISTORY:
        for label, count_recent, count_history in (
            ("without a date", recent.no_date, history.no_date),
            ("without authors", recent.no_authors, history.no_authors),
        ):
            now, before = recent.share(count_recent), history.share(count_history)
            if now - before >= JUMP:
                flags.append(f"{now:.0%} {label} in the {window}, against {before:.0%} before")
        now_words, before_words = recent.median_words, history.median_words
        if now_words is not None and before_words and now_words <= before_words * (1 - SHRINK):
            flags.append(
                f"median body {now_words:g} words in the {window}, against {before_words:g} before"
            )
    if (recent.articles + recent.failures >= MIN_RECENT
            and history.articles + history.failures >= MIN_HISTORY):
        now, before = recent.failure_share, history.failure_share
        if now - before >= JUMP:
            flags.append(f"{now:.0%} of pages failed in the {window}, against {before:.0%} before")
    return flags


def report_lines(outlets: list[OutletStats]) -> list[str]:
    header = (f"{'outlet':<20} {'articles':>8} {'failures':>8} {'no date':>8} "
              f"{'no authors':>10} {'median words':>12}  last successful crawl")
    lines = [header]
    total = Sample()
    for entry in outlets:
        sample = entry.all
        total.articles += sample.articles
        total.failures += sample.failures
        median = sample.median_words
        lines.append(
            f"{entry.outlet_id[:20]:<20} {sample.articles:>8} {sample.failures:>8} "
            f"{sample.share(sample.no_date):>8.0%} {sample.share(sample.no_authors):>10.0%} "
            f"{('-' if median is None else f'{median:g}'):>12}  {entry.last_crawl or '-'}"
        )
        if entry.reasons:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(
                entry.reasons.items(), key=lambda item: (-item[1], item[0])))
            lines.append(f"{'':<20}   failures: {reasons}")
        lines.extend(f"{'':<20} ! {flag}" for flag in entry.flags)
    lines.append(f"{len(outlets)} outlet(s), {total.articles} article(s), "
                 f"{total.failures} failure(s)")
    return lines


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="per outlet: articles, failures by reason, missing dates/authors, flagged changes",
        description="Per outlet: articles, failures by reason, share without date or authors, "
        "median body words, the last successful crawl; lines marked ! where a rate moved "
        "sharply against the outlet's own history.",
    )
    add_db_argument(parser)
    parser.add_argument("--since", metavar="ISO",
                        help="count articles first seen and failures recorded from this date")
    parser.add_argument("--recent-days", type=float, default=7.0, metavar="N",
                        help="the recent window compared with the outlet's history (7)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.since:
        check_iso_date(args.since, "--since")
    path = check_db(args.db)
    conn = connect(path)
    try:
        outlets = collect(conn, args.since, args.recent_days)
    finally:
        conn.close()
    print("\n".join(report_lines(outlets)))
    return 0
