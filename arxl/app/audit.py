"""``arxl audit pack``: the auditor's working papers for a month or a year, built in one command.

The job reads the workbook (it changes nothing in it), builds the pack's view of the ledger at the period end
(:mod:`arxl.books.audit.context`), asks each paper of :data:`PAPERS` for its sheets, prepares the confirmation
letters, indexes the period's documents, and writes into ``--out DIR``:

- ``audit-pack-<period>.xlsx``: the Index, the papers A, B, C... (each with its preparer / reviewer / date cells
  and tickmarks), the Legend, the Documents sheet, and the ``Z`` sheets (copies of the ledger's tables every
  figure traces to);
- ``letters/``: the confirmation letters as PDF (when LibreOffice is installed);
- ``index.csv``: every document of the period with path, bytes, SHA-256, number and date, the pack's own files
  included, which ``arxl audit verify --pack DIR`` checks again.

With Sage's Aged Debtors report (``--sage``, and ``--tb`` its trial balance), the lead schedule ties the
subledger to Sage's control account through the same comparison as ``arxl tieout``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from arxl.app.jobs import open_for_work, refuse_errors
from arxl.app.report import Report
from arxl.books.audit import allowance, schedules
from arxl.books.audit.confirmations import LETTER_FOLDER, build_confirmations, register_paper
from arxl.books.audit.context import PackContext, build_context, data_sheets
from arxl.books.audit.cutoff import cutoff_paper, subsequent_paper
from arxl.books.audit.lead import lead_paper
from arxl.books.audit.papers import FIRST_ROW, Signoff, header, legend_sheet, paper
from arxl.books.audit.register import register_paper as invoice_register
from arxl.books.audit.rollforward import rollforward_paper
from arxl.books.tieout import tie_out
from arxl.core.background import paused_gc
from arxl.core.money import figure
from arxl.core.period import Period
from arxl.formats.audit.documents import describe, find_documents
from arxl.formats.audit.index import HEADER, INDEX, IndexEntry, write_index
from arxl.formats.audit.letters import write_letters
from arxl.formats.audit.pack import write_pack
from arxl.formats.libreoffice import INSTALL_HINT, LibreOffice, find_soffice
from arxl.formats.sage_report import load_report_profile, read_control_account, read_sage_report
from arxl.formats.xlsx.fastread import read_columns
from arxl.formats.xlsx.host import FileHost, Host
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.checks import check_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import TABLES, columns

Paper = Callable[[PackContext], list[SheetSpec]]

PAPERS: tuple[Paper, ...] = (lead_paper, rollforward_paper, invoice_register, cutoff_paper, subsequent_paper,
                             register_paper, allowance.allowance_paper, *schedules.PAPERS)
"""The working papers, in index order (A, B, C...): each a function of the pack's context."""



def audit_pack(host: Host, period: Period, out_dir: Path, *, preparer: str, today: dt.date,
               documents: Path | None = None, sage: Path | None = None, trial_balance: Path | None = None,
               profile: Path | None = None) -> Report:
    """Build the audit pack of ``period`` (a month or a year) into ``out_dir``."""
    ledger = _read(host)
    ctx = build_context(ledger, host.name, period, Signoff(preparer, today))
    if sage is not None:
        aliases = load_report_profile(profile) if profile else None
        report_of_sage = read_sage_report(sage, ctx.base, aliases)
        ctx.tie = tie_out(ledger, report_of_sage.balances, ctx.last)
        ctx.sage_source = sage.name
        if trial_balance is not None:
            control = read_control_account(trial_balance, ledger.settings.sage_debtors_nominal)
            ctx.sage_control = control.balance
            ctx.sage_source += f"; {trial_balance.name} ({control.where})"
    with paused_gc():  # hundreds of thousands of rows copied: the cycle collector has nothing to find in them
        return _build(host, ctx, period, out_dir, documents)


UNREAD = {"Invoices": {"notes", "ebm_sdc_id", "ebm_mrc", "ebm_receipt_type", "po_number"},
          "Receipts": {"narrative", "bank_account", "statement_line"}, "Allocations": {"notes"}}
"""Free text no paper reads: a year's receipts' narratives alone are a tenth of the workbook's read."""


def _read(host: Host) -> Ledger:
    """The ledger but for :data:`UNREAD`, refused on what validate refuses; a file's big registers are read on
    both cores."""
    if not isinstance(host, FileHost):
        return open_for_work(host, "audit pack")
    host.mark_read()
    wanted = {name: tuple(c.field for c in columns(spec.model) if c.field not in UNREAD[name])
              if name in UNREAD else None for name, spec in TABLES.items()}
    ledger, problems = read_columns(host.path, wanted, ("Receipts", "Allocations"))
    refuse_errors(host.name, "audit pack", problems + check_ledger(ledger))
    return ledger


def _build(host: Host, ctx: PackContext, period: Period, out_dir: Path, documents: Path | None) -> Report:
    ledger = ctx.ledger
    papers = [sheet for build in PAPERS for sheet in build(ctx)]
    out_dir.mkdir(parents=True, exist_ok=True)
    pack = out_dir / f"audit-pack-{period}.xlsx"
    written: list[IndexEntry] = []  # the pack's own files besides the workbook (letters, data files)
    letters, pdfs = build_confirmations(ctx).letters, []
    if letters and find_soffice() is not None:
        with LibreOffice() as office:
            pdfs = write_letters(letters, out_dir / LETTER_FOLDER, office)
        written += [describe(pdf, out_dir, "confirmation", x.customer_id, ctx.last, f"Confirmation {x.customer_id}")
                    for pdf, x in zip(pdfs, letters, strict=True)]
    root = documents if documents is not None else host.folder / (ledger.settings.output_folder or "out")
    numbers = {i.invoice_no: ("credit note" if i.doc_type == "credit_note" else "invoice", i.invoice_date)
               for i in ledger.invoices}
    found = find_documents(root, ctx.first, ctx.last, out_dir, numbers, skip=out_dir) + written
    sheets = [index_sheet(ctx, papers), *papers, legend_sheet(ctx.head), documents_sheet(ctx, found),
              *data_sheets(ctx)]
    write_pack(pack, sheets)
    listed = [*found, describe(pack, out_dir, "pack", str(period), ctx.last, f"Audit pack {period} (workbook)")]
    index = out_dir / INDEX
    write_index(index, listed)
    report = Report("audit pack")
    totals: dict[str, Decimal] = {}
    for item in ctx.items:
        totals[item.currency] = totals.get(item.currency, Decimal(0)) + item.open_amount
    money = ", ".join(figure(v, c, with_code=True) for c, v in sorted(totals.items()))
    report.say(f"audit pack for {period.label}: {len(papers)} working papers, {len(found)} documents indexed; "
               f"receivables at {ctx.last:%d/%m/%Y}: {money or 'none'}")
    report.say(f"written to {pack} and {index}")
    if letters:
        report.say(f"{len(pdfs)} confirmation letters (ISA 505) in {out_dir / LETTER_FOLDER}" if pdfs else
                   f"the {len(letters)} confirmation letters were not made: they need LibreOffice ({INSTALL_HINT})")
    report.files.extend([pack, index, *pdfs])
    return report


def index_sheet(ctx: PackContext, papers: Sequence[SheetSpec]) -> SheetSpec:
    """The index of the working papers: reference, title, a link to each."""
    spec = paper("0", "Index", "Index of working papers", ctx.head, "arxl audit pack", widths={"A": 14, "B": 60})
    spec.name = "Index"
    header(spec, "Reference", "Working paper")
    for sheet in [*papers]:
        title = str(sheet.rows[0][0].value) if sheet.rows and sheet.rows[0] else sheet.name
        ref = sheet.name.split(" ", 1)[0]
        spec.add(Cell(ref, link=f"#'{sheet.name}'!A1", style="link"), Cell(title.split("  ", 1)[-1]))
    return spec


def documents_sheet(ctx: PackContext, documents: Sequence[IndexEntry]) -> SheetSpec:
    """The document index as a sheet (index.csv has the same rows, and the pack workbook itself)."""
    spec = paper("DOC", "Documents", "Document index", ctx.head, "the output folder; index.csv beside the pack "
                 "also lists the pack's own workbook", widths={"A": 40, "C": 18, "E": 48, "G": 66})
    header(spec, *HEADER)
    for d in documents:
        spec.add(Cell(d.document), Cell(d.kind), Cell(d.number), Cell(d.date, style="date"), Cell(d.path),
                 Cell(d.bytes, style="integer"), Cell(d.sha256))
    if documents:
        spec.add(Cell("Documents", style="total"), Cell(""), Cell(""), Cell(""), Cell(""),
                 Cell(len(documents), formula=f"=COUNTA(G{FIRST_ROW}:G{FIRST_ROW + len(documents) - 1})",
                      style="total"))
    return spec
