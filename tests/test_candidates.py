"""The candidate stage: the article's container on the page, and trafilatura blocks after it."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from cleaners.candidates import CLEANER_NAME, drop_blocks_after_article, find_article_region
from cleaners.context import CleaningContext
from cleaners.extract import parse_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cleaners"

ARTICLE = [
    "The ferry company said on Monday that the winter timetable would start two weeks later "
    "than planned, after the harbour works ran behind schedule.",
    "Crossings to the island will keep the summer frequency of six a day, though the last "
    "evening sailing will leave half an hour earlier, at twenty past eight.",
    "Islanders had asked for the change, since the winter boat is smaller and cannot carry "
    "the lorries that bring building materials for the new school.",
    "The company expects the harbour works to be finished by the end of November, and will "
    "publish the new timetable on its website a month before it starts.",
]
SIDEBAR = [
    "Our weekend walking guide to the island's northern cliffs, with maps, tide tables and "
    "the best places to watch the seals, is now available from the harbour office.",
    "The island bakery is looking for a part-time assistant for the summer months, with "
    "early starts, free bread and a view of the harbour from the kitchen window.",
]


def page(article: list[str], after: str = "") -> str:
    """A page with the article in <div class="entry"> and an aside of teaser links."""
    paragraphs = "".join(f"<p>{text}</p>" for text in article)
    aside = "".join(f"<p><a href='/more/{n}'>{text}</a></p>" for n, text in enumerate(SIDEBAR))
    return (
        "<html><body><nav><a href='/'>Home</a></nav><div id='page'>"
        f"<div class='post'><h1>Winter timetable</h1><div class='entry'>{paragraphs}</div>"
        f"{after}</div><div class='side'>{aside}</div></div></body></html>"
    )


def trafilatura_body(texts: list[str]) -> etree._Element:
    """A body in trafilatura's XML: one <p> per text."""
    body = etree.Element("body")
    for text in texts:
        etree.SubElement(body, "p").text = text
    return body


def body_texts(body: etree._Element) -> list[str]:
    return [" ".join(p.itertext()) for p in body]


def test_region_is_the_container_of_the_article_paragraphs() -> None:
    region = find_article_region(parse_html(page(ARTICLE)))
    assert region is not None
    assert region.container.get("class") == "entry"
    assert all(region.holds(text) for text in ARTICLE)
    assert not any(region.holds(text) for text in SIDEBAR)


def test_region_holds_a_block_trafilatura_shortened() -> None:
    """A footnote mark in the page that trafilatura left out does not put a block outside."""
    marked = ARTICLE[1].replace("earlier,", "earlier,<sup>[3]</sup>")
    region = find_article_region(parse_html(page([ARTICLE[0], marked, *ARTICLE[2:]])))
    assert region is not None
    assert region.holds(ARTICLE[1].replace("earlier,", "earlier,[3]"))
    assert region.holds(ARTICLE[1])


def test_trailing_blocks_outside_the_region_are_dropped_and_recorded() -> None:
    tree = parse_html(page(ARTICLE))
    body = trafilatura_body([*ARTICLE, *SIDEBAR])
    ctx = CleaningContext(page=tree)
    drop_blocks_after_article(body, tree, ctx)
    assert body_texts(body) == ARTICLE
    assert [removal.cleaner for removal in ctx.removed] == [CLEANER_NAME] * len(SIDEBAR)
    assert ctx.removed[0].text == SIDEBAR[0]


def test_blocks_before_the_region_are_kept() -> None:
    """Only the trailing run goes: a standfirst or byline before the article stays."""
    tree = parse_html(page(ARTICLE))
    body = trafilatura_body([SIDEBAR[0], *ARTICLE])
    drop_blocks_after_article(body, tree, CleaningContext(page=tree))
    assert body_texts(body) == [SIDEBAR[0], *ARTICLE]


def test_a_block_outside_the_region_between_article_blocks_is_kept() -> None:
    """Only a trailing run is trimmed: when the last block is the article's, nothing goes."""
    tree = parse_html(page(ARTICLE))
    texts = [*ARTICLE[:2], SIDEBAR[0], *ARTICLE[2:]]
    body = trafilatura_body(texts)
    ctx = CleaningContext(page=tree)
    drop_blocks_after_article(body, tree, ctx)
    assert body_texts(body) == texts
    assert not ctx.removed


def test_weak_evidence_leaves_trafilatura_alone() -> None:
    """When most of trafilatura's text lies outside the region, the region is not trusted."""
    long_sidebar = [text * 3 for text in SIDEBAR]
    after = "".join(f"<p>{text}</p>" for text in long_sidebar)
    tree = parse_html(page(ARTICLE, after=f"<div class='more'>{after}</div>"))
    texts = [*ARTICLE[:2], *long_sidebar, *SIDEBAR]
    body = trafilatura_body(texts)
    ctx = CleaningContext(page=tree)
    drop_blocks_after_article(body, tree, ctx)
    assert body_texts(body) == texts
    assert not ctx.removed


def test_a_short_body_is_never_trimmed() -> None:
    tree = parse_html(page(ARTICLE[:2]))
    texts = [*ARTICLE[:2], SIDEBAR[0]]
    body = trafilatura_body(texts)
    drop_blocks_after_article(body, tree, CleaningContext(page=tree))
    assert body_texts(body) == texts


def test_a_page_without_paragraphs_has_no_region() -> None:
    tree = parse_html("<html><body><ul><li><a href='/a'>A</a></li></ul></body></html>")
    assert find_article_region(tree) is None


def test_fixture_page_trims_the_writer_note() -> None:
    tree = parse_html((FIXTURES / "after-article-author-box.html").read_text(encoding="utf-8"))
    region = find_article_region(tree)
    assert region is not None
    assert region.container.get("class") == "entry"
    assert not region.holds("Edda Marlowe has kept plot fourteen for eleven years")


def test_a_closing_list_whose_captions_trafilatura_dropped_is_kept() -> None:
    """Each numbered photo line is in the article; the list as one run of words is not."""
    items = ["Driving to the ferry.", "Pillars in the harbour.", "Flowers at the market."]
    captions = ["The sea, grey as ever", "Taken at low tide", "Sunday morning, early"]
    listed = "".join(
        f"<li>{item}<div class='photo'><p>{caption}</p></div></li>"
        for item, caption in zip(items, captions, strict=True)
    )
    paragraphs = "".join(f"<p>{text}</p>" for text in ARTICLE)
    tree = parse_html(
        "<html><body><div id='page'><div class='post'><h1>Winter timetable</h1>"
        f"<div class='entry'>{paragraphs}<ol>{listed}</ol></div></div>"
        "<div class='side'><p><a href='/more/0'>{SIDEBAR[0]}</a></p></div></div></body></html>"
    )
    body = trafilatura_body(ARTICLE)
    photo_list = etree.SubElement(body, "list")
    for item in items:
        etree.SubElement(photo_list, "item").text = item
    ctx = CleaningContext(page=tree)
    drop_blocks_after_article(body, tree, ctx)
    assert not ctx.removed
