"""Jobs that correct or confirm the invoice register after billing: credit notes and the EBM receipts import.

Both take the workbook's lock, refuse a workbook that ``validate`` finds in error, run the billing workflow on
the ledger and apply its one ChangeSet; what they did comes back as a :class:`~arxl.app.report.Report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from arxl.app.jobs import apply, open_for_work
from arxl.app.report import Report
from arxl.billing.credit import credit_note
from arxl.billing.ebm import EbmReceipt, import_ebm, parse_ebm_csv
from arxl.core.errors import Problem
from arxl.core.money import figure
from arxl.core.period import Period
from arxl.formats.ebm import read_ebm_text
from arxl.formats.xlsx.host import Host
from arxl.ledger.openitems import open_items
from arxl.ledger.records import Invoice


def credit_invoice(host: Host, invoice_no: str, *, reason: str, on: dt.date, amount: Decimal | None = None,
                   lines: Sequence[int] | None = None) -> Report:
    """Credit an invoice (whole, some lines or an amount) with a credit note of its own series; say what part
    of the credit stands on the customer's account when the invoice was (partly) paid."""
    ledger = open_for_work(host, "credit an invoice")
    changes = credit_note(ledger, invoice_no, amount=amount, lines=lines, reason=reason, on=on)
    apply(host, ledger, changes, "credit an invoice")
    note = changes.appends["Invoices"][0]
    assert isinstance(note, Invoice)
    report = Report("credit an invoice")
    status = " (now fully credited)" if changes.updates else ""
    report.say(f"{note.invoice_no}: credit note of {figure(-note.total_amount, note.currency)} {note.currency} on "
               f"{note.original_invoice}{status}")
    owed = next((i.open_amount for i in open_items(ledger.invoices, ledger.allocations, dt.date.max)
                 if i.reference == note.original_invoice), Decimal(0))
    beyond = -note.total_amount - max(owed, Decimal(0))
    if beyond > 0:  # the invoice was (partly) paid: that part of the credit is the customer's, not a negative invoice
        report.say(f"{figure(beyond, note.currency)} {note.currency} of it is more than {note.original_invoice} "
                   f"still owed ({figure(max(owed, Decimal(0)), note.currency)}): it stands as a credit on "
                   f"{note.customer_id}'s account, to refund or to offset against other invoices")
    return report


def read_ebm_report(path: Path) -> tuple[list[EbmReceipt], list[Problem]]:
    """The receipts of an EBM sales report file, and a problem per row that cannot be read."""
    return parse_ebm_csv(read_ebm_text(path), Path(path).name)


def import_ebm_report(host: Host, report_file: Path, period: str | None = None) -> Report:
    """Record the EBM receipts of a sales report in the register and list what does not agree; nothing is
    imported when a row cannot be read."""
    month = Period.parse(period) if period is not None else None
    span = (month.first, month.last) if month is not None else None
    receipts, problems = read_ebm_report(report_file)
    report = Report("import EBM receipts", problems=list(problems))
    errors = report.errors
    if errors:
        return report.refuse(f"{report_file.name}: {len(errors)} row(s) cannot be read; nothing was imported")
    ledger = open_for_work(host, "import EBM receipts")
    result = import_ebm(ledger, receipts, period=span)
    apply(host, ledger, result.changes, "import EBM receipts")
    report.lines += [str(finding) for finding in result.findings]
    report.lines += [f"compared in {result.base} at the rate of the invoice date: {used}"
                     for used in result.rates_used()]
    shown = f" for {result.period[0]:%d/%m/%Y} to {result.period[1]:%d/%m/%Y}" if result.period else ""
    note = f", {result.not_compared} not compared (no rate: see above)" if result.not_compared else ""
    report.say(f"{report_file.name}: {len(receipts)} receipt(s){shown}: {result.recorded} recorded, "
               f"{result.unchanged} already in the register{note}; {len(result.findings)} difference(s) to look at")
    return report
