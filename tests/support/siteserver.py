"""The demo site on a real local HTTP server, plus endpoints that misbehave, and a crawl runner.

`TestSiteServer` serves fixtures/site (through `crawler.demo.SiteServer`) and registers the
misbehaving endpoints under /broken/. To add one: write a handler `(request) -> None` that sends a
whole response with `send(...)` (or breaks the connection), and register it in `BROKEN_ROUTES`.

`run_crawl` runs a real `scrapy crawl` in a subprocess and returns its items (through Scrapy's own
pickle feed export, so no test-only pipeline is needed) and, with pipelines on, the SQLite file.
"""

from __future__ import annotations

import gzip
import json
import pickle
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawler.demo import DEMO_OUTLETS_FILE, PROJECT_ROOT, SiteServer, scrapy_env, send

# Seconds the slow endpoint waits before answering; tests set DOWNLOAD_TIMEOUT below it.
SLOW_SECONDS = 3.0
# Bytes the huge endpoints send; tests set DOWNLOAD_MAXSIZE below it.
HUGE_BYTES = 300_000

ARTICLE_HTML = (
    "<html><head><title>Plain</title></head><body><article><p>"
    + "A sentence of an article served with the wrong content type. " * 12
    + "</p></article></body></html>"
).encode()


def slow(request: BaseHTTPRequestHandler) -> None:
    """Answers only after SLOW_SECONDS: a timeout for any shorter DOWNLOAD_TIMEOUT."""
    time.sleep(SLOW_SECONDS)
    try:
        send(request, 200, b"<html><body>late</body></html>", {"Content-Type": "text/html"})
    except OSError:
        pass  # the client gave up first


def redirect_loop(request: BaseHTTPRequestHandler) -> None:
    """/broken/loop-a -> /broken/loop-b -> /broken/loop-a ..."""
    here = urlsplit(request.path).path
    target = "/broken/loop-b" if here == "/broken/loop-a" else "/broken/loop-a"
    send(request, 302, b"", {"Location": target})


def redirect_chain(request: BaseHTTPRequestHandler) -> None:
    """An endless chain of new URLs (?n=1, ?n=2 ...): only REDIRECT_MAX_TIMES ends it."""
    n = int(parse_qs(urlsplit(request.path).query).get("n", ["0"])[0])
    send(request, 302, b"", {"Location": f"/broken/redirect-chain?n={n + 1}"})


def wrong_content_type(request: BaseHTTPRequestHandler) -> None:
    """An HTML article declared as application/octet-stream."""
    send(request, 200, ARTICLE_HTML, {"Content-Type": "application/octet-stream"})


def bad_gzip(request: BaseHTTPRequestHandler) -> None:
    """Says Content-Encoding: gzip, sends bytes that are not gzip."""
    send(request, 200, b"this is not gzip data at all" * 4,
         {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})


def huge_declared(request: BaseHTTPRequestHandler) -> None:
    """A body whose Content-Length already exceeds a small DOWNLOAD_MAXSIZE."""
    body = b"<html><body>" + b"x" * HUGE_BYTES + b"</body></html>"
    try:
        send(request, 200, body, {"Content-Type": "text/html; charset=utf-8"})
    except OSError:
        pass  # cancelled by the client, as intended


def huge_streamed(request: BaseHTTPRequestHandler) -> None:
    """A big body with no Content-Length (ends when the connection closes)."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html; charset=utf-8")
    request.send_header("Connection", "close")
    request.end_headers()
    request.close_connection = True
    try:
        for _ in range(HUGE_BYTES // 10_000 + 1):
            request.wfile.write(b"y" * 10_000)
    except OSError:
        pass


def gzip_encoded_article(request: BaseHTTPRequestHandler) -> None:
    """A good article sent with Content-Encoding: gzip (must arrive decoded)."""
    send(request, 200, gzip.compress(ARTICLE_HTML),
         {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})


def reset_connection(request: BaseHTTPRequestHandler) -> None:
    """Closes the connection without a response."""
    request.close_connection = True
    request.connection.shutdown(socket.SHUT_RDWR)


def status(code: int) -> Callable[[BaseHTTPRequestHandler], None]:
    def handler(request: BaseHTTPRequestHandler) -> None:
        send(request, code, f"<html><body>{code}</body></html>".encode(),
             {"Content-Type": "text/html; charset=utf-8"})

    handler.__doc__ = f"Always answers HTTP {code}."
    return handler


BROKEN_ROUTES: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
    "/broken/slow.html": slow,
    "/broken/loop-a": redirect_loop,
    "/broken/loop-b": redirect_loop,
    "/broken/redirect-chain": redirect_chain,
    "/broken/wrong-type.html": wrong_content_type,
    "/broken/bad-gzip.html": bad_gzip,
    "/broken/huge.html": huge_declared,
    "/broken/huge-stream.html": huge_streamed,
    "/broken/gzip-article.html": gzip_encoded_article,
    "/broken/reset.html": reset_connection,
    "/broken/403.html": status(403),
    "/broken/410.html": status(410),
    "/broken/503.html": status(503),
}


# --- Pages that arrive whole but are not what they claim (tests/test_robustness.py) -----------

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CYRILLIC_ARTICLE = (
    "<html><head><title>Фабрика открылась вновь</title></head><body><article><p>"
    + "Бывшая текстильная фабрика на окраине города открылась вновь как ремесленный центр. " * 12
    + "</p></article></body></html>"
)


def fixed(status_code: int, body: bytes, headers: dict[str, str]) -> Callable[
        [BaseHTTPRequestHandler], None]:
    """A handler that always sends the same response."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        send(request, status_code, body, headers)

    return handler


def truncated(request: BaseHTTPRequestHandler) -> None:
    """Promises 50,000 bytes, sends 1,000, closes the connection."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html; charset=utf-8")
    request.send_header("Content-Length", "50000")
    request.end_headers()
    request.wfile.write(b"<html><body><p>" + b"z" * 985)
    request.wfile.flush()
    request.close_connection = True
    request.connection.shutdown(socket.SHUT_RDWR)


def no_content_type(body: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    """A response without any Content-Type header."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handler


HOSTILE_ROUTES: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
    "/hostile/photo.png": fixed(200, PNG_BYTES, {"Content-Type": "image/png"}),
    "/hostile/photo-as-html.html": fixed(200, PNG_BYTES, {"Content-Type": "text/html"}),
    "/hostile/report-as-html.html": fixed(200, PDF_BYTES, {"Content-Type": "text/html"}),
    "/hostile/untyped-report": no_content_type(PDF_BYTES),
    "/hostile/untyped-article": no_content_type(ARTICLE_HTML),
    # The header says UTF-8; the bytes are windows-1251.
    "/hostile/lying-charset.html": fixed(200, CYRILLIC_ARTICLE.encode("cp1251"),
                                         {"Content-Type": "text/html; charset=utf-8"}),
    "/hostile/empty.html": fixed(200, b"", {"Content-Type": "text/html; charset=utf-8"}),
    "/hostile/blank.html": fixed(200, b" \n\t \n", {"Content-Type": "text/html"}),
    "/hostile/binary-noise.html": fixed(
        200, bytes(range(256)) * 8, {"Content-Type": "text/html; charset=utf-8"}),
    "/hostile/500.html": status(500),
    "/hostile/truncated.html": truncated,
}


class TestSiteServer(SiteServer):
    """The demo site plus BROKEN_ROUTES and HOSTILE_ROUTES."""

    __test__ = False  # not a test class, despite the name

    def __init__(self) -> None:
        super().__init__()
        for path, handler in {**BROKEN_ROUTES, **HOSTILE_ROUTES}.items():
            self.route(path, handler)


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a port that was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing-here.html"


# Settings that make a crawl of a local server fast: no politeness delay, short timeouts.
FAST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "2",
    "RETRY_TIMES": "1",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    returncode: int
    stderr: str
    items: list[dict] = field(default_factory=list)
    db_path: Path | None = None

    @property
    def pages(self) -> list[dict]:
        return [item for item in self.items if "body" in item]

    @property
    def failures(self) -> list[dict]:
        return [item for item in self.items if "stage" in item]

    def page(self, url: str) -> dict:
        matches = [p for p in self.pages if url in (p["url"], p["final_url"])]
        assert matches, f"no page for {url}; pages: {[p['url'] for p in self.pages]}"
        return matches[0]

    def failure(self, url: str) -> dict:
        matches = [f for f in self.failures if f["url"] == url]
        assert matches, f"no failure for {url}; failures: {self.failures}"
        return matches[0]


def run_crawl(
    spider: str,
    server: SiteServer,
    tmp_path: Path,
    *args: str,
    pipelines: bool = False,
    settings: dict[str, str] | None = None,
    outlets_file: Path = DEMO_OUTLETS_FILE,
    timeout: float = 60,
) -> CrawlResult:
    """`scrapy crawl SPIDER` against the local server, in a subprocess; items via a pickle feed.

    Without `pipelines` the item pipelines are off and only the spider is exercised; with them the
    items go through extract/validate/dedupe/store into `tmp_path/crawl.db`.
    """
    items_file = tmp_path / "items.pickle"
    db_path = tmp_path / "crawl.db"
    all_settings = {
        **FAST_SETTINGS,
        "OUTLETS_FILE": str(outlets_file),
        "CLEANNEWS_OUTLETS_VARS": json.dumps({"port": str(server.port)}),
        "SQLITE_PATH": str(db_path),
        "FEEDS": json.dumps({str(items_file): {"format": "pickle", "overwrite": True}}),
        **(settings or {}),
    }
    if not pipelines:
        all_settings["ITEM_PIPELINES"] = "{}"
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for key, value in all_settings.items():
        command += ["-s", f"{key}={value}"]
    process = subprocess.run(
        command, env=scrapy_env(), cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=timeout, check=False,
    )
    items = []
    if items_file.exists():
        with items_file.open("rb") as stream:
            while True:
                try:
                    items.append(pickle.load(stream))
                except EOFError:
                    break
    return CrawlResult(
        returncode=process.returncode,
        stderr=process.stderr,
        items=items,
        db_path=db_path if db_path.exists() else None,
    )
