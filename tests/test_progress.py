"""Progress of long work (issue 16 item 4, DESIGN §4): the jobs count every document, PDF and e-mail through a
callback; the command line shows it as plain, unwrapped lines when its output is not a terminal (a line every few
seconds and one at each stage's end, never one per item), and the ribbon in Excel's status bar.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import macros
from arxl.app import invoicing, receivables
from arxl.formats.libreoffice import INSTALL_HINT, LibreOffice, find_soffice
from arxl.formats.mailsink import MailSink
from arxl.formats.xlsx.host import FileHost
from arxl.ledger.changes import ChangeSet
from arxl.ledger.records import Setting
from arxl.sample import write_sample
from tests.conftest import need_tool

ARXL = Path(sys.executable).with_name("arxl")


def counts_of(reports: list[tuple[str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    stages: dict[str, list[tuple[int, int]]] = {}
    for stage, done, total in reports:
        stages.setdefault(stage, []).append((done, total))
    return stages


@pytest.mark.libreoffice
@pytest.mark.slow
def test_invoices_generate_pdf_shows_plain_progress_lines_in_a_captured_output(tmp_path: Path) -> None:
    need_tool(find_soffice() is not None, f"LibreOffice is not installed: {INSTALL_HINT}")
    book, _ = write_sample(tmp_path / "billing.xlsx")
    out = tmp_path / "invoices"
    started = time.monotonic()
    # a window 20 columns wide: a progress line that wrapped would be cut in two
    done = subprocess.run([str(ARXL), "invoices", "generate", str(book), "--period", "2025-07", "--out", str(out),
                           "--pdf"], capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "COLUMNS": "20"})
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout  # no bar, no colour: plain text
    lines = done.stdout.splitlines()
    progress = [line for line in lines if re.fullmatch(r"  invoice (documents|PDFs): \d+/69", line)]
    assert "  invoice documents: 69/69" in progress
    assert progress[-1] == "  invoice PDFs: 69/69"
    assert len(progress) <= 2 + int(seconds / 3) + 2, progress  # every 3 s at most, not one line per invoice
    assert "2025-07: 69 invoice(s) INV-2025-00394 to INV-2025-00462, 176,376,633 RWF, 3,040.00 USD" in lines
    assert len(list(out.glob("INV-2025-*.pdf"))) == 69


def test_the_callback_counts_every_statement_and_e_mail_up_to_the_totals(tmp_path: Path) -> None:
    book, _ = write_sample(tmp_path / "billing.xlsx")
    reports: list[tuple[str, int, int]] = []
    with MailSink(tmp_path / "mailbox") as sink:
        report = receivables.statements_reminders(FileHost(book), dt.date(2025, 7, 31), tmp_path / "out",
                                           server=sink.server, progress=lambda *r: reports.append(r))
        received = sink.received
    stages = counts_of(reports)
    assert list(stages) == ["statements", "sending"]
    statements = len(list((tmp_path / "out" / "statements").glob("*.xlsx")))
    assert stages["statements"] == [(n, statements) for n in range(statements + 1)]  # 0, then one by one
    assert stages["sending"] == [(n, received) for n in range(received + 1)]
    assert received > 20 and f"sent {received} reminder(s), logged in CollectionsLog" in report.lines


def test_invoice_documents_are_counted_one_by_one(tmp_path: Path) -> None:
    book, _ = write_sample(tmp_path / "billing.xlsx")
    reports: list[tuple[str, int, int]] = []
    invoicing.generate_invoices(FileHost(book), "2025-07", tmp_path / "out", progress=lambda *r: reports.append(r))
    assert counts_of(reports) == {"invoice documents": [(n, 69) for n in range(70)]}


@pytest.mark.libreoffice
def test_a_conversion_counts_each_file_it_converted(libreoffice: LibreOffice, tmp_path: Path) -> None:
    from openpyxl import Workbook

    sources = []
    for i in range(3):
        book = Workbook()
        book.active.append([f"page {i}"])  # type: ignore[union-attr]
        book.save(tmp_path / f"book{i}.xlsx")
        sources.append(tmp_path / f"book{i}.xlsx")
    counted: list[int] = []
    pdfs = libreoffice.to_pdf(sources, tmp_path / "pdf", counted.append)
    assert sum(counted) == 3 and all(n > 0 for n in counted) and len(pdfs) == 3


@pytest.mark.slow
def test_the_ribbons_close_shows_its_step_and_progress_in_the_status_bar(tmp_path: Path) -> None:
    book, statement = write_sample(tmp_path / "billing.xlsx")
    host = FileHost(book)
    changes = ChangeSet()
    changes.append("Settings", [Setting(key="Statement File", value=statement.name)])
    host.apply(changes)
    report = macros.run("month_end_close", host)
    assert report.refused  # it stops for the accountant's decisions on the bank lines
    assert "arxl: Month-end close: generate invoices..." in host.statuses
    at = host.statuses.index("arxl: Month-end close: generate invoices...")
    shown = host.statuses[at + 1:host.statuses.index("arxl: Month-end close: import statement...")]
    assert shown[0] == "arxl: Month-end close: invoice documents 0/69"
    assert shown[-1] == "arxl: Month-end close: invoice documents 69/69"
    assert len(shown) < 69  # a few times a second, not a call into Excel per invoice
