"""What the cleaner stages share while cleaning one page: rules, known metadata, removals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cleaners.article import Removal
from cleaners.rules import OutletRules

NO_RULES = OutletRules(id="")


def site_of(url: str | None) -> str | None:
    """The last two labels of a URL's host ("news.example" for "https://www.news.example/a")."""
    host = urlsplit(url).hostname if url else None
    return ".".join(host.split(".")[-2:]) if host else None


def is_internal_link(href: str, site: str | None) -> bool:
    """True for a relative link, or an absolute one to the same site (any when site unknown)."""
    href = href.strip()
    if not href or href.startswith(("#", "/", "?")) or "://" not in href[:12]:
        return not href.startswith(("mailto:", "javascript:", "tel:"))
    host = urlsplit(href).hostname or ""
    return site is None or host == site or host.endswith("." + site)


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-level piece of the extracted text.

    `kind` is "p", "heading", "item" (a list item), "quote" or "row" (a table row).
    """

    text: str
    kind: str = "p"


@dataclass(slots=True)
class CleaningContext:
    """Per-page state: outlet rules, title and headline to compare with, and the audit trail.

    Cleaners record every removal through `remove()`; the text stage may fill `updated` from a
    timestamp line when the page metadata had none.
    """

    rules: OutletRules = NO_RULES
    url: str | None = None
    title: str | None = None
    headlines: tuple[str, ...] = ()
    updated: str | None = None
    published: str | None = None
    removed: list[Removal] = field(default_factory=list)
    # The parsed page after the tree stage (an lxml HtmlElement), for lookups the text stage needs.
    page: Any = None
    # The tree stage's one-pass index of the page (cleaners.tree.TreeIndex) while it runs.
    tree_index: Any = None
    _link_texts: frozenset[str] | None = None

    def link_texts(self) -> frozenset[str]:
        """Texts of the page's links to its own site (computed once, on first use).

        Teasers ("More from ...") point into the site; a closing list of references or external
        links is part of the article and is left out here, so it never looks like a teaser list.
        """
        if self._link_texts is None:
            links = self.page.iter("a") if self.page is not None else ()
            site = site_of(self.url)
            texts = (
                " ".join(" ".join(a.itertext()).split())
                for a in links
                if is_internal_link(a.get("href", ""), site)
            )
            self._link_texts = frozenset(t for t in texts if t)
        return self._link_texts

    def link_share(self, text: str) -> float:
        """The share of `text` taken by the longest page link inside it: 1.0 for a bare link."""
        text = " ".join(text.split())
        if not text:
            return 0.0
        links = self.link_texts()
        if text in links:
            return 1.0
        longest = max((len(link) for link in links if link in text), default=0)
        return longest / len(text)

    def remove(self, cleaner: str, text: str) -> None:
        """Record that `cleaner` took `text` out (whitespace collapsed, empty text ignored)."""
        collapsed = " ".join(text.split())
        if collapsed:
            self.removed.append(Removal(cleaner=cleaner, text=collapsed))
