"""The audit pack of a year of about 200,000 invoices, end to end; and, in the same run, openpyxl alone writing
just the pack's copy of the invoice register (what a hand-made pack built in Python starts with).

arxl's figure is ``arxl audit pack BOOK --year 2024 --out DIR``'s job: reading and validating the workbook, the
open items at the year end, every working paper, the copies of the ledger's tables (the Z sheets: the whole
register, receipts and allocations), the document index, and the atomic save. It runs in a fresh process so that
its peak memory (max RSS) is its own. The ledger is the aging benchmark's generator (bench/aging.py) over 400
days from 1 January 2024, so that the year 2024 holds about 200,000 invoices and the first weeks of 2025 bring
the receipts after the year end; the Rates sheet has a USD rate for every day, the closing rate the year end's.
It is built once and cached under out/bench/.

    python bench/audit.py [--invoices 219000] [--customers 25000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / "out" / "bench"
YEAR_END = dt.date(2024, 12, 31)
TARGET = 30.0
DAYS = 400
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def ledger_path(invoices: int, customers: int) -> Path:
    """The bench ledger: aging's story over :data:`DAYS` days from 1 January 2024, the closing rate at the year
    end."""
    import aging

    path = CACHE / f"audit-ledger-{invoices}-{customers}-{DAYS}-rated.xlsx"
    if not path.exists():
        started = time.perf_counter()
        aging.AS_OF = YEAR_END  # the story's as-of: its closing rate, and what is still unpaid at it
        aging.make_ledger(path, invoices, customers, days=DAYS, daily_rates=True)
        print(f"built {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
              flush=True)
    return path


def run_pack(path: Path, out: Path) -> dict[str, float]:
    """The job, as the command runs it."""
    from arxl.app.audit import audit_pack
    from arxl.core.period import Period
    from arxl.formats.xlsx.book import open_ledger
    from arxl.formats.xlsx.host import FileHost

    started = time.perf_counter()
    audit_pack(FileHost(path), Period.parse("2024", year=True), out, preparer="bench", today=dt.date(2025, 1, 20))
    total = time.perf_counter() - started
    ledger, _ = open_ledger(path)
    year = sum(1 for i in ledger.invoices if i.invoice_date.year == 2024)
    pack = out / "audit-pack-2024.xlsx"
    return {"total": total, "invoices": len(ledger.invoices), "year invoices": year,
            "receipts": len(ledger.receipts), "allocations": len(ledger.allocations),
            "pack_mb": pack.stat().st_size / 1e6}


def run_openpyxl(path: Path, out: Path) -> dict[str, float]:
    """openpyxl alone (write-only mode, its fastest) writing the rows of the pack's invoice register copy."""
    from openpyxl import Workbook

    from arxl.formats.xlsx.book import open_ledger

    ledger, _ = open_ledger(path)
    rows = [(i.invoice_no, i.doc_type, i.invoice_date, i.due_date, i.customer_id, i.currency, i.net_amount,
             i.vat_amount, i.total_amount, i.status, i.original_invoice, i.period, i.ebm_receipt_no, i.ebm_date,
             i.sage_exported, i.rate, f"Invoices!A{n}") for i, n in zip(ledger.invoices.rows,
                                                                       ledger.invoices.row_numbers, strict=True)]
    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Z1 Invoices")
    for row in rows:
        sheet.append(row)
    book.save(out / "openpyxl-register.xlsx")
    return {"total": time.perf_counter() - started, "rows": len(rows)}


def fresh(function: str, path: Path, out: Path) -> dict[str, float]:
    """``function(path, out)`` in a fresh process; adds its peak memory."""
    code = (f"import sys, json, resource; sys.path.insert(0, {str(HERE)!r}); import audit as b; "
            f"from pathlib import Path; r = b.{function}(Path({str(path)!r}), Path({str(out)!r})); "
            "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; print(json.dumps(r))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=219_000)
    parser.add_argument("--customers", type=int, default=25_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores", flush=True)
    source = ledger_path(args.invoices, args.customers)
    out = CACHE / "audit-run"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    book = out / "billing.xlsx"
    shutil.copyfile(source, book)
    r = fresh("run_pack", book, out / "pack")
    verdict = "within" if r["total"] <= TARGET else "OVER"
    print(f"arxl audit pack --year 2024: {r['year invoices']:,.0f} invoices in the year ({r['invoices']:,.0f} in the "
          f"register), {r['receipts']:,.0f} receipts, {r['allocations']:,.0f} allocations -> "
          f"{r['pack_mb']:.0f} MB pack")
    print(f"  end to end {r['total']:6.2f} s  {r['year invoices'] / r['total']:>9,.0f} invoices of the year/s  "
          f"peak {r['peak_mb']:,.0f} MB  ({verdict} the {TARGET:.0f} s target)", flush=True)
    b = fresh("run_openpyxl", book, out)
    print(f"openpyxl alone (write-only) writing the register copy only: {b['rows']:,.0f} rows in {b['total']:.2f} s "
          f"({b['rows'] / b['total']:,.0f} rows/s, peak {b['peak_mb']:,.0f} MB)")


if __name__ == "__main__":
    main()
