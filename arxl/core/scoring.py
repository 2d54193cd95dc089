"""How sure are we that a bank line pays an invoice? Evidence, scored 0-100 and said in words.

A receipt on the bank statement rarely says plainly which invoice it pays. Three kinds of evidence point to
an invoice, each scored 0-100 on its own with a reason an accountant can check:

The first two live in :mod:`arxl.core.invoice_refs` and :mod:`arxl.core.names`, the evidence records in
:mod:`arxl.core.evidence`; the amount and the rule that combines them here.

* **the reference** - the invoice number somewhere in the narrative, in any spelling: ``INV-2025-00042``,
  ``INV 2025 00042``, ``inv2025/42``, ``2025-00042``, ``00042``, a bare ``42`` next to the year or the word
  INV, or cut short by the bank's field length (``INV-2025-0004``).
  See :func:`arxl.core.invoice_refs.reference_evidence`.
* **the payer's name** - the customer's name, an alias the accountant keeps for it (``MININFRA``, ``BK``) or
  its initials (``RRA``), upper-case, misspelt or truncated. See :func:`arxl.core.names.name_evidence`.
* **the amount** - the open amount exactly, or what the customer sends after withholding VAT or 3 % WHT, or a
  little less after bank charges; a partial payment or an overpayment is weak. See :func:`amount_evidence`.

:func:`match_score` combines them. The rule, in words:

    score = 0.80 x reference + 0.45 x name + 0.30 x amount, rounded half up, at most 100.

So the invoice number is the strongest evidence (80 on its own), the name and the amount add to it, and an
amount alone never scores more than 30: many invoices share an amount (the same monthly fee, the same
1,180,000) and a line that is no receipt at all (interest, a transfer between own accounts) can equal an
open amount. Typical results: invoice number and exact amount 100; name and exact amount, no reference 75;
name alone 45; amount alone 30; nothing 0. A debit (amount zero or negative) is no receipt and scores 0.

>>> s = match_score("TRF MININFRA PAYMT INV-2025-00042", "INV-2025-00042", "Ministry of Infrastructure",
...                 Decimal("970000"), Decimal("1180000"), aliases=["MININFRA"],
...                 expected={"VAT withheld and 3% WHT": Decimal("970000")})
>>> s.score
100
>>> s.reason
'invoice number in narrative; alias "MININFRA" in narrative; amount = open - VAT withheld and 3% WHT'
>>> match_score("INTEREST CAPITALISATION", "INV-2025-00042", "Ministry of Infrastructure",
...             Decimal("1180000"), Decimal("1180000")).score
30

The functions are pure and deterministic: the same line and invoice always give the same score and reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType

from arxl.core.evidence import NO_EVIDENCE, Evidence, Score
from arxl.core.invoice_refs import reference_evidence
from arxl.core.money import currency as currency_of
from arxl.core.money import exponent, round_money, unit
from arxl.core.names import name_evidence

__all__ = [
    "AMOUNT_WEIGHT",
    "BANK_CHARGES",
    "NAME_WEIGHT",
    "REFERENCE_WEIGHT",
    "amount_evidence",
    "combine",
    "match_score",
]

REFERENCE_WEIGHT = 80
"""Percent of the reference evidence that counts in :func:`match_score`."""
NAME_WEIGHT = 45
AMOUNT_WEIGHT = 30
"""An amount alone never scores more than this."""

BANK_CHARGES: Mapping[str, Decimal] = MappingProxyType(
    {code: Decimal(50) for code in ("USD", "EUR", "GBP", "CHF")}
)
"""Default largest shortfall read as bank charges, per currency (international transfers arrive 10-45 USD
short). Other currencies default to none: pass the accountant's figure from Settings."""

_NO_AMOUNTS: Mapping[str, Decimal] = MappingProxyType({})


# -- the amount ------------------------------------------------------------------------------------------


def amount_evidence(
    amount: Decimal,
    open_amount: Decimal,
    currency: str,
    expected: Mapping[str, Decimal] = _NO_AMOUNTS,
    *,
    charges: Decimal | None = None,
) -> Evidence:
    """How well the amount received fits what is open on the invoice.

    ``expected`` maps an explanation to what the customer would send: ``{"3% WHT": 1_150_000}``.
    ``charges`` is the largest shortfall read as bank charges (default :data:`BANK_CHARGES`, none for RWF).
    Amounts are rounded to the currency first; a difference of one unit (1 RWF, 0.01 USD) is rounding.

    ======================================  ======  =========================================
    amount received                         points  reason
    ======================================  ======  =========================================
    the open amount                         100     amount = open amount
    an expected amount                      90      amount = open - 3% WHT
    either of those, one unit off           85/80   ... (rounding)
    up to ``charges`` short of either       60/55   amount = open - 25.00 (bank charges?)
    less than open (partial payment)        25      partial payment: 500,000 of 1,180,000
    more than open (overpayment)            20      overpayment by 20,000
    nothing, or a debit                     0
    ======================================  ======  =========================================

    >>> amount_evidence(Decimal("1150000"), Decimal("1180000"), "RWF", {"3% WHT": Decimal("1150000")})
    Evidence(points=90, reason='amount = open - 3% WHT')
    >>> amount_evidence(Decimal("1155.00"), Decimal("1180.00"), "USD").reason
    'amount = open - 25.00 (bank charges?)'
    """
    code = currency_of(currency).code
    received, due = round_money(amount, code), round_money(open_amount, code)
    if received <= 0 or due <= 0:
        return NO_EVIDENCE
    step = unit(code)
    places = exponent(code)
    most_charges = round_money(BANK_CHARGES.get(code, Decimal(0)) if charges is None else charges, code)

    def shown(value: Decimal) -> str:
        return f"{value:,.{places}f}"

    targets = [("", due), *((label, round_money(value, code)) for label, value in expected.items())]
    if received == due:
        return Evidence(100, "amount = open amount")
    for label, target in targets[1:]:
        if received == target:
            return Evidence(90, f"amount = open - {label}")
    for points, (label, target) in zip((85, *([80] * (len(targets) - 1))), targets, strict=True):
        if abs(received - target) <= step:
            name = f"open - {label}" if label else "open amount"
            sign = "+" if received > target else "-"
            return Evidence(points, f"amount = {name} {sign} {shown(step)} (rounding)")
    # Short by bank charges: the explanation that leaves the smallest charge wins (open amount on a tie).
    charged = [(target - received, order, label) for order, (label, target) in enumerate(targets)
               if target - most_charges <= received < target]
    if charged:
        shortfall, order, label = min(charged)
        name = f"open - {label}" if label else "open"
        return Evidence(55 if order else 60, f"amount = {name} - {shown(shortfall)} (bank charges?)")
    if received < due:
        return Evidence(25, f"partial payment: {shown(received)} of {shown(due)}")
    return Evidence(20, f"overpayment by {shown(received - due)}")


# -- all together ----------------------------------------------------------------------------------------


def combine(reference: Evidence, name: Evidence, amount: Evidence) -> Score:
    """The score of three kinds of evidence: 0.80 x reference + 0.45 x name + 0.30 x amount, at most 100.

    >>> name, amount = Evidence(100, "customer name in narrative"), Evidence(100, "amount = open amount")
    >>> combine(NO_EVIDENCE, name, amount)
    Score(score=75, reasons=('customer name in narrative', 'amount = open amount'))
    """
    total = REFERENCE_WEIGHT * reference.points + NAME_WEIGHT * name.points + AMOUNT_WEIGHT * amount.points
    score = min(100, (total + 50) // 100)
    return Score(score, tuple(e.reason for e in (reference, name, amount) if e.points and e.reason))


def match_score(
    narrative: str,
    invoice_no: str,
    customer_name: str,
    amount: Decimal,
    open_amount: Decimal,
    currency: str = "RWF",
    aliases: Sequence[str] = (),
    expected: Mapping[str, Decimal] = _NO_AMOUNTS,
) -> Score:
    """How sure we are that the bank line (narrative, amount) pays the invoice; see the module for the rule.

    >>> match_score("MINISTRY OF INFRASTRUCTURE", "INV-2025-00042", "Ministry of Infrastructure",
    ...             Decimal("1180000"), Decimal("1180000")).reason
    'customer name in narrative; amount = open amount'
    >>> match_score("REVERSAL INV-2025-00042", "INV-2025-00042", "X", Decimal(-5), Decimal(5)).score
    0
    """
    if round_money(amount, currency) <= 0:
        return Score(0, ("debit: not a receipt",))
    return combine(
        reference_evidence(narrative, invoice_no),
        name_evidence(narrative, customer_name, aliases),
        amount_evidence(amount, open_amount, currency, expected),
    )
