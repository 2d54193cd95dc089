"""ISO 20022 camt statements: camt.053 (end of day), camt.052 (intraday report), camt.054 (notification).

A camt file is XML: a ``Stmt`` (``Rpt`` in 052, ``Ntfctn`` in 054) per account with its balances (``Bal``:
``OPBD`` opening booked, or ``PRCD`` the previous closing, and ``CLBD`` closing booked) and its entries
(``Ntry``): an amount with ``CdtDbtInd`` (``CRDT`` money in, ``DBIT`` money out), a booking and a value date
(``Dt`` or ``DtTm``), and the transaction details (``TxDtls``): who paid or was paid (``RltdPties``), the
remittance text (``RmtInf``) and references. Versions 001.02 to 001.10 are read alike.

How an entry becomes statement lines:

* one line per entry, with the entry's amount; its details come from its only ``TxDtls``, if any;
* a **batch** entry (several ``TxDtls``) becomes one line per transaction, each with its own amount
  (``TxDtls/Amt``, ``AmtDtls/TxAmt`` or ``InstdAmt`` in the entry's currency), when those amounts add up to
  the entry exactly; when they differ only by the transactions' charges, or some transaction gives no
  amount in the entry's currency, the entry stays one line (with a note), so the balances still agree;
* **damage is refused**, naming the entry (its ``NtryRef`` or ``AcctSvcrRef``, its place and its line): an
  entry whose only ``TxDtls`` gives amounts in the entry's currency none of which is the entry's (with or
  without its ``Chrgs``), or whose transactions add up to another amount. Amounts in another currency
  (an ``InstdAmt`` in EUR on a CHF account) are not compared: like is compared with like;
* a ``Stmt`` of camt.053 without any ``Bal`` is refused unless the balance check is switched off: the
  standard makes ``Bal`` mandatory in camt.053 (one or more); in camt.052 it is optional and camt.054 has
  none, so those are read without a balance check. A camt.053 giving only one of the opening and closing
  balance is read, unchecked (the schema does not say which balances must be there);
* the same ``Stmt`` twice in one file (same account, balances and entries) is refused; consecutive ``Stmt``
  (``Rpt``) of one account must chain, each opening at the previous one's closing balance, in the order of
  their balance dates (``Bal/Dt``, else ``FrToDt``), then ``ElctrncSeqNb`` (see :func:`.model.check_chain`);
* more ``Ntry`` elements than the line limit are refused before the XML is parsed into a tree;
* counterparty: the debtor (``Dbtr``, ``DbtrAcct``) of a credit, the creditor (``Cdtr``, ``CdtrAcct``) of a
  debit; narrative: ``RmtInf/Ustrd``, the structured creditor reference (``Strd/CdtrRefInf/Ref``) and
  referred document numbers, ``AddtlTxInf`` and ``AddtlNtryInf``; bank reference: ``AcctSvcrRef``, else the
  ``EndToEndId``;
* an entry booked in another currency than the account's takes the account-currency amount of its
  ``AmtDtls`` when there is one (the amount that moved the balance);
* only booked entries count: pending (``PDNG``) and information (``INFO``) entries are left out, with a note;
* the bank's own summary (``TxsSummry``) is compared with the entries and a difference is reported as a note,
  not refused: banks count it differently (per entry or per transaction, gross or net) and the balances are
  the real check.

The XML is parsed with entities, DTDs and network access off; a file with a DOCTYPE is refused outright (an
entity bomb or an external-entity attack needs one).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

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
    money,
    too_many_lines,
)

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(05[234])\.001\.(\d{2})$")
_MESSAGES = {"052": ("BkToCstmrAcctRpt", "Rpt"), "053": ("BkToCstmrStmt", "Stmt"),
             "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}
SUPPORTED_VERSIONS = range(2, 11)
_OPENING = ("OPBD", "PRCD")  # opening booked; else the previous statement's closing booked
_AMOUNT = re.compile(r"^\d{1,18}(\.\d{1,10})?$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_TX_AMOUNTS = ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt", "AmtDtls/CntrValAmt/Amt")
_ACCOUNT_AMOUNTS = ("AmtDtls/InstdAmt/Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/CntrValAmt/Amt")
_SEPARATOR = " | "
_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Ntry[\s/>]")
_CHARGES = ("Chrgs/TtlChrgsAndTaxAmt", "Chrgs/Rcrd/Amt")


def read_camt(data: bytes, name: str, *, check_balances: bool = True,
              limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[Draft], list[str]]:
    """The format name (``camt.053.001.02``), one draft per statement and the notes of a camt file."""
    where = f"[{name}]"
    _refuse_dtd(data, where)
    if len(_ENTRY_TAG.findall(data)) > limits.max_lines:  # before a tree of them is built in memory
        raise too_many_lines(limits, where)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise BadStatement(f"damaged XML: {_first_line(error)}", where) from None
    if root is None:
        raise BadStatement("damaged XML: no root element", where)
    if root.getroottree().docinfo.doctype:
        raise BadStatement("refused: the XML declares a DOCTYPE (entity bombs need one)", where)
    namespace = etree.QName(root).namespace or ""
    found = _NAMESPACE.match(namespace)
    if not found:
        raise BadStatement("XML, but not a camt.052/053/054 bank statement"
                           f" (namespace {namespace[:80] or 'none'})", where)
    kind, version = found[1], int(found[2])
    format_name = f"camt.{kind}.001.{version:02d}"
    if version not in SUPPORTED_VERSIONS:
        raise BadStatement(f"{format_name} is not supported (versions 001.02 to 001.10 are)", where)
    _strip_namespaces(root)
    message_tag, statement_tag = _MESSAGES[kind]
    message = root.find(message_tag)
    statements = message.findall(statement_tag) if message is not None else []
    if not statements:
        raise BadStatement(f"has no lines: the {format_name} file holds no statement ({statement_tag})", where)
    notes: list[str] = []
    drafts = []
    for i, statement in enumerate(statements, start=1):
        if kind == "053" and statement.find("Bal") is None and statement.find("Ntry") is not None:
            # camt.053 makes Bal mandatory (1..n); camt.052 (optional) and camt.054 (none) are read without
            label = f"{statement_tag} {i} ({_text(statement, 'Id') or 'no Id'})"
            if check_balances:
                raise BadStatement(f"{label} has no balance (Bal), which every camt.053 statement must give: the"
                                   " file is damaged or incomplete, and its lines cannot be checked; ask the bank"
                                   " for the file again (or, having checked it by hand, read it with"
                                   " --no-balance-check)", f"{where} line {statement.sourceline}")
            notes.append(f"{label} has no balance (Bal): read WITHOUT a balance check (--no-balance-check)")
        drafts.append(_statement(statement, where, f"{statement_tag} {i}", notes))
    repeat = first_repeat(drafts)
    if repeat is not None:
        again, first = repeat
        raise BadStatement(f"{statement_tag} {again + 1} ({drafts[again].statement_id or 'no Id'}) repeats"
                           f" {statement_tag} {first + 1} at line {statements[first].sourceline} (same account,"
                           " balances and entries): the file holds it twice, and every line would be counted"
                           " twice; ask the bank for the file again", f"{where} line {statements[again].sourceline}")
    return format_name, drafts, notes


def _refuse_dtd(data: bytes, where: str) -> None:
    for marker in ("<!DOCTYPE", "<!ENTITY"):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            if marker.encode(encoding) in data:
                raise BadStatement(f"refused: the XML declares {marker[2:]} (entity bombs and external"
                                   " entities need one; a bank's camt file has none)", where)


def _strip_namespaces(root: Any) -> None:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]


def _text(element: Any, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return clean_text(found.text) if found is not None and found.text else ""


def _amount(element: Any, where: str) -> tuple[Decimal, str]:
    text = (element.text or "").strip() if element is not None else ""
    if not _AMOUNT.match(text):
        raise BadStatement(f'amount "{text[:40]}" is not a camt amount (digits with "." for decimals)', where)
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        raise BadStatement(f'amount "{text[:40]}" is not a number', where) from None
    return amount, _currency(element.get("Ccy"), where)


def _currency(code: object, where: str) -> str:
    try:
        return known_currency(code).code
    except ArxlError as error:
        raise BadStatement(error.message, where) from None


def _sign(element: Any, where: str, default: int | None = None) -> int:
    mark = _text(element, "CdtDbtInd").upper()
    if mark == "CRDT":
        return 1
    if mark == "DBIT":
        return -1
    if default is not None and not mark:
        return default
    raise BadStatement(f'CdtDbtInd "{mark[:10]}" is neither CRDT nor DBIT', where)


def _date(element: Any, path: str, where: str) -> dt.date | None:
    holder = element.find(path)
    text = _text(holder, "Dt") or _text(holder, "DtTm")
    if not text:
        return None
    found = _DATE.match(text)
    try:
        if found:
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        pass
    raise BadStatement(f'{path} "{text[:40]}" is not a date', where)


def _day(text: str) -> dt.date | None:
    """The day of a balance or a statement period, which only orders the statements of a file (see
    :func:`.model.check_chain`): one that cannot be read is no day, not a refusal."""
    found = _DATE.match(text)
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3])) if found else None
    except ValueError:
        return None


def _statement(statement: Any, file: str, position: str, notes: list[str]) -> Draft:
    statement_id = _text(statement, "Id")
    label = f"statement {statement_id}" if statement_id else position
    where = f"{file} {label}"
    account = _text(statement, "Acct/Id/IBAN") or _text(statement, "Acct/Id/Othr/Id")
    code = _text(statement, "Acct/Ccy")
    opening, closing, balance_code, opened, closed = _balances(statement, where)
    code = _currency(code or balance_code or _first_entry_currency(statement), where)
    if balance_code and balance_code != code:
        raise BadStatement(f"the balances are in {balance_code} but the account is in {code}", where)
    entries = statement.findall("Ntry")
    lines: list[StatementLine] = []
    unbooked = 0
    for number, entry in enumerate(entries, start=1):
        status = (_text(entry, "Sts/Cd") or _text(entry, "Sts")).upper()
        if status and status != "BOOK":
            unbooked += 1
            continue
        lines.extend(_entry(entry, code, f"{where}, entry {number}", f"{label} entry {number}", notes,
                            f"{file} line {entry.sourceline}, {label}, {_entry_name(entry, number)}"))
    if unbooked:
        notes.append(f"{label}: {unbooked} entries not yet booked (pending or for information) left out")
    _compare_summary(statement, entries, code, label, notes)
    sequence = _text(statement, "ElctrncSeqNb") or _text(statement, "LglSeqNb")
    return Draft(statement_id, account, code, opening, closing, tuple(lines), begins=statement.sourceline,
                 opened=opened or _day(_text(statement, "FrToDt/FrDtTm")),
                 closed=closed or _day(_text(statement, "FrToDt/ToDtTm")),
                 numbers=(int(sequence),) if sequence.isdigit() else ())


def _balances(statement: Any, where: str) -> tuple[Decimal | None, Decimal | None, str, dt.date | None,
                                                    dt.date | None]:
    """The opening and closing balances, their currency, and their dates (``Bal/Dt``, when given)."""
    found: dict[str, tuple[Decimal, str, dt.date | None]] = {}
    for balance in statement.findall("Bal"):
        kind = (_text(balance, "Tp/CdOrPrtry/Cd") or _text(balance, "Tp/CdOrPrtry/Prtry")).upper()
        if kind in (*_OPENING, "CLBD") and kind not in found:
            amount, code = _amount(balance.find("Amt"), f"{where}, balance {kind}")
            found[kind] = (_sign(balance, f"{where}, balance {kind}") * amount, code,
                           _day(_text(balance, "Dt/Dt") or _text(balance, "Dt/DtTm")))
    opening = found.get("OPBD") or found.get("PRCD")
    closing = found.get("CLBD")
    codes = {v[1] for v in (opening, closing) if v}
    if len(codes) > 1:
        raise BadStatement(f"the opening and closing balances are in different currencies ({', '.join(codes)})",
                           where)
    return (opening[0] if opening else None, closing[0] if closing else None, codes.pop() if codes else "",
            opening[2] if opening else None, closing[2] if closing else None)


def _first_entry_currency(statement: Any) -> str:
    amount = statement.find("Ntry/Amt")
    return str(amount.get("Ccy") or "") if amount is not None else ""


def _entry_name(entry: Any, number: int) -> str:
    """An entry as the bank names it: ``entry 4 (NtryRef 1340044232)``, else its AcctSvcrRef, else its place."""
    for tag in ("NtryRef", "AcctSvcrRef"):
        if reference := _text(entry, tag):
            return f"entry {number} ({tag} {reference[:40]})"
    return f"entry {number}"


def _entry(entry: Any, account_currency: str, where: str, label: str, notes: list[str],
           named: str) -> list[StatementLine]:
    """The lines of one booked entry; ``named`` places it for a refusal (file, line, statement, reference)."""
    amount, code = _amount(entry.find("Amt"), where)
    amount *= _sign(entry, where)
    booking = _date(entry, "BookgDt", where)
    value = _date(entry, "ValDt", where)
    if booking is None and value is None:
        raise BadStatement("the entry has neither a booking date nor a value date", where)
    booking = booking or value
    value = value or booking
    assert booking is not None and value is not None
    details = entry.findall("NtryDtls/TxDtls")
    if code != account_currency:
        converted = _in_account_currency(entry, details, account_currency, where)
        if converted is not None:
            notes.append(f"{label}: booked {money(abs(amount), code)} {code} taken as"
                         f" {money(converted, account_currency)} {account_currency}, the account's currency")
            amount, code = converted * (1 if amount > 0 else -1), account_currency
    context = _Entry(entry, booking, value, code)
    if len(details) <= 1:
        if details:
            _check_detail(details[0], abs(amount), code, named, where)
        return [context.line(details[0] if details else None, amount, whole=True)]
    amounts = [_detail_amount(d, code, 1 if amount > 0 else -1, where) for d in details]
    if all(a is not None for a in amounts) and sum(a for a in amounts if a is not None) == amount:
        return [context.line(d, a, whole=False) for d, a in zip(details, amounts, strict=True) if a is not None]
    _check_batch(details, amount, code, named, where)
    notes.append(f"{label}: the amounts of its {len(details)} transactions do not add up to the entry's"
                 f" {money(amount, code)} {code}; kept as one line")
    return [context.combined(details, amount)]


def _same_currency(holder: Any, paths: tuple[str, ...], code: str, where: str) -> list[Decimal]:
    found = []
    for path in paths:
        for element in holder.findall(path):
            if element.get("Ccy") == code:
                found.append(_amount(element, where)[0])
    return found


def _charges(detail: Any, code: str, where: str) -> Decimal:
    total = _same_currency(detail, _CHARGES[:1], code, where)
    return total[0] if total else sum(_same_currency(detail, _CHARGES[1:], code, where), Decimal(0))


def _check_detail(detail: Any, amount: Decimal, code: str, named: str, where: str) -> None:
    """The only transaction of an entry must be for the entry's amount, compared in the entry's currency.

    Banks give the transaction's amount in several places (``Amt``, ``AmtDtls/TxAmt``, ``InstdAmt``,
    ``CntrValAmt``), some in another currency, and some deduct or add charges (``Chrgs``): the entry is
    accepted when any amount in its currency is the entry's, with or without the charges; it is refused
    when the transaction gives amounts in the entry's currency and none of them is.
    """
    given = _same_currency(detail, _TX_AMOUNTS, code, where)
    if not given:
        return  # no amount in this currency (or none at all): nothing to compare like with like
    charges = _charges(detail, code, where)
    if any(amount in (g, g - charges, g + charges) for g in given):
        return
    shown = ", ".join(dict.fromkeys(money(g, code) for g in given))
    raise BadStatement(f"the entry is for {money(amount, code)} {code} but its transaction details (TxDtls) say"
                       f" {shown} {code}: the file is damaged or altered; ask the bank for it again", named)


def _check_batch(details: list[Any], amount: Decimal, code: str, named: str, where: str) -> None:
    """Several transactions whose amounts, all in the entry's currency, do not add up to it: refused.

    When some transaction gives no amount in the entry's currency, or the difference is their charges, the
    entry stays one line (with a note): nothing can be compared like with like, or the bank netted charges.
    """
    sign = 1 if amount > 0 else -1
    amounts = [_detail_amount(d, code, sign, where) for d in details]
    if any(a is None for a in amounts):
        return
    total = sum((a for a in amounts if a is not None), Decimal(0))
    charges = sum((_charges(d, code, where) for d in details), Decimal(0))
    if charges and abs(total - amount) == charges:
        return
    raise BadStatement(f"the entry is for {money(amount, code)} {code} but its {len(details)} transactions"
                       f" (TxDtls) add up to {money(total, code)} {code}: the file is damaged or altered; ask the"
                       " bank for it again", named)


def _in_account_currency(entry: Any, details: list[Any], code: str, where: str) -> Decimal | None:
    holders = [entry] + (details if len(details) == 1 else [])
    for holder in holders:
        for path in _ACCOUNT_AMOUNTS:
            element = holder.find(path)
            if element is not None and element.get("Ccy") == code:
                return _amount(element, where)[0]
    return None


def _detail_amount(detail: Any, code: str, entry_sign: int, where: str) -> Decimal | None:
    for path in _TX_AMOUNTS:
        element = detail.find(path)
        if element is not None and element.get("Ccy") == code:
            return _amount(element, where)[0] * _sign(detail, where, default=entry_sign)
    return None


class _Entry:
    """What an entry's lines share: its dates, currency, references and the entry-level text."""

    def __init__(self, entry: Any, booking: dt.date, value: dt.date, code: str) -> None:
        self.entry = entry
        self.booking = booking
        self.value = value
        self.code = code
        self.reversal = _text(entry, "RvslInd").lower() in ("true", "1")
        self.entry_text = _text(entry, "AddtlNtryInf")
        batch = entry.find("NtryDtls/Btch")
        self.batch = ""
        if batch is not None:
            count = _text(batch, "NbOfTxs")
            self.batch = " ".join(p for p in ("batch", _text(batch, "PmtInfId"),
                                               f"({count} transactions)" if count else "") if p)

    def line(self, detail: Any, amount: Decimal, *, whole: bool) -> StatementLine:
        name, account = _counterparty(detail, amount > 0)
        parts = ["Reversal" if self.reversal else "", *_remittance(detail), self.entry_text]
        if detail is None:
            parts.append(self.batch)
        reference = _reference(detail, self.entry, whole)
        end_to_end = _text(detail, "Refs/EndToEndId")
        if usable_reference(end_to_end) and end_to_end != reference:
            parts.append(end_to_end)
        return StatementLine("", self.booking, self.value, amount, self.code, name, account, _join(parts),
                             reference)

    def combined(self, details: list[Any], amount: Decimal) -> StatementLine:
        parts = ["Reversal" if self.reversal else "", self.batch]
        for detail in details:
            parts.extend(_remittance(detail))
        parts.append(self.entry_text)
        return StatementLine("", self.booking, self.value, amount, self.code, "", "", _join(parts),
                             _reference(None, self.entry, True))


def _counterparty(detail: Any, credit: bool) -> tuple[str, str]:
    parties = detail.find("RltdPties") if detail is not None else None
    if parties is None:
        return "", ""
    party = "Dbtr" if credit else "Cdtr"
    name = _party_name(parties, party) or _party_name(parties, "Ultmt" + party)
    account = _text(parties, f"{party}Acct/Id/IBAN") or _text(parties, f"{party}Acct/Id/Othr/Id")
    return name, account


def _party_name(parties: Any, tag: str) -> str:
    return _text(parties, f"{tag}/Nm") or _text(parties, f"{tag}/Pty/Nm")


def _remittance(detail: Any) -> list[str]:
    if detail is None:
        return []
    parts = [clean_text(u.text) for u in detail.findall("RmtInf/Ustrd") if u.text]
    for structured in detail.findall("RmtInf/Strd"):
        parts.append(_text(structured, "CdtrRefInf/Ref"))
        parts.extend(clean_text(n.text) for n in structured.findall("RfrdDocInf/Nb") if n.text)
        parts.extend(clean_text(a.text) for a in structured.findall("AddtlRmtInf") if a.text)
    parts.append(_text(detail, "AddtlTxInf"))
    return parts


def _reference(detail: Any, entry: Any, whole: bool) -> str:
    candidates = [_text(detail, "Refs/AcctSvcrRef")]
    if whole:  # a batch's entry reference is shared by all its lines: not theirs
        candidates.append(_text(entry, "AcctSvcrRef"))
    candidates += [_text(detail, "Refs/EndToEndId")]
    if whole:
        candidates.append(_text(entry, "NtryRef"))
    return next((c for c in candidates if usable_reference(c)), "")


def _join(parts: list[str]) -> str:
    return _SEPARATOR.join(dict.fromkeys(p for p in parts if p))


def _compare_summary(statement: Any, entries: list[Any], code: str, label: str, notes: list[str]) -> None:
    counted = _text(statement, "TxsSummry/TtlNtries/NbOfNtries")
    if counted.isdigit() and int(counted) != len(entries):
        notes.append(f"{label}: the bank's summary (TxsSummry) counts {int(counted)} entries but the file holds"
                     f" {len(entries)}; the balances are the check")
    net = statement.find("TxsSummry/TtlNtries/TtlNetNtry")
    if net is not None and counted.isdigit() and int(counted) == len(entries):
        try:
            stated = Decimal(_text(net, "Amt")) * _sign(net, label)
        except (InvalidOperation, ArxlError):
            return
        total = Decimal(0)
        for entry in entries:
            amount = entry.find("Amt")
            if amount is not None and amount.get("Ccy") == code and _AMOUNT.match((amount.text or "").strip()):
                total += Decimal(amount.text.strip()) * _sign(entry, label, default=1)
        if total != stated:
            notes.append(f"{label}: the bank's summary nets {money(stated, code)} but the entries net"
                         f" {money(total, code)} {code}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else "malformed XML")[:160]
