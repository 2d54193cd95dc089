"""Aging: how long an open amount has been overdue, and the buckets of the aging report.

The age of an open item is the as-of date less its due date, in days (or less its invoice date, as an
option). An item not yet due (age 0 or less) is *Current*; the others fall in buckets whose upper bounds are
inclusive: day 30 is in 1-30 and day 31 in 31-60. The buckets add up to the total outstanding, which must
equal the AR control account; credit notes and unapplied cash are negative amounts and are added in too.

>>> scheme = parse_buckets("30, 60, 90, 120")
>>> scheme.labels
('Current', '1-30', '31-60', '61-90', '91-120', 'Over 120')
>>> [scheme.label(d) for d in (0, 1, 30, 31, 120, 121)]
['Current', '1-30', '1-30', '31-60', '91-120', 'Over 120']
>>> days_past_due(date(2025, 6, 30), as_of=date(2025, 7, 31))
31
>>> items = [(-5, Decimal("100000")), (31, Decimal("250000")), (45, Decimal("-50000"))]  # the last: a credit
>>> totals = bucket_totals(items, scheme)
>>> totals["Current"], totals["31-60"], totals["Over 120"]
(Decimal('100000'), Decimal('200000'), Decimal('0'))
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from arxl.core.errors import BadValue

Basis = Literal["due_date", "invoice_date"]

_BOUND = re.compile(r"[0-9]{1,5}", re.ASCII)
_HELP = "write increasing day counts such as 30, 60, 90, 120"


@dataclass(frozen=True)
class BucketScheme:
    """Aging buckets by their inclusive upper bounds in days; the last bucket is "Over" the last bound."""

    bounds: tuple[int, ...] = (30, 60, 90, 120)

    def __post_init__(self) -> None:
        bounds = self.bounds
        if not isinstance(bounds, tuple) or not bounds:
            raise BadValue(f"aging buckets are empty; {_HELP}")
        for bound in bounds:
            if isinstance(bound, bool) or not isinstance(bound, int) or bound <= 0:
                raise BadValue(f"aging bucket {str(bound)[:20]} is not a positive number of days; {_HELP}")
        for before, after in pairwise(bounds):
            if after <= before:
                raise BadValue(f"aging buckets must increase: {after} comes after {before}; {_HELP}")

    @property
    def labels(self) -> tuple[str, ...]:
        """Current, one label per bound ("1-30", "31-60"...), then "Over" the last bound."""
        lowers = (0, *self.bounds[:-1])
        return ("Current", *(f"{low + 1}-{high}" for low, high in zip(lowers, self.bounds, strict=True)),
                f"Over {self.bounds[-1]}")

    def index(self, days_past_due: int) -> int:
        """The position of the bucket for an age in days (0 is Current)."""
        if days_past_due <= 0:
            return 0
        return 1 + bisect_left(self.bounds, days_past_due)

    def label(self, days_past_due: int) -> str:
        """The bucket's label for an age in days."""
        return self.labels[self.index(days_past_due)]


def parse_buckets(text: object) -> BucketScheme:
    """Bucket bounds from a Settings cell: day counts separated by commas or semicolons.

    >>> parse_buckets("30;60;90").labels
    ('Current', '1-30', '31-60', '61-90', 'Over 90')
    >>> parse_buckets("30, 90, 60")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: aging buckets must increase: 60 comes after 90; write increasing day counts ...
    """
    if isinstance(text, int) and not isinstance(text, bool):
        return BucketScheme((text,))
    if not isinstance(text, str) or not text.strip():
        if text is None or isinstance(text, str):
            raise BadValue(f"aging buckets are empty; {_HELP}")
        raise BadValue(f"aging buckets {str(text)[:20]!r} are not day counts; {_HELP}")
    bounds = []
    for piece in re.split(r"[,;]", text):
        word = piece.strip()
        if not _BOUND.fullmatch(word):
            shown = word if len(word) <= 20 else word[:17] + "..."
            raise BadValue(f'aging bucket "{shown}" is not a positive number of days; {_HELP}')
        bounds.append(int(word))
    return BucketScheme(tuple(bounds))


def days_past_due(due_date: date, as_of: date) -> int:
    """Days from the due date to the as-of date: negative before the due date, 0 on it."""
    return (as_of - due_date).days


def age(invoice_date: date, due_date: date, as_of: date, basis: Basis = "due_date") -> int:
    """The age of an item in days, counted from its due date (the default) or from its invoice date.

    >>> invoiced, due, as_of = date(2025, 1, 31), date(2025, 3, 2), date(2025, 3, 31)
    >>> age(invoiced, due, as_of), age(invoiced, due, as_of, "invoice_date")
    (29, 59)
    """
    if basis == "due_date":
        return days_past_due(due_date, as_of)
    if basis == "invoice_date":
        return (as_of - invoice_date).days
    raise BadValue(f'aging basis "{str(basis)[:20]}" is not "due_date" or "invoice_date"')


def bucket_totals(items: Iterable[tuple[int, Decimal]], scheme: BucketScheme) -> dict[str, Decimal]:
    """The total of each bucket for ``(days past due, amount)`` items; every bucket is present, in order."""
    labels = scheme.labels
    sums = [Decimal(0)] * len(labels)
    for days, amount in items:
        sums[scheme.index(days)] += amount
    return dict(zip(labels, sums, strict=True))
