"""A cell of a bank export as text, a number or a date, whatever the bank wrote: Excel's own numbers and
serial dates, text with thousands separators and decimal commas, day-first or month-first dates with or
without a time.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from arxl.core.dates import from_serial, to_date
from arxl.core.errors import ArxlError
from arxl.core.money import to_decimal
from arxl.formats.statements.model import (
    clean_text,
)

_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?$")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")

def cell_text(value: object) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO; bank text kept as written (never evaluated)."""
    if type(value) is str:
        return clean_text(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


def parse_number(value: object, what: str, *, decimal_separator: str = ".", thousands_separator: str = ",") -> Decimal:
    """A number from a cell of an outside file: a cell's own number, or text with thousands separators,
    accounting parentheses or a trailing minus ("1,000.00-"), read through :func:`arxl.core.money.to_decimal`.

    >>> parse_number("1,180,000.00-", "amount"), parse_number("1.250,50", "amount", decimal_separator=",",
    ...                                                      thousands_separator=".")
    (Decimal('-1180000.00'), Decimal('1250.50'))
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return to_decimal(value, what)
    text = clean_text(value).replace("\u00a0", " ").replace("\u202f", " ")
    if text.endswith("-") and not text.startswith("-"):  # "1,000.00-": a trailing minus
        text = "-" + text[:-1].strip()
    thousands = thousands_separator
    if decimal_separator == ",":
        if thousands and re.fullmatch(rf"[+-]?\(?\d{{1,3}}({re.escape(thousands)}\d{{3}})+(,\d+)?\)?", text):
            text = text.replace(thousands, "")
        if "." in text:
            raise ArxlError(f'{what} "{text[:40]}" is not a number written with "," for decimals')
        text = text.replace(",", ".")
    elif not thousands and re.search(r"[,' ]", text):
        raise ArxlError(f'{what} "{text[:40]}" is not a plain number (no thousands separators here)')
    elif thousands == "," and re.fullmatch(r"[+-]?\(?0(,\d{3})+\)?", text):  # "0,500": no thousands begin with 0
        raise ArxlError(f'{what} "{text[:40]}" is no number written with "," between thousands: if "," marks the'
                        ' decimals here, give the bank profile "decimal_separator": ","')
    if re.search(r"\d[eE][+-]?\d", text):  # 1.23457E+11: Excel's General format has dropped digits
        raise ArxlError(f'{what} "{text[:40]}" is written in scientific notation, so its exact figure may be lost:'
                        " export the column as numbers written in full")
    return to_decimal(text, what)


def parse_date(value: object, date_format: str = "dmy", date1904: bool = False) -> dt.date:
    """A date from a cell of an outside file: a cell's own date, an Excel serial, ISO text, or day-first text
    (``mdy`` month-first), with any time of day dropped.

    >>> parse_date("05/07/2025 14:30"), parse_date(45839.5), parse_date("07/05/2025", "mdy")
    (datetime.date(2025, 7, 5), datetime.date(2025, 7, 1), datetime.date(2025, 7, 5))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_date(value, "date", date1904)
    text = _TIME.sub("", cell_text(value)).strip()
    shown = f'date "{text[:40]}"'
    if date_format == "excel" and re.fullmatch(r"\d{1,7}(\.\d+)?", text):
        return from_serial(float(text), date1904)
    iso = _ISO.fullmatch(text)
    slashed = _SLASHED.fullmatch(text)
    if not iso and date_format == "iso":
        raise ArxlError(f"{shown} is not an ISO date (YYYY-MM-DD)")
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if date_format == "mdy" and slashed:
            return dt.date(int(slashed[3]), int(slashed[1]), int(slashed[2]))
    except ValueError:
        raise ArxlError(f"{shown} is not a date") from None
    return to_date(text, "date")


