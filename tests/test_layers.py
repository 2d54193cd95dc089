"""Dependencies point one way (DESIGN §1): core ← ledger ← workflows (billing, cashapp, aging) and formats ← app ←
the entry points (cli, macros, udfs). The domain core never touches a file, the clock, Excel or a workbook library.

Every module of the tree is checked against the rule of its layer; a failure lists each offending import with
its line.
"""

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

WORKFLOWS = frozenset({"billing", "cashapp", "aging", "books"})
FILE_LIBRARIES = frozenset({"openpyxl", "python_calamine", "lxml", "zipfile", "defusedxml", "xlwings", "pandas",
                            "fastexcel", "mt940", "smtplib", "jinja2"})
# what each layer may import of arxl (its own layer is always allowed)
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "ledger": frozenset({"core"}),
    **{workflow: frozenset({"core", "ledger"}) for workflow in WORKFLOWS},
    "formats": frozenset({"core", "ledger"}),
    "excel": frozenset({"core", "ledger", "formats", "app"}),  # the live host runs jobs; no workflow directly
    "app": frozenset({"core", "ledger", "formats", "excel", "sample", *WORKFLOWS}),  # the one orchestration layer
    # the sample generator bills its story with the real billing run and writes it; only app and cli import it
    "sample": frozenset({"core", "ledger", "formats", *WORKFLOWS}),
    # entry points: parse, call one job of app, report; the add-in build and the live Excel host are theirs too
    "cli": frozenset({"core", "ledger", "app", "excel", "sample"}),
    "macros": frozenset({"core", "ledger", "app", "excel"}),
    "udfs": frozenset({"core", "ledger", "app", "excel", "frames"}),
    # the pandas face: reads a workbook as a job does and lays out the aging workflow's figures (app-level)
    "frames": frozenset({"core", "ledger", "formats", "app", "aging"}),
}
def imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def imports_with_lines(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return sorted(found)


def layer_of(path: Path) -> str:
    """The layer of a module: the top-level folders udfs/ and macros/, else the folder under arxl/ (or the
    module itself, arxl/cli)."""
    parts = path.relative_to(ROOT).parts
    if parts[0] in ("udfs", "macros"):
        return parts[0]
    return parts[1].removesuffix(".py")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = sorted(p for folder in ("arxl", "udfs", "macros") for p in (ROOT / folder).rglob("*.py")
                 if layer_of(p) not in ("__init__", "py"))


def offences(path: Path) -> list[str]:
    """Each import of a module that its layer's rule forbids, as ``file:line: import name (why)``."""
    layer = layer_of(path)
    allowed = ALLOWED[layer] | {layer}
    bad: list[str] = []
    for line, name in imports_with_lines(ast.parse(path.read_text(), str(path))):
        top = name.split(".")[0]
        where = f"{path.relative_to(ROOT)}:{line}: import {name}"
        if top == "arxl" and name != "arxl":
            target = name.split(".")[1]
            if target not in allowed:
                bad.append(f"{where} ({layer} may import {', '.join(sorted(ALLOWED[layer])) or 'nothing'} of arxl)")
        elif layer in WORKFLOWS and top in FILE_LIBRARIES:
            bad.append(f"{where} (a workflow reads no file: records in, records out)")
    return bad


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_imports_follow_the_layers(path: Path) -> None:
    bad = offences(path)
    assert not bad, "\n".join(bad)


def test_every_layer_is_known() -> None:
    assert {layer_of(p) for p in MODULES} <= ALLOWED.keys()


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


def test_every_package_is_installed() -> None:
    """A wheel holds only the packages pyproject.toml lists: a new subpackage missing there works in a checkout
    and is absent from an installed arxl."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "arxl").rglob("__init__.py")}
    assert found - listed == set()
