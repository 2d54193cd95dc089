"""Batch runs: one job over many workbooks, or the statements of one large workbook by chunks of customers, on
every core (a process pool) or on a Dask distributed cluster.

A task is one workbook: it takes the workbook's lock (:func:`arxl.app.workbook.lock_for`), calls the SAME job as
the single-workbook command with the parameters of the workbook's Settings (as the ribbon does), journals what it
changed, and returns a :class:`Row` - never raises: a refusal or a bad cell is the row's reason (naming the cell),
a bug is a failed row with the exception's one-line text. A re-run skips what is done through the jobs' own
idempotency (invoices already billed, close steps done).

Statements of ONE workbook are split in two: the documents of each chunk of customers are written by the tasks
(they only read the workbook), then the parent, which holds the workbook's lock throughout, records once - the
StatementsLog sheet and, for reminders, the .eml files and CollectionsLog - through the same job, told which
documents are already written. One writer per workbook, whatever the number of workers.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import math
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arxl.app.report import Refused, Report
from arxl.core.errors import ArxlError

JOBS = ("invoices", "statements", "reminders", "aging", "audit-pack", "close")
CHUNKS_PER_WORKER = 4  # chunks of customers per worker: the last ones balance the load
PDF_CHUNKS_PER_WORKER = 1  # with PDFs each chunk starts a LibreOffice (1-2 s): fewer, larger chunks
RETRIES = 2  # times a task whose worker died runs again (on the pool as on Dask)

Tick = Callable[["Row"], None]


@dataclass(slots=True)
class Row:
    """The outcome of one task: its workbook (and chunk), the job, ok or failed, why, how long."""

    book: str
    job: str
    ok: bool
    reason: str
    seconds: float
    files: list[Path] = field(default_factory=list)
    chunk: str = ""  # "C001-C050" for a chunk of customers' statements

    @property
    def state(self) -> str:
        if not self.ok:
            return "failed"
        return "nothing to do" if self.reason.startswith("nothing") or "nothing new" in self.reason else "ok"


def output_of(book: Path, out: Path | None) -> Path:
    """A workbook's output folder: ``out/<book's stem>`` when given, else Settings' Output Folder beside it."""
    if out is not None:
        return out / book.stem
    from arxl.app.workbook import readable, settings_of

    return book.parent / (settings_of(readable(book)).output_folder or "out")


def run_task(job: str, book: Path, out: Path | None, pdf: bool, wait: float) -> Row:
    """One workbook's job, under its lock (waiting ``wait`` seconds for another command holding it), as the
    single-workbook command runs it (never raises)."""
    started = time.perf_counter()
    try:
        report = _locked(job, book, out, pdf, wait)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return Row(str(book), job, False, reason_of(exc), time.perf_counter() - started)
    return row_of(report, book, job, started)


def row_of(report: Report, book: Path, job: str, started: float) -> Row:
    """The row of a job that ran: ok with its headline, or failed with its refusal (naming the cell)."""
    reason = refusal(report) if report.refused else report.headline
    return Row(str(book), job, not report.refused, reason, time.perf_counter() - started, list(report.files))


def reason_of(exc: BaseException) -> str:
    """A failure in one line: an ArxlError's message (it names the cell), a refusal's reason, else the bug's text."""
    if isinstance(exc, Refused):
        return refusal(exc.report)
    if isinstance(exc, ArxlError):
        return str(exc)
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    at = f" (at {Path(where[0].filename).name}:{where[0].lineno})" if where else ""
    first = (str(exc).splitlines() or [""])[0]
    return f"internal error {type(exc).__name__}: {first}{at}"


def refusal(report: Report) -> str:
    """Why a job was refused, with the first error's cell."""
    reason = report.reasons[0] if report.reasons else report.headline
    errors = report.errors
    return f"{reason}: {errors[0]}" if errors and str(errors[0]) not in reason else reason


def _locked(job: str, book: Path, out: Path | None, pdf: bool, wait: float) -> Report:
    with holding(job, book, wait) as (host, journal):
        return journal(run_job(job, host, book, out, pdf))


@contextlib.contextmanager
def holding(job: str, book: Path, wait: float) -> Iterator[tuple[Any, Callable[[Report], Report]]]:
    """The workbook's host under its lock (released on leaving), and the function that journals a job's report
    (what it changed and wrote) unless the job was refused - for a task, and for the parent that records a
    workbook's statements."""
    from arxl.app.journal import record, workbook_hash
    from arxl.app.workbook import existing, lock_for
    from arxl.formats.xlsx.host import FileHost

    host = FileHost(existing(book))
    command = f"arxl batch {job} {book.name}"
    lock = lock_for(host, command, wait, say=lambda _text: None)
    try:
        before = workbook_hash(book)

        def journal(report: Report) -> Report:
            if not report.refused:
                record(host, before, command, outputs=report.files, warn=lambda _t: None)
            return report

        yield host, journal
    finally:
        lock.release()


def run_job(job: str, host: Any, book: Path, out: Path | None, pdf: bool) -> Report:
    """The job the single-workbook command (and the ribbon button) runs, with the workbook's Settings."""
    from arxl.app import audit, close, invoicing, receivables
    from arxl.app.journal import user
    from arxl.app.workbook import settings_of
    from arxl.core.period import Period

    settings = settings_of(host)
    folder = output_of(book, out)
    if job == "aging":
        return receivables.refresh_aging(host, settings.as_of)
    if job in ("statements", "reminders"):
        return receivables.statements_reminders(host, settings.as_of, folder, pdf=pdf, reminders=job == "reminders",
                                                pdf_workers=1)
    period = settings.period
    if not period:
        raise ArxlError(f"{book.name}: Settings has no Period: put the month to work on (YYYY-MM) in Settings, "
                        "key Period")
    if job == "invoices":
        return invoicing.generate_invoices(host, period, folder / "invoices" / period, pdf, pdf_workers=1)
    if job == "close":
        return close.month_end(host, period, folder, today=dt.date.today(), pdf=pdf)
    if job == "audit-pack":
        return audit.audit_pack(host, Period.parse(period), folder / "audit" / period, preparer=user(),
                                today=dt.date.today(), documents=folder)
    raise ArxlError(f'"{job}" is not a batch job: one of {", ".join(JOBS)}')


def run_chunk(book: Path, out: Path | None, customers: Sequence[str], pdf: bool, job: str = "statements") -> Row:
    """The statement documents of some customers of a workbook (read only: the parent records them)."""
    from arxl.app.receivables import statement_documents

    started = time.perf_counter()
    label = f"{customers[0]}-{customers[-1]}" if customers else ""
    try:
        files = statement_documents(book, output_of(book, out), customers, pdf)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return Row(str(book), job, False, reason_of(exc), time.perf_counter() - started, chunk=label)
    return Row(str(book), job, True, f"{len(files)} document(s)", time.perf_counter() - started, files,
               label)


class Runner:
    """Where tasks run: a process pool of N workers, or a Dask cluster (``scheduler`` tcp://HOST:PORT)."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        self.given = workers
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None

    def __enter__(self) -> Runner:
        if self.scheduler is None:
            # spawned, not forked: the parent may run threads (a Dask client, a progress bar) a fork would copy
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        else:
            try:
                from distributed import Client
            except ImportError:
                raise ArxlError("--scheduler needs Dask: pip install 'arxl[dask]'") from None
            try:
                self._client = Client(self.scheduler, timeout=10)  # type: ignore[no-untyped-call]
            except OSError as exc:
                raise ArxlError(f"no Dask scheduler answers at {self.scheduler}: {exc}") from None
            if self.given is None:  # the cluster's workers, to size the chunks of a workbook's customers
                self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._client is not None:
            self._client.close()

    def map(self, calls: Sequence[tuple[Callable[..., Row], tuple[Any, ...], str]]) -> Iterator[Row]:
        """Each call's row as it finishes (a task that could not run at all is a failed row, its reason why)."""
        if self._client is not None:
            yield from self._dask(calls)
            return
        left = dict(enumerate(calls))
        for attempt in range(RETRIES + 1):
            for n, row in self._pooled(left):
                if row is not None:  # None: the pool broke (a worker killed, out of memory) before its answer
                    del left[n]
                    yield row
            if not left:
                return
            if attempt < RETRIES:  # what had not finished runs again on a new pool: the jobs' idempotency
                self._restart()  # and the workbook locks make a second run do only what is left
        for fn, args, name in left.values():  # the pool kept breaking: each call left is a failed row
            yield Row(self._book_of(fn, args), name, False, f"a worker of the pool died {RETRIES + 1} times: not run",
                      0.0)

    def _pooled(self, calls: dict[int, tuple[Callable[..., Row], tuple[Any, ...], str]]
                ) -> Iterator[tuple[int, Row | None]]:
        """Each call's number with its row as it finishes on the pool, or with None when the pool broke first."""
        assert self._pool is not None
        pending = {self._pool.submit(fn, *args): n for n, (fn, args, _name) in calls.items()}
        while pending:
            done, _ = concurrent.futures.wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                n = pending.pop(future)
                try:
                    yield n, future.result()
                except BrokenProcessPool:
                    yield n, None
                except Exception as exc:  # a call that could not be sent or answered (pickling): the row says so
                    fn, args, name = calls[n]
                    yield n, Row(self._book_of(fn, args), name, False, reason_of(exc), 0.0)

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    @staticmethod
    def _book_of(fn: Callable[..., Row], args: tuple[Any, ...]) -> str:
        return str(args[1] if fn is run_task else args[0])

    def _dask(self, calls: Sequence[tuple[Callable[..., Row], tuple[Any, ...], str]]) -> Iterator[Row]:
        from distributed import as_completed

        futures = {}
        for fn, args, name in calls:
            # pure=False: a re-run is a new task (the jobs' idempotency decides what is left to do)
            future = self._client.submit(fn, *args, pure=False, retries=RETRIES)
            futures[future] = (self._book_of(fn, args), name)
        for future in as_completed(list(futures)):  # type: ignore[no-untyped-call]
            book, name = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # the task's workers kept dying: the row says so
                yield Row(book, name, False, reason_of(exc), 0.0)


def run_batch(job: str, books: Sequence[Path], out: Path | None = None, *, workers: int | None = None,
              scheduler: str | None = None, pdf: bool = False, tick: Tick | None = None,
              total: Callable[[int], None] | None = None, wait: float | None = None) -> list[Row]:
    """Run ``job`` on each workbook (a task each); statements of one workbook by chunks of customers. ``total``
    is told the number of tasks, ``tick`` each row as it finishes; ``wait``: how long a task waits for another
    command holding its workbook (``arxl --wait``; None: ARXL_WAIT, else 60 s). The rows come back in the books'
    order."""
    from arxl.app.workbook import waiting

    if job not in JOBS:
        raise ArxlError(f'"{job}" is not a batch job: one of {", ".join(JOBS)}')
    patience = waiting(wait)
    with Runner(workers, scheduler) as runner:
        if job in ("statements", "reminders") and len(books) == 1:
            return _chunked(runner, job, books[0], out, pdf, tick, total, patience)
        calls = [(run_task, (job, book, out, pdf, patience), job) for book in books]
        if total is not None:
            total(len(calls))
        rows = _collect(runner.map(calls), tick)
    order = {str(book): i for i, book in enumerate(books)}
    return sorted(rows, key=lambda r: order.get(r.book, len(order)))


def _collect(rows: Iterable[Row], tick: Tick | None) -> list[Row]:
    found = []
    for row in rows:
        found.append(row)
        if tick is not None:
            tick(row)
    return found


def _chunked(runner: Runner, job: str, book: Path, out: Path | None, pdf: bool, tick: Tick | None,
             total: Callable[[int], None] | None, wait: float) -> list[Row]:
    """One workbook's statements: documents by chunks of customers (tasks), recorded once here, under its lock."""
    from arxl.app.receivables import record_statements, statement_customers

    started = time.perf_counter()
    try:
        with holding(job, book, wait) as (host, journal):
            ledger, customers = statement_customers(host)
            per = PDF_CHUNKS_PER_WORKER if pdf else CHUNKS_PER_WORKER
            size = max(1, math.ceil(len(customers) / (runner.workers * per)))
            chunks = [customers[i:i + size] for i in range(0, len(customers), size)]
            if total is not None:
                total(len(chunks) + 1)
            rows = _collect(runner.map([(run_chunk, (book, out, chunk, pdf, job), job) for chunk in chunks]), tick)
            failed = [r for r in rows if not r.ok]
            if failed:
                row = Row(str(book), job, False,
                          f"{len(failed)} chunk(s) failed, nothing recorded: {failed[0].reason}",
                          time.perf_counter() - started)
            else:
                written = [path for r in rows for path in r.files]
                try:
                    report = record_statements(host, output_of(book, out), written, reminders=job == "reminders",
                                               ledger=ledger)
                except (ArxlError, Refused) as exc:
                    row = Row(str(book), job, False, reason_of(exc), time.perf_counter() - started)
                else:
                    row = row_of(journal(report), book, job, started)
    except (ArxlError, Refused) as exc:  # the lock not had, or the customers not listed: nothing ran
        return [Row(str(book), job, False, reason_of(exc), time.perf_counter() - started)]
    if tick is not None:
        tick(row)
    return [*rows, row]
