"""Reading the EBM sales report file (CSV) with limits, as text; its columns are parsed and reconciled by
:mod:`arxl.billing.ebm`, the two joined by the EBM import job (:mod:`arxl.app.credits`).

The file comes from outside: it is read whole only when small enough (an EBM report of a busy year is a few
megabytes), decoded as UTF-8 (with or without a byte-order mark) or, failing that, Windows-1252 as older
exports are, and refused with a clear message when it is not a text file at all (an .xlsx saved as .csv).
"""

from __future__ import annotations

from pathlib import Path

from arxl.core.errors import BadValue, CellRef

MAX_BYTES = 50_000_000


def read_ebm_text(path: Path | str) -> str:
    """The text of an EBM sales report file, refused when it is missing, too large or not text at all."""
    file = Path(path)
    where = CellRef(file.name)
    if not file.is_file():
        raise BadValue("file not found" if not file.exists() else "is not a file", where)
    if file.stat().st_size > MAX_BYTES:
        raise BadValue(f"is {file.stat().st_size:,} bytes, more than the {MAX_BYTES:,} an EBM sales report "
                       "could be", where)
    data = file.read_bytes()
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise BadValue("is an Excel workbook, not a CSV file: open it in Excel and save it as CSV", where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
