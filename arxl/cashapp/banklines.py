"""The identity of a bank line: the same booking is the same line, whatever file brings it.

Banks' "last 30 days" downloads overlap, a nested download repeats a part of an earlier one, and the same
day comes as CSV one week and as MT940 the next. A statement's fingerprint tells files apart, not lines, so
each line gets an identity of its own, built only from what the bank says about the booking:

* with a real bank reference (:func:`arxl.core.accounts.usable_reference`: not blank, not ``NONREF``
  and the like): **our account, booking date, amount and currency, and the reference** — the reference is
  compared without spaces and in upper case, and the narrative plays no part, so a narrative cut or spaced
  differently by another export changes nothing;
* without one (the documented fallback): **our account, booking date, amount and currency, the normalised
  narrative** (letters and digits only, case-folded: spacing, punctuation and case do not count) **and the
  occurrence** of the line within that day among the lines with the same account, date, amount and
  narrative (the first, the second...), so two identical transfers on one day stay two lines.

Every identity ends in its occurrence (``#1``, ``#2``...): a reference the bank repeats on the same day for
the same amount (a batch) still gives two lines.

**Our account** is the account the statement gives (MT940 ``:25:``, camt ``Acct/Id``); when the file has none
(many CSV exports), it is the Settings bank account of the line's currency (Bank Account RWF / USD). Write
the Settings accounts as the bank writes them on its statements: accounts are compared on their letters and
digits only (``00040-0001234-56`` is ``00040000123456``), but ``BKIGRWRW/00040...`` is another text.

An identity is text, starting with :data:`PREFIX` (``BL1|``), so that it can be kept in the ``Statement Line``
cell of a Receipt and told apart from the keys arxl wrote before (``<fingerprint>:<line id>``) and from
anything typed by hand:

>>> import datetime as dt
>>> line = BankLine("000400012345", dt.date(2025, 7, 3), Decimal("970000"), "RWF", " ft25184 xyz",
...                 "PAYMENT INV-2025-00042")
>>> identities([line])
['BL1|000400012345|2025-07-03|970000|RWF|R:FT25184XYZ#1']
>>> other = BankLine("00040-0012345", dt.date(2025, 7, 3), Decimal("970000.00"), "RWF", "FT25184XYZ",
...                  "payment   inv 2025 00042 ministry")
>>> identities([other]) == identities([line])
True
>>> twice = BankLine("", dt.date(2025, 7, 4), Decimal("5000"), "RWF", "NONREF", "Bank charges")
>>> identities([twice, twice])
['BL1||2025-07-04|5000|RWF|N:b42bd2e7a247#1', 'BL1||2025-07-04|5000|RWF|N:b42bd2e7a247#2']
>>> our_account("", "USD", {"RWF": "00040-0012345", "USD": "00040-0067890"})
'00040-0067890'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.accounts import account_id, usable_reference
from arxl.core.errors import ArxlError
from arxl.core.money import exponent

PREFIX = "BL1|"
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class BankLine:
    """What a bank line's identity is made of. ``account`` is our account (see :func:`our_account`)."""

    account: str
    booking_date: dt.date
    amount: Decimal
    currency: str
    reference: str = ""
    narrative: str = ""


def our_account(statement_account: str, currency: str, settings_accounts: Mapping[str, str]) -> str:
    """Our bank account for a line: the statement's own, else the Settings account of the line's currency.

    >>> our_account("DE14 7406 1813", "EUR", {"EUR": "X"}), our_account("", "EUR", {})
    ('DE14 7406 1813', '')
    """
    return statement_account.strip() or settings_accounts.get(currency, "").strip()


def base_key(line: BankLine) -> str:
    """The identity without its occurrence: account, date, amount, currency and reference (or narrative)."""
    reference = _SPACES.sub("", line.reference).upper()
    tail = f"R:{reference}" if usable_reference(line.reference) else f"N:{narrative_digest(line.narrative)}"
    return (f"{PREFIX}{account_id(line.account)}|{line.booking_date.isoformat()}|"
            f"{_plain(line.amount, line.currency)}|{line.currency.strip().upper()}|{tail}")


def identities(lines: Iterable[BankLine]) -> list[str]:
    """The identity of each line, in order; occurrences are counted within ``lines`` (one file, one table).

    >>> a = BankLine("1", dt.date(2025, 7, 1), Decimal(10), "RWF", "", "Cash deposit")
    >>> b = BankLine("1", dt.date(2025, 7, 1), Decimal(10), "RWF", "", "CASH  DEPOSIT.")
    >>> first, second = identities([a, b])
    >>> first.split("#")[0] == second.split("#")[0], first[-2:], second[-2:]
    (True, '#1', '#2')
    """
    seen: Counter[str] = Counter()
    result = []
    for line in lines:
        key = base_key(line)
        seen[key] += 1
        result.append(f"{key}#{seen[key]}")
    return result


def same_booking(identity: str) -> str:
    """The account, date, amount and currency of an identity: lines that a missing reference could confuse.

    >>> same_booking("BL1|0004|2025-07-04|5000|RWF|N:b42bd2e7a247#2")
    'BL1|0004|2025-07-04|5000|RWF'
    """
    return identity.rsplit("|", 1)[0]


def is_identity(text: str) -> bool:
    """True for an identity written by :func:`identities`, False for an older key or a hand-typed text."""
    return text.startswith(PREFIX)


def narrative_digest(text: str) -> str:
    """The narrative as compared: letters and digits only, case-folded; 12 hex digits of its SHA-256.

    >>> narrative_digest("Payment  INV-42 / Kigali") == narrative_digest("payment inv42 kigali")
    True
    """
    words = _NOT_WORD.sub("", text.casefold())
    return hashlib.sha256(words.encode()).hexdigest()[:12]


def _plain(amount: Decimal, code: str) -> str:
    """The amount with exactly the currency's decimals (1000.00 RWF and 1000 RWF are one amount)."""
    try:
        places = exponent(code.strip().upper())
    except ArxlError:
        return str(amount.normalize())
    return f"{amount:.{places}f}"
