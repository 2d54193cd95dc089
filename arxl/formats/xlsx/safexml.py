"""The XML parts of an untrusted workbook: no DTD in any prolog, the workbook part parsed safely, every part
a reader will parse read in full (so ZIP checks its CRC-32), the extent of each sheet, and the shared strings
streamed to refuse a string longer than Excel's own cell limit.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from arxl.core.errors import BadWorkbook
from arxl.formats.xlsx.limits import (
    CONTENT_TYPES_NS,
    DOCUMENT_RELATIONSHIPS,
    MB,
    RELATIONSHIPS_NS,
    ZIP_ERRORS,
    Limits,
    detail,
    mb,
    quoted,
    refuse,
)

_READ_CHUNK = 1 * MB
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d{1,9})"')
_WIDE_COLUMN = re.compile(rb'\br="([A-Z]{2,3})\d')  # beyond column Z: few in a ledger, so cheap to look for
_WIDE_CANDIDATE = re.compile(rb'r="([A-Z]{2,3})\d')  # the same without \b: a literal start, scanned ten times faster


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


def is_read_part(name: str) -> bool:
    """XML parts openpyxl or calamine may parse; customXml holds add-ins' data that neither reads."""
    folded = name.casefold()
    return folded.endswith((".xml", ".rels")) and not folded.startswith("customxml/")


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    return head.lstrip(b" \t\r\n").startswith(b"<")


def check_prolog(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, book: str, limits: Limits) -> None:
    """Refuse a DTD in any XML part; refuse a part that will be read if it does not even start as XML."""
    if entry.is_dir() or (entry.file_size == 0 and not is_read_part(entry.filename)):
        return
    try:
        with archive.open(entry) as stream:
            head = stream.read(limits.prolog_bytes)
    except ZIP_ERRORS as error:
        raise _unreadable(book, entry, error) from None
    must_be_xml = is_read_part(entry.filename)
    if not must_be_xml and not _looks_like_xml(head):
        return
    parser = _new_parser()
    parser.StartElementHandler = _raise(_RootReached)
    try:
        parser.Parse(head, len(head) >= entry.file_size)
    except _RootReached:
        return
    except _Doctype:
        raise refuse(
            book, f"part {quoted(entry.filename)} contains a DTD (XML entity bomb risk); refused"
        ) from None
    except expat.ExpatError as error:
        if must_be_xml:
            raise refuse(
                book, f"damaged: part {quoted(entry.filename)} is not valid XML ({expat_detail(error)})"
            ) from None
        return
    if must_be_xml:
        raise refuse(
            book,
            f"refused: part {quoted(entry.filename)} has no XML element"
            f" in its first {limits.prolog_bytes // 1024} KB",
        )


class Extent:
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


def read_whole(
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
    except ZIP_ERRORS as error:
        raise _unreadable(book, entry, error) from None
    return found


def _unreadable(book: str, entry: zipfile.ZipInfo, error: BaseException) -> BadWorkbook:
    if isinstance(error, zipfile.BadZipFile) and "CRC" in str(error):
        return refuse(book, f"damaged: part {quoted(entry.filename)} fails its checksum")
    return refuse(book, f"damaged: part {quoted(entry.filename)} cannot be read ({detail(error)})")


def parse_whole(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, book: str, limits: Limits) -> Element:
    if entry.file_size > limits.max_workbook_part_bytes:
        raise refuse(
            book,
            f"refused: part {quoted(entry.filename)} is {mb(entry.file_size)}"
            f" (limit {mb(limits.max_workbook_part_bytes)})",
        )
    chunks: list[bytes] = []
    read_whole(archive, entry, book, chunks.append)
    try:
        root: Element = parse_xml(b"".join(chunks), forbid_dtd=True)
    except DefusedXmlException:
        raise refuse(
            book, f"part {quoted(entry.filename)} contains a DTD (XML entity bomb risk); refused"
        ) from None
    except (ParseError, ValueError) as error:
        raise refuse(
            book, f"damaged: part {quoted(entry.filename)} is not valid XML ({detail(error)})"
        ) from None
    return root


def namespace_of(element: Element) -> str:
    return element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_list(workbook: Element, namespace: str) -> list[tuple[str, str]]:
    """(sheet name, relationship id) in the workbook's tab order."""
    relationship = f"{{{DOCUMENT_RELATIONSHIPS}}}id"
    return [
        (sheet.get("name", ""), sheet.get(relationship, ""))
        for sheet in workbook.iterfind(f"{{{namespace}}}sheets/{{{namespace}}}sheet")
    ]


def relationship_targets(relationships: Element) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name inside the package) of the workbook's internal relationships."""
    targets: dict[str, tuple[str, str]] = {}
    for relationship in relationships.iterfind(f"{{{RELATIONSHIPS_NS}}}Relationship"):
        if relationship.get("TargetMode", "").lower() == "external":
            continue
        target = relationship.get("Target", "")
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[relationship.get("Id", "")] = (relationship.get("Type", ""), part)
    return targets


def shared_strings_declared(content_types: Element) -> set[str]:
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


def check_shared_strings(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, book: str, limits: Limits
) -> None:
    counter = _SharedStringCounter(limits.max_string_chars)
    parser = _new_parser(namespaces=True)
    parser.buffer_text = True
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.CharacterDataHandler = counter.text
    part = quoted(entry.filename)

    def feed(chunk: bytes) -> None:
        parser.Parse(chunk, False)

    try:
        read_whole(archive, entry, book, feed)
        parser.Parse(b"", True)
    except _StringTooLong as error:
        raise refuse(
            book,
            f"shared string {error.index:,} in part {part} is longer than"
            f" {limits.max_string_chars:,} characters, Excel's limit for a cell"
            " (shared-strings amplification); refused",
        ) from None
    except _Doctype:
        raise refuse(book, f"part {part} contains a DTD (XML entity bomb risk); refused") from None
    except expat.ExpatError as error:
        raise refuse(book, f"damaged: part {part} is not valid XML ({expat_detail(error)})") from None


# -- wording -----------------------------------------------------------------------------------------------


def expat_detail(error: expat.ExpatError) -> str:
    return f"line {error.lineno}: {expat.ErrorString(error.code)}"

