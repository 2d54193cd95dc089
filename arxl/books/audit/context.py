"""What every working paper of the audit pack reads: the ledger at the period end, and the pack's data sheets.

The pack carries copies of the ledger's tables (the ``Z`` sheets), so that every figure of every paper is a live
formula over rows the auditor can see, filter and re-perform, in the same file:

=================  ====================================================================================
sheet              columns (letters fixed: the papers' formulas name them through the maps below)
=================  ====================================================================================
``Z1 Invoices``    the invoice register, credit notes included, every row with its source cell
``Z2 Receipts``    the receipts register (refunds are negative receipts)
``Z3 Allocations`` every allocation of cash or deduction to an invoice, with the invoice's customer
``Z4 Open items``  the open items at the period end: age, bucket, open amount, closing rate, base value
``Z5 Customers``   the customers: name, type, related party, specific provision, Sage account
=================  ====================================================================================

Each Z sheet has the working-paper frame of :mod:`arxl.books.audit.papers` (rows 1-7), its column headers on
row 8 and its rows from row 9. The papers sum them with ``SUMIFS`` over whole columns (``sumifs``), which a
header text never matches. A Z row's last column is the row of the ledger's sheet it was
copied from (column "Invoices row": 12); Z4's names the document's or receipt's cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.books.audit.papers import FIRST_ROW, PaperHead, Signoff, header, paper
from arxl.books.tieout import TieOut
from arxl.core.aging import BucketScheme, age, parse_buckets
from arxl.core.fx import in_base
from arxl.core.money import exponent
from arxl.core.period import Period
from arxl.ledger.changes import DataColumn, DataRows, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import OpenItem, open_items
from arxl.ledger.rates import rate_on
from arxl.ledger.records import Customer

Z_INVOICES, Z_RECEIPTS, Z_ALLOCATIONS, Z_OPEN, Z_CUSTOMERS = (
    "Z1 Invoices", "Z2 Receipts", "Z3 Allocations", "Z4 Open items", "Z5 Customers")

# column letters of the Z sheets, by the name the papers use
INV = {"no": "A", "type": "B", "date": "C", "due": "D", "customer": "E", "currency": "F", "net": "G", "vat": "H",
       "total": "I", "status": "J", "original": "K", "period": "L", "ebm": "M", "ebm_date": "N", "sage": "O",
       "rate": "P", "source": "Q"}
REC = {"id": "A", "date": "B", "customer": "C", "currency": "D", "amount": "E", "payer": "F", "reference": "G",
       "sage": "H", "source": "I"}
ALLOC = {"receipt": "A", "invoice": "B", "customer": "C", "date": "D", "currency": "E", "applied": "F",
         "deduction": "G", "type": "H", "certificate": "I", "certificate_date": "J", "rate": "K", "sage": "L",
         "source": "M"}
OPEN = {"customer": "A", "currency": "B", "kind": "C", "reference": "D", "date": "E", "due": "F", "days": "G",
        "bucket": "H", "open": "I", "rate": "J", "base": "K", "source": "L"}
CUST = {"id": "A", "name": "B", "type": "C", "related": "D", "provision": "E", "sage": "F", "source": "G"}


def column(sheet: str, letter: str) -> str:
    """A whole column of a sheet, for SUMIFS and COUNTIFS: ``'Z4 Open items'!$I:$I``."""
    return f"'{sheet}'!${letter}:${letter}"


def sumifs(sheet: str, total: str, *criteria: tuple[str, str]) -> str:
    """``SUMIFS`` over whole columns of a Z sheet (without the leading "="): ``criteria`` are (letter, criterion)
    pairs, the criterion already a formula operand (``"RWF"`` quoted, or a cell such as ``$B9``)."""
    parts = [column(sheet, total)] + [f"{column(sheet, letter)},{criterion}" for letter, criterion in criteria]
    return f"SUMIFS({','.join(parts)})"


def quoted(text: str) -> str:
    """A text as a formula operand: ``"RWF"`` (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


@dataclass(slots=True)
class PackContext:
    """The ledger as the papers see it at the period end (pure data; the app builds it and writes the pack)."""

    ledger: Ledger
    book: str
    period: Period
    head: PaperHead
    base: str
    scheme: BucketScheme
    items: list[OpenItem]  # open at the period end, in Z4's order
    closing: dict[str, Decimal]  # base per unit of each currency at the period end (1 for the base)
    customers: dict[str, Customer]
    item_rows: dict[str, int] = field(default_factory=dict)  # an open item's reference -> its Z4 row
    tie: TieOut | None = None  # Sage's Aged Debtors against arxl at the period end, when the report was given
    sage_control: Decimal | None = None  # Sage's debtors control account (trial balance), when given
    sage_source: str = ""  # where Sage's figures come from: "aged-debtors-2025-07-31.csv, trial-balance..."

    @property
    def first(self) -> dt.date:
        return self.period.first

    @property
    def last(self) -> dt.date:
        return self.period.last

    @property
    def currencies(self) -> list[str]:
        """The currencies of the register, the base first."""
        found = {i.currency for i in self.ledger.invoices} | {r.currency for r in self.ledger.receipts}
        return sorted(found, key=lambda c: (c != self.base, c))

    def days(self, item: OpenItem) -> int:
        """An open item's age at the period end on the aging basis of Settings."""
        return age(item.document_date, item.due_date, self.last, self.ledger.settings.aging_basis)

    def bucket(self, item: OpenItem) -> str:
        return self.scheme.label(self.days(item))

    def base_value(self, item: OpenItem) -> Decimal:
        """An open item at the closing rate, in the base currency (as Z4's Base Value formula computes it)."""
        return in_base(item.open_amount, self.closing[item.currency], self.base)

    def name(self, customer_id: str) -> str:
        c = self.customers.get(customer_id)
        return c.name if c else ""


def build_context(ledger: Ledger, book: str, period: Period, signoff: Signoff) -> PackContext:
    """The pack's view of ``ledger`` at the end of ``period``; raises MissingRate (naming the Rates sheet) when
    a foreign currency has no rate at the period end."""
    settings = ledger.settings
    base = settings.base_currency
    last = period.last
    items = open_items(ledger.invoices, ledger.allocations, last, ledger.receipts)
    rates = ledger.day_rates()
    currencies = {i.currency for i in items} | {base}
    closing = {c: rate_on(rates, c, last, base, book, "the closing rate of the audit pack") for c in currencies}
    head = PaperHead(settings.company_name, last, period.label, signoff)
    ctx = PackContext(ledger, book, period, head, base, parse_buckets(settings.aging_buckets), items, closing,
                      {c.customer_id: c for c in ledger.customers})
    ctx.item_rows = {i.reference: FIRST_ROW + n for n, i in enumerate(items)}
    return ctx


def _source(table: str, letters: dict[str, str], row: int) -> str:
    return f"{table}!{next(iter(letters.values()), 'A')}{row}"


def data_sheets(ctx: PackContext) -> list[SheetSpec]:
    """The Z sheets: copies of the ledger's tables, and the open items at the period end."""
    return [_invoices(ctx), _receipts(ctx), _allocations(ctx), _open_items(ctx), _customers(ctx)]


T, D, N = DataColumn(), DataColumn(style="date"), DataColumn(style="decimal")
ROW = DataColumn(style="integer")  # the row of the ledger's sheet the values were copied from


def _money(currency_of: int) -> DataColumn:
    return DataColumn(style="amount", currency_of=currency_of)


def _invoices(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.invoices
    spec = paper("Z1", "Invoices", "Invoice register (copy)", ctx.head, f"[{ctx.book}]Invoices, as it stood when "
                 "the pack was built", widths={"A": 18, "E": 12, "Q": 16})
    header(spec, "Invoice No", "Type", "Invoice Date", "Due Date", "Customer ID", "Currency", "Net Amount",
           "VAT Amount", "Total Amount", "Status", "Original Invoice", "Period", "EBM Receipt No", "EBM Date",
           "Sage Exported", "Rate", f"{table.sheet} row")
    spec.data = DataRows((T, T, D, D, T, T, _money(5), _money(5), _money(5), T, T, T, T, D, D, N, ROW), [
        (i.invoice_no, i.doc_type, i.invoice_date, i.due_date, i.customer_id, i.currency, i.net_amount,
         i.vat_amount, i.total_amount, i.status, i.original_invoice, i.period, i.ebm_receipt_no, i.ebm_date,
         i.sage_exported, i.rate, row)
        for i, row in zip(table.rows, table.row_numbers, strict=True)])
    return spec


def _receipts(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.receipts
    spec = paper("Z2", "Receipts", "Receipts register (copy)", ctx.head, f"[{ctx.book}]Receipts",
                 widths={"A": 18, "F": 24, "G": 18, "I": 16})
    header(spec, "Receipt ID", "Date", "Customer ID", "Currency", "Amount", "Payer", "Bank Reference",
           "Sage Exported", f"{table.sheet} row")
    spec.data = DataRows((T, D, T, T, _money(3), T, T, D, ROW), [
        (r.receipt_id, r.date, r.customer_id, r.currency, r.amount, r.payer_name, r.bank_reference, r.sage_exported,
         row)
        for r, row in zip(table.rows, table.row_numbers, strict=True)])
    return spec


def _allocations(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.allocations
    owner = {i.invoice_no: i.customer_id for i in ctx.ledger.invoices}
    payer = {r.receipt_id: r.customer_id for r in ctx.ledger.receipts}
    spec = paper("Z3", "Allocations", "Allocations (copy)", ctx.head, f"[{ctx.book}]Allocations; the customer "
                 "is the invoice's (the receipt's when it names no invoice)", widths={"A": 18, "B": 18, "M": 16})
    header(spec, "Receipt ID", "Invoice No", "Customer ID", "Date", "Currency", "Applied", "Deduction",
           "Deduction Type", "Certificate No", "Certificate Date", "Rate", "Sage Exported", f"{table.sheet} row")
    spec.data = DataRows((T, T, T, D, T, _money(4), _money(4), T, T, D, N, D, ROW), [
        (a.receipt_id, a.invoice_no, owner.get(a.invoice_no) or payer.get(a.receipt_id, ""), a.date, a.currency,
         a.applied_amount, a.deduction_amount, a.deduction_type, a.certificate_no, a.certificate_date, a.rate,
         a.sage_exported, row)
        for a, row in zip(table.rows, table.row_numbers, strict=True)])
    return spec


def _open_items(ctx: PackContext) -> SheetSpec:
    spec = paper("Z4", "Open items", f"Open items at {ctx.last:%d/%m/%Y}", ctx.head,
                 f"[{ctx.book}] register rebuilt at the period end (arxl aging); closing rates from the Rates sheet",
                 widths={"D": 18, "H": 10, "L": 16})
    header(spec, "Customer ID", "Currency", "Kind", "Reference", "Document Date", "Due Date", "Days Past Due",
           "Bucket", "Open Amount", "Closing Rate", f"Base Value {ctx.base}", "Source")
    places = exponent(ctx.base)
    invoices, receipts = ctx.ledger.invoices, ctx.ledger.receipts
    where = {i.invoice_no: _source(invoices.sheet, invoices.letters, row)
             for i, row in zip(invoices.rows, invoices.row_numbers, strict=True)}
    where.update({r.receipt_id: _source(receipts.sheet, receipts.letters, row)
                  for r, row in zip(receipts.rows, receipts.row_numbers, strict=True)})
    base = DataColumn(style="amount", currency=ctx.base, formula=f"=ROUND(I{{row}}*J{{row}},{places})")
    spec.data = DataRows((T, T, T, T, D, D, DataColumn(style="integer"), T, _money(1), N, base, T), [
        (i.customer_id, i.currency, i.kind, i.reference, i.document_date, i.due_date, ctx.days(i), ctx.bucket(i),
         i.open_amount, ctx.closing[i.currency], ctx.base_value(i), where.get(i.reference, ""))
        for i in ctx.items])
    return spec


def _customers(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.customers
    spec = paper("Z5", "Customers", "Customers (copy)", ctx.head, f"[{ctx.book}]Customers",
                 widths={"B": 32, "D": 20, "F": 22})
    header(spec, "Customer ID", "Name", "Type", "Related Party", "Specific Provision", "Sage Account",
           f"{table.sheet} row")
    spec.data = DataRows((T, T, T, T, DataColumn(style="percent"), T, ROW), [
        (c.customer_id, c.name, c.customer_type, c.related_party, c.specific_provision, c.sage_account, row)
        for c, row in zip(table.rows, table.row_numbers, strict=True)])
    return spec
