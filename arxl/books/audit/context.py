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
header text never matches. A Z row's last column names the ledger cell it was copied from ("Invoices!A12").
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
from arxl.ledger.changes import Cell, SheetSpec
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


def _invoices(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.invoices
    spec = paper("Z1", "Invoices", "Invoice register (copy)", ctx.head, f"[{ctx.book}]Invoices, as it stood when "
                 "the pack was built", widths={"A": 18, "E": 12, "Q": 16})
    header(spec, "Invoice No", "Type", "Invoice Date", "Due Date", "Customer ID", "Currency", "Net Amount",
           "VAT Amount", "Total Amount", "Status", "Original Invoice", "Period", "EBM Receipt No", "EBM Date",
           "Sage Exported", "Rate", "Source")
    for inv, row in zip(table.rows, table.row_numbers, strict=True):
        c = inv.currency
        spec.rows.append([
            Cell(inv.invoice_no), Cell(inv.doc_type), Cell(inv.invoice_date, style="date"),
            Cell(inv.due_date, style="date"), Cell(inv.customer_id), Cell(c),
            Cell(inv.net_amount, style="amount", currency=c), Cell(inv.vat_amount, style="amount", currency=c),
            Cell(inv.total_amount, style="amount", currency=c), Cell(inv.status), Cell(inv.original_invoice),
            Cell(inv.period), Cell(inv.ebm_receipt_no), Cell(inv.ebm_date, style="date"),
            Cell(inv.sage_exported, style="date"), Cell(inv.rate, style="decimal"),
            Cell(_source(table.sheet, table.letters, row))])
    return spec


def _receipts(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.receipts
    spec = paper("Z2", "Receipts", "Receipts register (copy)", ctx.head, f"[{ctx.book}]Receipts",
                 widths={"A": 18, "F": 24, "G": 18, "I": 16})
    header(spec, "Receipt ID", "Date", "Customer ID", "Currency", "Amount", "Payer", "Bank Reference",
           "Sage Exported", "Source")
    for r, row in zip(table.rows, table.row_numbers, strict=True):
        spec.rows.append([
            Cell(r.receipt_id), Cell(r.date, style="date"), Cell(r.customer_id), Cell(r.currency),
            Cell(r.amount, style="amount", currency=r.currency), Cell(r.payer_name), Cell(r.bank_reference),
            Cell(r.sage_exported, style="date"), Cell(_source(table.sheet, table.letters, row))])
    return spec


def _allocations(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.allocations
    owner = {i.invoice_no: i.customer_id for i in ctx.ledger.invoices}
    payer = {r.receipt_id: r.customer_id for r in ctx.ledger.receipts}
    spec = paper("Z3", "Allocations", "Allocations (copy)", ctx.head, f"[{ctx.book}]Allocations; the customer "
                 "is the invoice's (the receipt's when it names no invoice)", widths={"A": 18, "B": 18, "M": 16})
    header(spec, "Receipt ID", "Invoice No", "Customer ID", "Date", "Currency", "Applied", "Deduction",
           "Deduction Type", "Certificate No", "Certificate Date", "Rate", "Sage Exported", "Source")
    for a, row in zip(table.rows, table.row_numbers, strict=True):
        c = a.currency
        spec.rows.append([
            Cell(a.receipt_id), Cell(a.invoice_no), Cell(owner.get(a.invoice_no) or payer.get(a.receipt_id, "")),
            Cell(a.date, style="date"), Cell(c), Cell(a.applied_amount, style="amount", currency=c),
            Cell(a.deduction_amount, style="amount", currency=c), Cell(a.deduction_type), Cell(a.certificate_no),
            Cell(a.certificate_date, style="date"), Cell(a.rate, style="decimal"),
            Cell(a.sage_exported, style="date"), Cell(_source(table.sheet, table.letters, row))])
    return spec


def _open_items(ctx: PackContext) -> SheetSpec:
    spec = paper("Z4", "Open items", f"Open items at {ctx.last:%d/%m/%Y}", ctx.head,
                 f"[{ctx.book}] register rebuilt at the period end (arxl aging); closing rates from the Rates sheet",
                 widths={"D": 18, "H": 10, "L": 16})
    header(spec, "Customer ID", "Currency", "Kind", "Reference", "Document Date", "Due Date", "Days Past Due",
           "Bucket", "Open Amount", "Closing Rate", f"Base Value {ctx.base}", "Source")
    places = exponent(ctx.base)
    where = {i.invoice_no: _source(ctx.ledger.invoices.sheet, ctx.ledger.invoices.letters, row)
             for i, row in zip(ctx.ledger.invoices.rows, ctx.ledger.invoices.row_numbers, strict=True)}
    where.update({r.receipt_id: _source(ctx.ledger.receipts.sheet, ctx.ledger.receipts.letters, row)
                  for r, row in zip(ctx.ledger.receipts.rows, ctx.ledger.receipts.row_numbers, strict=True)})
    for n, item in enumerate(ctx.items):
        row = FIRST_ROW + n
        c = item.currency
        spec.rows.append([
            Cell(item.customer_id), Cell(c), Cell(item.kind), Cell(item.reference),
            Cell(item.document_date, style="date"), Cell(item.due_date, style="date"),
            Cell(ctx.days(item), style="integer"), Cell(ctx.bucket(item)),
            Cell(item.open_amount, style="amount", currency=c), Cell(ctx.closing[c], style="decimal"),
            Cell(ctx.base_value(item), formula=f"=ROUND(I{row}*J{row},{places})", style="amount",
                 currency=ctx.base),
            Cell(where.get(item.reference, ""))])
    return spec


def _customers(ctx: PackContext) -> SheetSpec:
    table = ctx.ledger.customers
    spec = paper("Z5", "Customers", "Customers (copy)", ctx.head, f"[{ctx.book}]Customers",
                 widths={"B": 32, "D": 20, "F": 22})
    header(spec, "Customer ID", "Name", "Type", "Related Party", "Specific Provision", "Sage Account", "Source")
    for c, row in zip(table.rows, table.row_numbers, strict=True):
        spec.rows.append([
            Cell(c.customer_id), Cell(c.name), Cell(c.customer_type), Cell(c.related_party),
            Cell(c.specific_provision, style="percent"), Cell(c.sage_account),
            Cell(_source(table.sheet, table.letters, row))])
    return spec
