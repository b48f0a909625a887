"""The exclusive run lock: a second crawl of the same database exits at once and touches nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from scrapy.settings import Settings
from support.cronsite import (
    GeneratedSite,
    count_rows,
    crawl_command,
    run,
    start_crawl,
    wait_for,
    write_outlets,
)

from crawler.demo import SiteServer
from crawler.lock import AlreadyRunning, FileLock, lock_path_for


@pytest.fixture(scope="module")
def slow_site():
    """30 stories at 0.4 s each, 4 at a time: a crawl that runs for a few seconds."""
    with SiteServer() as server:
        yield GeneratedSite(server, 30, delay=0.4)


def test_lock_path_follows_the_database() -> None:
    assert lock_path_for(Settings({"SQLITE_PATH": "data/a.db"})) == Path("data/a.db.lock")
    assert lock_path_for(Settings({"DATABASE_URL": "sqlite:///x/b.db"})) == Path("x/b.db.lock")
    assert lock_path_for(Settings({"SQLITE_PATH": "a.db", "CLEANNEWS_LOCK_FILE": "/run/c.lock"})) \
        == Path("/run/c.lock")
    # A shared PostgreSQL store is meant for several processes; memory and no store lock nothing.
    assert lock_path_for(Settings({"DATABASE_URL": "postgresql://h/db"})) is None
    assert lock_path_for(Settings({"SQLITE_PATH": ":memory:"})) is None
    assert lock_path_for(Settings({"SQLITE_PATH": ""})) is None


def test_file_lock_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    first, second = FileLock(tmp_path / "db.lock"), FileLock(tmp_path / "db.lock")
    first.acquire()
    with pytest.raises(AlreadyRunning, match=rf"pid {os.getpid()}"):
        second.acquire()
    assert not second.held
    first.release()
    assert (tmp_path / "db.lock").read_text() == ""  # no stale pid after the run
    second.acquire()
    second.release()


@pytest.mark.e2e
def test_second_crawl_exits_at_once_and_touches_nothing(tmp_path: Path, slow_site) -> None:
    """The lock held (here by this test process): no database, no request, status 1."""
    db_path = tmp_path / "news.db"
    holder = FileLock(Path(f"{db_path}.lock"))
    holder.acquire()
    try:
        command = crawl_command(db_path, write_outlets(tmp_path, slow_site.server),
                                settings={"JOBDIR": str(tmp_path / "job")})
        requests_before = len(slow_site.server.requests)
        started = time.monotonic()
        result = run(command)
        elapsed = time.monotonic() - started
    finally:
        holder.release()
    assert result.returncode == 1
    assert f"Not crawling: another crawl (pid {os.getpid()}) holds {db_path}.lock" in result.stderr
    assert elapsed < 15
    assert not db_path.exists()
    assert not (tmp_path / "job").exists()
    assert len(slow_site.server.requests) == requests_before


@pytest.mark.e2e
def test_concurrent_runs_only_one_crawls(tmp_path: Path) -> None:
    """A real first crawl holds the lock; a second started meanwhile fails; the first completes.

    The first crawl's stories wait behind a gate the test opens only after the second run has
    been refused, so the first is still running then however slow the machine is.
    """
    gate = threading.Event()
    with SiteServer() as server:
        GeneratedSite(server, 30, gate=gate)
        db_path = tmp_path / "news.db"
        command = crawl_command(db_path, write_outlets(tmp_path, server))
        first = start_crawl(command, tmp_path / "first.log")
        try:
            lock_file = Path(f"{db_path}.lock")
            assert wait_for(lambda: lock_file.exists() and lock_file.read_text().strip()
                            == str(first.pid)), (tmp_path / "first.log").read_text()
            second = run(command)
            assert first.poll() is None  # still crawling, behind the gate
            assert second.returncode == 1
            assert f"another crawl (pid {first.pid})" in second.stderr
            gate.set()
            assert first.wait(timeout=120) == 0, (tmp_path / "first.log").read_text()[-3000:]
        finally:
            gate.set()
            if first.poll() is None:
                first.kill()
                first.wait()
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT count(*) FROM crawls").fetchone()[0] == 1
    assert connection.execute("SELECT count(*) FROM articles").fetchone()[0] == 30
    connection.close()


@pytest.mark.e2e
def test_a_killed_crawl_leaves_no_stale_lock(tmp_path: Path, slow_site) -> None:
    db_path = tmp_path / "news.db"
    command = crawl_command(db_path, write_outlets(tmp_path, slow_site.server),
                            settings={"CLEANNEWS_BATCH_SIZE": "1"})
    process = start_crawl(command, tmp_path / "killed.log")
    assert wait_for(lambda: count_rows(db_path, "articles") >= 1), \
        (tmp_path / "killed.log").read_text()[-3000:]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    result = run(command)
    assert result.returncode == 0, result.stderr[-3000:]
    assert count_rows(db_path, "articles") == 30
