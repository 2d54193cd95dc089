"""Withholding at source and the other deductions: the one table of each, which everything else reads.

A customer may keep part of an invoice back and declare it to the tax authority instead: a public body keeps
the VAT (``vat``) and 3 % of the VAT-exclusive amount (``wht3``); some payers keep 15 % of it (``wht15``). The
shortfall is not a debt: it is cleared as a *deduction* of its type (``vat_withheld``, ``wht``) and backed by
a withholding certificate, which is chased until it arrives.

Each kind is one row of :data:`KINDS`: the word in the Customers' Withholding column, the base it is taken on
(the VAT or the VAT-exclusive amount), its default rate and the Settings key that overrides it, the deduction
type it is cleared as, and its words in the matcher's reasons and the customer's reconciliation. The Settings
columns, the parsing of a customer's profile, the expected cash (the matcher's, the worksheet function's and
the reminders'), the statements and the ledger's deduction types all iterate these tables: a new kind is a row
here (and, if it is cleared as a new deduction type, a row of :data:`DEDUCTIONS` and a word in
:data:`DeductionType`), and nothing else.

>>> [k.code for k in kinds()], kind("wht3").deduction, kind("vat").base
(['vat', 'wht3', 'wht15'], 'wht', 'vat_amount')
>>> sorted(withheld_types()), deduction("wht").statement
(['vat_withheld', 'wht'], 'Withholding tax at source')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

DeductionType = Literal["", "vat_withheld", "wht", "bank_charges", "discount", "rounding", "write_off"]
"""Why an allocation clears less cash than it settles: the one list (the ledger's column, the matcher's rows)."""

Base = Literal["vat_amount", "net_amount"]
"""What a kind is a share of: the invoice's VAT, or its VAT-exclusive amount (the invoice's field names)."""


@dataclass(frozen=True, slots=True)
class Deduction:
    """A deduction type: its words on a statement of account and in short, whether it is a withholding (a
    certificate from the customer clears it, and the reminders and the reconciliation count it as tax), and how
    it reaches Sage: the Settings key that says so and its default, "<type> <nominal>". ``SA`` is a payment on
    account into a bank-type nominal (money someone still owes us: RRA, against the certificate), ``SC`` a
    credit to an expense nominal at T9 (money that is gone: bank charges, a write-off)."""

    code: DeductionType
    statement: str
    short: str
    withholding: bool = False
    sage_key: str = ""  # the Settings key ("Sage WHT")
    sage: str = ""  # its default: "SA 1251"


DEDUCTIONS: tuple[Deduction, ...] = (
    Deduction("vat_withheld", "VAT withheld at source", "VAT withheld", withholding=True,
              sage_key="Sage VAT Withheld", sage="SA 1250"),
    Deduction("wht", "Withholding tax at source", "WHT", withholding=True, sage_key="Sage WHT", sage="SA 1251"),
    Deduction("bank_charges", "Bank charges", "bank charges", sage_key="Sage Bank Charges", sage="SC 7901"),
    Deduction("discount", "Early-payment discount", "discount", sage_key="Sage Discount", sage="SC 4009"),
    Deduction("rounding", "Rounding", "rounding", sage_key="Sage Rounding", sage="SC 4009"),
    Deduction("write_off", "Written off", "written off", sage_key="Sage Write Off", sage="SC 8100"),
    Deduction("", "Settled", "deduction"),
)


@dataclass(frozen=True, slots=True)
class WithholdingKind:
    """One kind of withholding at source (see the module's docstring for what each field drives)."""

    code: str  # the word in the Customers' Withholding column (and the CSV contract of ``arxl match``)
    base: Base  # "vat_amount": a share of the VAT; "net_amount": a rate of the VAT-exclusive amount
    rate: Decimal  # the default; DOMAIN.md marks these "verify", so Settings overrides them
    field: str  # the Settings field (and key, as the sample writes it)
    setting: str  # the Settings key as the accountant reads it
    deduction: DeductionType  # the deduction type the withheld amount is cleared as
    label: str  # in the matcher's reasons: "amount = open - VAT withheld and 3% WHT"
    short: str  # in a customer's reconciliation: "WHT 3% 30,000"
    income_tax: bool = False  # a payer withholds income tax at one rate: two such kinds never go together


KINDS: tuple[WithholdingKind, ...] = (
    WithholdingKind("vat", "vat_amount", Decimal(1), "vat_withheld_share", "VAT Withheld Share", "vat_withheld",
                    "VAT withheld", "VAT withheld"),
    WithholdingKind("wht3", "net_amount", Decimal("0.03"), "wht3_rate", "WHT3 Rate", "wht", "3% WHT", "WHT 3%",
                    income_tax=True),
    WithholdingKind("wht15", "net_amount", Decimal("0.15"), "wht15_rate", "WHT15 Rate", "wht", "15% WHT", "WHT 15%",
                    income_tax=True),
)

PROPOSED: tuple[tuple[str, ...], ...] = (("vat", "wht3"), ("wht3",), ("vat",), ("wht15",), ("vat", "wht15"))
"""The withholding the matcher tries, in this order, when a payment fits none of the customer's profile: what
is seen most often first. A kind not named here is tried after these, alone and with the VAT."""


def kinds() -> tuple[WithholdingKind, ...]:
    """The withholding kinds, in the order amounts and words list them (read at call time, so a test can
    extend the table)."""
    return KINDS


def codes() -> tuple[str, ...]:
    """The words a Customers' Withholding cell may hold: ``('vat', 'wht3', 'wht15')``."""
    return tuple(k.code for k in kinds())


def kind(code: str) -> WithholdingKind:
    """The kind for its word (``KeyError`` for another: profiles are checked when parsed)."""
    for row in kinds():
        if row.code == code:
            return row
    raise KeyError(code)


def deduction(code: str) -> Deduction:
    """The deduction type's row; an unknown type is shown as itself.

    >>> deduction("bank_charges").short, deduction("odd").statement
    ('bank charges', 'odd')
    """
    for row in DEDUCTIONS:
        if row.code == code:
            return row
    return Deduction("", code, code)


def deduction_types() -> tuple[DeductionType, ...]:
    """Every deduction type, the empty one (no deduction) first."""
    return get_args(DeductionType)


def withheld_types() -> frozenset[str]:
    """The deduction types that are tax withheld at source (chased as certificates, not cash)."""
    return frozenset(row.code for row in DEDUCTIONS if row.withholding)


def proposed_modes() -> tuple[frozenset[str], ...]:
    """Every withholding a customer may apply, as :data:`PROPOSED` orders them, then any other kind alone and
    with the VAT (profiles that :func:`arxl.core.tax.parse_withholding` accepts)."""
    known = set(codes())
    modes = [frozenset(mode) for mode in PROPOSED if set(mode) <= known]
    for row in kinds():
        for mode in (frozenset({row.code}), frozenset({"vat", row.code})):
            if mode not in modes and mode <= known:
                modes.append(mode)
    return tuple(modes)
