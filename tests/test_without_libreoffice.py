"""A machine without LibreOffice (issue 16 item 12): the demo runs the whole close with .xlsx documents, says once
what LibreOffice would add, and a command asked for PDFs refuses with the install hint, changing nothing.

LibreOffice is hidden with ``ARXL_SOFFICE=none`` (the finder's override), so these run the real thing on a
machine that has it; ``.venv/bin/arxl`` runs as a subprocess where the whole command is the point.
"""

from __future__ import annotations

import email
import os
import re
import stat
import subprocess
import sys
from email.policy import default as default_policy
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.app.recovery import run_statements
from arxl.cli import main
from arxl.formats.libreoffice import LibreOffice, LibreOfficeMissing, find_soffice
from arxl.formats.mailsink import MailSink
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.sample import write_sample
from tests.builders import recovery_book
from tests.test_dunning import JULY

ARXL = Path(sys.executable).with_name("arxl")
ROOT = Path(__file__).resolve().parents[1]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def hidden() -> dict[str, str]:
    """The environment of a machine without LibreOffice (and not on CI, whose tests fail instead of skipping)."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["ARXL_SOFFICE"] = "none"
    return env


def test_arxl_soffice_hides_libreoffice_or_names_the_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARXL_SOFFICE", "none")
    assert find_soffice() is None
    with pytest.raises(LibreOfficeMissing) as hidden_error:
        LibreOffice()
    assert str(hidden_error.value) == ('LibreOffice is not installed: apt-get install libreoffice-calc-nogui '
                                       '(ARXL_SOFFICE is "none", which hides it)')
    monkeypatch.setenv("ARXL_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert find_soffice() is None
    with pytest.raises(LibreOfficeMissing, match="no-such-soffice\", which is not a program arxl can run"):
        LibreOffice()
    program = tmp_path / "my-soffice"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("ARXL_SOFFICE", str(program))
    assert find_soffice() == str(program)


@pytest.mark.slow
def test_the_demo_runs_the_whole_close_without_libreoffice(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    done = subprocess.run([str(ARXL), "demo", "--out", str(demo)], capture_output=True, text=True, env=hidden(),
                          cwd=tmp_path, timeout=400, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "2025-07: month-end close complete" in done.stdout
    steps = {row[1]: row[2] for row in load_workbook(demo / "billing.xlsx", read_only=True)["Close"].iter_rows(
        min_row=5, values_only=True) if row[0] == "2025-07"}
    assert steps == dict.fromkeys(("review billing", "generate invoices", "import statement", "post reconciliation",
                                   "revalue foreign currency", "refresh aging", "certificates", "arrangements check",
                                   "statements and reminders", "collections report", "export to Sage"), "done")
    # issue 11's "done when": the history and July's files, applied to an empty Sage (the model of the tests), give
    # the register's balance for every customer and its control total: the tie-out agrees, to the franc
    assert len(list((demo / "sage").glob("sage-20??-??.csv"))) == 18
    assert "  Sage agrees with arxl at 31/07/2025: 60 customers, control 380,917,776 RWF" in lines
    assert any("debtors control 1100" in line and "380,917,776 RWF against arxl's 380,917,776 RWF: agrees" in line
               for line in lines)
    tie = list(load_workbook(demo / "billing.xlsx")["TieOut"].iter_rows(values_only=True))
    assert any("agree" in str(cell) for row in tie[:4] for cell in row if cell)
    # said once, in one unwrapped line: what LibreOffice adds and how to install it
    notes = [line for line in lines if "LibreOffice" in line]
    assert notes == ["note: LibreOffice is not installed, so invoices and statements were made as .xlsx only, the "
                     "reminders carry the statement as .xlsx and the audit pack has no confirmation letters. "
                     "LibreOffice adds their PDFs, and lets `make test` recalculate every formula arxl writes to "
                     "check it; to install it: apt-get install libreoffice-calc-nogui"]
    assert not (demo / "audit" / "letters").exists() and (demo / "audit" / "audit-pack-2025-07.xlsx").exists()
    assert list(demo.rglob("*.pdf")) == []
    assert len(list((demo / "invoices" / "2025-07").glob("INV-2025-*.xlsx"))) == 69
    assert len(list((demo / "statements").glob("C*-2025-07.xlsx"))) == 60
    # each reminder the mail server received carries its customer's statement workbook, named and typed as one
    received = sorted((demo / "mailbox").glob("*.eml"))
    assert len(received) == 34
    customers = set()
    for path in received:
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        [attachment] = list(message.iter_attachments())
        name = attachment.get_filename() or ""
        found = re.fullmatch(r"Statement-(C\d{3})-2025-07\.xlsx", name)
        assert found, name
        assert attachment.get_content_type() == XLSX_TYPE
        assert attachment.get_content() == (demo / "statements" / f"{found[1]}-2025-07.xlsx").read_bytes()
        body = message.get_body(("plain",))
        assert body is not None and f"is attached ({name})" in body.get_content()
        customers.add(found[1])
    assert len(customers) == 34
    # the close's progress, as plain lines in a captured output
    for line in ("... generate invoices", "  invoice documents: 69/69", "  statements: 60/60", "  sending: 34/34"):
        assert line in lines


def test_a_reminder_carries_the_statement_workbook_when_no_pdf_is_made(tmp_path: Path) -> None:
    book = recovery_book(tmp_path / "billing.xlsx")
    ledger, _ = open_ledger(book)
    with MailSink(tmp_path / "mailbox") as sink:
        run = run_statements(FileHost(book), ledger, JULY, tmp_path / "out", server=sink.server)
    assert [m.reminder.customer_id for m in run.sent] == ["C002"] and run.pdfs == {}
    [kept] = list((tmp_path / "mailbox").iterdir())
    message = email.message_from_bytes(kept.read_bytes(), policy=default_policy)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Statement-C002-2025-07.xlsx"
    assert attachment.get_content_type() == XLSX_TYPE
    assert attachment.get_content() == (tmp_path / "out" / "statements" / "C002-2025-07.xlsx").read_bytes()


def test_asked_for_pdfs_without_libreoffice_refuses_with_the_hint_and_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    book, _ = write_sample(tmp_path / "billing.xlsx")
    before = book.read_bytes()
    monkeypatch.setenv("ARXL_SOFFICE", "none")
    out = tmp_path / "out"
    hint = "need LibreOffice: LibreOffice is not installed: apt-get install libreoffice-calc-nogui"
    assert main(["invoices", "generate", str(book), "--period", "2025-07", "--out", str(out), "--pdf"]) == 2
    assert f"arxl: PDFs of invoices {hint}" in capsys.readouterr().err
    assert main(["statements", str(book), "--as-of", "2025-07-31", "--out", str(out), "--pdf"]) == 2
    assert f"arxl: PDFs of statements {hint}" in capsys.readouterr().err
    assert main(["close", str(book), "--period", "2025-07", "--out", str(out), "--today", "2025-08-01", "--pdf"]) == 2
    assert f"arxl: PDFs of invoices and statements {hint}" in capsys.readouterr().err
    assert book.read_bytes() == before  # nothing billed, no Close sheet
    assert not out.exists()
    # without --pdf the same machine bills and writes the documents as .xlsx
    assert main(["invoices", "generate", str(book), "--period", "2025-07", "--out", str(out)]) == 0
    assert len(list(out.glob("INV-2025-*.xlsx"))) == 69 and list(out.glob("*.pdf")) == []


def test_make_test_ends_with_the_tests_skipped_for_a_missing_tool(tmp_path: Path) -> None:
    tests = tmp_path / "test_tools.py"
    tests.write_text(
        "from typing import Any\n\nfrom tests.conftest import need_tool\n\n\n"
        "def test_one(libreoffice: Any) -> None:\n    assert libreoffice\n\n\n"
        "def test_two(libreoffice: Any) -> None:\n    assert libreoffice\n\n\n"
        "def test_other() -> None:\n    need_tool(False, 'pdftotext is not installed: apt-get install poppler-utils')\n"
        "\n\ndef test_plain() -> None:\n    assert True\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                           str(tests)], capture_output=True, text=True, env=hidden(), cwd=ROOT, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout
    *_, libreoffice, other, last = done.stdout.splitlines()
    assert libreoffice == "2 tests skipped: LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
    assert other == "1 test skipped: pdftotext is not installed (apt-get install poppler-utils)"
    assert last.startswith("1 passed, 3 skipped in ")
