"""The period: parsed once from its text, then asked for its days, its neighbours and its label."""

from __future__ import annotations

import datetime as dt

import pytest

from arxl.core.errors import BadValue
from arxl.core.period import Period


def test_a_month() -> None:
    february = Period.parse(" 2024-02 ")
    assert (february.first, february.last, february.days) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), 29)
    assert (str(february.previous()), str(february.next()), february.label) == ("2024-01", "2024-03",
                                                                                 "February 2024")
    assert str(Period(2024, 12).next()) == "2025-01" and str(Period(2025, 1).previous()) == "2024-12"
    assert str(Period(2025, 7).shift(-12)) == "2024-07"
    assert Period.parse(february) is february and Period.of(dt.date(2024, 2, 29)) == february
    assert february.contains(dt.date(2024, 2, 29)) and not february.contains(dt.date(2024, 3, 1))
    assert sorted([Period(2025, 1), Period(2024, 12)]) == [Period(2024, 12), Period(2025, 1)]


def test_a_year_for_the_year_end_close() -> None:
    year = Period.parse("2025", year=True)
    assert (year.is_year, year.first, year.last, str(year), year.label) == (
        True, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025", "2025")
    assert str(year.previous()) == "2024" and year.days == 365
    assert Period.parse("2025-07", year=True) == Period(2025, 7)


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-7", "07-2025", "2025", "", None, "July 2025",
                                  "0000-01"])
def test_what_is_not_a_month_is_refused(text: object) -> None:
    with pytest.raises(BadValue, match="is not a month written YYYY-MM"):
        Period.parse(text)


def test_a_year_is_refused_where_a_month_is_wanted_and_named_where_either_is() -> None:
    with pytest.raises(BadValue, match="a month written YYYY-MM or a year YYYY"):
        Period.parse("25", year=True)
