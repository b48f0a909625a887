"""`cleannews export`: the stored articles as JSON Lines, CSV or Parquet, for analysis.

    cleannews export --format jsonl|csv|parquet [--db PATH] [--outlet ID] [--since ISO]
                     [--until ISO] [--cursor NAME] [-o FILE|-]

Articles only (no failure records), one row each, with every column the `articles` table has,
read from the table itself, so a column a later migration adds is exported without a change
here, and the outlet's fields joined as `outlet_name`, `outlet_country`, `outlet_language` ...
Columns holding JSON lists or objects (authors, tags, the `removed` audit ...; found by their
content, see `json_columns`) are JSON in JSON Lines, JSON text in CSV, and lists/structs in
Parquet. Dates are the ISO 8601 text the store keeps.

`--since`/`--until` bound the publication date (the first-seen date for an article without
one), both inclusive, at the precision given (`2026-11` is the whole month).

`--cursor NAME` exports what is new or changed since the last export under that name, and then
remembers how far it got. Changes are numbered by triggers in the database (`article_changes`,
made by the first export with a cursor, which numbers every article then stored): an insert, or
an update of anything but the bookkeeping columns (`VOLATILE`: last seen, fetch time, validators,
crawl), gives the article a new, higher number. The export reads one snapshot, writes the whole
output (to `FILE.partial`, renamed to FILE only when complete), and only then moves the cursor
in its own transaction. An export that fails or is killed before that leaves the cursor where
it was: the next one exports the same rows again, so nothing is handed over twice as new unless
the kill falls between the rename and the cursor's commit, and nothing is ever skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cleannews.checks import UserError, check_iso_date, did_you_mean
from cleannews.dbfile import add_db_argument, check_db, connect

FORMATS = ("jsonl", "csv", "parquet")
# Article columns that move on every re-visit without the article changing.
VOLATILE = ("last_seen", "fetched_at", "crawl_id", "etag", "last_modified")
# Outlet columns joined to each article (as outlet_<name>); every other outlets column is too.
OUTLET_SKIP = ("id", "first_seen", "last_seen")
# Rows fetched from SQLite (and written to a Parquet row group) at a time.
CHUNK = 1000
# Most recent rows that decide which columns hold JSON.
SAMPLE = 2000

CHANGES_TRIGGER_INSERT = "cleannews_changes_ai"
CHANGES_TRIGGER_UPDATE = "cleannews_changes_au"


# --- Columns ---------------------------------------------------------------------------------


def table_columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(name, declared type) of a table's columns, in order."""
    return [(row[1], (row[2] or "").upper()) for row in conn.execute(f"PRAGMA table_info({table})")]


def json_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """Text columns whose every non-null value is a JSON array or object (and one at least).

    Judged on the table's `SAMPLE` most recent rows, so a large table is not read whole for it.
    """
    sample = f"(SELECT * FROM {table} ORDER BY rowid DESC LIMIT {SAMPLE})"
    found = []
    for name, kind in table_columns(conn, table):
        if kind not in ("TEXT", ""):
            continue
        has_json = conn.execute(
            f'SELECT 1 FROM {sample} WHERE substr("{name}", 1, 1) IN (\'[\', \'{{\') LIMIT 1'
        ).fetchone()
        if not has_json:
            continue
        other = conn.execute(
            f'SELECT 1 FROM {sample} WHERE "{name}" IS NOT NULL AND ('
            f'substr("{name}", 1, 1) NOT IN (\'[\', \'{{\') OR NOT json_valid("{name}")) LIMIT 1'
        ).fetchone()
        if not other:
            found.append(name)
    return found


class ExportShape:
    """The export's columns: the article's, then the outlet's; which hold JSON; which integers."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.article_columns = table_columns(conn, "articles")
        self.outlet_columns = [
            (name, kind) for name, kind in table_columns(conn, "outlets") if name not in OUTLET_SKIP
        ]
        self.json = set(json_columns(conn, "articles")) | {
            f"outlet_{name}" for name in json_columns(conn, "outlets")
        }
        self.names = [name for name, _ in self.article_columns] + [
            f"outlet_{name}" for name, _ in self.outlet_columns
        ]
        self.integers = {
            name for name, kind in self.article_columns if "INT" in kind
        } | {f"outlet_{name}" for name, kind in self.outlet_columns if "INT" in kind}

    def select(self) -> str:
        article = ", ".join(f'a."{name}"' for name, _ in self.article_columns)
        outlet = ", ".join(f'o."{name}" AS "outlet_{name}"' for name, _ in self.outlet_columns)
        return f"SELECT {article}{', ' if outlet else ''}{outlet} FROM articles a " \
               "LEFT JOIN outlets o ON o.id = a.outlet_id"


# --- Change numbers and cursors ----------------------------------------------------------------


def change_tracking_sql(conn: sqlite3.Connection) -> list[str]:
    """The triggers that number every insert and content update of an article."""
    watched = [name for name, _ in table_columns(conn, "articles") if name not in VOLATILE]
    changed = " OR ".join(f'old."{name}" IS NOT new."{name}"' for name in watched)
    note = (
        "DELETE FROM article_changes WHERE article_id = new.id; "
        "INSERT INTO article_changes (article_id) VALUES (new.id);"
    )
    return [
        f"CREATE TRIGGER {CHANGES_TRIGGER_INSERT} AFTER INSERT ON articles BEGIN {note} END",
        f"CREATE TRIGGER {CHANGES_TRIGGER_UPDATE} AFTER UPDATE ON articles "
        f"WHEN {changed} BEGIN {note} END",
    ]


def ensure_change_tracking(conn: sqlite3.Connection) -> None:
    """Create (or bring up to the current columns) the change numbering and cursor tables."""
    wanted = change_tracking_sql(conn)
    existing = {
        row[0]: row[1] for row in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)",
            [CHANGES_TRIGGER_INSERT, CHANGES_TRIGGER_UPDATE],
        )
    }
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_changes'"
    ).fetchone()
    if has_table and [existing.get(CHANGES_TRIGGER_INSERT), existing.get(CHANGES_TRIGGER_UPDATE)] \
            == wanted:
        return
    create_change_tracking(conn, wanted, renumber=not has_table)


def create_change_tracking(conn: sqlite3.Connection, triggers: list[str], renumber: bool) -> None:
    """In one transaction: the change and cursor tables, and `triggers` in place of the old
    ones; with `renumber` (a new change table) every article stored so far is a change not yet
    exported."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS article_changes ("
            "seq INTEGER PRIMARY KEY AUTOINCREMENT, article_id INTEGER NOT NULL UNIQUE)"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS export_cursors ("
            "name TEXT PRIMARY KEY, position INTEGER NOT NULL, rows INTEGER, updated_at TEXT)"
        )
        if renumber:
            conn.execute(
                "INSERT INTO article_changes (article_id) SELECT id FROM articles ORDER BY id"
            )
        conn.execute(f"DROP TRIGGER IF EXISTS {CHANGES_TRIGGER_INSERT}")
        conn.execute(f"DROP TRIGGER IF EXISTS {CHANGES_TRIGGER_UPDATE}")
        for sql in triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def cursor_position(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT position FROM export_cursors WHERE name = ?", [name]).fetchone()
    return int(row[0]) if row else 0


def move_cursor(conn: sqlite3.Connection, name: str, start: int, end: int, rows: int) -> bool:
    """Move the cursor from `start` to `end`; False when another export moved it meanwhile."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = cursor_position(conn, name)
        if current != start:
            conn.execute("ROLLBACK")
            return False
        conn.execute(
            "INSERT INTO export_cursors (name, position, rows, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET position = excluded.position, rows = excluded.rows, "
            "updated_at = excluded.updated_at",
            [name, end, rows, now],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


# --- Rows ------------------------------------------------------------------------------------


def query(
    shape: ExportShape,
    *,
    outlets: list[str],
    since: str | None,
    until: str | None,
    changes: tuple[int, int] | None,
) -> tuple[str, list[Any]]:
    sql = shape.select()
    where: list[str] = []
    params: list[Any] = []
    if changes is not None:
        sql += " JOIN article_changes c ON c.article_id = a.id"
        where.append("c.seq > ? AND c.seq <= ?")
        params += list(changes)
    if outlets:
        where.append(f"a.outlet_id IN ({', '.join('?' * len(outlets))})")
        params += outlets
    day = "coalesce(a.published, a.first_seen)"
    if since:
        where.append(f"substr({day}, 1, ?) >= ?")
        params += [len(since), since]
    if until:
        where.append(f"substr({day}, 1, ?) <= ?")
        params += [len(until), until]
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY c.seq" if changes is not None else " ORDER BY a.id"
    return sql, params


def decoded(shape: ExportShape, row: sqlite3.Row) -> dict[str, Any]:
    """A row as a dict, JSON columns parsed."""
    record = dict(zip(shape.names, tuple(row), strict=True))
    for name in shape.json:
        value = record.get(name)
        if isinstance(value, str):
            try:
                record[name] = json.loads(value)
            except ValueError:  # an older row outside the sample: kept as its text
                pass
    return record


def rows_of(conn: sqlite3.Connection, sql: str, params: list[Any]) -> Iterator[sqlite3.Row]:
    cursor = conn.execute(sql, params)
    while True:
        chunk = cursor.fetchmany(CHUNK)
        if not chunk:
            return
        yield from chunk


# --- Writers -----------------------------------------------------------------------------------


def write_jsonl(shape: ExportShape, rows: Iterator[sqlite3.Row], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(decoded(shape, row), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(shape: ExportShape, rows: Iterator[sqlite3.Row], out: IO[str]) -> int:
    """CSV with a header; JSON columns as their JSON text (as stored), NULL as empty."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(shape.names)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in tuple(row)])
        count += 1
    return count


def import_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise UserError(
            "--format parquet needs pyarrow, which is not installed: pip install pyarrow "
            '(the project\'s "parquet" extra: pip install -e ".[parquet]")'
        ) from None
    return pyarrow


def parquet_schema(
    pa: Any, conn: sqlite3.Connection, shape: ExportShape, sql: str, params: list[Any]
) -> Any:
    """Integers as int64, text as string, JSON columns as the list/struct type of all values."""
    fields = []
    json_values: dict[str, list[Any]] = {name: [] for name in shape.json}
    if shape.json:
        index = {name: shape.names.index(name) for name in shape.json}
        for row in rows_of(conn, sql, params):
            for name, position in index.items():
                value = row[position]
                try:
                    json_values[name].append(json.loads(value) if isinstance(value, str) else None)
                except ValueError:
                    json_values[name].append(None)
    for name in shape.names:
        if name in shape.json:
            kind = pa.array(json_values[name]).type
            if pa.types.is_null(kind):
                kind = pa.list_(pa.string())
            elif pa.types.is_list(kind) and pa.types.is_null(kind.value_type):
                kind = pa.list_(pa.string())
        elif name in shape.integers:
            kind = pa.int64()
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def write_parquet(
    conn: sqlite3.Connection, shape: ExportShape, sql: str, params: list[Any], out: IO[bytes]
) -> int:
    pa = import_pyarrow()
    import pyarrow.parquet as pq

    schema = parquet_schema(pa, conn, shape, sql, params)
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows_of(conn, sql, params):
            batch.append(decoded(shape, row))
            if len(batch) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


# --- Output --------------------------------------------------------------------------------------


@contextmanager
def output(target: str, binary: bool) -> Iterator[IO[Any]]:
    """The output stream: stdout for "-", else FILE.partial renamed to FILE once complete.

    A device or pipe (not a regular file) is written in place.
    """
    if target == "-":
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    path = Path(target)
    mode = "wb" if binary else "w"
    extra: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": ""}
    if path.exists() and not path.is_file():  # a device or a named pipe
        with open(path, mode, **extra) as stream:
            yield stream
        return
    if not path.parent.is_dir():
        raise UserError(f"-o {target}: no directory {path.parent}")
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, mode, **extra) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def export(
    conn: sqlite3.Connection,
    out_target: str | IO[Any],
    *,
    fmt: str,
    outlets: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
) -> tuple[int, bool]:
    """Write the export; (rows written, cursor moved). `out_target` is a path, "-" or a stream."""
    if fmt == "parquet":
        import_pyarrow()  # before anything is written
    if cursor:
        ensure_change_tracking(conn)
    conn.execute("BEGIN")  # one snapshot for the schema, the rows and the change range
    try:
        shape = ExportShape(conn)
        changes = None
        if cursor:
            start = cursor_position(conn, cursor)
            end = conn.execute("SELECT coalesce(max(seq), 0) FROM article_changes").fetchone()[0]
            changes = (start, end)
        sql, params = query(
            shape, outlets=outlets or [], since=since, until=until, changes=changes
        )
        binary = fmt == "parquet"
        if isinstance(out_target, str):
            with output(out_target, binary) as stream:
                count = write_rows(conn, shape, sql, params, stream, fmt)
        else:
            count = write_rows(conn, shape, sql, params, out_target, fmt)
            out_target.flush()
    finally:
        conn.execute("COMMIT")
    moved = False
    if changes is not None and cursor:
        moved = move_cursor(conn, cursor, changes[0], changes[1], count)
    return count, moved


def write_rows(
    conn: sqlite3.Connection, shape: ExportShape, sql: str, params: list[Any], stream: IO[Any],
    fmt: str,
) -> int:
    if fmt == "parquet":
        return write_parquet(conn, shape, sql, params, stream)
    rows = rows_of(conn, sql, params)
    return write_jsonl(shape, rows, stream) if fmt == "jsonl" else write_csv(shape, rows, stream)


# --- Command line --------------------------------------------------------------------------------


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the stored articles as JSON Lines, CSV or Parquet",
        description="Export articles (with their outlet's fields) for analysis. With --cursor, "
        "only what is new or changed since the last export under that name; the cursor moves "
        "only once the output is complete.",
    )
    parser.add_argument("--format", choices=FORMATS, default="jsonl",
                        help="jsonl (default), csv, or parquet (needs pyarrow)")
    add_db_argument(parser)
    parser.add_argument("--outlet", action="append", metavar="ID",
                        help="only this outlet (repeatable)")
    parser.add_argument("--since", metavar="ISO",
                        help="published (else first seen) on or after this date")
    parser.add_argument("--until", metavar="ISO",
                        help="published (else first seen) on or before this date")
    parser.add_argument("--cursor", metavar="NAME",
                        help="export only rows new or changed since the last export under NAME")
    parser.add_argument("-o", "--output", default="-", metavar="FILE",
                        help='output file ("-", the default, is stdout)')
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for name in ("since", "until"):
        value = getattr(args, name)
        if value:
            check_iso_date(value, f"--{name}")
    if args.format == "parquet" and args.output == "-" and sys.stdout.isatty():
        raise UserError("--format parquet writes binary data: give -o FILE")
    path = check_db(args.db)
    conn = connect(path, write=bool(args.cursor))
    try:
        check_outlets(conn, args.outlet or [], path)
        try:
            count, moved = export(
                conn, args.output, fmt=args.format, outlets=args.outlet,
                since=args.since, until=args.until, cursor=args.cursor,
            )
        except BrokenPipeError:
            raise  # the reader went away: cli.main ends quietly
        except OSError as exc:
            unmoved = "; the cursor was not moved" if args.cursor else ""
            sys.stderr.write(
                f"cleannews export: cannot write {args.output}: {exc.strerror or exc}{unmoved}\n"
            )
            return 1
    finally:
        conn.close()
    sys.stderr.write(export_summary(args, count, moved))
    return 0 if moved or not args.cursor else 1


def check_outlets(conn: sqlite3.Connection, outlets: list[str], path: Path) -> None:
    """UserError for an --outlet the database does not know (with the nearest known ids)."""
    known = {row[0] for row in conn.execute("SELECT id FROM outlets")}
    for outlet in outlets:
        if outlet not in known:
            raise UserError(f"--outlet: no outlet {outlet!r} in {path}"
                            f"{did_you_mean(outlet, known)}")


def export_summary(args: argparse.Namespace, count: int, moved: bool) -> str:
    """The line on stderr after an export: how many rows, where, and whether the cursor moved."""
    where = "stdout" if args.output == "-" else args.output
    note = ""
    if args.cursor:
        note = f"; cursor {args.cursor!r} moved" if moved else (
            f"; cursor {args.cursor!r} NOT moved (another export moved it meanwhile)")
    return f"exported {count} article(s) to {where}{note}\n"
