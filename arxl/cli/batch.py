"""``arxl batch JOB BOOK...``: one job over many workbooks (or the statements of one large workbook by chunks of
customers) on every core, or on a Dask cluster with ``--scheduler tcp://HOST:PORT``.

Each workbook is a task that runs the same job as the single-workbook command, with the parameters of its
Settings (as the ribbon button does). One bad workbook never stops the others: the result table names each
workbook, ok or failed with the reason (the cell), and its seconds. Exit 0 when every task succeeded, 2 when some
failed.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from arxl.cli.common import BadInput, app, out, out_dir_option, print_table, say, session, warn


class Job(StrEnum):
    """The jobs a batch runs (those of arxl.app.batch.JOBS)."""

    invoices = "invoices"
    statements = "statements"
    reminders = "reminders"
    aging = "aging"
    audit_pack = "audit-pack"
    close = "close"


@app.command("batch")
def batch_cmd(
    job: Annotated[Job, typer.Argument(metavar="JOB", help="The job to run on each workbook.")],
    books: Annotated[list[Path], typer.Argument(metavar="BOOK...", help="The workbooks (.xlsx); statements or "
                                                "reminders of ONE workbook run by chunks of customers.")],
    workers: Annotated[int | None, typer.Option("--workers", min=1, metavar="N", help="Processes at once "
                                                "(default: the cores).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="tcp://HOST:PORT", help="Run the tasks "
                                                  "on this Dask cluster (pip install 'arxl[dask]').")] = None,
    out_dir: Annotated[Path | None, out_dir_option("Folder of the documents, a subfolder per workbook (default: "
                                                   "each workbook's Output Folder).")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also make PDFs (one LibreOffice per task).")] = False,
) -> None:
    """Run a job on many workbooks at once, each workbook a task, with each workbook's Settings (Period, As Of,
    Output Folder); a table of the results. Exit 0 when all succeed, 2 when some failed (each named)."""
    from arxl.app.batch import run_batch

    display = Display(job.value)
    try:
        rows = run_batch(job.value, books, out_dir, workers=workers, scheduler=scheduler, pdf=pdf, tick=display.tick,
                         total=display.total, wait=session.wait)
    finally:
        display.close()
    print_table([("Book", "Job", "Result", "Reason", "Seconds"),
                 *((_label(r.book, r.chunk), r.job, r.state, r.reason, f"{r.seconds:.1f}") for r in rows)])
    failed = [r for r in rows if not r.ok]
    done = sum(1 for r in rows if r.ok)
    say(f"{done} task(s) done, {len(failed)} failed")
    for row in failed:
        warn(f"FAILED {_label(row.book, row.chunk)}: {row.reason}")
    if failed:
        raise BadInput()


def _label(book: str, chunk: str) -> str:
    name = Path(book).name
    return f"{name} [{chunk}]" if chunk else name


class Display:
    """A rich progress bar of the tasks, named by the job, on a terminal; a plain line per finished task
    otherwise."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.bar: Any = None
        self.task: Any = None
        self.count = 0
        self.of = 0

    def total(self, count: int) -> None:
        self.of = count
        if out.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=out)
            self.bar.start()
            self.task = self.bar.add_task(self.job, total=count)

    def tick(self, row: Any) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(self.task, completed=self.count)
        else:
            say(f"  {self.count}/{self.of} {_label(row.book, row.chunk)}: {row.state}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
