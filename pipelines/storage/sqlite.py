"""SQLite storage through sqlite-utils: WAL journal, `user_version` migrations, batched writes.

Tables: outlets, articles (+ `articles_fts`, FTS5 over title and body), article_urls, pages
(raw HTML, zlib, only written when raw storage is on), crawls, failures. Writes go into one
transaction per batch (`batch_size` items, or older than `flush_interval` seconds, or on close);
each item sits in its own savepoint, so a bad item rolls back alone and a crash loses at most
the open batch: SQLite's journal keeps the file consistent.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from cleaners.profile_store import create_tables as create_boilerplate_schema
from crawler.items import Failure, utc_now
from crawler.outlets import Outlet
from pipelines.dedupe import normalize_url
from pipelines.records import ArticleRecord
from pipelines.storage.base import KnownUrl, SaveResult, Storage, StorageFault

# Columns whose change makes a re-crawl an update (the rest only say when it was seen).
CONTENT_COLUMNS = (
    "outlet_id", "title", "authors", "published", "updated", "language", "description",
    "site_name", "tags", "image", "body", "word_count", "body_hash", "cleaner_version", "removed",
)


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
    """Per-outlet block statistics for learned boilerplate (schema in cleaners.profile_store)."""
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


MIGRATIONS: list[Callable[[Database], None]] = [
    create_core_tables,
    create_article_search,
    create_boilerplate_tables,
    add_revisits_and_history,
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


class SQLiteStorage(Storage):
    """Storage in one SQLite file (":memory:" works too, for experiments)."""

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 50,
        flush_interval: float = 5.0,
        busy_timeout: float = BUSY_TIMEOUT_MS / 1000,
    ) -> None:
        self.path = str(path)
        self.batch_size = max(1, batch_size)
        self.flush_interval = flush_interval
        self.busy_timeout = busy_timeout
        self.db: Database | None = None
        self._pending = 0
        self._batch_started = 0.0

    # Connection and batches

    def open(self) -> None:
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if is_storage_fault(exc):
                raise self._fault(exc, "cannot open") from exc
            raise

    def _open(self) -> None:
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

    def _fault(self, exc: BaseException, doing: str, lost: int = 0) -> StorageFault:
        """A StorageFault naming the file, what failed and SQLite's own words and code."""
        name = getattr(exc, "sqlite_errorname", type(exc).__name__)
        return StorageFault(f"{doing} {self.path}: {exc} ({name})", lost=lost)

    def _abandon_batch(self, exc: BaseException, doing: str) -> StorageFault:
        """Roll back the open batch after a fault; the fault says how many items it held."""
        lost = self._pending
        db = self.db
        if db is not None and db.conn.in_transaction:
            try:
                db.conn.rollback()
            except sqlite3.Error:
                pass  # SQLite may have rolled back on its own (SQLITE_FULL, IOERR ...)
        self._pending = 0
        return self._fault(exc, doing, lost)

    def close(self) -> None:
        if self.db is None:
            return
        self.flush()
        self.db.execute("PRAGMA optimize")
        self.db.close()
        self.db = None

    def flush(self) -> None:
        if self.db is not None and self.db.conn.in_transaction:
            try:
                self.db.commit()
            except sqlite3.DatabaseError as exc:
                if is_storage_fault(exc):
                    raise self._abandon_batch(exc, "cannot commit to") from exc
                raise
        self._pending = 0

    def flush_if_due(self) -> None:
        if self._pending and time.monotonic() - self._batch_started >= self.flush_interval:
            self.flush()

    @property
    def database(self) -> Database:
        """The open sqlite-utils Database (raises if `open()` was not called)."""
        if self.db is None:
            raise RuntimeError("SQLiteStorage is not open")
        return self.db

    @contextmanager
    def _write(self) -> Iterator[Database]:
        """One item's writes: joins the open batch (starting one if needed) in a savepoint."""
        db = self.database
        try:
            if not db.conn.in_transaction:
                # IMMEDIATE takes the write lock now: an item reads before it writes, and a
                # deferred transaction could not upgrade if another process wrote in between.
                db.execute("BEGIN IMMEDIATE")
                self._batch_started = time.monotonic()
                self._pending = 0
            with db.atomic():
                yield db
        except sqlite3.DatabaseError as exc:
            if is_storage_fault(exc):
                raise self._abandon_batch(exc, "cannot write to") from exc
            raise
        self._pending += 1
        if (
            self._pending >= self.batch_size
            or time.monotonic() - self._batch_started >= self.flush_interval
        ):
            self.flush()

    def _row(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        return next(iter(self.database.query(sql, params)), None)

    # Outlets and crawls

    def ensure_outlet(self, outlet: Outlet) -> None:
        row = outlet.to_row()
        row["domains"] = _json(row["domains"])
        now = utc_now()
        with self._write() as db:
            db.execute(
                """
                INSERT INTO outlets (id, name, domains, country, language, homepage,
                                     first_seen, last_seen)
                VALUES (:id, :name, :domains, :country, :language, :homepage, :now, :now)
                ON CONFLICT(id) DO UPDATE SET
                  name = excluded.name, domains = excluded.domains, country = excluded.country,
                  language = excluded.language, homepage = excluded.homepage,
                  last_seen = excluded.last_seen
                """,
                {**row, "now": now},
            )

    def start_crawl(self, spider: str) -> int:
        with self._write() as db:
            crawl_id = db["crawls"].insert({"spider": spider, "started_at": utc_now()}).last_pk
        self.flush()  # the run is visible (and survives) even if it never finishes
        return int(crawl_id)

    def finish_crawl(
        self,
        crawl_id: int,
        *,
        finish_reason: str | None,
        stats: Mapping[str, Any],
        items_stored: int,
        failures: int,
    ) -> None:
        updates = {
            "finished_at": utc_now(),
            "stats": json.dumps(dict(stats), ensure_ascii=False, default=str, sort_keys=True),
            "items_stored": items_stored,
            "failures": failures,
        }
        if finish_reason is not None:
            updates["finish_reason"] = finish_reason
        with self._write() as db:
            db["crawls"].update(crawl_id, updates)
        self.flush()

    # Articles

    def save_article(self, record: ArticleRecord, crawl_id: int | None = None) -> SaveResult:
        if not record.normalized_url or not record.body_hash:
            raise ValueError("save_article needs the dedupe keys (normalized_url, body_hash)")
        now = utc_now()
        with self._write():
            result, article_id = self._save_article_row(record, now, crawl_id)
            kind = "duplicate" if result is SaveResult.DUPLICATE else "alias"
            for url in record.alias_urls:
                self._link_url(url, article_id, kind, now)
            if record.raw_html is not None:
                self._save_page(record, article_id)
        return result

    def _article_columns(self, record: ArticleRecord) -> dict[str, Any]:
        return {
            "outlet_id": record.outlet_id,
            "title": record.title,
            "authors": _json(record.authors),
            "published": record.published,
            "updated": record.updated,
            "language": record.language,
            "description": record.description,
            "site_name": record.site_name,
            "tags": _json(record.tags),
            "image": record.image,
            "body": record.body,
            "word_count": record.word_count,
            "body_hash": record.body_hash,
            "cleaner_version": record.cleaner_version,
            "removed": _json(record.removed),
        }

    def _save_article_row(
        self, record: ArticleRecord, now: str, crawl_id: int | None
    ) -> tuple[SaveResult, int]:
        db = self.database
        key = record.normalized_url
        content = self._article_columns(record)
        existing = self._row("SELECT * FROM articles WHERE url = ?", [key])
        if existing is None:
            link = self._row("SELECT article_id, kind FROM article_urls WHERE url = ?", [key])
            if link is not None:
                linked = self._row("SELECT * FROM articles WHERE id = ?", [link["article_id"]])
                if link["kind"] != "duplicate":
                    existing = linked  # another address of a stored article: the same page
                elif linked is not None and linked["body_hash"] == record.body_hash:
                    self._touch(linked["id"], now)
                    self._link_url(key, linked["id"], "duplicate", now)
                    return SaveResult.DUPLICATE, linked["id"]
                # else: a former duplicate whose text now differs becomes an article of its own
        if existing is not None:
            changed = any(existing[column] != value for column, value in content.items())
            updates = {
                "final_url": record.final_url,
                "last_seen": now,
                "fetched_at": record.fetched_at,
                "crawl_id": crawl_id,
                "etag": record.etag,
                "last_modified": record.last_modified,
                **(content if changed else {}),
            }
            if changed:
                self._keep_version(existing, now, crawl_id)
            db["articles"].update(existing["id"], updates)
            self._link_url(existing["url"], existing["id"], "canonical", now)
            return (SaveResult.UPDATED if changed else SaveResult.UNCHANGED), existing["id"]
        original = self._row(
            "SELECT id FROM articles WHERE body_hash = ? ORDER BY id LIMIT 1", [record.body_hash]
        )
        if original is not None:
            self._touch(original["id"], now)
            self._link_url(key, original["id"], "duplicate", now)
            return SaveResult.DUPLICATE, original["id"]
        inserted = db["articles"].insert(
            {
                "url": key,
                "final_url": record.final_url,
                **content,
                "first_seen": now,
                "last_seen": now,
                "fetched_at": record.fetched_at,
                "crawl_id": crawl_id,
                "etag": record.etag,
                "last_modified": record.last_modified,
            }
        )
        article_id = int(inserted.last_pk)
        self._link_url(key, article_id, "canonical", now)
        return SaveResult.INSERTED, article_id

    def _keep_version(self, existing: dict[str, Any], now: str, crawl_id: int | None) -> None:
        """Copy the article's current text into `article_versions` before an update replaces it."""
        self.database["article_versions"].insert(
            {
                "article_id": existing["id"],
                "body_hash": existing["body_hash"],
                "body": existing["body"],
                "title": existing["title"],
                "updated": existing["updated"],
                "cleaner_version": existing["cleaner_version"],
                "fetched_at": existing["fetched_at"],
                "replaced_at": now,
                "crawl_id": crawl_id,
            }
        )

    def _touch(self, article_id: int, now: str) -> None:
        self.database.execute("UPDATE articles SET last_seen = ? WHERE id = ?", [now, article_id])

    def _link_url(self, url: str, article_id: int, kind: str, now: str) -> None:
        """Point `url` at an article; a canonical link is never demoted to alias/duplicate."""
        self.database.execute(
            """
            INSERT INTO article_urls (url, article_id, kind, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET
              article_id = excluded.article_id, kind = excluded.kind,
              last_seen = excluded.last_seen
            WHERE article_urls.kind != 'canonical' OR excluded.kind = 'canonical'
            """,
            [url, article_id, kind, now, now],
        )

    def _save_page(self, record: ArticleRecord, article_id: int) -> None:
        assert record.raw_html is not None
        self.database["pages"].upsert(
            {
                "url": record.final_url,
                "article_id": article_id,
                "html_zlib": zlib.compress(record.raw_html, 6),
                "encoding": record.declared_encoding,
                "fetched_at": record.fetched_at,
            },
            pk="url",
        )

    # Failures and lookups

    def save_failure(self, failure: Failure, crawl_id: int | None = None) -> None:
        with self._write() as db:
            db["failures"].insert(
                {
                    "url": failure.url,
                    "stage": failure.stage,
                    "reason": failure.reason,
                    "detail": failure.detail,
                    "status": failure.status,
                    "outlet_id": failure.outlet_id,
                    "crawl_id": crawl_id,
                    "failed_at": failure.fetched_at,
                }
            )

    def url_known(self, url: str) -> bool:
        key = normalize_url(url)
        return (
            self._row("SELECT 1 FROM articles WHERE url = ?", [key]) is not None
            or self._row("SELECT 1 FROM article_urls WHERE url = ?", [key]) is not None
        )

    def _article_id_of(self, key: str) -> int | None:
        """The id of the article stored under, or reached through, a normalised URL."""
        row = self._row("SELECT id FROM articles WHERE url = ?", [key]) or self._row(
            "SELECT article_id AS id FROM article_urls WHERE url = ?", [key]
        )
        return row["id"] if row else None

    def lookup_url(self, url: str) -> KnownUrl | None:
        key = normalize_url(url)
        article = self._row(
            "SELECT etag, last_modified, published, first_seen, 'canonical' AS kind"
            " FROM articles WHERE url = ?",
            [key],
        ) or self._row(
            "SELECT a.etag, a.last_modified, a.published, a.first_seen, u.kind FROM article_urls u"
            " JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
            [key],
        )
        if article is not None:
            # A duplicate's address serves another page: the stored validators are not its own.
            own = article["kind"] != "duplicate"
            return KnownUrl(
                kind="article",
                etag=article["etag"] if own else None,
                last_modified=article["last_modified"] if own else None,
                published=article["published"],
                first_seen=article["first_seen"],
            )
        failure = self._row(
            "SELECT reason, status FROM failures WHERE url IN (?, ?) ORDER BY id DESC LIMIT 1",
            [url, key],
        )
        if failure is not None:
            return KnownUrl(kind="failure", reason=failure["reason"], status=failure["status"])
        return None

    def mark_not_modified(self, url: str, crawl_id: int | None = None) -> bool:
        article_id = self._article_id_of(normalize_url(url))
        if article_id is None:
            return False
        with self._write() as db:
            db.execute(
                "UPDATE articles SET last_seen = ?, crawl_id = coalesce(?, crawl_id) WHERE id = ?",
                [utc_now(), crawl_id, article_id],
            )
        return True


def read_page_html(db: Database | sqlite3.Connection, url: str) -> bytes | None:
    """The raw HTML stored for a fetched URL, decompressed (None if none was kept)."""
    conn = db.conn if isinstance(db, Database) else db
    row = conn.execute("SELECT html_zlib FROM pages WHERE url = ?", [url]).fetchone()
    return zlib.decompress(row[0]) if row and row[0] is not None else None
