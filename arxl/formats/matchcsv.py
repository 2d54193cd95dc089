"""The CSV files of ``arxl match``: customers and open items in, allocations out (DESIGN.md §4).

UTF-8 (a byte-order mark is fine), a header row, one record per row; columns may come in any order and
extra columns are ignored. Dates are ISO ``YYYY-MM-DD``; amounts plain decimals with ``.`` and no more
decimals than the currency has (RWF none, USD two).

* customers: ``customer_id,name,aliases,bank_accounts,customer_type,withholding`` - aliases and bank
  accounts separated by ``;``, customer_type one of government, private, ngo, foreign (empty: private),
  withholding a ``,``-separated subset of ``vat``, ``wht3``, ``wht15`` (empty or ``none``: nothing);
* open items: ``invoice_no,customer_id,customer_name,invoice_date,due_date,currency,net_amount,vat_amount,``
  ``amount,open_amount``;
* allocations (written): ``line_id,invoice_no,applied_amount,deduction_amount,deduction_type,status,score,``
  ``reason``, amounts with the currency's decimals.

Bad input stops with an error naming the file, the line and the column, as the accountant sees them in a
text editor or in Excel: ``[open.csv] line 12, open_amount: "12,5OO" is not a number``. Text from outside
that Excel would take for a formula (``=HYPERLINK(...)``) is written with a leading apostrophe, so it stays
text when the allocation file is opened in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from arxl.core.errors import ArxlError, BadValue
from arxl.core.money import CURRENCIES
from arxl.core.money import currency as currency_of
from arxl.core.tax import parse_withholding
from arxl.formats.xlsx.save import write_csv
from arxl.ledger.matching import (
    ALLOCATION_COLUMNS,
    CUSTOMER_COLUMNS,
    CUSTOMER_TYPES,
    OPEN_ITEM_COLUMNS,
    AllocationRow,
    CustomerProfile,
    OpenInvoice,
)

__all__ = ["read_customers", "read_open_items", "write_allocations"]

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FIELD_CHARS = 100_000
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SOME_LETTER = re.compile(r"[0-9A-Za-z]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CODES = frozenset(CURRENCIES)


class CsvProblem(BadValue):
    """A value in a CSV file that is not what its column expects."""


def _rows(path: Path, columns: Sequence[str], required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for each record; the header must have every required column."""
    where: dict[str, int] = {}
    for line, record in _records(path, columns, required, where):
        yield line, {c: (record[i] if i < len(record) else "") for c, i in where.items()}


def _records(path: Path, columns: Sequence[str], required: Sequence[str],
             where: dict[str, int]) -> Iterator[tuple[int, list[str]]]:
    """(line number, the record as read) for each record that is not blank; ``where`` is filled with the position
    of each column found in the header before the first record comes."""
    name = path.name
    if not path.exists():
        raise ArxlError(f"file not found: {path}")
    if path.is_dir():
        raise ArxlError(f"{path} is a folder, not a CSV file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ArxlError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB", f"[{name}]")
    with path.open("rb") as raw:
        head = raw.read(4096)
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ArxlError("this is not a CSV text file (it looks like a binary file or a workbook; save it as "
                        "CSV UTF-8)", f"[{name}]")
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader, None)
                if header is None:
                    raise ArxlError(f"the file is empty; expected a header row: {','.join(columns)}", f"[{name}]")
                found = [h.strip().lower() for h in header]
                missing = [c for c in required if c not in found]
                if missing:
                    raise ArxlError(f"[{name}] line 1: missing column(s) {', '.join(missing)}; expected the header "
                                    f"{','.join(columns)}")
                where.update((c, found.index(c)) for c in columns if c in found)
                for record in reader:
                    if not "".join(record).strip():  # a blank row
                        continue
                    yield reader.line_num, record
            except csv.Error as exc:
                raise ArxlError(f"[{name}] line {reader.line_num}: not readable as CSV ({exc})") from None
            except UnicodeDecodeError as exc:
                raise ArxlError(f"the file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position "
                                f"{exc.start} of a block); save it as CSV UTF-8", f"[{name}]") from None
    finally:
        csv.field_size_limit(previous)


def _problem(path: Path, line: int, column: str, message: str) -> CsvProblem:
    return CsvProblem(f"[{path.name}] line {line}, {column}: {message}")


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _text(path: Path, line: int, row: Mapping[str, str], column: str, required: bool = True) -> str:
    value = row.get(column, "").strip()
    if required and not value:
        raise _problem(path, line, column, "is empty")
    return value


def _amount(path: Path, line: int, row: Mapping[str, str], column: str, code: str, places: int) -> Decimal:
    text = row.get(column, "").strip()
    if not text:
        raise _problem(path, line, column, "is empty; expected an amount such as 1180000 or 1180.50")
    if not _NUMBER.fullmatch(text):
        raise _problem(path, line, column, f'"{_shown(text)}" is not a number (write plain digits with "." for '
                                           "decimals, no thousands separators)")
    point = text.find(".")
    if point >= 0 and text[point + 1 + places :].strip("0"):
        raise _problem(path, line, column, f'"{_shown(text)}" has more decimals than {code} allows')
    return Decimal(text)


def _date(path: Path, line: int, row: Mapping[str, str], column: str) -> dt.date:
    text = row.get(column, "").strip()
    if not text:
        raise _problem(path, line, column, "is empty; expected a date YYYY-MM-DD")
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _problem(path, line, column, f'"{_shown(text)}" is not a date YYYY-MM-DD') from None


def _currency(path: Path, line: int, row: Mapping[str, str]) -> str:
    text = _text(path, line, row, "currency")
    if text in _CODES:
        return text
    try:
        return currency_of(text).code
    except BadValue as exc:
        raise _problem(path, line, "currency", exc.message.removeprefix("currency ")) from None


def _split(text: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(separator) if part.strip())


def read_customers(path: Path) -> list[CustomerProfile]:
    """The customers CSV: one :class:`CustomerProfile` per row; a customer id given twice is refused."""
    path = Path(path)
    customers: list[CustomerProfile] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, CUSTOMER_COLUMNS, ("customer_id", "name")):
        customer_id = _text(path, line, row, "customer_id")
        if customer_id in seen:
            raise _problem(path, line, "customer_id", f'"{_shown(customer_id)}" is already on line {seen[customer_id]}')
        seen[customer_id] = line
        kind = _text(path, line, row, "customer_type", required=False).lower() or "private"
        if kind not in CUSTOMER_TYPES:
            raise _problem(path, line, "customer_type", f'"{_shown(kind)}" is not one of {", ".join(CUSTOMER_TYPES)}')
        try:
            withholding = parse_withholding(row.get("withholding", ""))
        except BadValue as exc:
            raise _problem(path, line, "withholding", exc.message) from None
        customers.append(CustomerProfile(
            customer_id=customer_id,
            name=_text(path, line, row, "name"),
            aliases=_split(row.get("aliases", ""), ";"),
            bank_accounts=_split(row.get("bank_accounts", ""), ";"),
            customer_type=kind,
            withholding=withholding,
        ))
    return customers


def read_open_items(path: Path) -> list[OpenInvoice]:
    """The open-items CSV: one :class:`OpenInvoice` per row; an invoice number given twice is refused.

    200,000 rows repeat a few thousand dates, amounts and currency codes: each distinct text of a column is
    checked and converted once, then remembered; the checks are those of one field at a time, in the same
    order, so that the first thing wrong in a row is the one reported."""
    path = Path(path)
    where: dict[str, int] = {}
    items: list[OpenInvoice] = []
    seen: dict[str, int] = {}
    codes: dict[str, str] = {}
    places: dict[str, int] = {}
    units: dict[str, Decimal] = {}
    amounts: dict[str, dict[str, Decimal]] = {}  # currency -> text -> amount
    dates: dict[str, dt.date] = {}

    def amount(line: int, column: str, text: str, code: str) -> Decimal:
        known = amounts[code]
        value = known.get(text)
        if value is None:
            if text.isascii() and text.isdigit():
                value = Decimal(text)
            else:
                value = _amount(path, line, {column: text}, column, code, places[code])
            known[text] = value
        return value

    def date(line: int, column: str, text: str) -> dt.date:
        value = dates.get(text)
        if value is None:
            value = dates[text] = _date(path, line, {column: text}, column)
        return value

    pick: Callable[[list[str]], tuple[str, ...]] | None = None
    width = 0
    for line, record in _records(path, OPEN_ITEM_COLUMNS, OPEN_ITEM_COLUMNS, where):
        if pick is None:
            pick = itemgetter(*(where[c] for c in OPEN_ITEM_COLUMNS))
            width = max(where.values()) + 1
        if len(record) < width:
            record = record + [""] * (width - len(record))
        (number, customer_id, customer_name, invoice_date, due_date, currency, net_text, vat_text, amount_text,
         open_text) = pick(record)
        invoice_no = number.strip()
        if not invoice_no or not _SOME_LETTER.search(invoice_no) or invoice_no in seen:
            _text(path, line, {"invoice_no": number}, "invoice_no")
            if not _SOME_LETTER.search(invoice_no):
                raise _problem(path, line, "invoice_no", f'"{_shown(invoice_no)}" has no letters or digits')
            raise _problem(path, line, "invoice_no", f'"{_shown(invoice_no)}" is already on line {seen[invoice_no]}')
        code = codes.get(currency)
        if code is None:
            code = codes[currency] = _currency(path, line, {"currency": currency})
            if code not in places:
                places[code] = currency_of(code).exponent
                units[code] = Decimal(1).scaleb(-places[code])
                amounts[code] = {}
        known = amounts[code]  # most texts are known: looked up here, checked in amount() the first time
        net, vat, gross, open_amount = known.get(net_text), known.get(vat_text), known.get(amount_text), \
            known.get(open_text)
        net = amount(line, "net_amount", net_text, code) if net is None else net
        vat = amount(line, "vat_amount", vat_text, code) if vat is None else vat
        gross = amount(line, "amount", amount_text, code) if gross is None else gross
        open_amount = amount(line, "open_amount", open_text, code) if open_amount is None else open_amount
        if abs(gross - (net + vat)) > units[code]:
            raise _problem(path, line, "amount", f"{gross} is not net_amount {net} + vat_amount {vat}")
        customer = customer_id.strip() or _text(path, line, {"customer_id": ""}, "customer_id")
        seen[invoice_no] = line
        items.append(OpenInvoice(invoice_no, customer, customer_name.strip(), date(line, "invoice_date", invoice_date),
                                 date(line, "due_date", due_date), code, net, vat, gross, open_amount))
    return items


def csv_text(text: str) -> str:
    """Text from outside as text in a CSV file: a leading apostrophe where Excel would see a formula.

    >>> print(csv_text('=HYPERLINK("http://x")'), csv_text("INV-2025-00042"))
    '=HYPERLINK("http://x") INV-2025-00042
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def allocation_row(row: AllocationRow) -> list[str]:
    """One allocation as CSV cells (amounts as plain decimals, as they were computed)."""
    return [csv_text(row.line_id), csv_text(row.invoice_no), f"{row.applied_amount:f}", f"{row.deduction_amount:f}",
            row.deduction_type, row.status, str(row.score), csv_text(row.reason)]


def one_row_per_invoice(rows: Iterable[AllocationRow], open_items: Iterable[OpenInvoice] = ()) -> list[AllocationRow]:
    """The rows of a line for one invoice (VAT withheld, WHT, bank charges) joined into one as the CSV contract
    says (one row per line and invoice): the cash applied, the deductions added up, the larger one's type, and
    the parts named in the reason. Inside arxl the typed rows stay apart (a withholding certificate is chased
    per tax).

    >>> said = "invoice number in narrative; amount = open - VAT withheld and 3% WHT"
    >>> vat = AllocationRow("BK-1", "INV-9", Decimal(433500), Decimal(76500), "vat_withheld", "auto", 100, said)
    >>> wht = AllocationRow("BK-1", "INV-9", Decimal(0), Decimal(12750), "wht", "auto", 100, said)
    >>> item = OpenInvoice("INV-9", "C1", "", dt.date(2025, 6, 1), dt.date(2025, 7, 1), "RWF", Decimal(425000),
    ...                 Decimal(76500), Decimal(501500), Decimal(501500))
    >>> (row,) = one_row_per_invoice([vat, wht], [item])
    >>> row.applied_amount, row.deduction_amount, row.deduction_type, row.reason
    (Decimal('433500'), Decimal('89250'), 'vat_withheld', \
'invoice number in narrative; amount = open - VAT withheld 76,500 - 3% WHT 12,750')
    """
    net = {item.invoice_no: item.net_amount for item in open_items}
    merged: list[AllocationRow] = []
    for _, group in itertools.groupby(rows, key=lambda r: (r.line_id, r.invoice_no)):
        same = list(group)
        if len(same) < 2 or not same[0].invoice_no:
            merged.extend(same)
            continue
        first = same[0]
        parts = [(r.deduction_type, r.deduction_amount) for r in same if r.deduction_amount]
        larger = max(parts, key=lambda part: abs(part[1]))[0] if parts else ""
        shown = " ".join(f"{'-' if amount > 0 else '+'} {_label(kind, amount, net.get(first.invoice_no))} "
                         f"{abs(amount):,}" for kind, amount in parts)
        # the matcher's own "amount = open - ..." clause gives way to the one with the figures
        said = [clause for clause in first.reason.split("; ") if not clause.startswith("amount = open")]
        merged.append(AllocationRow(first.line_id, first.invoice_no, sum((r.applied_amount for r in same), Decimal(0)),
                                    sum((amount for _, amount in parts), Decimal(0)), larger, first.status,
                                    first.score, "; ".join([*said, f"amount = open {shown}"])))
    return merged


def _label(kind: str, amount: Decimal, net: Decimal | None) -> str:
    if kind == "wht":
        return f"{(100 * amount / net).quantize(Decimal(1))}% WHT" if net else "WHT"
    return {"vat_withheld": "VAT withheld", "bank_charges": "bank charges"}.get(kind, kind)


def write_allocations(rows: Iterable[AllocationRow], path: Path, open_items: Iterable[OpenInvoice] = ()) -> int:
    """Write the allocation CSV atomically (a temporary file beside it, then a rename), one row per line and
    invoice (:func:`one_row_per_invoice`); returns the rows."""
    joined = one_row_per_invoice(rows, open_items)
    return write_csv(path, ALLOCATION_COLUMNS, (allocation_row(row) for row in joined))
