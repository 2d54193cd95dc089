"""An in-memory Excel behind xlwings: the engine the tests drive the live-Excel host through, on Linux.

xlwings' front end (``xw.Book``, ``Sheet``, ``Range``, ``Table``, its value conversions and options) talks to
an *engine* implementing the interfaces of ``xlwings/base_classes.py``; its Windows and Mac engines forward
every call to Excel over COM or AppleScript. This one keeps the workbook in memory (an openpyxl workbook,
loaded from an xlsx and saved back to one) and gives Excel's answers where arxl depends on them: a read
returns floats for numbers, datetimes for dates and None for empty cells (one cell: a scalar; more: rows of
tuples, as COM does); a written string starting with "=" is a formula, one starting with an apostrophe is text
(the apostrophe is not part of the value), one that reads as a number becomes the number (one Excel would
take for a date raises NotImplementedError: the engine does not guess dates); a Decimal is refused (TypeError:
Excel takes floats, the host converts at its edge); tables are ListObjects (openpyxl Tables whose ref is kept
in step) whose range grows with ``Table.resize``.

Every call into the engine is counted, per ``Class.member`` and in total (:data:`CALLS`), as an Excel round
trip would be: that is what the round-trip budget of the live host is measured in. Handing back the Python
objects xlwings keeps (``api``, ``options``, the engine's value cleaning) is not a round trip and is not
counted. Anything the engine does not implement raises NotImplementedError naming the call: a loud gap.

The engine does not calculate: a formula written here reads back as its text (an xlsx loaded with cached
values reads them). Charts are kept as their source range and type, and saved as openpyxl bar charts.
Written from xlwings' BSD-licensed interfaces only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.xlmemory.base import CALLS, Counted
from tests.xlmemory.cells import Charts, Range, Tables, areas_of, excel_typed, read_cell, save_charts


class Engine:
    """The engine: registered with xlwings as "memory", of the desktop kind (scalars are written in one call)."""

    name = "memory"
    type = "desktop"

    def __init__(self) -> None:
        self.apps = Apps(self)

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        if isinstance(x, dt.date) and not isinstance(x, dt.datetime):
            return dt.datetime(x.year, x.month, x.day)
        return "" if x is None else x

    @staticmethod
    def clean_value_data(data: Any, datetime_builder: Any, empty_as: Any, number_builder: Any,
                         err_to_str: bool) -> list[list[Any]]:
        def clean(v: Any) -> Any:
            if v in ("", None):
                return empty_as
            if isinstance(v, dt.datetime):
                if datetime_builder is dt.datetime:
                    return v
                return datetime_builder(year=v.year, month=v.month, day=v.day, hour=v.hour, minute=v.minute,
                                        second=v.second, microsecond=v.microsecond)
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            return v

        return [[clean(c) for c in row] for row in data]


class Apps(Counted):
    def __init__(self, engine: Engine) -> None:
        self._engine, self._apps = engine, []  # type: tuple[Engine, list[App]]

    def add(self, spec: Any = None, add_book: bool = True, visible: Any = None, **_: Any) -> App:
        app = App(self._engine, 1000 + len(self._apps) + 1)
        self._apps.insert(0, app)
        return app

    def keys(self) -> list[int]:
        return [a._pid for a in self._apps]

    def __iter__(self) -> Iterator[App]:
        return iter(list(self._apps))

    def __len__(self) -> int:
        return len(self._apps)

    def __getitem__(self, pid: int) -> App:
        return next(a for a in self._apps if a._pid == pid)

    def cleanup(self) -> None:
        pass


class App(Counted):
    def __init__(self, engine: Engine, pid: int) -> None:
        self._engine_impl, self._pid = engine, pid
        self._books = Books(self)
        self._statuses: list[str] = []
        self._alerts: list[str] = []
        self._flags: dict[str, Any] = {"visible": False, "screen_updating": True, "display_alerts": True,
                                       "enable_events": True, "interactive": True, "calculation": "automatic"}

    engine = property(lambda self: self._engine_impl)
    api = property(lambda self: self)
    pid = property(lambda self: self._pid)
    books = property(lambda self: self._books)
    version = property(lambda self: "16.0")
    hwnd = property(lambda self: None)

    def __getattr__(self, name: str) -> Any:
        flags = object.__getattribute__(self, "_flags")
        if name in flags:
            return flags[name]
        return Counted.__getattr__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in getattr(self, "_flags", {}):
            CALLS[f"App.{name}="] += 1
            self._flags[name] = value
        elif name == "status_bar":
            CALLS["App.status_bar="] += 1
            self._statuses.append(value or "")
        else:
            Counted.__setattr__(self, name, value)

    @property
    def status_bar(self) -> str | bool:
        return self._statuses[-1] if self._statuses else False

    def alert(self, prompt: str, title: str | None, buttons: str, mode: str | None, callback: Any) -> str:
        self._alerts.append(prompt)
        return "ok"

    def activate(self, steal_focus: bool = False) -> None:
        pass

    def calculate(self) -> None:
        raise NotImplementedError("the memory engine does not calculate (App.calculate)")

    def quit(self) -> None:
        self._engine_impl.apps._apps.remove(self)

    kill = quit


class Books(Counted):
    def __init__(self, app: App) -> None:
        self._app, self._books = app, []  # type: tuple[App, list[Book]]

    app = property(lambda self: self._app)

    def open(self, fullname: str, *_: Any, **__: Any) -> Book:
        book = Book(self._app, Path(fullname), load_workbook(fullname))
        self._books.append(book)
        return book

    def add(self) -> Book:
        book = Book(self._app, Path(f"Book{len(self._books) + 1}"), Workbook())
        self._books.append(book)
        return book

    @property
    def active(self) -> Book | None:
        return self._books[-1] if self._books else None

    def __call__(self, name_or_index: int | str) -> Book:
        if isinstance(name_or_index, int):
            return self._books[name_or_index - 1]
        for book in self._books:
            if book._path.name.casefold() == str(name_or_index).casefold():
                return book
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._books)

    def __iter__(self) -> Iterator[Book]:
        return iter(list(self._books))


class Book(Counted):
    def __init__(self, app: App, path: Path, workbook: Workbook) -> None:
        self._app, self._path, self._wb = app, path, workbook
        self._sheets = Sheets(self)
        self._charts: dict[int, list[Any]] = {}
        self._fresh: set[tuple[str, str]] = set()  # formulas written here: Excel's result is not known
        self._cached: Workbook | None = None

    def _read(self, ws: Worksheet, cell: Any) -> Any:
        value = cell.value
        if cell.data_type != "f":
            return read_cell(value, None, None)
        if (ws.title, cell.coordinate) in self._fresh:
            return read_cell(value, True, None)
        if self._cached is None:
            self._cached = load_workbook(self._path, data_only=True)
        return read_cell(value, False, read_cell(self._cached[ws.title][cell.coordinate].value, None, None))

    def _write(self, ws: Worksheet, cell: Any, value: Any) -> None:
        typed, quoted = excel_typed(value)
        cell.value = typed
        if cell.data_type == "f":
            if quoted:
                cell.data_type = "s"
            else:
                self._fresh.add((ws.title, cell.coordinate))
        if quoted or cell.quotePrefix:
            cell.quotePrefix = quoted

    app = property(lambda self: self._app)
    api = property(lambda self: self._wb)
    name = property(lambda self: self._path.name)
    fullname = property(lambda self: str(self._path))
    sheets = property(lambda self: self._sheets)

    def save(self, path: str | None = None, password: str | None = None) -> None:
        if path:
            self._path = Path(path)
        save_charts(self)
        self._wb.save(self._path)

    def close(self) -> None:
        self._app._books._books.remove(self)

    def activate(self) -> None:
        pass


class Sheets(Counted):
    def __init__(self, book: Book) -> None:
        self._book = book

    def _wrap(self, ws: Worksheet) -> Sheet:
        return Sheet(self._book, ws)

    def __call__(self, name_or_index: int | str) -> Sheet:
        wb = self._book._wb
        if isinstance(name_or_index, int):
            return self._wrap(wb.worksheets[name_or_index - 1])
        for ws in wb.worksheets:
            if ws.title.casefold() == str(name_or_index).casefold():
                return self._wrap(ws)
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._book._wb.worksheets)

    def __iter__(self) -> Iterator[Sheet]:
        return iter([self._wrap(ws) for ws in self._book._wb.worksheets])

    @property
    def active(self) -> Sheet:
        return self._wrap(self._book._wb.active)

    def add(self, before: Sheet | None = None, after: Sheet | None = None, name: str | None = None) -> Sheet:
        wb = self._book._wb
        index = len(wb.worksheets)
        if before is not None:
            index = wb.worksheets.index(before._ws)
        elif after is not None:
            index = wb.worksheets.index(after._ws) + 1
        return self._wrap(wb.create_sheet(name, index))


class Sheet(Counted):
    def __init__(self, book: Book, ws: Worksheet) -> None:
        self._book, self._ws = book, ws

    api = property(lambda self: self._ws)
    book = property(lambda self: self._book)

    @property
    def name(self) -> str:
        return self._ws.title

    @name.setter
    def name(self, value: str) -> None:
        self._ws.title = value

    @property
    def index(self) -> int:
        return self._book._wb.worksheets.index(self._ws) + 1

    def range(self, arg1: Any, arg2: Any = None) -> Range:
        return Range(self, areas_of(self._ws, arg1, arg2))

    @property
    def cells(self) -> Range:
        return Range(self, [(1, 1, 1048576, 16384)])

    @property
    def used_range(self) -> Range:
        ws = self._ws
        return Range(self, [(ws.min_row, ws.min_column, ws.max_row - ws.min_row + 1,
                             ws.max_column - ws.min_column + 1)])

    @property
    def tables(self) -> Tables:
        return Tables(self)

    @property
    def charts(self) -> Charts:
        return Charts(self)

    def delete(self) -> None:
        self._book._charts.pop(id(self._ws), None)
        self._book._wb.remove(self._ws)

    def activate(self) -> None:
        self._book._wb.active = self._ws

    def clear(self) -> None:
        self._ws.delete_rows(1, self._ws.max_row)
