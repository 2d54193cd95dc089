"""PDFs a second with 1 and 2 LibreOffice workers, on 200 invoices and 200 statements of account.

- **baseline**: what arxl did before PDFs went parallel, in the same run: one LibreOffice, the invoices in
  batches of 50 (``invoice_doc.to_pdf``), the statements in batches of 40 (``statement_files.to_pdfs``).
- **N workers**: ``LibreOffice(workers=N).to_pdf(all)``: the files split into N balanced batches, one soffice
  per private profile, all running at once; every PDF checked (fresh, ``%PDF-`` … ``%%EOF``, pages > 0).
- **40 a call, N workers**: statements through ``to_pdfs``' old chunking (40 files a call), which the statements
  job used before it handed LibreOffice all its files in one call: what one call saves.

Profiles are made fresh for each measurement (so each pays LibreOffice's first start, as a job does).

    python bench/pdfs.py [--count 200] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "bench" / "pdfs"
sys.path.insert(0, str(HERE))


def invoice_sources(count: int) -> list[Path]:
    import invoices as bench_invoices

    from arxl.formats.invoice_doc import DEFAULT_TEMPLATE, InvoiceTemplate
    from arxl.formats.invoice_model import documents

    items, lines, customers, settings = bench_invoices.register(count)
    docs, problems = documents(items, lines, customers, settings)
    assert not problems, problems[:3]
    folder = OUT / "invoices-xlsx"
    shutil.rmtree(folder, ignore_errors=True)
    return sorted(InvoiceTemplate(DEFAULT_TEMPLATE).write_all(docs, folder))


def statement_sources(count: int) -> list[Path]:
    """``count`` statements of the sample's customers, month end after month end (each its own file)."""
    from arxl.aging.statements import account_statements
    from arxl.app.recovery import write_statements
    from arxl.core.dates import add_months, month_end
    from arxl.formats.xlsx.book import open_ledger
    from arxl.sample import write_sample

    folder = OUT / "statements-xlsx"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    book, _ = write_sample(folder / "sample.xlsx")
    ledger, _ = open_ledger(book)
    written: list[Path] = []
    day = dt.date(2025, 7, 31)
    while len(written) < count and day.year >= 2023:
        statements, _ = account_statements(ledger, day)
        written += write_statements(statements, ledger.settings, folder / "out").values()
        day = month_end(add_months(day, -1))
    return sorted(written)[:count]


def timed(convert: Callable[[Path], list[Path]], name: str) -> float:
    from arxl.formats.libreoffice import pdf_pages

    out = OUT / name
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    pdfs = convert(out)
    seconds = time.perf_counter() - started
    assert all(pdf_pages(pdf) > 0 for pdf in pdfs)
    return len(pdfs) / seconds


def main() -> None:
    from arxl.formats.invoice_doc import to_pdf
    from arxl.formats.libreoffice import LibreOffice
    from arxl.formats.statement_files import to_pdfs

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--workers", default="1,2", help="worker counts to time, comma separated")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    kinds = {"invoices": invoice_sources(args.count), "statements": statement_sources(args.count)}
    for kind, sources in kinds.items():
        if kind == "invoices":
            def chunked(out: Path, office: LibreOffice, s: list[Path] = sources) -> list[Path]:
                return to_pdf(s, out, office, batch_size=50)
        else:
            def chunked(out: Path, office: LibreOffice, s: list[Path] = sources) -> list[Path]:
                return to_pdfs(s, out, office)

        def baseline(out: Path) -> list[Path]:
            with LibreOffice(workers=1) as office:
                return chunked(out, office)

        rates = {"baseline (1 LibreOffice, batches of 50/40)": timed(baseline, f"{kind}-baseline")}
        for workers in counts:
            def whole(out: Path, n: int = workers, s: list[Path] = sources) -> list[Path]:
                with LibreOffice(workers=n) as office:
                    return office.to_pdf(s, out)

            def app(out: Path, n: int = workers) -> list[Path]:
                with LibreOffice(workers=n) as office:
                    return chunked(out, office)

            rates[f"{workers} worker(s), one call"] = timed(whole, f"{kind}-{workers}")
            if kind == "statements":
                rates[f"{workers} worker(s), 40 files a call"] = timed(app, f"{kind}-app-{workers}")
        for label, rate in rates.items():
            print(f"{kind:<10} {len(sources):>4} {label:<48} {rate:6.1f} PDFs/s")


if __name__ == "__main__":
    main()
