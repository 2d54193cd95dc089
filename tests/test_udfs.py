"""Worksheet functions: the accountant's examples, ranges in and out, and junk that never raises."""

from __future__ import annotations

import datetime as dt
import doctest
import inspect
import math
import typing
from collections.abc import Callable
from typing import Any

import pytest

import arxl.udfs
from arxl.udfs import (
    arxl_aging_bucket,
    arxl_amount_in_words,
    arxl_days_past_due,
    arxl_due_date,
    arxl_expected_cash,
    arxl_gross,
    arxl_match_score,
    arxl_net,
    arxl_round,
    arxl_vat,
    functions,
)

# -- the accountant's examples ---------------------------------------------------------------------------


def test_vat() -> None:
    assert arxl_vat(7000, "18%", True) == 1068
    assert arxl_vat(1000000) == 180000
    assert arxl_vat(1000000.0, 0.18) == 180000
    assert arxl_vat(1000000, 18) == 180000
    assert arxl_vat(1000000, "0%") == 0
    assert arxl_vat(14.75, "18%", False, "USD") == 2.66  # 2.655 rounds up, as ROUND does
    assert arxl_vat(7000, None, "TRUE") == 1068
    assert arxl_vat(-7000, "18%", True) == -1068  # a credit note
    assert arxl_vat(1180000, "18%", 1, "rwf") == 180000
    assert isinstance(arxl_vat(1000000), float)


def test_net_and_gross() -> None:
    assert arxl_net(7000) == 5932
    assert arxl_net(1180000) == 1000000
    assert arxl_net(118.0, "18%", "USD") == 100.0
    assert arxl_gross(1000000) == 1180000
    assert arxl_gross(5932) == 7000
    assert arxl_gross(100, "0%") == 100


def test_round_like_excel() -> None:
    assert arxl_round(2.665, "USD") == 2.67  # the float 2.665 is 2.66499... in binary; repr gives "2.665"
    assert arxl_round(800.555, "USD") == 800.56
    assert arxl_round(1067.5, "RWF") == 1068
    assert arxl_round(-2.5, "RWF") == -3
    assert arxl_round("1,180,000.4", "RWF") == 1180000


def test_expected_cash() -> None:
    assert arxl_expected_cash(1180000, 1000000, 180000, "vat,wht3") == 970000
    assert arxl_expected_cash(1180000, 1000000, 180000, "wht3") == 1150000
    assert arxl_expected_cash(1180000, 1000000, 180000, None) == 1180000
    assert arxl_expected_cash(1180000, 1000000, 180000, "none") == 1180000
    assert arxl_expected_cash(1180000, 1000000, 18000, "vat") == (
        "#ARXL: gross is not net + VAT (difference 162,000)")
    assert arxl_expected_cash(1180001, 1000000, 180000, "vat") == 1000001  # one franc of rounding is allowed
    assert arxl_expected_cash(1180000, 1000000, 180000, "vat,wht5").startswith('#ARXL: withholding "wht5"')


def test_due_dates() -> None:
    assert arxl_due_date(dt.datetime(2025, 6, 5), "NET30") == dt.date(2025, 7, 5)  # a Saturday
    assert arxl_due_date(dt.datetime(2025, 6, 5), "NET30", "next") == dt.date(2025, 7, 7)
    assert arxl_due_date(dt.date(2025, 6, 5), "NET30", True) == dt.date(2025, 7, 7)
    assert arxl_due_date(dt.date(2025, 6, 4), "NET30", "next") == dt.date(2025, 7, 7)  # Fri 4 July: Liberation Day
    assert arxl_due_date(45813.0, "eom+15") == dt.date(2025, 7, 15)  # serial 45813 is 5 June 2025
    assert arxl_due_date("05/06/2025", "net 30") == dt.date(2025, 7, 5)  # day first, as written in Kigali
    assert type(arxl_due_date("2025-06-05", "NET30")) is dt.date
    assert arxl_due_date("2025-06-05", "NET3O") == '#ARXL: payment terms "NET3O" are not understood'
    assert arxl_due_date("2025-06-05", 30) == '#ARXL: payment terms "30" are not understood'
    assert arxl_due_date("2025-06-05", "NET30", "later") == '#ARXL: roll "later" is not "none" or "next"'


def test_days_past_due_and_aging_buckets() -> None:
    as_of = dt.datetime(2025, 7, 31)
    assert arxl_days_past_due(dt.datetime(2025, 6, 30), as_of) == 31
    assert arxl_days_past_due("2025-08-10", as_of) == -10
    assert arxl_days_past_due(45869, 45869.75) == 0  # the time of day does not count
    labels = [arxl_aging_bucket(as_of - dt.timedelta(days=d), as_of) for d in (-5, 0, 1, 30, 31, 60, 61, 120, 121)]
    assert labels == ["Current", "Current", "1-30", "1-30", "31-60", "31-60", "61-90", "91-120", "Over 120"]
    assert arxl_aging_bucket("2025-06-30", as_of, "30;60") == "31-60"
    assert arxl_aging_bucket("2025-01-31", as_of, 90.0) == "Over 90"
    assert arxl_aging_bucket("2025-06-30", as_of, "60,30").startswith("#ARXL: aging buckets must increase")


def test_match_score() -> None:
    assert arxl_match_score("TRF INV-2025-00042", "INV-2025-00042", "Ministry of Infrastructure",
                            1180000, 1180000) == 100
    assert arxl_match_score("MINISTRY OF INFRASTRUCTURE", "INV-2025-00042", "Ministry of Infrastructure",
                            1180000, 1180000) == 75
    assert arxl_match_score("CREDIT INTEREST", "INV-2025-00042", "Ministry of Infrastructure",
                            1180000, 1180000) == 30
    assert arxl_match_score(None, "INV-2025-00042", None, 1180000, 1180000) == 30
    assert arxl_match_score("PAYMENT 00042", 42.0, "X", 5.0, 7.0) == 8  # invoice number typed as a number
    assert arxl_match_score("BK 2025-00042", "INV-2025-00042", "Bank of Kigali", 1155.0, 1180.0, "USD") == 86
    assert arxl_match_score("x", "INV-1", "X", -5, 5) == 0
    assert arxl_match_score("x", "", "X", 5, 5) == "#ARXL: invoice number is empty"


def test_amount_in_words() -> None:
    assert arxl_amount_in_words(1180000, "RWF") == "One million one hundred eighty thousand Rwandan francs"
    assert arxl_amount_in_words(1250.5, "USD") == "One thousand two hundred fifty US dollars and fifty cents"
    assert arxl_amount_in_words(2.665, "USD") == "Two US dollars and sixty-seven cents"
    assert arxl_amount_in_words(1, "RWF") == "One Rwandan franc"


# -- errors in a cell, never raised ----------------------------------------------------------------------


def test_errors_are_short_and_say_what_is_wrong() -> None:
    assert arxl_vat("abc") == '#ARXL: amount "abc" is not a number'
    assert arxl_vat("#N/A") == "#ARXL: amount is the Excel error #N/A"
    assert arxl_vat(1e20) == "#ARXL: amount is too large"
    assert arxl_vat(float("nan")) == "#ARXL: amount is not a finite number"
    assert arxl_vat(True) == "#ARXL: amount True is not a number"
    assert arxl_vat(100, "200%") == "#ARXL: VAT rate 200% is not between 0% and 100%"
    assert arxl_vat(100, "18%", "maybe") == '#ARXL: inclusive "maybe" is not TRUE or FALSE'
    assert arxl_vat(100, "18%", False, "XYZ") == '#ARXL: currency "XYZ" is not known (write RWF, USD...)'
    assert arxl_days_past_due("31/02/2025", "2025-07-31") == '#ARXL: due date "31/02/2025" is not a date'
    assert arxl_days_past_due("2025-06-30", None) == "#ARXL: as-of date is empty"
    assert arxl_round(1, "€") == '#ARXL: currency "€" is not known (write RWF, USD...)'
    assert arxl_amount_in_words("#DIV/0!", "USD") == "#ARXL: amount is the Excel error #DIV/0!"


def test_a_blank_subject_gives_a_blank_cell_and_blank_options_their_defaults() -> None:
    assert arxl_vat(None) == ""
    assert arxl_vat("   ") == ""
    assert arxl_days_past_due(None, "2025-07-31") == ""
    assert arxl_vat(1000000, None, None, None) == 180000
    assert arxl_aging_bucket("2025-06-30", "2025-07-31", "") == "31-60"
    assert arxl_due_date("2025-06-05", "NET30", "") == dt.date(2025, 7, 5)


def test_long_messages_are_cut_to_fit_a_cell() -> None:
    result = arxl_due_date("2025-06-05", "pay whenever you feel like it, thanks a lot")
    assert result == '#ARXL: payment terms "pay whenever yo..." are not understood'
    assert len(result) <= functions.MAX_ERROR


# -- ranges ----------------------------------------------------------------------------------------------


def test_a_column_with_blanks_comes_back_as_a_column() -> None:
    amounts = [[1000000.0], [None], [7000.0], ["abc"], [""]]
    assert arxl_vat(amounts) == [[180000.0], [""], [1260.0], ['#ARXL: amount "abc" is not a number'], [""]]
    assert arxl_vat(amounts, "18%", True) == [[152542.0], [""], [1068.0], ['#ARXL: amount "abc" is not a number'],
                                              [""]]


def test_a_flat_list_comes_back_flat() -> None:
    assert arxl_round([2.665, None, -2.5], "USD") == [2.67, "", -2.5]
    assert arxl_round([2.665, 1067.5], ["USD", "RWF"]) == [2.67, 1068.0]


def test_a_table_comes_back_as_a_table_and_single_values_apply_to_every_cell() -> None:
    due = [[dt.datetime(2025, 7, 31), dt.datetime(2025, 6, 30)], [None, "2025-01-31"]]
    assert arxl_aging_bucket(due, dt.datetime(2025, 7, 31)) == [["Current", "31-60"], ["", "Over 120"]]
    assert arxl_days_past_due(due, [[45869]]) == [[0, 31], ["", 181]]  # a one-cell range acts as one value
    as_of = [[dt.date(2025, 7, 31), dt.date(2025, 8, 31)], [dt.date(2025, 7, 31), dt.date(2025, 7, 31)]]
    assert arxl_days_past_due(due, as_of) == [[0, 62], ["", 181]]


def test_ranges_of_different_sizes_are_refused() -> None:
    assert arxl_vat([1, 2, 3], [0.18, 0.18]) == "#ARXL: the ranges are not the same size (3 and 2 cells)"
    assert arxl_days_past_due([[1, 2]], [[1], [2]]) == "#ARXL: the ranges are not the same size (2 and 2 cells)"
    assert arxl_vat([[1, 2], [3]]) == "#ARXL: the rows of a range are not the same length"
    assert arxl_vat([]) == "#ARXL: a range is empty"
    assert arxl_vat([1, [2]]) == "#ARXL: a range mixes cells and rows"
    assert arxl_vat([[[1]]]) == "#ARXL: a range has more than two dimensions"


def test_match_scores_over_a_statement() -> None:
    narratives = [["TRF INV-2025-00042"], ["MINISTRY OF INFRASTRUCTURE"], ["CREDIT INTEREST"], [None]]
    amounts = [[1180000], [1180000], [1180000], [None]]
    scores = arxl_match_score(narratives, "INV-2025-00042", "Ministry of Infrastructure", amounts, 1180000)
    assert scores == [[100], [75], [30], [""]]


# -- a sweep of junk through every function and argument -------------------------------------------------

VALID: dict[Callable[..., Any], tuple[Any, ...]] = {
    arxl_vat: (1000000, "18%", False, "RWF"),
    arxl_net: (1180000, "18%", "RWF"),
    arxl_gross: (1000000, "18%", "RWF"),
    arxl_round: (2.665, "USD"),
    arxl_expected_cash: (1180000, 1000000, 180000, "vat,wht3", "RWF"),
    arxl_due_date: (dt.datetime(2025, 6, 5), "NET30", "none"),
    arxl_days_past_due: (dt.datetime(2025, 6, 30), dt.datetime(2025, 7, 31)),
    arxl_aging_bucket: (dt.datetime(2025, 6, 30), dt.datetime(2025, 7, 31), "30,60,90,120"),
    arxl_match_score: ("TRF INV-2025-00042", "INV-2025-00042", "Ministry of Infrastructure", 1180000, 1180000),
    arxl_amount_in_words: (1180000, "RWF"),
}
JUNK: list[Any] = [
    None, "", 0, -1, "text", "31/02/2025", "2025-07-01", "#N/A", "#VALUE!", "#DIV/0!", 1e308, -1e308, 1e20,
    float("nan"), float("inf"), True, False, "💸", dt.datetime(2025, 7, 1), [[1, None], [None, "x"]],
    [None, "💸", 1e308], "=HYPERLINK(\"http://x\")", "1" * 200,
]
CASES = [
    pytest.param(function, position, junk, id=f"{function.__name__}-{position}-{index}")
    for function, arguments in VALID.items()
    for position in range(len(arguments))
    for index, junk in enumerate(JUNK)
]


def is_cell_value(value: Any) -> bool:
    """What a cell can show: text (an #ARXL message short enough), a finite number, or a date."""
    if isinstance(value, str):
        if value.startswith("#"):
            return value.startswith("#ARXL: ") and len(value) <= functions.MAX_ERROR
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return type(value) is dt.date


def test_every_function_is_in_the_sweep() -> None:
    assert {f.__name__ for f in VALID} == set(arxl.udfs.functions.__all__)  # the tables: test_udfs_tables.py


@pytest.mark.parametrize(("function", "arguments"), VALID.items(), ids=lambda v: getattr(v, "__name__", ""))
def test_the_valid_arguments_of_the_sweep_give_an_answer(
    function: Callable[..., Any], arguments: tuple[Any, ...]
) -> None:
    result = function(*arguments)
    assert is_cell_value(result) and not (isinstance(result, str) and result.startswith("#")), result


@pytest.mark.parametrize(("function", "position", "junk"), CASES)
def test_junk_never_raises(function: Callable[..., Any], position: int, junk: Any) -> None:
    arguments = list(VALID[function])
    arguments[position] = junk
    result = function(*arguments)
    if isinstance(junk, list):
        assert isinstance(result, list)
        assert len(result) == len(junk)
        cells = [cell for row in result for cell in (row if isinstance(row, list) else [row])]
        assert len(cells) == sum(len(row) if isinstance(row, list) else 1 for row in junk)
    else:
        cells = [result]
    for cell in cells:
        assert is_cell_value(cell), f"{function.__name__}({arguments!r}) -> {cell!r}"


FIRST_ARGUMENT_JUNK = ["#N/A", "#VALUE!", "#DIV/0!", "text", "💸", True, float("nan"), 1e20]


@pytest.mark.parametrize(
    ("function", "junk"),
    [(function, junk) for function in VALID for junk in FIRST_ARGUMENT_JUNK
     # any text is a narrative, so only Excel errors and NaN are junk in the match score's first argument
     if function is not arxl_match_score or junk in ("#N/A", "#VALUE!", "#DIV/0!") or junk != junk],
)
def test_junk_in_the_first_argument_is_an_error(function: Callable[..., Any], junk: Any) -> None:
    arguments = list(VALID[function])
    arguments[0] = junk
    assert str(function(*arguments)).startswith("#ARXL: ")


# -- what xlwings needs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("function", list(VALID), ids=lambda f: f.__name__)
def test_functions_suit_xlwings(function: Callable[..., Any]) -> None:
    # The wizard shows the docstring (first 255 characters): one plain line, no examples.
    doc = function.__doc__ or ""
    assert 40 < len(doc) <= 255 and "\n" not in doc and ">>>" not in doc
    # xlwings takes annotations as converters: only Any is safe; keyword-only arguments are not supported.
    hints = typing.get_type_hints(function)
    assert all(hint is Any for hint in hints.values())
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
               for p in inspect.signature(function).parameters.values())


def test_the_module_examples() -> None:
    result = doctest.testmod(functions, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0
