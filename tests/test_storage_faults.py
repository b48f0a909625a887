"""Storage faults stop the crawl with a clear error and a non-zero exit; committed rows stay.

How each fault is made:
- disk full: the database lives on a 1 MiB tmpfs mounted for the test, so SQLite meets a real
  ENOSPC (SQLITE_FULL), as on a full disk. Mounting needs root (CAP_SYS_ADMIN), so the same crawl
  also runs under RLIMIT_FSIZE, which works for any user: the kernel refuses to grow a file past
  the limit (SQLite reports a write error). In-process, `PRAGMA max_page_count` gives SQLITE_FULL.
- read-only: the database's directory bind-mounted read-only (root), else chmod (other users).
- locked: this process holds the write lock (`BEGIN IMMEDIATE`) longer than the crawl's
  CLEANNEWS_SQLITE_BUSY_TIMEOUT.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support.cronsite import GeneratedSite, crawl_command, run, write_outlets
from support.settings import crawler_for_test
from test_storage import OUTLET, make_record

from core.items import Failure
from core.keys import fill_dedupe_keys
from crawler.demo import PROJECT_ROOT, SiteServer, scrapy_env
from pipelines.store import StorePipeline
from storage import SQLiteStorage, StorageFault

STORIES = 120


@pytest.fixture(scope="module")
def site():
    with SiteServer() as server:
        yield GeneratedSite(server, STORIES)


def article_count(db_path: Path) -> int:
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        connection.close()


def complete_rows(db_path: Path) -> int:
    """Articles whose every required column is filled (all of them, or the check fails)."""
    connection = sqlite3.connect(db_path)
    try:
        total, whole = connection.execute(
            "SELECT count(*), count(CASE WHEN title <> '' AND body <> '' AND word_count > 0"
            " AND length(body_hash) = 64 AND first_seen IS NOT NULL THEN 1 END) FROM articles"
        ).fetchone()
        connection.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        assert total == whole
        return total
    finally:
        connection.close()


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def mounted(args: list[str], target: Path) -> Iterator[None]:
    target.mkdir(exist_ok=True)
    subprocess.run(["mount", *args, str(target)], check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False, capture_output=True)


# --- In-process: the storage backend turns each fault into a StorageFault ------------------


def test_full_database_raises_storage_fault_and_keeps_committed_rows(tmp_path: Path) -> None:
    db_path = tmp_path / "full.db"
    storage = SQLiteStorage(db_path, batch_size=5)
    storage.open()
    storage.ensure_outlet(OUTLET)
    storage.flush()
    pages = storage.database.execute("PRAGMA page_count").fetchone()[0]
    storage.database.execute(f"PRAGMA max_page_count = {pages + 12}")
    saved = 0

    def save_until_full() -> None:
        nonlocal saved
        for number in range(500):
            record = make_record(f"/news/{number}", f"Story {number}. " + "Words go here. " * 200)
            storage.save_article(fill_dedupe_keys(record))
            saved += 1

    with pytest.raises(StorageFault, match=r"database or disk is full \(SQLITE_FULL\)") as fault:
        save_until_full()
    assert str(db_path) in str(fault.value)
    assert 0 <= fault.value.lost < 5  # the open batch, rolled back
    storage.db.close()
    assert article_count(db_path) == saved - fault.value.lost


def test_lock_held_beyond_the_timeout_raises_storage_fault(tmp_path: Path) -> None:
    db_path = tmp_path / "locked.db"
    storage = SQLiteStorage(db_path, busy_timeout=0.2)
    storage.open()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageFault, match=r"database is locked \(SQLITE_BUSY\)"):
            storage.save_failure(Failure(url="http://x.example/a", stage="fetch", reason="timeout"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    storage.save_failure(Failure(url="http://x.example/a", stage="fetch", reason="timeout"))
    storage.close()


def test_store_pipeline_stops_storing_after_a_fault(tmp_path: Path, caplog) -> None:
    """The pipeline on its own: the fault is logged and counted, later items are not written."""
    db_path = tmp_path / "pipeline.db"
    crawler = crawler_for_test(overrides={"SQLITE_PATH": str(db_path), "OUTLETS_FILE": "",
                                         "CLEANNEWS_BATCH_SIZE": 100})
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(fill_dedupe_keys(make_record("/news/1", "Kept words. " * 50)))
    pipeline.storage.flush()
    database = pipeline.storage.database
    pages = database.execute("PRAGMA page_count").fetchone()[0]
    database.execute(f"PRAGMA max_page_count = {pages}")
    for number in range(2, 6):
        pipeline.process_item(fill_dedupe_keys(make_record(f"/news/{number}", "Word. " * 3000)))
    pipeline.close_spider()
    assert crawler.stats.get_value("cleannews/storage_errors") == 1
    assert crawler.stats.get_value("cleannews/not_stored") == 4
    assert "Storage error, stopping the crawl" in caplog.text
    assert caplog.text.count("Not stored (storage error)") == 4
    assert article_count(db_path) == 1


def test_a_bad_row_is_not_a_fault(tmp_path: Path) -> None:
    """A constraint error fails the one item (the store pipeline records it), not the store."""
    storage = SQLiteStorage(tmp_path / "ok.db")
    storage.open()
    with pytest.raises(sqlite3.IntegrityError):
        storage.save_failure(Failure(url=None, stage="fetch", reason="x"))  # type: ignore[arg-type]
    storage.save_failure(Failure(url="http://x.example/b", stage="fetch", reason="timeout"))
    storage.close()


# --- End to end: `scrapy crawl` stops, says why, exits with 1 ---------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("how", ["tmpfs", "file_size_limit"])
def test_disk_full_stops_the_crawl_and_the_next_run_finishes(site, tmp_path: Path, how) -> None:
    full_dir = tmp_path / "small-disk"
    full_dir.mkdir()
    db_path = full_dir / "news.db"
    command = crawl_command(db_path, write_outlets(tmp_path, site.server),
                            settings={"CLEANNEWS_BATCH_SIZE": "10"})
    if how == "tmpfs":
        if not can_mount():
            pytest.skip("mounting a tmpfs needs root; the file-size-limit case covers the rest")
        with mounted(["-t", "tmpfs", "-o", "size=1m", "tmpfs"], full_dir):
            result = run(command)
            for name in ("news.db", "news.db-wal"):
                if (full_dir / name).exists():
                    shutil.copy(full_dir / name, tmp_path / name)
        db_path = tmp_path / "news.db"
        expected_error = r"database or disk is full \(SQLITE_FULL\)"
    else:
        limit = 600_000
        result = subprocess.run(
            command, env=scrapy_env(), cwd=PROJECT_ROOT, capture_output=True, text=True,
            timeout=120, check=False,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
        )
        expected_error = r"disk I/O error|database or disk is full"
    assert result.returncode == 1, result.stderr[-3000:]
    log = result.stderr
    assert "Storage error, stopping the crawl" in log
    assert re.search(rf"Storage error, stopping the crawl: cannot (write to|commit to) "
                     rf"{re.escape(str(full_dir / 'news.db'))}: ({expected_error})", log)
    assert "'finish_reason': 'storage_error'" in log
    assert "Crawl did not end cleanly (finish reason storage_error, 1 storage error(s))" in log
    stored = complete_rows(db_path)
    assert 0 < stored < STORIES

    # With space again, the next run stores the rest and refetches nothing it kept.
    command = crawl_command(db_path, write_outlets(tmp_path, site.server))
    result = run(command)
    assert result.returncode == 0, result.stderr[-3000:]
    assert complete_rows(db_path) == STORIES
    assert f"'cleannews/incremental/skipped_known': {stored}" in result.stderr


@pytest.fixture
def stored_database(site, tmp_path: Path) -> tuple[Path, list[str]]:
    """A database after one complete crawl of the site, and the crawl command."""
    data = tmp_path / "data"
    data.mkdir()
    db_path = data / "news.db"
    command = crawl_command(db_path, write_outlets(tmp_path, site.server), settings={
        "CLEANNEWS_LOCK_FILE": str(tmp_path / "news.lock"), "CLEANNEWS_INCREMENTAL": "false",
    })
    assert run(command).returncode == 0
    return db_path, command


@pytest.mark.e2e
def test_read_only_database_stops_before_crawling(stored_database, site) -> None:
    db_path, command = stored_database
    before = article_count(db_path)
    requests_before = len(site.server.requests)
    if can_mount():
        with mounted(["--bind", "-o", "ro", str(db_path.parent)], db_path.parent):
            subprocess.run(["mount", "-o", "remount,bind,ro", str(db_path.parent)], check=True)
            result = run(command)
    elif os.geteuid() != 0:
        for path in db_path.parent.iterdir():
            path.chmod(0o444)
        db_path.parent.chmod(0o555)
        try:
            result = run(command)
        finally:
            db_path.parent.chmod(0o755)
    else:
        pytest.skip("running as root without mount: cannot make a file read-only")
    assert result.returncode == 1, result.stderr[-3000:]
    # The first component to open the file says so: the store ("Storage error, not crawling:
    # cannot open ... (SQLITE_READONLY)") or another one with SQLite's own words.
    assert re.search(r"readonly database|unable to open database file", result.stderr)
    assert len(site.server.requests) == requests_before  # nothing fetched
    assert article_count(db_path) == before


@pytest.mark.e2e
def test_database_locked_beyond_the_timeout_stops_before_crawling(stored_database, site) -> None:
    db_path, command = stored_database
    before = article_count(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = run([*command, "-s", "CLEANNEWS_SQLITE_BUSY_TIMEOUT=1"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Storage error, not crawling: cannot write to" in result.stderr
    assert "database is locked" in result.stderr
    assert article_count(db_path) == before
