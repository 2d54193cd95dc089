"""Statement import: every shared MT940 and camt file, bank CSV/XLSX exports through profiles, and hostile files.

The shared files are read where they lie; a variant (a changed balance, a hostile copy) is made in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal as D
from pathlib import Path

import mt940  # noqa: F401 - the .yml expectations name mt940's classes
import pytest
import yaml
from openpyxl import Workbook

from arxl.cli import main
from arxl.core.errors import ArxlError
from arxl.core.statement import STATEMENT_COLUMNS, StatementLine
from arxl.formats.statements import (
    AlreadyImported,
    BadStatement,
    BalanceMismatch,
    BankProfile,
    Limits,
    load_profiles,
    read_canonical_csv,
    read_statement,
    write_statement_csv,
)
from arxl.formats.xlsx.writer import set_text
from tests.conftest import TESTDATA

MT940_DIR = TESTDATA / "mt940"
CAMT_DIR = TESTDATA / "camt"
MT940_FILES = sorted(MT940_DIR.glob("*.sta"))
CAMT_FILES = sorted(CAMT_DIR.glob("*/*.xml"))
DAY = dt.date(2013, 12, 27)

# The shared fixtures whose lines add up to their balances; the others are refused unless the check is off.
MT940_BALANCED = {"generic.sta", "rabobank-iban.sta", "sns.sta"}
# camt file -> (lines, balances checked); None: refused as "has no lines"
CAMT_EXPECTED: dict[str, tuple[int, bool | None] | None] = {
    "052/valid_example.xml": (2, True),
    "052/valid_example_with_dates.xml": (1, False),
    "052/valid_namespace.xml": None,
    "053/valid_example.xml": (5, True),
    "053/valid_example_v4.xml": (32, True),
    "053/valid_example_v8.xml": (3, None),  # None: its balances do not add up
    "053/valid_example_with_batch.xml": (3, None),
    "053/valid_example_with_datetime.xml": (1, False),
    "053/valid_example_with_debit.xml": (5, None),
    "053/valid_example_with_instdamt.xml": (1, None),
    "053/valid_example_with_other_id.xml": None,
    "053/valid_namespace.xml": None,
    "054/valid_example.xml": (5, False),
}

BK_CSV = """BANK OF KIGALI PLC
Account Statement
Account Number:,000400012345
Currency:,RWF
Period:,01/07/2025 - 31/07/2025

Date,Value Date,Description,Reference,Debit,Credit,Balance
01/07/2025,01/07/2025,Opening Balance,,,,"1,000,000.00"
03/07/2025,03/07/2025,MINISTRY OF ICT PAYMENT INV-2025-00042,FT25184XYZ,,"970,000.00","1,970,000.00"
05/07/2025,04/07/2025,"=HYPERLINK(""http://evil.example"",""click"")",FT25186ABC,,"250,000.00","2,220,000.00"
07/07/2025,07/07/2025,MONTHLY ACCOUNT FEE,CHG2507,"5,000.00",,"2,215,000.00"
31/07/2025,31/07/2025,Closing Balance,,,,"2,215,000.00"
"""
HYPERLINK = '=HYPERLINK("http://evil.example","click")'

MIXED_MT940 = """:20:STMT-RWF
:25:000400012345
:28C:101/1
:60F:C250701RWF1000000,
:61:2507030703C970000,NTRFNONREF//FT25184XYZ
:86:/ORDP//NAME/MINISTRY OF ICT/REMI/INV-2025-00042
:62F:C250703RWF1970000,
-
:20:STMT-USD
:25:000400099999
:28C:55/1
:60F:C250701USD1000,00
:61:2507020702C11800,00NTRFNONREF//FT25183AAA
:86:/ORDP//NAME/WORLD VISION RWANDA/IBAN/RW1234/REMI/INV-2025-00050
:61:2507050705D25,50NCHGNONREF//CHG0705
:86:BANK CHARGES
:62F:C250705USD12774,50
-
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def refused(path: Path, *needles: str, **kwargs: object) -> str:
    with pytest.raises(ArxlError) as caught:
        read_statement(path, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    for needle in needles:
        assert needle in message, message
    return message


# -- MT940 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", MT940_FILES, ids=[p.name for p in MT940_FILES])
def test_each_mt940_file_gives_the_count_and_closing_balance_of_its_yml(path: Path) -> None:
    expected = yaml.unsafe_load(path.with_suffix(".yml").read_text(encoding="utf-8"))
    statement = read_statement(path, check_balances=False)
    assert len(statement.lines) == len(expected.transactions)
    closing = expected.data["final_closing_balance"].amount
    last_final = [s for s in statement.sections if s.final][-1]
    assert last_final.closing == closing.amount
    assert {line.currency for line in statement.lines} == {closing.currency}
    assert [line.amount for line in statement.lines] == [t.data["amount"].amount for t in expected.transactions]
    assert len({line.line_id for line in statement.lines}) == len(statement.lines)
    if path.name in MT940_BALANCED:
        assert read_statement(path).balances_checked == len(statement.sections)
    else:
        refused(path, "does not add up", "but the closing balance is")


def test_an_mt940_that_does_not_add_up_is_refused_with_the_figures() -> None:
    message = refused(MT940_DIR / "abnamro.sta")
    assert message == ("[abnamro.sta]: statement ABN AMRO BANK NV/19321/1 (account 517852257) does not add up: "
                       "opening 3,236.28 + lines -321.44 = 2,914.84 but the closing balance is 876.84 EUR")


def test_an_edited_closing_balance_is_refused(tmp_path: Path) -> None:
    variant = tmp_path / "generic.sta"
    variant.write_bytes((MT940_DIR / "generic.sta").read_bytes().replace(b":62F:C110301EUR80,00",
                                                                         b":62F:C110301EUR81,00"))
    message = refused(variant, "statement GENERIC/2")
    with pytest.raises(BalanceMismatch):
        read_statement(variant)
    assert message.endswith("opening 90.00 + lines -10.00 = 80.00 but the closing balance is 81.00 EUR")


def test_mt940_details_lines_and_references() -> None:
    statement = read_statement(MT940_DIR / "rabobank-iban.sta")
    first = statement.lines[0]
    assert (first.booking_date, first.amount, first.currency) == (dt.date(2013, 1, 1), D("-25.00"), "EUR")
    assert first.counterparty_name == "CONTRA ACCOUNT HOLDER"  # the :86: wraps mid-word; joined again
    assert first.counterparty_account == "NL70ABNA0987654321"
    assert statement.lines[1].narrative.startswith("/BENM//NAME/JOHN DOE/REMI/Reference 201301234")
    assert (statement.opening, statement.closing) == (D("1000.00"), D("930.00"))
    knab = read_statement(MT940_DIR / "knab.sta", check_balances=False)
    assert [line.line_id for line in knab.lines] == ["B4E07XM00J000023", "B4G29PGCVO7Q06US", "B4G29PGDCK1QFV3E"]
    assert (knab.lines[1].counterparty_name, knab.lines[1].counterparty_account) == ("PICQER", "NL65INGB0123456789")
    ing = read_statement(MT940_DIR / "ing.sta", check_balances=False)
    assert "\xad" not in ing.lines[2].narrative and "\t" not in ing.lines[1].narrative
    assert "D000004C000002" not in ing.lines[-1].narrative  # the statement's :86: after :62F: is no line's text
    sns = read_statement(MT940_DIR / "sns.sta")
    assert (sns.lines[0].booking_date, sns.lines[0].value_date) == (dt.date(2012, 6, 8), dt.date(2012, 6, 7))


def test_mt940_with_two_currencies_keeps_each_statements_currency(tmp_path: Path) -> None:
    statement = read_statement(write(tmp_path / "mixed.sta", MIXED_MT940))
    assert statement.currency == "RWF, USD" and statement.account == "000400012345, 000400099999"
    assert (statement.opening, statement.closing) == (None, None)
    assert [(s.currency, s.opening, s.closing, s.checked) for s in statement.sections] == [
        ("RWF", D(1000000), D(1970000), True), ("USD", D("1000.00"), D("12774.50"), True)]
    assert [(line.line_id, line.amount, line.currency) for line in statement.lines] == [
        ("FT25184XYZ", D("970000"), "RWF"), ("FT25183AAA", D("11800.00"), "USD"), ("CHG0705", D("-25.50"), "USD")]
    assert statement.lines[1].counterparty_name == "WORLD VISION RWANDA"
    assert statement.lines[1].counterparty_account == "RW1234"
    assert "INV-2025-00050" in statement.lines[1].narrative


def test_a_malformed_mt940_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.sta", ":20:X\n:25:1\n:28C:1\n:60F:C250701RWF100,\n:61:garbage\n:62F:C250701RWF100,\n")
    refused(bad, "[bad.sta] line 5, statement 1: not a readable MT940 statement", ':61: "garbage"')
    no_balance = write(tmp_path / "nobal.sta", ":20:X\n:25:1\n:28C:1\n:61:2507010701C5,NTRFNONREF\n")
    refused(no_balance, "[nobal.sta] line 1: MT940 statement X/1, which begins here, has no :60F: opening balance"
                        " and no :62F: closing balance")
    refused(no_balance, "cannot be read even without the balance check", check_balances=False)


# -- camt --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CAMT_FILES, ids=[f"{p.parent.name}/{p.name}" for p in CAMT_FILES])
def test_each_camt_file_normalises_or_is_refused_for_having_no_lines(path: Path) -> None:
    expected = CAMT_EXPECTED[f"{path.parent.name}/{path.name}"]
    if expected is None:
        refused(path, "has no lines")
        return
    count, checked = expected
    statement = read_statement(path, check_balances=False)
    assert len(statement.lines) == count
    assert len({line.line_id for line in statement.lines}) == count
    if checked is None:
        refused(path, "does not add up")
    else:
        assert read_statement(path).balances_checked == (1 if checked else 0)


def test_camt_053_batch_entry_is_split_into_its_transactions() -> None:
    statement = read_statement(CAMT_DIR / "053" / "valid_example.xml")
    assert statement.format == "camt.053.001.02"
    assert (statement.account, statement.currency) == ("DE14740618130000033626", "EUR")
    assert (statement.opening, statement.closing) == (D("33.06"), D("23.06"))
    assert [line.amount for line in statement.lines] == [D("-2.00"), D("-3.00"), D("1.00"), D("-3.50"), D("-2.50")]
    assert all(line.booking_date == line.value_date == DAY for line in statement.lines)
    first, _, credit, batch_one, batch_two = statement.lines
    assert (first.line_id, first.counterparty_name, first.counterparty_account) == (
        "BankReference", "Testkonto Nummer 2", "DE09300606010012345671")  # a debit: the creditor
    assert first.narrative.startswith("TEST BERWEISUNG MITTELS BLZUND KONTONUMMER - DTA | AdditionalTransaction")
    assert "Überweisungs-Gutschrift" in first.narrative  # AddtlNtryInf
    assert (credit.counterparty_name, credit.counterparty_account) == ("Testkonto Nummer 2", "740618130100033626")
    assert (batch_one.line_id, batch_two.line_id) == ("STZV-EtE27122013-11:02-1", "STZV-EtE27122013-11:02-2")
    assert batch_one.narrative == "Sammelueberwseisung 2. Zahlung TAN:283044"


def test_camt_details_amounts_dates_and_notes() -> None:
    v4 = read_statement(CAMT_DIR / "053" / "valid_example_v4.xml")
    assert (v4.opening, v4.closing, v4.currency) == (D("322152.16"), D("322689.77"), "CHF")
    assert sum((line.amount for line in v4.lines), D(0)) == D("537.61")
    instructed = read_statement(CAMT_DIR / "053" / "valid_example_with_instdamt.xml", check_balances=False)
    assert instructed.lines[0].amount == D("4500.00")  # the entry's amount, not TxAmt 0.04
    batch = read_statement(CAMT_DIR / "053" / "valid_example_with_batch.xml", check_balances=False)
    assert batch.lines[0].amount == D("-4753.74")
    assert batch.lines[0].narrative == "batch O0OpeAYTkhjerKu3eE9asw (3 transactions)"
    assert any("counts 35 entries but the file holds 3" in note for note in batch.notes)
    dated = read_statement(CAMT_DIR / "053" / "valid_example_with_datetime.xml")
    line = dated.lines[0]
    assert (line.booking_date, line.amount, line.currency) == (dt.date(2023, 6, 21), D("195.86"), "USD")
    assert (dated.opening, dated.closing, dated.balances_checked) == (None, D("606.80"), 0)
    assert dated.notes == ("statement 7301750-38631543-1688639227213: the bank's summary (TxsSummry) counts 14 "
                           "entries but the file holds 1; the balances are the check",)
    intraday = read_statement(CAMT_DIR / "052" / "valid_example_with_dates.xml")
    assert (intraday.lines[0].booking_date, intraday.lines[0].amount) == (dt.date(2019, 7, 19), D("-5.00"))
    assert intraday.lines[0].counterparty_name == "PAYPAL - TEST/000000"
    v8 = read_statement(CAMT_DIR / "053" / "valid_example_v8.xml", check_balances=False)
    assert [(line.amount, line.currency) for line in v8.lines] == [
        (D("474.40"), "CHF"), (D("88.85"), "CHF"), (D("-19.69"), "CHF")]
    assert any("booked 20.97 EUR taken as 19.69 CHF" in note for note in v8.notes)
    notice = read_statement(CAMT_DIR / "054" / "valid_example.xml")
    assert notice.format == "camt.054.001.04"
    assert [line.amount for line in notice.lines] == [D("15.00"), D("9.00"), D("56.56"), D("-6.00"), D("-15.53")]
    assert notice.lines[3].narrative.startswith("Reversal | ")


def test_camt_balance_mismatch_is_refused(tmp_path: Path) -> None:
    variant = tmp_path / "camt053.xml"
    variant.write_bytes((CAMT_DIR / "053" / "valid_example.xml").read_bytes().replace(
        b'<Amt Ccy="EUR">23.06</Amt>', b'<Amt Ccy="EUR">23.16</Amt>'))
    message = refused(variant)
    assert message == ("[camt053.xml]: statement 0352C5320131227220503 (account DE14740618130000033626) does not "
                       "add up: opening 33.06 + lines -10.00 = 23.06 but the closing balance is 23.16 EUR")


def test_a_batch_whose_transactions_do_not_add_up_is_refused_naming_the_entry(tmp_path: Path) -> None:
    variant = tmp_path / "camt053.xml"
    variant.write_bytes((CAMT_DIR / "053" / "valid_example.xml").read_bytes().replace(
        b'<Amt Ccy="EUR">2.50</Amt>', b'<Amt Ccy="EUR">2.40</Amt>'))
    message = refused(variant)
    assert message.startswith("[camt053.xml] line 260, statement 0352C5320131227220503, entry 4 (")
    assert message.endswith("the entry is for -6.00 EUR but its 2 transactions (TxDtls) add up to -5.90 EUR: "
                            "the file is damaged or altered; ask the bank for it again")


def test_hostile_xml_is_refused(tmp_path: Path) -> None:
    bomb = write(tmp_path / "bomb.xml", '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                 '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                 '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
                 '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol3;</Document>\n')
    refused(bomb, "refused: the XML declares DOCTYPE")
    external = write(tmp_path / "xxe.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
                     '"file:///etc/passwd">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
                     "&x;</Document>")
    refused(external, "DOCTYPE")
    refused(write(tmp_path / "pain.xml", '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>'),
            "not a camt.052/053/054 bank statement")
    refused(write(tmp_path / "v13.xml", '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.13"/>'),
            "camt.053.001.13 is not supported")
    refused(write(tmp_path / "torn.xml", '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><Bk'),
            "damaged XML")
    big = tmp_path / "big.xml"
    shutil.copyfile(CAMT_DIR / "053" / "valid_example_v4.xml", big)
    refused(big, "statement files over", limits=Limits(max_file_bytes=50_000))


# -- duplicates --------------------------------------------------------------------------------------------


def test_a_statement_imported_before_is_refused_by_its_fingerprint(tmp_path: Path) -> None:
    first = read_statement(MT940_DIR / "generic.sta")
    message = refused(MT940_DIR / "generic.sta", known_fingerprints={first.fingerprint})
    assert message == f"[generic.sta]: this statement was already imported (fingerprint {first.fingerprint[:16]}…)"
    with pytest.raises(AlreadyImported):
        read_statement(MT940_DIR / "generic.sta", known_fingerprints=[first.fingerprint])
    # the same statement exported again: other line endings, the days in the other order
    text = (MT940_DIR / "generic.sta").read_text(encoding="utf-8")
    one, two = text.split("-\n", 1)
    again = write(tmp_path / "again.sta", (two.rstrip("\n") + "\n-\n" + one).replace("\n", "\r\n"))
    assert read_statement(again).fingerprint == first.fingerprint
    refused(again, "already imported", known_fingerprints={first.fingerprint})
    other = write(tmp_path / "other.sta", text.replace("D10,00N000NONREF", "D10,01N000NONREF", 1))
    assert read_statement(other, check_balances=False).fingerprint != first.fingerprint


# -- CSV and XLSX through profiles ---------------------------------------------------------------------------


def test_bank_of_kigali_csv_with_debit_credit_and_thousands(tmp_path: Path) -> None:
    statement = read_statement(write(tmp_path / "bk.csv", BK_CSV))
    assert statement.format == "CSV (profile bk)"
    assert (statement.account, statement.currency) == ("000400012345", "RWF")
    assert (statement.opening, statement.closing, statement.balances_checked) == (D(1000000), D(2215000), 1)
    assert statement.lines == (
        StatementLine("FT25184XYZ", dt.date(2025, 7, 3), dt.date(2025, 7, 3), D(970000), "RWF", "", "",
                      "MINISTRY OF ICT PAYMENT INV-2025-00042", "FT25184XYZ"),
        StatementLine("FT25186ABC", dt.date(2025, 7, 5), dt.date(2025, 7, 4), D(250000), "RWF", "", "", HYPERLINK,
                      "FT25186ABC"),
        StatementLine("CHG2507", dt.date(2025, 7, 7), dt.date(2025, 7, 7), D(-5000), "RWF", "", "",
                      "MONTHLY ACCOUNT FEE", "CHG2507"),
    )
    assert statement.summary() == ("bk.csv (CSV (profile bk)): 3 lines in RWF: 2 credits 1,220,000, 1 debit -5,000;"
                                   " balances checked (1 statement)")


def test_a_running_balance_that_does_not_follow_is_refused_at_its_line(tmp_path: Path) -> None:
    broken = write(tmp_path / "bk.csv", BK_CSV.replace('"2,220,000.00"', '"2,230,000.00"'))
    assert refused(broken) == ("[bk.csv] line 10 (Balance): the balance 2,230,000 does not follow from the balance "
                               "1,970,000 before it: 1,970,000 + 250,000 = 2,220,000")
    stated = write(tmp_path / "stated.csv", BK_CSV.replace('Closing Balance,,,,"2,215,000.00"',
                                                           'Closing Balance,,,,"2,216,000.00"'))
    refused(stated, "the stated closing balance 2,216,000 differs from the 2,215,000")
    header, *rows = BK_CSV.split("Date,Value Date")[1].strip().split("\n")
    newest_first = BK_CSV.split("Date,Value Date")[0] + "Date,Value Date" + header + "\n" + "\n".join(rows[1:-1][::-1])
    statement = read_statement(write(tmp_path / "newest.csv", newest_first + "\n"))
    assert (statement.opening, statement.closing) == (D(1000000), D(2215000))
    assert [line.amount for line in statement.lines] == [D(-5000), D(250000), D(970000)]


def test_rwf_with_cents_and_rows_without_dates_are_refused(tmp_path: Path) -> None:
    refused(write(tmp_path / "cents.csv", BK_CSV.replace('"970,000.00","1,970,000.00"', '"970,000.50","1,970,000.50"')),
            "has more decimals than RWF allows")
    refused(write(tmp_path / "nodate.csv", BK_CSV.replace("07/07/2025,07/07/2025,MONTHLY", ",07/07/2025,MONTHLY")),
            "[nodate.csv] line 11 (Date): this row has an amount but no date")
    refused(write(tmp_path / "baddate.csv", BK_CSV.replace("07/07/2025,07/07/2025", "31/02/2025,07/07/2025")),
            '[baddate.csv] line 11 (Date): date "31/02/2025" is not a date')
    refused(write(tmp_path / "badamount.csv", BK_CSV.replace('"5,000.00"', '"5,OOO.00"')),
            '[badamount.csv] line 11 (Debit): debit "5,OOO.00" is not a number')


def test_signed_amount_csv_and_a_profile_from_json(tmp_path: Path) -> None:
    signed = write(tmp_path / "signed.csv", "Date;Description;Amount;Currency\n"
                   "2025-07-03;Payment INV-2025-00042;1180.00;USD\n05/07/2025;Bank charges;-25.5;USD\n")
    statement = read_statement(signed)
    assert statement.format == "CSV (profile signed-amount)"
    assert [(line.booking_date, line.amount) for line in statement.lines] == [
        (dt.date(2025, 7, 3), D("1180.00")), (dt.date(2025, 7, 5), D("-25.50"))]
    profiles_file = tmp_path / "profiles.json"
    profiles_file.write_text(json.dumps({"profiles": [{
        "name": "eu-bank", "headers": ["Datum", "Omschrijving", "Bedrag"], "date": "Datum", "amount": "Bedrag",
        "narrative": "Omschrijving", "fixed_currency": "USD", "date_format": "mdy", "decimal_separator": ",",
        "thousands_separator": ".", "delimiter": ";"}]}), encoding="utf-8")
    profiles = load_profiles(profiles_file)
    eu = write(tmp_path / "eu.csv", "Datum;Omschrijving;Bedrag\n07/03/2025;Betaling INV-2025-00042;1.250.000,50\n")
    line = read_statement(eu, profiles).lines[0]
    assert (line.booking_date, line.amount, line.currency) == (dt.date(2025, 7, 3), D("1250000.50"), "USD")
    assert main(["statement", "normalize", str(eu), "-o", str(tmp_path / "eu-out.csv"),
                 "--profiles", str(profiles_file)]) == 0


def test_profile_files_with_mistakes_are_refused_clearly(tmp_path: Path) -> None:
    def load(text: str) -> str:
        path = write(tmp_path / "p.json", text)
        with pytest.raises(ArxlError) as caught:
            load_profiles(path)
        return str(caught.value)

    assert "not valid JSON" in load("{profiles: }")
    assert "give an amount column, or both a debit and a credit column" in load('[{"name": "x", "date": "D"}]')
    assert "date_format" in load('[{"name": "x", "date": "D", "amount": "A", "date_format": "ymd"}]')
    assert 'currency "XXX"' in load('[{"name": "x", "date": "D", "amount": "A", "fixed_currency": "XXX"}]')
    assert "expected a list of profiles" in load('{"banks": []}')
    with pytest.raises(ValueError):
        BankProfile(name="x", date="D", amount="A", decimal_separator=",", thousands_separator=",")


def test_an_unknown_layout_lists_its_columns_and_how_to_add_a_profile(tmp_path: Path) -> None:
    unknown = write(tmp_path / "equity.csv", "Txn Date,Narration,Money In,Money Out\n03/07/2025,X,100,\n")
    message = refused(unknown)
    assert "no bank profile fits this layout; the columns found are: Txn Date, Narration, Money In, Money Out" \
        in message
    assert "--profiles FILE.json" in message and "canonical, bk, signed-amount" in message


def test_xlsx_export_read_through_the_profile(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Statement"
    sheet.append(["BANK OF KIGALI PLC"])
    sheet.append(["Account Number", "000400099999"])
    sheet.append(["Currency", "USD - US Dollar"])
    sheet.append([])
    sheet.append(["Date", "Value Date", "Description", "Reference", "Debit", "Credit", "Balance"])
    sheet.append([dt.date(2025, 7, 2), dt.date(2025, 7, 2), "WORLD VISION RWANDA INV-2025-00050", "FT25183AAA",
                  None, 11800.1, 12800.1])
    sheet.append([45842, 45842, "", "FT25185BBB", None, 1234.56, 14034.66])  # unformatted date serials
    set_text(sheet.cell(row=7, column=3), HYPERLINK)
    sheet.append([dt.datetime(2025, 7, 5, 14, 30), None, "BANK CHARGES", 778899, 25.5, None, 14009.16])
    path = tmp_path / "bk-usd.xlsx"
    book.save(path)
    statement = read_statement(path)
    assert statement.format == "XLSX (profile bk, sheet Statement)"
    assert (statement.account, statement.currency) == ("000400099999", "USD")
    assert (statement.opening, statement.closing) == (D("1000.00"), D("14009.16"))
    assert [(line.booking_date, line.amount, line.narrative, line.line_id) for line in statement.lines] == [
        (dt.date(2025, 7, 2), D("11800.10"), "WORLD VISION RWANDA INV-2025-00050", "FT25183AAA"),
        (dt.date(2025, 7, 4), D("1234.56"), HYPERLINK, "FT25185BBB"),
        (dt.date(2025, 7, 5), D("-25.50"), "BANK CHARGES", "778899"),
    ]
    sheet["G8"] = 14009.00
    book.save(path)
    refused(path, "[bk-usd.xlsx]Statement!G8: the balance 14,009.00 does not follow")


def test_a_workbook_with_one_far_away_cell_is_refused_before_it_is_filled_in_memory(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Date", "Value Date", "Description", "Reference", "Debit", "Credit", "Balance"])
    sheet["XFD1048576"] = "x"  # calamine would allocate the whole rectangle and abort the process
    book.save(tmp_path / "far.xlsx")
    refused(tmp_path / "far.xlsx", "[far.xlsx]: refused:", "spans 16,384 columns by 1,048,576 rows")


def test_a_hostile_workbook_renamed_csv_is_read_as_what_it_is(tmp_path: Path) -> None:
    renamed = tmp_path / "statement.csv"
    shutil.copyfile(TESTDATA / "xlsx-wild" / "poc-xmlbomb.xlsx", renamed)
    refused(renamed, "DTD")
    encrypted = tmp_path / "export.csv"
    shutil.copyfile(TESTDATA / "xlsx-wild" / "protected_passtika.xlsx", encrypted)
    refused(encrypted, "encrypted")


# -- hostile text files ------------------------------------------------------------------------------------


def test_formula_text_stays_text_through_the_canonical_csv(tmp_path: Path) -> None:
    statement = read_statement(write(tmp_path / "bk.csv", BK_CSV))
    out = tmp_path / "out.csv"
    write_statement_csv(statement.lines, out)
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(STATEMENT_COLUMNS)
    assert text.splitlines()[2] == ('FT25186ABC,2025-07-05,2025-07-04,250000,RWF,,,'
                                    '"\'=HYPERLINK(""http://evil.example"",""click"")",FT25186ABC')
    assert read_canonical_csv(out) == list(statement.lines)
    # the canonical CSV is itself a statement file: read through the canonical profile
    assert read_statement(out).lines == statement.lines


def test_encodings(tmp_path: Path) -> None:
    latin = write(tmp_path / "cp1252.csv", BK_CSV.replace("MONTHLY ACCOUNT FEE", "FRAIS DE TENUE DE COMPTE — café"),
                  "cp1252")
    assert read_statement(latin).lines[2].narrative == "FRAIS DE TENUE DE COMPTE — café"
    bom = write(tmp_path / "bom.csv", "\ufeff" + BK_CSV)
    assert len(read_statement(bom).lines) == 3
    utf16 = write(tmp_path / "utf16.csv", "\ufeff" + BK_CSV, "utf-16-le")
    assert len(read_statement(utf16).lines) == 3
    broken = tmp_path / "broken.csv"
    broken.write_bytes(BK_CSV.encode() .replace(b"MONTHLY ACCOUNT FEE", b"CAF\x81\xe9"))
    refused(broken, "[broken.csv]: line 11: byte 0x81 is not UTF-8 or cp1252 text")


def test_binary_empty_and_header_only_files(tmp_path: Path) -> None:
    refused(write(tmp_path / "empty.csv", ""), "[empty.csv]: the file is empty (0 bytes)")
    refused(write(tmp_path / "blank.csv", "\n \n"), "the file is empty (only blank space)")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    refused(binary, "[binary.csv]: not a text file")
    pdf = tmp_path / "statement.csv"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n")
    refused(pdf, "not a text file: it is a PDF document")
    header_only = write(tmp_path / "header.csv", "Date,Value Date,Description,Reference,Debit,Credit,Balance\n")
    refused(header_only, "[header.csv]: has no lines")
    refused(tmp_path / "missing.csv", "file not found")
    refused(tmp_path, "folder")


def test_huge_lines_and_files_are_refused_by_limits(tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as out:
        out.write(b"Date,Description,Amount\n03/07/2025,")
        chunk = b"A" * (1024 * 1024)
        for _ in range(100):
            out.write(chunk)
        out.write(b",100\n")
    refused(huge, "[huge.csv]: the file is 100.0 MB; statement files over 50 MB are refused")
    long_line = write(tmp_path / "long.csv", "Date,Description,Amount,Currency\n03/07/2025," + "A" * 100_000
                      + ",100,USD\n")
    refused(long_line, "[long.csv]: line 2 is 100,019 characters long; lines over 65,536 characters are refused")
    long_cell = write(tmp_path / "cell.csv", 'Date,Description,Amount,Currency\n03/07/2025,"'
                      + ("B" * 60_000 + "\n") * 3 + '",100,USD\n')
    refused(long_cell, "a cell is longer than")


# -- canonical CSV -----------------------------------------------------------------------------------------


def test_read_canonical_csv_is_strict(tmp_path: Path) -> None:
    header = ",".join(STATEMENT_COLUMNS) + "\n"
    good = write(tmp_path / "good.csv", header + "L1,2025-07-03,2025-07-03,970000,RWF,MINISTRY OF ICT,,INV-42,FT1\n"
                 "L2,2025-07-04,2025-07-05,-25.50,USD,,,charges,\n")
    lines = read_canonical_csv(good)
    assert [(line.line_id, line.value_date, line.amount, line.currency) for line in lines] == [
        ("L1", dt.date(2025, 7, 3), D(970000), "RWF"), ("L2", dt.date(2025, 7, 5), D("-25.50"), "USD")]
    with pytest.raises(BadStatement, match=r'date "03/07/2025" is not an ISO date'):
        read_canonical_csv(write(tmp_path / "d.csv", header + "L1,03/07/2025,2025-07-03,1,RWF,,,,\n"))
    with pytest.raises(BadStatement, match="no thousands separators"):
        read_canonical_csv(write(tmp_path / "t.csv", header + 'L1,2025-07-03,2025-07-03,"970,000",RWF,,,,\n'))
    with pytest.raises(BadStatement, match="more decimals than RWF allows"):
        read_canonical_csv(write(tmp_path / "r.csv", header + "L1,2025-07-03,2025-07-03,1000.5,RWF,,,,\n"))
    with pytest.raises(BadStatement, match='line id "L1" appears 2 times'):
        read_canonical_csv(write(tmp_path / "u.csv", header + "L1,2025-07-03,2025-07-03,1,RWF,,,,\n" * 2))
    with pytest.raises(BadStatement, match="no bank profile fits"):
        read_canonical_csv(write(tmp_path / "c.csv", "line_id,booking_date,amount\nL1,2025-07-03,1\n"))


# -- the command line --------------------------------------------------------------------------------------


def test_cli_normalize_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.csv"
    assert main(["statement", "normalize", str(CAMT_DIR / "053" / "valid_example.xml"), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip() == (f"valid_example.xml (camt.053.001.02): 5 lines in EUR: 1 credit 1.00, 4 debits "
                                   f"-11.00; balances checked (1 statement); written to {out}")
    assert len(read_canonical_csv(out)) == 5
    bad = [
        [str(MT940_DIR / "abnamro.sta")],
        [str(CAMT_DIR / "053" / "valid_namespace.xml")],
        [str(write(tmp_path / "header.csv", "Date,Description,Amount\n"))],
        [str(tmp_path / "missing.sta")],
        [str(MT940_DIR / "generic.sta"), "--profiles", str(write(tmp_path / "p.json", "[]"))],
    ]
    for arguments in bad:
        assert main(["statement", "normalize", *arguments, "-o", str(tmp_path / "x.csv")]) == 2
        printed = capsys.readouterr()
        assert printed.err.startswith("arxl: ") and "Traceback" not in printed.err
    assert not (tmp_path / "x.csv").exists()
    assert main(["statement", "normalize", str(MT940_DIR / "abnamro.sta"), "-o", str(out),
                 "--no-balance-check"]) == 0
    printed = capsys.readouterr()
    assert "10 lines in EUR" in printed.out and "balances NOT checked in 2 statements (switched off)" in printed.out
    assert "note: statement ABN AMRO BANK NV/19321/1 (account 517852257): balances NOT checked" in printed.err
