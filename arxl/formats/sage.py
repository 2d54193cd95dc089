"""The Sage 50 import file: the month's invoices and credit notes as audit-trail transactions (CSV).

SAGE 50 is the ledger of record; arxl's register feeds it through Sage's *Import > Audit trail transactions*.
Each document of the period becomes SI (sales invoice) or SC (sales credit) rows, one per tax code, in
Sage's column order:

``Type, Account Reference, Nominal A/C Ref, Department Code, Date, Reference, Details, Net Amount, Tax Code,
Tax Amount, Exchange Rate, Extra Reference, User Name, Project Refn, Cost Code Refn``

All fifteen columns are written (the last five are Sage's "extended" layout): Exchange Rate is needed for
USD documents, and Extra Reference carries the PO (or contract) of an invoice and the original invoice of a
credit note, which is what the accountant looks for in Sage. Department, User Name, Project and Cost Code
are left blank (Sage then uses the customer's defaults).

Sage's limits (Sage 50 Accounts knowledge base, "Audit trail transactions data fields you can import") and
what arxl does with them:

- **Account Reference**, at most 8 characters, no spaces, must exist in Sage: the customer's ``Sage Account``
  column, else the customer ID when that is itself a valid reference; upper case. A longer ID is *not*
  truncated (two customers could end up on one account): the document is held back with a message asking
  for the Sage Account.
- **Nominal A/C Ref**, at most 8: the service's ``Sage Nominal`` (by the line's service code), else
  Settings "Sage Sales Nominal". A document whose lines of one tax code go to several nominal codes gets one
  row per (tax code, nominal code): Sage posts each row to one nominal account, so merging them would post
  all the sales of that rate to one account and the sales analysis in Sage would be wrong.
- **Date** DD/MM/YYYY; **Reference** the document number, at most 30 (a longer number is held back, never
  cut: the reference is how receipts are allocated in Sage); **Details** at most 60 (cut with "...").
- **Tax Code** T0 to T99, from the TaxCodes table's ``Sage Tax Code`` (the row in force on the document
  date); "1" is read as T1. A tax code without one holds the document back.
- **Net** and **Tax** are positive (SC says it is a credit) with the currency's decimals (RWF none, USD 2),
  and at most 8 digits before the point: 99,999,999.99. A larger row is **split** into the fewest rows
  under the limit, with the same reference, whose nets and taxes add up exactly to the row's (largest
  remainder, :func:`arxl.core.money.allocate`). Splitting keeps the one reference, account, nominal and tax
  code, so Sage's customer balance, sales and VAT return are right; the only cost is that a receipt is
  allocated over two or three transactions in Sage. Refusing instead would leave a large e-government
  invoice (over 99,999,999 RWF, about 70,000 USD) out of the ledger of record. A row that would need more
  than :data:`MAX_SPLIT` rows (about ten billion) is held back instead: that is a typing mistake, not an
  invoice, and the billing review blocks it before it is billed.
- **Exchange Rate**: 1 for documents in the base currency (Settings "Base Currency"). A USD document is
  exported in USD, to the customer's USD account in Sage (Foreign Trader), with Sage's exchange rate: units
  of the foreign currency per one unit of the base currency, i.e. 1 / the document's rate (its Rate column,
  else the Rates sheet's of its date, :func:`arxl.ledger.rates.document_rate`; RWF per USD): 1,440 RWF per USD
  gives 0.000694444 (nine decimals, which brings 1,440.000 back). A document without a rate is held back.

Text is written as plain ASCII (accents dropped: "Société" -> "Societe"), on one line.

**Formula injection** (OWASP "CSV Injection": a cell beginning with = + - @, a tab or a carriage return is
evaluated as a formula when the file is opened in a spreadsheet). The file is read by Sage and, now and then,
opened in Excel by a person; what is done depends on who reads the field:

- **Codes** (Account Reference, Nominal A/C Ref, Department Code; Tax Code is always T0 to T99): Sage reads
  them verbatim, and a code changed to make it safe (``-A1`` to ``'-A1`` or ``A1``) would post to another
  account, or to none. So they are never altered: a code beginning with such a character is refused by
  ``arxl validate`` (and so by every command) at its cell, in Customers (Sage Account, or the Customer ID
  when it serves as the account reference), Services (Sage Nominal) and Settings (Sage Sales Nominal, Sage
  Bank Nominal); the export holds back a document whose code begins with one anyway.
- **Reference** (the document number, how Sage allocates receipts): a code too. It begins with the Settings
  series, which ``validate`` requires to begin with a letter; a number that does not is held back.
- **Text for people** (Details, Extra Reference): neutralised the OWASP way, with a leading single quote
  (``'=HYPERLINK(...)``). Sage imports the quote as a character of the text, so the description in Sage
  shows it; that is the price of a file a spreadsheet opens safely, and the text was not a code.
- Amounts are written positive (SC says it is a credit) and dates as DD/MM/YYYY: none begins with a sign.

Nothing is exported twice: every document written gets ``Sage Exported`` set to the export date in the same
ChangeSet, and a run skips documents that have one, unless ``again=True`` (a re-export, e.g. after the
accountant deleted a failed import in Sage). Documents held back are reported as problems and not marked,
so the next run exports them once they are fixed.

>>> _amount(Decimal("-708000"), "RWF"), _amount(Decimal("1250.5"), "USD")
('708000', '1250.50')
>>> [str(n) for n in _split(Decimal("250000000"), Decimal("45000000"), "RWF")[0]]
['83333334', '83333333', '83333333']
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from arxl.core.errors import BadValue, CellRef, Problem
from arxl.core.money import CURRENCIES, allocate, total, unit
from arxl.core.period import Period
from arxl.core.sage_limits import MAX_AMOUNT, MAX_SPLIT
from arxl.core.tax import vat_on_net
from arxl.formats.xlsx.save import atomic_write
from arxl.ledger.changes import ChangeSet
from arxl.ledger.codes import FORMULA_START
from arxl.ledger.ledger import DayRates, Ledger
from arxl.ledger.rates import MissingRate, document_rate
from arxl.ledger.records import Customer, Invoice, InvoiceLine, Service, TaxCodeRow

COLUMNS = ("Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference", "Details",
           "Net Amount", "Tax Code", "Tax Amount", "Exchange Rate", "Extra Reference", "User Name", "Project Refn",
           "Cost Code Refn")
ACCOUNT_LENGTH = 8
NOMINAL_LENGTH = 8
REFERENCE_LENGTH = 30
DETAILS_LENGTH = 60
EXTRA_REFERENCE_LENGTH = 30
RATE_PLACES = 9
_ACCOUNT = re.compile(r"[A-Z0-9_&][A-Z0-9_&\-]{0,7}")  # never beginning with "-": see the docstring
_NOMINAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]{0,7}")
_TAX_CODE = re.compile(r"T?(\d{1,2})")

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SageRow:
    """One row of the import file, amounts already positive."""

    type: Literal["SI", "SC"]
    account_reference: str
    nominal: str
    date: dt.date
    reference: str
    details: str
    net: Decimal
    tax_code: str
    tax: Decimal
    currency: str  # decides the decimals written; not a column
    exchange_rate: Decimal = Decimal(1)
    extra_reference: str = ""
    department: str = ""
    user_name: str = ""
    project: str = ""
    cost_code: str = ""

    def fields(self) -> list[str]:
        """The row as Sage reads it, column by column."""
        return [self.type, self.account_reference, self.nominal, self.department, f"{self.date:%d/%m/%Y}",
                self.reference, self.details, _amount(self.net, self.currency), self.tax_code,
                _amount(self.tax, self.currency), _rate(self.exchange_rate), self.extra_reference, self.user_name,
                self.project, self.cost_code]


class _HeldBack(Exception):
    def __init__(self, where: CellRef, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def sage_rows(ledger: Ledger, period: Period | str, *, again: bool = False,
              on: dt.date | None = None) -> tuple[list[SageRow], ChangeSet, list[Problem]]:
    """The Sage rows of the period's documents not yet exported, the ChangeSet marking them exported on
    ``on`` (default today), and a problem per document held back."""
    month = Period.parse(period)  # text until the app passes a Period
    first, last = month.first, month.last
    exported_on = on or dt.date.today()
    export = _Export(ledger)
    table = ledger.invoices
    rows: list[SageRow] = []
    changes = ChangeSet()
    problems: list[Problem] = []
    chosen = sorted((i for i, doc in enumerate(table.rows) if first <= doc.invoice_date <= last),
                    key=lambda i: (table.rows[i].invoice_date, table.rows[i].invoice_no))
    for i in chosen:
        document = table.rows[i]
        if document.status == "cancelled":
            problems.append(Problem(table.where(i, "status"), f"{document.invoice_no} is cancelled: not exported",
                                    "warning"))
            continue
        if document.sage_exported is not None and not again:
            continue
        try:
            rows.extend(export.document(i))
        except _HeldBack as exc:
            problems.append(Problem(exc.where, f"{document.invoice_no} not exported: {exc.message}"))
            continue
        changes.update("Invoices", table.row_numbers[i], "sage_exported", exported_on)
    return rows, changes, problems


class _Export:
    """The lookups one export needs, built once."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.settings = ledger.settings
        self.rates: DayRates | None = None
        self.customers = {c.customer_id.strip().upper(): i for i, c in enumerate(ledger.customers.rows)}
        self.services = {s.service_code.strip().upper(): i for i, s in enumerate(ledger.services.rows)}
        self.tax_codes: dict[str, list[int]] = {}
        for i, row in enumerate(ledger.tax_codes.rows):
            self.tax_codes.setdefault(row.code.strip().upper(), []).append(i)
        self.lines: dict[str, list[int]] = {}
        for j, line in enumerate(ledger.invoice_lines.rows):
            self.lines.setdefault(line.invoice_no.strip().upper(), []).append(j)

    def document(self, index: int) -> list[SageRow]:
        table = self.ledger.invoices
        doc = table.rows[index]
        credit = doc.doc_type == "credit_note"
        sign = -1 if credit else 1
        reference = _plain(doc.invoice_no)
        if len(reference) > REFERENCE_LENGTH:
            raise _HeldBack(table.where(index, "invoice_no"), f"its number is longer than Sage's "
                            f"{REFERENCE_LENGTH} characters for a reference")
        if reference.startswith(FORMULA_START):  # a code: never altered (see the docstring)
            raise _HeldBack(table.where(index, "invoice_no"), f'its number begins with "{reference[0]}", which a '
                            "spreadsheet reads as a formula; Sage's reference must be the number as it is")
        code = doc.currency.strip().upper()
        if code not in CURRENCIES:
            raise _HeldBack(table.where(index, "currency"), f'currency "{doc.currency}" is not known')
        account = self.account(doc, table.where(index, "customer_id"))
        rate = self.exchange_rate(doc, code)
        all_lines = self.ledger.invoice_lines.rows
        lines = sorted(self.lines.get(doc.invoice_no.strip().upper(), []), key=lambda j: all_lines[j].line_no)
        if not lines:
            raise _HeldBack(table.where(index, "invoice_no"), "it has no lines in InvoiceLines, so its nominal "
                            "and tax codes are not known")
        groups = self.groups(doc, lines, table.where(index, "vat_amount"))
        if credit:
            details_head = f"Credit note for {doc.original_invoice}" if doc.original_invoice else "Credit note"
            extra = doc.original_invoice
        else:
            details_head, extra = "", doc.po_number or doc.contract_ref
        rows: list[SageRow] = []
        for (tax_code, nominal), (net, tax, descriptions) in groups.items():
            net, tax = sign * net, sign * tax
            if net < 0 or tax < 0:
                raise _HeldBack(table.where(index, "net_amount"), f"its lines of tax code {tax_code} on nominal "
                                f"{nominal} add up to a {'debit' if credit else 'credit'} (net {-net}, tax {-tax}); "
                                "Sage imports no negative rows: record it as a separate "
                                f"{'invoice' if credit else 'credit note'}")
            if net == 0 and tax == 0:
                continue
            details = _details(details_head, descriptions)
            split = _split(net, tax, code)
            if len(split[0]) > MAX_SPLIT:
                raise _HeldBack(table.where(index, "net_amount"), f"its net {net:,} {code} of tax code {tax_code} "
                                f"would take {len(split[0]):,} Sage rows of at most {MAX_AMOUNT:,} (more than "
                                f"{MAX_SPLIT}): check the amount")
            for part_net, part_tax in zip(*split, strict=True):
                rows.append(SageRow("SC" if credit else "SI", account, nominal, doc.invoice_date, reference,
                                    details, part_net, tax_code, part_tax, code, rate,
                                    _text(extra, EXTRA_REFERENCE_LENGTH)))
        return rows

    def account(self, doc: Invoice, where: CellRef) -> str:
        index = self.customers.get(doc.customer_id.strip().upper())
        if index is None:
            raise _HeldBack(where, f'customer "{doc.customer_id}" is not in Customers')
        customer: Customer = self.ledger.customers.rows[index]
        given = customer.sage_account.strip().upper()
        account = given or customer.customer_id.strip().upper()
        if not _ACCOUNT.fullmatch(account):
            column = "sage_account" if given else "customer_id"
            why = f"longer than Sage's {ACCOUNT_LENGTH} characters" if len(account) > ACCOUNT_LENGTH else \
                "not a Sage account reference (letters, digits and - _ & only, no spaces)"
            raise _HeldBack(self.ledger.customers.where(index, column),
                            f'the Sage account reference "{account[:20]}" of {customer.customer_id} is {why}: put '
                            "the customer's Sage A/C in the Sage Account column of Customers")
        return account

    def exchange_rate(self, doc: Invoice, code: str) -> Decimal:
        base = self.settings.base_currency.strip().upper()
        if code == base:
            return Decimal(1)
        self.rates = self.rates or self.ledger.day_rates()
        try:
            rate = document_rate(doc, self.rates, base, self.ledger.book)
        except MissingRate as exc:
            raise _HeldBack(CellRef(self.ledger.book, "Rates"), exc.message) from None
        return (Decimal(1) / rate).quantize(Decimal(1).scaleb(-RATE_PLACES))

    def nominal(self, line: InvoiceLine) -> tuple[str, CellRef]:
        index = self.services.get(line.service_code.strip().upper()) if line.service_code else None
        if index is not None:
            service: Service = self.ledger.services.rows[index]
            if service.sage_nominal.strip():
                return service.sage_nominal.strip(), self.ledger.services.where(index, "sage_nominal")
        return self.settings.sage_sales_nominal.strip(), CellRef(self.ledger.book, "Settings")

    def tax_code(self, code: str, on: dt.date, where: CellRef) -> str:
        found = self.tax_codes.get(code.strip().upper())
        if not found:
            raise _HeldBack(where, f'tax code "{code}" is not in TaxCodes')
        rows: list[TaxCodeRow] = [self.ledger.tax_codes.rows[i] for i in found]
        in_force = [i for i, row in zip(found, rows, strict=True) if row.effective_from <= on] or found
        index = max(in_force, key=lambda i: self.ledger.tax_codes.rows[i].effective_from)
        sage = self.ledger.tax_codes.rows[index].sage_tax_code.strip().upper()
        match = _TAX_CODE.fullmatch(sage)
        if not match:
            shown = f'"{sage[:10]}"' if sage else "nothing"
            raise _HeldBack(self.ledger.tax_codes.where(index, "sage_tax_code"), f"tax code {code} has {shown} as "
                            "its Sage Tax Code; Sage needs T0 to T99")
        return f"T{int(match[1])}"

    def groups(self, doc: Invoice, lines: Sequence[int],
               where: CellRef) -> dict[tuple[str, str], tuple[Decimal, Decimal, list[str]]]:
        """Net, tax and descriptions per (Sage tax code, nominal), adding up to the document exactly."""
        nets: dict[tuple[str, str], Decimal] = {}
        vats: dict[tuple[str, str], Decimal] = {}
        texts: dict[tuple[str, str], list[str]] = {}
        by_rate: dict[tuple[str, Decimal], Decimal] = {}
        for j in lines:
            line = self.ledger.invoice_lines.rows[j]
            nominal, nominal_at = self.nominal(line)
            if not _NOMINAL.fullmatch(nominal):
                raise _HeldBack(nominal_at, f'the Sage nominal code "{nominal[:20]}" of line {line.line_no} is not '
                                f"1 to {NOMINAL_LENGTH} letters or digits")
            key = (self.tax_code(line.tax_code, doc.invoice_date, self.ledger.invoice_lines.where(j, "tax_code")),
                   nominal)
            nets[key] = nets.get(key, ZERO) + line.net_amount
            vats[key] = vats.get(key, ZERO) + line.vat_amount
            texts.setdefault(key, []).append(line.description)
            rate_key = (key[0], line.vat_rate)
            by_rate[rate_key] = by_rate.get(rate_key, ZERO) + line.net_amount
        net_sum, vat_sum = total(nets.values()), total(vats.values())
        if net_sum != doc.net_amount:
            raise _HeldBack(where, f"its lines add up to net {net_sum}, the register says {doc.net_amount}")
        if vat_sum != doc.vat_amount:
            vats = self.refit_vat(doc, nets, by_rate, where)
        return {key: (nets[key], vats[key], texts[key]) for key in nets}

    def refit_vat(self, doc: Invoice, nets: dict[tuple[str, str], Decimal],
                  by_rate: dict[tuple[str, Decimal], Decimal], where: CellRef) -> dict[tuple[str, str], Decimal]:
        """Lines whose VAT does not add up to the document's (VAT rounded once per rate on the invoice): the
        VAT per rate recomputed, then shared over the rows of its tax code by net."""
        code = doc.currency.strip().upper()
        per_code: dict[str, Decimal] = {}
        for (tax_code, rate), net in by_rate.items():
            per_code[tax_code] = per_code.get(tax_code, ZERO) + vat_on_net(net, rate, code)
        if total(per_code.values()) != doc.vat_amount:
            raise _HeldBack(where, f"its lines' VAT does not add up to the register's VAT {doc.vat_amount}")
        vats: dict[tuple[str, str], Decimal] = {}
        for tax_code, vat in per_code.items():
            keys = [k for k in nets if k[0] == tax_code]
            weights = [abs(nets[k]) for k in keys]
            if total(weights) == 0:
                weights = [Decimal(1)] * len(keys)
            vats.update(zip(keys, allocate(vat, weights, code), strict=True))
        return vats


def _split(net: Decimal, tax: Decimal, code: str) -> tuple[list[Decimal], list[Decimal]]:
    """A row over Sage's 99,999,999.99 as the fewest rows under it, adding up exactly (net and tax)."""
    step = unit(code)
    limit = int(MAX_AMOUNT / step)
    count = max(1, math.ceil(int(net / step) / limit), math.ceil(int(tax / step) / limit))
    if count == 1:
        return [net], [tax]
    nets = allocate(net, [1] * count, code)
    taxes = allocate(tax, nets if net > 0 else [1] * count, code)
    if max(taxes) > MAX_AMOUNT:  # a tax larger than its net: share it evenly instead
        taxes = allocate(tax, [1] * count, code)
    return nets, taxes


def _amount(amount: Decimal, code: str) -> str:
    return f"{abs(amount):.{CURRENCIES[code].exponent}f}"


def _rate(rate: Decimal) -> str:
    text = f"{rate:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(value: str) -> str:
    """Plain ASCII on one line (tabs and line breaks become single spaces)."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.split())


def _text(value: str, limit: int) -> str:
    """Text for people: plain ASCII on one line, a leading single quote when it would begin like a formula
    (OWASP), cut to ``limit`` characters.

    >>> _text("=HYPERLINK(1)", 60), _text("-5% discount", 60), _text("Rack hosting", 60)
    ("'=HYPERLINK(1)", "'-5% discount", 'Rack hosting')
    """
    plain = _plain(value)
    if plain.startswith(FORMULA_START):
        plain = "'" + plain
    return plain if len(plain) <= limit else plain[: limit - 3].rstrip() + "..."


def _details(head: str, descriptions: list[str]) -> str:
    unique = list(dict.fromkeys(d.strip() for d in descriptions if d.strip()))
    body = unique[0] if unique else ""
    if len(unique) > 1:
        body += f" (+{len(unique) - 1} more)"
    return _text(f"{head}: {body}" if head and body else head or body, DETAILS_LENGTH)


def write_sage_csv(rows: Sequence[SageRow], path: Path | str, *, header: bool = True) -> Path:
    """Write the rows as Sage's CSV, atomically: a temporary file, then replace; a previous file of that name
    is kept as ``name.bak.csv`` so an export not yet imported into Sage is never lost.

    ``header`` writes the column titles first (Sage's import wizard maps columns by them; untick "first row"
    only for the old fixed-position import).
    """
    target = Path(path)
    if target.is_dir():
        raise BadValue("is a folder, not a file", CellRef(target.name))

    def write(temp: Path) -> None:
        with temp.open("w", encoding="ascii", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\r\n")
            if header:
                writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow(row.fields())

    atomic_write(target, write)
    return target
