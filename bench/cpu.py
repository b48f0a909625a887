"""CPU time per page of `extract_article` beside `trafilatura.extract`, page by page, one process.

    python -m bench.cpu GOLD.jsonl.gz [...] [--every 5] [--limit 150] [--rounds 2]

Each page goes through `trafilatura.extract` (the benchmarks' default call), `extract_article`,
and `extract_article` without the readability gate (cleaners/fallback_gate.py: trafilatura's own
comparison, as before the gate), in an order that turns with every page, each timed with
`time.process_time` (CPU time of this process: other processes on a shared machine slow the
wall clock, not this). A shared machine's speed still drifts, so only the ratios of one run
compare. Prints ms/page of each and their ratios to trafilatura's.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from trafilatura import core as trafilatura_core

from bench.quality import read_gold_set, set_name, warm_up_dateparser, warm_up_justext
from cleaners import extract_article
from cleaners.errors import ExtractionError


def ours(html: str, url: str | None) -> None:
    """extract_article; a refusal is a result like any other."""
    try:
        extract_article(html, url)
    except ExtractionError:
        pass


def ours_ungated(html: str, url: str | None) -> None:
    """extract_article with trafilatura's comparison as it ships (no readability gate)."""
    gated = trafilatura_core.compare_extraction
    trafilatura_core.compare_extraction = getattr(gated, "__wrapped__", gated)
    try:
        ours(html, url)
    finally:
        trafilatura_core.compare_extraction = gated


def reference(html: str, url: str | None) -> None:
    """trafilatura's default extraction, comments excluded (bench.quality's `trafilatura`)."""
    trafilatura.extract(html, url=url, include_comments=False)


RUNNERS: dict[str, Callable[[str, str | None], None]] = {
    "trafilatura": reference,
    "ours": ours,
    "ours without gate": ours_ungated,
}


def time_pages(pages: list[dict], rounds: int) -> dict[str, float]:
    """Seconds of CPU time per runner over all pages and rounds, the order turning per page."""
    names = list(RUNNERS)
    seconds = dict.fromkeys(names, 0.0)
    # Untimed: imports and lazily built tables (trafilatura's justext stop words, dateparser's
    # locale patterns: one-time costs of a process, bench.quality).
    warm_up_justext()
    warm_up_dateparser()
    for page in pages[:3]:
        for name in names:
            RUNNERS[name](page["html"], page.get("url"))
    for round_number in range(rounds):
        for number, page in enumerate(pages):
            shift = (number + round_number) % len(names)
            for name in names[shift:] + names[:shift]:
                start = time.process_time()
                RUNNERS[name](page["html"], page.get("url"))
                seconds[name] += time.process_time() - start
    return seconds


def main(argv: list[str] | None = None) -> None:
    """Time the runners on every `--every`-th page of each set and print ms/page and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="gold sets (.jsonl or .jsonl.gz)")
    parser.add_argument("--every", type=int, default=5, help="take every N-th page")
    parser.add_argument("--limit", type=int, default=150, help="pages per set")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the pages")
    args = parser.parse_args(argv)
    for path in args.sets:
        pages = [p for i, p in enumerate(read_gold_set(path)) if i % args.every == 0]
        pages = pages[: args.limit]
        seconds = time_pages(pages, args.rounds)
        count = len(pages) * args.rounds
        base = seconds["trafilatura"]
        figures = ", ".join(
            f"{name} {1000 * value / count:.1f} ms/page ({base / value:.2f}x)"
            for name, value in seconds.items()
        )
        print(f"{set_name(path)} ({len(pages)} pages x {args.rounds}): {figures}", flush=True)


if __name__ == "__main__":
    main()
