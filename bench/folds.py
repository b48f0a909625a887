"""Site folds: each set's sites split into K folds, for site-out evaluation of tuned choices.

A site's fold depends on its name alone (CRC-32 modulo K), so the quality benchmark, a training
script and a later run put every site in the same fold without sharing any file; all pages of one
site are always in one fold, so a rule or model tuned on the other folds never saw that outlet.
"""

from __future__ import annotations

import zlib


def site_fold(site: str, folds: int) -> int:
    """The fold (0 .. folds-1) of a site; stable across runs, machines and Python versions."""
    return zlib.crc32(site.encode("utf-8")) % folds
