"""The frame of a working paper: its index reference, who prepared and reviewed it, its source and tickmarks.

Auditors index working papers by letter (A the lead schedule, B the roll-forward, C the invoice register...), and
every paper carries the same header, so that a reviewer can sign it off and trace each figure to its source:

====  ==================================================================================================
row   what it holds
====  ==================================================================================================
1     the reference and title ("A  Lead schedule: trade receivables")
2     the company and the period end
3     "Prepared by", the preparer, "Date", the date prepared
4     "Reviewed by", the reviewer (blank until signed), "Date" (blank)
5     "Source", where the figures come from
6     "Tickmarks", the marks this paper uses, each with its meaning (the Legend sheet has them all)
7     blank
8     the column headers of the paper's table; its rows start at :data:`FIRST_ROW`
====  ==================================================================================================

Every figure of a paper is a live formula over the pack's copies of the ledger tables (the ``Z`` sheets, see
:mod:`arxl.books.audit.context`) stored with arxl's own result, so the file shows the right numbers before any
recalculation and LibreOffice or Excel recomputes the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from arxl.ledger.changes import Cell, SheetSpec

HEADER_ROW = 8
FIRST_ROW = HEADER_ROW + 1

TICKMARKS: dict[str, str] = {
    "✓": "agreed to the register copy in this pack (the Z sheets)",
    "Σ": "footed: the total is a formula over the column",
    "A": "agreed to the aging at the period end (Z4 Open items)",
    "S": "agreed to Sage (the tie-out)",
    "E": "EBM receipt on record",
    "R": "received after the period end (a receipt in Z2)",
    "C": "confirmed by the customer",
    "X": "exception: see the note on the row",
}


@dataclass(frozen=True, slots=True)
class Signoff:
    """Who prepared the pack and when; the reviewer signs in the file (the cells are left for it when blank)."""

    preparer: str
    prepared: dt.date
    reviewer: str = ""
    reviewed: dt.date | None = None


@dataclass(frozen=True, slots=True)
class PaperHead:
    """What every paper's header shows besides its own reference and title."""

    company: str
    period_end: dt.date
    period_label: str  # "July 2025" or "2025"
    signoff: Signoff


def sheet_name(ref: str, short: str) -> str:
    """The tab of a paper: its reference and a short title ("A Lead"), within Excel's 31 characters."""
    return f"{ref} {short}"[:31]


def paper(ref: str, short: str, title: str, head: PaperHead, source: str, marks: str = "",
          widths: dict[str, float] | None = None) -> SheetSpec:
    """A new working paper with its header rows 1-7 filled; the caller adds the column headers (row
    :data:`HEADER_ROW`) and the rows. ``marks`` lists the tickmarks the paper uses ("✓Σ")."""
    spec = SheetSpec(sheet_name(ref, short), widths=dict(widths or {}), freeze=f"A{FIRST_ROW}", fit_width=True)
    spec.add(Cell(f"{ref}  {title}", style="title"))
    spec.add(Cell(f"{head.company}: trade receivables, {head.period_label}, period ended "
                  f"{head.period_end:%d/%m/%Y}", style="subtitle"))
    s = head.signoff
    spec.add(Cell("Prepared by", style="bold"), Cell(s.preparer), Cell("Date", style="bold"),
             Cell(s.prepared, style="date"))
    spec.add(Cell("Reviewed by", style="bold"), Cell(s.reviewer), Cell("Date", style="bold"),
             Cell(s.reviewed, style="date") if s.reviewed else Cell(""))
    spec.add(Cell("Source", style="bold"), Cell(source, style="note"))
    legend = "   ".join(f"{m} {TICKMARKS[m]}" for m in marks if m in TICKMARKS)
    spec.add(Cell("Tickmarks", style="bold"), Cell(legend or "see the Legend sheet", style="note"))
    spec.blank()
    return spec


def header(spec: SheetSpec, *titles: str) -> int:
    """The column headers of a paper's table, on row :data:`HEADER_ROW` (the frame must be just built)."""
    assert spec.next_row == HEADER_ROW, f"{spec.name}: the header belongs on row {HEADER_ROW}"
    return spec.add(*(Cell(t, style="header") for t in titles))


def legend_sheet(head: PaperHead) -> SheetSpec:
    """The Legend sheet: every tickmark and its meaning."""
    spec = paper("L", "Legend", "Tickmark legend", head, "arxl", marks="")
    header(spec, "Tickmark", "Meaning")
    for mark, meaning in TICKMARKS.items():
        spec.add(Cell(mark, align="center"), Cell(meaning))
    spec.widths.update({"A": 12, "B": 70})
    return spec
