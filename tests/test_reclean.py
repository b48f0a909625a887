"""Learning while crawling, the profile listing, `reclean` and `extract --jsonl --learn`.

The fixture outlet (fixtures/outlet_profile, 12 pages with a repeated funding notice and a
background paragraph repeated in 4 follow-up stories) goes through the real pipelines into a
real SQLite file; the commands then run as a user runs them, in a subprocess.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Spider
from support.settings import crawler_for_test

from cleaners import CLEANER_VERSION
from cleaners.profile import PageBlock, ProfileThresholds, fingerprint, normalise_block
from core.items import Page
from core.keys import body_hash as stored_body_hash
from pipelines.dedupe import DedupePipeline
from pipelines.extract import ExtractPipeline
from pipelines.learn import LearnPipeline, ProfileBook
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline
from storage.sqlite import SQLiteStorage

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "outlet_profile"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
PAGES = EXPECTED["pages"]
NOTICE = EXPECTED["notice"]
BACKGROUND = EXPECTED["background"]
OUTLET = "harbor-ledger"
OUTLETS_TOML = f"""
[[outlet]]
id = "{OUTLET}"
name = "Harbor Ledger"
domains = ["harborledger.example"]
language = "en"
"""


class LearnTestSpider(Spider):
    name = "learn-test"


def crawl_fixture_outlet(tmp_path: Path, **extra_settings) -> Path:
    """Run the fixture pages, in order, through extract/learn/validate/dedupe/store."""
    outlets = tmp_path / "outlets.toml"
    outlets.write_text(OUTLETS_TOML, encoding="utf-8")
    db_path = tmp_path / "articles.db"
    settings = {
        "OUTLETS_FILE": str(outlets),
        "SQLITE_PATH": str(db_path),
        "CLEANNEWS_STORE_RAW_HTML": True,
        "CLEANNEWS_LEARN_BOILERPLATE": True,
        "CLEANNEWS_PROFILE_MIN_PAGES": 5,
        **extra_settings,
    }
    crawler = crawler_for_test(LearnTestSpider, settings)
    stages = [
        ExtractPipeline.from_crawler(crawler),
        LearnPipeline.from_crawler(crawler),
        ValidatePipeline.from_crawler(crawler),
        DedupePipeline.from_crawler(crawler),
    ]
    store = StorePipeline.from_crawler(crawler)
    stages[1].open_spider()
    store.open_spider()
    for page in PAGES:
        item = Page(
            url=page["url"],
            final_url=page["url"],
            status=200,
            body=(FIXTURES / page["file"]).read_bytes(),
            content_type="text/html",
            declared_encoding="utf-8",
        )
        for stage in stages:
            item = stage.process_item(item)
        store.process_item(item)
    store.close_spider()  # Scrapy closes components in reverse order: the store first
    stages[1].close_spider()
    return db_path


def articles(db_path: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return {row["url"]: dict(row) for row in conn.execute("SELECT * FROM articles")}
    finally:
        conn.close()


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaners", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl_fixture_outlet(tmp_path_factory.mktemp("crawl"))


def test_crawl_records_block_counts_per_outlet(crawled: Path) -> None:
    conn = sqlite3.connect(crawled)
    try:
        pages = conn.execute(
            "SELECT count(*) FROM boilerplate_pages WHERE outlet_id = ?", [OUTLET]
        ).fetchone()[0]
        notice = conn.execute(
            "SELECT pages, text FROM boilerplate_blocks WHERE outlet_id = ? AND fingerprint = ?",
            [OUTLET, fingerprint(normalise_block(NOTICE))],
        ).fetchone()
    finally:
        conn.close()
    assert pages == len(PAGES)
    assert notice == (len(PAGES), normalise_block(NOTICE))


def test_pages_after_the_minimum_are_cleaned_with_what_was_learned(crawled: Path) -> None:
    rows = articles(crawled)
    assert len(rows) == len(PAGES)
    bodies = [rows[page["url"]]["body"] for page in PAGES]
    # Pages 1-5 were cleaned while fewer than 5 pages were counted; from page 6 on, learned.
    assert all(NOTICE in body for body in bodies[:5])
    assert not any(NOTICE in body for body in bodies[5:])


def test_profile_command_lists_learned_boilerplate_with_counts(crawled: Path) -> None:
    result = run_cli("profile", "--db", str(crawled), OUTLET)
    assert result.returncode == 0, result.stderr
    assert f"outlet {OUTLET}: 12 pages" in result.stdout
    lines = result.stdout.splitlines()
    notice_line = next(line for line in lines if "funded by its readers" in line)
    assert "12/12" in notice_line
    assert "paragraph" in notice_line
    assert "saltmarsh bridge" not in result.stdout  # the follow-ups' background paragraph
    as_json = json.loads(run_cli("profile", "--db", str(crawled), OUTLET, "--json").stdout)
    assert as_json["pages"] == 12
    assert normalise_block(NOTICE) in {b["text"] for b in as_json["blocks"]}


def test_reclean_fixes_the_first_pages_and_is_idempotent(tmp_path: Path) -> None:
    db_path = crawl_fixture_outlet(tmp_path)
    before = articles(db_path)
    result = run_cli("reclean", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    # Every row changes: the first five lose the notice, the others' audit gets the final counts.
    assert "reclean: 12 pages, 12 articles updated, 0 unchanged" in result.stdout
    after = articles(db_path)
    for page in PAGES:
        row = after[page["url"]]
        assert NOTICE not in row["body"]
        for paragraph in page["paragraphs"]:  # including the repeated background paragraph
            assert paragraph in row["body"]
        assert row["cleaner_version"] == CLEANER_VERSION
        assert row["body_hash"] == stored_body_hash(row["body"])
        removed = json.loads(row["removed"])
        notice = [r for r in removed if NOTICE in r["text"]]
        assert notice[0]["cleaner"] == "learned_boilerplate"
        assert notice[0]["reason"] == f"seen on 12 of 12 pages of outlet {OUTLET}"
    # Pages 1-5 were cleaned before anything was learned: re-cleaning removes their notice.
    assert all(NOTICE in before[p["url"]]["body"] for p in PAGES[:5])
    again = run_cli("reclean", "--db", str(db_path))
    assert "0 articles updated, 12 unchanged" in again.stdout


def test_reclean_of_a_missing_database_fails_cleanly(tmp_path: Path) -> None:
    result = run_cli("reclean", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2
    assert "no database" in result.stderr


def test_counts_wait_for_the_store_lock_and_are_written_when_it_is_free(tmp_path: Path) -> None:
    db_path = tmp_path / "articles.db"
    storage = SQLiteStorage(db_path)
    storage.open()  # migrated schema, as a crawl leaves it
    storage.close()
    book = ProfileBook(db_path, ProfileThresholds())
    book.open()
    blocks = [PageBlock(fingerprint("notice"), "notice", 1)]
    assert book.record(OUTLET, "https://harborledger.example/a", blocks)
    assert not book.record(OUTLET, "https://harborledger.example/a", blocks)  # same page again
    batch = sqlite3.connect(db_path, isolation_level=None)
    batch.execute("BEGIN IMMEDIATE")  # the store's open batch holds the write lock
    assert book.flush() is False
    assert book.pending == 1
    batch.execute("COMMIT")
    batch.close()
    assert book.flush() is True
    book.close()
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT outlet_id, url FROM boilerplate_pages").fetchall()
    finally:
        conn.close()
    assert rows == [(OUTLET, "https://harborledger.example/a")]


def jsonl_input() -> str:
    return "".join(
        json.dumps({"id": p["file"], "url": p["url"], "outlet": OUTLET,
                    "html": (FIXTURES / p["file"]).read_text(encoding="utf-8")}) + "\n"
        for p in PAGES
    )


def test_jsonl_learn_learns_per_outlet_then_cleans_every_page() -> None:
    learned = run_cli("extract", "--jsonl", "--learn", stdin=jsonl_input())
    plain = run_cli("extract", "--jsonl", stdin=jsonl_input())
    assert learned.returncode == 0, learned.stderr
    learned_out = [json.loads(line) for line in learned.stdout.splitlines()]
    plain_out = [json.loads(line) for line in plain.stdout.splitlines()]
    assert [o["id"] for o in learned_out] == [p["file"] for p in PAGES]
    # Without learning the notice stays (page 12 declares its article body, so there the
    # generic cleaners already know what is not article text).
    assert all(NOTICE in o["body"] for o in plain_out[:11])
    assert not any(NOTICE in o["body"] for o in learned_out)
    assert all(BACKGROUND in o["body"] for o in learned_out[2:6])
    assert all(
        any(r["cleaner"] == "learned_boilerplate" for r in o["removed"]) for o in learned_out
    )


def test_jsonl_learn_needs_jsonl() -> None:
    assert run_cli("extract", "--learn", str(FIXTURES / PAGES[0]["file"])).returncode == 2


def test_reclean_keeps_the_replaced_text_in_article_versions(tmp_path: Path) -> None:
    """Re-cleaning writes through the store: what a row held before is a version of it."""
    db_path = crawl_fixture_outlet(tmp_path)
    before = articles(db_path)
    assert run_cli("reclean", "--db", str(db_path)).returncode == 0
    assert run_cli("reclean", "--db", str(db_path)).returncode == 0  # unchanged: no new version
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        versions = [dict(row) for row in conn.execute("SELECT * FROM article_versions")]
    finally:
        conn.close()
    assert sorted(v["article_id"] for v in versions) == sorted(r["id"] for r in before.values())
    by_article = {v["article_id"]: v for v in versions}
    for row in before.values():
        kept = by_article[row["id"]]
        assert (kept["body"], kept["body_hash"]) == (row["body"], row["body_hash"])
        assert kept["cleaner_version"] == row["cleaner_version"]


def test_reclean_counts_the_most_recent_pages_of_the_window(tmp_path: Path) -> None:
    db_path = crawl_fixture_outlet(tmp_path)
    conn = sqlite3.connect(db_path)
    urls = [page["url"] for page in PAGES]
    # Fetched an hour apart, in the fixture's order (a crawl in one second cannot tell them).
    with conn:
        for hour, url in enumerate(urls):
            fetched_at = f"2024-05-01T{hour:02d}:00:00"
            conn.execute("UPDATE pages SET fetched_at = ? WHERE url = ?", [fetched_at, url])
    conn.close()
    result = run_cli("reclean", "--db", str(db_path), "--window-pages", "6")
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db_path)
    try:
        counted = {url for (url,) in conn.execute("SELECT url FROM boilerplate_pages")}
    finally:
        conn.close()
    assert counted == set(urls[-6:])
    assert f"{OUTLET}: 6 pages" in result.stdout


def test_reclean_applies_the_cleaning_rules_of_an_outlets_file(tmp_path: Path) -> None:
    db_path = crawl_fixture_outlet(tmp_path)
    assert any(BACKGROUND in row["body"] for row in articles(db_path).values())
    rules = tmp_path / "rules.toml"
    pattern = BACKGROUND.split(".")[0]
    rules.write_text(OUTLETS_TOML + f"drop_patterns = [{json.dumps(pattern)}]\n", encoding="utf-8")
    result = run_cli("reclean", "--db", str(db_path), "--outlets", str(rules))
    assert result.returncode == 0, result.stderr
    assert not any(BACKGROUND in row["body"] for row in articles(db_path).values())


def test_error_lines_name_the_command_as_it_was_called() -> None:
    """`cleannews reclean` and `python -m cleaners reclean` each name themselves in their lines."""
    from cleaners.__main__ import COMMANDS
    from cleaners.cli import build_parser as cleaners_parser
    from cleannews.cli import build_parser as cleannews_parser
    from reclean.commands import command_name

    ours = cleannews_parser().parse_args(["reclean", "--db", "x.db"])
    alias = cleaners_parser(COMMANDS).parse_args(["reclean", "--db", "x.db"])
    assert command_name(ours, "reclean") == "cleannews reclean"
    assert command_name(alias, "reclean") == "python -m cleaners reclean"
    profile = cleannews_parser().parse_args(["profile", "--db", "x.db"])
    assert command_name(profile, "profile") == "cleannews profile"
