"""Learned per-outlet boilerplate: what repeats across an outlet's pages is its template.

No single-page extractor can tell a site's comment-system notice or "More Must-Reads" heading
from journalism; across many pages of one outlet we can. Each page contributes the set of its
normalised text blocks (`blocks`: block-level elements of the parsed tree, read in one pass); a
block seen on a large share of the outlet's pages is boilerplate for that outlet (`learn`) and a
cleaner stage of its own removes it (`stage`), before trafilatura (the element) and after it (a
paragraph that still matches).

Guards against removing real text:
- nothing is learned before `min_pages` pages of the outlet were seen;
- short lines (a disclaimer, "Related stories") and long paragraphs (which may be a quote or a
  background paragraph repeated in follow-up stories) have separate share thresholds;
- a block that is part of the page's structured `articleBody` (JSON-LD, or inside an
  `itemprop="articleBody"` element) is never removed from that page.

Counts are sums over distinct pages, so the same pages give the same profile in any order. All
of it is plain data and pure functions: the counts are kept between runs by the store
(`storage.boilerplate`).
"""

from __future__ import annotations

from cleaners.profile.blocks import (
    BLOCK_FORMAT_VERSION,
    BLOCK_TAGS,
    CLEANER_NAME,
    MAX_CHARS_PER_WORD,
    NEVER_REMOVED_TAGS,
    SAMPLE_CHARS,
    SKIPPED_TAGS,
    TITLE_PART_MIN_WORDS,
    PageBlock,
    PageBlocks,
    fingerprint,
    normalise_block,
    read_page_blocks,
)
from cleaners.profile.learn import (
    DEFAULT_THRESHOLDS,
    DEFAULT_WINDOW_PAGES,
    BlockStats,
    BoilerplateProfile,
    FrequentBlocks,
    LearnedBlock,
    OutletCounts,
    ProfileThresholds,
    learn_from_pages,
    learn_profile,
)
from cleaners.profile.stage import (
    drop_learned_paragraphs,
    introduces_own_text,
    remove_learned_blocks,
    visible_text,
)

__all__ = [
    "BLOCK_FORMAT_VERSION", "BLOCK_TAGS", "CLEANER_NAME", "DEFAULT_THRESHOLDS",
    "DEFAULT_WINDOW_PAGES", "MAX_CHARS_PER_WORD", "NEVER_REMOVED_TAGS", "SAMPLE_CHARS",
    "SKIPPED_TAGS", "TITLE_PART_MIN_WORDS", "BlockStats", "BoilerplateProfile", "FrequentBlocks",
    "LearnedBlock", "OutletCounts", "PageBlock", "PageBlocks", "ProfileThresholds",
    "drop_learned_paragraphs", "fingerprint", "introduces_own_text", "learn_from_pages",
    "learn_profile", "normalise_block", "read_page_blocks", "remove_learned_blocks",
    "visible_text",
]
