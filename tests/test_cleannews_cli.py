"""The `cleannews` command, run as a real subprocess from a directory outside the checkout.

One real crawl of the demo site (`cleannews crawl outlets`, no scrapy.cfg in reach) makes the
database the export, stats, failures and Datasette tests read; every user mistake is run and
must give one line on stderr, the documented exit status, no traceback and nothing written.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.siteserver import FAST_SETTINGS, TestSiteServer

from cleannews.export import export
from crawler.demo import DEMO_OUTLETS_FILE, PROJECT_ROOT
from crawler.lock import FileLock

# Every test here runs the `cleannews` command (most of them a crawl) in a subprocess.
pytestmark = pytest.mark.e2e


def cli_env() -> dict[str, str]:
    """The environment of a user's shell: the project importable, no Scrapy project set."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    return env


def cleannews(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cleannews", *args], cwd=cwd, env=cli_env(),
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def crawl_settings(server: TestSiteServer, db_path: Path) -> list[str]:
    settings = {
        **FAST_SETTINGS,
        "OUTLETS_FILE": str(DEMO_OUTLETS_FILE),
        "CLEANNEWS_OUTLETS_VARS": json.dumps({"port": str(server.port)}),
        "SQLITE_PATH": str(db_path),
        "CLEANNEWS_EXTRACT_WORKERS": "0",
    }
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with no scrapy.cfg anywhere above it."""
    path = tmp_path_factory.mktemp("cli")
    assert not any((parent / "scrapy.cfg").exists() for parent in [path, *path.parents])
    return path


@pytest.fixture(scope="module")
def crawled(site_server: TestSiteServer, workdir: Path) -> tuple[Path, subprocess.CompletedProcess]:
    db_path = workdir / "news.db"
    result = cleannews("crawl", "outlets", "-a", "depth=1", *crawl_settings(site_server, db_path),
                       cwd=workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return db_path, result


@pytest.fixture
def db_copy(crawled, tmp_path: Path) -> Path:
    """A private copy of the crawled database (for tests that write)."""
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(crawled[0])
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def articles_in(db_path: Path) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    rows = [dict(row) for row in conn.execute(
        "SELECT a.*, o.name AS outlet_name, o.country AS outlet_country, "
        "o.language AS outlet_language FROM articles a JOIN outlets o ON o.id = a.outlet_id "
        "ORDER BY a.id")]
    conn.close()
    return rows


# --- The command and the crawl -------------------------------------------------------------


def test_crawl_runs_outside_the_checkout_and_ends_with_a_summary(crawled) -> None:
    db_path, result = crawled
    rows = articles_in(db_path)
    assert len(rows) == 13
    assert {row["outlet_id"] for row in rows} == {"harbour-herald", "valley-courier"}
    assert "Traceback" not in result.stderr
    log = [line.split("] INFO: ", 1)[-1] for line in result.stderr.splitlines()]
    summary = next(i for i, line in enumerate(log) if line.startswith("Crawl finished in "))
    assert log[summary].endswith(
        " pages fetched, 13 articles stored, 0 skipped as known, 6 failed (http_error 2, "
        "empty 1, not_article 1, not_html 1, robots_forbidden 1)")
    assert log[summary + 1:] == [
        "  harbour-herald  7 articles, 6 failed (http_error 2, empty 1, not_article 1, "
        "not_html 1, robots_forbidden 1)",
        "  valley-courier  6 articles",
    ]
    assert "Telnet console listening" not in result.stderr  # remote control off unless asked
    # Pages the cleaners refused are logged with the reason, as fetch failures are.
    assert any(line.startswith("Refused ") and line.endswith(
        "/herald/2026/11/annual-report.pdf: not_html (the payload is a PDF document)")
        for line in log)


def test_a_second_crawl_counts_what_it_skipped(crawled, site_server, tmp_path: Path) -> None:
    copy = tmp_path / "again.db"
    shutil.copy(crawled[0], copy)
    result = cleannews("crawl", "outlets", "-a", "depth=1", *crawl_settings(site_server, copy),
                       "-s", "LOGSTATS_INTERVAL=0.2", "-s", "DOWNLOAD_DELAY=0.05", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    log = [line.split("] INFO: ", 1)[-1] for line in result.stderr.splitlines()]
    summary = next(line for line in log if line.startswith("Crawl finished in "))
    # The stored stories and the permanent failures (404, PDF, index page) are skipped (each
    # request: a story found through the feed and a sitemap counts twice); the 500 and the
    # empty page are fetched again and fail again.
    assert re.search(r" pages fetched, 0 articles stored, [1-9]\d* skipped as known, "
                     r"3 failed \(empty 1, http_error 1, robots_forbidden 1\)$", summary), summary
    progress = [line for line in log if line.startswith("Progress: ")]
    assert progress
    assert all(" pages/s), " in line and " failures, " in line for line in progress)


def test_url_crawl_adds_only_its_outlet_named_by_the_page(site_server, tmp_path: Path) -> None:
    """With the packaged outlets file, a page of no configured outlet: an outlet of its own."""
    db_path = tmp_path / "one.db"
    url = f"http://127.0.0.1:{site_server.port}/herald/2026/11/harbour-ferry-electric.html"
    settings = [arg for arg in crawl_settings(site_server, db_path)
                if not arg.startswith(("OUTLETS_FILE=", "CLEANNEWS_OUTLETS_VARS="))]
    settings = [a for i, a in enumerate(settings)
                if not (a == "-s" and i + 1 < len(settings) and settings[i + 1] == "-s")]
    result = cleannews("crawl", "urls", "-a", f"url={url}", *settings, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    conn = sqlite3.connect(db_path)
    outlets = conn.execute("SELECT id, name FROM outlets").fetchall()
    conn.close()
    assert outlets == [("127.0.0.1", "The Harbour Herald")]


@pytest.mark.parametrize("command", [
    [], ["crawl"], ["extract"], ["profile"], ["reclean"], ["export"], ["stats"], ["failures"],
    ["failures", "retry"], ["datasette"],
])
def test_every_command_has_help(command: list[str], workdir: Path) -> None:
    result = cleannews(*command, "--help", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: cleannews {' '.join(command)}".rstrip())


def test_version(workdir: Path) -> None:
    result = cleannews("--version", cwd=workdir)
    assert result.returncode == 0
    assert result.stdout.startswith("cleannews ")


def test_python_m_cleaners_stays_an_alias(workdir: Path) -> None:
    page = PROJECT_ROOT / "fixtures" / "seeds" / "time-promo-after.html"
    via_cleaners = subprocess.run(
        [sys.executable, "-m", "cleaners", "extract", str(page)], cwd=workdir, env=cli_env(),
        capture_output=True, text=True, timeout=120, check=False)
    via_cleannews = cleannews("extract", str(page), cwd=workdir)
    assert via_cleannews.returncode == via_cleaners.returncode == 0
    assert via_cleannews.stdout == via_cleaners.stdout


# --- Every mistake: one line, the status, nothing written --------------------------------------

MISTAKES = [
    (["-s", "CLEANNEWS_MIN_WORDS=fifty"],
     "setting CLEANNEWS_MIN_WORDS=fifty: must be a whole number"),
    (["-s", "CLEANNEWS_MIN_WORD=5"],
     "unknown setting CLEANNEWS_MIN_WORD (did you mean CLEANNEWS_MIN_WORDS?)"),
    (["-s", "SQLITE_PTH=x.db"], "unknown setting SQLITE_PTH (did you mean SQLITE_PATH?)"),
    (["-s", "CLEANNEWS_PROFILE_SHORT_SHARE=1.5"],
     "setting CLEANNEWS_PROFILE_SHORT_SHARE=1.5: must be at most 1"),
    (["-s", "CLEANNEWS_BATCH_SIZE=0"], "setting CLEANNEWS_BATCH_SIZE=0: must be at least 1"),
    (["-s", "CLEANNEWS_INCREMENTAL=maybe"],
     "setting CLEANNEWS_INCREMENTAL=maybe: must be true or false"),
    (["-s", "CLEANNEWS_LANGUAGES=english"],
     "setting CLEANNEWS_LANGUAGES: 'english' is not an ISO 639-1 language code (did you mean en?)"),
    (["-s", "DOWNLOAD_TIMEOUT=soon"], "setting DOWNLOAD_TIMEOUT=soon: must be a number"),
    (["-s", "ROBOTSTXT_OBEY=perhaps"], "setting ROBOTSTXT_OBEY=perhaps: must be true or false"),
    (["-a", "since=yesterday"], "-a since=yesterday: not an ISO 8601 date"),
    (["-s", "CLEANNEWS_SINCE=last week"], "setting CLEANNEWS_SINCE=last week: not an ISO 8601"),
    (["-a", "outlet=harbour-herald"],
     "unknown spider argument -a outlet=... (did you mean outlets?)"),
    (["-a", "outlets="], "-a outlets= names no outlet"),
    (["-a", "outlets=harbour-herold"],
     "unknown outlet id(s) ['harbour-herold']; known: harbour-herald, valley-courier "
     "(did you mean harbour-herald?)"),
    (["-a", "depth=two"], "-a depth=two: must be a whole number"),
]


def assert_one_clean_line(result: subprocess.CompletedProcess, expected: str, status: int) -> None:
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert lines[0].startswith("cleannews")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("arguments", "expected"), MISTAKES)
def test_crawl_mistakes_give_one_line_and_status_2(
    arguments: list[str], expected: str, site_server: TestSiteServer, tmp_path: Path
) -> None:
    db_path = tmp_path / "news.db"
    result = cleannews("crawl", "outlets", *crawl_settings(site_server, db_path), *arguments,
                       cwd=tmp_path)
    assert_one_clean_line(result, expected, 2)
    assert not db_path.exists()
    assert not Path(f"{db_path}.lock").exists()


def test_outlets_file_mistakes(site_server: TestSiteServer, tmp_path: Path) -> None:
    db_path = tmp_path / "news.db"
    text = DEMO_OUTLETS_FILE.read_text(encoding="utf-8")
    misspelled = tmp_path / "outlets.toml"
    misspelled.write_text(text.replace("feeds = [", "feed = [", 1), encoding="utf-8")
    base = crawl_settings(site_server, db_path)
    result = cleannews("crawl", "outlets", *base, "-s", f"OUTLETS_FILE={misspelled}",
                       cwd=tmp_path)
    assert_one_clean_line(
        result, f"outlets file {misspelled}: outlet 'harbour-herald': unknown key 'feed' "
        "(did you mean feeds?)", 2)
    result = cleannews("crawl", "outlets", *base, "-s", f"OUTLETS_FILE={tmp_path / 'no.toml'}",
                       cwd=tmp_path)
    assert_one_clean_line(result, f"setting OUTLETS_FILE: no file at {tmp_path / 'no.toml'}", 2)
    assert not db_path.exists()


def test_url_crawl_mistakes(site_server: TestSiteServer, tmp_path: Path) -> None:
    db_path = tmp_path / "news.db"
    base = crawl_settings(site_server, db_path)
    missing = tmp_path / "urls.txt"
    assert_one_clean_line(cleannews("crawl", "urls", *base, "-a", f"file={missing}",
                                    cwd=tmp_path), f"-a file={missing}: no such file", 2)
    assert_one_clean_line(cleannews("crawl", "urls", *base, cwd=tmp_path),
                          "the urls spider needs -a url=URL or -a file=PATH", 2)
    assert_one_clean_line(cleannews("crawl", "urls", *base, "-a", "url=example.com/a",
                                    cwd=tmp_path), "not an http(s) URL: 'example.com/a'", 2)
    assert_one_clean_line(cleannews("crawl", "url", *base, "-a", "url=http://a.test/",
                                    cwd=tmp_path), "unknown spider 'url' (did you mean urls?)", 2)
    assert not db_path.exists()


def test_a_path_that_is_not_a_database(site_server: TestSiteServer, tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n", encoding="utf-8")
    result = cleannews("crawl", "outlets", *crawl_settings(site_server, text_file), cwd=tmp_path)
    assert_one_clean_line(result, f"setting SQLITE_PATH: {text_file} is not an SQLite database", 2)
    assert text_file.read_text(encoding="utf-8") == "not a database\n"
    for command in (["stats"], ["export"], ["failures"], ["reclean"], ["profile"]):
        result = cleannews(*command, "--db", str(text_file), cwd=tmp_path)
        assert_one_clean_line(result, f"--db: {text_file} is not an SQLite database", 2)
    result = cleannews("stats", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert_one_clean_line(result, f"--db: no database at {tmp_path / 'none.db'}", 2)
    assert not (tmp_path / "none.db").exists()


def test_the_lock_held_exits_with_1(site_server: TestSiteServer, tmp_path: Path) -> None:
    db_path = tmp_path / "news.db"
    holder = FileLock(Path(f"{db_path}.lock"))
    holder.acquire()
    try:
        result = cleannews("crawl", "outlets", *crawl_settings(site_server, db_path),
                           cwd=tmp_path)
    finally:
        holder.release()
    assert_one_clean_line(result, f"another crawl (pid {os.getpid()}) holds {db_path}.lock", 1)
    assert not db_path.exists()


def test_scrapy_crawl_runs_the_same_checks(site_server: TestSiteServer, tmp_path: Path) -> None:
    db_path = tmp_path / "news.db"
    env = {**cli_env(), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "outlets",
         *crawl_settings(site_server, db_path), "-s", "CLEANNEWS_MIN_WORD=5"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "scrapy crawl: unknown setting CLEANNEWS_MIN_WORD (did you mean CLEANNEWS_MIN_WORDS?)")
    assert "Traceback" not in result.stderr
    assert "Usage" not in result.stderr
    assert not db_path.exists()


def test_other_command_mistakes(crawled, workdir: Path) -> None:
    db = str(crawled[0])
    assert_one_clean_line(cleannews("export", "--db", db, "--since", "yesterday", cwd=workdir),
                          "--since=yesterday: not an ISO 8601 date", 2)
    assert_one_clean_line(cleannews("export", "--db", db, "--outlet", "harbour", cwd=workdir),
                          "--outlet: no outlet 'harbour'", 2)
    assert_one_clean_line(cleannews("export", "--db", db, "--format", "xml", cwd=workdir),
                          "--format: invalid choice 'xml' (choose from jsonl, csv, parquet)", 2)
    assert_one_clean_line(cleannews("failures", "--db", db, "--reason", "not_htm", cwd=workdir),
                          "(did you mean not_html?)", 2)
    assert_one_clean_line(cleannews("expot", cwd=workdir),
                          "invalid choice 'expot' (did you mean export?)", 2)


def test_reclean_says_why_without_raw_html(crawled, workdir: Path) -> None:
    result = cleannews("reclean", "--db", str(crawled[0]), cwd=workdir)
    assert_one_clean_line(result, "holds no raw HTML to re-clean", 1)
    assert "CLEANNEWS_STORE_RAW_HTML=true" in result.stderr


# --- Export ------------------------------------------------------------------------------------


def comparable(row: dict) -> dict:
    """A database row as an export carries it: JSON columns parsed."""
    out = dict(row)
    for name in ("authors", "author_organisations", "tags", "removed"):
        out[name] = json.loads(out[name]) if out[name] is not None else None
    return out


def test_export_jsonl_matches_the_database(crawled, workdir: Path) -> None:
    result = cleannews("export", "--db", str(crawled[0]), cwd=workdir)
    assert result.returncode == 0, result.stderr
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [comparable(row) for row in articles_in(crawled[0])]
    assert len(exported) == len(expected) == 13
    for got, want in zip(exported, expected, strict=True):
        assert {k: got[k] for k in want} == want
        assert isinstance(got["outlet_domains"], list)
    assert all("reason" not in row for row in exported)  # articles only, no failure records


def test_export_csv_matches_the_database(crawled, workdir: Path) -> None:
    out = workdir / "articles.csv"
    result = cleannews("export", "--db", str(crawled[0]), "--format", "csv", "-o", str(out),
                       cwd=workdir)
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8", newline="") as stream:
        exported = list(csv.DictReader(stream))
    expected = articles_in(crawled[0])
    assert len(exported) == len(expected)
    for got, want in zip(exported, expected, strict=True):
        assert got["title"] == want["title"]
        assert got["body"] == want["body"]
        assert json.loads(got["removed"]) == json.loads(want["removed"])  # JSON, not Python
        assert json.loads(got["authors"]) == json.loads(want["authors"])
        assert int(got["word_count"]) == want["word_count"]
        assert got["published"] == (want["published"] or "")
        assert got["outlet_name"] == want["outlet_name"]


def test_export_parquet_matches_the_database(crawled, workdir: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = workdir / "articles.parquet"
    result = cleannews("export", "--db", str(crawled[0]), "--format", "parquet", "-o", str(out),
                       cwd=workdir)
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    assert str(table.schema.field("authors").type) == "list<element: string>"
    assert str(table.schema.field("word_count").type) == "int64"
    assert "struct" in str(table.schema.field("removed").type)
    exported = table.to_pylist()
    expected = [comparable(row) for row in articles_in(crawled[0])]
    for got, want in zip(exported, expected, strict=True):
        assert [{k: v for k, v in r.items() if v is not None} for r in got["removed"] or []] \
            == want["removed"]
        want = {k: v for k, v in want.items() if k != "removed"}
        assert {k: got[k] for k in want} == want


def test_parquet_without_pyarrow_says_so(crawled, tmp_path: Path) -> None:
    """A pyarrow that cannot be imported (shadowed on the path), as on an install without it."""
    shadow = tmp_path / "shadow" / "pyarrow"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("No module named pyarrow")\n')
    env = cli_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "shadow"), env["PYTHONPATH"]])
    out = tmp_path / "a.parquet"
    result = subprocess.run(
        [sys.executable, "-m", "cleannews", "export", "--db", str(crawled[0]), "--format",
         "parquet", "-o", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120, check=False)
    assert_one_clean_line(result, "--format parquet needs pyarrow, which is not installed", 2)
    assert not out.exists()


def test_the_package_carries_the_command_and_its_data(tmp_path: Path) -> None:
    """What a wheel is built from (setuptools' build_py and egg_info, offline, on a copy of the
    checkout): the packages, the data files the command reads, and the console script."""
    source = tmp_path / "src"
    for name in ("crawler", "cleaners", "pipelines", "cleannews"):
        shutil.copytree(PROJECT_ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    build = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q",
         "egg_info", "--egg-base", str(tmp_path), "build_py", "--build-lib", str(tmp_path / "lib")],
        cwd=source, capture_output=True, text=True, timeout=300, check=False)
    assert build.returncode == 0, build.stderr[-2000:]
    for needed in ("cleannews/cli.py", "cleannews/datasette.json", "cleannews/commands/crawl.py",
                   "crawler/outlets.toml", "crawler/settings.py", "pipelines/store.py",
                   "cleaners/extract.py"):
        assert (tmp_path / "lib" / needed).is_file(), needed
    entry_points = (tmp_path / "cleannews.egg-info" / "entry_points.txt").read_text()
    assert "cleannews = cleannews.cli:main" in entry_points


def test_export_filters(crawled, workdir: Path) -> None:
    db = str(crawled[0])
    result = cleannews("export", "--db", db, "--outlet", "valley-courier",
                       "--since", "2026-11-18", "--until", "2026-11-20", cwd=workdir)
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    assert exported
    assert {row["outlet_id"] for row in exported} == {"valley-courier"}
    assert all("2026-11-18" <= row["published"][:10] <= "2026-11-20" for row in exported)
    every = [r for r in articles_in(crawled[0]) if r["outlet_id"] == "valley-courier"
             and "2026-11-18" <= (r["published"] or r["first_seen"])[:10] <= "2026-11-20"]
    assert [row["id"] for row in exported] == [row["id"] for row in every]


def cursor_export(db: Path, cwd: Path, *extra: str, name: str = "nightly") -> list[dict]:
    result = cleannews("export", "--db", str(db), "--cursor", name, *extra, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_cursor_hands_over_new_and_changed_articles_once(db_copy: Path, tmp_path: Path) -> None:
    assert len(cursor_export(db_copy, tmp_path)) == 13
    assert cursor_export(db_copy, tmp_path) == []
    conn = sqlite3.connect(db_copy)
    with conn:
        conn.execute("UPDATE articles SET last_seen = '2030-01-01T00:00:00+00:00'")  # re-visits
        conn.execute("UPDATE articles SET title = 'A corrected headline' WHERE id = 3")
    conn.close()
    changed = cursor_export(db_copy, tmp_path)
    assert [(row["id"], row["title"]) for row in changed] == [(3, "A corrected headline")]
    assert cursor_export(db_copy, tmp_path) == []


def test_a_failed_export_does_not_move_the_cursor(db_copy: Path, tmp_path: Path) -> None:
    result = cleannews("export", "--db", str(db_copy), "--cursor", "nightly", "-o", "/dev/full",
                       cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot write /dev/full" in result.stderr
    assert "cursor was not moved" in result.stderr

    class Unplugged(io.StringIO):
        """A consumer that goes away after the first rows."""

        def write(self, text: str) -> int:
            if self.tell() > 2000:
                raise OSError(5, "Input/output error")
            return super().write(text)

    conn = sqlite3.connect(db_copy, isolation_level=None)
    conn.row_factory = sqlite3.Row
    with pytest.raises(OSError, match="Input/output"):
        export(conn, Unplugged(), fmt="jsonl", cursor="nightly")
    conn.close()
    target = tmp_path / "out.jsonl"
    result = cleannews("export", "--db", str(db_copy), "--cursor", "nightly", "-o", str(target),
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) == 13  # nothing was skipped
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_a_killed_export_does_not_move_the_cursor(db_copy: Path, tmp_path: Path) -> None:
    """SIGKILL in the middle of writing: no output file, the cursor where it was."""
    conn = sqlite3.connect(db_copy)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(articles)") if row[1] != "id"]
    values = ", ".join("'copy' || n.value || '-' || url" if c == "url" else c for c in columns)
    with conn:  # 13 stories, 1,000 times over: an export that takes a while
        conn.execute(f"INSERT INTO articles ({', '.join(columns)}) SELECT {values} FROM articles, "
                     "(WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n "
                     "WHERE value < 1000) SELECT value FROM n) AS n")
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    target = tmp_path / "feed.jsonl"
    partial = tmp_path / "feed.jsonl.partial"
    process = subprocess.Popen(
        [sys.executable, "-m", "cleannews", "export", "--db", str(db_copy), "--cursor", "feed",
         "-o", str(target)], cwd=tmp_path, env=cli_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 100_000):
        assert process.poll() is None, "the export finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.kill()
    process.wait()
    assert not target.exists()
    conn = sqlite3.connect(db_copy)
    assert conn.execute("SELECT count(*) FROM export_cursors").fetchone()[0] == 0
    conn.close()
    exported = cursor_export(db_copy, tmp_path, name="feed")  # the next one hands over all
    assert len(exported) == total


def test_broken_pipe_ends_quietly(crawled, workdir: Path) -> None:
    shell = (f"{shutil.which('python') or sys.executable} -m cleannews export "
             f"--db {crawled[0]} | head -c 100 > /dev/null")
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=workdir, env=cli_env(),
                            capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in result.stderr
    assert "BrokenPipe" not in result.stderr


# --- Stats and failures ----------------------------------------------------------------------


def test_stats_per_outlet(crawled, workdir: Path) -> None:
    result = cleannews("stats", "--db", str(crawled[0]), cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    herald = next(line for line in lines if line.startswith("harbour-herald"))
    courier = next(line for line in lines if line.startswith("valley-courier"))
    assert herald.split()[1:3] == ["7", "6"]
    assert courier.split()[1:3] == ["6", "0"]
    assert any("failures: http_error 2" in line for line in lines)
    assert lines[-1] == "2 outlet(s), 13 article(s), 6 failure(s)"
    assert not any(" ! " in line for line in lines)


def test_stats_flag_a_jump_against_the_outlets_history(db_copy: Path, tmp_path: Path) -> None:
    """Three weeks of dated articles, then a week in which the dates are no longer found."""
    conn = sqlite3.connect(db_copy)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(articles)") if row[1] != "id"]
    with conn:
        for weeks in (2, 3, 4):
            values = ", ".join(
                f"'w{weeks}-' || url" if c == "url" else
                f"datetime(first_seen, '-{weeks * 7} days')" if c == "first_seen" else c
                for c in columns)
            conn.execute(f"INSERT INTO articles ({', '.join(columns)}) SELECT {values} "
                         "FROM articles WHERE outlet_id = 'harbour-herald' AND url NOT LIKE 'w%'")
        conn.execute("UPDATE articles SET published = NULL WHERE outlet_id = 'harbour-herald' "
                     "AND url NOT LIKE 'w%'")
    conn.close()
    result = cleannews("stats", "--db", str(db_copy), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    flagged = [line.strip() for line in result.stdout.splitlines() if " ! " in line]
    assert flagged == [
        "! 100% without a date in the last 7 days, against 0% before",
        # The crawl's six failures all fall in the recent week; the copied weeks had none.
        "! 46% of pages failed in the last 7 days, against 0% before",
    ]


def test_failures_list_and_retry_makes_them_eligible_again(
    db_copy: Path, site_server: TestSiteServer, tmp_path: Path
) -> None:
    listing = cleannews("failures", "--db", str(db_copy), "--reason", "not_html", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    rows = [line.split("\t") for line in listing.stdout.splitlines()]
    assert [(r[1], r[2]) for r in rows] == [("harbour-herald", "not_html:200")]
    pdf_url = rows[0][3]
    pdf_path = pdf_url.split(str(site_server.port), 1)[1]

    def fetches() -> int:
        return sum(1 for _, path in site_server.requests if path == pdf_path)

    before = fetches()
    again = cleannews("crawl", "outlets", *crawl_settings(site_server, db_copy), cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert fetches() == before  # a permanent failure is not fetched again

    retry = cleannews("failures", "retry", "--db", str(db_copy), "--reason", "not_html",
                      cwd=tmp_path)
    assert retry.returncode == 0, retry.stderr
    assert retry.stdout.startswith("1 permanent failure(s) will be fetched again")
    after = cleannews("crawl", "outlets", *crawl_settings(site_server, db_copy), cwd=tmp_path)
    assert after.returncode == 0, after.stderr[-2000:]
    assert fetches() == before + 1


# --- Datasette ---------------------------------------------------------------------------------


def test_datasette_with_the_shipped_metadata(crawled) -> None:
    datasette_app = pytest.importorskip("datasette.app")
    from cleannews.browse import metadata_for

    db_path = crawled[0]
    name = db_path.stem

    async def pages() -> tuple:
        ds = datasette_app.Datasette([str(db_path)], metadata=metadata_for(db_path))
        await ds.invoke_startup()
        table = await ds.client.get(f"/{name}/articles")
        per_day = await ds.client.get(f"/{name}/articles_per_outlet_per_day.json?_shape=array")
        search = await ds.client.get(f"/{name}/search.json?_shape=array&q=ferry")
        table_search = await ds.client.get(
            f"/{name}/articles.json?_search=ferry&_shape=array&_col=title")
        reasons = await ds.client.get(f"/{name}/failures_by_reason.json?_shape=array")
        return table, per_day, search, reasons, table_search

    table, per_day, search, reasons, table_search = asyncio.run(pages())
    assert table_search.status_code == 200
    assert "Harbour's first electric ferry enters service" in [
        row["title"] for row in table_search.json()]
    assert table.status_code == 200
    assert "One row per article" in table.text  # the table's description
    assert "outlet_id" in table.text
    assert "facet" in table.text
    assert per_day.status_code == 200
    days = per_day.json()
    assert sum(row["articles"] for row in days) == 13
    assert {row["outlet"] for row in days} == {"The Harbour Herald", "The Valley Courier"}
    assert search.status_code == 200
    titles = [row["title"] for row in search.json()]
    assert "Harbour's first electric ferry enters service" in titles
    assert all("ferry" in row["snippet"].lower() for row in search.json())
    assert {row["reason"]: row["urls"] for row in reasons.json()}["http_error"] == 2
