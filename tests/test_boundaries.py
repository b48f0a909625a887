"""Architecture boundaries, checked on the source with `ast`.

`ALLOWED` is the README's package diagram as a table: which of the project's packages each one
may import. Packages sit in layers, so no two import each other: `cleaners/` is a library usable
without Scrapy or a database (HTML in, `Article` out, no file written); `core/` is the model that
crawler, pipelines and storage share; `storage/` is what every writer goes through; spiders
only discover and fetch.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> the project's packages it may import (bench and tests may import any).
ALLOWED: dict[str, set[str]] = {
    "cleaners": set(),
    "core": {"cleaners"},
    "storage": {"core", "cleaners"},
    "crawler": {"core", "storage", "cleaners"},  # cleaners: the learning defaults, in settings
    "pipelines": {"core", "storage", "cleaners", "crawler"},
    "reclean": {"core", "storage", "cleaners"},
    "cleannews": {"core", "storage", "cleaners", "crawler", "pipelines", "reclean"},
    "bench": {"core", "storage", "cleaners", "crawler", "pipelines", "reclean"},
}
# Outside libraries a package must not import.
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {
    "cleaners": {"scrapy", "twisted", "sqlite3", "sqlite_utils", "psycopg", "shutil", "tempfile"},
    "core": {"scrapy", "twisted", "sqlite3", "sqlite_utils", "psycopg"},
}
# `python -m cleaners` is the one module of the library's folder that is not the library
# (`import cleaners` never loads it): it adds the database commands of `reclean`.
ENTRY_POINTS: dict[Path, set[str]] = {ROOT / "cleaners" / "__main__.py": {"reclean"}}

# Methods that write files (or make folders), and the modules' own functions that do; the
# cleaners call none of them. (`remove`, `replace` alone are lxml's and str's.)
WRITING_METHODS = {"write_text", "write_bytes", "mkdir", "makedirs", "touch", "unlink", "rmdir"}
WRITING_FUNCTIONS = {
    "os": {"remove", "rename", "replace", "unlink", "mkdir", "makedirs", "rmdir", "write",
           "truncate", "symlink", "link"},
    "json": {"dump"}, "pickle": {"dump"},
}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    """Top-level package names a module imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if name in ("__import__", "import_module") and node.args:
                if isinstance(node.args[0], ast.Constant):
                    roots.add(str(node.args[0].value).split(".")[0])
    return roots


def file_writes(path: Path) -> list[str]:
    """The calls in a module that write a file: open() for writing, Path.write_text ..."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        owner = getattr(getattr(node.func, "value", None), "id", "")
        if name in WRITING_METHODS or name in WRITING_FUNCTIONS.get(owner, ()):
            found.append(f"{owner + '.' if owner else ''}{name}() at line {node.lineno}")
        elif name == "open":
            modes = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "mode")]
            if any(not isinstance(m, ast.Constant) or set(str(m.value)) & set("wax+")
                   for m in modes):
                found.append(f"open(..., mode) at line {node.lineno}")
    return found


PROJECT_MODULES = [(package, path) for package in ALLOWED for path in modules(package)]


def test_there_are_modules_to_check() -> None:
    for package in ALLOWED:
        assert modules(package), package
    assert len(modules("cleaners")) >= 5


def test_every_top_level_package_is_in_the_table() -> None:
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize(
    ("package", "path"), PROJECT_MODULES, ids=[str(p.relative_to(ROOT)) for _, p in PROJECT_MODULES]
)
def test_package_imports_only_what_the_table_allows(package: str, path: Path) -> None:
    project = imported_roots(path) & set(ALLOWED)
    allowed = ALLOWED[package] | {package} | ENTRY_POINTS.get(path, set())
    assert project <= allowed, f"{path.relative_to(ROOT)} imports {sorted(project - allowed)}"
    forbidden = imported_roots(path) & FORBIDDEN_LIBRARIES.get(package, set())
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


def reachable(table: dict[str, set[str]], package: str) -> set[str]:
    """Every package `package` may reach through the table, directly or not."""
    seen: set[str] = set()
    todo = list(table[package])
    while todo:
        target = todo.pop()
        if target not in seen:
            seen.add(target)
            todo.extend(table.get(target, ()))
    return seen


def test_the_table_has_no_cycle() -> None:
    """No package reaches itself through the table, so no two import each other."""
    assert [package for package in ALLOWED if package in reachable(ALLOWED, package)] == []
    assert "a" in reachable({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a")  # the check sees one


@pytest.mark.parametrize("path", modules("cleaners"), ids=lambda p: p.name)
def test_cleaners_write_no_file(path: Path) -> None:
    assert not file_writes(path), f"{path.name} writes: {file_writes(path)}"


@pytest.mark.parametrize("path", modules("crawler/spiders"), ids=lambda p: p.name)
def test_spiders_import_neither_cleaners_nor_storage(path: Path) -> None:
    forbidden = imported_roots(path) & {"cleaners", "storage", "sqlite_utils", "sqlite3"}
    assert not forbidden, f"{path.name} imports {sorted(forbidden)}"


def test_the_checker_sees_forbidden_imports(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        "import scrapy.http\nfrom sqlite_utils import Database\n"
        "import importlib\nimportlib.import_module('storage.sqlite')\n",
        encoding="utf-8",
    )
    assert {"scrapy", "sqlite_utils", "storage"} <= imported_roots(module)


def test_the_checker_sees_file_writes(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        "import os\nfrom pathlib import Path\nPath('x').write_text('y')\nopen('z', 'w')\n"
        "open('r')\nopen('b', mode='ab')\nos.replace('a', 'b')\n'text'.replace('a', 'b')\n",
        encoding="utf-8",
    )
    assert len(file_writes(module)) == 4
