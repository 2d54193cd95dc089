"""The tie-out: does Sage agree with arxl, customer by customer, and where they differ, why.

Sage 50 is the ledger of record; arxl's register feeds it (invoices and credit notes as SI/SC, receipts and
deductions as SA/SC, revaluations as journals) and marks each movement ``Sage Exported`` with the export date.
At a date both books must show the same balance per customer account and currency, and Sage's debtors control
account the sum of them in the base currency. The tie-out takes Sage's Aged Debtors report and compares.

For each customer and currency the difference is Sage − arxl, and its parts are explained in this order:

1. **not yet exported**: arxl's movements dated up to the as-of date with no ``Sage Exported`` (invoices +,
   credit notes −, receipts −, deductions −) are not in Sage: Sage is lower by their sum;
2. **exported but missing in Sage**: what is left equals (the opposite of) one exported movement, or all the
   movements of one export date (an import that failed or was deleted in Sage);
3. **timing**: what is left equals a movement exported after the as-of date (Sage's report, run at the as-of
   date, did not hold it yet), or the effect of a movement dated up to five days after it (the report was run
   later, or Sage dated it differently). Two movements of classes 2 and 3 together are looked for too;
4. **posted in Sage outside arxl**: what nothing above explains (an entry keyed in Sage, an account arxl does
   not know);

and apart from the money:

- **FX**: for a foreign account whose balance agrees and whose base balance Sage reports, Sage's base value
  is compared with the open items at the closing rate (arxl's). Sage keeps a customer's items at their
  document rates (and the exchange differences it posts itself on allocation); arxl's month-end revaluation
  reaches Sage as a journal on the debtors control and FX nominals, with no customer account, so an exported
  revaluation of the month (Revaluations) is added to Sage's side. Sage at the document rates with no
  revaluation exported: "revaluation not posted in Sage";
- **unallocated in Sage**: Sage's Unallocated column differs from arxl's unapplied cash: payments on account
  Sage has not allocated yet (no money difference: follow the allocation sheet of the export).

Sage's accounts are matched to customers by their Sage Account cell, one account per currency
(:func:`arxl.ledger.sage_accounts.sage_accounts`, as the export writes them), else by the Customer ID.
This module reads records, never a file: Sage's lines come in as anything shaped like :class:`SageLine`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal, Protocol

from arxl.books.fx import fx_position
from arxl.core.fx import in_base
from arxl.core.money import figure
from arxl.ledger.ledger import DayRate, Ledger
from arxl.ledger.openitems import OpenItem, open_items
from arxl.ledger.rates import MissingRate, paid_in
from arxl.ledger.records import Allocation, Revaluation
from arxl.ledger.sage_accounts import sage_accounts
from arxl.ledger.sage_parts import SageParts

TIMING_DAYS = 5
NAMED = 8  # movements named in one explanation
ZERO = Decimal(0)
TieClass = Literal["not yet exported", "exported but missing in Sage", "timing", "posted in Sage outside arxl",
                   "FX", "unallocated in Sage"]
CLASSES: tuple[TieClass, ...] = ("not yet exported", "exported but missing in Sage", "timing",
                                 "posted in Sage outside arxl", "FX", "unallocated in Sage")


class SageLine(Protocol):
    """One customer account of Sage's report, as the tie-out needs it."""

    @property
    def account(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def balance(self) -> Decimal: ...
    @property
    def unallocated(self) -> Decimal | None: ...
    @property
    def base_balance(self) -> Decimal | None: ...
    @property
    def where(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Movement:
    """One of arxl's movements on a customer account, as Sage gets it: its effect on the balance."""

    kind: Literal["invoice", "credit note", "receipt", "deduction"]
    reference: str
    customer_id: str
    currency: str
    date: dt.date
    effect: Decimal  # + invoice, − credit note, receipt, deduction
    exported: dt.date | None

    def label(self) -> str:
        exported = f", exported {self.exported:%d/%m/%Y}" if self.exported else ""
        return f"{self.kind} {self.reference} of {self.date:%d/%m/%Y} ({figure(self.effect, self.currency)}{exported})"


@dataclass(frozen=True, slots=True)
class Part:
    """A part of a difference and what explains it. ``amount`` is Sage − arxl in the line's currency (FX: in the
    base currency; unallocated: Sage's unallocated − arxl's unapplied, no money difference)."""

    kind: TieClass
    amount: Decimal
    currency: str
    explanation: str
    movements: tuple[Movement, ...] = ()


@dataclass(frozen=True, slots=True)
class TieLine:
    """One customer account in one currency, arxl against Sage."""

    customer_id: str  # arxl's ID; Sage's account when arxl does not know it
    account: str
    name: str
    currency: str
    arxl_balance: Decimal
    sage_balance: Decimal
    arxl_base: Decimal | None  # open items at the closing rate (None: no closing rate)
    sage_base: Decimal | None  # Sage's base balance (None: the report gives none)
    revalued: Decimal = ZERO  # arxl's revaluation of the month exported to Sage: a journal, not on the account
    parts: tuple[Part, ...] = ()
    where: str = ""  # Sage's line

    @property
    def difference(self) -> Decimal:
        return self.sage_balance - self.arxl_balance

    @property
    def classes(self) -> str:
        return "; ".join(dict.fromkeys(p.kind for p in self.parts))

    @property
    def explanation(self) -> str:
        return "; ".join(f"{p.kind} {figure(p.amount, p.currency, with_code=True)}: {p.explanation}"
                         for p in self.parts)


@dataclass(slots=True)
class TieOut:
    """The tie-out at a date: the lines, the base totals and what could not be compared."""

    as_of: dt.date
    base_currency: str
    lines: list[TieLine]
    closing_rates: dict[str, DayRate]
    arxl_base_total: Decimal | None
    sage_base_total: Decimal | None  # Sage's base balances plus the revaluation journals exported
    warnings: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[TieLine]:
        return [line for line in self.lines if line.parts]

    @property
    def agrees(self) -> bool:
        return not self.differences

    def count_by_class(self) -> dict[TieClass, int]:
        found: dict[TieClass, int] = {}
        for line in self.lines:
            for kind in dict.fromkeys(p.kind for p in line.parts):
                found[kind] = found.get(kind, 0) + 1
        return {kind: found[kind] for kind in CLASSES if kind in found}


def movements(ledger: Ledger) -> list[Movement]:
    """Every movement of the register that reaches a customer's account in Sage, oldest first."""
    found: list[Movement] = []
    owner: dict[str, str] = {}
    for doc in ledger.invoices:
        owner[doc.invoice_no] = doc.customer_id
        if doc.status == "cancelled":
            continue
        kind: Literal["invoice", "credit note"] = "credit note" if doc.doc_type == "credit_note" else "invoice"
        found.append(Movement(kind, doc.invoice_no, doc.customer_id, doc.currency.upper(), doc.invoice_date,
                              doc.total_amount, doc.sage_exported))
    payer: dict[str, str] = {}
    of_receipt = _by_receipt(ledger)
    for receipt in ledger.receipts:
        payer[receipt.receipt_id] = receipt.customer_id
        if receipt.customer_id and receipt.amount:
            # an RWF receipt applied to USD invoices goes on the customer's USD account, in USD, as Sage has it
            code, amount = paid_in(receipt, of_receipt[receipt.receipt_id.strip().upper()]) or \
                (receipt.currency.upper(), receipt.amount)
            found.append(Movement("receipt", receipt.receipt_id, receipt.customer_id, code.upper(), receipt.date,
                                  -amount, receipt.sage_exported))
    for a in ledger.allocations:
        customer = owner.get(a.invoice_no) or payer.get(a.receipt_id, "")
        if a.deduction_amount and customer:
            found.append(Movement("deduction", f"{a.deduction_type or 'deduction'} {a.invoice_no or a.receipt_id}",
                                  customer, a.currency.upper(), a.date, -a.deduction_amount, a.sage_exported))
    return sorted(found, key=lambda m: (m.date, m.reference))


def _key(receipt_id: str) -> str:
    return receipt_id.strip().upper()


def _by_receipt(ledger: Ledger) -> dict[str, list[Allocation]]:
    """The allocations of each receipt (by its ID as the register matches IDs: trimmed, any case)."""
    found: dict[str, list[Allocation]] = defaultdict(list)
    for a in ledger.allocations:
        found[_key(a.receipt_id)].append(a)
    return found


def _as_in_sage(ledger: Ledger, items: list[OpenItem], as_of: dt.date) -> list[OpenItem]:
    """The open items as Sage's accounts hold them: the unapplied rest of an RWF receipt applied to USD invoices
    sits, in Sage, on the customer's USD account in USD (the whole receipt went there: :func:`paid_in`), where
    arxl's aging keeps it in RWF on the receipt."""
    receipts = {r.receipt_id: r for r in ledger.receipts}
    of_receipt = _by_receipt(ledger)
    result = []
    for item in items:
        receipt = receipts.get(item.reference) if item.kind == "unapplied" else None
        found = paid_in(receipt, of_receipt[_key(receipt.receipt_id)]) if receipt is not None else None
        if found is None:
            result.append(item)
            continue
        currency, net = found
        applied = sum((a.applied_amount for a in of_receipt[_key(item.reference)] if a.date <= as_of), ZERO)
        result.append(dataclasses.replace(item, currency=currency, original_amount=net, cleared=applied,
                                          open_amount=applied - net))
    return result


def tie_out(ledger: Ledger, sage: Sequence[SageLine], as_of: dt.date) -> TieOut:
    """Compare Sage's customer balances with arxl's at the end of ``as_of`` and explain every difference."""
    base = (ledger.settings.base_currency or "RWF").strip().upper()
    names = {c.customer_id: c.name for c in ledger.customers}
    by_account = {account: c.customer_id for c in ledger.customers for account in sage_accounts(c, base).values()}
    by_id = {c.customer_id.strip().upper(): c.customer_id for c in ledger.customers}  # a report keyed by arxl's ID
    items: dict[tuple[str, str], list[OpenItem]] = defaultdict(list)
    for item in _as_in_sage(ledger, open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts), as_of):
        items[(item.customer_id, item.currency.upper())].append(item)
    moved: dict[tuple[str, str], list[Movement]] = defaultdict(list)
    for m in movements(ledger):
        if m.date <= as_of + dt.timedelta(days=TIMING_DAYS):
            moved[(m.customer_id, m.currency)].append(m)
    result = TieOut(as_of, base, [], {}, ZERO, ZERO)
    rates = _Rates(ledger, as_of, base, result)
    seen: set[tuple[str, str]] = set()
    for line in sage:
        account = line.account.strip().upper()
        customer = by_account.get(account) or by_id.get(account)
        key = (customer or line.account, line.currency.upper())
        seen.add(key)
        result.lines.append(_line(key, customer is not None, line, items[key], moved[key], names, rates, as_of))
    for key in sorted(set(items) | {k for k, ms in moved.items() if any(m.date <= as_of for m in ms)}):
        if key not in seen and key[0] in names:
            result.lines.append(_line(key, True, None, items[key], moved[key], names, rates, as_of))
    result.lines.sort(key=lambda t: (t.currency != base, t.currency, t.customer_id))
    result.lines = [t for t in result.lines if t.where or t.arxl_balance or t.parts]
    _totals(result)
    return result


class _Rates:
    """The closing rate of each currency and the document rate of each open item, for the base values."""

    def __init__(self, ledger: Ledger, as_of: dt.date, base: str, result: TieOut) -> None:
        self.ledger, self.as_of, self.base, self.result = ledger, as_of, base, result
        self.documents = {i.invoice_no: i.rate for i in ledger.invoices if i.rate}
        self.missing: set[str] = set()
        self.position: dict[tuple[str, str], Decimal] | None = None

    def closing(self, currency: str) -> DayRate | None:
        if currency not in self.result.closing_rates and currency not in self.missing:
            found = self.ledger.day_rates().on(currency, self.as_of)
            if found is None:
                self.missing.add(currency)
                self.result.warnings.append(f"no {currency} rate in Rates on or up to 4 days before "
                                            f"{self.as_of:%d/%m/%Y}: the base control comparison leaves {currency} out")
            else:
                self.result.closing_rates[currency] = found
        return self.result.closing_rates.get(currency)

    def revaluations(self, customer: str, currency: str) -> list[Revaluation]:
        """The account's revaluation of the as-of month, when it is dated by the as-of date."""
        period = f"{self.as_of:%Y-%m}"
        return [r for r in self.ledger.tables.get("Revaluations", ()) if isinstance(r, Revaluation)
                and r.period == period and r.date <= self.as_of and r.customer_id == customer
                and r.currency.upper() == currency]

    def posted(self, customer: str, currency: str) -> Decimal:
        """The revaluation exported to Sage as a journal (debtors control and the FX nominal, no account)."""
        return sum((r.difference for r in self.revaluations(customer, currency) if r.sage_exported), ZERO)

    def revaluation(self, customer: str, currency: str) -> str:
        """What arxl's Revaluations table says of the month's revaluation of the account."""
        period = f"{self.as_of:%Y-%m}"
        rows = self.revaluations(customer, currency)
        if not rows:
            return f"arxl has no revaluation of {period} for it yet (Revaluations)"
        exported = sorted(r.sage_exported for r in rows if r.sage_exported)
        if not exported:
            return f"arxl's revaluation of {period} is not yet exported to Sage"
        return f"arxl's revaluation of {period} was exported on {exported[-1]:%d/%m/%Y}: it is missing in Sage"

    def carried(self, item: OpenItem) -> Decimal | None:
        """The base value arxl carries an open item at (:mod:`arxl.books.fx`: a document at Sage's value of its
        rows); at its document rate when the history lacks a rate; None when that is missing too."""
        if self.position is None:
            try:
                found = fx_position(self.ledger.invoices, self.ledger.receipts, self.ledger.allocations, self.as_of,
                                    self.base, self.ledger.day_rates(), self.ledger.book, SageParts.of(self.ledger))
                self.position = {(i.kind, i.reference): i.carried for i in found.items}
            except MissingRate:
                self.position = {}
        if (item.kind, item.reference) in self.position:
            return self.position[(item.kind, item.reference)]
        rate = self.documents.get(item.reference)
        if rate is None:
            day = self.ledger.day_rates().on(item.currency, item.document_date)
            rate = day.rate if day else None
        return None if rate is None else in_base(item.open_amount, rate, self.base)


def _line(key: tuple[str, str], known: bool, sage: SageLine | None, items: list[OpenItem], moved: list[Movement],
          names: dict[str, str], rates: _Rates, as_of: dt.date) -> TieLine:
    customer, currency = key
    base = rates.base
    arxl = sum((i.open_amount for i in items), ZERO)
    sage_balance = sage.balance if sage else ZERO
    arxl_base: Decimal | None = arxl
    if currency != base:
        closing = rates.closing(currency)
        arxl_base = None if closing is None else sum((in_base(i.open_amount, closing.rate, base) for i in items),
                                                     ZERO)
    sage_base = sage.base_balance if sage else ZERO
    if sage_base is None and currency == base and sage is not None:
        sage_base = sage.balance
    parts: list[Part] = []
    if not known and sage is not None:
        parts.append(Part("posted in Sage outside arxl", sage_balance, currency,
                          f"Sage account {sage.account} is not a customer of arxl (no Sage Account or Customer ID "
                          "in Customers matches it)"))
    elif sage_balance != arxl:
        parts += _money(sage_balance - arxl, moved, currency, as_of)
        if sage is None:  # nothing of the account in Sage's report: say so rather than guess at an entry
            parts = [replace(p, explanation=f"the account {customer} ({currency}) is not in Sage's report: a "
                             "report filtered or cut short, or a customer account missing in Sage")
                     if p.kind == "posted in Sage outside arxl" else p for p in parts]
    revalued = rates.posted(customer, currency) if currency != base else ZERO
    if known and sage is not None and sage_balance == arxl and currency != base and sage_base is not None \
            and arxl_base is not None:
        parts += _fx(sage_base + revalued, arxl_base, items, rates, key)
    if sage is not None and sage.unallocated is not None:
        unapplied = -sum((i.open_amount for i in items if i.kind == "unapplied"), ZERO)
        if abs(sage.unallocated) != unapplied:
            parts.append(_unallocated(abs(sage.unallocated), unapplied, moved, currency, as_of))
    name = names.get(customer, "") or (sage.name if sage else "")
    return TieLine(customer, sage.account if sage else "", name, currency, arxl, sage_balance, arxl_base, sage_base,
                   revalued, tuple(parts), sage.where if sage else "")


def _money(difference: Decimal, moved: list[Movement], currency: str, as_of: dt.date) -> list[Part]:
    """The parts of a difference in money (Sage − arxl), in the order of the module's docstring."""
    parts: list[Part] = []
    unexported = [m for m in moved if m.date <= as_of and m.exported is None]
    lacking = -sum((m.effect for m in unexported), ZERO)
    if lacking:
        parts.append(Part("not yet exported", lacking, currency, "in arxl, not yet exported to Sage: "
                          + _listed(unexported), tuple(unexported)))
    rest = difference - lacking
    if not rest:
        return parts
    candidates: list[Part] = []
    missing = [m for m in moved if m.date <= as_of and m.exported is not None and m.exported <= as_of]
    for m in missing:
        late = " (or Sage dated it after the as-of date)" if (as_of - m.date).days < TIMING_DAYS else ""
        candidates.append(Part("exported but missing in Sage", -m.effect, currency,
                               f"exported to Sage, not in Sage's balance{late}: {m.label()}", (m,)))
    batches: dict[dt.date, list[Movement]] = defaultdict(list)
    for m in missing:
        batches[m.exported or as_of].append(m)
    for day, batch in sorted(batches.items()):
        if len(batch) > 1:
            candidates.append(Part("exported but missing in Sage", -sum((m.effect for m in batch), ZERO), currency,
                                   f"the whole export of {day:%d/%m/%Y} ({len(batch)} movements) is not in Sage: "
                                   + _listed(batch),
                                   tuple(batch)))
    for m in moved:
        if m.date <= as_of and m.exported is not None and m.exported > as_of:
            candidates.append(Part("timing", -m.effect, currency,
                                   "exported after the as-of date, not yet in Sage's report of "
                                   f"{as_of:%d/%m/%Y}: {m.label()}", (m,)))
        elif m.date > as_of and m.exported is not None:
            candidates.append(Part("timing", m.effect, currency,
                                   f"dated after {as_of:%d/%m/%Y} in arxl, in Sage's report (run later, or dated "
                                   f"earlier in Sage): {m.label()}", (m,)))
    found = _explain(rest, candidates)
    parts += found
    rest -= sum((p.amount for p in found), ZERO)
    if rest:
        parts.append(Part("posted in Sage outside arxl", rest, currency,
                          "no movement of arxl explains it: an entry made in Sage directly (an invoice, receipt "
                          "or journal keyed there) or a movement changed in Sage"))
    return parts


def _listed(moved: Sequence[Movement]) -> str:
    """The movements named, the first :data:`NAMED` of them and how many more (a cell holds 32,767 characters)."""
    named = ", ".join(m.label() for m in moved[:NAMED])
    return named + (f" and {len(moved) - NAMED} more" if len(moved) > NAMED else "")


def _explain(rest: Decimal, candidates: list[Part]) -> list[Part]:
    """One candidate equal to ``rest``, else two different ones adding up to it (the first found, in order)."""
    for part in candidates:
        if part.amount == rest:
            return [part]
    first: dict[Decimal, int] = {}
    for j, part in enumerate(candidates):
        other = first.get(rest - part.amount)
        if other is not None and not set(candidates[other].movements) & set(part.movements):
            return [candidates[other], part]
        first.setdefault(part.amount, j)
    return []


def _fx(sage_base: Decimal, arxl_base: Decimal, items: list[OpenItem], rates: _Rates,
        key: tuple[str, str]) -> list[Part]:
    """The base value of a foreign account whose balance agrees: Sage's (with the revaluation journal arxl
    exported, which Sage posts to the nominal ledger, not to the account) against arxl's at the closing rate."""
    if sage_base == arxl_base:
        return []
    currency = key[1]
    closing = rates.result.closing_rates[currency]
    values = [rates.carried(i) for i in items]
    carried = None if any(v is None for v in values) else sum((v for v in values if v is not None), ZERO)
    at_closing = (f"arxl values the open items at {figure(arxl_base, rates.base)} {rates.base} at the closing rate "
                  f"{closing.rate} of {closing.published:%d/%m/%Y}")
    if carried is not None and sage_base == carried:
        return [Part("FX", sage_base - arxl_base, rates.base,
                     "revaluation not posted in Sage: Sage carries them at their document rates "
                     f"({figure(carried, rates.base)} {rates.base}); {at_closing}: the unrealised "
                     f"difference {figure(arxl_base - carried, rates.base)} is missing in Sage; "
                     + rates.revaluation(*key))]
    known = (f" and at {figure(carried, rates.base)} at their document rates" if carried is not None
             else " (their document rates are not all known)")
    return [Part("FX", sage_base - arxl_base, rates.base,
                 f"Sage's base balance {figure(sage_base, rates.base)} is neither; {at_closing}{known}: "
                 "check the exchange rates imported into Sage")]


def _unallocated(sage: Decimal, arxl: Decimal, moved: list[Movement], currency: str, as_of: dt.date) -> Part:
    gap = sage - arxl
    held = f"Sage holds {figure(sage, currency)} on account not allocated, arxl {figure(arxl, currency)} unapplied"
    if gap < 0:
        return Part("unallocated in Sage", gap, currency, f"{held}: Sage has allocated cash that arxl has not "
                    "(allocate it in arxl, or undo the allocation in Sage; no money difference)")
    receipts = [m for m in moved if m.kind == "receipt" and m.date <= as_of and m.exported and -m.effect == gap]
    which = f": receipt {receipts[0].reference} of {receipts[0].date:%d/%m/%Y}" if len(receipts) == 1 else ""
    return Part("unallocated in Sage", gap, currency, f"{held}: allocate in Sage as the allocation sheet "
                f"says{which} (no money difference)", tuple(receipts[:1]))


def _totals(result: TieOut) -> None:
    """The base totals of both sides, each left out (None) when a figure of it is unknown."""
    arxl = [t.arxl_base for t in result.lines]
    sage = [None if t.sage_base is None else t.sage_base + t.revalued for t in result.lines]
    result.arxl_base_total = None if any(v is None for v in arxl) else sum((v for v in arxl if v is not None), ZERO)
    result.sage_base_total = None if any(v is None for v in sage) else sum((v for v in sage if v is not None), ZERO)
    lacking = sorted({t.currency for t in result.lines if t.sage_base is None})
    if lacking:
        result.warnings.append(f"Sage's report gives no base balance for the {', '.join(lacking)} accounts: Sage's "
                               "base total is left out of the control comparison")
