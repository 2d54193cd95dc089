"""Two arxl commands on one workbook at once: each ends with its work in the workbook, or refuses having
written nothing. Never a silent loss (issue: "the books stay right").

The workbook is the sample with its July statement imported and every bank line decided, so that each
writing command has real work to do: ``invoices generate`` bills July (69 invoices), ``reconcile post`` posts
33 bank lines, ``aging`` writes the Aging sheet, ``statements --send`` sends the reminders due to a real SMTP
server on 127.0.0.1, and ``close`` does all of it. Every pair is started 0 to 1.5 s apart (seeded), as real
processes, once letting the second wait for the first (both must succeed and both works be there) and once
with ``--wait 0`` (the one that finds the workbook busy exits 2 and none of its own work may appear).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import combinations_with_replacement
from pathlib import Path

import pytest

from arxl.app import cash
from arxl.cashapp.reconcile import decide
from arxl.formats.mailsink import MailSink
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.sample import sample_decisions

ARXL = str(Path(sys.executable).with_name("arxl"))
PERIOD, AS_OF, TODAY = "2025-07", "2025-07-31", "2025-08-01"
JULY_INVOICES, POSTED_LINES = 69, 33
COMMANDS = ("generate", "post", "aging", "statements", "close")
# what each command leaves in the workbook; the close does the work of all the others
WORK = {"generate": {"invoices"}, "post": {"receipts"}, "aging": {"aging"}, "statements": {"mail"},
        "close": {"invoices", "receipts", "aging", "mail"}}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with July's statement imported and every line decided (approve / invoices / reject)."""
    folder = tmp_path_factory.mktemp("prepared")
    book = folder / "billing.xlsx"
    subprocess.run([ARXL, "sample", str(book)], check=True, capture_output=True)
    subprocess.run([ARXL, "reconcile", "propose", str(book), "--statement",
                    str(folder / "billing-statement-2025-07.csv"), "--on", TODAY], check=True, capture_output=True)
    subprocess.run([ARXL, "reconcile", "approve", str(book)], check=True, capture_output=True)
    host = FileHost(book)
    table = cash.reconciliation_table(host)
    proposals: dict[str, set[str]] = defaultdict(set)
    for row in table.rows:
        if row.invoice_no:
            proposals[row.line_id].add(row.invoice_no)
    host.apply(decide(table, sample_decisions(proposals), "decided for the test"))
    return book


@pytest.fixture(scope="module")
def mail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailSink]:
    with MailSink(tmp_path_factory.mktemp("mailbox")) as sink:
        yield sink


def argv(command: str, book: Path, port: int, wait: float | None) -> list[str]:
    out = str(book.parent / f"out-{command}")
    words = {
        "generate": ["invoices", "generate", str(book), "--period", PERIOD],
        "post": ["reconcile", "post", str(book), "--on", TODAY],
        "aging": ["aging", str(book), "--as-of", AS_OF],
        "statements": ["statements", str(book), "--as-of", AS_OF, "--out", out, "--send", "--smtp",
                       f"127.0.0.1:{port}"],
        "close": ["close", str(book), "--period", PERIOD, "--today", TODAY, "--out", out,
                  "--statement", str(book.parent / "billing-statement-2025-07.csv"), "--send", "--smtp",
                  f"127.0.0.1:{port}"],
    }[command]
    return [ARXL, *(["--wait", str(wait)] if wait is not None else []), *words]


def works_done(book: Path, mailbox: Path, mail_before: set[str]) -> set[str]:
    """Which works are in the workbook (and the mailbox), checking on the way that nothing is doubled."""
    ledger, problems = open_ledger(book)
    assert not [p for p in problems if p.severity == "error"], problems[:3]
    numbers = Counter(i.invoice_no for i in ledger.invoices)
    assert max(numbers.values()) == 1, "an invoice number was used twice"
    lines = Counter(r.statement_line for r in ledger.receipts if r.statement_line)
    assert not lines or max(lines.values()) == 1, "a bank line was posted twice"
    july = [i for i in ledger.invoices if i.period == PERIOD and i.doc_type == "invoice"]
    assert len(july) in (0, JULY_INVOICES), f"{len(july)} July invoices: a billing run was partly lost"
    posted = [r for r in ledger.receipts if r.date.isoformat()[:7] == PERIOD]
    assert len(posted) in (0, POSTED_LINES), f"{len(posted)} July bank lines posted: a posting was partly lost"
    sent = sorted({p.name for p in mailbox.glob("*.eml")} - mail_before)
    recipients = Counter(name.split("-", 1)[1] for name in sent)
    assert not recipients or max(recipients.values()) == 1, f"a customer got two reminders: {recipients}"
    logged = [e for e in ledger.collections_log if e.channel == "e-mail" and e.date.isoformat() == AS_OF]
    assert len(logged) == len(sent), f"{len(sent)} reminders received but {len(logged)} logged"
    with zipfile.ZipFile(book) as package:
        has_aging = 'name="Aging"' in package.read("xl/workbook.xml").decode()
    done = set()
    if july:
        done.add("invoices")
    if posted:
        done.add("receipts")
    if has_aging:
        done.add("aging")
    if sent:
        done.add("mail")
    return done


PAIRS = list(combinations_with_replacement(COMMANDS, 2))


@pytest.mark.parametrize("waiting", [True, False], ids=["second-waits", "no-wait"])
@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_two_commands_at_once_lose_nothing(prepared: Path, mail: MailSink, tmp_path: Path, first: str, second: str,
                                           waiting: bool) -> None:
    book = tmp_path / "billing.xlsx"
    shutil.copy(prepared, book)
    shutil.copy(prepared.parent / "billing-statement-2025-07.csv", tmp_path)
    mail_before = {p.name for p in mail.folder.glob("*.eml")}
    delay = random.Random(f"{first}{second}{waiting}").uniform(0.0, 1.5)
    wait = None if waiting else 0.0
    one = subprocess.Popen(argv(first, book, mail.server.port, wait), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    two = subprocess.Popen(argv(second, book, mail.server.port, wait), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    results = {}
    for name, process in (("first", one), ("second", two)):
        stdout, stderr = process.communicate(timeout=240)
        results[name] = (process.returncode, stdout, stderr)
    done = works_done(book, mail.folder, mail_before)
    for name, command in (("first", first), ("second", second)):
        code, stdout, stderr = results[name]
        assert code in (0, 2), f"{command} crashed:\n{stderr}"
        if code == 0:
            expected = WORK[command] - ({"mail"} if not _reminders_due(stdout) else set())
            assert expected <= done, f"{command} exited 0 but its work {expected - done} is missing\n{stdout}"
        else:
            assert "is being changed by" in stderr, f"{command} refused for another reason:\n{stderr}"
            assert not waiting, f"{command} gave up although it could wait:\n{stderr}"
            other = second if name == "first" else first
            other_code = results["second" if name == "first" else "first"][0]
            others = WORK[other] if other_code == 0 else set()
            assert not (WORK[command] - others) & done, f"{command} refused but wrote {done}"
    if waiting:
        assert results["first"][0] == results["second"][0] == 0, results


def _reminders_due(stdout: str) -> bool:
    """A statements run sends only what is due: none due is not a lost run."""
    return "sent 0 reminder" not in stdout


KILLS = [("generate", 0.4), ("generate", 1.2), ("generate", 2.2), ("post", 0.4), ("post", 1.4), ("post", 2.4),
         ("close", 1.5), ("close", 6.0)]


@pytest.mark.parametrize(("command", "after"), KILLS, ids=[f"{c}-{a}s" for c, a in KILLS])
def test_a_command_killed_at_any_moment_leaves_a_whole_workbook_and_the_rerun_repeats_nothing(
        prepared: Path, mail: MailSink, tmp_path: Path, command: str, after: float) -> None:
    """kill -9 in the middle of billing, posting or the close: the workbook is the old version or the new one
    (never torn), the lock is free at once, and running the command again completes it without a duplicate
    invoice number, a bank line posted twice or a reminder sent twice."""
    book = tmp_path / "billing.xlsx"
    shutil.copy(prepared, book)
    shutil.copy(prepared.parent / "billing-statement-2025-07.csv", tmp_path)
    mail_before = {p.name for p in mail.folder.glob("*.eml")}
    process = subprocess.Popen(argv(command, book, mail.server.port, None), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(after)
    process.kill()
    process.wait()
    works_done(book, mail.folder, mail_before)  # readable, nothing doubled, nothing half-done
    again = subprocess.run(argv(command, book, mail.server.port, 0.0), capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr
    assert WORK[command] - {"mail"} <= works_done(book, mail.folder, mail_before)
