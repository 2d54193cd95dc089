"""The command line's one grammar (DESIGN §4): help that shows flags as flags and is never wrapped off a terminal,
and every old spelling still working, rewritten with a deprecation note that names the new one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from arxl.cli import app, main
from arxl.cli.spelling import modernize
from tests.builders import billing_book
from tests.test_ebm import JULY, report
from tests.test_sage import sage_tables

ARXL = Path(sys.executable).with_name("arxl")


def run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    code = main(list(words))
    printed = capsys.readouterr()
    return code, printed.out, printed.err


# --- help ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("words", [[], ["invoices", "generate"], ["statements"], ["close"], ["reconcile"],
                                   ["reconcile", "propose"], ["export", "sage"], ["match"], ["batch"]])
def test_help_shows_flags_as_flags_and_values_by_name(capsys: pytest.CaptureFixture[str], words: list[str]) -> None:
    code, out, _ = run(capsys, *words, "--help")
    assert code == 0
    assert "<bool>" not in out and "<str>" not in out  # typer's rich panels printed every flag as "--pdf <bool>"
    assert "--help  " in out or "--help " in out


def test_the_grammar_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--help")[1]
    assert "arxl NOUN VERB BOOK [options]" in out and "--out DIR is always a folder" in out
    assert "-o/--output FILE always one file" in out
    generate = run(capsys, "invoices", "generate", "--help")[1]
    assert "--out DIR" in generate and "--period YYYY-MM" in generate
    assert "-o, --output FILE.csv" in run(capsys, "export", "sage", "--help")[1]
    commands = run(capsys, "reconcile", "--help")[1]
    assert all(f"  {verb} " in commands for verb in ("propose", "approve", "post", "customer"))
    close = run(capsys, "close", "--help")[1]
    assert "--send" in close and "--smtp HOST:PORT" in close and "--today YYYY-MM-DD" in close
    assert "--date" not in close


def test_help_is_not_wrapped_off_a_terminal() -> None:
    done = subprocess.run([str(ARXL), "reconcile", "--help"], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.strip().startswith("customer"))
    assert line.rstrip().endswith("(the workbook is not changed)."), line  # one line, however long
    assert max(len(line) for line in done.stdout.splitlines()) > 120


# --- old spellings ---------------------------------------------------------------------------------------------

OLD = [
    (["reconcile", "B", "--statement", "S", "--date", "2025-08-01"],
     ["reconcile", "propose", "B", "--statement", "S", "--on", "2025-08-01"], ["reconcile propose", "--on"]),
    (["reconcile", "post", "B", "--date=2025-08-01"], ["reconcile", "post", "B", "--on=2025-08-01"], ["--on"]),
    (["reconcile", "customer", "B", "C1", "--their", "T", "--out", "D.csv"],
     ["reconcile", "customer", "B", "C1", "--their", "T", "--output", "D.csv"], ["-o/--output"]),
    (["invoices", "credit", "B", "INV-1", "--reason", "x", "--date", "2025-07-20"],
     ["invoices", "credit", "B", "INV-1", "--reason", "x", "--on", "2025-07-20"], ["--on"]),
    (["invoices", "ebm", "B", "R.csv", "--period", "2025-07"],
     ["invoices", "ebm", "B", "--report", "R.csv", "--period", "2025-07"], ["--report R.csv"]),
    (["query", "add", "B", "--customer", "C", "--invoice", "I", "--question", "Q", "--date", "2025-07-02"],
     ["query", "add", "B", "--customer", "C", "--invoice", "I", "--question", "Q", "--on", "2025-07-02"], ["--on"]),
    (["query", "answer", "B", "Q-1", "--answer", "A", "--date", "2025-07-02"],
     ["query", "answer", "B", "Q-1", "--answer", "A", "--on", "2025-07-02"], ["--on"]),
    (["query", "close", "B", "Q-1", "--resolution", "explanation", "--date", "2025-07-02"],
     ["query", "close", "B", "Q-1", "--resolution", "explanation", "--on", "2025-07-02"], ["--on"]),
    (["close", "B", "--period", "2025-07", "--date", "2025-08-01", "--smtp", "h:25"],
     ["close", "B", "--period", "2025-07", "--today", "2025-08-01", "--smtp", "h:25", "--send"],
     ["--today", "--send --smtp HOST:PORT"]),
    (["export", "sage", "B", "--period", "2025-07", "--out", "F.csv"],
     ["export", "sage", "B", "--period", "2025-07", "--output", "F.csv"], ["-o/--output"]),
    (["statement", "normalize", "F", "--out", "O.csv"], ["statement", "normalize", "F", "--output", "O.csv"],
     ["-o/--output"]),
    (["match", "--open-items", "O", "--customers", "C", "--statement", "S", "--out", "A.csv"],
     ["match", "--open-items", "O", "--customers", "C", "--statement", "S", "--output", "A.csv"], ["-o/--output"]),
    (["addin", "build", "--out", "a.xlam"], ["addin", "build", "--output", "a.xlam"], ["-o/--output"]),
    (["--wait", "5", "reconcile", "B", "--statement", "S"], ["--wait", "5", "reconcile", "propose", "B",
                                                             "--statement", "S"], ["reconcile propose"]),
]
NEW = [
    ["invoices", "credit", "B", "INV-1", "--reason", "--date", "--on", "2025-07-20"],  # a reason that looks old
    ["statements", "B", "--out", "DIR", "--send", "--smtp", "h:25"],  # --out of a folder stays
    ["close", "B", "--period", "2025-07", "--out", "DIR", "--send", "--smtp", "h:25"],
    ["reconcile", "--help"],
    ["invoices", "generate", "B", "--period", "2025-07", "--out", "DIR", "--pdf"],
]


@pytest.mark.parametrize(("old", "new", "named"), OLD, ids=[" ".join(o[:2]) + f" {i}" for i, (o, _, _) in
                                                            enumerate(OLD)])
def test_an_old_spelling_is_rewritten_with_a_note(old: list[str], new: list[str], named: list[str]) -> None:
    words, notes = modernize(old, typer.main.get_command(app))
    assert words == new
    assert notes and all(any(name in note for note in notes) for name in named), notes


@pytest.mark.parametrize("words", NEW, ids=[" ".join(w[:2]) for w in NEW])
def test_todays_spelling_is_left_alone(words: list[str]) -> None:
    assert modernize(words, typer.main.get_command(app)) == (words, [])


def test_export_sage_of_several_months_writes_one_file_a_month_and_says_how_to_ask(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--through with --out DIR exports each month to DIR/sage-YYYY-MM.csv (its allocation sheet beside it); a
    month and a folder, or a file and --through, is a usage mistake: exit 2, the right spelling said."""
    book = billing_book(tmp_path / "billing.xlsx", sage_tables())
    code, out, err = run(capsys, "export", "sage", str(book), "--period", "2025-06", "--through", "2025-07",
                         "--out", str(tmp_path / "sage"))
    assert code == 0, err
    assert "deprecated" not in err  # --out with --through is today's folder, not the old file
    assert "2025-06: nothing new to export" in out  # the book's June went to Sage already
    assert sorted(p.name for p in (tmp_path / "sage").iterdir()) == ["sage-2025-07-allocations.csv",
                                                                     "sage-2025-07.csv"]
    code, out, err = run(capsys, "export", "sage", str(book), "--period", "2025-07", "--through", "2025-07",
                         "-o", str(tmp_path / "one.csv"))
    assert code == 2 and "give -o/--output FILE.csv for one month, or --through YYYY-MM --out DIR" in err
    assert not (tmp_path / "one.csv").exists()


def test_old_spellings_still_work_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = billing_book(tmp_path / "billing.xlsx", sage_tables())  # with the Rates sheet the export reads
    code, out, err = run(capsys, "export", "sage", str(book), "--period", "2025-07", "--out", str(tmp_path / "s.csv"))
    assert code == 0 and (tmp_path / "s.csv").is_file(), err
    assert 'arxl: deprecated: --out of "arxl export sage" is now -o/--output' in err
    code, out, err = run(capsys, "invoices", "credit", str(book), "INV-2025-00001", "--amount", "118,000",
                         "--reason", "outage", "--date", "2025-07-20")
    assert code == 0 and "CN-2025-00001: credit note of 118,000 RWF" in out, err
    assert 'arxl: deprecated: --date of "arxl invoices credit" is now --on' in err
    code, out, err = run(capsys, "invoices", "ebm", str(book), str(report(tmp_path, JULY)))
    assert code == 0 and "receipt(s)" in out, err
    assert 'the 2nd argument of "arxl invoices ebm" is now --report' in err
    statement = tmp_path / "july.csv"
    statement.write_text("line_id,booking_date,value_date,amount,currency,counterparty_name,counterparty_account,"
                         "narrative,bank_reference\nBK-1,2025-07-03,2025-07-03,118000,RWF,MINICT,,PAYMENT "
                         "INV-2025-00001,FT1\n")
    code, out, err = run(capsys, "statement", "normalize", str(statement), "--out", str(tmp_path / "n.csv"))
    assert code == 0 and (tmp_path / "n.csv").is_file(), err
    assert 'arxl: deprecated: --out of "arxl statement normalize" is now -o/--output' in err
    code, out, err = run(capsys, "reconcile", str(book), "--statement", str(statement), "--date", "2025-08-01")
    assert code == 0 and "july.csv: 1 line(s)" in out, err
    assert '"arxl reconcile BOOK --statement FILE" is now "arxl reconcile propose BOOK --statement FILE"' in err
    assert 'arxl: deprecated: --date of "arxl reconcile propose" is now --on' in err
    code, out, err = run(capsys, "reconcile", "post", str(book), "--date", "2025-08-01")
    assert code == 0, err
    assert 'arxl: deprecated: --date of "arxl reconcile post" is now --on' in err


def test_close_with_smtp_alone_still_sends_and_send_needs_smtp(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    book = tmp_path / "none.xlsx"
    code, _, err = run(capsys, "close", str(book), "--period", "2025-07", "--smtp", "127.0.0.1:25")
    assert code == 2 and '"arxl close --smtp HOST:PORT" is now "arxl close --send --smtp HOST:PORT"' in err
    code, _, err = run(capsys, "close", str(book), "--period", "2025-07", "--send")
    assert code == 2 and "--send needs --smtp HOST:PORT" in err
