"""The Excel add-in, read back by readers that share no code with arxl's writer.

The built ``arxl.xlam`` is opened as a zip and its XML parts parsed with defusedxml; its VBA is read by
oletools' olevba (and, where LibreOffice is installed, by LibreOffice's own VBA import); openpyxl loads it as
a workbook; the VBA project's compound file is read by olefile; its compression and obfuscation are checked
against the examples of [MS-OVBA] itself.
"""

from __future__ import annotations

import ast
import gc
import io
import re
import shutil
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import olefile
import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

import arxl.excel.addin as addin
import arxl.macros
import arxl.udfs
from arxl.cli import main
from arxl.core.errors import ArxlError
from arxl.excel.addin import build_addin, source_dir
from arxl.excel.compoundfile import compound_file
from arxl.excel.vbaproject import compress, vba_project
from arxl.macros import BUTTONS

ROOT = Path(__file__).resolve().parents[1]
WINDOWS_PYTHON = r"C:\Users\ines\AppData\Local\Programs\Python\Python312\python.exe"
CUSTOM_UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
UI_EXTENSIBILITY = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "arxl.xlam", settings={"Interpreter_Win": WINDOWS_PYTHON})


@pytest.fixture(scope="module")
def vba(built: Path) -> dict[str, str]:
    """Module file name (``ArxlRibbon.bas``, ``Dictionary.cls``...) -> source, as olevba extracts it."""
    parser = VBA_Parser(str(built))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def relationships(path: Path, name: str) -> dict[str, str]:
    """Relationship type -> target of a .rels part."""
    root = ElementTree.fromstring(part(path, name))
    return {r.get("Type"): r.get("Target") for r in root.iter(f"{PACKAGE_RELS}Relationship")}


def ribbon(path: Path) -> list[dict[str, str]]:
    """Every button of the built add-in's customUI part, with the label of its group."""
    target = relationships(path, "_rels/.rels")[UI_EXTENSIBILITY]
    root = ElementTree.fromstring(part(path, target))
    return [{**button.attrib, "group": group.get("label", "")}
            for group in root.iter(f"{CUSTOM_UI}group") for button in group.iter(f"{CUSTOM_UI}button")]


def as_macro_workbook(path: Path) -> bytes:
    """The same package typed as a macro-enabled workbook (.xlsm): openpyxl and LibreOffice know no add-in
    content type (they refuse xlwings' own .xlam files too), but read everything else of the package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                assert data.count(b"ms-excel.addin.macroEnabled") == 1
                data = data.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
            target.writestr(name, data)
    return buffer.getvalue()


def config_sheet(path: Path) -> dict[str, str]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(as_macro_workbook(path)))
    assert book.sheetnames == ["xlwings.conf"]
    return {str(row[0]): str(row[1]) for row in book["xlwings.conf"].iter_rows(values_only=True)}


# --- the package --------------------------------------------------------------------------------------------

def test_content_types_make_it_a_macro_enabled_addin(built: Path) -> None:
    root = ElementTree.fromstring(part(built, "[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in root.iter(f"{CONTENT_TYPES}Override")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    defaults = {d.get("Extension"): d.get("ContentType") for d in root.iter(f"{CONTENT_TYPES}Default")}
    assert defaults["xml"] == "application/xml"  # customUI.xml, as Office itself types it


def test_relationships_reach_the_workbook_the_ribbon_and_the_vba(built: Path) -> None:
    package = relationships(built, "_rels/.rels")
    assert package[UI_EXTENSIBILITY] == "customUI/customUI.xml"
    assert package["http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"] \
        == "xl/workbook.xml"
    workbook = relationships(built, "xl/_rels/workbook.xml.rels")
    assert workbook["http://schemas.microsoft.com/office/2006/relationships/vbaProject"] == "vbaProject.bin"
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        assert archive.testzip() is None
    assert {f"xl/{target}" for target in workbook.values()} | set(package.values()) <= names


# openpyxl leaves the archive it keeps for keep_vba on a closed file, and ZipFile complains when it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_openpyxl_loads_it_with_its_vba_and_the_settings_sheet(built: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(as_macro_workbook(built)), keep_vba=True)
    assert book.sheetnames == ["xlwings.conf"]
    settings = {row[0]: row[1] for row in book["xlwings.conf"].iter_rows(values_only=True)}
    assert settings["UDF Modules"] == "arxl.udfs"
    assert settings["Interpreter_Win"] == WINDOWS_PYTHON
    assert all(value for value in settings.values()), "an empty setting would hide the user's own"
    assert book.vba_archive is not None and "xl/vbaProject.bin" in book.vba_archive.namelist()
    del book
    gc.collect()


def test_settings_left_empty_are_not_written(tmp_path: Path) -> None:
    keys = list(config_sheet(build_addin(tmp_path / "arxl.xlam")))
    assert "UDF Modules" in keys
    assert not any(key.upper().startswith("INTERPRETER") for key in keys)


def test_the_same_sources_build_the_same_bytes(built: Path, tmp_path: Path) -> None:
    again = build_addin(tmp_path / "arxl.xlam", settings={"Interpreter_Win": WINDOWS_PYTHON})
    assert again.read_bytes() == built.read_bytes()


# --- the ribbon and the VBA ---------------------------------------------------------------------------------

def test_every_button_of_the_macros_is_on_the_ribbon_and_nothing_else(built: Path) -> None:
    buttons = ribbon(built)
    assert [b["id"] for b in buttons] == list(BUTTONS)
    for button in buttons:
        group, label, screentip = BUTTONS[button["id"]]
        assert (button["group"], button["label"], button["screentip"]) == (group, label, screentip)
        assert button["onAction"] == "arxl_ribbon"
        assert button.get("imageMso")
    root = ElementTree.fromstring(part(built, "customUI/customUI.xml"))
    assert [tab.get("label") for tab in root.iter(f"{CUSTOM_UI}tab")] == ["arxl"]
    assert [g.get("label") for g in root.iter(f"{CUSTOM_UI}group")] == ["Billing", "Cash", "Receivables", "Ledger",
                                                                        "Close"]


def test_every_callback_of_the_ribbon_is_a_sub_in_the_vba(built: Path, vba: dict[str, str]) -> None:
    code = "\n".join(vba.values())
    for callback in {button["onAction"] for button in ribbon(built)}:
        assert re.search(rf"^\s*(Public\s+)?Sub\s+{callback}\s*\(\s*control\s+As\s+IRibbonControl\s*\)", code,
                         flags=re.IGNORECASE | re.MULTILINE), f"no Sub {callback}(control As IRibbonControl)"


def test_the_callback_runs_the_buttons_macro_through_runpython(vba: dict[str, str]) -> None:
    callback = vba["ArxlRibbon.bas"]
    body = callback[callback.index("Sub arxl_ribbon"):callback.index("End Sub")]
    assert """RunPython "import arxl.macros as m; m.run('" & control.Id & "')\"""" in body


def test_xlwings_runpython_is_in_the_addin_and_reads_the_xlwings_conf_sheet(vba: dict[str, str]) -> None:
    assert set(vba) == {"ThisWorkbook.cls", "Sheet1.cls", "xlwings.bas", "Dictionary.cls", "ArxlRibbon.bas"}
    xlwings_module = vba["xlwings.bas"]
    assert re.search(r"^Public Function RunPython\(PythonCommand As String\)", xlwings_module, flags=re.MULTILINE)
    assert 'Public Const PROJECT_NAME As String = "xlwings"' in xlwings_module  # -> the sheet xlwings.conf
    assert "Sub ImportPythonUDFsToAddin()" in xlwings_module
    assert "BSD 3-clause license" in xlwings_module  # its licence travels with it


def test_modules_are_stored_as_xlwings_own_addin_stores_them(vba: dict[str, str]) -> None:
    """The Dictionary class and the document modules come out exactly as in xlwings' shipped ribbon add-in."""
    import xlwings

    template = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    parser = VBA_Parser(str(template))
    try:
        theirs = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    # The VBA editor re-cases identifiers when it saves (err.Raise for Err.Raise), and VBA ignores case.
    assert vba["Dictionary.cls"].lower() == theirs["Dictionary.cls"].lower()
    assert vba["ThisWorkbook.cls"] == theirs["ThisWorkbook.cls"]
    assert vba["Sheet1.cls"] == theirs["Sheet2.cls"].replace("Sheet2", "Sheet1")


def test_the_vba_project_is_a_compound_file_olefile_reads(built: Path) -> None:
    ole = olefile.OleFileIO(part(built, "xl/vbaProject.bin"), raise_defects=olefile.DEFECT_INCORRECT)
    streams = {"/".join(path) for path in ole.listdir()}
    assert streams == {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir", "VBA/ThisWorkbook", "VBA/Sheet1",
                       "VBA/xlwings", "VBA/Dictionary", "VBA/ArxlRibbon"}
    # Version 0xFFFF and no performance cache: Excel compiles the source itself ([MS-OVBA] 2.3.4.1).
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="arxl"' in project and "Module=ArxlRibbon" in project and "Class=Dictionary" in project
    ole.close()


@pytest.mark.libreoffice
def test_libreoffice_imports_the_vba_project(built: Path, tmp_path: Path, libreoffice: Any) -> None:
    """LibreOffice's own [MS-OVBA] reader, through a conversion to ODS, which keeps VBA as Basic modules."""
    workbook = tmp_path / "arxl.xlsm"
    workbook.write_bytes(as_macro_workbook(built))
    [ods] = libreoffice.convert([workbook], tmp_path / "ods", "ods")
    with zipfile.ZipFile(ods) as package:
        names = set(package.namelist())
        ribbon_module = package.read("Basic/arxl/ArxlRibbon.xml").decode()
        dictionary = package.read("Basic/arxl/Dictionary.xml").decode()
    assert {f"Basic/arxl/{m}.xml" for m in ("ThisWorkbook", "Sheet1", "xlwings", "Dictionary", "ArxlRibbon")} <= names
    assert "Sub arxl_ribbon(control As IRibbonControl)" in ribbon_module
    assert 'script:moduleType="class"' in dictionary


# --- the build refuses a ribbon that disagrees with arxl.macros ---------------------------------------------

def sources_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "sources"
    shutil.copytree(source_dir(), folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_a_button_missing_from_the_ribbon_stops_the_build(tmp_path: Path) -> None:
    folder = sources_with(tmp_path, "customUI.xml", 'id="refresh_aging"', 'id="refresh_ageing"')
    with pytest.raises(ArxlError) as refused:
        build_addin(tmp_path / "arxl.xlam", sources=folder)
    assert "refresh_aging of arxl.macros.BUTTONS has no button" in str(refused.value)
    assert "refresh_ageing on the ribbon is not in arxl.macros.BUTTONS" in str(refused.value)
    assert not (tmp_path / "arxl.xlam").exists()


def test_a_label_that_differs_from_the_macros_stops_the_build(tmp_path: Path) -> None:
    folder = sources_with(tmp_path, "customUI.xml", 'label="Refresh aging"', 'label="Refresh"')
    expected = 'refresh_aging: label is "Refresh", arxl.macros.BUTTONS says "Refresh aging"'
    with pytest.raises(ArxlError, match=re.escape(expected)):
        build_addin(tmp_path / "arxl.xlam", sources=folder)


def test_a_callback_without_its_sub_stops_the_build(tmp_path: Path) -> None:
    folder = sources_with(tmp_path, "ArxlRibbon.bas", "Sub arxl_ribbon(", "Sub arxl_button(")
    with pytest.raises(ArxlError, match=r"onAction arxl_ribbon has no Sub arxl_ribbon\(control As IRibbonControl\)"):
        build_addin(tmp_path / "arxl.xlam", sources=folder)


def test_an_unknown_setting_stops_the_build(tmp_path: Path) -> None:
    folder = sources_with(tmp_path, "config.csv", "UDF Modules", "UDF Module")
    with pytest.raises(ArxlError, match='"UDF Module" is not an xlwings setting'):
        build_addin(tmp_path / "arxl.xlam", sources=folder)


# --- every button has its macro -----------------------------------------------------------------------------

@pytest.mark.parametrize("button_id", list(BUTTONS))
def test_every_button_has_a_macro(button_id: str) -> None:
    assert callable(getattr(arxl.macros, "run", None))
    assert callable(getattr(arxl.macros, button_id, None))


# --- the worksheet functions are ready for Import Functions -------------------------------------------------

def xw_funcs() -> dict[str, ast.FunctionDef]:
    """The functions decorated with ``@xw.func`` in udfs/ (on Linux the decorator leaves no trace to import)."""
    found: dict[str, ast.FunctionDef] = {}
    for path in sorted((ROOT / "udfs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                ast.unparse(d.func if isinstance(d, ast.Call) else d) == "xw.func" for d in node.decorator_list
            ):
                found[node.name] = node
    return found


def test_every_worksheet_function_is_exported_and_explained_for_the_function_wizard() -> None:
    functions = xw_funcs()
    assert functions, "no @xw.func found in udfs/"
    assert set(functions) == set(arxl.udfs.__all__)
    for name in arxl.udfs.__all__:
        function = getattr(arxl.udfs, name)
        assert callable(function)
        doc = " ".join((function.__doc__ or "").split())
        assert doc, f"{name} has no docstring for the function wizard"
        assert len(doc) <= 255, f"{name}: Excel's function wizard keeps 255 characters of {len(doc)}"


def test_every_argument_of_a_worksheet_function_is_described() -> None:
    for name, node in xw_funcs().items():
        described = {
            decorator.args[0].value
            for decorator in node.decorator_list
            if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "xw.arg"
            and any(k.arg == "doc" for k in decorator.keywords) and isinstance(decorator.args[0], ast.Constant)
        }
        arguments = {a.arg for a in node.args.args} - {"caller"}
        assert arguments <= described, f"{name}: no description for {sorted(arguments - described)}"


# --- the writer's parts, against the specifications' own examples -------------------------------------------

def test_compression_matches_the_normal_example_of_ms_ovba() -> None:
    text = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    assert compress(text).hex(" ").upper() == (
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F 70 06 71 "
        "02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=9000))
def test_olevba_decompresses_what_arxl_compresses(data: bytes) -> None:
    back = bytes(decompress_stream(bytearray(compress(data))))
    # A raw chunk is always 4096 bytes ([MS-OVBA] 2.4.1.3.10): a short incompressible tail comes back padded.
    assert back[:len(data)] == data
    assert len(back) - len(data) < 4096 and not back[len(data):].strip(b"\x00")


VBA_WORDS = ["Sub ", "End Sub", "\r\n", "    ", "Dim total As Long", "' a comment", "RunPython \"", "x", "=", "1"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(VBA_WORDS), max_size=3000).map(lambda words: "".join(words).encode()))
def test_source_code_comes_back_exactly(data: bytes) -> None:
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


def test_boundary_sizes_compress_and_decompress() -> None:
    for size in (0, 1, 2, 3, 4095, 4096, 4097, 8192, 8193):
        data = (b"Attribute VB_Name = \"x\"\r\n" * 400)[:size]
        assert bytes(decompress_stream(bytearray(compress(data)))) == data


def decrypt(project_id: str, encrypted: bytes) -> bytes:
    """[MS-OVBA] 2.4.3.3, written from the specification for this test (arxl has only the encryption)."""
    seed, version_enc, key_enc = encrypted[:3]
    assert seed ^ version_enc == 2
    key = seed ^ key_enc
    assert key == sum(project_id.encode("ascii")) & 0xFF
    unencrypted_1, encrypted_1, encrypted_2 = key, key_enc, version_enc
    plain = []
    for byte in encrypted[3:]:
        decrypted = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(decrypted)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte, decrypted
    rest = bytes(plain[(seed & 6) // 2:])
    (length,) = struct.unpack("<I", rest[:4])
    assert len(rest) == 4 + length
    return rest[4:]


def test_project_protection_is_off_as_the_spec_example_and_xlwings_write_it(built: Path) -> None:
    spec_id = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"  # [MS-OVBA] 3.1.6
    assert decrypt(spec_id, bytes.fromhex("0705D8E3D8EDDBF1DBF1DBF1DBF1")) == b"\x00\x00\x00\x00"
    assert decrypt(spec_id, bytes.fromhex("0E0CD1ECDFF4E7F5E7F5E7")) == b"\x00"
    assert decrypt(spec_id, bytes.fromhex("1517CAF1D6F9D7F9D706")) == b"\xff"
    ole = olefile.OleFileIO(part(built, "xl/vbaProject.bin"))
    project = dict(line.split("=", 1) for line in ole.openstream("PROJECT").read().decode("cp1252").splitlines()
                   if "=" in line and not line.startswith("&H"))
    ole.close()
    project_id = project["ID"].strip('"')
    assert decrypt(project_id, bytes.fromhex(project["CMG"].strip('"'))) == b"\x00\x00\x00\x00"  # not protected
    assert decrypt(project_id, bytes.fromhex(project["DPB"].strip('"'))) == b"\x00"  # no password
    assert decrypt(project_id, bytes.fromhex(project["GC"].strip('"'))) == b"\xff"  # visible


def red_black_ok(data: bytes) -> None:
    """Every storage's children form a red-black tree ordered as [MS-CFB] 2.6.4 says."""
    directory_start = struct.unpack_from("<I", data, 48)[0]
    fat = struct.unpack_from("<109I", data, 76)
    fat_table: list[int] = []
    for sector in fat:
        if sector < 0xFFFFFFFA:
            fat_table += struct.unpack_from("<128I", data, 512 + sector * 512)
    entries, sector = [], directory_start
    while sector < 0xFFFFFFFA:
        block = data[512 + sector * 512: 1024 + sector * 512]
        entries += [block[i:i + 128] for i in range(0, 512, 128)]
        sector = fat_table[sector]

    def field(index: int) -> tuple[str, int, int, int, int, int]:
        entry = entries[index]
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(length - 2, 0)].decode("utf-16-le")
        kind, color = entry[66], entry[67]
        left, right, child = struct.unpack_from("<III", entry, 68)
        return name, kind, color, left, right, child

    def check(node: int, low: tuple[int, str] | None, high: tuple[int, str] | None, parent_red: bool) -> int:
        if node == 0xFFFFFFFF:
            return 1
        name, _, color, left, right, _ = field(node)
        key = (len(name), name.upper())
        assert (low is None or low < key) and (high is None or key < high), f"{name} is out of order"
        red = color == 0
        assert not (red and parent_red), f"{name}: a red node under a red node"
        blacks = check(left, low, key, red)
        assert blacks == check(right, key, high, red), f"{name}: unequal black heights"
        return blacks + (0 if red else 1)

    for index in range(len(entries)):
        _, kind, _, _, _, child = field(index)
        if kind in (1, 5):
            check(child, None, None, False)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 40])
def test_compound_file_directory_is_a_red_black_tree(count: int) -> None:
    streams = {("VBA", f"Module{n:02d}" + "x" * (n % 5)): bytes([n]) * (n * 300) for n in range(count)}
    streams[("PROJECT",)] = b"ID"
    data = compound_file(streams)
    red_black_ok(data)
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    for path, content in streams.items():
        assert ole.openstream("/".join(path)).read() == content
    ole.close()


def test_the_vba_project_of_the_addin_is_a_red_black_tree(built: Path) -> None:
    red_black_ok(part(built, "xl/vbaProject.bin"))


def test_module_names_that_vba_would_refuse_are_refused() -> None:
    from arxl.excel.vbaproject import Module

    with pytest.raises(ValueError, match="not a valid VBA name"):
        vba_project([Module("1st module", "standard", 'Attribute VB_Name = "1st module"\r\n')])


# --- the command line ---------------------------------------------------------------------------------------

def test_arxl_addin_build_writes_the_addin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "arxl.xlam"
    assert main(["addin", "build", "-o", str(out), "--interpreter-mac", "/usr/local/bin/python3"]) == 0
    assert zipfile.is_zipfile(out)
    assert "wrote" in capsys.readouterr().out


@pytest.mark.skipif(sys.platform.startswith("win") or sys.platform == "darwin", reason="Excel is there")
@pytest.mark.parametrize("command", [["addin", "install"], ["addin", "uninstall"]])
def test_install_says_excel_is_not_on_linux(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(command) == 2
    message = capsys.readouterr().err
    assert "Excel is not available on Linux; copy workbooks/arxl.xlam to a Windows or Mac" in " ".join(message.split())


class FakeXlwingsCli:
    """xlwings.cli as ``arxl addin install`` uses it, with Excel's startup folder in a temporary folder."""

    def __init__(self, startup: Path) -> None:
        self.startup = startup
        self.calls: list[tuple[str, str, bool]] = []

    def get_addin_dir(self) -> str:
        return str(self.startup)

    def addin_install(self, args: Any) -> None:
        self.calls.append(("install", args.file, args.glob))
        shutil.copyfile(args.file, self.startup / Path(args.file).name)
        print("Successfully installed the xlwings add-in! Please restart Excel.")

    def addin_remove(self, args: Any) -> None:
        self.calls.append(("remove", args.file, args.glob))
        (self.startup / args.file).unlink()


def test_install_builds_for_this_python_and_hands_the_file_to_xlwings(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeXlwingsCli(tmp_path)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(addin, "_xlwings_cli", lambda name: getattr(fake, name))
    target = addin.install()
    assert target == tmp_path / "arxl.xlam"
    assert fake.calls[0][0] == "install" and fake.calls[0][1].endswith("arxl.xlam") and fake.calls[0][2] is False
    assert config_sheet(target)["Interpreter_Win"] == sys.executable
    assert addin.uninstall() == target and not target.exists()
    with pytest.raises(ArxlError, match="is not installed"):
        addin.uninstall()


def test_install_without_excel_to_ask_copies_into_the_usual_folder(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def no_excel(name: str) -> Any:
        raise RuntimeError("Excel cannot be automated")

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setattr(addin, "_xlwings_cli", no_excel)
    target = addin.install(build_addin(tmp_path / "prebuilt.xlam"))
    assert target == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "arxl.xlam"
    assert target.read_bytes() == (tmp_path / "prebuilt.xlam").read_bytes()
