"""Invoice numbers: unique and sequential per series and year, never reused.

A number is ``SERIES-YEAR-NNNNN`` (``INV-2025-00042``; credit notes ``CN-2025-00001``). The next number is
always derived from the register itself (the highest number of that series and year, plus one), and the new
numbers are written in the same atomic save as the invoices that carry them. So a run that fails before its
save has issued nothing: the next run hands out the same numbers and the series has no gap; a run that saved
has moved the register on, and nothing is numbered twice. A gap can only come from a row deleted by hand,
and :func:`gaps` lists those so the accountant can explain them (a wrong invoice is credited, not deleted).

>>> next_numbers(["INV-2025-00041", "INV-2025-00007", "INV-2024-00300"], "INV", 2025, 2)
['INV-2025-00042', 'INV-2025-00043']
>>> next_numbers([], "CN", 2026, 1, digits=4)
['CN-2026-0001']
>>> gaps(["INV-2025-00001", "INV-2025-00002", "INV-2025-00005"], "INV")
['INV-2025-00003', 'INV-2025-00004']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from arxl.core.errors import BadValue


def _pattern(series: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(series)}-(\d{{4}})-(\d+)")


def format_number(series: str, year: int, sequence: int, digits: int = 5) -> str:
    """``INV``, 2025, 42 -> ``INV-2025-00042``."""
    if not series or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", series):
        raise BadValue(f'invoice series "{series}" must be letters and digits, starting with a letter')
    if not 1 <= digits <= 9:
        raise BadValue(f"Invoice Digits {digits} must be between 1 and 9")
    return f"{series}-{year:04d}-{sequence:0{digits}d}"


def parse_number(number: str, series: str) -> tuple[int, int] | None:
    """(year, sequence) of a number of the series, or None when it is not one of them."""
    match = _pattern(series).fullmatch(number.strip())
    return (int(match[1]), int(match[2])) if match else None


def next_numbers(existing: Iterable[str], series: str, year: int, count: int, digits: int = 5) -> list[str]:
    """The next ``count`` numbers of a series for a year, after the highest one already issued."""
    highest = max((seq for y, seq in filter(None, (parse_number(n, series) for n in existing)) if y == year),
                  default=0)
    return [format_number(series, year, highest + k, digits) for k in range(1, count + 1)]


def gaps(existing: Iterable[str], series: str) -> list[str]:
    """Numbers missing inside each year's run of a series, to be explained (or credited, never reused)."""
    by_year: dict[int, set[int]] = defaultdict(set)
    widths: dict[int, int] = {}
    for number in existing:
        parsed = parse_number(number, series)
        if parsed:
            by_year[parsed[0]].add(parsed[1])
            widths[parsed[0]] = max(widths.get(parsed[0], 0), len(number.rsplit("-", 1)[1]))
    missing = []
    for year in sorted(by_year):
        seen = by_year[year]
        missing += [format_number(series, year, n, widths[year]) for n in range(1, max(seen)) if n not in seen]
    return missing
