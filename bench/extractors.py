"""Extractors the quality benchmark can score, by name: html + url in, main text out.

Built-in names are `ours` (`cleaners.extract_article`), `trafilatura` (default settings) and
`trafilatura_precision` (`favor_precision=True`); any `module:function` taking `(html, url)` and
returning text (or None) can be scored too, so users can compare their own extractor.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

Extractor = Callable[[str, "str | None"], str]

# The Article of the last `ours` call (None after a refusal), for the benchmark's title + body
# recall and its harm reasons; read right after the call, in the same process.
LAST_ARTICLE = None


def ours(html: str, url: str | None) -> str:
    """The project's pipeline; a page it refuses (ExtractionError) counts as empty output."""
    global LAST_ARTICLE
    from cleaners import extract_article
    from cleaners.errors import ExtractionError

    LAST_ARTICLE = None
    try:
        LAST_ARTICLE = extract_article(html, url)
    except ExtractionError:
        return ""
    return LAST_ARTICLE.body


def trafilatura_default(html: str, url: str | None) -> str:
    """trafilatura.extract with its defaults, comments excluded (the corpora's baseline call)."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def trafilatura_precision(html: str, url: str | None) -> str:
    """trafilatura.extract with `favor_precision=True`, comments excluded."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, favor_precision=True) or ""


def trafilatura_recall(html: str, url: str | None) -> str:
    """trafilatura.extract with `favor_recall=True`, comments excluded."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, favor_recall=True) or ""


BUILTIN: dict[str, Extractor] = {
    "ours": ours,
    "trafilatura": trafilatura_default,
    "trafilatura_precision": trafilatura_precision,
    "trafilatura_recall": trafilatura_recall,
}
DEFAULT_NAMES = ("ours", "trafilatura", "trafilatura_precision")


def resolve(name: str) -> Extractor:
    """A built-in extractor by name, or `package.module:function` imported on demand."""
    if name in BUILTIN:
        return BUILTIN[name]
    module_name, sep, function_name = name.partition(":")
    if not sep:
        known = ", ".join(BUILTIN)
        raise ValueError(f"unknown extractor {name!r}: use one of {known} or module:function")
    function = getattr(importlib.import_module(module_name), function_name)

    def call(html: str, url: str | None) -> str:
        return function(html, url) or ""

    return call
