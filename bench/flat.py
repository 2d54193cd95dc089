"""Peak memory and time writing one generated sheet of 100,000 and 1,000,000 data rows (issue 15, memory-flat
sheets): an invoice register (number, type, date, customer, currency, net, VAT, a total formula with its cached
value, status, count) swapped into a small workbook by the fast route, as ``arxl audit-pack`` writes its C sheet.

Each size and each writer runs in a fresh process, whose peak resident memory (``ru_maxrss``) is its own; the
child reports its peak once the rows are built (the data's share) and once the workbook is written (data and
writer). The writers:

- **before**: the fast route at the branch base (:data:`BEFORE`, its ``arxl`` loaded from git into a temporary
  folder): the whole sheet XML one string, deflated in one call;
- **after**: this code: the sheet streamed into the compressor in 64 KB pieces;
- **after, rows made as read**: the same writer given :class:`LazyRows`, a ``Sequence`` that makes each row from
  its number when it is read (the data's share near nothing: what the writer itself holds);
- **openpyxl write_only**: openpyxl's streaming writer, the same rows and number formats (the baseline).

The rows are a list of tuples in memory except in the third case. Output is checked: the after-file's sheet XML
equals the before-file's.

    python bench/flat.py [--rows 100000 1000000] [--no-before]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEFORE = "caa19eb056e11a14ad9186353d4b36e952254299"  # the branch base: the sheet XML made whole
SHEET = "C Register"
_TYPES = ("invoice", "invoice", "invoice", "credit_note")
_STATUS = ("paid", "open", "partly paid", "cancelled")
_CURRENCIES = ("RWF", "RWF", "RWF", "USD")
_CUSTOMERS = tuple(f"C{n:05d}" for n in range(20_000))
_DAYS = tuple(dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(365))


def row(n: int) -> tuple[object, ...]:
    """Row ``n`` of the register: the same figures in every process (no random state)."""
    currency = _CURRENCIES[n % 4]
    net = Decimal((n * 7919) % 9_000_000 + 1000) if currency == "RWF" else Decimal((n * 7919) % 900_000 + 100) / 100
    vat = (net * Decimal("0.18")).quantize(Decimal(1) if currency == "RWF" else Decimal("0.01"))
    return (f"INV-2025-{n + 1:07d}", _TYPES[n % 4], _DAYS[(n * 31) % 365], _CUSTOMERS[(n * 13) % 20_000], currency,
            net, vat, net + vat, _STATUS[(n * 3) % 4], n % 3)


class LazyRows(Sequence[tuple[object, ...]]):
    """Rows made from their numbers as they are read: the sheet's data not held in memory."""

    def __init__(self, count: int) -> None:
        self.size = count

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> tuple[object, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[object, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[object, ...] | Sequence[tuple[object, ...]]:
        if isinstance(index, slice):
            return [row(n) for n in range(*index.indices(self.size))]
        if not 0 <= index < self.size:
            raise IndexError(index)
        return row(index)

    def __iter__(self) -> Iterator[tuple[object, ...]]:
        return (row(n) for n in range(self.size))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spec(rows: Sequence[tuple[object, ...]]) -> Any:
    from arxl.ledger.changes import Cell, DataColumn, DataRows, SheetSpec

    text, day = DataColumn(), DataColumn(style="date")
    amount = DataColumn(style="amount", currency_of=4)
    total = DataColumn(style="amount", currency_of=4, formula="=F{row}+G{row}")
    spec = SheetSpec(SHEET, freeze="A2", widths={"A": 18, "D": 12})
    spec.add(*(Cell(h, style="header") for h in ("Number", "Type", "Date", "Customer ID", "Currency", "Net Amount",
                                                  "VAT Amount", "Total Amount", "Status", "Credit Notes")))
    spec.data = DataRows((text, text, day, text, text, amount, amount, total, text, DataColumn(style="integer")),
                         rows)
    return spec


def _seed(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Settings"
    book.active["A1"] = "A small workbook the register goes into"
    book.save(path)


def _openpyxl(rows: Sequence[tuple[object, ...]], target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    sheet.append(["Number", "Type", "Date", "Customer ID", "Currency", "Net Amount", "VAT Amount", "Total Amount",
                  "Status", "Credit Notes"])
    for n, values in enumerate(rows, start=2):
        cells: list[object] = []
        fmt = "#,##0" if values[4] == "RWF" else "#,##0.00"
        for i, value in enumerate(values):
            if i == 7:
                value = f"=F{n}+G{n}"
            if i in (2, 5, 6, 7):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "dd/mm/yyyy" if i == 2 else fmt
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(target)


def child(mode: str, count: int, folder: Path) -> dict[str, object]:
    """One writer, one size, in this (fresh) process."""
    rows: Sequence[tuple[object, ...]] = LazyRows(count) if mode == "lazy" else [row(n) for n in range(count)]
    data_mb = _peak_mb()
    started = time.perf_counter()
    target = folder / f"{mode}-{count}.xlsx"
    if mode == "openpyxl":
        _openpyxl(rows, target)
    else:
        from arxl.formats.xlsx.fastsheet import replace_sheets

        seed = folder / f"seed-{mode}-{count}.xlsx"
        _seed(seed)
        replace_sheets(seed, [_spec(rows)])
        seed.replace(target)
    seconds = time.perf_counter() - started
    import arxl

    return {"code": str(Path(arxl.__file__).parent.parent), "mode": mode, "rows": count, "data_mb": round(data_mb, 1),
            "peak_mb": round(_peak_mb(), 1),
            "seconds": round(seconds, 2), "file_mb": round(target.stat().st_size / 2**20, 1)}


def _run(mode: str, count: int, folder: Path, path: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(path)}
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(count), str(folder)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        return {"mode": mode, "rows": count, "failed": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _sheet_xml(path: Path) -> str:
    """The digest of the register's XML, read a piece at a time (a child forked from a big parent would
    inherit its peak memory, as Linux counts ``ru_maxrss``)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as package:
        names = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        with package.open(sorted(names)[-1]) as part:
            while piece := part.read(1 << 20):
                digest.update(piece)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--no-before", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "ROWS", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), Path(args.child[2]))))
        return
    with tempfile.TemporaryDirectory(prefix="arxl-flat-") as temp:
        folder = Path(temp)
        before = folder / "before"
        before.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "arxl"], capture_output=True, check=True)
        with tarfile.open(fileobj=__import__("io").BytesIO(archive.stdout)) as tar:
            tar.extractall(before, filter="data")
        print(f"{'writer':<28}{'rows':>10}{'data MB':>10}{'peak MB':>10}{'writer MB':>11}{'seconds':>9}{'file MB':>9}")
        for count in args.rows:
            modes = [("before", before)] if not args.no_before else []
            modes += [("after", ROOT), ("lazy", ROOT), ("openpyxl", ROOT)]
            for mode, path in modes:
                result = _run(mode, count, folder, path)
                assert "failed" in result or Path(str(result["code"])) == path, result
                if "failed" in result:
                    print(f"{mode:<28}{count:>10,}  failed: {result['failed']}")
                    continue
                label = {"before": f"before ({BEFORE[:7]})", "after": "after", "lazy": "after, rows made as read",
                         "openpyxl": "openpyxl write_only"}[mode]
                data_mb, peak_mb = float(str(result["data_mb"])), float(str(result["peak_mb"]))
                print(f"{label:<28}{count:>10,}{data_mb:>10.0f}{peak_mb:>10.0f}{peak_mb - data_mb:>11.0f}"
                      f"{result['seconds']:>9}{result['file_mb']:>9}", flush=True)
            old, new = folder / f"before-{count}.xlsx", folder / f"after-{count}.xlsx"
            if old.exists() and new.exists():
                print(f"  sheet XML of after equals before's: {_sheet_xml(old) == _sheet_xml(new)}")
            for leftover in folder.glob(f"*-{count}.xlsx"):
                leftover.unlink()


if __name__ == "__main__":
    main()
