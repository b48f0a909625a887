"""Cleaners on fixture pages: each page's JSON says what the clean body must and must not hold.

fixtures/cleaners/<case>.html sits beside <case>.json:
{"url", "with": [...], "without": [...], optional "title", "updated", "outlet" (rules),
"removed_by" (cleaners that must have removed something), "not_removed_by" (that must not)}.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from cleaners import CLEANER_VERSION, ExtractionError, OutletRules, extract_article
from cleaners.context import Block, CleaningContext
from cleaners.text import TEXT_CLEANERS, run_text_stage
from cleaners.tree import TREE_CLEANERS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cleaners"
CASES = sorted(FIXTURES.glob("*.json"))


def load_case(spec_path: Path) -> tuple[dict, bytes]:
    """The case's expectations and its page bytes."""
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    return spec, spec_path.with_suffix(".html").read_bytes()


def outlet_rules(spec: dict) -> OutletRules | None:
    """OutletRules from the case's optional "outlet" object."""
    outlet = spec.get("outlet")
    if outlet is None:
        return None
    return OutletRules(
        id=outlet["id"],
        drop_selectors=tuple(outlet.get("drop_selectors", ())),
        drop_patterns=tuple(outlet.get("drop_patterns", ())),
    )


@pytest.mark.parametrize("spec_path", CASES, ids=lambda p: p.stem)
def test_fixture_page(spec_path: Path) -> None:
    spec, page = load_case(spec_path)
    article = extract_article(page, url=spec["url"], outlet=outlet_rules(spec))
    for snippet in spec["with"]:
        assert snippet in article.body, f"missing from body: {snippet!r}"
    for snippet in spec["without"]:
        assert snippet not in article.body, f"boilerplate left in body: {snippet!r}"
    removed_by = {removal.cleaner for removal in article.removed}
    assert set(spec.get("removed_by", ())) <= removed_by
    assert not set(spec.get("not_removed_by", ())) & removed_by
    if "title" in spec:
        assert article.title == spec["title"]
        assert article.body.count(spec["title"]) == 0
    if "updated" in spec:
        assert article.updated is not None
        assert article.updated.startswith(spec["updated"])
    assert article.cleaner_version == CLEANER_VERSION
    assert article.word_count == len(article.body.split())


def cleaner_names() -> list[str]:
    return [cleaner.__name__ for cleaner in TREE_CLEANERS + TEXT_CLEANERS]


def test_every_cleaner_has_a_removing_and_a_keeping_fixture() -> None:
    removing: set[str] = set()
    keeping: set[str] = set()
    for spec_path in CASES:
        spec, _page = load_case(spec_path)
        removing.update(spec.get("removed_by", ()))
        keeping.update(spec.get("not_removed_by", ()))
    for name in cleaner_names():
        assert name in removing, f"no fixture shows {name} removing boilerplate"
        assert name in keeping, f"no fixture shows {name} leaving article text alone"


def test_every_cleaner_quotes_an_example_in_its_docstring() -> None:
    for cleaner in TREE_CLEANERS + TEXT_CLEANERS:
        doc = cleaner.__doc__ or ""
        assert doc.strip(), cleaner.__name__
        assert '"' in doc or "<" in doc, f"{cleaner.__name__} quotes no example"


def test_removals_are_recorded_with_their_text() -> None:
    spec, page = load_case(FIXTURES / "comment-section.json")
    article = extract_article(page, url=spec["url"])
    texts = [r.text for r in article.removed if r.cleaner == "strip_comment_sections"]
    assert any("Taxpayer42 wrote" in text for text in texts)


# --- decoding and refusals ------------------------------------------------------------------

RUSSIAN_PARAGRAPHS = [
    "Президент России Владимир Путин в понедельник призвал американского коллегу использовать "
    "влияние Белого дома на украинское правительство, чтобы не допустить кровопролития.",
    "По данным Кремля, разговор состоялся по инициативе американской стороны и касался "
    "положения на востоке Украины, где активисты заняли несколько административных зданий.",
    "Стороны договорились продолжить контакты на уровне министров иностранных дел перед "
    "встречей в Женеве, намеченной на четверг, сообщила пресс-служба.",
]


def russian_page(meta: str = "") -> str:
    """A small Russian article page, with an optional <meta> in its head."""
    paragraphs = "".join(f"<p>{p}</p>" for p in RUSSIAN_PARAGRAPHS)
    return (
        f"<html><head>{meta}<title>Путин и Обама обсудили Украину</title></head><body>"
        f"<article><h1>Путин и Обама обсудили Украину</h1>{paragraphs}</article></body></html>"
    )


def test_cp1251_page_without_header_or_meta_comes_out_cyrillic() -> None:
    article = extract_article(russian_page().encode("cp1251"))
    for paragraph in RUSSIAN_PARAGRAPHS:
        assert paragraph in article.body
    assert article.title == "Путин и Обама обсудили Украину"


def test_meta_charset_is_used() -> None:
    page = russian_page('<meta charset="windows-1251">').encode("cp1251")
    assert RUSSIAN_PARAGRAPHS[0] in extract_article(page).body


def test_http_declared_charset_wins_when_it_decodes() -> None:
    page = russian_page().encode("koi8-r")
    assert RUSSIAN_PARAGRAPHS[1] in extract_article(page, encoding="koi8-r").body


def test_wrong_http_charset_falls_back_to_the_bytes() -> None:
    page = russian_page().encode("utf-8")
    assert RUSSIAN_PARAGRAPHS[2] in extract_article(page, encoding="ascii").body


def test_utf8_bom_and_utf16_bom_pages() -> None:
    text = russian_page()
    assert RUSSIAN_PARAGRAPHS[0] in extract_article(b"\xef\xbb\xbf" + text.encode()).body
    assert RUSSIAN_PARAGRAPHS[0] in extract_article(text.encode("utf-16")).body


def test_xml_declaration_with_encoding_is_accepted_as_text() -> None:
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + russian_page()
    assert RUSSIAN_PARAGRAPHS[0] in extract_article(text).body


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_html"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_html"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "not_html"),
        (b"GIF89a\x01\x00\x01\x00", "not_html"),
        (b"PK\x03\x04\x14\x00\x00\x00", "not_html"),
        (b"\x00\x01\x02\x03" * 200, "not_html"),
        (b'{"id": 1, "html": "<p>not a page</p>"}', "not_html"),
        (b"Just a line of plain text, with no markup at all.", "not_html"),
        ("plain text as str, no tags", "not_html"),
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        ("", "empty"),
        (
            b"<html><body><p>" + bytes(range(0x80, 0x100)) * 20 + b"</p></body></html>",
            "bad_encoding",
        ),
        (
            "<html><head><title>Menu</title></head>"
            "<body><nav><a href='/'>Home</a></nav></body></html>",
            "not_article",
        ),
    ],
)
def test_refusals_carry_their_reason(payload: str | bytes, reason: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_article(payload)
    assert caught.value.reason == reason


def test_utf8_page_with_a_stray_byte_is_kept() -> None:
    kremlin = "Кремля".encode()
    page = russian_page().encode("utf-8").replace(kremlin, b"\xff" + kremlin)
    article = extract_article(page)
    assert "влияние Белого дома" in article.body


def test_outlet_given_as_an_id_string() -> None:
    spec, page = load_case(FIXTURES / "footer-lines.json")
    article = extract_article(page, url=spec["url"], outlet="example")
    assert spec["with"][0] in article.body


# --- the text stage in several languages --------------------------------------------------

MULTILINGUAL_CASES = {
    "de": (
        "Der Stadtrat hat am Dienstag den Bau einer neuen Hochwasserschutzmauer am Hafen "
        "beschlossen, nachdem die Anwohner im Winter zweimal mit Wasser in den Kellern kämpften.",
        [
            "Aktualisiert am 14. April 2014, 10:21 Uhr",
            "Lesen Sie auch: Hafenfähre fährt wieder nach Fahrplan",
            "Abonnieren Sie unseren Newsletter",
            "© 2024 Beispiel Zeitung. Alle Rechte vorbehalten.",
            "Dieser Artikel enthält Affiliate-Links: Beim Kauf erhalten wir eine Provision.",
        ],
    ),
    "fr": (
        "Le conseil municipal a voté mardi soir la construction d'une nouvelle digue le long du "
        "quai est, après deux années de débats sur la protection des rues basses du port.",
        [
            "Mis à jour le 14 avril 2014 à 10h21",
            "Lire aussi : Le ferry reprend ses horaires d'été",
            "Inscrivez-vous à notre newsletter",
            "Tous droits réservés",
            "Cet article contient des liens d'affiliation : nous percevons une commission.",
        ],
    ),
    "es": (
        "El ayuntamiento aprobó el martes por la noche la construcción de un nuevo dique en el "
        "muelle este, tras dos años de discusiones sobre cómo proteger las calles del puerto.",
        [
            "Actualizado: 14 de abril de 2014, 10:21",
            "Lee también: El ferry vuelve a su horario de verano",
            "Suscríbete a nuestro boletín",
            "Todos los derechos reservados",
            "Este artículo contiene enlaces de afiliados: podemos recibir una comisión.",
        ],
    ),
    "ru": (
        "Городской совет во вторник проголосовал за строительство новой дамбы вдоль восточной "
        "набережной после двух лет споров о защите низких улиц у старого рыбного рынка.",
        [
            "Обновлено 14 апреля 2014, 10:21",
            "Читайте также: Паром вернулся к летнему расписанию",
            "Подпишитесь на нашу рассылку",
            "Все права защищены",
            "Статья содержит партнёрские ссылки.",
        ],
    ),
}


@pytest.mark.parametrize("language", sorted(MULTILINGUAL_CASES))
def test_text_stage_removes_boilerplate_lines_in_each_language(language: str) -> None:
    paragraph, boilerplate = MULTILINGUAL_CASES[language]
    blocks = [Block(paragraph), Block(boilerplate[0]), Block(paragraph + " 2")]
    blocks += [Block(line) for line in boilerplate[1:]]
    ctx = CleaningContext()
    kept = [block.text for block in run_text_stage(blocks, ctx)]
    assert kept == [paragraph, paragraph + " 2"]
    assert ctx.updated is not None
    assert ctx.updated.startswith("2014-04-14T10:21")
    assert len(ctx.removed) == len(boilerplate)


def test_teaser_links_are_own_site_links_only() -> None:
    page = lxml.html.document_fromstring(
        "<html><body><p>text</p>"
        "<a href='/local/ferry'>Ferry timetable changes</a>"
        "<a href='https://www.news.example/sport/1'>Harbour regatta results</a>"
        "<a href='https://agency.example/report'>Agency flood report</a>"
        "</body></html>"
    )
    ctx = CleaningContext(url="https://news.example/local/story", page=page)
    assert ctx.link_share("Ferry timetable changes") == 1.0
    assert ctx.link_share("Harbour regatta results") == 1.0
    assert ctx.link_share("Agency flood report") == 0.0
    assert ctx.block_link_share("Agency flood report") == 1.0
    assert 0.0 < ctx.block_link_share("Agency flood report, published in 2023") < 1.0
    assert ctx.block_link_share("Nothing linked here") == 0.0


def test_loose_prose_after_a_heading_stays_and_fragments_do_not() -> None:
    """trafilatura can leave a section's prose as tail text of its <head> in the XML body."""
    from lxml import etree

    from cleaners.extract import body_blocks

    body = etree.fromstring(
        "<body><p>First paragraph of the story.</p><head rend='h2'>Comment</head>"
        "Having a few people who can give a quick opinion is valuable to any newsroom."
        "<p>A formula sits here</p>, there are two solutions to<p>Last one.</p></body>"
    )
    texts = [block.text for block in body_blocks(body)]
    assert "Having a few people who can give a quick opinion is valuable to any newsroom." in texts
    assert ", there are two solutions to" not in texts
    assert texts[:2] == ["First paragraph of the story.", "Comment"]


def test_heading_and_paragraph_inside_one_item_stay_two_words() -> None:
    from lxml import etree

    from cleaners.extract import body_blocks

    body = etree.fromstring(
        "<body><list><item><head rend='h2'>WebIDE</head><p>Develop and debug apps.</p>"
        "Learn more</item></list></body>"
    )
    assert [block.text for block in body_blocks(body)] == [
        "WebIDE Develop and debug apps. Learn more"
    ]



def test_short_cross_head_between_paragraphs_stays() -> None:
    """A cross-head set in a <span> between two <p>s is loose text in trafilatura's XML body."""
    from lxml import etree

    from cleaners.extract import body_blocks

    body = etree.fromstring(
        "<body><p>The council met on Tuesday.</p>'Chicken and egg'<p>Nobody wanted to go first."
        "</p>Skill shortage<p>Employers said so.</p>and they are<p>Last one.</p>"
        "<head rend='h2'>Next</head>Enlarge<p>After a heading.</p></body>"
    )
    blocks = body_blocks(body)
    assert [(b.text, b.kind) for b in blocks[:5]] == [
        ("The council met on Tuesday.", "p"),
        ("'Chicken and egg'", "heading"),
        ("Nobody wanted to go first.", "p"),
        ("Skill shortage", "heading"),
        ("Employers said so.", "p"),
    ]
    texts = [b.text for b in blocks]
    assert "and they are" not in texts  # a sentence's remnant
    assert "Enlarge" not in texts  # after a heading, not between paragraphs


def test_a_body_of_bare_text_is_kept_however_short() -> None:
    article = extract_article("<!DOCTYPE html><html><head></head><body>\n  Test\n</body></html>")
    assert article.body == "Test"


def test_trafilatura_fallback_html_is_read_block_by_block() -> None:
    """trafilatura's baseline fallback leaves the page's own markup in its body."""
    from lxml import etree

    from cleaners.extract import body_blocks

    body = etree.fromstring(
        "<div><div id='post'><h2>Harbour <b>news</b></h2><p>The ferry ran <a>late</a>.</p>"
        "Loose line<br/>after a break<ul><li>First item</li><li>Second</li></ul></div></div>"
    )
    assert [(b.text, b.kind) for b in body_blocks(body)] == [
        ("Harbour news", "heading"),
        ("The ferry ran late.", "p"),
        ("Loose line", "p"),
        ("after a break", "p"),
        ("First item", "item"),
        ("Second", "item"),
    ]


def test_dateline_with_its_date_before_the_lead_is_dropped() -> None:
    blocks = [
        Block("5 April 2013 Last updated at 10:08 GMT"),
        Block("The harbour board met on Friday to discuss the new ferry timetable."),
        Block("He said the timetable was last updated in 2013 and needed changes."),
    ]
    ctx = CleaningContext()
    kept = [block.text for block in run_text_stage(blocks, ctx)]
    assert kept == [blocks[1].text, blocks[2].text]
    assert ctx.updated == "2013-04-05T10:08+00:00"


def test_taxonomy_line_after_a_byline_is_edge_navigation() -> None:
    from cleaners.pruning import run_pruning

    tags = ", ".join(f"Harbour topic {n}" for n in range(12))
    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    blocks = [
        Block(f"Published: October 30th, 2024 | Tags: {tags}"),
        Block(story),
        Block("Tags are what the board calls the labels on the ferry's cargo crates, he said."),
    ]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [story, blocks[2].text]


def test_loose_paragraph_may_open_with_a_bracket_or_quote() -> None:
    from cleaners.extract import is_loose_paragraph

    assert is_loose_paragraph("[*] If you map a key on an older system, see the tutorial.")
    assert is_loose_paragraph("(Cross-posted from the harbour board's own blog)")
    assert not is_loose_paragraph(", there are two solutions to the equation and")
    assert not is_loose_paragraph("[and] then the rest of a sentence")


def test_blog_pager_between_post_titles_is_edge_navigation() -> None:
    from cleaners.pruning import run_pruning

    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    pager = (
        "« How the old lighthouse keepers kept their logbooks through the great storm of 1953"
        " | Main | Ten things we learned from the harbour board's first open meeting »"
    )
    blocks = [Block(pager), Block(story), Block(story + " Again.")]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [story, story + " Again."]


def test_lone_byline_signature_at_the_top_is_kept() -> None:
    from cleaners.pruning import run_pruning

    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    byline = "Posted on September 17, 2024 at 2:15 am as Harbour News"
    blocks = [Block(byline), Block(story), Block(story + " Again."), Block(story + " Third.")]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [byline, story, story + " Again.", story + " Third."]


def test_signatures_of_a_short_post_with_comments_go() -> None:
    from cleaners.pruning import run_pruning

    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    blocks = [
        Block(story),
        Block("Posted by Jane at September 10, 2024 9:01 AM"),
        Block("Lovely, thanks for writing this up."),
        Block("Posted by: Ellen at September 10, 2024 11:40 AM"),
        Block("Me too."),
        Block("Posted by: Toni at September 10, 2024 12:11 PM"),
    ]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [story]


def test_a_link_an_article_sentence_announces_stays_at_the_edge() -> None:
    from cleaners.pruning import run_pruning

    story = "The council wants to cut the last two night buses from the station to the harbour."
    ask = (
        "If you want the buses to keep running, please sign the residents' petition before "
        "the fourth:"
    )
    link = Block("https://petitions.example/night-bus", link_share=1.0)
    kept = [b.text for b in run_pruning([Block(story), Block(ask), link], CleaningContext())]
    assert kept == [story, ask, link.text]
    # A label is no sentence: the links under "Related posts:" are navigation.
    other = Block("Night buses of other towns", link_share=1.0)
    blocks = [Block(story), Block(ask + " Thank you."), Block("Related posts:"), other]
    kept = [b.text for b in run_pruning(blocks, CleaningContext())]
    assert other.text not in kept


def test_comment_form_line_just_above_a_short_posts_thread_goes_with_it() -> None:
    from cleaners.pruning import run_pruning

    credit = Block("Created by Jane Doe, harbour.example", link_share=0.6)
    blocks = [
        credit,
        Block("No comments yet."),
        Block("RSS feed for comments on this post. TrackBack URI"),
        Block("Name (required)"),
        Block("Mail (will not be published) (required)"),
    ]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [credit.text]


def test_a_long_no_comments_sentence_above_a_thread_stays() -> None:
    from cleaners.pruning import run_pruning

    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    quote = "No comments yet from the harbour board, which meets again on Friday to decide it."
    blocks = [Block(story), Block(story + " Again."), Block(quote), Block("3 Comments")]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [story, story + " Again.", quote]


def test_a_news_sentence_with_said_and_a_date_is_not_a_signature() -> None:
    from cleaners.pruning import is_signature

    assert not is_signature(Block("David Doe said he was hurt by the backfire in October 2010."))
    assert not is_signature(Block("Stuff The Internet Says On Scalability For October 19, 2024"))
    assert is_signature(Block("gregorylent said... August 15th, 2024 at 1:35 pm"))
    assert is_signature(Block("Mark says: November 3, 2024 at 11:27 am"))


def test_see_also_lead_without_colon_needs_a_site_or_a_link() -> None:
    from cleaners.text import is_inline_link_lead

    assert not is_inline_link_lead(Block("Also on Tuesday, a judge ordered the mural covered."))
    assert is_inline_link_lead(Block("Also on news.example Storm damage bill rises"))
    assert is_inline_link_lead(Block("Also on the site: the storm bill", link_share=0.8))
    assert is_inline_link_lead(Block("READ MORE: Why the quay floods"))


def test_numbered_link_closing_an_article_list_is_not_navigation() -> None:
    from cleaners.pruning import run_pruning

    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    item = Block("9. Aqua Leaf Wallpaper", link_share=1.0)
    blocks = [Block(story), Block(story + " Again."), item]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [story, story + " Again.", "9. Aqua Leaf Wallpaper"]


def test_headline_words_between_paragraphs_stay() -> None:
    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    blocks = [
        Block("Harbour Weekly"),
        Block(story),
        Block("Harbour Weekly"),
        Block(story + " Again."),
        Block(story + " Third."),
        Block(story + " Fourth."),
    ]
    ctx = CleaningContext(title="Harbour Weekly")
    kept = [block.text for block in run_text_stage(blocks, ctx)]
    assert kept == [story, "Harbour Weekly", *(b.text for b in blocks[3:])]


def test_dont_miss_opening_a_sentence_is_not_a_newsletter_prompt() -> None:
    from cleaners.text import is_newsletter_prompt

    assert not is_newsletter_prompt("Don't miss out on selling to readers on their phones.")
    assert is_newsletter_prompt("Never miss a story: sign up for our newsletter")


def test_section_headings_linked_from_contents_tags_or_off_site_stay() -> None:
    from cleaners.pruning import drop_linked_headings

    page = lxml.html.fromstring(
        "<html><body><ul><li><a href='#practically-sound'>Practically Sound</a></li></ul>"
        "<a href='/tag/ferry-timetables'>Ferry Timetables</a>"
        "<a href='https://shop.example/rez'>Rez Infinite ($30)</a>"
        "<a href='/2024/05/other-story'>The other story of the week</a></body></html>"
    )
    story = "The harbour board met on Friday to discuss the new ferry timetable for the winter."
    blocks = [
        Block(story),
        Block("Practically Sound", kind="heading", link_share=1.0),
        Block(story + " Again."),
        Block("What the Ferry Timetables Mean", kind="heading", link_share=0.7),
        Block(story + " Third."),
        Block("Rez Infinite ($30)", kind="heading", link_share=1.0),
        Block(story + " Fourth."),
        Block("The other story of the week", kind="heading", link_share=1.0),
    ]
    ctx = CleaningContext(canonical_url="https://news.example/2024/05/story", page=page)
    kept = [block.text for block in drop_linked_headings(blocks, ctx)]
    assert kept == [b.text for b in blocks[:7]]


def test_bare_lead_over_headline_links_goes_with_its_list() -> None:
    """A bare "Zum Weiterlesen:" above headline links is a promo heading: the links go too."""
    page = lxml.html.document_fromstring(
        "<html><body><p>text</p>"
        "<a href='/lokales/gaspreise'>Gaspreise sinken zum zweiten Mal</a>"
        "<a href='/lokales/solarpflicht'>Solarpflicht für Neubauten beschlossen</a>"
        "</body></html>"
    )
    prose = "Die Stadtwerke wollen in den kommenden vier Jahren weitere Haushalte anschließen."
    blocks = [
        Block(prose),
        Block("Zum Weiterlesen:"),
        Block("Gaspreise sinken zum zweiten Mal", kind="item"),
        Block("Solarpflicht für Neubauten beschlossen", kind="item"),
        Block(prose + " Die Bauarbeiten beginnen im Frühjahr."),
    ]
    ctx = CleaningContext(url="https://kreisbote.example/lokales/story", page=page)
    kept = [block.text for block in run_text_stage(blocks, ctx)]
    assert kept == [prose, prose + " Die Bauarbeiten beginnen im Frühjahr."]
    assert {r.cleaner for r in ctx.removed} == {"drop_promo_lists"}


@pytest.mark.parametrize(
    ("line", "is_prompt"),
    [
        ("Follow Jane Whitlock on Twitter: @janewhitlock", True),
        ("Want more space news? Follow @spacedesk on Twitter", True),
        ("Those who follow the company on Facebook learned about it first.", False),
        ("Now if you follow me on Twitter then you know who I like.", False),
    ],
)
def test_follow_prompts_open_a_line_or_a_sentence(line: str, is_prompt: bool) -> None:
    from cleaners.text import is_newsletter_prompt

    assert is_newsletter_prompt(line) is is_prompt


def test_a_comment_heading_with_signatures_under_it_opens_a_long_thread() -> None:
    """A short post under a long thread: the heading starts it, though 30% is not behind it."""
    from cleaners.pruning import run_pruning

    story = [
        Block("The harbour board met on Friday to discuss the new ferry timetable for the winter."),
        Block("Two crossings a day will be dropped from November, and the late boat on Fridays."),
    ]
    thread: list[Block] = [Block("Trackback Pings")]
    for hour in range(1, 9):
        opinion = f"Reader {hour} thinks the board should keep the late boat. "
        thread.append(Block(opinion * 6))
        thread.append(Block(f"Posted by: reader{hour} at October 29, 2024 0{hour}:10 PM"))
    kept = [block.text for block in run_pruning(story + thread, CleaningContext())]
    assert kept == [block.text for block in story]


def test_an_early_comment_count_does_not_cut_the_article_under_it() -> None:
    """"12 Comments" under the intro, then the article: the signatures come far below it."""
    from cleaners.pruning import run_pruning

    intro = Block("The harbour board met on Friday to discuss the ferry timetable for the winter.")
    article = [
        Block(f"Paragraph {n} of the story explains what the board decided about the ferry. " * 5)
        for n in range(8)
    ]
    thread = [
        Block("Keep the late boat, please. " * 4),
        Block("Posted by: Ellen at October 29, 2024 11:40 AM"),
        Block("Agreed with Ellen. " * 4),
        Block("Posted by: Toni at October 29, 2024 12:11 PM"),
    ]
    blocks = [intro, Block("12 Comments"), *article, *thread]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept[0] == intro.text
    assert all(block.text in kept for block in article)
    assert "Posted by: Toni at October 29, 2024 12:11 PM" not in kept


def test_a_source_credit_at_the_edge_stays_and_a_posted_by_footer_goes() -> None:
    """"via example.com" over a short post is the post's credit of its source, not navigation,
    though it is a few words of link; "Posted by Jane Doe" under it is the blog's entry footer."""
    from cleaners.pruning import run_pruning

    story = "Odd saucers finally earn their keep as bird feeders on the garden wall."
    blocks = [
        Block("via garden-shed-weekly.example", link_share=0.9),
        Block(story),
        Block("Posted by Marta Quill", link_share=0.6),
    ]
    kept = [block.text for block in run_pruning(blocks, CleaningContext())]
    assert kept == [blocks[0].text, story]
    # A linked label that is no credit still goes, and so does a longer footer line.
    blocks = [Block("Previous entries", link_share=1.0), Block(story)]
    assert [b.text for b in run_pruning(blocks, CleaningContext())] == [story]
    # "Posted by" opening a sentence of the post is the post's text.
    sentence = Block("Posted by hand to every house on the street, the leaflet asked for saucers.")
    assert [b.text for b in run_pruning([Block(story), sentence], CleaningContext())] == [
        story, sentence.text
    ]


def test_short_lines_after_an_entry_footer_go_but_prose_after_it_stays() -> None:
    """fixtures/cleaners/entry-footer-sidebar.html in small: the blog's "This page contains a
    single entry" footer closes the post, and the short lines after it are its sidebar."""
    from cleaners.pruning import run_pruning

    story = "A reader sent pictures of the rack he bolted to his cargo bike from two milk crates."
    footer = "This page contains a single entry by Odile published on March 3, 2013 7:41 AM."
    sidebar = [
        Block("Browse the archives »", link_share=1.0),
        Block("Our photos on the photo site"),
        Block("Find recent content on the main index."),
        Block("Winter tyres, one more time was the previous entry in this blog."),
    ]
    ctx = CleaningContext()
    kept = [b.text for b in run_pruning([Block(story), Block(footer), *sidebar], ctx)]
    assert kept == [story]
    assert {r.cleaner for r in ctx.removed} >= {"drop_after_entry_footer"}
    # A paragraph of the post below the footer: nothing after the footer is cut.
    more = "He added that the crates came from a corner shop that was glad to see them go again."
    blocks = [Block(story), Block(footer), Block(more)]
    assert [b.text for b in run_pruning(blocks, CleaningContext())] == [story, footer, more]
    # A footer with no post above it is left to the other rules.
    assert [b.text for b in run_pruning([Block(footer), Block("Archives")], CleaningContext())]
