"""Cleaners on fixture pages: each page's JSON says what the clean body must and must not hold.

fixtures/cleaners/<case>.html sits beside <case>.json:
{"url", "with": [...], "without": [...], optional "title", "updated", "outlet" (rules),
"removed_by" (cleaners that must have removed something), "not_removed_by" (that must not)}.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaners import CLEANER_VERSION, OutletRules, extract_article
from cleaners.text import TEXT_CLEANERS
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
