"""Lines matched ahead on the other core (arxl.cashapp.ahead) change nothing: a statement matched with the child
and without it gives the same rows, line by line - the same customer, invoices, amounts, deductions, status,
score and reason - whether the child's answers are taken, refused because what they read was cleared meanwhile,
or lost with a child that dies."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Iterator, Sequence
from decimal import Decimal

import pytest

from arxl.cashapp import AllocationRow, MatchSettings, ahead, match
from arxl.cashapp.ahead import GAP, Ahead, matched_ahead
from arxl.cashapp.matcher import Matcher
from arxl.core.statement import StatementLine
from arxl.ledger.matching import CustomerProfile, OpenInvoice
from arxl.sample.cash import MIX, generate

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


def _name_mix(share: float) -> dict[str, float]:
    rest = sum(weight for case, weight in MIX.items() if case != "name_only")
    return {case: (share if case == "name_only" else weight * (1 - share) / rest) for case, weight in MIX.items()}


def _rows(rows: list[AllocationRow]) -> list[tuple[object, ...]]:
    return [(r.line_id, r.invoice_no, r.applied_amount, r.deduction_amount, r.deduction_type, r.status, r.score,
             r.reason) for r in rows]


def _matched(matcher: Matcher, lines: Sequence[StatementLine], during: int = -1) -> tuple[list[AllocationRow], Ahead]:
    """The rows as :meth:`Matcher.apply` makes them, and the child's side of it; at line ``during`` the child is
    killed."""
    rows: list[AllocationRow] = []
    matcher.decision.cash_index()
    with matched_ahead(matcher, lines, 1) as taken:
        side: Ahead = taken.__self__  # type: ignore[attr-defined]
        for n, line in enumerate(lines):
            if n == during:
                side.process.kill()
            done = taken(n)
            rows.extend(matcher.apply_line(line) if done is None else done)
    return rows, side


def test_lines_matched_ahead_are_matched_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = generate(3, 300, 3000, 3 * GAP, mix=_name_mix(0.6))
    monkeypatch.setattr(Matcher, "parallel_from", 10**9)
    alone = match(bench.lines, bench.items, bench.customers)
    monkeypatch.setattr(ahead, "WAIT", True)  # the child matches every line, its answers checked here
    helped, side = _matched(Matcher(bench.items, bench.customers, MatchSettings()), bench.lines)
    assert _rows(helped) == _rows(alone)
    assert sum(1 for r in alone if r.status == "auto") > len(bench.lines) // 2
    assert side.taken > len(bench.lines) // 2  # most lines were the child's
    assert side.taken + side.refused <= len(bench.lines)
    # and as the command runs it: the child ahead, this process matching what it has not done
    monkeypatch.setattr(ahead, "WAIT", False)
    monkeypatch.setattr(Matcher, "parallel_from", 1)
    assert _rows(match(bench.lines, bench.items, bench.customers)) == _rows(alone)


def _one_customer(invoices: int) -> tuple[list[OpenInvoice], list[CustomerProfile], list[StatementLine]]:
    """One customer's invoices of different amounts, and a receipt of each, in order, naming the customer: each
    line reads all the customer's open invoices, which the line before has just changed."""
    day = dt.date(2025, 7, 1)
    customers = [CustomerProfile("C1", "Ikaze Motors Ltd")]
    items = [OpenInvoice(f"INV-2025-{n:05d}", "C1", "Ikaze Motors Ltd", day, day, "RWF", Decimal(0), Decimal(0),
                         Decimal(100_000 + 1_000 * n), Decimal(100_000 + 1_000 * n)) for n in range(invoices)]
    lines = [StatementLine(f"L{n}", day, day, Decimal(100_000 + 1_000 * n), "RWF", "IKAZE MOTORS LTD", "",
                           "PAYMENT", f"FT{n}") for n in range(invoices)]
    return items, customers, lines


def test_an_answer_whose_reads_were_cleared_meanwhile_is_refused_and_matched_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    items, customers, lines = _one_customer(60)
    alone = Matcher(items, customers, MatchSettings()).apply(lines)
    assert [r.invoice_no for r in alone] == [item.invoice_no for item in items]
    assert all(r.status == "auto" for r in alone)
    monkeypatch.setattr(ahead, "WAIT", True)
    monkeypatch.setattr(ahead, "GAP", 10)  # a child for 60 lines
    helped, side = _matched(Matcher(items, customers, MatchSettings()), lines)
    assert _rows(helped) == _rows(alone)
    # the child begins a line before this process has cleared the one before: it read an invoice list that has
    # changed since, so its answer is refused and the line matched here
    assert side.refused > 0
    assert side.taken + side.refused <= len(lines)


def test_a_child_that_dies_leaves_the_rest_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = generate(9, 200, 2000, 2 * GAP, mix=_name_mix(0.3))
    alone = Matcher(bench.items, bench.customers, MatchSettings()).apply(bench.lines)
    monkeypatch.setattr(ahead, "WAIT", True)
    helped, side = _matched(Matcher(bench.items, bench.customers, MatchSettings()), bench.lines, during=GAP)
    assert _rows(helped) == _rows(alone)
    assert side.ended and 0 < side.taken < len(bench.lines) - GAP // 2


def test_more_clearing_than_the_log_holds_leaves_the_rest_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = generate(10, 200, 2000, 2 * GAP, mix=_name_mix(0.3))
    alone = Matcher(bench.items, bench.customers, MatchSettings()).apply(bench.lines)
    monkeypatch.setattr(ahead, "WAIT", True)
    made = Ahead.__init__

    def small(self: Ahead, *args: object) -> None:
        made(self, *args)  # type: ignore[arg-type]
        self.capacity = 50

    monkeypatch.setattr(Ahead, "__init__", small)
    helped, side = _matched(Matcher(bench.items, bench.customers, MatchSettings()), bench.lines)
    assert _rows(helped) == _rows(alone)
    assert side.written == 50 and side.process is None
    assert 0 < side.taken < len(bench.lines) // 2


def test_a_short_statement_is_matched_here_alone() -> None:
    bench = generate(5, 50, 500, 100)
    matcher = Matcher(bench.items, bench.customers, MatchSettings())
    with matched_ahead(matcher, bench.lines) as taken:
        assert taken(0) is None  # no child for 100 lines
        assert taken.__self__.process is None  # type: ignore[attr-defined]


def test_the_progress_bar_sees_each_line_as_it_is_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = generate(6, 100, 1000, 2 * GAP, mix=_name_mix(0.3))
    monkeypatch.setattr(Matcher, "parallel_from", 1)
    shown: list[str] = []

    def track(lines: Sequence[StatementLine]) -> Iterator[StatementLine]:
        for line in lines:
            shown.append(line.line_id)
            yield line

    rows = match(bench.lines, bench.items, bench.customers, track=track)
    assert shown == [line.line_id for line in bench.lines]
    monkeypatch.setattr(Matcher, "parallel_from", 10**9)
    assert _rows(rows) == _rows(match(bench.lines, bench.items, bench.customers))


def _in_a_daemon(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    bench = generate(11, 100, 1000, 2 * GAP)
    matcher = Matcher(bench.items, bench.customers, MatchSettings())
    with matched_ahead(matcher, bench.lines, 1) as taken:
        queue.put((taken.__self__.process is None, len(matcher.apply_line(bench.lines[0]))))  # type: ignore[attr-defined]


def test_a_daemonic_process_that_may_have_no_children_matches_alone() -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    daemon = context.Process(target=_in_a_daemon, args=(queue,), daemon=True)
    daemon.start()
    alone, rows = queue.get(timeout=60)
    daemon.join(timeout=60)
    assert alone and rows >= 1 and daemon.exitcode == 0
