"""The demo: the month-end of July 2025 on the sample workbook, start to finish, with a local mail server.

The close stops for the accountant's decisions on the bank lines; the demo stands in for them (automatic matches
approved, the other lines decided from the sample's answer key) and runs the close again to its end. The
command line shows each part as it happens (:func:`arxl.cli.book.demo`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from arxl.app.cash import approve_matches, reconciliation_table
from arxl.app.close import month_end
from arxl.app.jobs import validate
from arxl.app.recovery import Progress
from arxl.app.report import Report
from arxl.cashapp.reconcile import decide
from arxl.formats.libreoffice import WITHOUT_IT, find_soffice
from arxl.formats.mailsink import MailSink
from arxl.formats.xlsx.host import FileHost
from arxl.sample import sample_decisions, write_sample

PERIOD = "2025-07"
TODAY = dt.date(2025, 8, 1)
WITHOUT_LIBREOFFICE = WITHOUT_IT


class Demo:
    """The demo's folder, sample workbook and local mail server, held while the close runs (a context manager)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        marker = out_dir / ".arxl-demo"
        if out_dir.exists() and marker.exists():
            shutil.rmtree(out_dir)  # the demo's own folder from an earlier run: start afresh
        out_dir.mkdir(parents=True, exist_ok=True)
        marker.write_text("made by arxl demo; removed and rebuilt by the next one\n")
        self.book, self.statement = write_sample(out_dir / "billing.xlsx", seed=7)
        self.host = FileHost(self.book)
        self.pdf = find_soffice() is not None  # the demo alone chooses by itself: a command given --pdf refuses
        self.sink = MailSink(out_dir / "mailbox")

    def __enter__(self) -> Demo:
        self.sink.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.sink.__exit__(kind, error, trace)

    def validate(self) -> Report:
        return validate(self.host)

    def close(self, step: Callable[[str], None] | None = None, progress: Progress | None = None) -> Report:
        """Run the close of July 2025 from its first step not done (see :func:`arxl.app.close.month_end`)."""
        return month_end(self.host, PERIOD, self.out_dir, TODAY, statement=self.statement, pdf=self.pdf,
                         server=self.sink.server, progress=step, stage_progress=progress)

    def decide(self) -> Report:
        """The accountant's part: automatic matches approved, the other lines decided from the answer key."""
        approved = approve_matches(self.host)
        table = reconciliation_table(self.host)
        proposals: dict[str, set[str]] = defaultdict(set)
        for row in table.rows:
            if row.invoice_no:
                proposals[row.line_id].add(row.invoice_no)
        self.host.apply(decide(table, sample_decisions(proposals), "remaining lines decided (demo)"))
        return approved

    @property
    def received(self) -> int:
        """Reminder e-mails the local mail server received."""
        return self.sink.received


def what_happened(first: Report, second: Report) -> dict[str, str]:
    """Each step of the close and what it did, over the two runs (steps already done or waiting left out)."""
    steps: dict[str, str] = {}
    for line in [*first.lines, *second.lines[1:]]:
        step, _, what = line.partition(": ")
        if not what.startswith(("already done", "waiting")):
            steps[step] = what
    return steps
