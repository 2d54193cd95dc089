"""The payers' names looked up ahead on the other core (arxl.cashapp.prefetch) change nothing: a statement
matched with the child and without it gives the same rows, line by line - the same customer, invoices,
amounts, deductions, status, score and reason - on a mix where most payers are known by name only."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence

import pytest

from arxl.cashapp import AllocationRow, MatchSettings, match, prefetch
from arxl.cashapp.matcher import Matcher
from arxl.cashapp.payers import CustomerIndex, Found
from arxl.cashapp.prefetch import CHUNK, names_ahead, names_fields
from arxl.core.statement import StatementLine
from arxl.sample.cash import MIX, generate

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


def _name_mix(share: float) -> dict[str, float]:
    rest = sum(weight for case, weight in MIX.items() if case != "name_only")
    return {case: (share if case == "name_only" else weight * (1 - share) / rest) for case, weight in MIX.items()}


def _rows(rows: list[AllocationRow]) -> list[tuple[object, ...]]:
    return [(r.line_id, r.invoice_no, r.applied_amount, r.deduction_amount, r.deduction_type, r.status, r.score,
             r.reason) for r in rows]


def test_lines_matched_with_names_looked_up_ahead_are_matched_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = generate(3, 300, 3000, 3 * CHUNK, mix=_name_mix(0.6))
    monkeypatch.setattr(Matcher, "parallel_from", 10**9)
    alone = match(bench.lines, bench.items, bench.customers)
    monkeypatch.setattr(Matcher, "parallel_from", 1)
    monkeypatch.setattr(prefetch, "WAIT", True)
    taken: list[int] = []
    remember = CustomerIndex.remember

    def counting(self: CustomerIndex, found: Found) -> None:
        taken.append(len(found))
        remember(self, found)

    monkeypatch.setattr(CustomerIndex, "remember", counting)
    helped = match(bench.lines, bench.items, bench.customers)
    assert _rows(helped) == _rows(alone)
    assert sum(1 for r in alone if r.status == "auto") > len(bench.lines) // 2
    assert len(taken) == 2 and sum(taken) > 100  # the child's answers were used for the 2nd and 3rd chunks


def test_the_child_looks_up_only_lines_with_no_account_and_no_invoice_number() -> None:
    bench = generate(4, 200, 2000, 400, mix=_name_mix(0.3))
    matcher = Matcher(bench.items, bench.customers, MatchSettings())
    by_name = [line for line in bench.lines if bench.truth[line.line_id].case == "name_only"]
    quoted = [line for line in bench.lines if bench.truth[line.line_id].case == "reference_exact"]
    assert by_name and quoted
    assert all(names_fields(matcher, line) is not None for line in by_name if line.counterparty_account == "")
    # a number cut off by the bank's 35-character field does not count: such a line may be looked up twice
    assert sum(1 for line in quoted if names_fields(matcher, line) is None) >= 0.95 * len(quoted)


def test_a_short_statement_is_matched_here_alone() -> None:
    bench = generate(5, 50, 500, 100)
    matcher = Matcher(bench.items, bench.customers, MatchSettings())
    with names_ahead(matcher, bench.lines) as take:
        take(0)  # nothing to take: no child for 100 lines
    assert matcher.state.payers.mark() == 0


def test_the_progress_bar_sees_each_line_as_it_is_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = generate(6, 100, 1000, 2 * CHUNK, mix=_name_mix(0.3))
    monkeypatch.setattr(Matcher, "parallel_from", 1)
    shown: list[str] = []

    def track(lines: Sequence[StatementLine]) -> Iterator[StatementLine]:
        for line in lines:
            shown.append(line.line_id)
            yield line

    rows = match(bench.lines, bench.items, bench.customers, track=track)
    assert shown == [line.line_id for line in bench.lines]
    assert _rows(rows) == _rows(match(bench.lines, bench.items, bench.customers))
