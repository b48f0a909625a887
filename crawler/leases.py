"""Leases on the shared Redis frontier: a request taken by a process is lent, not given away.

scrapy-redis pops a request destructively: a process that dies holds requests nobody will fetch.
Here a pop *leases* the request instead, in one atomic Redis script: the request leaves the
shared priority queue (the scrapy-redis sorted set) and lands in the process's own lease hash
(`<prefix>:leases:<worker id>`, lease id -> score and serialized request). The lease is
acknowledged (deleted) only when what the request led to is safe:

- a request whose response gave items (a page, a failure row): when the store has committed the
  batch that holds them (`crawler.signals.batch_committed` after each commit);
- anything else (a feed or sitemap whose links are queued, a request the spider dropped): when
  the process closes after a finished crawl, since the engine only finishes once every request
  it took has been handled and the store's last batch is committed.

A live process reclaims the leases of every process whose heartbeat has expired
(CLEANNEWS_REDIS_WORKER_TIMEOUT) in the same atomic script as its heartbeat, before it may count
the frontier as quiet: the requests go back into the queue with their priority, past the
duplicate filter, and are fetched again; the store keeps one row per URL, so a page committed
just before its process died is not stored twice. A process stopped early (storage error,
Ctrl-C) puts its own unacknowledged leases back into the queue when it closes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

try:  # scrapy-redis comes with the optional `scale` extra.
    from redis.exceptions import RedisError
    from scrapy_redis.queue import PriorityQueue
except ImportError:  # pragma: no cover - only without the extra
    PriorityQueue = object  # type: ignore[assignment,misc]
    RedisError = OSError  # type: ignore[assignment,misc]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# KEYS[1] queue (zset), KEYS[2] this worker's lease hash. Returns {lease id, request} or nil.
_LEASE_SCRIPT = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return nil end
redis.call('ZREM', KEYS[1], top[1])
local id = redis.sha1hex(top[1])
redis.call('HSET', KEYS[2], id, top[2] .. '\\n' .. top[1])
return {id, top[1]}
"""

# Put every lease of one hash back into the queue (with its score) and delete the hash.
# KEYS[1] queue, KEYS[2] lease hash. Returns the number of requests put back.
_RETURN_SCRIPT = """
local entries = redis.call('HGETALL', KEYS[2])
local count = 0
for i = 2, #entries, 2 do
  local value = entries[i]
  local cut = string.find(value, '\\n', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(value, 1, cut - 1)), string.sub(value, cut + 1))
  count = count + 1
end
redis.call('DEL', KEYS[2])
return count
"""

# Reclaim: every worker whose heartbeat is older than the timeout loses its leases to the queue
# and leaves the worker sets. KEYS[1] workers zset, KEYS[2] busy zset, KEYS[3] queue;
# ARGV[1] the calling worker (never reclaimed from itself); the timeout (s) and the lease-hash key
# prefix are substituted by the caller. Sets `reclaimed` and `dead`.
RECLAIM_SCRIPT_BODY = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV_TIMEOUT)))
local dead = {}
for _, worker in ipairs(expired) do
  if worker ~= ARGV[1] then table.insert(dead, worker) end
end
local reclaimed = 0
for _, worker in ipairs(dead) do
  local leases = ARGV_LEASE_PREFIX .. worker
  local entries = redis.call('HGETALL', leases)
  for i = 2, #entries, 2 do
    local value = entries[i]
    local cut = string.find(value, '\\n', 1, true)
    redis.call('ZADD', KEYS[3], tonumber(string.sub(value, 1, cut - 1)),
               string.sub(value, cut + 1))
    reclaimed = reclaimed + 1
  end
  redis.call('DEL', leases)
  redis.call('ZREM', KEYS[1], worker); redis.call('ZREM', KEYS[2], worker)
end
"""


def lease_id(data: bytes) -> str:
    """The id a lease of the serialized request `data` gets (Redis's sha1hex of it)."""
    return hashlib.sha1(data).hexdigest()  # noqa: S324 - an id, not a signature


# Put some leases of a hash back into the queue. KEYS[1] queue, KEYS[2] lease hash; ARGV ids.
_RETURN_SOME_SCRIPT = """
local count = 0
for _, id in ipairs(ARGV) do
  local value = redis.call('HGET', KEYS[2], id)
  if value then
    local cut = string.find(value, '\\n', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(value, 1, cut - 1)),
               string.sub(value, cut + 1))
    redis.call('HDEL', KEYS[2], id)
    count = count + 1
  end
end
return count
"""


class LeasedPriorityQueue(PriorityQueue):  # type: ignore[misc,valid-type]
    """scrapy-redis's priority queue whose pop leases the request to one worker.

    `lease_key` (the worker's lease hash) is set by the scheduler after construction; the lease
    id travels in `request.meta["cleannews_lease"]`. `issued` holds the leases this process
    received and has not acknowledged: a pop whose reply was lost (a Redis timeout after the
    server ran the script) leaves a lease nobody works on, an *orphan*, which
    `return_orphans` puts back.
    """

    lease_key: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issued: set[str] = set()
        self.pop_failed = False

    def pop(self, timeout: int = 0) -> Any:
        try:
            result = self.server.eval(_LEASE_SCRIPT, 2, self.key, self.lease_key)
        except RedisError:
            self.pop_failed = True
            raise
        if not result:
            return None
        identifier, data = result
        identifier = identifier.decode() if isinstance(identifier, bytes) else identifier
        request = self._decode_request(data)
        request.meta["cleannews_lease"] = identifier
        self.issued.add(identifier)
        return request

    def ack(self, identifiers: list[str]) -> int:
        """Acknowledge leases: the requests are done for good."""
        if not identifiers:
            return 0
        deleted = int(self.server.hdel(self.lease_key, *identifiers))
        self.issued.difference_update(identifiers)
        return deleted

    def return_orphans(self) -> int:
        """Queue again the leases of this worker that no pop of this process returned."""
        held = {key.decode() if isinstance(key, bytes) else key
                for key in self.server.hkeys(self.lease_key)}
        orphans = sorted(held - self.issued)
        if not orphans:
            self.pop_failed = False
            return 0
        returned = int(self.server.eval(_RETURN_SOME_SCRIPT, 2, self.key, self.lease_key,
                                        *orphans))
        self.pop_failed = False
        logger.warning("Shared frontier: %d lease(s) whose pop reply was lost are queued again",
                       returned)
        return returned

    def leased(self) -> int:
        return int(self.server.hlen(self.lease_key))

    def return_leases(self) -> int:
        """Put this worker's unacknowledged leases back into the queue; how many."""
        return int(self.server.eval(_RETURN_SCRIPT, 2, self.key, self.lease_key))

    def drop_leases(self) -> None:
        self.server.delete(self.lease_key)


def with_retries(
    action: Callable[[], T], what: str, budget: float, first_wait: float = 0.25
) -> T:
    """`action()`, retried with doubling waits while Redis fails, for `budget` seconds at most.

    Blocks the calling (reactor) thread while it waits: a frontier that cannot be read or written
    leaves nothing useful to do, and giving up early would lose the request. The last RedisError
    is raised once the budget is spent.
    """
    deadline = time.monotonic() + budget
    wait = first_wait
    attempt = 0
    while True:
        try:
            result = action()
        except RedisError as exc:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise
            logger.warning(
                "Redis unavailable (%s: %s); retry %d of %s in %.2fs",
                what, exc, attempt, what, min(wait, remaining),
            )
            time.sleep(min(wait, remaining))
            wait = min(wait * 2, 2.0)
            continue
        if attempt:
            logger.info("Redis reachable again after %d retries (%s)", attempt, what)
        return result


class LeaseLedger:
    """Which leases of this process may be acknowledged, and when (see the module)."""

    def __init__(self, queue: LeasedPriorityQueue) -> None:
        self.queue = queue
        self.awaiting_commit: list[str] = []
        # Committed, but Redis did not take the acknowledgement: tried again with the next one.
        self.ack_retry: list[str] = []

    @staticmethod
    def lease_of(response: Any) -> str | None:
        meta = getattr(response, "meta", None)
        if meta is None:  # an errback's item: `response` is the twisted Failure
            request = getattr(response, "request", None)
            meta = getattr(request, "meta", None) or {}
        try:
            return meta.get("cleannews_lease")
        except AttributeError:
            return None

    def item_done(self, item: Any, response: Any, spider: Any = None) -> None:
        """An item left the pipelines (written into the open batch): ack after the commit."""
        lease = self.lease_of(response)
        if lease is not None:
            self.awaiting_commit.append(lease)

    def committed(self) -> None:
        """The store committed a batch: every item done before now is in it."""
        leases = self.ack_retry + self.awaiting_commit
        self.awaiting_commit, self.ack_retry = [], []
        if not leases:
            return
        try:
            self.queue.ack(list(dict.fromkeys(leases)))
        except RedisError as exc:
            # Kept for the next commit; if the process dies first they are fetched again, and
            # stored once.
            self.ack_retry = leases
            logger.warning("Could not acknowledge %d lease(s): %s", len(leases), exc)
