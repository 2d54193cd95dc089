"""EBM receipts: imported into the register by invoice number, reconciled, idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.app.credits import read_ebm_report
from arxl.billing.credit import credit_note
from arxl.billing.ebm import import_ebm, parse_ebm_csv
from arxl.cli import main
from arxl.core.errors import BadValue
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import ExchangeRate, InvoiceLine, Row
from tests.builders import billing_book, billing_tables

HEADER = "Invoice No,Receipt No,SDC ID,MRC,Receipt Date,Receipt Type,Total Amount,VAT Amount\n"
JULY = (
    HEADER
    + 'INV-2025-00001,20501/20501NS,SDC010012345,WIS01012345,01/07/2025 09:14:02,NS,"1,326,000","126,000"\n'
    + 'INV-2025-00002,20577/20577NS,SDC010012345,WIS01012345,2025-07-15T10:00:00,NS,"2,204,712","336,312"\n'
)


def usd(day: dt.date, rate: str) -> ExchangeRate:
    return ExchangeRate(date=day, currency="USD", rate=D(rate), source="BNR")


def tables_with(*rates: ExchangeRate) -> dict[str, list[Row]]:
    tables = billing_tables()
    tables["Rates"] = list(rates)
    return tables


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """The register of July, with BNR's USD rate of 15/07/2025, the date of the USD invoice INV-2025-00002."""
    return billing_book(tmp_path / "billing.xlsx", tables_with(usd(dt.date(2025, 7, 14), "1438.10"),
                                                               usd(dt.date(2025, 7, 15), "1440")))


def ledger_of(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert [p for p in problems if p.severity == "error"] == []
    return ledger


def report(tmp_path: Path, text: str, name: str = "ebm-july.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_receipts_are_recorded_by_invoice_number(book: Path, tmp_path: Path) -> None:
    receipts, problems = read_ebm_report(report(tmp_path, JULY))
    assert problems == []
    result = import_ebm(ledger_of(book), receipts)
    assert (result.recorded, result.unchanged, result.not_compared) == (2, 0, 0)
    assert result.findings == []  # the USD invoice's RWF receipt agrees at the rate of 15/07/2025
    assert result.rates_used() == ["USD at 1,440 RWF (BNR, 15/07/2025, Rates!C3): INV-2025-00002"]
    assert result.period == (dt.date(2025, 7, 1), dt.date(2025, 7, 15))
    apply_changes(book, result.changes)
    first = ledger_of(book).invoices.rows[0]
    assert (first.ebm_receipt_no, first.ebm_sdc_id, first.ebm_mrc, first.ebm_date, first.ebm_receipt_type) == \
        ("20501/20501NS", "SDC010012345", "WIS01012345", dt.date(2025, 7, 1), "NS")


def test_importing_the_same_report_twice_changes_nothing(book: Path, tmp_path: Path) -> None:
    path = report(tmp_path, JULY)
    assert main(["invoices", "ebm", str(book), "--report", str(path)]) == 0
    after_first = ledger_of(book).invoices.rows
    result = import_ebm(ledger_of(book), read_ebm_report(path)[0])
    assert result.changes.is_empty
    assert (result.recorded, result.unchanged) == (0, 2)
    assert result.findings == []
    assert main(["invoices", "ebm", str(book), "--report", str(path)]) == 0
    assert ledger_of(book).invoices.rows == after_first


def test_differences_are_reported_with_both_figures(book: Path, tmp_path: Path) -> None:
    text = (HEADER
            + 'INV-2025-00001,20501/20501NS,SDC010012345,WIS01012345,01/07/2025,NS,"1,326,001","126,100"\n'
            + "INV-2025-00042,20502/20502NS,SDC010012345,WIS01012345,02/07/2025,NS,59000,9000\n"
            + ",20503/20503NS,SDC010012345,WIS01012345,03/07/2025,NS,1180,180\n")
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, text))[0])
    messages = [str(p) for p in result.findings]
    assert messages == [
        "[ebm-july.csv]'ebm-july'!B2: EBM receipt 20501/20501NS total 1,326,001 RWF differs from INV-2025-00001 "
        "total 1,326,000 RWF (Invoices!I2): difference 1 RWF",
        "[ebm-july.csv]'ebm-july'!B2: EBM receipt 20501/20501NS VAT 126,100 RWF differs from INV-2025-00001 VAT "
        "126,000 RWF (Invoices!H2): difference 100 RWF",
        '[ebm-july.csv]\'ebm-july\'!B3: receipt 20502/20502NS of 02/07/2025 (59,000 RWF) has invoice '
        '"INV-2025-00042", which is not in the register',
        "[ebm-july.csv]'ebm-july'!B4: receipt 20503/20503NS of 03/07/2025 (1,180 RWF) has no invoice number",
    ]
    # the invoice is recorded anyway: the receipt exists, the difference is for the accountant to explain
    assert result.recorded == 1


def test_invoices_of_the_period_without_a_receipt(book: Path, tmp_path: Path) -> None:
    text = HEADER + 'INV-2025-00001,20501/20501NS,SDC010012345,WIS01012345,01/07/2025,NS,"1,326,000","126,000"\n'
    receipts = read_ebm_report(report(tmp_path, text))[0]
    result = import_ebm(ledger_of(book), receipts, period=(dt.date(2025, 7, 1), dt.date(2025, 7, 31)))
    [missing] = result.findings
    assert "invoice INV-2025-00002 of 15/07/2025 (1,531.05 USD) has no EBM receipt" in missing.message
    assert missing.where.sheet == "Invoices" and missing.where.cell.endswith("3")
    # June's invoice has its receipt in the register already: not reported even over June and July
    result = import_ebm(ledger_of(book), receipts, period=(dt.date(2025, 6, 1), dt.date(2025, 7, 31)))
    assert len(result.findings) == 1


def test_a_receipt_already_recorded_with_other_data_is_reported_not_overwritten(book: Path, tmp_path: Path) -> None:
    text = HEADER + "INV-2025-00003,20400/20400NS,SDC010099999,WIS01012345,30/06/2025,NS,118000,18000\n"
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, text))[0])
    assert result.changes.is_empty
    [finding] = result.findings
    assert "INV-2025-00003 already has EBM receipt 20400/20400NS (NS, SDC SDC010012345" in finding.message
    assert "the report says 20400/20400NS (NS, SDC SDC010099999" in finding.message
    # the same receipt number for another invoice
    text = HEADER + 'INV-2025-00001,20400/20400NS,SDC010012345,WIS01012345,01/07/2025,NS,"1,326,000","126,000"\n'
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, text))[0])
    assert result.changes.is_empty
    assert "already recorded on INV-2025-00003" in result.findings[0].message


def test_refund_receipts_belong_to_credit_notes(book: Path, tmp_path: Path) -> None:
    apply_changes(book, credit_note(ledger_of(book), "INV-2025-00001", reason="billed twice",
                                    on=dt.date(2025, 7, 20)))
    text = (HEADER
            + 'CN-2025-00001,1301/21390NR,SDC010012345,WIS01012345,20/07/2025,NR,"-1,326,000","-126,000"\n'
            + 'INV-2025-00001,1302/21391NR,SDC010012345,WIS01012345,20/07/2025,NR,"1,326,000","126,000"\n')
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, text))[0])
    assert result.recorded == 1
    [finding] = result.findings
    assert "is a refund (NR) but INV-2025-00001 is an invoice" in finding.message
    apply_changes(book, result.changes)
    note = next(i for i in ledger_of(book).invoices if i.invoice_no == "CN-2025-00001")
    assert (note.ebm_receipt_no, note.ebm_receipt_type) == ("1301/21390NR", "NR")


def test_header_spellings_semicolons_and_title_lines(tmp_path: Path) -> None:
    text = ("EBM SALES REPORT;;;\nKigali Cloud & Systems Ltd, July 2025;;;\n"
            "Invoice Number;Receipt No.;SDC;MRC No;Date;Rcpt Type;Total (RWF);VAT\n"
            "INV-2025-00001;20501/20501NS;SDC010012345;WIS01012345;2025-07-01 09:14;NS;1 326 000;126 000\n"
            "INV-2025-00009;20502/20502CS;SDC010012345;WIS01012345;2025-07-01 09:15;CS;1 326 000;126 000\n")
    receipts, problems = read_ebm_report(report(tmp_path, text))
    assert [(r.invoice_no, r.total, r.vat, r.date) for r in receipts] == [
        ("INV-2025-00001", D(1326000), D(126000), dt.date(2025, 7, 1))]
    [copy] = problems
    assert copy.severity == "warning" and "type CS" in copy.message


def test_a_bad_report_is_refused_and_nothing_is_written(book: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(BadValue, match="is not an EBM sales report: its header needs the columns Invoice No, "
                       "Receipt No, Receipt Date, Total Amount, VAT Amount"):
        parse_ebm_csv("Date,Amount\n01/07/2025,100\n", "bank.csv")
    receipts, problems = parse_ebm_csv(HEADER + "INV-2025-00001,1/1NS,S,M,31/02/2025,NS,12.5OO,1\n"
                                       "INV-2025-00001,1/1NS,S,M,01/07/2025,XX,1,1\n", "ebm.csv")
    assert receipts == []
    assert [str(p) for p in problems] == [
        '[ebm.csv]ebm!G2: total amount "12.5OO" is not a number',
        '[ebm.csv]ebm!F3: receipt type "XX" is not NS (normal sale) or NR (normal refund)',
    ]
    before = book.read_bytes()
    bad = report(tmp_path, HEADER + "INV-2025-00001,1/1NS,S,M,31/02/2025,NS,100,18\n")
    workbook = tmp_path / "ebm.csv"
    workbook.write_bytes(b"PK\x03\x04 not really a zip")
    for path in (bad, workbook, tmp_path / "missing.csv", report(tmp_path, "a,b\n1,2\n", "other.csv")):
        assert main(["invoices", "ebm", str(book), "--report", str(path)]) == 2
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err and captured.err.strip()
    assert book.read_bytes() == before


def test_cli_prints_the_differences_and_exits_0(book: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = HEADER + "INV-2025-00042,20502/20502NS,SDC010012345,WIS01012345,02/07/2025,NS,59000,9000\n"
    assert main(["invoices", "ebm", str(book), "--report", str(report(tmp_path, text)), "--period", "2025-07"]) == 0
    output = capsys.readouterr().out
    assert '"INV-2025-00042", which is not in the register' in output
    assert "INV-2025-00001 of 01/07/2025 (1,326,000 RWF) has no EBM receipt" in output
    assert "1 receipt(s)" in output and "0 recorded" in output


# -- USD invoices: their RWF receipts compared at the rate of the invoice date ---------------------------------
# INV-2025-00002 of Tuesday 15/07/2025 (one line): 1,531.05 USD, VAT 233.55. At 1,440 RWF per USD: 2,204,712 and
# 336,312 RWF. One line allows 1 RWF + 1,440 x half a cent = 8.20, rounded up: 9 RWF.

def usd_receipt(total: str, vat: str) -> str:
    return HEADER + f'INV-2025-00002,20577/20577NS,SDC010012345,WIS01012345,15/07/2025,NS,"{total}","{vat}"\n'


def test_a_usd_invoice_is_compared_in_rwf_at_the_rate_of_its_date(book: Path, tmp_path: Path) -> None:
    within = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, usd_receipt("2,204,721", "336,303")))[0])
    assert within.findings == []  # 9 RWF either way is the conversion's rounding
    assert (within.not_compared, [c.rate for c in within.converted]) == (0, [D(1440)])
    beyond = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, usd_receipt("2,204,722", "336,302")))[0])
    assert [str(p) for p in beyond.findings] == [
        "[ebm-july.csv]'ebm-july'!B2: EBM receipt 20577/20577NS total 2,204,722 RWF differs from INV-2025-00002 total "
        "1,531.05 USD (Invoices!I3) at 1,440 RWF per USD (BNR, 15/07/2025, Rates!C3) = 2,204,712 RWF: difference "
        "10 RWF, more than the 9 RWF the conversion's rounding allows",
        "[ebm-july.csv]'ebm-july'!B2: EBM receipt 20577/20577NS VAT 336,302 RWF differs from INV-2025-00002 VAT "
        "233.55 USD (Invoices!H3) at 1,440 RWF per USD (BNR, 15/07/2025, Rates!C3) = 336,312 RWF: difference "
        "-10 RWF, more than the 9 RWF the conversion's rounding allows",
    ]


def test_the_allowance_grows_with_the_lines_of_the_invoice(tmp_path: Path) -> None:
    tables = tables_with(usd(dt.date(2025, 7, 15), "1440"))
    [line] = [x for x in tables["InvoiceLines"] if isinstance(x, InvoiceLine) and x.invoice_no == "INV-2025-00002"]
    halves = [line.model_copy(update={"quantity": D(1), "net_amount": D("432.50"), "vat_amount": D("77.85")}),
              line.model_copy(update={"line_no": 2, "quantity": D(2), "net_amount": D(865), "vat_amount": D("155.70")})]
    tables["InvoiceLines"] = [x for x in tables["InvoiceLines"] if x is not line] + halves
    book = billing_book(tmp_path / "billing.xlsx", tables)
    text = usd_receipt("2,204,729", "336,312")  # 17 RWF: within 2 x 8.20 rounded up, 17
    assert import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, text))[0]).findings == []
    text = usd_receipt("2,204,730", "336,312")
    [finding] = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, text))[0]).findings
    assert "difference 18 RWF, more than the 17 RWF the conversion's rounding allows" in finding.message


def test_an_invoice_without_a_rate_of_its_day_is_said_so(tmp_path: Path) -> None:
    # BNR's rate of Friday 11/07 serves the weekend and Monday, but not Tuesday 15/07 (more than 4 days)
    book = billing_book(tmp_path / "billing.xlsx", tables_with(usd(dt.date(2025, 7, 10), "1437.20")))
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, JULY))[0])
    assert (result.recorded, result.not_compared, result.converted) == (2, 1, [])
    assert [str(p) for p in result.findings] == [
        "[ebm-july.csv]'ebm-july'!B3: EBM receipt 20577/20577NS (2,204,712 RWF) of INV-2025-00002 (1,531.05 USD): "
        "the Rates sheet has no USD rate of 15/07/2025 (nor of the 4 days before), the invoice's date: amounts not "
        "compared; the receipt implies 1,440.00 RWF per USD"]
    # a workbook without a Rates sheet at all says the same
    tables = billing_tables()
    del tables["Rates"]
    plain = billing_book(tmp_path / "plain.xlsx", tables)
    [finding] = import_ebm(ledger_of(plain), read_ebm_report(report(tmp_path, JULY))[0]).findings
    assert "has no USD rate of 15/07/2025" in finding.message
    # the last rate published up to four days before serves
    book = billing_book(tmp_path / "friday.xlsx", tables_with(usd(dt.date(2025, 7, 11), "1440")))
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, JULY))[0])
    assert result.findings == []
    assert result.rates_used() == ["USD at 1,440 RWF (BNR, 11/07/2025, Rates!C2): INV-2025-00002"]


def test_cli_says_which_rate_it_used(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoices", "ebm", str(book), "--report", str(report(tmp_path, JULY))]) == 0
    output = capsys.readouterr().out
    assert "compared in RWF at the rate of the invoice date: USD at 1,440 RWF (BNR, 15/07/2025, Rates!C3): " \
           "INV-2025-00002" in output
    assert "2 recorded, 0 already in the register; 0 difference(s)" in output


def test_a_rate_that_is_not_more_than_zero_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = billing_book(tmp_path / "billing.xlsx", tables_with(usd(dt.date(2025, 7, 15), "0")))
    assert main(["invoices", "ebm", str(book), "--report", str(report(tmp_path, JULY))]) == 2
    assert "[billing.xlsx]Rates!C2: rate 0 is not more than zero" in capsys.readouterr().err


# -- a refund put on the original invoice: said once ------------------------------------------------------------

def test_a_refund_on_the_invoice_it_corrects_is_listed_once(book: Path, tmp_path: Path) -> None:
    apply_changes(book, import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, JULY))[0]).changes)
    apply_changes(book, credit_note(ledger_of(book), "INV-2025-00001", reason="billed twice",
                                    on=dt.date(2025, 7, 20)))
    refund = HEADER + 'INV-2025-00001,1302/21391NR,SDC010012345,WIS01012345,20/07/2025,NR,"-300,000","-45,763"\n'
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, refund, "ebm-refund.csv"))[0])
    assert [str(p) for p in result.findings] == [
        "[ebm-refund.csv]'ebm-refund'!B2: receipt 1302/21391NR is a refund (NR) but INV-2025-00001 is an invoice; "
        "a refund belongs to the credit note that corrects it (CN-2025-00001): not recorded",
        "[billing.xlsx]Invoices!P5: credit note CN-2025-00001 of 20/07/2025 (-1,326,000 RWF) has no EBM receipt, in "
        "the register or the report"]  # where the refund receipt belongs
    assert result.changes.is_empty and result.recorded == 0


def test_a_refund_beside_the_sale_of_the_same_invoice_is_listed_once(book: Path, tmp_path: Path) -> None:
    text = (HEADER
            + 'INV-2025-00001,20501/20501NS,SDC010012345,WIS01012345,01/07/2025,NS,"1,326,000","126,000"\n'
            + 'INV-2025-00001,1302/21391NR,SDC010012345,WIS01012345,20/07/2025,NR,"-1,326,000","-126,000"\n')
    result = import_ebm(ledger_of(book), read_ebm_report(report(tmp_path, text))[0],
                        period=(dt.date(2025, 7, 1), dt.date(2025, 7, 1)))
    [finding] = result.findings
    assert finding.where.cell == "B3"
    assert finding.message.endswith("a refund belongs to the credit note that corrects it (it has none yet in the "
                                    "register): not recorded")
    assert result.recorded == 1
    apply_changes(book, result.changes)
    first = ledger_of(book).invoices.rows[0]
    assert (first.ebm_receipt_no, first.ebm_receipt_type) == ("20501/20501NS", "NS")

