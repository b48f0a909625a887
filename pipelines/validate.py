"""Validate pipeline: an extracted article that is not worth storing becomes a `Failure`.

Checks, in order: no body, a body that only repeats the headline, or one that reads like a list
of headlines (`not_article`; `cleaners.pages.reads_like_a_list`, a check on the text alone, for
records from any source: `extract_article` already refuses section fronts from the page's
structure), a language outside `CLEANNEWS_LANGUAGES` (`wrong_language`), fewer words than
`CLEANNEWS_MIN_WORDS` (`too_short`). The reason codes are those of `cleaners.errors`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from scrapy.crawler import Crawler

from cleaners.errors import NotAnArticle, TooShort
from cleaners.pages import reads_like_a_list
from cleaners.text import words
from core.items import Failure
from core.records import ArticleRecord
from pipelines.config import STATS_PREFIX

_NON_WORD = re.compile(r"[\W_]+")
# A letter or digit: a body without one is empty (NFKC keeps letters and digits letters and digits).
_WORD_CHARACTER = re.compile(r"[^\W_]")
# Bodies longer than this many times their title are never compared with it (repeats_title).
REPEATED_TITLE_MAX_RATIO = 4


def comparable_text(text: str | None) -> str:
    """Text reduced to lower-case words separated by single spaces, for equality checks."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return _NON_WORD.sub(" ", folded).strip()


def repeats_title(body: str, title: str | None) -> bool:
    """True when the body, compared as words, is the title or a part of it.

    Normalising costs most of validation on long bodies, and a body with several times the
    title's characters cannot be a part of it (extraction strips and joins lines, so no body is
    padded with runs of punctuation), so only short bodies are compared.
    """
    if not title or len(body) > REPEATED_TITLE_MAX_RATIO * len(title) + 16:
        return False
    title_words = comparable_text(title)
    if not title_words:
        return False
    body_words = comparable_text(body)
    return body_words == title_words or body_words in title_words


class ValidatePipeline:
    """Turns records that no reader would call an article into `validate` failures."""

    def __init__(self, min_words: int = 50, languages: tuple[str, ...] = (), stats=None) -> None:
        self.min_words = min_words
        self.languages = tuple(lang.lower() for lang in languages)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        settings = crawler.settings
        return cls(
            min_words=settings.getint("CLEANNEWS_MIN_WORDS"),
            languages=tuple(settings.getlist("CLEANNEWS_LANGUAGES")),
            stats=crawler.stats,
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleRecord):
            return item
        problem = self.problem(item)
        if problem is None:
            return item
        reason, detail = problem
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/validate_failures/{reason}")
        return Failure(
            url=item.final_url,
            stage="validate",
            reason=reason,
            detail=detail,
            status=item.status,
            outlet_id=item.outlet_id,
            fetched_at=item.fetched_at,
        )

    def problem(self, record: ArticleRecord) -> tuple[str, str] | None:
        """(reason, detail) of the first check the record fails, or None if it passes."""
        if not _WORD_CHARACTER.search(record.body or ""):
            return NotAnArticle.reason, "empty body"
        if repeats_title(record.body, record.title):
            # A teaser or a broken page: the only "text" is the headline again.
            return NotAnArticle.reason, "body only repeats the title"
        if reads_like_a_list(record.body):
            return NotAnArticle.reason, "body reads like a list of headlines, not prose"
        language = (record.language or "").lower().split("-")[0]
        if self.languages and language and language not in self.languages:
            allowed = ", ".join(self.languages)
            return "wrong_language", f"language {record.language!r} not in {allowed}"
        count = record.word_count or words(record.body)
        if count < self.min_words:
            return TooShort.reason, f"{count} words, minimum {self.min_words}"
        return None
