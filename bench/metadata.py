"""Metadata against gold: headline, publication day and authors, ours and trafilatura's.

    python -m bench.metadata ../shared/corpora/wcxb_dev.jsonl.gz --jobs 2 [--limit 100]
        [--split all|tune|holdout] [--show 20] [--show-reference]

Every page is extracted by `cleaners.extract_article(html, url)` ("ours") and by trafilatura's
`bare_extraction(html, url=url, with_metadata=True)` ("trafilatura") in the same worker. On a set
whose records carry `"meta": {"title", "authors", "published"}`, each field is scored over the
pages whose gold has it (bench/README.md gives the rules); a page an extractor refuses counts as
wrong. Every set also gets two checks that need no gold: the share of titles that agree with one of
the page's <h1> texts (by the title rule) and the count of publication dates after the run's time.
`--split` keeps the pages of half the sites (a stable hash of `site`): tune on one half, report
the other.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import time
import unicodedata
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml.html import document_fromstring
from trafilatura import bare_extraction

from bench.quality import WARM_UP_PAGE, read_gold_set, set_name
from cleaners.errors import ExtractionError
from cleaners.extract import extract_article

FIELDS = ("published", "title", "authors")
EXTRACTORS = ("ours", "trafilatura")
WORD_RE = re.compile(r"\w+")
# A byline lead the author rule ignores ("By Jane Doe", "Von Hans Meier").
BY_LEAD_RE = re.compile(r"^(?:by|von|par|por)\s+", re.IGNORECASE)
# Title containment: the shorter text at least this share of the longer's length.
TITLE_CONTAINED_SHARE = 0.8


def normalise(text: str | None) -> str:
    """NFKC, lower case, `\\w+` runs joined by single spaces (the scoring form of a text)."""
    return " ".join(WORD_RE.findall(unicodedata.normalize("NFKC", text or "").lower()))


def title_matches(gold: str | None, ours: str | None) -> bool:
    """Equal after normalising, or one contains the other and is >= 80% of its length."""
    gold_text, our_text = normalise(gold), normalise(ours)
    if not gold_text or not our_text:
        return False
    if gold_text == our_text:
        return True
    shorter, longer = sorted((gold_text, our_text), key=len)
    return shorter in longer and len(shorter) >= TITLE_CONTAINED_SHARE * len(longer)


def name_words(name: str) -> frozenset[str]:
    """The word set of an author name, a leading "By"/"Von"/"Par"/"Por" left out."""
    return frozenset(normalise(BY_LEAD_RE.sub("", name.strip())).split())


def names_match(first: str, second: str) -> bool:
    """Two names match when the word set of one contains the other's."""
    a, b = name_words(first), name_words(second)
    return bool(a and b) and (a <= b or b <= a)


def authors_match(gold: list[str], ours: list[str]) -> bool:
    """Every gold name matches one of ours, and at most one of ours matches no gold name."""
    if not all(any(names_match(g, o) for o in ours) for g in gold):
        return False
    unmatched = sum(1 for o in ours if not any(names_match(g, o) for g in gold))
    return unmatched <= 1


def published_matches(gold: str | None, ours: str | None) -> bool:
    """The same calendar day: the first ten characters of the ISO values."""
    return bool(gold and ours) and gold[:10] == ours[:10]


SCORERS = {"published": published_matches, "title": title_matches, "authors": authors_match}


def gold_has(meta: dict, name: str) -> bool:
    """True when the gold metadata carries the field (a title, a date, at least one author)."""
    return bool(meta.get(name))


def h1_texts(html: str) -> list[str]:
    """The texts of the page's <h1> elements (for the gold-free title check)."""
    try:
        tree = document_fromstring(html)
    except Exception:  # a page lxml cannot read has no <h1> to compare with
        return []
    return [" ".join(h.text_content().split()) for h in tree.iter("h1")]


def ours(html: str, url: str | None) -> dict[str, Any]:
    """extract_article's title, authors and publication date (None when it refuses the page)."""
    try:
        article = extract_article(html, url)
    except ExtractionError:
        return {}
    # A page that names no person has its organisation as author in gold sets (bench/README.md).
    authors = article.authors or article.author_organisations
    return {"title": article.title, "authors": authors, "published": article.published}


def trafilatura(html: str, url: str | None) -> dict[str, Any]:
    """trafilatura's `bare_extraction(..., with_metadata=True)` title, authors and date."""
    try:
        document = bare_extraction(html, url=url, with_metadata=True)
    except Exception:  # trafilatura raises many error types on broken pages
        return {}
    if document is None:
        return {}
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return {"title": document.title, "authors": authors, "published": document.date}


RUNNERS = {"ours": ours, "trafilatura": trafilatura}


@dataclass(slots=True)
class PageResult:
    """One page: what each extractor found, the seconds it took, and the gold-free checks."""

    page_id: str
    site: str
    meta: dict
    found: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    h1s: list[str] = field(default_factory=list)


def _init_worker() -> None:
    for run in RUNNERS.values():  # one untimed call each: imports and tables paid before timing
        run(WARM_UP_PAGE, "https://example.org/warm-up")


def run_page(page: dict) -> PageResult:
    """Both extractions of one page."""
    result = PageResult(
        page_id=page.get("id") or page.get("url") or "",
        site=page.get("site") or "",
        meta=page.get("meta") or {},
        h1s=h1_texts(page["html"]),
    )
    for name, run in RUNNERS.items():
        start = time.perf_counter()
        result.found[name] = run(page["html"], page.get("url"))
        result.seconds[name] = time.perf_counter() - start
    return result


def in_split(page: dict, split: str) -> bool:
    """True when the page's site falls in the chosen half ("tune": even hash, "holdout": odd)."""
    if split == "all":
        return True
    odd = zlib.crc32((page.get("site") or "").encode()) % 2
    return bool(odd) == (split == "holdout")


def report(name: str, results: list[PageResult], args: argparse.Namespace) -> None:
    """Per-field accuracy of both extractors, gold-free checks, timings, and the wrong pages."""
    now = datetime.now(UTC).isoformat()
    right: Counter[tuple[str, str]] = Counter()
    bearing: Counter[str] = Counter()
    wrong: dict[tuple[str, str], list[str]] = defaultdict(list)
    for result in results:
        for field_name in FIELDS:
            if not gold_has(result.meta, field_name):
                continue
            bearing[field_name] += 1
            gold = result.meta[field_name]
            for extractor in EXTRACTORS:
                found = result.found[extractor].get(field_name)
                if SCORERS[field_name](gold, found or ([] if field_name == "authors" else None)):
                    right[extractor, field_name] += 1
                else:
                    wrong[extractor, field_name].append(
                        f"  {result.page_id} [{result.site}]: gold {gold!r} | got {found!r}"
                    )
    print(f"\n## {name}: {len(results)} pages")
    if bearing:
        print("| extractor | " + " | ".join(f"{f} ({bearing[f]})" for f in FIELDS) + " |")
        print("|---" + "|---:" * len(FIELDS) + "|")
        for extractor in EXTRACTORS:
            shares = (right[extractor, f] / max(bearing[f], 1) for f in FIELDS)
            print(f"| {extractor} | " + " | ".join(f"{s:.3f}" for s in shares) + " |")
    print("| extractor | title agrees with an <h1> (pages with one) | dates after now | pages/s |")
    print("|---|---:|---:|---:|")
    with_h1 = [r for r in results if any(r.h1s)]
    for extractor in EXTRACTORS:
        agree = sum(
            1
            for r in with_h1
            if any(title_matches(h, r.found[extractor].get("title")) for h in r.h1s)
        )
        future = sum(1 for r in results if (r.found[extractor].get("published") or "") > now)
        seconds = sum(r.seconds[extractor] for r in results)
        print(
            f"| {extractor} | {agree / max(len(with_h1), 1):.3f} ({len(with_h1)}) | {future} | "
            f"{len(results) / max(seconds, 1e-9):.1f} |"
        )
    shown = ("ours", "trafilatura") if args.show_reference else ("ours",)
    for extractor in shown:
        for field_name in FIELDS:
            lines = wrong[extractor, field_name]
            if lines and args.show:
                print(f"\n{extractor}: {field_name} wrong on {len(lines)} pages (gold | ours)")
                print("\n".join(lines if args.show < 0 else lines[: args.show]))


def main(argv: list[str] | None = None) -> None:
    """Score both extractors' metadata on each given gold set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="gold sets (.jsonl or .jsonl.gz)")
    parser.add_argument("--limit", type=int, default=None, help="pages per set")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--split", choices=("all", "tune", "holdout"), default="all")
    parser.add_argument("--show", type=int, default=20, help="wrong pages per field (-1: all)")
    parser.add_argument("--show-reference", action="store_true", help="trafilatura's wrong too")
    args = parser.parse_args(argv)
    with multiprocessing.Pool(args.jobs, initializer=_init_worker) as pool:
        for path in args.sets:
            pages = [p for p in read_gold_set(path, args.limit) if in_split(p, args.split)]
            results = pool.map(run_page, pages, chunksize=4)
            report(f"{set_name(path)} ({args.split})", results, args)


if __name__ == "__main__":
    main()
