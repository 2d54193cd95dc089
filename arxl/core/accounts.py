"""Bank accounts and bank references as arxl compares them.

An account number is compared in two ways, for two purposes, and the two must not be mixed:

* :func:`account_id` - **which account a statement is of**: the number as the bank writes it, letters and
  digits only, upper case. It goes into the statement fingerprint and into each line's identity
  (:mod:`arxl.cashapp.banklines`), so it must never change: a line read again must get the same identity.
* :func:`payer_account_key` - **whether a payer's account is one a customer is known to pay from**: looser,
  because the same account is written many ways (``00040-0012345-67``, ``40001234567``), and a mobile-money
  number as ``0788 123 456``, ``+250 788 123 456`` or ``788123456``. Leading zeros go, phones become
  ``2507XXXXXXXX``, and what is too short to be an account is no key at all.

:func:`usable_reference` tells a real bank reference from the words banks write when there is none.

>>> account_id("de14 7406-1813 0000 0336 26")
'DE14740618130000033626'
>>> payer_account_key("00040-0012345-67"), payer_account_key("+250 788 123 456")
('40001234567', '250788123456')
"""

from __future__ import annotations

import re

from arxl.core.text import fold

__all__ = ["PLACEHOLDER_REFERENCES", "account_id", "payer_account_key", "usable_reference"]

# References that banks write when there is none: never used as a line id.
PLACEHOLDER_REFERENCES = frozenset({"", "NONREF", "NOTPROVIDED", "NOT PROVIDED", "NONE", "N/A", "NA", "-", "0",
                                    "EREF", "PREF", "MARF"})  # the last three: Rabobank's "see :86:" markers
_MAX_REFERENCE_CHARS = 64  # longer is a narrative in the wrong field, not a reference


def account_id(account: str) -> str:
    """An account number compared as the bank means it: letters and digits only, upper case.

    >>> account_id("de14 7406-1813 0000 0336 26")
    'DE14740618130000033626'
    """
    return re.sub(r"[^0-9A-Z]", "", account.upper())


def payer_account_key(text: str) -> str:
    """A payer's account as compared with the accounts customers pay from: digits (and letters of an IBAN),
    phones as 2507XXXXXXXX, no leading zeros. Too short to be an account (fewer than six digits): empty.

    >>> payer_account_key("00040-0012345-67"), payer_account_key("+250 788 123 456"), payer_account_key("0788123456")
    ('40001234567', '250788123456', '250788123456')
    >>> payer_account_key("NL91 ABNA 0417 1643 00"), payer_account_key("12-34")
    ('NL91ABNA0417164300', '')
    """
    raw = re.sub(r"[^0-9A-Z]", "", fold(text)) if isinstance(text, str) else ""
    if raw.isdigit():
        if len(raw) == 10 and raw.startswith("07"):
            raw = "250" + raw[1:]
        elif len(raw) == 9 and raw.startswith("7"):
            raw = "250" + raw
        raw = raw.lstrip("0")
        return raw if len(raw) >= 6 else ""
    return raw if len(raw) >= 8 and any(c.isdigit() for c in raw) else ""


def usable_reference(reference: str) -> bool:
    """True for a real bank reference, False for the words banks write when there is none (NONREF).

    >>> usable_reference("FT25184XYZ"), usable_reference("NONREF")
    (True, False)
    """
    text = reference.strip()
    return text.upper() not in PLACEHOLDER_REFERENCES and len(text) <= _MAX_REFERENCE_CHARS
