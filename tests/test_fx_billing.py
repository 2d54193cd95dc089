"""Invoices and credit notes in a foreign currency carry the Rates sheet's rate of their date (IAS 21); a day
without one refuses the run, naming the date and the currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.billing.credit import credit_note
from arxl.billing.run import generate_invoices
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.ledger import Ledger
from arxl.ledger.rates import MissingRate
from arxl.ledger.records import ExchangeRate, Invoice
from tests.builders import small_tables
from tests.test_billing import book_with, july_contracts


def with_rates(ledger: Ledger, rows: list[ExchangeRate]) -> Ledger:
    """The ledger with its Rates sheet holding just ``rows``."""
    ledger.rates.rows = list(rows)
    ledger.rates.row_numbers = [n + 2 for n in range(len(rows))]
    return ledger


def test_a_usd_invoice_is_stamped_with_the_rate_of_its_date_and_an_rwf_one_is_not(tmp_path: Path) -> None:
    rates = [ExchangeRate(date=dt.date(2025, 6, 27), currency="USD", rate=D("1438.25"), source="BNR")]
    ledger = with_rates(open_ledger(book_with(tmp_path, july_contracts()))[0], rates)
    run = generate_invoices(ledger, "2025-07")
    stamped = {i.customer_id: i.rate for i in run.invoices}
    assert stamped == {"C001": None, "C002": D("1438.25")}  # 1 July takes Friday 27 June's rate


def test_no_rate_refuses_the_run_naming_date_currency_and_rates(tmp_path: Path) -> None:
    ledger = with_rates(open_ledger(book_with(tmp_path, july_contracts()))[0], [])
    with pytest.raises(MissingRate) as caught:
        generate_invoices(ledger, "2025-07")
    assert str(caught.value) == ("[billing.xlsx]Rates: no USD rate for 2025-07-01 or the 4 days before in Rates (the "
                                 "rate of the invoice of C002; nothing was billed): add BNR's rate")


def test_a_usd_credit_note_carries_its_own_date_rate(tmp_path: Path) -> None:
    tables = small_tables()
    tables["Rates"] = [ExchangeRate(date=dt.date(2025, 7, 21), currency="USD", rate=D("1445.10"), source="BNR")]
    ledger, _ = open_ledger(write_book(tmp_path / "b.xlsx", tables))
    changes = credit_note(ledger, "INV-2025-00002", amount=D("250.50"), reason="one licence too many",
                          on=dt.date(2025, 7, 22))
    [note] = changes.appends["Invoices"]
    assert isinstance(note, Invoice) and note.rate == D("1445.10")
    with pytest.raises(MissingRate, match="no USD rate for 2025-07-30"):
        credit_note(ledger, "INV-2025-00002", amount=D("1"), reason="x", on=dt.date(2025, 7, 30))
