"""The ledger state file: the audited tables as arxl left them at the last journal entry.

``billing.xlsx`` gets ``billing.audit-state.json.gz`` beside it, rewritten at each entry of the action journal
(atomically: a temporary file beside it, then a rename), and the SHA-256 of its bytes goes in that entry. What
it holds is :func:`arxl.ledger.fingerprint.snapshot` as JSON lines, gzip'd: a first line with the version and the
workbook's name, then one line per table (``{"table": "Invoices", "sheet": ..., "columns": ..., "rows": ...}``),
each line a gzip member of its own (``gunzip`` reads the members one after the other as one file), written
without a time stamp so that the same state gives the same bytes.

Reading a ledger of 200,000 invoices again after every command would cost seconds. A table's cells, as
calamine reads them, depend only on its sheet's part, that sheet's relationships and table parts, and the
workbook's own part, styles and shared strings; the ZIP directory gives each part's CRC-32 and size without
reading it. :func:`sheet_versions` digests those per sheet: a table whose version is the one the last entry
recorded (arxl's fast saves copy the parts they do not change) is not read again, and its gzip member is copied
from the last state as it is (:func:`table_members`), never decoded.

>>> import tempfile
>>> path = state_path(Path(tempfile.mkdtemp()) / "billing.xlsx")
>>> table = {"sheet": "Periods", "columns": [["period", "Period", "A"]], "rows": [[2, "2025-05", ["2025-05"]]]}
>>> digest = write_state(path, {"version": 1, "book": "billing.xlsx", "tables": {"Periods": table}})
>>> read_state(path)["tables"]["Periods"] == table
True
>>> digest == write_state(path, {"version": 1, "book": "billing.xlsx", "tables": {}}, table_members(path))
True
"""

from __future__ import annotations

import gzip
import hashlib
import json
import posixpath
import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from arxl.formats.audit.journal import AuditFileError, file_sha256
from arxl.formats.xlsx.save import atomic_write

SUFFIX = ".audit-state.json.gz"
LEVEL = 3  # a few seconds saved on a big ledger for a file a little bigger than at level 9
_TABLE = re.compile(rb'\{"table":"([A-Za-z]+)"')


def state_path(book: Path) -> Path:
    """``folder/billing.xlsx`` -> ``folder/billing.audit-state.json.gz``."""
    return book.parent / f"{book.stem}{SUFFIX}"


def _member(record: dict[str, Any]) -> bytes:
    line = json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
    return gzip.compress(line, compresslevel=LEVEL, mtime=0)


def write_state(path: Path, state: dict[str, Any], kept: Mapping[str, bytes] = {}) -> str:
    """Write the state file atomically: the tables of ``state``, and the tables of ``kept`` as the gzip members
    of the last state they are (:func:`table_members`); return the SHA-256 of its bytes."""
    members = {name: _member({"table": name, **table}) for name, table in state["tables"].items()}
    members.update({name: member for name, member in kept.items() if name not in members})
    header = _member({"version": state.get("version", 1), "book": state.get("book", "")})
    data = header + b"".join(members[name] for name in sorted(members))

    def write(temp: Path) -> None:
        temp.write_bytes(data)

    atomic_write(path, write, backup=False)
    return file_sha256(path)


def table_members(path: Path) -> dict[str, bytes]:
    """Table -> its gzip member in a state file, as bytes, found by inflating (not parsing) each member."""
    data = path.read_bytes()
    found: dict[str, bytes] = {}
    start = 0
    try:
        while start < len(data):
            inflate = zlib.decompressobj(wbits=31)
            head = inflate.decompress(data[start:], 64)
            inflate.decompress(inflate.unconsumed_tail)  # to the member's end: the rest is its unused data
            if not inflate.eof:
                raise AuditFileError("is cut short", f"[{path.name}]")
            end = len(data) - len(inflate.unused_data)
            name = _TABLE.match(head)
            if name:
                found[name[1].decode("ascii")] = data[start:end]
            start = end
    except zlib.error as exc:
        raise AuditFileError(f"is not a ledger state written by arxl ({exc})", f"[{path.name}]") from None
    return found


def read_state(path: Path) -> dict[str, Any]:
    """The state a journal entry recorded (raises AuditFileError when the file is not one)."""
    where = f"[{path.name}]"
    try:
        lines = gzip.decompress(path.read_bytes()).splitlines()
        header = json.loads(lines[0])
        tables = {}
        for line in lines[1:]:
            table = json.loads(line)
            tables[str(table.pop("table"))] = table
    except FileNotFoundError:
        raise AuditFileError("is missing", where) from None
    except (OSError, EOFError, ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        raise AuditFileError(f"is not a ledger state written by arxl ({exc})", where) from None
    if not isinstance(header, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise AuditFileError("is not a ledger state written by arxl", where)
    return {**header, "tables": tables}


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHARED = ("/styles", "/sharedStrings")  # the workbook's parts every sheet's values depend on


def sheet_versions(book: Path) -> dict[str, str]:
    """Sheet name (casefolded) -> a digest of the CRC-32 and size of every part its cells depend on; empty when
    the package cannot be read this way (then every table is read)."""
    try:
        with zipfile.ZipFile(book) as package:
            parts = {i.filename: f"{i.CRC:08x}:{i.file_size}" for i in package.infolist()}
            workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
            links = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): (r.get("Type", ""), _part(r.get("Target", ""), "xl")) for r in links}
            shared = [parts.get(p, "-") for kind, p in targets.values() if kind.endswith(_SHARED)]
            common = [parts["xl/workbook.xml"], *sorted(shared)]
            versions: dict[str, str] = {}
            for sheet in workbook.iter(f"{_MAIN}sheet"):
                part = targets.get(sheet.get(_REL), ("", ""))[1]
                folder, base = posixpath.split(part)
                rels = f"{folder}/_rels/{base}.rels"
                mine = [parts.get(part, "-"), parts.get(rels, "-")]
                if rels in parts:
                    mine += [parts.get(_part(r.get("Target", ""), folder), "-")
                             for r in ElementTree.fromstring(package.read(rels))
                             if r.get("Type", "").endswith("/table")]
                digest = hashlib.sha256("|".join(common + mine).encode()).hexdigest()
                versions[str(sheet.get("name")).casefold()] = digest
            return versions
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError):
        return {}


def _part(target: str, folder: str) -> str:
    """A relationship's target as a part name (relative to the folder of the part that names it)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
