"""SQLite storage through sqlite-utils: WAL journal, `user_version` migrations, batched writes.

Tables: outlets, articles (+ `articles_fts`, FTS5 over title and body), article_urls, pages
(raw HTML, zlib, only written when raw storage is on), crawls, failures. Writes go into one
transaction per batch (`batch_size` items, or older than `flush_interval` seconds, or on close);
each item sits in its own savepoint, so a bad item rolls back alone and a crash loses at most
the open batch: SQLite's journal keeps the file consistent. That flow is
`storage.common.BatchedStorage`'s; this module gives it the file, the migrations,
SQLite's dialect and its fault codes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.boilerplate import DROP_UNUSED_INDEX
from storage.boilerplate import create_tables as create_boilerplate_schema
from storage.common import BatchedStorage, unpack_html

# Milliseconds a write waits for another connection's lock before failing (default; the
# `busy_timeout` argument, from CLEANNEWS_SQLITE_BUSY_TIMEOUT, overrides it).
BUSY_TIMEOUT_MS = 30_000

# Primary result codes (the low byte of `sqlite_errorcode`) that mean the file cannot be written
# at all, rather than that one row is bad: busy/locked beyond the timeout, read-only, I/O error,
# corrupt, disk full, cannot open, not a database, permission denied.
FAULT_CODES = {
    sqlite3.SQLITE_PERM, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_NOTADB,
}


def is_storage_fault(exc: BaseException) -> bool:
    """True for an SQLite error that every later write would hit too (see FAULT_CODES)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.DatabaseError) and code is not None and (
        code & 0xFF) in FAULT_CODES


def _json(value: Any) -> str:
    """JSON text for a list/dict column, keeping non-ASCII characters readable."""
    return json.dumps(value, ensure_ascii=False, default=str)


# --- Schema migrations -----------------------------------------------------------------------
# Migration N (1-based) brings the schema from user_version N-1 to N. Each is idempotent
# (IF NOT EXISTS everywhere), so re-running one on a half-migrated file is harmless.


def create_core_tables(db: Database) -> None:
    """outlets, crawls, articles, article_urls, pages, failures and their indexes."""
    db["outlets"].create(
        {
            "id": str, "name": str, "domains": str, "country": str, "language": str,
            "homepage": str, "first_seen": str, "last_seen": str,
        },
        pk="id",
        not_null={"name"},
        if_not_exists=True,
    )
    db["crawls"].create(
        {
            "id": int, "spider": str, "started_at": str, "finished_at": str,
            "finish_reason": str, "stats": str, "items_stored": int, "failures": int,
        },
        pk="id",
        if_not_exists=True,
    )
    db["articles"].create(
        {
            "id": int, "url": str, "final_url": str, "outlet_id": str, "title": str,
            "authors": str, "published": str, "updated": str, "language": str,
            "description": str, "site_name": str, "tags": str, "image": str, "body": str,
            "word_count": int, "body_hash": str, "cleaner_version": str, "removed": str,
            "first_seen": str, "last_seen": str, "fetched_at": str, "crawl_id": int,
        },
        pk="id",
        foreign_keys=[("outlet_id", "outlets", "id"), ("crawl_id", "crawls", "id")],
        not_null={"url", "outlet_id", "body", "first_seen", "last_seen"},
        if_not_exists=True,
    )
    articles = db["articles"]
    articles.create_index(["url"], "articles_url", unique=True, if_not_exists=True)
    articles.create_index(["body_hash"], "articles_body_hash", if_not_exists=True)
    articles.create_index(["outlet_id", "published"], "articles_outlet", if_not_exists=True)
    db["article_urls"].create(
        {"url": str, "article_id": int, "kind": str, "first_seen": str, "last_seen": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "kind"},
        if_not_exists=True,
    )
    db["article_urls"].create_index(["article_id"], "article_urls_article", if_not_exists=True)
    db["pages"].create(
        {"url": str, "article_id": int, "html_zlib": bytes, "encoding": str, "fetched_at": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["pages"].create_index(["article_id"], "pages_article", if_not_exists=True)
    db["failures"].create(
        {
            "id": int, "url": str, "stage": str, "reason": str, "detail": str, "status": int,
            "outlet_id": str, "crawl_id": int, "failed_at": str,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
        not_null={"url", "stage", "reason"},
        if_not_exists=True,
    )
    db["failures"].create_index(["reason"], "failures_reason", if_not_exists=True)
    db["failures"].create_index(["url"], "failures_url", if_not_exists=True)


def create_article_search(db: Database) -> None:
    """FTS5 index `articles_fts` over title and body, kept current by triggers.

    The triggers carry sqlite-utils' names (so `disable_fts()` removes them), but the update
    trigger fires only when title or body change: a re-crawl that only moves `last_seen` does
    not rewrite the index.
    """
    if not db["articles_fts"].exists():
        db["articles"].enable_fts(["title", "body"], tokenize="unicode61 remove_diacritics 2")
    db.executescript(
        """
        CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
          INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        END;
        CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        END;
        CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE OF title, body ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
          INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        END;
        """
    )


def create_boilerplate_tables(db: Database) -> None:
    """Per-outlet block statistics for learned boilerplate (schema in storage.boilerplate)."""
    create_boilerplate_schema(db.conn)


def add_revisits_and_history(db: Database) -> None:
    """Validators of each article's last fetch (for conditional re-visits) and `article_versions`.

    `article_versions` keeps what an update replaced: one row per earlier version of an article,
    with its body, body hash, title, when it was fetched and when (and by which crawl) it was
    replaced.
    """
    columns = db["articles"].columns_dict
    for name in ("etag", "last_modified"):
        if name not in columns:
            db.execute(f"ALTER TABLE articles ADD COLUMN {name} TEXT")
    db["article_versions"].create(
        {
            "id": int, "article_id": int, "body_hash": str, "body": str, "title": str,
            "updated": str, "cleaner_version": str, "fetched_at": str, "replaced_at": str,
            "crawl_id": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("crawl_id", "crawls", "id")],
        not_null={"article_id", "body", "replaced_at"},
        if_not_exists=True,
    )
    db["article_versions"].create_index(
        ["article_id"], "article_versions_article", if_not_exists=True
    )


def drop_unused_block_index(db: Database) -> None:
    """The block statistics' index by page count: never read, costly to keep current."""
    db.execute(DROP_UNUSED_INDEX)


# Metadata columns: organisations named as authors (JSON list), where `published` came from,
# and the declared and detected languages beside `language`.
METADATA_COLUMNS = (
    "author_organisations", "published_source", "language_declared", "language_detected",
)


def add_metadata_columns(db: Database) -> None:
    """`author_organisations`, `published_source`, `language_declared`, `language_detected`.

    Rows stored before are left NULL (`python -m cleaners reclean` fills them from raw HTML).
    """
    columns = db["articles"].columns_dict
    for name in METADATA_COLUMNS:
        if name not in columns:
            db.execute(f"ALTER TABLE articles ADD COLUMN {name} TEXT")


MIGRATIONS: list[Callable[[Database], None]] = [
    create_core_tables,
    create_article_search,
    create_boilerplate_tables,
    add_revisits_and_history,
    drop_unused_block_index,
    add_metadata_columns,
]


class SchemaTooNew(RuntimeError):
    """The database was written by a newer cleannews (its user_version is beyond our list)."""


def schema_version(db: Database) -> int:
    """The database's `PRAGMA user_version`: how many migrations it has had."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database) -> int:
    """Apply pending migrations, each in its own transaction with its version bump; new version."""
    version = schema_version(db)
    if version > len(MIGRATIONS):
        raise SchemaTooNew(f"schema version {version} is newer than this code ({len(MIGRATIONS)})")
    for number in range(version + 1, len(MIGRATIONS) + 1):
        with db.atomic():
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
    return schema_version(db)


# --- The backend -----------------------------------------------------------------------------


class SQLiteStorage(BatchedStorage):
    """Storage in one SQLite file (":memory:" works too, for experiments)."""

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 50,
        flush_interval: float = 5.0,
        busy_timeout: float = BUSY_TIMEOUT_MS / 1000,
    ) -> None:
        super().__init__(batch_size=batch_size, flush_interval=flush_interval)
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self.db: Database | None = None

    # Connection

    def _connect(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(self.path)
        db.execute("PRAGMA foreign_keys = ON")
        # Another process's batch can hold the write lock for up to its flush interval: wait.
        db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        if self.path != ":memory:":
            db.enable_wal()
            # In WAL mode NORMAL never corrupts; a power cut may lose the last commits only.
            db.execute("PRAGMA synchronous = NORMAL")
        migrate(db)
        self.db = db

    def close(self) -> None:
        if self.db is None:
            return
        self.flush()
        self.db.execute("PRAGMA optimize")
        self.db.close()
        self.db = None

    @property
    def database(self) -> Database:
        """The open sqlite-utils Database (raises if `open()` was not called)."""
        if self.db is None:
            raise RuntimeError("SQLiteStorage is not open")
        return self.db

    # Faults

    def _is_fault(self, exc: BaseException) -> bool:
        return is_storage_fault(exc)

    @property
    def _location(self) -> str:
        return self.path

    def _error_name(self, exc: BaseException) -> str:
        return getattr(exc, "sqlite_errorname", type(exc).__name__)

    # Batches

    def _in_batch(self) -> bool:
        return self.db is not None and self.db.conn.in_transaction

    def _begin_batch(self) -> None:
        # IMMEDIATE takes the write lock now: an item reads before it writes, and a deferred
        # transaction could not upgrade if another process wrote in between.
        self.database.execute("BEGIN IMMEDIATE")

    def _savepoint(self) -> AbstractContextManager[Any]:
        return self.database.atomic()

    def _commit(self) -> None:
        self.database.commit()

    def _rollback_after_fault(self) -> None:
        db = self.db
        if db is not None and db.conn.in_transaction:
            try:
                db.conn.rollback()
            except sqlite3.Error:
                pass  # SQLite may have rolled back on its own (SQLITE_FULL, IOERR ...)

    # The SQL dialect: `?` placeholders, JSON as text, the insert's rowid

    def _execute(self, sql: str, params: list[Any]) -> None:
        self.database.execute(sql, params)

    def _row(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        return next(iter(self.database.query(sql, params)), None)

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        return list(self.database.query(sql, params))

    def _insert_returning_id(self, sql: str, params: list[Any]) -> int | None:
        cursor = self.database.execute(sql, params)
        return cursor.lastrowid if cursor.rowcount else None

    def _json_column(self, value: Any) -> str:
        return _json(value)


def read_page_html(db: Database | sqlite3.Connection, url: str) -> bytes | None:
    """The raw HTML stored for a fetched URL, decompressed (None if none was kept)."""
    conn = db.conn if isinstance(db, Database) else db
    row = conn.execute("SELECT html_zlib FROM pages WHERE url = ?", [url]).fetchone()
    return unpack_html(row[0] if row else None)
