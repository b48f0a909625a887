"""The PostgreSQL storage backend on a private local cluster: schema, batches, dedupe, concurrency.

Skips, saying why, where PostgreSQL's binaries or psycopg are missing (scripts/ci-services.sh
installs them).
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.services import INSTALL_HINT, PostgresService, find_pg_bindir, postgres_service

from core.items import Failure
from core.keys import fill_dedupe_keys
from core.outlets import Outlet
from core.records import ArticleRecord
from storage import SaveResult, SQLiteStorage, StorageFault, storage_from_settings

psycopg = pytest.importorskip("psycopg", reason="psycopg not installed (pip install .[scale])")

from storage.postgres import (  # noqa: E402 - needs psycopg, checked just above
    MIGRATIONS,
    PostgresStorage,
    migrate,
    schema_version,
)

OUTLET = Outlet(id="valley", name="Valley Courier", domains=("valleycourier.example",))
BODY = (
    "The ferry between Kestrel Bay and Port Linden will run every forty minutes from Monday, "
    "the harbour authority said, after a second boat returned from repairs."
)
_database_numbers = itertools.count(1)


def make_record(path: str, body: str = BODY, **fields) -> ArticleRecord:
    """A record as the extract and dedupe pipelines leave it."""
    url = f"https://www.valleycourier.example{path}"
    record = ArticleRecord(
        url=url, final_url=url, outlet_id=fields.pop("outlet_id", "valley"), body=body,
        title=fields.pop("title", "Ferry timetable changes"),
        fetched_at="2026-11-23T01:00:00+00:00", word_count=len(body.split()), **fields,
    )
    return fill_dedupe_keys(record)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresService]:
    if find_pg_bindir() is None:
        pytest.skip(f"PostgreSQL (initdb, pg_ctl) not installed; {INSTALL_HINT}")
    with postgres_service() as service:
        yield service


@pytest.fixture
def database_url(cluster: PostgresService) -> str:
    """A new empty database on the module's cluster."""
    name = f"test_{next(_database_numbers)}"
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql://{cluster.user}@127.0.0.1:{cluster.port}/{name}"


@pytest.fixture
def storage(database_url: str) -> Iterator[PostgresStorage]:
    store = PostgresStorage(database_url, batch_size=50)
    store.open()
    store.ensure_outlet(OUTLET)
    store.flush()
    yield store
    store.close()


def count(url: str, table: str) -> int:
    """Rows of a table as another connection sees them (only committed rows)."""
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- schema and migrations -------------------------------------------------------------------


def test_tables_and_columns_are_those_of_the_sqlite_backend(
    tmp_path: Path, database_url: str
) -> None:
    sqlite_store = SQLiteStorage(tmp_path / "articles.db")
    sqlite_store.open()
    sqlite_store.close()
    conn = sqlite3.connect(tmp_path / "articles.db")
    sqlite_tables = {
        name: {row[1] for row in conn.execute(f"PRAGMA table_info({name})")}
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
        )
    }
    conn.close()
    PostgresStorage(database_url).open()
    with psycopg.connect(database_url) as pg:
        rows = pg.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        ).fetchall()
    pg_tables: dict[str, set[str]] = {}
    for table, column in rows:
        pg_tables.setdefault(table, set()).add(column)
    assert pg_tables.pop("schema_version") == {"version", "applied_at"}
    assert pg_tables.keys() == sqlite_tables.keys()
    for table, columns in sqlite_tables.items():
        extra = {"search"} if table == "articles" else set()  # the full-text search column
        assert pg_tables[table] == columns | extra, table


def test_migrations_run_once_even_when_processes_start_together(database_url: str) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            store = PostgresStorage(database_url)
            store.open()
            store.close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert schema_version(conn) == len(MIGRATIONS)
        assert migrate(conn) == len(MIGRATIONS)  # re-running changes nothing
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_database_url_selects_the_postgres_backend(database_url: str) -> None:
    from support.settings import settings_for_test

    settings = settings_for_test({"DATABASE_URL": database_url, "SQLITE_PATH": ""})
    store = storage_from_settings(settings)
    assert isinstance(store, PostgresStorage)
    assert store.url == database_url


# --- articles --------------------------------------------------------------------------------


def test_recrawl_updates_in_place_and_keeps_first_seen(storage: PostgresStorage) -> None:
    record = make_record("/news/ferry")
    assert storage.save_article(record, None) is SaveResult.INSERTED
    storage.flush()
    first = storage.connection.execute("SELECT * FROM articles").fetchone()
    time.sleep(1.1)  # first_seen/last_seen have second precision
    assert storage.save_article(make_record("/news/ferry"), None) is SaveResult.UNCHANGED
    changed = make_record("/news/ferry", BODY + " Fares stay the same.", authors=["Aiko Brenner"])
    assert storage.save_article(changed, None) is SaveResult.UPDATED
    storage.flush()
    rows = storage.connection.execute("SELECT * FROM articles").fetchall()
    assert len(rows) == 1
    assert rows[0]["first_seen"] == first["first_seen"]
    assert rows[0]["last_seen"] > first["last_seen"]
    assert rows[0]["body"].endswith("Fares stay the same.")
    assert rows[0]["authors"] == ["Aiko Brenner"]


def test_same_body_under_another_url_is_stored_once(storage: PostgresStorage) -> None:
    assert storage.save_article(make_record("/news/ferry"), None) is SaveResult.INSERTED
    assert storage.save_article(make_record("/print/ferry"), None) is SaveResult.DUPLICATE
    storage.flush()
    kinds = dict(
        (row["url"].rsplit("/", 2)[-2], row["kind"])
        for row in storage.connection.execute("SELECT url, kind FROM article_urls")
    )
    assert kinds == {"news": "canonical", "print": "duplicate"}
    assert count(storage.url, "articles") == 1
    assert storage.url_known("https://www.valleycourier.example/print/ferry?utm_source=x")


def test_writes_are_batched_until_flush(storage: PostgresStorage) -> None:
    storage.save_article(make_record("/news/ferry"), None)
    storage.save_failure(Failure(url="https://x.example/a", stage="fetch", reason="timeout"))
    assert count(storage.url, "articles") == 0  # still in the open batch
    storage.flush()
    assert count(storage.url, "articles") == 1
    assert count(storage.url, "failures") == 1


def test_a_bad_item_rolls_back_alone(storage: PostgresStorage) -> None:
    storage.save_article(make_record("/news/ferry"), None)
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        storage.save_article(make_record("/news/other", "Other text.", outlet_id="nope"), None)
    storage.flush()
    assert count(storage.url, "articles") == 1


def test_two_processes_storing_one_url_at_once_keep_one_row(
    storage: PostgresStorage, database_url: str
) -> None:
    other = PostgresStorage(database_url)
    other.open()
    results: list[SaveResult] = []
    storage.save_article(make_record("/news/ferry"), None)  # inserted, not yet committed

    def store_same_url() -> None:
        results.append(other.save_article(make_record("/news/ferry"), None))
        other.flush()

    thread = threading.Thread(target=store_same_url)
    thread.start()
    time.sleep(0.5)  # the other insert now waits on the unique index
    storage.flush()
    thread.join(10)
    other.close()
    assert results == [SaveResult.UNCHANGED]
    assert count(database_url, "articles") == 1


# --- crawls, search, raw pages ---------------------------------------------------------------


def test_crawl_rows_carry_stats_and_finish_reason(storage: PostgresStorage) -> None:
    crawl_id = storage.start_crawl("outlets")
    storage.save_article(make_record("/news/ferry"), crawl_id)
    storage.finish_crawl(
        crawl_id, finish_reason="finished", stats={"item_scraped_count": 1},
        items_stored=1, failures=0,
    )
    row = storage.connection.execute("SELECT * FROM crawls WHERE id = %s", [crawl_id]).fetchone()
    assert row["spider"] == "outlets"
    assert row["finish_reason"] == "finished"
    assert row["stats"] == {"item_scraped_count": 1}
    assert row["finished_at"] >= row["started_at"]
    article = storage.connection.execute("SELECT crawl_id FROM articles").fetchone()
    assert article["crawl_id"] == crawl_id


def test_full_text_search_ranks_title_matches_first(storage: PostgresStorage) -> None:
    storage.save_article(make_record("/news/ferry"), None)
    storage.save_article(
        make_record("/news/harbour", "Repairs to the harbour wall begin in May; the ferry "
                    "keeps running.", title="Harbour wall repairs"),
        None,
    )
    storage.flush()
    assert [row["title"] for row in storage.search("ferry")] == [
        "Ferry timetable changes", "Harbour wall repairs",
    ]
    assert [row["title"] for row in storage.search('"harbour wall"')] == ["Harbour wall repairs"]
    assert storage.search("tramway") == []


def test_raw_html_round_trips_through_zlib(storage: PostgresStorage) -> None:
    html = "<html><body><p>Паром ходит каждые сорок минут.</p></body></html>".encode()
    storage.save_article(make_record("/news/ferry", raw_html=html), None)
    storage.flush()
    url = "https://www.valleycourier.example/news/ferry"
    assert storage.page_html(url) == html


# --- faults ----------------------------------------------------------------------------------


def test_a_lost_connection_is_a_storage_fault_and_loses_only_the_open_batch(
    storage: PostgresStorage, database_url: str
) -> None:
    storage.save_article(make_record("/news/ferry"), None)
    storage.flush()
    storage.save_article(make_record("/news/bridge", "The bridge reopens on Friday."), None)
    backend_pid = storage.connection.info.backend_pid
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    with pytest.raises(StorageFault) as caught:
        storage.save_article(make_record("/news/harbour", "The harbour wall is repaired."), None)
    assert caught.value.lost == 1  # the uncommitted bridge story
    storage.close()  # closing a broken store does not raise again
    assert count(database_url, "articles") == 1


def test_a_read_only_database_is_a_storage_fault(database_url: str) -> None:
    store = PostgresStorage(database_url)
    store.open()
    store.ensure_outlet(OUTLET)
    store.flush()
    store.close()
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    store.open()
    with pytest.raises(StorageFault, match="25006"):
        store.save_article(make_record("/news/ferry"), None)
    store.close()


def test_an_unreachable_server_is_a_storage_fault_without_the_password() -> None:
    from support.services import free_port

    store = PostgresStorage(f"postgresql://crawler:s3cret@127.0.0.1:{free_port()}/cleannews")
    with pytest.raises(StorageFault) as caught:
        store.open()
    assert "s3cret" not in str(caught.value)
    assert "crawler:***@127.0.0.1" in str(caught.value)
