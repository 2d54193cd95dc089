"""Reminders: levels in sequence, never twice, never when nothing is overdue or an arrangement is kept; e-mails
really sent to a local SMTP server and read back; a failed send is not logged."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from decimal import Decimal as D
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest

from arxl.aging.dunning import late_interest, log_entries, plan_reminders
from arxl.app.recovery import run_statements
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.mail import SmtpServer, Templates, build_message, templates_folder
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import CollectionsEntry, Row
from arxl.sample import write_sample
from tests.builders import recovery_book, recovery_tables

JULY = dt.date(2025, 7, 31)
TEMPLATES = Path(__file__).resolve().parents[1] / "workbooks" / "templates"


def ledger_of(tmp_path: Path, tables: dict[str, list[Row]] | None = None, name: str = "billing.xlsx") -> Ledger:
    found, problems = open_ledger(recovery_book(tmp_path / name, tables))
    assert not [p for p in problems if p.severity == "error"]
    return found


def logged(tables: dict[str, list[Row]], *entries: CollectionsEntry) -> dict[str, list[Row]]:
    tables["CollectionsLog"] = [*tables["CollectionsLog"], *entries]
    return tables


def test_who_is_due_what_on_31_july(tmp_path: Path) -> None:
    plan = plan_reminders(ledger_of(tmp_path), JULY)
    # C002: 800.00 USD 11 days overdue -> level 1 by e-mail; C003: 70,000 RWF 52 days, no e-mail -> call, and
    # level 1 first even at 52 days (a level comes only after the one before it)
    assert [(r.customer_id, r.level.level, r.days_overdue) for r in plan.to_email] == [("C002", 1, 11)]
    assert [(r.customer_id, r.level.level, r.days_overdue) for r in plan.to_call] == [("C003", 1, 52)]
    skipped = {s.customer_id: s.reason for s in plan.skipped}
    # C004: 354,000 overdue, but 400,000 received and not yet applied: nothing overdue, net
    assert skipped["C004"] == "overdue invoices covered by unapplied cash or credit notes"
    # C005: 300,000 overdue for 122 days, within the arrangement ARR-1 that it keeps
    assert skipped["C005"] == "payment arrangement ARR-1 being kept"
    assert "C001" not in skipped  # its invoice falls due on 31 July itself: not overdue
    acme = plan.to_email[0]
    assert [(b.currency, b.position.overdue, b.total_due) for b in acme.blocks] == [("USD", D(800), D(800))]


def test_overdue_but_not_yet_at_the_first_level_says_when_it_will_be(tmp_path: Path) -> None:
    """C001's invoice fell due on 31 July: on 1 August it is one day overdue, not reminded, and the reason says
    when the first reminder comes (it used to be left out of "overdue but not reminded" with a blank reason)."""
    ledger = ledger_of(tmp_path)
    first = min(ledger.dunning_levels, key=lambda level: level.level)
    plan = plan_reminders(ledger, dt.date(2025, 8, 1))
    skipped = {s.customer_id: s.reason for s in plan.skipped}
    assert "C001" not in {r.customer_id for r in plan.reminders}
    due_on = dt.date(2025, 7, 31) + dt.timedelta(days=first.days_overdue)
    assert skipped["C001"] == (f"1 day overdue: level 1 ({first.name}) is due at {first.days_overdue} days, on "
                               f"{due_on:%d/%m/%Y}")


def test_level_two_only_after_level_one_was_sent(tmp_path: Path) -> None:
    first = logged(recovery_tables(), CollectionsEntry(date=dt.date(2025, 7, 1), customer_id="C003", channel="call",
                                                       dunning_level=1, outcome="friendly reminder by phone"))
    plan = plan_reminders(ledger_of(tmp_path, first), JULY)
    umucyo = next(r for r in plan.reminders if r.customer_id == "C003")
    assert (umucyo.level.level, umucyo.previous_level, umucyo.previous_date) == (2, 1, dt.date(2025, 7, 1))
    # level 2 charges a 5,000 RWF fee and 12 % a year: 70,000 x 12 % x 52 / 365 = 1,196.71 -> 1,197
    block = umucyo.blocks[0]
    assert (block.interest, block.fee, block.total_due) == (D(1197), D(5000), D(76197))
    assert block.overdue_invoices[0].interest == D(1197)
    # still level 2, never 3, at 67 days: level 2 has not been sent yet
    assert next(r for r in plan_reminders(ledger_of(tmp_path, first, "b.xlsx"), dt.date(2025, 8, 15)).reminders
                if r.customer_id == "C003").level.level == 2


def test_not_again_within_the_interval_and_never_the_same_level_twice(tmp_path: Path) -> None:
    recent = logged(recovery_tables(), CollectionsEntry(date=dt.date(2025, 7, 28), customer_id="C003", channel="call",
                                                        dunning_level=1))
    plan = plan_reminders(ledger_of(tmp_path, recent), JULY)
    assert "C003" not in [r.customer_id for r in plan.reminders]
    assert next(s for s in plan.skipped if s.customer_id == "C003").reason == \
        "level 1 sent on 28/07/2025: the next not before 04/08/2025"
    # the last level sent: nothing more to send, the customer is one for the Escalations sheet
    top = logged(recovery_tables(), *(CollectionsEntry(date=dt.date(2025, 6, 10 + n), customer_id="C003",
                                                       channel="e-mail", dunning_level=n) for n in (1, 2, 3)))
    plan = plan_reminders(ledger_of(tmp_path, top, "top.xlsx"), JULY)
    assert "C003" not in [r.customer_id for r in plan.reminders]


def test_a_rerun_the_same_day_sends_nothing_new(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path)
    plan = plan_reminders(ledger, JULY)
    entries = log_entries(plan.reminders, JULY)
    assert [(e.customer_id, e.channel, e.dunning_level, e.date) for e in entries] == [
        ("C002", "e-mail", 1, JULY), ("C003", "e-mail", 1, JULY)]
    assert entries[0].outcome == "reminder level 1 sent (Friendly reminder): 800.00 USD overdue, oldest 11 days"
    assert entries[0].contact == "ap@acme.example.com" and entries[0].next_action_date == dt.date(2025, 8, 23)
    again = plan_reminders(ledger_of(tmp_path, logged(recovery_tables(), *entries), "again.xlsx"), JULY)
    assert again.reminders == []


def test_a_new_overdue_episode_starts_the_sequence_again(tmp_path: Path) -> None:
    # C003 got all three levels in 2024 for debts it paid since: its June invoice starts again at level 1
    old = logged(recovery_tables(), *(CollectionsEntry(date=dt.date(2024, 3, n), customer_id="C003",
                                                       channel="letter", dunning_level=n) for n in (1, 2, 3)))
    plan = plan_reminders(ledger_of(tmp_path, old), JULY)
    assert next(r for r in plan.reminders if r.customer_id == "C003").level.level == 1


def test_a_broken_arrangement_no_longer_protects(tmp_path: Path) -> None:
    tables = recovery_tables()
    # the second instalment (due 10/07, 3 days' grace) arrives on 20/07: broken
    tables["Receipts"] = [r.model_copy(update={"date": dt.date(2025, 7, 20)}) if getattr(r, "receipt_id", "") == "R-5B"
                          else r for r in tables["Receipts"]]
    tables["Allocations"] = [a.model_copy(update={"date": dt.date(2025, 7, 20)}) if getattr(a, "receipt_id", "") ==
                             "R-5B" else a for a in tables["Allocations"]]
    plan = plan_reminders(ledger_of(tmp_path, tables), JULY)
    hotel = next(r for r in plan.reminders if r.customer_id == "C005")
    assert (hotel.level.level, hotel.previous_level, hotel.days_overdue) == (3, 2, 122)


def test_late_interest_is_rounded_to_the_currency() -> None:
    assert late_interest(D("1000.00"), D("0.10"), 73, "USD") == D("20.00")  # 1,000 x 10 % x 73/365 = 20
    assert late_interest(D(1000), D("0.10"), 1, "RWF") == D(0)  # 0.27 RWF rounds to nothing
    assert late_interest(D(5000), D("0.10"), 1, "RWF") == D(1)  # 1.369...
    assert late_interest(D(5000), D(0), 100, "RWF") == D(0)


def test_reminder_e_mail_names_invoices_amounts_and_bank(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path)
    plan = plan_reminders(ledger, JULY)
    templates = Templates(templates_folder(None, tmp_path / "billing.xlsx"))
    assert templates.folder == TEMPLATES
    outgoing = build_message(plan.to_email[0], ledger.settings, templates)
    message = outgoing.message
    assert outgoing.template == "reminder-friendly.eml.j2"
    assert message["To"] == "John Smith <ap@acme.example.com>"
    assert message["From"] == "Kigali Cloud & Systems Ltd <billing@kigalicloud.example.rw>"
    assert message["Subject"] == "Friendly reminder: 800.00 USD overdue, Acme Holdings Inc (C002)"
    body = message.get_content()
    assert "INV-2025-00005   20/06/2025  20/07/2025    11            800.00 USD" in body
    assert "Account USD:  00040-06951873-30" in body and "Dear John Smith," in body
    assert max(len(line) for line in body.splitlines()) <= 78


def test_a_customer_who_withholds_is_told_the_cash_to_transfer_and_a_foreign_one_no_certificates(
        tmp_path: Path) -> None:
    """C009 (a ministry: VAT withheld and 3 %) owes 3 invoices of 926,100 + 166,698 VAT: it keeps back
    166,698 + 3 % x 926,100 = 194,481 of each and transfers 898,317. The reminder used to ask for the gross."""
    book, _ = write_sample(tmp_path / "billing.xlsx")
    ledger, _ = open_ledger(book)
    plan = plan_reminders(ledger, JULY)
    ministry = next(r for r in plan.to_email if r.customer_id == "C009")
    block = ministry.blocks[0]
    assert [i.withholding for i in block.overdue_invoices] == [D(194481)] * 3
    assert (block.total_due, block.position.withheld, block.cash_due) == (D(3278394), D(583443), D(2694951))
    templates = Templates(templates_folder(None, book))
    body = build_message(ministry, ledger.settings, templates).message.get_content()
    assert "  Total overdue                                         3,278,394 RWF" in body
    assert "  Less the tax you withhold at source                    -583,443 RWF" in body
    assert "  Cash to transfer to us                                2,694,951 RWF" in body
    assert "withholding tax certificates" in body and max(len(line) for line in body.splitlines()) <= 78
    foreign = next(r for r in plan.to_email if r.customer_id == "C056")
    assert foreign.customer.customer_type == "foreign" and foreign.blocks[0].position.withheld == 0
    body = build_message(foreign, ledger.settings, templates).message.get_content()
    assert "certificate" not in body and "Cash to transfer" not in body


def test_a_template_with_a_mistake_is_refused_clearly(tmp_path: Path) -> None:
    from arxl.formats.mail import MailError

    ledger = ledger_of(tmp_path)
    plan = plan_reminders(ledger, JULY)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "reminder-friendly.eml.j2").write_text("Subject: {{ customer.nmae }}\n\nHello\n", encoding="utf-8")
    with pytest.raises(MailError, match=r"template reminder-friendly.eml.j2: .*nmae"):
        build_message(plan.to_email[0], ledger.settings, Templates(folder))
    (folder / "reminder-friendly.eml.j2").write_text("Hello {{ customer.name }}\n", encoding="utf-8")
    with pytest.raises(MailError, match="the first lines must be headers"):
        build_message(plan.to_email[0], ledger.settings, Templates(folder))


# --- A real SMTP server on 127.0.0.1 ---------------------------------------------------------------------------

class Collector:
    """An aiosmtpd handler keeping every message; it refuses recipients at refused.example."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=default_policy) for _, _, raw in self.messages]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture()
def smtp() -> Iterator[tuple[Collector, SmtpServer]]:
    from aiosmtpd.controller import Controller

    handler = Collector()
    port = free_port()  # aiosmtpd's port=0 does not work: take a free port first
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, SmtpServer("127.0.0.1", port, timeout=10)
    finally:
        controller.stop()


@pytest.mark.libreoffice
def test_reminders_are_sent_with_the_statement_and_logged_once(tmp_path: Path, smtp: tuple[Collector, SmtpServer],
                                                               libreoffice: LibreOffice) -> None:
    handler, server = smtp
    book = recovery_book(tmp_path / "billing.xlsx")
    ledger, _ = open_ledger(book)
    run = run_statements(FileHost(book), ledger, JULY, tmp_path / "out", pdf=True, server=server, office=libreoffice)
    assert [o.reminder.customer_id for o in run.sent] == ["C002"] and run.failed == []
    assert len(handler.messages) == 1
    sender, recipients, _ = handler.messages[0]
    assert (sender, recipients) == ("billing@kigalicloud.example.rw", ["ap@acme.example.com"])
    message = handler.parsed()[0]
    assert message["To"] == "John Smith <ap@acme.example.com>"
    assert message["Subject"].startswith("Friendly reminder: 800.00 USD overdue")
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["Statement-C002-2025-07.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content().startswith(b"%PDF")
    assert "Statement-C002-2025-07.pdf" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    eml = tmp_path / "out" / "reminders" / "C002-level-1-2025-07-31.eml"
    assert email.message_from_bytes(eml.read_bytes(), policy=default_policy)["Subject"] == message["Subject"]
    assert "C002\tlevel 1\tap@acme.example.com" in (tmp_path / "out" / "reminders" / "sent-2025-07-31.log").read_text()
    after, _ = open_ledger(book)
    sent = [e for e in after.collections_log if e.date == JULY]
    assert [(e.customer_id, e.channel, e.contact, e.dunning_level) for e in sent] == [
        ("C002", "e-mail", "ap@acme.example.com", 1)]
    assert sent[0].outcome.startswith("reminder level 1 sent")
    assert sent[0].next_action.startswith("Level 2 (Firm reminder)")
    # the same run again the same day: nothing new is sent or logged
    again = run_statements(FileHost(book), after, JULY, tmp_path / "out", server=server)
    assert again.sent == [] and len(handler.messages) == 1
    final, _ = open_ledger(book)
    assert len([e for e in final.collections_log if e.date == JULY]) == 1


def test_a_refused_reminder_is_not_logged_and_is_named(tmp_path: Path, smtp: tuple[Collector, SmtpServer]) -> None:
    handler, server = smtp
    tables = recovery_tables()
    tables["Customers"] = [c.model_copy(update={"email": "ap@refused.example"}) if getattr(c, "customer_id", "") ==
                           "C003" else c for c in tables["Customers"]]
    book = recovery_book(tmp_path / "billing.xlsx", tables)
    ledger, _ = open_ledger(book)
    run = run_statements(FileHost(book), ledger, JULY, tmp_path / "out", server=server)
    assert [o.reminder.customer_id for o in run.sent] == ["C002"]
    assert [(o.reminder.customer_id, why) for o, why in run.failed] == [
        ("C003", "recipient refused: ap@refused.example (550)")]
    assert len(handler.messages) == 1
    after, _ = open_ledger(book)
    assert [e.customer_id for e in after.collections_log if e.date == JULY] == ["C002"]


def test_the_statements_command_sends_and_reports_failures(tmp_path: Path, smtp: tuple[Collector, SmtpServer],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from arxl.cli import main

    handler, server = smtp
    tables = recovery_tables()
    tables["Customers"] = [c.model_copy(update={"email": "ap@refused.example"}) if getattr(c, "customer_id", "") ==
                           "C003" else c for c in tables["Customers"]]
    book = recovery_book(tmp_path / "billing.xlsx", tables)
    code = main(["statements", str(book), "--as-of", "2025-07-31", "--out", str(tmp_path / "out"), "--send",
                 "--smtp", f"127.0.0.1:{server.port}"])
    captured = capsys.readouterr()
    assert code == 2
    assert "sent 1 reminder(s), logged in CollectionsLog" in captured.out
    assert "NOT sent: C003 ap@refused.example: recipient refused" in captured.err
    assert len(handler.messages) == 1
    assert main(["statements", str(book), "--send"]) == 2  # --send without --smtp


def test_an_unreachable_server_sends_nothing_and_logs_nothing(tmp_path: Path) -> None:
    book = recovery_book(tmp_path / "billing.xlsx")
    ledger, _ = open_ledger(book)
    unreachable = SmtpServer("127.0.0.1", free_port(), timeout=5)
    run = run_statements(FileHost(book), ledger, JULY, tmp_path / "out", server=unreachable)
    assert run.sent == [] and [o.reminder.customer_id for o, _ in run.failed] == ["C002"]
    assert "cannot reach the mail server" in run.failed[0][1]
    after, _ = open_ledger(book)
    assert [e for e in after.collections_log if e.date == JULY] == []


def test_the_demo_mail_sink_keeps_what_it_receives(tmp_path: Path) -> None:
    from arxl.formats.mailsink import MailSink

    book = recovery_book(tmp_path / "billing.xlsx")
    ledger, _ = open_ledger(book)
    with MailSink(tmp_path / "mailbox") as sink:
        run = run_statements(FileHost(book), ledger, JULY, tmp_path / "out", server=sink.server)
    assert len(run.sent) == sink.received == 1
    [kept] = list((tmp_path / "mailbox").iterdir())
    assert kept.name == "001-ap@acme.example.com.eml"
    message = email.message_from_bytes(kept.read_bytes(), policy=default_policy)
    assert message["To"] == "John Smith <ap@acme.example.com>"
