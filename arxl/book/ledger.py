"""The billing workbook loaded: every table typed, Settings parsed, and every problem found on the way.

``load_ledger`` reads; ``validate`` adds the checks that need more than one cell (unique keys, references
between tables, totals that must agree, amounts with more decimals than their currency has). Both collect
problems and go on, so one run lists everything that is wrong in the workbook.
"""

from __future__ import annotations

import re
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
    columns,
)
from arxl.book.settings import Settings, parse_settings
from arxl.book.xlsx import XlsxFile
from arxl.core.aging import parse_buckets
from arxl.core.calendar import BusinessCalendar
from arxl.core.money import CURRENCIES, EXCEL_DIGITS, is_rounded, largest, storable
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
    """The checks that need more than one cell, each an error or a warning (see :func:`examine`)."""
    return examine(ledger).problems


@dataclass(frozen=True, slots=True)
class Hold:
    """A warning of validate that holds back a customer's billing: a blocking finding of the billing review."""

    customer_id: str
    contract_ref: str
    problem: Problem


@dataclass(slots=True)
class Examined:
    """What the checks found: every problem, and the warnings that hold back a customer's billing."""

    problems: list[Problem]
    held: list[Hold]  # the warnings about contracts and their services, per customer and contract

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def examine(ledger: Ledger) -> Examined:
    """The one validation of a ledger, which every command applies.

    Severity decides what a problem stops. An **error** makes the books themselves untrustworthy (a duplicate
    key, a register whose amounts do not add up or are negated, an amount a cell cannot hold, a Sage code that
    a spreadsheet would read as a formula): ``validate`` exits 2 and every command refuses the workbook. A
    **warning** concerns what bills a customer (a contract or a service of the rate card): ``validate`` lists
    it, and the billing review turns it into a blocking exception that holds back that customer only (the
    customers of ``held``), so a mistake in one contract does not stop the month.

    Rows read only in part (a job that reads a few columns, :func:`arxl.book.fastread.read_columns`) get the
    checks of the columns read; every check is per row or per key, so the cost grows with the rows, once.
    """
    check = _Checker(ledger)
    check.all()
    return Examined(check.problems, check.held)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet takes as the start of a formula (OWASP)


class _Checker:
    """Collects the cross-cell problems of a ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.problems: list[Problem] = []
        self.held: list[Hold] = []
        self.customers = {c.customer_id for c in ledger.customers}
        self.services = {s.service_code for s in ledger.services}
        self.tax_codes = {t.code.upper() for t in ledger.tax_codes}
        self.contracts = {c.contract_ref for c in ledger.contracts}
        self.invoices = {i.invoice_no: i for i in ledger.invoices}
        self.receipts = {r.receipt_id: r for r in ledger.receipts}

    @staticmethod
    def reads(table: Table[Any], *fields: str) -> bool:
        """True when the table's rows hold these fields (a table read for some columns holds only those)."""
        if not table.rows:
            return False
        have = getattr(type(table.rows[0]), "_fields", None)  # a projection (named tuple) of some columns
        return have is None or all(f in have for f in fields)

    def add(self, table: Table[Any], i: int, field: str, message: str, severity: str = "error",
            holds: Iterable[tuple[str, str]] = ()) -> None:
        """A problem at a row's cell; ``holds`` the (customer, contract) whose billing it holds back."""
        problem = Problem(table.where(i, field), message, severity)
        self.problems.append(problem)
        self.held.extend(Hold(customer_id, contract_ref, problem) for customer_id, contract_ref in holds)

    def known(self, table: Table[Any], i: int, field: str, keys: Iterable[str], what: str, sheet: str,
              severity: str = "error", holds: Iterable[tuple[str, str]] = ()) -> None:
        value = getattr(table.rows[i], field)
        if value and value not in keys:
            self.add(table, i, field, f'{what} "{value}" is not in {sheet}', severity, holds)

    def money(self, table: Table[Any], i: int, *fields: str, code: str | None = None) -> None:
        """Amounts a cell holds exactly, with no more decimals than their currency has."""
        row = table.rows[i]
        code = row.currency if code is None else code
        if code not in CURRENCIES:
            return
        places = CURRENCIES[code].exponent
        for field in fields:
            value = getattr(row, field)
            if value is None:
                continue
            if not storable(value, code):
                self.add(table, i, field, f"{value:,f} {code} is more than a cell holds exactly (Excel keeps "
                                          f"{EXCEL_DIGITS} significant digits: at most {largest(code):,} {code})")
            elif -value.as_tuple().exponent > places and not is_rounded(value, code):
                self.add(table, i, field, f"{value} has more decimals than {code} allows ({places})")

    def currency(self, table: Table[Any], i: int, severity: str = "error",
                 holds: Iterable[tuple[str, str]] = ()) -> None:
        code = table.rows[i].currency
        if code and code not in CURRENCIES:
            self.add(table, i, "currency", f'currency "{code}" is not one of {", ".join(CURRENCIES)}', severity,
                     holds)

    def parses(self, table: Table[Any], i: int, field: str, parse: Any, severity: str = "error",
               holds: Iterable[tuple[str, str]] = ()) -> None:
        value = getattr(table.rows[i], field)
        if value:
            try:
                parse(value)
            except BadValue as exc:
                self.add(table, i, field, exc.message, severity, holds)

    def code(self, table: Table[Any], i: int, field: str, what: str, value: str | None = None) -> None:
        """A code Sage reads verbatim must not begin like a formula: arxl will not change it (the posting would
        go to another account), so the accountant corrects it."""
        text = getattr(table.rows[i], field) if value is None else value
        if text.startswith(FORMULA_START):
            self.add(table, i, field, f'{what} "{text[:20]}" begins with "{_shown(text[0])}", which a spreadsheet '
                                      "reads as a formula; Sage codes begin with a letter or a digit")

    def all(self) -> None:
        for name, table in self.ledger.tables.items():
            key = TABLES[name].key
            if key and self.reads(table, *key):
                self.problems.extend(_unique(table, key))
        self.problems.extend(_check_settings(self.ledger))
        self.customers_and_services()
        self.contracts_and_schedule()
        self.invoices_and_lines()
        self.receipts_and_allocations()
        for name in ("CollectionsLog", "Arrangements"):
            table = self.ledger.table(name)
            if self.reads(table, "customer_id"):
                for i in range(len(table)):
                    self.known(table, i, "customer_id", self.customers, "customer", "Customers")
        arrangements = self.ledger.arrangements
        if self.reads(arrangements, "amount", "currency"):
            for i in range(len(arrangements)):
                self.money(arrangements, i, "amount")

    def customers_and_services(self) -> None:
        t = self.ledger.customers
        if self.reads(t, "currency", "withholding", "terms", "sage_account"):
            for i, customer in enumerate(t):
                self.currency(t, i)
                self.parses(t, i, "withholding", parse_withholding)
                self.parses(t, i, "terms", parse_terms)
                if customer.sage_account:
                    self.code(t, i, "sage_account", "Sage Account")
                else:  # the export uses the customer ID as its Sage account reference
                    self.code(t, i, "customer_id", "Customer ID (the Sage account reference while Sage Account is "
                                                   "blank)")
        s = self.ledger.services
        if not self.reads(s, "currency", "tax_code", "sage_nominal"):
            return
        billed: dict[str, list[tuple[str, str]]] = defaultdict(list)  # service -> the contracts that bill it
        if self.reads(self.ledger.contracts, "service_code", "customer_id", "contract_ref"):
            for k in self.ledger.contracts:
                billed[k.service_code].append((k.customer_id, k.contract_ref))
        for i, service in enumerate(s):
            holds = billed.get(service.service_code, [])
            self.currency(s, i, "warning", holds)
            if service.tax_code.upper() not in self.tax_codes:
                self.add(s, i, "tax_code", f'tax code "{service.tax_code}" is not in TaxCodes', "warning", holds)
            if service.sage_nominal:
                self.code(s, i, "sage_nominal", "Sage Nominal")

    def contracts_and_schedule(self) -> None:
        t = self.ledger.contracts
        if self.reads(t, *(c.field for c in columns(Contract))):
            rates = self.tax_rates()
            services = {x.service_code: x for x in self.ledger.services}
            for i, k in enumerate(t):
                self.contract(t, i, k, rates, services)
        s = self.ledger.schedule
        if self.reads(s, "contract_ref", "amount", "currency"):
            for i in range(len(s)):
                self.known(s, i, "contract_ref", self.contracts, "contract", "Contracts")
                self.currency(s, i)
                self.money(s, i, "amount")

    def tax_rates(self) -> dict[str, Decimal]:
        """The highest rate of each tax code (whatever its dates), for the largest amount a contract bills."""
        rates: dict[str, Decimal] = {}
        for t in self.ledger.tax_codes:
            code = t.code.upper()
            rates[code] = max(rates.get(code, t.rate), t.rate)
        return rates

    def contract(self, t: Table[Contract], i: int, k: Contract, rates: dict[str, Decimal],
                 services: dict[str, Service]) -> None:
        """A contract's mistakes hold back its customer's billing (warnings); an amount no cell could hold is an
        error of the workbook, refused by every command before anything is written."""
        holds = ((k.customer_id, k.contract_ref),)
        self.known(t, i, "customer_id", self.customers, "customer", "Customers", "warning", holds)
        self.known(t, i, "service_code", self.services, "service", "Services", "warning", holds)
        self.currency(t, i, "warning", holds)
        self.parses(t, i, "terms", parse_terms, "warning", holds)
        if k.end_date and k.end_date < k.start_date:
            self.add(t, i, "end_date", f"End Date {k.end_date} is before Start Date {k.start_date}", "warning", holds)
        if k.quantity <= 0:
            self.add(t, i, "quantity", f"Quantity {k.quantity} must be more than zero", "warning", holds)
        if k.rate < 0:
            self.add(t, i, "rate", f"Rate {k.rate} cannot be negative", "warning", holds)
        # the largest amount the contract puts in a cell: a period's quantity x rate, with its VAT (no discount)
        code = k.currency if k.currency in CURRENCIES else "USD"  # an unknown currency: the tightest limit
        limit = largest(code)
        service = services.get(k.service_code)
        tax = rates.get(service.tax_code.upper(), Decimal(0)) if service else max(rates.values(), default=Decimal(0))
        amount = abs(k.quantity) * abs(k.rate) * (1 + tax)
        if amount > limit:
            self.add(t, i, "quantity" if abs(k.quantity) > limit else "rate",
                     f"Quantity {k.quantity:,f} x Rate {k.rate:,f} x (1 + {tax:.0%} VAT) = {amount:,.0f} {code}, "
                     f"more than an invoice's cell holds exactly (Excel keeps {EXCEL_DIGITS} significant digits: at "
                     f"most {limit:,} {code})")

    def invoices_and_lines(self) -> None:
        t = self.ledger.invoices
        whole = self.reads(t, "net_amount", "vat_amount", "total_amount")
        for i, inv in enumerate(t):
            self.known(t, i, "customer_id", self.customers, "customer", "Customers")
            self.currency(t, i)
            if whole:
                self.money(t, i, "net_amount", "vat_amount", "total_amount")
                if inv.net_amount + inv.vat_amount != inv.total_amount:
                    self.add(t, i, "total_amount", f"Total Amount {inv.total_amount} is not Net {inv.net_amount} "
                                                   f"+ VAT {inv.vat_amount} = {inv.net_amount + inv.vat_amount}")
            else:
                self.money(t, i, "total_amount")
            if inv.due_date < inv.invoice_date:
                self.add(t, i, "due_date", f"Due Date {inv.due_date} is before Invoice Date {inv.invoice_date}")
            if inv.doc_type == "credit_note":
                if inv.total_amount > 0:
                    self.add(t, i, "total_amount", "a credit note's amounts are negative")
                self.known(t, i, "original_invoice", self.invoices, "original invoice", "Invoices")
            elif inv.total_amount < 0:
                self.add(t, i, "total_amount", "an invoice's amounts cannot be negative; record a credit note")
        lines = self.ledger.invoice_lines
        if not (whole and self.reads(lines, "invoice_no", "net_amount", "vat_amount")):
            return
        nets: dict[str, Decimal] = defaultdict(Decimal)
        for i, line in enumerate(lines):
            self.known(lines, i, "invoice_no", self.invoices, "invoice", "Invoices")
            invoice = self.invoices.get(line.invoice_no)
            if invoice is not None:
                self.money(lines, i, "net_amount", "vat_amount", code=invoice.currency)
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
        with_currency = self.reads(a, "currency")
        for i, allocation in enumerate(a):
            self.known(a, i, "receipt_id", self.receipts, "receipt", "Receipts")
            self.known(a, i, "invoice_no", self.invoices, "invoice", "Invoices")
            if with_currency:
                self.money(a, i, "applied_amount", "deduction_amount")
                invoice = self.invoices.get(allocation.invoice_no)
                if invoice is not None and invoice.currency != allocation.currency:
                    self.add(a, i, "currency", f"currency {allocation.currency} differs from invoice "
                                               f"{invoice.invoice_no} in {invoice.currency}")
            else:  # the receipt's currency is the allocation's
                receipt = self.receipts.get(allocation.receipt_id)
                if receipt is not None:
                    self.money(a, i, "applied_amount", "deduction_amount", code=receipt.currency)
            applied[allocation.receipt_id] += allocation.applied_amount
        for i, receipt in enumerate(r):
            if applied.get(receipt.receipt_id, Decimal(0)) > receipt.amount > 0:
                self.add(r, i, "amount", f"allocations of receipt {receipt.receipt_id} "
                                         f"({applied[receipt.receipt_id]}) exceed its amount {receipt.amount}")


def _shown(character: str) -> str:
    return {"\t": "a tab", "\r": "a carriage return"}.get(character, character)


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
    for key, series in (("Invoice Series", s.invoice_series), ("Credit Note Series", s.credit_note_series)):
        if not _SERIES.fullmatch(series):  # the number is Sage's Reference, read verbatim: never a formula
            problems.append(Problem(where(key), f'{key} "{series[:20]}" must be letters and digits, starting with '
                                    "a letter (it begins every document number)"))
    for key, code in (("Sage Sales Nominal", s.sage_sales_nominal), ("Sage Bank Nominal", s.sage_bank_nominal)):
        if code.startswith(FORMULA_START):
            problems.append(Problem(where(key), f'{key} "{code[:20]}" begins with "{_shown(code[0])}", which a '
                                    "spreadsheet reads as a formula; Sage codes begin with a letter or a digit"))
    return problems


_SERIES = re.compile(r"[A-Za-z][A-Za-z0-9]*")


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
