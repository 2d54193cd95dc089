"""Dates from cells and text: the one door for dates, as :func:`arxl.core.money.to_decimal` is for numbers.

Excel stores a date as a serial number of days (1 = 1 January 1900, with Excel's phantom 29 February 1900;
or 0 = 1 January 1904 in workbooks saved with the 1904 system). Text dates are read day first, as written in
Rwanda: ``05/07/2025`` is 5 July 2025. ISO ``2025-07-05`` is always accepted. Two-digit years are refused
because they are ambiguous.

>>> to_date("05/07/2025")
datetime.date(2025, 7, 5)
>>> to_date(45839)
datetime.date(2025, 7, 1)
>>> to_date("2025-02-29")
Traceback (most recent call last):
...
arxl.core.errors.BadValue: date "2025-02-29" is not a date
"""

from __future__ import annotations

import datetime as dt
import math
import re

from arxl.core.errors import BadValue
from arxl.core.money import is_excel_error

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_D_MON_Y = re.compile(r"(\d{1,2})[ \-]([A-Za-z]{3})[A-Za-z]*\.?[ \-,]+(\d{4})")
_MON_D_Y = re.compile(r"([A-Za-z]{3})[A-Za-z]*\.? (\d{1,2}),? (\d{4})")
# Excel's own limits: serial 1 is 1900-01-01, 2958465 is 9999-12-31.
_MAX_SERIAL = 2958465


def from_serial(serial: float, date1904: bool = False) -> dt.date:
    """The date of an Excel serial number (the time of day, if any, is dropped).

    >>> from_serial(59), from_serial(61)
    (datetime.date(1900, 2, 28), datetime.date(1900, 3, 1))
    """
    if not math.isfinite(serial) or serial < (0 if date1904 else 1) or serial > _MAX_SERIAL:
        raise BadValue(f"{serial} is not a date serial number")
    days = int(serial)
    if date1904:
        return _EXCEL_EPOCH_1904 + dt.timedelta(days=days)
    if days < 60:  # before Excel's phantom 1900-02-29 (serial 60) the serials are one day off
        return dt.date(1899, 12, 31) + dt.timedelta(days=days)
    return _EXCEL_EPOCH + dt.timedelta(days=days)


def to_serial(day: dt.date) -> int:
    """The Excel (1900 system) serial number of a date.

    >>> to_serial(dt.date(2025, 7, 1))
    45839
    """
    return (day - _EXCEL_EPOCH).days


def to_date(value: object, what: str = "date", date1904: bool = False) -> dt.date:
    """A date from a cell: a date, a datetime, an Excel serial number or day-first / ISO text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadValue(f"{what} is empty")
    if isinstance(value, bool):
        raise BadValue(f"{what} {value} is not a date")
    if isinstance(value, int | float):
        try:
            return from_serial(float(value), date1904)
        except BadValue:
            raise BadValue(f"{what} {value} is not a date") from None
    if isinstance(value, str):
        return _parse_text(value.strip(), what)
    raise BadValue(f"{what} {str(value)[:40]!r} is not a date")


def _parse_text(text: str, what: str) -> dt.date:
    if is_excel_error(text):
        raise BadValue(f"{what} is the Excel error {text.upper()}")
    shown = text if len(text) <= 40 else text[:37] + "..."
    try:
        if m := _ISO.fullmatch(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.fullmatch(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if (m := _D_MON_Y.fullmatch(text)) and m[2].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        if (m := _MON_D_Y.fullmatch(text)) and m[1].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    except ValueError:
        pass
    raise BadValue(f'{what} "{shown}" is not a date')


def month_end(day: dt.date) -> dt.date:
    """The last day of the date's month.

    >>> month_end(dt.date(2024, 2, 10)), month_end(dt.date(2025, 12, 31))
    (datetime.date(2024, 2, 29), datetime.date(2025, 12, 31))
    """
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clipped to the month's end (31 Jan + 1 month = 28/29 Feb).

    >>> add_months(dt.date(2024, 1, 31), 1), add_months(dt.date(2025, 3, 15), -3)
    (datetime.date(2024, 2, 29), datetime.date(2024, 12, 15))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))
