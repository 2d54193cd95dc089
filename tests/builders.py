"""Small billing workbooks stated literally, for tests that need a real file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from openpyxl import load_workbook

from arxl.formats.xlsx.writer import write_book
from arxl.ledger.records import (
    Allocation,
    Contract,
    Customer,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    Receipt,
    Row,
    Service,
    Setting,
    TaxCodeRow,
)


def usd_rates(rate: D = D(1440), first: dt.date = dt.date(2024, 12, 1),
              last: dt.date = dt.date(2025, 12, 31)) -> list[Row]:
    """BNR's USD rate on every weekday from ``first`` to ``last``: the Rates sheet of a test book."""
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [ExchangeRate(date=day, currency="USD", rate=rate, source="BNR") for day in days if day.weekday() < 5]


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
        "Rates": usd_rates(),
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
        "Rates": usd_rates(),
    }


def billing_book(path: Path, tables: dict[str, list[Row]] | None = None) -> Path:
    """The billing register of :func:`billing_tables` (or the tables given) as a real .xlsx."""
    return write_book(path, tables if tables is not None else billing_tables())


def rated_billing_book(path: Path) -> Path:
    """The billing register with BNR's USD rate of 15 July in the Rates sheet (the Sage export reads it)."""
    tables = billing_tables()
    tables["Rates"] = [ExchangeRate(date=dt.date(2025, 7, 15), currency="USD", rate=D(1440), source="BNR")]
    return billing_book(path, tables)


def recovery_tables() -> dict[str, list[Row]]:
    """A small receivables ledger for statements, dunning, arrangements and KPIs (as of 31 July 2025).

    C001 Ministry (RWF): INV-1 1,180,000 due 31/05 settled on 10/07 by 970,000 + VAT withheld 180,000 + WHT
    30,000; INV-4 590,000 dated 01/07 due 31/07 (not yet overdue on 31/07).
    C002 Acme (USD): INV-2 1,250.50 due 14/06 paid 05/07 as 1,225.50 + 25.00 bank charges (promised on 01/07 for
    05/07: kept); INV-5 800.00 due 20/07, 11 days overdue on 31/07.
    C003 Umucyo (RWF, no e-mail): INV-3 236,000 due 09/06, credit note CN-1 59,000 on 05/07, 100,000 paid on 25/07
    with 7,000 written off (promised on 15/07 for 25/07: kept): 70,000 overdue, 52 days.
    C004 Irembo (RWF): INV-6 354,000 due 01/07, unapplied receipt of 400,000 on 20/07; promised 354,000 for 30/06:
    broken.
    C005 Kivu Lakeside (RWF): INV-7 900,000 due 31/03, reminders level 1 (10/04) and 2 (05/05); plan ARR-1 agreed
    28/05: 3 x 300,000 due 10/06, 10/07, 10/08; paid 09/06 and 12/07 (within 3 days' grace).
    C006 Gasabo (RWF): INV-8 118,000 due 01/07, paid 15/07 by the Treasury (a receipt with no customer).
    """
    from arxl.ledger.records import ArrangementLine, CollectionsEntry, DunningLevel

    def invoice(no: str, day: dt.date, due: dt.date, customer: str, net: str, vat: str, currency: str = "RWF",
                **extra: object) -> Invoice:
        return Invoice(invoice_no=no, invoice_date=day, due_date=due, customer_id=customer, currency=currency,
                       net_amount=D(net), vat_amount=D(vat), total_amount=D(net) + D(vat), **extra)  # type: ignore[arg-type]

    def paid(receipt: str, no: str, day: dt.date, applied: str, deduction: str = "0", kind: str = "",
             currency: str = "RWF") -> Allocation:
        return Allocation(receipt_id=receipt, invoice_no=no, date=day, currency=currency, applied_amount=D(applied),
                          deduction_amount=D(deduction), deduction_type=kind)  # type: ignore[arg-type]

    d = dt.date
    return {
        "Settings": [
            Setting(key="Company Name", value="Kigali Cloud & Systems Ltd"),
            Setting(key="Company TIN", value="102458731"),
            Setting(key="Company Address", value="KG 7 Ave No. 12, Kacyiru, Kigali"),
            Setting(key="Company Phone", value="+250 788 310 450"),
            Setting(key="Company Email", value="billing@kigalicloud.example.rw"),
            Setting(key="Base Currency", value="RWF"),
            Setting(key="Aging Buckets", value="30,60,90,120"),
            Setting(key="Bank Name", value="Bank of Kigali Plc"),
            Setting(key="Bank SWIFT", value="BKIGRWRW"),
            Setting(key="Bank Account RWF", value="00040-06951872-29"),
            Setting(key="Bank Account USD", value="00040-06951873-30"),
            Setting(key="Collections Target RWF", value="2000000"),
            Setting(key="Collections Target USD", value="1000"),
        ],
        "TaxCodes": [TaxCodeRow(code="VAT18", rate=D("0.18"), effective_from=d(2023, 1, 1))],
        "DunningLevels": [
            DunningLevel(level=1, name="Friendly reminder", days_overdue=7, template="reminder-friendly"),
            DunningLevel(level=2, name="Firm reminder", days_overdue=30, fee=D(5000), fee_currency="RWF",
                         annual_interest=D("0.12"), template="reminder-firm"),
            DunningLevel(level=3, name="Final notice", days_overdue=60, template="final-notice"),
        ],
        "Customers": [
            Customer(customer_id="C001", name="Ministry of ICT and Innovation", customer_type="government",
                     email="accounts@minict.example.rw", contact="Aline Uwase", currency="RWF"),
            Customer(customer_id="C002", name="Acme Holdings Inc", customer_type="foreign", currency="USD",
                     email="ap@acme.example.com", contact="John Smith"),
            Customer(customer_id="C003", name="Umucyo Print & Media Ltd", customer_type="private", currency="RWF",
                     phone="+250 788 123 456"),
            Customer(customer_id="C004", name="Irembo Ltd", customer_type="private", currency="RWF",
                     email="finance@irembo.example.rw"),
            Customer(customer_id="C005", name="Kivu Lakeside Hotel Ltd", customer_type="private", currency="RWF",
                     email="accounts@kivulakeside.example.rw", contact="Eric Habimana"),
            Customer(customer_id="C006", name="Gasabo District", customer_type="government", currency="RWF",
                     email="finance@gasabo.example.rw"),
        ],
        "Invoices": [
            invoice("INV-2025-00007", d(2025, 3, 1), d(2025, 3, 31), "C005", "900000", "0"),
            invoice("INV-2025-00001", d(2025, 5, 1), d(2025, 5, 31), "C001", "1000000", "180000"),
            invoice("INV-2025-00003", d(2025, 5, 10), d(2025, 6, 9), "C003", "200000", "36000"),
            invoice("INV-2025-00002", d(2025, 5, 15), d(2025, 6, 14), "C002", "1250.50", "0", "USD"),
            invoice("INV-2025-00006", d(2025, 6, 1), d(2025, 7, 1), "C004", "300000", "54000"),
            invoice("INV-2025-00008", d(2025, 6, 1), d(2025, 7, 1), "C006", "100000", "18000"),
            invoice("INV-2025-00005", d(2025, 6, 20), d(2025, 7, 20), "C002", "800", "0", "USD"),
            invoice("INV-2025-00004", d(2025, 7, 1), d(2025, 7, 31), "C001", "500000", "90000", period="2025-07"),
            invoice("CN-2025-00001", d(2025, 7, 5), d(2025, 7, 5), "C003", "-50000", "-9000", doc_type="credit_note",
                    original_invoice="INV-2025-00003"),
        ],
        "Receipts": [
            Receipt(receipt_id="R-5A", date=d(2025, 6, 9), amount=D(300000), currency="RWF", customer_id="C005",
                    bank_reference="FT25160AAAA"),
            Receipt(receipt_id="R-2", date=d(2025, 7, 5), amount=D("1225.50"), currency="USD", customer_id="C002",
                    bank_reference="FT25186USD1"),
            Receipt(receipt_id="R-1", date=d(2025, 7, 10), amount=D(970000), currency="RWF", customer_id="C001",
                    bank_reference="FT25191MIN1"),
            Receipt(receipt_id="R-5B", date=d(2025, 7, 12), amount=D(300000), currency="RWF", customer_id="C005",
                    bank_reference="FT25193BBBB"),
            Receipt(receipt_id="R-6", date=d(2025, 7, 15), amount=D(118000), currency="RWF", customer_id="",
                    payer_name="TREASURY SINGLE ACCOUNT", bank_reference="FT25196TSA1"),
            Receipt(receipt_id="R-4", date=d(2025, 7, 20), amount=D(400000), currency="RWF", customer_id="C004",
                    bank_reference="FT25201IRE1"),
            Receipt(receipt_id="R-3", date=d(2025, 7, 25), amount=D(100000), currency="RWF", customer_id="C003",
                    bank_reference="MOMO-7731"),
        ],
        "Allocations": [
            paid("R-5A", "INV-2025-00007", d(2025, 6, 9), "300000"),
            paid("R-2", "INV-2025-00002", d(2025, 7, 5), "1225.50", "25.00", "bank_charges", "USD"),
            paid("R-1", "INV-2025-00001", d(2025, 7, 10), "970000", "180000", "vat_withheld"),
            paid("R-1", "INV-2025-00001", d(2025, 7, 10), "0", "30000", "wht"),
            paid("R-5B", "INV-2025-00007", d(2025, 7, 12), "300000"),
            paid("R-6", "INV-2025-00008", d(2025, 7, 15), "118000"),
            paid("R-3", "INV-2025-00003", d(2025, 7, 25), "100000", "7000", "write_off"),
        ],
        "CollectionsLog": [
            CollectionsEntry(date=d(2025, 4, 10), customer_id="C005", channel="e-mail", dunning_level=1,
                             outcome="reminder level 1 sent"),
            CollectionsEntry(date=d(2025, 5, 5), customer_id="C005", channel="letter", dunning_level=2,
                             outcome="Firm reminder handed over"),
            CollectionsEntry(date=d(2025, 5, 28), customer_id="C005", channel="visit", contact="Eric Habimana",
                             outcome="plan ARR-1 agreed: 3 monthly instalments of 300,000"),
            CollectionsEntry(date=d(2025, 6, 20), customer_id="C004", channel="call", outcome="promised to pay",
                             promise_date=d(2025, 6, 30), promise_amount=D(354000)),
            CollectionsEntry(date=d(2025, 7, 1), customer_id="C002", channel="call", outcome="promised to pay",
                             promise_date=d(2025, 7, 5), promise_amount=D("1225.50")),
            CollectionsEntry(date=d(2025, 7, 15), customer_id="C003", channel="call", outcome="promised to pay",
                             promise_date=d(2025, 7, 25), promise_amount=D(100000)),
        ],
        "Arrangements": [
            ArrangementLine(arrangement_id="ARR-1", customer_id="C005", instalment=n, due_date=day,
                            amount=D(300000), currency="RWF")
            for n, day in ((1, d(2025, 6, 10)), (2, d(2025, 7, 10)), (3, d(2025, 8, 10)))
        ],
    }


def recovery_book(path: Path, tables: dict[str, list[Row]] | None = None) -> Path:
    """The ledger of :func:`recovery_tables` (or the tables given) as a real .xlsx."""
    return write_book(path, tables if tables is not None else recovery_tables())


AGING_AS_OF = dt.date(2025, 6, 30)
# days past due at 30/06/2025 -> open amount of an invoice of C001 (each bucket's total is a distinct sum)
AGING_DAYS = {0: 1000, 1: 2000, 30: 4000, 31: 8000, 60: 16000, 61: 32000, 90: 64000, 91: 128000, 120: 256000,
              121: 512000}


def aging_tables() -> dict[str, list[Row]]:
    """A register for the Aging sheet, as of 30 June 2025.

    C001 (RWF) has one invoice for each bucket boundary (:data:`AGING_DAYS`; the 91-day one part-paid by
    28,000 on 15/06), an open credit note of 50,000 with no original invoice, 30,000 of unapplied cash
    (R-9) and an invoice of 3 July (after the as-of date). The 61-day invoice is paid on 10/07, after the
    as-of date. C002 (USD) owes 1,250.50 (46 days) and 99.99 (not yet due). C003's name is a formula from
    outside. R-U (5,000 RWF) is a receipt nobody has identified yet.
    """
    d = dt.date
    invoices: list[Row] = []
    for n, (days, amount) in enumerate(AGING_DAYS.items(), start=1):
        due = AGING_AS_OF - dt.timedelta(days=days)
        invoices.append(Invoice(invoice_no=f"INV-2025-{n:05d}", invoice_date=due - dt.timedelta(days=30),
                                due_date=due, customer_id="C001", currency="RWF", net_amount=D(amount),
                                vat_amount=D(0), total_amount=D(amount)))
    invoices += [
        Invoice(invoice_no="INV-2025-00011", invoice_date=d(2025, 7, 3), due_date=d(2025, 8, 2), customer_id="C001",
                currency="RWF", net_amount=D(700000), vat_amount=D(0), total_amount=D(700000)),
        Invoice(invoice_no="INV-2025-00012", invoice_date=d(2025, 4, 15), due_date=d(2025, 5, 15),
                customer_id="C002", currency="USD", net_amount=D("1250.50"), vat_amount=D(0),
                total_amount=D("1250.50")),
        Invoice(invoice_no="INV-2025-00013", invoice_date=d(2025, 6, 15), due_date=d(2025, 7, 15),
                customer_id="C002", currency="USD", net_amount=D("99.99"), vat_amount=D(0), total_amount=D("99.99")),
        Invoice(invoice_no="INV-2025-00014", invoice_date=d(2025, 5, 30), due_date=d(2025, 6, 29),
                customer_id="C003", currency="RWF", net_amount=D(10000), vat_amount=D(0), total_amount=D(10000)),
        Invoice(invoice_no="CN-2025-00001", doc_type="credit_note", invoice_date=d(2025, 6, 10),
                due_date=d(2025, 6, 10), customer_id="C001", currency="RWF", net_amount=D(-50000), vat_amount=D(0),
                total_amount=D(-50000)),
    ]
    return {
        "Settings": [
            Setting(key="Company Name", value="Kigali Cloud & Systems Ltd"),
            Setting(key="Base Currency", value="RWF"),
            Setting(key="Aging Buckets", value="30,60,90,120"),
            Setting(key="Aging Basis", value="due_date"),
        ],
        "TaxCodes": [TaxCodeRow(code="VAT18", rate=D("0.18"), effective_from=d(2023, 1, 1))],
        "Customers": [
            Customer(customer_id="C001", name="Ministry of ICT and Innovation", customer_type="government"),
            Customer(customer_id="C002", name="Acme Holdings Inc", customer_type="foreign", currency="USD"),
            Customer(customer_id="C003", name='=HYPERLINK("http://evil.example/x","Click me")',
                     customer_type="private"),
        ],
        "Invoices": invoices,
        "Receipts": [
            Receipt(receipt_id="R-1", date=d(2025, 6, 15), amount=D(28000), currency="RWF", customer_id="C001"),
            Receipt(receipt_id="R-2", date=d(2025, 7, 10), amount=D(32000), currency="RWF", customer_id="C001"),
            Receipt(receipt_id="R-9", date=d(2025, 6, 20), amount=D(30000), currency="RWF", customer_id="C001"),
            Receipt(receipt_id="R-U", date=d(2025, 6, 25), amount=D(5000), currency="RWF"),
        ],
        "Allocations": [
            Allocation(receipt_id="R-1", invoice_no="INV-2025-00008", date=d(2025, 6, 15), currency="RWF",
                       applied_amount=D(28000)),
            Allocation(receipt_id="R-2", invoice_no="INV-2025-00006", date=d(2025, 7, 10), currency="RWF",
                       applied_amount=D(32000)),
        ],
        "Rates": usd_rates(),
    }


def aging_book(path: Path, tables: dict[str, list[Row]] | None = None) -> Path:
    """The register of :func:`aging_tables` (or the tables given) as a real .xlsx."""
    return write_book(path, tables if tables is not None else aging_tables())


def closed_sample(folder: Path) -> Path:
    """The sample after the month-end of July 2025 (without PDFs and mail), every bank line decided as the demo
    decides them; returns the workbook (its outputs are in ``folder``)."""
    from collections import defaultdict

    from arxl.app import cash
    from arxl.app.close import month_end
    from arxl.cashapp.reconcile import decide
    from arxl.formats.xlsx.host import FileHost
    from arxl.sample import sample_decisions, write_sample

    book, statement = write_sample(folder / "billing.xlsx", seed=7)
    host = FileHost(book)
    today = dt.date(2025, 8, 1)
    month_end(host, "2025-07", folder, today, statement=statement)
    cash.approve_matches(host)
    table = cash.reconciliation_table(host)
    proposals: dict[str, set[str]] = defaultdict(set)
    for row in table.rows:
        if row.invoice_no:
            proposals[row.line_id].add(row.invoice_no)
    host.apply(decide(table, sample_decisions(proposals), "remaining lines decided (test)"))
    month_end(host, "2025-07", folder, today, statement=statement)
    return book


def sample_for_buttons(path: Path) -> Path:
    """The sample workbook with its July statement named in Settings (Statement File), as the ribbon wants it."""
    from arxl.formats.xlsx.host import FileHost
    from arxl.ledger.changes import ChangeSet
    from arxl.sample import write_sample

    book, statement = write_sample(path)
    changes = ChangeSet()
    changes.append("Settings", [Setting(key="Statement File", value=statement.name)])
    FileHost(book).apply(changes)
    return book
