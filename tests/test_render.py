"""One renderer semantics: a SheetSpec looks the same whichever route writes it (issue 10).

The fast route (sheet XML written directly) and the openpyxl route (appends and updates in the same save, or
cell comments) draw a generated sheet from one definition (:func:`arxl.formats.xlsx.looks.look_of`): the same
values and cached results, number formats, fonts, fills, borders, alignment, hyperlinks and widths.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import openpyxl

from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.fastsheet import replace_sheets
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec, Style
from arxl.ledger.records import Customer
from tests.builders import small_book


def every_look() -> SheetSpec:
    """A sheet with every named style, with and without currency, link and alignment."""
    spec = SheetSpec("Looks", widths={"A": 30, "C": 12.5}, freeze="B2")
    spec.add(Cell("Title", style="title"), Cell("Header", style="header", align="center"))
    for style in get_args(Style):
        spec.add(Cell(f"style {style or 'plain'}", style=style), Cell(Decimal("1234.5"), style=style),
                 Cell(Decimal("1234.5"), style=style, currency="RWF"),
                 Cell(Decimal("99.25"), f"=ROUND({'B'}{spec.next_row}/10,2)", style=style, currency="USD"),
                 Cell(dt.date(2025, 7, 31), style=style), Cell("right", style=style, align="right"),
                 Cell("=HYPERLINK(\"x\")", style=style), Cell("link", style=style, link="#Looks!A1"),
                 Cell("web", style=style, link="https://example.com/a"))
    spec.add(Cell("OK", '=IF(B3>0,"OK","")'), Cell(True, "=B3>0"))
    return spec


def _rgb(color: Any) -> str:
    return color.rgb[-6:] if color is not None and isinstance(color.rgb, str) else ""


def _look(cell: Any) -> tuple[object, ...]:
    font, fill, border, align = cell.font, cell.fill, cell.border, cell.alignment
    rgb = _rgb
    return (
        cell.number_format,
        bool(font.b), bool(font.i), font.u or None, float(font.sz or 11), rgb(font.color),
        fill.fill_type, rgb(fill.fgColor) if fill.fill_type else "",
        border.top.style if border.top else None, border.bottom.style if border.bottom else None,
        align.horizontal, bool(align.wrap_text), align.vertical if align.wrap_text else None,
        bool(cell.quotePrefix),
        (cell.hyperlink.location or cell.hyperlink.target) if cell.hyperlink else None,
    )


def _read(path: Path) -> tuple[dict[str, tuple[object, ...]], dict[str, object], dict[str, float]]:
    book = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    try:
        sheet, cached = book["Looks"], values["Looks"]
        looks = {c.coordinate: (c.value, *_look(c)) for row in sheet.iter_rows() for c in row}
        results = {c.coordinate: c.value for row in cached.iter_rows() for c in row}
        widths = {k: d.width for k, d in sheet.column_dimensions.items() if d.customWidth}
        return looks, results, widths
    finally:
        book.close()
        values.close()


def test_both_routes_draw_a_spec_alike(tmp_path: Path) -> None:
    fast = small_book(tmp_path / "fast.xlsx")
    replace_sheets(fast, [every_look()])
    slow = small_book(tmp_path / "slow.xlsx")
    changes = ChangeSet()
    changes.replace_sheet(every_look())
    changes.append("Customers", [Customer(customer_id="C009", name="New Client Ltd", customer_type="private")])
    apply_changes(slow, changes)  # with an append: the openpyxl route
    fast_looks, fast_results, fast_widths = _read(fast)
    slow_looks, slow_results, slow_widths = _read(slow)
    differ = {ref: (fast_looks.get(ref), slow_looks.get(ref)) for ref in fast_looks.keys() | slow_looks.keys()
              if fast_looks.get(ref) != slow_looks.get(ref) and (fast_looks.get(ref) or slow_looks.get(ref))}
    assert differ == {}
    assert fast_results == slow_results
    assert fast_widths == slow_widths == {"A": 30, "C": 12.5}
