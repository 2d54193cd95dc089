"""The invoice document: one tax invoice (or credit note) as an .xlsx filled from the accountant's template.

A Rwandan tax invoice shows the words "Tax invoice", the supplier's name, address and TIN, a serial number, the
date, the customer's name and TIN, what was supplied, and the VAT rate and amount per category (DOMAIN.md).
:class:`InvoiceDocument` gathers all of it from the register's rows (the invoice, its lines, the customer and
Settings) and checks that the figures hold together: the lines add up to the invoice's net amount, VAT per tax
code adds up to its VAT, net plus VAT is the total.

:class:`InvoiceTemplate` is ``workbooks/templates/invoice.xlsx`` (or the accountant's restyled copy), loaded
once. It finds every place it fills through **workbook-level defined names**, never coordinates, so blocks can
be moved, fonts and colours changed and a logo added in Excel without touching code:

* single cells: ``inv_title`` ("TAX INVOICE" / "CREDIT NOTE"), ``inv_number``, ``inv_date``, ``inv_due_date``,
  ``inv_terms`` (in words), ``inv_contract_ref``, ``inv_po_number``, ``inv_period``, ``inv_currency``,
  ``inv_original`` (credit note's invoice), ``inv_notes``, ``inv_amount_words``, ``inv_base_equivalent`` (an
  invoice in USD in RWF at the rate of its date, VAT apart; optional); ``co_name``, ``co_address``,
  ``co_tin``, ``co_phone``, ``co_email``; ``cust_name``, ``cust_tin``, ``cust_address``, ``cust_contact``,
  ``cust_email``, ``cust_id``; ``bank_name``, ``bank_branch``, ``bank_swift``, ``bank_account_rwf``,
  ``bank_account_usd``; ``ebm_receipt_no``, ``ebm_receipt_type``, ``ebm_sdc_id``, ``ebm_mrc``, ``ebm_date``;
  two switches the formulas read, ``inv_decimals`` (0 for RWF, 2 for USD) and ``inv_vat_rounding``
  ("invoice" or "line", from Settings); and the formula cells ``inv_subtotal``, ``inv_vat_total``,
  ``inv_total``.
* the lines block ``inv_lines``: a range whose rows are the block's capacity; one name per column on its
  first row: ``line_no``, ``line_description``, ``line_quantity``, ``line_unit_price``, ``line_share``
  (optional: a prorated line's share of its period, shown as a fraction, ``# ???/???`` shows 18/31; empty for
  a whole period), ``line_discount`` (an amount), ``line_tax_code``, the formula ``line_amount``, and hidden
  helpers ``line_vat_rate``, ``line_factor`` (1, or the proration that turns quantity x unit price into the
  billed amount, exact to the unit) and the formula ``line_vat`` (the line's own VAT, for line-level
  rounding). So a prorated line multiplies out on paper: Qty 6 x Unit price 210,000 x Share 18/31 = 731,613.
* the VAT block ``inv_vat``: one row per tax code, names on its first row: ``vat_label`` ("VAT 18%",
  "Zero-rated 0%", "Exempt"), ``vat_code`` and ``vat_rate`` (hidden; the SUMIF key and rate), and the
  formulas ``vat_base`` and ``vat_amount``.

Rows of a block that no line uses are hidden, so keep other content off the blocks' rows; a name on merged
cells points at their top-left cell. The amounts, subtotal, VAT and total are live formulas (ROUND to
``inv_decimals``; VAT by SUMIF over the tax code column, rounded once per code or line by line as Settings say)
and arxl writes its own figures as their cached values, so a viewer that does not calculate shows the same
numbers; the workbook asks Excel to recalculate on open. Amount cells show the invoice currency's decimals
(RWF none, USD two): arxl switches their number format per invoice. :data:`REQUIRED` names must exist; the
others are filled when present. Text from outside (a customer name such as ``=HYPERLINK(...)``) is written as
text, never as a formula.

>>> template = InvoiceTemplate()  # workbooks/templates/invoice.xlsx
>>> template.line_capacity, template.vat_capacity, template.cell("inv_total"), template.cell("line_amount", 2)
(30, 4, 'H56', 'H21')

Speed: the template is parsed once; each invoice splices its values into the sheet XML and re-zips it with the
unchanged parts compressed once: about 0.3 ms of work an invoice, 700 to 1,900 invoices/s written to disk on 2
cores, against 40-60 ms an invoice for openpyxl's load, fill and save (``bench/invoices.py``). PDFs go through
LibreOffice headless in batches (:func:`to_pdf`).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
import textwrap
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from arxl.core.errors import ArxlError, BadValue, CellRef, Problem
from arxl.core.money import CURRENCIES, exponent, figure, round_money
from arxl.core.tax import vat_on_net
from arxl.core.terms import parse_terms
from arxl.core.words import amount_in_words
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.safety import inspect_xlsx
from arxl.formats.xlsx.save import atomic_write, ensure_not_open
from arxl.formats.xlsx.zipcopy import ZipCopier, pack
from arxl.ledger.ledger import DayRate
from arxl.ledger.records import Customer, Invoice, InvoiceLine
from arxl.ledger.settings import Settings

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "workbooks" / "templates" / "invoice.xlsx"
MAX_TEXT = 32_767  # Excel's limit for one cell's text
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


class TemplateError(ArxlError):
    """The invoice template cannot be used as it is (a name missing or misplaced, a formula gone)."""

    default = "the invoice template cannot be used"


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


# --- The names a template carries -----------------------------------------------------------------------------

Kind = Literal["text", "date", "number", "formula"]

# name -> (kind, required). Per-row names live on the first row of their block.
HEAD: dict[str, tuple[Kind, bool]] = {
    "inv_title": ("text", True), "inv_number": ("text", True), "inv_date": ("date", True),
    "inv_due_date": ("date", True), "inv_terms": ("text", False), "inv_contract_ref": ("text", False),
    "inv_po_number": ("text", False), "inv_period": ("text", False), "inv_currency": ("text", False),
    "inv_original": ("text", False), "inv_notes": ("text", False), "inv_amount_words": ("text", True),
    "inv_base_equivalent": ("text", False),
    "inv_decimals": ("number", True), "inv_vat_rounding": ("text", True),
    "inv_subtotal": ("formula", True), "inv_vat_total": ("formula", True), "inv_total": ("formula", True),
    "co_name": ("text", True), "co_address": ("text", True), "co_tin": ("text", True),
    "co_phone": ("text", False), "co_email": ("text", False),
    "cust_name": ("text", True), "cust_tin": ("text", True), "cust_address": ("text", False),
    "cust_contact": ("text", False), "cust_email": ("text", False), "cust_id": ("text", False),
    "bank_name": ("text", False), "bank_branch": ("text", False), "bank_swift": ("text", False),
    "bank_account_rwf": ("text", False), "bank_account_usd": ("text", False),
    "ebm_receipt_no": ("text", False), "ebm_receipt_type": ("text", False), "ebm_sdc_id": ("text", False),
    "ebm_mrc": ("text", False), "ebm_date": ("date", False),
}
LINE: dict[str, tuple[Kind, bool]] = {
    "line_no": ("number", False), "line_description": ("text", True), "line_quantity": ("number", True),
    "line_unit_price": ("number", True), "line_share": ("number", False), "line_discount": ("number", True),
    "line_tax_code": ("text", True),
    "line_amount": ("formula", True), "line_vat_rate": ("number", True), "line_factor": ("number", True),
    "line_vat": ("formula", True),
}
VAT: dict[str, tuple[Kind, bool]] = {
    "vat_label": ("text", True), "vat_code": ("text", True), "vat_rate": ("number", True),
    "vat_base": ("formula", True), "vat_amount": ("formula", True),
}
BLOCKS = {"inv_lines": LINE, "inv_vat": VAT}
REQUIRED = tuple(name for table in (HEAD, LINE, VAT) for name, (_, needed) in table.items() if needed) + \
    tuple(BLOCKS)
AMOUNTS = frozenset({"line_unit_price", "line_discount", "line_amount", "line_vat", "vat_base", "vat_amount",
                     "inv_subtotal", "inv_vat_total", "inv_total"})

Value = str | Decimal | int | dt.date | None


def head_values(doc: InvoiceDocument) -> dict[str, Value]:
    """What goes in each single-cell name (formula names: arxl's figure, written as the cached value)."""
    invoice, customer, settings = doc.invoice, doc.customer, doc.settings
    original = invoice.original_invoice
    return {
        "inv_title": doc.title, "inv_number": invoice.invoice_no, "inv_date": invoice.invoice_date,
        "inv_due_date": invoice.due_date, "inv_terms": doc.terms_words, "inv_contract_ref": invoice.contract_ref,
        "inv_po_number": invoice.po_number, "inv_period": _period_words(invoice.period),
        "inv_currency": doc.currency,
        "inv_original": f"Credit note for invoice {original}" if original and doc.title == "CREDIT NOTE" else
        (f"Original invoice {original}" if original else ""),
        "inv_notes": invoice.notes, "inv_amount_words": doc.amount_words, "inv_decimals": doc.decimals,
        "inv_base_equivalent": doc.base_equivalent,
        "inv_vat_rounding": settings.vat_rounding, "inv_subtotal": invoice.net_amount,
        "inv_vat_total": invoice.vat_amount, "inv_total": invoice.total_amount,
        "co_name": settings.company_name, "co_address": settings.company_address, "co_tin": settings.company_tin,
        "co_phone": settings.company_phone, "co_email": settings.company_email,
        "cust_name": customer.name, "cust_tin": customer.tin, "cust_address": customer.address,
        "cust_contact": customer.contact, "cust_email": customer.email, "cust_id": customer.customer_id,
        "bank_name": settings.bank_name, "bank_branch": settings.bank_branch, "bank_swift": settings.bank_swift,
        "bank_account_rwf": settings.bank_account_rwf, "bank_account_usd": settings.bank_account_usd,
        "ebm_receipt_no": invoice.ebm_receipt_no, "ebm_receipt_type": invoice.ebm_receipt_type,
        "ebm_sdc_id": invoice.ebm_sdc_id, "ebm_mrc": invoice.ebm_mrc, "ebm_date": invoice.ebm_date,
    }


def line_values(doc: InvoiceDocument) -> list[dict[str, Value]]:
    currency = doc.currency
    return [{
        "line_no": line.line_no, "line_description": line.description, "line_quantity": line.quantity,
        "line_unit_price": line.unit_price, "line_share": share, "line_discount": line.discount or None,
        "line_tax_code": line.tax_code.strip(), "line_amount": line.net_amount, "line_vat_rate": line.vat_rate,
        "line_factor": factor, "line_vat": vat_on_net(line.net_amount, line.vat_rate, currency),
    } for line, factor, share in zip(doc.lines, doc.factors, doc.shares, strict=True)]


def vat_values(doc: InvoiceDocument) -> list[dict[str, Value]]:
    return [{"vat_label": row.label, "vat_code": row.code, "vat_rate": row.rate, "vat_base": row.base,
             "vat_amount": row.vat} for row in doc.vat_rows]


# --- Cells as XML ---------------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # Excel would read "_x0041_" in text as an escape
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?$")
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_FORMULA_START = frozenset("=+-@")  # text Excel reads as a formula when the cell is edited
_MARK = re.compile(r'<!--ARXL:([0-9]+)-->| arxlrow="([0-9]+)"')


def _q(tag: str) -> str:
    return f"{{{_MAIN}}}{tag}"


def _letters(column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def xml_text(text: str) -> str:
    """Text for an inline string: XML-escaped, control characters as Excel's ``_xHHHH_`` escapes.

    >>> xml_text('=HYPERLINK("x") & <b>'), xml_text("a_x0041_b\\x01")
    ('=HYPERLINK("x") &amp; &lt;b&gt;', 'a_x005F_x0041_b_x0001_')
    """
    text = _LOOKALIKE.sub(r"_x005F_\1", text)
    return _escape(_NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text))


def xml_number(value: Decimal | int) -> str:
    """A number as Excel stores it: plain decimal notation, no exponent, no trailing zeros.

    >>> xml_number(Decimal("1180000")), xml_number(Decimal("1E+3")), xml_number(Decimal("-0.50"))
    ('1180000', '1000', '-0.5')
    """
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise BadValue(f"{value} is not a number a cell can hold")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_decimals(code: str, places: int) -> str:
    """A number format with ``places`` decimals in each of its number sections; quoted text is kept.

    >>> with_decimals('#,##0.00;-#,##0.00', 0), with_decimals('"on "#,##0', 2)
    ('#,##0;-#,##0', '"on "#,##0.00')
    """
    decimals = "." + "0" * places if places else ""
    found = False

    def number(match: re.Match[str]) -> str:
        nonlocal found
        found = True
        return match.group(1) + decimals

    parts = []
    for token in re.findall(r'"[^"]*"|\\.|\[[^\]]*\]|[^"\\\[]+', code):
        plain = token[0] not in '"\\['
        parts.append(re.sub(r"([#0,]*0)(\.[0#]*)?", number, token) if plain else token)
    if not found:  # "General" or text: the plain amount format of those decimals
        return f"#,##0{decimals};-#,##0{decimals}"
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class _Slot:
    """A place in the sheet XML that each invoice fills: a cell (``group`` head, line or vat) or a block row."""

    group: Literal["head", "line", "vat", "row_line", "row_vat"]
    key: str
    index: int
    prefix: str  # '<c r="B9" s="4"'
    formula: str  # '<f>...</f>' for formula cells, else ""
    quoted: str  # text cells: the prefix with the quote-prefix twin of the style


@dataclass(frozen=True, slots=True)
class _Row:
    """A row of a block: the text after its ``<row`` marker, cells included, and the same row hidden."""

    block: Literal["line", "vat"]
    index: int
    parts: tuple[str | _Slot, ...]
    hidden: str


@dataclass(frozen=True, slots=True)
class _Place:
    sheet: str
    first: tuple[int, int]  # (row, column)
    last: tuple[int, int]

    def ref(self) -> str:
        (r1, c1), (r2, c2) = self.first, self.last
        one = f"{_letters(c1)}{r1}"
        return one if (r1, c1) == (r2, c2) else f"{one}:{_letters(c2)}{r2}"


# --- ZIP: the unchanged parts are deflated once per template (formats.xlsx.zipcopy) ------------------------

_STAMP = (2025, 1, 1, 0, 0, 0)  # the entries' date: the same invoice, the same bytes


# --- The template ---------------------------------------------------------------------------------------------

def _parse(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)
    return etree.fromstring(data, parser)


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


class InvoiceTemplate:
    """An invoice template loaded once; :meth:`render` fills it for one invoice, :meth:`write_all` for many."""

    def __init__(self, path: Path | str = DEFAULT_TEMPLATE) -> None:
        self.path = Path(path)
        self._date1904 = inspect_xlsx(self.path).date1904
        with zipfile.ZipFile(self.path) as package:
            parts = {entry.filename: package.read(entry) for entry in package.infolist() if not entry.is_dir()}
        for needed in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"):
            if needed not in parts:
                raise self._error(f"lacks the part {needed}: save it again from Excel")
        workbook = _parse(parts["xl/workbook.xml"])
        self.places = self._defined_names(workbook)
        missing = [name for name in REQUIRED if name not in self.places]
        if missing:
            raise self._error(f"has no defined name {', '.join(missing)}: every required place needs its "
                              "name (Formulas > Name Manager); see arxl/formats/invoice_doc.py for the list")
        sheets = {place.sheet for place in self.places.values()}
        if len(sheets) != 1:
            raise self._error(f"its names point at several sheets ({', '.join(sorted(sheets))}): keep the "
                              "whole invoice on one sheet")
        self.sheet_name = sheets.pop()
        self._sheet_path = self._sheet_part(workbook, parts)
        self.line_first, self.line_capacity = self._block("inv_lines", LINE)
        self.vat_first, self.vat_capacity = self._block("inv_vat", VAT)
        self._cells = self._layout()

        styles = _parse(parts["xl/styles.xml"])
        sheet = _parse(parts[self._sheet_path])
        self._check_merges(sheet)
        new_styles = self._splice(sheet, styles)
        self._styles = {places: pack("xl/styles.xml", _serialize(root), 9)
                        for places, root in self._style_variants(styles, new_styles).items()}
        self._recalculate_on_open(workbook, parts)
        self._pack(parts)

    def _layout(self) -> dict[tuple[int, int], tuple[str, str, int]]:
        """Every cell arxl fills: (row, column) -> (group, name, row of the block)."""
        line_rows = range(self.line_first, self.line_first + self.line_capacity)
        vat_rows = range(self.vat_first, self.vat_first + self.vat_capacity)
        if set(line_rows) & set(vat_rows):
            raise self._error("blocks inv_lines and inv_vat share rows: give each block rows of its own")
        cells: dict[tuple[int, int], tuple[str, str, int]] = {}

        def claim(cell: tuple[int, int], slot: tuple[str, str, int]) -> None:
            taken = cells.setdefault(cell, slot)
            if taken[1] != slot[1]:
                raise self._error(f"names {taken[1]} and {slot[1]} point at the same cell "
                                  f"{_letters(cell[1])}{cell[0]}")

        for name in HEAD:
            if name in self.places:
                row = self.places[name].first[0]
                block = "inv_lines" if row in line_rows else "inv_vat" if row in vat_rows else ""
                if block:
                    raise self._error(f"name {name} ({self.places[name].ref()}) is on a row of the block {block}, "
                                      "whose rows are hidden when no line uses them: move it off those rows")
                claim(self.places[name].first, ("head", name, 0))
        for group, table, rows in (("line", LINE, line_rows), ("vat", VAT, vat_rows)):
            for name in table:
                if name in self.places:
                    column = self.places[name].first[1]
                    for i, row in enumerate(rows):
                        claim((row, column), (group, name, i))
        return cells

    @staticmethod
    def _recalculate_on_open(workbook: Any, parts: dict[str, bytes]) -> None:
        """Excel recalculates the workbook when it opens it; a stale calculation chain is dropped."""
        calc = workbook.find(_q("calcPr"))
        if calc is None:
            calc = etree.SubElement(workbook, _q("calcPr"))
            after = [c for c in workbook if etree.QName(c).localname in
                     ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                      "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")]
            if after:
                after[0].addprevious(calc)
        calc.set("fullCalcOnLoad", "1")
        parts["xl/workbook.xml"] = _serialize(workbook)
        if "xl/calcChain.xml" in parts:
            del parts["xl/calcChain.xml"]
            parts["[Content_Types].xml"] = re.sub(rb'<Override[^>]*PartName="/xl/calcChain.xml"[^>]*/>', b"",
                                                  parts["[Content_Types].xml"])
            rels = _parse(parts["xl/_rels/workbook.xml.rels"])
            for rel in list(rels):
                if rel.get("Target", "").endswith("calcChain.xml"):
                    rels.remove(rel)
            parts["xl/_rels/workbook.xml.rels"] = _serialize(rels)

    def _pack(self, parts: dict[str, bytes]) -> None:
        """Compress the parts no invoice changes, once; the styles (per decimals) and the sheet come last."""
        changing = (self._sheet_path, "xl/styles.xml")
        names = sorted((n for n in parts if n not in changing), key=lambda n: n != "[Content_Types].xml")
        self._fixed = [pack(name, parts[name], 9) for name in names]

    # -- loading ---------------------------------------------------------------------------------------------

    def _error(self, message: str) -> TemplateError:
        return TemplateError(f"invoice template {message}", CellRef(self.path.name))

    def _defined_names(self, workbook: Any) -> dict[str, _Place]:
        known = set(HEAD) | set(LINE) | set(VAT) | set(BLOCKS)
        places: dict[str, _Place] = {}
        names = workbook.find(_q("definedNames"))
        items = list(names) if names is not None else []
        # A name scoped to the sheet serves too, unless the workbook also has it (that one wins).
        items.sort(key=lambda item: item.get("localSheetId") is None)
        for item in items:
            name = (item.get("name") or "").lower()
            if name not in known:
                continue
            text = (item.text or "").strip()
            match = _REF.match(text)
            if not match:
                raise self._error(f"name {name} points at {text or 'nothing'}, not at cells of the invoice "
                                  "sheet (were its cells deleted?)")
            sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
            first = (int(match.group(4)), _column(match.group(3)))
            last = (int(match.group(6)), _column(match.group(5))) if match.group(5) else first
            places[name] = _Place(sheet, first, last)
            if name not in BLOCKS and last != first:
                raise self._error(f"name {name} points at the range {places[name].ref()}; it must be one cell")
        return places

    def _sheet_part(self, workbook: Any, parts: dict[str, bytes]) -> str:
        rels = _parse(parts["xl/_rels/workbook.xml.rels"])
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        for sheet in workbook.iterfind(f"{_q('sheets')}/{_q('sheet')}"):
            if sheet.get("name") == self.sheet_name:
                target = targets.get(sheet.get(f"{{{_DOC_RELS}}}id"), "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                part = os.path.normpath(part).replace(os.sep, "/")
                if part in parts:
                    return part
        raise self._error(f"has no worksheet {self.sheet_name}, which its names point at")

    def _block(self, block: str, table: Mapping[str, tuple[Kind, bool]]) -> tuple[int, int]:
        place = self.places[block]
        first, last = place.first[0], place.last[0]
        for name in table:
            if name in self.places and self.places[name].first[0] != first:
                raise self._error(f"name {name} ({self.places[name].ref()}) is not on the first row of the block "
                                  f"{block} ({place.ref()}): put each column's name on that row")
        return first, last - first + 1

    def _check_merges(self, sheet: Any) -> None:
        for merge in sheet.iterfind(f"{_q('mergeCells')}/{_q('mergeCell')}"):
            ref = merge.get("ref", "")
            corners = [_CELL.match(part) for part in ref.split(":")]
            if len(corners) != 2 or not all(corners):
                continue
            (a, b) = corners
            assert a is not None and b is not None
            r1, c1, r2, c2 = int(a.group(2)), _column(a.group(1)), int(b.group(2)), _column(b.group(1))
            for (row, column), (_, name, _) in self._cells.items():
                if r1 <= row <= r2 and c1 <= column <= c2 and (row, column) != (r1, c1):
                    raise self._error(f"name {name} points at {_letters(column)}{row}, inside the merged cells "
                                      f"{ref}: point it at {_letters(c1)}{r1}")

    def _splice(self, sheet: Any, styles: Any) -> dict[tuple[str, int], int]:
        """Cut the sheet XML into static text and slots; return the cell formats the slots need copies of:
        amount cells get their own (their number format follows the currency), and text cells a twin marked
        "quote prefix" for text Excel would otherwise turn into a formula when the cell is edited."""
        data = sheet.find(_q("sheetData"))
        rows: dict[int, Any] = {}
        number = 0
        for row in data.iterfind(_q("row")):
            number = int(row.get("r") or number + 1)
            row.set("r", str(number))
            rows[number] = row
            column = 0
            for cell in row.iterfind(_q("c")):
                match = _CELL.match(cell.get("r") or "")
                column = _column(match.group(1)) if match else column + 1
                cell.set("r", f"{_letters(column)}{number}")
                formula = cell.find(_q("f"))
                if formula is not None:  # a cached result of the template's own sample is stale
                    for value in cell.findall(_q("v")):
                        cell.remove(value)
                    cell.attrib.pop("t", None)

        def row_at(number: int) -> Any:
            if number not in rows:
                row = etree.Element(_q("row"), r=str(number))
                later = [r for n, r in rows.items() if n > number]
                if later:
                    min(later, key=lambda r: int(r.get("r"))).addprevious(row)
                else:
                    data.append(row)
                rows[number] = row
            return rows[number]

        def cell_at(number: int, column: int) -> Any:
            row = row_at(number)
            ref = f"{_letters(column)}{number}"
            for cell in row.iterfind(_q("c")):
                at = _column(_CELL.match(cell.get("r")).group(1))  # type: ignore[union-attr]
                if at == column:
                    return cell
                if at > column:
                    new = etree.Element(_q("c"), r=ref)
                    cell.addprevious(new)
                    return new
            return etree.SubElement(row, _q("c"), r=ref)

        style_count = len(styles.find(_q("cellXfs")).findall(_q("xf")))
        new_styles: dict[tuple[str, int], int] = {}  # ("amount" | "quote", template style) -> its copy

        def copy_of(kind: str, style: int) -> int:
            return new_styles.setdefault((kind, style), style_count + len(new_styles))

        self._wrap = self._wrap_metrics(sheet, styles, cell_at)
        self._line_heights: list[str] = []  # each line row's height attributes in the template
        self._slots: list[_Slot] = []
        kinds = {**HEAD, **LINE, **VAT}
        for (number, column), (group, key, index) in sorted(self._cells.items()):
            cell = cell_at(number, column)
            kind = kinds[key][0]
            formula = cell.find(_q("f"))
            if kind == "formula" and formula is None:
                raise self._error(f"cell {_letters(column)}{number} ({key}) holds no formula: arxl needs the "
                                  "template's live formula there")
            style = int(cell.get("s") or 0)
            if key in AMOUNTS:
                style = copy_of("amount", style)
            ref = f'<c r="{_letters(column)}{number}"'
            prefix = ref + (f' s="{style}"' if style else "")
            quoted, text = "", ""
            if kind == "text":
                quoted = f'{ref} s="{copy_of("quote", style)}"'
            if kind == "formula":
                attributes = "".join(f' {k}="{_escape(v, True)}"' for k, v in formula.attrib.items())
                text = f"<f{attributes}>{_escape(formula.text or '')}</f>"
            self._slots.append(_Slot(group, key, index, prefix, text, quoted))  # type: ignore[arg-type]
            comment = etree.Comment(f"ARXL:{len(self._slots) - 1}")
            cell.getparent().replace(cell, comment)
        for group, first, capacity in (("row_line", self.line_first, self.line_capacity),
                                       ("row_vat", self.vat_first, self.vat_capacity)):
            for i in range(capacity):
                row = row_at(first + i)
                row.attrib.pop("hidden", None)
                if group == "row_line":  # its height is the invoice's: a long description wraps
                    height = "".join(f' {k}="{_escape(row.attrib.pop(k), True)}"' for k in ("ht", "customHeight")
                                     if k in row.attrib)
                    self._line_heights.append(height)
                row.set("arxlrow", str(len(self._slots)))
                self._slots.append(_Slot(group, "", i, "", "", ""))  # type: ignore[arg-type]

        used = [(n, _column(_CELL.match(c.get("r")).group(1)))  # type: ignore[union-attr]
                for n, row in rows.items() for c in row.iterfind(_q("c"))] + list(self._cells)
        dimension = sheet.find(_q("dimension"))
        if dimension is not None and used:
            top, bottom = min(r for r, _ in used), max(r for r, _ in used)
            left, right = min(c for _, c in used), max(c for _, c in used)
            dimension.set("ref", f"{_letters(left)}{top}:{_letters(right)}{bottom}")
        text = _serialize(sheet).decode("utf-8")
        pieces = _MARK.split(text)
        # split gives [static, comment-group, row-group, static, ...]
        order = [int(a or b) for a, b in zip(pieces[1::3], pieces[2::3], strict=True)]
        if sorted(order) != list(range(len(self._slots))):
            raise self._error("could not be prepared (its sheet holds text that looks like arxl's markers)")
        self._program = self._compile(pieces[0::3], [self._slots[i] for i in order])
        return new_styles

    def _wrap_metrics(self, sheet: Any, styles: Any, cell_at: Callable[[int, int], Any]
                      ) -> tuple[int, float, float] | None:
        """How the description column wraps: (characters a line holds, at the least; points a line of text
        takes; the row's height in the template), or None when it does not wrap.

        Neither Excel nor LibreOffice fits a row's height to wrapped text when it opens an .xlsx, so a long
        description ("... (prorated 18/31 days)") would run over the next line: arxl sets the height itself.
        """
        if "line_description" not in self.places:  # pragma: no cover - a required name
            return None
        row_number, column = self.places["line_description"].first
        cell = cell_at(row_number, column)
        xfs = styles.find(_q("cellXfs")).findall(_q("xf"))
        xf = xfs[int(cell.get("s") or 0)] if int(cell.get("s") or 0) < len(xfs) else None
        alignment = xf.find(_q("alignment")) if xf is not None else None
        if alignment is None or alignment.get("wrapText") not in ("1", "true"):
            return None
        fonts = styles.find(_q("fonts")).findall(_q("font"))
        font = fonts[int(xf.get("fontId") or 0)] if xf is not None and int(xf.get("fontId") or 0) < len(fonts) \
            else None
        size_node = font.find(_q("sz")) if font is not None else None
        size = float(size_node.get("val")) if size_node is not None else 11.0
        width = None
        for col in sheet.iterfind(f"{_q('cols')}/{_q('col')}"):
            if int(col.get("min") or 0) <= column <= int(col.get("max") or 0) and col.get("width"):
                width = float(col.get("width"))
        form = sheet.find(_q("sheetFormatPr"))
        if width is None:
            width = float(form.get("defaultColWidth") or 8.43) if form is not None else 8.43
        row = cell.getparent()
        base = float(row.get("ht") or (form.get("defaultRowHeight") if form is not None else None) or 15)
        # A column's width counts digits of the default font (11 pt); an average character of text is narrower
        # than a digit, so 1.3 characters a unit at 9 pt (48 fit in 35 units) errs towards a row a little too tall.
        return max(1, int(width * 1.3 * 9 / size)), size * 1.3, base

    def _height(self, index: int, description: Value) -> str:
        """The height attributes of the ``index``-th line row for ``description``: the template's, or taller."""
        if self._wrap is None or not isinstance(description, str):
            return self._line_heights[index]
        per_line, points, base = self._wrap
        count = sum(len(textwrap.wrap(part, per_line)) or 1 for part in description.splitlines() or [""])
        if count <= 1:
            return self._line_heights[index]
        return f' ht="{max(base, round(count * points + 3, 1))}" customHeight="1"'

    def _compile(self, static: list[str], order: list[_Slot]) -> list[str | _Slot | _Row]:
        """Static text, head cells and whole block rows, in sheet order; a row unused by an invoice is one
        precomputed string (hidden, its cells empty)."""
        program: list[str | _Slot | _Row] = [static[0]]
        j = 0
        while j < len(order):
            slot = order[j]
            if slot.group in ("line", "vat"):  # pragma: no cover - cells of a block row follow its marker
                raise self._error("could not be prepared (a block cell outside its row)")
            if slot.group == "head":
                program += [slot, static[j + 1]]
                j += 1
                continue
            block: Literal["line", "vat"] = "line" if slot.group == "row_line" else "vat"
            parts: list[str | _Slot] = [static[j + 1]]
            k = j + 1
            while k < len(order) and order[k].group == block and order[k].index == slot.index:
                parts += [order[k], static[k + 1]]
                k += 1
            height = self._line_heights[slot.index] if block == "line" else ""
            hidden = ' hidden="1"' + height + "".join(p if isinstance(p, str) else self._cell_xml(p, None)
                                                      for p in parts)
            program.append(_Row(block, slot.index, tuple(parts), hidden))
            j = k
        return program

    def _style_variants(self, styles: Any, new_styles: dict[tuple[str, int], int]) -> dict[int, Any]:
        """styles.xml once per number of decimals, amount cells' copies formatted with that many."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE

        xfs = styles.find(_q("cellXfs"))
        originals = xfs.findall(_q("xf"))
        for kind, style in sorted(new_styles, key=new_styles.__getitem__):
            twin = copy.deepcopy(originals[style] if style < len(originals) else originals[0])
            if kind == "quote":
                twin.set("quotePrefix", "1")
            xfs.append(twin)
        xfs.set("count", str(len(xfs.findall(_q("xf")))))
        formats = styles.find(_q("numFmts"))
        if formats is None:
            formats = etree.Element(_q("numFmts"))
            styles.insert(0, formats)
        codes = {int(f.get("numFmtId")): f.get("formatCode", "") for f in formats.iterfind(_q("numFmt"))}
        variants: dict[int, Any] = {}
        for places in sorted({c.exponent for c in CURRENCIES.values()}):
            root = copy.deepcopy(styles)
            root_formats = root.find(_q("numFmts"))
            known = dict(codes)
            copies = root.find(_q("cellXfs")).findall(_q("xf"))
            for index in (i for (kind, _), i in new_styles.items() if kind == "amount"):
                xf = copies[index]
                old_id = int(xf.get("numFmtId") or 0)
                code = with_decimals(known.get(old_id, BUILTIN_FORMATS.get(old_id, "General")), places)
                new_id = next((i for i, c in known.items() if c == code), None)
                if new_id is None:
                    new_id = BUILTIN_FORMATS_REVERSE.get(code)
                if new_id is None:
                    new_id = max([163, *known]) + 1
                    known[new_id] = code
                    etree.SubElement(root_formats, _q("numFmt"), numFmtId=str(new_id), formatCode=code)
                xf.set("numFmtId", str(new_id))
                xf.set("applyNumberFormat", "1")
            root_formats.set("count", str(len(root_formats)))
            variants[places] = root
        return variants

    # -- filling ---------------------------------------------------------------------------------------------

    def cell(self, name: str, index: int = 0) -> str:
        """Where a name is (``G19``); for a block column, its ``index``-th row (0 is the first)."""
        row, column = self.places[name].first
        return f"{_letters(column)}{row + index}"

    def expected_values(self, doc: InvoiceDocument) -> dict[str, Decimal]:
        """arxl's figure for each formula cell it knows (cell -> value): what a recalculation must give."""
        result: dict[str, Decimal] = {}
        head = head_values(doc)
        for name in ("inv_subtotal", "inv_vat_total", "inv_total"):
            result[self.cell(name)] = Decimal(head[name])  # type: ignore[arg-type]
        for i, values in enumerate(line_values(doc)):
            for name in ("line_amount", "line_vat"):
                result[self.cell(name, i)] = Decimal(values[name])  # type: ignore[arg-type]
        for i, values in enumerate(vat_values(doc)):
            for name in ("vat_base", "vat_amount"):
                result[self.cell(name, i)] = Decimal(values[name])  # type: ignore[arg-type]
        return result

    def render(self, doc: InvoiceDocument) -> bytes:
        """The filled .xlsx of one invoice, as bytes."""
        lines, vats = line_values(doc), vat_values(doc)
        if len(lines) > self.line_capacity:
            raise BadValue(f"invoice {doc.number} has {len(lines)} lines; the template's lines block inv_lines "
                           f"({self.sheet_name}!{self.places['inv_lines'].ref()}) holds {self.line_capacity}: "
                           "make the block longer in the template or split the invoice")
        if len(vats) > self.vat_capacity:
            raise BadValue(f"invoice {doc.number} has {len(vats)} tax codes; the template's VAT block inv_vat "
                           f"({self.sheet_name}!{self.places['inv_vat'].ref()}) holds {self.vat_capacity}")
        head = head_values(doc)
        cell = self._cell_xml
        out: list[str] = []
        append = out.append
        for step in self._program:
            if isinstance(step, str):
                append(step)
            elif isinstance(step, _Row):
                rows = lines if step.block == "line" else vats
                if step.index < len(rows):
                    values = rows[step.index]
                    if step.block == "line":
                        append(self._height(step.index, values["line_description"]))
                    for part in step.parts:
                        append(part if isinstance(part, str) else cell(part, values[part.key]))
                else:
                    append(step.hidden)
            else:
                append(cell(step, head[step.key]))
        buffer = io.BytesIO()
        writer = ZipCopier(buffer, self.path.name, _STAMP)
        for entry in self._fixed:
            writer.add_packed(entry)
        writer.add_packed(self._styles[doc.decimals])
        writer.add(self._sheet_path, "".join(out).encode("utf-8"), level=1)
        writer.close()
        return buffer.getvalue()

    def _cell_xml(self, slot: _Slot, value: Value) -> str:
        if slot.formula:
            if value is None or isinstance(value, str):
                return f"{slot.prefix}>{slot.formula}</c>"
            return f"{slot.prefix}>{slot.formula}<v>{self._number(value)}</v></c>"
        if value is None or value == "":
            return f"{slot.prefix}/>"
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise BadValue(f"{slot.key}: text of {len(value):,} characters is longer than a cell holds "
                               f"({MAX_TEXT:,})")
            prefix = slot.quoted if value[0] in _FORMULA_START else slot.prefix
            return f'{prefix} t="inlineStr"><is><t xml:space="preserve">{xml_text(value)}</t></is></c>'
        return f"{slot.prefix}><v>{self._number(value)}</v></c>"

    def _number(self, value: Decimal | int | dt.date) -> str:
        if isinstance(value, dt.date):
            epoch = dt.date(1904, 1, 1) if self._date1904 else dt.date(1899, 12, 30)
            return str((value - epoch).days)
        return xml_number(value)

    def write_all(self, docs: Iterable[InvoiceDocument], out_dir: Path | str,
                  progress: Callable[[Path], None] | None = None) -> list[Path]:
        """One ``<invoice number>.xlsx`` per document in ``out_dir``, each written to a temporary file and
        then put in place, so a file is either the previous version or the new one, never torn.

        Refuses (before writing anything) invoice numbers that cannot be file names, repeated numbers, and a
        file that is open in Excel or LibreOffice.
        """
        folder = Path(out_dir)
        batch = list(docs)
        targets: list[Path] = []
        seen: set[str] = set()
        for doc in batch:
            number = doc.number
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}", number) or ".." in number:
                raise BadValue(f'invoice number "{number[:40]}" cannot be a file name')
            if number.casefold() in seen:
                raise BadValue(f"invoice {number} is given twice")
            seen.add(number.casefold())
            target = folder / f"{number}.xlsx"
            ensure_not_open(target)
            targets.append(target)
        folder.mkdir(parents=True, exist_ok=True)
        for doc, target in zip(batch, targets, strict=True):
            data = self.render(doc)

            def write(temp: Path, data: bytes = data) -> None:
                temp.write_bytes(data)

            atomic_write(target, write, backup=False)
            if progress is not None:
                progress(target)
        return targets


def to_pdf(paths: Sequence[Path], out_dir: Path | str, office: LibreOffice | None = None,
           batch_size: int = 50, progress: Callable[[int], None] | None = None) -> list[Path]:
    """PDFs of invoice workbooks through LibreOffice headless, ``batch_size`` files per run, every one checked.

    Pass an open :class:`~arxl.formats.libreoffice.LibreOffice` to reuse its profile; otherwise one is made for
    this call and removed after it. ``progress`` is told how many more PDFs are done, as they appear.
    """
    if office is None:
        with LibreOffice() as own:
            return to_pdf(paths, out_dir, own, batch_size, progress)
    result: list[Path] = []
    for start in range(0, len(paths), max(1, batch_size)):
        result += office.to_pdf(list(paths[start:start + batch_size]), Path(out_dir), progress)
    return result
