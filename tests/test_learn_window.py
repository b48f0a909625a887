"""The window of learning counts: an outlet's counts describe its most recent pages only.

Checked on a real SQLite file against counts made from scratch over the pages the window
holds, through the book a crawl uses (pipelines.learn.ProfileBook), the store functions, the
settings, and `reclean`'s rebuild.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from support.settings import crawler_for_test

from cleaners.profile import PageBlock, ProfileThresholds, fingerprint, learn_profile
from pipelines.learn import ProfileBook, window_from_settings
from storage.boilerplate import create_tables, evict_oldest_pages, load_stats, record_pages

OUTLET = "harbour"
THRESHOLDS = ProfileThresholds(min_pages=3, min_block_pages=2, min_paragraph_pages=3)


def block(name: str, words: int = 3) -> PageBlock:
    return PageBlock(fingerprint(name), name, words)


def stored_pages(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """The pages the tables hold now, with their fingerprints."""
    return {
        url: set(json.loads(prints))
        for url, prints in conn.execute(
            "SELECT url, fingerprints FROM boilerplate_pages WHERE outlet_id = ?", [OUTLET]
        )
    }


def new_database(tmp_path: Path) -> Path:
    path = tmp_path / "learn.db"
    conn = sqlite3.connect(path)
    create_tables(conn)
    conn.close()
    return path


def test_eviction_leaves_the_counts_of_the_most_recent_pages(tmp_path: Path) -> None:
    conn = sqlite3.connect(new_database(tmp_path), isolation_level=None)
    rng = random.Random(3)
    template = [block(f"template line {n}") for n in range(6)]
    recorded: list[tuple[str, list[PageBlock]]] = []
    for page in range(30):
        blocks = rng.sample(template, rng.randint(1, 6)) + [block(f"story {page} paragraph")]
        recorded.append((f"https://harbour.example/{page}", blocks))
        record_pages(conn, [(OUTLET, recorded[-1][0], blocks)])
    evicted = evict_oldest_pages(conn, OUTLET, 12)
    assert len(evicted) == 18
    kept = recorded[-12:]
    assert stored_pages(conn) == {url: {b.fingerprint for b in bs} for url, bs in kept}
    expected = Counter(b.fingerprint for _url, bs in kept for b in {x.fingerprint: x for x in bs}
                       .values())
    loaded = load_stats(conn, OUTLET)
    assert loaded.pages == 12
    assert loaded.counts == expected
    # No row is left for a block that none of the kept pages holds.
    rows = dict(conn.execute("SELECT fingerprint, pages FROM boilerplate_blocks").fetchall())
    assert set(rows) <= set(expected)
    assert all(rows[p] == expected[p] for p in rows)
    assert evict_oldest_pages(conn, OUTLET, 12) == []
    assert evict_oldest_pages(conn, OUTLET, 0) == []  # 0 keeps every page


def test_the_book_holds_only_the_window_and_agrees_with_the_tables(tmp_path: Path) -> None:
    path = new_database(tmp_path)
    book = ProfileBook(path, THRESHOLDS, window_pages=25)
    book.open()
    rng = random.Random(11)
    template = [block(f"template line {n}", 3 if n % 2 else 20) for n in range(10)]
    for page in range(300):
        url = f"https://harbour.example/{rng.randrange(200)}"  # some pages come back changed
        blocks = rng.sample(template, rng.randint(0, 10))
        blocks += [block(f"story {rng.randrange(5000)}", 20) for _ in range(rng.randint(1, 20))]
        book.record(OUTLET, url, blocks)
        if page % 10 == 9:
            book.flush(wait=True)
            assert book.conn is not None
            window = stored_pages(book.conn)
            stats = book.outlet_stats(OUTLET)
            assert len(window) == stats.pages <= 25
            assert stats.counts == Counter(p for prints in window.values() for p in prints)
            loaded = load_stats(book.conn, OUTLET)
            assert (loaded.pages, loaded.counts) == (stats.pages, stats.counts)
            assert book._learn(stats) == learn_profile(loaded, THRESHOLDS)
    # Bounded: the book holds the blocks of at most the window's pages (each under 31 blocks).
    assert len(book.outlet_stats(OUTLET).counts) <= 25 * 30
    book.close()


def test_a_template_the_outlet_dropped_is_forgotten_once_the_window_moves_on(
    tmp_path: Path,
) -> None:
    book = ProfileBook(new_database(tmp_path), THRESHOLDS, window_pages=20)
    book.open()
    old_line, new_line = block("Subscribe to the old print edition"), block("Listen to our podcast")
    for page in range(80):
        line = old_line if page < 40 else new_line
        blocks = [line, block(f"story {page} paragraph one", 20), block(f"story {page} two", 20)]
        book.record(OUTLET, f"https://harbour.example/{page}", blocks)
        book.profile_for(OUTLET)  # asked for every page, as the extract step does
        if page % 10 == 9:
            book.flush(wait=True)
        if page == 39:
            assert old_line.fingerprint in book.profile_for(OUTLET)
    profile = book.profile_for(OUTLET)
    assert new_line.fingerprint in profile
    assert old_line.fingerprint not in profile
    book.close()


def test_window_zero_counts_every_page(tmp_path: Path) -> None:
    book = ProfileBook(new_database(tmp_path), THRESHOLDS, window_pages=0)
    book.open()
    for page in range(60):
        book.record(OUTLET, f"https://harbour.example/{page}", [block(f"story {page}", 20)])
        if page % 10 == 9:
            book.flush(wait=True)
    assert book.conn is not None
    assert len(stored_pages(book.conn)) == 60 == book.outlet_stats(OUTLET).pages
    book.close()


def test_the_window_setting() -> None:
    def settings(**values: object):
        return crawler_for_test(overrides=values).settings

    assert window_from_settings(settings()) == 1000
    assert window_from_settings(settings(CLEANNEWS_PROFILE_WINDOW_PAGES="250")) == 250
    assert window_from_settings(settings(CLEANNEWS_PROFILE_WINDOW_PAGES=0)) == 0
    with pytest.raises(ValueError, match="CLEANNEWS_PROFILE_WINDOW_PAGES"):
        window_from_settings(settings(CLEANNEWS_PROFILE_WINDOW_PAGES=-1))
