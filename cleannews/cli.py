"""`cleannews`: one command for crawling, cleaning, exporting and inspecting the database.

    cleannews crawl outlets|urls [-a NAME=VALUE ...] [-s NAME=VALUE ...]
    cleannews extract|profile|reclean ...        (the cleaners' commands, `python -m cleaners`)
    cleannews export --format jsonl|csv|parquet [--db PATH] [--cursor NAME] [-o FILE|-]
    cleannews stats [--db PATH] [--since ISO]
    cleannews failures [--reason R] [--outlet ID]   /   cleannews failures retry [--reason R]

Subcommands register through `COMMANDS` (a function adding a subparser and a `handler`), the
cleaners' through their own `cleaners.cli.COMMANDS`, so a command added there appears here.

Exit statuses: 0 done; 1 failed (a crawl that stopped on a storage fault, a file that could not
be cleaned, another crawl holding the database's lock); 2 a usage error (an unknown or
misspelled setting or argument, a value of the wrong type, a missing file, a path that is not a
database). A usage error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from importlib import metadata

from cleannews import browse, crawl, export, failures, stats
from cleannews.checks import EXIT_USAGE, UserError, did_you_mean
from cleannews.dbfile import CLEANER_COMMAND_DEFAULTS, prepare_cleaner_command

PROG = "cleannews"
INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


def version() -> str:
    try:
        return metadata.version("cleannews")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"


class Parser(argparse.ArgumentParser):
    """argparse with one line for a usage error (`cleannews CMD: error`), exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        choice = INVALID_CHOICE.search(message)
        if choice:  # argparse lists every choice; a near miss is more useful
            word, choices = choice.group(1), re.findall(r"'([^']*)'", choice.group(2))
            message = f"{message.split(':', 1)[0]}: invalid choice {word!r}" + (
                did_you_mean(word, choices) or f" (choose from {', '.join(choices)})")
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def cleaner_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """The cleaners' own subcommands (extract ...) and the database ones (reclean, profile)."""
    from cleaners.__main__ import COMMANDS

    return list(COMMANDS)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    crawl.add_command,
    export.add_command,
    stats.add_command,
    failures.add_command,
    browse.add_command,
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Crawl news outlets into a database of clean articles, and get them out "
        "again. `cleannews COMMAND --help` describes each command.",
        epilog="Exit status: 0 done, 1 failed (or another crawl holds the database's lock), "
        "2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for add_command in [*COMMANDS[:1], *cleaner_commands(), *COMMANDS[1:]]:
        add_command(subparsers)
    return parser


def quiet_broken_pipe() -> None:
    """The reader of our output went away (`| head`): no traceback, no flush error at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status is the return value."""
    args = build_parser().parse_args(argv)
    try:
        if args.command in CLEANER_COMMAND_DEFAULTS:
            prepare_cleaner_command(args)
        return args.handler(args)
    except UserError as exc:
        sys.stderr.write(f"{PROG} {args.command}: {exc}\n")
        return exc.status
    except BrokenPipeError:
        quiet_broken_pipe()
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG} {args.command}: interrupted\n")
        return 130
