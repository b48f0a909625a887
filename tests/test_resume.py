"""Killed in the middle of a crawl, the database stays intact and the next run finishes the rest.

A generated site of 300 stories; the crawl commits every 10 items and is killed (SIGKILL to its
whole process group) once 60 articles are committed. Then: SQLite's integrity and foreign-key
checks, the full-text index check, every row complete, and a rerun that stores the rest with no
duplicate and without fetching again what was stored. With JOBDIR: a paused run (SIGINT) resumes
its queue, a killed one starts its job afresh.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
from pathlib import Path

import pytest
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

pytestmark = pytest.mark.e2e  # every test here runs `scrapy crawl` in a subprocess

STORIES = 300
KILL_AFTER = 60


@pytest.fixture
def site():
    with SiteServer() as server:
        yield GeneratedSite(server, STORIES, delay=0.02)


def interrupted_crawl(site: GeneratedSite, tmp_path: Path, sig: signal.Signals,
                      **settings: str) -> tuple[list[str], Path]:
    """Start a crawl, wait for KILL_AFTER committed articles, send `sig`; the command and db."""
    db_path = tmp_path / "news.db"
    command = crawl_command(db_path, write_outlets(tmp_path, site.server),
                            settings={"CLEANNEWS_BATCH_SIZE": "10", **settings})
    log = tmp_path / "first.log"
    process = start_crawl(command, log, start_new_session=True)
    try:
        assert wait_for(lambda: count_rows(db_path, "articles") >= KILL_AFTER, timeout=60), \
            log.read_text()[-3000:]
        if sig is signal.SIGKILL:
            os.killpg(process.pid, signal.SIGKILL)  # the crawler and anything it started
        else:
            os.kill(process.pid, sig)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return command, db_path


def check_database(db_path: Path) -> list[sqlite3.Row]:
    """The file passes SQLite's checks and every article row is whole; the rows."""
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        articles = connection.execute("SELECT * FROM articles").fetchall()
        canonical = {row[0] for row in connection.execute(
            "SELECT url FROM article_urls WHERE kind = 'canonical'")}
    finally:
        connection.close()
    for article in articles:
        number = int(re.search(r"story-(\d+)\.html$", article["url"])[1])
        assert article["title"] == f"Generated story number {number}"
        assert f"Story {number} version 0 reports" in article["body"]
        assert f"Story {number + 1000} version 0 reports" in article["body"]
        assert article["word_count"] > 200
        assert re.fullmatch(r"[0-9a-f]{64}", article["body_hash"])
        assert article["etag"] == f'"{number}-0"'
        assert article["outlet_id"] == "generated"
        assert all(article[column] for column in ("first_seen", "last_seen", "fetched_at"))
        assert article["url"] in canonical
    return articles


def test_sigkill_midway_loses_nothing_committed_and_the_rerun_finishes(site, tmp_path) -> None:
    command, db_path = interrupted_crawl(site, tmp_path, signal.SIGKILL)
    stored = {row["url"] for row in check_database(db_path)}
    assert KILL_AFTER <= len(stored) < STORIES
    (killed,) = sqlite3.connect(db_path).execute("SELECT finished_at FROM crawls").fetchall()
    assert killed == (None,)  # the killed run's row says it never finished
    hits_before = dict(site.hits)

    result = run(command)
    assert result.returncode == 0, result.stderr[-3000:]
    articles = check_database(db_path)
    assert sorted(row["url"] for row in articles) == sorted(site.url(n) for n in range(STORIES))
    # Nothing stored before the kill was fetched again; everything else was fetched.
    for url in stored:
        path = url.split(str(site.server.port), 1)[1]
        assert site.hits[path] == hits_before[path]
    assert all(site.hits[f"/gen/story-{n}.html"] >= 1 for n in range(STORIES))
    assert f"'cleannews/incremental/skipped_known': {len(stored)}" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_jobdir_paused_run_resumes_its_queue(site, tmp_path, sig) -> None:
    jobdir = tmp_path / "job"
    command, db_path = interrupted_crawl(site, tmp_path, sig, JOBDIR=str(jobdir))
    paused = {row["url"] for row in check_database(db_path)}
    assert len(paused) < STORIES
    assert (jobdir / "requests.seen").exists()
    feed_fetches = site.server.paths_requested().count("/gen/feed.rss")

    result = run(command)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming crawl" in result.stderr
    # The rest came from the saved queue: the feed was not needed again.
    assert site.server.paths_requested().count("/gen/feed.rss") == feed_fetches
    assert len(check_database(db_path)) == STORIES
    assert not (jobdir / "requests.seen").exists()  # finished: the next run starts afresh


def test_jobdir_of_a_killed_run_is_started_afresh(site, tmp_path) -> None:
    jobdir = tmp_path / "job"
    command, db_path = interrupted_crawl(site, tmp_path, signal.SIGKILL, JOBDIR=str(jobdir))
    stored = len(check_database(db_path))
    result = run(command)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "was killed before it could save its queue" in result.stderr
    assert f"'cleannews/incremental/skipped_known': {stored}" in result.stderr
    assert len(check_database(db_path)) == STORIES
