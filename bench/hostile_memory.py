"""Peak memory of a crawl on hostile pages, next to a baseline of ordinary pages.

Serves pages on 127.0.0.1 and runs a real `scrapy crawl urls` over them (2 extraction workers,
SQLite), sampling the RSS of the crawl's whole process tree (crawl process and workers) from /proc:

- baseline: ordinary article pages (made from the fixture pages, as bench/throughput.py does);
- hostile: the same pages plus pages built to cost memory: a 9 MB page whose JSON-LD
  `articleBody` is most of it (1.3 GB in one process when parsed), a 6 MB page of filler
  paragraphs, a page whose JSON-LD is 2 MB, and a page with stray NUL bytes;
- hostile, JSON-LD cut off: only the page-size limit and the workers' memory ceiling hold;
- hostile, limits off: the same with CLEANNEWS_MAX_JSONLD_BYTES, CLEANNEWS_MAX_HTML_BYTES and
  CLEANNEWS_EXTRACT_WORKER_MEMORY_MB set to 0, i.e. what the limits save.

    python -m bench.hostile_memory                # 200 ordinary pages, 4 runs
    python -m bench.hostile_memory --pages 500 --keep /tmp/hostile
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
from pathlib import Path

from bench.throughput import build_site, crawl, serve

ARTICLE_BODY_PAGE_MB = 9


def hostile_pages(base: str) -> dict[str, bytes]:
    """Path -> bytes of the pages made to cost memory."""
    def page(title: str, head: str = "", body: str = "") -> bytes:
        paragraphs = "".join(  # distinct text per page, so none is stored as a duplicate
            f"<p>Paragraph {i} of a story ({title.lower()}) about the harbour board and the "
            "repairs that residents asked for at meetings this autumn in town.</p>"
            for i in range(8)
        )
        return (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"{head}</head><body><article><h1>{title}</h1>{paragraphs}{body}</article>"
            "</body></html>"
        ).encode()

    def jsonld(text_bytes: int) -> str:
        block = json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Huge",
            "articleBody": "The harbour board met on Tuesday. " * (text_bytes // 34),
        })
        return f"<script type='application/ld+json'>{block}</script>"

    return {
        "/hostile/article-body-9mb.html": page(
            "A 9 MB JSON-LD articleBody", head=jsonld(ARTICLE_BODY_PAGE_MB * 1024 * 1024)),
        "/hostile/jsonld-2mb.html": page("A 2 MB JSON-LD block", head=jsonld(2 * 1024 * 1024)),
        "/hostile/filler-6mb.html": page("Six megabytes of filler",
                                         body="<p>filler</p>" * 500_000),
        "/hostile/nul.html": page("Stray NUL bytes").replace(b"Paragraph 3", b"Para\x00graph 3"),
    }


def failures(db_path: Path) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        return {url: reason for url, reason in conn.execute("SELECT url, reason FROM failures")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="ordinary pages (200)")
    parser.add_argument("--workers", type=int, default=2, help="extraction workers (2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this folder")
    args = parser.parse_args(argv)

    site: dict[str, bytes] = {}
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site.update(build_site(args.pages, base, None, args.seed))
    ordinary = sorted(site)
    site.update(hostile_pages(base))
    hostile = sorted(set(site) - set(ordinary))
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="cleannews-hostile-"))
    no_limits = {"CLEANNEWS_MAX_JSONLD_BYTES": "0", "CLEANNEWS_MAX_HTML_BYTES": "0",
                 "CLEANNEWS_EXTRACT_WORKER_MEMORY_MB": "0"}
    runs = [
        ("ordinary pages (baseline)", ordinary, {}),
        ("ordinary + hostile pages, default limits", ordinary + hostile, {}),
        ("ordinary + hostile pages, JSON-LD cut off", ordinary + hostile,
         {"CLEANNEWS_MAX_JSONLD_BYTES": "0"}),
        ("ordinary + hostile pages, limits off", ordinary + hostile, no_limits),
    ]
    try:
        print(f"{len(ordinary)} ordinary pages, {len(hostile)} hostile pages "
              f"({sum(len(site[p]) for p in hostile) / 1e6:.1f} MB), {args.workers} workers")
        for number, (label, paths, settings) in enumerate(runs):
            run = crawl([base + p for p in paths], workdir / f"run-{number}", args.workers,
                        label, extra_settings=settings)
            stored = run.stats.get("cleannews/articles_stored", 0)
            hostile_failures = {url.removeprefix(base): reason
                                for url, reason in failures(run.db_path).items()
                                if url.removeprefix(base) in hostile}
            print(f"{label:<42} peak RSS {run.peak_rss_mb:7.0f} MB over {run.peak_processes} "
                  f"processes, {run.wall_seconds:5.1f} s, {stored} stored; "
                  f"hostile failures {hostile_failures or 'none'}")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
