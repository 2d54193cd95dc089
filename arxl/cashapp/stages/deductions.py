"""Why does the amount differ? The cash an open item expects, and the deductions that clear it.

An open item paid in a withholding mode (the customer's profile, or another one looked at when nothing else
fits) expects its open amount less the VAT and withholding taxes on the whole invoice
(:func:`arxl.cashapp.amounts.kind_units`); a part-paid invoice still expects its open amount less the whole
withholding. What is left between the cash and the expected amount is rounding (within
``MatchSettings.rounding_units``) or bank charges (within the currency's tolerance): the *tier* of a fit, 0,
1 or 2. :meth:`Deductions.settle` turns a fit into the parts that clear each invoice, with each deduction
typed (``vat_withheld``, ``wht``, ``rounding``, ``bank_charges``); :meth:`Deductions.amount_evidence`
says how well the amount fits, in points.

The expected cash of a customer's invoices is cached per mode until an automatic match clears one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from arxl.cashapp.amounts import DEDUCTION_TYPES, KINDS, Mode, describe, kind_units, to_units
from arxl.cashapp.stages.state import LineFacts, MatchState, Part
from arxl.core.evidence import Evidence
from arxl.ledger.matching import DeductionType, UsualCharge

__all__ = ["Deductions"]


class Deductions:
    """The cash each open item expects, the tier of a difference, and the parts that clear the invoices."""

    def __init__(self, state: MatchState) -> None:
        self.state = state
        self._kind_units: list[tuple[int, int, int] | None] = [None] * len(state.items)
        self._values: dict[tuple[int, str, Mode], tuple[int, list[int], list[int]]] = {}
        self._sorted: dict[tuple[int, str, Mode], tuple[list[int], list[int]]] = {}  # same, by value
        self._value_of: dict[tuple[int, str, Mode], dict[int, int]] = {}

    def expect(self, position: int, mode: Mode) -> tuple[int, dict[str, int]] | None:
        """Cash to expect on an open item in a withholding mode, and what is withheld; None if it cannot be.

        Withholding is on the whole invoice and taken when it is settled, so a part-paid invoice still
        expects its open amount less the whole withholding."""
        open_units = self.state.open[position]
        if not mode:
            return open_units, {}
        if open_units <= 0:
            return None
        kinds = self.kinds(position)
        withheld = {kind: kinds[n] for n, kind in enumerate(KINDS) if kind in mode}
        rest = open_units - sum(withheld.values())
        return (rest, withheld) if rest > 0 and all(v > 0 for v in withheld.values()) else None

    def kinds(self, position: int) -> tuple[int, int, int]:
        kinds = self._kind_units[position]
        if kinds is None:
            state = self.state
            kinds = self._kind_units[position] = kind_units(
                state.items[position], state.places[state.currency[position]], state.settings.withholding_rates)
        return kinds

    def mode_values(self, customer: int, currency: str, mode: Mode) -> tuple[list[int], list[int]]:
        """The customer's open invoices (oldest first) that can be paid in this mode, and the cash expected."""
        key = (customer, currency, mode)
        version = self.state.versions.get(customer, 0)
        cached = self._values.get(key)
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        book = self.state.by_customer.get((customer, currency), ())
        open_units = self.state.open
        eligible = [p for p in book if open_units[p] > 0]
        values = [open_units[p] for p in eligible]
        if mode:
            chosen = [n for n, kind in enumerate(KINDS) if kind in mode]
            kept: list[int] = []
            rests: list[int] = []
            for p, value in zip(eligible, values, strict=True):
                kinds = self.kinds(p)
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

    def by_value(self, customer: int, currency: str, mode: Mode, values: list[int]) -> tuple[list[int], list[int]]:
        """The positions of :meth:`mode_values` sorted by value, and the values so sorted (kept)."""
        key = (customer, currency, mode)
        known = self._sorted.get(key)
        if known is None:
            order = sorted(range(len(values)), key=values.__getitem__)
            known = self._sorted[key] = (order, [values[i] for i in order])
        return known

    def value_of(self, customer: int, currency: str, mode: Mode, eligible: list[int],
                 values: list[int]) -> dict[int, int]:
        """The cash expected of each invoice of :meth:`mode_values`, by position (kept)."""
        key = (customer, currency, mode)
        known = self._value_of.get(key)
        if known is None:
            known = self._value_of[key] = dict(zip(eligible, values, strict=True))
        return known

    def charges(self, now: LineFacts, customer: int = -1) -> int:
        """The largest shortfall read as bank charges: the currency's tolerance, or the payer's usual charge
        when its own receipts always lost more."""
        default = to_units(self.state.settings.bank_charges.get(now.currency, Decimal(0)), now.places)
        usual = self.usual(customer, now.currency)
        return max(default, to_units(usual.tolerance, now.places)) if usual is not None else default

    def usual(self, customer: int, currency: str) -> UsualCharge | None:
        """The payer's usual bank charge in the currency, if its history (or a MatchRules row) gives one."""
        if customer < 0 or not self.state.settings.usual_charges:
            return None
        return self.state.settings.usual_charges.get((self.state.customers[customer].customer_id, currency))

    def total(self, positions: Sequence[int], mode: Mode) -> int | None:
        total = 0
        for p in positions:
            expected = self.expect(p, mode) if self.state.open[p] > 0 else (self.state.open[p], {})
            if expected is None:
                return None
            total += expected[0]
        return total

    def tier(self, difference: int) -> int:
        if difference == 0:
            return 0
        return 1 if abs(difference) <= self.state.settings.rounding_units else 2

    def settle(self, invoices: list[int], mode: Mode, difference: int, currency: str) -> list[Part]:
        """Parts that clear each invoice in full: expected cash, withholding, and on the last one the
        rounding difference or bank charges."""
        parts: list[Part] = []
        for n, p in enumerate(invoices):
            expected = self.expect(p, mode) if self.state.open[p] > 0 else (self.state.open[p], {})
            assert expected is not None
            applied, withheld = expected
            deductions: list[tuple[DeductionType, int]] = [
                (DEDUCTION_TYPES[kind], units) for kind, units in withheld.items()]  # type: ignore[misc]
            if n == len(invoices) - 1 and difference:
                kind: DeductionType = "rounding" if abs(difference) <= self.state.settings.rounding_units \
                    else "bank_charges"
                deductions.append((kind, difference))
                applied -= difference
            parts.append(Part(p, applied, tuple(deductions)))
        return parts

    def amount_evidence(self, invoices: Sequence[int], mode: Mode, difference: int, places: int,
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

    def oldest_first(self, invoices: Sequence[int], cash: int, mode: Mode) -> list[Part]:
        """The cash applied to the invoices in turn: each cleared in full (with the customer's withholding)
        while the cash lasts, the last one in part."""
        parts = []
        for p in invoices:
            if cash <= 0:
                break
            expected = self.expect(p, mode) if mode else None
            if expected is not None and cash >= expected[0]:
                parts.append(Part(p, expected[0], tuple(
                    (DEDUCTION_TYPES[kind], units) for kind, units in expected[1].items())))  # type: ignore[misc]
                cash -= expected[0]
                continue
            applied = min(cash, self.state.open[p])
            parts.append(Part(p, applied))
            cash -= applied
        return parts

    def expects(self, p: int, cash: int) -> bool:
        """Whether open item ``p`` expects exactly ``cash``: its open amount, or that after its customer's
        withholding."""
        if self.state.open[p] == cash:
            return True
        mode = self.state.customers[self.state.owner[p]].withholding
        expected = self.expect(p, mode) if mode else None
        return expected is not None and expected[0] == cash
