"""Statements in sequence, and MT940 damage that used to lose lines or hide where it was.

Each test states its file as literal text, the way a bank sends it, and checks what an accountant checks: that
a missing page or day between two statements is refused with the figures (F3); that bookings after a closing
balance are never dropped without a word (F4); that the SEPA references of German ``:86:`` sub-fields reach
the narrative, so the invoice quoted there is matched (F9); that a bad date or amount names its line in words
(F14); that an MT942 interim report is called one (F15); and that a line id given twice names its lines
(F16).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.cli import main
from arxl.core.statement import STATEMENT_COLUMNS, StatementLine
from arxl.formats.statements import BadStatement, BalanceMismatch, read_statement
from arxl.formats.statements.model import Draft, finish


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def day(reference: str, number: str, opening: str, booking: str, narrative: str, closing: str) -> str:
    """One MT940 statement of account 000400012345 in RWF, one booking."""
    return (f":20:{reference}\n:25:000400012345\n:28C:{number}\n:60{opening}\n:61:{booking}\n:86:{narrative}\n"
            f":62{closing}\n-\n")


PAGE_1 = day("STMT9", "5/1", "F:C250701RWF1000000,", "2507020702C250000,NTRFNONREF//FT1", "PAGE ONE",
             "M:C250702RWF1250000,")
PAGE_3 = day("STMT9", "5/3", "M:C250702RWF1300000,", "2507020702C100000,NTRFNONREF//FT3", "PAGE THREE",
             "F:C250702RWF1400000,")


def test_f3_a_missing_page_or_day_between_two_statements_is_refused_with_the_figures(tmp_path: Path) -> None:
    # page 5/2 is missing: page 5/1 closes at 1,250,000 and page 5/3 opens at 1,300,000 (line 9)
    pages = write(tmp_path / "pages.sta", PAGE_1 + PAGE_3)
    with pytest.raises(BalanceMismatch) as refused:
        read_statement(pages)
    assert str(refused.value).startswith(
        "[pages.sta] line 9: statement STMT9/5/3 (account 000400012345) opens at 1,300,000 RWF but statement"
        " STMT9/5/1, before it (line 1), closed at 1,250,000 RWF: a difference of 50,000 RWF, so the lines between"
        " them are missing (a page or a day)")
    # the same pages newest first: the chain is checked in the order of the dates and :28C: numbers
    with pytest.raises(BalanceMismatch, match=r"^\[pages.sta\] line 1: statement STMT9/5/3 .* opens at 1,300,000"
                                              r" RWF but statement STMT9/5/1, before it \(line 9\)"):
        read_statement(write(tmp_path / "pages.sta", PAGE_3 + PAGE_1))
    # a day missing between two camt.053 statements (day 1 closes at 1,250,000, day 3 opens at 1,300,000)
    with pytest.raises(BalanceMismatch, match=r"^\[gap.xml\] line 12: statement D3 \(account RW0004\) opens at"
                                              r" 1,300,000 RWF but statement D1, before it \(line 3\), closed at"
                                              r" 1,250,000 RWF: a difference of 50,000 RWF"):
        read_statement(write(tmp_path / "gap.xml", camt(("D1", "2025-07-01", "1000000", "250000", "1250000"),
                                                        ("D3", "2025-07-03", "1300000", "100000", "1400000"))))
    # statements that chain read, also newest first; another account does not chain with this one
    day_2 = day("STMT2", "2/1", "F:C250702RWF1250000,", "2507030703C150000,NTRFNONREF//FT2", "DAY TWO",
                "F:C250703RWF1400000,")
    other = day("STMT7", "7/1", "F:C250701RWF5,", "2507020702C1,NTRFNONREF//FT7", "OTHER", "F:C250702RWF6,")
    other = other.replace(":25:000400012345", ":25:000400099999")
    chained = read_statement(write(tmp_path / "days.sta", day_2 + other + PAGE_1.replace("62M", "62F")))
    assert [line.amount for line in chained.lines] == [D(150000), D(1), D(250000)]
    assert chained.balances == "checked"
    # one account's days, the newest first: the statement opens with the oldest day and closes with the newest
    newest = read_statement(write(tmp_path / "newest.sta", day_2 + PAGE_1.replace("62M", "62F")))
    assert (newest.opening, newest.closing) == (D(1000000), D(1400000))
    # with the balance check switched off the file with the gap is read, and says so
    unchecked = read_statement(pages, check_balances=False)
    assert [line.amount for line in unchecked.lines] == [D(100000), D(250000)]
    assert unchecked.balances == "not checked: switched off"


def camt(*days: tuple[str, str, str, str, str]) -> str:
    """A camt.053 file, one Stmt per day of account RW0004 in RWF: (id, date, opening, entry, closing)."""
    statements = "".join(f"""
<Stmt><Id>{name}</Id>
<Acct><Id><Othr><Id>RW0004</Id></Othr></Id><Ccy>RWF</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="RWF">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>{date}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="RWF">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>{date}</Dt></Dt></Bal>
<Ntry><Amt Ccy="RWF">{entry}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>{date}</Dt></BookgDt><ValDt><Dt>{date}</Dt></ValDt><AcctSvcrRef>E-{name}</AcctSvcrRef></Ntry>
</Stmt>""" for name, date, opening, entry, closing in days)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
            f"<GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-07-03T20:00:00</CreDtTm></GrpHdr>{statements}\n"
            "</BkToCstmrStmt></Document>\n")


GLUED = (":20:STMT1\n:25:000400012345\n:28C:1/1\n:60F:C250701RWF1000000,\n"
         ":61:2507020702C250000,NTRFNONREF//FT1\n:86:FIRST DAY\n:62F:C250702RWF1250000,\n-\n"
         # the second day lost its :20: (two files joined); its two lines net to nil
         ":25:000400012345\n:28C:2/1\n:60F:C250702RWF1250000,\n"
         ":61:2507030703C400000,NTRFNONREF//FT2\n:86:SECOND DAY CUSTOMER PAYMENT\n"
         ":61:2507030703D400000,NTRFNONREF//FT3\n:86:SECOND DAY TRANSFER OUT\n:62F:C250703RWF1250000,\n-\n")


def refusal(path: Path) -> str:
    """The file's refusal, which must be the same whether the balances are checked or not."""
    messages = set()
    for check in (True, False):
        with pytest.raises(BadStatement) as refused:
            read_statement(path, check_balances=check)
        messages.add(str(refused.value))
    [message] = messages
    return message


def test_f4_bookings_after_a_closing_balance_are_refused_at_their_line_not_dropped(tmp_path: Path) -> None:
    # lines are never dropped, whether the balances are checked or not
    assert refusal(write(tmp_path / "glued.sta", GLUED)) == (
        "[glued.sta] line 9: :25: after the closing balance (:62F: at line 7) of MT940 statement STMT1/1/1,"
        " with no :20: before it: the next statement's beginning (its :20: reference, :60F: opening balance)"
        " is missing; the 2 bookings (:61:) at lines 12 and 14 would be lost; ask the bank for the file again")
    # late bookings after the closing balances of the same statement
    late = GLUED.split("-\n")[0] + (":64:C250702RWF1250000,\n:61:2507020702C400000,NTRFNONREF//FT2\n"
                                    ":86:AFTER THE CLOSING TAG\n-\n")
    with pytest.raises(BadStatement, match=r"^\[late.sta\] line 9: :61: after the closing balance \(:62F: at line"
                                           r" 7\) .* the booking \(:61:\) at line 9 would be lost"):
        read_statement(write(tmp_path / "late.sta", late))
    # a :86: after the closing balance is the statement's own text: still read, and left out of the lines
    info = GLUED.split("-\n")[0] + ":86:STATEMENT INFORMATION\n-\n"
    assert [line.amount for line in read_statement(write(tmp_path / "info.sta", info)).lines] == [D(250000)]


GERMAN = (":20:STMT1\n:25:DE12345678901234567890\n:28C:1/1\n:60F:C250701EUR1000,00\n"
          ":61:2507020702C250,00NTRFNONREF//FT1\n"
          ":86:166?00GUTSCHRIFT?100599?20EREF+INV-2025-00341?21KREF+KR-77?22MREF+MANDAT-9\n"
          "?23SVWZ+Zahlung Juni?30BYLADEMMXXX?31DE89370400440532013000?32MUSTER GMBH\n"
          ":61:2507030703C250,00NTRFNONREF//FT2\n"
          ":86:166?00GUTSCHRIFT?100599?20EREF+NOTPROVIDED?21SVWZ+INV-2025-00340?32MUSTER GMBH\n"
          ":62F:C250703EUR1500,00\n-\n")


def test_f9_sepa_references_of_german_sub_fields_stay_in_the_narrative_and_are_matched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = write(tmp_path / "eref.sta", GERMAN)
    eref, svwz = read_statement(statement).lines
    assert eref.narrative == "GUTSCHRIFT Zahlung Juni INV-2025-00341 MANDAT-9 KR-77"
    assert (eref.counterparty_name, eref.counterparty_account) == ("MUSTER GMBH", "DE89370400440532013000")
    assert svwz.narrative == "GUTSCHRIFT INV-2025-00340"  # NOTPROVIDED is no reference; SVWZ not repeated
    open_items = write(tmp_path / "open.csv", (
        "invoice_no,customer_id,customer_name,invoice_date,due_date,currency,net_amount,vat_amount,amount,"
        "open_amount\n"
        "INV-2025-00340,C001,Muster GmbH,2025-06-01,2025-07-01,EUR,250.00,0.00,250.00,250.00\n"
        "INV-2025-00341,C001,Muster GmbH,2025-06-05,2025-07-05,EUR,250.00,0.00,250.00,250.00\n"))
    customers = write(tmp_path / "customers.csv", "customer_id,name,aliases,bank_accounts,customer_type,withholding\n"
                                                  "C001,Muster GmbH,,DE89370400440532013000,private,\n")
    out = tmp_path / "matched.csv"
    assert main(["match", "--open-items", str(open_items), "--customers", str(customers), "--statement",
                 str(statement), "-o", str(out)]) == 0
    capsys.readouterr()
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    # the EREF payment goes to invoice 00341, the one it quotes, automatically; not to 00340
    assert [(row[0], row[1], row[5]) for row in rows] == [("FT1", "INV-2025-00341", "auto"),
                                                        ("FT2", "INV-2025-00340", "auto")]


def one_booking(booking: str, closing: str = ":62F:C250702RWF1250000,") -> str:
    return (f":20:STMT1\n:25:000400012345\n:28C:1/1\n:60F:C250701RWF1000000,\n:61:{booking}\n:86:PAYMENT\n"
            f"{closing}\n-\n")


def test_f14_a_bad_date_or_amount_names_its_line_and_says_what_is_wrong(tmp_path: Path) -> None:
    cases = {
        "feb30.sta": (one_booking("2502300230C250000,NTRFNONREF//FT1"),
                      "[feb30.sta] line 5: :61: the value date 250230 (YYMMDD) is not a date: February 2025 has no"
                      " day 30"),
        "month13.sta": (one_booking("2513010101C250000,NTRFNONREF//FT1"),
                        "[month13.sta] line 5: :61: the value date 251301 (YYMMDD) is not a date: there is no month"
                        " 13"),
        "entry.sta": (one_booking("2507020431C250000,NTRFNONREF//FT1"),
                      "[entry.sta] line 5: :61: the entry date 0431 (MMDD) is not a date: April 2025 has no day 31"),
        "comma.sta": (one_booking("2507020702C,NTRFNONREF//FT1"),
                      '[comma.sta] line 5: :61: the amount "," is not a number (expected digits with one decimal'
                      " comma, as in 250000,)"),
        "closing.sta": (one_booking("2507020702C250000,NTRFNONREF//FT1", ":62F:C250732RWF1250000,"),
                        "[closing.sta] line 7: :62F: the balance date 250732 (YYMMDD) is not a date: July 2025 has"
                        " no day 32"),
    }
    for name, (text, message) in cases.items():
        with pytest.raises(BadStatement) as refused:
            read_statement(write(tmp_path / name, text))
        assert str(refused.value) == message
        assert "class" not in str(refused.value)


MT942 = (":20:MT942REF\n:25:000400012345\n:28C:1/1\n:34F:RWF0,\n:13D:2507021200+0200\n"
         ":61:2507020702C250000,NTRFNONREF//FT1\n:86:PAYMENT INV-2025-00340\n:90C:1RWF250000,\n:90D:0RWF0,\n-\n")


def test_f15_an_mt942_interim_report_is_refused_as_one(tmp_path: Path) -> None:
    # no --no-balance-check advice: the flag cannot make it an end-of-day statement
    assert refusal(write(tmp_path / "mt942.sta", MT942)) == (
        "[mt942.sta] line 4: this is an MT942 interim report (its :34F: tag is here), which arxl does not read:"
        " its bookings are not final and it has no balances to check; export the end-of-day MT940 or camt.053"
        " statement")


def test_f16_a_line_id_given_twice_names_the_file_and_its_lines(tmp_path: Path) -> None:
    header = ",".join(STATEMENT_COLUMNS) + "\n"
    duplicated = write(tmp_path / "m_dupid.csv", header + "L1,2025-07-02,2025-07-02,250000,RWF,ACME,,PAYMENT A,FT1\n"
                                                           "L1,2025-07-03,2025-07-03,100000,RWF,BETA,,PAYMENT B,FT2\n")
    with pytest.raises(BadStatement) as refused:
        read_statement(duplicated)
    assert str(refused.value) == '[m_dupid.csv] lines 2 and 3: line id "L1" appears 2 times; each line needs its own'

    def line(line_id: str) -> StatementLine:
        return StatementLine(line_id, dt.date(2025, 7, 2), dt.date(2025, 7, 2), D(1000), "RWF")

    drafts = [Draft("", "", "RWF", None, None, (line("L1"), line("L2"), line("L1")), rows=(2, 3, 7))]
    with pytest.raises(BadStatement) as refused:
        finish(drafts, "m_dupid.csv", "CSV", check_balances=False)
    assert str(refused.value) == '[m_dupid.csv] lines 2 and 7: line id "L1" appears 2 times; each line needs its own'
