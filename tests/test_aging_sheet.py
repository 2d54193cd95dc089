"""The Aging sheet: buckets at their boundaries, a true historical as-of, one block per currency, credits and
unapplied cash apart, live SUMIFS that LibreOffice recalculates to arxl's figures, and a workbook that keeps
everything else it held."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from arxl.aging.aged import AgingReport, build_report
from arxl.aging.sheet import (
    AGING_COLUMNS,
    AGING_ELSEWHERE,
    AGING_SHEET,
    aging_changes,
    aging_report,
    aging_sheet,
    formula_results,
    without_results,
)
from arxl.cli import main
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.fastread import read_columns
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import OpenItem, open_items
from arxl.ledger.records import Setting
from tests.builders import AGING_AS_OF, AGING_DAYS, aging_book, aging_tables
from tests.calc import assert_formulas_match, recalculated_values
from tests.formula_cost import sheet_cost

LABELS = ("Current", "1-30 days", "31-60 days", "61-90 days", "91-120 days", "Over 120 days")


def _ledger(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


def _line(report: AgingReport, currency: str, customer: str) -> dict[str, D]:
    line = next(c for c in report.block(currency).customers if c.customer_id == customer)
    return {**dict(zip(LABELS, line.buckets, strict=True)), "credits": line.credits, "unapplied": line.unapplied,
            "balance": line.balance}


def _rows(path: Path, values: bool = True) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, data_only=values)
    try:
        return list(book[AGING_SHEET].iter_rows(values_only=True))
    finally:
        book.close()


def _summary_row(spec: SheetSpec, currency: str, customer: str) -> int:
    """The Excel row of a customer's line in a currency block."""
    for number, row in enumerate(spec.rows, start=1):
        if len(row) > 3 and row[0].value == customer and row[2].currency == currency and row[2].formula:
            return number
    raise KeyError((currency, customer))


def _rows_read(spec: SheetSpec, formula: str) -> list[list[Cell]]:
    """The detail rows a summary formula reads (its amount range, ``$J$first:$J$last``)."""
    found = re.search(r"\$J\$([0-9]+):\$J\$([0-9]+)", formula)
    assert found, formula
    return spec.rows[int(found.group(1)) - 1:int(found.group(2))]


def test_bucket_boundaries(tmp_path: Path) -> None:
    report = aging_report(_ledger(aging_book(tmp_path / "b.xlsx")), AGING_AS_OF)
    days = {i.item.reference: (i.days, i.label) for i in report.items}
    for n, (age, _) in enumerate(AGING_DAYS.items(), start=1):
        expected = "Current" if age == 0 else next(label for label, top in zip(LABELS[1:], (30, 60, 90, 120, 10**6),
                                                                                    strict=True) if age <= top)
        assert days[f"INV-2025-{n:05d}"] == (age, expected)
    assert _line(report, "RWF", "C001") == {
        "Current": D(1000), "1-30 days": D(6000), "31-60 days": D(24000), "61-90 days": D(96000),
        "91-120 days": D(356000), "Over 120 days": D(512000), "credits": D(-50000), "unapplied": D(-30000),
        "balance": D(915000)}


def test_the_sheet_shows_each_boundary(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 0
    detail = {row[2]: row for row in _rows(path) if isinstance(row[2], str) and row[2].startswith("INV-")}
    for n, age in enumerate(AGING_DAYS, start=1):
        row = detail[f"INV-2025-{n:05d}"]
        assert row[6] == age
        assert row[7] == {0: "Current", 1: "1-30 days", 30: "1-30 days", 31: "31-60 days", 60: "31-60 days",
                          61: "61-90 days", 90: "61-90 days", 91: "91-120 days", 120: "91-120 days",
                          121: "Over 120 days"}[age]


def test_historical_as_of_leaves_out_later_invoices_and_receipts(tmp_path: Path) -> None:
    ledger = _ledger(aging_book(tmp_path / "b.xlsx"))
    june = aging_report(ledger, AGING_AS_OF)
    references = {i.item.reference for i in june.items}
    assert "INV-2025-00011" not in references  # invoiced on 3 July
    assert "INV-2025-00006" in references  # paid on 10 July: still owed at 30 June
    assert "R-2" not in references
    july = aging_report(ledger, dt.date(2025, 7, 31))
    later = {i.item.reference: i for i in july.items}
    assert "INV-2025-00011" in later and "INV-2025-00006" not in later
    assert later["INV-2025-00001"].days == 31 and later["INV-2025-00001"].label == "31-60 days"


def test_one_block_per_currency_never_added(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    report = aging_report(_ledger(path), AGING_AS_OF)
    assert [b.currency for b in report.blocks] == ["RWF", "USD"]
    assert report.block("RWF").balance == D(920000)
    assert report.block("USD").balance == D("1350.49")
    assert _line(report, "USD", "C002")["31-60 days"] == D("1250.50")
    assert _line(report, "USD", "C002")["Current"] == D("99.99")
    spec = aging_sheet(report)
    usd = _summary_row(spec, "USD", "C002")
    for cell in spec.rows[usd - 1][2:]:  # the USD line reads C002's USD items, and nothing else
        assert {(row[0].value, row[8].value) for row in _rows_read(spec, cell.formula)} == {("C002", "USD")}
    totals = {row[0].value: row for row in spec.rows if row and row[0].value in ("RWF", "USD") and len(row) > 4}
    assert totals["RWF"][3].value == D(920000) and totals["USD"][3].value == D("1350.49")
    # a converted total, each item at the Rates sheet's closing rate and labelled so, is the only place both appear
    converted = next(row for row in spec.rows if row and str(row[0].value).startswith("All currencies in RWF"))
    assert converted[5].value == D(920000) + D(1944706)  # 1,250.50 x 1,440 = 1,800,720; 99.99: 143,985.6
    assert totals["USD"][5].formula.startswith("=SUMIFS($K$") and '"USD"' in totals["USD"][5].formula
    rate = spec.rows[spec.rows.index(converted) + 1]
    assert (rate[0].value, rate[1].value) == ("Rate USD", D(1440))
    assert "RWF per USD on 30/06/2025 (BNR, Rates sheet)" in str(rate[2].value)


def test_credits_and_unapplied_cash_apart(tmp_path: Path) -> None:
    report = aging_report(_ledger(aging_book(tmp_path / "b.xlsx")), AGING_AS_OF)
    kinds = {i.item.reference: i.item.kind for i in report.items}
    assert kinds["CN-2025-00001"] == "credit" and kinds["R-9"] == "unapplied" and kinds["R-U"] == "unapplied"
    unidentified = _line(report, "RWF", "(unidentified)")
    assert unidentified["unapplied"] == D(-5000) and unidentified["balance"] == D(-5000)
    assert all(unidentified[label] == 0 for label in LABELS)
    block = report.block("RWF")
    assert block.credits == D(-50000) and block.unapplied == D(-35000)
    assert sum((block.bucket_total(i) for i in range(6)), D(0)) == D(920000 + 50000 + 35000)


def test_invoice_date_basis(tmp_path: Path) -> None:
    tables = aging_tables()
    tables["Settings"] = [s for s in tables["Settings"] if isinstance(s, Setting) and s.key != "Aging Basis"]
    tables["Settings"].append(Setting(key="Aging Basis", value="invoice_date"))
    path = aging_book(tmp_path / "b.xlsx", tables)
    report = aging_report(_ledger(path), AGING_AS_OF)
    days = {i.item.reference: i.days for i in report.items}
    assert days["INV-2025-00001"] == 30 and days["INV-2025-00010"] == 151  # 30 days of terms added
    assert _line(report, "RWF", "C001")["Current"] == 0
    spec = aging_sheet(report)
    assert any(c.value == "Age (days)" for row in spec.rows for c in row)
    assert "invoice date" in str(spec.rows[1][0].value)


@pytest.mark.libreoffice
def test_libreoffice_recalculates_arxl_figures(tmp_path: Path, libreoffice: LibreOffice) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    spec = aging_sheet(aging_report(_ledger(path), AGING_AS_OF))
    changes = ChangeSet()
    changes.replace_sheet(without_results(spec))  # no stored results: LibreOffice must compute every one
    apply_changes(path, changes)
    expected = _money_and_checks(spec)
    assert len(expected) > 60
    checks = [ref for ref, value in expected.items() if value == "OK"]
    assert len(checks) == 2
    assert_formulas_match(libreoffice, path, {(AGING_SHEET, ref): value for ref, value in expected.items()})


def test_check_cells_say_ok(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 0
    rows = _rows(path)
    header = next(i for i, row in enumerate(rows) if row[0] == "Check")
    assert [(rows[header + 1][0], rows[header + 1][4]), (rows[header + 2][0], rows[header + 2][4])] == \
        [("RWF", "OK"), ("USD", "OK")]
    formulas = _rows(path, values=False)
    assert str(formulas[header + 1][4]).startswith("=IF(AND(ROUND(B")


def test_rerun_replaces_the_sheet(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    for _ in range(3):
        assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 0
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        styles = package.read("xl/styles.xml")
    assert sum(1 for n in names if n.startswith("xl/charts/chart")) == 2
    assert sum(1 for n in names if n.startswith("xl/drawings/drawing") and n.endswith(".xml")) == 1
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.count(AGING_SHEET) == 1 and book.sheetnames[-1] == AGING_SHEET
    assert len(book[AGING_SHEET].tables) == 1
    book.close()
    assert main(["aging", str(path), "--as-of", "2025-07-31"]) == 0
    with zipfile.ZipFile(path) as package:
        assert package.read("xl/styles.xml") == styles  # formats are reused, not added again


def test_user_tables_and_sheets_survive(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("My notes", 0)
    notes["A1"], notes["B2"] = "Call MINICT on Monday", 0.125
    notes["B2"].number_format = "0.0%"
    notes["C3"] = "=SUM(B2,1)"
    book["Invoices"]["Z1"] = "My column"
    book.save(path)
    before = _values(path)
    with zipfile.ZipFile(path) as package:
        raw_before = {i.filename: _raw(path, i) for i in package.infolist()}
    assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 0
    assert _values(path, skip=AGING_SHEET) == before
    with zipfile.ZipFile(path) as package:
        after = {i.filename: _raw(path, i) for i in package.infolist()}
    changed = {n for n in raw_before if n in after and raw_before[n] != after[n]}
    assert changed <= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    assert not set(raw_before) - set(after)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "My notes" and book["My notes"]["B2"].number_format == "0.0%"
    assert book["My notes"]["C3"].value == "=SUM(B2,1)"
    book.close()


def _values(path: Path, skip: str = "") -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path)
    try:
        return {s.title: [tuple((c.value, c.number_format) for c in row) for row in s.iter_rows()]
                for s in book.worksheets if s.title != skip}
    finally:
        book.close()


def _raw(path: Path, info: zipfile.ZipInfo) -> bytes:
    """An entry's compressed bytes as they sit in the file."""
    with path.open("rb") as handle:
        handle.seek(info.header_offset + 26)
        name_length, extra_length = int.from_bytes(handle.read(2), "little"), int.from_bytes(handle.read(2), "little")
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        return handle.read(info.compress_size)


def test_fast_route_reads_back_in_openpyxl_and_calamine(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    spec = aging_sheet(aging_report(_ledger(path), AGING_AS_OF))
    changes = ChangeSet()
    changes.replace_sheet(spec)
    apply_changes(path, changes)
    formulas = _rows(path, values=False)
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(AGING_SHEET).to_python()
    for number, row in enumerate(spec.rows, start=1):
        for column, cell in enumerate(row):
            if cell.formula:
                assert formulas[number - 1][column] == cell.formula
                assert grid[number - 1][column] == (float(cell.value) if isinstance(cell.value, D) else cell.value)
            elif isinstance(cell.value, str) and cell.value:
                assert formulas[number - 1][column] == cell.value == grid[number - 1][column]
            elif isinstance(cell.value, D):
                assert grid[number - 1][column] == float(cell.value)


def test_outside_text_stays_text(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 0
    name = '=HYPERLINK("http://evil.example/x","Click me")'
    book = openpyxl.load_workbook(path)
    cells = [c for row in book[AGING_SHEET].iter_rows() for c in row if c.value == name]
    assert len(cells) == 2  # the summary line and the detail row of C003
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    book.close()
    with zipfile.ZipFile(path) as package:
        sheet = next(n for n in package.namelist() if n.startswith("xl/worksheets/sheet") and
                     b"Aged receivables" in package.read(n))
        xml = package.read(sheet).decode()
    assert "HYPERLINK" not in "".join(part.split("</f>")[0] for part in xml.split("<f>")[1:])


def test_the_sample_ages_to_its_open_items(tmp_path: Path) -> None:
    from arxl.sample import write_sample

    path, _ = write_sample(tmp_path / "sample.xlsx")
    ledger = _ledger(path)
    as_of = dt.date(2025, 6, 30)
    items = open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts)
    expected: dict[str, D] = {}
    for item in items:
        expected[item.currency] = expected.get(item.currency, D(0)) + item.open_amount
    report = aging_report(ledger, as_of)
    assert {b.currency: b.balance for b in report.blocks} == expected
    assert {b.currency: b.items_total for b in report.blocks} == expected
    assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 0
    rows = _rows(path)
    checks = {row[0]: (row[2], row[3], row[4]) for row in rows if row[0] in expected and row[4] in ("OK", "DIFFERENCE")}
    assert checks == {code: (pytest.approx(float(v)), pytest.approx(float(v)), "OK") for code, v in expected.items()}
    # the projected, two-process read gives the same aging as the whole ledger
    fast, problems = read_columns(path, AGING_COLUMNS, AGING_ELSEWHERE, parallel=True)
    assert not problems
    again = aging_report(fast, as_of)
    assert [(i.item, i.days, i.label) for i in again.items] == [(i.item, i.days, i.label) for i in report.items]


@pytest.mark.libreoffice
def test_the_sample_sheet_recalculates(tmp_path: Path, libreoffice: LibreOffice) -> None:
    from arxl.sample import write_sample

    path, _ = write_sample(tmp_path / "sample.xlsx")
    spec = aging_sheet(aging_report(_ledger(path), dt.date(2025, 6, 30)))
    changes = ChangeSet()
    changes.replace_sheet(without_results(spec))
    apply_changes(path, changes)
    expected = _money_and_checks(spec)
    values = recalculated_values(libreoffice, path)[AGING_SHEET]
    assert [values[ref] for ref, v in expected.items() if v == "OK"] == ["OK", "OK"]
    assert_formulas_match(libreoffice, path, {(AGING_SHEET, ref): v for ref, v in expected.items()})


def _money_and_checks(spec: SheetSpec) -> dict[str, D | str]:
    """The formula results to compare to the unit: amounts and check words (shares are ratios, shown as %)."""
    percent = {f"{chr(64 + c)}{r}" for r, row in enumerate(spec.rows, start=1) for c, cell in enumerate(row, start=1)
               if cell.style == "percent"}
    return {ref: v for ref, v in formula_results(spec).items() if ref not in percent and isinstance(v, D | str)}


def test_aging_changes_is_the_workflow(tmp_path: Path) -> None:
    path = aging_book(tmp_path / "b.xlsx")
    changes = aging_changes(_ledger(path), AGING_AS_OF)
    assert not changes.appends and not changes.updates and [s.name for s in changes.sheets] == [AGING_SHEET]
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(path, copy)
    apply_changes(copy, changes)
    assert AGING_SHEET in openpyxl.load_workbook(copy, read_only=True).sheetnames


def test_no_open_items(tmp_path: Path) -> None:
    tables = aging_tables()
    tables["Invoices"], tables["Receipts"], tables["Allocations"] = [], [], []
    path = aging_book(tmp_path / "b.xlsx", tables)
    assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 0
    assert any("No open items" in str(row[0]) for row in _rows(path))


def test_bad_cells_refuse_the_run(tmp_path: Path) -> None:
    from tests.builders import header_cell, set_cells

    path = aging_book(tmp_path / "b.xlsx")
    set_cells(path, "Invoices", {f"{header_cell(path, 'Invoices', 'Total Amount')}3": "12,5OO"})
    assert main(["aging", str(path), "--as-of", "2025-06-30"]) == 2
    assert AGING_SHEET not in openpyxl.load_workbook(path, read_only=True).sheetnames


def _many_customers(customers: int = 150, per_customer: int = 4) -> AgingReport:
    """A ledger's open items as an auditor meets them: many customers, each with invoices in several buckets, now
    and then a credit note or unapplied cash, every tenth customer billed in USD as well, in date order (the
    customers' items interleaved, as the ledger lists them)."""
    items: list[OpenItem] = []
    for n in range(per_customer):
        for c in range(customers):
            customer = f"C{c:04d}"
            day = AGING_AS_OF - dt.timedelta(days=10 + 37 * n + c % 7)
            items.append(OpenItem("invoice", f"INV-{n}-{c}", customer, "RWF", day, day + dt.timedelta(days=30),
                                  D(118000 + c), D(0), D(0), D(118000 + c * n)))
            if c % 10 == 0:
                items.append(OpenItem("invoice", f"INV-U{n}-{c}", customer, "USD", day, day + dt.timedelta(days=30),
                                      D("250.50"), D(0), D(0), D("250.50")))
        items.append(OpenItem("credit", f"CN-{n}", f"C{n:04d}", "RWF", AGING_AS_OF, AGING_AS_OF, D(-5000), D(0),
                              D(0), D(-5000)))
        items.append(OpenItem("unapplied", f"R-{n}", f"C{n + 7:04d}", "RWF", AGING_AS_OF, AGING_AS_OF, D(-3000), D(0),
                              D(0), D(-3000)))
    names = {f"C{c:04d}": f"Customer {c}" for c in range(customers)}
    return build_report(items, names, AGING_AS_OF)


def test_each_line_reads_only_its_customers_rows() -> None:
    report = _many_customers()
    spec = aging_sheet(report)
    detail = [row for row in spec.rows if len(row) >= 10 and isinstance(row[6].value, int)]
    customers = [str(row[0].value) for row in detail]
    assert customers == sorted(customers)  # the detail is by customer
    assert len(detail) == len(report.items)
    for block in report.blocks:
        for line in block.customers:
            row = spec.rows[_summary_row(spec, block.currency, line.customer_id) - 1]
            mine = [r for r in detail if r[0].value == line.customer_id and r[8].value == block.currency]
            for cell in row[2:]:
                assert _rows_read(spec, cell.formula) == mine, (line.customer_id, cell.formula)


def test_the_formulas_cost_a_few_dozen_cells_a_row(tmp_path: Path) -> None:
    """What a recalculation reads grows with the sheet's rows, not with customers x open items: the SUMIFS over
    the whole detail read 5,195 cells a row here (and 44,600 a row for a ledger of 20,000 invoices)."""
    spec = aging_sheet(_many_customers())
    cost = sheet_cost(spec)
    assert cost.formulas > 1_000 and cost.rows > 800
    assert cost.per_row <= 40, cost
    sample = aging_sheet(aging_report(_ledger(aging_book(tmp_path / "b.xlsx")), AGING_AS_OF))
    assert sheet_cost(sample).per_row <= 40, sheet_cost(sample)


@pytest.mark.libreoffice
def test_a_resorted_detail_shows_a_difference(tmp_path: Path, libreoffice: LibreOffice) -> None:
    """The formulas read each customer's block: a detail sorted another way by hand must not pass for right."""
    path = aging_book(tmp_path / "b.xlsx")
    spec = aging_sheet(aging_report(_ledger(path), AGING_AS_OF))
    first = next(n for n, row in enumerate(spec.rows) if len(row) > 2 and row[2].value == "Document") + 1
    rows = spec.rows[first:]
    assert len(rows) > 10 and all(not cell.formula for row in rows for cell in row[:10])
    rows.sort(key=lambda row: str(row[2].value))  # by document number, as a user might with the filter button
    for number, row in enumerate(rows, start=first + 1):  # the "In RWF" formula moves with its row, as in Excel
        if len(row) > 10:
            row[10] = replace(row[10], formula=re.sub(r"J[0-9]+\*", f"J{number}*", row[10].formula))
    spec.rows[first:] = rows
    changes = ChangeSet()
    changes.replace_sheet(without_results(spec))
    apply_changes(path, changes)
    values = recalculated_values(libreoffice, path)[AGING_SHEET]
    checks = [values[ref] for ref, v in formula_results(spec).items() if v == "OK"]
    assert "DIFFERENCE" in checks
