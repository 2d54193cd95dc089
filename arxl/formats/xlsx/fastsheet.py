"""The fast file route for generated sheets: write the sheet's XML directly and swap it into the package.

openpyxl rewrites a whole workbook to replace one sheet: on a ledger of 200,000 invoices loading and saving
take about a minute. A generated sheet (Aging, Review, ...) does not need that. An .xlsx is a ZIP of XML
parts, so this route renders a :class:`~arxl.ledger.changes.SheetSpec` straight to worksheet XML and builds
the new package from the old one. Its parts, by concept:

- :mod:`~arxl.formats.xlsx.cells`: one cell's XML (text escaped and kept as text, numbers exact, formulas
  with Python's result as the cached value);
- :mod:`~arxl.formats.xlsx.styles`: how a named style looks (the one palette) and ``xl/styles.xml``;
- :mod:`~arxl.formats.xlsx.sheetxml` and :mod:`~arxl.formats.xlsx.charts`: the worksheet, its tables and charts;
- :mod:`~arxl.formats.xlsx.package`: the parts replaced, dropped or copied compressed into the new package.

What it does not render (cell comments) makes :func:`supports` false, and the caller keeps openpyxl.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from arxl.formats.xlsx.package import write_package
from arxl.formats.xlsx.save import atomic_save, ensure_not_open
from arxl.ledger.changes import SheetSpec


def supports(spec: SheetSpec) -> bool:
    """Whether the fast route renders everything in ``spec`` (cell comments need openpyxl)."""
    return not any(cell.comment for row in spec.rows for cell in row)


def replace_sheets(path: Path | str, specs: Sequence[SheetSpec]) -> Path:
    """Replace (or add) generated sheets in a workbook file, atomically with a backup, without openpyxl."""
    target = Path(path)
    ensure_not_open(target)
    written: set[str] = set()
    return atomic_save(target, lambda temp: written.update(write_package(target, temp, specs)), written=written)
