"""The live-Excel host: the workbook that pressed the button, through xlwings (its open-source parts only).

Kept deliberately thin: reading a table is one bulk read of its ListObject, and a ChangeSet is written with
one bulk write per block; every decision was already taken by the workflow. Nothing here runs on Linux
(xlwings needs Excel), so all logic lives in the workflows and the ChangeSet, which the file host exercises
in the tests; the contract tests of the port are marked to run here where Excel exists.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from arxl.core.errors import BadWorkbook, CellRef
from arxl.formats.xlsx.looks import DATE_FORMAT, RATE_FORMAT, amount_format
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.port import RawTable, column_letter
from arxl.ledger.records import TABLES, Row, columns, header_key

_FILLS = {"header": (31, 78, 120), "good": (226, 239, 218), "warning": (255, 242, 204), "error": (248, 203, 173),
          "total": (221, 235, 247)}


# Text Excel would turn into something else when typed: a formula, a number (TIN 012345678 loses its zero,
# +250788... becomes a number) or a date. The leading apostrophe keeps it text and is not part of the value.
_REINTERPRETED = re.compile(r"^[=+\-@]|^\s*[\d.,/: -]+\s*$")


def _excel_value(value: object) -> object:
    """Decimal leaves as float only here, at the spreadsheet edge; text stays text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and _REINTERPRETED.search(value):
        return "'" + value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


class ExcelBook:
    """A WorkbookPort over an open xlwings Book."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def name(self) -> str:
        return str(self.book.name)

    def sheet_names(self) -> list[str]:
        return [str(s.name) for s in self.book.sheets]

    def _sheet(self, name: str) -> Any | None:
        return next((s for s in self.book.sheets if str(s.name).casefold() == name.casefold()), None)

    def _table(self, name: str) -> tuple[Any, Any]:
        sheet = self._sheet(name)
        if sheet is None or not len(sheet.tables):
            raise BadWorkbook(f"sheet {name} has no Excel Table (Insert > Table)", CellRef(self.name, name))
        table = next((t for t in sheet.tables if str(t.name).casefold() == name.casefold()), sheet.tables[0])
        return sheet, table

    def read_table(self, name: str, headers: Any) -> RawTable | None:
        if self._sheet(name) is None:
            return None
        sheet, table = self._table(name)
        header = [str(h or "") for h in table.header_row_range.value]
        body = table.data_body_range
        values = body.options(ndim=2).value if body is not None else []
        first_row = table.header_row_range.row + 1
        rows, numbers = [], []
        for i, cells in enumerate(values or []):
            if any(v not in (None, "") for v in cells):
                rows.append(list(cells))
                numbers.append(first_row + i)
        return RawTable(self.name, str(sheet.name), first_row - 1, table.range.column, header, rows, numbers)

    def apply(self, changes: ChangeSet) -> None:
        """Write a ChangeSet into the open workbook (Excel keeps its own undo-less history; save is the user's)."""
        for name, rows in changes.appends.items():
            self._append(name, rows)
        for update in changes.updates:
            sheet, table = self._table(update.table)
            letters = self._letters(table)
            header = next(c.header for c in columns(TABLES[update.table].model) if c.field == update.field)
            sheet.range(f"{letters[header_key(header)]}{update.row}").value = _excel_value(update.value)
        for spec in changes.sheets:
            self._render(spec)

    def _letters(self, table: Any) -> dict[str, str]:
        first = table.range.column
        return {header_key(h): column_letter(first + j) for j, h in enumerate(table.header_row_range.value) if h}

    def _append(self, name: str, rows: list[Row]) -> None:
        sheet, table = self._table(name)
        letters = self._letters(table)
        body = table.data_body_range
        last = table.header_row_range.row
        if body is not None:
            values = body.options(ndim=2).value or []
            filled = [i for i, r in enumerate(values) if any(v not in (None, "") for v in r)]
            last += (filled[-1] + 1) if filled else 0
        for offset, row in enumerate(rows, start=1):
            currency = str(getattr(row, "currency", "") or "")
            for column in columns(TABLES[name].model):
                letter = letters.get(header_key(column.header))
                if letter is None:
                    continue
                cell = sheet.range(f"{letter}{last + offset}")
                cell.value = _excel_value(getattr(row, column.field))
                if column.kind == "amount":
                    cell.number_format = amount_format(currency)
                elif column.kind == "date":
                    cell.number_format = DATE_FORMAT
                elif column.kind == "rate":
                    cell.number_format = RATE_FORMAT
        end_row = max(last + len(rows), table.header_row_range.row + 1)
        top_left = table.header_row_range[0]
        bottom_right = sheet.range(f"{column_letter(table.range.last_cell.column)}{end_row}")
        table.resize(sheet.range(top_left, bottom_right))

    def _render(self, spec: SheetSpec) -> None:
        existing = self._sheet(spec.name)
        after = None
        if existing is not None:
            index = existing.index
            after = self.book.sheets[index - 2] if index > 1 else None
            existing.delete()
        sheet = self.book.sheets.add(spec.name, after=after) if after is not None else self.book.sheets.add(spec.name)
        rows = list(spec.every_row())
        width = max((len(r) for r in rows), default=0)
        if width:
            block = [[_cell_value(c) for c in row] + [None] * (width - len(row)) for row in rows]
            sheet.range("A1").value = block
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell.style or cell.currency or cell.link:
                    _style(sheet.range(f"{column_letter(c)}{r}"), cell)
        for letter, size in spec.widths.items():
            sheet.range(f"{letter}:{letter}").column_width = size
        for chart_spec in spec.charts:
            chart = sheet.charts.add()
            cols = (chart_spec.categories, *chart_spec.series)
            first, last = chart_spec.first_row - 1, chart_spec.last_row
            chart.set_source_data(sheet.range(f"{min(cols)}{first}:{max(cols)}{last}"))
            chart.chart_type = "bar_stacked" if chart_spec.horizontal else "column_stacked"
            chart.top = sheet.range(chart_spec.anchor).top
            chart.left = sheet.range(chart_spec.anchor).left


def _cell_value(cell: Cell) -> object:
    return cell.formula if cell.formula else _excel_value(cell.value)


def _style(target: Any, cell: Cell) -> None:
    if cell.style in ("title", "header", "bold", "total"):
        target.font.bold = True
    if cell.style == "header":
        target.font.color = (255, 255, 255)
    if cell.style in _FILLS:
        target.color = _FILLS[cell.style]
    if cell.currency or cell.style == "amount":
        target.number_format = amount_format(cell.currency or "USD")
    elif cell.style == "date":
        target.number_format = DATE_FORMAT
    elif cell.style == "percent":
        target.number_format = RATE_FORMAT
    if cell.link:
        target.add_hyperlink(cell.link, str(cell.value), cell.link.lstrip("#"))


class ExcelHost:
    """The calling workbook in Excel as a macro host."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._port = ExcelBook(book)

    @classmethod
    def caller(cls) -> ExcelHost:
        import xlwings as xw

        return cls(xw.Book.caller())

    @property
    def name(self) -> str:
        return self._port.name

    @property
    def folder(self) -> Path:
        return Path(str(self.book.fullname)).parent

    def port(self) -> ExcelBook:
        return self._port

    def apply(self, changes: ChangeSet) -> None:
        self._port.apply(changes)

    def check_writable(self) -> None:
        """Excel holds the workbook: writing into it is always possible (saving it is the accountant's)."""

    def status(self, message: str) -> None:
        self.book.app.status_bar = message or False

    def alert(self, message: str, title: str = "arxl") -> None:
        self.book.app.alert(message, title=title, mode="critical")
