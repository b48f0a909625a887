"""What the cleaner stages share while cleaning one page: rules, known metadata, removals."""

from __future__ import annotations

from dataclasses import dataclass, field

from cleaners.article import Removal
from cleaners.rules import OutletRules

NO_RULES = OutletRules(id="")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-level piece of the extracted text.

    `kind` is "p", "heading", "item" (a list item), "quote" or "row" (a table row); `link_share`
    is the fraction of its characters inside links, which tells a headline link from prose.
    """

    text: str
    kind: str = "p"
    link_share: float = 0.0


@dataclass(slots=True)
class CleaningContext:
    """Per-page state: outlet rules, title and headline to compare with, and the audit trail.

    Cleaners record every removal through `remove()`; the text stage may fill `updated` from a
    timestamp line when the page metadata had none.
    """

    rules: OutletRules = NO_RULES
    url: str | None = None
    title: str | None = None
    headlines: tuple[str, ...] = ()
    updated: str | None = None
    published: str | None = None
    removed: list[Removal] = field(default_factory=list)

    def remove(self, cleaner: str, text: str) -> None:
        """Record that `cleaner` took `text` out (whitespace collapsed, empty text ignored)."""
        collapsed = " ".join(text.split())
        if collapsed:
            self.removed.append(Removal(cleaner=cleaner, text=collapsed))
