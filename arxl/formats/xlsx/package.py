"""The package of the fast route: a workbook's parts, with generated sheets replaced or added.

- every part that does not change is copied as it is, compressed bytes and all (no inflate, no deflate), by
  the one ZIP writer (:mod:`arxl.formats.xlsx.zipcopy`), so the accountant's own sheets, tables, formats and
  pictures come through byte for byte;
- the generated sheet keeps its tab position and part name when it existed; its own parts (drawing, charts,
  table, links) are removed with it; a new sheet goes at the end;
- ``xl/calcChain.xml`` (Excel's list of formula cells) is dropped when present: a stale one makes Excel repair
  the file, and Excel rebuilds it on the next save.
"""

from __future__ import annotations

import contextlib
import html
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from arxl.core.background import Pending, in_background_each
from arxl.core.errors import BadWorkbook, CellRef
from arxl.formats.xlsx.cells import CT, DOC_REL, PARSER, PKG_REL, q
from arxl.formats.xlsx.charts import chart_xml, drawing_xml
from arxl.formats.xlsx.sheetxml import (
    DataLooks,
    absolute,
    data_looks,
    data_rows_xml,
    quote_sheet,
    stream_sheet_xml,
    table_xml,
)
from arxl.formats.xlsx.styles import StyleBook
from arxl.formats.xlsx.zipcopy import ZipCopier
from arxl.ledger.changes import DataRows, SheetSpec

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
        self.new: dict[str, bytes | Iterator[bytes]] = {}  # part -> content written anew (replacing or added);
        # a generated sheet's as pieces, made only as the package is written
        self.removed: set[str] = set()
        self._parsed: dict[str, Any] = {}

    def read(self, name: str) -> bytes:
        if name in self.new:
            data = self.new[name]
            if not isinstance(data, bytes):
                raise ValueError(f"part {name} is made as the package is written, and is not read before")
            return data
        try:
            data = self.zip.read(name)
        except KeyError:
            raise BadWorkbook(f"part {name} is missing from the package", CellRef(self.book)) from None
        if b"<!DOCTYPE" in data[:4096]:
            raise BadWorkbook(f"part {name} declares a DTD, which a workbook never needs", CellRef(self.book))
        return data

    def parsed(self, name: str) -> Any:
        if name not in self._parsed:
            self._parsed[name] = etree.fromstring(self.read(name), PARSER)
        return self._parsed[name]

    def exists(self, name: str) -> bool:
        return (name in self.present or name in self.new) and name not in self.removed

    def put(self, name: str, data: bytes | Iterator[bytes]) -> None:
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
        if workbook.tag != q("workbook"):
            raise BadWorkbook("is not a Transitional SpreadsheetML workbook (save it again as .xlsx from Excel)",
                              CellRef(package.book))
        props = workbook.find(q("workbookPr"))
        date1904 = props is not None and props.get("date1904", "0").lower() in ("1", "true")
        return cls(package, workbook, package.parsed("xl/_rels/workbook.xml.rels"),
                   package.parsed("[Content_Types].xml"), date1904)

    def sheets(self) -> list[Any]:
        found = self.workbook.find(q("sheets"))
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
        names = self.workbook.find(q("definedNames"))
        if names is None and create:
            names = etree.Element(q("definedNames"))
            anchor = None
            for tag in ("externalReferences", "functionGroups", "sheets"):
                anchor = self.workbook.find(q(tag))
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


def _put_sheet(book: _Book, spec: SheetSpec, styles: StyleBook, data_xml: str | None = None) -> bool:
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
        element = etree.SubElement(book.workbook.find(q("sheets")), q("sheet"))
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
            package.put(chart_part, chart_xml(chart, spec.name))
            book.set_type(chart_part, _CT_CHART)
            _add_rel(drawing_rels, _REL_CHART, _relative(drawing, chart_part), f"rId{number}")
        package.put(drawing, drawing_xml(spec.charts))
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
            package.put(table_part, table_xml(table, number, name, spec))
            book.set_type(table_part, _CT_TABLE)
            table_rids.append(_add_rel(rels, _REL_TABLE, _relative(part, table_part)))
    rendered, pieces = stream_sheet_xml(spec, styles, book.date1904, drawing_rid, table_rids, data_xml)
    for number, link in enumerate(rendered.links, start=1):
        _add_rel(rels, _REL_LINK, link, f"rIdL{number}", external=True)
    package.put(part, pieces)
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
            element = etree.SubElement(names, q("definedName"))
            element.set("name", name)
            element.set("localSheetId", str(position))
            if hidden:
                element.set("hidden", "1")
            element.text = f"{quote_sheet(spec.name)}!{absolute(area.upper())}"
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


BACKGROUND_ROWS = 50_000  # data rows from which blocks are rendered in a child process too
FLAT_ROWS = 250_000  # data rows above which a block is streamed here: the child hands back its XML whole


@contextlib.contextmanager
def _data_elsewhere(specs: Sequence[SheetSpec], styles: StyleBook, date1904: bool
                    ) -> Iterator[dict[int, Pending[str]]]:
    """Big blocks of data rows (copies of registers) shared with a child process, so that both cores work: a
    block goes to the child when the child would be done with what it has before this process reaches the
    block (the sheets before it, cells counted double: a Cell costs more than a data value). Their looks are
    registered here first, so both sides number the styles alike, and the rows reach the child through the
    fork, not pickled. A block above :data:`FLAT_ROWS` stays here, streamed into the compressor as it is made
    (the child's XML comes back whole, about 60 MB for 250,000 rows). Yields each shared sheet's index -> its
    pending XML; a child that fails gives None and the sheet is rendered here."""
    if sum(s.height for s in specs) < 2 * BACKGROUND_ROWS:
        yield {}
        return
    here = there = 0
    chosen: list[int] = []
    for i, spec in enumerate(specs):
        data = spec.data
        big = data is not None and BACKGROUND_ROWS <= len(data.values) <= FLAT_ROWS
        cost = 2 * sum(len(row) for row in spec.rows) + (len(data.values) * len(data.columns) if data else 0)
        if big and there < here:
            chosen.append(i)
            there += cost
        else:
            here += cost
    if not chosen:
        yield {}
        return
    _INHERITED[:] = [(data, len(specs[i].rows) + 1, data_looks(data, styles), date1904)
                     for i in chosen if (data := specs[i].data) is not None]
    try:
        with in_background_each(_render_inherited, [(n,) for n in range(len(chosen))]) as pending:
            yield dict(zip(chosen, pending, strict=True))
    finally:
        _INHERITED.clear()


_INHERITED: list[tuple[DataRows, int, DataLooks, bool]] = []


def _render_inherited(n: int) -> str:
    """In the forked child: the ``n``-th block of data rows its parent left in :data:`_INHERITED`, rendered."""
    return data_rows_xml(*_INHERITED[n])


def _add(writer: ZipCopier, name: str, data: bytes | Iterator[bytes]) -> None:
    if isinstance(data, bytes):
        writer.add(name, data)
    else:
        writer.add_stream(name, data)


def write_package(source: Path, target: Path, specs: Sequence[SheetSpec]) -> set[str]:
    """Write ``target``: the workbook ``source`` with the generated sheets of ``specs`` replaced or added.
    Returns the parts written anew (the others are copied unchanged, still compressed)."""
    with zipfile.ZipFile(source) as archive:
        package = _Package(archive, source.name)
        book = _Book.load(package)
        styles_part = _styles_part(book)
        styles = StyleBook(package.read(styles_part) if package.exists(styles_part) else None)
        uncached = False
        with _data_elsewhere(specs, styles, book.date1904) as shared:
            for i, spec in enumerate(specs):
                uncached |= _put_sheet(book, spec, styles, shared[i].result() if i in shared else None)
        _drop_calc_chain(book)
        if uncached:
            calc = book.workbook.find(q("calcPr"))
            if calc is None:
                calc = etree.Element(q("calcPr"))
                names = book.defined_names()
                (names if names is not None else book.workbook.find(q("sheets"))).addnext(calc)
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
                    _add(writer, name, package.new.pop(name))
                else:
                    writer.copy(raw, info)
            for name, data in package.new.items():
                _add(writer, name, data)
            writer.close()
    return written
