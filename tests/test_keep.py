"""Nothing of the accountant's is lost when the file host rewrites the workbook: their logo and chart survive
an append, and a text box openpyxl cannot keep stops the save with the workbook untouched."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from PIL import Image as PILImage

from arxl.cli import main
from arxl.formats.xlsx.apply import WouldLose, apply_changes
from arxl.formats.xlsx.keep import inventory
from arxl.formats.xlsx.save import backup_path
from arxl.ledger.changes import ChangeSet
from arxl.ledger.records import Invoice
from tests.builders import small_book

_TEXT_BOX = (  # in the drawing's default namespace, as openpyxl writes the drawing it is added to
    '<twoCellAnchor><from><col>6</col><colOff>0</colOff><row>1</row><rowOff>0</rowOff></from>'
    '<to><col>9</col><colOff>0</colOff><row>5</row><rowOff>0</rowOff></to><sp macro="" textlink="">'
    '<nvSpPr><cNvPr id="9" name="TextBox 1"/><cNvSpPr txBox="1"/></nvSpPr>'
    '<spPr><a:xfrm xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:off x="0" y="0"/>'
    '<a:ext cx="1800000" cy="700000"/></a:xfrm></spPr>'
    '<txBody><a:bodyPr xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"/>'
    '<a:p xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:r><a:t>Approved rates: see the '
    'contract file</a:t></a:r></a:p></txBody></sp><clientData/></twoCellAnchor>'
)


def _logo() -> Image:
    png = io.BytesIO()
    PILImage.new("RGB", (120, 40), (31, 78, 120)).save(png, format="PNG")
    png.seek(0)
    return Image(png)


def _dressed_book(path: Path) -> Path:
    """The small billing workbook with a logo on Settings and the accountant's own chart sheet."""
    small_book(path)
    book = load_workbook(path)
    book["Settings"].add_image(_logo(), "E2")
    own = book.create_sheet("My dashboard")
    for row in (("Month", "Billed"), ("May", 100), ("June", 120), ("July", 90)):
        own.append(row)
    chart = BarChart()
    chart.add_data(Reference(own, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    own.add_chart(chart, "D2")
    book.save(path)
    return path


def _with_text_box(path: Path) -> None:
    """Add a text box to the drawing of the Settings sheet, as Excel writes one (openpyxl cannot read it)."""
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    drawing = next(name for name in parts if name.startswith("xl/drawings/drawing") and name.endswith(".xml")
                   and b"<pic>" in parts[name])
    parts[drawing] = parts[drawing].replace(b"</wsDr>", _TEXT_BOX.encode() + b"</wsDr>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _append_one(path: Path) -> None:
    changes = ChangeSet()
    changes.append("Invoices", [Invoice(invoice_no="INV-2025-00003", invoice_date=dt.date(2025, 7, 1),
                                        due_date=dt.date(2025, 7, 31), customer_id="C001", currency="RWF",
                                        net_amount=D(100000), vat_amount=D(18000), total_amount=D(118000))])
    apply_changes(path, changes)


def test_a_logo_and_an_own_chart_survive_an_append(tmp_path: Path) -> None:
    path = _dressed_book(tmp_path / "billing.xlsx")
    before = inventory(path)
    assert before[("Settings", "picture")] == 1 and before[("My dashboard", "chart")] == 1
    _append_one(path)
    after = inventory(path)
    assert after[("Settings", "picture")] == 1
    assert after[("My dashboard", "chart")] == 1
    book = load_workbook(path)
    assert book["Invoices"]["A4"].value == "INV-2025-00003"


def test_a_text_box_stops_the_save_and_the_workbook_is_untouched(tmp_path: Path) -> None:
    path = _dressed_book(tmp_path / "billing.xlsx")
    _with_text_box(path)
    assert inventory(path)[("Settings", "drawn shape")] == 1
    original = path.read_bytes()
    with pytest.raises(WouldLose) as caught:
        _append_one(path)
    message = str(caught.value)
    assert message.startswith("[billing.xlsx]")
    assert '1 drawn shape on sheet "Settings"' in message
    assert "picture" not in message and "chart" not in message  # openpyxl keeps those
    assert path.read_bytes() == original
    assert not backup_path(path).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["billing.xlsx"]  # no temporary file left behind


def test_the_command_line_says_what_would_be_lost_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    from arxl.sample import write_sample

    path, _ = write_sample(tmp_path / "billing.xlsx")
    book = load_workbook(path)
    book["Settings"].add_image(_logo(), "E2")
    book.save(path)
    _with_text_box(path)
    original = path.read_bytes()
    assert main(["invoices", "generate", str(path), "--period", "2025-07"]) == 2
    err = capsys.readouterr().err
    assert '1 drawn shape on sheet "Settings"' in " ".join(err.split())
    assert path.read_bytes() == original


def test_rules_joined_by_openpyxl_are_not_counted_as_lost(tmp_path: Path) -> None:
    """arxl's fast route writes one conditional format per rule; openpyxl joins rules on the same range into
    one. The rules are all still there, so the save goes ahead."""
    from arxl.ledger.changes import Cell, ConditionalFill, SheetSpec

    path = small_book(tmp_path / "billing.xlsx")
    spec = SheetSpec("Aging", rows=[[Cell("Days")], [Cell(10)], [Cell(45)], [Cell(100)]])
    spec.conditional.extend([ConditionalFill("A2:A4", "A2>30", "FCE4D6"), ConditionalFill("A2:A4", "A2>90", "F8CBAD")])
    generated = ChangeSet()
    generated.replace_sheet(spec)
    apply_changes(path, generated)  # the fast route: two <conditionalFormatting> elements
    assert inventory(path)[("Aging", "conditional format rule")] == 2
    _append_one(path)  # through openpyxl, which writes one element holding both rules
    assert inventory(path)[("Aging", "conditional format rule")] == 2
    with zipfile.ZipFile(path) as package:
        sheets = [package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    assert [xml.count(b"<conditionalFormatting ") for xml in sheets if b"A2&gt;90" in xml or b"A2>90" in xml] == [1]


def test_the_accountants_defined_names_are_counted_and_excels_own_are_not(tmp_path: Path) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    path = small_book(tmp_path / "billing.xlsx")
    book = load_workbook(path)
    book.defined_names["ApprovedRates"] = DefinedName("ApprovedRates", attr_text="Settings!$B$2:$B$5")
    book.save(path)
    with zipfile.ZipFile(path) as package:  # a filter name Excel left behind, which openpyxl does not keep
        parts = {name: package.read(name) for name in package.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</definedNames>",
        b'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Settings!$A$1:$C$9</definedName>'
        b"</definedNames>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    before = inventory(path)[("", "defined name")]
    _append_one(path)  # saved: the stale filter name is Excel's, not the accountant's
    assert inventory(path)[("", "defined name")] == before
    assert "ApprovedRates" in load_workbook(path).defined_names
