"""Credit notes: their own series, negative amounts that add up exactly, and the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.billing.credit import credit_note
from arxl.cli import main
from arxl.cli.billing import line_numbers
from arxl.core.errors import ArxlError, BadValue
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.changes import ChangeSet
from arxl.ledger.checks import check_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Invoice, InvoiceLine, Setting
from tests.builders import billing_book, billing_tables

JULY_20 = dt.date(2025, 7, 20)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return billing_book(tmp_path / "billing.xlsx")


def ledger_of(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert [p for p in problems if p.severity == "error"] == []
    return ledger


def note_of(changes: ChangeSet) -> tuple[Invoice, list[InvoiceLine]]:
    [note] = changes.appends["Invoices"]
    lines = changes.appends["InvoiceLines"]
    assert isinstance(note, Invoice)
    assert all(isinstance(line, InvoiceLine) for line in lines)
    return note, [line for line in lines if isinstance(line, InvoiceLine)]


def credit(path: Path, number: str = "INV-2025-00001", **kwargs: object) -> Invoice:
    """Credit, apply, and return the credit note as read back from the workbook."""
    changes = credit_note(ledger_of(path), number, reason=str(kwargs.pop("reason", "wrong rate")),
                          on=kwargs.pop("on", JULY_20), **kwargs)  # type: ignore[arg-type]
    apply_changes(path, changes)
    note, _ = note_of(changes)
    ledger = ledger_of(path)
    return next(i for i in ledger.invoices if i.invoice_no == note.invoice_no)


def standing(ledger: Ledger, number: str) -> tuple[D, D, D]:
    """Net, VAT and total of an invoice with its credit notes."""
    documents = [i for i in ledger.invoices if i.invoice_no == number or i.original_invoice == number]
    return (sum((i.net_amount for i in documents), D(0)), sum((i.vat_amount for i in documents), D(0)),
            sum((i.total_amount for i in documents), D(0)))


def test_whole_invoice_is_reversed_line_by_line(book: Path) -> None:
    changes = credit_note(ledger_of(book), "INV-2025-00001", reason="Billed twice", on=JULY_20)
    note, lines = note_of(changes)
    assert note.invoice_no == "CN-2025-00001"
    assert note.doc_type == "credit_note" and note.original_invoice == "INV-2025-00001"
    assert (note.net_amount, note.vat_amount, note.total_amount) == (D(-1200000), D(-126000), D(-1326000))
    assert (note.customer_id, note.currency, note.terms, note.contract_ref, note.po_number) == \
        ("C001", "RWF", "NET30", "K-001", "LPO/MINICT/2025/17")
    assert note.invoice_date == JULY_20 and "Billed twice" in note.notes
    assert [(line.line_no, line.net_amount, line.vat_amount, line.tax_code, line.service_code) for line in lines] == [
        (1, D(-600000), D(-108000), "VAT18", "HOST-01"),
        (2, D(-500000), D(0), "EXEMPT", "TRAIN"),
        (3, D(-100000), D(-18000), "VAT18", "SETUP"),
    ]
    [status] = changes.updates
    assert (status.table, status.row, status.field, status.value) == ("Invoices", 2, "status", "credited")

    apply_changes(book, changes)
    ledger = ledger_of(book)
    assert standing(ledger, "INV-2025-00001") == (D(0), D(0), D(0))
    assert ledger.invoices.rows[0].status == "credited"
    assert ledger.invoices.rows[0].invoice_no == "INV-2025-00001"  # never deleted, never renumbered
    assert [p for p in check_ledger(ledger) if p.severity == "error"] == []


def test_an_amount_is_split_over_the_tax_codes_and_adds_up_exactly(book: Path) -> None:
    note, lines = note_of(credit_note(ledger_of(book), "INV-2025-00001", amount=D("118000"),
                                      reason="3 days outage", on=JULY_20))
    # gross per tax code 826,000 (18%) and 500,000 (exempt): 118,000 shares 73,505 and 44,495
    assert [(line.tax_code, line.net_amount, line.vat_amount) for line in lines] == [
        ("VAT18", D(-53393), D(-9611)), ("VAT18", D(-8899), D(-1602)), ("EXEMPT", D(-44495), D(0))]
    assert sum(line.net_amount + line.vat_amount for line in lines if line.tax_code == "VAT18") == D(-73505)
    # within 18%, shared over the two services billed (hosting 600,000 and set-up 100,000), for Sage's nominals
    assert [line.service_code for line in lines] == ["HOST-01", "SETUP", "TRAIN"]
    assert (note.net_amount, note.vat_amount, note.total_amount) == (D(-106787), D(-11213), D(-118000))
    assert note.net_amount == sum(line.net_amount for line in lines)
    assert note.vat_amount == sum(line.vat_amount for line in lines)


def test_partial_credits_then_the_rest_bring_net_and_vat_back_to_zero(book: Path) -> None:
    first = credit(book, lines=[2])
    assert first.invoice_no == "CN-2025-00001"
    assert (first.net_amount, first.vat_amount) == (D(-500000), D(0))
    assert ledger_of(book).invoices.rows[0].status == "open"
    second = credit(book, amount=D("118000"))  # all of it under 18%: nothing is left under EXEMPT
    assert second.invoice_no == "CN-2025-00002"
    assert (second.net_amount, second.vat_amount, second.total_amount) == (D(-100000), D(-18000), D(-118000))
    third = credit(book)  # the rest
    assert third.invoice_no == "CN-2025-00003"
    assert (third.net_amount, third.vat_amount) == (D(-600000), D(-108000))
    ledger = ledger_of(book)
    assert standing(ledger, "INV-2025-00001") == (D(0), D(0), D(0))
    assert ledger.invoices.rows[0].status == "credited"
    per_code: dict[str, D] = {}
    for line in ledger.invoice_lines:
        if line.invoice_no in ("INV-2025-00001", "CN-2025-00001", "CN-2025-00002", "CN-2025-00003"):
            per_code[line.tax_code] = per_code.get(line.tax_code, D(0)) + line.net_amount + line.vat_amount
    assert per_code == {"VAT18": D(0), "EXEMPT": D(0)}
    with pytest.raises(BadValue, match=r"already fully credited \(by CN-2025-00001, CN-2025-00002, CN-2025-00003"):
        credit_note(ledger, "INV-2025-00001", reason="again", on=JULY_20)


def test_the_rest_after_an_amount_reverses_exactly_what_stands_per_tax_code(book: Path) -> None:
    credit(book, amount=D("118000"))
    with pytest.raises(BadValue, match="500,000 RWF under tax code EXEMPT is more than the 455,505 RWF still"):
        credit_note(ledger_of(book), "INV-2025-00001", lines=[2], reason="twice", on=JULY_20)
    rest = credit(book)
    assert (rest.net_amount, rest.vat_amount) == (D(-1200000 + 106787), D(-126000 + 11213))
    assert standing(ledger_of(book), "INV-2025-00001") == (D(0), D(0), D(0))


def test_selected_lines_are_reversed_as_they_stand(book: Path) -> None:
    note, lines = note_of(credit_note(ledger_of(book), "inv-2025-00001 ", lines=[3, 1, 3], reason="not installed",
                                      on=JULY_20))
    assert [(line.line_no, line.net_amount, line.vat_amount, line.quantity, line.unit_price) for line in lines] == [
        (1, D(-600000), D(-108000), D(4), D(-150000)), (2, D(-100000), D(-18000), D(1), D(-100000))]
    assert "credit of INV-2025-00001 line 3" in lines[1].description
    assert note.total_amount == D(-826000)


def test_usd_amount_keeps_cents(book: Path) -> None:
    note, lines = note_of(credit_note(ledger_of(book), "INV-2025-00002", amount=D("100.00"), reason="1 licence "
                                      "less for half a month", on=JULY_20))
    assert (note.net_amount, note.vat_amount, note.total_amount) == (D("-84.75"), D("-15.25"), D("-100.00"))
    assert lines[0].vat_amount == D("-15.25")


def test_numbers_come_from_the_register_a_failed_run_leaves_no_gap(book: Path) -> None:
    ledger = ledger_of(book)
    crashed = note_of(credit_note(ledger, "INV-2025-00001", amount=D(1000), reason="x", on=JULY_20))[0]
    again = note_of(credit_note(ledger, "INV-2025-00001", amount=D(1000), reason="x", on=JULY_20))[0]
    assert crashed.invoice_no == again.invoice_no == "CN-2025-00001"  # nothing was saved: same number
    assert credit(book, amount=D(1000)).invoice_no == "CN-2025-00001"
    assert credit(book, "INV-2025-00002", amount=D(10)).invoice_no == "CN-2025-00002"
    assert credit(book, amount=D(1000), on=dt.date(2026, 1, 5)).invoice_no == "CN-2026-00001"
    assert credit(book, amount=D(1000)).invoice_no == "CN-2025-00003"
    numbers = [i.invoice_no for i in ledger_of(book).invoices]
    assert len(numbers) == len(set(numbers))


def test_series_and_digits_come_from_settings(tmp_path: Path) -> None:
    tables = billing_tables()
    tables["Settings"] = [s for s in tables["Settings"] if getattr(s, "key", "") != "Credit Note Series"]
    tables["Settings"] += [Setting(key="Credit Note Series", value="AVR"), Setting(key="Invoice Digits", value="4")]
    path = billing_book(tmp_path / "billing.xlsx", tables)
    assert note_of(credit_note(ledger_of(path), "INV-2025-00001", amount=D(10), reason="x", on=JULY_20))[0] \
        .invoice_no == "AVR-2025-0001"


@pytest.mark.parametrize(("number", "kwargs", "message"), [
    ("INV-2025-00099", {}, 'invoice "INV-2025-00099" is not in the register'),
    ("INV-2025-00001", {"amount": D(1326001)}, "more than the 1,326,000 RWF still creditable"),
    ("INV-2025-00001", {"amount": D("10.5")}, "more decimals than RWF allows"),
    ("INV-2025-00002", {"amount": D("10.005")}, "more decimals than USD allows"),
    ("INV-2025-00001", {"amount": D(0)}, "must be more than zero"),
    ("INV-2025-00001", {"amount": D(-5)}, "must be more than zero"),
    ("INV-2025-00001", {"lines": [2, 9]}, "has no line 9; its lines are 1, 2, 3"),
    ("INV-2025-00001", {"lines": []}, "no line numbers"),
    ("INV-2025-00001", {"lines": [1], "amount": D(5)}, "not both"),
    ("INV-2025-00001", {"reason": "  "}, "needs a reason"),
    ("INV-2025-00001", {"on": dt.date(2025, 6, 30)}, "before the invoice date 01/07/2025"),
])
def test_refusals_name_what_is_wrong(book: Path, number: str, kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"reason": "wrong", "on": JULY_20, **kwargs}
    with pytest.raises(BadValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        credit_note(ledger_of(book), number, **arguments)  # type: ignore[arg-type]


def test_a_credit_note_and_a_cancelled_invoice_cannot_be_credited(book: Path) -> None:
    credit(book, amount=D(1000))
    with pytest.raises(BadValue, match=r"CN-2025-00001 is a credit note .* \(INV-2025-00001\)") as caught:
        credit_note(ledger_of(book), "CN-2025-00001", reason="x", on=JULY_20)
    assert str(caught.value).startswith("[billing.xlsx]Invoices!A5:")
    tables = billing_tables()
    tables["Invoices"][1] = tables["Invoices"][1].model_copy(update={"status": "cancelled"})
    path = billing_book(book.with_name("cancelled.xlsx"), tables)
    with pytest.raises(BadValue, match="cancelled"):
        credit_note(ledger_of(path), "INV-2025-00002", reason="x", on=JULY_20)


def test_more_than_what_remains_after_earlier_credits_is_refused(book: Path) -> None:
    credit(book, lines=[1])  # 708,000
    with pytest.raises(BadValue, match="708,000 RWF under tax code VAT18 is more than the 118,000 RWF still"):
        credit_note(ledger_of(book), "INV-2025-00001", lines=[1], reason="twice", on=JULY_20)
    with pytest.raises(BadValue, match="618,001 RWF is more than the 618,000 RWF"):
        credit_note(ledger_of(book), "INV-2025-00001", amount=D(618001), reason="x", on=JULY_20)


def test_cli_credit_prints_the_number_and_exits_2_on_refusal(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoices", "credit", str(book), "INV-2025-00001", "--amount", "118,000", "--reason", "outage",
                 "--on", "2025-07-20"]) == 0
    assert "CN-2025-00001: credit note of 118,000 RWF on INV-2025-00001" in capsys.readouterr().out
    assert main(["invoices", "credit", str(book), "INV-2025-00001", "--lines", "3", "--reason", "x",
                 "--on", "2025-07-21"]) == 0
    assert "CN-2025-00002" in capsys.readouterr().out
    before = book.read_bytes()
    for arguments in (["INV-2025-00001", "--amount", "12,5OO", "--reason", "x"],
                      ["INV-2025-00001", "--lines", "one", "--reason", "x"],
                      ["INV-2025-00001", "--on", "31/02/2025", "--reason", "x"],
                      ["INV-2025-00077", "--reason", "x"],
                      ["INV-2025-00001", "--amount", "9999999", "--reason", "x"],
                      ["INV-2025-00001"]):
        assert main(["invoices", "credit", str(book), *arguments]) == 2, arguments
        assert "Traceback" not in capsys.readouterr().err
    assert book.read_bytes() == before


def test_line_numbers_on_the_command_line() -> None:
    assert line_numbers("1,3") == [1, 3]
    assert line_numbers(" 2-4; 7 ") == [2, 3, 4, 7]
    with pytest.raises(ArxlError, match="is not a list of line numbers"):
        line_numbers("1,x")


def test_crediting_a_part_paid_invoice_leaves_a_credit_on_account_never_a_negative_invoice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """INV-2025-00217 of the sample: 1,416,000, 850,000 paid, 566,000 open. A credit of 600,000 clears the 566,000
    and leaves 34,000 on C035's account (it used to show the invoice open at -34,000 in the 61-90 bucket); the
    rest of the invoice credited, the 850,000 paid is C035's to be refunded or offset."""
    from arxl.ledger.openitems import open_items
    from arxl.sample import write_sample

    book, _ = write_sample(tmp_path / "billing.xlsx")
    july = dt.date(2025, 7, 31)
    args = ["invoices", "credit", str(book), "INV-2025-00217", "--on", "2025-07-20", "--reason", "rate corrected"]
    assert main([*args, "--amount", "600000"]) == 0
    out = capsys.readouterr().out
    assert "34,000 RWF of it is more than INV-2025-00217 still owed (566,000): it stands as a credit on C035's " \
           "account" in out
    ledger, _ = open_ledger(book)
    note = next(i.invoice_no for i in ledger.invoices if i.original_invoice == "INV-2025-00217")
    own = [(i.kind, i.reference, i.open_amount) for i in open_items(ledger.invoices, ledger.allocations, july)
           if i.reference in ("INV-2025-00217", note)]
    assert own == [("credit", note, D(-34000))]
    assert all(i.open_amount >= 0 for i in open_items(ledger.invoices, ledger.allocations, july) if i.is_invoice)
    assert main([*args, "--amount", "816000"]) == 0  # the rest: the invoice fully credited, 850,000 on account
    ledger, _ = open_ledger(book)
    items = [i for i in open_items(ledger.invoices, ledger.allocations, july) if i.customer_id == "C035"]
    assert not [i for i in items if i.reference == "INV-2025-00217"]
    assert sum(i.open_amount for i in items if i.kind == "credit") == D(-850000)
    assert main([*args, "--amount", "1"]) == 2  # nothing left to credit: credits never exceed the invoice's total
