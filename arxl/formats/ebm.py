"""Reading the EBM sales report file (CSV) with limits; the columns and the reconciliation are in
:mod:`arxl.billing.ebm`.

The file comes from outside: it is read whole only when small enough (an EBM report of a busy year is a few
megabytes), decoded as UTF-8 (with or without a byte-order mark) or, failing that, Windows-1252 as older
exports are, and refused with a clear message when it is not a text file at all (an .xlsx saved as .csv).
"""

from __future__ import annotations

from pathlib import Path

from arxl.billing.ebm import EbmReceipt, parse_ebm_csv
from arxl.core.errors import BadValue, CellRef, Problem

MAX_BYTES = 50_000_000


def read_ebm_report(path: Path | str) -> tuple[list[EbmReceipt], list[Problem]]:
    """The receipts of an EBM sales report file, and a problem per row that cannot be read."""
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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return parse_ebm_csv(text, file.name)
