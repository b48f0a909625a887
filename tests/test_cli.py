"""The command line, run as a real subprocess: `python -m cleaners extract ...`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"
TIME_PAGE = SEEDS / "time-promo-after.html"
RT_PAGE = SEEDS / "rt-notice-inside-sprite-top.html"
TIME_FIRST = "In the second phone conversation between Presidents Barack Obama"


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m cleaners ARGS` in the project root and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "cleaners", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_extract_file_prints_the_clean_body() -> None:
    result = run_cli("extract", str(TIME_PAGE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(TIME_FIRST)
    assert "More Must-Reads" not in result.stdout
    assert "Traceback" not in result.stderr


def test_extract_json_gives_the_article_fields() -> None:
    result = run_cli("extract", str(RT_PAGE), "--json", "--url", "https://rt.example/news/1/")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Putin to Obama: Use your influence to prevent bloodshed in Ukraine"
    assert article["url"] == "https://rt.example/news/1/"
    assert article["word_count"] == len(article["body"].split())
    assert {"cleaner", "text"} <= set(article["removed"][0])


def test_failed_file_gives_a_message_and_non_zero_exit(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    missing = tmp_path / "missing.html"
    result = run_cli("extract", str(TIME_PAGE), str(pdf), str(missing))
    assert result.returncode == 1
    assert TIME_FIRST in result.stdout
    assert f"{pdf}: not_html" in result.stderr
    assert f"{missing}: cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_jsonl_batch_keeps_going_past_bad_lines() -> None:
    records = [
        json.dumps(
            {"id": "a", "url": None, "html": TIME_PAGE.read_text(encoding="utf-8"), "outlet": None}
        ),
        "{not json",
        json.dumps({"id": "b", "url": "https://x.example/", "html": "", "outlet": "x"}),
        json.dumps({"id": "c", "html": 42}),
        json.dumps(
            {
                "id": 7,
                "url": "https://rt.example/n/",
                "html": RT_PAGE.read_text("utf-8"),
                "outlet": "rt",
            }
        ),
    ]
    result = run_cli("extract", "--jsonl", stdin="\n".join(records) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", None, "b", "c", 7]
    assert lines[0]["body"].startswith(TIME_FIRST)
    assert lines[1]["error"]["reason"] == "bad_json"
    assert lines[2]["error"] == {"reason": "empty", "detail": lines[2]["error"]["detail"]}
    assert lines[3]["error"]["reason"] == "bad_input"
    assert lines[4]["canonical_url"] == "https://rt.example/news/putin-obama-phone-call/"
    assert "Traceback" not in result.stderr


def test_extract_without_input_is_a_usage_error() -> None:
    result = run_cli("extract")
    assert result.returncode == 2
    assert "no FILE given" in result.stderr


def test_jsonl_learn_reports_unusable_lines_as_plain_jsonl_does() -> None:
    lines = 'not json\n[1]\n{"id": 3}\n{"id": 4, "html": 5}\n'
    plain = run_cli("extract", "--jsonl", stdin=lines)
    learned = run_cli("extract", "--jsonl", "--learn", stdin=lines)
    assert [json.loads(line)["error"]["reason"] for line in plain.stdout.splitlines()] == [
        "bad_json", "bad_json", "bad_input", "bad_input"]
    assert learned.stdout == plain.stdout
