"""Headline, publication time, authors and language (cleaners/meta) on fixture pages written for
the project (fixtures/meta: each page beside a JSON naming the fields it must have), the rules'
pure functions, and what an outlet's learned profile adds (fixtures/meta/outlet: seven pages of
one outlet whose titles end in its name, which no page declares)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from cleaners import extract_article
from cleaners.meta.authors import copyright_holder, find_authors, split_names
from cleaners.meta.dates import find_dates, headline_date, normalise_iso, url_date
from cleaners.meta.evidence import (
    Evidence,
    article_place,
    captioned_portraits,
    find_bylines,
    headline_holders,
    read_evidence,
    rendered_lines,
)
from cleaners.meta.language import choose_language
from cleaners.meta.learned import learned_byline_places, title_affix_blocks
from cleaners.meta.title import (
    choose_title,
    learned_title_affixes,
    strip_site_affixes,
    title_affix_candidates,
)
from cleaners.profile import learn_from_pages

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meta"
CASES = sorted(FIXTURES.glob("*.json"))
OUTLET_PAGES = sorted((FIXTURES / "outlet").glob("*.html"))


@pytest.mark.parametrize("spec_path", CASES, ids=lambda p: p.stem)
def test_metadata_of_fixture_pages(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    page = spec_path.with_suffix(".html").read_bytes()
    article = extract_article(page, spec["url"], fetched_at=spec.get("fetched_at")).to_dict()
    for field, expected in spec["expect"].items():
        assert article[field] == expected, field


def test_site_affixes_go_only_when_they_name_the_site() -> None:
    sites = ["coastalcourier", "newsexampleorg"]
    assert strip_site_affixes("Ferry fares rise | Coastal Courier", sites) == "Ferry fares rise"
    assert strip_site_affixes("Coastal Courier: Ferry fares rise", sites) == "Ferry fares rise"
    assert strip_site_affixes("news.example.org - Ferry fares rise", sites) == "Ferry fares rise"
    # A headline's own dash and colon stay.
    assert strip_site_affixes("Ferries - what changes in May", sites) == (
        "Ferries - what changes in May"
    )
    assert strip_site_affixes("Budget: the council's plan", sites) == "Budget: the council's plan"


def test_the_visible_headline_wins_over_an_seo_title_it_agrees_with() -> None:
    evidence = Evidence(
        url="https://news.example.org/a",
        h1s=["Council approves new bus lanes on Harbour Road"],
        meta={"og:title": "New bus lanes approved for Harbour Road"},
        title="New bus lanes approved for Harbour Road | Coastal Courier",
    )
    assert choose_title(evidence) == "Council approves new bus lanes on Harbour Road"


def test_a_furniture_heading_loses_to_the_declared_titles() -> None:
    evidence = Evidence(
        url="https://news.example.org/a",
        h1s=["Menu", "Our blog"],
        meta={"og:title": "Council approves new bus lanes"},
        title="Council approves new bus lanes - Coastal Courier",
    )
    assert choose_title(evidence) == "Council approves new bus lanes"


def test_a_heading_loses_only_a_whole_dateline_or_byline_to_a_shorter_title() -> None:
    def heading_against(heading: str, declared: str) -> str | None:
        page = Evidence(url="https://a.example.org/", h1s=[heading], meta={"og:title": declared})
        return choose_title(page)

    declared = "Harbour dredging starts in May"
    assert heading_against(f"Mar 3, 2026 {declared}", declared) == declared
    assert heading_against(f"{declared} Posted on March 3, 2026 by Ana Ruiz", declared) == declared
    dateline = f"{declared} Harbour news, Updated Mar 03, 2026 at 07:54pm GMT"
    assert heading_against(dateline, declared) == declared
    # A year, a kicker with a year, or "by" inside the headline are the headline's own words.
    assert heading_against(f"2026 {declared}", declared) == f"2026 {declared}"
    kicker = f"The 2026 Harbour Awards: {declared}"
    assert heading_against(kicker, declared) == kicker
    assert heading_against(f"{declared}, step by step", declared) == f"{declared}, step by step"
    reviewed = f"{declared}, Reviewed by a Pilot"
    assert heading_against(reviewed, declared) == reviewed


def test_a_heading_that_is_the_titles_name_prefix_is_the_blogs_name() -> None:
    title = "Tidewater Logbook: Small boats in big tides"
    page = Evidence(url="https://a.example.org/", h1s=["Tidewater Logbook"], title=title)
    assert choose_title(page) == "Small boats in big tides"
    # A date after the colon is no headline: the heading before it is.
    heading = "Harbour dredging starts in May"
    page = Evidence(url="https://a.example.org/", h1s=[heading], title=f"{heading}: 06.11.2025")
    assert choose_title(page) == heading


def test_a_short_label_before_a_bar_is_no_part_of_the_headline() -> None:
    page = Evidence(url="https://a.example.org/", title="Opinion | Why the ferry must keep running")
    assert choose_title(page) == "Why the ferry must keep running"
    # Before a short tail the first part stays whole: no headline follows the bar; nor is a
    # first part with separators of its own a label.
    page = Evidence(url="https://a.example.org/", title="Harbour Lights | Quayside Records")
    assert choose_title(page) == "Harbour Lights | Quayside Records"
    title = "Rowing - News - Rowing | Northern Rowing Association e.V."
    assert choose_title(Evidence(url="https://a.example.org/", title=title)) == title


def test_a_heading_needs_backing_by_the_declared_titles_to_be_the_headline() -> None:
    declared = {"og:title": "Finding the right family ferry pass"}
    # A short heading sharing one word is a section label; a longer one sharing a like share of
    # its words is a rewritten headline.
    short = Evidence(url="https://a.example.org/", h1s=["Ferry season tips"], meta=declared)
    assert choose_title(short) == "Finding the right family ferry pass"
    rewritten = "Which ferry pass suits a family of four"
    longer = Evidence(url="https://a.example.org/", h1s=[rewritten], meta=declared)
    assert choose_title(longer) == rewritten
    # An introduction set as a heading is no headline, however many words it shares.
    intro = " ".join(["Learn which ferry pass fits your family and how to buy it."] * 4)
    paragraph = Evidence(url="https://a.example.org/", h1s=[intro], meta=declared)
    assert choose_title(paragraph) == "Finding the right family ferry pass"


def test_a_sentence_set_as_a_title_gives_way_to_a_headline_it_is_not() -> None:
    def title(h1: str, og: str = "", page_title: str = "") -> str | None:
        meta = {"og:title": og} if og else {}
        return choose_title(Evidence(h1s=[h1], meta=meta, title=page_title))

    dek = "Landlords must now fix damp within a month, under the new rules."
    headline = "Damp Repairs: Landlords Get a Deadline"
    # A dek set as the <h1> and as og:title, and a declared headline that is not it: the
    # headline, though the two copies of the dek agree with each other.
    assert title(dek, dek, headline) == headline
    # A headline that is a sentence, declared again with an affix: it stays.
    blog = "Gone fishing. Back next week."
    assert title(blog, f"{blog} « Harbour Notes") == blog
    # Nothing but the sentence: it stays.
    assert title(dek) == dek
    # A full stop after an abbreviation is no sentence's end.
    rents = "Rents rise again across the U.S."
    assert title(rents, "Rents rise again: what tenants can do") == rents


def test_a_declared_title_cut_short_gives_way_to_its_whole() -> None:
    whole = "Ferry passes explained (and what the board changed in March)"
    page = Evidence(
        url="https://a.example.org/",
        meta={"og:title": f"{whole} | Harbour Herald", "og:site_name": "Harbour Herald"},
        json_ld=[{"@type": "NewsArticle", "headline": "Ferry passes explained (and what the"}],
        title=f"{whole} | Harbour Herald",
    )
    assert choose_title(page) == whole


def test_a_heading_whose_encoding_lost_characters_is_written_as_declared() -> None:
    declared = "Island ferries: a beginner's guide"
    page = Evidence(
        url="https://a.example.org/",
        h1s=["Island ferries? a beginner? guide"],
        meta={"og:title": declared},
    )
    assert choose_title(page) == declared
    # A question the declared title asks too is the page's own punctuation.
    asked = "Ferry late again? What the board says"
    page = Evidence(url="https://a.example.org/", h1s=[asked], meta={"og:title": asked.upper()})
    assert choose_title(page) == asked


def test_a_heading_is_read_in_the_lines_a_browser_shows() -> None:
    def lines(markup: str) -> tuple[str, ...]:
        return rendered_lines(lxml.html.fragment_fromstring(markup))

    assert lines("<h1>WINTER<br>FERRY<br> <span>TIMES</span></h1>") == ("WINTER", "FERRY", "TIMES")
    assert lines("<h1>Ferry Passes<span>Read This First</span></h1>") == (
        "Ferry Passes",
        "Read This First",
    )
    assert lines("<h1><div>Ferries</div><div>All winter</div></h1>") == ("Ferries", "All winter")
    # Inline markup within a line, a word set in two spans, and unseen text change nothing.
    assert lines("<h1>The <em>new</em> ferry<!-- x --> is <b>Late</b></h1>") == (
        "The new ferry is Late",
    )
    assert lines("<h1>i<span>Phone</span> ferry app<script>x()</script></h1>") == (
        "iPhone ferry app",
    )


def test_title_affixes_are_learned_from_an_outlets_titles() -> None:
    titles = [
        "Council approves new bus lanes – Lakeside Tribune",
        "Library extends weekend opening hours – Lakeside Tribune",
        "Flood defences tested after heavy rain – Lakeside Tribune",
        "Opinion: Keep the ferry – Lakeside Tribune",
        "School wins national robotics prize",
    ]
    assert title_affix_candidates(titles[0]) == [
        "Council approves new bus lanes", "Lakeside Tribune",
    ]
    assert title_affix_candidates(titles[-1]) == []
    pages = [title_affix_blocks(title) for title in titles]
    assert learned_title_affixes(learn_from_pages("lakeside", pages)) == ("Lakeside Tribune",)
    # Too few pages to tell, or a segment on fewer than half of them: nothing learned.
    assert learned_title_affixes(learn_from_pages("lakeside", pages[:2])) == ()
    pages += [title_affix_blocks(f"Story {n} of the week") for n in range(5)]
    assert learned_title_affixes(learn_from_pages("lakeside", pages)) == ()


def test_outlet_profile_learns_the_title_suffix_and_keeps_tags() -> None:
    """A title suffix known only from the outlet's other pages is stripped once learned; tags
    whose links are learned as boilerplate ("Local news" on every page) are still kept."""
    urls = [f"https://lt-news.example/story/{n}" for n in range(len(OUTLET_PAGES))]
    pages = [path.read_bytes() for path in OUTLET_PAGES]
    first = extract_article(pages[-1], urls[-1])
    assert first.title == "Bridge repairs to close the river crossing – Lakeside Tribune"
    assert first.tags == ["Local news", "Roads"]
    learned = [
        extract_article(page, url, collect_blocks=True).blocks
        for page, url in zip(pages[:-1], urls[:-1], strict=True)
    ]
    profile = learn_from_pages("lakeside", learned)
    assert learned_title_affixes(profile) == ("Lakeside Tribune",)
    later = extract_article(pages[-1], urls[-1], profile=profile)
    assert later.title == "Bridge repairs to close the river crossing"
    assert later.tags == ["Local news", "Roads"]
    assert "Local news" not in later.body
    assert any(r.cleaner == "learned_boilerplate" for r in later.removed)


def test_dates_keep_time_and_zone_and_respect_the_fetch_time() -> None:
    assert normalise_iso("2025-03-14T18:05:00-04:00") == "2025-03-14T18:05:00-04:00"
    assert normalise_iso("2025-03-14T22:05:00Z") == "2025-03-14T22:05:00+00:00"
    assert normalise_iso("2025-03-14") == "2025-03-14"
    assert normalise_iso("March 14, 2025") == "2025-03-14"
    assert normalise_iso("© 2025 Coastal Courier") is None
    assert url_date("https://news.example.org/2025/03/14/ferry") == "2025-03-14"
    assert url_date("https://news.example.org/ferry-2025") is None
    evidence = Evidence(
        url="https://news.example.org/2024/01/02/ferry",
        json_ld=[{"@type": "NewsArticle", "datePublished": "2030-01-01T00:00:00Z"}],
    )
    fetched = datetime(2025, 1, 1, tzinfo=UTC)
    dates = find_dates(evidence, fetched_at=fetched)
    assert (dates.published, dates.published_source) == ("2024-01-02", "url")


def test_a_written_out_json_ld_date_is_trusted_after_the_page_search() -> None:
    evidence = Evidence(json_ld=[{"@type": "BlogPosting", "datePublished": "Jun 24, 2025"}])
    searched = find_dates(evidence, search_page=lambda: "2024-08-25")
    assert (searched.published, searched.published_source) == ("2024-08-25", "htmldate")
    alone = find_dates(evidence, search_page=lambda: None)
    assert (alone.published, alone.published_source) == ("2025-06-24", "jsonld")


def test_a_utc_time_takes_the_page_offset_only_when_the_url_files_the_local_day() -> None:
    times = [
        ("2025-10-08T21:20:00-07:00", False, False),
        ("2025-10-07T09:00:00-07:00", False, True),
    ]
    stamp = {"article:published_time": "2025-10-09T04:20:00+00:00"}
    filed = Evidence(url="https://town.example.org/2025/10/08/market", meta=stamp, times=times)
    assert find_dates(filed).published == "2025-10-08T21:20:00-07:00"
    # No dated URL, a URL of another day, or <time>s in two offsets: the declared UTC time stays.
    for url in ("https://town.example.org/market", "https://town.example.org/2025/10/09/market"):
        assert find_dates(Evidence(url=url, meta=stamp, times=times)).published == (
            "2025-10-09T04:20:00+00:00"
        )
    mixed = [*times, ("2025-10-06T09:00:00-04:00", False, True)]
    two_zones = Evidence(url="https://town.example.org/2025/10/08/a", meta=stamp, times=mixed)
    assert find_dates(two_zones).published == "2025-10-09T04:20:00+00:00"


def test_the_date_beside_the_headline_not_a_far_one() -> None:
    filler = "<p>" + "The plots open in spring. " * 30 + "</p>"
    kicker = "<nav>Home</nav><p>Grants · 3 May 2024</p><h1>Plots open</h1><p>By Ann</p>"
    byline = "<h1>Plots open</h1><p>Ann Lee, Updated Dec. 4th, 2025</p>"
    far = f"<h1>Plots open</h1><p>By Ann</p>{filler}<p>Read next: 2 January 2025</p>"
    page = "<html><body>{}</body></html>"
    assert headline_date(lxml.html.fromstring(page.format(kicker + filler))) == "2024-05-03"
    assert headline_date(lxml.html.fromstring(page.format(byline + filler))) == "2025-12-04"
    assert headline_date(lxml.html.fromstring(page.format(far))) is None
    assert headline_date(lxml.html.fromstring(page.format(filler))) is None


def test_a_day_shown_before_the_declared_publication_is_the_publication() -> None:
    stamped = Evidence(
        json_ld=[{"@type": "BlogPosting", "datePublished": "2025-11-20T16:02:46Z",
                  "dateModified": "2025-11-20T16:02:46Z"}]
    )  # fmt: skip
    earlier = find_dates(stamped, shown_date=lambda: "2025-05-14")
    assert (earlier.published, earlier.published_source) == ("2025-05-14", "text")
    assert earlier.updated == "2025-11-20T16:02:46+00:00"
    # A later shown day is an update line: the declared publication stays.
    later = find_dates(stamped, shown_date=lambda: "2025-12-01")
    assert (later.published, later.published_source) == ("2025-11-20T16:02:46+00:00", "jsonld")
    # The local day of a time declared in UTC is no conflict: 00:04 UTC is July 4 in New York.
    utc = Evidence(meta={"article:published_time": "2025-07-05T00:04:00+00:00"})
    assert find_dates(utc, shown_date=lambda: "2025-07-04").published_source == "meta"
    assert find_dates(utc, shown_date=lambda: "2025-07-03").published == "2025-07-03"
    day_only = Evidence(meta={"article:published_time": "2025-07-05"})
    assert find_dates(day_only, shown_date=lambda: "2025-07-04").published == "2025-07-05"
    # A visible <time> is already a shown date; nor does a shown day after the fetch count.
    timed = Evidence(times=[("2024-12-20", True, False)])
    assert find_dates(timed, shown_date=lambda: "2024-08-28").published == "2024-12-20"
    fetched = datetime(2025, 1, 1, tzinfo=UTC)
    old = Evidence(meta={"article:published_time": "2024-12-30"})
    assert find_dates(old, fetched_at=fetched, shown_date=lambda: "2026-01-01").published == (
        "2024-12-30"
    )


def test_a_marked_publication_time_earlier_than_the_declared_one_wins() -> None:
    declared = {"article:published_time": "2025-10-02T09:15:00-05:00"}
    earlier = Evidence(meta=declared, times=[("2025-06-17", True, False)])
    assert (find_dates(earlier).published, find_dates(earlier).published_source) == (
        "2025-06-17", "time",
    )  # fmt: skip
    # Later (an update), the same day, unmarked, or off the article: the declared time stays.
    for times in (
        [("2025-12-01", True, False)],
        [("2025-10-02", True, False)],
        [("2025-06-17", False, False)],
        [("2025-06-17", True, True)],
    ):
        assert find_dates(Evidence(meta=declared, times=times)).published_source == "meta"


def test_a_numeric_time_is_read_in_the_pages_order_or_not_at_all() -> None:
    times = [("03-11-2025", False, False)]
    # The page's region settles the order: month first in the US, day first elsewhere.
    assert find_dates(Evidence(lang="en-US", times=times)).published == "2025-03-11"
    assert find_dates(Evidence(lang="en-GB", times=times)).published == "2025-11-03"
    clocked = [("01-11-2023 10:29", False, False)]
    assert find_dates(Evidence(lang="de-DE", times=clocked)).published == "2023-11-01T10:29:00"
    # Without a region, another <time> writing one of the two days in ISO 8601 settles it.
    listed = [*times, ("2025-11-03", False, True)]
    assert find_dates(Evidence(lang="en", times=listed)).published == "2025-11-03"
    # Unsettled, the <time> dates nothing (no month-first default); the next one does.
    assert find_dates(Evidence(lang="en", times=times)).published is None
    later = [*times, ("2025-06-21", False, False)]
    assert find_dates(Evidence(lang="en", times=later)).published == "2025-06-21"
    # A part above 12 or equal parts are no ambiguity; a dotted date is day first.
    for value, day in (
        ("4/24/2000 12:00:00 AM", "2000-04-24"), ("07-07-2024", "2024-07-07"),
        ("12.03.2025", "2025-03-12"),
    ):  # fmt: skip
        assert find_dates(Evidence(times=[(value, False, False)])).published[:10] == day


def test_a_note_of_the_original_publication_gives_an_earlier_day_only() -> None:
    def note(text: str, **declared: str) -> str | None:
        page = f"<html><body><h1>Inspections</h1><p>{text}</p></body></html>"
        evidence = read_evidence(lxml.html.fromstring(page), "https://h.example.com/a")
        evidence.meta.update(declared)
        return find_dates(evidence).published

    stamp = "2023-02-14T09:40:00+00:00"
    assert note("Originally posted on June 3, 2019.", pubdate=stamp) == "2019-06-03"
    # Alone, the note dates the page.
    assert note("This guide was originally published 3 Jun 2019, updated since.") == "2019-06-03"
    # A later day than the declared one is no original; nor is a note without a day, or a book
    # "originally published in 1998".
    assert note("Originally published on 3 Jun 2024.", pubdate=stamp) == stamp
    assert note("Originally published in June 2019.", pubdate=stamp) == stamp
    assert note("The novel was originally published in 1998 by a small press.", pubdate=stamp) == (
        stamp
    )


def test_a_portrait_a_first_person_introduction_follows_names_the_owner() -> None:
    def authors(cards: str) -> list[str]:
        page = (
            "<html><body><h1>Version control</h1><p>Write better commit messages.</p>"
            f"</body><aside>{cards}</aside></html>"
        )
        tree = lxml.html.fromstring(page)
        return find_authors(read_evidence(tree, "https://m.example.net/a")).people

    card = '<img alt="{}" src="/me.jpg"><p>{}</p>'
    assert authors(card.format("Marta Lindqvist Photo", "I'm a software engineer.")) == [
        "Marta Lindqvist"
    ]
    assert authors(card.format("Marta Lindqvist", "Hello! I am Marta.")) == ["Marta Lindqvist"]
    # A picture captioned by anything else, or two people introducing themselves (a team).
    assert authors(card.format("Marta Lindqvist", "In my view, branches are cheap.")) == []
    two = card.format("Marta Lindqvist", "I'm Marta.") + card.format("Jon Berg", "I'm Jon.")
    assert authors(two) == []
    # A gallery's pictures before the portrait the introduction follows are not its subject.
    gallery = '<img alt="Red Barn Door" src="/1.jpg"><img alt="Old Hay Loft" src="/2.jpg">'
    assert authors(gallery + card.format("Marta Lindqvist", "I'm Marta.")) == ["Marta Lindqvist"]


def test_a_day_written_with_dashes_or_a_foreign_month_abbreviation_is_read() -> None:
    def shown(line: str) -> str | None:
        page = f"<html><body><h1>Pipes</h1><p>{line}</p><p>Bury it deep.</p></body></html>"
        return headline_date(lxml.html.fromstring(page))

    assert shown("By: Terraflow on 17-ago-2022 9:40:02") == "2022-08-17"
    assert shown("19-Dec-2025") == "2025-12-19"
    assert shown("Publié le 12 déc. 2023") == "2023-12-12"
    assert shown("Veröffentlicht am 5 Okt 2024") == "2024-10-05"
    # Neither a word that is no month nor a day without its year.
    assert shown("Set 17-abc-2022 aside") is None
    assert shown("on 17-ago") is None


def test_a_publication_label_dates_a_page_nothing_else_dates() -> None:
    def labelled(line: str, lang: str = "en", **declared: str) -> str | None:
        page = (
            f'<html lang="{lang}"><body><h1>Paddles</h1><p>Rinse the joint.</p>'
            f"<div>{line}</div></body></html>"
        )
        evidence = read_evidence(lxml.html.fromstring(page), "https://h.example.com/a")
        evidence.meta.update(declared)
        return find_dates(evidence).published

    assert labelled("Published on March 3, 2025") == "2025-03-03"
    assert labelled("Posted: 3 Mar 2025 by the shop") == "2025-03-03"
    # A numeric day in the order of the declared region; a region-less page settles nothing.
    assert labelled("Post time: 03-09-2024", lang="en-US") == "2024-03-09"
    assert labelled("Post time: 03-09-2024", lang="en-GB") == "2024-09-03"
    assert labelled("Post time: 03-09-2024") is None
    # An update's label is none, and a declared publication comes first.
    assert labelled("Last published Apr 8, 2024") is None
    assert labelled("Updated: March 3, 2025") is None
    stamp = "2025-06-01T10:00:00+00:00"
    assert labelled("Published on March 3, 2025", pubdate=stamp) == stamp
    # A day set before its update's label in one element is the original.
    assert labelled("March 3, 2025. <i>Updated: March 9, 2025</i>") == "2025-03-03"
    assert labelled("March 3, 2025 <span>Last updated March 9, 2025</span>") == "2025-03-03"
    assert labelled("Tags: <i>Updated guides</i>") is None


def test_the_shown_day_settles_json_ld_and_meta_tags_that_disagree() -> None:
    both = Evidence(
        json_ld=[{"@type": "Article", "datePublished": "2018-04-03T16:50:31Z"}],
        meta={"article:published_time": "2025-12-19T18:06:00Z"},
    )
    agreed = find_dates(both, shown_date=lambda: "2025-12-19")
    assert (agreed.published, agreed.published_source) == ("2025-12-19T18:06:00+00:00", "meta")
    # Nothing shown, or a day shown that is neither's: the JSON-LD stays.
    for shown in (None, "2025-12-17"):
        assert find_dates(both, shown_date=lambda shown=shown: shown).published_source == "jsonld"


def test_a_time_linked_to_another_page_is_a_story_cards_not_the_articles() -> None:
    url = "https://hearth.example.org/guides/boiler-before-frost"
    page = (
        "<html><body><h1>Checking a boiler</h1>"
        '<a href="{}" rel="bookmark"><time datetime="2024-09-12">12 Sep 2024</time></a>'
        "<p>Fire it once before the cold arrives.</p>"
        '<a href="/guides/radiator-valves"><time datetime="2023-11-03">3 Nov 2023</time> '
        "Which radiator valve is which</a></body></html>"
    )
    # A permalink to the page itself (absolute, relative, with a closing slash or "www.") is
    # the article's own date; the card linking to another guide is not.
    for own in (url, "/guides/boiler-before-frost/", url.replace("//", "//www.")):
        evidence = read_evidence(lxml.html.fromstring(page.format(own)), url)
        assert [off for _value, _marked, off in evidence.times] == [False, True]
    other = read_evidence(lxml.html.fromstring(page.format("/guides/draughts")), url)
    assert find_dates(other).published is None
    # Without the page's URL no link can be told apart: the first <time> dates the page.
    unknown = read_evidence(lxml.html.fromstring(page.format("/guides/draughts")), None)
    assert find_dates(unknown).published == "2024-09-12"


def test_a_numeric_date_beside_the_headline_is_read_in_the_pages_order() -> None:
    def shown(byline: str, lang: str = "en", rest: str = "") -> str | None:
        body = f"<h1>Plots open</h1><p>By Ann {byline}</p>{rest}"
        page = f"<html lang='{lang}'><body>{body}</body></html>"
        return headline_date(lxml.html.fromstring(page))

    # A part above 12 is the day, whatever the language; a dotted date is day first.
    assert shown("3/14/2025") == shown("14/3/2025") == "2025-03-14"
    assert shown("04.03.2025", "en-US") == "2025-03-04"
    # An ambiguous one: the order of the page's other dates, else its declared region.
    assert shown("3/4/2025", "en", "<p>Next meeting 3/18/2025</p>") == "2025-03-04"
    assert shown("3/4/2025", "en", "<p>Next meeting 18/3/2025</p>") == "2025-04-03"
    assert shown("3/4/2025", "en-US") == "2025-03-04"
    assert shown("3/4/2025", "en-GB") == shown("3-4-2025", "fr-FR") == "2025-04-03"
    # Nothing settles it ("en", no other date): no day rather than a coin toss.
    assert shown("3/4/2025") is None
    # Not a date: a version or a phone number.
    assert shown("v2.10.2025.1") is None


def test_the_shown_date_is_beside_the_headline_not_in_it_nor_in_a_script() -> None:
    filler = "<p>" + "The plots open in spring. " * 30 + "</p>"
    in_heading = "<h1>What the flood of 3 May 2024 left</h1><p>By Ann</p>"
    script = "<h1>Plots</h1><script>var d = 'June 2, 2025';</script><p>By Ann, 4 June 2025</p>"
    nested = (
        "<div><p>News · 9 Feb 2025</p><div><section><h1>Plots</h1></section></div></div>"
        "<div><p>By Ann</p></div>"
    )
    page = "<html><body>{}</body></html>"
    assert headline_date(lxml.html.fromstring(page.format(in_heading + filler))) is None
    assert headline_date(lxml.html.fromstring(page.format(script + filler))) == "2025-06-04"
    assert headline_date(lxml.html.fromstring(page.format(nested + filler))) == "2025-02-09"
    hidden = "<html><body><template><h1>Plots</h1><p>1 May 2025</p></template></body></html>"
    assert headline_date(lxml.html.fromstring(hidden)) is None


def test_the_date_beside_the_headline_is_one_a_reader_sees() -> None:
    page = "<html><body>{}<h1>Plots <em>open</em> now</h1>{}<p>By Ann</p></body></html>"
    # Dates in scripts, styles, noscript and templates beside the headline are not shown.
    unshown = [
        "<script>var d = '3 May 2024';</script>",
        "<noscript>3 May 2024</noscript>",
        "<template><p>3 May 2024</p></template>",
        "<style>/* 3 May 2024 */</style>",
    ]
    for element in unshown:
        assert headline_date(lxml.html.fromstring(page.format(element, ""))) is None
        assert headline_date(lxml.html.fromstring(page.format("", element))) is None
    # The text after such an element is read as usual; the headline's own words are the
    # subject, not a dateline (test_the_shown_date_is_beside_the_headline_not_in_it...).
    after_script = page.format("", "<script>x()</script> Filed 4 May 2024")
    assert headline_date(lxml.html.fromstring(after_script)) == "2024-05-04"
    in_headline = "<html><body><h1>Plots open <small>4 May 2024</small></h1></body></html>"
    assert headline_date(lxml.html.fromstring(in_headline)) is None
    # A headline with no visible text has no neighbourhood.
    empty = "<html><body><p>3 May 2024</p><h1><img src='logo.png'></h1></body></html>"
    assert headline_date(lxml.html.fromstring(empty)) is None


def test_no_date_stays_none_and_the_costly_search_runs_only_then() -> None:
    calls: list[int] = []

    def search() -> str | None:
        calls.append(1)
        return None

    assert find_dates(Evidence(url="https://news.example.org/ferry"), search_page=search) == (
        find_dates(Evidence(), search_page=None)
    )
    assert calls == [1]
    dated = Evidence(meta={"article:published_time": "2025-02-03T10:00:00+00:00"})
    assert find_dates(dated, search_page=search).published_source == "meta"
    assert calls == [1]


def test_bylines_are_split_and_cleaned() -> None:
    assert split_names("By Jane Doe and John Roe") == ["Jane Doe", "John Roe"]
    assert split_names("Von Hans Meier, Erika Muster") == ["Hans Meier", "Erika Muster"]
    evidence = Evidence(
        meta_all={"author": ["Jane Doe, Senior Editor"]}, meta={"author": "Jane Doe"}
    )
    assert find_authors(evidence).people == ["Jane Doe"]
    labels = Evidence(author_marks=["View more posts", "About the Author", "Share"])
    assert find_authors(labels).people == []
    one_a_tag = Evidence(meta_all={"citation_author": ["Roy, Aniruddha", "Patel, Jyoti"]})
    assert find_authors(one_a_tag).people == ["Aniruddha Roy", "Jyoti Patel"]
    # A "by" inside a heading is no byline; "Posted on May 2 by Jane Doe" is one.
    assert find_authors(Evidence(bylines=["Zero Waste Room by Room"])).people == []
    # A brand's "X by Y, Place" line is no byline: the name right after "by" is one word.
    assert find_authors(Evidence(bylines=["Harbourside By Lumen, New Haven"])).people == []
    posted = Evidence(bylines=["Posted on May 2, 2025 by Jane Doe"])
    assert find_authors(posted).people == ["Jane Doe"]


def test_a_job_title_after_a_name_is_no_second_author() -> None:
    # "Home- and Garden Security Expert": a compound's first half and a phrase ending in a
    # role word after the name are her title; a second name after "and" stays.
    assert split_names("Mira Okafor , Home- and Garden-Security Expert") == ["Mira Okafor"]
    assert split_names("By Mira Okafor, Kitchen Appliance Reviewer") == ["Mira Okafor"]
    assert split_names("Mira Okafor and Tom Reyes") == ["Mira Okafor", "Tom Reyes"]
    marks = Evidence(author_marks=["Mira Okafor , Home Security Expert", "Tom Reyes, Editor"])
    assert find_authors(marks).people == ["Mira Okafor", "Tom Reyes"]


def test_a_copyright_notice_names_its_holder_or_nobody() -> None:
    notice = "© 2019 - 2025 Wren & Moss Ltd. All rights reserved."
    assert copyright_holder(notice) == "Wren & Moss Ltd"
    assert copyright_holder("Copyright © 2025 Hal Brunner") == "Hal Brunner"
    assert copyright_holder("Copyright Kestrel Labs 2024") == "Kestrel Labs"
    # No holder: a year alone, a sentence about copyright, a link to a policy page.
    assert copyright_holder("© 2025") is None
    assert copyright_holder("© Copyright of logos belongs to their owners") is None
    assert copyright_holder("Copyright Policy") is None


def test_one_captioned_portrait_is_an_author_card_several_are_the_articles_people() -> None:
    card = lxml.html.fromstring(
        "<div><p><img alt='Ines Arroyo' src='/a.jpg'></p><p>Ines Arroyo writes on food.</p></div>"
    )
    assert captioned_portraits(list(card.iter("img"))) == ["Ines Arroyo"]
    people = lxml.html.fromstring(
        "<div><img alt='Ines Arroyo'><h3>Ines Arroyo</h3><img alt='Tom Reyes'><h3>Tom Reyes</h3>"
        "<img alt='Kim Lee'><p>A photo of the harbour</p></div>"
    )
    assert captioned_portraits(list(people.iter("img"))) == []


def test_the_line_under_the_headline_gives_one_full_name_or_none() -> None:
    def people(line: str) -> list[str]:
        return find_authors(Evidence(headline_line=line)).people

    assert people("Jo Park | Senior Writer | July 2, 2025") == ["Jo Park"]
    assert people("By Ana Ruiz Updated on May 3, 2025 Edited by Kim Lee") == ["Ana Ruiz"]
    # Two parts that could be names (a section beside the writer): neither is taken.
    assert people("by Ana Ruiz, Garden Educator | Dec 30, 2025 | Indoor Plants") == []
    assert people("#review #tech | May 3, 2025") == []


def test_language_detected_from_the_body_when_undeclared_or_contradicted() -> None:
    english = "The council voted on Tuesday to add bus lanes on two of the busiest roads. " * 5
    assert choose_language(None, english).language == "en"
    kept = choose_language("en-GB", english)
    assert (kept.language, kept.declared, kept.detected) == ("en-GB", "en-GB", "en")
    assert choose_language("fr", "Trop court.").language == "fr"  # too short to contradict


def test_the_language_model_loads_without_writing_a_file() -> None:
    """On a full disk (no file may grow past 0 bytes here) the body's language is still read."""
    page = FIXTURES / "declared-language-contradicted-by-body.html"
    code = (
        "import sys; from cleaners import extract_article; "
        "a = extract_article(open(sys.argv[1], 'rb').read(), 'https://news.example.org/hafen'); "
        "print(a.language_detected)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(page)],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "de"


def test_author_classed_texts_give_full_names_only() -> None:
    # A teaser headline in an author-classed card and a lone word are no author; a name is.
    teaser = Evidence(author_classed=["The Best Ramen & Drinks in Kyoto?", "Admin", "Jane Doe"])
    assert find_authors(teaser).people == ["Jane Doe"]
    role = Evidence(author_classed=["Jane Doe Senior Editor"])
    assert find_authors(role).people == ["Jane Doe"]
    # A byline word inside the classed text is read as a byline.
    dated = Evidence(author_classed=["March 3, 2025 by John Roe"])
    assert find_authors(dated).people == ["John Roe"]
    # A reviewer's line and a "Full Bio" link in the author box are not the author.
    box = Evidence(author_classed=["Full Bio", "Reviewed by Kim Lee", "By Ada Park"])
    assert find_authors(box).people == ["Ada Park"]


def test_author_classed_text_without_the_date_beside_it() -> None:
    dated = Evidence(author_classed=["Dec 17, 2025 Jane K. Doe", "4 March 2025 · John Roe"])
    assert find_authors(dated).people == ["Jane K. Doe"]
    labelled = Evidence(author_classed=["John Roe Last updated on 17 December 2025"])
    assert find_authors(labelled).people == ["John Roe"]
    # Without a "by", " in " is part of a teaser headline, not the end of a name.
    teaser = Evidence(author_classed=["Exploring Bamboo Forests in Kyoto, Japan"])
    assert find_authors(teaser).people == []
    # "Articles by ..." on an author link: the lead goes, the name stays.
    assert split_names("Articles by Jane Doe") == ["Jane Doe"]


def test_the_outlet_names_a_page_without_author_only_when_the_title_names_its_host() -> None:
    # A title's last part that is no name of the host is a tagline, not the outlet.
    page = Evidence(url="https://odile.example.net/a", title="Old bicycles | Rust and patience")
    assert find_authors(page).organisations == []
    # Initials of the title's part are the host's label.
    page = Evidence(url="https://www.gkc.example/a", title="Car care | Green Kettle Cooperative")
    assert find_authors(page).organisations == ["Green Kettle Cooperative"]
    # A declared site name comes first, its tagline cut.
    declared = Evidence(
        url="https://shop.example/a", meta={"og:site_name": "Kettle Co - Make Tea Better"}
    )
    assert find_authors(declared).organisations == ["Kettle Co"]


def test_bylines_are_found_in_the_bodys_text_nodes_in_page_order() -> None:
    # An element's text and a tail after a child are both read, in document order; the
    # <head>'s title, a script and a photo credit are no bylines, nor is "Nearby" a "by".
    page = lxml.html.fromstring(
        "<html><head><title>Posted by Nobody</title></head><body>"
        "<div><p>Story by Jane Doe</p></div>"
        "<script>var byline = 'By Script Writer';</script>"
        "<p>Photo by Sam Lens/Agency</p>"
        "<p><em>Update</em> Von Hans Meier</p>"
        "<p>Nearby shops opened.</p></body></html>"
    )
    assert find_bylines(page) == ["Story by Jane Doe", "Update Von Hans Meier"]


def test_a_post_listing_or_a_powered_by_credit_names_no_author() -> None:
    page = lxml.html.fromstring(
        "<html><body><h1>Rent board votes</h1><p>Text.</p>"
        "<div class='post-listing-grid'><h2>Other story</h2>"
        "<a rel='author' href='/author/kim-lee/'>Kim Lee</a></div>"
        "<p>powered by: Cookie Banner Co</p></body></html>"
    )
    evidence = read_evidence(page, "https://news.example.org/rent-board")
    assert evidence.author_marks == []
    assert evidence.bylines == []


def test_a_translators_or_testers_credit_is_no_byline() -> None:
    page = lxml.html.fromstring(
        "<html><body><p>The Glass Orchard, translated by Ilse Brandt (Harbour Books)</p>"
        "<p>Tested by Kim Lee and Ann Poe</p><p>Story by Jane Doe</p></body></html>"
    )
    assert find_bylines(page) == ["Story by Jane Doe"]
    # A name's parenthesis (a handle, a publisher) is cut from the byline.
    assert find_authors(Evidence(bylines=["By Ada Park (@adapark)"])).people == ["Ada Park"]


def test_an_outlets_byline_place_is_learned_from_pages_that_name_the_author() -> None:
    """Six pages of one outlet name their author in JSON-LD and show it in the same element
    (a class no rule knows); the seventh names it only there: read once the place is learned."""
    pages = sorted((FIXTURES / "byline_outlet").glob("*.html"))
    urls = [f"https://harbour.example/news/{n}" for n in range(len(pages))]
    htmls = [path.read_bytes() for path in pages]
    assert extract_article(htmls[-1], urls[-1]).authors == []
    learned = [
        extract_article(html, url, collect_blocks=True).blocks
        for html, url in zip(htmls[:-1], urls[:-1], strict=True)
    ]
    profile = learn_from_pages("harbour", learned)
    assert learned_byline_places(profile) == ("div.story-top > span.credit",)
    assert extract_article(htmls[-1], urls[-1], profile=profile).authors == ["Henrietta Lowe"]
    # Too few pages to tell: nothing learned.
    assert learned_byline_places(learn_from_pages("harbour", learned[:4])) == ()


def test_the_day_beside_the_headline_spares_the_page_search(monkeypatch) -> None:
    """A page dated only beside its headline needs no htmldate search; one dated nowhere gets
    the quick search of the page as served."""
    import cleaners.extract as extraction

    searches: list[bool] = []

    def page_date(tree, url, fetched, *, extensive):
        searches.append(extensive)
        return None

    monkeypatch.setattr(extraction, "page_date", page_date)
    prose = "<p>" + "The ferry to the island runs twice a day from the old harbour wall. " * 8
    shown = (
        "<html><body><article><h1>Ferry times change</h1><p>By Ann Lee · 4 March 2025</p>"
        f"{prose}</p></article></body></html>"
    )
    article = extract_article(shown, "https://news.example.org/ferry-times")
    assert article.published == "2025-03-04"
    assert searches == []
    undated = shown.replace(" · 4 March 2025", "")
    assert extract_article(undated, "https://news.example.org/ferry-times").published is None
    assert searches == [False, True]


def test_places_read_once_per_page_agree_with_article_place() -> None:
    """`Evidence.place` remembers each container's place; every element of the pages written
    for the project gets what `article_place` reads from its ancestors, asked in any order."""
    pages = sorted((FIXTURES.parent).glob("*/*.html"))
    assert len(pages) > 20
    for path in pages:
        tree = lxml.html.fromstring(path.read_bytes())
        holders = headline_holders(tree)
        elements = [e for e in tree.iter() if isinstance(e.tag, str)]
        for order in (elements, elements[::-1]):
            evidence = Evidence(headline_holders=holders)
            assert [evidence.place(e) for e in order] == [
                article_place(e, holders) for e in order
            ], path.name
    sidebar = lxml.html.fromstring(
        "<html><body><div class='sidebar'><aside><p>Ann</p></aside></div>"
        "<div id='comments'><p>Bo</p></div><main><h1>T</h1><p>Cy</p></main></body></html>"
    )
    evidence = Evidence(headline_holders=headline_holders(sidebar))
    assert [evidence.place(p) for p in sidebar.iter("p")] == [1, 2, 0]
