"""Architecture boundaries, checked on the source with `ast`.

`cleaners/` is a library usable without Scrapy or a database; spiders only discover and fetch,
so they import neither the cleaners nor the storage layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLEANER_MODULES = sorted((ROOT / "cleaners").rglob("*.py"))
SPIDER_MODULES = sorted((ROOT / "crawler" / "spiders").rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    """Top-level package names a module imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                roots.add(str(node.args[0].value).split(".")[0])
    return roots


def test_there_are_modules_to_check() -> None:
    assert len(CLEANER_MODULES) >= 5
    assert SPIDER_MODULES


@pytest.mark.parametrize("path", CLEANER_MODULES, ids=lambda p: p.name)
def test_cleaners_import_neither_scrapy_nor_sqlite_utils(path: Path) -> None:
    forbidden = imported_roots(path) & {"scrapy", "sqlite_utils", "pipelines", "crawler"}
    assert not forbidden, f"{path.name} imports {sorted(forbidden)}"


@pytest.mark.parametrize("path", SPIDER_MODULES, ids=lambda p: p.name)
def test_spiders_import_neither_cleaners_nor_sqlite_utils(path: Path) -> None:
    forbidden = imported_roots(path) & {"cleaners", "sqlite_utils"}
    assert not forbidden, f"{path.name} imports {sorted(forbidden)}"


def test_the_checker_sees_forbidden_imports(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import scrapy.http\nfrom sqlite_utils import Database\n", encoding="utf-8")
    assert {"scrapy", "sqlite_utils"} <= imported_roots(module)
