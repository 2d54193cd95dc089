"""The fast route for generated sheets: sheet XML written directly, every other part copied as it was."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal as D
from pathlib import Path
from typing import cast

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from python_calamine import CalamineWorkbook

from arxl.formats.xlsx import fastsheet
from arxl.formats.xlsx.apply import apply_changes, apply_to_book
from arxl.formats.xlsx.fastsheet import replace_sheets, supports
from arxl.ledger.changes import Cell, ChangeSet, ChartSpec, ConditionalFill, SheetSpec, TableArea
from arxl.ledger.records import Customer
from tests.builders import small_book


def _spec(name: str = "Report", *, rows: int = 3) -> SheetSpec:
    spec = SheetSpec(name, widths={"A": 12, "B": 30}, freeze="A3", print_area="A1:D9", landscape=True,
                     fit_width=True, tab_color="70AD47")
    spec.add(Cell("A report", style="title"))
    spec.add(*(Cell(h, style="header") for h in ("Customer", "Name", "Amount", "Due")))
    for n in range(rows):
        spec.add(Cell(f"C{n:03d}"), Cell(f"Customer {n}"), Cell(D(1000 * (n + 1)), currency="RWF"),
                 Cell(dt.date(2025, 6, 1 + n), style="date"))
    last = 2 + rows
    spec.add(Cell("Total", style="total"), Cell("", style="total"),
             Cell(D(sum(1000 * (n + 1) for n in range(rows))), formula=f"=SUM(C3:C{last})", style="total",
                  currency="RWF"))
    spec.conditional.append(ConditionalFill(f"C3:C{last}", "C3>1500", "F8CBAD"))
    spec.charts.append(ChartSpec("Amounts", "B", ("C",), 3, last, "F2", colors=("C00000",)))
    spec.tables.append(TableArea("ReportTable", f"A2:D{last}"))
    return spec


def _replace(path: Path, *specs: SheetSpec) -> None:
    changes = ChangeSet()
    for spec in specs:
        changes.replace_sheet(spec)
    apply_changes(path, changes)


def _read(path: Path, sheet: str) -> list[list[object]]:
    return cast(list[list[object]], CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python())


@pytest.mark.parametrize("text", [
    "plain", "a & b < c > d", '=HYPERLINK("http://x","y")', "+254 788", "-minus", "@at", "bell\x07 tab\t",
    "cr\r\nlf", "_x0041_ stays", "  spaces around  ", "émigré Kigali — “quotes”", "emoji 🎉",
])
def test_text_comes_back_as_written(tmp_path: Path, text: str) -> None:
    path = small_book(tmp_path / "b.xlsx")
    spec = SheetSpec("T")
    spec.add(Cell(text), Cell(1))
    _replace(path, spec)
    assert _read(path, "T")[0][0] == text
    book = openpyxl.load_workbook(path)
    cell = book["T"]["A1"]
    assert cell.data_type == "s"
    assert cell.quotePrefix == text.startswith(("=", "+", "-", "@"))
    book.close()


def test_text_xml_cannot_hold_and_long_text(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    spec = SheetSpec("T")
    spec.add(Cell("nul\x00 and lone \ud800 surrogate"), Cell("x" * 40_000))
    _replace(path, spec)
    first, long = _read(path, "T")[0][:2]
    assert first == "nul\x00 and lone \ufffd surrogate"
    assert long == "x" * 32_767  # Excel's limit for one cell


def test_values_formats_and_formulas_read_back(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    _replace(path, _spec())
    book = openpyxl.load_workbook(path)
    sheet = book["Report"]
    assert sheet["C3"].value == 1000 and sheet["C3"].number_format == "#,##0;-#,##0"
    assert sheet["D3"].value == dt.datetime(2025, 6, 1) and sheet["D3"].number_format == "dd/mm/yyyy"
    assert sheet["C6"].value == "=SUM(C3:C5)" and sheet["C6"].font.b
    assert sheet["A2"].fill.fgColor.rgb == "FF1F4E78"
    assert sheet.freeze_panes == "A3" and sheet.print_area == "'Report'!$A$1:$D$9"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert list(sheet.tables) == ["ReportTable"] and sheet.conditional_formatting
    assert len(sheet._charts) == 1  # openpyxl keeps the chart it read
    book.close()
    assert _read(path, "Report")[5][2] == 6000.0  # the cached result, before any recalculation


def test_other_parts_are_copied_byte_for_byte(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    before = _entries(path)
    _replace(path, _spec())
    after = _entries(path)
    same = {n for n in before if after.get(n) == before[n]}
    assert set(before) - same <= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                                  "xl/styles.xml"}
    assert any(n.startswith("xl/worksheets/sheet") for n in same)


def _entries(path: Path) -> dict[str, tuple[int, int, bytes]]:
    found = {}
    with zipfile.ZipFile(path) as package, path.open("rb") as handle:
        for info in package.infolist():
            handle.seek(info.header_offset + 26)
            skip = int.from_bytes(handle.read(2), "little") + int.from_bytes(handle.read(2), "little")
            handle.seek(info.header_offset + 30 + skip)
            found[info.filename] = (info.CRC, info.compress_type, handle.read(info.compress_size))
    return found


def test_existing_styles_keep_their_indexes(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    with zipfile.ZipFile(path) as package:
        old = _xfs(package.read("xl/styles.xml"))
    _replace(path, _spec())
    with zipfile.ZipFile(path) as package:
        new = _xfs(package.read("xl/styles.xml"))
    assert new[: len(old)] == old and len(new) > len(old)
    _replace(path, _spec())
    with zipfile.ZipFile(path) as package:
        assert _xfs(package.read("xl/styles.xml")) == new


def _xfs(styles: bytes) -> list[str]:
    cell_xfs = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert cell_xfs
    return re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", cell_xfs.group(1).decode(), re.S)


def test_replacing_keeps_the_tab_and_drops_the_old_sheet_parts(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(path)
    changes = ChangeSet()
    old = _spec("Report", rows=5)
    old.rows[3][0] = Cell("C001", comment="written by openpyxl, with a comment")
    changes.replace_sheet(old)
    apply_to_book(book, changes, path.name)
    book.move_sheet("Report", offset=-(len(book.sheetnames) - 3))
    book.save(path)
    position = openpyxl.load_workbook(path, read_only=True).sheetnames.index("Report")
    _replace(path, _spec("report"))  # the same sheet, whatever the case of its name
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("report") == position and "Report" not in book.sheetnames
    assert book["report"].print_area == "'report'!$A$1:$D$9"
    book.close()
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        referenced = {"[Content_Types].xml", "_rels/.rels"}
        for rels in (n for n in names if n.endswith(".rels")):
            owner = rels.replace("_rels/", "").removesuffix(".rels")
            for target, mode in re.findall(r'Target="([^"]+)"(?:[^>]*TargetMode="(\w+)")?',
                                           package.read(rels).decode()):
                if mode != "External":
                    base = owner.rsplit("/", 1)[0] if "/" in owner else ""
                    referenced.add(target.lstrip("/") if target.startswith("/") else
                                   _normal(f"{base}/{target}" if base else target))
                    referenced.add(rels)
    orphans = [n for n in names if n not in referenced]
    assert not orphans, orphans  # the old comments, drawing and chart went with the old sheet
    assert sum(1 for n in names if n.startswith("xl/charts/")) == 1


def _normal(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def test_a_stale_calculation_chain_is_dropped(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    with zipfile.ZipFile(path) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    parts["xl/calcChain.xml"] = (b'<?xml version="1.0"?><calcChain xmlns="http://schemas.openxmlformats.org/'
                                 b'spreadsheetml/2006/main"><c r="A1" i="1"/></calcChain>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    _replace(path, _spec())
    with zipfile.ZipFile(path) as package:
        assert "xl/calcChain.xml" not in package.namelist()
        assert b"calcChain" not in package.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in package.read("[Content_Types].xml")
    openpyxl.load_workbook(path).close()


def test_dates_in_a_1904_workbook(tmp_path: Path) -> None:
    path = tmp_path / "mac.xlsx"
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active["A1"] = dt.date(2025, 1, 1)
    book.save(path)
    spec = SheetSpec("Dates")
    spec.add(Cell(dt.date(2025, 6, 30), style="date"))
    _replace(path, spec)
    book = openpyxl.load_workbook(path)
    assert book["Dates"]["A1"].value == dt.datetime(2025, 6, 30)
    book.close()


def test_line_charts_and_links(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    spec = SheetSpec("KPIs")
    spec.add(Cell("Month", style="header"), Cell("DSO", style="header"))
    for month in range(1, 13):
        spec.add(Cell(f"2025-{month:02d}"), Cell(D(40 + month) / 3, style="decimal"))
    spec.add(Cell("Go to the invoices", link="#'Invoices'!A1"), Cell("site", link="https://example.rw/a?b=1&c=2"))
    spec.charts.append(ChartSpec("DSO", "A", ("B",), 2, 13, "D2", kind="line"))
    _replace(path, spec)
    book = openpyxl.load_workbook(path)
    sheet = book["KPIs"]
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["A14"].hyperlink.location == "'Invoices'!A1"
    assert sheet["B14"].hyperlink.target == "https://example.rw/a?b=1&c=2"
    book.close()
    with zipfile.ZipFile(path) as package:
        chart = next(package.read(n) for n in package.namelist() if n.startswith("xl/charts/"))
    assert b"<c:lineChart>" in chart


def test_apply_changes_takes_the_fast_route_for_generated_sheets_only(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[str] = []
    real = fastsheet.replace_sheets

    def spy(path: Path | str, specs: list[SheetSpec]) -> Path:
        used.append("fast")
        return real(path, specs)

    monkeypatch.setattr(fastsheet, "replace_sheets", spy)
    path = small_book(tmp_path / "b.xlsx")
    _replace(path, _spec())
    assert used == ["fast"]
    with_comment = _spec("Other")
    with_comment.rows[2][0] = Cell("C000", comment="a note")
    assert not supports(with_comment)
    _replace(path, with_comment)
    changes = ChangeSet()
    changes.replace_sheet(_spec("Third"))
    changes.append("Customers", [Customer(customer_id="C009", name="New Client Ltd", customer_type="private")])
    apply_changes(path, changes)
    assert used == ["fast"]
    book = openpyxl.load_workbook(path)
    assert {"Report", "Other", "Third"} <= set(book.sheetnames)
    assert book["Other"]["A3"].comment is not None
    book.close()


def test_direct_call_is_atomic_with_a_backup(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    before = path.read_bytes()
    replace_sheets(path, [_spec()])
    assert (tmp_path / "b.bak.xlsx").read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_alignment_is_written(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    spec = SheetSpec("Strip")
    spec.add(Cell("Current", style="header", align="right"), Cell("1-30", align="center"), Cell("plain"))
    _replace(path, spec)
    sheet = openpyxl.load_workbook(path)["Strip"]
    assert [c.alignment.horizontal for c in sheet[1]] == ["right", "center", None]
    assert sheet["A1"].alignment.wrap_text and sheet["A1"].font.b
