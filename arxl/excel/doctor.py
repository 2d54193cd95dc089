"""``arxl addin doctor``: why a ribbon button or an ``=ARXL_...`` function does nothing, and what to do about it.

A button runs ``RunPython`` with the interpreter named in the add-in's ``xlwings.conf`` sheet; the worksheet
functions are imported by that same interpreter. Everything between the click and arxl's code can be out of
step, and Excel then shows at best a terse xlwings message. The doctor checks each link of that chain, in the
order a click meets them:

1. the add-in is installed (Excel's startup folder, where ``arxl addin install`` puts it);
2. the interpreter its settings name exists (``Interpreter_Win`` on Windows, ``Interpreter_Mac`` on macOS);
3. that Python is at least the floor of arxl's ``Requires-Python``;
4. it has arxl, of the version that built the add-in (the ribbon calls macros by name);
5. it has xlwings, of the version whose VBA the add-in carries (the VBA loads that version's DLL);
6. ``arxl.udfs`` and ``arxl.macros`` import there — run in a child process of that interpreter, with the
   environment and the add-in's own ``PYTHONPATH`` setting, so a package shadowing arxl is found as Excel
   would find it.

Each check is one line, OK or a problem, and a problem says the exact command or step that fixes it. The
versions the add-in was built with are read from its custom properties (:mod:`arxl.excel.stamp`).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from arxl import __version__
from arxl.core.errors import ArxlError
from arxl.excel import stamp
from arxl.excel.addin import ADDIN_FILE, CONFIG_SHEET, default_xlstart

MODULES = ("arxl.udfs", "arxl.macros")
PROBE_SECONDS = 120  # importing arxl.macros loads every job: slow on a cold disk, never minutes
_PROBE = """
import importlib, json, sys
found = {"python": list(sys.version_info[:3]), "modules": {}}
for name in ("arxl", "xlwings"):
    try:
        module = importlib.import_module(name)
        found[name] = [str(getattr(module, "__version__", "")), str(getattr(module, "__file__", ""))]
    except BaseException as exc:
        found[name] = None
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
        found["modules"][name] = ""
    except BaseException as exc:
        found["modules"][name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(found))
"""
INSTALL = "arxl addin install"


@dataclass(frozen=True)
class Check:
    """One link of the chain: what was checked, what was found, and the fix when it is a problem."""

    what: str
    found: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return not self.fix


def installed_addin() -> Path | None:
    """The installed add-in: in the usual startup folder, or where Excel (asked through xlwings) says."""
    usual = default_xlstart() / ADDIN_FILE
    if usual.is_file():
        return usual
    from arxl.excel.addin import _excel_startup_folder  # starts Excel hidden: only when the usual place is empty

    folder = _excel_startup_folder()
    return folder / ADDIN_FILE if folder and (folder / ADDIN_FILE).is_file() else None


def addin_settings(addin: Path) -> dict[str, str]:
    """The settings of the add-in's ``xlwings.conf`` sheet, by upper-cased name (as xlwings reads them)."""
    import openpyxl

    buffer = io.BytesIO()  # openpyxl knows no add-in content type: read the package typed as an .xlsm
    try:
        with zipfile.ZipFile(addin) as source, zipfile.ZipFile(buffer, "w") as target:
            for name in source.namelist():
                data = source.read(name)
                if name == "[Content_Types].xml":
                    data = data.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
                target.writestr(name, data)
        book = openpyxl.load_workbook(buffer, read_only=True)
    except Exception as exc:  # a damaged or foreign file: zipfile, openpyxl and their XML parsers raise their own
        raise ArxlError(f"{addin}: not a readable add-in ({exc}); rebuild it with {INSTALL}") from None
    try:
        if CONFIG_SHEET not in book.sheetnames:
            return {}
        settings: dict[str, str] = {}
        for row in book[CONFIG_SHEET].iter_rows(max_col=2, values_only=True):
            if not row or row[0] is None:
                break  # xlwings reads from A1 down to the first empty cell
            settings[str(row[0]).strip().upper()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
        return settings
    finally:
        book.close()


def python_floor() -> tuple[int, int]:
    """The lowest Python arxl supports: the ``>=`` of its installed ``Requires-Python`` (pyproject.toml)."""
    try:
        requires = metadata.metadata("arxl")["Requires-Python"] or ""
    except (metadata.PackageNotFoundError, KeyError):  # not installed, or installed without the field
        requires = ""
    match = re.search(r">=\s*(\d+)\.(\d+)", requires)
    if not match:
        raise ArxlError("arxl's installed metadata has no Requires-Python: reinstall arxl (pip install -e .)")
    return int(match[1]), int(match[2])


def probe(interpreter: str, pythonpath: str = "") -> dict[str, Any]:
    """What ``interpreter`` finds when Excel starts it: its version, arxl's and xlwings', and the imports."""
    env = dict(os.environ)
    if pythonpath:  # xlwings puts the add-in's PYTHONPATH setting before the environment's
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run([interpreter, "-c", _PROBE, *MODULES], capture_output=True, text=True, env=env,
                              cwd=tempfile.gettempdir(), timeout=PROBE_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    lines = done.stdout.strip().splitlines()
    try:
        found: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return {"error": tail}
    return found


def _same_file(left: str, right: str) -> bool:
    """The same path, symlinks kept (a virtual environment's python links to the base one, yet differs)."""
    return os.path.normcase(os.path.abspath(left)) == os.path.normcase(os.path.abspath(right))


def examine(addin: Path | None = None) -> tuple[Path | None, list[Check]]:
    """Every check, for the add-in at ``addin`` (default: the installed one); each problem carries its fix."""
    addin_check = _locate(addin)
    checks = [addin_check]
    addin = Path(addin_check.found) if addin_check.ok else None
    built, settings = (stamp.read_stamp(addin), addin_settings(addin)) if addin else ({}, {})
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    named = settings.get(key, "")
    interpreter = named or sys.executable
    if addin is not None:
        if not named:
            checks.append(Check("interpreter", f"the add-in's {key} is empty: Excel runs whichever Python "
                                "xlwings' own settings or the PATH give",
                                f"run: {INSTALL} (it names this Python, {sys.executable})"))
        elif not Path(named).is_file():
            checks.append(Check("interpreter", f"the add-in's {key} is {named}, which does not exist",
                                f"run: {INSTALL} with the Python that has arxl (this one is {sys.executable})"))
            return addin, checks
    found = probe(interpreter, settings.get("PYTHONPATH", ""))
    if "error" in found:
        checks.append(Check("interpreter", f"{interpreter} does not run: {found['error']}",
                            f"run: {INSTALL} with a Python that has arxl (this one is {sys.executable})"))
        return addin, checks
    this = _same_file(interpreter, sys.executable)
    if named and not this and found.get("arxl") is None:
        checks.append(Check("interpreter", f"{interpreter} has no arxl",
                            f"run: {INSTALL} (it names this Python, {sys.executable}, which has arxl)"))
    elif named:
        checks.append(Check("interpreter", interpreter + (" (this Python)" if this else " (has arxl)")))
    checks += _versions(found, built, interpreter, addin is not None)
    checks += _imports(found, interpreter, this)
    return addin, checks


def _locate(addin: Path | None) -> Check:
    """The add-in to check: the one given, or the installed one; its path is the check's finding when it is OK."""
    if addin is None:
        try:
            addin = installed_addin()
        except ArxlError:  # no Excel on this system: the Python is still worth checking
            return Check("add-in", "Excel does not run on this system, so no add-in is installed here",
                         "check a built add-in instead: arxl addin build -o arxl.xlam, then arxl addin doctor "
                         "--file arxl.xlam")
        if addin is None:
            return Check("add-in", f"no {ADDIN_FILE} at {default_xlstart() / ADDIN_FILE}", f"run: {INSTALL}")
    if not addin.is_file():
        return Check("add-in", f"no {ADDIN_FILE} at {addin}", f"run: {INSTALL}, or give the add-in's path")
    return Check("add-in", str(addin))


def _versions(found: dict[str, Any], built: dict[str, str], interpreter: str, installed: bool) -> list[Check]:
    checks: list[Check] = []
    floor = python_floor()
    python = tuple(found["python"])
    shown = ".".join(map(str, python))
    if python[:2] < floor:
        checks.append(Check("Python", f"{shown} at {interpreter}; arxl needs {floor[0]}.{floor[1]} or later",
                            f"install Python {floor[0]}.{floor[1]} or later, install arxl into it, and run "
                            f"{INSTALL} with it"))
    else:
        checks.append(Check("Python", f"{shown} (arxl needs {floor[0]}.{floor[1]} or later)"))
    if not installed:
        return checks
    arxl_there = found["arxl"][0] if found.get("arxl") else ""
    addin_arxl = built.get(stamp.ARXL, "")
    if not addin_arxl:
        checks.append(Check("arxl", "the add-in does not say which arxl built it (built before arxl recorded it)",
                            f"run: {INSTALL} (rebuilds it from arxl {__version__})"))
    elif addin_arxl != __version__:
        checks.append(Check("arxl", f"the add-in was built by arxl {addin_arxl}; this is arxl {__version__}",
                            f"run: {INSTALL} (rebuilds it from arxl {__version__})"))
    elif arxl_there and arxl_there != addin_arxl:
        checks.append(Check("arxl", f"the add-in was built by arxl {addin_arxl}; {interpreter} has arxl "
                            f"{arxl_there}", f"run: {INSTALL} (rebuilds it for that Python's arxl), or install arxl "
                            f'{addin_arxl} there: "{interpreter}" -m pip install {_arxl_source()}'))
    else:
        checks.append(Check("arxl", f"{addin_arxl}, the add-in's and the Python's"))
    addin_xlwings = built.get(stamp.XLWINGS, "")
    xlwings_there = found["xlwings"][0] if found.get("xlwings") else ""
    if not xlwings_there:
        checks.append(Check("xlwings", f"{interpreter} has no xlwings",
                            f'run: "{interpreter}" -m pip install xlwings=={addin_xlwings or "<version>"}'))
    elif addin_xlwings and xlwings_there != addin_xlwings:
        checks.append(Check("xlwings", f"the add-in's VBA is xlwings {addin_xlwings}'s (it loads "
                            f"xlwings64-{addin_xlwings}.dll); {interpreter} has xlwings {xlwings_there}",
                            f"run: {INSTALL} (rebuilds the VBA from xlwings {xlwings_there}), or "
                            f'"{interpreter}" -m pip install xlwings=={addin_xlwings}'))
    else:
        checks.append(Check("xlwings", xlwings_there + (", the add-in's and the Python's" if addin_xlwings else "")))
    return checks


def _imports(found: dict[str, Any], interpreter: str, this: bool) -> list[Check]:
    checks: list[Check] = []
    ours = Path(sys.modules["arxl"].__file__ or "").parent
    where = Path(found["arxl"][1]).parent if found.get("arxl") else None
    if this and where is not None and not _same_file(str(where), str(ours)):
        checks.append(Check("arxl found", f"{interpreter} imports arxl from {where}, not from {ours}: a package "
                            "named arxl shadows the installed one",
                            f"remove {where.parent} from PYTHONPATH (and from the add-in's PYTHONPATH setting), "
                            "or rename the folder arxl there"))
    for name in MODULES:
        error = found["modules"].get(name, "not tried")
        if not error:
            checks.append(Check(f"import {name}", "imports"))
        else:
            checks.append(Check(f"import {name}", f"{error} (in {interpreter})",
                                f'run: "{interpreter}" -m pip install --force-reinstall {_arxl_source()}, '
                                f"or {INSTALL} from a Python where arxl works"))
    return checks


def _arxl_source() -> str:
    """What pip installs this arxl from: its checkout (``-e "folder"``) or its name."""
    root = Path(__file__).resolve().parents[2]
    return f'-e "{root}"' if (root / "pyproject.toml").is_file() else f"arxl=={__version__}"


def report(checks: list[Check]) -> list[str]:
    """The lines the command prints: ``OK`` or ``PROBLEM`` and what was found, then ``fix:`` under a problem."""
    lines: list[str] = []
    for check in checks:
        lines.append(f"{'OK' if check.ok else 'PROBLEM':8}{check.what}: {check.found}")
        if check.fix:
            lines.append(f"{'':8}fix: {check.fix}")
    return lines
