"""Worksheet functions: VAT, withholding, due dates, aging buckets, match scores and amounts in words.

Each function is a thin door into ``arxl.core``: it turns cell values into Decimals and dates (the one door
for numbers, :func:`arxl.core.money.to_decimal`, and for dates, :func:`arxl.core.dates.to_date`), calls the
core, and turns the answer back into something a cell shows. Money leaves as a float only here, after it has
been rounded to the currency's unit, so 1068 RWF shows as 1068 and 2.67 USD as 2.67.

Every function works on a single cell or on whole ranges: give it a column of amounts and it returns a column
of answers of the same shape (a single value next to a range is used for every cell; ranges of different
sizes are refused). It never raises: bad input gives a short text starting ``#ARXL:`` in that cell only, so
one bad row does not hide the others. A blank first argument (no amount, no date) gives a blank answer, so a
formula filled down past the end of a table stays quiet. Blank optional arguments take their defaults.

>>> arxl_vat(1000000), arxl_vat(7000, "18%", True), arxl_vat(14.75, 0.18, False, "USD")
(180000.0, 1068.0, 2.66)
>>> arxl_net(7000), arxl_gross(5932), arxl_round(2.665, "USD"), arxl_round(-2.5, "RWF")
(5932.0, 7000.0, 2.67, -3.0)
>>> arxl_expected_cash(1180000, 1000000, 180000, "vat,wht3")
970000.0
>>> arxl_due_date(datetime.date(2025, 6, 5), "NET30"), arxl_due_date(45813, "net 30", "next")
(datetime.date(2025, 7, 5), datetime.date(2025, 7, 7))
>>> arxl_days_past_due(datetime.date(2025, 6, 30), "2025-07-31")
31
>>> [arxl_aging_bucket(45838, 45838 + days) for days in (0, 30, 31, 121)]
['Current', '1-30', '31-60', 'Over 120']
>>> arxl_match_score("TRF INV-2025-00042", "INV-2025-00042", "Ministry of Infrastructure", 1180000, 1180000)
100
>>> arxl_amount_in_words(1250.5, "USD")
'One thousand two hundred fifty US dollars and fifty cents'

Ranges in, ranges out; a bad cell says what is wrong and the others still compute:

>>> arxl_vat([[1000000], [None], ["abc"]])
[[180000.0], [''], ['#ARXL: amount "abc" is not a number']]
>>> arxl_days_past_due("31/02/2025", "2025-07-31")
'#ARXL: due date "31/02/2025" is not a date'

Excel shows each function's first lines in its function wizard, with the argument descriptions given to
``@xw.arg``. Every argument is read as a two-dimensional range (``ndim=2``) so that a column comes back as a
column: xlwings would otherwise pass a column as a flat list, and a flat list is written back as a row.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import xlwings as xw

from arxl.core.aging import BucketScheme, days_past_due, parse_buckets
from arxl.core.calendar import BusinessCalendar, Roll
from arxl.core.dates import to_date
from arxl.core.errors import ArxlError, BadValue
from arxl.core.money import currency as currency_of
from arxl.core.money import is_excel_error, round_money, to_decimal, to_rate, unit
from arxl.core.scoring import match_score
from arxl.core.tax import expected_cash, gross_of_net, net_of_gross, parse_withholding, vat_in_gross, vat_on_net
from arxl.core.terms import PaymentTerms, parse_terms
from arxl.core.withholding import codes
from arxl.core.words import LARGEST, amount_in_words

__all__ = [
    "arxl_aging_bucket",
    "arxl_amount_in_words",
    "arxl_days_past_due",
    "arxl_due_date",
    "arxl_expected_cash",
    "arxl_gross",
    "arxl_match_score",
    "arxl_net",
    "arxl_round",
    "arxl_vat",
]

CATEGORY = "arxl"
ERROR_PREFIX = "#ARXL: "
MAX_ERROR = 60
DEFAULT_RATE = Decimal("0.18")
DEFAULT_CURRENCY = "RWF"
DEFAULT_BUCKETS = "30,60,90,120"

# Rwanda's public holidays for roll="next". A worksheet function sees only its arguments, so the office's own
# closure days in the workbook's Settings are not known here; the billing macros use them.
CALENDAR = BusinessCalendar()

_F = TypeVar("_F", bound=Callable[..., Any])
_TRUE = frozenset({"TRUE", "YES", "Y", "1", "INCLUSIVE", "INCL", "VAT INCLUSIVE"})
_FALSE = frozenset({"FALSE", "NO", "N", "0", "EXCLUSIVE", "EXCL", "VAT EXCLUSIVE"})


# -- ranges in, ranges out -------------------------------------------------------------------------------


def _error(message: str) -> str:
    """``#ARXL: message``, short enough for a cell: the help after a ";" goes first, then what the user typed.

    >>> _error('payment terms "pay whenever you feel like it" are not understood; write e.g. NET30')
    '#ARXL: payment terms "pay whenever y..." are not understood'
    """
    room = MAX_ERROR - len(ERROR_PREFIX)
    if len(message) > room and "; " in message:
        message = message.split("; ")[0]
    quoted = re.search(r'"([^"]*)"', message)
    if len(message) > room and quoted:  # shorten what the user typed before the words that explain it
        typed = quoted.group(1)
        keep = max(8, len(typed) - (len(message) - room) - 3)
        if keep < len(typed):
            message = message[: quoted.start(1)] + typed[:keep].rstrip() + "..." + message[quoted.end(1) :]
    if len(message) > room:
        message = message[: room - 3].rstrip() + "..."
    return ERROR_PREFIX + message


def _shape(value: Any) -> tuple[int, ...]:
    """() for one cell, (n,) for a row or column as a list, (rows, columns) for a list of rows."""
    if not isinstance(value, list | tuple):
        return ()
    if not value:
        raise BadValue("a range is empty")
    rows = [isinstance(row, list | tuple) for row in value]
    if not any(rows):
        return (len(value),)
    if not all(rows):
        raise BadValue("a range mixes cells and rows")
    widths = {len(row) for row in value}
    if len(widths) != 1 or 0 in widths:
        raise BadValue("the rows of a range are not the same length")
    if any(isinstance(cell, list | tuple) for row in value for cell in row):
        raise BadValue("a range has more than two dimensions")
    return (len(value), widths.pop())


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _cell(value: Any, shape: tuple[int, ...], row: int, column: int) -> Any:
    if not shape:
        return value
    if _size(shape) == 1:
        return value[0] if len(shape) == 1 else value[0][0]
    return value[row] if len(shape) == 1 else value[row][column]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _one(compute: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """One cell's answer: blank for a blank first argument, ``#ARXL: ...`` for bad input, never raising."""
    if _blank(args[0]):
        return ""
    try:
        return compute(*args)
    except ArxlError as problem:
        return _error(problem.message)
    except (ArithmeticError, ValueError, OverflowError):  # a number too large for the arithmetic
        return _error("a number is out of range")
    except Exception:  # a worksheet function must never raise: say so in the cell, not with a dialog
        return _error("could not compute this cell")


def cellwise(compute: Callable[..., Any], *args: Any) -> Any:
    """Apply ``compute`` to one cell, or cell by cell over ranges (single values are used for every cell).

    >>> cellwise(lambda a, b: a + b, [[1, 2], [3, 4]], 10)
    [[11, 12], [13, 14]]
    >>> cellwise(lambda a, b: a + b, [1, 2, 3], [1, 2])
    '#ARXL: the ranges are not the same size (3 and 2 cells)'
    """
    try:
        shapes = [_shape(arg) for arg in args]
    except ArxlError as problem:
        return _error(problem.message)
    ranges = [shape for shape in shapes if shape]
    if not ranges:
        return _one(compute, args)
    target = max(ranges, key=_size)
    for shape in ranges:
        if shape != target and _size(shape) != 1:
            return _error(f"the ranges are not the same size ({_size(target)} and {_size(shape)} cells)")
    if len(target) == 1:
        return [_one(compute, tuple(_cell(a, s, i, 0) for a, s in zip(args, shapes, strict=True)))
                for i in range(target[0])]
    return [[_one(compute, tuple(_cell(a, s, i, j) for a, s in zip(args, shapes, strict=True)))
             for j in range(target[1])] for i in range(target[0])]


# -- cell values in --------------------------------------------------------------------------------------


def _currency(value: Any) -> str:
    if _blank(value):
        return DEFAULT_CURRENCY
    if is_excel_error(value):
        raise BadValue(f"currency is the Excel error {str(value).strip().upper()}")
    try:
        return currency_of(value if isinstance(value, str) else "").code
    except ArxlError:
        shown = str(value).strip()
        shown = shown if len(shown) <= 12 else shown[:9] + "..."
        raise BadValue(f'currency "{shown}" is not known (write RWF, USD...)') from None


def _amount(value: Any, code: str, what: str = "amount") -> Decimal:
    """A money amount from a cell, rounded to the currency's unit; absurdly large amounts are refused."""
    number = to_decimal(value, what)
    if abs(number) > LARGEST:
        raise BadValue(f"{what} is too large")
    return round_money(number, code)


def _rate(value: Any) -> Decimal:
    return DEFAULT_RATE if _blank(value) else to_rate(value, "VAT rate")


def _flag(value: Any, what: str) -> bool:
    if _blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().upper() in _TRUE | _FALSE:
        return value.strip().upper() in _TRUE
    shown = str(value).strip()[:12]
    raise BadValue(f'{what} "{shown}" is not TRUE or FALSE')


def _text(value: Any, what: str) -> str:
    """Text from a cell; a number typed in a text column (an invoice number 42) reads as 42, not 42.0."""
    if value is None:
        return ""
    if is_excel_error(value):
        raise BadValue(f"{what} is the Excel error {str(value).strip().upper()}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue(f"{what} is not a finite number")
        if value.is_integer() and abs(value) <= LARGEST:
            return str(int(value))
    return str(value)


def _roll(value: Any) -> Roll:
    if _blank(value) or value is False:
        return "none"
    if value is True:
        return "next"
    if isinstance(value, str) and value.strip().lower() in ("none", "next"):
        return "next" if value.strip().lower() == "next" else "none"
    raise BadValue(f'roll "{str(value).strip()[:12]}" is not "none" or "next"')


@lru_cache(maxsize=256)
def _parsed_terms(text: str) -> PaymentTerms:
    return parse_terms(text)


def _terms(value: Any) -> PaymentTerms:
    if is_excel_error(value):
        raise BadValue(f"payment terms are the Excel error {str(value).strip().upper()}")
    if isinstance(value, bool):
        raise BadValue(f'payment terms "{value}" are not understood')
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _text(value, "payment terms")  # 30 typed in a cell: the message shows "30", not 30.0
    return _parsed_terms(value) if isinstance(value, str) else parse_terms(value)


@lru_cache(maxsize=64)
def _parsed_buckets(text: str) -> BucketScheme:
    return parse_buckets(text)


def _buckets(value: Any) -> BucketScheme:
    if _blank(value):
        return _parsed_buckets(DEFAULT_BUCKETS)
    if is_excel_error(value):
        raise BadValue(f"aging buckets are the Excel error {str(value).strip().upper()}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _text(value, "aging buckets")
    if not isinstance(value, str):
        raise BadValue(f"aging buckets {str(value)[:12]!r} are not day counts")
    return _parsed_buckets(value)


def _wizard_text(function: _F) -> _F:
    """One line of description for Excel's function wizard, which shows the docstring as it is."""
    function.__doc__ = " ".join((function.__doc__ or "").split())
    return function


def _money_out(amount: Decimal) -> float:
    """The cell value of a rounded amount: a float is exact enough for 15 significant digits."""
    return float(amount)


# -- the worksheet functions -----------------------------------------------------------------------------


def _vat(amount: Any, rate: Any, inclusive: Any, currency: Any) -> float:
    code = _currency(currency)
    value, fraction = _amount(amount, code), _rate(rate)
    if _flag(inclusive, "inclusive"):
        return _money_out(vat_in_gross(value, fraction, code))
    return _money_out(vat_on_net(value, fraction, code))


@xw.func(category=CATEGORY)
@xw.arg("amount", ndim=2, doc="The amount: VAT-exclusive, or VAT-inclusive when inclusive is TRUE.")
@xw.arg("rate", ndim=2, doc='VAT rate: "18%", 0.18 or 18. Default 18%.')
@xw.arg("inclusive", ndim=2, doc="TRUE if the amount already includes VAT. Default FALSE.")
@xw.arg("currency", ndim=2, doc='Currency code such as "RWF" or "USD". Default RWF.')
@_wizard_text
def arxl_vat(amount: Any, rate: Any = "18%", inclusive: Any = False, currency: Any = "RWF") -> Any:
    """VAT on an amount, rounded to the currency unit like ROUND. With inclusive TRUE, the VAT contained in a
    VAT-inclusive amount (amount x 18/118). Works on ranges.
    """
    return cellwise(_vat, amount, rate, inclusive, currency)


def _net(gross: Any, rate: Any, currency: Any) -> float:
    code = _currency(currency)
    return _money_out(net_of_gross(_amount(gross, code, "gross"), _rate(rate), code))


_WITHHOLDING_DOC = ("What the customer withholds: " + ", ".join(f'"{code}"' for code in codes())
                    + ', a combination such as "vat,wht3", or blank.')
"""The kinds of the withholding table (:mod:`arxl.core.withholding`), as the function wizard lists them."""


@xw.func(category=CATEGORY)
@xw.arg("gross", ndim=2, doc="The VAT-inclusive amount.")
@xw.arg("rate", ndim=2, doc='VAT rate: "18%", 0.18 or 18. Default 18%.')
@xw.arg("currency", ndim=2, doc='Currency code such as "RWF" or "USD". Default RWF.')
@_wizard_text
def arxl_net(gross: Any, rate: Any = "18%", currency: Any = "RWF") -> Any:
    """The VAT-exclusive part of a VAT-inclusive amount: gross less the VAT in it, in currency units.
    Works on ranges.
    """
    return cellwise(_net, gross, rate, currency)


def _gross(net: Any, rate: Any, currency: Any) -> float:
    code = _currency(currency)
    return _money_out(gross_of_net(_amount(net, code, "net"), _rate(rate), code))


@xw.func(category=CATEGORY)
@xw.arg("net", ndim=2, doc="The VAT-exclusive amount.")
@xw.arg("rate", ndim=2, doc='VAT rate: "18%", 0.18 or 18. Default 18%.')
@xw.arg("currency", ndim=2, doc='Currency code such as "RWF" or "USD". Default RWF.')
@_wizard_text
def arxl_gross(net: Any, rate: Any = "18%", currency: Any = "RWF") -> Any:
    """A VAT-exclusive amount with its VAT added (the VAT rounded to the currency unit). Works on ranges.
    """
    return cellwise(_gross, net, rate, currency)


def _round(amount: Any, currency: Any) -> float:
    return _money_out(_amount(amount, _currency(currency)))


@xw.func(category=CATEGORY)
@xw.arg("amount", ndim=2, doc="The amount to round.")
@xw.arg("currency", ndim=2, doc='Currency code: RWF rounds to whole francs, USD to cents.')
@_wizard_text
def arxl_round(amount: Any, currency: Any) -> Any:
    """Round an amount to its currency's unit, halves away from zero as Excel's ROUND does (RWF: whole
    francs, USD: cents). Works on ranges.
    """
    return cellwise(_round, amount, currency)


def _expected(gross: Any, net: Any, vat: Any, withholding: Any, currency: Any) -> float:
    code = _currency(currency)
    if is_excel_error(withholding):
        raise BadValue(f"withholding is the Excel error {str(withholding).strip().upper()}")
    profile = parse_withholding(None if _blank(withholding) else withholding)
    total, base, tax = _amount(gross, code, "gross"), _amount(net, code, "net"), _amount(vat, code, "VAT")
    if abs(total - base - tax) > unit(code):  # said here in fewer words than the core says it, to fit a cell
        raise BadValue(f"gross is not net + VAT (difference {total - base - tax:,})")
    return _money_out(expected_cash(total, base, tax, profile, code))


@xw.func(category=CATEGORY)
@xw.arg("gross", ndim=2, doc="The invoice total, VAT included.")
@xw.arg("net", ndim=2, doc="The VAT-exclusive amount of the invoice.")
@xw.arg("vat", ndim=2, doc="The VAT on the invoice.")
@xw.arg("withholding", ndim=2, doc=_WITHHOLDING_DOC)
@xw.arg("currency", ndim=2, doc='Currency code such as "RWF" or "USD". Default RWF.')
@_wizard_text
def arxl_expected_cash(gross: Any, net: Any, vat: Any, withholding: Any, currency: Any = "RWF") -> Any:
    """The cash to expect for an invoice: its total less what the customer withholds (by the kinds and default
    rates of the withholding table: the VAT, 3% or 15% of the VAT-exclusive amount). Works on ranges.
    """
    return cellwise(_expected, gross, net, vat, withholding, currency)


def _due_date(invoice_date: Any, terms: Any, roll: Any) -> datetime.date:
    how = _roll(roll)
    return _terms(terms).due_date(to_date(invoice_date, "invoice date"), CALENDAR if how == "next" else None, how)


@xw.func(category=CATEGORY)
@xw.arg("invoice_date", ndim=2, doc="The invoice date.")
@xw.arg("terms", ndim=2, doc="Payment terms: NET30, EOM+15, 2/10 NET30, 50% NET0, 50% NET30...")
@xw.arg("roll", ndim=2, doc='"next" moves a due date on a weekend or Rwandan holiday to the next working day.')
@_wizard_text
def arxl_due_date(invoice_date: Any, terms: Any, roll: Any = "none") -> Any:
    """The due date of an invoice under its payment terms (for instalments, the last one). roll "next" moves
    it off weekends and Rwandan public holidays; office closures in Settings are not visible here.
    """
    return cellwise(_due_date, invoice_date, terms, roll)


def _days_past_due(due_date: Any, as_of: Any) -> int:
    return days_past_due(to_date(due_date, "due date"), to_date(as_of, "as-of date"))


@xw.func(category=CATEGORY)
@xw.arg("due_date", ndim=2, doc="The due date.")
@xw.arg("as_of", ndim=2, doc="The date to count to, e.g. the report date or TODAY().")
@_wizard_text
def arxl_days_past_due(due_date: Any, as_of: Any) -> Any:
    """Days from the due date to the as-of date: negative before the due date, 0 on it. Give the as-of date
    (a report date or TODAY()); the function never reads the clock. Works on ranges.
    """
    return cellwise(_days_past_due, due_date, as_of)


def _aging_bucket(due_date: Any, as_of: Any, buckets: Any) -> str:
    scheme = _buckets(buckets)
    return scheme.label(days_past_due(to_date(due_date, "due date"), to_date(as_of, "as-of date")))


@xw.func(category=CATEGORY)
@xw.arg("due_date", ndim=2, doc="The due date.")
@xw.arg("as_of", ndim=2, doc="The aging date, e.g. the month end or TODAY().")
@xw.arg("buckets", ndim=2, doc='Upper bounds of the buckets in days. Default "30,60,90,120".')
@_wizard_text
def arxl_aging_bucket(due_date: Any, as_of: Any, buckets: Any = DEFAULT_BUCKETS) -> Any:
    """The aging bucket of an item: "Current" until due, then "1-30", "31-60", "61-90", "91-120", "Over
    120" (bounds inclusive: day 30 is in 1-30). Works on ranges.
    """
    return cellwise(_aging_bucket, due_date, as_of, buckets)


def _match_score(
    amount: Any, narrative: Any, invoice_no: Any, customer_name: Any, open_amount: Any, currency: Any
) -> int:
    code = _currency(currency)
    number = _text(invoice_no, "invoice number")
    if not number.strip():
        raise BadValue("invoice number is empty")
    score = match_score(
        _text(narrative, "narrative"), number, _text(customer_name, "customer name"),
        _amount(amount, code), _amount(open_amount, code, "open amount"), code,
    )
    return score.score


@xw.func(category=CATEGORY)
@xw.arg("narrative", ndim=2, doc="The bank line's narrative (description, reference, payer).")
@xw.arg("invoice_no", ndim=2, doc="The invoice number, e.g. INV-2025-00042.")
@xw.arg("customer_name", ndim=2, doc="The customer's name on the invoice.")
@xw.arg("amount", ndim=2, doc="The amount received on the bank line.")
@xw.arg("open_amount", ndim=2, doc="What is still open on the invoice.")
@xw.arg("currency", ndim=2, doc='Currency code such as "RWF" or "USD". Default RWF.')
@_wizard_text
def arxl_match_score(
    narrative: Any, invoice_no: Any, customer_name: Any, amount: Any, open_amount: Any, currency: Any = "RWF"
) -> Any:
    """How sure (0-100) that a bank line pays an invoice: invoice number in the narrative counts most, the
    customer's name and the amount add; an amount alone never scores above 30. Works on ranges.
    """
    # The amount is the line's subject: a blank amount is no bank line and gives a blank cell.
    return cellwise(_match_score, amount, narrative, invoice_no, customer_name, open_amount, currency)


def _words(amount: Any, currency: Any) -> str:
    code = _currency(currency)
    return amount_in_words(_amount(amount, code), code)


@xw.func(category=CATEGORY)
@xw.arg("amount", ndim=2, doc="The amount to write in words.")
@xw.arg("currency", ndim=2, doc='Currency code such as "RWF" or "USD".')
@_wizard_text
def arxl_amount_in_words(amount: Any, currency: Any) -> Any:
    """The amount in words for an invoice: "One million one hundred eighty thousand Rwandan francs", "...
    US dollars and fifty cents". Rounded to the currency unit first. Works on ranges.
    """
    return cellwise(_words, amount, currency)
