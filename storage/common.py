"""The storage flow both backends share: batches, fault handling, and what each save does.

`BatchedStorage` decides, once for every backend, how a batch is opened, committed and
abandoned on a fault (and how many items that loses), and what storing an article, its
aliases, its earlier versions, its raw page, a failure or a crawl run does to the tables. A
backend supplies only what really differs: connecting and migrating, running SQL (the shared
SQL here is written with `?` placeholders), how a JSON column is read and bound, the insert
that returns the new id, the batch transaction and savepoint, and which errors are faults.
"""

from __future__ import annotations

import json
import time
import zlib
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from core.items import Failure, utc_now
from core.keys import normalize_url
from core.outlets import Outlet
from core.records import ArticleRecord
from storage.base import KnownUrl, SaveResult, Storage, StorageFault, StoredPage

# Columns whose change makes a re-crawl an update (the rest only say when it was seen).
CONTENT_COLUMNS = (
    "outlet_id", "title", "authors", "published", "updated", "language", "description",
    "site_name", "tags", "image", "body", "word_count", "body_hash", "cleaner_version", "removed",
    "author_organisations", "published_source", "language_declared", "language_detected",
)
# Article columns holding JSON lists.
JSON_COLUMNS = ("authors", "tags", "removed", "author_organisations")


class BatchedStorage(Storage):
    """A SQL store whose writes gather in batch transactions, one savepoint per item.

    A batch commits after `batch_size` items, when older than `flush_interval` seconds, or on
    `flush()`/`close()`. A bad item rolls back alone; a fault (an error every later write would
    hit too) rolls the whole batch back and raises `StorageFault` with the items it lost.
    """

    # Appended to a SELECT that reads a row the item is about to update, where the backend
    # needs it to hold the row against concurrent writers.
    ROW_LOCK = ""

    def __init__(self, *, batch_size: int = 50, flush_interval: float = 5.0) -> None:
        self.batch_size = max(1, batch_size)
        self.flush_interval = flush_interval
        # Called (no arguments) after each committed batch.
        self.commit_listeners: list[Callable[[], None]] = []
        self._pending = 0
        self._batch_started = 0.0

    # What a backend supplies

    @abstractmethod
    def _connect(self) -> None:
        """Connect, and create or migrate the schema (errors propagate as the driver's)."""

    @abstractmethod
    def _is_fault(self, exc: BaseException) -> bool:
        """True for a driver error that every later write would hit too."""

    @property
    @abstractmethod
    def _location(self) -> str:
        """The store named in fault messages (file path, or URL without its password)."""

    @abstractmethod
    def _error_name(self, exc: BaseException) -> str:
        """The driver's code for an error (SQLite's error name, PostgreSQL's SQLSTATE)."""

    @abstractmethod
    def _in_batch(self) -> bool:
        """True while a batch transaction is open (False when not connected)."""

    @abstractmethod
    def _begin_batch(self) -> None:
        """Open the batch transaction (raises if the store is not open)."""

    @abstractmethod
    def _savepoint(self) -> AbstractContextManager[Any]:
        """A savepoint inside the batch: one item's writes, rolled back alone if it fails."""

    @abstractmethod
    def _commit(self) -> None:
        """Commit the batch transaction."""

    @abstractmethod
    def _rollback_after_fault(self) -> None:
        """Roll the batch back after a fault, if the store can still be told to."""

    @abstractmethod
    def _execute(self, sql: str, params: list[Any]) -> None:
        """Run one statement written with `?` placeholders."""

    @abstractmethod
    def _row(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        """The first row of a query written with `?` placeholders, as a dict (None if none)."""

    @abstractmethod
    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        """Every row of a query written with `?` placeholders, as dicts."""

    @abstractmethod
    def _insert_returning_id(self, sql: str, params: list[Any]) -> int | None:
        """Run an INSERT of one row; the new row's id, or None if a conflict skipped it."""

    @abstractmethod
    def _json_column(self, value: Any) -> Any:
        """A list or dict as this backend reads it back from a JSON column (so they compare)."""

    def _bind_json(self, value: Any) -> Any:
        """A JSON column's value (as `_json_column` gives it) ready for the driver to bind."""
        return value

    # Connection and batches

    def open(self) -> None:
        with self._faults_raised("cannot open", abandon_batch=False):
            self._connect()

    @contextmanager
    def _faults_raised(self, doing: str, *, abandon_batch: bool = True) -> Iterator[None]:
        """A fault raised inside becomes a StorageFault, after the open batch is rolled back.

        A bad row's error passes through unchanged: only that item's savepoint is undone.
        """
        try:
            yield
        except Exception as exc:
            if not self._is_fault(exc):
                raise
            if abandon_batch:
                raise self._abandon_batch(exc, doing) from exc
            raise self._fault(exc, doing) from exc

    def _fault(self, exc: BaseException, doing: str, lost: int = 0) -> StorageFault:
        """A StorageFault naming the store, what failed and the driver's words and code."""
        return StorageFault(
            f"{doing} {self._location}: {exc} ({self._error_name(exc)})", lost=lost
        )

    def _abandon_batch(self, exc: BaseException, doing: str) -> StorageFault:
        """Roll back the open batch after a fault; the fault says how many items it held."""
        lost = self._pending
        self._rollback_after_fault()
        self._pending = 0
        return self._fault(exc, doing, lost)

    def flush(self) -> None:
        if self._in_batch():
            with self._faults_raised("cannot commit to"):
                self._commit()
            for listener in self.commit_listeners:
                listener()
        self._pending = 0

    def flush_if_due(self) -> None:
        if self._pending and time.monotonic() - self._batch_started >= self.flush_interval:
            self.flush()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One item's writes: joins the open batch (starting one if needed) in a savepoint."""
        with self._faults_raised("cannot write to"):
            if not self._in_batch():
                self._begin_batch()
                self._batch_started = time.monotonic()
                self._pending = 0
            with self._savepoint():
                yield
        self._pending += 1
        if (
            self._pending >= self.batch_size
            or time.monotonic() - self._batch_started >= self.flush_interval
        ):
            self.flush()

    def _insert(self, table: str, values: Mapping[str, Any], *, unique: str = "") -> int | None:
        """Insert one row; its id, or None when a row with the same `unique` column exists."""
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        skip = f" ON CONFLICT ({unique}) DO NOTHING" if unique else ""
        return self._insert_returning_id(
            f"INSERT INTO {table} ({names}) VALUES ({marks}){skip}", list(values.values())
        )

    def _bind(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Article column values ready to bind (the JSON columns through `_bind_json`)."""
        return {k: self._bind_json(v) if k in JSON_COLUMNS else v for k, v in values.items()}

    # Outlets and crawls

    def ensure_outlet(self, outlet: Outlet) -> None:
        row = outlet.to_row()
        now = utc_now()
        with self._write():
            self._execute(
                """
                INSERT INTO outlets (id, name, domains, country, language, homepage,
                                     first_seen, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                  name = excluded.name, domains = excluded.domains, country = excluded.country,
                  language = excluded.language, homepage = excluded.homepage,
                  last_seen = excluded.last_seen
                """,
                [
                    row["id"], row["name"], self._bind_json(self._json_column(row["domains"])),
                    row["country"], row["language"], row["homepage"], now, now,
                ],
            )

    def start_crawl(self, spider: str) -> int:
        with self._write():
            crawl_id = self._insert("crawls", {"spider": spider, "started_at": utc_now()})
        self.flush()  # the run is visible (and survives) even if it never finishes
        assert crawl_id is not None
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
        # Scrapy's stats as plain JSON values (times as text), keys in sorted order.
        plain_stats = json.loads(json.dumps(dict(stats), default=str, sort_keys=True))
        with self._write():
            self._execute(
                """
                UPDATE crawls SET finished_at = ?, stats = ?, items_stored = ?,
                  failures = ?, finish_reason = coalesce(?, finish_reason)
                WHERE id = ?
                """,
                [
                    utc_now(), self._bind_json(self._json_column(plain_stats)), items_stored,
                    failures, finish_reason, crawl_id,
                ],
            )
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
        """The record's content columns, in the form the store reads them back."""
        return {
            column: self._json_column(value) if column in JSON_COLUMNS else value
            for column, value in ((column, getattr(record, column)) for column in CONTENT_COLUMNS)
        }

    def _save_article_row(
        self, record: ArticleRecord, now: str, crawl_id: int | None
    ) -> tuple[SaveResult, int]:
        """Insert, update, touch or link the article row for `record`; what it did and the id.

        Looked up by normalised URL, then through a recorded alias; a body already stored under
        another URL makes the URL a duplicate of that article. Content that changed keeps the
        replaced text in `article_versions`.
        """
        key = record.normalized_url
        content = self._article_columns(record)
        existing = self._row("SELECT * FROM articles WHERE url = ?", [key])
        if existing is None:
            existing, duplicate_of = self._article_by_alias(record, now)
            if duplicate_of is not None:
                return SaveResult.DUPLICATE, duplicate_of
        if existing is None:
            original = self._row(
                "SELECT id FROM articles WHERE body_hash = ? ORDER BY id LIMIT 1",
                [record.body_hash],
            )
            if original is not None:
                self._touch(original["id"], now)
                self._link_url(key, original["id"], "duplicate", now)
                return SaveResult.DUPLICATE, original["id"]
            article_id = self._insert_article_row(record, content, now, crawl_id)
            if article_id is not None:
                return SaveResult.INSERTED, article_id
            existing = self._row(f"SELECT * FROM articles WHERE url = ?{self.ROW_LOCK}", [key])
            assert existing is not None
        changed = self._update_article_row(existing, record, content, now, crawl_id)
        return (SaveResult.UPDATED if changed else SaveResult.UNCHANGED), existing["id"]

    def _article_by_alias(
        self, record: ArticleRecord, now: str
    ) -> tuple[dict[str, Any] | None, int | None]:
        """The stored article `record`'s URL is a recorded alias of, and the id it duplicates.

        Another address of a stored article is the same page (its row, no id); a duplicate
        whose body is still the article's is touched and linked (no row, the article's id); a
        former duplicate whose text now differs becomes an article of its own (neither).
        """
        key = record.normalized_url
        link = self._row("SELECT article_id, kind FROM article_urls WHERE url = ?", [key])
        if link is None:
            return None, None
        linked = self._row("SELECT * FROM articles WHERE id = ?", [link["article_id"]])
        if link["kind"] != "duplicate":
            return linked, None
        if linked is not None and linked["body_hash"] == record.body_hash:
            self._touch(linked["id"], now)
            self._link_url(key, linked["id"], "duplicate", now)
            return None, linked["id"]
        return None, None

    def _insert_article_row(
        self, record: ArticleRecord, content: dict[str, Any], now: str, crawl_id: int | None
    ) -> int | None:
        """A new article row for `record` and its canonical URL link; its id, or None when
        another process stored the same URL between our SELECT and this INSERT (nothing is
        inserted then, and the caller updates the row it wrote instead)."""
        key = record.normalized_url
        columns = {
            "url": key, "final_url": record.final_url, **content, "first_seen": now,
            "last_seen": now, "fetched_at": record.fetched_at, "crawl_id": crawl_id,
            "etag": record.etag, "last_modified": record.last_modified,
        }
        article_id = self._insert("articles", self._bind(columns), unique="url")
        if article_id is not None:
            self._link_url(key, article_id, "canonical", now)
        return article_id

    def _update_article_row(
        self,
        existing: dict[str, Any],
        record: ArticleRecord,
        content: dict[str, Any],
        now: str,
        crawl_id: int | None,
    ) -> bool:
        """Bring the stored row up to `record` (the replaced text kept as a version when the
        content changed); whether it changed."""
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
        bound = self._bind(updates)
        assignments = ", ".join(f"{name} = ?" for name in bound)
        self._execute(
            f"UPDATE articles SET {assignments} WHERE id = ?", [*bound.values(), existing["id"]]
        )
        self._link_url(existing["url"], existing["id"], "canonical", now)
        return changed

    def _keep_version(self, existing: dict[str, Any], now: str, crawl_id: int | None) -> None:
        """Copy the article's current text into `article_versions` before an update replaces it."""
        self._insert(
            "article_versions",
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
            },
        )

    def _touch(self, article_id: int, now: str) -> None:
        """Move an article's last_seen (a duplicate of it was seen)."""
        self._execute("UPDATE articles SET last_seen = ? WHERE id = ?", [now, article_id])

    def _link_url(self, url: str, article_id: int, kind: str, now: str) -> None:
        """Point `url` at an article; a canonical link is never demoted to alias/duplicate."""
        self._execute(
            """
            INSERT INTO article_urls (url, article_id, kind, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (url) DO UPDATE SET
              article_id = excluded.article_id, kind = excluded.kind,
              last_seen = excluded.last_seen
            WHERE article_urls.kind <> 'canonical' OR excluded.kind = 'canonical'
            """,
            [url, article_id, kind, now, now],
        )

    def _save_page(self, record: ArticleRecord, article_id: int) -> None:
        """Keep the raw HTML of the fetched URL, zlib-compressed (replacing an older copy)."""
        assert record.raw_html is not None
        self._execute(
            """
            INSERT INTO pages (url, article_id, html_zlib, encoding, fetched_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (url) DO UPDATE SET
              article_id = excluded.article_id, html_zlib = excluded.html_zlib,
              encoding = excluded.encoding, fetched_at = excluded.fetched_at
            """,
            [
                record.final_url, article_id, zlib.compress(record.raw_html, 6),
                record.declared_encoding, record.fetched_at,
            ],
        )

    # Re-cleaning

    def stored_pages(self, outlets: Iterable[str] = ()) -> list[StoredPage]:
        wanted = list(outlets)
        where = f"WHERE a.outlet_id IN ({', '.join('?' * len(wanted))})" if wanted else ""
        rows = self._rows(
            f"""
            SELECT p.url, a.id AS article_id, a.outlet_id, p.encoding, p.fetched_at
            FROM pages p JOIN articles a ON a.id = p.article_id
            {where}
            ORDER BY a.outlet_id, p.url
            """,
            wanted,
        )
        return [StoredPage(**row) for row in rows]

    def page_html(self, url: str) -> bytes | None:
        row = self._row("SELECT html_zlib FROM pages WHERE url = ?", [url])
        return unpack_html(row["html_zlib"] if row else None)

    def replace_content(self, article_id: int, record: ArticleRecord) -> bool:
        if not record.body_hash:
            raise ValueError("replace_content needs the record's body_hash")
        now = utc_now()
        with self._write():
            existing = self._row(
                f"SELECT * FROM articles WHERE id = ?{self.ROW_LOCK}", [article_id]
            )
            content = self._article_columns(record)
            if existing is None or all(existing[k] == v for k, v in content.items()):
                return False
            self._keep_version(existing, now, None)
            bound = self._bind(content)
            assignments = ", ".join(f"{name} = ?" for name in bound)
            self._execute(
                f"UPDATE articles SET {assignments} WHERE id = ?", [*bound.values(), article_id]
            )
        return True

    # Failures and lookups

    def save_failure(self, failure: Failure, crawl_id: int | None = None) -> None:
        with self._write():
            self._insert(
                "failures",
                {
                    "url": failure.url,
                    "stage": failure.stage,
                    "reason": failure.reason,
                    "detail": failure.detail,
                    "status": failure.status,
                    "outlet_id": failure.outlet_id,
                    "crawl_id": crawl_id,
                    "failed_at": failure.fetched_at,
                },
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
                first_seen=_time_text(article["first_seen"]),
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
        with self._write():
            self._execute(
                "UPDATE articles SET last_seen = ?, crawl_id = coalesce(?, crawl_id) WHERE id = ?",
                [utc_now(), crawl_id, article_id],
            )
        return True


def _time_text(value: Any) -> str | None:
    """A stored time as ISO text (a backend with a timestamp type reads back a datetime)."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def unpack_html(value: bytes | memoryview | None) -> bytes | None:
    """A page's raw HTML as the `pages.html_zlib` column keeps it, decompressed (None: none)."""
    return zlib.decompress(value) if value is not None else None
