"""Reading a big ledger for one job: only the columns it needs, on both cores, with the collector paused.

Aging 200,000 invoices takes a second; reading them takes most of the rest. Three things make the read fit:

- **only what the job reads**: some tables, and of those only some columns (the aging's are
  :data:`arxl.aging.sheet.AGING_COLUMNS`), each cell still checked by the reader's one door for its kind (a
  bad cell is reported with its place, as always);
- **two processes**: on a system that can fork, a second process reads some of the tables (the aging:
  Receipts and Allocations), after its own safety check of the file, while this one reads the others. It
  hands its checked values back as plain columns (amounts as text, dates as day numbers), which cross a pipe
  in a fraction of a second where pickled row models would take seconds; here they become light records
  (:func:`arxl.ledger.tables.projection`) like the tables read here. Small workbooks, or a failure of any
  kind in the helper, are read here, one table after the other, with the same values;
- **no garbage collection while reading**: building half a million small objects makes Python's collector
  walk the growing heap again and again (a third of the time) although nothing read can form a cycle.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections.abc import Collection, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from arxl.core.background import in_background, paused_gc
from arxl.core.errors import Problem
from arxl.formats.xlsx.xlsx import XlsxFile
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import TABLES, Row, Setting, build_row, columns
from arxl.ledger.settings import parse_settings
from arxl.ledger.tables import Table, projection, read_table

PARALLEL_FROM_BYTES = 4_000_000  # below this a second process costs more than it saves


Columns = Mapping[str, tuple[str, ...] | None]


def read_columns(path: Path | str, wanted: Columns, elsewhere: Collection[str] = (), parallel: bool | None = None
                 ) -> tuple[Ledger, list[Problem]]:
    """The ledger of a workbook file with only the ``wanted`` tables and columns (table -> field names, None for
    all), each cell checked as the full reader would; Settings are always read whole.

    The other tables of the returned ledger are empty and marked not present, and its rows hold only the
    columns read (any other field raises AttributeError): it serves the job that asked, nothing else. The
    tables of ``elsewhere`` are read by a helper process when it pays (``parallel``: None decides by the
    file's size and the system).
    """
    path = Path(path)
    wanted = {"Settings": None, **wanted}
    elsewhere = [name for name in elsewhere if name in wanted]
    helper = bool(elsewhere) and _use_helper(path, parallel)
    with paused_gc(), (in_background(_read_elsewhere, path, wanted, elsewhere) if helper
                       else contextlib.nullcontext(None)) as pending:
        book = XlsxFile(path)
        tables: dict[str, Table[Row]] = {}
        problems: list[Problem] = []
        for name in wanted:
            if not helper or name not in elsewhere:
                tables[name], found = read_table(book, TABLES[name], wanted[name])
                problems.extend(found)
        if pending is not None:
            received = pending.result()
            for name in elsewhere:
                if received is not None and name in received:
                    tables[name], found = _decode(received[name], book.name)
                else:  # the helper failed: read here, so that any error is raised (and reported) as usual
                    tables[name], found = read_table(book, TABLES[name], wanted[name])
                problems.extend(found)
        for name, spec in TABLES.items():
            if name not in tables:
                tables[name] = Table(spec, book.name, name, present=False)
        ordered = {name: tables[name] for name in TABLES}
        settings, found = parse_settings(cast(Table[Setting], ordered["Settings"]), book.info.date1904)
        problems.extend(found)
    return Ledger(book.name, settings, ordered), problems


def _use_helper(path: Path, parallel: bool | None) -> bool:
    if parallel is not None:
        return parallel
    try:
        return path.stat().st_size >= PARALLEL_FROM_BYTES and (os.cpu_count() or 1) > 1
    except OSError:
        return False


def _read_elsewhere(path: Path, wanted: Columns, elsewhere: Collection[str]) -> dict[str, Any]:
    """In the helper process: the tables of ``elsewhere`` as plain columns (any failure: read by the caller)."""
    gc.disable()
    book = XlsxFile(path)  # its own safety check before its own parse
    return {name: _encode(wanted[name], *read_table(book, TABLES[name], wanted[name], by_column=True))
            for name in elsewhere}


def _encode(only: tuple[str, ...] | None, table: Table[Row], problems: list[Problem]) -> dict[str, Any]:
    fields = list(only) if only is not None else [c.field for c in columns(table.spec.model)]
    plain: dict[str, list[object]] = {}
    for name in fields:
        values = table.columns[name] if table.columns is not None else [getattr(row, name) for row in table.rows]
        sample = next((v for v in values if v is not None), None)
        if isinstance(sample, Decimal):
            plain[name] = ["D", *(None if v is None else str(v) for v in values)]
        elif isinstance(sample, dt.date) and not isinstance(sample, dt.datetime):
            plain[name] = ["T", *(None if v is None else cast(dt.date, v).toordinal() for v in values)]
        else:
            plain[name] = ["", *values]
    return {"table": table.spec.name, "sheet": table.sheet, "letters": table.letters, "row_numbers": table.row_numbers,
            "present": table.present, "columns": plain, "problems": problems, "count": len(table.row_numbers),
            "projected": only is not None}


def _decode(data: dict[str, Any], book: str) -> tuple[Table[Row], list[Problem]]:
    spec = TABLES[data["table"]]
    table: Table[Row] = Table(spec, book, data["sheet"], letters=data["letters"], present=data["present"])
    columns: list[list[Any]] = []
    for kind, *values in data["columns"].values():
        if kind == "D":
            columns.append([None if v is None else Decimal(v) for v in values])
        elif kind == "T":
            columns.append([None if v is None else dt.date.fromordinal(v) for v in values])
        else:
            columns.append(values)
    names = list(data["columns"])
    model = spec.model
    if data["projected"] and columns:
        record = projection(model, tuple(names))
        table.rows = cast(list[Row], list(map(record._make, zip(*columns, strict=True))))
    else:
        rows = zip(*columns, strict=True) if columns else ((),) * data["count"]
        table.rows = [build_row(model, dict(zip(names, values, strict=True))) for values in rows]
    table.row_numbers = list(data["row_numbers"])
    return table, list(data["problems"])

