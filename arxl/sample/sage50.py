"""A model of Sage 50's sales and nominal ledgers, fed the way the accountant feeds the real one.

The demo and the tests need a Sage to send arxl's files to; there is none on this machine, so this is one, kept
deliberately apart from arxl's exporter: it reads nothing but the files (the audit-trail import CSV and the
allocation sheet) and the customer records the accountant sets up in Sage, and it posts them by Sage's own rules
as Sage's documentation states them (Sage 50 Accounts knowledge base: "Audit trail transaction types",
"Import audit trail transactions", "Foreign Trader - posting foreign currency transactions"):

======  ==========================================  ==========================================================
type    customer account                             nominal ledger (base currency, debit positive)
======  ==========================================  ==========================================================
SI      + net + tax                                  Dr debtors control; Cr the row's nominal (net), Cr VAT (tax)
SC      − net − tax                                  Dr the row's nominal (net), Dr VAT (tax); Cr debtors control
SA      − net (a payment on account)                 Dr the row's nominal (a bank, or a bank-type nominal); Cr
                                                     debtors control
SP      + net (a refund paid out)                    Cr the row's nominal (a bank); Dr debtors control
JD, JC  none (a journal has no account)              Dr (JD) or Cr (JC) the row's nominal
======  ==========================================  ==========================================================

Foreign Trader: a customer has one currency (set up in Sage, :class:`Customer`); the Net and Tax of a row are in
it, and the Exchange Rate column is units of it per one unit of the base currency, so a field's base value is
field ÷ rate (taken to six decimals, then rounded half-up to the base currency: see :mod:`arxl.core.fx` for why
arxl writes the rate to 24 decimals). Net and tax are converted one by one, as Sage posts them.

Allocations (Customers > Receipt, or Allocate) pair a credit (SA, SC) with a debit (SI, SP) of the same account
for an amount in the account's currency. When the two were booked at different rates Sage posts the exchange
difference itself ("Currency Reval", to the Exchange Rate Variance nominal, 7906 by default): the base value each
side gives up is the portion at its own rate, or, when the portion is all that is left of it, all the base value
it has left; the credit's base minus the debit's is a gain (Cr 7906, Dr debtors control and the customer's base
balance) or, negative, a loss.

The model answers what the accountant reads in Sage: a customer's balance (in its currency and in the base
currency), what is unallocated, the Aged Debtors report (written as Sage's CSV export:
:func:`Sage50.write_aged_debtors`) and nominal balances (:func:`Sage50.write_trial_balance`). It refuses what
Sage refuses: an unknown account, a type it cannot import (SR, SD), a negative amount, a reference over 30
characters, an allocation of more than is outstanding.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from arxl.core.money import exponent

IMPORTABLE = ("SI", "SC", "SA", "SP", "JD", "JC")
DEBITS = ("SI", "SP")  # raise what the customer owes
CREDITS = ("SC", "SA")  # lower it
ZERO = Decimal(0)


class SageRefused(ValueError):
    """What Sage 50 would refuse on import or allocation, with the file and line."""


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer record as set up in Sage: account reference, name, currency (Foreign Trader)."""

    account: str
    name: str
    currency: str


@dataclass(slots=True)
class Transaction:
    """One imported row, with what is still outstanding of it (in the account's currency and in base)."""

    number: int
    type: str
    account: str
    nominal: str
    date: dt.date
    reference: str
    extra_reference: str
    net: Decimal
    tax: Decimal
    rate: Decimal
    base_net: Decimal
    base_tax: Decimal
    outstanding: Decimal = ZERO
    outstanding_base: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax

    @property
    def base_gross(self) -> Decimal:
        return self.base_net + self.base_tax


@dataclass
class Sage50:
    """The ledgers of one company: customers, transactions, nominal balances (base currency, debit positive)."""

    base: str
    customers: dict[str, Customer]
    debtors: str = "1100"
    vat: str = "2200"
    exchange_variance: str = "7906"
    transactions: list[Transaction] = field(default_factory=list)
    nominal: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    revaluations: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))  # per account, base

    # ------------------------------------------------------------------ import
    def import_audit_trail(self, path: Path) -> int:
        """Post every row of an audit-trail import file (with or without its header line); the rows posted."""
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        posted = 0
        for line, row in enumerate(rows, start=1):
            if not row or (line == 1 and row[0].strip().lower() == "type"):
                continue
            self._post(row, f"{path.name} line {line}")
            posted += 1
        return posted

    def _post(self, row: list[str], where: str) -> None:
        cells = [c.strip() for c in row] + [""] * (15 - len(row))
        kind, account, nominal, _department, date, reference, _details, net, _code, tax, rate, extra = cells[:12]
        if kind not in IMPORTABLE:
            raise SageRefused(f"{where}: type {kind!r} cannot be imported")
        if len(reference) > 30:
            raise SageRefused(f"{where}: reference longer than 30 characters")
        customer = None
        if kind in DEBITS + CREDITS:
            customer = self.customers.get(account)
            if customer is None:
                raise SageRefused(f"{where}: account {account!r} is not set up")
        net_amount, tax_amount = Decimal(net or "0"), Decimal(tax or "0")
        if net_amount < 0 or tax_amount < 0:
            raise SageRefused(f"{where}: amounts are imported positive")
        sage_rate = Decimal(rate or "1")
        if customer is None or customer.currency == self.base:
            sage_rate = Decimal(1)  # a base-currency account takes no rate
        on = dt.datetime.strptime(date, "%d/%m/%Y").date()
        txn = Transaction(len(self.transactions) + 1, kind, account, nominal, on, reference, extra, net_amount,
                          tax_amount, sage_rate, self._to_base(net_amount, sage_rate),
                          self._to_base(tax_amount, sage_rate))
        txn.outstanding, txn.outstanding_base = txn.gross, txn.base_gross
        self.transactions.append(txn)
        post = self.nominal
        if kind == "SI":
            post[self.debtors] += txn.base_gross
            post[nominal] -= txn.base_net
            post[self.vat] -= txn.base_tax
        elif kind == "SC":
            post[self.debtors] -= txn.base_gross
            post[nominal] += txn.base_net
            post[self.vat] += txn.base_tax
        elif kind == "SA":
            post[nominal] += txn.base_net
            post[self.debtors] -= txn.base_net
        elif kind == "SP":
            post[nominal] -= txn.base_net
            post[self.debtors] += txn.base_net
        elif kind == "JD":
            post[nominal] += txn.base_net
        else:  # JC
            post[nominal] -= txn.base_net

    def _to_base(self, amount: Decimal, rate: Decimal) -> Decimal:
        if rate <= 0:
            raise SageRefused(f"an exchange rate must be more than zero, not {rate}")
        with localcontext() as context:
            context.prec = 50
            six = (amount / rate).quantize(Decimal("0.000001"), ROUND_HALF_UP)
            return six.quantize(Decimal(1).scaleb(-exponent(self.base)), ROUND_HALF_UP)

    # -------------------------------------------------------------- allocation
    def allocate_sheet(self, path: Path) -> int:
        """Make every allocation of an allocation sheet (arxl's ``...-allocations.csv``); the count made."""
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for line, row in enumerate(rows, start=2):
            self.allocate(row["Account Reference"].strip(), row["Type"].strip(), row["Reference"].strip(),
                          row["Allocate To"].strip(), Decimal(row["Amount"]), f"{path.name} line {line}")
        return len(rows)

    def allocate(self, account: str, kind: str, reference: str, to: str, amount: Decimal, where: str = "") -> None:
        """Allocate ``amount`` of the transaction(s) (kind, reference) to those referenced ``to`` on the account;
        rows sharing a reference (an invoice split under Sage's amount limit) are taken in order."""
        first = self._open(account, reference, kind, where)
        credit_side = kind in CREDITS
        others = [t for t in self.transactions if t.account == account and t.reference == to
                  and (t.type in DEBITS if credit_side else t.type in CREDITS) and t.outstanding > 0]
        if sum((t.outstanding for t in first), ZERO) < amount or sum((t.outstanding for t in others), ZERO) < amount:
            raise SageRefused(f"{where}: cannot allocate {amount} of {kind} {reference} to {to} on {account}: more "
                              "than is outstanding")
        left = amount
        while left > 0:
            a = next(t for t in first if t.outstanding > 0)
            b = next(t for t in others if t.outstanding > 0)
            portion = min(left, a.outstanding, b.outstanding)
            taken_a, taken_b = self._take(a, portion), self._take(b, portion)
            credit_base, debit_base = (taken_a, taken_b) if credit_side else (taken_b, taken_a)
            difference = credit_base - debit_base  # a gain: the payment was worth more than the debt it settles
            if difference:
                self.nominal[self.debtors] += difference
                self.nominal[self.exchange_variance] -= difference
                self.revaluations[account] += difference
            left -= portion

    def _open(self, account: str, reference: str, kind: str, where: str) -> list[Transaction]:
        found = [t for t in self.transactions if t.account == account and t.reference == reference and t.type == kind]
        if not found:
            raise SageRefused(f"{where}: no {kind} {reference} on account {account}")
        return found

    def _take(self, txn: Transaction, portion: Decimal) -> Decimal:
        """The base value a portion takes from a transaction: the portion at the transaction's rate, or all the
        base value it has left when the portion is all that is left of it."""
        base = txn.outstanding_base if portion == txn.outstanding else self._to_base(portion, txn.rate)
        txn.outstanding -= portion
        txn.outstanding_base -= base
        return base

    # ----------------------------------------------------------------- reports
    def balance(self, account: str, as_of: dt.date | None = None) -> Decimal:
        """What the customer owes, in its currency (credit negative)."""
        return sum((self._signed(t) for t in self._of(account, as_of)), ZERO)

    def base_balance(self, account: str, as_of: dt.date | None = None) -> Decimal:
        """The same in the base currency, with Sage's exchange revaluations on allocation."""
        signed = sum((self._signed(t, base=True) for t in self._of(account, as_of)), ZERO)
        return signed + self.revaluations.get(account, ZERO)

    def unallocated(self, account: str) -> Decimal:
        """Payments on account and credits not yet allocated (positive)."""
        return sum((t.outstanding for t in self.transactions if t.account == account and t.type in CREDITS), ZERO)

    def _of(self, account: str, as_of: dt.date | None) -> Iterable[Transaction]:
        return (t for t in self.transactions if t.account == account and (as_of is None or t.date <= as_of))

    @staticmethod
    def _signed(txn: Transaction, base: bool = False) -> Decimal:
        amount = txn.base_gross if base else txn.gross
        return amount if txn.type in DEBITS else -amount

    def aged(self, account: str, as_of: dt.date) -> list[Decimal]:
        """Outstanding by age of the transaction date: current (≤ 30 days), 31-60, 61-90, 91-120, older."""
        buckets = [ZERO] * 5
        for t in self._of(account, as_of):
            days = (as_of - t.date).days
            index = 0 if days <= 30 else 1 if days <= 60 else 2 if days <= 90 else 3 if days <= 120 else 4
            buckets[index] += t.outstanding if t.type in DEBITS else -t.outstanding
        return buckets

    def write_aged_debtors(self, path: Path, as_of: dt.date) -> Path:
        """The Aged Debtors Analysis as Sage exports it to CSV, one line per account with a balance, and totals."""
        header = ["A/C", "Name", "Currency", "Balance", "Current", "Period 1", "Period 2", "Period 3", "Older",
                  "Unallocated", "Base Balance"]
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            total = ZERO
            for account in sorted(self.customers):
                customer = self.customers[account]
                balance = self.balance(account, as_of)
                unallocated = self.unallocated(account)
                if not balance and not unallocated and not any(t.account == account for t in self.transactions):
                    continue
                base_balance = self.base_balance(account, as_of)
                total += base_balance
                places = exponent(customer.currency)
                out.writerow([account, customer.name, customer.currency, _shown(balance, places),
                              *(_shown(b, places) for b in self.aged(account, as_of)),
                              _shown(unallocated, places), _shown(base_balance, exponent(self.base))])
            out.writerow(["", "Totals", self.base, "", "", "", "", "", "", "", _shown(total, exponent(self.base))])
        return path

    def write_trial_balance(self, path: Path) -> Path:
        """The nominal balances as Sage's Trial Balance exports them: N/C, Name, Debit, Credit."""
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["N/C", "Name", "Debit", "Credit"])
            places = exponent(self.base)
            for code in sorted(self.nominal):
                value = self.nominal[code]
                if value:
                    out.writerow([code, "", _shown(value, places) if value > 0 else "",
                                  _shown(-value, places) if value < 0 else ""])
        return path


def replay(model: Sage50, files: Iterable[Path]) -> int:
    """Each import file (``sage-YYYY-MM.csv``) imported and its allocation sheet (``...-allocations.csv``, when
    there is one) followed, in the order given, as the accountant does each month; the rows posted."""
    posted = 0
    for path in files:
        posted += model.import_audit_trail(path)
        sheet = path.with_name(f"{path.stem}-allocations.csv")
        if sheet.is_file():
            model.allocate_sheet(sheet)
    return posted


def _shown(amount: Decimal, places: int) -> str:
    return f"{amount:.{places}f}"
