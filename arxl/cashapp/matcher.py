"""Matching bank receipts to open invoices: who paid, which invoices, why the amount differs, how sure.

For each line of the bank statement the matcher answers three questions, the way the accountant does:

1. **Who paid?** The payer's bank account or mobile-money number; the customer's name or an alias in the
   counterparty name or the narrative (upper-case, misspelt, truncated, abbreviated); or, for a treasury, a
   parent company or a donor paying for the customer, the invoice number it quotes. *An amount alone never
   identifies a customer*: a line that names nobody stays unmatched even when it equals an open amount.
   Debits, interest, loans, reversals, salaries and transfers between own accounts are no receipts.
   **A payer that pays for others** - a counterparty whose name says TREASURY, TSA or SINGLE ACCOUNT (the
   narrative's, when there is no counterparty), or one listed in ``MatchSettings.third_party_payers``
   (Settings "Third Party Payers") - names no customer by its own name or account: the invoice numbers it
   quotes, or a beneficiary named in the narrative, say whom it pays for; a customer named only by the
   payer's name (MINECOFIN for the treasury) is proposed for review at most. **Namesakes** - names the same
   but for legal forms, RWANDA, GROUP, HOLDINGS or a plural (Ikaze Motors Ltd, Ikaze Motors Rwanda Ltd) -
   are told apart only by an invoice number or a bank account, never by which one has an open item that fits.
   **Mobile money** (MOMO, AIRTEL MONEY, a sender's phone number): the telecom is the channel, never the
   payer; the sender's phone may be a customer's known number, and the short group of digits that ends the
   line is the sender's reference, read as an invoice serial. A serial there (or serials of one customer
   listed after FACT) that names invoices of several years is applied when the amount is exactly what one
   of them expects and none of the others.
2. **Which invoices?** Those whose numbers the narrative quotes, in any spelling; otherwise the customer's
   open invoices whose expected cash adds up to the receipt - one invoice, or a few together (quoted ones
   first, then oldest first). A partial payment goes to the quoted (or oldest) invoice; an overpayment clears
   the invoice and leaves the rest unapplied.
3. **Why does the amount differ?** Withholding at source as the customer's profile says (VAT, 3 % or 15 %
   of the VAT-exclusive amount), bank charges within the tolerance of the currency, rounding by one unit.
   Each deduction is typed: ``vat_withheld``, ``wht``, ``bank_charges``, ``rounding``. Exact fits are looked
   for first, the window of bank charges only when none fits (a wide window catches chance fits); invoices
   found by amount alone with bank charges must be one invoice whose amount no other open item has exactly,
   and a quoted invoice beats other invoices that fit only with bank charges (a part payment, an overpayment).

The score is :func:`arxl.core.scoring.combine` of the three kinds of evidence (0.80 x reference + 0.45 x
payer + 0.30 x amount), plus 25 when the amount fits only one invoice (or one set of invoices) of the payer,
or the one invoice the number names, at most 100. The payer counts 100 for its bank account, and the points
of :func:`arxl.core.scoring.name_evidence` for its name (a name cut short by the bank's field: 80-90). The
amount counts 100 when it is the open amount, 95 when the customer's withholding explains it, 90 with
rounding, 85 with bank charges, 60 for a withholding the profile does not mention or a payment that says it
is partial, 25 for another partial payment, 20 for an overpayment.

A line is applied **automatically** only when its score reaches the threshold (90) and nothing is in doubt:
two customers fit the name, the payer's account belongs to another customer than the invoice, the narrative
quotes an invoice that is not open (a wrong reference), the amount fits several invoices or combinations
(two invoices of the same amount: the oldest is proposed, and taken only with
``MatchSettings.oldest_of_identical``), a withholding outside the profile, an overpayment whose excess could
pay invoices it does not quote, an amount applied oldest first for want of a better idea, a line that reads
like a loan or a reversal but quotes an invoice, a number quoted where the bank's 35-character field ends that
may be the start of another open invoice's number, an amount that fits only with bank charges when nothing
but a number written short identifies the payer, a name found without its generic ending (HOLDINGS) that
also begins another customer's name, a mobile-money serial from an unknown sender whose amount another open
item also expects (numbers after TXN, TRX, REF NO or ID are transaction ids, never serials). Such lines go to
**review** with the best proposal and the doubt in words (their score is kept below the threshold); lines
below the review threshold (50) stay **unmatched**. A wrong automatic match is worse than none.

Every line gives rows whose applied amounts add up to the line amount exactly; applied + deduction is what a
row clears on its invoice. Lines are taken in the order given, and what an automatic match clears is no
longer open for the lines after it. The same input always gives the same output.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> from arxl.core.statement import StatementLine
>>> day = dt.date(2025, 7, 3)
>>> customers = [CustomerProfile("C1", "Ministry of Infrastructure", ("MININFRA",), (), "government",
...                              frozenset({"vat", "wht3"}))]
>>> items = [OpenItem("INV-2025-00042", "C1", "Ministry of Infrastructure", day, day, "RWF", D(1000000),
...                   D(180000), D(1180000), D(1180000))]
>>> line = StatementLine("BK-1", day, day, D(970000), "RWF", "MININFRA", "", "PMT INV 2025 00042", "FT1")
>>> for row in match([line], items, customers):
...     print(row.invoice_no, row.applied_amount, row.deduction_amount, row.deduction_type, row.status, row.score)
INV-2025-00042 970000 180000 vat_withheld auto 100
INV-2025-00042 0 30000 wht auto 100
>>> row.reason
'invoice number in narrative; alias "MININFRA" in narrative; amount = open - VAT withheld and 3% WHT'
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.cashapp.amounts import (
    DEDUCTION_TYPES,
    GROSS,
    KINDS,
    OTHER_MODES,
    Mode,
    combinations,
    describe,
    first_fits,
    from_units,
    kind_units,
    singles_and_pairs,
    to_units,
)
from arxl.cashapp.payers import CustomerIndex, NameHit, account_key
from arxl.cashapp.records import AllocationRow, CustomerProfile, DeductionType, MatchSettings, OpenItem, Status
from arxl.cashapp.references import FIELD_WIDTH, Hit, InvoiceIndex, Prepared, fold, prepare
from arxl.core.background import paused_gc
from arxl.core.errors import UnknownCurrency
from arxl.core.money import exponent, round_money
from arxl.core.scoring import NO_EVIDENCE, Evidence, combine
from arxl.core.statement import StatementLine

__all__ = ["Matcher", "match"]

UNIQUE_BONUS = 25
"""Points added when the amount fits only one invoice, or one set of invoices, of the identified payer."""
_POOL = 24  # invoices of one customer tried in combinations: quoted ones, then the oldest
_THIRD_PARTY = re.compile(r"\bTREASURY\b|\bTSA\b|\bSINGLE\W*(?:TREASURY\W*)?ACC(?:OUN)?T\b")
_MOBILE_MONEY = re.compile(r"\bMO\W?MO\b|\bMOBILE\W*MONEY\b|\bAIRTEL\W*MONEY\b|\bM\W?PESA\b"
                           r"|(?<![0-9])(?:2507[0-9]{8}|07[0-9]{8})(?![0-9])")  # or the sender's phone number
# the telecoms that run the rails: in a mobile-money line their names say how the money came, not who sent it
_TELECOMS = re.compile(r"\b(?:MTN|AIRTEL|TIGO)(?:\W+RWANDA(?:CELL)?)?(?:\W+(?:PLC|LTD|LIMITED))?\b|\bRWANDACELL\b"
                       r"|\bMM\b|\bMOMO\W?PAY\b|\bMERCHANT\W*(?:CODE|ID)?\W*[0-9]*")
_SERIAL_FIELD = 7  # a mobile-money reference of more digits is a phone number or a transaction id
# a number after TXN, TRANSACTION, TRX, REF NO or ID is the transaction's id, not the sender's reference
_TRANSACTION_ID = re.compile(r"\b(?:TXN|TRANSACTION|TRANS|TRX|TX|REF\W*(?:NO|NUMBER|NBR)|ID|TID)\W*[0-9]+$")
# the telecoms themselves, as customers: in a mobile-money line they are the channel, never the payer
_TELECOM_NAME = re.compile(r"\b(?:MTN|AIRTEL|TIGO|RWANDACELL)\b")
_MORE = re.compile(r"\b(?:ETC|AND OTHERS|OTHERS|\&C)\b|\.\.\.")
_PARTIAL_WORDS = re.compile(r"\b(?:PART(?:IAL)?|ADVANCE|INSTAL+MENT|ACOMPTE|BALANCE|DEPOSIT|ON ACCOUNT)\b")
_NOT_RECEIPTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (what, re.compile(pattern)) for what, pattern in (
        ("interest", r"\bINTERESTS?\b|\bCR\W*INT\b|\bINT\W*(?:PAID|CAPITALI[SZ]ATION)\b"),
        ("loan", r"\bLOANS?\b|\bDISBURSE?MENT\b|\bDRAW\W?DOWN\b"),
        ("reversal", r"\bREVERS(?:AL|ED|E)\b|\bRETURNED\b|\bRETURN OF FUNDS\b|\bCHARGE\W?BACK\b|\bRECALL(?:ED)?\b"),
        ("transfer between own accounts", r"\b(?:FROM|TO|BETWEEN)\W+OWN\b|\bOWN\W+(?:[A-Z]{3}\W+)?(?:A\W?C|ACC\w*)\b"
                                          r"|\bBETWEEN\W*(?:OUR\W*)?ACCOUNTS\b|\bINTERNAL\W*TRANSFER\b"
                                          r"|\bBOOK\W*TRANSFER\b|\bSWEEP\b"),
        ("salaries", r"\bSALAR(?:Y|IES)\b|\bPAYROLL\b"),
        ("refund", r"\bREFUNDS?\b"),
        ("dividend", r"\bDIVIDENDS?\b"),
        ("foreign exchange deal", r"\bFX\W*DEAL\b|\bFOREX\b|\bFOREIGN\W*EXCHANGE\b"),
        ("deposit maturity", r"\b(?:FIXED|TERM)\W*DEPOSIT\b|\bMATURITY\b|\bT\W?BILLS?\b"),
        ("capital", r"\bSHARE\W*CAPITAL\b|\bCAPITAL\W*INJECTION\b"),
    )
)


def match(
    lines: Iterable[StatementLine],
    open_items: Sequence[OpenItem],
    customers: Sequence[CustomerProfile],
    settings: MatchSettings | None = None,
) -> list[AllocationRow]:
    """Allocation rows for the statement lines, in their order (see the module for how it decides)."""
    with paused_gc():
        return Matcher(open_items, customers, settings or MatchSettings()).apply(lines)


@dataclass(frozen=True, slots=True)
class _Part:
    """Part of a line applied to one invoice: the cash, and the deductions cleared with it (in units)."""

    item: int
    applied: int
    deductions: tuple[tuple[DeductionType, int], ...] = ()


@dataclass
class _Proposal:
    customer: int
    parts: list[_Part]
    remainder: int
    reference: Evidence
    amount: Evidence
    unique: bool = False
    explained: bool = False
    by_reference: bool = False  # the invoices are exactly those the narrative quotes
    tier: int = 0  # 0: the amount fits exactly; 1: with rounding; 2: with bank charges
    flags: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    customer: int
    who: Evidence = NO_EVIDENCE
    by_account: bool = False
    name: NameHit | None = None
    refs: dict[int, Hit] = field(default_factory=dict)
    proposal: _Proposal | None = None
    score: int = 0
    unexplained: tuple[list[int], list[int]] | None = None  # no invoice fits: (open invoices, quoted ones)
    payer_named: bool = False  # named only as the third party that pays for others


@dataclass
class _Line:
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


class Matcher:
    """Indexes of the open items and customers, and the rules that apply a statement with them."""

    def __init__(self, open_items: Sequence[OpenItem], customers: Sequence[CustomerProfile],
                 settings: MatchSettings) -> None:
        self.settings = settings
        self.items = list(open_items)
        self.customers: list[CustomerProfile] = []
        self._position: dict[str, int] = {}
        for customer in customers:
            if customer.customer_id not in self._position:
                self._position[customer.customer_id] = len(self.customers)
                self.customers.append(customer)
        for item in self.items:
            if item.customer_id not in self._position:
                self._position[item.customer_id] = len(self.customers)
                self.customers.append(CustomerProfile(item.customer_id, item.customer_name))
        self.payers = CustomerIndex(self.customers)
        self.invoices = InvoiceIndex(item.invoice_no for item in self.items)
        self._own = frozenset(account_key(a) for a in settings.own_accounts) - {""}
        self._payers_for_others = tuple(re.compile(rf"(?<![A-Z0-9]){re.escape(name)}(?![A-Z0-9])")
                                        for name in (" ".join(fold(n).split()) for n in settings.third_party_payers)
                                        if name)
        places: dict[str, int] = {}
        self.owner: list[int] = []
        self.currency: list[str] = []
        self.open: list[int] = []
        self._book: dict[tuple[int, str], list[int]] = {}
        self._open_amounts: dict[tuple[str, int], int] = {}
        for position, item in enumerate(self.items):
            code = item.currency.strip().upper()
            if code not in places:
                places[code] = exponent(code)
            units = to_units(item.open_amount, places[code])
            owner = self._position[item.customer_id]
            self.owner.append(owner)
            self.currency.append(code)
            self.open.append(units)
            self._book.setdefault((owner, code), []).append(position)
            self._open_amounts[(code, units)] = self._open_amounts.get((code, units), 0) + 1
        self._places = places
        self._rank = [0] * len(self.items)  # place of each item among its customer's, oldest first
        for positions in self._book.values():
            positions.sort(key=lambda p: (self.items[p].invoice_date, self.items[p].due_date,
                                          self.items[p].invoice_no, p))
            for n, p in enumerate(positions):
                self._rank[p] = n
        self._kind_units: list[tuple[int, int, int] | None] = [None] * len(self.items)
        self._values: dict[tuple[int, str, Mode], tuple[int, list[int], list[int]]] = {}
        self._versions: dict[int, int] = {}  # bumped when an automatic match clears a customer's invoices
        self._sorted: dict[tuple[int, str, Mode], tuple[list[int], list[int]]] = {}  # same, by value
        self._value_of: dict[tuple[int, str, Mode], dict[int, int]] = {}
        self._cash_index: dict[tuple[str, int], list[int]] | None = None  # open or expected cash -> items
        self._telecoms = frozenset(n for n, c in enumerate(self.customers) if _TELECOM_NAME.search(fold(c.name)))

    # -- the statement ----------------------------------------------------------------------------------

    def apply(self, lines: Iterable[StatementLine]) -> list[AllocationRow]:
        """Allocation rows for each line in turn; automatic matches clear what they apply."""
        rows: list[AllocationRow] = []
        for line in lines:
            rows.extend(self.apply_line(line))
        return rows

    def apply_line(self, line: StatementLine) -> list[AllocationRow]:
        """The allocation rows of one line."""
        code = line.currency.strip().upper() if isinstance(line.currency, str) else ""
        try:
            places = self._places[code] if code in self._places else exponent(code)
        except UnknownCurrency:
            return self._unmatched(line, 0, f'currency "{line.currency}" is not known')
        if line.amount <= 0:
            return self._unmatched(line, 0, "debit: not a receipt" if line.amount < 0 else "zero amount")
        if line.amount != round_money(line.amount, code):
            return self._unmatched(line, 0, f"amount has more decimals than {code} allows")
        if self._own and account_key(line.counterparty_account) in self._own:
            return self._unmatched(line, 0, "transfer from an own account: not a customer receipt")
        narrative = prepare(line.narrative)
        written = narrative
        narrative = self.invoices.with_full_years(narrative)
        hits = self.invoices.find(narrative)
        if narrative is not written:  # INV-25-01519: the year written short, as a separator variant at most
            hits = {p: Hit(min(h.points, 90), f'{h.reason.split(" as ")[0].split(" (")[0]} with the year written '
                           "short", h.start, h.end) if h.points >= 85 else h for p, h in hits.items()}
        usable = {p: h for p, h in hits.items() if self.currency[p] == code and self.open[p] != 0}
        for position, hit in list(usable.items()):
            if hit.points >= 85:  # INV-2025-00056/529/614: the customer's open invoices of the same series
                for other, listed in self.invoices.listed_after(narrative, position, hit):
                    if other not in usable and self.owner[other] == self.owner[position] and \
                            self.currency[other] == code and self.open[other] != 0:
                        usable[other] = hits[other] = listed
        if line.bank_reference and not any(h.points >= 85 for h in usable.values()):
            # some banks put the payer's reference in the reference field (MT940 :61:); the narrative first
            for position, hit in self.invoices.find(prepare(line.bank_reference)).items():
                if position not in hits or hits[position].points < hit.points:
                    hits[position] = Hit(hit.points, f"{hit.reason} (bank reference)", -1, -1)
                    if self.currency[position] == code and self.open[position] != 0:
                        usable[position] = hits[position]
        counterparty = line.counterparty_name if isinstance(line.counterparty_name, str) else ""
        said = line.narrative if isinstance(line.narrative, str) else ""
        mobile = bool(_MOBILE_MONEY.search(narrative.folded) or _MOBILE_MONEY.search(fold(counterparty)))
        if mobile:
            if _MOBILE_MONEY.search(fold(counterparty)) or not _TELECOMS.sub("", fold(counterparty)).strip(" .,-"):
                counterparty = ""  # MTN MOBILE MONEY RWANDA, MTN RWANDACELL MOMO: the channel, not the payer
            said = _TELECOMS.sub(" ", narrative.folded)
            self._mobile_reference(narrative, code, hits, usable)
        now = _Line(line, code, places, to_units(line.amount, places), narrative, hits, usable,
                    bool(_PARTIAL_WORDS.search(narrative.folded)), mobile)
        now.third_party = self._third_party(line, narrative)
        payer_name = counterparty if now.third_party is None else ""
        now.fields = (payer_name, said)
        guard = _not_a_receipt(narrative.folded, fold(line.counterparty_name or ""))
        strong = any(h.points >= 85 for h in usable.values())
        if guard and not strong:
            return self._unmatched(line, 0, f"{guard}: not a customer receipt")
        candidates = self._first_candidates(now)
        best = self._best(now, candidates)
        quoted_surely = best is not None and best.proposal is not None and best.proposal.by_reference and \
            best.proposal.reference.points >= 85 and not best.proposal.flags
        if best is not None and quoted_surely and not self._sure_enough(best):
            # the invoice number is clear but the amount is not all explained (a part payment, an
            # overpayment): does the line name the customer too?
            own = self.payers.name_of(best.customer, [payer_name, said])
            names = [own] if own is not None else []
            if not payer_name.strip() or (own is not None and own.points >= 85):
                pass
            else:
                names += [h for h in self.payers.names([counterparty]) if h.points >= 85]
            now.names_checked = True
        elif best is None or best.proposal is None or not self._sure_enough(best):
            names = self.payers.names([payer_name, said])
            if now.third_party:  # the third party's own name, as a proposal at most (see _decide)
                names += [h for h in self.payers.names([counterparty or said])
                          if h.customer in now.third_party and h.customer not in {n.customer for n in names}]
                names.sort(key=lambda h: (-h.points, -len(h.words), h.customer))
            now.names_checked = True
        elif not best.by_account and payer_name.strip():
            # sure by the reference; but is the payer another customer, with an open item of that amount?
            own = self.payers.name_of(best.customer, [counterparty])
            if own is not None and own.points >= 85:
                names = [own]
            else:
                names = [h for h in self.payers.names([counterparty]) if h.points >= 85]
        else:
            names = []
        top = names[0].points if names else 0
        added = False
        for named in names[:8]:
            if named.points < max(60, top - 25):
                break
            candidate = candidates.get(named.customer)
            if candidate is None:
                candidate = candidates[named.customer] = _Candidate(named.customer)
                added = True
            if candidate.name is None:
                candidate.name = named
                candidate.payer_named = now.third_party is not None and named.customer in now.third_party
                if not candidate.by_account:
                    candidate.who = Evidence(named.points, named.reason)
                    added = True
        if added:
            best = self._best(now, candidates)
        if best is None or best.proposal is None:
            return self._unmatched(line, 0, self._nobody(now))
        return self._decide(now, best, candidates, guard)

    # -- who paid ---------------------------------------------------------------------------------------

    def _first_candidates(self, now: _Line) -> dict[int, _Candidate]:
        """Customers named by the payer's account and by the invoice numbers quoted."""
        candidates: dict[int, _Candidate] = {}
        line = now.line
        account = line.counterparty_account if now.third_party is None else ""  # the third party's account
        for customer in self.payers.accounts(account, now.narrative):
            candidates[customer] = _Candidate(customer, Evidence(100, "payer's bank account is the customer's"),
                                              by_account=True)
        for position, hit in now.usable.items():
            owner = self.owner[position]
            candidate = candidates.get(owner)
            if candidate is None:
                candidate = candidates[owner] = _Candidate(owner)
            candidate.refs[position] = hit
        return candidates

    def _mobile_reference(self, narrative: Prepared, currency: str, hits: dict[int, Hit],
                          usable: dict[int, Hit]) -> None:
        """A mobile-money line ends with the reference the sender typed, after the phone number and the
        transaction id (``MOMO*2507XXXXXXXX*32013494970*OLIVIER N*11243``, ``... FROM 2507XXXXXXXX 01617``):
        a short group of digits there is read as an invoice serial, as after the word INVOICE. Phone numbers
        and transaction ids are too long to be serials."""
        text = narrative.folded.rstrip(" .")
        field = re.split(r"[*/]", text)[-1].strip() if re.search(r"[*/]", text) else text
        field = field.split()[-1] if field.split() else ""
        if not field.isdigit() or len(field) > _SERIAL_FIELD or not field.strip("0") or _TRANSACTION_ID.search(text):
            return
        for position, hit in self.invoices.find(prepare(f"INVOICE {field}")).items():
            if hit.points < 60 or (position in hits and hits[position].points >= hit.points):
                continue
            hits[position] = Hit(hit.points, f"invoice serial {field} in the mobile-money reference", -1, -1)
            if self.currency[position] == currency and self.open[position] != 0:
                usable[position] = hits[position]

    def _third_party(self, line: StatementLine, narrative: Prepared) -> frozenset[int] | None:
        """Whether the payer pays for others (a treasury single account, a payer listed in Settings): if so,
        the customers its own name names (the counterparty, or the narrative when there is none)."""
        payer = " ".join(re.sub(r"[^A-Z0-9&]+", " ", fold(line.counterparty_name or "")).split())
        text = payer or narrative.folded
        if not (_THIRD_PARTY.search(text) or any(p.search(text) for p in self._payers_for_others)):
            return None
        return frozenset(h.customer for h in self.payers.names([line.counterparty_name or line.narrative]))

    def _best(self, now: _Line, candidates: dict[int, _Candidate]) -> _Candidate | None:
        ranked = sorted(candidates.values(),
                        key=lambda c: (-max((h.points for h in c.refs.values()), default=0), -c.who.points,
                                       self.customers[c.customer].customer_id))
        leading = 0
        for n, candidate in enumerate(ranked[:6]):
            quoted = max((h.points for h in candidate.refs.values()), default=0)
            if candidate.proposal is None and candidate.unexplained is None and n >= 2 and not (
                    candidate.by_account or candidate.who.points >= 85 or quoted >= 60):
                # a weak candidate: not worth the search unless it could still come first
                ceiling = combine(Evidence(quoted), candidate.who, Evidence(100)).score + UNIQUE_BONUS
                if ceiling < leading:
                    continue
            if candidate.proposal is None and candidate.unexplained is None:
                candidate.proposal = self._explain(now, candidate)
            if candidate.proposal is None and candidate.unexplained is not None and n < 2:
                # no invoice fits: a part payment, an overpayment, or the oldest first - worth working out
                # only for the two customers the line points to most
                candidate.proposal = self._otherwise(now, candidate, *candidate.unexplained)
            if candidate.proposal is not None:
                candidate.score = self._score(now, candidate, candidate.proposal)
                leading = max(leading, candidate.score)
        scored = [c for c in ranked[:6] if c.proposal is not None]
        if not scored:
            return None
        return min(scored, key=lambda c: (-c.score, -(c.proposal.reference.points if c.proposal else 0),
                                          -c.who.points, self.customers[c.customer].customer_id))

    def _sure_enough(self, best: _Candidate) -> bool:
        """Good enough without looking at names: a strong reference that explains the amount."""
        proposal = best.proposal
        return (proposal is not None and proposal.explained and not proposal.flags
                and ((proposal.by_reference and proposal.reference.points >= 85) or best.by_account)
                and best.score >= self.settings.auto_threshold)

    def _nobody(self, now: _Line) -> str:
        same = self._open_amounts.get((now.currency, now.target), 0)
        if same:
            return (f"no customer identified; the amount equals {same} open amount(s), but an amount alone "
                    "never identifies a customer")
        return "no customer identified (no known account, name or invoice number)"

    # -- which invoices, and why the amount differs -----------------------------------------------------

    def _expect(self, position: int, mode: Mode) -> tuple[int, dict[str, int]] | None:
        """Cash to expect on an open item in a withholding mode, and what is withheld; None if it cannot be.

        Withholding is on the whole invoice and taken when it is settled, so a part-paid invoice still
        expects its open amount less the whole withholding."""
        open_units = self.open[position]
        if not mode:
            return open_units, {}
        if open_units <= 0:
            return None
        kinds = self._kinds(position)
        withheld = {kind: kinds[n] for n, kind in enumerate(KINDS) if kind in mode}
        rest = open_units - sum(withheld.values())
        return (rest, withheld) if rest > 0 and all(v > 0 for v in withheld.values()) else None

    def _kinds(self, position: int) -> tuple[int, int, int]:
        kinds = self._kind_units[position]
        if kinds is None:
            kinds = self._kind_units[position] = kind_units(
                self.items[position], self._places[self.currency[position]], self.settings.withholding_rates)
        return kinds

    def _mode_values(self, customer: int, currency: str, mode: Mode) -> tuple[list[int], list[int]]:
        """The customer's open invoices (oldest first) that can be paid in this mode, and the cash expected."""
        key = (customer, currency, mode)
        version = self._versions.get(customer, 0)
        cached = self._values.get(key)
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        book = self._book.get((customer, currency), ())
        open_units = self.open
        eligible = [p for p in book if open_units[p] > 0]
        values = [open_units[p] for p in eligible]
        if mode:
            chosen = [n for n, kind in enumerate(KINDS) if kind in mode]
            kept: list[int] = []
            rests: list[int] = []
            for p, value in zip(eligible, values, strict=True):
                kinds = self._kinds(p)
                withheld = [kinds[n] for n in chosen]
                rest = value - sum(withheld)
                if rest > 0 and all(withheld):
                    kept.append(p)
                    rests.append(rest)
            eligible, values = kept, rests
        self._values[key] = (version, eligible, values)
        self._sorted.pop(key, None)
        self._value_of.pop(key, None)
        return eligible, values

    def _by_value(self, customer: int, currency: str, mode: Mode, values: list[int]) -> tuple[list[int], list[int]]:
        """The positions of :meth:`_mode_values` sorted by value, and the values so sorted (kept)."""
        key = (customer, currency, mode)
        known = self._sorted.get(key)
        if known is None:
            order = sorted(range(len(values)), key=values.__getitem__)
            known = self._sorted[key] = (order, [values[i] for i in order])
        return known

    def _explain(self, now: _Line, candidate: _Candidate) -> _Proposal | None:
        """The best proposal for one candidate customer (see the module for the order of explanations)."""
        customer = self.customers[candidate.customer]
        rank = self._rank
        quoted = sorted((p for p in candidate.refs if self.currency[p] == now.currency and self.open[p] != 0),
                        key=rank.__getitem__)
        target = now.target
        rounding = self.settings.rounding_units
        charges = self._charges(now)
        low, high = target - rounding, target + max(rounding, charges)
        modes: list[Mode] = [customer.withholding, GROSS] if customer.withholding else [GROSS]
        found: dict[tuple[tuple[int, ...], Mode], int] = {}  # (invoices, mode) -> expected - received
        complete = True
        if quoted:
            for mode in modes:
                total = self._total(quoted, mode)
                if total is not None and low <= total <= high:
                    found[(tuple(quoted), mode)] = total - target
            if any(difference == 0 for difference in found.values()):
                # the quoted invoices, exactly: nothing else to look for
                return self._from_found(now, candidate, quoted, found, True, True)
        positive = self._mode_values(candidate.customer, now.currency, GROSS)[0]
        if not positive and not quoted:
            return _Proposal(candidate.customer, [], target, NO_EVIDENCE, NO_EVIDENCE,
                             flags=[f"{customer.customer_id} has no open invoice in {now.currency}"])
        pool = [p for p in quoted if self.open[p] > 0]
        pool += list(itertools.islice((p for p in positive if p not in candidate.refs), max(0, _POOL - len(pool))))
        at_least = 3 if self.settings.max_invoices >= 3 else self.settings.max_invoices + 1
        covered = len(pool) >= len(positive)
        # exact fits (rounding) first; the window of bank charges only when none: the wider the window, the
        # more invoices fit it by chance, and the sooner the bounded search gives up
        windows = [(low, target + rounding)]
        if charges > rounding and not found:
            windows.append((low, high))
        for low, high in windows:
            if found and any(self._tier(difference) < 2 for difference in found.values()):
                break
            for mode in modes:
                eligible, values = self._mode_values(candidate.customer, now.currency, mode)
                sorted_values = self._by_value(candidate.customer, now.currency, mode, values)
                # one or two invoices among all; more among the quoted and the oldest
                for chosen in singles_and_pairs(values, low, high, self.settings.max_invoices >= 2,
                                                ordered=sorted_values):
                    invoices = tuple(sorted((eligible[i] for i in chosen), key=rank.__getitem__))
                    found[(invoices, mode)] = sum(values[i] for i in chosen) - target
                value_of = self._value_of.get((candidate.customer, now.currency, mode))
                if value_of is None:
                    value_of = self._value_of[(candidate.customer, now.currency, mode)] = dict(
                        zip(eligible, values, strict=True))
                pool_values = [(p, value_of[p]) for p in pool if p in value_of]
                sets, whole = combinations([v for _, v in pool_values], low, high, self.settings.max_invoices,
                                           at_least=at_least)
                complete = complete and whole
                for chosen in sets:
                    invoices = tuple(sorted((pool_values[i][0] for i in chosen), key=rank.__getitem__))
                    found[(invoices, mode)] = sum(pool_values[i][1] for i in chosen) - target
                for n in first_fits(values, low, high):
                    if n > self.settings.max_invoices:
                        found[(tuple(eligible[:n]), mode)] = sum(values[:n]) - target
                quoted_total = self._total(quoted, mode) if quoted else None
                if quoted_total is not None and quoted_total < low and not any(
                        set(quoted) <= set(key[0]) for key in found):
                    # the quoted invoices and one or two more (a narrative cut short by the bank)
                    rest = [(p, v) for p, v in zip(eligible, values, strict=True) if p not in candidate.refs]
                    more = self.settings.max_invoices - len(quoted) >= 2
                    for chosen in singles_and_pairs([v for _, v in rest], low - quoted_total, high - quoted_total,
                                                    more and len(quoted) < self.settings.max_invoices):
                        invoices = tuple(sorted([*quoted, *(rest[i][0] for i in chosen)], key=rank.__getitem__))
                        found[(invoices, mode)] = quoted_total + sum(rest[i][1] for i in chosen) - target
        if quoted and found:
            # a number quoted beats invoices that fit only with bank charges: a part payment, an overpayment
            found = {key: difference for key, difference in found.items()
                     if self._tier(difference) < 2 or set(quoted) <= set(key[0])}
        if found:
            return self._from_found(now, candidate, quoted, found, complete, covered)
        candidate.unexplained = (positive, quoted)
        return None

    def _charges(self, now: _Line) -> int:
        return to_units(self.settings.bank_charges.get(now.currency, Decimal(0)), now.places)

    def _total(self, positions: Sequence[int], mode: Mode) -> int | None:
        total = 0
        for p in positions:
            expected = self._expect(p, mode) if self.open[p] > 0 else (self.open[p], {})
            if expected is None:
                return None
            total += expected[0]
        return total

    def _tier(self, difference: int) -> int:
        if difference == 0:
            return 0
        return 1 if abs(difference) <= self.settings.rounding_units else 2

    def _from_found(self, now: _Line, candidate: _Candidate, quoted: list[int],
                    found: dict[tuple[tuple[int, ...], Mode], int], complete: bool, covered: bool) -> _Proposal:
        customer = self.customers[candidate.customer]
        rank = self._rank
        quoted_set = set(quoted)

        def preference(key: tuple[tuple[int, ...], Mode]) -> tuple[object, ...]:
            invoices, mode = key
            covered = sum(1 for p in invoices if p in quoted_set)
            return (self._tier(found[key]), -(covered == len(quoted_set) == len(invoices)), -covered,
                    mode != customer.withholding, len(invoices), tuple(rank[p] for p in invoices))

        ranked = sorted(found, key=preference)
        chosen = ranked[0]
        invoices, mode = chosen
        tier = self._tier(found[chosen])
        tier_keys = [k for k in ranked if self._tier(found[k]) == tier]
        if tier == 2 and sum(1 for k in tier_keys if len(k[0]) == 1) == 1 and len(invoices) == 1:
            # within the bank-charges window several invoices together fit by chance far more often than
            # one alone: one invoice short by its charges is the explanation
            tier_keys = [k for k in tier_keys if len(k[0]) == 1]
        same_tier = {frozenset(k[0]) for k in tier_keys}
        flags: list[str] = []
        notes: list[str] = []
        if len(same_tier) > 1 and self.settings.oldest_of_identical and self._interchangeable(tier_keys, found):
            # the same amounts on different invoices (a monthly fee billed three times): oldest first
            notes.append(f"{len(same_tier)} sets of identical amounts fit: the oldest taken")
            same_tier = {frozenset(invoices)}
        by_reference = bool(quoted) and set(invoices) == quoted_set
        unique = False
        if quoted and not by_reference:
            if len(same_tier) > 1 or not complete or (not covered and len(invoices) > 2):
                flags.append(f"{len(same_tier)} sets of invoices fit the amount")
            elif tier == 2:
                flags.append("invoices not quoted found only with bank charges")
        elif not quoted:
            unique = len(same_tier) == 1 and complete and (covered or len(invoices) <= 2)
            if len(same_tier) > 1:
                flags.append(f"{len(same_tier)}{'' if complete else ' or more'} sets of invoices fit the amount")
            elif not unique:
                flags.append("the customer has more open invoices than could be searched")
        if tier == 2 and not by_reference and not flags:
            # a window of bank charges, over invoices found by their amount alone, catches chance fits
            if len(invoices) > 1:
                flags.append("several invoices found only with bank charges")
            elif self._open_amounts.get((now.currency, now.target)):
                flags.append("the amount is exactly the open amount of another invoice")
        parts = self._settle(list(invoices), mode, found[chosen], now.currency)
        reference = self._reference_evidence(candidate, invoices)
        amount = self._amount_evidence(invoices, mode, found[chosen], now.places, tier)
        if notes:
            amount = Evidence(amount.points, "; ".join([amount.reason, *notes]))
        return _Proposal(candidate.customer, parts, 0, reference, amount, unique=unique, explained=True,
                         by_reference=by_reference, flags=flags, tier=tier)

    def _interchangeable(self, keys: list[tuple[tuple[int, ...], Mode]],
                         found: dict[tuple[tuple[int, ...], Mode], int]) -> bool:
        """Whether the sets differ only by invoices of the same expected amount (same mode, same difference)."""
        def signature(key: tuple[tuple[int, ...], Mode]) -> tuple[object, ...]:
            invoices, mode = key
            values = sorted((self._expect(p, mode) or (self.open[p], {}))[0] for p in invoices)
            return (mode, tuple(values), found[key])

        first = signature(keys[0])
        return all(signature(k) == first for k in keys[1:])

    def _settle(self, invoices: list[int], mode: Mode, difference: int, currency: str) -> list[_Part]:
        """Parts that clear each invoice in full: expected cash, withholding, and on the last one the
        rounding difference or bank charges."""
        parts: list[_Part] = []
        for n, p in enumerate(invoices):
            expected = self._expect(p, mode) if self.open[p] > 0 else (self.open[p], {})
            assert expected is not None
            applied, withheld = expected
            deductions: list[tuple[DeductionType, int]] = [
                (DEDUCTION_TYPES[kind], units) for kind, units in withheld.items()]  # type: ignore[misc]
            if n == len(invoices) - 1 and difference:
                kind: DeductionType = "rounding" if abs(difference) <= self.settings.rounding_units \
                    else "bank_charges"
                deductions.append((kind, difference))
                applied -= difference
            parts.append(_Part(p, applied, tuple(deductions)))
        return parts

    def _reference_evidence(self, candidate: _Candidate, invoices: Sequence[int]) -> Evidence:
        hits = [candidate.refs[p] for p in invoices if p in candidate.refs]
        if not hits:
            return NO_EVIDENCE
        weakest = min(hits, key=lambda h: h.points)
        if len(invoices) == 1:
            return Evidence(weakest.points, weakest.reason)
        if len(hits) == len(invoices):
            detail = "" if weakest.points == 100 else f" (weakest: {weakest.reason})"
            return Evidence(weakest.points, f"{len(hits)} invoice numbers in narrative{detail}")
        points = round(weakest.points * (1 + len(hits) / len(invoices)) / 2)
        return Evidence(points, f"{len(hits)} of {len(invoices)} invoice numbers in narrative, the others "
                                "found by amount")

    def _amount_evidence(self, invoices: Sequence[int], mode: Mode, difference: int, places: int,
                         tier: int) -> Evidence:
        what = "open amount" if len(invoices) == 1 else f"open amounts of {len(invoices)} invoices"
        if mode:
            what = ("open" if len(invoices) == 1 else what) + f" - {describe(mode)}"
        if tier == 0:
            return Evidence(95 if mode else 100, f"amount = {what}")
        shown = f"{abs(difference) / 10**places:,.{places}f}"
        if tier == 1:
            return Evidence(90, f"amount = {what} {'-' if difference > 0 else '+'} {shown} (rounding)")
        return Evidence(85, f"amount = {what} - {shown} bank charges")

    def _otherwise(self, now: _Line, candidate: _Candidate, positive: list[int],
                   quoted: list[int]) -> _Proposal:
        """No set of invoices explains the amount: another withholding, a partial payment, an overpayment,
        or, failing all, the oldest invoices first."""
        customer = self.customers[candidate.customer]
        target = now.target
        rounding = self.settings.rounding_units
        charges = self._charges(now)
        others = [mode for mode in OTHER_MODES if mode != customer.withholding]
        singles: dict[Mode, list[list[int]]] = {mode: [] for mode in others}
        if not quoted:  # one pass over the invoices for all the other withholdings
            picks = [(mode, [n for n, kind in enumerate(KINDS) if kind in mode]) for mode in others]
            for p in positive:
                kinds, open_units = self._kinds(p), self.open[p]
                for mode, chosen in picks:
                    withheld = [kinds[n] for n in chosen]
                    if all(withheld) and abs(open_units - sum(withheld) - target) <= rounding:
                        singles[mode].append([p])
        for mode in others:
            if quoted:
                total = self._total(quoted, mode)
                fits = [quoted] if total is not None and abs(total - target) <= rounding else []
            else:
                fits = singles[mode]
            if len(fits) == 1:
                group = fits[0]
                difference = (self._total(group, mode) or 0) - target
                parts = self._settle(group, mode, difference, now.currency)
                profile = describe(customer.withholding) if customer.withholding else "no withholding"
                amount = Evidence(60, f"amount = {'open' if len(group) == 1 else 'open amounts'} - "
                                      f"{describe(mode)}")
                return _Proposal(candidate.customer, parts, 0, self._reference_evidence(candidate, group), amount,
                                 flags=[f"the customer's profile says {profile}"])
        if quoted:
            group = [p for p in quoted if self.open[p] > 0]
            gross = sum(self.open[p] for p in group)
            reference = self._reference_evidence(candidate, group)
            if group and target < gross:
                parts = self._oldest_first(group, target, customer.withholding)
                spent = sum(part.applied for part in parts)
                shown = f"{target / 10**now.places:,.{now.places}f} of {gross / 10**now.places:,.{now.places}f}"
                amount = Evidence(60 if now.partial_word else 25, f"partial payment: {shown}")
                expected = self._total(group, customer.withholding) if customer.withholding else None
                flags = ["more than the cash expected after withholding, less than the invoice"] \
                    if expected is not None and target > expected else []
                short = (expected if expected is not None and expected < target + 1 else gross) - target
                if 0 < short <= 2 * charges:
                    flags.append(f"short by {short / 10**now.places:,.{now.places}f}: bank charges above the "
                                 "tolerance?")
                return _Proposal(candidate.customer, parts, target - spent, reference, amount, by_reference=True,
                                 flags=flags)
            if group and target > gross:
                parts = [_Part(p, self.open[p]) for p in group]
                extra = target - gross
                amount = Evidence(20, f"overpayment by {extra / 10**now.places:,.{now.places}f}")
                # more than half as much again, or a narrative that was cut or says ETC: perhaps invoices
                # it does not quote (a combination of them was looked for and not found)
                payable = [p for p in positive if p not in candidate.refs and self.open[p] <= extra]
                cut = bool(_MORE.search(now.narrative.folded)) or len(now.narrative.folded) % FIELD_WIDTH == 0
                flags = [f"the excess could pay {len(payable)} other open invoice(s) of the customer"] \
                    if payable and (2 * extra >= gross or cut) else []
                return _Proposal(candidate.customer, parts, extra, reference, amount, by_reference=True,
                                 flags=flags)
        if not positive:
            return _Proposal(candidate.customer, [], target, NO_EVIDENCE, NO_EVIDENCE,
                             flags=[f"{customer.customer_id} has no open invoice in {now.currency}"])
        parts = self._oldest_first(positive, target, customer.withholding)
        spent = sum(part.applied for part in parts)
        flags = ["quotes " + ", ".join(self.items[p].invoice_no for p in quoted)
                 + " but the amount does not fit"] if quoted else []
        if target < self.open[positive[0]]:
            amount = Evidence(60 if now.partial_word else 25,
                              f"partial payment? {target / 10**now.places:,.{now.places}f} of "
                              f"{self.open[positive[0]] / 10**now.places:,.{now.places}f} on the oldest invoice")
        else:
            amount = Evidence(60 if now.partial_word else 25,
                              "amount fits no open invoice or combination: applied oldest first")
        flags.append("no invoice or combination fits the amount")
        return _Proposal(candidate.customer, parts, target - spent, NO_EVIDENCE, amount, flags=flags)

    def _oldest_first(self, invoices: Sequence[int], cash: int, mode: Mode) -> list[_Part]:
        """The cash applied to the invoices in turn: each cleared in full (with the customer's withholding)
        while the cash lasts, the last one in part."""
        parts = []
        for p in invoices:
            if cash <= 0:
                break
            expected = self._expect(p, mode) if mode else None
            if expected is not None and cash >= expected[0]:
                parts.append(_Part(p, expected[0], tuple(
                    (DEDUCTION_TYPES[kind], units) for kind, units in expected[1].items())))  # type: ignore[misc]
                cash -= expected[0]
                continue
            applied = min(cash, self.open[p])
            parts.append(_Part(p, applied))
            cash -= applied
        return parts

    # -- how sure ---------------------------------------------------------------------------------------

    def _score(self, now: _Line, candidate: _Candidate, proposal: _Proposal) -> int:
        score = combine(proposal.reference, candidate.who, proposal.amount).score
        if proposal.explained and not proposal.flags:
            if proposal.unique and candidate.who.points >= 70:
                score += UNIQUE_BONUS
            elif proposal.reference.points >= 70 and all(part.item in candidate.refs for part in proposal.parts):
                # the number (written in full, or its zero-padded serial) and the amount agree; another
                # customer's invoice that the number may also mean and that fits too is caught in _decide
                score += UNIQUE_BONUS
            elif proposal.by_reference and proposal.reference.points >= 60:
                named = [p for p, h in now.usable.items() if h.points >= 60]
                if len(named) == len(proposal.parts):
                    score += UNIQUE_BONUS
                elif proposal.amount.points >= 95 and (now.mobile or len(proposal.parts) >= 2) and \
                        not self._fits_elsewhere(now, proposal, named):
                    # the serials name invoices of other years too, but the amount is exactly what the ones
                    # proposed expect and what none of the others does: a mobile-money reference (the
                    # sender's own field), or a list of serials all of one customer that add up to the cash
                    score += UNIQUE_BONUS
        return min(100, score)

    def _fits_elsewhere(self, now: _Line, proposal: _Proposal, named: Sequence[int]) -> bool:
        """Whether another invoice the narrative names expects exactly the cash received (open, or after its
        customer's withholding)."""
        used = {part.item for part in proposal.parts}
        return any(p not in used and self.open[p] > 0 and self._expects(p, now.target) for p in named)

    def _expects(self, p: int, cash: int) -> bool:
        """Whether open item ``p`` expects exactly ``cash``: its open amount, or that after its customer's
        withholding."""
        if self.open[p] == cash:
            return True
        mode = self.customers[self.owner[p]].withholding
        expected = self._expect(p, mode) if mode else None
        return expected is not None and expected[0] == cash

    def _decide(self, now: _Line, best: _Candidate, candidates: dict[int, _Candidate],
                guard: str) -> list[AllocationRow]:
        proposal = best.proposal
        assert proposal is not None
        flags = list(proposal.flags)
        customer = self.customers[best.customer]
        if guard:
            flags.append(f"reads like a {guard}, not a customer receipt")
        leans_on_name = proposal.reference.points < 60 and not best.by_account
        if leans_on_name and best.name is not None:
            # a namesake (Ikaze Motors Ltd, Ikaze Motors Rwanda Ltd): only the invoices quoted can tell
            quoted = proposal.by_reference and proposal.reference.points >= 40
            namesakes = set(self.payers.twins(best.name))
            rivals = [c for c in candidates.values() if c is not best and c.name is not None
                      and not (quoted and c.customer in namesakes)
                      and c.name.points >= best.name.points - 10 and c.name.words & best.name.words
                      and not c.name.words < best.name.words
                      # a name written out whole beats a likeness that leaves some of it out (ACCESS BANK
                      # RWANDA is not I&M Bank Rwanda); a longer name it may be the start of stays a rival
                      and not (best.name.points >= 95 > c.name.points and not best.name.words <= c.name.words)]
            twins = [] if quoted else [c for c in sorted(namesakes) if c not in {r.customer for r in rivals}]
            if rivals or twins:
                names = ", ".join([*(self.customers[c.customer].customer_id for c in [best, *rivals]),
                                   *(self.customers[c].customer_id for c in twins[:3])])
                flags.append(f"the name fits {len(rivals) + len(twins) + 1} customers ({names})")
            else:
                fields = list(now.fields)
                sharing = self.payers.sharing(best.name) if self.payers.may_be_cut(best.name, fields) else []
                if sharing:
                    shown = ", ".join(self.customers[c].customer_id for c in sharing[:3])
                    flags.append(f"the words that name {customer.customer_id} are also in the name of {shown}"
                                 + (" and others" if len(sharing) > 3 else ""))
        if leans_on_name and best.name is not None:
            # a name without its generic ending that may be the start of another customer's name
            longer = [c for c in self.payers.longer_names(best.name, list(now.fields)) if c != best.customer]
            if longer:
                shown = ", ".join(self.customers[c].customer_id for c in longer[:3])
                flags.append(f"the name without its generic ending may also be {shown}"
                             + (" and others" if len(longer) > 3 else ""))
        if best.payer_named and leans_on_name:
            flags.append(f'"{now.line.counterparty_name.strip()[:40] or "the payer"}" pays for others: only an '
                         "invoice number says for whom")
        if best.by_account and sum(1 for c in candidates.values() if c.by_account) > 1:
            flags.append("the payer's account belongs to several customers")
        payers = [c for c in candidates.values() if c.by_account]
        if payers and not best.by_account:
            flags.append(f"the payer's account is {self.customers[payers[0].customer].customer_id}'s")
        strong_reference = proposal.by_reference and proposal.reference.points >= 85
        identified = best.by_account or best.who.points >= 85
        for other in candidates.values():
            if other is best or other.proposal is None or not other.proposal.explained or other.proposal.flags \
                    or other.payer_named:
                continue
            if best.name is not None and other.name is not None and not other.by_account and (
                    other.name.words < best.name.words  # NYABIHU names less than NYABIHU BUILDERS
                    or (other.name.words & best.name.words and abs(other.name.points - best.name.points) <= 10)):
                continue  # a name that fits both cannot speak against the one the invoice number names
            # another customer, named as surely, or quoted as surely, has open items that fit as well
            if other.by_account or other.who.points >= 85 or (
                    other.proposal.reference.points >= 60 and not identified and not strong_reference):
                flags.append(f"the amount also fits open items of {self.customers[other.customer].customer_id}")
                break
        flags.extend(self._stray_quotes(now, best, proposal))
        if proposal.tier and proposal.reference.points and not (best.by_account or best.who.points >= 85) and (
                proposal.reference.points < 90 or any(h.end > 0 and h.end % FIELD_WIDTH == 0 for h in (
                    best.refs[p.item] for p in proposal.parts if p.item in best.refs))):
            # an amount that fits only within a tolerance proves little: with nobody else naming the payer, the
            # invoice number must be written out whole (its zeros may be dropped), and not where the bank's
            # field ends (INV-2024-2 there may be INV-2024-00002, or INV-2024-29626 cut off)
            flags.append("the amount fits only with " + ("rounding" if proposal.tier == 1 else "bank charges")
                         + " and the invoice number is not written out whole or ends where the bank's field ends")
        for part in proposal.parts:
            hit = best.refs.get(part.item)
            # a number read as whole (zeros dropped, no prefix) where the field ends may be another one cut off;
            # one read as cut off (40-50 points) already allows for that
            cut_off = self.invoices.continued(now.narrative, hit, part.item) \
                if hit is not None and hit.points not in (40, 50) else ""
            if cut_off:
                flags.append(f"{self.items[part.item].invoice_no} is quoted where the bank's field ends: it may "
                             f"be the start of {cut_off}")
                break
        if now.mobile and not best.by_account and best.who.points < 85 and any(
                part.item in best.refs and best.refs[part.item].points < 70 and best.refs[part.item].start < 0
                for part in proposal.parts):
            # the sender's reference read as a bare serial (no prefix, year, zeros or word INVOICE), from a
            # sender nobody knows: applied only if no other open item expects that cash
            others = self._same_cash(now, {part.item for part in proposal.parts})
            if others:
                flags.append(f"the payer is not known and {others} other open item(s) expect the same amount")
        reasons = [e.reason for e in (proposal.reference, best.who, proposal.amount) if e.points and e.reason]
        payer = now.line.counterparty_name.strip() if not now.mobile else now.fields[0].strip()
        if not best.who.points and now.names_checked and payer:
            reasons.append(f'paid by "{payer[:40]}" for {customer.customer_id}')
        if proposal.unique and proposal.explained and not flags and best.who.points >= 70:
            reasons.append("the only open item(s) of the customer that fit")
        score = best.score
        if flags:
            score = min(score, self.settings.auto_threshold - 1)
        reasons.extend(flags)
        status: Status = "auto" if score >= self.settings.auto_threshold else \
            "review" if score >= self.settings.review_threshold else "unmatched"
        if status == "unmatched":
            return self._unmatched(now.line, score, "; ".join([*reasons, "too unsure to propose"]))
        if status == "auto":
            for part in proposal.parts:
                self.open[part.item] -= part.applied + sum(units for _, units in part.deductions)
                owner = self.owner[part.item]
                self._versions[owner] = self._versions.get(owner, 0) + 1
        return self._rows(now, proposal, status, score, "; ".join(reasons))

    def _same_cash(self, now: _Line, used: set[int]) -> int:
        """How many open items other than ``used`` expect the line's cash, open or after their customer's
        withholding (the telecoms' own invoices left out: in a mobile-money line they are the channel)."""
        if self._cash_index is None:
            index: dict[tuple[str, int], list[int]] = {}
            for p, units in enumerate(self.open):
                if units <= 0:
                    continue
                index.setdefault((self.currency[p], units), []).append(p)
                mode = self.customers[self.owner[p]].withholding
                expected = self._expect(p, mode) if mode else None
                if expected is not None and expected[0] != units:
                    index.setdefault((self.currency[p], expected[0]), []).append(p)
            self._cash_index = index
        return sum(1 for p in self._cash_index.get((now.currency, now.target), ())
                   if p not in used and self.open[p] > 0 and self.owner[p] not in self._telecoms
                   and self._expects(p, now.target))

    def _stray_quotes(self, now: _Line, best: _Candidate, proposal: _Proposal) -> list[str]:
        """Invoice numbers the narrative quotes that the proposal does not use: a wrong or stale reference,
        another customer's invoice, an invoice in another currency."""
        flags = []
        used = {part.item for part in proposal.parts}
        spans = [(h.start, h.end) for p, h in now.hits.items() if p in used and h.start >= 0]
        for position, hit in sorted(now.hits.items(), key=lambda ph: (ph[1].start, ph[0])):
            if hit.points < 70 or hit.start < 0 or position in used or any(
                    a < hit.end and hit.start < b for a, b in spans) or self.invoices.cut_short(now.narrative, hit.end):
                continue
            if self.open[position] == 0:
                why = "already cleared"
            elif self.currency[position] != now.currency:
                why = f"in {self.currency[position]}"
            elif self.owner[position] != best.customer:
                why = f"an invoice of {self.customers[self.owner[position]].customer_id}"
            else:
                why = "not what the amount fits"
            flags.append(f"quotes {self.items[position].invoice_no}, which is {why}")
            spans.append((hit.start, hit.end))
        for start, end in self.invoices.quotes(now.narrative):
            if not any(a < end and start < b for a, b in spans):
                flags.append(f'quotes "{now.narrative.folded[start:end]}", which is no open invoice')
                spans.append((start, end))
        return flags

    # -- rows -------------------------------------------------------------------------------------------

    def _rows(self, now: _Line, proposal: _Proposal, status: Status, score: int,
              reason: str) -> list[AllocationRow]:
        line, places = now.line, now.places
        zero = from_units(0, places)
        rows: list[AllocationRow] = []
        for part in proposal.parts:
            invoice = self.items[part.item].invoice_no
            deductions: tuple[tuple[DeductionType, int], ...] = part.deductions or (("", 0),)
            for n, (kind, units) in enumerate(deductions):
                rows.append(AllocationRow(line.line_id, invoice, from_units(part.applied if n == 0 else 0, places),
                                          from_units(units, places), kind, status, score, reason))
        if proposal.remainder or not rows:
            rows.append(AllocationRow(line.line_id, "", from_units(proposal.remainder, places), zero, "", status,
                                      score, reason))
        if sum((r.applied_amount for r in rows), Decimal(0)) != line.amount:  # pragma: no cover - a bug
            raise AssertionError(f"line {line.line_id}: applied amounts do not add up to the line amount")
        return rows

    @staticmethod
    def _unmatched(line: StatementLine, score: int, reason: str) -> list[AllocationRow]:
        zero = Decimal(0)
        with contextlib.suppress(UnknownCurrency):
            zero = from_units(0, exponent(line.currency))
        return [AllocationRow(line.line_id, "", line.amount, zero, "", "unmatched", score, reason)]


_ANY_NOT_RECEIPT = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _NOT_RECEIPTS))


def _not_a_receipt(*texts: str) -> str:
    """What the line is if it reads like no customer receipt (interest, a loan, a reversal...), else ""."""
    if not any(_ANY_NOT_RECEIPT.search(text) for text in texts):
        return ""
    for what, pattern in _NOT_RECEIPTS:
        if any(pattern.search(text) for text in texts):
            return what
    return ""  # pragma: no cover - the patterns together find what one of them finds
