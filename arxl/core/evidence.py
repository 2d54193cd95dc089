"""Evidence that a bank line pays an invoice: its strength 0-100 and why, in words; and the score they make.

See :mod:`arxl.core.scoring` for how the three kinds of evidence (reference, name, amount) are combined.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NO_EVIDENCE", "Evidence", "Score"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One kind of evidence: its strength 0-100 and why, in words ("" when there is none)."""

    points: int
    reason: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.points <= 100:
            raise ValueError(f"evidence points {self.points} are not between 0 and 100")


NO_EVIDENCE = Evidence(0)


@dataclass(frozen=True, slots=True)
class Score:
    """How sure we are that a bank line pays an invoice (0-100), and the evidence in words."""

    score: int
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """The reasons joined for a cell: ``invoice number in narrative; amount = open - 3% WHT``."""
        return "; ".join(self.reasons)
