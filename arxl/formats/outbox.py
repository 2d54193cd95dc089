"""The outbox journal: what arxl does outside the workbook (a reminder e-mail today) is done once, even across a
crash or two runs at once.

A mail server's "250 accepted" and the workbook's save cannot happen together: a run killed between the two
used to forget what it had sent and send it all again. So every such side effect has an **idempotency key**
(for a reminder: customer, dunning level, as-of date) and is written to the journal *before* it is done:

``intent``
    about to be done; written, flushed and fsync'd before the message goes to the server.
``accepted``
    the server answered 250: done, never again.
``failed``
    the server refused it for good (a 5xx, or a 4xx "try later"): not done, the next run may do it again.
``unknown``
    the message went to the server but its answer never came (time-out, connection lost): **in doubt**.
``delivered``
    the accountant checked the mailbox and says an in-doubt message did arrive: done.
``superseded``
    an in-doubt message the accountant had sent again under a newer key (``--resend-in-doubt``): not done.
``logged``
    the done message is in the workbook (CollectionsLog): it is never added there again.

A key whose last event is ``intent`` or ``unknown`` is in doubt: the process that wrote it died (or is still
sending). Nothing in doubt is done again without the accountant's say-so; nothing accepted is done again at all.

The file lives beside the workbook and is named after it (``billing.xlsx`` -> ``billing.mail-journal.jsonl``),
so it follows the workbook, not the output folder, which may change between runs. One JSON object a line,
ASCII only, append-only; an event is appended, flushed and fsync'd (and the folder fsync'd when the file is
made) before arxl goes on. A process killed in the middle of a write leaves a torn last line: it is a strict
prefix of a record (it lacks the closing brace) and is skipped on read, which is safe either way: a torn
``intent`` means the message had not gone yet, a torn ``accepted`` leaves the key in doubt. Any other line that
is not a record means the file was damaged or edited: the run is refused, naming the line.

Two arxl runs at once cannot both do the same key: a run takes an exclusive lock on the journal, reads what
other runs appended since its last look, checks the key and writes its intent, all under the lock.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> journal = Journal(journal_path(folder, "billing.xlsx"))
>>> key = ("reminder", "C002", "1", "2025-07-31")
>>> journal.claim(key, {"customer": "C002"}) is None     # journaled: go ahead and send
True
>>> journal.claim(key, {"customer": "C002"})  # doctest: +ELLIPSIS
'in doubt since ... (journaled by this run)'
>>> journal.accepted(key, "250 OK"); journal.claim(key, {})  # doctest: +ELLIPSIS
'already sent: accepted on ...'
>>> journal.close()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from arxl.core.errors import ArxlError

Key = tuple[str, ...]
State = Literal["pending", "accepted", "failed", "unknown", "superseded"]
EVENTS = ("intent", "accepted", "failed", "unknown", "delivered", "superseded", "logged")
SUFFIX = ".mail-journal.jsonl"
VERSION = 1


class JournalError(ArxlError):
    default = "the mail journal cannot be read"


def journal_path(folder: Path, book_name: str) -> Path:
    """``billing.xlsx`` in ``folder`` -> ``folder/billing.mail-journal.jsonl``."""
    return folder / f"{Path(book_name).stem}{SUFFIX}"


@dataclass(frozen=True, slots=True)
class Record:
    """Where one key stands, folded from its events in the journal."""

    key: Key
    state: State
    journaled: dt.datetime  # when the latest intent was written
    detail: Mapping[str, Any] = field(default_factory=dict)  # what the intent recorded
    reason: str = ""  # why it failed or is in doubt; the server's answer when accepted
    settled: dt.datetime | None = None  # when it was accepted, failed, delivered...
    pid: int = 0
    host: str = ""
    run: str = ""
    logged: bool = False
    line: int = 0  # the intent's line in the journal

    @property
    def in_doubt(self) -> bool:
        return self.state in ("pending", "unknown")

    @property
    def done(self) -> bool:
        return self.state == "accepted"


def _alive(pid: int, host: str) -> bool:
    """Whether the process that journaled an intent still runs (only knowable on this machine, on POSIX)."""
    if pid <= 0 or host != socket.gethostname() or sys.platform == "win32":
        return False  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def locked(fd: int) -> Iterator[None]:
    """An exclusive lock on an append-only journal (this one, the audit journal) for as long as a
    check-then-append takes."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises OSError
        try:
            yield
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


class Journal:
    """The outbox journal of one workbook: read it, claim a key before acting, record the outcome."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[Key, Record] = {}
        self.run = uuid.uuid4().hex[:12]
        self._fd: int | None = None
        self._offset = 0
        self._lines = 0
        self._torn = False  # the file ends in a torn line: the next append starts on a new line

    # --- reading ----------------------------------------------------------------------------------------

    def read(self) -> dict[Key, Record]:
        """Every key's state, with what other runs appended since the last look."""
        if self._fd is None and not self.path.exists():
            return self.records
        with self._open() as fd, locked(fd):
            self._refresh(fd)
        return self.records

    def _refresh(self, fd: int) -> None:
        end = os.lseek(fd, 0, os.SEEK_END)
        if end < self._offset:
            raise JournalError(f"{self.path.name} became shorter while arxl was using it: it must only grow; "
                               "restore it from the backup")
        os.lseek(fd, self._offset, os.SEEK_SET)
        chunks = []
        left = end - self._offset
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        *complete, tail = data.split(b"\n")
        for raw in complete:
            self._lines += 1
            self._fold(raw, self._lines)
            self._offset += len(raw) + 1
        self._torn = bool(tail)  # a write cut short by a kill: a strict prefix of a record, skipped

    def _fold(self, raw: bytes, number: int) -> None:
        text = raw.decode("ascii", "replace").strip()
        if not text:
            return
        try:
            event = json.loads(text)
        except ValueError:
            if text.startswith("{") and not text.endswith("}"):
                return  # a torn write, completed by the next writer's newline: never acted upon
            raise JournalError(f"line {number} is not a journal record (\"{text[:40]}\"); the journal is written "
                               "by arxl only: restore it from the backup", str(self.path)) from None
        try:
            kind = str(event["event"])
            key = tuple(str(part) for part in event["key"])
            at = dt.datetime.fromisoformat(str(event["at"]))
        except (KeyError, TypeError, ValueError):
            raise JournalError(f"line {number} lacks its event, key or time; the journal is written by arxl "
                               "only: restore it from the backup", str(self.path)) from None
        if kind not in EVENTS:
            raise JournalError(f"line {number}: unknown event \"{kind[:20]}\" (expected one of "
                               f"{', '.join(EVENTS)})", str(self.path))
        known = self.records.get(key)
        reason = str(event.get("reason", ""))
        if kind == "intent":
            if known is not None and known.done:
                return  # accepted is final: a later intent cannot undo a message that went
            self.records[key] = Record(key, "pending", at, dict(event.get("detail") or {}), "", None,
                                       int(event.get("pid", 0)), str(event.get("host", "")),
                                       str(event.get("run", "")), False, number)
            return
        if known is None:
            raise JournalError(f"line {number}: \"{kind}\" of a key never journaled ({'/'.join(key)})",
                               str(self.path))
        if kind == "logged":
            self.records[key] = replace(known, logged=True)
        elif kind in ("accepted", "delivered"):
            self.records[key] = replace(known, state="accepted", reason=reason or kind, settled=at)
        elif not known.done:
            state: State = "failed" if kind == "failed" else "unknown" if kind == "unknown" else "superseded"
            self.records[key] = replace(known, state=state, reason=reason, settled=at)

    # --- writing ----------------------------------------------------------------------------------------

    def claim(self, key: Key, detail: Mapping[str, Any], *, resend: bool = False,
              conflict: Callable[[Mapping[Key, Record]], str | None] | None = None) -> str | None:
        """Journal the intent to do ``key`` and return None, or say why it must not be done (already done, in
        doubt, being done by another run) and write nothing. ``resend`` lets an in-doubt key be done again
        (never one another live run is doing); ``conflict`` adds the caller's own check, made under the lock."""
        with self._open() as fd, locked(fd):
            self._refresh(fd)
            known = self.records.get(key)
            if known is not None and known.done:
                return f"already sent: accepted on {known.settled or known.journaled:%d/%m/%Y %H:%M}"
            if known is not None and known.in_doubt:
                mine = known.run == self.run
                if not mine and _alive(known.pid, known.host):
                    return f"being sent by another arxl run (pid {known.pid}) since {known.journaled:%d/%m/%Y %H:%M}"
                if not resend or mine:
                    who = "this run" if mine else f"pid {known.pid}"
                    return f"in doubt since {known.journaled:%d/%m/%Y %H:%M:%S} (journaled by {who})"
            if conflict is not None:
                why = conflict(self.records)
                if why:
                    return why
            self._write(fd, [self._event("intent", key, detail=dict(detail), pid=os.getpid(),
                                         host=socket.gethostname(), run=self.run)])
        return None

    def accepted(self, key: Key, answer: str = "") -> None:
        """The server accepted the message (250)."""
        self._append([("accepted", key, answer)])

    def failed(self, key: Key, reason: str) -> None:
        """The server refused the message: it was not sent, a later run may send it."""
        self._append([("failed", key, reason)])

    def unknown(self, key: Key, reason: str) -> None:
        """The message went to the server but no answer came: in doubt."""
        self._append([("unknown", key, reason)])

    def delivered(self, keys: list[Key], note: str) -> None:
        """The accountant checked: these in-doubt messages did arrive."""
        self._append([("delivered", key, note) for key in keys])

    def superseded(self, key: Key, by: Key) -> None:
        """An in-doubt key given up because its message is being sent again under ``by``."""
        self._append([("superseded", key, "sent again as " + "/".join(by))])

    def logged(self, keys: list[Key]) -> None:
        """These done keys are now in the workbook: never to be added there again."""
        self._append([("logged", key, "") for key in keys])

    def _append(self, events: list[tuple[str, Key, str]]) -> None:
        if not events:
            return
        with self._open() as fd, locked(fd):
            self._refresh(fd)
            self._write(fd, [self._event(kind, key, reason=reason) for kind, key, reason in events])

    def _event(self, kind: str, key: Key, **more: Any) -> dict[str, Any]:
        event: dict[str, Any] = {"v": VERSION, "at": dt.datetime.now().isoformat(timespec="seconds"),
                                 "event": kind, "key": list(key)}
        event.update({k: v for k, v in more.items() if v not in ("", None)})
        return event

    def _write(self, fd: int, events: list[dict[str, Any]]) -> None:
        """Append whole lines, then fsync; fold them in as read (the lock is held)."""
        lines = [json.dumps(e, ensure_ascii=True, separators=(",", ":"), default=str).encode("ascii") + b"\n"
                 for e in events]
        data = (b"\n" if self._torn else b"") + b"".join(lines)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        self._refresh(fd)

    @contextlib.contextmanager
    def _open(self) -> Iterator[int]:
        if self._fd is None:
            made = not self.path.exists()
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
            try:
                self._fd = os.open(self.path, flags, 0o644)
            except OSError as exc:
                raise JournalError(f"cannot open the mail journal: {exc.strerror or exc}", str(self.path)) from None
            if made:
                fsync_folder(self.path.parent)  # the new file's name survives a power cut too
        yield self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fsync_folder(folder: Path) -> None:
    """A folder's entries on the disk (a new journal file survives a power cut), where the system allows."""
    if sys.platform == "win32":
        return  # Windows cannot open a folder for fsync; NTFS journals the directory entry itself
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
