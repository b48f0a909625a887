"""Train the block classifier of cleaners/block_model.py from development gold, site-out.

    pip install -e '.[train]'
    python -m bench.train_blocks \
        ../shared/corpora/{wcxb_dev,readability,cleanportal,dragnet}.jsonl.gz --jobs 2 \
        --cache /tmp/blocks.pkl.gz --references /tmp/quality-*.json \
        [--kind trees|logistic] [--out cleaners/models/blocks.json]

Every page is extracted without the model; the blocks of its final body are kept with their
features (`cleaners.block_model.block_features`) and a label: a block is boilerplate when fewer
than half of its 4-token shingles (bench.metric's tokens) are in the page's gold text. Sets with
snippet golds (trafilatura_eval) cannot label blocks and are left out.

Site-out evaluation: each set's sites are split into five folds by `bench.folds`; for every fold
a model is trained on the other four folds of all sets, its threshold and word cap chosen on
those four folds' own out-of-fold scores, and the fold's pages are scored with and without the
blocks it drops (per-set P/R/F1 and harm, the pages more than 0.2 F1 below the better
trafilatura setting when `--references` names bench.quality's --json outputs). The shipped model
is then trained on all pages, with the threshold the folds chose most. Nothing of the corpora
goes into the model file: coefficients or trees over the generic features only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import pickle
import sys
from collections import Counter, defaultdict
from pathlib import Path

from bench.folds import site_fold
from bench.metric import (
    SHINGLE_SIZE,
    aggregate_shingles,
    page_f1,
    score_shingles,
    shingles,
    tokenize,
)
from bench.quality import read_gold_set, set_name

FOLDS = 5
THRESHOLDS = [round(0.50 + 0.025 * i, 3) for i in range(19)]
WORD_CAPS = [12, 25, 50, 100]
ARTICLE_SHARE = 0.5
HARM_MARGIN = 0.2
MODEL_PATH = Path(__file__).resolve().parent.parent / "cleaners" / "models" / "blocks.json"
_CAPTURED: list = []


def _capture(blocks, ctx, region):
    """Stands in for drop_model_blocks while collecting: records the body's blocks, keeps all."""
    from cleaners.block_model import block_features

    _CAPTURED.append(
        ([b.text for b in blocks], block_features(blocks, ctx, region))
    )
    return blocks


def _init_worker() -> None:
    import cleaners.extract

    cleaners.extract.drop_model_blocks = _capture


def _collect_page(page: dict) -> dict | None:
    """One page's final blocks, feature rows and labels (None when extraction refused it)."""
    from cleaners import extract_article
    from cleaners.errors import ExtractionError

    _CAPTURED.clear()
    try:
        extract_article(page["html"], page.get("url"))
    except ExtractionError:
        return None
    if not _CAPTURED:
        return None
    texts, rows = _CAPTURED[-1]
    return {
        "id": str(page.get("id", "")), "site": str(page.get("site") or ""), "gold": page["gold"],
        "texts": texts, "rows": rows, "labels": block_labels(texts, page["gold"]),
    }


def block_labels(texts: list[str], gold: str) -> list[int]:
    """1 for a boilerplate block, 0 for an article one, by alignment with the gold text.

    A block of four tokens or more is article text when at least half of its 4-token shingles
    are in the gold; a shorter one (a cross-head, a label) when its tokens occur in the gold
    in a row (a one-token shingle of the metric is never among the gold's 4-token ones).
    """
    gold_shingles = set(shingles(gold))
    gold_tokens = f" {' '.join(tokenize(gold))} "
    labels = []
    for text in texts:
        tokens = tokenize(text)
        if not tokens:
            labels.append(1)
        elif len(tokens) < SHINGLE_SIZE:
            labels.append(int(f" {' '.join(tokens)} " not in gold_tokens))
        else:
            own = set(shingles(text))
            labels.append(int(sum(s in gold_shingles for s in own) < ARTICLE_SHARE * len(own)))
    return labels


def collect(paths: list[Path], jobs: int) -> list[dict]:
    """Every gold-text page of the sets, extracted without the model."""
    pages = []
    for path in paths:
        gold_pages = [p for p in read_gold_set(path) if "gold" in p]
        with multiprocessing.Pool(jobs, initializer=_init_worker) as pool:
            for result in pool.imap(_collect_page, gold_pages, chunksize=4):
                if result is not None:
                    result["set"] = set_name(path)
                    pages.append(result)
        print(f"collected {set_name(path)}: {len(gold_pages)} pages", file=sys.stderr)
    return pages


def body_of(page: dict, dropped: frozenset[int]) -> str:
    """The body with the dropped blocks left out, as the extractor would return it."""
    from cleaners.extract import readable_text

    return readable_text("\n".join(t for i, t in enumerate(page["texts"]) if i not in dropped))


def doomed(page: dict, probabilities: list[float], threshold: float, cap: int) -> frozenset[int]:
    """The blocks drop_model_blocks would drop at this threshold and word cap."""
    chosen = {
        i
        for i, (text, p) in enumerate(zip(page["texts"], probabilities, strict=True))
        if p >= threshold and len(text.split()) <= cap
    }
    if len(page["texts"]) < 2 or len(chosen) == len(page["texts"]):
        return frozenset()
    return frozenset(chosen)


class Scorer:
    """Page scores with given blocks dropped, cached (most settings drop nothing on a page)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, frozenset[int]], object] = {}

    def score(self, page: dict, dropped: frozenset[int]):
        key = (id(page), dropped)
        if key not in self.cache:
            self.cache[key] = score_shingles(page["gold"], body_of(page, dropped))
        return self.cache[key]


def set_figures(pages, drops, scorer) -> dict[str, tuple[float, float, float, int]]:
    """Per set: P, R, F1 and pages changed with the given drops (page index -> dropped set)."""
    by_set = defaultdict(list)
    changed = Counter()
    for index, page in enumerate(pages):
        dropped = drops.get(index, frozenset())
        by_set[page["set"]].append(scorer.score(page, dropped))
        changed[page["set"]] += bool(dropped)
    out = {}
    for name, scores in by_set.items():
        figures = aggregate_shingles(scores)
        out[name] = (figures.precision, figures.recall, figures.f1, changed[name])
    return out


def choose_setting(pages, probabilities, scorer) -> tuple[float, int]:
    """Threshold and word cap maximising the sum over sets of the F1 change on these pages."""
    base = set_figures(pages, {}, scorer)
    best, best_gain = (1.01, 0), 0.0
    for cap in WORD_CAPS:
        for threshold in THRESHOLDS:
            drops = {
                i: doomed(p, probabilities[i], threshold, cap) for i, p in enumerate(pages)
            }
            figures = set_figures(pages, drops, scorer)
            gain = sum(figures[s][2] - base[s][2] for s in base)
            if gain > best_gain:
                best, best_gain = (threshold, cap), gain
    return best


def matrix(pages):
    """The candidate blocks' rows and labels (blocks over the longest word cap have no row)."""
    pairs = [
        (row, label)
        for page in pages
        for row, label in zip(page["rows"], page["labels"], strict=True)
        if row is not None
    ]
    return [row for row, _l in pairs], [label for _r, label in pairs]


def fit(pages, kind: str, seed: int = 0):
    """A classifier on the pages' blocks: logistic regression or small boosted trees."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    xs, ys = matrix(pages)
    if kind == "logistic":
        model = LogisticRegression(C=1.0, max_iter=2000)
    else:
        model = HistGradientBoostingClassifier(
            max_iter=60, max_depth=4, learning_rate=0.1, min_samples_leaf=40, random_state=seed
        )
    return model.fit(xs, ys)


def probabilities_of(model, pages) -> list[list[float]]:
    """Per page, the boilerplate probability of each block."""
    out = []
    for page in pages:
        rows = [row for row in page["rows"] if row is not None]
        scores = iter(model.predict_proba(rows)[:, 1] if rows else [])
        out.append([float(next(scores)) if row is not None else 0.0 for row in page["rows"]])
    return out


def out_of_fold(pages, kind: str) -> list[list[float]]:
    """Each page's probabilities from a model trained on the other folds of these pages."""
    folds = sorted({site_fold(p["site"], FOLDS) for p in pages})
    probabilities: list = [None] * len(pages)
    for fold in folds:
        train = [p for p in pages if site_fold(p["site"], FOLDS) != fold]
        model = fit(train, kind)
        held = [i for i, p in enumerate(pages) if site_fold(p["site"], FOLDS) == fold]
        for i, probs in zip(held, probabilities_of(model, [pages[i] for i in held]), strict=True):
            probabilities[i] = probs
    return probabilities


def harm_counts(pages, drops, scorer, references) -> Counter:
    """Per set, pages more than HARM_MARGIN F1 below the better trafilatura setting."""
    harmed = Counter()
    for index, page in enumerate(pages):
        best = references.get((page["set"], page["id"]))
        if best is None:
            continue
        score = scorer.score(page, drops.get(index, frozenset()))
        harmed[page["set"]] += page_f1(score) < best - HARM_MARGIN
    return harmed


def load_references(paths: list[Path]) -> dict[tuple[str, str], float]:
    """The better trafilatura setting's F1 per (set, page id), from bench.quality --json files."""
    best: dict[tuple[str, str], float] = {}
    for path in paths:
        for result in json.loads(path.read_text())["pages"]:
            if result["extractor"] in ("trafilatura", "trafilatura_precision"):
                key = (result["set"], str(result["id"]))
                best[key] = max(best.get(key, 0.0), result["f1"])
    return best


def site_out(pages, kind: str, references, scorer) -> list[tuple[float, int]]:
    """Train on four folds, choose the setting on their out-of-fold scores, test on the fifth."""
    settings = []
    totals: dict[str, list] = defaultdict(list)
    for fold in range(FOLDS):
        train = [p for p in pages if site_fold(p["site"], FOLDS) != fold]
        test = [p for p in pages if site_fold(p["site"], FOLDS) == fold]
        threshold, cap = choose_setting(train, out_of_fold(train, kind), scorer)
        settings.append((threshold, cap))
        probabilities = probabilities_of(fit(train, kind), test)
        drops = {i: doomed(p, probabilities[i], threshold, cap) for i, p in enumerate(test)}
        before, after = set_figures(test, {}, scorer), set_figures(test, drops, scorer)
        harm_before = harm_counts(test, {}, scorer, references)
        harm_after = harm_counts(test, drops, scorer, references)
        print(f"fold {fold}: threshold {threshold}, word cap {cap}")
        for name in sorted(before):
            b, a = before[name], after[name]
            print(
                f"  {name:12} pages {sum(p['set'] == name for p in test):4}  "
                f"P {b[0]:.4f}->{a[0]:.4f}  R {b[1]:.4f}->{a[1]:.4f}  "
                f"F1 {b[2]:.4f}->{a[2]:.4f} ({a[2] - b[2]:+.4f})  changed {a[3]}  "
                f"harm {harm_before[name]}->{harm_after[name]}"
            )
        for index, page in enumerate(test):
            totals[page["set"]].append((page, drops.get(index, frozenset())))
    print("all folds held out (each page scored by the model that never saw its site):")
    for name in sorted(totals):
        held = [page for page, _d in totals[name]]
        drops = {i: d for i, (_p, d) in enumerate(totals[name])}
        b, a = set_figures(held, {}, scorer)[name], set_figures(held, drops, scorer)[name]
        hb = harm_counts(held, {}, scorer, references)[name]
        ha = harm_counts(held, drops, scorer, references)[name]
        print(
            f"  {name:12} P {b[0]:.4f}->{a[0]:.4f}  R {b[1]:.4f}->{a[1]:.4f}  "
            f"F1 {b[2]:.4f}->{a[2]:.4f} ({a[2] - b[2]:+.4f})  changed {a[3]}  harm {hb}->{ha}"
        )
    return settings


def export(model, kind: str, threshold: float, cap: int, trained_on: list[str]) -> dict:
    """The model as JSON for cleaners.block_model: coefficients, or the trees' node arrays."""
    from cleaners.block_model import feature_names

    out = {
        "kind": kind, "features": feature_names(), "threshold": threshold, "max_words": cap,
        "trained_on": trained_on,
    }
    if kind == "logistic":
        out["intercept"] = round(float(model.intercept_[0]), 6)
        out["coef"] = [round(float(c), 6) for c in model.coef_[0]]
        return out
    out["init"] = float(model._baseline_prediction.ravel()[0])
    out["rate"] = 1.0  # the leaf values carry the learning rate already
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({
            "f": [int(n["feature_idx"]) for n in nodes],
            "t": [float(n["num_threshold"]) for n in nodes],
            "l": [int(n["left"]) if not n["is_leaf"] else -1 for n in nodes],
            "r": [int(n["right"]) if not n["is_leaf"] else -1 for n in nodes],
            "v": [round(float(n["value"]), 6) for n in nodes],
        })
    out["trees"] = trees
    return out


def check_export(model, data: dict, pages: list[dict]) -> None:
    """The exported JSON scores as the fitted model does (pure-Python inference of the package)."""
    from cleaners.block_model import boilerplate_probability

    rows = matrix(pages)[0][:2000]
    expected = model.predict_proba(rows)[:, 1]
    pairs = zip(rows, expected, strict=True)
    worst = max(abs(boilerplate_probability(data, row) - e) for row, e in pairs)
    if worst > 1e-4:
        raise SystemExit(f"exported model differs from the fitted one by {worst}")
    print(f"export checked on {len(rows)} blocks: largest difference {worst:.2e}")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gold", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--cache", type=Path, help="collected blocks (read when present, else written)"
    )
    parser.add_argument("--kind", choices=("logistic", "trees"), default="trees")
    parser.add_argument("--references", nargs="*", type=Path, default=[])
    parser.add_argument("--out", type=Path, help=f"write the shipped model (e.g. {MODEL_PATH})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cache and args.cache.exists():
        with gzip.open(args.cache, "rb") as handle:
            pages = pickle.load(handle)
        for page in pages:  # labels follow the current rule, whatever the cache was made with
            page["labels"] = block_labels(page["texts"], page["gold"])
    else:
        pages = collect(args.gold, args.jobs)
        if args.cache:
            with gzip.open(args.cache, "wb") as handle:
                pickle.dump(pages, handle)
    blocks = sum(len(p["labels"]) for p in pages)
    boiler = sum(sum(p["labels"]) for p in pages)
    print(f"{len(pages)} pages, {blocks} blocks, {boiler} labelled boilerplate")
    references = load_references(args.references)
    scorer = Scorer()
    settings = site_out(pages, args.kind, references, scorer)
    if args.out:
        threshold, cap = Counter(settings).most_common(1)[0][0]
        model = fit(pages, args.kind)
        trained_on = sorted({p["set"] for p in pages})
        data = export(model, args.kind, threshold, cap, trained_on)
        check_export(model, data, pages)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n")
        print(f"wrote {args.out}: threshold {threshold}, word cap {cap}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
