"""No project import inside a function unless it says why (issue 18).

An import inside a function hides an import cycle; a cycle is broken by moving the shared
piece to a module both sides import, or by registering through AppConfig.ready. Three
reasons remain, each marked on the import's first line:
``# lazy: heavy`` (an optional, heavy library: WeasyPrint via core.pdf, pyscard via
idcard.pcsc), ``# lazy: demo`` (demo-only code), ``# lazy: cli`` (a CLI's sub-command).
AppConfig.ready() is exempt: Django loads models only after apps.py is imported.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))
MARKERS = ("# lazy: heavy", "# lazy: demo", "# lazy: cli")


def _modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts or parts[-1] == "apps.py":
                continue
            found.append(path)
    return found


def _is_project(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in APPS
    return any(alias.name.split(".")[0] in APPS for alias in node.names)


def function_level_imports(source: str) -> list[tuple[int, str]]:
    """(line, text) of each unmarked project import inside a function of ``source``."""
    lines = source.splitlines()
    bad = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import | ast.ImportFrom) and _is_project(node):
                line = lines[node.lineno - 1]
                if not any(m in line for m in MARKERS):
                    bad.append((node.lineno, line.strip()))
    return sorted(set(bad))


def test_the_project_has_modules_to_check():
    modules = _modules()
    assert len(modules) > 100
    assert ROOT / "console" / "selectors.py" in modules


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def f():\n    from accounts.models import User\n", [2]),
        ("def f():\n    from .keys import x\n", [2]),
        ("def f():\n    import exchange.demo\n", [2]),
        ("class A:\n    def m(self):\n        from core import pdf\n", [3]),
        ("def f():\n    from core.pdf import render_pdf  # lazy: heavy\n", []),
        ("def f():\n    import json\n    from django.db import models\n", []),
        ("from accounts.models import User\n", []),
    ],
)
def test_the_check_finds_unmarked_function_imports(source, expected):
    assert [line for line, _ in function_level_imports(source)] == expected


def test_no_project_import_inside_a_function():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in _modules()
        for line, text in function_level_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "move to the module's top or mark why:\n" + "\n".join(offenders)
