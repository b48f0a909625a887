"""`scrapy crawl urls`: fetch given article URLs once, no discovery.

    scrapy crawl urls -a url=https://www.rt.com/news/some-story/
    scrapy crawl urls -a file=urls.txt      # one URL per line; blank lines and '#' comments skipped

Each URL's outlet is the configured one whose domain serves it, else an ad-hoc outlet named after
the host (`OutletRegistry.resolve`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import UsageError

from core.outlets import OutletConfigError
from crawler.spiders.base import CleannewsSpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def read_url_list(path: str | Path) -> list[str]:
    """URLs of a text file: one per line; blank lines and lines starting with '#' are skipped."""
    urls = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls


class UrlsSpider(CleannewsSpider):
    """Fetches a URL or a file of URLs as Page items (or Failure items)."""

    name = "urls"
    # The store adds an outlet when it stores one of its articles, not every configured one.
    registers_outlets = False

    def __init__(self, url: str | None = None, file: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url_arg = url
        self.file_arg = file

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> UrlsSpider:
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
        except OutletConfigError as exc:
            raise UsageError(str(exc)) from exc
        urls: list[str] = []
        if spider.url_arg:
            urls.append(spider.url_arg.strip())
        if spider.file_arg:
            try:
                urls.extend(read_url_list(spider.file_arg))
            except OSError as exc:
                raise UsageError(f"cannot read URL file {spider.file_arg}: {exc}") from exc
        if not urls:
            raise UsageError("give -a url=URL or -a file=PATH (one URL per line)")
        bad = [u for u in urls if not u.startswith(("http://", "https://"))]
        if bad:
            raise UsageError(f"not http(s) URLs: {bad[:5]}")
        spider.target_urls = urls
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for url in self.target_urls:
            outlet = self.registry.resolve(url)
            yield self.article_request(url, outlet, "url")
