"""The proof by simulation (issue 11): the sample's whole history, January 2024 to July 2025, revalued and exported
to Sage month by month by the commands the accountant runs (``arxl fx revalue``, ``arxl export sage``), and each
month's import file and allocation sheet applied to an empty Sage (:mod:`arxl.sample.sage50`, a model written
from Sage's documented posting rules that reads only the files) gives, at every month end:

- every customer account's balance as arxl has it (open invoices less credits and unapplied cash);
- debtors control: the Aging's control total (RWF items, and each foreign item at the month's closing rate);
- VAT: the register's VAT; VAT withheld and WHT receivable: the withholding deductions;
- each bank: the receipts in its currency less refunds;
- exchange differences: the realised differences of arxl's FX books (Sage posts them itself on allocation) and
  the month's unrealised revaluation (the journal arxl exports, reversed on the 1st).

The figures arxl is held to come from its own records and rules (open items, core.fx, books.fx); the model
knows none of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from arxl.app.fx import revalue
from arxl.app.sage import export_sage
from arxl.books.fx import fx_position
from arxl.core.fx import in_base
from arxl.core.period import Period
from arxl.core.withholding import deduction
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import open_items
from arxl.ledger.rates import document_rate, rate_on
from arxl.ledger.sage_accounts import sage_accounts
from arxl.ledger.sage_parts import SageParts
from arxl.sample import write_sample
from arxl.sample.sage50 import Customer, Sage50

pytestmark = pytest.mark.slow

ZERO = Decimal(0)


def arxl_books(ledger: Ledger, as_of: dt.date, period: Period) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """arxl's balance of each Sage account, and the nominal balances Sage should show (base, debit positive)."""
    settings = ledger.settings
    base = settings.base_currency
    rates = ledger.day_rates()
    accounts = {c.customer_id: sage_accounts(c, base) for c in ledger.customers}
    owed: dict[str, Decimal] = defaultdict(Decimal)
    nominal: dict[str, Decimal] = defaultdict(Decimal)
    for item in open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts):
        if not item.customer_id:
            continue  # unidentified cash sits in suspense, not on a customer's account
        owed[accounts[item.customer_id][item.currency]] += item.open_amount
        closing = rate_on(rates, item.currency, as_of, base)
        nominal[settings.sage_debtors_nominal] += in_base(item.open_amount, closing, base)
    parts = SageParts.of(ledger)  # the rows a document becomes: Sage converts each row's VAT on its own
    for doc in ledger.invoices:
        if doc.invoice_date <= as_of and doc.status != "cancelled":
            rate = document_rate(doc, rates, base)
            nominal[settings.sage_vat_nominal] -= sum((in_base(p.tax, rate, base) for p in parts.parts(doc)), ZERO)
    receipts = {r.receipt_id: r for r in ledger.receipts}
    for receipt in receipts.values():
        if receipt.date <= as_of and receipt.customer_id:
            rate = rate_on(rates, receipt.currency, receipt.date, base)
            nominal[settings.sage_bank(receipt.currency)] += in_base(receipt.amount, rate, base)
    for a in ledger.allocations:
        if a.date <= as_of and a.deduction_amount and deduction(a.deduction_type).withholding:
            _, code = settings.sage_deduction(a.deduction_type).split()
            rate = rate_on(rates, a.currency, receipts[a.receipt_id].date, base)
            nominal[code] += in_base(a.deduction_amount, rate, base)
    position = fx_position(ledger.invoices, ledger.receipts, ledger.allocations, as_of, base, rates)
    nominal[settings.sage_fx_nominal] = -sum((r.difference for r in position.realised), ZERO)
    nominal[settings.sage_unrealised_fx_nominal] = -sum(
        (r.difference for r in ledger.table("Revaluations") if r.period == str(period)), ZERO)
    return {a: v for a, v in owed.items() if v}, dict(nominal)


def test_sage_rebuilt_from_arxls_files_agrees_with_arxl_at_every_month_end(tmp_path: Path) -> None:
    book = write_sample(tmp_path / "billing.xlsx", seed=7)[0]
    host = FileHost(book)
    ledger, _ = open_ledger(book)
    settings = ledger.settings
    base = settings.base_currency
    sage = Sage50(base, {account: Customer(account, c.name, code) for c in ledger.customers
                         for code, account in sage_accounts(c, base).items()},
                  debtors=settings.sage_debtors_nominal, vat=settings.sage_vat_nominal,
                  exchange_variance=settings.sage_fx_nominal)
    out = tmp_path / "sage"
    out.mkdir()
    month = Period.parse("2024-01")
    checked = 0
    while month <= Period.parse("2025-07"):
        assert not revalue(host, month).refused, month
        report = export_sage(host, month, out / f"sage-{month}.csv", again=True, on=month.next().first)
        assert not report.refused, (month, report.reasons)
        sage.import_audit_trail(out / f"sage-{month}.csv")
        sage.allocate_sheet(out / f"sage-{month}-allocations.csv")
        ledger, _ = open_ledger(book)
        owed, nominal = arxl_books(ledger, month.last, month)
        assert {a: sage.balance(a, month.last) for a in sage.customers if sage.balance(a, month.last)} == owed, \
            month
        in_sage = {code: sage.nominal.get(code, ZERO) for code in nominal}
        assert in_sage == nominal, month
        checked += 1
        month = month.next()
    assert checked == 19
    # the model saw every kind of movement the issue names, not only invoices
    kinds = {t.type for t in sage.transactions}
    assert {"SI", "SC", "SA", "JD", "JC"} <= kinds
    assert sage.nominal[settings.sage_fx_nominal] and sage.nominal[settings.sage_unrealised_fx_nominal]
