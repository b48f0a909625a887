"""The version of the cleaning rules, stored with every article so it can be re-cleaned later."""

from __future__ import annotations

# Bump when a cleaner, vocabulary or extraction setting changes what ends up in `body`.
CLEANER_VERSION = "0.2.12"
