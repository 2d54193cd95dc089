"""The workbook's ``xl/styles.xml`` with the cell formats of generated sheets merged in (the fast route).

A :class:`~arxl.formats.xlsx.looks.Look` becomes a cell format (font, fill, border, number format, alignment);
``xl/styles.xml`` gains the few cell formats a sheet needs; existing style indexes never move, and a format
already present is reused, so running again does not grow the file.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from arxl.formats.xlsx.cells import MAIN, PARSER, attr, q
from arxl.formats.xlsx.looks import BORDER_GREY, Look

_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}


def _key(element: Any) -> tuple[object, ...]:
    """What an element says, independent of attribute order and of how its writer spelled namespaces."""
    tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
    attrs = tuple(sorted((etree.QName(k).localname, v) for k, v in element.attrib.items()))
    return (tag, attrs, tuple(_key(child) for child in element if isinstance(child.tag, str)))


def _element(xml: str) -> Any:
    return etree.fromstring(_with_ns(xml).encode(), PARSER)


def _with_ns(xml: str) -> str:
    """Put the main namespace on the root of a fragment written without one."""
    end = xml.index(">")
    if xml[end - 1] == "/":
        end -= 1
    return f'{xml[:end]} xmlns="{MAIN}"{xml[end:]}'


_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
          "colors", "extLst")


class StyleBook:
    """The workbook's styles.xml with the formats of generated sheets merged in (indexes of others kept)."""

    def __init__(self, xml: bytes | None) -> None:
        self.root = etree.fromstring(xml, PARSER) if xml else self._minimal()
        self._sections: dict[str, Any] = {}
        self._index: dict[str, dict[tuple[object, ...], int]] = {}
        self._looks: dict[Look, int] = {}
        self._formats = {f.get("formatCode", ""): int(f.get("numFmtId", "0"))
                         for f in self.root.iterfind(f"{q('numFmts')}/{q('numFmt')}")}
        self.changed = False
        fonts = self.root.find(q("fonts"))
        base = fonts[0] if fonts is not None and len(fonts) else None
        self._font_name, self._font_size = "Calibri", "11"
        self._font_tail = '<family val="2"/>'
        if base is not None:
            name, size = base.find(q("name")), base.find(q("sz"))
            self._font_name = name.get("val", "Calibri") if name is not None else "Calibri"
            self._font_size = size.get("val", "11") if size is not None else "11"
            family, scheme = base.find(q("family")), base.find(q("scheme"))
            self._font_tail = (f'<family val="{attr(family.get("val", "2"))}"/>' if family is not None else "") + \
                (f'<scheme val="{attr(scheme.get("val", "minor"))}"/>' if scheme is not None else "")

    @staticmethod
    def _minimal() -> Any:
        return etree.fromstring(
            f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
            '<family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
            '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
            'builtinId="0"/></cellStyles></styleSheet>'.encode(), PARSER)

    def _section(self, name: str) -> Any:
        found = self._sections.get(name)
        if found is not None:
            return found
        section = self.root.find(q(name))
        if section is None:
            section = etree.Element(q(name))
            later = [self.root.find(q(n)) for n in _ORDER[_ORDER.index(name) + 1:]]
            following = next((e for e in later if e is not None), None)
            if following is not None:
                following.addprevious(section)
            else:
                self.root.append(section)
        self._sections[name] = section
        return section

    def _add(self, section_name: str, xml: str) -> int:
        """The index of an element in a section, appended when no identical one is there yet."""
        section = self._section(section_name)
        index = self._index.get(section_name)
        if index is None:
            index = {}
            for i, child in enumerate(e for e in section if isinstance(e.tag, str)):
                index.setdefault(_key(child), i)
            self._index[section_name] = index
        element = _element(xml)
        key = _key(element)
        if key in index:
            return index[key]
        position = sum(1 for e in section if isinstance(e.tag, str))
        section.append(element)
        section.set("count", str(position + 1))
        index[key] = position
        self.changed = True
        return position

    def number_format(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if code in self._formats:
            return self._formats[code]
        number = max([163, *self._formats.values()]) + 1
        section = self._section("numFmts")
        element = etree.SubElement(section, q("numFmt"))
        element.set("numFmtId", str(number))
        element.set("formatCode", code)
        section.set("count", str(sum(1 for e in section if isinstance(e.tag, str))))
        self._formats[code] = number
        self.changed = True
        return number

    def xf(self, look: Look) -> int:
        """The cellXfs index of a look (0, the workbook's Normal, for a plain cell)."""
        if look == Look():
            return 0
        found = self._looks.get(look)
        if found is not None:
            return found
        font = self._font(look) if look.bold or look.italic or look.underline or look.size or look.color else 0
        fill = self._add("fills", f'<fill><patternFill patternType="solid"><fgColor rgb="FF{look.fill}"/>'
                                  '<bgColor indexed="64"/></patternFill></fill>') if look.fill else 0
        line = f'style="thin"><color rgb="FF{BORDER_GREY}"/>'
        border = self._add("borders", f"<border><left/><right/><top {line}</top><bottom {line}</bottom><diagonal/>"
                                      "</border>") if look.border else 0
        number = self.number_format(look.number_format) if look.number_format else 0
        attrs = f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
        attrs += ' applyNumberFormat="1"' if number else ""
        attrs += ' applyFont="1"' if font else ""
        attrs += ' applyFill="1"' if fill else ""
        attrs += ' applyBorder="1"' if border else ""
        attrs += ' applyAlignment="1"' if look.wrap or look.align else ""
        attrs += ' quotePrefix="1"' if look.quote else ""
        horizontal = f' horizontal="{look.align}"' if look.align else ""
        inner = (f'<alignment{horizontal} vertical="center" wrapText="1"/>' if look.wrap
                 else f"<alignment{horizontal}/>" if look.align else "")
        index = self._add("cellXfs", f"<xf {attrs}>{inner}</xf>" if inner else f"<xf {attrs}/>")
        self._looks[look] = index
        return index

    def _font(self, look: Look) -> int:
        parts = ["<font>"]
        parts.append("<b/>" if look.bold else "")
        parts.append("<i/>" if look.italic else "")
        parts.append('<u val="single"/>' if look.underline else "")
        size = f"{look.size:g}" if look.size else self._font_size
        parts.append(f'<sz val="{attr(size)}"/>')
        parts.append(f'<color rgb="FF{look.color}"/>' if look.color else "")
        parts.append(f'<name val="{attr(self._font_name)}"/>{self._font_tail}</font>')
        return self._add("fonts", "".join(parts))

    def dxf_fill(self, rgb: str) -> int:
        """A differential format (for conditional formatting) that fills the cell."""
        return self._add("dxfs", f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                                 f'<bgColor rgb="FF{rgb}"/></patternFill></fill></dxf>')

    def to_xml(self) -> bytes:
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True))

