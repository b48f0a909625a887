"""Per-outlet cleaning rules, as `extract_article(..., outlet=...)` takes them.

The crawler builds these from `outlets.toml`; a library user can build them by hand. They run in
the same stages as the generic cleaners: selectors in the tree stage, patterns in the text stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OutletRules:
    """What to drop for one outlet, beyond the generic cleaners.

    `drop_selectors` are CSS selectors removed from the tree before extraction;
    `drop_patterns` are regular expressions: a paragraph that matches (re.search) is dropped.
    """

    id: str
    name: str | None = None
    drop_selectors: tuple[str, ...] = ()
    drop_patterns: tuple[str, ...] = ()
    compiled_patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = tuple(re.compile(p) for p in self.drop_patterns)
        object.__setattr__(self, "compiled_patterns", compiled)
