"""Checks of codes and keys: the Settings codes that Sage reads verbatim (never the start of a formula, a
document series in letters and digits) and the keys that must be unique in a table, each problem at its cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import attrgetter
from typing import Any, cast

from arxl.core import withholding
from arxl.core.aging import parse_buckets
from arxl.core.errors import BadValue, CellRef, Problem
from arxl.core.money import CURRENCIES, not_a_currency
from arxl.core.terms import parse_terms
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import (
    Setting,
)
from arxl.ledger.tables import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet takes as the start of a formula (OWASP)



def shown(character: str) -> str:
    return {"\t": "a tab", "\r": "a carriage return"}.get(character, character)


def check_settings(ledger: Ledger) -> list[Problem]:
    problems: list[Problem] = []
    table = cast(Table[Setting], ledger.tables["Settings"])
    rows = {r.key.strip().casefold(): i for i, r in enumerate(table.rows)}

    def where(key: str) -> CellRef:
        index = rows.get(key.casefold())
        return table.where(index, "value") if index is not None else table.where_sheet()

    s = ledger.settings
    if s.base_currency not in CURRENCIES:
        problems.append(Problem(where("Base Currency"), not_a_currency(s.base_currency, "Base Currency")))
    for key, value, parse in (("Aging Buckets", s.aging_buckets, parse_buckets),
                              ("Default Terms", s.default_terms, parse_terms)):
        try:
            parse(value)
        except BadValue as exc:
            problems.append(Problem(where(key), f"{key}: {exc.message}"))
    for key, series in (("Invoice Series", s.invoice_series), ("Credit Note Series", s.credit_note_series)):
        if not SERIES.fullmatch(series):  # the number is Sage's Reference, read verbatim: never a formula
            problems.append(Problem(where(key), f'{key} "{series[:20]}" must be letters and digits, starting with '
                                    "a letter (it begins every document number)"))
    nominals = [("Sage Sales Nominal", s.sage_sales_nominal), ("Sage Bank Nominal", s.sage_bank_nominal),
                ("Sage Debtors Nominal", s.sage_debtors_nominal), ("Sage VAT Nominal", s.sage_vat_nominal),
                ("Sage Exchange Variance Nominal", s.sage_fx_nominal),
                ("Sage Unrealised FX Nominal", s.sage_unrealised_fx_nominal)]
    nominals += [(f"Sage Bank Nominal {currency}", str(code))
                 for currency, code in s.of_currency("sage_bank_nominal").items()]
    for key, code in nominals:
        if code.startswith(FORMULA_START):
            problems.append(Problem(where(key), f'{key} "{code[:20]}" begins with "{shown(code[0])}", which a '
                                    "spreadsheet reads as a formula; Sage codes begin with a letter or a digit"))
    for row in withholding.DEDUCTIONS:
        if not row.sage_key:
            continue
        given = s.sage_deduction(row.code)
        if not SAGE_TREATMENT.fullmatch(given.strip()):
            problems.append(Problem(where(row.sage_key), f'{row.sage_key} "{given[:20]}" must be "SA <nominal>" (a '
                                    'payment on account into a bank-type nominal) or "SC <nominal>" (a credit to an '
                                    "expense nominal), the nominal 1 to 8 letters or digits: how "
                                    f"{row.statement.lower()} goes to Sage"))
    return problems


SERIES = re.compile(r"[A-Za-z][A-Za-z0-9]*")
SAGE_TREATMENT = re.compile(r"(?i:SA|SC)\s+[A-Za-z0-9_][A-Za-z0-9_\-]{0,7}")  # "SA 1251": type and nominal


def unique(table: Table[Any], key: tuple[str, ...]) -> Iterator[Problem]:
    if not key or not table.rows:
        return
    values = list(map(attrgetter(*key), table.rows))  # one value per row for a key of one column, else a tuple
    if len(set(values)) == len(values):
        return
    first: dict[object, int] = {}
    for i, value in enumerate(values):
        if value in first:
            shown = " / ".join(str(v) for v in (value if len(key) > 1 else (value,)))
            yield Problem(table.where(i, key[0]), f"{shown} is a duplicate: it is already in row "
                                                  f"{table.row_numbers[first[value]]}")
        else:
            first[value] = i
