"""The document index of an audit pack: ``index.csv``, one row per document, with its size and SHA-256.

Columns: ``Document, Kind, Number, Date, Path, Bytes, SHA-256``. ``Path`` is relative to the pack's folder
(with ``/``): the pack's own files inside it, the period's invoices, statements and Sage files where arxl wrote
them (``../invoices/2025-07/INV-2025-00394.pdf``), so the pack moves together with its output folder.
``Date`` is ISO (``YYYY-MM-DD``) or empty. The file
is opened by people too, so a text field beginning like a formula gets a leading quote (OWASP "CSV
Injection", as the canonical statement CSV does) which :func:`read_index` takes off again.
``arxl audit verify --pack DIR`` hashes every file again and names each one missing or changed.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "INV-1.pdf").write_bytes(b"%PDF-1.4 ...")
>>> row = index_entry(folder, folder / "INV-1.pdf", "Invoice INV-1", "invoice", "INV-1", dt.date(2025, 7, 1))
>>> write_index(folder / INDEX, [row])
1
>>> [(line, entry == row) for line, entry in read_index(folder / INDEX)]
[(2, True)]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from arxl.formats.audit.journal import AuditFileError, file_sha256
from arxl.formats.statements.model import neutralise, restore
from arxl.formats.xlsx.save import write_csv

INDEX = "index.csv"
HEADER = ("Document", "Kind", "Number", "Date", "Path", "Bytes", "SHA-256")
MAX_BYTES = 64 << 20  # an index of a million documents is a few hundred megabytes short of this


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One document of a pack: what it is, where it lies (relative to the pack), its size and hash."""

    document: str
    kind: str
    number: str
    date: dt.date | None
    path: str
    bytes: int
    sha256: str


def index_entry(pack: Path, file: Path, document: str, kind: str, number: str = "",
                date: dt.date | None = None) -> IndexEntry:
    """The index row of a file of the pack, its size and hash read from the disk now."""
    return IndexEntry(document, kind, number, date, file.relative_to(pack).as_posix(), file.stat().st_size,
                      file_sha256(file))


def write_index(path: Path, entries: Iterable[IndexEntry]) -> int:
    """Write ``index.csv`` atomically; returns the number of documents."""
    return write_csv(path, HEADER, ([neutralise(e.document), neutralise(e.kind), neutralise(e.number),
                                     e.date.isoformat() if e.date else "", neutralise(e.path), e.bytes, e.sha256]
                                    for e in entries))


def read_index(path: Path) -> list[tuple[int, IndexEntry]]:
    """The documents of an ``index.csv`` with their line numbers; a line that is not one is refused by number."""
    where = f"[{path.name}]"
    try:
        if path.stat().st_size > MAX_BYTES:
            raise AuditFileError(f"is larger than {MAX_BYTES >> 20} MB: not an index written by arxl", where)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AuditFileError(f"no {path.name} in {path.parent}: not an audit pack written by arxl") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditFileError(f"cannot be read ({exc})", where) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = tuple(next(rows, ()))
    if header != HEADER:
        raise AuditFileError(f"line 1: the header is not {', '.join(HEADER)}", where)
    entries = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(HEADER):
            raise AuditFileError(f"line {number} has {len(row)} field(s), not {len(HEADER)}", where)
        document, kind, doc_number, day, file, size, digest = row
        try:
            date = dt.date.fromisoformat(day) if day else None
            size_bytes = int(size)
        except ValueError:
            raise AuditFileError(f"line {number}: Date \"{day[:20]}\" or Bytes \"{size[:20]}\" is not valid",
                                 where) from None
        entries.append((number, IndexEntry(restore(document), restore(kind), restore(doc_number), date,
                                           restore(file), size_bytes, digest.strip().lower())))
    return entries
