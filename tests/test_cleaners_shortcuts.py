"""Faster paths of the cleaners give exactly what the slower functions they replace give.

Each shortcut (a cheaper test before a costly step, a cache, a prefilter in libxml2) is compared
with the reference function it stands for, on crafted inputs and on every page written for the
project's fixtures.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from trafilatura.utils import repair_faulty_html

from cleaners import vocabulary as vocab
from cleaners.candidates import find_article_region, unit_text
from cleaners.context import MAX_LINK_SCAN_CHARS, Block, CleaningContext
from cleaners.decode import decode_html
from cleaners.extract import (
    NESTED_BLOCK_TAGS,
    element_blocks,
    parse_html,
    repair_html,
    run_trafilatura_body,
)
from cleaners.text import (
    INNER_LEAD_RE,
    NOT_WORD_RE,
    SHORT_LINE_WORDS,
    is_promo_heading,
    line_timestamp,
    normalise,
    normalise_heading,
)
from cleaners.timestamps import Timestamp, parse_timestamp
from cleaners.tree import (
    ANY_MARK_RE,
    ARTICLE_RE,
    DECLARED_ITEMPROPS,
    HIDDEN_STYLE_RE,
    INDEX_XPATH,
    TreeIndex,
    build_index,
    class_id_marks,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = sorted(
    path
    for folder in ("metadata", "cleaners", "quality", "outlet_profile")
    for path in (FIXTURES / folder).rglob("*.html")
)
ARTICLE = "<p>Ferry timetable changes from Monday, the harbour office said.</p>"


@pytest.mark.parametrize(
    "html",
    [
        f"<html><body>{ARTICLE}</body></html>",
        # characters XML forbids, anywhere in the page, and the two non-characters
        f"<html><body>{ARTICLE}\x00\x08\x0b\x0c\x0e\x1f tail\ufffe\uffff</body></html>",
        f"\x01<!DOCTYPE html/>\n<html><body>{ARTICLE}</body></html>",
        # a doctype on the first line that libxml2 misreads, and a self-closing <html/>
        f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x/y.dtd"><html><body>{ARTICLE}',
        f'<!doctype html public "a/b">\n<html lang="en"/>\n<body>{ARTICLE}</body>',
        f"<html/>\n<body>{ARTICLE}</body>",
        f"<html xmlns='http://www.w3.org/1999/xhtml'\n/>\n<body>{ARTICLE}\x07</body>",
        # tabs, newlines and carriage returns are allowed and stay
        f"<html>\t<body>\r\n{ARTICLE}</body></html>",
        "",
    ],
)
def test_repair_html_is_trafilaturas_repair(html: str) -> None:
    assert repair_html(html) == repair_faulty_html(html, html[:50].lower())


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_repair_html_is_trafilaturas_repair_on_fixture_pages(page_path: Path) -> None:
    html = decode_html(page_path.read_bytes(), None)
    assert repair_html(html) == repair_faulty_html(html, html[:50].lower())


def reference_link_share(page: lxml.html.HtmlElement, text: str) -> float:
    """`block_link_share` by its definition: every distinct link text found in the text."""
    links = {" ".join(" ".join(a.itertext()).split()) for a in page.iter("a")} - {""}
    text = " ".join(text.split())
    if not text or not links:
        return 0.0
    if text in links:
        return 1.0
    if len(text) > MAX_LINK_SCAN_CHARS:
        return 0.0
    return min(1.0, sum(len(link) for link in links if len(link) > 1 and link in text) / len(text))


LINK_PAGE = (
    "<html><body><p>Read <a href='/a'>the council budget</a> and <a href='/b'>EU</a> rules, "
    "<a href='/c'>x</a>, <a href='/d'>  the   <b>council</b> <i>budget</i> vote</a>, "
    "<a href='/e'><img src='i.png'></a><a href='/f'>Mr</a> <a href='/g'>budget</a>"
    "<a href='https://other.example/'>Other <span>site</span></a></p></body></html>"
)
LINK_TEXTS = [
    "the council budget",
    "Read the council budget and EU rules",
    "EU",
    "Mr Smith on the council budget vote",
    "Subsidies: budget, EU, Mr and x",
    "x",
    "Other site",
    "A line without any link text in it",
    "the   council\n budget",
    "budget " * 80,
    "",
]


@pytest.mark.parametrize("text", LINK_TEXTS)
def test_block_link_share_is_its_definition(text: str) -> None:
    page = parse_html(LINK_PAGE)
    assert CleaningContext(page=page).block_link_share(text) == reference_link_share(page, text)


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_block_link_share_is_its_definition_on_fixture_pages(page_path: Path) -> None:
    page = parse_html(decode_html(page_path.read_bytes(), None))
    ctx = CleaningContext(page=page)
    texts = [" ".join(p.text_content().split()) for p in page.iter("p", "li", "h2", "a")]
    for text in texts:
        assert ctx.block_link_share(text) == reference_link_share(page, text), text


def reference_line_timestamp(text: str) -> Timestamp | None:
    """`line_timestamp` without its word-count shortcut."""
    stamp = parse_timestamp(text)
    if stamp is not None:
        return stamp
    inner = INNER_LEAD_RE.search(text)
    if inner is None or not inner.start():
        return None
    before, lead, after = text[: inner.start()], inner.group(0), text[inner.end() :]
    return parse_timestamp(f"{lead} {before} {after}")


TIMESTAMP_WORDS = [
    "5", "April", "2013", "Last", "updated", "Updated:", "at", "10:08", "GMT", "Published",
    "on", "14.", "März", "2014,", "p.m.", "E.T.", "Aktualisiert", "am", "the", "ferry", "|",
    "Mise", "à", "jour", "le", "2", "mai", "2019", "Updated", "11:45", "BST", "-", "ET",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TIMESTAMP_WORDS), min_size=1, max_size=22), st.sampled_from(" \t"))
def test_line_timestamp_shortcut_changes_nothing(words: list[str], space: str) -> None:
    text = space.join(words)
    assert line_timestamp(text) == reference_line_timestamp(text)


@pytest.mark.parametrize(
    "text",
    [
        "5 April 2013 Last updated at 10:08 GMT",
        "Posted by the ferry desk 5 April 2013 Last updated at 10:08 GMT with more words here now",
        "5 April 2013 and more words to fill a line of sixteen words in all Last updated at 10:08",
    ],
)
def test_line_timestamp_shortcut_on_datelines(text: str) -> None:
    assert line_timestamp(text) == reference_line_timestamp(text)


def reference_build_index(tree: lxml.html.HtmlElement) -> TreeIndex:
    """`build_index` reading every attribute of every element, without its caches."""
    index = TreeIndex(tree=tree)
    for element in INDEX_XPATH(tree):
        attributes = dict(element.items())
        if element.tag == "main" or attributes.get("role") == "main" or (
            attributes.get("itemprop", "").lower() in DECLARED_ITEMPROPS
        ):
            index.declared_chain.add(element)
            index.declared_chain.update(element.iterancestors())
        if (
            "hidden" in attributes
            or attributes.get("aria-hidden", "").strip().lower() == "true"
            or ("style" in attributes and HIDDEN_STYLE_RE.search(attributes["style"]))
        ):
            index.hidden.append(element)
        raw = f"{attributes.get('class', '')} {attributes.get('id', '')}".lower()
        if len(raw) < 4 or not ANY_MARK_RE.search(raw):
            continue
        marks = class_id_marks(element)
        if marks and ANY_MARK_RE.search(marks) and not ARTICLE_RE.search(marks):
            index.marked.append((element, marks))
    return index


INDEX_PAGE = """<html><body><main class="share-bar"><div hidden class="promo">a</div>
<div class="Share-Bar" id="x" style="DISPLAY: none">b</div><div aria-hidden=" TRUE ">c</div>
<div role="main" class="related-posts"><p style="color: red" class="related-posts">d</p></div>
<div itemprop="ArticleBody" id="comments"><span class="tag-share share">e</span></div>
<section class="sharing-with-a-single-developer-team">f</section><aside id="ad">g</aside>
<div class="newsletter article-body">h</div><div class="">i</div><div role="note" hidden="">j</div>
</main></body></html>"""


def same_index(found: TreeIndex, reference: TreeIndex) -> bool:
    """True when two indexes hold the same elements in the same order."""
    return (
        found.marked == reference.marked
        and found.hidden == reference.hidden
        and found.declared_chain == reference.declared_chain
    )


def test_build_index_is_the_full_attribute_read() -> None:
    tree = parse_html(INDEX_PAGE)
    found, reference = build_index(tree), reference_build_index(tree)
    assert len(reference.marked) >= 4
    assert len(reference.hidden) >= 4
    assert same_index(found, reference)
    assert same_index(build_index(tree), reference)  # again, from the caches


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_build_index_is_the_full_attribute_read_on_fixture_pages(page_path: Path) -> None:
    tree = parse_html(decode_html(page_path.read_bytes(), None))
    assert same_index(build_index(tree), reference_build_index(tree))


def reference_normalise(text: str) -> str:
    """`normalise` without its ASCII shortcut."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(NOT_WORD_RE.sub("", folded).split())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_normalise_shortcut_changes_nothing(text: str) -> None:
    assert normalise(text) == reference_normalise(text)


@pytest.mark.parametrize(
    "text",
    [
        "Home prices in the second quarter rose 3.5% -- a \"surprise\" (Q2_report)!",
        "\x00\x1c\x1f\x7f\tTabs,\x0bvertical\x0cfeeds\r\nand DEL",
        "Straße café — “quotes” ½ ﬁne",
        "",
    ],
)
def test_normalise_shortcut_on_headlines(text: str) -> None:
    assert normalise(text) == reference_normalise(text)


def reference_is_promo_heading(text: str) -> bool:
    """`is_promo_heading` testing the vocabulary one heading at a time."""
    if len(text.split()) > SHORT_LINE_WORDS:
        return False
    text = normalise_heading(text)
    return any(text == h or text.startswith(h + " ") for h in vocab.PROMO_HEADINGS)


PROMO_TEXTS = [
    text
    for heading in vocab.PROMO_HEADINGS
    for text in (heading, f"{heading.upper()}:", f"{heading} from X", f"{heading}s", heading[:-1])
] + ["More from the harbour", "Read more", "", "   ", "The ferry timetable"]


@pytest.mark.parametrize("text", PROMO_TEXTS)
def test_promo_heading_sets_are_the_vocabulary(text: str) -> None:
    assert is_promo_heading(Block(text=text, kind="heading")) == reference_is_promo_heading(text)


def reference_element_blocks(element: etree._Element, kind: str) -> list[Block]:
    """`element_blocks` walking every element, also one without children."""
    segments: list[list[str]] = [[]]

    def walk(node: etree._Element) -> None:
        if node.tag == "lb":
            segments.append([])
        elif node.text:
            segments[-1].append(node.text)
        for child in node:
            if child.tag in NESTED_BLOCK_TAGS:
                segments[-1].append(" ")
            walk(child)
            if child.tag in NESTED_BLOCK_TAGS:
                segments[-1].append(" ")
            if child.tail:
                segments[-1].append(child.tail)

    walk(element)
    texts = (" ".join("".join(parts).split()) for parts in segments)
    return [Block(text=text, kind=kind) for text in texts if text]


@pytest.mark.parametrize(
    "xml",
    ["<p>  a \n b </p>", "<p/>", "<p> </p>", "<lb/>", "<p>a<lb/>b</p>", "<item>i<p>j</p>k</item>"],
)
def test_element_blocks_shortcut_changes_nothing(xml: str) -> None:
    element = etree.fromstring(xml)
    assert element_blocks(element, "p") == reference_element_blocks(element, "p")


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_element_blocks_shortcut_on_fixture_pages(page_path: Path) -> None:
    html = decode_html(page_path.read_bytes(), None)
    body = run_trafilatura_body(parse_html(html), "https://news.example/2024/03/story")
    for element in body.iter() if body is not None else ():
        assert element_blocks(element, "p") == reference_element_blocks(element, "p")


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_unit_text_shortcut_on_fixture_pages(page_path: Path) -> None:
    html = decode_html(page_path.read_bytes(), None)
    body = run_trafilatura_body(parse_html(html), "https://news.example/2024/03/story")
    for element in body.iter() if body is not None else ():
        assert unit_text(element) == " ".join(" ".join(element.itertext()).split())


def test_region_reads_the_page_as_it_was_when_found() -> None:
    """trafilatura changes the page after the region is found: the region's words stay."""
    paragraphs = [
        "The harbour ferry returns to its winter timetable on Monday, the office said.",
        "Crossings leave every forty minutes, and the last boat sails at nine, as before.",
        "Cyclists may board at both ends, though the upper deck stays closed until spring.",
    ]
    html = "<html><body><div class='entry'>" + "".join(f"<p>{p}</p>" for p in paragraphs)
    tree = parse_html(html + "</div><div class='side'><p>Weather: rain.</p></div></body></html>")
    region = find_article_region(tree)
    assert region is not None
    for paragraph in list(region.container):
        region.container.remove(paragraph)
    assert all(region.holds(p) for p in paragraphs)
    assert not region.holds("Weather: rain, wind and a grey sky over the whole coast today")
