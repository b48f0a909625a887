"""Extract pipeline: a fetched `Page` becomes an `ArticleRecord`, or a `Failure` saying why not.

The only place the crawl calls the cleaners library. A page the cleaners reject, or that makes
them fail unexpectedly, becomes a `Failure` item, so the crawl goes on and the store records it.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

import cleaners
from cleaners.errors import ExtractionError
from crawler.items import Failure, Page
from crawler.outlets import Outlet, OutletRegistry, host_of
from pipelines.config import STATS_PREFIX, outlets_from_settings
from pipelines.records import ArticleRecord

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Cleans each `Page` with `cleaners.extract_article` under its outlet's rules."""

    def __init__(self, outlets: OutletRegistry, *, keep_raw_html: bool = False, stats=None) -> None:
        self.outlets = outlets
        self.keep_raw_html = keep_raw_html
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        return cls(
            outlets_from_settings(settings),
            keep_raw_html=settings.getbool("CLEANNEWS_STORE_RAW_HTML"),
            stats=crawler.stats,
        )

    def process_item(self, item: Any) -> Any:
        """Pages are cleaned; anything else (a spider's `Failure` ...) passes through untouched."""
        if not isinstance(item, Page):
            return item
        return self.extract(item)

    def extract(self, page: Page) -> ArticleRecord | Failure:
        """The record of a page, or the Failure that explains why it yields no article."""
        if page.status >= 400:
            return self._failure(page, "fetch", "http_error", f"HTTP {page.status}", None)
        outlet = self._outlet_for_page(page)
        try:
            article = cleaners.extract_article(
                page.body,
                url=page.final_url,
                outlet=outlet.rules if outlet else None,
                encoding=page.declared_encoding,
            )
            if outlet is None:
                # Only the canonical link can tell (an AMP or print host, a CDN mirror ...);
                # re-clean when that outlet has rules of its own.
                outlet = self.outlets.resolve(page.final_url, article.canonical_url)
                if outlet.drop_selectors or outlet.drop_patterns:
                    article = cleaners.extract_article(
                        page.body,
                        url=page.final_url,
                        outlet=outlet.rules,
                        encoding=page.declared_encoding,
                    )
        except ExtractionError as exc:
            outlet_id = outlet.id if outlet else None
            return self._failure(page, "extract", exc.reason, exc.detail, outlet_id)
        except Exception as exc:  # a cleaner bug must not stop the crawl; it is recorded
            logger.exception("Unexpected error cleaning %s", page.final_url)
            outlet_id = outlet.id if outlet else None
            return self._failure(page, "extract", "extraction_error", repr(exc), outlet_id)
        self._inc("extracted")
        return ArticleRecord.from_article(
            article, page, outlet.id, keep_raw_html=self.keep_raw_html
        )

    def _outlet_for_page(self, page: Page) -> Outlet | None:
        """The outlet known before cleaning: by the page's outlet id, else by its URLs."""
        if page.outlet_id:
            outlet = self.outlets.get(page.outlet_id)
            if outlet is not None:
                return outlet
            host = host_of(page.final_url or page.url)
            return Outlet(id=page.outlet_id, name=page.outlet_id, domains=(host,) if host else ())
        return self.outlets.for_url(page.final_url) or self.outlets.for_url(page.url)

    def _failure(
        self, page: Page, stage: str, reason: str, detail: str, outlet_id: str | None
    ) -> Failure:
        self._inc(f"extract_failures/{reason}")
        return Failure(
            url=page.final_url or page.url,
            stage=stage,
            reason=reason,
            detail=detail,
            status=page.status,
            outlet_id=outlet_id or page.outlet_id,
            fetched_at=page.fetched_at,
        )

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/{key}")
