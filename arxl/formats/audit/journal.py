"""The action journal: every command that changed the workbook or wrote documents, in a hash chain.

``billing.xlsx`` gets ``billing.audit-journal.jsonl`` beside it (it must travel with the workbook, like the
mail journal). One JSON object a line, ASCII only, append-only; each entry holds:

``seq``
    1, 2, 3... one more than the entry before;
``at``, ``user``, ``command``
    when (UTC, ISO 8601), the operating-system user, and the command line or the ribbon button;
``book``, ``before``, ``after``
    the workbook's name and the SHA-256 of its bytes before and after the command;
``inputs``, ``outputs``
    path -> SHA-256 of each file the command was given and of each file it wrote (paths relative to the
    workbook's folder when they are under it);
``state``
    the SHA-256 of the ledger state file written with the entry (:mod:`arxl.formats.audit.state`);
``prev``
    the SHA-256 of the previous line's exact bytes (without its newline); the first entry's is 64 zeros.

The chain makes the journal tamper-evident: a line removed, edited or moved breaks the ``prev`` of the line
after it, and :func:`check_chain` names that line. (It is evidence, not a seal: someone who rewrites every line
after the one edited can make a consistent chain again; the last entry's hash, noted in the audit pack, pins
it.) An entry is written whole, flushed and fsync'd under a lock of the file; a process killed in the middle
leaves a **torn** last line, which the next entry starts after (on a new line, chained to the last whole
entry) and which :func:`check_chain` reports: it is never repaired silently.

>>> import tempfile
>>> journal = journal_path(Path(tempfile.mkdtemp()) / "billing.xlsx")
>>> first = append_entry(journal, {"command": "arxl aging billing.xlsx"})
>>> second = append_entry(journal, {"command": "arxl close billing.xlsx --period 2025-07"})
>>> first["seq"], first["prev"] == GENESIS, second["prev"] == line_hash(journal.read_bytes().split(b"\\n")[0])
(1, True, True)
>>> check_chain(read_lines(journal))[0]
[]
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arxl.core.errors import ArxlError
from arxl.formats.outbox import fsync_folder, locked

SUFFIX = ".audit-journal.jsonl"
GENESIS = "0" * 64
CHUNK = 1 << 20


class AuditFileError(ArxlError):
    default = "the audit file cannot be read"


def journal_path(book: Path) -> Path:
    """``folder/billing.xlsx`` -> ``folder/billing.audit-journal.jsonl``."""
    return book.parent / f"{book.stem}{SUFFIX}"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def line_hash(raw: bytes) -> str:
    """The hash of a journal line: the SHA-256 of its bytes without the newline."""
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True)
class JournalLine:
    """A line of the journal as found: its number (1-based), its bytes, and its entry when it is one."""

    number: int
    raw: bytes
    entry: dict[str, Any] | None
    torn: bool = False  # a write cut short: no newline after it, or a record's beginning without its end


def _parse(number: int, raw: bytes, last: bool, ends_line: bool) -> JournalLine:
    try:
        entry = json.loads(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        text = raw.strip()
        torn = (last and not ends_line) or (text.startswith(b"{") and not text.endswith(b"}"))
        return JournalLine(number, raw, None, torn)
    return JournalLine(number, raw, entry if isinstance(entry, dict) else None, last and not ends_line)


def read_lines(path: Path) -> list[JournalLine]:
    """Every line of the journal, each parsed when it can be (raises AuditFileError when it cannot be read)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditFileError(f"cannot read the audit journal: {exc.strerror or exc}", str(path)) from None
    return _parsed(data)


def check_chain(lines: list[JournalLine]) -> tuple[list[str], JournalLine | None]:
    """What is wrong with the chain, one sentence per line at fault, and the last whole entry (the one the
    workbook and the state file are compared with)."""
    findings: list[str] = []
    last: JournalLine | None = None
    for line in lines:
        entry = line.entry
        if line.torn:
            findings.append(f"journal line {line.number} is torn (a write cut short by a crash or a full disk): "
                            "the entry it began is incomplete")
            continue
        if entry is None:
            findings.append(f"journal line {line.number} is not a journal entry: the journal was edited")
            continue
        prev = last.raw if last is not None else None
        expected = line_hash(prev) if prev is not None else GENESIS
        if entry.get("prev") != expected:
            if last is None:
                findings.append(f"journal line {line.number}: its prev hash is not that of a first entry: the "
                                "lines before it were removed")
            else:
                findings.append(f"journal line {line.number}: its prev hash does not match line {last.number}: a "
                                "line was removed or edited")
        else:
            seq = entry.get("seq")
            wanted = int(last.entry.get("seq", 0)) + 1 if last is not None and last.entry is not None else 1
            if seq != wanted:
                findings.append(f"journal line {line.number}: entry number {seq} where {wanted} was due: the "
                                "entries were renumbered")
        last = line
    return findings, last


def append_entry(path: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """Append an entry, numbered and chained to the last whole line (under a lock of the file), flushed and
    fsync'd; returns it as written. A torn last line stays where it is: the entry starts on a new line."""
    made = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        with locked(fd):
            data = _read_all(fd)
            whole = [line for line in _parsed(data) if line.entry is not None and not line.torn]
            last = whole[-1] if whole else None
            numbered = {"seq": int(last.entry.get("seq", 0)) + 1 if last and last.entry else 1, **entry,
                        "prev": line_hash(last.raw) if last is not None else GENESIS}
            line = json.dumps(numbered, ensure_ascii=True, separators=(",", ":")).encode("ascii")
            payload = (b"\n" if data and not data.endswith(b"\n") else b"") + line + b"\n"
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
    finally:
        os.close(fd)
    if made:
        fsync_folder(path.parent)
    return numbered


def _parsed(data: bytes) -> list[JournalLine]:
    if not data:
        return []
    pieces = data.split(b"\n")
    ends_line = pieces[-1] == b""
    if ends_line:
        pieces.pop()
    return [_parse(i, raw, i == len(pieces), ends_line) for i, raw in enumerate(pieces, start=1)]


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)
