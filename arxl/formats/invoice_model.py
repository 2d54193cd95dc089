"""The invoice document's content: one tax invoice (or credit note) gathered from the register's rows and checked.

A Rwandan tax invoice shows the words "Tax invoice", the supplier's name, address and TIN, a serial number, the
date, the customer's name and TIN, what was supplied, and the VAT rate and amount per category (DOMAIN.md).
:class:`InvoiceDocument` gathers all of it from the invoice, its lines, the customer and Settings, and checks
that the figures hold together: the lines add up to the invoice's net amount, VAT per tax code adds up to its
VAT, net plus VAT is the total. :mod:`arxl.formats.invoice_doc` fills the template with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from functools import cached_property

from arxl.core.errors import ArxlError, BadValue, CellRef, Problem
from arxl.core.money import CURRENCIES, exponent, figure, round_money
from arxl.core.tax import vat_on_net
from arxl.core.terms import parse_terms
from arxl.core.words import amount_in_words
from arxl.ledger.ledger import DayRate
from arxl.ledger.records import Customer, Invoice, InvoiceLine
from arxl.ledger.settings import Settings

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")

# --- The document ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VatRow:
    """One tax category of an invoice: its code and label, rate, the amount it applies to, and the VAT."""

    code: str
    label: str
    rate: Decimal
    base: Decimal
    vat: Decimal


def vat_label(code: str, rate: Decimal) -> str:
    """How a tax category reads on the invoice.

    >>> vat_label("VAT18", Decimal("0.18")), vat_label("ZERO", Decimal(0)), vat_label("EXEMPT", Decimal(0))
    ('VAT 18%', 'Zero-rated 0%', 'Exempt')
    """
    if rate:
        return f"VAT {format((rate * 100).normalize(), 'f')}%"
    key = code.strip().upper()
    return "Exempt" if "EX" in key or key in {"A", "A-EX"} else "Zero-rated 0%"


def _period_words(period: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})", period.strip())
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{_MONTHS[int(match.group(2)) - 1]} {match.group(1)}"
    return period


_SUMIF_UNSAFE = re.compile(r"[*?~]|^[<>=]")


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything one printed invoice shows, checked on creation to hold together (see :meth:`check`).

    Build it with :meth:`from_rows`. The derived parts (VAT per tax code with labels, the total in words, the
    terms in words, each line's factor) are computed from the rows once, on first use.
    """

    invoice: Invoice
    lines: Sequence[InvoiceLine]
    customer: Customer
    settings: Settings
    labels: Mapping[str, str] | None = None  # tax code -> label, over :func:`vat_label`
    rate: DayRate | None = None  # the rate of the invoice date, for an invoice not in the base currency
    # line number -> the share of its period the line billed, as the billing prorated it (18/31 days)
    prorations: Mapping[int, Fraction] | None = None

    @classmethod
    def from_rows(cls, invoice: Invoice, lines: Iterable[InvoiceLine], customer: Customer, settings: Settings,
                  labels: Mapping[str, str] | None = None, rate: DayRate | None = None,
                  prorations: Mapping[int, Fraction] | None = None) -> InvoiceDocument:
        """The document of ``invoice`` from register rows: its lines (others are ignored) in line order;
        ``prorations`` (line number -> share of the period billed) from :func:`arxl.billing.schedule.prorations`.

        Raises :class:`~arxl.core.errors.BadValue` naming the invoice when its figures do not hold together.
        """
        own = sorted((line for line in lines if line.invoice_no == invoice.invoice_no), key=lambda x: x.line_no)
        return cls(invoice, tuple(own), customer, settings, labels, rate, prorations)

    @property
    def base_equivalent(self) -> str:
        """An invoice in another currency in the base currency at the rate of its date, VAT apart: the EBM
        receipt and the VAT return are in RWF. Empty for an invoice in the base currency or without a rate:
        ``In RWF at BNR's rate of 14/07/2025 (1,445.50 RWF per USD): total 1,705,690 RWF, of which VAT ...``.
        """
        base = (self.settings.base_currency or "RWF").strip().upper()
        if self.rate is None or self.currency == base:
            return ""
        total = round_money(self.invoice.total_amount * self.rate.rate, base)
        vat = round_money(self.invoice.vat_amount * self.rate.rate, base)
        source = f"{self.rate.source}'s rate" if self.rate.source else "the rate"
        return (f"In {base} at {source} of {self.rate.published:%d/%m/%Y} ({self.rate.rate:,.2f} {base} per "
                f"{self.currency}): total {figure(total, base)} {base}, of which VAT {figure(vat, base)} {base}.")

    def __post_init__(self) -> None:
        self.check()

    @property
    def number(self) -> str:
        return self.invoice.invoice_no

    @property
    def currency(self) -> str:
        return self.invoice.currency.strip().upper()

    @property
    def decimals(self) -> int:
        return exponent(self.currency)

    @property
    def title(self) -> str:
        return "CREDIT NOTE" if self.invoice.doc_type == "credit_note" else "TAX INVOICE"

    @cached_property
    def vat_rows(self) -> tuple[VatRow, ...]:
        """VAT per tax code, in the order codes first appear, as the template's formulas compute it."""
        groups: dict[str, list[InvoiceLine]] = {}
        for line in self.lines:
            groups.setdefault(line.tax_code.strip().casefold(), []).append(line)
        rows = []
        policy = self.settings.vat_rounding
        for members in groups.values():
            code = members[0].tax_code.strip()
            rate = members[0].vat_rate
            base = sum((line.net_amount for line in members), Decimal(0))
            if policy == "line":
                vat = sum((vat_on_net(line.net_amount, rate, self.currency) for line in members), Decimal(0))
            else:
                vat = vat_on_net(base, rate, self.currency)
            label = (self.labels or {}).get(code) or vat_label(code, rate)
            rows.append(VatRow(code, label, rate, base, vat))
        return tuple(rows)

    @cached_property
    def amount_words(self) -> str:
        return amount_in_words(self.invoice.total_amount, self.currency)

    @cached_property
    def terms_words(self) -> str:
        text = self.invoice.terms or self.customer.terms or self.settings.default_terms
        try:
            return parse_terms(text).describe()
        except BadValue:
            return text

    @cached_property
    def factors(self) -> tuple[Decimal, ...]:
        """Per line, what turns quantity x unit price into the amount before discount: 1, or a proration.

        A prorated month bills 4 x 150,000 x 15/31 = 290,323: the factor is 290,323 / 600,000, to 17 digits
        (more than a double holds), so ROUND(quantity x price x factor - discount) gives the line's amount.
        """
        result = []
        for line in self.lines:
            full = line.quantity * line.unit_price
            if full == 0 or round_money(full - line.discount, self.currency) == line.net_amount:
                result.append(Decimal(1))
            else:
                result.append(_FACTOR.divide(line.net_amount + line.discount, full))
        return tuple(result)

    @cached_property
    def shares(self) -> tuple[Decimal | None, ...]:
        """Per line, the share of its period shown beside the unit price (None for a whole one), so that
        quantity x unit price x share = amount can be checked by eye.

        It is the billing's own proration (days billed / days of the period) wherever that gives the line's
        amount, to 17 digits, so a fraction format shows it exactly (18/31, 40/92, 100/366). The factor alone
        would not do: derived from the rounded amount, 1,000 x 18/31 = 581 gives 0.581, which shows as 477/821.
        A line with no such proration that still does not multiply out shows its factor.
        """
        result: list[Decimal | None] = []
        for line, factor in zip(self.lines, self.factors, strict=True):
            share = (self.prorations or {}).get(line.line_no)
            if share is not None and share != 1 and self._multiplies_out(line, share):
                result.append(_FACTOR.divide(Decimal(share.numerator), Decimal(share.denominator)))
            else:
                result.append(None if factor == 1 else factor)
        return tuple(result)

    def _multiplies_out(self, line: InvoiceLine, share: Fraction) -> bool:
        """Whether quantity x unit price x ``share``, rounded, less the discount is the line's amount."""
        full = _EXACT.multiply(_EXACT.multiply(line.quantity, line.unit_price), Decimal(share.numerator))
        exact = _EXACT.divide(full, Decimal(share.denominator))
        places = Decimal(1).scaleb(-self.decimals)
        return exact.quantize(places, rounding=ROUND_HALF_UP) - line.discount == line.net_amount

    def check(self) -> None:
        """Raise BadValue naming the invoice when the document would show figures that do not agree."""
        number, currency = self.number, self.currency
        if currency not in CURRENCIES:
            exponent(currency)  # raises the unknown-currency message
        if not self.lines:
            raise BadValue(f"invoice {number} has no lines")
        rates: dict[str, Decimal] = {}
        for line, factor in zip(self.lines, self.factors, strict=True):
            where = f"invoice {number} line {line.line_no}"
            if line.invoice_no != number:
                raise BadValue(f"{where} belongs to invoice {line.invoice_no}")
            if line.net_amount != round_money(line.net_amount, currency):
                raise BadValue(f"{where}: amount {line.net_amount} has more decimals than {currency} allows")
            code = line.tax_code.strip()
            if not code or _SUMIF_UNSAFE.search(code):
                raise BadValue(f'{where}: tax code "{code}" must be letters and digits (no * ? ~ < > =)')
            if rates.setdefault(code.casefold(), line.vat_rate) != line.vat_rate:
                raise BadValue(f"{where}: tax code {code} has two rates on one invoice "
                               f"({rates[code.casefold()]} and {line.vat_rate})")
            if line.quantity * line.unit_price == 0 and line.net_amount + line.discount != 0:
                raise BadValue(f"{where}: amount {line.net_amount} with quantity {line.quantity} x unit price "
                               f"{line.unit_price} cannot be shown as a formula")
            shown = round_money(line.quantity * line.unit_price * factor - line.discount, currency)
            if shown != line.net_amount:  # pragma: no cover - the factor is exact to 17 digits
                raise BadValue(f"{where}: amount {line.net_amount} cannot be shown as a formula")
        net = sum((line.net_amount for line in self.lines), Decimal(0))
        vat = sum((row.vat for row in self.vat_rows), Decimal(0))
        invoice = self.invoice
        if net != invoice.net_amount:
            raise BadValue(f"invoice {number}: its lines add up to {net:,} {currency}, not to its net amount "
                           f"{invoice.net_amount:,}")
        if vat != invoice.vat_amount:
            detail = ", ".join(f"{row.code} {row.vat:,}" for row in self.vat_rows)
            raise BadValue(f"invoice {number}: VAT per tax code ({detail}, rounded per "
                           f"{self.settings.vat_rounding}) adds up to {vat:,} {currency}, not to its VAT "
                           f"{invoice.vat_amount:,}")
        if invoice.net_amount + invoice.vat_amount != invoice.total_amount:
            raise BadValue(f"invoice {number}: net {invoice.net_amount:,} + VAT {invoice.vat_amount:,} is not "
                           f"its total {invoice.total_amount:,} {currency}")


_FACTOR = Context(prec=17)
_EXACT = Context(prec=60)  # quantity x price x days / days of the period, far beyond any tie


def documents(invoices: Iterable[Invoice], lines: Iterable[InvoiceLine], customers: Iterable[Customer],
              settings: Settings, book: str = "billing.xlsx", labels: Mapping[str, str] | None = None,
              rates: Callable[[str, dt.date], DayRate | None] | None = None,
              prorations: Mapping[tuple[str, int], Fraction] | None = None
              ) -> tuple[list[InvoiceDocument], list[Problem]]:
    """The documents of many invoices at once, and a problem for each invoice that cannot be printed.

    ``prorations``: (invoice number, line number) -> the share of its period a line billed, from
    :func:`arxl.billing.schedule.prorations`; it is what a prorated line's Share column shows.
    """
    shares: dict[str, dict[int, Fraction]] = {}
    for (number, line_no), share in (prorations or {}).items():
        shares.setdefault(number, {})[line_no] = share
    by_invoice: dict[str, list[InvoiceLine]] = {}
    for line in lines:
        by_invoice.setdefault(line.invoice_no, []).append(line)
    people = {customer.customer_id: customer for customer in customers}
    result: list[InvoiceDocument] = []
    problems: list[Problem] = []
    for invoice in invoices:
        customer = people.get(invoice.customer_id)
        if customer is None:
            problems.append(Problem(CellRef(book, "Invoices"), f"invoice {invoice.invoice_no}: customer "
                                    f"{invoice.customer_id} is not in Customers"))
            continue
        try:
            rate = rates(invoice.currency, invoice.invoice_date) if rates is not None else None
            result.append(InvoiceDocument.from_rows(invoice, by_invoice.get(invoice.invoice_no, ()), customer,
                                                    settings, labels, rate, shares.get(invoice.invoice_no)))
        except ArxlError as error:
            problems.append(Problem(CellRef(book, "Invoices"), error.message))
    return result, problems


