"""One writer at a time: the workbook lock, the wait and refusal, a killed holder, the check at save time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from arxl import macros
from arxl.cli import main
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.host import FileHost
from arxl.formats.xlsx.lock import WorkbookBusy, WorkbookChanged, WorkbookLock, lock_path, read_holder
from arxl.formats.xlsx.save import backup_path
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from tests.builders import small_book

HOLD = textwrap.dedent("""
    import sys, time
    from arxl.formats.xlsx.lock import WorkbookLock
    lock = WorkbookLock(sys.argv[1], "arxl reconcile post billing.xlsx")
    lock.acquire()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    lock.release()
""")


def hold(book: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that takes the workbook's lock and keeps it for ``seconds``."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(book), str(seconds)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def a_sheet(text: str) -> ChangeSet:
    changes = ChangeSet()
    sheet = SheetSpec("Note")
    sheet.add(Cell(text))
    changes.replace_sheet(sheet)
    return changes


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return small_book(tmp_path / "billing.xlsx")


def test_a_second_writer_waits_says_for_whom_then_refuses(book: Path) -> None:
    holder = hold(book, 5)
    said: list[str] = []
    started = time.monotonic()
    with pytest.raises(WorkbookBusy) as refused:
        WorkbookLock(book, "arxl aging billing.xlsx", wait=0.5, say=said.append).acquire()
    assert 0.5 <= time.monotonic() - started < 3
    assert said == [f"billing.xlsx: waiting for `arxl reconcile post billing.xlsx` (pid {holder.pid}, since "
                    f"{said[0].split('since ')[1].split(')')[0]}) to finish..."]
    assert f"is being changed by `arxl reconcile post billing.xlsx` (pid {holder.pid}" in str(refused.value)
    assert "Nothing was written" in str(refused.value)
    holder.kill()
    holder.wait()


def test_the_waiter_goes_on_as_soon_as_the_holder_is_done(book: Path) -> None:
    holder = hold(book, 0.6)
    started = time.monotonic()
    with WorkbookLock(book, "arxl aging billing.xlsx", wait=10):
        waited = time.monotonic() - started
        assert read_holder(book) is not None and read_holder(book).pid == os.getpid()  # type: ignore[union-attr]
    assert 0.3 < waited < 5
    holder.wait()
    assert not lock_path(book).exists()


def test_a_lock_left_by_a_killed_command_is_taken_at_once(book: Path) -> None:
    holder = hold(book, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock_path(book).exists() and read_holder(book).pid == holder.pid  # type: ignore[union-attr]
    started = time.monotonic()
    with WorkbookLock(book, "arxl aging billing.xlsx", wait=0):
        assert time.monotonic() - started < 1
        assert read_holder(book).pid == os.getpid()  # type: ignore[union-attr]


COUNT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from arxl.formats.xlsx.lock import WorkbookLock
    counter = Path(sys.argv[2])
    for _ in range(15):
        with WorkbookLock(sys.argv[1], "counter", wait=60):
            value = int(counter.read_text())
            time.sleep(0.002)
            counter.write_text(str(value + 1))
""")


def test_many_processes_never_hold_it_together(book: Path, tmp_path: Path) -> None:
    """Read-modify-write of a counter under the lock by 5 processes: no increment lost (as no invoice may be)."""
    counter = tmp_path / "counter.txt"
    counter.write_text("0")
    workers = [subprocess.Popen([sys.executable, "-c", COUNT, str(book), str(counter)]) for _ in range(5)]
    assert [w.wait(timeout=120) for w in workers] == [0] * 5
    assert counter.read_text() == "75"


def test_a_save_over_a_version_written_by_someone_else_is_refused(book: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.xlsx"
    apply_changes(small_book(theirs), a_sheet("their work"))
    with WorkbookLock(book, "arxl aging billing.xlsx", wait=0):
        os.replace(theirs, book)  # another program writes the workbook while arxl works on what it read
        their_bytes = book.read_bytes()
        with pytest.raises(WorkbookChanged, match=r"^\[billing.xlsx\]: was changed on disk"):
            apply_changes(book, a_sheet("our work"))
    assert book.read_bytes() == their_bytes


def test_the_host_refuses_to_save_over_a_version_it_did_not_read(book: Path, tmp_path: Path) -> None:
    host = FileHost(book)
    host.port().sheet_names()
    before = book.read_bytes()
    time.sleep(0.01)
    apply_changes(book, a_sheet("a second arxl wrote this"))
    theirs = book.read_bytes()
    assert theirs != before
    with pytest.raises(WorkbookChanged):
        host.apply(a_sheet("ours"))
    assert book.read_bytes() == theirs
    host.port()  # read again: now it may save
    host.apply(a_sheet("ours"))


def test_a_command_refused_for_a_busy_workbook_exits_2_and_writes_nothing(book: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    before = book.read_bytes()
    holder = hold(book, 10)
    code = main(["--wait", "0.3", "aging", str(book), "--as-of", "2025-07-31"])
    holder.kill()
    holder.wait()
    err = capsys.readouterr().err
    assert code == 2
    assert "waiting for `arxl reconcile post billing.xlsx`" in err and "is being changed by" in err
    assert book.read_bytes() == before and not backup_path(book).exists()


def test_a_command_releases_the_lock_however_it_ends(book: Path) -> None:
    assert main(["invoices", "generate", str(book), "--period", "2025-13"]) == 2  # bad input
    assert not lock_path(book).exists()
    with WorkbookLock(book, "next", wait=0):
        pass


def test_a_read_only_command_does_not_wait(book: Path) -> None:
    holder = hold(book, 10)
    try:
        assert main(["validate", str(book)]) in (0, 2)
    finally:
        holder.kill()
        holder.wait()


def test_a_ribbon_button_on_a_busy_workbook_alerts_and_writes_nothing(book: Path, monkeypatch: pytest.MonkeyPatch
                                                                      ) -> None:
    monkeypatch.setattr(macros, "MACRO_WAIT", 0.2)
    before = book.read_bytes()
    holder = hold(book, 10)
    host = FileHost(book)
    report = macros.run("refresh_aging", host)
    holder.kill()
    holder.wait()
    assert report.refused and "is being changed by `arxl reconcile post billing.xlsx`" in host.alerts[0]
    assert any("waiting for" in s for s in host.statuses)
    assert book.read_bytes() == before
