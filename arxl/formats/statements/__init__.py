"""Bank statements in: any supported file becomes checked, canonical statement lines.

The accountant downloads the bank's statement in whatever the bank offers — a CSV or Excel export, SWIFT
MT940, ISO 20022 camt.053 (or camt.052/054) — and :func:`read_statement` turns it into a
:class:`Statement`: the lines in the canonical form of :class:`arxl.core.statement.StatementLine` (credits
positive, ISO dates, exact amounts), the account, currency and balances, and a fingerprint that recognises
the same statement when it comes again. It refuses, with a message naming the file and line, a statement
whose lines do not add up to its closing balance, a statement already imported, a file with no lines, a
damaged file (a CSV with an unclosed quote or a row of the wrong width, an MT940 cut before its closing
balance, the same statement twice in one file, a camt entry whose details disagree with it), a file with
more lines than the limit, and anything hostile or unreadable. :attr:`Statement.balances` says whether the
balances were checked, switched off or not given.

``write_statement_csv`` writes the canonical statement CSV of DESIGN.md §4 and ``read_canonical_csv`` reads
it back (for ``arxl match``). CSV and XLSX layouts are described by :class:`BankProfile` (built-in ones for
arxl's own CSV, a Bank of Kigali-style export and a signed-amount export; more from a JSON file with
:func:`load_profiles`).

Modules: :mod:`.reader` (the front door), :mod:`.model` (statement, checks, fingerprint), :mod:`.text`
(bytes and encodings), :mod:`.swift` (MT940), :mod:`.camt`, :mod:`.tabular` (CSV/XLSX),
:mod:`.profiles` and :mod:`.canonical`.
"""

from __future__ import annotations

from arxl.formats.statements.canonical import read_canonical_csv, write_statement_csv
from arxl.formats.statements.model import (
    BALANCES_CHECKED,
    BALANCES_NOT_GIVEN,
    BALANCES_SWITCHED_OFF,
    AlreadyImported,
    BadStatement,
    BalanceMismatch,
    Limits,
    Section,
    Statement,
)
from arxl.formats.statements.profiles import BUILTIN_PROFILES, BankProfile, load_profiles
from arxl.formats.statements.reader import read_statement

__all__ = [
    "BALANCES_CHECKED",
    "BALANCES_NOT_GIVEN",
    "BALANCES_SWITCHED_OFF",
    "BUILTIN_PROFILES",
    "AlreadyImported",
    "BadStatement",
    "BalanceMismatch",
    "BankProfile",
    "Limits",
    "Section",
    "Statement",
    "load_profiles",
    "read_canonical_csv",
    "read_statement",
    "write_statement_csv",
]
