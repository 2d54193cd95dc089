"""What a save through openpyxl would drop from the accountant's workbook, found before the file is replaced.

The file host appends rows and updates cells with openpyxl, which reads and rewrites the whole package. It
keeps tables, formulas, styles, comments, data validation, conditional formats, hyperlinks, defined names,
charts, and pictures (with Pillow), but not everything Excel can hold: text boxes and shapes, form controls,
slicers, sparklines, threaded comments, the newer (x14) validation and formatting rules. Rather than trust a
list, :func:`inventory` counts what each sheet holds in the package before the save and in the file written,
and :func:`losses` says what went missing from a sheet arxl did not mean to replace. The save is then
refused, the workbook left as it was (see :func:`arxl.formats.xlsx.apply.apply_changes`).

>>> losses({("Settings", "picture"): 1}, {}, replaced=set())
['1 picture on sheet "Settings"']
>>> losses({("Aging", "chart"): 2}, {}, replaced={"Aging"})
[]
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import Counter
from pathlib import Path

from defusedxml import ElementTree

__all__ = ["Inventory", "inventory", "losses"]

Inventory = Counter[tuple[str, str]]
"""(sheet name, or "" for the workbook) and a kind of thing -> how many the package holds."""

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# What a relationship of a sheet or drawing points at, by the last word of its type, and what to call it.
_SHEET_PARTS = {"threadedComment": "threaded comment thread", "pivotTable": "pivot table",
                "ctrlProp": "form control", "table": "Excel Table"}
_DRAWING_PARTS = {"chart": "chart", "image": "picture", "chartEx": "chart"}
# Counted in the XML itself.
_IN_SHEET = {
    b"<dataValidation ": "data validation rule",
    b"<x14:dataValidation ": "Excel 2010 data validation rule",
    b"<cfRule ": "conditional format rule",  # rules, not ranges: openpyxl joins the ranges of one rule
    b"<x14:cfRule ": "Excel 2010 conditional format rule",
    b"<x14:sparklineGroup ": "sparkline group",
    b"<hyperlink ": "hyperlink",
    b"<mergeCell ": "merged range",
}
_SHAPE = re.compile(rb"<(?:[A-Za-z0-9]+:)?(?:sp|grpSp|cxnSp)[ >]")
# A defined name of the accountant's; Excel's own (_xlnm.Print_Area, _xlnm._FilterDatabase) follow the sheet's
# print settings and filters, which openpyxl writes back its own way.
_OWN_NAME = re.compile(rb'<(?:[A-Za-z0-9]+:)?definedName\b[^>]*\bname="(?!_xlnm\.)')
_CONTROL = re.compile(rb'ObjectType="(?!Note")')  # a VML shape that is not a comment's note
_WORKBOOK_PARTS = {"xl/vbaProject.bin": "VBA project", "xl/externalLinks/": "external link",
                   "xl/slicerCaches/": "slicer", "xl/timelineCaches/": "timeline", "customXml/item": "custom XML part"}


def inventory(path: Path | str) -> Inventory:
    """What the package at ``path`` holds, sheet by sheet, of the things a rewrite could drop."""
    found: Inventory = Counter()
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        for name in names:
            for prefix, kind in _WORKBOOK_PARTS.items():
                if name.startswith(prefix) and not name.endswith(".rels"):
                    found[("", kind)] += 1
        workbook = package.read("xl/workbook.xml")
        found[("", "defined name")] += len(_OWN_NAME.findall(workbook))
        targets = _relations(package, "xl/workbook.xml", names)
        root = ElementTree.fromstring(workbook)
        for sheet in root.iter(f"{_MAIN}sheet"):
            part = targets.get(sheet.get(_REL, ""), ("", ""))[1]
            if part in names:
                _count_sheet(package, names, str(sheet.get("name", "")), part, found)
    return +found  # zero counts dropped


def _count_sheet(package: zipfile.ZipFile, names: set[str], sheet: str, part: str, found: Inventory) -> None:
    xml = package.read(part)
    for marker, kind in _IN_SHEET.items():
        found[(sheet, kind)] += xml.count(marker)
    for kind_of_rel, target in _relations(package, part, names).values():
        if kind_of_rel in _SHEET_PARTS:
            found[(sheet, _SHEET_PARTS[kind_of_rel])] += 1
        elif kind_of_rel == "comments" and target in names:
            found[(sheet, "comment")] += package.read(target).count(b"<comment ")
        elif kind_of_rel == "drawing" and target in names:
            drawing = package.read(target)
            found[(sheet, "drawn shape")] += len(_SHAPE.findall(drawing))  # text boxes, arrows, ...
            for inner, _ in _relations(package, target, names).values():
                if inner in _DRAWING_PARTS:
                    found[(sheet, _DRAWING_PARTS[inner])] += 1
        elif kind_of_rel == "vmlDrawing" and target in names:
            found[(sheet, "form control")] += len(_CONTROL.findall(package.read(target)))


def _relations(package: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (the last word of the type, the target part's name)."""
    folder, file = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", file + ".rels")
    if rels not in names:
        return {}
    result: dict[str, tuple[str, str]] = {}
    for rel in ElementTree.fromstring(package.read(rels)).iter(_PACKAGE_REL):
        target = str(rel.get("Target", ""))
        if rel.get("TargetMode") == "External":
            resolved = target
        elif target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        result[str(rel.get("Id", ""))] = (str(rel.get("Type", "")).rsplit("/", 1)[-1], resolved)
    return result


def losses(before: Inventory, after: Inventory, replaced: set[str]) -> list[str]:
    """What ``after`` holds less of than ``before``, in words, leaving out the sheets arxl replaced."""
    replaced_keys = {name.casefold() for name in replaced}
    said: list[str] = []
    for (sheet, kind), count in sorted(before.items()):
        if sheet.casefold() in replaced_keys:
            continue
        missing = count - after.get((sheet, kind), 0)
        if missing > 0:
            where = f'on sheet "{sheet}"' if sheet else "in the workbook"
            said.append(f"{missing} {kind}{'' if missing == 1 else 's'} {where}")
    return said
