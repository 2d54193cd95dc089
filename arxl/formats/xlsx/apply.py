"""Applying a ChangeSet to a workbook file with openpyxl, in one atomic save.

Rows are appended under each Excel Table and the table is extended over them, columns found by their header
(the accountant may have moved columns or added their own). A user's own calculated column (a formula in
the last row) is carried down to the new rows, as Excel itself would. Generated sheets are replaced whole
at the same tab position. Everything else in the workbook is left as it was.

openpyxl rewrites the whole package. It keeps charts and pictures, but not everything Excel can hold (text
boxes and shapes, form controls, slicers, sparklines, Excel 2010 rules): the file written is compared with
the workbook (:mod:`arxl.formats.xlsx.keep`) and the save is refused, the workbook untouched, when anything on the
accountant's own sheets would be lost. The live-Excel host has no such limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.formula.translate import Translator
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from arxl.core.errors import BadWorkbook, CellRef
from arxl.formats.xlsx.cached import save_with_values
from arxl.formats.xlsx.keep import inventory, losses
from arxl.formats.xlsx.looks import BORDER_GREY, look_of
from arxl.formats.xlsx.save import atomic_save, ensure_not_open
from arxl.formats.xlsx.writer import set_text, set_value, write_table
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.port import column_letter
from arxl.ledger.records import TABLES, Row, columns, header_key


class WouldLose(BadWorkbook):
    """A save through openpyxl would drop something from the accountant's sheets: refused, nothing written."""

_THIN = Side(style="thin", color=BORDER_GREY)


def apply_changes(path: Path | str, changes: ChangeSet) -> Path:
    """Write the changes into the workbook file atomically (backup kept, refused while it is open)."""
    target = Path(path)
    ensure_not_open(target)
    if changes.is_empty:
        return target
    if not changes.appends and not changes.updates and target.suffix.lower() in (".xlsx", ".xlsm"):
        from arxl.formats.xlsx.fastsheet import replace_sheets, supports

        if all(supports(spec) for spec in changes.sheets):
            return replace_sheets(target, changes.sheets)  # generated sheets only: no openpyxl round trip
    before = inventory(target)
    book = load_workbook(target, keep_vba=target.suffix.lower() == ".xlsm", rich_text=True)
    apply_to_book(book, changes, target.name)
    replaced = {spec.name for spec in changes.sheets}

    def write(temp: Path) -> None:
        touched = {*changes.appends, *(update.table for update in changes.updates)}
        save_with_values(book, temp, changes.sheets, target.name, before=target, touched=touched)
        lost = losses(before, inventory(temp), replaced)
        if lost:
            raise WouldLose(
                f"was not saved: saving it here would lose {'; '.join(lost)} (the file route rewrites the "
                "workbook with openpyxl, which cannot keep them). Nothing was changed. Run this from Excel's "
                "arxl tab, which works in the open workbook, or move those objects to another workbook",
                CellRef(target.name))

    return atomic_save(target, write)


def apply_to_book(book: Workbook, changes: ChangeSet, name: str) -> None:
    """Apply the changes to an openpyxl workbook in memory."""
    for table, rows in changes.appends.items():
        _append(book, name, table, rows)
    for update in changes.updates:
        sheet, table = _table(book, name, update.table)
        letter = _columns(sheet, table).get(header_key(_header_of(update.table, update.field)))
        if letter is None and _grows(update.table, update.field):
            letter = _add_column(sheet, table, _header_of(update.table, update.field))
        if letter is None:
            raise BadWorkbook(f'column for "{update.field}" is missing', CellRef(name, update.table))
        column = next(c for c in columns(TABLES[update.table].model) if c.field == update.field)
        cell = sheet[f"{letter}{update.row}"]
        currency = str(sheet[f"{_columns(sheet, table).get('currency', 'A')}{update.row}"].value or "")
        set_value(cell, column, update.value, currency)
    for spec in changes.sheets:
        render_sheet(book, spec)


def _grows(table: str, field: str) -> bool:
    """A column arxl may add to an older workbook's table: an optional column of a table arxl keeps (Receipts'
    "Sage Exported", Allocations' "Certificate Date"), so a newer arxl does not refuse or drop the value."""
    spec = TABLES.get(table)
    return spec is not None and spec.owner == "arxl" and not next(c for c in columns(spec.model)
                                                                   if c.field == field).required


def _add_column(sheet: Worksheet, table: Table, header: str) -> str:
    """Widen the table by one column at its right, headed ``header``; its letter."""
    left, top, right, bottom = (n or 1 for n in range_boundaries(table.ref))
    letter = column_letter(right + 1)
    sheet[f"{letter}{top}"] = header
    table.ref = f"{column_letter(left)}{top}:{letter}{bottom}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    if table.tableColumns:
        table.tableColumns.append(TableColumn(id=max(c.id for c in table.tableColumns) + 1, name=header))
    return letter


def _header_of(table: str, field: str) -> str:
    return next(c.header for c in columns(TABLES[table].model) if c.field == field)


def _table(book: Workbook, name: str, table_name: str) -> tuple[Worksheet, Table]:
    sheet_name = next((s for s in book.sheetnames if s.casefold() == table_name.casefold()), None)
    if sheet_name is None and table_name in TABLES and (TABLES[table_name].owner == "arxl"
                                                       or not TABLES[table_name].required):
        # a table arxl keeps for itself, or an optional one arxl adds rows to (Queries, CollectionsLog), missing
        # from an older workbook: made on its first use
        write_table(book.create_sheet(table_name), table_name, TABLES[table_name].model, ())
        sheet_name = table_name
    if sheet_name is None:
        raise BadWorkbook(f'sheet "{table_name}" is missing', CellRef(name))
    sheet = book[sheet_name]
    tables = list(sheet.tables.values())
    if not tables:
        raise BadWorkbook(f"sheet {sheet_name} has no Excel Table to add rows to (Insert > Table)",
                          CellRef(name, sheet_name))
    return sheet, next((t for t in tables if t.displayName.casefold() == table_name.casefold()), tables[0])


def _columns(sheet: Worksheet, table: Table) -> dict[str, str]:
    """Header key -> column letter of the table's header row."""
    left, top, right, _ = range_boundaries(table.ref)
    found: dict[str, str] = {}
    for index in range(left or 1, (right or 1) + 1):
        key = header_key(sheet.cell(row=top or 1, column=index).value or "")
        if key:
            found.setdefault(key, column_letter(index))
    return found


def _append(book: Workbook, name: str, table_name: str, rows: Sequence[Row]) -> None:
    if not rows:
        return
    sheet, table = _table(book, name, table_name)
    letters = _columns(sheet, table)
    cols = columns(TABLES[table_name].model)
    for column in cols:
        if header_key(column.header) not in letters and _grows(table_name, column.field) \
                and any(getattr(row, column.field) not in (None, "") for row in rows):
            letters[header_key(column.header)] = _add_column(sheet, table, column.header)
    left, top, right, bottom = (n or 1 for n in range_boundaries(table.ref))
    missing = [c.header for c in cols if header_key(c.header) not in letters and c.required]
    if missing:
        raise BadWorkbook(f"table {table_name} has no column " + ", ".join(missing), CellRef(name, table_name))
    last = bottom
    while any(sheet.cell(row=last + 1, column=j).value not in (None, "") for j in range(left, right + 1)):
        last += 1  # rows typed (or inserted) under the table that it was not extended over: never written over
    while last > top and all(sheet.cell(row=last, column=j).value in (None, "") for j in range(left, right + 1)):
        last -= 1  # an empty table keeps one blank row; write over it
    ours = {letters[header_key(c.header)] for c in cols if header_key(c.header) in letters}
    carried: dict[str, str] = {}
    if last > top:
        for j in range(left, right + 1):
            letter = column_letter(j)
            value = sheet.cell(row=last, column=j).value
            if letter not in ours and isinstance(value, str) and value.startswith("="):
                carried[letter] = value
    for offset, row in enumerate(rows, start=1):
        excel_row = last + offset
        currency = str(getattr(row, "currency", "") or "")
        for column in cols:
            at = letters.get(header_key(column.header))
            if at is not None:
                set_value(sheet[f"{at}{excel_row}"], column, getattr(row, column.field), currency)
        for at, formula in carried.items():
            sheet[f"{at}{excel_row}"] = Translator(formula, origin=f"{at}{last}").translate_formula(f"{at}{excel_row}")
    new_bottom = max(bottom, last + len(rows))
    table.ref = f"{column_letter(left)}{top}:{column_letter(right)}{new_bottom}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref


def render_sheet(book: Workbook, spec: SheetSpec) -> Worksheet:
    """Replace (or create) a generated sheet at the same tab position."""
    index = book.sheetnames.index(spec.name) if spec.name in book.sheetnames else len(book.sheetnames)
    if spec.name in book.sheetnames:
        book.remove(book[spec.name])
    sheet = book.create_sheet(spec.name, index)
    for r, row in enumerate(spec.every_row(), start=1):
        for c, cell in enumerate(row, start=1):
            _write_cell(sheet, r, c, cell)
    for letter, width in spec.widths.items():
        sheet.column_dimensions[letter].width = width
    if spec.freeze:
        sheet.freeze_panes = spec.freeze
    if spec.filter_range:
        sheet.auto_filter.ref = spec.filter_range
    for rule in spec.conditional:
        fill = PatternFill("solid", fgColor=rule.fill, bgColor=rule.fill)
        sheet.conditional_formatting.add(rule.range, FormulaRule(formula=[rule.formula], fill=fill))
    for chart_spec in spec.charts:
        chart: BarChart | LineChart
        if chart_spec.kind == "line":
            chart = LineChart()
        else:
            chart = BarChart()
            chart.type = "bar" if chart_spec.horizontal else "col"
            if chart_spec.stacked:
                chart.grouping, chart.overlap = "stacked", 100
        chart.title = chart_spec.title
        chart.width, chart.height = chart_spec.width_cm, chart_spec.height_cm
        for letter in chart_spec.series:
            col = range_boundaries(f"{letter}1")[0] or 1
            data = Reference(sheet, min_col=col, min_row=chart_spec.first_row - 1, max_row=chart_spec.last_row)
            chart.add_data(data, titles_from_data=True)
        if chart_spec.kind == "line":
            for line in chart.series:
                line.smooth = False  # straight segments: a monthly figure has nothing in between
        cat_col = range_boundaries(f"{chart_spec.categories}1")[0] or 1
        chart.set_categories(Reference(sheet, min_col=cat_col, min_row=chart_spec.first_row,
                                       max_row=chart_spec.last_row))
        sheet.add_chart(chart, chart_spec.anchor)
    if spec.tab_color:
        sheet.sheet_properties.tabColor = spec.tab_color
    for area in spec.tables:
        names = {t.casefold() for s in book.worksheets for t in s.tables}
        name, n = area.name, 2
        while name.casefold() in names:
            name, n = f"{area.name}{n}", n + 1
        table = Table(displayName=name, ref=area.range)
        table.tableStyleInfo = TableStyleInfo(name=area.style, showRowStripes=True)
        sheet.add_table(table)
    if spec.print_area:
        sheet.print_area = spec.print_area
    if spec.landscape:
        sheet.page_setup.orientation = "landscape"
    if spec.fit_width:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    return sheet


def _write_cell(sheet: Worksheet, row: int, column: int, cell: Cell) -> None:
    target = sheet.cell(row=row, column=column)
    if cell.formula:
        target.value = cell.formula  # its result is filled in as the cached value on saving (formats.xlsx.cached)
    elif isinstance(cell.value, str):
        set_text(target, cell.value)
    elif cell.value is not None:
        target.value = cell.value
    style_cell(target, cell)
    if cell.link:
        # "#Sheet!A1" is a place in this workbook (a location, not an address to open)
        internal = cell.link.startswith("#")
        target.hyperlink = Hyperlink(ref=target.coordinate, location=cell.link[1:]) if internal else cell.link
    if cell.comment:
        target.comment = Comment(cell.comment, "arxl")


def style_cell(target: OpenpyxlCell, cell: Cell) -> None:
    """Give an openpyxl cell the look of a generated cell (:func:`arxl.formats.xlsx.looks.look_of`, the same
    look the fast route writes)."""
    look = look_of(cell)
    if look.bold or look.italic or look.underline or look.size or look.color:
        target.font = Font(bold=look.bold or None, italic=look.italic or None,
                           underline="single" if look.underline else None, size=look.size,
                           color=look.color or None)
    if look.fill:
        target.fill = PatternFill("solid", fgColor=look.fill)
    if look.border:
        target.border = Border(top=_THIN, bottom=_THIN)
    if look.wrap:
        target.alignment = Alignment(wrap_text=True, vertical="center", horizontal=look.align or None)
    elif look.align:
        target.alignment = Alignment(horizontal=look.align)
    if look.number_format:
        target.number_format = look.number_format
    if look.quote:
        target.quotePrefix = True
