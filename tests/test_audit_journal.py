"""The action journal beside the workbook: what the accountant's commands and buttons leave there.

Real commands run through ``arxl.cli.main`` on a copy of the sample workbook; an auditor reads the journal line
by line: who ran what, when, the workbook's hash before and after, the files read and written, each entry
chained to the one before.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import arxl.macros as macros
from arxl.app.journal import snapshot_of
from arxl.cli import main
from arxl.formats.audit.journal import GENESIS, check_chain, journal_path, read_lines
from arxl.formats.audit.state import read_state, state_path
from arxl.formats.xlsx.host import FileHost


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from arxl.sample import write_sample

    book, _ = write_sample(tmp_path_factory.mktemp("sample") / "billing.xlsx")
    return book


@pytest.fixture
def book(sample_book: Path, tmp_path: Path) -> Path:
    shutil.copy(sample_book, tmp_path / "billing.xlsx")
    shutil.copy(sample_book.with_name("billing-statement-2025-07.csv"), tmp_path / "statement.csv")
    return tmp_path / "billing.xlsx"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entries(book: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal_path(book).read_text(encoding="ascii").splitlines()]


def test_two_commands_give_two_chained_entries_with_user_command_and_hashes(book: Path) -> None:
    first_before = sha256(book)
    assert main(["period", "lock", str(book), "2025-05"]) == 0
    after_lock = sha256(book)
    (book.parent / "out").mkdir()
    sage = book.parent / "out" / "sage-2025-06.csv"
    assert main(["export", "sage", str(book), "--period", "2025-06", "-o", str(sage)]) == 0

    lock, export = entries(book)
    assert (lock["seq"], export["seq"]) == (1, 2)
    assert lock["user"] == export["user"] == getpass.getuser()
    assert lock["command"] == f"arxl period lock {book} 2025-05"
    assert export["command"] == f"arxl export sage {book} --period 2025-06 -o {sage}"
    assert lock["at"].endswith("Z") and lock["book"] == "billing.xlsx"
    assert (lock["before"], lock["after"], export["before"]) == (first_before, after_lock, after_lock)
    assert export["after"] == sha256(book)
    # the chain: the first entry starts it, the second holds the hash of the first line's exact bytes
    first_line = journal_path(book).read_bytes().split(b"\n")[0]
    assert lock["prev"] == GENESIS and export["prev"] == hashlib.sha256(first_line).hexdigest()
    # what the export wrote, each file by its hash; the file it was told to write is no input
    assert export["outputs"] == {"out/sage-2025-06.csv": sha256(sage),
                                 "out/sage-2025-06-allocations.csv": sha256(sage.with_name(
                                     "sage-2025-06-allocations.csv"))}
    assert export["inputs"] == {}
    # the ledger state beside the workbook is the one the last entry pins, and holds the lock's event
    assert sha256(state_path(book)) == export["state"]
    # the export changed some tables: the others were kept from the lock's state unread, and the whole is the
    # workbook's as a fresh read gives it
    assert 0 < sum(export["tables"][t] == lock["tables"][t] for t in lock["tables"]) < len(lock["tables"])
    assert read_state(state_path(book)) == json.loads(json.dumps(snapshot_of(FileHost(book))))
    periods = read_state(state_path(book))["tables"]["Periods"]
    assert [row[2][:2] for row in periods["rows"]] == [["2025-05", "locked"]]
    assert check_chain(read_lines(journal_path(book)))[0] == []


def test_the_file_a_command_read_is_hashed_as_its_input(book: Path) -> None:
    statement = book.parent / "statement.csv"
    assert main(["reconcile", "propose", str(book), "--statement", str(statement)]) == 0
    (entry,) = entries(book)
    assert entry["inputs"] == {"statement.csv": sha256(statement)}
    assert entry["after"] == sha256(book) != entry["before"]


def test_a_refused_command_and_a_read_only_one_write_no_entry(book: Path) -> None:
    assert main(["invoices", "credit", str(book), "INV-NOPE", "--amount", "1", "--reason", "typo"]) == 2
    assert main(["validate", str(book)]) == 0
    assert not journal_path(book).exists() and not state_path(book).exists()
    assert main(["period", "lock", str(book), "2025-05"]) == 0
    journal, state = journal_path(book).read_bytes(), state_path(book).read_bytes()
    assert main(["invoices", "credit", str(book), "INV-NOPE", "--amount", "1", "--reason", "typo"]) == 2
    assert main(["period", "lock", str(book), "2025-05"]) == 0  # locked already: nothing changed, nothing written
    assert (journal_path(book).read_bytes(), state_path(book).read_bytes()) == (journal, state)
    assert [e["command"].split()[1:3] for e in entries(book)] == [["period", "lock"]]


def test_a_ribbon_button_records_an_entry(book: Path) -> None:
    host = FileHost(book)
    before = sha256(book)
    report = macros.run("refresh_aging", host)
    assert not report.refused
    (entry,) = entries(book)
    assert entry["command"] == "arxl ribbon: Refresh aging"
    assert (entry["before"], entry["after"]) == (before, sha256(book))
    assert entry["user"] == getpass.getuser() and entry["prev"] == GENESIS


def test_an_unwritable_journal_is_a_warning_and_the_work_stands(book: Path, capsys: pytest.CaptureFixture[str]
                                                                  ) -> None:
    journal_path(book).mkdir()  # the journal's name taken by a folder: it cannot be opened for appending
    before = sha256(book)
    assert main(["period", "lock", str(book), "2025-05"]) == 0
    assert sha256(book) != before  # the lock is in the workbook
    warning = capsys.readouterr().err
    assert "warning: the audit journal beside billing.xlsx could not be written" in warning
    assert "the command's work is saved" in warning


def test_an_entry_after_a_torn_line_starts_on_a_new_line_chained_to_the_last_whole_one(book: Path) -> None:
    assert main(["period", "lock", str(book), "2025-05"]) == 0
    journal = journal_path(book)
    whole = journal.read_bytes()
    with open(journal, "ab") as file:
        file.write(b'{"seq":2,"at":"2025-')  # a crash in the middle of a write
    assert main(["period", "lock", str(book), "2025-06"]) == 0
    lines = read_lines(journal)
    assert [line.torn for line in lines] == [False, True, False]
    assert lines[2].entry is not None and lines[2].entry["seq"] == 2
    assert lines[2].entry["prev"] == hashlib.sha256(whole.rstrip(b"\n")).hexdigest()
    findings, last = check_chain(lines)
    assert findings == ["journal line 2 is torn (a write cut short by a crash or a full disk): the entry it began "
                        "is incomplete"]
    assert last is lines[2]


def test_a_close_that_stops_for_decisions_is_journaled_with_what_it_did(book: Path, tmp_path: Path) -> None:
    statement = book.with_name("statement.csv")
    before = sha256(book)
    assert main(["close", str(book), "--period", "2025-07", "--statement", str(statement), "--today", "2025-07-31",
                 "--out", str(tmp_path / "out")]) == 2  # stopped: the bank lines await the accountant
    (entry,) = entries(book)
    assert entry["before"] == before and entry["after"] == sha256(book) != before
    invoices = [name for name in entry["outputs"] if name.endswith("INV-2025-00394.xlsx")]
    assert len(invoices) == 1 and statement.name in entry["inputs"]
