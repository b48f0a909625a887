"""Job functions for extraction workers that misbehave on purpose, for tests/test_workers.py.

Workers import this module by name (`CLEANNEWS_EXTRACT_FUNCTION=support.worker_faults:...`):
the tests folder is on the crawl's import path, and workers inherit it. A page whose URL carries
`fault=crash` kills its worker process, `fault=hang` never returns; every other page is
extracted as usual.
"""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qs, urlsplit

from pipelines.workers import ExtractionJob, ExtractionOutcome, run_job


def fault_of(url: str | None) -> str:
    return parse_qs(urlsplit(url or "").query).get("fault", [""])[0]


def run_job_with_faults(job: ExtractionJob) -> ExtractionOutcome:
    """`run_job`, except that `fault=crash` pages exit the process and `fault=hang` pages hang."""
    fault = fault_of(job.url)
    if fault == "crash":
        os._exit(70)
    if fault == "hang":
        while True:
            time.sleep(60)
    return run_job(job)


def slow_run_job(job: ExtractionJob) -> ExtractionOutcome:
    """`run_job` after a pause, so jobs pile up behind busy workers."""
    time.sleep(0.05)
    return run_job(job)


def report_collector(job: ExtractionJob) -> ExtractionOutcome:
    """No extraction: the worker's garbage-collector thresholds and frozen count, as the detail."""
    import gc

    return ExtractionOutcome(reason="probe", detail=f"{gc.get_threshold()} {gc.get_freeze_count()}")


def run_job_out_of_memory(job: ExtractionJob) -> ExtractionOutcome:
    """`run_job` whose cleaner asks for more memory than the worker may have on `fault=memory`
    pages (the worker runs under CLEANNEWS_EXTRACT_WORKER_MEMORY_MB)."""
    if fault_of(job.url) == "memory":
        import cleaners

        def greedy(*args: object, **kwargs: object) -> object:
            return bytearray(8 * 1024**3)  # far over any worker limit a test sets

        cleaners.extract_article = greedy  # this worker is replaced after the page anyway
    return run_job(job)
