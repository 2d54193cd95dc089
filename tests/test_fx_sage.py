"""arxl's exchange differences against the independent model of Sage 50 (arxl.sample.sage50, which reads only
the exported files): over the sample's whole history, month by month, the realised differences of
:mod:`arxl.books.fx` are what Sage posts to its exchange variance nominal, and each USD account's base value in
Sage is the sum of the values arxl carries its open items at, to the franc: arxl carries a document at the value
Sage gives the rows it becomes, each row's net and VAT converted one by one (arxl.ledger.sage_parts)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from arxl.books.fx import fx_position
from arxl.core.fx import in_base
from arxl.core.period import Period
from arxl.formats.sage import sage_export, write_allocation_csv, write_sage_csv
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.rates import document_rate
from arxl.ledger.sage_accounts import sage_accounts
from arxl.ledger.sage_parts import SageParts
from arxl.sample import write_sample
from arxl.sample.sage50 import Customer, Sage50
from tests.test_sage_sample import mark


def test_realised_and_carried_values_are_sages_at_every_month_end(tmp_path: Path) -> None:
    path = write_sample(tmp_path / "billing.xlsx", seed=7)[0]
    ledger, _ = open_ledger(path)
    base = ledger.settings.base_currency
    accounts = {c.customer_id: sage_accounts(c, base) for c in ledger.customers}
    sage = Sage50(base, {account: Customer(account, c.name, code) for c in ledger.customers
                         for code, account in accounts[c.customer_id].items()})
    rates = ledger.day_rates()
    parts = SageParts.of(ledger)
    month = Period.parse("2024-01")
    realised_any = False
    while month <= Period.parse("2025-07"):
        result = sage_export(ledger, month, on=month.next().first, again=True)
        mark(ledger, result.changes)
        sage.import_audit_trail(write_sage_csv(result.rows, tmp_path / f"sage-{month}.csv"))
        sage.allocate_sheet(write_allocation_csv(result.allocations, tmp_path / f"sage-{month}-allocations.csv"))
        position = fx_position(ledger.invoices, ledger.receipts, ledger.allocations, month.last, base, rates,
                               parts=parts)
        realised = sum((r.difference for r in position.realised), Decimal(0))
        realised_any = realised_any or bool(realised)
        assert -sage.nominal[sage.exchange_variance] == realised, month
        carried: dict[str, Decimal] = defaultdict(Decimal)
        for item in position.items:
            carried[accounts[item.customer_id][item.currency]] += item.carried
        foreign = [a for a, c in sage.customers.items() if c.currency != base]
        in_sage = {a: sage.base_balance(a, month.last) for a in foreign if sage.base_balance(a, month.last)}
        assert in_sage.keys() == {a for a, v in carried.items() if v}, month
        for account, value in in_sage.items():
            assert value == carried[account], (month, account)
        month = month.next()
    assert realised_any  # the history has USD receipts at other rates than their invoices'
    # and documents whose rows Sage converts to another value than their total's: INV-2025-00154, 34,560 + 6,220.80
    # USD at 1,392.57, is 48,127,219 + 8,662,899 = 56,790,118 RWF in Sage, not in_base(40,780.80) = 56,790,119
    doc = next(i for i in ledger.invoices if i.invoice_no == "INV-2025-00154")
    rate = document_rate(doc, rates, base)
    assert (doc.currency, rate, doc.net_amount, doc.vat_amount) == ("USD", Decimal("1392.57"), Decimal("34560.00"),
                                                                    Decimal("6220.80"))
    assert parts.base_value(doc, rate, base) == Decimal(56790118) != in_base(doc.total_amount, rate, base)
