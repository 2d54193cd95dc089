"""A customer's remittance advice splits the bank line it announces: the Ministry of Education (C010, which
withholds the VAT and 3 % WHT) pays 1,000,000 RWF on 17/07/2025 (line BK-2025-07-028 of the sample's statement)
for three invoices, and says how in a CSV, an XLSX or a PDF advice.

INV-2025-00048 and INV-2025-00108 (526,575 each: 446,250 + VAT 80,325) are each paid 432,862, less the VAT
withheld (80,325) and 3 % WHT on 446,250 (13,387.50, 13,388 to the franc); INV-2024-00537 (168,949 still open) is
paid 134,276, less 1,000 of bank charges. 432,862 + 432,862 + 134,276 = 1,000,000.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook

from arxl.cli import main
from arxl.core.errors import BadValue
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.remittance import read_advice
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.openitems import open_items
from arxl.sample import write_sample
from tests.test_reconcile import sheet_rows

LINE = "BK-2025-07-028"
BANK_REF = "FT25198D9SQD"
HEADER = ["Invoice No", "Invoice Date", "Invoice Amount", "VAT Withheld", "WHT", "Charges", "Amount Paid"]
GOOD = [["INV-2025-00048", "31/01/2025", 526575, 80325, 13388, None, 432862],
        ["INV-2025-00108", "28/02/2025", 526575, 80325, 13388, None, 432862],
        ["INV-2024-00537", "31/12/2024", 168949, None, None, 1000, 134276]]
EXPECTED = [("INV-2025-00048", D(432862), D(80325), "vat_withheld"), ("INV-2025-00048", D(0), D(13388), "wht"),
            ("INV-2025-00108", D(432862), D(80325), "vat_withheld"), ("INV-2025-00108", D(0), D(13388), "wht"),
            ("INV-2024-00537", D(134276), D(1000), "bank_charges")]


def advice_rows(lines: list[list[object]], total: int = 1_000_000) -> list[list[object]]:
    """An ERP's advice: a header block, the table, a total."""
    return [["REMITTANCE ADVICE"], ["Payer: Ministry of Education", None, None, "Customer ID: C010"],
            ["Payment date: 17/07/2025"], ["Currency: RWF"], [], HEADER, *lines,
            ["Total", None, None, None, None, None, total]]


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([[f"{v:,}" if isinstance(v, int) else v for v in row] for row in rows])
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Advice"
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFG", (18, 14, 16, 14, 12, 12, 16), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=7):
        for cell in row[2:]:
            cell.number_format = "#,##0"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    book.save(path)
    return path


@pytest.fixture(scope="module")
def proposed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workbook with July's statement proposed in its Reconciliation sheet."""
    folder = tmp_path_factory.mktemp("remittance")
    book, statement = write_sample(folder / "billing.xlsx")
    assert main(["reconcile", "propose", str(book), "--statement", str(statement), "--on", "2025-08-01"]) == 0
    return book


def fresh(proposed: Path, tmp_path: Path) -> Path:
    book = tmp_path / "billing.xlsx"
    shutil.copyfile(proposed, book)
    return book


def line_rows(book: Path) -> list[dict[str, object]]:
    return [r for r in sheet_rows(book) if r["Line ID"] == LINE]


def assert_split_and_posted(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = line_rows(book)
    assert {r["Status"] for r in rows} == {"auto"}
    assert [(r["Invoice"], D(str(r["Applied"])), D(str(r["Deduction"])), r["Deduction Type"]) for r in rows] \
        == EXPECTED
    assert "remittance advice" in str(rows[0]["Reason"])
    before, _ = open_ledger(book)
    assert main(["reconcile", "approve", str(book)]) == 0
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    after, problems = open_ledger(book)
    assert problems == []
    receipt = next(r for r in after.receipts if r.bank_reference == BANK_REF)
    assert (receipt.amount, receipt.customer_id, receipt.date) == (D(1_000_000), "C010", dt.date(2025, 7, 17))
    posted = [(a.invoice_no, a.applied_amount, a.deduction_amount, a.deduction_type)
              for a in after.allocations if a.receipt_id == receipt.receipt_id]
    assert posted == EXPECTED
    open_now = {i.reference: i.open_amount for i in open_items(after.invoices, after.allocations, dt.date.max)}
    assert open_now.get("INV-2025-00048", D(0)) == 0 and open_now.get("INV-2025-00108", D(0)) == 0
    assert open_now["INV-2024-00537"] == D(168949) - D(134276) - D(1000) == D(33673)
    status = {i.invoice_no: i.status for i in after.invoices}
    assert (status["INV-2025-00048"], status["INV-2025-00108"], status["INV-2024-00537"]) == ("paid", "paid",
                                                                                               "part-paid")
    assert len(after.receipts) > len(before.receipts)


def assert_again_changes_nothing(book: Path, advice: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same advice again, after posting: the workbook is not touched, nothing is posted twice."""
    capsys.readouterr()
    before = book.read_bytes()
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    assert "already posted as RCPT-" in capsys.readouterr().out
    assert book.read_bytes() == before
    assert main(["reconcile", "post", str(book)]) == 0
    ledger, _ = open_ledger(book)
    assert sum(1 for r in ledger.receipts if r.bank_reference == BANK_REF) == 1


def test_a_csv_advice_splits_the_line_over_three_invoices(proposed: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    book = fresh(proposed, tmp_path)
    advice = write_csv(tmp_path / "advice.csv", advice_rows(GOOD))
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    assert f"bank line {LINE} split, applied automatically" in capsys.readouterr().out
    assert_split_and_posted(book, capsys)
    assert_again_changes_nothing(book, advice, capsys)


def test_an_xlsx_advice_given_with_the_statement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book, statement = write_sample(tmp_path / "billing.xlsx")
    advice = write_xlsx(tmp_path / "advice.xlsx", advice_rows(GOOD))
    assert main(["reconcile", "propose", str(book), "--statement", str(statement), "--on", "2025-08-01",
                 "--remittance", str(advice)]) == 0
    assert f"bank line {LINE} split, applied automatically" in capsys.readouterr().out
    assert_split_and_posted(book, capsys)
    assert_again_changes_nothing(book, advice, capsys)


@pytest.mark.libreoffice
def test_a_pdf_advice_read_from_its_text(proposed: Path, tmp_path: Path, libreoffice: LibreOffice,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    source = write_xlsx(tmp_path / "advice.xlsx", advice_rows(GOOD))
    (pdf,) = libreoffice.to_pdf([source], tmp_path / "pdf")
    advice = read_advice(pdf)
    assert (advice.payer, advice.customer_id, advice.payment_date, advice.total, advice.currency) == \
        ("Ministry of Education", "C010", dt.date(2025, 7, 17), D(1_000_000), "RWF")
    assert advice.lines[2].where == "[advice.pdf] page 1 line 9, column Invoice No"
    book = fresh(proposed, tmp_path)
    assert main(["reconcile", "remittance", str(book), str(pdf)]) == 0
    assert_split_and_posted(book, capsys)


def test_lines_that_do_not_add_up_go_to_review_with_the_reason(proposed: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    short = [*GOOD[:2], ["INV-2024-00537", "31/12/2024", 168949, None, None, 1000, 130000]]
    book = fresh(proposed, tmp_path)
    advice = write_xlsx(tmp_path / "advice.xlsx", advice_rows(short))
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    assert "to review" in capsys.readouterr().out
    rows = line_rows(book)
    assert {r["Status"] for r in rows} == {"review"}
    reason = str(rows[0]["Reason"])
    assert "the advice's lines add up to 995,724, the bank line is 1,000,000" in reason
    assert "its total ([advice.xlsx]Advice!G10) is 1,000,000" in reason
    assert (rows[-1]["Invoice"], D(str(rows[-1]["Applied"]))) == (None, D(4276))  # the rest unapplied, on account
    assert main(["reconcile", "approve", str(book)]) == 0
    assert all(r["Decision"] is None for r in line_rows(book))  # never approved automatically


def test_an_invoice_of_another_customer_is_refused_with_its_cell(proposed: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    other = [*GOOD[:2], ["INV-2025-00310", "31/05/2025", 1180000, None, None, 1000, 134276]]  # RURA's (C011)
    book = fresh(proposed, tmp_path)
    advice = write_xlsx(tmp_path / "advice.xlsx", advice_rows(other))
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    out = capsys.readouterr().out
    assert ("refused: [advice.xlsx]Advice!A9: INV-2025-00310 is an invoice of C011, not of C010 Ministry of "
            "Education: not applied") in out
    rows = line_rows(book)
    assert {r["Status"] for r in rows} == {"review"}
    assert "1 line(s) refused ([advice.xlsx]Advice!A9)" in str(rows[0]["Reason"])
    assert "INV-2025-00310" not in {r["Invoice"] for r in rows}
    assert [(r["Invoice"], D(str(r["Applied"]))) for r in rows if r["Applied"]] == [
        ("INV-2025-00048", D(432862)), ("INV-2025-00108", D(432862)), (None, D(134276))]


def test_a_bad_amount_is_refused_naming_its_cell(proposed: Path, tmp_path: Path) -> None:
    bad = [*GOOD[:2], ["INV-2024-00537", "31/12/2024", 168949, None, None, 1000, "134,27G"]]
    advice = write_csv(tmp_path / "advice.csv", advice_rows(bad))
    with pytest.raises(BadValue, match=r'\[advice\.csv\] line 9, column Amount Paid: amount "134,27G" is not a '):
        read_advice(advice)
    book = fresh(proposed, tmp_path)
    before = book.read_bytes()
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 2
    assert book.read_bytes() == before


def test_found_by_its_payment_reference_and_a_disputed_amount_left_open(proposed: Path, tmp_path: Path) -> None:
    """No total, no date: the bank's reference finds the line. 5,000 short-paid in dispute is no deduction of
    the ledger: INV-2024-00537 stays open for it, and the reason says so."""
    rows = [["Remittance advice"], ["Paid by: Ministry of Education"], [f"Payment reference: {BANK_REF}"],
            ["Invoice", "Amount Paid", "VAT Withheld", "WHT 3%", "Bank Charges", "Short Paid", "Reason"],
            ["INV-2025-00048", 432862, 80325, 13388, None, None, None],
            ["inv 2025/108", 432862, 80325, 13388, None, None, None],
            ["2024-00537", 134276, None, None, 1000, 5000, "disputed support hours"]]
    advice = write_csv(tmp_path / "advice.csv", rows)
    book = fresh(proposed, tmp_path)
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    split = line_rows(book)
    assert {r["Status"] for r in split} == {"auto"}
    assert [(r["Invoice"], D(str(r["Applied"])), D(str(r["Deduction"])), r["Deduction Type"]) for r in split] \
        == EXPECTED
    assert "INV-2024-00537: 5,000 not paid (disputed support hours), left open" in str(split[0]["Reason"])


def test_a_withholding_off_the_rate_goes_to_review(proposed: Path, tmp_path: Path) -> None:
    wrong = [["INV-2025-00048", "31/01/2025", 526575, 80325, 20000, None, 432862], *GOOD[1:]]
    advice = write_csv(tmp_path / "advice.csv", advice_rows(wrong))
    book = fresh(proposed, tmp_path)
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    split = line_rows(book)
    assert {r["Status"] for r in split} == {"review"}
    reason = str(split[0]["Reason"])
    assert "WHT on INV-2025-00048 is 20,000, the rate gives 13,388 ([advice.csv] line 7, column WHT)" in reason
    assert "INV-2025-00048 is open for 526,575, the advice clears 533,187" in reason


def test_a_line_found_by_amount_that_the_matcher_gave_another_payer_is_reviewed(proposed: Path,
                                                                                tmp_path: Path) -> None:
    """1,649,000 on 21/07 is RURA's payment (BK-2025-07-032, C011): an advice of the Ministry of Education for
    the same amount finds it by amount and date, but never splits it automatically."""
    rows = [["Payer: Ministry of Education"], ["Payment date: 21/07/2025"], ["Invoice", "Paid", "VAT Withheld", "WHT"],
            ["INV-2025-00048", 432862, 80325, 13388], ["INV-2025-00065", 1216138, None, None]]
    advice = write_csv(tmp_path / "advice.csv", rows)
    book = fresh(proposed, tmp_path)
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    split = [r for r in sheet_rows(book) if r["Line ID"] == "BK-2025-07-032"]
    assert {r["Status"] for r in split} == {"review"}
    assert "the matcher read bank line BK-2025-07-032 as C011's" in str(split[0]["Reason"])
