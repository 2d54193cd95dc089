"""A VBA project (``vbaProject.bin``) written from module source text, as [MS-OVBA] describes it.

An Office VBA project is a compound file (see :mod:`arxl.excel.compoundfile`) holding:

- ``PROJECT``: a text stream naming the modules, the project's id and its (here: absent) protection;
- ``PROJECTwm``: the module names again, in the code page and in UTF-16;
- ``VBA/dir``: the binary description of the project (code page, references, modules), compressed;
- ``VBA/_VBA_PROJECT``: seven bytes whose version 0xFFFF tells Office that there is no compiled cache, so it
  compiles the modules from their source when it opens the file ([MS-OVBA] 1.6, 2.3.4.1);
- ``VBA/<module>``: each module's source, compressed with the VBA run-length/LZ77 scheme (2.4.1).

Nothing here is compiled: Excel reads the source and compiles it on the user's machine, for its own version
and bitness, which is also what the add-ins shipped inside the xlwings package do.

The compressor gives, byte for byte, the "normal compression example" of [MS-OVBA] 3.2.2:

>>> compressed = compress(b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa").hex(" ").upper()
>>> compressed == ("01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D "
...                "6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C")
True
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from arxl.excel.compoundfile import compound_file

CODE_PAGE = 1252
ENCODING = "cp1252"
CHUNK = 4096

ModuleKind = Literal["document", "standard", "class"]

# The Base attribute of each kind of class-like module: a workbook, a worksheet, a class ([MS-OVBA] 2.3.4.3).
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


@dataclass(frozen=True)
class Reference:
    """A type library the project refers to, by name and libid (``*\\G{guid}#version#lcid#path#description``)."""

    name: str
    libid: str


# The two references Excel gives every new VBA project; Office's holds IRibbonControl for ribbon callbacks.
# VBA finds a registered library by its GUID and version; the path is only a hint (also on a Mac).
STDOLE = Reference("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
                             "#OLE Automation")
OFFICE = Reference("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
                             r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library")


@dataclass(frozen=True)
class Module:
    """A module as it is stored: its name, its kind, and its full source including the ``Attribute`` lines."""

    name: str
    kind: ModuleKind
    source: str


def standard_module(text: str) -> Module:
    """A standard module from the text of a ``.bas`` file (its first line is ``Attribute VB_Name = "..."``)."""
    lines = _lines(text)
    return Module(_vb_name(lines, ".bas file"), "standard", _join(lines))


def class_module(text: str) -> Module:
    """A class module from the text of a ``.cls`` file, given the attributes VBA stores with a class.

    The ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` header of the exported file is not part of the module.
    """
    lines = _lines(text)
    if lines and lines[0].upper().startswith("VERSION"):
        end = next((i for i, line in enumerate(lines) if line.strip().upper() == "END"), None)
        if end is None:
            raise ValueError("the .cls file has a BEGIN without END")
        lines = lines[end + 1:]
    name = _vb_name(lines, ".cls file")
    attributes, body = _split_attributes(lines)
    given = {a.split("=")[0].strip().removeprefix("Attribute ").strip(): a for a in attributes}
    order = ["VB_Name", "VB_Base", "VB_GlobalNameSpace", "VB_Creatable", "VB_PredeclaredId", "VB_Exposed",
             "VB_TemplateDerived", "VB_Customizable"]
    defaults = {"VB_Base": f'"{CLASS_BASE}"', "VB_GlobalNameSpace": "False", "VB_Creatable": "False",
                "VB_PredeclaredId": "False", "VB_Exposed": "False", "VB_TemplateDerived": "False",
                "VB_Customizable": "False"}
    head = [given.pop(key, f"Attribute {key} = {defaults.get(key, '')}") for key in order]
    return Module(name, "class", _join(head + list(given.values()) + body))


def document_module(name: str, base: str) -> Module:
    """The (empty) code module behind the workbook or one of its sheets; ``name`` is its code name."""
    lines = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{base}"', "Attribute VB_GlobalNameSpace = False",
             "Attribute VB_Creatable = False", "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
             "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return Module(name, "document", _join(lines))


def vba_project(modules: Sequence[Module], name: str = "VBAProject",
                references: Sequence[Reference] = (STDOLE, OFFICE)) -> bytes:
    """The bytes of a ``vbaProject.bin`` holding ``modules``; deterministic for the same input."""
    names = [m.name.upper() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("two modules have the same name")
    for module in modules:
        _check_identifier(module.name)
    _check_identifier(name)
    fingerprint = hashlib.sha256(repr((name, modules, references)).encode()).digest()
    project_id = "{" + str(uuid.UUID(bytes=fingerprint[:16])).upper() + "}"

    streams: dict[tuple[str, ...], bytes] = {
        ("PROJECT",): _project_stream(modules, name, project_id, seeds=fingerprint[16:19]),
        ("PROJECTwm",): _project_wm(modules),
        ("VBA", "_VBA_PROJECT"): struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001),
        ("VBA", "dir"): compress(_dir_stream(modules, name, references)),
    }
    for module in modules:
        streams[("VBA", module.name)] = compress(_encode(module.source, module.name))
    return compound_file(streams)


# --- [MS-OVBA] 2.4.1: compression ---------------------------------------------------------------------------

def compress(data: bytes) -> bytes:
    """Compress ``data`` into a CompressedContainer ([MS-OVBA] 2.4.1.3.6), as every module and ``dir`` is stored.

    Each 4096-byte chunk is written as literals and copy tokens (offset, length) back into the same chunk; a
    chunk that would not shrink is stored raw.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        tokens = _compress_chunk(chunk)
        if len(tokens) <= CHUNK:
            out += struct.pack("<H", (len(tokens) + 2 - 3) | 0b0011 << 12 | 1 << 15) + tokens
        else:  # a raw chunk is always 4096 bytes; a short last one is padded ([MS-OVBA] 2.4.1.3.10)
            out += struct.pack("<H", (CHUNK + 2 - 3) | 0b0011 << 12) + chunk.ljust(CHUNK, b"\x00")
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    earlier: dict[bytes, list[int]] = {}  # the positions before ``position`` of each 3-byte sequence
    indexed = position = 0
    while position < len(chunk):
        flags_at = len(out)
        out.append(0)
        for bit in range(8):
            if position >= len(chunk):
                break
            for i in range(indexed, position):
                earlier.setdefault(chunk[i:i + 3], []).append(i)
            indexed = position
            offset, length = _longest_match(chunk, position, earlier.get(chunk[position:position + 3], []))
            if length >= 3:
                bit_count = max((position - 1).bit_length(), 4)
                out += struct.pack("<H", (offset - 1) << (16 - bit_count) | (length - 3))
                out[flags_at] |= 1 << bit
                position += length
            else:
                out.append(chunk[position])
                position += 1
    return bytes(out)


def _longest_match(chunk: bytes, position: int, candidates: Sequence[int]) -> tuple[int, int]:
    """The nearest of the longest earlier copies of the bytes at ``position`` (at most 64 candidates tried)."""
    bit_count = max((position - 1).bit_length(), 4)
    maximum = (0xFFFF >> bit_count) + 3
    limit = min(maximum, len(chunk) - position)
    best_offset, best_length = 0, 0
    for candidate in reversed(candidates[-64:]):
        length = 0
        while length < limit and chunk[candidate + length] == chunk[position + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = position - candidate, length
            if length == limit:
                break
    return best_offset, best_length


# --- [MS-OVBA] 2.4.3: the obfuscation of CMG, DPB and GC in the PROJECT stream ------------------------------

def encrypt(project_id: str, data: bytes, seed: int, ignored: bytes = b"\x00\x00\x00") -> bytes:
    """Obfuscate ``data`` as [MS-OVBA] 2.4.3.2 describes; ``ignored`` gives the filler bytes it asks for."""
    version = 2
    project_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ project_key])
    unencrypted_1, encrypted_1, encrypted_2 = project_key, out[2], out[1]
    plain = ignored[:(seed & 6) // 2] + struct.pack("<I", len(data)) + data
    for byte in plain:
        encrypted = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(encrypted)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, encrypted, byte
    return bytes(out)


# --- the streams --------------------------------------------------------------------------------------------

def _project_stream(modules: Sequence[Module], name: str, project_id: str, seeds: bytes) -> bytes:
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == "class":
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    protection = encrypt(project_id, b"\x00\x00\x00\x00", seeds[0]).hex().upper()  # not protected
    password = encrypt(project_id, b"\x00", seeds[1]).hex().upper()  # no password
    visibility = encrypt(project_id, b"\xff", seeds[2]).hex().upper()  # visible in the VBA editor
    lines += [f'Name="{name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"', f'CMG="{protection}"',
              f'DPB="{password}"', f'GC="{visibility}"', "", "[Host Extender Info]",
              "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", ""]
    return "\r\n".join(lines).encode(ENCODING)


def _project_wm(modules: Sequence[Module]) -> bytes:
    out = bytearray()
    for module in modules:
        out += module.name.encode(ENCODING) + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text_record(record_id: int, unicode_id: int, text: str) -> bytes:
    return _record(record_id, text.encode(ENCODING)) + _record(unicode_id, text.encode("utf-16-le"))


def _dir_stream(modules: Sequence[Module], name: str, references: Sequence[Reference]) -> bytes:
    """The ``dir`` stream before compression ([MS-OVBA] 2.3.4.2)."""
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 1))  # SYSKIND: 32-bit Windows; Office recompiles for its own
    out += _record(0x0002, struct.pack("<I", 0x0409))  # LCID
    out += _record(0x0014, struct.pack("<I", 0x0409))  # LCIDINVOKE
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))
    out += _record(0x0004, name.encode(ENCODING))
    out += _text_record(0x0005, 0x0040, "")  # DOCSTRING
    out += _record(0x0006, b"") + _record(0x003D, b"")  # HELPFILEPATH: no help file, given twice
    out += _record(0x0007, struct.pack("<I", 0))  # HELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # LIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # VERSION: its size field is fixed at 4, then major, minor
    out += _text_record(0x000C, 0x003C, "")  # CONSTANTS
    for reference in references:
        out += _text_record(0x0016, 0x003E, reference.name)
        libid = reference.libid.encode(ENCODING)
        out += _record(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))  # REGISTERED
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _text_record(0x0019, 0x0047, module.name)  # MODULENAME, MODULENAMEUNICODE
        out += _text_record(0x001A, 0x0032, module.name)  # MODULESTREAMNAME
        out += _text_record(0x001C, 0x0048, "")  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: the source starts the stream (no cache)
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if module.kind == "standard" else 0x0022, b"")  # MODULETYPE
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # end of the dir stream
    return bytes(out)


# --- source text --------------------------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")


def _join(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n"


def _vb_name(lines: list[str], what: str) -> str:
    first = lines[0] if lines else ""
    prefix = 'Attribute VB_Name = "'
    if not first.startswith(prefix) or not first.endswith('"'):
        raise ValueError(f'the {what} must start with Attribute VB_Name = "<module name>"')
    return first[len(prefix):-1]


def _split_attributes(lines: list[str]) -> tuple[list[str], list[str]]:
    count = 0
    while count < len(lines) and lines[count].startswith("Attribute "):
        count += 1
    return lines[:count], lines[count:]


def _encode(source: str, module: str) -> bytes:
    try:
        return source.encode(ENCODING)
    except UnicodeEncodeError as exc:
        raise ValueError(f"module {module}: {source[exc.start:exc.end]!r} cannot be written in code page "
                         f"{CODE_PAGE}") from None


def _check_identifier(name: str) -> None:
    if not name or len(name) > 31 or not name[0].isascii() or not name[0].isalpha() \
            or not all(c.isascii() and (c.isalnum() or c == "_") for c in name):
        raise ValueError(f"{name!r} is not a valid VBA name (letters, digits and _, starting with a letter, "
                         "at most 31 characters)")
