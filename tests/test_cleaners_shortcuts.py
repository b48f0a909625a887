"""Faster paths of the cleaners give exactly what the slower functions they replace give.

Each shortcut (a cheaper test before a costly step, a cache, a prefilter in libxml2) is compared
with the reference function it stands for, on crafted inputs and on every page written for the
project's fixtures.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from trafilatura.utils import repair_faulty_html

from cleaners import extract
from cleaners import vocabulary as vocab
from cleaners.article import Removal
from cleaners.candidates import find_article_region, unit_text
from cleaners.context import MAX_LINK_SCAN_CHARS, Block, CleaningContext
from cleaners.decode import decode_html
from cleaners.extract import (
    NESTED_BLOCK_TAGS,
    element_blocks,
    extract_article,
    parse_html,
    repair_html,
    run_trafilatura_body,
)
from cleaners.profile import (
    BLOCK_TAGS,
    CLEANER_NAME,
    MAX_CHARS_PER_WORD,
    NEVER_REMOVED_TAGS,
    SAMPLE_CHARS,
    SKIPPED_TAGS,
    TITLE_PART_MIN_WORDS,
    BoilerplateProfile,
    PageBlock,
    PageBlocks,
    fingerprint,
    introduces_own_text,
    learn_from_pages,
    normalise_block,
    read_page_blocks,
    visible_text,
)
from cleaners.text import (
    DISCLOSURE_CASE_ODDITIES,
    DISCLOSURE_WORDS,
    INNER_LEAD_RE,
    MIN_TOC_ITEMS,
    NOT_WORD_RE,
    SHORT_LINE_WORDS,
    drop,
    drop_table_of_contents,
    is_disclosure,
    is_promo_heading,
    line_timestamp,
    normalise,
    normalise_heading,
    toc_key,
    words,
)
from cleaners.timestamps import Timestamp, parse_timestamp
from cleaners.tree import (
    ANY_MARK_RE,
    ARTICLE_RE,
    DECLARED_ITEMPROPS,
    HIDDEN_STYLE_RE,
    INDEX_XPATH,
    VISUALLY_HIDDEN_CLASSES,
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


def reference_drop_table_of_contents(blocks: list[Block], ctx: CleaningContext) -> list[Block]:
    """`drop_table_of_contents` reading the later headings' keys again for every list."""
    doomed: set[int] = set()
    index = 0
    while index < len(blocks):
        if blocks[index].kind != "item":
            index += 1
            continue
        end = index
        while end < len(blocks) and blocks[end].kind == "item":
            end += 1
        later = {toc_key(b.text) for b in blocks[end:] if b.kind == "heading"}
        run = range(index, end)
        if len(run) >= MIN_TOC_ITEMS and all(toc_key(blocks[i].text) in later for i in run):
            doomed.update(run)
        index = end
    return drop(blocks, doomed, "drop_table_of_contents", ctx)


TOC_TEXTS = [
    "1. Shelter", "Shelter", "2. Cooking and water", "Cooking and water", "Maps", "iv. Maps",
]  # fmt: skip
TOC_BLOCKS = st.builds(
    Block, st.sampled_from(TOC_TEXTS), st.sampled_from(["item", "heading", "p"])
)


@settings(max_examples=400, deadline=None)
@given(st.lists(TOC_BLOCKS, max_size=14))
def test_table_of_contents_shortcut_changes_nothing(blocks: list[Block]) -> None:
    ctx, reference_ctx = CleaningContext(), CleaningContext()
    kept = drop_table_of_contents(blocks, ctx)
    assert kept == reference_drop_table_of_contents(blocks, reference_ctx)
    assert ctx.removed == reference_ctx.removed


def test_table_of_contents_shortcut_on_a_contents_list() -> None:
    blocks = [
        Block("1. Shelter and sleeping", "item"), Block("2. Cooking and water", "item"),
        Block("Pack light: what stays at home.", "p"), Block("Shelter and sleeping", "heading"),
        Block("A tarp weighs less than a tent.", "p"), Block("Cooking and water", "heading"),
        Block("Maps", "item"), Block("Compass", "item"),
    ]  # fmt: skip
    ctx, reference_ctx = CleaningContext(), CleaningContext()
    kept = drop_table_of_contents(blocks, ctx)
    assert kept == reference_drop_table_of_contents(blocks, reference_ctx) == blocks[2:]
    assert ctx.removed == reference_ctx.removed


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_word_count_memo_changes_nothing(text: str) -> None:
    assert words(text) == len(text.split())
    assert words(text) == len(text.split())  # the second call answers from the memo


def reference_build_index(tree: lxml.html.HtmlElement) -> TreeIndex:
    """`build_index` reading every attribute of every element, without its caches."""
    index = TreeIndex(tree=tree)
    for element in INDEX_XPATH(tree):
        attributes = dict(element.items())
        if not VISUALLY_HIDDEN_CLASSES.isdisjoint(attributes.get("class", "").lower().split()):
            index.visually_hidden.append(element)
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
<span class="SR-Only">k</span><span id="sr-only" class="icon visually-hidden">l</span>
<em class="sr-only share-label">m</em></main><main role="main"><b class="comment">n</b></main>
</body></html>"""


def same_index(found: TreeIndex, reference: TreeIndex) -> bool:
    """True when two indexes hold the same elements in the same order."""
    return (
        found.marked == reference.marked
        and found.hidden == reference.hidden
        and found.visually_hidden == reference.visually_hidden
        and found.declared_chain == reference.declared_chain
    )


def test_build_index_is_the_full_attribute_read() -> None:
    tree = parse_html(INDEX_PAGE)
    found, reference = build_index(tree), reference_build_index(tree)
    assert len(reference.marked) >= 4
    assert len(reference.hidden) >= 4
    assert len(reference.visually_hidden) == 3
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


# --- Learned boilerplate: the block walk and the removal pass -----------------------------------

REFERENCE_WORD_RE = re.compile(r"[^\W_]+")
REFERENCE_DIGITS_RE = re.compile(r"\d+")


def reference_normalise_block(text: str) -> str:
    """`normalise_block` without its ASCII path: NFKC, casefold, words, digit runs as "0"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return REFERENCE_DIGITS_RE.sub("0", " ".join(REFERENCE_WORD_RE.findall(folded)))


NORMALISE_TEXT = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=12),
        st.sampled_from(["’", "“", "”", "—", "\u00a0", "…", "©", "ﬁ", "é", "e\u0301", "²", "٣"]),
        st.sampled_from(["00", "2014", "_", "0_0", "A1b2", " ", "\n", "\x1f"]),
    ),
    max_size=10,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(NORMALISE_TEXT | st.text())
def test_normalise_block_shortcuts_change_nothing(text: str) -> None:
    assert normalise_block(text) == reference_normalise_block(text)


def reference_read_page_blocks(tree: lxml.html.HtmlElement, max_words: int = 200) -> PageBlocks:
    """`read_page_blocks` as first written: a list of runs per element, JSON-LD, headline metas
    and microdata found by XPath."""
    bodies: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "articleBody" and isinstance(value, str):
                    bodies.append(reference_normalise_block(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        if "articleBody" not in script:
            continue
        try:
            walk(json.loads(script))
        except (ValueError, RecursionError):
            continue
    page = PageBlocks(
        article_body=f" {' | '.join(b for b in bodies if b)} " if any(bodies) else ""
    )
    max_chars = max_words * MAX_CHARS_PER_WORD
    markers = {
        e for e in tree.xpath("//*[@itemprop]")
        if "articlebody" in (e.get("itemprop") or "").lower().split()
    }
    stack: list[list[Any]] = []
    elements: list[tuple[Any, str, bool] | None] = []
    prints: dict[str, str] = {}

    def run(parts: list[str]) -> str:
        text = "".join(parts)
        return reference_normalise_block(text) if text and not text.isspace() else ""

    depth = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            marker = element in markers
            depth += marker
            text = element.text if tag and tag not in SKIPPED_TAGS else None
            slot = -1
            if tag in BLOCK_TAGS:
                slot = len(elements)
                elements.append(None)
            stack.append([[[text]] if text else [[]], len(text) if text else 0, depth > 0,
                          marker, slot])
            continue
        segments, length, protected, marker, slot = stack.pop()
        depth -= marker
        too_long = segments is None or length > max_chars
        normalised = ""
        if slot >= 0 and not too_long:
            pieces = [run(s) if isinstance(s, list) else s for s in segments]
            normalised = " ".join(p for p in pieces if p)
            if normalised not in prints:
                prints[normalised] = fingerprint(normalised) if normalised else ""
            print_ = prints[normalised]
            words = normalised.count(" ") + 1
            if normalised and words <= max_words:
                elements[slot] = (element, print_, protected)
                if print_ not in page.blocks:
                    page.blocks[print_] = PageBlock(print_, normalised[:SAMPLE_CHARS], words)
        if not stack:
            continue
        parent = stack[-1]
        if protected:
            parent[2] = True
        if too_long:
            parent[0] = None
        elif parent[0] is not None:
            if slot >= 0:
                parent[0] += [normalised, []]
                parent[1] += length + 2
            elif tag not in SKIPPED_TAGS:
                parent[0][-1].extend(segments[0])
                parent[0].extend(segments[1:])
                parent[1] += length
        if parent[0] is not None and element.tail:
            parent[0][-1].append(element.tail)
            parent[1] += len(element.tail)
    page.elements = [entry for entry in elements if entry is not None]
    page.own_blocks = {p for e, p, protected in page.elements if protected or e.tag == "h1"}
    metas = tree.xpath(
        "//meta[@property='og:title' or @name='twitter:title' or @name='og:title']/@content"
    )
    page.own_blocks.update(
        fingerprint(reference_normalise_block(str(m))) for m in metas if str(m).strip()
    )
    title = f" {reference_normalise_block(' '.join(tree.xpath('/html/head/title//text()')))} "
    for normalised, print_ in prints.items():
        if normalised.count(" ") + 1 >= TITLE_PART_MIN_WORDS and f" {normalised} " in title:
            page.own_blocks.add(print_)
    return page


def same_page_blocks(found: PageBlocks, reference: PageBlocks) -> bool:
    """The same blocks in the same order, the same elements (the same nodes), the same rest."""
    return (
        list(found.blocks.items()) == list(reference.blocks.items())
        and len(found.elements) == len(reference.elements)
        and all(
            a[0] is b[0] and a[1:] == b[1:]
            for a, b in zip(found.elements, reference.elements, strict=True)
        )
        and found.own_blocks == reference.own_blocks
        and found.article_body == reference.article_body
    )


# What the walk must get right: comments (their tails are not read), text in skipped elements
# and blocks inside them, inline microdata bodies, metas and JSON-LD in the body, a block too
# long to read inside a wrapper, non-ASCII text, wrappers repeating their only child.
BLOCK_WALK_PAGE = (
    "<html><head><title>Harbour News: Ferry Timetable Changes From Monday</title>"
    "<meta property='og:title' content='Ferry timetable changes'><style>p {}</style>"
    "<meta name='og:title' content=' '><meta name='twitter:title'><meta name='title' content='x'>"
    "<script type='application/ld+json'>{\"@graph\": [{\"articleBody\": \"Crossings leave "
    "every forty minutes.\"}, {\"articleBody\": \"\"}]}</script></head><body>"
    "<div><div><p>Ferry <b>timetable</b> changes<!-- note --> after a comment</p></div></div>"
    "<p>Crossings leave every forty minutes.</p><noscript><p>Enable scripts</p>tail</noscript>"
    "<div>Loose <span itemprop='articleBody'>inline <i>body</i><p>inner</p></span> end</div>"
    "<section><div>Byline <b itemprop='text articleBody'>only inline</b></div></section>"
    "<ul><li>Straße ’quoted’ — 2014</li><li>ﬁne e\u0301 ٣٤ 00x</li><li> </li><li></li></ul>"
    f"<section><p>{'word ' * 900}</p><p>after the long one</p></section>"
    "<meta name='twitter:title' content='Ferry timetable changes from Monday'>"
    "<script type='application/ld+json'>not json articleBody</script>"
    "<h1>Ferry Timetable Changes From Monday</h1><table><tr><td>a</td><td>b</td></tr></table>"
    "<div><?pi data?>x<p>y</p>z</div></body></html>"
)


@pytest.mark.parametrize("max_words", [200, 12, 1000])
def test_read_page_blocks_is_the_first_walk(max_words: int) -> None:
    tree = parse_html(BLOCK_WALK_PAGE)
    reference = reference_read_page_blocks(tree, max_words)
    assert reference.article_body
    assert reference.own_blocks
    assert len(reference.blocks) > 10
    assert any(protected for _, _, protected in reference.elements)
    assert same_page_blocks(read_page_blocks(tree, max_words), reference)


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_read_page_blocks_is_the_first_walk_on_fixture_pages(page_path: Path) -> None:
    tree = parse_html(decode_html(page_path.read_bytes(), None))
    assert same_page_blocks(read_page_blocks(tree), reference_read_page_blocks(tree))


def reference_remove_learned_blocks(
    tree: lxml.html.HtmlElement, page: PageBlocks, profile: BoilerplateProfile | None
) -> list[Removal]:
    """`remove_learned_blocks` walking every element's ancestors to the root."""
    removals: list[Removal] = []
    for element, print_, protected in page.elements if profile else ():
        if print_ not in profile or protected or element.tag in NEVER_REMOVED_TAGS:
            continue
        if print_ in page.own_blocks or tree not in (element, *element.iterancestors()):
            continue
        if introduces_own_text(element, profile):
            page.own_blocks.add(print_)
            continue
        text = " ".join(" ".join(visible_text(element)).split())
        if page.belongs_to_page(reference_normalise_block(text)):
            continue
        if parse_timestamp(text) is not None:
            continue
        removals.append(Removal(CLEANER_NAME, text, profile.reason(print_)))
        element.drop_tree()
    return removals


OUTLET_PAGES = sorted((FIXTURES / "outlet_profile").glob("*.html"))


@pytest.fixture(scope="module")
def outlet_profile() -> BoilerplateProfile:
    trees = [parse_html(decode_html(path.read_bytes(), None)) for path in OUTLET_PAGES]
    return learn_from_pages("outlet", [read_page_blocks(tree) for tree in trees])


@pytest.mark.parametrize("page_path", OUTLET_PAGES, ids=lambda p: p.stem)
def test_learned_stages_are_the_first_ones_on_fixture_outlet(
    page_path: Path, outlet_profile: BoilerplateProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole extractions with the outlet's profile: the same article, removals and blocks."""
    html = page_path.read_bytes()
    found = extract_article(html, collect_blocks=True, profile=outlet_profile)
    monkeypatch.setattr(extract, "read_page_blocks", reference_read_page_blocks)
    monkeypatch.setattr(extract, "remove_learned_blocks", reference_remove_learned_blocks)
    reference = extract_article(html, collect_blocks=True, profile=outlet_profile)
    assert any(r.cleaner == CLEANER_NAME for r in reference.removed)
    assert found == reference


# One line for each alternative of vocab.DISCLOSURE_RE, in other cases and with the characters
# its case-insensitive matching reads as a letter of the words the shortcut looks for.
DISCLOSURE_LINES = [
    "This post may contain affiliate links.",
    "THIS REVIEW INCLUDES SPONSORED CONTENT",
    "This guide uses commissionable links to shops.",
    "We may earn a small commission if you buy through them.",
    "You may receive an affiliate commission, the shop says.",
    "As an Amazon Associate I earn from qualifying purchases.",
    "We may be COMPENSATED by the brands we review.",
    "We also use affiliate links on this site.",
    "Affiliate disclosure: read on.",
    "Dieser Artikel enthält sogenannte Affiliate-Links.",
    "Beim Kauf erhalten wir ggf. eine kleine Provision.",
    "Cet article contient des liens d'affiliation.",
    "Nous pouvons percevoir une petite commission.",
    "Este artículo contiene enlaces de afiliados.",
    "Podemos recibir una pequeña COMISIÓN.",
    "Эта статья содержит партнёрские ссылки.",
    "We may earn a small commıssion (dotless i).",
    "We may earn a small COMMİSSION (dotted capital I).",
    "This post contains ſponsored links (long s).",
    "Эта статья содержи\u1c84 пар\u1c84нёрские ссылки (old letter forms).",
    "A ferry timetable changes from Monday, the harbour office said.",
    "The affiliate programme paid streamers a commission for each sale.",
    "",
]


def disclosure_words_letters() -> str:
    """The letters of the words `is_disclosure` looks for."""
    return "".join(sorted(set("".join(DISCLOSURE_WORDS))))


@pytest.mark.parametrize("text", DISCLOSURE_LINES)
def test_disclosure_shortcut_is_the_regex(text: str) -> None:
    assert is_disclosure(text) == bool(vocab.DISCLOSURE_RE.search(text))


def test_disclosure_lines_are_found() -> None:
    found = [text for text in DISCLOSURE_LINES if is_disclosure(text)]
    assert len(found) == len(DISCLOSURE_LINES) - 3


def test_every_disclosure_alternative_holds_a_shortcut_word() -> None:
    pattern = vocab.DISCLOSURE_RE.pattern
    alternatives, depth, start = [], 0, 0
    for index, char in enumerate(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and not depth:
            alternatives.append(pattern[start:index])
            start = index + 1
    alternatives.append(pattern[start:])
    assert len(alternatives) >= 10
    for alternative in alternatives:
        assert any(word in alternative.lower() for word in DISCLOSURE_WORDS), alternative


def test_disclosure_case_oddities_are_all_there() -> None:
    """Every character the regex matches, case ignored, with a letter of the shortcut's words
    either lower-cases to that letter or holds one of DISCLOSURE_CASE_ODDITIES."""
    everything = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
    for letter in disclosure_words_letters():
        for match in re.finditer(re.escape(letter), everything, re.IGNORECASE):
            lowered = match.group().lower()
            assert lowered == letter or any(odd in lowered for odd in DISCLOSURE_CASE_ODDITIES), (
                letter,
                hex(ord(match.group())),
            )
