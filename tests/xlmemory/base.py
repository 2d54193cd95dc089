"""What every object of the memory engine shares: the count of calls into it, and loud gaps."""

from __future__ import annotations

from collections import Counter
from typing import Any

CALLS: Counter[str] = Counter()
"""Calls into the engine, per ``Class.member``; ``CALLS.total()`` is the number of round trips."""

_FREE = {"options", "api", "max_cells_per_read", "max_cells_per_write", "engine", "xl"}


class Counted:
    """Counts public member reads and writes; a member that is not implemented raises NotImplementedError."""

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_") and name not in _FREE:
            CALLS[f"{type(self).__name__}.{name}"] += 1
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and name not in _FREE:
            CALLS[f"{type(self).__name__}.{name}="] += 1
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(f"the memory engine does not implement {type(self).__name__}.{name}")


def reset() -> None:
    """Start counting afresh."""
    CALLS.clear()


