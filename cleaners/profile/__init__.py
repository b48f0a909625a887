"""Learned boilerplate: the text blocks an outlet repeats on its pages, learned from many pages.

`blocks` reads a page's blocks and fingerprints them; the counts, thresholds and the profile
learned from them, and the stage that removes what was learned, are plain data and pure
functions: storing the counts is the store's job (`storage.boilerplate`).
"""

from __future__ import annotations

from cleaners.profile.blocks import (
    BLOCK_FORMAT_VERSION,
    BLOCK_TAGS,
    CLEANER_NAME,
    DEFAULT_THRESHOLDS,
    DEFAULT_WINDOW_PAGES,
    MAX_CHARS_PER_WORD,
    NEVER_REMOVED_TAGS,
    SAMPLE_CHARS,
    SKIPPED_TAGS,
    TITLE_PART_MIN_WORDS,
    BlockStats,
    BoilerplateProfile,
    PageBlock,
    PageBlocks,
    ProfileThresholds,
    drop_learned_paragraphs,
    fingerprint,
    introduces_own_text,
    learn_from_pages,
    learn_profile,
    normalise_block,
    read_page_blocks,
    remove_learned_blocks,
    visible_text,
)

__all__ = [
    "BLOCK_FORMAT_VERSION", "BLOCK_TAGS", "CLEANER_NAME", "DEFAULT_THRESHOLDS",
    "DEFAULT_WINDOW_PAGES", "MAX_CHARS_PER_WORD", "NEVER_REMOVED_TAGS", "SAMPLE_CHARS",
    "SKIPPED_TAGS", "TITLE_PART_MIN_WORDS", "BlockStats", "BoilerplateProfile", "PageBlock",
    "PageBlocks", "ProfileThresholds", "drop_learned_paragraphs", "fingerprint",
    "introduces_own_text", "learn_from_pages", "learn_profile", "normalise_block",
    "read_page_blocks", "remove_learned_blocks", "visible_text",
]
