"""Scale-out over several machines: one shared frontier in Redis, one shared store in PostgreSQL.

Switched on by settings (or the environment variables of the same names), never by code:

- `REDIS_URL` set: the scheduler and duplicate filter are scrapy-redis's, so every crawler process
  that runs the same spider with the same `REDIS_URL` and `CLEANNEWS_REDIS_JOB` pops requests from
  one shared priority queue and checks URLs against one shared set of request fingerprints. A URL
  is fetched by exactly one process.
- `DATABASE_URL=postgresql://...`: the store pipeline writes to PostgreSQL
  (`storage.postgres`), so those processes share one database. SQLite stays the default.

`ScaleOutAddon` (listed in `ADDONS`) turns the settings into Scrapy components. The pieces below
adapt scrapy-redis 0.9 (written for older Scrapy) to this project and to Scrapy >= 2.13; each
says why it exists.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from twisted.internet import task

from crawler.leases import RECLAIM_SCRIPT_BODY, LeaseLedger, with_retries
from crawler.signals import batch_committed

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

try:  # scrapy-redis and redis come with the optional `scale` extra.
    from redis.exceptions import RedisError
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.scheduler import Scheduler as RedisScheduler
except ImportError:  # pragma: no cover - only without the extra
    RFPDupeFilter = RedisScheduler = object  # type: ignore[assignment,misc]
    RedisError = OSError  # type: ignore[assignment,misc]

# Redis keys of one shared crawl ("job"), by spider name and job name.
KEY_PREFIX = "cleannews:%(spider)s:{job}"


def setting_or_env(settings: Settings, name: str) -> str:
    """A setting's value, or else the environment variable of the same name ("" when neither)."""
    return str(settings.get(name) or os.environ.get(name, "")).strip()


class ScaleOutAddon:
    """Scrapy add-on: shared Redis frontier when REDIS_URL is set; copies DATABASE_URL from the env.

    Priorities are the add-on's ("addon"), so `-s NAME=value` on the command line still wins;
    a value taken from the environment replaces the project's empty default ("project").
    """

    def update_settings(self, settings: Settings) -> None:
        database_url = setting_or_env(settings, "DATABASE_URL")
        if database_url and not settings.get("DATABASE_URL"):
            settings.set("DATABASE_URL", database_url, "project")
        redis_url = setting_or_env(settings, "REDIS_URL")
        if not redis_url:
            return
        if RedisScheduler is object:
            # Not NotConfigured: Scrapy would log it and crawl unshared, so every process would
            # fetch every page.
            raise RuntimeError(
                "REDIS_URL is set but scrapy-redis is not installed: pip install 'cleannews[scale]'"
            )
        job = settings.get("CLEANNEWS_REDIS_JOB") or "default"
        prefix = KEY_PREFIX.format(job=job)
        if not settings.get("REDIS_URL"):
            settings.set("REDIS_URL", redis_url, "project")
        settings.set("SCHEDULER", "crawler.scale.SharedFrontierScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "crawler.scale.SharedDupeFilter", "addon")
        # Keep queue and fingerprints when one process closes: the others still need them.
        # The last process of a finished job clears them (SharedFrontierScheduler.close).
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("SCHEDULER_QUEUE_KEY", prefix + ":requests", "addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", prefix + ":seen", "addon")
        # A pop leases the request to this process until its page is committed (crawler/leases.py).
        settings.set("SCHEDULER_QUEUE_CLASS", "crawler.leases.LeasedPriorityQueue", "addon")
        settings.set("CLEANNEWS_REDIS_KEY_PREFIX", prefix, "addon")
        settings.set_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", SharedStartRequestsMiddleware, 5
        )


class SharedStartRequestsMiddleware:
    """Lets the shared duplicate filter see start requests, so one process fetches each.

    Scrapy marks start requests `dont_filter=True` (a lone process may re-run them), which would
    make every process of a shared crawl fetch the same feeds and sitemaps.
    """

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item_or_request in start:
            if getattr(item_or_request, "dont_filter", False):
                item_or_request = item_or_request.replace(dont_filter=False)
            yield item_or_request


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis's Redis set of fingerprints, using the crawler's request fingerprinter.

    scrapy-redis 0.9 hashes its own JSON of method, URL and body; Scrapy >= 2.7 has one
    fingerprinter per crawler (REQUEST_FINGERPRINTER_CLASS) that every component should share.
    """

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Spider) -> SharedDupeFilter:
        dupefilter = super().from_spider(spider)
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request: Request) -> str:
        if self.fingerprinter is None:
            return super().request_fingerprint(request)
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Keep the shared fingerprints: other processes are still using them."""


# Redis-side scripts: atomic, and timed by the Redis server's clock so that machines with skewed
# clocks agree. KEYS = workers zset, busy zset, queue, seen set; scores are Redis TIME seconds.
_REDIS_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1e6\n"
# ARGV[2] is the worker timeout, ARGV[3] the prefix of the workers' lease hashes.
_RECLAIM = RECLAIM_SCRIPT_BODY.replace("ARGV_TIMEOUT", "ARGV[2]").replace(
    "ARGV_LEASE_PREFIX", "ARGV[3]"
)

# Join: a new job starts (stale fingerprints dropped) when nobody is working and nothing is queued;
# otherwise this process joins the running job (or resumes an interrupted one).
_JOIN_SCRIPT = _REDIS_NOW + _RECLAIM + """
local live = redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[2]), '+inf')
local fresh = 0
if live == 0 and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('DEL', KEYS[4], KEYS[2]); fresh = 1
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return fresh
"""

# Heartbeat: record that this worker is alive (and whether busy); tell whether the shared
# frontier is quiet: nothing queued and no other live worker busy.
# Every script first reclaims the leases of workers whose heartbeat expired (crawler/leases.py),
# so requests a dead process held are queued again before anyone may call the frontier quiet.
# The heartbeat returns {quiet, requests reclaimed, workers reclaimed}.
_HEARTBEAT_SCRIPT = _REDIS_NOW + _RECLAIM + """
redis.call('ZADD', KEYS[1], now, ARGV[1])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], now, ARGV[1])
else redis.call('ZREM', KEYS[2], ARGV[1]) end
if redis.call('EXISTS', KEYS[3]) == 1 then return {0, reclaimed, #dead} end
local busy = redis.call('ZRANGEBYSCORE', KEYS[2], now - tonumber(ARGV[2]), '+inf')
for _, member in ipairs(busy) do
  if member ~= ARGV[1] then return {0, reclaimed, #dead} end
end
return {1, reclaimed, #dead}
"""

# Leave: the last live worker of a finished job (empty queue) clears the job's keys, so the next
# crawl with the same job name starts afresh. An interrupted job keeps its queue for resuming.
_LEAVE_SCRIPT = _REDIS_NOW + _RECLAIM + """
redis.call('ZREM', KEYS[1], ARGV[1]); redis.call('ZREM', KEYS[2], ARGV[1])
local live = redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[2]), '+inf')
if live == 0 and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[4]); return 1
end
return 0
"""


# KEYS[1] seen set, KEYS[2] queue; ARGV fingerprint, score, serialized request.
_ADD_IF_UNSEEN_SCRIPT = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""


class FrontierMembership:
    """One process's place in a shared frontier: join, heartbeat and leave, each one atomic script.

    `keys` are the Redis keys of the job: workers zset, busy zset, request queue, seen set.
    """

    def __init__(
        self, server: Any, keys: list[str], worker_id: str, worker_timeout: float = 30.0
    ) -> None:
        self.server = server
        self.keys = keys
        self.worker_id = worker_id
        self.worker_timeout = worker_timeout
        # Lease hashes sit beside the workers zset: `<prefix>:leases:<worker id>`.
        self.lease_prefix = keys[0].removesuffix(":workers") + ":leases:"
        self.lease_key = self.lease_prefix + worker_id
        # Requests and workers reclaimed from dead workers by this process's scripts.
        self.reclaimed = 0
        self.reclaimed_workers = 0

    def _eval(self, script: str, *args: object) -> Any:
        return self.server.eval(
            script, len(self.keys), *self.keys, self.worker_id, self.worker_timeout,
            self.lease_prefix, *args,
        )

    def _run(self, script: str, *args: object) -> int:
        return int(self._eval(script, *args))

    def join(self) -> bool:
        """Register this worker; True when it starts a new crawl (old fingerprints dropped)."""
        return bool(self._run(_JOIN_SCRIPT))

    def heartbeat(self, busy: bool) -> bool:
        """Say this worker is alive (and busy or not); True when the frontier is quiet.

        Reclaims the leases of workers whose heartbeat expired first (counted in `reclaimed`).
        """
        quiet, requests, workers = self._eval(_HEARTBEAT_SCRIPT, "1" if busy else "0")
        if requests or workers:
            self.reclaimed += int(requests)
            self.reclaimed_workers += int(workers)
            logger.warning(
                "Shared frontier: reclaimed %d leased request(s) of %d worker(s) whose "
                "heartbeat expired; they are queued again", requests, workers,
            )
        return bool(quiet)

    def leave(self) -> bool:
        """Unregister; True when this was the last worker of a finished job (keys cleared)."""
        return bool(self._run(_LEAVE_SCRIPT))


class SharedFrontierScheduler(RedisScheduler):
    """scrapy-redis's scheduler plus a clean end for a crawl shared by several processes.

    A lone Scrapy process closes when its scheduler is empty; with a shared queue that would end a
    process while another one is still fetching pages whose links will refill the queue. So each
    process publishes a heartbeat (alive, busy or not) in Redis and, when idle, stays open until
    the frontier has been quiet -- nothing queued, no other process busy -- for
    CLEANNEWS_REDIS_IDLE_CLOSE seconds; the heartbeat also wakes the engine, so an idle process
    picks up work queued by others within a heartbeat. A process that dies stops counting after
    CLEANNEWS_REDIS_WORKER_TIMEOUT seconds without a heartbeat.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontierScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        settings = crawler.settings
        scheduler.idle_close_seconds = settings.getfloat("CLEANNEWS_REDIS_IDLE_CLOSE")
        scheduler.heartbeat_seconds = settings.getfloat("CLEANNEWS_REDIS_HEARTBEAT")
        scheduler.worker_timeout = settings.getfloat("CLEANNEWS_REDIS_WORKER_TIMEOUT")
        scheduler.key_prefix = settings.get("CLEANNEWS_REDIS_KEY_PREFIX") or KEY_PREFIX.format(
            job="default"
        )
        scheduler.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        scheduler.redis_retry_seconds = settings.getfloat("CLEANNEWS_REDIS_RETRY_SECONDS")
        scheduler.quiet_beats = 0
        scheduler.heartbeat_loop = None
        scheduler.ledger = None
        scheduler.frontier_failed = False
        crawler.signals.connect(scheduler.on_spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(scheduler.on_item_done, signal=signals.item_scraped)
        crawler.signals.connect(scheduler.on_batch_committed, signal=batch_committed)
        return scheduler

    def on_item_done(self, item: Any, response: Any, spider: Any = None) -> None:
        if self.ledger is not None:
            self.ledger.item_done(item, response)

    def on_batch_committed(self) -> None:
        if self.ledger is not None:
            self.ledger.committed()

    def redis(self, action: Any, what: str) -> Any:
        """`action()` against Redis, retried with backoff for CLEANNEWS_REDIS_RETRY_SECONDS."""
        return with_retries(action, what, self.redis_retry_seconds)

    def frontier_failure(self, what: str, exc: Exception, request: Request | None = None) -> None:
        """Redis stayed unreachable: say what was not done and stop the crawl (`frontier_error`)."""
        self.stats.inc_value("cleannews/frontier/errors")
        if request is not None:
            self.stats.inc_value("cleannews/frontier/not_queued")
            logger.error("Not queued (Redis unavailable): %s", request.url)
        if self.frontier_failed:
            return
        self.frontier_failed = True
        logger.error(
            "Shared frontier unavailable for %.0fs (%s: %s); stopping the crawl. Leased requests "
            "stay in Redis and are reclaimed by a live process or the next run.",
            self.redis_retry_seconds, what, exc,
        )
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="frontier_error"))

    def _keys(self, spider_name: str) -> list[str]:
        prefix = self.key_prefix % {"spider": spider_name}
        return [prefix + ":workers", prefix + ":busy", self.queue.key, self.df.key]

    def open(self, spider: Spider) -> None:
        # scrapy-redis's open() minus its `spider.log()` call, deprecated in Scrapy >= 2.13.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        self.membership = FrontierMembership(
            self.server, self._keys(spider.name), self.worker_id, self.worker_timeout
        )
        if hasattr(self.queue, "lease_key"):
            self.queue.lease_key = self.membership.lease_key
            self.ledger = LeaseLedger(self.queue)
        fresh = self.redis(self.membership.join, "joining the frontier")
        logger.info(
            "Shared frontier %s: %s as worker %s (%d requests queued)",
            self.queue.key,
            "starting a new crawl" if fresh else "joining a running crawl",
            self.worker_id,
            len(self.queue),
        )
        self.heartbeat_loop = task.LoopingCall(self.heartbeat)
        self.heartbeat_loop.start(self.heartbeat_seconds, now=False)

    # scrapy-redis's enqueue/dequeue without the `spider=` argument to stats calls, deprecated
    # in Scrapy >= 2.13 (a warning on every crawl).

    # Each Redis call is retried with backoff (CLEANNEWS_REDIS_RETRY_SECONDS) before the crawl
    # stops with `frontier_error`, naming any request it could not queue.

    def enqueue_request(self, request: Request) -> bool:
        if self.frontier_failed:
            self.frontier_failure("queueing a request", RuntimeError("frontier down"), request)
            return False
        try:
            if request.dont_filter:
                self.redis(lambda: self.queue.push(request), "queueing a request")
            elif not self.redis(lambda: self.add_if_unseen(request), "queueing a request"):
                self.df.log(request, self.spider)
                return False
        except RedisError as exc:
            self.frontier_failure("queueing a request", exc, request)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def add_if_unseen(self, request: Request) -> bool:
        """Record the fingerprint and queue the request in one atomic step; False if seen.

        scrapy-redis does the two in separate calls: a process killed between them leaves a
        fingerprint whose request was never queued, so the page is never fetched (a reclaimed
        sitemap found again would be filtered as seen).
        """
        return bool(self.server.eval(
            _ADD_IF_UNSEEN_SCRIPT, 2, self.df.key, self.queue.key,
            self.df.request_fingerprint(request), -request.priority,
            self.queue._encode_request(request),
        ))

    def next_request(self) -> Request | None:
        # Never a blocking pop (SCHEDULER_IDLE_BEFORE_CLOSE): it would stall Twisted's reactor;
        # the quiet-frontier rule above decides when to close instead.
        if self.frontier_failed:
            return None
        try:
            request = self.redis(lambda: self.queue.pop(0), "taking a request")
        except RedisError as exc:
            self.frontier_failure("taking a request", exc)
            return None
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.frontier_failed:
            return False
        try:
            return self.redis(lambda: len(self.queue) > 0, "reading the queue length")
        except RedisError as exc:
            self.frontier_failure("reading the queue length", exc)
            return False

    def heartbeat(self) -> None:
        """Publish alive/busy and count how long the shared frontier has been quiet."""
        try:
            busy = not self.crawler.engine.spider_is_idle()
        except (AttributeError, RuntimeError):  # engine not started or already closing
            busy = False
        try:
            quiet = self.membership.heartbeat(busy)
        except RedisError as exc:  # keep beating: a lost Redis must not stop the loop for good
            logger.warning("Shared frontier heartbeat failed: %s", exc)
            quiet = False
        self.stats.set_value("cleannews/frontier/reclaimed", self.membership.reclaimed)
        if getattr(self.queue, "pop_failed", False):
            try:
                self.queue.return_orphans()
            except RedisError as exc:
                logger.warning("Shared frontier: could not check for orphaned leases: %s", exc)
        self.quiet_beats = self.quiet_beats + 1 if quiet and not busy else 0
        self.wake_engine()

    def wake_engine(self) -> None:
        """Have the engine pull from the scheduler now.

        Scrapy polls its scheduler on its own only every 5 s (ExecutionEngine's slot heartbeat)
        unless it queued a request itself; a shared queue is refilled by other processes, so an
        idle process would sit up to 5 s beside queued work (and close up to 5 s late).
        """
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def on_spider_idle(self, spider: Spider) -> None:
        """Keep an idle process open until the frontier has been quiet long enough."""
        if self.quiet_beats * self.heartbeat_seconds < self.idle_close_seconds:
            raise DontCloseSpider

    def close(self, reason: str) -> None:
        if self.heartbeat_loop is not None and self.heartbeat_loop.running:
            self.heartbeat_loop.stop()
        try:
            self.settle_leases(reason)
            if self.redis(self.membership.leave, "leaving the frontier"):
                logger.info("Shared frontier %s: last worker out, job finished", self.queue.key)
        except RedisError as exc:
            logger.error(
                "Shared frontier unavailable at close (%s); this process's leased requests stay "
                "in Redis and are reclaimed when its heartbeat expires", exc,
            )
        logger.info(
            "Shared frontier: %d leased request(s) of %d dead worker(s) reclaimed by this process",
            self.membership.reclaimed, self.membership.reclaimed_workers,
        )
        self.stats.set_value("cleannews/frontier/reclaimed", self.membership.reclaimed)
        super().close(reason)

    def settle_leases(self, reason: str) -> None:
        """Drop this process's leases after a finished crawl, else queue them again."""
        if self.ledger is None:
            return
        if self.ledger.ack_retry:
            self.redis(self.ledger.committed, "acknowledging leases")
        if getattr(self.queue, "pop_failed", False):
            self.redis(self.queue.return_orphans, "returning orphaned leases")
        if reason == "finished" and not self.ledger.awaiting_commit:
            # Everything taken was handled and the last batch committed (the pipelines close
            # before the scheduler); what is left led to no item (feeds, sitemaps, skips).
            self.redis(self.queue.drop_leases, "dropping finished leases")
            return
        returned = self.redis(self.queue.return_leases, "returning leases")
        if returned:
            logger.warning(
                "Shared frontier: %d request(s) this process took but did not finish (%s) are "
                "queued again", returned, reason,
            )
            self.stats.set_value("cleannews/frontier/returned", returned)
