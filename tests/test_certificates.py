"""Withholding certificates: the lifecycle of a withheld amount (awaiting, recorded, off the chase list), the
Certificates sheet recalculated by LibreOffice to arxl's figures and tied to the Sage nominal, the refusals of
`arxl certificates record`, and the chase list on statements and reminders of the customers that withhold only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from arxl.aging.dunning import plan_reminders
from arxl.aging.statements import account_statements, statement_sheet
from arxl.books.certificates import SHEET, CertificateRefused, certificates_sheet, record
from arxl.cli import main
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.mail import Templates, build_message, templates_folder
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.changes import SheetSpec
from arxl.ledger.ledger import Ledger
from tests.builders import recovery_book
from tests.calc import assert_formulas_match

JULY = dt.date(2025, 7, 31)
AUGUST = dt.date(2025, 8, 15)  # C001's INV-2025-00004 is 15 days overdue: a friendly reminder is due


def _ledger(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return recovery_book(tmp_path / "billing.xlsx")


def _sheet_rows(path: Path) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        return list(wb[SHEET].iter_rows(values_only=True))
    finally:
        wb.close()


def test_each_withholding_awaits_its_certificate_until_it_is_recorded(book: Path, capsys: pytest.CaptureFixture[str],
                                                                      ) -> None:
    made = certificates_sheet(_ledger(book), JULY)
    assert [(w.customer_id, w.invoice_no, w.label, w.amount, w.date) for w in made.awaiting(JULY)] == [
        ("C001", "INV-2025-00001", "VAT withheld", D(180000), dt.date(2025, 7, 10)),
        ("C001", "INV-2025-00001", "WHT 3 %", D(30000), dt.date(2025, 7, 10))]
    assert made.totals == {("vat_withheld", "RWF"): (D(180000), D(180000)), ("wht", "RWF"): (D(30000), D(30000))}
    # the write-off and bank charges are no withholding: not on the sheet
    assert {w.kind for w in made.items} == {"vat_withheld", "wht"}

    assert main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-WHT-2025-0193",
                 "--date", "2025-08-05", "--invoice", "INV-2025-00001", "--type", "wht"]) == 0
    assert "WHT 3 % 30,000 RWF withheld 10/07/2025: certificate RRA-WHT-2025-0193 of 05/08/2025" in \
        capsys.readouterr().out
    ledger = _ledger(book)
    wht = next(a for a in ledger.allocations if a.deduction_type == "wht")
    assert (wht.certificate_no, wht.certificate_date) == ("RRA-WHT-2025-0193", dt.date(2025, 8, 5))
    vat = next(a for a in ledger.allocations if a.deduction_type == "vat_withheld")
    assert vat.certificate_no == ""  # --type wht: the VAT withheld still awaits its own certificate
    # at 31/07 the certificate (dated 05/08) had not arrived yet; at 31/08 it had
    assert [w.kind for w in certificates_sheet(ledger, JULY).awaiting(JULY)] == ["vat_withheld", "wht"]
    august = certificates_sheet(ledger, dt.date(2025, 8, 31))
    assert august.totals[("wht", "RWF")] == (D(30000), D(0))
    # recorded again: nothing changes, exit 0
    assert main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-WHT-2025-0193",
                 "--date", "2025-08-05", "--invoice", "INV-2025-00001", "--type", "wht"]) == 0
    assert "already recorded" in capsys.readouterr().out


def test_a_certificate_that_does_not_fit_is_refused(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = _ledger(book)
    with pytest.raises(CertificateRefused, match="no withholding deduction of customer C004 on invoice "
                                                 "INV-2025-00006"):
        record(ledger, "C004", "X-1", dt.date(2025, 8, 1), ["INV-2025-00006"])
    with pytest.raises(CertificateRefused, match="customer C002 on invoice INV-2025-00001"):  # another's invoice
        record(ledger, "C002", "X-1", dt.date(2025, 8, 1), ["INV-2025-00001"])
    before = book.read_bytes()
    assert main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-1", "--date",
                 "2025-08-05", "--invoice", "INV-2025-00001"]) == 0
    code = main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-2", "--date",
                 "2025-08-06", "--invoice", "INV-2025-00001", "--type", "wht"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Allocations!H" in err and "already has certificate RRA-1: RRA-2 was not recorded" in err
    assert book.read_bytes() != before
    code = main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-3", "--date",
                 "2025-08-06", "--invoice", "INV-2025-00004"])
    assert code == 2 and "no withholding deduction of customer C001 on invoice INV-2025-00004" in \
        capsys.readouterr().err


def test_the_certificates_sheet_recalculates_to_arxls_figures_and_ties_to_sage(
        book: Path, libreoffice: LibreOffice, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-V-77", "--date",
                 "2025-07-20", "--invoice", "INV-2025-00001", "--type", "vat_withheld"]) == 0
    assert main(["certificates", str(book), "--as-of", "2025-07-31"]) == 0
    out = capsys.readouterr().out
    assert "2 withholding deduction(s), 1 awaiting a certificate from 1 customer(s)" in out
    rows = _sheet_rows(book)
    assert rows[2][:2] == ("As of", dt.datetime(2025, 7, 31))
    listed = {(r[2], r[3]): r for r in rows[5:7]}
    vat, wht = listed[("INV-2025-00001", "VAT withheld")], listed[("INV-2025-00001", "WHT 3 %")]
    assert (vat[7], vat[9] or "", vat[10]) == ("RRA-V-77", "", "certified")  # no days outstanding
    assert (wht[4], wht[9], wht[10]) == (30000, 21, "awaiting certificate")  # 10/07 to 31/07
    totals = {r[0]: r for r in rows if r[0] in ("VAT withheld", "WHT")}
    assert totals["WHT"][4:8] == (30000, 0, 30000, "ties to Sage nominal 1251 (Sage WHT)")
    assert totals["VAT withheld"][4:8] == (180000, 180000, 0, "ties to Sage nominal 1250 (Sage VAT Withheld)")
    made = certificates_sheet(_ledger(book), JULY)
    assert_formulas_match(libreoffice, book, {(SHEET, cell): value for cell, value in made.expected.items()})


def test_the_chase_list_is_on_the_statement_of_a_customer_that_withholds_only(book: Path) -> None:
    statements, _ = account_statements(_ledger(book), JULY)
    by_customer = {s.customer_id: s for s in statements}
    assert by_customer["C001"].certificates == (
        "INV-2025-00001, VAT withheld, 180,000 RWF, withheld 10/07/2025",
        "INV-2025-00001, WHT 3 %, 30,000 RWF, withheld 10/07/2025")
    text = _texts(statement_sheet(by_customer["C001"], _ledger(book).settings).sheet)
    assert ("Withholding certificates we have not yet received: INV-2025-00001, VAT withheld, 180,000 RWF, withheld "
            "10/07/2025; INV-2025-00001, WHT 3 %, 30,000 RWF, withheld 10/07/2025.") in text
    for other in ("C002", "C003", "C004"):
        assert by_customer[other].certificates == ()
        assert not [t for t in _texts(statement_sheet(by_customer[other], _ledger(book).settings).sheet)
                    if "certificates we have not" in t]
    assert main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-1", "--date",
                 "2025-07-30", "--invoice", "INV-2025-00001"]) == 0
    statements, _ = account_statements(_ledger(book), JULY)
    assert next(s for s in statements if s.customer_id == "C001").certificates == ()


def test_the_chase_list_is_in_the_reminder_of_a_customer_that_withholds_only(book: Path) -> None:
    ledger = _ledger(book)
    plan = plan_reminders(ledger, AUGUST)
    due = {r.customer_id: r for r in plan.reminders}
    assert due["C001"].certificates == ("INV-2025-00001, VAT withheld, 180,000 RWF, withheld 10/07/2025",
                                        "INV-2025-00001, WHT 3 %, 30,000 RWF, withheld 10/07/2025")
    templates = Templates(templates_folder(None, book))
    body = build_message(due["C001"], ledger.settings, templates).message.get_content()
    assert ("Withholding certificates we have not yet received:\n"
            "  - INV-2025-00001, VAT withheld, 180,000 RWF, withheld 10/07/2025\n"
            "  - INV-2025-00001, WHT 3 %, 30,000 RWF, withheld 10/07/2025") in body
    others = [r for r in plan.reminders if r.customer_id != "C001"]
    assert others, "another customer is reminded on 15/08"
    for reminder in others:
        assert reminder.certificates == ()
        assert "certificates we have not yet received" not in \
            build_message(reminder, ledger.settings, templates).message.get_content()
    assert main(["certificates", "record", str(book), "--customer", "C001", "--number", "RRA-1", "--date",
                 "2025-08-01", "--invoice", "INV-2025-00001"]) == 0
    again = {r.customer_id: r for r in plan_reminders(_ledger(book), AUGUST).reminders}
    assert again["C001"].certificates == ()


def _texts(sheet: SheetSpec) -> list[str]:
    return [c.value for row in sheet.rows for c in row if isinstance(c.value, str)]
