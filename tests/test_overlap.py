"""Overlapping, nested and re-ordered re-downloads of a statement: each bank line is posted once.

July is imported, decided and posted; then the bank's next download comes — the same lines and one new, a
part of July, July in another order, the last week of July and the first of August — as CSV, MT940 and camt
built here from the sample's July statement. Each time only the new lines are proposed, the repeated ones are
listed with their receipts, posting posts each bank line once, and no invoice is touched by a repeated line.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal as D
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from arxl.app.reconcile import line_accounts
from arxl.cashapp.banklines import BankLine, identities, our_account
from arxl.cashapp.reconcile import HEADERS, SHEET
from arxl.cli import main
from arxl.core.statement import StatementLine
from arxl.formats.statements import read_statement
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import open_items
from arxl.sample import BANK_RWF, BANK_USD, sample_decisions, sample_statement, write_sample

TODAY = "2025-08-01"
ACCOUNTS = {"RWF": BANK_RWF, "USD": BANK_USD}
JULY = sample_statement()
FORMATS = ("csv", "mt940", "camt")


# --- the bank's files, built from statement lines ------------------------------------------------------------

def write_csv(lines: Sequence[StatementLine], path: Path) -> Path:
    """A bank's signed-amount CSV export: no line ids, no account, narratives re-spaced and in lower case."""
    rows = ["Date,Value Date,Description,Amount,Currency,Counterparty,Counterparty Account,Reference"]
    for line in lines:
        narrative = line.narrative.lower().replace(" ", "  ")
        rows.append(f'{line.booking_date:%d/%m/%Y},{line.value_date:%d/%m/%Y},"{narrative}",{line.amount},'
                    f'{line.currency},"{line.counterparty_name}",{line.counterparty_account},{line.bank_reference}')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _mt940_amount(amount: D) -> str:
    return f"{abs(amount)}".replace(".", ",") + ("," if "." not in f"{amount}" else "")


def write_mt940(lines: Sequence[StatementLine], path: Path) -> Path:
    """One MT940 statement per account (RWF, USD), with opening and closing balances that add up."""
    blocks = []
    for code in ("RWF", "USD"):
        mine = [line for line in lines if line.currency == code]
        if not mine:
            continue
        opening = D("500000000") if code == "RWF" else D("100000.00")
        closing = opening + sum((line.amount for line in mine), D(0))
        first, last = min(x.booking_date for x in mine), max(x.booking_date for x in mine)
        block = [f":20:STMT-{code}", f":25:{ACCOUNTS[code]}", ":28C:1/1",
                 f":60F:C{first:%y%m%d}{code}{_mt940_amount(opening)}"]
        for line in mine:
            mark = "C" if line.amount > 0 else "D"
            reference = line.bank_reference or "NONREF"
            block.append(f":61:{line.value_date:%y%m%d}{line.booking_date:%m%d}{mark}{_mt940_amount(line.amount)}"
                         f"NTRFNONREF//{reference}")
            block.append(f":86:/ORDP//NAME/{line.counterparty_name}/REMI/{line.narrative}" if line.counterparty_name
                         else f":86:{line.narrative}")
        block.append(f":62F:C{last:%y%m%d}{code}{_mt940_amount(closing)}")
        blocks.append("\n".join(block) + "\n-")
    path.write_text("\n".join(blocks) + "\n", encoding="utf-8")
    return path


def write_camt(lines: Sequence[StatementLine], path: Path) -> Path:
    """A camt.053: one Stmt per account (RWF, USD) with its booked opening and closing balances."""
    statements = []
    for code in ("RWF", "USD"):
        mine = [line for line in lines if line.currency == code]
        if not mine:
            continue
        opening = D("500000000") if code == "RWF" else D("100000.00")
        closing = opening + sum((line.amount for line in mine), D(0))
        first, last = min(x.booking_date for x in mine), max(x.booking_date for x in mine)
        entries = []
        for line in mine:
            party, side = ("Dbtr", "CRDT") if line.amount > 0 else ("Cdtr", "DBIT")
            reference = f"<Refs><AcctSvcrRef>{escape(line.bank_reference)}</AcctSvcrRef></Refs>" \
                if line.bank_reference else ""
            entries.append(
                f'<Ntry><Amt Ccy="{code}">{abs(line.amount)}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>'
                f"<BookgDt><Dt>{line.booking_date}</Dt></BookgDt><ValDt><Dt>{line.value_date}</Dt></ValDt>"
                + (f"<AcctSvcrRef>{escape(line.bank_reference)}</AcctSvcrRef>" if line.bank_reference else "")
                + f"<NtryDtls><TxDtls>{reference}<RltdPties><{party}><Nm>{escape(line.counterparty_name)}</Nm>"
                f"</{party}></RltdPties><RmtInf><Ustrd>{escape(line.narrative)}</Ustrd></RmtInf></TxDtls></NtryDtls>"
                "</Ntry>")

        def balance(kind: str, amount: D, day: dt.date, ccy: str = code) -> str:
            return (f"<Bal><Tp><CdOrPrtry><Cd>{kind}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{amount}</Amt>"
                    f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>")

        statements.append(f"<Stmt><Id>STMT-{code}-{first:%Y%m%d}</Id><CreDtTm>{last}T23:00:00</CreDtTm>"
                          f"<Acct><Id><Othr><Id>{ACCOUNTS[code]}</Id></Othr></Id><Ccy>{code}</Ccy></Acct>"
                          f"{balance('OPBD', opening, first)}{balance('CLBD', closing, last)}{''.join(entries)}"
                          "</Stmt>")
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr>'
                    '<MsgId>M1</MsgId><CreDtTm>2025-08-07T23:00:00</CreDtTm></GrpHdr>'
                    f'{"".join(statements)}</BkToCstmrStmt></Document>\n', encoding="utf-8")
    return path


WRITERS: dict[str, Callable[[Sequence[StatementLine], Path], Path]] = {
    "csv": write_csv, "mt940": write_mt940, "camt": write_camt}
SUFFIX = {"csv": ".csv", "mt940": ".sta", "camt": ".xml"}


def statement_file(fmt: str, lines: Sequence[StatementLine], folder: Path, name: str) -> Path:
    return WRITERS[fmt](lines, folder / f"{name}{SUFFIX[fmt]}")


# --- the workbook --------------------------------------------------------------------------------------------

def sheet_rows(book: Path) -> list[tuple[int, dict[str, object]]]:
    """The Reconciliation sheet's rows with their row numbers."""
    sheet = load_workbook(book, data_only=True)[SHEET]
    header = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "Statement")
    rows = []
    for number in range(header + 1, sheet.max_row + 1):
        values = [sheet.cell(row=number, column=c + 1).value for c in range(len(HEADERS))]
        if values[0]:
            rows.append((number, dict(zip(HEADERS, values, strict=True))))
    return rows


def write_decisions(book: Path, decisions: dict[str, str]) -> None:
    """Type decisions (Line ID -> decision) into the undecided rows of the Reconciliation sheet."""
    workbook = load_workbook(book)
    sheet = workbook[SHEET]
    for number, row in sheet_rows(book):
        if row["Line ID"] in decisions and not row["Decision"] and not row["Posted"]:
            sheet.cell(row=number, column=HEADERS.index("Decision") + 1).value = decisions[str(row["Line ID"])]
    workbook.save(book)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@dataclass(frozen=True)
class Base:
    """July imported, decided and posted, in one format."""

    book: bytes
    folder: Path
    posted: dict[str, str]  # bank reference -> receipt id
    rejected: set[str]  # bank references rejected


@pytest.fixture(scope="module", params=FORMATS)
def july(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Base]:
    fmt: str = request.param
    folder = tmp_path_factory.mktemp(f"july-{fmt}")
    book, sample_csv = write_sample(folder / "billing.xlsx")
    source = sample_csv if fmt == "csv" else statement_file(fmt, JULY, folder, "july")
    assert main(["reconcile", "propose", str(book), "--statement", str(source), "--on", TODAY]) == 0
    by_reference = {line.bank_reference: line.line_id for line in JULY}
    proposals: dict[str, set[str]] = {}
    sheet_ids: dict[str, str] = {}
    for _, row in sheet_rows(book):
        sample_id = by_reference[str(row["Bank Ref"])]
        sheet_ids[sample_id] = str(row["Line ID"])
        proposals.setdefault(sample_id, set())
        if row["Invoice"]:
            proposals[sample_id].add(str(row["Invoice"]))
    decisions = sample_decisions(proposals)
    write_decisions(book, {sheet_ids[k]: v for k, v in decisions.items()})
    assert main(["reconcile", "post", str(book), "--on", TODAY]) == 0
    ledger, _ = open_ledger(book)
    posted = {r.bank_reference: r.receipt_id for r in ledger.receipts if r.statement_line.startswith("BL1|")}
    rejected = {by_ref for by_ref, line_id in by_reference.items() if decisions[line_id] == "reject"}
    assert len(posted) + len(rejected) == len(JULY) and len(posted) >= 30
    return fmt, Base(book.read_bytes(), folder, posted, rejected)


def fresh_copy(base: Base, tmp_path: Path) -> Path:
    book = tmp_path / "billing.xlsx"
    book.write_bytes(base.book)
    return book


def august_lines(ledger: Ledger) -> list[StatementLine]:
    """August's new lines: two customers paying open invoices in full, and a bank fee with no reference."""
    items = sorted((i for i in open_items(ledger.invoices, ledger.allocations, dt.date.max)
                    if i.kind == "invoice" and i.currency == "RWF" and i.open_amount > 0),
                   key=lambda i: i.reference)
    names = {c.customer_id: c.name for c in ledger.customers}
    first, second = items[0], items[1]
    return [
        StatementLine("", dt.date(2025, 8, 1), dt.date(2025, 8, 1), first.open_amount, "RWF",
                      names[first.customer_id], "", f"PAYMENT {first.reference}", "FT25213NEW01"),
        StatementLine("", dt.date(2025, 8, 4), dt.date(2025, 8, 4), second.open_amount, "RWF",
                      names[second.customer_id], "", f"PAYMENT {second.reference}", "FT25216NEW02"),
        StatementLine("", dt.date(2025, 8, 5), dt.date(2025, 8, 5), D("-5000"), "RWF", "", "",
                      "MONTHLY ACCOUNT FEE", ""),
    ]


def scenario(name: str, august: list[StatementLine]) -> tuple[list[StatementLine], list[StatementLine]]:
    """The lines of a re-download and the new ones among them."""
    if name == "same lines and one new":
        return [*JULY, august[0]], [august[0]]
    if name == "nested":
        return [line for line in JULY if dt.date(2025, 7, 10) <= line.booking_date <= dt.date(2025, 7, 20)], []
    if name == "re-ordered":
        shuffled = list(JULY)
        random.Random(3).shuffle(shuffled)
        return shuffled, []
    assert name == "overlap"
    return [line for line in JULY if line.booking_date >= dt.date(2025, 7, 25)] + august, august


def key(line: StatementLine) -> tuple[dt.date, D, str, str]:
    return (line.booking_date, line.amount, line.currency, line.bank_reference)


def sheet_key(row: dict[str, object]) -> tuple[dt.date, D, str, str]:
    date = row["Date"]
    assert isinstance(date, dt.datetime)
    return (date.date(), D(str(row["Amount"])), str(row["Currency"]), str(row["Bank Ref"] or ""))


@pytest.mark.parametrize("name", ["same lines and one new", "nested", "re-ordered", "overlap"])
def test_a_redownload_proposes_only_its_new_lines_and_posts_each_bank_line_once(
        july: tuple[str, Base], name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fmt, base = july
    book = fresh_copy(base, tmp_path)
    before, _ = open_ledger(book)
    lines, new = scenario(name, august_lines(before))
    download = statement_file(fmt, lines, tmp_path, f"download-{name.replace(' ', '-')}")
    repeated = [line for line in lines if line not in new]

    code, out, err = run(["reconcile", "propose", str(book), "--statement", str(download),
                          "--on", "2025-08-08"], capsys)
    assert code == 0, err
    for line in repeated:  # each repeated line is listed with its receipt, or as rejected
        shown = [text for text in out.splitlines() if line.bank_reference in text]
        if line.bank_reference in base.posted:
            assert any(f"already posted as {base.posted[line.bank_reference]}" in t for t in shown), line
        else:
            assert any("already rejected on 01/08/2025" in t for t in shown), line
    if not new:  # nothing new: said so, and the workbook is not written
        assert f"all {len(lines)} line(s) already imported" in out
        assert book.read_bytes() == base.book
        return
    assert f"{len(lines)} line(s): {len(new)} new ({len(lines) - len(new)} seen before" in out
    assert f"{len(repeated)} line(s) seen before, not proposed again" in out

    rows = sheet_rows(book)
    waiting = {sheet_key(r) for _, r in rows if not r["Decision"] and not r["Posted"]}
    assert waiting == {key(line) for line in new}  # only the new lines are proposed
    assert not any(str(r["Posted"]).startswith("RCPT-") for _, r in rows)  # posted lines are not shown again
    line_ids = {sheet_key(r): str(r["Line ID"]) for _, r in rows}
    decisions = {line_ids[key(line)]: line.narrative.removeprefix("PAYMENT ") if line.amount > 0 else "reject"
                 for line in new}
    write_decisions(book, decisions)
    code, out, err = run(["reconcile", "post", str(book), "--on", "2025-08-08"], capsys)
    assert code == 0, err
    credits = [line for line in new if line.amount > 0]
    assert f"{len(credits)} line(s) posted" in out

    after, _ = open_ledger(book)
    from_statements = [r for r in after.receipts if r.statement_line.startswith("BL1|")]
    assert len({r.statement_line for r in from_statements}) == len(from_statements)
    assert len({r.bank_reference for r in from_statements}) == len(from_statements) == len(base.posted) + len(credits)
    distinct = [line for line in JULY if line.bank_reference in base.posted] + credits
    for currency in ("RWF", "USD"):  # Receipts total = the distinct bank lines posted, to the unit
        total = sum((r.amount for r in from_statements if r.currency == currency), D(0))
        assert total == sum((line.amount for line in distinct if line.currency == currency), D(0))
    new_ids = {r.receipt_id for r in after.receipts} - {r.receipt_id for r in before.receipts}
    assert len(new_ids) == len(credits)
    assert after.allocations.rows[:len(before.allocations)] == before.allocations.rows
    touched = {a.invoice_no for a in after.allocations.rows[len(before.allocations):]}
    assert {a.receipt_id for a in after.allocations.rows[len(before.allocations):]} == new_ids
    assert touched == {line.narrative.removeprefix("PAYMENT ") for line in credits}
    status_before = {i.invoice_no: i.status for i in before.invoices}
    changed = {i.invoice_no for i in after.invoices if i.status != status_before[i.invoice_no]}
    assert changed == touched  # no invoice marked paid by a repeated line
    assert all(i.status == "paid" for i in after.invoices if i.invoice_no in touched)

    posted_book = book.read_bytes()
    code, out, err = run(["reconcile", "propose", str(book), "--statement", str(download),
                          "--on", "2025-08-09"], capsys)
    assert code == 0, err  # the same download again: every line known, the fee (no reference) too
    assert f"all {len(lines)} line(s) already imported" in out and book.read_bytes() == posted_book
    for line in credits:
        receipt = next(r for r in after.receipts if r.bank_reference == line.bank_reference)
        assert any(line.bank_reference in t and f"already posted as {receipt.receipt_id}" in t
                   for t in out.splitlines())


@pytest.mark.parametrize("july", ["csv"], indirect=True)  # the sheet is the same whatever the format
def test_a_line_already_in_receipts_is_never_posted_again_whatever_the_sheet_says(
        july: tuple[str, Base], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, base = july
    book = fresh_copy(base, tmp_path)
    workbook = load_workbook(book)
    sheet = workbook[SHEET]
    rows = sheet_rows(book)
    number, row = next((n, r) for n, r in rows if str(r["Posted"]).startswith("RCPT-"))
    for other, r in rows:
        if r["Line ID"] == row["Line ID"]:
            sheet.cell(row=other, column=HEADERS.index("Posted") + 1).value = None  # someone cleared it by hand
    workbook.save(book)
    before, _ = open_ledger(book)
    code, _, err = run(["reconcile", "post", str(book), "--on", "2025-08-08"], capsys)
    assert code == 2
    assert f"[billing.xlsx]Reconciliation!R{number}" in err
    assert f"is a bank line already posted as {row['Posted']}: it is not posted again" in err
    after, _ = open_ledger(book)
    assert len(after.receipts) == len(before.receipts) and len(after.allocations) == len(before.allocations)


@pytest.mark.parametrize("july", ["csv"], indirect=True)
def test_receipts_posted_before_identities_are_recognised(july: tuple[str, Base], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A workbook posted by the previous version: Statement Line "<fingerprint>:<line id>", no Bank Line column
    values, Posted "rejected" without a date."""
    _, base = july
    book = fresh_copy(base, tmp_path)
    workbook = load_workbook(book)
    rows = sheet_rows(book)
    old_key = {str(r["Posted"]): f"{r['Statement']}:{r['Line ID']}" for _, r in rows}
    receipts = workbook["Receipts"]
    header = [c.value for c in receipts[1]]
    column = header.index("Statement Line") + 1
    for number in range(2, receipts.max_row + 1):
        receipt_id = receipts.cell(row=number, column=1).value
        if receipt_id in old_key:
            receipts.cell(row=number, column=column).value = old_key[str(receipt_id)]
    sheet = workbook[SHEET]
    for number, r in rows:
        sheet.cell(row=number, column=HEADERS.index("Bank Line") + 1).value = None
        if str(r["Posted"]).startswith("rejected"):
            sheet.cell(row=number, column=HEADERS.index("Posted") + 1).value = "rejected"
    workbook.save(book)
    ledger, _ = open_ledger(book)
    assert not any(r.statement_line.startswith("BL1|") for r in ledger.receipts)

    lines, new = scenario("overlap", august_lines(ledger))
    download = write_camt(lines, tmp_path / "overlap.xml")  # and in another format than July's CSV
    code, out, err = run(["reconcile", "propose", str(book), "--statement", str(download),
                          "--on", "2025-08-08"], capsys)
    assert code == 0, err
    assert f"{len(lines)} line(s): {len(new)} new ({len(lines) - len(new)} seen before" in out
    for line in lines[:-len(new)]:
        shown = [t for t in out.splitlines() if line.bank_reference in t]
        expected = f"already posted as {base.posted[line.bank_reference]}" if line.bank_reference in base.posted \
            else "already rejected (Reconciliation sheet)"
        assert any(expected in t for t in shown), line
    waiting = {sheet_key(r) for _, r in sheet_rows(book) if not r["Decision"] and not r["Posted"]}
    assert waiting == {key(line) for line in new}


@pytest.mark.parametrize("july", ["mt940"], indirect=True)
def test_an_import_waits_while_lines_of_an_earlier_one_wait_for_a_decision(
        july: tuple[str, Base], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, base = july
    book = fresh_copy(base, tmp_path)
    ledger, _ = open_ledger(book)
    august = august_lines(ledger)
    first = write_mt940(august[:1], tmp_path / "aug1.sta")
    assert run(["reconcile", "propose", str(book), "--statement", str(first), "--on", "2025-08-02"], capsys)[0] == 0
    written = book.read_bytes()
    again = run(["reconcile", "propose", str(book), "--statement", str(first), "--on", "2025-08-02"], capsys)
    assert again[0] == 0 and "all 1 line(s) already imported" in again[1]
    assert "already imported on 02/08/2025 from aug1.sta, waiting for a decision" in again[1]
    second = write_mt940(august, tmp_path / "aug1-5.sta")
    code, _, err = run(["reconcile", "propose", str(book), "--statement", str(second), "--on", "2025-08-06"], capsys)
    assert code == 2 and "still has 1 line(s) of another statement waiting for a decision" in err
    assert book.read_bytes() == written


# --- the identity itself -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_same_identities(fmt: str, tmp_path: Path) -> None:
    """The July statement as arxl's CSV (no account: Settings' accounts), a bank CSV, MT940 and camt."""
    def keys(path: Path) -> list[str]:
        statement = read_statement(path)
        return identities(BankLine(our_account(account, line.currency, ACCOUNTS), line.booking_date, line.amount,
                                   line.currency, line.bank_reference, line.narrative)
                          for line, account in zip(statement.lines, line_accounts(statement), strict=True))

    canonical = tmp_path / "july.csv"
    write_sample(tmp_path / "billing.xlsx")
    canonical.write_bytes((tmp_path / "billing-statement-2025-07.csv").read_bytes())
    expected = sorted(keys(canonical))
    assert len(set(expected)) == len(JULY)
    shuffled = list(JULY)
    random.Random(5).shuffle(shuffled)
    assert sorted(keys(statement_file(fmt, shuffled, tmp_path, "again"))) == expected
    statement = read_statement(statement_file(fmt, JULY, tmp_path, "again"))
    if fmt != "csv":
        assert set(line_accounts(statement)) == {BANK_RWF, BANK_USD}


@pytest.mark.parametrize(("a", "b", "same"), [
    (BankLine("000400012345", dt.date(2025, 7, 3), D("970000"), "RWF", "FT25184XYZ", "PAYMENT INV-1"),
     BankLine("00040-0012345", dt.date(2025, 7, 3), D("970000.00"), "rwf", "ft25184 xyz", "payment  inv 1 kigali"),
     True),
    (BankLine("1", dt.date(2025, 7, 3), D("970000"), "RWF", "FT25184XYZ"),
     BankLine("2", dt.date(2025, 7, 3), D("970000"), "RWF", "FT25184XYZ"), False),  # another account
    (BankLine("1", dt.date(2025, 7, 3), D("970000"), "RWF", "FT25184XYZ"),
     BankLine("1", dt.date(2025, 7, 4), D("970000"), "RWF", "FT25184XYZ"), False),  # another day
    (BankLine("1", dt.date(2025, 7, 3), D("100.00"), "USD", "FT1"),
     BankLine("1", dt.date(2025, 7, 3), D("100.01"), "USD", "FT1"), False),  # another amount
    (BankLine("1", dt.date(2025, 7, 3), D("5000"), "RWF", "NONREF", "Account fee July"),
     BankLine("1", dt.date(2025, 7, 3), D("5000"), "RWF", "", "ACCOUNT FEE - JULY"), True),  # no reference
    (BankLine("1", dt.date(2025, 7, 3), D("5000"), "RWF", "", "Account fee July"),
     BankLine("1", dt.date(2025, 7, 3), D("5000"), "RWF", "", "SMS fee July"), False),
])
def test_what_makes_two_lines_the_same(a: BankLine, b: BankLine, same: bool) -> None:
    assert (identities([a]) == identities([b])) is same


lines_strategy = st.lists(st.builds(
    BankLine, account=st.sampled_from(["00040-0695", "000400695"]),
    booking_date=st.dates(dt.date(2025, 7, 1), dt.date(2025, 7, 3)),
    amount=st.sampled_from([D("5000"), D("-5000"), D("970000")]), currency=st.just("RWF"),
    reference=st.sampled_from(["", "NONREF", "FT1", "FT2"]),
    narrative=st.sampled_from(["Fee", "FEE ", "pay inv 1"])), max_size=12)


@given(lines_strategy, st.randoms())
def test_identities_do_not_depend_on_the_order_of_the_lines(lines: list[BankLine], rng: random.Random) -> None:
    shuffled = list(lines)
    rng.shuffle(shuffled)
    assert sorted(identities(shuffled)) == sorted(identities(lines))
    assert len(set(identities(lines))) == len(lines)  # two lines of one file never share an identity


@given(lines_strategy)
def test_a_referenced_line_keeps_its_identity_whatever_its_narrative(lines: list[BankLine]) -> None:
    renarrated = [replace(line, narrative=re.sub(" ", "   ", line.narrative.swapcase()) + " extra")
                  if line.reference in ("FT1", "FT2") else line for line in lines]
    assert identities(renarrated) == identities(lines)


@pytest.mark.parametrize("july", ["mt940"], indirect=True)
def test_a_line_without_reference_like_a_known_one_is_flagged_for_a_check(
        july: tuple[str, Base], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a bank reference a line is known by its narrative: another export's wording makes it look new.
    It is then proposed, but the report and its Reason say which known line it resembles."""
    _, base = july
    book = fresh_copy(base, tmp_path)
    ledger, _ = open_ledger(book)
    fee = august_lines(ledger)[2]
    first = write_mt940([fee], tmp_path / "fee.sta")
    assert run(["reconcile", "propose", str(book), "--statement", str(first), "--on", "2025-08-06"], capsys)[0] == 0
    write_decisions(book, {str(r["Line ID"]): "reject" for _, r in sheet_rows(book) if not r["Decision"]})
    assert run(["reconcile", "post", str(book), "--on", "2025-08-06"], capsys)[0] == 0
    reworded = write_csv([replace(fee, narrative="ACCOUNT MAINTENANCE FEE AUG")], tmp_path / "fee.csv")
    code, out, err = run(["reconcile", "propose", str(book), "--statement", str(reworded),
                          "--on", "2025-08-07"], capsys)
    assert code == 0, err
    assert "fee.csv: 1 line(s): 0 matched automatically" in out
    assert "05/08/2025 -5,000 RWF: same account, date and amount as a line rejected on 06/08/2025: check it is " \
           "not the same payment" in out
    waiting = [r for _, r in sheet_rows(book) if not r["Decision"] and not r["Posted"]]
    assert len(waiting) == 1 and "rejected on 06/08/2025: check it is not the same payment" in str(waiting[0]["Reason"])
    assert waiting[0]["Status"] != "auto"


def test_a_statement_without_its_closing_balance_is_refused_unless_checked_by_hand(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The workbook import refuses what `statement normalize` refuses, and records a hand check."""
    book, _ = write_sample(tmp_path / "billing.xlsx")
    cut = write_mt940(JULY, tmp_path / "july.sta")
    cut.write_text("\n".join(line for line in cut.read_text().splitlines() if not line.startswith(":62F:")) + "\n")
    before = book.read_bytes()
    code, _, err = run(["reconcile", "propose", str(book), "--statement", str(cut), "--on", TODAY], capsys)
    assert code == 2 and "july.sta" in err and "closing balance" in err and "line" in err
    assert book.read_bytes() == before
    code, _, err = run(["reconcile", "propose", str(book), "--statement", str(cut),
                          "--on", TODAY, "--no-balance-check"],
                         capsys)
    assert code == 0, err
    ledger, _ = open_ledger(book)
    records = list(ledger.table("Statements"))
    assert [(r.file, r.balances) for r in records] == [("july.sta", "not checked: switched off")]
    code, _, err = run(["reconcile", "propose", str(book), "--statement", str(cut), "--on", TODAY, "--max-lines", "10",
                        "--no-balance-check"], capsys)
    assert code == 2 and "more than 10 statement lines" in err, err
