"""The Sage rows a document becomes (arxl.ledger.sage_parts) and the base value they give it: each row's net and
VAT converted one by one, as Sage posts them, which is what arxl carries a foreign document at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from arxl.books.fx import fx_position
from arxl.core.fx import in_base
from arxl.ledger.records import Invoice, InvoiceLine, Receipt, Service, TaxCodeRow
from arxl.ledger.sage_parts import Part, SageParts
from tests.test_fx import paid, rates

d = dt.date
DAY = d(2025, 4, 10)
TAX_CODES = [TaxCodeRow(code="B", description="VAT 18%", rate=D("0.18"), effective_from=d(2020, 1, 1),
                        sage_tax_code="T1"),
             TaxCodeRow(code="A", description="Exempt", rate=D(0), effective_from=d(2020, 1, 1),
                        sage_tax_code="T0")]
SERVICES = [Service(service_code="HOST", description="Hosting", rate=D(100), currency="USD", tax_code="B",
                    sage_nominal="4010"),
            Service(service_code="DEV", description="Development", rate=D(100), currency="USD", tax_code="B")]


def document(no: str, net: str, vat: str, currency: str = "USD", rate: str | None = "1392.57",
             doc_type: str = "invoice") -> Invoice:
    return Invoice(invoice_no=no, doc_type=doc_type, invoice_date=DAY, due_date=DAY + dt.timedelta(days=30),
                   customer_id="C002", currency=currency, net_amount=D(net), vat_amount=D(vat),
                   total_amount=D(net) + D(vat), rate=D(rate) if rate else None)


def line(no: str, n: int, net: str, vat: str, service: str = "", tax_code: str = "B",
         rate: str = "0.18") -> InvoiceLine:
    return InvoiceLine(invoice_no=no, line_no=n, description=f"line {n}", quantity=D(1), unit_price=D(net),
                       net_amount=D(net), tax_code=tax_code, vat_rate=D(rate), vat_amount=D(vat), service_code=service)


def book(*lines: InvoiceLine) -> SageParts:
    return SageParts(SERVICES, TAX_CODES, lines, " 4000 ")


def test_a_usd_invoice_with_vat_is_worth_its_net_and_vat_converted_one_by_one() -> None:
    # INV-2025-00154 of the sample: 34,560.00 + 6,220.80 USD at 1,392.57 RWF
    doc = document("INV-154", "34560.00", "6220.80")
    parts = book(line("INV-154", 1, "34560.00", "6220.80", "DEV"))
    assert parts.parts(doc) == [Part(D("34560.00"), D("6220.80"), "T1", "4000")]
    # 48,127,219.2 -> 48,127,219 and 8,662,899.456 -> 8,662,899; the total 56,790,118.656 would be ...119
    assert parts.base_value(doc, D("1392.57"), "RWF") == D(48127219) + D(8662899) == D(56790118)
    assert in_base(doc.total_amount, D("1392.57"), "RWF") == D(56790119)


def test_a_document_is_carried_at_its_sage_value_and_paying_it_realises_the_franc_sage_posts() -> None:
    doc = document("INV-154", "34560.00", "6220.80")
    parts = book(line("INV-154", 1, "34560.00", "6220.80", "DEV"))
    day_rates = rates((DAY, "1392.57"), (d(2025, 4, 30), "1392.57"))
    position = fx_position([doc], [], [], d(2025, 4, 30), "RWF", day_rates, parts=parts)
    assert [(i.reference, i.open_amount, i.carried) for i in position.items] == [("INV-154", D("40780.80"),
                                                                                 D(56790118))]
    cash = Receipt(receipt_id="R-1", date=d(2025, 4, 30), amount=D("40780.80"), currency="USD", customer_id="C002")
    position = fx_position([doc], [cash], [paid("R-1", "INV-154", d(2025, 4, 30), "40780.80")], d(2025, 4, 30),
                           "RWF", day_rates, parts=parts)
    # the receipt is one Sage row of 56,790,119 RWF, the invoice two of 56,790,118: Sage posts a franc of gain
    assert position.items == []
    assert [(r.payment_base, r.invoice_base, r.difference) for r in position.realised] == [
        (D(56790119), D(56790118), D(1))]


def test_rows_per_tax_code_and_nominal_with_the_vat_refit_to_the_document() -> None:
    # three lines of 0.18 rounded one by one (0.33 + 0.33 + 0.33 = 0.99) on an invoice whose VAT is 1.00 (once
    # on the rate's net of 5.55), and an exempt line: T1 on the service's 4010 and on Settings' 4000, T0 on 4000
    doc = document("INV-9", "15.55", "1.00")
    parts = book(line("INV-9", 1, "1.85", "0.33", "HOST"), line("INV-9", 2, "1.85", "0.33", "DEV"),
                 line("INV-9", 3, "1.85", "0.33", "HOST"), line("INV-9", 4, "10.00", "0", tax_code="A", rate="0"))
    assert parts.parts(doc) == [Part(D("3.70"), D("0.67"), "T1", "4010"), Part(D("1.85"), D("0.33"), "T1", "4000"),
                                Part(D("10.00"), D(0), "T0", "4000")]
    assert parts.base_value(doc, D("1400"), "RWF") == D(5180 + 938 + 2590 + 462 + 14000)


def test_a_row_over_sages_limit_is_split_and_a_credit_note_is_negative() -> None:
    doc = document("INV-BIG", "150000000", "27000000", currency="RWF", rate=None)
    parts = book(line("INV-BIG", 1, "150000000", "27000000", "HOST"))
    assert parts.parts(doc) == [Part(D(75000000), D(13500000), "T1", "4010")] * 2
    note = document("CN-1", "-34560.00", "-6220.80", doc_type="credit_note")
    parts = book(line("CN-1", 1, "-34560.00", "-6220.80"))
    assert parts.parts(note) == [Part(D("-34560.00"), D("-6220.80"), "T1", "4000")]
    assert parts.base_value(note, D("1392.57"), "RWF") == D(-56790118)


def test_without_lines_that_add_up_a_document_is_its_invoices_row() -> None:
    doc = document("INV-154", "34560.00", "6220.80")
    assert book().parts(doc) == [Part(D("34560.00"), D("6220.80"), "", "")]
    assert book(line("INV-154", 1, "30000.00", "5400.00")).parts(doc) == [Part(D("34560.00"), D("6220.80"), "", "")]
    assert book().base_value(doc, D("1392.57"), "RWF") == D(56790118)
