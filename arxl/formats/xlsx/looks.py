"""How a cell of a generated sheet looks: one definition for every renderer, and the one palette.

:func:`look_of` says what a :class:`~arxl.ledger.changes.Cell` looks like (font, fill, border, alignment, number
format) from its named style, currency, link and alignment. The fast route merges looks into the workbook's
``xl/styles.xml`` (:class:`arxl.formats.xlsx.styles.StyleBook`); the openpyxl route turns the same look into
openpyxl style objects (:func:`arxl.formats.xlsx.apply.style_cell`); the written tables take their header
colours and number formats from here too.

>>> look_of(Cell(1, style="total", currency="RWF")).number_format
'#,##0;-#,##0'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from arxl.core.money import CURRENCIES
from arxl.ledger.changes import Cell

DATE_FORMAT = "dd/mm/yyyy"
RATE_FORMAT = "0.0%"
FORMULA_START = ("=", "+", "-", "@")  # text starting so is marked to stay text when edited
HEADER_BLUE, GREY, LINK_BLUE, BORDER_GREY = "1F4E78", "595959", "0563C1", "999999"
FILLS = {"good": "E2EFDA", "warning": "FFF2CC", "error": "F8CBAD", "total": "DDEBF7", "header": HEADER_BLUE}


def amount_format(currency: str) -> str:
    """Excel number format of an amount: no decimals for RWF, two for USD.

    >>> amount_format("RWF"), amount_format("USD")
    ('#,##0;-#,##0', '#,##0.00;-#,##0.00')
    """
    places = CURRENCIES[currency].exponent if currency in CURRENCIES else 2
    body = "#,##0" + ("." + "0" * places if places else "")
    return f"{body};-{body}"


@dataclass(frozen=True, slots=True)
class Look:
    """What a cell looks like: the parts of one cell format."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    color: str = ""
    fill: str = ""
    border: bool = False
    wrap: bool = False
    align: str = ""
    number_format: str = ""
    quote: bool = False


def look_of(cell: Cell) -> Look:
    """The format of a cell of a generated sheet, as :func:`arxl.formats.xlsx.apply.render_sheet` draws it."""
    style = cell.style
    kw: dict[str, Any] = {}
    if style == "title":
        kw = {"bold": True, "size": 14.0, "color": HEADER_BLUE}
    elif style == "subtitle":
        kw = {"italic": True, "color": GREY}
    elif style == "header":
        kw = {"bold": True, "color": "FFFFFF", "fill": HEADER_BLUE, "wrap": True}
    elif style == "bold":
        kw = {"bold": True}
    elif style == "total":
        kw = {"bold": True, "fill": FILLS["total"], "border": True}
    elif style in ("good", "warning", "error"):
        kw = {"fill": FILLS[style]}
    elif style == "note":
        kw = {"italic": True, "size": 9.0, "color": GREY}
    if cell.link:
        kw.update(color=LINK_BLUE, underline=True)
    if cell.align:
        kw["align"] = cell.align
    if cell.currency or style == "amount":
        kw["number_format"] = amount_format(cell.currency or "USD")
    elif style == "date":
        kw["number_format"] = DATE_FORMAT
    elif style == "percent":
        kw["number_format"] = RATE_FORMAT
    elif style == "integer":
        kw["number_format"] = "#,##0"
    elif style == "decimal":
        kw["number_format"] = "#,##0.00"
    elif isinstance(cell.value, dt.date):
        kw["number_format"] = DATE_FORMAT  # a date is shown as one whatever its style (not as its serial number)
    if not cell.formula and isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        kw["quote"] = True
    return Look(**kw)
