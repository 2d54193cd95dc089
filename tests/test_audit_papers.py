"""The audit pack's papers A-E on the sample after July 2025's month-end, with what an auditor looks for added
to it: a credit note beyond what its invoice owed and a refund of it, an RWF receipt paying a USD invoice (its
rest unapplied), a credit note skipping a number, and in August a credit note for a July invoice and a receipt
with withholding. Sage's report holds arxl's balances but one entry keyed in Sage. The pack is recalculated
once by LibreOffice; the lead schedule ties to the unit to sums made here, the roll-forward ties, the gap is
listed, the late credit note and the August receipt are where an auditor looks for them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from openpyxl.utils import get_column_letter

from arxl.app.audit import audit_pack
from arxl.books.audit.context import PackContext, build_context
from arxl.books.audit.cutoff import cutoff_paper, subsequent_paper
from arxl.books.audit.lead import lead_paper
from arxl.books.audit.papers import FIRST_ROW, Signoff
from arxl.books.audit.register import register_paper
from arxl.books.audit.rollforward import rollforward_paper
from arxl.books.tieout import movements, tie_out
from arxl.core.period import Period
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.sage_report import read_control_account, read_sage_report
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.ledger.changes import ChangeSet, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import open_items
from arxl.ledger.records import Allocation, Invoice, Receipt
from arxl.ledger.sage_accounts import sage_accounts
from tests.builders import closed_sample, recovery_book, recovery_tables, usd_rates
from tests.calc import Expected, assert_formulas_match

JULY = Period.parse("2025-07")
END = JULY.last
PLANTED = D(120000)  # keyed in Sage on C001's account, unknown to arxl


def _ledger(book: Path) -> Ledger:
    ledger, problems = open_ledger(book)
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


def _note(no: str, day: dt.date, original: Invoice, total: int) -> Invoice:
    vat = (D(total) * 18 / 118).quantize(D(1))
    return Invoice(invoice_no=no, doc_type="credit_note", invoice_date=day, due_date=day,
                   customer_id=original.customer_id, currency=original.currency, net_amount=-(D(total) - vat),
                   vat_amount=-vat, total_amount=-D(total), original_invoice=original.invoice_no,
                   ebm_receipt_no=f"NR-{no}")


@dataclass
class Added:
    paid: Invoice  # paid, then credited 100,000 on 20/07: an open credit, refunded 50,000 on 28/07
    late: Invoice  # open at the period end, credited 50,000 on 04/08
    usd: Invoice  # 500.00 USD paid on 25/07 by an RWF receipt of 800,000 at 1,440
    august: Invoice  # 390,000 received and 10,000 WHT on 03/08


def _add_events(book: Path) -> Added:
    ledger = _ledger(book)
    open_at = {i.reference: i for i in open_items(ledger.invoices, ledger.allocations, END, ledger.receipts)}
    july = [i for i in ledger.invoices if JULY.contains(i.invoice_date) and i.currency == "RWF"]
    paid = next(i for i in ledger.invoices if i.invoice_no not in open_at and i.currency == "RWF"
                and i.doc_type == "invoice" and dt.date(2025, 6, 1) <= i.invoice_date <= dt.date(2025, 7, 20))
    late = next(i for i in reversed(july) if i.invoice_no in open_at and open_at[i.invoice_no].open_amount > 50000)
    usd = max((i for i in ledger.invoices if i.invoice_no in open_at and i.currency == "USD"),
              key=lambda i: open_at[i.invoice_no].open_amount)
    august = next(i for i in ledger.invoices if i.invoice_no in open_at and i.currency == "RWF"
                  and open_at[i.invoice_no].open_amount > 500000 and i.invoice_no != late.invoice_no)
    day = dt.date
    changes = ChangeSet()
    changes.append("Invoices", [_note("CN-2025-00003", day(2025, 7, 20), paid, 100000),
                                _note("CN-2025-00004", day(2025, 8, 4), late, 50000)])
    changes.append("Receipts", [
        Receipt(receipt_id="R-9001", date=day(2025, 7, 25), amount=D(800000), currency="RWF",
                customer_id=usd.customer_id, payer_name="paid in francs"),
        Receipt(receipt_id="R-9002", date=day(2025, 7, 28), amount=D(-50000), currency="RWF",
                customer_id=paid.customer_id, payer_name="Refund of CN-2025-00003"),
        Receipt(receipt_id="R-9003", date=day(2025, 8, 3), amount=D(390000), currency="RWF",
                customer_id=august.customer_id, payer_name="August payer")])
    changes.append("Allocations", [
        Allocation(receipt_id="R-9001", invoice_no=usd.invoice_no, date=day(2025, 7, 25), currency="USD",
                   applied_amount=D("500.00"), rate=D(1440)),
        Allocation(receipt_id="R-9002", invoice_no="CN-2025-00003", date=day(2025, 7, 28), currency="RWF",
                   applied_amount=D(50000)),
        Allocation(receipt_id="R-9003", invoice_no=august.invoice_no, date=day(2025, 8, 3), currency="RWF",
                   applied_amount=D(390000), deduction_amount=D(10000), deduction_type="wht")])
    apply_changes(book, changes)
    return Added(paid, late, usd, august)


def _sage_files(folder: Path, ledger: Ledger) -> tuple[Path, Path]:
    """Sage's Aged Debtors as Sage would hold arxl's register (what is not yet exported missing from it, foreign
    accounts at their document rates, the revaluation on the control account), but 120,000 RWF keyed in Sage on
    C001; its trial balance's debtors control the base total of them with the revaluation journal."""
    base = ledger.settings.base_currency
    customers = {c.customer_id: c for c in ledger.customers}
    unexported: dict[tuple[str, str], D] = defaultdict(D)
    for m in movements(ledger):
        if m.exported is None and m.date <= END:
            unexported[(m.customer_id, m.currency)] += m.effect
    lines = ["A/C,Name,Currency,Balance,Base Balance"]
    control = D(0)
    for t in tie_out(ledger, [], END).lines:
        planted = PLANTED if (t.customer_id, t.currency) == ("C001", "RWF") else D(0)
        balance = t.arxl_balance - unexported[(t.customer_id, t.currency)] + planted
        value = balance if t.currency == base else (t.arxl_base or D(0)) - t.revalued
        control += value + t.revalued
        account = sage_accounts(customers[t.customer_id], base)[t.currency]
        lines.append(f'{account},"{t.name}",{t.currency},"{balance}","{value}"')
    sage = folder / "aged-debtors.csv"
    sage.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    tb = folder / "trial-balance.csv"
    nominal = ledger.settings.sage_debtors_nominal
    tb.write_text(f'N/C,Name,Debit,Credit\r\n{nominal},Debtors Control Account,"{control}",\r\n', encoding="utf-8")
    return sage, tb


@dataclass
class Built:
    pack: Path
    ledger: Ledger
    ctx: PackContext
    sheets: dict[str, SheetSpec]
    added: Added


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("audit")
    book = closed_sample(folder)
    added = _add_events(book)
    ledger = _ledger(book)
    sage, tb = _sage_files(folder, ledger)
    out = folder / "pack"
    audit_pack(FileHost(book), JULY, out, preparer="A. Mugisha", today=dt.date(2025, 8, 6), sage=sage,
               trial_balance=tb)
    ctx = build_context(ledger, book.name, JULY, Signoff("A. Mugisha", dt.date(2025, 8, 6)))
    ctx.tie = tie_out(ledger, read_sage_report(sage, ctx.base).balances, END)
    ctx.sage_control = read_control_account(tb, ledger.settings.sage_debtors_nominal).balance
    ctx.sage_source = sage.name
    papers = (lead_paper, rollforward_paper, register_paper, cutoff_paper, subsequent_paper)
    sheets = {s.name: s for build in papers for s in build(ctx)}
    return Built(out / "audit-pack-2025-07.xlsx", ledger, ctx, sheets, added)


def rows(spec: SheetSpec) -> list[list[object]]:
    return [[c.value for c in row] for row in spec.every_row()]


def formulas(spec: SheetSpec) -> dict[str, Expected]:
    """Cell -> arxl's figure, for every formula of a paper, its data rows included."""
    found: dict[str, Expected] = {}
    for r, row in enumerate(spec.every_row(), start=1):
        for c, cell in enumerate(row, start=1):
            if cell.formula:
                assert isinstance(cell.value, (D, int)), (spec.name, r, c, cell)
                found[f"{get_column_letter(c)}{r}"] = cell.value
    return found


def block(spec: SheetSpec, title: str) -> list[list[object]]:
    """The rows of a paper's block from the row whose first cell is ``title`` to the next blank row."""
    found = rows(spec)
    start = next(n for n, r in enumerate(found) if r and r[0] == title)
    end = next((n for n in range(start + 1, len(found)) if not found[n]), len(found))
    return found[start:end]


def figure_of(lines: list[list[object]], label: str) -> Any:
    return next(r[1] for r in lines if r and str(r[0]).strip() == label)


@pytest.mark.libreoffice
def test_every_figure_of_the_papers_is_what_libreoffice_computes(built: Built, libreoffice: LibreOffice) -> None:
    expected = {(name, ref): value for name, spec in built.sheets.items()
                for ref, value in formulas(spec).items()}
    assert len(expected) > 600
    assert_formulas_match(libreoffice, built.pack, expected)


def _register_sum(ledger: Ledger, c: str) -> D:
    """The customers' accounts at the period end, from the tables as they are: documents less cash less
    deductions, an RWF receipt's francs paying a USD invoice counted in dollars on the invoice's side."""
    docs = sum((i.total_amount for i in ledger.invoices if i.currency == c and i.invoice_date <= END
                and i.status != "cancelled"), D(0))
    cash_in = sum((r.amount for r in ledger.receipts if r.currency == c and r.date <= END), D(0))
    deducted = sum((a.deduction_amount for a in ledger.allocations if a.currency == c and a.date <= END), D(0))
    paid_in = {r.receipt_id: r.currency for r in ledger.receipts}
    across = sum((a.applied_amount for a in ledger.allocations if a.date <= END and a.currency == c
                  and paid_in[a.receipt_id] != c), D(0))
    across -= sum(((a.applied_amount * (a.rate or 0)).quantize(D(1)) for a in ledger.allocations
                   if a.date <= END and paid_in[a.receipt_id] == c and a.currency != c), D(0))
    return docs - cash_in - deducted - across


def test_the_lead_schedule_ties_the_subledger_to_the_aging_and_to_sage(built: Built) -> None:
    lead = built.sheets["A Lead"]
    ledger = built.ledger
    aging = open_items(ledger.invoices, ledger.allocations, END, ledger.receipts)
    for c in ("RWF", "USD"):
        lines = block(lead, c)
        of_aging = sum((i.open_amount for i in aging if i.currency == c), D(0))
        assert figure_of(lines, "AR per subledger") == _register_sum(ledger, c) == of_aging
        assert figure_of(lines, "AR per aging (Z4 open items)") == of_aging
        assert figure_of(lines, "Difference: subledger - aging") == 0
    rwf, usd = block(lead, "RWF"), block(lead, "USD")
    # the francs that paid 500.00 USD are off the RWF account; the 80,000 left is unapplied cash
    assert figure_of(rwf, "Less settled in another currency (below)") == D(720000)
    assert figure_of(usd, "Less settled in another currency (below)") == D("-500.00")
    assert figure_of(rwf, "of which unapplied cash (Z4)") <= D(-80000)
    # Sage: the entry keyed in Sage is explained, and nothing is left unexplained
    assert figure_of(rwf, "C001 " + built.ctx.name("C001") + ": posted in Sage outside arxl") == PLANTED
    assert figure_of(rwf, "Unexplained") == 0 and figure_of(usd, "Unexplained") == 0
    base = block(lead, "RWF: every currency at the closing rate")
    assert figure_of(base, "AR per aging in RWF") == sum((built.ctx.base_value(i) for i in built.ctx.items), D(0))
    assert figure_of(base, "Unexplained") == 0

def test_the_roll_forward_ties_per_currency_leg_by_leg(built: Built) -> None:
    roll = built.sheets["B Roll-forward"]
    ledger = built.ledger
    before = JULY.first - dt.timedelta(days=1)
    for c in ("RWF", "USD"):
        lines = block(roll, c)
        july = [i for i in ledger.invoices if JULY.contains(i.invoice_date) and i.currency == c]
        assert figure_of(lines, "Invoices (Z1)") == sum((i.total_amount for i in july if i.doc_type == "invoice"),
                                                        D(0))
        opening = sum((i.open_amount for i in open_items(ledger.invoices, ledger.allocations, before,
                                                          ledger.receipts) if i.currency == c), D(0))
        assert figure_of(lines, "Opening receivable at 30/06/2025 (Z1 - Z2 - Z3 to that day)") == opening
        closing = sum((i.open_amount for i in built.ctx.items if i.currency == c), D(0))
        assert figure_of(lines, "Closing receivable at 31/07/2025") == closing
        assert figure_of(lines, "Difference") == 0
    rwf = block(roll, "RWF")
    assert figure_of(rwf, "Credit notes (Z1)") == D(-100000) + sum(
        (i.total_amount for i in ledger.invoices if i.doc_type == "credit_note" and JULY.contains(i.invoice_date)
         and i.invoice_no != "CN-2025-00003"), D(0))
    assert figure_of(rwf, "Refunds paid (Z2, negative receipts)") == D(50000)
    wht = sum((a.deduction_amount for a in ledger.allocations if JULY.contains(a.date) and a.currency == "RWF"
               and a.deduction_type == "wht"), D(0))
    assert wht > 0 and figure_of(rwf, "Withholding tax at source (Z3 wht)") == -wht


def test_the_register_lists_the_period_with_its_ebm_status(built: Built) -> None:
    register = rows(built.sheets["C Register"])
    july = [i for i in built.ledger.invoices if JULY.contains(i.invoice_date)]
    listed = [r for r in register[FIRST_ROW - 1:] if r and r[0] in {i.invoice_no for i in july}]
    assert len(listed) == len(july)
    note = next(r for r in listed if r[0] == "CN-2025-00003")
    assert (note[1], note[8], note[12]) == ("credit_note", D(-100000), "E")
    missing = sum(1 for i in july if not i.ebm_receipt_no)
    assert sum(1 for r in listed if r[12] == "X") == missing
    credited = next(r for r in listed if r[0] == built.added.late.invoice_no)
    assert credited[15] == 1  # the credit note of 4 August names it


def test_a_gap_in_a_series_is_listed(built: Built) -> None:
    numbering = rows(built.sheets["C2 Numbering"])
    cn = next(r for r in numbering if r and r[0] == "CN-2025")
    # CN-2025-00001 is May's: July's run starts after it; 00002 was never issued
    assert cn[1:4] == ["CN-2025-00002", "CN-2025-00003", "CN-2025-00003"]
    assert (cn[6], cn[7], cn[10], cn[12]) == (2, 1, 1, 0)
    assert ["CN-2025", "CN-2025-00002", "", "missing", 1, "", "X"] in numbering
    inv = next(r for r in numbering if r and r[0] == "INV-2025")
    assert (inv[10], inv[11], inv[12]) == (0, 0, 0)


def test_cut_off_shows_the_credit_note_after_the_period_end_for_a_july_invoice(built: Built) -> None:
    cutoff = rows(built.sheets["D Cut-off"])
    late = built.added.late
    assert ["CN-2025-00004", "credit_note", dt.date(2025, 8, 4), "after"] == cutoff[FIRST_ROW - 1 + next(
        n for n, r in enumerate(cutoff[FIRST_ROW - 1:]) if r and r[0] == "CN-2025-00004")][:4]
    title = next(n for n, r in enumerate(cutoff) if r and str(r[0]).startswith("Credit notes dated after"))
    found = cutoff[title + 2]
    assert found[:8] == ["CN-2025-00004", dt.date(2025, 8, 4), late.invoice_no, late.invoice_date,
                         late.customer_id, "RWF", D(-50000), late.total_amount]
    assert found[12] == "X"


def test_subsequent_receipts_show_what_august_brought(built: Built) -> None:
    paper = rows(built.sheets["E Subsequent"])
    august = built.added.august
    row = next(r for r in paper if len(r) > 2 and r[2] == august.invoice_no)
    open_then = next(i.open_amount for i in built.ctx.items if i.reference == august.invoice_no)
    assert row[4:9] == [open_then, D(390000), D(10000), D(0), open_then - D(400000)]
    assert row[9] == "R-9003 03/08/2025" and row[10] == "R"
    late = next(r for r in paper if len(r) > 2 and r[2] == built.added.late.invoice_no)
    assert late[7] == D(50000)
    total = next(r for r in paper[FIRST_ROW:] if r and r[0] == "RWF")
    opened = sum((i.open_amount for i in built.ctx.items if i.kind == "invoice" and i.currency == "RWF"), D(0))
    assert total[4] == opened and total[5] == D(390000)
    assert total[9] == (D(400000) / opened).quantize(D("0.0001"))


def test_what_the_aging_cannot_hold_is_said_unexplained_and_an_early_bill_is_flagged(tmp_path: Path) -> None:
    d = dt.date
    tables = recovery_tables()
    tables["Rates"] = usd_rates()
    tables["Invoices"].append(Invoice(invoice_no="INV-2025-00009", invoice_date=d(2025, 7, 30),
                                      due_date=d(2025, 8, 29), customer_id="C001", currency="RWF",
                                      net_amount=D(100000), vat_amount=D(18000), total_amount=D(118000),
                                      period="2025-08"))
    # bank charges taken on a receipt but on no invoice: the register's arithmetic counts them, the aging cannot
    tables["Allocations"].append(Allocation(receipt_id="R-4", invoice_no="", date=d(2025, 7, 20), currency="RWF",
                                            applied_amount=D(0), deduction_amount=D(5000),
                                            deduction_type="bank_charges"))
    ledger = _ledger(recovery_book(tmp_path / "b.xlsx", tables))
    ctx = build_context(ledger, "b.xlsx", JULY, Signoff("A. Mugisha", d(2025, 8, 6)))
    rwf = block(lead_paper(ctx)[0], "RWF")
    gap = next(r for r in rwf if r[0] == "Difference: subledger - aging")
    assert gap[1:] == [D(-5000), "X", "-5,000 RWF unexplained: the register's arithmetic and its open items "
                                      "disagree"]
    assert figure_of(block(rollforward_paper(ctx)[0], "RWF"), "Difference") == D(-5000)
    assert figure_of(block(lead_paper(ctx)[0], "USD"), "Difference: subledger - aging") == 0
    cutoff = rows(cutoff_paper(ctx)[0])
    early = next(r for r in cutoff if r and r[0] == "INV-2025-00009")
    assert (early[3], early[8], early[12], early[13]) == ("before", "2025-08", "X",
                                                         "service after the period end, dated before it")
    numbering = rows(register_paper(ctx)[2])
    inv = next(r for r in numbering if r and r[0] == "INV-2025")
    # July issued 00004 and 00009; 00005-00008 are dated March to June: one stretch outside the period
    assert (inv[1], inv[2], inv[7], inv[10], inv[11], inv[12]) == ("INV-2025-00004", "INV-2025-00009", 2, 0, 4, 0)
    assert ["INV-2025", "INV-2025-00005", "INV-2025-00008", "dated outside the period", 4,
            "01/03/2025 to 20/06/2025", "X"] in numbering
