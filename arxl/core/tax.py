"""VAT and withholding: what an invoice charges and what the customer actually sends.

VAT in Rwanda is 18 % (zero-rated and exempt supplies exist). Each tax code in Settings has a rate and the
date it applies from, so a rate change is a new row, not an edit. A price is either VAT-exclusive (VAT is
added on top) or VAT-inclusive (VAT is the 18/118 part of it); either way the VAT is rounded to the currency
unit, half away from zero, so a credit note mirrors its invoice exactly.

>>> vat_on_net(Decimal("1000000"), Decimal("0.18"), "RWF")
Decimal('180000')
>>> rate = Decimal("0.18")
>>> vat_in_gross(Decimal("7000"), rate, "RWF"), net_of_gross(Decimal("7000"), rate, "RWF")
(Decimal('1068'), Decimal('5932'))
>>> vat_on_net(Decimal("-2.5"), Decimal("1"), "RWF")  # a credit note rounds like its invoice
Decimal('-3')

VAT can be rounded line by line or once per rate on the invoice total; the two can differ by a unit:

>>> lines = [(Decimal("1003"), Decimal("0.18")), (Decimal("1003"), Decimal("0.18"))]
>>> vat_by_rate(lines, "RWF", "line"), vat_by_rate(lines, "RWF", "invoice")
({Decimal('0.18'): Decimal('362')}, {Decimal('0.18'): Decimal('361')})

Withholding at source: a public body may keep the VAT (``vat``) and 3 % of the VAT-exclusive amount
(``wht3``); some payers keep 15 % of it (``wht15``). The shortfall is not a debt: it is cleared against the
withholding certificates. A government client paying 1,000,000 + 180,000 VAT sends 970,000:

>>> profile = parse_withholding("VAT; WHT3")
>>> withholding_amounts(Decimal("1000000"), Decimal("180000"), profile, "RWF")
{'vat': Decimal('180000'), 'wht3': Decimal('30000')}
>>> expected_cash(Decimal("1180000"), Decimal("1000000"), Decimal("180000"), profile, "RWF")
Decimal('970000')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from arxl.core import withholding
from arxl.core.errors import BadValue
from arxl.core.money import allocate, round_money, unit

VatRounding = Literal["line", "invoice"]

_NO_WITHHOLDING = frozenset({"none", "nil", "no", "-"})
_SEPARATORS = re.compile(r"[,;/+\s]+")


def _check_rate(rate: Decimal, what: str = "tax rate") -> Decimal:
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate <= 1:
        raise BadValue(f"{what} {rate} is not a fraction between 0 and 1 (write 0.18 for 18%)")
    return rate


@dataclass(frozen=True)
class TaxCode:
    """One row of the tax codes in Settings: a code, its rate from a date, and the Sage code it maps to."""

    code: str
    rate: Decimal
    effective_from: date
    description: str = ""
    sage_code: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise BadValue("tax code is empty")
        _check_rate(self.rate, f"tax code {self.code.strip()} rate")


def rate_on(codes: Sequence[TaxCode], code: str, on: date) -> Decimal:
    """The rate of ``code`` on a date: the row with the latest ``effective_from`` on or before it.

    >>> codes = [TaxCode("VAT18", Decimal("0.18"), date(2023, 1, 1)),
    ...          TaxCode("VAT18", Decimal("0.16"), date(2030, 1, 1))]
    >>> rate_on(codes, " vat18 ", date(2025, 7, 1))
    Decimal('0.18')
    >>> rate_on(codes, "VAT18", date(2022, 12, 31))
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: tax code VAT18 has no rate before 2023-01-01 (needed on 2022-12-31)
    """
    key = code.strip().upper() if isinstance(code, str) else ""
    rows = [row for row in codes if row.code.strip().upper() == key]
    if not key or not rows:
        shown = str(code).strip()[:20] if code is not None else ""
        raise BadValue(f'tax code "{shown}" is not in Settings')
    name = rows[0].code.strip()
    applicable = [row for row in rows if row.effective_from <= on]
    if not applicable:
        first = min(row.effective_from for row in rows)
        raise BadValue(f"tax code {name} has no rate before {first.isoformat()} (needed on {on.isoformat()})")
    latest = max(row.effective_from for row in applicable)
    rates = {row.rate for row in applicable if row.effective_from == latest}
    if len(rates) > 1:
        shown = " and ".join(sorted(str(r) for r in rates))
        raise BadValue(f"tax code {name} has two rates ({shown}) from {latest.isoformat()}")
    return rates.pop()


def vat_on_net(net: Decimal, rate: Decimal, currency: str) -> Decimal:
    """VAT on a VAT-exclusive amount, rounded to the currency unit.

    >>> vat_on_net(Decimal("14.75"), Decimal("0.18"), "USD")  # 2.655 rounds up, as in Excel
    Decimal('2.66')
    """
    return round_money(net * _check_rate(rate), currency)


def vat_in_gross(gross: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The VAT contained in a VAT-inclusive amount: gross × rate / (1 + rate), rounded.

    >>> vat_in_gross(Decimal("-7000"), Decimal("0.18"), "RWF")
    Decimal('-1068')
    """
    _check_rate(rate)
    return round_money(gross * rate / (1 + rate), currency)


def net_of_gross(gross: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The VAT-exclusive part of a VAT-inclusive amount (gross less the VAT in it)."""
    return gross - vat_in_gross(gross, rate, currency)


def gross_of_net(net: Decimal, rate: Decimal, currency: str) -> Decimal:
    """A VAT-exclusive amount with its VAT added.

    >>> gross_of_net(Decimal("5932"), Decimal("0.18"), "RWF")
    Decimal('7000')
    """
    return net + vat_on_net(net, rate, currency)


def vat_by_rate(
    lines: Sequence[tuple[Decimal, Decimal]], currency: str, policy: VatRounding = "invoice"
) -> dict[Decimal, Decimal]:
    """VAT per rate for an invoice's ``(net_amount, rate)`` lines, as a tax invoice shows it.

    ``"line"`` rounds each line's VAT and adds them; ``"invoice"`` adds the nets of each rate and rounds once.
    Rates appear in the order of their first line, zero rates included (a zero-rated category is shown too).
    """
    if policy not in ("line", "invoice"):
        raise BadValue(f'VAT rounding "{policy}" is not "line" or "invoice"')
    nets: dict[Decimal, Decimal] = {}
    vats: dict[Decimal, Decimal] = {}
    for net, rate in lines:
        _check_rate(rate)
        nets[rate] = nets.get(rate, Decimal(0)) + net
        vats[rate] = vats.get(rate, Decimal(0)) + vat_on_net(net, rate, currency)
    if policy == "line":
        return vats
    return {rate: vat_on_net(net, rate, currency) for rate, net in nets.items()}


def line_vats(
    lines: Sequence[tuple[Decimal, Decimal]], currency: str, policy: VatRounding = "invoice"
) -> list[Decimal]:
    """Each line's VAT, adding up per rate exactly to :func:`vat_by_rate` under the same policy.

    With invoice-level rounding a rate's VAT is shared over its lines in proportion to their nets (largest
    remainder), so the register's lines tie to the invoice to the unit.

    >>> from decimal import Decimal as D
    >>> line_vats([(D("0.50"), D("0.18")), (D("0.50"), D("0.18"))], "USD")
    [Decimal('0.09'), Decimal('0.09')]
    >>> line_vats([(D(3), D("0.18")), (D(3), D("0.18")), (D(3), D("0.18"))], "RWF")
    [Decimal('1'), Decimal('1'), Decimal('0')]
    """
    if policy == "line":
        return [vat_on_net(net, rate, currency) for net, rate in lines]
    result = [Decimal(0)] * len(lines)
    for rate, vat in vat_by_rate(lines, currency, policy).items():
        index = [i for i, (_, r) in enumerate(lines) if r == rate]
        weights = [abs(lines[i][0]) for i in index]
        if not any(weights):
            continue
        parts = allocate(abs(vat), weights, currency)
        for i, part in zip(index, parts, strict=True):
            result[i] = part if vat >= 0 else -part
    return result


def parse_withholding(text: object) -> frozenset[str]:
    """The withholding a customer applies, from a Customers cell: words of :mod:`arxl.core.withholding`'s table
    (``vat``, ``wht3``, ``wht15``) or none.

    Words are separated by commas, semicolons or spaces, in any case; an empty cell or ``none`` means no
    withholding. ``wht3`` and ``wht15`` cannot go together: a payer withholds income tax at one rate.

    >>> sorted(parse_withholding(" VAT ; WHT3 ")), parse_withholding("none")
    (['vat', 'wht3'], frozenset())
    >>> parse_withholding("vat, wht5")
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: withholding "wht5" is not known; write vat, wht3 or wht15 (or none)
    """
    if text is None:
        return frozenset()
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise BadValue(f"withholding {str(text)[:20]!r} is not known; write {_choices()} (or none)")
    words = [word for word in _SEPARATORS.split(str(text).strip().lower()) if word]
    if len(words) == 1 and words[0] in _NO_WITHHOLDING:
        return frozenset()
    return _check_profile(words)


def withholds_at_source(withholding: object, customer_type: str) -> bool:
    """Whether a customer keeps tax back from its payments (and so owes us certificates, not cash).

    Foreign customers do not withhold Rwandan tax, whatever their profile says.

    >>> withholds_at_source("vat, wht3", "government"), withholds_at_source("wht15", "foreign")
    (True, False)
    >>> withholds_at_source("none", "private"), withholds_at_source("", "ngo")
    (False, False)
    """
    if customer_type == "foreign":
        return False
    try:
        return bool(parse_withholding(withholding))
    except BadValue:
        return bool(str(withholding).strip())  # a profile validate refuses: ask for the certificates anyway


def _choices() -> str:
    words = withholding.codes()
    return f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else words[0]


def _check_profile(words: Iterable[str]) -> frozenset[str]:
    known = withholding.codes()
    kinds = set()
    for word in words:
        if word not in known:
            shown = word if len(word) <= 20 else word[:17] + "..."
            raise BadValue(f'withholding "{shown}" is not known; write {_choices()} (or none)')
        kinds.add(word)
    income = [k.code for k in withholding.kinds() if k.income_tax and k.code in kinds]
    if len(income) > 1:
        raise BadValue(f"withholding {' and '.join(income)} cannot both apply: a payer withholds income tax at "
                       "one rate")
    return frozenset(kinds)


class WithholdingRates:
    """The withholding rates, from Settings (the accountant checks them): one per kind of the table, by its
    word; a kind not given takes the table's default (all of the VAT, 3 %, 15 %).

    >>> WithholdingRates(vat=Decimal("0.5"))["vat"], WithholdingRates()["wht15"]
    (Decimal('0.5'), Decimal('0.15'))
    """

    __slots__ = ("_rates",)

    def __init__(self, **rates: Decimal) -> None:
        known = withholding.codes()
        for code in rates:
            if code not in known:
                raise BadValue(f'withholding rate "{code}" is not of a known kind; write {_choices()}')
        self._rates = {k.code: _check_rate(rates.get(k.code, k.rate), f"withholding rate {k.code}")
                       for k in withholding.kinds()}

    def __getitem__(self, code: str) -> Decimal:
        return self._rates[code]

    def items(self) -> tuple[tuple[str, Decimal], ...]:
        return tuple(self._rates.items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WithholdingRates) and self._rates == other._rates

    def __hash__(self) -> int:
        return hash(self.items())

    def __repr__(self) -> str:
        return f"WithholdingRates({', '.join(f'{k}={v!r}' for k, v in self._rates.items())})"


def withholding_amounts(
    net: Decimal,
    vat: Decimal,
    profile: Iterable[str],
    currency: str,
    rates: WithholdingRates | None = None,
) -> dict[str, Decimal]:
    """What the customer keeps back, per kind: its rate of its base (the VAT for ``vat``, the VAT-exclusive
    amount for ``wht3`` and ``wht15``), rounded to the currency.

    >>> withholding_amounts(Decimal("-1000.50"), Decimal("-180.09"), {"wht15"}, "USD")  # a credit note
    {'wht15': Decimal('-150.08')}
    """
    kinds = parse_withholding(profile) if isinstance(profile, str) else _check_profile(profile)
    rates = rates if rates is not None else WithholdingRates()
    return {k.code: round_money({"vat_amount": vat, "net_amount": net}[k.base] * rates[k.code], currency)
            for k in withholding.kinds() if k.code in kinds}


def expected_cash(
    gross: Decimal,
    net: Decimal,
    vat: Decimal,
    profile: Iterable[str],
    currency: str,
    rates: WithholdingRates | None = None,
) -> Decimal:
    """The cash to expect for an invoice: its gross amount less what the customer withholds.

    The gross must equal net + VAT within one currency unit, or the figures belong to different invoices.

    >>> expected_cash(Decimal("1180000"), Decimal("1000000"), Decimal("18000"), {"vat"}, "RWF")
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: gross 1,180,000 RWF is not net 1,000,000 + VAT 18,000 (difference 162,000)
    """
    difference = gross - (net + vat)
    if abs(difference) > unit(currency):
        raise BadValue(
            f"gross {gross:,} {currency} is not net {net:,} + VAT {vat:,} (difference {difference:,})"
        )
    withheld = withholding_amounts(net, vat, profile, currency, rates)
    return gross - sum(withheld.values(), Decimal(0))
