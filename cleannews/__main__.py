"""`python -m cleannews ...`: the same as the `cleannews` console script."""

from __future__ import annotations

import sys

from cleannews.cli import main

if __name__ == "__main__":
    sys.exit(main())
