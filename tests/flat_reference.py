"""The worksheet renderer as it was before issue 15 (the XML made whole, commit caa19eb), kept verbatim so that
tests/test_flat.py compares the streamed XML with it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from arxl.formats.xlsx.cells import DOC_REL, MAIN, XML_HEAD, attr, cell_tail, escape_text, inline, number_text, serial
from arxl.formats.xlsx.looks import FORMULA_START, look_of
from arxl.formats.xlsx.styles import StyleBook
from arxl.ledger.changes import Cell, DataRows, SheetSpec, TableArea
from arxl.ledger.port import column_letter


@dataclass(slots=True)
class RenderedSheet:
    """A worksheet part and what comes with it."""

    xml: bytes
    links: list[str] = field(default_factory=list)  # external hyperlink targets, rIdL1..; relationship order
    has_drawing: bool = False
    tables: list[TableArea] = field(default_factory=list)
    uncached_formulas: bool = False


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def absolute(area: str) -> str:
    """"A1:L40" -> "$A$1:$L$40"."""
    return ":".join(re.sub(r"^([A-Z]+)([0-9]+)$", r"$\1$\2", part) for part in area.split(":"))


def split_ref(ref: str) -> tuple[int, int]:
    """"C5" -> (column 3, row 5)."""
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})", ref.strip().upper())
    if not match:
        raise ValueError(f"not a cell reference: {ref}")
    number = 0
    for ch in match.group(1):
        number = number * 26 + ord(ch) - 64
    return number, int(match.group(2))


def render_sheet_xml(spec: SheetSpec, styles: StyleBook, date1904: bool = False, drawing_rid: str = "",
                     table_rids: Sequence[str] = (), data_xml: str | None = None) -> RenderedSheet:
    """The worksheet XML of a generated sheet (styles are added to ``styles`` as they are met); ``data_xml``: its
    data rows already rendered (:func:`data_rows_xml`, in a child process)."""
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
                       and isinstance(cell.value, str) and cell.value.startswith(FORMULA_START),
                       isinstance(cell.value, dt.date))
                style = looks.get(key)
                if style is None:
                    style = looks[key] = styles.xf(look_of(cell))
                tail = tails[id(cell)] = cell_tail(cell, style, date1904)
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
    if spec.data is not None and spec.data.values:
        width = max(width, len(spec.data.columns))
        if data_xml is None:
            data_xml = data_rows_xml(spec.data, len(spec.rows) + 1, data_looks(spec.data, styles), date1904)
        out.append(data_xml)
        formulas = [i for i, c in enumerate(spec.data.columns) if c.formula]
        if any(number_text(values[i]) is None for values in spec.data.values for i in formulas):
            result.uncached_formulas = True
    last_row = max(spec.height, 1)
    head = [f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_REL}">']
    props = (f'<tabColor rgb="FF{spec.tab_color}"/>' if spec.tab_color else "") + \
        ('<pageSetUpPr fitToPage="1"/>' if spec.fit_width else "")
    if props:
        head.append(f"<sheetPr>{props}</sheetPr>")
    head.append(f'<dimension ref="A1:{column_letter(max(width, 1))}{last_row}"/>')
    head.append(_sheet_view(spec.freeze))
    head.append('<sheetFormatPr defaultRowHeight="15"/>')
    if spec.widths:
        columns = sorted((split_ref(f"{letter}1")[0], w) for letter, w in spec.widths.items())
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
            r, c = split_ref(ref)[1], split_ref(ref)[0]
            link = spec.rows[r - 1][c - 1].link
            if link.startswith("#"):
                items.append(f'<hyperlink ref="{ref}" location="{attr(link[1:])}"/>')
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
    result.xml = XML_HEAD + body.encode("utf-8")
    return result


_TEXT_CACHE = 200_000
DataLooks = dict[tuple[int, str], str]


def data_looks(data: DataRows, styles: StyleBook) -> DataLooks:
    """The style attribute of each column of data rows, and of each currency of an amount column that reads its
    currency from another column: every look they need, registered in ``styles`` now (so that the rows can be
    rendered elsewhere, in a child process, with the same style numbers)."""
    found: DataLooks = {}
    for position, column in enumerate(data.columns):
        currencies = {column.currency} if column.currency_of < 0 else \
            {str(values[column.currency_of]) for values in data.values}
        for currency in currencies:
            index = styles.xf(look_of(Cell(style=column.style, currency=currency)))
            found[(position, currency)] = f' s="{index}"' if index else ""
    return found


def data_rows_xml(data: DataRows, first: int, looks: DataLooks, date1904: bool) -> str:
    """The ``<row>`` elements of plain data rows numbered from ``first``, each value's XML made inline without a
    Cell per value (a 200,000-row copy of a register in seconds); ``looks`` from :func:`data_looks`."""
    columns = data.columns
    letters = [column_letter(i) for i in range(1, len(columns) + 1)]
    plain = [looks[(i, c.currency)] if c.currency_of < 0 else "" for i, c in enumerate(columns)]
    texts: dict[str, str] = {}  # a text's XML: customer IDs, currencies, statuses repeat on every row
    days: dict[dt.date, str] = {}
    out: list[str] = []
    for n, values in enumerate(data.values, start=first):
        cells: list[str] = []
        for i, value in enumerate(values):
            if value is None or value == "":
                if plain[i]:
                    cells.append(f'<c r="{letters[i]}{n}"{plain[i]}/>')
                continue
            column = columns[i]
            s = plain[i] if column.currency_of < 0 else looks[(i, str(values[column.currency_of]))]
            if column.formula:
                formula = escape_text(column.formula.format(row=n).removeprefix("="))
                number = number_text(value)
                cells.append(f'<c r="{letters[i]}{n}"{s}><f>{formula}</f>'
                             + (f"<v>{number}</v></c>" if number is not None else "</c>"))
            elif type(value) is str:
                text = texts.get(value)
                if text is None:
                    text = inline(value)
                    if len(texts) < _TEXT_CACHE:
                        texts[value] = text
                cells.append(f'<c r="{letters[i]}{n}"{s} t="inlineStr">{text}</c>')
            elif isinstance(value, dt.date):
                day = days.get(value)
                if day is None:
                    day = days[value] = serial(value, date1904)
                cells.append(f'<c r="{letters[i]}{n}"{s}><v>{day}</v></c>')
            else:
                number = number_text(value)
                cells.append(f'<c r="{letters[i]}{n}"{s}><v>{number}</v></c>' if number is not None else
                             f'<c r="{letters[i]}{n}"{s} t="inlineStr">{inline(str(value))}</c>')
        out.append(f'<row r="{n}">{"".join(cells)}</row>')
    return "".join(out)


def _sheet_view(freeze: str) -> str:
    if not freeze:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    column, row = split_ref(freeze)
    x, y = column - 1, row - 1
    if not x and not y:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    pane = "bottomRight" if x and y else ("bottomLeft" if y else "topRight")
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<sheetViews><sheetView workbookViewId="0"><pane{split} topLeftCell="{freeze.upper()}" '
            f'activePane="{pane}" state="frozen"/><selection pane="{pane}" activeCell="{freeze.upper()}" '
            f'sqref="{freeze.upper()}"/></sheetView></sheetViews>')
