"""The extraction-quality metric: shingle P/R/F1 for gold texts, snippet P/R/F1 for with/without.

Shingle scoring follows the article-extraction-benchmark so figures compare with published tables:
tokens are `\\w+` runs, each text a multiset of 4-token shingles, per page tp/fp/fn are counted on
shingles and normalised by their sum, precision and recall are averaged over pages (a page with
nothing predicted is left out of precision, a page with an empty gold out of recall).
Snippet scoring follows trafilatura's evaluation: a snippet is found when its lower-cased token
sequence is a substring of the output's; counts are summed over the whole set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\w+")
SHINGLE_SIZE = 4


def tokenize(text: str) -> list[str]:
    """The `\\w+` runs of a text, in order (case kept, as the reference benchmark does)."""
    return TOKEN_RE.findall(text or "")


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[str]:
    """The multiset of `size`-token shingles; a text shorter than `size` is one short shingle."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    return Counter(" ".join(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


@dataclass(frozen=True, slots=True)
class ShingleScore:
    """One page's shingle tp/fp/fn normalised by their sum, and whether gold/prediction exist."""

    tp: float
    fp: float
    fn: float
    predicted: bool
    has_gold: bool


def score_shingles(gold: str, predicted: str) -> ShingleScore:
    """Compare a prediction with its gold text on 4-token shingle multisets."""
    gold_shingles, predicted_shingles = shingles(gold), shingles(predicted)
    tp = sum((gold_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - gold_shingles).values())
    fn = sum((gold_shingles - predicted_shingles).values())
    total = tp + fp + fn
    if total:
        return ShingleScore(
            tp / total, fp / total, fn / total, bool(predicted_shingles), bool(gold_shingles)
        )
    return ShingleScore(0.0, 0.0, 0.0, False, False)


@dataclass(frozen=True, slots=True)
class SnippetScore:
    """One page's snippet counts: "with" snippets found, "with" total, "without" snippets found."""

    with_found: int
    with_total: int
    without_found: int


def _token_text(text: str) -> str:
    return " ".join(TOKEN_RE.findall((text or "").lower()))


def score_snippets(with_: Iterable[str], without: Iterable[str], predicted: str) -> SnippetScore:
    """Count which "with" snippets the prediction keeps and which "without" snippets leak in."""
    output = _token_text(predicted)
    wanted = [s for s in map(_token_text, with_) if s]
    unwanted = [s for s in map(_token_text, without) if s]
    return SnippetScore(
        with_found=sum(s in output for s in wanted),
        with_total=len(wanted),
        without_found=sum(s in output for s in unwanted),
    )


@dataclass(frozen=True, slots=True)
class Figures:
    """Aggregate precision, recall and F1 over a set of pages."""

    precision: float
    recall: float
    pages: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def aggregate_shingles(scores: list[ShingleScore]) -> Figures:
    """Macro-average per-page precision and recall with the benchmark's exclusions."""
    precisions = [s.tp / (s.tp + s.fp) for s in scores if s.predicted and s.tp + s.fp]
    recalls = [s.tp / (s.tp + s.fn) for s in scores if s.has_gold and s.tp + s.fn]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    return Figures(precision, recall, len(scores))


def aggregate_snippets(scores: list[SnippetScore]) -> Figures:
    """Micro-average snippet counts over the set, as trafilatura's evaluation does."""
    found = sum(s.with_found for s in scores)
    leaked = sum(s.without_found for s in scores)
    total = sum(s.with_total for s in scores)
    precision = found / (found + leaked) if found + leaked else 0.0
    recall = found / total if total else 0.0
    return Figures(precision, recall, len(scores))


def page_precision_recall(score: ShingleScore | SnippetScore) -> tuple[float, float]:
    """One page's precision and recall (an empty prediction or gold scores 0 on that side).

    A page with neither gold nor prediction (a refused page whose gold is empty) is right on both.
    """
    if isinstance(score, SnippetScore):
        found, leaked, total = score.with_found, score.without_found, score.with_total
        if not total and not leaked and not found:
            return 1.0, 1.0
        precision = found / (found + leaked) if found + leaked else (1.0 if not total else 0.0)
        recall = found / total if total else 1.0
        return precision, recall
    if not score.has_gold and not score.predicted:
        return 1.0, 1.0
    precision = score.tp / (score.tp + score.fp) if score.tp + score.fp else 0.0
    recall = score.tp / (score.tp + score.fn) if score.tp + score.fn else 0.0
    return precision, recall


def page_f1(score: ShingleScore | SnippetScore) -> float:
    """One page's F1, the harmonic mean of `page_precision_recall` (the harm/help comparison)."""
    precision, recall = page_precision_recall(score)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
