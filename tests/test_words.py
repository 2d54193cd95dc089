"""Amounts in words as they appear on an invoice: RWF without decimals, USD with cents, credit notes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arxl.core.errors import BadValue, UnknownCurrency
from arxl.core.words import LARGEST, amount_in_words, number_in_words

D = Decimal


@pytest.mark.parametrize(
    ("amount", "code", "words"),
    [
        (1180000, "RWF", "One million one hundred eighty thousand Rwandan francs"),
        (1, "RWF", "One Rwandan franc"),
        (0, "RWF", "Zero Rwandan francs"),
        (D("1250.50"), "USD", "One thousand two hundred fifty US dollars and fifty cents"),
        (D("0.01"), "USD", "Zero US dollars and one cent"),
        (D("1.00"), "USD", "One US dollar"),
        (D("1.01"), "USD", "One US dollar and one cent"),
        (D("2.665"), "USD", "Two US dollars and sixty-seven cents"),  # ROUND, not banker's rounding
        (D("2.675"), "USD", "Two US dollars and sixty-eight cents"),
        (D("1067.5"), "RWF", "One thousand sixty-eight Rwandan francs"),
        (D("0.4"), "RWF", "Zero Rwandan francs"),
        (105, "RWF", "One hundred five Rwandan francs"),
        (21, "RWF", "Twenty-one Rwandan francs"),
        (1000, "RWF", "One thousand Rwandan francs"),
        (1_000_000, "RWF", "One million Rwandan francs"),
        (1_000_001, "RWF", "One million one Rwandan francs"),
        (
            12_345_678,
            "RWF",
            "Twelve million three hundred forty-five thousand six hundred seventy-eight Rwandan francs",
        ),
        (2_000_000_000, "RWF", "Two billion Rwandan francs"),
        (7_000_000_000_000, "RWF", "Seven trillion Rwandan francs"),
        (-1180000, "RWF", "Minus one million one hundred eighty thousand Rwandan francs"),
        (-1, "RWF", "Minus one Rwandan franc"),
        (D("-0.50"), "USD", "Minus zero US dollars and fifty cents"),
        (D("-0.004"), "USD", "Zero US dollars"),  # rounds to nothing: no "minus zero"
        (D("19.99"), "EUR", "Nineteen euros and ninety-nine cents"),
        (D("1.01"), "GBP", "One pound sterling and one penny"),
        (D("3.02"), "GBP", "Three pounds sterling and two pence"),
        (500, "UGX", "Five hundred Ugandan shillings"),
    ],
)
def test_amounts_as_an_invoice_writes_them(amount: Decimal | int, code: str, words: str) -> None:
    assert amount_in_words(amount, code) == words


def test_the_currency_code_is_read_loosely_and_unknown_codes_are_refused() -> None:
    assert amount_in_words(2, " usd ") == "Two US dollars"
    with pytest.raises(UnknownCurrency):
        amount_in_words(2, "XYZ")


def test_up_to_999_trillion_and_not_beyond() -> None:
    assert amount_in_words(LARGEST, "RWF") == (
        "Nine hundred ninety-nine trillion nine hundred ninety-nine billion nine hundred ninety-nine million "
        "nine hundred ninety-nine thousand nine hundred ninety-nine Rwandan francs"
    )
    assert amount_in_words(D("999999999999999.99"), "USD").endswith("US dollars and ninety-nine cents")
    with pytest.raises(BadValue, match="too large"):
        amount_in_words(LARGEST + 1, "RWF")
    with pytest.raises(BadValue, match="too large"):
        amount_in_words(-(LARGEST + 1), "RWF")
    with pytest.raises(BadValue, match="too large"):  # rounds up past the limit
        amount_in_words(D("999999999999999.5"), "RWF")


@pytest.mark.parametrize("junk", [None, True, "abc", D("NaN"), D("Infinity")])
def test_what_is_not_an_amount_is_refused(junk: object) -> None:
    with pytest.raises(BadValue):
        amount_in_words(junk, "RWF")  # type: ignore[arg-type]


def test_numbers_in_words_without_and_with_hyphenated_tens() -> None:
    said = {n: number_in_words(n) for n in (0, 7, 13, 20, 40, 99, 100, 101, 110, 999, 1001, 100_000, 700_019)}
    assert said == {
        0: "zero",
        7: "seven",
        13: "thirteen",
        20: "twenty",
        40: "forty",
        99: "ninety-nine",
        100: "one hundred",
        101: "one hundred one",
        110: "one hundred ten",
        999: "nine hundred ninety-nine",
        1001: "one thousand one",
        100_000: "one hundred thousand",
        700_019: "seven hundred thousand nineteen",
    }
    assert not any(" and " in words for words in said.values())
    with pytest.raises(BadValue):
        number_in_words(-1)
