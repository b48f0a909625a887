"""Index pages (section fronts, tag pages, archives) are refused; list-like articles stay.

fixtures/pages/<case>.html sits beside <case>.json: {"url", "kind": "index" | "article",
"with": [...]}. An index page must raise NotAnArticle ("looks like an index page: ..."); an
article must come back with its "with" snippets in the body. Every other fixture page of the
project must never be refused as an index page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaners import NotAnArticle, extract_article
from cleaners.context import Block
from cleaners.extract import parse_html
from cleaners.pages import names_own_author, reads_like_a_list, teaser_cards, teaser_evidence

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted((FIXTURES / "pages").glob("*.json"))
INDEX_REASON = "looks like an index page"


def load_case(spec_path: Path) -> tuple[dict, bytes]:
    """The case's expectations and its page bytes."""
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    return spec, spec_path.with_suffix(".html").read_bytes()


def test_there_are_index_and_article_cases() -> None:
    kinds = [json.loads(path.read_text(encoding="utf-8"))["kind"] for path in CASES]
    assert "index" in kinds
    assert kinds.count("article") >= 3


@pytest.mark.parametrize("spec_path", CASES, ids=lambda p: p.stem)
def test_page_kind(spec_path: Path) -> None:
    spec, page = load_case(spec_path)
    if spec["kind"] == "index":
        with pytest.raises(NotAnArticle, match=INDEX_REASON):
            extract_article(page, url=spec["url"])
        return
    article = extract_article(page, url=spec["url"])
    for snippet in spec["with"]:
        assert snippet in article.body, f"missing from body: {snippet!r}"


def other_fixture_pages() -> list[Path]:
    """Every HTML page of fixtures/ outside fixtures/pages: articles, seeds, the demo sites."""
    return sorted(path for path in FIXTURES.rglob("*.html") if path.parent.name != "pages")


def page_url(path: Path) -> str | None:
    """The URL the page's JSON spec gives, if it has one."""
    spec_path = path.with_suffix(".json")
    if not spec_path.exists():
        return None
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return spec.get("url") if isinstance(spec, dict) else None


def test_no_other_fixture_page_is_refused_as_an_index_page() -> None:
    pages = other_fixture_pages()
    assert len(pages) > 50
    refused = []
    for path in pages:
        try:
            extract_article(path.read_bytes(), url=page_url(path))
        except NotAnArticle as err:
            if INDEX_REASON in str(err):
                refused.append(path.relative_to(FIXTURES).as_posix())
        except Exception:  # broken pages of the demo sites fail for their own reasons
            continue
    assert refused == []


def section_front() -> bytes:
    return (FIXTURES / "pages" / "section-front.html").read_bytes()


def test_cards_of_a_section_front_hold_headline_and_summary() -> None:
    cards = teaser_cards(parse_html(section_front().decode()), "https://gazette.example/x/")
    assert (
        "Otters return to the upper river Camera traps recorded otters above the old mill "
        "weir for the first time in forty years" in cards
    )
    # Section links of the masthead are one word each: not headlines.
    assert not any(card == "Environment" for card in cards)


def test_evidence_counts_teasers_and_prose_outside() -> None:
    tree = parse_html(section_front().decode())
    teasers = [
        Block("Otters return to the upper river"),
        Block(
            "Camera traps recorded otters above the old mill weir for the first time in forty "
            "years."
        ),
        Block("Rivers & coast", kind="heading"),
        Block("Beach litter survey finds fewer bottles"),
        Block("Flood gates tested ahead of spring tides"),
        Block("Solar roofs planned for nine schools"),
        Block("Heat pump grants run out in a week"),
    ]
    evidence = teaser_evidence(tree, teasers, "https://gazette.example/environment/")
    assert evidence.cards == 5
    assert evidence.block_share == 1.0
    assert evidence.prose_outside == 0
    assert evidence.is_index
    prose = Block(
        "The council voted on Tuesday to spend fourteen million on the barrier, ending two "
        "years of argument over how to protect the streets behind the old fish market."
    )
    with_lead = teaser_evidence(tree, [prose, prose, *teasers], "https://gazette.example/e/")
    assert with_lead.prose_outside == 2
    assert not with_lead.is_index


def test_a_declared_article_is_never_an_index_page() -> None:
    page = (
        section_front()
        .decode()
        .replace(
            '<meta property="og:type" content="website">',
            '<meta property="og:type" content="article">',
        )
    )
    with pytest.raises(NotAnArticle, match=INDEX_REASON):
        extract_article(section_front(), url="https://gazette.example/environment/")
    article = extract_article(page, url="https://gazette.example/environment/")
    assert "Camera traps recorded otters above the old mill weir" in article.body


def test_a_collection_page_declared_as_article_is_still_an_index_page() -> None:
    collection = (
        '<meta property="og:type" content="article">'
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "CollectionPage", "name": "Environment"}</script>'
    )
    page = (
        section_front().decode().replace('<meta property="og:type" content="website">', collection)
    )
    with pytest.raises(NotAnArticle, match=INDEX_REASON):
        extract_article(page, url="https://gazette.example/environment/")


def test_live_blog_permalinks_are_not_teasers() -> None:
    page = (FIXTURES / "pages" / "live-blog.html").read_bytes()
    # Without the page's URL the entries' links still point to ids on the page itself.
    article = extract_article(page, url=None)
    assert "Gust of 81 mph at the point" in article.body


def test_reads_like_a_list() -> None:
    headlines = "\n".join(
        [
            "Otters return to the upper river",
            "Beach litter survey finds fewer bottles",
            "Flood gates tested ahead of spring tides",
            "Solar roofs planned for nine schools",
            "Heat pump grants run out in a week",
        ]
    )
    assert reads_like_a_list(headlines)
    prose = "\n".join(["The council met on Tuesday.", "It voted for the barrier."] * 3)
    assert not reads_like_a_list(prose)


def test_an_author_named_only_in_teaser_bylines_is_not_the_pages() -> None:
    cards = [("Harbour dredging delayed By Owen Hale The barge failed its inspection", True)]
    assert not names_own_author("Owen Hale", cards)
    assert names_own_author("Mara Quinn", cards)
    assert not names_own_author(None, cards)


DECLARED_LIST = FIXTURES / "cleaners" / "trailing-teasers-keep-declared-list.html"
DECLARED_LIST_URL = "https://brackwater-tools.example/lists/tide-table-apps/"
LIST_ITEM_TEXT = "Plans a passage around the streams and tells you the hour to leave"


def test_cards_of_the_list_a_page_declares_are_its_text() -> None:
    """fixtures/cleaners/trailing-teasers-keep-declared-list.html: a list page (JSON-LD ItemList,
    no article) whose items are cards after an intro. The cards are the page's text; the same
    cards on a page without the declared list, or on one that declares an article, are teasers
    for other pages and go."""
    html = DECLARED_LIST.read_text(encoding="utf-8")
    article = extract_article(html, DECLARED_LIST_URL)
    assert LIST_ITEM_TEXT in article.body
    assert "drop_trailing_teasers" not in {removal.cleaner for removal in article.removed}
    script_start = html.index('<script type="application/ld+json">')
    script_end = html.index("</script>") + len("</script>")
    undeclared = html[:script_start] + html[script_end:]
    assert LIST_ITEM_TEXT not in extract_article(undeclared, DECLARED_LIST_URL).body
    as_article = html.replace('content="website"', 'content="article"')
    assert LIST_ITEM_TEXT not in extract_article(as_article, DECLARED_LIST_URL).body


def test_a_declared_list_counts_only_when_the_cards_name_its_items() -> None:
    html = DECLARED_LIST.read_text(encoding="utf-8")
    for name in ("Harbourtide Pro", "Slackwater Planner", "Neap and Spring", "Estuary Log Book"):
        html = html.replace(f'"name": "{name}"', f'"name": "Other {name.split()[0]} tool"')
    assert LIST_ITEM_TEXT not in extract_article(html, DECLARED_LIST_URL).body
