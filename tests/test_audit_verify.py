"""``arxl audit verify``: what an auditor is told when the books, the journal or the pack were touched.

A copy of the sample workbook gets three real commands (journaled), then is tampered with as someone would:
an amount typed over in Excel, a receipt's row deleted, a journal line taken out, a PDF of the pack changed.
Each is found, by sheet and cell, journal line or index line; clean is exit 0, a finding exit 3, bad input 2.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.cli import main
from arxl.core.money import figure
from arxl.formats.audit.index import INDEX, index_entry, write_index
from arxl.formats.audit.journal import journal_path
from arxl.formats.audit.state import state_path
from arxl.ledger.fingerprint import differences, snapshot
from arxl.ledger.port import RawTable


@pytest.fixture(scope="module")
def journaled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workbook after three journaled commands: a month locked, June exported, the aging."""
    from arxl.sample import write_sample

    folder = tmp_path_factory.mktemp("journaled")
    book, _ = write_sample(folder / "billing.xlsx")
    (folder / "out").mkdir()
    assert main(["period", "lock", str(book), "2025-05"]) == 0
    assert main(["export", "sage", str(book), "--period", "2025-06", "-o", str(folder / "out" / "sage.csv")]) == 0
    assert main(["aging", str(book), "--as-of", "2025-06-30"]) == 0
    assert len(journal_path(book).read_bytes().splitlines()) == 3
    return book


@pytest.fixture
def book(journaled: Path, tmp_path: Path) -> Path:
    shutil.copytree(journaled.parent, tmp_path / "books")
    return tmp_path / "books" / "billing.xlsx"


def verify(book: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["audit", "verify", str(book), *more])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def test_a_clean_workbook_verifies(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = verify(book, capsys)
    assert code == 0
    assert lines == ["audit verify: clean: 3 journal entries chained, the ledger as arxl last left it"]


def test_an_invoice_amount_typed_over_is_found_at_its_cell_with_both_values(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = load_workbook(book)
    invoices = workbook["Invoices"]
    header = [cell.value for cell in invoices[1]]
    total = header.index("Total Amount") + 1
    row = 14
    number, was = invoices.cell(row, 1).value, invoices.cell(row, total).value
    assert invoices.cell(row, header.index("Currency") + 1).value == "RWF"
    invoices.cell(row, total).value = was + 20_000
    workbook.save(book)

    code, lines = verify(book, capsys)
    assert code == 3
    assert lines[0] == "audit verify: 1 finding(s) for billing.xlsx"
    assert lines[1].startswith("billing.xlsx was saved outside arxl since ")
    letter = invoices.cell(row, total).column_letter
    assert lines[2].startswith(f"[billing.xlsx]Invoices!{letter}{row}: Total Amount of invoice {number} was "
                               f"{figure(Decimal(was), 'RWF')}, is now {figure(Decimal(was + 20_000), 'RWF')} "
                               "(changed outside arxl since ")
    assert lines[2].endswith(" UTC, arxl aging billing.xlsx --as-of 2025-06-30)")


def test_a_hand_edit_before_a_later_command_is_noted_not_hidden(book: Path, capsys: pytest.CaptureFixture[str]
                                                                ) -> None:
    from tests.builders import set_cells

    set_cells(book, "Customers", {"B2": "Renamed by hand Ltd"})
    assert main(["period", "lock", str(book), "2025-04"]) == 0
    code, lines = verify(book, capsys)
    assert code == 0
    assert lines[1] == ("billing.xlsx had been saved outside arxl before entry 4 of the journal: changes made then "
                        "are in that entry's state, not told apart from its command's work")


def test_a_deleted_receipt_is_found_by_its_id(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = load_workbook(book)
    receipts = workbook["Receipts"]
    row = 5
    receipt, day, amount, currency = (receipts.cell(row, c).value for c in range(1, 5))
    receipts.delete_rows(row)
    table = receipts.tables["Receipts"]
    first, last = table.ref.split(":")
    bottom = int("".join(ch for ch in last if ch.isdigit())) - 1
    table.ref = f"{first}:{last.rstrip('0123456789')}{bottom}"
    table.autoFilter.ref = table.ref
    workbook.save(book)

    code, lines = verify(book, capsys)
    assert code == 3
    assert lines[0] == "audit verify: 1 finding(s) for billing.xlsx"
    assert isinstance(day, dt.datetime)
    assert lines[2].startswith(f"[billing.xlsx]Receipts row {row}: receipt {receipt} "
                               f"({figure(Decimal(amount), currency)} {currency}, {day.date().isoformat()}) is gone")


def test_a_journal_line_removed_or_edited_is_found_by_its_line(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = journal_path(book)
    first, second, third = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(first + third)
    code, lines = verify(book, capsys)
    assert code == 3
    assert "[billing.audit-journal.jsonl] journal line 2: its prev hash does not match line 1: a line was removed " \
           "or edited" in lines

    journal.write_bytes(first.replace(b'"seq":1', b'"seq":1 ') + second + third)  # one byte more in line 1
    code, lines = verify(book, capsys)
    assert code == 3 and lines[1:] == ["[billing.audit-journal.jsonl] journal line 2: its prev hash does not match "
                                       "line 1: a line was removed or edited"]


def test_a_torn_last_line_and_a_replaced_state_are_reported(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(journal_path(book), "ab") as journal:
        journal.write(b'{"seq":4,"at":"2026-')
    state_path(book).write_bytes(state_path(book).read_bytes() + b"\0")
    code, lines = verify(book, capsys)
    assert code == 3
    assert lines[1:] == [
        "[billing.audit-journal.jsonl] journal line 4 is torn (a write cut short by a crash or a full disk): the "
        "entry it began is incomplete",
        "[billing.audit-state.json.gz] is not the state journal line 3 recorded (its SHA-256 differs): it was "
        "replaced or edited"]


def test_a_pack_document_changed_or_missing_is_found(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = book.parent / "pack"
    (pack / "invoices").mkdir(parents=True)
    documents = {"invoices/INV-2025-00012.pdf": b"%PDF-1.4 the invoice", "invoices/INV-2025-00013.pdf": b"%PDF-1.4 x",
                 "confirmations/C002.pdf": b"%PDF-1.4 the letter"}
    for name, data in documents.items():
        (pack / name).parent.mkdir(exist_ok=True)
        (pack / name).write_bytes(data)
    write_index(pack / INDEX, [index_entry(pack, pack / name, f"Document {Path(name).stem}", "pdf", Path(name).stem,
                                           dt.date(2025, 7, 31)) for name in documents])
    code, lines = verify(book, capsys, "--pack", str(pack))
    assert code == 0 and lines[0].endswith(f"; the 3 document(s) of {pack} as indexed")

    (pack / "invoices/INV-2025-00012.pdf").write_bytes(b"%PDF-1.4 the invoice, edited")
    (pack / "invoices/INV-2025-00013.pdf").write_bytes(b"%PDF-1.4 y")  # the same size, other bytes
    (pack / "confirmations/C002.pdf").unlink()
    code, lines = verify(book, capsys, "--pack", str(pack))
    assert code == 3
    assert lines == [
        "audit verify: 3 finding(s) for billing.xlsx",
        "[index.csv] line 2: Document INV-2025-00012 (invoices/INV-2025-00012.pdf) has changed: 28 bytes where the "
        "index says 20",
        "[index.csv] line 3: Document INV-2025-00013 (invoices/INV-2025-00013.pdf) has changed: its SHA-256 is not "
        "the index's (same size)",
        "[index.csv] line 4: Document C002 is missing (confirmations/C002.pdf)"]


def test_bad_input_exits_2_with_the_reason(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal_path(book).unlink()
    code, lines = verify(book, capsys)
    assert code == 2
    assert lines == ["arxl: no audit journal beside billing.xlsx: arxl records one from the first command that "
                     "changes it"]
    code, lines = verify(tmp_path / "missing.xlsx", capsys)
    assert code == 2 and lines == [f"arxl: file not found: {tmp_path / 'missing.xlsx'}"]


def test_allocations_are_known_by_receipt_invoice_and_date_and_a_row_typed_in_is_added() -> None:
    headers = ["Receipt ID", "Invoice No", "Date", "Currency", "Applied", "Deduction"]
    day = dt.date(2025, 7, 3)
    rows = [["RCP-1", "INV-1", day, "RWF", 800000.0, 0.0], ["RCP-1", "INV-1", day, "RWF", 200000.0, 0.0]]
    before = snapshot({"Allocations": RawTable("billing.xlsx", "Allocations", 1, 1, headers, rows, [2, 3])},
                      "billing.xlsx")
    rows = [rows[0], ["RCP-1", "INV-1", day, "RWF", 250000.0, 0.0], ["RCP-9", "INV-1", day, "RWF", 1.0, 0.0]]
    now = snapshot({"Allocations": RawTable("billing.xlsx", "Allocations", 1, 1, headers, rows, [2, 3, 4])},
                   "billing.xlsx")
    assert [str(d) for d in differences(before, now)] == [
        "[billing.xlsx]Allocations!E3: Applied of allocation RCP-1 / INV-1 / 2025-07-03 #2 was 200,000, is now "
        "250,000",
        "[billing.xlsx]Allocations row 4: allocation RCP-9 / INV-1 / 2025-07-03 (1 RWF, 2025-07-03) was added "
        "outside arxl"]


def test_the_pack_arxl_wrote_verifies_and_its_workbook_changed_is_found(book: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    pack = book.parent / "pack"
    assert main(["audit", "pack", str(book), "--period", "2025-06", "--out", str(pack)]) == 0
    code, lines = verify(book, capsys, "--pack", str(pack))
    assert code == 0, lines
    workbook = pack / "audit-pack-2025-06.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"\0")
    code, lines = verify(book, capsys, "--pack", str(pack))
    assert code == 3
    assert any(line.startswith("[index.csv] line ") and "(audit-pack-2025-06.xlsx) has changed: " in line
               for line in lines), lines
