"""Statements of account: opening + movements = closing = the aging, and the sheet's formulas agree in LibreOffice."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.aging.statements import STATEMENTS_SHEET, account_statements, statement_sheet, summary_sheet
from arxl.app.recovery import write_statements
from arxl.core.dates import add_months, month_end
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.statement_files import to_pdfs
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Allocation, Row
from arxl.sample import write_sample
from tests.builders import recovery_book, recovery_tables
from tests.calc import assert_formulas_match
from tests.conftest import need_tool
from tests.formula_cost import sheet_cost

JULY = dt.date(2025, 7, 31)


@pytest.fixture()
def ledger(tmp_path: Path) -> Ledger:
    found, problems = open_ledger(recovery_book(tmp_path / "billing.xlsx"))
    assert not problems
    return found


def by_key(ledger: Ledger, as_of: dt.date = JULY, start: dt.date | None = None) -> dict[tuple[str, str], object]:
    statements, problems = account_statements(ledger, as_of, start)
    assert problems == []
    return {(s.customer_id, s.currency): s for s in statements}


def test_opening_movements_closing_worked_by_hand(ledger: Ledger) -> None:
    statements, _ = account_statements(ledger, JULY)
    ministry = next(s for s in statements if s.customer_id == "C001")
    assert (ministry.currency, ministry.start, ministry.opening) == ("RWF", dt.date(2025, 7, 1), D(1180000))
    assert [(m.date.day, m.kind, m.reference, m.amount, m.balance) for m in ministry.lines] == [
        (1, "invoice", "INV-2025-00004", D(590000), D(1770000)),
        (10, "payment", "FT25191MIN1", D(-970000), D(800000)),
        (10, "deduction", "INV-2025-00001", D(-180000), D(620000)),  # VAT withheld at source
        (10, "deduction", "INV-2025-00001", D(-30000), D(590000)),  # 3 % withholding tax
    ]
    assert "VAT withheld" in ministry.lines[2].details and ministry.lines[0].due_date == JULY
    assert (ministry.debits, ministry.credits_in_period, ministry.closing) == (D(590000), D(1180000), D(590000))
    assert ministry.closing == ministry.aging_balance and ministry.difference == 0
    assert ministry.buckets["Current"] == D(590000) and ministry.overdue == 0


def test_credit_note_write_off_unapplied_cash_and_third_party(ledger: Ledger) -> None:
    s = by_key(ledger)
    umucyo = s[("C003", "RWF")]
    assert [(m.kind, m.amount) for m in umucyo.lines] == [  # type: ignore[attr-defined]
        ("credit_note", D(-59000)), ("payment", D(-100000)), ("deduction", D(-7000))]
    assert (umucyo.opening, umucyo.closing, umucyo.overdue, umucyo.oldest_days) == (  # type: ignore[attr-defined]
        D(236000), D(70000), D(70000), 52)
    assert umucyo.buckets["31-60"] == D(70000)  # type: ignore[attr-defined]
    irembo = s[("C004", "RWF")]  # 400,000 received and not yet applied: a credit, shown apart from the buckets
    assert (irembo.opening, irembo.closing, irembo.credits) == (D(354000), D(-46000), D(-400000))  # type: ignore
    assert irembo.overdue == D(-46000)  # type: ignore[attr-defined]
    gasabo = s[("C006", "RWF")]  # paid by the Treasury: a payment on the district's own statement
    assert [(m.details, m.amount) for m in gasabo.lines] == [  # type: ignore[attr-defined]
        ("Payment for INV-2025-00008 by TREASURY SINGLE ACCOUNT", D(-118000))]
    assert gasabo.closing == 0  # type: ignore[attr-defined]
    acme = s[("C002", "USD")]  # USD on its own statement, bank charges as a deduction
    assert (acme.opening, acme.closing) == (D("2050.50"), D("800.00"))  # type: ignore[attr-defined]
    assert [m.amount for m in acme.lines] == [D("-1225.50"), D("-25.00")]  # type: ignore[attr-defined]


def test_only_customers_with_a_balance_or_activity(ledger: Ledger) -> None:
    # in August nothing moves: C006 (paid in July, balance nil) gets no statement, the others do
    keys = set(by_key(ledger, dt.date(2025, 8, 31)))
    assert ("C006", "RWF") not in keys and ("C001", "RWF") in keys
    # a historical statement: as of 31 May the July receipts are not yet received
    may = by_key(ledger, dt.date(2025, 5, 31))
    assert may[("C001", "RWF")].closing == D(1180000)  # type: ignore[attr-defined]
    assert ("C004", "RWF") not in may  # not invoiced before June


def test_a_customer_paying_for_another_and_a_refund_still_agree(ledger: Ledger, tmp_path: Path) -> None:
    tables = recovery_tables()
    # C001 pays the district's invoice from its own receipt, and over-applies nothing
    receipts = [r for r in tables["Receipts"] if getattr(r, "receipt_id", "") != "R-6"]
    r6 = next(r for r in tables["Receipts"] if getattr(r, "receipt_id", "") == "R-6")
    tables["Receipts"] = [*receipts, r6.model_copy(update={"customer_id": "C001"})]
    found, _ = open_ledger(recovery_book(tmp_path / "third.xlsx", tables))
    s = by_key(found)
    ministry = s[("C001", "RWF")]
    assert [(m.kind, m.amount) for m in ministry.lines][-2:] == [  # type: ignore[attr-defined]
        ("payment", D(-118000)), ("other", D(118000))]
    assert ministry.closing == D(590000)  # type: ignore[attr-defined]
    assert s[("C006", "RWF")].lines[0].details.startswith("Payment for INV-2025-00008 by Ministry")  # type: ignore


def test_a_statement_that_disagrees_with_the_aging_is_reported(ledger: Ledger, tmp_path: Path) -> None:
    tables = recovery_tables()
    # an allocation dated the day before its receipt arrived clears the invoice in the aging while the cash is
    # not yet received: no statement line can explain that, so the statement is reported, not sent silently
    extra: list[Row] = [Allocation(receipt_id="R-4", invoice_no="INV-2025-00006", date=dt.date(2025, 7, 19),
                                   currency="RWF", applied_amount=D(354000))]
    tables["Allocations"] = [*tables["Allocations"], *extra]
    found, _ = open_ledger(recovery_book(tmp_path / "early.xlsx", tables))
    _, problems = account_statements(found, dt.date(2025, 7, 19))
    assert len(problems) == 1 and "C004 in RWF does not agree with the aging" in problems[0].message


@pytest.mark.slow
def test_every_sample_statement_agrees_with_the_aging_at_every_month_end(tmp_path: Path) -> None:
    book, _ = write_sample(tmp_path / "sample.xlsx")
    sample, _ = open_ledger(book)
    day = dt.date(2024, 1, 31)
    count = 0
    while day <= JULY:
        statements, problems = account_statements(sample, day)
        assert problems == [], day
        assert all(s.closing == s.opening + sum((m.amount for m in s.lines), D(0)) for s in statements)
        count += len(statements)
        day = month_end(add_months(day, 1))
    assert count > 500


@pytest.mark.libreoffice
def test_statement_formulas_recalculate_to_arxls_figures(ledger: Ledger, tmp_path: Path,
                                                         libreoffice: LibreOffice) -> None:
    statements, _ = account_statements(ledger, JULY)
    files = write_statements(statements, ledger.settings, tmp_path / "statements")
    assert files["C001"].name == "C001-2025-07.xlsx"
    expected = {}
    for statement in statements:
        if statement.customer_id in ("C001", "C002", "C003", "C004"):
            layout = statement_sheet(statement, ledger.settings)
            assert layout.expected[layout.closing_cell] == statement.closing
            assert layout.expected[layout.strip_total_cell] == statement.closing
            expected[statement.customer_id] = {(layout.sheet.name, cell): value
                                               for cell, value in layout.expected.items()}
    assert len(expected["C001"]) == 4 + 3 + 1  # four running balances; debits, credits, closing; the aging total
    for customer_id, cells in expected.items():
        assert_formulas_match(libreoffice, files[customer_id], cells)
    pdfs = to_pdfs([files["C001"], files["C002"]], tmp_path / "pdf", libreoffice, batch=1)
    assert [p.name for p in pdfs] == ["C001-2025-07.pdf", "C002-2025-07.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    for pdf in pdfs:
        assert_strip_lines_up(pdf)


def assert_strip_lines_up(pdf: Path) -> None:
    """In the PDF's text layer, each heading of the aging strip ends where the figure under it ends."""
    need_tool(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    layer = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    words = [(float(x0), float(y0), float(x1), html.unescape(text)) for x0, y0, x1, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', layer)]
    current = next(w for w in words if w[3] == "Current")
    headings = sorted((w for w in words if abs(w[1] - current[1]) < 1 and w[0] >= current[0] - 1),
                      key=lambda w: w[0])
    below = min(w[1] for w in words if w[1] > current[1] + 1)
    figures = sorted((w for w in words if abs(w[1] - below) < 1), key=lambda w: w[0])
    ends = [h[2] for h in headings if h[3] != "Over"]  # "Over 120" is two words: its end is "120"'s
    assert [h[3] for h in headings][-2:] == ["Credits", "Total"] and len(ends) == len(figures)
    for heading_end, figure in zip(ends, figures, strict=True):
        assert abs(heading_end - figure[2]) < 1.5, f"{figure[3]} ends at {figure[2]:.1f}, its heading at " \
                                                   f"{heading_end:.1f}"


def test_statement_sheet_layout(ledger: Ledger) -> None:
    statements, _ = account_statements(ledger, JULY)
    acme = next(s for s in statements if s.customer_id == "C002")
    layout = statement_sheet(acme, ledger.settings)
    texts = [c.value for row in layout.sheet.rows for c in row if isinstance(c.value, str)]
    assert "STATEMENT OF ACCOUNT" in texts and "Account USD" in texts and "00040-06951873-30" in texts
    assert ("Overdue now: 800.00 USD. Please arrange its payment, or tell us if anything on this statement is in "
            "dispute.") in texts  # no "without delay": the statement goes with the friendly reminder too
    closing = layout.closing_cell
    row = int(closing[1:])
    assert layout.sheet.rows[row - 1][7].formula == f"=H{row - 3}+F{row}-G{row}"


def test_statements_command_writes_files_and_the_statements_sheet(tmp_path: Path) -> None:
    from arxl.cli import main

    book = recovery_book(tmp_path / "billing.xlsx")
    assert main(["statements", str(book), "--as-of", "2025-07-31", "--out", str(tmp_path / "out"),
                 "--no-reminders"]) == 0
    files = sorted(p.name for p in (tmp_path / "out" / "statements").iterdir())
    assert files == [f"C00{i}-2025-07.xlsx" for i in range(1, 7)]
    usd = load_workbook(tmp_path / "out" / "statements" / "C002-2025-07.xlsx")
    assert usd.sheetnames == ["Statement USD"]
    sheet = load_workbook(book)[STATEMENTS_SHEET]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["C004"][3] == 354000 and rows["C004"][6] == "=D8+E8-F8"
    assert main(["statements", str(book), "--as-of", "2025-07-32"]) == 2


def test_aging_strip_headings_stand_over_their_figures(ledger: Ledger, tmp_path: Path) -> None:
    """Headings and amounts of the strip are both right-aligned, so in the PDF each figure sits under its own
    heading, not just before the next one (columns of the strip have different widths)."""
    statements, _ = account_statements(ledger, JULY)
    files = write_statements(statements, ledger.settings, tmp_path / "statements")
    sheet = load_workbook(files["C002"]).worksheets[0]
    heading = next(row for row in sheet.iter_rows() if row[0].value == "Current")
    assert [c.value for c in heading] == ["Current", "1-30", "31-60", "61-90", "91-120", "Over 120", "Credits",
                                          "Total"]
    assert {c.alignment.horizontal for c in heading} == {"right"}
    figures = sheet[heading[0].row + 1]
    assert all(isinstance(c.value, (int, float)) or str(c.value).startswith("=SUM") for c in figures[:8])
    assert {c.alignment.horizontal for c in figures[:8]} <= {None, "general", "right"}  # numbers: right


def test_the_formulas_cost_a_few_cells_a_row(ledger: Ledger) -> None:
    """A statement's running balance reads the line above and its own debit and credit, the closing line sums its
    columns once, and the summary's closing is its own row's opening + debits - credits: what a recalculation
    reads grows with the rows, never rows x rows (as a SUMIFS over every movement per line would)."""
    statements, _ = account_statements(ledger, JULY)
    for statement in statements:
        cost = sheet_cost(statement_sheet(statement, ledger.settings).sheet)
        assert cost.formulas >= 4 and cost.per_row <= 5, (statement.customer_id, cost)
    summary = sheet_cost(summary_sheet(ledger.settings, statements))
    assert summary.formulas == len(statements) and summary.cells == 3 * len(statements)
