"""The action journal, kept from the first command on: what was done to the workbook, by whom, with what.

Every command that changes the workbook or writes documents (generate, post, send, export, credit, reopen,
close...) comes through the workbook's lock, on the command line and on the ribbon alike; when it ends, done or
stopped half-way, :func:`record` appends one entry to ``billing.audit-journal.jsonl`` beside the workbook
(:mod:`arxl.formats.audit.journal`: the time, the user, the command, the SHA-256 of the workbook before and
after, of the files it was given and of the files it wrote, chained to the entry before) and rewrites the
ledger state file ``billing.audit-state.json.gz`` (:mod:`arxl.ledger.fingerprint`: the audited tables as
arxl left them), whose hash the entry holds. A command that changed nothing and wrote nothing (a refusal, a
report) leaves no entry; one that stopped half-way (a close waiting for decisions after it billed) is recorded
with what it did.

The journal never costs the accountant's work: the command's changes are saved before it is written, and a
journal that cannot be written (a full disk, a read-only folder) is a warning, not a failure.

``arxl audit verify`` (:mod:`arxl.app.verify`) reads all of it back.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

from arxl.core.errors import ArxlError
from arxl.formats.audit.journal import append_entry, file_sha256, journal_path, read_lines
from arxl.formats.audit.state import sheet_versions, state_path, table_members, write_state
from arxl.formats.xlsx.host import FileHost, Host
from arxl.ledger.fingerprint import AUDITED, Snapshot, snapshot


def workbook_hash(book: Path) -> str | None:
    """The SHA-256 of the workbook's bytes, None when it is not a file (yet)."""
    try:
        return file_sha256(book)
    except OSError:
        return None


def user() -> str:
    """The operating-system user running arxl (never fails: a service account may have no login name)."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises OSError, KeyError or ImportError, depending on the platform
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def snapshot_of(host: Host, skip: Collection[str] = ()) -> Snapshot:
    """The audited tables of the host's workbook as they are now (raw cells: no typing, no checks), but for the
    tables in ``skip``."""
    port = host.port()
    raws = {a.table: port.read_table(a.table, [header for _, header in a.headers()]) for a in AUDITED
            if a.table not in skip}
    return snapshot(raws, port.name)


def given_files(words: Iterable[str], book: Path) -> list[Path]:
    """The files named on a command line (an argument, or an option's value), other than the workbook."""
    found: list[Path] = []
    for word in words:
        text = word.split("=", 1)[1] if word.startswith("--") and "=" in word else word
        if not text or text.startswith("-"):
            continue
        path = Path(text)
        try:
            if path.is_file() and path.resolve() != book.resolve() and path not in found:
                found.append(path)
        except OSError:
            continue
    return found


def record(host: Host, before: str | None, command: str, *, inputs: Iterable[Path] = (),
           outputs: Iterable[Path] = (), warn: Callable[[str], None]) -> dict[str, Any] | None:
    """Journal a command that finished without refusal, when it changed the workbook or wrote files; returns the
    entry (None when there was nothing to record or it could not be written, which ``warn`` is told)."""
    book = host.folder / host.name
    try:
        after = workbook_hash(book)
        if after is None:
            return None  # a workbook never saved to a file (a new book in Excel): nothing to hash
        written = [p for p in dict.fromkeys(outputs) if p.is_file() and p.resolve() != book.resolve()]
        if after == before and not written:
            return None
        folder = book.parent
        entry = {
            "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user": user(),
            "command": command,
            "book": book.name,
            "before": before or "",
            "after": after,
            "inputs": {_relative(p, folder): file_sha256(p) for p in inputs
                       if p.is_file() and p.resolve() not in {w.resolve() for w in written}},  # -o FILE is written
            "outputs": {_relative(p, folder): file_sha256(p) for p in written},
        }
        entry["state"], entry["tables"] = _state(host, book, after, _last_entry(journal_path(book)))
        return append_entry(journal_path(book), entry)
    except (OSError, ArxlError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        warn(f"arxl: warning: the audit journal beside {book.name} could not be written ({reason}): the "
             "command's work is saved, but this command is not in the journal")
        return None


def _state(host: Host, book: Path, after: str, last: dict[str, Any] | None) -> tuple[str, dict[str, str]]:
    """The hash of the ledger state file for the workbook as it is now, and the version of each audited table
    (:func:`~arxl.formats.audit.state.sheet_versions`). A table whose version is the one the last entry
    recorded keeps its rows from the last state (when that file is still the one the entry wrote); when every
    table does, the state file stays as it is."""
    path = state_path(book)
    found = sheet_versions(book) if isinstance(host, FileHost) else {}
    versions = {a.table: found[a.table.casefold()] for a in AUDITED if a.table.casefold() in found}
    intact = last is not None and path.is_file() and file_sha256(path) == last.get("state")
    if last is None or not intact:
        return write_state(path, snapshot_of(host)), versions
    recorded = last.get("tables") or {}
    if (versions and versions == recorded) or (not versions and last.get("after") == after):
        return str(last["state"]), versions
    unchanged = {name for name, version in versions.items() if recorded.get(name) == version}
    kept = {name: member for name, member in table_members(path).items() if name in unchanged} if unchanged else {}
    return write_state(path, snapshot_of(host, skip=set(kept)), kept), versions


def _last_entry(journal: Path) -> dict[str, Any] | None:
    if not journal.is_file():
        return None
    for line in reversed(read_lines(journal)):
        if line.entry is not None and not line.torn:
            return line.entry
    return None


def _relative(path: Path, folder: Path) -> str:
    """A file's name in the journal: relative to the workbook's folder when under it, else its full path."""
    full = path.resolve()
    try:
        return full.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return full.as_posix()
