"""A new statement format is one reader and one entry in the registry of the front door."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from arxl.core.statement import StatementLine
from arxl.formats.statements import read_statement
from arxl.formats.statements import reader as front_door
from arxl.formats.statements.model import BadStatement, Draft, Limits
from arxl.formats.statements.profiles import BankProfile


def test_the_registry_tries_binary_formats_first_and_csv_last() -> None:
    assert [(kind.name, kind.binary) for kind in front_door.FORMATS] == [
        ("XLSX", True), ("camt", True), ("MT940", False), ("CSV", False)]


def _read_pipes(path: Path, text: Any, profiles: Sequence[BankProfile], check_balances: bool,
                limits: Limits) -> tuple[str, list[Draft], list[str]]:
    lines = []
    for number, row in enumerate(text.splitlines()[1:], start=1):
        day, amount, reference = row.split("|")
        booked = dt.date.fromisoformat(day)
        lines.append(StatementLine(f"P-{number}", booked, booked, Decimal(amount), "RWF", "", "", reference,
                                   reference))
    return "PIPES", [Draft("", "000400012345", "RWF", None, None, tuple(lines))], []


def test_a_new_format_is_one_reader_and_one_registry_entry(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pipes = front_door.StatementFormat("PIPES", False, lambda text: text.startswith("#PIPES"), _read_pipes)
    monkeypatch.setattr(front_door, "FORMATS", (pipes, *front_door.FORMATS))
    path = tmp_path / "july.txt"
    path.write_text("#PIPES\n2025-07-03|970000|INV-2025-00042\n2025-07-04|-2500|CHARGES\n")

    statement = read_statement(path)

    assert statement.format == "PIPES"
    assert [(line.booking_date, line.amount, line.bank_reference) for line in statement.lines] == [
        (dt.date(2025, 7, 3), Decimal("970000"), "INV-2025-00042"),
        (dt.date(2025, 7, 4), Decimal("-2500"), "CHARGES")]


def test_without_the_entry_the_same_file_is_a_csv_that_no_profile_reads(tmp_path: Path) -> None:
    path = tmp_path / "july.txt"
    path.write_text("#PIPES\n2025-07-03|970000|INV-2025-00042\n")
    with pytest.raises(BadStatement, match=r"july\.txt"):
        read_statement(path)
