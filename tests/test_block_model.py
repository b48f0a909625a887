"""The learned block step (cleaners/block_model.py): features, pure-Python scoring, the audit."""

from __future__ import annotations

import pytest

from cleaners import block_model
from cleaners.block_model import (
    CLEANER,
    block_features,
    boilerplate_probability,
    drop_model_blocks,
    feature_names,
)
from cleaners.candidates import find_article_region
from cleaners.context import Block, CleaningContext
from cleaners.extract import parse_html

ARTICLE = [
    "The town council voted on Tuesday to close the old footbridge over the canal for repairs, "
    "after an inspection found rust in two of its main supports.",
    "Walkers will be sent along the towpath to the lock gates, a detour of about ten minutes, "
    "while the work goes on over the winter months.",
    "The council said the bridge would reopen in the spring, and that the repairs would cost "
    "less than building a new crossing further down the canal.",
]
TEASERS = ["Market square to get new benches", "Library opening hours change in May"]
LONG_PARAGRAPH = " ".join(["The canal was dug two centuries ago to carry coal."] * 12)


def page_html() -> str:
    """An article in its container, then a list of teaser links in an unmarked box."""
    paragraphs = "".join(f"<p>{text}</p>" for text in ARTICLE)
    teasers = "".join(f"<li><a href='/news/{n}'>{t}</a></li>" for n, t in enumerate(TEASERS))
    return (
        "<html><body><div class='wrap'><article class='story'><h1>Footbridge to close</h1>"
        f"<div class='story-text'>{paragraphs}<p>{LONG_PARAGRAPH}</p></div></article>"
        f"<div class='related-links'><ul>{teasers}</ul></div></div></body></html>"
    )


def page_blocks() -> tuple[list[Block], CleaningContext, object]:
    """The page's blocks as the text stage hands them on, its context and article region."""
    tree = parse_html(page_html())
    ctx = CleaningContext(url="https://town.example/news/bridge", page=tree, title="Footbridge")
    region = find_article_region(tree)
    blocks = [Block(text) for text in (*ARTICLE, LONG_PARAGRAPH)]
    blocks += [Block(text, kind="item", link_share=1.0) for text in TEASERS]
    return blocks, ctx, region


def column(row: list[float], name: str) -> float:
    return row[feature_names().index(name)]


def test_features_read_region_links_and_class_tokens() -> None:
    blocks, ctx, region = page_blocks()
    rows = block_features(blocks, ctx, region)
    assert [row is None for row in rows] == [False, False, False, True, False, False]
    first, teaser = rows[0], rows[-1]
    assert all(len(row) == len(feature_names()) for row in rows if row is not None)
    assert column(first, "in_region") == 1.0
    assert column(first, "in_region_container") == 1.0
    assert column(first, "class_story") == 1.0
    assert column(first, "class_related") == 0.0
    assert column(teaser, "in_region") == 0.0
    assert column(teaser, "class_related") == 1.0
    assert column(teaser, "inside_li") == 1.0
    assert column(teaser, "link_share") == 1.0
    assert column(teaser, "after_prose") == 1.0


def linked_teaser_model() -> dict:
    """A logistic model that calls linked lines outside the region boilerplate."""
    coef = [0.0] * len(feature_names())
    coef[feature_names().index("link_share")] = 6.0
    coef[feature_names().index("in_region")] = -6.0
    return {"kind": "logistic", "intercept": -1.0, "coef": coef, "threshold": 0.9, "max_words": 25}


def test_confident_blocks_dropped_and_audited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(block_model, "load_model", linked_teaser_model)
    runs = []
    for _ in range(2):
        blocks, ctx, region = page_blocks()
        kept = drop_model_blocks(blocks, ctx, region)
        runs.append(([b.text for b in kept], [(r.cleaner, r.text) for r in ctx.removed]))
    assert runs[0] == runs[1]  # deterministic
    texts, removed = runs[0]
    assert texts == [*ARTICLE, LONG_PARAGRAPH]
    assert removed == [(CLEANER, text) for text in TEASERS]


def test_no_model_or_one_block_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks, ctx, region = page_blocks()
    monkeypatch.setattr(block_model, "load_model", lambda: None)
    assert drop_model_blocks(blocks, ctx, region) == blocks
    monkeypatch.setattr(block_model, "load_model", linked_teaser_model)
    assert drop_model_blocks(blocks[-1:], ctx, region) == blocks[-1:]
    assert ctx.removed == []


def test_a_body_is_never_emptied(monkeypatch: pytest.MonkeyPatch) -> None:
    model = linked_teaser_model()
    model["intercept"] = 10.0  # everything scores as boilerplate
    monkeypatch.setattr(block_model, "load_model", lambda: model)
    blocks, ctx, region = page_blocks()
    short = [Block(text) for text in TEASERS]
    assert drop_model_blocks(short, ctx, region) == short


def test_tree_model_scores_as_its_leaves() -> None:
    split = feature_names().index("link_share")
    tree = {"f": [split, 0, 0], "t": [0.5, 0.0, 0.0], "l": [1, -1, -1], "r": [2, -1, -1],
            "v": [0.0, -2.0, 3.0]}
    model = {"kind": "trees", "init": 0.5, "rate": 1.0, "trees": [tree, tree]}
    row = [0.0] * len(feature_names())
    assert boilerplate_probability(model, row) == pytest.approx(1 / (1 + 2.718281828 ** 3.5))
    row[split] = 0.9
    assert boilerplate_probability(model, row) == pytest.approx(1 / (1 + 2.718281828 ** -6.5))
