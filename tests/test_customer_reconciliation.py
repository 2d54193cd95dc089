"""Customer statement reconciliation: the customer's own file against our ledger, difference by difference.

The ledger (:func:`tables`), in July 2025:

* C001 Ministry of ICT (RWF, withholds VAT and 3 % WHT): INV-2025-00040 590,000 of 20/06 paid on 25/06 (R-3);
  INV-2025-00041 1,180,000 of 01/07; INV-2025-00042 1,180,000 of 03/07, on which R-1 (12/07) applied 970,000;
  INV-2025-00043 236,000 (200,000 + VAT) of 10/07; CN-2025-00001 -118,000 of 15/07 on INV-2025-00041;
  INV-2025-00044 354,000 of 20/07; R-2 500,000 of 25/07 not yet applied. Balance at 28/07: 1,362,000.
* C002 Acme Holdings (USD): INV-2025-00050 1,250.50 of 02/07, paid 20/07 by R-5, 1,225.50 + 25.00 bank
  charges; INV-2025-00051 800.00 of 15/07. Balance at 31/07: 800.00.
* C003 Irembo Ltd (RWF): INV-2025-00045 59,000 of 05/07.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from arxl.cashapp.customer import reconcile_customer
from arxl.cli import main
from arxl.core.errors import ArxlError
from arxl.formats.customer_file import read_their_file, read_their_text, write_differences
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.formats.xlsx.writer import set_text, write_book
from arxl.ledger.records import Allocation, Customer, Invoice, Receipt, Row, Setting, TaxCodeRow
from arxl.ledger.their import CustomerReconciliation, Difference

d = dt.date
HYPERLINK = '=HYPERLINK("http://evil.example/x","INV")'


def invoice(no: str, day: dt.date, customer: str, net: str, vat: str, currency: str = "RWF",
            **extra: str) -> Invoice:
    return Invoice(invoice_no=no, invoice_date=day, due_date=day + dt.timedelta(days=30), customer_id=customer,
                   currency=currency, net_amount=D(net), vat_amount=D(vat), total_amount=D(net) + D(vat),
                   **extra)  # type: ignore[arg-type]


def tables() -> dict[str, list[Row]]:
    return {
        "Settings": [Setting(key="Company Name", value="Kigali Cloud & Systems Ltd"),
                     Setting(key="Base Currency", value="RWF")],
        "TaxCodes": [TaxCodeRow(code="VAT18", rate=D("0.18"), effective_from=d(2023, 1, 1))],
        "Customers": [
            Customer(customer_id="C001", name="Ministry of ICT and Innovation", aliases="MINICT",
                     customer_type="government", withholding="vat,wht3", currency="RWF"),
            Customer(customer_id="C002", name="Acme Holdings Inc", customer_type="foreign", currency="USD"),
            Customer(customer_id="C003", name="Irembo Ltd", customer_type="private", currency="RWF"),
        ],
        "Invoices": [
            invoice("INV-2025-00040", d(2025, 6, 20), "C001", "500000", "90000"),
            invoice("INV-2025-00041", d(2025, 7, 1), "C001", "1000000", "180000"),
            invoice("INV-2025-00042", d(2025, 7, 3), "C001", "1000000", "180000"),
            invoice("INV-2025-00045", d(2025, 7, 5), "C003", "50000", "9000"),
            invoice("INV-2025-00043", d(2025, 7, 10), "C001", "200000", "36000"),
            invoice("CN-2025-00001", d(2025, 7, 15), "C001", "-100000", "-18000", doc_type="credit_note",
                    original_invoice="INV-2025-00041"),
            invoice("INV-2025-00044", d(2025, 7, 20), "C001", "300000", "54000"),
            invoice("INV-2025-00050", d(2025, 7, 2), "C002", "1250.50", "0", "USD"),
            invoice("INV-2025-00051", d(2025, 7, 15), "C002", "800.00", "0", "USD"),
        ],
        "Receipts": [
            Receipt(receipt_id="R-3", date=d(2025, 6, 25), amount=D(590000), currency="RWF", customer_id="C001"),
            Receipt(receipt_id="R-1", date=d(2025, 7, 12), amount=D(970000), currency="RWF", customer_id="C001"),
            Receipt(receipt_id="R-2", date=d(2025, 7, 25), amount=D(500000), currency="RWF", customer_id="C001"),
            Receipt(receipt_id="R-5", date=d(2025, 7, 20), amount=D("1225.50"), currency="USD",
                    customer_id="C002", bank_reference="FT25201USD"),
        ],
        "Allocations": [
            Allocation(receipt_id="R-3", invoice_no="INV-2025-00040", date=d(2025, 6, 25), currency="RWF",
                       applied_amount=D(590000)),
            Allocation(receipt_id="R-1", invoice_no="INV-2025-00042", date=d(2025, 7, 12), currency="RWF",
                       applied_amount=D(970000)),
            Allocation(receipt_id="R-5", invoice_no="INV-2025-00050", date=d(2025, 7, 20), currency="USD",
                       applied_amount=D("1225.50"), deduction_amount=D("25.00"), deduction_type="bank_charges"),
        ],
    }


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "billing.xlsx", tables())


# Their accounts-payable ledger of our account: our invoices are credits, their payments debits.
SUPPLIER_LEDGER = """Ministry of ICT and Innovation - Supplier ledger
Supplier:,Kigali Cloud & Systems Ltd

Date,Reference,Description,Debit,Credit,Balance
01/07/2025,,Opening balance,,,0.00
02/07/2025,INV/2025/41,Hosting July,,"1,180,000.00","1,180,000.00"
04/07/2025,2025-00042,Data centre services,,"1,180,000.00","2,360,000.00"
05/07/2025,INV-2025-00045,Cloud backup,,"59,000.00","2,419,000.00"
11/07/2025,PMT INV-2025-00042,Payment by EFT,"1,180,000.00",,"1,239,000.00"
12/07/2025,INV-2025-00043,ICT training,,"200,000.00","1,439,000.00"
16/07/2025,CN-2025-00001,Credit note on INV-41,"118,000.00",,"1,321,000.00"
18/07/2025,KCS-778,Consulting,,"75,000.00","1,396,000.00"
28/07/2025,,EFT transfer,"400,000.00",,"996,000.00"
"""


def run(book: Path, their: Path, customer: str = "C001", **options: object) -> CustomerReconciliation:
    ledger, problems = open_ledger(book)
    assert not problems
    return reconcile_customer(ledger, customer, read_their_file(their), **options)  # type: ignore[arg-type]


def by_kind(result: CustomerReconciliation) -> dict[str, list[Difference]]:
    found: dict[str, list[Difference]] = {}
    for difference in result.differences:
        found.setdefault(difference.kind, []).append(difference)
    return found


def figures(difference: Difference) -> tuple[str, str, str, D | None, D | None, D]:
    return (difference.their_reference, difference.our_document, difference.kind, difference.their_amount,
            difference.our_amount, difference.difference)


def test_a_supplier_ledger_against_our_ledger(book: Path, tmp_path: Path) -> None:
    their = tmp_path / "minict-ap.csv"
    their.write_text(SUPPLIER_LEDGER, encoding="utf-8")
    result = run(book, their)
    assert result.convention.startswith("their supplier ledger: our invoices are credits")
    assert (result.first_date, result.as_of) == (d(2025, 7, 1), d(2025, 7, 28))
    assert [figures(x) for x in result.differences] == [
        ("INV-2025-00045", "INV-2025-00045", "another customer's document", D(59000), None, D(59000)),
        ("PMT INV-2025-00042", "R-1 (INV-2025-00042)", "payment amount differs", D(-1180000), D(-970000),
         D(-210000)),
        ("INV-2025-00043", "INV-2025-00043", "amount differs", D(200000), D(236000), D(-36000)),
        ("KCS-778", "", "missing on ours", D(75000), None, D(75000)),
        ("", "INV-2025-00044", "missing on theirs", None, D(354000), D(-354000)),
        ("", "R-2", "receipt not on theirs", None, D(-500000), D(500000)),
        ("EFT transfer", "", "payment not received by us", D(-400000), None, D(-400000)),
    ]
    kinds = by_kind(result)
    assert "billed to C003 (Irembo Ltd)" in kinds["another customer's document"][0].note
    assert kinds["amount differs"][0].note == "they recorded the net amount without VAT (36,000 RWF)"
    assert (result.documents_agreed, result.payments_agreed) == (3, 0)  # INV-41 and INV-42 (respelt), CN-1
    assert (result.their_opening, result.our_opening) == (D(0), D(0))
    assert (result.their_closing, result.our_closing) == (D(996000), D(1362000))
    assert (result.balance_difference, result.explained, result.unexplained) == (D(-366000), D(-366000), D(0))


def test_an_invoice_number_written_their_way_still_matches(book: Path, tmp_path: Path) -> None:
    their = tmp_path / "ap.csv"
    their.write_text(SUPPLIER_LEDGER, encoding="utf-8")
    result = run(book, their)
    named = {x.our_document for x in result.differences}
    assert not named & {"INV-2025-00041", "INV-2025-00042"}  # "INV/2025/41" and "2025-00042" are ours


def test_a_payment_short_by_the_customers_withholding_is_named_as_withholding(book: Path, tmp_path: Path) -> None:
    their = tmp_path / "ap.csv"
    their.write_text(SUPPLIER_LEDGER, encoding="utf-8")
    short = by_kind(run(book, their))["payment amount differs"][0]
    assert short.difference == D(-210000)
    assert short.note == ("they count 1,180,000 RWF, we received 970,000 RWF on 12/07/2025: 210,000 RWF is the "
                          "customer's withholding on INV-2025-00042 (VAT withheld 180,000 RWF + WHT 3% 30,000 RWF): "
                          "ask for the withholding certificate and record it")


def test_an_unexplained_remainder_is_shown(book: Path, tmp_path: Path) -> None:
    their = tmp_path / "ap.csv"
    their.write_text(SUPPLIER_LEDGER + ",,Closing balance,,,\"1,000,000.00\"\n", encoding="utf-8")
    result = run(book, their)
    assert (result.their_closing, result.our_closing) == (D(1000000), D(1362000))
    assert (result.explained, result.unexplained) == (D(-366000), D(4000))
    assert any("996,000" in note for note in result.notes)


def mirror_workbook(path: Path, rows: list[tuple[object, ...]]) -> Path:
    """Our statement as the customer keeps it: a title, then Date, Type, Document No, Details, Debit, Credit,
    Balance (invoices are debits)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kigali Cloud"
    sheet.append(["Acme Holdings Inc - account of Kigali Cloud & Systems Ltd (USD)"])
    sheet.append([])
    sheet.append(["Date", "Type", "Document No", "Details", "Debit", "Credit", "Balance"])
    for values in rows:
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                set_text(cell, cell.value)
    book.save(path)
    return path


MIRROR_ROWS: list[tuple[object, ...]] = [
    (dt.datetime(2025, 7, 1), None, None, "Balance b/f", None, None, 0),
    (dt.datetime(2025, 7, 2), "Invoice", "INV-2025-00050", "Licences", 1250.5, None, 1250.5),
    (dt.datetime(2025, 7, 15), "Invoice", "INV-2025-00051", "Support July", 800, None, 2050.5),
    (dt.datetime(2025, 7, 19), "Payment", "TT-0719", "Transfer to Kigali Cloud", None, 1250.5, 800),
]


def test_a_mirror_of_our_statement_in_xlsx_agrees_with_bank_charges_counted_as_paid(book: Path,
                                                                                     tmp_path: Path) -> None:
    their = mirror_workbook(tmp_path / "acme.xlsx", MIRROR_ROWS)
    in_transit = run(book, their, "C002")  # as of their last date, 19/07: we banked it on 20/07
    assert [figures(x) for x in in_transit.differences] == [
        ("TT-0719", "R-5 (INV-2025-00050)", "after the as-of date", D("-1250.50"), D("0.00"), D("-1250.50"))]
    assert in_transit.unexplained == D(0)
    result = run(book, their, "C002", as_of=d(2025, 7, 31))
    assert result.currency == "USD"
    assert result.convention.startswith("a mirror of our statement: our invoices are debits")
    assert result.differences == ()
    assert (result.documents_agreed, result.payments_agreed) == (2, 1)  # 1,250.50 paid = 1,225.50 + 25.00 charges
    assert (result.their_closing, result.our_closing, result.unexplained) == (D("800.00"), D("800.00"), D(0))


def test_our_own_statement_sent_back_matches_by_our_references(book: Path, tmp_path: Path) -> None:
    # as arxl's statement of account lists them: the payment by its bank reference, the charges as a deduction
    rows = [*MIRROR_ROWS[:3],
            (dt.datetime(2025, 7, 20), "Payment", "FT25201USD", "Payment received: INV-2025-00050", None, 1225.5,
             825),
            (dt.datetime(2025, 7, 20), "Deduction", "INV-2025-00050", "Bank charges on INV-2025-00050", None, 25,
             800),
            (dt.datetime(2025, 7, 21), "Journal", "JV-77", "Exchange difference", 3.1, None, 803.1),
            (dt.datetime(2025, 7, 22), "Invoice", "INV-2025-00051", "Support July (copy)", 800, None, 1603.1)]
    result = run(book, mirror_workbook(tmp_path / "statement.xlsx", rows), "C002")
    assert [figures(x) for x in result.differences] == [
        ("JV-77", "", "entry we cannot place", D("3.10"), None, D("3.10")),
        ("INV-2025-00051", "INV-2025-00051", "listed twice on theirs", D("800.00"), None, D("800.00")),
    ]
    assert (result.documents_agreed, result.payments_agreed) == (2, 2)
    assert (result.their_closing, result.our_closing, result.unexplained) == (D("1603.10"), D("800.00"), D(0))


def test_a_formula_from_their_file_is_written_as_text(book: Path, tmp_path: Path) -> None:
    rows = [*MIRROR_ROWS, (dt.datetime(2025, 7, 31), "Invoice", HYPERLINK, "Click me", 99.99, None, 899.99)]
    their = mirror_workbook(tmp_path / "acme.xlsx", rows)
    out = tmp_path / "differences.xlsx"
    assert main(["reconcile", "customer", str(book), "C002", "--their", str(their), "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["Differences"]
    header = [c.value for c in sheet[1]]
    assert header == ["Kind", "Date", "Their Reference", "Our Document", "Their Amount", "Our Amount",
                      "Difference", "Currency", "Note"]
    row = list(sheet[2])
    assert row[0].value == "missing on ours"
    assert (row[2].value, row[2].data_type) == (HYPERLINK, "s")
    assert (row[4].value, row[6].value, row[7].value) == (99.99, 99.99, "USD")
    with zipfile.ZipFile(out) as package:
        xml = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml
    csv_out = tmp_path / "differences.csv"
    assert main(["reconcile", "customer", str(book), "C002", "--their", str(their), "-o", str(csv_out)]) == 0
    lines = list(csv.reader(io.StringIO(csv_out.read_text(encoding="utf-8-sig"))))
    assert lines[1][:3] == ["missing on ours", "2025-07-31", "'" + HYPERLINK]  # Excel shows it as text
    assert lines[1][4:8] == ["99.99", "", "99.99", "USD"]


def test_a_remittance_advice_names_the_withholding_we_have_not_recorded(book: Path, tmp_path: Path) -> None:
    their = tmp_path / "advice.csv"
    their.write_text("REMITTANCE ADVICE\nMinistry of ICT and Innovation\nPayment date: 12/07/2025\n\n"
                     "Invoice No,Invoice Date,Gross Amount,VAT Withheld,WHT 3%,Net Paid\n"
                     'INV 2025 42,03/07/2025,"1,180,000","180,000","30,000","970,000"\n', encoding="utf-8")
    result = run(book, their)
    assert (result.remittance, result.convention) == (True, "remittance advice")
    assert [figures(x) for x in result.differences] == [
        ("remittance advice", "R-1 (INV-2025-00042)", "withholding not recorded by us", D(-1180000), D(-970000),
         D(-210000))]
    assert "210,000 RWF is the customer's withholding on INV-2025-00042" in result.differences[0].note
    assert result.documents_agreed == 1
    assert result.their_closing is None and result.unexplained is None  # an advice states no balance


def test_withholding_rows_against_our_deductions(tmp_path: Path) -> None:
    rows = tables()
    rows["Allocations"][1:2] = [
        Allocation(receipt_id="R-1", invoice_no="INV-2025-00042", date=d(2025, 7, 12), currency="RWF",
                   applied_amount=D(970000), deduction_amount=D(180000), deduction_type="vat_withheld"),
        Allocation(receipt_id="R-1", invoice_no="INV-2025-00042", date=d(2025, 7, 12), currency="RWF",
                   applied_amount=D(0), deduction_amount=D(30000), deduction_type="wht"),
    ]
    book = write_book(tmp_path / "billing.xlsx", rows)
    their = tmp_path / "ap.csv"
    their.write_text("Date,Type,Reference,Description,Amount\n"
                     '03/07/2025,Invoice,INV-2025-00042,Data centre,"1,180,000"\n'
                     '12/07/2025,Payment,EFT-551,Payment INV-2025-00042,"970,000"\n'
                     '12/07/2025,WHT,CERT-88,VAT withheld INV-2025-00042,"180,000"\n'
                     '12/07/2025,WHT,CERT-89,WHT 3% INV-2025-00042,"20,000"\n', encoding="utf-8")
    result = run(book, their)
    assert result.convention.startswith("amounts without sign")
    assert result.first_date == d(2025, 7, 3)  # INV-2025-00041 of 01/07 is in our opening balance
    assert [figures(x) for x in result.differences] == [
        ("opening balance", "", "opening balance differs", D(0), D(1180000), D(-1180000)),
        ("", "INV-2025-00043", "missing on theirs", None, D(236000), D(-236000)),
        ("CERT-89", "INV-2025-00042", "withholding differs", D(-20000), D(-30000), D(10000)),
    ]
    assert result.differences[0].note == "their file states no opening balance (taken as nil)"
    assert result.differences[2].note == "they withheld 20,000 RWF, we recorded WHT 30,000 RWF"
    assert (result.documents_agreed, result.payments_agreed) == (1, 2)  # the invoice; the payment and the VAT
    assert (result.their_closing, result.our_closing, result.unexplained) == (D(10000), D(1416000), D(0))


def test_an_unknown_layout_lists_the_columns_found(book: Path, tmp_path: Path) -> None:
    their = tmp_path / "odd.csv"
    their.write_text("Posted;Item;Sum\n01/07/2025;Hosting;100\n", encoding="utf-8")
    with pytest.raises(ArxlError) as caught:
        read_their_file(their)
    message = str(caught.value)
    assert message.startswith("[odd.csv]: the layout is not recognised: the columns found are: Posted, Item, Sum.")
    assert "date: Date, Doc Date" in message and "debit: Debit, Dr" in message


def test_bad_rows_and_files_are_refused_with_their_place(tmp_path: Path) -> None:
    with pytest.raises(ArxlError, match=r"^\[ap\.csv\] line 3, column Date: this row has an amount but no date$"):
        read_their_text("Date,Reference,Amount\n01/07/2025,INV-1,100\n,INV-2,200\n", "ap.csv")
    with pytest.raises(ArxlError, match=r'^\[ap\.csv\] line 2, column Amount: amount "12,5OO" is not a number$'):
        read_their_text('Date,Reference,Amount\n01/07/2025,INV-1,"12,5OO"\n', "ap.csv")
    pdf = tmp_path / "statement.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(ArxlError, match=r"^\[statement\.csv\]: not a text file: it is a PDF document; save the "
                                        r"customer's file as CSV or XLSX$"):
        read_their_file(pdf)


def test_amounts_with_cr_suffixes_and_currency_codes() -> None:
    their = read_their_text('Date,Ref,Amount,Balance\n02/07/2025,INV-1,"RWF 1,180,000 Cr","1,180,000 Cr"\n'
                            '09/07/2025,PMT,"(970,000)",210000 Dr\n', "ap.csv")
    assert [(r.amount, r.balance) for r in their.rows] == [(D(-1180000), D(-1180000)), (D(-970000), D(210000))]


def test_an_unknown_customer_is_refused_with_the_close_ids(book: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    their = tmp_path / "ap.csv"
    their.write_text(SUPPLIER_LEDGER, encoding="utf-8")
    assert main(["reconcile", "customer", str(book), "C01", "--their", str(their)]) == 2
    assert capsys.readouterr().err.strip() == 'arxl: [billing.xlsx]Customers: customer "C01" is not in Customers; ' \
                                              'close ids: C001'
    assert main(["reconcile", "customer", str(book), "minict", "--their", str(their)]) == 2
    assert "close ids: C001" in capsys.readouterr().err


def test_the_command_prints_the_differences_and_leaves_the_workbook_alone(book: Path, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    their = tmp_path / "ap.csv"
    their.write_text(SUPPLIER_LEDGER, encoding="utf-8")
    before = book.read_bytes()
    assert main(["reconcile", "customer", str(book), "c001", "--their", str(their)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("C001 Ministry of ICT and Innovation, RWF: ap.csv from 01/07/2025 to 28/07/2025")
    assert "INV-2025-00044" in printed and "KCS-778" in printed and "-400,000" in printed
    assert "balance at 28/07/2025: theirs 996,000, ours 1,362,000, difference -366,000 RWF; explained by the " \
           "differences -366,000, unexplained 0" in printed
    assert book.read_bytes() == before
    assert main(["reconcile", "customer", str(book), "C001", "--their", str(their), "-o", str(book)]) == 2
    assert "is the billing workbook" in capsys.readouterr().err
    assert main(["reconcile", "customer", str(book), "C001"]) == 2
    assert "Missing option '--their'" in capsys.readouterr().err
    assert book.read_bytes() == before


def test_the_job_reports_in_lines(book: Path, tmp_path: Path) -> None:
    from arxl.app.cash import customer_reconciliation

    their = tmp_path / "ap.csv"
    their.write_text(SUPPLIER_LEDGER, encoding="utf-8")
    report = customer_reconciliation(FileHost(book), "C001", their, d(2025, 7, 31))
    assert not report.refused
    assert report.lines[1] == "7 difference(s); 3 document(s) and 0 payment or withholding row(s) agree"
    assert report.table[0][:4] == ("Kind", "Date", "Their Reference", "Our Document")
    assert report.table[5][:7] == ("missing on theirs", "20/07/2025", "", "INV-2025-00044", "", "354,000",
                                   "-354,000")


def test_a_workbook_sheet_is_chosen_by_its_header_or_by_name(tmp_path: Path) -> None:
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Statement of account, July 2025"])
    ledger = book.create_sheet("Ledger")
    ledger.append(["Posting Date", "Your Ref", "Amount"])
    ledger.append([dt.datetime(2025, 7, 2), "INV-2025-00041", 1180000])
    book.save(tmp_path / "their.xlsx")
    their = read_their_file(tmp_path / "their.xlsx")
    assert [(r.where, r.date, r.references, r.amount) for r in their.rows] == [
        ("[their.xlsx]Ledger!2:2", d(2025, 7, 2), ("INV-2025-00041",), D(1180000))]
    with pytest.raises(ArxlError, match=r'^\[their\.xlsx\]: has no sheet "July"; its sheets are: Cover, Ledger$'):
        read_their_file(tmp_path / "their.xlsx", sheet="July")
    with pytest.raises(ArxlError, match=r"^\[their\.xlsx\]Cover: the layout is not recognised: the columns found "
                                        r"are: Statement of account, July 2025\."):
        read_their_file(tmp_path / "their.xlsx", sheet="cover")


def test_the_example_of_the_docs_on_the_sample(tmp_path: Path) -> None:
    from arxl.sample import write_sample

    book, _ = write_sample(tmp_path / "billing.xlsx")
    their = tmp_path / "minict-supplier-ledger.csv"
    their.write_text("""MINISTRY OF ICT AND INNOVATION
Supplier ledger: KIGALI CLOUD & SYSTEMS LTD (KCS001)

Date,Doc No,Supplier Invoice,Details,Debit,Credit,Balance
01/04/2025,,,Balance b/f,,,"1,504,500.00 Cr"
22/04/2025,PV-2025-0311,INV-2025-00045 INV-2025-00105,EFT payment,"824,500.00",,"680,000.00 Cr"
22/04/2025,WHT-0311,,VAT and WHT withheld INV 45 and 105,"178,500.00",,"501,500.00 Cr"
30/04/2025,GRN-1182,INV/2025/240,Hosting April,,"501,500.00","1,003,000.00 Cr"
31/05/2025,GRN-1240,2025-00306,Hosting May,,"425,000.00","1,428,000.00 Cr"
05/06/2025,PV-2025-0402,INV-2025-00171,EFT payment,"412,250.00",,"1,015,750.00 Cr"
05/06/2025,WHT-0402,INV-2025-00171,Tax withheld,"89,250.00",,"926,500.00 Cr"
20/06/2025,PV-2025-0450,INV-2025-00240,EFT payment,"412,250.00",,"514,250.00 Cr"
28/06/2025,PV-2025-0477,,EFT payment,"300,000.00",,"214,250.00 Cr"
""", encoding="utf-8")
    result = run(book, their, as_of=d(2025, 6, 30))
    assert [figures(x) for x in result.differences] == [
        ("2025-00306", "INV-2025-00306", "amount differs", D(425000), D(501500), D(-76500)),
        ("PV-2025-0450", "RCPT-2025-0308 (INV-2025-00240)", "deduction not on theirs", D(-412250), D(-501500),
         D(89250)),
        ("PV-2025-0477", "", "payment not received by us", D(-300000), None, D(-300000)),
        ("", "INV-2025-00374", "missing on theirs", None, D(501500), D(-501500)),
    ]
    assert (result.their_opening, result.our_opening) == (D(1504500), D(1504500))
    assert (result.their_closing, result.our_closing, result.unexplained) == (D(214250), D(1003000), D(0))
    assert (result.documents_agreed, result.payments_agreed) == (1, 4)


# -- a bare serial: their "205" is probably our INV-2025-00205 ---------------------------------------------------

def with_205(*extra: Invoice) -> dict[str, list[Row]]:
    """The ledger with INV-2025-00205, hosting 100,000 + VAT 18,000 of 22/07/2025 for C001 (and any others)."""
    rows = tables()
    rows["Invoices"] = [*rows["Invoices"], invoice("INV-2025-00205", d(2025, 7, 22), "C001", "100000", "18000"),
                        *extra]
    return rows


def bare(tmp_path: Path, *lines: str) -> Path:
    """Their supplier ledger of July, from INV-2025-00041 (which agrees) to the rows given."""
    their = tmp_path / "minict-ap.csv"
    their.write_text("Date,Reference,Description,Debit,Credit\n"
                     '01/07/2025,INV-2025-00041,Hosting July,,"1,180,000.00"\n' + "".join(lines), encoding="utf-8")
    return their


def test_a_bare_serial_of_the_same_date_and_amount_is_a_probable_match(tmp_path: Path) -> None:
    book = write_book(tmp_path / "billing.xlsx", with_205())
    their = bare(tmp_path, '22/07/2025,205,Hosting extension,,"118,000.00"\n')
    result = run(book, their)
    kinds = by_kind(result)
    [probable] = kinds["probable match"]
    assert figures(probable) == ("205", "INV-2025-00205", "probable match", D(118000), D(118000), D(0))
    assert probable.note == "their 205 is probably INV-2025-00205: same date and amount"
    assert probable.where == "[minict-ap.csv] line 3"
    assert [x.their_reference for x in kinds.get("missing on ours", [])] == []
    assert "INV-2025-00205" not in [x.our_document for x in kinds["missing on theirs"]]
    assert (result.documents_agreed, result.documents_probable) == (1, 1)  # counted apart from INV-2025-00041
    summary = openpyxl.load_workbook(write_differences(result, tmp_path / "differences.xlsx"))["Summary"]
    assert [(row[0].value, row[1].value) for row in summary.iter_rows() if "agree" in str(row[0].value)
            or "probably" in str(row[0].value)] == [
        ("Documents that agree", 1), ("Documents probably the same", 1), ("Payments and withholding that agree", 0)]
    from arxl.app.cash import customer_reconciliation

    report = customer_reconciliation(FileHost(book), "C001", their)
    assert report.lines[1] == (f"{len(result.differences) - 1} difference(s); 1 document(s) and 0 payment or "
                               "withholding row(s) agree; 1 document(s) probably the same, to confirm (see the Note)")


def test_a_bare_serial_within_the_window_says_how_far_apart(tmp_path: Path) -> None:
    book = write_book(tmp_path / "billing.xlsx", with_205())
    result = run(book, bare(tmp_path, '25/07/2025,No. 0205,Hosting extension,,"118,000.00"\n'))
    [probable] = by_kind(result)["probable match"]
    assert probable.note == ("their No. 0205 is probably INV-2025-00205: same amount, dated 3 day(s) apart (theirs "
                             "25/07/2025, ours 22/07/2025)")
    assert run(book, bare(tmp_path, '25/07/2025,205,Hosting,,"118,000.00"\n'), window_days=2).documents_probable == 0


def test_a_bare_serial_of_another_amount_or_another_serial_is_not_paired(tmp_path: Path) -> None:
    book = write_book(tmp_path / "billing.xlsx", with_205())
    # the net without VAT: the same serial and date, another amount
    kinds = by_kind(run(book, bare(tmp_path, '22/07/2025,205,Hosting extension,,"100,000.00"\n')))
    assert "probable match" not in kinds
    assert [(x.their_reference, x.their_amount, x.note) for x in kinds["missing on ours"]] == [
        ("205", D(100000), "their invoice 205 is none of our documents")]
    assert "INV-2025-00205" in [x.our_document for x in kinds["missing on theirs"]]
    # the same date and amount, but their 206 is not the end of our number: never paired on the amount alone
    kinds = by_kind(run(book, bare(tmp_path, '22/07/2025,206,Hosting extension,,"118,000.00"\n')))
    assert "probable match" not in kinds
    assert [x.their_reference for x in kinds["missing on ours"]] == ["206"]


def test_two_candidates_are_not_paired_and_the_notes_say_why(tmp_path: Path) -> None:
    # two rows of theirs that could both be INV-2025-00205
    book = write_book(tmp_path / "billing.xlsx", with_205())
    their = bare(tmp_path, '22/07/2025,205,Hosting extension,,"118,000.00"\n',
                 '22/07/2025,0205,Hosting extension,,"118,000.00"\n')
    result = run(book, their)
    kinds = by_kind(result)
    assert "probable match" not in kinds and result.documents_probable == 0
    assert [(x.their_reference, x.note) for x in kinds["missing on ours"]] == [
        ("0205", "their invoice 0205 is none of our documents; it could be INV-2025-00205 (same amount, its serial, "
                 "within 7 days), which their 205 ([minict-ap.csv] line 3) could be too: not paired, ambiguous"),
        ("205", "their invoice 205 is none of our documents; it could be INV-2025-00205 (same amount, its serial, "
                "within 7 days), which their 0205 ([minict-ap.csv] line 4) could be too: not paired, ambiguous"),
    ]
    [ours] = [x for x in kinds["missing on theirs"] if x.our_document == "INV-2025-00205"]
    assert ours.note == ("our invoice of 22/07/2025; their 205 ([minict-ap.csv] line 3), 0205 ([minict-ap.csv] line 4) "
                         "could be it (same amount, its serial): not paired, ambiguous")
    # one row of theirs that could be two of ours: an export invoice of the other series with the same serial
    book = write_book(tmp_path / "two.xlsx", with_205(invoice("EXP-2025-00205", d(2025, 7, 21), "C001", "100000",
                                                               "18000")))
    kinds = by_kind(run(book, bare(tmp_path, '22/07/2025,205,Hosting extension,,"118,000.00"\n')))
    assert "probable match" not in kinds
    assert [x.note for x in kinds["missing on ours"]] == [
        "their invoice 205 is none of our documents; it could be EXP-2025-00205 or INV-2025-00205 (same amount, its "
        "serial, within 7 days): not paired, ambiguous"]
    assert sorted(x.our_document for x in kinds["missing on theirs"] if "205" in x.our_document) == \
        ["EXP-2025-00205", "INV-2025-00205"]
