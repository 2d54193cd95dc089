"""Every formula arxl writes carries its result as the cached value (issue 10 item 3), by every route.

A workbook read without recalculation (pandas, Power Query, previews, python_calamine, openpyxl's data_only)
shows the saved results only. After the month-end close of the sample (the demo's run: the fast route, the
openpyxl route with appends, the statement files) no formula is without its value, and each value is the one
LibreOffice computes from the formula.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.cached import fill_results, result_xml
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.records import Customer
from tests.builders import closed_sample, small_book
from tests.calc import assert_formulas_match

_FORMULA_CELL = re.compile(r"<c [^>]*?>(?:(?!</c>).)*?<f[ >/].*?</c>", re.S)


def uncached(path: Path) -> dict[str, int]:
    """Sheet part -> formula cells without a cached value (every sheet of the package)."""
    found: dict[str, int] = {}
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                cells = _FORMULA_CELL.findall(package.read(name).decode("utf-8"))
                missing = sum(1 for c in cells if not re.search(r"<v>[^<]+</v>|t=\"str\"", c))
                if missing:
                    found[name] = missing
    return found


def formula_cells(path: Path) -> dict[str, dict[str, str]]:
    """Sheet -> {cell: formula} of a workbook."""
    book = openpyxl.load_workbook(path)
    try:
        return {sheet.title: {c.coordinate: str(c.value) for row in sheet.iter_rows() for c in row
                              if isinstance(c.value, str) and c.value.startswith("=")}
                for sheet in book.worksheets}
    finally:
        book.close()


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's month-end of July 2025 on the sample (without PDFs and mail): its output folder."""
    out = tmp_path_factory.mktemp("close")
    closed_sample(out)
    return out


def test_no_formula_of_the_close_is_without_its_cached_value(closed: Path) -> None:
    book = closed / "billing.xlsx"
    formulas = formula_cells(book)
    assert sum(len(cells) for cells in formulas.values()) > 600
    assert uncached(book) == {}, "formulas without a cached value"
    statements = sorted((closed / "statements").glob("C*-2025-07.xlsx"))
    assert statements
    for path in statements:
        assert uncached(path) == {}, path.name
    invoices = sorted(closed.rglob("INV-2025-*.xlsx"))
    assert len(invoices) == 69  # the July invoices the close generated, with the template's formulas
    for path in invoices:
        assert uncached(path) == {}, path.name


def test_values_read_without_recalculation(closed: Path) -> None:
    book = closed / "billing.xlsx"
    formulas = formula_cells(book)
    plain = openpyxl.load_workbook(book, data_only=True)
    calamine = CalamineWorkbook.from_path(str(book))
    try:
        for sheet, cells in formulas.items():
            rows = calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            for ref, formula in cells.items():
                value = plain[sheet][ref].value
                if value is None:  # an empty text result (t="str", <v></v>) reads as nothing
                    assert '""' in formula, f"{sheet}!{ref} {formula}"
                    continue
                column, row = openpyxl.utils.cell.coordinate_to_tuple(ref)[::-1]
                assert rows[row - 1][column - 1] == value or (value == "" and rows[row - 1][column - 1] == ""), \
                    f"{sheet}!{ref}"
    finally:
        plain.close()


def test_cached_values_are_what_libreoffice_computes(closed: Path, libreoffice: LibreOffice) -> None:
    book = closed / "billing.xlsx"
    formulas = formula_cells(book)
    plain = openpyxl.load_workbook(book, data_only=True)
    try:
        expected: dict[tuple[str, str], Decimal | str | int] = {}
        for sheet, cells in formulas.items():
            for ref in cells:
                value = plain[sheet][ref].value
                if isinstance(value, bool) or value is None:
                    continue
                expected[(sheet, ref)] = value if isinstance(value, str) else Decimal(repr(value))
    finally:
        plain.close()
    assert len(expected) > 600
    assert_formulas_match(libreoffice, book, expected)


def test_the_openpyxl_route_writes_results_as_numbers_text_and_booleans(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    spec = SheetSpec("Report")
    spec.add(Cell(Decimal("1.5")), Cell(2))
    spec.add(Cell(Decimal("3.5"), "=A1+B1"), Cell("big", '=IF(A1>1,"big","small")'), Cell(True, "=A1>1"),
             Cell(formula="=A1*2"))
    changes = ChangeSet()
    changes.replace_sheet(spec)
    changes.append("Customers", [Customer(customer_id="C009", name="New Client Ltd", customer_type="private")])
    apply_changes(path, changes)  # an append: the openpyxl route
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        sheet = book["Report"]
        assert (sheet["A2"].value, sheet["B2"].value, sheet["C2"].value, sheet["D2"].value) == (3.5, "big", True,
                                                                                                  None)
    finally:
        book.close()
    with zipfile.ZipFile(path) as package:
        assert b'fullCalcOnLoad="1"' in package.read("xl/workbook.xml")  # Excel still recalculates


def test_results_in_xml() -> None:
    assert result_xml(Decimal("-0.50")) == ("", "-0.50")
    assert result_xml(float("nan")) is None
    assert result_xml("a<b") == (' t="str"', "a&lt;b")
    xml = '<row r="1"><c r="A1" s="3"><f>B1+C1</f><v></v></c><c r="B1"><f>1</f><v/></c></row>'
    assert fill_results(xml, {"A1": Decimal(7)}) == \
        '<row r="1"><c r="A1" s="3"><f>B1+C1</f><v>7</v></c><c r="B1"><f>1</f><v/></c></row>'


def test_an_openpyxl_save_keeps_the_results_of_sheets_it_did_not_write(tmp_path: Path) -> None:
    path = small_book(tmp_path / "b.xlsx")
    spec = SheetSpec("Report")
    spec.add(Cell(Decimal("1.5")), Cell(Decimal("2.5")), Cell(Decimal(4), "=A1+B1"), Cell("x", '=IF(A1>1,"x","")'))
    changes = ChangeSet()
    changes.replace_sheet(spec)
    apply_changes(path, changes)  # the fast route
    changes = ChangeSet()
    changes.append("Customers", [Customer(customer_id="C009", name="New Client Ltd", customer_type="private")])
    apply_changes(path, changes)  # openpyxl: the Report sheet is loaded and saved again, not written
    assert uncached(path) == {}
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        assert (book["Report"]["C1"].value, book["Report"]["D1"].value) == (4, "x")
    finally:
        book.close()
