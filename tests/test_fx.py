"""Foreign currency under IAS 21: carried values, realised differences by the allocation rule, the month-end
revaluation, to the franc."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from arxl.books.fx import fx_position, realised_in
from arxl.books.revaluation import revaluation_rows, revalue
from arxl.core.period import Period
from arxl.ledger.ledger import DayRates
from arxl.ledger.rates import MissingRate
from arxl.ledger.records import TABLES, Allocation, ExchangeRate, Invoice, Receipt
from arxl.ledger.tables import Table

d = dt.date
JULY = Period(2025, 7)


def rates(*days: tuple[dt.date, str]) -> DayRates:
    spec = next(s for s in TABLES.values() if s.name == "Rates")
    rows = [ExchangeRate(date=day, currency="USD", rate=D(rate), source="BNR") for day, rate in days]
    return DayRates(Table(spec, "b.xlsx", "Rates", rows, [n + 2 for n in range(len(rows))],
                          {"date": "A", "currency": "B", "rate": "C", "source": "D"}))


def invoice(no: str, day: dt.date, total: str, rate: str | None = None, currency: str = "USD",
            **more: object) -> Invoice:
    return Invoice(invoice_no=no, invoice_date=day, due_date=day + dt.timedelta(days=30), customer_id="C002",
                   currency=currency, net_amount=D(total), vat_amount=D(0), total_amount=D(total),
                   rate=D(rate) if rate else None, **more)


def receipt(rid: str, day: dt.date, amount: str, currency: str = "USD") -> Receipt:
    return Receipt(receipt_id=rid, date=day, amount=D(amount), currency=currency, customer_id="C002")


def paid(rid: str, no: str, day: dt.date, applied: str, deduction: str = "0", rate: str | None = None,
         kind: str = "") -> Allocation:
    return Allocation(receipt_id=rid, invoice_no=no, date=day, currency="USD", applied_amount=D(applied),
                      deduction_amount=D(deduction), deduction_type=kind, rate=D(rate) if rate else None)


JULY_RATES = rates((d(2025, 7, 1), "1400"), (d(2025, 7, 10), "1420"), (d(2025, 7, 20), "1430.5"),
                   (d(2025, 7, 31), "1450"))


def test_an_open_usd_invoice_is_revalued_at_the_closing_rate() -> None:
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "1000.00", "1400")], [], [], JULY.last, "RWF",
                           JULY_RATES)
    [item] = position.items
    assert (item.open_amount, item.carried, item.rate) == (D("1000.00"), D(1400000), D(1400))
    [row] = revaluation_rows(JULY, revalue(position, JULY_RATES))
    # 1,000 USD carried at 1,400 = 1,400,000; at 1,450 = 1,450,000: an unrealised gain of 50,000
    assert (row.closing_rate, row.rate_date, row.source, row.difference) == (D(1450), d(2025, 7, 31), "BNR",
                                                                            D(50000))
    assert (row.period, row.date, row.reference, row.book_rate) == ("2025-07", d(2025, 7, 31), "INV-1", D(1400))


def test_a_partial_payment_realises_its_part_and_the_rest_is_revalued() -> None:
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "1000.00", "1400")],
                           [receipt("R-1", d(2025, 7, 10), "400.00")],
                           [paid("R-1", "INV-1", d(2025, 7, 10), "400.00")], JULY.last, "RWF", JULY_RATES)
    [gain] = position.realised
    # 400 USD received at 1,420 = 568,000 against 400 of the invoice at 1,400 = 560,000
    assert (gain.payment_base, gain.invoice_base, gain.difference) == (D(568000), D(560000), D(8000))
    [item] = position.items
    assert (item.open_amount, item.carried) == (D("600.00"), D(840000))
    [row] = revalue(position, JULY_RATES)
    assert row.difference == D(870000) - D(840000)


def test_unapplied_usd_cash_is_revalued_too() -> None:
    position = fx_position([], [receipt("R-1", d(2025, 7, 20), "500.00")], [], JULY.last, "RWF", JULY_RATES)
    [item] = position.items
    # 500 at 1,430.50 = 715,250 owed to the customer; at 1,450 it is 725,000: a loss of 9,750
    assert (item.kind, item.open_amount, item.carried) == ("unapplied", D("-500.00"), D(-715250))
    assert revalue(position, JULY_RATES)[0].difference == D(-9750)


def test_a_settled_invoice_leaves_no_franc_behind_after_two_partial_payments() -> None:
    day_rates = rates((d(2025, 7, 1), "1400.5"))
    # 10.01 x 1,400.5 = 14,019.005 -> 14,019; 5.01 of it = 7,016.505 -> 7,017; the 5.00 left keeps 7,002
    # (not 5.00 x 1,400.5 = 7,003): the last payment takes all that is left
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "10.01")],
                           [receipt("R-1", d(2025, 7, 2), "5.01"), receipt("R-2", d(2025, 7, 3), "5.00")],
                           [paid("R-1", "INV-1", d(2025, 7, 2), "5.01"), paid("R-2", "INV-1", d(2025, 7, 3), "5.00")],
                           JULY.last, "RWF", day_rates)
    first, second = position.realised
    assert (first.invoice_base, first.payment_base, first.difference) == (D(7017), D(7017), D(0))
    assert (second.invoice_base, second.payment_base, second.difference) == (D(7002), D(7003), D(1))
    assert position.items == []  # the invoice is settled and carries nothing


def test_a_usd_invoice_paid_in_usd_at_another_rate_with_bank_charges() -> None:
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "1000.00", "1400")],
                           [receipt("R-1", d(2025, 7, 20), "975.00")],
                           [paid("R-1", "INV-1", d(2025, 7, 20), "975.00", "25.00", kind="bank_charges")],
                           JULY.last, "RWF", JULY_RATES)
    cash, charges = position.realised
    # 975 at 1,430.50 = 1,394,737.5 -> 1,394,738 against 975 x 1,400 = 1,365,000
    assert (cash.source, cash.payment_base, cash.invoice_base, cash.difference) == (
        "receipt", D(1394738), D(1365000), D(29738))
    # the 25 of charges at the receipt's rate (35,762.5 -> 35,763) clear the last 35,000 of the invoice
    assert (charges.source, charges.detail, charges.payment_base, charges.invoice_base, charges.difference) == (
        "deduction", "bank_charges", D(35763), D(35000), D(763))
    assert position.items == []
    assert sum(r.difference for r in realised_in(position, JULY)) == D(30501)
    assert realised_in(position, Period(2025, 8)) == []


def test_a_usd_invoice_paid_in_rwf_realises_the_difference_at_the_allocation_rate() -> None:
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "1000.00", "1400")],
                           [receipt("R-1", d(2025, 7, 31), "1450000", "RWF")],
                           [paid("R-1", "INV-1", d(2025, 7, 31), "1000.00", rate="1450")], JULY.last, "RWF",
                           JULY_RATES)
    [gain] = position.realised
    assert (gain.payment_base, gain.invoice_base, gain.difference) == (D(1450000), D(1400000), D(50000))
    assert position.items == []  # the RWF receipt is the base currency: nothing to carry


def test_a_credit_note_at_its_own_rate_clears_its_invoice() -> None:
    note = invoice("CN-1", d(2025, 7, 10), "-400.00", "1420", doc_type="credit_note", original_invoice="INV-1")
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "1000.00", "1400"), note], [], [], JULY.last, "RWF",
                           JULY_RATES)
    [cleared] = position.realised
    assert (cleared.source, cleared.payment, cleared.difference) == ("credit note", "CN-1", D(568000 - 560000))
    [item] = position.items
    assert (item.reference, item.open_amount, item.carried) == ("INV-1", D("600.00"), D(840000))


def test_an_unstamped_document_is_carried_at_the_rate_of_its_date_or_named_missing() -> None:
    position = fx_position([invoice("INV-1", d(2025, 7, 12), "100.00")], [], [], JULY.last, "RWF", JULY_RATES)
    assert position.items[0].rate == D(1420)  # 10 July's rate: 12 July is within the four days after it
    with pytest.raises(MissingRate, match=r"no USD rate for 2025-07-16 or the 4 days before in Rates"):
        fx_position([invoice("INV-2", d(2025, 7, 16), "100.00")], [], [], JULY.last, "RWF", JULY_RATES,
                    "b.xlsx")


def test_a_missing_closing_rate_names_the_date_and_currency() -> None:
    day_rates = rates((d(2025, 7, 1), "1400"))
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "1000.00", "1400")], [], [], JULY.last, "RWF",
                           day_rates)
    with pytest.raises(MissingRate) as caught:
        revalue(position, day_rates, "b.xlsx")
    assert "no USD rate for 2025-07-31" in str(caught.value) and "[b.xlsx]Rates" in str(caught.value)


def test_rwf_items_have_no_exchange_difference() -> None:
    position = fx_position([invoice("INV-1", d(2025, 7, 1), "1000", currency="RWF")],
                           [receipt("R-1", d(2025, 7, 2), "1000", "RWF")],
                           [Allocation(receipt_id="R-1", invoice_no="INV-1", date=d(2025, 7, 2), currency="RWF",
                                       applied_amount=D(1000))], JULY.last, "RWF", JULY_RATES)
    assert (position.items, position.realised) == ([], [])
