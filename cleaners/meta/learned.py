"""What an outlet's learned profile carries for the metadata: its title affixes.

Each page's <title> segments are counted with its text blocks (cleaners.profile), over the
same window of recent pages; `cleaners.meta.title.learned_title_affixes` reads them back.
"""

from __future__ import annotations

from cleaners.meta.title import TITLE_AFFIX_LABEL, title_affix_candidates
from cleaners.profile import PageBlock, fingerprint


def title_affix_blocks(title: str) -> list[PageBlock]:
    """The <title>'s first and last segments as blocks to count with the page's, so the outlet's
    profile learns the affixes its titles share ("... – Lakeside Tribune"; cleaners.meta.title).

    Their fingerprints are taken over text no page block can have (normalised block text has no
    control character), so no element or paragraph is ever removed for them.
    """
    blocks = []
    for segment in title_affix_candidates(title):
        text = TITLE_AFFIX_LABEL + segment
        blocks.append(PageBlock(fingerprint("\x00" + text), text, len(segment.split())))
    return blocks
