"""Formulas saved with their results: the cached value ``<v>`` beside every formula arxl writes.

A formula cell of an .xlsx holds the formula and, optionally, the result it had when the file was saved.
Excel shows the formula's result after recalculating, but pandas, Power Query, python_calamine, mail and
SharePoint previews and an auditor's tools read the saved result and nothing else: a formula saved without
it reads as blank. arxl computes every figure it writes as a formula (the :class:`~arxl.ledger.changes.Cell`
of a generated sheet carries it as ``value``), so every route writes it:

- the fast route (:mod:`arxl.formats.xlsx.fastsheet`) writes ``<v>`` as it renders the sheet;
- openpyxl cannot write a formula's result (and drops every result it read), so the openpyxl route saves
  the workbook to memory and :func:`save_with_values` fills the empty ``<v>`` while the package is copied
  to the file (unchanged parts copied compressed, by the one ZIP writer): on the generated sheets it
  replaced, from their specs; on the sheets it did not write to, the result the workbook held before, for
  a formula unchanged that refers to nothing outside its own sheet (so that no result can be stale).

Numbers are written as numbers, text results with ``t="str"``, booleans with ``t="b"``; a formula whose
result arxl does not know (a user's own formula carried down a table) stays without one, and the workbook
keeps ``fullCalcOnLoad`` so that Excel recalculates everything when it opens the file.

>>> result_xml(3)
('', '3')
>>> result_xml("OK")
(' t="str"', 'OK')
>>> result_xml(None) is None
True
"""

from __future__ import annotations

import datetime as dt
import html
import io
import posixpath
import re
import zipfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from arxl.formats.xlsx.cells import escape_text, number_text, serial
from arxl.formats.xlsx.zipcopy import ZipCopier
from arxl.ledger.changes import SheetSpec
from arxl.ledger.port import column_letter

# A formula cell as openpyxl writes it: no type, the formula, an empty value.
_OPENPYXL_FORMULA = re.compile(r'<c r="([A-Z]{1,3}[0-9]{1,7})"((?:\s+(?!t=)[a-zA-Z:]+="[^"]*")*)>'
                               r'(<f(?:\s[^>]*)?>[^<]*</f>)(?:<v\s*/>|<v></v>)?</c>')
_SHEET = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_ID_FIRST = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*/>')
# A formula cell with its result, as any writer saves it: reference, type, formula, result.
_WITH_RESULT = re.compile(r'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)><f(?:\s[^>]*)?>([^<]*)</f><v>([^<]*)</v></c>')
_TYPE = re.compile(r'\st="(\w+)"')
_STRING = re.compile(r'"(?:[^"]|"")*"')
_NAME = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.]*(?![A-Za-z0-9_.(])")
_CELL = re.compile(r"(?<![A-Za-z0-9_.])\$?[A-Z]{1,3}\$?[0-9]{1,7}(?![A-Za-z0-9_.(])")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def result_xml(value: object, date1904: bool = False) -> tuple[str, str] | None:
    """The type attribute and the text of ``<v>`` for a formula's result, or None when there is none to write
    (unknown, or not a finite number)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ' t="b"', str(int(value))
    if isinstance(value, dt.date):
        return "", serial(value, date1904)
    number = number_text(value)
    if number is not None:
        return "", number
    if isinstance(value, str):
        return ' t="str"', escape_text(value)
    return None


def formula_results(spec: SheetSpec) -> dict[str, object]:
    """Cell reference -> the result arxl computed, for every formula cell of a generated sheet."""
    found: dict[str, object] = {}
    for r, row in enumerate(spec.every_row(), start=1):
        for c, cell in enumerate(row, start=1):
            if cell.formula and cell.value is not None:
                found[f"{column_letter(c)}{r}"] = cell.value
    return found


def fill_results(xml: str, results: Mapping[str, object], date1904: bool = False) -> str:
    """A worksheet part written by openpyxl, with the results of its formula cells as cached values."""
    if not results:
        return xml

    def one(match: re.Match[str]) -> str:
        written = result_xml(results.get(match.group(1)), date1904)
        if written is None:
            return match.group(0)
        kind, text = written
        return f'<c r="{match.group(1)}"{match.group(2)}{kind}>{match.group(3)}<v>{text}</v></c>'

    return _OPENPYXL_FORMULA.sub(one, xml)


def local(formula: str) -> bool:
    """Whether a formula refers to cells of its own sheet only: no other sheet, table or defined name (whose
    results cannot change unless its sheet does).

    >>> local("SUM($C$85:J85)"), local('IF(A1="x!",1,0)'), local("Rates!B2*2"), local("ROUND(A1,inv_decimals)")
    (True, True, False, False)
    """
    bare = _STRING.sub("", html.unescape(formula))
    if "!" in bare or "[" in bare:
        return False
    return all(name.upper() in ("TRUE", "FALSE") for name in _NAME.findall(_CELL.sub("", bare)))


def previous_results(xml: str) -> dict[str, tuple[str, str, str]]:
    """Cell -> (formula, type, result) of the formula cells of a worksheet part that hold a result (not an
    error), for formulas that refer to their own sheet only."""
    found: dict[str, tuple[str, str, str]] = {}
    for ref, attrs, formula, value in _WITH_RESULT.findall(xml):
        kind = _TYPE.search(attrs)
        text = html.unescape(formula)
        if (kind is None or kind.group(1) != "e") and local(text):
            found[ref] = (text, kind.group(1) if kind else "", value)
    return found


def restore_results(xml: str, previous: Mapping[str, tuple[str, str, str]]) -> str:
    """A worksheet part written by openpyxl, with the results its unchanged formulas had before."""

    def one(match: re.Match[str]) -> str:
        before = previous.get(match.group(1))
        formula = html.unescape(re.sub(r"^<f(?:\s[^>]*)?>|</f>$", "", match.group(3)))
        if before is None or before[0] != formula:
            return match.group(0)
        kind = f' t="{before[1]}"' if before[1] else ""
        return f'<c r="{match.group(1)}"{match.group(2)}{kind}>{match.group(3)}<v>{before[2]}</v></c>'

    return _OPENPYXL_FORMULA.sub(one, xml)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet part."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels: dict[str, str] = {}
    for element in _REL.findall(archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")):
        attrs = dict(_ATTR.findall(element))
        target = html.unescape(attrs.get("Target", ""))
        rels[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join("xl", target))
    pairs = [(name, rid) for name, rid in _SHEET.findall(workbook)]
    pairs += [(name, rid) for rid, name in _SHEET_ID_FIRST.findall(workbook)]
    return {html.unescape(name): rels[rid] for name, rid in pairs if rid in rels}


def copy_with_results(source: io.BytesIO, target: Path, specs: Sequence[SheetSpec], book: str,
                      before: Path | None = None, touched: Collection[str] = ()) -> set[str]:
    """Copy the package ``source`` (written by openpyxl) to ``target`` with its formulas' results: from the
    specs on their sheets, from the workbook ``before`` on the sheets not ``touched`` (names, any case) and
    not replaced. Returns the parts written anew."""
    written: set[str] = set()
    by_name = {spec.name: spec for spec in specs}
    skip = {name.casefold() for name in touched} | {name.casefold() for name in by_name}
    old_parts: dict[str, str] = {}
    old: zipfile.ZipFile | None = zipfile.ZipFile(before) if before is not None else None
    try:
        if old is not None:
            old_parts = {name.casefold(): part for name, part in _sheet_parts(old).items()}
        with zipfile.ZipFile(source) as archive:
            date1904 = b'date1904="1"' in archive.read("xl/workbook.xml")
            new: dict[str, bytes] = {}
            for name, part in _sheet_parts(archive).items():
                if name in by_name:
                    results = formula_results(by_name[name])
                    if results:
                        new[part] = fill_results(archive.read(part).decode("utf-8"), results, date1904).encode()
                elif old is not None and name.casefold() not in skip and name.casefold() in old_parts:
                    xml = archive.read(part).decode("utf-8")
                    if "<f" not in xml:
                        continue
                    previous = previous_results(old.read(old_parts[name.casefold()]).decode("utf-8"))
                    if previous:
                        new[part] = restore_results(xml, previous).encode("utf-8")
            source.seek(0)
            with open(target, "wb") as out:
                writer = ZipCopier(out, book)
                for info in archive.infolist():
                    if info.filename in new:
                        writer.add(info.filename, new[info.filename])
                        written.add(info.filename)
                    else:
                        writer.copy(source, info)
                writer.close()
    finally:
        if old is not None:
            old.close()
    return written


def save_with_values(book: Workbook, target: Path, specs: Sequence[SheetSpec], name: str,
                     before: Path | None = None, touched: Collection[str] = ()) -> None:
    """Save an openpyxl workbook to ``target`` with its formulas' results (:func:`copy_with_results`)."""
    buffer = io.BytesIO()
    book.save(buffer)
    copy_with_results(buffer, target, specs, name, before, touched)
