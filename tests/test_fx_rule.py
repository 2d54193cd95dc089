"""The one rule for a foreign amount in the base currency (arxl.core.fx): what Sage posts from the rate arxl
writes is amount × the Rates sheet's rate, rounded half-up like Excel's ROUND, to the franc."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from arxl.core.fx import from_sage_rate, in_base, sage_rate
from arxl.core.money import round_money


def test_sage_value_is_amount_times_rate_rounded_half_up_for_any_amount_sage_takes() -> None:
    draw = random.Random(11)
    for _ in range(20000):
        amount = D(draw.randint(1, 9_999_999_999)) / 100  # Sage's limit: 99,999,999.99
        places = draw.choice([2, 4])
        rate = D(draw.randint(10 ** (places - 1), 20_000 * 10 ** places)) / D(10 ** places)  # 0.1 to 20,000
        assert in_base(amount, rate, "RWF") == round_money(amount * rate, "RWF"), (amount, rate)


def test_ties_round_up_as_excel_does() -> None:
    assert in_base(D("0.50"), D("1441"), "RWF") == D(721)  # 720.5
    assert in_base(D("1.25"), D("1442.60"), "RWF") == D(1803)  # 1,803.25
    assert from_sage_rate(D("100.00"), sage_rate(D("1440")), "RWF") == D(144000)


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="more than zero"):
        sage_rate(D(0))
    assert sage_rate(D(1)) == D(1)
