"""``arxl period lock|reopen|status`` and ``arxl certificates [refresh|record]``: the books kept closed, and the
withholding RRA owes until its certificate arrives."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from arxl.cli.common import AsOfOption, BookArgument, app, date_given, given, group, session, show
from arxl.core.dates import to_date

period_app = group("The period lock: a closed month refuses billing, posting, credit notes, revaluation and Sage "
                   "export until it is reopened with a reason.")
app.add_typer(period_app, name="period")


class _RefreshByDefault(TyperGroup):
    """``arxl certificates BOOK`` is ``arxl certificates refresh BOOK``: a first word that is no command is a
    workbook."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["refresh", *args]
        return super().resolve_command(ctx, args)


certificates_app = typer.Typer(cls=_RefreshByDefault, no_args_is_help=True, rich_markup_mode=None,
                               add_completion=False,
                               help="Withholding certificates: each withholding deduction is owed by RRA until the "
                                    "customer's certificate is recorded. `arxl certificates BOOK` refreshes the "
                                    "Certificates sheet.")
app.add_typer(certificates_app, name="certificates")

MonthArgument = Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month.")]
UserOption = Annotated[str | None, typer.Option("--user", metavar="NAME", help="Who does it (default: the login "
                                                "name).")]

# Each command imports its job when it runs: `arxl --help` and every other command start without loading the
# workbook libraries the jobs need.


@period_app.command("lock")
def lock_cmd(book: BookArgument, period: MonthArgument, user: UserOption = None) -> None:
    """Lock a month by hand (a completed close locks its month)."""
    from arxl.app.periods import lock_period

    show(lock_period(session.writable(book), period, user))


@period_app.command("reopen")
def reopen_cmd(
    book: BookArgument,
    period: MonthArgument,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why it is reopened (recorded).")],
    user: UserOption = None,
) -> None:
    """Reopen a locked month, recording who, when and why."""
    from arxl.app.periods import reopen_period

    show(reopen_period(session.writable(book), period, given(reason, "--reason", "why the month is reopened"),
                       user))


@period_app.command("status")
def status_cmd(book: BookArgument) -> None:
    """Every month locked or reopened: when, by whom, why (the workbook is not changed)."""
    from arxl.app.periods import period_status
    from arxl.app.workbook import readable

    show(period_status(readable(book)))


@certificates_app.command("refresh")
def certificates_cmd(book: BookArgument, as_of: AsOfOption = None) -> None:
    """Refresh the Certificates sheet: every withholding, certified or awaiting its certificate, with totals."""
    from arxl.app.certificates import refresh_certificates

    show(refresh_certificates(session.writable(book), date_given(as_of, "--as-of")))


@certificates_app.command("record")
def record_cmd(
    book: BookArgument,
    customer: Annotated[str, typer.Option("--customer", metavar="ID", help="The customer who withheld.")],
    number: Annotated[str, typer.Option("--number", metavar="N", help="The certificate's number.")],
    on: Annotated[str, typer.Option("--date", metavar="YYYY-MM-DD", help="The certificate's date.")],
    invoices: Annotated[list[str], typer.Option("--invoice", metavar="INV", help="An invoice it covers (repeat "
                                                "for several).")],
    kind: Annotated[str | None, typer.Option("--type", metavar="vat_withheld|wht", help="Only this withholding "
                                             "type (default: every withholding on those invoices).")] = None,
) -> None:
    """Record a certificate on the withholding deductions of a customer's invoices."""
    from arxl.app.certificates import record_certificate

    show(record_certificate(session.writable(book), customer, given(number, "--number", "the certificate number"),
                            to_date(on, "--date"), invoices, kind))
