"""The payers' names of a long statement looked up ahead, on the other core, while the lines are matched here.

Matching goes line by line, in order: what an automatic match clears is no longer open for the lines after it,
so deciding cannot be shared out. But which customers a line *names* depends on the line and the customers
only, not on what earlier lines cleared - and on a statement where many payers are known by name alone, that
search is about half of the work (:meth:`arxl.cashapp.payers.CustomerIndex.names`). So, from
:data:`PARALLEL_FROM` lines on a system that can fork, a child process made as the matching starts (with the
indexes already built) takes the lines in chunks of :data:`CHUNK` (but the first), finds those with no account
and no invoice number to go by - the ones whose payer will be looked up by name - and sends back what their
names give - and, for every receipt, which invoice numbers its narrative and bank reference quote, the part of
that reading that depends on the text and the index only, not on what is still open
(:meth:`~arxl.cashapp.stages.invoices.Invoices.read`; what is open is checked here). Before each chunk the
matcher takes whatever has come back and remembers it (:meth:`~arxl.cashapp.payers.CustomerIndex.remember`,
:meth:`~arxl.cashapp.stages.invoices.Invoices.remember`); a line whose names are not there yet is looked up here,
as without the child (which sees how far the matching has come, and gives up a chunk the matching has reached, to
go on with the next: a child that falls behind jumps ahead instead of working alongside, too late). The
answers are those the matcher would work out itself (the same function on the same index), so the allocations
are the same line by line, with or without the child; anything that goes wrong
over there only leaves the work to this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.sharedctypes import Synchronized
from typing import TYPE_CHECKING

from arxl.cashapp.payers import Found
from arxl.cashapp.stages.invoices import Read, ReadAhead, Spans
from arxl.core.statement import StatementLine

if TYPE_CHECKING:
    from arxl.cashapp.matcher import Matcher

__all__ = ["CHUNK", "PARALLEL_FROM", "names_ahead", "names_fields"]

PARALLEL_FROM = 4000  # lines: below, forking a child costs more than it saves
CHUNK = 500
Ahead = tuple[Found, list[ReadAhead]]  # what the child sends back for a chunk of lines
WAIT = False  # True: wait for the child's answers instead of working them out here (to test them)

# what the forked child works on: the matcher, the lines, and how far this process has come (shared memory)
_AHEAD: tuple[Matcher, Sequence[StatementLine], Synchronized[int]] | None = None


def names_fields(matcher: Matcher, line: StatementLine) -> tuple[str, str] | None:
    """The fields by which the matcher will look the line's payer up by name, when it has no account and no
    invoice number to go by (None otherwise: the names are looked up, if at all, when matching)."""
    code = line.currency.strip().upper() if isinstance(line.currency, str) else ""
    places = matcher.state.places.get(code)
    if places is None or line.amount <= 0:
        return None
    narrative, hits, usable = matcher.invoices.quoted(line, code)
    now = matcher.payer.read(line, code, places, narrative, hits, usable)
    if matcher.payer.first_candidates(now):
        return None
    return now.fields


def _names_of_lines(start: int, stop: int) -> Ahead:
    """In the child: what the names of lines ``start`` to ``stop`` give, as remembered by the index, and what
    their texts quote of invoice numbers (:meth:`~arxl.cashapp.stages.invoices.Invoices.read`)."""
    if _AHEAD is None:  # pragma: no cover - only a forked child runs this
        return [], []
    matcher, lines, here = _AHEAD
    index = matcher.state.payers
    mark = index.mark()
    reads: dict[tuple[str, str], tuple[Read, Spans, tuple[int, ...]]] = {}
    for n in range(start, stop):
        if here.value >= start:
            # the matcher has reached the chunk: what comes back now is taken too late (only before a chunk
            # starts), so give it up and go on with the next, which the matcher has not reached
            break
        line = lines[n]
        if line.amount > 0:
            read = matcher.invoices.read(line)
            reads[(line.narrative, line.bank_reference)] = (read, tuple(matcher.state.invoices.quotes(read[0])),
                                                            index.accounts_in(read[0]))
        fields = names_fields(matcher, line)
        if fields is not None:
            index.names(fields)
    return index.found_since(mark), list(reads.items())


@contextlib.contextmanager
def names_ahead(matcher: Matcher, lines: Sequence[StatementLine], least: int = PARALLEL_FROM
                ) -> Iterator[Callable[[int], None]]:
    """While the block matches ``lines`` in order, a child looks their payers' names up ahead; the function
    given is called with the number of each line before it is matched, and takes in what has come back."""
    global _AHEAD
    if len(lines) < least or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda n: None
        return
    pending: dict[int, Future[Ahead]] = {}
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    except Exception:  # pragma: no cover - no processes on this system: all is done here
        yield lambda n: None
        return
    here = multiprocessing.get_context("fork").Value("q", 0, lock=False)
    _AHEAD = (matcher, lines, here)
    try:
        for chunk, start in enumerate(range(0, len(lines), CHUNK)):
            if chunk:  # the first is done here before the child could send it
                pending[chunk] = pool.submit(_names_of_lines, start, min(start + CHUNK, len(lines)))
    except Exception:  # pragma: no cover - the child could not be made: all is done here
        pass
    finally:
        _AHEAD = None  # the child has its copy

    def take(n: int) -> None:
        if n % CHUNK:
            here.value = n
            return
        current = n // CHUNK
        for chunk in sorted(pending):
            future = pending[chunk]
            if chunk < current:  # too late for these lines
                future.cancel()
                del pending[chunk]
            elif WAIT or future.done():
                del pending[chunk]
                with contextlib.suppress(Exception):
                    found, reads = future.result()
                    matcher.state.payers.remember(found)
                    matcher.invoices.remember(reads)
        here.value = n  # only now: the child gives a chunk up when the matching has reached it (taken or not)

    try:
        yield take
    finally:
        for future in pending.values():
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
