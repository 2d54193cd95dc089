"""The sample company's history exported to Sage month by month: nothing held back, every receipt and every
deduction exactly once, and each customer's Sage balance (SI +, SC −, SA −, SP +) equal to arxl's."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from arxl.core.period import Period
from arxl.formats.sage import SageExport, sage_export, write_allocation_csv, write_sage_csv
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import balances, open_items
from arxl.ledger.sage_accounts import sage_accounts
from arxl.sample import write_sample
from arxl.sample.sage50 import Customer, Sage50


def mark(ledger: Ledger, changes: ChangeSet) -> None:
    """The export's marks applied to the ledger in memory, as the workbook would have them after the run."""
    for update in changes.updates:
        table = ledger.tables[update.table]
        index = table.row_numbers.index(update.row)
        table.rows[index] = table.rows[index].model_copy(update={update.field: update.value})


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ledger, list[SageExport]]:
    path: Path = write_sample(tmp_path_factory.mktemp("sample") / "billing.xlsx", seed=7)[0]
    ledger, problems = open_ledger(path)
    assert [p for p in problems if p.severity == "error"] == []
    exports = []
    month = Period.parse("2024-01")
    while month <= Period.parse("2025-07"):
        # every document again, so that Sage's balances can be rebuilt from the files alone
        result = sage_export(ledger, month, on=month.next().first, again=False)
        mark(ledger, result.changes)
        exports.append(result)
        month = month.next()
    return ledger, exports


def test_nothing_is_held_back_and_everything_goes_exactly_once(history: tuple[Ledger, list[SageExport]]) -> None:
    ledger, exports = history
    assert [str(p) for e in exports for p in e.problems if p.severity == "error"] == []
    marked = Counter((u.table, u.row) for e in exports for u in e.changes.updates)
    assert max(marked.values()) == 1
    receipts = {ledger.receipts.row_numbers[i] for i, r in enumerate(ledger.receipts) if r.customer_id and r.amount}
    assert {row for table, row in marked if table == "Receipts"} == receipts
    deductions = {ledger.allocations.row_numbers[i] for i, a in enumerate(ledger.allocations) if a.deduction_amount}
    assert deductions <= {row for table, row in marked if table == "Allocations"}
    assert all(r.sage_exported is not None for r in ledger.receipts)
    assert sum(e.counts.receipts for e in exports) == len(receipts)
    assert sum(e.counts.deductions for e in exports) == len(deductions)
    references = Counter((r.type, r.reference, r.extra_reference) for e in exports for r in e.rows
                         if r.type in ("SA", "SC") and "/" in r.reference)
    assert len(references) == len(deductions)  # one Sage transaction per (receipt, invoice, type)


def test_sage_balances_from_the_files_are_arxls(history: tuple[Ledger, list[SageExport]]) -> None:
    """Sage's customer balances rebuilt from the files: the documents exported before 2024 (marked in the sample)
    count at their register amounts; receipts and deductions come only from the files."""
    ledger, exports = history
    sage: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    sign = {"SI": 1, "SC": -1, "SA": -1, "SP": 1}
    written = {r.reference for e in exports for r in e.rows if r.type in ("SI", "SC")}
    base = ledger.settings.base_currency
    account = {c.customer_id: sage_accounts(c, base) for c in ledger.customers}
    for doc in ledger.invoices:
        if doc.invoice_no not in written and doc.status != "cancelled" and doc.invoice_date <= dt.date(2025, 7, 31):
            sage[(account[doc.customer_id][doc.currency], doc.currency)] += doc.total_amount
    for e in exports:
        for r in e.rows:
            if r.type in sign:
                sage[(r.account_reference, r.currency)] += sign[r.type] * (r.net + r.tax)
    arxl = balances(open_items(ledger.invoices, ledger.allocations, dt.date(2025, 7, 31), ledger.receipts))
    theirs = {(account[c][code], code): amount for (c, code), amount in arxl.items()}
    usd_too = {account[c]["USD"] for c in ("C032", "C039", "C047")}  # RWF customers billed in USD too
    assert usd_too <= {a for a, code in sage if code == "USD"}
    assert not usd_too & {a for a, code in sage if code == "RWF"}
    assert {k: v for k, v in sage.items() if v} == {k: v for k, v in theirs.items() if v}


def test_the_files_fed_to_a_model_of_sage_give_arxls_balance_at_every_month_end(tmp_path: Path) -> None:
    """Every document of the history (again, marks or not), month by month, imported into the model of Sage 50
    (:mod:`arxl.sample.sage50`, which reads only the files) and allocated as the sheet says: Sage accepts every
    row and allocation, and each customer account's balance at each month end is arxl's."""
    path = write_sample(tmp_path / "billing.xlsx", seed=7)[0]
    ledger, _ = open_ledger(path)
    base = ledger.settings.base_currency
    accounts = {c.customer_id: sage_accounts(c, base) for c in ledger.customers}
    sage = Sage50(base, {account: Customer(account, c.name, code) for c in ledger.customers
                         for code, account in accounts[c.customer_id].items()})
    month = Period.parse("2024-01")
    while month <= Period.parse("2025-07"):
        result = sage_export(ledger, month, on=month.next().first, again=True)
        assert [str(p) for p in result.problems] == []
        mark(ledger, result.changes)
        sage.import_audit_trail(write_sage_csv(result.rows, tmp_path / f"sage-{month}.csv"))
        sage.allocate_sheet(write_allocation_csv(result.allocations, tmp_path / f"sage-{month}-allocations.csv"))
        owed: dict[str, Decimal] = defaultdict(Decimal)
        for (customer, code), amount in balances(open_items(ledger.invoices, ledger.allocations, month.last,
                                                            ledger.receipts)).items():
            owed[accounts[customer][code]] += amount
        assert {a: sage.balance(a, month.last) for a in sage.customers if sage.balance(a, month.last)} == \
            {a: v for a, v in owed.items() if v}, month
        month = month.next()
