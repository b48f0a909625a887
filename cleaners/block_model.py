"""A learned block classifier: the last say on each block of the cleaned body.

The rules before it drop what their vocabulary and structure name; what is left and still
boilerplate (a related-stories list in an unmarked container, a caption, a writer's note) is
also in trafilatura's output, so more line rules after it gain little. This step scores every
block of the body on features read at extraction time (its text's shape and links, its
position, whether the article region holds it, the class/id tokens and tags of the element it
came from) with a small model trained by `bench/train_blocks.py` on development gold, and drops
a block only when the model is confident. The model is a JSON file in the package (logistic
regression or boosted trees), read once without network; scoring is pure Python and
deterministic. No model is shipped: none trained so far gained on held-out sites (the figures
are in bench/README.md), and without the file the step returns the blocks untouched.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

from cleaners import vocabulary as vocab
from cleaners.candidates import ArticleRegion
from cleaners.context import Block, CleaningContext

CLEANER = "drop_model_blocks"
MODEL_FILE = "blocks.json"
# Generic class/id words of page furniture and of article containers: a block's element and
# its ancestors (up to ANCESTOR_LEVELS) are tested for each. No outlet's own names.
CLASS_TOKENS = (
    "related", "share", "social", "newsletter", "subscribe", "comment", "promo", "advert",
    "sponsor", "byline", "author", "bio", "caption", "credit", "figure", "meta", "footer",
    "header", "nav", "menu", "sidebar", "widget", "tag", "breadcrumb", "recommend", "more",
    "teaser", "card", "list", "content", "article", "body", "entry", "post", "text", "story",
    "main", "title", "date", "info", "note", "disclaimer", "copyright", "toc", "summary",
    "intro", "lead", "quote", "embed", "video", "image", "photo", "gallery", "box", "cta",
    "button", "link", "footnote", "ad", "ads", "aside", "rail", "feed", "popular", "trending",
)
# Tokens this long also count inside a longer class word ("relatedposts", "authorbox").
SUBSTRING_TOKEN_CHARS = 5
ANCESTOR_TAGS = (
    "figure", "aside", "footer", "header", "nav", "li", "table", "blockquote", "form",
    "article", "main", "section",
)
ANCESTOR_LEVELS = 6
KINDS = ("p", "heading", "item", "quote", "row")
# Tags whose text is one block of trafilatura's body: the index from text to element.
BLOCK_TAGS = (
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "td", "th",
    "dd", "dt", "pre",
)
# A line of prose: this many words and sentence punctuation at its end.
PROSE_WORDS = 15
SENTENCE_END = ('.', '!', '?', '"', '”', "'", '’', ':', '»', ')')
WORD_RE = re.compile(r"\w+")
DIGIT_RE = re.compile(r"\d")
CLASS_WORD_RE = re.compile(r"[a-z]+")
CAPPED_POSITION = 5
# Furniture lines are short: longer lines are not tested against the vocabulary.
VOCABULARY_CHARS = 300
# Blocks longer than this are article prose to the model: never scored (nor featured).
MAX_SCORED_WORDS = 100


def feature_names() -> list[str]:
    """The names of `block_features`' columns, in order (the model file records them)."""
    return [
        "log_words", "chars_per_word", "link_share", *(f"kind_{k}" for k in KINDS),
        "relative_position", "first_blocks", "last_blocks", "word_share", "sentence_end",
        "capitalised_share", "digit_share", "separators", "title_overlap", "in_region",
        "previous_in_region", "next_in_region", "before_prose", "after_prose", "prose_distance",
        "prose_line", "neighbour_prose", "vocabulary_hit", "mapped", "depth",
        "in_region_container", *(f"class_{t}" for t in CLASS_TOKENS),
        *(f"inside_{t}" for t in ANCESTOR_TAGS),
    ]


def is_prose(block: Block) -> bool:
    """A sentence-like line: long enough, ending like a sentence, little link text."""
    text = block.text.rstrip()
    return (
        len(text.split()) >= PROSE_WORDS and text.endswith(SENTENCE_END) and block.link_share < 0.5
    )


def vocabulary_hit(text: str) -> bool:
    """True when a furniture pattern of cleaners.vocabulary matches the line anywhere."""
    if len(text) > VOCABULARY_CHARS:
        return False
    lowered = text.lower()
    return bool(
        vocab.COPYRIGHT_RE.match(text)
        or vocab.CREDIT_LINE_RE.match(text)
        or vocab.FOLLOW_ON_RE.search(text)
        or vocab.TAXONOMY_RE.match(lowered)
        or vocab.NAV_RE.match(lowered)
        or vocab.READ_TIME_RE.match(text)
        or any(phrase in lowered for phrase in vocab.ALL_RIGHTS_RESERVED)
    )


def element_index(page: Any) -> dict[str, Any]:
    """The page's block elements by their whitespace-collapsed text (the first of each text)."""
    index: dict[str, Any] = {}
    if page is None:
        return index
    for element in page.iter(*BLOCK_TAGS):
        text = " ".join(element.text_content().split())
        if text and text not in index:
            index[text] = element
    return index


@cache
def class_features(words: frozenset[str]) -> tuple[float, ...]:
    """One column per CLASS_TOKENS word: present as a class/id word, or inside a long one."""
    long_words = [w for w in words if len(w) > SUBSTRING_TOKEN_CHARS]
    return tuple(
        1.0
        if token in words
        or (len(token) >= SUBSTRING_TOKEN_CHARS and any(token in w for w in long_words))
        else 0.0
        for token in CLASS_TOKENS
    )


def lineage(node: Any, container: Any, memo: dict) -> tuple:
    """(class/id words of the node and its ANCESTOR_LEVELS nearest ancestors, level by level;
    their tags; the node's depth; whether the region's container holds it), shared through
    `memo` by the blocks of one page, as siblings share their ancestors."""
    chain = []
    while node is not None and node not in memo:
        chain.append(node)
        node = node.getparent()
    above = memo[node] if node is not None else ((), (), -1, False)
    for element in reversed(chain):
        marks = f"{element.get('class', '')} {element.get('id', '')}".lower()
        tag = element.tag if isinstance(element.tag, str) else ""
        above = (
            (tuple(CLASS_WORD_RE.findall(marks)), *above[0][:ANCESTOR_LEVELS]),
            (tag, *above[1][:ANCESTOR_LEVELS]),
            above[2] + 1,
            above[3] or element is container,
        )
        memo[element] = above
    return above


def element_features(element: Any, container: Any, memo: dict) -> list[float]:
    """Depth, whether inside the region's container, class/id tokens and tags of ancestors."""
    if element is None:
        return [0.0, 0.0, 0.0] + [0.0] * (len(CLASS_TOKENS) + len(ANCESTOR_TAGS))
    levels, tags, depth, inside = lineage(element, container, memo)
    classes = class_features(frozenset(word for level in levels for word in level))
    return [
        1.0, min(depth, 30) / 30, float(inside), *classes,
        *(float(t in tags) for t in ANCESTOR_TAGS),
    ]


def prose_distances(prose: list[bool]) -> list[int]:
    """Per block, how many blocks away the nearest prose line is (the block count when none)."""
    count = len(prose)
    distances = [count] * count
    last = None
    for i in range(count):
        last = i if prose[i] else last
        if last is not None:
            distances[i] = i - last
    last = None
    for i in range(count - 1, -1, -1):
        last = i if prose[i] else last
        if last is not None:
            distances[i] = min(distances[i], last - i)
    return distances


def title_overlap(text: str, title_words: set[str]) -> float:
    """The share of the line's words that are words of the title or headline."""
    words = WORD_RE.findall(text.lower())
    return sum(w in title_words for w in words) / len(words) if words else 0.0


def block_features(
    blocks: list[Block],
    ctx: CleaningContext,
    region: ArticleRegion | None,
    max_words: int = MAX_SCORED_WORDS,
) -> list[list[float] | None]:
    """One feature row per block of at most `max_words` words (columns named by
    `feature_names`), None for a longer one: the page's blocks all count for the context
    columns (position, prose around, word shares), only the candidates are read in full."""
    count = len(blocks)
    if not count:
        return []
    total_words = sum(len(b.text.split()) for b in blocks) or 1
    held = [bool(region and region.holds(b.text)) for b in blocks]
    prose = [is_prose(b) for b in blocks]
    prose_at = [i for i, p in enumerate(prose) if p]
    first_prose = prose_at[0] if prose_at else count
    last_prose = prose_at[-1] if prose_at else -1
    title_words = {
        w.lower() for t in (ctx.title or "", *ctx.headlines) for w in WORD_RE.findall(t)
    }
    index = element_index(ctx.page)
    distances = prose_distances(prose)
    container = region.container if region else None
    memo: dict = {}
    rows: list[list[float] | None] = []
    for i, block in enumerate(blocks):
        text = block.text
        tokens = text.split()
        n = len(tokens)
        if n > max_words:
            rows.append(None)
            continue
        letters = [t for t in tokens if t[:1].isalpha()]
        distance = distances[i]
        rows.append([
            math.log1p(n),
            min(len(text) / max(n, 1), 20) / 20,
            block.link_share,
            *(float(block.kind == k) for k in KINDS),
            i / max(count - 1, 1),
            min(i, CAPPED_POSITION) / CAPPED_POSITION,
            min(count - 1 - i, CAPPED_POSITION) / CAPPED_POSITION,
            n / total_words,
            float(text.rstrip().endswith(SENTENCE_END)),
            sum(t[0].isupper() for t in letters) / len(letters) if letters else 0.0,
            len(DIGIT_RE.findall(text)) / len(text),
            float(any(s in text for s in ("|", "•", "·", "»"))),
            title_overlap(text, title_words),
            float(held[i]),
            float(held[i - 1]) if i else 1.0,
            float(held[i + 1]) if i + 1 < count else 1.0,
            float(i < first_prose),
            float(i > last_prose),
            min(distance, CAPPED_POSITION) / CAPPED_POSITION,
            float(prose[i]),
            float((i and prose[i - 1]) or (i + 1 < count and prose[i + 1])),
            float(vocabulary_hit(text)),
            *element_features(index.get(text), container, memo),
        ])
    return rows


@cache
def load_model() -> dict[str, Any] | None:
    """The shipped model (cleaners/models/blocks.json), read once; None when not shipped."""
    path = resources.files("cleaners") / "models" / MODEL_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def tree_value(tree: dict[str, list], row: list[float]) -> float:
    """The leaf value of one regression tree (arrays: feature, threshold, left, right, value)."""
    node = 0
    feature, threshold, left, right = tree["f"], tree["t"], tree["l"], tree["r"]
    while left[node] >= 0:
        node = left[node] if row[feature[node]] <= threshold[node] else right[node]
    return tree["v"][node]


def boilerplate_probability(model: dict[str, Any], row: list[float]) -> float:
    """The model's probability that the block is boilerplate."""
    if model["kind"] == "logistic":
        score = model["intercept"] + sum(w * x for w, x in zip(model["coef"], row, strict=True))
    else:
        score = model["init"] + model["rate"] * sum(tree_value(t, row) for t in model["trees"])
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, score))))


def drop_model_blocks(
    blocks: list[Block], ctx: CleaningContext, region: ArticleRegion | None
) -> list[Block]:
    """Drop the blocks the model calls boilerplate with at least its threshold's confidence.

    Lines longer than the model's word cap are never scored (the model judges furniture, not
    the article's paragraphs), and a body is never emptied.
    """
    model = load_model()
    if model is None or len(blocks) < 2:
        return blocks
    rows = block_features(blocks, ctx, region, model["max_words"])
    threshold = model["threshold"]
    doomed = {
        i
        for i, row in enumerate(rows)
        if row is not None and boilerplate_probability(model, row) >= threshold
    }
    if len(doomed) == len(blocks):
        return blocks
    for i in sorted(doomed):
        ctx.remove(CLEANER, blocks[i].text)
    return [block for i, block in enumerate(blocks) if i not in doomed]
