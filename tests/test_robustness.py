"""Bad pages and bad servers never stop a run: each ends as a `failures` row with a reason.

One real crawl (`scrapy crawl urls`, every pipeline on, SQLite) of every misbehaving endpoint of
the test server, plus a good story: the crawl finishes normally, the story is stored, and every
broken URL has its failure row. A hypothesis test feeds the extract pipeline arbitrary and mutated
pages: it returns an article or a Failure, never raises.
"""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.settings import crawler_for_test
from support.siteserver import BROKEN_ROUTES, HOSTILE_ROUTES, TestSiteServer, refused_url, run_crawl

from core.items import Failure, Page
from core.records import ArticleRecord
from pipelines.extract import ExtractPipeline

# path -> (stage, reason, status) of the failure row each endpoint must leave.
EXPECTED_FAILURES = {
    "/broken/slow.html": ("fetch", "timeout", None),
    "/broken/loop-a": ("fetch", "redirect_loop", None),
    "/broken/redirect-chain?n=0": ("fetch", "redirect_loop", None),
    "/broken/bad-gzip.html": ("fetch", "bad_content_encoding", None),
    "/broken/huge.html": ("fetch", "too_large", None),
    "/broken/huge-stream.html": ("fetch", "too_large", None),
    "/broken/reset.html": ("fetch", "connection_error", None),
    "/broken/403.html": ("fetch", "http_error", 403),
    "/broken/410.html": ("fetch", "http_error", 410),
    "/broken/503.html": ("fetch", "http_error", 503),
    "/hostile/500.html": ("fetch", "http_error", 500),
    "/hostile/truncated.html": ("fetch", "connection_error", None),
    "/hostile/photo.png": ("extract", "not_html", 200),
    "/hostile/photo-as-html.html": ("extract", "not_html", 200),
    "/hostile/report-as-html.html": ("extract", "not_html", 200),
    "/hostile/untyped-report": ("extract", "not_html", 200),
    "/hostile/binary-noise.html": ("extract", "not_html", 200),
    "/hostile/empty.html": ("extract", "empty", 200),
    "/hostile/blank.html": ("extract", "empty", 200),
    "/herald/2026/11/annual-report.pdf": ("extract", "not_html", 200),
}
# Endpoints whose page is a readable article despite how it was sent: stored, not failed.
EXPECTED_STORED = [
    "/broken/wrong-type.html",  # HTML sent as application/octet-stream
    "/broken/gzip-article.html",  # Content-Encoding: gzip, decoded on the way in
    "/hostile/untyped-article",  # no Content-Type at all
    "/hostile/lying-charset.html",  # says UTF-8, is windows-1251: detection wins
]


def test_every_endpoint_is_covered() -> None:
    """A new misbehaving endpoint must be added to one of the expectations above."""
    listed = {path.split("?")[0] for path in [*EXPECTED_FAILURES, *EXPECTED_STORED]}
    routes = set(BROKEN_ROUTES) | set(HOSTILE_ROUTES)
    assert routes - {"/broken/loop-b"} <= listed


@pytest.fixture(scope="module")
def crawl(site_server: TestSiteServer, tmp_path_factory: pytest.TempPathFactory):
    tmp_path = tmp_path_factory.mktemp("robust")
    refused = refused_url()
    story = site_server.url("/courier/news/mountain-road-closed.html", "localhost")
    urls = [site_server.url(path) for path in [*EXPECTED_FAILURES, *EXPECTED_STORED]]
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join([*urls, refused, story]) + "\n")
    result = run_crawl(
        "urls", site_server, tmp_path, "-a", f"file={url_file}", pipelines=True,
        settings={"DOWNLOAD_TIMEOUT": "1", "DOWNLOAD_MAXSIZE": "100000",
                  "REDIRECT_MAX_TIMES": "3", "CLEANNEWS_EXTRACT_WORKERS": "0"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    connection = sqlite3.connect(result.db_path)
    connection.row_factory = sqlite3.Row
    yield connection, refused, story
    connection.close()


@pytest.mark.e2e
def test_each_bad_page_or_server_is_a_failure_row_with_a_reason(crawl, site_server) -> None:
    database, refused, _ = crawl
    failures = {row["url"]: row for row in database.execute("SELECT * FROM failures")}
    expected = {site_server.url(path): value for path, value in EXPECTED_FAILURES.items()}
    expected[refused] = ("fetch", "connection_refused", None)
    got = {url: (row["stage"], row["reason"], row["status"]) for url, row in failures.items()}
    assert got == expected
    assert all(row["detail"] for row in failures.values())
    assert all(row["crawl_id"] == 1 for row in failures.values())


@pytest.mark.e2e
def test_the_crawl_goes_on_and_stores_what_is_readable(crawl, site_server) -> None:
    database, _, story = crawl
    (run,) = database.execute("SELECT * FROM crawls").fetchall()
    assert run["finish_reason"] == "finished"
    known = {row["url"] for row in database.execute("SELECT url FROM article_urls")}
    assert story in known
    for path in EXPECTED_STORED:
        assert site_server.url(path) in known, path
    (cyrillic,) = database.execute(
        "SELECT body, title FROM articles WHERE url LIKE '%lying-charset%'").fetchall()
    assert cyrillic["title"] == "Фабрика открылась вновь"
    assert "Бывшая текстильная фабрика на окраине города" in cyrillic["body"]


# --- The extract pipeline on arbitrary input ---------------------------------------------------

HTML_PIECES = st.sampled_from([
    "<html>", "</html>", "<head>", "<meta charset='utf-8'>", "<meta charset='koi8-r'>",
    "<meta http-equiv='Content-Type' content='text/html; charset=bogus'>", "<title>T</title>",
    "<body>", "<article>", "</article>", "<p>", "</p>", "<div class='share'>", "</div>",
    "<script>var x = '</p>';</script>", "<!--", "-->", "<![CDATA[", "]]>", "<svg><title>x",
    "<table><tr><td>", "&amp;", "&#0;", "&#xD800;", "\x00", "\ufeff", "Ωμέγα", "Завод",
    "A sentence of an ordinary news article about the harbour. ",
    "<link rel='canonical' href='http://[bad'>", "<meta property='article:published_time'"
    " content='99999-99-99'>",
])
PAGE_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.lists(HTML_PIECES, max_size=60).map(lambda parts: "".join(parts).encode("utf-8")),
    st.tuples(st.lists(HTML_PIECES, max_size=40), st.sampled_from(["utf-16", "cp1251", "latin-1"]))
    .map(lambda pair: "".join(pair[0]).encode(pair[1], errors="replace")),
)


@pytest.fixture(scope="module")
def extract_pipeline() -> ExtractPipeline:
    crawler = crawler_for_test(overrides={"CLEANNEWS_EXTRACT_WORKERS": 0})
    return ExtractPipeline.from_crawler(crawler)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=PAGE_BYTES,
    content_type=st.sampled_from([None, "text/html", "text/html; charset=utf-8",
                                  "text/html; charset=nonsense", "application/pdf", "image/png"]),
    status=st.sampled_from([200, 203, 304, 404, 500]),
)
def test_extract_pipeline_never_raises(extract_pipeline, body, content_type, status) -> None:
    from w3lib.encoding import http_content_type_encoding

    page = Page(
        url="http://news.example/a", final_url="http://news.example/a", status=status,
        body=body, content_type=content_type,
        declared_encoding=http_content_type_encoding(content_type) if content_type else None,
    )
    result = extract_pipeline.extract(page)
    assert isinstance(result, ArticleRecord | Failure)
    if isinstance(result, Failure):
        assert result.reason
    else:
        assert result.body.strip()
