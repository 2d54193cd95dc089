"""``arxl addin doctor`` on a real add-in installed into a temporary startup folder, each problem provoked for real.

The add-in is built and installed the way ``arxl addin install`` does it on a Windows machine whose Excel cannot
be asked (tests/test_addin.py): into ``%APPDATA%\\Microsoft\\Excel\\XLSTART``, here under the test's folder. Each
problem is then made as a user would meet it — an interpreter path that does not exist, an add-in built by an
older arxl or with another xlwings, a package named arxl shadowing the installed one — and the doctor must name
it and print the fix.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import arxl.excel.addin as addin
import arxl.macros  # noqa: F401  (imported before a test plays Windows: multiprocessing would look for _winapi)
from arxl import __version__
from arxl.cli import main
from arxl.excel import stamp
from arxl.excel.addin import build_addin
from arxl.excel.doctor import addin_settings, examine


@pytest.fixture
def startup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Windows without an Excel to ask: the add-in goes to %APPDATA%'s XLSTART, where the doctor looks."""
    def no_excel(name: str) -> Any:
        raise RuntimeError("Excel cannot be automated")

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setattr(addin, "_xlwings_cli", no_excel)
    return tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART"


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["addin", "doctor", *args])
    return code, capsys.readouterr().out.splitlines()


def restamp(path: Path, **versions: str) -> None:
    """Rewrite the add-in's recorded versions in place, as an add-in built by another arxl or xlwings has them."""
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    old = stamp.read_stamp(path)
    parts[stamp.PART] = stamp.custom_properties({**old, **{k.replace("_", " ") + " version": v
                                                           for k, v in versions.items()}})
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)


def test_a_fresh_install_is_healthy(startup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    installed = addin.install()
    assert installed == startup / "arxl.xlam"
    assert stamp.read_stamp(installed) == {"arxl version": __version__, "xlwings version": xlwings_version()}
    code, lines = doctor(capsys)
    assert code == 0, lines
    assert lines == [f"OK      add-in: {installed}",
                     f"OK      interpreter: {sys.executable} (this Python)",
                     f"OK      Python: {'.'.join(map(str, sys.version_info[:3]))} (arxl needs 3.11 or later)",
                     f"OK      arxl: {__version__}, the add-in's and the Python's",
                     f"OK      xlwings: {xlwings_version()}, the add-in's and the Python's",
                     "OK      import arxl.udfs: imports",
                     "OK      import arxl.macros: imports"]


def xlwings_version() -> str:
    import xlwings

    return str(xlwings.__version__)


def test_no_addin_installed(startup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys)
    assert code == 2
    assert lines[:2] == [f"PROBLEM add-in: no arxl.xlam at {startup / 'arxl.xlam'}",
                         "        fix: run: arxl addin install"]
    assert "OK      import arxl.udfs: imports" in lines  # this Python is still checked


def test_an_interpreter_path_that_does_not_exist(startup: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    gone = tmp_path / "Python39" / "python.exe"
    addin.install(build_addin(tmp_path / "built.xlam", settings={"Interpreter_Win": str(gone)}))
    code, lines = doctor(capsys)
    assert code == 2
    assert lines[1:] == [f"PROBLEM interpreter: the add-in's INTERPRETER_WIN is {gone}, which does not exist",
                         f"        fix: run: arxl addin install with the Python that has arxl (this one is "
                         f"{sys.executable})"]


def test_an_empty_interpreter_setting(startup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    addin.install(build_addin(tmp_path / "built.xlam"))  # config.csv's Interpreter_Win left empty: not written
    assert "INTERPRETER_WIN" not in addin_settings(startup / "arxl.xlam")
    code, lines = doctor(capsys)
    assert code == 2
    assert lines[1:3] == ["PROBLEM interpreter: the add-in's INTERPRETER_WIN is empty: Excel runs whichever Python "
                          "xlwings' own settings or the PATH give",
                          f"        fix: run: arxl addin install (it names this Python, {sys.executable})"]


def test_an_addin_built_by_an_older_arxl(startup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    restamp(addin.install(), arxl="0.0.9")
    code, lines = doctor(capsys)
    assert code == 2
    at = lines.index(f"PROBLEM arxl: the add-in was built by arxl 0.0.9; this is arxl {__version__}")
    assert lines[at + 1] == f"        fix: run: arxl addin install (rebuilds it from arxl {__version__})"
    assert sum(line.startswith("PROBLEM") for line in lines) == 1


def test_an_addin_that_predates_the_recorded_versions(startup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    installed = addin.install()
    with zipfile.ZipFile(installed) as package:
        parts = {name: package.read(name) for name in package.namelist() if name != stamp.PART}
    with zipfile.ZipFile(installed, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    code, lines = doctor(capsys)
    assert code == 2
    assert "PROBLEM arxl: the add-in does not say which arxl built it (built before arxl recorded it)" in lines


def test_an_addin_whose_vba_is_another_xlwings(startup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    restamp(addin.install(), xlwings="0.30.13")
    code, lines = doctor(capsys)
    assert code == 2
    ours = xlwings_version()
    at = lines.index(f"PROBLEM xlwings: the add-in's VBA is xlwings 0.30.13's (it loads xlwings64-0.30.13.dll); "
                     f"{sys.executable} has xlwings {ours}")
    assert lines[at + 1] == (f"        fix: run: arxl addin install (rebuilds the VBA from xlwings {ours}), or "
                             f'"{sys.executable}" -m pip install xlwings==0.30.13')


def shadow(folder: Path) -> Path:
    """A folder holding a stale package named arxl: an old copy whose worksheet functions fail to import."""
    (folder / "arxl" / "udfs").mkdir(parents=True)
    (folder / "arxl" / "__init__.py").write_text('__version__ = "0.0.1"\n', encoding="utf-8")
    (folder / "arxl" / "udfs" / "__init__.py").write_text("from arxl.gone import ARXL_AGING\n", encoding="utf-8")
    return folder


def test_a_package_shadowing_arxl_on_pythonpath(startup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    addin.install()
    stray = shadow(tmp_path / "old-copy")
    monkeypatch.setenv("PYTHONPATH", str(stray))
    code, lines = doctor(capsys)
    assert code == 2
    ours = Path(addin.__file__).resolve().parents[1]
    at = lines.index(f"PROBLEM arxl found: {sys.executable} imports arxl from {stray / 'arxl'}, not from {ours}: a "
                     "package named arxl shadows the installed one")
    assert lines[at + 1] == (f"        fix: remove {stray} from PYTHONPATH (and from the add-in's PYTHONPATH "
                             "setting), or rename the folder arxl there")
    assert lines[at + 2] == ("PROBLEM import arxl.udfs: ModuleNotFoundError: No module named 'arxl.gone' "
                             f"(in {sys.executable})")
    assert f"PROBLEM arxl: the add-in was built by arxl {__version__}; {sys.executable} has arxl 0.0.1" in lines


def test_the_addins_own_pythonpath_setting_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stray = shadow(tmp_path / "shared")
    built = build_addin(tmp_path / "arxl.xlam", settings={"PYTHONPATH": str(stray),
                                                          "Interpreter_Win": sys.executable,
                                                          "Interpreter_Mac": sys.executable})
    code, lines = doctor(capsys, "--file", str(built))
    assert code == 2
    assert any(line.startswith("PROBLEM arxl found:") and str(stray) in line for line in lines)
    assert any(line.startswith("PROBLEM import arxl.udfs: ModuleNotFoundError") for line in lines)


def test_an_interpreter_that_is_not_python(startup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a program", encoding="utf-8")
    notes.chmod(0o755)
    addin.install(build_addin(tmp_path / "built.xlam", settings={"Interpreter_Win": str(notes)}))
    code, lines = doctor(capsys)
    assert code == 2
    assert lines[1].startswith(f"PROBLEM interpreter: {notes} does not run: ")
    assert lines[2] == ("        fix: run: arxl addin install with a Python that has arxl (this one is "
                        f"{sys.executable})")


def test_examine_returns_the_addin_it_checked(tmp_path: Path) -> None:
    built = build_addin(tmp_path / "arxl.xlam", settings={"Interpreter_Win": sys.executable,
                                                          "Interpreter_Mac": sys.executable})
    where, checks = examine(built)
    assert where == built and all(check.ok for check in checks), [c for c in checks if not c.ok]


def test_an_interpreter_without_arxl(startup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import venv

    venv.create(tmp_path / "bare", with_pip=False)  # a real Python of its own, without arxl or xlwings
    bare = next(p for p in (tmp_path / "bare" / "bin" / "python", tmp_path / "bare" / "Scripts" / "python.exe")
                if p.exists())
    addin.install(build_addin(tmp_path / "built.xlam", settings={"Interpreter_Win": str(bare)}))
    code, lines = doctor(capsys)
    assert code == 2
    assert lines[1:3] == [f"PROBLEM interpreter: {bare} has no arxl",
                          f"        fix: run: arxl addin install (it names this Python, {sys.executable}, which "
                          "has arxl)"]
    assert f"PROBLEM xlwings: {bare} has no xlwings" in lines
    assert f"PROBLEM import arxl.udfs: ModuleNotFoundError: No module named 'arxl' (in {bare})" in lines


@pytest.mark.skipif(sys.platform.startswith("win") or sys.platform == "darwin", reason="Excel runs there")
def test_without_excel_the_doctor_says_to_check_a_built_addin(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys)
    assert code == 2
    assert lines[:2] == ["PROBLEM add-in: Excel does not run on this system, so no add-in is installed here",
                         "        fix: check a built add-in instead: arxl addin build -o arxl.xlam, then arxl addin "
                         "doctor --file arxl.xlam"]
    assert "OK      import arxl.macros: imports" in lines
