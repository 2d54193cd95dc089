"""Big jobs on this machine's two cores: one piece of reading done in a child while this process does another,
and Python's cycle collector paused while hundreds of thousands of records are built.

``arxl match`` reads three files before it can match: the statement's 50,000 lines take about as long as the
200,000 open items. On a system that can fork, :func:`in_background` reads one in a child process while this
one reads the others; the result comes back pickled. Anything at all that goes wrong over there (an error in
the file, a child that dies, a system that cannot fork) gives None, and the caller reads the file itself, so
that its error is raised and reported here exactly as without the child.

>>> with in_background(sorted, [3, 1, 2]) as pending:
...     pending.result()
[1, 2, 3]
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """The result of a call made in a child process, once it is there."""

    def __init__(self, future: Any | None) -> None:
        self._future = future

    def result(self) -> T | None:
        """The call's result, or None when it failed or could not run in a child (then do it here)."""
        if self._future is None:
            return None
        try:
            return self._future.result()  # type: ignore[no-any-return]
        except BaseException:
            return None


@contextlib.contextmanager
def in_background(call: Callable[..., T], *args: Any, **kwargs: Any) -> Iterator[Pending[T]]:
    """Run ``call(*args, **kwargs)`` in a forked child while the ``with`` block runs here."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield Pending(None)
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            future = pool.submit(call, *args, **kwargs)
        except Exception:
            future = None
        yield Pending(future)


@contextlib.contextmanager
def in_background_each(call: Callable[..., T], arguments: Sequence[tuple[Any, ...]]) -> Iterator[list[Pending[T]]]:
    """``call(*args)`` for each of ``arguments``, one after the other in one forked child, while the ``with``
    block runs here: each result can be taken as soon as it is there."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield [Pending(None) for _ in arguments]
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        futures: list[Any] = []
        for args in arguments:
            try:
                futures.append(pool.submit(call, *args))
            except Exception:
                futures.append(None)
        yield [Pending(f) for f in futures]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cycle collector off for a bulk job that makes no reference cycles, on again after it: building half
    a million records (a ledger read, the matcher's indexes) makes it walk the growing heap again and again,
    a third to a half of the time. Memory is still freed as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
