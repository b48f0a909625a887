"""readability's reading where it holds far more of the article than the body
(cleaners/fuller_reading.py): taken from trafilatura's own comparison, never extracted again.
"""

from __future__ import annotations

import random
from pathlib import Path

import lxml.html
import pytest
import trafilatura

import cleaners.extract as extract_module
from cleaners import extract_article, fallback_gate, fuller_reading
from cleaners.context import Block
from cleaners.meta import read_evidence

ROOT = Path(__file__).resolve().parents[1]
# An article column whose class trafilatura's discard rules match (a CMS's "bard" field holds
# "bar"), in a page whose hero and feature promos give trafilatura a reading of its own more than
# half as long as readability's: trafilatura keeps its reading, readability's is the article.
COLUMN_PAGE = ROOT / "fixtures" / "extract" / "column-outside-reading.html"
URL = "https://learning.example/knowledge/what-is-an-online-course"


VOCABULARY = (
    "harbour council ferry quay tide winter island slipway timetable school pupils farmers "
    "trailer hay board passengers repairs fund spring money car park market walkers skipper "
    "crossing morning evening sailing boat water delay wind weather storm season village road"
).split()


def lines(*texts: str) -> list[Block]:
    return [Block(text) for text in texts]


def distinct_sentences(count: int, seed: int = 7) -> list[str]:
    """Sentences of 20 words that share no 4-word sequence to speak of."""
    chooser = random.Random(seed)
    return [" ".join(chooser.choices(VOCABULARY, k=20)) + "." for _ in range(count)]


def test_trafilatura_alone_keeps_the_promos_of_the_column_page() -> None:
    """The page is a real case of the class: trafilatura's output misses the article."""
    text = trafilatura.extract(COLUMN_PAGE.read_text(encoding="utf-8"), url=URL) or ""
    assert "Why trainers choose Example Learning" in text
    assert "structured set of lessons" not in text


def test_the_column_page_gets_readabilitys_reading_of_the_article() -> None:
    article = extract_article(COLUMN_PAGE.read_bytes(), url=URL)
    assert article.body.startswith("An online course is a structured set of lessons")
    assert "who never opened the first module at all." in article.body
    assert "Self-paced and scheduled courses" in article.body
    for promo in ("Why trainers choose", "Our pricing is simple", "Start your free trial"):
        assert promo not in article.body
    assert article.title == "What Is an Online Course? A Plain Guide"


def test_the_reading_is_trafilaturas_own_not_a_second_extraction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []
    real = extract_module.run_trafilatura_body

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(extract_module, "run_trafilatura_body", counted)
    extract_article(COLUMN_PAGE.read_bytes(), url=URL)
    assert calls == []
    assert fallback_gate.READING_RECORDED


def test_a_page_trafilatura_reads_well_keeps_its_body() -> None:
    page = ROOT / "fixtures" / "quality" / "bee-survey.html"
    plain = extract_article(page.read_bytes())
    document = fallback_gate.extract_body_escalated(
        extract_module.parse_html(page.read_text(encoding="utf-8")), None,
        **extract_module.TRAFILATURA_OPTIONS,
    )
    blocks = extract_module.body_blocks(document.document.body)
    assert not fuller_reading.may_add_article(document.reading, blocks)
    assert plain.body


def test_more_prose_alone_is_not_enough_the_reading_must_be_new_text() -> None:
    body = lines(*distinct_sentences(2, seed=1))
    other = lines(*distinct_sentences(12, seed=2))
    assert not fuller_reading.adds_article(body, body)
    assert fuller_reading.adds_article(body, other)
    # The body again with a little more: not another part of the page.
    assert not fuller_reading.adds_article(body, body + other[:1])


def test_near_repeats_count_once_as_prose() -> None:
    """A gallery's captions that differ by a number are one caption's prose, not a column."""
    caption = "The ferry crosses the sound on a grey morning, photographed by a reader, picture"
    captions = [f"{caption} number {i} of the winter series." for i in range(12)]
    assert fuller_reading.prose_words(captions) == len(captions[0].split())
    assert not fuller_reading.adds_article(lines(*distinct_sentences(3)), lines(*captions))


def test_the_raw_reading_is_worth_cleaning_only_with_far_more_prose() -> None:
    many = "".join(f"<p>{sentence}</p>" for sentence in distinct_sentences(12))
    reading = lxml.html.fromstring(f"<div>{many}</div>")
    assert fuller_reading.may_add_article(reading, lines("Short promo line"))
    long_body = lines(*distinct_sentences(12, seed=3))
    assert not fuller_reading.may_add_article(reading, long_body)
    assert not fuller_reading.may_add_article(None, lines("Short promo line"))


MISNESTED_PAGE = ROOT / "fixtures" / "extract" / "article-inside-open-popup.html"


def test_trafilatura_alone_finds_nothing_in_the_misnested_page() -> None:
    """An unclosed pop-up <aside> makes libxml2 nest the whole page, article included, inside it."""
    assert not trafilatura.extract(MISNESTED_PAGE.read_text(encoding="utf-8"))


def test_an_article_misnested_inside_page_furniture_is_extracted() -> None:
    article = extract_article(MISNESTED_PAGE.read_bytes(), url="https://threads.example/linen")
    assert article.body.startswith("Linen has a reputation as an expensive fabric")
    assert "costs less than a new one from even the cheapest of these labels." in article.body
    assert "Join our list" not in article.body


def test_furniture_without_an_article_in_it_stays_furniture() -> None:
    from cleaners.tree import unbox_misnested_article

    tree = extract_module.parse_html(
        "<html><body><aside><article><p>A short teaser.</p></article></aside>"
        "<article><p>" + " ".join(distinct_sentences(12)) + "</p></article></body></html>"
    )
    assert not unbox_misnested_article(tree)
    assert tree.find(".//aside") is not None


DECLARED_PAGE = ROOT / "fixtures" / "extract" / "declared-body-gallery.html"


def test_trafilatura_alone_takes_the_captions_of_the_declared_page() -> None:
    text = trafilatura.extract(DECLARED_PAGE.read_text(encoding="utf-8")) or ""
    assert "The Harbour three-seater comes in twelve fabrics" in text
    assert "Choosing a sofa online" not in text


def test_a_page_drawn_by_scripts_gets_the_article_it_declares() -> None:
    """The article is drawn by scripts: the visible page holds the gallery's product captions and
    teasers, the JSON-LD `articleBody` the whole article (entities escaped, as outlets send it)."""
    article = extract_article(DECLARED_PAGE.read_bytes(), url="https://home.example/sofas")
    assert article.body.startswith("Choosing a sofa online used to be a gamble")
    assert "the one mistake no return policy covers." in article.body
    assert "&rsquo;" not in article.body
    assert "does not suit" in article.body
    assert "The Harbour three-seater comes in twelve fabrics" not in article.body
    assert "Ten rugs" not in article.body
    assert len(article.body.splitlines()) == 8


def test_a_declared_body_the_body_already_holds_changes_nothing() -> None:
    bee = ROOT / "fixtures" / "quality" / "bee-survey.html"
    tree = extract_module.parse_html(bee.read_text(encoding="utf-8"))
    declared = fuller_reading.declared_reading(read_evidence(tree, None).json_ld)
    body = extract_article(bee.read_bytes()).body
    if declared is not None:
        blocks = [Block(line) for line in body.splitlines()]
        assert not fuller_reading.adds_article(blocks, extract_module.body_blocks(declared))
