"""Render the sample's Aging sheet to docs/aging.png for the README.

    .venv/bin/python docs/aging_png.py [--as-of 2025-06-30] [--book out/demo/billing.xlsx]

The Aging sheet is written by arxl's fast route into a workbook of its own (the sheet prints landscape, one
page wide, its print area the check, the charts and the summary); LibreOffice makes the PDF and
``pdftoppm -png -r 70 -singlefile`` the picture of its first page (poppler-utils).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook

from arxl.aging.sheet import AGING_SHEET, aging_report, aging_sheet
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.fastsheet import replace_sheets
from arxl.sample import write_sample

DOCS = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2025-06-30", help="the date of the aging (default 2025-06-30)")
    parser.add_argument("--book", type=Path, help="a billing workbook (default: a fresh sample)")
    parser.add_argument("--out", type=Path, default=DOCS / "aging.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arxl-docs-") as temp:
        folder = Path(temp)
        book = args.book or write_sample(folder / "billing.xlsx")[0]
        ledger, _ = open_ledger(book)
        spec = aging_sheet(aging_report(ledger, dt.date.fromisoformat(args.as_of)))
        alone = Workbook()
        assert alone.active is not None
        alone.active.title = AGING_SHEET
        alone.save(folder / "aging.xlsx")
        replace_sheets(folder / "aging.xlsx", [spec])
        with LibreOffice() as office:
            pdf = office.to_pdf([folder / "aging.xlsx"], folder)[0]
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(folder / "page")], check=True)
        shutil.copyfile(folder / "page.png", args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
