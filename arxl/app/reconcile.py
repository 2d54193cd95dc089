"""Reconciling a bank statement, the side that reads: the statement file's accounts, and the Reconciliation
sheet read back from the workbook. The rules (propose, decide, post) are :mod:`arxl.cashapp.reconcile`'s;
this module hands them what the file and the sheet say, so that the workflow never reads a file format.
"""

from __future__ import annotations

import dataclasses
from typing import cast

from arxl.cashapp.reconcile import SHEET, SPEC, ReconciliationRow
from arxl.core.errors import Problem
from arxl.formats.statements import Statement
from arxl.ledger.port import RawTable
from arxl.ledger.tables import Table, convert_table

__all__ = ["line_accounts", "read_sheet"]


def line_accounts(statement: Statement) -> list[str]:
    """The account of each line's own statement (a file may hold several accounts); blank when none is given."""
    accounts = [section.account for section in statement.sections for _ in range(section.lines)]
    if len(accounts) != len(statement.lines):  # the readers keep lines in their statements' order
        raise RuntimeError(f"{statement.source}: {len(statement.lines)} lines but {len(accounts)} in its sections")
    return accounts


def read_sheet(raw: RawTable | None) -> tuple[Table[ReconciliationRow], list[Problem]]:
    """The Reconciliation sheet read back, with the cells of every row."""
    if raw is None:
        return Table(SPEC, "", SHEET, present=False), []
    table, problems = convert_table(_amounts_carried_down(raw), SPEC)
    return cast("Table[ReconciliationRow]", table), problems


def _amounts_carried_down(raw: RawTable) -> RawTable:
    """The sheet shows a bank line's amount on its first row only; every row read back carries it."""
    try:
        statement, line, amount = (raw.headers.index(h) for h in ("Statement", "Line ID", "Amount"))
    except ValueError:
        return raw  # a column is missing: convert_table names it
    rows, before = [], None
    for values in raw.rows:
        key = (values[statement], values[line])
        if values[amount] in (None, "") and before is not None and before[0] == key:
            values = [*values[:amount], before[1], *values[amount + 1:]]
        before = (key, values[amount])
        rows.append(values)
    return dataclasses.replace(raw, rows=rows)
