"""Learning an outlet's boilerplate from counts: thresholds, counts, the profile (pure).

Each page of an outlet adds one to the count of every distinct block it holds (`BlockStats`);
a block on enough of the outlet's pages (`ProfileThresholds`) is learned as its boilerplate
(`BoilerplateProfile`). `OutletCounts` keeps one crawl's counts per outlet current as pages come
in and leave the window, and relearns the profiles; where the counts are kept between runs is
the store's business (`storage.boilerplate`), handed in and out as plain data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cleaners.profile.blocks import SHORT_LINE_WORDS, PageBlock, PageBlocks


@dataclass(frozen=True, slots=True)
class ProfileThresholds:
    """When a recurring block counts as an outlet's boilerplate.

    Nothing is learned before `min_pages` pages; a block of at most `short_max_words` words
    must be on `short_share` of the pages, a longer one on `long_share` (a quote repeated in a
    few follow-up stories stays); every block needs `min_block_pages` pages at least, and a
    paragraph `min_paragraph_pages` (early in a crawl a run of follow-ups can fill half of an
    outlet's pages).
    """

    min_pages: int = 5
    short_max_words: int = SHORT_LINE_WORDS
    short_share: float = 0.3
    long_share: float = 0.6
    min_block_pages: int = 3
    min_paragraph_pages: int = 5
    max_words: int = 200

    def required_pages(self, words: int, pages: int) -> int:
        """How many of `pages` pages a block of `words` words must be seen on."""
        if words <= self.short_max_words:
            return max(self.min_block_pages, _ceil(self.short_share * pages))
        least = max(self.min_block_pages, self.min_paragraph_pages)
        return max(least, _ceil(self.long_share * pages))


DEFAULT_THRESHOLDS = ProfileThresholds()
# Counts describe an outlet's this many most recently recorded pages (0: every page): memory and
# tables stay bounded on a long-crawled outlet, and a template the outlet dropped is forgotten.
DEFAULT_WINDOW_PAGES = 1000


def _ceil(value: float) -> int:
    whole = int(value)
    return whole + (value - whole > 1e-9)


@dataclass(slots=True)
class BlockStats:
    """Per-outlet counts: pages seen, and on how many distinct pages each block appeared."""

    outlet_id: str
    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    samples: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add_page(self, blocks: Iterable[PageBlock]) -> None:
        """Count one page's distinct blocks."""
        self.pages += 1
        for block in {b.fingerprint: b for b in blocks}.values():
            self.counts[block.fingerprint] += 1
            self.samples.setdefault(block.fingerprint, (block.text, block.words))

    def remove_page(self, fingerprints: Iterable[str]) -> None:
        """Uncount a page (re-crawled with other blocks, or deleted)."""
        self.pages = max(0, self.pages - 1)
        for print_ in set(fingerprints):
            self.counts[print_] -= 1
            if self.counts[print_] <= 0:
                del self.counts[print_]
                self.samples.pop(print_, None)


@dataclass(frozen=True, slots=True)
class LearnedBlock:
    """A block learned as boilerplate: seen on `pages` of the outlet's pages."""

    fingerprint: str
    text: str
    words: int
    pages: int

    @property
    def kind(self) -> str:
        """ "line" for a short block, "paragraph" for a longer one."""
        return "line" if self.words <= SHORT_LINE_WORDS else "paragraph"


@dataclass(frozen=True, slots=True)
class BoilerplateProfile:
    """An outlet's learned boilerplate: the blocks to remove and how often each was seen."""

    outlet_id: str
    pages: int
    blocks: Mapping[str, LearnedBlock] = field(default_factory=dict)

    def __contains__(self, print_: object) -> bool:
        return print_ in self.blocks

    def __len__(self) -> int:
        return len(self.blocks)

    def reason(self, print_: str) -> str:
        """Why a block is removed: "seen on 11 of 12 pages of outlet example"."""
        block = self.blocks[print_]
        return f"seen on {block.pages} of {self.pages} pages of outlet {self.outlet_id}"

    def listing(self) -> list[LearnedBlock]:
        """The learned blocks, most frequent first (ties by text), for a listing or a report."""
        return sorted(self.blocks.values(), key=lambda b: (-b.pages, b.text, b.fingerprint))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (blocks in listing order)."""
        return {
            "outlet_id": self.outlet_id,
            "pages": self.pages,
            "blocks": [
                {"fingerprint": b.fingerprint, "text": b.text, "words": b.words, "pages": b.pages}
                for b in self.listing()
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BoilerplateProfile:
        blocks = {
            b["fingerprint"]: LearnedBlock(b["fingerprint"], b["text"], b["words"], b["pages"])
            for b in data.get("blocks", [])
        }
        return cls(outlet_id=data["outlet_id"], pages=data["pages"], blocks=blocks)


def learn_profile(
    stats: BlockStats, thresholds: ProfileThresholds = DEFAULT_THRESHOLDS
) -> BoilerplateProfile:
    """The boilerplate an outlet's counts support under `thresholds` (empty below min_pages)."""
    blocks: dict[str, LearnedBlock] = {}
    if stats.pages >= thresholds.min_pages:
        for print_, count in stats.counts.items():
            text, words = stats.samples.get(print_, ("", 0))
            if words > thresholds.max_words:
                continue
            if count >= thresholds.required_pages(words, stats.pages):
                blocks[print_] = LearnedBlock(print_, text, words, count)
    return BoilerplateProfile(stats.outlet_id, stats.pages, blocks)


def learn_from_pages(
    outlet_id: str,
    pages: Iterable[PageBlocks | Iterable[PageBlock]],
    thresholds: ProfileThresholds = DEFAULT_THRESHOLDS,
) -> BoilerplateProfile:
    """Count the pages' blocks and learn the outlet's profile in one call."""
    stats = BlockStats(outlet_id)
    for page in pages:
        stats.add_page(page.blocks.values() if isinstance(page, PageBlocks) else page)
    return learn_profile(stats, thresholds)


# --- Counts kept current through a crawl -----------------------------------------------------


class FrequentBlocks:
    """An outlet's fingerprints grouped by how many pages they were seen on, from `floor` up.

    Relearning a profile used to walk every block an outlet ever had, nearly all of them seen on
    one page (the stories' own text), and did so each time the outlet grew by a twentieth:
    most of the crawl process's time in a long crawl of a big outlet. No block under the
    thresholds' floor can be learned, so only the few above it are kept here, by count.
    """

    def __init__(self, floor: int, counts: Counter[str]) -> None:
        self.floor = max(1, floor)
        self.by_pages: dict[int, set[str]] = {}
        for print_, pages in counts.items():
            if pages >= self.floor:
                self.by_pages.setdefault(pages, set()).add(print_)

    def moved(self, print_: str, before: int, after: int) -> None:
        """Note that a block went from `before` pages to `after` pages."""
        if before == after:
            return
        if before >= self.floor:
            group = self.by_pages[before]
            group.discard(print_)
            if not group:
                del self.by_pages[before]
        if after >= self.floor:
            self.by_pages.setdefault(after, set()).add(print_)

    def at_least(self, pages: int) -> Counter[str]:
        """Blocks seen on at least `pages` pages (and the floor), with their counts."""
        least = max(pages, self.floor)
        return Counter({
            print_: count
            for count, group in self.by_pages.items() if count >= least
            for print_ in group
        })


class OutletCounts:
    """One crawl's block counts per outlet, kept current, and the profiles learned from them.

    The store hands in an outlet's counts (`add_outlet`) and, for a page counted before, the
    fingerprints it was counted with; this counts pages in, uncounts the pages that fell out of
    the window, and relearns an outlet's profile as its pages come in.
    """

    def __init__(self, thresholds: ProfileThresholds) -> None:
        self.thresholds = thresholds
        self.stats: dict[str, BlockStats] = {}
        self._frequent: dict[str, FrequentBlocks] = {}
        self._profiles: dict[str, BoilerplateProfile] = {}
        # Pages recorded per outlet, and how many it had when last relearned: the window keeps
        # `stats.pages` from growing, so growth in pages cannot time relearning.
        self._recorded: Counter[str] = Counter()
        self._learned_at: dict[str, int] = {}

    def add_outlet(self, stats: BlockStats) -> BlockStats:
        """Start from an outlet's stored counts."""
        self.stats[stats.outlet_id] = stats
        floor = self.thresholds.min_block_pages
        self._frequent[stats.outlet_id] = FrequentBlocks(floor, stats.counts)
        return stats

    def profile_for(self, outlet_id: str) -> BoilerplateProfile:
        """The outlet's profile from its current counts (relearned as pages come in).

        Relearning walks the outlet's frequent blocks, so past 20 pages it waits until a
        twentieth of the outlet's pages has been recorded since the last time.
        """
        stats = self.stats[outlet_id]
        profile = self._profiles.get(outlet_id)
        since = self._recorded[outlet_id] - self._learned_at.get(outlet_id, 0)
        if profile is None or since >= max(1, profile.pages // 20):
            profile = self._profiles[outlet_id] = self.learn(stats)
            self._learned_at[outlet_id] = self._recorded[outlet_id]
        return profile

    def learn(self, stats: BlockStats) -> BoilerplateProfile:
        """`learn_profile(stats)`, looking only at blocks seen on enough pages to qualify."""
        thresholds = self.thresholds
        # A block's required pages depend on its words only through short line or paragraph.
        least = min(
            thresholds.required_pages(words, stats.pages)
            for words in (thresholds.short_max_words, thresholds.short_max_words + 1)
        )
        candidates = BlockStats(stats.outlet_id, stats.pages, samples=stats.samples)
        candidates.counts = self._frequent[stats.outlet_id].at_least(least)
        return learn_profile(candidates, thresholds)

    def count_page(self, outlet_id: str, blocks: list[PageBlock], old: list[str] | None) -> bool:
        """Count one page's distinct blocks for its loaded outlet; `old` is what the page was
        counted with before (None: never), replaced by `blocks`. False when nothing changed."""
        if old is not None and sorted(old) == sorted(b.fingerprint for b in blocks):
            return False
        stats = self.stats[outlet_id]
        self._recorded[outlet_id] += 1
        counts = stats.counts
        frequent = self._frequent[outlet_id]
        floor = frequent.floor
        if old is None:  # a page counted for the first time: the common case, in one pass
            stats.pages += 1
            samples = stats.samples
            # Most blocks are on one page for ever (the story's own text); their samples are
            # kept once they are on a second page (what no profile can take needs none).
            sampled = min(floor, 2)
            for print_, text, words in blocks:
                before = counts.get(print_, 0)
                counts[print_] = before + 1
                if before + 1 >= sampled:
                    samples.setdefault(print_, (text, words))
                    if before + 1 >= floor:
                        frequent.moved(print_, before, before + 1)
            return True
        touched = {b.fingerprint: counts.get(b.fingerprint, 0) for b in blocks}
        touched.update((print_, counts.get(print_, 0)) for print_ in old)
        stats.remove_page(old)
        stats.add_page(blocks)
        for print_, before in touched.items():
            after = counts.get(print_, 0)
            if before >= floor or after >= floor:
                frequent.moved(print_, before, after)
        return True

    def uncount(self, outlet_id: str, evicted: list[list[str]]) -> None:
        """Take pages that fell out of the window out of the counts held here.

        The count changes are summed per block first: a window full of pages evicts one page
        for every page recorded, and the site's furniture, on nearly every page, then moves
        once a write instead of once a page.
        """
        stats = self.stats.get(outlet_id)
        if stats is None or not evicted:
            return
        stats.pages = max(0, stats.pages - len(evicted))
        deltas = Counter(print_ for fingerprints in evicted for print_ in set(fingerprints))
        counts, samples = stats.counts, stats.samples
        frequent = self._frequent[outlet_id]
        floor = frequent.floor
        for print_, delta in deltas.items():
            was = counts.get(print_, 0)
            now = max(0, was - delta)
            if now:
                counts[print_] = now
            else:
                counts.pop(print_, None)
                samples.pop(print_, None)
            if was >= floor:
                frequent.moved(print_, was, now)
