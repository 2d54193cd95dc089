"""The period lock's jobs: lock a month, reopen it with a reason, list the months' states.

Who did it is the user name of the session (``getpass.getuser()``), taken here at the edge, or the one given
(``--user``); when is the clock's minute. The rules of the lock are :mod:`arxl.books.periods`; the guard that
refuses a change into a locked month is :func:`arxl.app.jobs.apply`.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterable

from arxl.app.jobs import open_for_work
from arxl.app.report import Report
from arxl.books.periods import describe, event, locked, state
from arxl.core.period import Period
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import PeriodEvent


def user_name(given: str | None = None) -> str:
    """The user a lock or reopening is recorded under: the one given, else the session's login name."""
    if given and given.strip():
        return given.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a service account without one)
        return "unknown"


def lock_changes(ledger: Ledger, months: Iterable[Period], by: str, reason: str = "",
                 at: dt.datetime | None = None) -> tuple[ChangeSet, list[str]]:
    """The "locked" events of the months not locked yet, and the months that were already locked."""
    now = at or dt.datetime.now()
    closed = locked(ledger.table("Periods").rows)
    rows: list[PeriodEvent] = []
    already: list[str] = []
    for month in months:
        if str(month) in closed:
            already.append(str(month))
        else:
            rows.append(event(str(month), "locked", now, by, reason))
    changes = ChangeSet()
    changes.append("Periods", rows)
    return changes, already


def lock_period(host: Host, period: str, user: str | None = None, reason: str = "",
                at: dt.datetime | None = None) -> Report:
    """Lock a month by hand (the close does it when it completes)."""
    month = Period.parse(period)
    ledger = open_for_work(host, "lock a period")
    changes, already = lock_changes(ledger, [month], user_name(user), reason, at)
    report = Report("lock a period")
    if already:
        report.say(f"{month} is already locked ({describe(locked(ledger.table('Periods').rows)[str(month)])}); "
                   "nothing was changed")
        return report
    host.apply(changes)
    report.say(f"{month} locked: billing, posting, credit notes, revaluation and Sage export into it are refused "
               "until it is reopened")
    return report


def reopen_period(host: Host, period: str, reason: str, user: str | None = None,
                  at: dt.datetime | None = None) -> Report:
    """Reopen a locked month, recording who reopened it, when and why."""
    month = Period.parse(period)
    row = event(str(month), "reopened", at or dt.datetime.now(), user_name(user), reason)  # refused: no reason
    ledger = open_for_work(host, "reopen a period")
    report = Report("reopen a period")
    if str(month) not in locked(ledger.table("Periods").rows):
        return report.refuse(f"{month} is not locked: nothing to reopen")
    changes = ChangeSet()
    changes.append("Periods", [row])
    host.apply(changes)
    report.say(f"{month} {describe(row)}; lock it again with `arxl period lock {host.name} {month}` or by running "
               "its close")
    return report


def period_status(host: Host) -> Report:
    """Every month with an event: locked or reopened, when, by whom and why."""
    ledger = open_for_work(host, "period status")
    months = state(ledger.table("Periods").rows)
    report = Report("period status")
    if not months:
        report.say("no month has been locked yet")
        return report
    report.table.append(("Period", "State", "On", "By", "Reason"))
    for month, last in months.items():
        report.table.append((month, last.action, f"{last.on:%d/%m/%Y} {last.time}".strip(), last.by, last.reason))
    shut = [m for m, e in months.items() if e.action == "locked"]
    report.say(f"{len(shut)} month(s) locked" + (f": {', '.join(shut)}" if shut else "") +
               (f"; reopened: {', '.join(m for m, e in months.items() if e.action == 'reopened')}"
                if len(shut) < len(months) else ""))
    return report
