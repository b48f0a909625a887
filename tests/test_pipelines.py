"""The item pipelines, built from a crawler with test settings, on fixture pages and a tmp database.

Pages in fixtures/pipelines are written for these tests: a local-news article with a canonical
link and metadata, a syndicated story with no canonical link, and a notice too short to store.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from support.settings import crawler_for_test

import cleaners
from core.items import Failure, Page
from core.keys import body_hash, is_tracking_param, normalize_url, storage_url
from core.records import ArticleRecord
from pipelines.dedupe import DedupePipeline
from pipelines.extract import ExtractPipeline
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pipelines"
COUNCIL_URL = "https://www.harbourledger.example/news/2026/11/council-bike-lanes"
OUTLETS_TOML = """
[[outlet]]
id = "harbour"
name = "Harbour Ledger"
domains = ["harbourledger.example"]
country = "NZ"
language = "en"
homepage = "https://www.harbourledger.example/"

[[outlet]]
id = "valley"
name = "Valley Courier"
domains = ["valleycourier.example"]
language = "en"
"""


class PipelineTestSpider(Spider):
    name = "pipeline-test"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_page(name: str, url: str, *, final_url: str | None = None, **fields) -> Page:
    """A Page as a spider yields it, with a fixture file's bytes as body."""
    return Page(
        url=url,
        final_url=final_url or url,
        status=fields.pop("status", 200),
        body=fields.pop("body", None) or fixture_bytes(name),
        content_type="text/html",
        declared_encoding=fields.pop("declared_encoding", "utf-8"),
        **fields,
    )


@pytest.fixture
def settings(tmp_path: Path) -> dict:
    outlets = tmp_path / "outlets.toml"
    outlets.write_text(OUTLETS_TOML, encoding="utf-8")
    return {
        "OUTLETS_FILE": str(outlets),
        "SQLITE_PATH": str(tmp_path / "data" / "nested" / "articles.db"),
        "CLEANNEWS_MIN_WORDS": 50,
    }


class Chain:
    """All four pipelines built from one crawler, run in ITEM_PIPELINES order."""

    def __init__(self, settings: dict) -> None:
        self.crawler = crawler_for_test(PipelineTestSpider, settings)
        self.stats = self.crawler.stats
        self.stages = [
            ExtractPipeline.from_crawler(self.crawler),
            ValidatePipeline.from_crawler(self.crawler),
            DedupePipeline.from_crawler(self.crawler),
        ]
        self.store = StorePipeline.from_crawler(self.crawler)
        self.db_path = Path(settings["SQLITE_PATH"])

    def run(self, *items) -> list:
        """Open the store, pass every item through, close; the items as the store saw them."""
        self.store.open_spider()
        seen = []
        for item in items:
            for stage in self.stages:
                item = stage.process_item(item)
            seen.append(self.store.process_item(item))
        self.store.close_spider()
        return seen

    def rows(self, sql: str, params: tuple = ()) -> list[dict]:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute(sql, params)]
        finally:
            conn.close()


# --- extract ---------------------------------------------------------------------------------


def test_extract_turns_a_page_into_a_record_of_its_configured_outlet(settings: dict) -> None:
    extract = ExtractPipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    page = make_page("council-bike-lanes.html", COUNCIL_URL + "?utm_source=rss")
    record = extract.process_item(page)
    assert isinstance(record, ArticleRecord)
    assert record.outlet_id == "harbour"
    assert record.title == "Council approves riverside bike lanes after long debate"
    assert "protected bike lanes" in record.body
    assert "All rights reserved" not in record.body
    assert record.canonical_url == COUNCIL_URL
    assert record.cleaner_version == cleaners.CLEANER_VERSION
    assert record.word_count >= 100
    assert record.fetched_at == page.fetched_at
    assert record.raw_html is None  # raw storage is off by default


def test_extract_resolves_outlet_by_canonical_link_when_the_host_is_unknown(settings: dict) -> None:
    extract = ExtractPipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    mirror = "https://amp-mirror.example/c/harbour/council-bike-lanes"
    record = extract.process_item(make_page("council-bike-lanes.html", mirror))
    assert record.outlet_id == "harbour"


def test_extract_makes_an_outlet_from_an_unknown_domain(settings: dict) -> None:
    extract = ExtractPipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    record = extract.process_item(
        make_page("syndicated-storm.html", "https://www.wire-news.example/storm")
    )
    assert record.outlet_id == "wire-news.example"


def test_extract_prefers_the_page_outlet_id(settings: dict) -> None:
    extract = ExtractPipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    page = make_page("syndicated-storm.html", "https://wire.example/storm", outlet_id="valley")
    assert extract.process_item(page).outlet_id == "valley"


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_html"), (b"  \n ", "empty")],
)
def test_extract_failures_carry_the_cleaners_reason(settings: dict, body: bytes, reason: str):
    extract = ExtractPipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    page = make_page("", "https://www.harbourledger.example/file", body=body)
    failure = extract.process_item(page)
    assert isinstance(failure, Failure)
    assert (failure.stage, failure.reason) == ("extract", reason)
    assert failure.url == page.final_url
    assert failure.outlet_id == "harbour"


def test_extract_records_an_unexpected_cleaner_error_and_goes_on(settings, monkeypatch) -> None:
    def broken_cleaner(*args, **kwargs):
        raise RuntimeError("cleaner bug")

    extract = ExtractPipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    monkeypatch.setattr(cleaners, "extract_article", broken_cleaner)
    failure = extract.process_item(make_page("council-bike-lanes.html", COUNCIL_URL))
    assert (failure.stage, failure.reason) == ("extract", "extraction_error")
    assert "cleaner bug" in failure.detail


def test_extract_passes_spider_failures_through_untouched(settings: dict) -> None:
    extract = ExtractPipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    failure = Failure(url="https://x.example/a", stage="fetch", reason="timeout")
    assert extract.process_item(failure) is failure


# --- validate --------------------------------------------------------------------------------


def record_with(body: str, title: str | None = "A headline", **fields) -> ArticleRecord:
    return ArticleRecord(
        url="https://x.example/a", final_url="https://x.example/a", outlet_id="x.example",
        body=body, title=title, fetched_at="2026-11-23T00:00:00+00:00",
        word_count=len(body.split()), **fields,
    )


def test_validate_keeps_a_real_article_and_fails_a_short_one(settings: dict) -> None:
    validate = ValidatePipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    long_enough = record_with("word " * 50)
    assert validate.process_item(long_enough) is long_enough
    failure = validate.process_item(record_with("word " * 49))
    assert (failure.stage, failure.reason) == ("validate", "too_short")
    assert "49 words" in failure.detail


def test_validate_min_words_comes_from_settings(settings: dict) -> None:
    settings["CLEANNEWS_MIN_WORDS"] = 5
    validate = ValidatePipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    record = record_with("one two three four five")
    assert validate.process_item(record) is record


def test_validate_fails_a_body_that_only_repeats_the_title(settings: dict) -> None:
    settings["CLEANNEWS_MIN_WORDS"] = 1
    validate = ValidatePipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    failure = validate.process_item(
        record_with("Council approves bike lanes!", title="Council approves bike lanes")
    )
    assert (failure.stage, failure.reason) == ("validate", "not_article")
    assert validate.process_item(record_with(" \n ")).reason == "not_article"
    assert validate.process_item(record_with("— … ¶ —")).detail == "empty body"
    # Compared as words: a part of the title, or the title in compatibility forms, repeats it.
    part = validate.process_item(record_with("approves bike", title="Council approves bike lanes"))
    assert part.detail == "body only repeats the title"
    fullwidth = validate.process_item(
        record_with("ＣＯＵＮＣＩＬ Approves Bike Lanes", title="Council approves bike lanes")
    )
    assert fullwidth.detail == "body only repeats the title"
    story = record_with("Council approves bike lanes. The vote was 7 to 2 after a long debate.",
                        title="Council approves bike lanes")
    assert validate.process_item(story) is story


def test_validate_fails_a_list_of_headlines_but_keeps_short_paragraph_prose(settings) -> None:
    settings["CLEANNEWS_MIN_WORDS"] = 10
    validate = ValidatePipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    headlines = "\n".join(f"Ferry timetable story number {n} 2026-11-{n:02d}" for n in range(1, 8))
    failure = validate.process_item(record_with(headlines))
    assert failure.reason == "not_article"
    assert "list of headlines" in failure.detail
    prose = "\n".join(f"The ferry left at {n} o'clock." for n in range(1, 8))
    record = record_with(prose)
    assert validate.process_item(record) is record


def test_validate_language_filter(settings: dict) -> None:
    settings["CLEANNEWS_LANGUAGES"] = ["en", "de"]
    validate = ValidatePipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))
    assert validate.process_item(record_with("mot " * 60, language="fr")).reason == "wrong_language"
    german = record_with("Wort " * 60, language="de-AT")
    assert validate.process_item(german) is german


# --- dedupe ----------------------------------------------------------------------------------


def test_normalize_url_drops_tracking_parameters_and_fragment() -> None:
    url = (
        "https://www.harbourledger.example/news/a?utm_source=rss&page=2&fbclid=abc"
        "&gclid=x&mc_cid=1&UTM_Medium=mail&id=7#comments"
    )
    assert normalize_url(url) == "https://www.harbourledger.example/news/a?id=7&page=2"
    assert normalize_url("https://x.example/a?utm_campaign=z") == "https://x.example/a"


query_names = st.sampled_from(
    ["id", "page", "q", "utm_source", "utm_campaign", "fbclid", "gclid", "mc_cid", "ref"]
)
query_values = st.text(alphabet="abcXYZ019-_ %é&=", max_size=6)


@given(
    path=st.text(alphabet="abc/-_.%é ", max_size=20),
    query=st.lists(st.tuples(query_names, query_values), max_size=6),
    fragment=st.text(alphabet="abc-", max_size=5),
)
def test_normalize_url_is_idempotent_and_leaves_no_tracking(path, query, fragment) -> None:
    from urllib.parse import parse_qsl, urlencode, urlsplit

    url = f"https://www.example.org/{path}?{urlencode(query)}#{fragment}"
    normalized = normalize_url(url)
    assert normalize_url(normalized) == normalized
    parts = urlsplit(normalized)
    assert parts.fragment == ""
    kept = parse_qsl(parts.query, keep_blank_values=True)
    assert not [name for name, _ in kept if is_tracking_param(name)]
    content = sorted((n, v) for n, v in query if not is_tracking_param(n))
    assert sorted(kept) == content


def test_storage_url_uses_a_same_site_canonical_only() -> None:
    final = "https://amp.harbourledger.example/news/a?utm_source=x"
    same_site = "https://www.harbourledger.example/news/a"
    assert storage_url(final, same_site) == same_site
    assert storage_url(final, "/news/a#top") == "https://amp.harbourledger.example/news/a"
    # A syndication partner's canonical points elsewhere: the page stays under its own URL.
    assert storage_url(final, "https://wire.example/story/1") == (
        "https://amp.harbourledger.example/news/a"
    )
    # A template that sets every page's canonical to the front page must not merge articles.
    assert storage_url(final, "https://www.harbourledger.example/") == (
        "https://amp.harbourledger.example/news/a"
    )


def test_body_hash_ignores_case_and_whitespace_only() -> None:
    assert body_hash("Storm closes\n\nthe pass.") == body_hash("storm  CLOSES the pass.")
    assert body_hash("Storm closes the pass.") != body_hash("Storm closes the road.")


# --- store, through the whole chain -----------------------------------------------------------


def test_store_off_without_a_database_path(settings: dict) -> None:
    settings["SQLITE_PATH"] = ""
    with pytest.raises(NotConfigured):
        StorePipeline.from_crawler(crawler_for_test(PipelineTestSpider, settings))


def test_chain_stores_articles_failures_outlets_and_the_crawl(settings: dict) -> None:
    chain = Chain(settings)
    spider_failure = Failure(
        url="https://www.harbourledger.example/gone", stage="fetch", reason="http_error",
        status=404, outlet_id="harbour",
    )
    chain.run(
        make_page("council-bike-lanes.html", COUNCIL_URL + "?utm_source=rss&fbclid=zz#top"),
        make_page("short-notice.html", "https://www.harbourledger.example/notices/library"),
        make_page("", "https://www.harbourledger.example/report.pdf", body=b"%PDF-1.7\n1 0 obj"),
        spider_failure,
    )
    assert chain.db_path.exists()  # parent directories were created

    (article,) = chain.rows("SELECT * FROM articles")
    assert article["url"] == COUNCIL_URL
    assert article["outlet_id"] == "harbour"
    assert article["title"] == "Council approves riverside bike lanes after long debate"
    assert json.loads(article["authors"]) == ["Mara Lindqvist"]
    assert article["published"].startswith("2026-11-20")
    assert article["body_hash"] == body_hash(article["body"])
    assert article["first_seen"] == article["last_seen"]
    assert isinstance(json.loads(article["removed"]), list)
    (crawl,) = chain.rows("SELECT * FROM crawls")
    assert article["crawl_id"] == crawl["id"]

    failures = {row["reason"]: row for row in chain.rows("SELECT * FROM failures")}
    assert set(failures) == {"too_short", "not_html", "http_error"}
    assert failures["too_short"]["stage"] == "validate"
    assert failures["too_short"]["url"] == "https://www.harbourledger.example/notices/library"
    assert failures["http_error"]["status"] == 404
    assert {row["crawl_id"] for row in failures.values()} == {crawl["id"]}

    outlets = {row["id"]: row for row in chain.rows("SELECT * FROM outlets")}
    assert set(outlets) == {"harbour", "valley"}  # every configured outlet, crawled or not
    assert json.loads(outlets["harbour"]["domains"]) == ["harbourledger.example"]

    assert crawl["spider"] == "pipeline-test"
    assert (crawl["items_stored"], crawl["failures"]) == (1, 3)
    assert crawl["finished_at"] >= crawl["started_at"]
    stats = json.loads(crawl["stats"])
    assert stats["cleannews/articles_stored"] == 1
    assert stats["cleannews/failures/too_short"] == 1
    assert chain.stats.get_value("cleannews/failures") == 3


def test_an_archive_page_is_recorded_as_not_an_article(settings: dict) -> None:
    chain = Chain(settings)
    archive = "https://www.harbourledger.example/news/2026/11/"
    chain.run(make_page("archive-november.html", archive))
    assert chain.rows("SELECT count(*) AS n FROM articles") == [{"n": 0}]
    (failure,) = chain.rows("SELECT url, reason FROM failures")
    assert failure == {"url": archive, "reason": "not_article"}


def test_store_records_the_finish_reason_when_the_spider_closes(settings: dict) -> None:
    chain = Chain(settings)
    chain.run(make_page("council-bike-lanes.html", COUNCIL_URL))
    chain.store.spider_closed(spider=None, reason="finished")
    (crawl,) = chain.rows("SELECT finish_reason, items_stored FROM crawls")
    assert crawl == {"finish_reason": "finished", "items_stored": 1}


def test_recrawl_updates_in_place_and_keeps_first_seen(settings: dict) -> None:
    Chain(settings).run(make_page("council-bike-lanes.html", COUNCIL_URL))
    chain = Chain(settings)
    (before,) = chain.rows("SELECT id, first_seen, body FROM articles")

    chain.run(make_page("council-bike-lanes.html", COUNCIL_URL + "?utm_medium=social"))
    assert chain.stats.get_value("cleannews/articles/unchanged") == 1

    corrected = fixture_bytes("council-bike-lanes.html").replace(b"seven to two", b"eight to one")
    chain = Chain(settings)
    chain.run(make_page("", COUNCIL_URL, body=corrected))
    assert chain.stats.get_value("cleannews/articles/updated") == 1

    (after,) = chain.rows("SELECT id, first_seen, body, crawl_id FROM articles")
    assert (after["id"], after["first_seen"]) == (before["id"], before["first_seen"])
    assert "eight to one" in after["body"]
    assert "seven to two" not in after["body"]
    crawls = chain.rows("SELECT id FROM crawls ORDER BY id")
    assert len(crawls) == 3
    assert after["crawl_id"] == crawls[-1]["id"]


def test_duplicate_body_under_two_urls_is_stored_once(settings: dict) -> None:
    chain = Chain(settings)
    first = "https://www.valleycourier.example/region/storm-pass"
    second = "https://www.wire-news.example/2026/storm-pass?utm_source=partner"
    chain.run(
        make_page("syndicated-storm.html", first),
        make_page("syndicated-storm.html", second),
    )
    (article,) = chain.rows("SELECT id, url, outlet_id FROM articles")
    assert (article["url"], article["outlet_id"]) == (first, "valley")
    urls = {row["url"]: row for row in chain.rows("SELECT * FROM article_urls")}
    assert urls[first]["kind"] == "canonical"
    duplicate = urls["https://www.wire-news.example/2026/storm-pass"]
    assert (duplicate["kind"], duplicate["article_id"]) == ("duplicate", article["id"])
    assert chain.stats.get_value("cleannews/articles/duplicate") == 1


def test_redirected_page_keeps_its_requested_url_as_an_alias(settings: dict) -> None:
    chain = Chain(settings)
    short_link = "https://harbourledger.example/s/4821?utm_source=share"
    chain.run(make_page("council-bike-lanes.html", short_link, final_url=COUNCIL_URL))
    (article,) = chain.rows("SELECT id, final_url FROM articles")
    assert article["final_url"] == COUNCIL_URL
    alias = chain.rows("SELECT * FROM article_urls WHERE url = ?", (normalize_url(short_link),))
    assert [(row["kind"], row["article_id"]) for row in alias] == [("alias", article["id"])]
    assert "utm_source" not in normalize_url(short_link)


def test_full_text_search_finds_a_stored_article(settings: dict) -> None:
    chain = Chain(settings)
    chain.run(
        make_page("council-bike-lanes.html", COUNCIL_URL),
        make_page("syndicated-storm.html", "https://www.valleycourier.example/storm"),
    )
    hits = chain.rows(
        "SELECT articles.url FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ? ORDER BY rank",
        ("ferry terminal",),
    )
    assert [hit["url"] for hit in hits] == [COUNCIL_URL]
    title_hits = chain.rows("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'title:storm'")
    assert len(title_hits) == 1


def test_raw_html_round_trips_through_zlib_when_enabled(settings: dict) -> None:
    settings["CLEANNEWS_STORE_RAW_HTML"] = True
    chain = Chain(settings)
    chain.run(make_page("council-bike-lanes.html", COUNCIL_URL))
    (page,) = chain.rows("SELECT * FROM pages")
    assert zlib.decompress(page["html_zlib"]) == fixture_bytes("council-bike-lanes.html")
    assert (page["url"], page["encoding"]) == (COUNCIL_URL, "utf-8")
    assert page["article_id"] == chain.rows("SELECT id FROM articles")[0]["id"]


def test_raw_html_is_not_kept_by_default(settings: dict) -> None:
    chain = Chain(settings)
    chain.run(make_page("council-bike-lanes.html", COUNCIL_URL))
    assert chain.rows("SELECT count(*) AS n FROM pages") == [{"n": 0}]


CRAWL_SCRIPT = """
from pathlib import Path

from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from core.items import Page

FIXTURES = Path({fixtures!r})


class FixturePagesSpider(Spider):
    name = "fixture-pages"

    async def start(self):
        for name, url in [
            ("council-bike-lanes.html", "https://www.harbourledger.example/news/a?utm_source=x"),
            ("syndicated-storm.html", "https://www.valleycourier.example/storm"),
            ("short-notice.html", "https://www.valleycourier.example/notice"),
        ]:
            yield Page(url=url, final_url=url, status=200, body=(FIXTURES / name).read_bytes())


settings = get_project_settings()
settings.setdict({settings_dict!r}, priority="cmdline")
process = CrawlerProcess(settings)
process.crawl(FixturePagesSpider)
process.start()
"""


@pytest.mark.e2e
def test_a_real_crawl_records_its_run(settings: dict, tmp_path: Path) -> None:
    """Scrapy drives the pipelines (signals, asyncio reactor, flush timer), in a subprocess."""
    settings["CLEANNEWS_FLUSH_INTERVAL"] = 0.2
    script = tmp_path / "crawl.py"
    script.write_text(
        textwrap.dedent(CRAWL_SCRIPT).format(fixtures=str(FIXTURES), settings_dict=settings),
        encoding="utf-8",
    )
    project = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(script)], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    conn = sqlite3.connect(settings["SQLITE_PATH"])
    try:
        crawl = conn.execute(
            "SELECT spider, finish_reason, items_stored, failures, stats FROM crawls"
        ).fetchone()
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    assert crawl[:4] == ("fixture-pages", "finished", 2, 1)
    assert articles == 2
    assert json.loads(crawl[4])["item_scraped_count"] == 3


def test_profile_book_learns_what_the_full_counts_support(tmp_path: Path) -> None:
    """Relearning looks only at frequent blocks; the profile is what all the counts give."""
    import random

    from cleaners.profile import PageBlock, ProfileThresholds, learn_profile
    from pipelines.learn import ProfileBook
    from storage.boilerplate import create_tables, load_stats

    path = tmp_path / "learn.db"
    conn = sqlite3.connect(path)
    create_tables(conn)
    conn.close()
    thresholds = ProfileThresholds(min_pages=3, min_block_pages=2, min_paragraph_pages=3)
    book = ProfileBook(path, thresholds)
    book.open()
    rng = random.Random(7)

    def block(number: int) -> PageBlock:
        words = 3 if number % 2 else 20  # short lines and paragraphs
        return PageBlock(f"{number:016x}", f"block {number}", words)

    template = [block(n) for n in range(12)]
    learned_any = False
    current: dict[str, set[str]] = {}  # what each page holds now: the counts from scratch
    for page in range(80):
        url = f"https://example.org/{rng.randrange(60)}"  # some pages come back changed
        blocks = rng.sample(template, rng.randint(0, 12))
        blocks += [block(1000 + rng.randrange(3000)) for _ in range(rng.randint(1, 30))]
        book.record("example", url, blocks)
        current[url] = {b.fingerprint for b in blocks}
        stats = book.outlet_stats("example")
        assert stats.pages == len(current)
        assert stats.counts == Counter(print_ for prints in current.values() for print_ in prints)
        expected = learn_profile(stats, thresholds)
        assert book._learn(stats) == expected
        learned_any = learned_any or len(expected) > 0
        if page % 20 == 19:  # counts written and read back give the same profile too
            book.flush(wait=True)
            reopened = ProfileBook(path, thresholds)
            reopened.open()
            assert reopened.conn is not None
            loaded = load_stats(reopened.conn, "example")
            assert (loaded.pages, loaded.counts) == (stats.pages, stats.counts)
            rows = dict(reopened.conn.execute(
                "SELECT fingerprint, pages FROM boilerplate_blocks WHERE outlet_id = 'example'"
            ).fetchall())
            # A block on two pages or more has its row; most of those on one page have none.
            assert {p: n for p, n in stats.counts.items() if n >= 2}.items() <= rows.items()
            assert len(rows) < len(stats.counts) / 2
            assert reopened.profile_for("example") == learn_profile(
                load_stats(reopened.conn, "example"), thresholds
            )
            assert reopened.profile_for("example") == expected
            reopened.close()
    assert learned_any
    book.close()
