"""What the stages of matching share: the open items and customers, indexed once, and what is known about a
line while it is matched.

The open amounts are kept in the currency's minor units (``open``), one list position per open item; an
automatic match lowers them, so the lines after it see what is still open, and bumps the customer's
``versions`` so that the sums cached per customer are worked out again. The records of a line's matching:
:class:`LineFacts` (what the line says), :class:`Candidate` (a customer it may be from), :class:`Proposal`
(the invoices and deductions proposed for that customer) and :class:`Part` (one invoice's share).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from arxl.cashapp.amounts import to_units
from arxl.cashapp.name_forms import NameHit
from arxl.cashapp.narratives import Hit, Prepared
from arxl.cashapp.payers import CustomerIndex
from arxl.cashapp.references import InvoiceIndex
from arxl.core.accounts import payer_account_key
from arxl.core.evidence import NO_EVIDENCE, Evidence
from arxl.core.money import exponent
from arxl.core.statement import StatementLine
from arxl.core.text import fold
from arxl.ledger.matching import CustomerProfile, DeductionType, MatchSettings, OpenInvoice

__all__ = ["Candidate", "LineFacts", "MatchState", "Part", "Proposal"]

# the telecoms themselves, as customers: in a mobile-money line they are the channel, never the payer
_TELECOM_NAME = re.compile(r"\b(?:MTN|AIRTEL|TIGO|RWANDACELL)\b")


@dataclass(frozen=True, slots=True)
class Part:
    """Part of a line applied to one invoice: the cash, and the deductions cleared with it (in units)."""

    item: int
    applied: int
    deductions: tuple[tuple[DeductionType, int], ...] = ()


@dataclass
class Proposal:
    """The invoices proposed for one customer, the evidence of the reference and the amount, and the doubts."""

    customer: int
    parts: list[Part]
    remainder: int
    reference: Evidence
    amount: Evidence
    unique: bool = False
    explained: bool = False
    by_reference: bool = False  # the invoices are exactly those the narrative quotes
    tier: int = 0  # 0: the amount fits exactly; 1: with rounding; 2: with bank charges
    flags: list[str] = field(default_factory=list)
    overpaid: bool = False  # the quoted invoices cleared, the excess (``remainder``) left unapplied on account
    near_miss: bool = False  # the number quoted is one edit from the invoice (two digits swapped, one wrong)


@dataclass
class Candidate:
    """A customer the line may be from, what names it, and its best proposal once worked out."""

    customer: int
    who: Evidence = NO_EVIDENCE
    by_account: bool = False
    name: NameHit | None = None
    refs: dict[int, Hit] = field(default_factory=dict)
    proposal: Proposal | None = None
    score: int = 0
    unexplained: tuple[list[int], list[int]] | None = None  # no invoice fits: (open invoices, quoted ones)
    payer_named: bool = False  # named only as the third party that pays for others


@dataclass
class LineFacts:
    """What is known about the line being matched."""

    line: StatementLine
    currency: str
    places: int
    target: int
    narrative: Prepared
    hits: dict[int, Hit]
    usable: dict[int, Hit]
    partial_word: bool
    mobile: bool = False  # a mobile-money receipt: the telecom is the channel, the payer a person or a phone
    fields: tuple[str, str] = ("", "")  # the payer's name and the narrative, as read for names
    names_checked: bool = False
    third_party: frozenset[int] | None = None  # a payer that pays for others: the customers its name names
    counterparty: str = ""  # the counterparty's name, blank when it is only the mobile-money channel
    ruled_out: list[str] = field(default_factory=list)  # MatchRules "not" rows that left a named customer out


class MatchState:
    """The open items and customers, indexed, and their open amounts as the statement is applied."""

    def __init__(self, open_items: Sequence[OpenInvoice], customers: Sequence[CustomerProfile],
                 settings: MatchSettings) -> None:
        self.settings = settings
        self.items = list(open_items)
        self.customers: list[CustomerProfile] = []
        position_of: dict[str, int] = {}
        for customer in customers:
            if customer.customer_id not in position_of:
                position_of[customer.customer_id] = len(self.customers)
                self.customers.append(customer)
        for item in self.items:
            if item.customer_id not in position_of:
                position_of[item.customer_id] = len(self.customers)
                self.customers.append(CustomerProfile(item.customer_id, item.customer_name))
        self.payers = CustomerIndex(self.customers)
        self.invoices = InvoiceIndex(item.invoice_no for item in self.items)
        self.own = frozenset(payer_account_key(a) for a in settings.own_accounts) - {""}
        self.payers_for_others = tuple(re.compile(rf"(?<![A-Z0-9]){re.escape(name)}(?![A-Z0-9])")
                                       for name in (" ".join(fold(n).split()) for n in settings.third_party_payers)
                                       if name)
        places: dict[str, int] = {}
        self.owner: list[int] = []
        self.currency: list[str] = []
        self.open: list[int] = []
        self.by_customer: dict[tuple[int, str], list[int]] = {}
        self.open_amounts: dict[tuple[str, int], int] = {}
        for position, item in enumerate(self.items):
            code = item.currency.strip().upper()
            if code not in places:
                places[code] = exponent(code)
            units = to_units(item.open_amount, places[code])
            owner = position_of[item.customer_id]
            self.owner.append(owner)
            self.currency.append(code)
            self.open.append(units)
            self.by_customer.setdefault((owner, code), []).append(position)
            self.open_amounts[(code, units)] = self.open_amounts.get((code, units), 0) + 1
        self.places = places
        self.rank = [0] * len(self.items)  # place of each item among its customer's, oldest first
        for positions in self.by_customer.values():
            positions.sort(key=lambda p: (self.items[p].invoice_date, self.items[p].due_date,
                                          self.items[p].invoice_no, p))
            for n, p in enumerate(positions):
                self.rank[p] = n
        self.versions: dict[int, int] = {}  # bumped when an automatic match clears a customer's invoices
        self.telecoms = frozenset(n for n, c in enumerate(self.customers) if _TELECOM_NAME.search(fold(c.name)))
        self.references = [(re.compile(r"(?<![A-Z0-9])" + r"[^A-Z0-9]*".join(re.findall(r"[A-Z0-9]+", fold(key)))
                                       + r"(?![A-Z0-9])"), position_of[cid], key)
                           for key, (cid, _) in settings.references.items()
                           if cid in position_of and re.search(r"[A-Z0-9]", fold(key))]
        self.ruled_out: dict[str, dict[int, str]] = {}  # payer name -> the customers it does not name: the rule
        for (payer, cid), rule in settings.ruled_out.items():
            if cid in position_of:
                self.ruled_out.setdefault(payer, {})[position_of[cid]] = rule

    def clear(self, parts: Sequence[Part]) -> None:
        """Lower the open amounts by what an automatic match clears: the cash applied and the deductions."""
        for part in parts:
            self.open[part.item] -= part.applied + sum(units for _, units in part.deductions)
            owner = self.owner[part.item]
            self.versions[owner] = self.versions.get(owner, 0) + 1
