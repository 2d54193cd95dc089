"""The XML of one cell of a generated sheet, and the SpreadsheetML names every part of the fast route uses.

Text is written as inline strings, escaped, so outside text such as ``=HYPERLINK(...)`` stays text; characters
XML 1.0 cannot carry are written as OOXML's ``_xHHHH_`` escapes; numbers (Decimal, int, float) as their exact
decimal text, dates as serial numbers of the workbook's epoch; a formula goes in ``<f>`` with Python's result
as its cached value (:mod:`arxl.formats.xlsx.cached` says why every formula needs one).

>>> from arxl.ledger.changes import Cell
>>> escape_text('=HYPERLINK("http://x","a&b")')
'=HYPERLINK("http://x","a&amp;b")'
>>> cell_xml("B2", Cell(formula="=SUM(B1:B1)", value=3), 0, False)
'<c r="B2"><f>SUM(B1:B1)</f><v>3</v></c>'
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from decimal import Decimal

from lxml import etree

from arxl.ledger.changes import Cell

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_MAX_TEXT = 32_767  # Excel's limit for one cell
# Characters XML 1.0 cannot carry (and "_xHHHH_" itself) are written as OOXML's _xHHHH_ escapes; CR too,
# which an XML parser would turn into LF.
_NEEDS_OOXML_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ANY_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_")


def q(tag: str) -> str:
    """A tag of the SpreadsheetML main namespace, as lxml names it."""
    return f"{{{MAIN}}}{tag}"


def escape_text(text: str) -> str:
    """Text for an XML element: markup characters escaped, characters XML cannot hold as _xHHHH_."""
    if text.isascii() and text.isprintable() and "&" not in text and "<" not in text and ">" not in text \
            and "_x" not in text:
        return text  # the common case: plain ASCII with nothing to escape, found without a regular expression
    if not _ANY_SPECIAL.search(text):
        return text
    if _NEEDS_OOXML_ESCAPE.search(text):
        text = _NEEDS_OOXML_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(escape_text(text) if _NEEDS_OOXML_ESCAPE.search(text) else text, quote=True)


def inline(text: str) -> str:
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT]
    body = escape_text(text)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{body}</t></is>'
    return f"<is><t>{body}</t></is>"


_EPOCH = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)


def serial(value: dt.date, date1904: bool) -> str:
    epoch = _EPOCH_1904 if date1904 else _EPOCH
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return repr((value.date() - epoch).days + seconds / 86400)
    return str((value - epoch).days)


def number_text(value: object) -> str | None:
    """The text of a number for ``<v>``, or None when the value is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    return None


def cell_xml(ref: str, cell: Cell, style: int, date1904: bool) -> str:
    """One ``<c>`` element, or "" for a cell with nothing to show."""
    tail = cell_tail(cell, style, date1904)
    return f'<c r="{ref}"{tail}' if tail else ""


def cell_tail(cell: Cell, style: int, date1904: bool) -> str:
    """A ``<c>`` element after its reference (the same for every use of one Cell), or "" for nothing to show."""
    s = f' s="{style}"' if style else ""
    value = cell.value
    if cell.formula:
        formula = escape_text(cell.formula[1:] if cell.formula.startswith("=") else cell.formula)
        if value is None:
            return f"{s}><f>{formula}</f></c>"
        if isinstance(value, bool):
            return f'{s} t="b"><f>{formula}</f><v>{int(value)}</v></c>'
        number = number_text(value)
        if number is not None:
            return f"{s}><f>{formula}</f><v>{number}</v></c>"
        return f'{s} t="str"><f>{formula}</f><v>{escape_text(str(value))}</v></c>'
    if value is None or value == "":
        return f"{s}/>" if style else ""
    if isinstance(value, str):
        return f'{s} t="inlineStr">{inline(value)}</c>'
    if isinstance(value, bool):
        return f'{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        return f"{s}><v>{serial(value, date1904)}</v></c>"
    number = number_text(value)
    if number is not None:
        return f"{s}><v>{number}</v></c>"
    return f'{s} t="inlineStr">{inline(str(value))}</c>'

