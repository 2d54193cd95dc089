"""The bounded search of invoice combinations (:func:`arxl.cashapp.amounts.combinations`) gives the same sets, in
the same order, and gives up at the same step as the plain recursive search it replaced (kept here as the
reference): a faster search must never change which invoices a receipt is applied to."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Sequence

from arxl.cashapp.amounts import combinations


def reference(values: Sequence[int], low: int, high: int, max_items: int, limit: int = 6, budget: int = 40_000,
              at_least: int = 1) -> tuple[list[tuple[int, ...]], bool]:
    """The search as it was: one recursive call per value tried."""
    order = sorted(range(len(values)), key=lambda i: (-values[i], i))
    ordered = [values[i] for i in order]
    negated = [-v for v in ordered]
    count = len(ordered)
    running = [0]
    for value in ordered:
        running.append(running[-1] + value)
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []
    steps = 0
    complete = True

    def search(start: int, total: int) -> bool:
        nonlocal steps, complete
        if len(chosen) >= at_least and low <= total <= high:
            found.append(tuple(sorted(order[i] for i in chosen)))
            if len(found) >= limit:
                complete = False
                return True
        room = max_items - len(chosen)
        if room == 0:
            return False
        first = bisect_left(negated, total - high, lo=start)
        for j in range(first, count):
            steps += 1
            if steps > budget:
                complete = False
                return True
            if total + running[min(count, j + room)] - running[j] < low:
                break
            chosen.append(j)
            stop = search(j + 1, total + ordered[j])
            chosen.pop()
            if stop:
                return True
        return False

    search(0, 0)
    return found, complete


def test_a_receipt_of_three_invoices_is_found_as_before() -> None:
    # 1,180,000 + 590,000 + 236,000 RWF: three invoices paid together
    values = [1_180_000, 590_000, 236_000, 472_000, 118_000, 354_000]
    assert combinations(values, 2_006_000, 2_006_000, 3) == reference(values, 2_006_000, 2_006_000, 3)
    assert (0, 1, 2) in combinations(values, 2_006_000, 2_006_000, 3)[0]


def test_same_sets_same_order_same_give_up_on_random_pools() -> None:
    rng = random.Random(14)
    for _ in range(3000):
        size = rng.randint(0, 24)
        scale = rng.choice([10, 100, 1000])
        values = [rng.randint(1, 40) * scale for _ in range(size)]
        target = sum(rng.sample(values, min(len(values), rng.randint(1, 5)))) if values else scale
        window = rng.choice([0, 0, 1, scale, 5 * scale])
        low, high = target - rng.choice([0, 1]), target + window
        max_items = rng.randint(1, 6)
        limit = rng.choice([1, 2, 6, 50])
        budget = rng.choice([5, 50, 500, 40_000])
        at_least = rng.choice([1, 1, 2, 3, 4])
        assert combinations(values, low, high, max_items, limit, budget, at_least) == \
            reference(values, low, high, max_items, limit, budget, at_least), (values, low, high, max_items, limit,
                                                                               budget, at_least)
