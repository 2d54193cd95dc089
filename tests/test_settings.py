"""Settings keys that a currency has one of: any ISO 4217 currency has them without a change to arxl."""

from __future__ import annotations

from decimal import Decimal as D

from arxl.ledger.records import TABLES, Setting
from arxl.ledger.settings import parse_settings
from arxl.ledger.tables import Table


def settings_table(*pairs: tuple[str, str]) -> Table[Setting]:
    rows = [Setting(key="Company Name", value="Kigali Cloud Ltd"), *(Setting(key=k, value=v) for k, v in pairs)]
    return Table(TABLES["Settings"], "book.xlsx", "Settings", rows, list(range(2, 2 + len(rows))),
                 {"key": "A", "value": "B"})


def test_a_currency_without_a_field_has_its_bank_account_tolerance_and_target() -> None:
    settings, problems = parse_settings(settings_table(
        ("Bank Account RWF", "00040-1"), ("Bank Account USD", "00040-2"), ("Bank Account KES", "KCB 1102"),
        ("bank_account_ugx", "Stanbic 9"), ("Bank Charges Tolerance UGX", "20,000"), ("Collections Target KES", "5e5"),
        ("Bank Charges Tolerance EUR", "30")))
    assert problems == []
    assert settings.bank_accounts() == {"RWF": "00040-1", "USD": "00040-2", "KES": "KCB 1102", "UGX": "Stanbic 9"}
    assert (settings.bank_account("kes"), settings.bank_account("TZS")) == ("KCB 1102", "")
    charges = settings.bank_charges()
    assert (charges["USD"], charges["GBP"], charges["EUR"], charges["UGX"], charges["RWF"]) == \
        (D(45), D(45), D(30), D(20000), D(5000))
    assert (settings.collections_target("KES"), settings.collections_target("TZS")) == (D("5e5"), None)


def test_a_key_of_no_currency_or_a_bad_value_is_reported() -> None:
    _, problems = parse_settings(settings_table(("Bank Account XYZ", "1"), ("Collections Target KES", "lots"),
                                                ("Bank Account KES", "1"), ("Bank Account kes", "2")))
    assert [p.message for p in problems] == [
        'setting "Bank Account XYZ" is not known to arxl; check its spelling',
        'Collections Target KES: Collections Target KES "lots" is not a number',
        'setting "Bank Account kes" is given twice']

