"""A pool of worker processes that run `cleaners.extract_article` off Scrapy's reactor thread.

Extraction costs 15-30 ms of CPU a page; on the reactor thread it would stall every download and
use one core. `ExtractionPool` keeps one job per worker process and knows which page each worker
holds, so a worker that dies (a segfault in a C parser, the OOM killer, `os._exit`) or runs past
the per-page timeout costs exactly that page: it is killed, the page gets an outcome that the
extract pipeline turns into a `failures` row, and a fresh worker takes its place. Nothing else in
flight is lost or retried, and the crawl never hangs on a worker.

Jobs wait in a queue until a worker is free; `max_pending` bounds jobs queued or running, and a
caller beyond it waits (`await pool.extract(job)`), which holds the item in Scrapy's scraper slot
and so, through Scrapy's own back-out, pauses downloading: memory stays bounded.

The pool runs on the asyncio event loop (Scrapy's `AsyncioSelectorReactor`): each worker's
socket is watched with `loop.add_reader` (end of file there means the worker died), timeouts are
`loop.call_later` timers. Workers are fresh interpreters (`python -c`, talking
`multiprocessing.connection` over a socket pair), neither forked nor `multiprocessing`-spawned:
forking the threaded crawl process can deadlock the child, and `spawn` re-runs the parent's main
script, which in a plain `CrawlerProcess` script without a `__main__` guard starts another crawl.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import pickle
import pkgutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from queue import SimpleQueue
from typing import Any

import cleaners
from cleaners.article import Article
from cleaners.errors import ExtractionError
from cleaners.profile import BoilerplateProfile, PageBlock
from cleaners.rules import OutletRules
from pipelines.bounds import MEMORY_LIMIT, limit_address_space

logger = logging.getLogger(__name__)

# Outcome reasons the pool itself adds to the cleaners' vocabulary (cleaners.errors).
EXTRACTION_BUG = "extraction_error"  # the cleaners raised something outside their contract
EXTRACT_TIMEOUT = "extract_timeout"  # the page ran past the per-page timeout; its worker killed
WORKER_CRASH = "worker_crash"  # the worker process died while it held the page
POOL_CLOSED = "pool_closed"  # the crawl closed the pool while the page was still queued

# The message a worker sends once its imports are done and it can take pages.
_READY = "ready"
# Seconds a worker gets to exit after being asked to stop, before it is killed.
_STOP_GRACE_SECONDS = 5.0
# Workers in a row that may die while starting before the pool falls back to in-process work.
_MAX_START_FAILURES = 3
# Pages a worker holds at once: one it works on and one waiting in its socket, so it starts the
# next page at once instead of idling until the reactor, busy with downloads or an SQLite
# commit, gets round to sending one.
_PAGES_PER_WORKER = 2
# What a worker receives to stop, pickled once.
_STOP = bytes(ForkingPickler.dumps(None))
# Seconds a new worker may take to import the cleaners and say it is ready before it is killed
# (and counted as a failed start), so a worker stuck at start-up cannot hold pages forever.
_START_SECONDS = 120.0
# What a worker interpreter runs: argv[1] is its end of the socket pair, argv[2] its runner,
# argv[3] its garbage-collector thresholds ("" keeps Python's).
_WORKER_COMMAND = (
    "import sys; from pipelines.workers import serve; "
    "serve(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]))"
)
# The function a worker applies to each job unless told otherwise ("module:function").
DEFAULT_RUNNER = "pipelines.workers:run_job"

Runner = Callable[["ExtractionJob"], "ExtractionOutcome"]


def load_runner(name: str | None) -> Runner:
    """The job function named `module:function` (or `module.function`); `run_job` if empty."""
    return pkgutil.resolve_name(name or DEFAULT_RUNNER)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(slots=True)
class ExtractionJob:
    """One page for `extract_article`: what a worker receives (pickled, so plain data only).

    `rules` may be an `OutletRules` or a subclass carrying more fields; `options` holds further
    keyword arguments of `extract_article` (a learned `profile`, `collect_blocks` ...).
    """

    body: bytes
    url: str | None
    rules: OutletRules | None = None
    encoding: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ExtractionOutcome:
    """An `Article`, or why there is none: a `reason` code and a human `detail`.

    `reason` is an `ExtractionError.reason` of the cleaners, or one of EXTRACTION_BUG,
    EXTRACT_TIMEOUT, WORKER_CRASH, POOL_CLOSED; `trace` is the traceback of an EXTRACTION_BUG.
    """

    article: Article | None = None
    reason: str | None = None
    detail: str = ""
    trace: str = ""
    # True while the article's blocks travel as plain tuples (see pack_blocks).
    packed_blocks: bool = False

    @property
    def ok(self) -> bool:
        return self.article is not None


def pack_blocks(outcome: ExtractionOutcome) -> ExtractionOutcome:
    """The outcome with its article's `PageBlock`s as plain tuples, cheap to pickle and unpickle.

    A page has ~200 blocks when learning is on; a named tuple pickles with a reference to its
    class and unpickles through a Python call each, plain tuples do neither.
    """
    article = outcome.article
    if article is not None and article.blocks and not outcome.packed_blocks:
        if all(type(block) is PageBlock for block in article.blocks):
            article.blocks = list(map(tuple, article.blocks))
            outcome.packed_blocks = True
    return outcome


def unpack_blocks(outcome: ExtractionOutcome) -> ExtractionOutcome:
    """The outcome with its article's blocks as `PageBlock`s again."""
    if outcome.packed_blocks and outcome.article is not None:
        outcome.article.blocks = list(map(PageBlock._make, outcome.article.blocks))
        outcome.packed_blocks = False
    return outcome


# An outlet's learned profile goes with each of its pages, and stays the same for many pages
# (it is relearned as the outlet grows by a twentieth). Pickling and unpickling its hundreds of
# blocks for every page cost about 0.5 ms on each side, so a job carries it pickled once, under
# a token, and each worker unpickles a token once. Both ends keep the most recent profiles only.
_PROFILES_KEPT = 256
_pickled_profiles: dict[int, tuple[BoilerplateProfile, str, bytes]] = {}
_unpickled_profiles: dict[str, BoilerplateProfile] = {}
_profile_tokens = itertools.count()


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _PROFILES_KEPT:
        del cache[next(iter(cache))]  # the oldest
    cache[key] = value


def _reduce_profile(profile: BoilerplateProfile) -> tuple[Callable[..., Any], tuple[str, bytes]]:
    """How a job's profile is pickled: its token and its blocks, pickled the first time only."""
    entry = _pickled_profiles.get(id(profile))
    if entry is None or entry[0] is not profile:
        token = f"{os.getpid()}-{next(_profile_tokens)}"
        entry = (profile, token, pickle.dumps(profile, protocol=pickle.HIGHEST_PROTOCOL))
        _remember(_pickled_profiles, id(profile), entry)
    return _restore_profile, (entry[1], entry[2])


def _restore_profile(token: str, data: bytes) -> BoilerplateProfile:
    """A pickled profile, unpickled once per worker and token."""
    profile = _unpickled_profiles.get(token)
    if profile is None:
        profile = pickle.loads(data)
        _remember(_unpickled_profiles, token, profile)
    return profile


ForkingPickler.register(BoilerplateProfile, _reduce_profile)


def run_job(job: ExtractionJob) -> ExtractionOutcome:
    """Extract one page in this process; every exception becomes an outcome, none escapes."""
    try:
        article = cleaners.extract_article(
            job.body, url=job.url, outlet=job.rules, encoding=job.encoding, **job.options
        )
    except ExtractionError as exc:
        return ExtractionOutcome(reason=exc.reason, detail=exc.detail)
    except MemoryError:  # over the worker's address-space limit (pipelines/bounds.py)
        return ExtractionOutcome(
            reason=MEMORY_LIMIT,
            detail=f"cleaning the page ({len(job.body)} bytes) ran out of the worker's memory "
            "limit (CLEANNEWS_EXTRACT_WORKER_MEMORY_MB); worker replaced",
        )
    except Exception as exc:  # a cleaner bug: recorded, never the end of the crawl
        return ExtractionOutcome(
            reason=EXTRACTION_BUG, detail=repr(exc), trace=traceback.format_exc()
        )
    return ExtractionOutcome(article=article)


def serve(
    fd: int, runner: str = DEFAULT_RUNNER, gc_thresholds: str = "", memory_mb: int = 0
) -> None:
    """A worker interpreter's entry point: serve jobs on the inherited socket `fd`.

    `gc_thresholds` ("gen0,gen1,gen2") are set once the imports are frozen (see worker_main):
    a page's parse allocates tens of thousands of containers, nearly none of them cyclic.
    """
    thresholds = tuple(int(part) for part in gc_thresholds.split(",") if part.strip())
    limit_address_space(memory_mb)
    worker_main(Connection(fd), load_runner(runner), thresholds or None)


def worker_main(
    conn: Connection, runner: Runner = run_job, gc_thresholds: tuple[int, ...] | None = None
) -> None:
    """A worker process: take jobs from the pipe, send outcomes back, until told to stop.

    SIGINT is ignored so Ctrl-C reaches only the crawl, which finishes its items gracefully and
    then stops the workers; a parent that dies closes the pipe and the worker exits on EOF.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cleaners.load_language_model()  # before the first page's time limit starts, not inside it
    # What the imports made lives as long as the worker: keep it out of the collector's full
    # passes, which would otherwise walk it again and again while pages are cleaned.
    gc.freeze()
    if gc_thresholds:
        gc.set_threshold(*gc_thresholds)
    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            outcome = runner(job)
        except Exception as exc:  # a runner outside run_job's guarantees
            outcome = ExtractionOutcome(
                reason=EXTRACTION_BUG, detail=repr(exc), trace=traceback.format_exc()
            )
        if not _send_outcome(conn, outcome):
            return
        if outcome.reason == MEMORY_LIMIT:
            return  # a heap that ran out may be left in any state: the parent starts a new worker


def _send_outcome(conn: Connection, outcome: ExtractionOutcome) -> bool:
    """Send a page's outcome to the parent; False when the worker should end (the pipe is
    gone, or memory ran out sending it: the parent then records a worker crash and starts a new
    worker). An Article that does not pickle is reported as a bug, and the worker goes on."""
    try:
        conn.send(pack_blocks(outcome))
    except (BrokenPipeError, OSError):
        return False
    except MemoryError:
        return False
    except Exception as exc:
        conn.send(ExtractionOutcome(reason=EXTRACTION_BUG, detail=f"result not sent: {exc!r}"))
    return True


def _send_jobs(conn: Connection, outbox: SimpleQueue[bytes | None]) -> None:
    """A sender thread: write pickled jobs to a worker in order, until None or a dead worker."""
    while True:
        data = outbox.get()
        if data is None:
            return
        try:
            conn.send_bytes(data)
        except OSError:
            return  # the worker is gone; the end of file on its socket reports it


def _worker_environment() -> dict[str, str]:
    """The environment of a worker: this one, with this interpreter's import path first."""
    paths = [path for path in sys.path if path and os.path.isdir(path)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


@dataclass(eq=False)
class _Worker:
    """One worker process, its socket, and the jobs it holds, in the order it works on them.

    The first held job is the one running: the deadline `timer` and `started` belong to it.
    """

    process: subprocess.Popen[bytes]
    conn: Connection
    ready: bool = False
    held: deque[tuple[ExtractionJob, asyncio.Future[ExtractionOutcome]]] = field(
        default_factory=deque
    )
    timer: asyncio.TimerHandle | None = None
    # Pickled jobs for the sender thread (None ends it); see ExtractionPool._spawn.
    outbox: SimpleQueue[bytes | None] = field(default_factory=SimpleQueue)
    sender: threading.Thread | None = None
    timed_out: bool = False
    retiring: bool = False
    started: float = 0.0
    pages: int = 0


@dataclass
class PoolStats:
    """Counters of a pool's life, for Scrapy's stats and the benchmark."""

    workers_started: int = 0
    pages: int = 0
    timeouts: int = 0
    crashes: int = 0
    peak_pending: int = 0
    peak_running: int = 0


class ExtractionPool:
    """`workers` processes running `run_job`, at most `max_pending` jobs queued or running.

    Use from coroutines on one asyncio loop: `start()`, then `await extract(job)` any number of
    times concurrently, then `close()`. `timeout` (seconds, 0 = none) is per page, from the
    moment a worker receives it. `max_pages_per_worker` (0 = no limit) replaces a worker after
    that many pages, should a cleaner ever leak memory. `runner` names the function applied to
    each job (`module:function`, importable in a fresh interpreter; default `run_job`).
    """

    def __init__(
        self,
        workers: int,
        *,
        timeout: float = 0,
        max_pending: int | None = None,
        max_pages_per_worker: int = 0,
        runner: str = DEFAULT_RUNNER,
        on_event: Callable[[str], None] | None = None,
        gc_thresholds: tuple[int, ...] | None = None,
        memory_limit_mb: int = 0,
    ) -> None:
        if workers < 1:
            raise ValueError("an extraction pool needs at least one worker")
        self.size = workers
        self.timeout = timeout
        self.max_pending = max(max_pending or 4 * workers, workers)
        self.max_pages_per_worker = max_pages_per_worker
        self.runner_name = runner or DEFAULT_RUNNER
        self.runner = load_runner(self.runner_name)  # fails here, not in every worker
        self.stats = PoolStats()
        self.gc_thresholds = ",".join(str(n) for n in gc_thresholds or ())
        self.memory_limit_mb = memory_limit_mb
        self._on_event = on_event
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[_Worker] = []
        self._queue: deque[tuple[ExtractionJob, asyncio.Future[ExtractionOutcome]]] = deque()
        self._slots: asyncio.Semaphore | None = None
        self._pending = 0
        self._closed = False
        # Workers that died before they were ready, in a row; at _MAX_START_FAILURES the pool
        # gives up on processes and extracts in this process, slowly but without hanging.
        self._start_failures = 0
        self.in_process = False

    # Lifecycle

    def start(self) -> None:
        """Start the workers (they import the cleaners in the background) on the running loop."""
        self._loop = asyncio.get_running_loop()
        self._slots = asyncio.Semaphore(self.max_pending)
        for _ in range(self.size):
            self._spawn()

    async def close(self) -> None:
        """Fail what is still queued, ask every worker to stop, kill those that do not."""
        self._closed = True
        while self._queue:
            _, future = self._queue.popleft()
            if not future.done():
                future.set_result(ExtractionOutcome(reason=POOL_CLOSED, detail="pool closed"))
        workers, self._workers = self._workers, []
        for worker in workers:
            self._forget(worker)
            for _, future in worker.held:
                if not future.done():
                    future.set_result(
                        ExtractionOutcome(reason=POOL_CLOSED, detail="pool closed mid-page")
                    )
            worker.outbox.put(_STOP)
            worker.outbox.put(None)
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        for worker in workers:
            while worker.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
            self._close_connection(worker)

    # Work

    @property
    def pending(self) -> int:
        """Jobs queued or running now."""
        return self._pending

    def worker_pids(self) -> list[int]:
        return [worker.process.pid for worker in self._workers]

    async def extract(self, job: ExtractionJob) -> ExtractionOutcome:
        """The outcome of `job` from a worker; waits first while `max_pending` jobs are out."""
        if self._loop is None or self._slots is None:
            raise RuntimeError("ExtractionPool.start() was not called")
        async with self._slots:
            if self._closed:
                return ExtractionOutcome(reason=POOL_CLOSED, detail="pool closed")
            self._pending += 1
            self.stats.peak_pending = max(self.stats.peak_pending, self._pending)
            try:
                future: asyncio.Future[ExtractionOutcome] = self._loop.create_future()
                self._queue.append((job, future))
                self._dispatch()
                return await future
            finally:
                self._pending -= 1

    # Workers

    def _spawn(self) -> None:
        assert self._loop is not None
        parent_end, child_end = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_COMMAND, str(child_end.fileno()), self.runner_name,
                 self.gc_thresholds, str(self.memory_limit_mb)],
                pass_fds=(child_end.fileno(),),
                stdin=subprocess.DEVNULL,
                env=_worker_environment(),
            )
        finally:
            child_end.close()
        worker = _Worker(process=process, conn=Connection(parent_end.detach()))
        # Jobs are written by a thread: a page bigger than the socket buffer blocks its writer
        # until the worker reads it, and a worker still sending the result of its previous page
        # reads nothing until the reactor has read that result. Written from the reactor thread,
        # the two would wait for each other for ever.
        worker.sender = threading.Thread(
            target=_send_jobs, args=(worker.conn, worker.outbox), name="cleannews-job-sender",
            daemon=True,
        )
        worker.sender.start()
        self._workers.append(worker)
        self.stats.workers_started += 1
        self._loop.add_reader(worker.conn.fileno(), self._on_message, worker)
        worker.timer = self._loop.call_later(_START_SECONDS, self._on_start_timeout, worker)

    def _on_start_timeout(self, worker: _Worker) -> None:
        worker.timer = None
        if not worker.ready:
            logger.warning("extraction worker not ready after %g s; killed", _START_SECONDS)
            worker.process.kill()

    def _forget(self, worker: _Worker) -> None:
        """Stop watching a worker's socket and cancel its timer."""
        assert self._loop is not None
        if not worker.conn.closed:
            self._loop.remove_reader(worker.conn.fileno())
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None

    def _dispatch(self) -> None:
        """Hand queued jobs to idle, ready workers (or run them here once workers cannot start)."""
        while self.in_process and self._queue:
            job, future = self._queue.popleft()
            if not future.done():
                future.set_result(self.runner(job))
        # Every free worker gets a page before any gets a second one.
        for depth in range(1, _PAGES_PER_WORKER + 1):
            for worker in list(self._workers):
                while (
                    self._queue and worker.ready and not worker.retiring
                    and len(worker.held) < depth and not self._page_limit_reached(worker)
                ):
                    self._send(worker, *self._queue.popleft())
        running = sum(1 for worker in self._workers if worker.held)
        self.stats.peak_running = max(self.stats.peak_running, running)

    def _page_limit_reached(self, worker: _Worker) -> bool:
        """Whether the worker has done or holds all the pages it may take."""
        limit = self.max_pages_per_worker
        return bool(limit) and worker.pages + len(worker.held) >= limit

    def _send(
        self, worker: _Worker, job: ExtractionJob, future: asyncio.Future[ExtractionOutcome]
    ) -> None:
        if future.done():  # its caller was cancelled
            return
        try:
            data = bytes(ForkingPickler.dumps(job))
        except Exception as exc:  # the job itself does not pickle
            future.set_result(
                ExtractionOutcome(reason=EXTRACTION_BUG, detail=f"job not sent: {exc!r}")
            )
            return
        worker.outbox.put(data)
        worker.held.append((job, future))
        if len(worker.held) == 1:
            self._start_clock(worker)

    def _start_clock(self, worker: _Worker) -> None:
        """The worker starts on its first held page now: time it."""
        worker.started = time.monotonic()
        if self.timeout > 0:
            assert self._loop is not None
            worker.timer = self._loop.call_later(self.timeout, self._on_timeout, worker)

    def _on_message(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            # The socket closed: the worker process is gone (or going).
            self._on_exit(worker)
            return
        if message == _READY:
            worker.ready = True
            self._start_failures = 0
            if worker.timer is not None:
                worker.timer.cancel()
                worker.timer = None
        else:
            if worker.timer is not None:
                worker.timer.cancel()
                worker.timer = None
            _, future = worker.held.popleft()
            if worker.held:
                self._start_clock(worker)  # it went straight on to the next page
            worker.pages += 1
            self.stats.pages += 1
            if getattr(message, "reason", None) == MEMORY_LIMIT:
                # The worker exits after this page; pages sent to it meanwhile were not started.
                worker.ready = False
                worker.retiring = True
            if not future.done():
                future.set_result(unpack_blocks(message))
            if self.max_pages_per_worker and worker.pages >= self.max_pages_per_worker:
                self._retire(worker)
        self._dispatch()

    def _on_timeout(self, worker: _Worker) -> None:
        """The page ran past the timeout: kill its worker (its socket's end of file reports it)."""
        worker.timer = None
        worker.timed_out = True
        worker.process.kill()

    def _on_exit(self, worker: _Worker) -> None:
        """A worker process ended: record the page it held, start a replacement."""
        self._forget(worker)
        try:
            worker.process.wait(timeout=_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:  # it closed its socket but lives on: end it
            worker.process.kill()
            worker.process.wait()
        if worker in self._workers:
            self._workers.remove(worker)
        self._close_connection(worker)
        # A retiring worker finished its page before leaving: what it holds was never started.
        running = worker.held.popleft() if worker.held and not worker.retiring else None
        # Pages that were only waiting behind the running one go back to the head of the queue.
        for job, waiting in reversed(worker.held):
            self._queue.appendleft((job, waiting))
        worker.held.clear()
        if running is not None and not running[1].done():
            running[1].set_result(self._lost_page_outcome(worker))
        elif not worker.ready and not worker.retiring and not self._closed:
            self._start_failures += 1
            logger.warning(
                "extraction worker exited with code %s before it was ready",
                worker.process.returncode,
            )
        if self._start_failures >= _MAX_START_FAILURES and not self.in_process:
            logger.error("extraction workers cannot start; extracting in the crawl process")
            self.in_process = True
        if not self._closed and not self.in_process:
            self._spawn()
            self._event("workers_replaced")
        self._dispatch()

    def _lost_page_outcome(self, worker: _Worker) -> ExtractionOutcome:
        """What became of the page a worker held when it ended: a timeout when we killed it
        for running too long, else a crash (counted in the stats and the crawl's events)."""
        if worker.timed_out:
            self.stats.timeouts += 1
            self._event("extract_timeouts")
            return ExtractionOutcome(
                reason=EXTRACT_TIMEOUT,
                detail=f"extraction ran past {self.timeout:g} s; worker killed",
            )
        seconds = time.monotonic() - worker.started
        self.stats.crashes += 1
        self._event("worker_crashes")
        return ExtractionOutcome(
            reason=WORKER_CRASH,
            detail=(
                f"worker process exited with code {worker.process.returncode} "
                f"after {seconds:.1f} s on this page"
            ),
        )

    def _retire(self, worker: _Worker) -> None:
        """Ask an idle worker to stop (its exit starts a fresh one)."""
        worker.ready = False
        worker.retiring = True
        worker.outbox.put(_STOP)

    @staticmethod
    def _close_connection(worker: _Worker) -> None:
        """End the worker's sender thread, then close its socket."""
        worker.outbox.put(None)
        if worker.sender is not None:
            worker.sender.join(1.0)  # a dead peer fails its write at once
        worker.conn.close()

    def _event(self, name: str) -> None:
        if self._on_event is not None:
            self._on_event(name)
