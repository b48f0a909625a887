"""Every setting the code reads is declared and documented in crawler/settings.py, once.

Checked on the source with `ast`: the names passed to `settings.get*()` (and to the scale-out
add-on's `setting_or_env`) anywhere in the packages must be Scrapy's own or declared in
crawler/settings.py with a comment above them; and code reads them without a fallback, so the
default lives in one place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from scrapy.settings import default_settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cleaners", "core", "storage", "crawler", "pipelines", "reclean", "cleannews")
SETTINGS_FILE = ROOT / "crawler" / "settings.py"
GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getwithbase"}


def settings_reads(path: Path) -> list[tuple[str, bool, int]]:
    """(name, has a fallback, line) for each settings read with a literal name in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    reads = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in GETTERS:
            owner = ast.unparse(func.value)
            if owner.split(".")[-1].endswith("settings") and isinstance(first, ast.Constant):
                reads.append((str(first.value), len(node.args) > 1, node.lineno))
        elif getattr(func, "id", "") == "setting_or_env" and len(node.args) > 1:
            if isinstance(node.args[1], ast.Constant):
                reads.append((str(node.args[1].value), False, node.lineno))
    return reads


def declared_settings() -> dict[str, bool]:
    """Names assigned in crawler/settings.py, and whether a comment line comes right before."""
    lines = SETTINGS_FILE.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    declared = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id.isupper():
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            declared[target.id] = above.startswith("#")
    return declared


MODULES = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
READS = [
    (str(path.relative_to(ROOT)), name, fallback, line)
    for path in MODULES
    for name, fallback, line in settings_reads(path)
]


def test_the_reader_finds_the_reads() -> None:
    names = {name for _path, name, _fallback, _line in READS}
    assert {"CLEANNEWS_MIN_WORDS", "SQLITE_PATH", "CLEANNEWS_PROFILE_WINDOW_PAGES"} <= names
    assert "CLEANNEWS_REDIS_KEY_PREFIX" in names  # read by the scale-out scheduler


@pytest.mark.parametrize(("path", "name", "fallback", "line"), READS,
                         ids=[f"{p}:{n}" for p, n, _f, _l in READS])
def test_each_setting_read_is_declared(path: str, name: str, fallback: bool, line: int) -> None:
    declared = declared_settings()
    assert name in declared or hasattr(default_settings, name), (
        f"{path}:{line} reads {name}, which crawler/settings.py does not declare"
    )
    if name.startswith("CLEANNEWS_"):
        assert name in declared, f"{name} is read at {path}:{line} but not declared"


@pytest.mark.parametrize(("path", "name", "fallback", "line"), READS,
                         ids=[f"{p}:{n}" for p, n, _f, _l in READS])
def test_settings_are_read_without_a_fallback(path: str, name: str, fallback: bool, line: int):
    assert not fallback, f"{path}:{line} reads {name} with a default of its own"


def test_every_project_setting_is_documented() -> None:
    undocumented = [
        name for name, commented in declared_settings().items()
        if not commented and name not in ("BOT_NAME", "SPIDER_MODULES", "NEWSPIDER_MODULE")
        and (name.startswith("CLEANNEWS_") or not hasattr(default_settings, name))
    ]
    assert undocumented == []
