"""The extraction worker pool: same results as in-process, crashes and hangs cost one page each,
bounded pending work; and real crawls through it.

Pool tests drive `ExtractionPool` on an asyncio loop with real worker processes; crawl tests run
`scrapy crawl` against the local demo site. Misbehaving job functions live in
support/worker_faults.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from support.siteserver import TestSiteServer, run_crawl

from cleaners.profile import PageBlock
from pipelines.workers import (
    EXTRACT_TIMEOUT,
    WORKER_CRASH,
    ExtractionJob,
    ExtractionOutcome,
    ExtractionPool,
    run_job,
)

PROJECT = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent
FIXTURE_PAGES = sorted((PROJECT / "fixtures" / "pipelines").glob("*.html")) + sorted(
    (PROJECT / "fixtures" / "site" / "courier" / "news").glob("*.html")
)
FAULTS = "support.worker_faults:run_job_with_faults"
# The time limit of the hanging-page tests: a hung page never finishes, so any limit shows the
# behaviour; it is long enough that a good page's first extraction in a fresh worker finishes
# inside it on a loaded machine (two cores shared with a dozen processes took over 1.5 s).
HANG_TIMEOUT = 4.0


def job_for(path: Path, query: str = "") -> ExtractionJob:
    url = f"https://news.example/{path.stem}" + (f"?{query}" if query else "")
    return ExtractionJob(body=path.read_bytes(), url=url, encoding=None)


def outcome_key(outcome: ExtractionOutcome) -> object:
    """What must match between a worker's and the crawl process's outcome."""
    if outcome.article is None:
        return (outcome.reason, outcome.detail)
    return outcome.article.to_dict()


async def run_in_pool(jobs: list[ExtractionJob], **options) -> tuple[list, ExtractionPool]:
    """Every job through a fresh pool, concurrently; the outcomes in job order, and the pool."""
    pool = ExtractionPool(options.pop("workers", 2), **options)
    pool.start()
    try:
        outcomes = await asyncio.gather(*(pool.extract(job) for job in jobs))
    finally:
        await pool.close()
    return outcomes, pool


@pytest.fixture(autouse=True)
def workers_import_test_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker interpreters (and crawl subprocesses) find support/worker_faults.py on their path."""
    monkeypatch.syspath_prepend(str(TESTS_DIR))
    paths = [str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


# --- the pool ---------------------------------------------------------------------------------


def test_workers_give_the_same_articles_and_failures_as_in_process() -> None:
    jobs = [job_for(path) for path in FIXTURE_PAGES]
    jobs.append(ExtractionJob(body=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", url="https://x.example/r"))
    outcomes, pool = asyncio.run(run_in_pool(jobs))
    assert [outcome_key(o) for o in outcomes] == [outcome_key(run_job(job)) for job in jobs]
    assert sum(o.ok for o in outcomes) >= len(FIXTURE_PAGES) - 1  # the short notice may fail
    assert outcomes[-1].reason == "not_html"
    assert pool.stats.pages == len(jobs)
    assert pool.stats.workers_started == 2


def test_page_blocks_for_learning_come_back_from_workers_as_page_blocks() -> None:
    jobs = [job_for(path) for path in FIXTURE_PAGES]
    for job in jobs:
        job.options = {"collect_blocks": True}
    jobs = [job for job in jobs if run_job(job).ok][:3]  # articles (an archive page is not)
    assert len(jobs) == 3
    outcomes, _ = asyncio.run(run_in_pool(jobs))
    for job, outcome in zip(jobs, outcomes, strict=True):
        expected = run_job(job).article.blocks
        assert expected, "the fixture page has text blocks to learn from"
        assert outcome.article.blocks == expected
        assert all(isinstance(block, PageBlock) for block in outcome.article.blocks)


def test_a_learned_profile_reaches_the_workers_once_and_changes_when_relearned() -> None:
    """Pages of one outlet share its profile: workers clean with it as the crawl process would,
    and a relearned profile (a new object) replaces the old one."""
    import pickle
    from multiprocessing.reduction import ForkingPickler

    from cleaners.profile import learn_from_pages

    collected = [
        run_job(ExtractionJob(job_for(p).body, job_for(p).url, options={"collect_blocks": True}))
        for p in FIXTURE_PAGES
    ]
    page_blocks = [outcome.article.blocks for outcome in collected if outcome.ok]
    first = learn_from_pages("news", page_blocks[:3])
    second = learn_from_pages("news", page_blocks)
    assert second != first
    assert len(second) > 0
    jobs = [job_for(path) for path in FIXTURE_PAGES]
    for number, job in enumerate(jobs):
        job.options = {"profile": first if number % 2 else second}
    outcomes, _ = asyncio.run(run_in_pool(jobs))
    assert [outcome_key(o) for o in outcomes] == [outcome_key(run_job(job)) for job in jobs]

    sent = [pickle.loads(bytes(ForkingPickler.dumps(job))) for job in jobs[:4]]
    assert [job.options["profile"] for job in sent] == [second, first, second, first]
    assert sent[0].options["profile"] is sent[2].options["profile"]  # unpickled once
    relearned = learn_from_pages("news", page_blocks[:5])
    again = pickle.loads(bytes(ForkingPickler.dumps(ExtractionJob(b"", None, options={
        "profile": relearned}))))
    assert again.options["profile"] == relearned


def long_page(number: int) -> ExtractionJob:
    """A page of ~70,000 words: the page and its result both overflow a socket buffer."""
    paragraphs = "".join(
        f"<p>Paragraph {n} of report {number}: the council heard evidence from residents about "
        f"flooding on street {n}, and {n % 7} engineers described the pumps, the quay wall and "
        "the drains that failed during the storms of the last three winters in the town.</p>"
        for n in range(1500)
    )
    html = f"<html><head><title>Report {number}</title></head><body><article>{paragraphs}"
    return ExtractionJob(
        body=(html + "</article></body></html>").encode(), url=f"https://news.example/r{number}",
        options={"collect_blocks": True},
    )


def test_big_pages_and_big_results_do_not_deadlock_a_worker() -> None:
    """A worker sending a big result while the next big page is written to it must not wait
    for the crawl process, which must not wait for the worker."""
    jobs = [long_page(n) for n in range(3)]
    results: list = []
    # A deadlocked loop cannot time itself out: run it in a thread and give up on the thread.
    runner = threading.Thread(
        target=lambda: results.append(asyncio.run(run_in_pool(jobs, workers=1))[0]), daemon=True
    )
    runner.start()
    runner.join(120)
    assert not runner.is_alive(), "the pool is stuck"
    (outcomes,) = results
    assert all(o.ok for o in outcomes)
    assert all(o.article.word_count > 60_000 for o in outcomes)


def test_a_crashing_worker_costs_only_its_page_and_is_replaced() -> None:
    good = [job_for(path) for path in FIXTURE_PAGES[:6]]
    crash = job_for(FIXTURE_PAGES[0], "fault=crash")
    outcomes, pool = asyncio.run(run_in_pool([*good[:3], crash, *good[3:]], runner=FAULTS))
    crashed = outcomes[3]
    assert crashed.reason == WORKER_CRASH
    assert "exited with code 70" in crashed.detail
    others = outcomes[:3] + outcomes[4:]
    assert [outcome_key(o) for o in others] == [outcome_key(run_job(job)) for job in good]
    assert (pool.stats.crashes, pool.stats.workers_started) == (1, 3)


def test_a_hanging_page_times_out_and_the_others_finish() -> None:
    good = [job_for(path) for path in FIXTURE_PAGES[:4]]
    hang = job_for(FIXTURE_PAGES[1], "fault=hang")
    # The same pool on the good pages alone, timed in the same run: the machine's load scales
    # both runs, and the hung page may add its time limit and a worker's restart, no more.
    started = time.monotonic()
    asyncio.run(run_in_pool(good, runner=FAULTS, timeout=HANG_TIMEOUT))
    without_hang = time.monotonic() - started
    started = time.monotonic()
    outcomes, pool = asyncio.run(run_in_pool([hang, *good], runner=FAULTS, timeout=HANG_TIMEOUT))
    elapsed = time.monotonic() - started
    assert outcomes[0].reason == EXTRACT_TIMEOUT
    # The others come back as in-process cleaning makes them (an archive page is no article).
    assert [outcome_key(o) for o in outcomes[1:]] == [outcome_key(run_job(j)) for j in good]
    assert sum(o.ok for o in outcomes[1:]) >= 3
    assert pool.stats.timeouts == 1
    assert elapsed < 2 * without_hang + HANG_TIMEOUT, (
        "a hung page must not hold the pool much beyond its timeout"
    )


def test_two_hanging_workers_do_not_time_out_the_pages_queued_behind_them() -> None:
    """The timeout runs from when a worker takes a page, not from when it was queued."""
    hangs = [job_for(FIXTURE_PAGES[i], "fault=hang") for i in (0, 1)]
    good = [job_for(path) for path in FIXTURE_PAGES[2:5]]
    outcomes, pool = asyncio.run(run_in_pool([*hangs, *good], runner=FAULTS, timeout=HANG_TIMEOUT))
    assert [o.reason for o in outcomes[:2]] == [EXTRACT_TIMEOUT, EXTRACT_TIMEOUT]
    assert all(o.ok for o in outcomes[2:])


def test_pending_pages_never_exceed_the_bound() -> None:
    jobs = [job_for(FIXTURE_PAGES[i % len(FIXTURE_PAGES)], f"n={i}") for i in range(24)]
    observed: list[int] = []

    async def main() -> tuple[list, ExtractionPool]:
        pool = ExtractionPool(2, max_pending=3, runner="support.worker_faults:slow_run_job")
        pool.start()
        done = asyncio.Event()

        async def watch() -> None:
            while not done.is_set():
                observed.append(pool.pending)
                await asyncio.sleep(0.005)

        watcher = asyncio.create_task(watch())
        try:
            outcomes = await asyncio.gather(*(pool.extract(job) for job in jobs))
        finally:
            done.set()
            await watcher
            await pool.close()
        return outcomes, pool

    outcomes, pool = asyncio.run(main())
    assert len(outcomes) == len(jobs)
    assert [outcome_key(o) for o in outcomes] == [outcome_key(run_job(j)) for j in jobs]
    assert max(observed) == 3
    assert pool.stats.peak_pending == 3
    assert pool.stats.peak_running == 2


def test_workers_are_replaced_after_their_page_limit_without_losing_pages() -> None:
    jobs = [job_for(FIXTURE_PAGES[i % len(FIXTURE_PAGES)], f"n={i}") for i in range(5)]
    outcomes, pool = asyncio.run(run_in_pool(jobs, workers=1, max_pages_per_worker=2))
    assert [outcome_key(o) for o in outcomes] == [outcome_key(run_job(job)) for job in jobs]
    assert pool.stats.workers_started == 3  # pages 1-2, 3-4, 5


def test_workers_run_with_the_collector_thresholds_they_are_given() -> None:
    """The crawl's CLEANNEWS_GC_THRESHOLDS reach the workers, after their imports are frozen."""
    job = job_for(FIXTURE_PAGES[0])
    runner = "support.worker_faults:report_collector"
    tuned, _ = asyncio.run(run_in_pool([job], workers=1, runner=runner,
                                       gc_thresholds=(40_000, 15, 5)))
    thresholds, frozen = tuned[0].detail.rsplit(" ", 1)
    assert thresholds == "(40000, 15, 5)"
    assert int(frozen) > 10_000  # the cleaners' imports, out of every collection
    default, _ = asyncio.run(run_in_pool([job], workers=1, runner=runner))
    assert default[0].detail.rsplit(" ", 1)[0] == "(700, 10, 10)"  # Python's own


def test_close_ends_every_worker_process() -> None:
    async def main() -> list:
        pool = ExtractionPool(2)
        pool.start()
        await pool.extract(job_for(FIXTURE_PAGES[0]))
        processes = [worker.process for worker in pool._workers]
        await pool.close()
        return processes

    processes = asyncio.run(main())
    assert len(processes) == 2
    assert all(process.poll() is not None for process in processes)


# --- crawls through the pool ------------------------------------------------------------------


def stored(db_path: Path) -> tuple[list[tuple], list[tuple]]:
    """Articles and failures of a crawl database, without ids or times."""
    conn = sqlite3.connect(db_path)
    try:
        articles = conn.execute(
            "SELECT url, outlet_id, title, body, published, language, word_count FROM articles"
            " ORDER BY url"
        ).fetchall()
        failures = conn.execute(
            "SELECT url, stage, reason, status FROM failures ORDER BY url, stage"
        ).fetchall()
    finally:
        conn.close()
    return articles, failures


def crawl_stats(db_path: Path) -> dict:
    conn = sqlite3.connect(db_path)
    try:
        (stats,) = conn.execute("SELECT stats FROM crawls").fetchone()
    finally:
        conn.close()
    return json.loads(stats)


@pytest.mark.e2e
def test_pool_crawl_stores_the_same_rows_as_an_in_process_crawl(
    site_server: TestSiteServer, tmp_path: Path
) -> None:
    results, pool_stats = {}, {}
    for workers in ("2", "0"):
        result = run_crawl(
            "outlets", site_server, tmp_path / f"workers-{workers}", "-a", "depth=1",
            pipelines=True, settings={"CLEANNEWS_EXTRACT_WORKERS": workers},
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.db_path is not None
        results[workers] = stored(result.db_path)
        pool_stats[workers] = crawl_stats(result.db_path).get("cleannews/extract_pool/workers")
    articles, failures = results["2"]
    assert len(articles) >= 12
    assert {row[2] for row in failures} >= {"http_error", "not_html", "empty"}
    assert results["2"] == results["0"]
    assert pool_stats == {"2": 2, "0": None}  # the first crawl did clean in its workers


@pytest.mark.e2e
def test_crashing_and_hanging_workers_become_failure_rows(
    site_server: TestSiteServer, tmp_path: Path
) -> None:
    stories = ["harbour-ferry-electric", "library-late-hours", "bridge-repairs-delay",
               "fishing-quota-talks", "school-meals-survey"]
    urls = [site_server.url(f"/herald/2026/11/{slug}.html") for slug in stories]
    crash_url = urls[3] + "?fault=crash"
    hang_url = urls[4] + "?fault=hang"
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join([*urls[:3], crash_url, hang_url]) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = run_crawl(
        "urls", site_server, tmp_path, "-a", f"file={url_file}", pipelines=True,
        settings={
            "CLEANNEWS_EXTRACT_WORKERS": "2",
            "CLEANNEWS_EXTRACT_TIMEOUT": str(HANG_TIMEOUT),
            "CLEANNEWS_EXTRACT_FUNCTION": FAULTS,
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert time.monotonic() - started < 45
    assert result.db_path is not None
    articles, failures = stored(result.db_path)
    assert {row[0] for row in articles} == set(urls[:3])
    by_url = {row[0]: row for row in failures}
    assert by_url[crash_url][1:3] == ("extract", WORKER_CRASH)
    assert by_url[hang_url][1:3] == ("extract", EXTRACT_TIMEOUT)
    conn = sqlite3.connect(result.db_path)
    try:
        (finish_reason,) = conn.execute("SELECT finish_reason FROM crawls").fetchone()
    finally:
        conn.close()
    assert finish_reason == "finished"
    assert "cleannews/extract_pool/worker_crashes': 1" in result.stderr
    assert "cleannews/extract_pool/extract_timeouts': 1" in result.stderr
