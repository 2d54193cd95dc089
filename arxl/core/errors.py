"""Errors an accountant can act on.

Every problem arxl reports says *where* (workbook, sheet, cell), *what* was expected and what was found, in
words short enough for a cell or a status bar. Single calls raise an :class:`ArxlError`; batch steps collect
:class:`Problem` values and go on, so a validation lists every mistake at once.

>>> where = CellRef("billing.xlsx", "Invoices", "F12")
>>> str(where)
'[billing.xlsx]Invoices!F12'
>>> str(BadValue('amount "12,5OO" is not a number', where))
'[billing.xlsx]Invoices!F12: amount "12,5OO" is not a number'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CellRef:
    """A place in a workbook. ``cell`` may be empty (whole sheet) and ``sheet`` too (whole workbook)."""

    book: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        if not self.sheet:
            return f"[{self.book}]"
        sheet = f"'{self.sheet}'" if any(c in self.sheet for c in " -'!") else self.sheet
        return f"[{self.book}]{sheet}!{self.cell}" if self.cell else f"[{self.book}]{sheet}"


class ArxlError(ValueError):
    """Bad input or a refused action. The CLI turns it into a message and exit code 2."""

    default = "bad input"

    def __init__(self, message: str = "", where: CellRef | str | None = None) -> None:
        self.message = message or self.default
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class BadValue(ArxlError):
    """A value that is not what its column or argument expects."""

    default = "value is not valid"


class UnknownCurrency(BadValue):
    default = "unknown currency"


class CurrencyMismatch(BadValue):
    default = "amounts are in different currencies"


class BadWorkbook(ArxlError):
    """A file that is not a readable, safe billing workbook (corrupt, encrypted, hostile, wrong layout)."""

    default = "not a readable workbook"


class WorkbookLocked(ArxlError):
    """The workbook is open in Excel or LibreOffice; arxl refuses to write it."""

    default = "the workbook is open in another program"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of a batch step: where, what, and how serious (``error`` blocks, ``warning`` informs)."""

    where: CellRef
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
