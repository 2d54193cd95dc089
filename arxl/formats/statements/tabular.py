"""Bank exports as CSV or XLSX tables, read through a bank profile (see :mod:`.profiles`).

The layout is recognised by its header row, never guessed from the file name. Rows above the header (the
bank's letterhead) are searched for the account number and the currency when the profile names their
labels. Then each row below the header is a line when it has an amount: one signed amount, or a debit and
a credit column (a debit becomes a negative amount). Rows without an amount are not lines: a row with only
a balance is the stated opening or closing balance, and totals or blank rows are passed over. A row with an
amount but no date is refused rather than guessed.

A CSV is read strictly (:func:`statement_rows`): a quote that is never closed, quotes that do not pair up,
and a row with a date or an amount whose number of fields differs from the header's (its columns would
shift; the last row of a file cut short) are refused at their line, where Python's reader would have read
them as data. Blank lines, the letterhead above the header and text footers below the table are read as
before. Reading stops as soon as the rows pass the line limit.

Where the export has a running balance, every line must follow from the one before: balance = previous
balance + amount. That finds a missing, doubled or altered line at the row where it happens, in files listed
oldest first or newest first. The opening balance is then the first balance less the first amount, and the
closing balance the last balance.

>>> text = ("Date,Value Date,Description,Reference,Debit,Credit,Balance\\n"
...         "03/07/2025,03/07/2025,MINISTRY OF ICT INV-2025-00042,FT25184XYZ,,\\"970,000.00\\",\\"1,970,000.00\\"\\n")
>>> _, drafts, _ = read_csv(text, "bk.csv", [], fallback_currency="RWF")
>>> drafts[0].opening, drafts[0].closing, drafts[0].lines[0].amount
(Decimal('1000000.00'), Decimal('1970000.00'), Decimal('970000.00'))
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import cast

from arxl.core.dates import from_serial, to_date
from arxl.core.errors import ArxlError, CellRef
from arxl.core.money import currency as known_currency
from arxl.core.money import is_rounded, to_decimal
from arxl.core.statement import StatementLine
from arxl.formats.statements.model import (
    DEFAULT_LIMITS,
    BadStatement,
    BalanceMismatch,
    Draft,
    Limits,
    clean_text,
    money,
    restore,
    too_many_lines,
)
from arxl.formats.statements.profiles import (
    ADD_PROFILE_HINT,
    BUILTIN_PROFILES,
    CANONICAL,
    HEADER_SCAN_ROWS,
    BankProfile,
)
from arxl.formats.xlsx.safety import inspect_xlsx
from arxl.ledger.port import column_letter
from arxl.ledger.records import header_key

DELIMITERS = (",", ";", "\t", "|")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?$")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_FOOTER = re.compile(r"total|balance|brought forward|carried forward|b/f|c/f|closing|opening", re.IGNORECASE)
_OPENING_WORDS = re.compile(r"opening|brought forward|b/f", re.IGNORECASE)
_CLOSING_WORDS = re.compile(r"closing|carried forward|c/f", re.IGNORECASE)
_CODE = re.compile(r"\b[A-Z]{3}\b")
# Rows read beyond the line limit before a CSV or a sheet is refused unread: room for the header above and
# the bank's footer below the lines, whose exact number is checked row by row.
_SPARE_ROWS = 1_000

Where = Callable[[int, str | None], str]


@dataclass(frozen=True, slots=True)
class _Row:
    line: StatementLine
    balance: Decimal | None
    where: str


def read_csv(text: str, name: str, profiles: Sequence[BankProfile], *, check_balances: bool = True,
             fallback_currency: str | None = None, only: BankProfile | None = None,
             limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[Draft], list[str]]:
    """The format name, drafts and notes of a CSV bank export (text already decoded and size-checked).

    ``profiles`` are tried before the built-in ones; ``only`` restricts the reading to that one profile.
    The file is read strictly (see :func:`statement_rows`); reading stops once more rows than
    ``limits.max_lines`` allows have been seen.
    """
    head = first_lines(text, HEADER_SCAN_ROWS + 5)
    choices = [only] if only else [*profiles, *BUILTIN_PROFILES]
    widest: list[list[object]] = []
    for delimiter in DELIMITERS:
        sample, sample_numbers = csv_rows(head, delimiter, name)
        found = _match(sample, [p for p in choices if p.delimiter in (None, delimiter)])
        if found:
            profile, header = found
            # the letterhead above the header is read as it is; the table from the header down, strictly
            body, body_numbers = statement_rows(text, delimiter, name, sample_numbers[header],
                                                _widths(sample[header]), limits.max_lines + _SPARE_ROWS, limits)
            rows, numbers = sample[: header + 1] + body, sample_numbers[: header + 1] + body_numbers

            def where(row: int, column: str | None, numbers: list[int] = numbers) -> str:
                return f"[{name}] line {numbers[row]}" + (f" ({column})" if column else "")

            drafts, notes = _read_grid(rows, header, profile, where, check_balances=check_balances,
                                       fallback_currency=fallback_currency, max_lines=limits.max_lines,
                                       fields=(_widths(rows[header]), numbers[header]),
                                       cut=not text.endswith(("\n", "\r")))
            return f"CSV (profile {profile.name})", drafts, notes
        if _width(sample) > _width(widest):
            widest = sample
    raise _unknown_layout(widest, name, choices)


def read_xlsx(path: Path, profiles: Sequence[BankProfile], *, check_balances: bool = True,
              fallback_currency: str | None = None,
              limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[Draft], list[str]]:
    """The format name, drafts and notes of an XLSX bank export, after the workbook passed the safety check.

    A sheet with more rows than ``limits.max_lines`` allows is refused before its cells become Python values.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    info = inspect_xlsx(path)  # also refuses a sheet whose extent would not fit in memory
    try:
        book = CalamineWorkbook.from_path(str(path))
        grids = []
        for sheet in book.sheet_names:
            cells = book.get_sheet_by_name(sheet)
            if cells.height > HEADER_SCAN_ROWS + limits.max_lines + _SPARE_ROWS:
                raise too_many_lines(limits, str(CellRef(path.name, sheet, f"{cells.height}:{cells.height}")))
            grids.append((sheet, cast(list[list[object]], cells.to_python(skip_empty_area=False))))
    except ArxlError:
        raise
    except (CalamineError, OSError, ValueError) as error:
        raise BadStatement(f"cannot be read: {str(error).strip()[:160]}", f"[{path.name}]") from None
    choices = [*profiles, *BUILTIN_PROFILES]
    for sheet, grid in grids:
        found = _match(grid, choices)
        if found:
            profile, header = found

            def where(row: int, column: str | None, sheet: str = sheet, header: int = header,
                      profile: BankProfile = profile, grid: list[list[object]] = grid) -> str:
                index = _column_index(grid[header], column) if column else None
                cell = f"{column_letter(index + 1)}{row + 1}" if index is not None else f"{row + 1}:{row + 1}"
                return str(CellRef(path.name, sheet, cell))

            drafts, notes = _read_grid(grid, header, profile, where, check_balances=check_balances,
                                       fallback_currency=fallback_currency, date1904=info.date1904,
                                       max_lines=limits.max_lines)
            return f"XLSX (profile {profile.name}, sheet {sheet})", drafts, notes
    raise _unknown_layout(grids[0][1] if grids else [], path.name, choices)


def first_lines(text: str, count: int) -> str:
    """The first ``count`` lines of a text (all of it when shorter), to look for a header cheaply."""
    end = 0
    for _ in range(count):
        end = text.find("\n", end) + 1
        if end == 0:
            return text
    return text[:end]


def csv_rows(text: str, delimiter: str, name: str) -> tuple[list[list[object]], list[int]]:
    """The rows of a CSV text and the line number where each starts; a broken or oversized cell is refused."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    numbers: list[int] = []
    try:
        for row in reader:
            rows.append(list(row))
            numbers.append(reader.line_num)
    except csv.Error as error:
        detail = str(error)
        if "field larger than field limit" in detail:
            detail = f"a cell is longer than {csv.field_size_limit():,} characters"
        raise BadStatement(f"line {reader.line_num + 1}: {detail}; refused", f"[{name}]") from None
    return rows, numbers


def statement_rows(text: str, delimiter: str, name: str, skip: int, width: tuple[int, int], most: int,
                   limits: Limits = DEFAULT_LIMITS) -> tuple[list[list[object]], list[int]]:
    """The rows of a bank's CSV export below its header (the first ``skip`` lines), read strictly, and the
    line number where each ends.

    Strict means that damage is refused, naming the line, instead of being read as data:

    * a quote that is opened and never closed: Python's reader would take every following line, to the next
      quote or the end of the file, as one field (a payer's name 43 lines long, the lines gone). Refused at
      the line where the quote opened, with how many lines it would swallow;
    * a quote closed in the middle of a field (``"ACME"LTD``): the quotes do not pair up;
    * a field over several lines (banks quote a narrative with line breaks) is accepted only when its row
      has the header's ``width`` (see :func:`_widths`) and none of its inner lines looks like a row of its own.

    Blank lines give empty rows, as before; rows of another width than the header's are judged where the
    profile is known (:func:`_read_grid`). Reading stops with a refusal once ``most`` rows that are not blank
    have been read: a file of a million lines is refused without being parsed whole.
    """
    source = io.StringIO(text, newline="")
    for _ in itertools.islice(source, skip):
        pass
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    numbers: list[int] = []
    start = skip + 1  # the physical line where the row being read begins
    filled = 0
    try:
        for row in reader:
            end = skip + reader.line_num
            if end > start and _swallowed(row, width, delimiter):
                raise _unclosed(text, start, end, delimiter, name, closed=True)
            rows.append(list(row))
            numbers.append(end)
            filled += 1 if row else 0
            if filled > most:
                raise too_many_lines(limits, f"[{name}] line {end}")
            start = end + 1
    except csv.Error as error:
        detail = str(error)
        line = skip + reader.line_num
        if "field larger than field limit" in detail:
            raise BadStatement(f"line {line + 1}: a cell is longer than {csv.field_size_limit():,}"
                               " characters; refused", f"[{name}]") from None
        if line > start or "end of data" in detail:
            raise _unclosed(text, start, line, delimiter, name, closed="end of data" not in detail) from None
        raise _unpaired(name, line) from None
    return rows, numbers


def _swallowed(row: list[str], width: tuple[int, int], delimiter: str) -> bool:
    """True when a row spread over several lines is lines run together by a missing quote."""
    if not _aligned(row, width):
        return True
    inner = [part for cell in row if "\n" in cell for part in cell.split("\n")[1:-1]]
    return width[0] >= 3 and any(part.count(delimiter) >= width[0] - 1 for part in inner)


def _widths(header: Sequence[object]) -> tuple[int, int]:
    """The header's fields up to its last named column, and all its fields (with trailing empty ones)."""
    named = max((j + 1 for j, cell in enumerate(header) if cell_text(cell)), default=0)
    return named, len(header)


def _aligned(row: Sequence[object], width: tuple[int, int]) -> bool:
    """The row has as many fields as the header: up to its last named column or all of them, or one empty
    field more (a delimiter at the end of each row but not of the header)."""
    named, full = width
    return named <= len(row) <= full or (len(row) == full + 1 and not cell_text(row[-1]))


def _unclosed(text: str, start: int, end: int, delimiter: str, name: str, *, closed: bool) -> BadStatement:
    """The refusal of a quote that runs over lines: where it opened, and how many lines it takes."""
    lines = list(itertools.islice(io.StringIO(text, newline=""), start - 1, end))
    opened = start
    inside = False
    for number, line in enumerate(lines[:-1] if closed else lines, start=start):
        fresh = True  # at the start of a field
        i = 0
        while i < len(line):
            char = line[i]
            if inside:
                if char == '"':
                    if line[i + 1 : i + 2] == '"':
                        i += 1
                    else:
                        inside = False
                        fresh = False
            elif char == '"' and fresh:
                inside, opened = True, number
            else:
                fresh = char == delimiter
            i += 1
    if closed:
        taken = end - opened - 1
        between = f"the {_lines(taken)} between" if taken else "the line break between them"
        return BadStatement(f"a quote opened here is closed only on line {end}; {between} would be read as one"
                            " field: a quote is missing", f"[{name}] line {opened}")
    taken = end - opened
    if not taken:
        return BadStatement("a quote opened here is never closed: the file ends inside it, so it was cut short"
                            " (or a quote is missing); download it again", f"[{name}] line {opened}")
    return BadStatement(f"a quote opened here is never closed; the next {_lines(taken)} (to the end of the file)"
                        " would be read as one field: a quote is missing, or the file was cut short",
                        f"[{name}] line {opened}")


def _unpaired(name: str, line: int) -> BadStatement:
    return BadStatement("the quotes do not pair up: a quoted field is closed and more text follows before the"
                        " next delimiter; a quote is missing or one too many", f"[{name}] line {line}")


def _lines(count: int) -> str:
    return f"{count:,} line{'' if count == 1 else 's'}"


def _width(rows: list[list[object]]) -> int:
    return max((sum(1 for c in row if cell_text(c)) for row in rows), default=0)


def _match(rows: list[list[object]], profiles: Sequence[BankProfile]) -> tuple[BankProfile, int] | None:
    """The first profile whose headers a row within the first 30 has, and that row's index."""
    keys = [{header_key(c) for c in row if isinstance(c, str) and c.strip()} for row in rows[:HEADER_SCAN_ROWS]]
    for profile in profiles:
        need = profile.required()
        candidates = [profile.skip_rows] if profile.skip_rows is not None else range(len(keys))
        for index in candidates:
            if index < len(keys) and need <= keys[index]:
                return profile, index
    return None


def _unknown_layout(rows: list[list[object]], name: str, profiles: Sequence[BankProfile]) -> BadStatement:
    best = max(rows[:HEADER_SCAN_ROWS], key=lambda r: sum(1 for c in r if cell_text(c)), default=[])
    found = ", ".join(t for t in (cell_text(c)[:40] for c in best) if t)[:400] or "none"
    tried = ", ".join(dict.fromkeys(p.name for p in profiles))
    return BadStatement(f"no bank profile fits this layout; the columns found are: {found}."
                        f" Profiles tried: {tried}. To read it, {ADD_PROFILE_HINT}", f"[{name}]")


def _column_index(header_row: Sequence[object], column: str | None) -> int | None:
    if not column:
        return None
    key = header_key(column)
    return next((j for j, cell in enumerate(header_row) if isinstance(cell, str) and header_key(cell) == key), None)


def _read_grid(rows: list[list[object]], header: int, profile: BankProfile, where: Where, *,
               check_balances: bool, fallback_currency: str | None, date1904: bool = False,
               max_lines: int = DEFAULT_LIMITS.max_lines, fields: tuple[tuple[int, int], int] | None = None,
               cut: bool = False) -> tuple[list[Draft], list[str]]:
    """The drafts and notes of a table below its header row.

    ``fields`` (CSV only) is the header's widths (:func:`_widths`) and its line: a row of another width that
    carries a date or an amount is refused (its columns would shift); a footer of text is passed over.
    ``cut`` says the file does not end with a line break, so a short last row is a file cut short.
    """
    reader = _Reader(rows, header, profile, where, date1904)
    file_currency = reader.preamble_currency() or profile.fixed_currency or fallback_currency
    account = reader.preamble(profile.account_label)
    lines: list[_Row] = []
    stated: list[tuple[str, Decimal, str]] = []  # balance-only rows: (kind, amount, currency)
    skipped = 0
    for index in range(header + 1, len(rows)):
        row = rows[index]
        if not any(cell_text(c) for c in row):
            continue
        if fields is not None and not _aligned(row, fields[0]) and reader.carries_data(index):
            ending = ("; the file ends in the middle of this row: it was cut short, download it again"
                      if cut and index == len(rows) - 1 else "")
            raise BadStatement(f"this row has {len(row)} fields but the header (line {fields[1]}) has"
                               f" {fields[0][1]}:"
                               " a delimiter or a quote is missing or one too many, and its columns would shift"
                               + ending, where(index, None))
        amount = reader.amount(index)
        if amount is None or amount == 0:
            balance = reader.number(index, profile.balance, "balance")
            if balance is not None:
                code = reader.currency(index, file_currency)
                text = " ".join(cell_text(c) for c in row)
                kind = ("opening" if _OPENING_WORDS.search(text) else "closing" if _CLOSING_WORDS.search(text)
                        else "before" if not lines else "after")
                stated.append((kind, balance, code))
            elif amount == 0:
                skipped += 1
            continue
        if not cell_text(reader.cell(index, profile.date)):
            if _FOOTER.search(" ".join(cell_text(c) for c in row)):
                continue  # a total or balance line below the table
            raise BadStatement("this row has an amount but no date", where(index, profile.date))
        lines.append(reader.line(index, amount, file_currency))
        if len(lines) > max_lines:
            raise too_many_lines(Limits(max_lines=max_lines), where(index, None))
    notes = [f"{skipped} row(s) with a zero amount left out"] if skipped else []
    drafts = []
    for code in dict.fromkeys(r.line.currency for r in lines):
        mine = [r for r in lines if r.line.currency == code]
        opening, closing = _balances(mine, [(k, b) for k, b, c in stated if c == code], check_balances)
        drafts.append(Draft("", account, code, opening, closing, tuple(r.line for r in mine)))
    if not drafts:
        drafts.append(Draft("", account, file_currency or "", None, None, ()))
    return drafts, notes


class _Reader:
    """The cells of one table, read through a profile, with each error naming its row and column."""

    def __init__(self, rows: list[list[object]], header: int, profile: BankProfile, where: Where,
                 date1904: bool) -> None:
        self.rows = rows
        self.header = header
        self.profile = profile
        self.where = where
        self.date1904 = date1904
        self.columns: dict[str, int] = {}
        for j, cell in enumerate(rows[header]):
            if isinstance(cell, str) and cell.strip():
                self.columns.setdefault(header_key(cell), j)
        self._positions: dict[str, int | None] = {}  # a profile's column name -> its position, found once

    def cell(self, index: int, column: str | None) -> object:
        if not column:
            return None
        try:
            j = self._positions[column]
        except KeyError:
            j = self._positions[column] = self.columns.get(header_key(column))
        row = self.rows[index]
        return row[j] if j is not None and j < len(row) else None

    def carries_data(self, index: int) -> bool:
        """True when the row has a date where the profile reads one, or a number in an amount column."""
        profile = self.profile
        try:
            if cell_text(self.cell(index, profile.date)):
                self.date(index, profile.date)
                return True
        except ArxlError:
            pass
        for column in (profile.amount, profile.debit, profile.credit, profile.balance):
            try:
                if self.number(index, column, "amount") is not None:
                    return True
            except ArxlError:
                continue
        return False

    def preamble(self, label: str | None) -> str:
        """The value written beside a label above the header ("Account Number: 000400012345")."""
        if not label:
            return ""
        key = header_key(label)
        for row in self.rows[: self.header]:
            texts = [cell_text(c) for c in row]
            for j, text in enumerate(texts):
                before, colon, after = text.partition(":")
                if colon and header_key(before) == key and after.strip():
                    return clean_text(after)
                if header_key(text) == key:
                    return next((t for t in texts[j + 1 :] if t), "")
        return ""

    def preamble_currency(self) -> str:
        for token in _CODE.findall(self.preamble(self.profile.currency_label).upper()):
            try:
                return known_currency(token).code
            except ArxlError:
                continue
        return ""

    def number(self, index: int, column: str | None, what: str) -> Decimal | None:
        value = self.cell(index, column)
        if not cell_text(value):
            return None
        try:
            return parse_number(value, what, decimal_separator=self.profile.decimal_separator,
                                thousands_separator=self.profile.thousands_separator)
        except ArxlError as error:
            raise BadStatement(error.message, self.where(index, column)) from None

    def amount(self, index: int) -> Decimal | None:
        profile = self.profile
        if profile.amount:
            return self.number(index, profile.amount, "amount")
        debit = self.number(index, profile.debit, "debit")
        credit = self.number(index, profile.credit, "credit")
        if debit and credit:
            raise BadStatement(f"this row has both a debit ({debit}) and a credit ({credit})",
                               self.where(index, None))
        if debit is None and credit is None:
            return None
        return abs(credit) if credit else -abs(debit or Decimal(0))

    def currency(self, index: int, file_currency: str | None) -> str:
        code = cell_text(self.cell(index, self.profile.currency)) or file_currency
        if not code:
            raise BadStatement("no currency: the file has no currency column and names none above the table;"
                               " give the profile a fixed_currency or a currency_label",
                               self.where(index, self.profile.currency))
        try:
            return known_currency(code).code
        except ArxlError as error:
            raise BadStatement(error.message, self.where(index, self.profile.currency)) from None

    def date(self, index: int, column: str) -> dt.date:
        value = self.cell(index, column)
        try:
            return parse_date(value, self.profile.date_format, self.date1904)
        except ArxlError as error:
            raise BadStatement(error.message, self.where(index, column)) from None

    def line(self, index: int, amount: Decimal, file_currency: str | None) -> _Row:
        profile = self.profile
        code = self.currency(index, file_currency)
        if not is_rounded(amount, code):
            raise BadStatement(f"amount {amount} has more decimals than {code} allows",
                               self.where(index, profile.amount or profile.credit))
        booking = self.date(index, profile.date)
        value = booking
        if profile.value_date and cell_text(self.cell(index, profile.value_date)):
            value = self.date(index, profile.value_date)
        narrative = " ".join(t for t in (cell_text(self.cell(index, c)) for c in profile.narrative) if t)
        line = StatementLine(
            line_id=cell_text(self.cell(index, profile.line_id)),
            booking_date=booking,
            value_date=value,
            amount=amount,
            currency=code,
            counterparty_name=cell_text(self.cell(index, profile.counterparty_name)),
            counterparty_account=cell_text(self.cell(index, profile.counterparty_account)),
            narrative=narrative,
            bank_reference=cell_text(self.cell(index, profile.reference)),
        )
        if profile == CANONICAL:  # arxl's own file: take off the quote it put before "=..." (see .canonical)
            line = dataclasses.replace(line, line_id=restore(line.line_id),
                                       counterparty_name=restore(line.counterparty_name),
                                       counterparty_account=restore(line.counterparty_account),
                                       narrative=restore(line.narrative), bank_reference=restore(line.bank_reference))
        return _Row(line, self.number(index, profile.balance, "balance"), self.where(index, profile.balance))


def cell_text(value: object) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO; bank text kept as written (never evaluated)."""
    if type(value) is str:
        return clean_text(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


def parse_number(value: object, what: str, *, decimal_separator: str = ".", thousands_separator: str = ",") -> Decimal:
    """A number from a cell of an outside file: a cell's own number, or text with thousands separators,
    accounting parentheses or a trailing minus ("1,000.00-"), read through :func:`arxl.core.money.to_decimal`.

    >>> parse_number("1,180,000.00-", "amount"), parse_number("1.250,50", "amount", decimal_separator=",",
    ...                                                      thousands_separator=".")
    (Decimal('-1180000.00'), Decimal('1250.50'))
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return to_decimal(value, what)
    text = clean_text(value).replace("\u00a0", " ").replace("\u202f", " ")
    if text.endswith("-") and not text.startswith("-"):  # "1,000.00-": a trailing minus
        text = "-" + text[:-1].strip()
    thousands = thousands_separator
    if decimal_separator == ",":
        if thousands and re.fullmatch(rf"[+-]?\(?\d{{1,3}}({re.escape(thousands)}\d{{3}})+(,\d+)?\)?", text):
            text = text.replace(thousands, "")
        if "." in text:
            raise ArxlError(f'{what} "{text[:40]}" is not a number written with "," for decimals')
        text = text.replace(",", ".")
    elif not thousands and re.search(r"[,' ]", text):
        raise ArxlError(f'{what} "{text[:40]}" is not a plain number (no thousands separators here)')
    return to_decimal(text, what)


def parse_date(value: object, date_format: str = "dmy", date1904: bool = False) -> dt.date:
    """A date from a cell of an outside file: a cell's own date, an Excel serial, ISO text, or day-first text
    (``mdy`` month-first), with any time of day dropped.

    >>> parse_date("05/07/2025 14:30"), parse_date(45839.5), parse_date("07/05/2025", "mdy")
    (datetime.date(2025, 7, 5), datetime.date(2025, 7, 1), datetime.date(2025, 7, 5))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_date(value, "date", date1904)
    text = _TIME.sub("", cell_text(value)).strip()
    shown = f'date "{text[:40]}"'
    if date_format == "excel" and re.fullmatch(r"\d{1,7}(\.\d+)?", text):
        return from_serial(float(text), date1904)
    iso = _ISO.fullmatch(text)
    slashed = _SLASHED.fullmatch(text)
    if not iso and date_format == "iso":
        raise ArxlError(f"{shown} is not an ISO date (YYYY-MM-DD)")
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if date_format == "mdy" and slashed:
            return dt.date(int(slashed[3]), int(slashed[1]), int(slashed[2]))
    except ValueError:
        raise ArxlError(f"{shown} is not a date") from None
    return to_date(text, "date")


def _balances(rows: list[_Row], stated: list[tuple[str, Decimal]], check: bool) -> tuple[Decimal | None,
                                                                                          Decimal | None]:
    """The opening and closing balances of one currency's lines, checking the running balance row by row."""
    stated_opening = next((b for k, b in stated if k in ("opening", "before")), None)
    stated_closing = next((b for k, b in reversed(stated) if k in ("closing", "after")), None)
    known = [i for i, r in enumerate(rows) if r.balance is not None]
    if not known:
        return stated_opening, stated_closing
    amounts = [r.line.amount for r in rows]
    rising = _first_break(rows, known, newest_first=False)
    falling = _first_break(rows, known, newest_first=True)
    dates_fall = rows[0].line.booking_date > rows[-1].line.booking_date
    newest_first = (rising is not None or dates_fall) and falling is None
    if check and rising is not None and falling is not None:
        raise falling if dates_fall else rising
    first, last = known[0], known[-1]
    first_balance, last_balance = rows[first].balance, rows[last].balance
    assert first_balance is not None and last_balance is not None
    if newest_first:
        closing = first_balance + sum(amounts[:first], Decimal(0))
        opening = last_balance - sum(amounts[last:], Decimal(0))
    else:
        opening = first_balance - sum(amounts[: first + 1], Decimal(0))
        closing = last_balance + sum(amounts[last + 1 :], Decimal(0))
    code = rows[0].line.currency
    for label, said, computed in (("opening", stated_opening, opening), ("closing", stated_closing, closing)):
        if check and said is not None and said != computed:
            raise BalanceMismatch(f"the stated {label} balance {money(said, code)} differs from the"
                                  f" {money(computed, code)} the running balances give", rows[0].where)
    return opening, closing


def _first_break(rows: list[_Row], known: list[int], *, newest_first: bool) -> BalanceMismatch | None:
    for p, q in itertools.pairwise(known):
        earlier, later = (q, p) if newest_first else (p, q)
        before, after = rows[earlier].balance, rows[later].balance
        assert before is not None and after is not None
        between = rows[p + 1 : q + 1] if not newest_first else rows[p:q]
        moved = sum((r.line.amount for r in between), Decimal(0))
        if before + moved != after:
            code = rows[p].line.currency
            order = " (the file lists the newest first)" if newest_first else ""
            return BalanceMismatch(
                f"the balance {money(after, code)} does not follow from the balance {money(before, code)}"
                f" before it{order}: {money(before, code)} + {money(moved, code)} = {money(before + moved, code)}",
                rows[later].where)
    return None
