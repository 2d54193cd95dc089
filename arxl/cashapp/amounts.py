"""Why the amount differs, and which invoices a payment can be for: expected cash and bounded combinations.

A customer rarely sends exactly what is open. A ministry withholds the VAT and 3 % of the VAT-exclusive
amount; a foreign client's transfer arrives 25 USD short after bank charges; someone pays three invoices in
one transfer and quotes none. For each open invoice the matcher knows the cash to expect in each
*withholding mode* (nothing withheld, or what the customer's profile says), and looks for the invoices whose
expected cash adds up to the receipt:

* exactly, or within the rounding tolerance (one unit: 1 RWF, 0.01 USD);
* or short by no more than the bank-charges tolerance of the currency (45 USD; none for RWF by default).

Amounts are counted in the currency's smallest unit (whole francs, cents) as integers, so nothing is lost.

>>> combinations([500, 300, 200, 700], low=1000, high=1000, max_items=3)
([(1, 3), (0, 1, 2)], True)

The search is bounded: at most ``max_items`` invoices in one payment and a budget of steps, so a customer
with hundreds of open invoices cannot stall a statement. When the budget runs out the answer says the
search was incomplete and the matcher does not treat what it found as the only possibility.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from arxl.core import withholding
from arxl.core.tax import WithholdingRates
from arxl.ledger.matching import OpenInvoice

__all__ = ["KIND_LABELS", "Mode", "combinations", "describe", "from_units", "to_units", "withheld_units"]

Mode = frozenset[str]
"""What a customer withholds: ``frozenset()`` for nothing, ``{"vat", "wht3"}`` for VAT and 3 % WHT."""
GROSS: Mode = frozenset()
KIND_LABELS = {k.code: k.label for k in withholding.kinds()}
"""The words of each kind in the matcher's reasons, from :mod:`arxl.core.withholding`'s table."""
DEDUCTION_TYPES: dict[str, str] = {k.code: k.deduction for k in withholding.kinds()}
"""The deduction type each kind is cleared as."""
OTHER_MODES: tuple[Mode, ...] = withholding.proposed_modes()
"""Withholding a customer may apply although its profile does not say so: found, but only proposed."""
KINDS: tuple[str, ...] = withholding.codes()
"""The kinds in table order: :func:`kind_units` gives one figure per kind, in this order."""


def to_units(amount: Decimal, places: int) -> int:
    """An amount in the currency's smallest unit: 1,180.50 USD is 118,050 cents.

    >>> to_units(Decimal("1180.5"), 2), to_units(Decimal("970000"), 0)
    (118050, 970000)
    """
    return int(amount.scaleb(places).to_integral_value(rounding=ROUND_HALF_UP))


def from_units(units: int, places: int) -> Decimal:
    """Back from the smallest unit, with the currency's decimals: 118050 cents is 1180.50.

    >>> from_units(118050, 2), from_units(-3, 0)
    (Decimal('1180.50'), Decimal('-3'))
    """
    return Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def describe(mode: Mode) -> str:
    """The withholding in words: ``VAT withheld and 3% WHT``.

    >>> describe(frozenset({"wht3", "vat"})), describe(frozenset())
    ('VAT withheld and 3% WHT', 'nothing withheld')
    """
    if not mode:
        return "nothing withheld"
    return " and ".join(k.label for k in withholding.kinds() if k.code in mode)


def withheld_units(item: OpenInvoice, mode: Mode, places: int, rates: WithholdingRates) -> dict[str, int]:
    """What the customer keeps back on the whole invoice in this mode, per kind, in units.

    The same figures as :func:`~arxl.core.tax.withholding_amounts` (the VAT share of the VAT, 3 % or 15 % of
    the VAT-exclusive amount, rounded half up to the currency unit), in whole-unit arithmetic: a statement is
    matched against hundreds of thousands of invoices.

    >>> item = OpenInvoice("INV-1", "C1", "X", None, None, "USD", Decimal("1000.50"), Decimal("180.09"),  # type: ignore
    ...                 Decimal("1180.59"), Decimal("1180.59"))
    >>> withheld_units(item, frozenset({"vat", "wht3"}), 2, WithholdingRates())
    {'vat': 18009, 'wht3': 3002}
    >>> from arxl.core.tax import withholding_amounts
    >>> {k: to_units(v, 2) for k, v in withholding_amounts(item.net_amount, item.vat_amount, {"vat", "wht3"},
    ...                                                    "USD").items()}
    {'vat': 18009, 'wht3': 3002}
    """
    if not mode:
        return {}
    kinds = kind_units(item, places, rates)
    return {k.code: kinds[n] for n, k in enumerate(withholding.kinds()) if k.code in mode}


def kind_units(item: OpenInvoice, places: int, rates: WithholdingRates) -> tuple[int, int, int]:
    """What would be withheld on the whole invoice, per kind of the table (VAT, 3 %, 15 %), in units.

    One figure per kind in :data:`KINDS` order. (Typed as three until the matcher's cache takes
    ``tuple[int, ...]``; the figures follow the table whatever its length.)
    """
    bases = {"vat_amount": to_units(item.vat_amount, places), "net_amount": to_units(item.net_amount, places)}
    return cast(tuple[int, int, int], tuple(_share(bases[k.base], rates[k.code]) for k in withholding.kinds()))


def _share(units: int, rate: Decimal) -> int:
    """``units x rate`` rounded half away from zero, as Excel's ROUND."""
    numerator, denominator = rate.as_integer_ratio()
    magnitude = (2 * abs(units) * numerator + denominator) // (2 * denominator)
    return -magnitude if units < 0 else magnitude


def combinations(
    values: Sequence[int], low: int, high: int, max_items: int, limit: int = 6, budget: int = 40_000,
    at_least: int = 1,
) -> tuple[list[tuple[int, ...]], bool]:
    """Sets of positions (``at_least`` to ``max_items`` of them) whose values add up to between ``low`` and
    ``high``.

    Values must be positive. Returns at most ``limit`` sets, largest values tried first, and whether the
    search was complete (False when the budget of steps ran out or the limit was reached).

    >>> combinations([5, 5, 3], 10, 10, 2)
    ([(0, 1)], True)
    >>> combinations([5, 5, 5], 10, 10, 2)[0]
    [(0, 1), (0, 2), (1, 2)]
    """
    # largest first, ties in the order given (a sort in reverse keeps equal values in their order)
    order = sorted(range(len(values)), key=values.__getitem__, reverse=True)
    ordered = [values[i] for i in order]
    negated = [-v for v in ordered]  # ascending, for bisect
    count = len(ordered)
    running = [0, *itertools.accumulate(ordered)]
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []
    steps = 0
    complete = True

    def search(start: int, total: int, depth: int) -> bool:
        """Extend the chosen set (``depth`` positions) from ``start`` on; True to stop the whole search."""
        nonlocal steps, complete
        if depth >= at_least and low <= total <= high:
            found.append(tuple(sorted(order[i] for i in chosen)))
            if len(found) >= limit:
                complete = False
                return True
        room = max_items - depth
        if room == 0:
            return False
        first = bisect_left(negated, total - high, lo=start)  # skip values that overshoot
        if room == 1:
            # the last position, worked out here rather than one call per value (the same steps, the same
            # sets in the same order): each value from `first` on fits until one falls short of `low`
            if depth + 1 < at_least:  # too few to count: only the steps
                stop = bisect_right(negated, total - low, lo=first)
                steps += stop - first + (stop < count)
                if steps > budget:
                    complete = False
                    return True
                return False
            for j in range(first, count):
                steps += 1
                if steps > budget:
                    complete = False
                    return True
                if total + ordered[j] < low:
                    break
                found.append(tuple(sorted([*(order[i] for i in chosen), order[j]])))
                if len(found) >= limit:
                    complete = False
                    return True
            return False
        for j in range(first, count):
            steps += 1
            if steps > budget:
                complete = False
                return True
            if total + running[min(count, j + room)] - running[j] < low:
                break  # even the largest values left cannot reach the target
            chosen.append(j)
            stop = search(j + 1, total + ordered[j], depth + 1)
            chosen.pop()
            if stop:
                return True
        return False

    search(0, 0, 0)
    return found, complete


def singles_and_pairs(values: Sequence[int], low: int, high: int, pairs: bool = True,
                      limit: int = 8, ordered: tuple[list[int], list[int]] | None = None) -> list[tuple[int, ...]]:
    """Positions of one value, or two, adding up to between ``low`` and ``high``, over all values (sorted once,
    then looked up: fast for a customer with thousands of open invoices). At most ``limit`` answers.

    >>> singles_and_pairs([700, 300, 1000, 500], 1000, 1000)
    [(2,), (0, 1)]
    """
    if ordered is None:  # positions sorted by value, and the values so sorted (given when cached)
        order = sorted(range(len(values)), key=values.__getitem__)
        ordered = (order, [values[i] for i in order])
    order, by_value = ordered
    found: list[tuple[int, ...]] = [(order[k],) for k in range(bisect_left(by_value, low),
                                                               bisect_right(by_value, high))]
    if len(found) >= limit or not pairs:
        return found[:limit]
    top = len(by_value) - 1  # two pointers: the partner of a larger value is never larger
    for x, value in enumerate(by_value):
        if value + value > high:
            break
        while top > x and value + by_value[top] > high:
            top -= 1
        if top <= x:
            break
        k = top
        while k > x and value + by_value[k] >= low:
            found.append(tuple(sorted((order[x], order[k]))))
            if len(found) >= limit:
                return found
            k -= 1
    return found


def first_fits(values: Iterable[int], low: int, high: int, longest: int = 60) -> list[int]:
    """Lengths n such that the first n values (oldest first) add up to between ``low`` and ``high``.

    >>> first_fits([100, 200, 300], 300, 300)
    [2]
    """
    total = 0
    fits = []
    for n, value in enumerate(values, start=1):
        if n > longest:
            break
        total += value
        if low <= total <= high:
            fits.append(n)
        if total > high:
            break
    return fits
