"""The limits of the ledger of record (Sage 50) that an invoice must respect from the moment it is made.

Billing checks them when it makes an invoice (a net larger than Sage can split is refused there, not at the
export a month later); the Sage export (arxl/formats/sage/) splits by them. One definition for both.
"""

from __future__ import annotations

from decimal import Decimal

MAX_AMOUNT = Decimal("99999999.99")  # the largest Net Amount of one Sage audit-trail row
MAX_SPLIT = 100  # rows of one (document, tax code, nominal); more is refused, not split
