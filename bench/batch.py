"""``arxl batch`` at scale: statements of account a second with 1 and 2 workers, on the process pool and on a
Dask LocalCluster, the scheduler's overhead per task, and the peak memory of all the processes.

- **statements (xlsx)**: one workbook with many customers (bench/aging.py's ``make_ledger``), its statements
  written by chunks of customers (tasks), recorded once by the parent: ``arxl batch statements BOOK``.
- **statements with PDFs**: the same with ``--pdf`` (one LibreOffice per task) on a smaller workbook.
- **overhead per task**: a batch of trivial tasks (each returns at once): wall time / tasks, on each runner.
- **peak memory**: the RSS of the parent and every process under it (pool workers, the Dask nannies, workers
  and LibreOffice), sampled every 0.1 s and summed: "tree peak MB". ``getrusage(RUSAGE_CHILDREN)`` gives only
  the largest child that has ended, printed beside it as "largest child MB".

    python bench/batch.py [--statements 10000] [--pdfs 1000] [--workers 1,2] [--trivial 200]
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def trivial(n: int) -> Any:
    """A task that does nothing: what is left of its time is the runner's."""
    from arxl.app.batch import Row

    return Row(str(n), "trivial", True, "", 0.0)


class TreePeak:
    """The peak of the summed RSS of this process and all its descendants, sampled in a thread."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self.me, *self.me.children(recursive=True)]:
                with suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def cluster(workers: int) -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=40) as local:
        yield local.scheduler_address


def measure(label: str, run: Callable[[], list[Any]]) -> tuple[float, list[Any], float]:
    with TreePeak() as peak:
        started = time.perf_counter()
        rows = run()
        seconds = time.perf_counter() - started
    failed = [r for r in rows if not r.ok]
    if failed:
        raise SystemExit(f"{label}: {len(failed)} task(s) failed: {failed[0].reason}")
    return seconds, rows, peak.peak / 2**20


def statements_row(kind: str, runner: str, workers: int, book: Path, pdf: bool, work: Path) -> str:
    from arxl.app.batch import run_batch

    own = work / f"{kind}-{runner}-{workers}"
    own.mkdir()
    copy = Path(shutil.copy(book, own / book.name))

    def go(scheduler: str | None) -> list[Any]:
        return run_batch("statements", [copy], own / "out", workers=workers, scheduler=scheduler, pdf=pdf)

    if runner == "pool":
        seconds, rows, peak = measure(kind, lambda: go(None))
    else:
        with cluster(workers) as address:
            seconds, rows, peak = measure(kind, lambda: go(address))
    count = sum(1 for p in (own / "out" / copy.stem / "statements").glob("*.xlsx"))
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return (f"| {kind} | {runner} | {workers} | {count:,} | {len(rows) - 1} | {seconds:.1f} | "
            f"{count / seconds:.1f} | {peak:,.0f} | {child:,.0f} |")


def overhead(runner: str, workers: int, tasks: int) -> str:
    from arxl.app.batch import Runner

    calls = [(trivial, (n,), "trivial") for n in range(tasks)]
    if runner == "pool":
        with Runner(workers) as pool:
            list(pool.map(calls[:workers]))  # the workers started (spawned, arxl imported) before the clock
            started = time.perf_counter()
            list(pool.map(calls))
            seconds = time.perf_counter() - started
    else:
        with cluster(workers) as address, Runner(workers, address) as dask:
            list(dask.map(calls[:workers]))
            started = time.perf_counter()
            list(dask.map(calls))
            seconds = time.perf_counter() - started
    return f"| {runner} | {workers} | {tasks} | {seconds:.2f} | {seconds / tasks * 1000:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10_000, help="statements of account (xlsx)")
    parser.add_argument("--pdfs", type=int, default=1_000, help="statements with PDFs")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--trivial", type=int, default=200, help="trivial tasks for the overhead")
    parser.add_argument("--runners", default="pool,dask")
    args = parser.parse_args()
    from aging import make_ledger

    workers = [int(w) for w in args.workers.split(",")]
    runners = args.runners.split(",")
    print(f"# arxl batch on {platform.machine()}, {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("| job | runner | workers | statements | tasks | seconds | a second | tree peak MB | largest child MB |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for kind, wanted, pdf in (("xlsx", args.statements, False), ("xlsx+PDF", args.pdfs, True)):
            if not wanted:
                continue
            customers = max(2, int(wanted * 1.65))  # about 6 customers in 10 have a statement at the as-of date
            book = work / f"ledger-{kind}.xlsx"
            make_ledger(book, customers * 5, customers)
            for runner in runners:
                for n in workers:
                    print(statements_row(kind, runner, n, book, pdf, work), flush=True)
        print()
        print("| runner | workers | trivial tasks | seconds | ms a task |")
        print("|---|---:|---:|---:|---:|")
        for runner in runners if args.trivial else []:
            for n in workers:
                print(overhead(runner, n, args.trivial), flush=True)


if __name__ == "__main__":
    main()
