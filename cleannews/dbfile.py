"""The database file the commands read: where it is, whether it is one, how it is opened.

`--db PATH` defaults to the crawl's `SQLITE_PATH` (the project settings), so `cleannews stats`
reads what `cleannews crawl` wrote. A path that does not exist, is a directory or is not an
SQLite database of this project is a usage error naming it; nothing is created.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path

from scrapy.settings import BaseSettings

from cleannews.checks import UserError, check_database_path


def project_settings() -> BaseSettings:
    """The project's settings (crawler/settings.py unless SCRAPY_SETTINGS_MODULE names others)."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def default_db() -> str:
    return project_settings().get("SQLITE_PATH") or "data/articles.db"


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="PATH", default=None,
        help="the SQLite database (default: the crawl's SQLITE_PATH, data/articles.db)",
    )


def check_db(path: str | None) -> Path:
    """The path of an existing database of this project; UserError naming it otherwise."""
    target = Path(path or default_db())
    check_database_path(target, "--db")
    if not target.exists():
        raise UserError(f"--db: no database at {target} (crawl first, or give --db PATH)")
    if target.stat().st_size == 0:
        raise UserError(f"--db: {target} is empty, not a cleannews database")
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise UserError(f"--db: {target} is not an SQLite database ({exc})") from None
    finally:
        conn.close()
    if "articles" not in tables:
        raise UserError(f"--db: {target} is not a cleannews database (no articles table)")
    return target


def connect(path: Path, *, write: bool = False) -> sqlite3.Connection:
    """A connection with rows as sqlite3.Row; read-only unless `write`."""
    if write:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    else:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30,
                               isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


# --- The cleaners' commands (extract, profile, reclean) ---------------------------------------

# Commands whose arguments are checked here before the cleaners' handler runs.
CLEANER_COMMAND_DEFAULTS = ("reclean", "profile")


def prepare_cleaner_command(args: argparse.Namespace) -> None:
    """Check `--db`; `reclean` takes the configured outlets file and says when it has no HTML."""
    if getattr(args, "db", None) is not None:
        check_db(args.db)
    if args.command != "reclean":
        return
    if getattr(args, "outlets", None) is None:
        from core.outlets import DEFAULT_OUTLETS_FILE

        configured = project_settings().get("OUTLETS_FILE") or ""
        args.outlets = configured or str(DEFAULT_OUTLETS_FILE)
    if not Path(args.outlets).is_file():
        raise UserError(f"--outlets: no file at {args.outlets}")
    conn = connect(Path(args.db))
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0] if "pages" in tables else 0
    finally:
        conn.close()
    if not pages:
        raise UserError(
            f"{args.db} holds no raw HTML to re-clean: its pages table is empty (crawl with "
            "-s CLEANNEWS_STORE_RAW_HTML=true to keep each page's HTML)",
            status=1,
        )
