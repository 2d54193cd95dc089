"""``arxl batch``: the same documents from a Dask cluster as from the process pool, a worker killed mid-batch
without an invoice numbered twice, and a bad workbook that fails alone, naming its cell."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from arxl.app.batch import Row, run_batch
from arxl.cli import main
from arxl.sample import write_sample

distributed = pytest.importorskip("distributed")

SEEDS = (1, 2, 3)
VOLATILE = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("seeds")
    return [write_sample(folder / f"entity{seed}.xlsx", seed=seed)[0] for seed in SEEDS]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


def copies(books: list[Path], folder: Path) -> list[Path]:
    folder.mkdir()
    return [Path(shutil.copy(book, folder / book.name)) for book in books]


def parts(path: Path) -> dict[str, bytes]:
    """An xlsx's parts, the save timestamps of docProps/core.xml taken out (the only volatile bytes)."""
    with zipfile.ZipFile(path) as archive:
        return {name: VOLATILE.sub(b"", archive.read(name)) for name in archive.namelist()}


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def documents(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.suffix in (".xlsx", ".pdf")}


def register(book: Path) -> list[tuple[str, str]]:
    """(Invoice No, Period) of every row of the invoice register."""
    sheet = openpyxl.load_workbook(book, read_only=True)["Invoices"]
    return [(str(r[0]), str(r[12])) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]


def assert_same_documents(ours: Path, theirs: Path) -> int:
    mine, other = documents(ours), documents(theirs)
    assert mine.keys() == other.keys()
    for name, path in mine.items():
        if path.suffix == ".pdf":
            assert pdf_text(path) == pdf_text(other[name]), name
        else:
            assert parts(path) == parts(other[name]), name
    return len(mine)


def test_a_dask_cluster_bills_three_entities_as_the_process_pool_does(books: list[Path], cluster: Any,
                                                                      tmp_path: Path) -> None:
    pool = run_batch("invoices", copies(books, tmp_path / "pool"), tmp_path / "pool-out", workers=2)
    dask = run_batch("invoices", copies(books, tmp_path / "dask"), tmp_path / "dask-out",
                     scheduler=cluster.scheduler_address)
    assert [r.ok for r in pool] == [r.ok for r in dask] == [True] * 3, [r.reason for r in pool + dask]
    assert [r.reason for r in pool] == [r.reason for r in dask]  # the same numbers and totals, book by book
    for book in books:
        billed = [no for no, period in register(tmp_path / "pool" / book.name) if period == "2025-07"]
        assert billed == [no for no, period in register(tmp_path / "dask" / book.name) if period == "2025-07"]
        assert len(billed) > 50
        folder = Path("invoices") / "2025-07"
        assert {p.stem for p in (tmp_path / "dask-out" / book.stem / folder).glob("*.xlsx")} == set(billed)
    assert assert_same_documents(tmp_path / "pool-out", tmp_path / "dask-out") > 150


def test_statements_of_one_workbook_by_chunks_match_the_single_command(books: list[Path], cluster: Any,
                                                                        tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of customers on the cluster, PDFs included: the same statements as ``arxl statements`` writes,
    and the workbook's StatementsLog written once, by the parent, which reads the workbook once."""
    (alone,) = copies(books[:1], tmp_path / "alone")
    assert main(["statements", str(alone), "--out", str(tmp_path / "alone-out"), "--no-reminders", "--pdf",
                 "--pdf-workers", "1"]) == 0
    (chunked,) = copies(books[:1], tmp_path / "chunked")
    from arxl.app import receivables

    reads: list[str] = []
    read = receivables.open_for_work

    def counting(host: Any, job: str) -> Any:
        reads.append(host.name)
        return read(host, job)

    monkeypatch.setattr(receivables, "open_for_work", counting)  # here, in the parent (the tasks run elsewhere)
    rows = run_batch("statements", [chunked], tmp_path / "chunked-out", scheduler=cluster.scheduler_address,
                     pdf=True)
    assert all(r.ok for r in rows), [r.reason for r in rows]
    # with PDFs one chunk a worker of the cluster (2), then the record
    assert len(rows) == 3 and rows[-1].chunk == "" and "60 statement(s) for 60 customer(s)" in rows[-1].reason
    assert len(reads) == 1  # listing the customers and recording their statements: one read of the workbook
    assert assert_same_documents(tmp_path / "alone-out", tmp_path / "chunked-out" / chunked.stem) == 120
    assert summary(chunked) == summary(alone)  # customer, name, currency and the amounts, line by line
    assert len(summary(chunked)) > 60


def summary(book: Path) -> list[tuple[Any, ...]]:
    """The Statements of Account sheet's rows, the link to each document (its folder differs) left out."""
    sheet = openpyxl.load_workbook(book, read_only=True)["Statements of Account"]
    return [tuple(r[:7]) for r in sheet.iter_rows(values_only=True) if r[0] is not None]


def executing(dask_worker: Any) -> int:
    return len(dask_worker.state.executing)


def test_a_worker_killed_mid_batch_leaves_no_invoice_numbered_twice(books: list[Path], tmp_path: Path) -> None:
    own = copies(books, tmp_path / "books")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local, distributed.Client(local) as client:
        rows: list[Row] = []
        batch = threading.Thread(target=lambda: rows.extend(
            run_batch("invoices", own, tmp_path / "out", scheduler=local.scheduler_address)))
        batch.start()
        pids = client.run(os.getpid)
        killed = None
        deadline = time.monotonic() + 60
        while killed is None and time.monotonic() < deadline:
            busy = [address for address, count in client.run(executing).items() if count]
            if busy:
                killed = pids[busy[0]]
                os.kill(killed, signal.SIGKILL)  # mid-task: its invoices may or may not be saved yet
            time.sleep(0.2)
        batch.join(300)
    assert killed is not None
    assert_billed_once(own, rows, tmp_path / "out")


def assert_billed_once(books: list[Path], rows: list[Row], out: Path) -> None:
    """Every workbook billed July once: numbers in sequence without gap or repeat, each document once, and a
    re-run finds nothing to do."""
    assert [r.ok for r in rows] == [True] * len(books), [r.reason for r in rows]
    for book in books:
        numbers = [no for no, _ in register(book)]
        assert [n for n, c in Counter(numbers).items() if c > 1] == []  # no invoice numbered twice
        july = [no for no, period in register(book) if period == "2025-07"]
        sequence = [int(no.rsplit("-", 1)[1]) for no in july]
        assert len(sequence) > 50
        assert sequence == list(range(sequence[0], sequence[0] + len(sequence)))  # no gap, no repeat
        folder = out / book.stem / "invoices" / "2025-07"
        assert {p.stem for p in folder.glob("*.xlsx")} == set(july)  # every document, once
    again = run_batch("invoices", books, out, workers=2)  # a re-run: the jobs' own idempotency
    assert [r.state for r in again] == ["nothing to do"] * len(books)


def test_a_pool_worker_killed_mid_batch_has_its_tasks_run_again(books: list[Path], tmp_path: Path) -> None:
    """The process pool breaks when a worker dies (the other is stopped too): what had not finished runs again
    on a new pool, and the jobs' idempotency leaves no invoice numbered twice and none missing."""
    own = copies(books, tmp_path / "books")
    rows = killing_a_pool_worker(lambda: run_batch("invoices", own, tmp_path / "out", workers=2), tmp_path / "out")
    assert_billed_once(own, rows, tmp_path / "out")


def killing_a_pool_worker(batch: Callable[[], list[Row]], out: Path) -> list[Row]:
    """The batch's rows, one of its pool's workers SIGKILLed as soon as a task has written a document in
    ``out`` (the tasks are then mid-way)."""
    rows: list[Row] = []
    running = threading.Thread(target=lambda: rows.extend(batch()))
    running.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline:
        workers = [w.pid for w in multiprocessing.active_children() if w.pid is not None]
        if workers and any(out.rglob("*.xlsx")):
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.01)
    running.join(300)
    assert killed is not None
    return rows


def test_a_bad_workbook_fails_alone_and_names_its_cell(books: list[Path], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    good1, bad, good2 = copies(books, tmp_path / "books")
    sheet = openpyxl.load_workbook(bad)
    sheet["Contracts"]["F2"] = "lots"
    sheet.save(bad)
    assert main(["batch", "aging", str(good1), str(bad), str(good2), "--workers", "2"]) == 2
    printed = capsys.readouterr()
    assert f"FAILED {bad.name}: " in printed.err and f"[{bad.name}]Contracts!F2" in printed.err
    assert "Traceback" not in printed.out + printed.err
    assert "2 task(s) done, 1 failed" in printed.out
    for book in (good1, good2):
        assert "Aging" in openpyxl.load_workbook(book, read_only=True).sheetnames
    assert "Aging" not in openpyxl.load_workbook(bad, read_only=True).sheetnames


def test_a_scheduler_nobody_answers_is_refused(books: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "aging", str(books[0]), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_a_pool_worker_killed_while_writing_statements_leaves_each_statement_once(books: list[Path],
                                                                                   tmp_path: Path) -> None:
    """Chunks of one workbook's customers on the pool, a worker killed mid-chunk: the chunks not finished run
    again, and the parent records the statements once, as ``arxl statements`` does."""
    (alone,) = copies(books[:1], tmp_path / "alone")
    assert main(["statements", str(alone), "--out", str(tmp_path / "alone-out"), "--no-reminders"]) == 0
    (chunked,) = copies(books[:1], tmp_path / "chunked")
    rows = killing_a_pool_worker(lambda: run_batch("statements", [chunked], tmp_path / "out", workers=2),
                                 tmp_path / "out")
    assert all(r.ok for r in rows), [r.reason for r in rows]
    assert "60 statement(s) for 60 customer(s)" in rows[-1].reason
    assert assert_same_documents(tmp_path / "alone-out", tmp_path / "out" / chunked.stem) == 60
    assert summary(chunked) == summary(alone)  # each customer's statement recorded once, amounts to the unit


def test_the_progress_bar_is_named_by_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from arxl.cli import batch as cli_batch

    drawn = io.StringIO()
    monkeypatch.setattr(cli_batch, "out", Console(file=drawn, force_terminal=True, width=80))
    display = cli_batch.Display("statements")
    display.total(2)
    display.tick(Row("a.xlsx", "statements", True, "", 0.1))
    display.close()
    assert "statements" in drawn.getvalue() and "tasks" not in drawn.getvalue()
    assert "1/2" in drawn.getvalue()
