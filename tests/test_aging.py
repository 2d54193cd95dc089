"""Aging: inclusive bucket bounds, the age of an item, bucket totals that add up to the total outstanding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arxl.core.aging import BucketScheme, age, bucket_totals, days_past_due, parse_buckets
from arxl.core.errors import BadValue

D = Decimal
DEFAULT = BucketScheme()


def test_default_labels() -> None:
    assert DEFAULT.bounds == (30, 60, 90, 120)
    assert DEFAULT.labels == ("Current", "1-30", "31-60", "61-90", "91-120", "Over 120")


@pytest.mark.parametrize(
    ("days", "index", "label"),
    [
        (-365, 0, "Current"),
        (-1, 0, "Current"),
        (0, 0, "Current"),  # due today is not overdue
        (1, 1, "1-30"),
        (30, 1, "1-30"),  # upper bounds are inclusive
        (31, 2, "31-60"),
        (60, 2, "31-60"),
        (61, 3, "61-90"),
        (90, 3, "61-90"),
        (91, 4, "91-120"),
        (120, 4, "91-120"),
        (121, 5, "Over 120"),
        (10_000, 5, "Over 120"),
    ],
)
def test_bucket_of_an_age(days: int, index: int, label: str) -> None:
    assert DEFAULT.index(days) == index
    assert DEFAULT.label(days) == label


def test_custom_scheme() -> None:
    scheme = BucketScheme((7, 14, 45))
    assert scheme.labels == ("Current", "1-7", "8-14", "15-45", "Over 45")
    assert [scheme.label(d) for d in (0, 7, 8, 14, 15, 45, 46)] == [
        "Current", "1-7", "8-14", "8-14", "15-45", "15-45", "Over 45",
    ]


def test_a_single_bound() -> None:
    scheme = BucketScheme((1,))
    assert scheme.labels == ("Current", "1-1", "Over 1")
    assert [scheme.index(d) for d in (0, 1, 2)] == [0, 1, 2]


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((), "aging buckets are empty"),
        ((30, 30), "aging buckets must increase: 30 comes after 30"),
        ((30, 90, 60), "aging buckets must increase: 60 comes after 90"),
        ((0, 30), "aging bucket 0 is not a positive number of days"),
        ((-30, 30), "aging bucket -30 is not a positive number of days"),
        ((30.0, 60), "aging bucket 30.0 is not a positive number of days"),
        ((True, 60), "aging bucket True is not a positive number of days"),
        ([30, 60], "aging buckets are empty"),  # a list is not a tuple
    ],
)
def test_bad_schemes(bounds: object, message: str) -> None:
    with pytest.raises(BadValue) as caught:
        BucketScheme(bounds)  # type: ignore[arg-type]
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("30,60,90,120", (30, 60, 90, 120)),
        ("30;60;90", (30, 60, 90)),
        (" 30 , 60 ; 90 ", (30, 60, 90)),
        ("15", (15,)),
        (45, (45,)),
        ("7,14,21,28,35,42,49,56,63,70,365", (7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 365)),
    ],
)
def test_parse_buckets(text: object, bounds: tuple[int, ...]) -> None:
    assert parse_buckets(text).bounds == bounds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30,60,60", "aging buckets must increase: 60 comes after 60"),
        ("30, 90, 60", "aging buckets must increase: 60 comes after 90"),
        ("-30,60", 'aging bucket "-30" is not a positive number of days'),
        ("0,30", "aging bucket 0 is not a positive number of days"),
        ("30,,60", 'aging bucket "" is not a positive number of days'),
        ("30 60 90", 'aging bucket "30 60 90" is not a positive number of days'),
        ("30.5,60", 'aging bucket "30.5" is not a positive number of days'),
        ("thirty", 'aging bucket "thirty" is not a positive number of days'),
        ("", "aging buckets are empty"),
        (None, "aging buckets are empty"),
        (-30, "aging bucket -30 is not a positive number of days"),
    ],
)
def test_parse_buckets_refuses(text: object, message: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_buckets(text)
    assert message in str(caught.value)


JUNK: list[object] = [
    None, "", "abc", "💸", "30,💸", "٣٠", "#N/A", 0, True, 30.0, float("nan"), D("30"), b"30", ["30"], (30,),
    "9" * 5000, ",", ";", "30,60,", "1e3",
]


@pytest.mark.parametrize("junk", JUNK)
def test_parse_buckets_junk_gives_bad_value(junk: object) -> None:
    with pytest.raises(BadValue):
        parse_buckets(junk)


@given(st.text(max_size=40))
def test_parse_buckets_never_fails_otherwise(text: str) -> None:
    try:
        scheme = parse_buckets(text)
    except BadValue:
        return
    assert list(scheme.bounds) == sorted(set(scheme.bounds))


@pytest.mark.parametrize(
    ("due", "as_of", "days"),
    [
        (date(2025, 7, 31), date(2025, 7, 31), 0),
        (date(2025, 7, 31), date(2025, 7, 1), -30),
        (date(2025, 6, 30), date(2025, 7, 31), 31),
        (date(2024, 2, 28), date(2024, 3, 1), 2),  # leap year
        (date(2025, 2, 28), date(2025, 3, 1), 1),
        (date(2024, 12, 31), date(2025, 12, 31), 365),
        (date(2023, 12, 31), date(2024, 12, 31), 366),
    ],
)
def test_days_past_due(due: date, as_of: date, days: int) -> None:
    assert days_past_due(due, as_of) == days
    assert age(date(2020, 1, 1), due, as_of) == days


def test_age_from_the_invoice_date() -> None:
    invoiced, due, as_of = date(2024, 1, 31), date(2024, 3, 1), date(2024, 3, 31)
    assert age(invoiced, due, as_of, "invoice_date") == 60
    assert age(invoiced, due, as_of, "due_date") == 30
    assert DEFAULT.label(age(invoiced, due, as_of, "invoice_date")) == "31-60"
    assert DEFAULT.label(age(invoiced, due, as_of)) == "1-30"


def test_age_refuses_unknown_basis() -> None:
    with pytest.raises(BadValue, match='aging basis "posting_date" is not "due_date" or "invoice_date"'):
        age(date(2025, 1, 1), date(2025, 1, 31), date(2025, 3, 1), "posting_date")  # type: ignore[arg-type]


def test_bucket_totals_lists_every_bucket_in_order() -> None:
    items = [
        (-3, D("1180000")),  # not yet due
        (0, D("500000")),  # due today
        (30, D("250000")),
        (31, D("100000")),
        (45, D("-40000")),  # an open credit note
        (121, D("75000")),
    ]
    totals = bucket_totals(items, DEFAULT)
    assert list(totals) == ["Current", "1-30", "31-60", "61-90", "91-120", "Over 120"]
    assert totals == {
        "Current": D("1680000"),
        "1-30": D("250000"),
        "31-60": D("60000"),
        "61-90": D("0"),
        "91-120": D("0"),
        "Over 120": D("75000"),
    }


def test_bucket_totals_of_nothing_are_zeros() -> None:
    assert bucket_totals([], BucketScheme((30,))) == {"Current": D(0), "1-30": D(0), "Over 30": D(0)}


def test_bucket_totals_in_dollars_keep_cents() -> None:
    totals = bucket_totals([(10, D("0.10")), (20, D("0.20")), (95, D("-1000.05"))], DEFAULT)
    assert totals["1-30"] == D("0.30")
    assert totals["91-120"] == D("-1000.05")


schemes = st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8, unique=True).map(
    lambda bounds: BucketScheme(tuple(sorted(bounds)))
)
items = st.lists(
    st.tuples(
        st.integers(min_value=-1000, max_value=5000),
        st.integers(min_value=-10**13, max_value=10**13).map(lambda cents: D(cents).scaleb(-2)),
    ),
    max_size=60,
)


@given(items=items, scheme=schemes)
def test_buckets_add_up_to_the_total_outstanding(
    items: list[tuple[int, Decimal]], scheme: BucketScheme
) -> None:
    totals = bucket_totals(items, scheme)
    assert sum(totals.values(), D(0)) == sum((amount for _, amount in items), D(0))
    assert list(totals) == list(scheme.labels)


@given(days=st.integers(min_value=-1000, max_value=5000), scheme=schemes)
def test_bucket_index_agrees_with_inclusive_upper_bounds(days: int, scheme: BucketScheme) -> None:
    index = scheme.index(days)
    if days <= 0:
        assert index == 0
    else:
        lowers = (0, *scheme.bounds)
        assert lowers[index - 1] < days
        assert index == len(scheme.bounds) + 1 or days <= scheme.bounds[index - 1]
    assert scheme.index(days + 1) >= index
