"""Downloader middlewares of the crawler.

`RedirectLoopMiddleware` exists because Scrapy's RedirectMiddleware only stops a loop after
REDIRECT_MAX_TIMES hops, and a redirect back to a URL already fetched in the chain is dropped by the
duplicate filter without any callback or errback: the page would vanish from the records. Stopping
the loop here raises IgnoreRequest, which reaches the request's errback and becomes a Failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class RedirectLoopError(IgnoreRequest):
    """A redirect leads back to a URL already visited in the same redirect chain."""


class RedirectLoopMiddleware:
    """Fails a request whose redirect points back into its own redirect chain.

    Runs just before RedirectMiddleware (a higher order number sees the response first).
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        location = safe_url_string(
            response.headers[b"Location"].decode("latin-1"), encoding="utf-8"
        )
        target = response.urljoin(location)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise RedirectLoopError(
                "redirect loop: " + " -> ".join([*chain, target])
            )
        return response
