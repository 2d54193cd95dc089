"""The file host of the WorkbookPort: an .xlsx on disk.

Reading goes through python-calamine (Rust), about ten times faster than openpyxl on a big ledger, after
:func:`arxl.formats.xlsx.safety.inspect_xlsx` has checked the package against bombs and damage. Calamine reads an
Excel error cell (``#N/A``) as an empty string; a blank where the accountant sees ``#N/A`` would be a silent
lie, so the error cells are found in the sheet XML and laid back over the values.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import cast

from defusedxml import ElementTree
from python_calamine import CalamineError, CalamineWorkbook

from arxl.core.errors import BadWorkbook, CellRef
from arxl.formats.xlsx.safety import PackageInfo, inspect_xlsx
from arxl.ledger.port import RawTable
from arxl.ledger.records import header_key

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"[^>]*>')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_VALUE = re.compile(rb'(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]{1,20})</v>')
_HEADER_SCAN_ROWS = 30


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


class XlsxFile:
    """A billing workbook file, read-only. Writes go through :mod:`arxl.formats.xlsx.save`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.info: PackageInfo = inspect_xlsx(self.path)
        try:
            self._book = CalamineWorkbook.from_path(str(self.path))
        except (CalamineError, OSError, ValueError) as exc:
            raise BadWorkbook(f"cannot be read: {_first_line(exc)}", CellRef(self.name)) from None
        # Where each sheet's Excel Table is, from the table parts themselves: calamine's tables would each load
        # their cells (seconds on a big ledger) only to say where they are.
        try:
            self._tables = self._table_ranges()
        except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError):
            self._tables = {}

    @property
    def name(self) -> str:
        return self.path.name

    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def read_table(self, name: str, headers: Sequence[str]) -> RawTable | None:
        sheet_name = next((s for s in self.sheet_names() if s.casefold() == name.casefold()), None)
        if sheet_name is None:
            return None
        try:
            grid = cast(list[list[object]],
                        self._book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False))
        except (CalamineError, ValueError) as exc:
            raise BadWorkbook(f"cannot be read: {_first_line(exc)}", CellRef(self.name, sheet_name)) from None
        for (row, column), value in self._error_cells(sheet_name).items():
            if row - 1 < len(grid) and column - 1 < len(grid[row - 1]):
                grid[row - 1][column - 1] = value
        return self._cut_table(sheet_name, grid, headers)

    def _cut_table(self, sheet: str, grid: list[list[object]], headers: Sequence[str]) -> RawTable:
        if sheet in self._tables:
            (top, left), (bottom, right) = self._tables[sheet]
            # rows typed right under the table belong to it, as Excel's auto-expansion would have made them
            while bottom + 1 < len(grid) and any(v not in ("", None) for v in grid[bottom + 1][left:right + 1]):
                bottom += 1
        else:
            top, left = _find_header(grid, headers)
            bottom, right = len(grid) - 1, max((len(r) for r in grid), default=0) - 1
        header_cells = grid[top][left : right + 1] if top < len(grid) else []
        while header_cells and header_cells[-1] in ("", None):
            header_cells.pop()
        width = len(header_cells)
        rows: list[list[object]] = []
        numbers: list[int] = []
        for index in range(top + 1, min(bottom, len(grid) - 1) + 1):
            cells = grid[index][left : left + width]
            if cells.count("") + cells.count(None) < len(cells):  # not blank (list.count runs in C)
                if len(cells) < width:
                    cells = cells + [""] * (width - len(cells))
                rows.append(cells)
                numbers.append(index + 1)
        return RawTable(self.name, sheet, top + 1, left + 1, [_text(h) for h in header_cells], rows, numbers,
                        self.info.date1904)

    def _table_ranges(self) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:
        """Sheet -> ((header row, first column), (last data row, last column)), 0-based, of its first Table;
        as calamine gives them: the totals row (if any) left out."""
        found: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}
        if not self.info.table_parts:
            return found
        with zipfile.ZipFile(self.path) as package:
            names = set(package.namelist())
            workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            for element in workbook.iter(f"{_MAIN}sheet"):
                part = _part(targets.get(element.get(_REL), ""), "xl")
                folder, base = part.rsplit("/", 1) if "/" in part else ("", part)
                sheet_rels = f"{folder}/_rels/{base}.rels"
                if not part or sheet_rels not in names:
                    continue
                for rel in ElementTree.fromstring(package.read(sheet_rels)):
                    if not rel.get("Type", "").endswith("/table") or rel.get("TargetMode") == "External":
                        continue
                    table_part = _part(rel.get("Target", ""), folder)
                    if table_part not in names:
                        continue
                    table = ElementTree.fromstring(package.read(table_part))
                    area = _AREA.fullmatch(table.get("ref", "").replace("$", "").upper())
                    if area is None:
                        continue
                    header = int(table.get("headerRowCount", "1") or 1)
                    totals = int(table.get("totalsRowCount", "0") or 0)
                    top, bottom = int(area[2]) - 1, int(area[4]) - 1
                    left, right = _column_number(area[1]) - 1, _column_number(area[3]) - 1
                    first_data = top + header  # calamine's start: below the header
                    found.setdefault(str(element.get("name")), ((first_data - 1, left), (bottom - totals, right)))
        return found

    def _error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        part = self._sheet_part(sheet)
        if part is None or part not in self.info.error_parts:
            return {}
        with zipfile.ZipFile(self.path) as package:
            xml = package.read(part)
        found: dict[tuple[int, int], str] = {}
        for cell in _ERROR_CELL.finditer(xml):
            ref = _CELL_REF.search(cell.group(0))
            value = _ERROR_VALUE.match(xml, cell.end())
            if ref and value:
                found[(int(ref[2]), _column_number(ref[1].decode()))] = value[1].decode("ascii", "replace")
        return found

    def _sheet_part(self, sheet: str) -> str | None:
        with zipfile.ZipFile(self.path) as package:
            try:
                workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
                rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
            except (KeyError, ElementTree.ParseError):
                return None
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        for element in workbook.iter(f"{_MAIN}sheet"):
            if element.get("name") == sheet:
                target = targets.get(element.get(_REL), "")
                if not target:
                    return None
                path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                return path
        return None


_AREA = re.compile(r"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})")


def _part(target: str, folder: str) -> str:
    """A relationship's target as a part name, relative to the folder of the part that names it."""
    if not target:
        return ""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _find_header(grid: list[list[object]], headers: Sequence[str]) -> tuple[int, int]:
    """The header row is the first of the top rows naming most of the expected headers."""
    wanted = {header_key(h) for h in headers}
    best, best_row, best_col = 0, 0, 0
    for index, row in enumerate(grid[:_HEADER_SCAN_ROWS]):
        keys = [header_key(v) if isinstance(v, str) else "" for v in row]
        hits = sum(1 for k in keys if k in wanted)
        if hits > best:
            first = next(j for j, k in enumerate(keys) if k)
            best, best_row, best_col = hits, index, first
    return best_row, best_col


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
