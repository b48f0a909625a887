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


# --- extract --jsonl (and --learn) ------------------------------------------------------------


@dataclass(slots=True)
class JsonlPage:
    """One JSON Lines input record, and its cleaning: an Article, or why there is none."""

    id: Any
    html: str | None = None
    url: str | None = None
    outlet: str | None = None
    result: Article | ExtractionError | None = None
    # (reason, detail) when the line itself is unusable: not JSON, not an object, no html.
    bad_input: tuple[str, str] | None = None


def outlet_of_record(record: dict, default: str | None) -> str | None:
    """A JSON Lines record's outlet: its `outlet`, the command's --outlet, else its URL's host."""
    outlet = record.get("outlet") if isinstance(record.get("outlet"), str) else default
    if outlet:
        return outlet
    url = record.get("url")
    host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
    return host.removeprefix("www.") or None


def read_jsonl_record(
    line: str, url: str | None, outlet: str | None, *, outlet_from_host: bool = False
) -> JsonlPage:
    """Parse one input line; the record's url and outlet, else the command's (and, with
    `outlet_from_host`, the URL's host, which `--learn` groups pages by)."""
    try:
        record = json.loads(line)
    except ValueError as error:
        return JsonlPage(None, bad_input=("bad_json", f"not a JSON line: {error}"))
    if not isinstance(record, dict):
        return JsonlPage(None, bad_input=("bad_json", "a line must be a JSON object"))
    record_id = record.get("id")
    if not isinstance(record.get("html"), str):
        return JsonlPage(record_id, bad_input=("bad_input", 'the "html" field must be a string'))
    own_outlet = record.get("outlet") if isinstance(record.get("outlet"), str) else outlet
    return JsonlPage(
        record_id,
        html=record["html"],
        url=record.get("url") if isinstance(record.get("url"), str) else url,
        outlet=outlet_of_record(record, outlet) if outlet_from_host else own_outlet,
    )


def clean_page(page: JsonlPage, **options: Any) -> JsonlPage:
    """Clean a readable record's HTML (`options` go to extract_article); the page, for chaining."""
    if page.html is not None:
        try:
            page.result = extract_article(page.html, url=page.url, outlet=page.outlet, **options)
        except ExtractionError as error:
            page.result = error
    return page


def jsonl_line(page: JsonlPage) -> str:
    """The output line of a record: its Article, or an error record saying why there is none."""
    if isinstance(page.result, Article):
        return article_json(page.result, id=page.id)
    if isinstance(page.result, ExtractionError):
        return error_record(page.id, page.result.reason, page.result.detail)
    reason, detail = page.bad_input or ("bad_input", "no result")
    return error_record(page.id, reason, detail)


def extract_record(line: str, args: argparse.Namespace) -> str:
    """The output line for one JSON Lines input record (an Article or an error)."""
    return jsonl_line(clean_page(read_jsonl_record(line, args.url, args.outlet)))


def extract_jsonl(args: argparse.Namespace, lines: Iterable[str], out: IO[str]) -> int:
    """One output line per non-blank input line, same order; failures become error records."""
    for line in lines:
        if line.strip():
            out.write(extract_record(line, args) + "\n")
            out.flush()
    return 0


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
    pages = [
        clean_page(read_jsonl_record(line, url, outlet, outlet_from_host=True), collect_blocks=True)
        for line in lines if line.strip()
    ]
    by_outlet: dict[str, list[list[PageBlock]]] = defaultdict(list)
    for page in pages:
        if page.outlet and isinstance(page.result, Article):
            by_outlet[page.outlet].append(page.result.blocks)
    profiles = {o: learn_from_pages(o, blocks, thresholds) for o, blocks in by_outlet.items()}
    for page in pages:
        profile = profiles.get(page.outlet or "")
        if isinstance(page.result, Article) and profile:
            clean_page(page, profile=profile)
        out.write(jsonl_line(page) + "\n")
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
