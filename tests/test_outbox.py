"""Each reminder e-mail once, even across a crash: the mail journal beside the workbook.

Real SMTP (aiosmtpd on 127.0.0.1 in this process), real workbooks, and ``.venv/bin/arxl`` as a subprocess so it
can be killed (SIGKILL, as ``kill -9``) at chosen moments: before any send, between sends, after the last 250
and before the save. What is counted is what the mail server received.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import email
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest

from arxl.app import cash, receivables
from arxl.app.recovery import run_statements
from arxl.formats.mail import SmtpServer
from arxl.formats.mailsink import free_port
from arxl.formats.outbox import Journal, JournalError, journal_path
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from tests.builders import recovery_book

ARXL = Path(sys.executable).with_name("arxl")
JULY = dt.date(2025, 7, 31)
AS_OF = "2025-07-31"
Received = tuple[tuple[str, ...], str]  # (recipients, subject): one reminder as the customer sees it


class Inbox:
    """An aiosmtpd handler that keeps every message it is given. ``delay`` slows each answer a little (so a run
    can be killed between sends); a message to an address in ``stall`` is kept and then never answered."""

    def __init__(self) -> None:
        self.messages: list[tuple[tuple[str, ...], str, str]] = []  # (recipients, subject, Message-ID)
        self.delay = 0.0
        self.stall: set[str] = set()
        self.journal: Path | None = None
        self.journaled_first: list[bool] = []  # for each message: its intent was in the journal when it came

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        message_id = str(message["Message-ID"])
        if self.journal is not None:
            self.journaled_first.append(self.journal.exists() and message_id in self.journal.read_text())
        self.messages.append((tuple(envelope.rcpt_tos), str(message["Subject"]), message_id))
        if self.stall & set(envelope.rcpt_tos):
            await asyncio.sleep(600)  # the server has the message; its answer never comes
        elif self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def received(self) -> Counter[Received]:
        return Counter((to, subject) for to, subject, _ in self.messages)

    def has(self, message_id: str) -> bool:
        return any(mid == message_id for _, _, mid in self.messages)

    def reset(self) -> None:
        self.messages.clear()
        self.journaled_first.clear()
        self.delay = 0.0
        self.stall = set()
        self.journal = None


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    handler = Inbox()
    port = free_port()  # aiosmtpd cannot listen on port 0: take a free port first
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture()
def mailbox(inbox: tuple[Inbox, int]) -> Iterator[tuple[Inbox, int]]:
    inbox[0].reset()
    yield inbox
    inbox[0].reset()


def arxl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ARXL), *map(str, args)], capture_output=True, text=True, timeout=300)


def sent_log(book: Path, day: dt.date = JULY) -> Counter[tuple[str, int | None]]:
    """CollectionsLog's reminders of the day: (customer, level) -> how many rows."""
    ledger, _ = open_ledger(book)
    return Counter((e.customer_id, e.dunning_level) for e in ledger.collections_log
                   if e.date == day and e.dunning_level is not None)


def journal_events(book: Path) -> list[dict[str, Any]]:
    path = journal_path(book.parent, book.name)
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --- The journal on its own ------------------------------------------------------------------------------------

def test_the_journal_sits_beside_the_workbook_and_is_named_after_it(tmp_path: Path) -> None:
    assert journal_path(tmp_path, "billing.xlsx") == tmp_path / "billing.mail-journal.jsonl"
    assert journal_path(tmp_path, "Kigali Cloud 2025.xlsm").name == "Kigali Cloud 2025.mail-journal.jsonl"


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_on_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "billing.mail-journal.jsonl"
    key = ("reminder", "C002", "1", AS_OF)
    with Journal(path) as journal:
        assert journal.claim(key, {"customer": "C002"}) is None
        journal.accepted(key, "250")
    whole = path.read_bytes()
    torn = b'{"v":1,"at":"2025-08-01T10:00:00","event":"intent","key":["reminder","C009","1","2025-07'
    path.write_bytes(whole + torn)  # a process killed in the middle of its write
    with Journal(path) as journal:
        records = journal.read()
        assert [(k, r.state) for k, r in records.items()] == [(key, "accepted")]
        other = ("reminder", "C004", "2", AS_OF)
        assert journal.claim(other, {"customer": "C004"}) is None
    lines = path.read_bytes().split(b"\n")
    assert lines[-3] == torn and json.loads(lines[-2])["key"] == list(other) and lines[-1] == b""
    with Journal(path) as journal:  # and read again by a later run: still fine
        assert {k: r.state for k, r in journal.read().items()} == {key: "accepted", other: "pending"}


def test_a_damaged_journal_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "billing.mail-journal.jsonl"
    with Journal(path) as journal:
        journal.claim(("reminder", "C002", "1", AS_OF), {})
    path.write_text(path.read_text() + "C004 level 2 sent by hand\n")
    with Journal(path) as journal, pytest.raises(JournalError) as refused:
        journal.read()
    assert str(refused.value).startswith(f"{path}: line 2 is not a journal record (\"C004 level 2 sent by hand\")")


def test_a_reminder_key_without_a_date_is_refused_naming_the_line(tmp_path: Path) -> None:
    book = recovery_book(tmp_path / "billing.xlsx")
    with Journal(journal_path(tmp_path, "billing.xlsx")) as journal:
        journal.claim(("reminder", "C002", "1", "31/07/2025"), {})
    done = arxl("statements", book, "--as-of", AS_OF, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert f"{tmp_path / 'billing.mail-journal.jsonl'}: line 1: a reminder's key is (customer, level, as-of date), " \
           "found C002/1/31/07/2025" in " ".join(done.stderr.split())


def test_two_runs_cannot_both_claim_one_reminder(tmp_path: Path) -> None:
    """The journal alone (without the workbook lock) stops a second run from sending what the first is sending."""
    path = tmp_path / "billing.mail-journal.jsonl"
    key = ("reminder", "C002", "1", AS_OF)
    with Journal(path) as first, Journal(path) as second:
        assert first.claim(key, {}) is None
        why = second.claim(key, {}, resend=True)
        assert why is not None and why.startswith("being sent by another arxl run (pid ")
        first.accepted(key, "250")
        assert second.claim(key, {}, resend=True) == (
            f"already sent: accepted on {second.records[key].settled:%d/%m/%Y %H:%M}")
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()] == ["intent", "accepted"]


# --- In one process: the order of journal, send and save -------------------------------------------------------

def test_each_reminder_is_journaled_before_the_server_has_it(tmp_path: Path, mailbox: tuple[Inbox, int]) -> None:
    inbox, port = mailbox
    book = recovery_book(tmp_path / "billing.xlsx")
    inbox.journal = journal_path(tmp_path, "billing.xlsx")
    ledger, _ = open_ledger(book)
    run = run_statements(FileHost(book), ledger, JULY, tmp_path / "out", server=SmtpServer("127.0.0.1", port))
    assert [m.reminder.customer_id for m in run.sent] == ["C002"] and inbox.journaled_first == [True]
    assert [(e["event"], e["key"]) for e in journal_events(book)] == [
        ("intent", ["reminder", "C002", "1", AS_OF]), ("accepted", ["reminder", "C002", "1", AS_OF]),
        ("logged", ["reminder", "C002", "1", AS_OF])]
    assert sent_log(book) == {("C002", 1): 1}
    assert "C002\tlevel 1\tap@acme.example.com" in (tmp_path / "out" / "reminders" / "sent-2025-07-31.log").read_text()


def test_accepted_but_not_saved_is_logged_once_from_the_journal(tmp_path: Path, mailbox: tuple[Inbox, int]) -> None:
    """A run killed after the 250 and before its save: the next run logs it with its own date, sends nothing."""
    inbox, port = mailbox
    book = recovery_book(tmp_path / "billing.xlsx")
    pristine = book.read_bytes()
    ledger, _ = open_ledger(book)
    run_statements(FileHost(book), ledger, JULY, tmp_path / "out", server=SmtpServer("127.0.0.1", port))
    book.write_bytes(pristine)  # as if the save had never happened
    path = journal_path(tmp_path, "billing.xlsx")
    path.write_text("".join(line + "\n" for line in path.read_text().splitlines() if '"logged"' not in line))
    # the next run is a week later, without --send: the log is still brought up to date
    report = receivables.statements_reminders(FileHost(book), dt.date(2025, 8, 4), tmp_path / "out2")
    assert len(inbox.messages) == 1
    assert any(line.startswith("CollectionsLog brought up to date from the mail journal") and
               "C002 level 1 of 31/07/2025" in line for line in report.lines), report.lines
    assert sent_log(book) == {("C002", 1): 1}
    ledger, _ = open_ledger(book)
    [entry] = [e for e in ledger.collections_log if e.date == JULY]
    assert (entry.channel, entry.contact, entry.next_action) == ("e-mail", "ap@acme.example.com",
                                                                "Level 2 (Firm reminder) if still unpaid")
    again = receivables.statements_reminders(FileHost(book), dt.date(2025, 8, 4), tmp_path / "out2",
                                      server=SmtpServer("127.0.0.1", port))
    assert not again.refused, again.reasons
    assert len(inbox.messages) == 1 and sent_log(book) == {("C002", 1): 1}  # the 4 days since: not yet level 2


def test_no_answer_after_the_message_leaves_it_in_doubt(tmp_path: Path, mailbox: tuple[Inbox, int]) -> None:
    inbox, port = mailbox
    inbox.stall = {"ap@acme.example.com"}
    book = recovery_book(tmp_path / "billing.xlsx")
    report = receivables.statements_reminders(FileHost(book), JULY, tmp_path / "out",
                                       server=SmtpServer("127.0.0.1", port, timeout=1.5))
    assert report.refused and len(inbox.messages) == 1
    assert report.reasons[0].startswith("  IN DOUBT, not sent again and not logged: C002 Acme Holdings Inc: level 1 "
                                        "(Friendly reminder) to ap@acme.example.com, Message-ID <")
    assert "no answer from the mail server after the message was sent" in report.reasons[0]
    assert "--resend-in-doubt" in report.reasons[-1] and "--in-doubt-delivered" in report.reasons[-1]
    assert sent_log(book) == {}
    assert [e["event"] for e in journal_events(book)] == ["intent", "unknown"]
    inbox.stall = set()
    held = receivables.statements_reminders(FileHost(book), JULY, tmp_path / "out",
                                             server=SmtpServer("127.0.0.1", port))
    assert held.refused and len(inbox.messages) == 1 and sent_log(book) == {}
    assert held.reasons[0].startswith("  IN DOUBT, not sent again and not logged: C002 Acme Holdings Inc: level 1 "
                                      "(Friendly reminder) as of 31/07/2025 to ap@acme.example.com, journaled ")
    # the accountant finds it in the customer's mailbox
    found = receivables.statements_reminders(FileHost(book), JULY, tmp_path / "out",
                                             server=SmtpServer("127.0.0.1", port),
                                      in_doubt="delivered")
    assert not found.refused, found.reasons
    assert len(inbox.messages) == 1 and sent_log(book) == {("C002", 1): 1}
    assert any(line.startswith("  logged as delivered on your word") for line in found.lines)
    later = receivables.statements_reminders(FileHost(book), JULY, tmp_path / "out",
                                             server=SmtpServer("127.0.0.1", port))
    assert not later.refused and len(inbox.messages) == 1 and sent_log(book) == {("C002", 1): 1}


def test_a_refused_reminder_may_go_with_the_next_run(tmp_path: Path, mailbox: tuple[Inbox, int]) -> None:
    inbox, port = mailbox
    book = recovery_book(tmp_path / "billing.xlsx")
    closed = SmtpServer("127.0.0.1", free_port(), timeout=2)
    first = receivables.statements_reminders(FileHost(book), JULY, tmp_path / "out", server=closed)
    assert first.refused and "cannot reach the mail server" in first.reasons[0]
    assert not journal_path(tmp_path, "billing.xlsx").exists()  # nothing was attempted: nothing journaled
    second = receivables.statements_reminders(FileHost(book), JULY, tmp_path / "out",
                                             server=SmtpServer("127.0.0.1", port))
    assert not second.refused, second.reasons
    assert len(inbox.messages) == 1 and sent_log(book) == {("C002", 1): 1}


# --- Killed with kill -9, then run again: the sample workbook, 52 reminders ------------------------------------

@pytest.fixture(scope="module")
def sample_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from arxl.sample import write_sample

    book, _ = write_sample(tmp_path_factory.mktemp("sample") / "billing.xlsx", seed=7)
    return book


@pytest.fixture(scope="module")
def expected_statements(sample_book: Path, inbox: tuple[Inbox, int],
                        tmp_path_factory: pytest.TempPathFactory) -> tuple[Counter[Received], Counter[Any]]:
    """What one uninterrupted `arxl statements --send` delivers and logs: every due reminder once."""
    handler, port = inbox
    handler.reset()
    book = tmp_path_factory.mktemp("reference") / "billing.xlsx"
    shutil.copy(sample_book, book)
    done = arxl("statements", book, "--as-of", AS_OF, "--out", book.parent / "out", "--send", "--smtp",
                f"127.0.0.1:{port}")
    assert done.returncode == 0, done.stderr
    received, logged = handler.received(), sent_log(book)
    handler.reset()
    assert len(received) == 52 and set(received.values()) == {1}
    assert len(logged) == 52 and set(logged.values()) == {1}
    return received, logged


def complete(command: list[str | Path], inbox: Inbox, statements: list[str | Path]) -> list[str]:
    """Run again to completion as the accountant would: a reminder listed in doubt is looked up on the mail server
    by its Message-ID, then sent again (it is not there) or logged as delivered (it is)."""
    said: list[str] = []
    done = arxl(*command)
    said.append(done.stderr)
    if done.returncode == 2 and "IN DOUBT" in done.stderr:
        ids = re.findall(r"IN DOUBT, not sent again and not logged: .*?Message-ID (<[^>]+>)", done.stderr)
        assert len(ids) == 1, done.stderr  # one kill, at most one message on its way
        choice = "--in-doubt-delivered" if inbox.has(ids[0]) else "--resend-in-doubt"
        said.append(choice)
        decided = arxl(*statements, choice)
        assert decided.returncode == 0, decided.stderr
        done = arxl(*command)
    assert done.returncode == 0, done.stderr
    return said


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def kill_moments(seed: int, total: int) -> list[tuple[str, float]]:
    """Seeded moments: before any send, between sends (after the k-th message), after the last 250."""
    rng = random.Random(seed)
    return [("time", rng.uniform(0.1, 0.6)), ("after", rng.randint(2, total - 2)), ("last", rng.uniform(0.0, 0.05)),
            ("last", rng.uniform(0.1, 0.4))]


def kill_at(process: subprocess.Popen[str], inbox: Inbox, moment: tuple[str, float], total: int,
            rng: random.Random, ready: Path | None = None) -> tuple[int, bool]:
    """Kill -9 the run at the moment; return how many messages the server had and whether the run was alive.
    A "time" moment counts from when ``ready`` appears (the close's earlier steps take a while)."""
    kind, value = moment
    if kind == "time":
        if ready is not None:
            wait_for(ready.exists, process)
        time.sleep(value)
    elif kind == "after":
        wait_for(lambda: len(inbox.messages) >= value, process)
        time.sleep(rng.uniform(0.0, 0.01))
    else:
        wait_for(lambda: len(inbox.messages) >= total, process)
        time.sleep(value)
    alive = process.poll() is None
    process.kill()
    process.wait()
    return len(inbox.messages), alive


@pytest.mark.slow
def test_statements_killed_at_any_moment_then_run_again_send_each_reminder_once(
        sample_book: Path, mailbox: tuple[Inbox, int], expected_statements: tuple[Counter[Received], Counter[Any]],
        tmp_path: Path) -> None:
    inbox, port = mailbox
    received, logged = expected_statements
    total = len(received)
    covered: dict[str, int] = defaultdict(int)
    rng = random.Random(9)
    for n, moment in enumerate(kill_moments(9, total)):
        inbox.reset()
        inbox.delay = 0.01  # 52 answers over about half a second: room to die between two of them
        folder = tmp_path / f"kill-{n}"
        folder.mkdir()
        book = folder / "billing.xlsx"
        shutil.copy(sample_book, book)
        command: list[str | Path] = ["statements", book, "--as-of", AS_OF, "--out", folder / "out", "--send",
                                     "--smtp", f"127.0.0.1:{port}"]
        process = subprocess.Popen([str(ARXL), *map(str, command)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, text=True)
        had, alive = kill_at(process, inbox, moment, total, rng)
        assert alive, f"{moment}: the run ended before it could be killed"
        covered["before any send" if had == 0 else "between sends" if had < total else "after the last 250"] += 1
        inbox.delay = 0.0
        said = complete(command, inbox, command)
        assert inbox.received() == received, (moment, had, said)  # every due reminder, each exactly once
        assert sent_log(book) == logged, (moment, had, said)  # and each logged exactly once
    assert set(covered) == {"before any send", "between sends", "after the last 250"}, covered


def test_in_doubt_is_held_until_the_accountant_says_resend(sample_book: Path, mailbox: tuple[Inbox, int],
                                                           expected_statements: tuple[Counter[Received], Counter[Any]],
                                                           tmp_path: Path) -> None:
    """The server takes one customer's message and never answers; the run is killed while it waits."""
    inbox, port = mailbox
    received, logged = expected_statements
    book = tmp_path / "billing.xlsx"
    shutil.copy(sample_book, book)
    victim_to, victim_subject = sorted(received)[20]
    victim = re.search(r"\((C\d+)\)$", victim_subject)
    assert victim is not None
    inbox.stall = set(victim_to)
    command: list[str | Path] = ["statements", book, "--as-of", AS_OF, "--out", tmp_path / "out", "--send",
                                 "--smtp", f"127.0.0.1:{port}"]
    process = subprocess.Popen([str(ARXL), *map(str, command)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True)
    wait_for(lambda: any(to == victim_to for to, _, _ in inbox.messages), process)
    time.sleep(0.3)
    assert process.poll() is None, "the run should be waiting for the server's answer"
    process.kill()
    process.wait()
    inbox.stall = set()
    held = arxl(*command)
    assert held.returncode == 2
    doubts = [line for line in held.stderr.splitlines() if "IN DOUBT" in line]
    assert len(doubts) == 1 and f": {victim.group(1)} " in doubts[0]
    assert re.search(rf"level \d \([^)]+\) as of 31/07/2025 to {re.escape(', '.join(victim_to))}, journaled "
                     rf"{dt.date.today():%d/%m/%Y} \d\d:\d\d:\d\d, Message-ID <", doubts[0]), doubts[0]
    assert "1 reminder(s) in doubt" in held.stderr and "--resend-in-doubt" in held.stderr
    assert inbox.received()[(victim_to, victim_subject)] == 1  # not sent again
    others = received - Counter({(victim_to, victim_subject): 1})
    assert inbox.received() - Counter({(victim_to, victim_subject): 1}) == others  # the rest went, once each
    assert sent_log(book) == logged - Counter({(victim.group(1), next(lv for c, lv in logged if c == victim.group(1))):
                                              1})
    assert arxl(*command).returncode == 2 and inbox.received()[(victim_to, victim_subject)] == 1  # still held
    # the accountant checked: it never arrived
    resent = arxl(*command, "--resend-in-doubt")
    assert resent.returncode == 0, resent.stderr
    assert "sent again on your word (it was in doubt)" in resent.stdout
    assert inbox.received()[(victim_to, victim_subject)] == 2  # once more, and only once
    assert sent_log(book) == logged
    final = arxl(*command, "--resend-in-doubt")
    assert final.returncode == 0 and inbox.received()[(victim_to, victim_subject)] == 2 and sent_log(book) == logged


def test_the_flags_of_in_doubt_are_checked(tmp_path: Path) -> None:
    book = recovery_book(tmp_path / "billing.xlsx")
    both = arxl("statements", book, "--send", "--smtp", "127.0.0.1:25", "--resend-in-doubt", "--in-doubt-delivered")
    assert both.returncode == 2 and "exclude each other" in both.stderr
    alone = arxl("statements", book, "--resend-in-doubt")
    assert alone.returncode == 2 and "--resend-in-doubt needs --send --smtp HOST:PORT" in alone.stderr


# --- The month-end close sends the reminders too: the same guarantees ------------------------------------------

@pytest.fixture(scope="module")
def close_ready(sample_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample after the close's first run and the accountant's decisions: the next close posts, refreshes the
    aging and sends the reminders."""
    from arxl.app.close import month_end
    from arxl.cashapp.reconcile import decide
    from arxl.sample import sample_decisions

    folder = tmp_path_factory.mktemp("close")
    for path in sample_book.parent.glob("billing*"):
        shutil.copy(path, folder / path.name)
    host = FileHost(folder / "billing.xlsx")
    first = month_end(host, "2025-07", folder / "out", dt.date(2025, 8, 1),
                      statement=folder / "billing-statement-2025-07.csv")
    assert first.refused and "await a decision" in first.reasons[0]
    cash.approve_matches(host)
    table = cash.reconciliation_table(host)
    proposals: dict[str, set[str]] = collections.defaultdict(set)
    for row in table.rows:
        if row.invoice_no:
            proposals[row.line_id].add(row.invoice_no)
    host.apply(decide(table, sample_decisions(proposals), "decided (test)"))
    return folder / "billing.xlsx"


def close_command(book: Path, port: int) -> list[str | Path]:
    return ["close", book, "--period", "2025-07", "--out", book.parent / "out", "--today", "2025-08-01",
            "--send", "--smtp", f"127.0.0.1:{port}"]


@pytest.mark.slow
def test_the_close_killed_while_sending_then_run_again_sends_each_reminder_once(
        close_ready: Path, mailbox: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = mailbox
    reference = tmp_path / "reference" / "billing.xlsx"
    reference.parent.mkdir()
    shutil.copy(close_ready, reference)
    done = arxl(*close_command(reference, port))
    assert done.returncode == 0, done.stderr
    received, logged = inbox.received(), sent_log(reference)
    total = len(received)
    assert total > 10 and set(received.values()) == {1} and set(logged.values()) == {1} and len(logged) == total
    rng = random.Random(11)
    covered: set[str] = set()
    moments = [("time", rng.uniform(0.0, 0.02)), ("after", rng.randint(2, total - 2)),
               ("last", rng.uniform(0.0, 0.05))]
    for n, moment in enumerate(moments):
        inbox.reset()
        inbox.delay = 0.01
        folder = tmp_path / f"kill-{n}"
        folder.mkdir()
        book = folder / "billing.xlsx"
        shutil.copy(close_ready, book)
        command = close_command(book, port)
        process = subprocess.Popen([str(ARXL), *map(str, command)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, text=True)
        # "time": just as the statements step writes its first statement, before the first e-mail
        had, alive = kill_at(process, inbox, moment, total, rng, ready=folder / "out" / "statements")
        assert alive, f"{moment}: the close ended before it could be killed"
        covered.add("before any send" if had == 0 else "between sends" if had < total else "after the last 250")
        inbox.delay = 0.0
        statements: list[str | Path] = ["statements", book, "--as-of", AS_OF, "--from", "2025-07-01", "--out",
                                        folder / "out", "--send", "--smtp", f"127.0.0.1:{port}"]
        said = complete(command, inbox, statements)
        assert inbox.received() == received, (moment, had, said)
        assert sent_log(book) == logged, (moment, had, said)
        assert (folder / "out" / "sage-2025-07.csv").exists()
    assert covered == {"before any send", "between sends", "after the last 250"}, covered
