"""File-to-file cash application: a bank statement into the canonical CSV, and a statement matched to open
invoices into an allocations CSV (DESIGN §4, the CSV contracts of ``arxl match`` and ``arxl statement
normalize``). No workbook is involved: the files are read, the matcher runs, one file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from arxl.app.report import Report
from arxl.app.workbook import existing
from arxl.cashapp import MatchSettings, match
from arxl.core.background import in_background, paused_gc
from arxl.core.errors import ArxlError
from arxl.core.money import currency as currency_of
from arxl.core.statement import StatementLine
from arxl.formats.matchcsv import read_customers, read_open_items, write_allocations
from arxl.formats.statements import Limits, load_profiles, read_statement, write_statement_csv

Track = Callable[[Sequence[StatementLine]], Iterable[StatementLine]]


def normalize_statement(file: Path, out_file: Path, profiles: Path | None = None, *, check_balances: bool = True,
                        max_lines: int = 200_000) -> tuple[Report, list[str]]:
    """Read a bank statement (CSV, XLSX, MT940, camt.052/053/054), check it, write the canonical CSV; the
    report says what was written, and the reader's notes (what it assumed) come beside it."""
    statement = read_statement(file, load_profiles(profiles) if profiles else (), check_balances=check_balances,
                               limits=Limits(max_lines=max_lines))
    write_statement_csv(statement.lines, out_file)
    report = Report("normalize a statement")
    report.say(f"{statement.summary()}; written to {out_file}")
    return report, list(statement.notes)


def match_settings(auto_threshold: int = 90, review_threshold: int | None = None,
                   bank_charges: Sequence[str] = (), third_party_payers: Sequence[str] = ()) -> MatchSettings:
    """The matcher's settings from the command line's words (``--bank-charges RWF=5000``...), checked."""
    if review_threshold is not None and review_threshold > auto_threshold:
        raise ArxlError(f"--review-threshold {review_threshold} is above --auto-threshold {auto_threshold}")
    return MatchSettings(auto_threshold=auto_threshold,
                         review_threshold=min(MatchSettings.review_threshold, auto_threshold)
                         if review_threshold is None else review_threshold,
                         bank_charges={**MatchSettings().bank_charges, **_bank_charges(bank_charges)},
                         third_party_payers=tuple(third_party_payers))


def _bank_charges(options: Sequence[str]) -> dict[str, Decimal]:
    """``--bank-charges RWF=5000`` options as a tolerance per currency."""
    tolerances: dict[str, Decimal] = {}
    for option in options:
        code, _, amount = option.partition("=")
        try:
            value = Decimal(amount.strip().replace(",", ""))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or value < 0:
            raise ArxlError(f'--bank-charges "{option}": expected CCY=AMOUNT, such as RWF=5000')
        tolerances[currency_of(code.strip()).code] = value
    return tolerances


def match_files(open_items: Path, customers: Path, statement: Path, out_file: Path, settings: MatchSettings,
                track: Track | None = None) -> Report:
    """Match a bank statement to open invoices and write the allocations (status auto, review or unmatched);
    ``track`` wraps the lines to show progress while they are matched."""
    with paused_gc():  # hundreds of thousands of records: the cycle collector would double the time
        existing(statement)
        with in_background(read_statement, statement, check_balances=True) as pending:  # on the other core
            people, items = read_customers(customers), read_open_items(open_items)
            read = pending.result()
        lines = list((read or read_statement(statement, check_balances=True)).lines)
        rows = match(lines, items, people, settings, track)
        write_allocations(rows, out_file, items)
    status = {r.line_id: r.status for r in rows}
    counts = {s: sum(1 for v in status.values() if v == s) for s in ("auto", "review", "unmatched")}
    report = Report("match a statement")
    report.say(f"{len(lines):,} lines: {counts['auto']:,} auto, {counts['review']:,} to review, "
               f"{counts['unmatched']:,} unmatched; written to {out_file}")
    return report
