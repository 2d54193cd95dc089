"""Billing jobs: the pre-billing review, invoices with their documents (the Sage export of a month is in
:mod:`arxl.app.sage`)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from arxl.app.jobs import apply, open_for_work
from arxl.app.recovery import Progress, counter
from arxl.app.report import Refused, Report
from arxl.app.sage import export_sage as export_sage  # the close and the ribbon call it here
from arxl.billing.review import review_sheet
from arxl.billing.run import BillingPlan, plan_billing
from arxl.billing.run import generate_invoices as run_billing
from arxl.billing.schedule import prorations
from arxl.core.money import figure
from arxl.core.period import Period
from arxl.formats.invoice_doc import DEFAULT_TEMPLATE, InvoiceTemplate
from arxl.formats.invoice_model import documents
from arxl.formats.libreoffice import LibreOffice, require
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger


def review_billing(host: Host, period: str) -> Report:
    """The pre-billing review of a month into the Review sheet."""
    month = Period.parse(period)  # parsed once, here at the edge; the workflows take the Period
    ledger = open_for_work(host, "review billing")
    plan = plan_billing(ledger, month)
    changes = ChangeSet()
    changes.replace_sheet(review_sheet(ledger, plan))
    host.apply(changes)
    blocking = sum(1 for f in plan.findings if f.severity == "blocking")
    report = Report("review billing")
    report.say(f"{period}: {len(plan.due)} line(s) due, {blocking} blocking exception(s) holding back "
               f"{len(plan.held)} customer(s), {len(plan.findings) - blocking} warning(s); see the Review sheet")
    _blocking(report, plan)
    return report


def _blocking(report: Report, plan: BillingPlan) -> None:
    """Each blocking exception of the review with its cell, as validate names it."""
    for f in plan.findings:
        if f.severity == "blocking":
            report.say(f"  held back {f.customer_id}: {f.where or f.contract_ref}: {f.message}")


def generate_invoices(host: Host, period: str, out_dir: Path | None = None, pdf: bool = False,
                      progress: Progress | None = None, pdf_workers: int | None = None) -> Report:
    """Bill a month: invoices into the register (one atomic step), then their documents into ``out_dir``;
    ``progress`` is told of each document and PDF written (stages "invoice documents", "invoice PDFs"). PDFs
    come from ``pdf_workers`` LibreOffice at once (default: ``ARXL_PDF_WORKERS``, else the cores)."""
    month = Period.parse(period)
    if pdf and out_dir is not None:
        require("PDFs of invoices")  # refused before billing: the register and its documents stay together
    ledger = open_for_work(host, "generate invoices")
    run = run_billing(ledger, month)
    run.changes.replace_sheet(review_sheet(ledger, run.plan))
    apply(host, ledger, run.changes, "generate invoices")
    report = Report("generate invoices")
    if run.invoices:
        amounts = ", ".join(figure(amount, code, with_code=True) for code, amount in run.totals().items())
        report.say(f"{period}: {len(run.invoices)} invoice(s) {run.invoices[0].invoice_no} to "
                   f"{run.invoices[-1].invoice_no}, {amounts}")
    else:
        report.say(f"{period}: nothing new to bill")
    if run.plan.held:
        report.say(f"held back by blocking exceptions: {', '.join(sorted(run.plan.held))} (see the Review sheet)")
        _blocking(report, run.plan)
    if out_dir is not None:
        fresh = {i.invoice_no for i in run.invoices}
        ledger_now = open_for_work(host, "generate invoices")
        report.files += invoice_documents(host, ledger_now, period, out_dir, pdf, rewrite=fresh, progress=progress,
                                          pdf_workers=pdf_workers)
        report.say(f"{len(report.files)} document(s) written to {out_dir}" if report.files
                   else f"documents of {period} already in {out_dir}")
    return report


def invoice_documents(host: Host, ledger: Ledger, period: str, out_dir: Path, pdf: bool,
                      rewrite: Collection[str] = (), progress: Progress | None = None,
                      pdf_workers: int | None = None) -> list[Path]:
    """The .xlsx (and PDF) of every invoice of the period that has none yet in ``out_dir``, or was just billed.

    Documents follow the register, so a run that stopped after saving the register and before writing its
    documents is completed by the next run, which writes the missing ones and bills nothing.
    """
    settings = ledger.settings
    template_path = (host.folder / settings.invoice_template) if settings.invoice_template else DEFAULT_TEMPLATE
    wanted = [i for i in ledger.invoices if i.period == period and i.doc_type == "invoice"
              and (i.invoice_no in rewrite or not (out_dir / f"{i.invoice_no}.xlsx").exists()
                   or (pdf and not (out_dir / f"{i.invoice_no}.pdf").exists()))]
    if not wanted:
        return []

    shares = prorations(ledger.contracts, ledger.schedule, ledger.invoice_lines)  # a prorated line's Share
    docs, problems = documents(wanted, ledger.invoice_lines, ledger.customers, settings, host.name,
                               rates=ledger.day_rates().on, prorations=shares)
    if problems:
        raise Refused(Report("invoice documents", problems=problems).refuse(
            f"{len(problems)} invoice(s) cannot be printed"))

    written = InvoiceTemplate(template_path).write_all(
        docs, out_dir, _each(counter(progress, "invoice documents", len(docs))))
    if pdf:
        with LibreOffice(workers=pdf_workers) as office:  # one call: balanced batches over the workers
            written += office.to_pdf(written, out_dir, counter(progress, "invoice PDFs", len(written)))
    return written


def _each(advance: Callable[[int], None] | None) -> Callable[[Path], None] | None:
    """A per-file callback that counts one file each time."""
    return None if advance is None else lambda _path: advance(1)
