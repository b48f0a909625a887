"""What both spiders share: the outlets registry, Page items from responses, Failures from errors.

Every request a spider makes carries `errback=self.on_error`, so a fetch that ends in an HTTP error,
a timeout, a refused connection, a too-large body or a redirect loop becomes a `Failure` item with a
stable reason code instead of a log line: nothing that was meant to be fetched is silently lost.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as twisted_errors
from twisted.web._newclient import ResponseFailed
from w3lib.encoding import http_content_type_encoding

from core.items import Failure, Page
from core.outlets import Outlet, OutletRegistry, host_of, load_outlets

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure as TwistedFailure

# Exception types -> the `reason` code stored in `failures.reason`, checked in this order.
ERROR_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    (
        (DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError,
         TimeoutError),
        "timeout",
    ),
    ((CannotResolveHostError, twisted_errors.DNSLookupError), "dns_error"),
    (
        (DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError,
         ConnectionRefusedError),
        "connection_refused",
    ),
    ((DownloadCancelledError, defer.CancelledError), "too_large"),
    (
        (DownloadFailedError, ResponseDataLossError, ResponseFailed,
         twisted_errors.ConnectionLost, twisted_errors.ConnectionDone, ConnectionError),
        "connection_error",
    ),
    # Scrapy's HttpCompressionMiddleware lets gzip/zlib errors through.
    ((OSError, EOFError, zlib.error, struct.error), "bad_content_encoding"),
)

# IgnoreRequest messages -> reason codes; see scrapy.downloadermiddlewares.redirect and
# .httpcompression, and crawler.middlewares, for the texts.
IGNORE_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"max redirections|redirect loop", re.I), "redirect_loop"),
    (re.compile(r"DOWNLOAD_MAXSIZE|larger than download max size", re.I), "too_large"),
)
ROBOTS_FORBIDDEN = re.compile(r"robots\.txt", re.I)


def header_text(response: Response, name: str) -> str | None:
    """A response header as text (the first value), or None when absent."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value is not None else None


def page_from_response(
    response: Response, outlet_id: str | None, discovered_via: str | None
) -> Page:
    """The Page item of a fetched response: raw bytes plus the header charset, nothing decoded."""
    content_type = header_text(response, "Content-Type")
    redirects = response.meta.get("redirect_urls") or []
    return Page(
        url=redirects[0] if redirects else response.request.url,
        final_url=response.url,
        status=response.status,
        body=response.body,
        # latin-1 never fails on header bytes, which servers do not always send as ASCII.
        headers={
            key.decode("latin-1"): b", ".join(values).decode("latin-1")
            for key, values in response.headers.items()
        },
        content_type=content_type,
        declared_encoding=http_content_type_encoding(content_type) if content_type else None,
        outlet_id=outlet_id,
        discovered_via=discovered_via,
    )


def classify_error(failure: TwistedFailure) -> tuple[str, str, int | None] | None:
    """(reason, detail, status) of a failed request; None when skipped on purpose (robots.txt)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        return "http_error", f"HTTP {response.status}", response.status
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if getattr(exc, "reason", None):  # crawler.fetch_policy's refusals name their reason
            return exc.reason, message, None
        if ROBOTS_FORBIDDEN.search(message):
            return None
        for pattern, reason in IGNORE_REASONS:
            if pattern.search(message):
                return reason, message, None
        return "ignored", message, None
    for types, reason in ERROR_REASONS:
        if isinstance(exc, types):
            return reason, f"{type(exc).__name__}: {exc}".strip(), None
    return "fetch_error", f"{type(exc).__name__}: {exc}", None


def registry_from_settings(settings: BaseSettings) -> OutletRegistry:
    """The outlets of `OUTLETS_FILE` (the bundled list when unset), with its variables filled."""
    return load_outlets(
        settings.get("OUTLETS_FILE") or None,
        variables=settings.getdict("CLEANNEWS_OUTLETS_VARS"),
    )


class CleannewsSpider(Spider):
    """Base of the project's spiders: loads the outlets and turns errors into Failure items."""

    registry: OutletRegistry

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> CleannewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.registry = registry_from_settings(crawler.settings)
        return spider

    @classmethod
    def check_arguments(cls, settings: BaseSettings, **arguments: Any) -> None:
        """Raise UsageError for spider arguments that cannot work, before the crawl starts."""

    def on_error(self, failure: TwistedFailure) -> Iterator[Failure]:
        """Errback of every request: a Failure item with the reason, or a stat for robots skips."""
        request: Request = failure.request  # type: ignore[attr-defined]
        classified = classify_error(failure)
        stats = self.crawler.stats
        if classified is None:
            yield from self.on_robots_forbidden(request)
            return
        reason, detail, status = classified
        stage = request.meta.get("cleannews_stage", "fetch")
        stats.inc_value(f"cleannews/failures/{stage}/{reason}")
        self.logger.info("Failed %s %s: %s (%s)", stage, request.url, reason, detail)
        # The URL as discovered, not the last hop of a redirect chain.
        redirects = request.meta.get("redirect_urls") or []
        if redirects:
            detail = f"{detail} (redirected to {request.url})"
        yield Failure(
            url=redirects[0] if redirects else request.url,
            stage=stage,
            reason=reason,
            detail=detail,
            status=status,
            outlet_id=request.meta.get("cleannews_outlet"),
        )

    def on_robots_forbidden(self, request: Request) -> Iterator[Failure]:
        """A request robots.txt forbids: a stat each time, and one Failure row and one INFO
        line per outlet and run (a site that forbids the crawler must not just yield nothing)."""
        self.crawler.stats.inc_value("cleannews/robots_forbidden")
        self.logger.debug("Skipped (robots.txt): %s", request.url)
        outlet_id = request.meta.get("cleannews_outlet")
        forbidden = self.__dict__.setdefault("robots_forbidden_outlets", set())
        if outlet_id in forbidden:
            return
        forbidden.add(outlet_id)
        self.logger.info(
            "robots.txt forbids %s (outlet %s); further pages it forbids are counted "
            "in the stats only", request.url, outlet_id,
        )
        yield Failure(
            url=request.url,
            stage=request.meta.get("cleannews_stage", "fetch"),
            reason="robots_forbidden",
            detail="forbidden by robots.txt (first URL of the outlet in this run)",
            status=None,
            outlet_id=outlet_id,
        )

    def article_request(
        self, url: str, outlet: Outlet | None, discovered_via: str, **kwargs: Any
    ) -> Request:
        """A request for a candidate article page; its response becomes a Page item."""
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta={
                "cleannews_outlet": outlet.id if outlet else None,
                "cleannews_via": discovered_via,
                "cleannews_stage": "fetch",
            },
            **kwargs,
        )

    def parse_article(self, response: Response) -> Iterator[Page]:
        """An article page, fetched: hand its raw bytes on to the pipelines, untouched."""
        self.crawler.stats.inc_value("cleannews/pages")
        yield page_from_response(
            response,
            outlet_id=response.meta.get("cleannews_outlet"),
            discovered_via=response.meta.get("cleannews_via"),
        )


def outlet_serves(outlet: Outlet, url: str) -> bool:
    """Whether `url`'s host is one of the outlet's domains or a subdomain of one."""
    host = host_of(url)
    return any(
        host == domain or host.endswith("." + domain)
        for domain in (d.lower().removeprefix("www.") for d in outlet.domains)
    )
