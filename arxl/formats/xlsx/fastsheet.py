"""The fast file route for generated sheets: write the sheet's XML directly and swap it into the package.

openpyxl rewrites a whole workbook to replace one sheet: on a ledger of 200,000 invoices loading and saving
take about a minute. A generated sheet (Aging, Review, ...) does not need that. An .xlsx is a ZIP of XML
parts, so this module renders a :class:`~arxl.ledger.changes.SheetSpec` straight to worksheet XML and builds
the new package from the old one:

- every part that does not change is copied as it is, compressed bytes and all (no inflate, no deflate),
  so the accountant's own sheets, tables, formats and pictures come through byte for byte;
- the generated sheet keeps its tab position and part name when it existed; its own parts (drawing, charts,
  table, links) are removed with it; a new sheet goes at the end;
- ``xl/styles.xml`` gains the few cell formats the sheet needs (fonts, fills, borders, number formats for
  RWF and USD amounts and dates, and the differential formats of conditional fills). Existing style indexes
  never move, and a format already present is reused, so running again does not grow the file;
- text is written as inline strings, escaped, so outside text such as ``=HYPERLINK(...)`` stays text (and is
  marked to stay text when edited); formulas go in ``<f>`` with Python's result as the cached value;
- ``xl/calcChain.xml`` (Excel's list of formula cells) is dropped when present: a stale one makes Excel repair
  the file, and Excel rebuilds it on the next save.

What it does not render (cell comments) makes :func:`supports` false, and the caller keeps openpyxl.

>>> from arxl.ledger.changes import Cell
>>> escape_text('=HYPERLINK("http://x","a&b")')
'=HYPERLINK("http://x","a&amp;b")'
>>> _cell_xml("B2", Cell(formula="=SUM(B1:B1)", value=3), 0, False)
'<c r="B2"><f>SUM(B1:B1)</f><v>3</v></c>'
"""

from __future__ import annotations

import datetime as dt
import html
import math
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from arxl.core.errors import BadWorkbook, CellRef
from arxl.formats.xlsx.save import atomic_save, ensure_not_open
from arxl.formats.xlsx.writer import DATE_FORMAT, RATE_FORMAT, amount_format
from arxl.formats.xlsx.zipcopy import ZipCopier
from arxl.ledger.changes import Cell, ChartSpec, SheetSpec, TableArea
from arxl.ledger.port import column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_WORKSHEET = DOC_REL + "/worksheet"
_REL_STYLES = DOC_REL + "/styles"
_REL_DRAWING = DOC_REL + "/drawing"
_REL_CHART = DOC_REL + "/chart"
_REL_TABLE = DOC_REL + "/table"
_REL_LINK = DOC_REL + "/hyperlink"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
_CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EMU_PER_CM = 360_000
_MAX_TEXT = 32_767  # Excel's limit for one cell
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
# Characters XML 1.0 cannot carry (and "_xHHHH_" itself) are written as OOXML's _xHHHH_ escapes; CR too,
# which an XML parser would turn into LF.
_NEEDS_OOXML_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ANY_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_")
_FORMULA_START = ("=", "+", "-", "@")
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
_HEADER_BLUE, _GREY, _LINK_BLUE = "1F4E78", "595959", "0563C1"
_FILLS = {"good": "E2EFDA", "warning": "FFF2CC", "error": "F8CBAD", "total": "DDEBF7", "header": _HEADER_BLUE}


def supports(spec: SheetSpec) -> bool:
    """Whether the fast route renders everything in ``spec`` (cell comments need openpyxl)."""
    return not any(cell.comment for row in spec.rows for cell in row)


def replace_sheets(path: Path | str, specs: Sequence[SheetSpec]) -> Path:
    """Replace (or add) generated sheets in a workbook file, atomically with a backup, without openpyxl."""
    target = Path(path)
    ensure_not_open(target)
    written: set[str] = set()
    return atomic_save(target, lambda temp: written.update(write_package(target, temp, specs)), written=written)


# --- text and values --------------------------------------------------------------------------------------


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


def _attr(text: str) -> str:
    return html.escape(escape_text(text) if _NEEDS_OOXML_ESCAPE.search(text) else text, quote=True)


def _inline(text: str) -> str:
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT]
    body = escape_text(text)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{body}</t></is>'
    return f"<is><t>{body}</t></is>"


_EPOCH = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)


def _serial(value: dt.date, date1904: bool) -> str:
    epoch = _EPOCH_1904 if date1904 else _EPOCH
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return repr((value.date() - epoch).days + seconds / 86400)
    return str((value - epoch).days)


def _number(value: object) -> str | None:
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


def _cell_xml(ref: str, cell: Cell, style: int, date1904: bool) -> str:
    """One ``<c>`` element, or "" for a cell with nothing to show."""
    tail = _cell_tail(cell, style, date1904)
    return f'<c r="{ref}"{tail}' if tail else ""


def _cell_tail(cell: Cell, style: int, date1904: bool) -> str:
    """A ``<c>`` element after its reference (the same for every use of one Cell), or "" for nothing to show."""
    s = f' s="{style}"' if style else ""
    value = cell.value
    if cell.formula:
        formula = escape_text(cell.formula[1:] if cell.formula.startswith("=") else cell.formula)
        if value is None:
            return f"{s}><f>{formula}</f></c>"
        if isinstance(value, bool):
            return f'{s} t="b"><f>{formula}</f><v>{int(value)}</v></c>'
        number = _number(value)
        if number is not None:
            return f"{s}><f>{formula}</f><v>{number}</v></c>"
        return f'{s} t="str"><f>{formula}</f><v>{escape_text(str(value))}</v></c>'
    if value is None or value == "":
        return f"{s}/>" if style else ""
    if isinstance(value, str):
        return f'{s} t="inlineStr">{_inline(value)}</c>'
    if isinstance(value, bool):
        return f'{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        return f"{s}><v>{_serial(value, date1904)}</v></c>"
    number = _number(value)
    if number is not None:
        return f"{s}><v>{number}</v></c>"
    return f'{s} t="inlineStr">{_inline(str(value))}</c>'


# --- styles -----------------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _key(element: Any) -> tuple[object, ...]:
    """What an element says, independent of attribute order and of how its writer spelled namespaces."""
    tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
    attrs = tuple(sorted((etree.QName(k).localname, v) for k, v in element.attrib.items()))
    return (tag, attrs, tuple(_key(child) for child in element if isinstance(child.tag, str)))


def _element(xml: str) -> Any:
    return etree.fromstring(_with_ns(xml).encode(), _PARSER)


def _with_ns(xml: str) -> str:
    """Put the main namespace on the root of a fragment written without one."""
    end = xml.index(">")
    if xml[end - 1] == "/":
        end -= 1
    return f'{xml[:end]} xmlns="{MAIN}"{xml[end:]}'


_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
          "colors", "extLst")


@dataclass(frozen=True, slots=True)
class _Look:
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


def look_of(cell: Cell) -> _Look:
    """The format of a cell of a generated sheet, as :func:`arxl.formats.xlsx.apply.render_sheet` draws it."""
    style = cell.style
    kw: dict[str, Any] = {}
    if style == "title":
        kw = {"bold": True, "size": 14.0, "color": _HEADER_BLUE}
    elif style == "subtitle":
        kw = {"italic": True, "color": _GREY}
    elif style == "header":
        kw = {"bold": True, "color": "FFFFFF", "fill": _HEADER_BLUE, "wrap": True}
    elif style == "bold":
        kw = {"bold": True}
    elif style == "total":
        kw = {"bold": True, "fill": _FILLS["total"], "border": True}
    elif style in ("good", "warning", "error"):
        kw = {"fill": _FILLS[style]}
    elif style == "note":
        kw = {"italic": True, "size": 9.0, "color": _GREY}
    if cell.link:
        kw.update(color=_LINK_BLUE, underline=True)
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
    if not cell.formula and isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
        kw["quote"] = True
    return _Look(**kw)


class StyleBook:
    """The workbook's styles.xml with the formats of generated sheets merged in (indexes of others kept)."""

    def __init__(self, xml: bytes | None) -> None:
        self.root = etree.fromstring(xml, _PARSER) if xml else self._minimal()
        self._sections: dict[str, Any] = {}
        self._index: dict[str, dict[tuple[object, ...], int]] = {}
        self._looks: dict[_Look, int] = {}
        self._formats = {f.get("formatCode", ""): int(f.get("numFmtId", "0"))
                         for f in self.root.iterfind(f"{_q('numFmts')}/{_q('numFmt')}")}
        self.changed = False
        fonts = self.root.find(_q("fonts"))
        base = fonts[0] if fonts is not None and len(fonts) else None
        self._font_name, self._font_size = "Calibri", "11"
        self._font_tail = '<family val="2"/>'
        if base is not None:
            name, size = base.find(_q("name")), base.find(_q("sz"))
            self._font_name = name.get("val", "Calibri") if name is not None else "Calibri"
            self._font_size = size.get("val", "11") if size is not None else "11"
            family, scheme = base.find(_q("family")), base.find(_q("scheme"))
            self._font_tail = (f'<family val="{_attr(family.get("val", "2"))}"/>' if family is not None else "") + \
                (f'<scheme val="{_attr(scheme.get("val", "minor"))}"/>' if scheme is not None else "")

    @staticmethod
    def _minimal() -> Any:
        return etree.fromstring(
            f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
            '<family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
            '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
            'builtinId="0"/></cellStyles></styleSheet>'.encode(), _PARSER)

    def _section(self, name: str) -> Any:
        found = self._sections.get(name)
        if found is not None:
            return found
        section = self.root.find(_q(name))
        if section is None:
            section = etree.Element(_q(name))
            later = [self.root.find(_q(n)) for n in _ORDER[_ORDER.index(name) + 1:]]
            following = next((e for e in later if e is not None), None)
            if following is not None:
                following.addprevious(section)
            else:
                self.root.append(section)
        self._sections[name] = section
        return section

    def _add(self, section_name: str, xml: str) -> int:
        """The index of an element in a section, appended when no identical one is there yet."""
        section = self._section(section_name)
        index = self._index.get(section_name)
        if index is None:
            index = {}
            for i, child in enumerate(e for e in section if isinstance(e.tag, str)):
                index.setdefault(_key(child), i)
            self._index[section_name] = index
        element = _element(xml)
        key = _key(element)
        if key in index:
            return index[key]
        position = sum(1 for e in section if isinstance(e.tag, str))
        section.append(element)
        section.set("count", str(position + 1))
        index[key] = position
        self.changed = True
        return position

    def number_format(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if code in self._formats:
            return self._formats[code]
        number = max([163, *self._formats.values()]) + 1
        section = self._section("numFmts")
        element = etree.SubElement(section, _q("numFmt"))
        element.set("numFmtId", str(number))
        element.set("formatCode", code)
        section.set("count", str(sum(1 for e in section if isinstance(e.tag, str))))
        self._formats[code] = number
        self.changed = True
        return number

    def xf(self, look: _Look) -> int:
        """The cellXfs index of a look (0, the workbook's Normal, for a plain cell)."""
        if look == _Look():
            return 0
        found = self._looks.get(look)
        if found is not None:
            return found
        font = self._font(look) if look.bold or look.italic or look.underline or look.size or look.color else 0
        fill = self._add("fills", f'<fill><patternFill patternType="solid"><fgColor rgb="FF{look.fill}"/>'
                                  '<bgColor indexed="64"/></patternFill></fill>') if look.fill else 0
        border = self._add("borders", '<border><left/><right/><top style="thin"><color rgb="FF999999"/></top>'
                                      '<bottom style="thin"><color rgb="FF999999"/></bottom><diagonal/></border>') \
            if look.border else 0
        number = self.number_format(look.number_format) if look.number_format else 0
        attrs = f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
        attrs += ' applyNumberFormat="1"' if number else ""
        attrs += ' applyFont="1"' if font else ""
        attrs += ' applyFill="1"' if fill else ""
        attrs += ' applyBorder="1"' if border else ""
        attrs += ' applyAlignment="1"' if look.wrap or look.align else ""
        attrs += ' quotePrefix="1"' if look.quote else ""
        horizontal = f' horizontal="{look.align}"' if look.align else ""
        inner = (f'<alignment{horizontal} vertical="center" wrapText="1"/>' if look.wrap
                 else f"<alignment{horizontal}/>" if look.align else "")
        index = self._add("cellXfs", f"<xf {attrs}>{inner}</xf>" if inner else f"<xf {attrs}/>")
        self._looks[look] = index
        return index

    def _font(self, look: _Look) -> int:
        parts = ["<font>"]
        parts.append("<b/>" if look.bold else "")
        parts.append("<i/>" if look.italic else "")
        parts.append('<u val="single"/>' if look.underline else "")
        size = f"{look.size:g}" if look.size else self._font_size
        parts.append(f'<sz val="{_attr(size)}"/>')
        parts.append(f'<color rgb="FF{look.color}"/>' if look.color else "")
        parts.append(f'<name val="{_attr(self._font_name)}"/>{self._font_tail}</font>')
        return self._add("fonts", "".join(parts))

    def dxf_fill(self, rgb: str) -> int:
        """A differential format (for conditional formatting) that fills the cell."""
        return self._add("dxfs", f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                                 f'<bgColor rgb="FF{rgb}"/></patternFill></fill></dxf>')

    def to_xml(self) -> bytes:
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True))


# --- the worksheet ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class RenderedSheet:
    """A worksheet part and what comes with it."""

    xml: bytes
    links: list[str] = field(default_factory=list)  # external hyperlink targets, rIdL1..; relationship order
    has_drawing: bool = False
    tables: list[TableArea] = field(default_factory=list)
    uncached_formulas: bool = False


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(area: str) -> str:
    """"A1:L40" -> "$A$1:$L$40"."""
    return ":".join(re.sub(r"^([A-Z]+)([0-9]+)$", r"$\1$\2", part) for part in area.split(":"))


def _split_ref(ref: str) -> tuple[int, int]:
    """"C5" -> (column 3, row 5)."""
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})", ref.strip().upper())
    if not match:
        raise ValueError(f"not a cell reference: {ref}")
    number = 0
    for ch in match.group(1):
        number = number * 26 + ord(ch) - 64
    return number, int(match.group(2))


def render_sheet_xml(spec: SheetSpec, styles: StyleBook, date1904: bool = False, drawing_rid: str = "",
                     table_rids: Sequence[str] = ()) -> RenderedSheet:
    """The worksheet XML of a generated sheet (styles are added to ``styles`` as they are met)."""
    result = RenderedSheet(b"", tables=list(spec.tables))
    letters = [column_letter(i) for i in range(1, 1 + max((len(r) for r in spec.rows), default=1))]
    looks: dict[tuple[object, ...], int] = {}
    tails: dict[int, str] = {}  # id(cell) -> its XML after the reference: a Cell used many times is rendered once
    out: list[str] = []
    width = 0
    links: list[str] = []
    for r, row in enumerate(spec.rows, start=1):
        cells: list[str] = []
        number = str(r)
        for c, cell in enumerate(row):
            tail = tails.get(id(cell))
            if tail is None:
                key = (cell.style, cell.currency, bool(cell.link), cell.align, cell.formula == ""
                       and isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START))
                style = looks.get(key)
                if style is None:
                    style = looks[key] = styles.xf(look_of(cell))
                tail = tails[id(cell)] = _cell_tail(cell, style, date1904)
                if cell.formula and cell.value is None:
                    result.uncached_formulas = True
            if tail:
                cells.append(f'<c r="{letters[c]}{number}"{tail}')
                if c >= width:
                    width = c + 1
            if cell.link:
                links.append(f"{letters[c]}{number}")
        if cells:
            out.append(f'<row r="{number}">{"".join(cells)}</row>')
    last_row = max(len(spec.rows), 1)
    head = [f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_REL}">']
    props = (f'<tabColor rgb="FF{spec.tab_color}"/>' if spec.tab_color else "") + \
        ('<pageSetUpPr fitToPage="1"/>' if spec.fit_width else "")
    if props:
        head.append(f"<sheetPr>{props}</sheetPr>")
    head.append(f'<dimension ref="A1:{column_letter(max(width, 1))}{last_row}"/>')
    head.append(_sheet_view(spec.freeze))
    head.append('<sheetFormatPr defaultRowHeight="15"/>')
    if spec.widths:
        columns = sorted((_split_ref(f"{letter}1")[0], w) for letter, w in spec.widths.items())
        head.append("<cols>" + "".join(f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>'
                                       for n, w in columns) + "</cols>")
    after: list[str] = []
    if spec.filter_range:
        after.append(f'<autoFilter ref="{spec.filter_range}"/>')
    for priority, rule in enumerate(spec.conditional, start=1):
        dxf = styles.dxf_fill(rule.fill)
        formula = escape_text(rule.formula.removeprefix("="))
        after.append(f'<conditionalFormatting sqref="{rule.range}"><cfRule type="expression" dxfId="{dxf}" '
                    f'priority="{priority}"><formula>{formula}</formula></cfRule></conditionalFormatting>')
    if links:
        items = []
        for ref in links:
            r, c = _split_ref(ref)[1], _split_ref(ref)[0]
            link = spec.rows[r - 1][c - 1].link
            if link.startswith("#"):
                items.append(f'<hyperlink ref="{ref}" location="{_attr(link[1:])}"/>')
            else:
                result.links.append(link)
                items.append(f'<hyperlink ref="{ref}" r:id="rIdL{len(result.links)}"/>')
        after.append("<hyperlinks>" + "".join(items) + "</hyperlinks>")
    after.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>')
    if spec.landscape or spec.fit_width:
        after.append('<pageSetup paperSize="9"' + (' orientation="landscape"' if spec.landscape else "")
                    + (' fitToWidth="1" fitToHeight="0"' if spec.fit_width else "") + "/>")
    if drawing_rid:
        after.append(f'<drawing r:id="{drawing_rid}"/>')
        result.has_drawing = True
    if table_rids:
        after.append(f'<tableParts count="{len(table_rids)}">'
                    + "".join(f'<tablePart r:id="{rid}"/>' for rid in table_rids) + "</tableParts>")
    body = "".join(head) + "<sheetData>" + "".join(out) + "</sheetData>" + "".join(after) + "</worksheet>"
    result.xml = _XML_HEAD + body.encode("utf-8")
    return result


def _sheet_view(freeze: str) -> str:
    if not freeze:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    column, row = _split_ref(freeze)
    x, y = column - 1, row - 1
    if not x and not y:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    pane = "bottomRight" if x and y else ("bottomLeft" if y else "topRight")
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<sheetViews><sheetView workbookViewId="0"><pane{split} topLeftCell="{freeze.upper()}" '
            f'activePane="{pane}" state="frozen"/><selection pane="{pane}" activeCell="{freeze.upper()}" '
            f'sqref="{freeze.upper()}"/></sheetView></sheetViews>')


def _table_xml(table: TableArea, number: int, name: str, spec: SheetSpec) -> bytes:
    (left, top), (right, _) = (_split_ref(p) for p in table.range.split(":"))
    header = spec.rows[top - 1] if top - 1 < len(spec.rows) else []
    names: list[str] = []
    for index in range(left, right + 1):
        cell = header[index - 1] if index - 1 < len(header) else Cell()
        text = str(cell.value) if cell.value is not None else f"Column{index}"
        while text in names:
            text += " "
        names.append(text)
    columns = "".join(f'<tableColumn id="{i}" name="{_attr(n)}"/>' for i, n in enumerate(names, start=1))
    ref = table.range.upper()
    return _XML_HEAD + (
        f'<table xmlns="{MAIN}" id="{number}" name="{_attr(name)}" displayName="{_attr(name)}" ref="{ref}" '
        f'totalsRowShown="0"><autoFilter ref="{ref}"/><tableColumns count="{len(names)}">{columns}'
        f'</tableColumns><tableStyleInfo name="{_attr(table.style)}" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>').encode()


# --- charts -----------------------------------------------------------------------------------------------

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"


def _drawing_xml(charts: Sequence[ChartSpec]) -> bytes:
    anchors = []
    for number, chart in enumerate(charts, start=1):
        column, row = _split_ref(chart.anchor)
        cx, cy = int(chart.width_cm * _EMU_PER_CM), int(chart.height_cm * _EMU_PER_CM)
        anchors.append(
            f'<xdr:oneCellAnchor><xdr:from><xdr:col>{column - 1}</xdr:col><xdr:colOff>0</xdr:colOff>'
            f'<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="{cx}" cy="{cy}"/>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{number + 1}" '
            f'name="Chart {number}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
            '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
            f'uri="{_C}"><c:chart xmlns:c="{_C}" r:id="rId{number}"/></a:graphicData></a:graphic>'
            '</xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>')
    return _XML_HEAD + (f'<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}" xmlns:r="{DOC_REL}">' + "".join(anchors)
                        + "</xdr:wsDr>").encode("utf-8")


def _text_run(text: str, size: int, bold: bool) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (f'<c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"{b}/></a:pPr><a:r>'
            f'<a:rPr lang="en-GB" sz="{size}"{b}/><a:t>{escape_text(text)}</a:t></a:r></a:p></c:rich>')


def _chart_xml(chart: ChartSpec, sheet: str) -> bytes:
    where = _quote_sheet(sheet)
    if chart.kind == "line":
        return _line_chart_xml(chart, where)
    first, last = chart.first_row, chart.last_row
    cat = escape_text(f"{where}!${chart.categories}${first}:${chart.categories}${last}")
    series = []
    for i, letter in enumerate(chart.series):
        color = chart.colors[i] if i < len(chart.colors) else ""
        fill = f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>' if color else ""
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>{escape_text(where)}!${letter}$'
            f'{first - 1}</c:f></c:strRef></c:tx>{fill}<c:invertIfNegative val="0"/><c:cat><c:strRef><c:f>'
            f'{cat}</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>{escape_text(where)}!${letter}$'
            f'{first}:${letter}${last}</c:f></c:numRef></c:val></c:ser>')
    grouping = "stacked" if chart.stacked else "clustered"
    overlap = '<c:overlap val="100"/>' if chart.stacked else ""
    plot = (f'<c:barChart><c:barDir val="{"bar" if chart.horizontal else "col"}"/><c:grouping val="{grouping}"/>'
            '<c:varyColors val="0"/>' + "".join(series)
            + f'<c:gapWidth val="60"/>{overlap}<c:axId val="500100"/><c:axId val="500200"/></c:barChart>'
            + _axes(500100, 500200, chart.horizontal))
    return _chart_space(chart, plot)


def _axes(cat_id: int, val_id: int, horizontal: bool) -> str:
    """A category and a value axis; horizontal bars list the first row at the top (categories in reverse
    order, the value axis at the bottom)."""
    orientation = "maxMin" if horizontal else "minMax"
    crosses = "max" if horizontal else "autoZero"
    cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
    small = ('<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr><a:endParaRPr lang="en-GB"/>'
             '</a:p></c:txPr>')
    return (
        f'<c:catAx><c:axId val="{cat_id}"/><c:scaling><c:orientation val="{orientation}"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{cat_pos}"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        f'<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{small}'
        f'<c:crossAx val="{val_id}"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{val_id}"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{val_pos}"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr '
        'val="D9D9D9"/></a:solidFill></a:ln></c:spPr></c:majorGridlines><c:numFmt formatCode="#,##0" '
        'sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{small}<c:crossAx val="{cat_id}"/><c:crosses val="{crosses}"/><c:crossBetween val="between"/></c:valAx>')


def _chart_space(chart: ChartSpec, plot: str) -> bytes:
    body = (
        f'<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{DOC_REL}"><c:roundedCorners val="0"/><c:chart>'
        f'<c:title><c:tx>{_text_run(chart.title, 1200, True)}</c:tx><c:overlay val="0"/></c:title>'
        f'<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>{plot}</c:plotArea><c:legend><c:legendPos val="b"/>'
        '<c:overlay val="0"/><c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr>'
        '<a:endParaRPr lang="en-GB"/></a:p></c:txPr></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/>'
        '</c:chart></c:chartSpace>')
    return _XML_HEAD + body.encode("utf-8")


def _line_chart_xml(chart: ChartSpec, where: str) -> bytes:
    first, last = chart.first_row, chart.last_row
    cat = escape_text(f"{where}!${chart.categories}${first}:${chart.categories}${last}")
    series = []
    for i, letter in enumerate(chart.series):
        color = chart.colors[i] if i < len(chart.colors) else ""
        line = f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln></c:spPr>' \
            if color else ""
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>{escape_text(where)}!${letter}$'
            f'{first - 1}</c:f></c:strRef></c:tx>{line}<c:marker><c:symbol val="circle"/><c:size val="5"/>'
            f'</c:marker><c:cat><c:strRef><c:f>{cat}</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>'
            f'{escape_text(where)}!${letter}${first}:${letter}${last}</c:f></c:numRef></c:val><c:smooth val="0"/>'
            '</c:ser>')
    plot = ('<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>' + "".join(series)
            + '<c:marker val="1"/><c:axId val="500100"/><c:axId val="500200"/></c:lineChart>'
            + _axes(500100, 500200, horizontal=False))
    return _chart_space(chart, plot)


# --- the package ------------------------------------------------------------------------------------------


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


def _new_rels() -> Any:
    return etree.fromstring(f'<Relationships xmlns="{PKG_REL}"/>'.encode())


def _add_rel(rels: Any, rel_type: str, target: str, rid: str = "", external: bool = False) -> str:
    ids = {r.get("Id") for r in rels}
    if not rid:
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
    element = etree.SubElement(rels, f"{{{PKG_REL}}}Relationship")
    element.set("Id", rid)
    element.set("Type", rel_type)
    element.set("Target", target)
    if external:
        element.set("TargetMode", "External")
    return rid


def _xml(element: Any) -> bytes:
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True))


class _Package:
    """The parts of the old package that change, and what the new one holds."""

    def __init__(self, source: zipfile.ZipFile, book: str) -> None:
        self.zip = source
        self.book = book
        self.names = [i.filename for i in source.infolist()]
        self.present = set(self.names)
        self.new: dict[str, bytes] = {}  # part -> content written anew (replacing or added)
        self.removed: set[str] = set()
        self._parsed: dict[str, Any] = {}

    def read(self, name: str) -> bytes:
        if name in self.new:
            return self.new[name]
        try:
            data = self.zip.read(name)
        except KeyError:
            raise BadWorkbook(f"part {name} is missing from the package", CellRef(self.book)) from None
        if b"<!DOCTYPE" in data[:4096]:
            raise BadWorkbook(f"part {name} declares a DTD, which a workbook never needs", CellRef(self.book))
        return data

    def parsed(self, name: str) -> Any:
        if name not in self._parsed:
            self._parsed[name] = etree.fromstring(self.read(name), _PARSER)
        return self._parsed[name]

    def exists(self, name: str) -> bool:
        return (name in self.present or name in self.new) and name not in self.removed

    def put(self, name: str, data: bytes) -> None:
        self.new[name] = data
        self.removed.discard(name)
        self._parsed.pop(name, None)

    def remove(self, name: str) -> None:
        self.removed.add(name)
        self.new.pop(name, None)
        self._parsed.pop(name, None)

    def free_name(self, pattern: str) -> str:
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def all_names(self) -> list[str]:
        kept = [n for n in self.names if n not in self.removed]
        return kept + [n for n in self.new if n not in self.present]


@dataclass(slots=True)
class _Book:
    """xl/workbook.xml, its relationships and the content types, parsed once."""

    package: _Package
    workbook: Any
    rels: Any
    types: Any
    date1904: bool

    @classmethod
    def load(cls, package: _Package) -> _Book:
        workbook = package.parsed("xl/workbook.xml")
        if workbook.tag != _q("workbook"):
            raise BadWorkbook("is not a Transitional SpreadsheetML workbook (save it again as .xlsx from Excel)",
                              CellRef(package.book))
        props = workbook.find(_q("workbookPr"))
        date1904 = props is not None and props.get("date1904", "0").lower() in ("1", "true")
        return cls(package, workbook, package.parsed("xl/_rels/workbook.xml.rels"),
                   package.parsed("[Content_Types].xml"), date1904)

    def sheets(self) -> list[Any]:
        found = self.workbook.find(_q("sheets"))
        return list(found) if found is not None else []

    def rel_target(self, rid: str) -> str:
        for rel in self.rels:
            if rel.get("Id") == rid:
                return _resolve("xl/workbook.xml", rel.get("Target", ""))
        raise BadWorkbook(f"relationship {rid} of the workbook part is missing", CellRef(self.package.book))

    def set_type(self, part: str, content_type: str) -> None:
        name = "/" + part
        for override in self.types.findall(f"{{{CT}}}Override"):
            if override.get("PartName") == name:
                override.set("ContentType", content_type)
                return
        element = etree.SubElement(self.types, f"{{{CT}}}Override")
        element.set("PartName", name)
        element.set("ContentType", content_type)

    def drop_type(self, part: str) -> None:
        for override in self.types.findall(f"{{{CT}}}Override"):
            if override.get("PartName", "").lstrip("/") == part:
                self.types.remove(override)

    def defined_names(self, create: bool = False) -> Any:
        names = self.workbook.find(_q("definedNames"))
        if names is None and create:
            names = etree.Element(_q("definedNames"))
            anchor = None
            for tag in ("externalReferences", "functionGroups", "sheets"):
                anchor = self.workbook.find(_q(tag))
                if anchor is not None:
                    break
            if anchor is None:
                self.workbook.append(names)
            else:
                anchor.addnext(names)
        return names


def _private_parts(package: _Package, part: str) -> set[str]:
    """The parts reachable only from ``part`` (its drawing, charts, tables, comments, printer settings)."""
    found: set[str] = set()
    todo = [part]
    while todo:
        current = todo.pop()
        rels_name = _rels_path(current)
        if not package.exists(rels_name):
            continue
        found.add(rels_name)
        for rel in package.parsed(rels_name):
            if rel.get("TargetMode") == "External":
                continue
            target = _resolve(current, rel.get("Target", ""))
            if target not in found and target != part and package.exists(target):
                found.add(target)
                todo.append(target)
    shared: set[str] = set()
    for name in package.all_names():
        if name.endswith(".rels") and name not in found and name != _rels_path(part):
            owner = _owner_of_rels(name)
            for rel in package.parsed(name):
                if rel.get("TargetMode") != "External":
                    shared.add(_resolve(owner, rel.get("Target", "")))
    return found - shared


def _owner_of_rels(rels_name: str) -> str:
    folder, name = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), name.removesuffix(".rels"))


def _used_tables(package: _Package) -> tuple[set[int], set[str]]:
    ids: set[int] = set()
    names: set[str] = set()
    for name in package.all_names():
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            head = package.read(name)[:2048].decode("utf-8", "replace")
            match = re.search(r'<(?:\w+:)?table\b[^>]*>', head)
            if match:
                tag = match.group(0)
                number = re.search(r'\bid="([0-9]+)"', tag)
                if number:
                    ids.add(int(number.group(1)))
                for attr in ("name", "displayName"):
                    value = re.search(rf'\b{attr}="([^"]*)"', tag)
                    if value:
                        names.add(html.unescape(value.group(1)).casefold())
    return ids, names


def _put_sheet(book: _Book, spec: SheetSpec, styles: StyleBook) -> bool:
    """Render one generated sheet into the package; True when a formula has no cached value."""
    package = book.package
    sheets = book.sheets()
    existing = next((s for s in sheets if s.get("name", "").casefold() == spec.name.casefold()), None)
    if existing is not None:
        rid = existing.get(f"{{{DOC_REL}}}id", "")
        part = book.rel_target(rid)
        position = sheets.index(existing)
        for name in _private_parts(package, part):
            package.remove(name)
            book.drop_type(name)
        package.remove(_rels_path(part))
        existing.set("name", spec.name)
    else:
        part = package.free_name("xl/worksheets/sheet{}.xml")
        rid = _add_rel(book.rels, _REL_WORKSHEET, _relative("xl/workbook.xml", part))
        ids = [int(s.get("sheetId", "0")) for s in sheets if s.get("sheetId", "").isdigit()]
        element = etree.SubElement(book.workbook.find(_q("sheets")), _q("sheet"))
        element.set("name", spec.name)
        element.set("sheetId", str(max(ids, default=0) + 1))
        element.set(f"{{{DOC_REL}}}id", rid)
        position = len(sheets)
    rels = _new_rels()
    drawing_rid = ""
    if spec.charts:
        drawing = package.free_name("xl/drawings/drawing{}.xml")
        drawing_rid = _add_rel(rels, _REL_DRAWING, _relative(part, drawing))
        drawing_rels = _new_rels()
        for number, chart in enumerate(spec.charts, start=1):
            chart_part = package.free_name("xl/charts/chart{}.xml")
            package.put(chart_part, _chart_xml(chart, spec.name))
            book.set_type(chart_part, _CT_CHART)
            _add_rel(drawing_rels, _REL_CHART, _relative(drawing, chart_part), f"rId{number}")
        package.put(drawing, _drawing_xml(spec.charts))
        package.put(_rels_path(drawing), _xml(drawing_rels))
        book.set_type(drawing, _CT_DRAWING)
    table_rids: list[str] = []
    if spec.tables:
        used_ids, used_names = _used_tables(package)
        for table in spec.tables:
            name = table.name
            n = 2
            while name.casefold() in used_names:
                name, n = f"{table.name}{n}", n + 1
            used_names.add(name.casefold())
            number = max(used_ids, default=0) + 1
            used_ids.add(number)
            table_part = package.free_name("xl/tables/table{}.xml")
            package.put(table_part, _table_xml(table, number, name, spec))
            book.set_type(table_part, _CT_TABLE)
            table_rids.append(_add_rel(rels, _REL_TABLE, _relative(part, table_part)))
    rendered = render_sheet_xml(spec, styles, book.date1904, drawing_rid, table_rids)
    for number, link in enumerate(rendered.links, start=1):
        _add_rel(rels, _REL_LINK, link, f"rIdL{number}", external=True)
    package.put(part, rendered.xml)
    book.set_type(part, _CT_SHEET)
    if len(rels):
        package.put(_rels_path(part), _xml(rels))
    _names_for_sheet(book, spec, position)
    return rendered.uncached_formulas


def _names_for_sheet(book: _Book, spec: SheetSpec, position: int) -> None:
    """The sheet's built-in names (filter range, print area) replaced by the new sheet's."""
    names = book.defined_names()
    ours = ("_xlnm._FilterDatabase", "_xlnm.Print_Area", "_xlnm.Print_Titles")
    if names is not None:
        for name in list(names):
            if name.get("localSheetId") == str(position) and name.get("name") in ours:
                names.remove(name)
    wanted = []
    if spec.filter_range:
        wanted.append(("_xlnm._FilterDatabase", spec.filter_range, True))
    if spec.print_area:
        wanted.append(("_xlnm.Print_Area", spec.print_area, False))
    if wanted:
        names = book.defined_names(create=True)
        for name, area, hidden in wanted:
            element = etree.SubElement(names, _q("definedName"))
            element.set("name", name)
            element.set("localSheetId", str(position))
            if hidden:
                element.set("hidden", "1")
            element.text = f"{_quote_sheet(spec.name)}!{_absolute(area.upper())}"
    if names is not None and not len(names):
        book.workbook.remove(names)


def _drop_calc_chain(book: _Book) -> None:
    for rel in list(book.rels):
        if rel.get("Type", "").endswith("/calcChain"):
            part = _resolve("xl/workbook.xml", rel.get("Target", ""))
            book.rels.remove(rel)
            book.package.remove(part)
            book.drop_type(part)


def _styles_part(book: _Book) -> str:
    for rel in book.rels:
        if rel.get("Type") == _REL_STYLES:
            return _resolve("xl/workbook.xml", rel.get("Target", ""))
    _add_rel(book.rels, _REL_STYLES, "styles.xml")
    book.set_type("xl/styles.xml", _CT_STYLES)
    return "xl/styles.xml"


def write_package(source: Path, target: Path, specs: Sequence[SheetSpec]) -> set[str]:
    """Write ``target``: the workbook ``source`` with the generated sheets of ``specs`` replaced or added.
    Returns the parts written anew (the others are copied unchanged, still compressed)."""
    with zipfile.ZipFile(source) as archive:
        package = _Package(archive, source.name)
        book = _Book.load(package)
        styles_part = _styles_part(book)
        styles = StyleBook(package.read(styles_part) if package.exists(styles_part) else None)
        uncached = False
        for spec in specs:
            uncached |= _put_sheet(book, spec, styles)
        _drop_calc_chain(book)
        if uncached:
            calc = book.workbook.find(_q("calcPr"))
            if calc is None:
                calc = etree.Element(_q("calcPr"))
                names = book.defined_names()
                (names if names is not None else book.workbook.find(_q("sheets"))).addnext(calc)
            calc.set("fullCalcOnLoad", "1")
        package.put(styles_part, styles.to_xml())
        package.put("xl/workbook.xml", _xml(book.workbook))
        package.put("xl/_rels/workbook.xml.rels", _xml(book.rels))
        package.put("[Content_Types].xml", _xml(book.types))
        written = set(package.new)
        with open(source, "rb") as raw, open(target, "wb") as out:
            writer = ZipCopier(out, source.name)
            for info in archive.infolist():
                name = info.filename
                if name in package.removed:
                    continue
                if name in package.new:
                    writer.add(name, package.new.pop(name))
                else:
                    writer.copy(raw, info)
            for name, data in package.new.items():
                writer.add(name, data)
            writer.close()
    return written
