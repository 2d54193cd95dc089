"""The Sage 50 import file: parsed back, it says what the register says; nothing goes to Sage twice."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.billing.credit import credit_note
from arxl.cli import main
from arxl.core.money import CURRENCIES
from arxl.core.sage_limits import MAX_AMOUNT
from arxl.formats.sage import COLUMNS, SageRow, sage_rows, write_sage_csv
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Customer, ExchangeRate, Invoice, InvoiceLine, Row, Setting, TaxCodeRow
from tests.builders import billing_book, billing_tables

EXPORTED_ON = dt.date(2025, 8, 4)


def sage_tables() -> dict[str, list[Row]]:
    """The billing register with BNR's USD rate of 15 July in the Rates sheet (Settings' USD Rate is not read)."""
    tables = billing_tables()
    tables["Settings"] = [s for s in tables["Settings"] if getattr(s, "key", "") != "USD Rate"]
    tables["Rates"] = [ExchangeRate(date=dt.date(2025, 7, 15), currency="USD", rate=D(1440), source="BNR")]
    return tables


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return billing_book(tmp_path / "billing.xlsx", sage_tables())


def ledger_of(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert [p for p in problems if p.severity == "error"] == []
    return ledger


def read_back(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="ascii", newline="") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def export(path: Path, period: str = "2025-07", **kwargs: bool) -> tuple[list[SageRow], list[dict[str, str]]]:
    rows, changes, problems = sage_rows(ledger_of(path), period, on=EXPORTED_ON, **kwargs)
    assert [p for p in problems if p.severity == "error"] == []
    out = write_sage_csv(rows, path.with_name("sage.csv"))
    apply_changes(path, changes)
    return rows, read_back(out)


def test_the_file_parsed_back_equals_the_register(book: Path) -> None:
    apply_changes(book, credit_note(ledger_of(book), "INV-2025-00001", amount=D(118000), reason="3 days outage",
                                    on=dt.date(2025, 7, 20)))
    _, parsed = export(book)
    assert [(r["Type"], r["Reference"], r["Nominal A/C Ref"], r["Tax Code"], r["Net Amount"], r["Tax Amount"])
            for r in parsed] == [
        ("SI", "INV-2025-00001", "4010", "T1", "600000", "108000"),
        ("SI", "INV-2025-00001", "4060", "T2", "500000", "0"),
        ("SI", "INV-2025-00001", "4040", "T1", "100000", "18000"),
        ("SI", "INV-2025-00002", "4000", "T1", "1297.50", "233.55"),  # LIC has no nominal: Settings' 4000
        ("SC", "CN-2025-00001", "4010", "T1", "53393", "9611"),
        ("SC", "CN-2025-00001", "4040", "T1", "8899", "1602"),
        ("SC", "CN-2025-00001", "4060", "T2", "44495", "0"),
    ]
    ledger = ledger_of(book)
    register = {i.invoice_no: i for i in ledger.invoices}
    nets: dict[str, D] = defaultdict(D)
    taxes: dict[str, D] = defaultdict(D)
    for row in parsed:
        document = register[row["Reference"]]
        assert row["Type"] == ("SC" if document.doc_type == "credit_note" else "SI")
        assert row["Account Reference"] == {"C001": "MINICT01", "C002": "C002"}[document.customer_id]
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", row["Date"])
        assert dt.datetime.strptime(row["Date"], "%d/%m/%Y").date() == document.invoice_date
        places = CURRENCIES[document.currency].exponent
        for column in ("Net Amount", "Tax Amount"):
            assert re.fullmatch(r"\d+" + (rf"\.\d{{{places}}}" if places else ""), row[column]), row[column]
            assert D(row[column]) <= MAX_AMOUNT
        assert len(row["Account Reference"]) <= 8 and len(row["Nominal A/C Ref"]) <= 8
        assert len(row["Reference"]) <= 30 and len(row["Details"]) <= 60 and len(row["Extra Reference"]) <= 30
        assert re.fullmatch(r"T\d{1,2}", row["Tax Code"])
        nets[row["Reference"]] += D(row["Net Amount"])
        taxes[row["Reference"]] += D(row["Tax Amount"])
    for number, document in register.items():
        if document.invoice_date.month == 7:
            assert (nets[number], taxes[number]) == (abs(document.net_amount), abs(document.vat_amount))
    credit_row = next(r for r in parsed if r["Type"] == "SC")
    assert credit_row["Extra Reference"] == "INV-2025-00001"
    assert credit_row["Details"].startswith("Credit note for INV-2025-00001")
    first = parsed[0]
    assert (first["Exchange Rate"], first["Extra Reference"], first["Department Code"]) == \
        ("1", "LPO/MINICT/2025/17", "")
    assert parsed[3]["Exchange Rate"] == "0.000694444444444444444444"  # USD per RWF, Sage's way round: 1 / 1,440


def test_exported_documents_are_marked_and_a_rerun_exports_nothing(book: Path) -> None:
    rows, _ = export(book)
    assert {r.reference for r in rows} == {"INV-2025-00001", "INV-2025-00002"}
    ledger = ledger_of(book)
    assert [i.sage_exported for i in ledger.invoices] == [EXPORTED_ON, EXPORTED_ON, dt.date(2025, 7, 2)]
    rows, changes, problems = sage_rows(ledger, "2025-07", on=EXPORTED_ON)
    assert (rows, changes.is_empty, problems) == ([], True, [])
    # June's invoice was exported before: only --again sends it again
    assert sage_rows(ledger, "2025-06")[0] == []
    again, changes, _ = sage_rows(ledger, "2025-06", again=True, on=dt.date(2025, 8, 5))
    assert [r.reference for r in again] == ["INV-2025-00003"]
    assert [(u.field, u.value) for u in changes.updates] == [("sage_exported", dt.date(2025, 8, 5))]


def test_a_net_over_the_sage_limit_is_split_into_rows_that_add_up_exactly(tmp_path: Path) -> None:
    tables = sage_tables()
    huge = Invoice(invoice_no="INV-2025-00004", invoice_date=dt.date(2025, 7, 31), due_date=dt.date(2025, 8, 30),
                   customer_id="C001", currency="RWF", net_amount=D(250000001), vat_amount=D(45000000),
                   total_amount=D(295000001), period="2025-07")
    big_usd = Invoice(invoice_no="INV-2025-00005", invoice_date=dt.date(2025, 7, 31),
                      due_date=dt.date(2025, 8, 30), customer_id="C002", currency="USD",
                      net_amount=D("100000000.01"), vat_amount=D("18000000.00"), total_amount=D("118000000.01"),
                      period="2025-07", rate=D("1441.25"))
    tables["Invoices"] += [huge, big_usd]
    tables["InvoiceLines"] += [
        InvoiceLine(invoice_no="INV-2025-00004", line_no=1, description="E-government platform, phase 2",
                    quantity=D(1), unit_price=D(250000001), net_amount=D(250000001), tax_code="VAT18",
                    vat_rate=D("0.18"), vat_amount=D(45000000), service_code="SETUP"),
        InvoiceLine(invoice_no="INV-2025-00005", line_no=1, description="Licences, enterprise agreement",
                    quantity=D(1), unit_price=D("100000000.01"), net_amount=D("100000000.01"), tax_code="VAT18",
                    vat_rate=D("0.18"), vat_amount=D("18000000.00"), service_code="LIC"),
    ]
    _, parsed = export(billing_book(tmp_path / "billing.xlsx", tables))
    parts = [r for r in parsed if r["Reference"] == "INV-2025-00004"]
    assert [(r["Net Amount"], r["Tax Amount"]) for r in parts] == [
        ("83333334", "15000000"), ("83333334", "15000000"), ("83333333", "15000000")]
    assert sum(D(r["Net Amount"]) for r in parts) == D(250000001)
    assert sum(D(r["Tax Amount"]) for r in parts) == D(45000000)
    usd = [r for r in parsed if r["Reference"] == "INV-2025-00005"]
    assert [(r["Net Amount"], r["Tax Amount"]) for r in usd] == [("50000000.01", "9000000.00"),
                                                                 ("50000000.00", "9000000.00")]
    assert all(D(r["Net Amount"]) <= MAX_AMOUNT for r in parsed)
    assert {r["Exchange Rate"] for r in usd} == {"0.00069384215091066782307"}  # its own Rate, 1,441.25, not BNR's


def test_vat_rounded_once_per_rate_still_adds_up_to_the_invoice(tmp_path: Path) -> None:
    tables = sage_tables()
    tables["Invoices"].append(Invoice(
        invoice_no="INV-2025-00004", invoice_date=dt.date(2025, 7, 31), due_date=dt.date(2025, 8, 30),
        customer_id="C001", currency="RWF", net_amount=D(2006), vat_amount=D(361), total_amount=D(2367)))
    tables["InvoiceLines"] += [
        InvoiceLine(invoice_no="INV-2025-00004", line_no=n, description="Cable", quantity=D(1), unit_price=D(1003),
                    net_amount=D(1003), tax_code="VAT18", vat_rate=D("0.18"), vat_amount=D(181), service_code=code)
        for n, code in ((1, "HOST-01"), (2, "SETUP"))]
    rows, _, problems = sage_rows(ledger_of(billing_book(tmp_path / "b.xlsx", tables)), "2025-07")
    assert problems == []
    assert [(r.nominal, r.net, r.tax) for r in rows if r.reference == "INV-2025-00004"] == [
        ("4010", D(1003), D(181)), ("4040", D(1003), D(180))]


def test_documents_that_sage_would_refuse_are_held_back_and_not_marked(tmp_path: Path) -> None:
    tables = sage_tables()
    tables["Customers"][0] = tables["Customers"][0].model_copy(update={"sage_account": "MINICT-KIGALI"})
    tables["Rates"] = [ExchangeRate(date=dt.date(2025, 7, 10), currency="USD", rate=D(1440), source="BNR")]
    ledger = ledger_of(billing_book(tmp_path / "billing.xlsx", tables))
    rows, changes, problems = sage_rows(ledger, "2025-07")
    assert rows == [] and changes.is_empty
    assert [str(p) for p in problems] == [
        "[billing.xlsx]Customers!O2: INV-2025-00001 not exported: the Sage account reference \"MINICT-KIGALI\" of "
        "C001 is longer than Sage's 8 characters: put the customer's Sage A/C in the Sage Account column of "
        "Customers",
        "[billing.xlsx]Invoices!F3: INV-2025-00002 not exported: the Rates sheet has no USD rate for 15/07/2025 "
        "(nor for the 4 days before): add the RWF per USD rate of that day (BNR)",
    ]


def test_a_tax_code_without_a_sage_code_holds_its_documents_back(tmp_path: Path) -> None:
    tables: dict[str, list[Row]] = sage_tables()
    tables["TaxCodes"][2] = TaxCodeRow(code="EXEMPT", rate=D(0), effective_from=dt.date(2023, 1, 1))
    tables["Customers"].append(Customer(customer_id="C-LONG-NAME", name="Long", customer_type="private"))
    tables["Invoices"].append(Invoice(
        invoice_no="INV-2025-00004", invoice_date=dt.date(2025, 7, 31), due_date=dt.date(2025, 8, 30),
        customer_id="C-LONG-NAME", currency="RWF", net_amount=D(100), vat_amount=D(18), total_amount=D(118)))
    tables["InvoiceLines"].append(InvoiceLine(
        invoice_no="INV-2025-00004", line_no=1, description="=HYPERLINK(\"http://x\")", quantity=D(1),
        unit_price=D(100), net_amount=D(100), tax_code="VAT18", vat_rate=D("0.18"), vat_amount=D(18)))
    rows, changes, problems = sage_rows(ledger_of(billing_book(tmp_path / "billing.xlsx", tables)), "2025-07")
    assert [r.reference for r in rows] == ["INV-2025-00002"]
    assert len(changes.updates) == 1
    assert "TaxCodes!E4: INV-2025-00001 not exported: tax code EXEMPT has nothing as its Sage Tax Code" in \
        str(problems[0])
    assert 'Customers!A4: INV-2025-00004 not exported: the Sage account reference "C-LONG-NAME"' in str(problems[1])


def test_text_is_plain_ascii_and_never_a_formula(tmp_path: Path) -> None:
    tables = sage_tables()
    tables["InvoiceLines"][3] = tables["InvoiceLines"][3].model_copy(
        update={"description": "=cmd|' /C calc'!A0 Société Générale, licences, ligne très longue " + "x" * 80})
    rows, _, _ = sage_rows(ledger_of(billing_book(tmp_path / "billing.xlsx", tables)), "2025-07")
    details = next(r.details for r in rows if r.reference == "INV-2025-00002")
    # text for people is neutralised the OWASP way (a leading quote), no longer cut down: see io/sage.py
    assert details.startswith("'=cmd|' /C calc'!A0 Societe Generale") and details.endswith("...")
    assert len(details) <= 60 and details.isascii()


def test_write_keeps_the_previous_file(tmp_path: Path) -> None:
    row = SageRow("SI", "MINICT01", "4010", dt.date(2025, 7, 1), "INV-2025-00001", "Hosting", D(600000), "T1",
                  D(108000), "RWF")
    path = write_sage_csv([row], tmp_path / "sage.csv")
    write_sage_csv([row, row], path)
    assert len(read_back(path)) == 2
    assert len(read_back(tmp_path / "sage.bak.csv")) == 1
    assert path.read_bytes().endswith(b"\r\n")
    assert path.read_text().splitlines()[1] == "SI,MINICT01,4010,,01/07/2025,INV-2025-00001,Hosting,600000,T1,108000," \
        "1,,,,"


def test_cli_export_writes_marks_and_exits_2_on_bad_input(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = book.with_name("july.csv")
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out)]) == 0
    assert "2 invoices; 4 row(s) written" in capsys.readouterr().out
    assert len(read_back(out)) == 4
    assert all(i.sage_exported for i in ledger_of(book).invoices)
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out)]) == 0
    assert "nothing new to export" in capsys.readouterr().out
    assert len(read_back(out)) == 4  # the file of the first run is left as it was
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out), "--again"]) == 0
    assert len(read_back(out)) == 4
    for arguments in (["--period", "July", "-o", str(out)], ["--period", "2025-13", "-o", str(out)],
                      ["--period", "2025-07"]):
        assert main(["export", "sage", str(book), *arguments]) == 2
        assert "Traceback" not in capsys.readouterr().err
    assert main(["export", "sage", str(book.with_name("nope.xlsx")), "--period", "2025-07", "-o", str(out)]) == 2


def test_cli_exports_the_good_documents_and_exits_2_for_those_held_back(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    tables = sage_tables()
    tables["Settings"].append(Setting(key="Company TIN", value="101234567"))
    tables["Rates"] = []
    book = billing_book(tmp_path / "billing.xlsx", tables)
    out = tmp_path / "july.csv"
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert "INV-2025-00002 not exported" in captured.err and "1 item(s) held back" in captured.err
    assert {r["Reference"] for r in read_back(out)} == {"INV-2025-00001"}
    assert [i.sage_exported is not None for i in ledger_of(book).invoices] == [True, False, True]
