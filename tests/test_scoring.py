"""Match evidence: invoice numbers in any spelling, payer names, amounts, and how they combine."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arxl.core.errors import BadValue, UnknownCurrency
from arxl.core.evidence import NO_EVIDENCE, Evidence, Score
from arxl.core.invoice_refs import reference_evidence, reference_keys
from arxl.core.names import acronym, name_evidence, name_tokens
from arxl.core.scoring import AMOUNT_WEIGHT, amount_evidence, combine, match_score

D = Decimal
INVOICE = "INV-2025-00042"

# -- the reference ---------------------------------------------------------------------------------------

REFERENCES = [
    # the whole number, any case and separators
    ("PAYMENT INV-2025-00042", 100),
    ("inv-2025-00042", 100),
    ("INV 2025 00042 MININFRA", 100),
    ("INV/2025/00042", 100),
    ("INV202500042", 100),
    ("REF:INV-2025-00042;SERVICES", 100),
    ("PMTINV-2025-00042", 100),
    ("INV-2025-00042/INV-2025-00043", 100),
    ("INV - 2025 - 00042", 100),
    # the whole number with its zeros dropped or changed
    ("inv2025/42", 90),
    ("INV-2025-042", 90),
    # without the prefix
    ("PMT 2025-00042", 85),
    ("2025/42 SERVICES", 80),
    # the zero-padded serial on its own
    ("PAYMENT 00042", 70),
    # the bare serial, only with the prefix, INVOICE or the year somewhere in the narrative
    ("INVOICE 42 JULY", 60),
    ("INV 42", 60),
    ("PAYMENT 42 FOR 2025", 60),
    ("PAYMENT 42", 0),
    ("42", 0),
    # cut short by the bank's field length: only where the narrative ends
    ("MININFRA INV-2025-0004", 50),
    ("MININFRA INV-2025-0004 ", 50),
    ("INV-2025-0004 MININFRA", 0),
    ("INV-2025-000", 0),  # nothing left of the serial but zeros
    # never 42 inside another number
    ("REF 1420 INV 2025", 0),
    ("INV-2025-000421", 0),
    ("INV-2025-100042", 0),
    ("REF 12025-00042", 0),
    ("REF 12025/42", 0),
    ("TEL 0788 123 042 INV 2025", 0),
    ("MOMO 250788123042 INV", 0),
    ("RWF 42,000 INV 2025", 0),
    ("ACCOUNT 00040-0042 INV", 0),
    # other invoices
    ("INV-2024-00042", 0),
    ("INV-2025-00043", 0),
    ("INV-2025-00004", 0),
    ("INV-2025-00420", 0),
    ("", 0),
]


@pytest.mark.parametrize(("narrative", "points"), REFERENCES)
def test_invoice_number_in_any_spelling(narrative: str, points: int) -> None:
    assert reference_evidence(narrative, INVOICE).points == points


def test_the_strength_order_of_spellings() -> None:
    def strength(narrative: str) -> int:
        return reference_evidence(narrative, INVOICE).points

    exact, no_prefix, digits_only, cut_short = (
        strength("INV-2025-00042"), strength("2025-00042"), strength("INVOICE 42"), strength("X INV-2025-0004"))
    assert exact > no_prefix > digits_only > cut_short > 0


def test_reasons_say_what_was_found() -> None:
    assert reference_evidence("PAYMENT INV-2025-00042", INVOICE).reason == "invoice number in narrative"
    assert reference_evidence("inv2025/42", INVOICE).reason == 'invoice number in narrative as "INV2025/42"'
    assert reference_evidence("PMT 2025-00042", INVOICE).reason == (
        'invoice number without prefix in narrative ("2025-00042")')
    assert reference_evidence("PAYMENT 00042", INVOICE).reason == "invoice serial 00042 in narrative"
    assert reference_evidence("INVOICE 42 JULY", INVOICE).reason == "invoice serial 42 in narrative with INVOICE"
    assert reference_evidence("PAYMENT 42 FOR 2025", INVOICE).reason == "invoice serial 42 in narrative with 2025"
    assert reference_evidence("X INV-2025-0004", INVOICE).reason == (
        'invoice number cut short in narrative ("INV-2025-0004")')
    assert reference_evidence("PAYMENT 42", INVOICE) == NO_EVIDENCE


def test_the_truncated_number_loses_points_per_missing_digit() -> None:
    assert reference_evidence("PAYMT INV-2025-0123", "INV-2025-01234").points == 50
    assert reference_evidence("PAYMT INV-2025-012", "INV-2025-01234").points == 40
    assert reference_evidence("PAYMT INV-2025-01", "INV-2025-01234").points == 0


def test_reference_keys_take_the_number_apart() -> None:
    keys = reference_keys("inv-2025-00042")
    assert (keys.prefix, keys.middle, keys.serial, keys.number, keys.compact) == (
        ("INV",), ("2025",), "00042", "42", "INV202500042")
    assert reference_keys("CN/2025/7-A").suffix == ("A",)
    assert reference_keys("0000").number == "0"
    assert reference_keys("ABC").serial == ""
    with pytest.raises(BadValue, match="no letters or digits"):
        reference_keys("--/--")
    # precomputed keys give the same answer as the number itself
    assert reference_evidence("inv2025/42", keys) == reference_evidence("inv2025/42", INVOICE)


def test_invoice_numbers_without_prefix_or_year() -> None:
    assert reference_evidence("PAYMENT 00042", "00042").points == 100  # long enough to be the whole number
    assert reference_evidence("PAYMENT 42", "42").points == 0  # a bare short number proves nothing
    assert reference_evidence("INVOICE 42", "42").points == 60
    assert reference_evidence("REF ABCDEF", "ABCDEF").points == 100
    assert reference_evidence("REF ABCDEFG", "ABCDEF").points == 0
    assert reference_evidence("FACTURE 2025/7", "FAC/2025/0007").points == 80


# -- the payer's name ------------------------------------------------------------------------------------

NAMES = [
    # narrative, customer name, aliases, points
    ("MINISTRY OF INFRASTRUCTURE", "Ministry of Infrastructure", (), 100),
    ("ministry of infrastructure kigali", "Ministry of Infrastructure", (), 100),
    ("MINISTRY OF INFRASTRUCTRE", "Ministry of Infrastructure", (), 95),  # misspelt
    ("MINISTRY OF INFRA", "Ministry of Infrastructure", (), 80),  # truncated
    ("TRF MININFRA JULY", "Ministry of Infrastructure", ("MININFRA",), 95),
    ("TRF MIN INFRA JULY", "Ministry of Infrastructure", ("MININFRA",), 95),
    ("TRF MININFRA JULY", "Ministry of Infrastructure", (), 0),  # an abbreviation needs an alias
    ("BK TRANSFER", "Bank of Kigali Plc", ("BK",), 70),
    ("BANK OF KIGALI PLC", "Bank of Kigali Plc", ("BK",), 100),
    ("BANKOFKIGALI", "Bank of Kigali Plc", (), 100),
    ("TRF FROM RWANDA REVENUE AUTH", "Rwanda Revenue Authority", (), 89),
    ("RWANDAREVENUEAUTHORITY", "Rwanda Revenue Authority", (), 100),
    ("RRA TAX REFUND", "Rwanda Revenue Authority", (), 70),  # initials
    ("SOCIETE GENERALE", "Société Générale S.A.R.L", (), 100),
    ("IREMB", "Irembo Ltd", (), 92),
    ("MTN MOMO", "MTN Rwandacell Plc", ("MTN",), 85),
    # what must not match
    ("RWANDA", "Rwanda Revenue Authority", (), 0),
    ("RWANDA REVENUE", "Rwanda Revenue Authority", (), 0),
    ("RWANDA ENERGY GROUP", "Rwanda Revenue Authority", (), 0),
    ("UNIVERSITY OF RWANDA", "Rwanda Revenue Authority", (), 0),
    ("MINISTRY OF HEALTH", "Ministry of Infrastructure", (), 0),
    ("RWANDA", "RwandAir Ltd", (), 0),  # a common word is not a truncated name
    ("MTN MOMO 250788123456", "MTN Rwandacell Plc", (), 0),
    ("ABCD LTD", "Alpha Beta", ("ABC",), 0),  # a three-letter alias is a whole word or nothing
    ("CABLE SUPPLIES", "Alpha Beta", ("ABC",), 0),
    ("CREDIT INTEREST", "Rwanda Revenue Authority", (), 0),
    ("", "Rwanda Revenue Authority", (), 0),
    ("1234 5678", "Rwanda Revenue Authority", (), 0),
]


@pytest.mark.parametrize(("narrative", "customer", "aliases", "points"), NAMES)
def test_payer_names(narrative: str, customer: str, aliases: tuple[str, ...], points: int) -> None:
    assert name_evidence(narrative, customer, aliases).points == points


def test_name_reasons() -> None:
    assert name_evidence("BANK OF KIGALI", "Bank of Kigali Plc").reason == "customer name in narrative"
    assert name_evidence("TRF MININFRA", "Ministry of Infrastructure", ["MININFRA"]).reason == (
        'alias "MININFRA" in narrative')
    assert name_evidence("RWANDA REVENUE AUTH", "Rwanda Revenue Authority").reason == (
        'customer name 89% alike ("RWANDA REVENUE AUTH")')
    assert name_evidence("RRA", "Rwanda Revenue Authority").reason == '"RRA" = initials of the customer name'
    assert name_evidence("BK", "Bank of Kigali Plc", ["BK"]).reason == 'alias "BK" in narrative'


def test_the_customer_name_wins_a_tie_with_an_alias() -> None:
    assert name_evidence("IREMBO", "Irembo", ["Irembo"]).reason == "customer name in narrative"


def test_names_are_compared_without_legal_forms_and_small_words() -> None:
    assert name_tokens("The Bank of Kigali PLC") == ("BANK", "KIGALI")
    assert name_tokens("Société Générale S.A.R.L.") == ("SOCIETE", "GENERALE")
    assert name_tokens("MTN Rwandacell Co. Ltd") == ("MTN", "RWANDACELL")
    assert acronym("Rwanda Revenue Authority") == "RRA"
    assert acronym("Bank of Kigali Plc") == "BK"


# -- the amount ------------------------------------------------------------------------------------------

WHT = {"3% WHT": D("1150000"), "VAT withheld and 3% WHT": D("970000")}


@pytest.mark.parametrize(
    ("amount", "open_amount", "code", "expected", "points", "reason"),
    [
        ("1180000", "1180000", "RWF", {}, 100, "amount = open amount"),
        ("1150000", "1180000", "RWF", WHT, 90, "amount = open - 3% WHT"),
        ("970000", "1180000", "RWF", WHT, 90, "amount = open - VAT withheld and 3% WHT"),
        ("1179999", "1180000", "RWF", {}, 85, "amount = open amount - 1 (rounding)"),
        ("1180001", "1180000", "RWF", {}, 85, "amount = open amount + 1 (rounding)"),
        ("969999", "1180000", "RWF", WHT, 80, "amount = open - VAT withheld and 3% WHT - 1 (rounding)"),
        ("1155.00", "1180.00", "USD", {}, 60, "amount = open - 25.00 (bank charges?)"),
        ("1130.00", "1180.00", "USD", {}, 60, "amount = open - 50.00 (bank charges?)"),
        ("1130.00", "1180.00", "USD", {"3% WHT": D("1150.00")}, 55,
         "amount = open - 3% WHT - 20.00 (bank charges?)"),
        ("1129.99", "1180.00", "USD", {}, 25, "partial payment: 1,129.99 of 1,180.00"),
        ("1179000", "1180000", "RWF", {}, 25, "partial payment: 1,179,000 of 1,180,000"),  # no charges in RWF
        ("500000", "1180000", "RWF", WHT, 25, "partial payment: 500,000 of 1,180,000"),
        ("1200000", "1180000", "RWF", {}, 20, "overpayment by 20,000"),
        ("0", "1180000", "RWF", {}, 0, ""),
        ("-1180000", "1180000", "RWF", {}, 0, ""),
        ("1180000", "0", "RWF", {}, 0, ""),  # nothing open
        ("1180000", "-1180000", "RWF", {}, 0, ""),  # a credit note
    ],
)
def test_amounts(
    amount: str, open_amount: str, code: str, expected: dict[str, Decimal], points: int, reason: str
) -> None:
    assert amount_evidence(D(amount), D(open_amount), code, expected) == Evidence(points, reason)


def test_amounts_are_rounded_to_the_currency_and_charges_can_be_given() -> None:
    assert amount_evidence(D("1180000.4"), D("1180000"), "RWF").points == 100
    assert amount_evidence(D("1175000"), D("1180000"), "RWF", charges=D(5000)).reason == (
        "amount = open - 5,000 (bank charges?)")
    assert amount_evidence(D("1155"), D("1180"), "USD", charges=D(0)).points == 25
    with pytest.raises(UnknownCurrency):
        amount_evidence(D(1), D(1), "XYZ")


# -- all together ----------------------------------------------------------------------------------------


def score(narrative: str, invoice: str = INVOICE, customer: str = "Ministry of Infrastructure",
          amount: str = "1180000", open_amount: str = "1180000", **options: object) -> Score:
    return match_score(narrative, invoice, customer, D(amount), D(open_amount), **options)  # type: ignore[arg-type]


def test_reference_and_exact_amount_is_sure() -> None:
    result = score("TRF INV-2025-00042")
    assert result.score >= 95
    assert result.reason == "invoice number in narrative; amount = open amount"


def test_reference_and_withholding_reads_as_the_accountant_expects() -> None:
    result = score("PAYMENT INV-2025-00042", customer="Rwanda Revenue Authority", amount="1150000",
                   expected={"3% WHT": D("1150000")})
    assert result == Score(100, ("invoice number in narrative", "amount = open - 3% WHT"))
    assert result.reason == "invoice number in narrative; amount = open - 3% WHT"


def test_name_and_exact_amount_without_reference_is_likely_not_sure() -> None:
    assert score("MINISTRY OF INFRASTRUCTURE").score == 75
    assert score("TRF MININFRA", aliases=["MININFRA"]).score == 73
    assert 70 <= score("RWANDA REVENUE AUTH", customer="Rwanda Revenue Authority").score <= 85


def test_an_amount_alone_never_scores_high() -> None:
    assert score("CREDIT INTEREST JUL 2025") == Score(AMOUNT_WEIGHT, ("amount = open amount",))
    assert score("TRANSFER FROM OWN ACCOUNT 00012345678").score == 30
    assert score("LOAN DISBURSEMENT").score == 30


def test_a_wrong_reference_with_the_right_amount_points_to_the_referenced_invoice() -> None:
    line = "PAYMENT INV-2025-00043"
    on_the_amount = score(line, invoice="INV-2025-00042", amount="1180000", open_amount="1180000")
    on_the_reference = score(line, invoice="INV-2025-00043", amount="1180000", open_amount="2360000")
    assert on_the_amount.score == 30
    assert on_the_reference == Score(88, ("invoice number in narrative", "partial payment: 1,180,000 of 2,360,000"))


def test_42_is_not_found_in_1420() -> None:
    assert score("PAYMENT REF 1420 INV", open_amount="2000000").score == 8  # a partial payment, nothing else


def test_nothing_scores_zero_and_a_debit_is_no_receipt() -> None:
    assert score("SALARY", amount="1", open_amount="1180000", customer="Alpha Beta").score == 8
    assert score("", customer="Alpha Beta", amount="5", open_amount="7") == Score(8, ("partial payment: 5 of 7",))
    assert score("nothing here", customer="Alpha Beta", amount="900", open_amount="0") == Score(0, ())
    assert score("REVERSAL INV-2025-00042", amount="-1180000").score == 0
    assert score("INV-2025-00042", amount="0").score == 0


def test_scores_are_deterministic_and_usd_amounts_keep_cents() -> None:
    first = score("BK INV 2025 00042", customer="Bank of Kigali Plc", aliases=["BK"], amount="1155.50",
                  open_amount="1180.50", currency="USD")
    second = score("BK INV 2025 00042", customer="Bank of Kigali Plc", aliases=["BK"], amount="1155.50",
                   open_amount="1180.50", currency="USD")
    assert first == second
    assert first.reasons == ("invoice number in narrative", 'alias "BK" in narrative',
                             "amount = open - 25.00 (bank charges?)")


def test_evidence_points_stay_between_0_and_100() -> None:
    with pytest.raises(ValueError):
        Evidence(101, "too sure")
    with pytest.raises(ValueError):
        Evidence(-1)


points = st.integers(min_value=0, max_value=100)


@given(points, points, points)
def test_the_combination_rule(reference: int, name: int, amount: int) -> None:
    result = combine(Evidence(reference, "r"), Evidence(name, "n"), Evidence(amount, "a")).score
    assert 0 <= result <= 100
    weighted = (D("0.80") * reference + D("0.45") * name + D("0.30") * amount).quantize(D(1), ROUND_HALF_UP)
    assert result == min(100, int(weighted))
    assert combine(NO_EVIDENCE, NO_EVIDENCE, Evidence(amount, "a")).score <= AMOUNT_WEIGHT
    # more evidence never lowers the score
    assert combine(Evidence(reference, "r"), Evidence(name, "n"), NO_EVIDENCE).score <= result
