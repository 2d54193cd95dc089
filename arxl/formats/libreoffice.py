"""LibreOffice headless: PDFs of invoices and statements, and an independent recalculation of our formulas.

arxl writes totals as live Excel formulas beside the values Python computed, and promises the two agree. The
only spreadsheet engine we can run on a build machine is LibreOffice, so it does two jobs here: it turns
workbooks into PDF for customers, and it recalculates generated workbooks so tests can compare its answers
with ours. Both go through ``soffice --convert-to``, which has traps this module exists to close:

* **It exits 0 even when a conversion fails** (it prints "source file could not be loaded" and moves on), so
  every expected output file is checked: present, not empty, and written by this call.
* **Parallel runs that share a profile lose output**, so each :class:`LibreOffice` owns a private profile
  directory (``-env:UserInstallation=file:///...``), removed when the context manager closes.
* **It does not recalculate on load by default**: it trusts the cached values stored in the file, which for a
  file edited by a program may be stale or missing. Before the first run the profile's
  ``user/registrymodifications.xcu`` sets ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 ("always
  recalculate"), so what comes back is LibreOffice's own arithmetic.
* It takes about a second to start, so many files are converted in **one** call.

Typical use::

    with LibreOffice() as office:
        pdfs = office.to_pdf([Path("INV-0001.xlsx"), Path("INV-0002.xlsx")], Path("out"))
        checked = office.recalculate(Path("aging.xlsx"), Path("out/recalc"))
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from arxl.core.errors import ArxlError

INSTALL_HINT = "apt-get install libreoffice-calc-nogui"
SOFFICE_ENV = "ARXL_SOFFICE"
HIDDEN = ("none", "off", "no")  # ARXL_SOFFICE values that hide LibreOffice
# What a run without LibreOffice leaves out, said once by the commands that go on without it (the demo).
WITHOUT_IT = ("LibreOffice is not installed, so invoices and statements were made as .xlsx only, the reminders "
              "carry the statement as .xlsx and the audit pack has no confirmation letters. LibreOffice adds their "
              "PDFs, and lets `make test` recalculate every formula arxl writes to check it; to install it: "
              f"{INSTALL_HINT}")

# Export filters by target extension; "pdf" lets LibreOffice pick the filter of the document's own module.
# No quotes around the filter name: this is an argv entry, not shell text, and a quoted name makes LibreOffice
# fail with "Please verify input parameters".
FILTERS: dict[str, str] = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "ods": "ods:calc8",
    "pdf": "pdf",
}

# 0 = always recalculate, 1 = never, 2 = ask (and headless "ask" means never).
RECALC_ON_LOAD_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""

# How often a running conversion looks for the files it has written so far (the progress of a long batch).
WATCH_SECONDS = 0.5

# File systems with coarse timestamps (FAT: 2 s) may date a fresh file slightly before the call started.
_MTIME_SLACK_NS = 2_000_000_000


class LibreOfficeError(ArxlError):
    """LibreOffice is missing, did not finish, or did not produce the files it was asked for."""

    default = "LibreOffice could not convert the file"


class LibreOfficeMissing(LibreOfficeError):
    default = f"LibreOffice is not installed: {INSTALL_HINT}"

    def __init__(self, message: str = "", where: str | None = None) -> None:
        chosen = os.environ.get(SOFFICE_ENV, "").strip()
        if not message and chosen:  # the search was overridden: say so, or the hint would puzzle
            message = f"{self.default} ({SOFFICE_ENV} is \"{chosen[:80]}\"" + (
                ", which hides it)" if chosen.lower() in HIDDEN else ", which is not a program arxl can run)")
        super().__init__(message, where)


def require(what: str) -> None:
    """Refuse, before anything is written, a run asked for PDFs (``what``) when LibreOffice is missing."""
    if find_soffice() is None:
        raise LibreOfficeMissing(f"{what} need LibreOffice: {LibreOfficeMissing()}")


class ConversionFailed(LibreOfficeError):
    default = "LibreOffice did not produce the expected file"


def find_soffice() -> str | None:
    """The LibreOffice program to run, or ``None`` when it is not installed.

    ``ARXL_SOFFICE`` overrides the search: the path of the program to use, or ``none`` to act as if LibreOffice
    were not installed (how the demo and the tests are tried on a machine that has it).
    """
    chosen = os.environ.get(SOFFICE_ENV, "").strip()
    if chosen.lower() in HIDDEN:
        return None
    if chosen:
        path = shutil.which(chosen)  # a bare name on PATH, or a path to the program
        return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = ["/usr/bin/soffice", *sorted(glob.glob("/opt/libreoffice*/program/soffice"), reverse=True)]
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _filter_for(fmt: str) -> tuple[str, str]:
    """(``--convert-to`` argument, output extension) for ``"pdf"``, ``"xlsx"`` or ``"ext:Filter Name"``."""
    fmt = fmt.strip()
    if not fmt:
        raise LibreOfficeError("no output format given: expected pdf, xlsx or ods")
    if ":" in fmt:
        extension = fmt.split(":", 1)[0]
        return fmt, extension.lower()
    extension = fmt.lower().lstrip(".")
    return FILTERS.get(extension, extension), extension


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(path.name for path in paths)


class LibreOffice:
    """One headless LibreOffice with its own profile; as a context manager, the profile is removed on exit.

    The instance is safe to share between threads (runs are serialised), not between processes: each process
    makes its own, which is the point of the private profile.
    """

    def __init__(self, soffice: str | None = None, timeout: float = 180.0) -> None:
        found = soffice or find_soffice()
        if found is None:
            raise LibreOfficeMissing()
        self.soffice = found
        self.timeout = timeout
        self._profile: Path | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> LibreOffice:
        self._ensure_profile()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the private profile. A later conversion makes a fresh one."""
        with self._lock:
            if self._profile is not None:
                shutil.rmtree(self._profile, ignore_errors=True)
                self._profile = None

    @property
    def profile(self) -> Path:
        """The private profile directory (created on first use)."""
        return self._ensure_profile()

    def _ensure_profile(self) -> Path:
        if self._profile is None:
            profile = Path(tempfile.mkdtemp(prefix="arxl-libreoffice-"))
            user = profile / "user"
            user.mkdir()
            # Written before LibreOffice first sees the profile: it merges, and keeps, what it finds there.
            (user / "registrymodifications.xcu").write_text(RECALC_ON_LOAD_XCU, encoding="utf-8")
            self._profile = profile
        return self._profile

    def convert(self, sources: Sequence[Path], out_dir: Path, fmt: str,
                progress: Callable[[int], None] | None = None) -> list[Path]:
        """Convert every file in ``sources`` to ``fmt`` in one LibreOffice run; return the outputs in order.

        A file of the same name already in ``out_dir`` is replaced. Raises :class:`ConversionFailed` naming
        every file that did not come out (the others are written). ``progress`` is told how many more outputs
        have appeared, while LibreOffice runs (it converts one file after the other) and at the end, so that
        the counts add up to ``len(sources)``.
        """
        sources = [Path(source).resolve() for source in sources]
        if not sources:
            return []
        convert_to, extension = _filter_for(fmt)
        out_dir = Path(out_dir).resolve()
        missing = [source for source in sources if not source.is_file()]
        if missing:
            raise ConversionFailed(f"file not found: {_names(missing)}")
        expected = [out_dir / f"{source.stem}.{extension}" for source in sources]
        clashes = sorted(out.name for out, count in Counter(expected).items() if count > 1)
        if clashes:
            raise ConversionFailed(f"two files would be written as the same output {', '.join(clashes)}")
        overwritten = [source for source, out in zip(sources, expected, strict=True) if source == out]
        if overwritten:
            raise ConversionFailed(
                f"converting {_names(overwritten)} into its own folder would overwrite it: "
                "choose another folder"
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        for out in expected:
            # A leftover from an earlier run must not pass for this run's output.
            out.unlink(missing_ok=True)

        with self._lock:
            profile = self._ensure_profile()
            command = [
                self.soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--nodefault",
                "--nofirststartwizard",
                "--convert-to",
                convert_to,
                "--outdir",
                str(out_dir),
                *(str(source) for source in sources),
            ]
            started_ns = time.time_ns()
            seen = [0]

            def watch() -> None:  # outputs were removed above: one that exists now is this run's
                if progress is not None:
                    count = sum(1 for out in expected if out.exists())
                    if count > seen[0]:
                        progress(count - seen[0])
                        seen[0] = count

            output = self._run(command, sources, watch)

        failed = [
            source
            for source, out in zip(sources, expected, strict=True)
            if not _fresh_output(out, started_ns)
        ]
        if progress is not None and len(sources) > seen[0]:
            progress(len(sources) - seen[0])
        if failed:
            detail = _soffice_errors(output)
            raise ConversionFailed(
                f"LibreOffice could not convert {_names(failed)} to {extension}"
                + (f" ({detail})" if detail else "")
            )
        return expected

    def _run(self, command: list[str], sources: Sequence[Path], watch: Callable[[], None]) -> str:
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                start_new_session=True,  # so a timeout can stop soffice.bin too, not just the wrapper script
            )
        except OSError as error:
            raise LibreOfficeMissing(
                f"LibreOffice could not be started ({error.strerror}): {INSTALL_HINT}"
            ) from None
        deadline = time.monotonic() + self.timeout
        while True:
            # waited for in short spells so that ``watch`` can report the files done so far; communicate may be
            # called again after its timeout without losing output
            left = deadline - time.monotonic()
            try:
                output, _ = process.communicate(timeout=max(0.0, min(WATCH_SECONDS, left)))
                break
            except subprocess.TimeoutExpired:
                if left <= WATCH_SECONDS:
                    _kill_group(process)
                    process.communicate()
                    raise ConversionFailed(
                        f"LibreOffice did not finish converting {_names(sources)} within {self.timeout:g} seconds"
                    ) from None
                watch()
        if process.returncode != 0:
            detail = _soffice_errors(output) or output.strip()[-300:]
            raise ConversionFailed(
                f"LibreOffice stopped with exit status {process.returncode} converting {_names(sources)}"
                + (f" ({detail})" if detail else "")
            )
        return output

    def recalculate(self, source: Path, out_dir: Path) -> Path:
        """Open ``source``, recalculate every formula, save it as .xlsx in ``out_dir`` with values cached."""
        return self.convert([source], out_dir, "xlsx")[0]

    def to_pdf(self, sources: Sequence[Path], out_dir: Path,
               progress: Callable[[int], None] | None = None) -> list[Path]:
        """PDFs of ``sources`` (each workbook's print areas and page setup), in one LibreOffice run."""
        return self.convert(sources, out_dir, "pdf", progress)


def _fresh_output(path: Path, started_ns: int) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size > 0 and stat.st_mtime_ns >= started_ns - _MTIME_SLACK_NS


def _soffice_errors(output: str) -> str:
    """LibreOffice's own error lines, de-duplicated ("source file could not be loaded", ...)."""
    lines: list[str] = []
    for line in output.splitlines():
        line = line.strip()
        if line.lower().startswith("error") and line not in lines:
            lines.append(line.removeprefix("Error: ").removeprefix("Error:"))
    return "; ".join(lines)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
