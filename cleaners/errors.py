"""Why a page could not become an article: a small vocabulary the pipeline turns into failure rows.

Every exception carries a stable `reason` code (stored in `failures.reason`) and a human detail.
"""

from __future__ import annotations


class ExtractionError(Exception):
    """Base class: the page was read but yields no storable article."""

    reason = "extraction_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail or self.reason


class NotHTML(ExtractionError):
    """The input is not an HTML document (PDF, image, JSON, plain binary ...)."""

    reason = "not_html"


class BadEncoding(ExtractionError):
    """The bytes cannot be decoded to text in any plausible encoding."""

    reason = "bad_encoding"


class EmptyDocument(ExtractionError):
    """The input is empty or whitespace only."""

    reason = "empty"


class NotAnArticle(ExtractionError):
    """The HTML parsed but holds no main text (an index page, a login wall ...)."""

    reason = "not_article"


class TooShort(ExtractionError):
    """The extracted body has fewer words than the configured minimum."""

    reason = "too_short"
