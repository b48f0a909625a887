"""What incremental runs ask of a storage backend, on SQLite and on PostgreSQL.

`lookup_url` (what an earlier run left about a URL), `mark_not_modified` (a 304 re-visit), the
ETag/Last-Modified of each article and `article_versions` (what an update replaced). PostgreSQL
runs on a private cluster (tests/support/services.py) and skips, saying why, when it is not
installed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from support.services import INSTALL_HINT, find_pg_bindir, postgres_service

from core.items import Failure
from core.keys import fill_dedupe_keys
from core.outlets import Outlet
from core.records import ArticleRecord
from storage import SaveResult, SQLiteStorage, Storage

OUTLET = Outlet(id="valley", name="Valley Courier", domains=("valleycourier.example",))
BASE = "https://www.valleycourier.example"
BODY = (
    "The ferry between Kestrel Bay and Port Linden will run every forty minutes from Monday, "
    "the harbour authority said, after a second boat returned from repairs."
)
_database_numbers = itertools.count(1)


def record(path: str, body: str = BODY, **fields) -> ArticleRecord:
    url = f"{BASE}{path}"
    return fill_dedupe_keys(ArticleRecord(
        url=fields.pop("url", url), final_url=url, outlet_id="valley", body=body,
        title=fields.pop("title", "Ferry timetable changes"),
        fetched_at=fields.pop("fetched_at", "2026-11-23T01:00:00+00:00"),
        word_count=len(body.split()), **fields,
    ))


@pytest.fixture(scope="module")
def cluster():
    if find_pg_bindir() is None:
        pytest.skip(f"PostgreSQL (initdb, pg_ctl) not installed; {INSTALL_HINT}")
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install .[scale])")
    with postgres_service() as service:
        yield service


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request, tmp_path) -> Iterator[Storage]:
    if request.param == "sqlite":
        store: Storage = SQLiteStorage(tmp_path / "store.db")
    else:
        import psycopg

        from storage.postgres import PostgresStorage

        service = request.getfixturevalue("cluster")
        name = f"history_{next(_database_numbers)}"
        with psycopg.connect(service.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        store = PostgresStorage(f"postgresql://{service.user}@127.0.0.1:{service.port}/{name}")
    store.open()
    store.ensure_outlet(OUTLET)
    crawl_id = store.start_crawl("outlets")
    assert crawl_id == 1
    yield store
    store.close()


def test_lookup_knows_articles_their_addresses_and_validators(storage: Storage) -> None:
    assert storage.lookup_url(f"{BASE}/news/ferry") is None
    story = record("/news/ferry", url=f"{BASE}/old/ferry", etag='"v1"',
                   last_modified="Sun, 22 Nov 2026 10:00:00 GMT", published="2026-11-22")
    assert storage.save_article(story, 1) is SaveResult.INSERTED
    storage.save_article(record("/copy/ferry"), 1)  # the same text elsewhere: a duplicate
    storage.flush()
    known = storage.lookup_url(f"{BASE}/news/ferry?utm_source=feed")
    assert known is not None
    assert (known.kind, known.etag, known.last_modified, known.published) == (
        "article", '"v1"', "Sun, 22 Nov 2026 10:00:00 GMT", "2026-11-22")
    assert known.first_seen
    alias = storage.lookup_url(f"{BASE}/old/ferry")  # the URL before the redirect
    assert alias is not None
    assert alias.etag == '"v1"'
    duplicate = storage.lookup_url(f"{BASE}/copy/ferry")
    assert duplicate is not None
    assert (duplicate.kind, duplicate.etag) == ("article", None)  # not its own validators


def test_lookup_gives_the_latest_failure(storage: Storage) -> None:
    url = f"{BASE}/news/gone"
    storage.save_failure(Failure(url=url, stage="fetch", reason="timeout"), 1)
    storage.save_failure(Failure(url=url, stage="fetch", reason="http_error", status=404), 1)
    storage.flush()
    known = storage.lookup_url(url)
    assert known is not None
    assert (known.kind, known.reason, known.status) == ("failure", "http_error", 404)


def test_not_modified_moves_last_seen_and_crawl_only(storage: Storage) -> None:
    storage.save_article(record("/news/ferry", etag='"v1"'), 1)
    storage.flush()
    second = storage.start_crawl("outlets")
    assert storage.mark_not_modified(f"{BASE}/news/ferry", second)
    assert not storage.mark_not_modified(f"{BASE}/news/unknown", second)
    storage.flush()
    assert storage.lookup_url(f"{BASE}/news/ferry").etag == '"v1"'
    assert storage.save_article(record("/news/ferry", etag='"v1"'), second) is \
        SaveResult.UNCHANGED


def test_an_update_keeps_the_replaced_version(storage: Storage) -> None:
    storage.save_article(record("/news/ferry", etag='"v1"'), 1)
    unchanged = storage.save_article(record("/news/ferry", etag='"v1"'), 1)
    assert unchanged is SaveResult.UNCHANGED
    new_body = BODY.replace("forty", "thirty")
    second = storage.start_crawl("outlets")
    updated = storage.save_article(
        record("/news/ferry", new_body, etag='"v2"', fetched_at="2026-11-23T02:00:00+00:00"),
        second,
    )
    assert updated is SaveResult.UPDATED
    storage.flush()
    assert storage.lookup_url(f"{BASE}/news/ferry").etag == '"v2"'
    versions = versions_of(storage)
    assert len(versions) == 1
    (version,) = versions
    assert version["body"] == BODY
    assert version["body_hash"] == record("/news/ferry").body_hash
    assert str(version["fetched_at"]).startswith("2026-11-23")
    assert version["replaced_at"]
    assert version["crawl_id"] == second


def versions_of(storage: Storage) -> list[dict]:
    if isinstance(storage, SQLiteStorage):
        return [dict(row) for row in storage.database.query("SELECT * FROM article_versions")]
    return storage.connection.execute("SELECT * FROM article_versions").fetchall()


def test_recleaned_content_goes_through_the_store_and_keeps_the_old_text(storage: Storage) -> None:
    """What `reclean` reads (kept raw HTML) and writes (content again, the old as a version)."""
    html = b"<html><body><p>The ferry timetable.</p></body></html>"
    storage.save_article(record("/news/ferry", raw_html=html, declared_encoding="utf-8"), 1)
    storage.flush()
    (page,) = storage.stored_pages()
    assert (page.url, page.outlet_id, page.encoding) == (f"{BASE}/news/ferry", "valley", "utf-8")
    assert str(page.fetched_at).startswith("2026-11-23")
    assert storage.stored_pages(["elsewhere"]) == []
    assert storage.page_html(page.url) == html
    assert storage.page_html(f"{BASE}/news/unknown") is None
    assert not storage.replace_content(page.article_id, record("/news/ferry"))  # nothing differs
    new_body = BODY.replace(" the harbour authority said,", "")
    assert storage.replace_content(page.article_id, record("/news/ferry", new_body))
    storage.flush()
    assert [v["body"] for v in versions_of(storage)] == [BODY]
    sql = "SELECT body, body_hash FROM articles"
    rows = (storage.database.query(sql) if isinstance(storage, SQLiteStorage)
            else storage.connection.execute(sql).fetchall())
    assert [(r["body"], r["body_hash"]) for r in rows] == [
        (new_body, record("/news/ferry", new_body).body_hash)]
