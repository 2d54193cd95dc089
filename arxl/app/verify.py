"""``arxl audit verify``: is the workbook still what arxl's journal says it left, and is the pack unchanged?

Three things are checked, each finding on a line of its own:

1. **The journal's chain** (:func:`arxl.formats.audit.journal.check_chain`): every line an entry, each one's
   ``prev`` the hash of the line before, the numbers consecutive. A line removed, edited or moved is named by
   its number; a torn last line (a crash mid-write) is reported, not repaired.
2. **The ledger since the last entry**: the state file must be the one the entry recorded; if the workbook's
   bytes are no longer the ones the entry recorded, it was saved outside arxl since (opening it in Excel and
   saving is enough, and is no finding by itself), so its audited tables are compared with the state
   (:func:`arxl.ledger.fingerprint.differences`) and every cell changed, row gone or row added is a finding,
   by sheet and cell.
3. With a pack, **every document of its index.csv** (:mod:`arxl.formats.audit.index`): each file there, of the
   size and SHA-256 the index gives.

The job only reads: it takes no lock and writes no journal entry. Clean is exit 0, findings exit 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from arxl.app.journal import snapshot_of
from arxl.app.report import Report
from arxl.app.workbook import existing, readable
from arxl.core.errors import ArxlError
from arxl.formats.audit.index import INDEX, read_index
from arxl.formats.audit.journal import AuditFileError, check_chain, file_sha256, journal_path, read_lines
from arxl.formats.audit.state import read_state, state_path
from arxl.ledger.fingerprint import differences


@dataclass(slots=True)
class Verification:
    """What verify found: the report (the summary line, then one line per finding) and the findings."""

    report: Report
    findings: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def verify(book: Path, pack: Path | None = None) -> Verification:
    """Check the journal, the ledger against the last journaled state and, with ``pack``, the pack's documents."""
    book = existing(book)
    journal = journal_path(book)
    if not journal.is_file():
        raise ArxlError(f"no audit journal beside {book.name}: arxl records one from the first command that "
                        "changes it")
    lines = read_lines(journal)
    findings, last = check_chain(lines)
    findings = [f"[{journal.name}] {finding}" for finding in findings]
    whole = [line.entry for line in lines if line.entry is not None and not line.torn]
    entries = len(whole)
    notes: list[str] = _saved_between(whole, book.name)
    if last is None or last.entry is None:
        findings.append(f"[{journal.name}] holds no whole entry: the ledger cannot be compared")
    else:
        noted, found = _ledger(book, last.number, last.entry)
        notes.extend(noted)
        findings.extend(found)
    documents = 0
    if pack is not None:
        documents, found = _pack(pack)
        findings.extend(found)
    report = Report("audit verify")
    if findings:
        report.say(f"audit verify: {len(findings):,} finding(s) for {book.name}")
    else:
        what = f"; the {documents:,} document(s) of {pack} as indexed" if pack is not None else ""
        report.say(f"audit verify: clean: {entries:,} journal entr{'y' if entries == 1 else 'ies'} chained, the "
                   f"ledger as arxl last left it{what}")
    report.lines.extend(notes)
    report.lines.extend(findings)
    return Verification(report, findings)


def _saved_between(entries: list[dict[str, Any]], book: str) -> list[str]:
    """A note when the workbook was saved outside arxl between two entries (Excel's save is enough): what was
    changed by hand then is in the next entry's state, not told apart from that command's work."""
    numbers = [str(entry.get("seq", "?")) for before, entry in pairwise(entries)
               if entry.get("before") != before.get("after")]
    if not numbers:
        return []
    shown = ", ".join(numbers[:20]) + (f" and {len(numbers) - 20:,} more" if len(numbers) > 20 else "")
    return [f"{book} had been saved outside arxl before entr{'y' if len(numbers) == 1 else 'ies'} {shown} of the "
            "journal: changes made then are in that entry's state, not told apart from its command's work"]


def _ledger(book: Path, line: int, entry: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Notes and findings about the workbook since the journal's last entry (on ``line``)."""
    command = " ".join(book.name if word.endswith(book.name) else word
                       for word in str(entry.get("command", "")).split())  # the workbook by its name, not its path
    since = f"since {str(entry.get('at', '?')).replace('T', ' ')[:16]} UTC, {command}"
    state = state_path(book)
    findings: list[str] = []
    if not state.is_file():
        return [], [f"[{state.name}] is missing: the ledger state of journal line {line} cannot be compared"]
    if file_sha256(state) != entry.get("state"):
        findings.append(f"[{state.name}] is not the state journal line {line} recorded (its SHA-256 differs): it "
                        "was replaced or edited")
    if file_sha256(book) == entry.get("after"):
        return [], findings
    try:
        recorded = read_state(state)
    except AuditFileError as exc:
        return [], [*findings, str(exc)]
    notes = [f"{book.name} was saved outside arxl {since}: its ledger tables are compared with the state arxl "
             "left"]
    found = differences(recorded, snapshot_of(readable(book)))
    findings.extend(f"{difference} (changed outside arxl {since})" for difference in found)
    return notes, findings


def _pack(pack: Path) -> tuple[int, list[str]]:
    """The number of documents an audit pack's index lists, and each one missing or changed."""
    if not pack.is_dir():
        raise ArxlError(f"--pack {pack}: no such folder")
    findings: list[str] = []
    entries = read_index(pack / INDEX)
    for line, entry in entries:
        where = f"[{INDEX}] line {line}: {entry.document or entry.number or entry.path}"
        file = pack / entry.path  # relative to the pack, though it may lead out of it (../invoices/...)
        if not entry.path.strip():
            findings.append(f"{where}: its path is empty")
        elif not file.is_file():
            findings.append(f"{where} is missing ({entry.path})")
        else:
            size = file.stat().st_size
            if size != entry.bytes:
                findings.append(f"{where} ({entry.path}) has changed: {size:,} bytes where the index says "
                                f"{entry.bytes:,}")
            elif file_sha256(file) != entry.sha256:
                findings.append(f"{where} ({entry.path}) has changed: its SHA-256 is not the index's (same size)")
    return len(entries), findings
