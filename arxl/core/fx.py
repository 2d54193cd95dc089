"""Foreign-currency amounts in the base currency: the one rule both books use.

The Rates sheet holds the National Bank's rate as the accountant reads it: base currency per unit (1,440.00
RWF per USD). Sage 50 takes the other way round, units of the foreign currency per one unit of the base
currency, and works out the base value of a foreign transaction as *amount ÷ its rate*. With RWF as the base
that rate is small (1 / 1,440 = 0.000694…), and cut to a few decimals it would move the base value: at nine
decimals 1,000.00 USD would come to 1,440,001 RWF. arxl therefore

- writes Sage's rate with :data:`SAGE_RATE_PLACES` decimals (:func:`sage_rate`), which keeps the base value
  of any amount Sage can import within a fraction of a franc of amount × rate; and
- carries a foreign item at the value computed from that rate (:func:`from_sage_rate`): the amount divided by
  the Sage rate, taken to :data:`QUOTIENT_PLACES` decimals (which removes the rate's last-digit error, at most
  about 10⁻⁹ of a franc on the largest amount Sage imports) and rounded half-up to the base currency.

That value is exactly amount × BNR rate rounded half-up (IAS 21's spot rate, Excel's ROUND), for rates of up
to four decimals (up to 20,000 a unit) and every amount up to Sage's limit (:func:`in_base`; the doctest shows
a tie and the largest amount), so the customer's account in Sage, the debtors control account and arxl's
aging agree to the unit. Sage converts each field it imports on its own, so a **document** is worth the sum
of ``in_base`` of the net and of the tax of each row it becomes (one per tax code and nominal, split under
Sage's limit: ``arxl.ledger.sage_parts``), which can be a franc or two from ``in_base`` of its total; that sum
is what arxl carries it at (``arxl.books.fx``), while a portion of an item (a part payment) is ``in_base`` of
the portion at the item's rate. Exchange differences (realised on settlement, unrealised at a month end) are
differences of these values. A Sage that keeps fewer decimals of the rate would post other base values: the
exchange-rate column of the import is the place to check when a tie-out shows FX differences.

>>> sage_rate(Decimal("1440"))
Decimal('0.000694444444444444444444')
>>> in_base(Decimal("1000.00"), Decimal("1440"), "RWF"), in_base(Decimal("0.50"), Decimal("1441"), "RWF")
(Decimal('1440000'), Decimal('721'))
>>> in_base(Decimal("99999999.99"), Decimal("1440.37"), "RWF") == round_money(Decimal("99999999.99")
...                                                                        * Decimal("1440.37"), "RWF")
True
>>> in_base(Decimal("250000"), Decimal("1"), "RWF")  # the base currency itself
Decimal('250000')
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from arxl.core.money import round_money

SAGE_RATE_PLACES = 24
"""Decimals of the exchange rate written to Sage (twenty-one significant digits for RWF per USD)."""

QUOTIENT_PLACES = 6
"""Decimals the base value is taken to before it is rounded to the base currency (see the module's text)."""

_ONE = Decimal(1)


def sage_rate(rate: Decimal) -> Decimal:
    """Sage's exchange rate for a rate given as base per unit: foreign per one unit of the base currency.

    A rate of 1 (the base currency itself) stays 1."""
    if rate <= 0:
        raise ValueError(f"an exchange rate must be more than zero, not {rate}")
    if rate == _ONE:
        return _ONE
    with localcontext() as context:
        context.prec = 40
        return (_ONE / rate).quantize(_ONE.scaleb(-SAGE_RATE_PLACES))


def from_sage_rate(amount: Decimal, rate: Decimal, base: str) -> Decimal:
    """The base value of ``amount`` at a Sage rate (foreign per base), as Sage posts it: amount ÷ rate,
    rounded half-up to the base currency."""
    if rate <= 0:
        raise ValueError(f"a Sage exchange rate must be more than zero, not {rate}")
    with localcontext() as context:
        context.prec = 40
        return round_money((amount / rate).quantize(_ONE.scaleb(-QUOTIENT_PLACES)), base)


def in_base(amount: Decimal, rate: Decimal, base: str) -> Decimal:
    """The base value of a foreign ``amount`` at ``rate`` (base per unit): what Sage will post for it."""
    return from_sage_rate(amount, sage_rate(rate), base)
