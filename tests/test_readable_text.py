"""The body is stored as a reader sees it: no soft hyphens, composed Unicode."""

from __future__ import annotations

import unicodedata

from cleaners import extract_article

PARAGRAPH = (
    "Auch in die\u00adsem Jahr wol\u00adlen wir Sie in eine andere Zeit ent\u00adfüh\u00adren, "
    "in die Zeit unserer Großväter, mit Handwerk, Musik und einem Markt am alten Tor. "
)


def page(text: str) -> str:
    return (
        "<html><head><title>Markt am Tor</title></head><body><nav><a href='/'>Start</a></nav>"
        f"<article><h1>Markt am Tor</h1><p>{text * 3}</p><p>{text * 2}</p></article>"
        "</body></html>"
    )


def test_soft_hyphens_leave_the_body_and_words_stay_whole():
    body = extract_article(page(PARAGRAPH), "https://verein.example/markt").body
    assert "\u00ad" not in body
    assert "diesem Jahr wollen wir Sie in eine andere Zeit entführen" in body


def test_decomposed_letters_are_composed():
    decomposed = unicodedata.normalize("NFD", PARAGRAPH.replace("\u00ad", ""))
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    body = extract_article(page(decomposed), "https://verein.example/markt").body
    assert unicodedata.is_normalized("NFC", body)
    assert "entführen, in die Zeit unserer Großväter" in body
