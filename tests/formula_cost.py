"""What a generated sheet's formulas cost a spreadsheet to recalculate: the cells they reference.

Excel and LibreOffice recalculate a SUMIFS by reading every cell of its ranges, so the cells referenced by a
sheet's formulas are a fair measure of its recalculation work. A sheet whose formulas each scan a whole column
costs rows x rows (the Aging summary's SUMIFS over the whole detail: 44,600 cells a row for 20,000 invoices);
one whose formulas read their own block costs a few dozen cells a row, however long the ledger.

A formula's references are counted after its text literals are taken out ("1-30 days" is not a cell): ``A1``
is one cell, ``$J$10:$J$19`` ten, ``B2:D3`` six, a whole column ``$A:$A`` 1,048,576 (Excel's rows) and a whole
row ``3:3`` 16,384 (its columns); a sheet-qualified reference (``'Z1 Invoices'!A1:A9``) counts the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from arxl.ledger.changes import SheetSpec

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
_TEXT = re.compile(r'"(?:[^"]|"")*"')
_SHEET = re.compile(r"(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!")
_CELL = r"\$?([A-Z]{1,3})\$?([0-9]+)"
_REFERENCE = re.compile(
    rf"(?<![\w.$]){_CELL}(?::{_CELL})?(?![\w(])"  # A1 or A1:B2
    r"|(?<![\w.$])\$?([A-Z]{1,3}):\$?([A-Z]{1,3})(?![\w(])"  # A:B
    r"|(?<![\w.$])\$?([0-9]+):\$?([0-9]+)(?![\w(])")  # 1:3


def _column(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def referenced_cells(formula: str) -> int:
    """The number of cells a formula's references cover (a cell referenced twice counts twice: it is read twice)."""
    text = _SHEET.sub("", _TEXT.sub('""', formula))
    total = 0
    for m in _REFERENCE.finditer(text):
        c1, r1, c2, r2, k1, k2, n1, n2 = m.groups()
        if c1:
            columns = abs(_column(c2 or c1) - _column(c1)) + 1
            total += columns * (abs(int(r2 or r1) - int(r1)) + 1)
        elif k1:
            total += (abs(_column(k2) - _column(k1)) + 1) * EXCEL_ROWS
        else:
            total += (abs(int(n2) - int(n1)) + 1) * EXCEL_COLUMNS
    return total


@dataclass(frozen=True, slots=True)
class FormulaCost:
    """A sheet's formulas, the cells they reference and its rows."""

    formulas: int
    cells: int
    rows: int

    @property
    def per_row(self) -> float:
        return self.cells / self.rows if self.rows else 0.0


def formula_cost(formulas: Iterable[str], rows: int) -> FormulaCost:
    """The cost of a sheet of ``rows`` rows holding ``formulas``."""
    count = cells = 0
    for formula in formulas:
        count += 1
        cells += referenced_cells(formula)
    return FormulaCost(count, cells, rows)


def sheet_cost(sheet: SheetSpec) -> FormulaCost:
    """The cost of a generated sheet: every formula of its cells over its rows."""
    return formula_cost((cell.formula for row in sheet.rows for cell in row if cell.formula), len(sheet.rows))
