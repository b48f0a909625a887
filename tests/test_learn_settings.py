"""Where learned-boilerplate counts are kept follows the store: its SQLite file, or nowhere."""

from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from support.settings import crawler_for_test

from pipelines.learn import LearnPipeline, learning_database, learning_enabled


def settings_of(**values: object):
    return crawler_for_test(overrides={"CLEANNEWS_LEARN_BOILERPLATE": True, **values}).settings


def test_counts_live_in_the_stores_sqlite_file(tmp_path) -> None:
    path = str(tmp_path / "a.db")
    assert learning_database(settings_of(SQLITE_PATH=path)) == path
    assert learning_database(settings_of(DATABASE_URL=f"sqlite:///{path}")) == path
    assert learning_enabled(settings_of(SQLITE_PATH=path))


def test_a_postgresql_store_switches_learning_off_without_touching_sqlite_path(tmp_path) -> None:
    stray = tmp_path / "data" / "articles.db"
    crawler = crawler_for_test(
        overrides={
            "CLEANNEWS_LEARN_BOILERPLATE": True,
            "SQLITE_PATH": str(stray),
            "DATABASE_URL": "postgresql://crawler@127.0.0.1:1/news",
        }
    )
    assert learning_database(crawler.settings) is None
    with pytest.raises(NotConfigured, match="SQLite store"):
        LearnPipeline.from_crawler(crawler)
    assert not stray.exists()


def test_the_switch_turns_learning_off(tmp_path) -> None:
    crawler = crawler_for_test(
        overrides={"SQLITE_PATH": str(tmp_path / "a.db"), "CLEANNEWS_LEARN_BOILERPLATE": False}
    )
    with pytest.raises(NotConfigured, match="CLEANNEWS_LEARN_BOILERPLATE"):
        LearnPipeline.from_crawler(crawler)
