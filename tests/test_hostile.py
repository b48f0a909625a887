"""A hostile site: redirects off the outlet, private addresses, odd schemes, over-long URLs.

`HostileSite` is one local HTTP server (127.0.0.1) that answers differently by Host header, so
that, as on the internet, a "public" outlet host (`news.test`), its CDN (`cdn.test`), a stranger
(`other.test`) and a site closed to crawlers (`closed.test`) are told apart by name. The crawl maps
those names to 127.0.0.1 with CLEANNEWS_HOSTS (a static host table, trusted as written) and runs
with CLEANNEWS_ALLOW_PRIVATE_ADDRESSES=false, so 127.0.0.1 written in a URL, and `localhost` (whose
DNS answer is 127.0.0.1), must never be connected to. The server's request log shows what was.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.siteserver import run_crawl

from crawler.demo import PROJECT_ROOT, SiteServer, scrapy_env, send
from crawler.lock import FileLock

HOSTS = {"news.test": "127.0.0.1", "cdn.test": "127.0.0.1", "other.test": "127.0.0.1",
         "closed.test": "127.0.0.1", "chain.test": "127.0.0.1", "wide.test": "127.0.0.1"}
LONG_NAME = "a-very-long-slug-" * 130
SLOW_SECONDS = 5.0  # the URL is over Scrapy's 2083-character limit


def article(title: str, number: int) -> bytes:
    """An ordinary news article page, long enough to be stored."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of the report on {title.lower()}: the harbour board met on Tuesday and "
        f"agreed that repairs to the north pier would start in spring, after a review of the "
        f"costs that residents had asked for at three public meetings this autumn.</p>"
        for i in range(1, 4 + number % 3)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


HTML = {"Content-Type": "text/html; charset=utf-8"}


class HostileSite(SiteServer):
    """Answers by (host, path); every request is logged as (host, path) in `requests`."""

    def __init__(self) -> None:
        super().__init__(root=Path(__file__).parent)  # no files served: every answer is a route
        self.pages: dict[tuple[str, str], Callable[[BaseHTTPRequestHandler], None]] = {}

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        host = request.headers.get("Host", "").split(":")[0]
        path = urlsplit(request.path).path
        self.requests.append((host, request.path))
        answer = self.pages.get((host, path))
        if answer is None:
            send(request, 404, b"not found", {"Content-Type": "text/plain"})
        else:
            answer(request)

    def url(self, path: str, host: str = "news.test") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, host: str, path: str, status: int = 200, body: bytes = b"",
            headers: dict[str, str] | None = None) -> None:
        def answer(request: BaseHTTPRequestHandler) -> None:
            send(request, status, body, headers or HTML)
        self.pages[(host, path)] = answer

    def redirect(self, host: str, path: str, target: str) -> None:
        self.add(host, path, 302, b"", {"Location": target})

    def build(self) -> None:
        port = self.port
        for host in ("news.test", "cdn.test", "other.test"):
            self.add(host, "/robots.txt", body=b"User-agent: *\nAllow: /\n",
                     headers={"Content-Type": "text/plain"})
        self.add("closed.test", "/robots.txt", body=b"User-agent: *\nDisallow: /\n",
                 headers={"Content-Type": "text/plain"})
        stories = {
            "ok": None,
            "to-loopback": f"http://127.0.0.1:{port}/secret.html",
            "to-other-host": f"http://other.test:{port}/story/planted.html",
            "to-cdn": f"http://cdn.test:{port}/story/cdn-copy.html",
            "to-file": "file:///etc/passwd",
            "to-data": "data:text/html,<p>planted</p>",
            "to-localhost": f"http://localhost:{port}/story/ok.html",
            "meta-offsite": None,
            "nul": None,
            "huge-jsonld": None,
            "huge-page": None,
            LONG_NAME: None,
        }
        items = "".join(
            f"<item><title>{name[:20]}</title><link>{self.url(f'/story/{name}.html')}</link></item>"
            for name in stories
        )
        self.add("news.test", "/feed.rss", body=(
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>News</title>{items}"
            "</channel></rss>").encode(), headers={"Content-Type": "application/rss+xml"})
        for number, (name, target) in enumerate(stories.items()):
            if target is None and (("news.test", f"/story/{name}.html") not in self.pages):
                self.add("news.test", f"/story/{name}.html", body=article(f"Story {name[:20]}",
                                                                         number))
            elif target is not None:
                self.redirect("news.test", f"/story/{name}.html", target)
        self.add("news.test", "/story/meta-offsite.html", body=(
            "<html><head><meta http-equiv='refresh' content='0; url="
            f"http://other.test:{port}/story/planted.html'></head><body></body></html>"
        ).encode())
        self.add("cdn.test", "/story/cdn-copy.html", body=article("The CDN copy", 7))
        self.add("other.test", "/story/planted.html", body=article("Planted elsewhere", 8))
        self.add("127.0.0.1", "/secret.html", body=article("Secret local page", 9))
        self.add("127.0.0.1", "/story/ok.html", body=article("Secret local page", 10))
        self.add("localhost", "/story/ok.html", body=article("Secret local page", 11))
        # A sitemap index whose second sitemap is on a loopback address.
        index = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in (
            f"http://127.0.0.1:{port}/sitemap-private.xml", self.url("/sitemap-news.xml")))
        self.add("news.test", "/sitemap.xml", body=(
            "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/"
            f"0.9'>{index}</sitemapindex>").encode(), headers={"Content-Type": "application/xml"})
        self.add("127.0.0.1", "/sitemap-private.xml", body=b"<urlset/>",
                 headers={"Content-Type": "application/xml"})
        self.add("news.test", "/sitemap-news.xml", body=(
            "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<url><loc>{self.url('/story/from-sitemap.html')}</loc></url></urlset>").encode(),
            headers={"Content-Type": "application/xml"})
        self.add("news.test", "/story/from-sitemap.html", body=article("From the sitemap", 12))

        # A real article with a stray NUL byte in its middle.
        nul = article("A story with a NUL byte", 14).replace(b"Paragraph 2", b"Paragraph\x00 2")
        self.add("news.test", "/story/nul.html", body=nul)
        # Feeds: an entity inside a link (declared in the feed), and a feed whose only link is
        # an entity nobody declared.
        self.add("news.test", "/feed-entities.rss", body=(
            "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY sect 'story'>]><rss version='2.0'>"
            f"<channel><item><link>http://news.test:{port}/&sect;/entity.html</link></item>"
            "</channel></rss>").encode(), headers={"Content-Type": "application/rss+xml"})
        self.add("news.test", "/story/entity.html", body=article("Found through an entity", 15))
        # "Billion laughs": the parser stops at the first item; the second one is lost.
        laughs = "<!ENTITY a0 'laugh'>" + "".join(
            f"<!ENTITY a{i} '{f'&a{i - 1};' * 10}'>" for i in range(1, 10))
        self.add("news.test", "/feed-laughs.rss", body=(
            f"<?xml version='1.0'?><!DOCTYPE rss [{laughs}]><rss version='2.0'><channel>"
            f"<item><link>http://news.test:{port}/story/&a9;.html</link></item>"
            f"<item><link>http://news.test:{port}/story/after-laughs.html</link></item>"
            "</channel></rss>").encode(), headers={"Content-Type": "application/rss+xml"})
        self.add("news.test", "/feed-empty.rss", body=(
            b"<?xml version='1.0'?><rss version='2.0'><channel><item><link>&undeclared;</link>"
            b"</item></channel></rss>"), headers={"Content-Type": "application/rss+xml"})
        # A JSON-LD block of 2 MB (its text is what made a worker take 1.3 GB at 9 MB), and a
        # page of 6 MB.
        huge_ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                              "articleBody": "The harbour board met. " * 90_000})
        self.add("news.test", "/story/huge-jsonld.html", body=article("Huge JSON-LD", 16).replace(
            b"</head>", f"<script type='application/ld+json'>{huge_ld}</script></head>".encode()))
        self.add("news.test", "/story/huge-page.html", body=article("Huge page", 17).replace(
            b"</article>", b"<p>filler</p>" * 500_000 + b"</article>"))
        # Sitemap indexes: an endless chain of new ones, and one that lists 20 sitemaps.
        def chain(request: BaseHTTPRequestHandler) -> None:
            number = int(urlsplit(request.path).path.rsplit("/", 1)[1].removesuffix(".xml"))
            loc = f"http://chain.test:{port}/chain/{number + 1}.xml"
            send(request, 200, (
                "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/"
                f"sitemap/0.9'><sitemap><loc>{loc}</loc></sitemap></sitemapindex>").encode(),
                {"Content-Type": "application/xml"})
        for number in range(200):
            self.pages[("chain.test", f"/chain/{number}.xml")] = chain
        wide = "".join(f"<sitemap><loc>http://wide.test:{port}/wide/{n}.xml</loc></sitemap>"
                       for n in range(20))
        self.add("wide.test", "/wide.xml", body=(
            "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/"
            f"0.9'>{wide}</sitemapindex>").encode(), headers={"Content-Type": "application/xml"})
        for n in range(20):
            self.add("wide.test", f"/wide/{n}.xml", body=b"<?xml version='1.0'?><urlset "
                     b"xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'></urlset>",
                     headers={"Content-Type": "application/xml"})
        for host in ("chain.test", "wide.test"):
            self.add(host, "/robots.txt", body=b"User-agent: *\nAllow: /\n",
                     headers={"Content-Type": "text/plain"})

        def slow(request: BaseHTTPRequestHandler) -> None:
            time.sleep(SLOW_SECONDS)
            send(request, 200, article("A slow story", 13), HTML)
        self.pages[("news.test", "/slow/story.html")] = slow
        self.add("closed.test", "/feed.rss", body=(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Closed</title>"
            f"<item><link>{self.url('/story/one.html', 'closed.test')}</link></item>"
            f"<item><link>{self.url('/story/two.html', 'closed.test')}</link></item>"
            "</channel></rss>").encode(), headers={"Content-Type": "application/rss+xml"})


OUTLETS = """
[[outlet]]
id = "hostile-news"
name = "Hostile News"
domains = ["news.test", "localhost"]
redirect_domains = ["cdn.test"]
feeds = ["http://news.test:{port}/feed.rss", "http://news.test:{port}/feed-entities.rss",
         "http://news.test:{port}/feed-empty.rss", "http://news.test:{port}/feed-laughs.rss"]
sitemaps = ["http://news.test:{port}/sitemap.xml"]

[[outlet]]
id = "chain"
name = "Endless sitemaps"
domains = ["chain.test"]
sitemaps = ["http://chain.test:{port}/chain/0.xml"]

[[outlet]]
id = "wide"
name = "Many sitemaps"
domains = ["wide.test"]
sitemaps = ["http://wide.test:{port}/wide.xml"]

[[outlet]]
id = "closed"
name = "Closed to crawlers"
domains = ["closed.test"]
feeds = ["http://closed.test:{port}/feed.rss"]
"""

POLICY_SETTINGS = {
    "CLEANNEWS_ALLOW_PRIVATE_ADDRESSES": "false",
    "CLEANNEWS_HOSTS": json.dumps(HOSTS),
    "CLEANNEWS_EXTRACT_WORKERS": "0",
    "CLEANNEWS_SITEMAP_MAX_PER_OUTLET": "8",
}


@pytest.fixture(scope="module")
def hostile_site() -> Iterator[HostileSite]:
    site = HostileSite()
    site.start()
    site.build()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def hostile_crawl(hostile_site: HostileSite, tmp_path_factory: pytest.TempPathFactory):
    tmp_path = tmp_path_factory.mktemp("hostile")
    outlets_file = tmp_path / "outlets.toml"
    outlets_file.write_text(OUTLETS, encoding="utf-8")
    result = run_crawl("outlets", hostile_site, tmp_path, pipelines=True,
                       settings=POLICY_SETTINGS, outlets_file=outlets_file)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.db_path is not None
    connection = sqlite3.connect(result.db_path)
    connection.row_factory = sqlite3.Row
    yield result, connection
    connection.close()


def failures_by_url(connection: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {row["url"]: row for row in connection.execute("select * from failures")}


@pytest.mark.e2e
def test_redirects_leave_the_outlet_only_for_its_redirect_domains(hostile_crawl, hostile_site):
    result, connection = hostile_crawl
    site = hostile_site
    failures = failures_by_url(connection)
    port = site.port
    expected = {
        "to-loopback": ("offsite_redirect", f"http://127.0.0.1:{port}/secret.html"),
        "to-other-host": ("offsite_redirect", f"http://other.test:{port}/story/planted.html"),
        "meta-offsite": ("offsite_redirect", f"http://other.test:{port}/story/planted.html"),
        "to-file": ("bad_redirect", "file:"),
        "to-data": ("bad_redirect", "data:"),
        "to-localhost": ("forbidden_address", "localhost resolves to 127.0.0.1"),
    }
    for name, (reason, named) in expected.items():
        row = failures[site.url(f"/story/{name}.html")]
        assert (row["stage"], row["reason"], row["outlet_id"]) == (
            "fetch", reason, "hostile-news"), dict(row)
        assert named in row["detail"], dict(row)
    stored = {row["url"]: row for row in connection.execute("select * from articles")}
    # The CDN is one of the outlet's redirect domains: followed, stored under the outlet.
    cdn = stored[site.url("/story/cdn-copy.html", "cdn.test")]
    assert cdn["outlet_id"] == "hostile-news"
    assert ("news.test", "/story/to-cdn.html") in site.requests
    assert site.url("/story/ok.html") in stored
    assert site.url("/story/from-sitemap.html") in stored
    assert not [row for row in stored.values() if "Planted" in row["title"] or
                "Secret" in row["title"]]
    # Never connected to: the stranger, the loopback address, the name that resolves to it.
    hosts = {host for host, _ in site.requests}
    assert not hosts & {"other.test", "127.0.0.1", "localhost"}, sorted(hosts)
    assert "offsite_redirect" in result.stderr  # logged at INFO


@pytest.mark.e2e
def test_private_addresses_are_refused_from_sitemaps_and_given_urls(
    hostile_crawl, hostile_site, tmp_path
):
    _, connection = hostile_crawl
    site = hostile_site
    row = failures_by_url(connection)[f"http://127.0.0.1:{site.port}/sitemap-private.xml"]
    assert (row["stage"], row["reason"]) == ("discover", "forbidden_address")
    before = len(site.requests)
    given = f"http://127.0.0.1:{site.port}/story/ok.html"
    result = run_crawl("urls", site, tmp_path, "-a", f"url={given}", settings=POLICY_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [(f["url"], f["reason"]) for f in result.failures] == [(given, "forbidden_address")]
    assert site.requests[before:] == []


@pytest.mark.e2e
def test_a_setting_allows_private_addresses(hostile_site, tmp_path) -> None:
    given = f"http://127.0.0.1:{hostile_site.port}/story/ok.html"
    settings = {**POLICY_SETTINGS, "CLEANNEWS_ALLOW_PRIVATE_ADDRESSES": "true"}
    result = run_crawl("urls", hostile_site, tmp_path, "-a", f"url={given}", settings=settings)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [page["url"] for page in result.pages] == [given]


@pytest.mark.e2e
def test_an_over_long_url_is_a_failure_not_a_silent_drop(hostile_crawl, hostile_site):
    _, connection = hostile_crawl
    url = hostile_site.url(f"/story/{LONG_NAME}.html")
    row = failures_by_url(connection)[url]
    assert row["reason"] == "url_too_long"
    assert not [path for _, path in hostile_site.requests if LONG_NAME in path]


@pytest.mark.e2e
def test_robots_forbidden_outlet_leaves_one_row(hostile_crawl, hostile_site):
    result, connection = hostile_crawl
    rows = connection.execute(
        "select url, reason from failures where outlet_id = 'closed'").fetchall()
    assert [tuple(row) for row in rows] == [
        (hostile_site.url("/feed.rss", "closed.test"), "robots_forbidden")]
    assert "robots.txt forbids" in result.stderr


def test_remote_control_and_telnet_are_off_by_default() -> None:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False


@pytest.mark.e2e
@pytest.mark.parametrize("enabled", [False, True])
def test_the_remote_control_server_and_its_token_file_only_when_asked(
    hostile_site, tmp_path, enabled: bool
) -> None:
    """Off by default: no server, no job file with its token, even while the crawl runs.
    (Switched on, Scrapy writes the file while the crawl runs: the check can fail.)"""
    jobs = tmp_path / "jobs"
    command = [sys.executable, "-m", "scrapy", "crawl", "urls", "-a",
               f"url={hostile_site.url('/slow/story.html')}", "-s",
               f"SQLITE_PATH={tmp_path / 'crawl.db'}", "-s", f"CLEANNEWS_HOSTS={json.dumps(HOSTS)}",
               "-s", "CLEANNEWS_EXTRACT_WORKERS=0", "-s", f"REMOTE_CONTROL_JOBS_DIR={jobs}"]
    if enabled:
        command += ["-s", "REMOTE_CONTROL_ENABLED=true"]
    hostile_site.requests[:] = [r for r in hostile_site.requests if r[1] != "/slow/story.html"]
    crawl = subprocess.Popen(command, env=scrapy_env(), cwd=PROJECT_ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not [path for host, path in hostile_site.requests if path == "/slow/story.html"]:
            assert crawl.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        files_while_running = sorted(p.name for p in jobs.glob("*")) if jobs.exists() else []
        _, stderr = crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    hostile_site.requests[:] = [r for r in hostile_site.requests if r[1] != "/slow/story.html"]
    assert crawl.returncode == 0, stderr[-3000:]
    extensions = stderr.split("Enabled extensions")[-1].split("Enabled downloader")[0]
    assert ("RemoteControl" in extensions) is enabled
    assert bool(files_while_running) is enabled, files_while_running


# --- One writer per database ---------------------------------------------------------------------


def block_tables(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return [
            *connection.execute("select outlet_id, fingerprint, pages from boilerplate_blocks "
                                "order by 1, 2"),
            *connection.execute("select outlet_id, url, fingerprints from boilerplate_pages "
                                "order by 1, 2"),
        ]


def recount_mismatches(db: Path) -> list[tuple]:
    """Block rows whose page count differs from the pages recorded as holding the block."""
    from collections import Counter

    with sqlite3.connect(db) as connection:
        held: Counter[tuple[str, str]] = Counter()
        for outlet_id, fingerprints in connection.execute(
            "select outlet_id, fingerprints from boilerplate_pages"
        ):
            for fingerprint in set(json.loads(fingerprints)):
                held[(outlet_id, fingerprint)] += 1
        counted = {(o, f): n for o, f, n in connection.execute(
            "select outlet_id, fingerprint, pages from boilerplate_blocks")}
    # A block seen on one page only has no row (its page's fingerprints count it).
    keys = {key for key, pages in held.items() if pages > 1} | set(counted)
    return [(key, counted.get(key, 0), held[key]) for key in sorted(keys)
            if counted.get(key, 0) != held[key]]


def reclean(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaners", "reclean", "--db", str(db)], env=scrapy_env(),
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.e2e
def test_reclean_beside_a_crawl_refuses_in_one_line_and_changes_nothing(
    site_server, hostile_site, tmp_path
) -> None:
    first = run_crawl("outlets", site_server, tmp_path, pipelines=True, settings={
        "CLEANNEWS_STORE_RAW_HTML": "true", "CLEANNEWS_EXTRACT_WORKERS": "0"})
    assert first.returncode == 0, first.stderr[-3000:]
    db = first.db_path
    assert db is not None
    before = block_tables(db)
    assert before
    # A second crawl of the same database, busy with a slow page, holds the run lock.
    command = [sys.executable, "-m", "scrapy", "crawl", "urls", "-a",
               f"url={hostile_site.url('/slow/story.html')}", "-s", f"SQLITE_PATH={db}",
               "-s", f"CLEANNEWS_HOSTS={json.dumps(HOSTS)}", "-s", "CLEANNEWS_EXTRACT_WORKERS=0",
               "-s", "CLEANNEWS_STORE_RAW_HTML=true", "-s", "DOWNLOAD_TIMEOUT=30"]
    crawl = subprocess.Popen(command, env=scrapy_env(), cwd=PROJECT_ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lock_file = Path(f"{db}.lock")
        deadline = time.monotonic() + 30
        while not (lock_file.exists() and lock_file.read_text().strip() == str(crawl.pid)):
            assert crawl.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        refused = reclean(db)
        assert crawl.poll() is None  # the crawl was still running beside it
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines() == [
            f"python -m cleaners reclean: another crawl or reclean (pid {crawl.pid}) holds "
            f"{db}.lock; nothing was changed"]
        assert block_tables(db) == before
        _, stderr = crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0, stderr[-3000:]
    assert recount_mismatches(db) == []
    # Alone, it runs, and its counts match a recount of the pages' blocks.
    done = reclean(db)
    assert done.returncode == 0, done.stderr
    assert recount_mismatches(db) == []


@pytest.mark.e2e
def test_a_crawl_refused_by_the_lock_says_so_in_one_line(site_server, tmp_path) -> None:
    db = tmp_path / "crawl.db"
    holder = FileLock(Path(f"{db}.lock"))
    holder.acquire()
    try:
        result = run_crawl("outlets", site_server, tmp_path, pipelines=True)
    finally:
        holder.release()
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert "Not crawling: another crawl" in errors[0]
    assert "Traceback" not in result.stderr
    assert not db.exists()


# --- Silent cases, bounds ------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_stray_nul_byte_does_not_make_an_article_binary(hostile_crawl, hostile_site):
    _, connection = hostile_crawl
    (row,) = connection.execute("select title, body from articles where url = ?",
                                (hostile_site.url("/story/nul.html"),)).fetchall()
    assert row[0] == "A story with a NUL byte"
    assert "\x00" not in row[1]
    assert "Paragraph 2 of the report" in row[1]


@pytest.mark.e2e
def test_feed_entities_never_split_a_link(hostile_crawl, hostile_site):
    _, connection = hostile_crawl
    stored = {url for (url,) in connection.execute("select url from articles")}
    assert hostile_site.url("/story/entity.html") in stored
    paths = {path for host, path in hostile_site.requests if host == "news.test"}
    assert "/" not in paths
    assert "/entity.html" not in paths
    row = failures_by_url(connection)[hostile_site.url("/feed-empty.rss")]
    assert (row["stage"], row["reason"]) == ("discover", "empty_feed")
    # A feed cut short by the entity-amplification guard says so, with the parser's message.
    row = failures_by_url(connection)[hostile_site.url("/feed-laughs.rss")]
    assert (row["stage"], row["reason"]) == ("discover", "feed_parse_error")
    assert "amplification" in row["detail"]


@pytest.mark.e2e
def test_sitemap_index_depth_and_count_are_bounded(hostile_crawl, hostile_site):
    result, connection = hostile_crawl
    site = hostile_site
    chain = sorted(int(path.rsplit("/", 1)[1].removesuffix(".xml"))
                   for host, path in site.requests if path.startswith("/chain/"))
    assert chain == [0, 1, 2, 3]  # the configured index and three levels below it
    rows = connection.execute(
        "select url, reason, outlet_id from failures where outlet_id in ('chain', 'wide') "
        "order by reason").fetchall()
    assert [tuple(row) for row in rows] == [
        (site.url("/chain/3.xml", "chain.test"), "sitemap_depth", "chain"),
        (site.url("/wide.xml", "wide.test"), "sitemap_limit", "wide"),
    ]
    wide = [path for host, path in site.requests if path.startswith("/wide/")]
    assert len(wide) == 8  # CLEANNEWS_SITEMAP_MAX_PER_OUTLET of the 20 listed
    assert "sitemap_limit" in result.stderr


@pytest.mark.e2e
def test_oversized_json_ld_is_cut_and_oversized_pages_refused(hostile_crawl, hostile_site):
    result, connection = hostile_crawl
    (row,) = connection.execute("select title, word_count from articles where url = ?",
                                (hostile_site.url("/story/huge-jsonld.html"),)).fetchall()
    assert row[0] == "Huge JSON-LD"
    assert row[1] < 500  # the page's own paragraphs, not the JSON-LD's text
    assert "'cleannews/jsonld_blocks_cut': 1" in result.stderr
    failure = failures_by_url(connection)[hostile_site.url("/story/huge-page.html")]
    assert (failure["stage"], failure["reason"]) == ("extract", "too_large")
    assert "CLEANNEWS_MAX_HTML_BYTES" in failure["detail"]


def test_a_worker_over_its_memory_limit_is_replaced_and_the_page_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    from pipelines.workers import ExtractionJob, ExtractionPool

    tests_dir = str(Path(__file__).parent)
    monkeypatch.syspath_prepend(tests_dir)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (tests_dir, os.environ.get("PYTHONPATH", "")) if p))
    page = article("An ordinary story", 1)
    jobs = [ExtractionJob(body=page, url="https://news.test/a?fault=memory"),
            ExtractionJob(body=page, url="https://news.test/b")]

    async def run() -> tuple[list, ExtractionPool]:
        pool = ExtractionPool(
            1, memory_limit_mb=512, runner="support.worker_faults:run_job_out_of_memory"
        )
        pool.start()
        try:
            outcomes = [await pool.extract(job) for job in jobs]
        finally:
            await pool.close()
        return outcomes, pool

    outcomes, pool = asyncio.run(run())
    assert outcomes[0].reason == "memory_limit", outcomes[0]
    assert outcomes[1].ok
    assert pool.stats.workers_started == 2  # the first worker was replaced


@pytest.mark.e2e
def test_every_page_fetched_when_a_storage_fault_stops_the_crawl_is_stored_or_logged(
    tmp_path,
) -> None:
    """The disk fills up mid-crawl (RLIMIT_FSIZE): the rolled-back batch and the pages still in
    flight are each named in the log; none is silently dropped."""
    import re
    import resource

    from support.cronsite import GeneratedSite, crawl_command, write_outlets

    with SiteServer() as server:
        site = GeneratedSite(server, 120)
        small = tmp_path / "small"
        small.mkdir()
        db = small / "news.db"
        command = crawl_command(db, write_outlets(tmp_path, server),
                                settings={"CLEANNEWS_BATCH_SIZE": "10"})
        limit = 600_000
        result = subprocess.run(
            command, env=scrapy_env(), cwd=PROJECT_ROOT, capture_output=True, text=True,
            timeout=120, check=False,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
        )
        fetched = {path for _, path in server.requests if path.startswith("/gen/story-")}
        base = server.base()
    assert site.count == 120
    assert result.returncode == 1, result.stderr[-3000:]
    with sqlite3.connect(db) as connection:
        stored = {url.removeprefix(base) for (url,) in connection.execute(
            "select url from articles union select url from failures")}
    logged = set(re.findall(r"Not stored \([^)]*\): \S*?(/gen/story-\d+\.html)", result.stderr))
    assert 0 < len(stored) < len(fetched)
    assert "rolled back by the storage error" in result.stderr
    assert fetched - stored - logged == set()


@pytest.mark.e2e
def test_an_over_long_url_given_to_crawl_urls_is_a_failure(hostile_site, tmp_path) -> None:
    url = hostile_site.url(f"/story/{LONG_NAME}.html")
    result = run_crawl("urls", hostile_site, tmp_path, "-a", f"url={url}",
                       settings=POLICY_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [(f["url"], f["reason"]) for f in result.failures] == [(url, "url_too_long")]
    assert "url_too_long" in result.stderr  # logged at INFO


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("127.1.2.3", False), ("10.0.0.5", False), ("172.16.9.1", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False),
    ("fd00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:10.1.1.1", False),
])
def test_address_classes(address: str, public: bool) -> None:
    from crawler.fetch_policy import is_public_address, literal_address

    assert is_public_address(address) is public
    assert literal_address(f"[{address}]" if ":" in address else address) is not None


def test_redirect_domains_match_subdomains_only() -> None:
    from crawler.fetch_policy import host_matches

    assert host_matches("www.news.test", ["news.test"])
    assert host_matches("img.cdn.test", ["news.test", "cdn.test"])
    assert not host_matches("evilnews.test", ["news.test"])
    assert not host_matches("news.test.evil.example", ["news.test"])
