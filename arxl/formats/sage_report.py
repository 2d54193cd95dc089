"""Sage's own reports read back: the customer balances (Aged Debtors) and the trial balance.

The tie-out (:mod:`arxl.books.tieout`) compares arxl's register with what Sage 50 holds. Sage says that in two
reports the accountant exports as CSV or XLSX: the **Aged Debtors** (or Customer Balances) report, a row per
customer account, and the **trial balance**, a row per nominal code, whose debtors control account (Settings
"Sage Debtors Nominal", 1100) must equal the sum of the customer balances in the base currency.

Like a bank export (:mod:`arxl.formats.statements.profiles`), a report is read through a *profile*: which
header means what. The header row is the first of the first :data:`HEADER_SCAN_ROWS` rows that has an account
and a balance column (Sage puts the company name, the report's title and its date above it). The built-in
profile ``sage50`` knows Sage's usual headers, compared ignoring case, spaces and punctuation:

=============  ==========================================================================
account        A/C, Account, Account Reference, Customer, Ref
name           Name, Customer Name, Account Name
currency       Currency, Curr (no column: every account is in the base currency)
balance        Balance, O/S Balance, Outstanding, Total
unallocated    Unallocated, On Account, Payments on Account (optional)
base_balance   Base Balance, Balance (Base), Balance RWF (optional)
aged columns   Future, Current, Period 1..3, Older, 30/60/90 days... (optional, shown as they are)
=============  ==========================================================================

A profile file is a JSON object naming the header (or a list of headers) of each field it changes, e.g.
``{"account": "Cust Code", "balance": "Amount"}``; the other fields keep the built-in aliases.

Amounts are read as Sage writes them: thousands separators, ``(1,234.00)`` and ``-1,234.00`` and
``1,234.00-`` for a negative, and a trailing ``CR`` (a credit: negative on a customer account) or ``DR``.
A row whose account is blank or says "Total(s)" is the report's totals line: not a customer, its figure kept
to check the sum. Every other row with an account must have a balance that reads as a number; a bad one is
refused naming the file, the line and the column.

>>> sage_amount("1,234.50 CR", "balance"), sage_amount("(2,000)", "balance"), sage_amount("980DR", "balance")
(Decimal('-1234.50'), Decimal('-2000'), Decimal('980'))
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import cast

from arxl.core.errors import ArxlError, BadValue, CellRef
from arxl.core.money import currency as known_currency
from arxl.formats.statements.text import decode
from arxl.formats.statements.values import cell_text, parse_number
from arxl.ledger.port import column_letter
from arxl.ledger.records import header_key

HEADER_SCAN_ROWS = 20
MAX_REPORT_BYTES = 20 * 1024 * 1024
MAX_PROFILE_BYTES = 64 * 1024
FIELDS = ("account", "name", "currency", "balance", "unallocated", "base_balance")
SAGE50: dict[str, tuple[str, ...]] = {
    "account": ("A/C", "Account", "Account Reference", "Account Ref", "A/C Ref", "Customer", "Ref"),
    "name": ("Name", "Customer Name", "Account Name"),
    "currency": ("Currency", "Curr"),
    "balance": ("Balance", "O/S Balance", "Outstanding", "Total"),
    "unallocated": ("Unallocated", "On Account", "Payments on Account"),
    "base_balance": ("Base Balance", "Balance (Base)", "Balance RWF"),
}
AGED_HEADERS = ("Future", "Current", "Period 1", "Period 2", "Period 3", "Period 4", "Older", "30 days", "60 days",
                "90 days", "120 days", "Over 120 days", "1-30 days", "31-60 days", "61-90 days", "Over 90 days")
TRIAL_BALANCE: dict[str, tuple[str, ...]] = {
    "nominal": ("N/C", "Nominal", "Nominal Code", "Code", "Account", "A/C"),
    "name": ("Name", "Description"),
    "debit": ("Debit", "Dr"),
    "credit": ("Credit", "Cr"),
}
_TOTALS = re.compile(r"\s*(grand\s+)?totals?\b.*", re.IGNORECASE)
_SIDE = re.compile(r"^(.*?)\s*(CR|DR)$", re.IGNORECASE)


class BadReport(ArxlError):
    """A Sage report arxl cannot read: the message names the file, the line and the column."""

    default = "not a readable Sage report"


@dataclass(frozen=True, slots=True)
class SageBalance:
    """One customer account of Sage's report: its balance (positive: the customer owes), and what else the
    report says of it."""

    account: str  # upper case, as arxl matches it
    name: str
    currency: str
    balance: Decimal
    unallocated: Decimal | None  # payments on account not allocated in Sage; None: no such column
    base_balance: Decimal | None  # the balance in the base currency; None: no such column
    aged: tuple[tuple[str, Decimal], ...]  # the report's aged columns, as headed there
    where: str  # "[file] line 7" or "[file]Sheet!A7"


@dataclass(frozen=True, slots=True)
class SageTotals:
    """The report's totals line: what Sage says its customers add up to."""

    balance: Decimal | None
    base_balance: Decimal | None
    where: str


@dataclass(frozen=True, slots=True)
class SageReport:
    """The customer balances of one Sage report, its totals lines and its aged columns' headers."""

    file: str
    balances: tuple[SageBalance, ...]
    totals: tuple[SageTotals, ...] = ()
    aged_headers: tuple[str, ...] = ()
    has_base_balance: bool = False
    has_unallocated: bool = False


@dataclass(frozen=True, slots=True)
class ControlAccount:
    """One nominal account of Sage's trial balance: debit less credit."""

    nominal: str
    name: str
    balance: Decimal
    where: str


def sage_amount(value: object, what: str) -> Decimal:
    """An amount of a Sage report: a cell's number, or text with separators, a sign, parentheses, CR or DR."""
    if isinstance(value, str):
        side = _SIDE.match(value.strip())
        if side and side[1].strip():
            amount = parse_number(side[1].strip(), what)
            return -abs(amount) if side[2].upper() == "CR" else abs(amount)
    return parse_number(value, what)


def load_report_profile(path: Path) -> dict[str, tuple[str, ...]]:
    """The Sage 50 aliases with a JSON profile file's fields in their place (see the module's docstring)."""
    where = f"[{path.name}]"
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise BadReport(f"a profile file over {MAX_PROFILE_BYTES:,} bytes is refused", where)
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise BadReport("profile file not found", where) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadReport(f"cannot read the profile file ({error})", where) from None
    except json.JSONDecodeError as error:
        raise BadReport(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}", where) from None
    if not isinstance(document, dict):
        raise BadReport('expected an object such as {"account": "Cust Code", "balance": "Amount"}', where)
    profile = dict(SAGE50)
    for key, value in document.items():
        if key not in FIELDS:
            raise BadReport(f'"{key}" is not a field of a Sage report profile (fields: {", ".join(FIELDS)})', where)
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise BadReport(f'"{key}" must name a header or a list of headers', where)
        profile[key] = tuple(names)
    return profile


def read_sage_report(path: Path, base_currency: str,
                     profile: dict[str, tuple[str, ...]] | None = None) -> SageReport:
    """The customer balances of a Sage Aged Debtors / Customer Balances report (CSV or XLSX)."""
    aliases = profile or SAGE50
    where = _grid(path)
    grid = where.rows
    header, columns = _header(grid, aliases, ("account", "balance"), path.name)
    where.header = header
    aged = [(j, cell_text(c)) for j, c in enumerate(grid[header])
            if header_key(c) in {header_key(a) for a in AGED_HEADERS} and j not in columns.values()]
    balances: list[SageBalance] = []
    totals: list[SageTotals] = []
    seen: dict[tuple[str, str], str] = {}
    for i in range(header + 1, len(grid)):
        row = grid[i]
        if not any(cell_text(c) for c in row):
            continue
        cell = _Cells(row, columns, where, i)
        account = cell.text("account")
        label = " ".join(cell_text(c) for c in row[:3])
        if not account or _TOTALS.fullmatch(account) or (not cell.text("name") and _TOTALS.match(label)):
            if cell.text("balance") or cell.text("base_balance"):
                totals.append(SageTotals(cell.amount("balance"), cell.amount("base_balance"), where(i, None)))
            continue
        balance = cell.amount("balance")
        if balance is None:
            raise BadReport(f'account "{account}" has no balance', where(i, columns["balance"]))
        code = cell.text("currency") or base_currency
        try:
            code = known_currency(code).code
        except ArxlError as error:
            raise BadReport(error.message, where(i, columns.get("currency"))) from None
        key = (account.upper(), code)
        if key in seen:
            raise BadReport(f"account {account} in {code} is listed twice (first at {seen[key]})", where(i, None))
        seen[key] = where(i, None)
        aged_values = tuple((title, a) for j, title in aged
                            if (a := _amount(row, j, title, where, i)) is not None)
        balances.append(SageBalance(account.upper(), cell.text("name"), code, balance, cell.amount("unallocated"),
                                    cell.amount("base_balance"), aged_values, where(i, None)))
    return SageReport(path.name, tuple(balances), tuple(totals), tuple(t for _, t in aged),
                      "base_balance" in columns, "unallocated" in columns)


def read_control_account(path: Path, nominal: str) -> ControlAccount:
    """The debit less the credit of one nominal code of Sage's trial balance (CSV or XLSX)."""
    where = _grid(path)
    grid = where.rows
    header, columns = _header(grid, TRIAL_BALANCE, ("nominal", "debit", "credit"), path.name)
    where.header = header
    wanted = nominal.strip().upper()
    for i in range(header + 1, len(grid)):
        cell = _Cells(grid[i], columns, where, i)
        if cell.text("nominal").upper() != wanted:
            continue
        debit, credit = cell.amount("debit") or Decimal(0), cell.amount("credit") or Decimal(0)
        return ControlAccount(wanted, cell.text("name"), debit - credit, where(i, None))
    raise BadReport(f"the trial balance has no nominal {wanted} (Settings' Sage Debtors Nominal)", f"[{path.name}]")


Where = Callable[[int, int | None], str]


class _Cells:
    """The cells of one row, by field, each error naming its line and column."""

    def __init__(self, row: Sequence[object], columns: dict[str, int], where: Where, index: int) -> None:
        self.row, self.columns, self.where, self.index = row, columns, where, index

    def text(self, name: str) -> str:
        j = self.columns.get(name)
        return cell_text(self.row[j]) if j is not None and j < len(self.row) else ""

    def amount(self, name: str) -> Decimal | None:
        j = self.columns.get(name)
        return None if j is None else _amount(self.row, j, name.replace("_", " "), self.where, self.index)


def _amount(row: Sequence[object], j: int, what: str, where: Where, index: int) -> Decimal | None:
    value = row[j] if j < len(row) else None
    if not cell_text(value):
        return None
    try:
        return sage_amount(value, what)
    except BadValue as error:
        raise BadReport(error.message, where(index, j)) from None


def _header(grid: list[list[object]], aliases: dict[str, tuple[str, ...]], needed: Sequence[str],
            name: str) -> tuple[int, dict[str, int]]:
    """The header row's index and the column of each field found in it (the first alias present wins)."""
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        keys = {header_key(c): j for j, c in reversed(list(enumerate(row))) if isinstance(c, str) and c.strip()}
        columns: dict[str, int] = {}
        for key, names in aliases.items():
            found = next((keys[k] for k in (header_key(n) for n in names) if k in keys), None)
            if found is not None and found not in columns.values():
                columns[key] = found
        if all(k in columns for k in needed):
            return i, columns
    wanted = "; ".join(f"{k}: {' or '.join(aliases[k])}" for k in needed)
    raise BadReport(f"no header row in the first {HEADER_SCAN_ROWS} rows has the columns {wanted}; give a "
                    'profile (--profile FILE.json, e.g. {"account": "Cust Code", "balance": "Amount"})',
                    f"[{name}]")


class _Source:
    """The rows of a CSV or of the first sheet of an XLSX, and how to name a place in them: a CSV by its line
    and column, a sheet by its cell; the column's header is added once the header row is known."""

    def __init__(self, name: str, rows: list[list[object]], lines: list[int] | None, sheet: str = "") -> None:
        self.name, self.rows, self.lines, self.sheet = name, rows, lines, sheet
        self.header: int | None = None

    def __call__(self, i: int, j: int | None) -> str:
        titled = ""
        if j is not None and self.header is not None and j < len(self.rows[self.header]):
            titled = f" ({cell_text(self.rows[self.header][j])})"
        if self.lines is None:
            cell = f"{column_letter(j + 1)}{i + 1}" if j is not None else f"{i + 1}:{i + 1}"
            return f"{CellRef(self.name, self.sheet, cell)}{titled}"
        column = f", column {column_letter(j + 1)}{titled}" if j is not None else ""
        return f"[{self.name}] line {self.lines[i]}{column}"


def _grid(path: Path) -> _Source:
    """The rows of a report file, CSV or XLSX (told by its content, not its name)."""
    name = path.name
    try:
        if path.is_dir():
            raise BadReport("is a folder, not a report", f"[{name}]")
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise BadReport(f"a report over {MAX_REPORT_BYTES // (1024 * 1024)} MB is refused", f"[{name}]")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadReport("file not found", f"[{name}]") from None
    except OSError as error:
        raise BadReport(f"cannot be read ({error.strerror or error})", f"[{name}]") from None
    if not data.strip():
        raise BadReport("the file is empty", f"[{name}]")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_grid(path)
    text = decode(data, name)
    head = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    delimiter = max((",", ";", "\t"), key=head.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    lines: list[int] = []
    try:
        for row in reader:
            lines.append(reader.line_num)
            rows.append(list(row))
    except csv.Error as error:
        raise BadReport(f"line {reader.line_num}: {error}", f"[{name}]") from None
    return _Source(name, rows, lines)


def _xlsx_grid(path: Path) -> _Source:
    from python_calamine import CalamineError, CalamineWorkbook

    from arxl.formats.xlsx.safety import inspect_xlsx

    inspect_xlsx(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.sheet_names[0]
        grid = cast(list[list[object]], book.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
    except (CalamineError, OSError, ValueError, IndexError) as error:
        raise BadReport(f"cannot be read: {str(error).strip()[:160]}", f"[{path.name}]") from None
    return _Source(path.name, grid, None, sheet)
