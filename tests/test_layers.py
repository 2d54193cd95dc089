"""Dependencies point one way: the domain core never touches a file, the clock, Excel or a workbook library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted((ROOT / "arxl" / "core").glob("*.py"))
FORBIDDEN_MODULES = ("openpyxl", "xlwings", "python_calamine", "pandas",
                     "arxl.ledger", "arxl.formats", "arxl.app", "arxl.excel", "arxl.cli",
                     "os", "pathlib", "subprocess", "shutil", "zipfile", "socket", "smtplib")
FORBIDDEN_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"),
                   ("time", "time")}


def imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=[p.name for p in CORE])
def test_core_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    for name in imported(tree):
        assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_MODULES), \
            f"{path.name} imports {name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name):
                assert function.id != "open", f"{path.name}:{node.lineno} opens a file"
            if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
                assert (function.value.id, function.attr) not in FORBIDDEN_CALLS, \
                    f"{path.name}:{node.lineno} reads the clock"
        assert ast.get_docstring(tree), f"{path.name} has no module docstring"


def test_the_core_is_all_there() -> None:
    assert {p.stem for p in CORE} >= {"money", "dates", "tax", "terms", "calendar", "aging", "scoring", "words"}


def test_udfs_and_macros_install_under_arxl() -> None:
    import arxl.macros
    import arxl.udfs

    assert Path(arxl.udfs.__file__).parent.name == "udfs"
    assert Path(arxl.macros.__file__).parent.name == "macros"
    assert callable(arxl.udfs.arxl_vat)
