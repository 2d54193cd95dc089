"""SWIFT MT940 statements (the banks' end-of-day statement message), read with the mt-940 library.

An MT940 file is a run of statements, each opened by ``:20:`` (its reference) with ``:25:`` the account,
``:28C:`` the statement/page number, ``:60F:`` the opening balance (``60M`` when it continues a previous
page), one ``:61:`` per booking with its ``:86:`` free text (often several lines), and ``:62F:`` the closing
balance (``62M`` at a page break). Each statement keeps its own currency, so a file may mix EUR and USD.

What becomes of a ``:61:``/``:86:`` pair:

* amount: signed by its mark — ``C`` credit and ``RD`` (a debit reversed) positive, ``D`` and ``RC``
  negative; in the statement's currency;
* booking date: the entry date of ``:61:`` when given, else its value date; value date: the value date;
* bank reference: the bank's ``//`` reference, else the account owner's reference (never ``NONREF``);
* narrative: the ``:86:`` text on one line (soft hyphens and tabs out); from German ``?20``-``?29``
  sub-fields, the posting text and the purpose (``SVWZ+``) followed by the SEPA references — end to end
  (``EREF+``), mandate (``MREF+``) and customer (``KREF+``) — where payers often write the invoice number
  (``NOTPROVIDED`` is no reference and is left out);
* counterparty: taken from the text where the bank structures it — SWIFT codes (``/NAME/``, ``/IBAN/``,
  ``/CNTP/``), German ``?32`` sub-fields (mt-940's own processor), ``>32`` sub-fields, ``REK:/NAAM:``, an
  IBAN in the ``:61:`` supplementary line, or an account number leading the text.

A ``:86:`` after the closing balance is information about the whole statement, not about its last line, and
is left out. Any other tag of a statement's body after its closing balance (a ``:61:`` booking, or the
``:25:``/``:28C:``/``:60F:`` of a statement that lost its ``:20:``) is refused at its line: its lines would be
lost without a word.

Damage is refused with the line it is on, in MT940's words: a fragment whose tags (``:25:``, ``:61:``,
``:86:``) come before any ``:20:`` ("MT940 statement has no :20: transaction reference"), a balance tag that
is not whole (``:62F:C2507``), a statement without its ``:60F:`` opening or ``:62F:`` closing balance
(mandatory in MT940: one is missing only when the file was cut or a tag lost) unless the balance check is
switched off, the same statement twice in one file (it would count every line twice), a date or an amount
that is not one (``:61:2502300230C...``, February 30; an amount of only ``,``), and more ``:61:`` bookings
than the line limit (counted before anything is parsed). An MT942 interim report (``:34F:``, ``:13D:``,
``:90D:``/``:90C:``) is refused as such: its bookings are not final and it has no balances to check. Each
refusal names MT940 and the tag, never "no bank profile fits this layout" (a fragment without ``:20:`` is
still recognised as MT940).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal
from typing import Any

import mt940

from arxl.core.accounts import usable_reference
from arxl.core.errors import ArxlError
from arxl.core.money import currency as known_currency
from arxl.core.statement import StatementLine
from arxl.formats.statements.model import (
    DEFAULT_LIMITS,
    BadStatement,
    Draft,
    Limits,
    clean_text,
    first_repeat,
    too_many_lines,
)

# mt-940 logs every failed match; without a handler Python would print them on the accountant's console.
_LOG = logging.getLogger("mt940")
if not any(isinstance(h, logging.NullHandler) for h in _LOG.handlers):
    _LOG.addHandler(logging.NullHandler())
_TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):")
_BOOKING = re.compile(r"^:61:", re.MULTILINE)
_MT940_TAGS = re.compile(r"(?m)^:(20|25|28C?|60[FM]|61|86|62[FM]):")
_OPENING, _CLOSING = ("60F", "60M"), ("62F", "62M")
_CLOSING_TAGS = ("62F", "62M", "64", "65")
_BALANCE_TAGS = ("60F", "60M", "62F", "62M")  # the balances the check adds up (64/65 are left to mt-940)
_BALANCE = re.compile(r"^[CDcd]\d{6}[A-Z]{3}\d{1,15},\d*$")  # mark, YYMMDD, currency, amount with its comma
_BODY_TAGS = ("25", "28", "28C", "60F", "60M", "61")  # a statement's body: never after its closing balance
_MT942_TAGS = re.compile(r"(?m)^:(34F|13D|13|90D|90C):")  # floor limit, date-time, sums: an interim report
# the start of a :61: as mt-940 reads it: value date YYMMDD, entry date MMDD, mark, funds code, amount
_BOOKING_VALUES = re.compile(r"^(\d{6})(\d{4}|\s{4})?(R?[DC])([A-Z])?[\n ]?([\d,]{1,15})", re.IGNORECASE)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_OPENING_KEYS = ("final_opening_balance", "intermediate_opening_balance", "opening_balance")
_CLOSING_KEYS = ("final_closing_balance", "intermediate_closing_balance", "closing_balance")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_SWIFT_CODE = re.compile(r"/(NAME|IBAN|REMI|EREF|CNTP|ACCW|ORDP|BENM|ISDT|MARF|CSID|BIC|ADDR|PURP|RTRN)/")
_NAME_CHARS = 35  # a SWIFT name line
_LEADING_ACCOUNT = re.compile(r"^((?:[A-Z]{2}\d{2}[A-Z0-9]{10,30})|(?:\d[\d.]{7,}\d))\s+(\S.*)$")


def looks_like_mt940(text: str) -> bool:
    """True when the text has the tags of an MT940 statement: two of them at least, one being the account, a
    balance or a booking (a fragment without its ``:20:`` is MT940 too, and is refused in MT940's words)."""
    tags = set(_MT940_TAGS.findall(text[:200_000]))
    return len(tags) >= 2 and bool(tags & {"25", "60F", "60M", "61", "62F", "62M"})


def read_mt940(text: str, name: str, *, check_balances: bool = True,
               limits: Limits = DEFAULT_LIMITS) -> list[Draft]:
    """Every statement of an MT940 file, each with its balances and lines (see :func:`read_mt940_file`)."""
    return read_mt940_file(text, name, check_balances=check_balances, limits=limits)[0]


def read_mt940_file(text: str, name: str, *, check_balances: bool = True,
                    limits: Limits = DEFAULT_LIMITS) -> tuple[list[Draft], list[str]]:
    """Every statement of an MT940 file, and the notes; a damaged file is refused, naming the line.

    Before anything is parsed, the ``:61:`` bookings are counted against ``limits.max_lines`` and every
    balance tag must be whole (``:62F:C250731RWF1250000,``). A statement without its opening (``:60F:``/
    ``:60M:``) or closing (``:62F:``/``:62M:``) balance — both are mandatory in MT940, so one is missing
    only when the file was cut or damaged — is refused unless ``check_balances`` is off; then it is read with
    a note. The same statement twice in one file is refused (see :func:`.model.first_repeat`).
    """
    _count_bookings(text, name, limits)
    _refuse_mt942(text, name)
    _check_opening_tag(text, name)
    blocks = _blocks(text)
    if not blocks:
        raise BadStatement("not an MT940 statement: no :20: tag opens a statement", f"[{name}]")
    _check_blocks(blocks, name)
    notes: list[str] = []
    drafts = []
    for number, block in enumerate(blocks, 1):
        start = block[0][0]
        tags = {tag[1] for _, line in block if (tag := _TAG.match(line))}
        missing = [what for what, pair in ((":60F: opening balance", _OPENING), (":62F: closing balance", _CLOSING))
                   if not tags.intersection(pair)]
        label = f"MT940 statement {_label(block) or number}"
        if missing and (check_balances or len(missing) == 2):
            cause = (" (the balances give its currency, so it cannot be read even without the balance check)"
                     if len(missing) == 2 and not check_balances else
                     ", so its lines cannot be checked against its balances; ask the bank for the file again (or,"
                     " having checked it by hand, read it with --no-balance-check)")
            raise BadStatement(f"{label}, which begins here, has no {' and no '.join(missing)}: the file was cut"
                               f" short or the tag damaged{cause}", f"[{name}] line {start}")
        if missing:
            notes.append(f"{label} (line {start}) has no {missing[0]}: read WITHOUT a balance check"
                         " (--no-balance-check)")
        drafts.append(_read_block(block, name, number))
    repeat = first_repeat(drafts)
    if repeat is not None:
        again, first = repeat
        label = drafts[again].statement_id or str(again + 1)
        raise BadStatement(f"statement {label}, which begins here, repeats the statement at line"
                           f" {blocks[first][0][0]} (same account, balances and lines): the file holds it twice,"
                           " and every line would be counted twice; ask the bank for the file again",
                           f"[{name}] line {blocks[again][0][0]}")
    return drafts, notes


Block = list[tuple[int, str]]  # one statement's lines from its :20:, each with its line number in the file


def _blocks(text: str) -> list[Block]:
    """The statements of the file: the lines from each ``:20:`` to the next, with their line numbers.

    SWIFT envelope lines (``{1:...}``, ``-}``) and the bank's header lines before the first tag are left out.
    """
    blocks: list[Block] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith(("{", "-}")):
            continue  # blank lines and the SWIFT envelope carry nothing (and are not kept by the thousand)
        if line.startswith(":20:"):
            blocks.append([])
        if blocks:
            blocks[-1].append((number, line))
    return blocks


def _refuse_mt942(text: str, name: str) -> None:
    """Refuse an MT942 interim (intraday) report: it looks like MT940 but has no opening or closing balance,
    and its bookings may still change; the end-of-day statement is the one to import."""
    found = _MT942_TAGS.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise BadStatement(f"this is an MT942 interim report (its :{found[1]}: tag is here), which arxl does not"
                           " read: its bookings are not final and it has no balances to check; export the"
                           " end-of-day MT940 or camt.053 statement", f"[{name}] line {line}")


def _check_opening_tag(text: str, name: str) -> None:
    """Refuse a fragment: MT940 tags before the first ``:20:`` (or none at all) belong to a statement whose
    beginning is missing, and would be lost without a word."""
    for number, line in enumerate(text.split("\n"), start=1):
        tag = _TAG.match(line)
        if tag is None or line.startswith("{"):
            continue
        if tag[1] != "20":
            raise BadStatement(f"MT940 statement has no :20: transaction reference: its first tag is :{tag[1]}:"
                               " here, so the beginning of the statement is missing (a fragment, or a file cut at"
                               " its start); ask the bank for the whole file", f"[{name}] line {number}")
        return


def _label(block: Block) -> str:
    """The statement's name as the bank gives it: its ``:20:`` reference and ``:28C:`` number (GENERIC/2)."""
    parts = [clean_text(line[tag.end():]) for _, line in block
             if (tag := _TAG.match(line)) and tag[1] in ("20", "28", "28C")]
    return "/".join(p for p in parts if p)


def _count_bookings(text: str, name: str, limits: Limits) -> None:
    """Refuse a file with more ``:61:`` bookings than the line limit, before a line of it is split or parsed."""
    for count, found in enumerate(_BOOKING.finditer(text), start=1):
        if count > limits.max_lines:
            raise too_many_lines(limits, f"[{name}] line {text.count(chr(10), 0, found.start()) + 1}")


def _check_blocks(blocks: list[Block], name: str) -> None:
    """Refuse, before any parsing and naming the line, a damaged balance tag, a date or an amount that is not
    one, and a statement's tag after its closing balance (see :func:`_after_closing`)."""
    for block in blocks:
        closed_at: tuple[int, str] | None = None
        for number, line in block:
            tag = _TAG.match(line)
            if tag is None:
                continue
            value = line[tag.end():].strip()
            where = f"[{name}] line {number}"
            if tag[1] in _BALANCE_TAGS and not _BALANCE.match(value):
                raise BadStatement(f':{tag[1]}: "{clean_text(value)[:40]}" is not a whole balance'
                                   " (expected C or D, the date YYMMDD, the currency and the amount, as in"
                                   " C250731RWF1250000,): the file is damaged or cut", where)
            if tag[1] in _BALANCE_TAGS:
                _check_date(value[1:7], f":{tag[1]}: the balance date", where)
            elif tag[1] == "61":
                _check_booking(value, where)
            if closed_at is None and tag[1] in _CLOSING_TAGS:
                closed_at = (number, tag[1])
            elif closed_at is not None and tag[1] in _BODY_TAGS:
                raise _after_closing(block, number, tag[1], closed_at, name)


def _after_closing(block: Block, number: int, tag: str, closed_at: tuple[int, str], name: str) -> BadStatement:
    """The refusal of a tag of a statement's body (``:61:``, ``:25:``, ``:60F:``...) after the closing balance:
    a statement whose ``:20:`` was lost (two files joined, a damaged tag) or a booking put after the balances.
    Read as they are, its bookings would vanish without a word."""
    bookings = [str(n) for n, line in block if n >= number and line.startswith(":61:")]
    shown = ", ".join(bookings[:-1]) + f" and {bookings[-1]}" if len(bookings) > 1 else "".join(bookings)
    lost = (f"; the {'booking' if len(bookings) == 1 else f'{len(bookings)} bookings'} (:61:) at"
            f" {'line' if len(bookings) == 1 else 'lines'} {shown} would be lost" if bookings else "")
    label = _label([(n, line) for n, line in block if n < closed_at[0]])
    return BadStatement(f":{tag}: after the closing balance (:{closed_at[1]}: at line {closed_at[0]}) of MT940"
                        f" statement {label or '?'}, with no :20: before it: the next statement's beginning"
                        f" (its :20: reference, :60F: opening balance) is missing{lost}; ask the bank for the"
                        " file again", f"[{name}] line {number}")


def _check_booking(value: str, where: str) -> None:
    """Refuse a ``:61:`` whose value date, entry date or amount is not one (mt-940 would fail without saying
    where); a line its pattern does not fit is left to mt-940, whose complaint quotes it."""
    found = _BOOKING_VALUES.match(value)
    if found is None:
        return
    _check_date(found[1], ":61: the value date", where)
    if found[2] and found[2].strip():
        _check_date(found[1][:2] + found[2], ":61: the entry date", where, entry=True)
    amount = found[5]
    if amount.count(",") > 1 or not any(c.isdigit() for c in amount):
        raise BadStatement(f':61: the amount "{amount}" is not a number (expected digits with one decimal comma,'
                           " as in 250000,)", where)


def _check_date(text: str, what: str, where: str, *, entry: bool = False) -> None:
    """Refuse a YYMMDD date that does not exist (250230, 251301), saying why in words."""
    year, month, day = 2000 + int(text[:2]), int(text[2:4]), int(text[4:6])
    shown = text[2:] + " (MMDD)" if entry else text + " (YYMMDD)"
    if not 1 <= month <= 12:
        raise BadStatement(f"{what} {shown} is not a date: there is no month {month}", where)
    try:
        dt.date(year, month, day)
    except ValueError:
        raise BadStatement(f"{what} {shown} is not a date: {_MONTHS[month - 1]} {year} has no day {day}",
                           where) from None


def _drop_statement_info(block: str) -> str:
    """Cut a ``:86:`` that follows the closing balance (statement-level text) and any trailer lines."""
    kept: list[str] = []
    closed = False
    for line in block.split("\n"):
        tag = _TAG.match(line)
        if tag:
            closed = closed or tag[1] in _CLOSING_TAGS
            if not closed or tag[1] in _CLOSING_TAGS:
                kept.append(line)
        elif not closed:  # a continuation line of a booking's tag; after the balances: trailer text
            kept.append(line)
    return "\n".join(kept)


def _transactions() -> Any:
    options = getattr(mt940, "Options", None)
    if options is None:  # mt-940 4.x: no options, the same parse
        return mt940.models.Transactions()
    return mt940.models.Transactions(options=options(unbounded_details=True, applicant_iban=True,
                                                     merge_keeps_values=True, case_insensitive_marks=True))


def _read_block(block: Block, name: str, number: int) -> Draft:
    line = block[0][0]
    where = f"[{name}] line {line}, statement {number}"
    transactions = _transactions()
    try:
        transactions.parse(_drop_statement_info("\n".join(text for _, text in block)))
    except ArxlError:
        raise
    except Exception as error:  # the parser's own complaint about a malformed tag: bad input, not our bug
        raise BadStatement(f"not a readable MT940 statement: {_complaint(error)}",
                           f"[{name}] line {_complaint_line(error, block)}, statement {number}") from None
    data: dict[str, Any] = transactions.data
    reference = clean_text(data.get("transaction_reference"))
    number_text = "/".join(clean_text(data.get(k)) for k in ("statement_number", "sequence_number")
                           if data.get(k))
    statement_id = "/".join(p for p in (reference, number_text) if p)
    where = f"[{name}] line {line}, statement {statement_id or number}"
    code = transactions.currency
    if not code:
        raise BadStatement("has no currency: the :60F: opening balance is missing", where)
    code = _currency(code, where)
    opening = _balance(data, _OPENING_KEYS, where)
    closing = _balance(data, _CLOSING_KEYS, where)
    bookings = [n for n, text in block if text.startswith(":61:")]
    lines = tuple(_line(t.data, code, f"[{name}] line {bookings[i - 1] if i <= len(bookings) else line},"
                                      f" statement {statement_id or number}, booking {i}")
                  for i, t in enumerate(transactions, start=1))
    return Draft(statement_id, clean_text(data.get("account_identification")), code, opening, closing, lines,
                 final="final_closing_balance" in data or "closing_balance" in data, begins=line,
                 opened=_balance_date(data, _OPENING_KEYS), closed=_balance_date(data, _CLOSING_KEYS),
                 numbers=_numbers(data))


def _currency(code: object, where: str) -> str:
    try:
        return known_currency(code).code
    except ArxlError as error:
        raise BadStatement(error.message, where) from None


def _balance(data: dict[str, Any], keys: tuple[str, ...], where: str) -> Decimal | None:
    for key in keys:
        balance = data.get(key)
        if balance is None:
            continue
        amount = getattr(getattr(balance, "amount", None), "amount", None)
        if not isinstance(amount, Decimal):
            raise BadStatement(f"the balance {key.replace('_', ' ')} has no amount", where)
        status = str(getattr(balance, "status", "") or "").upper()
        return -abs(amount) if status == "D" else abs(amount)
    return None


def _balance_date(data: dict[str, Any], keys: tuple[str, ...]) -> dt.date | None:
    """The date of the first of these balances the statement gives (the date of its ``:60F:`` or ``:62F:``)."""
    for key in keys:
        date = getattr(data.get(key), "date", None)
        if isinstance(date, dt.date):
            return _date(date)
    return None


def _numbers(data: dict[str, Any]) -> tuple[int, ...]:
    """The ``:28C:`` statement and page numbers (5/3 is (5, 3)); none when they are not numbers."""
    parts = [clean_text(data.get(k)) for k in ("statement_number", "sequence_number") if data.get(k)]
    return tuple(int(p) for p in parts) if parts and all(p.isdigit() for p in parts) else ()


def _line(data: dict[str, Any], statement_currency: str, where: str) -> StatementLine:
    amount_model = data.get("amount")
    amount = getattr(amount_model, "amount", None)
    value_date = data.get("date")
    if not isinstance(amount, Decimal) or not isinstance(value_date, dt.date):
        raise BadStatement("the :61: line has no readable amount or date", where)
    mark = str(data.get("status") or "").upper()
    amount = -abs(amount) if mark in ("D", "RC") else abs(amount)
    code = _currency(getattr(amount_model, "currency", None) or data.get("currency") or statement_currency, where)
    entry_date = data.get("entry_date")
    booking = entry_date if isinstance(entry_date, dt.date) else value_date
    name, account, narrative = _details(data)
    # Only the bank's own reference (after //) identifies the booking; the owner's reference is text.
    bank_reference = clean_text(data.get("bank_reference"))
    bank_reference = bank_reference if usable_reference(bank_reference) else ""
    # the :61: owner's reference, and a German KREF+ (mt-940 joins the two on separate lines)
    for customer_reference in str(data.get("customer_reference") or "").split("\n"):
        customer_reference = clean_text(customer_reference)
        if usable_reference(customer_reference) and customer_reference not in narrative:
            narrative = f"{narrative} {customer_reference}".strip()
    return StatementLine("", _date(booking), _date(value_date), amount, code, name, account, narrative,
                         bank_reference)


def _date(value: dt.date) -> dt.date:
    return dt.date(value.year, value.month, value.day)


def _details(data: dict[str, Any]) -> tuple[str, str, str]:
    """Counterparty name, counterparty account and narrative of one booking."""
    raw = str(data.get("transaction_details") or "")
    extra = clean_text(data.get("extra_details"))
    name = clean_text(data.get("applicant_name"))  # mt-940's processor for German ?-structured details
    account = clean_text(data.get("applicant_iban"))
    if "transaction_details" not in data and (data.get("purpose") is not None or _sepa_references(data)):
        narrative = clean_text(" ".join(str(data.get(k) or "") for k in ("posting_text", "purpose")))
        for reference in _sepa_references(data):
            if reference not in narrative:
                narrative = f"{narrative} {reference}".strip()
    elif _SWIFT_CODE.search(raw.replace("\n", "")):
        joined = raw.replace("\n", "")  # structured text wraps at 65 characters, mid-word
        narrative = clean_text(joined)
        name = name or _code(joined, "NAME")
        account = account or _code(joined, "IBAN") or _code(joined, "ACCW")
        if not (name and account) and (cntp := re.search(r"/CNTP/([^/]*)/([^/]*)/([^/]*)/", joined)):
            account = account or clean_text(cntp[1])
            name = name or clean_text(cntp[3])
    elif re.search(r">\d\d", raw):
        narrative, name, account = _angle_fields(raw, name, account)
    else:
        narrative = clean_text(raw.replace("\n", " "))
        if (rek := re.search(r"REK:\s*([A-Z0-9]+)\s*/\s*NAAM:\s*(.+)", raw)) and not (name or account):
            account, name = clean_text(rek[1]), clean_text(rek[2])
        first = raw.strip().split("\n")[0].strip() if raw.strip() else ""
        if (lead := _LEADING_ACCOUNT.match(first)) and not (name or account):
            account = lead[1]
            candidate = clean_text(re.split(r"\s{2,}|\t", lead[2])[0])
            name = candidate if len(candidate) <= _NAME_CHARS else ""  # longer: a description, not a name
    if extra:
        if _IBAN.match(extra.replace(" ", "")) and not account:
            account = extra.replace(" ", "")
        elif re.search(r"[A-Za-z]{2}", extra) and " " in extra and not name:
            name = extra
        elif extra not in narrative:
            narrative = f"{narrative} {extra}".strip()
    return name, account, narrative


def _sepa_references(data: dict[str, Any]) -> list[str]:
    """The SEPA references of German ``?20``-``?29`` sub-fields that mt-940 keeps apart from the purpose: end
    to end (``EREF+``) and mandate (``MREF+``); the customer's (``KREF+``) joins the ``:61:`` owner's reference,
    which :func:`_line` adds. ``NOTPROVIDED`` and the like are no reference."""
    found = (clean_text(data.get(k)) for k in ("end_to_end_reference", "additional_position_reference"))
    return [r for r in found if usable_reference(r)]


def _code(text: str, code: str) -> str:
    found = re.search(rf"/{code}/(.*?)(?=/[A-Z]{{2,8}}/|$)", text)
    return clean_text(found[1].strip("/")) if found else ""


def _angle_fields(raw: str, name: str, account: str) -> tuple[str, str, str]:
    """Dutch ``>NN`` sub-fields: >20-29 the description, >31 the account, >32-33 the name."""
    joined = raw.replace("\n", "")
    fields: dict[str, str] = {}
    for code, value in re.findall(r">(\d\d)([^>]*)", joined):
        fields[code] = fields.get(code, "") + value
    purpose = "".join(fields.get(f"2{i}", "") for i in range(10))
    name = name or clean_text(fields.get("32", "") + fields.get("33", ""))
    account = account or clean_text(fields.get("31", "") or fields.get("38", ""))
    return clean_text(purpose) or clean_text(raw.replace("\n", " ")), name, account


def _complaint_line(error: BaseException, block: Block) -> int:
    """The line of the tag mt-940 complained about: the first of that tag holding the text it quoted."""
    args = error.args
    if len(args) >= 3 and isinstance(args[2], str):
        tag, quoted = f":{getattr(args[1], 'id', '?')}:", args[2].strip().split("\n")[0][:20]
        for number, text in block:
            if text.startswith(tag) and quoted in text:
                return number
    return block[0][0]


def _complaint(error: BaseException) -> str:
    """mt-940's error as a sentence: which tag, and the text it could not read."""
    args = error.args
    if len(args) >= 3 and isinstance(args[2], str):
        tag = getattr(args[1], "id", "?")
        return f':{tag}: "{clean_text(args[2])[:60]}" is not what this tag holds'
    text = str(error).strip().splitlines()
    if not text or "<class" in text[0]:  # a bare Python exception (decimal's): no words for the accountant
        return "a value in it cannot be read (a date or an amount is damaged)"
    return text[0][:160]
