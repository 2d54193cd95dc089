"""Generate 2,000 invoice workbooks from the template: arxl's splicing filler against openpyxl, in the same run.

- **arxl**: the template loaded once (:class:`arxl.formats.invoice_doc.InvoiceTemplate`), then for every invoice the
  document built and checked from its register rows, its values spliced into the sheet XML, the package
  re-zipped (unchanged parts compressed once) and written to a temporary file that replaces the target.
- **plain openpyxl**: for every invoice, ``load_workbook(template)``, the same values written at the same
  defined names (text as text, amount formats switched per currency, unused rows hidden), ``save``. It is slow,
  so a sample is timed and the rate extrapolated to the whole batch.
- **PDF**: a sample of arxl's workbooks converted by LibreOffice headless in batches of 50 (one soffice run per
  batch, every output checked).

Each approach runs in a fresh process so that its peak memory (max RSS) is its own.

    python bench/invoices.py [--count 2000] [--plain 200] [--pdf 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from arxl.ledger.records import Customer, Invoice, InvoiceLine
    from arxl.ledger.settings import Settings

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "bench" / "invoices"
D = Decimal


def register(count: int, seed: int = 3) -> tuple[list[Invoice], list[InvoiceLine], list[Customer], Settings]:
    """``count`` invoices of 1 to 6 lines (RWF mostly, some USD; 18 %, zero-rated and exempt; discounts and
    prorated lines), their lines, 200 customers and Settings, as the register would hold them."""
    from arxl.core.money import round_money
    from arxl.core.tax import vat_by_rate
    from arxl.ledger.records import Customer, Invoice, InvoiceLine
    from arxl.ledger.settings import Settings

    rng = random.Random(seed)
    settings = Settings(company_name="Kigali Cloud & Systems Ltd", company_tin="102458731",
                        company_address="KG 7 Ave No. 12, Kacyiru, PO Box 4821 Kigali, Rwanda",
                        company_phone="+250 788 310 450", company_email="billing@kigalicloud.example.rw",
                        bank_name="Bank of Kigali Plc", bank_swift="BKIGRWRW", bank_account_rwf="00040-06951872-29",
                        bank_account_usd="00040-06951873-30")
    customers = [Customer(customer_id=f"C{n:03d}", name=f"Customer {n} Ltd", tin=f"1{n:08d}",
                          customer_type=rng.choice(["government", "private", "ngo", "foreign"]),
                          address=f"KG {n} St, Kigali", terms=rng.choice(["NET30", "EOM+15", "NET15"]))
                 for n in range(1, 201)]
    codes = (("VAT18", D("0.18")), ("VAT18", D("0.18")), ("VAT18", D("0.18")), ("ZERO", D(0)), ("EXEMPT", D(0)))
    invoices, lines = [], []
    for n in range(1, count + 1):
        number = f"INV-2025-{n:05d}"
        currency = "USD" if rng.random() < 0.2 else "RWF"
        customer = rng.choice(customers)
        own = []
        for no in range(1, rng.randint(1, 6) + 1):
            code, rate = rng.choice(codes)
            quantity = D(rng.choice([1, 1, 2, 4, 10, 25]))
            price = D(rng.randrange(10_000, 2_000_000)) if currency == "RWF" else D(rng.randrange(500, 500_000)) / 100
            gross = round_money(quantity * price * (D(rng.randint(1, 30)) / 31 if rng.random() < 0.1 else 1),
                                currency)
            discount = round_money(gross * D("0.1"), currency) if rng.random() < 0.15 else D(0)
            net = gross - discount
            own.append(InvoiceLine(invoice_no=number, line_no=no, description=f"Service {no}, July 2025",
                                   quantity=quantity, unit_price=price, discount=discount, net_amount=net,
                                   tax_code=code, vat_rate=rate, vat_amount=round_money(net * rate, currency)))
        vat = sum(vat_by_rate([(x.net_amount, x.vat_rate) for x in own], currency, "invoice").values(), D(0))
        net = sum((x.net_amount for x in own), D(0))
        day = dt.date(2025, 7, 1)
        invoices.append(Invoice(invoice_no=number, invoice_date=day, due_date=day + dt.timedelta(days=30),
                                customer_id=customer.customer_id, currency=currency, net_amount=net,
                                vat_amount=vat, total_amount=net + vat, terms=customer.terms, period="2025-07",
                                contract_ref=f"K-{n:05d}"))
        lines += own
    return invoices, lines, customers, settings


def run_arxl(count: int) -> dict[str, float]:
    from arxl.formats.invoice_doc import DEFAULT_TEMPLATE, InvoiceTemplate
    from arxl.formats.invoice_model import documents

    invoices, lines, customers, settings = register(count)
    out = OUT / "arxl"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    template = InvoiceTemplate(DEFAULT_TEMPLATE)
    loaded = time.perf_counter()
    docs, problems = documents(invoices, lines, customers, settings)
    assert not problems, problems[:3]
    paths = template.write_all(docs, out)
    done = time.perf_counter()
    # The same work without the disk: documents built and checked, workbooks rendered in memory.
    again = time.perf_counter()
    docs, _ = documents(invoices, lines, customers, settings)
    size = sum(len(template.render(doc)) for doc in docs)
    memory = time.perf_counter() - again
    return {"invoices": len(paths), "seconds": done - loaded, "load_seconds": loaded - started,
            "bytes": size / len(docs), "memory_seconds": memory}


def run_plain(count: int, sample: int) -> dict[str, float]:
    """openpyxl per invoice: load the template, write the values at its defined names, save."""
    from openpyxl import load_workbook

    from arxl.formats.invoice_cells import AMOUNTS, head_values, line_values, vat_values, with_decimals
    from arxl.formats.invoice_doc import DEFAULT_TEMPLATE
    from arxl.formats.invoice_model import documents
    from arxl.formats.xlsx.writer import set_text

    invoices, lines, customers, settings = register(count)
    docs, _ = documents(invoices[:sample], lines, customers, settings)
    out = OUT / "plain"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    for doc in docs:
        book = load_workbook(DEFAULT_TEMPLATE)
        sheet = book["Invoice"]
        where = {name: str(d.attr_text).split("!")[1].replace("$", "") for name, d in book.defined_names.items()}

        def put(ref: str, value: object, amount: bool, places: int, sheet: Any = sheet) -> None:
            cell = sheet[ref]
            if cell.data_type != "f":  # formula cells keep their formula; openpyxl saves no cached value
                cell.value = None
                if isinstance(value, str) and value:
                    set_text(cell, value)
                elif value is not None and not isinstance(value, str):
                    cell.value = value
            if amount:
                cell.number_format = with_decimals(cell.number_format, places)

        places = doc.decimals
        for name, value in head_values(doc).items():
            if name in where:
                put(where[name], value, name in AMOUNTS, places)
        for block, values in (("inv_lines", line_values(doc)), ("inv_vat", vat_values(doc))):
            first, last = (int("".join(c for c in part if c.isdigit())) for part in where[block].split(":"))
            columns = {name: ref.rstrip("0123456789") for name, ref in where.items()
                       if name.startswith("line_" if block == "inv_lines" else "vat_")}
            for i, row in enumerate(range(first, last + 1)):
                row_values = values[i] if i < len(values) else {}
                for name, column in columns.items():
                    put(f"{column}{row}", row_values.get(name), name in AMOUNTS, places)
                sheet.row_dimensions[row].hidden = i >= len(values)
        book.save(out / f"{doc.number}.xlsx")
    seconds = time.perf_counter() - started
    return {"invoices": len(docs), "seconds": seconds}


def run_pdf(count: int) -> dict[str, float]:
    from arxl.formats.invoice_doc import to_pdf
    from arxl.formats.libreoffice import LibreOffice

    sources = sorted((OUT / "arxl").glob("*.xlsx"))[:count]
    out = OUT / "pdf"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    with LibreOffice() as office:
        pdfs = to_pdf(sources, out, office, batch_size=50)
    return {"invoices": len(pdfs), "seconds": time.perf_counter() - started}


def measure(call: str) -> dict[str, float]:
    """Run one approach in a fresh process; return its figures and peak memory."""
    code = (f"import sys, json, resource; sys.path.insert(0, {str(HERE)!r}); import invoices as b; "
            f"r = b.{call}; r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
            "print(json.dumps(r))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--plain", type=int, default=200, help="invoices timed for openpyxl (extrapolated)")
    parser.add_argument("--pdf", type=int, default=100)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores")
    arxl = measure(f"run_arxl({args.count})")
    plain = measure(f"run_plain({args.count}, {min(args.plain, args.count)})")
    arxl_rate = arxl["invoices"] / arxl["seconds"]
    plain_rate = plain["invoices"] / plain["seconds"]
    print(f"arxl      {arxl['invoices']:>6,.0f} invoices  {arxl['seconds']:6.2f} s  {arxl_rate:>7,.0f} invoices/s  "
          f"({1000 / arxl_rate:.2f} ms each, template loaded once in {arxl['load_seconds'] * 1000:.0f} ms, "
          f"{arxl['bytes'] / 1024:.1f} KB a file)  peak {arxl['peak_mb']:,.0f} MB")
    print(f"          the same without the disk (rendered in memory): {arxl['memory_seconds']:.2f} s, "
          f"{arxl['invoices'] / arxl['memory_seconds']:,.0f} invoices/s")
    print(f"openpyxl  {plain['invoices']:>6,.0f} invoices  {plain['seconds']:6.2f} s  {plain_rate:>7,.0f} invoices/s  "
          f"({1000 / plain_rate:.2f} ms each; {args.count:,} would take {args.count / plain_rate:.1f} s)  "
          f"peak {plain['peak_mb']:,.0f} MB")
    print(f"arxl is {arxl_rate / plain_rate:.1f}x openpyxl load + fill + save (target: at least 500 invoices/s, "
          "about 4x)")
    if shutil.which("soffice") and args.pdf:
        pdf = measure(f"run_pdf({args.pdf})")
        print(f"PDF       {pdf['invoices']:>6,.0f} invoices  {pdf['seconds']:6.2f} s  "
              f"{pdf['invoices'] / pdf['seconds']:>7,.1f} invoices/s  (LibreOffice, batches of 50)  "
              f"peak {pdf['peak_mb']:,.0f} MB (Python side)")


if __name__ == "__main__":
    main()
