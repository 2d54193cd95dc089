"""The ZIP layer of an untrusted workbook, checked from its central directory: nothing is unpacked here.

Entry count, directory size, entry names (no backslashes, ``..`` or absolute paths, no duplicates), declared
sizes and compression ratios (the bomb checks), no encrypted entries or exotic compression; and, when it is
not a workbook, what it is instead.
"""

from __future__ import annotations

import re
import struct
import zipfile
from typing import IO

from arxl.formats.xlsx.limits import CONTROL, WORKBOOK_PART, Limits, mb, quoted, refuse

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_DRIVE = re.compile(r"[A-Za-z]:")


def directory_size(handle: IO[bytes], size: int) -> int | None:
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


def check_entries(entries: list[zipfile.ZipInfo], size: int, book: str, limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise refuse(book, f"refused: it holds {len(entries):,} ZIP entries (limit {limits.max_entries:,})")
    seen: dict[str, str] = {}
    unpacked = packed = 0
    for entry in entries:
        name = entry.filename
        problem = _bad_name(name)
        if problem:
            raise refuse(book, f"refused: ZIP entry name {quoted(name)} {problem}")
        key = name.casefold()
        if key in seen:
            if seen[key] == name:
                raise refuse(
                    book,
                    f"refused: duplicate ZIP entries named {quoted(name)} (which one is the content"
                    " is ambiguous)",
                )
            raise refuse(
                book,
                f"refused: duplicate ZIP entries {quoted(seen[key])} and {quoted(name)}"
                " differ only in case",
            )
        seen[key] = name
        if entry.flag_bits & 0x1:
            raise refuse(
                book,
                f"encrypted: ZIP entry {quoted(name)} is password-protected;"
                " save it as an unprotected .xlsx",
            )
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(
                book,
                f"refused: ZIP entry {quoted(name)} uses a compression method ({entry.compress_type})"
                " that Excel does not write",
            )
        unpacked += entry.file_size
        packed += entry.compress_size
        if entry.file_size > limits.ratio_checked_above and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            ratio = entry.file_size // max(entry.compress_size, 1)
            raise refuse(
                book,
                f"looks like a ZIP bomb: entry {quoted(name)} unpacks to {mb(entry.file_size)} from"
                f" {mb(entry.compress_size)} (ratio {ratio:,}:1, limit {limits.max_ratio}:1); refused",
            )
    if unpacked > limits.max_unpacked_bytes and (
        unpacked > limits.max_unpacked_hard or unpacked > limits.max_total_ratio * max(packed, 1)
    ):
        raise refuse(
            book,
            f"looks like a ZIP bomb: it unpacks to {mb(unpacked)} from {mb(packed)}"
            f" (limit {mb(limits.max_unpacked_bytes)}, or {mb(limits.max_unpacked_hard)} packed no tighter than"
            f" {limits.max_total_ratio}:1); refused",
        )
    if packed > size:
        raise refuse(
            book,
            "looks like a ZIP bomb: its entries overlap"
            f" ({mb(packed)} of packed data in a {mb(size)} file); refused",
        )


def _bad_name(name: str) -> str:
    if "\\" in name:
        return "uses backslashes; an .xlsx uses '/' (open it in Excel and save it again)"
    if name.startswith("/") or _DRIVE.match(name):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "points outside the package ('..')"
    if CONTROL.search(name):
        return "contains control characters"
    return ""


def not_a_workbook(names: dict[str, zipfile.ZipInfo]) -> str:
    folded = {name.casefold(): name for name in names}
    if WORKBOOK_PART in folded:
        return (
            f"not a readable Excel workbook: its workbook part is stored as {quoted(folded[WORKBOOK_PART])}"
            f" instead of {WORKBOOK_PART} (open it in Excel and save it again)"
        )
    if "word/document.xml" in folded:
        return "not an Excel workbook: it is a Word document renamed .xlsx"
    if "ppt/presentation.xml" in folded:
        return "not an Excel workbook: it is a PowerPoint presentation renamed .xlsx"
    if "content.xml" in folded and "mimetype" in folded:
        return "not an Excel workbook: it is an OpenDocument file; save it as 'Excel Workbook (.xlsx)'"
    return f"not an Excel workbook: it has no {WORKBOOK_PART} part"
