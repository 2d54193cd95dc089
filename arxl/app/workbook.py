"""The workbook a command works on: found, locked for the rest of the command when it is changed, opened as a host.

A command that changes a workbook takes the lock beside it before anything is read (one writer at a time:
a second command waits, then refuses); a command that only reads takes no lock (every save replaces the file in
one step). The command line and the ribbon both come here, so the rule lives in one place.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from arxl.core.errors import ArxlError
from arxl.formats.xlsx.host import FileHost, Host, ledger_of
from arxl.formats.xlsx.lock import DEFAULT_WAIT, WorkbookLock
from arxl.ledger.settings import Settings

__all__ = ["FileHost", "Host", "existing", "lock_for", "readable", "settings_of", "writable"]


def existing(path: Path) -> Path:
    """The path of an input file, refused with a clear message when it is missing or a folder."""
    if not path.exists():
        raise ArxlError(f"file not found: {path}")
    if path.is_dir():
        raise ArxlError(f"{path} is a folder, not a workbook")
    return path


def writable(book: Path, locks: contextlib.ExitStack, command: str, wait: float | None,
             say: Callable[[str], None]) -> FileHost:
    """The workbook as the host of a command that changes it: its lock is taken first (into ``locks``, held until
    the command ends) and only then is anything read. ``wait`` is how long to wait for another command (None:
    ARXL_WAIT, else 60 seconds); ``command`` is what a waiting command is told."""
    locks.enter_context(WorkbookLock(existing(book), command, waiting(wait), say=say))
    return FileHost(book)


def waiting(wait: float | None) -> float:
    """How long a command waits for another one holding its workbook: ``wait`` (``arxl --wait``), else
    ARXL_WAIT, else 60 seconds."""
    if wait is not None:
        return wait
    try:
        return float(os.environ.get("ARXL_WAIT", DEFAULT_WAIT))
    except ValueError:
        raise ArxlError(f'ARXL_WAIT "{os.environ["ARXL_WAIT"][:20]}" is not a number of seconds') from None


def readable(book: Path) -> FileHost:
    """The workbook for a command that only reads it (no lock: saves replace the file in one step)."""
    return FileHost(existing(book))


def lock_for(host: Host, command: str, wait: float, say: Callable[[str], None]) -> WorkbookLock:
    """The workbook's lock, taken for a ribbon button (the same lock as the command line's, so that a button and a
    command never write the workbook together); raises :class:`~arxl.core.errors.ArxlError` (WorkbookBusy) when
    another run still holds it after ``wait`` seconds. The caller releases it."""
    lock = WorkbookLock(host.folder / host.name, command, wait, say=say)
    lock.acquire()
    return lock


def settings_of(host: Host) -> Settings:
    """The Settings of the host's workbook as they are now (read without the checks of a job)."""
    return ledger_of(host)[0].settings
