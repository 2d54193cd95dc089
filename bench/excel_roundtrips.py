"""Round trips into Excel of every ribbon macro through the live-Excel host, before and after issue 13.

Each call the host makes into Excel (a COM call on Windows, an Apple event on a Mac) costs 0.1 to 1 ms; the
in-memory Excel engine of the tests (tests/xlmemory) stands in for Excel behind xlwings' own front end and
counts them. For each button of the ribbon, pressed in the ribbon's order on the sample workbook, and for the
aging refresh of a generated ledger of 20,000 invoices, this prints the rows the macro wrote (appended rows,
updated cells and the rows of the sheets it generated), the calls into Excel and the seconds in the memory
engine (its own speed, not Excel's: calls x 0.1-1 ms is Excel's share). BEFORE is the host as it was at
commit 729e814 (loaded from git into a module of its own, in the same run), AFTER the host of this checkout.

    python bench/excel_roundtrips.py [--invoices 20000] [--customers 2000] [--skip-before]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASELINE = "729e814"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def baseline_host(folder: Path) -> ModuleType:
    """arxl/excel/host.py as it was at the baseline commit, as a module of its own."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE}:arxl/excel/host.py"], check=True,
                            capture_output=True, text=True).stdout
    path = folder / f"host_{BASELINE}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"host_{BASELINE}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def written(host: Any) -> list[int]:
    """Wrap the host's apply to count the rows each ChangeSet writes."""
    count = [0]
    apply = host.apply

    def counting(changes: Any) -> None:
        count[0] += sum(len(rows) for rows in changes.appends.values()) + len(changes.updates)
        count[0] += sum(spec.height for spec in changes.sheets)
        apply(changes)

    host.apply = counting
    return count


Figures = tuple[int, int, float, str]  # rows written, calls, seconds, how it ended ("" done)


def measure(host: Any, run: Callable[[], Any]) -> Figures:
    from tests.xlmemory import CALLS, reset

    rows = written(host)
    reset()
    start = time.perf_counter()
    try:
        report = run()
        ended = "refused" if getattr(report, "refused", False) else ""
    except Exception as exc:  # the old host fails where the new one runs: say how, go on
        ended = f"failed: {type(exc).__name__}"
    seconds = time.perf_counter() - start
    return rows[0], CALLS.total(), seconds, ended


def sample(folder: Path) -> Path:
    from arxl.formats.xlsx.host import FileHost
    from arxl.ledger.changes import ChangeSet
    from arxl.ledger.records import Setting
    from arxl.sample import write_sample

    folder.mkdir(parents=True, exist_ok=True)
    book, statement = write_sample(folder / "billing.xlsx")
    changes = ChangeSet()
    changes.append("Settings", [Setting(key="Statement File", value=statement.name)])
    FileHost(book).apply(changes)
    return book


def buttons(module: ModuleType, book: Path, folder: Path) -> dict[str, Figures]:
    """Every button in the ribbon's order on a copy of the sample, through the host of ``module``."""
    import arxl.macros as macros
    from arxl.app import cash
    from tests.xlmemory import activated

    folder.mkdir(parents=True)
    for other in book.parent.iterdir():
        if other.is_file():
            shutil.copy(other, folder / other.name)
    figures = {}
    with activated() as app:
        host = module.ExcelHost(app.books.open(str(folder / book.name)))
        for button in macros.BUTTONS:
            figures[button] = measure(host, lambda b=button: macros.run(b, host))  # type: ignore[misc]
            if button == "import_statement":
                with contextlib.suppress(Exception):  # the old host cannot read the Reconciliation sheet
                    cash.approve_matches(host)
    return figures


def aging(module: ModuleType, ledger: Path) -> Figures:
    from aging import AS_OF

    from arxl.app import receivables
    from tests.xlmemory import activated

    with activated() as app:
        host = module.ExcelHost(app.books.open(str(ledger)))
        return measure(host, lambda: receivables.refresh_aging(host, AS_OF))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--skip-before", action="store_true", help="only the host of this checkout")
    args = parser.parse_args()
    from aging import make_ledger

    import arxl.excel.host as after

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        hosts = {"after": after} if args.skip_before else {"before": baseline_host(folder), "after": after}
        book = sample(folder / "sample")
        ledger = folder / "ledger" / "billing.xlsx"
        make_ledger(ledger, args.invoices, args.customers)
        results = {name: buttons(module, book, folder / name) for name, module in hosts.items()}
        big = {name: aging(module, ledger) for name, module in hosts.items()}
    print(f"Excel round trips per macro (memory engine; {dt.date.today():%Y-%m-%d}; before = {BASELINE})")
    print(f"{'macro':<28}{'rows':>8}" + "".join(f"{name + ' calls':>14}{name + ' s':>10}" for name in hosts))
    lines = [*((button, {name: results[name][button] for name in hosts}) for button in results["after"]),
             (f"aging, {args.invoices:,} invoices", big)]
    for label, figures in lines:
        print(f"{label:<28}{figures['after'][0]:>8,}" + "".join(
            f"{figures[name][1]:>14,}{figures[name][2]:>10.2f}" for name in hosts) + "".join(
            f"  ({name}: {figures[name][3]})" for name in hosts if figures[name][3]))


if __name__ == "__main__":
    main()
