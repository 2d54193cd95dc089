"""A customer's own file in (CSV or XLSX), the list of differences out; the comparison is in
:mod:`arxl.cashapp.customer`.

The file comes from outside and is read as safely as a bank statement: size limits, binary files renamed
``.csv`` refused, the text decoded as UTF-8 or Windows-1252 (:mod:`arxl.formats.statements.text`), a workbook only
after the safety check of :mod:`arxl.formats.xlsx.safety`, and text that looks like a formula kept as text. Dates are
day first (05/07/2025), ISO or Excel serials; amounts may carry thousands separators, accounting parentheses, a
trailing minus, a currency code or "Dr"/"Cr" after them.

**The layout** is found by its header row, within the first 30 rows, by the names of its columns (case,
spaces and punctuation ignored):

==============  ========================================================================================
column          accepted headers
==============  ========================================================================================
date            Date, Doc Date, Document Date, Posting Date, Transaction Date, Value Date, Invoice Date ...
reference       Reference, Ref, Invoice, Invoice No, Invoice Number, Document, Doc No, Document No, Your Ref,
                Supplier Invoice ... (several may be present: each is searched for our numbers)
description     Description, Details, Narrative, Particulars, Memo, Text, Remarks
amount          Amount, Value, Gross, Gross Amount, Invoice Amount, Total ... or Debit and Credit columns
type            Type, Doc Type, Document Type, Transaction Type (optional)
balance         Balance, Running Balance (optional)
currency        Currency, Ccy (optional)
withholding     WHT, Withholding, Withholding Tax, Tax Withheld, VAT Withheld (optional; several are added)
paid            Net Paid, Amount Paid, Paid (optional: a remittance advice's net payment)
==============  ========================================================================================

A header needs a date, an amount (or debit / credit, or paid) and a reference or a description. Rows above it
are searched for "remittance" or "payment advice", a "Currency:" and a "Payment date:". A row with an amount
and no date is refused (with its line and column) unless it is an opening or closing balance; "Total" rows
and blank rows are passed over.

>>> their = read_their_text("Date,Ref,Debit,Credit\\n03/07/2025,INV/2025/42,,\\"1,180,000.00\\"\\n", "ap.csv")
>>> row = their.rows[0]
>>> row.date, row.references, row.amount, their.debit_credit
(datetime.date(2025, 7, 3), ('INV/2025/42',), Decimal('-1180000.00'), True)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from arxl.core.errors import ArxlError, BadValue, CellRef
from arxl.core.money import CURRENCIES, exponent
from arxl.core.money import currency as known_currency
from arxl.formats.matchcsv import csv_text
from arxl.formats.statements.model import DEFAULT_LIMITS, BadStatement, Limits
from arxl.formats.statements.strict_csv import DELIMITERS, csv_rows, first_lines
from arxl.formats.statements.text import decode, looks_like_xml, read_bytes
from arxl.formats.statements.values import cell_text, parse_date, parse_number
from arxl.formats.xlsx.grids import grid_place, sheet_grids
from arxl.formats.xlsx.safety import OLE_MAGIC, inspect_xlsx
from arxl.ledger.port import column_letter
from arxl.ledger.records import header_key
from arxl.ledger.their import CustomerReconciliation, TheirFile, TheirRow

__all__ = ["COLUMNS", "DIFFERENCE_COLUMNS", "difference_rows", "read_their_file", "read_their_text", "summary_pairs",
           "write_differences"]

HEADER_SCAN_ROWS = 30
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("Date", "Doc Date", "Document Date", "Posting Date", "Transaction Date", "Trans Date", "Txn Date",
             "Value Date", "Invoice Date", "Payment Date", "Date Paid"),
    "reference": ("Reference", "Ref", "Ref No", "Reference No", "Invoice", "Invoice No", "Invoice Number",
                  "Inv No", "Invoice Ref", "Document", "Doc No", "Document No", "Document Number", "Your Ref",
                  "Supplier Invoice", "Supplier Invoice No", "Supplier Ref", "Vendor Invoice", "External Ref",
                  "Ext Ref"),
    "description": ("Description", "Details", "Narrative", "Narration", "Particulars", "Memo", "Text", "Remarks",
                    "Comment"),
    "amount": ("Amount", "Value", "Gross", "Gross Amount", "Invoice Amount", "Amount Incl VAT", "Total",
               "Total Amount"),
    "debit": ("Debit", "Dr", "Debit Amount", "Debits"),
    "credit": ("Credit", "Cr", "Credit Amount", "Credits"),
    "type": ("Type", "Doc Type", "Document Type", "Transaction Type", "Trans Type", "Txn Type"),
    "balance": ("Balance", "Running Balance", "Cumulative Balance", "Bal"),
    "currency": ("Currency", "Ccy", "Cur", "Curr"),
    "withholding": ("WHT", "Withholding", "Withholding Tax", "Tax Withheld", "WHT Amount", "VAT Withheld",
                    "Withheld", "WHT 3%", "WHT 15%"),
    "paid": ("Net Paid", "Amount Paid", "Paid", "Paid Amount", "Net Payment", "Net Amount Paid"),
}
"""The headers accepted for each column, in order of preference when a file has more than one."""
DIFFERENCE_COLUMNS = ("Kind", "Date", "Their Reference", "Our Document", "Their Amount", "Our Amount",
                      "Difference", "Currency", "Note")
_KEYS = {role: {header_key(name): rank for rank, name in enumerate(names)} for role, names in COLUMNS.items()}
_MULTIPLE = frozenset({"reference", "description", "withholding"})
_ZIP = b"PK\x03\x04"
_SUFFIX = re.compile(r"\s*\b(dr|cr)\.?$", re.IGNORECASE)
_CODE_AROUND = re.compile(r"^([A-Za-z]{3})\s+|\s+([A-Za-z]{3})$")
_TOTAL = re.compile(r"^\s*(grand\s+)?(sub\s*)?totals?\b", re.IGNORECASE)
_BALANCE_WORDS = re.compile(r"opening|closing|balance|b/f|c/f|brought forward|carried forward", re.IGNORECASE)
_REMITTANCE = re.compile(r"remittance|payment\s+advice", re.IGNORECASE)
_EXPORT_HINT = "export the statement as CSV, XLSX, MT940 or camt.053"

Where = Callable[[int, int | None], str]


def read_their_file(path: Path | str, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS) -> TheirFile:
    """The rows of a customer's statement, ledger or remittance advice (CSV, or XLSX: ``sheet`` or the first
    sheet with a header arxl recognises)."""
    path = Path(path)
    try:
        data = read_bytes(path, limits)
    except BadStatement as error:
        raise BadValue(error.message, f"[{path.name}]") from None
    if data.startswith(_ZIP):
        return _read_xlsx(path, sheet)
    where = f"[{path.name}]"
    if data.startswith(OLE_MAGIC):
        raise BadValue("is an old Excel .xls (or password-protected) workbook: save it as .xlsx or CSV", where)
    if looks_like_xml(data):
        raise BadValue("is an XML file, not a CSV or XLSX table: save the customer's statement as CSV or XLSX",
                       where)
    if sheet:
        raise BadValue(f'--sheet "{sheet}": a CSV file has no sheets', where)
    try:
        text = decode(data, path.name, ("cp1252",), limits)
    except BadStatement as error:
        raise BadValue(error.message.replace(_EXPORT_HINT, "save the customer's file as CSV or XLSX"),
                       where) from None
    return read_their_text(text, path.name)


def read_their_text(text: str, name: str) -> TheirFile:
    """The rows of a customer's CSV file whose text is already decoded and checked."""
    widest: list[list[object]] = []
    for delimiter in DELIMITERS:
        head, _ = csv_rows(first_lines(text, HEADER_SCAN_ROWS + 5), delimiter, name)
        found = _find_header(head)
        if found is not None:
            try:
                rows, numbers = csv_rows(text, delimiter, name)
            except BadStatement as error:
                raise BadValue(error.message, f"[{name}]") from None
            header = found[0]
            headers = rows[header]

            def where(index: int, column: int | None, numbers: list[int] = numbers,
                      headers: list[object] = headers) -> str:
                shown = f", column {cell_text(headers[column])}" if column is not None and column < len(headers) \
                    else ""
                return f"[{name}] line {numbers[index]}{shown}"

            return _read_grid(rows, header, found[1], name, where, False)
        if _width(head) > _width(widest):
            widest = head
    raise _unknown_layout(widest, f"[{name}]")


def _read_xlsx(path: Path, sheet: str | None) -> TheirFile:
    info = inspect_xlsx(path)
    names = list(info.sheet_names)
    if sheet is not None:
        chosen = [n for n in names if n.casefold() == sheet.strip().casefold()]
        if not chosen:
            raise BadValue(f'has no sheet "{sheet}"; its sheets are: {", ".join(names)}', f"[{path.name}]")
        names = chosen
    grids = sheet_grids(path, names)
    for name, grid in grids:
        found = _find_header(grid)
        if found is not None:
            return _read_grid(grid, found[0], found[1], path.name, grid_place(path.name, name), info.date1904)
    first = grids[0] if grids else ("", [])
    raise _unknown_layout(first[1], str(CellRef(path.name, first[0])) if first[0] else f"[{path.name}]")


def _width(rows: Sequence[Sequence[object]]) -> int:
    return max((sum(1 for c in row if cell_text(c)) for row in rows), default=0)


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, list[int]]] | None:
    """The header row's index and the columns of each role, or None when no row of the first 30 is a header."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, list[tuple[int, int]]] = {}
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            key = header_key(cell)
            for role, keys in _KEYS.items():
                if key in keys:
                    found.setdefault(role, []).append((keys[key], j))
                    break
        has_amount = any(role in found for role in ("amount", "debit", "credit", "paid"))
        if "date" in found and has_amount and ("reference" in found or "description" in found):
            columns: dict[str, list[int]] = {}
            for role, places in found.items():
                ordered = [j for _, j in sorted(places)]
                columns[role] = ordered if role in _MULTIPLE else ordered[:1]
            if "debit" in columns or "credit" in columns:
                columns.pop("amount", None)
            return index, columns
    return None


def _unknown_layout(rows: Sequence[Sequence[object]], where: str) -> BadValue:
    best = max(rows[:HEADER_SCAN_ROWS], key=lambda r: sum(1 for c in r if cell_text(c)), default=[])
    found = ", ".join(t for t in (cell_text(c)[:40] for c in best) if t)[:400] or "none"
    accepted = "; ".join(f"{role}: {', '.join(COLUMNS[role][:6])}" for role in
                         ("date", "reference", "description", "amount", "debit", "credit"))
    return BadValue(f"the layout is not recognised: the columns found are: {found}. A customer file needs a "
                    f"date, an amount (or debit and credit) and a reference or description column; accepted "
                    f"names are {accepted} (case and punctuation ignored)", where)


def _read_grid(rows: list[list[object]], header: int, columns: dict[str, list[int]], name: str, where: Where,
               date1904: bool) -> TheirFile:
    preamble = [" ".join(cell_text(c) for c in row) for row in rows[:header]]
    file_currency = _preamble_currency(preamble)
    payment_date = _preamble_date(rows[:header], date1904)
    header_keys = [header_key(c) for c in rows[header]]

    def cell(row: list[object], role: str) -> object:
        places = columns.get(role, [])
        return row[places[0]] if places and places[0] < len(row) else None

    def texts(row: list[object], role: str) -> tuple[str, ...]:
        return tuple(cell_text(row[j]) if j < len(row) else "" for j in columns.get(role, []))

    def number(index: int, row: list[object], role: str, j: int | None = None) -> Decimal | None:
        place = j if j is not None else (columns[role][0] if columns.get(role) else None)
        value = row[place] if place is not None and place < len(row) else None
        if not cell_text(value):
            return None
        try:
            return _number(value, role)
        except ArxlError as error:
            raise BadValue(error.message, where(index, place)) from None

    their_rows: list[TheirRow] = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        if not any(cell_text(c) for c in row):
            continue
        if [header_key(c) for c in row] == header_keys:
            continue  # the header again, on a new page
        references, descriptions = texts(row, "reference"), texts(row, "description")
        type_text = cell_text(cell(row, "type"))
        words = " ".join((type_text, *references, *descriptions)).strip()
        if _TOTAL.match(words):
            continue
        debit, credit = number(index, row, "debit"), number(index, row, "credit")
        if debit and credit:
            raise BadValue(f"this row has both a debit ({debit}) and a credit ({credit})", where(index, None))
        amount = number(index, row, "amount")
        if "debit" in columns or "credit" in columns:
            amount = abs(debit) if debit else (-abs(credit) if credit else None)
        withheld_parts = [number(index, row, "withholding", j) for j in columns.get("withholding", [])]
        withheld = sum((w for w in withheld_parts if w is not None), Decimal(0)) \
            if any(w is not None for w in withheld_parts) else None
        paid = number(index, row, "paid")
        if amount is None and paid is not None:
            amount = paid + (withheld or Decimal(0))  # an advice with only net paid: gross = paid + withheld
        balance = number(index, row, "balance")
        if not amount and paid is None and balance is None:
            continue  # a note or a title row
        raw_date = cell(row, "date")
        date = None
        if cell_text(raw_date):
            try:
                date = parse_date(raw_date, "dmy", date1904)
            except ArxlError as error:
                raise BadValue(error.message, where(index, columns["date"][0])) from None
        elif (amount or paid) and not _BALANCE_WORDS.search(words):
            raise BadValue("this row has an amount but no date", where(index, columns["date"][0]))
        code = cell_text(cell(row, "currency"))
        if code:
            try:
                code = known_currency(code).code
            except ArxlError as error:
                raise BadValue(error.message, where(index, columns["currency"][0])) from None
        their_rows.append(TheirRow(where(index, None), date, tuple(r for r in references if r),
                                   " ".join(d for d in descriptions if d), type_text, amount or None, balance,
                                   code, withheld, paid))
    if not their_rows:
        raise BadValue("has no rows with an amount below its header", where(header, None))
    shown = tuple(f"{role}: {', '.join(cell_text(rows[header][j]) for j in places)}"
                  for role, places in columns.items())
    remittance = any(_REMITTANCE.search(line) for line in preamble) or "paid" in columns
    return TheirFile(name, tuple(their_rows), shown, "debit" in columns or "credit" in columns, remittance,
                     payment_date, file_currency)


def _number(value: object, what: str) -> Decimal:
    """An amount with a thousands separator, parentheses, a currency code or "Dr"/"Cr" after it (Cr: negative)."""
    if not isinstance(value, str):
        return parse_number(value, what)
    text = value.strip()
    sign = 1
    suffix = _SUFFIX.search(text)
    if suffix:
        sign = -1 if suffix.group(1).lower() == "cr" else 1
        text = text[: suffix.start()].strip()
    around = _CODE_AROUND.search(text)
    while around and (around.group(1) or around.group(2) or "").upper() in CURRENCIES:
        text = (text[around.end():] if around.group(1) else text[: around.start()]).strip()
        around = _CODE_AROUND.search(text)
    return sign * parse_number(text, what)


def _preamble_currency(lines: Sequence[str]) -> str:
    for line in lines:
        label, colon, value = line.partition(":")
        if colon and header_key(label) in ("currency", "ccy"):
            for token in re.findall(r"[A-Za-z]{3}", value):
                code = str(token).upper()
                if code in CURRENCIES:
                    return code
    return ""


def _preamble_date(rows: Sequence[Sequence[object]], date1904: bool) -> dt.date | None:
    labels = {"paymentdate", "dateofpayment", "datepaid", "valuedate", "paymentvaluedate"}
    for row in rows:
        texts = [cell_text(c) for c in row]
        for j, text in enumerate(texts):
            label, colon, value = text.partition(":")
            candidates = [value] if colon and value.strip() else [row[k] for k in range(j + 1, len(row))
                                                                 if cell_text(row[k])][:1]
            if header_key(label if colon else text) in labels:
                for candidate in candidates:
                    with contextlib.suppress(ArxlError):
                        return parse_date(candidate.strip() if isinstance(candidate, str) else candidate, "dmy",
                                          date1904)
    return None


# -- the differences out ------------------------------------------------------------------------------------

def difference_rows(result: CustomerReconciliation) -> list[tuple[object, ...]]:
    """The differences as rows of :data:`DIFFERENCE_COLUMNS` (amounts as Decimal, dates as dates)."""
    return [(d.kind, d.date, d.their_reference, d.our_document, d.their_amount, d.our_amount, d.difference,
             d.currency, d.note) for d in result.differences]


def write_differences(result: CustomerReconciliation, path: Path | str) -> Path:
    """Write the differences to a .csv or .xlsx file (chosen by its suffix), atomically; returns the path."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise BadValue("--out must end in .csv or .xlsx", f"[{target.name}]")
    if not target.parent.is_dir():
        raise BadValue(f"the folder {target.parent} does not exist", f"[{target.name}]")
    if suffix == ".xlsx":
        return _write_xlsx(result, target)
    from arxl.formats.xlsx.save import ensure_not_open, write_csv

    ensure_not_open(target)  # Excel keeps a lock file beside a CSV it has open, too
    places = exponent(result.currency)
    cells = ([_csv_cell(value, places) for value in row] for row in difference_rows(result))
    write_csv(target, DIFFERENCE_COLUMNS, cells, encoding="utf-8-sig")
    return target


def _csv_cell(value: object, places: int) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.{places}f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_text(str(value))


def _write_xlsx(result: CustomerReconciliation, target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from arxl.formats.xlsx.looks import DATE_FORMAT, amount_format
    from arxl.formats.xlsx.save import atomic_save
    from arxl.formats.xlsx.writer import HEADER_FILL, HEADER_FONT, set_text

    def put(cell: Any, value: object) -> None:
        """A value in its cell: amounts and dates formatted, text as text (never a formula), blanks blank."""
        if isinstance(value, Decimal):
            cell.value = value
            cell.number_format = amount_format(result.currency)
        elif isinstance(value, dt.date):
            cell.value = value
            cell.number_format = DATE_FORMAT
        elif isinstance(value, int):
            cell.value = value
        elif value is not None:
            set_text(cell, str(value))  # their references and notes

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Differences"
    widths = [len(h) + 4 for h in DIFFERENCE_COLUMNS]
    for j, title in enumerate(DIFFERENCE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=j, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    rows = difference_rows(result)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            put(sheet.cell(row=i, column=j), value)
            widths[j - 1] = min(max(widths[j - 1], len(str(value or "")) + 2), 60)
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(j)].width = width
    sheet.freeze_panes = "A2"
    if rows:
        table = Table(displayName="Differences", ref=f"A1:{column_letter(len(DIFFERENCE_COLUMNS))}{len(rows) + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
    summary = book.create_sheet("Summary")
    for i, (label, value) in enumerate(summary_pairs(result), start=1):
        summary.cell(row=i, column=1, value=label).font = Font(bold=True)
        put(summary.cell(row=i, column=2), value)
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 70
    return atomic_save(target, lambda temp: book.save(temp), backup=False)


def summary_pairs(result: CustomerReconciliation) -> list[tuple[str, object]]:
    """The reconciliation's figures, label and value, for the Summary sheet."""
    pairs: list[tuple[str, object]] = [
        ("Customer", f"{result.customer.customer_id} {result.customer.name}"),
        ("Currency", result.currency),
        ("Their file", result.their_file),
        ("Read as", result.convention),
        ("From", result.first_date),
        ("As of", result.as_of),
        ("Columns read", "; ".join(result.columns)),
    ]
    if result.their_closing is not None:
        pairs += [("Their opening balance", result.their_opening), ("Our opening balance", result.our_opening),
                  ("Their closing balance", result.their_closing), ("Our closing balance", result.our_closing),
                  ("Difference", result.balance_difference), ("Explained by the differences", result.explained),
                  ("Unexplained", result.unexplained)]
    pairs += [("Documents that agree", result.documents_agreed),
              ("Documents probably the same", result.documents_probable),  # a bare serial: to confirm
              ("Payments and withholding that agree", result.payments_agreed)]
    pairs += [("Note", note) for note in result.notes]
    return pairs
