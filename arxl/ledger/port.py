"""The WorkbookPort: what the workflows need from a workbook, whoever holds it.

Two hosts hold the billing workbook: a file on disk (read fast with calamine, written with openpyxl) and a
workbook open in Excel (xlwings). Workflows talk to this small interface only, so every workflow runs and is
tested without Excel. A port hands out a table as a :class:`RawTable`: the header and the raw cell values,
with enough position to name any cell in an error message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from arxl.core.errors import CellRef


def column_letter(index: int) -> str:
    """Excel's letters for a 1-based column number.

    >>> column_letter(1), column_letter(26), column_letter(27), column_letter(16384)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table's header and cell values as the host holds them, with their position on the sheet.

    ``rows[i]`` is Excel row ``row_numbers[i]``; ``rows[i][j]`` is column ``first_col + j``. Blank rows are
    already left out. Cell values are what the host returns: str, float, int, bool, date, datetime or None.
    """

    book: str
    sheet: str
    header_row: int
    first_col: int
    headers: list[str]
    rows: list[list[object]]
    row_numbers: list[int]
    date1904: bool = False
    notes: list[str] = field(default_factory=list)

    def where(self, row_index: int | None, col_index: int) -> CellRef:
        """The cell of a data row (or of the header when ``row_index`` is None)."""
        row = self.header_row if row_index is None else self.row_numbers[row_index]
        return CellRef(self.book, self.sheet, f"{column_letter(self.first_col + col_index)}{row}")


class WorkbookPort(Protocol):
    """What a workflow may ask of a workbook host."""

    @property
    def name(self) -> str:
        """The workbook's file name, as errors show it (``billing.xlsx``)."""
        ...

    def sheet_names(self) -> list[str]:
        """The workbook's sheets in tab order."""
        ...

    def read_table(self, name: str, headers: Sequence[str]) -> RawTable | None:
        """The table called ``name`` (ListObject or sheet), or None when the workbook has no such sheet.

        ``headers`` are the column headers the caller expects; a host without a ListObject uses them to find
        the header row.
        """
        ...
