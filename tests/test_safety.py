"""Hostile workbooks are refused by limits, with a one-line reason, before any library parses them.

Every file in the shared xlsx-wild folder (Apache POI's hostile and unusual spreadsheets) either passes and
is described, or is refused for the right cause; plus bombs and fakes built here (the folder must not change).
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from arxl.core.errors import BadWorkbook
from arxl.formats.xlsx.limits import Limits
from arxl.formats.xlsx.safety import PackageInfo, inspect_xlsx
from tests.conftest import TESTDATA

WILD = TESTDATA / "xlsx-wild"
SECONDS = 5.0


def _sheets(*names: str) -> Callable[[PackageInfo], None]:
    def check(info: PackageInfo) -> None:
        assert info.sheet_names == names

    return check


def _passes(info: PackageInfo) -> None:
    assert info.sheet_names


def _ten_long_sheet_names(info: PackageInfo) -> None:
    assert len(info.sheet_names) == 10
    assert info.sheet_names[4] == "Member Option Fixed-Rate Advanc"  # cut at Excel's 31 characters


def _date1904(info: PackageInfo) -> None:
    assert info.date1904


def _macros(info: PackageInfo) -> None:
    assert info.has_macros


def _one_table(info: PackageInfo) -> None:
    assert info.table_parts == ("xl/tables/table1.xml",)


# Refused files: words the reason must contain. Passing files: a check of what inspect_xlsx describes.
EXPECTED: dict[str, tuple[str, ...] | Callable[[PackageInfo], None]] = {
    "48539.xlsx": _sheets("Instance1", "Instance2", "Sheet3"),
    "49609.xlsx": ("backslashes",),
    "54764.xlsx": ("DTD", "entity bomb"),
    "56278.xlsx": _ten_long_sheet_names,
    "58896.xlsx": _sheets("Sheet0"),
    "59746_NoRowNums.xlsx": _sheets("Features"),
    "DataValidations-49244.xlsx": _sheets("Sheet1"),
    "DateFormatTests.xlsx": _date1904,
    "InlineStrings.xlsx": _sheets("Sheet1", "Sheet2", "Sheet3"),
    "SimpleMacro.xlsm": _macros,
    "clusterfuzz-testcase-minimized-POIFuzzer-5040805309710336.xlsx": ("not an Excel workbook", "Word"),
    "clusterfuzz-testcase-minimized-POIXSSFFuzzer-4828727001088000.xlsx": (
        "not a valid .xlsx",
        "damaged ZIP",
    ),
    "clusterfuzz-testcase-minimized-POIXSSFFuzzer-5937385319563264.xlsx": (
        "damaged",
        "sheet8.xml",
        "checksum",
    ),
    "clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx": (
        "not a valid .xlsx",
        "damaged ZIP",
    ),
    "duplicate-filename.xlsx": ("duplicate", "xl/worksheets/sheet1.xml"),
    "poc-shared-strings.xlsx": ("shared string", "32,767"),
    "poc-xmlbomb-empty.xlsx": ("DTD", "xl/sharedStrings.xml"),
    "poc-xmlbomb.xlsx": ("DTD", "xl/sharedStrings.xml"),
    "protected_passtika.xlsx": ("encrypted", "unprotected .xlsx"),
    "sample.strict.xlsx": ("Strict Open XML is not supported",),
    "table-sample.xlsx": _one_table,
    "testSharedFormulasRangeSetBlankBug.xlsx": _sheets("Sheet1"),
    "unicodeSheetName.xlsx": _sheets("Sheet・1"),
    "xlsx-corrupted.xlsx": ("damaged", "_rels/.rels", "not valid XML"),
    # Its XML map names a remote schema; nothing here fetches schemas, and the package itself is sound.
    "xxe_in_schema.xlsx": _one_table,
}


def _timed_inspect(path: Path, limits: Limits | None = None) -> PackageInfo | BadWorkbook:
    started = time.perf_counter()
    try:
        result: PackageInfo | BadWorkbook = (
            inspect_xlsx(path) if limits is None else inspect_xlsx(path, limits)
        )
    except BadWorkbook as refusal:
        result = refusal
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS, f"{path.name} took {elapsed:.2f} s"
    return result


def _refusal(path: Path, limits: Limits | None = None) -> str:
    result = _timed_inspect(path, limits)
    assert isinstance(result, BadWorkbook), f"{path.name} should be refused, got {result}"
    message = str(result)
    assert "\n" not in message
    assert message.startswith(f"[{path.name}]: ")
    return message


def test_every_wild_file_has_an_expectation() -> None:
    found = sorted(path.name for path in WILD.glob("*.xls*"))
    assert found == sorted(EXPECTED), (
        "a file was added to or removed from xlsx-wild: state what it should give"
    )


@pytest.mark.parametrize("path", sorted(WILD.glob("*.xls*")), ids=lambda path: path.name)
def test_wild_file_passes_or_is_refused_for_the_right_cause(path: Path) -> None:
    expected = EXPECTED[path.name]
    if isinstance(expected, tuple):
        message = _refusal(path)
        for word in expected:
            assert word in message, f"{message!r} should mention {word!r}"
    else:
        result = _timed_inspect(path)
        assert isinstance(result, PackageInfo), f"{path.name} should pass, got: {result}"
        _passes(result)
        expected(result)


# -- hand-built files ----------------------------------------------------------------------------------------


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _shared_strings(*items: str) -> bytes:
    """A shared-strings part; each item is the inside of one ``<si>`` (plain ``<t>`` or rich ``<r>`` runs)."""
    body = "".join(f"<si>{item}</si>" for item in items)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{body}</sst>'.encode()


def _workbook(path: Path, strings: bytes = _shared_strings("<t>Invoice INV-0007</t>")) -> Path:
    """The smallest package Excel opens: one sheet "Invoices" whose A1 is shared string 0 and B1 a number."""
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{TYPES}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET_CT}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        '<sheets><sheet name="Invoices" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        '<c r="A1" t="s"><v>0</v></c><c r="B1"><v>1180000</v></c></row></sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
        package.writestr("xl/sharedStrings.xml", strings)
    return path


def _rebuild(
    source: Path, target: Path, replace: dict[str, bytes], extra: tuple[tuple[str, bytes], ...] = ()
) -> Path:
    """Copy a package, replacing some parts' bytes and appending entries (which may repeat a name)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            new.writestr(entry.filename, replace.get(entry.filename, old.read(entry.filename)))
        for name, data in extra:
            new.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def test_a_plain_workbook_passes(tmp_path: Path) -> None:
    info = inspect_xlsx(_workbook(tmp_path / "billing.xlsx"))
    assert info == PackageInfo(sheet_names=("Invoices",), date1904=False, has_macros=False, table_parts=())


def test_deflate_bomb_is_refused_without_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(bomb, "w") as package:
        entry = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        entry.compress_type = zipfile.ZIP_DEFLATED
        with package.open(entry, "w", force_zip64=True) as stream:
            for _ in range(500):
                stream.write(zeros)
        package.writestr("xl/workbook.xml", b"<workbook/>")
    assert bomb.stat().st_size < 1024 * 1024
    started = time.perf_counter()
    message = _refusal(bomb)
    assert time.perf_counter() - started < 0.5  # unpacking 500 MB would take seconds
    assert "ZIP bomb" in message and "xl/worksheets/sheet1.xml" in message and "ratio" in message


def test_too_much_unpacked_data_in_total_is_refused(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "source.xlsx")
    many = tuple((f"xl/media/image{n}.bin", os.urandom(4096)) for n in range(10))
    path = _rebuild(source, tmp_path / "big.xlsx", {}, many)
    message = _refusal(path, Limits(max_unpacked_bytes=32 * 1024, max_unpacked_hard=32 * 1024))
    assert "ZIP bomb" in message and "unpacks to" in message


def test_more_than_the_limit_is_read_when_packed_like_sheets_not_like_a_bomb(tmp_path: Path) -> None:
    """Above max_unpacked_bytes a package is read up to max_unpacked_hard when its whole is packed no tighter
    than max_total_ratio (sheet XML packs about ten to one; arxl's own million-row sheet is ~850 MB)."""
    source = _workbook(tmp_path / "source.xlsx")
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n * 7919 % 104_729) for n in range(9000))
    path = _rebuild(source, tmp_path / "sheets.xlsx", {}, (("xl/media/rows.xml", rows),))
    inspect_xlsx(path, Limits(max_unpacked_bytes=32 * 1024))  # about 6:1 overall: read
    tight = _rebuild(source, tmp_path / "tight.xlsx", {}, (("xl/media/rows.xml", b"<row/>" * 60_000),))
    message = _refusal(tight, Limits(max_unpacked_bytes=32 * 1024))  # hundreds to one: refused
    assert "ZIP bomb" in message and "unpacks to" in message and "25:1" in message


def test_sizes_that_lie_are_caught_by_the_checksum(tmp_path: Path) -> None:
    """A directory declaring a small size to slip under the ratio limit: reading stops at that size."""
    source = _workbook(tmp_path / "source.xlsx")
    big = b"<worksheet>" + bytes(50 * 1024 * 1024) + b"</worksheet>"
    path = _rebuild(source, tmp_path / "liar.xlsx", {"xl/worksheets/sheet1.xml": big})
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    local = data.index(name) - 30
    central = data.index(b"PK\x01\x02", local)
    central = data.index(name, central) - 46
    assert data[local : local + 4] == b"PK\x03\x04" and data[central : central + 4] == b"PK\x01\x02"
    data[local + 22 : local + 26] = (4096).to_bytes(4, "little")
    data[central + 24 : central + 28] = (4096).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    message = _refusal(path)
    assert "damaged" in message and "xl/worksheets/sheet1.xml" in message


def test_a_renamed_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "statement.xlsx"
    path.write_text("date;amount\n2024-03-01;1180000\n", encoding="utf-8")
    assert "not a ZIP package" in _refusal(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.touch()
    assert "empty" in _refusal(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "file not found" in _refusal(tmp_path / "nowhere.xlsx")


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "billing.xlsx")
    assert "refused" in _refusal(path, Limits(max_file_bytes=1024))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../../evil.xml", "outside the package"),
        ("/xl/evil.xml", "absolute path"),
        ("C:/evil.xml", "absolute path"),
        ("xl\\evil.xml", "backslashes"),
        ("XL/Workbook.xml", "differ only in case"),
    ],
)
def test_unsafe_or_ambiguous_entry_names_are_refused(tmp_path: Path, name: str, words: str) -> None:
    source = _workbook(tmp_path / "source.xlsx")
    path = _rebuild(source, tmp_path / "names.xlsx", {}, ((name, b"<x/>"),))
    assert words in _refusal(path)


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "billing.xlsx")
    assert "ZIP entries" in _refusal(path, Limits(max_entries=3))


def test_a_dtd_in_any_part_is_refused(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "source.xlsx")
    hostile = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<cp:coreProperties xmlns:cp="urn:x"><cp:keywords>&e;</cp:keywords></cp:coreProperties>'
    )
    path = _rebuild(source, tmp_path / "xxe.xlsx", {}, (("docProps/core.xml", hostile),))
    message = _refusal(path)
    assert "DTD" in message and "docProps/core.xml" in message


def test_shared_strings_up_to_excels_cell_limit_pass_and_longer_is_refused(tmp_path: Path) -> None:
    at_limit = _workbook(tmp_path / "ok.xlsx", _shared_strings("<t>A</t>", f"<t>{'x' * 32_767}</t>"))
    assert inspect_xlsx(at_limit).sheet_names == ("Invoices",)
    over = _workbook(tmp_path / "over.xlsx", _shared_strings("<t>A</t>", f"<t>{'x' * 32_768}</t>"))
    message = _refusal(over)
    assert "shared string 2" in message and "32,767" in message


def test_rich_text_runs_add_up_to_one_string_and_phonetic_guides_do_not(tmp_path: Path) -> None:
    runs = f'<r><t>{"y" * 20_000}</t></r><r><t>{"z" * 12_767}</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh>'
    assert inspect_xlsx(_workbook(tmp_path / "at-limit.xlsx", _shared_strings(runs)))
    runs = f"<r><t>{'y' * 20_000}</t></r><r><t>{'z' * 12_768}</t></r>"
    assert "shared string 1" in _refusal(_workbook(tmp_path / "rich.xlsx", _shared_strings(runs)))


def test_shared_strings_are_checked_even_when_no_relationship_points_at_them(tmp_path: Path) -> None:
    """calamine reads xl/sharedStrings.xml by name, whatever the relationships say."""
    source = _workbook(tmp_path / "source.xlsx", _shared_strings(f"<t>{'x' * 40_000}</t>"))
    with zipfile.ZipFile(source) as package:
        rels = package.read("xl/_rels/workbook.xml.rels")
    unlinked = rels.replace(b"/sharedStrings", b"/somethingElse")
    path = _rebuild(source, tmp_path / "unlinked.xlsx", {"xl/_rels/workbook.xml.rels": unlinked})
    assert "shared string 1" in _refusal(path)


def test_a_word_document_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
    assert "Word document" in _refusal(path)
