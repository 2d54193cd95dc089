"""How sure? The score of a proposal, the doubts that keep it from being applied, and the rows it gives.

The score is :func:`arxl.core.scoring.combine` of the reference, payer and amount evidence, plus
:data:`UNIQUE_BONUS` when the amount fits only one invoice (or one set) of the identified payer, or the one
invoice the number names, at most 100. :meth:`Decision.decide` then looks for every doubt the module
:mod:`arxl.cashapp.matcher` lists (several customers fit the name, the payer's account is another
customer's, a number quoted that is not what the amount fits, an amount that fits only with bank charges, a
number cut off where the bank's field ends, a mobile-money serial from an unknown sender...). A doubt keeps
the score below the automatic threshold and is said in words in the reason. An automatic match lowers the
open amounts it clears, for the lines after it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from decimal import Decimal

from arxl.cashapp.amounts import from_units
from arxl.cashapp.references import FIELD_WIDTH
from arxl.cashapp.stages.deductions import Deductions
from arxl.cashapp.stages.state import Candidate, LineFacts, MatchState, Proposal
from arxl.core.accounts import payer_account_key
from arxl.core.errors import UnknownCurrency
from arxl.core.money import exponent
from arxl.core.scoring import combine
from arxl.core.statement import StatementLine
from arxl.core.text import fold
from arxl.ledger.matching import AllocationRow, DeductionType, Status

__all__ = ["EXACT_REFERENCE", "UNIQUE_BONUS", "Decision", "unmatched"]

UNIQUE_BONUS = 25
"""Points added when the amount fits only one invoice, or one set of invoices, of the identified payer."""

EXACT_REFERENCE = 100
"""Points of a quoted number (as issued, in any separators) that clears its invoice automatically when overpaid."""


class Decision:
    """The score and the doubts of a proposal, and the allocation rows it gives."""

    def __init__(self, state: MatchState, deductions: Deductions) -> None:
        self.state = state
        self.deductions = deductions
        self._cash_index: dict[tuple[str, int], list[int]] | None = None  # open or expected cash -> items

    def score(self, now: LineFacts, candidate: Candidate, proposal: Proposal) -> int:
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
                        not self.fits_elsewhere(now, proposal, named):
                    # the serials name invoices of other years too, but the amount is exactly what the ones
                    # proposed expect and what none of the others does: a mobile-money reference (the
                    # sender's own field), or a list of serials all of one customer that add up to the cash
                    score += UNIQUE_BONUS
        elif proposal.overpaid and not proposal.flags and proposal.reference.points >= EXACT_REFERENCE and all(
                part.item in candidate.refs and not _at_field_end(candidate.refs[part.item].end)
                for part in proposal.parts):
            # the invoices quoted as issued (not where the bank's field ends: INV-2025-00118 there may be
            # INV-2025-001182 cut off) and paid more than in full: cleared, the excess left on account
            score += UNIQUE_BONUS
        return min(100, score)

    def fits_elsewhere(self, now: LineFacts, proposal: Proposal, named: Sequence[int]) -> bool:
        """Whether another invoice the narrative names expects exactly the cash received (open, or after its
        customer's withholding)."""
        used = {part.item for part in proposal.parts}
        return any(p not in used and self.state.open[p] > 0 and self.deductions.expects(p, now.target) for p in named)

    def decide(self, now: LineFacts, best: Candidate, candidates: dict[int, Candidate],
                guard: str) -> list[AllocationRow]:
        proposal = best.proposal
        assert proposal is not None
        flags = list(proposal.flags)
        customer = self.state.customers[best.customer]
        if guard:
            flags.append(f"reads like a {guard}, not a customer receipt")
        leans_on_name = proposal.reference.points < 60 and not best.by_account
        if leans_on_name and best.name is not None:
            # a namesake (Ikaze Motors Ltd, Ikaze Motors Rwanda Ltd): only the invoices quoted can tell
            quoted = proposal.by_reference and proposal.reference.points >= 40
            namesakes = set(self.state.payers.twins(best.name))
            rivals = [c for c in candidates.values() if c is not best and c.name is not None
                      and not (quoted and c.customer in namesakes)
                      and c.name.points >= best.name.points - 10 and c.name.words & best.name.words
                      and not c.name.words < best.name.words
                      # a name written out whole beats a likeness that leaves some of it out (ACCESS BANK
                      # RWANDA is not I&M Bank Rwanda); a longer name it may be the start of stays a rival
                      and not (best.name.points >= 95 > c.name.points and not best.name.words <= c.name.words)]
            twins = [] if quoted else [c for c in sorted(namesakes) if c not in {r.customer for r in rivals}]
            if rivals or twins:
                names = ", ".join([*(self.state.customers[c.customer].customer_id for c in [best, *rivals]),
                                   *(self.state.customers[c].customer_id for c in twins[:3])])
                flags.append(f"the name fits {len(rivals) + len(twins) + 1} customers ({names})")
            else:
                fields = list(now.fields)
                index = self.state.payers
                sharing = index.sharing(best.name) if index.may_be_cut(best.name, fields) else []
                if sharing:
                    shown = ", ".join(self.state.customers[c].customer_id for c in sharing[:3])
                    flags.append(f"the words that name {customer.customer_id} are also in the name of {shown}"
                                 + (" and others" if len(sharing) > 3 else ""))
        if leans_on_name and best.name is not None:
            # a name without its generic ending that may be the start of another customer's name
            longer = [c for c in self.state.payers.longer_names(best.name, list(now.fields)) if c != best.customer]
            if longer:
                shown = ", ".join(self.state.customers[c].customer_id for c in longer[:3])
                flags.append(f"the name without its generic ending may also be {shown}"
                             + (" and others" if len(longer) > 3 else ""))
        if now.ruled_out and leans_on_name:
            # the name found another customer too, that a MatchRules "not" row left out: the rule chose, so the
            # accountant checks it
            flags.extend(now.ruled_out)
        if best.payer_named and leans_on_name:
            flags.append(f'"{now.line.counterparty_name.strip()[:40] or "the payer"}" pays for others: only an '
                         "invoice number says for whom")
        if best.by_account and sum(1 for c in candidates.values() if c.by_account) > 1:
            flags.append("the payer's account belongs to several customers")
        payers = [c for c in candidates.values() if c.by_account]
        if payers and not best.by_account:
            flags.append(f"the payer's account is {self.state.customers[payers[0].customer].customer_id}'s")
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
                flags.append(f"the amount also fits open items of {self.state.customers[other.customer].customer_id}")
                break
        flags.extend(self.stray_quotes(now, best, proposal))
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
            cut_off = self.state.invoices.continued(now.narrative, hit, part.item) \
                if hit is not None and hit.points not in (40, 50) else ""
            if cut_off:
                flags.append(f"{self.state.items[part.item].invoice_no} is quoted where the bank's field ends: it may "
                             f"be the start of {cut_off}")
                break
        if now.mobile and not best.by_account and best.who.points < 85 and any(
                part.item in best.refs and best.refs[part.item].points < 70 and best.refs[part.item].start < 0
                for part in proposal.parts):
            # the sender's reference read as a bare serial (no prefix, year, zeros or word INVOICE), from a
            # sender nobody knows: applied only if no other open item expects that cash
            others = self.same_cash(now, {part.item for part in proposal.parts})
            if others:
                flags.append(f"the payer is not known and {others} other open item(s) expect the same amount")
        reasons = [e.reason for e in (proposal.reference, best.who, proposal.amount) if e.points and e.reason]
        payer = now.line.counterparty_name.strip() if not now.mobile else now.fields[0].strip()
        if not best.who.points and now.names_checked and payer:
            reasons.append(f'paid by "{payer[:40]}" for {customer.customer_id}')
        if proposal.unique and proposal.explained and not flags and best.who.points >= 70:
            reasons.append("the only open item(s) of the customer that fit")
        learnt = self.learnt(now, best)
        if learnt:
            reasons.insert(0, f"payer by {learnt}")
        if not leans_on_name:  # a customer the name also fits, left out by a MatchRules "not" row
            reasons.extend(now.ruled_out)
        if proposal.overpaid and not flags and proposal.remainder:
            reasons.append(f"OVERPAYMENT: {from_units(proposal.remainder, now.places):,} {now.currency} left "
                           "unapplied on account (refund it or keep it as a credit)")
        score = best.score
        if flags:
            score = min(score, self.state.settings.auto_threshold - 1)
        reasons.extend(flags)
        status: Status = "auto" if score >= self.state.settings.auto_threshold else \
            "review" if score >= self.state.settings.review_threshold else "unmatched"
        if status == "unmatched":
            return unmatched(now.line, score, "; ".join([*reasons, "too unsure to propose"]))
        if status == "auto":
            self.state.clear(proposal.parts)
        return self.rows(now, proposal, status, score, "; ".join(reasons))

    def learnt(self, now: LineFacts, best: Candidate) -> str:
        """The MatchRules row that says who paid, when an alias or account it added named the payer."""
        learnt = self.state.settings.learnt
        if not learnt:
            return ""
        cid = self.state.customers[best.customer].customer_id
        if best.by_account:
            return learnt.get((cid, payer_account_key(now.line.counterparty_account)), "")
        said = fold(best.who.reason)
        for (owner, alias), rule in learnt.items():
            if owner == cid and alias and alias in said:
                return rule
        return ""

    def same_cash(self, now: LineFacts, used: set[int]) -> int:
        """How many open items other than ``used`` expect the line's cash, open or after their customer's
        withholding (the telecoms' own invoices left out: in a mobile-money line they are the channel)."""
        return sum(1 for p in self.cash_index().get((now.currency, now.target), ())
                   if p not in used and self.state.open[p] > 0 and self.state.owner[p] not in self.state.telecoms
                   and self.deductions.expects(p, now.target))

    def cash_index(self) -> dict[tuple[str, int], list[int]]:
        """The open items by the cash they expect, open or after their customer's withholding, as the statement
        begins (made once, before the first line: the same whichever line first asks, and whichever process)."""
        if self._cash_index is None:
            index: dict[tuple[str, int], list[int]] = {}
            for p, units in enumerate(self.state.open):
                if units <= 0:
                    continue
                index.setdefault((self.state.currency[p], units), []).append(p)
                mode = self.state.customers[self.state.owner[p]].withholding
                expected = self.deductions.expect(p, mode) if mode else None
                if expected is not None and expected[0] != units:
                    index.setdefault((self.state.currency[p], expected[0]), []).append(p)
            self._cash_index = index
        return self._cash_index

    def stray_quotes(self, now: LineFacts, best: Candidate, proposal: Proposal) -> list[str]:
        """Invoice numbers the narrative quotes that the proposal does not use: a wrong or stale reference,
        another customer's invoice, an invoice in another currency."""
        flags = []
        used = {part.item for part in proposal.parts}
        spans = [(h.start, h.end) for p, h in now.hits.items() if p in used and h.start >= 0]
        for position, hit in sorted(now.hits.items(), key=lambda ph: (ph[1].start, ph[0])):
            if hit.points < 70 or hit.start < 0 or position in used or any(
                    a < hit.end and hit.start < b for a, b in spans) or \
                    self.state.invoices.cut_short(now.narrative, hit.end):
                continue
            if self.state.open[position] == 0:
                why = "already cleared"
            elif self.state.currency[position] != now.currency:
                why = f"in {self.state.currency[position]}"
            elif self.state.owner[position] != best.customer:
                why = f"an invoice of {self.state.customers[self.state.owner[position]].customer_id}"
            else:
                why = "not what the amount fits"
            flags.append(f"quotes {self.state.items[position].invoice_no}, which is {why}")
            spans.append((hit.start, hit.end))
        for start, end in self.state.invoices.quotes(now.narrative):
            if not any(a < end and start < b for a, b in spans):
                flags.append(f'quotes "{now.narrative.folded[start:end]}", which is no open invoice')
                spans.append((start, end))
        return flags

    def rows(self, now: LineFacts, proposal: Proposal, status: Status, score: int,
              reason: str) -> list[AllocationRow]:
        line, places = now.line, now.places
        zero = from_units(0, places)
        rows: list[AllocationRow] = []
        for part in proposal.parts:
            invoice = self.state.items[part.item].invoice_no
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


def _at_field_end(end: int) -> bool:
    return end > 0 and end % FIELD_WIDTH == 0


def unmatched(line: StatementLine, score: int, reason: str) -> list[AllocationRow]:
    """The one row of a line left unmatched: all its amount unapplied, and why."""
    zero = Decimal(0)
    with contextlib.suppress(UnknownCurrency):
        zero = from_units(0, exponent(line.currency))
    return [AllocationRow(line.line_id, "", line.amount, zero, "", "unmatched", score, reason)]
