"""Money and dates: the two doors every amount and date goes through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arxl.core.dates import add_months, from_serial, month_end, to_date, to_serial
from arxl.core.errors import BadValue, CurrencyMismatch, UnknownCurrency
from arxl.core.money import (
    CURRENCIES,
    ISO_PUBLISHED,
    Money,
    allocate,
    currency,
    exponent,
    figure,
    is_currency,
    round_money,
    to_decimal,
    to_rate,
)
from arxl.core.period import Period


@pytest.mark.parametrize(("code", "places"), [("RWF", 0), ("USD", 2), ("EUR", 2), ("GBP", 2), ("KES", 2),
                                              ("UGX", 0), ("TZS", 2), ("BIF", 0), ("JPY", 0), ("KWD", 3),
                                              ("BHD", 3), ("TND", 3), ("IQD", 3), ("CLF", 4), ("ISK", 0)])
def test_iso_exponents(code: str, places: int) -> None:
    """ISO 4217's minor units, as the design says, not a locale library's display digits (which differ for some
    codes, such as the Iraqi dinar)."""
    assert exponent(code) == places


def test_every_iso_currency_is_known_without_a_code_change() -> None:
    """The exponents come from the maintained ISO list one (the iso4217 package), not a hand list of a few."""
    assert len(CURRENCIES) > 150 and ISO_PUBLISHED.year >= 2024
    assert list(CURRENCIES)[:3] == ["RWF", "USD", "EUR"]  # the region's first, as arxl always listed them
    assert {"XAU", "XDR", "XTS", "XXX"}.isdisjoint(CURRENCIES)  # no minor unit: not money arxl holds
    assert figure(D("1234.5675"), "KWD") == "1,234.568" and figure(D("1234.5"), "JPY") == "1,235"
    assert currency(" kwd ").name == "Kuwaiti Dinar" and is_currency("BHD") and not is_currency("bhd")


@pytest.mark.parametrize("code", ["XYZ", "", "US", "XAU", None])
def test_an_unknown_currency_is_refused_clearly(code: object) -> None:
    with pytest.raises(UnknownCurrency, match="is not an ISO 4217 currency code"):
        currency(code)


@pytest.mark.parametrize(("amount", "code", "expected"), [
    ("2.665", "USD", "2.67"),        # Excel's ROUND; banker's rounding would give 2.66
    ("800.555", "USD", "800.56"),
    ("2.675", "USD", "2.68"),
    ("-2.665", "USD", "-2.67"),      # credit notes round away from zero too
    ("1067.5", "RWF", "1068"),
    ("1068.4999", "RWF", "1068"),
    ("-0.5", "RWF", "-1"),
    ("0.005", "USD", "0.01"),
    ("1180000", "RWF", "1180000"),
])
def test_round_half_up_like_excel(amount: str, code: str, expected: str) -> None:
    assert round_money(D(amount), code) == D(expected)
    assert str(round_money(D(amount), code)) == expected


def test_float_enters_through_repr() -> None:
    assert to_decimal(2.665) == D("2.665")  # the binary float is 2.66499999..., repr is the cell's text
    assert round_money(to_decimal(2.665), "USD") == D("2.67")
    assert to_decimal(0.1) + to_decimal(0.2) == D("0.3")


@pytest.mark.parametrize(("text", "expected"), [
    ("1,180,000", "1180000"), ("1 180 000", "1180000"), ("1'180'000.50", "1180000.50"),
    ("(1,200.50)", "-1200.50"), ("-7000", "-7000"), ("+12.5", "12.5"), (" 42 ", "42"), ("1e3", "1E+3"),
])
def test_text_numbers(text: str, expected: str) -> None:
    assert to_decimal(text) == D(expected)


@pytest.mark.parametrize("junk", ["12,5OO", "12,5", "1,00,000", "abc", "", "  ", "#N/A", "#DIV/0!", None, True,
                                  float("nan"), float("inf"), "💸", "1e999", [1], "1.2.3"])
def test_junk_is_refused_with_bad_value(junk: object) -> None:
    with pytest.raises(BadValue):
        to_decimal(junk, "amount")


def test_excel_error_is_named() -> None:
    with pytest.raises(BadValue, match="is the Excel error #N/A"):
        to_decimal("#n/a")


def test_rates() -> None:
    assert to_rate("18%") == D("0.18")
    assert to_rate(0.18) == D("0.18")
    assert to_rate(18) == D("0.18")
    assert to_rate("2.5%") == D("0.025")
    with pytest.raises(BadValue):
        to_rate("-5%")
    with pytest.raises(BadValue):
        to_rate("150%")


def test_allocate_examples() -> None:
    assert allocate(D(100), [1, 1, 1], "RWF") == [D(34), D(33), D(33)]
    assert allocate(D("0.05"), [1, 1], "USD") == [D("0.03"), D("0.02")]
    assert allocate(D("1180000"), [D("0.5"), D("0.3"), D("0.2")], "RWF") == [D(590000), D(354000), D(236000)]
    assert allocate(D(0), [1, 2], "RWF") == [D(0), D(0)]
    with pytest.raises(BadValue):
        allocate(D(10), [0, 0], "RWF")
    with pytest.raises(BadValue):
        allocate(D(10), [1, -1], "RWF")


@given(st.integers(min_value=-10**12, max_value=10**12),
       st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
       st.sampled_from(["RWF", "USD", "BIF", "KES"]))
def test_allocation_preserves_the_total(units: int, weights: list[int], code: str) -> None:
    amount = D(units).scaleb(-exponent(code))
    parts = allocate(amount, weights, code)
    assert sum(parts, D(0)) == amount
    assert all(p == round_money(p, code) for p in parts)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


def test_money_refuses_mixed_currencies_and_products() -> None:
    usd = Money(D("10.00"), "USD")
    with pytest.raises(CurrencyMismatch):
        _ = usd + Money(D(10), "RWF")
    with pytest.raises(TypeError):
        _ = usd * usd  # type: ignore[operator]
    assert sum([usd, usd]) == Money(D("20.00"), "USD")
    assert str(Money(D("1180000"), "RWF")) == "1,180,000 RWF"
    with pytest.raises(UnknownCurrency):
        Money(D(1), "XXX")


@pytest.mark.parametrize(("value", "expected"), [
    ("05/07/2025", dt.date(2025, 7, 5)), ("5.7.2025", dt.date(2025, 7, 5)), ("2025-07-05", dt.date(2025, 7, 5)),
    ("5 Jul 2025", dt.date(2025, 7, 5)), ("05-Jul-2025", dt.date(2025, 7, 5)), ("July 5, 2025", dt.date(2025, 7, 5)),
    ("29/02/2024", dt.date(2024, 2, 29)), (45839, dt.date(2025, 7, 1)), (45839.75, dt.date(2025, 7, 1)),
    (dt.datetime(2025, 7, 1, 23, 59), dt.date(2025, 7, 1)),
])
def test_dates(value: object, expected: dt.date) -> None:
    assert to_date(value) == expected


@pytest.mark.parametrize("junk", ["29/02/2025", "31/04/2025", "07/01/25", "", None, "#VALUE!", True, -5, 1e12,
                                  "tomorrow", "2025-13-01"])
def test_bad_dates(junk: object) -> None:
    with pytest.raises(BadValue):
        to_date(junk, "due date")


def test_1904_workbooks_and_serial_round_trip() -> None:
    assert from_serial(0, date1904=True) == dt.date(1904, 1, 1)
    assert to_date(44378, date1904=True) == dt.date(2025, 7, 2)
    assert from_serial(to_serial(dt.date(2024, 2, 29))) == dt.date(2024, 2, 29)


def test_periods_and_months() -> None:
    assert (Period.parse("2025-07").first, Period.parse("2025-07").last) == (dt.date(2025, 7, 1), dt.date(2025, 7, 31))
    assert month_end(dt.date(2023, 2, 1)) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    for junk in ("2025-7", "2025-13", "July", None):
        with pytest.raises(BadValue):
            Period.parse(junk)


@pytest.mark.parametrize(("amount", "code", "shown"), [
    ("1180000", "RWF", "1,180,000 RWF"), ("-1250.5", "USD", "-1,250.50 USD"), ("0", "USD", "0.00 USD"),
    ("2500", "UGX", "2,500 UGX"), ("2500", "BIF", "2,500 BIF"), ("1500", "JPY", "1,500 JPY"),
    ("12.3456", "KWD", "12.346 KWD"), ("2.665", "USD", "2.67 USD"),
])
def test_one_amount_formatter(amount: str, code: str, shown: str) -> None:
    """RWF and USD display as before; UGX, BIF and JPY get no decimals they do not have; KWD gets its three."""
    assert figure(D(amount), code, with_code=True) == shown
    assert figure(D(amount), code) == shown.rsplit(" ", 1)[0]
    assert str(Money(round_money(D(amount), code), code)) == shown
