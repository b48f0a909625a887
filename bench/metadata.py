"""Agreement and cost of extract_article's metadata against trafilatura's own metadata pass.

    python -m bench.metadata ../shared/corpora/*.jsonl.gz --jobs 2 [--limit 100] [--show 5]

Every page is extracted twice: as `extract_article` does now (`cleaners.page_metadata`) and with
trafilatura's own `extract_metadata` in its place (what `bare_extraction(with_metadata=True)`
runs), the reference. Printed per field: the share
of pages where both agree, a few disagreements, and the seconds each extraction took (the sum of
per-page times; compare the two within one run only).
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document

from bench.quality import read_gold_set, set_name
from cleaners import extract
from cleaners.errors import ExtractionError

FIELDS = (
    "title",
    "authors",
    "published",
    "updated",
    "language",
    "description",
    "site_name",
    "tags",
    "image",
    "canonical_url",
)


def trafilatura_metadata(tree: HtmlElement, url: str | None, date_params: dict) -> Document:
    """The reference: trafilatura's own metadata pass, as `with_metadata=True` runs it."""
    return extract_metadata(tree, url, date_params)


@contextmanager
def reference_metadata() -> Iterator[None]:
    """extract_article with trafilatura's own metadata pass instead of page_metadata."""
    current = extract.page_metadata
    extract.page_metadata = trafilatura_metadata
    try:
        yield
    finally:
        extract.page_metadata = current


def timed_article(page: dict) -> tuple[dict[str, Any] | None, float]:
    """The page's Article as a dict (None when refused) and the seconds extraction took."""
    start = time.perf_counter()
    try:
        article = extract.extract_article(page["html"], page.get("url")).to_dict()
    except ExtractionError:
        article = None
    return article, time.perf_counter() - start


def compare_page(page: dict) -> dict[str, Any]:
    """Both extractions of one page: per-field values, body equality and timings."""
    with reference_metadata():
        reference, reference_seconds = timed_article(page)
    current, current_seconds = timed_article(page)
    fields = {}
    if reference is not None and current is not None:
        fields = {name: (reference[name], current[name]) for name in FIELDS}
    return {
        "id": page.get("id") or page.get("url") or "",
        "refused": (reference is None, current is None),
        "same_body": (reference or {}).get("body") == (current or {}).get("body"),
        "fields": fields,
        "seconds": (reference_seconds, current_seconds),
    }


def main(argv: list[str] | None = None) -> None:
    """Print per-field agreement, disagreements and timings over the given gold sets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="gold sets (.jsonl or .jsonl.gz)")
    parser.add_argument("--limit", type=int, default=None, help="pages per set")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--show", type=int, default=5, help="disagreements shown per field")
    args = parser.parse_args(argv)

    pages = [page for path in args.sets for page in read_gold_set(path, args.limit)]
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(compare_page, pages, chunksize=4)

    agree: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    compared = sum(1 for result in results if result["fields"])
    for result in results:
        for name, (reference, current) in result["fields"].items():
            if reference == current:
                agree[name] += 1
            elif len(examples[name]) < args.show:
                examples[name].append(f"  {result['id']}: {reference!r} -> {current!r}")
    reference_seconds = sum(result["seconds"][0] for result in results)
    current_seconds = sum(result["seconds"][1] for result in results)

    print(f"sets: {', '.join(set_name(path) for path in args.sets)}; pages: {len(pages)}")
    print(f"both extracted: {compared}; refused differently: ", end="")
    print(sum(1 for r in results if r["refused"][0] != r["refused"][1]))
    print(f"same body text: {sum(1 for r in results if r['same_body'])} of {len(pages)}")
    print("| field | agree | share |\n|---|---:|---:|")
    for name in FIELDS:
        print(f"| {name} | {agree[name]} | {agree[name] / max(compared, 1):.4f} |")
    print(
        f"seconds: reference {reference_seconds:.1f}, current {current_seconds:.1f} "
        f"(current/reference {current_seconds / max(reference_seconds, 1e-9):.3f})"
    )
    for result in results:
        if result["refused"][0] != result["refused"][1]:
            refused_by = "current" if result["refused"][1] else "reference"
            print(f"refused by {refused_by} only: {result['id']}")
    for name in FIELDS:
        if examples[name]:
            print(f"disagreements in {name} (reference -> current):")
            print("\n".join(examples[name]))


if __name__ == "__main__":
    main()
