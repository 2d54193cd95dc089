"""Withholding certificates in the workbook: the Certificates sheet refreshed, a certificate recorded.

The rules are :mod:`arxl.books.certificates`; the chase list the statements and reminders print comes from the
same deductions (:mod:`arxl.ledger.withheld`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from arxl.app.jobs import apply, as_of_date, open_for_work
from arxl.app.report import Report
from arxl.books.certificates import certificates_sheet, record
from arxl.core.money import figure
from arxl.core.withholding import deduction
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import ChangeSet


def refresh_certificates(host: Host, as_of: dt.date | None) -> Report:
    """The Certificates sheet as of a date (default: Settings' As Of)."""
    ledger = open_for_work(host, "certificates")
    day = as_of_date(ledger, as_of)
    made = certificates_sheet(ledger, day)
    changes = ChangeSet()
    changes.replace_sheet(made.sheet)
    host.apply(changes)
    report = Report("certificates")
    waiting = made.awaiting(day)
    report.say(f"Certificates sheet as of {day:%d/%m/%Y}: {len(made.items)} withholding deduction(s), "
               f"{len(waiting)} awaiting a certificate from {len({w.customer_id for w in waiting})} customer(s)")
    for (kind, currency), (total, open_) in made.totals.items():
        report.say(f"{deduction(kind).short} {currency}: withheld {figure(total, currency)}, awaiting certificate "
                   f"{figure(open_, currency)}")
    return report


def record_certificate(host: Host, customer_id: str, number: str, on: dt.date, invoices: Sequence[str],
                       kind: str | None = None) -> Report:
    """Record a customer's certificate on the withholding deductions of the invoices it covers."""
    ledger = open_for_work(host, "record a certificate")
    changes, covered = record(ledger, customer_id, number, on, invoices, kind)
    report = Report("record a certificate")
    if not covered:
        report.say(f"certificate {number.strip()} is already recorded on those deductions; nothing was changed")
        return report
    apply(host, ledger, changes, "record a certificate")
    for w in covered:
        report.say(f"{w.invoice_no}: {w.label} {figure(w.amount, w.currency)} {w.currency} withheld "
                   f"{w.date:%d/%m/%Y}: certificate {number.strip()} of {on:%d/%m/%Y}")
    return report
