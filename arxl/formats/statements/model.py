"""A bank statement once it is read: its lines, its balances, and the checks every import passes.

Whatever the bank sent (a CSV or XLSX export, MT940, camt.053/052/054), a format reader hands back one
:class:`Draft` per statement in the file — an MT940 file often holds several days, a camt file several
accounts — and :func:`finish` turns them into one :class:`Statement`:

* **balances** — where the bank gave an opening and a closing balance, the lines must explain the movement:
  opening + lines = closing, per statement and currency. A mismatch means a line is missing, doubled or
  altered, and the import is refused with the figures
  (``opening 1,000,000 + lines 250,000 = 1,250,000 but the closing balance is 1,240,000``);
* **chain** — consecutive statements of one account and currency in one file (MT940 days or pages, camt
  ``Stmt``/``Rpt``), taken in the order of their balance dates (then the bank's numbering, then the file's
  order, so an export listing the newest first is read right), must chain: each opens at the balance the one
  before it closed at. A gap means a page or a day of lines is missing, though each statement adds up on its
  own, and the import is refused with the figures (``statement S3 opens at 1,300,000 RWF but statement S1,
  before it (line 1), closed at 1,250,000 RWF``);
* **no lines** — a statement with nothing to reconcile is refused ("has no lines");
* **line ids** — each line gets an id that is the same every time the file is read: the bank's own
  reference when it is unique in the file, else ``<statement id>-<n>``; an id the file gives twice (arxl's
  own CSV has a ``line_id`` column) is refused, naming the lines where it appears;
* **fingerprint** — a SHA-256 over the account and the (booking date, amount, currency) of every line,
  sorted. It ignores the file's layout, narratives and line order, so the same statement exported again,
  or in another format with the same account number, has the same fingerprint; given
  ``known_fingerprints``, a second read is refused (:class:`AlreadyImported`). It leaves out narratives on
  purpose: banks cut and arrange them differently in each format. The fingerprint names a *file*; the
  workbook's import recognises *lines* one by one (:mod:`arxl.cashapp.banklines`), because overlapping
  downloads are different files holding the same lines.

>>> from datetime import date
>>> line = StatementLine("", date(2025, 7, 3), date(2025, 7, 3), Decimal("250000"), "RWF",
...                      bank_reference="FT25184XYZ")
>>> draft = Draft("S1", "000400012345", "RWF", Decimal("1000000"), Decimal("1240000"), (line,))
>>> finish([draft], "bk.csv", "CSV")
Traceback (most recent call last):
...
arxl.formats.statements.model.BalanceMismatch: [bk.csv]: statement S1 (account 000400012345) does not add up: \
opening 1,000,000 + lines 250,000 = 1,250,000 but the closing balance is 1,240,000 RWF
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.accounts import account_id, usable_reference
from arxl.core.errors import ArxlError, UnknownCurrency
from arxl.core.money import exponent, figure, is_rounded, round_money
from arxl.core.statement import StatementLine

MB = 1024 * 1024
FINGERPRINT_VERSION = "arxl-statement-fingerprint-v1"
_MAX_ID_CHARS = 64
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width spaces, BOM
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class BadStatement(ArxlError):
    """A file that is not a readable bank statement (wrong format, damaged, hostile, empty)."""

    default = "not a readable bank statement"


class BalanceMismatch(BadStatement):
    """The lines do not explain the movement between the opening and the closing balance."""

    default = "the lines do not add up to the closing balance"


class AlreadyImported(ArxlError):
    """The same statement (same fingerprint) was imported before."""

    default = "this statement was already imported"


@dataclass(frozen=True, slots=True)
class Limits:
    """How much an untrusted statement file may make us read. Generous for real statements, small for bombs."""

    max_file_bytes: int = 50 * MB
    max_line_chars: int = 64 * 1024  # one physical line of a text file (a CSV row, an MT940 tag line)
    max_lines: int = 200_000  # statement lines in one file; checked while reading, before all is parsed


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Draft:
    """One statement of a file as a format reader found it; line ids may still be blank."""

    statement_id: str  # the bank's id (MT940 :20:/:28C:, camt Stmt/Id); blank when the file has none
    account: str
    currency: str
    opening: Decimal | None
    closing: Decimal | None
    lines: tuple[StatementLine, ...]
    final: bool = True  # the closing balance is the statement's final one (MT940 62F), not a page's (62M)
    begins: int | None = None  # the line of the file where the statement begins (MT940 :20:, camt Stmt)
    opened: dt.date | None = None  # the date of the opening balance
    closed: dt.date | None = None  # the date of the closing balance
    numbers: tuple[int, ...] = ()  # the bank's numbering: MT940 :28C: statement/page, camt ElctrncSeqNb
    rows: tuple[int, ...] = ()  # the line (row) of the file each statement line was read from, when known


@dataclass(frozen=True, slots=True)
class Section:
    """One statement inside the file, with its balances and whether they were checked."""

    statement_id: str
    account: str
    currency: str
    opening: Decimal | None
    closing: Decimal | None
    lines: int
    total: Decimal  # the sum of its lines in its currency
    final: bool = True
    checked: bool = False  # opening + lines = closing was verified
    switched_off: bool = False  # read with the balance check switched off (--no-balance-check)


@dataclass(frozen=True, slots=True)
class Statement:
    """A bank statement file, read and checked: the canonical lines and what the bank said about them.

    ``account`` and ``currency`` are the file's account and currency; a file holding several accounts or
    currencies lists them joined by ", ", and then ``opening`` and ``closing`` are None (they cannot be
    added up). ``sections`` has one entry per statement in the file; ``notes`` says what was left out or
    could not be checked, in words.
    """

    lines: tuple[StatementLine, ...]
    account: str
    currency: str
    opening: Decimal | None
    closing: Decimal | None
    fingerprint: str
    source: str  # the file's name
    format: str = ""  # "MT940", "camt.053.001.02", "CSV (profile bk)"...
    sections: tuple[Section, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def balances(self) -> str:
        """What became of the balance check, in words a Statements table can keep: :data:`BALANCES_CHECKED`
        (every statement in the file added up), :data:`BALANCES_SWITCHED_OFF` (read with
        ``--no-balance-check``), :data:`BALANCES_NOT_GIVEN` (the file gives no opening and closing balance to
        check, as most bank CSV exports) or ``"checked in 2 of 3 statements"``.
        """
        return balances_state(self.sections)

    @property
    def balances_checked(self) -> int:
        """How many of the file's statements had both balances and were found to add up."""
        return sum(1 for s in self.sections if s.checked)

    def summary(self) -> str:
        """One line for the accountant: lines, credits and debits per currency, and the balance checks."""
        parts = []
        for code in sorted({line.currency for line in self.lines}):
            mine = [line.amount for line in self.lines if line.currency == code]
            credits = [a for a in mine if a > 0]
            debits = [a for a in mine if a < 0]
            parts.append(f"{_count(len(mine), 'line')} in {code}: {_count(len(credits), 'credit')}"
                         f" {money(sum(credits, Decimal(0)), code)}, {_count(len(debits), 'debit')}"
                         f" {money(sum(debits, Decimal(0)), code)}")
        checked = self.balances_checked
        skipped = sum(1 for s in self.sections if not s.checked and s.opening is not None and s.closing is not None)
        if skipped:
            check = f"balances NOT checked in {_count(skipped, 'statement')} (switched off)"
        elif checked == len(self.sections):
            check = f"balances checked ({_count(checked, 'statement')})"
        elif checked:
            check = f"balances checked in {checked} of {len(self.sections)} statements"
        else:
            check = "balances not checked (the file does not give both an opening and a closing balance)"
        return f"{self.source} ({self.format}): " + "; ".join(parts) + f"; {check}"


BALANCES_CHECKED = "checked"
BALANCES_SWITCHED_OFF = "not checked: switched off"
BALANCES_NOT_GIVEN = "not given"


def balances_state(sections: Sequence[Section]) -> str:
    """:attr:`Statement.balances` of these sections (see there)."""
    checked = sum(1 for s in sections if s.checked)
    if sections and checked == len(sections):
        return BALANCES_CHECKED
    if any(s.switched_off and (s.opening is not None or s.closing is not None) for s in sections):
        return BALANCES_SWITCHED_OFF
    if not checked:
        return BALANCES_NOT_GIVEN
    return f"checked in {checked} of {len(sections)} statements"


def too_many_lines(limits: Limits, where: str) -> BadStatement:
    """The refusal of a file with more statement lines than ``limits.max_lines``, saying how to change it."""
    return BadStatement(f"the file holds more than {limits.max_lines:,} statement lines, the most arxl reads from"
                        " one file (a guard against runaway files); split the export by period, or raise the"
                        " limit with --max-lines N", where)


def check_line_count(drafts: Sequence[Draft], source: str, limits: Limits) -> None:
    """Refuse a file whose statements hold more lines than ``limits.max_lines`` in all."""
    if sum(len(d.lines) for d in drafts) > limits.max_lines:
        raise too_many_lines(limits, f"[{source}]")


def first_repeat(drafts: Sequence[Draft]) -> tuple[int, int] | None:
    """The positions (0-based) of the first statement that repeats an earlier one of the same file, and of
    that earlier one; None when there is no repeat.

    A repeat is the same account, currency, balances and lines (the statement's number aside: a copy with
    its number changed is still a copy) — the same statement pasted twice, which doubles every line and still
    adds up, statement by statement. Consecutive days of one account differ in their balances or lines; two
    days without any line are not a repeat (nothing would be counted twice).
    """
    seen: dict[tuple[object, ...], int] = {}
    for index, draft in enumerate(drafts):
        if not draft.lines:
            continue
        key = (draft.account, draft.currency, draft.opening, draft.closing, draft.lines)
        earlier = seen.setdefault(key, index)
        if earlier != index:
            return index, earlier
    return None


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def money(amount: Decimal, code: str) -> str:
    """An amount with thousands separators and the currency's decimals, as the accountant writes it.

    >>> money(Decimal("1250000"), "RWF"), money(Decimal("-321.4"), "EUR")
    ('1,250,000', '-321.40')
    """
    try:
        return figure(amount, code)
    except UnknownCurrency:  # a bank's code that is no ISO currency: two decimals, as most currencies have
        return f"{amount:,.2f}"


def clean_text(text: object) -> str:
    """Bank text as one tidy line: soft hyphens and control characters out, runs of spaces as one.

    Nothing else is changed: text that looks like a formula (``=HYPERLINK(...)``) stays text.

    >>> clean_text("10\\xad06\\xad2010\\tGPSEOUL\\n  ROSMALEN ")
    '10062010 GPSEOUL ROSMALEN'
    """
    if text is None:
        return ""
    value = str(text)
    if value.isascii() and value.isprintable() and "  " not in value:
        return value.strip()  # the common case: nothing to take out, no run of spaces
    value = _INVISIBLE.sub("", value)
    value = _CONTROL.sub(" ", value)
    return _SPACES.sub(" ", value).strip()


_FORMULA_START = re.compile("^'*[=+\\-@\t\r]")


def neutralise(text: str) -> str:
    """Text for a CSV a spreadsheet will open: a quote before a leading ``= + - @``, tab or carriage return.

    OWASP's defence against CSV injection: the spreadsheet shows the text instead of evaluating it. Text
    that already begins with quotes before such a character gets one more, so :func:`restore` gives back
    exactly the bank's text.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-REF 42"), neutralise("'=A1"), neutralise("ACME '=")
    ("'=HYPERLINK(1)", "'-REF 42", "''=A1", "ACME '=")
    """
    return "'" + text if _FORMULA_START.match(text) else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: one leading quote less, only where it added one.

    >>> restore("'=HYPERLINK(1)"), restore("''=A1"), restore("'quoted'"), restore("-5")
    ('=HYPERLINK(1)', "'=A1", "'quoted'", '-5')
    """
    return text[1:] if text.startswith("'") and _FORMULA_START.match(text[1:]) else text


def finish(drafts: Sequence[Draft], source: str, format_name: str, notes: Iterable[str] = (), *,
           check_balances: bool = True, known_fingerprints: Collection[str] = ()) -> Statement:
    """Check the drafts of one file and make them a :class:`Statement` (see the module's docstring)."""
    notes = list(notes)
    where = f"[{source}]"
    if not any(d.lines for d in drafts):
        raise BadStatement("has no lines: the file holds no booked transaction to import", where)
    drafts = [_rounded(d, where) for d in drafts]
    sections = [_section(d, where, check_balances, notes) for d in drafts]
    if check_balances:
        check_chain(drafts, source)
    fingerprint = statement_fingerprint(drafts)
    lines = _with_line_ids(drafts, fingerprint, source)
    accounts = _distinct(d.account for d in drafts)
    currencies = _distinct(d.currency for d in drafts)
    single = len(accounts) <= 1 and len(currencies) == 1
    if fingerprint in known_fingerprints:
        raise AlreadyImported(f"this statement was already imported (fingerprint {fingerprint[:16]}…)", where)
    ordered = in_order(drafts, range(len(drafts)))  # a file may list the newest statement first
    return Statement(
        lines=lines,
        account=", ".join(accounts),
        currency=", ".join(currencies),
        opening=drafts[ordered[0]].opening if single else None,
        closing=drafts[ordered[-1]].closing if single else None,
        fingerprint=fingerprint,
        source=source,
        format=format_name,
        sections=tuple(sections),
        notes=tuple(notes),
    )


def _rounded(draft: Draft, where: str) -> Draft:
    """Amounts with exactly the currency's decimals (1,000.00 RWF is 1000); more decimals are refused."""
    lines = []
    for line in draft.lines:
        if not is_rounded(line.amount, line.currency):
            raise BadStatement(f"the line of {line.booking_date.isoformat()} {line.bank_reference} has the amount"
                               f" {line.amount}, more decimals than {line.currency} allows", where)
        lines.append(dataclasses.replace(line, amount=round_money(line.amount, line.currency)))
    return dataclasses.replace(draft, lines=tuple(lines), opening=_exact(draft.opening, draft.currency),
                               closing=_exact(draft.closing, draft.currency))


def _exact(balance: Decimal | None, code: str) -> Decimal | None:
    if balance is None or not code or not is_rounded(balance, code):
        return balance  # a balance with too many decimals stays as it is, so a mismatch still shows
    return round_money(balance, code)


def _section(draft: Draft, where: str, check_balances: bool, notes: list[str]) -> Section:
    own = [line.amount for line in draft.lines if line.currency == draft.currency]
    foreign = len(draft.lines) - len(own)
    total = sum(own, Decimal(0))
    label = _label(draft)
    if foreign:
        notes.append(f"{label}: {foreign} line(s) not in {draft.currency} are outside its balance check")
    checked = False
    if draft.opening is not None and draft.closing is not None:
        if check_balances:
            expected = draft.opening + total
            if expected != draft.closing:
                code = draft.currency
                raise BalanceMismatch(
                    f"{label} does not add up: opening {money(draft.opening, code)} + lines {money(total, code)}"
                    f" = {money(expected, code)} but the closing balance is {money(draft.closing, code)} {code}",
                    where,
                )
            checked = True
        else:
            notes.append(f"{label}: balances NOT checked (switched off)")
    return Section(draft.statement_id, draft.account, draft.currency, draft.opening, draft.closing,
                   len(draft.lines), total, draft.final, checked, switched_off=not check_balances)


def _label(draft: Draft) -> str:
    label = f"statement {draft.statement_id}" if draft.statement_id else "the statement"
    return label + (f" (account {draft.account})" if draft.account else "")


def check_chain(drafts: Sequence[Draft], source: str) -> None:
    """Refuse a file in which a statement does not open where the one before it (same account and
    currency) closed: the lines between the two balances — a page or a day — are missing.

    "Before" is by the balance dates, then the bank's numbering (MT940 ``:28C:``, camt ``ElctrncSeqNb``),
    then the place in the file; the dates and numbers are used only when every statement of the account has
    them. Statements without an account, or a pair where one balance is not given, are not compared
    (``tests/test_statement_sequences.py`` shows the refusals).
    """
    accounts: dict[tuple[str, str], list[int]] = {}
    for index, draft in enumerate(drafts):
        if account_id(draft.account):
            accounts.setdefault((account_id(draft.account), draft.currency), []).append(index)
    for indices in accounts.values():
        for before, after in itertools.pairwise(in_order(drafts, indices)):
            earlier, later = drafts[before], drafts[after]
            if earlier.closing is None or later.opening is None or earlier.closing == later.opening:
                continue
            code = later.currency
            gap = later.opening - earlier.closing
            named = f"statement {earlier.statement_id}" if earlier.statement_id else "the statement"
            place = f" (line {earlier.begins})" if earlier.begins else ""
            raise BalanceMismatch(
                f"{_label(later)} opens at {money(later.opening, code)} {code} but {named}, before it{place},"
                f" closed at {money(earlier.closing, code)} {code}: a difference of {money(gap, code)} {code}, so"
                " the lines between them are missing (a page or a day) although each statement adds up on its"
                " own; ask the bank for the missing statement, or for the whole period in one file (or, having"
                " checked it by hand, read it with --no-balance-check)",
                f"[{source}]" + (f" line {later.begins}" if later.begins else ""))


def in_order(drafts: Sequence[Draft], indices: Sequence[int]) -> list[int]:
    """The statements at ``indices`` (of one account) oldest first: by their balance dates, then the bank's
    numbering, then the place in the file; the dates and numbers count only when every one of them has them."""
    mine = [drafts[i] for i in indices]
    dated = all(d.opened or d.closed for d in mine)
    numbered = all(d.numbers for d in mine)

    def order(i: int) -> tuple[object, ...]:
        d = drafts[i]
        dates = (d.opened or d.closed, d.closed or d.opened) if dated else ()
        return (dates, d.numbers if numbered else (), i)

    return sorted(indices, key=order)


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def statement_fingerprint(drafts: Sequence[Draft]) -> str:
    """SHA-256 over the account and the (booking date, amount, currency) of each line, in sorted order."""
    rows = sorted(
        f"{account_id(d.account)}|{line.booking_date.isoformat()}|{_plain(line.amount, line.currency)}|{line.currency}"
        for d in drafts for line in d.lines
    )
    digest = hashlib.sha256(FINGERPRINT_VERSION.encode())
    for row in rows:
        digest.update(b"\n" + row.encode())
    return digest.hexdigest()


def _plain(amount: Decimal, code: str) -> str:
    try:
        return f"{amount:.{exponent(code)}f}"
    except ArxlError:
        return str(amount.normalize())


def _with_line_ids(drafts: Sequence[Draft], fingerprint: str, source: str) -> tuple[StatementLine, ...]:
    references = Counter(line.bank_reference.strip() for d in drafts for line in d.lines
                         if not line.line_id and usable_reference(line.bank_reference))
    given = Counter(line.line_id for d in drafts for line in d.lines if line.line_id)
    duplicate = next((i for i, n in given.items() if n > 1), None)
    if duplicate is not None:
        raise _duplicate_id(drafts, duplicate, source)
    taken = set(given)
    ids = _statement_ids(drafts, fingerprint)
    result: list[StatementLine] = []
    for draft, statement_id in zip(drafts, ids, strict=True):
        width = len(str(len(draft.lines)))
        for n, line in enumerate(draft.lines, start=1):
            if line.line_id:
                result.append(line)
                continue
            reference = line.bank_reference.strip()
            if usable_reference(reference) and references[reference] == 1 and reference not in taken:
                line_id = reference
            else:
                line_id = f"{statement_id}-{n:0{width}d}"
                while line_id in taken:
                    line_id += "x"
            taken.add(line_id)
            result.append(dataclasses.replace(line, line_id=line_id))
    return tuple(result)


def _duplicate_id(drafts: Sequence[Draft], line_id: str, source: str) -> BadStatement:
    """The refusal of a line id given to several lines, naming the lines of the file where it appears (the
    statement lines' places, 1st, 2nd..., when the reader did not say which rows they came from)."""
    places: list[str] = []
    count = 0
    known = all(len(d.rows) == len(d.lines) for d in drafts)
    for draft in drafts:
        for n, line in enumerate(draft.lines):
            count += 1
            if line.line_id == line_id:
                places.append(str(draft.rows[n]) if known else str(count))
    listed = ", ".join(places[:-1]) + f" and {places[-1]}"
    where = f"[{source}] lines {listed}" if known else f"[{source}] statement lines {listed} (in the file's order)"
    return BadStatement(f'line id "{line_id}" appears {len(places)} times; each line needs its own', where)


def _statement_ids(drafts: Sequence[Draft], fingerprint: str) -> list[str]:
    """Each draft's id for generated line ids: the bank's statement id, made unique within the file."""
    base = [re.sub(r"\s+", "", d.statement_id)[:_MAX_ID_CHARS] or fingerprint[:12] for d in drafts]
    counts = Counter(base)
    return [f"{b}~{i}" if counts[b] > 1 else b for i, b in enumerate(base, start=1)]
