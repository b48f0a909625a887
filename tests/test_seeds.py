"""Seed acceptance: pages built like the two seed articles come out as their article text only.

The pages in fixtures/seeds reproduce the structures behind the seed texts (a TIME-like page with a
timestamp line, a "More Must-Reads" promo list and a contact footer; an RT-like page with an SVG
icon sprite, the headline in <title> and <h1>, and a comment-system notice), each boilerplate
piece in several places of the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaners import extract_article

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SEED_TEXTS = Path("/work/shared/seeds")


def seed_sections(name: str) -> list[str]:
    """The seed text's non-empty lines, read from the fixture copy of its article paragraphs."""
    return [line for line in (SEEDS / name).read_text(encoding="utf-8").splitlines() if line]


TIME_PARAGRAPHS = seed_sections("time-paragraphs.txt")
RT_PARAGRAPHS = seed_sections("rt-paragraphs.txt")
TIME_PROMO_LINKS = seed_sections("time-promo-links.txt")
RT_NOTICE = seed_sections("rt-notice.txt")
RT_HEADLINE = "Putin to Obama: Use your influence to prevent bloodshed in Ukraine"
TIME_BOILERPLATE = ["Updated: April 14", "10:21 p.m.", "More Must-Reads", "letters@time.com"]
RT_BOILERPLATE = ["bookmarkicon", "icon bookmark", "icon camera", "cameraicon", "RT Team"]

TIME_PAGES = sorted(SEEDS.glob("time-*.html"))
RT_PAGES = sorted(SEEDS.glob("rt-*.html"))


def test_seed_fixture_pages_exist() -> None:
    assert len(TIME_PAGES) >= 3
    assert len(RT_PAGES) >= 3
    assert len(TIME_PARAGRAPHS) == 5
    assert len(TIME_PROMO_LINKS) == 8
    assert len(RT_PARAGRAPHS) == 13


@pytest.mark.parametrize("page", TIME_PAGES, ids=lambda p: p.stem)
def test_time_like_page_keeps_only_article_text(page: Path) -> None:
    article = extract_article(page.read_bytes(), url="https://time.example/62934/obama-putin/")
    body_lines = article.body.split("\n")
    assert body_lines == TIME_PARAGRAPHS
    for piece in TIME_BOILERPLATE + TIME_PROMO_LINKS:
        assert piece not in article.body
    assert article.title == "Obama and Putin Trade Warnings Over Ukraine in Phone Call"
    assert article.title not in article.body
    assert article.updated is not None
    assert article.updated.startswith("2014-04-14T22:21")
    # The page's article:published_time, with its time of day and UTC offset kept.
    assert article.published == "2014-04-14T20:10:00-04:00"
    assert {r.cleaner for r in article.removed} >= {"drop_timestamp_lines"}


@pytest.mark.parametrize("page", RT_PAGES, ids=lambda p: p.stem)
def test_rt_like_page_keeps_only_article_text(page: Path) -> None:
    article = extract_article(page.read_bytes(), url="https://rt.example/news/putin-obama/")
    assert article.body.split("\n") == RT_PARAGRAPHS
    for piece in RT_BOILERPLATE + RT_NOTICE:
        assert piece not in article.body
    assert article.title == RT_HEADLINE
    assert article.body.count(RT_HEADLINE) == 0
    removed_by = {r.cleaner for r in article.removed}
    assert {"strip_svg_sprites", "drop_comment_notices"} <= removed_by


def test_seed_paragraph_files_match_the_shared_seed_texts() -> None:
    if not SEED_TEXTS.is_dir():
        pytest.skip("shared seed texts not present on this machine")
    time_text = (SEED_TEXTS / "time-2014-04-14-obama-putin.txt").read_text(encoding="utf-8")
    rt_text = (SEED_TEXTS / "rt-2014-04-14-putin-obama.txt").read_text(encoding="utf-8")
    for paragraph in TIME_PARAGRAPHS + TIME_PROMO_LINKS:
        assert paragraph in time_text
    for paragraph in RT_PARAGRAPHS + RT_NOTICE:
        assert paragraph in rt_text
