"""The checks across rows and tables of a billing workbook: keys that must be unique, references that must exist
between tables, totals that must agree, amounts with more decimals than their currency has or more digits than
a cell holds, Sage codes that begin like a formula. They collect problems and go on, so one run lists
everything that is wrong in the workbook. The same checks (:func:`examine`) guard every command: an error
refuses the command, a warning holds back one customer's billing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import compress, repeat
from operator import add, attrgetter, is_, lt, ne
from typing import Any

from arxl.core.errors import ArxlError, BadValue, Problem
from arxl.core.money import CURRENCIES, EXCEL_DIGITS, exponent, largest, not_a_currency, round_money, storable, unit
from arxl.core.tax import parse_withholding
from arxl.core.terms import parse_terms
from arxl.ledger.codes import FORMULA_START, check_settings, shown, unique
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import (
    TABLES,
    ClientQuery,
    Contract,
    Service,
    columns,
)
from arxl.ledger.rule_checks import rule_problems
from arxl.ledger.sage_accounts import parse_sage_accounts
from arxl.ledger.settings import retired_settings
from arxl.ledger.tables import Table


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


def examine(ledger: Ledger) -> Examined:
    """The one validation of a ledger, which every command applies.

    Severity decides what a problem stops. An **error** makes the books themselves untrustworthy (a duplicate
    key, a register whose amounts do not add up or are negated, an amount a cell cannot hold, a Sage code that
    a spreadsheet would read as a formula): ``validate`` exits 2 and every command refuses the workbook. A
    **warning** concerns what bills a customer (a contract or a service of the rate card): ``validate`` lists
    it, and the billing review turns it into a blocking exception that holds back that customer only (the
    customers of ``held``), so a mistake in one contract does not stop the month.

    Rows read only in part (a job that reads a few columns, :func:`arxl.formats.xlsx.fastread.read_columns`) get the
    checks of the columns read; every check is per row or per key, so the cost grows with the rows, once.
    """
    check = _Checker(ledger)
    check.all()
    return Examined(check.problems, check.held)




Holds = Callable[[int], Iterable[tuple[str, str]]]  # row index -> the (customer, contract) a warning holds back


_FITS_ALL = min(largest(code) for code in CURRENCIES)  # an amount up to this fits a cell in any currency
_UNITS = {code: unit(code) for code in CURRENCIES}


class _Checker:
    """Collects the cross-cell problems of a ledger.

    Each check looks at a whole column at once (sets, ``map`` over the values, comparisons done in C) and walks
    the rows one by one only when the column holds a problem, to name its cells: a ledger of 200,000 clean
    invoices is checked in a fraction of the time it takes to read.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.problems: list[Problem] = []
        self.held: list[Hold] = []
        self.columns: dict[tuple[str, str], list[Any]] = {}
        self.customers = set(self.column(ledger.customers, "customer_id"))
        self.services = set(self.column(ledger.services, "service_code"))
        self.tax_codes = {t.code.upper() for t in ledger.tax_codes}
        self.contracts = set(self.column(ledger.contracts, "contract_ref"))
        self.invoices = set(self.column(ledger.invoices, "invoice_no"))
        self.receipts = set(self.column(ledger.receipts, "receipt_id"))

    def column(self, table: Table[Any], field: str) -> list[Any]:
        """A column's values, row by row (read once per check run)."""
        key = (table.spec.name, field)
        if key not in self.columns:
            self.columns[key] = list(map(attrgetter(field), table.rows))
        return self.columns[key]

    def currencies(self, table: Table[Any], key: str) -> dict[str, str]:
        """Key -> currency of the invoices or receipts."""
        return dict(zip(self.column(table, key), self.column(table, "currency"), strict=True))

    @staticmethod
    def reads(table: Table[Any], *fields: str) -> bool:
        """True when the table's rows hold these fields (a table read for some columns holds only those)."""
        if not table.rows:
            return False
        have = getattr(type(table.rows[0]), "_fields", None)  # a projection (named tuple) of some columns
        return have is None or all(f in have for f in fields)

    def add(self, table: Table[Any], i: int, field: str, message: str, severity: str = "error",
            holds: Holds | None = None) -> None:
        """A problem at a row's cell; ``holds`` gives the (customer, contract) whose billing it holds back."""
        problem = Problem(table.where(i, field), message, severity)
        self.problems.append(problem)
        if holds is not None:
            self.held.extend(Hold(customer_id, contract_ref, problem) for customer_id, contract_ref in holds(i))

    def known(self, table: Table[Any], field: str, keys: Collection[str], what: str, sheet: str,
              severity: str = "error", holds: Holds | None = None) -> None:
        """Every non-blank value of the column is a key of another table."""
        values = self.column(table, field)
        missing = set(values).difference(keys)
        missing.discard("")
        if missing:
            for i, value in enumerate(values):
                if value in missing:
                    self.add(table, i, field, f'{what} "{value}" is not in {sheet}', severity, holds)

    def currency(self, table: Table[Any], severity: str = "error", holds: Holds | None = None) -> None:
        values = self.column(table, "currency")
        unknown = set(values).difference(CURRENCIES)
        unknown.discard("")
        if unknown:
            for i, code in enumerate(values):
                if code in unknown:
                    self.add(table, i, "currency", not_a_currency(code),
                             severity, holds)

    def money(self, table: Table[Any], *fields: str, code_of: Callable[[int], str] | None = None) -> None:
        """Amounts a cell holds exactly (Excel's 15 significant digits), with no more decimals than their
        currency has; ``code_of`` gives a row's currency when the table has no Currency column."""
        if code_of is None:
            code_of = self.column(table, "currency").__getitem__
        for field in fields:
            values = self.column(table, field)
            if not values:
                continue
            if any(map(is_, values, repeat(None))):  # an optional amount left blank (`in` would ask each Decimal)
                values = [Decimal(0) if v is None else v for v in values]
            if min(values) < -_FITS_ALL or max(values) > _FITS_ALL:  # beyond the smallest limit: look closer
                for i, value in enumerate(values):
                    code = code_of(i)
                    if code in CURRENCIES and not storable(value, code):
                        self.add(table, i, field, f"{value:,f} {code} is more than a cell holds exactly (Excel keeps "
                                                  f"{EXCEL_DIGITS} significant digits: at most {largest(code):,} "
                                                  f"{code})")
            try:  # whole numbers are right in every currency: only the others are looked at one by one
                odd: Iterable[int] = list(compress(range(len(values)),
                                                   map(ne, values, map(Decimal.to_integral_value, values))))
            except TypeError:  # a row built in code with an int amount
                odd = range(len(values))
            for i in odd:
                value, code = Decimal(values[i]), code_of(i)
                quantum = _UNITS.get(code)
                if quantum is not None and storable(value, code) and \
                        value != value.quantize(quantum, rounding=ROUND_HALF_UP):
                    self.add(table, i, field, f"{value} has more decimals than {code} allows "
                                              f"({CURRENCIES[code].exponent})")

    def parses(self, table: Table[Any], field: str, parse: Any, severity: str = "error",
               holds: Holds | None = None) -> None:
        for i, value in enumerate(self.column(table, field)):
            if value:
                try:
                    parse(value)
                except BadValue as exc:
                    self.add(table, i, field, exc.message, severity, holds)

    def code(self, table: Table[Any], i: int, field: str, what: str) -> None:
        """A code Sage reads verbatim must not begin like a formula: arxl will not change it (the posting would
        go to another account), so the accountant corrects it."""
        text = getattr(table.rows[i], field)
        if text.startswith(FORMULA_START):
            self.add(table, i, field, f'{what} "{text[:20]}" begins with "{shown(text[0])}", which a spreadsheet '
                                      "reads as a formula; Sage codes begin with a letter or a digit")

    def all(self) -> None:
        for name, table in self.ledger.tables.items():
            key = TABLES[name].key
            if key and self.reads(table, *key):
                self.problems.extend(unique(table, key))
        self.problems.extend(check_settings(self.ledger))
        self.problems.extend(retired_settings(self.ledger.tables["Settings"]))
        self.customers_and_services()
        self.contracts_and_schedule()
        self.invoices_and_lines()
        self.receipts_and_allocations()
        for name in ("CollectionsLog", "Arrangements"):
            table = self.ledger.table(name)
            if self.reads(table, "customer_id"):
                self.known(table, "customer_id", self.customers, "customer", "Customers")
        arrangements = self.ledger.arrangements
        if self.reads(arrangements, "amount", "currency"):
            self.money(arrangements, "amount")
        rates = self.ledger.rates
        if self.reads(rates, "rate", "currency"):
            self.currency(rates)
            for i, rate in enumerate(self.column(rates, "rate")):
                if rate <= 0:
                    self.add(rates, i, "rate", f"rate {rate} is not more than zero: a rate is how many "
                                               f"{self.ledger.settings.base_currency} one unit of the currency buys")
        self.queries()
        self.match_rules()

    def match_rules(self) -> None:
        """A MatchRules row the matcher cannot follow (:func:`arxl.ledger.rule_checks.rule_problems`): warnings,
        the matcher leaves the row aside; correct it, set Active to No or delete it."""
        table = self.ledger.table("MatchRules")
        if not self.reads(table, "kind", "customer", "active"):
            return
        for i, rule in ((i, r) for i, r in enumerate(table.rows) if not r.switched_off):
            for name, message in rule_problems(rule, self.customers):
                self.add(table, i, name, message, "warning")

    def customers_and_services(self) -> None:
        t = self.ledger.customers
        if self.reads(t, "currency", "withholding", "terms", "sage_account"):
            self.currency(t)
            self.parses(t, "withholding", parse_withholding)
            self.parses(t, "terms", parse_terms)
            for i, customer in enumerate(t):
                if customer.sage_account:
                    self.code(t, i, "sage_account", "Sage Account")
                    try:  # one account per currency: "NOVA01, USD: NOVA02"
                        parse_sage_accounts(customer.sage_account, customer.currency or "RWF")
                    except BadValue as exc:
                        self.add(t, i, "sage_account", f"Sage Account: {exc.message}")
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

        def holds(i: int) -> list[tuple[str, str]]:
            return billed.get(s.rows[i].service_code, [])

        self.currency(s, "warning", holds)
        for i, service in enumerate(s):
            if service.tax_code.upper() not in self.tax_codes:
                self.add(s, i, "tax_code", f'tax code "{service.tax_code}" is not in TaxCodes', "warning", holds)
            if service.sage_nominal:
                self.code(s, i, "sage_nominal", "Sage Nominal")

    def contracts_and_schedule(self) -> None:
        t = self.ledger.contracts
        if self.reads(t, *(c.field for c in columns(Contract))):
            def holds(i: int) -> tuple[tuple[str, str]]:
                return ((t.rows[i].customer_id, t.rows[i].contract_ref),)

            self.known(t, "customer_id", self.customers, "customer", "Customers", "warning", holds)
            self.known(t, "service_code", self.services, "service", "Services", "warning", holds)
            self.currency(t, "warning", holds)
            self.parses(t, "terms", parse_terms, "warning", holds)
            rates = self.tax_rates()
            services = {x.service_code: x for x in self.ledger.services}
            for i, k in enumerate(t):
                self.contract(t, i, k, rates, services, holds)
        s = self.ledger.schedule
        if self.reads(s, "contract_ref", "amount", "currency"):
            self.known(s, "contract_ref", self.contracts, "contract", "Contracts")
            self.currency(s)
            self.money(s, "amount")

    def tax_rates(self) -> dict[str, Decimal]:
        """The highest rate of each tax code (whatever its dates), for the largest amount a contract bills."""
        rates: dict[str, Decimal] = {}
        for t in self.ledger.tax_codes:
            code = t.code.upper()
            rates[code] = max(rates.get(code, t.rate), t.rate)
        return rates

    def contract(self, t: Table[Contract], i: int, k: Contract, rates: dict[str, Decimal],
                 services: dict[str, Service], holds: Holds) -> None:
        """A contract's mistakes hold back its customer's billing (warnings); an amount no cell could hold is an
        error of the workbook, refused by every command before anything is written."""
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
                     f"Quantity {k.quantity:,f} x Rate {k.rate:,f} x (1 + {tax:.0%} VAT) = "
                     f"{amount:,.{exponent(code)}f} {code}, "  # not figure(): past every bound, nothing to round
                     f"more than an invoice's cell holds exactly (Excel keeps {EXCEL_DIGITS} significant digits: at "
                     f"most {limit:,} {code})")

    def invoices_and_lines(self) -> None:
        t = self.ledger.invoices
        if not t.rows:
            return
        self.known(t, "customer_id", self.customers, "customer", "Customers")
        self.currency(t)
        totals = self.column(t, "total_amount")
        whole = self.reads(t, "net_amount", "vat_amount")
        if whole:
            self.money(t, "net_amount", "vat_amount", "total_amount")
            nets, vats = self.column(t, "net_amount"), self.column(t, "vat_amount")
            sums = list(map(add, nets, vats))
            if sums != totals:
                for i, (net, vat, amount, total) in enumerate(zip(nets, vats, sums, totals, strict=True)):
                    if amount != total:
                        self.add(t, i, "total_amount", f"Total Amount {total} is not Net {net} + VAT {vat} = {amount}")
        else:
            self.money(t, "total_amount")
        due_dates, invoice_dates = self.column(t, "due_date"), self.column(t, "invoice_date")
        if any(map(lt, due_dates, invoice_dates)):
            for i, (due, day) in enumerate(zip(due_dates, invoice_dates, strict=True)):
                if due < day:
                    self.add(t, i, "due_date", f"Due Date {due} is before Invoice Date {day}")
        kinds = self.column(t, "doc_type")
        credits = [i for i, kind in enumerate(kinds) if kind == "credit_note"]
        if min(totals) < 0:
            for i, (kind, total) in enumerate(zip(kinds, totals, strict=True)):
                if total < 0 and kind != "credit_note":
                    self.add(t, i, "total_amount", "an invoice's amounts cannot be negative; record a credit note")
        for i in credits:
            credit = t.rows[i]
            if credit.total_amount > 0:
                self.add(t, i, "total_amount", "a credit note's amounts are negative")
            if credit.original_invoice and credit.original_invoice not in self.invoices:
                self.add(t, i, "original_invoice", f'original invoice "{credit.original_invoice}" is not in Invoices')
        lines = self.ledger.invoice_lines
        if not (whole and self.reads(lines, "invoice_no", "net_amount", "vat_amount")):
            return
        self.known(lines, "invoice_no", self.invoices, "invoice", "Invoices")
        numbers = self.column(lines, "invoice_no")
        currency = self.currencies(t, "invoice_no")
        self.money(lines, "net_amount", "vat_amount", code_of=lambda i: currency.get(numbers[i], ""))
        line_nets: dict[str, Decimal] = defaultdict(Decimal)
        for number, net in zip(numbers, self.column(lines, "net_amount"), strict=True):
            line_nets[number] += net
        for i, inv in enumerate(t):
            if inv.invoice_no in line_nets and line_nets[inv.invoice_no] != inv.net_amount:
                self.add(t, i, "net_amount", f"Net Amount {inv.net_amount} differs from the sum of its lines "
                                             f"in InvoiceLines ({line_nets[inv.invoice_no]})")

    def queries(self) -> None:
        """Client queries: about an invoice of that customer, a credit note that credits that invoice, a status
        its dates and resolution bear out, and the dates in the order things happen."""
        t = self.ledger.queries
        if not self.reads(t, *(c.field for c in columns(ClientQuery))):
            return
        self.known(t, "customer_id", self.customers, "customer", "Customers")
        self.known(t, "invoice_no", self.invoices, "invoice", "Invoices")
        documents = {i.invoice_no: i for i in self.ledger.invoices} if self.reads(
            self.ledger.invoices, "customer_id", "invoice_date", "doc_type", "original_invoice") else {}
        for i, q in enumerate(t):
            invoice = documents.get(q.invoice_no)
            if invoice is not None and q.customer_id in self.customers and invoice.customer_id != q.customer_id:
                self.add(t, i, "invoice_no", f"invoice {q.invoice_no} is of customer {invoice.customer_id}, not of "
                                             f"{q.customer_id}")
            if invoice is not None and q.date < invoice.invoice_date:
                self.add(t, i, "date", f"Date {q.date:%d/%m/%Y} is before {q.invoice_no}'s invoice date "
                                       f"{invoice.invoice_date:%d/%m/%Y}: a query comes after the invoice")
            for field, day in (("due_date", q.due_date), ("answered_on", q.answered_on), ("closed_on", q.closed_on)):
                if day is not None and day < q.date:
                    self.add(t, i, field, f"{_TITLES[field]} {day:%d/%m/%Y} is before the query's Date "
                                          f"{q.date:%d/%m/%Y}")
            if q.answered_on is not None and q.closed_on is not None and q.closed_on < q.answered_on:
                self.add(t, i, "closed_on", f"Closed On {q.closed_on:%d/%m/%Y} is before Answered On "
                                            f"{q.answered_on:%d/%m/%Y}")
            self.query_status(t, i, q)
            if q.credit_note:
                note = documents.get(q.credit_note)
                if q.resolution not in ("credit note", "re-issue"):
                    self.add(t, i, "credit_note", f"Credit Note {q.credit_note} is given but the Resolution is "
                                                  f'"{q.resolution or "blank"}": credit note or re-issue')
                if q.credit_note not in self.invoices:
                    self.add(t, i, "credit_note", f'credit note "{q.credit_note}" is not in Invoices')
                elif note is not None and (note.doc_type != "credit_note" or note.original_invoice != q.invoice_no):
                    what = f"credits {note.original_invoice}" if note.doc_type == "credit_note" and \
                        note.original_invoice else "is not a credit note" if note.doc_type != "credit_note" else \
                        "names no Original Invoice"
                    self.add(t, i, "credit_note", f"{q.credit_note} {what}, not {q.invoice_no}, the invoice of "
                                                  "this query")

    def query_status(self, t: Table[ClientQuery], i: int, q: ClientQuery) -> None:
        """What a status needs: answered has its answer and date; closed its resolution and date (and, ended
        by a credit note, the credit note); open has neither."""
        if q.status in ("answered", "closed") and (not q.answer or q.answered_on is None):
            self.add(t, i, "answer" if not q.answer else "answered_on",
                     f"Status {q.status} needs the Answer and the date it was given (Answered On)")
        if q.status == "closed":
            if not q.resolution:
                self.add(t, i, "resolution", "a closed query needs its Resolution: explanation, credit note or "
                                             "re-issue")
            if q.closed_on is None:
                self.add(t, i, "closed_on", "a closed query needs the date it was closed (Closed On)")
            if q.resolution == "credit note" and not q.credit_note:
                self.add(t, i, "credit_note", "resolved by a credit note: give its number (Credit Note)")
        else:
            for field, filled in (("resolution", q.resolution), ("closed_on", q.closed_on)):
                if filled:
                    self.add(t, i, field, f"{_TITLES[field]} is filled but the Status is {q.status}: closed")
            if q.status == "open" and q.answered_on is not None:
                self.add(t, i, "status", "Answered On is filled but the Status is open: answered")

    def receipts_and_allocations(self) -> None:
        r = self.ledger.receipts
        if r.rows:
            self.currency(r)
            self.money(r, "amount")
            self.known(r, "customer_id", self.customers, "customer", "Customers")
        a = self.ledger.allocations
        if not a.rows:
            return
        self.known(a, "receipt_id", self.receipts, "receipt", "Receipts")
        self.known(a, "invoice_no", self.invoices, "invoice", "Invoices")
        receipt_ids = self.column(a, "receipt_id")
        if self.reads(a, "currency"):
            self.money(a, "applied_amount", "deduction_amount")
            if self.reads(self.ledger.invoices, "currency"):
                currency = self.currencies(self.ledger.invoices, "invoice_no")
                for i, (number, code) in enumerate(zip(self.column(a, "invoice_no"), self.column(a, "currency"),
                                                       strict=True)):
                    if currency.get(number, code) != code:
                        self.add(a, i, "currency", f"currency {code} differs from invoice {number} in "
                                                   f"{currency[number]}")
        elif self.reads(r, "currency"):  # the receipt's currency is the allocation's
            paid_in = self.currencies(r, "receipt_id")
            self.money(a, "applied_amount", "deduction_amount", code_of=lambda i: paid_in.get(receipt_ids[i], ""))
        applied: dict[str, Decimal] = defaultdict(Decimal)
        amounts = self.column(a, "applied_amount")
        crossed = self.crossed(a, r, receipt_ids) if self.reads(a, "currency", "rate") else {}
        for i, (receipt_id, amount) in enumerate(zip(receipt_ids, amounts, strict=True)):
            applied[receipt_id] += crossed.get(i, amount)  # in the receipt's currency
        for i, (receipt_id, amount) in enumerate(zip(self.column(r, "receipt_id"), self.column(r, "amount"),
                                                     strict=True)):
            total = applied.get(receipt_id)
            if total is not None and total > amount > 0:
                self.add(r, i, "amount", f"allocations of receipt {receipt_id} ({total}) exceed its amount {amount}")

    def crossed(self, a: Table[Any], r: Table[Any], receipt_ids: list[str]) -> dict[int, Decimal]:
        """Row -> what an allocation in another currency than its receipt applies in the receipt's currency
        (applied x Rate); such an allocation without a rate is an error at its Rate cell."""
        if not self.reads(r, "receipt_id", "currency"):
            return {}
        paid_in = self.currencies(r, "receipt_id")
        result: dict[int, Decimal] = {}
        for i, (receipt_id, code, rate) in enumerate(zip(receipt_ids, self.column(a, "currency"),
                                                         self.column(a, "rate"), strict=True)):
            own = paid_in.get(receipt_id)
            if own is None or own.strip().upper() == code.strip().upper():
                continue
            if rate is None or rate <= 0:
                self.add(a, i, "rate", f"the allocation is in {code} and receipt {receipt_id} in {own}: give the "
                                       f"rate ({own} per {code}) in Rate")
                continue
            try:
                result[i] = round_money(self.column(a, "applied_amount")[i] * rate, own)
            except ArxlError:
                continue  # an unknown currency: reported at the receipt's cell
        return result


_TITLES = {c.field: c.header for c in columns(ClientQuery)}
