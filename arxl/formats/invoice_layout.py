"""Loading an invoice template: its defined names checked and placed, its sheet cut into a program.

:class:`TemplateLayout` finds every place the template fills through its workbook-level defined names (never
coordinates), refuses a template whose names are missing, misplaced, overlapping or inside merged cells
(:class:`TemplateError`), asks Excel to recalculate on open, and cuts the sheet XML into static text and
slots once, so that filling an invoice is string joins (:class:`arxl.formats.invoice_doc.InvoiceTemplate`).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import textwrap
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from arxl.core.errors import ArxlError, BadValue, CellRef
from arxl.core.money import CURRENCIES
from arxl.formats.invoice_cells import (
    _CELL,
    _DOC_RELS,
    _FORMULA_START,
    _MARK,
    _REF,
    AMOUNTS,
    BLOCKS,
    HEAD,
    LINE,
    MAX_TEXT,
    VAT,
    Kind,
    Value,
    _column,
    _escape,
    _letters,
    _parse,
    _Place,
    _q,
    _Row,
    _serialize,
    _Slot,
    with_decimals,
    xml_number,
    xml_text,
)


class TemplateError(ArxlError):
    """The invoice template cannot be used as it is (a name missing or misplaced, a formula gone)."""

    default = "the invoice template cannot be used"


class TemplateLayout:
    """What loading a template finds: its defined names and blocks, where each one is, and the sheet XML cut
    into a program of static text and slots that :meth:`InvoiceTemplate.render` fills per invoice."""

    path: Path
    places: dict[str, _Place]
    sheet_name: str
    line_first: int
    line_capacity: int
    vat_first: int
    vat_capacity: int
    _cells: dict[tuple[int, int], tuple[str, str, int]]
    _date1904: bool


    def _layout(self) -> dict[tuple[int, int], tuple[str, str, int]]:
        """Every cell arxl fills: (row, column) -> (group, name, row of the block)."""
        line_rows = range(self.line_first, self.line_first + self.line_capacity)
        vat_rows = range(self.vat_first, self.vat_first + self.vat_capacity)
        if set(line_rows) & set(vat_rows):
            raise self._error("blocks inv_lines and inv_vat share rows: give each block rows of its own")
        cells: dict[tuple[int, int], tuple[str, str, int]] = {}

        def claim(cell: tuple[int, int], slot: tuple[str, str, int]) -> None:
            taken = cells.setdefault(cell, slot)
            if taken[1] != slot[1]:
                raise self._error(f"names {taken[1]} and {slot[1]} point at the same cell "
                                  f"{_letters(cell[1])}{cell[0]}")

        for name in HEAD:
            if name in self.places:
                row = self.places[name].first[0]
                block = "inv_lines" if row in line_rows else "inv_vat" if row in vat_rows else ""
                if block:
                    raise self._error(f"name {name} ({self.places[name].ref()}) is on a row of the block {block}, "
                                      "whose rows are hidden when no line uses them: move it off those rows")
                claim(self.places[name].first, ("head", name, 0))
        for group, table, rows in (("line", LINE, line_rows), ("vat", VAT, vat_rows)):
            for name in table:
                if name in self.places:
                    column = self.places[name].first[1]
                    for i, row in enumerate(rows):
                        claim((row, column), (group, name, i))
        return cells

    @staticmethod
    def _recalculate_on_open(workbook: Any, parts: dict[str, bytes]) -> None:
        """Excel recalculates the workbook when it opens it; a stale calculation chain is dropped."""
        calc = workbook.find(_q("calcPr"))
        if calc is None:
            calc = etree.SubElement(workbook, _q("calcPr"))
            after = [c for c in workbook if etree.QName(c).localname in
                     ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                      "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")]
            if after:
                after[0].addprevious(calc)
        calc.set("fullCalcOnLoad", "1")
        parts["xl/workbook.xml"] = _serialize(workbook)
        if "xl/calcChain.xml" in parts:
            del parts["xl/calcChain.xml"]
            parts["[Content_Types].xml"] = re.sub(rb'<Override[^>]*PartName="/xl/calcChain.xml"[^>]*/>', b"",
                                                  parts["[Content_Types].xml"])
            rels = _parse(parts["xl/_rels/workbook.xml.rels"])
            for rel in list(rels):
                if rel.get("Target", "").endswith("calcChain.xml"):
                    rels.remove(rel)
            parts["xl/_rels/workbook.xml.rels"] = _serialize(rels)
    # -- loading ---------------------------------------------------------------------------------------------

    def _error(self, message: str) -> TemplateError:
        return TemplateError(f"invoice template {message}", CellRef(self.path.name))

    def _defined_names(self, workbook: Any) -> dict[str, _Place]:
        known = set(HEAD) | set(LINE) | set(VAT) | set(BLOCKS)
        places: dict[str, _Place] = {}
        names = workbook.find(_q("definedNames"))
        items = list(names) if names is not None else []
        # A name scoped to the sheet serves too, unless the workbook also has it (that one wins).
        items.sort(key=lambda item: item.get("localSheetId") is None)
        for item in items:
            name = (item.get("name") or "").lower()
            if name not in known:
                continue
            text = (item.text or "").strip()
            match = _REF.match(text)
            if not match:
                raise self._error(f"name {name} points at {text or 'nothing'}, not at cells of the invoice "
                                  "sheet (were its cells deleted?)")
            sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
            first = (int(match.group(4)), _column(match.group(3)))
            last = (int(match.group(6)), _column(match.group(5))) if match.group(5) else first
            places[name] = _Place(sheet, first, last)
            if name not in BLOCKS and last != first:
                raise self._error(f"name {name} points at the range {places[name].ref()}; it must be one cell")
        return places

    def _sheet_part(self, workbook: Any, parts: dict[str, bytes]) -> str:
        rels = _parse(parts["xl/_rels/workbook.xml.rels"])
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        for sheet in workbook.iterfind(f"{_q('sheets')}/{_q('sheet')}"):
            if sheet.get("name") == self.sheet_name:
                target = targets.get(sheet.get(f"{{{_DOC_RELS}}}id"), "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                part = os.path.normpath(part).replace(os.sep, "/")
                if part in parts:
                    return part
        raise self._error(f"has no worksheet {self.sheet_name}, which its names point at")

    def _block(self, block: str, table: Mapping[str, tuple[Kind, bool]]) -> tuple[int, int]:
        place = self.places[block]
        first, last = place.first[0], place.last[0]
        for name in table:
            if name in self.places and self.places[name].first[0] != first:
                raise self._error(f"name {name} ({self.places[name].ref()}) is not on the first row of the block "
                                  f"{block} ({place.ref()}): put each column's name on that row")
        return first, last - first + 1

    def _check_merges(self, sheet: Any) -> None:
        for merge in sheet.iterfind(f"{_q('mergeCells')}/{_q('mergeCell')}"):
            ref = merge.get("ref", "")
            corners = [_CELL.match(part) for part in ref.split(":")]
            if len(corners) != 2 or not all(corners):
                continue
            (a, b) = corners
            assert a is not None and b is not None
            r1, c1, r2, c2 = int(a.group(2)), _column(a.group(1)), int(b.group(2)), _column(b.group(1))
            for (row, column), (_, name, _) in self._cells.items():
                if r1 <= row <= r2 and c1 <= column <= c2 and (row, column) != (r1, c1):
                    raise self._error(f"name {name} points at {_letters(column)}{row}, inside the merged cells "
                                      f"{ref}: point it at {_letters(c1)}{r1}")

    def _splice(self, sheet: Any, styles: Any) -> dict[tuple[str, int], int]:
        """Cut the sheet XML into static text and slots; return the cell formats the slots need copies of:
        amount cells get their own (their number format follows the currency), and text cells a twin marked
        "quote prefix" for text Excel would otherwise turn into a formula when the cell is edited."""
        data = sheet.find(_q("sheetData"))
        rows: dict[int, Any] = {}
        number = 0
        for row in data.iterfind(_q("row")):
            number = int(row.get("r") or number + 1)
            row.set("r", str(number))
            rows[number] = row
            column = 0
            for cell in row.iterfind(_q("c")):
                match = _CELL.match(cell.get("r") or "")
                column = _column(match.group(1)) if match else column + 1
                cell.set("r", f"{_letters(column)}{number}")
                formula = cell.find(_q("f"))
                if formula is not None:  # a cached result of the template's own sample is stale
                    for value in cell.findall(_q("v")):
                        cell.remove(value)
                    cell.attrib.pop("t", None)

        def row_at(number: int) -> Any:
            if number not in rows:
                row = etree.Element(_q("row"), r=str(number))
                later = [r for n, r in rows.items() if n > number]
                if later:
                    min(later, key=lambda r: int(r.get("r"))).addprevious(row)
                else:
                    data.append(row)
                rows[number] = row
            return rows[number]

        def cell_at(number: int, column: int) -> Any:
            row = row_at(number)
            ref = f"{_letters(column)}{number}"
            for cell in row.iterfind(_q("c")):
                at = _column(_CELL.match(cell.get("r")).group(1))  # type: ignore[union-attr]
                if at == column:
                    return cell
                if at > column:
                    new = etree.Element(_q("c"), r=ref)
                    cell.addprevious(new)
                    return new
            return etree.SubElement(row, _q("c"), r=ref)

        style_count = len(styles.find(_q("cellXfs")).findall(_q("xf")))
        new_styles: dict[tuple[str, int], int] = {}  # ("amount" | "quote", template style) -> its copy

        def copy_of(kind: str, style: int) -> int:
            return new_styles.setdefault((kind, style), style_count + len(new_styles))

        self._wrap = self._wrap_metrics(sheet, styles, cell_at)
        self._line_heights: list[str] = []  # each line row's height attributes in the template
        self._slots: list[_Slot] = []
        kinds = {**HEAD, **LINE, **VAT}
        for (number, column), (group, key, index) in sorted(self._cells.items()):
            cell = cell_at(number, column)
            kind = kinds[key][0]
            formula = cell.find(_q("f"))
            if kind == "formula" and formula is None:
                raise self._error(f"cell {_letters(column)}{number} ({key}) holds no formula: arxl needs the "
                                  "template's live formula there")
            style = int(cell.get("s") or 0)
            if key in AMOUNTS:
                style = copy_of("amount", style)
            ref = f'<c r="{_letters(column)}{number}"'
            prefix = ref + (f' s="{style}"' if style else "")
            quoted, text = "", ""
            if kind == "text":
                quoted = f'{ref} s="{copy_of("quote", style)}"'
            if kind == "formula":
                attributes = "".join(f' {k}="{_escape(v, True)}"' for k, v in formula.attrib.items())
                text = f"<f{attributes}>{_escape(formula.text or '')}</f>"
            self._slots.append(_Slot(group, key, index, prefix, text, quoted))  # type: ignore[arg-type]
            comment = etree.Comment(f"ARXL:{len(self._slots) - 1}")
            cell.getparent().replace(cell, comment)
        for group, first, capacity in (("row_line", self.line_first, self.line_capacity),
                                       ("row_vat", self.vat_first, self.vat_capacity)):
            for i in range(capacity):
                row = row_at(first + i)
                row.attrib.pop("hidden", None)
                if group == "row_line":  # its height is the invoice's: a long description wraps
                    height = "".join(f' {k}="{_escape(row.attrib.pop(k), True)}"' for k in ("ht", "customHeight")
                                     if k in row.attrib)
                    self._line_heights.append(height)
                row.set("arxlrow", str(len(self._slots)))
                self._slots.append(_Slot(group, "", i, "", "", ""))  # type: ignore[arg-type]

        used = [(n, _column(_CELL.match(c.get("r")).group(1)))  # type: ignore[union-attr]
                for n, row in rows.items() for c in row.iterfind(_q("c"))] + list(self._cells)
        dimension = sheet.find(_q("dimension"))
        if dimension is not None and used:
            top, bottom = min(r for r, _ in used), max(r for r, _ in used)
            left, right = min(c for _, c in used), max(c for _, c in used)
            dimension.set("ref", f"{_letters(left)}{top}:{_letters(right)}{bottom}")
        text = _serialize(sheet).decode("utf-8")
        pieces = _MARK.split(text)
        # split gives [static, comment-group, row-group, static, ...]
        order = [int(a or b) for a, b in zip(pieces[1::3], pieces[2::3], strict=True)]
        if sorted(order) != list(range(len(self._slots))):
            raise self._error("could not be prepared (its sheet holds text that looks like arxl's markers)")
        self._program = self._compile(pieces[0::3], [self._slots[i] for i in order])
        return new_styles

    def _wrap_metrics(self, sheet: Any, styles: Any, cell_at: Callable[[int, int], Any]
                      ) -> tuple[int, float, float] | None:
        """How the description column wraps: (characters a line holds, at the least; points a line of text
        takes; the row's height in the template), or None when it does not wrap.

        Neither Excel nor LibreOffice fits a row's height to wrapped text when it opens an .xlsx, so a long
        description ("... (prorated 18/31 days)") would run over the next line: arxl sets the height itself.
        """
        if "line_description" not in self.places:  # pragma: no cover - a required name
            return None
        row_number, column = self.places["line_description"].first
        cell = cell_at(row_number, column)
        xfs = styles.find(_q("cellXfs")).findall(_q("xf"))
        xf = xfs[int(cell.get("s") or 0)] if int(cell.get("s") or 0) < len(xfs) else None
        alignment = xf.find(_q("alignment")) if xf is not None else None
        if alignment is None or alignment.get("wrapText") not in ("1", "true"):
            return None
        fonts = styles.find(_q("fonts")).findall(_q("font"))
        font = fonts[int(xf.get("fontId") or 0)] if xf is not None and int(xf.get("fontId") or 0) < len(fonts) \
            else None
        size_node = font.find(_q("sz")) if font is not None else None
        size = float(size_node.get("val")) if size_node is not None else 11.0
        width = None
        for col in sheet.iterfind(f"{_q('cols')}/{_q('col')}"):
            if int(col.get("min") or 0) <= column <= int(col.get("max") or 0) and col.get("width"):
                width = float(col.get("width"))
        form = sheet.find(_q("sheetFormatPr"))
        if width is None:
            width = float(form.get("defaultColWidth") or 8.43) if form is not None else 8.43
        row = cell.getparent()
        base = float(row.get("ht") or (form.get("defaultRowHeight") if form is not None else None) or 15)
        # A column's width counts digits of the default font (11 pt); an average character of text is narrower
        # than a digit, so 1.3 characters a unit at 9 pt (48 fit in 35 units) errs towards a row a little too tall.
        return max(1, int(width * 1.3 * 9 / size)), size * 1.3, base

    def _height(self, index: int, description: Value) -> str:
        """The height attributes of the ``index``-th line row for ``description``: the template's, or taller."""
        if self._wrap is None or not isinstance(description, str):
            return self._line_heights[index]
        per_line, points, base = self._wrap
        count = sum(len(textwrap.wrap(part, per_line)) or 1 for part in description.splitlines() or [""])
        if count <= 1:
            return self._line_heights[index]
        return f' ht="{max(base, round(count * points + 3, 1))}" customHeight="1"'

    def _compile(self, static: list[str], order: list[_Slot]) -> list[str | _Slot | _Row]:
        """Static text, head cells and whole block rows, in sheet order; a row unused by an invoice is one
        precomputed string (hidden, its cells empty)."""
        program: list[str | _Slot | _Row] = [static[0]]
        j = 0
        while j < len(order):
            slot = order[j]
            if slot.group in ("line", "vat"):  # pragma: no cover - cells of a block row follow its marker
                raise self._error("could not be prepared (a block cell outside its row)")
            if slot.group == "head":
                program += [slot, static[j + 1]]
                j += 1
                continue
            block: Literal["line", "vat"] = "line" if slot.group == "row_line" else "vat"
            parts: list[str | _Slot] = [static[j + 1]]
            k = j + 1
            while k < len(order) and order[k].group == block and order[k].index == slot.index:
                parts += [order[k], static[k + 1]]
                k += 1
            height = self._line_heights[slot.index] if block == "line" else ""
            hidden = ' hidden="1"' + height + "".join(p if isinstance(p, str) else self._cell_xml(p, None)
                                                      for p in parts)
            program.append(_Row(block, slot.index, tuple(parts), hidden))
            j = k
        return program

    def _style_variants(self, styles: Any, new_styles: dict[tuple[str, int], int]) -> dict[int, Any]:
        """styles.xml once per number of decimals, amount cells' copies formatted with that many."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE

        xfs = styles.find(_q("cellXfs"))
        originals = xfs.findall(_q("xf"))
        for kind, style in sorted(new_styles, key=new_styles.__getitem__):
            twin = copy.deepcopy(originals[style] if style < len(originals) else originals[0])
            if kind == "quote":
                twin.set("quotePrefix", "1")
            xfs.append(twin)
        xfs.set("count", str(len(xfs.findall(_q("xf")))))
        formats = styles.find(_q("numFmts"))
        if formats is None:
            formats = etree.Element(_q("numFmts"))
            styles.insert(0, formats)
        codes = {int(f.get("numFmtId")): f.get("formatCode", "") for f in formats.iterfind(_q("numFmt"))}
        variants: dict[int, Any] = {}
        for places in sorted({c.exponent for c in CURRENCIES.values()}):
            root = copy.deepcopy(styles)
            root_formats = root.find(_q("numFmts"))
            known = dict(codes)
            copies = root.find(_q("cellXfs")).findall(_q("xf"))
            for index in (i for (kind, _), i in new_styles.items() if kind == "amount"):
                xf = copies[index]
                old_id = int(xf.get("numFmtId") or 0)
                code = with_decimals(known.get(old_id, BUILTIN_FORMATS.get(old_id, "General")), places)
                new_id = next((i for i, c in known.items() if c == code), None)
                if new_id is None:
                    new_id = BUILTIN_FORMATS_REVERSE.get(code)
                if new_id is None:
                    new_id = max([163, *known]) + 1
                    known[new_id] = code
                    etree.SubElement(root_formats, _q("numFmt"), numFmtId=str(new_id), formatCode=code)
                xf.set("numFmtId", str(new_id))
                xf.set("applyNumberFormat", "1")
            root_formats.set("count", str(len(root_formats)))
            variants[places] = root
        return variants

    # -- filling ---------------------------------------------------------------------------------------------

    def _cell_xml(self, slot: _Slot, value: Value) -> str:
        if slot.formula:
            if value is None and _blank_guarded(slot):  # a row the invoice leaves empty: the formula gives ""
                return f'{slot.prefix} t="str">{slot.formula}<v></v></c>'
            if value is None or isinstance(value, str):
                return f"{slot.prefix}>{slot.formula}</c>"
            return f"{slot.prefix}>{slot.formula}<v>{self._number(value)}</v></c>"
        if value is None or value == "":
            return f"{slot.prefix}/>"
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise BadValue(f"{slot.key}: text of {len(value):,} characters is longer than a cell holds "
                               f"({MAX_TEXT:,})")
            prefix = slot.quoted if value[0] in _FORMULA_START else slot.prefix
            return f'{prefix} t="inlineStr"><is><t xml:space="preserve">{xml_text(value)}</t></is></c>'
        return f"{slot.prefix}><v>{self._number(value)}</v></c>"

    def _number(self, value: Decimal | int | dt.date) -> str:
        if isinstance(value, dt.date):
            epoch = dt.date(1904, 1, 1) if self._date1904 else dt.date(1899, 12, 30)
            return str((value - epoch).days)
        return xml_number(value)


_GUARD = re.compile(r'<f[^>]*>IF\(\$?[A-Z]{1,3}\$?(\d+)=(?:"|&quot;){2},(?:"|&quot;){2},')
_ROW = re.compile(r'\br="[A-Z]{1,3}(\d+)"')


def _blank_guarded(slot: _Slot) -> bool:
    """True for a formula ``IF(<a cell of its own row>="","",...)``: in a row that the invoice leaves empty its
    result is the empty text, which is written as its cached value (so a reader that does not recalculate sees
    what Excel shows). Any other formula of an empty row is left for Excel to compute."""
    guard, row = _GUARD.match(slot.formula), _ROW.search(slot.prefix)
    return bool(guard and row and guard.group(1) == row.group(1))
