"""Bank exports as CSV or XLSX tables, read through a bank profile (see :mod:`.profiles`).

The layout is recognised by its header row, never guessed from the file name. Rows above the header (the
bank's letterhead) are searched for the account number and the currency when the profile names their
labels. Then each row below the header is a line when it has an amount: one signed amount (or unsigned, with a
Dr/Cr mark beside it: see :mod:`.profiles`), or a debit and a credit column (a debit becomes a negative amount;
a credit keeps its sign, so a reversal written -250,000 in the Credit column stays negative). Rows without an
amount are not lines: a row with only a balance is the stated opening or closing balance (an *available* or
uncleared balance is no booked one, and is left aside), and totals or blank rows are passed over: a row with no
date and no bank reference whose text begins with Total, Balance, Opening or Closing, Brought or Carried
forward. Any other row with an amount but no date is refused rather than guessed, whatever its narrative
says. In an XLSX, one sheet holds the statement: a workbook where several sheets have a statement's layout is
refused with their names.

A CSV is read strictly (:mod:`.strict_csv`); cells become numbers and dates through :mod:`.values`; where the
export has a running balance, every line must follow from the one before (:mod:`.balances`).

>>> text = ("Date,Value Date,Description,Reference,Debit,Credit,Balance\\n"
...         "03/07/2025,03/07/2025,MINISTRY OF ICT INV-2025-00042,FT25184XYZ,,\\"970,000.00\\",\\"1,970,000.00\\"\\n")
>>> _, drafts, _ = read_csv(text, "bk.csv", [], fallback_currency="RWF")
>>> drafts[0].opening, drafts[0].closing, drafts[0].lines[0].amount
(Decimal('1000000.00'), Decimal('1970000.00'), Decimal('970000.00'))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import cast

from arxl.core.errors import ArxlError, CellRef
from arxl.core.money import currency as known_currency
from arxl.core.money import exponent, is_rounded
from arxl.core.statement import StatementLine
from arxl.formats.statements.balances import _balances, _Row
from arxl.formats.statements.model import (
    DEFAULT_LIMITS,
    BadStatement,
    Draft,
    Limits,
    clean_text,
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
from arxl.formats.statements.strict_csv import (
    _SPARE_ROWS,
    DELIMITERS,
    _aligned,
    _width,
    _widths,
    csv_rows,
    first_lines,
    statement_rows,
)
from arxl.formats.statements.values import cell_text, parse_date, parse_number
from arxl.formats.xlsx.safety import inspect_xlsx
from arxl.ledger.port import column_letter
from arxl.ledger.records import header_key

_FOOTER = re.compile(r"^(?:sub\W*|grand\W*)?(?:totals?|balance|brought forward|carried forward|b/f|c/f|closing|"
                     r"opening)\b", re.IGNORECASE)
_NOT_BOOKED = re.compile(r"\b(?:available|uncleared|cleared balance|on hold|blocked|reserved|effective)\b",
                         re.IGNORECASE)
# a column of debit/credit marks beside one amount (header keys), and the marks
_SIGN_HEADERS = frozenset({"drcr", "crdr", "dc", "cd", "debitcredit", "creditdebit", "dbcr", "crdb", "drcrindicator",
                           "debitcreditindicator", "creditdebitindicator", "sign", "type", "transactiontype",
                           "txntype", "trntype", "entrytype"})
_LOOSE_SIGN_HEADERS = frozenset({"type", "transactiontype", "txntype", "trntype", "entrytype"})  # may hold other words
_DEBIT_MARKS = frozenset({"DR", "D", "DB", "DEBIT", "DEBITS", "WITHDRAWAL", "-"})
_CREDIT_MARKS = frozenset({"CR", "C", "CREDIT", "CREDITS", "DEPOSIT", "+"})
_MARKS = _DEBIT_MARKS | _CREDIT_MARKS
_COMMA_THOUSANDS = re.compile(r"[+-]?\(?\d{1,3}(?:,\d{3})+\)?-?")
_OPENING_WORDS = re.compile(r"opening|brought forward|b/f", re.IGNORECASE)
_CLOSING_WORDS = re.compile(r"closing|carried forward|c/f", re.IGNORECASE)
_CODE = re.compile(r"\b[A-Z]{3}\b")

Where = Callable[[int, str | None], str]


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
                                       line_of=numbers.__getitem__,
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
    fitting = [(sheet, grid, found) for sheet, grid in grids if (found := _match(grid, choices))]
    if len(fitting) > 1:
        shown = ", ".join(f"{sheet} (profile {found[0].name})" for sheet, _, found in fitting)
        raise BadStatement(f"{len(fitting)} sheets have a statement's layout: {shown}; arxl reads one statement"
                           " table per file, and will not guess which (a summary, another month): keep the"
                           " statement's sheet alone in the file, or save it as CSV", f"[{path.name}]")
    for sheet, grid, found in fitting:
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
               cut: bool = False, line_of: Callable[[int], int] = lambda row: row + 1,
               ) -> tuple[list[Draft], list[str]]:
    """The drafts and notes of a table below its header row.

    ``fields`` (CSV only) is the header's widths (:func:`_widths`) and its line: a row of another width that
    carries a date or an amount is refused (its columns would shift); a footer of text is passed over.
    ``cut`` says the file does not end with a line break, so a short last row is a file cut short.
    """
    reader = _Reader(rows, header, profile, where, date1904)
    file_currency = reader.preamble_currency() or profile.fixed_currency or fallback_currency
    account = reader.preamble(profile.account_label)
    lines: list[_Row] = []
    places: list[int] = []  # the line (CSV) or row (XLSX) of each of them
    stated: list[tuple[str, Decimal, str]] = []  # balance-only rows: (kind, amount, currency)
    skipped = 0
    notes: list[str] = []
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
        footer = reader.footer(index)
        amount = None if footer and reader.debit_and_credit(index) else reader.amount(index)  # a totals row
        if amount is None or amount == 0:
            balance = reader.number(index, profile.balance, "balance")
            if balance is not None:
                code = reader.currency(index, file_currency)
                text = " ".join(cell_text(c) for c in row)
                label = reader.label(index)
                if _NOT_BOOKED.search(label):
                    notes.append(f'"{label[:40]}" ({where(index, profile.balance)}) left aside: an'
                                 " available or uncleared balance is not the booked one")
                    continue
                kind = ("opening" if _OPENING_WORDS.search(text) else "closing" if _CLOSING_WORDS.search(text)
                        else "before" if not lines else "after")
                stated.append((kind, balance, code))
            elif amount == 0:
                skipped += 1
            continue
        if not cell_text(reader.cell(index, profile.date)):
            if footer:
                continue  # a total or balance line below the table
            raise BadStatement("this row has an amount but no date", where(index, profile.date))
        lines.append(reader.line(index, amount, file_currency))
        places.append(line_of(index))
        if len(lines) > max_lines:
            raise too_many_lines(Limits(max_lines=max_lines), where(index, None))
    if skipped:
        notes.append(f"{skipped} row(s) with a zero amount left out")
    drafts = []
    for code in dict.fromkeys(r.line.currency for r in lines):
        mine = [r for r in lines if r.line.currency == code]
        opening, closing = _balances(mine, [(k, b) for k, b, c in stated if c == code], check_balances)
        drafts.append(Draft("", account, code, opening, closing, tuple(r.line for r in mine),
                            rows=tuple(p for r, p in zip(lines, places, strict=True) if r.line.currency == code)))
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
        self.sign = self._sign_column()

    def _sign_column(self) -> int | None:
        """The column of debit/credit marks beside one amount: the profile's ``sign``, or one found by its
        header whose every mark is a debit or a credit (a column named for the marks holding anything else is
        refused at that cell; a Type column holding other words is not one)."""
        profile = self.profile
        if not profile.amount:
            return None
        if profile.sign:
            return self.columns.get(header_key(profile.sign))
        used = {header_key(c) for c in profile.mapped()}
        for key, j in self.columns.items():
            if key not in _SIGN_HEADERS or key in used:
                continue
            marks = [(i, _mark(self.rows[i][j])) for i in range(self.header + 1, len(self.rows))
                     if j < len(self.rows[i]) and cell_text(self.rows[i][j])]
            strange = next((i for i, mark in marks if mark not in _MARKS), None)
            if strange is None and marks:
                return j
            if strange is not None and key not in _LOOSE_SIGN_HEADERS:
                title = cell_text(self.rows[self.header][j])
                raise BadStatement(f'"{cell_text(self.rows[strange][j])[:20]}" in the {title} column is neither a'
                                   " debit (DR, D, Debit) nor a credit (CR, C, Credit) mark: the amount's sign cannot"
                                   " be read", self.where(strange, title))
        return None

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

    def label(self, index: int) -> str:
        """The row's first text that is no number or date (a footer's "Total", a balance row's words)."""
        for cell in self.rows[index]:
            if isinstance(cell, str) and cell_text(cell) and not re.fullmatch(r"[\d\s.,'()/:+-]+", cell_text(cell)):
                return cell_text(cell)
        return ""

    def footer(self, index: int) -> bool:
        """A total or balance row below the table: no date, no bank reference, its text begins with Total,
        Balance, Opening or Closing, Brought or Carried forward (not a payment whose narrative says "BALANCE
        OF INV-...", which has a reference or is refused for want of a date)."""
        profile = self.profile
        return (not cell_text(self.cell(index, profile.date)) and not cell_text(self.cell(index, profile.reference))
                and bool(_FOOTER.search(self.label(index))))

    def debit_and_credit(self, index: int) -> bool:
        profile = self.profile
        return bool(profile.debit and profile.credit and cell_text(self.cell(index, profile.debit))
                    and cell_text(self.cell(index, profile.credit)))

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
            amount = self.number(index, profile.amount, "amount")
            if amount is None or self.sign is None:
                return amount
            row = self.rows[index]
            mark = _mark(row[self.sign]) if self.sign < len(row) else ""
            if mark in _DEBIT_MARKS:
                return -abs(amount)
            if mark in _CREDIT_MARKS and amount < 0:
                raise BadStatement(f"amount {amount} is marked as a credit ({cell_text(row[self.sign])}) but is"
                                   " negative: which is it?", self.where(index, profile.amount))
            if mark and mark not in _CREDIT_MARKS:
                raise BadStatement(f'"{cell_text(row[self.sign])[:20]}" is neither a debit nor a credit mark',
                                   self.where(index, cell_text(self.rows[self.header][self.sign])))
            return amount
        debit = self.number(index, profile.debit, "debit")
        credit = self.number(index, profile.credit, "credit")
        if debit and credit:
            raise BadStatement(f"this row has both a debit ({debit}) and a credit ({credit})",
                               self.where(index, None))
        if debit is None and credit is None:
            return None
        return credit if credit else -abs(debit or Decimal(0))  # a credit written negative is a reversal

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
        if profile.decimal_separator == "." and exponent(code) == 3:
            for column in (profile.amount, profile.debit, profile.credit):
                raw = self.cell(index, column)
                if isinstance(raw, str) and _COMMA_THOUSANDS.fullmatch(cell_text(raw)):
                    raise BadStatement(f'amount "{cell_text(raw)}" in {code}, which has 3 decimals, may be'
                                       f' {cell_text(raw).replace(",", ".")} or {amount:,.3f} {code}: if "," marks the'
                                       ' decimals, give the bank profile "decimal_separator": ","',
                                       self.where(index, column))
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




def _mark(value: object) -> str:
    """A debit/credit mark as compared: upper case, without spaces and points ("Cr." is CR)."""
    return cell_text(value).upper().replace(".", "").replace(" ", "")
