"""Reminder e-mails: rendered from the accountant's Jinja2 templates, written as .eml, sent over SMTP.

A template (``workbooks/templates/reminder-friendly.eml.j2`` ...) is plain text: header lines first
(``Subject:``, optionally ``Cc:``, ``Bcc:``, ``Reply-To:``), a blank line, then the body. arxl adds From, To,
Date and Message-ID itself and builds a proper RFC 5322 message with the stdlib ``email`` package (non-ASCII
names and subjects are encoded, a header can never be split by a customer name with a line break in it), with
the statement of account attached: its PDF when one was made, else its workbook (.xlsx).

The template of a level is the level's Template column (``reminder-firm`` -> ``reminder-firm.eml.j2``), else
``reminder-<level>.eml.j2``, else ``reminder.eml.j2``. Templates run in Jinja2's sandbox with undefined names
refused, so a typo in a template stops the run with the template's name and line instead of sending a letter
with a gap in it.

What a template sees: ``company`` (Settings), ``customer`` (the Customers row), ``level`` (the DunningLevels
row), ``reminder`` (days overdue, previous level...), ``blocks`` (one per currency: its overdue invoices, the
overdue total, credits, interest, fee, total due), ``bank`` (per currency), ``as_of``, ``attachment`` (the
attached statement's file name, .pdf or .xlsx, or empty), and the filters ``money`` (``1,180,000 RWF``,
``1,250.50 USD``), ``day`` (``31 July 2025``), ``dmy`` (``31/07/2025``) and ``percent`` (``12 %``);
``overdue_text`` and ``total_due_text`` are the amounts of every currency in words ready for a subject line.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from arxl.core.errors import ArxlError
from arxl.core.money import figure
from arxl.core.tax import withholds_at_source
from arxl.ledger.records import Customer, DunningLevel
from arxl.ledger.settings import Settings

ALLOWED_HEADERS = ("subject", "cc", "bcc", "reply-to")
SMTP_TIMEOUT = 30.0
# The statement's content type by extension; Python's own table lacks .xlsx where the system adds none.
ATTACHMENT_TYPES = {".pdf": "application/pdf",
                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}



class Overdue(Protocol):
    """What is overdue in one currency (the dunning workflow's position of a customer)."""

    @property
    def overdue(self) -> Decimal: ...


class DueBlock(Protocol):
    """One currency of what a reminder asks for."""

    @property
    def currency(self) -> str: ...

    @property
    def total_due(self) -> Decimal: ...

    @property
    def position(self) -> Overdue: ...


class Dunned(Protocol):
    """What a reminder e-mail is made from: the shape this format reads, which the dunning workflow's
    :class:`arxl.aging.dunning.Reminder` has (the format does not import the workflow)."""

    @property
    def customer(self) -> Customer: ...

    @property
    def customer_id(self) -> str: ...

    @property
    def level(self) -> DunningLevel: ...

    @property
    def as_of(self) -> dt.date: ...

    @property
    def blocks(self) -> Sequence[DueBlock]: ...

    @property
    def addresses(self) -> list[str]: ...

    @property
    def certificates(self) -> Sequence[str]: ...  # the chase list: withholding awaiting its certificate


R = TypeVar("R", bound=Dunned)

class MailError(ArxlError):
    default = "the e-mail could not be prepared"


def money(amount: Decimal | int | None, currency: str) -> str:
    """An amount as a letter shows it.

    >>> money(Decimal("1180000"), "RWF"), money(Decimal("1250.5"), "USD")
    ('1,180,000 RWF', '1,250.50 USD')
    """
    return "" if amount is None else figure(amount, currency, with_code=True)


def day(value: dt.date | None) -> str:
    """``31 July 2025``."""
    return f"{value.day} {value:%B %Y}" if value is not None else ""


def dmy(value: dt.date | None) -> str:
    """``31/07/2025``."""
    return f"{value:%d/%m/%Y}" if value is not None else ""


def percent(rate: Decimal | None) -> str:
    """A rate as a letter shows it.

    >>> percent(Decimal("0.12")), percent(Decimal("0.075"))
    ('12 %', '7.5 %')
    """
    if rate is None:
        return ""
    shown = format((Decimal(rate) * 100).normalize(), "f")
    return f"{shown} %"


def templates_folder(explicit: Path | None, book: Path) -> Path:
    """Where the templates are: ``--templates``, else ``templates/`` beside the workbook, else the
    ``workbooks/templates/`` folder that comes with arxl."""
    candidates = [explicit] if explicit is not None else \
        [book.parent / "templates", Path(__file__).resolve().parents[2] / "workbooks" / "templates"]
    for folder in candidates:
        if folder is not None and folder.is_dir() and any(folder.glob("*.eml.j2")):
            return folder
    shown = explicit or candidates[-1]
    raise MailError(f"no reminder templates (*.eml.j2) in {shown}")


class Templates:
    """The reminder templates of a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(str(folder)), undefined=jinja2.StrictUndefined,
                                        autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                        keep_trailing_newline=True)
        self.env.filters["money"] = money
        self.env.filters["day"] = day
        self.env.filters["dmy"] = dmy
        self.env.filters["percent"] = percent

    def name_for(self, reminder: Dunned) -> str:
        names = [f"{reminder.level.template}.eml.j2"] if reminder.level.template else []
        names += [f"reminder-{reminder.level.level}.eml.j2", "reminder.eml.j2"]
        for name in names:
            if (self.folder / name).is_file():
                return name
        raise MailError(f"no template for level {reminder.level.level} in {self.folder}: expected one of "
                        + ", ".join(names))

    def render(self, name: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise MailError(f"template {exc.name or name}, line {exc.lineno}: {exc.message}") from None
        except jinja2.UndefinedError as exc:
            raise MailError(f"template {name}: {exc.message}") from None


def context(reminder: Dunned, settings: Settings, attachment: str = "") -> dict[str, Any]:
    """What a reminder template sees."""
    bank = {"RWF": settings.bank_account_rwf, "USD": settings.bank_account_usd}
    return {"company": settings, "customer": reminder.customer, "level": reminder.level, "reminder": reminder,
            "blocks": reminder.blocks, "as_of": reminder.as_of, "attachment": attachment,
            "bank": {b.currency: bank.get(b.currency, "") for b in reminder.blocks},
            "withholds": withholds_at_source(reminder.customer.withholding, reminder.customer.customer_type),
            "certificates": list(reminder.certificates),
            "overdue_text": " and ".join(money(b.position.overdue, b.currency) for b in reminder.blocks),
            "total_due_text": " and ".join(money(b.total_due, b.currency) for b in reminder.blocks)}


def _headers_and_body(text: str, template: str) -> tuple[dict[str, str], str]:
    head, _, body = text.lstrip("\n").partition("\n\n")
    headers: dict[str, str] = {}
    for line in head.splitlines():
        name, colon, value = line.partition(":")
        key = name.strip().lower()
        if not colon or key not in ALLOWED_HEADERS:
            raise MailError(f"template {template}: the first lines must be headers such as \"Subject: ...\" "
                            f"followed by a blank line; found \"{line[:60]}\"")
        headers[key] = re.sub(r"\s+", " ", value).strip()
    if not headers.get("subject"):
        raise MailError(f"template {template} gives no Subject")
    return headers, body.strip("\n") + "\n"


@dataclass(slots=True)
class Outgoing(Generic[R]):
    """A reminder as a message, ready to write or send."""

    reminder: R
    message: EmailMessage
    template: str

    @property
    def recipients(self) -> list[str]:
        return self.reminder.addresses


def build_message(reminder: R, settings: Settings, templates: Templates,
                  attachment: Path | None = None) -> Outgoing[R]:
    """The reminder e-mail of a customer, with the statement (its PDF, or the workbook) attached when given."""
    name = templates.name_for(reminder)
    shown = f"Statement-{attachment.stem}{attachment.suffix.lower()}" if attachment is not None else ""
    headers, body = _headers_and_body(templates.render(name, context(reminder, settings, shown)), name)
    message = EmailMessage(policy=SMTP_POLICY)
    sender = settings.company_email
    if not sender:
        raise MailError("Settings has no Company Email to send reminders from")
    message["From"] = formataddr((_one_line(settings.company_name), sender))
    message["To"] = ", ".join(formataddr((_one_line(reminder.customer.contact), a)) if i == 0 else a
                              for i, a in enumerate(reminder.addresses))
    for key, header in (("cc", "Cc"), ("reply-to", "Reply-To"), ("bcc", "Bcc")):
        if headers.get(key):
            message[header] = headers[key]
    message["Subject"] = headers["subject"]
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    if attachment is not None:
        data = attachment.read_bytes()
        kind = ATTACHMENT_TYPES.get(attachment.suffix.lower()) or mimetypes.guess_type(attachment.name)[0]
        maintype, _, subtype = (kind or "application/octet-stream").partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=shown)
    return Outgoing(reminder, message, name)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def write_eml(outgoing: Outgoing[Any], folder: Path) -> Path:
    """``folder/C001-level-1-2025-07-31.eml``."""
    r = outgoing.reminder
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in r.customer_id)
    path = folder / f"{safe}-level-{r.level.level}-{r.as_of:%Y-%m-%d}.eml"
    path.write_bytes(outgoing.message.as_bytes())
    return path


def parse_server(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (port 25 when left out).

    >>> parse_server("127.0.0.1:2525"), parse_server("smtp.example.rw")
    (('127.0.0.1', 2525), ('smtp.example.rw', 25))
    """
    host, colon, port = text.strip().rpartition(":")
    if not colon:
        host, port = text.strip(), "25"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ArxlError(f'--smtp "{text[:60]}" is not HOST:PORT, e.g. smtp.example.rw:587')
    return host.strip("[]"), int(port)


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    starttls: bool = False
    user: str = ""
    password: str = ""
    timeout: float = SMTP_TIMEOUT


@dataclass(slots=True)
class SendReport:
    """What the server did with each message, by position: sent, failed (with why), sent to some only, in doubt
    (it went to the server and no answer came), or held back by ``before`` (with why)."""

    sent: list[int]
    failed: dict[int, str]
    partly_refused: dict[int, str]
    in_doubt: dict[int, str] = field(default_factory=dict)
    held: dict[int, str] = field(default_factory=dict)


class _Session(smtplib.SMTP):
    """An SMTP session that knows whether the message itself was on its way when a fault came: before DATA
    nothing was sent; during DATA the server may have taken it without our hearing its answer."""

    in_data = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.in_data = True
        return super().data(msg)


def send_all(messages: Sequence[Outgoing[R]], server: SmtpServer,
             on_sent: Callable[[Outgoing[R]], None] | None = None, *,
             before: Callable[[Outgoing[R]], str | None] | None = None,
             on_failed: Callable[[Outgoing[R], str], None] | None = None,
             on_in_doubt: Callable[[Outgoing[R], str], None] | None = None) -> SendReport:
    """Send every message over one SMTP connection, going on after a message the server refuses.

    ``before`` is called just before a message goes (to journal it) and may hold it back by saying why;
    ``on_sent`` after the server accepted it, ``on_failed`` after it refused it (nothing sent) and
    ``on_in_doubt`` when the connection failed while the message was being handed over, so the caller can
    record each outcome at once. Messages never attempted (the server unreachable, the connection lost
    before their turn) are only reported as failed."""
    report = SendReport([], {}, {})
    if not messages:
        return report
    try:
        smtp = _Session(server.host, server.port, timeout=server.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        reason = f"cannot reach the mail server {server.host}:{server.port} ({exc})"
        report.failed.update(dict.fromkeys(range(len(messages)), reason))
        return report
    try:
        smtp.ehlo()
        if server.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password)
    except (OSError, smtplib.SMTPException) as exc:
        _quit(smtp)
        report.failed.update(dict.fromkeys(range(len(messages)), f"the mail server refused the session ({exc})"))
        return report
    try:
        for i, outgoing in enumerate(messages):
            if before is not None:
                why = before(outgoing)
                if why:
                    report.held[i] = why
                    continue
            smtp.in_data = False
            try:
                refused = smtp.send_message(outgoing.message)
            except smtplib.SMTPDataError as exc:  # the server answered DATA with a refusal: not taken
                report.failed[i] = _reason(exc)
                if on_failed is not None:
                    on_failed(outgoing, report.failed[i])
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # smtplib's errors are OSErrors too: only a disconnection or a socket fault loses the session
                lost = isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException)
                if lost and smtp.in_data:
                    report.in_doubt[i] = f"no answer from the mail server after the message was sent ({exc})"
                    if on_in_doubt is not None:
                        on_in_doubt(outgoing, report.in_doubt[i])
                else:
                    report.failed[i] = f"the mail server closed the connection ({exc})" if lost else _reason(exc)
                    if on_failed is not None:
                        on_failed(outgoing, report.failed[i])
                if lost:  # the session is gone: the others were never attempted
                    for j in range(i + 1, len(messages)):
                        report.failed[j] = f"not attempted: the connection to the mail server was lost ({exc})"
                    break
                continue
            report.sent.append(i)
            if refused:
                report.partly_refused[i] = "refused for " + ", ".join(refused)
            if on_sent is not None:
                on_sent(outgoing)
    finally:
        _quit(smtp)
    return report


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient refused: " + ", ".join(f"{a} ({code})" for a, (code, _) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"the mail server answered {exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
