"""Per-cleaner audit on a gold set: how much removed text was reference text.

For every page, each `Removal` the cleaners recorded is compared with the gold text on the
metric's 4-token shingles: `gold` counts removed shingles that are in the gold and missing from
the body (recall the cleaner may have cost), `other` the removed shingles that are not in the gold
(boilerplate it took out). Run before and after a change to a cleaner:

    python -m bench.removals GOLD.jsonl.gz [--limit N] [--jobs 2] [--pages 5]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path

from bench.metric import shingles
from bench.quality import read_gold_set


def audit_page(page: dict) -> tuple[str, dict[str, tuple[int, int]]]:
    """Per cleaner (gold shingles lost, other shingles removed) on one page."""
    from cleaners import extract_article
    from cleaners.errors import ExtractionError

    gold = page.get("gold")
    if not gold:
        return page.get("id", ""), {}
    try:
        article = extract_article(page["html"], page.get("url"))
    except ExtractionError:
        return page.get("id", ""), {}
    gold_shingles = shingles(gold)
    missing = gold_shingles - shingles(article.body)
    removed: dict[str, Counter[str]] = defaultdict(Counter)
    for removal in article.removed:
        removed[removal.cleaner] += shingles(removal.text)
    counts = {}
    for cleaner, found in removed.items():
        lost = sum((found & missing).values())
        other = sum((found - gold_shingles).values())
        counts[cleaner] = (lost, other)
    return page.get("id", ""), counts


def main(argv: list[str] | None = None) -> int:
    """Print per-cleaner totals and the pages where each cleaner removed most gold text."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold_sets", nargs="+", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--pages", type=int, default=5, help="worst pages listed per cleaner")
    args = parser.parse_args(argv)
    for path in args.gold_sets:
        pages = list(read_gold_set(path, args.limit))
        with Pool(args.jobs) as pool:
            results = pool.map(audit_page, pages, chunksize=4)
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        worst: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for page_id, counts in results:
            for cleaner, (lost, other) in counts.items():
                totals[cleaner][0] += lost
                totals[cleaner][1] += other
                if lost:
                    worst[cleaner].append((lost, page_id))
        print(f"{path.name}: {len(pages)} pages")
        print(f"  {'cleaner':32} {'gold lost':>10} {'other':>10}")
        for cleaner, (lost, other) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
            top = ", ".join(
                f"{pid}:{n}" for n, pid in sorted(worst[cleaner], reverse=True)[: args.pages]
            )
            print(f"  {cleaner:32} {lost:>10} {other:>10}  {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
