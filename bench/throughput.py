"""Throughput on one machine: a full `scrapy crawl` into SQLite against sequential extraction.

    python -m bench.throughput                      # 5,000 pages made from the fixture pages
    python -m bench.throughput --corpus PAGES       # pages from a .jsonl(.gz) with "html", or a
                                                    # folder of .html files (cycled and varied)
    python -m bench.throughput --pages 1000 --workers 4 --check-pages 300

A local threaded HTTP server (127.0.0.1, keep-alive) serves the pages. In one run the same pages
go, each timed on its own: sequentially through `cleaners.extract_article`, sequentially through
plain `trafilatura.extract`, and through `scrapy crawl urls` (every pipeline, SQLite store,
extraction in `CLEANNEWS_EXTRACT_WORKERS` worker processes), then `extract_article` once more:
the CPU speed of a shared or virtual machine drifts within minutes, so the ratios use the two
passes that bracket the crawl. It prints pages/s of all three, the drift, their ratios, the
crawl's peak memory (RSS summed over the crawl process and its workers, sampled from /proc,
and the same as PSS, which counts shared pages once), and checks on the first `--check-pages`
pages that a crawl with workers stores the same rows as one with
`CLEANNEWS_EXTRACT_WORKERS=0` (both with learning off: learned boilerplate depends on the order
pages arrive in, which no two crawls share).

Pages made from fixtures keep each fixture's markup and boilerplate; the article paragraphs get
new text from a word chain over the fixture's own body, so no two pages share a body and dedupe
stores every one. The crawl overrides the project's politeness (AutoThrottle, 4 requests per
domain) for the loopback server only.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura

from cleaners import extract_article
from cleaners.errors import ExtractionError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "fixtures"
# Fixture pages with fewer body words than this are not used as templates (notices, stubs).
TEMPLATE_MIN_WORDS = 80
# Words of article text in a page made from a fixture: uniform in this range, the usual span of
# a news story (fixture pages themselves are short, and extraction cost grows with the text).
ARTICLE_WORDS = (300, 1200)
# Crawl settings for the loopback server only: no politeness delay, many requests in flight.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "RETRY_TIMES": "1",
    "LOG_LEVEL": "INFO",
    # The benchmark's server is on 127.0.0.1, which a crawl refuses unless told otherwise.
    "CLEANNEWS_ALLOW_PRIVATE_ADDRESSES": "true",
}
TARGET_CRAWL_RATIO = 1.6
TARGET_PEAK_RSS_MB = 500


# --- pages ------------------------------------------------------------------------------------


@dataclass
class Template:
    """A page to copy: its HTML, and the paragraph texts the cleaners keep as its body."""

    name: str
    html: str
    body_lines: set[str]
    chain: dict[str, list[str]] = field(default_factory=dict)
    starts: list[str] = field(default_factory=list)


def squash(text: str) -> str:
    return " ".join(text.split())


def word_chain(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """Successors of each word in `text`, and the words that start its sentences."""
    words = text.split()
    chain: dict[str, list[str]] = defaultdict(list)
    starts = [words[0]] if words else []
    for current, following in zip(words, words[1:], strict=False):
        chain[current].append(following)
        if current.endswith((".", "!", "?", "»", "”")):
            starts.append(following)
    return dict(chain), starts or words[:1]


def chain_text(template: Template, words: int, rng: random.Random) -> str:
    """About `words` words walked through the template's word chain, ending a sentence."""
    out: list[str] = []
    word = rng.choice(template.starts)
    while True:
        out.append(word)
        if len(out) >= words and word.endswith((".", "!", "?")):
            break
        if len(out) >= words * 2:
            out[-1] = out[-1].rstrip(",;:") + "."
            break
        followers = template.chain.get(word)
        word = rng.choice(followers) if followers else rng.choice(template.starts)
    return " ".join(out)


UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def parse_html(html: str) -> lxml.html.HtmlElement:
    """A document tree of `html` (as UTF-8 bytes, so an XML declaration in it is no error)."""
    return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=UTF8_PARSER)


def make_template(name: str, html: str, url: str) -> Template | None:
    """A template when the cleaners find an article in `html`, else None."""
    try:
        article = extract_article(html, url=url, encoding="utf-8")
    except ExtractionError:
        return None
    if article.word_count < TEMPLATE_MIN_WORDS:
        return None
    lines = {squash(line) for line in article.body.splitlines() if line.strip()}
    # Copies must not share a body (dedupe would keep whichever came first): the paragraphs
    # that `vary` rewrites must carry nearly all of the body.
    doc = parse_html(html)
    rewritten = sum(
        len(text.split())
        for text in (squash(e.text_content()) for e in doc.iter("p", "li", "blockquote"))
        if text in lines
    )
    if rewritten < 0.8 * article.word_count:
        return None
    template = Template(name=name, html=html, body_lines=lines)
    template.chain, template.starts = word_chain(article.body)
    # A body taken from elsewhere (structured data ...) would stay the same in every copy.
    bodies = set()
    for seed in (1, 2):
        copy = vary(template, url, random.Random(seed))
        try:
            bodies.add(extract_article(copy, url=url, encoding="utf-8").body)
        except ExtractionError:
            return None
    return template if len(bodies) == 2 else None


SECTIONS = (
    "News", "World", "Politics", "Business", "Markets", "Technology", "Science", "Health",
    "Sport", "Football", "Culture", "Books", "Music", "Film", "Travel", "Food", "Opinion",
    "Letters", "Weather", "Local", "Education", "Environment", "Property", "Motoring",
)


class SiteFurniture:
    """What a news site puts around every article: styles, scripts, menus, a rail, a footer.

    Real article pages are mostly not article: dragnet's news pages have a median of ~60 KB of
    HTML for a few KB of text. Extraction parses and prunes all of it, so pages without it would
    understate the cost per page. As on a real site, the menus, footer, styles and scripts are
    the same on every page and the "most read" rail rotates through a pool of teasers.
    """

    def __init__(self, rng: random.Random, phrases: list[str]) -> None:
        rules = "\n".join(
            f".c{n} .b{rng.randint(0, 99)} "
            f"{{margin:{rng.randint(0, 24)}px;color:#{rng.randrange(16**6):06x}}}"
            for n in range(250)
        )
        slots = [
            {"slot": f"slot-{n}", "sizes": [[300, 250], [728, 90]],
             "targeting": {"section": rng.choice(SECTIONS).lower(), "pos": n}}
            for n in range(30)
        ]
        config = json.dumps({"ads": slots, "analytics": {"id": f"UA-{rng.randrange(10**8)}"}})
        self.head = f"<style>{rules}</style><script>window.siteConfig = {config};</script>"
        menu = "".join(
            f'<li><a href="/{section.lower()}/">{section}</a><ul>'
            + "".join(
                f'<li><a href="/{section.lower()}/{n}/">{words}</a></li>'
                for n, words in enumerate(rng.sample(phrases, 6))
            )
            + "</ul></li>"
            for section in SECTIONS
        )
        self.top = (
            '<header class="site-header"><nav class="mega-menu" aria-label="Sections">'
            f"<ul>{menu}</ul></nav></header>"
        )
        columns = [
            "".join(
                f'<li><a href="/about/{n}">{words}</a></li>'
                for n, words in enumerate(rng.sample(phrases, 10))
            )
            for _ in range(5)
        ]
        links = "".join(f'<ul class="footer-col">{column}</ul>' for column in columns)
        self.footer = (
            f'<footer class="site-footer">{links}<p>Copyright 2026 The Bench Gazette. '
            "All rights reserved.</p></footer>"
        )
        self.teasers = [
            f'<li class="teaser"><a href="/news/{rng.randrange(10**6)}.html">'
            f'<img src="/img/{rng.randrange(10**6)}.jpg" alt=""><h3>{headline}</h3></a>'
            f"<p>{rng.choice(phrases)}</p></li>"
            for headline in rng.sample(phrases, 40)
        ]

    def for_page(self, rng: random.Random) -> tuple[str, str, str]:
        """(head, top, bottom) HTML for one page."""
        rail = "".join(rng.sample(self.teasers, 12))
        bottom = f'<aside class="most-read"><h2>Most read</h2><ol>{rail}</ol></aside>'
        return self.head, self.top, bottom + self.footer


def vary(
    template: Template, url: str, rng: random.Random, article_words: int | None = None,
    furniture: SiteFurniture | None = None,
) -> bytes:
    """The template with new text in its body paragraphs and its own URL as canonical link.

    With `article_words`, paragraphs are added after the last body paragraph until the article
    has about that many words (fixture pages are short; news stories mostly are not).
    """
    doc = parse_html(template.html)
    words, last = 0, None
    for paragraph in list(doc.iter("p", "li", "blockquote")):
        text = squash(paragraph.text_content())
        if text and text in template.body_lines:
            for child in list(paragraph):
                paragraph.remove(child)
            paragraph.text = chain_text(template, max(8, len(text.split())), rng)
            words += len(paragraph.text.split())
            if paragraph.tag == "p":
                last = paragraph
    while article_words and last is not None and words < article_words:
        added = lxml.html.Element("p")
        added.text = chain_text(template, rng.randint(35, 90), rng)
        added.tail = last.tail
        last.addnext(added)
        words += len(added.text.split())
        last = added
    for link in doc.xpath("//link[@rel='canonical'] | //meta[@property='og:url']"):
        link.set("href" if link.tag == "link" else "content", url)
    if furniture is not None:
        head, top, bottom = furniture.for_page(rng)
        for element in lxml.html.fragments_fromstring(head):
            doc.head.append(element)
        body = doc.body
        for element in reversed(lxml.html.fragments_fromstring(top)):
            body.insert(0, element)
        for element in lxml.html.fragments_fromstring(bottom):
            body.append(element)
    return lxml.html.tostring(doc, encoding="utf-8", doctype="<!DOCTYPE html>")


def fixture_templates(base: str) -> list[Template]:
    """Every UTF-8 fixture page of the project in which the cleaners find an article."""
    templates = []
    for path in sorted(FIXTURES.rglob("*.html")):
        try:
            html = path.read_text(encoding="utf-8").replace("{{base}}", base)
        except UnicodeDecodeError:
            continue
        template = make_template(path.stem, html, f"{base}/t/{path.stem}")
        if template is not None:
            templates.append(template)
    return templates


def corpus_pages(path: Path) -> list[tuple[str, str, str]]:
    """(name, html, site) of a .jsonl/.jsonl.gz corpus with an "html" field (site from its
    "site" or "url" field, "" without), or a folder of .html (site: the sub-folder)."""
    if path.is_dir():
        return [
            (file.stem, file.read_text(encoding="utf-8", errors="replace"),
             str(file.parent.relative_to(path)) if file.parent != path else "")
            for file in sorted(path.rglob("*.html"))
        ]
    opener = gzip.open if path.suffix == ".gz" else open
    pages = []
    with opener(path, "rt", encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            record = json.loads(line)
            if record.get("html"):
                site = record.get("site") or urlsplit(record.get("url") or "").hostname or ""
                pages.append((str(record.get("id", number)), record["html"], str(site)))
    return pages


def site_host(site: str) -> str:
    """A host name of the reserved .test domain standing for a corpus page's site."""
    label = re.sub(r"[^a-z0-9]+", "-", site.lower()).strip("-")[:50] or "site"
    return f"{label}.test"


def build_site(
    count: int, base: str, corpus: Path | None, seed: int, one_host: bool = False
) -> dict[str, bytes]:
    """URL -> page bytes: `count` distinct article pages.

    Keys are paths on `base`, except for corpus pages whose site is known (and not `one_host`):
    those are absolute URLs on a host standing for their site, fetched through `base` as a
    proxy, so the crawl sees each site as an outlet of its own, as a crawl of those sites would.
    """
    rng = random.Random(seed)
    site: dict[str, bytes] = {}
    if corpus is None:
        templates = fixture_templates(base)
        if not templates:
            raise SystemExit("no fixture page yields an article; are the cleaners broken?")
        phrases = [
            chain_text(template, rng.randint(6, 14), rng).rstrip(".")
            for template in templates for _ in range(3)
        ]
        furniture = SiteFurniture(rng, phrases)
        for number in range(count):
            template = templates[number % len(templates)]
            path = f"/news/{number:05d}-{template.name}.html"
            words = rng.randint(*ARTICLE_WORDS)
            site[path] = vary(template, base + path, rng, words, furniture)
        print(f"pages: {count} made from {len(templates)} fixture pages (article text varied, "
              f"{ARTICLE_WORDS[0]}-{ARTICLE_WORDS[1]} words, with a news site's furniture)")
        return site
    originals = corpus_pages(corpus)
    if not originals:
        raise SystemExit(f"no pages in {corpus}")
    corpus_templates: dict[str, Template | None] = {}
    hosts: set[str] = set()
    for number in range(count):
        name, html, site_name = originals[number % len(originals)]
        path = f"/news/{number:05d}-{re.sub(r'[^A-Za-z0-9_-]', '_', name)[:40]}.html"
        if site_name and not one_host:
            host = site_host(site_name)
            hosts.add(host)
            path = f"http://{host}{path}"
        url = path if path.startswith("http://") else base + path
        if number < len(originals):
            site[path] = html.encode("utf-8")
            continue
        if name not in corpus_templates:
            try:
                corpus_templates[name] = make_template(name, html, url)
            except (ValueError, lxml.etree.ParserError):  # a page lxml cannot parse as it is
                corpus_templates[name] = None
        template = corpus_templates[name]
        site[path] = vary(template, url, rng) if template else html.encode("utf-8")
    copies = max(0, count - len(originals))
    where = f"{len(hosts)} sites, each on a host of its own" if hosts else "one host"
    print(f"pages: {count} from {corpus} ({len(originals)} pages, {copies} varied copies; {where})")
    return site


# --- server -----------------------------------------------------------------------------------


class PageServer:
    """A keep-alive HTTP/1.1 server on 127.0.0.1 (free port) for `site`, on an asyncio loop in
    a thread of its own; `shutdown()` stops it.

    It reads a request's line and headers and writes the page in one go, nothing more: the
    crawl shares the cores with it, and `http.server` spent 0.5 ms of CPU a page (its header
    parsing alone), about 2.5% of what the crawl itself had to work with.
    """

    ROBOTS = b"User-agent: *\nAllow: /\n"
    NOT_FOUND = b"<html><body>Not found</body></html>"

    def __init__(self, site: dict[str, bytes]) -> None:
        self.site = site
        self.loop = asyncio.new_event_loop()
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _PageProtocol(self), "127.0.0.1", 0, backlog=1024)
        )
        self.server_address = self.server.sockets[0].getsockname()[:2]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def response(self, target: str) -> tuple[bytes, bytes]:
        """Status line and headers, and the body, for a request target (a path, or a whole
        URL when the crawl uses the server as its proxy)."""
        if urlsplit(target).path == "/robots.txt":
            status, kind, body = "200 OK", "text/plain", self.ROBOTS
        elif (page := self.site.get(target)) is not None:
            status, kind, body = "200 OK", "text/html; charset=utf-8", page
        else:
            status, kind, body = "404 Not Found", "text/html", self.NOT_FOUND
        head = f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        return head.encode("ascii"), body

    def shutdown(self) -> None:
        def stop() -> None:
            self.server.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(stop)
        self.thread.join(timeout=5)


class _PageProtocol(asyncio.Protocol):
    """One client connection: GET requests (no bodies), answered in order."""

    def __init__(self, server: PageServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport  # asyncio sets TCP_NODELAY: no wait for a delayed ACK

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            request, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            line, _, headers = request.partition(b"\r\n")
            parts = line.split()
            if len(parts) != 3:
                self.transport.close()
                return
            head, body = self.server.response(parts[1].decode("latin-1"))
            self.transport.writelines((head, body))
            if b"connection: close" in headers.lower():
                self.transport.close()
                return


def serve(site: dict[str, bytes]) -> PageServer:
    """A keep-alive HTTP server on 127.0.0.1 (free port) for `site`, plus an open robots.txt."""
    return PageServer(site)


# --- sequential extraction --------------------------------------------------------------------


def time_sequential(
    name: str, pages: list[tuple[str, bytes]], extract
) -> tuple[float, float]:
    """Pages/s of `extract(url, body)` over all pages, one after the other, in this process,
    and its CPU milliseconds a page."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for url, body in pages:
        extract(url, body)
    seconds = time.perf_counter() - started
    cpu_ms = 1000 * (time.process_time() - cpu_started) / len(pages)
    rate = len(pages) / seconds
    print(f"{name:<34} {len(pages):>6} pages in {seconds:7.1f} s = {rate:7.1f} pages/s "
          f"(CPU {cpu_ms:.1f} ms a page; {load()})")
    return rate, cpu_ms


def load() -> str:
    """The machine's 1-minute load average: other work competing for the same cores."""
    return f"load {os.getloadavg()[0]:.1f}"


def ours(url: str, body: bytes) -> None:
    try:
        extract_article(body, url=url, encoding="utf-8")
    except ExtractionError:
        pass


def plain_trafilatura(url: str, body: bytes) -> None:
    trafilatura.extract(body, url=url)


# --- crawl ------------------------------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """`root` and every process descended from it, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def memory_kb(pid: int, field_name: str, path: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples RSS and PSS of a process tree every `interval` seconds; keeps the peaks.

    Also keeps each process's last CPU reading, so the crawl process's own CPU (the reactor)
    can be told from its workers'.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss_kb = self.peak_pss_kb = self.peak_processes = 0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            tree = process_tree(self.pid)
            rss = sum(memory_kb(pid, "VmRSS:", "status") for pid in tree)
            pss = sum(memory_kb(pid, "Pss:", "smaps_rollup") for pid in tree)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_processes = max(self.peak_processes, len(tree))
            for pid in tree:
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_seconds(pid))
            self.stop.wait(self.interval)


@dataclass
class CrawlRun:
    pages: int
    seconds: float
    wall_seconds: float
    db_path: Path
    stats: dict
    peak_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0
    peak_processes: int = 0
    cpu_seconds: float = 0.0
    reactor_cpu_seconds: float = 0.0
    # This process meanwhile: the pages' HTTP server (and the memory sampler), on the same cores.
    server_cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


def crawl(
    urls: list[str], workdir: Path, workers: int | None, label: str,
    extra_settings: dict[str, str] | None = None, proxy: str | None = None,
) -> CrawlRun:
    """`scrapy crawl urls` over `urls` into a fresh SQLite file; timed and memory-sampled.

    With `proxy`, every request goes through it (Scrapy's HttpProxyMiddleware reads
    `http_proxy`): the benchmark's server answers for the sites' hosts.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    url_file = workdir / "urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    db_path = workdir / "articles.db"
    settings = {**LOOPBACK_SETTINGS, **(extra_settings or {}), "SQLITE_PATH": str(db_path)}
    if workers is not None:
        settings["CLEANNEWS_EXTRACT_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "scrapy", "crawl", "urls", "-a", f"file={url_file}"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    if proxy:
        env["http_proxy"] = proxy
    log_path = workdir / "crawl.log"
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
        sampler = MemorySampler(process.pid)
        sampler.start()
        returncode = process.wait()
        sampler.stop.set()
        sampler.join()
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    own = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    if returncode != 0:
        raise SystemExit(f"{label} crawl failed ({returncode}); see {log_path}")
    conn = sqlite3.connect(db_path)
    try:
        (stats_json,) = conn.execute("SELECT stats FROM crawls").fetchone()
    finally:
        conn.close()
    stats = json.loads(stats_json)
    seconds = float(stats.get("elapsed_time_seconds") or wall)
    return CrawlRun(
        pages=len(urls), seconds=seconds, wall_seconds=wall, db_path=db_path, stats=stats,
        peak_rss_mb=sampler.peak_rss_kb / 1024, peak_pss_mb=sampler.peak_pss_kb / 1024,
        peak_processes=sampler.peak_processes, cpu_seconds=cpu,
        reactor_cpu_seconds=sampler.cpu.get(process.pid, 0.0), server_cpu_seconds=own,
    )


def stored_rows(db_path: Path) -> tuple[list[tuple], list[tuple]]:
    """Articles and failures as the crawl stored them, without ids, crawl ids or times."""
    conn = sqlite3.connect(db_path)
    try:
        articles = conn.execute(
            "SELECT url, final_url, outlet_id, title, body, authors, published, updated,"
            " language, description, tags, word_count, body_hash FROM articles ORDER BY url"
        ).fetchall()
        failures = conn.execute(
            "SELECT url, stage, reason, detail, status FROM failures ORDER BY url, stage, reason"
        ).fetchall()
    finally:
        conn.close()
    return articles, failures


def duplicate_urls(db_path: Path) -> int:
    """URLs stored as a duplicate of an article (the same body under another address)."""
    conn = sqlite3.connect(db_path)
    try:
        (count,) = conn.execute(
            "SELECT count(*) FROM article_urls WHERE kind = 'duplicate'"
        ).fetchone()
    finally:
        conn.close()
    return int(count)


def row_difference(
    articles: list[tuple], failures: list[tuple], other_articles: list[tuple],
    other_failures: list[tuple],
) -> str:
    """How two crawls' rows differ, and whether only the choice among duplicate pages did."""
    only = len(set(articles) ^ set(other_articles)) + len(set(failures) ^ set(other_failures))
    hashes = sorted(row[-1] for row in articles) == sorted(row[-1] for row in other_articles)
    kind = "same bodies, another copy of a duplicate kept" if hashes else "different bodies"
    return f"{only} rows; {kind}"


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000, help="pages to serve (default 5000)")
    parser.add_argument("--corpus", type=Path, help=".jsonl(.gz) with 'html', or a folder")
    parser.add_argument("--workers", type=int, default=None,
                        help="CLEANNEWS_EXTRACT_WORKERS of the crawl (default: the project's)")
    parser.add_argument("--check-pages", type=int, default=500,
                        help="pages crawled with and without workers to compare rows (0: skip)")
    parser.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                        help="a further Scrapy setting for every crawl (repeatable)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--one-host", action="store_true",
                        help="serve corpus pages from 127.0.0.1 alone (one outlet for all), not "
                        "each from a host of its site")
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this folder")
    args = parser.parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.set)

    with tempfile.TemporaryDirectory(prefix="cleannews-throughput-") as scratch:
        workdir = args.keep or Path(scratch)
        site: dict[str, bytes] = {}
        server = serve(site)  # pages name their own URL, so the port comes first
        base = f"http://127.0.0.1:{server.server_address[1]}"
        site.update(build_site(args.pages, base, args.corpus, args.seed, args.one_host))
        paths = list(site)
        proxy = base if any(path.startswith("http://") for path in paths) else None
        sizes = sorted(len(site[path]) for path in paths)
        print(f"page size: median {sizes[len(sizes) // 2] / 1024:.1f} KB, "
              f"total {sum(sizes) / 2**20:.1f} MB; CPUs: {os.cpu_count()}")
        pages = [
            (path if path.startswith("http://") else base + path, site[path]) for path in paths
        ]
        rate_ours, ours_cpu_ms = time_sequential("sequential extract_article", pages, ours)
        rate_traf, _ = time_sequential("sequential trafilatura.extract", pages, plain_trafilatura)
        print(f"crawl settings: {LOOPBACK_SETTINGS | extra}")
        run = crawl(
            [url for url, _ in pages], workdir / "crawl", args.workers, "full", extra, proxy
        )
        articles, failures = stored_rows(run.db_path)
        duplicates = duplicate_urls(run.db_path)
        workers = run.stats.get("cleannews/extract_pool/workers", 0)
        label = f"scrapy crawl ({workers} workers)"
        print(f"{label:<34} {run.pages:>6} pages in {run.seconds:7.1f} s = {run.rate:7.1f} "
              f"pages/s (wall {run.wall_seconds:.1f} s with start-up: "
              f"{run.pages / run.wall_seconds:.1f}/s; {load()})")
        print(f"  stored {len(articles)} articles, {duplicates} URLs as duplicates of them, "
              f"{len(failures)} failures; CPU: "
              f"{run.cpu_seconds:.1f} s in all = {run.cpu_seconds / run.wall_seconds:.2f} cores "
              f"busy on average; the crawl process itself (reactor, pipelines, SQLite) "
              f"{1000 * run.reactor_cpu_seconds / run.pages:.1f} ms a page, "
              f"workers {1000 * (run.cpu_seconds - run.reactor_cpu_seconds) / run.pages:.1f} ms; "
              f"this benchmark's HTTP server, on the same cores, "
              f"{1000 * run.server_cpu_seconds / run.pages:.1f} ms")
        # The CPU speed of a shared or virtual machine drifts within minutes; timing the baseline
        # again after the crawl brackets the crawl, and the ratios use the average of the two.
        rate_after, cpu_after = time_sequential("extract_article again, after crawl", pages, ours)
        print(f"  baseline drift during the run: {rate_after / rate_ours:.2f}x the first pass's "
              f"rate; the ratios below use the two passes together")
        rate_ours = 2 / (1 / rate_ours + 1 / rate_after)
        ours_cpu_ms = (ours_cpu_ms + cpu_after) / 2
        cores = len(os.sched_getaffinity(0))
        reactor_ms = 1000 * run.reactor_cpu_seconds / run.pages
        total_ms = 1000 * run.cpu_seconds / run.pages
        capacity = min(cores * 1000 / total_ms, 1000 / reactor_ms)
        print(f"  CPU-bound estimate with {cores} cores to itself: {capacity:.1f} pages/s = "
              f"{capacity * ours_cpu_ms / 1000:.2f}x sequential extract_article on one core "
              f"(from CPU per page; not a measured rate)")
        print(f"ratios: crawl / extract_article = {run.rate / rate_ours:.2f}x, "
              f"crawl / trafilatura = {run.rate / rate_traf:.2f}x, "
              f"extract_article / trafilatura = {rate_ours / rate_traf:.2f}x")
        print(f"crawl peak memory ({run.peak_processes} processes): "
              f"RSS {run.peak_rss_mb:.0f} MB summed, PSS {run.peak_pss_mb:.0f} MB")
        same = None
        if args.check_pages:
            subset = [url for url, _ in pages[: args.check_pages]]
            # With learning on, what a page's body loses depends on the pages learned before it,
            # i.e. on the order pages arrive in, which differs between any two crawls, pooled or
            # not; the check compares the extraction path itself, so it learns nothing.
            checked = {**extra, "CLEANNEWS_LEARN_BOILERPLATE": "False"}
            pooled = crawl(
                subset, workdir / "check-pool", args.workers, "check (pool)", checked, proxy
            )
            single = crawl(
                subset, workdir / "check-single", 0, "check (in-process)", checked, proxy
            )
            pooled_rows, single_rows = stored_rows(pooled.db_path), stored_rows(single.db_path)
            same = pooled_rows == single_rows
            verdict = "same rows"
            if not same:
                verdict = f"ROWS DIFFER ({row_difference(*pooled_rows, *single_rows)})"
            print(f"single-process check on {len(subset)} pages, learning off: {verdict} "
                  f"({len(pooled_rows[0])} articles, {len(pooled_rows[1])} failures; "
                  f"in-process crawl {single.rate:.1f} pages/s, pool {pooled.rate:.1f} pages/s)")
        server.shutdown()
        ratio_ok = run.rate >= TARGET_CRAWL_RATIO * rate_ours
        rss_ok = run.peak_rss_mb < TARGET_PEAK_RSS_MB
        print(f"targets: crawl >= {TARGET_CRAWL_RATIO}x extract_article "
              f"{'met' if ratio_ok else 'NOT met'}; peak RSS < {TARGET_PEAK_RSS_MB} MB "
              f"{'met' if rss_ok else 'NOT met'}"
              + ("" if same is None else f"; same rows {'met' if same else 'NOT met'}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
