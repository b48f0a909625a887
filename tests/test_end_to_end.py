"""End to end: `scrapy crawl outlets` over the local demo site, through every pipeline, into SQLite.

One real crawl (a subprocess, pipelines on) per module; the tests read the database file it wrote
with the standard library's sqlite3.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from support.siteserver import TestSiteServer, run_crawl

from crawler.demo import PROJECT_ROOT, scrapy_env

pytestmark = pytest.mark.e2e  # every test here runs `scrapy crawl` in a subprocess

HERALD_STORIES = {
    "harbour-ferry-electric": ("Harbour's first electric ferry enters service", "2026-11-16"),
    "library-late-hours": (
        "Central library to stay open until midnight during exams", "2026-11-17"),
    "bridge-repairs-delay": ("North Bridge repairs will run into spring", "2026-11-18"),
    "fishing-quota-talks": ("Fishing quota talks end without agreement", "2026-11-19"),
    "school-meals-survey": (
        "Survey finds many pupils start school without breakfast", "2026-11-20"),
    "storm-warning-coast": ("Storm warning issued for the coast as gales approach", "2026-11-21"),
    "market-hall-reopens": ("Market hall reopens after two-year renovation", "2026-11-22"),
}
COURIER_STORIES = {
    "valley-rail-line-reopens": ("Valley rail line reopens after landslide repairs", "2026-11-17"),
    "vineyard-harvest-record": ("Valley vineyards report a record harvest", "2026-11-18"),
    "hospital-wing-opens": ("New children's wing opens at the valley hospital", "2026-11-19"),
    "mountain-road-closed": ("Mountain pass road closed for the winter", "2026-11-20"),
    "council-votes-solar": ("Council votes to put solar panels on every school roof", "2026-11-21"),
    "zavod-reopens-ru": (
        "Старая текстильная фабрика открылась вновь как ремесленный центр", "2026-11-21"),
}
# Lines of the pages' boilerplate that must never reach a stored body.
BOILERPLATE = [
    "More Must-Reads from The Harbour Herald", "Contact us at letters@", "Sign up now",
    "Share on Facebook", "Dear readers and commenters", "Уважаемые читатели", "bookmark",
    "Like this story? Share it", "Subscribe: unlimited access", "All rights reserved",
]


@pytest.fixture(scope="module")
def database(site_server: TestSiteServer, tmp_path_factory: pytest.TempPathFactory):
    result = run_crawl(
        "outlets", site_server, tmp_path_factory.mktemp("e2e"), "-a", "depth=1", pipelines=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.db_path is not None, result.stderr[-3000:]
    connection = sqlite3.connect(result.db_path)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def rows(database: sqlite3.Connection, sql: str, *params) -> list[dict]:
    return [dict(row) for row in database.execute(sql, params)]


def test_every_story_is_stored_once_under_its_outlet(database, site_server) -> None:
    articles = {row["url"]: row for row in rows(database, "select * from articles")}
    expected = {
        site_server.url(f"/herald/2026/11/{slug}.html"): ("harbour-herald", title, date)
        for slug, (title, date) in HERALD_STORIES.items()
    } | {
        site_server.url(f"/courier/news/{slug}.html", "localhost"): ("valley-courier", title, date)
        for slug, (title, date) in COURIER_STORIES.items()
    }
    for url, (outlet_id, title, date) in expected.items():
        assert url in articles, f"{url} not stored; stored: {sorted(articles)}"
        article = articles[url]
        assert (article["outlet_id"], article["title"]) == (outlet_id, title)
        assert article["published"].startswith(date)
        assert article["word_count"] >= 80


def test_stored_bodies_are_clean(database) -> None:
    for article in rows(database, "select url, body from articles"):
        for line in BOILERPLATE:
            assert line not in article["body"], (article["url"], line)


def test_cp1251_page_without_charset_header_is_stored_as_cyrillic(database) -> None:
    (article,) = rows(database, "select * from articles where url like '%zavod-reopens-ru.html'")
    assert article["title"] == COURIER_STORIES["zavod-reopens-ru"][0]
    assert article["body"].startswith("Бывшая текстильная фабрика в Обере")
    assert "керамистка Ольга Лебедева" in article["body"]
    assert article["language"] == "ru"


def test_moved_story_is_stored_at_its_new_url(database, site_server) -> None:
    old_url = site_server.url("/herald/2026/11/market-hall-reopening.html")
    new_url = site_server.url("/herald/2026/11/market-hall-reopens.html")
    (article,) = rows(database, "select * from articles where title like 'Market hall%'")
    assert new_url in (article["url"], article["final_url"])
    known_urls = {r["url"] for r in rows(database, "select url from article_urls")}
    assert old_url in known_urls


def test_broken_pages_become_failures_with_reasons(database, site_server) -> None:
    failures = {row["url"]: row for row in rows(database, "select * from failures")}
    expected = {
        "/herald/2026/11/missing-story.html": ("fetch", "http_error", 404),
        "/herald/2026/11/server-error.html": ("fetch", "http_error", 500),
        "/herald/2026/11/annual-report.pdf": ("extract", "not_html", 200),
        "/herald/2026/11/empty.html": ("extract", "empty", 200),
    }
    for path, (stage, reason, status) in expected.items():
        failure = failures[site_server.url(path)]
        assert (failure["stage"], failure["reason"], failure["status"]) == (stage, reason, status)
        assert failure["outlet_id"] == "harbour-herald"
    stored = {row["url"] for row in rows(database, "select url from articles")}
    assert not {site_server.url(path) for path in expected} & stored


def test_month_archive_is_not_stored_as_an_article(database, site_server) -> None:
    archive = site_server.url("/herald/2026/11/index.html")
    assert not rows(database, "select url from articles where url = ?", archive)
    (failure,) = rows(database, "select * from failures where url = ?", archive)
    assert failure["reason"] in {"not_article", "too_short"}


def test_robots_disallowed_story_is_not_stored_and_recorded_once_per_outlet(database) -> None:
    # robots.txt forbidding pages leaves one `robots_forbidden` row per outlet and run (not one
    # per page), so an outlet that forbids everything is not silently empty.
    assert not rows(database, "select url from articles where url like '%/private/%'")
    forbidden = rows(database, "select url, reason, outlet_id from failures where url like "
                     "'%/private/%'")
    assert [(row["reason"], row["outlet_id"]) for row in forbidden] == [
        ("robots_forbidden", "harbour-herald")]


def test_outlets_and_crawl_are_recorded(database, site_server) -> None:
    outlets = {row["id"]: row for row in rows(database, "select * from outlets")}
    assert outlets["harbour-herald"]["name"] == "The Harbour Herald"
    assert outlets["valley-courier"]["homepage"] == site_server.url("/courier/", "localhost")
    linked = rows(database, "select distinct outlet_id from articles order by outlet_id")
    assert [row["outlet_id"] for row in linked] == ["harbour-herald", "valley-courier"]
    (crawl,) = rows(database, "select * from crawls")
    assert crawl["spider"] == "outlets"
    assert crawl["finish_reason"] == "finished"


def test_demo_command_crawls_and_prints_what_it_stored(tmp_path) -> None:
    """`python -m crawler.demo` (its own server, its own crawl): the README's quick start."""
    db_path = tmp_path / "demo.db"
    process = subprocess.run(
        [sys.executable, "-m", "crawler.demo", "--db", str(db_path)],
        env=scrapy_env(), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    assert db_path.exists()
    out = process.stdout
    assert "[valley-courier] Старая текстильная фабрика" in out
    assert "[harbour-herald] Storm warning issued for the coast as gales approach" in out
    assert "published 2026-11-21" in out
    assert "http_error" in out
    assert "annual-report.pdf" in out
