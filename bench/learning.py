"""F1 with and without learned per-outlet boilerplate, for outlets with many pages and the rest.

    python -m bench.learning ../shared/corpora/dragnet.jsonl.gz \
        ../shared/corpora/cleanportal.jsonl.gz

Each gold set's pages are grouped by `site` (the outlet), as a crawler sees them. Pass 1 cleans
every page with `cleaners.extract_article` (the "without" figure) and collects its blocks; each
outlet's profile is learned from all its pages; pass 2 cleans the pages of outlets with a
non-empty profile again with it (the "with" figure). Pages of outlets with at least
`--many` pages form the "many" group, the others "rest" (there nothing can be learned below
`--min-pages`, so "rest" shows the guard costs nothing). Thresholds are the crawler's defaults
unless given. Benchmarks are not tests: this prints figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.metric import aggregate_shingles, score_shingles
from bench.quality import read_gold_set, set_name
from cleaners import extract_article
from cleaners.errors import ExtractionError
from cleaners.profile import BoilerplateProfile, PageBlock, ProfileThresholds, learn_from_pages
from reclean.commands import thresholds_from_args


@dataclass(slots=True)
class Cleaned:
    """One page cleaned: body (empty when refused) and the blocks collected for learning."""

    body: str
    blocks: list[PageBlock]


def page_url(page: dict) -> str | None:
    url = page.get("url")
    return url if isinstance(url, str) and url not in ("", "None") else None


def clean_without(page: dict) -> Cleaned:
    """Pass 1: the page cleaned without a profile, with its blocks."""
    try:
        article = extract_article(page["html"], page_url(page), collect_blocks=True)
    except ExtractionError:
        return Cleaned("", [])
    return Cleaned(article.body, article.blocks)


def clean_with(task: tuple[dict, BoilerplateProfile]) -> str:
    """Pass 2: the page cleaned with its outlet's profile."""
    page, profile = task
    try:
        return extract_article(page["html"], page_url(page), profile=profile).body
    except ExtractionError:
        return ""


def run(pages: list[dict], thresholds: ProfileThresholds, jobs: int, many: int) -> list[str]:
    """Figures lines for one gold set."""
    with multiprocessing.Pool(jobs) as pool:
        first = pool.map(clean_without, pages, chunksize=4)
        by_site: dict[str, list[int]] = defaultdict(list)
        for index, page in enumerate(pages):
            by_site[str(page.get("site"))].append(index)
        profiles: dict[str, BoilerplateProfile] = {
            site: learn_from_pages(site, (first[i].blocks for i in indexes), thresholds)
            for site, indexes in by_site.items()
        }
        relearn = [
            i for i, page in enumerate(pages) if profiles[str(page.get("site"))]
        ]
        second = pool.map(
            clean_with, [(pages[i], profiles[str(pages[i].get("site"))]) for i in relearn],
            chunksize=4,
        )
    with_profile = {i: body for i, body in zip(relearn, second, strict=True)}
    before = [score_shingles(page["gold"], first[i].body) for i, page in enumerate(pages)]
    after = [
        score_shingles(page["gold"], with_profile.get(i, first[i].body))
        for i, page in enumerate(pages)
    ]
    groups: dict[str, list[int]] = {"many": [], "rest": [], "all": list(range(len(pages)))}
    for index, page in enumerate(pages):
        groups["many" if len(by_site[str(page.get("site"))]) >= many else "rest"].append(index)
    sizes = sorted(len(p) for p in profiles.values() if p)
    median = sizes[len(sizes) // 2] if sizes else 0
    lines = [
        f"  outlets: {len(by_site)}, with >= {many} pages: "
        f"{sum(len(v) >= many for v in by_site.values())}, with a learned profile: "
        f"{len(sizes)} (median {median} blocks)"
    ]
    changes = [
        aggregate_shingles([after[i] for i in indexes]).f1
        - aggregate_shingles([before[i] for i in indexes]).f1
        for indexes in by_site.values()
        if len(indexes) >= many
    ]
    lines.append(
        f"  many-page outlets: F1 up on {sum(c > 0.0005 for c in changes)}, down on "
        f"{sum(c < -0.0005 for c in changes)}, same on {sum(abs(c) <= 0.0005 for c in changes)}"
    )
    for name, indexes in groups.items():
        a = aggregate_shingles([before[i] for i in indexes])
        b = aggregate_shingles([after[i] for i in indexes])
        lines.append(
            f"  {name:<5} pages {len(indexes):>5}  without P {a.precision:.4f} R {a.recall:.4f} "
            f"F1 {a.f1:.4f}  with P {b.precision:.4f} R {b.recall:.4f} F1 {b.f1:.4f}  "
            f"dF1 {b.f1 - a.f1:+.4f}"
        )
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults = ProfileThresholds()
    parser = argparse.ArgumentParser(
        prog="python -m bench.learning", description=__doc__.split("\n")[0]
    )
    parser.add_argument("gold_sets", nargs="+", type=Path, help="JSON Lines gold sets with `site`")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--many", type=int, default=5, help="pages that make an outlet 'many'")
    parser.add_argument("--min-pages", type=int, default=defaults.min_pages)
    parser.add_argument("--short-share", type=float, default=defaults.short_share)
    parser.add_argument("--long-share", type=float, default=defaults.long_share)
    parser.add_argument("--short-max-words", type=int, default=defaults.short_max_words)
    parser.add_argument("--min-block-pages", type=int, default=defaults.min_block_pages)
    parser.add_argument(
        "--min-paragraph-pages", type=int, default=defaults.min_paragraph_pages
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    thresholds = thresholds_from_args(args)
    print(f"thresholds: {thresholds}")
    for path in args.gold_sets:
        pages = [p for p in read_gold_set(path) if isinstance(p.get("gold"), str)]
        started = time.perf_counter()
        lines = run(pages, thresholds, max(1, args.jobs), args.many)
        print(f"{set_name(path)} ({len(pages)} pages, {time.perf_counter() - started:.0f} s)")
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
