"""Bank exports as CSV text, read strictly: the delimiter found, and rows refused where Python's reader would
guess.

A quote that is never closed, quotes that do not pair up, and a row with a date or an amount whose number of
fields differs from the header's (its columns would shift; the last row of a file cut short) are refused at
their line (:func:`statement_rows`). Blank lines, the letterhead above the header and text footers below the
table are read as they are. Reading stops as soon as the rows pass the line limit.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence

from arxl.formats.statements.model import (
    DEFAULT_LIMITS,
    BadStatement,
    Limits,
    too_many_lines,
)
from arxl.formats.statements.values import cell_text

DELIMITERS = (",", ";", "\t", "|")
# Rows read beyond the line limit before a CSV or a sheet is refused unread: room for the header above and
# the bank's footer below the lines, whose exact number is checked row by row.
_SPARE_ROWS = 1_000

def first_lines(text: str, count: int) -> str:
    """The first ``count`` lines of a text (all of it when shorter), to look for a header cheaply."""
    end = 0
    for _ in range(count):
        end = text.find("\n", end) + 1
        if end == 0:
            return text
    return text[:end]


def csv_rows(text: str, delimiter: str, name: str) -> tuple[list[list[object]], list[int]]:
    """The rows of a CSV text and the line number where each starts; a broken or oversized cell is refused."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    numbers: list[int] = []
    try:
        for row in reader:
            rows.append(list(row))
            numbers.append(reader.line_num)
    except csv.Error as error:
        detail = str(error)
        if "field larger than field limit" in detail:
            detail = f"a cell is longer than {csv.field_size_limit():,} characters"
        raise BadStatement(f"line {reader.line_num + 1}: {detail}; refused", f"[{name}]") from None
    return rows, numbers


def statement_rows(text: str, delimiter: str, name: str, skip: int, width: tuple[int, int], most: int,
                   limits: Limits = DEFAULT_LIMITS) -> tuple[list[list[object]], list[int]]:
    """The rows of a bank's CSV export below its header (the first ``skip`` lines), read strictly, and the
    line number where each ends.

    Strict means that damage is refused, naming the line, instead of being read as data:

    * a quote that is opened and never closed: Python's reader would take every following line, to the next
      quote or the end of the file, as one field (a payer's name 43 lines long, the lines gone). Refused at
      the line where the quote opened, with how many lines it would swallow;
    * a quote closed in the middle of a field (``"ACME"LTD``): the quotes do not pair up;
    * a field over several lines (banks quote a narrative with line breaks) is accepted only when its row
      has the header's ``width`` (see :func:`_widths`) and none of its inner lines looks like a row of its own.

    Blank lines give empty rows, as before; rows of another width than the header's are judged where the
    profile is known (:func:`.tabular._read_grid`). Reading stops with a refusal once ``most`` rows that are not blank
    have been read: a file of a million lines is refused without being parsed whole.
    """
    source = io.StringIO(text, newline="")
    for _ in itertools.islice(source, skip):
        pass
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    numbers: list[int] = []
    start = skip + 1  # the physical line where the row being read begins
    filled = 0
    try:
        for row in reader:
            end = skip + reader.line_num
            if end > start and _swallowed(row, width, delimiter):
                raise _unclosed(text, start, end, delimiter, name, closed=True)
            rows.append(list(row))
            numbers.append(end)
            filled += 1 if row else 0
            if filled > most:
                raise too_many_lines(limits, f"[{name}] line {end}")
            start = end + 1
    except csv.Error as error:
        detail = str(error)
        line = skip + reader.line_num
        if "field larger than field limit" in detail:
            raise BadStatement(f"line {line + 1}: a cell is longer than {csv.field_size_limit():,}"
                               " characters; refused", f"[{name}]") from None
        if line > start or "end of data" in detail:
            raise _unclosed(text, start, line, delimiter, name, closed="end of data" not in detail) from None
        raise _unpaired(name, line) from None
    return rows, numbers


def _swallowed(row: list[str], width: tuple[int, int], delimiter: str) -> bool:
    """True when a row spread over several lines is lines run together by a missing quote."""
    if not _aligned(row, width):
        return True
    inner = [part for cell in row if "\n" in cell for part in cell.split("\n")[1:-1]]
    return width[0] >= 3 and any(part.count(delimiter) >= width[0] - 1 for part in inner)


def _widths(header: Sequence[object]) -> tuple[int, int]:
    """The header's fields up to its last named column, and all its fields (with trailing empty ones)."""
    named = max((j + 1 for j, cell in enumerate(header) if cell_text(cell)), default=0)
    return named, len(header)


def _aligned(row: Sequence[object], width: tuple[int, int]) -> bool:
    """The row has as many fields as the header: up to its last named column or all of them, or one empty
    field more (a delimiter at the end of each row but not of the header)."""
    named, full = width
    return named <= len(row) <= full or (len(row) == full + 1 and not cell_text(row[-1]))


def _unclosed(text: str, start: int, end: int, delimiter: str, name: str, *, closed: bool) -> BadStatement:
    """The refusal of a quote that runs over lines: where it opened, and how many lines it takes."""
    lines = list(itertools.islice(io.StringIO(text, newline=""), start - 1, end))
    opened = start
    inside = False
    for number, line in enumerate(lines[:-1] if closed else lines, start=start):
        fresh = True  # at the start of a field
        i = 0
        while i < len(line):
            char = line[i]
            if inside:
                if char == '"':
                    if line[i + 1 : i + 2] == '"':
                        i += 1
                    else:
                        inside = False
                        fresh = False
            elif char == '"' and fresh:
                inside, opened = True, number
            else:
                fresh = char == delimiter
            i += 1
    if closed:
        taken = end - opened - 1
        between = f"the {_lines(taken)} between" if taken else "the line break between them"
        return BadStatement(f"a quote opened here is closed only on line {end}; {between} would be read as one"
                            " field: a quote is missing", f"[{name}] line {opened}")
    taken = end - opened
    if not taken:
        return BadStatement("a quote opened here is never closed: the file ends inside it, so it was cut short"
                            " (or a quote is missing); download it again", f"[{name}] line {opened}")
    return BadStatement(f"a quote opened here is never closed; the next {_lines(taken)} (to the end of the file)"
                        " would be read as one field: a quote is missing, or the file was cut short",
                        f"[{name}] line {opened}")


def _unpaired(name: str, line: int) -> BadStatement:
    return BadStatement("the quotes do not pair up: a quoted field is closed and more text follows before the"
                        " next delimiter; a quote is missing or one too many", f"[{name}] line {line}")


def _lines(count: int) -> str:
    return f"{count:,} line{'' if count == 1 else 's'}"


def _width(rows: list[list[object]]) -> int:
    return max((sum(1 for c in row if cell_text(c)) for row in rows), default=0)


