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

from arxl.app.audit import audit_pack
from arxl.app.cash import approve_matches, reconciliation_table
from arxl.app.close import month_end
from arxl.app.jobs import validate
from arxl.app.journal import record, workbook_hash
from arxl.app.recovery import Progress
from arxl.app.report import Report
from arxl.app.sage import export_sage_months
from arxl.app.tieout import tieout
from arxl.app.verify import verify
from arxl.cashapp.reconcile import decide
from arxl.core.period import Period
from arxl.formats.libreoffice import WITHOUT_IT, find_soffice
from arxl.formats.mailsink import MailSink
from arxl.formats.xlsx.host import FileHost, ledger_of
from arxl.ledger.sage_accounts import sage_accounts
from arxl.sample import sample_decisions, write_sample
from arxl.sample.sage50 import Customer as SageCustomer
from arxl.sample.sage50 import Sage50, replay

PERIOD = "2025-07"
TODAY = dt.date(2025, 8, 1)
HISTORY = (Period.parse("2024-01"), Period.parse("2025-06"))  # the sample's months before July
WITHOUT_LIBREOFFICE = WITHOUT_IT


def _ignore(_: str) -> None:
    """The demo's journal warnings: none expected (its folder is its own); the verify at its end would show any."""


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
        self.sage_dir = out_dir / "sage"
        self.sage_dir.mkdir()
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

    def journaled(self, command: str, run: Callable[[], Report], inputs: tuple[Path, ...] = ()) -> Report:
        """Run one step and write its entry in the audit journal beside the workbook, as the command line does
        for ``command`` (so that ``arxl audit verify`` has the demo's history to check)."""
        before = workbook_hash(self.book)
        report = run()  # a close that stops for decisions has billed already: journaled all the same
        record(self.host, before, f"{command} (arxl demo)", inputs=inputs, outputs=report.files, warn=_ignore)
        return report

    def close(self, step: Callable[[str], None] | None = None, progress: Progress | None = None) -> Report:
        """Run the close of July 2025 from its first step not done (see :func:`arxl.app.close.month_end`)."""
        return self.journaled(
            f"arxl close {self.book.name} --period {PERIOD} --statement {self.statement.name} --today {TODAY}",
            lambda: month_end(self.host, PERIOD, self.out_dir, TODAY, statement=self.statement, pdf=self.pdf,
                              server=self.sink.server, progress=step, stage_progress=progress), (self.statement,))

    def sage_history(self) -> Report:
        """The demo's Sage is a new company: send it the history first, every month from January 2024 to June
        2025 (``arxl export sage --period 2024-01 --through 2025-06 --out DIR --again``: the sample's invoices
        went to the old Sage, marked exported; an empty Sage needs them again, and their receipts)."""
        first, last = HISTORY
        return self.journaled(
            f"arxl export sage {self.book.name} --period {first} --through {last} --out sage --again",
            lambda: export_sage_months(self.host, first, last, self.sage_dir, again=True,
                                       on=Period.parse(PERIOD).first))

    def sage_check(self) -> tuple[Report, Path, Path]:
        """Sage's side after the close: every file of the history and July's imported into the model of Sage 50
        and its allocation sheets followed, Sage's Aged Debtors report and trial balance written as Sage exports
        them, and ``arxl tieout`` run on them at the end of July (the TieOut sheet)."""
        ledger, _ = ledger_of(self.host)
        base = ledger.settings.base_currency
        model = Sage50(base, {account: SageCustomer(account, c.name, code) for c in ledger.customers
                              for code, account in sage_accounts(c, base).items()},
                       debtors=ledger.settings.sage_debtors_nominal, vat=ledger.settings.sage_vat_nominal,
                       exchange_variance=ledger.settings.sage_fx_nominal)
        replay(model, [*sorted(self.sage_dir.glob("sage-????-??.csv")), self.out_dir / f"sage-{PERIOD}.csv"])
        as_of = Period.parse(PERIOD).last
        aged = model.write_aged_debtors(self.sage_dir / f"aged-debtors-{as_of}.csv", as_of)
        balance = model.write_trial_balance(self.sage_dir / f"trial-balance-{as_of}.csv")
        run = self.journaled(f"arxl tieout {self.book.name} --sage {aged.name} --as-of {as_of} --tb {balance.name}",
                             lambda: tieout(self.host, aged, as_of, trial_balance=balance).report, (aged, balance))
        return run, aged, balance

    def audit(self, aged: Path, balance: Path) -> Report:
        """July's audit pack (``arxl audit pack BOOK --period 2025-07 --out DIR/audit --sage ... --tb ...``),
        prepared by the sample's accountant, its lead schedule tied to Sage's reports."""
        return self.journaled(
            f"arxl audit pack {self.book.name} --period {PERIOD} --out audit --sage {aged.name} --tb {balance.name}",
            lambda: audit_pack(self.host, Period.parse(PERIOD), self.out_dir / "audit", preparer="Aline Uwase",
                               today=TODAY, documents=self.out_dir, sage=aged, trial_balance=balance),
            (aged, balance))

    def verify(self) -> Report:
        """``arxl audit verify BOOK --pack DIR/audit``: the journal's chain, the ledger as arxl left it, the pack's
        documents as indexed."""
        return verify(self.book, self.out_dir / "audit").report

    def decide(self) -> Report:
        """The accountant's part: automatic matches approved, the other lines decided from the answer key."""
        before = workbook_hash(self.book)
        approved = approve_matches(self.host)
        table = reconciliation_table(self.host)
        proposals: dict[str, set[str]] = defaultdict(set)
        for row in table.rows:
            if row.invoice_no:
                proposals[row.line_id].add(row.invoice_no)
        self.host.apply(decide(table, sample_decisions(proposals), "remaining lines decided (demo)"))
        record(self.host, before, f"arxl reconcile approve {self.book.name}, the other lines decided in the "
               "Reconciliation sheet (arxl demo)", warn=_ignore)
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
