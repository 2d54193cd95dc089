"""The withholding table is the one place a kind is defined: a new row flows to every consumer.

A hypothetical kind, ``wht5`` (5 % of the VAT-exclusive amount, an income tax like wht3), is added to a copy of
the table; the Customers' profile parsing, the Settings key and its rate, the expected cash of the core, the
matcher's figures and words, the worksheet function and the reminders' deduction types all see it without a
change of their own. A second test holds the consumers to the table: none of them names a kind.
"""

from __future__ import annotations

import ast
import dataclasses
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.cashapp import amounts
from arxl.core import withholding
from arxl.core.errors import BadValue
from arxl.core.tax import WithholdingRates, expected_cash, parse_withholding, withholding_amounts
from arxl.core.withholding import KINDS, WithholdingKind
from arxl.ledger.matching import OpenInvoice
from arxl.ledger.records import TABLES, Setting
from arxl.ledger.settings import parse_settings, settings_model
from arxl.ledger.tables import Table

ROOT = Path(__file__).resolve().parents[1]
WHT5 = WithholdingKind("wht5", "net_amount", D("0.05"), "wht5_rate", "WHT5 Rate", "wht", "5% WHT", "WHT 5%",
                       income_tax=True)


@pytest.fixture
def extended(monkeypatch: pytest.MonkeyPatch) -> tuple[WithholdingKind, ...]:
    table = (*KINDS, WHT5)
    monkeypatch.setattr(withholding, "KINDS", table)
    return table


def settings_table(*pairs: tuple[str, str]) -> Table[Setting]:
    rows = [Setting(key="Company Name", value="Kigali Cloud Ltd"), *(Setting(key=k, value=v) for k, v in pairs)]
    return Table(TABLES["Settings"], "book.xlsx", "Settings", rows, list(range(2, 2 + len(rows))),
                 {"key": "A", "value": "B"})


def test_a_new_kind_flows_to_profiles_settings_and_expected_cash(extended: tuple[WithholdingKind, ...]) -> None:
    assert parse_withholding("VAT; WHT5") == frozenset({"vat", "wht5"})
    with pytest.raises(BadValue, match="write vat, wht3, wht15 or wht5"):
        parse_withholding("wht7")
    with pytest.raises(BadValue, match="wht3 and wht5 cannot both apply"):
        parse_withholding("wht3, wht5")

    model = settings_model(extended)
    settings, problems = parse_settings(settings_table(("WHT5 Rate", "4%")), model=model)
    assert problems == [] and settings.withholding_rates() == WithholdingRates(wht5=D("0.04"))
    default, _ = parse_settings(settings_table(), model=model)
    assert default.withholding_rates()["wht5"] == D("0.05")

    rates = settings.withholding_rates()
    assert withholding_amounts(D(1000000), D(180000), {"vat", "wht5"}, "RWF", rates) == \
        {"vat": D(180000), "wht5": D(40000)}
    assert expected_cash(D(1180000), D(1000000), D(180000), "vat,wht5", "RWF", rates) == D(960000)

    item = OpenInvoice("INV-1", "C1", "X", None, None, "RWF", D(1000000), D(180000), D(1180000),  # type: ignore[arg-type]
                    D(1180000))
    assert amounts.withheld_units(item, frozenset({"vat", "wht5"}), 0, rates) == {"vat": 180000, "wht5": 40000}
    assert amounts.describe(frozenset({"wht5", "vat"})) == "VAT withheld and 5% WHT"
    assert frozenset({"wht5"}) in withholding.proposed_modes()
    assert frozenset({"vat", "wht5"}) in withholding.proposed_modes()


def test_an_unknown_settings_key_is_still_a_warning() -> None:
    """Without the new row its key is a typo like any other: the table, not the parser, knows the kinds."""
    _, problems = parse_settings(settings_table(("WHT5 Rate", "4%")))
    assert [p.message for p in problems] == ['setting "WHT5 Rate" is not known to arxl; check its spelling']


def test_the_default_table_keeps_the_domain_figures() -> None:
    rates = WithholdingRates()
    assert rates.items() == (("vat", D(1)), ("wht3", D("0.03")), ("wht15", D("0.15")))
    assert [k.deduction for k in KINDS] == ["vat_withheld", "wht", "wht"]
    proposed = (("vat", "wht3"), ("wht3",), ("vat",), ("wht15",), ("vat", "wht15"))
    assert tuple(frozenset(m) for m in proposed) == amounts.OTHER_MODES
    assert set(withholding.withheld_types()) == {k.deduction for k in KINDS}
    assert {k.deduction for k in KINDS} <= set(withholding.deduction_types())
    assert all(dataclasses.is_dataclass(k) for k in KINDS)


CONSUMERS = ["arxl/core/tax.py", "arxl/cashapp/amounts.py", "arxl/ledger/settings.py", "arxl/aging/dunning.py",
             "arxl/aging/statements.py", "udfs/functions.py"]


@pytest.mark.parametrize("path", CONSUMERS)
def test_consumers_iterate_the_table_rather_than_name_kinds(path: str) -> None:
    """No string literal in a consumer's code is a kind's word or its deduction type (docstrings and the names of
    worksheet functions' arguments aside: the argument "vat" is the invoice's VAT, not a kind)."""
    words = {k.code for k in KINDS} | {k.deduction for k in KINDS} | {k.field for k in KINDS}
    tree = ast.parse((ROOT / path).read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    docstrings |= {id(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call) and node.args
                   and isinstance(node.func, ast.Attribute) and node.func.attr == "arg"}
    named = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
             and node.value in words]
    assert named == [], f"{path} names withholding kinds: {named}"
