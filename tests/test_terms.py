"""Payment terms: parsing what accountants write, due dates, instalments, discounts, rolling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arxl.core.calendar import BusinessCalendar
from arxl.core.errors import BadValue
from arxl.core.money import round_money
from arxl.core.terms import parse_terms

D = Decimal


@pytest.mark.parametrize(
    ("written", "canonical", "words"),
    [
        ("NET30", "NET30", "Net 30 days"),
        ("NET 30", "NET30", "Net 30 days"),
        ("Net 30 days", "NET30", "Net 30 days"),
        ("net30day", "NET30", "Net 30 days"),
        ("30 days", "NET30", "Net 30 days"),
        ("  30   DAYS  ", "NET30", "Net 30 days"),
        ("NET 1 day", "NET1", "Net 1 day"),
        ("EOM", "EOM", "End of month"),
        ("eom", "EOM", "End of month"),
        ("End of month", "EOM", "End of month"),
        ("EOM+15", "EOM+15", "End of month + 15 days"),
        ("EOM 15", "EOM+15", "End of month + 15 days"),
        ("eom + 15 days", "EOM+15", "End of month + 15 days"),
        ("EOM+0", "EOM", "End of month"),
        ("DUE ON RECEIPT", "NET0", "Due on receipt"),
        ("due upon receipt", "NET0", "Due on receipt"),
        ("Immediate", "NET0", "Due on receipt"),
        ("NET0", "NET0", "Due on receipt"),
        ("2/10 NET30", "2/10 NET30", "2% 10 days, net 30 days"),
        ("2/10, net 30", "2/10 NET30", "2% 10 days, net 30 days"),
        ("2%/10 NET 30 days", "2/10 NET30", "2% 10 days, net 30 days"),
        ("1.5/10 NET30", "1.5/10 NET30", "1.5% 10 days, net 30 days"),
        ("2/10 30 days", "2/10 NET30", "2% 10 days, net 30 days"),
        ("50% NET0, 50% NET30", "50% NET0, 50% NET30", "50% due on receipt, 50% net 30 days"),
        ("50% net0; 50% net 30", "50% NET0, 50% NET30", "50% due on receipt, 50% net 30 days"),
        ("50% on receipt and 50% net 30", "50% NET0, 50% NET30", "50% due on receipt, 50% net 30 days"),
        ("40% EOM, 60% EOM+30", "40% EOM, 60% EOM+30", "40% end of month, 60% end of month + 30 days"),
        (
            "33.33% NET0, 33.33% NET30, 33.34% NET60",
            "33.33% NET0, 33.33% NET30, 33.34% NET60",
            "33.33% due on receipt, 33.33% net 30 days, 33.34% net 60 days",
        ),
        ("100% NET45", "NET45", "Net 45 days"),
    ],
)
def test_parse_terms(written: str, canonical: str, words: str) -> None:
    terms = parse_terms(written)
    assert terms.text == canonical
    assert terms.describe() == words
    assert parse_terms(terms.text) == terms  # the canonical form reads back the same


@pytest.mark.parametrize(
    ("written", "invoice_date", "due"),
    [
        ("NET30", date(2025, 6, 5), date(2025, 7, 5)),
        ("NET30", date(2024, 1, 30), date(2024, 2, 29)),  # leap year
        ("NET30", date(2025, 1, 30), date(2025, 3, 1)),
        ("NET0", date(2024, 2, 29), date(2024, 2, 29)),
        ("NET365", date(2024, 2, 29), date(2025, 2, 28)),
        ("EOM", date(2025, 1, 31), date(2025, 1, 31)),  # invoiced on the 31st: due the same day
        ("EOM", date(2025, 1, 30), date(2025, 1, 31)),
        ("EOM", date(2025, 1, 1), date(2025, 1, 31)),
        ("EOM", date(2025, 2, 28), date(2025, 2, 28)),
        ("EOM", date(2024, 2, 28), date(2024, 2, 29)),  # leap year
        ("EOM", date(2024, 2, 29), date(2024, 2, 29)),
        ("EOM", date(2025, 4, 30), date(2025, 4, 30)),
        ("EOM", date(2025, 12, 15), date(2025, 12, 31)),
        ("EOM+15", date(2024, 2, 10), date(2024, 3, 15)),
        ("EOM+15", date(2025, 2, 10), date(2025, 3, 15)),
        ("EOM+30", date(2025, 1, 31), date(2025, 3, 2)),
        ("EOM+30", date(2024, 1, 31), date(2024, 3, 1)),
        ("EOM+30", date(2025, 12, 31), date(2026, 1, 30)),
        ("2/10 NET30", date(2025, 6, 2), date(2025, 7, 2)),
        ("50% NET0, 50% NET30", date(2025, 6, 2), date(2025, 7, 2)),  # the last instalment
        ("50% NET60, 50% NET30", date(2025, 6, 2), date(2025, 8, 1)),  # the latest, whatever the order
    ],
)
def test_due_date(written: str, invoice_date: date, due: date) -> None:
    assert parse_terms(written).due_date(invoice_date) == due


KIGALI = BusinessCalendar(closures=[date(2025, 12, 29)])


@pytest.mark.parametrize(
    ("written", "invoice_date", "due"),
    [
        ("NET30", date(2025, 6, 5), date(2025, 7, 7)),  # Saturday 5 July 2025 -> Monday 7 July
        ("NET30", date(2025, 6, 4), date(2025, 7, 7)),  # Friday 4 July is Liberation Day
        ("NET30", date(2025, 6, 1), date(2025, 7, 2)),  # Tuesday 1 July is Independence Day
        ("NET30", date(2025, 6, 2), date(2025, 7, 2)),  # already a working day
        ("EOM", date(2025, 5, 10), date(2025, 6, 2)),  # Saturday 31 May 2025
        ("EOM", date(2024, 3, 10), date(2024, 4, 2)),  # Sunday 31 March 2024 then Easter Monday
        ("NET30", date(2025, 11, 25), date(2025, 12, 30)),  # Christmas, Boxing Day, weekend, closure
    ],
)
def test_due_date_rolled_to_the_next_working_day(written: str, invoice_date: date, due: date) -> None:
    assert parse_terms(written).due_date(invoice_date, KIGALI, "next") == due


def test_roll_none_keeps_a_weekend_due_date() -> None:
    assert parse_terms("NET30").due_date(date(2025, 6, 5), KIGALI, "none") == date(2025, 7, 5)
    assert parse_terms("NET30").due_date(date(2025, 6, 5)) == date(2025, 7, 5)


def test_roll_without_calendar_uses_rwandan_holidays() -> None:
    assert parse_terms("NET30").due_date(date(2025, 6, 4), roll="next") == date(2025, 7, 7)


@pytest.mark.parametrize(
    ("written", "invoice_date", "amount", "currency", "expected"),
    [
        ("NET30", date(2025, 6, 5), D("1180000"), "RWF", [(date(2025, 7, 5), D("1180000"))]),
        ("NET30", date(2025, 6, 5), D("1180.005"), "USD", [(date(2025, 7, 5), D("1180.01"))]),
        (
            "50% NET0, 50% NET30",
            date(2025, 6, 4),
            D("1000001"),
            "RWF",
            [(date(2025, 6, 4), D("500001")), (date(2025, 7, 4), D("500000"))],
        ),
        (
            "40% EOM, 60% EOM+30",
            date(2025, 1, 20),
            D("1000001"),
            "RWF",
            [(date(2025, 1, 31), D("400000")), (date(2025, 3, 2), D("600001"))],
        ),
        (
            "33.33% NET0, 33.33% NET30, 33.34% NET60",
            date(2024, 1, 31),
            D("100.01"),
            "USD",
            [(date(2024, 1, 31), D("33.33")), (date(2024, 3, 1), D("33.33")),
             (date(2024, 3, 31), D("33.35"))],
        ),
        (
            "33.33% NET0, 33.33% NET30, 33.34% NET60",
            date(2024, 1, 31),
            D("-100"),
            "RWF",
            [(date(2024, 1, 31), D("-33")), (date(2024, 3, 1), D("-33")), (date(2024, 3, 31), D("-34"))],
        ),
    ],
)
def test_instalments(
    written: str, invoice_date: date, amount: Decimal, currency: str, expected: list[tuple[date, Decimal]]
) -> None:
    assert parse_terms(written).instalments(invoice_date, amount, currency) == expected


def test_instalments_rolled() -> None:
    terms = parse_terms("50% NET0, 50% NET30")
    assert terms.instalments(date(2025, 6, 4), D("1000"), "RWF", KIGALI, "next") == [
        (date(2025, 6, 4), D("500")),
        (date(2025, 7, 7), D("500")),
    ]


@pytest.mark.parametrize(
    ("written", "invoice_date", "amount", "currency", "expected"),
    [
        ("2/10 NET30", date(2025, 6, 2), D("1000000"), "RWF", (date(2025, 6, 12), D("980000"))),
        ("2/10 NET30", date(2025, 6, 2), D("1180001"), "RWF", (date(2025, 6, 12), D("1156401"))),  # 23,600.02
        ("1.5/10 NET30", date(2024, 2, 25), D("1234.57"), "USD", (date(2024, 3, 6), D("1216.05"))),  # 18.52
        ("2/10 NET30", date(2025, 6, 2), D("-1000.25"), "USD", (date(2025, 6, 12), D("-980.24"))),  # 20.005
        ("2/30 NET30", date(2025, 6, 2), D("100"), "RWF", (date(2025, 7, 2), D("98"))),
    ],
)
def test_discount(
    written: str, invoice_date: date, amount: Decimal, currency: str, expected: tuple[date, Decimal]
) -> None:
    terms = parse_terms(written)
    assert terms.discount(invoice_date, amount, currency) == expected
    assert terms.discount_rate * 100 == D(written.split("/")[0])


@pytest.mark.parametrize("written", ["NET30", "EOM+15", "50% NET0, 50% NET30", "DUE ON RECEIPT"])
def test_no_discount(written: str) -> None:
    assert parse_terms(written).discount(date(2025, 6, 2), D("1000"), "RWF") is None


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "NET3O",
            'payment terms "NET3O" are not understood; write e.g. NET30, EOM+15, 2/10 NET30 or '
            "50% NET0, 50% NET30",
        ),
        ("50% NET0, 40% NET30", '"50% NET0, 40% NET30": the instalments add up to 90%, not 100%'),
        ("60% NET0, 60% NET30", "the instalments add up to 120%, not 100%"),
        ("50% NET0", "the instalments add up to 50%, not 100%"),
        ("0% NET0, 100% NET30", "an instalment of 0% is not an instalment"),
        ("2/45 NET30", "the discount period (45 days) ends after the due date (30 days)"),
        ("0/10 NET30", "a discount of 0% is not possible"),
        ("2/10 EOM", 'payment terms "2/10 EOM" are not understood'),  # ambiguous, so refused
        ("2/10", 'payment terms "2/10" are not understood'),
        ("NET 5000", "5000 days is more than ten years"),
        ("EOM+9999", "9999 days is more than ten years"),
        ("NET 99999", 'payment terms "NET 99999" are not understood'),
        ("NET -30", 'payment terms "NET -30" are not understood'),
        ("30", 'payment terms "30" are not understood'),  # a bare number could be days or a percent
        ("50% NET0, 50% NET3O", "are not understood"),
        ("50% NET0,", "the instalments add up to 50%, not 100%"),
        ("NET30, NET60", "are not understood"),
        ("", "payment terms are empty"),
        ("   ", "payment terms are empty"),
    ],
)
def test_parse_terms_refuses(written: str, message: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_terms(written)
    assert message in str(caught.value)


JUNK: list[object] = [
    None, "", "abc", "💸", "NET💸", "NET٣٠", "#N/A", 0, 30, 30.0, float("nan"), True, D("30"), b"NET30",
    ["NET30"], "9" * 5000, "NET" + "9" * 5000, "50% " * 500, "%", "/", "2/", "EOM+", "+15", "NET30" * 100,
]


@pytest.mark.parametrize("junk", JUNK)
def test_parse_terms_junk_gives_bad_value(junk: object) -> None:
    with pytest.raises(BadValue):
        parse_terms(junk)


@given(st.text(max_size=60))
def test_parse_terms_never_fails_otherwise(text: str) -> None:
    try:
        terms = parse_terms(text)
    except BadValue:
        return
    assert parse_terms(terms.text) == terms


@given(st.from_regex(r"[0-9 ,;%/.NETOMDAYS+]{0,30}", fullmatch=True))
def test_parse_terms_never_fails_on_near_misses(text: str) -> None:
    try:
        terms = parse_terms(text)
    except BadValue:
        return
    assert parse_terms(terms.text) == terms


rules = st.one_of(
    st.integers(min_value=0, max_value=365).map(lambda n: f"NET{n}"),
    st.integers(min_value=0, max_value=365).map(lambda n: f"EOM+{n}"),
)


@st.composite
def instalment_terms(draw: st.DrawFn) -> str:
    """Written instalment terms whose whole-percent shares add up to 100."""
    cuts = sorted(draw(st.lists(st.integers(min_value=1, max_value=99), unique=True, max_size=5)))
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return ", ".join(f"{share}% {draw(rules)}" for share in shares)


@given(
    written=instalment_terms(),
    invoice_date=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    units=st.integers(min_value=-10**12, max_value=10**12),
    currency=st.sampled_from(["RWF", "USD"]),
)
def test_instalments_add_up_to_the_amount_exactly(
    written: str, invoice_date: date, units: int, currency: str
) -> None:
    amount = D(units).scaleb(-2) if currency == "USD" else D(units)
    terms = parse_terms(written)
    parts = terms.instalments(invoice_date, amount, currency)
    assert sum((part for _, part in parts), D(0)) == amount
    assert all(part == round_money(part, currency) for _, part in parts)
    assert max(day for day, _ in parts) == terms.due_date(invoice_date)
    assert all(day >= invoice_date for day, _ in parts)
