"""The audit pack workbook: a new file of generated sheets, written by the fast route in one atomic save.

The papers and the copies of the ledger's tables (200,000 invoices for a year of a large book) are rendered
straight to worksheet XML (:mod:`arxl.formats.xlsx.package`), each formula with arxl's result as its cached
value; openpyxl only makes the empty package they go into. The pack is rebuilt whole on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from arxl.formats.xlsx.package import write_package
from arxl.formats.xlsx.save import atomic_save
from arxl.ledger.changes import SheetSpec


def write_pack(path: Path, specs: Sequence[SheetSpec]) -> Path:
    """Write the pack's sheets, in order, to a new workbook at ``path`` (replaced whole if it exists)."""
    if not specs:
        raise ValueError("an audit pack needs at least one sheet")
    path.parent.mkdir(parents=True, exist_ok=True)
    seed = path.with_name(f".{path.stem}.seed.xlsx")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = specs[0].name
    book.save(seed)
    written: set[str] = set()
    try:
        return atomic_save(path, lambda temp: written.update(write_package(seed, temp, specs)), backup=False,
                           written=written)
    finally:
        seed.unlink(missing_ok=True)
