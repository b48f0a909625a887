"""Command line: `python -m cleaners extract FILE... [--url URL] [--json]` and `extract --jsonl`.

Subcommands register through `COMMANDS`: each is a function adding its subparser and setting
`handler` on it, so further commands plug in without touching the existing ones; the ones that
read a database (`reclean`, `profile`, in the `reclean` package) are added by `__main__`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from cleaners.article import Article
from cleaners.errors import ExtractionError
from cleaners.extract import extract_article
from cleaners.profile import DEFAULT_THRESHOLDS, PageBlock, ProfileThresholds, learn_from_pages

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


# --- extract --jsonl --learn -----------------------------------------------------------------


def outlet_of_record(record: dict, default: str | None) -> str | None:
    """A JSON Lines record's outlet: its `outlet`, the command's --outlet, else its URL's host."""
    outlet = record.get("outlet") if isinstance(record.get("outlet"), str) else default
    if outlet:
        return outlet
    url = record.get("url")
    host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
    return host.removeprefix("www.") or None


@dataclass(slots=True)
class JsonlPage:
    """One input record of `extract --jsonl --learn` and its first cleaning (or why it failed)."""

    id: Any
    html: str | None = None
    url: str | None = None
    outlet: str | None = None
    result: Article | ExtractionError | str = ""


def read_jsonl_page(line: str, url: str | None, outlet: str | None) -> JsonlPage:
    """Parse one input line and clean it without a profile, collecting its blocks."""
    try:
        record = json.loads(line)
    except ValueError as error:
        return JsonlPage(None, result=f"not a JSON line: {error}")
    if not isinstance(record, dict) or not isinstance(record.get("html"), str):
        record_id = record.get("id") if isinstance(record, dict) else None
        return JsonlPage(record_id, result='a line must be a JSON object with an "html" string')
    page = JsonlPage(
        record.get("id"),
        html=record["html"],
        url=record.get("url") if isinstance(record.get("url"), str) else url,
        outlet=outlet_of_record(record, outlet),
    )
    try:
        page.result = extract_article(
            page.html, url=page.url, outlet=page.outlet, collect_blocks=True
        )
    except ExtractionError as error:
        page.result = error
    return page


def learn_and_extract_jsonl(
    lines: Iterable[str],
    out: IO[str],
    *,
    url: str | None = None,
    outlet: str | None = None,
    thresholds: ProfileThresholds = DEFAULT_THRESHOLDS,
) -> int:
    """Read all records, learn a profile per outlet, then write every page cleaned with it.

    Output lines are in input order and have the same form as `extract --jsonl`'s.
    """
    pages = [read_jsonl_page(line, url, outlet) for line in lines if line.strip()]
    by_outlet: dict[str, list[list[PageBlock]]] = defaultdict(list)
    for page in pages:
        if page.outlet and isinstance(page.result, Article):
            by_outlet[page.outlet].append(page.result.blocks)
    profiles = {o: learn_from_pages(o, blocks, thresholds) for o, blocks in by_outlet.items()}
    for page in pages:
        profile = profiles.get(page.outlet or "")
        if isinstance(page.result, Article) and profile and page.html is not None:
            try:
                page.result = extract_article(
                    page.html, url=page.url, outlet=page.outlet, profile=profile
                )
            except ExtractionError as error:
                page.result = error
        out.write(jsonl_line(page.id, page.result) + "\n")
        out.flush()
    return 0


def jsonl_line(record_id: Any, result: Article | ExtractionError | str) -> str:
    if isinstance(result, Article):
        return json.dumps({"id": record_id, **result.to_dict()}, ensure_ascii=False)
    if isinstance(result, ExtractionError):
        error = {"reason": result.reason, "detail": result.detail}
    else:
        error = {"reason": "bad_input", "detail": result}
    return json.dumps({"id": record_id, "error": error}, ensure_ascii=False)


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


AddCommand = Callable[[argparse._SubParsersAction], None]

# The library's own subcommands: each entry adds one. Commands that need a database (`reclean`,
# `profile`) live outside the library and are added by `cleaners/__main__.py`.
COMMANDS: tuple[AddCommand, ...] = (add_extract_command,)


def build_parser(commands: Sequence[AddCommand] = COMMANDS) -> argparse.ArgumentParser:
    """The argument parser with every given subcommand."""
    parser = argparse.ArgumentParser(prog=PROG, description="Boilerplate-stripping extraction.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in commands:
        add_command(subparsers)
    return parser


def main(argv: list[str] | None = None, commands: Sequence[AddCommand] = COMMANDS) -> int:
    """Run the command line; the exit status is the return value."""
    args = build_parser(commands).parse_args(argv)
    return args.handler(args)
