"""What the cleaner stages share while cleaning one page: rules, known metadata, removals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cleaners.article import Removal
from cleaners.rules import OutletRules

NO_RULES = OutletRules(id="")
# Blocks longer than this many characters are not scanned for link text (see block_link_share).
MAX_LINK_SCAN_CHARS = 400
# Link texts are bucketed by their first characters so a block is only compared with the links
# that can occur in it (a link inside a text starts with one of the text's character n-grams).
LINK_PREFIX_CHARS = 3


def last_two_host_labels(url: str | None) -> str | None:
    """The last two labels of a URL's host ("news.example" for "https://www.news.example/a")."""
    host = urlsplit(url).hostname if url else None
    return ".".join(host.split(".")[-2:]) if host else None


def is_internal_link(href: str, site: str | None) -> bool:
    """True for a relative link, or an absolute one to the same site (any when site unknown)."""
    href = href.strip()
    if href.startswith(("mailto:", "javascript:", "tel:")):
        return False
    if "//" not in href[:10]:
        return True  # relative: "/local/story", "story.html", "?page=2", "#top"
    host = href.split("//", 1)[1].split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].lower()
    return site is None or host == site or host.endswith("." + site)


def page_key(url: str) -> str:
    """A URL without scheme, "www.", query, fragment and trailing slash: to compare pages."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def is_in_page_anchor(href: str, pages: set[str]) -> bool:
    """True for a link to a spot on the page itself: "#section", the page's URL + "#section" (a
    table of contents pointing at the article's own headings), or no href at all."""
    href = href.strip()
    # An <a> without href is a script's button or a table of contents' entry, no other page.
    if not href or href.startswith("#"):
        return True
    if "#" not in href or not pages:
        return False
    return page_key(href.split("#", 1)[0]) in pages


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-level piece of the extracted text.

    `kind` is "p", "heading", "item" (a list item), "quote" or "row" (a table row);
    `link_share` is the share of its characters that are link text on the page (0.0 to 1.0),
    filled in when the text stage starts (see `CleaningContext.block_link_share`).
    """

    text: str
    kind: str = "p"
    link_share: float = 0.0


@dataclass(slots=True)
class CleaningContext:
    """Per-page state: outlet rules, title and headline to compare with, and the audit trail.

    Cleaners record every removal through `remove()`; the text stage may fill `updated` from a
    timestamp line when the page metadata had none.
    """

    rules: OutletRules = NO_RULES
    url: str | None = None
    # The page's canonical URL: names the site when the page came without a URL.
    canonical_url: str | None = None
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
    _all_link_texts: frozenset[str] | None = None
    _links: list[tuple[str, str]] = field(default_factory=list)
    _links_by_prefix: dict[str, list[str]] = field(default_factory=dict)
    # Two-character link texts ("EU", "Mr"): tested on their own, not through 2-gram buckets.
    _short_links: list[str] = field(default_factory=list)

    def collect_links(self) -> None:
        """Read the page's links once: (text, href) pairs, and the set of all link texts."""
        if self._all_link_texts is not None:
            return
        pairs = []
        for anchor in self.page.iter("a") if self.page is not None else ():
            # Most links are one text node: its text is what itertext() would join.
            raw = " ".join(anchor.itertext()) if len(anchor) else anchor.text
            text = " ".join(raw.split()) if raw else ""
            if text:
                pairs.append((text, anchor.get("href", "")))
        self._links = pairs
        self._all_link_texts = frozenset(text for text, _href in pairs)
        for text in self._all_link_texts:
            if len(text) >= LINK_PREFIX_CHARS:
                self._links_by_prefix.setdefault(text[:LINK_PREFIX_CHARS], []).append(text)
            elif len(text) > 1:
                self._short_links.append(text)

    def link_texts(self) -> frozenset[str]:
        """Texts of the page's links to its own site (computed once, on first use).

        Teasers ("More from ...") point into the site; a closing list of references or external
        links is part of the article and is left out here, so it never looks like a teaser list.
        """
        if self._link_texts is None:
            self.collect_links()
            site = last_two_host_labels(self.url)
            self._link_texts = frozenset(
                text for text, href in self._links if is_internal_link(href, site)
            )
        return self._link_texts

    def link_share(self, text: str) -> float:
        """The share of `text` taken by the longest own-site link inside it: 1.0 for a bare link."""
        text = " ".join(text.split())
        if not text:
            return 0.0
        links = self.link_texts()
        if text in links:
            return 1.0
        longest = max((len(link) for link in links if link in text), default=0)
        return longest / len(text)

    def single_link_share(self, text: str) -> float:
        """The share of `text` taken by the longest link inside it that leads off the spot.

        Unlike `block_link_share`, link texts are not summed: a heading made of words that are
        also tag links ("Direction", "Commitment") is not a link. Only links into the site
        count (a teaser leads to another post, a listicle's heading to a shop), and not in-page
        anchors ("#section", a table of contents pointing at the heading itself).
        """
        self.collect_links()
        text = " ".join(text.split())
        if not text:
            return 0.0
        site = last_two_host_labels(self.url or self.canonical_url)
        pages = {page_key(u) for u in (self.url, self.canonical_url) if u}
        longest = max(
            (
                len(link)
                for link, href in self._links
                if link in text
                and not is_in_page_anchor(href, pages)
                and is_internal_link(href, site)
            ),
            default=0,
        )
        return longest / len(text)

    def block_link_share(self, text: str) -> float:
        """The share of `text` made of the page's link texts (any link), for `Block.link_share`.

        Blocks longer than MAX_LINK_SCAN_CHARS are prose and count as unlinked: scanning every
        link against every long paragraph would cost more than it tells.
        """
        self.collect_links()
        links = self._all_link_texts or frozenset()
        text = " ".join(text.split())
        if not text or not links:
            return 0.0
        if text in links:
            return 1.0
        if len(text) > MAX_LINK_SCAN_CHARS:
            return 0.0
        buckets = self._links_by_prefix
        if len(buckets) < len(text):
            prefixes = [prefix for prefix in buckets if prefix in text]
        else:
            # The text's n-grams, built by zip at C speed, met with the buckets' prefixes.
            shifted = (text[i:] for i in range(LINK_PREFIX_CHARS))
            grams = set(map("".join, zip(*shifted, strict=False)))
            prefixes = grams & buckets.keys()
        linked = sum(len(link) for prefix in prefixes for link in buckets[prefix] if link in text)
        linked += sum(len(link) for link in self._short_links if link in text)
        return min(1.0, linked / len(text))

    def remove(self, cleaner: str, text: str) -> None:
        """Record that `cleaner` took `text` out (whitespace collapsed, empty text ignored)."""
        collapsed = " ".join(text.split())
        if collapsed:
            self.removed.append(Removal(cleaner=cleaner, text=collapsed))
