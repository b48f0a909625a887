"""`cleannews failures`: the pages that were not stored, and `failures retry` to try them again.

    cleannews failures [--db PATH] [--reason R] [--outlet ID] [--limit N]
    cleannews failures retry [--db PATH] [--reason R] [--outlet ID]

The listing shows each URL's latest failure (a URL stored as an article since is left out), one
a line: when, outlet, reason (with the HTTP status), URL, detail; and a count per reason.

A permanent failure (`CLEANNEWS_PERMANENT_FAILURES`: a 404, not HTML, too short, the wrong
language ...) is never fetched again by later crawls. `retry` makes the matching ones eligible
again: it records, for each such URL, a `retry_requested` row in `failures` (stage `retry`),
which is not permanent, so the next crawl that finds the URL fetches it once more. Nothing is
deleted: the earlier failure rows stay as the URL's history. This undoes a setting's mistake
(`-s CLEANNEWS_LANGUAGES=english` made every page a `wrong_language` failure).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any

from cleannews.checks import UserError, did_you_mean
from cleannews.dbfile import add_db_argument, check_db, connect, project_settings

RETRY_REASON = "retry_requested"
RETRY_STAGE = "retry"


def latest_failures(
    conn: sqlite3.Connection, *, reasons: list[str], outlets: list[str]
) -> list[sqlite3.Row]:
    """Each URL's latest failure row (URLs stored as articles since left out), newest first."""
    where = ["f.url NOT IN (SELECT url FROM article_urls)"]
    params: list[Any] = []
    if reasons:
        where.append(f"f.reason IN ({', '.join('?' * len(reasons))})")
        params += reasons
    if outlets:
        where.append(f"f.outlet_id IN ({', '.join('?' * len(outlets))})")
        params += outlets
    return conn.execute(
        f"""
        SELECT f.* FROM failures f
        JOIN (SELECT url, max(id) AS id FROM failures GROUP BY url) last ON last.id = f.id
        WHERE {' AND '.join(where)}
        ORDER BY f.id DESC
        """,
        params,
    ).fetchall()


def permanent_codes() -> list[str]:
    return project_settings().getlist("CLEANNEWS_PERMANENT_FAILURES")


def is_permanent(row: sqlite3.Row, codes: list[str]) -> bool:
    return row["reason"] in codes or f"{row['reason']}:{row['status']}" in codes


def check_filters(conn: sqlite3.Connection, reasons: list[str], outlets: list[str]) -> None:
    """An unknown reason or outlet is a mistake (most likely a typo), not an empty answer."""
    known_reasons = [row[0] for row in conn.execute("SELECT DISTINCT reason FROM failures")]
    for reason in reasons:
        hint = did_you_mean(reason, known_reasons)
        if reason not in known_reasons and hint:  # a near miss; a reason not seen yet is fine
            raise UserError(f"--reason: no failure with reason {reason!r} in the database{hint}")
    known_outlets = [row[0] for row in conn.execute("SELECT id FROM outlets")]
    for outlet in outlets:
        if outlet not in known_outlets:
            raise UserError(f"--outlet: no outlet {outlet!r}{did_you_mean(outlet, known_outlets)}")


def list_failures(args: argparse.Namespace) -> int:
    path = check_db(args.db)
    conn = connect(path)
    try:
        reasons, outlets = args.reason or [], args.outlet or []
        check_filters(conn, reasons, outlets)
        rows = latest_failures(conn, reasons=reasons, outlets=outlets)
    finally:
        conn.close()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["reason"]] = counts.get(row["reason"], 0) + 1
    shown = rows if args.limit <= 0 else rows[: args.limit]
    for row in shown:
        reason = row["reason"] + (f":{row['status']}" if row["status"] else "")
        print("\t".join(
            str(value or "-") for value in (
                row["failed_at"], row["outlet_id"], reason, row["url"], row["detail"])
        ))
    summary = ", ".join(f"{r} {n}" for r, n in sorted(counts.items(), key=lambda i: (-i[1], i[0])))
    hidden = len(rows) - len(shown)
    more = f" ({hidden} more: --limit 0 lists all)" if hidden else ""
    sys.stderr.write(f"{len(rows)} URL(s) failed{more}" + (f": {summary}" if summary else "") +
                     "\n")
    return 0


def retry_failures(args: argparse.Namespace) -> int:
    path = check_db(args.db)
    codes = permanent_codes()
    conn = connect(path, write=True)
    try:
        reasons, outlets = args.reason or [], args.outlet or []
        check_filters(conn, reasons, outlets)
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = [
                row for row in latest_failures(conn, reasons=reasons, outlets=outlets)
                if is_permanent(row, codes)
            ]
            mark_for_retry(conn, rows, now)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["reason"]] = counts.get(row["reason"], 0) + 1
    detail = ", ".join(f"{r} {n}" for r, n in sorted(counts.items()))
    print(f"{len(rows)} permanent failure(s) will be fetched again by the next crawl"
          + (f" ({detail})" if detail else ""))
    return 0


def mark_for_retry(conn: sqlite3.Connection, rows: list[sqlite3.Row], now: str) -> None:
    """A retry row after each failure in `rows`: its URL's latest failure is then no longer
    permanent, and the next crawl fetches it again."""
    conn.executemany(
        "INSERT INTO failures (url, stage, reason, detail, status, outlet_id, failed_at) "
        "VALUES (?, ?, ?, ?, NULL, ?, ?)",
        [
            (row["url"], RETRY_STAGE, RETRY_REASON,
             f"was {row['reason']}" + (f":{row['status']}" if row["status"] else "")
             + "; cleannews failures retry", row["outlet_id"], now)
            for row in rows
        ],
    )


def add_filters(parser: argparse.ArgumentParser) -> None:
    add_db_argument(parser)
    parser.add_argument("--reason", action="append", metavar="R",
                        help="only this reason, e.g. wrong_language (repeatable)")
    parser.add_argument("--outlet", action="append", metavar="ID",
                        help="only this outlet (repeatable)")


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "failures",
        help="list the pages that were not stored, with the reason; `failures retry`",
        description="List each failed URL's latest failure (newest first), or with `retry` "
        "make matching permanent failures eligible for the next crawl again.",
    )
    add_filters(parser)
    parser.add_argument("--limit", type=int, default=100, metavar="N",
                        help="list at most N (100; 0: all)")
    parser.set_defaults(handler=list_failures)
    actions = parser.add_subparsers(dest="action", metavar="ACTION",
                                    parser_class=type(parser))
    retry = actions.add_parser(
        "retry",
        help="make matching permanent failures eligible again in the next crawl",
        description="Record a retry_requested row for each URL whose latest failure is "
        "permanent (CLEANNEWS_PERMANENT_FAILURES) and matches the filters; the next crawl "
        "that finds the URL fetches it again. The earlier rows are kept.",
    )
    add_filters(retry)
    retry.set_defaults(handler=retry_failures)
