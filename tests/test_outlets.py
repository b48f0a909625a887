"""The outlets file: loading, errors, placeholders, and which outlet a URL belongs to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.outlets import (
    DEFAULT_OUTLETS_FILE,
    OutletConfigError,
    fill_placeholders,
    load_outlets,
)
from crawler.spiders.outlets import OutletArticleFilter

DEMO_OUTLETS_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "outlets-demo.toml"


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "outlets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_outlets_load_with_the_seed_outlets_and_discovery_sources() -> None:
    registry = load_outlets()
    assert {"time", "rt"} <= {o.id for o in registry}
    assert len(registry) >= 8
    for outlet in registry:
        assert outlet.domains, outlet.id
        assert outlet.feeds or outlet.sitemaps or outlet.start_urls, outlet.id
        assert outlet.language, outlet.id
        assert outlet.country, outlet.id
        assert outlet.homepage, outlet.id
        for url in (*outlet.feeds, *outlet.sitemaps, *outlet.start_urls):
            assert url.startswith("https://"), (outlet.id, url)


@pytest.mark.parametrize(
    ("outlet_id", "article_url", "non_article_url"),
    [
        ("time", "https://time.com/62378/obama-putin-ukraine-call/", "https://time.com/section/world/"),
        ("rt", "http://rt.com/news/obama-putin-phone-ukraine-125/", "https://www.rt.com/shows/crosstalk/"),
        ("rt", "https://www.rt.com/news/612345-some-story/", "https://www.rt.com/news/"),
        ("guardian", "https://www.theguardian.com/world/2014/apr/14/obama-putin-phone-call",
         "https://www.theguardian.com/world/live/2014/apr/14/ukraine-crisis-live"),
        ("bbc", "https://www.bbc.com/news/articles/c4g1234xyz", "https://www.bbc.com/news/live/c1"),
        ("apnews", "https://apnews.com/article/ukraine-0123456789abcdef0123456789abcdef",
         "https://apnews.com/hub/ukraine"),
        ("dw", "https://www.dw.com/en/some-story/a-68012345", "https://www.dw.com/en/clip/video-6801"),
    ],
)
def test_packaged_patterns_accept_stories_and_skip_other_pages(
    outlet_id: str, article_url: str, non_article_url: str
) -> None:
    article_filter = OutletArticleFilter(load_outlets().get(outlet_id))
    assert article_filter.accepts(article_url)
    assert not article_filter.accepts(non_article_url)


def test_rt_rule_drops_the_comment_notice_of_the_seed_page() -> None:
    rules = load_outlets().get("rt").rules
    notice = "Dear readers and commenters, we have implemented a new commenting system."
    assert any(p.search(notice) for p in rules.compiled_patterns)
    body = "Russian President Vladimir Putin urged his American counterpart on Monday."
    assert not any(p.search(body) for p in rules.compiled_patterns)


def test_resolve_by_domain_subdomain_and_canonical_link() -> None:
    registry = load_outlets()
    assert registry.for_url("https://time.com/62378/x/").id == "time"
    assert registry.for_url("https://www.rt.com/news/1-x/").id == "rt"
    assert registry.for_url("https://de.rt.com/international/1-x/").id == "rt"
    assert registry.for_url("https://amp.theguardian.com/world/2014/apr/14/x").id == "guardian"
    assert registry.for_url("https://feeds.bbci.co.uk/news/rss.xml") is None
    # Neither a lookalike domain nor a suffix that is not a whole label matches.
    assert registry.for_url("https://notrt.com/news/1-x/") is None
    assert registry.for_url("https://time.com.evil.example/1/x/") is None
    # An unknown mirror resolves through its canonical link, else becomes an ad-hoc outlet.
    mirror = "https://mirror.example/copy-of-story"
    assert registry.resolve(mirror, "https://www.rt.com/news/1-x/").id == "rt"
    adhoc = registry.resolve("https://www.local-paper.example/a/1")
    assert (adhoc.id, adhoc.domains) == ("local-paper.example", ("local-paper.example",))


def test_demo_outlets_need_a_port_and_are_told_apart_by_host() -> None:
    with pytest.raises(OutletConfigError, match=r"\{port\}.*CLEANNEWS_OUTLETS_VARS"):
        load_outlets(DEMO_OUTLETS_FILE)
    registry = load_outlets(DEMO_OUTLETS_FILE, variables={"port": "8123"})
    herald, courier = registry.get("harbour-herald"), registry.get("valley-courier")
    assert herald.feeds == ("http://127.0.0.1:8123/herald/feed.rss",)
    assert courier.start_urls == ("http://localhost:8123/courier/",)
    assert registry.for_url("http://127.0.0.1:8123/herald/2026/11/x.html") is herald
    assert registry.for_url("http://localhost:8123/courier/news/x.html") is courier
    # Patterns are regexes and keep their braces.
    assert r"\d{4}" in herald.article_patterns[0]


def test_fill_placeholders_leaves_text_without_placeholders_alone() -> None:
    assert fill_placeholders("http://h:{port}/a?q={x}", {"port": 1, "x": "y"}) == "http://h:1/a?q=y"
    assert fill_placeholders("https://time.com/feed/", {}) == "https://time.com/feed/"
    assert fill_placeholders("/a{2,3}", {}) == "/a{2,3}"  # not a name: left as is


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[outlet]]\nid = "a"\nname = "A"\n', r"lacks 'domains'"),
        ('[[outlet]]\nid = "a"\nname = "A"\ndomains = "a.example"\nfeeds = [1]\n', r"feeds"),
        ('[[outlet]]\nid = "a"\nname = "A"\ndomains = ["a.example"]\n'
         "article_patterns = ['(unclosed']\n", r"not a valid regex"),
        ('[[outlet]]\nid = "a"\nname = "A"\ndomains = ["a.example"]\n'
         '[[outlet]]\nid = "a"\nname = "B"\ndomains = ["b.example"]\n', r"duplicate outlet id"),
        ("[[outlet]\n", r"not valid TOML"),
        ('outlet = "x"\n', r"expected \[\[outlet\]\]"),
    ],
)
def test_bad_outlet_files_raise_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(OutletConfigError, match=message):
        load_outlets(write_toml(tmp_path, text))


def test_missing_file_and_unknown_ids_raise(tmp_path: Path) -> None:
    with pytest.raises(OutletConfigError, match="not found"):
        load_outlets(tmp_path / "nope.toml")
    with pytest.raises(OutletConfigError, match=re.escape("unknown outlet id(s) ['nope']")):
        load_outlets().select(["rt", "nope"])
    assert [o.id for o in load_outlets().select(["rt", "time"])] == ["rt", "time"]


def test_minimal_entry_gets_empty_defaults(tmp_path: Path) -> None:
    registry = load_outlets(
        write_toml(tmp_path, '[[outlet]]\nid = "a"\nname = "A"\ndomains = ["a.example"]\nx = 1\n')
    )
    outlet = registry.get("a")
    assert outlet.feeds == ()
    assert outlet.drop_patterns == ()
    assert outlet.extra == {"x": 1}
    assert outlet.rules.id == "a"


def test_default_file_is_the_packaged_one() -> None:
    assert DEFAULT_OUTLETS_FILE.name == "outlets.toml"
    assert DEFAULT_OUTLETS_FILE.exists()
