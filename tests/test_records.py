"""The article record carries every field of the cleaners' `Article`, as the Article has it."""

from __future__ import annotations

from dataclasses import MISSING, fields

from cleaners.article import Article, Removal, removal_dict
from core.items import Page
from core.records import ARTICLE_FIELDS, ArticleRecord


def default_of(field) -> object:
    if field.default is not MISSING:
        return field.default
    return field.default_factory() if field.default_factory is not MISSING else MISSING


def test_the_record_declares_each_article_field_with_the_same_default() -> None:
    article = {f.name: f for f in fields(Article)}
    record = {f.name: f for f in fields(ArticleRecord)}
    assert set(ARTICLE_FIELDS) == set(article) - {"url", "blocks"}
    for name in ARTICLE_FIELDS:
        assert name in record, f"ArticleRecord lacks {name}"
        if name != "body":  # the record requires a body
            assert default_of(record[name]) == default_of(article[name]), name


def test_from_article_copies_every_field_and_the_removals_as_dicts() -> None:
    article = Article(
        url="https://x.example/a", body="Text of the story.", title="Title", authors=["A. B."],
        tags=["t"], word_count=4, cleaner_version="v",
        removed=[Removal("share_bar", "Share this"), Removal("notice", "Comments", "seen on 3")],
    )
    page = Page(url="https://x.example/a?x=1", final_url="https://x.example/a", status=200,
                body=b"<html></html>")
    record = ArticleRecord.from_article(article, page, "x")
    for name in ARTICLE_FIELDS:
        if name != "removed":
            assert getattr(record, name) == getattr(article, name), name
    assert record.removed == [
        {"cleaner": "share_bar", "text": "Share this"},
        {"cleaner": "notice", "text": "Comments", "reason": "seen on 3"},
    ]
    assert (record.url, record.final_url, record.outlet_id) == (page.url, page.final_url, "x")


def test_the_article_and_the_record_write_removals_through_one_function() -> None:
    removed = [Removal("share_bar", "Share this"), Removal("notice", "Comments", "seen on 3")]
    article = Article(url="https://x.example/a", body="Text of the story.", removed=removed)
    page = Page(url="https://x.example/a", final_url="https://x.example/a", status=200,
                body=b"<html></html>")
    # Article.to_dict (the command line's JSON) keeps an empty reason; the store leaves it out.
    assert article.to_dict()["removed"] == [removal_dict(r) for r in removed] == [
        {"cleaner": "share_bar", "text": "Share this", "reason": ""},
        {"cleaner": "notice", "text": "Comments", "reason": "seen on 3"},
    ]
    record = ArticleRecord.from_article(article, page, "x")
    assert record.removed == [removal_dict(r, empty_reason=False) for r in removed]
