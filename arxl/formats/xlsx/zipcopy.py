"""The one ZIP writer of arxl: unchanged entries are copied as they are, new ones deflated.

Python's zipfile can only copy an entry by inflating and deflating it again; on a 30 MB ledger that is most of
the time of replacing one sheet. :class:`ZipCopier` copies an entry's compressed bytes with its checksum and
sizes from the central directory (a data descriptor is folded into the local header), and refuses what it
does not handle (encrypted entries, ZIP64 sizes) with a clear error. It writes every package arxl makes: a
workbook with generated sheets replaced, a workbook saved by openpyxl with its formulas' results filled in,
an invoice document (its unchanging parts deflated once per template, :func:`pack`), the Excel add-in (with
a fixed date, so the same sources give the same bytes).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from arxl.core.errors import BadWorkbook, CellRef

_LEVEL = 6  # zlib level of small parts written anew (big ones: 1, three times faster, a third bigger)
_LOCAL = struct.Struct("<4sHHHHHLLLHH")
_CENTRAL = struct.Struct("<4sBBBBHHHHLLLHHHHHLL")
_END = struct.Struct("<4sHHHHLLH")
_LIMIT = 0xFFFF_FFFF


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((max(year, 1980) - 1980) << 9) | (month << 5) | day


@dataclass(frozen=True, slots=True)
class Packed:
    """An entry deflated ahead of writing, to be written into many packages as it is."""

    name: str
    crc: int
    size: int
    data: bytes  # raw deflate


def pack(name: str, data: bytes, level: int = _LEVEL) -> Packed:
    """Deflate one entry (zlib ``level``)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Packed(name, zlib.crc32(data), len(data), packer.compress(data) + packer.flush())


@dataclass(frozen=True, slots=True)
class Start:
    """The first entries of many packages, written once: their bytes and their central-directory records."""

    data: bytes
    central: tuple[bytes, ...]


def start(entries: list[Packed], book: str, date_time: tuple[int, int, int, int, int, int]) -> Start:
    """The entries every package of a batch begins with (an invoice template's unchanging parts), laid out
    once, so that each package only adds what is its own (:meth:`ZipCopier.begin`)."""
    buffer = io.BytesIO()
    writer = ZipCopier(buffer, book, date_time)
    for entry in entries:
        writer.add_packed(entry)
    return Start(buffer.getvalue(), tuple(writer.central))


class ZipCopier:
    """A small ZIP writer: stored entries are copied compressed bytes and all; new ones are deflated.
    ``date_time``: the time stamp of new entries (default: now)."""

    def __init__(self, out: IO[bytes], book: str,
                 date_time: tuple[int, int, int, int, int, int] | None = None) -> None:
        self.out = out
        self.book = book
        self.central: list[bytes] = []
        self.offset = 0
        self.now = date_time or time.localtime()[:6]

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def _entry(self, name: str, method: int, version: int, flags: int, date_time: tuple[int, int, int, int, int, int],
               crc: int, packed: int, size: int, external: int, create: tuple[int, int]) -> None:
        if packed > _LIMIT or size > _LIMIT or self.offset > _LIMIT or len(self.central) >= 0xFFFF:
            raise BadWorkbook("is too large to update in place (over 4 GB or 65,535 parts)", CellRef(self.book))
        try:
            encoded, utf8 = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, utf8 = name.encode("utf-8"), 0x800
        flags = (flags & 0x06) | utf8
        clock, day = _dos_time(date_time)
        self.central.append(_CENTRAL.pack(b"PK\x01\x02", create[0], create[1], version, 0, flags, method, clock, day,
                                          crc, packed, size, len(encoded), 0, 0, 0, 0, external, self.offset)
                            + encoded)
        self._write(_LOCAL.pack(b"PK\x03\x04", version, flags, method, clock, day, crc, packed, size, len(encoded), 0)
                    + encoded)

    def copy(self, source: IO[bytes], info: zipfile.ZipInfo) -> None:
        """Copy an entry without inflating it (its checksum and sizes come from the central directory)."""
        if info.flag_bits & 0x01:
            raise BadWorkbook(f"part {info.filename} is encrypted", CellRef(self.book))
        source.seek(info.header_offset)
        header = source.read(_LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
            raise BadWorkbook(f"part {info.filename} is damaged", CellRef(self.book))
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        source.seek(info.header_offset + _LOCAL.size + name_length + extra_length)
        self._entry(info.filename, info.compress_type, max(info.extract_version, 20), info.flag_bits,
                    info.date_time, info.CRC, info.compress_size, info.file_size, info.external_attr,
                    (info.create_version, info.create_system))
        left = info.compress_size
        while left:
            chunk = source.read(min(left, 1 << 20))
            if not chunk:
                raise BadWorkbook(f"part {info.filename} is cut short", CellRef(self.book))
            self._write(chunk)
            left -= len(chunk)

    def add(self, name: str, data: bytes, level: int | None = None) -> None:
        """Deflate and write a new entry; without ``level``, a big one (a generated sheet) is packed quickly
        (level 1 is three times faster, the file a third bigger)."""
        self.add_packed(pack(name, data, level if level is not None else _LEVEL if len(data) < 1 << 20 else 1))

    def add_stream(self, name: str, chunks: Iterable[bytes]) -> None:
        """Deflate a new entry as its chunks come (a generated sheet of a million rows never whole in memory):
        the local header is written first and its checksum and sizes filled in once the entry is done, so the
        output needs to be seekable (a file, a BytesIO). The same bytes as :meth:`add`: below 1 MB the entry
        is packed at level 6, above it at level 1."""
        head: list[bytes] = []
        held = 0
        iterator = iter(chunks)
        for chunk in iterator:
            head.append(chunk)
            held += len(chunk)
            if held >= 1 << 20:
                break
        else:
            self.add(name, b"".join(head))
            return
        header_at = self.offset
        self._entry(name, zipfile.ZIP_DEFLATED, 20, 0, self.now, 0, 0, 0, 0o600 << 16, (20, 0))
        packer = zlib.compressobj(1, zlib.DEFLATED, -15)
        crc = size = packed = 0
        for chunk in _chain(head, iterator):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            data = packer.compress(chunk)
            if data:
                packed += len(data)
                self._write(data)
        data = packer.flush()
        packed += len(data)
        self._write(data)
        if packed > _LIMIT or size > _LIMIT or self.offset > _LIMIT:
            raise BadWorkbook("is too large to update in place (over 4 GB or 65,535 parts)", CellRef(self.book))
        record = self.central[-1]
        self.central[-1] = record[:16] + struct.pack("<LLL", crc, packed, size) + record[28:]
        end = self.out.tell()
        self.out.seek(end - (self.offset - header_at) + 14)
        self.out.write(struct.pack("<LLL", crc, packed, size))
        self.out.seek(end)

    def begin(self, first: Start) -> None:
        """Write the entries laid out by :func:`start`; only at the start of a package."""
        if self.offset:
            raise ValueError("a package's start is written before any entry")
        self._write(first.data)
        self.central.extend(first.central)

    def add_packed(self, entry: Packed) -> None:
        """Write an entry deflated beforehand."""
        self._entry(entry.name, zipfile.ZIP_DEFLATED, 20, 0, self.now, entry.crc, len(entry.data), entry.size,
                    0o600 << 16, (20, 0))
        self._write(entry.data)

    def close(self) -> None:
        start = self.offset
        directory = b"".join(self.central)
        self._write(directory)
        self._write(_END.pack(b"PK\x05\x06", 0, 0, len(self.central), len(self.central), len(directory), start, 0))


def _chain(head: list[bytes], rest: Iterable[bytes]) -> Iterable[bytes]:
    yield from head
    head.clear()  # the first megabyte is not kept while the rest streams
    yield from rest
