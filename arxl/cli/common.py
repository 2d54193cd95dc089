"""What every command shares: the Typer application, the two consoles, the session (workbook locks), how a
job's report is printed, the progress display, and the option types with one meaning each.

Help and output are plain text: typer's rich help panels are turned off (they show every flag as ``--pdf
<bool>``, a typer rendering of boolean options), and when the output is not a terminal nothing is wrapped (a
log or a pipe gets whole lines). Commands load their jobs when they run, not when the command line starts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from arxl.app.report import Report
from arxl.core.dates import to_date
from arxl.core.errors import ArxlError

if TYPE_CHECKING:
    from arxl.app.workbook import FileHost

WIDE = 10_000  # columns of output and help that is not a terminal: never wrapped


def group(help_text: str) -> typer.Typer:
    """A command group with the house's settings (plain help, help without arguments)."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None, add_completion=False)


app = typer.Typer(
    name="arxl",
    help="Accounts receivable in Excel: billing, cash application, aging and collections.\n\n"
         "One grammar: arxl NOUN VERB BOOK [options]. --out DIR is always a folder, -o/--output FILE always one "
         "file; --as-of DATE is the date a report looks at, --on DATE the date a record carries, --period YYYY-MM "
         "a month; flags take no value. Exit codes: 0 done, 2 bad input or refused (the message names the file, "
         "sheet and cell), 1 a bug in arxl, 3 arxl tieout found that Sage and arxl differ or arxl audit verify "
         "found a difference.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fit_consoles() -> None:
    """On a terminal, output fits the window; in a file or a pipe, lines are whole (never wrapped)."""
    for console in (out, err):
        wide = not console.is_terminal
        console.width = WIDE if wide else None  # type: ignore[assignment]  # None: rich measures the window
        console.soft_wrap = wide


class BadInput(Exception):
    """Raised by a command after it has reported problems itself: exit 2 without a further message."""


def say(text: str) -> None:
    out.print(text, highlight=False, markup=False, soft_wrap=True)


def warn(text: str) -> None:
    err.print(text, highlight=False, markup=False, soft_wrap=True)


class Session:
    """What one run of the command holds: the workbook locks (released when the command ends) and its words."""

    def __init__(self) -> None:
        self.locks = contextlib.ExitStack()
        self.command = "arxl"
        self.wait: float | None = None
        self.words: list[str] = []
        self.books: list[tuple[Path, str | None]] = []  # each workbook locked, with its hash before the command
        self.reports: list[Report] = []  # what the command showed (the files it wrote)

    def started(self, words: list[str]) -> None:
        self.words, self.books, self.reports = list(words), [], []

    def writable(self, book: Path) -> FileHost:
        """The workbook for a command that changes it: locked first, the lock held until the command ends."""
        from arxl.app.journal import workbook_hash
        from arxl.app.workbook import writable  # here, not at the top: `arxl --help` starts without openpyxl

        host = writable(book, self.locks, self.command, self.wait, warn)
        if all(book.resolve() != known.resolve() for known, _ in self.books):
            self.books.append((book, workbook_hash(book)))
        return host

    def journal(self) -> None:
        """The audit journal's entry for each workbook this command changed (or wrote documents from)."""
        if not self.books:
            return
        from arxl.app.journal import given_files, record
        from arxl.app.workbook import FileHost

        files = [path for report in self.reports for path in report.files]
        for book, before in self.books:
            record(FileHost(book), before, " ".join(["arxl", *self.words]), inputs=given_files(self.words, book),
                   outputs=files, warn=warn)


session = Session()


def show(report: Report) -> None:
    """Print a job's report: problems (with their cells) and refusals on stderr, what was done on stdout;
    exit 2 if refused."""
    session.reports.append(report)
    for problem in report.problems:
        label = "" if problem.severity == "error" else "  (warning)"
        warn(f"{problem}{label}")
    for i, line in enumerate(report.lines):
        say(line)
        if i == 0 and len(report.table) > 1:
            print_table(report.table)
    for reason in report.reasons:
        warn(reason)
    if report.refused:
        raise BadInput()


def print_table(rows: list[tuple[str, ...]]) -> None:
    """A report's table (its first row the header); columns of figures right-aligned."""
    table = RichTable(show_lines=False, highlight=False)
    header, body = rows[0], rows[1:]
    figures = [all(not r[j] or r[j].lstrip("-").replace(",", "").replace(".", "").isdigit() for r in body)
               for j in range(len(header))]
    for title, figure in zip(header, figures, strict=True):
        table.add_column(title, justify="right" if figure else "left", overflow="fold",
                         no_wrap=figure or title == "Date")
    for row in body:
        table.add_row(*(Text(cell) for cell in row))  # text from outside: never read as rich markup
    # on a terminal the table fits the window (notes fold); in a file or a pipe it keeps whole lines
    wide = out if out.is_terminal else Console(file=out.file, width=max(out.width, 200), color_system=None)
    wide.print(table)


def date_given(text: str | None, option: str) -> dt.date | None:
    """A date option (YYYY-MM-DD), or None when it was not given."""
    return to_date(text, option) if text is not None else None


def date_or_today(text: str | None, option: str = "--on") -> dt.date:
    """A date option (YYYY-MM-DD), today when it was not given."""
    return to_date(text, option) if text is not None else dt.date.today()


def given(text: str, option: str, what: str) -> str:
    if not " ".join(text.split()):
        raise ArxlError(f"{option} is blank: write {what}")
    return text


# the option types: one name, one meaning, everywhere
BookArgument = Annotated[Path, typer.Argument(metavar="BOOK", help="The billing workbook (.xlsx).")]
PeriodOption = Annotated[str, typer.Option("--period", metavar="YYYY-MM", help="The month, YYYY-MM.")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
                                                help="The date looked at (default: Settings' As Of).")]
OnOption = Annotated[str | None, typer.Option("--on", metavar="YYYY-MM-DD",
                                              help="The date the record carries (default today).")]
PdfFlag = Annotated[bool, typer.Option("--pdf", help="Also make PDFs (LibreOffice).")]
PdfWorkersOption = Annotated[int | None, typer.Option(
    "--pdf-workers", min=1, metavar="N",
    help="LibreOffice run at once for the PDFs (default: ARXL_PDF_WORKERS, else the cores).")]


def out_dir_option(help_text: str) -> Any:
    """``--out DIR``: always a folder."""
    return typer.Option("--out", metavar="DIR", help=help_text)


def output_option(help_text: str, metavar: str = "FILE") -> Any:
    """``-o/--output FILE``: always one file."""
    return typer.Option("-o", "--output", metavar=metavar, help=help_text)


class Progress:
    """Progress of long work (DESIGN §4): a rich progress bar per stage on a terminal; plain lines otherwise, never
    wrapped: one every few seconds while a stage runs and one when it ends, so that a log of thousands of items
    stays short and a quick stage takes one line. Called as a job's ``progress(stage, done, total)``; ``step``
    names the close's step under way."""

    SECONDS = 3.0

    def __init__(self) -> None:
        self.bar: Any = None  # rich.progress.Progress, started at the first report on a terminal
        self.tasks: dict[str, Any] = {}
        self.shown: dict[str, tuple[int, float]] = {}  # stage -> (done last shown, when)

    def step(self, name: str) -> None:
        self.close()  # the last step's bars stay above, finished; this step's come below its line
        out.print(f"[dim]... {name}[/dim]", soft_wrap=True)
        self.shown.clear()  # a later step may have a stage of the same name: shown afresh

    def __call__(self, stage: str, done: int, total: int) -> None:
        if out.is_terminal:
            if self.bar is None:
                from rich.progress import (  # only on a terminal: kept out of the start-up of every command
                    BarColumn,
                    MofNCompleteColumn,
                    TextColumn,
                    TimeRemainingColumn,
                )
                from rich.progress import Progress as Bar

                self.bar = Bar(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                               TimeRemainingColumn(), console=out)
                self.bar.start()
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task(stage, total=total)
            self.bar.update(self.tasks[stage], completed=done, total=total)
            return
        now = time.monotonic()
        shown, when = self.shown.setdefault(stage, (0, now))  # a stage's first report (0 done) starts its clock
        if done == shown or (done < total and now - when < self.SECONDS):
            return
        out.print(f"  {stage}: {done:,}/{total:,}", soft_wrap=True, highlight=False, markup=False)
        self.shown[stage] = (done, now)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        self.tasks.clear()


@contextlib.contextmanager
def progress() -> Iterator[Progress]:
    """The progress display of one long run, closed (its bar taken down) before the report is printed."""
    display = Progress()
    try:
        yield display
    finally:
        display.close()
