"""`cleannews datasette`: browse the database in Datasette with the shipped metadata.

    cleannews datasette [--db PATH] [--print-metadata] [-- DATASETTE OPTIONS ...]

The metadata (`cleannews/datasette.json`: table and column descriptions, facets on outlet,
language and reason, canned queries for articles per outlet per day, failures by reason and a
full-text search) is keyed by database name, which Datasette takes from the file name; the
shipped file names `articles` (data/articles.db), and this command renames it for the file
given. `--print-metadata` writes it out instead, for `datasette PATH -m FILE`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from cleannews.checks import UserError
from cleannews.dbfile import add_db_argument, check_db

SHIPPED_NAME = "articles"


def shipped_metadata() -> dict[str, Any]:
    text = resources.files("cleannews").joinpath("datasette.json").read_text(encoding="utf-8")
    return json.loads(text)


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """The shipped metadata with its database entry under the name Datasette gives `db_path`."""
    metadata = shipped_metadata()
    databases = metadata.get("databases", {})
    if SHIPPED_NAME in databases:
        databases[Path(db_path).stem] = databases.pop(SHIPPED_NAME)
    return metadata


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "datasette",
        help="browse the database in Datasette with the shipped metadata",
        description="Serve the database with Datasette (pip install 'cleannews[datasette]') "
        "and the shipped descriptions, facets and canned queries. Options after -- go to "
        "`datasette serve`.",
    )
    add_db_argument(parser)
    parser.add_argument("--print-metadata", action="store_true",
                        help="print the metadata JSON for this database and exit")
    parser.add_argument("datasette_args", nargs=argparse.REMAINDER,
                        help="options for datasette serve (after --)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = check_db(args.db)
    metadata = metadata_for(path)
    if args.print_metadata:
        print(json.dumps(metadata, indent=2, ensure_ascii=False))
        return 0
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise UserError("datasette is not installed: pip install 'cleannews[datasette]'") from None
    extra = [a for a in args.datasette_args if a != "--"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as stream:
        json.dump(metadata, stream)
    try:
        return subprocess.call(
            [sys.executable, "-m", "datasette", "serve", str(path), "--metadata", stream.name,
             *extra]
        )
    finally:
        Path(stream.name).unlink(missing_ok=True)
