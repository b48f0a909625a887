"""`python -m cleaners ...`: the library's commands (cleaners.cli) plus `reclean` and `profile`.

This entry point is not part of the library (`import cleaners` never loads it): it is the one
module of `cleaners/` allowed to add the commands that read and write a database, which live in
the `reclean` package.
"""

from __future__ import annotations

import sys

from cleaners import cli
from reclean.commands import add_profile_command, add_reclean_command

COMMANDS = (*cli.COMMANDS, add_reclean_command, add_profile_command)


def main(argv: list[str] | None = None) -> int:
    """Run `python -m cleaners` with every command; the exit status is the return value."""
    return cli.main(argv, COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
