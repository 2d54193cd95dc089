"""A local mail server that keeps what it receives: for the demo, and for trying reminders without sending them.

``with MailSink(folder) as sink: run_statements(..., server=sink.server)`` starts an SMTP server on 127.0.0.1
(aiosmtpd, installed with arxl's test extras), writes every message it accepts to ``folder/NNN-recipient.eml`` and
stops it on exit. aiosmtpd cannot listen on port 0, so a free port is found first.
"""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from arxl.core.errors import ArxlError
from arxl.formats.mail import SmtpServer


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on at the moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class _Keep:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it so
        with self.lock:
            self.count += 1
            first = re.sub(r"[^A-Za-z0-9@._-]", "_", (envelope.rcpt_tos or ["unknown"])[0])
            (self.folder / f"{self.count:03d}-{first}.eml").write_bytes(bytes(envelope.content))
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on 127.0.0.1 for the duration of a ``with`` block."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._controller: Any = None
        self._keep = _Keep(folder)
        self.server = SmtpServer("127.0.0.1", 0)

    @property
    def received(self) -> int:
        return self._keep.count

    def __enter__(self) -> MailSink:
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            raise ArxlError("the local mail server needs aiosmtpd: pip install aiosmtpd") from None
        self.folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self._controller = Controller(self._keep, hostname="127.0.0.1", port=port)
        self._controller.start()
        self.server = SmtpServer("127.0.0.1", port, timeout=10)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
