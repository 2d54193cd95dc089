"""Confirmations (ISA 505) on the sample company at 31 July 2025: who is selected, the register and the letters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from arxl.aging.sheet import without_results
from arxl.books.audit.confirmations import (
    Balance,
    Candidate,
    build_confirmations,
    derived_seed,
    population,
    select,
    selection,
)
from arxl.books.audit.context import PackContext, build_context, data_sheets
from arxl.books.audit.papers import Signoff
from arxl.core.period import Period
from arxl.formats.audit.letters import write_letters
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.statement_files import write_sheets
from arxl.formats.xlsx.host import FileHost, ledger_of
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import OpenItem
from arxl.ledger.records import Receipt, Row
from arxl.sample import sample_tables
from tests.calc import assert_formulas_match
from tests.conftest import need_tool

JULY = Period.parse("2025-07")
SIGNOFF = Signoff("A. Accountant", dt.date(2025, 8, 5))
OVERPAID = "C040"  # owes 200,600 RWF at the end of July; the test book gives it a 90,000,000 overpayment


def _ledger(path: Path, tables: dict[str, list[Row]]) -> Ledger:
    write_book(path, tables)
    ledger, _ = ledger_of(FileHost(path))
    return ledger


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    return _ledger(tmp_path_factory.mktemp("confirm") / "sample.xlsx", sample_tables(7))


@pytest.fixture(scope="module")
def overpaid(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """The sample with one customer paying 90,000,000 RWF on account in July: a credit balance at the period end."""
    tables = sample_tables(7)
    tables["Receipts"] = [*tables["Receipts"], Receipt(
        receipt_id="RCPT-2025-9001", date=dt.date(2025, 7, 28), amount=D(90_000_000), currency="RWF",
        customer_id=OVERPAID, payer_name="KIGALI CONVENTION CENTRE", bank_reference="FT25209OVERPAY")]
    return _ledger(tmp_path_factory.mktemp("overpaid") / "overpaid.xlsx", tables)


def _context(ledger: Ledger, **settings: object) -> PackContext:
    if settings:
        ledger = dataclasses.replace(ledger, settings=ledger.settings.model_copy(update=settings))
    return build_context(ledger, "billing.xlsx", JULY, SIGNOFF)


def test_the_same_seed_draws_the_same_customers_and_another_seed_others(sample: Ledger) -> None:
    first = selection(_context(sample, audit_confirm_seed="20250731"))
    again = selection(_context(sample, audit_confirm_seed="20250731"))
    other = selection(_context(sample, audit_confirm_seed="1"))
    assert first.customers == again.customers
    assert first.seed == "20250731" and first.seed_given
    sampled = [s.customer_id for s in first.selected if s.reason == "sample"]
    assert len(sampled) == 5
    assert sampled != [s.customer_id for s in other.selected if s.reason == "sample"]
    # the largest do not depend on the seed
    assert [s.customer_id for s in first.selected if s.reason == "largest"] == \
        [s.customer_id for s in other.selected if s.reason == "largest"]


def test_without_a_seed_one_is_derived_from_the_period_and_written_on_the_register(sample: Ledger) -> None:
    part = build_confirmations(_context(sample))
    assert part.selection.seed == derived_seed("2025-07") and not part.selection.seed_given
    assert build_confirmations(_context(sample)).selection.customers == part.selection.customers
    cells = {(r, c): cell.value for r, row in enumerate(part.register.rows, start=1)
             for c, cell in enumerate(row, start=1)}
    assert (cells[(3, 9)], cells[(3, 10)]) == ("Seed", derived_seed("2025-07"))
    assert (cells[(4, 9)], cells[(4, 10)]) == ("Population", 60)  # every sample customer owes something
    # drawn again from that seed written in Settings, the same customers
    kept = selection(_context(sample, audit_confirm_seed=part.selection.seed))
    assert kept.customers == part.selection.customers and kept.seed_given


def test_the_largest_are_the_largest_by_base_value_whatever_the_currency() -> None:
    candidates = [
        Candidate("C1", (Balance("RWF", D(5_000_000), D(5_000_000)),)),
        Candidate("C2", (Balance("USD", D(5_000), D(7_200_000)),)),  # 5,000 USD at 1,440: the largest
        Candidate("C3", (Balance("RWF", D(900_000), D(900_000)),)),
        Candidate("C4", (Balance("RWF", D(-6_000_000), D(-6_000_000)),)),  # owed to the customer: large too
        Candidate("C5", (Balance("RWF", D(1_000), D(1_000)), Balance("USD", D(2_000), D(2_880_000)))),
    ]
    chosen = select(candidates, largest=3, sample=0, seed="x")
    assert [(s.customer_id, s.reason, s.kind) for s in chosen.selected] == [
        ("C2", "largest", "positive"), ("C4", "largest", "positive"), ("C1", "largest", "positive")]
    # given in another order, the same selection and the same sample
    shuffled = select(candidates[::-1], largest=1, sample=2, seed="x")
    assert shuffled.customers == select(candidates, largest=1, sample=2, seed="x").customers


def test_on_the_sample_no_customer_left_out_is_larger_than_one_selected_as_largest(sample: Ledger) -> None:
    ctx = _context(sample, audit_confirm_largest=10, audit_confirm_sample=5)
    chosen = selection(ctx)
    largest = [s.candidate for s in chosen.selected if s.reason == "largest"]
    assert len(largest) == 10
    others = [c for c in chosen.population if c.customer_id not in {x.customer_id for x in largest}]
    assert min(c.size for c in largest) >= max(c.size for c in others)
    assert largest[0].customer_id == "C027" and largest[0].base == D(59_472_000)
    # a USD customer is ranked at its base value: 1,140 USD at the closing rate
    usd = next(c for c in chosen.population if c.customer_id == "C056")
    assert usd.balances[0].amount == D(1140)
    assert usd.base == sum((ctx.base_value(i) for i in ctx.items if i.customer_id == "C056"), D(0)) > D(1_000_000)


def test_a_customer_in_credit_is_in_the_population_and_can_be_selected(overpaid: Ledger) -> None:
    ctx = _context(overpaid)
    part = build_confirmations(ctx)
    first = part.selection.selected[0]
    assert (first.customer_id, first.reason) == (OVERPAID, "largest")
    assert first.candidate.balances == (Balance("RWF", D(200_600 - 90_000_000), D(200_600 - 90_000_000)),)
    row = next(r for r in part.register.rows if r and r[0].value == OVERPAID)
    assert row[3].value == D(-89_799_400)
    assert str(row[13].value).startswith("credit balance")
    letter = next(x for x in part.letters if x.customer_id == OVERPAID)
    text = " ".join(str(c.value) for r in letter.sheet.rows for c in r if c.value is not None)
    assert "-89,799,400 RWF in your favour" in text and "RCPT-2025-9001" in text


def test_the_type_follows_settings(sample: Ledger) -> None:
    mixed = selection(_context(sample))
    assert {s.reason: s.kind for s in mixed.selected} == {"largest": "positive", "sample": "negative"}
    for kind in ("positive", "negative"):
        assert {s.kind for s in selection(_context(sample, audit_confirm_type=kind)).selected} == {kind}


def test_population_nets_a_customers_items_per_currency() -> None:
    def item(kind: str, ref: str, customer: str, currency: str, amount: str) -> OpenItem:
        day = dt.date(2025, 7, 1)
        return OpenItem(kind, ref, customer, currency, day, day, D(amount), D(0), D(0), D(amount))  # type: ignore[arg-type]

    items = [item("invoice", "INV-1", "B", "RWF", "1000"), item("unapplied", "R-1", "B", "RWF", "-1000"),
             item("invoice", "INV-2", "A", "USD", "10"), item("invoice", "INV-3", "A", "RWF", "500")]
    found = population(items, lambda i: i.open_amount * (1440 if i.currency == "USD" else 1), "RWF")
    assert found == [Candidate("A", (Balance("RWF", D(500), D(500)), Balance("USD", D(10), D(14400))))]


@pytest.mark.libreoffice
def test_the_register_recalculates_to_arxls_figures_and_a_reply_gives_its_difference(
        sample: Ledger, tmp_path: Path, libreoffice: LibreOffice) -> None:
    ctx = _context(sample)
    part = build_confirmations(ctx)
    path = write_sheets(tmp_path / "pack.xlsx", [*data_sheets(ctx), without_results(part.register)])
    name = part.register.name
    assert name == "F Confirmations"
    assert part.expected["D9"] == D(59_472_000) and part.expected["J6"] == D("0.7466")
    assert (part.expected["L11"], part.expected["M11"]) == ("no reply", "pending")  # cached: nobody replied yet
    # the auditor enters two replies: C027 confirms 1,000 less, C033 agrees
    book = openpyxl.load_workbook(path)
    book[name]["K9"] = 59_471_000
    book[name]["K10"] = 47_082_000
    book.save(path)
    expected: dict[tuple[str, str], D | str] = {(name, ref): value for ref, value in part.expected.items()}
    expected.update({(name, "L9"): D(-1000), (name, "M9"): "no", (name, "L10"): D(0), (name, "M10"): "yes",
                     (name, "L11"): "no reply", (name, "M11"): "pending"})
    assert_formulas_match(libreoffice, path, expected)


@pytest.mark.libreoffice
def test_a_usd_reply_that_agrees_to_the_cent_reads_yes(sample: Ledger, tmp_path: Path,
                                                        libreoffice: LibreOffice) -> None:
    ctx = _context(sample, audit_confirm_largest=60, audit_confirm_sample=0)
    part = build_confirmations(ctx)
    name = part.register.name
    row = next(r for r, cells in enumerate(part.register.rows, start=1) if cells and cells[0].value == "C057")
    assert (part.register.rows[row - 1][2].value, part.expected[f"D{row}"]) == ("USD", D(380))
    assert (part.register.rows[row][0].value, part.expected[f"D{row + 1}"]) == ("C058", D(380))  # USD too
    path = write_sheets(tmp_path / "pack.xlsx", [*data_sheets(ctx), part.register])
    book = openpyxl.load_workbook(path)
    book[name][f"K{row}"] = 380.00
    book[name][f"K{row + 1}"] = 379.99
    book.save(path)
    assert_formulas_match(libreoffice, path, {(name, f"L{row}"): D(0), (name, f"M{row}"): "yes",
                                              (name, f"L{row + 1}"): D("-0.01"), (name, f"M{row + 1}"): "no"})


@pytest.mark.libreoffice
def test_the_letters_say_the_balance_and_the_right_wording(sample: Ledger, tmp_path: Path,
                                                            libreoffice: LibreOffice) -> None:
    need_tool(shutil.which("pdftotext") is not None, "pdftotext is not installed: apt-get install poppler-utils")
    ctx = _context(sample, auditor="Umucyo & Partners, PO Box 1234 Kigali")
    part = build_confirmations(ctx)
    positive = next(x for x in part.letters if x.kind == "positive")
    negative = next(x for x in part.letters if x.kind == "negative")
    pdfs = write_letters([positive, negative], tmp_path / "confirmations", libreoffice)
    assert [p.name for p in pdfs] == [f"confirm-{positive.customer_id}-2025-07.pdf",
                                      f"confirm-{negative.customer_id}-2025-07.pdf"]

    def text(pdf: Path) -> str:
        return " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                       check=True).stdout.split())

    first, other = text(pdfs[0]), text(pdfs[1])
    assert positive.customer_id == "C027"
    assert "59,472,000 RWF" in first and "INV-2025-00278" in first and "Airtel Rwanda Ltd" in first
    assert "Please confirm directly to our auditors, Umucyo & Partners, PO Box 1234 Kigali," in first
    assert "Reply only if you do not agree" not in first and "agrees with our records" in first
    assert "Reply only if you do not agree with it" in other and "Please confirm directly" not in other
    balance = next(s.candidate.balances[0] for s in part.selection.selected if s.customer_id == negative.customer_id)
    assert f"{balance.amount:,} RWF" in other


@pytest.mark.libreoffice
def test_the_pack_has_the_register_over_its_own_open_items_and_the_letters(tmp_path: Path,
                                                                           libreoffice: LibreOffice) -> None:
    from arxl.app.audit import audit_pack

    book = tmp_path / "billing.xlsx"
    ledger = _ledger(book, sample_tables(7))
    report = audit_pack(FileHost(book), JULY, tmp_path / "pack", preparer="A. Accountant", today=SIGNOFF.prepared)
    part = build_confirmations(build_context(ledger, book.name, JULY, SIGNOFF))
    letters = sorted(p.name for p in (tmp_path / "pack" / "letters").iterdir())
    assert letters == sorted(x.pdf_name for x in part.letters) and len(letters) == 15
    assert any("15 confirmation letters" in line for line in report.lines)
    index = (tmp_path / "pack" / "index.csv").read_text(encoding="utf-8")
    assert "letters/confirm-C027-2025-07.pdf" in index
    pack = tmp_path / "pack" / "audit-pack-2025-07.xlsx"
    assert_formulas_match(libreoffice, pack, {("F Confirmations", ref): v for ref, v in part.expected.items()})
