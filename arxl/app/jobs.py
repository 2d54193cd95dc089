"""The jobs: one function per thing the accountant asks for, shared by the command line and the ribbon.

A job takes a :class:`~arxl.formats.xlsx.host.Host` (a file, or the workbook open in Excel) and its parameters, runs
the pure workflow, applies the workflow's ChangeSet to the host in one go, writes any documents, and returns a
:class:`Report`: what was done in a few lines, the problems with their cells, the files written, and whether
the input was refused. The CLI prints a report and exits 0 or 2; a macro writes it to the Log sheet, shows
its first line in the status bar and alerts on a refusal. Neither adds logic of its own.

This module is the door every job goes through (the workbook opened and refused on an error, the as-of date);
the jobs themselves are grouped by concern: :mod:`arxl.app.invoicing` (review, invoices, Sage export),
:mod:`arxl.app.credits` (credit notes, EBM receipts), :mod:`arxl.app.cash` (statements into the
Reconciliation sheet, posting, a customer's own statement), :mod:`arxl.app.matching` (file-to-file matching),
:mod:`arxl.app.receivables` (aging, statements and reminders, arrangements, collections report),
:mod:`arxl.app.queries` (client queries), :mod:`arxl.app.certificates` (withholding certificates),
:mod:`arxl.app.periods` (the period lock), :mod:`arxl.app.close` (the month-end through them all) and
:mod:`arxl.app.yearend` (the year-end). A job that writes the invoice register, the billing schedule, receipts,
allocations or revaluations applies its changes through :func:`apply`, the period lock's one guard.
"""

from __future__ import annotations

import datetime as dt

from arxl.app.report import Refused, Report
from arxl.books.periods import violations
from arxl.core.errors import Problem
from arxl.formats.xlsx.host import Host, ledger_of
from arxl.ledger.changes import ChangeSet
from arxl.ledger.checks import check_ledger
from arxl.ledger.ledger import Ledger


def open_for_work(host: Host, job: str) -> Ledger:
    """The host's ledger, refused when ``validate`` finds an error in it, with the same messages.

    Errors (a cell that cannot be read, a register that does not add up, an amount no cell holds exactly...)
    refuse every command before anything is written. Warnings do not: they concern what bills one customer,
    and the billing review holds that customer back (see :func:`arxl.ledger.ledger.examine`).
    """
    ledger, problems = _checked(host)
    refuse_errors(host.name, job, problems)
    return ledger


def apply(host: Host, ledger: Ledger, changes: ChangeSet, job: str = "") -> None:
    """Apply a job's changes to the host, refused as a whole when they reach into a locked month.

    The one door of the period lock (:mod:`arxl.books.periods`): every job that writes the invoice register,
    the billing schedule, receipts, allocations or revaluations applies its ChangeSet through here, with the
    ledger it read, so that billing, posting, a credit note, a revaluation or a Sage export into a closed month
    is refused (exit 2, naming the month and how to reopen it) and nothing is written.
    """
    found = violations(ledger, changes)
    if found:
        report = Report(job or "period lock")
        for v in found[:5]:
            report.say(f"refused: {v.what} ({v.period})")
        if len(found) > 5:
            report.say(f"... {len(found) - 5} more change(s) into {', '.join(sorted({v.period for v in found}))}")
        raise Refused(report.refuse(found[0].message(host.name) + "; nothing was changed"))
    host.apply(changes)


def _checked(host: Host) -> tuple[Ledger, list[Problem]]:
    """The host's ledger and every problem of it: its cells', then the checks across rows and tables."""
    ledger, problems = ledger_of(host)
    return ledger, problems + check_ledger(ledger)


def refuse_errors(book: str, job: str, problems: list[Problem]) -> None:
    """Refuse the job when any problem is an error, listing the errors as ``validate`` does."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise Refused(Report(job, problems=errors).refuse(
            f"{book}: {len(errors)} error(s) to correct first (arxl validate lists the same); nothing was changed"))


def validate(host: Host) -> Report:
    """Every problem of the workbook, each with its cell."""
    _, problems = _checked(host)
    report = Report("validate", problems=problems)
    errors, warnings = len(report.errors), len(problems) - len(report.errors)
    if errors:
        report.refuse(f"{host.name}: {errors} error(s), {warnings} warning(s)")
    else:
        report.say(f"{host.name} is valid" + (f" ({warnings} warning(s))" if warnings else ""))
    return report


def as_of_date(ledger: Ledger, as_of: dt.date | None) -> dt.date:
    """The date a job looks at: the one given, else Settings' As Of; refused when neither is there."""
    if as_of is not None:
        return as_of
    if ledger.settings.as_of is None:
        raise Refused(Report("as-of date").refuse("give the as-of date (Settings has no As Of)"))
    return ledger.settings.as_of
