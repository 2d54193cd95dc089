"""Read an Invoices table of 200,000 rows: arxl's reader against openpyxl read-only, in the same run.

arxl's figure is end to end: safety checks of the package, calamine's read, the error-cell overlay, and every
cell typed through the money and date doors into row models. openpyxl's figure only iterates the raw
values (no typing at all), so the comparison flatters the baseline. Each reader runs in its own process so
that its peak memory (max RSS) is its own.

    python bench/read_ledger.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import subprocess
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / "out" / "bench"


def make_ledger(path: Path, rows: int) -> None:
    """An Invoices sheet with an Excel Table, written once with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table

    from arxl.ledger.port import column_letter
    from arxl.ledger.records import Invoice, columns

    cols = columns(Invoice)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Invoices")
    sheet.append([c.header for c in cols])
    rng = random.Random(1)
    start = dt.date(2024, 1, 1)
    for n in range(1, rows + 1):
        currency = "RWF" if rng.random() < 0.8 else "USD"
        net = Decimal(rng.randrange(50_000, 50_000_000)) if currency == "RWF" else \
            Decimal(rng.randrange(10_000, 5_000_000)) / 100
        vat = (net * Decimal("0.18")).quantize(Decimal(1) if currency == "RWF" else Decimal("0.01"))
        day = start + dt.timedelta(days=n % 540)
        values = {
            "invoice_no": f"INV-{day.year}-{n:06d}", "doc_type": "invoice", "invoice_date": day,
            "due_date": day + dt.timedelta(days=30), "customer_id": f"C{rng.randrange(20_000):05d}",
            "currency": currency, "net_amount": net, "vat_amount": vat, "total_amount": net + vat,
            "terms": "NET30", "contract_ref": f"K-{n % 9000:05d}", "po_number": "", "period": day.strftime("%Y-%m"),
            "original_invoice": "", "status": "open", "ebm_receipt_no": str(100000 + n), "ebm_sdc_id": "SDC010000001",
            "ebm_mrc": "WIS00012345", "ebm_date": day, "ebm_receipt_type": "NS", "sage_exported": None, "notes": "",
        }
        sheet.append([None if values.get(c.field) in ("", None) else values[c.field] for c in cols])
    table = Table(displayName="Invoices", ref=f"A1:{column_letter(len(cols))}{rows + 1}")
    table._initialise_columns()  # write-only mode cannot read the header back: name the columns here
    for column, spec in zip(table.tableColumns, cols, strict=True):
        column.name = spec.header
    with warnings.catch_warnings():  # openpyxl warns in write-only mode even when the columns are named
        warnings.simplefilter("ignore")
        sheet.add_table(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def run_arxl(path: Path) -> int:
    from arxl.formats.xlsx.xlsx import XlsxFile
    from arxl.ledger.records import TABLES
    from arxl.ledger.tables import read_table

    table, problems = read_table(XlsxFile(path), TABLES["Invoices"])
    if problems:
        raise SystemExit(f"unexpected problems: {problems[:3]}")
    assert isinstance(table.rows[0].net_amount, Decimal)
    return len(table)


def run_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book["Invoices"].iter_rows(min_row=2, values_only=True))
    book.close()
    return count


def measure(which: str, path: Path) -> dict[str, float]:
    """Run one reader in a fresh process; return rows, seconds and peak memory."""
    code = (f"import sys, time, json, resource; sys.path.insert(0, {str(HERE)!r}); import read_ledger as b; "
            f"from pathlib import Path; t=time.perf_counter(); n=b.run_{which}(Path({str(path)!r})); "
            "s=time.perf_counter()-t; "
            "print(json.dumps({'rows': n, 'seconds': s, "
            "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    path = CACHE / f"invoices-{args.rows}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        make_ledger(path, args.rows)
        print(f"built {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")
    results = {name: measure(name, path) for name in ("arxl", "openpyxl")}
    for name, r in results.items():
        print(f"{name:9s} {r['rows']:>9,.0f} rows  {r['seconds']:7.2f} s  {r['rows'] / r['seconds']:>10,.0f} rows/s"
              f"  peak {r['peak_mb']:,.0f} MB")
    speedup = results["openpyxl"]["seconds"] / results["arxl"]["seconds"]
    print(f"arxl is {speedup:.1f}x openpyxl read-only (target: at least 5x)")


if __name__ == "__main__":
    main()
