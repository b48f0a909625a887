"""The SQLite storage backend on real database files: schema, migrations, batches, dedupe rows."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from core.items import Failure
from core.keys import fill_dedupe_keys
from core.outlets import Outlet
from core.records import ArticleRecord
from storage import SaveResult, SQLiteStorage, storage_from_settings
from storage.sqlite import MIGRATIONS, SchemaTooNew, migrate, schema_version

# The tables and columns other components (spiders' end-to-end tests, tools) rely on.
EXPECTED_COLUMNS = {
    "outlets": {
        "id", "name", "domains", "country", "language", "homepage", "first_seen", "last_seen",
    },
    "articles": {
        "id", "url", "final_url", "outlet_id", "title", "authors", "published", "updated",
        "language", "description", "site_name", "tags", "image", "body", "word_count",
        "body_hash", "cleaner_version", "removed", "first_seen", "last_seen", "fetched_at",
        "crawl_id", "etag", "last_modified", "author_organisations", "published_source",
        "language_declared", "language_detected",
    },
    "article_versions": {
        "id", "article_id", "body_hash", "body", "title", "updated", "cleaner_version",
        "fetched_at", "replaced_at", "crawl_id",
    },
    "article_urls": {"url", "article_id", "kind", "first_seen", "last_seen"},
    "pages": {"url", "article_id", "html_zlib", "encoding", "fetched_at"},
    "crawls": {
        "id", "spider", "started_at", "finished_at", "finish_reason", "stats", "items_stored",
        "failures",
    },
    "failures": {
        "id", "url", "stage", "reason", "detail", "status", "outlet_id", "crawl_id", "failed_at",
    },
}
OUTLET = Outlet(id="valley", name="Valley Courier", domains=("valleycourier.example",))


def make_record(path: str, body: str, **fields) -> ArticleRecord:
    """A record as the extract and dedupe pipelines leave it."""
    url = f"https://www.valleycourier.example{path}"
    record = ArticleRecord(
        url=fields.pop("url", url), final_url=fields.pop("final_url", url), outlet_id="valley",
        body=body, title=fields.pop("title", "Ferry timetable changes"),
        fetched_at="2026-11-23T01:00:00+00:00", word_count=len(body.split()), **fields,
    )
    return fill_dedupe_keys(record)


def count(path: Path, table: str) -> int:
    """Rows of a table as another connection sees them (only committed rows)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def storage(tmp_path: Path):
    store = SQLiteStorage(tmp_path / "articles.db", batch_size=50)
    store.open()
    store.ensure_outlet(OUTLET)
    yield store
    store.close()


# --- schema and migrations -------------------------------------------------------------------


def test_migrations_build_the_schema_from_an_empty_file(tmp_path: Path) -> None:
    db = Database(tmp_path / "empty.db")
    assert schema_version(db) == 0
    assert migrate(db) == len(MIGRATIONS)
    for table, columns in EXPECTED_COLUMNS.items():
        assert set(db[table].columns_dict) == columns, table
    assert db["articles"].detect_fts() == "articles_fts"
    assert {"articles_ai", "articles_ad", "articles_au"} <= {t.name for t in db.triggers}
    assert any(index.unique and index.columns == ["url"] for index in db["articles"].indexes)


def test_migrations_rerun_without_change_and_each_is_idempotent(tmp_path: Path) -> None:
    db = Database(tmp_path / "again.db")
    migrate(db)
    schema = db.schema
    assert migrate(db) == len(MIGRATIONS)
    for migration in MIGRATIONS:  # a half-applied file re-runs a migration: harmless
        with db.atomic():
            migration(db)
    assert db.schema == schema


def test_a_file_from_before_the_block_index_was_dropped_loses_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    with db.atomic():  # the schema as the first four migrations used to leave it
        for migration in MIGRATIONS[:4]:
            migration(db)
        db.execute(
            "CREATE INDEX boilerplate_blocks_pages ON boilerplate_blocks (outlet_id, pages)"
        )
        db.execute("PRAGMA user_version = 4")
    assert "boilerplate_blocks_pages" in {index.name for index in db["boilerplate_blocks"].indexes}
    assert migrate(db) == len(MIGRATIONS)
    assert [index.name for index in db["boilerplate_blocks"].indexes
            if not index.name.startswith("sqlite_autoindex")] == []


def test_a_file_from_before_the_metadata_columns_gains_them_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "before-metadata.db")
    with db.atomic():  # the schema as the first five migrations left it, with one article
        for migration in MIGRATIONS[:5]:
            migration(db)
        db.execute("PRAGMA user_version = 5")
        db["outlets"].insert({"id": "valley", "name": "Valley Courier"})
        db["articles"].insert({
            "url": "https://valleycourier.example/a", "outlet_id": "valley", "body": "Text.",
            "published": "2024-05-01", "first_seen": "2024-05-02", "last_seen": "2024-05-02",
        })
    assert "published_source" not in db["articles"].columns_dict
    assert migrate(db) == len(MIGRATIONS)
    row = next(db["articles"].rows)
    assert (row["published"], row["body"]) == ("2024-05-01", "Text.")
    new_columns = ("author_organisations", "published_source", "language_declared",
                   "language_detected")
    assert {name: row[name] for name in new_columns} == dict.fromkeys(new_columns)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = Database(tmp_path / "future.db")
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(SchemaTooNew):
        migrate(db)


def test_open_uses_wal_and_creates_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "articles.db"
    store = SQLiteStorage(path)
    store.open()
    try:
        assert store.database.journal_mode == "wal"
        assert store.database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        store.close()
    assert path.exists()


def test_backend_comes_from_settings(tmp_path: Path) -> None:
    from support.settings import settings_for_test

    store = storage_from_settings(settings_for_test({"SQLITE_PATH": str(tmp_path / "x.db")}))
    assert isinstance(store, SQLiteStorage)
    assert store.batch_size == 50
    url = settings_for_test(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/y.db", "CLEANNEWS_BATCH_SIZE": 7}
    )
    store = storage_from_settings(url)
    assert (store.path, store.batch_size) == (f"{tmp_path}/y.db", 7)
    assert storage_from_settings(settings_for_test({"SQLITE_PATH": ""})) is None
    with pytest.raises(ValueError, match="no backend"):
        storage_from_settings(settings_for_test({"DATABASE_URL": "mysql://db/cleannews"}))


# --- articles --------------------------------------------------------------------------------


def test_save_results_insert_unchanged_update_duplicate(storage: SQLiteStorage) -> None:
    body = "The evening ferry will leave at seven from next week. " * 8
    record = make_record("/ferry", body)
    assert storage.save_article(record) is SaveResult.INSERTED
    assert storage.save_article(make_record("/ferry", body)) is SaveResult.UNCHANGED
    assert storage.save_article(make_record("/ferry", body + " Updated.")) is SaveResult.UPDATED
    copy = make_record("/travel/ferry-copy", body + " updated.")
    assert storage.save_article(copy) is SaveResult.DUPLICATE
    rows = list(storage.database.query("SELECT url, kind FROM article_urls ORDER BY url"))
    assert rows == [
        {"url": "https://www.valleycourier.example/ferry", "kind": "canonical"},
        {"url": "https://www.valleycourier.example/travel/ferry-copy", "kind": "duplicate"},
    ]
    assert storage.database["articles"].count == 1


def test_metadata_columns_are_stored_and_compared(storage: SQLiteStorage) -> None:
    body = "The evening ferry will leave at seven from next week. " * 8
    fields = {
        "authors": [], "author_organisations": ["Valley Courier Staff"],
        "published": "2026-11-20T08:30:00-05:00", "published_source": "jsonld",
        "language": "en", "language_declared": "fr", "language_detected": "en",
    }
    assert storage.save_article(make_record("/ferry", body, **fields)) is SaveResult.INSERTED
    (row,) = storage.database.query(
        "SELECT author_organisations, published, published_source, language,"
        " language_declared, language_detected FROM articles"
    )
    assert row == {
        "author_organisations": '["Valley Courier Staff"]', "published": fields["published"],
        "published_source": "jsonld", "language": "en", "language_declared": "fr",
        "language_detected": "en",
    }
    moved = {**fields, "published_source": "meta"}  # a new source is an update
    assert storage.save_article(make_record("/ferry", body, **moved)) is SaveResult.UPDATED


def test_update_keeps_id_and_first_seen_and_moves_last_seen(storage: SQLiteStorage) -> None:
    storage.save_article(make_record("/ferry", "Old text of the story. " * 10))
    (before,) = storage.database.query("SELECT * FROM articles")
    time.sleep(1.05)  # timestamps have second precision
    storage.save_article(make_record("/ferry", "New text of the story. " * 10, title="New"))
    (after,) = storage.database.query("SELECT * FROM articles")
    assert (after["id"], after["first_seen"]) == (before["id"], before["first_seen"])
    assert after["last_seen"] > before["last_seen"]
    assert (after["title"], after["body"]) == ("New", "New text of the story. " * 10)
    hits = list(storage.database["articles"].search("new"))
    assert [hit["id"] for hit in hits] == [after["id"]]
    assert list(storage.database["articles"].search("old")) == []  # the index followed


def test_an_alias_url_is_the_same_article_and_never_demotes_a_canonical(storage) -> None:
    body = "Harbour works will close the north quay for a month. " * 6
    record = make_record("/quay", body, url="https://valleycourier.example/s/9?utm_source=x")
    storage.save_article(record)
    assert record.alias_urls == ["https://valleycourier.example/s/9"]
    assert storage.url_known("https://valleycourier.example/s/9?fbclid=1#x")
    # The short link fetched again, now without a canonical link: still the same article.
    again = make_record("/s/9", body + " Changed.", url="https://valleycourier.example/s/9")
    again.normalized_url = "https://valleycourier.example/s/9"
    again.alias_urls = ["https://www.valleycourier.example/quay"]
    assert storage.save_article(again) is SaveResult.UPDATED
    kinds = dict(storage.database.execute("SELECT url, kind FROM article_urls").fetchall())
    assert kinds["https://www.valleycourier.example/quay"] == "canonical"
    assert storage.database["articles"].count == 1


def test_a_duplicate_whose_text_diverges_becomes_its_own_article(storage) -> None:
    body = "The market hall reopens on Saturday after repairs. " * 6
    storage.save_article(make_record("/market", body))
    assert storage.save_article(make_record("/copy/market", body)) is SaveResult.DUPLICATE
    assert storage.save_article(make_record("/copy/market", body)) is SaveResult.DUPLICATE
    edited = make_record("/copy/market", body + " With a new bakery stall.")
    assert storage.save_article(edited) is SaveResult.INSERTED
    kinds = dict(storage.database.execute("SELECT url, kind FROM article_urls").fetchall())
    assert kinds["https://www.valleycourier.example/copy/market"] == "canonical"
    assert storage.database["articles"].count == 2


def test_article_needs_dedupe_keys(storage: SQLiteStorage) -> None:
    record = make_record("/x", "text " * 60)
    record.body_hash = None
    with pytest.raises(ValueError, match="dedupe keys"):
        storage.save_article(record)


# --- outlets, crawls, failures ---------------------------------------------------------------


def test_ensure_outlet_keeps_first_seen_and_refreshes_fields(storage: SQLiteStorage) -> None:
    (before,) = storage.database.query("SELECT * FROM outlets")
    time.sleep(1.05)
    renamed = Outlet(id="valley", name="The Valley Courier", domains=("valleycourier.example",))
    storage.ensure_outlet(renamed)
    (after,) = storage.database.query("SELECT * FROM outlets")
    assert after["first_seen"] == before["first_seen"]
    assert after["last_seen"] > before["last_seen"]
    assert after["name"] == "The Valley Courier"
    assert json.loads(after["domains"]) == ["valleycourier.example"]


def test_crawl_rows_and_failure_rows(storage: SQLiteStorage) -> None:
    crawl_id = storage.start_crawl("outlets")
    failure = Failure(
        url="https://www.valleycourier.example/old", stage="fetch", reason="http_error",
        detail="HTTP 410", status=410, outlet_id="valley",
    )
    storage.save_failure(failure, crawl_id)
    started = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    storage.finish_crawl(
        crawl_id, finish_reason="finished", items_stored=0, failures=1,
        stats={"start_time": started, "cleannews/failures/http_error": 1},
    )
    (crawl,) = storage.database.query("SELECT * FROM crawls")
    assert (crawl["spider"], crawl["finish_reason"]) == ("outlets", "finished")
    assert crawl["failures"] == 1
    assert json.loads(crawl["stats"])["start_time"].startswith("2026-11-23 01:00:00")
    (row,) = storage.database.query("SELECT * FROM failures")
    assert row == {
        "id": row["id"], "url": failure.url, "stage": "fetch", "reason": "http_error",
        "detail": "HTTP 410", "status": 410, "outlet_id": "valley", "crawl_id": crawl_id,
        "failed_at": failure.fetched_at,
    }


# --- batches and crashes ---------------------------------------------------------------------


def test_writes_commit_per_batch_and_on_close(tmp_path: Path) -> None:
    path = tmp_path / "batch.db"
    store = SQLiteStorage(path, batch_size=3, flush_interval=3600)
    store.open()
    store.ensure_outlet(OUTLET)  # batch item 1
    store.save_article(make_record("/a", "alpha " * 60))  # 2
    assert count(path, "articles") == 0  # still in the open batch
    store.save_article(make_record("/b", "beta " * 60))  # 3: the batch commits
    assert count(path, "articles") == 2
    store.save_article(make_record("/c", "gamma " * 60))
    assert count(path, "articles") == 2
    store.close()
    assert count(path, "articles") == 3


def test_an_old_batch_is_flushed_by_the_timer_hook(tmp_path: Path) -> None:
    path = tmp_path / "timer.db"
    store = SQLiteStorage(path, batch_size=100, flush_interval=0.05)
    store.open()
    try:
        store.ensure_outlet(OUTLET)
        store.flush_if_due()
        assert count(path, "outlets") == 0  # younger than the interval
        time.sleep(0.06)
        store.flush_if_due()
        assert count(path, "outlets") == 1
    finally:
        store.close()


def test_a_bad_item_rolls_back_alone(storage: SQLiteStorage) -> None:
    storage.save_article(make_record("/good", "good " * 60))
    broken = make_record("/broken", "broken " * 60)
    broken.outlet_id = None  # violates NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        storage.save_article(broken)
    storage.save_article(make_record("/after", "after " * 60))
    storage.flush()
    urls = [row["url"] for row in storage.database.query("SELECT url FROM articles ORDER BY id")]
    assert urls == ["https://www.valleycourier.example/good", "https://www.valleycourier.example/after"]
    assert storage.database.execute("SELECT count(*) FROM article_urls").fetchone()[0] == 2


CRASH_SCRIPT = """
import os
from core.outlets import Outlet
from core.keys import fill_dedupe_keys
from core.records import ArticleRecord
from storage import SQLiteStorage

store = SQLiteStorage({path!r}, batch_size=2, flush_interval=3600)
store.open()
for n in range(4):  # ensure_outlet + 4 articles: 2 batches commit, 1 article stays open
    if n == 0:
        store.ensure_outlet(Outlet(id="valley", name="Valley", domains=("valleycourier.example",)))
    url = f"https://www.valleycourier.example/{{n}}"
    record = ArticleRecord(url=url, final_url=url, outlet_id="valley", body=f"story {{n}} " * 60,
                           fetched_at="2026-11-23T01:00:00+00:00")
    store.save_article(fill_dedupe_keys(record))
os._exit(1)  # a crash: no close, no commit
"""


def test_a_crash_loses_only_the_open_batch(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    script = tmp_path / "crash.py"
    script.write_text(textwrap.dedent(CRASH_SCRIPT).format(path=str(path)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 1, done.stderr
    assert not done.stderr
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    finally:
        conn.close()


def test_two_writers_on_one_file_both_get_their_rows_in(tmp_path: Path) -> None:
    """Two crawls writing one file: each waits for the other's lock instead of failing."""
    path = tmp_path / "shared.db"
    setup = SQLiteStorage(path)
    setup.open()
    setup.ensure_outlet(OUTLET)
    setup.close()
    errors: list[BaseException] = []

    def crawl(name: str) -> None:
        store = SQLiteStorage(path, batch_size=3)
        try:
            store.open()
            for n in range(30):
                store.save_article(make_record(f"/{name}/{n}", f"{name} story {n} " * 30))
            store.close()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    writers = [threading.Thread(target=crawl, args=(name,)) for name in ("a", "b")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
    assert errors == []
    assert count(path, "articles") == 60
