"""A billing workbook file opened as a :class:`arxl.ledger.ledger.Ledger`: the file is read through
:class:`arxl.formats.xlsx.xlsx.XlsxFile` (calamine, with the package checked first) and every table converted to
its records, with each problem at its cell."""

from __future__ import annotations

from pathlib import Path

from arxl.core.errors import Problem
from arxl.formats.xlsx.xlsx import XlsxFile
from arxl.ledger.checks import check_ledger
from arxl.ledger.ledger import Ledger, load_ledger


def open_ledger(path: Path | str) -> tuple[Ledger, list[Problem]]:
    """Load a billing workbook file."""
    book = XlsxFile(path)
    return load_ledger(book, book.info.date1904)


def validate(path: Path | str) -> list[Problem]:
    """Every problem of a billing workbook file: cells, then the checks across rows and tables."""
    ledger, problems = open_ledger(path)
    problems.extend(check_ledger(ledger))
    return problems
