"""Scale-out: two crawler processes share one Redis frontier and one PostgreSQL store.

The end-to-end test generates a 1,000-page news site, serves it on 127.0.0.1, starts a private
redis-server and PostgreSQL cluster (support/services.py), runs two `scrapy crawl outlets` processes
at once, and checks from the server's request log and the database that every page was fetched
exactly once and stored exactly once. It skips, saying why, where the binaries are missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler
from support.services import (
    INSTALL_HINT,
    find_pg_bindir,
    find_redis_server,
    postgres_service,
    redis_service,
)

from crawler.demo import QuietHTTPServer
from crawler.scale import FrontierMembership, SharedStartRequestsMiddleware

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTICLE_COUNT = 1000
SITEMAP_SIZE = 250  # URLs per sitemap file, so the index lists four

# --- A generated news site -----------------------------------------------------------------------
# Stories are assembled from a few sentence templates; the slot values cycle at co-prime periods
# and each story carries its own number, so every page has distinct text (and body hash).

PLACES = ["Northbridge", "Kestrel Bay", "Alder Falls", "Port Linden", "Marrow Hill", "Eastmere",
          "Silverton", "Graystone"]
BODIES = ["the city council", "the regional water board", "the school district",
          "the harbour authority", "the transit agency", "the county health office",
          "the library trust"]
TOPICS = ["a new bus route", "repairs to the old bridge", "a longer library opening schedule",
          "a flood barrier along the river", "cheaper school meals",
          "a solar roof on the town hall",
          "more night trains", "a park on the former rail yard", "a cycling lane on Main Street",
          "a clinic for the northern districts", "a youth football pitch"]
PEOPLE = ["Maria Okafor", "Tomas Lindqvist", "Aiko Brenner", "Daniel Moreau", "Priya Raman",
          "Hugo Santos"]
ROLES = ["the committee chair", "a local shopkeeper", "an engineer on the project",
         "a parent of two pupils", "the finance officer"]

TEMPLATES = (
    "{body_cap} in {place} voted on Tuesday to approve {topic}, closing a debate that had run for "
    "{months} months. Officials said the plan, listed as item {number} on the agenda, would be "
    "paid for from savings and a grant, and that work could begin before the end of the year.",
    "Supporters argued that {topic} would help residents who have waited years for better "
    "services. \"People here have been patient for a long time,\" said {person}, {role}, who spoke "
    "at the meeting. \"This decision shows that they were heard.\"",
    "Critics questioned the cost, which the latest estimate puts at {cost} million, and asked "
    "whether {body} had compared other options. A review of the figures is due in {month}, and "
    "residents will be able to comment on the details at three public sessions.",
    "The vote in {place} follows similar decisions in neighbouring towns, where smaller schemes "
    "were completed on time. Local groups said they would watch the budget closely and publish "
    "their own report, number {number}, once the first phase is finished.",
)
MONTHS = ["January", "March", "May", "July", "September", "November"]


def story(number: int) -> tuple[str, list[str]]:
    """The headline and paragraphs of generated story `number` (>= 80 words, distinct text)."""
    slots = {
        "place": PLACES[number % len(PLACES)],
        "body": BODIES[number % len(BODIES)],
        "topic": TOPICS[number % len(TOPICS)],
        "person": PEOPLE[number % len(PEOPLE)],
        "role": ROLES[number % len(ROLES)],
        "month": MONTHS[number % len(MONTHS)],
        "months": 2 + number % 17,
        "cost": f"{1 + number % 23}.{number % 10}",
        "number": number,
    }
    slots["body_cap"] = slots["body"][0].upper() + slots["body"][1:]
    headline = f"{slots['place']} approves {slots['topic']} (report {number})"
    return headline, [template.format(**slots) for template in TEMPLATES]


def article_path(number: int) -> str:
    return f"/news/2026/11/story-{number:04d}.html"


def article_html(number: int) -> str:
    headline, paragraphs = story(number)
    day = 1 + number % 28
    body = "\n".join(f"      <p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{headline} | Valley Courier</title>
<meta name="description" content="{paragraphs[0][:120]}">
<link rel="canonical" href="{article_path(number)}"></head>
<body>
  <header><a href="/">Valley Courier</a>
    <nav><a href="/news/">News</a> <a href="/sport/">Sport</a> <a href="/about/">About</a></nav>
  </header>
  <main>
    <article>
      <h1>{headline}</h1>
      <p class="byline">By {PEOPLE[(number + 3) % len(PEOPLE)]}</p>
      <time datetime="2026-11-{day:02d}T09:00:00Z">November {day}, 2026</time>
{body}
    </article>
  </main>
  <footer><p>Valley Courier, 12 Mill Lane. Contact the newsroom at desk@example.org</p></footer>
</body></html>
"""


def sitemap_xml(kind: str, locs: list[str]) -> str:
    tag = "sitemap" if kind == "sitemapindex" else "url"
    entries = "\n".join(f"  <{tag}><loc>{loc}</loc></{tag}>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}\n</{kind}>\n'
    )


class GeneratedSite:
    """Serves the generated site on 127.0.0.1 (port 0) and counts every request path."""

    def __init__(
        self,
        article_count: int = ARTICLE_COUNT,
        delays: dict[str, float] | None = None,
    ) -> None:
        self.article_count = article_count
        # Seconds to wait before answering, by path prefix: a slow server, for timing tests.
        self.delays = delays or {}
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with site.lock:
                    site.requests[self.path] += 1
                for prefix, seconds in site.delays.items():
                    if self.path.startswith(prefix):
                        time.sleep(seconds)
                        break
                found = site.render(self.path)
                status, content_type, text = found or (404, "text/plain", "not found")
                payload = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def sitemap_paths(self) -> list[str]:
        count = -(-self.article_count // SITEMAP_SIZE)
        return [f"/sitemaps/news-{i + 1}.xml" for i in range(count)]

    def render(self, path: str) -> tuple[int, str, str] | None:
        """(status, content type, text) of a path, or None for a 404."""
        if path == "/robots.txt":
            return 200, "text/plain", f"User-agent: *\nAllow: /\nSitemap: {self.base}/sitemap.xml\n"
        if path == "/sitemap.xml":
            locs = [self.base + p for p in self.sitemap_paths]
            return 200, "application/xml", sitemap_xml("sitemapindex", locs)
        if path in self.sitemap_paths:
            first = self.sitemap_paths.index(path) * SITEMAP_SIZE
            numbers = range(first, min(first + SITEMAP_SIZE, self.article_count))
            locs = [self.base + article_path(n) for n in numbers]
            return 200, "application/xml", sitemap_xml("urlset", locs)
        if path.startswith("/news/2026/11/story-") and path.endswith(".html"):
            number = int(path.removeprefix("/news/2026/11/story-").removesuffix(".html"))
            if 0 <= number < self.article_count:
                return 200, "text/html; charset=utf-8", article_html(number)
        return None

    def __enter__(self) -> GeneratedSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> Iterator[str]:
    pytest.importorskip("scrapy_redis", reason="scrapy-redis not installed (pip install .[scale])")
    if find_redis_server() is None:
        pytest.skip(f"redis-server not installed; {INSTALL_HINT}")
    with redis_service() as service:
        yield service.url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install .[scale])")
    if find_pg_bindir() is None:
        pytest.skip(f"PostgreSQL (initdb, pg_ctl) not installed; {INSTALL_HINT}")
    with postgres_service() as service:
        yield service.url


@pytest.fixture
def redis_client(redis_url: str):
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def write_outlets_file(path: Path, base: str) -> Path:
    path.write_text(
        "[[outlet]]\n"
        'id = "valley-courier"\n'
        'name = "Valley Courier"\n'
        'domains = ["127.0.0.1"]\n'
        'language = "en"\n'
        f'sitemaps = ["{base}/sitemap.xml"]\n'
        'article_patterns = ["/news/\\\\d{4}/\\\\d{2}/"]\n',
        encoding="utf-8",
    )
    return path


def crawl_command(outlets_file: Path, log_file: Path, **overrides: str) -> list[str]:
    """`scrapy crawl outlets` tuned for a fast local run: no throttle, short idle close."""
    settings = {
        "OUTLETS_FILE": str(outlets_file),
        "CLEANNEWS_REDIS_JOB": "scale-test",
        "CLEANNEWS_REDIS_IDLE_CLOSE": "2",
        "CLEANNEWS_REDIS_HEARTBEAT": "0.5",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "DOWNLOAD_TIMEOUT": "20",
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(log_file),
        **overrides,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "outlets"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


# --- Tests ---------------------------------------------------------------------------------------


def test_generated_site_pages_are_long_and_distinct() -> None:
    texts = {" ".join(story(n)[1]) for n in range(ARTICLE_COUNT)}
    assert len(texts) == ARTICLE_COUNT
    assert min(len(text.split()) for text in texts) >= 80


def test_without_redis_url_scrapy_keeps_its_own_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    crawler = get_crawler(settings_dict={"ADDONS": {"crawler.scale.ScaleOutAddon": 0}})
    crawler._apply_settings()
    assert crawler.settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert crawler.settings["DUPEFILTER_CLASS"] == "scrapy.dupefilters.RFPDupeFilter"


def test_redis_url_from_environment_switches_to_the_shared_frontier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("scrapy_redis", reason="scrapy-redis not installed (pip install .[scale])")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1:1/db")
    crawler = get_crawler(
        settings_dict={
            "ADDONS": {"crawler.scale.ScaleOutAddon": 0},
            "REDIS_URL": "",
            "DATABASE_URL": "",
            "CLEANNEWS_REDIS_JOB": "nightly",
        }
    )
    crawler._apply_settings()
    settings = crawler.settings
    assert settings["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert settings["DATABASE_URL"] == "postgresql://u@127.0.0.1:1/db"
    assert settings["SCHEDULER"] == "crawler.scale.SharedFrontierScheduler"
    assert settings["DUPEFILTER_CLASS"] == "crawler.scale.SharedDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["SCHEDULER_QUEUE_KEY"] == "cleannews:%(spider)s:nightly:requests"
    middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    assert middlewares.get(SharedStartRequestsMiddleware) == 5


FRONTIER_KEYS = ["t:workers", "t:busy", "t:requests", "t:seen"]


def member(client, name: str, timeout: float = 30.0) -> FrontierMembership:
    return FrontierMembership(client, FRONTIER_KEYS, name, timeout)


def test_frontier_membership_start_join_and_finish(redis_client) -> None:
    redis_client.sadd("t:seen", "fingerprint-of-an-old-crawl")
    first, second = member(redis_client, "a"), member(redis_client, "b")
    assert first.join()  # nobody working, nothing queued: a new crawl, old fingerprints dropped
    assert not redis_client.exists("t:seen")
    redis_client.sadd("t:seen", "fp1")
    assert not second.join()  # joins the running crawl
    assert redis_client.exists("t:seen")
    second.heartbeat(busy=True)
    assert not first.heartbeat(busy=False)  # b is busy: not quiet
    assert second.heartbeat(busy=False)  # both idle, nothing queued: quiet
    assert first.heartbeat(busy=False)
    redis_client.zadd("t:requests", {"request": 0})
    assert not first.heartbeat(busy=False)  # work queued: not quiet
    redis_client.delete("t:requests")
    assert not first.leave()  # b is still there
    assert second.leave()  # last one out of a finished crawl clears it
    assert redis_client.keys("t:*") == []


def test_frontier_membership_keeps_an_interrupted_crawl_for_resuming(redis_client) -> None:
    worker = member(redis_client, "a")
    assert worker.join()
    redis_client.sadd("t:seen", "fp1", "fp2")
    redis_client.zadd("t:requests", {"pending request": 0})
    assert not worker.leave()  # stopped with work queued: keep it
    assert not member(redis_client, "b").join()  # resumes: fingerprints kept
    assert redis_client.scard("t:seen") == 2


def test_frontier_membership_ignores_workers_that_stopped_beating(redis_client) -> None:
    crashed = member(redis_client, "a", timeout=0.3)
    assert crashed.join()
    redis_client.sadd("t:seen", "fp1")
    crashed.heartbeat(busy=True)
    time.sleep(0.5)  # no heartbeat for longer than the timeout
    survivor = member(redis_client, "b", timeout=0.3)
    assert survivor.join()  # the crashed worker no longer counts: a new crawl
    assert survivor.heartbeat(busy=False)  # and its stale "busy" does not hold the others open


@pytest.mark.e2e
def test_two_processes_share_frontier_and_store(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    import psycopg
    import redis

    with GeneratedSite() as site:
        outlets_file = write_outlets_file(tmp_path / "outlets.toml", site.base)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        urls = {"REDIS_URL": redis_url, "DATABASE_URL": postgres_url}  # as -s NAME=value
        logs = [tmp_path / f"worker-{i}.log" for i in (1, 2)]
        started = time.monotonic()
        workers = [
            subprocess.Popen(
                crawl_command(outlets_file, log, **urls), cwd=PROJECT_ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        try:
            codes = [worker.wait(timeout=150) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
        elapsed = time.monotonic() - started
        requests = Counter(site.requests)

    tails = "\n".join(f"--- {log.name}\n" + log.read_text()[-3000:] for log in logs)
    assert codes == [0, 0], tails

    # Fetched exactly once across both processes (robots.txt is per process: each obeys it).
    articles = {article_path(n) for n in range(ARTICLE_COUNT)}
    discovery = {"/sitemap.xml", *site.sitemap_paths}
    assert {path: requests[path] for path in articles if requests[path] != 1} == {}
    assert {path: requests[path] for path in discovery if requests[path] != 1} == {}
    assert set(requests) - articles - discovery <= {"/robots.txt"}
    assert requests["/robots.txt"] <= 2

    # Stored exactly once, by both processes between them.
    with psycopg.connect(postgres_url) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT url) FROM articles"
        ).fetchone()
        failures = conn.execute("SELECT url, reason FROM failures").fetchall()
        per_crawl = conn.execute(
            "SELECT c.id, count(a.id) FROM crawls c LEFT JOIN articles a ON a.crawl_id = c.id "
            "GROUP BY c.id ORDER BY c.id"
        ).fetchall()
    assert (total, distinct) == (ARTICLE_COUNT, ARTICLE_COUNT)
    assert failures == []
    assert len(per_crawl) == 2
    assert all(stored > 0 for _, stored in per_crawl), per_crawl

    # The last process out cleared the finished job's keys: the next crawl starts afresh.
    assert redis.Redis.from_url(redis_url).keys("cleannews:*") == []
    print(f"two workers: {ARTICLE_COUNT} pages in {elapsed:.1f}s, stored per crawl {per_crawl}")


@pytest.mark.e2e
def test_idle_process_waits_while_another_is_still_discovering(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    """The second process finds nothing queued (the first is fetching a slow sitemap index):
    it must stay open, not finish with nothing, and then take its share of the pages."""
    import psycopg

    article_count = 200
    delays = {"/sitemap.xml": 3.0, "/news/": 0.1}
    with GeneratedSite(article_count, delays) as site:
        outlets_file = write_outlets_file(tmp_path / "outlets.toml", site.base)
        env = {  # this time the two URLs come from the environment
            **os.environ, "REDIS_URL": redis_url, "DATABASE_URL": postgres_url,
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        logs = [tmp_path / f"worker-{i}.log" for i in (1, 2)]
        slow = {"CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
        first = subprocess.Popen(
            crawl_command(outlets_file, logs[0], **slow), cwd=PROJECT_ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        workers = [first]
        try:
            deadline = time.monotonic() + 60
            while site.requests["/sitemap.xml"] == 0:  # the first process took the start request
                assert first.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.05)
            workers.append(
                subprocess.Popen(
                    crawl_command(outlets_file, logs[1], **slow), cwd=PROJECT_ROOT,
                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                )
            )
            codes = [worker.wait(timeout=120) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
        requests = Counter(site.requests)

    tails = "\n".join(f"--- {log.name}\n" + log.read_text()[-3000:] for log in logs)
    assert codes == [0, 0], tails
    assert requests["/sitemap.xml"] == 1
    pages = [requests[article_path(n)] for n in range(article_count)]
    assert pages == [1] * article_count
    with psycopg.connect(postgres_url) as conn:
        per_crawl = conn.execute(
            "SELECT c.id, count(a.id) FROM crawls c LEFT JOIN articles a ON a.crawl_id = c.id "
            "GROUP BY c.id ORDER BY c.id"
        ).fetchall()
    assert sum(stored for _, stored in per_crawl) == article_count
    assert len(per_crawl) == 2
    assert all(stored > 0 for _, stored in per_crawl), (per_crawl, tails)


# --- Leases: a request taken by a process that dies is fetched again ---------------------------


def leased_queue(client, worker: str):
    from scrapy import Spider

    from crawler.leases import LeasedPriorityQueue

    queue = LeasedPriorityQueue(client, Spider(name="t"), "t:requests")
    queue.lease_key = f"t:leases:{worker}"
    return queue


def test_a_popped_request_is_leased_until_acknowledged(redis_client) -> None:
    from scrapy import Request

    queue = leased_queue(redis_client, "a")
    queue.push(Request("http://example.com/1", priority=5))
    queue.push(Request("http://example.com/2"))
    first = queue.pop()
    assert first.url == "http://example.com/1"  # priority order kept
    assert len(queue) == 1
    assert queue.leased() == 1
    assert queue.ack([first.meta["cleannews_lease"]]) == 1
    second = queue.pop()
    assert queue.leased() == 1
    assert len(queue) == 0
    assert queue.return_leases() == 1  # a process stopped early gives back what it held
    assert queue.leased() == 0
    again = queue.pop()
    assert again.url == second.url


def test_leases_of_a_worker_whose_heartbeat_expired_are_reclaimed(redis_client) -> None:
    from scrapy import Request

    dying = member(redis_client, "a", timeout=0.3)
    survivor = member(redis_client, "b", timeout=0.3)
    dying.join()
    survivor.join()
    queue = leased_queue(redis_client, "a")
    for n in range(3):
        queue.push(Request(f"http://example.com/{n}", priority=n))
    taken = [queue.pop(), queue.pop()]
    dying.heartbeat(busy=True)
    assert not survivor.heartbeat(busy=False)  # a is busy, one request still queued
    assert survivor.reclaimed == 0
    time.sleep(0.5)  # a stops beating: it died holding two leases
    assert not survivor.heartbeat(busy=False)  # reclaimed: queued again, so not quiet
    assert (survivor.reclaimed, survivor.reclaimed_workers) == (2, 1)
    assert len(queue) == 3
    assert not redis_client.exists("t:leases:a")
    assert redis_client.zscore("t:workers", "a") is None
    urls = {queue.pop().url for _ in range(3)}
    assert urls == {f"http://example.com/{n}" for n in range(3)} >= {r.url for r in taken}


KILL_ARTICLE_COUNT = 2000


@pytest.mark.e2e
def test_a_crawler_killed_midway_loses_no_page(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    """Two crawlers, 2,000 pages, one SIGKILLed (with its extraction workers) midway: the other
    reclaims what the dead one held, and every page is stored exactly once in the same run."""
    import signal

    import psycopg

    with GeneratedSite(KILL_ARTICLE_COUNT, {"/news/": 0.01}) as site:
        outlets_file = write_outlets_file(tmp_path / "outlets.toml", site.base)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        settings = {"REDIS_URL": redis_url, "DATABASE_URL": postgres_url,
                    "CLEANNEWS_REDIS_WORKER_TIMEOUT": "3", "CLEANNEWS_EXTRACT_WORKERS": "1"}
        logs = [tmp_path / f"worker-{i}.log" for i in (1, 2)]
        workers = [
            subprocess.Popen(
                crawl_command(outlets_file, log, **settings), cwd=PROJECT_ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
            )
            for log in logs
        ]
        victim, survivor = workers
        try:
            deadline = time.monotonic() + 120
            while sum(n for path, n in site.requests.items() if path.startswith("/news/")) < 700:
                assert victim.poll() is None
                assert survivor.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.05)
            os.killpg(victim.pid, signal.SIGKILL)  # the process and its extraction worker
            victim.wait(timeout=10)
            code = survivor.wait(timeout=240)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGKILL)
        requests = Counter(site.requests)

    survivor_log = logs[1].read_text()
    assert code == 0, survivor_log[-3000:]
    with psycopg.connect(postgres_url) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        failures = conn.execute("SELECT url, reason FROM failures").fetchall()
        crawls = conn.execute(
            "SELECT c.id, c.finished_at IS NOT NULL, count(a.id) FROM crawls c "
            "LEFT JOIN articles a ON a.crawl_id = c.id GROUP BY c.id ORDER BY c.id").fetchall()
    if total != KILL_ARTICLE_COUNT:
        with psycopg.connect(postgres_url) as conn:
            stored = {url for (url,) in conn.execute("SELECT url FROM articles")}
        missing = [(p, requests[p]) for p in (article_path(n) for n in range(KILL_ARTICLE_COUNT))
                   if site.base + p not in stored]
        raise AssertionError(f"missing {missing[:10]}; crawls {crawls}")
    assert (total, distinct) == (KILL_ARTICLE_COUNT, KILL_ARTICLE_COUNT), crawls
    assert failures == []
    assert sorted(finished for _, finished, _ in crawls) == [False, True]  # one was killed
    refetched = [p for p in (article_path(n) for n in range(KILL_ARTICLE_COUNT))
                 if requests[p] > 1]
    assert all(requests[article_path(n)] >= 1 for n in range(KILL_ARTICLE_COUNT))
    reclaimed = [line for line in survivor_log.splitlines() if "reclaimed by this process" in line]
    assert reclaimed, survivor_log[-3000:]
    assert " 0 leased request" not in reclaimed[-1], reclaimed
    print(f"killed one of two crawlers: {len(refetched)} pages fetched twice; {reclaimed[-1]}")


def test_a_lease_whose_pop_reply_was_lost_is_queued_again(redis_client) -> None:
    from scrapy import Request

    from crawler.leases import _LEASE_SCRIPT

    queue = leased_queue(redis_client, "a")
    queue.push(Request("http://example.com/lost-reply"))
    queue.push(Request("http://example.com/received"))
    # The server ran a pop whose reply never reached the process (a timeout).
    redis_client.eval(_LEASE_SCRIPT, 2, queue.key, queue.lease_key)
    received = queue.pop()
    queue.pop_failed = True
    assert queue.return_orphans() == 1
    assert queue.leased() == 1  # the one this process holds stays leased
    assert queue.pop().url != received.url


@pytest.fixture
def redis_server():
    pytest.importorskip("scrapy_redis", reason="scrapy-redis not installed (pip install .[scale])")
    if find_redis_server() is None:
        pytest.skip(f"redis-server not installed; {INSTALL_HINT}")
    with redis_service() as service:
        yield service


def outage_crawl(tmp_path: Path, site: GeneratedSite, redis_url: str, db: Path, log: Path,
                 **overrides: str) -> subprocess.Popen:
    outlets_file = write_outlets_file(tmp_path / "outlets.toml", site.base)
    settings = {"REDIS_URL": redis_url, "SQLITE_PATH": str(db),
                "REDIS_PARAMS": json.dumps({"socket_timeout": 1, "socket_connect_timeout": 1}),
                "CLEANNEWS_EXTRACT_WORKERS": "1", **overrides}
    return subprocess.Popen(
        crawl_command(outlets_file, log, **settings), cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )


def pause_redis_midway(site: GeneratedSite, crawl: subprocess.Popen, redis_process,
                       seconds: float) -> None:
    """Freeze redis-server (SIGSTOP) for `seconds` once 150 pages were served."""
    import signal

    deadline = time.monotonic() + 120
    while sum(n for path, n in site.requests.items() if path.startswith("/news/")) < 150:
        assert crawl.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.05)
    redis_process.send_signal(signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        redis_process.send_signal(signal.SIGCONT)


def stored_urls(db: Path) -> Counter[str]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return Counter(url for (url,) in conn.execute("SELECT url FROM articles"))


@pytest.mark.e2e
def test_a_short_redis_outage_is_survived(tmp_path: Path, redis_server) -> None:
    count = 400
    with GeneratedSite(count, {"/news/": 0.02}) as site:
        db, log = tmp_path / "crawl.db", tmp_path / "crawl.log"
        crawl = outage_crawl(tmp_path, site, redis_server.url, db, log)
        try:
            pause_redis_midway(site, crawl, redis_server.process, 3.0)
            code = crawl.wait(timeout=180)
        finally:
            if crawl.poll() is None:
                crawl.kill()
    text = log.read_text()
    assert code == 0, text[-3000:]
    # It did meet the outage (a call that timed out, retried by redis-py or by the scheduler).
    noticed = ("Redis unavailable", "heartbeat failed", "Could not acknowledge")
    assert any(sign in text for sign in noticed), text[-3000:]
    stored = stored_urls(db)
    assert len(stored) == count
    assert set(stored.values()) == {1}


@pytest.mark.e2e
def test_a_long_redis_outage_stops_the_crawl_clearly_and_the_next_run_finishes(
    tmp_path: Path, redis_server
) -> None:
    count = 400
    with GeneratedSite(count, {"/news/": 0.02}) as site:
        db, log = tmp_path / "crawl.db", tmp_path / "crawl.log"
        crawl = outage_crawl(tmp_path, site, redis_server.url, db, log,
                             CLEANNEWS_REDIS_RETRY_SECONDS="2")
        try:
            pause_redis_midway(site, crawl, redis_server.process, 12.0)
            code = crawl.wait(timeout=180)
        finally:
            if crawl.poll() is None:
                crawl.kill()
        text = log.read_text()
        assert code == 1, text[-3000:]
        assert "Shared frontier unavailable" in text
        assert "'finish_reason': 'frontier_error'" in text
        # Nothing silently lost: the next run with the same job takes up what is left.
        log2 = tmp_path / "crawl-2.log"
        again = outage_crawl(tmp_path, site, redis_server.url, db, log2)
        code2 = again.wait(timeout=180)
    assert code2 == 0, log2.read_text()[-3000:]
    stored = stored_urls(db)
    assert len(stored) == count
    assert set(stored.values()) == {1}
