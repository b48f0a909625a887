"""`python -m crawler.demo`: crawl the bundled demo site end to end, with no internet.

Serves `fixtures/site/` on 127.0.0.1 (a free port) in a thread, runs a real `scrapy crawl outlets`
subprocess with `fixtures/outlets-demo.toml` (its `{port}` placeholders filled through
`CLEANNEWS_OUTLETS_VARS`), then prints what the SQLite file holds: articles and failures.

The site has two outlets told apart by host name, as real outlets are: the Harbour Herald on
`127.0.0.1` and the Valley Courier on `localhost`.

`SiteServer` is also what the tests serve the site with (tests/support/siteserver.py adds
misbehaving endpoints). Its conventions, so fixture files stay plain files:
- `{{base}}` in a text file is replaced by `http://<Host header>`, so links work on any port;
- `X.gz` is served gzipped from the file `X` when `X.gz` itself does not exist;
- `_headers.toml` sets a status or headers for a path (a 500 page, a page without charset ...).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shlex
import sqlite3
import subprocess
import sys
import threading
import tomllib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SITE_DIR = PROJECT_ROOT / "fixtures" / "site"
DEMO_OUTLETS_FILE = PROJECT_ROOT / "fixtures" / "outlets-demo.toml"

# Content types by file suffix; HTML says its charset (pages that must not are set in _headers).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
}
TEMPLATED_SUFFIXES = {".html", ".xml", ".rss", ".atom", ".txt"}

# A route handler writes the whole response itself (status, headers, body) through the handler.
RouteHandler = Callable[[BaseHTTPRequestHandler], None]


class QuietHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print a traceback when a client hangs up early."""

    daemon_threads = True
    # socketserver listens with a backlog of 5: a crawl opening more connections at once than
    # that has SYNs dropped and retried a second later, which a short DOWNLOAD_TIMEOUT reports as
    # a timeout. The kernel caps this at net.core.somaxconn.
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            super().handle_error(request, client_address)


class SiteServer:
    """A threaded HTTP server on 127.0.0.1, port 0, serving a fixture site plus programmable routes.

    Use as a context manager or call `start()`/`stop()`. `requests` logs every (host, path) served,
    so a test can assert that something was, or was never, fetched.
    """

    def __init__(self, root: Path = SITE_DIR) -> None:
        self.root = root
        self.routes: dict[str, RouteHandler] = {}
        self.requests: list[tuple[str, str]] = []
        self.overrides = self._read_overrides(root / "_headers.toml")
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def _read_overrides(path: Path) -> dict[str, dict]:
        if not path.exists():
            return {}
        return tomllib.loads(path.read_text(encoding="utf-8"))

    def route(self, path: str, handler: RouteHandler) -> None:
        """Serve `path` (query string ignored) with `handler` instead of a file."""
        self.routes[path] = handler

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    def base(self, host: str = "127.0.0.1") -> str:
        """`http://host:port` of the running server (`localhost` reaches the second demo outlet)."""
        return f"http://{host}:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return self.base(host) + path

    def paths_requested(self) -> list[str]:
        return [path for _, path in self.requests]

    def start(self) -> SiteServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.handle(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # keep test and demo output quiet; `requests` is the log

        self._httpd = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- Serving --------------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        """Dispatch one GET: a programmable route, else a file of the site (with overrides)."""
        path = urlsplit(request.path).path
        host = request.headers.get("Host", f"127.0.0.1:{self.port}")
        self.requests.append((host.split(":")[0], request.path))
        if path in self.routes:
            self.routes[path](request)
            return
        base = f"http://{host}".encode()
        override = self.overrides.get(path, {})
        status = int(override.get("status", 200))
        headers = {
            k: v.replace("{{base}}", base.decode())
            for k, v in override.get("headers", {}).items()
        }
        body = self.file_body(path, base)
        if body is None:
            if not override:
                send(request, 404, b"<html><body><h1>Not found</h1></body></html>",
                     {"Content-Type": "text/html; charset=utf-8"})
                return
            body = f"<html><body><h1>{status}</h1></body></html>".encode()
        headers.setdefault("Content-Type", self.content_type(path))
        send(request, status, body, headers)

    def file_for(self, path: str) -> Path | None:
        """The file serving a URL path (directories serve index.html); None outside the root."""
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root.resolve()):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def file_body(self, path: str, base: bytes) -> bytes | None:
        file = self.file_for(path)
        gzip_it = False
        if file is None and path.endswith(".gz"):
            file = self.file_for(path.removesuffix(".gz"))
            gzip_it = True
        if file is None or file.name.startswith("_"):
            return None
        body = file.read_bytes()
        if file.suffix in TEMPLATED_SUFFIXES:
            body = body.replace(b"{{base}}", base)
        return gzip.compress(body, mtime=0) if gzip_it else body

    @staticmethod
    def content_type(path: str) -> str:
        suffix = "." + path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ".html"
        return CONTENT_TYPES.get(suffix, "application/octet-stream")


def send(
    request: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    """Write a complete response with a Content-Length."""
    request.send_response(status)
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


# --- The demo command ---------------------------------------------------------------------------


def crawl_command(port: int, db_path: Path, outlets_file: Path = DEMO_OUTLETS_FILE) -> list[str]:
    """The `scrapy crawl outlets` command line for the demo site on `port`, fast and local."""
    return [
        sys.executable, "-m", "scrapy", "crawl", "outlets",
        "-s", f"OUTLETS_FILE={outlets_file}",
        "-s", "CLEANNEWS_OUTLETS_VARS=" + json.dumps({"port": str(port)}),
        "-s", f"SQLITE_PATH={db_path}",
        # The demo site is on 127.0.0.1, an address a crawl refuses unless told otherwise.
        "-s", "CLEANNEWS_ALLOW_PRIVATE_ADDRESSES=true",
        "-a", "depth=1",
        # A local server needs no politeness delay; keep the demo quick.
        "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0",
        "-s", "DOWNLOAD_TIMEOUT=10",
        "-s", "RETRY_TIMES=1",
        "-s", "LOG_LEVEL=WARNING",
    ]


def scrapy_env() -> dict[str, str]:
    """The environment for a scrapy subprocess: project settings found from any directory."""
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    return env


def first_words(text: str | None, count: int = 12) -> str:
    words = (text or "").split()
    return " ".join(words[:count]) + (" ..." if len(words) > count else "")


def print_database(db_path: Path) -> None:
    """Print the stored articles and failures, read with the standard library's sqlite3."""
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    tables = {row[0] for row in connection.execute("select name from sqlite_master")}
    if "articles" in tables:
        rows = connection.execute(
            "select * from articles order by outlet_id, published, url"
        ).fetchall()
        print(f"\n{len(rows)} articles")
        for row in rows:
            keys = row.keys()
            print(f"- [{row['outlet_id']}] {row['title']}")
            print(f"  published {row['published'] if 'published' in keys else None}, "
                  f"{row['word_count'] if 'word_count' in keys else '?'} words, {row['url']}")
            print(f"  {first_words(row['body'])}")
    if "failures" in tables:
        rows = connection.execute("select * from failures order by url").fetchall()
        print(f"\n{len(rows)} failures")
        for row in rows:
            print(f"- {row['reason']:<20} {row['stage']:<9} {row['url']}")
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", type=Path, default=Path("data/demo.db"),
                        help="SQLite file to write (default: data/demo.db; replaced)")
    args = parser.parse_args(argv)
    db_path: Path = args.db.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with SiteServer() as server:
        print(f"Serving {SITE_DIR} at {server.base()} (Harbour Herald) "
              f"and {server.base('localhost')} (Valley Courier)")
        command = crawl_command(server.port, db_path)
        print("Running: scrapy", shlex.join(command[3:]))
        result = subprocess.run(command, env=scrapy_env(), cwd=PROJECT_ROOT, check=False)
        print(f"\nscrapy exited with {result.returncode}; "
              f"the server answered {len(server.requests)} requests")
    if not db_path.exists():
        print(f"No database at {db_path}: are the storage pipelines enabled?", file=sys.stderr)
        return 1
    print_database(db_path)
    print(f"\nDatabase: {db_path}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
