"""Payment terms as an accountant writes them in a Customers or Contracts cell.

- ``NET30`` (also ``NET 30``, ``Net 30 days``, ``30 days``): due 30 days after the invoice date.
- ``EOM``: due at the end of the invoice's month; ``EOM+15`` (or ``EOM 15``): 15 days after that.
- ``DUE ON RECEIPT``, ``IMMEDIATE`` or ``NET0``: due on the invoice date.
- ``2/10 NET30``: 2 % discount if paid within 10 days of the invoice date, else the full amount at 30 days.
- Instalments: ``50% NET0, 50% NET30`` or ``40% EOM, 60% EOM+30``; the percentages must add up to 100 %.

Case and spaces do not matter; :attr:`PaymentTerms.text` is the canonical spelling. A due date can be rolled
to the next working day over weekends, Rwandan public holidays and office closures.

>>> terms = parse_terms("Net 30 days")
>>> terms.text, terms.describe(), terms.due_date(date(2025, 6, 5))
('NET30', 'Net 30 days', datetime.date(2025, 7, 5))
>>> terms.due_date(date(2025, 6, 5), roll="next")  # Saturday 5 July 2025 -> Monday 7 July
datetime.date(2025, 7, 7)
>>> parse_terms("eom 15").due_date(date(2024, 2, 10))  # end of February in a leap year, plus 15 days
datetime.date(2024, 3, 15)
>>> parse_terms("2/10 net 30").discount(date(2025, 6, 2), Decimal("1000000"), "RWF")
(datetime.date(2025, 6, 12), Decimal('980000'))
>>> parse_terms("40% EOM, 60% EOM+30").instalments(date(2025, 1, 20), Decimal("1000001"), "RWF")
[(datetime.date(2025, 1, 31), Decimal('400000')), (datetime.date(2025, 3, 2), Decimal('600001'))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from arxl.core.calendar import BusinessCalendar, Roll
from arxl.core.calendar import roll as roll_date
from arxl.core.dates import month_end
from arxl.core.errors import BadValue
from arxl.core.money import allocate, round_money

Basis = Literal["net", "eom"]

MAX_DAYS = 3660  # ten years: anything longer is a typing mistake, not a payment term
_HELP = "write e.g. NET30, EOM+15, 2/10 NET30 or 50% NET0, 50% NET30"
_FLAGS = re.ASCII | re.IGNORECASE
_DAYS = r"(?:\s*DAYS?)?"
_NET = re.compile(rf"NET\s*(?P<net>[0-9]{{1,4}}){_DAYS}|(?P<bare>[0-9]{{1,4}})\s*DAYS?(?:\s*NET)?", _FLAGS)
_EOM = re.compile(rf"(?:EOM|END\s+OF\s+(?:THE\s+)?MONTH)(?:\s*\+?\s*(?P<days>[0-9]{{1,4}}){_DAYS})?", _FLAGS)
_RECEIPT = re.compile(r"(?:DUE\s+)?(?:UPON|ON)\s+RECEIPT|IMMEDIATE(?:LY)?", _FLAGS)
_DISCOUNT = re.compile(
    rf"(?P<pct>[0-9]{{1,2}}(?:\.[0-9]{{1,2}})?)\s*%?\s*/\s*(?P<days>[0-9]{{1,4}}){_DAYS}\s*,?\s*(?P<rest>.+)",
    _FLAGS)
_PART = re.compile(r"(?P<pct>[0-9]{1,3}(?:\.[0-9]{1,4})?)\s*%\s*(?P<rest>.+)", _FLAGS)
# Instalments are separated by a comma, a semicolon, "and", or nothing before the next "NN%".
_PART_SPLIT = re.compile(r"\s*(?:[,;]|\bAND\b)?\s*(?<![0-9.])(?=[0-9]{1,3}(?:\.[0-9]{1,4})?\s*%)", _FLAGS)


@dataclass(frozen=True)
class DueRule:
    """When a payment is due: ``days`` after the invoice date (``net``) or after its month end (``eom``)."""

    basis: Basis
    days: int

    def due(self, invoice_date: date) -> date:
        start = month_end(invoice_date) if self.basis == "eom" else invoice_date
        try:
            return start + timedelta(days=self.days)
        except OverflowError:
            raise BadValue(f"due date {self.text} after {invoice_date.isoformat()} is out of range") from None

    @property
    def text(self) -> str:
        if self.basis == "eom":
            return f"EOM+{self.days}" if self.days else "EOM"
        return f"NET{self.days}"

    def describe(self) -> str:
        if self.basis == "eom":
            return f"end of month + {_days(self.days)}" if self.days else "end of month"
        return f"net {_days(self.days)}" if self.days else "due on receipt"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class PaymentTerms:
    """Parsed payment terms: the instalments (percent and due rule) and an optional early-payment discount.

    Build them with :func:`parse_terms`. A single-payment term is one instalment of 100 %.
    """

    text: str
    schedule: tuple[tuple[Decimal, DueRule], ...]
    discount_rate: Decimal = Decimal(0)  # a fraction: 0.02 for 2 %
    discount_days: int = 0

    def due_dates(self, invoice_date: date, calendar: BusinessCalendar | None = None,
                  roll: Roll = "none") -> list[date]:
        """The due date of each instalment, in the order written."""
        return [roll_date(rule.due(invoice_date), calendar, roll) for _, rule in self.schedule]

    def due_date(self, invoice_date: date, calendar: BusinessCalendar | None = None,
                 roll: Roll = "none") -> date:
        """When the invoice is due in full (for instalments, the last instalment's date)."""
        return max(self.due_dates(invoice_date, calendar, roll))

    def instalments(
        self, invoice_date: date, amount: Decimal, currency: str,
        calendar: BusinessCalendar | None = None, roll: Roll = "none",
    ) -> list[tuple[date, Decimal]]:
        """Each instalment's due date and amount; the amounts add up exactly to the (rounded) amount."""
        parts = allocate(amount, [share for share, _ in self.schedule], currency)
        return list(zip(self.due_dates(invoice_date, calendar, roll), parts, strict=True))

    def discount(self, invoice_date: date, amount: Decimal, currency: str) -> tuple[date, Decimal] | None:
        """The last day to take the early-payment discount and the amount then to pay, or None."""
        if not self.discount_rate:
            return None
        deadline = invoice_date + timedelta(days=self.discount_days)
        amount = round_money(amount, currency)
        return deadline, amount - round_money(amount * self.discount_rate, currency)

    def describe(self) -> str:
        """The terms in words, for the invoice: "Net 30 days", "2% 10 days, net 30 days"..."""
        if len(self.schedule) == 1:
            words = self.schedule[0][1].describe()
        else:
            words = ", ".join(f"{_percent(share)}% {rule.describe()}" for share, rule in self.schedule)
        if self.discount_rate:
            words = f"{_percent(self.discount_rate * 100)}% {_days(self.discount_days)}, {words}"
        return words[0].upper() + words[1:]


def _rule(text: str) -> DueRule | None:
    if _RECEIPT.fullmatch(text):
        return DueRule("net", 0)
    if m := _NET.fullmatch(text):
        return DueRule("net", int(m["net"] or m["bare"]))
    if m := _EOM.fullmatch(text):
        return DueRule("eom", int(m["days"] or 0))
    return None


def _not_understood(text: str) -> BadValue:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return BadValue(f'payment terms "{shown}" are not understood; {_HELP}')


def _check_days(days: int, text: str) -> None:
    if days > MAX_DAYS:
        raise BadValue(f'payment terms "{text[:40]}": {days} days is more than ten years')


def parse_terms(text: object) -> PaymentTerms:
    """Payment terms from a cell's text; anything not understood is refused with an example of what is.

    >>> parse_terms("50% net0; 50% net 30").describe()
    '50% due on receipt, 50% net 30 days'
    >>> parse_terms("NET3O")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arxl.core.errors.BadValue: payment terms "NET3O" are not understood; write e.g. NET30, EOM+15, ...
    """
    if not isinstance(text, str) or not text.strip():
        if text is None or isinstance(text, str):
            raise BadValue(f"payment terms are empty; {_HELP}")
        raise _not_understood(str(text))
    clean = " ".join(text.split())
    if len(clean) > 200:
        raise _not_understood(clean)
    if rule := _rule(clean):
        _check_days(rule.days, clean)
        return PaymentTerms(rule.text, ((Decimal(100), rule),))
    if (m := _DISCOUNT.fullmatch(clean)) and (rule := _rule(m["rest"])) and rule.basis == "net":
        return _discounted(clean, Decimal(m["pct"]), int(m["days"]), rule)
    return _instalments(clean)


def _discounted(clean: str, percent: Decimal, days: int, rule: DueRule) -> PaymentTerms:
    _check_days(rule.days, clean)
    if not 0 < percent < 100:
        raise BadValue(f'payment terms "{clean[:40]}": a discount of {_percent(percent)}% is not possible')
    if days > rule.days:
        raise BadValue(f'payment terms "{clean[:40]}": the discount period ({_days(days)}) ends after '
                       f"the due date ({_days(rule.days)})")
    canonical = f"{_percent(percent)}/{days} {rule.text}"
    return PaymentTerms(canonical, ((Decimal(100), rule),), (percent / 100).normalize(), days)


def _instalments(clean: str) -> PaymentTerms:
    pieces = [piece for piece in _PART_SPLIT.split(clean) if piece]
    schedule: list[tuple[Decimal, DueRule]] = []
    for piece in pieces:
        m = _PART.fullmatch(piece)
        rule = _rule(m["rest"].strip(" ,;")) if m else None
        if m is None or rule is None:
            raise _not_understood(clean)
        _check_days(rule.days, clean)
        share = Decimal(m["pct"])
        if share <= 0:
            raise BadValue(f'payment terms "{clean[:40]}": an instalment of 0% is not an instalment')
        schedule.append((share, rule))
    if not schedule:
        raise _not_understood(clean)
    total = sum((share for share, _ in schedule), Decimal(0))
    if total != 100:
        raise BadValue(f'payment terms "{clean[:40]}": the instalments add up to {_percent(total)}%, '
                       "not 100%")
    if len(schedule) == 1:
        return PaymentTerms(schedule[0][1].text, ((Decimal(100), schedule[0][1]),))
    canonical = ", ".join(f"{_percent(share)}% {rule.text}" for share, rule in schedule)
    return PaymentTerms(canonical, tuple(schedule))
