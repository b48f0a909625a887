"""Settings shared by several pipeline components: the outlet registry and stat names."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from core.outlets import DEFAULT_OUTLETS_FILE, OutletRegistry, load_outlets

# Prefix of every counter the pipelines add to Scrapy's stats.
STATS_PREFIX = "cleannews"


def outlets_from_settings(settings: BaseSettings) -> OutletRegistry:
    """The outlets of `OUTLETS_FILE` (placeholders filled from `CLEANNEWS_OUTLETS_VARS`).

    An explicitly named file that is missing raises; a missing packaged default gives an empty
    registry, so one-off runs against any URL still work (outlets are then made per domain).
    """
    path = settings.get("OUTLETS_FILE") or None
    if path is None and not DEFAULT_OUTLETS_FILE.exists():
        return OutletRegistry([])
    variables = settings.getdict("CLEANNEWS_OUTLETS_VARS")
    return load_outlets(path, variables)
