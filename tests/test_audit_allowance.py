"""Working paper G, the allowance for doubtful debts: the provision matrix on a worked example to the unit
(1,000,000 in 1-30 at 3 % with +10 % forward-looking is 33,000), the loss rates worked out from a small
history with one write-off, a bad Settings "Audit Loss Rates" refused at its cell, and the forward-looking
input cell changed in the file as an auditor would: LibreOffice recomputes the paper to arxl's figures at the
new adjustment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from arxl.app.audit import audit_pack
from arxl.books.audit.allowance import allowance_paper, loss_history, settings_loss_rates
from arxl.books.audit.context import PackContext, build_context
from arxl.books.audit.papers import FIRST_ROW, Signoff
from arxl.cli import main
from arxl.core.errors import BadValue
from arxl.core.period import Period
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.changes import SheetSpec
from arxl.ledger.records import Allocation, Customer, DocType, Invoice, Receipt, Row, Setting
from tests.builders import usd_rates
from tests.calc import assert_formulas_match
from tests.test_audit_schedules import expected_of, rows_of

JULY = Period(2025, 7)
END = JULY.last
RATES = "1%,3%,10%,25%,50%,60%"  # Current, 1-30, 31-60, 61-90, 91-120, Over 120


def _invoice(no: str, customer: str, total: str, due: dt.date, *, currency: str = "RWF",
             doc_type: DocType = "invoice", invoiced: dt.date | None = None, original: str = "") -> Invoice:
    amount = D(total)
    return Invoice(invoice_no=no, doc_type=doc_type, invoice_date=invoiced or due - dt.timedelta(days=30),
                   due_date=due, customer_id=customer, currency=currency, net_amount=amount, vat_amount=D(0),
                   total_amount=amount, rate=D(1400) if currency == "USD" else None, original_invoice=original)


def _tables(settings: dict[str, str], invoices: list[Row], receipts: list[Row], allocations: list[Row],
            provision: dict[str, D] | None = None) -> dict[str, list[Row]]:
    customers = [Customer(customer_id=c, name=f"Customer {c}", customer_type="private",
                          currency="USD" if c == "C004" else "RWF",
                          specific_provision=(provision or {}).get(c)) for c in ("C001", "C002", "C003", "C004")]
    return {
        "Settings": [Setting(key="Company Name", value="Kigali Cloud & Systems Ltd"),
                     Setting(key="Base Currency", value="RWF"), Setting(key="Aging Buckets", value="30,60,90,120"),
                     *(Setting(key=k, value=v) for k, v in settings.items())],
        "Customers": list(customers), "Invoices": invoices, "Receipts": receipts, "Allocations": allocations,
        "Rates": usd_rates(),
    }


def worked_example() -> dict[str, list[Row]]:
    """At 31/07/2025: C001 500,000 current and 1,000,000 16 days overdue, and a loose credit note of 100,000;
    C002 2,000,000 91 days overdue; C003 (specific provision 50 %) 400,000 46 days overdue; C004 1,000 USD 181
    days overdue, 1,440,000 RWF at the closing rate."""
    d = dt.date
    invoices: list[Row] = [
        _invoice("INV-1", "C001", "500000", d(2025, 8, 10)),
        _invoice("INV-2", "C001", "1000000", d(2025, 7, 15)),
        _invoice("CN-1", "C001", "-100000", d(2025, 7, 20), doc_type="credit_note", invoiced=d(2025, 7, 20)),
        _invoice("INV-3", "C002", "2000000", d(2025, 5, 1)),
        _invoice("INV-4", "C003", "400000", d(2025, 6, 15)),
        _invoice("INV-5", "C004", "1000.00", d(2025, 1, 31), currency="USD"),
    ]
    return _tables({"Audit Loss Rates": RATES, "Audit Forward Looking": "10%"}, invoices, [], [],
                   {"C003": D("0.5")})


def context_of(path: Path) -> PackContext:
    ledger, problems = open_ledger(path)
    assert not [p for p in problems if p.severity == "error"], problems
    return build_context(ledger, path.name, JULY, Signoff("A. Auditor", dt.date(2025, 8, 5)))


def labelled(sheet: SheetSpec) -> dict[str, list[object]]:
    """The paper's rows by their label in column A (the first row of a label: the matrix before the history)."""
    found: dict[str, list[object]] = {}
    for r in rows_of(sheet):
        if r:
            found.setdefault(str(r[0]), r)
    return found


def test_the_provision_matrix_of_the_worked_example_to_the_unit(tmp_path: Path) -> None:
    book = write_book(tmp_path / "billing.xlsx", worked_example())
    [sheet] = allowance_paper(context_of(book))
    rows = labelled(sheet)
    # bucket: invoices open, of specific-provision customers, subject to the matrix, rate, adjusted, provision
    assert rows["Current"][1:7] == [D(500000), 0, D(500000), D("0.01"), D("0.011"), D(5500)]
    assert rows["1-30"][1:7] == [D(1000000), 0, D(1000000), D("0.03"), D("0.033"), D(33000)]
    assert rows["31-60"][1:7] == [D(400000), D(400000), 0, D("0.1"), D("0.11"), 0]  # C003: provided specifically
    assert rows["61-90"][1:7] == [0, 0, 0, D("0.25"), D("0.275"), 0]
    assert rows["91-120"][1:7] == [D(2000000), 0, D(2000000), D("0.5"), D("0.55"), D(1100000)]
    assert rows["Over 120"][1:7] == [D(1440000), 0, D(1440000), D("0.6"), D("0.66"), D(950400)]
    assert rows["Provision matrix: total"][6] == D(2088900)
    assert rows["C003"][2:5] == [D(400000), D("0.5"), D(200000)]
    assert rows["Allowance for doubtful debts"][1] == D(2288900)
    # the loose credit note is owed to C001: not provided for, and not in the invoices open
    assert rows["Invoices open at the period end"][1] == D(5340000)
    assert rows["Forward-looking adjustment"][5] == D("0.1")
    assert sheet.rows[FIRST_ROW - 1][5].value == D("0.1")  # the one input cell: F9


def test_an_auditor_changes_the_forward_looking_cell_and_the_paper_recomputes(
        tmp_path: Path, libreoffice: LibreOffice) -> None:
    """The paper with its rates from the history (the sample's G, with Settings rates, is recalculated in
    test_audit_schedules), the forward-looking cell changed from 10 % to 20 % in the file."""
    book = write_book(tmp_path / "billing.xlsx", history_tables(forward="10%"))
    audit_pack(FileHost(book), JULY, tmp_path / "pack", preparer="A. Auditor", today=dt.date(2025, 8, 5))
    path = tmp_path / "pack" / "audit-pack-2025-07.xlsx"
    pack = openpyxl.load_workbook(path)
    assert pack["G Allowance"][f"F{FIRST_ROW}"].value == pytest.approx(0.1)
    pack["G Allowance"][f"F{FIRST_ROW}"].value = 0.2
    pack.save(path)
    # what the paper must show at +20 %: arxl's paper built with Settings at 20 %
    [at_20] = allowance_paper(context_of(write_book(tmp_path / "at20.xlsx", history_tables(forward="20%"))))
    assert labelled(at_20)["1-30"][4:7] == [D("0.1143"), D("0.13716"), D(68580)]  # 500,000 x 11.43 % x 1.20
    expected = {("G Allowance", cell): value for (_, cell), value in expected_of({"G": at_20}).items()}
    assert len(expected) > 40
    assert_formulas_match(libreoffice, path, expected)


def history_tables(rates: str = "", forward: str = "") -> dict[str, list[Row]]:
    """Four January invoices due 31/01/2025 and one of June: INV-A 1,000,000, 600,000 paid 15/02 and 400,000
    written off 15/05 (104 days: 91-120); INV-B 1,000,000 paid 20/01 (current); INV-C 2,000,000 paid 20/05
    (109 days); INV-D 500,000 due 01/07, open at 31/07 (30 days: 1-30)."""
    d = dt.date
    jan = d(2025, 1, 1)
    invoices: list[Row] = [
        _invoice("INV-A", "C001", "1000000", d(2025, 1, 31), invoiced=jan),
        _invoice("INV-B", "C002", "1000000", d(2025, 1, 31), invoiced=jan),
        _invoice("INV-C", "C002", "2000000", d(2025, 1, 31), invoiced=jan),
        _invoice("INV-D", "C001", "500000", d(2025, 7, 1), invoiced=d(2025, 6, 1)),
    ]
    receipts: list[Row] = [Receipt(receipt_id=r, date=day, amount=D(a), currency="RWF", customer_id=c)
                           for r, day, a, c in (("R-1", d(2025, 2, 15), "600000", "C001"),
                                                ("R-2", d(2025, 1, 20), "1000000", "C002"),
                                                ("R-3", d(2025, 5, 20), "2000000", "C002"))]
    allocations: list[Row] = [
        Allocation(receipt_id="R-1", invoice_no="INV-A", date=d(2025, 2, 15), currency="RWF",
                   applied_amount=D(600000)),
        Allocation(receipt_id="R-1", invoice_no="INV-A", date=d(2025, 5, 15), currency="RWF",
                   applied_amount=D(0), deduction_amount=D(400000), deduction_type="write_off"),
        Allocation(receipt_id="R-2", invoice_no="INV-B", date=d(2025, 1, 20), currency="RWF",
                   applied_amount=D(1000000)),
        Allocation(receipt_id="R-3", invoice_no="INV-C", date=d(2025, 5, 20), currency="RWF",
                   applied_amount=D(2000000)),
    ]
    settings = {"Audit Loss Rates": rates, "Audit Forward Looking": forward}
    return _tables({k: v for k, v in settings.items() if v}, invoices, receipts, allocations)


def test_loss_rates_from_the_write_off_history(tmp_path: Path) -> None:
    ctx = context_of(write_book(tmp_path / "billing.xlsx", history_tables()))
    history = loss_history(ctx.ledger, ctx.scheme, END, "RWF")
    # reached: every invoice is born current; INV-A (1,000,000 until 15/02), INV-C and INV-D reach 1-30; INV-A
    # (400,000 left) and INV-C (2,000,000) reach 31-60, 61-90 and 91-120; nothing is left when 120 days pass
    assert history.reached == (D(4500000), D(3500000), D(2400000), D(2400000), D(2400000), D(0))
    assert history.written_off == (D(0), D(0), D(0), D(0), D(400000), D(0))
    # lifetime: written off from the bucket or a later one / reached it, to 0.01 %
    assert history.rates == (D("0.0889"), D("0.1143"), D("0.1667"), D("0.1667"), D("0.1667"), D(0))
    [sheet] = allowance_paper(ctx)
    rows = labelled(sheet)
    assert rows["1-30"][1:7] == [D(500000), 0, D(500000), D("0.1143"), D("0.1143"), D(57150)]
    assert sheet.rows[FIRST_ROW][4].formula.startswith("=E")  # the matrix's rate points at the history block
    assert rows["Written off"][2] == D(400000)
    history_rows = [r for r in rows_of(sheet) if r and r[0] == "1-30"]
    assert history_rows[1][1:5] == [D(3500000), 0, D(400000), D("0.1143")]  # the history block's row


@pytest.mark.parametrize(("rates", "says"), [
    ("1%,3%,10%", "Audit Loss Rates gives 3 rate(s) for 6 aging buckets"),
    ("1%,3%,10%,25%,fifty,60%", "the loss rate of 91-120"),
    ("1%,3%,10%,25%,50%,160%", "is not between 0% and 100%"),
])
def test_bad_loss_rates_are_refused_at_their_settings_cell(tmp_path: Path, rates: str, says: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    book = write_book(tmp_path / "billing.xlsx", history_tables(rates))
    ctx = context_of(book)
    with pytest.raises(BadValue, match=re.escape(says)) as raised:
        settings_loss_rates(ctx.ledger, ctx.scheme)
    assert str(raised.value.where) == "[billing.xlsx]Settings!B5"  # the fourth setting, under the header
    assert main(["audit", "pack", str(book), "--period", "2025-07", "--out", str(tmp_path / "pack")]) == 2
    err = capsys.readouterr().err
    assert "Settings!B5" in err and says in err
    assert not (tmp_path / "pack" / "audit-pack-2025-07.xlsx").exists()
