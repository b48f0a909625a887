"""The spiders: discovery from feeds, sitemaps, robots.txt and start pages, and fetch failures.

Parsing is tested on the demo site's own files as responses; the crawl tests run a real
`scrapy crawl` subprocess (pipelines off, items through a pickle feed) against the local server.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from support.settings import crawler_for_test
from support.siteserver import BROKEN_ROUTES, TestSiteServer, refused_url, run_crawl

from crawler.demo import DEMO_OUTLETS_FILE, SITE_DIR
from crawler.spiders.outlets import OutletsSpider
from crawler.spiders.urls import UrlsSpider, read_url_list

BASE = "http://127.0.0.1:8123"  # the Herald's address in the parsing tests
COURIER_BASE = "http://localhost:8123"

HERALD_STORIES = [
    "harbour-ferry-electric", "library-late-hours", "bridge-repairs-delay", "fishing-quota-talks",
    "school-meals-survey", "storm-warning-coast", "market-hall-reopens",
]
COURIER_STORIES = [
    "valley-rail-line-reopens", "vineyard-harvest-record", "hospital-wing-opens",
    "mountain-road-closed", "council-votes-solar",
]


def herald(slug: str) -> str:
    return f"{BASE}/herald/2026/11/{slug}.html"


def courier(slug: str) -> str:
    return f"{COURIER_BASE}/courier/news/{slug}.html"


def make_spider(**args: str) -> OutletsSpider:
    crawler = crawler_for_test(
        OutletsSpider,
        {"OUTLETS_FILE": str(DEMO_OUTLETS_FILE), "CLEANNEWS_OUTLETS_VARS": {"port": "8123"}},
    )
    spider = OutletsSpider.from_crawler(crawler, **args)
    crawler.spider = spider
    return spider


def site_response(
    path: str, base: str = BASE, outlet: str = "harbour-herald", cls: type[Response] = XmlResponse,
    gzipped: bool = False, url_path: str | None = None,
) -> Response:
    """A response for a demo-site file, as the server would send it from `base`."""
    body = (SITE_DIR / path.lstrip("/")).read_bytes().replace(b"{{base}}", base.encode())
    if gzipped:
        body = gzip.compress(body)
        path += ".gz"
        cls = Response
    url = base + (url_path or path)
    request = Request(url, meta={"cleannews_outlet": outlet, "cleannews_stage": "discover"})
    return cls(url=url, body=body, request=request)


def urls_of(requests) -> list[str]:
    return [r.url for r in requests]


def test_rss_feed_yields_its_story_links_but_not_other_hosts_or_denied_pages() -> None:
    spider = make_spider()
    requests = list(spider.parse_feed(site_response("/herald/feed.rss")))
    assert sorted(urls_of(requests)) == sorted(herald(s) for s in HERALD_STORIES[:6])
    assert all(r.callback == spider.parse_article for r in requests)
    assert requests[0].meta["cleannews_via"] == f"feed:{BASE}/herald/feed.rss"
    # The live blog item matches article_patterns but also deny_patterns.
    assert spider.crawler.stats.get_value("cleannews/discovered/filtered_out") == 1


def test_atom_feed_yields_entry_alternate_links() -> None:
    spider = make_spider()
    response = site_response("/courier/feed.atom", COURIER_BASE, "valley-courier")
    assert urls_of(spider.parse_feed(response)) == [courier(s) for s in COURIER_STORIES[:4]]


def test_rss_1_rdf_feed_and_relative_links() -> None:
    spider = make_spider()
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="x"><title>T</title></channel>
  <item rdf:about="a"><title>A</title><link>/herald/2026/11/a-story.html</link></item>
</rdf:RDF>"""
    url = f"{BASE}/herald/feed.rdf"
    response = XmlResponse(url=url, body=body, request=Request(url, meta={
        "cleannews_outlet": "harbour-herald"}))
    assert urls_of(spider.parse_feed(response)) == [herald("a-story")]


def test_a_feed_or_sitemap_that_is_not_one_becomes_a_discovery_failure() -> None:
    spider = make_spider()
    page = site_response("/courier/index.html", COURIER_BASE, "valley-courier", HtmlResponse)
    (failure,) = spider.parse_feed(page)
    assert (failure.stage, failure.reason, failure.url) == ("discover", "not_feed", page.url)
    assert failure.outlet_id == "valley-courier"
    (failure,) = spider.parse_sitemap(page)
    assert (failure.stage, failure.reason) == ("discover", "not_sitemap")
    url = f"{BASE}/herald/sitemap.xml.gz"
    broken_gzip = Response(url=url, body=b"\x1f\x8b\x08garbage", request=Request(
        url, meta={"cleannews_outlet": "harbour-herald"}))
    (failure,) = spider.parse_sitemap(broken_gzip)
    assert failure.reason == "bad_content_encoding"


def test_robots_txt_sitemap_line_is_followed() -> None:
    spider = make_spider()
    requests = list(spider.parse_robots(site_response("/robots.txt", cls=TextResponse)))
    assert urls_of(requests) == [f"{BASE}/sitemap-index.xml"]
    assert requests[0].callback == spider.parse_sitemap


def test_sitemap_index_yields_its_sitemaps() -> None:
    spider = make_spider()
    requests = list(spider.parse_sitemap(site_response("/sitemap-index.xml")))
    assert urls_of(requests) == [f"{BASE}/herald/sitemap.xml", f"{BASE}/herald/news-sitemap.xml.gz"]


def test_sitemap_yields_article_like_urls_only() -> None:
    spider = make_spider()
    urls = urls_of(spider.parse_sitemap(site_response("/herald/sitemap.xml")))
    assert herald("bridge-repairs-delay") in urls
    assert f"{BASE}/herald/2026/11/annual-report.pdf" in urls
    assert f"{BASE}/herald/private/2026/11/embargoed-budget.html" in urls  # robots decides later
    assert f"{BASE}/herald/city/" not in urls  # a section page: no article pattern matches


def test_gzipped_google_news_sitemap() -> None:
    spider = make_spider()
    response = site_response("/herald/news-sitemap.xml", gzipped=True)
    assert urls_of(spider.parse_sitemap(response)) == [
        herald("storm-warning-coast"), herald("market-hall-reopening"),
    ]


def test_since_skips_sitemap_entries_last_modified_before_it() -> None:
    spider = make_spider(since="2026-11-19")
    urls = urls_of(spider.parse_sitemap(site_response("/herald/sitemap.xml")))
    assert herald("fishing-quota-talks") in urls  # lastmod 2026-11-19
    assert herald("bridge-repairs-delay") not in urls  # lastmod 2026-11-18


def test_start_page_links_to_stories_and_sections_to_depth() -> None:
    response = site_response(
        "/courier/index.html", COURIER_BASE, "valley-courier", HtmlResponse, url_path="/courier/"
    )
    shallow = urls_of(make_spider().parse_listing(response))
    assert sorted(shallow) == sorted(
        [courier("valley-rail-line-reopens"), courier("vineyard-harvest-record"),
         courier("zavod-reopens-ru")]
    )
    deep = list(make_spider(depth="1").parse_listing(response))
    listings = [r.url for r in deep if r.callback.__name__ == "parse_listing"]
    assert f"{COURIER_BASE}/courier/section/business.html" in listings
    # Denied (video), other hosts (the Herald partner link) and the page itself are never followed.
    assert not [u for u in urls_of(deep) if "/video/" in u or "127.0.0.1" in u]
    assert f"{COURIER_BASE}/courier/" not in listings


def test_error_classification() -> None:
    """Robots.txt refusals are skips, not failures; other errors get a stable reason."""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure as TwistedFailure

    from crawler.spiders.base import classify_error

    def classify(exc: BaseException):
        try:
            raise exc
        except BaseException:
            return classify_error(TwistedFailure())

    assert classify(IgnoreRequest("Forbidden by robots.txt")) is None
    assert classify(IgnoreRequest("max redirections reached"))[0] == "redirect_loop"
    assert classify(IgnoreRequest("something else"))[0] == "ignored"
    response = HtmlResponse(url="http://x.example/", status=429, body=b"")
    assert classify(HttpError(response, "Ignoring")) == ("http_error", "HTTP 429", 429)
    assert classify(EOFError("cut short"))[0] == "bad_content_encoding"
    assert classify(ValueError("odd"))[0] == "fetch_error"


def test_url_list_file_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text("# stories\nhttps://a.example/1\n\n  https://b.example/2  # moved\n#x\n")
    assert read_url_list(path) == ["https://a.example/1", "https://b.example/2"]


def test_urls_spider_needs_a_url() -> None:
    from scrapy.exceptions import UsageError

    with pytest.raises(UsageError, match="-a url=URL"):
        UrlsSpider.from_crawler(crawler_for_test(UrlsSpider))


# --- Crawls in a subprocess ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_crawl(site_server: TestSiteServer, tmp_path_factory: pytest.TempPathFactory):
    """One `scrapy crawl outlets -a depth=1` of the whole demo site, pipelines off."""
    return run_crawl("outlets", site_server, tmp_path_factory.mktemp("crawl"), "-a", "depth=1")


def local(url: str, server: TestSiteServer) -> str:
    return url.replace(":8123", f":{server.port}")


@pytest.mark.e2e
def test_crawl_fetches_every_story_of_both_outlets(demo_crawl, site_server) -> None:
    assert demo_crawl.returncode == 0, demo_crawl.stderr[-3000:]
    pages = {p["final_url"]: p for p in demo_crawl.pages}
    for slug in HERALD_STORIES:
        assert pages[local(herald(slug), site_server)]["outlet_id"] == "harbour-herald"
    for slug in [*COURIER_STORIES, "zavod-reopens-ru"]:
        assert pages[local(courier(slug), site_server)]["outlet_id"] == "valley-courier"
    # Each page was fetched once, whichever source found it first.
    assert len(pages) == len(demo_crawl.pages)


@pytest.mark.e2e
def test_crawl_records_how_each_page_was_found(demo_crawl, site_server) -> None:
    solar = demo_crawl.page(local(courier("council-votes-solar"), site_server))
    section = f"{site_server.base('localhost')}/courier/section/business.html"
    assert solar["discovered_via"] == f"link:{section}"
    moved = demo_crawl.page(local(herald("market-hall-reopens"), site_server))
    assert moved["url"] == local(herald("market-hall-reopening"), site_server)
    assert moved["discovered_via"] == f"sitemap:{site_server.base()}/herald/news-sitemap.xml.gz"
    assert {p["discovered_via"].split(":", 1)[0] for p in demo_crawl.pages} == {
        "feed", "sitemap", "link"}


@pytest.mark.e2e
def test_crawl_keeps_raw_bytes_and_the_header_charset_only(demo_crawl, site_server) -> None:
    ru = demo_crawl.page(local(courier("zavod-reopens-ru"), site_server))
    assert ru["content_type"] == "text/html"
    assert ru["declared_encoding"] is None
    assert "Старая текстильная фабрика".encode("cp1251") in ru["body"]
    ferry = demo_crawl.page(local(herald("harbour-ferry-electric"), site_server))
    assert ferry["declared_encoding"] == "utf-8"
    assert ferry["status"] == 200
    assert ferry["headers"]["Content-Type"] == "text/html; charset=utf-8"
    pdf = demo_crawl.page(f"{site_server.base()}/herald/2026/11/annual-report.pdf")
    assert pdf["content_type"] == "application/pdf"
    assert pdf["body"].startswith(b"%PDF-")
    assert demo_crawl.page(f"{site_server.base()}/herald/2026/11/empty.html")["body"] == b""


@pytest.mark.e2e
def test_crawl_turns_http_errors_into_failures(demo_crawl, site_server) -> None:
    missing = demo_crawl.failure(f"{site_server.base()}/herald/2026/11/missing-story.html")
    assert (missing["stage"], missing["reason"], missing["status"]) == ("fetch", "http_error", 404)
    assert missing["outlet_id"] == "harbour-herald"
    error = demo_crawl.failure(f"{site_server.base()}/herald/2026/11/server-error.html")
    assert (error["reason"], error["status"]) == ("http_error", 500)
    # Retried once (RETRY_TIMES=1) before it was given up.
    assert site_server.paths_requested().count("/herald/2026/11/server-error.html") >= 2


@pytest.mark.e2e
def test_crawl_obeys_robots_and_deny_patterns(demo_crawl, site_server) -> None:
    assert demo_crawl.returncode == 0
    paths = site_server.paths_requested()
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/herald/private/")]
    assert not [p for p in paths if "/video/" in p or "/live/" in p]
    assert "/herald/city/" not in paths
    assert "'cleannews/robots_forbidden': 1" in demo_crawl.stderr


@pytest.mark.e2e
def test_unknown_outlet_id_stops_the_crawl_with_a_clear_message(site_server, tmp_path) -> None:
    result = run_crawl("outlets", site_server, tmp_path, "-a", "outlets=harbour-herald,nope")
    # Checked before the crawl starts: Scrapy's usage error (status 2), no traceback, no fetch.
    assert result.returncode == 2
    assert "unknown outlet id(s) ['nope']; known: harbour-herald, valley-courier" in result.stderr
    assert "Traceback" not in result.stderr
    assert not result.pages
    assert "Spider opened" not in result.stderr


@pytest.mark.e2e
def test_one_outlet_only(site_server, tmp_path) -> None:
    result = run_crawl("outlets", site_server, tmp_path, "-a", "outlets=valley-courier")
    assert result.returncode == 0, result.stderr[-3000:]
    assert {p["outlet_id"] for p in result.pages} == {"valley-courier"}
    assert len(result.pages) == 5  # 4 from the feed, the Russian story from the front page


@pytest.mark.e2e
def test_urls_spider_records_every_kind_of_fetch_failure(site_server, tmp_path) -> None:
    """Timeouts, loops, too-large bodies, bad gzip, refused connections: each a Failure."""
    # loop-b is reached through loop-a; asked for on its own too, the duplicate filter would drop
    # whichever of the two came second.
    broken = {path: site_server.url(path) for path in BROKEN_ROUTES if path != "/broken/loop-b"}
    broken["/broken/redirect-chain"] += "?n=0"
    refused = refused_url()
    url_file = tmp_path / "urls.txt"
    url_file.write_text(
        "# misbehaving endpoints\n" + "\n".join([*broken.values(), refused]) + "\n"
    )
    story = site_server.url("/courier/news/hospital-wing-opens.html", "localhost")
    result = run_crawl(
        "urls", site_server, tmp_path, "-a", f"file={url_file}", "-a", f"url={story}",
        settings={"DOWNLOAD_TIMEOUT": "1", "DOWNLOAD_MAXSIZE": "100000",
                  "REDIRECT_MAX_TIMES": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    reasons = {f["url"]: (f["reason"], f["status"]) for f in result.failures}
    assert reasons == {
        broken["/broken/slow.html"]: ("timeout", None),
        broken["/broken/loop-a"]: ("redirect_loop", None),
        broken["/broken/redirect-chain"]: ("redirect_loop", None),
        broken["/broken/bad-gzip.html"]: ("bad_content_encoding", None),
        broken["/broken/huge.html"]: ("too_large", None),
        broken["/broken/huge-stream.html"]: ("too_large", None),
        broken["/broken/reset.html"]: ("connection_error", None),
        broken["/broken/403.html"]: ("http_error", 403),
        broken["/broken/410.html"]: ("http_error", 410),
        broken["/broken/503.html"]: ("http_error", 503),
        refused: ("connection_refused", None),
    }
    assert all(f["stage"] == "fetch" for f in result.failures)
    # What arrived is handed on untouched: a gzip-encoded page decoded, a wrong type kept as is.
    assert b"wrong content type" in result.page(broken["/broken/gzip-article.html"])["body"]
    wrong = result.page(broken["/broken/wrong-type.html"])
    assert wrong["content_type"] == "application/octet-stream"
    assert result.page(story)["outlet_id"] == "valley-courier"
