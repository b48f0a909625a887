"""The second reading of a page trafilatura gathers "wild" (cleaners/region_hint.py): with the
article region declared, the page's headings and lists come back and the promotions around the
article stay out; a region holding much less than the wild reading leaves it alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

import cleaners.extract as extract_module
from cleaners import extract_article, region_hint
from cleaners.fallback_gate import extract_body

ROOT = Path(__file__).resolve().parents[1]
WILD_PAGE = ROOT / "fixtures" / "cleaners" / "wild-page-region-hint.html"
URL = "https://crumbandco.example/blog/choosing-a-sourdough-starter-jar"


def read_wild(page: Path, url: str) -> tuple[etree._Element, str]:
    """The page's tree and trafilatura's body text of it, failing the calling test when
    trafilatura found the article's container itself (the fixture would test nothing)."""
    tree = extract_module.parse_html(page.read_text(encoding="utf-8"))
    with region_hint.wild_record() as wild:
        document = extract_body(tree, url)
    assert wild, "trafilatura found the article's container itself: the fixture tests nothing"
    return tree, " ".join(" ".join(document.body.itertext()).split())


def test_the_fixture_page_is_one_trafilatura_reads_wild() -> None:
    _tree, text = read_wild(WILD_PAGE, URL)
    assert "What to look for in a starter jar" not in text


def test_the_hinted_reading_keeps_headings_and_lists_and_drops_the_promotions() -> None:
    article = extract_article(WILD_PAGE.read_bytes(), url=URL)
    assert "Glass, ceramic or plastic?" in article.body
    assert "Straight sides: a band or a mark" in article.body
    assert "Fresh flour delivered" not in article.body
    assert "Join thirty thousand home bakers" not in article.body
    # What the region's reading left out is in the audit, never lost without a record.
    audited = " ".join(removal.text for removal in article.removed)
    assert "Fresh flour delivered to your door every month" in audited
    assert "Join thirty thousand home bakers" in audited


def test_the_declared_attribute_is_taken_back_after_the_reading() -> None:
    tree = etree.fromstring("<div><section itemprop='text'><p>a</p></section><p>b</p></div>")
    declared, plain = tree[0], tree[1]
    with region_hint.declared_article(declared):
        assert declared.get("itemprop") == "articleBody"
    with region_hint.declared_article(plain):
        assert plain.get("itemprop") == "articleBody"
    assert declared.get("itemprop") == "text"
    assert plain.get("itemprop") is None


@pytest.mark.parametrize(
    ("wild_words", "hinted_words", "taken"),
    [(100, 100, True), (100, 75, True), (100, 74, False), (100, 0, False), (0, 10, False)],
)
def test_the_hinted_reading_must_keep_most_of_the_wild_words(
    wild_words: int, hinted_words: int, taken: bool
) -> None:
    def body(words: int) -> etree._Element:
        element = etree.Element("body")
        element.text = " ".join(["word"] * words)
        return element

    assert region_hint.keeps_enough(body(wild_words), body(hinted_words)) is taken


LEAD_PAGE = ROOT / "fixtures" / "cleaners" / "wild-page-lead-before-region.html"
LEAD_URL = "https://fernhill.example/guides/lifting-dahlia-tubers"
STANDFIRST = "Dahlias rot in cold wet soil, so in most gardens the tubers come out of the ground"


def test_the_lead_fixture_is_read_wild_and_its_region_leaves_the_standfirst_out() -> None:
    tree, text = read_wild(LEAD_PAGE, LEAD_URL)
    assert STANDFIRST in text
    region = extract_module.find_article_region(tree)
    assert region is not None
    assert STANDFIRST not in " ".join(region.container.text_content().split())


def test_the_standfirst_just_before_the_region_is_kept_and_the_banner_is_not() -> None:
    article = extract_article(LEAD_PAGE.read_bytes(), url=LEAD_URL)
    assert article.body.startswith(STANDFIRST)
    assert "Digging the tubers up" in article.body  # the region's reading, headings and all
    assert "sweet peas" not in article.body
    assert "fortnightly letter" not in article.body


def _body(*lines: str) -> etree._Element:
    body = etree.Element("body")
    for line in lines:
        etree.SubElement(body, "p").text = line
    return body


def test_a_line_far_above_the_container_is_no_lead() -> None:
    filler = " ".join(["word"] * (region_hint.LEAD_SLACK_WORDS + 5))
    page = etree.fromstring(
        "<div><p>Far above the article, a promotion line.</p>"
        f"<p>{filler}</p><p>The lead just above the article.</p>"
        "<div id='c'><p>First line of the article.</p></div></div>"
    )
    container = page.find(".//div[@id='c']")
    wild = _body(
        "Far above the article, a promotion line.",
        "The lead just above the article.",
        "First line of the article.",
    )
    hinted = _body("First line of the article.")
    kept = region_hint.lead_before(wild, hinted, container)
    assert [line.text for line in kept] == ["The lead just above the article."]
    # A wild reading that shares no line with the region's reading has no lead to give.
    assert region_hint.lead_before(wild, _body("Another text."), container) == []


PART_PAGE = ROOT / "fixtures" / "cleaners" / "wild-page-region-holds-part.html"
PART_URL = "https://eastbrook.example/news/village-hall-heat-pumps"


def test_a_region_holding_two_thirds_of_the_wild_reading_leaves_it_alone() -> None:
    # The story runs on below a pull quote in a block of its own: the container the candidate
    # stage finds holds its first part, about two thirds of the wild reading's words.
    read_wild(PART_PAGE, PART_URL)
    article = extract_article(PART_PAGE.read_bytes(), url=PART_URL)
    assert "The old oil boiler in the village hall gave up" in article.body
    assert "The first bills have been lower than the committee feared." in article.body
    assert "at the annual meeting in May" in article.body
