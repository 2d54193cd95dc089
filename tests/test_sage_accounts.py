"""A customer billed in two currencies has a Sage account for each (a Sage 50 customer record has one currency):
the Customers' Sage Account cell lists them, and a cell that cannot be read is reported at that cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from arxl.core.errors import BadValue
from arxl.formats.xlsx.book import validate
from arxl.ledger.records import Customer
from arxl.ledger.sage_accounts import parse_sage_accounts, sage_accounts
from tests.builders import header_cell, set_cells, small_book


def test_each_currency_has_its_account() -> None:
    nova = Customer(customer_id="C032", name="Nova", customer_type="private", currency="RWF",
                    sage_account="NOVA01, USD: NOVA02")
    assert sage_accounts(nova, "RWF") == {"RWF": "NOVA01", "USD": "NOVA02"}
    blank = nova.model_copy(update={"sage_account": ""})
    assert sage_accounts(blank, "RWF") == {"RWF": "C032"}


@pytest.mark.parametrize(("text", "message"), [("NOVA01, NOVA02", "is not an account"),
                                                ("NOVA01, XYZ: NOVA02", "not an ISO 4217"),
                                                ("NOVA01, RWF: NOVA02", "two Sage accounts for RWF")])
def test_a_cell_that_cannot_be_read_says_why(text: str, message: str) -> None:
    with pytest.raises(BadValue, match=message):
        parse_sage_accounts(text, "RWF")


def test_validate_names_the_cell(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    column = header_cell(book, "Customers", "Sage Account")
    set_cells(book, "Customers", {f"{column}2": "NOVA01, USD NOVA02"})
    problems = [p for p in validate(book) if "Sage Account" in p.message]
    assert [(str(p.where), p.severity) for p in problems] == [(f"[billing.xlsx]Customers!{column}2", "error")]
    assert '"CCY: ACCOUNT"' in problems[0].message
