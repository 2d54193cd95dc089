"""An in-memory Excel behind xlwings' own front end, for the tests and the round-trip bench.

Use the fixture ``memory_app`` (``from tests.xlmemory import memory_app`` in a test module or a conftest):
an ``xw.App`` of the "memory" engine, made the active engine for the test and the previous one restored
after; ``app.books.open(path)`` loads an xlsx, ``book.save(path)`` writes one. :data:`CALLS` counts every
call into the engine (``CALLS.total()``, or per ``Class.member``); :func:`reset` starts afresh.
See :mod:`tests.xlmemory.engine` for what the engine does as Excel would, and what it does not do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import xlwings as xw

from tests.xlmemory.base import CALLS, reset
from tests.xlmemory.engine import Engine

__all__ = ["CALLS", "activated", "alerts", "engine", "memory_app", "reset", "statuses"]


def engine() -> Any:
    """The memory engine, registered with xlwings under the name "memory" (once)."""
    found = xw.engines.engines_by_name.get("memory")
    if found is None:
        found = xw.main.Engine(impl=Engine())
        xw.engines.add(found)
    return found


@contextmanager
def activated() -> Iterator[Any]:
    """A fresh app of the memory engine, the active engine meanwhile; the previous engine active again after."""
    before = xw.engines.active
    memory = engine()
    memory.activate()
    app = xw.App(visible=False, add_book=False)
    try:
        yield app
    finally:
        for book in list(app.books):
            book.close()
        app.quit()
        xw.engines.active = before


@pytest.fixture
def memory_app() -> Iterator[Any]:
    with activated() as app:
        yield app


def statuses(app: Any) -> list[str]:
    """What was shown in the app's status bar, in order."""
    return list(app.impl._statuses)


def alerts(app: Any) -> list[str]:
    """The alerts the app showed."""
    return list(app.impl._alerts)
