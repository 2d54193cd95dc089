"""What every kind of Sage row needs: the customer's Sage account, the exchange rate of a day, the check of a
code Sage reads verbatim, and the exception that holds one item back with the cell to correct."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from arxl.core.errors import CellRef
from arxl.core.fx import sage_rate
from arxl.core.money import CURRENCIES
from arxl.formats.sage.csvfile import ACCOUNT_LENGTH, NOMINAL_LENGTH, REFERENCE_LENGTH, plain
from arxl.ledger.codes import FORMULA_START
from arxl.ledger.ledger import RATE_DAYS, Ledger
from arxl.ledger.records import Customer
from arxl.ledger.sage_accounts import sage_accounts

ACCOUNT = re.compile(r"[A-Z0-9_&][A-Z0-9_&\-]{0,7}")  # never beginning with "-": see the package's docstring
NOMINAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]{0,7}")
ONE = Decimal(1)
ZERO = Decimal(0)


class HeldBack(Exception):
    """One item Sage would refuse (or post wrongly): not exported, not marked, reported at ``where``."""

    def __init__(self, where: CellRef, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


class Books:
    """The lookups one export needs, built once."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.settings = ledger.settings
        self.base = ledger.settings.base_currency.strip().upper()
        self.customers = {c.customer_id.strip().upper(): i for i, c in enumerate(ledger.customers.rows)}
        self.invoices = {d.invoice_no.strip().upper(): i for i, d in enumerate(ledger.invoices.rows)}
        self.receipts = {r.receipt_id.strip().upper(): i for i, r in enumerate(ledger.receipts.rows)}
        self.day_rates = ledger.day_rates()

    def account(self, customer_id: str, currency: str, where: CellRef) -> str:
        """The customer's Sage account reference in ``currency`` (:func:`arxl.ledger.sage_accounts.sage_accounts`:
        its Sage Account cell, else its ID for its own currency), checked as Sage reads it."""
        index = self.customers.get(customer_id.strip().upper())
        if index is None:
            raise HeldBack(where, f'customer "{customer_id}" is not in Customers')
        customer: Customer = self.ledger.customers.rows[index]
        given = customer.sage_account.strip()
        column = "sage_account" if given else "customer_id"
        code = currency.strip().upper()
        account = sage_accounts(customer, self.base).get(code)
        if account is None:
            raise HeldBack(self.ledger.customers.where(index, "sage_account"), f"{customer.customer_id} has no Sage "
                           f'account in {code} (a Sage customer has one currency): add "{code}: ACCOUNT" to its Sage '
                           "Account cell")
        if not ACCOUNT.fullmatch(account):
            why = f"longer than Sage's {ACCOUNT_LENGTH} characters" if len(account) > ACCOUNT_LENGTH else \
                "not a Sage account reference (letters, digits and - _ & only, no spaces)"
            raise HeldBack(self.ledger.customers.where(index, column),
                           f'the Sage account reference "{account[:20]}" of {customer.customer_id} is {why}: put '
                           "the customer's Sage A/C in the Sage Account column of Customers")
        return account

    def currency(self, code: str, where: CellRef) -> str:
        known = code.strip().upper()
        if known not in CURRENCIES:
            raise HeldBack(where, f'currency "{code}" is not known')
        return known

    def rate(self, code: str, day: dt.date, where: CellRef) -> tuple[Decimal, Decimal]:
        """The rate of ``code`` on ``day`` from the Rates sheet: (base per unit, Sage's rate); (1, 1) for the
        base currency. No rate that recent holds the item back, naming the day, the currency and the sheet."""
        if code == self.base:
            return ONE, ONE
        found = self.day_rates.on(code, day)
        if found is None:
            raise HeldBack(where, f"the Rates sheet has no {code} rate for {day:%d/%m/%Y} (nor for the "
                           f"{RATE_DAYS} days before): add the {self.base} per {code} rate of that day (BNR)")
        return found.rate, sage_rate(found.rate)

    def nominal(self, code: str, where: CellRef, what: str) -> str:
        """A nominal code from Settings, checked as Sage reads it."""
        code = code.strip()
        if not NOMINAL.fullmatch(code):
            raise HeldBack(where, f'{what} "{code[:20]}" is not a Sage nominal code (1 to {NOMINAL_LENGTH} letters '
                           "or digits, not beginning with a sign)")
        return code

    def settings_cell(self, key: str) -> CellRef:
        """The Settings cell of a key (the sheet when the key is not there: its default is in use)."""
        table = self.ledger.tables["Settings"]
        for i, row in enumerate(table.rows):
            if str(getattr(row, "key", "")).strip().casefold() == key.casefold():
                return table.where(i, "value")
        return table.where_sheet()


def reference(value: str, where: CellRef, what: str) -> str:
    """A Sage reference (how a transaction is found and allocated in Sage): at most 30 characters and never
    the start of a formula, or the item is held back; never cut or altered."""
    shown = plain(value)
    if not shown:
        raise HeldBack(where, f"its {what} is empty")
    if len(shown) > REFERENCE_LENGTH:
        raise HeldBack(where, f'its {what} "{shown[:40]}" is longer than Sage\'s {REFERENCE_LENGTH} characters for '
                       "a reference")
    if shown.startswith(FORMULA_START):
        raise HeldBack(where, f'its {what} begins with "{shown[0]}", which a spreadsheet reads as a formula; Sage\'s '
                       "reference must be written as it is")
    return shown
