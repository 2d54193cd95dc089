"""Where a macro runs: a workbook host that can be read, changed, and can tell the accountant what happened.

A ribbon macro is written once against :class:`Host`. In Excel the host is the workbook that called the
macro (:class:`arxl.excel.host.ExcelHost`); headless, and in every test here, it is a file
(:class:`FileHost`). Both read tables through the WorkbookPort, apply a ChangeSet in one go, show progress in
a status line and alert the accountant with a message that names the cell.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Protocol

from arxl.core.errors import CellRef, Problem
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.lock import Stamp, WorkbookChanged, stamp
from arxl.formats.xlsx.save import ensure_not_open
from arxl.formats.xlsx.xlsx import XlsxFile
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger, load_ledger
from arxl.ledger.port import WorkbookPort


class Host(Protocol):
    """What a macro needs of the workbook it runs on."""

    @property
    def name(self) -> str: ...

    @property
    def folder(self) -> Path:
        """The workbook's folder: outputs (invoices, statements) go below it unless Settings say otherwise."""
        ...

    def port(self) -> WorkbookPort: ...

    def apply(self, changes: ChangeSet) -> None: ...

    def check_writable(self) -> None:
        """Refuse now, before anything irreversible (an e-mail sent), if the changes could not be saved."""
        ...

    def status(self, message: str) -> None: ...

    def alert(self, message: str, title: str = "arxl") -> None: ...


def ledger_of(host: Host) -> tuple[Ledger, list[Problem]]:
    """The typed ledger of the host's workbook, as it is now."""
    port = host.port()
    return load_ledger(port, bool(getattr(getattr(port, "info", None), "date1904", False)))


class FileHost:
    """A workbook file as a macro host: reads with calamine, applies changes in one atomic save.

    Status lines and alerts are kept (and echoed to stderr when ``echo``) so that tests can read them.
    """

    def __init__(self, path: Path | str, echo: bool = False) -> None:
        self.path = Path(path)
        self.echo = echo
        self.statuses: list[str] = []
        self.alerts: list[str] = []
        self._known: Stamp | None = None  # the version last read or written here
        self._read = False

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def folder(self) -> Path:
        return self.path.parent

    def port(self) -> WorkbookPort:
        self.mark_read()
        return XlsxFile(self.path)

    def mark_read(self) -> None:
        """Note the version about to be read: a save over any other version is refused (see :meth:`apply`)."""
        self._known, self._read = stamp(self.path), True

    def apply(self, changes: ChangeSet) -> None:
        if self._read and stamp(self.path) != self._known:
            raise WorkbookChanged("was changed on disk by another program after arxl read it; nothing was "
                                  "written (run the command again: it will read the new version)",
                                  CellRef(self.path.name))
        apply_changes(self.path, changes)
        self._known = stamp(self.path)

    def check_writable(self) -> None:
        ensure_not_open(self.path)

    def status(self, message: str) -> None:
        self.statuses.append(message)
        if self.echo:
            print(message, file=sys.stderr)

    def alert(self, message: str, title: str = "arxl") -> None:
        self.alerts.append(message)
        if self.echo:
            print(f"{title}: {message}", file=sys.stderr)
