"""Command line: `python -m cleaners extract FILE... [--url URL] [--json]` and `extract --jsonl`.

Subcommands register through `COMMANDS`: each is a function adding its subparser and setting
`handler` on it, so further commands (re-cleaning stored pages, learning profiles) plug in
without touching the existing ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from cleaners.article import Article
from cleaners.errors import ExtractionError
from cleaners.extract import extract_article
from reclean.commands import add_profile_command, add_reclean_command, learn_and_extract_jsonl

PROG = "python -m cleaners"


def article_json(article: Article, **extra: Any) -> str:
    """One line of JSON: `extra` fields (such as id) first, then every Article field."""
    return json.dumps({**extra, **article.to_dict()}, ensure_ascii=False)


def error_record(record_id: Any, reason: str, detail: str) -> str:
    """One line of JSON reporting a failed input: {"id", "error": {"reason", "detail"}}."""
    return json.dumps({"id": record_id, "error": {"reason": reason, "detail": detail}})


def read_input(name: str) -> bytes:
    """The bytes of a file, or of stdin for "-"."""
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def extract_files(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the clean body (or JSON) of each file; 1 when any file failed, else 0."""
    failed = 0
    for name in args.files:
        try:
            data = read_input(name)
        except OSError as error:
            err.write(f"{PROG}: {name}: cannot read: {error.strerror or error}\n")
            failed += 1
            continue
        try:
            article = extract_article(
                data, url=args.url, outlet=args.outlet, encoding=args.encoding
            )
        except ExtractionError as error:
            err.write(f"{PROG}: {name}: {error.reason}: {error.detail}\n")
            failed += 1
            continue
        if args.json:
            out.write(article_json(article, file=name) + "\n")
        else:
            if len(args.files) > 1:
                out.write(f"==> {name} <==\n")
            out.write(article.body + "\n")
    return 1 if failed else 0


def extract_record(line: str, args: argparse.Namespace) -> str:
    """The output line for one JSON Lines input record (an Article or an error)."""
    try:
        record = json.loads(line)
    except ValueError as error:
        return error_record(None, "bad_json", f"not a JSON line: {error}")
    if not isinstance(record, dict):
        return error_record(None, "bad_json", "a line must be a JSON object")
    record_id = record.get("id")
    html = record.get("html")
    if not isinstance(html, str):
        return error_record(record_id, "bad_input", 'the "html" field must be a string')
    url = record.get("url") if isinstance(record.get("url"), str) else args.url
    outlet = record.get("outlet") if isinstance(record.get("outlet"), str) else args.outlet
    try:
        article = extract_article(html, url=url, outlet=outlet)
    except ExtractionError as error:
        return error_record(record_id, error.reason, error.detail)
    return article_json(article, id=record_id)


def extract_jsonl(args: argparse.Namespace, lines: Iterable[str], out: IO[str]) -> int:
    """One output line per non-blank input line, same order; failures become error records."""
    for line in lines:
        if line.strip():
            out.write(extract_record(line, args) + "\n")
            out.flush()
    return 0


def run_extract(args: argparse.Namespace) -> int:
    """The `extract` subcommand: files, or JSON Lines from stdin with --jsonl."""
    if args.jsonl:
        if args.files:
            sys.stderr.write(f"{PROG}: extract: give FILEs or --jsonl, not both\n")
            return 2
        if args.learn:
            return learn_and_extract_jsonl(sys.stdin, sys.stdout, url=args.url, outlet=args.outlet)
        return extract_jsonl(args, sys.stdin, sys.stdout)
    if args.learn:
        sys.stderr.write(f"{PROG}: extract: --learn needs --jsonl\n")
        return 2
    if not args.files:
        sys.stderr.write(f"{PROG}: extract: no FILE given (or use --jsonl to read stdin)\n")
        return 2
    return extract_files(args, sys.stdout, sys.stderr)


def add_extract_command(subparsers: argparse._SubParsersAction) -> None:
    """Register `extract`."""
    parser = subparsers.add_parser(
        "extract",
        help="print the clean article text of HTML files",
        description="Extract clean article text from HTML files, or from JSON Lines on stdin "
        'with --jsonl (one {"id", "url", "html", "outlet"} object a line).',
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help='HTML files ("-" for stdin)')
    parser.add_argument("--url", help="the page URL (resolves the canonical URL, aids metadata)")
    parser.add_argument("--outlet", help="outlet id the pages belong to")
    parser.add_argument("--encoding", help="charset declared by the server, if known")
    parser.add_argument("--json", action="store_true", help="print each Article as JSON")
    parser.add_argument(
        "--jsonl", action="store_true", help="read JSON Lines records from stdin, write JSON Lines"
    )
    parser.add_argument(
        "--learn",
        action="store_true",
        help="with --jsonl: read all input, learn each outlet's repeated boilerplate, then "
        "clean every page with it",
    )
    parser.set_defaults(handler=run_extract)


# Each entry adds one subcommand; append here to add a command.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_extract_command,
    add_reclean_command,
    add_profile_command,
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog=PROG, description="Boilerplate-stripping extraction.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status is the return value."""
    args = build_parser().parse_args(argv)
    return args.handler(args)
