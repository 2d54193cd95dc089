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
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from arxl.core.errors import BadWorkbook, CellRef

MB = 1024 * 1024
TRANSITIONAL_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_READ_CHUNK = 1 * MB
_TABLE_PART = re.compile(r"xl/tables/[^/]+\.xml", re.IGNORECASE)
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_ERROR_CELL_MARK = b't="e"'
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d{1,9})"')
_WIDE_COLUMN = re.compile(rb'\br="([A-Z]{2,3})\d')  # beyond column Z: few in a ledger, so cheap to look for
_WIDE_CANDIDATE = re.compile(rb'r="([A-Z]{2,3})\d')  # the same without \b: a literal start, scanned ten times faster
_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# What zipfile and zlib raise on a damaged archive or entry (hostile input, not a bug of ours).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    IndexError,
    KeyError,
    OverflowError,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much an untrusted workbook may make us read. Generous for real ledgers, small for bombs."""

    max_file_bytes: int = 100 * MB
    max_unpacked_bytes: int = 300 * MB  # all entries together, as the ZIP directory declares them
    max_entries: int = 10_000
    max_directory_bytes: int = 8 * MB  # the ZIP's central directory (about 100 bytes an entry)
    max_ratio: int = 200  # unpacked : packed, for entries above ratio_checked_above
    ratio_checked_above: int = 1 * MB
    max_workbook_part_bytes: int = 20 * MB  # xl/workbook.xml and its relationships, parsed whole
    prolog_bytes: int = 64 * 1024  # read of each XML part to look for a DTD
    max_string_chars: int = 32_767  # Excel's limit for one cell's text
    max_sheet_cells: int = 25_000_000  # rows x columns of one sheet's extent: readers fill the whole rectangle


DEFAULT_LIMITS = Limits()


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
            raise _refuse(book, "this is a folder, not a workbook file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise _refuse(book, "file not found") from None
    except OSError as error:
        raise _refuse(book, f"cannot be opened ({error.strerror or 'access denied'})") from None
    if size == 0:
        raise _refuse(book, "the file is empty (0 bytes): not a valid .xlsx")
    if size > limits.max_file_bytes:
        raise _refuse(
            book, f"the file is {_mb(size)}; workbooks over {_mb(limits.max_file_bytes)} are refused"
        )
    try:
        with path.open("rb") as handle:
            return _inspect_file(handle, size, book, limits)
    except OSError as error:
        raise _refuse(book, f"cannot be read ({error.strerror or 'input/output error'})") from None


def _inspect_file(handle: IO[bytes], size: int, book: str, limits: Limits) -> PackageInfo:
    head = handle.read(8)
    if head.startswith(OLE_MAGIC[:4]):
        raise _refuse(
            book, "encrypted (password-protected) or legacy .xls workbook: save it as an unprotected .xlsx"
        )
    if not head.startswith(b"PK"):
        raise _refuse(
            book, "not a valid .xlsx: the file is not a ZIP package (a CSV, HTML or text file renamed .xlsx?)"
        )
    directory_bytes = _directory_size(handle, size)
    if directory_bytes is not None and directory_bytes > limits.max_directory_bytes:
        raise _refuse(
            book,
            f"refused: its ZIP directory is {_mb(directory_bytes)} (limit {_mb(limits.max_directory_bytes)}),"
            " far more entries than a workbook has",
        )
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except _ZIP_ERRORS as error:
        raise _refuse(book, f"not a valid .xlsx (damaged ZIP: {_detail(error)})") from None
    with archive:
        return _inspect_archive(archive, size, book, limits)


def _inspect_archive(archive: zipfile.ZipFile, size: int, book: str, limits: Limits) -> PackageInfo:
    entries = archive.infolist()
    _check_entries(entries, size, book, limits)
    names = {entry.filename: entry for entry in entries}
    if WORKBOOK_PART not in names:
        raise _refuse(book, _not_a_workbook(names))
    for entry in entries:
        _check_prolog(archive, entry, book, limits)
    workbook = _parse_whole(archive, names[WORKBOOK_PART], book, limits)
    namespace = _namespace(workbook)
    if namespace == STRICT_MAIN:
        raise _refuse(book, "Strict Open XML is not supported: save as 'Excel Workbook (.xlsx)'")
    if namespace != TRANSITIONAL_MAIN or _local(workbook.tag) != "workbook":
        raise _refuse(book, f"damaged: {WORKBOOK_PART} is not an Excel workbook part")
    sheets = _sheets(workbook, namespace)
    if not sheets:
        raise _refuse(book, "damaged: the workbook lists no sheets")
    if WORKBOOK_RELS not in names:
        raise _refuse(book, f"damaged: part {WORKBOOK_RELS} (where the sheets are found) is missing")
    targets = _relationship_targets(_parse_whole(archive, names[WORKBOOK_RELS], book, limits))
    for sheet_name, relationship_id in sheets:
        target = targets.get(relationship_id, ("", ""))[1]
        if target not in names:
            raise _refuse(book, f"damaged: the part of sheet {_quoted(sheet_name)} is missing")
    if CONTENT_TYPES not in names:
        raise _refuse(book, f"damaged: part {CONTENT_TYPES} (the list of parts) is missing")
    content_types = _parse_whole(archive, names[CONTENT_TYPES], book, limits)
    # Readers find the shared strings three ways (relationship, content type, fixed name): check them all.
    shared_strings = {t.casefold() for kind, t in targets.values() if kind.endswith("/sharedStrings")}
    shared_strings |= _shared_strings_declared(content_types)
    shared_strings.add("xl/sharedstrings.xml")
    error_parts: set[str] = set()
    for entry in entries:
        if _is_read_part(entry.filename):
            if entry.filename.casefold() in shared_strings:
                _check_shared_strings(archive, entry, book, limits)
            elif _WORKSHEET_PART.fullmatch(entry.filename):
                # the checksum pass is also the one look at the sheet's bytes: note any error cells on the way
                extent = _Extent()
                if _read_whole(archive, entry, book, consume=extent.feed, find=_ERROR_CELL_MARK):
                    error_parts.add(entry.filename)
                if extent.cells > limits.max_sheet_cells:
                    raise _refuse(book, f"refused: part {_quoted(entry.filename)} spans {extent.columns:,} columns by "
                                  f"{extent.rows:,} rows (over {limits.max_sheet_cells:,} cells); delete the stray "
                                  "cells far from the data, or copy the data to a new workbook")
            else:
                _read_whole(archive, entry, book, consume=None)
    properties = workbook.find(f"{{{namespace}}}workbookPr")
    date1904 = properties is not None and properties.get("date1904", "").strip().lower() in ("1", "true")
    return PackageInfo(
        sheet_names=tuple(name for name, _ in sheets),
        date1904=date1904,
        has_macros=any(posixpath.basename(name).casefold() == "vbaproject.bin" for name in names),
        table_parts=tuple(sorted((name for name in names if _TABLE_PART.fullmatch(name)), key=_natural)),
        error_parts=frozenset(error_parts),
    )


# -- the ZIP layer: nothing is unpacked here ---------------------------------------------------------------


def _directory_size(handle: IO[bytes], size: int) -> int | None:
    """Size of the ZIP central directory as its end record declares it, read before zipfile loads it all."""
    tail_length = min(size, 22 + 0xFFFF + 20)  # end record, longest comment, ZIP64 locator
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    (directory_bytes,) = struct.unpack_from("<I", tail, at + 12)
    if directory_bytes != 0xFFFFFFFF:
        return int(directory_bytes)
    locator = at - 20
    if locator < 0 or tail[locator : locator + 4] != _ZIP64_LOCATOR:
        return None
    (record_offset,) = struct.unpack_from("<Q", tail, locator + 8)
    if record_offset > size:
        return None
    handle.seek(record_offset)
    record = handle.read(56)
    if len(record) < 56 or not record.startswith(_ZIP64_EOCD):
        return None
    (directory_bytes,) = struct.unpack_from("<Q", record, 40)
    return int(directory_bytes)


def _check_entries(entries: list[zipfile.ZipInfo], size: int, book: str, limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise _refuse(book, f"refused: it holds {len(entries):,} ZIP entries (limit {limits.max_entries:,})")
    seen: dict[str, str] = {}
    unpacked = packed = 0
    for entry in entries:
        name = entry.filename
        problem = _bad_name(name)
        if problem:
            raise _refuse(book, f"refused: ZIP entry name {_quoted(name)} {problem}")
        key = name.casefold()
        if key in seen:
            if seen[key] == name:
                raise _refuse(
                    book,
                    f"refused: duplicate ZIP entries named {_quoted(name)} (which one is the content"
                    " is ambiguous)",
                )
            raise _refuse(
                book,
                f"refused: duplicate ZIP entries {_quoted(seen[key])} and {_quoted(name)}"
                " differ only in case",
            )
        seen[key] = name
        if entry.flag_bits & 0x1:
            raise _refuse(
                book,
                f"encrypted: ZIP entry {_quoted(name)} is password-protected;"
                " save it as an unprotected .xlsx",
            )
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(
                book,
                f"refused: ZIP entry {_quoted(name)} uses a compression method ({entry.compress_type})"
                " that Excel does not write",
            )
        unpacked += entry.file_size
        packed += entry.compress_size
        if entry.file_size > limits.ratio_checked_above and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            ratio = entry.file_size // max(entry.compress_size, 1)
            raise _refuse(
                book,
                f"looks like a ZIP bomb: entry {_quoted(name)} unpacks to {_mb(entry.file_size)} from"
                f" {_mb(entry.compress_size)} (ratio {ratio:,}:1, limit {limits.max_ratio}:1); refused",
            )
    if unpacked > limits.max_unpacked_bytes:
        raise _refuse(
            book,
            f"looks like a ZIP bomb: it unpacks to {_mb(unpacked)}"
            f" (limit {_mb(limits.max_unpacked_bytes)}); refused",
        )
    if packed > size:
        raise _refuse(
            book,
            "looks like a ZIP bomb: its entries overlap"
            f" ({_mb(packed)} of packed data in a {_mb(size)} file); refused",
        )


def _bad_name(name: str) -> str:
    if "\\" in name:
        return "uses backslashes; an .xlsx uses '/' (open it in Excel and save it again)"
    if name.startswith("/") or _DRIVE.match(name):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "points outside the package ('..')"
    if _CONTROL.search(name):
        return "contains control characters"
    return ""


def _not_a_workbook(names: dict[str, zipfile.ZipInfo]) -> str:
    folded = {name.casefold(): name for name in names}
    if WORKBOOK_PART in folded:
        return (
            f"not a readable Excel workbook: its workbook part is stored as {_quoted(folded[WORKBOOK_PART])}"
            f" instead of {WORKBOOK_PART} (open it in Excel and save it again)"
        )
    if "word/document.xml" in folded:
        return "not an Excel workbook: it is a Word document renamed .xlsx"
    if "ppt/presentation.xml" in folded:
        return "not an Excel workbook: it is a PowerPoint presentation renamed .xlsx"
    if "content.xml" in folded and "mimetype" in folded:
        return "not an Excel workbook: it is an OpenDocument file; save it as 'Excel Workbook (.xlsx)'"
    return f"not an Excel workbook: it has no {WORKBOOK_PART} part"


# -- the XML layer -----------------------------------------------------------------------------------------


class _Doctype(Exception):
    """A DTD in an XML part: the door to entity bombs and external entities."""


class _RootReached(Exception):
    """The prolog is over: a DTD can no longer appear."""


class _StringTooLong(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _raise(error: type[Exception]) -> Callable[..., None]:
    def handler(*_: Any) -> None:
        raise error()

    return handler


def _new_parser(namespaces: bool = False) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" " if namespaces else None)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _raise(_Doctype)
    parser.EntityDeclHandler = _raise(_Doctype)
    return parser


def _is_read_part(name: str) -> bool:
    """XML parts openpyxl or calamine may parse; customXml holds add-ins' data that neither reads."""
    folded = name.casefold()
    return folded.endswith((".xml", ".rels")) and not folded.startswith("customxml/")


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    return head.lstrip(b" \t\r\n").startswith(b"<")


def _check_prolog(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, book: str, limits: Limits) -> None:
    """Refuse a DTD in any XML part; refuse a part that will be read if it does not even start as XML."""
    if entry.is_dir() or (entry.file_size == 0 and not _is_read_part(entry.filename)):
        return
    try:
        with archive.open(entry) as stream:
            head = stream.read(limits.prolog_bytes)
    except _ZIP_ERRORS as error:
        raise _unreadable(book, entry, error) from None
    must_be_xml = _is_read_part(entry.filename)
    if not must_be_xml and not _looks_like_xml(head):
        return
    parser = _new_parser()
    parser.StartElementHandler = _raise(_RootReached)
    try:
        parser.Parse(head, len(head) >= entry.file_size)
    except _RootReached:
        return
    except _Doctype:
        raise _refuse(
            book, f"part {_quoted(entry.filename)} contains a DTD (XML entity bomb risk); refused"
        ) from None
    except expat.ExpatError as error:
        if must_be_xml:
            raise _refuse(
                book, f"damaged: part {_quoted(entry.filename)} is not valid XML ({_expat_detail(error)})"
            ) from None
        return
    if must_be_xml:
        raise _refuse(
            book,
            f"refused: part {_quoted(entry.filename)} has no XML element"
            f" in its first {limits.prolog_bytes // 1024} KB",
        )


class _Extent:
    """The rectangle a sheet's cells span, seen chunk by chunk: readers such as calamine allocate all of it, so
    one stray cell at XFD1048576 would ask for terabytes and abort the process instead of failing cleanly."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns = 26
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        window = self._tail + chunk
        # the first and the last row of the window (found without listing the rows between: a sheet of 200,000
        # rows would otherwise cost a second of regex work)
        first = _ROW_NUMBER.search(window)
        if first:
            last = _last_match(_ROW_NUMBER, window)
            self.rows = max(self.rows, int(first[1]), int(last[1]) if last else 0)
        # a pattern with a literal start is ten times faster; the exact one runs only when it may matter
        candidates = set(_WIDE_CANDIDATE.findall(window))
        if candidates and max(_column_number(c) for c in candidates) > self.columns:
            for letters in set(_WIDE_COLUMN.findall(window)):
                self.columns = max(self.columns, _column_number(letters))
        self._tail = window[-64:]

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _last_match(pattern: re.Pattern[bytes], window: bytes) -> re.Match[bytes] | None:
    """The last match in ``window``, looked for in a growing tail of it."""
    size = 4096
    while True:
        start = max(0, len(window) - size)
        matches = list(pattern.finditer(window, start))
        if matches or start == 0:
            return matches[-1] if matches else None
        size *= 16


def _read_whole(
    archive: zipfile.ZipFile,
    entry: zipfile.ZipInfo,
    book: str,
    consume: Callable[[bytes], None] | None,
    find: bytes = b"",
) -> bool:
    """Read a part to its end, so zipfile checks its CRC-32; hand each chunk to ``consume``.

    Returns whether ``find`` occurs in the part (across chunk boundaries too); False when it is empty.
    """
    found = False
    tail = b""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_READ_CHUNK):
                if consume is not None:
                    consume(chunk)
                if find and not found:
                    found = find in tail + chunk[: len(find)] or find in chunk
                    tail = chunk[-len(find) :]
    except _ZIP_ERRORS as error:
        raise _unreadable(book, entry, error) from None
    return found


def _unreadable(book: str, entry: zipfile.ZipInfo, error: BaseException) -> BadWorkbook:
    if isinstance(error, zipfile.BadZipFile) and "CRC" in str(error):
        return _refuse(book, f"damaged: part {_quoted(entry.filename)} fails its checksum")
    return _refuse(book, f"damaged: part {_quoted(entry.filename)} cannot be read ({_detail(error)})")


def _parse_whole(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, book: str, limits: Limits) -> Element:
    if entry.file_size > limits.max_workbook_part_bytes:
        raise _refuse(
            book,
            f"refused: part {_quoted(entry.filename)} is {_mb(entry.file_size)}"
            f" (limit {_mb(limits.max_workbook_part_bytes)})",
        )
    chunks: list[bytes] = []
    _read_whole(archive, entry, book, chunks.append)
    try:
        root: Element = parse_xml(b"".join(chunks), forbid_dtd=True)
    except DefusedXmlException:
        raise _refuse(
            book, f"part {_quoted(entry.filename)} contains a DTD (XML entity bomb risk); refused"
        ) from None
    except (ParseError, ValueError) as error:
        raise _refuse(
            book, f"damaged: part {_quoted(entry.filename)} is not valid XML ({_detail(error)})"
        ) from None
    return root


def _namespace(element: Element) -> str:
    return element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheets(workbook: Element, namespace: str) -> list[tuple[str, str]]:
    """(sheet name, relationship id) in the workbook's tab order."""
    relationship = f"{{{DOCUMENT_RELATIONSHIPS}}}id"
    return [
        (sheet.get("name", ""), sheet.get(relationship, ""))
        for sheet in workbook.iterfind(f"{{{namespace}}}sheets/{{{namespace}}}sheet")
    ]


def _relationship_targets(relationships: Element) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name inside the package) of the workbook's internal relationships."""
    targets: dict[str, tuple[str, str]] = {}
    for relationship in relationships.iterfind(f"{{{RELATIONSHIPS_NS}}}Relationship"):
        if relationship.get("TargetMode", "").lower() == "external":
            continue
        target = relationship.get("Target", "")
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[relationship.get("Id", "")] = (relationship.get("Type", ""), part)
    return targets


def _shared_strings_declared(content_types: Element) -> set[str]:
    return {
        override.get("PartName", "").lstrip("/").casefold()
        for override in content_types.iterfind(f"{{{CONTENT_TYPES_NS}}}Override")
        if override.get("ContentType", "").endswith(".sharedStrings+xml")
    }


class _SharedStringCounter:
    """Expat handlers that count each shared string's characters and stop as soon as one is too long.

    Rich text is several ``<r><t>`` runs in one ``<si>``: they add up. Phonetic guides (``<rPh>``) are not
    the cell's text and do not count.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.index = 0
        self.length = 0
        self.in_text = False
        self.phonetic_depth = 0

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            self.index += 1
            self.length = 0
        elif local == "rPh":
            self.phonetic_depth += 1
        elif local == "t" and not self.phonetic_depth:
            self.in_text = True

    def end(self, name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "rPh":
            self.phonetic_depth -= 1
        elif local == "t":
            self.in_text = False

    def text(self, data: str) -> None:
        if self.in_text:
            self.length += len(data)
            if self.length > self.limit:
                raise _StringTooLong(self.index)


def _check_shared_strings(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, book: str, limits: Limits
) -> None:
    counter = _SharedStringCounter(limits.max_string_chars)
    parser = _new_parser(namespaces=True)
    parser.buffer_text = True
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.CharacterDataHandler = counter.text
    part = _quoted(entry.filename)

    def feed(chunk: bytes) -> None:
        parser.Parse(chunk, False)

    try:
        _read_whole(archive, entry, book, feed)
        parser.Parse(b"", True)
    except _StringTooLong as error:
        raise _refuse(
            book,
            f"shared string {error.index:,} in part {part} is longer than"
            f" {limits.max_string_chars:,} characters, Excel's limit for a cell"
            " (shared-strings amplification); refused",
        ) from None
    except _Doctype:
        raise _refuse(book, f"part {part} contains a DTD (XML entity bomb risk); refused") from None
    except expat.ExpatError as error:
        raise _refuse(book, f"damaged: part {part} is not valid XML ({_expat_detail(error)})") from None


# -- wording -----------------------------------------------------------------------------------------------


def _refuse(book: str, reason: str) -> BadWorkbook:
    return BadWorkbook(" ".join(reason.split()), CellRef(book))


def _quoted(name: str) -> str:
    shown = _CONTROL.sub("?", name)
    return f"'{shown[:117]}...'" if len(shown) > 120 else f"'{shown}'"


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB // 10 else f"{size / 1024:,.1f} KB"


def _detail(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "unreadable"
    return text[:120]


def _expat_detail(error: expat.ExpatError) -> str:
    return f"line {error.lineno}: {expat.ErrorString(error.code)}"


def _natural(name: str) -> list[int | str]:
    """Sort key putting table10 after table9."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.casefold())]
