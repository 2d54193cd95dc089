"""Refresh the Aging sheet of a ledger of 200,000 invoices over 20,000 customers, end to end; and, in the same
run, LibreOffice recalculating that sheet, with what its formulas reference before and after issue 13.

arxl's figure is end to end, as ``arxl aging BOOK --as-of 2025-06-30`` runs it: the package's safety checks,
reading Settings, Customers, Invoices, Receipts and Allocations into typed rows, the open items as of the date,
the buckets and the sheet (one SUMIFS per figure, with Python's result stored as the cached value), and the
atomic save through the fast route (the sheet's XML written directly, every other part copied compressed,
the backup kept). It runs in a fresh process so that its peak memory (max RSS) is its own.

LibreOffice's figure is the recalculation alone: the same workbook converted twice in one headless
LibreOffice, once with recalculation on load set to "never" and once to "always"; the difference is the time
spent computing the Aging sheet's SUMIFS (a user's hand-built aging does the same work).

What the formulas cost, before and after (issue 13): the cells the Aging sheet's formulas reference, per row of
the sheet (:mod:`tests.formula_cost`). "Before" is the layout of commit 729e814 (each summary line's SUMIFS over
the whole detail), its ``arxl/aging/sheet.py`` loaded from git in this run and given the same report; "after" is
this code's (each line's SUMIFS over its customer's block of a detail sorted by customer). LibreOffice
recalculates the after-sheet of the big ledger, and both layouts of the small one (the before-sheet of the big
ledger would take it tens of minutes: ``--before-big`` to try).

The ledgers are built once, with a lean writer (rows joined as sheet XML into a template workbook written by
arxl), and cached under out/bench/.

    python bench/aging.py [--invoices 200000] [--customers 20000] [--lo-invoices 20000] [--lo-customers 2000]
                          [--no-libreoffice] [--before-big]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from decimal import Decimal
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / "out" / "bench"
AS_OF = dt.date(2025, 6, 30)
_EPOCH = dt.date(1899, 12, 30)
BEFORE = "729e8146348fddea9dba53c4985a86379c9fe6d0"  # the Aging layout before issue 13: SUMIFS over the whole detail
sys.path.insert(0, str(ROOT))


# --- the ledger -------------------------------------------------------------------------------------------


def _letters(n: int) -> str:
    from arxl.ledger.port import column_letter

    return column_letter(n)


def _template(path: Path, rate_days: int = 0) -> dict[str, list[object]]:
    """A small billing workbook written by arxl: one RWF row and one USD row in each big table, so that the
    lean writer can reuse the cell formats arxl gives each column (dates, RWF and USD amounts). The Rates sheet
    has the closing rate, and with ``rate_days`` a rate for every day of the story too (a foreign document
    carried at its own date's rate)."""
    from arxl.formats.xlsx.writer import write_book
    from arxl.ledger.records import Allocation, Customer, ExchangeRate, Invoice, Receipt, Setting, TaxCodeRow

    day = dt.date(2025, 1, 2)
    tables: dict[str, list[object]] = {
        "Settings": [Setting(key="Company Name", value="Bench Cloud Ltd"), Setting(key="Base Currency", value="RWF"),
                     Setting(key="Aging Buckets", value="30,60,90,120"),
                     Setting(key="As Of", value=AS_OF.isoformat())],  # bench/batch.py's jobs read it
        "Rates": [ExchangeRate(date=AS_OF, currency="USD", rate=Decimal(1440), source="BNR")]  # the closing rate
        + [ExchangeRate(date=dt.date(2024, 1, 1) + dt.timedelta(days=n), currency="USD",
                        rate=Decimal(1250) + Decimal(n) / 2, source="BNR")
           for n in range(rate_days) if dt.date(2024, 1, 1) + dt.timedelta(days=n) != AS_OF],
        "TaxCodes": [TaxCodeRow(code="VAT18", rate=Decimal("0.18"), effective_from=dt.date(2023, 1, 1))],
        "Customers": [Customer(customer_id=f"T{c}", name="x", customer_type="private", currency=c, terms="NET30")
                      for c in ("RWF", "USD")],
        "Invoices": [Invoice(invoice_no=f"T-{c}", invoice_date=day, due_date=day, customer_id="T", currency=c,
                             net_amount=Decimal(1), vat_amount=Decimal(0), total_amount=Decimal(1), terms="NET30",
                             ebm_date=day) for c in ("RWF", "USD")],
        "Receipts": [Receipt(receipt_id=f"T-{c}", date=day, amount=Decimal(1), currency=c, customer_id="T",
                             narrative="x") for c in ("RWF", "USD")],
        "Allocations": [Allocation(receipt_id=f"T-{c}", invoice_no="T", date=day, currency=c,
                                   applied_amount=Decimal(1)) for c in ("RWF", "USD")],
    }
    write_book(path, tables)  # type: ignore[arg-type]
    return tables


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Sheet name -> (worksheet part, table part)."""
    workbook = archive.read("xl/workbook.xml").decode()
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Id="(rId[0-9]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId[0-9]+)"', rels)})
    found: dict[str, tuple[str, str]] = {}
    for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="(rId[0-9]+)"', workbook):
        part = "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
        sheet_rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        table = ""
        if sheet_rels in archive.namelist():
            match = re.search(r'Target="[^"]*tables/(table[0-9]+\.xml)"', archive.read(sheet_rels).decode())
            table = f"xl/tables/{match.group(1)}" if match else ""
        found[name] = (part, table)
    return found


def _styles_of(sheet_xml: str, row: int) -> list[str]:
    """The style index of each cell of one row of the template."""
    match = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', sheet_xml)
    assert match, row
    return [s or "0" for s in re.findall(r'<c r="[A-Z]+[0-9]+"(?: s="([0-9]+)")?', match.group(1))]


def _story(invoices: int, customers: int, seed: int = 1, days: int = 546) -> dict[str, list[dict[str, object]]]:
    """Eighteen months of invoices, most of them paid (some after the as-of date), some part-paid, a few credit
    notes, overpayments and receipts nobody has identified yet."""
    rng = random.Random(seed)
    people: list[dict[str, object]] = []
    for n in range(1, customers + 1):
        currency = "USD" if rng.random() < 0.12 else "RWF"
        people.append({"customer_id": f"C{n:05d}", "name": f"Customer {n:05d} {rng.choice(_WORDS)} Ltd",
                       "customer_type": rng.choice(("government", "private", "ngo", "private")),
                       "terms": "NET30", "currency": currency, "email": f"ar{n}@example.rw"})
    start = dt.date(2024, 1, 1)
    rows: dict[str, list[dict[str, object]]] = {"Customers": people, "Invoices": [], "Receipts": [],
                                                 "Allocations": []}
    invoices_out, receipts, allocations = rows["Invoices"], rows["Receipts"], rows["Allocations"]
    receipt_no = 0
    for n in range(1, invoices + 1):
        who = people[rng.randrange(customers)]
        currency = str(who["currency"])
        day = start + dt.timedelta(days=rng.randrange(days))
        due = day + dt.timedelta(days=30)
        if currency == "RWF":
            net = Decimal(rng.randrange(50, 50_000) * 1000)
            vat = (net * Decimal("0.18")).quantize(Decimal(1))
        else:
            net = Decimal(rng.randrange(10_000, 2_000_000)) / 100
            vat = Decimal(0)
        total = net + vat
        number = f"INV-{day.year}-{n:06d}"
        invoices_out.append({"invoice_no": number, "doc_type": "invoice", "invoice_date": day, "due_date": due,
                             "customer_id": who["customer_id"], "currency": currency, "net_amount": net,
                             "vat_amount": vat, "total_amount": total, "terms": "NET30",
                             "period": day.strftime("%Y-%m"), "status": "open"})
        if rng.random() < 0.004:  # a credit note on part of it
            credit = (total / 4).quantize(Decimal(1) if currency == "RWF" else Decimal("0.01"))
            invoices_out.append({"invoice_no": f"CN-{day.year}-{n:06d}", "doc_type": "credit_note",
                                 "invoice_date": day + dt.timedelta(days=5), "due_date": day + dt.timedelta(days=5),
                                 "customer_id": who["customer_id"], "currency": currency, "net_amount": -credit,
                                 "vat_amount": Decimal(0), "total_amount": -credit, "original_invoice": number,
                                 "status": "open"})
            total -= credit
        overdue = (AS_OF - due).days
        chance = 0.97 if overdue > 90 else 0.85 if overdue > 30 else 0.6 if overdue > 0 else 0.2
        if rng.random() >= chance:
            continue
        paid_on = min(due + dt.timedelta(days=rng.randrange(-25, 45)), AS_OF + dt.timedelta(days=31))
        paid_on = max(paid_on, day)
        applied = total if rng.random() > 0.04 else (total / 2).quantize(
            Decimal(1) if currency == "RWF" else Decimal("0.01"))
        receipt_no += 1
        amount = applied + (Decimal(5000 if currency == "RWF" else 20) if rng.random() < 0.01 else Decimal(0))
        receipt_id = f"R-{receipt_no:07d}"
        receipts.append({"receipt_id": receipt_id, "date": paid_on, "amount": amount, "currency": currency,
                         "customer_id": who["customer_id"], "payer_name": who["name"],
                         "narrative": f"PAYMENT {number}", "bank_reference": f"FT{receipt_no:010d}"})
        allocations.append({"receipt_id": receipt_id, "invoice_no": number, "date": paid_on, "currency": currency,
                            "applied_amount": applied})
    for k in range(max(1, invoices // 2000)):  # receipts nobody could identify yet
        receipt_no += 1
        receipts.append({"receipt_id": f"R-{receipt_no:07d}", "date": AS_OF - dt.timedelta(days=k % 60),
                         "amount": Decimal(rng.randrange(10, 5000) * 1000), "currency": "RWF", "customer_id": "",
                         "narrative": "TRANSFER WITHOUT REFERENCE"})
    return rows


_WORDS = ("Kigali", "Rwanda", "Nyarugenge", "Gasabo", "Kicukiro", "Huye", "Musanze", "Rubavu", "Akagera", "Virunga",
          "Nyungwe", "Karongi", "Rusizi", "Muhanga", "Nyagatare", "Bugesera")


def make_ledger(path: Path, invoices: int, customers: int, days: int = 546, daily_rates: bool = False) -> None:
    """Write the bench ledger: arxl's template, its big tables' rows joined as sheet XML (inline strings, as
    arxl's openpyxl writer does)."""
    from arxl.ledger.records import TABLES, columns

    path.parent.mkdir(parents=True, exist_ok=True)
    template = path.with_suffix(".template.xlsx")
    _template(template, days if daily_rates else 0)
    story = _story(invoices, customers, days=days)
    with zipfile.ZipFile(template) as archive:
        parts = _sheet_parts(archive)
        contents = {name: archive.read(name) for name in archive.namelist()}
    for name, rows in story.items():
        part, table_part = parts[name]
        xml = contents[part].decode()
        cols = columns(TABLES[name].model)
        styles = {"RWF": _styles_of(xml, 2), "USD": _styles_of(xml, 3)}
        out = [re.search(r'<row r="1"[^>]*>.*?</row>', xml).group(0)]  # type: ignore[union-attr]
        letters = [_letters(j) for j in range(1, len(cols) + 1)]
        for r, values in enumerate(rows, start=2):
            cells = []
            style = styles[str(values.get("currency", "RWF"))]
            for j, column in enumerate(cols):
                value = values.get(column.field)
                if value is None or value == "":
                    continue
                ref = f"{letters[j]}{r}"
                s = style[j] if j < len(style) else "0"
                if isinstance(value, str):
                    cells.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is><t>{escape(value, quote=False)}</t></is></c>')
                elif isinstance(value, dt.date):
                    cells.append(f'<c r="{ref}" s="{s}"><v>{(value - _EPOCH).days}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" s="{s}"><v>{value}</v></c>')
            out.append(f'<row r="{r}">{"".join(cells)}</row>')
        last = max(2, len(rows) + 1)
        ref = f"A1:{letters[-1]}{last}"
        start, end = xml.index("<sheetData>"), xml.index("</sheetData>") + len("</sheetData>")
        xml = xml[:start] + "<sheetData>" + "".join(out) + "</sheetData>" + xml[end:]
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', xml)
        contents[part] = xml.encode()
        table = contents[table_part].decode()
        table = re.sub(r'\bref="[^"]*"', f'ref="{ref}"', table)
        contents[table_part] = table.encode()
    temp = path.with_suffix(".part")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    os.replace(temp, path)
    template.unlink()


def ledger_path(invoices: int, customers: int) -> Path:
    path = CACHE / f"aging-ledger-{invoices}-{customers}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        make_ledger(path, invoices, customers)
        print(f"built {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
              flush=True)
    return path


# --- arxl, end to end -------------------------------------------------------------------------------------


def run_arxl(path: Path, parallel: bool | None = None) -> dict[str, float]:
    """Refresh the Aging sheet as ``arxl aging`` does, timing each stage (``parallel=False``: one process)."""
    from arxl.aging.sheet import AGING_COLUMNS, AGING_ELSEWHERE, aging_report, aging_sheet
    from arxl.core.background import paused_gc
    from arxl.formats.xlsx.apply import apply_changes
    from arxl.formats.xlsx.fastread import read_columns
    from arxl.ledger.changes import ChangeSet

    times = {}
    started = time.perf_counter()
    ledger, problems = read_columns(path, AGING_COLUMNS, AGING_ELSEWHERE, parallel=parallel)
    if any(p.severity == "error" for p in problems):
        raise SystemExit(f"unexpected problems: {problems[:3]}")
    times["read"] = time.perf_counter() - started
    with paused_gc():
        mark = time.perf_counter()
        report = aging_report(ledger, AS_OF)
        times["open items and buckets"] = time.perf_counter() - mark
        mark = time.perf_counter()
        changes = ChangeSet()
        changes.replace_sheet(aging_sheet(report))
        times["sheet spec"] = time.perf_counter() - mark
        mark = time.perf_counter()
        apply_changes(path, changes)
        times["write (fast route, atomic)"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    times["invoices"] = len(ledger.invoices)
    times["customers"] = len(ledger.customers)
    times["receipts"] = len(ledger.receipts)
    times["allocations"] = len(ledger.allocations)
    times["open items"] = len(report.items)
    times["summary rows"] = sum(len(b.customers) for b in report.blocks)
    return times


def measure_arxl(path: Path, parallel: bool | None = None) -> dict[str, float]:
    """run_arxl in a fresh process on a copy of the ledger; adds its peak memory."""
    copy = path.with_name("run-" + path.name)
    shutil.copyfile(path, copy)
    code = (f"import sys, json, resource; sys.path.insert(0, {str(HERE)!r}); import aging as b; "
            f"from pathlib import Path; r = b.run_arxl(Path({str(copy)!r}), {parallel!r}); "
            "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
            "r['helper_peak_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; print(json.dumps(r))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- LibreOffice recalculating the SUMIFS -----------------------------------------------------------------

_NEVER = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>1</value></prop></item>
</oor:items>
"""


def measure_libreoffice(path: Path, invoices: float) -> dict[str, float]:
    """Seconds LibreOffice spends recalculating the workbook's formulas (load + save subtracted). The ledger is
    not read again: with its Aging sheet the 200,000-invoice book unpacks to more than arxl's 300 MB limit."""
    from arxl.formats.libreoffice import LibreOffice

    with tempfile.TemporaryDirectory(prefix="arxl-bench-") as folder:
        out = Path(folder)
        timings = {}
        for mode in ("never", "always"):
            office = LibreOffice(timeout=3600)
            try:
                if mode == "never":
                    (office.profile / "user" / "registrymodifications.xcu").write_text(_NEVER, encoding="utf-8")
                office.convert([_tiny(out)], out / "warm", "xlsx")  # the first start of a profile is slower
                started = time.perf_counter()
                office.recalculate(path, out / mode)
                timings[mode] = time.perf_counter() - started
            finally:
                office.close()
        with zipfile.ZipFile(out / "always" / path.name) as archive:
            sheet = _aging_part(archive)
            formulas = archive.read(sheet).count(b"<f")
    return {"load_save": timings["never"], "with_recalc": timings["always"],
            "recalc": timings["always"] - timings["never"], "formulas": formulas,
            "invoices": invoices}


def _tiny(folder: Path) -> Path:
    path = folder / "tiny.xlsx"
    if not path.exists():
        from openpyxl import Workbook

        book = Workbook()
        book.active["A1"] = "=1+1"  # type: ignore[index]
        book.save(path)
    return path


# --- what the formulas reference, before and after --------------------------------------------------------


def layout_before() -> types.ModuleType:
    """``arxl/aging/sheet.py`` as it was before issue 13, loaded from git as a module of its own."""
    source = subprocess.run(["git", "show", f"{BEFORE}:arxl/aging/sheet.py"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    module = types.ModuleType("aging_sheet_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{BEFORE[:7]}:arxl/aging/sheet.py", "exec"), module.__dict__)
    return module


def layout_costs(path: Path) -> dict[str, object]:
    """The Aging sheet of ``path`` in both layouts (same report): formulas, referenced cells, rows."""
    from arxl.aging.sheet import AGING_COLUMNS, AGING_ELSEWHERE, aging_report, aging_sheet
    from arxl.formats.xlsx.fastread import read_columns
    from tests.formula_cost import sheet_cost

    ledger, _ = read_columns(path, AGING_COLUMNS, AGING_ELSEWHERE)
    report = aging_report(ledger, AS_OF)
    before = layout_before()
    return {"report": report, "before": sheet_cost(before.aging_sheet(report)),
            "after": sheet_cost(aging_sheet(report)), "before_sheet": before.aging_sheet}


def with_sheet(path: Path, spec: object, name: str) -> Path:
    """A copy of the ledger ``path`` with the Aging sheet ``spec`` (written through arxl's fast route)."""
    from arxl.formats.xlsx.apply import apply_changes
    from arxl.ledger.changes import ChangeSet, SheetSpec

    assert isinstance(spec, SheetSpec)
    copy = path.with_name(f"{name}-{path.name}")
    shutil.copyfile(path, copy)
    changes = ChangeSet()
    changes.replace_sheet(spec)
    apply_changes(copy, changes)
    return copy


def _aging_part(archive: zipfile.ZipFile) -> str:
    for name, (part, _) in _sheet_parts(archive).items():
        if name == "Aging":
            return part
    raise SystemExit("no Aging sheet in LibreOffice's output")


def _cost_line(label: str, cost: object) -> str:
    from tests.formula_cost import FormulaCost

    assert isinstance(cost, FormulaCost)
    return (f"  {label:52s} {cost.formulas:>9,} formulas {cost.cells:>15,} cells referenced over {cost.rows:>7,} "
            f"rows: {cost.per_row:>10,.1f} a row")


def _lo_line(label: str, lo: dict[str, float]) -> str:
    return (f"  {label:52s} {lo['recalc']:7.1f} s  ({lo['with_recalc']:.1f} s with recalculation, "
            f"{lo['load_save']:.1f} s without; {lo['formulas']:,.0f} formulas)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--lo-invoices", type=int, default=20_000)
    parser.add_argument("--lo-customers", type=int, default=2_000)
    parser.add_argument("--no-libreoffice", action="store_true")
    parser.add_argument("--before-big", action="store_true",
                        help="LibreOffice recalculates the big ledger's before-sheet too (tens of minutes)")
    parser.add_argument("--sequential", action="store_true", help="read in one process (no helper process)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores", flush=True)
    big = ledger_path(args.invoices, args.customers)
    r = measure_arxl(big, False if args.sequential else None)
    print(f"arxl aging --as-of {AS_OF}: {r['invoices']:,.0f} invoices, {r['receipts']:,.0f} receipts, "
          f"{r['allocations']:,.0f} allocations, {r['customers']:,.0f} customers -> {r['open items']:,.0f} open "
          f"items, {r['summary rows']:,.0f} customer rows")
    for stage in ("read", "open items and buckets", "sheet spec", "write (fast route, atomic)"):
        print(f"  {stage:28s} {r[stage]:6.2f} s")
    verdict = "within" if r["total"] <= 10 else "OVER"
    print(f"  {'end to end':28s} {r['total']:6.2f} s  {r['invoices'] / r['total']:>9,.0f} invoices/s  "
          f"{r['open items'] / r['total']:>8,.0f} open items/s  peak {r['peak_mb']:,.0f} MB (helper process "
          f"{r['helper_peak_mb']:,.0f} MB)  "
          f"({verdict} the 10 s target)", flush=True)
    costs = layout_costs(big)
    print(f"The Aging sheet's formulas, {r['invoices']:,.0f} invoices ({r['open items']:,.0f} open items):")
    print(_cost_line(f"before ({BEFORE[:7]}: SUMIFS over the whole detail)", costs["before"]))
    print(_cost_line("after (SUMIFS over the customer's block)", costs["after"]), flush=True)
    if args.no_libreoffice:
        return
    print("LibreOffice recalculating the Aging sheet (load and save subtracted):", flush=True)
    lo = measure_libreoffice(big.with_name("run-" + big.name), r["invoices"])
    print(_lo_line(f"after, {lo['invoices']:,.0f} invoices", lo), flush=True)
    if args.before_big:
        report, layout = costs["report"], costs["before_sheet"]
        assert callable(layout)
        old = measure_libreoffice(with_sheet(big, layout(report), "before"), r["invoices"])
        print(_lo_line(f"before, {old['invoices']:,.0f} invoices", old), flush=True)
    del costs
    small = ledger_path(args.lo_invoices, args.lo_customers)
    done = measure_arxl(small)  # the small ledger gets its Aging sheet from arxl, the SUMIFS LibreOffice computes
    few = layout_costs(small)
    layout = few["before_sheet"]
    assert callable(layout)
    old = measure_libreoffice(with_sheet(small, layout(few["report"]), "before"), done["invoices"])
    new = measure_libreoffice(small.with_name("run-" + small.name), done["invoices"])
    print(_lo_line(f"before, {old['invoices']:,.0f} invoices ({done['open items']:,.0f} open items)", old))
    print(_lo_line(f"after, {new['invoices']:,.0f} invoices", new))
    print(_cost_line("  its formulas before", few["before"]))
    print(_cost_line("  its formulas after", few["after"]))
    print(f"arxl on the same small ledger, end to end: {done['total']:.2f} s  "
          f"{done['invoices'] / done['total']:,.0f} invoices/s")


if __name__ == "__main__":
    main()
