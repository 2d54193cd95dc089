"""Damaged bank statements are refused with exit 2, naming the file and the line (issue 9, part 4).

Each damaged file is made in the test from a valid one — a quote taken out, a line cut, a statement pasted
twice, an amount altered — and run through ``arxl statement normalize``: the command must exit 2 and say
where the damage is (the physical line for CSV and MT940; the entry and its line for camt). Real exports
keep reading: blank lines, preamble and footer lines, several days and accounts in one MT940 file.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook

from arxl.cli import main
from arxl.core.statement import STATEMENT_COLUMNS, StatementLine
from arxl.formats.statements import Limits, read_canonical_csv, read_statement, write_statement_csv
from tests.conftest import TESTDATA

ARXL = Path(sys.executable).with_name("arxl")
MT940_DIR = TESTDATA / "mt940"
CAMT_DIR = TESTDATA / "camt"

# A Bank of Kigali-style export: letterhead, a blank line, the table, a closing-balance footer.
BK_CSV = """BANK OF KIGALI PLC
Account Statement
Account Number:,000400012345
Currency:,RWF
Period:,01/07/2025 - 31/07/2025

Date,Value Date,Description,Reference,Debit,Credit,Balance
01/07/2025,01/07/2025,Opening Balance,,,,"1,000,000.00"
03/07/2025,03/07/2025,MINISTRY OF ICT PAYMENT INV-2025-00042,FT25184XYZ,,"970,000.00","1,970,000.00"
05/07/2025,04/07/2025,WORLD VISION RWANDA INV-2025-00050,FT25186ABC,,"250,000.00","2,220,000.00"
07/07/2025,07/07/2025,MONTHLY ACCOUNT FEE,CHG2507,"5,000.00",,"2,215,000.00"
31/07/2025,31/07/2025,Closing Balance,,,,"2,215,000.00"
"""


def canonical_csv(count: int) -> str:
    """arxl's own statement CSV with ``count`` lines and no quote anywhere, like the sample's July statement."""
    rows = [",".join(STATEMENT_COLUMNS)]
    for n in range(1, count + 1):
        rows.append(f"BK-{n:03d},2025-07-{n % 28 + 1:02d},2025-07-{n % 28 + 1:02d},{n * 1000},RWF,"
                    f"PAYER {n} LTD,00040-{n:08d},PAYMENT INV-2025-{n:05d},FT25{n:06d}")
    return "\n".join(rows) + "\n"


def normalize(capsys: pytest.CaptureFixture[str], path: Path, *options: str) -> tuple[int, str]:
    """Run ``arxl statement normalize`` in-process: its exit code and what it printed on stderr."""
    code = main(["statement", "normalize", str(path), "-o", str(path.with_suffix(".out.csv")), *options])
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err
    return code, printed.err.strip()


def refused(capsys: pytest.CaptureFixture[str], path: Path, *options: str) -> str:
    code, message = normalize(capsys, path, *options)
    assert code == 2, message
    assert not path.with_suffix(".out.csv").exists()  # nothing half-written
    return message.removeprefix("arxl: ")


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# -- strict CSV ----------------------------------------------------------------------------------------------


def test_an_unclosed_quote_that_would_swallow_43_lines_is_refused_where_it_opened(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = canonical_csv(46).split("\n")
    lines[3] = lines[3].replace("PAYER 3 LTD", '"PAYER 3 LTD')  # line 4 of the file; no quote follows
    assert refused(capsys, write(tmp_path / "swallow.csv", "\n".join(lines))) == (
        "[swallow.csv] line 4: a quote opened here is never closed; the next 43 lines (to the end of the file)"
        " would be read as one field: a quote is missing, or the file was cut short")
    lines[46] = lines[46].replace("PAYMENT INV-2025-00046", '"PAYMENT INV-2025-00046"')  # a later quote closes it
    assert refused(capsys, write(tmp_path / "closed.csv", "\n".join(lines))) == (
        "[closed.csv] line 4: a quote opened here is closed only on line 47; the 42 lines between would be read"
        " as one field: a quote is missing")


def test_quotes_that_do_not_pair_up_on_one_line_are_refused(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    damaged = BK_CSV.replace("MINISTRY OF ICT PAYMENT INV-2025-00042,FT25184XYZ,,",
                             '"MINISTRY OF ICT PAYMENT INV-2025-00042,FT25184XYZ,,')
    assert refused(capsys, write(tmp_path / "bk.csv", damaged)) == (
        "[bk.csv] line 9: the quotes do not pair up: a quoted field is closed and more text follows before the next"
        " delimiter; a quote is missing or one too many")


def test_a_row_with_another_number_of_fields_than_the_header_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = BK_CSV.replace("WORLD VISION RWANDA INV", "WORLD VISION, RWANDA INV")  # an unquoted comma
    assert refused(capsys, write(tmp_path / "extra.csv", extra)) == (
        "[extra.csv] line 10: this row has 8 fields but the header (line 7) has 7: a delimiter or a quote is"
        " missing or one too many, and its columns would shift")
    missing = BK_CSV.replace("MONTHLY ACCOUNT FEE,CHG2507,", "MONTHLY ACCOUNT FEE CHG2507,")
    assert refused(capsys, write(tmp_path / "missing.csv", missing)).startswith(
        "[missing.csv] line 11: this row has 6 fields but the header (line 7) has 7")


def test_a_csv_cut_mid_line_is_refused_at_its_last_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = BK_CSV[: BK_CSV.index("MONTHLY ACCOUNT") + 7]  # "07/07/2025,07/07/2025,MONTHLY"
    assert refused(capsys, write(tmp_path / "cut.csv", cut)) == (
        "[cut.csv] line 11: this row has 3 fields but the header (line 7) has 7: a delimiter or a quote is missing"
        " or one too many, and its columns would shift; the file ends in the middle of this row: it was cut"
        " short, download it again")
    inside_quote = BK_CSV[: BK_CSV.index('"5,000') + 3]  # cut inside the quoted debit
    assert refused(capsys, write(tmp_path / "quote.csv", inside_quote)) == (
        "[quote.csv] line 11: a quote opened here is never closed: the file ends inside it, so it was cut short"
        " (or a quote is missing); download it again")


def test_real_exports_keep_reading_blank_lines_preamble_footers_and_multiline_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    footers = BK_CSV.replace("\n01/07/2025", "\n\n01/07/2025") + "\nTotal debits:,5000\nEnd of statement\n"
    multiline = footers.replace("MONTHLY ACCOUNT FEE", '"MONTHLY ACCOUNT\nFEE JULY"')
    trailing = "\n".join(line + "," if line.startswith(("0", "3")) else line
                         for line in BK_CSV.split("\n"))  # a delimiter at the end of every row but the header's
    header_only = BK_CSV.replace("Credit,Balance\n", "Credit,Balance,\n")  # ... or of the header only
    for name, text in (("footers.csv", footers), ("multiline.csv", multiline), ("trailing.csv", trailing),
                       ("header.csv", header_only), ("no-newline.csv", BK_CSV.rstrip("\n")),
                       ("letterhead.csv", '"BANK OF KIGALI" PLC\n' + BK_CSV)):  # the letterhead is not data
        path = write(tmp_path / name, text)
        code, message = normalize(capsys, path)
        assert code == 0, message
        statement = read_statement(path)
        assert [line.amount for line in statement.lines] == [D(970000), D(250000), D(-5000)]
        assert (statement.closing, statement.balances) == (D(2215000), "checked")
    assert read_statement(tmp_path / "multiline.csv").lines[2].narrative == "MONTHLY ACCOUNT FEE JULY"


def test_a_multiline_field_holding_whole_rows_is_refused_even_when_its_row_has_the_right_width(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ("Date,Description,Amount,Currency\n"
            '03/07/2025,"PAYER A,100,RWF\n04/07/2025,PAYER B,200,RWF\n05/07/2025,PAYER C",300,RWF\n')
    assert refused(capsys, write(tmp_path / "rows.csv", text)) == (
        "[rows.csv] line 2: a quote opened here is closed only on line 4; the 1 line between would be read as"
        " one field: a quote is missing")


# -- MT940 ---------------------------------------------------------------------------------------------------


def test_an_mt940_without_its_closing_balance_is_refused_unless_the_check_is_switched_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (MT940_DIR / "generic.sta").read_text(encoding="utf-8")
    cut = write(tmp_path / "cut.sta", text[: text.rindex(":62F:")])  # cut off before the last closing balance
    assert refused(capsys, cut) == (
        "[cut.sta] line 9: MT940 statement GENERIC/2, which begins here, has no :62F: closing balance: the file was"
        " cut short or the tag damaged, so its lines cannot be checked against its balances; ask the bank for the"
        " file again (or, having checked it by hand, read it with --no-balance-check)")
    code, notes = normalize(capsys, cut, "--no-balance-check")
    assert code == 0
    assert ("note: MT940 statement GENERIC/2 (line 9) has no :62F: closing balance: read WITHOUT a balance check"
            in notes)
    statement = read_statement(cut, check_balances=False)
    assert statement.balances == "not checked: switched off"
    assert [line.amount for line in statement.lines] == [D("-10.00"), D("-10.00")]
    no_opening = write(tmp_path / "open.sta", text.replace(":60F:C110201EUR90,00\n", ""))
    assert refused(capsys, no_opening).startswith(
        "[open.sta] line 9: MT940 statement GENERIC/2, which begins here, has no :60F: opening balance")


def test_a_damaged_mt940_balance_is_refused_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (MT940_DIR / "generic.sta").read_text(encoding="utf-8")
    for damaged, shown in ((":62F:C110301", "C110301"), (":62F:C110301EUR8O,00", "C110301EUR8O,00"),
                           (":62F:C110301EUR80", "C110301EUR80")):
        path = write(tmp_path / "bad.sta", text.replace(":62F:C110301EUR80,00", damaged))
        assert refused(capsys, path) == (
            f'[bad.sta] line 15: :62F: "{shown}" is not a whole balance (expected C or D, the date YYMMDD, the'
            " currency and the amount, as in C250731RWF1250000,): the file is damaged or cut")


def test_the_same_mt940_statement_twice_in_one_file_is_refused_where_the_repeat_begins(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generic = (MT940_DIR / "generic.sta").read_text(encoding="utf-8")
    assert refused(capsys, write(tmp_path / "twice.sta", generic + generic)) == (
        "[twice.sta] line 16: statement GENERIC/1, which begins here, repeats the statement at line 1 (same"
        " account, balances and lines): the file holds it twice, and every line would be counted twice; ask the"
        " bank for the file again")
    renumbered = generic + generic.replace(":28:1\n", ":28:3\n", 1)  # a copy is a copy, whatever its number
    assert refused(capsys, write(tmp_path / "renumbered.sta", renumbered)).startswith(
        "[renumbered.sta] line 16: statement GENERIC/3, which begins here, repeats the statement at line 1")
    sns = (MT940_DIR / "sns.sta").read_text(encoding="utf-8")
    first = sns[: sns.index(":20:", 10)]
    assert refused(capsys, write(tmp_path / "sns.sta", first + first + sns[len(first):])).startswith(
        "[sns.sta] line 21: statement 0000000000/160/1, which begins here, repeats the statement at line 1")


def test_several_days_and_accounts_in_one_mt940_file_still_read(tmp_path: Path) -> None:
    # Two quiet days with the same reference and balances are no repeat: there is no line to count twice.
    quiet = ":20:DAILY\n:25:000400012345\n:60F:C250701RWF1000,\n:62F:C250701RWF1000,\n-\n"
    busy = (":20:DAILY\n:25:000400012345\n:60F:C250703RWF1000,\n:61:2507030703C500,NTRFNONREF//FT1\n"
            ":86:PAYMENT\n:62F:C250703RWF1500,\n-\n")
    statement = read_statement(write(tmp_path / "days.sta", quiet + quiet + busy))
    assert (len(statement.sections), statement.balances, statement.lines[0].amount) == (3, "checked", D(500))
    rabobank = read_statement(MT940_DIR / "rabobank-iban.sta")  # two statements 940S130101, sequence 0
    assert [s.statement_id for s in rabobank.sections] == ["940S130101/0", "940S130101/0"]


# -- camt ----------------------------------------------------------------------------------------------------


def test_the_same_camt_statement_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (CAMT_DIR / "053" / "valid_example_v4.xml").read_text(encoding="utf-8")
    start, end = text.index("<Stmt>"), text.index("</Stmt>") + len("</Stmt>")
    doubled = write(tmp_path / "twice.xml", text[:end] + text[start:end] + text[end:])
    first_line = text.count("\n", 0, start) + 1
    second_line = first_line + text.count("\n", start, end)
    assert refused(capsys, doubled) == (
        f"[twice.xml] line {second_line}: Stmt 2 (20160430375204000008574) repeats Stmt 1 at line {first_line}"
        " (same account, balances and entries): the file holds it twice, and every line would be counted twice;"
        " ask the bank for the file again")


def test_a_camt_entry_whose_transaction_amount_differs_is_refused_naming_the_entry(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (CAMT_DIR / "053" / "valid_example_v4.xml").read_text(encoding="utf-8")
    amount = '<Amt Ccy="CHF">328.75</Amt>'
    detail = text.index(amount, text.index(amount) + 1)  # the second: the entry's only TxDtls
    altered = write(tmp_path / "tx.xml", text[:detail] + '<Amt Ccy="CHF">382.75</Amt>' + text[detail + len(amount):])
    assert refused(capsys, altered) == (
        "[tx.xml] line 85, statement 20160430375204000008574, entry 2 (AcctSvcrRef"
        " 20160430001001080060699000901107): the entry is for 328.75 CHF but its transaction details (TxDtls) say"
        " 382.75 CHF: the file is damaged or altered; ask the bank for it again")
    # InstdAmt and TxAmt in the entry's currency: one of them (InstdAmt) must be the entry's amount
    instructed = (CAMT_DIR / "053" / "valid_example_with_instdamt.xml").read_text(encoding="utf-8")
    changed = re.sub(r'<Amt Ccy="CHF">4500.00</Amt>(\s*</InstdAmt>)', r'<Amt Ccy="CHF">4600.00</Amt>\1', instructed)
    assert changed != instructed
    assert refused(capsys, write(tmp_path / "inst.xml", changed)).startswith(
        "[inst.xml] line 83, statement STM-C053-190720325942-06, entry 1 (NtryRef 1340044232): the entry is for"
        " 4,500.00 CHF but its transaction details (TxDtls) say 0.04, 4,600.00 CHF")


def test_camt_amounts_in_another_currency_and_charges_are_compared_like_with_like() -> None:
    # v8: an entry of 20.97 EUR on a CHF account whose TxDtls give 19.69 CHF (InstdAmt): read as before
    v8 = read_statement(CAMT_DIR / "053" / "valid_example_v8.xml", check_balances=False)
    assert [line.amount for line in v8.lines] == [D("474.40"), D("88.85"), D("-19.69")]
    # v4: batches of 10 and 8 transactions, some with charges, that add up to their entries: split as before
    v4 = read_statement(CAMT_DIR / "053" / "valid_example_v4.xml")
    assert len(v4.lines) == 32 and v4.balances == "checked"


def test_a_camt_053_statement_without_any_balance_is_refused_unless_switched_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (CAMT_DIR / "053" / "valid_example.xml").read_text(encoding="utf-8")
    no_balance = write(tmp_path / "nobal.xml", re.sub(r"(?s)<Bal>.*?</Bal>\s*", "", text))
    assert refused(capsys, no_balance) == (
        "[nobal.xml] line 13: Stmt 1 (0352C5320131227220503) has no balance (Bal), which every camt.053 statement"
        " must give: the file is damaged or incomplete, and its lines cannot be checked; ask the bank for the file"
        " again (or, having checked it by hand, read it with --no-balance-check)")
    code, notes = normalize(capsys, no_balance, "--no-balance-check")
    assert code == 0 and "has no balance (Bal): read WITHOUT a balance check" in notes
    # camt.054 carries no balances by design; a camt.053 with only a closing balance is read unchecked
    assert read_statement(CAMT_DIR / "054" / "valid_example.xml").balances == "not given"
    assert read_statement(CAMT_DIR / "053" / "valid_example_with_datetime.xml").balances == "not given"


# -- the line limit ------------------------------------------------------------------------------------------


def test_a_million_line_csv_is_refused_in_seconds_and_under_1_gb(tmp_path: Path) -> None:
    big = tmp_path / "million.csv"
    with big.open("w", encoding="utf-8") as out:
        out.write("Date,Description,Amount,Currency\n")
        out.writelines(f"03/07/2025,P{n},{n},RWF\n" for n in range(1, 1_000_001))
    assert big.stat().st_size < 50 * 1024 * 1024
    # A child runs arxl and reports the peak memory of its own children: only arxl's, not this test run's.
    measure = ("import resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "print(done.stderr, end='')\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", measure, str(ARXL), "statement", "normalize", str(big), "-o",
                           str(tmp_path / "out.csv")], capture_output=True, text=True, check=True)
    elapsed = time.monotonic() - started
    first, message = done.stdout.split("\n", 1)
    code, peak_kb = (int(x) for x in first.split())
    assert code == 2
    assert peak_kb < 1024 * 1024, f"peak {peak_kb / 1024:,.0f} MB"
    assert elapsed < 60, f"{elapsed:.1f} s"
    assert message.strip() == (
        "arxl: [million.csv] line 201002: the file holds more than 200,000 statement lines, the most arxl reads"
        " from one file (a guard against runaway files); split the export by period, or raise the limit with"
        " --max-lines N")
    assert not (tmp_path / "out.csv").exists()


def test_max_lines_is_the_limit_for_csv_mt940_camt_and_xlsx(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    bk = write(tmp_path / "bk.csv", BK_CSV)
    assert refused(capsys, bk, "--max-lines", "2").startswith(
        "[bk.csv] line 11: the file holds more than 2 statement lines")
    assert normalize(capsys, bk, "--max-lines", "3")[0] == 0
    with pytest.raises(ValueError, match=r"^\[generic.sta\] line 13: the file holds more than 1 statement lines"):
        read_statement(MT940_DIR / "generic.sta", limits=Limits(max_lines=1))
    with pytest.raises(ValueError, match=r"^\[valid_example_v4.xml\]: the file holds more than 12 statement lines"):
        read_statement(CAMT_DIR / "053" / "valid_example_v4.xml", limits=Limits(max_lines=12))  # 13 entries
    with pytest.raises(ValueError, match=r"^\[valid_example_v4.xml\]: the file holds more than 31 statement lines"):
        read_statement(CAMT_DIR / "053" / "valid_example_v4.xml", limits=Limits(max_lines=31))  # 32 lines
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Statement"
    sheet.append(["Date", "Description", "Amount", "Currency"])
    for n in range(1, 1101):
        sheet.append([dt.date(2025, 7, 3), f"P{n}", n, "RWF"])
    book.save(tmp_path / "rows.xlsx")
    with pytest.raises(ValueError, match=r"^\[rows.xlsx\]Statement!1101:1101: the file holds more than 5 "):
        read_statement(tmp_path / "rows.xlsx", limits=Limits(max_lines=5))  # the sheet: refused unconverted
    with pytest.raises(ValueError, match=r"^\[rows.xlsx\]Statement!1002:1002: the file holds more than 1,000 "):
        read_statement(tmp_path / "rows.xlsx", limits=Limits(max_lines=1000))  # row by row
    assert len(read_statement(tmp_path / "rows.xlsx", limits=Limits(max_lines=1100)).lines) == 1100


# -- CSV injection in the canonical CSV ----------------------------------------------------------------------


def test_the_canonical_csv_neutralises_formulas_and_reads_back_the_banks_text(tmp_path: Path) -> None:
    texts = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+CMD|' /C calc'!A0", "-REF 42", "@SUM(A1:A9)",
             "'=already quoted", "ACME = LTD", "'plain quote"]
    lines = [StatementLine(f"L{n}" if n else "=1", dt.date(2025, 7, 3), dt.date(2025, 7, 3), D(-150000), "RWF",
                           text, "-000400012345", text, "@FT1" if n == 2 else f"FT{n}")
             for n, text in enumerate(texts)]
    out = tmp_path / "out.csv"
    write_statement_csv(lines, out)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[1] == ("'=1,2025-07-03,2025-07-03,-150000,RWF,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\","
                       "'-000400012345,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",FT0")
    assert rows[2] == "L1,2025-07-03,2025-07-03,-150000,RWF,'+CMD|' /C calc'!A0,'-000400012345,'+CMD|' /C calc'!A0,FT1"
    assert rows[3] == "L2,2025-07-03,2025-07-03,-150000,RWF,'-REF 42,'-000400012345,'-REF 42,'@FT1"
    assert rows[5].split(",")[5] == "''=already quoted"
    assert rows[6].split(",")[5] == "ACME = LTD" and rows[7].split(",")[5] == "'plain quote"
    assert all(row.split(",")[3] == "-150000" for row in rows[1:])  # amounts are never altered
    assert read_canonical_csv(out) == lines
    assert list(read_statement(out).lines) == lines  # what `arxl match --statement out.csv` reads


def test_statement_normalize_writes_the_neutralised_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bk = write(tmp_path / "bk.csv", BK_CSV.replace("MONTHLY ACCOUNT FEE", "=1+1 MONTHLY ACCOUNT FEE"))
    assert normalize(capsys, bk)[0] == 0
    written = bk.with_suffix(".out.csv")
    assert "CHG2507,2025-07-07,2025-07-07,-5000,RWF,,,'=1+1 MONTHLY ACCOUNT FEE,CHG2507" in written.read_text(
        encoding="utf-8")
    assert read_canonical_csv(written)[2].narrative == "=1+1 MONTHLY ACCOUNT FEE"
