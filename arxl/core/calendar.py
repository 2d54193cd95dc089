"""Working days in Kigali: weekends, Rwandan public holidays and the office's own closure days.

A due date that falls on a Saturday, a Sunday, a public holiday or a day the office is closed (a closure day
entered in Settings) can be rolled to the next working day, so a customer is never counted late for a day
when no bank was open. Public holidays come from the ``holidays`` package (Rwanda is known from 2012,
including days observed on a Monday when the holiday falls on a weekend; Eid dates of future years are
estimates); each year is loaded once, the first time a date in it is asked about.

>>> kigali = BusinessCalendar(closures=[date(2025, 12, 24)])
>>> kigali.holiday_name(date(2025, 7, 4)), kigali.holiday_name(date(2025, 12, 24))
('Liberation Day', 'closure')
>>> kigali.is_working_day(date(2025, 7, 5))  # a Saturday
False
>>> roll(date(2025, 7, 5), kigali, "next")  # Saturday 5 July 2025 -> Monday 7 July
datetime.date(2025, 7, 7)
>>> kigali.add_working_days(date(2025, 6, 30), 2)  # Tuesday 1 July is Independence Day
datetime.date(2025, 7, 3)
>>> kigali.working_days_between(date(2025, 6, 30), date(2025, 7, 7))  # 2, 3 and 7 July
3
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

import holidays

from arxl.core.errors import BadValue

Roll = Literal["none", "next"]

_ONE_DAY = timedelta(days=1)
CLOSURE = "closure"


class BusinessCalendar:
    """Which days are working days: not a weekend day, not a public holiday, not an office closure.

    ``weekend`` holds ``date.weekday()`` numbers (Monday 0 ... Sunday 6). The calendar is immutable in use;
    it only caches the holidays of the years it has been asked about, so each lookup is a dictionary probe.
    """

    __slots__ = ("_closures", "_country", "_loaded", "_off", "_off_weekdays", "_weekend")

    def __init__(
        self,
        closures: Iterable[date] = (),
        country: str = "RW",
        weekend: frozenset[int] = frozenset({5, 6}),
    ) -> None:
        code = country.strip().upper() if isinstance(country, str) else ""
        try:
            holidays.country_holidays(code, years=())
        except NotImplementedError:
            raise BadValue(f'country "{str(country)[:20]}" has no public-holiday calendar') from None
        days = frozenset(weekend)
        bad = [d for d in days if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6]
        if bad or len(days) > 6:
            raise BadValue("weekend days must be weekday numbers 0 (Monday) to 6 (Sunday), not all seven")
        self._country = code
        self._weekend = days
        self._closures = frozenset(closures)
        if not all(isinstance(d, date) for d in self._closures):
            raise BadValue("closure days must be dates")
        self._loaded: set[int] = set()
        # Days off that are not weekend days, with their name: holidays of the loaded years and closures.
        self._off: dict[date, str] = {}
        # Per year, the sorted days off that fall on a weekday, so counting a span is a bisection per year.
        self._off_weekdays: dict[int, list[date]] = {}

    @property
    def country(self) -> str:
        return self._country

    @property
    def weekend(self) -> frozenset[int]:
        return self._weekend

    @property
    def closures(self) -> frozenset[date]:
        return self._closures

    def __repr__(self) -> str:
        return (f"BusinessCalendar(closures={len(self._closures)} days, country={self._country!r}, "
                f"weekend={sorted(self._weekend)})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[str, frozenset[int], frozenset[date]]:
        return self._country, self._weekend, self._closures

    def _load(self, year: int) -> None:
        self._loaded.add(year)
        for day, name in holidays.country_holidays(self._country, years=year).items():
            self._off[day] = name
        for day in self._closures:
            if day.year == year:
                self._off.setdefault(day, CLOSURE)
        self._off_weekdays[year] = sorted(
            day for day in self._off if day.year == year and day.weekday() not in self._weekend)

    def holiday_name(self, day: date) -> str | None:
        """The public holiday on ``day``, ``"closure"`` for an office closure, or None (weekends included)."""
        if day.year not in self._loaded:
            self._load(day.year)
        return self._off.get(day)

    def is_working_day(self, day: date) -> bool:
        """True unless the day is a weekend day, a public holiday or a closure."""
        if day.weekday() in self._weekend:
            return False
        if day.year not in self._loaded:
            self._load(day.year)
        return day not in self._off

    def _step(self, day: date, step: timedelta) -> date:
        try:
            return day + step
        except OverflowError:
            raise BadValue(f"no working day found around {day.isoformat()}") from None

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day = self._step(day, _ONE_DAY)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The date ``count`` working days after ``day`` (before it when negative), like Excel's WORKDAY.

        ``day`` itself is not counted and is returned unchanged when ``count`` is 0.
        """
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        for _ in range(abs(count)):
            day = self._step(day, step)
            while not self.is_working_day(day):
                day = self._step(day, step)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` comes first.

        It is the count that :meth:`add_working_days` needs to go from ``start`` to ``end`` when ``end`` is a
        working day: when ``end`` is before ``start`` it counts the working days from ``end`` up to the day
        before ``start``, with a minus sign.
        """
        if end >= start:
            return self._count(start + _ONE_DAY, end) if end > start else 0
        return -self._count(end, start - _ONE_DAY)

    def _count(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included (first <= last)."""
        days = (last - first).days + 1
        weeks, rest = divmod(days, 7)
        start_weekday = first.weekday()
        count = weeks * (7 - len(self._weekend))
        count += sum(1 for i in range(rest) if (start_weekday + i) % 7 not in self._weekend)
        for year in range(first.year, last.year + 1):
            if year not in self._loaded:
                self._load(year)
            off = self._off_weekdays[year]
            count -= bisect_right(off, last) - bisect_left(off, first)
        return count


_DEFAULT: list[BusinessCalendar] = []


def default_calendar() -> BusinessCalendar:
    """Rwanda's calendar with no closure days, built once (used when a roll is asked without a calendar)."""
    if not _DEFAULT:
        _DEFAULT.append(BusinessCalendar())
    return _DEFAULT[0]


def roll(day: date, calendar: BusinessCalendar | None, how: Roll) -> date:
    """Move a due date: ``"none"`` keeps it, ``"next"`` moves it to the next working day.

    Without a calendar, ``"next"`` uses Rwanda's public holidays and no closure days.

    >>> roll(date(2025, 7, 4), None, "next"), roll(date(2025, 7, 4), None, "none")
    (datetime.date(2025, 7, 7), datetime.date(2025, 7, 4))
    """
    if how == "none":
        return day
    if how == "next":
        return (calendar or default_calendar()).next_working_day(day)
    raise BadValue(f'roll "{str(how)[:20]}" is not "none" or "next"')
