"""Invoices and credit notes as SI and SC rows: one per (Sage tax code, nominal) of the document, split
under Sage's amount limit, in the document's currency at the rate of its date (see :mod:`arxl.formats.sage`).
Which rows a document becomes is :mod:`arxl.ledger.sage_parts`' rule (the same one arxl's carried values of
foreign documents follow); here each is checked as Sage reads it and a document Sage would refuse is held back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from arxl.core.errors import CellRef
from arxl.core.fx import sage_rate
from arxl.core.sage_limits import MAX_AMOUNT, MAX_SPLIT
from arxl.formats.sage.common import NOMINAL, Books, HeldBack, reference
from arxl.formats.sage.csvfile import EXTRA_REFERENCE_LENGTH, NOMINAL_LENGTH, SageRow, details, split, text
from arxl.ledger.records import Invoice, InvoiceLine
from arxl.ledger.sage_parts import Group, SageParts, sage_tax_code


class Documents:
    """The SI and SC rows of the register's documents."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.ledger = books.ledger
        self.settings = books.settings
        self.parts = SageParts.of(self.ledger)

    def document(self, index: int) -> list[SageRow]:
        table = self.ledger.invoices
        doc = table.rows[index]
        credit = doc.doc_type == "credit_note"
        sign = -1 if credit else 1
        number = reference(doc.invoice_no, table.where(index, "invoice_no"), "number")
        code = self.books.currency(doc.currency, table.where(index, "currency"))
        account = self.books.account(doc.customer_id, code, table.where(index, "customer_id"))
        rate = self.exchange_rate(doc, index, code)
        lines = self.parts.lines(doc)
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
        for group in groups:
            tax_code, nominal = group.tax_code, group.nominal
            net, tax = sign * group.net, sign * group.tax
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
            shown = details(details_head, list(group.descriptions))
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
        index = self.parts.service(line)
        if index is not None:
            return self.parts.nominal(line), self.ledger.services.where(index, "sage_nominal")
        return self.parts.nominal(line), CellRef(self.ledger.book, "Settings")

    def tax_code(self, code: str, on: dt.date, where: CellRef) -> str:
        index = self.parts.tax_code_row(code, on)
        if index is None:
            raise HeldBack(where, f'tax code "{code}" is not in TaxCodes')
        row = self.ledger.tax_codes.rows[index]
        found = sage_tax_code(row)
        if found is None:
            sage = row.sage_tax_code.strip().upper()
            shown = f'"{sage[:10]}"' if sage else "nothing"
            raise HeldBack(self.ledger.tax_codes.where(index, "sage_tax_code"), f"tax code {code} has {shown} as "
                            "its Sage Tax Code; Sage needs T0 to T99")
        return found

    def groups(self, doc: Invoice, lines: Sequence[int], where: CellRef) -> list[Group]:
        """The document's (Sage tax code, nominal) groups (:meth:`SageParts.grouping`), adding up to the
        document exactly, each line's nominal and tax code checked first."""
        for j in lines:
            line = self.ledger.invoice_lines.rows[j]
            nominal, nominal_at = self.nominal(line)
            if not NOMINAL.fullmatch(nominal):
                raise HeldBack(nominal_at, f'the Sage nominal code "{nominal[:20]}" of line {line.line_no} is not '
                                f"1 to {NOMINAL_LENGTH} letters or digits")
            self.tax_code(line.tax_code, doc.invoice_date, self.ledger.invoice_lines.where(j, "tax_code"))
        grouping = self.parts.grouping(doc, lines)
        if grouping.lines_net != doc.net_amount:
            raise HeldBack(where, f"its lines add up to net {grouping.lines_net}, the register says {doc.net_amount}")
        if not grouping.vat_fits:
            raise HeldBack(where, f"its lines' VAT does not add up to the register's VAT {doc.vat_amount}")
        return grouping.groups
