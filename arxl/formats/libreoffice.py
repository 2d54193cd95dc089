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
* **One LibreOffice converts one file at a time** (about 13 invoice PDFs a second here). ``LibreOffice(workers=N)``
  owns N profiles and converts a call's sources as balanced batches, one ``soffice`` per profile running at
  once (threads driving the subprocesses); ``N`` defaults to ``ARXL_PDF_WORKERS`` or the machine's cores. A batch
  that fails is retried once on its own, with nothing else running; what still did not come out is named.
* **A present, fresh file is not yet a PDF**: a PDF output must also start with ``%PDF-``, end with ``%%EOF``
  and hold at least one page.

Typical use::

    with LibreOffice() as office:
        pdfs = office.to_pdf([Path("INV-0001.xlsx"), Path("INV-0002.xlsx")], Path("out"))
        checked = office.recalculate(Path("aging.xlsx"), Path("out/recalc"))
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from arxl.core.errors import ArxlError

INSTALL_HINT = "apt-get install libreoffice-calc-nogui"
SOFFICE_ENV = "ARXL_SOFFICE"
WORKERS_ENV = "ARXL_PDF_WORKERS"  # how many LibreOffice run at once by default (else the cores)
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

# At most this many files per soffice run, so that a long job stays well inside the timeout and its batches
# spread over the workers.
MAX_RUN = 200

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


def default_workers() -> int:
    """LibreOffice instances to run at once: ``ARXL_PDF_WORKERS`` when set, else the machine's cores."""
    chosen = os.environ.get(WORKERS_ENV, "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise LibreOfficeError(f"{WORKERS_ENV} must be a whole number of at least 1, not \"{chosen[:40]}\"")
        return int(chosen)
    return max(1, os.cpu_count() or 1)


def balanced_batches(sources: Sequence[Path], workers: int, limit: int = MAX_RUN) -> list[list[Path]]:
    """``sources`` as batches of at most ``limit`` files, their count a multiple of ``workers`` (as far as there
    are files), of near-equal total size (largest file first into the lightest batch); each batch keeps the
    sources' order."""
    if not sources:
        return []
    count = -(-len(sources) // max(1, limit))
    count = min(len(sources), -(-count // workers) * workers)
    sizes = {source: (source.stat().st_size if source.is_file() else 0) for source in sources}
    loads = [0] * count
    members: list[list[int]] = [[] for _ in range(count)]
    for index in sorted(range(len(sources)), key=lambda i: -sizes[sources[i]]):
        lightest = min((b for b in range(count) if len(members[b]) < limit), key=lambda b: (loads[b], b))
        loads[lightest] += sizes[sources[index]]
        members[lightest].append(index)
    return [[sources[i] for i in sorted(batch)] for batch in members if batch]


def pdf_pages(path: Path) -> int:
    """Pages of the PDF at ``path``; 0 when it is not a whole PDF (no ``%PDF-`` header or no ``%%EOF``)."""
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return 0
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    if pages == 0:  # page objects packed in compressed object streams: the page tree's own count
        pages = max((int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)), default=0)
    return pages


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
    """Headless LibreOffice with private profiles; as a context manager, the profiles are removed on exit.

    ``workers`` LibreOffice run at once on a call's sources, each with its own profile (two instances sharing
    one collide and lose output). The instance is safe to share between threads (calls are serialised), not
    between processes: each process makes its own, which is the point of the private profiles.
    """

    def __init__(self, soffice: str | None = None, timeout: float = 180.0, workers: int | None = None) -> None:
        found = soffice or find_soffice()
        if found is None:
            raise LibreOfficeMissing()
        self.soffice = found
        self.timeout = timeout
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise LibreOfficeError(f"LibreOffice workers must be at least 1, not {self.workers}")
        self._profiles: list[Path] = []
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
        """Remove the private profiles. A later conversion makes fresh ones."""
        with self._lock:
            for profile in self._profiles:
                shutil.rmtree(profile, ignore_errors=True)
            self._profiles = []

    @property
    def profile(self) -> Path:
        """The first private profile directory (created on first use)."""
        return self._ensure_profile()

    @property
    def profiles(self) -> list[Path]:
        """The private profiles made so far, one per LibreOffice that has run at once."""
        return list(self._profiles)

    def _ensure_profile(self, index: int = 0) -> Path:
        while len(self._profiles) <= index:
            profile = Path(tempfile.mkdtemp(prefix="arxl-libreoffice-"))
            user = profile / "user"
            user.mkdir()
            # Written before LibreOffice first sees the profile: it merges, and keeps, what it finds there.
            (user / "registrymodifications.xcu").write_text(RECALC_ON_LOAD_XCU, encoding="utf-8")
            self._profiles.append(profile)
        return self._profiles[index]

    def convert(self, sources: Sequence[Path], out_dir: Path, fmt: str,
                progress: Callable[[int], None] | None = None) -> list[Path]:
        """Convert every file in ``sources`` to ``fmt``; return the outputs in order.

        The sources go in balanced batches to ``workers`` LibreOffice at once (one run when one is enough); a
        batch that fails is retried once alone. A file of the same name already in ``out_dir`` is replaced.
        Raises :class:`ConversionFailed` naming every file that did not come out (the others are written).
        ``progress`` is told how many more outputs have appeared, while LibreOffice runs and at the end, so
        that the counts add up to ``len(sources)``.
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
        output_of = dict(zip(sources, expected, strict=True))
        tell = _Tally(progress)

        with self._lock:
            batches = balanced_batches(sources, self.workers)
            profiles = [self._ensure_profile(i) for i in range(min(self.workers, len(batches)))]
            queue = list(reversed(batches))
            take = threading.Lock()

            def work(profile: Path) -> list[tuple[list[Path], str]]:
                failures: list[tuple[list[Path], str]] = []
                while True:
                    with take:
                        if not queue:
                            return failures
                        batch = queue.pop()
                    failed, detail = self._batch(profile, batch, output_of, convert_to, out_dir, tell)
                    if failed:
                        failures.append((batch, detail))

            if len(profiles) == 1:
                failures = work(profiles[0])
            else:
                with ThreadPoolExecutor(len(profiles), thread_name_prefix="libreoffice") as pool:
                    failures = [f for done in pool.map(work, profiles) for f in done]
            failed: list[Path] = []
            details: list[str] = []
            for batch, first_detail in failures:  # each retried once, alone: nothing else is running now
                again, detail = self._batch(profiles[0], batch, output_of, convert_to, out_dir, tell)
                failed += again
                if again and (detail or first_detail) and (detail or first_detail) not in details:
                    details.append(detail or first_detail)

        tell.finish(len(sources))
        if failed:
            failed.sort(key=sources.index)
            raise ConversionFailed(
                f"LibreOffice could not convert {_names(failed)} to {extension}"
                + (f" ({'; '.join(details)})" if details else "")
            )
        return expected

    def _batch(self, profile: Path, batch: list[Path], output_of: dict[Path, Path], convert_to: str,
               out_dir: Path, tell: _Tally) -> tuple[list[Path], str]:
        """Run one soffice on the files of ``batch`` not yet converted; (those still not converted, why)."""
        todo = [source for source in batch if not output_of[source].exists()]
        if not todo:
            return [], ""
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
            *(str(source) for source in todo),
        ]
        started_ns = time.time_ns()
        watched = [output_of[source] for source in todo]
        try:
            output = self._run(command, todo, lambda: tell.seen(watched))
        except ConversionFailed as error:  # stopped or timed out: what it wrote before is kept if it is whole
            output = str(error)
        failed = [source for source in todo if not _good_output(output_of[source], started_ns)]
        for source in failed:  # a truncated or empty file must not pass for the output on the retry
            output_of[source].unlink(missing_ok=True)
        tell.seen(watched)
        return failed, (_soffice_errors(output) or output.strip()[-300:]) if failed else ""

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


class _Tally:
    """Tells ``progress`` of outputs as they appear, from several runs at once, each output once."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.counted: set[Path] = set()
        self.lock = threading.Lock()

    def seen(self, outputs: Sequence[Path]) -> None:
        if self.progress is None:
            return
        with self.lock:
            new = [out for out in outputs if out not in self.counted and out.exists()]
            self.counted.update(new)
            if new:
                self.progress(len(new))

    def finish(self, total: int) -> None:
        if self.progress is not None and total > len(self.counted):
            self.progress(total - len(self.counted))


def _good_output(path: Path, started_ns: int) -> bool:
    """Written by this run (present, not empty, fresh) and, for a PDF, a whole one with at least one page."""
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size == 0 or stat.st_mtime_ns < started_ns - _MTIME_SLACK_NS:
        return False
    return path.suffix.lower() != ".pdf" or pdf_pages(path) > 0


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
