"""Check our live formulas against LibreOffice's own arithmetic.

arxl writes totals as formulas (SUM, SUMIFS, ROUND) beside the values Python computed with Decimal, and
promises that both agree. These helpers recalculate a workbook in LibreOffice headless (it recalculates on
load in the profile :class:`~arxl.formats.libreoffice.LibreOffice` prepares), read the cached results back with
openpyxl, and compare them with Python's values cell by cell.

Numbers are compared the way Excel shows them: the float LibreOffice stored goes through ``repr`` into a
Decimal (never ``Decimal(float)``), then both sides are rounded to 15 significant digits, Excel's display
precision. That absorbs float noise (800.555 + 1067.5 is 1868.0549999999998 as a float) without hiding a real
difference: quantizing LibreOffice's value to the expected number of decimals would make an unrounded 800.555
pass for 800.56, so a missing ROUND would go unnoticed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path

import openpyxl

from arxl.formats.libreoffice import LibreOffice

EXCEL_DIGITS = 15
_EXCEL_PRECISION = Context(prec=EXCEL_DIGITS, rounding=ROUND_HALF_EVEN)

Expected = Decimal | str | int


def recalculated_values(lo: LibreOffice, path: Path) -> dict[str, dict[str, object]]:
    """Sheet -> {cell coordinate: value} of ``path`` once LibreOffice recalculated it (no empty cells)."""
    with tempfile.TemporaryDirectory(prefix="arxl-recalc-") as out_dir:
        recalculated = lo.recalculate(Path(path), Path(out_dir))
        book = openpyxl.load_workbook(recalculated, data_only=True)
        try:
            return {
                sheet.title: {
                    cell.coordinate: cell.value
                    for row in sheet.iter_rows()
                    for cell in row
                    if cell.value is not None
                }
                for sheet in book.worksheets
            }
        finally:
            book.close()


def _as_shown(number: Decimal) -> Decimal:
    return _EXCEL_PRECISION.plus(number)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def _agrees(found: object, expected: Expected) -> bool:
    if isinstance(expected, str):
        return isinstance(found, str) and found == expected
    number = _number(found)
    return number is not None and _as_shown(number) == _as_shown(Decimal(expected))


def _shown(value: object) -> str:
    if value is None:
        return "empty"
    return f'"{value}"' if isinstance(value, str) else str(value)


def assert_formulas_match(lo: LibreOffice, path: Path, expected: Mapping[tuple[str, str], Expected]) -> None:
    """Raise AssertionError listing every (sheet, cell) where LibreOffice's result differs from Python's."""
    values = recalculated_values(lo, path)
    disagreements = []
    for (sheet, cell), want in expected.items():
        found = values.get(sheet, {}).get(cell)
        if not _agrees(found, want):
            disagreements.append(
                f"{sheet}!{cell}: LibreOffice gives {_shown(found)}, Python computed {_shown(want)}"
            )
    if disagreements:
        raise AssertionError(
            f"{len(disagreements)} formula(s) in {Path(path).name} disagree with Python:\n  "
            + "\n  ".join(disagreements)
        )


def cached_results(path: Path, sheets: Collection[str] | None = None) -> dict[tuple[str, str], Expected]:
    """(sheet, cell) -> the cached result arxl stored with each formula of ``path`` (of ``sheets``, else all):
    what :func:`assert_formulas_match` compares with LibreOffice's own recalculation."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    found: dict[tuple[str, str], Expected] = {}
    for sheet in formulas.worksheets:
        if sheets is not None and sheet.title not in sheets:
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cached = values[sheet.title][cell.coordinate].value
                    assert cached is not None, f"{sheet.title}!{cell.coordinate}: a formula without a cached value"
                    found[(sheet.title, cell.coordinate)] = cached if isinstance(cached, str) else \
                        Decimal(repr(cached)) if isinstance(cached, float) else int(cached) \
                        if isinstance(cached, (int, bool)) else str(cached)
    return found
