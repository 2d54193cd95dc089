"""``arxl fx revalue``: foreign currency at the month end (IAS 21)."""

from __future__ import annotations

from arxl.cli.common import BookArgument, PeriodOption, app, group, session, show

fx_app = group("Foreign currency (IAS 21): the month-end revaluation of open USD items and the FX sheet.")
app.add_typer(fx_app, name="fx")


@fx_app.command("revalue")
def revalue_cmd(book: BookArgument, period: PeriodOption) -> None:
    """Revalue the open foreign-currency items at the month's closing rate (Rates sheet): Revaluations rows
    for the Sage journal, and the FX sheet with the month's realised and unrealised differences. A month is
    revalued once."""
    from arxl.app import fx

    show(fx.revalue(session.writable(book), period))
