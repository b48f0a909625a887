"""Memory and time of the learning counts for an outlet with a long history, with and without
the window of recent pages (`CLEANNEWS_PROFILE_WINDOW_PAGES`), side by side in one run.

    python -m bench.learning_window [--pages 10000] [--window 1000] [--blocks 200]

One outlet's pages are replayed through the crawl's `ProfileBook` into a fresh SQLite file,
once with every page counted (window 0, the behaviour before the window) and once with the
window: each page has `--template` blocks of site furniture (a rotating share of them, as
menus and rails change) and the rest its own story's blocks, written every 100 pages as in a
crawl. Printed for each: the book's Python memory at the end and at its peak (tracemalloc),
the blocks it holds, CPU time a page for recording and writing, the database file's size,
and what the next crawl pays to load the outlet (time and memory of `load_stats`). The pages
are synthetic: block counts and sizes, not text, decide these figures. Benchmarks are not
tests: this prints figures.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from cleaners.profile import DEFAULT_THRESHOLDS, PageBlock, fingerprint
from pipelines.learn import FLUSH_EVERY_PAGES, ProfileBook
from storage.boilerplate import create_tables, load_stats

OUTLET = "long-history"


@dataclass(slots=True)
class Figures:
    """What one replay measured."""

    window: int
    book_mb: float
    peak_mb: float
    blocks_held: int
    ms_per_page: float
    file_mb: float
    load_s: float
    load_mb: float


def page_blocks(page: int, blocks: int, template: list[PageBlock], rng: random.Random):
    """One page's blocks: most of the template, then its own story's blocks."""
    furniture = [b for b in template if rng.random() < 0.8]
    own = [
        PageBlock(fingerprint(f"page {page} block {n}"), f"story {page} paragraph {n}", 25)
        for n in range(max(0, blocks - len(furniture)))
    ]
    return furniture + own


def replay_book(
    path: Path, pages: int, window: int, blocks: int, template_size: int
) -> tuple[float, float, float, int]:
    """Replay the outlet's pages through a book with `window` into a fresh file at `path`:
    CPU seconds, the book's memory at the end and at its peak (0 when not traced), blocks held."""
    conn = sqlite3.connect(path)
    create_tables(conn)
    conn.close()
    rng = random.Random(1)
    template = [
        PageBlock(fingerprint(f"template {n}"), f"template line {n}", 3 + n % 20)
        for n in range(template_size)
    ]
    book = ProfileBook(path, DEFAULT_THRESHOLDS, window_pages=window)
    book.open()
    cpu = 0.0
    for page in range(pages):
        if page % 500 == 499:  # the site's rails change now and then
            template[rng.randrange(template_size)] = PageBlock(
                fingerprint(f"template at {page}"), f"new rail line {page}", 5
            )
        page_of_blocks = page_blocks(page, blocks, template, rng)
        started = time.process_time()
        book.record(OUTLET, f"https://long-history.example/{page}", page_of_blocks)
        book.profile_for(OUTLET)
        if book.pending >= FLUSH_EVERY_PAGES:
            book.flush(wait=True)
        cpu += time.process_time() - started
    book.flush(wait=True)
    current, peak = tracemalloc.get_traced_memory() if tracemalloc.is_tracing() else (0, 0)
    held = len(book.outlet_stats(OUTLET).counts)
    book.close()
    return cpu, current, peak, held


def replay(pages: int, window: int, blocks: int, template_size: int, folder: Path) -> Figures:
    """Replay twice: timed without tracing (tracemalloc slows allocation), then traced for
    memory; then load the outlet's counts as the next crawl would."""
    cpu, _current, _peak, _held = replay_book(
        folder / f"timed-{window}.db", pages, window, blocks, template_size
    )
    path = folder / f"window-{window}.db"
    tracemalloc.start()
    _cpu, current, peak, held = replay_book(path, pages, window, blocks, template_size)
    tracemalloc.stop()
    # What the next crawl pays when the outlet's first page comes: loading its counts.
    conn = sqlite3.connect(path)
    tracemalloc.start()
    started = time.perf_counter()
    stats = load_stats(conn, OUTLET)
    load_s = time.perf_counter() - started
    load_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del stats
    conn.close()
    return Figures(
        window=window,
        book_mb=current / 2**20,
        peak_mb=peak / 2**20,
        blocks_held=held,
        ms_per_page=cpu / pages * 1000,
        file_mb=path.stat().st_size / 2**20,
        load_s=load_s,
        load_mb=load_mb,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="the outlet's pages (10000)")
    parser.add_argument("--window", type=int, default=1000, help="pages in the window (1000)")
    parser.add_argument("--blocks", type=int, default=200, help="blocks a page (200)")
    parser.add_argument("--template", type=int, default=60, help="furniture blocks (60)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        results = [
            replay(args.pages, window, args.blocks, args.template, Path(folder))
            for window in (0, args.window)
        ]
    print(f"{args.pages} pages of one outlet, {args.blocks} blocks a page "
          f"({args.template} of site furniture), counts written every {FLUSH_EVERY_PAGES} pages")
    print("| window | book memory (peak) | blocks held | CPU a page | database "
          "| next crawl loads |")
    print("|---|---|---:|---:|---:|---|")
    for fig in results:
        name = "all pages (0)" if fig.window == 0 else f"{fig.window} pages"
        print(f"| {name} | {fig.book_mb:.1f} MB ({fig.peak_mb:.1f}) | {fig.blocks_held:,} | "
              f"{fig.ms_per_page:.2f} ms | {fig.file_mb:.1f} MB | "
              f"{fig.load_s:.2f} s, {fig.load_mb:.1f} MB |")
    everything, windowed = results
    print(f"window / all pages: memory {windowed.book_mb / everything.book_mb:.2f}x, "
          f"CPU a page {windowed.ms_per_page / everything.ms_per_page:.2f}x, "
          f"load {windowed.load_s / everything.load_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
