"""Faster paths of the cleaners give exactly what the slower functions they replace give.

Each shortcut (a cheaper test before a costly step, a cache, a prefilter in libxml2) is compared
with the reference function it stands for, on crafted inputs and on every page written for the
project's fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from trafilatura.utils import repair_faulty_html

from cleaners.decode import decode_html
from cleaners.extract import repair_html

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
