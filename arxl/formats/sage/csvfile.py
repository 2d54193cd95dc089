"""The two files of a Sage export: the audit-trail transactions CSV Sage imports, and the allocation sheet the
accountant follows in Sage; their rows, their text rules and their writing.

A row's fields are what Sage reads (see :mod:`arxl.formats.sage` for each type). Text for people (Details,
Extra Reference and the sheet's Details) is plain ASCII on one line and neutralised the OWASP way with a
leading quote when it would begin like a formula; codes (account, nominal, reference) are never altered: what
would begin like a formula is held back before it gets here.

>>> _amount(Decimal("-708000"), "RWF"), _amount(Decimal("1250.5"), "USD")
('708000', '1250.50')
>>> [str(n) for n in split(Decimal("250000000"), Decimal("45000000"), "RWF")[0]]
['83333334', '83333333', '83333333']
>>> _rate(Decimal("0.000694444444444444444444")), _rate(Decimal(1))
('0.000694444444444444444444', '1')
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from arxl.core.errors import BadValue, CellRef
from arxl.core.money import CURRENCIES
from arxl.formats.xlsx.save import atomic_write
from arxl.ledger.codes import FORMULA_START
from arxl.ledger.sage_parts import split as split  # one rule with the documents' parts (re-exported)

COLUMNS = ("Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference", "Details",
           "Net Amount", "Tax Code", "Tax Amount", "Exchange Rate", "Extra Reference", "User Name", "Project Refn",
           "Cost Code Refn")
ALLOCATION_COLUMNS = ("Account Reference", "Type", "Reference", "Date", "Allocate To", "Amount", "Currency",
                      "Details")
ACCOUNT_LENGTH = 8
NOMINAL_LENGTH = 8
REFERENCE_LENGTH = 30
DETAILS_LENGTH = 60
EXTRA_REFERENCE_LENGTH = 30

SageType = Literal["SI", "SC", "SA", "SP", "JD", "JC"]


@dataclass(frozen=True, slots=True)
class SageRow:
    """One row of the import file, amounts already positive."""

    type: SageType
    account_reference: str
    nominal: str
    date: dt.date
    reference: str
    details: str
    net: Decimal
    tax_code: str
    tax: Decimal
    currency: str  # decides the decimals written; not a column
    exchange_rate: Decimal = Decimal(1)
    extra_reference: str = ""
    department: str = ""
    user_name: str = ""
    project: str = ""
    cost_code: str = ""

    def fields(self) -> list[str]:
        """The row as Sage reads it, column by column."""
        return [self.type, self.account_reference, self.nominal, self.department, f"{self.date:%d/%m/%Y}",
                self.reference, self.details, _amount(self.net, self.currency), self.tax_code,
                _amount(self.tax, self.currency), _rate(self.exchange_rate), self.extra_reference, self.user_name,
                self.project, self.cost_code]


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One allocation the accountant makes in Sage: the transaction ``reference`` (of ``type``) on the customer's
    account is allocated to ``allocate_to`` for ``amount`` in the account's currency."""

    account_reference: str
    type: Literal["SA", "SC", "SP"]
    reference: str
    date: dt.date
    allocate_to: str
    amount: Decimal
    currency: str
    details: str = ""

    def fields(self) -> list[str]:
        return [self.account_reference, self.type, self.reference, f"{self.date:%d/%m/%Y}", self.allocate_to,
                _amount(self.amount, self.currency), self.currency, self.details]


def _amount(amount: Decimal, code: str) -> str:
    return f"{abs(amount):.{CURRENCIES[code].exponent}f}"


def _rate(rate: Decimal) -> str:
    """Sage's exchange rate as written: every decimal :func:`arxl.core.fx.sage_rate` gives (24), trailing zeros
    dropped."""
    text = f"{rate:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain(value: str) -> str:
    """Plain ASCII on one line (tabs and line breaks become single spaces)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.split())


def text(value: str, limit: int) -> str:
    """Text for people: plain ASCII on one line, a leading single quote when it would begin like a formula
    (OWASP), cut to ``limit`` characters.

    >>> text("=HYPERLINK(1)", 60), text("-5% discount", 60), text("Rack hosting", 60)
    ("'=HYPERLINK(1)", "'-5% discount", 'Rack hosting')
    """
    shown = plain(value)
    if shown.startswith(FORMULA_START):
        shown = "'" + shown
    return shown if len(shown) <= limit else shown[: limit - 3].rstrip() + "..."


def details(head: str, descriptions: list[str]) -> str:
    unique = list(dict.fromkeys(d.strip() for d in descriptions if d.strip()))
    body = unique[0] if unique else ""
    if len(unique) > 1:
        body += f" (+{len(unique) - 1} more)"
    return text(f"{head}: {body}" if head and body else head or body, DETAILS_LENGTH)


def _target(path: Path | str) -> Path:
    target = Path(path)
    if target.is_dir():
        raise BadValue("is a folder, not a file", CellRef(target.name))
    return target


def _write_rows(temp: Path, columns: Sequence[str], rows: Sequence[SageRow] | Sequence[AllocationLine],
                header: bool = True) -> None:
    with temp.open("w", encoding="ascii", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        if header:
            writer.writerow(columns)
        for row in rows:
            writer.writerow(row.fields())


def write_sage_csv(rows: Sequence[SageRow], path: Path | str, *, header: bool = True) -> Path:
    """Write the rows as Sage's CSV, atomically: a temporary file, then replace; a previous file of that name
    is kept as ``name.bak.csv`` so an export not yet imported into Sage is never lost.

    ``header`` writes the column titles first (Sage's import wizard maps columns by them; untick "first row"
    only for the old fixed-position import).
    """
    target = _target(path)
    atomic_write(target, lambda temp: _write_rows(temp, COLUMNS, rows, header))
    return target


def write_allocation_csv(lines: Sequence[AllocationLine], path: Path | str) -> Path:
    """Write the allocation sheet (:data:`ALLOCATION_COLUMNS`), atomically, keeping a previous one as .bak."""
    target = _target(path)
    atomic_write(target, lambda temp: _write_rows(temp, ALLOCATION_COLUMNS, lines))
    return target


def allocation_path(path: Path | str) -> Path:
    """The allocation sheet beside the Sage file: ``sage-2025-07.csv`` -> ``sage-2025-07-allocations.csv``."""
    target = Path(path)
    return target.with_name(f"{target.stem}-allocations{target.suffix or '.csv'}")


class Pair:
    """The Sage file and its allocation sheet written as one: both, or neither (with what was there before).

    :meth:`write` puts both files in place, each written to a temporary file and renamed (a previous one kept
    as ``.bak``); :meth:`undo` puts back what was there (or removes the new files) when what must follow the
    writing (the marks in the workbook) failed, so the files and the workbook never disagree."""

    def __init__(self, path: Path | str) -> None:
        self.sage = _target(path)
        self.sheet = _target(allocation_path(self.sage))
        self._before = {p: (p.read_bytes() if p.is_file() else None) for p in (self.sage, self.sheet)}

    def write(self, rows: Sequence[SageRow], lines: Sequence[AllocationLine]) -> list[Path]:
        try:
            write_sage_csv(rows, self.sage)
            write_allocation_csv(lines, self.sheet)
        except BaseException:
            self.undo()
            raise
        return [self.sage, self.sheet]

    def undo(self) -> None:
        for path, before in self._before.items():
            if before is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            else:
                path.write_bytes(before)
