"""What keeps a remittance advice from being applied automatically: an advice is applied only when everything
in it agrees; a credit note, a negative payment, a deduction the customer wrote off, bank charges above the
tolerance or a withholding the customer does not make waits for review, the reason naming it and its cell.

The advices pay bank lines of the sample's July statement: BK-2025-07-028, 1,000,000 RWF from the Ministry of
Education (C010: withholds VAT and 3 % WHT) on 17/07/2025, and BK-2025-07-006, 200,600 RWF from RwandAir (C038:
no withholding) on 07/07/2025. INV-2025-00007 is C010's, open for 1,486,800; INV-2025-00048 is C010's, open for
526,575 (446,250 + VAT 80,325); INV-2025-00220 is C038's, open for 1,121,000 (950,000 + VAT 171,000).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.cli import main
from arxl.core.errors import BadValue
from arxl.formats.remittance import read_advice
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.openitems import open_items
from tests.test_reconcile import sheet_rows
from tests.test_remittance import BANK_REF, LINE, fresh, proposed, write_csv

__all__ = ["proposed"]  # the sample with July's statement proposed (a fixture of tests.test_remittance)

RWANDAIR_LINE, RWANDAIR_REF = "BK-2025-07-006", "FT25188FB8YR"


def ministry_advice(path: Path, lines: list[list[object]]) -> Path:
    """C010's advice for BK-2025-07-028: the header block on lines 1-4, the table's header on line 5, its lines
    from line 6."""
    return write_csv(path, [["Payer:", "Ministry of Education"], ["Customer ID:", "C010"],
                            ["Payment date:", "17/07/2025"], ["Currency:", "RWF"],
                            ["Invoice", "Paid", "VAT Withheld", "WHT", "Bank Charges", "Discount"], *lines])


def open_amounts(book: Path) -> dict[str, D]:
    ledger, _ = open_ledger(book)
    return {i.reference: i.open_amount for i in open_items(ledger.invoices, ledger.allocations, dt.date.max)}


def held_for_review(book: Path, advice: Path, line_id: str, bank_ref: str, invoices: list[str],
                    capsys: pytest.CaptureFixture[str]) -> str:
    """The advice splits the line for review only: approve leaves it undecided, post clears nothing on the
    invoices and writes no receipt for it. The line's reason, for the caller to read."""
    before = open_amounts(book)
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    out = capsys.readouterr().out
    assert "split, to review" in out and "split, applied automatically" not in out
    rows = [r for r in sheet_rows(book) if r["Line ID"] == line_id]
    assert rows and {r["Status"] for r in rows} == {"review"}
    reason = str(rows[0]["Reason"])
    assert main(["reconcile", "approve", str(book)]) == 0
    assert all(r["Decision"] is None for r in sheet_rows(book) if r["Line ID"] == line_id)
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    ledger, _ = open_ledger(book)
    assert not [r for r in ledger.receipts if r.bank_reference == bank_ref]
    after = open_amounts(book)
    assert {n: after.get(n, D(0)) for n in invoices} == {n: before[n] for n in invoices}
    return reason


@pytest.mark.parametrize(("quoted", "what"), [
    ("CN-2025-00048", '"CN-2025-00048" is a credit note, not an invoice'),
    ("Credit note 2025-00048", '"Credit note 2025-00048" is a credit note, not an invoice'),
    ("CN-2025-00001", '"CN-2025-00001" is credit note CN-2025-00001 of C037, not an invoice'),
    ("PO-2025-00048", '"PO-2025-00048" is no invoice of ours (PO is no invoice prefix): an unknown document'),
])
def test_a2_a_credit_note_on_the_advice_is_never_read_as_an_invoice(
        proposed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], quoted: str, what: str) -> None:
    """Taking a credit note off a payment: CN-2025-00048 has the serial of INV-2025-00048 but another prefix.
    Read as the invoice it would be cleared by -100,000 and the split applied automatically."""
    advice = ministry_advice(tmp_path / "advice.csv", [["INV-2025-00007", "1,100,000"], [quoted, "(100,000)"]])
    book = fresh(proposed, tmp_path)
    reason = held_for_review(book, advice, LINE, BANK_REF, ["INV-2025-00007", "INV-2025-00048"], capsys)
    assert f"1 line(s) refused ([advice.csv] line 7, column Invoice): {what}" in reason
    rows = [r for r in sheet_rows(book) if r["Line ID"] == LINE]
    assert "INV-2025-00048" not in {r["Invoice"] for r in rows}


def test_a3_a_negative_payment_on_the_advice_is_never_applied(proposed: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """1,100,000 on INV-2025-00007 and -100,000 on INV-2025-00048 add up to the bank line; applied, INV-2025-00048
    would owe 626,575 on a 526,575 invoice."""
    advice = ministry_advice(tmp_path / "advice.csv", [["INV-2025-00007", 1_100_000], ["INV-2025-00048", -100_000]])
    book = fresh(proposed, tmp_path)
    reason = held_for_review(book, advice, LINE, BANK_REF, ["INV-2025-00007", "INV-2025-00048"], capsys)
    assert ("1 line(s) refused ([advice.csv] line 7, column Invoice): INV-2025-00048 is paid -100,000, a negative "
            "payment") in reason
    assert "INV-2025-00048" not in {r["Invoice"] for r in sheet_rows(book) if r["Line ID"] == LINE}


@pytest.mark.parametrize(("deductions", "what"), [
    ([None, None, "6,000", None], "bank charges of 6,000 are above the tolerance of 5,000 RWF (Settings' bank "
                                  "charges tolerance) ([advice.csv] line 6, column Bank Charges)"),
    ([None, None, None, "486,800"], "discount of 486,800 on INV-2025-00007 ([advice.csv] line 6, column Discount) "
                                    "is written off by the customer: never applied automatically"),
    ([None, None, "-1,000", None], "bank charges on INV-2025-00007 is -1,000: a negative deduction is never applied "
                                   "automatically ([advice.csv] line 6, column Bank Charges)"),
])
def test_a4_deductions_the_customer_took_are_checked(proposed: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str], deductions: list[object],
                                                     what: str) -> None:
    """1,000,000 paid on INV-2025-00007 (open 1,486,800), less: bank charges above Settings' 5,000 RWF; a
    discount of the rest (a write-off C010 took, its terms give none); a negative bank charge (an overpayment
    that would vanish)."""
    advice = ministry_advice(tmp_path / "advice.csv", [["INV-2025-00007", "1,000,000", *deductions]])
    book = fresh(proposed, tmp_path)
    reason = held_for_review(book, advice, LINE, BANK_REF, ["INV-2025-00007"], capsys)
    assert what in reason


def test_a4_bank_charges_within_the_tolerance_are_still_applied(proposed: Path, tmp_path: Path) -> None:
    advice = ministry_advice(tmp_path / "advice.csv", [["INV-2025-00007", "1,000,000", None, None, "5,000"]])
    book = fresh(proposed, tmp_path)
    assert main(["reconcile", "remittance", str(book), str(advice)]) == 0
    rows = [r for r in sheet_rows(book) if r["Line ID"] == LINE]
    assert {r["Status"] for r in rows} == {"auto"}
    assert [(r["Invoice"], D(str(r["Applied"])), D(str(r["Deduction"])), r["Deduction Type"]) for r in rows] == [
        ("INV-2025-00007", D(1_000_000), D(5000), "bank_charges")]


def test_a5_a_withholding_of_a_customer_that_withholds_nothing_goes_to_review(
        proposed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """RwandAir's advice takes 3 % WHT on INV-2025-00220 (28,500, the rate's figure on 950,000), but C038's
    Withholding in Customers is blank: no certificate will come, the 28,500 is not WHT receivable."""
    advice = write_csv(tmp_path / "advice.csv", [
        ["Payer:", "RwandAir Ltd"], ["Customer ID:", "C038"], [f"Payment reference: {RWANDAIR_REF}"],
        ["Invoice", "Paid", "WHT"], ["INV-2025-00220", "200,600", "28,500"]])
    book = fresh(proposed, tmp_path)
    reason = held_for_review(book, advice, RWANDAIR_LINE, RWANDAIR_REF, ["INV-2025-00220"], capsys)
    assert ("C038 withholds nothing per Customers, the advice takes WHT 28,500 on INV-2025-00220 ([advice.csv] "
            "line 5, column WHT)") in reason


def test_d4_each_refusal_points_at_its_own_cell(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                caplog: pytest.LogCaptureFixture) -> None:
    """A withholding's cell is its column's, a header-block date's is its own field (not the table's "Paid"
    column), and a damaged PDF is refused once, by arxl, without pypdf's own line on the console."""
    advice = read_advice(ministry_advice(tmp_path / "advice.csv", [["INV-2025-00048", "432,862", "80,325", "13,388"]]))
    assert [(d.kind, d.where) for d in advice.lines[0].deductions] == [
        ("vat_withheld", "[advice.csv] line 6, column VAT Withheld"), ("wht", "[advice.csv] line 6, column WHT")]
    us_date = write_csv(tmp_path / "us_date.csv", [["Payer:", "Ministry of Education"], ["Payment date:", "09/13/2025"],
                                                    ["Invoice", "Paid"], ["INV-2025-00048", "432,862"]])
    with pytest.raises(BadValue, match=r'^\[us_date\.csv\] line 2, field 2: date "09/13/2025" is not a date'):
        read_advice(us_date)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4 garbage")
    capfd.readouterr()
    with pytest.raises(BadValue, match=r"^\[damaged\.pdf\]: cannot be read as a PDF"):
        read_advice(damaged)
    printed = capfd.readouterr()
    assert "EOF marker" not in printed.out + printed.err
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("pypdf")]  # nor in a log
