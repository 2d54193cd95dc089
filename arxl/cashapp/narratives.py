"""A bank narrative as the invoice index reads it: folded once and cut into runs of letters and of digits, and
the small rules about where a number stands in it (joined to what is written before it, alone or part of a
longer number). :class:`Hit` is an open invoice found in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from arxl.core.text import fold

__all__ = ["Hit", "Prepared", "close_to_before", "prepare", "shown_text", "stands_alone", "written_before"]

_RUN = re.compile(r"[A-Z]+|[0-9]+")
_TIGHT = frozenset({"", " ", ".", ",", "-", "/", "'"})


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text folded once and cut into runs of letters and of digits: ``(run, start, end)``."""

    folded: str
    runs: tuple[tuple[str, int, int], ...]

    @property
    def words(self) -> frozenset[str]:
        return frozenset(r for r, _, _ in self.runs if r[0].isalpha())


def prepare(text: str) -> Prepared:
    """Fold a narrative and find its runs of letters and digits."""
    folded = fold(text) if isinstance(text, str) else ""
    return Prepared(folded, tuple((m.group(), m.start(), m.end()) for m in _RUN.finditer(folded)))


@dataclass(frozen=True, slots=True)
class Hit:
    """An open invoice named in a narrative: points as in :mod:`arxl.cashapp.references`, the reason, where it
    was found."""

    points: int
    reason: str
    start: int
    end: int


def shown_text(text: Prepared, start: int, end: int) -> str:
    return text.folded[start:end].strip()


def close_to_before(runs: Sequence[tuple[str, int, int]], j: int) -> bool:
    """At most three separator characters between run ``j`` and the one before it."""
    return j > 0 and runs[j][1] - runs[j - 1][2] <= 3


def written_before(text: Prepared, j: int, head: str, need: str) -> int | None:
    """Where ``need`` (say ``INV2025``) is written just before the serial in run ``j``, or None.

    ``head`` is what run ``j`` holds before the serial (``2025`` in ``202500042``). Earlier runs join on with
    at most three separator characters between them. A group of digits must start where a number starts
    (``2025`` is not in ``12025``); letters may be glued to other letters (``PMTINV2025``).
    """
    if not need:
        start = text.runs[j][1]
        return None if head or (start and text.folded[start - 1].isdigit()) else start
    runs = text.runs
    k = j
    current = head
    offset_end = runs[j][1] + len(head)  # where `current` ends in the folded text
    while True:
        if current:
            if len(current) >= len(need):
                if not current.endswith(need):
                    return None
                if len(current) > len(need) and need[0].isdigit():
                    return None
                start = offset_end - len(need)
                return None if start and text.folded[start - 1].isdigit() else start
            if not need.endswith(current):
                return None
            need = need[: -len(current)]
        if not close_to_before(runs, k):
            return None
        k -= 1
        current = runs[k][0]
        offset_end = runs[k][2]


def stands_alone(text: Prepared, j: int) -> bool:
    """A group of digits that is no part of a longer number, a phone number or an amount (0788 123 042)."""
    runs = text.runs
    _, start, end = runs[j]
    for k in range(j - 1, -1, -1):
        if runs[k][0][0].isdigit():
            if text.folded[runs[k][2] : start] in _TIGHT:
                return False
            break
    for k in range(j + 1, len(runs)):
        if runs[k][0][0].isdigit():
            if text.folded[end : runs[k][1]] in _TIGHT:
                return False
            break
    return True
