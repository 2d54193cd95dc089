"""A bank statement line as arxl understands it, whatever file it came from.

Every supported statement (a bank's CSV or XLSX export, SWIFT MT940, ISO 20022 camt.053/052/054) becomes a
list of these, and that list is what the canonical statement CSV holds (DESIGN.md §4): credits positive,
debits negative, ISO dates, amounts as exact Decimals in the line's currency. Text from the bank is kept as
text; it is never evaluated.

>>> line = StatementLine("BK-2025-07-001", dt.date(2025, 7, 3), dt.date(2025, 7, 3), Decimal("970000"), "RWF",
...                      "MINISTRY OF ICT", "000400012345", "PAYMENT INV-2025-00042", "FT25184XYZ")
>>> line.is_credit, line.as_row()["amount"]
(True, '970000')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.money import exponent

STATEMENT_COLUMNS = ("line_id", "booking_date", "value_date", "amount", "currency", "counterparty_name",
                     "counterparty_account", "narrative", "bank_reference")


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a bank statement: a credit (money in, positive) or a debit (negative)."""

    line_id: str
    booking_date: dt.date
    value_date: dt.date
    amount: Decimal
    currency: str
    counterparty_name: str = ""
    counterparty_account: str = ""
    narrative: str = ""
    bank_reference: str = ""

    @property
    def is_credit(self) -> bool:
        return self.amount > 0

    def as_row(self) -> dict[str, str]:
        """The line as a row of the canonical statement CSV (amounts with the currency's decimals)."""
        places = exponent(self.currency)
        return {
            "line_id": self.line_id,
            "booking_date": self.booking_date.isoformat(),
            "value_date": self.value_date.isoformat(),
            "amount": f"{self.amount:.{places}f}",
            "currency": self.currency,
            "counterparty_name": self.counterparty_name,
            "counterparty_account": self.counterparty_account,
            "narrative": self.narrative,
            "bank_reference": self.bank_reference,
        }
