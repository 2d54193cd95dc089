"""Shared fixtures. Keep each one small; add new ones below."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from arxl.formats.libreoffice import INSTALL_HINT, LibreOffice, find_soffice

# Property tests draw the same examples on every run, so that the suite gives the same answer on CI as here;
# `pytest --hypothesis-profile=explore` draws new ones (run it when changing the code under a property).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=5000)
settings.load_profile("repeatable")

def _testdata() -> Path:
    """shared/testdata: ARXL_TESTDATA if set; else beside the repository (CI's clone, the working copy); else
    beside the repository this one was cloned from (a fresh clone in a temporary folder)."""
    if os.environ.get("ARXL_TESTDATA"):
        return Path(os.environ["ARXL_TESTDATA"])
    here = Path(__file__).resolve().parents[1]
    beside = here.parent / "shared" / "testdata"
    if beside.is_dir():
        return beside
    origin = subprocess.run(["git", "-C", str(here), "remote", "get-url", "origin"], capture_output=True,
                            text=True, check=False).stdout.strip().removeprefix("file://")
    if origin and Path(origin).is_dir():
        cloned_from = Path(origin).resolve().parent / "shared" / "testdata"
        if cloned_from.is_dir():
            return cloned_from
    return beside


TESTDATA = _testdata()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, with the way out, when the shared test files are not where they should be: a dozen
    tests failing on a missing file would hide the one cause."""
    if not (TESTDATA / "mt940").is_dir():
        raise pytest.UsageError(
            f"the shared test files are not at {TESTDATA} (they stand beside the repository, or beside the one it "
            "was cloned from, in ../shared/testdata);"
            " set ARXL_TESTDATA to the folder that holds mt940/, camt/ and xlsx-wild/")


# Why tests were skipped for a missing tool ("LibreOffice is not installed: apt-get install ..."), for the
# summary at the end of the run.
MISSING_TOOLS: set[str] = set()


def need_tool(found: bool, reason: str) -> None:
    """Skip a test whose external tool is missing; on CI (``CI`` set) fail instead, so it is never silent."""
    if found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
    MISSING_TOOLS.add(reason)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # the outermost wrapper: after the short summary of each skip
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Generator[None]:
    """One line per missing tool at the end of the run, so that a short run is not taken for a full one:
    "14 tests skipped: LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"."""
    yield
    skipped: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)  # (file, line, "Skipped: reason") for a skip
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            reason = str(longrepr[2]).removeprefix("Skipped: ")
            if reason in MISSING_TOOLS:
                skipped[reason] += 1
    for reason, count in sorted(skipped.items()):
        what, _, how = reason.partition(": ")
        terminalreporter.write_line(f"{count} test{'s' if count != 1 else ''} skipped: {what}"
                                    + (f" ({how})" if how else ""), yellow=True)


@pytest.fixture(scope="session")
def libreoffice() -> Iterator[LibreOffice]:
    """One headless LibreOffice (own profile, recalculation on load) for the whole test session."""
    need_tool(find_soffice() is not None, f"LibreOffice is not installed: {INSTALL_HINT}")
    with LibreOffice() as office:
        yield office
