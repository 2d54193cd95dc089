"""Statements from anywhere: any ISO 4217 currency with its exponent, MT940 in the bank's code page, and an
MT940 fragment refused in MT940's words.

The statements are written by hand in tmp_path, on the layout of the shared testdata (camt.053.001.02 as in
``camt/053/valid_example.xml``, MT940 as in ``mt940/generic.sta``), and matched with ``arxl match`` against
open invoices in their own currency: an accountant in Kigali paid in zloty or forint sees the zloty and forint
to the grosz and fillér.
"""

from __future__ import annotations

import csv
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.cli import main
from arxl.core.money import CURRENCIES, exponent, round_money
from arxl.formats.statements import BadStatement, read_statement

CUSTOMERS_CSV = """customer_id,name,aliases,bank_accounts,customer_type,withholding
C10,Kowalski Informatyka Sp. z o.o.,KOWALSKI,PL61109010140000071219812874,foreign,none
C11,Magyar Adat Kft.,MAGYAR ADAT,HU42117730161111101800000000,foreign,none
C12,Müller Bau GmbH,MUELLER BAU,,foreign,none
C13,Gulf Data W.L.L.,,BH67BMAG00001299123456,foreign,none
"""
OPEN_CSV = """invoice_no,customer_id,customer_name,invoice_date,due_date,currency,net_amount,vat_amount,amount,\
open_amount
INV-2025-00301,C10,Kowalski Informatyka Sp. z o.o.,2025-06-30,2025-07-30,PLN,12300.45,0.00,12300.45,12300.45
INV-2025-00302,C11,Magyar Adat Kft.,2025-06-30,2025-07-30,HUF,4560000.50,0.00,4560000.50,4560000.50
INV-2025-00303,C12,Müller Bau GmbH,2025-06-30,2025-07-30,EUR,2380.00,0.00,2380.00,2380.00
INV-2025-00304,C13,Gulf Data W.L.L.,2025-06-30,2025-07-30,BHD,1234.565,0.000,1234.565,1234.565
INV-2025-00305,C10,Kowalski Informatyka Sp. z o.o.,2025-06-30,2025-07-30,PLN,999.99,0.00,999.99,999.99
"""

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt>
  <GrpHdr><MsgId>{ccy}-0725</MsgId><CreDtTm>2025-07-31T22:00:00</CreDtTm></GrpHdr>
  <Stmt>
    <Id>{ccy}-STMT-0725</Id>
    <CreDtTm>2025-07-31T22:00:00</CreDtTm>
    <Acct><Id><IBAN>{own}</IBAN></Id><Ccy>{ccy}</Ccy></Acct>
    <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="{ccy}">{opening}</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-07-01</Dt></Dt></Bal>
    <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="{ccy}">{closing}</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-07-31</Dt></Dt></Bal>
    <Ntry>
      <Amt Ccy="{ccy}">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
      <BookgDt><Dt>2025-07-03</Dt></BookgDt><ValDt><Dt>2025-07-03</Dt></ValDt>
      <AcctSvcrRef>{ccy}FT0703</AcctSvcrRef>
      <NtryDtls><TxDtls>
        <RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr><DbtrAcct><Id><IBAN>{account}</IBAN></Id></DbtrAcct></RltdPties>
        <RmtInf><Ustrd>{narrative}</Ustrd></RmtInf>
      </TxDtls></NtryDtls>
    </Ntry>
  </Stmt>
</BkToCstmrStmt>
</Document>
"""

MT940 = """:20:{ccy}-0725
:25:{own}
:28C:7/1
:60F:C250701{ccy}{opening}
:61:2507030703C{amount}NTRFNONREF//{ccy}FT0703
:86:/ORDP//NAME/{payer}/IBAN/{account}/REMI/{narrative}
:62F:C250703{ccy}{closing}
-
"""

# currency -> (own account, payer, payer's account, narrative, amount, invoice)
PAID = {
    "PLN": ("PL27114020040000300201355387", "KOWALSKI INFORMATYKA SP Z O O", "PL61109010140000071219812874",
            "Zaplata za fakture INV-2025-00301", D("12300.45"), "INV-2025-00301"),
    "HUF": ("HU93116000060000000012345676", "MAGYAR ADAT KFT", "HU42117730161111101800000000",
            "Szamla INV-2025-00302 kiegyenlitese", D("4560000.50"), "INV-2025-00302"),
}


def _mt940_amount(amount: D) -> str:
    return str(amount).replace(".", ",")


def write_statement(folder: Path, kind: str, ccy: str) -> Path:
    own, payer, account, narrative, amount, _ = PAID[ccy]
    opening = D("1000.00")
    fields = {"ccy": ccy, "own": own, "payer": payer, "account": account, "narrative": narrative}
    if kind == "camt":
        path = folder / f"{ccy}.xml"
        path.write_text(CAMT.format(**fields, opening=opening, closing=opening + amount, amount=amount),
                        encoding="utf-8")
    else:
        path = folder / f"{ccy}.sta"
        path.write_text(MT940.format(**fields, opening=_mt940_amount(opening),
                                     closing=_mt940_amount(opening + amount), amount=_mt940_amount(amount)),
                        encoding="utf-8")
    return path


def match_file(folder: Path, statement: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    """``arxl match`` on the statement file as the bank gave it: the allocation rows it wrote."""
    (folder / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (folder / "open.csv").write_text(OPEN_CSV, encoding="utf-8")
    out = folder / "alloc.csv"
    code = main(["match", "--open-items", str(folder / "open.csv"), "--customers", str(folder / "customers.csv"),
                 "--statement", str(statement), "-o", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- every ISO 4217 currency with its exponent ---------------------------------------------------------------


def test_the_exponents_are_iso_4217s() -> None:
    assert {code: exponent(code) for code in ("JPY", "BHD", "PLN", "HUF", "RWF", "KWD", "CLP")} == {
        "JPY": 0, "BHD": 3, "PLN": 2, "HUF": 2, "RWF": 0, "KWD": 3, "CLP": 0}
    assert len(CURRENCIES) > 150  # ISO's list one, not a hand-kept dozen


def test_a_bhd_amount_is_rounded_to_three_decimals_half_up() -> None:
    assert round_money(D("1234.5645"), "BHD") == D("1234.565")  # half up, where Python's round gives .564
    assert round_money(D("-0.0005"), "BHD") == D("-0.001")  # half away from zero, as Excel's ROUND
    assert round_money(D("2.5"), "JPY") == D("3")


@pytest.mark.parametrize("kind", ["camt", "mt940"])
@pytest.mark.parametrize("ccy", ["PLN", "HUF"])
def test_a_statement_in_pln_or_huf_is_imported_and_matched_to_the_unit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, ccy: str) -> None:
    path = write_statement(tmp_path, kind, ccy)
    _, _, _, _, amount, invoice = PAID[ccy]
    statement = read_statement(path)
    assert statement.currency == ccy and statement.balances == "checked"
    assert [(line.amount, line.currency) for line in statement.lines] == [(amount, ccy)]
    assert (statement.opening, statement.closing) == (D("1000.00"), D("1000.00") + amount)
    rows = match_file(tmp_path, path, capsys)
    assert [(r["invoice_no"], r["applied_amount"], r["deduction_amount"], r["status"]) for r in rows] == [
        (invoice, f"{amount:.2f}", "0.00", "auto")]


def test_a_bhd_statement_keeps_its_three_decimals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bhd.sta"
    path.write_text(MT940.format(ccy="BHD", own="BH02CITI00001077181611", payer="GULF DATA WLL",
                                 account="BH67BMAG00001299123456", narrative="INV-2025-00304",
                                 opening="10,000", amount="1234,565", closing="1244,565"), encoding="utf-8")
    rows = match_file(tmp_path, path, capsys)
    assert [(r["invoice_no"], r["applied_amount"], r["status"]) for r in rows] == [
        ("INV-2025-00304", "1234.565", "auto")]
    too_fine = tmp_path / "fine.sta"
    too_fine.write_text(path.read_text(encoding="utf-8").replace("1234,565", "1234,5651")
                        .replace("1244,565", "1244,5651"), encoding="utf-8")
    with pytest.raises(BadStatement, match="more decimals than BHD allows"):
        read_statement(too_fine)


def test_a_code_that_is_not_iso_4217_is_refused_naming_the_file_and_the_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mt940 = write_statement(tmp_path, "mt940", "PLN")
    mt940.write_text(mt940.read_text(encoding="utf-8").replace("PLN", "PLZ"), encoding="utf-8")
    with pytest.raises(BadStatement) as caught:
        read_statement(mt940)
    assert str(caught.value).startswith("[PLN.sta] line 1, statement PLZ-0725/7/1: currency \"PLZ\" is not an ISO"
                                        " 4217 currency code")
    camt = write_statement(tmp_path, "camt", "HUF")
    camt.write_text(camt.read_text(encoding="utf-8").replace('Ccy="HUF"', 'Ccy="HUG"', 1), encoding="utf-8")
    with pytest.raises(BadStatement) as caught:
        read_statement(camt)
    assert "[HUF.xml]" in str(caught.value) and 'currency "HUG" is not an ISO 4217 currency code' in str(caught.value)
    (tmp_path / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (tmp_path / "open.csv").write_text(OPEN_CSV.replace(",HUF,", ",HUG,"), encoding="utf-8")
    code = main(["match", "--open-items", str(tmp_path / "open.csv"), "--customers", str(tmp_path / "customers.csv"),
                 "--statement", str(write_statement(tmp_path, "mt940", "PLN")), "-o", str(tmp_path / "a.csv")])
    assert code == 2 and not (tmp_path / "a.csv").exists()
    assert '[open.csv] line 3, currency: "HUG"' in capsys.readouterr().err.replace("\n", " ")


# -- MT940 in the bank's code page ----------------------------------------------------------------------------


def test_an_mt940_in_cp852_is_read_as_cp852_said_and_matched_by_reference(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_statement(tmp_path, "mt940", "PLN")
    text = path.read_text(encoding="utf-8").replace("Zaplata za fakture", "Zapłata za fakturę")
    path.write_bytes(text.encode("cp852"))
    assert b"Zap\x88ata za faktur\xa9" in path.read_bytes()  # real cp852 bytes, not UTF-8
    statement = read_statement(path)
    assert statement.lines[0].narrative.endswith("/REMI/Zapłata za fakturę INV-2025-00301")
    assert statement.notes[0].startswith("read as cp852 (not UTF-8)")
    out = tmp_path / "pln.csv"
    assert main(["statement", "normalize", str(path), "-o", str(out)]) == 0
    assert "note: read as cp852 (not UTF-8)" in capsys.readouterr().err
    assert "Zapłata za fakturę INV-2025-00301" in out.read_text(encoding="utf-8")
    rows = match_file(tmp_path, path, capsys)
    assert [(r["invoice_no"], r["applied_amount"], r["status"]) for r in rows] == [
        ("INV-2025-00301", "12300.45", "auto")]


def test_an_mt940_in_latin_1_is_read_as_latin_1_and_matched_by_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "eur.sta"
    text = MT940.format(ccy="EUR", own="DE89370400440532013000", payer="Müller Bau GmbH", account="",
                        narrative="Überweisung Müller Bau Juni", opening="100,00", amount="2380,00",
                        closing="2480,00").replace("/IBAN//", "/")
    path.write_bytes(text.encode("latin-1"))
    assert b"\xdcberweisung M\xfcller" in path.read_bytes()
    statement = read_statement(path)
    line = statement.lines[0]
    assert (line.counterparty_name, line.narrative.split("/REMI/")[1]) == ("Müller Bau GmbH",
                                                                            "Überweisung Müller Bau Juni")
    assert statement.notes[0].startswith("read as Latin-1 (Windows-1252) (not UTF-8)")
    rows = match_file(tmp_path, path, capsys)
    assert [(r["invoice_no"], r["applied_amount"], r["status"]) for r in rows] == [
        ("INV-2025-00303", "2380.00", "auto")]
    assert rows[0]["reason"].startswith("customer name in narrative")  # no invoice number: the name found it


def test_a_utf8_mt940_says_nothing_about_code_pages(tmp_path: Path) -> None:
    path = write_statement(tmp_path, "mt940", "PLN")
    path.write_text(path.read_text(encoding="utf-8").replace("Zaplata", "Zapłata"), encoding="utf-8")
    assert read_statement(path).notes == ()


# -- an MT940 fragment, refused in MT940's words --------------------------------------------------------------


def _normalize(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str, Path]:
    out = path.with_suffix(".out.csv")
    code = main(["statement", "normalize", str(path), "-o", str(out)])
    return code, capsys.readouterr().err.replace("\n", " "), out


@pytest.mark.parametrize(("cut", "expected"), [
    (":20:PLN-0725\n", "[PLN.sta] line 1: MT940 statement has no :20: transaction reference: its first tag is :25:"),
    (":60F:C250701PLN1000,00\n", "[PLN.sta] line 1: MT940 statement PLN-0725/7/1, which begins here, has no :60F:"
                                 " opening balance"),
    (":62F:C250703PLN13300,45\n", "[PLN.sta] line 1: MT940 statement PLN-0725/7/1, which begins here, has no :62F:"
                                  " closing balance"),
])
def test_an_mt940_fragment_is_refused_by_the_cli_naming_what_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cut: str, expected: str) -> None:
    path = write_statement(tmp_path, "mt940", "PLN")
    text = path.read_text(encoding="utf-8")
    assert cut in text
    path.write_text(text.replace(cut, ""), encoding="utf-8")
    code, err, out = _normalize(capsys, path)
    assert code == 2 and not out.exists()
    assert expected in err and "no bank profile" not in err
    (tmp_path / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (tmp_path / "open.csv").write_text(OPEN_CSV, encoding="utf-8")
    code = main(["match", "--open-items", str(tmp_path / "open.csv"), "--customers", str(tmp_path / "customers.csv"),
                 "--statement", str(path), "-o", str(tmp_path / "alloc.csv")])
    assert code == 2 and not (tmp_path / "alloc.csv").exists()
    assert expected in capsys.readouterr().err.replace("\n", " ")


def test_bookings_without_any_statement_tags_are_refused_as_mt940(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fragment.txt"
    path.write_text(":25:PL27114020040000300201355387\n:61:2507030703C12300,45NTRFNONREF//FT1\n"
                    ":86:/ORDP//NAME/KOWALSKI/REMI/INV-2025-00301\n", encoding="utf-8")
    code, err, out = _normalize(capsys, path)
    assert code == 2 and not out.exists()
    assert "[fragment.txt] line 1: MT940 statement has no :20: transaction reference" in err


def test_a_bank_csv_in_huf_is_read_with_its_fillér(tmp_path: Path) -> None:
    path = tmp_path / "huf.csv"
    path.write_text("OTP BANK NYRT\nAccount Number:,HU93116000060000000012345676\nCurrency:,HUF\n\n"
                    "Date,Value Date,Description,Reference,Debit,Credit,Balance\n"
                    '01/07/2025,01/07/2025,Opening Balance,,,,"1,000.00"\n'
                    '03/07/2025,03/07/2025,MAGYAR ADAT KFT INV-2025-00302,FT1,,"4,560,000.50","4,561,000.50"\n',
                    encoding="utf-8")
    statement = read_statement(path)
    assert [(line.amount, line.currency) for line in statement.lines] == [(D("4560000.50"), "HUF")]
