"""VAT and withholding: rates by date, rounding ties, credit notes, rounding policies, expected cash."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arxl.core.errors import BadValue
from arxl.core.money import round_money
from arxl.core.tax import (
    TaxCode,
    WithholdingRates,
    expected_cash,
    gross_of_net,
    net_of_gross,
    parse_withholding,
    rate_on,
    vat_by_rate,
    vat_in_gross,
    vat_on_net,
    withholding_amounts,
)
from arxl.core.withholding import codes

D = Decimal
VAT18 = D("0.18")

CODES = [
    TaxCode("VAT18", D("0.18"), date(2023, 1, 1), "Standard rate", "T1"),
    TaxCode("VAT18", D("0.16"), date(2026, 7, 1), "Standard rate (new)", "T1"),
    TaxCode("ZERO", D("0"), date(2023, 1, 1), "Zero-rated export", "T0"),
    TaxCode("EXEMPT", D("0"), date(2023, 1, 1), "Exempt", "T2"),
]


# --- tax codes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "on", "rate"),
    [
        ("VAT18", date(2023, 1, 1), D("0.18")),  # on the effective date itself
        ("vat18", date(2025, 7, 4), D("0.18")),
        ("  Vat18 ", date(2026, 6, 30), D("0.18")),
        ("VAT18", date(2026, 7, 1), D("0.16")),  # the later row takes over on its date
        ("VAT18", date(2030, 1, 1), D("0.16")),
        ("zero", date(2024, 2, 29), D("0")),
    ],
)
def test_rate_on_picks_the_latest_row_in_force(code: str, on: date, rate: Decimal) -> None:
    assert rate_on(CODES, code, on) == rate


def test_rate_on_order_of_rows_does_not_matter() -> None:
    assert rate_on(list(reversed(CODES)), "VAT18", date(2025, 1, 1)) == D("0.18")


def test_rate_on_unknown_code() -> None:
    with pytest.raises(BadValue, match=r'^tax code "VAT20" is not in Settings$'):
        rate_on(CODES, "VAT20", date(2025, 1, 1))


def test_rate_on_before_first_row() -> None:
    expected = "tax code VAT18 has no rate before 2023-01-01 (needed on 2022-12-31)"
    with pytest.raises(BadValue, match=f"^{re.escape(expected)}$"):
        rate_on(CODES, "VAT18", date(2022, 12, 31))


def test_rate_on_two_rows_same_date_disagree() -> None:
    codes = [TaxCode("VAT18", D("0.18"), date(2023, 1, 1)), TaxCode("vat18", D("0.16"), date(2023, 1, 1))]
    with pytest.raises(BadValue, match="two rates"):
        rate_on(codes, "VAT18", date(2024, 1, 1))


@pytest.mark.parametrize("code", ["", "   ", None, 18])
def test_rate_on_empty_or_odd_code(code: object) -> None:
    with pytest.raises(BadValue, match="is not in Settings"):
        rate_on(CODES, code, date(2025, 1, 1))  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [D("18"), D("-0.18"), D("NaN"), 0.18])
def test_tax_code_refuses_a_rate_that_is_not_a_fraction(rate: object) -> None:
    with pytest.raises(BadValue, match="not a fraction between 0 and 1"):
        TaxCode("VAT18", rate, date(2023, 1, 1))  # type: ignore[arg-type]


def test_tax_code_refuses_an_empty_code() -> None:
    with pytest.raises(BadValue, match="tax code is empty"):
        TaxCode(" ", D("0.18"), date(2023, 1, 1))


# --- VAT amounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("net", "rate", "currency", "vat"),
    [
        (D("1000000"), VAT18, "RWF", D("180000")),
        (D("1003"), VAT18, "RWF", D("181")),  # 180.54
        (D("2775"), VAT18, "RWF", D("500")),  # 499.5: a tie rounds up
        (D("-2775"), VAT18, "RWF", D("-500")),  # credit note: the tie rounds away from zero
        (D("2.5"), D("1"), "RWF", D("3")),
        (D("-2.5"), D("1"), "RWF", D("-3")),
        (D("5.33"), D("0.5"), "USD", D("2.67")),  # 2.665, where banker's rounding would give 2.66
        (D("-5.33"), D("0.5"), "USD", D("-2.67")),
        (D("14.75"), VAT18, "USD", D("2.66")),  # 2.655
        (D("1000.00"), VAT18, "USD", D("180.00")),
        (D("999999"), D("0"), "RWF", D("0")),  # zero-rated
    ],
)
def test_vat_on_net(net: Decimal, rate: Decimal, currency: str, vat: Decimal) -> None:
    assert vat_on_net(net, rate, currency) == vat
    assert str(vat_on_net(net, rate, currency)) == str(vat)  # RWF has no decimals, USD two


@pytest.mark.parametrize(
    ("gross", "rate", "currency", "vat", "net"),
    [
        (D("7000"), VAT18, "RWF", D("1068"), D("5932")),  # 1067.797
        (D("-7000"), VAT18, "RWF", D("-1068"), D("-5932")),
        (D("118"), VAT18, "RWF", D("18"), D("100")),
        (D("1180000"), VAT18, "RWF", D("180000"), D("1000000")),
        (D("5"), D("1"), "RWF", D("3"), D("2")),  # 2.5 tie
        (D("-5"), D("1"), "RWF", D("-3"), D("-2")),
        (D("100.00"), VAT18, "USD", D("15.25"), D("84.75")),  # 15.254
        (D("5.33"), D("1"), "USD", D("2.67"), D("2.66")),  # 2.665 tie
        (D("5000"), D("0"), "RWF", D("0"), D("5000")),
    ],
)
def test_vat_in_gross_and_net_of_gross(
    gross: Decimal, rate: Decimal, currency: str, vat: Decimal, net: Decimal
) -> None:
    assert vat_in_gross(gross, rate, currency) == vat
    assert net_of_gross(gross, rate, currency) == net


@pytest.mark.parametrize(
    ("net", "currency", "gross"),
    [(D("5932"), "RWF", D("7000")), (D("1000000"), "RWF", D("1180000")), (D("-84.75"), "USD", D("-100.01"))],
)
def test_gross_of_net(net: Decimal, currency: str, gross: Decimal) -> None:
    assert gross_of_net(net, VAT18, currency) == gross


def test_vat_functions_refuse_a_percent_written_as_a_whole_number() -> None:
    with pytest.raises(BadValue, match=r"write 0\.18 for 18%"):
        vat_on_net(D("100"), D("18"), "RWF")
    with pytest.raises(BadValue):
        vat_in_gross(D("100"), D("-1"), "RWF")


amounts_rwf = st.integers(min_value=-10**12, max_value=10**12).map(Decimal)
amounts_usd = st.integers(min_value=-10**12, max_value=10**12).map(lambda cents: Decimal(cents).scaleb(-2))
rates = st.sampled_from([D("0"), D("0.05"), D("0.16"), D("0.18"), D("0.2"), D("1")])


@given(gross=amounts_rwf, rate=rates)
def test_inclusive_round_trip_within_one_franc(gross: Decimal, rate: Decimal) -> None:
    back = gross_of_net(net_of_gross(gross, rate, "RWF"), rate, "RWF")
    assert abs(back - gross) <= 1


@given(gross=amounts_usd, rate=rates)
def test_inclusive_round_trip_within_one_cent(gross: Decimal, rate: Decimal) -> None:
    back = gross_of_net(net_of_gross(gross, rate, "USD"), rate, "USD")
    assert abs(back - gross) <= D("0.01")


@given(net=amounts_usd, rate=rates)
def test_exclusive_round_trip_within_one_cent(net: Decimal, rate: Decimal) -> None:
    back = net_of_gross(gross_of_net(net, rate, "USD"), rate, "USD")
    assert abs(back - net) <= D("0.01")


@given(net=amounts_usd, rate=rates, currency=st.sampled_from(["RWF", "USD"]))
def test_credit_note_vat_mirrors_the_invoice(net: Decimal, rate: Decimal, currency: str) -> None:
    assert vat_on_net(-net, rate, currency) == -vat_on_net(net, rate, currency)
    assert vat_in_gross(-net, rate, currency) == -vat_in_gross(net, rate, currency)


# --- rounding policy --------------------------------------------------------------------------------------


def test_line_and_invoice_rounding_differ_by_one_franc() -> None:
    lines = [(D("1003"), VAT18), (D("1003"), VAT18)]  # 180.54 each
    assert vat_by_rate(lines, "RWF", "line") == {VAT18: D("362")}
    assert vat_by_rate(lines, "RWF", "invoice") == {VAT18: D("361")}
    assert vat_by_rate(lines, "RWF") == {VAT18: D("361")}  # invoice is the default


def test_vat_by_rate_keeps_each_rate_apart_in_order_of_first_line() -> None:
    lines = [
        (D("0.50"), D("0")),
        (D("10.03"), VAT18),
        (D("10.03"), D("0.180")),  # the same rate written differently
        (D("-2.00"), VAT18),  # a credit line
    ]
    result = vat_by_rate(lines, "USD", "line")
    assert list(result) == [D("0"), VAT18]
    assert result == {D("0"): D("0.00"), VAT18: D("1.81") + D("1.81") - D("0.36")}
    assert vat_by_rate(lines, "USD", "invoice") == {D("0"): D("0.00"), VAT18: D("3.25")}  # 18.06 x 0.18


def test_vat_by_rate_empty_invoice_and_bad_policy() -> None:
    assert vat_by_rate([], "RWF") == {}
    with pytest.raises(BadValue, match='VAT rounding "total" is not "line" or "invoice"'):
        vat_by_rate([(D("1"), VAT18)], "RWF", "total")  # type: ignore[arg-type]


@given(
    lines=st.lists(st.tuples(amounts_rwf, rates), max_size=20),
)
def test_line_and_invoice_policies_agree_within_half_a_unit_per_line(
    lines: list[tuple[Decimal, Decimal]],
) -> None:
    by_line = vat_by_rate(lines, "RWF", "line")
    by_invoice = vat_by_rate(lines, "RWF", "invoice")
    assert by_line.keys() == by_invoice.keys()
    for rate, vat in by_invoice.items():
        count = sum(1 for _, r in lines if r == rate)
        assert abs(by_line[rate] - vat) <= D("0.5") * count + D("0.5")


# --- withholding ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("", frozenset()),
        (None, frozenset()),
        ("   ", frozenset()),
        ("none", frozenset()),
        ("NONE", frozenset()),
        ("vat", frozenset({"vat"})),
        ("vat,wht3", frozenset({"vat", "wht3"})),
        (" VAT ; WHT3 ", frozenset({"vat", "wht3"})),
        ("Wht15", frozenset({"wht15"})),
        ("vat wht15", frozenset({"vat", "wht15"})),
        ("vat, vat", frozenset({"vat"})),
    ],
)
def test_parse_withholding(text: object, kinds: frozenset[str]) -> None:
    assert parse_withholding(text) == kinds


def test_parse_withholding_unknown_word_is_named() -> None:
    expected = 'withholding "wht5" is not known; write vat, wht3 or wht15 (or none)'
    with pytest.raises(BadValue, match=f"^{re.escape(expected)}$"):
        parse_withholding("VAT, WHT5")


def test_parse_withholding_refuses_two_income_tax_rates() -> None:
    with pytest.raises(BadValue, match="wht3 and wht15 cannot both apply"):
        parse_withholding("wht3, wht15")


def test_parse_withholding_refuses_none_with_others() -> None:
    with pytest.raises(BadValue, match='"none" is not known'):
        parse_withholding("none, vat")


JUNK: list[object] = [
    "abc", "💸", "vat💸", "#N/A", "wht 3", "3%", 0, 3, 1.5, float("nan"), True, b"vat", ["vat"], D("3"),
    "x" * 5000,
]


@pytest.mark.parametrize("junk", JUNK)
def test_parse_withholding_junk_gives_bad_value(junk: object) -> None:
    with pytest.raises(BadValue):
        parse_withholding(junk)


@given(st.text())
def test_parse_withholding_never_fails_otherwise(text: str) -> None:
    try:
        kinds = parse_withholding(text)
    except BadValue:
        return
    assert kinds <= set(codes())


def test_withholding_amounts_government_client() -> None:
    amounts = withholding_amounts(D("1000000"), D("180000"), {"vat", "wht3"}, "RWF")
    assert amounts == {"vat": D("180000"), "wht3": D("30000")}
    assert list(amounts) == ["vat", "wht3"]


@pytest.mark.parametrize(
    ("net", "vat", "profile", "currency", "expected"),
    [
        (D("1000000"), D("180000"), "wht15", "RWF", {"wht15": D("150000")}),
        (D("333333"), D("60000"), "wht3", "RWF", {"wht3": D("10000")}),  # 9,999.99
        (D("1000.50"), D("180.09"), ["wht15", "vat"], "USD", {"vat": D("180.09"), "wht15": D("150.08")}),
        (D("-1000.50"), D("-180.09"), ("wht15",), "USD", {"wht15": D("-150.08")}),  # credit note
        (D("1000000"), D("180000"), (), "RWF", {}),
        (D("1000000"), D("180000"), "", "RWF", {}),
    ],
)
def test_withholding_amounts(
    net: Decimal, vat: Decimal, profile: object, currency: str, expected: dict[str, Decimal]
) -> None:
    assert withholding_amounts(net, vat, profile, currency) == expected  # type: ignore[arg-type]


def test_withholding_amounts_use_the_rates_from_settings() -> None:
    rates = WithholdingRates(vat=D("0.5"), wht3=D("0.02"), wht15=D("0.12"))
    amounts = withholding_amounts(D("1000001"), D("180001"), {"vat", "wht3"}, "RWF", rates)
    assert amounts == {"vat": D("90001"), "wht3": D("20000")}  # 90,000.5 and 20,000.02


def test_withholding_amounts_refuse_unknown_kind_in_a_set() -> None:
    with pytest.raises(BadValue, match='"wht5" is not known'):
        withholding_amounts(D("100"), D("18"), {"wht5"}, "RWF")
    with pytest.raises(BadValue, match="cannot both apply"):
        withholding_amounts(D("100"), D("18"), {"wht3", "wht15"}, "RWF")


def test_withholding_rates_refuse_a_percent_written_as_a_whole_number() -> None:
    with pytest.raises(BadValue, match="withholding rate wht3"):
        WithholdingRates(wht3=D("3"))


@pytest.mark.parametrize(
    ("gross", "net", "vat", "profile", "currency", "cash"),
    [
        (D("1180000"), D("1000000"), D("180000"), {"vat", "wht3"}, "RWF", D("970000")),
        (D("1180000"), D("1000000"), D("180000"), {"wht3"}, "RWF", D("1150000")),
        (D("1180000"), D("1000000"), D("180000"), {"vat"}, "RWF", D("1000000")),
        (D("1180000"), D("1000000"), D("180000"), set(), "RWF", D("1180000")),
        (D("1180.00"), D("1000.00"), D("180.00"), {"wht15"}, "USD", D("1030.00")),
        (D("1180001"), D("1000000"), D("180000"), {"wht3"}, "RWF", D("1150001")),  # one franc apart: allowed
        (D("-1180000"), D("-1000000"), D("-180000"), {"vat", "wht3"}, "RWF", D("-970000")),
    ],
)
def test_expected_cash(
    gross: Decimal, net: Decimal, vat: Decimal, profile: set[str], currency: str, cash: Decimal
) -> None:
    assert expected_cash(gross, net, vat, profile, currency) == cash


def test_expected_cash_refuses_figures_that_do_not_add_up() -> None:
    expected = "gross 1,180,002 RWF is not net 1,000,000 + VAT 180,000 (difference 2)"
    with pytest.raises(BadValue, match=f"^{re.escape(expected)}$"):
        expected_cash(D("1180002"), D("1000000"), D("180000"), {"vat"}, "RWF")
    with pytest.raises(BadValue, match=r"difference 0\.02\)$"):
        expected_cash(D("1180.02"), D("1000.00"), D("180.00"), set(), "USD")


@given(net=amounts_rwf, profile=st.sampled_from([set(), {"vat"}, {"wht3"}, {"vat", "wht15"}]))
def test_expected_cash_plus_withholding_is_the_gross(net: Decimal, profile: set[str]) -> None:
    vat = vat_on_net(net, VAT18, "RWF")
    gross = net + vat
    cash = expected_cash(gross, net, vat, profile, "RWF")
    withheld = withholding_amounts(net, vat, profile, "RWF")
    assert cash + sum(withheld.values(), D(0)) == gross
    assert cash == round_money(cash, "RWF")
