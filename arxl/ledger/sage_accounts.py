"""A customer's accounts in Sage: one per currency the customer is billed in.

A Sage 50 customer record has one currency (Foreign Trader): a Kigali company billed in RWF for most services
and in USD under one contract has two records in Sage, say ``NOVA01`` (RWF) and ``NOVA02`` (USD). The Customers
table's *Sage Account* cell holds them: the account of the customer's own currency (its Currency column, else
the base currency) first, then ``CCY: ACCOUNT`` for each other currency::

    NOVA01                  one account, in the customer's currency
    NOVA01, USD: NOVA02     and its USD account
    USD: C032USD            the customer ID is the account of its own currency; C032USD the USD one

A blank cell makes the customer ID the account of its own currency. A document or receipt in a currency the
customer has no account for is held back by the Sage export, naming this cell; the tie-out and the Sage model of
the tests read the same accounts.

>>> accounts = sage_accounts(Customer(customer_id="C032", name="Nova", customer_type="private",
...                                   currency="RWF", sage_account="NOVA01, usd: NOVA02"), "RWF")
>>> accounts
{'RWF': 'NOVA01', 'USD': 'NOVA02'}
>>> sage_accounts(Customer(customer_id="c032", name="Nova", customer_type="private", sage_account="USD: C032USD"),
...               "RWF")
{'RWF': 'C032', 'USD': 'C032USD'}
"""

from __future__ import annotations

import re

from arxl.core.errors import BadValue
from arxl.core.money import is_currency
from arxl.ledger.records import Customer

_PAIR = re.compile(r"([A-Za-z]{3})\s*:\s*(\S+)")


def parse_sage_accounts(text: str, own: str) -> dict[str, str]:
    """Currency -> account of a Sage Account cell; ``own`` is the currency of a bare account. Raises BadValue
    for a part that is neither a bare account (first) nor ``CCY: ACCOUNT``, an unknown currency or a currency
    given twice."""
    found: dict[str, str] = {}
    for position, part in enumerate(p.strip() for p in text.split(",")):
        if not part:
            continue
        pair = _PAIR.fullmatch(part)
        if pair is None:
            if position or ":" in part or " " in part:
                raise BadValue(f'"{part[:30]}" is not an account: give the account of the customer\'s own '
                               'currency first, then "CCY: ACCOUNT" for another currency, e.g. "NOVA01, USD: NOVA02"')
            code, account = own, part
        else:
            code, account = pair.group(1).upper(), pair.group(2)
            if not is_currency(code):
                raise BadValue(f'"{code}" is not an ISO 4217 currency code')
        if code in found:
            raise BadValue(f"two Sage accounts for {code}")
        found[code] = account.upper()
    return found


def sage_accounts(customer: Customer, base: str) -> dict[str, str]:
    """The customer's Sage account per currency (the customer ID for its own currency when the cell names none).
    The cell is assumed valid: ``validate`` reports a bad one at its cell."""
    own = (customer.currency or base).strip().upper()
    try:
        accounts = parse_sage_accounts(customer.sage_account, own)
    except BadValue:
        accounts = {}
    accounts.setdefault(own, customer.customer_id.strip().upper())
    return dict(sorted(accounts.items(), key=lambda item: (item[0] != own, item[0])))
