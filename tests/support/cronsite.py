"""A generated news site for the cron-safety tests; `scrapy crawl` as a process to watch or kill.

`GeneratedSite` adds to a `SiteServer` an RSS feed at /gen/feed.rss listing `count` stories at
/gen/story-N.html. Each story answers with an ETag and a Last-Modified date, honours
If-None-Match / If-Modified-Since with 304, and can be rewritten (`site.revise(n)`) to test updates.
`delay` slows every story down so a crawl can be killed in the middle.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from crawler.demo import PROJECT_ROOT, SiteServer, scrapy_env, send

WORDS = (
    "harbour council ferry valley market bridge school library river station museum garden "
    "tram budget winter summer harvest festival hospital road"
).split()


def story_text(number: int, version: int) -> str:
    """About 150 words of sentences unique to the story and its version."""
    sentences = []
    for i in range(12):
        a, b, c = (WORDS[(number * 7 + i * k + version) % len(WORDS)] for k in (1, 3, 5))
        sentences.append(
            f"Story {number} version {version} reports that the {a} near the {b} will open a "
            f"new {c} hall in week {i + 1}."
        )
    return " ".join(sentences)


class GeneratedSite:
    """`count` generated stories and their feed, served from `server` under /gen/."""

    def __init__(self, server: SiteServer, count: int, *, delay: float = 0.0,
                 published: datetime | None = None,
                 gate: threading.Event | None = None) -> None:
        self.server = server
        self.count = count
        self.delay = delay
        # Stories are answered only once the gate is open (at most 60 s): a crawl that stays
        # busy until the test lets it go, however slowly the machine runs.
        self.gate = gate
        self.published = published or datetime.now(UTC) - timedelta(hours=1)
        self.listed = count  # how many stories the feed lists (the first `listed`)
        self.versions: dict[int, int] = {}
        self.hits: Counter[str] = Counter()
        self.conditional_hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        server.route("/gen/feed.rss", self.feed)
        for number in range(count):
            server.route(f"/gen/story-{number}.html", self.story)

    def url(self, number: int) -> str:
        return self.server.url(f"/gen/story-{number}.html")

    def revise(self, number: int) -> None:
        """Change a story's text (and so its ETag and Last-Modified)."""
        with self._lock:
            self.versions[number] = self.versions.get(number, 0) + 1

    def feed(self, request: BaseHTTPRequestHandler) -> None:
        base = f"http://{request.headers['Host']}"
        items = "".join(
            f"<item><title>Story {n}</title><link>{base}/gen/story-{n}.html</link></item>"
            for n in range(self.listed)
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Gen</title>{items}' \
               "</channel></rss>"
        send(request, 200, body.encode(), {"Content-Type": "application/rss+xml"})

    def story(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        number = int(path.rsplit("-", 1)[1].removesuffix(".html"))
        with self._lock:
            self.hits[path] += 1
            version = self.versions.get(number, 0)
        if self.gate is not None:
            self.gate.wait(timeout=60)
        if self.delay:
            time.sleep(self.delay)
        etag = f'"{number}-{version}"'
        modified = format_datetime(self.published + timedelta(minutes=version), usegmt=True)
        if request.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in request.headers
            and request.headers.get("If-Modified-Since") == modified
        ):
            with self._lock:
                self.conditional_hits[path] += 1
            request.send_response(304)
            request.send_header("ETag", etag)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        title = f"Generated story number {number}"
        html = (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='article:published_time' content='{self.published.isoformat()}'>"
            f"</head><body><header><nav><a href='/gen/'>Home</a></nav></header><article>"
            f"<h1>{title}</h1><p>{story_text(number, version)}</p>"
            f"<p>{story_text(number + 1000, version)}</p></article>"
            "<footer>Generated site</footer></body></html>"
        )
        send(request, 200, html.encode(), {
            "Content-Type": "text/html; charset=utf-8", "ETag": etag, "Last-Modified": modified,
        })


def write_outlets(tmp_path: Path, server: SiteServer) -> Path:
    """An outlets file with one outlet: the generated site's feed."""
    path = tmp_path / "outlets-gen.toml"
    path.write_text(
        "[[outlet]]\n"
        'id = "generated"\nname = "Generated News"\ndomains = ["127.0.0.1"]\n'
        f'feeds = ["{server.url("/gen/feed.rss")}"]\n'
        "article_patterns = ['/gen/story-\\d+\\.html$']\n",
        encoding="utf-8",
    )
    return path


FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "5",
    "RETRY_TIMES": "1",
    "ROBOTSTXT_OBEY": "False",
    "LOG_LEVEL": "INFO",
    "CLEANNEWS_EXTRACT_WORKERS": "0",
}


def crawl_command(db_path: Path, outlets_file: Path, *args: str,
                  settings: dict[str, str] | None = None, spider: str = "outlets") -> list[str]:
    """`python -m scrapy crawl SPIDER` into `db_path`, fast settings, extra `-s` settings."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    all_settings = {**FAST, "OUTLETS_FILE": str(outlets_file), "SQLITE_PATH": str(db_path),
                    **(settings or {})}
    for key, value in all_settings.items():
        command += ["-s", f"{key}={value}"]
    return command


def start_crawl(command: list[str], log_path: Path, **popen: object) -> subprocess.Popen:
    """The crawl as a background process, its log (stderr) written to `log_path`."""
    log = log_path.open("w", encoding="utf-8")
    return subprocess.Popen(command, env=scrapy_env(), cwd=PROJECT_ROOT, stdout=log,
                            stderr=subprocess.STDOUT, **popen)  # type: ignore[arg-type]


def run(command: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The crawl in the foreground; its output captured."""
    return subprocess.run(command, env=scrapy_env(), cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False)


def count_rows(db_path: Path, table: str) -> int:
    """Rows of a table as another reader sees them (0 if the file or table is not there yet)."""
    if not db_path.exists():
        return 0
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def wait_for(condition, timeout: float = 30, interval: float = 0.05) -> bool:
    """Poll `condition()` until it is true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def settings_json(value: object) -> str:
    return json.dumps(value)
