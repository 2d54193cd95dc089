"""EBM receipts: the fiscal side of every sale, reconciled with the invoice register.

Every sale is receipted through an RRA-certified EBM (electronic billing machine); arxl's invoice is the
commercial document, the EBM receipt the fiscal one. The EBM sales report lists the receipts issued; this
module records them in the register's EBM columns (receipt number, SDC ID, MRC, receipt date, type) by
invoice number, and reports what does not agree, as an accountant reconciles the two:

- invoices (and credit notes) of the report's period that have no receipt, in the register or the report;
- receipts whose invoice number is not in the register;
- receipts whose total or VAT differs from the invoice (both figures named);
- receipts that contradict what the register already holds for that invoice (both named; the register is
  never overwritten, the accountant decides);
- a refund receipt (NR) on an invoice, or a sale receipt (NS) on a credit note.

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
Amounts are compared when the receipt and the invoice are in the same currency; an EBM receipt of a USD
invoice is usually issued in RWF at the day's rate, and is not compared (it is counted as not compared).

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TypeVar

from arxl.book.changes import ChangeSet
from arxl.book.ledger import Ledger
from arxl.book.port import column_letter
from arxl.book.schema import Invoice, header_key
from arxl.core.dates import to_date
from arxl.core.money import CURRENCIES, to_decimal
from arxl.errors import BadValue, CellRef, Problem

MAX_ROWS = 200_000
MAX_TEXT = 60

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
    not_compared: int = 0  # receipts in another currency than their invoice (amounts not compared)
    period: tuple[dt.date, dt.date] | None = None


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
    for code in CURRENCIES:
        low = code.lower()
        if key.endswith(low) and len(key) > len(low) and _column_keys().get(key[: -len(low)]):
            return key[: -len(low)]
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

    Raises :class:`~arxl.errors.BadValue` when the text is not an EBM sales report at all.
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
    if code and code not in CURRENCIES:
        raise _RowError("currency", f'currency "{code[:10]}" is not one of {", ".join(CURRENCIES)}')
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


def _money(amount: Decimal, code: str) -> str:
    places = CURRENCIES[code].exponent if code in CURRENCIES else 2
    return f"{amount:,.{places}f} {code}"


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
    base = ledger.settings.base_currency
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
            result.findings.append(Problem(receipt.where, f"receipt {receipt.receipt_no} of "
                                           f"{receipt.date:%d/%m/%Y} ({_money(receipt.total, receipt.currency or base)}"
                                           f") has {reference}", "warning"))
            continue
        document = table.rows[index]
        result.findings.extend(_check_kind(receipt, document))
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
            _compare(result, receipt, document, table.where(index, "total_amount"), base)
            continue
        if index in given:
            result.findings.append(Problem(receipt.where, f"{document.invoice_no} has two receipts in the report, "
                                           f"{given[index].receipt_no} and {receipt.receipt_no}; only the first "
                                           "was recorded", "warning"))
            continue
        if _wrong_kind(receipt, document):
            continue
        given[index] = receipt
        row = table.row_numbers[index]
        for name, value in (("ebm_receipt_no", receipt.receipt_no), ("ebm_sdc_id", receipt.sdc_id),
                            ("ebm_mrc", receipt.mrc), ("ebm_date", receipt.date),
                            ("ebm_receipt_type", receipt.receipt_type)):
            result.changes.update("Invoices", row, name, value)
        result.recorded += 1
        _compare(result, receipt, document, table.where(index, "total_amount"), base)
    if period is None and receipts:
        period = (min(r.date for r in receipts), max(r.date for r in receipts))
    result.period = period
    if period is not None:
        for i, document in enumerate(table.rows):
            if (period[0] <= document.invoice_date <= period[1] and document.status != "cancelled"
                    and not document.ebm_receipt_no and i not in given):
                what = "credit note" if document.doc_type == "credit_note" else "invoice"
                result.findings.append(Problem(table.where(i, "ebm_receipt_no"), f"{what} {document.invoice_no} of "
                                               f"{document.invoice_date:%d/%m/%Y} "
                                               f"({_money(document.total_amount, document.currency)}) has no EBM "
                                               "receipt, in the register or the report", "warning"))
    return result


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


def _check_kind(receipt: EbmReceipt, document: Invoice) -> list[Problem]:
    if not _wrong_kind(receipt, document):
        return []
    if document.doc_type == "credit_note":
        message = f"receipt {receipt.receipt_no} is a sale (NS) but {document.invoice_no} is a credit note, " \
                  "which needs a refund receipt (NR): not recorded"
    else:
        message = f"receipt {receipt.receipt_no} is a refund (NR) but {document.invoice_no} is an invoice; a refund " \
                  "belongs to the credit note that corrects it: not recorded"
    return [Problem(receipt.where, message, "warning")]


def _compare(result: EbmImport, receipt: EbmReceipt, document: Invoice, cell: CellRef, base: str) -> None:
    code = receipt.currency or base
    if code != document.currency:
        result.not_compared += 1
        return
    for what, ebm, ours in (("total", receipt.total, document.total_amount),
                            ("VAT", receipt.vat, document.vat_amount)):
        if abs(ebm) != abs(ours):
            result.findings.append(Problem(receipt.where, f"EBM receipt {receipt.receipt_no} {what} "
                                           f"{_money(abs(ebm), code)} differs from {document.invoice_no} {what} "
                                           f"{_money(abs(ours), code)} ({cell.sheet}!{cell.cell}): difference "
                                           f"{_money(abs(ebm) - abs(ours), code)}", "warning"))
