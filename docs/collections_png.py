"""Render the sample's Collections KPIs sheet to docs/collections.png for the README.

    .venv/bin/python docs/collections_png.py [--period 2025-06] [--book out/demo/billing.xlsx]

The sheet goes alone into a workbook printed landscape, one page wide; LibreOffice makes the PDF and
``pdftoppm -png -r 70 -singlefile`` the picture of its first page (poppler-utils).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.pagebreak import Break

from arxl.aging.report import collections_report
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.statement_files import write_sheets
from arxl.formats.xlsx.book import open_ledger
from arxl.sample import write_sample

DOCS = Path(__file__).resolve().parent


def _first_page_ends_before(path: Path, label: str) -> None:
    """A page break above the row whose first cell is ``label``, so the picture's page ends cleanly."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if cell.value == label:
            sheet.row_breaks.append(Break(id=cell.row - 1))
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2025-06", help="the month of the report (default 2025-06)")
    parser.add_argument("--book", type=Path, help="a billing workbook (default: a fresh sample)")
    parser.add_argument("--out", type=Path, default=DOCS / "collections.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arxl-docs-") as temp:
        folder = Path(temp)
        book = args.book or write_sample(folder / "billing.xlsx")[0]
        ledger, _ = open_ledger(book)
        report = collections_report(ledger, args.period)
        sheet = write_sheets(folder / "collections.xlsx", [report.sheet], landscape=True)
        _first_page_ends_before(sheet, "Twelve months")
        with LibreOffice() as office:
            pdf = office.to_pdf([sheet], folder)[0]
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(folder / "page")], check=True)
        shutil.copyfile(folder / "page.png", args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
