"""`scrapy crawl outlets`: discover each outlet's articles through feeds, sitemaps and start pages.

    scrapy crawl outlets                       # every outlet of OUTLETS_FILE
    scrapy crawl outlets -a outlets=rt,time    # some of them (an unknown id stops the crawl)
    scrapy crawl outlets -a depth=1            # also follow listing pages one hop from start pages
    scrapy crawl outlets -a since=2026-11-01   # skip sitemap entries last modified before then

Discovery requests carry `cleannews_stage="discover"`, article requests `"fetch"`; both fail into
Failure items (see `base.CleannewsSpider.on_error`). A candidate article URL must be on one of the
outlet's domains, match one of its `article_patterns` (when it has any) and none of its
`deny_patterns`, whichever way it was found.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from lxml import etree
from parsel import Selector
from scrapy import Request
from scrapy.exceptions import UsageError
from scrapy.http import TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from core.items import Failure
from core.outlets import Outlet, OutletConfigError
from crawler.spiders.base import CleannewsSpider, outlet_serves, registry_from_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

# What gunzip raises on data that is not gzip, or is cut short.
GZIP_ERRORS = (OSError, EOFError, zlib.error, struct.error)
# Root elements of RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom documents.
FEED_ROOTS = {"rss", "RDF", "feed"}
# Links of RSS 2.0 / RSS 1.0 items and Atom entries, after namespaces are removed. Elements are
# read whole (XPath string()), never as text() nodes: an entity reference inside a link would
# split it into several bogus URLs. (Entities are never resolved from outside the document.)
FEED_LINK_XPATHS = (
    "//item/link",
    "//item[not(link)]/guid[not(@isPermaLink='false')]",
    "//entry/link[not(@rel) or @rel='alternate'][1]/@href",
)


def entity_parse_error(body: bytes) -> str | None:
    """The first fatal parse error of a feed that declares entities, or None.

    A feed with entity declarations can lose items to libxml2's guard against entity
    amplification ("billion laughs"), which stops the parse; lxml's recovery then returns what
    came before, silently. Only such feeds are parsed a second time, to read the error log.
    """
    if b"<!ENTITY" not in body[:65536]:
        return None
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        return str(exc)
    for entry in parser.error_log:
        if entry.level_name == "FATAL":
            return f"line {entry.line}: {entry.message}"
    return None


def split_ids(value: str | None) -> list[str]:
    """`rt, time` -> ["rt", "time"]; empty or None -> []."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class OutletArticleFilter:
    """Which URLs are candidate articles of one outlet: its domains, article and deny patterns."""

    def __init__(self, outlet: Outlet) -> None:
        self.outlet = outlet
        self.allow = [re.compile(p) for p in outlet.article_patterns]
        self.deny = [re.compile(p) for p in outlet.deny_patterns]

    def accepts(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")) or not outlet_serves(self.outlet, url):
            return False
        if any(p.search(url) for p in self.deny):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)


class OutletsSpider(CleannewsSpider):
    """Discovers article URLs of configured outlets and fetches them as Page items."""

    name = "outlets"

    def __init__(
        self,
        outlets: str | None = None,
        depth: str | int | None = None,
        since: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.outlet_ids = split_ids(outlets)
        self.depth_arg = depth
        self.since_arg = since

    @classmethod
    def check_arguments(cls, settings: BaseSettings, **arguments: Any) -> None:
        """Unknown outlet ids (or a broken outlets file) stop `scrapy crawl` before it starts."""
        try:
            registry_from_settings(settings).select(split_ids(arguments.get("outlets")))
        except OutletConfigError as exc:
            raise UsageError(str(exc), print_help=False) from exc

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OutletsSpider:
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
            spider.selected = spider.registry.select(spider.outlet_ids)
        except OutletConfigError as exc:
            # `scrapy crawl` then exits with status 1, the message as the last line of its log.
            raise UsageError(str(exc)) from exc
        settings = crawler.settings
        depth = spider.depth_arg
        spider.listing_depth = int(
            depth if depth is not None else settings.getint("CLEANNEWS_LISTING_DEPTH")
        )
        spider.since = (spider.since_arg or settings.get("CLEANNEWS_SINCE") or "").strip()
        spider.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        spider.sitemap_max_depth = settings.getint("CLEANNEWS_SITEMAP_MAX_DEPTH")
        spider.sitemap_max_per_outlet = settings.getint("CLEANNEWS_SITEMAP_MAX_PER_OUTLET")
        spider.filters = {o.id: OutletArticleFilter(o) for o in spider.selected}
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for outlet in self.selected:
            for request in self.discovery_requests(outlet):
                yield request

    def discovery_requests(self, outlet: Outlet) -> Iterator[Request]:
        """The first requests of an outlet: its feeds, sitemaps (or robots.txt) and start pages."""
        if not (outlet.feeds or outlet.sitemaps or outlet.start_urls):
            self.logger.warning("Outlet %r has no feeds, sitemaps or start_urls", outlet.id)
        for url in outlet.feeds:
            yield self.discover_request(url, outlet, self.parse_feed)
        for url in outlet.sitemaps:
            if url.endswith("/robots.txt"):
                yield self.discover_request(url, outlet, self.parse_robots)
            else:
                yield self.discover_request(url, outlet, self.parse_sitemap)
        for url in outlet.start_urls:
            yield self.discover_request(url, outlet, self.parse_listing, listing_depth=0)

    def discover_request(
        self, url: str, outlet: Outlet, callback: Any, **meta: Any
    ) -> Request:
        """A request for a feed, sitemap, robots.txt or listing page of an outlet."""
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={"cleannews_outlet": outlet.id, "cleannews_stage": "discover", **meta},
        )

    def unreadable(self, response: Response, reason: str, detail: str) -> Failure:
        """A Failure for a feed or sitemap that arrived but cannot be read as one."""
        self.crawler.stats.inc_value(f"cleannews/failures/discover/{reason}")
        self.logger.warning("Unreadable %s: %s (%s)", response.url, reason, detail)
        return Failure(
            url=response.url,
            stage="discover",
            reason=reason,
            detail=detail,
            status=response.status,
            outlet_id=response.meta.get("cleannews_outlet"),
        )

    def outlet_of(self, response: Response) -> Outlet:
        outlet = self.registry.get(response.meta["cleannews_outlet"])
        assert outlet is not None
        return outlet

    def candidate_articles(
        self, outlet: Outlet, urls: Iterable[str], via: str
    ) -> Iterator[Request]:
        """Article requests for the URLs the outlet's filter accepts; counts the rest."""
        article_filter = self.filters[outlet.id]
        stats = self.crawler.stats
        for url in urls:
            if article_filter.accepts(url):
                stats.inc_value(f"cleannews/discovered/{via.split(':', 1)[0]}")
                yield self.article_request(url, outlet, via)
            else:
                stats.inc_value("cleannews/discovered/filtered_out")

    # --- Feeds ----------------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[Request | Failure]:
        """RSS 0.9x/1.0/2.0 or Atom: every item's link is a candidate article."""
        selector = Selector(body=response.body, type="xml")
        root = selector.root
        root_name = getattr(root, "tag", "") if root is not None else ""
        if not isinstance(root_name, str) or root_name.rsplit("}", 1)[-1] not in FEED_ROOTS:
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            yield self.unreadable(response, "not_feed", f"root {root_name!r}, {content_type}")
            return
        selector.remove_namespaces()
        links: list[str] = []
        for xpath in FEED_LINK_XPATHS:
            for node in selector.xpath(xpath):
                link = node.get() if xpath.endswith("/@href") else node.xpath("string()").get()
                if link and link.strip():
                    links.append(response.urljoin(link.strip()))
        entity_error = entity_parse_error(response.body)
        if entity_error:
            # Items after the error are lost to the parser's recovery: say so, keep the rest.
            yield self.unreadable(response, "feed_parse_error", entity_error)
        if not links:
            yield self.unreadable(response, "empty_feed", "no item links in the feed")
            return
        yield from self.candidate_articles(self.outlet_of(response), links, f"feed:{response.url}")

    # --- Sitemaps (the logic of scrapy.spiders.SitemapSpider, per outlet) -----------------------

    def parse_robots(self, response: Response) -> Iterator[Request | Failure]:
        """robots.txt: follow its `Sitemap:` lines."""
        outlet = self.outlet_of(response)
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            request = self.sitemap_request(url, outlet, response, depth=0)
            if request is None:
                yield from self.sitemap_limit_failure(outlet, response)
                return
            yield request

    def sitemap_request(
        self, url: str, outlet: Outlet, response: Response, depth: int
    ) -> Request | None:
        """A request for a sitemap, or None once the outlet has had its sitemaps for this run."""
        counts = self.__dict__.setdefault("sitemap_counts", {})
        if counts.get(outlet.id, 0) >= self.sitemap_max_per_outlet:
            return None
        counts[outlet.id] = counts.get(outlet.id, 0) + 1
        return self.discover_request(url, outlet, self.parse_sitemap, sitemap_depth=depth)

    def sitemap_limit_failure(self, outlet: Outlet, response: Response) -> Iterator[Failure]:
        """One `sitemap_limit` row per outlet and run, when its sitemaps pass the limit."""
        reported = self.__dict__.setdefault("sitemap_limit_reported", set())
        if outlet.id in reported:
            return
        reported.add(outlet.id)
        yield self.unreadable(
            response, "sitemap_limit",
            f"outlet {outlet.id} reached CLEANNEWS_SITEMAP_MAX_PER_OUTLET="
            f"{self.sitemap_max_per_outlet} sitemaps this run; further sitemaps not read",
        )

    def sitemap_body(self, response: Response) -> bytes | None:
        """The XML of a sitemap response, gunzipped when it is a .gz file; None if too large.

        Scrapy's HttpCompressionMiddleware has already undone any Content-Encoding.
        """
        if gzip_magic_number(response):
            try:
                return gunzip(response.body, max_size=self.max_size)
            except _DecompressionMaxSizeExceeded:
                self.logger.warning("Sitemap %s is larger than DOWNLOAD_MAXSIZE", response.url)
                return None
        return response.body

    def recent_enough(self, entry: dict[str, Any]) -> bool:
        """Whether a sitemap entry passes `since` (ISO dates compare as strings)."""
        lastmod = entry.get("lastmod")
        return not (self.since and lastmod and lastmod[: len(self.since)] < self.since)

    def parse_sitemap(self, response: Response) -> Iterator[Request | Failure]:
        """A sitemap index (follow its sitemaps) or a urlset, Google News sitemaps included."""
        outlet = self.outlet_of(response)
        try:
            body = self.sitemap_body(response)
        except GZIP_ERRORS as exc:  # a .gz that is not (whole) gzip
            yield self.unreadable(response, "bad_content_encoding", f"{type(exc).__name__}: {exc}")
            return
        if body is None:
            yield self.unreadable(response, "too_large", "sitemap larger than DOWNLOAD_MAXSIZE")
            return
        try:
            sitemap = Sitemap(body)
            sitemap_type = sitemap.type
            entries = [e for e in sitemap if e.get("loc") and self.recent_enough(e)]
        except Exception as exc:  # lxml and Sitemap raise several types on a non-XML document
            yield self.unreadable(response, "not_sitemap", f"{type(exc).__name__}: {exc}")
            return
        if sitemap_type == "sitemapindex":
            yield from self.follow_sitemap_index(response, outlet, entries)
        elif sitemap.type == "urlset":
            locs = [entry["loc"] for entry in entries]
            yield from self.candidate_articles(outlet, locs, f"sitemap:{response.url}")
        else:
            yield self.unreadable(response, "not_sitemap", f"root element {sitemap_type!r}")

    def follow_sitemap_index(
        self, response: Response, outlet: Outlet, entries: list[dict[str, Any]]
    ) -> Iterator[Request | Failure]:
        """Requests for a sitemap index's sitemaps, within the depth and sitemap limits."""
        depth = response.meta.get("sitemap_depth", 0) + 1
        if depth > self.sitemap_max_depth:
            yield self.unreadable(
                response, "sitemap_depth",
                f"sitemap index {depth} levels deep (CLEANNEWS_SITEMAP_MAX_DEPTH="
                f"{self.sitemap_max_depth}); its {len(entries)} sitemap(s) not read",
            )
            return
        for entry in entries:
            request = self.sitemap_request(entry["loc"], outlet, response, depth=depth)
            if request is None:
                yield from self.sitemap_limit_failure(outlet, response)
                return
            yield request

    # --- Start pages ----------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Request | Failure]:
        """A start or section page: article links are fetched, other links followed to `depth`."""
        outlet = self.outlet_of(response)
        if not isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            yield self.unreadable(response, "not_html", f"listing page of type {content_type!r}")
            return
        article_links = LinkExtractor(
            allow=outlet.article_patterns, deny=outlet.deny_patterns
        ).extract_links(response)
        yield from self.candidate_articles(
            outlet, [link.url for link in article_links], f"link:{response.url}"
        )
        depth = response.meta.get("listing_depth", 0)
        if depth >= self.listing_depth:
            return
        article_urls = {link.url for link in article_links}
        article_filter = self.filters[outlet.id]
        for link in LinkExtractor(deny=outlet.deny_patterns).extract_links(response):
            if link.url in article_urls or link.url == response.url:
                continue
            if article_filter.accepts(link.url):
                continue
            if outlet_serves(outlet, link.url):
                yield self.discover_request(
                    link.url, outlet, self.parse_listing, listing_depth=depth + 1
                )
