"""The audit pack's papers G to K on the sample at 31 July 2025 (revalued, and with one payment on account
planted so that a customer is in credit): every formula of G-K recalculated by LibreOffice equals arxl's
figure; H lists exactly the withholding without a certificate at the period end; I is the month's Revaluations
rows tied to Z4; J exactly the customers in credit (computed here from the registers); K the sample's related
parties with their balances and July's movements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from arxl.app.audit import audit_pack
from arxl.books.audit import allowance, schedules
from arxl.books.audit.context import PackContext, build_context
from arxl.books.audit.papers import FIRST_ROW, Signoff
from arxl.cli import main
from arxl.core.money import round_money
from arxl.core.period import Period
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.changes import SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import balances, open_items
from arxl.ledger.records import Allocation, Invoice, Receipt
from arxl.sample import sample_tables
from tests.calc import Expected, assert_formulas_match

JULY = Period(2025, 7)
END = JULY.last
ADVANCE = D(250000)


@dataclass
class Pack:
    book: Path
    path: Path
    ctx: PackContext
    sheets: dict[str, SheetSpec]
    advance_from: str


def expected_of(sheets: dict[str, SheetSpec]) -> dict[tuple[str, str], Expected]:
    """Every formula cell of the sheets with arxl's cached figure."""
    found: dict[tuple[str, str], Expected] = {}
    for name, sheet in sheets.items():
        for r, row in enumerate(sheet.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell.formula:
                    assert isinstance(cell.value, (D, int)), (name, r, c, cell)
                    found[(name, f"{get_column_letter(c)}{r}")] = cell.value
    return found


def rows_of(sheet: SheetSpec) -> list[list[object]]:
    """The values of a paper's rows from its first data row."""
    return [[cell.value for cell in row] for row in sheet.rows[FIRST_ROW - 1:]]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    folder = tmp_path_factory.mktemp("audit-gk")
    tables = sample_tables()
    # the sample has no customer in credit: the one who owes least pays it and 250,000 more on account on 28/07
    invoices = [r for r in tables["Invoices"] if isinstance(r, Invoice)]
    allocations = [r for r in tables["Allocations"] if isinstance(r, Allocation)]
    receipts = [r for r in tables["Receipts"] if isinstance(r, Receipt)]
    owed = balances(open_items(invoices, allocations, END, receipts))
    least, customer = min((amount, cid) for (cid, code), amount in owed.items() if code == "RWF" and amount > 0)
    tables["Receipts"].append(Receipt(receipt_id="RCPT-2025-9001", date=dt.date(2025, 7, 28),
                                      amount=least + ADVANCE, currency="RWF", customer_id=customer,
                                      payer_name="On account", narrative="advance for August"))
    book = write_book(folder / "billing.xlsx", tables)
    assert main(["fx", "revalue", str(book), "--period", "2025-07"]) == 0
    ledger, problems = open_ledger(book)
    assert not [p for p in problems if p.severity == "error"], problems
    ctx = build_context(ledger, book.name, JULY, Signoff("A. Auditor", dt.date(2025, 8, 5)))
    papers = [allowance.allowance_paper, *schedules.PAPERS]
    sheets = {s.name: s for build in papers for s in build(ctx)}
    audit_pack(FileHost(book), JULY, folder / "pack", preparer="A. Auditor", today=dt.date(2025, 8, 5))
    return Pack(book, folder / "pack" / "audit-pack-2025-07.xlsx", ctx, sheets, customer)


def test_every_figure_of_g_to_k_recalculates_to_arxls(pack: Pack, libreoffice: LibreOffice) -> None:
    assert set(pack.sheets) == {"G Allowance", "H Certificates", "I FX", "J Credit balances", "K Related parties"}
    expected = expected_of(pack.sheets)
    assert len(expected) > 300
    assert_formulas_match(libreoffice, pack.path, expected)


def test_h_lists_the_withholding_without_a_certificate_at_the_period_end(pack: Pack) -> None:
    ledger = pack.ctx.ledger
    owner = {i.invoice_no: i.customer_id for i in ledger.invoices}
    want = sorted((owner[a.invoice_no], a.invoice_no, a.deduction_type, a.deduction_amount)
                  for a in ledger.allocations
                  if a.deduction_type in ("vat_withheld", "wht") and a.deduction_amount and a.date <= END
                  and (not a.certificate_no or (a.certificate_date is not None and a.certificate_date > END)))
    listed = [r for r in rows_of(pack.sheets["H Certificates"]) if r and str(r[0]).startswith("C")]
    kinds = {"VAT withheld": "vat_withheld"}
    got = sorted((r[0], r[2], kinds.get(str(r[3]), "wht"), r[5]) for r in listed)
    assert got == want
    first = listed[0]
    assert first[7] == (END - first[6]).days  # type: ignore[operator]
    totals = {str(r[0]): r[5] for r in rows_of(pack.sheets["H Certificates"]) if r}
    assert totals["Awaiting a certificate, RWF"] == sum((w[3] for w in want), D(0))
    assert totals["Difference (nil: every such deduction is listed above)"] == 0


def test_i_is_julys_revaluation_tied_to_z4(pack: Pack) -> None:
    revaluations = [r for r in pack.ctx.ledger.table("Revaluations") if r.period == "2025-07"]
    rows = [r for r in rows_of(pack.sheets["I FX"]) if len(r) > 9 and r[2] == "USD" and str(r[1]).startswith("INV")]
    assert sorted((r[1], r[3], r[8]) for r in rows) == sorted((v.reference, v.open_amount, v.difference)
                                                              for v in revaluations)
    assert all(str(r[9]).startswith("[billing.xlsx]Revaluations!A") for r in rows)
    usd = [i for i in pack.ctx.items if i.currency == "USD"]
    by_label = {str(r[0]): r for r in rows_of(pack.sheets["I FX"]) if r}
    assert by_label["USD revalued"][3] == sum((i.open_amount for i in usd), D(0))
    assert by_label["Z4: USD open items at the period end"][7] == sum(
        (pack.ctx.base_value(i) for i in usd), D(0))
    diff = by_label["Difference (nil; else the register changed after the revaluation: revalue again)"]
    assert (diff[3], diff[7]) == (0, 0)
    assert by_label["Unrealised difference (the revaluation journal)"][8] == sum(
        (v.difference for v in revaluations), D(0))
    assert by_label["USD"][1] == D(1440) and str(by_label["USD"][4]).startswith("[billing.xlsx]Rates!C")


def by_hand(ledger: Ledger) -> dict[tuple[str, str], D]:
    """Each customer's balance per currency at the period end: billed, less received, less deducted."""
    balance: dict[tuple[str, str], D] = {}
    for inv in ledger.invoices:
        if inv.invoice_date <= END and inv.status != "cancelled":
            key = (inv.customer_id, inv.currency)
            balance[key] = balance.get(key, D(0)) + inv.total_amount
    for r in ledger.receipts:
        if r.date <= END:
            balance[(r.customer_id, r.currency)] = balance.get((r.customer_id, r.currency), D(0)) - r.amount
    owner = {i.invoice_no: i.customer_id for i in ledger.invoices}
    for a in ledger.allocations:
        if a.date <= END and a.deduction_amount:
            key = (owner[a.invoice_no], a.currency)
            balance[key] = balance.get(key, D(0)) - a.deduction_amount
    return balance


def test_j_lists_exactly_the_customers_in_credit(pack: Pack) -> None:
    balance = by_hand(pack.ctx.ledger)
    in_credit = sorted(k for k, v in balance.items() if v < 0)
    assert in_credit == [(pack.advance_from, "RWF")]
    listed = [r for r in rows_of(pack.sheets["J Credit balances"]) if r and r[3] == "Balance"]
    assert [(r[0], r[2], r[6]) for r in listed] == [(c, cur, balance[(c, cur)]) for c, cur in in_credit]
    items = [r for r in rows_of(pack.sheets["J Credit balances"]) if r and r[3] == "unapplied"]
    assert [r[4] for r in items] == ["RCPT-2025-9001"]
    total = next(r for r in rows_of(pack.sheets["J Credit balances"])
                 if r and r[0] == "To reclassify to payables (RWF)")
    assert total[7] == -ADVANCE


def test_k_shows_the_samples_related_parties(pack: Pack) -> None:
    ledger = pack.ctx.ledger
    rows = [r for r in rows_of(pack.sheets["K Related parties"]) if r and str(r[0]).startswith("C")]
    assert [(r[0], r[2]) for r in rows] == [("C044", "common director"), ("C045", "common director")]
    for r in rows:
        cid = r[0]
        owed = by_hand(ledger)[(str(cid), "RWF")]
        assert owed > 0
        assert (r[3], r[4], r[5]) == ("RWF", owed, owed)
        # the sample's history ends in June: nothing billed, credited or received in July
        assert (r[6], r[7], r[8]) == (0, 0, 0)
    total = next(r for r in rows_of(pack.sheets["K Related parties"]) if r and r[0] == "Related-party balances (RWF)")
    assert total[5] == sum((D(str(r[5])) for r in rows), D(0))


def test_g_on_the_sample_provides_for_the_red_cross_on_its_own(pack: Pack) -> None:
    sheet = pack.sheets["G Allowance"]
    rows = {str(r[0]): r for r in rows_of(sheet) if r}
    red_cross = sum((pack.ctx.base_value(i) for i in pack.ctx.items if i.customer_id == "C052" and i.is_invoice),
                    D(0))
    assert red_cross > 0
    assert rows["C052"][2:5] == [red_cross, D("0.5"), round_money(red_cross / 2, "RWF")]
    assert rows["Provision matrix: total"][2] == red_cross  # column C: left out of the matrix
    assert rows["Forward-looking adjustment"][5] == D("0.1")
    assert rows["1-30"][4:6] == [D("0.02"), D("0.022")]
