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

The stages are modules of :mod:`arxl.cashapp.stages`: :mod:`~arxl.cashapp.stages.payer` (who paid),
:mod:`~arxl.cashapp.stages.invoices` (which invoices), :mod:`~arxl.cashapp.stages.deductions` (why the amount
differs) and :mod:`~arxl.cashapp.stages.decision` (how sure), over the open items indexed once in
:class:`~arxl.cashapp.stages.state.MatchState`; :class:`Matcher` drives them line by line, in order (what a
line applies is no longer open for the next), while on a long statement a child matches lines ahead on the
other core, each taken here only when nothing it read has been cleared since (:mod:`arxl.cashapp.ahead`).

The score is :func:`arxl.core.scoring.combine` of the three kinds of evidence (0.80 x reference + 0.45 x
payer + 0.30 x amount), plus 25 when the amount fits only one invoice (or one set of invoices) of the payer,
or the one invoice the number names, at most 100. The payer counts 100 for its bank account, and the points
of :func:`arxl.core.names.name_evidence` for its name (a name cut short by the bank's field: 80-90). The
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
>>> items = [OpenInvoice("INV-2025-00042", "C1", "Ministry of Infrastructure", day, day, "RWF", D(1000000),
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

from collections.abc import Callable, Iterable, Sequence

from arxl.cashapp.ahead import PARALLEL_FROM, matched_ahead
from arxl.cashapp.stages.decision import UNIQUE_BONUS, Decision, unmatched
from arxl.cashapp.stages.deductions import Deductions
from arxl.cashapp.stages.invoices import Invoices
from arxl.cashapp.stages.payer import Payer, not_a_receipt
from arxl.cashapp.stages.state import Candidate, LineFacts, MatchState
from arxl.core.accounts import payer_account_key
from arxl.core.background import paused_gc
from arxl.core.errors import UnknownCurrency
from arxl.core.evidence import Evidence
from arxl.core.money import exponent, round_money
from arxl.core.scoring import combine
from arxl.core.statement import StatementLine
from arxl.core.text import fold
from arxl.ledger.matching import AllocationRow, CustomerProfile, MatchSettings, OpenInvoice

__all__ = ["UNIQUE_BONUS", "Matcher", "match"]


def match(
    lines: Iterable[StatementLine],
    open_items: Sequence[OpenInvoice],
    customers: Sequence[CustomerProfile],
    settings: MatchSettings | None = None,
    track: Callable[[Sequence[StatementLine]], Iterable[StatementLine]] | None = None,
) -> list[AllocationRow]:
    """Allocation rows for the statement lines, in their order (see the module for how it decides); ``track``
    wraps the lines as they are matched (a progress bar)."""
    with paused_gc():
        return Matcher(open_items, customers, settings or MatchSettings()).apply(lines, track)


class Matcher:
    """The pipeline: the open items indexed once, and the stages that apply a statement with them."""

    def __init__(self, open_items: Sequence[OpenInvoice], customers: Sequence[CustomerProfile],
                 settings: MatchSettings) -> None:
        self.settings = settings
        self.state = MatchState(open_items, customers, settings)
        self.deductions = Deductions(self.state)
        self.payer = Payer(self.state)
        self.invoices = Invoices(self.state, self.deductions)
        self.decision = Decision(self.state, self.deductions)

    parallel_from = PARALLEL_FROM

    def apply(self, lines: Iterable[StatementLine],
              track: Callable[[Sequence[StatementLine]], Iterable[StatementLine]] | None = None
              ) -> list[AllocationRow]:
        """Allocation rows for each line in turn; automatic matches clear what they apply. A long statement has
        lines matched ahead on the other core, and checked here before they are taken (:mod:`arxl.cashapp.ahead`)."""
        lines = list(lines)
        rows: list[AllocationRow] = []
        self.decision.cash_index()  # as the statement begins, for the child too
        with matched_ahead(self, lines, self.parallel_from) as taken:
            for n, line in enumerate(track(lines) if track else lines):
                done = taken(n)
                rows.extend(self.apply_line(line) if done is None else done)
        return rows

    def apply_line(self, line: StatementLine) -> list[AllocationRow]:
        """The allocation rows of one line: the invoices it quotes, who paid, which invoices, how sure."""
        code = line.currency.strip().upper() if isinstance(line.currency, str) else ""
        try:
            places = self.state.places[code] if code in self.state.places else exponent(code)
        except UnknownCurrency:
            return unmatched(line, 0, f'currency "{line.currency}" is not known')
        if line.amount <= 0:
            return unmatched(line, 0, "debit: not a receipt" if line.amount < 0 else "zero amount")
        if line.amount != round_money(line.amount, code):
            return unmatched(line, 0, f"amount has more decimals than {code} allows")
        if self.state.own and payer_account_key(line.counterparty_account) in self.state.own:
            return unmatched(line, 0, "transfer from an own account: not a customer receipt")
        narrative, hits, usable = self.invoices.quoted(line, code)
        now = self.payer.read(line, code, places, narrative, hits, usable)
        guard = not_a_receipt(narrative.folded, fold(line.counterparty_name or ""))
        strong = any(h.points >= 85 for h in usable.values())
        if guard and not strong:
            return unmatched(line, 0, f"{guard}: not a customer receipt")
        candidates = self.payer.first_candidates(now)
        best = self.best(now, candidates)
        if self.payer.add_names(now, candidates, best, best is not None and self.sure_enough(best)):
            best = self.best(now, candidates)
        if best is None or best.proposal is None:
            return unmatched(line, 0, self.payer.nobody(now))
        return self.decision.decide(now, best, candidates, guard)

    def best(self, now: LineFacts, candidates: dict[int, Candidate]) -> Candidate | None:
        """The candidate with the best proposal, working proposals out for the leading few only."""
        ranked = sorted(candidates.values(),
                        key=lambda c: (-max((h.points for h in c.refs.values()), default=0), -c.who.points,
                                       self.state.customers[c.customer].customer_id))
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
                candidate.proposal = self.invoices.explain(now, candidate)
            if candidate.proposal is None and candidate.unexplained is not None and n < 2:
                # no invoice fits: a part payment, an overpayment, or the oldest first - worth working out
                # only for the two customers the line points to most
                candidate.proposal = self.invoices.otherwise(now, candidate, *candidate.unexplained)
            if candidate.proposal is not None:
                candidate.score = self.decision.score(now, candidate, candidate.proposal)
                leading = max(leading, candidate.score)
        scored = [c for c in ranked[:6] if c.proposal is not None]
        if not scored:
            return None
        return min(scored, key=lambda c: (-c.score, -(c.proposal.reference.points if c.proposal else 0),
                                          -c.who.points, self.state.customers[c.customer].customer_id))

    def sure_enough(self, best: Candidate) -> bool:
        """Good enough without looking at names: a strong reference that explains the amount."""
        proposal = best.proposal
        return (proposal is not None and proposal.explained and not proposal.flags
                and ((proposal.by_reference and proposal.reference.points >= 85) or best.by_account)
                and best.score >= self.settings.auto_threshold)
