"""The Excel add-in ``arxl.xlam``: built from text sources, installed into Excel's startup folder.

The add-in is the accountant's door into arxl from Excel: an "arxl" ribbon tab whose buttons run the Python
macros of :mod:`arxl.macros` through xlwings' ``RunPython``, and the setting that lets xlwings import the
worksheet functions of :mod:`arxl.udfs`. Its sources are text, in ``workbooks/addin/`` (see the README
there): the ribbon (``customUI.xml``), the VBA callback (``ArxlRibbon.bas``) and the settings of the
add-in's ``xlwings.conf`` sheet (``config.csv``). :func:`build_addin` adds xlwings' own VBA module from the
installed xlwings package and writes the macro-enabled add-in package:

- ``xl/workbook.xml`` (content type ``application/vnd.ms-excel.addin.macroEnabled.main+xml``) with one sheet,
  ``xlwings.conf``, holding the settings;
- ``xl/vbaProject.bin``, the VBA project written from the module sources (:mod:`arxl.excel.vbaproject`);
- ``customUI/customUI.xml``, the ribbon, tied to the package by a ``ui/extensibility`` relationship;
- ``docProps/custom.xml``, the arxl and xlwings versions it was built with (:mod:`arxl.excel.stamp`).

The ribbon is checked against :data:`arxl.macros.BUTTONS` on every build: a button missing on either side,
or a label, group or screentip that differs, stops the build with the list of differences.

Excel runs on Windows and macOS only: :func:`install` refuses elsewhere and says what to do instead.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from arxl.core.errors import ArxlError
from arxl.excel import stamp
from arxl.excel.vbaproject import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    Module,
    class_module,
    document_module,
    standard_module,
    vba_project,
)
from arxl.formats.xlsx.save import atomic_write
from arxl.formats.xlsx.zipcopy import ZipCopier

ADDIN_FILE = "arxl.xlam"
PROJECT_NAME = "arxl"
CALLBACK = "arxl_ribbon"
CONFIG_SHEET = "xlwings.conf"
TAB_LABEL = "arxl"
NO_EXCEL = ("Excel is not available on Linux; copy workbooks/arxl.xlam to a Windows or Mac (build it with "
            "make addin or arxl addin build) and install it there with arxl addin install")

CUSTOM_UI_NAMESPACES = ("http://schemas.microsoft.com/office/2006/01/customui",
                        "http://schemas.microsoft.com/office/2009/07/customui")
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

# The settings xlwings reads from an xlwings.conf sheet (upper-cased), from its "Add-in & Settings" page.
KNOWN_SETTINGS = frozenset({
    "INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH", "UDF MODULES", "CONDA PATH", "CONDA ENV", "DEBUG UDFS",
    "USE UDF SERVER", "SHOW CONSOLE", "ADD_WORKBOOK_TO_PYTHONPATH", "ONEDRIVE_CONSUMER_WIN",
    "ONEDRIVE_CONSUMER_MAC", "ONEDRIVE_COMMERCIAL_WIN", "ONEDRIVE_COMMERCIAL_MAC", "SHAREPOINT_WIN",
    "SHAREPOINT_MAC",
})


@dataclass(frozen=True)
class RibbonButton:
    """A button of the ribbon as ``customUI.xml`` defines it."""

    id: str
    group: str
    label: str
    screentip: str
    on_action: str
    image: str


def source_dir() -> Path:
    """The folder of the add-in's text sources: ``workbooks/addin`` of a checkout, or their installed copy."""
    package = Path(__file__).resolve().parents[1]  # arxl/
    for folder in (package.parent / "workbooks" / "addin", package / "addin_sources"):
        if (folder / "customUI.xml").is_file():
            return folder
    raise ArxlError("the add-in's sources (customUI.xml, ArxlRibbon.bas, config.csv) are not installed with "
                    "arxl; reinstall it from the repository")


# --- the ribbon ---------------------------------------------------------------------------------------------

def ribbon_buttons(custom_ui: bytes) -> list[RibbonButton]:
    """The buttons of a customUI part, in ribbon order (parsed without entities or network access)."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(custom_ui)
    except Exception as exc:  # defusedxml raises its own errors for entities next to ParseError
        raise ArxlError(f"customUI.xml is not well-formed XML: {exc}") from None
    namespace = root.tag.partition("}")[0].lstrip("{")
    if root.tag != f"{{{namespace}}}customUI" or namespace not in CUSTOM_UI_NAMESPACES:
        raise ArxlError("customUI.xml: the root element must be customUI in the Office ribbon namespace")
    buttons: list[RibbonButton] = []
    for tab in root.iter(f"{{{namespace}}}tab"):
        for group in tab.iter(f"{{{namespace}}}group"):
            for button in group.iter(f"{{{namespace}}}button"):
                buttons.append(RibbonButton(
                    id=button.get("id", ""), group=group.get("label", ""), label=button.get("label", ""),
                    screentip=button.get("screentip", ""), on_action=button.get("onAction", ""),
                    image=button.get("imageMso", "") or button.get("image", ""),
                ))
    return buttons


def check_ribbon(custom_ui: bytes, buttons: Mapping[str, tuple[str, str, str]]) -> list[str]:
    """What differs between a customUI part and ``buttons`` (id -> group, label, screentip); empty when none."""
    from defusedxml import ElementTree

    found = ribbon_buttons(custom_ui)  # first: it says what is wrong with a file that is not XML
    problems: list[str] = []
    tabs = [tab.get("label") for tab in ElementTree.fromstring(custom_ui).iter() if tab.tag.endswith("}tab")]
    if tabs != [TAB_LABEL]:
        problems.append(f'the ribbon must have one tab labelled "{TAB_LABEL}", not {tabs}')
    ids = [b.id for b in found]
    for button_id in buttons:
        if button_id not in ids:
            problems.append(f"button {button_id} of arxl.macros.BUTTONS has no button on the ribbon")
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"button {duplicate} is on the ribbon more than once")
    for button in found:
        if button.id not in buttons:
            problems.append(f"button {button.id or '(no id)'} on the ribbon is not in arxl.macros.BUTTONS")
            continue
        group, label, screentip = buttons[button.id]
        for what, expected, actual in (("group", group, button.group), ("label", label, button.label),
                                       ("screentip", screentip, button.screentip)):
            if actual != expected:
                problems.append(f'button {button.id}: {what} is "{actual}", arxl.macros.BUTTONS says "{expected}"')
        if button.on_action != CALLBACK:
            problems.append(f'button {button.id}: onAction is "{button.on_action}", expected "{CALLBACK}"')
        if not button.image:
            problems.append(f"button {button.id} has no icon (imageMso)")
    if not problems and ids != list(buttons):
        problems.append(f"the ribbon's buttons are in another order than arxl.macros.BUTTONS: {ids}")
    return problems


def ribbon_of_macros() -> Mapping[str, tuple[str, str, str]]:
    """:data:`arxl.macros.BUTTONS`, the ribbon's single source of truth (button id -> group, label, screentip)."""
    # Imported by name: the package is installed from macros/, a folder mypy cannot see as arxl.macros.
    buttons: Mapping[str, tuple[str, str, str]] = importlib.import_module("arxl.macros").BUTTONS
    return buttons


def vba_subs(source: str) -> set[str]:
    """The names of the ribbon callbacks (``Sub name(control As IRibbonControl)``) defined in VBA source."""
    pattern = r"^[ \t]*(?:Public[ \t]+)?Sub[ \t]+(\w+)[ \t]*\([ \t]*(?:ByRef[ \t]+|ByVal[ \t]+)?\w+[ \t]+As[ \t]+" \
              r"(?:Office\.)?IRibbonControl[ \t]*\)"
    return set(re.findall(pattern, source, flags=re.IGNORECASE | re.MULTILINE))


# --- the settings sheet -------------------------------------------------------------------------------------

def read_settings(path: Path) -> list[tuple[str, str]]:
    """The ``setting,value`` rows of ``config.csv``, in order; unknown settings are refused."""
    rows: list[tuple[str, str]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != ["setting", "value"]:
            raise ArxlError(f"{path.name}: the first row must be setting,value")
        for number, row in enumerate(reader, start=2):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) != 2:
                raise ArxlError(f"{path.name}, row {number}: expected a setting and a value, found {len(row)} cells")
            key, value = row[0].strip(), row[1].strip()
            if key.upper() not in KNOWN_SETTINGS:
                raise ArxlError(f'{path.name}, row {number}: "{key}" is not an xlwings setting')
            rows.append((key, value))
    return rows


def merged_settings(rows: list[tuple[str, str]], overrides: Mapping[str, str]) -> list[tuple[str, str]]:
    """``rows`` with ``overrides`` applied (by upper-cased name) and the empty ones left out.

    An empty row would hide the user's own xlwings settings: xlwings takes a setting from the first place
    that has it, and the add-in's sheet comes before the user's config file.

    >>> merged_settings([("UDF Modules", "arxl.udfs"), ("Interpreter_Mac", ""), ("Interpreter_Win", "")],
    ...                 {"interpreter_mac": "/usr/local/bin/python3"})
    [('UDF Modules', 'arxl.udfs'), ('Interpreter_Mac', '/usr/local/bin/python3')]
    """
    upper = {key.upper(): value for key, value in overrides.items()}
    for key in upper:
        if key not in KNOWN_SETTINGS:
            raise ArxlError(f'"{key}" is not an xlwings setting')
    merged: list[tuple[str, str]] = []
    for key, value in rows:
        merged.append((key, upper.pop(key.upper(), value)))
    merged += list(upper.items())
    return [(key, value) for key, value in merged if value]


def this_python() -> dict[str, str]:
    """The setting that points the add-in at the Python running arxl now (the one xlwings' own install writes)."""
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    return {key: sys.executable}


# --- the VBA project ----------------------------------------------------------------------------------------

def xlwings_modules() -> list[Module]:
    """xlwings' standalone VBA module and the Dictionary class it needs on macOS, from the installed package.

    The module reads its settings from a sheet named ``PROJECT_NAME & ".conf"``; it ships as ``"myaddin"``
    (its custom add-in template) and is set to ``"xlwings"`` here so the sheet is ``xlwings.conf``.
    """
    import xlwings

    package = Path(xlwings.__file__).resolve().parent
    module_file, dictionary_file = package / "xlwings_custom_addin.bas", package / "addin" / "Dictionary.cls"
    for file in (module_file, dictionary_file):
        if not file.is_file():
            raise ArxlError(f"xlwings {xlwings.__version__} has no {file.name}: install an xlwings that ships it "
                            "(0.31 or later)")
    text = module_file.read_text(encoding="cp1252")
    constant = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"]*"', flags=re.MULTILINE)
    if not constant.search(text):
        raise ArxlError(f"xlwings {xlwings.__version__}: its VBA module no longer sets PROJECT_NAME; arxl.excel.addin "
                        "needs updating for it")
    text = constant.sub(r'\1"xlwings"', text, count=1)
    return [standard_module(text), class_module(dictionary_file.read_text(encoding="cp1252"))]


def addin_modules(sources: Path) -> list[Module]:
    """Every module of the add-in's VBA project: the document modules, xlwings', then the sources' ``.bas``."""
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE), document_module("Sheet1", WORKSHEET_BASE)]
    modules += xlwings_modules()
    for path in sorted(sources.glob("*.bas")):
        modules.append(standard_module(path.read_text(encoding="utf-8")))
    return modules


# --- the package --------------------------------------------------------------------------------------------

def build_addin(out: Path, settings: Mapping[str, str] | None = None, sources: Path | None = None) -> Path:
    """Write the add-in to ``out`` (replacing it whole) and return its path.

    ``settings`` fill in or override ``config.csv`` (e.g. ``{"Interpreter_Win": r"C:\\Python312\\python.exe"}``).
    """
    sources = sources or source_dir()
    custom_ui = (sources / "customUI.xml").read_bytes()
    try:
        problems = check_ribbon(custom_ui, ribbon_of_macros())
        modules = addin_modules(sources)
        project = vba_project(modules, name=PROJECT_NAME)
    except ValueError as exc:
        raise ArxlError(f"{sources}: {exc}") from None
    callbacks = {button.on_action for button in ribbon_buttons(custom_ui)}
    defined = set[str]().union(*(vba_subs(m.source) for m in modules))
    problems += [f"onAction {name} has no Sub {name}(control As IRibbonControl) in the VBA modules"
                 for name in sorted(callbacks - defined)]
    if problems:
        raise ArxlError(f"{sources / 'customUI.xml'} does not agree with arxl.macros.BUTTONS:\n  "
                        + "\n  ".join(problems))
    rows = merged_settings(read_settings(sources / "config.csv"), settings or {})
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _relationships([
            ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument", "xl/workbook.xml"),
            (UI_RELATIONSHIP, "customUI/customUI.xml"),
            ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
             "docProps/core.xml"),
            ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
             "docProps/app.xml"),
            (stamp.RELATIONSHIP, stamp.PART),
        ]),
        "docProps/core.xml": _CORE.encode(),
        "docProps/app.xml": _APP.encode(),
        stamp.PART: stamp.custom_properties(stamp.build_stamp()),  # what arxl addin doctor compares
        "xl/workbook.xml": _WORKBOOK.format(sheet=escape(CONFIG_SHEET, {'"': "&quot;"})).encode(),
        "xl/_rels/workbook.xml.rels": _relationships([
            ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet", "worksheets/sheet1.xml"),
            ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles", "styles.xml"),
            (VBA_RELATIONSHIP, "vbaProject.bin"),
        ]),
        "xl/worksheets/sheet1.xml": _settings_sheet(rows),
        "xl/styles.xml": _STYLES.encode(),
        "xl/vbaProject.bin": project,
        "customUI/customUI.xml": custom_ui,
    }
    _write_zip(out, parts)
    return out


def _write_zip(out: Path, parts: Mapping[str, bytes]) -> None:
    """Write the package next to ``out`` and move it into place, so a failed build leaves the old add-in."""
    out.parent.mkdir(parents=True, exist_ok=True)

    def write(temp: Path) -> None:
        with open(temp, "wb") as handle:
            package = ZipCopier(handle, out.name, date_time=(1980, 1, 1, 0, 0, 0))  # same sources, same bytes
            for name, data in parts.items():
                package.add(name, data)
            package.close()

    try:
        atomic_write(out, write, backup=False, mode=0o644)  # an add-in is an ordinary document
    except PermissionError:
        raise ArxlError(f"{out} cannot be replaced: close it in Excel (or quit Excel) and try again") from None


def _content_types() -> bytes:
    overrides = [
        ("/xl/workbook.xml", ADDIN_CONTENT_TYPE),
        ("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
        ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"),
        ("/xl/vbaProject.bin", VBA_CONTENT_TYPE),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
        (f"/{stamp.PART}", stamp.CONTENT_TYPE),
    ]
    lines = [_XML, '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
             '<Default Extension="xml" ContentType="application/xml"/>']
    lines += [f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides]
    return "".join([*lines, "</Types>"]).encode()


def _relationships(targets: list[tuple[str, str]]) -> bytes:
    lines = [_XML, '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    lines += [f'<Relationship Id="rId{n}" Type="{kind}" Target="{target}"/>'
              for n, (kind, target) in enumerate(targets, start=1)]
    return "".join([*lines, "</Relationships>"]).encode()


def _settings_sheet(rows: list[tuple[str, str]]) -> bytes:
    """The xlwings.conf sheet: setting names from A1 down, values beside them (xlwings reads A1 to the first gap)."""
    cells = []
    for number, (key, value) in enumerate(rows, start=1):
        cells.append(f'<row r="{number}">{_text_cell(f"A{number}", key)}{_text_cell(f"B{number}", value)}</row>')
    dimension = f"A1:B{len(rows)}" if rows else "A1"
    return (_XML + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheetPr codeName="Sheet1"/><dimension ref="{dimension}"/>'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            '<cols><col min="1" max="1" width="30" customWidth="1"/><col min="2" max="2" width="70" customWidth="1"/>'
            f'</cols><sheetData>{"".join(cells)}</sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
            ).encode()


def _text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_WORKBOOK = (_XML + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<workbookPr codeName="ThisWorkbook"/><bookViews><workbookView/></bookViews>'
             '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')
_STYLES = (_XML + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_CORE = (_XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>arxl</dc:title>'
         '<dc:description>Accounts receivable in Excel: the arxl ribbon and worksheet functions</dc:description>'
         '<dc:creator>arxl</dc:creator></cp:coreProperties>')
_APP = (_XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        '<Application>Microsoft Excel</Application></Properties>')


# --- install ------------------------------------------------------------------------------------------------

def install(addin: Path | None = None) -> Path:
    """Install the add-in into Excel's startup folder (XLSTART) and return where it went.

    Without ``addin``, one is built for the Python running now. The copy is made by xlwings' own
    ``xlwings addin install --file``, which also opens it in a running Excel on Windows and, on macOS,
    installs the AppleScript that ``RunPython`` needs there.
    """
    _require_excel()
    with tempfile.TemporaryDirectory(prefix="arxl-addin-") as folder:
        staged = Path(folder) / ADDIN_FILE
        if addin is None:
            build_addin(staged, settings=this_python())
        elif addin.is_file():
            shutil.copyfile(addin, staged)
        else:
            raise ArxlError(f"{addin}: no such add-in file")
        target_dir = _excel_startup_folder()
        if target_dir is None:  # Excel could not be asked: copy into the usual folder as xlwings would
            target_dir = default_xlstart()
            target_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged, target_dir / ADDIN_FILE)
            log = _quietly(_xlwings_cli("runpython_install"), None) if sys.platform == "darwin" else ""
        else:
            log = _quietly(_xlwings_cli("addin_install"), argparse.Namespace(file=str(staged), dir=None, glob=False))
        target = target_dir / ADDIN_FILE
        if not target.is_file() or target.read_bytes() != staged.read_bytes():
            raise ArxlError(f"could not copy {ADDIN_FILE} to {target_dir}: quit Excel and try again"
                            + (f" ({log})" if log else ""))
        return target


def uninstall() -> Path:
    """Remove the add-in from Excel's startup folder (closing it in a running Excel); return where it was."""
    _require_excel()
    target_dir = _excel_startup_folder()
    target = (target_dir or default_xlstart()) / ADDIN_FILE
    if not target.exists():
        raise ArxlError(f"{ADDIN_FILE} is not installed (not in {target.parent})")
    if target_dir is None:
        target.unlink()
        log = ""
    else:
        log = _quietly(_xlwings_cli("addin_remove"), argparse.Namespace(file=ADDIN_FILE, dir=None, glob=False))
    if target.exists():
        raise ArxlError(f"could not remove {target}: quit Excel and try again" + (f" ({log})" if log else ""))
    return target


def default_xlstart(platform: str | None = None, home: Path | None = None,
                    environ: Mapping[str, str] | None = None) -> Path:
    """The user's XLSTART folder where Excel is installed in the usual place (when Excel cannot be asked).

    >>> default_xlstart("darwin", Path("/Users/ines")).relative_to("/Users/ines/Library/Containers").as_posix()
    'com.microsoft.Excel/Data/Library/Application Support/Microsoft/Office/16.0/Excel/XLSTART'
    >>> default_xlstart("win32", environ={"APPDATA": "C:/Users/ines/AppData/Roaming"}).as_posix()
    'C:/Users/ines/AppData/Roaming/Microsoft/Excel/XLSTART'
    """
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    if platform.startswith("win"):
        appdata = environ.get("APPDATA") or str((home or Path.home()) / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return ((home or Path.home()) / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "Library"
                / "Application Support" / "Microsoft" / "Office" / "16.0" / "Excel" / "XLSTART")
    raise ArxlError(NO_EXCEL)


def _require_excel() -> None:
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        raise ArxlError(NO_EXCEL)


def _excel_startup_folder() -> Path | None:
    """Excel's own startup folder, asked through xlwings (which starts Excel hidden if it is not running)."""
    try:
        return Path(str(_xlwings_cli("get_addin_dir")()))
    except Exception:  # Excel is not installed, or cannot be automated from here
        return None


def _xlwings_cli(name: str) -> Callable[..., object]:
    from xlwings import cli

    command: Callable[..., object] = getattr(cli, name)
    return command


def _quietly(command: Callable[..., object], args: argparse.Namespace | None) -> str:
    """Run an xlwings CLI command, keeping what it prints (it reports its errors by printing them)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        command(args)
    lines: Iterator[str] = (line.strip() for line in printed.getvalue().splitlines())
    return " ".join(line for line in lines if line and not line.startswith("Successfully"))
