"""The memory engine's ranges, fonts, tables and charts, over an openpyxl worksheet.

A range is a list of areas (row, column, rows, columns): one for "A1:C9", several for "A1:A9,C1:C9" (Excel
takes a style for all of them in one call; a value read or write works on the first, as Excel's does).
"""

from __future__ import annotations

import datetime as dt
import re
from copy import copy
from typing import TYPE_CHECKING, Any

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as XTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from tests.xlmemory.base import CALLS, Counted

if TYPE_CHECKING:
    from tests.xlmemory.engine import Book, Sheet

Area = tuple[int, int, int, int]
ROWS, COLUMNS = 1048576, 16384
_A1 = re.compile(r"^\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})?\$?(\d+)?)?$")
_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_DATE_LIKE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?\s*$")


def _area(text: str) -> Area:
    match = _A1.match(text.strip().upper())
    if not match or not any(match.groups()):
        raise NotImplementedError(f"the memory engine reads A1 references only, not {text!r} (a name?)")
    c1, r1, c2, r2 = match.groups()
    if c2 is None and r2 is None:
        c2, r2 = c1, r1
    top, bottom = (int(r1), int(r2)) if r1 and r2 else (1, ROWS)
    left, right = (column_index_from_string(c1), column_index_from_string(c2)) if c1 and c2 else (1, COLUMNS)
    return min(top, bottom), min(left, right), abs(bottom - top) + 1, abs(right - left) + 1


def _corner(arg: Any) -> Area:
    if isinstance(arg, Range):
        return arg._areas[0]
    if isinstance(arg, str):
        return _area(arg)
    if isinstance(arg, tuple) and len(arg) == 2:
        return int(arg[0]), int(arg[1]), 1, 1
    if isinstance(arg, tuple) and len(arg) == 4:
        return int(arg[0]), int(arg[1]), int(arg[2]), int(arg[3])
    raise NotImplementedError(f"the memory engine does not take {arg!r} as a range")


def areas_of(ws: Worksheet, arg1: Any, arg2: Any = None) -> list[Area]:
    """The areas of ``sheet.range(arg1, arg2)``: an A1 reference (several with commas), (row, column) or
    (row, column, rows, columns), or the box of two corners."""
    if arg2 is None:
        if isinstance(arg1, str) and "," in arg1:
            return [_area(part) for part in arg1.split(",")]
        return [_corner(arg1)]
    a, b = _corner(arg1), _corner(arg2)
    top, left = min(a[0], b[0]), min(a[1], b[1])
    bottom, right = max(a[0] + a[2], b[0] + b[2]) - 1, max(a[1] + a[3], b[1] + b[3]) - 1
    return [(top, left, bottom - top + 1, right - left + 1)]


def _rgb(value: Any) -> str:
    if isinstance(value, tuple):
        return "FF{:02X}{:02X}{:02X}".format(*value)
    if isinstance(value, str):
        return "FF" + value.lstrip("#").upper()
    if isinstance(value, int):  # Excel's BGR integer
        return f"FF{value & 255:02X}{(value >> 8) & 255:02X}{(value >> 16) & 255:02X}"
    raise NotImplementedError(f"the memory engine takes colours as (r, g, b), '#rrggbb' or an int, not {value!r}")


def _tuple(argb: Any) -> tuple[int, int, int] | None:
    if not isinstance(argb, str) or len(argb) != 8:
        return None
    return int(argb[2:4], 16), int(argb[4:6], 16), int(argb[6:8], 16)


class Range(Counted):
    """A range of a sheet."""

    def __init__(self, sheet: Sheet, areas: list[Area]) -> None:
        self._sheet, self._areas = sheet, areas
        self.options: dict[str, Any] = {}

    api = property(lambda self: self)
    sheet = property(lambda self: self._sheet)
    row = property(lambda self: self._areas[0][0])
    column = property(lambda self: self._areas[0][1])
    shape = property(lambda self: (self._areas[0][2], self._areas[0][3]))
    max_cells_per_read = 4_000_000  # xlwings' budgets for the desktop engines: bigger blocks go in chunks
    max_cells_per_write = 100_000

    @property
    def _ws(self) -> Worksheet:
        return self._sheet._ws

    def _bounded(self, area: Area) -> Area:
        """A whole column or row stops at the last used row or column (the cells beyond are all empty)."""
        top, left, rows, cols = area
        ws = self._ws
        if rows == ROWS:
            rows = max(ws.max_row - top + 1, 1)
        if cols == COLUMNS:
            cols = max(ws.max_column - left + 1, 1)
        return top, left, rows, cols

    def _cells(self) -> Any:
        for area in self._areas:
            top, left, rows, cols = self._bounded(area)
            for r in range(top, top + rows):
                for c in range(left, left + cols):
                    yield self._ws.cell(r, c)

    def __len__(self) -> int:
        CALLS["Range.count"] += 1
        return sum(a[2] * a[3] for a in self._areas)

    def __call__(self, row: int, column: int | None = None) -> Range:
        CALLS["Range.cells"] += 1
        top, left, _, cols = self._areas[0]
        if column is None:
            row, column = (row - 1) // cols + 1, (row - 1) % cols + 1
        return Range(self._sheet, [(top + row - 1, left + column - 1, 1, 1)])

    @property
    def raw_value(self) -> Any:
        top, left, rows, cols = self._bounded(self._areas[0])
        book = self._sheet._book
        values = tuple(tuple(book._read(self._ws, cell) for cell in row)
                       for row in self._ws.iter_rows(min_row=top, max_row=top + rows - 1, min_col=left,
                                                     max_col=left + cols - 1))
        return values[0][0] if rows == 1 and cols == 1 else values

    @raw_value.setter
    def raw_value(self, data: Any) -> None:
        top, left, rows, cols = self._areas[0]
        if not isinstance(data, (list, tuple)):
            data = [[data] * cols for _ in range(rows)]
        elif data and not isinstance(data[0], (list, tuple)):
            data = [data]
        book = self._sheet._book
        for i, values in enumerate(data):
            for j, value in enumerate(values):
                book._write(self._ws, self._ws.cell(top + i, left + j), value)

    @property
    def formula(self) -> Any:
        cell = self._ws.cell(self._areas[0][0], self._areas[0][1])
        return str(cell.value) if cell.value is not None else ""

    @property
    def number_format(self) -> str:
        return str(self._ws.cell(self.row, self.column).number_format)

    @number_format.setter
    def number_format(self, value: str) -> None:
        for cell in self._cells():
            cell.number_format = value

    @property
    def color(self) -> tuple[int, int, int] | None:
        fill = self._ws.cell(self.row, self.column).fill
        return _tuple(fill.fgColor.rgb) if fill.fill_type == "solid" else None

    @color.setter
    def color(self, value: Any) -> None:
        fill = PatternFill() if value is None else PatternFill("solid", fgColor=_rgb(value))
        for cell in self._cells():
            cell.fill = fill

    @property
    def font(self) -> Font:
        return Font(self)

    @property
    def column_width(self) -> float | None:
        width = self._ws.column_dimensions[get_column_letter(self.column)].width
        return float(width) if width else 8.43

    @column_width.setter
    def column_width(self, value: float) -> None:
        for _, left, _, cols in self._areas:
            for c in range(left, left + cols):
                self._ws.column_dimensions[get_column_letter(c)].width = value

    @property
    def left(self) -> float:
        """Points from the sheet's left edge (a character of width is about 5.25 points plus padding)."""
        return float(sum((self._ws.column_dimensions[get_column_letter(c)].width or 8.43) * 5.25 + 5
                         for c in range(1, self.column)))

    @property
    def top(self) -> float:
        return float(sum(self._ws.row_dimensions[r].height or 15 for r in range(1, self.row)))

    def get_address(self, row_absolute: bool = True, col_absolute: bool = True, external: bool = False) -> str:
        def one(area: Area) -> str:
            top, left, rows, cols = area
            c, r = ("$" if col_absolute else ""), ("$" if row_absolute else "")
            first = f"{c}{get_column_letter(left)}{r}{top}"
            last = f"{c}{get_column_letter(left + cols - 1)}{r}{top + rows - 1}"
            return first if rows == cols == 1 else f"{first}:{last}"

        text = ",".join(one(a) for a in self._areas)
        return f"[{self._sheet._book._path.name}]{self._ws.title}!{text}" if external else text

    @property
    def address(self) -> str:
        return self.get_address(True, True, False)

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        cell = self._ws.cell(self.row, self.column)
        self._sheet._book._write(self._ws, cell, text_to_display if text_to_display is not None else address)
        if address.startswith("#"):
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=address[1:], tooltip=screen_tip)
        else:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, target=address, tooltip=screen_tip)

    @property
    def hyperlink(self) -> str:
        link = self._ws.cell(self.row, self.column).hyperlink
        if link is None:
            raise ValueError("the cell has no hyperlink")  # as Excel does
        return f"#{link.location}" if link.location else str(link.target)

    def clear_contents(self) -> None:
        for cell in self._cells():
            cell.value = None

    def clear(self) -> None:
        for cell in self._cells():
            cell.value, cell.style, cell.hyperlink = None, "Normal", None


class Font(Counted):
    """The font of a range: bold and colour (what arxl sets)."""

    def __init__(self, rng: Range) -> None:
        self._rng = rng

    def _first(self) -> Any:
        return self._rng._ws.cell(self._rng.row, self._rng.column).font

    def _set(self, **change: Any) -> None:
        for cell in self._rng._cells():
            font = copy(cell.font)
            for key, value in change.items():
                setattr(font, key, value)
            cell.font = font

    @property
    def bold(self) -> bool:
        return bool(self._first().b)

    @bold.setter
    def bold(self, value: bool) -> None:
        self._set(b=bool(value))

    @property
    def italic(self) -> bool:
        return bool(self._first().i)

    @italic.setter
    def italic(self, value: bool) -> None:
        self._set(i=bool(value))

    @property
    def color(self) -> tuple[int, int, int] | None:
        color = self._first().color
        return _tuple(color.rgb) if color is not None else None

    @color.setter
    def color(self, value: Any) -> None:
        self._set(color=_rgb(value))


class Tables(Counted):
    """The ListObjects of a sheet."""

    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def _all(self) -> list[Table]:
        return [Table(self._sheet, t) for t in self._sheet._ws.tables.values()]

    def __len__(self) -> int:
        CALLS["Tables.count"] += 1
        return len(self._sheet._ws.tables)

    def __iter__(self) -> Any:
        CALLS["Tables.items"] += 1
        return iter(self._all())

    def __call__(self, key: int | str) -> Table:
        CALLS["Tables.item"] += 1
        tables = self._all()
        if isinstance(key, int):
            return tables[key - 1]
        return next(t for t in tables if t._x.displayName.casefold() == key.casefold())

    def __contains__(self, key: str) -> bool:
        return any(t._x.displayName.casefold() == key.casefold() for t in self._all())

    def add(self, source_type: Any = None, source: Any = None, link_source: Any = None, has_headers: bool = True,
            destination: Any = None, table_style_name: str = "TableStyleMedium2", name: str | None = None) -> Table:
        taken = {t.casefold() for ws in self._sheet._book._wb.worksheets for t in ws.tables}
        name = name or f"Table{len(taken) + 1}"
        if name.casefold() in taken:
            raise ValueError(f"a table named {name} exists in the workbook")  # Excel refuses it too
        table = XTable(displayName=name, ref=source.impl.get_address(False, False))
        table.tableStyleInfo = TableStyleInfo(name=table_style_name, showRowStripes=True)
        self._sheet._ws.add_table(table)
        return Table(self._sheet, table)


class Table(Counted):
    """One ListObject: its range is its openpyxl ref, kept in step by ``resize``."""

    def __init__(self, sheet: Sheet, table: XTable) -> None:
        self._sheet, self._x = sheet, table

    def _box(self) -> Area:
        return _area(self._x.ref)

    @property
    def name(self) -> str:
        return str(self._x.displayName)

    display_name = name
    parent = property(lambda self: self._sheet)
    show_totals = property(lambda self: False)
    totals_row_range = property(lambda self: None)

    @property
    def range(self) -> Range:
        return Range(self._sheet, [self._box()])

    @property
    def header_row_range(self) -> Range:
        top, left, _, cols = self._box()
        return Range(self._sheet, [(top, left, 1, cols)])

    @property
    def data_body_range(self) -> Range | None:
        top, left, rows, cols = self._box()
        return Range(self._sheet, [(top + 1, left, rows - 1, cols)]) if rows > 1 else None

    def resize(self, range: Any) -> None:
        target = getattr(range, "impl", range)
        ref = target.get_address(False, False)
        if _area(ref)[3] != self._box()[3]:
            self._x.tableColumns = []
        self._x.ref = ref
        if self._x.autoFilter is not None:
            self._x.autoFilter.ref = ref


class Charts(Counted):
    """The charts of a sheet, kept beside the workbook (openpyxl cannot read charts back)."""

    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def _list(self) -> list[Chart]:
        return self._sheet._book._charts.setdefault(id(self._sheet._ws), [])

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Any:
        return iter(list(self._list()))

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211, **options: Any) -> Chart:
        chart = Chart(self._sheet, f"Chart {len(self._list()) + 1}")
        chart._geometry = {"left": left, "top": top, "width": width, "height": height}
        chart._type = options.get("chart_type") or "column_clustered"
        if options.get("source") is not None:
            chart._source = options["source"]
        self._list().append(chart)
        return chart


class Chart(Counted):
    def __init__(self, sheet: Sheet, name: str) -> None:
        self._sheet, self._name, self._source = sheet, name, None  # type: Any, str, Range | None
        self._type = "column_clustered"
        self._geometry: dict[str, float] = {}

    name = property(lambda self: self._name)
    parent = property(lambda self: self._sheet)

    def set_source_data(self, rng: Range, plot_by: str | None = None) -> None:
        self._source = rng

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("top", "left", "width", "height", "chart_type"):
            CALLS[f"Chart.{name}="] += 1
            if name == "chart_type":
                self._type = value
            else:
                self._geometry[name] = value
        else:
            Counted.__setattr__(self, name, value)

    @property
    def chart_type(self) -> str:
        return str(self._type)

    def delete(self) -> None:
        self._sheet._book._charts[id(self._sheet._ws)].remove(self)


def save_charts(book: Book) -> None:
    """The kept charts as openpyxl charts of their sheets, for the saved file (stacked bar or column)."""
    for ws in book._wb.worksheets:
        for chart in book._charts.get(id(ws), []):
            if chart._source is None:
                continue
            top, left, rows, cols = chart._source._areas[0]
            made: Any = LineChart() if chart._type.startswith("line") else BarChart()
            if isinstance(made, BarChart):
                made.type = "bar" if chart._type.startswith("bar") else "col"
                if "stacked" in chart._type:
                    made.grouping, made.overlap = "stacked", 100
            data = Reference(ws, min_col=left + 1, max_col=left + cols - 1, min_row=top, max_row=top + rows - 1)
            made.add_data(data, titles_from_data=True)
            made.set_categories(Reference(ws, min_col=left, min_row=top + 1, max_row=top + rows - 1))
            row = int(chart._geometry.get("top", 0) // 15) + 1
            ws.add_chart(made, f"A{row}")
    book._charts.clear()


def read_cell(value: Any, formula_fresh: bool, cached: Any) -> Any:
    """A cell's value as Excel's Range.Value gives it: numbers as floats, dates as datetimes, a formula's result."""
    if isinstance(value, str) and value.startswith("=") and formula_fresh is not None:
        return value if formula_fresh else cached
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (str, dt.time)):
        return value
    return str(value)


def excel_typed(value: Any) -> tuple[Any, bool]:
    """What Excel keeps of a value typed into a cell, and whether it is text kept by a leading apostrophe."""
    if value is None or value == "":
        return None, False
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:], True
        if _NUMBER.match(value):
            return float(value), False
        if _DATE_LIKE.match(value):
            raise NotImplementedError(f"the memory engine does not turn {value!r} into a date as Excel would: "
                                      "write a date, or text with a leading apostrophe")
        return value, False
    if isinstance(value, (bool, int, float, dt.datetime)):
        return value, False
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), False
    raise TypeError(f"Excel takes no {type(value).__name__} ({value!r}): convert it at the edge")
