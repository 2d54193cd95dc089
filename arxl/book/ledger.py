"""The billing workbook loaded: every table typed, Settings parsed, and every problem found on the way.

``load_ledger`` reads; ``validate`` adds the checks that need more than one cell (unique keys, references
between tables, totals that must agree, amounts with more decimals than their currency has). Both collect
problems and go on, so one run lists everything that is wrong in the workbook.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from arxl.book.port import WorkbookPort
from arxl.book.reader import Table, read_tables
from arxl.book.schema import (
    TABLES,
    Allocation,
    ArrangementLine,
    Closure,
    CollectionsEntry,
    Contract,
    Customer,
    DunningLevel,
    Invoice,
    InvoiceLine,
    Receipt,
    Row,
    ScheduleLine,
    Service,
    Setting,
    TaxCodeRow,
)
from arxl.book.settings import Settings, parse_settings
from arxl.book.xlsx import XlsxFile
from arxl.core.aging import parse_buckets
from arxl.core.calendar import BusinessCalendar
from arxl.core.money import CURRENCIES, is_rounded
from arxl.core.tax import TaxCode, WithholdingRates, parse_withholding
from arxl.core.terms import parse_terms
from arxl.errors import BadValue, BadWorkbook, CellRef, Problem


@dataclass(slots=True)
class Ledger:
    """The typed content of a billing workbook."""

    book: str
    settings: Settings
    tables: dict[str, Table[Row]]

    def table(self, name: str) -> Table[Any]:
        return self.tables[name]

    @property
    def tax_codes(self) -> Table[TaxCodeRow]:
        return self.table("TaxCodes")

    @property
    def closures(self) -> Table[Closure]:
        return self.table("Closures")

    @property
    def dunning_levels(self) -> Table[DunningLevel]:
        return self.table("DunningLevels")

    @property
    def customers(self) -> Table[Customer]:
        return self.table("Customers")

    @property
    def services(self) -> Table[Service]:
        return self.table("Services")

    @property
    def contracts(self) -> Table[Contract]:
        return self.table("Contracts")

    @property
    def schedule(self) -> Table[ScheduleLine]:
        return self.table("BillingSchedule")

    @property
    def invoices(self) -> Table[Invoice]:
        return self.table("Invoices")

    @property
    def invoice_lines(self) -> Table[InvoiceLine]:
        return self.table("InvoiceLines")

    @property
    def receipts(self) -> Table[Receipt]:
        return self.table("Receipts")

    @property
    def allocations(self) -> Table[Allocation]:
        return self.table("Allocations")

    @property
    def collections_log(self) -> Table[CollectionsEntry]:
        return self.table("CollectionsLog")

    @property
    def arrangements(self) -> Table[ArrangementLine]:
        return self.table("Arrangements")

    def tax_code_list(self) -> list[TaxCode]:
        """The tax codes of the TaxCodes sheet as the tax rules take them."""
        return [TaxCode(t.code.strip().upper(), t.rate, t.effective_from, t.description, t.sage_tax_code)
                for t in self.tax_codes]

    def calendar(self) -> BusinessCalendar:
        """Working days: Rwanda's public holidays, weekends and the Closures sheet."""
        return BusinessCalendar(closures=[c.date for c in self.closures])

    def withholding_rates(self) -> WithholdingRates:
        s = self.settings
        return WithholdingRates(vat_share=s.vat_withheld_share, wht3=s.wht3_rate, wht15=s.wht15_rate)


def load_ledger(port: WorkbookPort, date1904: bool = False) -> tuple[Ledger, list[Problem]]:
    """Read every table and Settings. Refuses a workbook that has none of the billing tables at all."""
    names = {n.casefold() for n in port.sheet_names()}
    if not any(spec.name.casefold() in names for spec in TABLES.values() if spec.required):
        shown = ", ".join(port.sheet_names()[:8]) or "none"
        raise BadWorkbook(f"is not a billing workbook: none of its sheets ({shown}) is one of "
                          + ", ".join(s.name for s in TABLES.values() if s.required), CellRef(port.name))
    tables, problems = read_tables(port)
    settings_table = cast(Table[Setting], tables["Settings"])
    settings, found = parse_settings(settings_table, date1904) if settings_table.present else \
        (Settings.model_construct(**_defaults()), [])
    problems.extend(found)
    return Ledger(port.name, settings, tables), problems


def _defaults() -> dict[str, Any]:
    return {name: (info.default if not info.is_required() else "")
            for name, info in Settings.model_fields.items()}


def open_ledger(path: Path | str) -> tuple[Ledger, list[Problem]]:
    """Load a billing workbook file."""
    book = XlsxFile(path)
    return load_ledger(book, book.info.date1904)


def validate(path: Path | str) -> list[Problem]:
    """Every problem of a billing workbook file: cells, then the checks across rows and tables."""
    ledger, problems = open_ledger(path)
    problems.extend(check_ledger(ledger))
    return problems


def check_ledger(ledger: Ledger) -> list[Problem]:
    """The checks that need more than one cell."""
    check = _Checker(ledger)
    check.all()
    return check.problems


class _Checker:
    """Collects the cross-cell problems of a ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.problems: list[Problem] = []
        self.customers = {c.customer_id for c in ledger.customers}
        self.services = {s.service_code for s in ledger.services}
        self.tax_codes = {t.code.upper() for t in ledger.tax_codes}
        self.contracts = {c.contract_ref for c in ledger.contracts}
        self.invoices = {i.invoice_no: i for i in ledger.invoices}
        self.receipts = {r.receipt_id: r for r in ledger.receipts}

    def add(self, table: Table[Any], i: int, field: str, message: str) -> None:
        self.problems.append(Problem(table.where(i, field), message))

    def known(self, table: Table[Any], i: int, field: str, keys: Iterable[str], what: str, sheet: str) -> None:
        value = getattr(table.rows[i], field)
        if value and value not in keys:
            self.add(table, i, field, f'{what} "{value}" is not in {sheet}')

    def money(self, table: Table[Any], i: int, *fields: str) -> None:
        row = table.rows[i]
        for field in fields:
            value = getattr(row, field)
            if value is not None and row.currency in CURRENCIES and not is_rounded(value, row.currency):
                self.add(table, i, field, f"{value} has more decimals than {row.currency} allows "
                                          f"({CURRENCIES[row.currency].exponent})")

    def currency(self, table: Table[Any], i: int) -> None:
        code = table.rows[i].currency
        if code and code not in CURRENCIES:
            self.add(table, i, "currency", f'currency "{code}" is not one of {", ".join(CURRENCIES)}')

    def parses(self, table: Table[Any], i: int, field: str, parse: Any) -> None:
        value = getattr(table.rows[i], field)
        if value:
            try:
                parse(value)
            except BadValue as exc:
                self.add(table, i, field, exc.message)

    def all(self) -> None:
        for name, table in self.ledger.tables.items():
            self.problems.extend(_unique(table, TABLES[name].key))
        self.problems.extend(_check_settings(self.ledger))
        self.customers_and_services()
        self.contracts_and_schedule()
        self.invoices_and_lines()
        self.receipts_and_allocations()
        for name in ("CollectionsLog", "Arrangements"):
            table = self.ledger.table(name)
            for i in range(len(table)):
                self.known(table, i, "customer_id", self.customers, "customer", "Customers")

    def customers_and_services(self) -> None:
        t = self.ledger.customers
        for i in range(len(t)):
            self.currency(t, i)
            self.parses(t, i, "withholding", parse_withholding)
            self.parses(t, i, "terms", parse_terms)
        s = self.ledger.services
        for i, service in enumerate(s):
            self.currency(s, i)
            if service.tax_code.upper() not in self.tax_codes:
                self.add(s, i, "tax_code", f'tax code "{service.tax_code}" is not in TaxCodes')

    def contracts_and_schedule(self) -> None:
        t = self.ledger.contracts
        for i, k in enumerate(t):
            self.known(t, i, "customer_id", self.customers, "customer", "Customers")
            self.known(t, i, "service_code", self.services, "service", "Services")
            self.currency(t, i)
            self.parses(t, i, "terms", parse_terms)
            if k.end_date and k.end_date < k.start_date:
                self.add(t, i, "end_date", f"End Date {k.end_date} is before Start Date {k.start_date}")
            if k.quantity <= 0:
                self.add(t, i, "quantity", f"Quantity {k.quantity} must be more than zero")
            if k.rate < 0:
                self.add(t, i, "rate", f"Rate {k.rate} cannot be negative")
        s = self.ledger.schedule
        for i in range(len(s)):
            self.known(s, i, "contract_ref", self.contracts, "contract", "Contracts")
            self.money(s, i, "amount")

    def invoices_and_lines(self) -> None:
        t = self.ledger.invoices
        for i, inv in enumerate(t):
            self.known(t, i, "customer_id", self.customers, "customer", "Customers")
            self.currency(t, i)
            self.money(t, i, "net_amount", "vat_amount", "total_amount")
            if inv.net_amount + inv.vat_amount != inv.total_amount:
                self.add(t, i, "total_amount", f"Total Amount {inv.total_amount} is not Net {inv.net_amount} "
                                               f"+ VAT {inv.vat_amount} = {inv.net_amount + inv.vat_amount}")
            if inv.due_date < inv.invoice_date:
                self.add(t, i, "due_date", f"Due Date {inv.due_date} is before Invoice Date {inv.invoice_date}")
            if inv.doc_type == "credit_note":
                if inv.total_amount > 0:
                    self.add(t, i, "total_amount", "a credit note's amounts are negative")
                self.known(t, i, "original_invoice", self.invoices, "original invoice", "Invoices")
            elif inv.total_amount < 0:
                self.add(t, i, "total_amount", "an invoice's amounts cannot be negative; record a credit note")
        nets: dict[str, Decimal] = defaultdict(Decimal)
        lines = self.ledger.invoice_lines
        for i, line in enumerate(lines):
            self.known(lines, i, "invoice_no", self.invoices, "invoice", "Invoices")
            nets[line.invoice_no] += line.net_amount
        for i, inv in enumerate(t):
            if inv.invoice_no in nets and nets[inv.invoice_no] != inv.net_amount:
                self.add(t, i, "net_amount", f"Net Amount {inv.net_amount} differs from the sum of its lines "
                                             f"in InvoiceLines ({nets[inv.invoice_no]})")

    def receipts_and_allocations(self) -> None:
        r = self.ledger.receipts
        for i in range(len(r)):
            self.currency(r, i)
            self.money(r, i, "amount")
            self.known(r, i, "customer_id", self.customers, "customer", "Customers")
        applied: dict[str, Decimal] = defaultdict(Decimal)
        a = self.ledger.allocations
        for i, allocation in enumerate(a):
            self.known(a, i, "receipt_id", self.receipts, "receipt", "Receipts")
            self.known(a, i, "invoice_no", self.invoices, "invoice", "Invoices")
            self.money(a, i, "applied_amount", "deduction_amount")
            invoice = self.invoices.get(allocation.invoice_no)
            if invoice is not None and invoice.currency != allocation.currency:
                self.add(a, i, "currency", f"currency {allocation.currency} differs from invoice "
                                           f"{invoice.invoice_no} in {invoice.currency}")
            applied[allocation.receipt_id] += allocation.applied_amount
        for i, receipt in enumerate(r):
            if applied.get(receipt.receipt_id, Decimal(0)) > receipt.amount > 0:
                self.add(r, i, "amount", f"allocations of receipt {receipt.receipt_id} "
                                         f"({applied[receipt.receipt_id]}) exceed its amount {receipt.amount}")


def _check_settings(ledger: Ledger) -> list[Problem]:
    problems: list[Problem] = []
    table = cast(Table[Setting], ledger.tables["Settings"])
    rows = {r.key.strip().casefold(): i for i, r in enumerate(table.rows)}

    def where(key: str) -> CellRef:
        index = rows.get(key.casefold())
        return table.where(index, "value") if index is not None else table.where_sheet()

    s = ledger.settings
    if s.base_currency not in CURRENCIES:
        problems.append(Problem(where("Base Currency"), f'Base Currency "{s.base_currency}" is not one of '
                                f'{", ".join(CURRENCIES)}'))
    for key, value, parse in (("Aging Buckets", s.aging_buckets, parse_buckets),
                              ("Default Terms", s.default_terms, parse_terms)):
        try:
            parse(value)
        except BadValue as exc:
            problems.append(Problem(where(key), f"{key}: {exc.message}"))
    return problems


def _unique(table: Table[Any], key: tuple[str, ...]) -> Iterator[Problem]:
    if not key:
        return
    first: dict[tuple[object, ...], int] = {}
    for i, row in enumerate(table.rows):
        value = tuple(getattr(row, k) for k in key)
        if value in first:
            shown = " / ".join(str(v) for v in value)
            yield Problem(table.where(i, key[0]), f"{shown} is a duplicate: it is already in row "
                                                  f"{table.row_numbers[first[value]]}")
        else:
            first[value] = i
