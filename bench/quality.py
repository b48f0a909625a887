"""Score extractors on gold sets: precision, recall, F1 and pages/s per set, in one run.

    python -m bench.quality ../shared/corpora/*.jsonl.gz
    python -m bench.quality my_gold.jsonl --extractors ours,trafilatura,mypkg.mod:extract --by-site
    python -m bench.quality ../shared/corpora/wcxb_dev.jsonl.gz --harm-list --cross-sites 5

A gold set is JSON Lines (optionally gzip-compressed), one page a line, with either a `gold` text
or `with`/`without` snippet lists; bench/README.md documents the format and the metric.
Speed is single-core: the sum of per-page extraction times, whatever `--jobs` is.

Do no harm: with both trafilatura settings in the run, every other extractor's page F1 is compared
with the better of the two on that page: "harm" counts pages more than HARM_MARGIN below it, "help"
pages more than HARM_MARGIN above; `--harm-list` names the harmed pages with the reason (which
cleaner removed most of the reference text, or that the text was never extracted).
`--cross-sites K` splits each set's sites into K folds (`bench.folds`) and prints the figures per
fold, the unit in which anything tuned automatically is evaluated site-out.
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

from bench import extractors as builtin_extractors
from bench.extractors import DEFAULT_NAMES, resolve
from bench.folds import site_fold
from bench.metric import (
    Figures,
    ShingleScore,
    SnippetScore,
    aggregate_shingles,
    aggregate_snippets,
    page_f1,
    page_precision_recall,
    score_shingles,
    score_snippets,
    shingles,
    tokenize,
)

# The references of the harm/help comparison: a page is judged against the better of the two.
REFERENCES = ("trafilatura", "trafilatura_precision")
# A page is harmed (helped) when its F1 is more than this below (above) the better reference's.
HARM_MARGIN = 0.2


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
    # `ours` only, on pages with a gold text: the title and body scored together (dragnet's gold
    # keeps the headline, which the Article contract leaves to `title`).
    title_body: ShingleScore | None = None
    # `ours` only, on harmed pages: what lost the reference text (see `harm_reason`).
    reason: str | None = None


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


# Strings htmldate's extensive search hands to dateparser: one that parses, and one that no
# locale accepts, so that every locale's word and split patterns get compiled.
DATEPARSER_WARM_UP = ("Posted on 5 June 2021 at 10:30", "Zuletzt 5 Juni 2021 um 10:30 Uhr xyz")


def warm_up_dateparser() -> None:
    """Build dateparser's per-locale patterns, which it compiles on first use, once per process.

    htmldate's extensive date search (`extract_article` runs it on the few pages no cheaper
    source dates) hands free text to dateparser, which then tests every one of its ~200
    locales and compiles their patterns: 3-4 s of CPU the first time, a few ms a call after.
    The warm-up page never gets there, so that cost fell inside the timing of the first real
    pages that did (about 10 ms a page over 300 timed pages).
    """
    try:
        from htmldate.extractors import get_external_parser
    except ImportError:
        return
    try:
        parser = get_external_parser()
        for text in DATEPARSER_WARM_UP:
            parser.get_date_data(text)
    except Exception:  # an htmldate without dateparser: nothing to warm
        return


def _init_worker(job: Job) -> None:
    global _JOB
    _JOB = job
    job._resolved = {name: resolve(name) for name in job.extractors}
    # One untimed call each first: imports and lazily built tables are paid before timing starts,
    # not by whichever extractor happens to run first on the first page.
    warm_up_justext()
    warm_up_dateparser()
    for extract in job._resolved.values():
        try:
            extract(WARM_UP_PAGE, "https://example.org/warm-up")
        except Exception:  # a warm-up failure shows up again, timed, on the real pages
            pass


def _score_page(page: dict) -> list[PageResult]:
    """Run every extractor on one page, timing each call, and score its output."""
    assert _JOB is not None
    results = []
    ours_output: tuple | None = None
    for name, extract in _JOB._resolved.items():
        error = None
        start = time.perf_counter()
        try:
            output = extract(page["html"], page.get("url"))
        except Exception as exc:  # an extractor crash is a figure to report, not a stop
            output, error = "", f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        title_body = None
        if "gold" in page:
            score: ShingleScore | SnippetScore = score_shingles(page["gold"], output)
            article = builtin_extractors.LAST_ARTICLE if name == "ours" else None
            if name == "ours":
                title = (article.title or "") if article is not None else ""
                title_body = score_shingles(page["gold"], f"{title}\n{output}".strip())
        else:
            score = score_snippets(page.get("with", []), page.get("without", []), output)
        if name == "ours":
            ours_output = (output, builtin_extractors.LAST_ARTICLE, error)
        results.append(
            PageResult(
                page_id=str(page.get("id", "")),
                site=str(page.get("site") or ""),
                extractor=name,
                seconds=seconds,
                score=score,
                error=error,
                output=output if _JOB.keep_output else None,
                title_body=title_body,
            )
        )
    references = [r for r in results if r.extractor in REFERENCES]
    if ours_output is not None and len(references) == len(REFERENCES):
        best = max(page_f1(r.score) for r in references)
        output, article, error = ours_output
        for result in results:
            if result.extractor == "ours" and page_f1(result.score) < best - HARM_MARGIN:
                removed = article.removed if article is not None else None
                result.reason = error or harm_reason(page, output, removed)
    return results


def harm_reason(page: dict, output: str, removed: list | None) -> str:
    """What lost the reference text on a page: the cleaner that removed most of what is missing.

    For a gold text, the gold shingles missing from the output are looked for in each cleaner's
    recorded removals; what no cleaner removed was never extracted (trafilatura or the region
    took another part of the page). Snippet pages name the missing "with" snippets' remover.
    """
    if removed is None:
        return "refused (no body)"
    by_cleaner: dict[str, list[str]] = defaultdict(list)
    for removal in removed:
        by_cleaner[removal.cleaner].append(removal.text)
    if "gold" in page:
        missing = shingles(page["gold"]) - shingles(output)
        lost = {
            cleaner: sum((shingles("\n".join(texts)) & missing).values())
            for cleaner, texts in by_cleaner.items()
        }
        total = sum(missing.values())
    else:
        body = " ".join(tokenize(output.lower()))
        wanted = [" ".join(tokenize(s.lower())) for s in page.get("with", [])]
        missing_snippets = [s for s in wanted if s and s not in body]
        lost = {
            cleaner: sum(
                s in " ".join(tokenize(" ".join(texts).lower())) for s in missing_snippets
            )
            for cleaner, texts in by_cleaner.items()
        }
        total = len(missing_snippets)
    if not total:
        return "kept other text"
    cleaner, count = max(lost.items(), key=lambda kv: kv[1], default=("", 0))
    if count * 2 >= total:
        return f"{cleaner} removed {count}/{total} of the missing"
    return f"not extracted ({total - count}/{total} of the missing in no removal)"


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


def best_reference(results: list[PageResult]) -> dict[str, float]:
    """Per page id, the better F1 of the two trafilatura settings (pages where both ran)."""
    scores: dict[str, list[float]] = defaultdict(list)
    for result in results:
        if result.extractor in REFERENCES:
            scores[result.page_id].append(page_f1(result.score))
    return {pid: max(f1s) for pid, f1s in scores.items() if len(f1s) == len(REFERENCES)}


def harm_help(results: list[PageResult], best: dict[str, float]) -> tuple[int, int] | None:
    """Pages more than HARM_MARGIN below / above the better reference (None: no references)."""
    if not best or results[0].extractor in REFERENCES:
        return None
    harm = help_ = 0
    for result in results:
        if result.page_id not in best:
            continue
        delta = page_f1(result.score) - best[result.page_id]
        harm += delta < -HARM_MARGIN
        help_ += delta > HARM_MARGIN
    return harm, help_


def summary_row(
    set_label: str,
    extractor: str,
    results: list[PageResult],
    best: dict[str, float] | None = None,
) -> dict:
    """The figures of one extractor on one set, as a dict ready for a table or JSON."""
    figures = figures_for(results)
    seconds = sum(r.seconds for r in results)
    counts = harm_help(results, best or {}) if results else None
    title_body = [r.title_body for r in results if r.title_body is not None]
    return {
        "set": set_label,
        "extractor": extractor,
        "pages": figures.pages,
        "precision": figures.precision,
        "recall": figures.recall,
        "f1": figures.f1,
        "pages_per_s": len(results) / seconds if seconds else 0.0,
        "errors": sum(r.error is not None for r in results),
        "harm": counts[0] if counts else None,
        "help": counts[1] if counts else None,
        "recall_title_body": aggregate_shingles(title_body).recall if title_body else None,
    }


def optional(value: float | int | None, spec: str) -> str:
    """A table cell: the value formatted, or "-" where it does not apply."""
    return "-" if value is None else format(value, spec)


def format_table(rows: list[dict]) -> str:
    """A Markdown table of summary rows."""
    lines = [
        "| set | extractor | pages | precision | recall | F1 | pages/s | errors | harm | help "
        "| R title+body |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['set']} | {row['extractor']} | {row['pages']} | {row['precision']:.4f} | "
            f"{row['recall']:.4f} | {row['f1']:.4f} | {row['pages_per_s']:.1f} | {row['errors']} "
            f"| {optional(row.get('harm'), 'd')} | {optional(row.get('help'), 'd')} "
            f"| {optional(row.get('recall_title_body'), '.4f')} |"
        )
    return "\n".join(lines)


def format_harm_list(set_label: str, pages: list[dict], results: list[PageResult]) -> str:
    """The harmed pages of a set: id, site, URL, our F1, the better reference's, the reason."""
    best = best_reference(results)
    urls = {str(page.get("id", "")): page.get("url") or "" for page in pages}
    reference_f1 = {
        (r.page_id, r.extractor): page_f1(r.score) for r in results if r.extractor in REFERENCES
    }
    harmed = [
        r
        for r in results
        if r.extractor not in REFERENCES
        and r.page_id in best
        and page_f1(r.score) < best[r.page_id] - HARM_MARGIN
    ]
    lines = [f"### {set_label}: harmed pages ({len(harmed)})", ""]
    lines.append("| id | site | url | extractor | P/R | F1 | trafilatura | precision | reason |")
    lines.append("|---|---|---|---|---|---:|---:|---:|---|")
    for r in sorted(harmed, key=lambda r: page_f1(r.score) - best[r.page_id]):
        precision, recall = page_precision_recall(r.score)
        lines.append(
            f"| {r.page_id} | {r.site} | {urls.get(r.page_id, '')} | {r.extractor} "
            f"| {precision:.2f}/{recall:.2f} | {page_f1(r.score):.2f} "
            f"| {reference_f1[(r.page_id, REFERENCES[0])]:.2f} "
            f"| {reference_f1[(r.page_id, REFERENCES[1])]:.2f} | {r.reason or ''} |"
        )
    return "\n".join(lines)


def format_cross_sites(
    set_label: str, results: list[PageResult], extractors: tuple[str, ...], folds: int
) -> str:
    """Figures per site fold (`bench.folds`): pages, sites, F1 (P/R) and harm of every extractor."""
    best = best_reference(results)
    by_fold: dict[int, list[PageResult]] = defaultdict(list)
    for result in results:
        by_fold[site_fold(result.site, folds)].append(result)
    header = "| fold | sites | pages | " + " | ".join(f"{n} P/R/F1 harm" for n in extractors)
    lines = [
        f"### {set_label} by site fold ({folds} folds)",
        "",
        header + " |",
        "|---:|---:|---:|" + "---|" * len(extractors),
    ]
    for fold in sorted(by_fold):
        fold_results = by_fold[fold]
        cells = []
        for name in extractors:
            mine = [r for r in fold_results if r.extractor == name]
            f = figures_for(mine)
            counts = harm_help(mine, best) if mine else None
            harm = f" {counts[0]}" if counts else ""
            cells.append(f"{f.precision:.4f}/{f.recall:.4f}/{f.f1:.4f}{harm}")
        sites = len({r.site for r in fold_results})
        pages = len({r.page_id for r in fold_results})
        lines.append(f"| {fold} | {sites} | {pages} | " + " | ".join(cells) + " |")
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
    parser.add_argument(
        "--harm-list", action="store_true", help="also list the pages harmed against trafilatura"
    )
    parser.add_argument(
        "--cross-sites",
        type=int,
        default=0,
        metavar="K",
        help="also print the figures of each of K site folds (bench.folds)",
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
        best = best_reference(results)
        for name in extractors:
            mine = [r for r in results if r.extractor == name]
            rows.append(summary_row(label, name, mine, best))
            print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
            for r in mine:
                if r.error:
                    print(f"  {label} {r.page_id} {name}: {r.error}", file=sys.stderr)
        if args.by_site:
            site_tables.append(format_by_site(label, results, extractors, args.min_site_pages))
        if args.cross_sites > 1:
            site_tables.append(format_cross_sites(label, results, extractors, args.cross_sites))
        if args.harm_list:
            site_tables.append(format_harm_list(label, pages, results))
        if args.json:
            per_page.extend(
                {
                    "set": label,
                    "id": r.page_id,
                    "site": r.site,
                    "extractor": r.extractor,
                    "seconds": r.seconds,
                    "error": r.error,
                    "f1": page_f1(r.score),
                    "reason": r.reason,
                    "title_body": asdict(r.title_body) if r.title_body else None,
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
