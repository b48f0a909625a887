"""The body's language, detected with py3langid (its model ships inside the package), kept
beside the language the page declares.

The declared language (`<html lang>`, Content-Language, og:locale) is kept as the page gives it;
the detected one is read from the clean body. `language` is the declared one when the body agrees
with it (or is too short to tell), else the detected one.
"""

from __future__ import annotations

import io
import lzma
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

# Characters of the body handed to the detector: enough for a confident guess, bounded cost.
DETECT_CHARS = 1000
# A body shorter than this, or a guess less sure than MIN_CONFIDENCE, detects nothing.
DETECT_MIN_CHARS = 200
MIN_CONFIDENCE = 0.9


@dataclass(frozen=True, slots=True)
class Language:
    """The page's language: what it declares, what its body reads as, and the one to use."""

    language: str | None = None
    declared: str | None = None
    detected: str | None = None


@cache
def identifier() -> Any:
    """py3langid's identifier with probabilities normalised (loaded once per process).

    Read in memory: py3langid's own loader writes the uncompressed model (tens of MB) to a
    temporary file, which fails on a full disk (and the cleaners write no file). Should a later
    py3langid store its model otherwise, its own loader runs.
    """
    from py3langid import langid

    path = langid.MODEL_DIR / langid.MODEL_FILE
    try:
        from py3langid.modelio import _to_array

        with lzma.open(path) as source:
            buffer = io.BytesIO(source.read())
        with np.load(buffer, allow_pickle=False) as data:
            return langid.LanguageIdentifier(
                np.asarray(data["ptc"]),
                np.asarray(data["pc"]),
                data["classes"].tolist(),
                _to_array(data["nextmove"]),
                data["out_feat"].tolist(),
                norm_probs=True,
                tk_row=_to_array(data["nextmove_row"]),
            )
    except (ImportError, KeyError, TypeError, ValueError):
        return langid.LanguageIdentifier.from_modelpath(path, norm_probs=True)


def load_language_model() -> None:
    """Load the language model now (~0.8 s of CPU) rather than on the first page: a worker
    process calls it before it takes pages, so no page's time limit pays for it."""
    try:
        identifier()
    except (OSError, MemoryError):
        pass  # detect_language finds nothing then; the page keeps its declared language


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None when it is too short or unsure (or
    the model cannot be loaded: the page keeps its declared language)."""
    if len(text) < DETECT_MIN_CHARS:
        return None
    try:
        code, confidence = identifier().classify(text[:DETECT_CHARS])
    except (OSError, MemoryError):
        return None
    return str(code) if confidence >= MIN_CONFIDENCE else None


def primary(tag: str | None) -> str:
    """The primary subtag of a language tag ("de-AT" -> "de")."""
    return (tag or "").replace("_", "-").split("-")[0].strip().lower()


def choose_language(declared: str | None, body: str) -> Language:
    """The declared and detected languages and the one to use (see the module docstring)."""
    detected = detect_language(body)
    if declared and (detected is None or primary(declared) == detected):
        return Language(language=declared, declared=declared, detected=detected)
    return Language(language=detected or declared, declared=declared, detected=detected)
