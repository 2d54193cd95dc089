"""Collections KPIs: each formula of DOMAIN.md on examples worked by hand, and the report's live formulas."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.aging import kpi
from arxl.aging.report import REPORT_SHEET, collections_report
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.statement_files import write_sheets
from arxl.formats.xlsx.book import open_ledger
from tests.builders import recovery_book
from tests.calc import assert_formulas_match
from tests.formula_cost import sheet_cost


def test_dso_simple() -> None:
    # 914,000 owed at the end of July, 531,000 of credit sales in July's 31 days: 914/531 x 31 = 53.3597...
    assert kpi.dso_simple(D(914000), D(531000), 31) == D("53.36")
    assert kpi.dso_simple(D(1500000), D(3000000), 30) == D("15.00")
    assert kpi.dso_simple(D(100), D(0), 31) is None  # no sales: undefined, not a division error


def test_dso_countback_walks_back_across_months() -> None:
    # July sales 531,000 (31 d) are all consumed: 914,000 - 531,000 = 383,000 left; June had 472,000 (30 d):
    # 383,000 / 472,000 x 30 = 24.3432...; DSO = 31 + 24.3432 = 55.3432
    months = [(D(531000), 31), (D(472000), 30), (D(1416000), 31)]
    assert kpi.dso_countback(D(914000), months) == D("55.34")
    # three whole months and a half of the fourth: 31 + 28 + 31 + 15 (half of April's 30 days)
    months = [(D(100), 31), (D(100), 28), (D(100), 31), (D(200), 30)]
    assert kpi.dso_countback(D(400), months) == D("105.00")
    # receivables within the latest month only: 250/1000 x 31 = 7.75
    assert kpi.dso_countback(D(250), [(D(1000), 31), (D(1000), 30)]) == D("7.75")
    # exactly the latest month's sales: that month, whole
    assert kpi.dso_countback(D(1000), [(D(1000), 31), (D(1000), 30)]) == D("31.00")
    # a month without sales is consumed whole: 31 + 30 + 500/1000 x 31
    assert kpi.dso_countback(D(500), [(D(0), 31), (D(0), 30), (D(1000), 31)]) == D("76.50")
    # more owed than every month given sold: all their days, a floor
    assert kpi.dso_countback(D(5000), [(D(1000), 31), (D(1000), 30)]) == D("61.00")
    assert kpi.dso_countback(D(0), [(D(1000), 31)]) == D("0.00")
    assert kpi.dso_countback(D(-46000), [(D(1000), 31)]) == D("0.00")  # credit balance
    assert kpi.dso_countback(D(100), []) is None


def test_best_possible_dso_and_average_days_delinquent() -> None:
    # 590,000 not yet due of 531,000 sales over 31 days: 34.4444... ; ADD = 53.36 - 34.44
    best = kpi.best_possible_dso(D(590000), D(531000), 31)
    assert best == D("34.44")
    assert kpi.average_days_delinquent(D("53.36"), best) == D("18.92")
    assert kpi.average_days_delinquent(None, best) is None


def test_collection_effectiveness_index() -> None:
    # (2,488,000 + 531,000 - 914,000) / (2,488,000 + 531,000 - 590,000) x 100 = 2,105,000 / 2,429,000 = 86.6612...
    assert kpi.cei(D(2488000), D(531000), D(914000), D(590000)) == D("86.66")
    # everything collectible collected: 100 %
    assert kpi.cei(D(1000), D(500), D(300), D(300)) == D("100.00")
    # USD, no sales in the month: (2,050.50 - 800.00) / (2,050.50 - 0) = 60.9851...
    assert kpi.cei(D("2050.50"), D(0), D("800.00"), D(0)) == D("60.99")
    assert kpi.cei(D(0), D(0), D(0), D(0)) is None


def test_percent_current_bad_debt_and_target() -> None:
    assert kpi.percent_current(D(590000), D(914000)) == D("64.55")  # 64.5514...
    assert kpi.percent_current(D(0), D("800.00")) == D("0.00")
    assert kpi.percent_current(D(10), D(-46000)) is None
    assert kpi.bad_debt_ratio(D(7000), D(531000)) == D("1.32")  # 1.3182...
    assert kpi.bad_debt_ratio(D(7000), D(0)) is None
    assert kpi.target_variance(D(1488000), D(2000000)) == D(-512000)
    assert kpi.percent_of_target(D(1488000), D(2000000)) == D("74.40")
    assert kpi.percent_of_target(D("1225.50"), D(1000)) == D("122.55")
    assert kpi.target_variance(D(1), None) is None
    assert kpi.promises_kept(1, 1) == D("100.00")
    assert kpi.promises_kept(1, 3) == D("33.33")


def test_rounding_is_half_up_like_excel() -> None:
    assert kpi.dso_simple(D(1), D(8), 1) == D("0.13")  # 0.125 exactly: Excel's ROUND gives 0.13, banker's 0.12
    assert kpi.round2(D("-0.125")) == D("-0.13")


@pytest.fixture()
def ledger_book(tmp_path: Path) -> Path:
    return recovery_book(tmp_path / "billing.xlsx")


def test_report_figures_worked_by_hand(ledger_book: Path) -> None:
    ledger, _ = open_ledger(ledger_book)
    report = collections_report(ledger, "2025-07")
    rwf, usd = report.figures["RWF"], report.figures["USD"]
    # receivables 30/06: 1,180,000 + 236,000 + 354,000 + 600,000 + 118,000
    assert (rwf.opening, rwf.closing, rwf.closing_current) == (D(2488000), D(914000), D(590000))
    # closing: INV-4 590,000 + INV-3 70,000 + INV-6 354,000 - unapplied 400,000 + INV-7 300,000
    assert (rwf.invoiced, rwf.credited, rwf.credit_sales, rwf.days) == (D(590000), D(59000), D(531000), 31)
    assert (rwf.received, rwf.collected, rwf.deductions, rwf.write_offs) == (D(1888000), D(1488000), D(210000),
                                                                               D(7000))
    assert (rwf.dso, rwf.countback, rwf.best_possible, rwf.add) == (D("53.36"), D("55.34"), D("34.44"), D("18.92"))
    assert (rwf.cei, rwf.percent_current, rwf.bad_debt) == (D("86.66"), D("64.55"), D("1.32"))
    assert (rwf.variance, rwf.percent_of_target) == (D(-512000), D("74.40"))
    # promises judged in July (promise date + 3 days of grace in July): C004's for 30/06 (due by 03/07) broken,
    # C003's for 25/07 kept (the 7,000 written off is no payment, the 100,000 is)
    assert (rwf.promises_judged, rwf.promises_kept, rwf.promises_rate) == (2, 1, D("50.00"))
    # USD never mixed with RWF: its own opening 2,050.50, closing 800.00, nothing current, no sales in July
    assert (usd.opening, usd.closing, usd.closing_current, usd.credit_sales) == (D("2050.50"), D(800), D(0), D(0))
    assert (usd.dso, usd.countback, usd.cei, usd.percent_current) == (None, D("61.00"), D("60.99"), D("0.00"))
    assert (usd.collected, usd.variance, usd.percent_of_target) == (D("1225.50"), D("225.50"), D("122.55"))
    assert [p.customer_id for p in report.top["RWF"]] == ["C005", "C003"]
    assert [p.customer_id for p in report.top["USD"]] == ["C002"]
    assert [str(month) for month, _ in report.trend] == [f"{y}-{m:02d}" for y, m in
                                                     [(2024, 8), (2024, 9), (2024, 10), (2024, 11), (2024, 12)]
                                                     + [(2025, m) for m in range(1, 8)]]


def test_promises_wait_for_their_grace_and_months_without_sales(ledger_book: Path) -> None:
    ledger, _ = open_ledger(ledger_book)
    june = collections_report(ledger, "2025-06").figures["RWF"]
    assert (june.promises_judged, june.promises_kept) == (0, 0)  # C004's promise for 30/06 has grace to 03/07
    april = collections_report(ledger, "2025-04").figures["RWF"]
    assert april.credit_sales == 0 and april.dso is None and april.cei is not None


@pytest.mark.libreoffice
def test_report_formulas_recalculate_to_arxls_figures(ledger_book: Path, tmp_path: Path,
                                                      libreoffice: LibreOffice) -> None:
    ledger, _ = open_ledger(ledger_book)
    report = collections_report(ledger, "2025-07", weekly=True)
    assert len(report.expected) >= 20
    path = write_sheets(tmp_path / "report.xlsx", [report.sheet])
    assert_formulas_match(libreoffice, path, {(REPORT_SHEET, cell): value for cell, value in report.expected.items()})


def test_report_command_writes_the_sheet(ledger_book: Path) -> None:
    from openpyxl import load_workbook

    from arxl.cli import main

    assert main(["report", "collections", str(ledger_book), "--period", "2025-07", "--weekly"]) == 0
    book = load_workbook(ledger_book)
    sheet = book[REPORT_SHEET]
    labels = [row[0].value for row in sheet.iter_rows(max_col=1)]
    assert "DSO, countback (days)" in labels and "Collections by week" in labels
    assert "Top 2 overdue customers, RWF" in labels
    assert main(["report", "collections", str(ledger_book), "--period", "2025-13"]) == 2


def test_the_formulas_cost_a_few_cells_a_row(ledger_book: Path) -> None:
    """Each KPI reads the few figures above it and the queries' figures read their list once: what a
    recalculation reads grows with the rows, never rows x rows."""
    ledger, _ = open_ledger(ledger_book)
    cost = sheet_cost(collections_report(ledger, "2025-07", weekly=True).sheet)
    assert cost.formulas >= 20 and cost.per_row <= 5, cost
