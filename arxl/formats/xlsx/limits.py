"""What an untrusted workbook may make arxl read (:class:`Limits`), the names of the parts checked, and the
wording of a refusal: shared by the checks of the ZIP layer (:mod:`~arxl.formats.xlsx.safezip`), of the XML
parts (:mod:`~arxl.formats.xlsx.safexml`) and the whole of :func:`arxl.formats.xlsx.safety.inspect_xlsx`.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

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
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# What zipfile and zlib raise on a damaged archive or entry (hostile input, not a bug of ours).
ZIP_ERRORS = (
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
    max_unpacked_bytes: int = 300 * MB  # all entries together, as the ZIP directory declares them, at any ratio
    # Above that, up to max_unpacked_hard, when the whole package is packed no tighter than max_total_ratio: a
    # bomb packs hundreds to one; sheet XML about ten to one (a million-row register written by arxl: ~850 MB).
    max_total_ratio: int = 25
    max_unpacked_hard: int = 2048 * MB
    max_entries: int = 10_000
    max_directory_bytes: int = 8 * MB  # the ZIP's central directory (about 100 bytes an entry)
    max_ratio: int = 200  # unpacked : packed, for entries above ratio_checked_above
    ratio_checked_above: int = 1 * MB
    max_workbook_part_bytes: int = 20 * MB  # xl/workbook.xml and its relationships, parsed whole
    prolog_bytes: int = 64 * 1024  # read of each XML part to look for a DTD
    max_string_chars: int = 32_767  # Excel's limit for one cell's text
    max_sheet_cells: int = 28_000_000  # rows x columns of one sheet's extent: readers fill the whole rectangle;
    # Excel's 1,048,576 rows by the 26 columns every sheet is counted as at least (arxl's million-row sheets)


DEFAULT_LIMITS = Limits()


def refuse(book: str, reason: str) -> BadWorkbook:
    return BadWorkbook(" ".join(reason.split()), CellRef(book))


def quoted(name: str) -> str:
    shown = CONTROL.sub("?", name)
    return f"'{shown[:117]}...'" if len(shown) > 120 else f"'{shown}'"


def mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB // 10 else f"{size / 1024:,.1f} KB"


def detail(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "unreadable"
    return text[:120]



def natural(name: str) -> list[int | str]:
    """Sort key putting table10 after table9."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.casefold())]
