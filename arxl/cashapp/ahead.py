"""Lines of a long statement matched ahead on the other core, and checked here before they are taken.

Matching goes line by line, in order: what an automatic match clears is no longer open for the lines after it.
But a line's answer depends only on the line, the indexes (which never change) and the open amounts it reads -
and most lines read the open items of one or two customers among thousands. So, from :data:`PARALLEL_FROM`
lines on a system that can fork, a child process made as the matching starts matches lines :data:`GAP` lines
ahead of this process, in order, until this process catches it up (taking the child's answers is quick); then
it jumps :data:`GAP` lines ahead again. The two share the lines about evenly, whatever they cost. The child
clears nothing itself: for each line it sends back the rows, what an automatic match would clear, and which open
items (and which customers' cached sums) the line *read*, with how far this process's clearing had come when it
began. This process writes each clearing to a log in shared memory, which the child applies to its copy of the
open amounts before each line.

This process takes the child's answer for a line only if nothing the line read has been cleared since the child
began it (by this process's lines, or by the child's own earlier lines once taken here): the same code then read
the same amounts, so the answer is exactly the one it would work out itself. Otherwise, and for any line the
child has not done, it matches the line itself. The rows are the same line by line, with or without the child;
anything that goes wrong over there only leaves the work to this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from arxl.cashapp.stages.state import Part
from arxl.core.statement import StatementLine
from arxl.ledger.matching import AllocationRow

if TYPE_CHECKING:
    from arxl.cashapp.matcher import Matcher

__all__ = ["GAP", "PARALLEL_FROM", "Ahead", "matched_ahead"]

PARALLEL_FROM = 4000  # lines: below, forking a child costs more than it saves
GAP = 250  # lines: how far ahead of this process the child begins, and begins again once it is caught up
BATCH = 16  # answers sent back together
NEAR = 64  # lines: this process is near, answers are sent one by one
WAIT = False  # True: the child matches every line and sends its answers BATCH at a time, and this process waits
# for them (to test them: the lines of a batch are matched before this process clears the one that opens it, so
# that answers whose reads were cleared meanwhile come whatever the timing of the two processes)

# one answer of the child: line, log entries applied before it, rows, open items and customers read, clearing
Answer = tuple[int, int, list[AllocationRow], tuple[int, ...], tuple[int, ...], tuple[Part, ...]]

# what the forked child works on: the matcher, the lines, and the shared counters and log (see matched_ahead)
_AHEAD: tuple[Matcher, Sequence[StatementLine], Any, Any, Any, Connection] | None = None


class _Read(list):  # type: ignore[type-arg]
    """The open amounts in the child: each position read is noted (``seen``); read whole, the line is not sent."""

    seen: set[int]
    whole: bool

    def __getitem__(self, position: Any) -> Any:
        if not isinstance(position, int):
            self.whole = True
        else:
            self.seen.add(position)
        return list.__getitem__(self, position)

    def __iter__(self) -> Iterator[int]:
        self.whole = True
        return list.__iter__(self)

    def __setitem__(self, position: Any, value: Any) -> None:  # only MatchState.clear writes, not in the child
        raise RuntimeError("the child clears nothing")


class _Versions(dict):  # type: ignore[type-arg]
    """The customers' versions in the child: a customer whose cached sums a line used is noted (``seen``)."""

    seen: set[int]

    def get(self, customer: Any, default: Any = None) -> Any:
        self.seen.add(customer)
        return dict.get(self, customer, default)

    def __getitem__(self, customer: Any) -> Any:
        self.seen.add(customer)
        return dict.__getitem__(self, customer)

    def __contains__(self, customer: Any) -> bool:
        self.seen.add(customer)
        return dict.__contains__(self, customer)


def _child() -> None:  # pragma: no cover - only a forked child runs this (its answers are tested)
    """In the child: match lines ahead of this process, from the open amounts as this process clears them."""
    if _AHEAD is None:
        return
    matcher, lines, here, count, log, conn = _AHEAD
    state = matcher.state
    opened = _Read(state.open)
    opened.seen, opened.whole = set(), False
    versions = _Versions(state.versions)
    versions.seen = set()
    state.open, state.versions = opened, versions
    cleared: list[Part] = []
    state.clear = cleared.extend  # type: ignore[method-assign, assignment]
    synced = 0
    batch: list[Answer | tuple[int, None]] = []
    try:
        n = 0 if WAIT else GAP
        while n < len(lines):
            reached = here.value
            if reached >= n:  # this process has reached the line: jump ahead of it
                if batch:
                    conn.send(batch)
                    batch = []
                n = reached + GAP
                continue
            with count.get_lock():
                written = count.value
            for entry in range(synced, written):
                position, value = log[2 * entry], log[2 * entry + 1]
                list.__setitem__(opened, position, value)
                owner = state.owner[position]
                dict.__setitem__(versions, owner, dict.get(versions, owner, 0) + 1)
            synced = written
            opened.seen, opened.whole, versions.seen = set(), False, set()
            cleared.clear()
            try:
                rows = matcher.apply_line(lines[n])
            except Exception:
                rows = None
            if rows is None or opened.whole:
                batch.append((n, None))
            else:
                batch.append((n, written, rows, tuple(opened.seen), tuple(versions.seen), tuple(cleared)))
            if len(batch) >= BATCH or (not WAIT and here.value + NEAR >= n - len(batch)):  # at once when near
                conn.send(batch)
                batch = []
            n += 1
        if batch:
            conn.send(batch)
        conn.send(None)
    except BaseException:  # this process has stopped listening (or Ctrl+C): nothing to say, it matches alone
        pass


class Ahead:
    """This process's side: the log it writes as it clears, and the child's answers it checks and takes."""

    def __init__(self, matcher: Matcher, lines: Sequence[StatementLine], least: int) -> None:
        self.matcher = matcher
        self.lines = lines
        self.process: Any = None
        self.answers: dict[int, Answer | tuple[int, None]] = {}
        self.taken = self.refused = 0
        self.ended = False  # the child has sent all it will
        if len(lines) < least or len(lines) <= GAP or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.capacity = 4 * len(lines) + 4096  # log entries: what the statement clears, a part per entry
        self.here = context.Value("q", -1, lock=False)
        self.count = context.Value("q", 0)
        self.log = context.Array("q", 2 * self.capacity, lock=False)
        self.written = 0
        self.last: dict[int, int] = {}  # open item -> the log entry that last cleared it
        self.last_owner: dict[int, int] = {}  # customer -> the log entry that last cleared one of its items
        global _AHEAD
        receiving, sending = context.Pipe(duplex=False)
        _AHEAD = (matcher, lines, self.here, self.count, self.log, sending)
        try:
            self.process = context.Process(target=_child, daemon=True)
            self.process.start()
        except Exception:  # no processes here (a daemonic pool worker may have none): all is done here
            self.process = None
            receiving.close()
            sending.close()
            return
        finally:
            _AHEAD = None  # the child has its copy
        sending.close()
        self.conn = receiving
        self.clear = matcher.state.clear
        matcher.state.clear = self.clearing  # type: ignore[method-assign]

    def clearing(self, parts: Sequence[Part]) -> None:
        """:meth:`MatchState.clear` here, each open item's new amount written to the log for the child."""
        self.clear(parts)
        if self.process is None:
            return
        state = self.matcher.state
        for part in parts:
            if self.written >= self.capacity:
                self.stop()  # more clearing than the log holds: the rest is matched here
                return
            self.log[2 * self.written] = part.item
            self.log[2 * self.written + 1] = state.open[part.item]
            self.last[part.item] = self.last_owner[state.owner[part.item]] = self.written
            self.written += 1
        with self.count.get_lock():
            self.count.value = self.written

    def take(self, n: int) -> list[AllocationRow] | None:
        """The rows of line ``n`` as the child matched it, cleared here, if nothing it read has changed since
        it began the line; None when the line is to be matched here."""
        if self.process is None:
            return None
        if WAIT:
            while n not in self.answers and not self.ended and self._receive(block=True):
                pass
        self.here.value = n
        if not self.ended:
            self._receive(block=False)
        answer = self.answers.pop(n, None)
        if answer is None or answer[1] is None:
            return None
        _, written, rows, read, customers, cleared = answer
        last, last_owner = self.last, self.last_owner
        if any(last.get(p, -1) >= written for p in read) or any(last_owner.get(c, -1) >= written for c in customers):
            self.refused += 1
            return None
        self.taken += 1
        self.matcher.state.clear(cleared)
        return rows

    def _receive(self, block: bool) -> bool:
        """Take what the child has sent (waiting for the next batch if ``block``); False once it has ended."""
        try:
            while block or self.conn.poll():
                batch = self.conn.recv()
                if batch is None:  # all sent: the answers here are still good
                    self.ended = True
                    return False
                here = self.here.value
                for answer in batch:
                    if answer[0] >= here:
                        self.answers[answer[0]] = answer
                block = False
        except (EOFError, OSError):  # the child died: what it sent is still good
            self.ended = True
            return False
        return True

    def stop(self) -> None:
        """No more answers taken (the log is full, or the matching is over): the rest is matched here, and the
        child, seeing this process past every line, ends."""
        if self.process is not None:
            self.here.value = len(self.lines)
            self.process = None


@contextlib.contextmanager
def matched_ahead(matcher: Matcher, lines: Sequence[StatementLine], least: int = PARALLEL_FROM
                  ) -> Iterator[Callable[[int], list[AllocationRow] | None]]:
    """While the block matches ``lines`` in order, a child matches lines ahead of it; the function given is
    called with the number of each line before it is matched here, and returns its rows when the child's
    answer holds (already cleared here), None when the line is to be matched here."""
    ahead = Ahead(matcher, lines, least)
    process = ahead.process
    try:
        yield ahead.take
    finally:
        ahead.stop()
        if process is not None:
            vars(matcher.state).pop("clear", None)
            ahead.conn.close()
            process.join(timeout=5)
            if process.is_alive():  # pragma: no cover - a child stuck in a line: it has nothing left to give
                process.kill()
                process.join()
