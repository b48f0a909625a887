"""The precision-mode second look (cleaners/extract.py): a body without prose that lies mostly
outside the article region is extracted once more with trafilatura's `favor_precision`, and that
extraction is taken only if it reads as prose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cleaners.extract as extract_module
from cleaners import NotAnArticle, extract_article
from cleaners.context import Block

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "fixtures" / "quality" / "lantern-gallery.html"
HOLIDAY_HOURS = ROOT / "fixtures" / "extract" / "holiday-hours.html"


def lines(*texts: str) -> list[Block]:
    return [Block(text) for text in texts]


def test_only_a_body_outside_the_article_region_gets_a_second_look() -> None:
    html = ("<html><body><div class='story'><p>" + "The ferry left the north quay late. " * 12
            + "</p></div><ul class='roundup'><li><a href='/a'>Winter walks</a></li>"
            "<li><a href='/b'>Village oven</a></li></ul></body></html>")
    region = extract_module.find_article_region(extract_module.parse_html(html))
    assert region is not None
    assert extract_module.body_outside_region(region, lines("Winter walks", "Village oven"))
    inside = lines("The ferry left the north quay late.", "Winter walks")
    assert not extract_module.body_outside_region(region, inside)
    assert not extract_module.body_outside_region(None, lines("Winter walks"))


def test_prose_is_counted_in_sentence_length_lines_only() -> None:
    sentence = "word " * 20
    assert extract_module.prose_words(lines(sentence, "Next", "Around the Web")) == 20
    assert extract_module.has_little_prose(lines(sentence, "Link one", "Link two"))
    assert not extract_module.has_little_prose(lines(sentence, sentence))
    assert not extract_module.has_little_prose([])  # nothing to rescue: NotAnArticle later


def test_a_gallery_page_gets_its_caption_not_the_link_roundup(precision_calls) -> None:
    expected = json.loads(GALLERY.with_suffix(".json").read_text(encoding="utf-8"))
    article = extract_article(GALLERY.read_bytes(), url=expected["url"])
    assert article.body == expected["gold"]
    assert precision_calls == [True]
    assert article.title == "Lantern parade lights up the old town"
    assert not any("Around the Web" in removal.text for removal in article.removed), (
        "the first extraction's removals are not the audit of the body that was kept")


def test_without_the_second_look_the_roundup_would_be_the_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract_module, "has_little_prose", lambda blocks: False)
    article = extract_article(GALLERY.read_bytes())
    assert "paper lanterns" not in article.body
    # The first extraction took the roundup: its promo heading and links are what the text stage
    # found (and removed), the gallery's pager is what is left.
    assert any(
        removal.cleaner == "drop_promo_lists" and "Around the Web" in removal.text
        for removal in article.removed
    )


def test_a_short_lines_article_keeps_its_own_body(precision_calls) -> None:
    """A notice made of short lines has little prose, but its body is the article region's own
    text: a second extraction could find nothing more, so none is made."""
    html = HOLIDAY_HOURS.read_bytes()
    article = extract_article(html)
    assert precision_calls == []
    assert article.body.splitlines()[0] == "All branches close early on the days below."
    assert "Wednesday 1 January: closed" in article.body
    assert "Most read" not in article.body


def test_a_page_with_prose_is_extracted_once(precision_calls) -> None:
    page = ROOT / "fixtures" / "quality" / "bee-survey.html"
    extract_article(page.read_bytes())
    assert precision_calls == []


def test_a_short_second_body_is_taken_only_when_it_holds_the_first_and_more() -> None:
    """A short post that precision mode returns with its byline is the fuller article; a short
    body of other text is not, though neither reads as prose."""
    first = lines("We have finally released the first issue of the harbour newsletter.")
    fuller = lines("By Jane Doe, 01 June 2024", first[0].text)
    other = lines("More harbour stories", "Subscribe")
    assert extract_module.extends(fuller, first)
    assert not extract_module.extends(other, first)
    assert not extract_module.extends(first, first)  # nothing more: no reason to switch
    assert not extract_module.extends(fuller, [])


SERVER_ERRORS = ROOT / "fixtures" / "cleaners" / "server-errors-only-reading.html"
SERVER_ERRORS_URL = "https://laternenblog.example/zwei-katzen/"


def test_a_reading_the_text_stage_empties_gets_the_precision_reading(precision_calls) -> None:
    """fixtures/cleaners/server-errors-only-reading.html: a short post, and in the sidebar a
    plugin's error messages, longer than the post. trafilatura's default reading takes the
    messages alone (its recall escalation prefers them to the short post); the text stage drops
    them (drop_server_errors) and nothing is left, so the precision reading, which holds the
    post, is the body instead of a refusal."""
    html = SERVER_ERRORS.read_text(encoding="utf-8")
    article = extract_article(html, SERVER_ERRORS_URL)
    assert precision_calls == [True]
    assert article.body.startswith("Es hat eine Weile gedauert, bis die zweite Katze")
    assert "undefined constant" not in article.body


def test_without_the_look_at_an_emptied_reading_the_post_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract_module, "precision_rescue", lambda *args, **kwargs: args[3:5])
    with pytest.raises(NotAnArticle):
        extract_article(SERVER_ERRORS.read_text(encoding="utf-8"), SERVER_ERRORS_URL)


def test_a_short_reading_is_taken_when_it_is_the_first_ones_part_or_leaves_out_a_box() -> None:
    """Two readings without prose: the precision one is kept when the first holds it and more
    (the notes of a video page without the "Popular tutorials" list the first took beside them),
    or when it is the first without a profile box's blurb; not when it is other text."""
    page = extract_module.parse_html(
        "<html><body><div class='profile-block'><p>I collect. I mend. I swap.</p></div>"
        "<div class='post'><p>via garden-shed-weekly.example</p>"
        "<p>Odd saucers finally earn their keep.</p></div></body></html>"
    )
    notes = lines("133. Depth compositing", "Use a depth pass to combine stock footage", "10:09")
    first = notes + lines("Popular tutorials", "Build a set extension with a...")
    assert extract_module.takes_short_reading(notes, first, page)
    assert not extract_module.takes_short_reading(lines("Popular tutorials"), notes, page)
    post = lines("via garden-shed-weekly.example", "Odd saucers finally earn their keep.")
    assert extract_module.takes_short_reading(post, lines("I collect. I mend. I swap.", *[
        b.text for b in post]), page)
    # Text the first does not hold and no box explains: the first stays.
    assert not extract_module.takes_short_reading(
        lines("Subscribe to our letters", "Odd saucers finally earn their keep."),
        lines("I collect. I mend. I swap.", *[b.text for b in post]),
        page,
    )
