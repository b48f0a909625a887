"""`python -m cleaners ...`: the command line of the cleaners library (see cleaners.cli)."""

from __future__ import annotations

import sys

from cleaners.cli import main

if __name__ == "__main__":
    sys.exit(main())
