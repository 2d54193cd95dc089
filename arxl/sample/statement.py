"""The July 2025 bank statement of the sample: one line per case the matcher meets (references in many
spellings, names, accounts, withholding, several invoices, part payments, mobile money, arrears) and the
lines that are no customer receipt, each with the invoices it really pays.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from arxl.core.money import round_money
from arxl.core.statement import StatementLine
from arxl.ledger.records import (
    Customer,
    Invoice,
)
from arxl.sample.company import _MONTHS, BANK_RWF, BANK_USD, CALENDAR, COMPANY, TREASURY_ACCOUNT, ZERO, D
from arxl.sample.customers import ARRANGEMENT_CUSTOMER
from arxl.sample.payments import _bank_reference, _Books, _spell

# --- The July 2025 bank statement -------------------------------------------------------------------------------

@dataclass
class _Draft:
    """A statement line before it has its id, with the invoices it really pays."""

    day: dt.date
    amount: Decimal
    currency: str
    name: str
    account: str
    narrative: str
    pays: list[str] = field(default_factory=list)


class _LineMaker(Protocol):
    def __call__(self, inv: Invoice, amount: Decimal, narrative: str, name: str | None = None,
                 account: str | None = None) -> _Draft: ...


class _Picker:
    """Chooses open invoices for the statement's cases, each case a different customer."""

    def __init__(self, rng: random.Random, books: _Books) -> None:
        self.rng = rng
        self.books = books
        self.used: list[str] = [cid for cid, habit in books.people.habit.items() if habit == "chronic"]
        self.used_invoices: list[str] = []
        self.items = [i for i in books.register if i.doc_type == "invoice" and books.open[i.invoice_no] > 0
                      and books.open[i.invoice_no] == i.total_amount]

    def customer(self, inv: Invoice) -> Customer:
        return self.books.people[inv.customer_id]

    def pick(self, case: str, kinds: tuple[str, ...], withholding: str = "", currency: str = "RWF",
             count: int = 1, where: Callable[[Invoice], bool] = lambda _: True) -> list[Invoice]:
        people = self.books.people
        by_customer: dict[str, list[Invoice]] = {}
        for inv in self.items:
            cid = inv.customer_id
            if (cid not in self.used and inv.invoice_no not in self.used_invoices and inv.currency == currency
                    and people.kind[cid] in kinds and people[cid].withholding == withholding and where(inv)):
                by_customer.setdefault(cid, []).append(inv)
        choices = [cid for cid, items in by_customer.items() if len(items) >= count]
        if not choices:
            raise RuntimeError(f"the sample has no open invoice for the statement case: {case}")
        cid = self.rng.choice(choices)
        self.used.append(cid)
        chosen = by_customer[cid][:count]
        self.used_invoices.extend(i.invoice_no for i in chosen)
        return chosen

    def cash(self, inv: Invoice) -> Decimal:
        return self.books.need(inv.invoice_no)


_PRIVATE = ("bank", "telecom", "company")
_PLAIN = ("company", "ngo", "telecom", "bank")


def _statement(rng: random.Random, books: _Books) -> tuple[list[StatementLine], dict[str, list[str]]]:
    days = [d for d in (dt.date(2025, 7, n) for n in range(1, 32)) if CALENDAR.is_working_day(d)]
    pick = _Picker(rng, books)
    drafts = _customer_lines(rng, pick, days) + _other_lines(rng, pick, days)
    drafts.sort(key=lambda d: (d.day, d.currency, d.narrative, d.amount))
    lines: list[StatementLine] = []
    truth: dict[str, list[str]] = {}
    for n, d in enumerate(drafts, start=1):
        line_id = f"BK-2025-07-{n:03d}"
        value = CALENDAR.add_working_days(d.day, -1) if rng.random() < 0.15 else d.day
        lines.append(StatementLine(line_id, d.day, max(value, days[0]), round_money(d.amount, d.currency),
                                   d.currency, d.name, d.account, d.narrative, _bank_reference(rng, d.day)))
        truth[line_id] = d.pays
    return lines, truth


def _account(customer: Customer) -> str:
    return customer.bank_accounts.split(";")[0]


def _alias(customer: Customer) -> str:
    return customer.aliases.split(";")[0].upper()


def _misspelt(name: str) -> str:
    """A payer name as a bank clerk typed it: a letter doubled in its longest word (WORLD VISSION RWANDA)."""
    words = name.upper().split()
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    word = words[longest]
    words[longest] = word[:3] + word[2] + word[3:] if len(word) > 3 else word + word[-1]
    return " ".join(words)


def _customer_lines(rng: random.Random, pick: _Picker, days: list[dt.date]) -> list[_Draft]:
    """One line per cash-application case of DOMAIN.md, against invoices open at the end of June."""
    def day() -> dt.date:
        return rng.choice(days)

    def line(inv: Invoice, amount: Decimal, narrative: str, name: str | None = None,
             account: str | None = None) -> _Draft:
        customer = pick.customer(inv)
        return _Draft(day(), amount, inv.currency, customer.name.upper()[:35] if name is None else name,
                      _account(customer) if account is None else account, narrative, [inv.invoice_no])

    drafts: list[_Draft] = []
    for style, word in (("exact", "PAYMENT"), ("spaced", "pmt"), ("slash", "REF"), ("french", "REGLEMENT"),
                        ("compact", "TRF"), ("short", "SETTLEMENT")):
        (inv,) = pick.pick(f"reference spelt {style}", _PLAIN)
        drafts.append(line(inv, inv.total_amount, f"{word} {_spell(inv.invoice_no, style)}"))
    (inv,) = pick.pick("payer known by an abbreviation", _PRIVATE)
    drafts.append(line(inv, inv.total_amount, "TRANSFER", name=_alias(pick.customer(inv)), account=""))
    (inv,) = pick.pick("payer name misspelt", ("ngo",))
    drafts.append(line(inv, inv.total_amount, "PAYMENT", name=_misspelt(pick.customer(inv).name), account=""))
    (inv,) = pick.pick("payer name truncated", _PLAIN)
    drafts.append(line(inv, inv.total_amount, "RTGS INWARD", name=pick.customer(inv).name.upper()[:18]))
    (inv,) = pick.pick("bank account only", ("bank", "company", "ngo"))
    drafts.append(line(inv, inv.total_amount, "INWARD TRANSFER", name=""))
    several = pick.pick("one payment for several invoices", _PLAIN, count=2)
    first = several[0]
    draft = line(first, sum((i.total_amount for i in several), ZERO),
                 "PAYMENT " + " & ".join(_spell(i.invoice_no, "exact") for i in several))
    draft.pays = [i.invoice_no for i in several]
    drafts.append(draft)
    (inv,) = pick.pick("partial payment", _PRIVATE)
    part = round_money(inv.total_amount / 2 / 1000, "RWF") * 1000
    drafts.append(line(inv, part, f"PART PAYMENT {_spell(inv.invoice_no, 'exact')}"))
    (inv,) = pick.pick("overpayment", _PLAIN)
    over = (inv.total_amount // 100_000 + 1) * 100_000
    drafts.append(line(inv, over, f"PAYMENT {_spell(inv.invoice_no, 'spaced').upper()}"))
    for profile, kinds in (("vat,wht3", ("agency",)), ("wht3", ("agency",)), ("wht15", ("bank", "telecom")),
                           ("vat", ("agency",))):
        (inv,) = pick.pick(f"short by withholding {profile}", kinds, withholding=profile)
        drafts.append(line(inv, pick.cash(inv), f"{_alias(pick.customer(inv))} PAYMENT "
                                                f"{_spell(inv.invoice_no, 'exact')} NET OF WHT"))
    try:
        several = pick.pick("government payment for several invoices", ("agency",), withholding="vat,wht3",
                            count=2)
    except RuntimeError:
        several = []  # not every seed leaves a public body two invoices open
    if several:
        draft = line(several[0], sum((pick.cash(i) for i in several), ZERO),
                     "PAYMT " + " ".join(_spell(i.invoice_no, "slash") for i in several))
        draft.pays = [i.invoice_no for i in several]
        drafts.append(draft)
    (inv,) = pick.pick("third-party payer", ("district",), withholding="vat,wht3")
    district = pick.customer(inv)
    drafts.append(line(inv, pick.cash(inv), f"{district.name.upper()} ICT SERVICES "
                                            f"{_MONTHS[inv.invoice_date.month - 1][:3].upper()} 2025",
                       name="MINECOFIN TREASURY SINGLE ACCOUNT", account=TREASURY_ACCOUNT))
    (inv,) = pick.pick("mobile money", ("small",))
    phone = _account(pick.customer(inv))
    drafts.append(line(inv, inv.total_amount, f"MOMO {phone} REF {rng.randint(10**9, 10**10 - 1)} "
                                              f"{_alias(pick.customer(inv))}", name="MTN MOBILE MONEY",
                       account=phone))
    drafts.append(_wrong_reference(pick, line))
    for _ in range(2):
        (inv,) = pick.pick("bank charges on a USD transfer", ("foreign",), currency="USD")
        charges = D(rng.choice((15, 20, 25, 35, 45)))
        drafts.append(line(inv, inv.total_amount - charges, f"/RFB/{inv.invoice_no}/OUR CHARGES DEDUCTED"))
    drafts.extend(_arrears_lines(pick, days))
    for _ in range(8):
        pool = ("agency", "district") if rng.random() < 0.6 else _PLAIN
        try:
            (inv,) = pick.pick("a plain receipt", pool, withholding="vat,wht3" if pool[0] == "agency" else "")
        except RuntimeError:
            continue
        style = rng.choice(("exact", "exact", "spaced", "compact"))
        drafts.append(line(inv, pick.cash(inv), f"PAYMENT {_spell(inv.invoice_no, style)}"))
    return drafts


def _wrong_reference(pick: _Picker, line: _LineMaker) -> _Draft:
    """A customer quotes an invoice it paid long ago, for the amount of one still open."""
    books = pick.books
    paid: dict[str, str] = {}
    for i in books.register:
        if books.open[i.invoice_no] == 0 and i.doc_type == "invoice" and i.invoice_date.year == 2024:
            paid.setdefault(i.customer_id, i.invoice_no)
    (inv,) = pick.pick("wrong reference, right amount", _PLAIN, where=lambda i: i.customer_id in paid)
    return line(inv, inv.total_amount, f"PAYMENT {paid[inv.customer_id]}")


def _arrears_lines(pick: _Picker, days: list[dt.date]) -> list[_Draft]:
    """The hotel's second instalment and the Ministry of Education's round sum on its arrears."""
    books = pick.books
    drafts = []
    for cid, day, cash, narrative in (
            (ARRANGEMENT_CUSTOMER, dt.date(2025, 7, 10), books.arrangement[1][1], "2ND INSTALMENT ARR-2025-001"),
            ("C010", days[len(days) // 2], ZERO, "PAYMENT OF ARREARS 2024")):
        customer = books.people[cid]
        items = books.open_items(cid, "RWF")
        if not cash:
            owed = sum((books.need(i.invoice_no) for i in items[:3]), ZERO)
            cash = (owed // 1_000_000) * 1_000_000 or owed
        pays, left = [], cash
        for inv in items:
            if left <= 0:
                break
            pays.append(inv.invoice_no)
            left -= books.need(inv.invoice_no)
        drafts.append(_Draft(day, cash, "RWF", customer.name.upper()[:35], _account(customer), narrative, pays))
    return drafts


def _other_lines(rng: random.Random, pick: _Picker, days: list[dt.date]) -> list[_Draft]:
    """Lines that are no customer receipt: interest, own transfers, a loan, a reversal, fees, salaries, taxes."""
    own = COMPANY.upper()
    (same,) = pick.pick("own transfer equal to an open invoice", _PLAIN)
    usd = round_money(same.total_amount / D("1441.85"), "USD")
    day = rng.choice(days)
    reversal_day = rng.choice(days[:-3])
    supplier = D(rng.randint(20, 60) * 100_000 + 50_000)
    return [
        _Draft(days[-1], D(rng.randint(150_000, 320_000)), "RWF", "", "", "CREDIT INTEREST JUL 2025"),
        _Draft(day, same.total_amount, "RWF", own, BANK_USD, f"TRF FROM OWN USD A/C {BANK_USD}"),
        _Draft(day, -usd, "USD", own, BANK_RWF, f"TRF TO OWN RWF A/C {BANK_RWF}"),
        _Draft(rng.choice(days), D(250_000_000), "RWF", "BANK OF KIGALI PLC", "",
               "LOAN DISBURSEMENT LD2518800417 TERM LOAN DC EXPANSION"),
        _Draft(reversal_day, -supplier, "RWF", "SMART AFRICA NETWORKS LTD", f"4002{rng.randint(10**8, 10**9 - 1)}",
               "PAYMENT SUPPLIER INV 8812 FIBRE WORKS"),
        _Draft(CALENDAR.add_working_days(reversal_day, 2), supplier, "RWF", "SMART AFRICA NETWORKS LTD", "",
               "REVERSAL FUNDS RETURNED BENEFICIARY ACCOUNT CLOSED"),
        _Draft(days[-1], D(-10_000), "RWF", "", "", "ACCOUNT MAINTENANCE FEE JUL 2025"),
        _Draft(rng.choice(days), D(-5_000), "RWF", "", "", "RTGS OUTWARD CHARGES"),
        _Draft(rng.choice(days), D("-15.00"), "USD", "", "", "SWIFT INCOMING CHARGES"),
        _Draft(dt.date(2025, 7, 25), D(-61_480_000), "RWF", "STAFF SALARIES", "", "SALARIES JULY 2025 BULK"),
        _Draft(dt.date(2025, 7, 14), D(-7_350_000), "RWF", "RWANDA SOCIAL SECURITY BOARD", "",
               "RSSB PENSION AND MATERNITY CONTRIBUTIONS JUN 2025"),
        _Draft(dt.date(2025, 7, 15), D(-12_980_000), "RWF", "RWANDA REVENUE AUTHORITY", "",
               "RRA VAT AND PAYE RETURN JUN 2025"),
        _Draft(rng.choice(days), D(-9_240_000), "RWF", "RWANDA ENERGY GROUP LTD", "", "REG ELECTRICITY DATA CENTRE"),
    ]

