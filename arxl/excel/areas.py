"""Cells grouped into the ranges Excel takes in one call: how the live host keeps its round trips to blocks.

Every call into Excel is a round trip (0.1 to 1 ms over COM, more on a Mac), so the live host never styles or
writes cell by cell. Here cells with the same value of one attribute (a number format, a fill, bold) become
boxes (a run of rows of one column, side-by-side runs over the same rows merged), and the boxes of one value
become multi-area addresses ("F5:H9,F12:H20"), at most 255 characters each as Excel requires. Pure functions:
no Excel here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, TypeVar

from arxl.ledger.port import column_letter

ADDRESS_LIMIT = 255  # Excel refuses a longer multi-area address
Box = tuple[int, int, int, int]  # first row, first column, last row, last column
K = TypeVar("K")


def column_runs(cells: dict[tuple[K, int, int], Any]) -> list[tuple[tuple[K, int, int, int], list[Any]]]:
    """Cells (key, column, row) -> value as runs of adjacent rows of one column: ((key, column, first, last),
    values in row order)."""
    runs: list[tuple[tuple[K, int, int, int], list[Any]]] = []
    for key, column, row in sorted(cells):
        if runs and runs[-1][0][0] == key and runs[-1][0][1] == column and runs[-1][0][3] == row - 1:
            (k, c, first, _), values = runs[-1]
            values.append(cells[(key, column, row)])
            runs[-1] = ((k, c, first, row), values)
        else:
            runs.append(((key, column, row, row), [cells[(key, column, row)]]))
    return runs


def adjacent(numbers: list[int]) -> list[list[int]]:
    """Sorted numbers as runs of consecutive ones: [1, 2, 3, 5] -> [[1, 2, 3], [5]]."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def chunks(areas: list[str]) -> list[str]:
    """Areas joined into addresses Excel takes (at most 255 characters each)."""
    joined: list[str] = []
    for area in areas:
        if joined and len(joined[-1]) + 1 + len(area) <= ADDRESS_LIMIT:
            joined[-1] += "," + area
        else:
            joined.append(area)
    return joined


def _merge(boxes: dict[Box, Any]) -> dict[Box, Any]:
    """Side-by-side boxes over the same rows with the same value become one."""
    merged: dict[Box, Any] = {}
    ends: dict[tuple[int, int, int, Any], Box] = {}  # (top, bottom, right column, value) -> the box ending there
    for (top, left, bottom, right), value in sorted(boxes.items(), key=lambda b: (b[0][1], b[0][0])):
        before = ends.pop((top, bottom, left - 1, value), None)
        if before is not None:
            del merged[before]
            left = before[1]
        merged[(top, left, bottom, right)] = value
        ends[(top, bottom, right, value)] = (top, left, bottom, right)
    return merged


def _addresses(boxes: dict[Box, Any]) -> list[tuple[str, Any]]:
    by_value: dict[Any, list[str]] = defaultdict(list)
    for (top, left, bottom, right), value in sorted(boxes.items()):
        first, last = f"{column_letter(left)}{top}", f"{column_letter(right)}{bottom}"
        by_value[value].append(first if first == last else f"{first}:{last}")
    return [(address, value) for value, areas in by_value.items() for address in chunks(areas)]


def ranges(cells: dict[tuple[int, int], Any], majority: bool = False) -> list[tuple[str, Any]]:
    """(address, value) to set in this order so that every cell (row, column) gets its value, one per distinct
    value and 255 characters of address. With ``majority`` (number formats, harmless on the blanks between),
    each column's commonest value is first laid over the column's whole span, and only the others are areas."""
    if not cells:
        return []
    laid: list[tuple[str, Any]] = []
    if majority:
        spans: dict[int, list[int]] = defaultdict(list)
        common: dict[int, Counter[Any]] = defaultdict(Counter)
        for (r, c), value in cells.items():
            spans[c].append(r)
            common[c][value] += 1
        base = {c: counts.most_common(1)[0][0] for c, counts in common.items()}
        laid = _addresses(_merge({(min(rows), c, max(rows), c): base[c] for c, rows in spans.items()}))
        cells = {(r, c): v for (r, c), v in cells.items() if v != base[c]}
    boxes: dict[Box, Any] = {}
    for (_, column, first, _), values in column_runs({(0, c, r): v for (r, c), v in cells.items()}):
        start = 0
        for i in range(1, len(values) + 1):
            if i == len(values) or values[i] != values[i - 1]:
                boxes[(first + start, column, first + i - 1, column)] = values[i - 1]
                start = i
    return laid + _addresses(_merge(boxes))
