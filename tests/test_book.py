"""The billing workbook: reading, validating with cell references, locks and atomic saves."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.cli import main
from arxl.core.errors import WorkbookLocked
from arxl.formats.xlsx.book import open_ledger, validate
from arxl.formats.xlsx.save import atomic_save, backup_path
from tests.builders import header_cell, set_cells, small_book


def messages(path: Path) -> list[str]:
    return [str(p) for p in validate(path) if p.severity == "error"]


def test_small_book_is_valid_and_typed(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    assert messages(book) == []
    ledger, problems = open_ledger(book)
    assert problems == []
    first, second = ledger.invoices.rows
    assert first.total_amount == Decimal(708000) and isinstance(first.total_amount, Decimal)
    assert second.net_amount == Decimal("1250.50")
    assert first.due_date == dt.date(2025, 7, 1)
    assert ledger.settings.company_name == "Kigali Cloud & Systems Ltd"
    assert ledger.settings.vat_rounding == "invoice"  # default when the key is absent
    assert ledger.invoices.where(1, "net_amount").cell == f"{header_cell(book, 'Invoices', 'Net Amount')}3"


def test_planted_mistakes_are_each_named_by_cell(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    net = header_cell(book, "Invoices", "Net Amount")
    due = header_cell(book, "Invoices", "Due Date")
    customer = header_cell(book, "Invoices", "Customer ID")
    number = header_cell(book, "Invoices", "Invoice No")
    vat = header_cell(book, "Invoices", "VAT Amount")
    set_cells(book, "Invoices", {
        f"{net}2": "12,5OO",                 # text in an amount
        f"{due}3": "31/02/2025",             # a date that is not a date
        f"{vat}3": "#N/A",                   # an Excel error where an amount should be
    })
    set_cells(book, "Contracts", {f"{header_cell(book, 'Contracts', 'Customer ID')}2": "C999"})
    set_cells(book, "Receipts", {f"{header_cell(book, 'Receipts', 'Customer ID')}2": "C404"})
    set_cells(book, "InvoiceLines", {f"{number}3": "INV-2025-00001"})  # a line now points at invoice 1
    found = messages(book)
    assert f'[billing.xlsx]Invoices!{net}2: Net Amount "12,5OO" is not a number' in found
    assert f'[billing.xlsx]Invoices!{due}3: Due Date "31/02/2025" is not a date' in found
    assert f"[billing.xlsx]Invoices!{vat}3: VAT Amount is the Excel error #N/A" in found
    # a contract's mistake is a warning: it holds back that customer's billing, not every command
    assert ('[billing.xlsx]Contracts!B2: customer "C999" is not in Customers', "warning") in {
        (str(p), p.severity) for p in validate(book)}
    assert any(m.startswith("[billing.xlsx]Receipts!") and '"C404" is not in Customers' in m for m in found)
    assert customer  # the Invoices customer column exists; its cells are fine


def test_duplicate_invoice_number_names_both_rows(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    set_cells(book, "Invoices", {f"{header_cell(book, 'Invoices', 'Invoice No')}3": "INV-2025-00001"})
    found = messages(book)
    assert "[billing.xlsx]Invoices!A3: INV-2025-00001 is a duplicate: it is already in row 2" in found


def test_missing_required_column_is_reported_at_the_header(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    set_cells(book, "Invoices", {f"{header_cell(book, 'Invoices', 'Due Date')}1": "Due"})
    found = messages(book)
    assert any(m.startswith("[billing.xlsx]Invoices!A1: required column \"Due Date\" is missing") for m in found)


def test_rwf_amount_with_decimals_and_wrong_total(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    total = header_cell(book, "Invoices", "Total Amount")
    set_cells(book, "Invoices", {f"{total}2": 708000.5})
    found = messages(book)
    assert f"[billing.xlsx]Invoices!{total}2: 708000.5 has more decimals than RWF allows (0)" in found
    assert f"[billing.xlsx]Invoices!{total}2: Total Amount 708000.5 is not Net 600000 + VAT 108000 = 708000" \
        in found


def test_unknown_setting_is_a_warning_and_bad_setting_an_error(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    set_cells(book, "Settings", {"A6": "Invoice Seris", "B6": "INV", "A7": "Aging Buckets", "B7": "30,20"})
    problems = validate(book)
    assert any(p.severity == "warning" and "Invoice Seris" in p.message and p.where.cell == "A6"
               for p in problems)
    assert any(p.severity == "error" and p.where.cell == "A7" and "given twice" in p.message for p in problems)


def test_cli_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    assert main(["validate", str(book)]) == 0
    net = header_cell(book, "Invoices", "Net Amount")
    set_cells(book, "Invoices", {f"{net}2": "12,5OO"})
    assert main(["validate", str(book)]) == 2
    captured = capsys.readouterr()
    assert f'Invoices!{net}2: Net Amount "12,5OO" is not a number' in captured.err
    assert "Traceback" not in captured.err
    assert main(["validate", str(tmp_path / "nothing.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_text_from_outside_is_never_a_formula(tmp_path: Path) -> None:
    from arxl.formats.xlsx.writer import write_book
    from tests.builders import small_tables

    tables = small_tables()
    customer = tables["Customers"][0].model_copy(update={"name": '=HYPERLINK("http://evil.example","x")'})
    tables["Customers"][0] = customer
    book = write_book(tmp_path / "billing.xlsx", tables)
    cell = load_workbook(book)["Customers"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    ledger, _ = open_ledger(book)
    assert ledger.customers.rows[0].name == '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize("lock", ["~$billing.xlsx", ".~lock.billing.xlsx#"])
def test_open_workbook_is_not_written(tmp_path: Path, lock: str) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    before = book.read_bytes()
    (tmp_path / lock).write_text("owner")
    with pytest.raises(WorkbookLocked, match="is open in"):
        atomic_save(book, lambda temp: temp.write_bytes(b"new"))
    assert book.read_bytes() == before
    assert main(["sample", str(book)]) == 2


def test_atomic_save_keeps_a_backup_and_refuses_a_broken_write(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    first = book.read_bytes()
    small_book(book)
    assert backup_path(book).read_bytes() == first
    with pytest.raises(Exception, match=r"incomplete|could not be written"):
        atomic_save(book, lambda temp: temp.write_bytes(b"PK\x03\x04 torn"))
    assert load_workbook(book)["Invoices"]["A2"].value == "INV-2025-00001"
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_save_checking_only_its_new_parts_still_refuses_a_bad_one(tmp_path: Path) -> None:
    """The fast route names the parts it wrote; a part it copied is still found if the file is cut short, and
    a written part with a wrong checksum is refused. The backup is the previous version, byte for byte."""
    import zipfile

    book = small_book(tmp_path / "billing.xlsx")
    first = book.read_bytes()

    def rewrite(temp: Path, damage: str) -> None:
        with zipfile.ZipFile(book) as source, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                out.writestr(info, source.read(info))
        data = bytearray(temp.read_bytes())
        if damage == "checksum":  # flip a byte inside the (stored-first) workbook part's compressed data
            with zipfile.ZipFile(temp) as package:
                info = package.getinfo("xl/workbook.xml")
            data[info.header_offset + 30 + len(info.filename) + 5] ^= 0xFF
        elif damage == "cut":
            del data[len(data) // 2:]
        temp.write_bytes(bytes(data))

    for damage in ("checksum", "cut"):
        with pytest.raises(Exception, match=r"incomplete|could not be written"):
            atomic_save(book, lambda temp, d=damage: rewrite(temp, d), written={"xl/workbook.xml"})
        assert book.read_bytes() == first
    atomic_save(book, lambda temp: rewrite(temp, ""), written={"xl/workbook.xml"})
    assert backup_path(book).read_bytes() == first
    assert book.stat().st_ino != backup_path(book).stat().st_ino
    assert load_workbook(book)["Invoices"]["A2"].value == "INV-2025-00001"


SAVER = textwrap.dedent("""
    import sys
    from openpyxl import Workbook
    from arxl.formats.xlsx.save import atomic_save
    book = Workbook()
    sheet = book.active
    for n in range(40000):
        sheet.append([f"INV-{n:06d}", n * 1.5, "new version", n, n * 2, "x" * 20, n, n, n, n])
    print("saving", flush=True)
    atomic_save(sys.argv[1], lambda temp: book.save(temp))
    print("saved", flush=True)
""")


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.4, 1.0, 2.0])
def test_killed_save_leaves_the_previous_workbook_intact(tmp_path: Path, delay: float) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    before = book.read_bytes()
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    process = subprocess.Popen([sys.executable, str(script), str(book)], stdout=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parents[1])
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "saving"
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    data = book.read_bytes()
    if data == before:
        assert load_workbook(book)["Invoices"]["A2"].value == "INV-2025-00001"
    else:  # the kill came after the replace: the new version is whole
        assert load_workbook(book, read_only=True).active["C1"].value == "new version"
    # the next save cleans the dead process's temporary file and succeeds
    small_book(book)
    assert not list(tmp_path.glob(".billing.xlsx.arxl-*.tmp"))
    assert load_workbook(book)["Invoices"]["A2"].value == "INV-2025-00001"


def test_build_row_is_model_construct() -> None:
    from arxl.ledger.records import Invoice, build_row

    values = {name: info.default if not info.is_required() else None for name, info in Invoice.model_fields.items()}
    values.update(invoice_no="INV-2025-00001", invoice_date=dt.date(2025, 7, 1), due_date=dt.date(2025, 7, 31),
                  customer_id="C001", currency="RWF", net_amount=Decimal(1000), vat_amount=Decimal(180),
                  total_amount=Decimal(1180))
    built = build_row(Invoice, dict(values))
    assert built == Invoice.model_construct(**values)
    assert built == Invoice.model_validate(values)
    assert built.model_dump() == values
    with pytest.raises(Exception, match="frozen"):
        built.net_amount = Decimal(0)  # type: ignore[misc]


def test_a_stray_far_cell_is_refused_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One cell at XFD1048576 would make the fast reader allocate the whole sheet and abort the process."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Customers"
    sheet["A1"] = "Customer ID"
    sheet["XFD1048576"] = "x"
    book.save(tmp_path / "far.xlsx")
    assert main(["validate", str(tmp_path / "far.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "spans 16,384 columns by 1,048,576 rows" in err and "Traceback" not in err


def test_sample_into_a_new_folder_and_a_save_into_a_missing_one(tmp_path: Path) -> None:
    assert main(["sample", str(tmp_path / "new" / "billing.xlsx")]) == 0
    assert (tmp_path / "new" / "billing.xlsx").exists()
    with pytest.raises(Exception, match="does not exist"):
        atomic_save(tmp_path / "missing" / "b.xlsx", lambda temp: temp.write_bytes(b""))
