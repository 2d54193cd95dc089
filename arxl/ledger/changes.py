"""What a workflow changes in the workbook, said before anything is written.

A workflow (generate invoices, post receipts, refresh aging) does not write cells itself: it returns a
:class:`ChangeSet` — rows to append to user tables, cells of existing rows to update (a status, an invoice
number), and generated sheets to replace whole. The host applies the set in one go: the file host in one
atomic save, live Excel in one batch. So a run either happens completely or not at all, the same workflow
code serves both hosts, and a test can look at exactly what a run would do.

A generated sheet is described by a :class:`SheetSpec` (cells with values or formulas, named styles,
hyperlinks, widths, frozen panes, filters, conditional formats, charts) so that both hosts can render it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, overload

from arxl.ledger.records import Row

Style = Literal["", "title", "subtitle", "header", "amount", "date", "percent", "integer", "decimal", "text", "bold",
                "total", "good", "warning", "error", "note", "link"]
Align = Literal["", "left", "center", "right"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a generated sheet. A ``formula`` is written as a live Excel formula (it starts with "=");
    ``value`` is written as data, text always as text. ``currency`` picks the amount format (RWF 0 decimals).
    With a formula, ``value`` is the result Python computed: the fast file route stores it as the formula's
    cached result (what a reader sees before any recalculation), the other hosts let the formula compute."""

    value: object = None
    formula: str = ""
    style: Style = ""
    currency: str = ""
    link: str = ""  # "#Sheet!A1" for a place in the workbook
    comment: str = ""
    align: Align = ""  # horizontal; "" leaves it to the spreadsheet (text left, numbers right)


@dataclass(frozen=True, slots=True)
class ConditionalFill:
    """Colour the cells of ``range`` when ``formula`` (relative to its top-left cell) is true."""

    range: str
    formula: str
    fill: str  # RGB hex, e.g. "F8CBAD"


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A bar chart (or a line chart, ``kind="line"``) of ``series`` columns over the ``categories`` column, rows
    ``first_row``..``last_row``."""

    title: str
    categories: str  # column letter
    series: tuple[str, ...]  # column letters; their header row (first_row - 1) names them
    first_row: int
    last_row: int
    anchor: str  # top-left cell of the chart
    stacked: bool = True
    horizontal: bool = True
    width_cm: float = 18.0
    height_cm: float = 10.0
    kind: Literal["bar", "line"] = "bar"
    colors: tuple[str, ...] = ()  # RGB hex per series; empty: the application's palette


@dataclass(frozen=True, slots=True)
class TableArea:
    """An Excel Table (ListObject) over ``range``: filter buttons, banded rows, and in Excel its headers take
    the place of the column letters while scrolling through it. The header row must hold distinct texts."""

    name: str
    range: str
    style: str = "TableStyleLight9"


@dataclass(frozen=True, slots=True)
class DataColumn:
    """The look of one column of :class:`DataRows`: its style and amount currency (fixed, or read from another
    column of each row), or a formula per row (``{row}`` is the row's number) whose cached result is the row's
    value."""

    style: Style = ""
    currency: str = ""
    currency_of: int = -1  # the position of the column holding each row's currency, for amounts in several
    formula: str = ""  # e.g. "=ROUND(I{row}*J{row},0)"


class MadeRows(Sequence[tuple[object, ...]]):
    """Rows made from their numbers as they are read, for :class:`DataRows`: a sheet of a million rows whose data
    is never held in memory (``make(n)`` gives row ``n``, from 0)."""

    def __init__(self, count: int, make: Callable[[int], tuple[object, ...]]) -> None:
        self.size, self.make = count, make

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> tuple[object, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[object, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[object, ...] | Sequence[tuple[object, ...]]:
        if isinstance(index, slice):
            return [self.make(n) for n in range(*index.indices(self.size))]
        if not -self.size <= index < self.size:
            raise IndexError(index)
        return self.make(index % self.size)

    def __iter__(self) -> Iterator[tuple[object, ...]]:
        return (self.make(n) for n in range(self.size))


@dataclass(slots=True)
class DataRows:
    """Many rows of plain values below a sheet's cells, one look per column: a copy of a ledger table (200,000
    invoices) without a :class:`Cell` per value, so that the fast route writes it at the speed of the data."""

    columns: tuple[DataColumn, ...]
    values: Sequence[tuple[object, ...]] = field(default_factory=list)  # a list, or rows made as they are read

    def cells(self, first_row: int) -> Iterator[list[Cell]]:
        """The rows as cells (the slow renderers' view), numbered from ``first_row``."""
        for n, values in enumerate(self.values, start=first_row):
            yield [Cell(v, formula=c.formula.format(row=n), style=c.style,
                        currency=c.currency or (str(values[c.currency_of]) if c.currency_of >= 0 else ""))
                   for c, v in zip(self.columns, values, strict=True)]


@dataclass(slots=True)
class SheetSpec:
    """A generated sheet, rewritten whole on every run by the workflow that owns it."""

    name: str
    rows: list[list[Cell]] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)
    freeze: str = ""
    filter_range: str = ""
    conditional: list[ConditionalFill] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    tab_color: str = ""
    tables: list[TableArea] = field(default_factory=list)
    print_area: str = ""  # e.g. "A1:L40"; empty: everything
    landscape: bool = False
    fit_width: bool = False  # print one page wide (as many pages tall as needed)
    data: DataRows | None = None  # rows of plain values after ``rows``

    def every_row(self) -> Iterator[list[Cell]]:
        """The rows, then the data rows as cells."""
        yield from self.rows
        if self.data is not None:
            yield from self.data.cells(len(self.rows) + 1)

    @property
    def height(self) -> int:
        return len(self.rows) + (len(self.data.values) if self.data is not None else 0)

    def add(self, *cells: Cell | object) -> int:
        """Append a row (plain values become value cells); returns its Excel row number."""
        self.rows.append([c if isinstance(c, Cell) else Cell(c) for c in cells])
        return len(self.rows)

    def blank(self) -> int:
        return self.add()

    @property
    def next_row(self) -> int:
        return len(self.rows) + 1


@dataclass(frozen=True, slots=True)
class CellUpdate:
    """Set one column of an existing row of a table (the row as its Excel row number)."""

    table: str
    row: int
    field: str
    value: object


@dataclass(slots=True)
class ChangeSet:
    """Everything one workflow run writes."""

    appends: dict[str, list[Row]] = field(default_factory=dict)
    updates: list[CellUpdate] = field(default_factory=list)
    sheets: list[SheetSpec] = field(default_factory=list)

    def append(self, table: str, rows: Sequence[Row]) -> None:
        if rows:
            self.appends.setdefault(table, []).extend(rows)

    def update(self, table: str, row: int, field_name: str, value: object) -> None:
        self.updates.append(CellUpdate(table, row, field_name, value))

    def replace_sheet(self, sheet: SheetSpec) -> None:
        self.sheets = [s for s in self.sheets if s.name != sheet.name] + [sheet]

    def merge(self, other: ChangeSet) -> None:
        for table, rows in other.appends.items():
            self.append(table, rows)
        self.updates.extend(other.updates)
        for sheet in other.sheets:
            self.replace_sheet(sheet)

    @property
    def is_empty(self) -> bool:
        return not (self.appends or self.updates or self.sheets)

    def summary(self) -> str:
        """In words, for the status bar and the log: "appended 12 Invoices, 30 InvoiceLines; updated 30 cells"."""
        parts = []
        if self.appends:
            parts.append("appended " + ", ".join(f"{len(r)} {t}" for t, r in self.appends.items()))
        if self.updates:
            parts.append(f"updated {len(self.updates)} cell(s)")
        if self.sheets:
            parts.append("rewrote " + ", ".join(s.name for s in self.sheets))
        return "; ".join(parts) or "nothing to change"
