"""The Sage export job: a month's AR movements as Sage 50's import file and the allocation sheet beside it,
then the marks in the workbook (see :mod:`arxl.formats.sage` for what goes in and why)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from arxl.app.jobs import open_for_work
from arxl.app.report import Report
from arxl.core.period import Period
from arxl.formats.sage import Counts, Pair, sage_export
from arxl.formats.xlsx.host import Host


def export_sage(host: Host, period: str | Period, out_file: Path, again: bool = False,
                on: dt.date | None = None) -> Report:
    """Every AR movement of the month not yet in Sage as a Sage 50 import file, and beside it
    ``<stem>-allocations.csv``; what went in is then marked exported.

    Both files are written first and the marks second; if marking fails both files are put back as they were,
    so the files and the register never disagree about what went to Sage.
    """
    month = Period.parse(period) if isinstance(period, str) else period
    ledger = open_for_work(host, "export to Sage")
    result = sage_export(ledger, month, again=again, on=on)
    report = Report("export to Sage", problems=result.problems)
    held = sum(1 for p in result.problems if p.severity == "error")
    if result.rows or result.allocations:
        pair = Pair(out_file)
        written = pair.write(result.rows, result.allocations)
        try:
            host.apply(result.changes)
        except BaseException:
            pair.undo()
            raise
        report.say(f"{month}: {_counts(result.counts)}; {len(result.rows)} row(s) written to {pair.sage}; "
                   f"{len(result.allocations)} allocation(s) to make in Sage: {pair.sheet}")
        report.files += written
    elif not result.changes.is_empty:  # only marks (revaluations that sum to nought): nothing for Sage to post
        host.apply(result.changes)
        report.say(f"{month}: nothing for Sage to post (revaluations adding up to nought, marked exported)")
    else:
        report.say(f"{month}: nothing new to export" + ("" if again else " (what was exported before is left out; "
                                                        "--again exports it again)"))
    if held:
        report.refuse(f"{held} item(s) held back: correct them and run again; they will be exported then")
    return report


def _counts(counts: Counts) -> str:
    """'12 invoices, 30 receipts (SA), 41 deductions, 1 refund (SP), 2 journals', leaving out what is nought."""
    parts = [(counts.invoices, "invoice", ""), (counts.credit_notes, "credit note", ""),
             (counts.receipts, "receipt", " (SA)"), (counts.deductions, "deduction", ""),
             (counts.refunds, "refund", " (SP)"), (counts.journals, "journal", "")]
    said = [f"{n} {word}{'' if n == 1 else 's'}{tag}" for n, word, tag in parts if n]
    return ", ".join(said) or "no document or movement"
