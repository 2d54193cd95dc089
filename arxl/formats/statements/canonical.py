"""The canonical statement CSV (DESIGN.md §4): what ``arxl statement normalize`` writes and ``arxl match`` reads.

One header row, then one row per statement line: ``line_id, booking_date, value_date, amount, currency,
counterparty_name, counterparty_account, narrative, bank_reference``. UTF-8, ISO dates, plain decimals with
``.`` and the currency's number of decimals (RWF none, USD two), credits positive and debits negative.
Text from the bank is written as it came, quoted where CSV needs it, with one exception against CSV
injection (OWASP "CSV Injection"): a text field — line id, counterparty name and account, narrative, bank
reference — that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in
front (``'=HYPERLINK(...)``), so Excel or LibreOffice opening the file shows the text instead of evaluating
it. Text that already begins with quotes before one of those characters gets one quote more, so the change
can always be undone. Amounts, dates and currency codes are never changed: ``-150000`` is a number, not a
formula. :func:`read_canonical_csv`, and :func:`arxl.formats.statements.read_statement` reading this layout (as
``arxl match --statement`` does), take exactly that one quote off again and give back the bank's text. The
file is written to a temporary file beside the target and then moved into place, so a reader never sees
half a file.

>>> import tempfile, datetime as dt
>>> from decimal import Decimal
>>> folder = Path(tempfile.mkdtemp())
>>> line = StatementLine("FT25184XYZ", dt.date(2025, 7, 3), dt.date(2025, 7, 3), Decimal("970000"), "RWF",
...                      "MINISTRY OF ICT", "000400012345", "=HYPERLINK(\\"x\\") INV-2025-00042", "FT25184XYZ")
>>> write_statement_csv([line], folder / "out.csv")
>>> print((folder / "out.csv").read_text(encoding="utf-8"), end="")
line_id,booking_date,value_date,amount,currency,counterparty_name,counterparty_account,narrative,bank_reference
FT25184XYZ,2025-07-03,2025-07-03,970000,RWF,MINISTRY OF ICT,000400012345,"'=HYPERLINK(""x"") INV-2025-00042",FT25184XYZ
>>> read_canonical_csv(folder / "out.csv") == [line]
True
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from arxl.core.statement import STATEMENT_COLUMNS, StatementLine
from arxl.formats.statements.model import DEFAULT_LIMITS, Limits, finish, neutralise
from arxl.formats.statements.profiles import CANONICAL
from arxl.formats.statements.tabular import read_csv
from arxl.formats.statements.text import decode, read_bytes
from arxl.formats.xlsx.save import write_csv

# The columns of bank text, neutralised against CSV injection; amounts, dates and currencies never are.
TEXT_COLUMNS = frozenset({"line_id", "counterparty_name", "counterparty_account", "narrative", "bank_reference"})


def write_statement_csv(lines: Iterable[StatementLine], path: Path) -> None:
    """Write the canonical statement CSV, atomically (a temporary file in the same folder, then a rename)."""
    rows = (line.as_row() for line in lines)
    write_csv(path, STATEMENT_COLUMNS, ([neutralise(row[column]) if column in TEXT_COLUMNS else row[column]
                                         for column in STATEMENT_COLUMNS] for row in rows))


def read_canonical_csv(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[StatementLine]:
    """The lines of a canonical statement CSV, strictly: all nine columns, ISO dates, plain decimals."""
    path = Path(path)
    text = decode(read_bytes(path, limits), path.name, (), limits)
    format_name, drafts, notes = read_csv(text, path.name, [], check_balances=False, only=CANONICAL,
                                          limits=limits)
    # finish() refuses an empty file and a line id given twice, and gives a blank line id a stable one
    return list(finish(drafts, path.name, format_name, notes, check_balances=False).lines)
