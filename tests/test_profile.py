"""Learned per-outlet boilerplate on the fixture outlet (fixtures/outlet_profile, 12 pages).

Every page carries a funding notice, a corrections-policy box, a tip line, a masthead, a "Most
read" box with the headlines of stories 1-3 and a footer (the template); pages 3-6 are follow-up
stories that repeat one background paragraph (real text), stories 7-11 share a section heading
before their last paragraph, and page 12 is the corrections-policy article itself, whose JSON-LD
articleBody holds the policy paragraph the other pages show as a box.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import document_fromstring

from cleaners import extract_article
from cleaners.profile import (
    BlockStats,
    BoilerplateProfile,
    PageBlock,
    ProfileThresholds,
    fingerprint,
    learn_from_pages,
    learn_profile,
    normalise_block,
    read_page_blocks,
    visible_text,
)
from storage.boilerplate import (
    create_tables,
    load_stats,
    record_page,
    record_pages,
    stored_fingerprints,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "outlet_profile"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
PAGES = EXPECTED["pages"]
OUTLET = "harbor-ledger"
FOLLOW_UPS = {"story-03.html", "story-04.html", "story-05.html", "story-06.html"}
POLICY_PAGE = "story-12.html"


def read(page: dict) -> bytes:
    return (FIXTURES / page["file"]).read_bytes()


@pytest.fixture(scope="module")
def page_blocks() -> list[list[PageBlock]]:
    """Each fixture page's blocks, as extraction collects them for learning."""
    return [extract_article(read(p), p["url"], collect_blocks=True).blocks for p in PAGES]


@pytest.fixture(scope="module")
def profile(page_blocks: list[list[PageBlock]]) -> BoilerplateProfile:
    return learn_from_pages(OUTLET, page_blocks)


def print_of(text: str) -> str:
    return fingerprint(normalise_block(text))


def test_fixture_outlet_has_enough_pages() -> None:
    assert len(PAGES) >= 10
    assert all((FIXTURES / p["file"]).is_file() for p in PAGES)


def test_normalisation_folds_case_punctuation_and_numbers() -> None:
    assert normalise_block("© 2013 Harbor Ledger Media.") == "0 harbor ledger media"
    assert normalise_block("© 2024 Harbor   Ledger Media") == "0 harbor ledger media"
    assert normalise_block("Ｆｕｌｌ-width, “quoted”!") == "full width quoted"
    assert normalise_block("Harbor Ledger") != normalise_block("Harbour Ledger")


def test_fingerprints_are_pinned() -> None:
    """Stored counts are keyed by these: a change needs a new BLOCK_FORMAT_VERSION."""
    pinned = {
        "© 2013 Harbor Ledger Media.": ("0 harbor ledger media", "29047f9100719401"),
        "Ｆｕｌｌ-width, “quoted”!": ("full width quoted", "39b826a0e66ed4a9"),
        "Sign up for our newsletter": ("sign up for our newsletter", "36dea8728c498167"),
        "Ünïcödé 42 Straße": ("ünïcödé 0 strasse", "469719d16315b64d"),
    }
    for text, (normalised, print_) in pinned.items():
        assert normalise_block(text) == normalised
        assert fingerprint(normalised) == print_


def reference_normalise(text: str) -> str:
    """normalise_block as first written: stored fingerprints were made with it."""
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", re.sub(r"\d+", "0", folded)).split())


@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
@settings(max_examples=500, deadline=None)
def test_normalisation_matches_its_first_form(text: str) -> None:
    assert normalise_block(text) == reference_normalise(text)


def test_normalisation_matches_its_first_form_on_tricky_text() -> None:
    for text in ("a_b 12_34", "x²³ ½ ①②", "٣٤ abc١٢", "ﬁne Ⅻ ㈱", "e\u0301 \u0301x", "__", ""):
        assert normalise_block(text) == reference_normalise(text)


WHITE_SPACE = st.sampled_from([" ", "  ", "\n", "\t ", "\u00a0", "\u2003", "\u3000", "\r\n"])
BLOCK_TEXT = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
        WHITE_SPACE,
        st.sampled_from(["\u0301", "e\u0301", "²", "ﬁ", "\u1100", "\u1161", "ß", "Σ", "_"]),
    ),
    max_size=12,
).map("".join)


@given(before=BLOCK_TEXT, after=BLOCK_TEXT, space=WHITE_SPACE)
@settings(max_examples=500, deadline=None)
def test_white_space_separates_what_normalisation_does(before: str, after: str, space: str):
    """read_page_blocks joins the normalised texts of a block's parts; that must be the
    normalised text of the whole."""
    joined = " ".join(part for part in (normalise_block(before), normalise_block(after)) if part)
    assert normalise_block(before + space + after) == joined


def test_nested_wrappers_read_as_their_text() -> None:
    tree = document_fromstring(
        "<html><body><div>\n <section> <div><p>One <b>bold</b>\n<i>2nd</i></p>"
        "<p>ﬁne Straße</p></div>tail <span>of <div>Inner</div> span</span></section></div>"
        "<table><tr><td>Cell</td><td>e\u0301</td></tr></table></body></html>"
    )
    page = read_page_blocks(tree)
    by_tag: dict[str, list[str]] = {}
    for element, print_, _ in page.elements:
        by_tag.setdefault(element.tag, []).append(page.blocks[print_].text)
    assert by_tag["p"] == ["one bold 0nd", "fine strasse"]
    assert by_tag["div"] == [
        "one bold 0nd fine strasse tail of inner span", "one bold 0nd fine strasse", "inner"
    ]
    assert by_tag["section"] == ["one bold 0nd fine strasse tail of inner span"]
    assert by_tag["tr"] == ["cell é"]
    for element, print_, _ in page.elements:  # each as if its own text were normalised whole
        text = " ".join(" ".join(visible_text(element)).split())
        assert len(page.blocks[print_].text.split()) == len(normalise_block(text).split())


def test_blocks_read_like_paragraphs_and_skip_scripts() -> None:
    tree = document_fromstring(
        "<html><body><div><p>Tell the <a href='/t'>news</a>room.</p><p>Second</p>"
        "<script>var notText = 1;</script></div></body></html>"
    )
    page = read_page_blocks(tree)
    texts = {block.text for block in page.blocks.values()}
    assert "tell the newsroom" in texts  # inline children join without a space
    assert "tell the newsroom second" in texts  # block children with one
    assert not any("nottext" in text for text in texts)


def test_repeated_notice_and_template_lines_are_learned(profile: BoilerplateProfile) -> None:
    assert profile.pages == len(PAGES)
    for text in (EXPECTED["notice"], EXPECTED["standards"], EXPECTED["tip_line"]):
        assert print_of(text) in profile, text
    notice = profile.blocks[print_of(EXPECTED["notice"])]
    assert notice.pages == len(PAGES)
    assert notice.kind == "paragraph"
    assert profile.reason(notice.fingerprint) == f"seen on 12 of 12 pages of outlet {OUTLET}"


def test_paragraph_repeated_in_follow_up_stories_is_not_learned(
    profile: BoilerplateProfile,
) -> None:
    assert print_of(EXPECTED["background"]) not in profile


@pytest.mark.parametrize("page", PAGES, ids=[p["file"] for p in PAGES])
def test_profile_removes_template_and_keeps_article(
    page: dict, profile: BoilerplateProfile
) -> None:
    article = extract_article(read(page), page["url"], profile=profile)
    for paragraph in page["paragraphs"]:
        assert paragraph in article.body
    assert EXPECTED["notice"] not in article.body
    assert EXPECTED["tip_line"] not in article.body
    learned = [r for r in article.removed if r.cleaner == "learned_boilerplate"]
    assert any(EXPECTED["notice"] in r.text for r in learned)
    assert all(r.reason.startswith("seen on ") for r in learned)
    if page["file"] in FOLLOW_UPS:
        assert EXPECTED["background"] in article.body
    if page["file"] == POLICY_PAGE:  # part of this page's JSON-LD articleBody: kept
        assert EXPECTED["standards"] in article.body
    else:
        assert EXPECTED["standards"] not in article.body


def test_own_headline_listed_as_a_teaser_everywhere_is_not_learned_away(
    profile: BoilerplateProfile,
) -> None:
    # Story 1's headline is in the "Most read" box of all 12 pages: learned, but not on its page.
    headline = EXPECTED["most_read"][0]
    assert print_of(headline) in profile
    article = extract_article(read(PAGES[0]), PAGES[0]["url"], profile=profile)
    assert article.title == headline
    learned = [r.text for r in article.removed if r.cleaner == "learned_boilerplate"]
    assert headline not in learned
    assert any(text.startswith("Most read") for text in learned)


def test_a_series_section_heading_before_own_text_stays(profile: BoilerplateProfile) -> None:
    # "Why it matters" heads the last paragraph of stories 7-11: recurring, but structure.
    heading = EXPECTED["section_heading"]
    assert print_of(heading) in profile
    for page in PAGES:
        body = extract_article(read(page), page["url"], profile=profile).body.splitlines()
        assert (heading in body) == (page["file"] in EXPECTED["section_pages"])


def test_recurring_dateline_is_left_to_the_date_readers(profile: BoilerplateProfile) -> None:
    # "May 2, 2024, 9:30 a.m." recurs (digits fold) but is the page's date, not template.
    assert print_of("May 2, 2024, 9:30 a.m.") in profile
    for page in PAGES:
        article = extract_article(read(page), page["url"], profile=profile)
        assert article.published == page["date"]
        learned = [r.text for r in article.removed if r.cleaner == "learned_boilerplate"]
        assert not any("9:30 a.m." in text for text in learned)


def test_without_profile_the_notice_stays(page_blocks: list[list[PageBlock]]) -> None:
    article = extract_article(read(PAGES[0]), PAGES[0]["url"])
    assert EXPECTED["notice"] in article.body
    assert article.blocks == []
    assert "blocks" not in article.to_dict()


def test_nothing_is_learned_before_the_minimum_number_of_pages(
    page_blocks: list[list[PageBlock]],
) -> None:
    thresholds = ProfileThresholds(min_pages=5)
    assert len(learn_from_pages(OUTLET, page_blocks[:4], thresholds)) == 0
    assert print_of(EXPECTED["notice"]) in learn_from_pages(OUTLET, page_blocks[:5], thresholds)


def test_early_run_of_follow_ups_is_not_learned(page_blocks: list[list[PageBlock]]) -> None:
    # After 5 pages the background paragraph is on 3 of them (60%): paragraphs need 5 pages.
    early = learn_from_pages(OUTLET, page_blocks[:5])
    assert print_of(EXPECTED["notice"]) in early
    assert print_of(EXPECTED["background"]) not in early


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(range(len(PAGES))))
def test_profile_does_not_depend_on_page_order(
    order: list[int], page_blocks: list[list[PageBlock]], profile: BoilerplateProfile
) -> None:
    shuffled = learn_from_pages(OUTLET, [page_blocks[i] for i in order])
    assert shuffled.to_dict() == profile.to_dict()


def test_recrawled_page_is_counted_once(page_blocks: list[list[PageBlock]]) -> None:
    stats = BlockStats(OUTLET)
    for blocks in page_blocks:
        stats.add_page(blocks)
    stats.remove_page(b.fingerprint for b in page_blocks[0])
    stats.add_page(page_blocks[0])
    assert learn_profile(stats).to_dict() == learn_from_pages(OUTLET, page_blocks).to_dict()


def block(text: str) -> PageBlock:
    normalised = normalise_block(text)
    return PageBlock(fingerprint(normalised), normalised, len(normalised.split()))


def test_short_lines_and_long_paragraphs_have_their_own_thresholds() -> None:
    short_line = block("Follow us for more")
    quote = block(
        "“We will not reopen the bridge until every girder has been tested,” the agency's chief "
        "engineer said at the first public meeting on the closure."
    )
    disclaimer = block(
        "Opinions expressed in columns are the authors' own and do not reflect the position of "
        "the newsroom or of the foundation that funds its reporting."
    )
    pages = [[block(f"story number {i} text")] for i in range(10)]
    for i in range(4):  # 4 of 10 pages
        pages[i] += [short_line, quote]
    for i in range(7):  # 7 of 10 pages
        pages[i].append(disclaimer)
    profile = learn_from_pages(OUTLET, pages, ProfileThresholds(short_share=0.3, long_share=0.6))
    assert short_line.fingerprint in profile
    assert quote.fingerprint not in profile
    assert disclaimer.fingerprint in profile


def test_microdata_article_body_is_never_removed(profile: BoilerplateProfile) -> None:
    # The same template with the whole <article> marked as the structured article body.
    page = read(PAGES[0]).decode("utf-8")
    marked = page.replace("<article>", '<article itemprop="articleBody">')
    assert marked != page
    article = extract_article(marked, PAGES[0]["url"], profile=profile)
    assert EXPECTED["notice"] in article.body
    learned = " ".join(r.text for r in article.removed if r.cleaner == "learned_boilerplate")
    assert "Harbour Schools Environment" in learned  # the masthead is outside: still removed
    assert EXPECTED["notice"] not in learned


def test_profile_round_trips_through_json(profile: BoilerplateProfile) -> None:
    data = json.loads(json.dumps(profile.to_dict()))
    assert BoilerplateProfile.from_dict(data).to_dict() == profile.to_dict()


def stored_counts(conn: sqlite3.Connection) -> tuple[list, list]:
    blocks = conn.execute(
        "SELECT outlet_id, fingerprint, pages, words, text FROM boilerplate_blocks ORDER BY 1, 2"
    ).fetchall()
    pages = conn.execute(
        "SELECT outlet_id, url, fingerprints FROM boilerplate_pages ORDER BY 1, 2"
    ).fetchall()
    return blocks, pages


def test_blocks_on_one_page_need_no_row_to_be_counted(
    page_blocks: list[list[PageBlock]], tmp_path: Path
) -> None:
    """Written with the caller's counts, a block on one page gets no row; read back, the
    counts are those of tables with a row for every block (as earlier versions wrote them)."""
    urls = [page["url"] for page in PAGES]
    every_row = sqlite3.connect(tmp_path / "every.db")
    lean = sqlite3.connect(tmp_path / "lean.db")
    for conn in (every_row, lean):
        create_tables(conn)
    stats = BlockStats(OUTLET)
    # Two batches, so that blocks first seen on one page reach a second page later; then a
    # page recorded again with fewer blocks.
    batches = [[(OUTLET, urls[0], page_blocks[0])],
               [(OUTLET, url, blocks)
                for url, blocks in zip(urls[1:], page_blocks[1:], strict=True)],
               [(OUTLET, urls[1], page_blocks[1][::3])]]
    for batch in batches:
        for _, url, blocks in batch:
            old = stored_fingerprints(lean, OUTLET, url)
            if old is not None:
                stats.remove_page(old)
            stats.add_page(blocks)
        record_pages(every_row, batch)
        record_pages(lean, batch, {OUTLET: stats.counts})
        full, thin = load_stats(every_row, OUTLET), load_stats(lean, OUTLET)
        expected = (stats.pages, +stats.counts)
        assert (thin.pages, thin.counts) == (full.pages, full.counts) == expected
        for print_, pages in thin.counts.items():
            if pages >= 2:
                assert thin.samples[print_] == full.samples[print_]
    rows = dict(lean.execute("SELECT fingerprint, pages FROM boilerplate_blocks").fetchall())
    assert {p: n for p, n in stats.counts.items() if n >= 2}.items() <= rows.items()
    assert all(rows[p] == stats.counts[p] for p in rows)
    (every,) = every_row.execute("SELECT count(*) FROM boilerplate_blocks").fetchone()
    assert 0 < len(rows) < every


def test_a_batch_of_pages_is_stored_as_page_by_page(
    page_blocks: list[list[PageBlock]], tmp_path: Path
) -> None:
    """record_pages sums the count changes per block; the tables end as record_page leaves them,
    including pages recorded again with other blocks (a block's count falls, some reach zero)."""
    urls = [page["url"] for page in PAGES]
    rounds = [
        [(OUTLET, url, blocks) for url, blocks in zip(urls, page_blocks, strict=True)],
        # Re-crawls: page 0 now has page 1's blocks, page 2 lost half of its own, page 3 unchanged,
        # and a second outlet shares a block with the first.
        [(OUTLET, urls[0], page_blocks[1]), (OUTLET, urls[2], page_blocks[2][::2]),
         (OUTLET, urls[3], page_blocks[3]), ("other-outlet", urls[0], page_blocks[0][:3])],
    ]
    one_by_one = sqlite3.connect(tmp_path / "one.db")
    batched = sqlite3.connect(tmp_path / "batch.db")
    for conn in (one_by_one, batched):
        create_tables(conn)
    for pages in rounds:
        changed = [record_page(one_by_one, *page) for page in pages]
        assert record_pages(batched, pages) == sum(changed)
        assert stored_counts(batched) == stored_counts(one_by_one)
    blocks, _ = stored_counts(batched)
    assert all(pages > 0 for _, _, pages, _, _ in blocks)
    assert max(pages for _, _, pages, _, _ in blocks) == len(PAGES)  # the template lines
