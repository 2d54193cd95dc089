"""One writer at a time: an advisory lock beside the workbook, and a check that nobody wrote under our feet.

Two arxl commands on one workbook (``invoices generate`` while ``reconcile post`` runs, two ``statements
--send``) would each read the workbook, work, and save their own version: the second save silently drops the
first one's invoices or receipts. So every command that writes a workbook first takes its lock,
``.billing.xlsx.arxl-lock`` beside ``billing.xlsx``, *before it reads*, and holds it through the save:

* the lock is the operating system's (``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows), so it
  is released by the kernel when its process ends, however it ends: a lock left by a killed command is
  never "stale", the next command simply gets it;
* the lock file says who holds it (pid, host, command, since when), so a second command can say whom it
  waits for: ``waiting for `arxl reconcile post billing.xlsx` (pid 4242, since 10:02:03)...``; it waits a
  bounded time and then refuses, having written nothing;
* while a lock is held, :func:`check_unchanged` (called by every atomic save) compares the workbook on disk
  with the version the lock holder read: if anything else wrote it in between (a program that ignores the
  lock, a copy dropped over it), the save is refused rather than overwrite that work.

Excel's ``~$name`` and LibreOffice's ``.~lock.name#`` owner files are refused as before
(:func:`arxl.formats.xlsx.save.ensure_not_open`): the workbook is then open for editing, and a lock cannot stop a
person typing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from arxl.core.errors import ArxlError, CellRef

DEFAULT_WAIT = 60.0  # seconds a command waits for another to finish before it refuses
_POLL = 0.05


class WorkbookBusy(ArxlError):
    """Another arxl command is changing the workbook; this one waited, then gave up without writing."""

    default = "another arxl command is changing the workbook"


class WorkbookChanged(ArxlError):
    """The workbook changed on disk after arxl read it: saving would overwrite someone else's work."""

    default = "the workbook changed on disk since it was read"


def lock_path(book: Path) -> Path:
    """``billing.xlsx`` -> ``.billing.xlsx.arxl-lock`` in the same folder."""
    return book.with_name(f".{book.name}.arxl-lock")


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a workbook's lock, as written in the lock file."""

    pid: int
    host: str
    command: str
    since: str  # ISO date and time, local

    def describe(self) -> str:
        """```arxl reconcile post billing.xlsx` (pid 4242, since 10:02:03)``"""
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        try:
            started = dt.datetime.fromisoformat(self.since)
            since = f"{started:%H:%M:%S}" if started.date() == dt.date.today() else f"{started:%d/%m/%Y %H:%M}"
        except ValueError:
            since = self.since or "?"
        return f"`{self.command or 'arxl'}` (pid {self.pid}{where}, since {since})"


def read_holder(book: Path) -> Holder | None:
    """The holder written in the lock file, or None when there is none or it cannot be read."""
    try:
        data = json.loads(lock_path(book).read_text(encoding="utf-8") or "{}")
        return Holder(int(data["pid"]), str(data["host"]), str(data["command"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


Stamp = tuple[int, int, int]  # (size, modification time in ns, inode): what identifies one version of a file


def stamp(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


# The workbooks this process holds the lock of, with the version last read or written by it.
_held: dict[Path, Stamp | None] = {}


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def check_unchanged(path: Path) -> None:
    """Refuse to save a locked workbook that changed on disk since this process read or last saved it."""
    key = _key(path)
    if key not in _held:
        return
    expected, now = _held[key], stamp(path)
    if now != expected:
        raise WorkbookChanged("was changed on disk by another program after arxl read it; nothing was written "
                              "(run the command again: it will read the new version)", CellRef(path.name))


def saved(path: Path) -> None:
    """Record the version this process has just written as the one it knows."""
    key = _key(path)
    if key in _held:
        _held[key] = stamp(path)


def _lock_fd(fd: int) -> bool:
    """Take the OS lock of an open lock file without waiting; False when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class WorkbookLock:
    """The lock of one workbook, held from before the first read to after the last save.

    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp()) / "billing.xlsx"
    >>> with WorkbookLock(book, "arxl aging billing.xlsx"):
    ...     read_holder(book).command
    'arxl aging billing.xlsx'
    >>> lock_path(book).exists()
    False
    """

    def __init__(self, book: Path | str, command: str, wait: float = DEFAULT_WAIT,
                 say: Callable[[str], None] | None = None) -> None:
        self.book = Path(book)
        self.command = command
        self.wait = max(wait, 0.0)
        self.say = say
        self._fd: int | None = None

    def acquire(self) -> None:
        path = lock_path(self.book)
        if not path.parent.is_dir():
            raise ArxlError(f"the folder {path.parent} does not exist", CellRef(self.book.name))
        deadline = time.monotonic() + self.wait
        announced = False
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if _lock_fd(fd):
                if self._still_there(fd, path):
                    break
                os.close(fd)  # the holder removed the file as we took it: take the new one
                continue
            os.close(fd)
            holder = read_holder(self.book)
            who = holder.describe() if holder else "another arxl command"
            if time.monotonic() >= deadline:
                raise WorkbookBusy(f"is being changed by {who}; waited {self.wait:g} s. Nothing was written: run "
                                   "the command again when it is done", CellRef(self.book.name))
            if not announced and self.say is not None:
                self.say(f"{self.book.name}: waiting for {who} to finish...")
                announced = True
            time.sleep(_POLL)
        record = {"pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
                  "since": dt.datetime.now().isoformat(timespec="seconds")}
        if os.fstat(fd).st_size:  # a lock file left by a killed holder (truncating a new one costs a flush on ext4)
            os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(record).encode("utf-8"))
        self._fd = fd
        _held[_key(self.book)] = stamp(self.book)

    @staticmethod
    def _still_there(fd: int, path: Path) -> bool:
        try:
            here, there = os.fstat(fd), os.stat(path)
        except FileNotFoundError:
            return False
        return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)

    def release(self) -> None:
        if self._fd is None:
            return
        _held.pop(_key(self.book), None)
        with contextlib.suppress(OSError):
            lock_path(self.book).unlink()  # while still held: a waiter that opened it re-checks the path
        os.close(self._fd)  # the OS lock goes with the descriptor
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WorkbookLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()
