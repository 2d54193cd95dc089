"""The live-Excel host: the workbook that pressed the button, through xlwings (its open-source parts only).

Kept deliberately thin: every decision was already taken by the workflow. What this module does take care of
is the number of round trips, each a COM call of 0.1 to 1 ms (more on a Mac): the calls grow with blocks,
never with cells. A table is read in one call (its header and body together), once per button press; rows are
appended as one 2-D block per run of adjacent columns after the last filled row that read found, and the table
resized once; updates to adjacent cells of a column go in one write; a generated sheet is one block of values
(blocks go in as raw values, in xlwings' own chunks of 100,000 cells), and its looks (number formats, fills,
bold, colours) are applied to whole ranges, one call per distinct look over a multi-area range
("F5:H9,F12:H20", which Excel takes in one call up to 255 characters of address). Decimal leaves as float
only here, at the spreadsheet's edge.

Excel itself is not on the test machine: the tests drive this module through xlwings' own front end over an
in-memory engine that counts the calls (tests/xlmemory), and where Excel exists with ARXL_EXCEL=1.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from arxl.core.errors import BadWorkbook, CellRef
from arxl.excel.areas import adjacent, chunks, column_runs, ranges
from arxl.formats.xlsx.looks import DATE_FORMAT, RATE_FORMAT, amount_format
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.port import RawTable
from arxl.ledger.records import TABLES, Row, columns, header_key

_FILLS = {"header": (31, 78, 120), "good": (226, 239, 218), "warning": (255, 242, 204), "error": (248, 203, 173),
          "total": (221, 235, 247)}
_HEADER_SCAN = 30
_BLOCK = 100_000  # cells per write, as xlwings' own chunking of big writes

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


def _blank(values: Iterable[object]) -> bool:
    return all(v in (None, "") for v in values)


@dataclass
class _Found:
    """A table as found on its sheet: where it is, its headers, its last row and last filled row."""

    sheet: Any
    table: Any
    top: int  # the header row
    left: int
    headers: list[str]
    bottom: int
    filled: int  # the last non-blank row (the header row when empty)

    def column(self, header: str) -> int | None:
        key = header_key(header)
        return next((self.left + j for j, h in enumerate(self.headers) if h and header_key(h) == key), None)


class ExcelBook:
    """A WorkbookPort over an open xlwings Book, for one button press: while the macro runs Excel is frozen and
    only this port writes the workbook, so what it read stays true until it writes there (a table is read once
    however many times the job asks for the ledger)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._name = ""
        self._sheets: dict[str, tuple[str, Any]] | None = None
        self._found: dict[str, _Found] = {}
        self._read: dict[str, RawTable | None] = {}

    @property
    def name(self) -> str:
        if not self._name:
            self._name = str(self.book.name)
        return self._name

    def _all_sheets(self) -> dict[str, tuple[str, Any]]:
        if self._sheets is None:
            self._sheets = {}
            for sheet in self.book.sheets:
                name = str(sheet.name)
                self._sheets[name.casefold()] = (name, sheet)
        return self._sheets

    def sheet_names(self) -> list[str]:
        return [name for name, _ in self._all_sheets().values()]

    def _sheet(self, name: str) -> Any | None:
        found = self._all_sheets().get(name.casefold())
        return found[1] if found else None

    def _forget(self, name: str) -> None:
        """What was read of a sheet, once it is written."""
        self._read.pop(name.casefold(), None)

    def _table(self, name: str) -> _Found:
        """The table of a sheet, read once (the one named as the sheet, else its first); made when arxl owns it
        or may add it to an older workbook (as the file host does)."""
        key = name.casefold()
        if key not in self._found:
            if self._sheet(name) is None and name in TABLES and (TABLES[name].owner == "arxl"
                                                                 or not TABLES[name].required):
                self._new_table(name)
            if self._sheet(name) is None:
                raise BadWorkbook(f'sheet "{name}" is missing', CellRef(self.name))
            raw = self._read_table(name, [])
            if key not in self._found:
                raise BadWorkbook(f"sheet {name} has no Excel Table (Insert > Table)", CellRef(self.name, name))
            self._read[key] = raw
        return self._found[key]

    def _new_table(self, name: str) -> Any:
        sheet = self._add_sheet(name, None)
        headers: list[object] = [c.header for c in columns(TABLES[name].model)]
        _put(sheet, 1, 1, [headers])
        sheet.tables.add(source=sheet.range((1, 1), (2, len(headers))), name=name)
        return sheet

    def read_table(self, name: str, headers: Any) -> RawTable | None:
        key = name.casefold()
        if key not in self._read:
            self._read[key] = self._read_table(name, list(headers))
        raw = self._read[key]
        if raw is None:
            return None
        return replace(raw, rows=[list(r) for r in raw.rows], row_numbers=list(raw.row_numbers))

    def _read_table(self, name: str, headers: list[str]) -> RawTable | None:
        """One read of the table's whole range (header and body), or of the used range of a sheet without one."""
        sheet = self._sheet(name)
        if sheet is None:
            return None
        tables = [t for t in sheet.tables]  # noqa: C416 (list() would ask Excel for their count first)
        if not tables:
            return self._read_sheet(sheet, headers)
        table = tables[0] if len(tables) == 1 else next(
            (t for t in tables if str(t.name).casefold() == name.casefold()), tables[0])
        whole = table.range
        grid = whole.options(ndim=2).value or []
        top = whole.row
        found = _Found(sheet, table, top, whole.column, [str(h or "") for h in grid[0]] if grid else [],
                       top + len(grid) - 1, top)
        rows, numbers = [], []
        for i, cells in enumerate(grid[1:], start=found.top + 1):
            if not _blank(cells):
                rows.append(list(cells))
                numbers.append(i)
        found.filled = numbers[-1] if numbers else found.top
        self._found[name.casefold()] = found
        return RawTable(self.name, self._all_sheets()[name.casefold()][0], top, found.left, found.headers, rows,
                        numbers)

    def _read_sheet(self, sheet: Any, headers: list[str]) -> RawTable:
        """A sheet without an Excel Table: its used range, from the top row naming most of the headers."""
        used = sheet.used_range
        grid = used.options(ndim=2).value or []
        wanted = {header_key(h) for h in headers}
        hits: list[int] = [sum(1 for v in row if isinstance(v, str) and header_key(v) in wanted)
                           for row in grid[:_HEADER_SCAN]]
        best = max(hits, default=0)
        top = hits.index(best) if best else 0
        header = list(grid[top]) if grid else []
        left = next((j for j, v in enumerate(header) if v not in (None, "")), 0)
        while header and header[-1] in (None, ""):
            header.pop()
        width = len(header) - left
        rows, numbers = [], []
        for i, cells in enumerate(grid[top + 1:], start=top + 1):
            if not _blank(cells[left:left + width]):
                rows.append(list(cells[left:left + width]))
                numbers.append(used.row + i)
        return RawTable(self.name, str(sheet.name), used.row + top, used.column + left,
                        [str(h or "") for h in header[left:]], rows, numbers)

    def apply(self, changes: ChangeSet) -> None:
        """Write a ChangeSet into the open workbook (Excel keeps its own undo-less history; save is the user's)."""
        for name, rows in changes.appends.items():
            self._append(name, rows)
        cells: dict[tuple[str, int, int], object] = {}
        for update in changes.updates:
            found = self._table(update.table)
            header = next(c.header for c in columns(TABLES[update.table].model) if c.field == update.field)
            column = found.column(header)
            if column is None:
                raise BadWorkbook(f"table {update.table} has no column {header}", CellRef(self.name, update.table))
            cells[(update.table.casefold(), column, update.row)] = _excel_value(update.value)
        self._update(cells)
        for spec in changes.sheets:
            self._render(spec)
        for name in [*changes.appends, *(u.table for u in changes.updates), *(s.name for s in changes.sheets)]:
            self._forget(name)  # read again when asked (the row numbers and blanks are Excel's to say)

    def _update(self, cells: dict[tuple[str, int, int], object]) -> None:
        """Each run of adjacent rows of one column in one write."""
        for (table, column, first, _), values in column_runs(cells):
            _put(self._found[table].sheet, first, column, [[v] for v in values])

    def _append(self, name: str, rows: list[Row]) -> None:
        if not rows:
            return
        found = self._table(name)
        first = found.filled + 1
        last = first + len(rows) - 1
        wanted = [(found.column(c.header), c) for c in columns(TABLES[name].model)]
        placed = sorted((col, c) for col, c in wanted if col is not None)
        for run in adjacent([col for col, _ in placed]):
            fields = [c.field for col, c in placed if col in run]
            block = [[_excel_value(getattr(row, f)) for f in fields] for row in rows]
            _put(found.sheet, first, run[0], block)
        looks: dict[tuple[int, int], str] = {}
        for col, column in placed:
            for i, row in enumerate(rows):
                if column.kind == "amount":
                    looks[(first + i, col)] = amount_format(str(getattr(row, "currency", "") or ""))
                elif column.kind == "date":
                    looks[(first + i, col)] = DATE_FORMAT
                elif column.kind == "rate":
                    looks[(first + i, col)] = RATE_FORMAT
        _paint(found.sheet, looks, "number_format", majority=True)
        found.filled = last
        if last > found.bottom:
            right = found.left + len(found.headers) - 1
            found.table.resize(found.sheet.range((found.top, found.left), (last, right)))
            found.bottom = last

    def _add_sheet(self, name: str, replaced: Any | None) -> Any:
        """A new sheet at the end, or in the place of the one it replaces (the sheet order the accountant set)."""
        order = list(self._all_sheets().items())
        at = next((i for i, (k, _) in enumerate(order) if k == name.casefold()), len(order))
        if replaced is not None:
            replaced.delete()
            order.pop(at)
        # unnamed, then named: Sheets.add(name) would first read the name of every sheet to refuse a duplicate
        if at < len(order) and at == 0:
            sheet = self.book.sheets.add(before=order[0][1][1])
        else:
            sheet = self.book.sheets.add(after=order[at - 1][1][1]) if order else self.book.sheets.add()
        sheet.name = name
        order.insert(at, (name.casefold(), (name, sheet)))
        self._sheets = dict(order)
        return sheet

    def _render(self, spec: SheetSpec) -> None:
        self._found.pop(spec.name.casefold(), None)
        sheet = self._add_sheet(spec.name, self._sheet(spec.name))
        rows = list(spec.every_row())
        width = max((len(r) for r in rows), default=0)
        if width:
            _put(sheet, 1, 1, [[_cell_value(c) for c in row] + [None] * (width - len(row)) for row in rows])
        looks: dict[str, dict[tuple[int, int], Any]] = defaultdict(dict)
        links = []
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell.style or cell.currency:
                    for attribute, value in _looks(cell):
                        looks[attribute][(r, c)] = value
                if cell.link:
                    links.append((r, c, cell))
        for attribute, cells in looks.items():
            _paint(sheet, cells, attribute, majority=attribute == "number_format")
        for r, c, cell in links:  # Excel has no call for many links at once
            sheet.range((r, c)).add_hyperlink(cell.link, str(cell.value), cell.link.lstrip("#"))
        by_width: dict[float, list[str]] = defaultdict(list)
        for letter, size in spec.widths.items():
            by_width[size].append(letter)
        for size, letters in by_width.items():
            for address in chunks([f"{x}:{x}" for x in letters]):
                sheet.range(address).column_width = size
        self._tables(sheet, spec)
        for chart_spec in spec.charts:
            cols = (chart_spec.categories, *chart_spec.series)
            first, last = chart_spec.first_row - 1, chart_spec.last_row
            kind = "line" if chart_spec.kind == "line" else (
                ("bar_" if chart_spec.horizontal else "column_") + ("stacked" if chart_spec.stacked else "clustered"))
            anchor = sheet.range(chart_spec.anchor)
            sheet.charts.add(left=anchor.left, top=anchor.top, chart_type=kind,
                             source=sheet.range(f"{min(cols)}{first}:{max(cols)}{last}"))

    def _tables(self, sheet: Any, spec: SheetSpec) -> None:
        """The spec's Excel Tables; a name another table of the workbook holds gets a number, as the file host's."""
        for area in spec.tables:
            for n in range(1, 100):
                try:
                    sheet.tables.add(source=sheet.range(area.range), name=area.name + (str(n) if n > 1 else ""),
                                     table_style_name=area.style)
                    break
                except Exception:  # Excel's COM error (the engine's ValueError): the name is taken
                    continue


def _put(sheet: Any, top: int, left: int, block: list[list[object]]) -> None:
    """A block of values written as they are (raw_value: the value conversion of xlwings' front end would ask
    Excel for the sheet, book and app, and resize the range twice, on every write), at most _BLOCK cells a call
    as xlwings itself does; an empty cell is written as "" as xlwings' desktop engines do."""
    width = len(block[0])
    step = max(_BLOCK // width, 1)
    for start in range(0, len(block), step):
        part = [["" if v is None else v for v in row] for row in block[start:start + step]]
        sheet.range((top + start, left), (top + start + len(part) - 1, left + width - 1)).raw_value = part


def _cell_value(cell: Cell) -> object:
    return cell.formula if cell.formula else _excel_value(cell.value)


def _looks(cell: Cell) -> list[tuple[str, Any]]:
    """The looks of a cell, as (attribute, value): bold, font colour, fill, number format."""
    found: list[tuple[str, Any]] = []
    if cell.style in ("title", "header", "bold", "total"):
        found.append(("bold", True))
    if cell.style == "header":
        found.append(("font_color", (255, 255, 255)))
    if cell.style in _FILLS:
        found.append(("color", _FILLS[cell.style]))
    if cell.currency or cell.style == "amount":
        found.append(("number_format", amount_format(cell.currency or "USD")))
    elif cell.style == "date":
        found.append(("number_format", DATE_FORMAT))
    elif cell.style == "percent":
        found.append(("number_format", RATE_FORMAT))
    return found


def _paint(sheet: Any, cells: dict[tuple[int, int], Any], attribute: str, majority: bool = False) -> None:
    """Each cell its value of ``attribute``: one call per distinct value and multi-area range (see areas)."""
    for address, value in ranges(cells, majority):
        target = sheet.range(address)
        if attribute == "bold":
            target.font.bold = value
        elif attribute == "font_color":
            target.font.color = value
        else:
            setattr(target, attribute, value)


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
