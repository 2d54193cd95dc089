"""A client's workbook as grids: every cell of the sheets asked for, as calamine gives them, for the readers of
files arxl does not own (a customer's statement, a remittance advice) that look for their header themselves.

The workbook has passed the safety check (:func:`arxl.formats.xlsx.safety.inspect_xlsx`) first; a file calamine
cannot read is refused naming it, and a place in a grid is named as Excel names it: ``[advice.xlsx]Advice!A9``, or
the whole row ``9:9`` when no column is meant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from arxl.core.errors import BadWorkbook, CellRef
from arxl.ledger.port import column_letter

Grid = list[list[object]]


def sheet_grids(path: Path, names: Sequence[str]) -> list[tuple[str, Grid]]:
    """The sheets ``names`` of ``path``, in that order, each as its grid of cells."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return [(n, cast(Grid, book.get_sheet_by_name(n).to_python(skip_empty_area=False))) for n in names]
    except (CalamineError, OSError, ValueError) as error:
        raise BadWorkbook(f"cannot be read: {str(error).strip()[:160]}", CellRef(path.name)) from None


def grid_place(book: str, sheet: str) -> Callable[[int, int | None], str]:
    """Where a grid's row ``index`` (from 0) and ``column`` (from 0, or None for the whole row) stand.

    >>> grid_place("advice.xlsx", "Advice")(8, 0), grid_place("advice.xlsx", "Advice")(8, None)
    ('[advice.xlsx]Advice!A9', '[advice.xlsx]Advice!9:9')
    """

    def where(index: int, column: int | None) -> str:
        cell = f"{column_letter(column + 1)}{index + 1}" if column is not None else f"{index + 1}:{index + 1}"
        return str(CellRef(book, sheet, cell))

    return where
