"""Money: amounts are Decimal, rounded like Excel's ROUND to the currency's ISO 4217 exponent.

Rwandan francs have no minor unit (exponent 0), US dollars have cents (exponent 2). Every amount that leaves
a cell goes through :func:`to_decimal` (the one door: floats through ``repr`` so 0.1 stays 0.1) and every
rounding through :func:`round_money` (half away from zero, which is what Excel's ROUND does; Python's
``round`` rounds half to even and gives 800.55 for 800.555).

>>> to_decimal("1,180,000")
Decimal('1180000')
>>> to_decimal(0.1)
Decimal('0.1')
>>> round_money(Decimal("2.665"), "USD")
Decimal('2.67')
>>> round_money(Decimal("1067.5"), "RWF")
Decimal('1068')
>>> allocate(Decimal("100"), [1, 1, 1], "RWF")
[Decimal('34'), Decimal('33'), Decimal('33')]
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

import iso4217

from arxl.core.errors import BadValue, CurrencyMismatch, UnknownCurrency


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency: its code, minor-unit exponent and the words used on documents."""

    code: str
    exponent: int
    name: str  # plural name of the major unit, as in "one million Rwandan francs"
    singular: str
    minor: str = ""  # plural name of the minor unit ("cents"); empty when there is none
    minor_singular: str = ""


ISO_PUBLISHED: date = iso4217.__published__
"""The date of the ISO 4217 list one that the ``iso4217`` package carries (the maintenance agency's table)."""

_WORDS: dict[str, tuple[str, str, str, str]] = {
    "RWF": ("Rwandan francs", "Rwandan franc", "", ""),
    "USD": ("US dollars", "US dollar", "cents", "cent"),
    "EUR": ("euros", "euro", "cents", "cent"),
    "GBP": ("pounds sterling", "pound sterling", "pence", "penny"),
    "KES": ("Kenyan shillings", "Kenyan shilling", "cents", "cent"),
    "UGX": ("Ugandan shillings", "Ugandan shilling", "", ""),
    "TZS": ("Tanzanian shillings", "Tanzanian shilling", "cents", "cent"),
    "BIF": ("Burundian francs", "Burundian franc", "", ""),
    "CHF": ("Swiss francs", "Swiss franc", "centimes", "centime"),
    "ZAR": ("South African rand", "South African rand", "cents", "cent"),
    "CDF": ("Congolese francs", "Congolese franc", "centimes", "centime"),
    "JPY": ("yen", "yen", "", ""),
}
"""English words for amounts in words (plural, singular, minor plural, minor singular): the currencies of the
region. Words are language, not ISO data: any other currency is written with its ISO name and its minor unit as
a fraction ("and 50/100"), which is how a cheque writes it."""


def _iso_currencies() -> dict[str, Currency]:
    """Every current ISO 4217 currency with a minor unit (funds included; gold, SDR and test codes, whose minor
    unit is "N.A.", are no money arxl holds). The exponent is ISO's, never a hand-kept figure. The region's
    currencies come first, in the order arxl has always listed them."""
    found: dict[str, Currency] = {}
    for code in [*_WORDS, *sorted(c for c in iso4217.raw_table if c and c not in _WORDS)]:
        minor = iso4217.raw_table[code].get("CcyMnrUnts")
        if not isinstance(minor, str) or not minor.isdigit():
            continue
        iso_name = str(iso4217.raw_table[code].get("CcyNm") or code)
        name, singular, minor_name, minor_singular = _WORDS.get(code, (iso_name, iso_name, "", ""))
        found[code] = Currency(code, int(minor), name, singular, minor_name, minor_singular)
    return found


CURRENCIES: Mapping[str, Currency] = MappingProxyType(_iso_currencies())
"""Every ISO 4217 currency by code: a new currency needs no change to arxl, only to the ``iso4217`` package."""

EXCEL_ERRORS = frozenset(
    {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA",
     "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#PYTHON!"}
)

# Plain decimal after separators are removed; thousands grouped by "," (or a space / apostrophe), "." decimal.
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}([,' \u00a0\u202f]\d{3})+(\.\d+)?")


def currency(code: object) -> Currency:
    """The currency for an ISO code, case and spaces ignored; unknown codes are refused.

    >>> currency(" usd ").exponent
    2
    """
    key = str(code).strip().upper() if code is not None else ""
    try:
        return CURRENCIES[key]
    except KeyError:
        raise UnknownCurrency(not_a_currency(code)) from None


def not_a_currency(code: object, what: str = "currency") -> str:
    """The one message for a code that is no ISO 4217 currency, for :func:`currency` and the validation.

    >>> not_a_currency("XYZ")
    'currency "XYZ" is not an ISO 4217 currency code (such as RWF, USD, EUR)'
    """
    shown = str(code).strip()[:20] if code is not None else ""
    return f'{what} "{shown}" is not an ISO 4217 currency code (such as RWF, USD, EUR)'


def is_currency(code: object) -> bool:
    """True for the code of an ISO 4217 currency arxl can hold (exact, upper case: ``"RWF"``, not ``"rwf"``)."""
    return isinstance(code, str) and code in CURRENCIES


def exponent(code: str) -> int:
    """The number of decimals an amount in this currency carries (RWF 0, USD 2)."""
    return currency(code).exponent


def is_excel_error(value: object) -> bool:
    """True for Excel's error values as they arrive from a cell (``#N/A``, ``#DIV/0!``...)."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """Turn a cell value into a Decimal: the one door for numbers.

    Accepts int, Decimal, float (through ``repr``, so 0.1 is 0.1), and text with thousands separators,
    a leading sign or accounting parentheses for negatives. Refuses empty cells, booleans, Excel errors,
    infinities and text that is not a number, naming ``what`` in the message.

    >>> to_decimal("(1,200.50)")
    Decimal('-1200.50')
    >>> to_decimal("12,5OO")
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: amount "12,5OO" is not a number
    """
    if isinstance(value, float):  # the common case from a cell: checked first
        if not math.isfinite(value):
            raise BadValue(f"{what} is not a finite number")
        if value.is_integer() and abs(value) < 1e15:
            return Decimal(int(value))  # 600000.0 from a cell is 600000, not 600000.0
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise BadValue(f"{what} is not a finite number")
        return value
    if isinstance(value, bool) or value is None:
        raise BadValue(f"{what} is empty" if value is None else f"{what} {value} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return _parse_text(value, what)
    raise BadValue(f"{what} {str(value)[:40]!r} is not a number")


def _parse_text(text: str, what: str) -> Decimal:
    raw = text.strip()
    if not raw:
        raise BadValue(f"{what} is empty")
    if is_excel_error(raw):
        raise BadValue(f"{what} is the Excel error {raw.upper()}")
    body = raw
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    if _GROUPED.fullmatch(body):
        body = re.sub(r"[,' \u00a0\u202f]", "", body)
    if len(body) > 60 or not _PLAIN.fullmatch(body):
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        raise BadValue(f'{what} "{shown}" is not a number')
    try:
        number = Decimal(body)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        raise BadValue(f'{what} "{raw}" is not a number') from None
    if not number.is_finite() or abs(number.adjusted()) > 30:
        raise BadValue(f'{what} "{raw[:40]}" is out of range')
    return -number if negative else number


def to_rate(value: object, what: str = "rate") -> Decimal:
    """A rate as a fraction: ``"18%"`` and ``0.18`` give 0.18; a bare number above 1 is read as percent.

    >>> to_rate("18%"), to_rate(0.18), to_rate(18), to_rate("0")
    (Decimal('0.18'), Decimal('0.18'), Decimal('0.18'), Decimal('0'))
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        number = to_decimal(value.strip()[:-1], what) / 100
    else:
        number = to_decimal(value, what)
        if number > 1:
            number = number / 100
    if number < 0 or number > 1:
        raise BadValue(f"{what} {value} is not between 0% and 100%")
    return number.normalize() if number else Decimal(0)


def round_money(amount: Decimal | int, code: str) -> Decimal:
    """Round half away from zero to the currency's exponent, as Excel's ROUND does.

    An amount beyond what an amount of the currency can hold (more digits than Decimal's 28 once rounded), or
    not a finite number, is refused with the amount named, never with a bare decimal error. (What a cell holds
    exactly is narrower, :func:`storable`: the validation checks it where it knows the cell.)

    >>> round_money(Decimal("800.555"), "USD"), round_money(Decimal("-2.5"), "RWF")
    (Decimal('800.56'), Decimal('-3'))
    >>> round_money(Decimal("2.478E+30"), "RWF")
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: amount 2,478,000,000,000,000,000,000,000,000,000 is beyond what an amount in RWF can hold
    """
    quantum = Decimal(1).scaleb(-exponent(code))
    try:
        rounded = Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than Decimal's context holds (28), or an infinity
        rounded = Decimal("NaN")
    if rounded.is_finite():
        return rounded
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise BadValue(f"amount {amount} is not a finite number")
    raise BadValue(f"amount {amount:,f} is beyond what an amount in {code} can hold")


EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number: the 16th and later are silently made 0


def storable(amount: Decimal, code: str) -> bool:
    """True when the amount, in whole units of the currency, has at most Excel's 15 significant digits, so a
    cell keeps it exactly (RWF up to 999,999,999,999,999; USD up to 9,999,999,999,999.99).

    >>> storable(Decimal("999999999999999"), "RWF"), storable(Decimal("1E+15"), "RWF")
    (True, False)
    >>> storable(Decimal("9999999999999.99"), "USD"), storable(Decimal("-1E+13"), "USD")
    (True, False)
    """
    return abs(amount) < _LIMITS.get(code, _STRICTEST)


def largest(code: str) -> Decimal:
    """The largest amount a cell holds exactly in this currency (see :func:`storable`).

    >>> largest("RWF"), largest("USD")
    (Decimal('999999999999999'), Decimal('9999999999999.99'))
    """
    return _LIMITS[currency(code).code] - unit(code)


_LIMITS = {code: Decimal(10) ** (EXCEL_DIGITS - c.exponent) for code, c in CURRENCIES.items()}
_STRICTEST = min(_LIMITS.values())  # an unknown currency is held to the tightest limit


def figure(amount: Decimal | int, code: str, *, with_code: bool = False) -> str:
    """An amount as the accountant writes it: rounded half up to the currency's exponent, thousands
    separators, exactly its decimals, and with ``with_code`` the code after it. arxl's one amount formatter:
    reports, letters, statements, messages and the job summaries all write amounts through it.

    >>> figure(Decimal("1180000"), "RWF"), figure(Decimal("-1250.505"), "USD")
    ('1,180,000', '-1,250.51')
    >>> figure(Decimal("1250.5"), "USD", with_code=True), figure(2500, "UGX", with_code=True)
    ('1,250.50 USD', '2,500 UGX')
    """
    places = exponent(code)
    text = f"{round_money(amount, code):,.{places}f}"
    return f"{text} {currency(code).code}" if with_code else text


def is_rounded(amount: Decimal, code: str) -> bool:
    """True when the amount has no more decimals than the currency allows (RWF 1068, not 1067.8)."""
    return amount == round_money(amount, code)


def unit(code: str) -> Decimal:
    """The smallest amount of the currency: 1 RWF, 0.01 USD."""
    return Decimal(1).scaleb(-exponent(code))


def allocate(total: Decimal | int, weights: Sequence[Decimal | int | float], code: str) -> list[Decimal]:
    """Split ``total`` over ``weights`` in the currency's units so that the parts add up exactly.

    Largest-remainder method: each part is rounded down, and the units left over go to the parts with the
    largest remainders (earlier parts first on a tie). A negative total is split like its absolute value.

    >>> allocate(Decimal("10.00"), [Decimal("1"), Decimal("2")], "USD")
    [Decimal('3.33'), Decimal('6.67')]
    >>> allocate(Decimal("-5"), [1, 1], "RWF")
    [Decimal('-3'), Decimal('-2')]
    """
    total = round_money(Decimal(total), code)
    if not weights:
        raise BadValue("nothing to allocate over")
    shares = [to_decimal(w, "weight") for w in weights]
    if any(w < 0 for w in shares):
        raise BadValue("allocation weights cannot be negative")
    weight_sum = sum(shares, Decimal(0))
    if weight_sum == 0:
        raise BadValue("allocation weights add up to zero")
    step = unit(code)
    units = int(abs(total) / step)
    exact = [Decimal(units) * w / weight_sum for w in shares]
    floors = [int(x) for x in exact]
    left = units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    sign = -1 if total < 0 else 1
    return [(sign * n * step).quantize(step) for n in floors]


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency. Adding different currencies or multiplying two amounts is refused.

    >>> sum([Money(Decimal("1.10"), "USD"), Money(Decimal("2.20"), "USD")])
    Money(amount=Decimal('3.30'), currency='USD')
    >>> Money(Decimal(1), "USD") + Money(Decimal(1), "RWF")
    Traceback (most recent call last):
    ...
    arxl.core.errors.CurrencyMismatch: cannot add 1 RWF to 1 USD
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        currency(self.currency)

    def _same(self, other: Money, verb: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(
                f"cannot {verb} {other.amount} {other.currency} {'to' if verb == 'add' else 'from'} "
                f"{self.amount} {self.currency}"
            )

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        if other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, Money | float | bool):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def rounded(self) -> Money:
        return Money(round_money(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return figure(self.amount, self.currency, with_code=True)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """Sum of Decimals that is Decimal even when there are none."""
    return sum(amounts, Decimal(0))
