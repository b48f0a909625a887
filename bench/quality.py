"""Score extractors on gold sets: precision, recall, F1 and pages/s per set, in one run.

    python -m bench.quality ../shared/corpora/*.jsonl.gz
    python -m bench.quality my_gold.jsonl --extractors ours,trafilatura,mypkg.mod:extract --by-site

A gold set is JSON Lines (optionally gzip-compressed), one page a line, with either a `gold` text
or `with`/`without` snippet lists; bench/README.md documents the format and the metric.
Speed is single-core: the sum of per-page extraction times, whatever `--jobs` is.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.extractors import DEFAULT_NAMES, resolve
from bench.metric import (
    Figures,
    ShingleScore,
    SnippetScore,
    aggregate_shingles,
    aggregate_snippets,
    score_shingles,
    score_snippets,
)


def read_gold_set(path: Path, limit: int | None = None) -> Iterator[dict]:
    """Pages of a JSON Lines gold set (`.gz` read transparently), at most `limit` of them."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        count = 0
        for line in lines:
            if not line.strip():
                continue
            if limit is not None and count >= limit:
                return
            count += 1
            yield json.loads(line)


def set_name(path: Path) -> str:
    """A gold set's display name: its file name without `.jsonl(.gz)`."""
    name = path.name
    for suffix in (".gz", ".jsonl", ".json"):
        name = name.removesuffix(suffix)
    return name


@dataclass(slots=True)
class PageResult:
    """One page scored by one extractor."""

    page_id: str
    site: str
    extractor: str
    seconds: float
    score: ShingleScore | SnippetScore
    error: str | None = None
    output: str | None = None


@dataclass(slots=True)
class Job:
    """What a worker needs: the extractor names and whether to keep the output text."""

    extractors: tuple[str, ...]
    keep_output: bool = False
    _resolved: dict = field(default_factory=dict)


_JOB: Job | None = None


WARM_UP_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Warm-up page</title></head><body><article>"
    "<h1>Warm-up page</h1>"
    + "<p>This paragraph is long enough to be taken for the main text of a small article page, "
    "so every extractor runs its whole path once before the timed pages.</p>" * 4
    + "</article></body></html>"
)


def warm_up_justext() -> None:
    """Build trafilatura's justext stop-word table, which its fallback reads on first use.

    It takes ~65 ms once per process; the warm-up page never reaches the fallback, so the table
    was built inside the timing of whichever extractor first fell back to justext on a real page.
    """
    try:
        from trafilatura import external
    except ImportError:
        return
    init = getattr(external, "jt_stoplist_init", None)
    if init is not None and not getattr(external, "JT_STOPLIST", None):
        init()


def _init_worker(job: Job) -> None:
    global _JOB
    _JOB = job
    job._resolved = {name: resolve(name) for name in job.extractors}
    # One untimed call each first: imports and lazily built tables are paid before timing starts,
    # not by whichever extractor happens to run first on the first page.
    warm_up_justext()
    for extract in job._resolved.values():
        try:
            extract(WARM_UP_PAGE, "https://example.org/warm-up")
        except Exception:  # a warm-up failure shows up again, timed, on the real pages
            pass


def _score_page(page: dict) -> list[PageResult]:
    """Run every extractor on one page, timing each call, and score its output."""
    assert _JOB is not None
    results = []
    for name, extract in _JOB._resolved.items():
        error = None
        start = time.perf_counter()
        try:
            output = extract(page["html"], page.get("url"))
        except Exception as exc:  # an extractor crash is a figure to report, not a stop
            output, error = "", f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        if "gold" in page:
            score: ShingleScore | SnippetScore = score_shingles(page["gold"], output)
        else:
            score = score_snippets(page.get("with", []), page.get("without", []), output)
        results.append(
            PageResult(
                page_id=str(page.get("id", "")),
                site=str(page.get("site") or ""),
                extractor=name,
                seconds=seconds,
                score=score,
                error=error,
                output=output if _JOB.keep_output else None,
            )
        )
    return results


def run_set(pages: list[dict], job: Job, jobs: int) -> list[PageResult]:
    """Score all pages with all extractors, in `jobs` worker processes (1 = in this process)."""
    if jobs <= 1:
        _init_worker(job)
        return [result for page in pages for result in _score_page(page)]
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with context.Pool(jobs, initializer=_init_worker, initargs=(job,)) as pool:
        return [r for page_results in pool.imap(_score_page, pages, 4) for r in page_results]


def figures_for(results: list[PageResult]) -> Figures:
    """Aggregate a list of one extractor's page results with the matching metric."""
    scores = [r.score for r in results]
    if scores and isinstance(scores[0], SnippetScore):
        return aggregate_snippets(scores)  # type: ignore[arg-type]
    return aggregate_shingles(scores)  # type: ignore[arg-type]


def summary_row(set_label: str, extractor: str, results: list[PageResult]) -> dict:
    """The figures of one extractor on one set, as a dict ready for a table or JSON."""
    figures = figures_for(results)
    seconds = sum(r.seconds for r in results)
    return {
        "set": set_label,
        "extractor": extractor,
        "pages": figures.pages,
        "precision": figures.precision,
        "recall": figures.recall,
        "f1": figures.f1,
        "pages_per_s": len(results) / seconds if seconds else 0.0,
        "errors": sum(r.error is not None for r in results),
    }


def format_table(rows: list[dict]) -> str:
    """A Markdown table of summary rows."""
    lines = [
        "| set | extractor | pages | precision | recall | F1 | pages/s | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['set']} | {row['extractor']} | {row['pages']} | {row['precision']:.3f} | "
            f"{row['recall']:.3f} | {row['f1']:.3f} | {row['pages_per_s']:.1f} | {row['errors']} |"
        )
    return "\n".join(lines)


def format_by_site(
    set_label: str, results: list[PageResult], extractors: tuple[str, ...], min_pages: int
) -> str:
    """Per-site F1 (P/R) of every extractor, for sites with at least `min_pages` pages."""
    by_site: dict[str, dict[str, list[PageResult]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        by_site[result.site][result.extractor].append(result)
    header = "| site | pages | " + " | ".join(f"{name} P/R/F1" for name in extractors) + " |"
    lines = [
        f"### {set_label} by site (>= {min_pages} pages)",
        "",
        header,
        "|---|---:|" + "---|" * len(extractors),
    ]
    for site in sorted(by_site, key=lambda s: (-len(by_site[s][extractors[0]]), s)):
        per_extractor = by_site[site]
        pages = len(per_extractor[extractors[0]])
        if pages < min_pages:
            continue
        cells = []
        for name in extractors:
            f = figures_for(per_extractor[name])
            cells.append(f"{f.precision:.3f}/{f.recall:.3f}/{f.f1:.3f}")
        lines.append(f"| {site} | {pages} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold_sets", nargs="+", type=Path, help="JSON Lines gold sets (.gz ok)")
    parser.add_argument(
        "--extractors",
        default=",".join(DEFAULT_NAMES),
        help="comma-separated names or module:function (default: %(default)s)",
    )
    parser.add_argument("--limit", type=int, default=None, help="score the first N pages per set")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--by-site", action="store_true", help="also print per-site figures")
    parser.add_argument(
        "--min-site-pages",
        type=int,
        default=5,
        help="smallest site shown by --by-site (default %(default)s)",
    )
    parser.add_argument("--json", type=Path, help="write summary and per-page scores here")
    parser.add_argument(
        "--dump", type=Path, help="write every output text to DIR/<set>.<extractor>.jsonl"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    extractors = tuple(name.strip() for name in args.extractors.split(",") if name.strip())
    for name in extractors:
        resolve(name)  # fail early on a bad name, before any page is read
    job = Job(extractors, keep_output=args.dump is not None)
    rows: list[dict] = []
    per_page: list[dict] = []
    site_tables: list[str] = []
    for path in args.gold_sets:
        label = set_name(path)
        pages = list(read_gold_set(path, args.limit))
        results = run_set(pages, job, args.jobs)
        for name in extractors:
            mine = [r for r in results if r.extractor == name]
            rows.append(summary_row(label, name, mine))
            print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
            for r in mine:
                if r.error:
                    print(f"  {label} {r.page_id} {name}: {r.error}", file=sys.stderr)
        if args.by_site:
            site_tables.append(format_by_site(label, results, extractors, args.min_site_pages))
        if args.json:
            per_page.extend(
                {
                    "set": label,
                    "id": r.page_id,
                    "site": r.site,
                    "extractor": r.extractor,
                    "seconds": r.seconds,
                    "error": r.error,
                    **asdict(r.score),
                }
                for r in results
            )
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            for name in extractors:
                with open(args.dump / f"{label}.{name}.jsonl", "w", encoding="utf-8") as out:
                    for r in results:
                        if r.extractor == name:
                            out.write(json.dumps({"id": r.page_id, "output": r.output}) + "\n")
    print(format_table(rows))
    for table in site_tables:
        print()
        print(table)
    if args.json:
        args.json.write_text(json.dumps({"summary": rows, "pages": per_page}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
