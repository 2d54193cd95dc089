"""Every ribbon macro run headless on the sample (through the file host), and the month-end close."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

import arxl.macros as macros
from arxl.app import cash, close
from arxl.cashapp.reconcile import decide
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.host import FileHost, ledger_of
from arxl.ledger.changes import ChangeSet
from arxl.ledger.records import Setting
from arxl.sample import sample_decisions, write_sample
from tests.builders import header_cell, sample_for_buttons, set_cells


@pytest.fixture
def sample(tmp_path: Path) -> FileHost:
    return FileHost(sample_for_buttons(tmp_path / "billing.xlsx"))


def log_lines(host: FileHost) -> list[str]:
    sheet = load_workbook(host.path, read_only=True)[macros.LOG_SHEET]
    return [str(row[1]) for row in sheet.iter_rows(min_row=4, values_only=True) if len(row) > 1 and row[1]]


def test_billing_and_cash_buttons_on_the_sample(sample: FileHost, libreoffice: LibreOffice) -> None:
    report = macros.run("validate_workbook", sample)
    assert not report.refused and "billing.xlsx is valid" in log_lines(sample)[0]
    assert macros.run("review_billing", sample).lines[0].startswith("2025-07: 72 line(s) due")
    before = len(ledger_of(sample)[0].invoices)
    report = macros.run("generate_invoices", sample)
    assert not report.refused, report.reasons
    ledger, _ = ledger_of(sample)
    assert len(ledger.invoices) == before + 69
    folder = sample.folder / "out" / "invoices" / "2025-07"
    assert len(list(folder.glob("INV-2025-*.pdf"))) == 69
    assert macros.run("export_sage", sample).files == [sample.folder / "out" / "sage-2025-07.csv",
                                                       sample.folder / "out" / "sage-2025-07-allocations.csv"]
    report = macros.run("import_statement", sample)
    assert "46 line(s)" in report.lines[0]
    automatic = int(report.lines[0].split("46 line(s): ")[1].split(" matched")[0])
    assert automatic >= 20
    assert "Reconciliation" in load_workbook(sample.path, read_only=True).sheetnames
    cash.approve_matches(sample)
    report = macros.run("post_reconciliation", sample)
    assert report.lines[0].startswith(f"{automatic} line(s) posted") and report.refused is False
    assert sample.statuses[-1].startswith(f"arxl: {automatic} line(s) posted")


def test_receivables_buttons_on_the_sample(sample: FileHost) -> None:
    report = macros.run("refresh_aging", sample)
    assert report.lines[0] == "Aging sheet refreshed as of 31/07/2025: " + report.lines[0].split(": ", 1)[1]
    assert "Aging" in load_workbook(sample.path, read_only=True).sheetnames
    report = macros.run("statements_reminders", sample)
    assert not report.refused, report.reasons
    assert list((sample.folder / "out" / "statements").glob("*.xlsx"))
    assert any(p.suffix == ".eml" for p in report.files)
    report = macros.run("collections_report", sample)
    assert "Collections KPIs" in load_workbook(sample.path, read_only=True).sheetnames
    assert report.lines[-1] == "written to the sheet Collections KPIs"


def test_bad_input_is_an_alert_naming_the_cell_never_a_traceback(sample: FileHost) -> None:
    net = header_cell(sample.path, "Invoices", "Net Amount")
    set_cells(sample.path, "Invoices", {f"{net}2": "12,5OO"})
    report = macros.run("review_billing", sample)
    assert report.refused
    assert sample.alerts and f'[billing.xlsx]Invoices!{net}2: Net Amount "12,5OO" is not a number' in sample.alerts[0]
    assert any("Net Amount" in line for line in log_lines(sample))  # the Log sheet lists it, with its link
    sheet = load_workbook(sample.path)[macros.LOG_SHEET]
    linked = [c for row in sheet.iter_rows() for c in row if c.hyperlink is not None]
    assert linked and linked[0].hyperlink.location == f"'Invoices'!{net}2"


def test_missing_settings_are_named(tmp_path: Path) -> None:
    book, _ = write_sample(tmp_path / "billing.xlsx")
    host = FileHost(book)
    report = macros.run("import_statement", host)
    assert report.refused and "Statement File" in host.alerts[0]
    with pytest.raises(ValueError):
        macros.run("no_such_button", host)


def test_the_close_stops_for_decisions_and_resumes_repeating_nothing(sample: FileHost) -> None:
    out = sample.folder / "out"
    report = close.month_end(sample, "2025-07", out, today=dt.date(2025, 8, 1))
    assert report.refused and "await a decision in the Reconciliation sheet" in report.reasons[0]
    steps = {row[1]: row[2] for row in load_workbook(sample.path, read_only=True)[close.SHEET].iter_rows(
        min_row=5, values_only=True)}
    assert steps == {"review billing": "done", "generate invoices": "done", "import statement": "done",
                     "post reconciliation": "waiting"}
    invoices = len(ledger_of(sample)[0].invoices)
    # the accountant decides: the automatic matches approved, the rest decided line by line
    table = cash.reconciliation_table(sample)
    proposals: dict[str, set[str]] = defaultdict(set)
    for row in table.rows:
        if row.invoice_no:
            proposals[row.line_id].add(row.invoice_no)
    sample.apply(decide(table, sample_decisions(proposals)))
    report = close.month_end(sample, "2025-07", out, today=dt.date(2025, 8, 1))
    assert not report.refused, report.reasons
    assert report.lines[0] == "2025-07: month-end close complete"
    assert [line.split(":")[0] for line in report.lines[1:4]] == ["review billing"] * 1 + [
        "generate invoices", "import statement"]
    assert all("already done" in line for line in report.lines[1:4])
    ledger, _ = ledger_of(sample)
    assert len(ledger.invoices) == invoices  # nothing billed twice
    assert (out / "sage-2025-07.csv").exists()
    # the close checks arrangements: C042's second instalment, paid in July, is kept; escalations listed
    plan = {(a.arrangement_id, a.instalment): a.status for a in ledger.arrangements}
    assert plan[("ARR-2025-001", 2)] == "kept" and plan[("ARR-2025-001", 3)] == "pending"
    assert "Escalations" in load_workbook(sample.path, read_only=True).sheetnames
    assert any(line.startswith("arrangements check: 31/07/2025: instalments 2 kept") for line in report.lines)
    again = close.month_end(sample, "2025-07", out, today=dt.date(2025, 8, 1))
    assert all("already done" in line for line in again.lines[1:])
    assert len(ledger_of(sample)[0].receipts) == len(ledger.receipts)


def test_a_period_that_is_not_a_month_is_refused(sample: FileHost) -> None:
    set_cells(sample.path, "Settings", {"B" + str(next(
        i + 2 for i, s in enumerate(ledger_of(sample)[0].table("Settings").rows) if s.key.lower() == "period")):
        "2025-13"})
    report = macros.run("review_billing", sample)
    assert report.refused and "is not a month written YYYY-MM" in sample.alerts[0]


# --- the Ledger group: FX revaluation, WHT certificates, Tie out to Sage, Lock period ------------------------

def test_fx_revaluation_button_revalues_the_period_once(sample: FileHost) -> None:
    report = macros.run("fx_revaluation", sample)
    assert not report.refused, report.reasons
    assert report.lines[0] == ("2025-07: 5 open item(s) revalued at USD 1,440 RWF (BNR 31/07/2025): unrealised: a "
                               "gain of 58,430 RWF (Revaluations; Sage nominal 7907)")
    rows = [r for r in ledger_of(sample)[0].table("Revaluations").rows if r.period == "2025-07"]
    assert len(rows) == 5 and sum(r.difference for r in rows) == 58430
    assert "FX" in load_workbook(sample.path, read_only=True).sheetnames
    again = macros.run("fx_revaluation", sample)
    assert again.lines[0].startswith("2025-07: already revalued (5 item(s), a gain of 58,430 RWF)")
    assert len([r for r in ledger_of(sample)[0].table("Revaluations").rows if r.period == "2025-07"]) == 5


def test_wht_certificates_button_writes_the_certificates_sheet(sample: FileHost) -> None:
    report = macros.run("wht_certificates", sample)
    assert report.lines == ["Certificates sheet as of 31/07/2025: 668 withholding deduction(s), 206 awaiting a "
                            "certificate from 25 customer(s)",
                            "VAT withheld RWF: withheld 80,343,679, awaiting certificate 27,536,863",
                            "WHT RWF: withheld 54,200,543, awaiting certificate 13,781,513"]
    assert "Certificates" in load_workbook(sample.path, read_only=True).sheetnames


SAGE_HEADER = "A/C,Name,Currency,Balance,Current,Period 1,Period 2,Period 3,Older,Unallocated,Base Balance"


def sage_report(host: FileHost, path: Path, off: dict[str, int]) -> Path:
    """Sage's Aged Debtors as a Sage that holds arxl's balances at 31/07/2025, except ``off`` (customer -> RWF)."""
    from arxl.books.tieout import tie_out

    lines = ["Kigali Cloud & Systems Ltd", "Aged Debtors Analysis (Summary),,Date: 31/07/2025", "", SAGE_HEADER]
    for line in tie_out(ledger_of(host)[0], [], dt.date(2025, 7, 31)).lines:
        balance = line.arxl_balance - off.get(line.customer_id, 0)
        base = (line.arxl_base or 0) - off.get(line.customer_id, 0)
        lines.append(f'{line.account or line.customer_id},"{line.name}",{line.currency},"{balance}","{balance}",'
                     f'0,0,0,0,0,"{base}"')
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_tie_out_button_reads_the_sage_report_named_in_settings(sample: FileHost) -> None:
    report = macros.run("tie_out_sage", sample)
    assert report.refused and "Settings has no Sage Report File" in sample.alerts[0]
    sage_report(sample, sample.folder / "aged-debtors.csv", {"C003": 1000})
    changes = ChangeSet()
    changes.append("Settings", [Setting(key="Sage Report File", value="aged-debtors.csv")])
    sample.apply(changes)
    report = macros.run("tie_out_sage", sample)
    assert not report.refused, report.reasons
    assert report.lines[0].startswith("Sage differs from arxl at 31/07/2025: ")
    assert report.lines[0].endswith("; total -1,000 RWF")
    c003 = next(line for line in report.lines if line.startswith("  C003 RWF:"))
    assert c003.startswith("  C003 RWF: arxl 6,018,000, Sage 6,017,000: ")
    assert report.lines[-1] == "written to the sheet TieOut"
    sheet = load_workbook(sample.path, read_only=True)["TieOut"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0] == "C003"}
    assert rows["C003"][3] == 6018000 and rows["C003"][4] == 6017000


def test_lock_period_button_locks_settings_period(sample: FileHost) -> None:
    report = macros.run("lock_period", sample)
    assert report.lines == ["2025-07 locked: billing, posting, credit notes, revaluation and Sage export into it are "
                            "refused until it is reopened"]
    [event] = [e for e in ledger_of(sample)[0].table("Periods").rows if e.period == "2025-07"]
    assert event.action == "locked"
    refused = macros.run("fx_revaluation", sample)
    assert refused.refused and "2025-07" in sample.alerts[-1] and "locked" in sample.alerts[-1]
    assert not [r for r in ledger_of(sample)[0].table("Revaluations").rows if r.period == "2025-07"]
    assert macros.run("lock_period", sample).lines[0].startswith("2025-07 is already locked")
