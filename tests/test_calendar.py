"""Working days in Kigali: weekends, Rwandan public holidays, closures, rolling and counting."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arxl.core.calendar import BusinessCalendar, default_calendar, roll
from arxl.core.errors import BadValue

KIGALI = BusinessCalendar()


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 1, 1), "New Year's Day"),
        (date(2025, 2, 1), "National Heroes' Day"),  # a Saturday
        (date(2025, 2, 3), "National Heroes' Day (observed)"),
        (date(2025, 4, 7), "Memorial Day of Genocide perpetrated against the Tutsi in 1994"),
        (date(2024, 4, 7), "Memorial Day of Genocide perpetrated against the Tutsi in 1994"),
        (date(2025, 7, 1), "Independence Day"),
        (date(2025, 7, 4), "Liberation Day"),
        (date(2025, 8, 1), "Umuganura Day"),
        (date(2025, 12, 25), "Christmas Day"),
        (date(2025, 12, 26), "Boxing Day"),
        (date(2024, 7, 4), "Liberation Day"),
        (date(2025, 7, 2), None),
        (date(2025, 7, 5), None),  # a Saturday is not a holiday, just not a working day
    ],
)
def test_rwandan_public_holidays(day: date, name: str | None) -> None:
    assert KIGALI.holiday_name(day) == name


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 7, 2), True),  # Wednesday
        (date(2025, 7, 4), False),  # Friday, Liberation Day
        (date(2025, 7, 5), False),  # Saturday
        (date(2025, 7, 6), False),  # Sunday
        (date(2025, 7, 7), True),  # Monday
        (date(2024, 2, 29), True),  # leap day, a Thursday
        (date(2025, 12, 31), True),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert KIGALI.is_working_day(day) is working


def test_closure_days_from_settings() -> None:
    office = BusinessCalendar(closures=[date(2025, 12, 24), date(2025, 7, 4)])
    assert office.holiday_name(date(2025, 12, 24)) == "closure"
    assert office.holiday_name(date(2025, 7, 4)) == "Liberation Day"  # the public holiday's name wins
    assert office.is_working_day(date(2025, 12, 24)) is False
    assert KIGALI.is_working_day(date(2025, 12, 24)) is True
    assert office.closures == frozenset({date(2025, 12, 24), date(2025, 7, 4)})


@pytest.mark.parametrize(
    ("day", "next_day"),
    [
        (date(2025, 6, 30), date(2025, 6, 30)),  # a working Monday stays
        (date(2025, 7, 1), date(2025, 7, 2)),  # Independence Day (Tuesday)
        (date(2025, 7, 4), date(2025, 7, 7)),  # Liberation Day (Friday) then the weekend
        (date(2025, 7, 5), date(2025, 7, 7)),  # Saturday
        (date(2025, 7, 6), date(2025, 7, 7)),  # Sunday
        (date(2025, 12, 25), date(2025, 12, 29)),  # Christmas, Boxing Day, weekend
        (date(2026, 1, 1), date(2026, 1, 5)),  # New Year, the day after, weekend
        (date(2024, 12, 31), date(2024, 12, 31)),
        (date(2025, 1, 31), date(2025, 1, 31)),
        (date(2025, 2, 1), date(2025, 2, 4)),  # Heroes' Day on Saturday, observed on Monday 3rd
    ],
)
def test_next_working_day(day: date, next_day: date) -> None:
    assert KIGALI.next_working_day(day) == next_day


def test_next_working_day_skips_closures() -> None:
    office = BusinessCalendar(closures=[date(2025, 12, 29), date(2025, 12, 30)])
    assert office.next_working_day(date(2025, 12, 25)) == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("day", "count", "result"),
    [
        (date(2025, 6, 30), 0, date(2025, 6, 30)),
        (date(2025, 7, 5), 0, date(2025, 7, 5)),  # 0 leaves even a Saturday alone, as Excel's WORKDAY
        (date(2025, 6, 30), 1, date(2025, 7, 2)),  # 1 July is Independence Day
        (date(2025, 6, 30), 3, date(2025, 7, 7)),  # 4 July and the weekend are skipped
        (date(2025, 7, 3), 1, date(2025, 7, 7)),
        (date(2025, 7, 7), -1, date(2025, 7, 3)),
        (date(2025, 7, 5), -1, date(2025, 7, 3)),
        (date(2025, 7, 5), 1, date(2025, 7, 7)),
        (date(2025, 12, 24), 2, date(2025, 12, 30)),
        (date(2024, 2, 28), 1, date(2024, 2, 29)),
        (date(2025, 12, 31), 1, date(2026, 1, 5)),
    ],
)
def test_add_working_days(day: date, count: int, result: date) -> None:
    assert KIGALI.add_working_days(day, count) == result


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2025, 6, 30), date(2025, 6, 30), 0),
        (date(2025, 6, 30), date(2025, 7, 7), 3),  # 2, 3 and 7 July
        (date(2025, 7, 7), date(2025, 6, 30), -3),  # 30 June, 2 and 3 July
        (date(2025, 7, 4), date(2025, 7, 6), 0),
        (date(2024, 12, 31), date(2025, 12, 31), 261 - 15),  # 2025: 261 weekdays, 15 weekday holidays
        (date(2025, 1, 1), date(2025, 12, 31), 261 - 15),  # New Year's Day itself is not counted
        (date(2025, 12, 31), date(2024, 12, 31), -(261 - 15)),  # counts 31 Dec 2024, not 31 Dec 2025
        (date(2025, 12, 31), date(2025, 1, 1), -(261 - 15 - 1)),  # the holiday 1 Jan counts nothing
    ],
)
def test_working_days_between(start: date, end: date, count: int) -> None:
    assert KIGALI.working_days_between(start, end) == count


def test_2025_holidays_on_weekdays() -> None:
    year = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]
    assert [d for d in year if d.weekday() < 5 and not KIGALI.is_working_day(d)] == [
        date(2025, 1, 1), date(2025, 1, 2), date(2025, 2, 3), date(2025, 3, 31), date(2025, 4, 7),
        date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 1), date(2025, 6, 6), date(2025, 7, 1),
        date(2025, 7, 4), date(2025, 8, 1), date(2025, 8, 15), date(2025, 12, 25), date(2025, 12, 26),
    ]


def test_a_friday_saturday_weekend() -> None:
    office = BusinessCalendar(weekend=frozenset({4, 5}))
    assert office.is_working_day(date(2025, 7, 6)) is True  # Sunday
    assert office.is_working_day(date(2025, 7, 11)) is False  # Friday
    assert office.next_working_day(date(2025, 7, 11)) == date(2025, 7, 13)


@pytest.mark.parametrize("weekend", [frozenset({7}), frozenset({-1}), frozenset(range(7)), frozenset({True})])
def test_bad_weekend(weekend: frozenset[int]) -> None:
    with pytest.raises(BadValue, match="weekend days"):
        BusinessCalendar(weekend=weekend)


@pytest.mark.parametrize("country", ["XX", "", "Rwanda", None])
def test_unknown_country(country: object) -> None:
    with pytest.raises(BadValue, match="has no public-holiday calendar"):
        BusinessCalendar(country=country)  # type: ignore[arg-type]


def test_country_code_case_does_not_matter() -> None:
    assert BusinessCalendar(country=" rw ").holiday_name(date(2025, 7, 4)) == "Liberation Day"
    assert BusinessCalendar(country=" rw ") == KIGALI
    assert hash(BusinessCalendar(country="RW")) == hash(KIGALI)


def test_closures_must_be_dates() -> None:
    with pytest.raises(BadValue, match="closure days must be dates"):
        BusinessCalendar(closures=["2025-12-24"])  # type: ignore[list-item]


def test_years_before_the_package_knows_rwanda_have_weekends_only() -> None:
    assert KIGALI.holiday_name(date(2011, 7, 4)) is None
    assert KIGALI.is_working_day(date(2011, 7, 4)) is True


def test_each_year_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    office = BusinessCalendar()
    monkeypatch.setattr(holidays, "country_holidays", counting)
    start = date(2025, 1, 1)
    for offset in range(730):
        office.is_working_day(start + timedelta(days=offset))
        office.holiday_name(start + timedelta(days=offset))
    office.working_days_between(date(2025, 1, 1), date(2026, 12, 31))
    assert calls == [2025, 2026]


def test_far_dates_give_bad_value_not_overflow() -> None:
    office = BusinessCalendar(closures=[date.max])
    with pytest.raises(BadValue, match="no working day found"):
        office.next_working_day(date.max)
    with pytest.raises(BadValue, match="no working day found"):
        KIGALI.add_working_days(date.min, -1)


@pytest.mark.parametrize(
    ("day", "how", "calendar", "result"),
    [
        (date(2025, 7, 5), "none", KIGALI, date(2025, 7, 5)),
        (date(2025, 7, 5), "next", KIGALI, date(2025, 7, 7)),
        (date(2025, 7, 4), "next", None, date(2025, 7, 7)),  # no calendar: Rwanda's holidays
        (date(2025, 7, 4), "none", None, date(2025, 7, 4)),
        (date(2025, 12, 24), "next", BusinessCalendar(closures=[date(2025, 12, 24)]), date(2025, 12, 29)),
    ],
)
def test_roll(day: date, how: str, calendar: BusinessCalendar | None, result: date) -> None:
    assert roll(day, calendar, how) == result  # type: ignore[arg-type]


def test_roll_refuses_unknown_way() -> None:
    with pytest.raises(BadValue, match='roll "previous" is not "none" or "next"'):
        roll(date(2025, 7, 5), KIGALI, "previous")  # type: ignore[arg-type]


def test_default_calendar_is_built_once() -> None:
    assert default_calendar() is default_calendar()
    assert default_calendar().country == "RW"
    assert default_calendar().weekend == frozenset({5, 6})


days = st.dates(min_value=date(2010, 1, 1), max_value=date(2040, 12, 31))


@given(day=days, count=st.integers(min_value=-400, max_value=400))
def test_working_days_between_undoes_add_working_days(day: date, count: int) -> None:
    landed = KIGALI.add_working_days(day, count)
    assert KIGALI.working_days_between(day, landed) == count
    if count:
        assert KIGALI.is_working_day(landed)


@given(start=days, span=st.integers(min_value=-800, max_value=800))
def test_working_days_between_matches_a_day_by_day_count(start: date, span: int) -> None:
    office = BusinessCalendar(closures=[date(2025, 12, 24), date(2030, 3, 4), date(2030, 3, 9)])
    end = start + timedelta(days=span)
    if end >= start:
        expected = sum(office.is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    else:
        expected = -sum(office.is_working_day(end + timedelta(days=i)) for i in range(-span))
    assert office.working_days_between(start, end) == expected


@given(day=days)
def test_next_working_day_is_the_first_working_day(day: date) -> None:
    found = KIGALI.next_working_day(day)
    assert KIGALI.is_working_day(found)
    assert all(not KIGALI.is_working_day(day + timedelta(days=i)) for i in range((found - day).days))
