"""The audit pack's frame: the Z sheets copy the ledger to the row, every formula recalculates in LibreOffice to
arxl's figure, and index.csv holds each file with its SHA-256."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from arxl.app.audit import audit_pack
from arxl.cli import main
from arxl.core.fx import in_base
from arxl.core.period import Period
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.ledger.openitems import open_items
from arxl.sample import write_sample
from tests.calc import assert_formulas_match, cached_results

JUNE = Period.parse("2025-06")


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("audit")
    book = write_sample(folder / "billing.xlsx")[0]
    audit_pack(FileHost(book), JUNE, folder / "audit", preparer="A. Uwase", today=dt.date(2025, 7, 10))
    return book, folder / "audit"


def _rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(r) for r in book[sheet].iter_rows(min_row=9, values_only=True)]
    finally:
        book.close()


def test_the_open_items_sheet_is_the_register_at_the_period_end(pack: tuple[Path, Path]) -> None:
    book, folder = pack
    ledger, _ = open_ledger(book)
    items = open_items(ledger.invoices, ledger.allocations, JUNE.last, ledger.receipts)
    rows = _rows(folder / "audit-pack-2025-06.xlsx", "Z4 Open items")
    assert [(r[0], r[3]) for r in rows] == [(i.customer_id, i.reference) for i in items]
    by_currency: dict[str, Decimal] = {}
    for r in rows:
        by_currency[str(r[1])] = by_currency.get(str(r[1]), Decimal(0)) + Decimal(str(r[8]))
    expected: dict[str, Decimal] = {}
    for i in items:
        expected[i.currency] = expected.get(i.currency, Decimal(0)) + i.open_amount
    assert by_currency == expected
    usd = next(r for r in rows if r[1] == "USD")  # its base value at the closing rate of 30 June
    rate = ledger.day_rates().on("USD", JUNE.last)
    assert rate is not None and Decimal(str(usd[9])) == rate.rate
    assert Decimal(str(usd[10])) == in_base(Decimal(str(usd[8])), rate.rate, "RWF")


def test_the_register_copies_name_their_source_cells(pack: tuple[Path, Path]) -> None:
    book, folder = pack
    ledger, _ = open_ledger(book)
    rows = _rows(folder / "audit-pack-2025-06.xlsx", "Z1 Invoices")
    assert len(rows) == len(ledger.invoices)
    first = ledger.invoices.rows[0]
    assert rows[0][0] == first.invoice_no and Decimal(str(rows[0][8])) == first.total_amount
    assert rows[0][16] == ledger.invoices.row_numbers[0]
    papers = openpyxl.load_workbook(folder / "audit-pack-2025-06.xlsx", read_only=True)
    sheet = papers["Z1 Invoices"]
    assert [sheet["A3"].value, sheet["B3"].value, sheet["C4"].value] == ["Prepared by", "A. Uwase", "Date"]
    papers.close()


def test_the_index_holds_every_file_with_its_hash(pack: tuple[Path, Path]) -> None:
    _, folder = pack
    with open(folder / "index.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    workbook = next(r for r in rows if r["Kind"] == "pack")
    data = (folder / workbook["Path"]).read_bytes()
    assert workbook["SHA-256"] == hashlib.sha256(data).hexdigest() and int(workbook["Bytes"]) == len(data)


@pytest.mark.libreoffice
def test_every_formula_recalculates_to_arxls_figure(pack: tuple[Path, Path], libreoffice: LibreOffice) -> None:
    path = pack[1] / "audit-pack-2025-06.xlsx"
    expected = cached_results(path)
    assert any(sheet == "Z4 Open items" for sheet, _ in expected)
    assert_formulas_match(libreoffice, path, expected)


def test_the_command_wants_a_month_or_a_year(pack: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    book, folder = pack
    assert main(["audit", "pack", str(book), "--out", str(folder / "x")]) == 2
    assert "give --period YYYY-MM (a month) or --year YYYY (a year)" in capsys.readouterr().err
    assert main(["audit", "pack", str(book), "--year", "2024", "--out", str(folder / "y"), "--preparer", "me"]) == 0
    assert (folder / "y" / "audit-pack-2024.xlsx").exists()


def test_data_rows_are_cells_to_the_slow_renderers() -> None:
    from arxl.ledger.changes import DataColumn, DataRows, SheetSpec

    spec = SheetSpec("Z", data=DataRows((DataColumn(), DataColumn(style="amount", currency_of=0),
                                         DataColumn(formula="=B{row}*2")),
                                        [("USD", Decimal("1.50"), Decimal("3.00"))]))
    spec.add("header")
    (row,) = list(spec.every_row())[1:]
    assert (row[1].currency, row[2].formula, row[2].value) == ("USD", "=B2*2", Decimal("3.00"))


def test_the_ribbon_button_builds_the_pack_of_the_settings_period(tmp_path: Path) -> None:
    import macros

    book = write_sample(tmp_path / "billing.xlsx")[0]
    report = macros.run("audit_pack", FileHost(book))
    assert not report.refused, report.reasons
    assert (tmp_path / "out" / "audit" / "2025-07" / "audit-pack-2025-07.xlsx").exists()
    assert (tmp_path / "out" / "audit" / "2025-07" / "index.csv").exists()


def test_a_register_rendered_in_a_child_process_is_the_same_sheet(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from arxl.books.audit.context import build_context, data_sheets
    from arxl.books.audit.papers import Signoff
    from arxl.formats.audit.pack import write_pack
    from arxl.formats.xlsx import package

    book = write_sample(tmp_path / "billing.xlsx")[0]
    ledger, _ = open_ledger(book)
    sheets = data_sheets(build_context(ledger, book.name, JUNE, Signoff("me", dt.date(2025, 7, 1))))
    write_pack(tmp_path / "here.xlsx", sheets)
    monkeypatch.setattr(package, "BACKGROUND_ROWS", 100)  # the last big copy goes to a child
    write_pack(tmp_path / "child.xlsx", sheets)
    def cells(path: Path) -> dict[str, list[tuple[object, str, bool]]]:  # value, number format, bold
        book = openpyxl.load_workbook(path)
        return {sheet.title: [(c.value, c.number_format, bool(c.font.b)) for row in sheet.iter_rows() for c in row]
                for sheet in book.worksheets}

    here, child = cells(tmp_path / "here.xlsx"), cells(tmp_path / "child.xlsx")  # style numbers may differ
    assert here == child and len(here["Z1 Invoices"]) > 17 * len(ledger.invoices)
