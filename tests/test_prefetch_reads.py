"""What the child of :mod:`arxl.cashapp.prefetch` reads ahead - the invoice numbers a receipt's texts quote,
what looks like one, the customers whose account the narrative shows - is what the matcher reads itself, and a
chunk the matching has already reached is given up (its answers would come too late to be taken)."""

from __future__ import annotations

import multiprocessing

from arxl.cashapp import MatchSettings, prefetch
from arxl.cashapp.matcher import Matcher
from arxl.cashapp.prefetch import CHUNK
from arxl.cashapp.stages.invoices import read_numbers
from arxl.sample.cash import generate


def test_reads_sent_back_are_what_the_matcher_reads_itself() -> None:
    bench = generate(7, 200, 2000, 2 * CHUNK)
    ahead = Matcher(bench.items, bench.customers, MatchSettings())
    prefetch._AHEAD = (ahead, bench.lines, multiprocessing.Value("q", 0, lock=False))
    try:
        found, reads = prefetch._names_of_lines(CHUNK, 2 * CHUNK)
    finally:
        prefetch._AHEAD = None
    assert found and len(reads) > CHUNK // 2
    here = Matcher(bench.items, bench.customers, MatchSettings())
    for (narrative, reference), (read, spans, accounts) in reads:
        line = next(line for line in bench.lines[CHUNK:] if (line.narrative, line.bank_reference) ==
                    (narrative, reference))
        assert read == read_numbers(here.state.invoices, line)
        assert list(spans) == here.state.invoices.quotes(read[0])
        assert accounts == here.state.payers.accounts_in(read[0])
    # taken in, they give the same invoices quoted as reading the line here
    helped = Matcher(bench.items, bench.customers, MatchSettings())
    helped.invoices.remember(reads)
    for line in bench.lines[CHUNK:]:
        if line.amount > 0:
            assert helped.invoices.quoted(line, line.currency) == here.invoices.quoted(line, line.currency)


def test_a_chunk_the_matching_has_reached_is_given_up() -> None:
    bench = generate(8, 100, 1000, 2 * CHUNK)
    matcher = Matcher(bench.items, bench.customers, MatchSettings())
    prefetch._AHEAD = (matcher, bench.lines, multiprocessing.Value("q", CHUNK, lock=False))
    try:
        assert prefetch._names_of_lines(CHUNK, 2 * CHUNK) == ([], [])
    finally:
        prefetch._AHEAD = None
