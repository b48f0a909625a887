"""Dedupe pipeline: fills each article record's dedupe keys (`core.keys`) for the store."""

from __future__ import annotations

from typing import Any

from core.keys import fill_dedupe_keys
from core.records import ArticleRecord


class DedupePipeline:
    """Computes the dedupe keys of each `ArticleRecord`; the store acts on them."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleRecord):
            fill_dedupe_keys(item)
        return item
