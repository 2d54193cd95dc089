"""The period lock: a locked month refuses billing, credit notes, posting, revaluation and the Sage export into it
(exit 2, naming the month and how to reopen it, nothing written), allows what moves no money (a certificate, a
status), allows everything again once reopened, and records who reopened it, when and why; a completed close
locks its month, a close that stops does not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.app import close, jobs
from arxl.app.periods import lock_period, reopen_period
from arxl.app.report import Refused
from arxl.books.periods import locked, violations
from arxl.cli import main
from arxl.core.errors import BadValue
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Allocation, PeriodEvent, Receipt, Revaluation
from tests.builders import rated_billing_book, recovery_book


def _ledger(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


def _run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    code = main(list(words))
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def _events(path: Path) -> list[PeriodEvent]:
    return list(_ledger(path).table("Periods").rows)


def test_billing_into_a_locked_month_is_refused_until_it_is_reopened(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    book = rated_billing_book(tmp_path / "billing.xlsx")
    assert _run(capsys, "period", "lock", str(book), "2025-08", "--user", "ange")[0] == 0
    before = book.read_bytes()
    code, _, err = _run(capsys, "invoices", "generate", str(book), "--period", "2025-08")
    assert code == 2
    assert "2025-08 is locked (closed on " in err and " by ange)" in err
    assert "`arxl period reopen billing.xlsx 2025-08 --reason ...` to change it; nothing was changed" in err
    assert book.read_bytes() == before
    code, out, _ = _run(capsys, "period", "reopen", str(book), "2025-08", "--reason", "August billed late",
                        "--user", "marie")
    assert code == 0 and "2025-08 reopened on " in out
    assert _run(capsys, "invoices", "generate", str(book), "--period", "2025-08")[0] == 0
    assert [i.invoice_no for i in _ledger(book).invoices if i.period == "2025-08"] == ["INV-2025-00004"]
    lock, reopen = _events(book)
    assert (lock.period, lock.action, lock.by, lock.reason) == ("2025-08", "locked", "ange", "")
    assert (reopen.period, reopen.action, reopen.by, reopen.reason) == ("2025-08", "reopened", "marie",
                                                                        "August billed late")
    assert reopen.on == dt.date.today() and len(reopen.time) == 5 and reopen.time[2] == ":"


def test_a_reopening_needs_a_reason_and_a_locked_month(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = rated_billing_book(tmp_path / "billing.xlsx")
    code, _, err = _run(capsys, "period", "reopen", str(book), "2025-07", "--reason", "why not")
    assert code == 2 and "2025-07 is not locked" in err
    host = FileHost(book)
    lock_period(host, "2025-07", "ange")
    with pytest.raises(BadValue, match="reopening 2025-07 needs a reason"):
        reopen_period(host, "2025-07", "  ", "ange")
    assert _run(capsys, "period", "reopen", str(book), "2025-07", "--reason", " ")[0] == 2
    assert list(locked(_events(book))) == ["2025-07"]
    code, out, _ = _run(capsys, "period", "lock", str(book), "2025-07")
    assert code == 0 and "already locked" in out and len(_events(book)) == 1
    code, out, _ = _run(capsys, "period", "status", str(book))
    assert code == 0 and "1 month(s) locked: 2025-07" in out and "ange" in out


def test_a_credit_note_and_the_sage_export_into_a_locked_month_are_refused(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    book = rated_billing_book(tmp_path / "billing.xlsx")
    lock_period(FileHost(book), "2025-07", "ange")
    code, _, err = _run(capsys, "invoices", "credit", str(book), "INV-2025-00001", "--reason", "wrong rate",
                        "--amount", "118000", "--on", "2025-07-25")
    assert code == 2 and "2025-07 is locked" in err and "CN-2025-00001" in err
    sage = tmp_path / "sage-2025-07.csv"
    code, _, err = _run(capsys, "export", "sage", str(book), "--period", "2025-07", "-o", str(sage))
    assert code == 2 and "2025-07 is locked" in err and "sage_exported" in err
    assert not sage.exists()  # the file and the register never disagree
    assert all(i.sage_exported is None for i in _ledger(book).invoices if i.period == "2025-07")
    # the whole invoice credited in August: the credit note is August's; the July invoice's status may change
    code, out, _ = _run(capsys, "invoices", "credit", str(book), "INV-2025-00001", "--reason", "cancelled",
                        "--on", "2025-08-02")
    assert code == 0, out
    invoices = {i.invoice_no: i for i in _ledger(book).invoices}
    assert invoices["INV-2025-00001"].status == "credited" and invoices["CN-2025-00001"].invoice_date.month == 8


def test_posting_and_revaluation_into_a_locked_month_are_refused_but_certificates_and_statuses_are_not(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = recovery_book(tmp_path / "billing.xlsx")
    host = FileHost(book)
    lock_period(host, "2025-07", "ange")
    ledger = _ledger(book)
    receipt = Receipt(receipt_id="R-9", date=dt.date(2025, 7, 30), amount=D(590000), currency="RWF",
                      customer_id="C001")
    posting = ChangeSet()
    posting.append("Receipts", [receipt])
    posting.append("Allocations", [Allocation(receipt_id="R-9", invoice_no="INV-2025-00004",
                                              date=dt.date(2025, 7, 30), currency="RWF", applied_amount=D(590000))])
    before = book.read_bytes()
    with pytest.raises(Refused) as refused:
        jobs.apply(host, ledger, posting, "post reconciliation")
    assert refused.value.report.reasons[0].startswith("2025-07 is locked (closed on ")
    assert "refused: a new Receipts row R-9 (2025-07)" in refused.value.report.lines
    assert book.read_bytes() == before
    revaluation = ChangeSet()
    revaluation.append("Revaluations", [Revaluation(
        period="2025-07", date=dt.date(2025, 7, 31), customer_id="C002", reference="INV-2025-00005", currency="USD",
        open_amount=D(800), book_rate=D(1430), closing_rate=D(1445), rate_date=dt.date(2025, 7, 31),
        difference=D(12000))])
    assert [v.what for v in violations(ledger, revaluation)] == ["a new Revaluations row INV-2025-00005"]
    # an amount or a date of a July allocation moves money; its notes do not
    row = ledger.allocations.row_numbers[2]
    for field, value, refused_ in (("deduction_amount", D(1), True), ("date", dt.date(2025, 8, 1), True),
                                   ("sage_exported", dt.date(2025, 8, 1), True), ("notes", "checked", False),
                                   ("certificate_no", "RRA-1", False)):
        change = ChangeSet()
        change.update("Allocations", row, field, value)
        assert bool(violations(ledger, change)) is refused_, field
    # a June invoice moved into July by its date is refused too; an August receipt is not
    june = next(i for i, inv in enumerate(ledger.invoices) if inv.invoice_date.month == 6)
    moved = ChangeSet()
    moved.update("Invoices", ledger.invoices.row_numbers[june], "invoice_date", dt.date(2025, 7, 2))
    assert [v.period for v in violations(ledger, moved)] == ["2025-07"]
    later = ChangeSet()
    later.append("Receipts", [receipt.model_copy(update={"date": dt.date(2025, 8, 1)})])
    later.update("Invoices", ledger.invoices.row_numbers[june], "status", "paid")
    assert violations(ledger, later) == []
    # a certificate for July's withholding is recorded in a locked July
    code, out, _ = _run(capsys, "certificates", "record", str(book), "--customer", "C001", "--number", "RRA-1",
                        "--date", "2025-08-04", "--invoice", "INV-2025-00001")
    assert code == 0 and "certificate RRA-1" in out


def _close_so_far(host: FileHost, period: str, done: tuple[str, ...]) -> None:
    """The Close sheet of a close that has done these steps (the close is resumable: it carries on after them)."""
    sheet = SheetSpec(close.SHEET)
    sheet.add(Cell("Month-end close"))
    sheet.add(Cell(""))
    sheet.blank()
    sheet.add(*(Cell(h) for h in close.HEADERS))
    for step in done:
        sheet.add(Cell(period), Cell(step), Cell("done"), Cell("01/08/2025 09:00"), Cell("(test)"))
    changes = ChangeSet()
    changes.replace_sheet(sheet)
    host.apply(changes)


def test_a_completed_close_locks_its_month_and_a_stopped_one_does_not(tmp_path: Path) -> None:
    book = rated_billing_book(tmp_path / "billing.xlsx")
    host = FileHost(book)
    (tmp_path / "out").mkdir()
    before_statement = close.STEPS[:close.STEPS.index("import statement")]
    _close_so_far(host, "2025-07", before_statement)
    stopped = close.month_end(host, "2025-07", tmp_path / "out", dt.date(2025, 8, 1))
    assert stopped.refused and "waiting" in " ".join(stopped.lines)
    assert _events(book) == []
    _close_so_far(host, "2025-07", tuple(s for s in close.STEPS if s != "export to Sage"))
    done = close.month_end(host, "2025-07", tmp_path / "out", dt.date(2025, 8, 1))
    assert not done.refused, done.reasons
    assert done.lines[0] == "2025-07: month-end close complete"
    assert done.lines[-1].startswith("period lock: 2025-07 locked; `arxl period reopen billing.xlsx 2025-07")
    [event] = _events(book)
    assert (event.period, event.action, event.reason) == ("2025-07", "locked", "month-end close")
    assert (tmp_path / "out" / "sage-2025-07.csv").is_file()
    again = close.month_end(host, "2025-07", tmp_path / "out", dt.date(2025, 8, 1))
    assert all("already done" in line for line in again.lines[1:]) and len(_events(book)) == 1
