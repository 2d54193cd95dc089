"""A writer for Microsoft's compound file format (MS-CFB), the "OLE2" container inside ``vbaProject.bin``.

A compound file is a small file system in one file: 512-byte sectors chained by a file allocation table
(FAT), a directory of storages (folders) and streams (files), and a "mini stream" that packs streams smaller
than 4096 bytes into 64-byte mini sectors with a FAT of their own. The add-in needs only to *write* one, once,
from a handful of streams, so this writer lays the file out in a single pass: header, FAT, mini FAT,
directory, mini stream, then the large streams, each chain contiguous. Version 3 (512-byte sectors) is what
Office itself writes for VBA projects.

The siblings under a storage form a red-black tree ordered by name length, then by upper-cased name
([MS-CFB] 2.6.4); a balanced tree whose deepest level is red satisfies the red-black rules.

>>> data = compound_file({("VBA", "dir"): b"x" * 10, ("PROJECT",): b"y" * 5000})
>>> data[:8].hex(), len(data) % 512
('d0cf11e0a1b11ae1', 0)
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
HEADER_DIFAT = 109
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    index: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN


def compound_file(streams: Mapping[tuple[str, ...], bytes]) -> bytes:
    """The bytes of a compound file holding ``streams``, each keyed by its path of storage names and stream name.

    Storages are created as the paths need them. Names are at most 31 characters and may not contain
    ``/ \\ : !`` ([MS-CFB] 2.6.1).
    """
    root = _Entry("Root Entry", ROOT)
    for path, data in streams.items():
        if not path:
            raise ValueError("a stream needs a name")
        node = root
        for part in path[:-1]:
            node = node.children.setdefault(_checked(part), _Entry(part, STORAGE))
            if node.kind != STORAGE:
                raise ValueError(f"{part!r} is both a stream and a storage")
        name = _checked(path[-1])
        if name in node.children:
            raise ValueError(f"stream {'/'.join(path)!r} given twice")
        node.children[name] = _Entry(name, STREAM, bytes(data))

    entries = _number(root)
    for entry in entries:
        entry.child = _tree(list(entry.children.values()))

    small = [e for e in entries if e.kind == STREAM and 0 < len(e.data) < MINI_CUTOFF]
    large = [e for e in entries if e.kind == STREAM and len(e.data) >= MINI_CUTOFF]

    mini_fat: list[int] = []
    mini_stream = bytearray()
    for entry in small:
        entry.start = len(mini_fat)
        count = _ceil(len(entry.data), MINI_SECTOR)
        mini_fat.extend(range(entry.start + 1, entry.start + count))
        mini_fat.append(ENDOFCHAIN)
        mini_stream += _pad(entry.data, MINI_SECTOR)

    directory = b"".join(_directory_entry(e, len(mini_stream)) for e in entries)
    directory = _pad(directory, SECTOR, filler=_unused_entry())
    mini_fat_bytes = _pad(struct.pack(f"<{len(mini_fat)}I", *mini_fat), SECTOR, filler=b"\xff\xff\xff\xff")

    # Everything after the FAT, in order; the FAT's own size depends on how many sectors there are in all.
    runs: list[bytes] = [mini_fat_bytes, directory, bytes(_pad(bytes(mini_stream), SECTOR))]
    runs += [_pad(e.data, SECTOR) for e in large]
    counts = [len(run) // SECTOR for run in runs]
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + sum(counts):
        fat_sectors += 1
    if fat_sectors > HEADER_DIFAT:
        raise ValueError("the compound file would be larger than this writer supports (about 7 MB)")

    fat = [FATSECT] * fat_sectors
    starts: list[int] = []
    for count in counts:
        starts.append(len(fat) if count else ENDOFCHAIN)
        fat.extend(range(len(fat) + 1, len(fat) + count))
        if count:
            fat.append(ENDOFCHAIN)
    fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))

    mini_fat_start, directory_start, mini_stream_start = starts[:3]
    root.start = mini_stream_start if mini_stream else ENDOFCHAIN
    for entry, start in zip(large, starts[3:], strict=True):
        entry.start = start
    # The directory was serialised before the start sectors were known: write it again with them.
    directory = _pad(b"".join(_directory_entry(e, len(mini_stream)) for e in entries), SECTOR, filler=_unused_entry())
    runs[1] = directory

    header = _header(fat_sectors, directory_start, mini_fat_start, counts[0])
    return header + struct.pack(f"<{len(fat)}I", *fat) + b"".join(runs)


def _checked(name: str) -> str:
    if not name or len(name) > 31 or any(c in name for c in "/\\:!"):
        raise ValueError(f"{name!r} is not a valid compound file entry name")
    return name


def _number(root: _Entry) -> list[_Entry]:
    """Every entry, the root first, each with its index in the directory."""
    entries = [root]
    for entry in entries:  # grows while it is walked: breadth first
        for child in entry.children.values():
            child.index = len(entries)
            entries.append(child)
    return entries


def _sort_key(entry: _Entry) -> tuple[int, str]:
    return len(entry.name.encode("utf-16-le")), entry.name.upper()


def _tree(siblings: list[_Entry]) -> int:
    """Link ``siblings`` as a balanced red-black tree; return the index of its root (NOSTREAM if none)."""
    ordered = sorted(siblings, key=_sort_key)
    depths: dict[int, int] = {}

    def build(low: int, high: int, depth: int) -> int:
        if low >= high:
            return NOSTREAM
        middle = (low + high) // 2
        node = ordered[middle]
        depths[node.index] = depth
        node.left = build(low, middle, depth + 1)
        node.right = build(middle + 1, high, depth + 1)
        return node.index

    top = build(0, len(ordered), 0)
    if ordered:
        deepest = max(depths.values())
        full = sum(1 for d in depths.values() if d == deepest) == 2**deepest
        for node in ordered:
            node.color = RED if depths[node.index] == deepest and not full else BLACK
    return top


def _directory_entry(entry: _Entry, mini_stream_size: int) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    if entry.kind == ROOT:
        size = mini_stream_size
    elif entry.kind == STREAM:
        size = len(entry.data)
    else:
        size = 0
    start = entry.start if entry.kind != STORAGE else 0
    if entry.kind == STREAM and size == 0:
        start = ENDOFCHAIN
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), entry.kind, entry.color, entry.left, entry.right, entry.child,
        b"\x00" * 16, 0, 0, 0, start, size,
    )


def _unused_entry() -> bytes:
    return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\x00" * 16, 0, 0, 0,
                       0, 0)


def _header(fat_sectors: int, directory_start: int, mini_fat_start: int, mini_fat_sectors: int) -> bytes:
    difat = list(range(fat_sectors)) + [FREESECT] * (HEADER_DIFAT - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("d0cf11e0a1b11ae1"), b"\x00" * 16,
        0x003E, 0x0003, 0xFFFE, 9, 6, b"\x00" * 6,
        0,  # number of directory sectors: always 0 in version 3
        fat_sectors, directory_start,
        0,  # transaction signature
        MINI_CUTOFF,
        mini_fat_start, mini_fat_sectors,
        ENDOFCHAIN, 0,  # no DIFAT sectors beyond the 109 in the header
    )
    return header + struct.pack(f"<{HEADER_DIFAT}I", *difat)


def _pad(data: bytes, size: int, filler: bytes = b"\x00") -> bytes:
    missing = -len(data) % size
    return data + (filler * _ceil(missing, len(filler)))[:missing]


def _ceil(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)
