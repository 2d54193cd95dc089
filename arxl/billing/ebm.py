"""EBM receipts: the fiscal side of every sale, reconciled with the invoice register.

Every sale is receipted through an RRA-certified EBM (electronic billing machine); arxl's invoice is the
commercial document, the EBM receipt the fiscal one. The EBM sales report lists the receipts issued; this
module records them in the register's EBM columns (receipt number, SDC ID, MRC, receipt date, type) by
invoice number, and reports what does not agree, as an accountant reconciles the two:

- invoices (and credit notes) of the report's period that have no receipt, in the register or the report;
- receipts whose invoice number is not in the register;
- receipts whose total or VAT differs from the invoice (both figures named, and the register's cell of the
  figure that differs: VAT Amount for the VAT, Total Amount for the total);
- receipts that contradict what the register already holds for that invoice (both named; the register is
  never overwritten, the accountant decides);
- a refund receipt (NR) on an invoice, or a sale receipt (NS) on a credit note: said once, and nothing else
  is said of that receipt (it is not recorded, so its amounts and its number are not the invoice's).

Importing the same report twice changes nothing the second time: a receipt already recorded with the same
data is left alone. Findings are findings, not errors: they are reported, and the import goes on.

**The report (CSV).** A header row, then one receipt per row; a few title lines above the header are skipped.
Columns are found by their header, ignoring case, spaces and punctuation, in any order, with these spellings:

========================  ==========================================================================
column                    accepted headers (any of)
========================  ==========================================================================
invoice number            Invoice No, Invoice Number, Invoice, Invoice Ref, Reference, Ref No, ...
receipt number            Receipt No, Receipt Number, Receipt, Rcpt No, EBM Receipt No
SDC ID                    SDC ID, SDC, SDC No (optional)
MRC                       MRC, MRC No, Machine Registration Code (optional)
receipt date              Receipt Date, Date, Date Time, Receipt Date Time: dd/mm/yyyy or ISO yyyy-mm-dd,
                          with or without a time of day
receipt type              Receipt Type, Type, Rcpt Type: NS (normal sale) or NR (normal refund); copies,
                          training and proforma receipts (CS, CR, TS, TR, PS) are not fiscal sales and are
                          skipped with a warning. Optional: without it a negative total is a refund.
total amount              Total Amount, Total, Amount, Total Incl VAT, Gross Amount
VAT amount                VAT Amount, VAT, Tax Amount, Tax, Total VAT
currency                  Currency, Ccy (optional; the Settings base currency when absent)
========================  ==========================================================================

Amounts may carry thousands separators ("1,180,000") and go through :func:`arxl.core.money.to_decimal`.

**Invoices in another currency.** An EBM receipt is in RWF (the base currency) even for a USD invoice: the
seller enters the prices at the day's rate. Such a receipt is compared with the invoice's figures converted at
the rate of the invoice date, from the workbook's Rates sheet (Date, Currency, Rate, Source: BNR's official
rate of each working day; IAS 21 records a foreign-currency sale at the rate of its date). An invoice dated on
a weekend or a holiday takes the last rate published before it, up to :data:`RATE_DAYS` days before; with no
rate that recent the receipt is not compared, and a finding says so for that invoice (with the rate the
receipt itself implies); an invoice arxl generated carries that rate in its own Rate column. The conversion
cannot agree to the franc: the invoice's figures are rounded to the cent
(half a cent is worth rate/200 RWF) and the EBM rounds each line to the franc, so a difference up to
:func:`rounding_allowance` (``lines x (1 RWF + rate x half a cent)``, rounded up) is no difference. The rate
used is reported for every receipt compared that way.

>>> receipts, problems = parse_ebm_csv(
...     "Invoice No,Receipt No,SDC ID,MRC,Receipt Date,Receipt Type,Total Amount,VAT Amount\\n"
...     'INV-2025-00001,20418/20418NS,SDC010012345,WIS01012345,01/06/2025 09:14,NS,"708,000","108,000"\\n',
...     "ebm.csv")
>>> receipts[0].receipt_no, receipts[0].date, receipts[0].total, problems
('20418/20418NS', datetime.date(2025, 6, 1), Decimal('708000'), [])
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from functools import cache
from typing import TypeVar

from arxl.core.dates import to_date
from arxl.core.errors import BadValue, CellRef, Problem
from arxl.core.money import figure, is_currency, not_a_currency, round_money, to_decimal, unit
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import RATE_DAYS, Ledger
from arxl.ledger.port import column_letter
from arxl.ledger.records import Invoice, header_key

MAX_ROWS = 200_000
MAX_TEXT = 60
"""A rate published up to this many days before an invoice date is its rate (a weekend, Easter's four days)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice_no": ("Invoice No", "Invoice Number", "Invoice", "Invoice Ref", "Invoice Reference", "Reference",
                   "Reference No", "Reference Number", "Ref", "Ref No", "Document No", "Customer Invoice No"),
    "receipt_no": ("Receipt No", "Receipt Number", "Receipt", "Rcpt No", "Receipt Num", "EBM Receipt No",
                   "Receipt ID"),
    "sdc_id": ("SDC ID", "SDC", "SDC No", "SDC Number"),
    "mrc": ("MRC", "MRC No", "MRC Number", "Machine Registration Code"),
    "date": ("Receipt Date", "Receipt Date Time", "Receipt Datetime", "Date", "Date Time", "Datetime",
             "Sale Date", "Issue Date"),
    "receipt_type": ("Receipt Type", "Type", "Rcpt Type", "Receipt Label"),
    "total": ("Total Amount", "Total", "Amount", "Total Incl VAT", "Amount Incl VAT", "Total Amount Incl VAT",
              "Gross Amount", "Total Sales"),
    "vat": ("VAT Amount", "VAT", "Tax Amount", "Tax", "Total VAT", "Total Tax"),
    "currency": ("Currency", "Ccy"),
}
T = TypeVar("T")
REQUIRED = ("invoice_no", "receipt_no", "date", "total", "vat")
_TYPES = {"ns": "NS", "nr": "NR", "normalsale": "NS", "normalrefund": "NR", "sale": "NS", "refund": "NR"}
_NOT_FISCAL = {"cs", "cr", "ts", "tr", "ps", "pr", "copysale", "copyrefund", "trainingsale", "trainingrefund",
               "proforma", "proformasale"}
_TIME = re.compile(r"(\S+)[ T]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?")


@dataclass(frozen=True, slots=True)
class EbmReceipt:
    """One receipt of the EBM sales report, with the row it came from."""

    invoice_no: str
    receipt_no: str
    sdc_id: str
    mrc: str
    date: dt.date
    receipt_type: str  # NS or NR
    total: Decimal
    vat: Decimal
    currency: str  # empty: the base currency
    where: CellRef


@dataclass(slots=True)
class EbmImport:
    """What importing a report does: the register updates, and what the accountant has to look at."""

    changes: ChangeSet = field(default_factory=ChangeSet)
    findings: list[Problem] = field(default_factory=list)
    recorded: int = 0  # receipts written into the register by this import
    unchanged: int = 0  # receipts the register already held, same data
    not_compared: int = 0  # receipts in another currency than their invoice, with no rate to compare them
    converted: list[Conversion] = field(default_factory=list)  # receipts compared at the rate of their invoice
    period: tuple[dt.date, dt.date] | None = None

    def rates_used(self) -> list[str]:
        """One line per rate used to compare receipts: the rate, its source, date and cell, and the invoices."""
        invoices: dict[tuple[str, Decimal, dt.date, str, str], list[str]] = {}
        for c in self.converted:
            invoices.setdefault((c.currency, c.rate, c.rate_date, c.source, c.where), []).append(c.invoice_no)
        return [f"{code} at {rate:,} {self.base} ({source or 'no source given'}, {day:%d/%m/%Y}, {where}): "
                f"{', '.join(numbers)}" for (code, rate, day, source, where), numbers in invoices.items()]

    @property
    def base(self) -> str:
        return self.converted[0].base if self.converted else ""


@dataclass(frozen=True, slots=True)
class Conversion:
    """A receipt in the base currency compared with an invoice in another, and the rate used."""

    invoice_no: str
    currency: str
    base: str
    rate: Decimal
    rate_date: dt.date
    source: str
    where: str  # the rate's cell, Rates!C12


@cache
def _column_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for name, spellings in COLUMNS.items():
        for spelling in spellings:
            keys.setdefault(header_key(spelling), name)
    return keys


def _header_name(text: str) -> str:
    """"Total Amount (RWF)" is "Total Amount": a currency in the header is dropped."""
    key = header_key(text)
    if len(key) > 3 and is_currency(key[-3:].upper()) and _column_keys().get(key[:-3]):
        return key[:-3]
    return key


def _find_header(rows: list[list[str]], source: str) -> tuple[int, dict[str, int]]:
    keys = _column_keys()
    for number, row in enumerate(rows[:10]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            name = keys.get(_header_name(cell))
            if name and name not in found:
                found[name] = j
        if all(name in found for name in REQUIRED):
            return number, found
    first = next((r for r in rows if any(c.strip() for c in r)), [])
    shown = ", ".join(c.strip()[:30] for c in first[:12] if c.strip()) or "nothing"
    wanted = ", ".join(COLUMNS[name][0] for name in REQUIRED)
    raise BadValue(f"is not an EBM sales report: its header needs the columns {wanted} (and optionally SDC ID, "
                   f"MRC, Receipt Type); found {shown}", CellRef(source))


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:10])
    counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _date(text: str, what: str) -> dt.date:
    value = text.strip()
    match = _TIME.fullmatch(value)
    return to_date(match[1] if match else value, what)


def parse_ebm_csv(text: str, source: str) -> tuple[list[EbmReceipt], list[Problem]]:
    """The receipts of an EBM sales report, and a problem per row that cannot be read (that row left out).

    Raises :class:`~arxl.core.errors.BadValue` when the text is not an EBM sales report at all.
    """
    if "\x00" in text:
        raise BadValue("is not a text (CSV) file", CellRef(source))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise BadValue(f"cannot be read as CSV ({exc})", CellRef(source)) from None
    if len(rows) > MAX_ROWS:
        raise BadValue(f"has {len(rows):,} rows, more than the {MAX_ROWS:,} an EBM report of a year could have",
                       CellRef(source))
    top, found = _find_header(rows, source)
    sheet = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]  # as Excel names the sheet of a CSV it opens
    receipts: list[EbmReceipt] = []
    problems: list[Problem] = []
    for offset, row in enumerate(rows[top + 1:], start=top + 2):
        if not any(text.strip() for text in row):
            continue
        cells = {name: row[j].strip() if j < len(row) else "" for name, j in found.items()}

        def where(name: str, offset: int = offset) -> CellRef:
            return CellRef(source, sheet, f"{column_letter(found.get(name, 0) + 1)}{offset}")

        try:
            receipt = _receipt(cells, where("receipt_no"))
        except _RowError as exc:
            problems.append(Problem(where(exc.column), exc.message, exc.severity))
            continue
        receipts.append(receipt)
    return receipts, problems


def _receipt(cells: dict[str, str], where: CellRef) -> EbmReceipt:
    def cell(name: str) -> str:
        return cells.get(name, "")

    for name in ("invoice_no", "receipt_no", "sdc_id", "mrc", "currency"):
        if len(cell(name)) > MAX_TEXT:
            raise _RowError(name, f"{COLUMNS[name][0]} is longer than {MAX_TEXT} characters")
    if not cell("receipt_no"):
        raise _RowError("receipt_no", "receipt number is empty")
    total = _field(lambda: to_decimal(cell("total"), "total amount"), "total")
    vat = _field(lambda: to_decimal(cell("vat"), "VAT amount"), "vat")
    date = _field(lambda: _date(cell("date"), "receipt date"), "date")
    kind = header_key(cell("receipt_type"))
    if kind in _NOT_FISCAL:
        raise _RowError("receipt_type", f"receipt {cell('receipt_no')} is of type {cell('receipt_type')}, not a "
                        "normal sale or refund: left out", "warning")
    if kind and kind not in _TYPES:
        raise _RowError("receipt_type", f'receipt type "{cell("receipt_type")[:20]}" is not NS (normal sale) or NR '
                        "(normal refund)")
    receipt_type = _TYPES[kind] if kind else ("NR" if total < 0 else "NS")
    code = cell("currency").upper()
    if code and not is_currency(code):
        raise _RowError("currency", not_a_currency(code))
    return EbmReceipt(cell("invoice_no"), cell("receipt_no"), cell("sdc_id"), cell("mrc"), date, receipt_type,
                      total, vat, code, where)


class _RowError(Exception):
    def __init__(self, column: str, message: str, severity: str = "error") -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.severity = severity


def _field(read: Callable[[], T], column: str) -> T:
    try:
        return read()
    except BadValue as exc:
        raise _RowError(column, exc.message) from None


def _key(text: str) -> str:
    return "".join(text.split()).upper()


def import_ebm(ledger: Ledger, receipts: Sequence[EbmReceipt], *,
               period: tuple[dt.date, dt.date] | None = None) -> EbmImport:
    """Record the report's receipts in the register and reconcile the two (see the module's docstring).

    ``period`` is the span of invoice dates checked for missing receipts; by default the first to the last
    receipt date of the report.
    """
    result = EbmImport()
    table = ledger.invoices
    by_number = {_key(row.invoice_no): i for i, row in enumerate(table.rows)}
    on_register = {_key(row.ebm_receipt_no): i for i, row in enumerate(table.rows) if row.ebm_receipt_no}
    compare = _Comparison(ledger, result)
    given: dict[int, EbmReceipt] = {}
    seen: dict[str, EbmReceipt] = {}
    for receipt in receipts:
        number = _key(receipt.receipt_no)
        if number in seen:
            if _same_receipt(seen[number], receipt):
                continue
            result.findings.append(Problem(receipt.where, f"receipt {receipt.receipt_no} appears twice in the "
                                           f"report with different data (first at {seen[number].where.cell})",
                                           "warning"))
            continue
        seen[number] = receipt
        index = by_number.get(_key(receipt.invoice_no)) if receipt.invoice_no else None
        if index is None:
            reference = f'invoice "{receipt.invoice_no}", which is not in the register' if receipt.invoice_no \
                else "no invoice number"
            amount = figure(receipt.total, receipt.currency or compare.base, with_code=True)
            result.findings.append(Problem(receipt.where, f"receipt {receipt.receipt_no} of "
                                           f"{receipt.date:%d/%m/%Y} ({amount}) has {reference}", "warning"))
            continue
        document = table.rows[index]
        if _wrong_kind(receipt, document):
            # said once: a refund on the invoice it corrects is neither the invoice's receipt (already there, or
            # still to come) nor a second receipt of it, and its amount is the refund's, not the invoice's
            result.findings.append(_kind_finding(receipt, document, table.rows))
            continue
        holder = on_register.get(number)
        if holder is not None and holder != index:
            result.findings.append(Problem(receipt.where, f"receipt {receipt.receipt_no} is for "
                                           f"{document.invoice_no} in the report but is already recorded on "
                                           f"{table.rows[holder].invoice_no} ({table.where(holder, 'ebm_receipt_no')})",
                                           "warning"))
            continue
        if document.ebm_receipt_no:
            if _recorded_as(document) == _data(receipt):
                result.unchanged += 1
            else:
                result.findings.append(Problem(receipt.where, f"{document.invoice_no} already has EBM receipt "
                                               f"{_shown(_recorded_as(document))} in the register "
                                               f"({table.where(index, 'ebm_receipt_no')}); the report says "
                                               f"{_shown(_data(receipt))}: left as it was", "warning"))
            compare(receipt, index)
            continue
        if index in given:
            result.findings.append(Problem(receipt.where, f"{document.invoice_no} has two receipts in the report, "
                                           f"{given[index].receipt_no} and {receipt.receipt_no}; only the first "
                                           "was recorded", "warning"))
            continue
        given[index] = receipt
        row = table.row_numbers[index]
        for name, value in (("ebm_receipt_no", receipt.receipt_no), ("ebm_sdc_id", receipt.sdc_id),
                            ("ebm_mrc", receipt.mrc), ("ebm_date", receipt.date),
                            ("ebm_receipt_type", receipt.receipt_type)):
            result.changes.update("Invoices", row, name, value)
        result.recorded += 1
        compare(receipt, index)
    if period is None and receipts:
        period = (min(r.date for r in receipts), max(r.date for r in receipts))
    result.period = period
    if period is not None:
        for i, document in enumerate(table.rows):
            if (period[0] <= document.invoice_date <= period[1] and document.status != "cancelled"
                    and not document.ebm_receipt_no and i not in given):
                what = "credit note" if document.doc_type == "credit_note" else "invoice"
                total = figure(document.total_amount, document.currency, with_code=True)
                result.findings.append(Problem(table.where(i, "ebm_receipt_no"), f"{what} {document.invoice_no} of "
                                               f"{document.invoice_date:%d/%m/%Y} ({total}) has no EBM "
                                               "receipt, in the register or the report", "warning"))
    return result


def rounding_allowance(rate: Decimal, lines: int, currency: str, base: str) -> Decimal:
    """How far a receipt in ``base`` may be from an invoice in ``currency`` converted at ``rate``: per line, the
    franc the EBM rounds to and the half-cent the invoice's figures were rounded to, at the rate; rounded up.

    >>> rounding_allowance(Decimal("1440"), 1, "USD", "RWF"), rounding_allowance(Decimal("1440"), 3, "USD", "RWF")
    (Decimal('9'), Decimal('25'))
    """
    per_line = unit(base) + rate * unit(currency) / 2
    return (max(lines, 1) * per_line).quantize(unit(base), rounding=ROUND_CEILING)


def _data(receipt: EbmReceipt) -> tuple[str, str, str, dt.date | None, str]:
    return (receipt.receipt_no.strip(), receipt.sdc_id.strip(), receipt.mrc.strip(), receipt.date,
            receipt.receipt_type)


def _recorded_as(document: Invoice) -> tuple[str, str, str, dt.date | None, str]:
    return (document.ebm_receipt_no.strip(), document.ebm_sdc_id.strip(), document.ebm_mrc.strip(),
            document.ebm_date, document.ebm_receipt_type.strip().upper())


def _shown(data: tuple[str, str, str, dt.date | None, str]) -> str:
    number, sdc, mrc, date, kind = data
    when = f"{date:%d/%m/%Y}" if date else "no date"
    return f"{number} ({kind or 'no type'}, SDC {sdc or '-'}, MRC {mrc or '-'}, {when})"


def _same_receipt(first: EbmReceipt, second: EbmReceipt) -> bool:
    return (_data(first), _key(first.invoice_no), first.total, first.vat) == \
        (_data(second), _key(second.invoice_no), second.total, second.vat)


def _wrong_kind(receipt: EbmReceipt, document: Invoice) -> bool:
    expected = "NR" if document.doc_type == "credit_note" else "NS"
    return receipt.receipt_type != expected


def _kind_finding(receipt: EbmReceipt, document: Invoice, documents: Sequence[Invoice]) -> Problem:
    if document.doc_type == "credit_note":
        message = f"receipt {receipt.receipt_no} is a sale (NS) but {document.invoice_no} is a credit note, " \
                  "which needs a refund receipt (NR): not recorded"
    else:
        notes = [d.invoice_no for d in documents if d.doc_type == "credit_note"
                 and _key(d.original_invoice) == _key(document.invoice_no) and d.status != "cancelled"]
        which = f" ({', '.join(notes)})" if notes else " (it has none yet in the register)"
        message = f"receipt {receipt.receipt_no} is a refund (NR) but {document.invoice_no} is an invoice; a refund " \
                  f"belongs to the credit note that corrects it{which}: not recorded"
    return Problem(receipt.where, message, "warning")


class _Comparison:
    """Compares a receipt's total and VAT with its invoice's, converting at the rate of the invoice date when
    the receipt is in the base currency and the invoice is not."""

    def __init__(self, ledger: Ledger, result: EbmImport) -> None:
        self.table = ledger.invoices
        self.result = result
        self.base = ledger.settings.base_currency or "RWF"
        self.lines = Counter(_key(line.invoice_no) for line in ledger.invoice_lines)
        self.rates = ledger.day_rates()

    def rate(self, currency: str, day: dt.date) -> tuple[Decimal, dt.date, str, str] | None:
        """The rate of the day, or the last one published up to RATE_DAYS days before: rate, its date, source
        and cell."""
        found = self.rates.on(currency, day)
        if found is None:
            return None
        return found.rate, found.published, found.source, f"{found.where.sheet}!{found.where.cell}"

    def __call__(self, receipt: EbmReceipt, index: int) -> None:
        document = self.table.rows[index]
        code = receipt.currency or self.base
        figures = (("total", receipt.total, document.total_amount, "total_amount"),
                   ("VAT", receipt.vat, document.vat_amount, "vat_amount"))
        if code == document.currency:
            for what, ebm, ours, column in figures:
                if abs(ebm) != abs(ours):
                    cell = self.table.where(index, column)
                    self.result.findings.append(Problem(
                        receipt.where, f"EBM receipt {receipt.receipt_no} {what} "
                                       f"{figure(abs(ebm), code, with_code=True)} differs from "
                        f"{document.invoice_no} {what} {figure(abs(ours), code, with_code=True)} "
                        f"({cell.sheet}!{cell.cell}): "
                        f"difference {figure(abs(ebm) - abs(ours), code, with_code=True)}", "warning"))
            return
        found = self.rate(document.currency, document.invoice_date) if code == self.base else None
        if found is None:
            self.result.not_compared += 1
            if code != self.base:
                why = f"the receipt is in {code} and the invoice in {document.currency}: amounts not compared"
            else:
                implied = f"; the receipt implies {abs(receipt.total) / abs(document.total_amount):,.2f} " \
                          f"{code} per {document.currency}" if document.total_amount else ""
                why = (f"the Rates sheet has no {document.currency} rate of {document.invoice_date:%d/%m/%Y} (nor of "
                       f"the {RATE_DAYS} days before), the invoice's date: amounts not compared{implied}")
            theirs = figure(abs(receipt.total), code, with_code=True)
            ours_shown = figure(abs(document.total_amount), document.currency, with_code=True)
            self.result.findings.append(Problem(receipt.where, f"EBM receipt {receipt.receipt_no} ({theirs}) of "
                                                f"{document.invoice_no} ({ours_shown}): {why}", "warning"))
            return
        rate, published, source, rate_cell = found
        self.result.converted.append(Conversion(document.invoice_no, document.currency, code, rate, published,
                                                source, rate_cell))
        allowance = rounding_allowance(rate, self.lines[_key(document.invoice_no)], document.currency, code)
        for what, ebm, ours, column in figures:
            converted = round_money(abs(ours) * rate, code)
            if abs(abs(ebm) - converted) > allowance:
                cell = self.table.where(index, column)
                self.result.findings.append(Problem(
                    receipt.where, f"EBM receipt {receipt.receipt_no} {what} "
                                   f"{figure(abs(ebm), code, with_code=True)} differs from "
                    f"{document.invoice_no} {what} {figure(abs(ours), document.currency, with_code=True)} "
                    f"({cell.sheet}!{cell.cell}) "
                    f"at {rate:,} {code} per {document.currency} ({source or 'no source given'}, "
                    f"{published:%d/%m/%Y}, {rate_cell}) = {figure(converted, code, with_code=True)}: difference "
                    f"{figure(abs(ebm) - converted, code, with_code=True)}, more than the "
                    f"{figure(allowance, code, with_code=True)} the conversion's "
                    "rounding allows", "warning"))
