"""Check an untrusted .xlsx before any library parses it: refuse hostile files by limits, not by running out.

Bank exports and customer workbooks arrive by e-mail. An .xlsx is a ZIP of XML parts, and both layers can be
crafted: a ZIP bomb (a few kilobytes that unpack to gigabytes), an XML entity bomb (a DTD whose entities
expand a billion times), a shared string of a million characters copied into twelve thousand cells, two
entries with the same name (each reader picks a different one), a damaged part whose checksum no longer
matches. openpyxl and calamine would parse such a file until memory runs out or hand back whatever they
guessed. :func:`inspect_xlsx` looks at the package first, reading at most what its :class:`Limits` allow, and
refuses with a one-line reason an accountant can act on ("save it as an unprotected .xlsx").

What it checks, in order, so the most important reason wins:

1. the file: present, not empty, not too big, not an encrypted or legacy (OLE) file, really a ZIP;
2. the ZIP: entry count, directory size, entry names (no backslashes, ``..`` or absolute paths, no
   duplicates), declared sizes and compression ratios (the bomb checks use the directory, nothing is
   unpacked), no encrypted entries or exotic compression;
3. the package: it is a workbook (``xl/workbook.xml``), not a Word or OpenDocument file renamed;
4. every XML part: no DTD in its prolog (only the first 64 KB of each part are read);
5. the workbook part: Transitional SpreadsheetML (Strict Open XML is refused), its sheets and settings;
6. every part a reader will parse is read in full, so ZIP verifies its CRC-32 checksum, and the shared
   strings are streamed to refuse any string longer than Excel's own cell limit of 32,767 characters.

>>> inspect_xlsx(Path("no-such-file.xlsx"))
Traceback (most recent call last):
...
arxl.core.errors.BadWorkbook: [no-such-file.xlsx]: file not found
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from arxl.formats.xlsx.limits import (
    CONTENT_TYPES,
    DEFAULT_LIMITS,
    STRICT_MAIN,
    TRANSITIONAL_MAIN,
    WORKBOOK_PART,
    WORKBOOK_RELS,
    ZIP_ERRORS,
    Limits,
    detail,
    mb,
    natural,
    quoted,
    refuse,
)
from arxl.formats.xlsx.safexml import (
    Extent,
    check_prolog,
    check_shared_strings,
    is_read_part,
    local_name,
    namespace_of,
    parse_whole,
    read_whole,
    relationship_targets,
    shared_strings_declared,
    sheet_list,
)
from arxl.formats.xlsx.safezip import check_entries, directory_size, not_a_workbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TABLE_PART = re.compile(r"xl/tables/[^/]+\.xml", re.IGNORECASE)
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_ERROR_CELL_MARK = b't="e"'



@dataclass(frozen=True, slots=True)
class PackageInfo:
    """What the workbook part says, once the package is known to be safe to parse."""

    sheet_names: tuple[str, ...]
    date1904: bool  # dates count from 1904-01-01 (old Mac Excel), not 1899-12-30
    has_macros: bool
    table_parts: tuple[str, ...]  # xl/tables/*.xml: the Excel Tables (ListObjects)
    error_parts: frozenset[str] = frozenset()  # parts holding error cells (t="e"), which calamine reads as blank


def inspect_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> PackageInfo:
    """Check ``path`` as an untrusted .xlsx/.xlsm and describe it; raise :class:`BadWorkbook` to refuse it."""
    path = Path(path)
    book = path.name
    try:
        if path.is_dir():
            raise refuse(book, "this is a folder, not a workbook file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise refuse(book, "file not found") from None
    except OSError as error:
        raise refuse(book, f"cannot be opened ({error.strerror or 'access denied'})") from None
    if size == 0:
        raise refuse(book, "the file is empty (0 bytes): not a valid .xlsx")
    if size > limits.max_file_bytes:
        raise refuse(
            book, f"the file is {mb(size)}; workbooks over {mb(limits.max_file_bytes)} are refused"
        )
    try:
        with path.open("rb") as handle:
            return _inspect_file(handle, size, book, limits)
    except OSError as error:
        raise refuse(book, f"cannot be read ({error.strerror or 'input/output error'})") from None


def _inspect_file(handle: IO[bytes], size: int, book: str, limits: Limits) -> PackageInfo:
    head = handle.read(8)
    if head.startswith(OLE_MAGIC[:4]):
        raise refuse(
            book, "encrypted (password-protected) or legacy .xls workbook: save it as an unprotected .xlsx"
        )
    if not head.startswith(b"PK"):
        raise refuse(
            book, "not a valid .xlsx: the file is not a ZIP package (a CSV, HTML or text file renamed .xlsx?)"
        )
    directory_bytes = directory_size(handle, size)
    if directory_bytes is not None and directory_bytes > limits.max_directory_bytes:
        raise refuse(
            book,
            f"refused: its ZIP directory is {mb(directory_bytes)} (limit {mb(limits.max_directory_bytes)}),"
            " far more entries than a workbook has",
        )
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except ZIP_ERRORS as error:
        raise refuse(book, f"not a valid .xlsx (damaged ZIP: {detail(error)})") from None
    with archive:
        return _inspect_archive(archive, size, book, limits)


def _inspect_archive(archive: zipfile.ZipFile, size: int, book: str, limits: Limits) -> PackageInfo:
    entries = archive.infolist()
    check_entries(entries, size, book, limits)
    names = {entry.filename: entry for entry in entries}
    if WORKBOOK_PART not in names:
        raise refuse(book, not_a_workbook(names))
    for entry in entries:
        check_prolog(archive, entry, book, limits)
    workbook = parse_whole(archive, names[WORKBOOK_PART], book, limits)
    namespace = namespace_of(workbook)
    if namespace == STRICT_MAIN:
        raise refuse(book, "Strict Open XML is not supported: save as 'Excel Workbook (.xlsx)'")
    if namespace != TRANSITIONAL_MAIN or local_name(workbook.tag) != "workbook":
        raise refuse(book, f"damaged: {WORKBOOK_PART} is not an Excel workbook part")
    sheets = sheet_list(workbook, namespace)
    if not sheets:
        raise refuse(book, "damaged: the workbook lists no sheets")
    if WORKBOOK_RELS not in names:
        raise refuse(book, f"damaged: part {WORKBOOK_RELS} (where the sheets are found) is missing")
    targets = relationship_targets(parse_whole(archive, names[WORKBOOK_RELS], book, limits))
    for sheet_name, relationship_id in sheets:
        target = targets.get(relationship_id, ("", ""))[1]
        if target not in names:
            raise refuse(book, f"damaged: the part of sheet {quoted(sheet_name)} is missing")
    if CONTENT_TYPES not in names:
        raise refuse(book, f"damaged: part {CONTENT_TYPES} (the list of parts) is missing")
    content_types = parse_whole(archive, names[CONTENT_TYPES], book, limits)
    # Readers find the shared strings three ways (relationship, content type, fixed name): check them all.
    shared_strings = {t.casefold() for kind, t in targets.values() if kind.endswith("/sharedStrings")}
    shared_strings |= shared_strings_declared(content_types)
    shared_strings.add("xl/sharedstrings.xml")
    error_parts: set[str] = set()
    for entry in entries:
        if is_read_part(entry.filename):
            if entry.filename.casefold() in shared_strings:
                check_shared_strings(archive, entry, book, limits)
            elif _WORKSHEET_PART.fullmatch(entry.filename):
                # the checksum pass is also the one look at the sheet's bytes: note any error cells on the way
                extent = Extent()
                if read_whole(archive, entry, book, consume=extent.feed, find=_ERROR_CELL_MARK):
                    error_parts.add(entry.filename)
                if extent.cells > limits.max_sheet_cells:
                    raise refuse(book, f"refused: part {quoted(entry.filename)} spans {extent.columns:,} columns by "
                                  f"{extent.rows:,} rows (over {limits.max_sheet_cells:,} cells); delete the stray "
                                  "cells far from the data, or copy the data to a new workbook")
            else:
                read_whole(archive, entry, book, consume=None)
    properties = workbook.find(f"{{{namespace}}}workbookPr")
    date1904 = properties is not None and properties.get("date1904", "").strip().lower() in ("1", "true")
    return PackageInfo(
        sheet_names=tuple(name for name, _ in sheets),
        date1904=date1904,
        has_macros=any(posixpath.basename(name).casefold() == "vbaproject.bin" for name in names),
        table_parts=tuple(sorted((name for name in names if _TABLE_PART.fullmatch(name)), key=natural)),
        error_parts=frozenset(error_parts),
    )


# -- the ZIP layer: nothing is unpacked here ---------------------------------------------------------------
