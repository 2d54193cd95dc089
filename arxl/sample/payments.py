"""The sample's payment history: when and how each invoice gets paid by its customer's habit (settlements,
withholding, bank charges, discounts, part payments, lumps, an overpayment, an instalment plan), replayed
through :class:`_Books` into the Receipts and Allocations tables.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.dates import month_end
from arxl.core.money import allocate, round_money
from arxl.core.tax import (
    parse_withholding,
    withholding_amounts,
)
from arxl.core.terms import parse_terms
from arxl.ledger.records import (
    Allocation,
    ArrangementLine,
    Customer,
    DeductionType,
    Invoice,
    Receipt,
)
from arxl.sample.company import BANK_RWF, BANK_USD, CALENDAR, CUTOFF, ONE, ONE_DAY, RATES, ZERO, D
from arxl.sample.contracts import _day_text
from arxl.sample.customers import ARRANGEMENT_CUSTOMER, ARRANGEMENT_DAY, CHRONIC_STOP, _People

# --- Payments: the plan of each invoice, replayed into receipts and allocations --------------------------------

@dataclass(frozen=True)
class _Event:
    """A payment the story plans: settle some invoices in full, pay a fixed sum oldest first, or a lump."""

    seq: int
    day: dt.date
    customer_id: str
    currency: str
    invoices: tuple[str, ...] = ()
    cash: Decimal | None = None  # a fixed sum instead of what settles the invoices
    charges: Decimal = ZERO  # kept by the banks on the way
    discount: bool = False  # early-payment discount taken
    extra: Decimal = ZERO  # paid more than owed
    lag: int | None = None  # a lump: part of what has been overdue for this many days
    share: Decimal = ONE
    instalment: bool = False  # the first instalment of the arrangement
    narrative: str = ""


def _plans(rng: random.Random, books: _Books, credit_note: Invoice) -> list[_Event]:
    """When and how each invoice gets paid, by its customer's habit."""
    people = books.people
    events: list[_Event] = []
    batches: dict[tuple[str, int, int], dt.date] = {}
    overpaid = _overpaid(rng, books, credit_note)
    partial_done = False
    for inv in books.register:
        if inv.doc_type != "invoice" or inv.invoice_date >= dt.date(2025, 6, 1):
            continue  # June's invoices are not paid yet at the cut-off
        cid = inv.customer_id
        habit = people.habit[cid]
        customer = people[cid]
        if habit == "chronic":
            continue
        seq = len(events)
        if inv.invoice_no == credit_note.original_invoice:
            events.append(_Event(seq, dt.date(2025, 6, 13), cid, inv.currency, (inv.invoice_no,),
                                 narrative="less credit note CN-2025-00001"))
            continue
        if customer.terms.startswith("2/10") and rng.random() < 0.6:
            day = inv.invoice_date + dt.timedelta(days=rng.randint(4, 10))
            events.append(_Event(seq, _working(day), cid, inv.currency, (inv.invoice_no,), discount=True))
            continue
        if habit == "slow":
            key = (cid, inv.due_date.year, inv.due_date.month)
            if key not in batches:
                batches[key] = month_end(inv.due_date) + dt.timedelta(days=rng.randint(5, 40))
            day = batches[key]
        else:
            day = inv.due_date + dt.timedelta(days=rng.randint(-8, 3) if habit == "prompt" else rng.randint(-2, 21))
        day = _working(max(day, inv.invoice_date + ONE_DAY))
        if day > CUTOFF:
            continue
        charges = D(rng.choice((15, 20, 25, 30, 35, 40, 45))) if customer.customer_type == "foreign" else ZERO
        plain = not customer.withholding and inv.currency == "RWF" and customer.customer_type != "foreign"
        if inv.invoice_no == overpaid:
            extra = (inv.total_amount // 100_000 + 1) * 100_000 - inv.total_amount
            events.append(_Event(seq, day, cid, inv.currency, (inv.invoice_no,), extra=extra))
        elif plain and habit == "normal" and (rng.random() < 0.05 or (not partial_done and inv.invoice_date.year
                                                                        == 2025)):
            partial_done = True
            part = round_money(inv.total_amount * D(rng.choice(("0.4", "0.5", "0.6"))) / 1000, "RWF") * 1000
            events.append(_Event(seq, day, cid, inv.currency, (inv.invoice_no,), cash=part,
                                 narrative="part payment"))
            rest = _working(day + dt.timedelta(days=rng.randint(20, 75)))
            if rest <= CUTOFF:
                events.append(_Event(seq + 1, rest, cid, inv.currency, (inv.invoice_no,), narrative="balance"))
        else:
            events.append(_Event(seq, day, cid, inv.currency, (inv.invoice_no,), charges=charges))
    events = _merged(events)
    events.extend(_lumps(rng, books, len(events)))
    return sorted(events, key=lambda e: (e.day, e.customer_id, e.seq))


def _working(day: dt.date) -> dt.date:
    return CALENDAR.next_working_day(day)


def _overpaid(rng: random.Random, books: _Books, credit_note: Invoice) -> str:
    """The invoice a client pays too much for (rounded up to the next hundred thousand)."""
    people = books.people
    candidates = [i.invoice_no for i in books.register if i.doc_type == "invoice" and i.currency == "RWF"
                  and dt.date(2025, 3, 1) <= i.invoice_date < dt.date(2025, 4, 1)
                  and people[i.customer_id].customer_type == "private" and not people[i.customer_id].withholding
                  and people.habit[i.customer_id] in ("prompt", "normal")
                  and i.invoice_no != credit_note.original_invoice
                  and not people[i.customer_id].terms.startswith("2/10")]
    return rng.choice(candidates)


def _merged(events: list[_Event]) -> list[_Event]:
    """Invoices a customer settles on the same day in full travel in one transfer."""
    result: list[_Event] = []
    index: dict[tuple[dt.date, str, str], int] = {}
    for e in events:
        simple = e.cash is None and not e.charges and not e.discount and not e.extra and not e.narrative
        key = (e.day, e.customer_id, e.currency)
        if simple and key in index:
            first = result[index[key]]
            result[index[key]] = _Event(first.seq, first.day, first.customer_id, first.currency,
                                        first.invoices + e.invoices)
            continue
        if simple:
            index[key] = len(result)
        result.append(e)
    return result


def _lumps(rng: random.Random, books: _Books, seq: int) -> list[_Event]:
    """Chronic late payers pay round sums every two or three months against what is long overdue."""
    events: list[_Event] = []
    for cid, habit in books.people.habit.items():
        if habit != "chronic":
            continue
        first = min(i.invoice_date for i in books.register if i.customer_id == cid)
        day = first + dt.timedelta(days=rng.randint(110, 150))
        while day <= CHRONIC_STOP.get(cid, CUTOFF):
            events.append(_Event(seq + len(events), _working(day), cid, "RWF", lag=rng.randint(100, 130),
                                 share=D(rng.choice(("0.6", "0.7", "0.8", "0.9"))),
                                 narrative="payment of arrears"))
            day += dt.timedelta(days=rng.randint(55, 95))
        if cid == ARRANGEMENT_CUSTOMER:
            events.append(_Event(seq + len(events), dt.date(2025, 6, 9), cid, "RWF", instalment=True,
                                 narrative="1st instalment ARR-2025-001"))
    return events


class _Books:
    """The receivables ledger while the history is replayed: open amounts, withholding still to clear."""

    def __init__(self, rng: random.Random, people: _People, register: list[Invoice]) -> None:
        self.rng = rng
        self.people = people
        self.register = register
        self.invoice = {i.invoice_no: i for i in register}
        self.open = {i.invoice_no: i.total_amount for i in register}
        self.pending: dict[str, dict[str, Decimal]] = {}
        self.moves: dict[str, list[tuple[dt.date, Decimal]]] = {i.invoice_no: [] for i in register}
        self.receipts: list[Receipt] = []
        self.allocations: list[Allocation] = []
        self.arrangement: tuple[Decimal, list[Decimal]] = (ZERO, [])
        for inv in register:
            profile = parse_withholding(people[inv.customer_id].withholding)
            if inv.doc_type == "invoice" and profile:
                amounts = withholding_amounts(inv.net_amount, inv.vat_amount, profile, inv.currency, RATES)
                self.pending[inv.invoice_no] = {kind: amount for kind, amount in amounts.items() if amount}
            if inv.doc_type == "credit_note":
                self.open[inv.original_invoice] += inv.total_amount
                self.open[inv.invoice_no] = ZERO
                self.moves[inv.original_invoice].append((inv.invoice_date, inv.total_amount))

    def open_items(self, customer_id: str, currency: str | None = None) -> list[Invoice]:
        """The customer's invoices still open, oldest first."""
        return [i for i in self.register if i.customer_id == customer_id and i.doc_type == "invoice"
                and self.open[i.invoice_no] > 0 and currency in (None, i.currency)]

    def deductions(self, number: str, discount: bool = False,
                   charges: Decimal = ZERO) -> list[tuple[DeductionType, Decimal, str]]:
        """What settling the invoice in full leaves uncollected: withholding, discount, bank charges."""
        inv = self.invoice[number]
        result: list[tuple[DeductionType, Decimal, str]] = []
        for kind, amount in self.pending.get(number, {}).items():
            if kind == "vat":
                result.append(("vat_withheld", amount, "VAT withheld at source"))
            else:
                result.append(("wht", amount, f"{kind[3:]}% withholding tax"))
        if discount:
            terms = parse_terms(inv.terms).discount(inv.invoice_date, inv.total_amount, inv.currency)
            if terms is not None:
                result.append(("discount", inv.total_amount - terms[1], "2% early-payment discount"))
        if charges:
            result.append(("bank_charges", round_money(charges, inv.currency),
                           "kept by the remitting and correspondent banks"))
        return result

    def need(self, number: str, discount: bool = False, charges: Decimal = ZERO) -> Decimal:
        """The cash that settles the invoice in full."""
        return self.open[number] - sum((d[1] for d in self.deductions(number, discount, charges)), ZERO)

    def replay(self, events: list[_Event]) -> None:
        for event in events:
            targets = [self.invoice[n] for n in event.invoices]
            if event.lag is not None:
                limit = event.day - dt.timedelta(days=event.lag)
                targets = [i for i in self.open_items(event.customer_id, event.currency) if i.due_date <= limit]
                owed = sum((self.need(i.invoice_no) for i in targets), ZERO)
                cash = (owed * event.share // 100_000) * 100_000 or owed
            elif event.instalment:
                targets = self.open_items(event.customer_id, event.currency)
                balance = sum((self.open[i.invoice_no] for i in targets), ZERO)
                self.arrangement = (balance, allocate(balance, [1, 1, 1], event.currency))
                cash = self.arrangement[1][0]
            elif event.cash is not None:
                cash = event.cash
            else:
                cash = sum((self.need(i.invoice_no, event.discount, event.charges if i is targets[-1] else ZERO)
                            for i in targets), ZERO) + event.extra
            if cash > 0 and targets:
                self.receive(event, targets, cash)

    def receive(self, event: _Event, targets: list[Invoice], cash: Decimal) -> None:
        """One receipt, applied to the targets in order; what is left is unapplied cash."""
        rid = f"#{len(self.receipts):05d}"  # numbered in date order once the history is complete
        left = cash
        touched: list[str] = []
        certificates: dict[DeductionType, str] = {}
        for inv in targets:
            if left <= 0:
                break
            number = inv.invoice_no
            touched.append(number)
            deductions = self.deductions(number, event.discount, event.charges if inv is targets[-1] else ZERO)
            need = self.open[number] - sum((d[1] for d in deductions), ZERO)
            if left < need:
                self._allocate(rid, event.day, inv, left, None, "", "part payment")
                left = ZERO
                continue
            rows: list[tuple[DeductionType, Decimal, str] | None] = [*deductions] or [None]
            for n, row in enumerate(rows):
                cert = ""
                if row is not None and row[0] in ("vat_withheld", "wht"):
                    if row[0] not in certificates:
                        certificates[row[0]] = (f"{'VWC' if row[0] == 'vat_withheld' else 'WHT'}/{event.day.year}/"
                                                f"{self.rng.randint(10000, 99999)}" if self.rng.random() < 0.7
                                                else "")
                    cert = certificates[row[0]]
                self._allocate(rid, event.day, inv, need if n == 0 else ZERO, row, cert,
                               row[2] if row else "")
            self.pending.pop(number, None)
            left -= need
        customer = self.people[event.customer_id]
        payer, narrative = _remittance(self.rng, customer, touched, event.narrative)
        self.receipts.append(Receipt(
            receipt_id=rid, date=event.day, amount=cash, currency=event.currency, customer_id=customer.customer_id,
            payer_name=payer, narrative=narrative, bank_reference=_bank_reference(self.rng, event.day),
            bank_account=BANK_USD if event.currency == "USD" else BANK_RWF))

    def _allocate(self, rid: str, day: dt.date, inv: Invoice, applied: Decimal,
                  deduction: tuple[DeductionType, Decimal, str] | None, certificate: str, notes: str) -> None:
        kind, amount = (deduction[0], deduction[1]) if deduction else ("", ZERO)
        self.open[inv.invoice_no] -= applied + amount
        self.moves[inv.invoice_no].append((day, -(applied + amount)))
        self.allocations.append(Allocation(
            receipt_id=rid, invoice_no=inv.invoice_no, date=day, currency=inv.currency, applied_amount=applied,
            deduction_amount=amount, deduction_type=kind, certificate_no=certificate, notes=notes))

    def numbered(self) -> tuple[list[Receipt], list[Allocation]]:
        """Receipts RCPT-YYYY-NNNN in date order, each with its bank statement line BK-YYYY-MM-NNN."""
        order = sorted(self.receipts, key=lambda r: (r.date, r.customer_id, r.receipt_id))
        ids: dict[str, str] = {}
        per_year: dict[int, int] = {}
        per_month: dict[tuple[int, int], int] = {}
        receipts = []
        for r in order:
            per_year[r.date.year] = per_year.get(r.date.year, 0) + 1
            month = (r.date.year, r.date.month)
            per_month[month] = per_month.get(month, 0) + 1
            ids[r.receipt_id] = f"RCPT-{r.date.year}-{per_year[r.date.year]:04d}"
            receipts.append(r.model_copy(update={
                "receipt_id": ids[r.receipt_id],
                "statement_line": f"BK-{month[0]}-{month[1]:02d}-{per_month[month]:03d}"}))
        position = {old: n for n, old in enumerate(r.receipt_id for r in order)}
        allocations = sorted(self.allocations, key=lambda a: position[a.receipt_id])
        return receipts, [a.model_copy(update={"receipt_id": ids[a.receipt_id]}) for a in allocations]

    def statuses(self) -> dict[str, str]:
        """paid, part-paid, open or credited, as at the cut-off."""
        allocated = {a.invoice_no for a in self.allocations}
        credited = {n.original_invoice for n in self.register if n.doc_type == "credit_note"}
        result = {}
        for inv in self.register:
            number = inv.invoice_no
            paid = number in allocated
            if inv.doc_type == "credit_note":
                result[number] = "credited"
            elif self.open[number] == 0:
                result[number] = "paid" if paid else "credited"
            elif paid:
                result[number] = "part-paid"
            else:
                result[number] = "credited" if number in credited else "open"
        return result

    def open_on(self, number: str, day: dt.date) -> Decimal:
        """The invoice's open amount at the end of a day (0 before it is issued)."""
        inv = self.invoice[number]
        if inv.invoice_date > day:
            return ZERO
        return inv.total_amount + sum((amount for when, amount in self.moves[number] if when <= day), ZERO)

    def arrangement_lines(self) -> list[ArrangementLine]:
        balance, parts = self.arrangement
        if not parts:
            return []
        dues = (dt.date(2025, 6, 10), dt.date(2025, 7, 10), dt.date(2025, 8, 11))
        notes = (f"Plan agreed {_day_text(ARRANGEMENT_DAY)} for the overdue balance of {balance:,.0f} RWF; "
                 "paid 9 Jun 2025", "", "")
        return [ArrangementLine(arrangement_id="ARR-2025-001", customer_id=ARRANGEMENT_CUSTOMER, instalment=n,
                                due_date=due, amount=part, currency="RWF", status="kept" if n == 1 else "pending",
                                notes=note)
                for n, (due, part, note) in enumerate(zip(dues, parts, notes, strict=True), start=1)]


def _bank_reference(rng: random.Random, day: dt.date) -> str:
    """A Bank of Kigali transaction reference: FT, year, day of the year, five characters."""
    tail = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(5))
    return f"FT{day:%y}{day.timetuple().tm_yday:03d}{tail}"


def _spell(number: str, style: str) -> str:
    """An invoice number as payers write it: INV-2025-00123, inv 2025 123, 2025/00123, INV202500123..."""
    _, year, serial = number.split("-")
    return {"exact": number, "spaced": f"inv {year} {int(serial)}", "slash": f"{year}/{serial}",
            "compact": f"INV{year}{serial}", "short": f"INV-{int(serial)}", "french": f"FACTURE {serial}"}[style]


def _remittance(rng: random.Random, customer: Customer, numbers: list[str], note: str) -> tuple[str, str]:
    """Payer name and narrative of a historical receipt, as the bank showed them."""
    payer = customer.name.upper()[:35]
    if note in ("payment of arrears",) or note.startswith("1st instalment"):
        return payer, note.upper()
    style = rng.choice(("exact", "exact", "exact", "spaced", "slash", "compact"))
    refs = " ".join(_spell(n, style) for n in numbers[:4]) + (" ETC" if len(numbers) > 4 else "")
    word = rng.choice(("PAYMENT", "PMT", "SETTLEMENT OF", "TRF"))
    return payer, f"{word} {refs}" + (f" {note.upper()}" if note else "")


