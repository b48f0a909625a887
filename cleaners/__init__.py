"""Boilerplate-stripping article extraction: HTML in, `Article` out.

A library with no Scrapy or sqlite-utils import, usable from a notebook, a batch job or another
crawler. The entry point is `extract_article(html, url=None, outlet=None)`.
"""

from __future__ import annotations

from cleaners.article import Article, Removal
from cleaners.errors import (
    BadEncoding,
    EmptyDocument,
    ExtractionError,
    NotAnArticle,
    NotHTML,
    TooShort,
)
from cleaners.extract import extract_article
from cleaners.meta.language import load_language_model
from cleaners.rules import OutletRules
from cleaners.version import CLEANER_VERSION

__all__ = [
    "CLEANER_VERSION",
    "Article",
    "BadEncoding",
    "EmptyDocument",
    "ExtractionError",
    "NotAnArticle",
    "NotHTML",
    "OutletRules",
    "Removal",
    "TooShort",
    "extract_article",
    "load_language_model",
]
