"""Do no harm (cleaners/second_look.py): which of two readings of a page is kept."""

from __future__ import annotations

import json
from pathlib import Path

from trafilatura import bare_extraction

from cleaners import extract_article, second_look
from cleaners.candidates import blocks_after_article
from cleaners.context import Block
from cleaners.extract import TRAFILATURA_OPTIONS, find_article_region, parse_html

ROOT = Path(__file__).resolve().parents[1]
PLAN_ROWS = [
    f"Week {n} | Rest | Run easy {20 + n} minutes at a pace where you can still talk in full "
    "sentences | Rest | Long run of the week" for n in range(1, 9)
]
INTRO = [
    "Start with a 5K, move to a 10K, then a half marathon before the full distance, so that "
    "every step of the ladder is a race you can finish well and recover from quickly.",
    "Follow the weekly plan below and never skip the rest days, which matter as much as the "
    "long runs for a runner who starts from nothing.",
]


def blocks(*texts: str, link_share: float = 0.0) -> list[Block]:
    return [Block(text=text, link_share=link_share) for text in texts]


def page_declaring(body: str) -> object:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "articleBody": body}
    return parse_html(
        "<html><head><script type='application/ld+json'>" + json.dumps(data) + "</script></head>"
        "<body><p>x</p></body></html>"
    )


def test_the_untrimmed_reading_wins_when_it_holds_the_article_and_more_prose():
    trimmed = blocks(*INTRO)
    whole = blocks(*INTRO, *PLAN_ROWS)
    assert second_look.prefer_second(trimmed, whole, None)


def test_a_reading_that_drops_the_first_ones_prose_does_not_win():
    other = blocks(*PLAN_ROWS)  # more prose, but the first reading's article is gone
    assert not second_look.prefer_second(blocks(*INTRO), other, None)
    assert not second_look.prefer_second(blocks(*INTRO), [], None)


def test_added_link_lines_are_no_prose():
    links = [f"{row} and more" for row in PLAN_ROWS]
    assert not second_look.prefer_second(
        blocks(*INTRO), blocks(*INTRO) + blocks(*links, link_share=0.9), None
    )


def test_a_declared_article_body_decides():
    trimmed = blocks(*INTRO)
    whole = blocks(*INTRO, *PLAN_ROWS)
    assert second_look.prefer_second(trimmed, whole, page_declaring(" ".join(INTRO + PLAN_ROWS)))
    # The page says the article is the introduction alone: the rows are not its text.
    assert not second_look.prefer_second(trimmed, whole, page_declaring(" ".join(INTRO * 3)))



def test_a_linked_sidebar_is_no_continuation_of_the_article():
    sidebar = [Block(text=row, link_share=0.2) for row in PLAN_ROWS]
    assert not second_look.prefer_second(blocks(*INTRO), blocks(*INTRO) + sidebar, None)


def test_a_plan_table_after_the_intro_stays_in_the_body():
    """fixtures/quality/marathon-plan.html: the article region is the intro's container, the
    week-by-week table beside it is most of the body; the region trim would take the table,
    the second look keeps it."""
    page = ROOT / "fixtures" / "quality" / "marathon-plan.html"
    html = page.read_text(encoding="utf-8")
    url = "https://runners.example/plans/couch-to-marathon"
    tree = parse_html(html)
    region = find_article_region(tree)
    body = bare_extraction(tree, url=url, **TRAFILATURA_OPTIONS).body
    trailing = blocks_after_article(body, region)
    assert [unit.tag for unit, _text in trailing] == ["table"]  # the trim would take the plan

    article = extract_article(html, url)
    assert "Long run walk mix 50 min" in article.body
    assert "10 | Rest | Run 2 min walk 1 min x 14" in article.body
    assert "Most runners who finish their first marathon" in article.body
    assert "Shoes" not in article.body
    assert "a magazine about running for everyone" not in article.body
    assert "drop_blocks_after_article" not in {r.cleaner for r in article.removed}


FERRY = ROOT / "fixtures" / "quality" / "ferry-gallery.html"
FERRY_URL = "https://sound-courier.example/news/harbour-ferry-winter-timetable"
FERRY_LEAD = (
    "The harbour ferry returned to its winter timetable on Monday, and the first crossing left "
    "the north quay twelve minutes late in a stiff easterly wind."
)
CAPTION = (
    "The ferry crosses the sound on a grey morning, photographed from the north quay by a "
    "reader who sent us picture number 3 of the winter series, with the island behind it."
)


def ferry_page() -> object:
    return parse_html(FERRY.read_text(encoding="utf-8"))


def test_a_body_that_leaves_out_the_description_the_page_shows_is_suspect():
    page = ferry_page()
    assert second_look.misses_description(blocks(CAPTION, CAPTION), FERRY_LEAD, page)
    assert not second_look.misses_description(blocks(FERRY_LEAD, CAPTION), FERRY_LEAD, page)


def test_the_description_anywhere_in_the_body_counts_not_only_in_its_opening():
    page = ferry_page()
    opening = [CAPTION] * second_look.OPENING_BLOCKS
    assert not second_look.misses_description(blocks(*opening, FERRY_LEAD), FERRY_LEAD, page)
    # Split over the opening's end: its first words close the opening, the rest follow.
    head, tail = FERRY_LEAD.split(" ", 1)
    split = blocks(*opening[:-1], f"{CAPTION} {head}", tail)
    assert not second_look.misses_description(split, FERRY_LEAD, page)
    assert second_look.misses_description(blocks(*opening, CAPTION), FERRY_LEAD, page)


def test_a_description_the_page_does_not_show_or_too_short_is_no_evidence():
    written_for_search = "Our harbour ferry news in brief, with timetables and fares for winter."
    assert not second_look.misses_description(blocks(CAPTION), written_for_search, ferry_page())
    assert not second_look.misses_description(blocks(CAPTION), "Ferry news", ferry_page())
    assert not second_look.misses_description(blocks(CAPTION), None, ferry_page())


def test_the_second_reading_must_hold_the_description_and_be_more_than_a_summary():
    article = blocks(FERRY_LEAD, *INTRO)
    gallery = blocks(*[CAPTION] * 4)
    assert second_look.holds_description(article, gallery, FERRY_LEAD)
    assert not second_look.holds_description(gallery, article, FERRY_LEAD)
    # A standfirst that repeats the description, taken alone, is no better than a long article.
    long_article = blocks(*INTRO * 12, *PLAN_ROWS)
    assert not second_look.holds_description(blocks(FERRY_LEAD), long_article, FERRY_LEAD)


def test_a_gallery_below_the_article_does_not_replace_it():
    """fixtures/quality/ferry-gallery.html: trafilatura's default mode takes the readers'
    photo captions below the article (its readability fallback prefers their length); the body
    leaves out the description that the page shows as its lead, and the precision reading,
    which holds it, is kept."""
    html = FERRY.read_text(encoding="utf-8")
    default = bare_extraction(parse_html(html), url=FERRY_URL, **TRAFILATURA_OPTIONS).body
    assert "picture number 5" in " ".join(default.itertext())
    assert "harbour ferry returned" not in " ".join(default.itertext())

    article = extract_article(html, FERRY_URL)
    assert article.body.startswith(FERRY_LEAD)
    assert "old fish market" in article.body
    assert "picture number" not in article.body
    assert not any("picture number" in removal.text for removal in article.removed), (
        "the audit is the kept reading's, not the first extraction's")


def test_a_body_that_holds_the_description_is_extracted_once(precision_calls):
    """The check costs a second extraction only on a suspect page."""
    html = FERRY.read_text(encoding="utf-8")
    without_gallery = html.split('<div class="clear">')[0] + "</div></div></div></body></html>"
    article = extract_article(without_gallery, FERRY_URL)
    assert article.body.startswith(FERRY_LEAD)
    assert precision_calls == []
    extract_article(html, FERRY_URL)
    assert precision_calls == [True]


def test_visible_text_leaves_out_scripts_styles_and_templates_but_not_their_tails() -> None:
    page = parse_html(
        "<html><head><title>Head title</title></head><body>"
        "<p>Ferry <b>leaves</b> at noon</p>"
        "<script>var hidden = 1;</script>after script"
        "<style>p { color: red }</style><!-- a note -->after comment"
        "<template><p>Template text</p></template>after template"
        "</body></html>"
    )
    assert " ".join(second_look.visible_text(page)).split() == [
        "Ferry", "leaves", "at", "noon", "after", "script", "after", "comment", "after", "template"
    ]


REPAIR = ROOT / "fixtures" / "cleaners" / "escalated-reading-core.html"
REPAIR_URL = "https://elmsworth-repair.example/2025/05/sewing-machine/"
POST = [
    "Our repair café met in the library basement on Saturday, and for the first time we had "
    "more fixers than broken things waiting at the door when it opened at ten.",
    "The star of the morning was a forty-year-old sewing machine whose owner had given up on it, "
    "and two volunteers had it stitching again by noon.",
]
EXCERPTS = [
    f"Excerpt {n} of another post on the blog, about soldering, kettles, toasters and the tool "
    "library, with a link to read the rest of it elsewhere." for n in range(1, 5)
]


class HoldsAll:
    """A stand-in article region that holds every text (or none)."""

    def __init__(self, holds: bool = True) -> None:
        self.answer = holds

    def holds(self, text: str) -> bool:
        return self.answer


def test_the_article_at_the_core_of_an_escalated_reading_is_kept():
    first = blocks(*EXCERPTS[:3], *POST)
    assert second_look.is_escalation_core(blocks(*POST), first, None, HoldsAll())
    # The other posts' excerpts after the article, or on both sides, are the same case.
    around = blocks(EXCERPTS[0], *POST, *EXCERPTS[1:3])
    assert second_look.is_escalation_core(blocks(*POST), around, None, HoldsAll())


def test_an_escalated_reading_is_kept_when_the_evidence_is_against_the_core():
    first = blocks(*EXCERPTS[:3], *POST)
    core = blocks(*POST)
    # Blocks of the first between the core's: the precision reading dropped article paragraphs.
    split = blocks(POST[0], *EXCERPTS[:3], POST[1])
    assert not second_look.is_escalation_core(core, split, None, HoldsAll())
    # Text the first reading does not have: another part of the page.
    assert not second_look.is_escalation_core(blocks(*POST, *EXCERPTS[3:]), first, None, HoldsAll())
    # Outside the article region, or too small a part of the first (a box, a standfirst).
    assert not second_look.is_escalation_core(core, first, None, HoldsAll(False))
    small = blocks(POST[1])
    assert not second_look.is_escalation_core(small, blocks(*EXCERPTS, *POST), None, HoldsAll())
    assert not second_look.is_escalation_core(core, first, None, None)


def test_the_core_keeps_the_description_and_is_more_than_it():
    first = blocks(*EXCERPTS[:3], *POST)
    assert not second_look.is_escalation_core(blocks(*POST), first, EXCERPTS[0], HoldsAll())
    lead = POST[0]
    assert second_look.is_escalation_core(blocks(*POST), first, lead, HoldsAll())
    # A reading that is the description repeated is a standfirst, not the article.
    assert not second_look.is_escalation_core(
        blocks(lead, lead), blocks(*EXCERPTS[:2], lead, lead, POST[1]), lead, HoldsAll()
    )


def test_other_posts_excerpts_taken_by_the_recall_escalation_go(precision_calls):
    """fixtures/cleaners/escalated-reading-core.html: a short post below a box of other posts'
    excerpts, on a page whose archive lists make the post a small part of the page's text.
    trafilatura's balanced reading is short, its recall escalation takes the excerpts too; the
    precision reading is the post alone, at the core of the first, and is kept."""
    html = REPAIR.read_text(encoding="utf-8")
    default = bare_extraction(parse_html(html), url=REPAIR_URL, **TRAFILATURA_OPTIONS).body
    assert "A drawer of old screws" in " ".join(default.itertext())
    article = extract_article(html, REPAIR_URL)
    assert article.body.startswith("Our repair café met in the library basement")
    assert article.body.endswith("because the library is closed on the first.")
    assert "A drawer of old screws" not in article.body
    assert "From the workbench" not in article.body
    assert precision_calls == [True]


def test_a_page_without_the_escalation_is_extracted_once(precision_calls):
    html = FERRY.read_text(encoding="utf-8")
    without_gallery = html.split('<div class="clear">')[0] + "</div></div></div></body></html>"
    extract_article(without_gallery, FERRY_URL)
    assert precision_calls == []


LEAD_PAGE = ROOT / "fixtures" / "cleaners" / "escalated-reading-lead.html"
LEAD_URL = "https://elmsworth-repair.example/2025/06/thousandth-drill/"
LEAD = (
    "The tool library in the old fire station lent out its thousandth drill on Thursday, "
    "eighteen months after a handful of neighbours pooled their garages to start it."
)


def test_the_lead_the_precision_reading_left_out_is_put_back_with_the_core():
    first = blocks(*EXCERPTS[:3], LEAD, *POST)
    core = second_look.escalation_core(blocks(*POST), first, LEAD, HoldsAll())
    assert core is not None
    assert [block.text for block in core] == [LEAD, *POST]
    # Without the lead the precision reading fails the description test, as before.
    assert not second_look.is_escalation_core(blocks(*POST), first, LEAD, HoldsAll())


def test_no_lead_is_put_back_when_no_block_holds_the_description():
    first = blocks(*EXCERPTS[:3], *POST)
    assert second_look.with_lead(blocks(*POST), first, None) is None
    assert second_look.with_lead(blocks(*POST), first, "A line about something else entirely, "
                                 "which no block of the page repeats at all.") is None
    # The restored reading must still be the core: a lead among other posts' excerpts is not.
    scattered = blocks(EXCERPTS[0], LEAD, *EXCERPTS[1:3], *POST)
    assert second_look.escalation_core(blocks(*POST), scattered, LEAD, HoldsAll()) is None


def test_a_core_cut_into_other_blocks_is_compared_word_by_word():
    note = (
        "Bring your broken lamps, kettles and radios. Bring a friend who can solder. "
        "Bring cake for the fixers, who will be hungry by noon."
    )
    # The first reading glued the post into one block; the precision reading cut its note into
    # list items under a heading of their own: no block of one is a block of the other.
    first = blocks(*EXCERPTS[:3], " ".join((POST[0], note, POST[1])))
    items = [part.strip() + "." for part in note.split(".") if part.strip()]
    second = blocks(POST[0], "What to bring", *items, POST[1])
    assert second_look.core_blocks(second, first) == [False, False, False, True]
    assert second_look.is_escalation_core(second, first, None, HoldsAll())
    # Words the first reading does not have: another part of the page, not its core.
    sidebar = (
        "Subscribe to the newsletter for monthly dates, volunteer rotas and the list of spare "
        "parts we are hoping somebody in the neighbourhood has lying about in a shed."
    )
    other = blocks(POST[0], *items, sidebar)
    assert second_look.core_blocks(other, first) is None
    assert not second_look.is_escalation_core(other, first, None, HoldsAll())


def test_an_escalated_reading_keeps_the_lead_its_description_repeats(precision_calls):
    """fixtures/cleaners/escalated-reading-lead.html: the post's lead sits in the article's
    <header> with its headline, and the page's description repeats it. The recall escalation
    takes the other posts' excerpts too; the precision reading drops them and the <header>,
    lead and all. Its core with the first reading's lead put back is kept."""
    html = LEAD_PAGE.read_text(encoding="utf-8")
    article = extract_article(html, LEAD_URL)
    assert article.body.startswith(LEAD)
    assert article.body.endswith("who can sharpen saws before the winter.")
    assert "A drawer of old screws" not in article.body
    assert precision_calls == [True]


AUTHOR_BOX_PAGE = ROOT / "fixtures" / "cleaners" / "author-box-beside-post.html"
AUTHOR_BOX_URL = "https://quayside-notes.example/2025/07/crane-paint/"
CRANE = [
    "The old steam crane on the east pier has lost its scaffolding, and this week it showed off "
    "a new coat of harbour green.",
    "Volunteers scraped away six layers of paint and found the builder's plate from 1911 under "
    "the fourth one.",
]
BOX = (
    "I started this blog after twenty years of walking the harbour wall every morning, and now I "
    "post about boats, cranes, tides and anything else along the quay."
)


def boxed_page(article_class: str = "entry", box_class: str = "author-box") -> object:
    """A cleaned page: the crane post in one container, a writer's box beside it."""
    return parse_html(
        f"<html><body><div class='{article_class}'><p>{CRANE[0]}</p><p>{CRANE[1]}</p></div>"
        f"<div class='{box_class}'><h4>About <a href='/ruth/'>Ruth</a></h4><p>{BOX}</p></div>"
        "</body></html>"
    )


def test_a_writers_box_read_with_the_post_goes(precision_calls):
    """fixtures/cleaners/author-box-beside-post.html: a three-paragraph post and, beside it in
    the same entry, a writer's box longer than the post. readability's reading of the entry is
    more than twice trafilatura's, so trafilatura's default mode takes it, box and all; the
    precision reading leaves the box out and nothing else, and the box's own marks (an author
    box) confirm what it left out: it is kept."""
    html = AUTHOR_BOX_PAGE.read_text(encoding="utf-8")
    default = bare_extraction(parse_html(html), url=AUTHOR_BOX_URL, **TRAFILATURA_OPTIONS).body
    assert "I started this blog" in " ".join(default.itertext())
    article = extract_article(html, AUTHOR_BOX_URL)
    assert article.body.startswith("The old steam crane on the east pier")
    assert article.body.endswith("The crane will be lit from below after dark all summer.")
    assert "I started this blog" not in article.body
    assert precision_calls == [True]


def test_without_the_box_check_the_writers_box_would_stay(monkeypatch):
    html = AUTHOR_BOX_PAGE.read_text(encoding="utf-8")
    monkeypatch.setattr(second_look, "has_boxed_blocks", lambda blocks, page: False)
    assert "I started this blog" in extract_article(html, AUTHOR_BOX_URL).body


def test_only_a_reading_that_leaves_out_the_boxes_and_nothing_else_is_taken():
    page = boxed_page()
    first = blocks(*CRANE, "About Ruth", BOX)
    assert second_look.has_boxed_blocks(first, page)
    assert second_look.leaves_out_boxes(blocks(*CRANE), first, page)
    # An article paragraph left out as well: the precision reading cut the article.
    assert not second_look.leaves_out_boxes(blocks(CRANE[1]), first, page)
    # The box kept, or a reading of the box alone.
    assert not second_look.leaves_out_boxes(blocks(*CRANE, BOX), first, page)
    assert not second_look.leaves_out_boxes(blocks("About Ruth", BOX), first, page)
    # A summary of the first (less than a tenth of its words) is not its article.
    long_first = blocks(*(CRANE * 10), "About Ruth", BOX)
    assert not second_look.leaves_out_boxes(blocks("The crane is green again."), long_first, page)


def test_boxes_are_named_by_their_own_marks_not_by_a_posts_taxonomy():
    first = blocks(*CRANE, "About Ruth", BOX)
    # A post's class naming its writer ("entry-author-ruth") marks no box.
    page = boxed_page(article_class="entry entry-author-ruth", box_class="signup")
    assert not second_look.has_boxed_blocks(first, page)
    assert not second_look.leaves_out_boxes(blocks(*CRANE), first, page)
    # A sidebar or a profile is a box too; a body read wholly from one has nothing beside it.
    assert second_look.has_boxed_blocks(first, boxed_page(box_class="sidebar-widget"))
    assert second_look.has_boxed_blocks(first, boxed_page(box_class="x", article_class="profile"))
    assert not second_look.has_boxed_blocks(blocks("About Ruth", BOX), boxed_page())
