"""The workbook's tables as typed DataFrames, and a ledger built from ranges of cells.

A table's DataFrame has one column per column of its row model (:mod:`arxl.ledger.records`), named by the
model's field (``invoice_no``, ``total_amount``), whatever the sheet's header spelling or order, and is indexed
by the Excel row each record came from (the index is called ``row``), so that a figure can be traced to its
cell. The dtypes follow the column's kind:

- amounts and rates: ``object`` holding :class:`~decimal.Decimal` (``None`` when an optional cell is blank);
- dates: ``datetime64[ns]`` (``NaT`` when blank), so ``.dt``, resampling and ``to_excel`` work at once;
- whole numbers: pandas' nullable ``Int64``; text and choices: pandas' ``string`` dtype.

:func:`ledger_from_ranges` is the other way in, for the worksheet functions: each table is a two-dimensional
range whose first row is its header. It is read with the ledger reader's own column definitions and header
matching (:func:`arxl.ledger.tables.convert_table`), so a table with extra or reordered columns reads the same,
and a bad cell is refused with the argument, its cell within the range and the column named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from arxl.core.errors import BadValue, CellRef
from arxl.ledger.ledger import Ledger
from arxl.ledger.port import RawTable
from arxl.ledger.records import TABLES, Column, Row, columns
from arxl.ledger.settings import Settings
from arxl.ledger.tables import Table, convert_table, is_blank

INDEX = "row"


def _dtype(column: Column) -> str | None:
    return {"amount": "object", "rate": "object", "date": "datetime64[ns]", "integer": "Int64",
            "text": "string", "choice": "string"}.get(column.kind)


def frame_of(table: Table[Row]) -> pd.DataFrame:
    """One table as a DataFrame: a column per field of its model, typed by its kind, indexed by Excel row."""
    spec_columns = columns(table.spec.model)
    data: dict[str, Any] = {}
    for column in spec_columns:
        values = [getattr(row, column.field) for row in table.rows]
        if column.kind == "date":
            data[column.field] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]") if values else \
                pd.Series([], dtype="datetime64[ns]")
        else:
            data[column.field] = pd.Series(values, dtype=_dtype(column))
    frame = pd.DataFrame(data, columns=[c.field for c in spec_columns])
    frame.index = pd.Index(table.row_numbers, name=INDEX, dtype="int64")
    return frame


def raw_range(name: str, cells: Any, book: str = "") -> RawTable:
    """A range of cells as Excel passes it (rows of values, the header first) as the reader's raw table.

    Blank rows are left out, as a host leaves them out of a table; rows are numbered from 2 within the range
    (the header is row 1), and columns lettered from A, so a problem names its cell within the range.
    """
    if not isinstance(cells, list | tuple) or not cells or not isinstance(cells[0], list | tuple):
        raise BadValue(f"{name}: give the whole table with its header row, e.g. {name}[#All]")
    width = max(len(row) for row in cells)
    rows = [list(row) + [None] * (width - len(row)) for row in cells]
    headers = ["" if is_blank(h) else str(h).strip() for h in rows[0]]
    body = [(i + 2, row) for i, row in enumerate(rows[1:]) if not all(is_blank(v) for v in row)]
    return RawTable(book, name, 1, 1, headers, [row for _, row in body], [number for number, _ in body])


def table_from_range(name: str, cells: Any, book: str = "") -> Table[Row]:
    """One table read from a range with the ledger's columns; the first problem found is raised."""
    spec = TABLES[name]
    table, problems = convert_table(raw_range(name, cells, book), spec)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        cell = f" cell {first.where.cell}" if first.where.cell else ""
        raise BadValue(f"{name}{cell}: {first.message}")
    return table


def empty_table(name: str, book: str = "") -> Table[Row]:
    return Table(TABLES[name], book, name, present=False)


def ledger_from_ranges(ranges: Mapping[str, Any], settings: Mapping[str, Any] | None = None,
                       book: str = "") -> Ledger:
    """A ledger of the tables given as ranges (``{"Invoices": cells, ...}``); the others empty, Settings at
    their defaults unless ``settings`` (field -> value) says otherwise."""
    tables = {name: table_from_range(name, ranges[name], book) if ranges.get(name) is not None
              else empty_table(name, book) for name in TABLES}
    defaults = {name: "" if info.is_required() else info.default for name, info in Settings.model_fields.items()}
    return Ledger(book, Settings.model_construct(**{**defaults, **(settings or {})}), tables)


def where_text(where: CellRef) -> str:
    return f"{where.sheet}!{where.cell}" if where.cell else where.sheet


def frames_of(ledger: Ledger, names: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every table (or those named) of a ledger as DataFrames, by table name."""
    return {name: frame_of(ledger.table(name)) for name in (names or TABLES)}
