"""Cash application: bank statement lines matched to open invoices, and each receipt posted once.

:func:`match` takes statement lines, open items and customer profiles and returns allocation rows (who paid,
which invoices, what was withheld, how sure, why). The matching modules are pure: no files, no clock, no
Excel. :mod:`arxl.formats.matchcsv` reads and writes the CSV files of ``arxl match``.
"""

from arxl.cashapp.matcher import Matcher, match
from arxl.ledger.matching import AllocationRow, CustomerProfile, MatchSettings, OpenInvoice

__all__ = [
    "AllocationRow",
    "CustomerProfile",
    "MatchSettings",
    "Matcher",
    "OpenInvoice",
    "match",
]
