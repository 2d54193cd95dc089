"""Saving a workbook so that nothing is ever half-written, and never under Excel's feet.

A save writes a temporary file in the same folder, checks that it is a complete workbook, keeps the
previous version as ``name.bak.xlsx`` and only then replaces the workbook in one step (``os.replace`` is
atomic on the same file system). Killed at any moment, the accountant's workbook is either the old version or
the new one, never a torn file.

A workbook open in Excel has an owner file ``~$name.xlsx`` beside it; in LibreOffice ``.~lock.name.xlsx#``.
Writing under them would lose the accountant's unsaved edits or be overwritten by them, so arxl refuses.
"""

from __future__ import annotations

import contextlib
import csv
import os
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

from arxl.core.errors import ArxlError, BadWorkbook, CellRef, WorkbookLocked
from arxl.formats.xlsx.lock import check_unchanged, saved


def lock_files(path: Path) -> list[Path]:
    """The lock files that Excel or LibreOffice keep beside an open workbook."""
    name = path.name
    candidates = [path.with_name("~$" + name), path.with_name(f".~lock.{name}#")]
    if len(name) > 2:
        candidates.append(path.with_name("~$" + name[2:]))  # Word-style owner file for long names
    return [p for p in candidates if p.exists()]


def ensure_not_open(path: Path) -> None:
    """Refuse to touch a workbook that Excel or LibreOffice has open."""
    found = lock_files(path)
    if found:
        program = "LibreOffice" if found[0].name.startswith(".~lock.") else "Excel"
        raise WorkbookLocked(f"is open in {program} (lock file {found[0].name}): close it there and run "
                             "again; nothing was written", CellRef(path.name))


def backup_path(path: Path) -> Path:
    """Where the previous version goes: ``billing.xlsx`` -> ``billing.bak.xlsx``."""
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def _temp_path(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.arxl-{tag}-{os.getpid()}.tmp")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_complete(path: Path, book: str, written: Collection[str] | None = None) -> None:
    """A written workbook must be a whole ZIP with its workbook part, or it does not replace anything.

    Every part is decompressed and its checksum tested, or, with ``written``, only the parts written anew: the
    others were copied byte for byte from a package already checked, and only their headers are read (where
    the central directory says they are), which a short or torn file would fail."""
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if written is None:
                bad = package.testzip()
            else:
                bad = None
                for info in package.infolist():
                    if info.filename in written:
                        with package.open(info) as part:  # raises BadZipFile on a bad checksum
                            while part.read(1 << 20):  # a piece at a time: a sheet of a million rows too
                                pass
                    else:
                        with package.open(info) as part:  # reads and checks the local header
                            part.read(0)
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
        raise BadWorkbook(f"the new version could not be written completely ({exc}); the workbook was "
                          "left as it was", CellRef(book)) from None
    if bad is not None or "xl/workbook.xml" not in names:
        raise BadWorkbook("the new version is incomplete; the workbook was left as it was", CellRef(book))


def _remove_stale(path: Path) -> None:
    """Temporary files of saves of ``path`` that were killed (their process is gone) are removed."""
    remove_stale(path.parent, path.name)


def remove_stale(folder: Path, name: str = "*") -> None:
    """Temporary files of killed saves in ``folder`` (of the file ``name``, or of every file) are removed;
    a batch of files calls it once for its folder rather than once a file."""
    for stale in folder.glob(f".{name}.arxl-*.tmp"):
        pid = stale.name.rsplit("-", 1)[-1].removesuffix(".tmp")
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                with contextlib.suppress(OSError):
                    stale.unlink()
            except PermissionError:
                pass


def atomic_write(path: Path | str, write: Callable[[Path], None], *, backup: bool = True,
                 check: Callable[[Path], None] | None = None, mode: int | None = None,
                 durable: bool = True, tidy: bool = True) -> Path:
    """Write a file with ``write(temp_path)`` and put it in place atomically: the one atomic save of arxl, for
    workbooks, CSV exports, invoice documents and the add-in alike.

    The temporary file is beside the target (``os.replace`` is atomic on one file system), checked by
    ``check`` when given, flushed to disk, and only then renamed over the target. With ``backup`` the previous
    file is kept as ``name.bak.ext``: the previous file itself, linked under the backup name before the new one
    takes its place (a copy where the file system cannot link). ``mode``: the new file's permission bits.
    ``tidy=False`` leaves the removal of killed saves' leftovers to the caller (:func:`remove_stale`, once
    for a batch's folder). ``durable=False`` leaves the flushing to the caller (a batch of thousands of
    invoice documents flushes once, at its end, rather than once a file): the replacement is as atomic, only
    not yet on the disk.
    Returns the path written. Raises WorkbookLocked when the file is open in Excel or LibreOffice, and
    WorkbookChanged when this process holds the file's lock (:mod:`arxl.formats.xlsx.lock`) and the file
    changed on disk since it was read; killed at any moment, the target is the old version or the new one.
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise BadWorkbook(f"cannot be saved: the folder {target.parent} does not exist", CellRef(target.name))
    if target.is_dir():
        raise BadWorkbook(f"cannot be saved: {target} is a folder; give the name of a file", CellRef(target.name))
    ensure_not_open(target)
    check_unchanged(target)
    if tidy:
        _remove_stale(target)
    temp = _temp_path(target, "new")
    try:
        write(temp)
        if check is not None:
            check(temp)
        if durable:
            _fsync(temp)
        if mode is not None:
            os.chmod(temp, mode)
        if backup and target.exists():
            copy = _temp_path(target, "bak")
            try:
                os.link(target, copy)
            except OSError:
                copy.write_bytes(target.read_bytes())
                _fsync(copy)
            os.replace(copy, backup_path(target))
        ensure_not_open(target)
        check_unchanged(target)  # another writer since we read it: refuse rather than overwrite its work
        os.replace(temp, target)
        saved(target)
        if durable:  # the rename itself on the disk: the folder's entry flushed
            with contextlib.suppress(OSError):
                directory = os.open(target.parent, os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
    finally:
        for leftover in (temp, _temp_path(target, "bak")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return target


def atomic_save(path: Path | str, write: Callable[[Path], None], backup: bool = True,
                written: Collection[str] | None = None) -> Path:
    """Write a workbook with ``write(temp_path)`` and put it in place with :func:`atomic_write`, once the new
    package is checked complete. ``written``: the parts ``write`` wrote anew, when it copied the others
    unchanged (see :func:`_check_complete`); it may be filled by ``write``."""
    target = Path(path)
    return atomic_write(target, write, backup=backup, check=lambda temp: _check_complete(temp, target.name, written))


def write_csv(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              encoding: str = "utf-8") -> int:
    """Write a CSV file atomically (:func:`atomic_write`, no backup): a reader never sees half of it, and a
    failure leaves the previous file as it was. Returns the number of rows written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ArxlError(f"the folder {folder} does not exist", f"[{path.name}]")
    count = 0

    def write(temp: Path) -> None:
        nonlocal count
        with open(temp, "w", encoding=encoding, newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1

    atomic_write(path, write, backup=False)
    return count
