"""A month's billing run: schedule the month, review it, and turn what is due into numbered tax invoices.

:func:`plan_billing` works out what bills in the month — every contract period whose billing date falls in
it, plus any due row typed into BillingSchedule by hand — and reviews each line before anything is billed
(rates against the rate card, tax codes, contract dates, TIN, duplicates, amounts too large for Sage).
A blocking finding holds back that customer's invoices (the others proceed); a warning is for the
accountant's eye only.

:func:`generate_invoices` groups the customer's due lines of a day into one invoice per currency, payment
terms and PO, applies the contract discounts, computes VAT per rate with the rounding policy of Settings,
the due date from the terms (rolled to a working day if Settings says so), and numbers the invoices from
the register. It returns a ChangeSet: the invoices, their lines and the schedule rows, to be saved in one
atomic step. Run twice, the second run finds every period already billed and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from arxl.billing.schedule import Charge, charges, describe
from arxl.core.calendar import BusinessCalendar, Roll
from arxl.core.errors import ArxlError, BadValue, CellRef, UnknownCurrency
from arxl.core.money import EXCEL_DIGITS, figure, largest, storable, total
from arxl.core.numbering import next_numbers
from arxl.core.period import Period
from arxl.core.sage_limits import MAX_AMOUNT, MAX_SPLIT
from arxl.core.tax import TaxCode, line_vats, rate_on, vat_by_rate
from arxl.core.terms import parse_terms
from arxl.ledger.changes import ChangeSet
from arxl.ledger.checks import examine
from arxl.ledger.ledger import Ledger
from arxl.ledger.rates import rate_on as rate_of_day
from arxl.ledger.records import Contract, Customer, Invoice, InvoiceLine, ScheduleLine, Service

SAGE_NET_LIMIT = MAX_AMOUNT  # Sage's Net of one row; the export splits a larger one into MAX_SPLIT rows at most
Severity = Literal["blocking", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """An exception of the pre-billing review, with the cell to look at."""

    severity: Severity
    customer_id: str
    contract_ref: str
    message: str
    expected: str = ""
    found: str = ""
    where: CellRef | None = None


@dataclass(frozen=True, slots=True)
class Due:
    """A line to bill in this run: a schedule line with what it takes from its contract."""

    line: ScheduleLine
    row: int | None  # the BillingSchedule row it already has, or None when this run schedules it
    bill_date: dt.date
    description: str
    gross: Decimal
    discount: Decimal
    contract: Contract | None
    service: Service | None
    customer: Customer | None


@dataclass(slots=True)
class BillingPlan:
    """What a billing run would do for one month, and what the review found."""

    period: Period
    due: list[Due] = field(default_factory=list)
    skipped: list[Charge] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    already_billed: int = 0  # schedule lines of the month billed by earlier runs

    @property
    def held(self) -> set[str]:
        """Customers with a blocking finding: their lines wait for the next run."""
        return {f.customer_id for f in self.findings if f.severity == "blocking"}

    @property
    def billable(self) -> list[Due]:
        held = self.held
        return [d for d in self.due if d.line.customer_id not in held]


def plan_billing(ledger: Ledger, period: Period | str) -> BillingPlan:
    """Schedule and review a month without changing anything (text ``YYYY-MM`` is parsed here until the app
    passes a Period)."""
    plan = BillingPlan(Period.parse(period))
    key = str(plan.period)  # as the BillingSchedule's Period column holds it
    customers = {c.customer_id: (i, c) for i, c in enumerate(ledger.customers)}
    services = {s.service_code: (i, s) for i, s in enumerate(ledger.services)}
    contracts = {k.contract_ref: (i, k) for i, k in enumerate(ledger.contracts)}
    scheduled: dict[tuple[str, str], list[tuple[int, ScheduleLine]]] = defaultdict(list)
    for i, line in enumerate(ledger.schedule):
        scheduled[(line.contract_ref, line.period)].append((ledger.schedule.row_numbers[i], line))
    review = _Review(ledger, plan, customers, services, contracts)
    for hold in examine(ledger).held:  # what validate warns about blocks that customer's billing, same words
        review.add("blocking", None, hold.problem.message, "", "", hold.problem.where, hold.customer_id,
                   hold.contract_ref)

    for index, k in enumerate(ledger.contracts):
        if k.status == "ended" and not k.end_date:
            continue
        try:
            due_charges = charges(k, plan.period)
        except ArxlError as exc:  # an unknown currency (a finding above), an escalated rate no cell holds...
            column = "currency" if isinstance(exc, UnknownCurrency) else "rate"
            review.add("blocking", None, exc.message, "", "", ledger.contracts.where(index, column), k.customer_id,
                       k.contract_ref)
            continue
        for charge in due_charges:
            existing = scheduled.get((k.contract_ref, key), [])
            if existing:
                continue  # scheduled by an earlier run: billed, skipped or still due (picked up below)
            if k.status == "suspended":
                plan.skipped.append(charge)
                continue
            due = Due(charge.schedule_line("due"), None, charge.bill_date, charge.description, charge.gross,
                      charge.discount, k, services.get(k.service_code, (0, None))[1],
                      customers.get(k.customer_id, (0, None))[1])
            plan.due.append(due)
            review.check(due, contract_index=index)
    for (ref, month), rows in sorted(scheduled.items()):
        due_rows = [(row, line) for row, line in rows if line.status == "due"]
        if month == key:
            plan.already_billed += sum(1 for _, line in rows if line.status == "billed")
        if month != key:
            if month < key and due_rows:
                review.late(due_rows)
            continue
        if len(rows) > 1:
            review.duplicate(ref, rows)
        for row, line in due_rows:
            due = review.from_row(row, line)
            plan.due.append(due)
            review.check(due, contract_index=contracts.get(ref, (None, None))[0])
    review.across()
    return plan


class _Review:
    """The checks of the pre-billing review, collecting findings into the plan."""

    def __init__(self, ledger: Ledger, plan: BillingPlan, customers: dict[str, tuple[int, Customer]],
                 services: dict[str, tuple[int, Service]], contracts: dict[str, tuple[int, Contract]]) -> None:
        self.ledger, self.plan = ledger, plan
        self.customers, self.services, self.contracts = customers, services, contracts
        self.codes = ledger.tax_code_list()
        self.no_tin: set[str] = set()
        self.blocked: set[tuple[str, CellRef]] = set()

    def add(self, severity: Severity, due: Due | None, message: str, expected: object = "", found: object = "",
            where: CellRef | None = None, customer_id: str = "", contract_ref: str = "") -> None:
        """A finding; a second blocking one at a cell already blocking that customer is left out (validate's
        words, added first, stand)."""
        finding = Finding(severity, due.line.customer_id if due else customer_id,
                          due.line.contract_ref if due else contract_ref, message, _text(expected), _text(found),
                          where)
        if severity == "blocking" and where is not None:
            if (finding.customer_id, where) in self.blocked:
                return
            self.blocked.add((finding.customer_id, where))
        self.plan.findings.append(finding)

    def cell(self, table: str, index: int | None, column: str) -> CellRef | None:
        return None if index is None else self.ledger.table(table).where(index, column)

    def check(self, due: Due, contract_index: int | None) -> None:
        line, k = due.line, due.contract
        if k is None:
            self.add("blocking", due, "no contract or service order for this schedule line", "a Contract Ref in "
                     "Contracts", line.contract_ref or "(blank)", self._schedule_cell(due, "contract_ref"))
            return
        customer_index, customer = self.customers.get(k.customer_id, (None, None))
        if customer is None:
            self.add("blocking", due, "customer is not in Customers", "a Customer ID in Customers", k.customer_id,
                     self.cell("Contracts", contract_index, "customer_id"))
        elif not customer.tin.strip() and customer.customer_type != "foreign" and k.customer_id not in self.no_tin:
            self.no_tin.add(k.customer_id)  # once per customer, however many contracts
            self.add("warning", due, "customer has no TIN for the tax invoice", "a 9-digit TIN", "(blank)",
                     self.cell("Customers", customer_index, "tin"))
        service_index, service = self.services.get(k.service_code, (None, None))
        vat_rate: Decimal | None = None
        if service is None:
            self.add("blocking", due, "service is not in the rate card (Services)", "a Service Code in Services",
                     k.service_code, self.cell("Contracts", contract_index, "service_code"))
        else:
            vat_rate = self._tax_code(due, service, service_index)
            if service.currency == k.currency and service.rate != k.rate:
                self.add("warning", due, f"rate differs from the approved rate for service {service.service_code}",
                         figure(service.rate, k.currency, with_code=True), figure(k.rate, k.currency, with_code=True),
                         self.cell("Contracts", contract_index, "rate"))
        if line.currency != k.currency:
            self.add("blocking", due, "currency differs from the contract", k.currency, line.currency,
                     self._schedule_cell(due, "currency"))
        if customer is not None and customer.currency and customer.currency != k.currency:
            self.add("warning", due, "contract currency differs from the customer's billing currency",
                     customer.currency, k.currency, self.cell("Contracts", contract_index, "currency"))
        if due.bill_date < k.start_date or (k.end_date and due.bill_date > k.end_date) or k.status == "ended":
            state = "not started" if due.bill_date < k.start_date else "expired"
            start = f"{k.start_date:%d/%m/%Y}"
            term = f"{start} to {k.end_date:%d/%m/%Y}" if k.end_date else f"from {start}"
            self.add("blocking", due, f"contract {state} on the billing date {due.bill_date:%d/%m/%Y}", term,
                     due.bill_date.strftime("%d/%m/%Y"), self.cell("Contracts", contract_index, "end_date"))
        if customer is not None and customer.customer_type == "government" and not k.po_number:
            self.add("warning", due, "government contract without a PO / service-order number", "a PO Number",
                     "(blank)", self.cell("Contracts", contract_index, "po_number"))
        if line.amount <= 0:
            self.add("blocking", due, "amount to bill is not positive", "more than 0",
                     figure(line.amount, line.currency, with_code=True), self._schedule_cell(due, "amount"))
        elif not storable(line.amount * (1 + (vat_rate or 0)), line.currency):  # escalated past the limit, say
            self.add("blocking", due, f"amount with VAT is more than an invoice's cell holds exactly (Excel keeps "
                     f"{EXCEL_DIGITS} significant digits)", f"at most {largest(k.currency):,} {k.currency}",
                     figure(line.amount, line.currency, with_code=True), self.cell("Contracts", contract_index, "rate"))
        elif line.amount > SAGE_NET_LIMIT * MAX_SPLIT:
            self.add("blocking", due, f"net amount would take more than {MAX_SPLIT} rows of Sage's 99,999,999.99 "
                     "in the export: check the quantity and rate", f"at most {SAGE_NET_LIMIT * MAX_SPLIT:,}",
                     figure(line.amount, line.currency, with_code=True), self.cell("Contracts", contract_index, "rate"))
        elif line.amount > SAGE_NET_LIMIT:
            self.add("warning", due, "net amount is above Sage's 99,999,999.99 per line: the export splits it",
                     "at most 99,999,999.99", figure(line.amount, line.currency, with_code=True),
                     self.cell("Contracts", contract_index, "rate"))
        try:
            parse_terms(k.terms or (customer.terms if customer else "") or self.ledger.settings.default_terms)
        except BadValue as exc:
            self.add("blocking", due, exc.message, "terms such as NET30", k.terms,
                     self.cell("Contracts", contract_index, "terms"))

    def _tax_code(self, due: Due, service: Service, index: int | None) -> Decimal | None:
        """The VAT rate of the service on the billing date, or None (and a blocking finding)."""
        if not service.tax_code.strip():
            self.add("blocking", due, "service has no tax code", "a code of TaxCodes", "(blank)",
                     self.cell("Services", index, "tax_code"))
            return None
        try:
            return rate_on(self.codes, service.tax_code, due.bill_date)
        except BadValue as exc:
            self.add("blocking", due, exc.message, "a code of TaxCodes in force on the billing date",
                     service.tax_code, self.cell("Services", index, "tax_code"))
            return None

    def _schedule_cell(self, due: Due, column: str) -> CellRef | None:
        if due.row is None:
            return None
        index = self.ledger.schedule.row_numbers.index(due.row)
        return self.ledger.schedule.where(index, column)

    def from_row(self, row: int, line: ScheduleLine) -> Due:
        """A due row typed into BillingSchedule (or held back by an earlier run) as a line to bill."""
        k = self.contracts.get(line.contract_ref, (None, None))[1]
        matching = [c for c in (charges(k, Period.parse(line.period)) if k else []) if c.first == line.period_start]
        if matching:
            c = matching[0]
            return Due(line, row, c.bill_date, c.description, line.amount + c.discount, c.discount, k,
                       self.services.get(k.service_code, (0, None))[1] if k else None,
                       self.customers.get(line.customer_id, (0, None))[1])
        description = describe(k, line.period_start, line.period_end, line.period_start, line.period_end) if k \
            else f"{line.service_code}, {line.period_start:%d/%m/%Y} to {line.period_end:%d/%m/%Y}"
        bill_date = line.period_start if (k is None or k.billing == "advance") else line.period_end
        return Due(line, row, bill_date, description, line.amount, Decimal(0), k,
                   self.services.get(line.service_code, (0, None))[1],
                   self.customers.get(line.customer_id, (0, None))[1])

    def duplicate(self, ref: str, rows: list[tuple[int, ScheduleLine]]) -> None:
        numbers = ", ".join(str(r) for r, _ in rows)
        first = rows[0][1]
        index = self.ledger.schedule.row_numbers.index(rows[-1][0])
        self.add("blocking", None, f"contract {ref} is scheduled {len(rows)} times for {first.period} "
                 f"(rows {numbers})", "one line per contract and month", f"{len(rows)} lines",
                 self.ledger.schedule.where(index, "contract_ref"), first.customer_id, ref)

    def late(self, rows: list[tuple[int, ScheduleLine]]) -> None:
        for row, line in rows:
            index = self.ledger.schedule.row_numbers.index(row)
            self.add("warning", None, f"due since {line.period} and not billed", "billed in its month",
                     "still due", self.ledger.schedule.where(index, "status"), line.customer_id, line.contract_ref)

    def across(self) -> None:
        """Checks that look at several lines: the same service billed twice to a customer in the month."""
        seen: dict[tuple[str, str, Decimal, dt.date], Due] = {}
        for due in self.plan.due:
            key = (due.line.customer_id, due.line.service_code, due.line.amount, due.line.period_start)
            if key in seen and seen[key].line.contract_ref != due.line.contract_ref:
                self.add("warning", due, f"same service, amount and dates as contract {seen[key].line.contract_ref}: "
                         "a duplicate contract?", "one contract", "two")
            seen.setdefault(key, due)


def _text(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(slots=True)
class BillingRun:
    """The result of a generation: the changes to save and what they mean for the accountant."""

    plan: BillingPlan
    changes: ChangeSet
    invoices: list[Invoice]
    lines: list[InvoiceLine]

    def totals(self) -> dict[str, Decimal]:
        """Total invoiced per currency."""
        result: dict[str, Decimal] = defaultdict(Decimal)
        for invoice in self.invoices:
            result[invoice.currency] += invoice.total_amount
        return dict(result)


@dataclass(frozen=True, slots=True)
class Draft:
    """A numbered invoice, its lines and the due lines it bills."""

    invoice: Invoice
    lines: list[InvoiceLine]
    dues: list[Due]


def draft_invoices(dues: Iterable[Due], existing: Iterable[str], *, series: str, digits: int, default_terms: str,
                   policy: Literal["invoice", "line"], codes: list[TaxCode], calendar: BusinessCalendar | None = None,
                   roll: Roll = "none") -> list[Draft]:
    """Group due lines into invoices (per customer and day, currency, terms and PO) and number them in order.

    Pure: the same due lines and register give the same invoices. Numbers follow the register's highest of
    each year; the invoice's Period is the month of its date.
    """
    groups: dict[tuple[dt.date, str, str, str, str], list[Due]] = defaultdict(list)
    for due in dues:
        k = due.contract
        if k is None:  # pragma: no cover - a contract-less line is always a blocking finding
            continue
        customer_terms = due.customer.terms if due.customer else ""
        terms = parse_terms(k.terms or customer_terms or default_terms).text
        groups[(due.bill_date, k.customer_id, k.currency, terms, k.po_number)].append(due)
    keys = sorted(groups)
    existing = list(existing)
    numbers: list[str] = []
    for year in sorted({key[0].year for key in keys}):
        numbers += next_numbers(existing, series, year, sum(1 for key in keys if key[0].year == year), digits)
    drafts = []
    for number, key in zip(numbers, keys, strict=True):
        day, terms = key[0], key[3]
        items = sorted(groups[key], key=lambda d: (d.line.contract_ref, d.line.period_start))
        invoice, lines = _draft(number, key, items, codes, policy, f"{day:%Y-%m}")
        due_date = parse_terms(terms).due_date(day, calendar, roll)
        drafts.append(Draft(invoice.model_copy(update={"due_date": due_date}), lines, items))
    return drafts


def generate_invoices(ledger: Ledger, period: Period | str) -> BillingRun:
    """Plan the month and draft numbered invoices for every customer not held back by the review."""
    plan = plan_billing(ledger, period)
    settings = ledger.settings
    drafts = draft_invoices(plan.billable, (i.invoice_no for i in ledger.invoices), series=settings.invoice_series,
                            digits=settings.invoice_digits, default_terms=settings.default_terms,
                            policy=settings.vat_rounding, codes=ledger.tax_code_list(), calendar=ledger.calendar(),
                            roll=settings.roll_due_dates)
    for draft in drafts:  # each line fits (the review); their sum on one invoice must fit too, or nothing is billed
        invoice = draft.invoice
        if not storable(invoice.total_amount, invoice.currency):
            first = draft.dues[0].line.contract_ref
            index = next((i for i, k in enumerate(ledger.contracts) if k.contract_ref == first), None)
            raise BadValue(f"the invoice of {invoice.customer_id} on {invoice.invoice_date:%d/%m/%Y} would total "
                           f"{invoice.total_amount:,} {invoice.currency}, more than a cell holds exactly (Excel "
                           f"keeps {EXCEL_DIGITS} significant digits); nothing was billed",
                           ledger.contracts.where(index, "rate") if index is not None else None)
    drafts = _with_rates(drafts, ledger)
    billed = {id(due): draft.invoice.invoice_no for draft in drafts for due in draft.dues}
    changes = ChangeSet()
    for due in plan.due:
        number = billed.get(id(due), "")
        if due.row is None:
            status = "billed" if number else "due"
            changes.append("BillingSchedule", [due.line.model_copy(update={"status": status, "invoice_no": number})])
        elif number:
            changes.update("BillingSchedule", due.row, "status", "billed")
            changes.update("BillingSchedule", due.row, "invoice_no", number)
    changes.append("BillingSchedule", [c.schedule_line("skipped") for c in plan.skipped])
    invoices = [d.invoice for d in drafts]
    lines = [line for d in drafts for line in d.lines]
    changes.append("Invoices", invoices)
    changes.append("InvoiceLines", lines)
    return BillingRun(plan, changes, invoices, lines)


def _with_rates(drafts: list[Draft], ledger: Ledger) -> list[Draft]:
    """Each foreign-currency invoice stamped with the Rates sheet's rate of its date (IAS 21's spot rate);
    a day without a rate refuses the run, naming the date and the currency."""
    base = ledger.settings.base_currency or "RWF"
    rates = ledger.day_rates()
    stamped = []
    for draft in drafts:
        invoice = draft.invoice
        if invoice.currency.strip().upper() != base.strip().upper():
            rate = rate_of_day(rates, invoice.currency, invoice.invoice_date, base, ledger.book,
                           f"the rate of the invoice of {invoice.customer_id}; nothing was billed")
            draft = replace(draft, invoice=invoice.model_copy(update={"rate": rate}))
        stamped.append(draft)
    return stamped


def _draft(number: str, key: tuple[dt.date, str, str, str, str], items: Iterable[Due], codes: list[TaxCode],
           policy: Literal["invoice", "line"], period: str) -> tuple[Invoice, list[InvoiceLine]]:
    day, customer_id, currency, terms, po = key
    items = list(items)
    rates, tax_codes = [], []
    for due in items:
        if due.service is None:  # pragma: no cover - a blocking finding
            raise ArxlError(f"service {due.line.service_code} is missing")
        tax_codes.append(due.service.tax_code.strip().upper())
        rates.append(rate_on(codes, due.service.tax_code, day))
    pairs = [(due.line.amount, rate) for due, rate in zip(items, rates, strict=True)]
    vats = line_vats(pairs, currency, policy)
    vat_total = total(vat_by_rate(pairs, currency, policy).values())
    net = total(d.line.amount for d in items)
    refs = sorted({d.line.contract_ref for d in items})
    invoice = Invoice(invoice_no=number, invoice_date=day, due_date=day, customer_id=customer_id, currency=currency,
                      net_amount=net, vat_amount=vat_total, total_amount=net + vat_total, terms=terms,
                      contract_ref=refs[0] if len(refs) == 1 else "", po_number=po, period=period)
    invoice_lines = [
        InvoiceLine(invoice_no=number, line_no=n, description=due.description, quantity=due.line.quantity,
                    unit_price=due.line.rate, discount=due.discount, net_amount=due.line.amount,
                    tax_code=code, vat_rate=rate, vat_amount=vat, contract_ref=due.line.contract_ref,
                    service_code=due.line.service_code, period=period)
        for n, (due, code, rate, vat) in enumerate(zip(items, tax_codes, rates, vats, strict=True), start=1)
    ]
    return invoice, invoice_lines
