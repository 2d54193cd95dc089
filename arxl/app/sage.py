"""The Sage export job: a month's AR movements as Sage 50's import file and the allocation sheet beside it,
then the marks in the workbook (see :mod:`arxl.formats.sage` for what goes in and why)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from arxl.app.jobs import apply, open_for_work
from arxl.app.report import Refused, Report
from arxl.core.period import Period
from arxl.formats.sage import Counts, Pair, sage_export
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import ChangeSet


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
            apply(host, ledger, result.changes, "export to Sage")
        except BaseException:
            pair.undo()
            raise
        report.say(f"{month}: {_counts(result.counts)}; {len(result.rows)} row(s) written to {pair.sage}; "
                   f"{len(result.allocations)} allocation(s) to make in Sage: {pair.sheet}")
        report.files += written
    elif not result.changes.is_empty:  # only marks (revaluations that sum to nought): nothing for Sage to post
        apply(host, ledger, result.changes, "export to Sage")
        report.say(f"{month}: nothing for Sage to post (revaluations adding up to nought, marked exported)")
    else:
        report.say(f"{month}: nothing new to export" + ("" if again else " (what was exported before is left out; "
                                                        "--again exports it again)"))
    if held:
        report.refuse(f"{held} item(s) held back: correct them and run again; they will be exported then")
    return report


def export_sage_months(host: Host, first: Period, last: Period, out_dir: Path, again: bool = False,
                       on: dt.date | None = None) -> Report:
    """Every month from ``first`` to ``last`` exported as by :func:`export_sage`, each to
    ``out_dir/sage-YYYY-MM.csv`` and its allocation sheet, with one write of the workbook for all of them (a
    catch-up of a year and a half: a new Sage company, or one that never had the receipts). All the files and
    all the marks, or none: a failure puts every file back."""
    if last < first:
        raise Refused(Report("export to Sage").refuse(f"--through {last} is before --period {first}"))
    ledger = open_for_work(host, "export to Sage")
    report = Report("export to Sage")
    changes = ChangeSet()
    pairs: list[Pair] = []
    month = first
    try:
        while month <= last:
            result = sage_export(ledger, month, again=again, on=on)
            report.problems += result.problems
            if result.rows or result.allocations:
                pair = Pair(out_dir / f"sage-{month}.csv")
                pairs.append(pair)
                report.files += pair.write(result.rows, result.allocations)
                report.say(f"{month}: {_counts(result.counts)}; {len(result.allocations)} allocation(s)")
            else:
                report.say(f"{month}: nothing new to export")
            ledger.apply_updates(result.changes)  # the next month sees this one's marks
            changes.merge(result.changes)
            month = month.next()
        if not changes.is_empty:
            apply(host, ledger, changes, "export to Sage")
    except BaseException:
        for pair in pairs:
            pair.undo()
        raise
    held = sum(1 for p in report.problems if p.severity == "error")
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
