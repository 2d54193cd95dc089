"""A customer's remittance advice in (CSV, XLSX or PDF), an :class:`arxl.ledger.remittance.Advice` out; what it
pays is worked out in :mod:`arxl.cashapp.remittance`.

The file comes from outside and is read as a bank statement is: size limits, a workbook only after the safety
check of :mod:`arxl.formats.xlsx.safety`, text decoded as UTF-8 or Windows-1252. A PDF is read through
`pypdf <https://pypdf.readthedocs.io>`_'s layout text (the characters where the page puts them), which is what
an ERP's generated advice is: a header block, a table, a total. A scanned PDF has no text and is refused.

**The table** is found by its header row (in a PDF, its header line) by the names of its columns, case, spaces
and punctuation ignored (:data:`COLUMNS`): an invoice column and a paid column are required; the deduction
columns are optional and each becomes a deduction of its type (VAT withheld, WHT, bank charges, discount; any
other deduction keeps the text of a Reason column). **The header block** above it gives ``Label: value`` pairs
(or a label and the next cell): payer, customer id, payment date, currency, payment reference, total. A row
starting "Total" below the table gives the total when the block did not. Dates are day first.

Every refusal names the file and the cell (``[advice.xlsx]Advice!D9``), the CSV line and column, or the PDF's
page and line.

>>> advice = read_advice_text("Payer: RRA\\nInvoice,Paid,WHT\\nINV-2025-00042,\\"1,000\\",30\\n", "ra.csv")
>>> advice.payer, advice.lines[0].invoice, advice.lines[0].paid, advice.lines[0].deductions[0].kind
('RRA', 'INV-2025-00042', Decimal('1000'), 'wht')
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import cast

from arxl.core.errors import ArxlError, BadValue
from arxl.core.money import CURRENCIES
from arxl.core.money import currency as known_currency
from arxl.core.withholding import DeductionType
from arxl.formats.statements.model import DEFAULT_LIMITS, BadStatement, Limits
from arxl.formats.statements.strict_csv import DELIMITERS, csv_rows, first_lines
from arxl.formats.statements.text import decode, looks_like_xml, read_bytes
from arxl.formats.statements.values import cell_text, parse_date, parse_number
from arxl.formats.xlsx.grids import grid_place, sheet_grids
from arxl.formats.xlsx.safety import OLE_MAGIC, inspect_xlsx
from arxl.ledger.records import header_key
from arxl.ledger.remittance import Advice, AdviceDeduction, AdviceLine

__all__ = ["COLUMNS", "read_advice", "read_advice_text"]

HEADER_SCAN_ROWS = 40
COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice": ("Invoice", "Invoice No", "Invoice Number", "Inv No", "Invoice Ref", "Document", "Document No",
                "Doc No", "Your Ref", "Your Reference", "Supplier Invoice", "Supplier Invoice No", "Reference"),
    "paid": ("Amount Paid", "Paid Amount", "Net Paid", "Net Payment", "Net Amount", "Paid", "Payment Amount",
             "Payment", "Net", "Amount"),
    "vat_withheld": ("VAT Withheld", "VAT WH", "Withholding VAT", "WH VAT", "VAT Withholding", "Withheld VAT"),
    "wht": ("WHT", "Withholding", "Withholding Tax", "WHT Amount", "WHT 3%", "WHT 15%", "Tax Withheld",
            "Income Tax Withheld"),
    "bank_charges": ("Charges", "Bank Charges", "Bank Charge", "Bank Fees", "Fees", "Transfer Charges"),
    "discount": ("Discount", "Early Payment Discount"),
    "other": ("Other Deduction", "Other Deductions", "Deduction", "Deductions", "Short Paid", "Disputed",
              "Adjustment"),
    "reason": ("Reason", "Deduction Reason", "Remarks", "Comment", "Comments", "Note", "Notes"),
    "currency": ("Currency", "Ccy", "Curr"),
}
"""The headers accepted for each column of the table, in order of preference when a file has several."""
DEDUCTIONS: dict[str, DeductionType] = {"vat_withheld": "vat_withheld", "wht": "wht", "bank_charges": "bank_charges",
                                        "discount": "discount", "other": ""}
_KEYS = {role: {header_key(name): rank for rank, name in enumerate(names)} for role, names in COLUMNS.items()}
LABELS: dict[str, tuple[str, ...]] = {
    "payer": ("payer", "paidby", "payername", "from", "customer", "customername", "client", "remitter"),
    "customer_id": ("customerid", "customerno", "customercode", "clientid", "ourcustomerid", "accountno"),
    "payment_date": ("paymentdate", "dateofpayment", "datepaid", "valuedate", "paymentvaluedate", "date"),
    "currency": ("currency", "ccy", "paymentcurrency"),
    "reference": ("paymentreference", "paymentref", "bankreference", "transactionreference", "reference", "ref",
                  "transferreference"),
    "total": ("total", "totalpaid", "totalamount", "paymentamount", "amountpaid", "totalpayment", "grandtotal"),
}
"""The labels of the header block (as header keys: ``Payment date:`` is ``paymentdate``)."""
_LABEL_OF = {key: field for field, keys in LABELS.items() for key in keys}
_ZIP = b"PK\x03\x04"
_TOTAL = re.compile(r"^\s*(grand\s+)?totals?\b", re.IGNORECASE)
_NUMBER = re.compile(r"\(?[-+]?[0-9][0-9,]*(?:\.[0-9]+)?\)?-?")
_SEGMENT = re.compile(r"\S+(?: \S+)*")  # a PDF line's text runs, split where two spaces or more part them

Where = Callable[[int, int | None], str]


def read_advice(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> Advice:
    """The remittance advice in a CSV, XLSX or PDF file."""
    path = Path(path)
    where = f"[{path.name}]"
    try:
        data = read_bytes(path, limits)
    except BadStatement as error:
        raise BadValue(error.message, where) from None
    if data.startswith(b"%PDF"):
        return _read_pdf(path)
    if data.startswith(_ZIP):
        return _read_xlsx(path)
    if data.startswith(OLE_MAGIC):
        raise BadValue("is an old Excel .xls (or password-protected) workbook: save it as .xlsx or CSV", where)
    if looks_like_xml(data):
        raise BadValue("is an XML file, not a remittance advice in CSV, XLSX or PDF", where)
    try:
        text = decode(data, path.name, ("cp1252",), limits)
    except BadStatement as error:
        raise BadValue(error.message, where) from None
    return read_advice_text(text, path.name)


def read_advice_text(text: str, name: str) -> Advice:
    """The advice in a CSV file's text (decoded and checked)."""
    for delimiter in DELIMITERS:
        head, _ = csv_rows(first_lines(text, HEADER_SCAN_ROWS + 5), delimiter, name)
        if _header(head) is None:
            continue
        try:
            rows, numbers = csv_rows(text, delimiter, name)
        except BadStatement as error:
            raise BadValue(error.message, f"[{name}]") from None
        found = _header(rows)
        assert found is not None
        headers = rows[found[0]]

        def where(index: int, column: int | None, numbers: list[int] = numbers, headers: list[object] = headers,
                  top: int = found[0]) -> str:
            if column is not None and index < top:  # the header block: the table's column names do not apply
                return f"[{name}] line {numbers[index]}, field {column + 1}"
            shown = f", column {cell_text(headers[column])}" if column is not None and column < len(headers) else ""
            return f"[{name}] line {numbers[index]}{shown}"

        return _advice(rows, found, name, where)
    raise _unknown_layout(f"[{name}]")


def _read_xlsx(path: Path) -> Advice:
    info = inspect_xlsx(path)
    for sheet, grid in sheet_grids(path, info.sheet_names):
        found = _header(grid)
        if found is not None:
            return _advice(grid, found, path.name, grid_place(path.name, sheet))
    raise _unknown_layout(f"[{path.name}]")


def _read_pdf(path: Path) -> Advice:
    """The advice in a PDF's text: each line cut into its runs of text, the table's runs put under the header
    run nearest to them."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs what it makes of a damaged file ("EOF marker not found") on the console; arxl's refusal below
    # says it once, with the file.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path)
            if reader.is_encrypted:
                raise BadValue("is a password-protected PDF: ask for an unprotected copy, or a CSV or XLSX",
                               f"[{path.name}]")
            pages = [page.extract_text(extraction_mode="layout") for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as error:
        raise BadValue(f"cannot be read as a PDF: {str(error).strip()[:160]}", f"[{path.name}]") from None
    finally:
        pypdf_log.setLevel(level)
    lines: list[tuple[int, int, str]] = [(page, number, line.rstrip()) for page, text in enumerate(pages, start=1)
                                         for number, line in enumerate(text.splitlines(), start=1)]
    if not any(text.strip() for _, _, text in lines):
        raise BadValue("has no text (a scanned advice?): ask for the ERP's PDF, or a CSV or XLSX", f"[{path.name}]")
    header_at: int | None = None
    heads: list[tuple[int, int]] = []
    grid: list[list[object]] = []
    for index, (_, _, text) in enumerate(lines):
        runs = [(m.start(), m.end(), m.group()) for m in _SEGMENT.finditer(text)]
        if header_at is None and _header([[run for _, _, run in runs]]) is not None:
            header_at = index
            heads = [(start, end) for start, end, _ in runs]
        if header_at is None or index == header_at or not runs or _same_header(grid[header_at], runs):
            grid.append([run for _, _, run in runs])  # the header block, the header (again on a new page)
            continue
        row: list[object] = [""] * len(heads)
        for start, end, run in runs:
            column = _column(heads, start, end, bool(_NUMBER.fullmatch(run)))
            row[column] = f"{row[column]} {run}".strip()
        grid.append(row)
    if header_at is None:
        raise _unknown_layout(f"[{path.name}]")
    header = _header([grid[header_at]])
    assert header is not None

    def where(index: int, column: int | None) -> str:
        page, number, _ = lines[index]
        below = header_at is not None and index > header_at  # the header block's runs are no table columns
        shown = f", column {cell_text(grid[header_at][column])}" if column is not None and below else ""
        return f"[{path.name}] page {page} line {number}{shown}"

    return _advice(grid, (header_at, header[1]), path.name, where)


def _column(heads: Sequence[tuple[int, int]], start: int, end: int, number: bool) -> int:
    """The column of a run of a table line: text stands under the start of its header; a number is right-aligned
    in its cell, so it ends near its header's end (a header aligned right) or near the next header's start (a
    header aligned left)."""
    if not number:
        return min(range(len(heads)), key=lambda j: abs(heads[j][0] - start))
    rights = [heads[j + 1][0] for j in range(len(heads) - 1)] + [max(heads[-1][1], end)]
    return min(range(len(heads)), key=lambda j: min(abs(heads[j][1] - end), abs(rights[j] - end)))


def _same_header(first: list[object], runs: list[tuple[int, int, str]]) -> bool:
    """The table's header again (on the next page)."""
    return [header_key(c) for c in first] == [header_key(r) for _, _, r in runs]


def _header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    """The header row's index and the column of each role, or None when no row of the first ones is a header."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, tuple[int, int]] = {}
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            key = header_key(cell)
            for role, keys in _KEYS.items():
                if key in keys and (role not in found or keys[key] < found[role][0]):
                    found[role] = (keys[key], j)
                    break
        if "invoice" in found and "paid" in found:
            return index, {role: j for role, (_, j) in found.items()}
    return None


def _unknown_layout(where: str) -> BadValue:
    return BadValue("no table of a remittance advice found: it needs a header row with an invoice column ("
                    f"{', '.join(COLUMNS['invoice'][:6])}) and a paid column ({', '.join(COLUMNS['paid'][:6])}); "
                    "case and punctuation ignored", where)


def _advice(rows: Sequence[Sequence[object]], header: tuple[int, dict[str, int]], name: str, where: Where) -> Advice:
    top, columns = header
    block = _block(rows[:top], where)
    header_keys = [header_key(c) for c in rows[top]]

    def cell(row: Sequence[object], role: str) -> object:
        j = columns.get(role)
        return row[j] if j is not None and j < len(row) else None

    def amount(index: int, row: Sequence[object], role: str) -> Decimal | None:
        try:
            return _amount(cell(row, role), "amount")
        except ArxlError as error:
            raise BadValue(error.message, where(index, columns[role])) from None

    lines: list[AdviceLine] = []
    total: tuple[Decimal, str] | None = None
    codes: set[str] = set()
    for index in range(top + 1, len(rows)):
        row = rows[index]
        texts = [cell_text(c) for c in row]
        if not any(texts) or [header_key(c) for c in row] == header_keys:
            continue
        first = next(t for t in texts if t)
        if _TOTAL.match(first):
            found = amount(index, row, "paid") or _last_amount(texts)
            if found is not None and total is None:
                total = (found, where(index, columns["paid"]))
            continue
        invoice = cell_text(cell(row, "invoice"))
        paid = amount(index, row, "paid")
        if not invoice or not re.search(r"[0-9]", invoice):
            if paid is not None:
                raise BadValue(f"this row pays {paid} but names no invoice", where(index, columns["invoice"]))
            continue  # a note or a title row
        if paid is None:
            raise BadValue(f"invoice {invoice} has no amount paid", where(index, columns["paid"]))
        deductions = []
        for role, kind in DEDUCTIONS.items():
            value = amount(index, row, role) if role in columns else None
            if value:
                reason = (cell_text(cell(row, "reason")) or "deduction on the advice") if kind == "" else ""
                deductions.append(AdviceDeduction(kind, value, reason, where(index, columns[role])))
        code = cell_text(cell(row, "currency"))
        if code:
            try:
                codes.add(known_currency(code).code)
            except ArxlError as error:
                raise BadValue(error.message, where(index, columns["currency"])) from None
        lines.append(AdviceLine(invoice, paid, tuple(deductions), where(index, columns["invoice"])))
    if not lines:
        raise BadValue("has no invoice lines below its header", where(top, None))
    currency = str(block.get("currency", ""))
    if len(codes) > 1 or (currency and codes and codes != {currency}):
        raise BadValue(f"pays in several currencies ({', '.join(sorted(codes | {currency} - {''}))}): one "
                       "advice, one payment", f"[{name}]")
    stated = cast(tuple[Decimal, str] | None, block.get("total")) or total
    return Advice(name, tuple(lines), payer=str(block.get("payer", "")), customer_id=str(block.get("customer_id", "")),
                  payment_date=cast(dt.date | None, block.get("payment_date")),
                  total=stated[0] if stated else None, currency=currency or next(iter(codes), ""),
                  reference=str(block.get("reference", "")), total_where=stated[1] if stated else "")


def _block(rows: Sequence[Sequence[object]], where: Where) -> dict[str, object]:
    """The header block's ``Label: value`` pairs (or a label and the next cell), by field."""
    found: dict[str, object] = {}
    for index, row in enumerate(rows):
        cells = [(j, cell_text(c)) for j, c in enumerate(row) if cell_text(c)]
        for n, (j, text) in enumerate(cells):
            label, colon, value = text.partition(":")
            field = _LABEL_OF.get(header_key(label))
            if field is None or field in found:
                continue
            raw: object = value.strip() if colon and value.strip() else None
            place = j
            if raw is None and n + 1 < len(cells) and header_key(cells[n + 1][1]) not in _LABEL_OF:
                place = cells[n + 1][0]
                raw = row[place]
            if raw is None or not cell_text(raw):
                continue
            try:
                found[field] = _field(field, raw, where(index, place))
            except ArxlError as error:
                raise BadValue(error.message, where(index, place)) from None
    return found


def _field(field: str, raw: object, where: str) -> object:
    if field == "payment_date":
        return parse_date(raw, "dmy")
    if field == "currency":
        tokens = [t.upper() for t in re.findall(r"[A-Za-z]{3}", cell_text(raw)) if t.upper() in CURRENCIES]
        if not tokens:
            raise ArxlError(f'currency "{cell_text(raw)[:20]}" is not an ISO 4217 code')
        return tokens[0]
    if field == "total":
        value = _amount(raw, "total")
        return None if value is None else (value, where)
    return cell_text(raw)


def _amount(value: object, what: str) -> Decimal | None:
    """An amount of the table: blank or a dash is none; a currency code beside it is passed over."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "-", "\u2013", "\u2014")):
        return None
    if isinstance(value, str):
        text = value.strip()
        words = text.split()
        if len(words) == 2 and (words[0].upper() in CURRENCIES or words[1].upper() in CURRENCIES):
            text = words[1] if words[0].upper() in CURRENCIES else words[0]
        value = text
    return parse_number(value, what)


def _last_amount(texts: Sequence[str]) -> Decimal | None:
    for text in reversed(texts):
        try:
            found = _amount(text, "total")
        except ArxlError:
            continue
        if found is not None:
            return found
    return None
