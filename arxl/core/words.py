"""Amounts in words, as written on an invoice or a cheque ("the sum of ...").

The amount is first rounded like Excel's ROUND to the currency's unit (RWF has no decimals, USD has cents),
then written in American style: no "and" inside the number ("one hundred five"), tens hyphenated
("twenty-one"), short scale (a billion is a thousand million). Cents follow the major unit after "and".
The currency's names come from :data:`arxl.core.money.CURRENCIES`, singular for exactly one unit.

>>> amount_in_words(1180000, "RWF")
'One million one hundred eighty thousand Rwandan francs'
>>> amount_in_words(1, "RWF")
'One Rwandan franc'
>>> amount_in_words(Decimal("1250.50"), "USD")
'One thousand two hundred fifty US dollars and fifty cents'
>>> amount_in_words(Decimal("0.01"), "usd")
'Zero US dollars and one cent'
>>> amount_in_words(Decimal("2.665"), "USD")
'Two US dollars and sixty-seven cents'
>>> amount_in_words(-105, "RWF")
'Minus one hundred five Rwandan francs'

Amounts up to 999 trillion are written; anything larger is refused (no invoice is that big, and a number
that large in a cell is a typing mistake).
"""

from __future__ import annotations

from decimal import Decimal

from arxl.core.errors import BadValue
from arxl.core.money import currency, round_money, to_decimal

__all__ = ["LARGEST", "amount_in_words", "number_in_words"]

LARGEST = 999_999_999_999_999
"""The largest whole number of major units that :func:`amount_in_words` writes (999 trillion and change)."""

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))


def _below_thousand(number: int) -> str:
    hundreds, rest = divmod(number, 100)
    parts = [f"{_ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(f"{_TENS[tens]}-{_ONES[ones]}" if ones else _TENS[tens])
    elif rest:
        parts.append(_ONES[rest])
    return " ".join(parts)


def number_in_words(number: int) -> str:
    """A whole number from 0 to :data:`LARGEST` in lower-case words.

    >>> number_in_words(0), number_in_words(21), number_in_words(105)
    ('zero', 'twenty-one', 'one hundred five')
    >>> number_in_words(2_000_017)
    'two million seventeen'
    """
    if number < 0 or number > LARGEST:
        raise BadValue(f"{number} is outside 0 to {LARGEST:,}")
    if number == 0:
        return _ONES[0]
    parts: list[str] = []
    rest = number
    for size, name in _SCALES:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{_below_thousand(count)} {name}")
    if rest:
        parts.append(_below_thousand(rest))
    return " ".join(parts)


def amount_in_words(amount: Decimal | int, currency_code: str) -> str:
    """The amount in words with its currency, first letter capitalised, rounded to the currency's unit.

    Negative amounts (credit notes) start with "Minus". Zero cents are not written.

    >>> amount_in_words(0, "RWF")
    'Zero Rwandan francs'
    >>> amount_in_words(Decimal("-0.004"), "USD")
    'Zero US dollars'
    >>> amount_in_words(10**15, "RWF")
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: amount 1,000,000,000,000,000 is too large to write in words
    """
    money = currency(currency_code)
    rounded = round_money(to_decimal(amount), money.code)
    size = abs(rounded)
    major = int(size)
    if major > LARGEST:
        raise BadValue(f"amount {major:,} is too large to write in words")
    minor = int((size - major).scaleb(money.exponent))
    words = f"{number_in_words(major)} {money.singular if major == 1 else money.name}"
    if minor:
        if money.minor:
            words += f" and {number_in_words(minor)} {money.minor_singular if minor == 1 else money.minor}"
        else:  # a currency with decimals but no name for them: write the fraction as on a cheque
            words += f" and {minor:0{money.exponent}d}/{10**money.exponent}"
    if rounded < 0:
        words = f"minus {words}"
    return words[0].upper() + words[1:]
