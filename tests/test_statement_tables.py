"""Bank exports as tables, read as an accountant reads them: the sign of each line (a Dr/Cr mark, a reversal in
the Credit column, the order the dates give), footers and balances that are no lines, amounts that cannot be
read surely, workbooks with several statement sheets, and outputs and profiles that cannot be used."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook

from arxl.cli import main
from arxl.formats.statements import load_profiles, read_statement
from tests.test_statements import BK_CSV, refused, write

HEAD = "Account Number:,000400012345\nCurrency:,RWF\n\nDate,Value Date,Description,Reference,Debit,Credit,Balance\n"


def amounts(path: Path, **kwargs: object) -> list[tuple[str, D]]:
    return [(line.narrative, line.amount) for line in read_statement(path, **kwargs).lines]  # type: ignore[arg-type]


def test_a_dr_cr_mark_beside_one_amount_gives_its_sign(tmp_path: Path) -> None:
    marked = write(tmp_path / "drcr.csv", "Account: 000400012345\nCurrency: RWF\nDate,Description,Amount,Dr/Cr\n"
                   "02/07/2025,PAYMENT INV-2025-00340 ACME,250000,CR\n"
                   "02/07/2025,TRANSFER TO SUPPLIER XYZ,400000,DR\n03/07/2025,RTGS CHARGES,5000,Dr.\n")
    assert amounts(marked) == [("PAYMENT INV-2025-00340 ACME", D(250000)), ("TRANSFER TO SUPPLIER XYZ", D(-400000)),
                               ("RTGS CHARGES", D(-5000))]
    typed = write(tmp_path / "type.csv", "Date,Description,Amount,Type,Currency\n"
                  "02/07/2025,PAYMENT INV-2025-00340,250000,Credit,RWF\n02/07/2025,TO SUPPLIER,400000,Debit,RWF\n")
    assert [a for _, a in amounts(typed)] == [D(250000), D(-400000)]
    # a Type column of other words is no mark: the amount keeps its own sign
    other = write(tmp_path / "other.csv", "Date,Description,Amount,Type,Currency\n"
                  "02/07/2025,PAYMENT,250000,Transfer,RWF\n02/07/2025,CHARGES,-5000,Fee,RWF\n")
    assert [a for _, a in amounts(other)] == [D(250000), D(-5000)]
    # a column named for the marks with something else in it, or a credit mark on a negative amount: refused
    refused(write(tmp_path / "strange.csv", "Date,Description,Amount,Dr/Cr,Currency\n"
                  "02/07/2025,PAYMENT,250000,CR,RWF\n02/07/2025,X,400000,?,RWF\n"),
            '[strange.csv] line 3 (Dr/Cr): "?" in the Dr/Cr column is neither a debit')
    refused(write(tmp_path / "both.csv", "Date,Description,Amount,Dr/Cr,Currency\n"
                  "02/07/2025,PAYMENT,-250000,CR,RWF\n"),
            "[both.csv] line 2 (Amount): amount -250000 is marked as a credit (CR) but is negative")
    # a profile names its own mark column
    profiles = tmp_path / "p.json"
    profiles.write_text(json.dumps([{"name": "eq", "date": "Txn Date", "amount": "Amt", "sign": "Flag",
                                     "narrative": "Narration", "fixed_currency": "RWF"}]), encoding="utf-8")
    flagged = write(tmp_path / "eq.csv", "Txn Date,Narration,Amt,Flag\n02/07/2025,RENT,90000,D\n")
    assert amounts(flagged, profiles=load_profiles(profiles)) == [("RENT", D(-90000))]


def test_a_reversal_written_negative_in_the_credit_column_stays_negative(tmp_path: Path) -> None:
    for shown in ('"-250,000.00"', '"(250,000.00)"'):
        reversal = write(tmp_path / "rev.csv", HEAD + '02/07/2025,02/07/2025,PAYMENT INV-2025-00340,FT1,,'
                         f'"250,000.00",\n03/07/2025,03/07/2025,REVERSAL OF FT1,FT2,,{shown},\n')
        assert [a for _, a in amounts(reversal)] == [D(250000), D(-250000)]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Currency", "RWF"])
    sheet.append(["Date", "Value Date", "Description", "Reference", "Debit", "Credit", "Balance"])
    sheet.append([dt.date(2025, 7, 2), None, "PAYMENT INV-2025-00340", "FT1", None, 250000, 1250000])
    sheet.append([dt.date(2025, 7, 3), None, "REVERSAL OF FT1", "FT2", None, -250000, 1000000])
    book.save(tmp_path / "rev.xlsx")
    statement = read_statement(tmp_path / "rev.xlsx")
    assert ([line.amount for line in statement.lines], statement.opening, statement.closing) == (
        [D(250000), D(-250000)], D(1000000), D(1000000))


def test_balances_are_followed_in_the_order_the_dates_give(tmp_path: Path) -> None:
    # dates rising, balances that fit only when read backwards: a line is wrong, not the order
    backwards = write(tmp_path / "order.csv", HEAD + "02/07/2025,02/07/2025,A,FT1,,100.00,1000.00\n"
                      "03/07/2025,03/07/2025,B,FT2,,200.00,900.00\n")
    refused(backwards, "[order.csv] line 6 (Balance): the balance 900 does not follow from the balance 1,000 before "
                       "it: 1,000 + 200 = 1,200")
    # the same rows on one day: either order may be the bank's, and the balances say which
    one_day = write(tmp_path / "day.csv", HEAD + "02/07/2025,02/07/2025,A,FT1,,100.00,1000.00\n"
                    "02/07/2025,02/07/2025,B,FT2,,200.00,900.00\n")
    statement = read_statement(one_day)
    assert (statement.opening, statement.closing) == (D(700), D(1000))


def test_only_a_footer_is_passed_over_and_a_payment_without_a_date_is_refused(tmp_path: Path) -> None:
    # a payment whose narrative begins with BALANCE, on a row whose date is missing: refused, not dropped
    refused(write(tmp_path / "nodate.csv", HEAD + '02/07/2025,02/07/2025,PAYMENT INV-2025-00340,FT1,,"250,000.00",\n'
                  ',,BALANCE OF INV-2025-00341 FROM ACME,FT3,,"400,000.00",\n'),
            "[nodate.csv] line 6 (Date): this row has an amount but no date")
    # a totals row with both columns, and an available balance after the closing one: the file is read
    footer = BK_CSV + ',,Total,,"5,000.00","1,220,000.00",\n,,Available Balance,,,,"2,195,000.00"\n'
    statement = read_statement(write(tmp_path / "footer.csv", footer))
    assert ([line.amount for line in statement.lines], statement.closing) == (
        [D(970000), D(250000), D(-5000)], D(2215000))
    assert any('"Available Balance" ([footer.csv] line 14 (Balance)) left aside' in note for note in statement.notes)


def test_amounts_that_cannot_be_read_surely_are_refused(tmp_path: Path) -> None:
    kwd = write(tmp_path / "kwd.csv", "Currency: KWD\nDate;Description;Amount\n02/07/2025;PAYMENT;1,250\n")
    refused(kwd, '[kwd.csv] line 3 (Amount): amount "1,250" in KWD, which has 3 decimals, may be 1.250 or '
                 '1,250.000 KWD: if "," marks the decimals, give the bank profile "decimal_separator": ","')
    refused(write(tmp_path / "half.csv", "Date,Description,Amount,Currency\n02/07/2025,FEE,\"-0,500\",USD\n"),
            'amount "-0,500" is no number written with "," between thousands')
    refused(write(tmp_path / "sci.csv", "Date,Description,Amount,Currency\n02/07/2025,BIG,1.23457E+11,RWF\n"),
            '[sci.csv] line 2 (Amount): amount "1.23457E+11" is written in scientific notation')
    # a KWD amount with its decimals written is read
    fine = write(tmp_path / "kwd2.csv", "Currency: KWD\nDate;Description;Amount\n02/07/2025;PAYMENT;1,250.500\n")
    assert amounts(fine) == [("PAYMENT", D("1250.500"))]


def test_a_workbook_with_two_statement_sheets_is_refused_with_their_names(tmp_path: Path) -> None:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    summary.append(["Date", "Description", "Amount", "Currency"])
    summary.append([dt.date(2025, 7, 31), "Net movement July", 650000, "RWF"])
    lines = book.create_sheet("Transactions")
    lines.append(["Date", "Description", "Amount", "Currency"])
    lines.append([dt.date(2025, 7, 2), "PAYMENT INV-2025-00340", 250000, "RWF"])
    book.save(tmp_path / "two.xlsx")
    refused(tmp_path / "two.xlsx", "[two.xlsx]: 2 sheets have a statement's layout: Summary (profile signed-amount), "
                                   "Transactions (profile signed-amount)")


def test_an_output_that_is_a_folder_and_a_profile_encoding_of_no_text_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = write(tmp_path / "bk.csv", BK_CSV)
    (tmp_path / "out").mkdir()
    assert main(["statement", "normalize", str(statement), "-o", str(tmp_path / "out")]) == 2
    assert "is a folder; give the name of a file" in capsys.readouterr().err
    profiles = write(tmp_path / "p.json", json.dumps([{"name": "p", "date": "D", "amount": "A", "encoding": "rot13"}]))
    assert main(["statement", "normalize", str(statement), "-o", str(tmp_path / "o.csv"),
                 "--profiles", str(profiles)]) == 2
    assert 'encoding "rot13" is not a text encoding' in capsys.readouterr().err


def test_a_code_page_arxl_does_not_try_is_said_not_passed_for_letters(tmp_path: Path) -> None:
    text = (":20:STMT1\n:25:PL61109010140000071219812874\n:28C:1/1\n:60F:C250701PLN1000,00\n"
            ":61:2507020702C250,00NTRFNONREF//FT1\n:86:PRZELEW OD: ŁUKASZ WIŚNIEWSKI ŻÓŁTA 5 GDAŃSK FAKTURA 340\n"
            ":62F:C250702PLN1250,00\n-\n")
    windows = write(tmp_path / "cp1250.sta", text, "cp1250")
    [note] = read_statement(windows).notes
    assert note.startswith("read as Latin-1 (Windows-1252) (not UTF-8), but the file's accented characters read as"
                           " signs in every code page arxl tries")
    [note] = read_statement(write(tmp_path / "cp852.sta", text, "cp852")).notes
    assert note == "read as cp852 (not UTF-8): the file's accented characters read as letters in this code page"
