"""Block statistics in the SQLite database, through the standard library's `sqlite3`.

Two tables (created by the storage module's migration from `SCHEMA`):
- `boilerplate_pages`: one row per (outlet, page URL) with the page's distinct block
  fingerprints, so a re-crawled page replaces its old contribution instead of adding to it;
- `boilerplate_blocks`: per (outlet, fingerprint) the number of distinct pages the block was seen
  on, its length in words and a normalised sample of its text. Most blocks of a page are its own
  story's and are never seen again: a block on one page only may have no row, as its page's
  fingerprints already record it (`load_stats` counts those). Rows for them made the table three
  times as large and its writes twice as costly, for nothing any profile could use.
An outlet's profile is computed from these counts with the current thresholds when needed, so
changing a threshold needs no migration. `BlockCountStore` is a crawl's own connection to the
tables; the functions below work on any `sqlite3` connection (the store's migration, reclean).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cleaners.profile import BLOCK_FORMAT_VERSION, BlockStats, PageBlock

SCHEMA = """
CREATE TABLE IF NOT EXISTS boilerplate_pages (
  outlet_id TEXT NOT NULL,
  url TEXT NOT NULL,
  fingerprints TEXT NOT NULL,
  block_format TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (outlet_id, url)
);
CREATE TABLE IF NOT EXISTS boilerplate_blocks (
  outlet_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  pages INTEGER NOT NULL,
  words INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (outlet_id, fingerprint)
);
"""
# Earlier versions also indexed boilerplate_blocks by (outlet_id, pages). No query reads it, and
# keeping it current cost a quarter of the learning writes (every count change moves an entry).
DROP_UNUSED_INDEX = "DROP INDEX IF EXISTS boilerplate_blocks_pages"


def create_tables(conn: sqlite3.Connection) -> None:
    """Create the two tables if missing (idempotent)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def has_tables(conn: sqlite3.Connection) -> bool:
    """True when the database has the block statistics tables."""
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'boilerplate_blocks'"
    ).fetchone()
    return bool(row and row[0])


def stored_fingerprints(conn: sqlite3.Connection, outlet_id: str, url: str) -> list[str] | None:
    """The fingerprints recorded for a page, or None if the page was never recorded."""
    row = conn.execute(
        "SELECT fingerprints FROM boilerplate_pages WHERE outlet_id = ? AND url = ?",
        [outlet_id, url],
    ).fetchone()
    return json.loads(row[0]) if row else None


def record_page(
    conn: sqlite3.Connection, outlet_id: str, url: str, blocks: Iterable[PageBlock]
) -> bool:
    """Count a page's distinct blocks for its outlet, replacing an earlier record of the page.

    Returns False (and writes nothing) when the page was recorded with the same blocks already.
    The caller owns the transaction.
    """
    return record_pages(conn, [(outlet_id, url, blocks)]) == 1


class CountChanges:
    """What recording some pages changes: per (outlet, block) the change in pages, a sample of
    each block gained, the blocks that lost a page, and the page rows to write."""

    def __init__(self) -> None:
        self.deltas: dict[tuple[str, str], int] = {}
        self.samples: dict[tuple[str, str], PageBlock] = {}
        self.shrunk: set[tuple[str, str]] = set()
        self.page_rows: list[tuple[str, str, str, str, str]] = []

    def page(self, outlet_id: str, old: list[str] | None, blocks: dict[str, PageBlock]) -> None:
        """A page counted before with `old` (None: never) and now with `blocks`."""
        old_set, new_set = set(old or ()), set(blocks)
        for print_ in old_set - new_set:
            key = (outlet_id, print_)
            self.deltas[key] = self.deltas.get(key, 0) - 1
            self.shrunk.add(key)
        for print_ in new_set - old_set:
            key = (outlet_id, print_)
            self.deltas[key] = self.deltas.get(key, 0) + 1
            self.samples.setdefault(key, blocks[print_])

    def grown_rows(
        self, counts: Mapping[str, Mapping[str, int]] | None
    ) -> list[tuple[str, str, int, int, str, int]]:
        """(outlet, fingerprint, pages now, words, text, change) of each block that gained
        pages, in key order; with `counts`, none for a block still on one page only."""
        rows = []
        for key, delta in self.deltas.items():
            if delta <= 0:
                continue
            pages_now = delta
            if counts is not None and (known := counts.get(key[0])) is not None:
                pages_now = known.get(key[1], 0)
                if pages_now < 2:
                    continue  # on this page only: its fingerprints record it
            sample = self.samples[key]
            rows.append((*key, pages_now, sample.words, sample.text, delta))
        rows.sort()
        return rows


def record_pages(
    conn: sqlite3.Connection,
    pages: Iterable[tuple[str, str, Iterable[PageBlock]]],
    counts: Mapping[str, Mapping[str, int]] | None = None,
) -> int:
    """`record_page` for many pages (each (outlet, url) at most once), with the count changes
    summed per block first: a block on every page of a batch is one write, not one per page.

    `counts` (outlet -> fingerprint -> pages), when given, are the outlets' counts with these
    pages included, as the caller holds them: then a block on one page only gets no row (its
    page's fingerprints record it), and a block that reaches a second page gets its row with
    its full count. Without them every block gets a row. Returns how many pages changed. The
    caller owns the transaction.
    """
    changes = page_changes(conn, pages)
    if changes.page_rows:
        write_changes(conn, changes, counts)
    return len(changes.page_rows)


def page_changes(
    conn: sqlite3.Connection, pages: Iterable[tuple[str, str, Iterable[PageBlock]]]
) -> CountChanges:
    """The count changes of recording `pages`, against the fingerprints stored for each; a
    page whose fingerprints are unchanged changes nothing."""
    changes = CountChanges()
    now = utc_now()
    for outlet_id, url, blocks in pages:
        unique = {block.fingerprint: block for block in blocks}
        new = sorted(unique)
        old = stored_fingerprints(conn, outlet_id, url)
        if old == new:
            continue
        changes.page(outlet_id, old, unique)
        changes.page_rows.append((outlet_id, url, json.dumps(new), BLOCK_FORMAT_VERSION, now))
    return changes


def write_changes(
    conn: sqlite3.Connection,
    changes: CountChanges,
    counts: Mapping[str, Mapping[str, int]] | None,
) -> None:
    """Write summed count changes: shrunk rows, grown or new rows, the pages' fingerprints."""
    # Rows are written in key order (neighbouring B-tree pages); only the rows written are
    # sorted: sorting every change of a batch twice was a third of this function's time.
    conn.executemany(
        "UPDATE boilerplate_blocks SET pages = pages + ? WHERE outlet_id = ? AND fingerprint = ?",
        [(delta, *key) for key, delta in sorted(
            (key, delta) for key, delta in changes.deltas.items() if delta < 0
        )],
    )
    conn.executemany(
        "DELETE FROM boilerplate_blocks WHERE outlet_id = ? AND fingerprint = ? AND pages <= 0",
        sorted(changes.shrunk),
    )
    # A new row starts at the block's full count (its other page may have been recorded with
    # no row); an existing row grows by the change.
    conn.executemany(
        """
        INSERT INTO boilerplate_blocks (outlet_id, fingerprint, pages, words, text)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (outlet_id, fingerprint) DO UPDATE SET pages = pages + ?
        """,
        changes.grown_rows(counts),
    )
    conn.executemany(
        """
        INSERT INTO boilerplate_pages (outlet_id, url, fingerprints, block_format, recorded_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (outlet_id, url) DO UPDATE SET
          fingerprints = excluded.fingerprints, block_format = excluded.block_format,
          recorded_at = excluded.recorded_at
        """,
        changes.page_rows,
    )


def evict_oldest_pages(conn: sqlite3.Connection, outlet_id: str, keep: int) -> list[list[str]]:
    """Uncount an outlet's pages beyond its `keep` most recently recorded; their fingerprints.

    The counts then describe a window of the outlet's recent pages: what they take in memory
    and on disk stays bounded however long the outlet has been crawled, and a template the
    outlet dropped is forgotten once the window has moved past it. The caller owns the
    transaction. `keep` 0 keeps every page.
    """
    if keep <= 0:
        return []
    (recorded,) = conn.execute(
        "SELECT count(*) FROM boilerplate_pages WHERE outlet_id = ?", [outlet_id]
    ).fetchone()
    if recorded <= keep:
        return []
    oldest = conn.execute(
        "SELECT url, fingerprints FROM boilerplate_pages WHERE outlet_id = ?"
        " ORDER BY recorded_at, rowid LIMIT ?",
        [outlet_id, recorded - keep],
    ).fetchall()
    evicted = [json.loads(fingerprints) for _url, fingerprints in oldest]
    uncount_pages(conn, outlet_id, evicted)
    conn.executemany(
        "DELETE FROM boilerplate_pages WHERE outlet_id = ? AND url = ?",
        [(outlet_id, url) for url, _fingerprints in oldest],
    )
    return evicted


def uncount_pages(
    conn: sqlite3.Connection, outlet_id: str, page_prints: list[list[str]]
) -> None:
    """Take pages (each its fingerprints) out of an outlet's block rows: rows fall by how many
    of the pages hold their block, and a row left with no page goes."""
    deltas = Counter(print_ for prints in page_prints for print_ in set(prints))
    # Most evicted blocks were on their page alone and have no row: the outlet's rows (the
    # blocks on two pages or more, a few per page) are read in one range scan, and only those
    # are written, rather than looking up every evicted block.
    rows = dict(conn.execute(
        "SELECT fingerprint, pages FROM boilerplate_blocks WHERE outlet_id = ?", [outlet_id]
    ))
    changed = sorted(
        (print_, pages - deltas[print_]) for print_, pages in rows.items() if print_ in deltas
    )
    conn.executemany(
        "UPDATE boilerplate_blocks SET pages = ? WHERE outlet_id = ? AND fingerprint = ?",
        [(pages, outlet_id, print_) for print_, pages in changed if pages > 0],
    )
    conn.executemany(
        "DELETE FROM boilerplate_blocks WHERE outlet_id = ? AND fingerprint = ?",
        [(outlet_id, print_) for print_, pages in changed if pages <= 0],
    )


def forget_outlet(conn: sqlite3.Connection, outlet_id: str) -> None:
    """Delete an outlet's statistics (before they are rebuilt from stored pages)."""
    conn.execute("DELETE FROM boilerplate_pages WHERE outlet_id = ?", [outlet_id])
    conn.execute("DELETE FROM boilerplate_blocks WHERE outlet_id = ?", [outlet_id])


def load_stats(conn: sqlite3.Connection, outlet_id: str) -> BlockStats:
    """An outlet's counts as stored (zero pages when it has none).

    A block with a row has its row's count; a block without one is counted from the pages'
    fingerprints (it is on one page, and has no sample: no profile can take it).
    """
    stats = BlockStats(outlet_id)
    counts, samples = stats.counts, stats.samples
    for print_, pages, words, text in conn.execute(
        "SELECT fingerprint, pages, words, text FROM boilerplate_blocks WHERE outlet_id = ?",
        [outlet_id],
    ):
        counts[print_] = pages
        samples[print_] = (text, words)
    pages_read = 0
    for (fingerprints,) in conn.execute(
        "SELECT fingerprints FROM boilerplate_pages WHERE outlet_id = ?", [outlet_id]
    ):
        pages_read += 1
        for print_ in json.loads(fingerprints):
            if print_ not in samples:
                counts[print_] += 1
    stats.pages = pages_read
    return stats


def outlets_with_stats(conn: sqlite3.Connection) -> Iterator[tuple[str, int]]:
    """(outlet id, pages recorded) for every outlet with statistics, by id."""
    yield from conn.execute(
        "SELECT outlet_id, count(*) FROM boilerplate_pages GROUP BY outlet_id ORDER BY outlet_id"
    )


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# Seconds a waiting write (the final one of a crawl) waits for another writer to finish.
CLOSE_BUSY_TIMEOUT = 30.0


class BlockCountStore:
    """The block-count tables of one SQLite file, through a connection of their own.

    The article store holds the write lock while a batch is open, so a write here either takes
    the lock at once or, with `wait`, waits up to `CLOSE_BUSY_TIMEOUT` (the end of a crawl).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.conn: sqlite3.Connection | None = None

    def open(self) -> None:
        if self.conn is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit, so a failed lock attempt leaves none open.
        self.conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        if not has_tables(self.conn):  # the store's migration makes them; a bare file may not
            self.try_write(create_tables, wait=True)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def load_stats(self, outlet_id: str) -> BlockStats:
        self.open()
        assert self.conn is not None
        return load_stats(self.conn, outlet_id)

    def stored_fingerprints(self, outlet_id: str, url: str) -> list[str] | None:
        assert self.conn is not None
        return stored_fingerprints(self.conn, outlet_id, url)

    def write_pages(
        self,
        pages: list[tuple[str, str, list[PageBlock]]],
        counts: Mapping[str, Counter[str]] | None,
        window_pages: int,
        *,
        wait: bool,
    ) -> dict[str, list[list[str]]] | None:
        """Record pages and evict what fell out of each outlet's window, in one transaction.

        The fingerprints of the evicted pages per outlet; None when the lock was not free (and
        `wait` was not asked for): nothing was written.
        """
        evicted: dict[str, list[list[str]]] = {}

        def write(conn: sqlite3.Connection) -> None:
            record_pages(conn, pages, counts)
            for outlet_id in sorted({outlet_id for outlet_id, _url, _blocks in pages}):
                evicted[outlet_id] = evict_oldest_pages(conn, outlet_id, window_pages)

        return evicted if self.try_write(write, wait=wait) else None

    def try_write(self, write: Any, *, wait: bool) -> bool:
        """Run `write(conn)` in a write transaction; False when the lock is taken (no `wait`)."""
        assert self.conn is not None
        self.conn.execute(f"PRAGMA busy_timeout = {int(CLOSE_BUSY_TIMEOUT * 1000) if wait else 0}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if wait or "locked" not in str(exc):
                raise
            return False
        try:
            write(self.conn)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return True
