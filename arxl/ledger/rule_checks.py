"""What ``validate`` says of a MatchRules row the matcher cannot follow (:mod:`arxl.cashapp.rules`): each a
warning, since the matcher leaves that row aside and one bad rule must not stop every command.

>>> from arxl.ledger.records import MatchRule
>>> rule_problems(MatchRule(kind="bank charge", key="FRW 10000", customer="C1"), {"C1"})
[('key', 'currency "FRW" is not an ISO 4217 currency code (such as RWF, USD, EUR): the rule is not followed (RWF for \
the franc)')]
"""

from __future__ import annotations

from collections.abc import Collection

from arxl.core.money import is_currency, not_a_currency
from arxl.ledger.records import MATCH_RULE_KINDS, MatchRule

__all__ = ["rule_problems"]

_ONE_CUSTOMER = ("alias", "account", "reference", "bank charge")


def rule_problems(rule: MatchRule, customers: Collection[str]) -> list[tuple[str, str]]:
    """The row's problems as (field, message): a kind arxl does not know, a customer not in Customers, several
    customers where the kind names one, a bank charge not written "CCY amount" or in no currency."""
    kind = rule.kind.strip().lower()
    found: list[tuple[str, str]] = []
    if kind not in MATCH_RULE_KINDS:
        found.append(("kind", f'kind "{rule.kind}" is none of {", ".join(MATCH_RULE_KINDS)}: the rule is not followed'))
    found += [("customer", f'customer "{cid}" is not in Customers: the rule is not followed (correct it, set Active '
                           "to No or delete the row)") for cid in rule.customer_ids if cid not in customers]
    if kind in _ONE_CUSTOMER and len(rule.customer_ids) > 1:
        found.append(("customer", f"a rule of kind {kind} names one customer, not {len(rule.customer_ids)}: the rule "
                                  "is not followed (a payer for several customers is a third party)"))
    if kind == "bank charge":
        charge = rule.charge()
        if charge is None:
            found.append(("key", f'bank charge "{rule.key}" is not written as a currency and an amount, such as RWF '
                                 "10000 or USD 12.50: the rule is not followed"))
        elif not is_currency(charge[0]):
            found.append(("key", f"{not_a_currency(charge[0])}: the rule is not followed (RWF for the franc)"))
    return found
