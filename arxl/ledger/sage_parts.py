"""Which rows of Sage's audit trail a document becomes, and so what it is worth in the base currency there.

An invoice or a credit note reaches Sage 50 as one SI or SC row per **group** of its InvoiceLines: the lines of
one Sage tax code (its TaxCodes row in force on the document's date, ``T0`` to ``T99``) and one Sage nominal
(the line's service's ``Sage Nominal``, else Settings' sales nominal). A group's VAT is the sum of its lines'
VAT; when those do not add up to the document's VAT (VAT rounded once per rate on the invoice, not per line),
the VAT of each rate is recomputed from its net and shared over the groups of its tax code by net. A group whose
net or VAT is over Sage's 99,999,999.99 (:data:`~arxl.core.sage_limits.MAX_AMOUNT`) is **split** into the
fewest rows under it (:func:`split`). Each resulting row is a :class:`Part`.

Sage converts each row's Net and Tax to the base currency one by one (field ÷ its exchange rate, rounded), so a
foreign document is worth Σ ``in_base(net) + in_base(tax)`` over its parts at the document's rate
(:meth:`SageParts.base_value`), which may be a franc or so from ``in_base`` of its total: that sum is the value arxl
carries it at (:mod:`arxl.books.fx`). A document without lines is one part: the net and VAT of its Invoices
row.

Nothing here refuses: a line whose tax code or nominal Sage would not take, lines that do not add up to the
register, a group that would need more than :data:`~arxl.core.sage_limits.MAX_SPLIT` rows or is negative are
the Sage export's to hold back (it checks them, with the cell to correct, before it asks for the groups); here
a document whose lines do not add up to its Invoices row is that row as one part, so its parts always add up
to its net and VAT.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.fx import in_base
from arxl.core.money import allocate, total, unit
from arxl.core.sage_limits import MAX_AMOUNT, MAX_SPLIT
from arxl.core.tax import vat_on_net
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Invoice, InvoiceLine, Service, TaxCodeRow

_TAX_CODE = re.compile(r"T?(\d{1,2})")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Part:
    """One Sage row of a document: net and tax signed like the document (a credit note's negative)."""

    net: Decimal
    tax: Decimal
    tax_code: str  # Sage's, "T1"; "" for a document without lines
    nominal: str  # "" for a document without lines


@dataclass(frozen=True, slots=True)
class Group:
    """The lines of one (Sage tax code, nominal) of a document, before any split."""

    tax_code: str
    nominal: str
    net: Decimal
    tax: Decimal
    descriptions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grouping:
    """A document's groups, the net its lines add up to, and whether their VAT could be made the document's."""

    groups: list[Group]
    lines_net: Decimal
    vat_fits: bool


def split(net: Decimal, tax: Decimal, code: str) -> tuple[list[Decimal], list[Decimal]]:
    """A row over Sage's 99,999,999.99 as the fewest rows under it, adding up exactly (net and tax)."""
    count = split_count(net, tax, code)
    if count == 1:
        return [net], [tax]
    nets = allocate(net, [1] * count, code)
    taxes = allocate(tax, nets if net > 0 else [1] * count, code)
    if max(taxes) > MAX_AMOUNT:  # a tax larger than its net: share it evenly instead
        taxes = allocate(tax, [1] * count, code)
    return nets, taxes


def split_count(net: Decimal, tax: Decimal, code: str) -> int:
    """How many rows :func:`split` makes of a row (1 when it is under the limit)."""
    step = unit(code)
    limit = int(MAX_AMOUNT / step)
    return max(1, math.ceil(int(net / step) / limit), math.ceil(int(tax / step) / limit))


def sage_tax_code(row: TaxCodeRow) -> str | None:
    """The Sage tax code of a TaxCodes row as Sage reads it ("T1"), or None when it is not T0 to T99."""
    match = _TAX_CODE.fullmatch(row.sage_tax_code.strip().upper())
    return f"T{int(match[1])}" if match else None


class SageParts:
    """The groups and parts of any document of one workbook (its Services, TaxCodes and InvoiceLines)."""

    def __init__(self, services: Sequence[Service], tax_codes: Sequence[TaxCodeRow],
                 invoice_lines: Sequence[InvoiceLine], sales_nominal: str) -> None:
        self.services = list(services)
        self.tax_codes = list(tax_codes)
        self.invoice_lines = list(invoice_lines)
        self.sales_nominal = sales_nominal.strip()
        self._services = {s.service_code.strip().upper(): i for i, s in enumerate(self.services)}
        self._tax_codes: dict[str, list[int]] = {}
        for i, row in enumerate(self.tax_codes):
            self._tax_codes.setdefault(row.code.strip().upper(), []).append(i)
        self._lines: dict[str, list[int]] = {}
        for j, line in enumerate(self.invoice_lines):
            self._lines.setdefault(line.invoice_no.strip().upper(), []).append(j)

    @classmethod
    def of(cls, ledger: Ledger) -> SageParts:
        return cls(ledger.services.rows, ledger.tax_codes.rows, ledger.invoice_lines.rows,
                   ledger.settings.sage_sales_nominal)

    def lines(self, doc: Invoice) -> list[int]:
        """The indexes of the document's InvoiceLines rows, by line number."""
        found = self._lines.get(doc.invoice_no.strip().upper(), [])
        return sorted(found, key=lambda j: self.invoice_lines[j].line_no)

    def service(self, line: InvoiceLine) -> int | None:
        """The Services row whose Sage Nominal the line is posted to; None for Settings' sales nominal."""
        index = self._services.get(line.service_code.strip().upper()) if line.service_code else None
        if index is not None and self.services[index].sage_nominal.strip():
            return index
        return None

    def nominal(self, line: InvoiceLine) -> str:
        index = self.service(line)
        return self.sales_nominal if index is None else self.services[index].sage_nominal.strip()

    def tax_code_row(self, code: str, on: dt.date) -> int | None:
        """The TaxCodes row of ``code`` in force on ``on`` (the earliest one when none is yet); None when the
        code is not in TaxCodes."""
        found = self._tax_codes.get(code.strip().upper())
        if not found:
            return None
        in_force = [i for i in found if self.tax_codes[i].effective_from <= on] or found
        return max(in_force, key=lambda i: self.tax_codes[i].effective_from)

    def tax_code(self, code: str, on: dt.date) -> str:
        """The Sage tax code of a line's tax code; the code as written when Sage would not take it."""
        index = self.tax_code_row(code, on)
        sage = sage_tax_code(self.tax_codes[index]) if index is not None else None
        return sage or code.strip().upper()

    def grouping(self, doc: Invoice, lines: Sequence[int]) -> Grouping:
        """Net, tax and descriptions per (Sage tax code, nominal) of the given lines of ``doc``."""
        nets: dict[tuple[str, str], Decimal] = {}
        vats: dict[tuple[str, str], Decimal] = {}
        texts: dict[tuple[str, str], list[str]] = {}
        by_rate: dict[tuple[str, Decimal], Decimal] = {}
        for j in lines:
            line = self.invoice_lines[j]
            key = (self.tax_code(line.tax_code, doc.invoice_date), self.nominal(line))
            nets[key] = nets.get(key, _ZERO) + line.net_amount
            vats[key] = vats.get(key, _ZERO) + line.vat_amount
            texts.setdefault(key, []).append(line.description)
            rate_key = (key[0], line.vat_rate)
            by_rate[rate_key] = by_rate.get(rate_key, _ZERO) + line.net_amount
        fits = True
        if total(vats.values()) != doc.vat_amount:
            refit = _refit_vat(doc, nets, by_rate)
            fits = refit is not None
            vats = refit or vats
        groups = [Group(k[0], k[1], nets[k], vats[k], tuple(texts[k])) for k in nets]
        return Grouping(groups, total(nets.values()), fits)

    def parts(self, doc: Invoice) -> list[Part]:
        """The Sage rows of ``doc``, adding up to its net and VAT (see the module's text)."""
        whole = [Part(doc.net_amount, doc.vat_amount, "", "")]
        lines = self.lines(doc)
        if not lines:
            return whole
        grouping = self.grouping(doc, lines)
        if grouping.lines_net != doc.net_amount or not grouping.vat_fits:
            return whole
        code = doc.currency.strip().upper()
        sign = -1 if doc.doc_type == "credit_note" else 1
        parts: list[Part] = []
        for group in grouping.groups:
            net, tax = sign * group.net, sign * group.tax
            if net == 0 and tax == 0:
                continue
            if net < 0 or tax < 0 or split_count(net, tax, code) > MAX_SPLIT:
                parts.append(Part(group.net, group.tax, group.tax_code, group.nominal))
                continue
            for part_net, part_tax in zip(*split(net, tax, code), strict=True):
                parts.append(Part(sign * part_net, sign * part_tax, group.tax_code, group.nominal))
        return parts

    def base_value(self, doc: Invoice, rate: Decimal, base: str) -> Decimal:
        """What the document is worth in the base currency in Sage at ``rate`` (base per unit): each part's net
        and tax converted one by one (:func:`arxl.core.fx.in_base`), signed like the document."""
        return sum((in_base(p.net, rate, base) + in_base(p.tax, rate, base) for p in self.parts(doc)), _ZERO)


def _refit_vat(doc: Invoice, nets: dict[tuple[str, str], Decimal],
               by_rate: dict[tuple[str, Decimal], Decimal]) -> dict[tuple[str, str], Decimal] | None:
    """Lines whose VAT does not add up to the document's (VAT rounded once per rate on the invoice): the VAT per
    rate recomputed, then shared over the groups of its tax code by net; None when that does not add up either."""
    code = doc.currency.strip().upper()
    per_code: dict[str, Decimal] = {}
    for (tax_code, rate), net in by_rate.items():
        per_code[tax_code] = per_code.get(tax_code, _ZERO) + vat_on_net(net, rate, code)
    if total(per_code.values()) != doc.vat_amount:
        return None
    vats: dict[tuple[str, str], Decimal] = {}
    for tax_code, vat in per_code.items():
        keys = [k for k in nets if k[0] == tax_code]
        weights = [abs(nets[k]) for k in keys]
        if total(weights) == 0:
            weights = [Decimal(1)] * len(keys)
        vats.update(zip(keys, allocate(vat, weights, code), strict=True))
    return vats
