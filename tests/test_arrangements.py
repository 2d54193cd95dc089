"""Arrangements and promises kept or broken from the allocations; the Escalations sheet for management."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from openpyxl import load_workbook

from arxl.aging.arrangements import Payments, arrangement_states, check_instalments, check_promises, status_updates
from arxl.aging.escalations import ESCALATIONS_SHEET, escalations_sheet, follow_up
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Allocation, ArrangementLine, CollectionsEntry, Invoice, Row
from tests.builders import recovery_book, recovery_tables

JULY = dt.date(2025, 7, 31)
d = dt.date


def invoice(no: str = "INV-1", customer: str = "C1", total: str = "900") -> Invoice:
    return Invoice(invoice_no=no, invoice_date=d(2025, 1, 1), due_date=d(2025, 1, 31), customer_id=customer,
                   currency="RWF", net_amount=D(total), vat_amount=D(0), total_amount=D(total))


def paid(day: dt.date, amount: str, kind: str = "", deduction: str = "0", no: str = "INV-1") -> Allocation:
    return Allocation(receipt_id=f"R-{day:%m%d}", invoice_no=no, date=day, currency="RWF", applied_amount=D(amount),
                      deduction_amount=D(deduction), deduction_type=kind)  # type: ignore[arg-type]


def plan(*dues: dt.date, amount: str = "300", status: str = "pending") -> list[ArrangementLine]:
    return [ArrangementLine(arrangement_id="A-1", customer_id="C1", instalment=n, due_date=day, amount=D(amount),
                            currency="RWF", status=status) for n, day in enumerate(dues, start=1)]  # type: ignore


def verdicts(lines: list[ArrangementLine], allocations: list[Allocation], as_of: dt.date, grace: int = 3,
             log: list[CollectionsEntry] | None = None) -> list[str]:
    return [c.verdict for c in check_instalments(lines, [invoice()], allocations, as_of, grace, log or [])]


def test_instalments_kept_cumulatively_within_the_grace() -> None:
    lines = plan(d(2025, 6, 10), d(2025, 7, 10), d(2025, 8, 10))
    # 10/06 + 3 days of grace = 13/06: a payment on 13/06 keeps it, one on 14/06 is late
    assert verdicts(lines, [paid(d(2025, 6, 13), "300")], JULY) == ["kept", "broken", "pending"]
    assert verdicts(lines, [paid(d(2025, 6, 14), "300")], JULY) == ["broken", "broken", "pending"]
    assert verdicts(lines, [paid(d(2025, 6, 14), "300")], JULY, grace=4) == ["kept", "broken", "pending"]
    # the first two paid together, early: both kept; the third is paid ahead too
    assert verdicts(lines, [paid(d(2025, 6, 1), "600"), paid(d(2025, 7, 30), "300")], JULY) == ["kept", "kept",
                                                                                               "kept"]
    # a part payment does not keep the instalment; withholding counts as paid, a write-off does not
    assert verdicts(lines, [paid(d(2025, 6, 9), "250")], d(2025, 6, 30))[0] == "broken"
    assert verdicts(lines, [paid(d(2025, 6, 9), "250", "wht", "50")], d(2025, 6, 30))[0] == "kept"
    assert verdicts(lines, [paid(d(2025, 6, 9), "250", "write_off", "50")], d(2025, 6, 30))[0] == "broken"
    # before the deadline nothing is broken yet; payments after the as-of date are not known yet
    assert verdicts(lines, [], d(2025, 6, 13)) == ["pending", "pending", "pending"]
    assert verdicts(lines, [paid(d(2025, 6, 12), "300")], d(2025, 6, 11)) == ["pending", "pending", "pending"]


def test_payments_before_the_plan_began_do_not_count() -> None:
    lines = plan(d(2025, 6, 10), d(2025, 7, 10))
    before = [paid(d(2025, 5, 2), "300")]  # a payment on the old debt before the plan: not an instalment
    assert verdicts(lines, before, JULY)[0] == "broken"  # the plan began a month before 10/06: 11/05
    agreed = [CollectionsEntry(date=d(2025, 4, 30), customer_id="C1", channel="visit", outcome="A-1 agreed")]
    assert verdicts(lines, before, JULY, log=agreed)[0] == "kept"  # the log says it began on 30/04


def test_arrangement_states_and_status_updates() -> None:
    lines = plan(d(2025, 6, 10), d(2025, 7, 10), d(2025, 8, 10))
    lines[0] = lines[0].model_copy(update={"status": "kept"})
    checks = check_instalments(lines, [invoice()], [paid(d(2025, 6, 9), "300"), paid(d(2025, 7, 12), "300")], JULY)
    [state] = arrangement_states(checks)
    assert state.is_kept and state.broken == []
    changes = status_updates(checks, [5, 6, 7])
    assert [(u.table, u.row, u.field, u.value) for u in changes.updates] == [("Arrangements", 6, "status", "kept")]
    # broken by hand stays broken; nothing pending left: a finished plan protects no more
    done = check_instalments([lines[0], lines[1].model_copy(update={"status": "broken"})], [invoice()],
                             [paid(d(2025, 6, 9), "600")], JULY)
    assert not arrangement_states(done)[0].is_kept
    assert status_updates(done, [5, 6]).is_empty


def test_promises_kept_broken_pending() -> None:
    promise = CollectionsEntry(date=d(2025, 7, 1), customer_id="C1", channel="call", promise_date=d(2025, 7, 10),
                               promise_amount=D(500))
    no_amount = promise.model_copy(update={"promise_amount": None})
    other = promise.model_copy(update={"customer_id": "C2"})

    def judge(allocations: list[Allocation], as_of: dt.date = JULY) -> list[str]:
        checks = check_promises([promise, no_amount, other], [invoice(), invoice("INV-2", "C2")], allocations, as_of,
                                3, {"C1": "RWF", "C2": "RWF"})
        return [c.verdict for c in checks]

    assert judge([paid(d(2025, 7, 13), "500")]) == ["kept", "kept", "broken"]  # on the last day of grace
    assert judge([paid(d(2025, 7, 14), "500")]) == ["broken", "broken", "broken"]
    assert judge([paid(d(2025, 7, 5), "200"), paid(d(2025, 7, 8), "300")]) == ["kept", "kept", "broken"]
    assert judge([paid(d(2025, 7, 5), "200")]) == ["broken", "kept", "broken"]  # any payment keeps a vague promise
    assert judge([paid(d(2025, 6, 30), "500")]) == ["broken", "broken", "broken"]  # paid before it was promised
    assert judge([], d(2025, 7, 12)) == ["pending", "pending", "pending"]
    payments = Payments([invoice()], [paid(d(2025, 7, 5), "200")])
    assert payments.between("C1", "RWF", d(2025, 7, 5), d(2025, 7, 5)) == D(200)
    assert payments.between("C1", "RWF", d(2025, 7, 6), d(2025, 7, 31)) == D(0)


def ledger_of(tmp_path: Path, tables: dict[str, list[Row]] | None = None) -> tuple[Path, Ledger]:
    book = recovery_book(tmp_path / "billing.xlsx", tables)
    ledger, problems = open_ledger(book)
    assert not problems
    return book, ledger


def test_no_escalation_while_the_arrangement_is_kept(tmp_path: Path) -> None:
    _, ledger = ledger_of(tmp_path)
    found = follow_up(ledger, JULY)
    # C005 is 122 days past due after two reminders, but keeps ARR-1; C004 broke a promise but owes nothing net
    assert found.escalations == []
    assert [c.verdict for c in found.instalments] == ["kept", "kept", "pending"]
    assert {(p.entry.customer_id, p.verdict) for p in found.promises} == {("C004", "broken"), ("C002", "kept"),
                                                                          ("C003", "kept")}


def test_escalations_broken_arrangement_long_overdue_and_broken_promise(tmp_path: Path) -> None:
    tables = recovery_tables()
    tables["Allocations"] = [a.model_copy(update={"date": d(2025, 7, 20)}) if getattr(a, "receipt_id", "") == "R-5B"
                             else a for a in tables["Allocations"]]
    tables["Receipts"] = [r for r in tables["Receipts"] if getattr(r, "receipt_id", "") != "R-4"]
    _, ledger = ledger_of(tmp_path, tables)
    found = follow_up(ledger, JULY)
    reasons = {e.customer_id: e.reasons for e in found.escalations}
    assert list(reasons) == ["C005", "C004"]  # longest overdue first
    assert reasons["C005"] == (
        "122 days past due after 2 reminder(s)",
        "arrangement ARR-1: instalment 2 of 300,000 RWF due 10/07/2025 broken (paid 300,000 RWF of 600,000 RWF due "
        "by then)")
    assert reasons["C004"] == ("promise of 354,000 RWF by 30/06/2025 broken (made 20/06/2025)",)
    hotel = found.escalations[0]
    assert [e.date for e in hotel.history] == [d(2025, 5, 28), d(2025, 5, 5), d(2025, 4, 10)]
    sheet = escalations_sheet(ledger, found, JULY)
    texts = [c.value for row in sheet.rows for c in row]
    assert "Kivu Lakeside Hotel Ltd" in texts and "plan ARR-1 agreed: 3 monthly instalments of 300,000" in texts
    first = sheet.rows[4]
    assert first[0].value == "C005" and first[0].link.startswith(f"#'{ESCALATIONS_SHEET}'!A")
    target = int(first[0].link.rsplit("A", 1)[1])
    assert str(sheet.rows[target - 1][0].value).startswith("C005  Kivu Lakeside Hotel Ltd")


def test_arrangements_check_command_updates_statuses_and_the_sheet(tmp_path: Path) -> None:
    from arxl.cli import main

    book, _ = ledger_of(tmp_path)
    assert main(["arrangements", "check", str(book), "--as-of", "2025-07-31"]) == 0
    after, _ = open_ledger(book)
    assert [a.status for a in after.arrangements] == ["kept", "kept", "pending"]
    assert ESCALATIONS_SHEET in load_workbook(book).sheetnames
    assert main(["arrangements", "check", str(book), "--as-of", "2025-09-30"]) == 0  # the third never came
    after, _ = open_ledger(book)
    assert [a.status for a in after.arrangements] == ["kept", "kept", "broken"]
    sheet = load_workbook(book)[ESCALATIONS_SHEET]
    assert sheet["A5"].value == "C005"
