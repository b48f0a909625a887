"""trafilatura's pruning expressions answered in Python (cleaners/prune_paths.py) select the very
elements its XPath selects, in the same order, on a page crafted around each expression's terms
and on every page written for the project's fixtures; outside our calls the XPath itself runs.
"""

from __future__ import annotations

import html
import itertools
import re
from copy import copy
from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import htmlprocessing, main_extractor, xpaths

from cleaners import fallback_gate, prune_paths
from cleaners.decode import decode_html
from cleaners.extract import parse_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = sorted(
    path
    for folder in ("metadata", "cleaners", "quality", "extract", "pages")
    for path in (FIXTURES / folder).rglob("*.html")
)
# Each element exercises one term: which of @id and @class comes first in the source, a missing
# attribute read as "", translate's case mapping, `not(.//h1)`, `not(self::ol or self::ul)`.
CRAFTED_PAGE = """<html><body>
<div class="cookie-note" id="main">cookie first in the source: matched</div>
<div id="main" class="cookie-note">id first in the source: not matched by 'cookie'</div>
<section role="Navigation">a navigation by its role</section>
<span data-lp-replacement-content="x">a replaced span</span>
<p data-component="MostPopularStories-list">popular stories</p>
<div class="story-body"><p>An ordinary paragraph of the article, kept.</p></div>
<aside style="display: none">hidden by its style</aside>
<b id="panel-hidden" style="color: red">hidden by its id, read before the style</b>
<b style="color: red" id="panel-hidden">the style comes first: not hidden</b>
<em aria-hidden="true">hidden from screen readers</em>
<h2 class="comments-title">3 comments</h2>
<div id="reply-form">a reply form by its id</div>
<section class="infinite-scroll"><h1>The article's own headline</h1><p>Kept.</p></section>
<section class="infinite-scroll"><p>An appended article, pruned.</p></section>
<div class="mvp-post-add-box"><h1>Pruned whatever it holds</h1></div>
<div class="elementor-share-buttons">share</div>
<ul id="comments"><li>a list whose id names comments</li></ul>
<ol class="commentary"><li>commentary is no comment list</li></ol>
<div id="Comment-12">a comment by its id</div>
<details class="post-comments"><p>comments folded away</p></details>
<div id="TopTeaser">a teaser whatever its case</div>
<div class="photo-caption">a caption</div>
<div class="page-bottom">the bottom of the page</div>
<p style="border: 1px solid">a bordered box</p>
<div id="a" class=" link ">a lone link class</div>
<main><div class="wrap"><div class="FullText">first body candidate by its class, any case</div>
<div class="FullText">a second one under the same parent</div></div>
<section class="story"><div class="post-body">a body under another parent</div></section>
<article><div id="content">article and content</div></article></main>
</body></html>"""


ANSWERS = (prune_paths.Selection, prune_paths.FirstOfEach)


def selections() -> list[prune_paths.Selection | prune_paths.FirstOfEach]:
    """Every expression of trafilatura the module answers."""
    return [
        expression
        for name in prune_paths.PRUNING_LISTS
        for expression in getattr(xpaths, name)
        if isinstance(expression, ANSWERS)
    ]


def same_selection(tree: HtmlElement) -> None:
    """Each expression's answer is the XPath's, element for element."""
    for selection in selections():
        assert selection.select(tree) == selection.xpath(tree), selection.xpath.path


def test_every_attribute_expression_is_translated() -> None:
    assert fallback_gate.PRUNING_TRANSLATED
    untranslated = [
        expression.path
        for name in prune_paths.PRUNING_LISTS
        for expression in getattr(xpaths, name)
        if not isinstance(expression, ANSWERS)
    ]
    # Only PRECISION_DISCARD_XPATH's plain `.//header`, a fast XPath already.
    assert [path.strip() for path in untranslated] == [".//header"]


def test_the_crafted_page_selects_as_xpath_does() -> None:
    tree = parse_html(CRAFTED_PAGE)
    same_selection(tree)
    overall = xpaths.OVERALL_DISCARD_XPATH[0]
    texts = [element.text for element in overall.select(tree)]
    assert "cookie first in the source: matched" in texts
    assert "id first in the source: not matched by 'cookie'" not in texts
    assert "a navigation by its role" in texts
    hidden = [element.text for element in xpaths.OVERALL_DISCARD_XPATH[1].select(tree)]
    assert "hidden by its id, read before the style" in hidden
    assert "the style comes first: not hidden" not in hidden
    raw = [element.get("class") for element in xpaths.RAW_TREE_PRUNE_XPATH[0].select(tree)]
    assert raw == ["infinite-scroll", "mvp-post-add-box"]
    comments = xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH[0].select(tree)
    assert [element.tag for element in comments] == ["ul", "div", "details"]


def test_body_expressions_take_the_first_match() -> None:
    tree = parse_html(CRAFTED_PAGE)
    same_selection(tree)
    by_class, _article, fulltext, content, main = xpaths.BODY_XPATH
    # `[1]` on the step: the first matching child of each parent.
    assert [element.text for element in by_class.select(tree)] == ["a body under another parent"]
    # `(...)[1]`: the first in document order ("story-body" comes before "FullText").
    assert [element.get("class") for element in fulltext.select(tree)] == ["story-body"]
    assert [element.get("id") for element in content.select(tree)] == ["content"]
    # A union: the first div whose id starts with "main", then the first <main>, in page order.
    assert [element.tag for element in main.select(tree)] == ["div", "main"]


def test_outside_our_calls_the_xpath_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html(CRAFTED_PAGE)
    answered: list[int] = []
    selection = xpaths.TEASER_DISCARD_XPATH[0]
    monkeypatch.setattr(selection, "select", lambda page: answered.append(1) or [])
    assert [element.get("id") for element in selection(tree)] == ["TopTeaser"]
    assert answered == []
    fallback_gate.extract_body(tree, None, output_format="xml")
    assert answered


def test_an_unknown_term_keeps_the_xpath() -> None:
    expression = etree.XPath(".//*[self::div][contains(text(), 'x')]")
    assert prune_paths.translate(expression) is expression


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_pages_select_as_xpath_does(page_path: Path) -> None:
    same_selection(parse_html(decode_html(page_path.read_bytes(), None)))


def literal_page() -> str:
    """A page whose elements carry the expressions' own literals as attribute values: as they
    are, upper-cased, inside other words, twice read in either source order, so each merged
    search meets strings that match one of its parts, several, or none."""
    literals = sorted(
        {
            word
            for expression in selections()
            for word in re.findall(r"'([^']*)'", expression.xpath.path)
            if word.strip()
        }
    )
    tags = ("div", "section", "span", "p", "article", "main", "aside", "ul", "details", "b")
    elements = []
    for number, literal in enumerate(literals):
        value = html.escape(literal, quote=True)
        for variant in (value, value.upper(), f"x-{value}-y", f"{value} other"):
            tag = tags[number % len(tags)]
            elements += [
                f'<{tag} class="{variant}">a</{tag}>',
                f'<{tag} id="{variant}" class="plain">b</{tag}>',
                f'<{tag} class="plain" id="{variant}" style="{variant}">c</{tag}>',
                f'<{tag} role="{variant}" data-component="{variant}" itemprop="{variant}">'
                f"d</{tag}>",
                f'<{tag} style="{variant}" id="{variant}" aria-hidden="{variant}">e</{tag}>',
                # The same attributes in the other source order (`@id|@class`, `@id|@style`).
                f'<{tag} id="{variant}" class="cookie" style="{variant}">f</{tag}>',
                f'<{tag} class="cookie" style="{variant}" id="{variant}">g</{tag}>',
                f'<{tag} id="{variant}" class="{variant}">h</{tag}>',
                f'<{tag} class="{variant}" id="{variant}">i</{tag}>',
            ]
    return "<html><body>" + "\n".join(elements) + "</body></html>"


def test_merged_searches_select_as_xpath_does() -> None:
    tree = parse_html(literal_page())
    same_selection(tree)
    # The parts of `(A)[1]|(B)[1]` too, all their elements (not only the first).
    for expression in selections():
        for part in getattr(expression, "parts", ()):
            inner = getattr(part, "__self__", None)
            if isinstance(inner, prune_paths.Selection):
                xpath = etree.XPath(inner.path, namespaces={"re": xpaths.REGEXP_NS})
                assert inner.select(tree) == xpath(tree), inner.path
    # The page exercises the searches: most expressions select some of its elements.
    assert sum(bool(selection.select(tree)) for selection in selections()) >= 8


def test_a_first_match_ends_the_walk() -> None:
    tree = parse_html(CRAFTED_PAGE)
    by_class = next(
        part.__self__
        for part in xpaths.BODY_XPATH[2].parts
        if isinstance(getattr(part, "__self__", None), prune_paths.Selection)
    )
    walked: list[object] = []
    candidates = by_class.candidates
    by_class.candidates = lambda page: (walked.append(e) or e for e in candidates(page))
    try:
        first = by_class.first(tree)
    finally:
        del by_class.candidates
    assert first is not None
    assert first.get("class") == "story-body"
    assert walked[-1] is first  # nothing after it was looked at
    assert len(walked) < len(list(candidates(tree)))


# Each block exercises one branch of trafilatura's link-density test: one long link, a short
# line of links, a farm of many links, a listing of one link a paragraph, an image kept with its
# link, a paragraph inside a list item, nested containers judged as a whole, links without text.
LINK_DENSITY_PAGE = """<html><body><article>
<div><p>An ordinary paragraph of the article that runs on for a while with no link at all in
it, long enough to be prose rather than a line of links.</p></div>
<div><a href="/a">A single link whose text is longer than one hundred characters, which makes it
the whole of its container and a candidate for removal</a></div>
<div><p><a href="/b">Home</a> | <a href="/c">World</a> | <a href="/d">Sport</a></p>
<p>Read <a href="/e">more</a> of this.</p></div>
<div class="farm"><a href="/1">Latest story one of the day</a> <a href="/2">Latest story two
of the day</a> <a href="/3">Latest story three of the day</a> <a href="/4">Latest story four of
the day</a> <a href="/5">Latest story five of the day</a> <a href="/6">Latest story six of the
day</a> <a href="/7">Latest story seven of the day</a> <a href="/8">Latest story eight</a></div>
<div><p><a href="/p1">Paper one: a study of ferries and harbour timetables in winter</a></p>
<p><a href="/p2">Paper two: a study of ferries and harbour timetables in summer</a></p>
<p><a href="/p3">Paper three: a study of ferries and harbour timetables at night</a></p>
<p><a href="/p4">Paper four: a study of ferries and harbour timetables by day</a></p>
<p><a href="/p5">Paper five: a study of ferries and harbour timetables in spring</a></p></div>
<div><img src="/x.jpg" alt="A ferry"/><a href="/x">Photo</a></div>
<ul><li><p><a href="/li">Only a link in an item</a></p></li><li>Text of an item.</li></ul>
<div><div><div><a href="/n1">One</a> <a href="/n2">Two</a></div><span>x</span></div>
<div>short</div><div><a href="/n3">Three</a></div></div>
<p><a href="/empty"> </a><a href="/i"><img src="/i.png"/></a></p>
<div><p>Closing paragraph with <a href="/f">a link</a> inside a sentence of the article.</p>
</div></article></body></html>"""


def converted_tree(html: str, images: bool = False) -> HtmlElement:
    """The page as trafilatura's main extractor prunes it: cleaned and its tags converted (its
    images kept as <graphic> when asked)."""
    options = htmlprocessing.Extractor(output_format="xml", images=images)
    tree = htmlprocessing.tree_cleaning(copy(parse_html(html)), options)
    return htmlprocessing.convert_tags(tree, options)


def same_deletions(html: str) -> None:
    """For each tag and setting, our deletion leaves the tree trafilatura's leaves."""
    for tagname, images in itertools.product(("div", "list", "p", "head", "quote"), (False, True)):
        for backtracking in (False, True):
            for favor_precision in (False, True):
                ours, theirs = converted_tree(html, images), converted_tree(html, images)
                settings = {"backtracking": backtracking, "favor_precision": favor_precision}
                htmlprocessing.delete_by_link_density(theirs, tagname, **settings)
                prune_paths.ACTIVE[0] = lambda: True
                try:
                    prune_paths.delete_by_link_density(ours, tagname, **settings)
                finally:
                    prune_paths.ACTIVE[0] = fallback_gate._GATED.get
                assert etree.tostring(ours) == etree.tostring(theirs), (tagname, settings)


def test_link_density_deletion_is_trafilaturas() -> None:
    tree = converted_tree(LINK_DENSITY_PAGE)
    before = " ".join(tree.text_content().split())
    htmlprocessing.delete_by_link_density(tree, "div", backtracking=True)
    after = " ".join(tree.text_content().split())
    # The page exercises deletions: the long link and the farm go, the prose stays.
    assert "A single link whose text" in before
    assert "A single link whose text" not in after
    assert "Latest story" not in after
    assert "An ordinary paragraph" in after
    with_images = converted_tree(LINK_DENSITY_PAGE, images=True)
    htmlprocessing.delete_by_link_density(with_images, "div", backtracking=True)
    assert "Photo" in with_images.text_content()  # an image's container stays
    same_deletions(LINK_DENSITY_PAGE)


def test_link_density_deletion_is_installed_inside_our_calls_only() -> None:
    assert main_extractor.delete_by_link_density is prune_paths.delete_by_link_density
    tree = converted_tree(LINK_DENSITY_PAGE)
    # Outside our calls trafilatura's own function runs (and deletes the same).
    prune_paths.delete_by_link_density(tree, "div", backtracking=True)
    assert "Latest story" not in tree.text_content()


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_pages_lose_what_trafilatura_deletes(page_path: Path) -> None:
    same_deletions(decode_html(page_path.read_bytes(), None))


def pruned_sections(html: str, focus: str, ours: bool) -> bytes:
    """trafilatura's section pruning of the page (its six link-density rounds among the rest),
    with our answers or with its own."""
    options = htmlprocessing.Extractor(output_format="xml")
    options.focus = focus
    tree = converted_tree(html)
    prune_paths.ACTIVE[0] = (lambda: True) if ours else (lambda: False)
    try:
        main_extractor.prune_unwanted_sections(tree, {"table", "p", "head", "list"}, options)
    finally:
        prune_paths.ACTIVE[0] = fallback_gate._GATED.get
        prune_paths.end_density_runs()
    return etree.tostring(tree)


@pytest.mark.parametrize("focus", ["balanced", "precision", "recall"])
def test_the_rounds_of_section_pruning_delete_as_trafilatura(focus: str) -> None:
    assert pruned_sections(LINK_DENSITY_PAGE, focus, ours=True) == pruned_sections(
        LINK_DENSITY_PAGE, focus, ours=False
    )


def test_the_second_round_reuses_the_tests_the_first_left_valid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tested: list[str] = []
    real = prune_paths.link_density_test
    monkeypatch.setattr(
        prune_paths, "link_density_test", lambda element, *rest: tested.append(element.tag)
        or real(element, *rest)
    )
    tree = converted_tree(LINK_DENSITY_PAGE)
    counts = []
    prune_paths.ACTIVE[0] = lambda: True
    try:
        for tagname in prune_paths.DENSITY_ROUNDS:
            before = etree.tostring(tree)
            # What a call without the run's tests asks: each element of the tag with links.
            fresh = sum(1 for e in tree.iter(tagname) if e.find(".//ref") is not None)
            prune_paths.delete_by_link_density(tree, tagname, backtracking=tagname == "div")
            counts.append((len(tested), before != etree.tostring(tree), fresh))
            tested.clear()
    finally:
        prune_paths.ACTIVE[0] = fallback_gate._GATED.get
    first, second = counts[:3], counts[3:]
    assert first[0][0] == first[0][2] > 0  # the first round tests the <div>s with links
    assert first[0][1]  # ... and deletes some
    # The second round tests again only what the first round's deletions changed.
    assert second[0][0] < second[0][2]
    prune_paths.end_density_runs()


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_pages_lose_in_section_pruning_what_trafilatura_deletes(page_path: Path) -> None:
    html = decode_html(page_path.read_bytes(), None)
    for focus in ("balanced", "precision"):
        assert pruned_sections(html, focus, ours=True) == pruned_sections(html, focus, ours=False)
