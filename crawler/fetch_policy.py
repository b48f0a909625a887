"""What the crawler may fetch: redirects stay on the outlet, addresses stay public, URLs stay short.

Three Scrapy components and the exceptions they raise (each an `IgnoreRequest` with a `reason`, so
the request's errback turns it into a `failures` row; see `crawler.spiders.base.classify_error`):

- `OutletRedirectMiddleware` / `OutletMetaRefreshMiddleware` replace Scrapy's RedirectMiddleware
  and MetaRefreshMiddleware (same settings, same hooks). A redirect, by 3xx or by meta refresh, is
  followed only to an http(s) URL on one of the outlet's `domains` (subdomains included) or its
  `redirect_domains` (an optional list in the outlets file: a CDN or URL shortener the outlet
  uses). Anything else stops the request: `offsite_redirect` naming the target, or
  `bad_redirect` naming the scheme (file:, ftp:, data:, javascript: ...). A request with no
  configured outlet (`crawl urls` of an unknown site, robots.txt) may only be redirected within
  the registrable host it started on.
- `FetchPolicyMiddleware` (downloader middleware) refuses, before anything is sent: a URL longer
  than URLLENGTH_LIMIT (`url_too_long`; Scrapy's own UrlLengthMiddleware drops such requests
  without a trace and is switched off in the settings), a scheme other than http(s)
  (`bad_scheme`), and a host written as a loopback, private, link-local or otherwise non-public
  IP address (`forbidden_address`). It also turns the resolver's refusal (below) into a
  `forbidden_address` failure instead of a DNS error that would be retried.
- `GuardedResolver` (TWISTED_DNS_RESOLVER) is the name resolver every HTTP(S) connection of the
  process goes through: Twisted's HostnameEndpoint asks it for every host, IP literals included.
  It drops every non-public address from each answer, so a host name whose DNS answer is (or
  later becomes) 127.0.0.1, 10.x, 169.254.x, ::1, fc00::/7 ... is never connected to, however the
  URL was reached (start URL, feed, sitemap, listing link, redirect). Names in CLEANNEWS_HOSTS
  are answered from that table (an operator's /etc/hosts, trusted as written).

CLEANNEWS_ALLOW_PRIVATE_ADDRESSES=true switches the address checks off (the bundled demo and the
tests crawl 127.0.0.1). What is not covered: a proxy (HTTP_PROXY) resolves the target host
itself, so only the proxy's own address is checked.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.resolver import CachingHostnameResolver, HostResolution
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_meta_refresh
from twisted.internet import error as twisted_errors
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver
from w3lib.url import safe_url_string
from zope.interface import implementer, provider

from core.outlets import host_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

HTTP_SCHEMES = {"http", "https"}
ALLOW_PRIVATE_SETTING = "CLEANNEWS_ALLOW_PRIVATE_ADDRESSES"
_TRUE = {"1", "true", "yes", "on"}


class PolicyRefusal(IgnoreRequest):
    """A request the fetch policy refuses; `reason` is its `failures.reason` code."""

    reason = "refused"


class OffsiteRedirect(PolicyRefusal):
    reason = "offsite_redirect"


class BadRedirect(PolicyRefusal):
    reason = "bad_redirect"


class BadScheme(PolicyRefusal):
    reason = "bad_scheme"


class ForbiddenAddress(PolicyRefusal):
    reason = "forbidden_address"


class UrlTooLong(PolicyRefusal):
    reason = "url_too_long"


# --- Addresses -----------------------------------------------------------------------------------


def allow_private_addresses(settings: BaseSettings) -> bool:
    """CLEANNEWS_ALLOW_PRIVATE_ADDRESSES, or the environment variable of that name when unset."""
    value = settings.get(ALLOW_PRIVATE_SETTING)
    if value is None or value == "":
        return os.environ.get(ALLOW_PRIVATE_SETTING, "").strip().lower() in _TRUE
    return settings.getbool(ALLOW_PRIVATE_SETTING)


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a URL host spells (`127.0.0.1`, `[::1]`), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def is_public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is a global unicast one (not loopback, private, link-local, shared,
    reserved, multicast or unspecified); an IPv4-mapped IPv6 address is judged as its IPv4."""
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


# Hosts whose every resolved address was dropped, and the first such address, so the downloader
# middleware can say why the connection failed. One resolver per process, so one table.
REFUSED_HOSTS: dict[str, str] = {}


@provider(IResolutionReceiver)
class _PublicOnlyReceiver:
    """Passes on only public addresses; remembers the host when one was dropped."""

    def __init__(self, receiver: IResolutionReceiver, host: str) -> None:
        self.receiver = receiver
        self.host = host
        self.dropped: str | None = None

    def resolutionBegan(self, resolution: Any) -> None:  # noqa: N802 - Twisted's interface
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        if is_public_address(address.host):
            self.receiver.addressResolved(address)
        elif self.dropped is None:
            self.dropped = address.host

    def resolutionComplete(self) -> None:  # noqa: N802
        if self.dropped is not None:
            REFUSED_HOSTS[self.host] = self.dropped
            logger.info("Not connecting to %s: it resolves to %s", self.host, self.dropped)
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver(CachingHostnameResolver):
    """Scrapy's caching IPv4/IPv6 resolver, with a static host table and only public answers."""

    def __init__(
        self,
        reactor: Any,
        cache_size: int,
        hosts: dict[str, str] | None = None,
        allow_private: bool = False,
    ) -> None:
        super().__init__(reactor, cache_size)
        self.hosts = {name.lower().rstrip("."): value for name, value in (hosts or {}).items()}
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor,
            cache_size,
            hosts=settings.getdict("CLEANNEWS_HOSTS"),
            allow_private=allow_private_addresses(settings),
        )

    def resolveHostName(  # noqa: N802 - Twisted's interface
        self,
        resolutionReceiver: Any,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> Any:
        static = self.hosts.get(hostName.lower().rstrip("."))
        if static is not None:
            kind = IPv6Address if ":" in static else IPv4Address
            resolutionReceiver.resolutionBegan(HostResolution(hostName))
            resolutionReceiver.addressResolved(kind("TCP", static, portNumber))
            resolutionReceiver.resolutionComplete()
            return resolutionReceiver
        if not self.allow_private:
            resolutionReceiver = _PublicOnlyReceiver(resolutionReceiver, hostName)
        return super().resolveHostName(
            resolutionReceiver, hostName, portNumber, addressTypes, transportSemantics
        )


# --- Downloader middleware -----------------------------------------------------------------------


class FetchPolicyMiddleware:
    """Refuses over-long URLs, non-http(s) schemes and non-public addresses before a download."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_url_length = settings.getint("URLLENGTH_LIMIT")
        self.allow_private = allow_private_addresses(settings)
        self.static_hosts = {h.lower().rstrip(".") for h in settings.getdict("CLEANNEWS_HOSTS")}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchPolicyMiddleware:
        return cls(crawler)

    def refuse(self, exc: PolicyRefusal) -> PolicyRefusal:
        self.crawler.stats.inc_value(f"cleannews/refused/{exc.reason}")
        return exc

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.max_url_length and len(request.url) > self.max_url_length:
            raise self.refuse(UrlTooLong(
                f"url_too_long: {len(request.url)} characters, limit {self.max_url_length}"
                f" (URLLENGTH_LIMIT): {request.url[:200]}..."
            ))
        parts = urlparse_cached(request)
        if parts.scheme not in HTTP_SCHEMES:
            raise self.refuse(BadScheme(f"bad_scheme: {parts.scheme}: URL {request.url[:200]}"))
        if self.allow_private:
            return
        host = (parts.hostname or "").lower()
        address = literal_address(host)
        if address is not None and host not in self.static_hosts and not is_public_address(
            address
        ):
            raise self.refuse(ForbiddenAddress(
                f"forbidden_address: {host} is not a public address ({request.url[:200]})"
            ))

    def process_exception(
        self, request: Request, exception: BaseException, spider: Any = None
    ) -> None:
        if self.allow_private or not isinstance(
            exception, (CannotResolveHostError, twisted_errors.DNSLookupError)
        ):
            return
        host = (urlparse_cached(request).hostname or "").lower()
        dropped = REFUSED_HOSTS.get(host)
        if dropped is not None:
            raise self.refuse(ForbiddenAddress(
                f"forbidden_address: {host} resolves to {dropped}, not a public address"
            ))


# --- Redirects -----------------------------------------------------------------------------------


def host_matches(host: str, domains: Sequence[str]) -> bool:
    """Whether `host` is one of `domains` or a subdomain of one (a leading www. ignored)."""
    host = host.lower().rstrip(".").removeprefix("www.")
    for domain in domains:
        domain = domain.lower().rstrip(".").removeprefix("www.")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


class OutletRedirectPolicy:
    """Mixin for Scrapy's redirect middlewares: a redirect stays on the request's outlet."""

    crawler: Crawler

    def allowed_domains(self, request: Request) -> tuple[str, ...]:
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        registry = getattr(self.crawler.spider, "registry", None)
        outlet = None
        if registry is not None:
            outlet_id = request.meta.get("cleannews_outlet")
            outlet = registry.get(outlet_id) if outlet_id else None
            if outlet is None:
                outlet = registry.for_url(first_url)
        if outlet is None:
            return (host_of(first_url),)
        return (*outlet.domains, *outlet.redirect_domains)

    def check_target(self, request: Request, target: str, how: Any) -> None:
        """Raise BadRedirect / OffsiteRedirect unless `target` may be followed from `request`."""
        parts = urlsplit(target)
        scheme = parts.scheme.lower()
        stats = self.crawler.stats
        if scheme not in HTTP_SCHEMES:
            stats.inc_value("cleannews/refused/bad_redirect")
            raise BadRedirect(
                f"bad_redirect: {how} to a {scheme or 'schemeless'}: URL ({target[:200]})"
            )
        if not host_matches(parts.hostname or "", self.allowed_domains(request)):
            stats.inc_value("cleannews/refused/offsite_redirect")
            raise OffsiteRedirect(f"offsite_redirect: {how} to {target[:500]}")

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        self.check_target(request, redirected.url, reason)
        return super()._redirect(redirected, request, reason)  # type: ignore[misc]


class OutletRedirectMiddleware(OutletRedirectPolicy, RedirectMiddleware):
    """Scrapy's RedirectMiddleware, following 3xx only within the outlet (see the module)."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        location = response.headers.get(b"Location")
        if (
            location is not None
            and response.status in {301, 302, 303, 307, 308}
            and not request.meta.get("dont_redirect", False)
            and not request.meta.get("handle_httpstatus_all", False)
            and response.status not in request.meta.get("handle_httpstatus_list", ())
        ):
            # Scrapy hands a redirect to another scheme back as the 3xx response itself (stored
            # as a bare "HTTP 302"); here it is a failure that names the scheme.
            target = urljoin(request.url, safe_url_string(location))
            if urlsplit(target).scheme.lower() not in HTTP_SCHEMES:
                self.check_target(request, target, response.status)
        return super().process_response(request, response)


class OutletMetaRefreshMiddleware(OutletRedirectPolicy, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, following a refresh only within the outlet."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if (
            isinstance(response, HtmlResponse)
            and not request.meta.get("dont_redirect", False)
            and request.method != "HEAD"
        ):
            interval, url = get_meta_refresh(response, ignore_tags=self._ignore_tags)
            if url and interval is not None and interval < self._maxdelay:
                if urlsplit(url).scheme.lower() not in HTTP_SCHEMES:
                    self.check_target(request, url, "meta refresh")
        return super().process_response(request, response)
