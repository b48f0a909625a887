"""Settings for tests: crawler/settings.py's, plus what a test overrides, built in one place.

Code reads settings without fallbacks (as Scrapy's components do), so a crawler a test builds
must carry the project's settings. A few project values act on the machine as soon as a
crawler is built or a pipeline opens: the run lock and collector tuning (`EXTENSIONS`), the
default database under data/ (`SQLITE_PATH`) and learning into it. Tests start with those off
and turn on what they exercise through their overrides.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project

TEST_OVERRIDES: dict[str, Any] = {
    "EXTENSIONS": {},
    "SQLITE_PATH": "",
    "CLEANNEWS_LEARN_BOILERPLATE": False,
}
# Chosen by the test run itself (pytest installs the reactor), not by the project.
LEFT_TO_THE_TEST_RUN = {"TWISTED_REACTOR"}


def project_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """crawler/settings.py's values, the test defaults above, then `overrides`."""
    values = {
        name: getattr(project, name)
        for name in dir(project)
        if name.isupper() and name not in LEFT_TO_THE_TEST_RUN
    }
    return {**values, **TEST_OVERRIDES, **(overrides or {})}


def settings_for_test(overrides: dict[str, Any] | None = None) -> Settings:
    """A `Settings` object of `project_settings(overrides)`."""
    return Settings(project_settings(overrides))


def crawler_for_test(
    spidercls: type[Spider] | None = None, overrides: dict[str, Any] | None = None
) -> Crawler:
    """A crawler (not crawling) with `project_settings(overrides)`."""
    return get_crawler(spidercls, project_settings(overrides))
