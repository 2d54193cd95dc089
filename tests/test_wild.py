"""Every hostile, broken or odd workbook of shared/testdata/xlsx-wild through ``arxl validate``.

Each run is its own process, as an accountant's would be: it must end with exit 2 (or 0 for a valid billing
workbook) within 10 seconds and 1 GB, with a one-line reason and no traceback. Bombs are refused by limits.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TESTDATA

WILD = TESTDATA / "xlsx-wild"
FILES = sorted(p for p in WILD.glob("*.xls*")) if WILD.is_dir() else []
RUN = ("import resource, sys; from arxl.cli import main; code = main(sys.argv[1:]); "
       "print('PEAK_KB=%d' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
       "sys.exit(code)")

# The reason each file must be refused for: the hostile ones by their hostility, not by an accident.
REASONS = {
    "49609.xlsx": "backslashes",
    "54764.xlsx": "DTD",
    "duplicate-filename.xlsx": "duplicate",
    "poc-shared-strings.xlsx": "32,767",
    "poc-xmlbomb-empty.xlsx": "DTD",
    "poc-xmlbomb.xlsx": "DTD",
    "protected_passtika.xlsx": "encrypted",
    "sample.strict.xlsx": "Strict",
    "xlsx-corrupted.xlsx": "damaged",
    "clusterfuzz-testcase-minimized-POIFuzzer-5040805309710336.xlsx": "not an Excel workbook",
    "clusterfuzz-testcase-minimized-POIXSSFFuzzer-4828727001088000.xlsx": "damaged ZIP",
    "clusterfuzz-testcase-minimized-POIXSSFFuzzer-5937385319563264.xlsx": "checksum",
    "clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx": "damaged ZIP",
}


def test_the_shared_files_are_there() -> None:
    assert len(FILES) == 25, f"expected the 25 files of {WILD}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_validate_refuses_with_one_line_and_no_traceback(path: Path) -> None:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN, "validate", str(path)], capture_output=True, text=True,
                          timeout=60)
    seconds = time.perf_counter() - started
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    peak_kb = int(lines.pop().removeprefix("PEAK_KB="))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"arxl: [{path.name}]")
    assert REASONS.get(path.name, "not a billing workbook") in lines[0]
    assert seconds < 10
    assert peak_kb < 1024 * 1024
