"""The ``arxl`` command: the same workflows as the ribbon, for batch work and for the month-end.

One grammar (DESIGN §4): ``arxl NOUN VERB BOOK [options]``; ``--out DIR`` is always a folder and ``-o/--output
FILE`` always one file; an option name means one thing everywhere (``--as-of`` the date a report looks at,
``--on`` the date a record carries, ``--today`` the day the close runs as, ``--period`` a month); flags are
flags. Old spellings still work, with a note naming the new one (:mod:`arxl.cli.spelling`).

Each command parses its words, calls one job of :mod:`arxl.app`, and prints the job's report. Exit codes: 0
done, 2 bad input or refused (the message names the file, sheet and cell), 1 a bug in arxl (the only case that
prints a traceback), 3 ``arxl tieout`` found that Sage and arxl differ (the TieOut sheet says where and why).
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from typing import Annotated

import typer

from arxl import __version__
from arxl.app.report import Refused
from arxl.cli import audit, batch, billing, book, cash, fx, periods, recovery, tieout
from arxl.cli.common import WIDE, BadInput, app, err, fit_consoles, out, session, show, warn
from arxl.cli.spelling import modernize
from arxl.core.errors import ArxlError

# each module adds its commands to `app` when imported
COMMANDS = (billing, book, cash, fx, recovery, periods, tieout, audit, batch)


def _version(value: bool) -> None:
    if value:
        out.print(f"arxl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    wait: Annotated[float | None, typer.Option("--wait", metavar="SECONDS", min=0,
                                               help="How long a command waits for another arxl command that is "
                                                    "changing the same workbook (default 60, or ARXL_WAIT).")]
    = None,
) -> None:
    """arxl: the billing and recovery accountant's toolkit."""
    if wait is not None:
        session.wait = wait


def _is_usage_error(exc: Exception) -> bool:
    """A mistake on the command line (typer's click layer, vendored or not): show it, exit 2."""
    shown = getattr(exc, "show", None)
    if callable(shown) and isinstance(getattr(exc, "exit_code", None), int):
        shown()
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 2 bad input, 1 bug, 3 the tie-out differs)."""
    words = sys.argv[1:] if argv is None else list(argv)
    session.command = " ".join(["arxl", *words])[:160]
    session.wait = None
    session.started(words)
    fit_consoles()
    words, notes = modernize(words, typer.main.get_command(app))
    for note in notes:
        warn(f"arxl: deprecated: {note}")
    with session.locks:  # every workbook lock this command took is released here, whatever happened
        code = _run(words)
        # journaled under the lock whatever the outcome: a command that changed nothing writes no entry, and one
        # that stopped half-way (a close waiting for decisions after billing) has done work the journal must show
        session.journal()
        return code


def _run(words: list[str]) -> int:
    wide = {} if out.is_terminal else {"terminal_width": WIDE, "max_content_width": WIDE}  # help: never wrapped
    try:
        code = app(args=words, prog_name="arxl", standalone_mode=False, **wide)  # typer.Exit(n) comes back as n
    except ArxlError as exc:
        err.print(f"arxl: {exc}", highlight=False, markup=False, soft_wrap=True)
        return 2
    except BadInput:
        return 2
    except Refused as exc:
        with contextlib.suppress(BadInput):
            show(exc.report)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        err.print("arxl: interrupted")
        return 2
    except MemoryError:
        err.print("arxl: out of memory: the input is too large for this machine")
        return 2
    except Exception as exc:
        if _is_usage_error(exc):
            return 2
        err.print("arxl: internal error (a bug in arxl, please report it with this text):", markup=False)
        traceback.print_exc(file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0
