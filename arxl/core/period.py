"""The period: the month a job works on (``2025-07``), or the year of a year-end close (``2025``).

The command line, a macro or the Settings' Period key gives a period as text; it is parsed once, where it comes
in, into a :class:`Period`, and the workflows take that: its first and last day, the periods before and after
it, and its label on a report. A month is written ``YYYY-MM`` (the ISO form, which sorts as text: the workbook's
Period columns hold it so), a year ``YYYY``.

>>> july = Period.parse("2025-07")
>>> july.first, july.last, str(july.previous()), str(july.next()), july.label
(datetime.date(2025, 7, 1), datetime.date(2025, 7, 31), '2025-06', '2025-08', 'July 2025')
>>> year = Period.parse("2025", year=True)
>>> year.first, year.last, year.label, year.contains(july.last)
(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), '2025', True)
>>> Period.parse("2025-13")
Traceback (most recent call last):
...
arxl.core.errors.BadValue: period "2025-13" is not a month written YYYY-MM
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from arxl.core.errors import BadValue

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar month (``month`` 1 to 12) or, with ``month`` 0, a whole year."""

    year: int
    month: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999 or not 0 <= self.month <= 12:
            raise BadValue(f"period {self.year}-{self.month:02d} is not a month or a year")

    @classmethod
    def parse(cls, value: object, *, year: bool = False) -> Period:
        """A period from its text: ``YYYY-MM``, or with ``year`` also ``YYYY`` (the year-end close). A Period
        is taken as it is."""
        if isinstance(value, Period):
            return value
        text = str(value).strip() if value is not None else ""
        if year and _YEAR.fullmatch(text) and int(text) >= 1:
            return cls(int(text))
        m = _MONTH.fullmatch(text)
        if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1:
            form = "a month written YYYY-MM or a year YYYY" if year else "a month written YYYY-MM"
            raise BadValue(f'period "{text[:20]}" is not {form}')
        return cls(int(m[1]), int(m[2]))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The month a day falls in.

        >>> str(Period.of(dt.date(2025, 2, 14)))
        '2025-02'
        """
        return cls(day.year, day.month)

    @property
    def is_year(self) -> bool:
        return self.month == 0

    @property
    def first(self) -> dt.date:
        """Its first day."""
        return dt.date(self.year, self.month or 1, 1)

    @property
    def last(self) -> dt.date:
        """Its last day.

        >>> Period(2024, 2).last, Period(2024).last
        (datetime.date(2024, 2, 29), datetime.date(2024, 12, 31))
        """
        if self.is_year or self.month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.month + 1, 1) - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        """How many days it has (29 for February 2024)."""
        return (self.last - self.first).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def shift(self, steps: int) -> Period:
        """The period ``steps`` months (or years, for a year) later; negative for earlier.

        >>> str(Period(2025, 1).shift(-1)), str(Period(2025).shift(1))
        ('2024-12', '2026')
        """
        if self.is_year:
            return Period(self.year + steps)
        index = self.year * 12 + self.month - 1 + steps
        return Period(index // 12, index % 12 + 1)

    def previous(self) -> Period:
        return self.shift(-1)

    def next(self) -> Period:
        return self.shift(1)

    @property
    def label(self) -> str:
        """As a report heads it: ``July 2025`` (``2025`` for a year)."""
        return str(self.year) if self.is_year else f"{self.first:%B %Y}"

    def __str__(self) -> str:
        """As the workbook and the command line write it: ``2025-07`` (``2025``)."""
        return str(self.year) if self.is_year else f"{self.year:04d}-{self.month:02d}"
