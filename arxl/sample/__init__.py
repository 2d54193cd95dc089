"""The sample billing workbook: eighteen months of a Kigali ICT company's receivables, and July's bank lines.

Kigali Cloud & Systems Ltd hosts, connects and integrates for sixty clients: ministries, agencies and districts
that withhold VAT and 3 % at source, banks and telecoms (three withhold 15 %), NGOs, and a few foreign clients
billed in US dollars for zero-rated exported services. The sample holds the Settings, tax codes, rate card and
contracts, and the history the contracts produced from January 2024 to June 2025: the billing schedule, the
invoice register (INV-YYYY-NNNNN, no gaps), receipts and how each was applied (withholding, bank charges,
discounts, part payments, an overpayment), a credit note, collections calls, a payment arrangement and three
client queries (one still open on an invoice overdue in July, one closed by the credit note). July
2025 is left for the demo to bill; :func:`sample_statement` is the July bank statement it reconciles, and
:func:`sample_statement_truth` says which invoices each of its lines really pays (for tests only).

Everything comes from one seed through ``random.Random(seed)``: the same seed gives the same workbook. The
conventions the rest of arxl can rely on:

- a contract's Rate is its rate at the start date; an escalation adds its percentage on every anniversary
  (compounded, rounded to the currency) for the periods that start on or after it;
- monthly and quarterly periods are calendar months and quarters, annual ones run from the start date; a
  partial period is prorated by days; advance periods are invoiced on their first day, arrears on their last;
- a BillingSchedule row's Period is the month of the billing run that invoiced it (the invoice's month), so
  the July run bills period 2025-07; a suspended contract's periods are "skipped";
- an invoice's open amount is its total, less its credit notes (their Original Invoice), less what its
  allocations applied and deducted; a withholding settlement is one allocation row per deduction kind (the
  first carries the cash), and an overpayment is simply a receipt whose allocations add up to less than it.

The story is told in order, one module a chapter: :mod:`.company` (the company, its calendar and reference
tables), :mod:`.customers`, :mod:`.contracts` (and the invoices arxl's billing made of them), :mod:`.payments`
(receipts and allocations), :mod:`.followup` (collections log, queries) and :mod:`.statement` (July's bank lines);
:mod:`.cash` is the labelled cash-application benchmark drawn from the same names. Only the command line
(``arxl sample``, ``arxl demo``), the benchmarks and the tests import this package: the library never does.

>>> tables = sample_tables()
>>> len(tables["Customers"]), tables["Invoices"][0].invoice_no, tables["Invoices"][0].invoice_date
(60, 'INV-2024-00001', datetime.date(2024, 1, 1))
>>> sample_statement()[0].line_id
'BK-2025-07-001'
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from arxl.core.statement import STATEMENT_COLUMNS, StatementLine
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.records import Closure, Row
from arxl.sample.company import _DUNNING, BANK_RWF, BANK_USD, CLOSURES, _services, _settings, _tax_codes, _usd_rates
from arxl.sample.contracts import _bill, _charges, _contracts, _credit_note
from arxl.sample.customers import _customers, sage_accounts_for
from arxl.sample.followup import _collections, _queries
from arxl.sample.payments import _Books, _plans
from arxl.sample.statement import _statement

__all__ = ["BANK_RWF", "BANK_USD", "STATEMENT_COLUMNS", "StatementLine", "sample_decisions", "sample_statement",
           "sample_statement_truth", "sample_tables", "write_sample", "write_statement_csv"]


def sample_tables(seed: int = 7) -> dict[str, list[Row]]:
    """Rows for every table of the billing workbook (``schema.TABLES``), the same for the same seed."""
    return {name: list(rows) for name, rows in _story(seed).tables}


def sample_statement(seed: int = 7) -> list[StatementLine]:
    """The July 2025 bank statement (RWF and USD accounts) against the sample's open invoices."""
    return list(_story(seed).statement)


def sample_statement_truth(seed: int = 7) -> dict[str, list[str]]:
    """Line id -> the invoice numbers that line really pays; ``[]`` for a line that is no customer receipt."""
    return {line_id: list(numbers) for line_id, numbers in _story(seed).truth}


def write_statement_csv(lines: Iterable[StatementLine], path: Path) -> None:
    """Write statement lines as the canonical CSV: UTF-8, header row, ISO dates, plain decimals."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, STATEMENT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for line in lines:
            writer.writerow(line.as_row())


def write_sample(path: Path | str, seed: int = 7) -> tuple[Path, Path]:
    """Write the sample workbook and, beside it, its July statement CSV; return both paths."""
    book = write_book(path, sample_tables(seed))
    statement = book.with_name(f"{book.stem}-statement-2025-07.csv")
    write_statement_csv(sample_statement(seed), statement)
    return book, statement


@dataclass(frozen=True)
class _Story:
    tables: tuple[tuple[str, tuple[Row, ...]], ...]
    statement: tuple[StatementLine, ...]
    truth: tuple[tuple[str, tuple[str, ...]], ...]


@cache
def _story(seed: int) -> _Story:
    rng = random.Random(seed)
    services = _services()
    tax_codes = _tax_codes()
    people = _customers(rng)
    contracts = _contracts(rng, people, services)
    charges = [c for k in contracts for c in _charges(k)]
    invoices, lines, schedule = _bill(charges, people, services, tax_codes)
    credit_note, credit_line = _credit_note(rng, invoices, lines, people)
    books = _Books(rng, people, [*invoices, credit_note])
    books.replay(_plans(rng, books, credit_note))
    receipts, allocations = books.numbered()
    statuses = books.statuses()
    invoices = [i.model_copy(update={"status": statuses[i.invoice_no]}) for i in [*invoices, credit_note]]
    statement, truth = _statement(rng, books)
    tables: dict[str, list[Row]] = {
        "Settings": [*_settings()],
        "TaxCodes": [*tax_codes],
        "Closures": [Closure(date=day, description=text) for day, text in CLOSURES],
        "DunningLevels": [*_DUNNING],
        "Customers": [*sage_accounts_for(people.customers, invoices)],
        "Services": [*services.values()],
        "Contracts": [*contracts],
        "BillingSchedule": [*schedule],
        "Invoices": [*invoices],
        "InvoiceLines": [*lines, credit_line],
        "Receipts": [*receipts],
        "Allocations": [*allocations],
        "Statements": [],  # nothing imported yet: July's statement is the demo's to import
        "CollectionsLog": [*_collections(rng, books, receipts)],
        "Arrangements": [*books.arrangement_lines()],
        "Rates": [*_usd_rates()],
        "Queries": [*_queries(invoices, people, credit_note)],
        "Revaluations": [],  # the history is not revalued: `arxl fx revalue` writes a month's when asked
    }
    return _Story(tuple((name, tuple(rows)) for name, rows in tables.items()), tuple(statement),
                  tuple((line_id, tuple(numbers)) for line_id, numbers in truth.items()))



def sample_decisions(proposals: dict[str, set[str]], seed: int = 7) -> dict[str, str]:
    """What the sample's accountant decides on each line of the July statement, given the invoices arxl proposed
    for it: approve a proposal that is right, type the right invoices where it is not, reject what is no customer
    receipt. The demo uses it to stand in for the person who decides; arxl itself never sees this answer key.
    """
    decisions = {}
    for line_id, pays in sample_statement_truth(seed).items():
        proposed = proposals.get(line_id, set())
        if not pays:
            decisions[line_id] = "reject"
        elif proposed == set(pays):
            decisions[line_id] = "approve"
        else:
            decisions[line_id] = "; ".join(pays)
    return decisions
