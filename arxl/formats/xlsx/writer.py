"""Writing billing workbooks with openpyxl: each table an Excel Table on its own sheet.

What an accountant expects of a sheet arxl writes: a frozen, bold header; an Excel Table (filters, banded
rows, structured references); amounts formatted per currency (RWF without decimals, USD with two); dates as
dd/mm/yyyy; drop-down lists on choice columns. Text that came from outside (a bank narrative, a customer
name) is written as text even when it starts with "=", so a crafted ``=HYPERLINK(...)`` never becomes a live
formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from arxl.formats.xlsx.looks import DATE_FORMAT, HEADER_BLUE, RATE_FORMAT, amount_format
from arxl.formats.xlsx.save import atomic_save
from arxl.ledger.port import column_letter
from arxl.ledger.records import TABLES, Column, Row, columns

HEADER_FILL = PatternFill("solid", fgColor=HEADER_BLUE)
HEADER_FONT = Font(bold=True, color="FFFFFF")
_MAX_WIDTH = 48


def set_text(cell: Cell, text: str) -> None:
    """Put text in a cell as text, never as a formula, whatever it starts with."""
    cell.value = text
    if text.startswith("="):
        cell.data_type = "s"
        cell.quotePrefix = True


def set_value(cell: Cell, column: Column, value: object, currency: str) -> None:
    """Write one typed value with the number format of its column kind."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        set_text(cell, value)
        return
    cell.value = value
    if column.kind == "amount" and isinstance(value, Decimal):
        cell.number_format = amount_format(currency)
    elif column.kind == "rate":
        cell.number_format = RATE_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def write_table(sheet: Worksheet, name: str, model: type[Row], rows: Sequence[Row]) -> None:
    """Header, rows and the Excel Table (ListObject) of one table on an empty sheet."""
    cols = columns(model)
    widths = [len(c.header) + 4 for c in cols]
    for j, column in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=j, value=column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=False)
    for i, row in enumerate(rows, start=2):
        currency = str(getattr(row, "currency", "") or "")
        for j, column in enumerate(cols, start=1):
            value = getattr(row, column.field)
            set_value(sheet.cell(row=i, column=j), column, value, currency)
            width = len(str(value)) + 2 if value is not None else 0
            widths[j - 1] = min(max(widths[j - 1], width), _MAX_WIDTH)
    last_row = max(2, len(rows) + 1)
    ref = f"A1:{column_letter(len(cols))}{last_row}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    sheet.freeze_panes = "A2"
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(j)].width = width
    for j, column in enumerate(cols, start=1):
        if column.kind == "choice" and 0 < len(",".join(column.choices)) < 250:
            listed = ",".join(c for c in column.choices if c)
            rule = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=not column.required)
            rule.error, rule.errorTitle = f"Choose one of: {listed}", column.header
            rule.add(f"{column_letter(j)}2:{column_letter(j)}{last_row + 1000}")
            sheet.add_data_validation(rule)


def build_book(tables: Mapping[str, Sequence[Row]]) -> Workbook:
    """A new billing workbook with every table of the design, in order, filled with the given rows."""
    book = Workbook()
    default = book.active
    for spec in TABLES.values():
        sheet = book.create_sheet(spec.name)
        write_table(sheet, spec.name, spec.model, tables.get(spec.name, ()))
    if default is not None:
        book.remove(default)
    return book


def write_book(path: Path | str, tables: Mapping[str, Sequence[Row]]) -> Path:
    """Write a new billing workbook atomically (a previous file of that name is kept as a backup)."""
    book = build_book(tables)
    return atomic_save(path, lambda temp: book.save(temp))
