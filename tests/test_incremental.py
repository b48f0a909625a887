"""Incremental runs: only what is new is fetched; recent articles are re-visited conditionally.

Each test runs real `scrapy crawl` processes, one after the other, into one SQLite file, against
a generated site that sends ETag/Last-Modified and answers conditional requests with 304.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.cronsite import GeneratedSite, crawl_command, run, write_outlets
from support.siteserver import TestSiteServer

from crawler.demo import SiteServer
from crawler.incremental import is_permanent, parse_time
from storage import KnownUrl


@pytest.fixture
def site():
    with SiteServer() as server:
        yield GeneratedSite(server, 6)


def crawl(site: GeneratedSite, tmp_path: Path, **settings: str) -> str:
    """One `scrapy crawl outlets` of the generated site into tmp_path/news.db; its log."""
    command = crawl_command(tmp_path / "news.db", write_outlets(tmp_path, site.server),
                            settings=settings)
    result = run(command)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def rows(tmp_path: Path, sql: str, *params) -> list[dict]:
    connection = sqlite3.connect(tmp_path / "news.db")
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()


def story_hits(site: GeneratedSite) -> dict[int, int]:
    return {n: site.hits[f"/gen/story-{n}.html"] for n in range(site.count)}


@pytest.mark.e2e
def test_next_run_fetches_only_new_urls_but_always_the_feed(site, tmp_path) -> None:
    site.listed = 4
    crawl(site, tmp_path)
    assert story_hits(site) == {0: 1, 1: 1, 2: 1, 3: 1, 4: 0, 5: 0}
    site.listed = 6  # two new stories in the feed
    log = crawl(site, tmp_path)
    assert story_hits(site) == dict.fromkeys(range(6), 1)
    assert site.server.paths_requested().count("/gen/feed.rss") == 2
    assert "'cleannews/incremental/skipped_known': 4" in log
    assert "Skipped 4 article request(s) settled by earlier runs" in log
    articles = rows(tmp_path, "SELECT url, crawl_id FROM articles")
    assert {a["url"]: a["crawl_id"] for a in articles} == {
        site.url(n): 1 if n < 4 else 2 for n in range(6)}
    # The validators of each fetch are stored for later conditional re-visits.
    (first,) = rows(tmp_path, "SELECT etag, last_modified FROM articles WHERE url = ?", site.url(0))
    assert first["etag"] == '"0-0"'
    assert first["last_modified"].endswith(" GMT")


@pytest.mark.e2e
def test_incremental_off_fetches_everything_again(site, tmp_path) -> None:
    crawl(site, tmp_path)
    crawl(site, tmp_path, CLEANNEWS_INCREMENTAL="false")
    assert story_hits(site) == dict.fromkeys(range(6), 2)
    assert len(rows(tmp_path, "SELECT id FROM articles")) == 6


@pytest.mark.e2e
def test_recent_articles_are_revisited_with_conditional_requests(site, tmp_path) -> None:
    crawl(site, tmp_path)
    before = {a["url"]: a for a in rows(tmp_path, "SELECT * FROM articles")}
    log = crawl(site, tmp_path, CLEANNEWS_REVISIT_HOURS="24")
    # Every story was asked again, with its ETag, and the server said 304 each time.
    assert story_hits(site) == dict.fromkeys(range(6), 2)
    assert sum(site.conditional_hits.values()) == 6
    assert "'cleannews/incremental/not_modified': 6" in log
    assert "'cleannews/articles/not_modified': 6" in log
    after = {a["url"]: a for a in rows(tmp_path, "SELECT * FROM articles")}
    for url, article in after.items():
        assert article["body"] == before[url]["body"]
        assert article["crawl_id"] == 2
        assert article["last_seen"] >= before[url]["last_seen"]
    assert not rows(tmp_path, "SELECT * FROM article_versions")
    (second,) = rows(tmp_path, "SELECT * FROM crawls WHERE id = 2")
    assert second["items_stored"] == 6


@pytest.mark.e2e
def test_an_updated_article_keeps_its_history(site, tmp_path) -> None:
    crawl(site, tmp_path)
    (old,) = rows(tmp_path, "SELECT * FROM articles WHERE url = ?", site.url(2))
    site.revise(2)
    log = crawl(site, tmp_path, CLEANNEWS_REVISIT_HOURS="24")
    assert "'cleannews/articles/updated': 1" in log
    assert sum(site.conditional_hits.values()) == 5  # the other five: 304
    (new,) = rows(tmp_path, "SELECT * FROM articles WHERE url = ?", site.url(2))
    assert new["id"] == old["id"]
    assert new["first_seen"] == old["first_seen"]
    assert "version 1" in new["body"]
    assert new["body_hash"] != old["body_hash"]
    assert new["etag"] == '"2-1"'
    (version,) = rows(tmp_path, "SELECT * FROM article_versions")
    assert version["article_id"] == old["id"]
    assert (version["body_hash"], version["body"]) == (old["body_hash"], old["body"])
    assert version["fetched_at"] == old["fetched_at"]
    assert version["replaced_at"] >= old["last_seen"]
    assert version["crawl_id"] == 2
    # Full-text search finds the new text only.
    def search(phrase: str) -> list[int]:
        sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        return [hit["rowid"] for hit in rows(tmp_path, sql, f'"{phrase}"')]

    assert search("story 2 version 1") == [old["id"]]
    assert search("story 2 version 0") == []


@pytest.mark.e2e
def test_old_articles_are_not_revisited(tmp_path) -> None:
    with SiteServer() as server:
        site = GeneratedSite(server, 3, published=datetime(2020, 5, 1, 8, tzinfo=UTC))
        crawl(site, tmp_path)
        (article, *_) = rows(tmp_path, "SELECT published FROM articles")
        assert article["published"].startswith("2020-05-01")
        log = crawl(site, tmp_path, CLEANNEWS_REVISIT_HOURS="24")
        assert story_hits(site) == {0: 1, 1: 1, 2: 1}
        assert "'cleannews/incremental/skipped_known': 3" in log


@pytest.mark.e2e
def test_permanent_failures_are_skipped_and_passing_ones_retried(
    site_server: TestSiteServer, tmp_path: Path
) -> None:
    missing = site_server.url("/herald/2026/11/gone-for-good.html")  # 404
    unavailable = site_server.url("/broken/503.html")
    pdf = site_server.url("/herald/2026/11/annual-report.pdf")  # not_html
    story = site_server.url("/courier/news/vineyard-harvest-record.html", "localhost")
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join([missing, unavailable, pdf, story]) + "\n")
    command = crawl_command(tmp_path / "news.db", tmp_path / "none.toml", "-a",
                            f"file={url_file}", spider="urls",
                            settings={"OUTLETS_FILE": "", "RETRY_TIMES": "0"})
    paths = ["/herald/2026/11/gone-for-good.html", "/broken/503.html",
             "/herald/2026/11/annual-report.pdf", "/courier/news/vineyard-harvest-record.html"]
    before = [site_server.paths_requested().count(p) for p in paths]
    for _ in range(2):
        result = run(command)
        assert result.returncode == 0, result.stderr[-3000:]
    fetched = [site_server.paths_requested().count(p) - b for p, b in zip(paths, before,
                                                                             strict=True)]
    assert fetched == [1, 2, 1, 1]
    assert "'cleannews/incremental/skipped_failure/http_error': 1" in result.stderr
    assert "'cleannews/incremental/skipped_failure/not_html': 1" in result.stderr
    assert "'cleannews/incremental/skipped_known': 1" in result.stderr
    failures = rows(tmp_path, "SELECT url, count(*) AS n FROM failures GROUP BY url")
    assert {f["url"]: f["n"] for f in failures} == {missing: 1, unavailable: 2, pdf: 1}


@pytest.mark.e2e
def test_a_finished_job_can_be_run_again_with_the_same_jobdir(site, tmp_path) -> None:
    """Cron may pass the same JOBDIR every time: a finished job forgets its seen requests."""
    jobdir = tmp_path / "job"
    site.listed = 3
    crawl(site, tmp_path, JOBDIR=str(jobdir))
    assert not (jobdir / "requests.seen").exists()
    site.listed = 6
    crawl(site, tmp_path, JOBDIR=str(jobdir))
    assert site.server.paths_requested().count("/gen/feed.rss") == 2
    assert story_hits(site) == dict.fromkeys(range(6), 1)


def test_decisions() -> None:
    permanent = ["http_error:404", "not_html"]
    assert is_permanent(KnownUrl("failure", reason="http_error", status=404), permanent)
    assert not is_permanent(KnownUrl("failure", reason="http_error", status=503), permanent)
    assert is_permanent(KnownUrl("failure", reason="not_html", status=200), permanent)
    assert not is_permanent(KnownUrl("failure", reason="timeout"), permanent)
    assert parse_time("2026-11-20") == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_time("2026-11-20T10:00:00+02:00") == datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert parse_time("20 Nov 2026") is None
    assert parse_time(None) is None


def test_a_date_without_a_time_is_a_whole_day_for_the_revisit_age() -> None:
    """A story dated "2026-12-06" and first seen at 00:06 the next day is minutes old, not a
    day: a date-only value ends its day (or earlier, when the story was seen before that)."""
    from crawler.incremental import publication_time

    seen = "2026-12-07T00:06:00+00:00"
    assert publication_time("2026-12-06", seen) == datetime(2026, 12, 7, tzinfo=UTC)
    assert publication_time("2026-12-06", "2026-12-06T09:00:00") == datetime(
        2026, 12, 6, 9, tzinfo=UTC)
    assert publication_time("2026-12-06", None) == datetime(2026, 12, 7, tzinfo=UTC)
    assert publication_time("2026-12-06T23:10:00+00:00", seen) == datetime(
        2026, 12, 6, 23, 10, tzinfo=UTC)
    assert publication_time(None, seen) == datetime(2026, 12, 7, 0, 6, tzinfo=UTC)
    assert publication_time("not a date", None) is None
