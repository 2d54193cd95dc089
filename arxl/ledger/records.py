"""The billing workbook's tables: one Excel Table (ListObject) per sheet, one pydantic model per row.

The workbook is the accountant's ledger. User tables (Customers, Contracts, ...) are typed in by hand;
arxl only appends rows or changes a status column of the tables it owns. Each row model lists its columns
in order; the header an accountant sees is the field's ``title`` ("Invoice No"), matched ignoring case,
spaces and punctuation, so "invoice no." and "InvoiceNo" are the same column. Extra columns the accountant
adds are kept and ignored.

Column kinds come from the annotations: ``Decimal`` amounts through the one money door, ``Rate`` fields
accept "18%" or 0.18, ``date`` through the one date door, ``Literal`` choices matched case-insensitively,
``str`` text. A field with a default is optional (a blank cell takes the default).

>>> [c.header for c in columns(Customer)][:3]
['Customer ID', 'Name', 'Aliases']
>>> TABLES["Invoices"].key
('invoice_no',)
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from arxl.core.withholding import DeductionType as DeductionType  # one list, in the withholding table's module


class RateMarker:
    """Marks a Decimal field that holds a rate (18% or 0.18), not an amount."""


Rate = Annotated[Decimal, RateMarker()]

CustomerType = Literal["government", "private", "ngo", "foreign"]
Cycle = Literal["monthly", "quarterly", "annual", "once"]
BillingTiming = Literal["advance", "arrears"]
ContractStatus = Literal["active", "suspended", "ended"]
ScheduleStatus = Literal["due", "billed", "skipped"]
DocType = Literal["invoice", "credit_note"]
InvoiceStatus = Literal["open", "part-paid", "paid", "credited", "cancelled"]
Channel = Literal["call", "e-mail", "visit", "letter", "sms"]
ArrangementStatus = Literal["pending", "kept", "broken", "cancelled"]
QueryStatus = Literal["open", "answered", "closed"]
Resolution = Literal["", "explanation", "credit note", "re-issue"]


def col(title: str, default: Any = ..., **extra: Any) -> Any:
    """A column: its header as the accountant sees it, and a default when the column is optional."""
    return Field(default, title=title, **extra)


class Row(BaseModel):
    """Base of every table row: immutable, no surprise fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


R = TypeVar("R", bound=Row)


class Setting(Row):
    key: str = col("Key")
    value: str = col("Value", "")
    notes: str = col("Notes", "")


class TaxCodeRow(Row):
    code: str = col("Code")
    description: str = col("Description", "")
    rate: Rate = col("Rate")
    effective_from: dt.date = col("Effective From")
    sage_tax_code: str = col("Sage Tax Code", "")


class Closure(Row):
    date: dt.date = col("Date")
    description: str = col("Description", "")


class DunningLevel(Row):
    level: int = col("Level")
    name: str = col("Name")
    days_overdue: int = col("Days Overdue")
    fee: Decimal = col("Fee", Decimal(0))
    fee_currency: str = col("Fee Currency", "")
    annual_interest: Rate = col("Annual Interest", Decimal(0))
    template: str = col("Template", "")


class Customer(Row):
    customer_id: str = col("Customer ID")
    name: str = col("Name")
    aliases: str = col("Aliases", "")
    tin: str = col("TIN", "")
    customer_type: CustomerType = col("Type")
    withholding: str = col("Withholding", "")
    bank_accounts: str = col("Bank Accounts", "")
    email: str = col("Email", "")
    phone: str = col("Phone", "")
    contact: str = col("Contact", "")
    address: str = col("Address", "")
    terms: str = col("Terms", "")
    currency: str = col("Currency", "")
    credit_limit: Decimal = col("Credit Limit", Decimal(0))
    sage_account: str = col("Sage Account", "")
    related_party: str = col("Related Party", "")  # the relationship ("common director"), blank when none
    specific_provision: Rate | None = col("Specific Provision", None)  # a known problem debt: its own rate


class Service(Row):
    service_code: str = col("Service Code")
    description: str = col("Description")
    unit: str = col("Unit", "")
    rate: Decimal = col("Approved Rate")
    currency: str = col("Currency")
    tax_code: str = col("Tax Code")
    sage_nominal: str = col("Sage Nominal", "")


class Contract(Row):
    contract_ref: str = col("Contract Ref")
    customer_id: str = col("Customer ID")
    service_code: str = col("Service Code")
    description: str = col("Description", "")
    quantity: Decimal = col("Quantity")
    rate: Decimal = col("Rate")
    currency: str = col("Currency")
    cycle: Cycle = col("Cycle")
    billing: BillingTiming = col("Billing", "advance")
    start_date: dt.date = col("Start Date")
    end_date: dt.date | None = col("End Date", None)
    escalation: Rate = col("Escalation", Decimal(0))
    discount: Rate = col("Discount", Decimal(0))
    terms: str = col("Terms", "")
    po_number: str = col("PO Number", "")
    status: ContractStatus = col("Status", "active")


class ScheduleLine(Row):
    contract_ref: str = col("Contract Ref")
    period: str = col("Period")
    period_start: dt.date = col("Period Start")
    period_end: dt.date = col("Period End")
    customer_id: str = col("Customer ID")
    service_code: str = col("Service Code")
    quantity: Decimal = col("Quantity")
    rate: Decimal = col("Rate")
    amount: Decimal = col("Amount")
    currency: str = col("Currency")
    status: ScheduleStatus = col("Status", "due")
    invoice_no: str = col("Invoice No", "")


class Invoice(Row):
    invoice_no: str = col("Invoice No")
    doc_type: DocType = col("Type", "invoice")
    invoice_date: dt.date = col("Invoice Date")
    due_date: dt.date = col("Due Date")
    customer_id: str = col("Customer ID")
    currency: str = col("Currency")
    net_amount: Decimal = col("Net Amount")
    vat_amount: Decimal = col("VAT Amount")
    total_amount: Decimal = col("Total Amount")
    terms: str = col("Terms", "")
    contract_ref: str = col("Contract Ref", "")
    po_number: str = col("PO Number", "")
    period: str = col("Period", "")
    original_invoice: str = col("Original Invoice", "")
    status: InvoiceStatus = col("Status", "open")
    ebm_receipt_no: str = col("EBM Receipt No", "")
    ebm_sdc_id: str = col("EBM SDC ID", "")
    ebm_mrc: str = col("EBM MRC", "")
    ebm_date: dt.date | None = col("EBM Date", None)
    ebm_receipt_type: str = col("EBM Receipt Type", "")
    sage_exported: dt.date | None = col("Sage Exported", None)
    notes: str = col("Notes", "")
    rate: Decimal | None = col("Rate", None)  # a foreign-currency document: base currency per unit on its date


class InvoiceLine(Row):
    invoice_no: str = col("Invoice No")
    line_no: int = col("Line")
    description: str = col("Description")
    quantity: Decimal = col("Quantity")
    unit_price: Decimal = col("Unit Price")
    discount: Decimal = col("Discount", Decimal(0))
    net_amount: Decimal = col("Net Amount")
    tax_code: str = col("Tax Code")
    vat_rate: Rate = col("VAT Rate")
    vat_amount: Decimal = col("VAT Amount")
    contract_ref: str = col("Contract Ref", "")
    service_code: str = col("Service Code", "")
    period: str = col("Period", "")


class Receipt(Row):
    receipt_id: str = col("Receipt ID")
    date: dt.date = col("Date")
    amount: Decimal = col("Amount")
    currency: str = col("Currency")
    customer_id: str = col("Customer ID", "")
    payer_name: str = col("Payer", "")
    narrative: str = col("Narrative", "")
    bank_reference: str = col("Bank Reference", "")
    bank_account: str = col("Bank Account", "")
    statement_line: str = col("Statement Line", "")
    sage_exported: dt.date | None = col("Sage Exported", None)


class Allocation(Row):
    receipt_id: str = col("Receipt ID")
    invoice_no: str = col("Invoice No", "")
    date: dt.date = col("Date")
    currency: str = col("Currency")
    applied_amount: Decimal = col("Applied")
    deduction_amount: Decimal = col("Deduction", Decimal(0))
    deduction_type: DeductionType = col("Deduction Type", "")
    certificate_no: str = col("Certificate No", "")
    notes: str = col("Notes", "")
    certificate_date: dt.date | None = col("Certificate Date", None)  # when the withholding certificate arrived
    rate: Decimal | None = col("Rate", None)  # the receipt's currency per unit of this one, when they differ
    sage_exported: dt.date | None = col("Sage Exported", None)  # the deduction's row in Sage


class StatementRecord(Row):
    fingerprint: str = col("Fingerprint")
    account: str = col("Account", "")
    currency: str = col("Currency", "")
    file: str = col("File", "")
    imported: dt.date = col("Imported")
    first_date: dt.date | None = col("First Date", None)
    last_date: dt.date | None = col("Last Date", None)
    lines: int = col("Lines", 0)
    status: Literal["proposed", "posted"] = col("Status", "proposed")
    balances: str = col("Balances", "")  # "checked", "not checked: switched off", "not given" (older books: no column)


MATCH_RULE_KINDS = ("alias", "account", "reference", "third party", "bank charge", "not")
_CHARGE = re.compile(r"([A-Za-z]{3})\s+(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")


class MatchRule(Row):
    """A rule the matcher follows, learnt from the accountant's decisions (or written by hand) in MatchRules:
    ``kind`` is alias, account, third party, reference, bank charge or not; ``key`` the alias, the payer's
    account, the third party's name, the reference pattern, the currency and usual charge ("RWF 10000"), or the
    payer's name that does not name the customer(s) (``not``, learnt from a rejection)."""

    kind: str = col("Kind")
    key: str = col("Pattern/Key")
    customer: str = col("Customer(s)")
    source: str = col("Source", "")
    created: dt.date | None = col("Created", None)
    active: str = col("Active", "Yes")

    @property
    def switched_off(self) -> bool:
        """Active says No (or N, False, 0, Inactive): the matcher leaves the row aside."""
        return self.active.strip().lower() in ("no", "n", "false", "0", "inactive")

    @property
    def customer_ids(self) -> list[str]:
        """The customers the rule names, separated by ; or ,."""
        return [c.strip() for c in self.customer.replace(",", ";").split(";") if c.strip()]

    def charge(self) -> tuple[str, Decimal] | None:
        """A ``bank charge`` rule's currency and usual charge ("RWF 10000", "USD 12.50", "RWF 10,000"), or None
        when its Pattern/Key is not written so (a comma only between thousands: "USD 12,5" is no charge)."""
        found = _CHARGE.fullmatch(self.key.strip())
        if found is None:
            return None
        return found[1].upper(), Decimal(found[2].replace(",", ""))


class CollectionsEntry(Row):
    date: dt.date = col("Date")
    customer_id: str = col("Customer ID")
    channel: Channel = col("Channel")
    contact: str = col("Contact", "")
    outcome: str = col("Outcome", "")
    dunning_level: int | None = col("Dunning Level", None)
    promise_date: dt.date | None = col("Promise Date", None)
    promise_amount: Decimal | None = col("Promise Amount", None)
    next_action: str = col("Next Action", "")
    next_action_date: dt.date | None = col("Next Action Date", None)
    user: str = col("User", "")


class ArrangementLine(Row):
    arrangement_id: str = col("Arrangement ID")
    customer_id: str = col("Customer ID")
    instalment: int = col("Instalment")
    due_date: dt.date = col("Due Date")
    amount: Decimal = col("Amount")
    currency: str = col("Currency")
    status: ArrangementStatus = col("Status", "pending")
    notes: str = col("Notes", "")


class ExchangeRate(Row):
    """The rate of one currency on one day, in the base currency per unit (1,440.00 RWF per USD), and whose
    rate it is (BNR's official rate): a foreign-currency sale is recorded at the rate of its date (IAS 21)."""

    date: dt.date = col("Date")
    currency: str = col("Currency")
    rate: Decimal = col("Rate")
    source: str = col("Source", "")


class Revaluation(Row):
    """One open foreign-currency item revalued at a month end (IAS 21): its open amount, the rate it is carried
    at and the closing rate, and the unrealised difference in the base currency (a gain positive). Sage gets
    one journal per period and currency (JD/JC, debtors control against the unrealised FX nominal) dated the
    month end, and its reversal dated the first day of the next month."""

    period: str = col("Period")  # YYYY-MM
    date: dt.date = col("Date")  # the month end
    customer_id: str = col("Customer ID")
    reference: str = col("Reference")  # the invoice, credit note or receipt revalued
    currency: str = col("Currency")
    open_amount: Decimal = col("Open Amount")  # in the item's currency
    book_rate: Decimal = col("Book Rate")  # base per unit the item is carried at
    closing_rate: Decimal = col("Closing Rate")
    rate_date: dt.date = col("Rate Date")  # the day the closing rate was published
    source: str = col("Source", "")
    difference: Decimal = col("Difference")  # base currency: closing value - carried value
    sage_exported: dt.date | None = col("Sage Exported", None)
    reversal_exported: dt.date | None = col("Reversal Exported", None)


class ClientQuery(Row):
    """A customer's question about an invoice, from when it was asked to how it ended (see arxl.aging.queries)."""

    query_id: str = col("Query ID")
    date: dt.date = col("Date")
    customer_id: str = col("Customer ID")
    invoice_no: str = col("Invoice No")
    channel: Channel = col("Channel")
    question: str = col("Question")
    owner: str = col("Owner", "")
    due_date: dt.date | None = col("Due Date", None)
    answer: str = col("Answer", "")
    answered_on: dt.date | None = col("Answered On", None)
    status: QueryStatus = col("Status", "open")
    resolution: Resolution = col("Resolution", "")
    credit_note: str = col("Credit Note", "")
    closed_on: dt.date | None = col("Closed On", None)


class PeriodEvent(Row):
    """A month locked or reopened (see :mod:`arxl.books.periods`): the state of a month is its last event."""

    period: str = col("Period")  # YYYY-MM
    action: Literal["locked", "reopened"] = col("Action")
    on: dt.date = col("On")
    time: str = col("Time", "")  # HH:MM
    by: str = col("By", "")
    reason: str = col("Reason", "")


_new = object.__new__
_set = object.__setattr__


def build_row(model: type[R], values: dict[str, Any]) -> R:
    """A row from values already checked by the reader's converters, without validating them again.

    The same as pydantic's ``model_construct`` given every field (a test holds the two equal), five times
    cheaper: reading 200,000 invoices spends its time here otherwise.
    """
    row = _new(model)
    _set(row, "__dict__", values)
    _set(row, "__pydantic_fields_set__", set(values))
    _set(row, "__pydantic_extra__", None)
    _set(row, "__pydantic_private__", None)
    return row


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table of the workbook: its sheet (and ListObject) name, row model, unique key and who writes it."""

    name: str
    model: type[Row]
    key: tuple[str, ...] = ()
    owner: Literal["user", "arxl"] = "user"
    required: bool = True


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec("Settings", Setting, ("key",)),
        TableSpec("TaxCodes", TaxCodeRow, ("code", "effective_from")),
        TableSpec("Closures", Closure, ("date",), required=False),
        TableSpec("DunningLevels", DunningLevel, ("level",), required=False),
        TableSpec("Customers", Customer, ("customer_id",)),
        TableSpec("Services", Service, ("service_code",)),
        TableSpec("Contracts", Contract, ("contract_ref",)),
        TableSpec("BillingSchedule", ScheduleLine, ("contract_ref", "period"), owner="arxl"),
        TableSpec("Invoices", Invoice, ("invoice_no",), owner="arxl"),
        TableSpec("InvoiceLines", InvoiceLine, ("invoice_no", "line_no"), owner="arxl"),
        TableSpec("Receipts", Receipt, ("receipt_id",), owner="arxl"),
        TableSpec("Allocations", Allocation, (), owner="arxl"),
        TableSpec("Statements", StatementRecord, ("fingerprint",), owner="arxl", required=False),
        TableSpec("CollectionsLog", CollectionsEntry, (), required=False),
        TableSpec("Arrangements", ArrangementLine, ("arrangement_id", "instalment"), required=False),
        TableSpec("Rates", ExchangeRate, ("currency", "date"), required=False),
        TableSpec("Queries", ClientQuery, ("query_id",), required=False),
        TableSpec("Revaluations", Revaluation, ("period", "reference"), owner="arxl", required=False),
        TableSpec("Periods", PeriodEvent, (), owner="arxl", required=False),
        TableSpec("MatchRules", MatchRule, (), required=False),
    )
}


Kind = Literal["text", "amount", "rate", "date", "integer", "choice"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table as the reader and writer see it."""

    field: str
    header: str
    kind: Kind
    required: bool
    default: Any
    choices: tuple[str, ...] = ()


def header_key(text: object) -> str:
    """Headers compare ignoring case, spaces and punctuation: "Invoice No." == "invoice_no".

    >>> header_key(" Invoice No. "), header_key("invoice_no")
    ('invoiceno', 'invoiceno')
    """
    return re.sub(r"[^0-9a-z]", "", str(text).lower())


@cache
def columns(model: type[Row]) -> tuple[Column, ...]:
    """The columns of a row model, in order, with their kind derived from the type annotation."""
    hints = typing.get_type_hints(model, include_extras=True)
    result = []
    for name, info in model.model_fields.items():
        kind, choices = _kind_of(hints[name])
        required = info.is_required()
        result.append(Column(name, info.title or name, kind, required, None if required else info.default,
                             choices))
    return tuple(result)


def _kind_of(annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return ("rate", ()) if any(isinstance(a, RateMarker) for a in args[1:]) else _kind_of(args[0])
    if origin is Literal:
        return "choice", tuple(str(a) for a in args)
    if args and type(None) in args:  # X | None
        return _kind_of(next(a for a in args if a is not type(None)))
    kinds: dict[Any, Kind] = {str: "text", Decimal: "amount", dt.date: "date", int: "integer"}
    return kinds[annotation], ()
