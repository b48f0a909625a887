"""Every page's full Article (or refusal) over gold sets, saved and compared with an earlier run.

    python -m bench.snapshot GOLD.jsonl.gz [...] --save before.json.gz [--jobs 2]
    python -m bench.snapshot GOLD.jsonl.gz [...] --save after.json.gz --against before.json.gz

For changes that must not change the output (speed work): the body, every metadata field and the
removal audit of each page are compared, and the pages that differ are listed with the fields.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
from pathlib import Path
from typing import Any

from bench.quality import read_gold_set, set_name
from cleaners import extract_article
from cleaners.errors import ExtractionError


def page_result(job: tuple[str, str, str | None]) -> tuple[str, dict[str, Any]]:
    """The page's key and its Article as a dict, or the refusal's type and message."""
    key, html, url = job
    try:
        return key, extract_article(html, url).to_dict()
    except ExtractionError as err:
        return key, {"refused": type(err).__name__, "reason": str(err)}


def main(argv: list[str] | None = None) -> None:
    """Extract every page, save the results, and compare them with an earlier snapshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="gold sets (.jsonl or .jsonl.gz)")
    parser.add_argument("--save", type=Path, required=True, help="snapshot to write (.json.gz)")
    parser.add_argument("--against", type=Path, help="earlier snapshot to compare with")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--show", type=int, default=10, help="differing pages listed")
    args = parser.parse_args(argv)

    jobs = [
        (f"{set_name(path)}/{index}/{page.get('id')}", page["html"], page.get("url"))
        for path in args.sets
        for index, page in enumerate(read_gold_set(path))
    ]
    with multiprocessing.Pool(args.jobs) as pool:
        results = dict(pool.imap(page_result, jobs, chunksize=4))
    with gzip.open(args.save, "wt", encoding="utf-8") as out:
        json.dump(results, out)
    print(f"pages: {len(results)}; saved to {args.save}")
    if args.against is None:
        return
    with gzip.open(args.against, "rt", encoding="utf-8") as earlier_file:
        earlier = json.load(earlier_file)
    differing = [key for key in earlier if earlier[key] != results.get(key)]
    print(f"identical (body, every field, removals): {len(earlier) - len(differing)} of "
          f"{len(earlier)}; differing: {len(differing)}")
    for key in differing[: args.show]:
        before, after = earlier[key], results.get(key) or {}
        fields = sorted(name for name in before.keys() | after.keys()
                        if before.get(name) != after.get(name))
        print(f"  {key}: {', '.join(fields)}")


if __name__ == "__main__":
    main()
