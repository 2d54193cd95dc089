"""The month-end revaluation to Sage: one JD/JC journal per currency, reversed the first day of the next month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from arxl.formats.sage import sage_export
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import ExchangeRate, Revaluation, Row
from tests.builders import billing_book, billing_tables


def revalued(period: str, reference: str, difference: int, *, exported: dt.date | None = None) -> Revaluation:
    year, month = map(int, period.split("-"))
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    return Revaluation(period=period, date=last, customer_id="C002", reference=reference, currency="USD",
                       open_amount=D("1000.00"), book_rate=D(1440), closing_rate=D(1440) + D(difference) / 1000,
                       rate_date=last, source="BNR", difference=D(difference), sage_exported=exported)


def book_with(path: Path, rows: list[Revaluation]) -> Path:
    tables: dict[str, list[Row]] = billing_tables()
    tables["Rates"] = [ExchangeRate(date=dt.date(2025, 7, 15), currency="USD", rate=D(1440), source="BNR")]
    tables["Revaluations"] = list(rows)
    return billing_book(path, tables)


def ledger_of(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert [p for p in problems if p.severity == "error"] == []
    return ledger


def journals(path: Path, period: str, again: bool = False) -> list[tuple[str, str, str, str, str, str, str, str]]:
    result = sage_export(ledger_of(path), period, on=dt.date(2025, 8, 4), again=again)
    assert [p for p in result.problems if p.severity == "error"] == []
    apply_changes(path, result.changes)
    return [(r.type, r.account_reference, r.nominal, f"{r.date:%d/%m/%Y}", r.reference, r.fields()[7], r.tax_code,
             r.fields()[10]) for r in result.rows if r.type in ("JD", "JC")]


def test_a_month_is_journalled_at_its_end_and_reversed_the_next_day(tmp_path: Path) -> None:
    june_exported = dt.date(2025, 7, 2)
    book = book_with(tmp_path / "billing.xlsx", [
        revalued("2025-06", "INV-2025-00003", 15000, exported=june_exported),  # June's net gain: 10,000
        revalued("2025-06", "INV-2025-00009", -5000, exported=june_exported),
        revalued("2025-07", "INV-2025-00002", -8000),  # July's loss
    ])
    assert journals(book, "2025-07") == [
        # June's gain reversed on 1 July: the debtors control goes down again
        ("JD", "", "7907", "01/07/2025", "REVAL/2025-06/REV", "10000", "T9", "1"),
        ("JC", "", "1100", "01/07/2025", "REVAL/2025-06/REV", "10000", "T9", "1"),
        # July's loss at its end: debtors control down, unrealised FX debited
        ("JD", "", "7907", "31/07/2025", "REVAL/2025-07", "8000", "T9", "1"),
        ("JC", "", "1100", "31/07/2025", "REVAL/2025-07", "8000", "T9", "1"),
    ]
    rows = list(ledger_of(book).table("Revaluations"))
    assert [(r.sage_exported, r.reversal_exported) for r in rows] == [
        (june_exported, dt.date(2025, 8, 4)), (june_exported, dt.date(2025, 8, 4)), (dt.date(2025, 8, 4), None)]
    assert journals(book, "2025-07") == []  # nothing twice
    assert len(journals(book, "2025-07", again=True)) == 4
    # August reverses July's loss on its first day
    assert journals(book, "2025-08") == [
        ("JD", "", "1100", "01/08/2025", "REVAL/2025-07/REV", "8000", "T9", "1"),
        ("JC", "", "7907", "01/08/2025", "REVAL/2025-07/REV", "8000", "T9", "1"),
    ]


def test_a_gain_debits_the_debtors_control(tmp_path: Path) -> None:
    book = book_with(tmp_path / "billing.xlsx", [revalued("2025-07", "INV-2025-00002", 4321)])
    result = sage_export(ledger_of(book), "2025-07", on=dt.date(2025, 8, 4))
    assert [(r.type, r.nominal, r.net, r.currency) for r in result.rows if r.type in ("JD", "JC")] == [
        ("JD", "1100", D(4321), "RWF"), ("JC", "7907", D(4321), "RWF")]
    assert result.counts.journals == 1
