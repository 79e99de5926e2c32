"""The measuring tools stay outside the web package: nothing under webmap/ imports bench/."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_web_package_imports_no_measuring_tool():
    importers = {str(path.relative_to(ROOT)): sorted(name for name in imported_modules(path)
                                                     if name == "bench" or name.startswith("bench."))
                 for path in (ROOT / "webmap").rglob("*.py")}
    assert {path: names for path, names in importers.items() if names} == {}
    assert not (ROOT / "webmap" / "bench").exists() and not (ROOT / "webmap" / "benchmark.py").exists()
