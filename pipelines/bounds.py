"""Bounds on what one page may cost before it is parsed: size, JSON-LD blocks, worker memory.

A hostile (or broken) page can make a parser take many times its size in memory: a 9 MB page
whose JSON-LD block is most of it took 1.27 GB in an extraction worker. So, before any parsing:

- a JSON-LD `<script type="application/ld+json">` block larger than CLEANNEWS_MAX_JSONLD_BYTES is
  cut out of the bytes handed to the cleaners (the page is still cleaned; its metadata then comes
  from the other sources; the raw HTML stored is the page as fetched);
- a page still larger than CLEANNEWS_MAX_HTML_BYTES is refused as a `too_large` failure;
- each extraction worker runs under an address-space limit of CLEANNEWS_EXTRACT_WORKER_MEMORY_MB
  (`resource.RLIMIT_AS`, set by the worker itself): a page that needs more fails with a
  `memory_limit` failure, and the worker, whose heap may be left in any state, is replaced.
"""

from __future__ import annotations

import re

# A JSON-LD script element, its content in group 1 (bytes; any attribute order, any case).
JSONLD_RE = re.compile(
    rb"<script\b[^>]*?application/ld\+json[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)

MEMORY_LIMIT = "memory_limit"


def cut_oversized_jsonld(body: bytes, limit: int) -> tuple[bytes, int]:
    """`body` without the JSON-LD blocks whose content exceeds `limit` bytes; how many were cut.

    Pages no larger than the limit cannot hold such a block and are returned as they are.
    """
    if limit <= 0 or len(body) <= limit or b"ld+json" not in body.lower():
        return body, 0
    cut = 0

    def replace(match: re.Match[bytes]) -> bytes:
        nonlocal cut
        if len(match.group(1)) <= limit:
            return match.group(0)
        cut += 1
        return b""

    return JSONLD_RE.sub(replace, body), cut


def limit_address_space(megabytes: int) -> None:
    """Cap this process's address space (a worker calls it on start); 0 leaves it unlimited."""
    if megabytes <= 0:
        return
    import resource

    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
