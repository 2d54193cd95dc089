"""Which invoices? The open invoices of one candidate customer that the receipt pays, and how well they fit.

The invoices the narrative quotes come first: if their expected cash (open, or after the customer's
withholding) is the amount received, nothing else is looked for. Otherwise the customer's invoices whose
expected cash adds up to the receipt: one or two among all of them, more among the quoted ones and the oldest
(at most ``MatchSettings.max_invoices``, a pool of 24), the quoted ones with one or two more when the bank cut
the narrative short. Exact fits (rounding) are looked for first, the window of bank charges only when none fits.
Of what fits, the proposal prefers the lowest tier, the quoted invoices, the customer's own withholding, fewer
invoices and older ones; several sets that fit as well are a doubt (unless they differ only by invoices of
identical amounts and ``MatchSettings.oldest_of_identical`` says to take the oldest).

When nothing fits, :meth:`Invoices.otherwise` looks at a withholding the profile does not mention, a partial
payment or an overpayment of the quoted invoices, and, failing all, applies the cash oldest first - each a
proposal for review at most.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from arxl.cashapp.amounts import GROSS, KINDS, OTHER_MODES, Mode, combinations, describe, first_fits, singles_and_pairs
from arxl.cashapp.narratives import Hit, Prepared, prepare
from arxl.cashapp.references import FIELD_WIDTH, InvoiceIndex
from arxl.cashapp.stages.deductions import Deductions
from arxl.cashapp.stages.state import Candidate, LineFacts, MatchState, Part, Proposal
from arxl.core.evidence import NO_EVIDENCE, Evidence
from arxl.core.statement import StatementLine

__all__ = ["Invoices", "Read", "one_edit", "read_numbers"]

SURE_NAME = 85  # points of a name (or alias) that identify the payer as surely as its bank account
NEAR_MISS_POINTS = 70  # a number one edit from the invoice's: the amount and the payer must say the rest
_POOL = 24  # invoices of one customer tried in combinations: quoted ones, then the oldest
_DIGITS = re.compile(r"\d+")
Read = tuple[Prepared, dict[int, Hit], dict[int, Hit] | None]
"""What a line's text quotes whatever is open: the narrative as read, its hits, the bank reference's (or None)."""
_MORE = re.compile(r"\b(?:ETC|AND OTHERS|OTHERS|\&C)\b|\.\.\.")


class Invoices:
    """The best proposal of invoices for a candidate customer."""

    def __init__(self, state: MatchState, deductions: Deductions) -> None:
        self.state = state
        self.deductions = deductions
        self.known: dict[tuple[str, str], Read] = {}  # (narrative, bank reference) -> what they quote

    def quoted(self, line: StatementLine, code: str) -> tuple[Prepared, dict[int, Hit], dict[int, Hit]]:
        """The narrative as read for invoice numbers, the open items it quotes, and those of them still open
        in the line's currency (the usable ones)."""
        narrative, found, in_reference = self.read(line)
        hits = dict(found)
        usable = {p: h for p, h in hits.items() if self.state.currency[p] == code and self.state.open[p] != 0}
        for position, hit in list(usable.items()):
            if hit.points >= 85:  # INV-2025-00056/529/614: the customer's open invoices of the same series
                for other, listed in self.state.invoices.listed_after(narrative, position, hit):
                    if other not in usable and self.state.owner[other] == self.state.owner[position] and \
                            self.state.currency[other] == code and self.state.open[other] != 0:
                        usable[other] = hits[other] = listed
        if line.bank_reference and not any(h.points >= 85 for h in usable.values()):
            # some banks put the payer's reference in the reference field (MT940 :61:); the narrative first
            if in_reference is None:
                in_reference = self.state.invoices.find(prepare(line.bank_reference))
            for position, hit in in_reference.items():
                if position not in hits or hits[position].points < hit.points:
                    hits[position] = Hit(hit.points, f"{hit.reason} (bank reference)", -1, -1)
                    if self.state.currency[position] == code and self.state.open[position] != 0:
                        usable[position] = hits[position]
        return narrative, hits, usable

    def read(self, line: StatementLine) -> Read:
        """What the line's narrative and bank reference say of invoice numbers, whatever is open: the part of
        :meth:`quoted` that depends on the text and the index only (read once per text)."""
        key = (line.narrative, line.bank_reference)
        known = self.known.get(key)
        if known is None:
            known = self.known[key] = read_numbers(self.state.invoices, line)
        return known

    def explain(self, now: LineFacts, candidate: Candidate) -> Proposal | None:
        """The best proposal for one candidate customer (see the module for the order of explanations)."""
        customer = self.state.customers[candidate.customer]
        rank = self.state.rank
        currency, open_units = self.state.currency, self.state.open
        quoted = sorted((p for p in candidate.refs if currency[p] == now.currency and open_units[p] != 0),
                        key=rank.__getitem__)
        target = now.target
        if not quoted and (candidate.by_account or candidate.who.points >= SURE_NAME) and not candidate.payer_named:
            near = self.near_miss(now, candidate)
            if near is not None:
                return near
        rounding = self.state.settings.rounding_units
        charges = self.deductions.charges(now, candidate.customer)
        low, high = target - rounding, target + max(rounding, charges)
        modes: list[Mode] = [customer.withholding, GROSS] if customer.withholding else [GROSS]
        found: dict[tuple[tuple[int, ...], Mode], int] = {}  # (invoices, mode) -> expected - received
        complete = True
        if quoted:
            for mode in modes:
                total = self.deductions.total(quoted, mode)
                if total is not None and low <= total <= high:
                    found[(tuple(quoted), mode)] = total - target
            if any(difference == 0 for difference in found.values()):
                # the quoted invoices, exactly: nothing else to look for
                return self.from_found(now, candidate, quoted, found, True, True)
        positive = self.deductions.mode_values(candidate.customer, now.currency, GROSS)[0]
        if not positive and not quoted:
            return Proposal(candidate.customer, [], target, NO_EVIDENCE, NO_EVIDENCE,
                             flags=[f"{customer.customer_id} has no open invoice in {now.currency}"])
        pool = [p for p in quoted if self.state.open[p] > 0]
        pool += list(itertools.islice((p for p in positive if p not in candidate.refs), max(0, _POOL - len(pool))))
        at_least = 3 if self.state.settings.max_invoices >= 3 else self.state.settings.max_invoices + 1
        covered = len(pool) >= len(positive)
        # exact fits (rounding) first; the window of bank charges only when none: the wider the window, the
        # more invoices fit it by chance, and the sooner the bounded search gives up
        windows = [(low, target + rounding)]
        if charges > rounding and not found:
            windows.append((low, high))
        for low, high in windows:
            if found and any(self.deductions.tier(difference) < 2 for difference in found.values()):
                break
            for mode in modes:
                eligible, values = self.deductions.mode_values(candidate.customer, now.currency, mode)
                sorted_values = self.deductions.by_value(candidate.customer, now.currency, mode, values)
                # one or two invoices among all; more among the quoted and the oldest
                for chosen in singles_and_pairs(values, low, high, self.state.settings.max_invoices >= 2,
                                                ordered=sorted_values):
                    invoices = tuple(sorted((eligible[i] for i in chosen), key=rank.__getitem__))
                    found[(invoices, mode)] = sum(values[i] for i in chosen) - target
                value_of = self.deductions.value_of(candidate.customer, now.currency, mode, eligible, values)
                pool_values = [(p, value_of[p]) for p in pool if p in value_of]
                sets, whole = combinations([v for _, v in pool_values], low, high, self.state.settings.max_invoices,
                                           at_least=at_least)
                complete = complete and whole
                for chosen in sets:
                    invoices = tuple(sorted((pool_values[i][0] for i in chosen), key=rank.__getitem__))
                    found[(invoices, mode)] = sum(pool_values[i][1] for i in chosen) - target
                for n in first_fits(values, low, high):
                    if n > self.state.settings.max_invoices:
                        found[(tuple(eligible[:n]), mode)] = sum(values[:n]) - target
                quoted_total = self.deductions.total(quoted, mode) if quoted else None
                if quoted_total is not None and quoted_total < low and not any(
                        set(quoted) <= set(key[0]) for key in found):
                    # the quoted invoices and one or two more (a narrative cut short by the bank)
                    rest = [(p, v) for p, v in zip(eligible, values, strict=True) if p not in candidate.refs]
                    more = self.state.settings.max_invoices - len(quoted) >= 2
                    for chosen in singles_and_pairs([v for _, v in rest], low - quoted_total, high - quoted_total,
                                                    more and len(quoted) < self.state.settings.max_invoices):
                        invoices = tuple(sorted([*quoted, *(rest[i][0] for i in chosen)], key=rank.__getitem__))
                        found[(invoices, mode)] = quoted_total + sum(rest[i][1] for i in chosen) - target
        if quoted and found:
            # a number quoted beats invoices that fit only with bank charges: a part payment, an overpayment
            found = {key: difference for key, difference in found.items()
                     if self.deductions.tier(difference) < 2 or set(quoted) <= set(key[0])}
        if found:
            return self.from_found(now, candidate, quoted, found, complete, covered)
        candidate.unexplained = (positive, quoted)
        return None

    def from_found(self, now: LineFacts, candidate: Candidate, quoted: list[int],
                    found: dict[tuple[tuple[int, ...], Mode], int], complete: bool, covered: bool) -> Proposal:
        customer = self.state.customers[candidate.customer]
        rank = self.state.rank
        quoted_set = set(quoted)

        def preference(key: tuple[tuple[int, ...], Mode]) -> tuple[object, ...]:
            invoices, mode = key
            covered = sum(1 for p in invoices if p in quoted_set)
            return (self.deductions.tier(found[key]), -(covered == len(quoted_set) == len(invoices)), -covered,
                    mode != customer.withholding, len(invoices), tuple(rank[p] for p in invoices))

        ranked = sorted(found, key=preference)
        chosen = ranked[0]
        invoices, mode = chosen
        tier = self.deductions.tier(found[chosen])
        tier_keys = [k for k in ranked if self.deductions.tier(found[k]) == tier]
        if tier == 2 and sum(1 for k in tier_keys if len(k[0]) == 1) == 1 and len(invoices) == 1:
            # within the bank-charges window several invoices together fit by chance far more often than
            # one alone: one invoice short by its charges is the explanation
            tier_keys = [k for k in tier_keys if len(k[0]) == 1]
        same_tier = {frozenset(k[0]) for k in tier_keys}
        flags: list[str] = []
        notes: list[str] = []
        if len(same_tier) > 1 and self.state.settings.oldest_of_identical and self.interchangeable(tier_keys, found):
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
            elif self.state.open_amounts.get((now.currency, now.target)):
                flags.append("the amount is exactly the open amount of another invoice")
        parts = self.deductions.settle(list(invoices), mode, found[chosen], now.currency)
        reference = self.reference_evidence(candidate, invoices)
        amount = self.deductions.amount_evidence(invoices, mode, found[chosen], now.places, tier)
        usual = self.deductions.usual(candidate.customer, now.currency)
        if tier == 2 and usual is not None and found[chosen] > self.deductions.charges(now):
            shown = f"{usual.usual:,} {usual.currency}"
            notes.append(f"payer's usual bank charge {shown} ({usual.source})")
        if notes:
            amount = Evidence(amount.points, "; ".join([amount.reason, *notes]))
        return Proposal(candidate.customer, parts, 0, reference, amount, unique=unique, explained=True,
                         by_reference=by_reference, flags=flags, tier=tier)

    def near_miss(self, now: LineFacts, candidate: Candidate) -> Proposal | None:
        """The one open invoice of the identified payer whose number is one edit (two adjacent digits swapped,
        or one digit wrong) from a number the narrative quotes, when the cash is exactly its open amount or
        what the customer's withholding leaves of it; None when there is none, or more than one."""
        taken = [(h.start, h.end) for h in now.hits.values() if h.points >= 70 and h.start >= 0]
        quotes = [(a, b) for a, b in self.state.invoices.quotes(now.narrative)
                  if not any(x < b and a < y for x, y in taken)]
        if not quotes:
            return None
        customer = self.state.customers[candidate.customer]
        book = [p for p in self.state.by_customer.get((candidate.customer, now.currency), ())
                if self.state.open[p] > 0]
        near: dict[int, tuple[int, int, str]] = {}
        for start, end in quotes:
            written = now.narrative.folded[start:end]
            for p in book:
                edit = one_edit(written, self.state.items[p].invoice_no)
                if edit:
                    near.setdefault(p, (start, end, edit))
        if len(near) != 1:
            return None  # none, or two invoices one edit away: only the accountant can tell
        [(p, (start, end, edit))] = near.items()
        modes: list[Mode] = [GROSS, customer.withholding] if customer.withholding else [GROSS]
        mode = next((m for m in modes if (self.deductions.expect(p, m) or (-1, {}))[0] == now.target), None)
        if mode is None:
            return None
        invoice_no = self.state.items[p].invoice_no
        hit = Hit(NEAR_MISS_POINTS, f'"{now.narrative.folded[start:end]}" read as {invoice_no}: {edit}', start, end)
        candidate.refs[p] = hit
        now.hits.setdefault(p, hit)
        amount = Evidence(100 if not mode else 95, "the amount is its open amount" if not mode else
                          f"the amount is its open amount - {describe(mode)}")
        return Proposal(candidate.customer, self.deductions.settle([p], mode, 0, now.currency), 0,
                        Evidence(hit.points, hit.reason), amount, unique=True, explained=True, by_reference=True,
                        near_miss=True)

    def interchangeable(self, keys: list[tuple[tuple[int, ...], Mode]],
                         found: dict[tuple[tuple[int, ...], Mode], int]) -> bool:
        """Whether the sets differ only by invoices of the same expected amount (same mode, same difference)."""
        def signature(key: tuple[tuple[int, ...], Mode]) -> tuple[object, ...]:
            invoices, mode = key
            values = sorted((self.deductions.expect(p, mode) or (self.state.open[p], {}))[0] for p in invoices)
            return (mode, tuple(values), found[key])

        first = signature(keys[0])
        return all(signature(k) == first for k in keys[1:])

    def reference_evidence(self, candidate: Candidate, invoices: Sequence[int]) -> Evidence:
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

    def otherwise(self, now: LineFacts, candidate: Candidate, positive: list[int],
                   quoted: list[int]) -> Proposal:
        """No set of invoices explains the amount: another withholding, a partial payment, an overpayment,
        or, failing all, the oldest invoices first."""
        customer = self.state.customers[candidate.customer]
        target = now.target
        rounding = self.state.settings.rounding_units
        charges = self.deductions.charges(now, candidate.customer)
        others = [mode for mode in OTHER_MODES if mode != customer.withholding]
        singles: dict[Mode, list[list[int]]] = {mode: [] for mode in others}
        if not quoted and target > rounding:
            # the invoices whose cash expected in another withholding is the amount: looked up among the
            # customer's expected amounts in that mode, kept until its invoices change, in the same order
            for mode in others:
                eligible, values = self.deductions.mode_values(candidate.customer, now.currency, mode)
                order, by_value = self.deductions.by_value(candidate.customer, now.currency, mode, values)
                hits = sorted(order[k] for k in range(bisect_left(by_value, target - rounding),
                                                      bisect_right(by_value, target + rounding)))
                singles[mode] = [[eligible[k]] for k in hits]
        elif not quoted:  # one pass over the invoices for all the other withholdings
            picks = [(mode, [n for n, kind in enumerate(KINDS) if kind in mode]) for mode in others]
            for p in positive:
                kinds, open_units = self.deductions.kinds(p), self.state.open[p]
                for mode, chosen in picks:
                    withheld = [kinds[n] for n in chosen]
                    if all(withheld) and abs(open_units - sum(withheld) - target) <= rounding:
                        singles[mode].append([p])
        for mode in others:
            if quoted:
                total = self.deductions.total(quoted, mode)
                fits = [quoted] if total is not None and abs(total - target) <= rounding else []
            else:
                fits = singles[mode]
            if len(fits) == 1:
                group = fits[0]
                difference = (self.deductions.total(group, mode) or 0) - target
                parts = self.deductions.settle(group, mode, difference, now.currency)
                profile = describe(customer.withholding) if customer.withholding else "no withholding"
                amount = Evidence(60, f"amount = {'open' if len(group) == 1 else 'open amounts'} - "
                                      f"{describe(mode)}")
                return Proposal(candidate.customer, parts, 0, self.reference_evidence(candidate, group), amount,
                                 flags=[f"the customer's profile says {profile}"])
        if quoted:
            group = [p for p in quoted if self.state.open[p] > 0]
            gross = sum(self.state.open[p] for p in group)
            reference = self.reference_evidence(candidate, group)
            if group and target < gross:
                parts = self.deductions.oldest_first(group, target, customer.withholding)
                spent = sum(part.applied for part in parts)
                shown = f"{target / 10**now.places:,.{now.places}f} of {gross / 10**now.places:,.{now.places}f}"
                amount = Evidence(60 if now.partial_word else 25, f"partial payment: {shown}")
                expected = self.deductions.total(group, customer.withholding) if customer.withholding else None
                flags = ["more than the cash expected after withholding, less than the invoice"] \
                    if expected is not None and target > expected else []
                short = (expected if expected is not None and expected < target + 1 else gross) - target
                if 0 < short <= 2 * charges:
                    flags.append(f"short by {short / 10**now.places:,.{now.places}f}: bank charges above the "
                                 "tolerance?")
                return Proposal(candidate.customer, parts, target - spent, reference, amount, by_reference=True,
                                 flags=flags)
            if group and target > gross:
                parts = [Part(p, self.state.open[p]) for p in group]
                extra = target - gross
                amount = Evidence(20, f"overpayment by {extra / 10**now.places:,.{now.places}f}")
                # more than half as much again, or a narrative that was cut or says ETC: perhaps invoices
                # it does not quote (a combination of them was looked for and not found)
                payable = [p for p in positive if p not in candidate.refs and self.state.open[p] <= extra]
                cut = bool(_MORE.search(now.narrative.folded)) or len(now.narrative.folded) % FIELD_WIDTH == 0
                flags = [f"the excess could pay {len(payable)} other open invoice(s) of the customer"] \
                    if payable and (2 * extra >= gross or cut) else []
                return Proposal(candidate.customer, parts, extra, reference, amount, by_reference=True,
                                 flags=flags, overpaid=True)
        if not positive:
            return Proposal(candidate.customer, [], target, NO_EVIDENCE, NO_EVIDENCE,
                             flags=[f"{customer.customer_id} has no open invoice in {now.currency}"])
        parts = self.deductions.oldest_first(positive, target, customer.withholding)
        spent = sum(part.applied for part in parts)
        flags = ["quotes " + ", ".join(self.state.items[p].invoice_no for p in quoted)
                 + " but the amount does not fit"] if quoted else []
        if target < self.state.open[positive[0]]:
            amount = Evidence(60 if now.partial_word else 25,
                              f"partial payment? {target / 10**now.places:,.{now.places}f} of "
                              f"{self.state.open[positive[0]] / 10**now.places:,.{now.places}f} on the oldest invoice")
        else:
            amount = Evidence(60 if now.partial_word else 25,
                              "amount fits no open invoice or combination: applied oldest first")
        flags.append("no invoice or combination fits the amount")
        return Proposal(candidate.customer, parts, target - spent, NO_EVIDENCE, amount, flags=flags)


def read_numbers(index: InvoiceIndex, line: StatementLine) -> Read:
    """The line's narrative as read for invoice numbers (a two-digit year written in full), the invoices it
    quotes, and those its bank reference quotes - looked for only when the narrative quotes none by 85 points
    or more (None: not looked for, as :meth:`Invoices.quoted` may still need them)."""
    narrative = written = prepare(line.narrative)
    narrative = index.with_full_years(narrative)
    hits = index.find(narrative)
    if narrative is not written:  # INV-25-01519: the year written short, as a separator variant at most
        hits = {p: Hit(min(h.points, 90), f'{h.reason.split(" as ")[0].split(" (")[0]} with the year written '
                       "short", h.start, h.end) if h.points >= 85 else h for p, h in hits.items()}
    in_reference = None
    if line.bank_reference and not any(h.points >= 85 for h in hits.values()):
        in_reference = index.find(prepare(line.bank_reference))
    return narrative, hits, in_reference


def one_edit(written: str, number: str) -> str:
    """How a quoted number differs from an invoice number by one edit of its serial - "two digits swapped" or
    "one digit wrong" - or "" when it does not (the other groups of digits, such as the year, must agree).

    >>> one_edit("INV 07237", "AOS/25/07273"), one_edit("INV-2025-00143", "INV-2025-00142")
    ('two digits swapped', 'one digit wrong')
    >>> one_edit("INV-2024-00142", "INV-2025-00143"), one_edit("INV-2025-00142", "INV-2025-00142")
    ('', '')
    """
    quoted, own = _DIGITS.findall(written), _DIGITS.findall(number)
    if not quoted or not own or len(quoted[-1]) != len(own[-1]) or len(own[-1]) < 3:
        return ""
    if not all(any(g == o or (len(g) == 2 and o.endswith(g)) or (len(o) == 2 and g.endswith(o)) for o in own[:-1])
               for g in quoted[:-1]):
        return ""
    a, b = quoted[-1], own[-1]
    wrong = [n for n in range(len(a)) if a[n] != b[n]]
    if len(wrong) == 1:
        return "one digit wrong"
    if len(wrong) == 2 and wrong[1] == wrong[0] + 1 and a[wrong[0]] == b[wrong[1]] and a[wrong[1]] == b[wrong[0]]:
        return "two digits swapped"
    return ""
