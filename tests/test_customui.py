"""The ribbon (workbooks/addin/customUI.xml) validated before Office ever sees it.

Office shows no ribbon at all, and says nothing unless "Show add-in user interface errors" is on, when the
customUI part breaks one rule of its schema. Microsoft's own customUI.xsd could not be used: no copy was found
under a licence that allows shipping it (the copies in public repositories, e.g. those of Office Custom UI Editor
forks, carry "Copyright (c) Microsoft Corporation. All rights reserved." and no grant; no PyPI or npm package ships
it). So the part is validated, with lxml's XMLSchema, against tests/customui-subset.xsd: arxl's own schema of the
subset of the language it uses, written from the rules of [MS-CUSTOMUI] (Custom UI XML Markup Specification,
Microsoft Open Specifications) and listed at its top; the rules a schema cannot say are checked here: exactly one
of id / idMso / idQ and at most one image attribute per control, every onAction a Sub of ArxlRibbon.bas, every
button with a built-in icon. Each rule is also shown to catch its mistake.

What is not checked: that an imageMso name is one of Office's icons (Microsoft publishes that list only as a
download of the Office Fluent UI command identifiers; an unknown name shows a button without an icon, it does not
break the ribbon).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from arxl.excel.addin import source_dir, vba_subs

SCHEMA = Path(__file__).with_name("customui-subset.xsd")
NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
CONTROLS = ("button", "separator", "group", "tab", "dialogBoxLauncher")


def problems(xml: bytes) -> list[str]:
    """Every rule the part breaks: the schema's errors, then the rules beyond a schema."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA), parser))
    root = etree.fromstring(xml, parser)
    found = [f"line {e.line}: {e.message}" for e in schema.error_log] if not schema.validate(root) else []
    for element in root.iter(*(f"{NS}{name}" for name in CONTROLS)):
        name = etree.QName(element).localname
        if name == "dialogBoxLauncher":
            continue
        ids = [a for a in ("id", "idMso", "idQ") if element.get(a) is not None]
        if len(ids) != 1:
            found.append(f"line {element.sourceline}: {name} must have exactly one of id, idMso, idQ, not {ids}")
        images = [a for a in ("image", "imageMso", "getImage") if element.get(a) is not None]
        if len(images) > 1:
            found.append(f"line {element.sourceline}: {name} has more than one image attribute: {images}")
        if name == "button" and not images:
            found.append(f"line {element.sourceline}: button {element.get('id')} has no icon")
    return found


def callbacks(xml: bytes) -> set[str]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    return {value for element in root.iter() for attribute, value in element.attrib.items()
            if re.fullmatch(r"on[A-Z]\w*|get[A-Z]\w*|loadImage", attribute)}


def test_the_ribbon_is_valid() -> None:
    xml = (source_dir() / "customUI.xml").read_bytes()
    assert problems(xml) == []


def test_every_callback_of_the_ribbon_is_a_sub_of_the_vba_callback_module() -> None:
    sources = source_dir()
    xml = (sources / "customUI.xml").read_bytes()
    defined = vba_subs((sources / "ArxlRibbon.bas").read_text(encoding="utf-8"))
    assert callbacks(xml) == {"arxl_ribbon"} <= defined


def mutated(old: str, new: str) -> bytes:
    text = (source_dir() / "customUI.xml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(("old", "new", "message"), [
    # libxml2 says the same of a second use of an ID as of an id that is no NCName
    ('id="review_billing"', 'id="validate_workbook"', "'validate_workbook' is not a valid value of the atomic type"),
    ('id="review_billing"', 'id="1st_review"', "'1st_review' is not a valid value of the atomic type"),
    ('label="Review billing"', 'label="' + "x" * 1025 + '"', "length"),
    ('label="Review billing"', 'label=""', "length"),
    ('size="large" imageMso="ReviewTrackChanges"', 'size="huge" imageMso="ReviewTrackChanges"', "enumeration"),
    ('onAction="arxl_ribbon"/>', 'onClick="arxl_ribbon"/>', "The attribute 'onClick' is not allowed"),
    ('<tab id="arxl" label="arxl">', '<tab id="arxl" label="arxl"><button id="stray" imageMso="Help"/>',
     "This element is not expected"),
    ('<group id="arxl_cash" label="Cash">',
     '<group id="arxl_cash" label="Cash"><dialogBoxLauncher><button id="more" imageMso="Help"/></dialogBoxLauncher>',
     "This element is not expected"),
    ('imageMso="DataValidation"', 'imageMso="Data Validation"',
     "'Data Validation' is not a valid value of the atomic type"),
    ('imageMso="DataValidation"', 'imageMso="DataValidation" image="logo.png"', "more than one image attribute"),
    ('id="review_billing"', 'id="review_billing" idMso="FileSave"', "exactly one of id, idMso, idQ"),
    ('imageMso="DataValidation"', "", "has no icon"),
])
def test_each_rule_catches_its_mistake(old: str, new: str, message: str) -> None:
    found = problems(mutated(old, new))
    assert any(message in problem for problem in found), found


def test_a_group_holds_at_most_1000_controls() -> None:
    many = "".join(f'<button id="b{n}" imageMso="Help"/>' for n in range(1001))
    found = problems(mutated('<group id="arxl_cash" label="Cash">', f'<group id="arxl_cash" label="Cash">{many}'))
    assert any("This element is not expected" in problem for problem in found), found
    fits = "".join(f'<button id="b{n}" imageMso="Help"/>' for n in range(998))  # with Cash's own two: 1000
    assert problems(mutated('<group id="arxl_cash" label="Cash">', f'<group id="arxl_cash" label="Cash">{fits}')) == []
