"""Invoices and credit notes as SI and SC rows: one per (Sage tax code, nominal) of the document, split
under Sage's amount limit, in the document's currency at the rate of its date (see :mod:`arxl.formats.sage`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal

from arxl.core.errors import CellRef
from arxl.core.fx import sage_rate
from arxl.core.money import allocate, total
from arxl.core.sage_limits import MAX_AMOUNT, MAX_SPLIT
from arxl.core.tax import vat_on_net
from arxl.formats.sage.common import NOMINAL, ZERO, Books, HeldBack, reference
from arxl.formats.sage.csvfile import EXTRA_REFERENCE_LENGTH, NOMINAL_LENGTH, SageRow, details, split, text
from arxl.ledger.records import Invoice, InvoiceLine, Service, TaxCodeRow

_TAX_CODE = re.compile(r"T?(\d{1,2})")


class Documents:
    """The SI and SC rows of the register's documents."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.ledger = books.ledger
        self.settings = books.settings
        self.services = {s.service_code.strip().upper(): i for i, s in enumerate(self.ledger.services.rows)}
        self.tax_codes: dict[str, list[int]] = {}
        for i, row in enumerate(self.ledger.tax_codes.rows):
            self.tax_codes.setdefault(row.code.strip().upper(), []).append(i)
        self.lines: dict[str, list[int]] = {}
        for j, line in enumerate(self.ledger.invoice_lines.rows):
            self.lines.setdefault(line.invoice_no.strip().upper(), []).append(j)

    def document(self, index: int) -> list[SageRow]:
        table = self.ledger.invoices
        doc = table.rows[index]
        credit = doc.doc_type == "credit_note"
        sign = -1 if credit else 1
        number = reference(doc.invoice_no, table.where(index, "invoice_no"), "number")
        code = self.books.currency(doc.currency, table.where(index, "currency"))
        account = self.books.account(doc.customer_id, code, table.where(index, "customer_id"))
        rate = self.exchange_rate(doc, index, code)
        all_lines = self.ledger.invoice_lines.rows
        lines = sorted(self.lines.get(doc.invoice_no.strip().upper(), []), key=lambda j: all_lines[j].line_no)
        if not lines:
            raise HeldBack(table.where(index, "invoice_no"), "it has no lines in InvoiceLines, so its nominal "
                           "and tax codes are not known")
        groups = self.groups(doc, lines, table.where(index, "vat_amount"))
        if credit:
            details_head = f"Credit note for {doc.original_invoice}" if doc.original_invoice else "Credit note"
            extra = doc.original_invoice
        else:
            details_head, extra = "", doc.po_number or doc.contract_ref
        rows: list[SageRow] = []
        for (tax_code, nominal), (net, tax, descriptions) in groups.items():
            net, tax = sign * net, sign * tax
            if net < 0 or tax < 0:
                raise HeldBack(table.where(index, "net_amount"), f"its lines of tax code {tax_code} on nominal "
                               f"{nominal} add up to a {'debit' if credit else 'credit'} (net {-net}, tax {-tax}); "
                               "Sage imports no negative rows: record it as a separate "
                               f"{'invoice' if credit else 'credit note'}")
            if net == 0 and tax == 0:
                continue
            parts = split(net, tax, code)
            if len(parts[0]) > MAX_SPLIT:
                raise HeldBack(table.where(index, "net_amount"), f"its net {net:,} {code} of tax code {tax_code} "
                               f"would take {len(parts[0]):,} Sage rows of at most {MAX_AMOUNT:,} (more than "
                               f"{MAX_SPLIT}): check the amount")
            shown = details(details_head, descriptions)
            for part_net, part_tax in zip(*parts, strict=True):
                rows.append(SageRow("SC" if credit else "SI", account, nominal, doc.invoice_date, number, shown,
                                    part_net, tax_code, part_tax, code, rate, text(extra, EXTRA_REFERENCE_LENGTH)))
        return rows

    def exchange_rate(self, doc: Invoice, index: int, code: str) -> Decimal:
        """Sage's rate of a document: its own Rate (base per unit on its date) when filled, else the Rates
        sheet's on its date; 1 in the base currency."""
        if code == self.books.base:
            return Decimal(1)
        if doc.rate is not None:
            if doc.rate <= 0:
                raise HeldBack(self.ledger.invoices.where(index, "rate"), "its Rate must be more than zero")
            return sage_rate(doc.rate)
        return self.books.rate(code, doc.invoice_date, self.ledger.invoices.where(index, "currency"))[1]

    def nominal(self, line: InvoiceLine) -> tuple[str, CellRef]:
        index = self.services.get(line.service_code.strip().upper()) if line.service_code else None
        if index is not None:
            service: Service = self.ledger.services.rows[index]
            if service.sage_nominal.strip():
                return service.sage_nominal.strip(), self.ledger.services.where(index, "sage_nominal")
        return self.settings.sage_sales_nominal.strip(), CellRef(self.ledger.book, "Settings")

    def tax_code(self, code: str, on: dt.date, where: CellRef) -> str:
        found = self.tax_codes.get(code.strip().upper())
        if not found:
            raise HeldBack(where, f'tax code "{code}" is not in TaxCodes')
        rows: list[TaxCodeRow] = [self.ledger.tax_codes.rows[i] for i in found]
        in_force = [i for i, row in zip(found, rows, strict=True) if row.effective_from <= on] or found
        index = max(in_force, key=lambda i: self.ledger.tax_codes.rows[i].effective_from)
        sage = self.ledger.tax_codes.rows[index].sage_tax_code.strip().upper()
        match = _TAX_CODE.fullmatch(sage)
        if not match:
            shown = f'"{sage[:10]}"' if sage else "nothing"
            raise HeldBack(self.ledger.tax_codes.where(index, "sage_tax_code"), f"tax code {code} has {shown} as "
                            "its Sage Tax Code; Sage needs T0 to T99")
        return f"T{int(match[1])}"

    def groups(self, doc: Invoice, lines: Sequence[int],
               where: CellRef) -> dict[tuple[str, str], tuple[Decimal, Decimal, list[str]]]:
        """Net, tax and descriptions per (Sage tax code, nominal), adding up to the document exactly."""
        nets: dict[tuple[str, str], Decimal] = {}
        vats: dict[tuple[str, str], Decimal] = {}
        texts: dict[tuple[str, str], list[str]] = {}
        by_rate: dict[tuple[str, Decimal], Decimal] = {}
        for j in lines:
            line = self.ledger.invoice_lines.rows[j]
            nominal, nominal_at = self.nominal(line)
            if not NOMINAL.fullmatch(nominal):
                raise HeldBack(nominal_at, f'the Sage nominal code "{nominal[:20]}" of line {line.line_no} is not '
                                f"1 to {NOMINAL_LENGTH} letters or digits")
            key = (self.tax_code(line.tax_code, doc.invoice_date, self.ledger.invoice_lines.where(j, "tax_code")),
                   nominal)
            nets[key] = nets.get(key, ZERO) + line.net_amount
            vats[key] = vats.get(key, ZERO) + line.vat_amount
            texts.setdefault(key, []).append(line.description)
            rate_key = (key[0], line.vat_rate)
            by_rate[rate_key] = by_rate.get(rate_key, ZERO) + line.net_amount
        net_sum, vat_sum = total(nets.values()), total(vats.values())
        if net_sum != doc.net_amount:
            raise HeldBack(where, f"its lines add up to net {net_sum}, the register says {doc.net_amount}")
        if vat_sum != doc.vat_amount:
            vats = self.refit_vat(doc, nets, by_rate, where)
        return {key: (nets[key], vats[key], texts[key]) for key in nets}

    def refit_vat(self, doc: Invoice, nets: dict[tuple[str, str], Decimal],
                  by_rate: dict[tuple[str, Decimal], Decimal], where: CellRef) -> dict[tuple[str, str], Decimal]:
        """Lines whose VAT does not add up to the document's (VAT rounded once per rate on the invoice): the
        VAT per rate recomputed, then shared over the rows of its tax code by net."""
        code = doc.currency.strip().upper()
        per_code: dict[str, Decimal] = {}
        for (tax_code, rate), net in by_rate.items():
            per_code[tax_code] = per_code.get(tax_code, ZERO) + vat_on_net(net, rate, code)
        if total(per_code.values()) != doc.vat_amount:
            raise HeldBack(where, f"its lines' VAT does not add up to the register's VAT {doc.vat_amount}")
        vats: dict[tuple[str, str], Decimal] = {}
        for tax_code, vat in per_code.items():
            keys = [k for k in nets if k[0] == tax_code]
            weights = [abs(nets[k]) for k in keys]
            if total(weights) == 0:
                weights = [Decimal(1)] * len(keys)
            vats.update(zip(keys, allocate(vat, weights, code), strict=True))
        return vats


