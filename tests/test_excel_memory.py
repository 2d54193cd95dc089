"""Every ribbon macro through the live-Excel host, xlwings' front end and the in-memory Excel engine, on the
sample workbook, against the same macros on a copy through the file host: the tables end the same.

The memory engine stands in for Excel (tests/xlmemory); what runs is arxl's ExcelHost and xlwings' real
conversions, options and table resizes. After the run the memory workbook is saved to an xlsx and every table
of both is read back through the file host: the same rows, cell for cell (the Log sheet is a sheet, not a
table). The calls into Excel are counted, and stay with the blocks, not the cells.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import arxl.macros as macros
from arxl.app import cash
from arxl.excel.host import ExcelHost
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.host import FileHost, Host, ledger_of
from arxl.ledger.changes import ChangeSet
from tests.builders import sample_for_buttons
from tests.xlmemory import CALLS, alerts, memory_app, reset, statuses

__all__ = ["memory_app"]


def _sample(folder: Path) -> Path:
    return sample_for_buttons(folder / "billing.xlsx")


def _press(button: str, host: Host) -> Any:
    report = macros.run(button, host)
    if button == "import_statement":
        cash.approve_matches(host)  # the accountant approves the automatic matches before posting them
    return report


def _here(lines: list[str], folder: str) -> list[str]:
    """The lines with the run's own folder left out (each host works in a folder of its own)."""
    return [re.sub(rf"\S*/{folder}/", "<folder>/", line) for line in lines]


def _rows(host: Host) -> dict[str, list[Any]]:
    ledger, problems = ledger_of(host)
    assert [p for p in problems if p.severity == "error"] == []
    tables = {name: list(ledger.table(name).rows) for name in ledger.tables}
    # a period lock records the clock's minute: the two presses may fall either side of one
    tables["Periods"] = [event.model_copy(update={"time": ""}) for event in tables.get("Periods", [])]
    return tables


@pytest.mark.slow
def test_every_macro_through_excel_ends_with_the_file_hosts_tables(
        memory_app: Any, tmp_path: Path, libreoffice: LibreOffice) -> None:
    (tmp_path / "file").mkdir()
    (tmp_path / "excel").mkdir()
    file_book = _sample(tmp_path / "file")
    for other in (tmp_path / "file").iterdir():
        if other.is_file():
            shutil.copy(other, tmp_path / "excel" / other.name)
    file_host = FileHost(file_book)
    book = memory_app.books.open(str(tmp_path / "excel" / "billing.xlsx"))
    excel_host = ExcelHost(book)
    calls: dict[str, int] = {}
    for button in macros.BUTTONS:
        expected = _press(button, file_host)
        reset()
        got = _press(button, excel_host)
        calls[button] = CALLS.total()
        assert (got.refused, _here(got.lines, "excel")) == (expected.refused, _here(expected.lines, "file")), button
        assert _here(statuses(memory_app)[-1:], "excel") == _here(file_host.statuses[-1:], "file"), button
    assert _here(alerts(memory_app), "excel") == _here(file_host.alerts, "file")
    assert calls["refresh_aging"] < 400, calls
    saved = tmp_path / "saved" / "billing.xlsx"
    saved.parent.mkdir()
    book.save(str(saved))
    assert _rows(FileHost(saved)) == _rows(file_host)


def test_a_refused_macro_alerts_through_excel_naming_the_cell(memory_app: Any, tmp_path: Path) -> None:
    book = _sample(tmp_path)
    from tests.builders import header_cell, set_cells

    net = header_cell(book, "Invoices", "Net Amount")
    set_cells(book, "Invoices", {f"{net}2": "12,5OO"})
    host = ExcelHost(memory_app.books.open(str(book)))
    report = macros.run("review_billing", host)
    assert report.refused
    assert f'[billing.xlsx]Invoices!{net}2: Net Amount "12,5OO" is not a number' in alerts(memory_app)[0]
    log = host.book.sheets[macros.LOG_SHEET]
    assert log.range("A1").value == "arxl: Review billing"
    linked = [cell for cell in log.range("A5:A12") if cell.value and str(cell.value).startswith("Invoices!")]
    assert linked and linked[0].hyperlink == f"#'Invoices'!{net}2"


def test_appends_write_blocks_not_cells(memory_app: Any, tmp_path: Path) -> None:
    """Appending 5 invoices or 50 takes the same calls into Excel: one block, formats by range, one resize."""
    host = ExcelHost(memory_app.books.open(str(_sample(tmp_path))))
    invoices = list(ledger_of(host)[0].invoices.rows)
    counts = []
    for start, many in ((0, 5), (5, 50)):
        reset()
        changes = ChangeSet()
        changes.append("Invoices", [i.model_copy(update={"invoice_no": f"X-{start + n}"})
                                    for n, i in enumerate(invoices[start:start + many])])
        host.apply(changes)
        counts.append(CALLS.total())
    assert counts[1] <= counts[0] + 6, counts
    ledger, _ = ledger_of(host)
    assert [i.invoice_no for i in ledger.invoices][-55:] == [f"X-{n}" for n in range(55)]
    assert ledger.invoices.rows[-1].net_amount == invoices[54].net_amount


def test_the_engine_answers_as_excel_does_and_saves_what_was_set(memory_app: Any, tmp_path: Path) -> None:
    """Through xlwings' front end: Excel's value rules, a table that grows, looks that reach the saved file."""
    from openpyxl import load_workbook

    reset()
    book = memory_app.books.add()
    sheet = book.sheets[0]
    sheet.name = "Invoices"
    sheet.range("A1").value = [["Invoice No", "Net", "Date", "Notes"],
                               ["INV-1", 1250, dt.date(2025, 7, 1), "'+250788123456"],
                               ["INV-2", None, None, "=B2*2"]]
    assert sheet.range("A2:D2").value == ["INV-1", 1250.0, dt.datetime(2025, 7, 1), "+250788123456"]
    assert sheet.range("B3").value is None and sheet.range("D3").value == "=B2*2"  # no calculation here
    sheet.range("E1").value = "012345"  # typed without the apostrophe, Excel keeps a number
    assert sheet.range("E1").value == 12345.0
    table = sheet.tables.add(source=sheet.range("A1:D3"), name="Invoices")
    table.resize(sheet.range("A1:D9"))
    assert table.data_body_range.address == "$A$2:$D$9"
    sheet.range("B2:B3,D2:D3").number_format = "#,##0"
    sheet.range("A1:D1").color = (31, 78, 120)
    sheet.range("A1:D1").font.bold = True
    sheet.range("A:A").column_width = 18
    sheet.range("A2").add_hyperlink("#'Invoices'!B2", "INV-1", "B2")
    with pytest.raises(NotImplementedError, match=r"Range\.merge"):
        sheet.range("A1:B1").merge()
    book.save(str(tmp_path / "saved.xlsx"))
    saved = load_workbook(tmp_path / "saved.xlsx")["Invoices"]
    assert saved.tables["Invoices"].ref == "A1:D9"
    assert saved["D3"].number_format == "#,##0" and saved["C3"].number_format == "General"
    assert saved["B1"].fill.fgColor.rgb == "FF1F4E78" and saved["C1"].font.b
    assert saved.column_dimensions["A"].width == 18 and saved["A2"].hyperlink.location == "'Invoices'!B2"
    assert saved["D2"].value == "+250788123456" and saved["D2"].quotePrefix
    assert CALLS["Range.number_format="] == 1


def test_looks_become_a_few_multi_area_ranges() -> None:
    """Two amount columns in RWF with every tenth row in USD: the RWF format over both columns in one range, the
    USD rows in multi-area ranges of at most 255 characters; bold over a header row in one range."""
    from arxl.excel.areas import ranges

    formats = {(r, c): ("USD" if r % 10 == 0 else "RWF") for r in range(5, 1005) for c in (6, 7)}
    laid = ranges(formats, majority=True)
    assert laid[0] == ("F5:G1004", "RWF")
    usd = [address for address, value in laid[1:] if value == "USD"]
    assert all(len(a) <= 255 for a in usd) and len(usd) == 4  # 100 areas, 983 characters
    assert {area for a in usd for area in a.split(",")} == {f"F{r}:G{r}" for r in range(10, 1005, 10)}
    assert ranges({(1, c): True for c in range(1, 12)}) == [("A1:K1", True)]
