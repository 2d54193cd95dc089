"""Small billing workbooks stated literally, for tests that need a real file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from openpyxl import load_workbook

from arxl.book.schema import (
    Allocation,
    Contract,
    Customer,
    Invoice,
    InvoiceLine,
    Receipt,
    Row,
    Service,
    Setting,
    TaxCodeRow,
)
from arxl.book.writer import write_book


def small_tables() -> dict[str, list[Row]]:
    """Two customers, one service, one contract, two invoices (RWF and USD), one receipt applied."""
    return {
        "Settings": [
            Setting(key="Company Name", value="Kigali Cloud & Systems Ltd"),
            Setting(key="Company TIN", value="101234567"),
            Setting(key="Base Currency", value="RWF"),
            Setting(key="Aging Buckets", value="30,60,90,120"),
        ],
        "TaxCodes": [TaxCodeRow(code="VAT18", rate=D("0.18"), effective_from=dt.date(2023, 1, 1),
                                sage_tax_code="T1")],
        "Customers": [
            Customer(customer_id="C001", name="Ministry of ICT and Innovation", aliases="MINICT",
                     customer_type="government", withholding="vat,wht3", terms="NET30", tin="102345678"),
            Customer(customer_id="C002", name="Acme Holdings Inc", customer_type="foreign", currency="USD",
                     terms="EOM+15"),
        ],
        "Services": [Service(service_code="HOST-01", description="Rack hosting, per U", unit="U",
                             rate=D("150000"), currency="RWF", tax_code="VAT18")],
        "Contracts": [Contract(contract_ref="K-001", customer_id="C001", service_code="HOST-01",
                               quantity=D(4), rate=D("150000"), currency="RWF", cycle="monthly",
                               start_date=dt.date(2025, 1, 1))],
        "Invoices": [
            Invoice(invoice_no="INV-2025-00001", invoice_date=dt.date(2025, 6, 1), due_date=dt.date(2025, 7, 1),
                    customer_id="C001", currency="RWF", net_amount=D(600000), vat_amount=D(108000),
                    total_amount=D(708000), status="paid"),
            Invoice(invoice_no="INV-2025-00002", invoice_date=dt.date(2025, 6, 30),
                    due_date=dt.date(2025, 7, 15), customer_id="C002", currency="USD",
                    net_amount=D("1250.50"), vat_amount=D("0.00"), total_amount=D("1250.50")),
        ],
        "InvoiceLines": [
            InvoiceLine(invoice_no="INV-2025-00001", line_no=1, description="Rack hosting June 2025",
                        quantity=D(4), unit_price=D(150000), net_amount=D(600000), tax_code="VAT18",
                        vat_rate=D("0.18"), vat_amount=D(108000)),
            InvoiceLine(invoice_no="INV-2025-00002", line_no=1, description="Licences",
                        quantity=D(1), unit_price=D("1250.50"), net_amount=D("1250.50"), tax_code="VAT18",
                        vat_rate=D("0"), vat_amount=D("0")),
        ],
        "Receipts": [Receipt(receipt_id="R-0001", date=dt.date(2025, 7, 3), amount=D(582000), currency="RWF",
                             customer_id="C001", narrative="MINICT INV-2025-00001")],
        "Allocations": [
            Allocation(receipt_id="R-0001", invoice_no="INV-2025-00001", date=dt.date(2025, 7, 3),
                       currency="RWF", applied_amount=D(582000), deduction_amount=D(108000),
                       deduction_type="vat_withheld"),
            Allocation(receipt_id="R-0001", invoice_no="INV-2025-00001", date=dt.date(2025, 7, 3),
                       currency="RWF", applied_amount=D(0), deduction_amount=D(18000), deduction_type="wht"),
        ],
    }


def small_book(path: Path) -> Path:
    """The small workbook written as a real .xlsx."""
    return write_book(path, small_tables())


def set_cells(path: Path, sheet: str, values: dict[str, object]) -> None:
    """Change cells of a workbook in place (planting mistakes, as an accountant's typing would)."""
    book = load_workbook(path)
    for ref, value in values.items():
        book[sheet][ref].value = value
    book.save(path)


def header_cell(path: Path, sheet: str, header: str) -> str:
    """The column letter under which a header stands in row 1."""
    book = load_workbook(path, read_only=True)
    for cell in next(book[sheet].iter_rows(min_row=1, max_row=1)):
        if cell.value == header:
            letter: str = cell.column_letter
            book.close()
            return letter
    book.close()
    raise KeyError(header)


def billing_tables() -> dict[str, list[Row]]:
    """A July 2025 register for credit notes, EBM receipts and the Sage export.

    INV-2025-00001 (MINICT, RWF): hosting 600,000 + 18% (nominal 4010), training 500,000 exempt (4060), set-up
    100,000 + 18% (4040): net 1,200,000, VAT 126,000, total 1,326,000. INV-2025-00002 (Acme, USD): licences
    1,297.50 + 233.55 VAT. INV-2025-00003 (MINICT, June, already in Sage): 100,000 + 18,000.
    """
    return {
        "Settings": [
            Setting(key="Company Name", value="Kigali Cloud & Systems Ltd"),
            Setting(key="Base Currency", value="RWF"),
            Setting(key="USD Rate", value="1440"),
            Setting(key="Sage Sales Nominal", value="4000"),
            Setting(key="Credit Note Series", value="CN"),
            Setting(key="VAT Rounding", value="invoice"),
        ],
        "TaxCodes": [
            TaxCodeRow(code="VAT18", rate=D("0.18"), effective_from=dt.date(2023, 1, 1), sage_tax_code="T1"),
            TaxCodeRow(code="ZERO", rate=D(0), effective_from=dt.date(2023, 1, 1), sage_tax_code="T0"),
            TaxCodeRow(code="EXEMPT", rate=D(0), effective_from=dt.date(2023, 1, 1), sage_tax_code="T2"),
        ],
        "Customers": [
            Customer(customer_id="C001", name="Ministry of ICT and Innovation", customer_type="government",
                     terms="NET30", sage_account="MINICT01"),
            Customer(customer_id="C002", name="Acme Holdings Inc", customer_type="foreign", currency="USD",
                     terms="EOM+15"),
        ],
        "Services": [
            Service(service_code="HOST-01", description="Rack hosting, per U", rate=D(150000), currency="RWF",
                    tax_code="VAT18", sage_nominal="4010"),
            Service(service_code="SETUP", description="Installation", rate=D(100000), currency="RWF",
                    tax_code="VAT18", sage_nominal="4040"),
            Service(service_code="TRAIN", description="ICT training, per participant", rate=D(250000),
                    currency="RWF", tax_code="EXEMPT", sage_nominal="4060"),
            Service(service_code="LIC", description="Licences", rate=D("432.50"), currency="USD", tax_code="VAT18"),
        ],
        "Contracts": [Contract(contract_ref="K-001", customer_id="C001", service_code="HOST-01", quantity=D(4),
                               rate=D(150000), currency="RWF", cycle="monthly", start_date=dt.date(2025, 1, 1))],
        "Invoices": [
            Invoice(invoice_no="INV-2025-00001", invoice_date=dt.date(2025, 7, 1), due_date=dt.date(2025, 7, 31),
                    customer_id="C001", currency="RWF", net_amount=D(1200000), vat_amount=D(126000),
                    total_amount=D(1326000), terms="NET30", contract_ref="K-001", po_number="LPO/MINICT/2025/17",
                    period="2025-07"),
            Invoice(invoice_no="INV-2025-00002", invoice_date=dt.date(2025, 7, 15),
                    due_date=dt.date(2025, 8, 15), customer_id="C002", currency="USD", net_amount=D("1297.50"),
                    vat_amount=D("233.55"), total_amount=D("1531.05"), terms="EOM+15", period="2025-07"),
            Invoice(invoice_no="INV-2025-00003", invoice_date=dt.date(2025, 6, 30), due_date=dt.date(2025, 7, 30),
                    customer_id="C001", currency="RWF", net_amount=D(100000), vat_amount=D(18000),
                    total_amount=D(118000), period="2025-06", sage_exported=dt.date(2025, 7, 2),
                    ebm_receipt_no="20400/20400NS", ebm_sdc_id="SDC010012345", ebm_mrc="WIS01012345",
                    ebm_date=dt.date(2025, 6, 30), ebm_receipt_type="NS"),
        ],
        "InvoiceLines": [
            InvoiceLine(invoice_no="INV-2025-00001", line_no=1, description="Rack hosting July 2025",
                        quantity=D(4), unit_price=D(150000), net_amount=D(600000), tax_code="VAT18",
                        vat_rate=D("0.18"), vat_amount=D(108000), service_code="HOST-01", contract_ref="K-001",
                        period="2025-07"),
            InvoiceLine(invoice_no="INV-2025-00001", line_no=2, description="ICT training, 2 participants",
                        quantity=D(2), unit_price=D(250000), net_amount=D(500000), tax_code="EXEMPT",
                        vat_rate=D(0), vat_amount=D(0), service_code="TRAIN", period="2025-07"),
            InvoiceLine(invoice_no="INV-2025-00001", line_no=3, description="Installation of 4 U",
                        quantity=D(1), unit_price=D(100000), net_amount=D(100000), tax_code="VAT18",
                        vat_rate=D("0.18"), vat_amount=D(18000), service_code="SETUP", period="2025-07"),
            InvoiceLine(invoice_no="INV-2025-00002", line_no=1, description="Microsoft 365 E3, 3 users",
                        quantity=D(3), unit_price=D("432.50"), net_amount=D("1297.50"), tax_code="VAT18",
                        vat_rate=D("0.18"), vat_amount=D("233.55"), service_code="LIC", period="2025-07"),
            InvoiceLine(invoice_no="INV-2025-00003", line_no=1, description="Rack hosting June 2025",
                        quantity=D(1), unit_price=D(100000), net_amount=D(100000), tax_code="VAT18",
                        vat_rate=D("0.18"), vat_amount=D(18000), service_code="HOST-01", contract_ref="K-001",
                        period="2025-06"),
        ],
    }


def billing_book(path: Path, tables: dict[str, list[Row]] | None = None) -> Path:
    """The billing register of :func:`billing_tables` (or the tables given) as a real .xlsx."""
    return write_book(path, tables if tables is not None else billing_tables())
