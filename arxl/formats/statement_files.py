"""Statements of account as files: one workbook per customer (a sheet per currency), and their PDFs.

The sheets come made (:func:`arxl.aging.statements.statement_sheet`, joined per customer by
:func:`arxl.app.recovery.write_statements`); this module only writes them and converts them.

``out/statements/C001-2025-07.xlsx`` holds the customer's statements of the month, printable on A4 (portrait,
one page wide, header row repeated); with LibreOffice the same folder gets ``C001-2025-07.pdf``, converted in
batches (one LibreOffice start for many files) and every output checked by :class:`LibreOffice` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.worksheet import Worksheet

from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import render_sheet
from arxl.formats.xlsx.cached import save_with_values
from arxl.formats.xlsx.save import atomic_save
from arxl.ledger.changes import SheetSpec

PDF_BATCH = 40


def print_setup(sheet: Worksheet, landscape: bool = False, title_rows: str = "") -> None:
    """A4, one page wide, narrow margins: what an accountant prints or sends as PDF."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows
    if sheet.max_row and sheet.max_column:
        sheet.print_area = _extent(sheet)


def _extent(sheet: Worksheet) -> str:
    """The cells and the charts of a sheet: the print area that leaves nothing out."""
    last_col, last_row = sheet.max_column, sheet.max_row
    for chart in sheet._charts:
        first_col, first_row = coordinate_to_tuple(str(chart.anchor))[::-1]
        col, width = first_col, 0.0
        while width < chart.width:
            letter = get_column_letter(col)
            chars = sheet.column_dimensions[letter].width if letter in sheet.column_dimensions else 0
            width += ((chars or 8.43) * 7 + 5) / 37.8  # Excel's column width in characters, as centimetres
            col += 1
        last_col = max(last_col, col - 1)
        last_row = max(last_row, first_row + int(chart.height / 0.5) + 1)
    return f"A1:{get_column_letter(last_col)}{last_row}"


def write_sheets(path: Path, sheets: Sequence[SheetSpec], landscape: bool = False) -> Path:
    """A new workbook of generated sheets, each set up for printing, saved atomically (no backup kept)."""
    book = Workbook()
    default = book.active
    for spec in sheets:
        print_setup(render_sheet(book, spec), landscape)
    if default is not None and sheets:
        book.remove(default)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_save(path, lambda temp: save_with_values(book, temp, sheets, path.name), backup=False)


def to_pdfs(files: Sequence[Path], out_dir: Path, office: LibreOffice, batch: int = PDF_BATCH,
            progress: Callable[[int], None] | None = None) -> list[Path]:
    """PDFs of the workbooks, ``batch`` files per LibreOffice run; raises naming any file that did not convert."""
    pdfs: list[Path] = []
    for start in range(0, len(files), max(batch, 1)):
        chunk = files[start:start + max(batch, 1)]
        pdfs.extend(office.to_pdf(chunk, out_dir, progress))  # told of each PDF as it appears
    return pdfs
