"""Garbage-collector tuning of the crawl process (crawler/gc_tuning.py)."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from support.settings import crawler_for_test

from crawler.gc_tuning import CollectorTuning, parse_thresholds


@pytest.mark.parametrize(("value", "expected"), [
    ("50000,20,10", (50000, 20, 10)),
    (" 1000 , 5 ", (1000, 5)),
    ([700, 10, 10], (700, 10, 10)),
    ("", None),
    (None, None),
])
def test_thresholds_are_read_from_the_setting(value: object, expected: object) -> None:
    assert parse_thresholds(value) == expected


@pytest.mark.parametrize("value", ["fast", "1,2,3,4", "-1", "1,,2"])
def test_a_bad_setting_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError, match="CLEANNEWS_GC_THRESHOLDS"):
        parse_thresholds(value)


def test_the_extension_tunes_the_collector_for_the_crawl_and_restores_it() -> None:
    before = gc.get_threshold()
    crawler = crawler_for_test(overrides={"CLEANNEWS_GC_THRESHOLDS": "30000,15,5"})
    extension = CollectorTuning.from_crawler(crawler)
    try:
        extension.engine_started()
        assert gc.get_threshold() == (30000, 15, 5)
        assert gc.get_freeze_count() > 0
    finally:
        extension.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_an_empty_setting_leaves_the_collector_alone() -> None:
    crawler = crawler_for_test(overrides={"CLEANNEWS_GC_THRESHOLDS": ""})
    with pytest.raises(NotConfigured):
        CollectorTuning.from_crawler(crawler)
